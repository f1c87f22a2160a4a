"""A response cache for anonymous visitors of the public pages, invalidated on publication.

The key carries ``PublicVersion.number``, which every change to what the public sees increments
(organisations.search.public_version_bump): one primary-key read per request tells every app
server, whatever its cache backend, that its cached pages are stale.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

from organisations.models import PublicVersion


def public_version() -> int:
    return PublicVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0


def cached_for_anonymous(request, build) -> HttpResponse:
    """``build()``'s response, from the cache when an anonymous visitor asked for the same URL
    since the last publication. Signed-in users (curators previewing their work) always get a
    fresh page; only complete 200 responses are kept."""
    seconds = settings.PUBLIC_CACHE_SECONDS
    if not seconds or request.method != "GET" or request.user.is_authenticated:
        return build()
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    key = f"public:{public_version()}:{digest}"
    cached = cache.get(key)
    if cached is not None:
        content, content_type = cached
        return HttpResponse(content, content_type=content_type)
    response = build()
    if hasattr(response, "render"):
        response = response.render()
    if response.status_code == 200 and not response.cookies:
        cache.set(key, (response.content, response["Content-Type"]), seconds)
    return response

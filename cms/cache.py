"""A response cache for anonymous visitors of the public pages, invalidated on publication.

The key carries ``PublicVersion.number``, which every change to what the public sees increments
(organisations.search.public_version_bump): one primary-key read per request tells every app
server, whatever its cache backend, that its cached pages are stale.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

from . import search_demand
from .search_page import public_version_for

# The public site is under a language prefix (/fr/, /en/): the admin and the rest never are.
_PUBLIC_PREFIXES = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)


def _key(request) -> str | None:
    """The cache key of this request's page, or ``None`` when it must not come from the cache
    (caching off, not a GET, a signed-in user: curators previewing their work see it fresh)."""
    if not settings.PUBLIC_CACHE_SECONDS or request.method != "GET":
        return None
    if not request.path.startswith(_PUBLIC_PREFIXES):
        return None
    if request.user.is_authenticated:
        return None
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"public:{public_version_for(request)}:{digest}"


def cached_for_anonymous(request, build) -> HttpResponse:
    """``build()``'s response, kept for the next anonymous visitor who asks for the same URL
    before the next publication (``PublicCacheMiddleware`` serves it). Only complete 200
    responses are kept."""
    key = _key(request)
    if key is None:
        return build()
    response = build()
    if hasattr(response, "render"):
        response = response.render()
    if response.status_code == 200 and not response.cookies:
        # With what the page says about its search, so that a cached search is counted too.
        demand = search_demand.describe(request, response)
        content = (response.content, response["Content-Type"], demand)
        cache.set(key, content, settings.PUBLIC_CACHE_SECONDS)
    return response


class PublicCacheMiddleware:
    """Serve a page ``cached_for_anonymous`` kept, before URL routing and the page tree: a
    cached search costs one primary-key read and one cache read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = _key(request)
        cached = cache.get(key) if key else None
        if cached is None:
            response = self.get_response(request)
            demand = search_demand.describe(request, response)
        else:
            content, content_type, *demand = cached  # pages cached before the count: 2 items
            demand = demand[0] if demand else None
            response = HttpResponse(content, content_type=content_type)
        search_demand.count_after_response(request, response, demand)
        return response

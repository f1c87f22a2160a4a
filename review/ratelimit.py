"""Attempts counted in the cache, per visitor's address or per anything else (an update link):
the public forms (a suggestion, an update link) turn a visitor away for a while after too many,
with a page that says so."""

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render


def client_address(request) -> str:
    """The visitor's address as the app server sees it (behind a proxy, the proxy must set
    ``REMOTE_ADDR``, e.g. gunicorn's ``--forwarded-allow-ips``)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def attempt(request, scope: str, *, limit: int, seconds: int, who: str | None = None) -> bool:
    """Count one attempt in ``scope`` for ``who`` (the visitor's address unless given: an update
    request's id counts every post through its links, from any address); ``False`` once there
    were more than ``limit`` in the last ``seconds`` (a fixed window, started by the first
    attempt)."""
    key = f"ratelimit:{scope}:{who if who is not None else client_address(request)}"
    if cache.add(key, 1, seconds):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, seconds)
        return True
    return count <= limit


def too_many_attempts(request, *, minutes: int, link: bool = False):
    """The page for a visitor turned away (HTTP 429), in the visitor's language; ``link``: too
    many answers through one update link (what was sent is not kept, and whom to write to)."""
    context = {"minutes": minutes, "link": link, "contact_email": settings.REPERTOIRE_CONTACT_EMAIL}
    response = render(request, "review/too_many.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response

"""Attempts per visitor's address, counted in the cache: the public forms (a suggestion, an
update link) turn a visitor away for a while after too many, with a page that says so."""

from django.core.cache import cache
from django.shortcuts import render


def client_address(request) -> str:
    """The visitor's address as the app server sees it (behind a proxy, the proxy must set
    ``REMOTE_ADDR``, e.g. gunicorn's ``--forwarded-allow-ips``)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def attempt(request, scope: str, *, limit: int, seconds: int) -> bool:
    """Count one attempt for this visitor in ``scope``; ``False`` once there were more than
    ``limit`` in the last ``seconds`` (a fixed window, started by the first attempt)."""
    key = f"ratelimit:{scope}:{client_address(request)}"
    if cache.add(key, 1, seconds):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, seconds)
        return True
    return count <= limit


def too_many_attempts(request, *, minutes: int):
    """The page for a visitor turned away (HTTP 429), in the visitor's language."""
    response = render(request, "review/too_many.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response

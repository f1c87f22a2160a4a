from django.contrib.sitemaps.views import sitemap
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from .sitemaps import OrganisationSitemap, PageSitemap


@require_GET
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """For the load balancer: the app answers and its database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /documents/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain")


@require_GET
@cache_control(max_age=3600, public=True)
def sitemap_xml(request: HttpRequest) -> HttpResponse:
    """The public pages and organisations in both languages (cms/sitemaps.py)."""
    return sitemap(
        request,
        {"pages": PageSitemap(request), "organisations": OrganisationSitemap(request)},
    )

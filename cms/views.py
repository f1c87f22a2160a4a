from django.contrib.sitemaps.views import sitemap
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET
from wagtail import hooks
from wagtail import views as wagtail_views

from .search_page import known_for
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
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, which browsers ask for on every site whatever the page says: the icon
    kept in ``static/``, read once per process."""
    global _favicon
    if _favicon is None:
        from django.contrib.staticfiles import finders

        path = finders.find("favicon.ico")
        if path is None:
            raise Http404
        with open(path, "rb") as file:
            _favicon = file.read()
    return HttpResponse(_favicon, content_type="image/x-icon")


_favicon: bytes | None = None


@require_GET
@cache_control(max_age=3600, public=True)
def sitemap_xml(request: HttpRequest) -> HttpResponse:
    """The public pages and organisations in both languages (cms/sitemaps.py)."""
    return sitemap(
        request,
        {"pages": PageSitemap(request), "organisations": OrganisationSitemap(request)},
    )


def search_page(request: HttpRequest) -> HttpResponse:
    """The search page (``/fr/recherche/``, ``/en/search/``) without walking the page tree.

    Wagtail's serve view finds a page in five to seven queries, a sixth of a search's time: the
    search page is remembered for the current public version (a publication or a move of a page
    changes it), then served as Wagtail serves it, through its ``on_serve_page`` and
    ``before_serve_page`` hooks. Any other path, or a page moved away, goes to Wagtail.
    """
    from .models import SearchPage

    language = translation.get_language()

    def find():
        page = SearchPage.for_language(language)
        return (page, page.get_url()) if page else (None, None)

    page, url = known_for(request).memo(("search_page", language), find)
    if page is None or url != request.path:
        return wagtail_views.serve(request, request.path_info.split("/", 2)[2])
    chain = wagtail_views.serve_chain
    for fn in reversed(hooks.get_hooks("on_serve_page")):
        chain = fn(chain)
    for fn in hooks.get_hooks("before_serve_page"):
        result = fn(page, request, (), {})
        if isinstance(result, HttpResponse):
            return result
    return chain(page, request, (), {})

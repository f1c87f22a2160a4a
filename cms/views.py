from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET


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
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /documents/", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain")

"""The project's URLs with a bare view in front, for ``bench_search.py``.

``/bench/bare/`` goes through the same middleware as the search page and does nothing else: the
throughput of the stack itself, on the same server, to compare the search page with.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from cms.urls import urlpatterns as project_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *project_urlpatterns]

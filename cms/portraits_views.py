"""The public portraits' pages and their open data: ``/fr/portraits/`` (every territory), a
territory's portrait (``/fr/portraits/<place>/``), a year's figures as CSV."""

import csv

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import translation
from django.views.decorators.http import require_GET

from portraits import published
from portraits.exports import open_data_rows

from . import portraits_page


@require_GET
def portraits_index(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(
        request, "cms/portraits/index.html", portraits_page.index_context(request)
    )


@require_GET
def portrait(request: HttpRequest, slug: str) -> HttpResponse:
    """A territory's portrait; a place the directory does not know is a page saying so, with
    the way to the others (404)."""
    try:
        context = portraits_page.portrait_context(request, slug)
    except portraits_page.TerritoryNotFound:
        context = portraits_page.index_context(request)
        context["unknown"] = slug[:80]
        return TemplateResponse(request, "cms/portraits/not_found.html", context, status=404)
    return TemplateResponse(request, "cms/portraits/portrait.html", context)


class _Echo:
    """csv.writer writes to it; each row is sent as it is written."""

    def write(self, value: str) -> str:
        return value


@require_GET
def open_data(request: HttpRequest, year: int) -> HttpResponse:
    """A year's public figures as CSV (UTF-8 with its byte-order mark, so that Excel reads the
    accents), with the licence of the directory's open data in a ``Link`` header."""
    figures = published.year_figures(year)
    if figures is None:
        raise Http404
    language = request.LANGUAGE_CODE
    response = StreamingHttpResponse(
        _csv(open_data_rows(figures), language), content_type="text/csv; charset=utf-8"
    )
    name = f"portraits-{'besoins' if language == 'fr' else 'needs'}-{year}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Link"] = f'<{settings.REPERTOIRE_OPEN_DATA_LICENSE_URL}>; rel="license"'
    return response


def _csv(rows, language: str):
    """The rows as CSV text, written in ``language`` (the response is sent after the view has
    returned)."""
    writer = csv.writer(_Echo())
    with translation.override(language):
        yield "\ufeff"
        for row in rows:
            yield writer.writerow(row)

"""The search-demand report in the admin (Reports › Search demand): what the public searched,
how often, and what it found; the queries with no or few results first when asked; by language
and by month; exported to a spreadsheet. From a row, a curator adds the searched phrase to a
need's keywords in one step.

A Wagtail report view. The daily rows are summed per query and language in one SQL statement
whose correlated subqueries read the latest day's results and how it was understood: the same
number of queries for 10 rows or 100,000.
"""

import csv
from collections.abc import Iterator
from datetime import date
from urllib.parse import urlencode

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Max, OuterRef, Subquery, Sum
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.mixins import Echo
from wagtail.admin.views.reports import ReportView
from wagtail.contrib.search_promotions.models import Query

from organisations import search
from organisations.lib.formulas import neutralise_formula
from organisations.lib.spreadsheets import write_xlsx
from organisations.models import Category

from . import search_demand, search_page, search_promotions
from .search_demand import FEW_RESULTS, KEEP_MONTHS, NEAR_ADDRESS, NEAR_POSITION, SearchDemand

PERMISSION = "organisations.view_organisation"  # curators, editors, administrators


def month_choices(today: date) -> list[tuple[str, str]]:
    """The months kept (``KEEP_MONTHS``), this one first: ("2026-12", "décembre 2026")."""
    months = []
    for back in range(KEEP_MONTHS + 1):
        first = search_demand.months_before(today.replace(day=1), back)
        months.append((first.strftime("%Y-%m"), date_format(first, "F Y")))
    return months


def month_range(value: str) -> tuple[date, date] | None:
    try:
        year, month = (int(part) for part in value.split("-"))
        first = date(year, month, 1)
    except ValueError:
        return None
    after = search_demand.months_before(first, -1)
    return first, after


RESULTS_CHOICES = [
    ("none", pgettext_lazy("search results", "None")),
    ("few", gettext_lazy("Few (1 to 4)")),
    ("none-or-few", gettext_lazy("None or few")),
    ("some", gettext_lazy("5 or more")),
]


def _keep(queryset, name, value):  # the report reads the filters itself (``demand_rows``)
    return queryset


class DemandFilterSet(WagtailFilterSet):
    month = django_filters.ChoiceFilter(
        label=gettext_lazy("Month"), choices=[], method=_keep, empty_label=None
    )
    language = django_filters.ChoiceFilter(
        label=gettext_lazy("Language"),
        choices=[("fr", gettext_lazy("French")), ("en", gettext_lazy("English"))],
        method=_keep,
        empty_label=gettext_lazy("Both"),
    )
    results = django_filters.ChoiceFilter(
        label=gettext_lazy("Results of the last search"),
        choices=RESULTS_CHOICES,
        method=_keep,
        empty_label=gettext_lazy("Any number"),
    )

    class Meta:
        model = SearchDemand
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        months = [("", _("The last %(months)s months") % {"months": KEEP_MONTHS})]
        self.filters["month"].extra["choices"] = months + month_choices(timezone.localdate())
        self.form.fields["month"].choices = self.filters["month"].extra["choices"]


def demand_rows(month: str = "", language: str = "", results: str = ""):
    """One row per query and language over the period: searches, days searched, the last
    day's number of results and the need and place it was understood as."""
    days = SearchDemand.objects.all()
    if month and (span := month_range(month)):
        days = days.filter(date__gte=span[0], date__lt=span[1])
    if language:
        days = days.filter(language=language)
    latest = days.filter(query=OuterRef("query"), language=OuterRef("language")).order_by(
        "-date", "-hits", "-pk"
    )
    rows = (
        days.values("query", "language")
        .annotate(
            query_string=Max("query__query_string"),
            searches=Sum("hits"),
            last_day=Max("date"),
            last_results=Subquery(latest.values("results")[:1]),
            last_need=Subquery(latest.values("need")[:1]),
            last_place=Subquery(latest.values("place")[:1]),
        )
        .order_by("-searches", "query_string", "language")
    )
    if results == "none":
        rows = rows.filter(last_results=0)
    elif results == "few":
        rows = rows.filter(last_results__gte=1, last_results__lte=FEW_RESULTS)
    elif results == "none-or-few":
        rows = rows.filter(last_results__lte=FEW_RESULTS)
    elif results == "some":
        rows = rows.filter(last_results__gt=FEW_RESULTS)
    return rows


class Understood:
    """How a row's search was understood, in words: the need's and the place's names."""

    def __init__(self, known: search.Reference):
        self.known = known

    def need(self, code: str) -> str:
        need = self.known.categories_by_code.get(code) if code else None
        return str(need.name) if need is not None else code

    def place(self, value: str) -> str:
        if value == NEAR_POSITION:
            return _("near the visitor's position")
        if value == NEAR_ADDRESS:
            return _("near an address")
        if not value:
            return ""
        place = self.known.territories_by_slug.get(value)
        if place is not None:
            return str(place)
        return value.upper() if search_demand.is_fsa(value) else value

    def __call__(self, row: dict) -> str:
        return " · ".join(
            part for part in (self.need(row["last_need"]), self.place(row["last_place"])) if part
        )


def _query_text(row: dict) -> str:
    return row["query_string"] or _("(no words: filters only)")


def _language_name(row: dict) -> str:
    return {"fr": _("French"), "en": _("English")}.get(row["language"], row["language"])


def _results_words(row: dict) -> str:
    count = row["last_results"] or 0
    if count == 0:
        return pgettext("search results", "none")
    return number_format(count)


def _day(row: dict) -> str:
    return date_format(row["last_day"], "j F Y") if row["last_day"] else ""


class QueryColumn(Column):
    """The query, and under it the step a curator takes from it."""

    cell_template_name = "cms/admin/search_demand_query_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["text"] = _query_text(instance)
        context["empty"] = not instance["query_string"]
        if instance["query_string"]:
            request = parent_context["request"]
            back = request.get_full_path().replace("/results/", "/", 1)
            query = urlencode({"language": instance["language"], "next": back})
            url = reverse("search_demand_keyword", args=[instance["query"]])
            context["keyword_url"] = f"{url}?{query}"
            promote = urlencode({"query": instance["query_string"], "next": back})
            context["promote_url"] = f"{reverse('organisation_promotions:add')}?{promote}"
            context["promoted"] = instance.get("promoted", [])
            listing = urlencode({"q": instance["query_string"]})
            context["promoted_url"] = f"{reverse('organisation_promotions:index')}?{listing}"
        return context


class SearchDemandReportView(ReportView):
    page_title = gettext_lazy("Search demand")
    header_icon = "search"
    template_name = "cms/admin/search_demand_report.html"
    index_url_name = "search_demand_report"
    index_results_url_name = "search_demand_report_results"
    filterset_class = DemandFilterSet
    paginate_by = 50
    show_export_buttons = True
    keep_months = KEEP_MONTHS

    @cached_property
    def understood(self) -> Understood:
        return Understood(search_page.known_for(self.request))

    @cached_property
    def columns(self):
        return [
            QueryColumn("query_string", label=gettext_lazy("Query")),
            Column("language", label=gettext_lazy("Language"), accessor=_language_name),
            Column("searches", label=gettext_lazy("Searches")),
            Column(
                "last_results",
                label=gettext_lazy("Results of the last search"),
                accessor=_results_words,
            ),
            Column("understood", label=gettext_lazy("Understood as"), accessor=self.understood),
            Column("last_day", label=gettext_lazy("Last searched"), accessor=_day),
        ]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def chosen(self) -> dict:
        filters = self.filters
        if filters is None or not filters.is_valid():
            return {}
        return {key: value or "" for key, value in filters.form.cleaned_data.items()}

    def get_queryset(self):
        return demand_rows(**self.chosen)

    def get_filtered_queryset(self):
        return self.get_queryset()

    def paginate_queryset(self, queryset, page_size):
        # The organisations promoted for the page's queries: one query for the page.
        paginator, page, rows, is_paginated = super().paginate_queryset(queryset, page_size)
        rows = list(rows)
        promoted = search_promotions.promoted_names([row["query"] for row in rows])
        for row in rows:
            row["promoted"] = promoted.get(row["query"], [])
        return paginator, page, rows, is_paginated

    def get_filename(self):
        return f"search-demand-{timezone.localdate().isoformat()}"

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["quick_links"] = [
            (label, f"{self.index_url}?{query}", self.request.GET.urlencode() == query)
            for label, query in (
                (_("Top queries"), ""),
                (_("No results"), "results=none"),
                (_("No or few results"), "results=none-or-few"),
                (_("In French"), "language=fr"),
                (_("In English"), "language=en"),
                (_("This month"), f"month={timezone.localdate():%Y-%m}"),
            )
        ]
        return context

    # --- The export: every row of the filtered report -------------------------------------------

    def demand_sheet(self, queryset) -> Iterator[list]:
        yield [
            _("Query"),
            _("Language"),
            _("Searches"),
            _("Results of the last search"),
            _("Understood as: need"),
            _("Understood as: place"),
            _("Last searched"),
        ]
        for row in queryset.iterator(chunk_size=2_000):
            yield [
                neutralise_formula(_query_text(row)),
                _language_name(row),
                row["searches"],
                row["last_results"],
                neutralise_formula(self.understood.need(row["last_need"])),
                neutralise_formula(self.understood.place(row["last_place"])),
                row["last_day"],
            ]

    def write_xlsx(self, queryset, output):
        write_xlsx([(_("Search demand"), self.demand_sheet(queryset))], output)

    def stream_csv(self, queryset):
        writer = csv.writer(Echo())
        for row in self.demand_sheet(queryset):
            yield writer.writerow(["" if value is None else value for value in row])


# --- One step: the phrase becomes a need's keyword ----------------------------------------------


class NeedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class KeywordForm(forms.Form):
    need = NeedChoiceField(
        label=gettext_lazy("Need"),
        queryset=Category.objects.select_related("parent").order_by(
            "parent__sort_order", "parent__name_fr", "sort_order", "name_fr"
        ),
        empty_label=gettext_lazy("Choose a need"),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Keyword in"),
        choices=[("fr", gettext_lazy("French")), ("en", gettext_lazy("English"))],
        widget=forms.RadioSelect,
    )


def _return_to(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return reverse("search_demand_report")


def keyword_view(request, query_id: int):
    """ "Add as a need's keyword": choose the need (the one the search was understood as is
    chosen already) and the language; the phrase is appended to that need's keywords."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    query = get_object_or_404(Query, pk=query_id)
    language = request.GET.get("language") if request.GET.get("language") in ("fr", "en") else "fr"
    latest = (
        SearchDemand.objects.filter(query=query, language=language)
        .exclude(need="")
        .order_by("-date", "-hits")
        .values_list("need", flat=True)
        .first()
    )
    initial = {"language": language, "need": Category.objects.filter(code=latest).first()}
    form = KeywordForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        need, language = form.cleaned_data["need"], form.cleaned_data["language"]
        words = {"query": query.query_string, "need": need.name}
        if search_demand.add_keyword(need, language, query.query_string, request.user):
            messages.success(
                request,
                _(
                    "“%(query)s” is now a keyword of the need “%(need)s”. The public search "
                    "finds it once the index has been rebuilt (a minute or two)."
                )
                % words,
            )
        else:
            messages.info(request, _("“%(query)s” is already a keyword of “%(need)s”.") % words)
        return redirect(_return_to(request))
    return TemplateResponse(
        request,
        "cms/admin/search_demand_keyword.html",
        {
            "query": query,
            "form": form,
            "return_to": _return_to(request),
            "header_title": _("Add as a need's keyword"),
            "header_icon": "tag",
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": _return_to(request), "label": _("Search demand")},
                {"url": "", "label": _("Add as a need's keyword")},
            ],
        },
    )


urlpatterns = [
    path("search-demand/", SearchDemandReportView.as_view(), name="search_demand_report"),
    path(
        "search-demand/results/",
        SearchDemandReportView.as_view(results_only=True),
        name="search_demand_report_results",
    ),
    path("search-demand/keyword/<int:query_id>/", keyword_view, name="search_demand_keyword"),
]

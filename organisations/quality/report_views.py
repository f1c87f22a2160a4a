"""The quality report in the admin (Reports > Data quality): counts by check, severity, sector
and curator, the trend of the full runs, and the worklist of records with problems, filtered and
exported to a spreadsheet.

A Wagtail report view (its filters, pagination and spreadsheet export). It reads only what the
checks stored (``selectors``): the same number of queries at 5 records or 60,000.
"""

import csv
from collections import Counter
from collections.abc import Iterator
from itertools import islice

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.mixins import Echo
from wagtail.admin.views.reports import ReportView

from ..lib.formulas import neutralise_formula
from ..lib.spreadsheets import write_xlsx
from ..models import Organisation, Severity, Territory
from ..selectors import territory_sectors
from . import selectors
from .checks import CHECKS

PERMISSION = "organisations.view_organisation"  # curators, editors, administrators
EXPORT_CHUNK = 1_000
EXPORT_FIELDS = [
    "name",
    "next_review_due",
    "last_verified_at",
    "assigned_curator__username",
    "assigned_curator__first_name",
    "assigned_curator__last_name",
]


class WorklistFilterSet(WagtailFilterSet):
    check = django_filters.ChoiceFilter(
        label=pgettext_lazy("quality", "Check"),
        choices=[(check.code, check.message) for check in CHECKS],
        method="filter_problem",
    )
    severity = django_filters.ChoiceFilter(
        label=gettext_lazy("Severity"), choices=Severity.choices, method="filter_problem"
    )
    sector = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Sector"),
        help_text=gettext_lazy("The sector of the record's first place."),
        queryset=Territory.objects.filter(kind=Territory.Kind.SECTOR),
        method="filter_sector",
    )
    curator = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Curator"),
        field_name="assigned_curator",
        # Whoever has records assigned, whatever their group is now.
        queryset=lambda request: (
            get_user_model()
            .objects.filter(pk__in=Organisation.objects.values("assigned_curator"))
            .order_by("first_name", "last_name", "username")
        ),
        null_label=gettext_lazy("Not assigned"),
    )

    class Meta:
        model = Organisation
        fields = []

    def filter_problem(self, queryset, name, value):
        return selectors.with_problem(queryset, **{"code" if name == "check" else name: value})

    def filter_sector(self, queryset, name, value):
        return selectors.in_sector(queryset, value) if value else queryset


def _curator_name(organisation) -> str:
    curator = organisation.assigned_curator
    return (curator.get_full_name() or curator.get_username()) if curator else ""


def _worst_label(organisation) -> str:
    severity = selectors.severity_of_rank(organisation.worst)
    return str(severity.label) if severity else ""


class ProblemsColumn(Column):
    cell_template_name = "organisations/quality/report_problems_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        counts = Counter(problem.code for problem in instance.problems)
        seen, problems = set(), []
        for problem in instance.problems:
            if problem.code not in seen:
                seen.add(problem.code)
                problems.append((problem, counts[problem.code]))
        context["problems"] = problems
        return context


# The trend's bars, stacked from the bottom: severe, warning, notice.
TREND_COLOURS = {
    Severity.SEVERE: "#b30000",
    Severity.WARNING: "#c27a00",
    Severity.NOTICE: "#5c7fa3",
}


def trend_chart(runs, *, height: int = 120, bar: int = 14, gap: int = 6) -> dict:
    """The problems of each full run (oldest first) as stacked bars for an inline SVG."""
    peak = max((sum(run.by_severity.get(s.value, 0) for s in Severity) for run in runs), default=0)
    bars = []
    for index, run in enumerate(runs):
        y, segments = float(height), []
        for severity in Severity:
            value = run.by_severity.get(severity.value, 0)
            size = round(value / peak * height, 1) if peak else 0
            y -= size
            segments.append(
                {
                    "severity": severity,
                    "value": value,
                    "y": round(y, 1),
                    "height": size,
                    "colour": TREND_COLOURS[severity],
                }
            )
        bars.append({"run": run, "x": index * (bar + gap), "segments": segments})
    return {
        "bars": bars,
        "width": max(len(runs) * (bar + gap) - gap, 1),
        "height": height,
        "bar": bar,
        "legend": [(severity, TREND_COLOURS[severity]) for severity in Severity],
    }


class QualityReportView(ReportView):
    page_title = gettext_lazy("Data quality")
    header_icon = "warning"
    template_name = "organisations/quality/report.html"
    index_url_name = "quality_report"
    index_results_url_name = "quality_report_results"
    filterset_class = WorklistFilterSet
    paginate_by = 50
    # The export writes its own columns (``worklist_rows``), not ``list_export``'s.
    show_export_buttons = True
    columns = [
        TitleColumn(
            "name",
            label=gettext_lazy("Organisation"),
            url_name="wagtailsnippets_organisations_organisation:edit",
        ),
        Column("worst", label=gettext_lazy("Worst problem"), accessor=_worst_label),
        ProblemsColumn("problems", label=gettext_lazy("Problems")),
        Column("sector_name", label=gettext_lazy("Sector")),
        Column("curator", label=gettext_lazy("Curator"), accessor=_curator_name),
        Column("next_review_due", label=gettext_lazy("Next review due")),
    ]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        self.queryset = selectors.worklist()
        return super().get_queryset()

    def get_filename(self):
        return f"quality-worklist-{timezone.localdate().isoformat()}"

    def get_filtered_queryset(self):
        # Wagtail's ReportView filters on top of ``get_queryset()``, which has filtered already.
        return self.get_queryset()

    @cached_property
    def sectors(self) -> dict[int, Territory]:
        return territory_sectors()

    def paginate_queryset(self, queryset, page_size):
        # The page's problems and sectors in two queries (the table reads the page's list).
        paginator, page, _object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = self.decorate(list(page.object_list))
        return paginator, page, page.object_list, is_paginated

    def decorate(self, organisations: list[Organisation]) -> list[Organisation]:
        problems = selectors.problems_of([organisation.pk for organisation in organisations])
        for organisation in organisations:
            organisation.problems = problems[organisation.pk]
            sector = self.sectors.get(organisation.place)
            organisation.sector_name = sector.name if sector else ""
        return organisations

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        if not self.results_only and not self.is_export:
            summary = selectors.quality_summary(sectors=self.sectors)
            context.update(
                {
                    "summary": summary,
                    "trend": trend_chart(summary.runs),
                    "duplicates_url": reverse("quality_duplicates"),
                }
            )
        return context

    # --- The export: the whole filtered worklist, a chunk of records at a time ------------------

    def worklist_rows(self, queryset) -> Iterator[list]:
        """The header, then one row per record, every text cell neutralised against formulas
        (a name such as ``=HYPERLINK(...)`` stays text). Records are read in chunks, each with
        its problems in one more query."""
        yield [
            _("Organisation"),
            _("Worst problem"),
            _("Severe problems"),
            _("Warnings"),
            _("Notices"),
            _("Problems"),
            _("Sector"),
            _("Curator"),
            _("Next review due"),
            _("Last verified"),
            _("Edit"),
        ]
        # The columns the rows need, not the records' long texts.
        records = queryset.only(*EXPORT_FIELDS).iterator(chunk_size=EXPORT_CHUNK)
        while chunk := list(islice(records, EXPORT_CHUNK)):
            for organisation in self.decorate(chunk):
                severities = Counter(problem.severity for problem in organisation.problems)
                messages = dict.fromkeys(str(problem.message) for problem in organisation.problems)
                verified = organisation.last_verified_at
                row = [
                    organisation.name,
                    _worst_label(organisation),
                    severities[Severity.SEVERE],
                    severities[Severity.WARNING],
                    severities[Severity.NOTICE],
                    "\n".join(messages),
                    organisation.sector_name,
                    _curator_name(organisation),
                    organisation.next_review_due,
                    timezone.localtime(verified).date() if verified else None,
                    self.request.build_absolute_uri(
                        reverse(
                            "wagtailsnippets_organisations_organisation:edit",
                            args=[organisation.pk],
                        )
                    ),
                ]
                yield [neutralise_formula(value) for value in row]

    def write_xlsx(self, queryset, output):
        write_xlsx([(_("Worklist"), self.worklist_rows(queryset))], output)

    def stream_csv(self, queryset):
        writer = csv.writer(Echo())
        for row in self.worklist_rows(queryset):
            yield writer.writerow(["" if value is None else value for value in row])


class QualityReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("quality/", QualityReportView.as_view(), name="quality_report"),
        path(
            "quality/results/",
            QualityReportView.as_view(results_only=True),
            name="quality_report_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def quality_report_menu_item():
    return QualityReportMenuItem(
        gettext_lazy("Data quality"),
        reverse("quality_report"),
        name="data-quality",
        icon_name="warning",
        order=100,
    )

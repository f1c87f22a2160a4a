"""The figures out to files: a report of the 211 to a workbook (admin), a year's public figures
to CSV (open data).

The open data hold exactly the figures the public pages show (``published``), withheld ones as
``<5`` (fewer than 5) or ``x`` (withheld so that a small figure cannot be subtracted out), under
the licence of the directory's open data (``REPERTOIRE_OPEN_DATA_LICENSE``).
"""

from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from organisations.lib.spreadsheets import write_xlsx
from organisations.models import Territory
from organisations.search import Reference, reference

from .charts import Change, Share, Table
from .disclosure import SMALL
from .models import Reason
from .published import ALL, NEEDS, REASONS, REQUESTS, UNMET, YEAR, Figure, Year
from .reports import Report

# --- The report's workbook -------------------------------------------------------------------------


def report_xlsx(report: Report, stream) -> None:
    """``report``'s tables, one sheet each, after a sheet saying what was counted."""
    about = [
        [pgettext("portraits", "Territory"), report.place_name],
        [pgettext("portraits", "Period"), str(report.period)],
        [pgettext("portraits", "Compared with"), str(report.period.previous)],
        [pgettext("portraits", "Communications"), report.communications],
        [pgettext("portraits", "Needs expressed"), report.needs],
    ]
    write_xlsx(
        [
            (pgettext("portraits", "Report"), about),
            *((title, _table_rows(table)) for title, table in report.sheets),
        ],
        stream,
    )


def _table_rows(table: Table):
    def rows(sheet):
        yield list(table.columns)
        for row in table.rows:
            yield ["    " * row.level + row.header, *(_cell(sheet, c) for c in row.cells)]

    return rows


def _cell(sheet, value):
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, Figure):
        return value.value if value.shown else str(value)
    if isinstance(value, (Change, Share)):
        if value.percent is None:
            return None
        cell = WriteOnlyCell(sheet, value=round(value.percent / 100, 4))
        cell.number_format = "0.0%"
        return cell
    return value


# --- The open data ---------------------------------------------------------------------------------

_KIND_ORDER = [
    Territory.Kind.REGION,
    Territory.Kind.SECTOR,
    Territory.Kind.MUNICIPALITY,
    Territory.Kind.BOROUGH,
    Territory.Kind.DISTRICT,
]


def _marked(figure: Figure) -> str | int:
    if figure.shown:
        return figure.value
    return "<5" if figure.withheld == SMALL else "x"


def open_data_rows(figures: Year, known: Reference | None = None) -> Iterator[list]:
    """The header, then one row per period (each month, then the year), territory and need:
    every need and each family of needs by month; for the year, each need under its family
    too. Communications on the rows of every need; unmet needs by reason on the year's rows."""
    known = known or reference()
    reasons = dict(Reason.choices)
    yield [
        pgettext("portraits", "Period"),
        _("Territory code"),
        pgettext("portraits", "Territory"),
        _("Kind of territory"),
        _("Part of"),
        _("Need code"),
        pgettext("portraits", "Need"),
        _("Family of needs"),
        pgettext("portraits", "Communications"),
        pgettext("portraits", "Needs expressed"),
        pgettext("portraits", "Unmet needs"),
        *(_("Unmet: %(reason)s") % {"reason": str(reasons[r]).lower()} for r in REASONS),
    ]
    territories = sorted(
        known.territories, key=lambda t: (_KIND_ORDER.index(t.kind), t.name.casefold())
    )
    families = [(family, children) for family, children in known.families]
    for time in [*figures.layout.months, YEAR]:
        period = str(figures.year) if time == YEAR else f"{time:%Y-%m}"
        needs: list[tuple] = [(ALL, "*", pgettext("portraits", "All needs"), "")]
        needs += [(f.pk, f.code, f.name, f.code) for f, _children in families]
        if time == YEAR:
            for family, children in families:
                if not children:
                    continue
                needs += [(c.pk, c.code, c.name, family.code) for c in children]
                needs.append(
                    (
                        ("family", family.pk),
                        f"{family.code}:non-precise",
                        _("%(family)s, not more precise") % {"family": family.name},
                        family.code,
                    )
                )
        for territory in territories:
            parent = known.territories_by_pk.get(territory.parent_id)

            def get(measure, need, reason=ALL, territory=territory, time=time):
                return _marked(figures.figure(territory.pk, (measure, need, time, reason)))

            place = [
                period,
                territory.slug,
                str(territory),
                str(Territory.Kind(territory.kind).label),
                parent.slug if parent else "",
            ]
            for need, code, name, family_code in needs:
                yield [
                    *place,
                    code,
                    name,
                    family_code,
                    get(REQUESTS, ALL) if need == ALL else "",
                    get(NEEDS, need),
                    get(UNMET, need),
                    *(get(UNMET, need, reason) if time == YEAR else "" for reason in REASONS),
                ]

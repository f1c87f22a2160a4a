"""A territory's public portrait for a year: what people asked the 211 for there and how it
changed, what went unmet and why, and beside each need what the directory offers there.

Plain data for the public site's page (``cms/portraits_page.py``), read from the year's public
figures (``published``: small figures already withheld, the same on every page and in the open
data) and the search index (``supply``). No figure is computed here that the published ones do
not already give: a change from last year is between two published figures, or nothing.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from organisations.models import Category, Territory
from organisations.search import Reference, reference

from .charts import Bar, Change, Chart, Row, Table, change, scaled
from .models import Reason
from .published import (
    ALL,
    NEEDS,
    REASONS,
    REQUESTS,
    UNMET,
    YEAR,
    Figure,
    Span,
    Year,
    span,
    year_figures,
)
from .supply import organisations_serving

TOP = 10


@dataclass
class Headline:
    label: str
    figure: Figure
    previous: Figure | None
    change: Change


@dataclass
class Portrait:
    territory: Territory
    year: int
    months: list[date]
    family: Category | None
    headlines: list[Headline]
    charts: list[Chart]
    complete: bool  # the year's twelve months are all public
    # The needs (or the needs of the family) with few organisations for many unmet needs.
    little_supply: list[tuple[str, Figure, int]] = field(default_factory=list)

    @property
    def period(self) -> str:
        if self.complete:
            return str(self.year)
        first = formats.date_format(self.months[0], "YEAR_MONTH_FORMAT")
        last = formats.date_format(self.months[-1], "YEAR_MONTH_FORMAT")
        if first == last:
            return first
        return _("%(first)s to %(last)s") % {"first": first, "last": last}


def _shifted(month: date) -> date:
    return month.replace(year=month.year - 1)


class _Figures:
    """One territory's figures of a year, and the same figures a year earlier when the two can
    be compared without computing anything the published figures do not give."""

    def __init__(self, territory: Territory, now: Year, before: Year | None):
        self.territory, self.now, self.before = territory, now, before
        months = now.layout.months
        self.same_months = before is not None and before.layout.months == [
            _shifted(m) for m in months
        ]
        # An unfinished year against the same months of the year before: a sum of published
        # monthly figures (all shown) gives nothing away.
        self.within = before is not None and all(
            _shifted(m) in before.layout.months for m in months
        )

    def get(self, measure: str, need=ALL, time=YEAR, reason=ALL) -> Figure:
        return self.now.figure(self.territory.pk, (measure, need, time, reason))

    def previous(self, measure: str, need=ALL, time=YEAR, reason=ALL) -> Figure | None:
        before = self.before
        if before is None:
            return None
        if time != YEAR:
            key = (measure, need, _shifted(time), reason)
            return before.figure(self.territory.pk, key) if key in before.index else None
        if self.same_months:
            return before.figure(self.territory.pk, (measure, need, YEAR, reason))
        monthly = [(measure, need, _shifted(m), reason) for m in self.now.layout.months]
        if not self.within or any(key not in before.index for key in monthly):
            return None
        figures = [before.figure(self.territory.pk, key) for key in monthly]
        if not all(f.shown for f in figures):
            return None
        return Figure(sum(f.value for f in figures))


def portrait(
    territory: Territory,
    year: int,
    family: Category | None = None,
    *,
    within: Span | None = None,
    known: Reference | None = None,
) -> "Portrait | None":
    """The portrait of ``territory`` in ``year``, of every need or of one ``family`` of needs
    (``None`` when the year has no public figures), ``within`` the months public now."""
    known = known or reference()
    within = within or span()
    now = year_figures(year, within, known)
    if now is None:
        return None
    figures = _Figures(territory, now, year_figures(year - 1, within, known))
    supply = organisations_serving(territory.pk, known)
    need = family.pk if family else ALL
    headlines = []
    if family is None:
        headlines.append(_headline(pgettext("portraits", "Communications"), figures, REQUESTS))
    headlines += [
        _headline(pgettext("portraits", "Needs expressed"), figures, NEEDS, need),
        _headline(pgettext("portraits", "Unmet needs"), figures, UNMET, need),
    ]
    rows = _need_rows(family, known)
    charts = [
        _needs_chart(figures, rows, supply, family, known),
        _months_chart(figures, need, family),
        _unmet_chart(figures, family, known),
    ]
    return Portrait(
        territory=territory,
        year=year,
        months=now.layout.months,
        family=family,
        headlines=headlines,
        charts=charts,
        complete=len(now.layout.months) == 12,
        little_supply=_little_supply(figures, rows, supply),
    )


def _headline(label: str, figures: _Figures, measure: str, need=ALL) -> Headline:
    figure, previous = figures.get(measure, need), figures.previous(measure, need)
    return Headline(label, figure, previous, change(figure, previous))


@dataclass
class _NeedRow:
    key: object  # the figures' need key
    label: str
    category: int  # the need whose organisations the directory counts
    level: int = 0


def _need_rows(family: Category | None, known: Reference) -> list[_NeedRow]:
    """The rows of the needs tables: every family, or the needs of ``family`` (with the family
    recorded without a more precise need)."""
    if family is None:
        return [_NeedRow(f.pk, f.name, f.pk) for f, _children in known.families]
    children = known.needs.children.get(family.pk, [])
    if not children:
        return [_NeedRow(family.pk, family.name, family.pk)]
    rows = [
        _NeedRow(pk, known.categories_by_pk[pk].name, pk, level=1)
        for pk in sorted(children, key=lambda pk: known.categories_by_pk[pk].sort_order)
    ]
    rows.append(
        _NeedRow(
            ("family", family.pk),
            _("%(family)s, not more precise") % {"family": family.name},
            family.pk,
            level=1,
        )
    )
    return rows


def _needs_chart(figures, rows, supply, family, known) -> Chart:
    place = figures.territory
    need = family.pk if family else ALL
    table_rows, bars, ranked = [], [], []
    for row in rows:
        now, before = figures.get(NEEDS, row.key), figures.previous(NEEDS, row.key)
        unmet = figures.get(UNMET, row.key)
        table_rows.append(
            Row(
                row.label,
                [now, before or "—", change(now, before), unmet, supply[row.category]],
                level=row.level,
            )
        )
        bars.append(Bar(row.label, now, previous=before, level=row.level))
        if now.shown:
            ranked.append((now.value, row))
    total, total_before = figures.get(NEEDS, need), figures.previous(NEEDS, need)
    table_rows.append(
        Row(
            family.name if family else pgettext("portraits", "All needs"),
            [
                total,
                total_before or "—",
                change(total, total_before),
                figures.get(UNMET, need),
                supply[family.pk if family else None],
            ],
            total=True,
        )
    )
    if ranked:
        count, top = max(ranked, key=lambda item: item[0])
        summary = _(
            "%(need)s is the need most often expressed (%(count)s); %(organisations)s "
            "organisations of the directory offer it in %(place)s."
        ) % {
            "need": top.label,
            "count": formats.number_format(count, force_grouping=True),
            "organisations": formats.number_format(supply[top.category], force_grouping=True),
            "place": place,
        }
    else:
        summary = _("Each need was expressed fewer than 5 times: too few to be shown one by one.")
    return Chart(
        slug="needs",
        title=_("Needs expressed and what the directory offers"),
        summary=summary,
        bars=scaled(bars),
        table=Table(
            columns=[
                pgettext("portraits", "Need"),
                pgettext("portraits", "Needs expressed"),
                pgettext("portraits", "A year earlier"),
                pgettext("portraits", "Change"),
                pgettext("portraits", "Unmet"),
                _("Organisations in the directory"),
            ],
            rows=table_rows,
        ),
        series=(pgettext("portraits", "This year"), pgettext("portraits", "A year earlier")),
        note=_(
            "Organisations in the directory: public organisations with a service for this need "
            "that serve %(place)s, a place inside it or around it, or are located there."
        )
        % {"place": place},
    )


def _months_chart(figures: _Figures, need, family) -> Chart:
    rows, bars = [], []
    shown = []
    for month in figures.now.layout.months:
        label = formats.date_format(month, "YEAR_MONTH_FORMAT")
        now = figures.get(NEEDS, need, month)
        before = figures.previous(NEEDS, need, month)
        cells = [now, before or "—", change(now, before)]
        if family is None:
            cells.append(figures.get(REQUESTS, ALL, month))
        rows.append(Row(label, cells))
        bars.append(Bar(label, now, previous=before))
        if now.shown:
            shown.append((now.value, label))
    total, before = figures.get(NEEDS, need), figures.previous(NEEDS, need)
    if shown:
        count, label = max(shown)
        summary = _("Needs were expressed most often in %(month)s (%(count)s).") % {
            "month": label,
            "count": formats.number_format(count, force_grouping=True),
        }
        moved = change(total, before)
        if moved.percent is not None:
            summary += " " + _("Over the period: %(change)s on a year earlier.") % {"change": moved}
    else:
        summary = _("Fewer than 5 needs a month: too few to be shown month by month.")
    columns = [
        pgettext("portraits", "Month"),
        pgettext("portraits", "Needs expressed"),
        pgettext("portraits", "A year earlier"),
        pgettext("portraits", "Change"),
    ]
    if family is None:
        columns.append(pgettext("portraits", "Communications"))
    return Chart(
        slug="months",
        title=_("Month by month"),
        summary=summary,
        bars=scaled(bars),
        table=Table(columns=columns, rows=rows),
        series=(pgettext("portraits", "This year"), pgettext("portraits", "A year earlier")),
    )


def _recorded_rows(family: Category | None, known: Reference) -> list[_NeedRow]:
    """The needs as agents record them (a need, or a family without a more precise need)."""
    rows = []
    for f, children in known.families:
        if family is not None and f.pk != family.pk:
            continue
        if not children:
            rows.append(_NeedRow(f.pk, f.name, f.pk))
            continue
        rows += [_NeedRow(c.pk, c.name, c.pk, level=1) for c in children]
        rows.append(
            _NeedRow(
                ("family", f.pk),
                _("%(family)s, not more precise") % {"family": f.name},
                f.pk,
                level=1,
            )
        )
    return rows


def _unmet_chart(figures: _Figures, family, known) -> Chart:
    reasons = dict(Reason.choices)
    recorded = _recorded_rows(family, known)
    shown = sorted(
        (row for row in recorded if figures.get(UNMET, row.key).shown),
        key=lambda row: -figures.get(UNMET, row.key).value,
    )
    # A family's needs are a fixed list: the withheld ones are listed too, in their order.
    withheld = [row for row in recorded if row not in shown]
    listed = shown if family is None else shown + withheld
    table_rows = [
        Row(
            row.label,
            [
                figures.get(UNMET, row.key),
                *(figures.get(UNMET, row.key, YEAR, reason) for reason in REASONS),
            ],
        )
        for row in listed
    ]
    need = family.pk if family else ALL
    if family is None and len(listed) < len(recorded):
        table_rows.append(Row(_("Every other need: fewer than 5 or withheld, each"), [""] * 8))
    table_rows.append(
        Row(
            family.name if family else pgettext("portraits", "All needs"),
            [
                figures.get(UNMET, need),
                *(figures.get(UNMET, need, YEAR, reason) for reason in REASONS),
            ],
            total=True,
        )
    )
    bars = [Bar(row.label, figures.get(UNMET, row.key)) for row in shown[:TOP]]
    if shown:
        top = shown[0]
        summary = _("The need most often unmet was %(need)s (%(count)s).") % {
            "need": top.label,
            "count": figures.get(UNMET, top.key),
        }
        why = [
            (figures.get(UNMET, top.key, YEAR, reason), reason)
            for reason in REASONS
            if figures.get(UNMET, top.key, YEAR, reason).shown
        ]
        if why:
            count, reason = max(why, key=lambda item: item[0].value)
            summary += " " + _("The most frequent reason: %(reason)s (%(count)s).") % {
                "reason": str(reasons[reason]).lower(),
                "count": count,
            }
    else:
        summary = _("Each need went unmet fewer than 5 times: too few to be shown one by one.")
    return Chart(
        slug="unmet",
        title=_("Unmet needs, and why"),
        summary=summary,
        bars=scaled(bars),
        table=Table(
            columns=[
                pgettext("portraits", "Need"),
                pgettext("portraits", "Unmet"),
                *(str(reasons[r]) for r in REASONS),
            ],
            rows=table_rows,
        ),
        note=_(
            "A need is unmet when no service could answer it: not available in the territory, "
            "eligibility not met, cost too high, schedule unsuitable, waiting list full, language "
            "barrier or no transport."
        ),
    )


def _little_supply(figures: _Figures, rows, supply) -> list[tuple[str, Figure, int]]:
    """The needs where demand meets little supply: more unmet needs than organisations of the
    directory serving the territory for them (published figures only), the most unmet per
    organisation first, three at most."""
    found = []
    for row in rows:
        unmet = figures.get(UNMET, row.key)
        if unmet.shown and unmet.value >= supply[row.category]:
            found.append((unmet.value / max(supply[row.category], 1), row, unmet))
    found.sort(key=lambda item: -item[0])
    return [(row.label, unmet, supply[row.category]) for _ratio, row, unmet in found[:3]]

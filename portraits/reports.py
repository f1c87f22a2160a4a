"""The 211's reports on requests (admin): the tables of its annual report for any period of
whole months and any territory, each with the same months a year earlier.

Exact figures: the reports are for the 211's own staff, who may see every count (the public
portraits, ``published``, withhold small ones). Read from the monthly counts (``counts``), never
from the requests: three grouped queries whatever the number of requests, the previous year's
months read with the period's. A territory's figures include the places inside it, as the
counts hold them; with no territory, every request, from outside the region too.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

from django.db.models import Q, Sum
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from organisations.models import Territory
from organisations.search import Reference, reference

from .charts import Bar, Chart, Row, Share, Table, change, exact, scaled
from .models import Channel, Language, MonthlyNeedCount, MonthlyRequestCount, Outcome, Reason
from .published import counts_generation, keep, last_complete_month, recall

TOP = 10


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Whole months, from ``start`` to ``end`` (first days of months, both included)."""

    start: date
    end: date

    @property
    def months(self) -> list[date]:
        count = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
        return [add_months(self.start, i) for i in range(count)]

    @property
    def previous(self) -> "Period":
        """The same months a year earlier."""
        return Period(add_months(self.start, -12), add_months(self.end, -12))

    def __contains__(self, month: date) -> bool:
        return self.start <= month <= self.end

    def __str__(self) -> str:
        first = formats.date_format(self.start, "YEAR_MONTH_FORMAT")
        if self.start == self.end:
            return first
        last = formats.date_format(self.end, "YEAR_MONTH_FORMAT")
        return _("%(first)s to %(last)s") % {"first": first, "last": last}


def month_label(month: date) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


# --- The counts ------------------------------------------------------------------------------------


@dataclass
class Month:
    """What the reports count of one month in one territory: communications by (channel,
    language), needs by (need as recorded, outcome, reason), communications by place inside."""

    requests: Counter = field(default_factory=Counter)
    needs: Counter = field(default_factory=Counter)
    places: Counter = field(default_factory=Counter)


@dataclass
class Totals:
    """A period's counts, added up the ways the report shows them."""

    by_month: Counter = field(default_factory=Counter)  # communications
    needs_by_month: Counter = field(default_factory=Counter)
    channels: Counter = field(default_factory=Counter)
    languages: Counter = field(default_factory=Counter)
    needs: Counter = field(default_factory=Counter)  # by need as recorded
    outcomes: Counter = field(default_factory=Counter)
    unmet: dict = field(default_factory=lambda: defaultdict(Counter))  # need: reasons
    reasons: Counter = field(default_factory=Counter)
    places: Counter = field(default_factory=Counter)

    @classmethod
    def of(cls, months: dict[date, Month], period: Period) -> "Totals":
        totals = cls()
        for month in period.months:
            counted = months.get(month)
            if counted is None:
                continue
            for (channel, language), n in counted.requests.items():
                totals.by_month[month] += n
                totals.channels[channel] += n
                totals.languages[language] += n
            for (category, outcome, reason), n in counted.needs.items():
                totals.needs_by_month[month] += n
                totals.needs[category] += n
                totals.outcomes[outcome] += n
                if outcome == Outcome.UNMET:
                    totals.unmet[category][reason] += n
                    totals.reasons[reason] += n
            totals.places.update(counted.places)
        return totals

    @property
    def communications(self) -> int:
        return sum(self.by_month.values())

    @property
    def needs_expressed(self) -> int:
        return sum(self.needs.values())


def _where(territory: Territory | None, known: Reference) -> Q:
    if territory is not None:
        return Q(territory_id=territory.pk)
    region = next(t for t in known.territories if t.kind == Territory.Kind.REGION)
    return Q(territory_id=region.pk) | Q(territory__isnull=True)


def places_inside(territory: Territory | None, known: Reference) -> list[int]:
    """The places a report ranks: the smallest places inside ``territory`` (the boroughs of
    Montréal, the districts of Laval, the municipalities elsewhere), which do not overlap."""
    if territory is None:
        territory = next(t for t in known.territories if t.kind == Territory.Kind.REGION)
    return [pk for pk in known.places.down(territory.pk) if not known.places.children.get(pk)]


def months_read(
    territory: Territory | None, months: list[date], known: Reference
) -> dict[date, Month]:
    """The counts of ``months`` in ``territory`` (``None``: every request).

    A month that ended before the last complete one is kept (``published.keep``, for
    ``PORTRAITS_CACHE_SECONDS`` and until the next import of past requests): only an import
    changes its counts. The others, and those not kept, are read in three grouped queries."""
    closed_before = last_complete_month()
    generation = counts_generation()
    place = territory.pk if territory is not None else "all"
    keys = {
        month: ("report", generation, place, month.isoformat())
        for month in months
        if month < closed_before
    }
    kept = recall(list(keys.values()))
    found = {month: kept[key] for month, key in keys.items() if key in kept}
    missing = [month for month in months if month not in found]
    if not missing:
        return found
    read = {month: Month() for month in missing}
    where = _where(territory, known) & Q(month__in=missing)
    for month, channel, language, total in (
        MonthlyRequestCount.objects.filter(where)
        .values_list("month", "channel", "language")
        .annotate(total=Sum("count"))
        .order_by()
    ):
        read[month].requests[(channel, language)] += total
    for month, category, outcome, reason, total in (
        MonthlyNeedCount.objects.filter(where)
        .values_list("month", "category_id", "outcome", "reason")
        .annotate(total=Sum("count"))
        .order_by()
    ):
        read[month].needs[(category, outcome, reason)] += total
    where_inside = Q(territory_id__in=places_inside(territory, known))
    if territory is None:
        where_inside |= Q(territory__isnull=True)
    for inside, month, total in (
        MonthlyRequestCount.objects.filter(where_inside, month__in=missing)
        .values_list("territory_id", "month")
        .annotate(total=Sum("count"))
        .order_by()
    ):
        read[month].places[inside] += total
    keep({keys[month]: read[month] for month in missing if month in keys})
    return {**found, **read}


# --- The report ------------------------------------------------------------------------------------


@dataclass
class Report:
    territory: Territory | None
    period: Period
    communications: int
    needs: int
    charts: list[Chart]
    # Every row of every table, for the spreadsheet (the charts show the first ten of some).
    sheets: list[tuple[str, Table]]

    @property
    def place_name(self) -> str:
        return str(self.territory) if self.territory else _("All requests")


def _share(part: int, whole: int) -> Share:
    return Share(part, whole)


def needs_report(*, territory: Territory | None, period: Period) -> Report:
    """The report for ``territory`` (``None``: every request) and ``period``, each figure
    beside the same months' a year earlier."""
    known = reference()
    months = months_read(territory, period.previous.months + period.months, known)
    now, then = Totals.of(months, period), Totals.of(months, period.previous)
    charts = [
        _overview(now, then, period),
        _by_month(now, then, period),
        _by_need(now, then, known),
        _by_place(now, then, known),
        _unmet(now, then, known),
        _by_choice(
            "reasons",
            _("Why needs went unmet"),
            now.reasons,
            then.reasons,
            dict(Reason.choices),
            sum(now.reasons.values()),
            empty=_("No need went unmet in this period."),
            column=pgettext("portraits", "Reason"),
            counted=pgettext("portraits", "Unmet needs"),
        ),
        _by_choice(
            "channels",
            _("Communications by channel"),
            now.channels,
            then.channels,
            dict(Channel.choices),
            now.communications,
            column=pgettext("portraits", "Channel"),
        ),
        _by_choice(
            "languages",
            _("Communications by language of service"),
            now.languages,
            then.languages,
            dict(Language.CHOICES),
            now.communications,
            column=pgettext("portraits", "Language"),
        ),
    ]
    # Every row in the spreadsheet; the first ten of the ranked ones on the screen.
    sheets = [(chart.title, chart.table) for chart in charts]
    charts[3] = _first(
        charts[3], ngettext("The top territory", "The top %(count)s territories", TOP)
    )
    charts[4] = _first(
        charts[4],
        ngettext("The need most often unmet", "The %(count)s needs most often unmet", TOP),
    )
    return Report(
        territory=territory,
        period=period,
        communications=now.communications,
        needs=now.needs_expressed,
        charts=charts,
        sheets=sheets,
    )


def _first(chart: Chart, title: str) -> Chart:
    """The chart of a ranking cut to its first ``TOP`` rows."""
    return replace(
        chart,
        title=title % {"count": TOP},
        bars=chart.bars[:TOP],
        table=Table(columns=chart.table.columns, rows=chart.table.rows[:TOP]),
    )


def _overview(now: Totals, then: Totals, period: Period) -> Chart:
    outcomes = dict(Outcome.choices)
    items = [
        (pgettext("portraits", "Communications"), now.communications, then.communications),
        (pgettext("portraits", "Needs expressed"), now.needs_expressed, then.needs_expressed),
    ] + [
        (str(outcomes[outcome]), now.outcomes[outcome], then.outcomes[outcome])
        for outcome in (Outcome.REFERRED, Outcome.INFORMATION, Outcome.UNMET)
    ]
    table = Table(
        columns=[
            pgettext("portraits", "Figure"),
            str(period),
            str(period.previous),
            pgettext("portraits", "Change"),
        ],
        rows=[
            Row(label, [exact(a), exact(b), change(a, b)], level=1 if i > 1 else 0)
            for i, (label, a, b) in enumerate(items)
        ],
    )
    if now.communications:
        summary = _(
            "%(period)s: %(communications)s communications and %(needs)s needs expressed "
            "(%(change)s on the same months a year earlier); %(unmet)s of the needs went unmet."
        ) % {
            "period": period,
            "communications": exact(now.communications),
            "needs": exact(now.needs_expressed),
            "change": change(now.communications, then.communications),
            "unmet": _share(now.outcomes[Outcome.UNMET], now.needs_expressed),
        }
    else:
        summary = _("No communication was counted in this period.")
    return Chart(
        slug="overview",
        title=_("Communications and needs expressed"),
        summary=summary,
        bars=scaled([Bar(label, exact(a), previous=exact(b)) for label, a, b in items]),
        table=table,
        series=(str(period), str(period.previous)),
    )


def _by_month(now: Totals, then: Totals, period: Period) -> Chart:
    rows, bars = [], []
    for month in period.months:
        earlier = add_months(month, -12)
        a, b = now.by_month[month], then.by_month[earlier]
        rows.append(
            Row(
                month_label(month),
                [
                    exact(a),
                    exact(b),
                    change(a, b),
                    exact(now.needs_by_month[month]),
                    exact(then.needs_by_month[earlier]),
                ],
            )
        )
        bars.append(Bar(month_label(month), exact(a), previous=exact(b)))
    busiest = max(period.months, key=lambda m: now.by_month[m])
    summary = (
        _("The busiest month was %(month)s, with %(count)s communications.")
        % {"month": month_label(busiest), "count": exact(now.by_month[busiest])}
        if now.by_month[busiest]
        else _("No communication was counted in this period.")
    )
    return Chart(
        slug="months",
        title=_("By month"),
        summary=summary,
        bars=scaled(bars),
        table=Table(
            columns=[
                pgettext("portraits", "Month"),
                pgettext("portraits", "Communications"),
                pgettext("portraits", "A year earlier"),
                pgettext("portraits", "Change"),
                pgettext("portraits", "Needs expressed"),
                _("Needs a year earlier"),
            ],
            rows=rows,
        ),
        series=(pgettext("portraits", "This period"), pgettext("portraits", "A year earlier")),
    )


def _by_need(now: Totals, then: Totals, known: Reference) -> Chart:
    total, total_before = now.needs_expressed, then.needs_expressed

    def row(label: str, a: int, b: int, **kwargs) -> Row:
        return Row(label, [exact(a), _share(a, total), exact(b), change(a, b)], **kwargs)

    rows, bars, ranked = [], [], []
    for family, children in known.families:
        pks = [family.pk, *(child.pk for child in children)]
        a = sum(now.needs[pk] for pk in pks)
        b = sum(then.needs[pk] for pk in pks)
        ranked.append((a, family.name))
        rows.append(row(family.name, a, b))
        bars.append(Bar(family.name, exact(a), previous=exact(b)))
        if children:
            rows += [row(c.name, now.needs[c.pk], then.needs[c.pk], level=1) for c in children]
            rows.append(
                row(
                    _("%(family)s, not more precise") % {"family": family.name},
                    now.needs[family.pk],
                    then.needs[family.pk],
                    level=1,
                )
            )
    rows.append(row(pgettext("portraits", "All needs"), total, total_before, total=True))
    top_count, top_name = max(ranked, default=(0, ""))
    summary = (
        _(
            "%(family)s is the family of needs most often expressed: %(count)s needs, "
            "%(share)s of all."
        )
        % {"family": top_name, "count": exact(top_count), "share": _share(top_count, total)}
        if top_count
        else _("No need was expressed in this period.")
    )
    return Chart(
        slug="needs",
        title=_("Needs by category"),
        summary=summary,
        bars=scaled(bars),
        table=Table(
            columns=[
                pgettext("portraits", "Need"),
                pgettext("portraits", "Needs expressed"),
                pgettext("portraits", "Share"),
                pgettext("portraits", "A year earlier"),
                pgettext("portraits", "Change"),
            ],
            rows=rows,
        ),
        series=(pgettext("portraits", "This period"), pgettext("portraits", "A year earlier")),
    )


def _by_place(now: Totals, then: Totals, known: Reference) -> Chart:
    total = now.communications
    ranked = sorted(
        (place for place, n in now.places.items() if n),
        key=lambda place: (-now.places[place], _place_name(place, known)),
    )
    rows = [
        Row(
            _place_name(place, known),
            [
                exact(now.places[place]),
                _share(now.places[place], total),
                exact(then.places[place]),
                change(now.places[place], then.places[place]),
            ],
        )
        for place in ranked
    ]
    bars = [Bar(_place_name(place, known), exact(now.places[place])) for place in ranked]
    summary = (
        _("%(place)s had the most communications: %(count)s, %(share)s of the total.")
        % {
            "place": _place_name(ranked[0], known),
            "count": exact(now.places[ranked[0]]),
            "share": _share(now.places[ranked[0]], total),
        }
        if ranked
        else _("No communication was counted in the places inside this territory.")
    )
    return Chart(
        slug="places",
        title=pgettext("portraits", "Territories"),
        summary=summary,
        bars=scaled(bars),
        table=Table(
            columns=[
                pgettext("portraits", "Territory"),
                pgettext("portraits", "Communications"),
                pgettext("portraits", "Share"),
                pgettext("portraits", "A year earlier"),
                pgettext("portraits", "Change"),
            ],
            rows=rows,
        ),
        note=_(
            "Places that do not overlap: boroughs, districts and municipalities. A request "
            "recorded for a municipality without its borough counts in no borough."
        ),
    )


def _place_name(place: int | None, known: Reference) -> str:
    if place is None:
        return _("Outside the region")
    return str(known.territories_by_pk[place])


def _unmet(now: Totals, then: Totals, known: Reference) -> Chart:
    def count(totals: Totals, category: int) -> int:
        return sum(totals.unmet[category].values()) if category in totals.unmet else 0

    ranked = sorted(
        (category for category in now.unmet if count(now, category)),
        key=lambda c: (-count(now, c), known.categories_by_pk[c].sort_order),
    )
    reasons = Reason.choices
    rows = [
        Row(
            known.categories_by_pk[category].name,
            [
                exact(count(now, category)),
                exact(count(then, category)),
                change(count(now, category), count(then, category)),
                *(exact(now.unmet[category][code]) for code, _label in reasons),
            ],
        )
        for category in ranked
    ]
    bars = [Bar(known.categories_by_pk[c].name, exact(count(now, c))) for c in ranked]
    if ranked:
        first = now.unmet[ranked[0]]
        reason = first.most_common(1)[0][0]
        summary = _(
            "The need most often unmet was %(need)s (%(count)s), most often because: %(reason)s."
        ) % {
            "need": known.categories_by_pk[ranked[0]].name,
            "count": exact(count(now, ranked[0])),
            "reason": str(dict(reasons).get(reason, reason)).lower(),
        }
    else:
        summary = _("No need went unmet in this period.")
    return Chart(
        slug="unmet",
        title=pgettext("portraits", "Unmet needs"),
        summary=summary,
        bars=scaled(bars),
        table=Table(
            columns=[
                pgettext("portraits", "Need"),
                pgettext("portraits", "Unmet"),
                pgettext("portraits", "A year earlier"),
                pgettext("portraits", "Change"),
                *(str(label) for _code, label in reasons),
            ],
            rows=rows,
        ),
    )


def _by_choice(
    slug: str,
    title: str,
    now: Counter,
    then: Counter,
    labels: dict,
    total: int,
    *,
    empty: str = "",
    column: str = "",
    counted: str = "",
) -> Chart:
    """A chart of counts by one of a few choices (channel, language, reason): the choices
    counted, most first, then the others in their own order."""
    order = list(labels)
    shown = sorted(
        (code for code in order if now[code] or then[code]),
        key=lambda code: (-now[code], order.index(code)),
    )
    rows = [
        Row(
            str(labels[code]),
            [
                exact(now[code]),
                _share(now[code], total),
                exact(then[code]),
                change(now[code], then[code]),
            ],
        )
        for code in shown
    ]
    bars = [Bar(str(labels[code]), exact(now[code]), previous=exact(then[code])) for code in shown]
    if shown and now[shown[0]]:
        summary = _("%(choice)s comes first: %(count)s, %(share)s of the total.") % {
            "choice": labels[shown[0]],
            "count": exact(now[shown[0]]),
            "share": _share(now[shown[0]], total),
        }
    else:
        summary = empty or _("No communication was counted in this period.")
    return Chart(
        slug=slug,
        title=title,
        summary=summary,
        bars=scaled(bars),
        table=Table(
            columns=[
                column or title,
                counted or pgettext("portraits", "Communications"),
                pgettext("portraits", "Share"),
                pgettext("portraits", "A year earlier"),
                pgettext("portraits", "Change"),
            ],
            rows=rows,
        ),
        series=(pgettext("portraits", "This period"), pgettext("portraits", "A year earlier")),
    )

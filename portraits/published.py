"""The public figures of the portraits: one table of counts per year, with the figures that
may not be shown withheld (``disclosure``), which every public page and the open data read.

For each year (its complete months only: a figure that moves while one watches would tell when
a request was recorded) and each territory of the directory (its own requests and those of the
places inside it, as the monthly counts hold them):

- communications, by month and for the year;
- needs expressed, all needs and each family of needs, by month and for the year; for the year,
  each need under a family, and the family's needs recorded without a more precise need;
- unmet needs the same way, and for the year by reason unmet.

A year's figures are withheld together, over all territories at once, because pages and files
put them side by side: a borough and its municipality, a family and its needs, a year and its
months are sums of one another. Working out a year takes a second or two at five years of
requests; the result is kept, compact, in the process and in the cache until the month ends or
``PORTRAITS_CACHE_SECONDS`` (an hour) pass, so that a page reads it for nothing.
"""

import time
from array import array
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Min, Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext

from organisations.search import Reference, reference

from .disclosure import COMPLEMENT, SMALL, THRESHOLD, suppress
from .models import (
    MonthlyNeedCount,
    MonthlyRequestCount,
    Outcome,
    Reason,
    RequestImport,
    month_of,
)

ALL = "*"  # every need, or every reason
YEAR = "year"  # the time of a year's total
REQUESTS, NEEDS, UNMET = "requests", "needs", "unmet"
REASONS = [code for code, _label in Reason.choices]

CACHE_SECONDS = 3_600
# How a withheld figure is kept in a territory's row of values.
_SMALL, _COMPLEMENT = -1, -2


@dataclass(frozen=True)
class Figure:
    """A public figure: its value, or why it is withheld (``disclosure.SMALL``: under 5;
    ``COMPLEMENT``: withheld so that a small figure cannot be subtracted out)."""

    value: int | None
    withheld: str = ""

    @property
    def shown(self) -> bool:
        return not self.withheld

    def __str__(self) -> str:
        if self.withheld == SMALL:
            return gettext("fewer than %(threshold)s") % {"threshold": THRESHOLD}
        if self.withheld == COMPLEMENT:
            return gettext("withheld")
        return number_format(self.value, force_grouping=True)


# --- What a year holds -----------------------------------------------------------------------------


def recorded_key(category_id: int, known: Reference):
    """How a need as recorded is keyed: a need under a family by its id, a family without needs
    under it by its id, a family recorded without a more precise need as ("family", id)."""
    category = known.categories_by_pk[category_id]
    if category.parent_id is None and known.needs.children.get(category_id):
        return ("family", category_id)
    return category_id


def family_of(category_id: int, known: Reference) -> int:
    return known.needs.up(category_id)[-1]


@dataclass
class Layout:
    """The figures every territory has in a year, and the sums among them (``equations``)."""

    months: list[date]
    keys: list[tuple]  # (measure, need, time, reason)

    @classmethod
    def of(cls, months: list[date], known: Reference) -> "Layout":
        times = [*months, YEAR]
        families = [family.pk for family, _children in known.families]
        keys: list[tuple] = [(REQUESTS, ALL, t, ALL) for t in times]
        for measure in (NEEDS, UNMET):
            keys += [(measure, need, t, ALL) for need in [ALL, *families] for t in times]
            keys += [(measure, need, YEAR, ALL) for need in _under_families(known)]
        keys += [
            (UNMET, need, YEAR, reason)
            for need in [ALL, *families, *_under_families(known)]
            for reason in REASONS
        ]
        return cls(months=months, keys=keys)

    def equations(self, known: Reference) -> list[list[tuple]]:
        """The sums within one territory's figures, as lists of keys: a sum, then its parts."""
        times = [*self.months, YEAR]
        families = [family.pk for family, _children in known.families]
        sums: list[list[tuple]] = []
        # A year and its months (each sum first, then its parts).
        year_first = [YEAR, *self.months]
        sums.append([(REQUESTS, ALL, t, ALL) for t in year_first])
        for measure in (NEEDS, UNMET):
            for need in [ALL, *families]:
                sums.append([(measure, need, t, ALL) for t in year_first])
        # All needs and the families.
        for measure in (NEEDS, UNMET):
            for t in times:
                sums.append([(measure, need, t, ALL) for need in [ALL, *families]])
        for reason in REASONS:
            sums.append([(UNMET, need, YEAR, reason) for need in [ALL, *families]])
        # A family and the needs under it (with the family recorded as such).
        for family, children in known.families:
            if not children:
                continue
            parts = [child.pk for child in children] + [("family", family.pk)]
            sums.append([(NEEDS, need, YEAR, ALL) for need in [family.pk, *parts]])
            for reason in [ALL, *REASONS]:
                sums.append([(UNMET, need, YEAR, reason) for need in [family.pk, *parts]])
        # An unmet need and its reasons.
        for need in [ALL, *families, *_under_families(known)]:
            sums.append([(UNMET, need, YEAR, reason) for reason in [ALL, *REASONS]])
        return sums


def _under_families(known: Reference) -> list:
    """The needs as recorded that are not a whole family: the needs under a family, and each
    family with needs under it recorded as such."""
    keys: list = []
    for family, children in known.families:
        if children:
            keys += [child.pk for child in children] + [("family", family.pk)]
    return keys


@dataclass
class Year:
    """A year's public figures for every territory, compact: one row of integers per
    territory in ``layout.keys`` order, a withheld figure as a negative code."""

    year: int
    layout: Layout
    rows: dict[int, array]
    index: dict[tuple, int]

    def figure(self, territory_id: int, key: tuple) -> Figure:
        value = self.rows[territory_id][self.index[key]]
        if value == _SMALL:
            return Figure(None, SMALL)
        if value == _COMPLEMENT:
            return Figure(None, COMPLEMENT)
        return Figure(value)

    def __getstate__(self):  # the index is rebuilt on load: a smaller cache entry
        return {"year": self.year, "layout": self.layout, "rows": self.rows}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.index = {key: i for i, key in enumerate(self.layout.keys)}


def year_compute(year: int, months: list[date], known: Reference | None = None) -> Year:
    """Count ``months`` of ``year`` for every territory from the monthly counts (two queries),
    then withhold what may not be shown (``disclosure.suppress``)."""
    known = known or reference()
    layout = Layout.of(months, known)
    territories = [t.pk for t in known.territories]
    values: dict[tuple, int] = {
        (territory, *key): 0 for territory in territories for key in layout.keys
    }
    period = {"month__gte": months[0], "month__lte": months[-1], "territory__isnull": False}
    for territory, month, count in (
        MonthlyRequestCount.objects.filter(**period)
        .values_list("territory_id", "month")
        .annotate(total=Sum("count"))
        .order_by()
    ):
        for t in (month, YEAR):
            values[(territory, REQUESTS, ALL, t, ALL)] += count
    for territory, month, category, outcome, reason, count in (
        MonthlyNeedCount.objects.filter(**period)
        .values_list("territory_id", "month", "category_id", "outcome", "reason")
        .annotate(total=Sum("count"))
        .order_by()
    ):
        family = family_of(category, known)
        recorded = recorded_key(category, known)
        measures = [NEEDS, UNMET] if outcome == Outcome.UNMET else [NEEDS]
        for measure in measures:
            for t in (month, YEAR):
                values[(territory, measure, ALL, t, ALL)] += count
                values[(territory, measure, family, t, ALL)] += count
            if recorded != family:
                values[(territory, measure, recorded, YEAR, ALL)] += count
        if outcome == Outcome.UNMET and reason in REASONS:
            values[(territory, UNMET, ALL, YEAR, reason)] += count
            values[(territory, UNMET, family, YEAR, reason)] += count
            if recorded != family:
                values[(territory, UNMET, recorded, YEAR, reason)] += count

    equations = []
    for sums in layout.equations(known):
        equations += [[(territory, *key) for key in sums] for territory in territories]
    # A territory and the places inside it: known.places says which are directly inside. What
    # was recorded for the territory itself (Montréal, no borough given) is not published, but
    # it is often nothing: the sum is treated as exact.
    for parent in territories:
        inside = known.places.children.get(parent, [])
        if inside:
            equations += [
                [(parent, *key)] + [(child, *key) for child in inside] for key in layout.keys
            ]
    withheld = suppress(values, equations)

    index = {key: i for i, key in enumerate(layout.keys)}
    rows = {}
    for territory in territories:
        row = array("i", [0]) * len(layout.keys)
        for i, key in enumerate(layout.keys):
            cell = (territory, *key)
            why = withheld.get(cell)
            row[i] = _SMALL if why == SMALL else _COMPLEMENT if why == COMPLEMENT else values[cell]
        rows[territory] = row
    return Year(year=year, layout=layout, rows=rows, index=index)


# --- Which years, and where they are kept ----------------------------------------------------------


def last_complete_month(today: date | None = None) -> date:
    """The first day of the last month that has ended."""
    today = today or timezone.localdate()
    first = month_of(today)
    return (
        first.replace(year=first.year - 1, month=12)
        if first.month == 1
        else first.replace(month=first.month - 1)
    )


@dataclass(frozen=True)
class Span:
    """The months that have public figures: from the first month counted to the last complete
    month; ``generation``: the counts' (``counts_generation``), read once a request."""

    first: date | None
    last: date
    generation: int = 0

    @property
    def years(self) -> list[int]:
        """Newest first."""
        if self.first is None or self.first > self.last:
            return []
        return list(range(self.last.year, self.first.year - 1, -1))

    def months(self, year: int) -> list[date]:
        if year not in self.years:
            return []
        start = max(date(year, 1, 1), self.first)
        end = min(date(year, 12, 1), self.last)
        return [date(year, m, 1) for m in range(start.month, end.month + 1)]

    def is_complete(self, year: int) -> bool:
        return len(self.months(year)) == 12


_memo: dict[tuple, tuple[float, object]] = {}


def keep_seconds() -> int:
    """How long figures of closed months are kept (``PORTRAITS_CACHE_SECONDS``; 0: never)."""
    return getattr(settings, "PORTRAITS_CACHE_SECONDS", CACHE_SECONDS)


def counts_generation() -> int:
    """Changes when the counts of past months may have: each import of past requests (a request
    is corrected only within a day of its recording, so only in the last two months)."""
    return RequestImport.objects.aggregate(last=Max("pk"))["last"] or 0


# What one process keeps at most (the counts of a month in a place, a year's figures...): beyond
# that, it starts afresh rather than grow.
MEMO_LIMIT = 20_000


def _cache_key(key: tuple) -> str:
    return "portraits:" + ":".join(str(part) for part in key)


def recall(keys: list[tuple]) -> dict:
    """{key: value} of those of ``keys`` kept, in this process or else in the cache."""
    seconds = keep_seconds()
    if not seconds:
        return {}
    now = time.monotonic()
    found, missing = {}, []
    for key in keys:
        hit = _memo.get(key)
        if hit is not None and hit[0] > now:
            found[key] = hit[1]
        else:
            missing.append(key)
    if missing:
        names = {_cache_key(key): key for key in missing}
        for name, value in cache.get_many(list(names)).items():
            found[names[name]] = value
            _memo[names[name]] = (now + seconds, value)
    return found


def keep(values: dict) -> None:
    """Keep ``values`` ({key: value}) in this process and in the cache for
    ``PORTRAITS_CACHE_SECONDS``."""
    seconds = keep_seconds()
    if not seconds or not values:
        return
    if len(_memo) + len(values) > MEMO_LIMIT:
        _memo.clear()
    until = time.monotonic() + seconds
    _memo.update({key: (until, value) for key, value in values.items()})
    cache.set_many({_cache_key(key): value for key, value in values.items()}, seconds)


def kept(key: tuple, make):
    """``make()``, kept in this process and in the cache for ``PORTRAITS_CACHE_SECONDS``."""
    found = recall([key])
    if key in found:
        return found[key]
    value = make()
    keep({key: value})
    return value


def forget() -> None:
    """Drop what this process keeps (tests; the cache entries expire on their own)."""
    _memo.clear()


def span(today: date | None = None) -> Span:
    """The months with public figures now (one query, once they are known in this process)."""
    last = last_complete_month(today)
    generation = counts_generation()

    def make() -> Span:
        found = MonthlyRequestCount.objects.filter(territory__isnull=False, month__lte=last)
        first = found.aggregate(first=Min("month"))["first"]
        return Span(first=first, last=last, generation=generation)

    return kept(("span", last.isoformat(), generation), make)


def year_figures(
    year: int, within: Span | None = None, known: Reference | None = None
) -> Year | None:
    """The public figures of ``year`` (``None``: no month of it is public), ``within`` the
    months public now (``span()`` by default)."""
    within = within or span()
    months = within.months(year)
    if not months:
        return None
    return kept(
        ("year", year, within.last.isoformat(), within.generation),
        lambda: year_compute(year, months, known),
    )

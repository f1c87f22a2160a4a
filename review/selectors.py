"""Where the yearly cycle stands: coverage, what is overdue and due soon, by sector and curator.

Coverage = active organisations verified in the last 12 months / active organisations (AIRS /
Inform: every record fully updated once a year). Every figure is counted by the database, in a
fixed number of queries whatever the size of the directory: one for the totals, one by sector,
one by curator (the months of the cycle are counted with the totals), and the names of the
sectors and curators.

The cycle is the calendar year: the 211 aims at 100 % by December. A record never verified is
counted as overdue: it is due now.
"""

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from organisations.models import Location, Organisation, review_due_within, review_overdue
from organisations.selectors import territory_sectors

COVERAGE_WINDOW = timedelta(days=365)
DUE_WITHIN_DAYS = (30, 60, 90)


@dataclass
class Counts:
    """The figures of one group of active organisations (all of them, a sector, a curator)."""

    active: int = 0
    verified_12m: int = 0
    overdue: int = 0
    due_30: int = 0
    due_60: int = 0
    due_90: int = 0

    @property
    def coverage(self) -> float:
        return round(self.verified_12m / self.active, 4) if self.active else 0.0

    def add(self, other: "Counts") -> None:
        for name in ("active", "verified_12m", "overdue", "due_30", "due_60", "due_90"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        return {**asdict(self), "coverage": self.coverage}


@dataclass
class Month:
    start: date
    verified: int  # active organisations whose latest verification is in this month
    cumulative: int  # verified since the cycle began, to the end of this month
    target: int  # where the team should be by the end of this month to reach 100 % in time


@dataclass
class ReviewStatus:
    today: date
    cycle_start: date
    totals: Counts
    verified_this_cycle: int
    months: list[Month]
    by_sector: list[tuple[str, Counts]] = field(default_factory=list)
    by_curator: list[tuple[str, int | None, Counts]] = field(default_factory=list)

    @property
    def needed_per_month(self) -> int:
        """Verifications a month from now on to have every active record verified this cycle."""
        remaining = max(self.totals.active - self.verified_this_cycle, 0)
        months_left = 12 - self.today.month + 1
        return -(-remaining // months_left)  # rounded up

    @property
    def behind_pace(self) -> int:
        """How many verifications the team is behind the pace (0 when on or ahead of it)."""
        current = next((m for m in self.months if m.start.month == self.today.month), None)
        if current is None:
            return 0
        return max(current.target - current.cumulative, 0)

    def as_dict(self) -> dict:
        """The figures of ``review_status --format json``."""
        return {
            **self.totals.as_dict(),
            "today": self.today.isoformat(),
            "cycle_start": self.cycle_start.isoformat(),
            "verified_this_cycle": self.verified_this_cycle,
            "needed_per_month": self.needed_per_month,
            "months": [
                {
                    "month": m.start.strftime("%Y-%m"),
                    "verified": m.verified,
                    "cumulative": m.cumulative,
                    "target": m.target,
                }
                for m in self.months
            ],
            "by_sector": {name: counts.as_dict() for name, counts in self.by_sector},
            "by_curator": {name: counts.as_dict() for name, _pk, counts in self.by_curator},
        }


# One definition of "due", the record's own (the listing's filter counts with it too).
overdue = review_overdue
due_within = review_due_within


def _counting(today: date, now: datetime) -> dict:
    """The conditional counts of ``Counts``, as aggregates over active organisations."""
    due = {f"due_{days}": Count("pk", filter=due_within(today, days)) for days in DUE_WITHIN_DAYS}
    return {
        "active": Count("pk"),
        "verified_12m": Count("pk", filter=Q(last_verified_at__gte=now - COVERAGE_WINDOW)),
        "overdue": Count("pk", filter=overdue(today)),
        **due,
    }


def _counts(row: dict) -> Counts:
    return Counts(**{name: row[name] for name in Counts.__dataclass_fields__})


def review_status(*, now: datetime | None = None) -> ReviewStatus:
    """Where the yearly cycle stands ``now`` (default: now)."""
    from django.utils.translation import gettext as _

    now = now or timezone.now()
    today = timezone.localdate(now)
    cycle_start = today.replace(month=1, day=1)
    active = Organisation.objects.filter(status=Organisation.Status.ACTIVE).order_by()
    counting = _counting(today, now)

    # The months of the cycle as ranges of time (local midnight on the 1st): plain comparisons on
    # an indexed column, counted in the same query as the totals (truncating each date to its
    # month would convert every row's time zone: 0.7 s at 60,000 records).
    starts = [cycle_start.replace(month=m) for m in range(1, 13)] + [date(today.year + 1, 1, 1)]
    bounds = [timezone.make_aware(datetime.combine(day, time.min)) for day in starts]
    by_month = {
        f"month_{m}": Count(
            "pk", filter=Q(last_verified_at__gte=bounds[m - 1], last_verified_at__lt=bounds[m])
        )
        for m in range(1, 13)
    }
    overall = active.aggregate(**counting, **by_month)
    totals = _counts(overall)

    # An organisation's sector is that of its first place's municipality or borough.
    first_place = Subquery(
        Location.objects.filter(organisation=OuterRef("pk"))
        .order_by("sort_order", "pk")
        .values("municipality_id")[:1]
    )
    sectors = territory_sectors()
    by_sector: dict[str, Counts] = {}
    for row in active.annotate(place=first_place).values("place").annotate(**counting):
        sector = sectors.get(row["place"])
        name = sector.name if sector else _("No sector")
        by_sector.setdefault(name, Counts()).add(_counts(row))

    by_curator = []
    rows = list(active.values("assigned_curator").annotate(**counting))
    users = {
        user.pk: user
        for user in get_user_model().objects.filter(
            pk__in=[r["assigned_curator"] for r in rows if r["assigned_curator"]]
        )
    }
    for row in rows:
        user = users.get(row["assigned_curator"])
        name = (user.get_full_name() or user.get_username()) if user else _("Not assigned")
        by_curator.append((name, user.pk if user else None, _counts(row)))
    by_curator.sort(key=lambda item: (item[1] is None, item[0].lower()))

    months, cumulative = [], 0
    for number in range(1, 13):
        start = cycle_start.replace(month=number)
        verified = overall[f"month_{number}"]
        cumulative += verified
        months.append(
            Month(
                start=start,
                verified=verified,
                cumulative=cumulative,
                target=-(-totals.active * number // 12),
            )
        )
    return ReviewStatus(
        today=today,
        cycle_start=cycle_start,
        totals=totals,
        verified_this_cycle=cumulative,
        months=months,
        by_sector=sorted(by_sector.items(), key=lambda item: item[0].lower()),
        by_curator=by_curator,
    )

"""Reads of the stored quality results, for the report, the worklist, a record's panel and the
yearly-cycle dashboard.

Everything here reads what the checks stored (``QualityIssue``, ``QualityRun``, ``DuplicatePair``):
no check runs on a page view, and every figure is counted by the database in a fixed number of
queries whatever the number of records. Archived records are left out, as ``quality_run`` does.

An organisation's sector is that of its first place's municipality or borough
(``organisations.selectors.territory_sectors``), as in the yearly review, so the two reports group
records the same way.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from ..filters import territory_with_descendants
from ..models import (
    DuplicatePair,
    Location,
    Organisation,
    QualityIssue,
    QualityRun,
    Severity,
    Territory,
    review_overdue,
)
from ..selectors import territory_sectors
from .checks import CHECKS, CHECKS_BY_CODE, SEVERITY_ORDER

# How many full runs the trend shows (the nightly run: about a month).
TREND_RUNS = 30

# Severities as numbers, most severe first: the text values do not sort that way.
_RANKS = {rank: Severity(severity) for severity, rank in SEVERITY_ORDER.items()}
_RANK = Case(
    *[When(severity=severity, then=Value(rank)) for severity, rank in SEVERITY_ORDER.items()],
    output_field=IntegerField(),
)


def severity_of_rank(rank: int | None) -> Severity | None:
    return _RANKS.get(rank)


def _issues() -> QuerySet[QualityIssue]:
    """The stored problems of records that are not archived."""
    return QualityIssue.objects.exclude(organisation__status=Organisation.Status.CLOSED)


def _worst_rank() -> Subquery:
    """The rank of a record's worst stored problem (0 severe, 1 warning, 2 notice), or None."""
    return Subquery(
        QualityIssue.objects.filter(organisation=OuterRef("pk"))
        .annotate(rank=_RANK)
        .order_by("rank")
        .values("rank")[:1],
        output_field=IntegerField(),
    )


def _first_place() -> Subquery:
    """The municipality or borough of a record's first place (its sector is that place's)."""
    return Subquery(
        Location.objects.filter(organisation=OuterRef("pk"))
        .order_by("sort_order", "pk")
        .values("municipality_id")[:1]
    )


def _records() -> QuerySet[Organisation]:
    return (
        Organisation.objects.exclude(status=Organisation.Status.CLOSED)
        .order_by()
        .annotate(worst=_worst_rank(), place=_first_place())
    )


# --- The report -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckCount:
    code: str
    severity: str
    message: str | Promise
    hint: str | Promise
    problems: int
    records: int


@dataclass(frozen=True)
class SeverityCount:
    severity: Severity
    problems: int
    records: int


@dataclass
class GroupCount:
    """Records of one sector or curator, each counted once under its worst problem."""

    name: str
    key: int | None  # the sector's or the curator's id, for the worklist's filter
    records: int = 0
    severe: int = 0
    warning: int = 0
    notice: int = 0

    @property
    def clean(self) -> int:
        return self.records - self.severe - self.warning - self.notice

    @property
    def has_problems(self) -> bool:
        return self.clean < self.records

    def add(self, rank: int | None, count: int) -> None:
        self.records += count
        severity = severity_of_rank(rank)
        if severity is not None:
            setattr(self, severity.value, getattr(self, severity.value) + count)


@dataclass
class QualitySummary:
    checked: int  # records that are not archived
    with_problems: int
    by_check: list[CheckCount]
    by_severity: list[SeverityCount]
    by_sector: list[GroupCount]
    by_curator: list[GroupCount]
    runs: list[QualityRun] = field(default_factory=list)  # oldest first
    open_duplicates: int = 0

    @property
    def last_run(self) -> QualityRun | None:
        return self.runs[-1] if self.runs else None


def _by_check() -> list[CheckCount]:
    rows = (
        _issues()
        .values("code")
        .annotate(problems=Count("pk"), records=Count("organisation_id", distinct=True))
        .order_by()
    )
    counts = []
    for row in rows:
        check = CHECKS_BY_CODE.get(row["code"])
        counts.append(
            CheckCount(
                code=row["code"],
                # A check removed since the last run keeps its code until the next one.
                severity=check.severity if check else Severity.NOTICE,
                message=check.message if check else row["code"],
                hint=check.hint if check else "",
                problems=row["problems"],
                records=row["records"],
            )
        )
    order = {check.code: index for index, check in enumerate(CHECKS)}
    return sorted(
        counts,
        key=lambda c: (SEVERITY_ORDER.get(c.severity, 9), -c.records, order.get(c.code, 999)),
    )


def _by_severity() -> list[SeverityCount]:
    rows = {
        row["severity"]: row
        for row in _issues()
        .values("severity")
        .annotate(problems=Count("pk"), records=Count("organisation_id", distinct=True))
        .order_by()
    }
    return [
        SeverityCount(
            severity=severity,
            problems=rows.get(severity.value, {}).get("problems", 0),
            records=rows.get(severity.value, {}).get("records", 0),
        )
        for severity in Severity
    ]


def quality_counts() -> dict:
    """The stored problems counted by check and by severity, and the records with a severe one
    (what ``quality_report`` prints and a full run keeps): two aggregate queries, whatever the
    number of records. A record archived since its last check is left out at once."""
    severities = _by_severity()
    return {
        "by_check": {c.code: c.problems for c in sorted(_by_check(), key=lambda c: c.code)},
        "by_severity": {s.severity.value: s.problems for s in severities},
        "records_with_severe": next(s.records for s in severities if s.severity == Severity.SEVERE),
    }


def _by_sector(sectors: dict[int, Territory]) -> list[GroupCount]:
    groups: dict[int | None, GroupCount] = {}
    for row in _records().values("place", "worst").annotate(n=Count("pk")):
        sector = sectors.get(row["place"])
        key = sector.pk if sector else None
        if key not in groups:
            groups[key] = GroupCount(name=sector.name if sector else _("No sector"), key=key)
        groups[key].add(row["worst"], row["n"])
    return sorted(groups.values(), key=lambda g: (g.key is None, g.name.lower()))


def _by_curator() -> list[GroupCount]:
    rows = list(_records().values("assigned_curator", "worst").annotate(n=Count("pk")))
    users = {
        user.pk: user
        for user in get_user_model().objects.filter(
            pk__in={row["assigned_curator"] for row in rows if row["assigned_curator"]}
        )
    }
    groups: dict[int | None, GroupCount] = {}
    for row in rows:
        user = users.get(row["assigned_curator"])
        key = user.pk if user else None
        if key not in groups:
            name = (user.get_full_name() or user.get_username()) if user else _("Not assigned")
            groups[key] = GroupCount(name=name, key=key)
        groups[key].add(row["worst"], row["n"])
    return sorted(groups.values(), key=lambda g: (g.key is None, g.name.lower()))


def quality_summary(*, sectors: dict[int, Territory] | None = None) -> QualitySummary:
    """What the stored results say, counted: by check, by severity, by sector and by curator,
    the trend of the last full runs and the probable duplicates left to decide. Eight queries
    (the sectors' and the curators' names included; seven given ``territory_sectors()``),
    whatever the number of records."""
    by_sector = _by_sector(sectors if sectors is not None else territory_sectors())
    return QualitySummary(
        checked=sum(group.records for group in by_sector),
        with_problems=sum(group.records - group.clean for group in by_sector),
        by_check=_by_check(),
        by_severity=_by_severity(),
        by_sector=by_sector,
        by_curator=_by_curator(),
        runs=list(reversed(QualityRun.objects.all()[:TREND_RUNS])),
        open_duplicates=DuplicatePair.objects.filter(status=DuplicatePair.Status.OPEN).count(),
    )


# --- The worklist ---------------------------------------------------------------------------------


def worklist() -> QuerySet[Organisation]:
    """Records with a stored problem, the worst first, then the soonest due (never verified, no
    date, first): the public site does not count page views yet, so how much a record is looked
    at cannot order the list. Each row carries ``worst`` (a rank, see ``severity_of_rank``) and
    ``place`` (its first place's municipality or borough)."""
    return (
        _records()
        .filter(worst__isnull=False)
        .select_related("assigned_curator")
        .order_by("worst", F("next_review_due").asc(nulls_first=True), "name", "pk")
    )


def with_problem(queryset: QuerySet, *, code: str = "", severity: str = "") -> QuerySet:
    """Records with a stored problem of this check and/or of this severity."""
    issues = QualityIssue.objects.filter(organisation=OuterRef("pk"))
    if code:
        issues = issues.filter(code=code)
    if severity:
        issues = issues.filter(severity=severity)
    return queryset.filter(Exists(issues))


def in_sector(queryset: QuerySet, sector: Territory) -> QuerySet:
    """Records of ``worklist()`` whose first place is in ``sector``."""
    return queryset.filter(place__in=territory_with_descendants(sector))


@dataclass(frozen=True)
class Problem:
    """A stored problem with what its check says about it."""

    code: str
    severity: Severity
    message: str | Promise
    hint: str | Promise
    part: str
    child_uuid: str
    field: str
    value: str
    found_at: datetime


def _problem(issue: dict) -> Problem:
    check = CHECKS_BY_CODE.get(issue["code"])
    return Problem(
        code=issue["code"],
        severity=Severity(issue["severity"]),
        message=check.message if check else issue["code"],
        hint=check.hint if check else "",
        part=issue["part"],
        child_uuid=str(issue["child_uuid"]) if issue["child_uuid"] else "",
        field=issue["field"],
        value=issue["value"],
        found_at=issue["found_at"],
    )


_PROBLEM_FIELDS = (
    "organisation_id", "code", "severity", "part", "child_uuid", "field", "value", "found_at",
)  # fmt: skip


def _sorted(problems: list[Problem]) -> list[Problem]:
    order = {check.code: index for index, check in enumerate(CHECKS)}
    return sorted(problems, key=lambda p: (SEVERITY_ORDER[p.severity], order.get(p.code, 999)))


def problems_of(organisation_ids: list[int]) -> dict[int, list[Problem]]:
    """{organisation id: its stored problems, most severe first}, in one query."""
    found: dict[int, list[Problem]] = {pk: [] for pk in organisation_ids}
    rows = QualityIssue.objects.filter(organisation_id__in=organisation_ids).values(
        *_PROBLEM_FIELDS
    )
    for row in rows:
        found[row["organisation_id"]].append(_problem(row))
    return {pk: _sorted(problems) for pk, problems in found.items()}


# --- One record -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProbableDuplicate:
    pair: DuplicatePair
    other: Organisation
    reasons: list[str]


@dataclass
class RecordQuality:
    problems: list[Problem]
    checked_at: datetime | None  # None: never checked yet
    duplicates: list[ProbableDuplicate]


def _duplicates(organisation_id: int) -> list[ProbableDuplicate]:
    from .duplicates import duplicates_for, reason_text

    return [
        ProbableDuplicate(
            pair=pair,
            other=pair.second if pair.first_id == organisation_id else pair.first,
            reasons=[reason_text(reason) for reason in pair.reasons],
        )
        for pair in duplicates_for(organisation_id)
    ]


def record_quality(organisation_id: int) -> RecordQuality:
    """A record's stored problems (most severe first), when it was last checked and its probable
    duplicates to decide: three queries.

    A record is checked on publication and import, and by every full run; a check that finds
    nothing stores nothing, so the last check is the later of its problems' date and the last
    full run's."""
    problems = problems_of([organisation_id])[organisation_id]
    last_run = QualityRun.objects.values_list("finished_at", flat=True).first()
    dates = [d for d in (last_run, *(p.found_at for p in problems)) if d is not None]
    return RecordQuality(
        problems=problems,
        checked_at=max(dates) if dates else None,
        duplicates=_duplicates(organisation_id),
    )


# --- The yearly-cycle dashboard -------------------------------------------------------------------


@dataclass(frozen=True)
class VerifiedQuality:
    verified: int  # active records verified and not overdue
    without_severe: int  # ... of which none has a severe problem stored

    @property
    def percent(self) -> float:
        return round(self.without_severe / self.verified * 100, 1) if self.verified else 0.0


def verified_quality(*, today: date) -> VerifiedQuality:
    """Of the active records that count as verified in the yearly review (verified once and not
    overdue, ``organisations.models.review_overdue``), how many have no severe problem: one query."""
    severe = QualityIssue.objects.filter(organisation=OuterRef("pk"), severity=Severity.SEVERE)
    row = (
        Organisation.objects.filter(status=Organisation.Status.ACTIVE)
        .exclude(review_overdue(today))
        .aggregate(verified=Count("pk"), without_severe=Count("pk", filter=~Exists(severe)))
    )
    return VerifiedQuality(verified=row["verified"], without_severe=row["without_severe"])

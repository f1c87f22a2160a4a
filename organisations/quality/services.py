"""Running the quality checks and storing what they find.

The report and the panels read stored results (``QualityIssue``, ``QualityRun``): they cost the
same few queries at 60,000 records. Results are recomputed for a record when it is published or
imported (:func:`quality_recompute`), and for all of them by :func:`quality_run` (the nightly
``manage.py quality_run``).
"""

import time
from collections import Counter

from django.db import transaction
from django.db.models import Count, Prefetch
from django.utils import timezone

from ..geocoding import cmm_bounds
from ..models import (
    LinkCheck,
    Location,
    OpeningHours,
    Organisation,
    QualityIssue,
    QualityRun,
    Service,
    Severity,
    Territory,
)
from .checks import Context, findings

CHUNK = 1_000

# Canada Post's first letters in the metropolitan area: H for the island of Montréal and Laval,
# J for the rest (the North and South shores, Longueuil).
H_SECTORS = {"Agglomération de Montréal", "Laval"}


def quality_context() -> Context:
    territories = {t.pk: t for t in Territory.objects.only("pk", "name", "kind", "parent_id")}
    letters = {}
    for pk, territory in territories.items():
        node = territory
        while node is not None and node.kind != Territory.Kind.SECTOR:
            node = territories.get(node.parent_id)
        if node is not None:
            letters[pk] = "H" if node.name in H_SECTORS else "J"
    broken = {
        url: (str(code) if code else error)
        for url, code, error in LinkCheck.objects.filter(ok=False).values_list(
            "url", "status_code", "error"
        )
    }
    return Context(
        today=timezone.localdate(), bounds=cmm_bounds(), postal_letters=letters, broken_links=broken
    )


def _records(ids: list[int]) -> list[Organisation]:
    """The records as curators edit them: the live rows with their children, or the pending
    draft for a record that has one (few: a draft is read from its revision)."""
    rows = (
        Organisation.objects.filter(pk__in=ids)
        .prefetch_related(
            "phones",
            Prefetch(
                "services",
                queryset=Service.objects.prefetch_related("categories", "service_areas"),
            ),
            Prefetch(
                "locations",
                queryset=Location.objects.prefetch_related(
                    Prefetch("hours", queryset=OpeningHours.objects.only("pk", "location_id"))
                ),
            ),
        )
        .order_by("pk")
    )
    records = []
    for organisation in rows:
        if organisation.has_unpublished_changes and organisation.latest_revision_id:
            organisation = organisation.get_latest_revision_as_object()
        records.append(organisation)
    return records


def _issues(records: list[Organisation], context: Context) -> list[QualityIssue]:
    now = timezone.now()
    return [
        QualityIssue(
            organisation_id=organisation.pk,
            code=check.code,
            severity=check.severity,
            part=finding.part,
            child_uuid=finding.child_uuid,
            field=finding.field,
            value=str(finding.value)[:300],
            found_at=now,
        )
        for organisation in records
        for check, finding in findings(organisation, context)
    ]


def quality_recompute(*, organisation_ids: list[int], context: Context | None = None) -> int:
    """Check these records again and store what is found; returns the number of problems."""
    context = context or quality_context()
    total = 0
    for start in range(0, len(organisation_ids), CHUNK):
        ids = organisation_ids[start : start + CHUNK]
        issues = _issues(_records(ids), context)
        with transaction.atomic():
            QualityIssue.objects.filter(organisation_id__in=ids).delete()
            QualityIssue.objects.bulk_create(issues, batch_size=2_000)
        total += len(issues)
    return total


def quality_recompute_later(*, organisation_ids: list[int]) -> None:
    """After this transaction commits, queue checking these records again."""
    from ..tasks import recompute_quality

    ids = sorted(set(organisation_ids))
    if ids:
        transaction.on_commit(lambda: recompute_quality.enqueue(ids))


def quality_run(*, duplicates: bool = True) -> QualityRun:
    """Check every record (archived ones aside), look for duplicates, and keep the counts."""
    started = time.perf_counter()
    ids = list(
        Organisation.objects.exclude(status=Organisation.Status.CLOSED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    context = quality_context()
    quality_recompute(organisation_ids=ids, context=context)
    # Archived records drop out of the report.
    QualityIssue.objects.filter(organisation__status=Organisation.Status.CLOSED).delete()
    duplicate_count = 0
    if duplicates:
        from .duplicates import duplicates_refresh

        duplicate_count = duplicates_refresh()
    counts = quality_counts()
    return QualityRun.objects.create(
        checked=len(ids),
        by_check=counts["by_check"],
        by_severity=counts["by_severity"],
        records_with_severe=counts["records_with_severe"],
        duplicates=duplicate_count,
        seconds=round(time.perf_counter() - started, 1),
    )


def quality_counts() -> dict:
    """The stored problems counted by check and by severity, and the records with a severe one:
    three aggregate queries, whatever the number of records."""
    by_check = dict(
        QualityIssue.objects.values_list("code").annotate(n=Count("pk")).values_list("code", "n")
    )
    by_severity = Counter(
        dict(
            QualityIssue.objects.values_list("severity")
            .annotate(n=Count("pk"))
            .values_list("severity", "n")
        )
    )
    severe = (
        QualityIssue.objects.filter(severity=Severity.SEVERE)
        .values("organisation_id")
        .distinct()
        .count()
    )
    return {
        "by_check": dict(sorted(by_check.items())),
        "by_severity": {s.value: by_severity.get(s.value, 0) for s in Severity},
        "records_with_severe": severe,
    }

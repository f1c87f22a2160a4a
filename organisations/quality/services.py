"""Running the quality checks and storing what they find.

The report and the panels read stored results (``QualityIssue``, ``QualityRun``): they cost the
same few queries at 60,000 records. Results are recomputed for a record when it is published or
imported (:func:`quality_recompute`), and for all of them by :func:`quality_run` (the nightly
``manage.py quality_run``).
"""

import time
from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from modelcluster.models import get_all_child_relations, model_from_serializable_data
from wagtail.models import Revision

from ..geocoding import cmm_bounds
from ..models import (
    LinkCheck,
    Location,
    OpeningHours,
    Organisation,
    Phone,
    QualityIssue,
    QualityRun,
    Service,
)
from ..selectors import territory_sectors
from .checks import Context, Record, findings

CHUNK = 1_000

# Canada Post's first letters in the metropolitan area: H for the island of Montréal and Laval,
# J for the rest (the North and South shores, Longueuil). Sectors by slug (organisations/
# reference.py): a name can be edited in the admin.
H_SECTORS = {"secteur-agglomeration-de-montreal", "secteur-laval"}


def quality_context() -> Context:
    """What every check shares, read once for a whole run: today, the metropolitan area's
    bounds, the postal region of each territory, the websites whose last check failed."""
    letters = {
        pk: "H" if sector.slug in H_SECTORS else "J" for pk, sector in territory_sectors().items()
    }
    broken = {
        url: (str(code) if code else error)
        for url, code, error in LinkCheck.objects.filter(ok=False).values_list(
            "url", "status_code", "error"
        )
    }
    return Context(
        today=timezone.localdate(), bounds=cmm_bounds(), postal_letters=letters, broken_links=broken
    )


def _records(ids: list[int]) -> list[Record]:
    """The records as curators edit them: the saved rows with their children, or the pending
    draft of a record that has one, made from its revision. Archived records are left out:
    they have left the directory, and its report.

    Saved rows are read in a few queries per chunk, whatever its size: the children as plain
    lists grouped by record, and of the many-to-many relations and the opening hours only which
    services and places have any (they are all the checks ask; instantiating hundreds of
    thousands of needs, areas and hours would be most of a full run)."""
    organisations = list(
        Organisation.objects.filter(pk__in=ids)
        .exclude(status=Organisation.Status.CLOSED)
        .order_by("pk")
    )
    revisions = Revision.objects.in_bulk(
        [o.latest_revision_id for o in organisations if _has_draft(o)]
    )
    saved = [o.pk for o in organisations if not _has_draft(o)]
    services = _by_organisation(Service.objects.filter(organisation_id__in=saved))
    locations = _by_organisation(Location.objects.filter(organisation_id__in=saved))
    phones = _by_organisation(Phone.objects.filter(organisation_id__in=saved))
    categorised = set(
        Service.categories.through.objects.filter(service__organisation_id__in=saved)
        .values_list("service_id", flat=True)
        .distinct()
    )
    with_areas = set(
        Service.service_areas.through.objects.filter(service__organisation_id__in=saved)
        .values_list("service_id", flat=True)
        .distinct()
    )
    with_hours = set(
        OpeningHours.objects.filter(location__organisation_id__in=saved)
        .values_list("location_id", flat=True)
        .distinct()
    )

    records = []
    for organisation in organisations:
        if _has_draft(organisation):
            records.append(_draft(organisation, revisions[organisation.latest_revision_id]))
            continue
        own_services = services.get(organisation.pk, [])
        own_locations = locations.get(organisation.pk, [])
        records.append(
            Record(
                organisation=organisation,
                services=own_services,
                locations=own_locations,
                phones=phones.get(organisation.pk, []),
                services_with_categories={s.uuid for s in own_services if s.pk in categorised},
                services_with_areas={s.uuid for s in own_services if s.pk in with_areas},
                locations_with_hours={p.uuid for p in own_locations if p.pk in with_hours},
            )
        )
    return records


def _has_draft(organisation: Organisation) -> bool:
    return organisation.has_unpublished_changes and organisation.latest_revision_id is not None


def _draft(organisation: Organisation, revision: Revision) -> Record:
    """A record as its pending draft has it, read from the revision's JSON.

    The organisation's own fields go through ``with_content_json``, which keeps what belongs to
    the record as a whole (its review dates, its status). Its children are built straight from
    the JSON without the check that each foreign key still exists: a query per child, some twenty
    for a draft with two places and their week of hours, and nothing a check needs (a place's
    municipality cannot be deleted, its parents are the draft's own). Of a service's needs and
    areas only whether it has any is kept: building them is a query each."""
    content = dict(revision.content)
    children = {
        name: content.pop(name, [])
        for name in (rel.get_accessor_name() for rel in get_all_child_relations(Organisation))
    }
    organisation.latest_revision = revision  # with_content_json would fetch it again
    draft = organisation.with_content_json(content)
    services, with_categories, with_areas = [], set(), set()
    for data in children["services"]:
        data = dict(data)
        categories, areas = data.pop("categories", []), data.pop("service_areas", [])
        service = Service.from_serializable_data(data, check_fks=False)
        services.append(service)
        if categories:
            with_categories.add(service.uuid)
        if areas:
            with_areas.add(service.uuid)
    locations = [
        Location.from_serializable_data(data, check_fks=False) for data in children["locations"]
    ]
    return Record(
        organisation=draft,
        services=services,
        locations=locations,
        phones=[
            model_from_serializable_data(Phone, data, check_fks=False)
            for data in children["phones"]
        ],
        services_with_categories=with_categories,
        services_with_areas=with_areas,
        locations_with_hours={place.uuid for place in locations if place.hours.all()},
    )


def _by_organisation(children) -> dict[int, list]:
    grouped = defaultdict(list)
    for child in children.order_by("organisation_id", "sort_order", "pk"):
        grouped[child.organisation_id].append(child)
    return grouped


def _issues(records: list[Record], context: Context) -> list[QualityIssue]:
    now = timezone.now()
    return [
        QualityIssue(
            organisation_id=record.organisation.pk,
            code=check.code,
            severity=check.severity,
            part=finding.part,
            child_uuid=finding.child_uuid,
            field=finding.field,
            value=str(finding.value)[:300],
            found_at=now,
        )
        for record in records
        for check, finding in findings(record, context)
    ]


def quality_recompute(*, organisation_ids: list[int], context: Context | None = None) -> int:
    """Check these records again and store what is found, in place of what was (an archived
    record's problems are dropped); returns the number of problems."""
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


@task()
def recompute_quality(organisation_ids: list[int]) -> int:
    """Check these records again (after a publication or an import); returns the problems."""
    return quality_recompute(organisation_ids=organisation_ids)


def quality_recompute_later(*, organisation_ids: list[int]) -> None:
    """After this transaction commits, queue checking these records again."""
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
    from .selectors import quality_counts  # the report's own counts

    counts = quality_counts()
    return QualityRun.objects.create(
        checked=len(ids),
        by_check=counts["by_check"],
        by_severity=counts["by_severity"],
        records_with_severe=counts["records_with_severe"],
        duplicates=duplicate_count,
        seconds=round(time.perf_counter() - started, 1),
    )

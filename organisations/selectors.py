"""Reads that span relations, for the public site and the admin.

The public side never receives a confidential address: ``public_location`` strips it before any
template, feed or export sees the location, so no template can leak what it was never given.
"""

from dataclasses import dataclass, field
from datetime import date, time

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .models import (
    Category,
    Location,
    OpeningHours,
    Organisation,
    Phone,
    Service,
    Territory,
    bilingual,
)


@dataclass(frozen=True)
class PublicHours:
    weekday: int
    weekday_label: str
    opens: time | None
    closes: time | None
    note: str
    is_today: bool


@dataclass(frozen=True)
class PublicLocation:
    uuid: str
    name: str
    street_address: str
    unit: str
    postal_code: str
    municipality: str
    latitude: float | None
    longitude: float | None
    is_confidential: bool
    accessibility: str
    hours: list[PublicHours] = field(default_factory=list)

    @property
    def has_address(self) -> bool:
        return bool(self.street_address)


def public_location(location: Location, *, today: date | None = None) -> PublicLocation:
    """What the public may know of a location. A confidential address keeps only its
    municipality, and the point becomes the municipality's centre."""
    today = today or timezone.localdate()
    municipality = location.municipality
    hours = [
        PublicHours(
            weekday=h.weekday,
            weekday_label=OpeningHours.Weekday(h.weekday).label,
            opens=h.opens,
            closes=h.closes,
            note=h.note,
            is_today=h.weekday == today.isoweekday(),
        )
        for h in sorted(location.hours.all(), key=lambda h: (h.weekday, h.opens or time.min))
    ]
    if location.address_is_confidential:
        centre = municipality.centre if municipality else None
        return PublicLocation(
            uuid=str(location.uuid),
            name="",
            street_address="",
            unit="",
            postal_code="",
            municipality=str(municipality) if municipality else "",
            latitude=centre[0] if centre else None,
            longitude=centre[1] if centre else None,
            is_confidential=True,
            accessibility="",
            hours=hours,
        )
    return PublicLocation(
        uuid=str(location.uuid),
        name=location.name,
        street_address=location.street_address,
        unit=location.unit,
        postal_code=location.postal_code,
        municipality=str(municipality) if municipality else "",
        latitude=location.latitude,
        longitude=location.longitude,
        is_confidential=False,
        accessibility=bilingual(location, "accessibility"),
        hours=hours,
    )


def public_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.public()


def organisation_for_public_page(slug: str) -> Organisation | None:
    """The live organisation at ``slug`` with everything its page shows, in a fixed number of
    queries."""
    return (
        public_organisations()
        .filter(slug=slug)
        .prefetch_related(
            Prefetch(
                "services",
                queryset=Service.objects.exclude(status=Service.Status.DEFUNCT).prefetch_related(
                    Prefetch("categories", queryset=Category.objects.select_related("parent")),
                    Prefetch("service_areas", queryset=Territory.objects.all()),
                ),
            ),
            Prefetch(
                "locations",
                queryset=Location.objects.select_related(
                    "municipality__parent__parent"
                ).prefetch_related("hours"),
            ),
            Prefetch("phones", queryset=Phone.objects.all()),
        )
        .first()
    )


def organisation_public_context(organisation: Organisation, *, preview: bool = False) -> dict:
    """Everything the public detail page needs, from a live row or an in-memory draft (preview)."""
    services = [s for s in organisation.services.all() if s.status != Service.Status.DEFUNCT]
    return {
        "organisation": organisation,
        "services": services,
        "locations": [public_location(loc) for loc in organisation.locations.all()],
        "phones": list(organisation.phones.all()),
        "is_preview": preview,
    }


def organisations_for_directory_index() -> QuerySet[Organisation]:
    return public_organisations().only("name", "slug", "alternate_name").order_by("name")


def with_editorial_state(organisations: list[Organisation]) -> list[Organisation]:
    """Load the scheduled revision and in-progress workflow of a page of organisations in two
    queries, where Wagtail's list columns would ask once per row each."""
    from collections import defaultdict

    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Revision, WorkflowState

    content_type = ContentType.objects.get_for_model(Organisation)
    ids = [str(o.pk) for o in organisations]
    scheduled = {
        r.object_id: r
        for r in Revision.objects.filter(
            base_content_type=content_type, object_id__in=ids, approved_go_live_at__isnull=False
        ).order_by("-created_at")
    }
    states = defaultdict(list)
    for state in WorkflowState.objects.filter(
        base_content_type=content_type, object_id__in=ids, status=WorkflowState.STATUS_IN_PROGRESS
    ):
        states[state.object_id].append(state)
    for organisation in organisations:
        organisation.__dict__["scheduled_revision"] = scheduled.get(str(organisation.pk))
        organisation._current_workflow_states = states[str(organisation.pk)]
    return organisations

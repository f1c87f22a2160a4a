"""Reads that span relations, for the public site and the admin.

The public side never receives a confidential address: ``public_location`` strips it before any
template, feed or export sees the location, so no template can leak what it was never given.
"""

from dataclasses import dataclass, field
from datetime import date, time

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from .models import (
    Category,
    GeocodePrecision,
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
    # The municipality a letter is addressed to: Montréal for a borough of Montréal.
    locality: str = ""
    # The point is where the place really is, not a stand-in (the municipality's centre).
    precise: bool = False

    @property
    def is_approximate(self) -> bool:
        """The public point only stands in for the place: its municipality's or borough's centre."""
        return not self.is_confidential and not self.precise and self.latitude is not None

    @property
    def label(self) -> str:
        """The place in a few words: its name, or else its street address and municipality."""
        street = f"{self.street_address}, {self.unit}" if self.unit else self.street_address
        parts = [self.name] if self.name else [street, self.municipality]
        return ", ".join(part for part in parts if part)


@dataclass(frozen=True)
class MapPoint:
    """A public location that may be put on a map. Coordinates are strings written with a dot,
    whatever the visitor's language: templates would otherwise write ``45,53`` in French.

    ``area``: the municipality or borough whose centre the point only stands in for (the address
    was not placed): the map shows that area, not a pin at a street."""

    label: str
    latitude: str
    longitude: str
    area: str = ""

    @property
    def openstreetmap_url(self) -> str:
        lat, lon = self.latitude, self.longitude
        if self.area:
            return f"https://www.openstreetmap.org/#map=14/{lat}/{lon}"
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


# Where geocoding fell back to the municipality's centre, a pin would send a visitor to the wrong
# street: such a point still sorts a search by distance, and a map shows the area around it
# (marked as an area, with a note), never a pin.
STAND_IN_PRECISIONS = frozenset({GeocodePrecision.MUNICIPALITY, GeocodePrecision.FAILED})


def _postal_locality(territory: Territory | None) -> str:
    node = territory
    while node is not None:
        if node.kind == Territory.Kind.MUNICIPALITY:
            return str(node)
        node = node.parent
    return str(territory) if territory else ""


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
        locality=_postal_locality(municipality),
        precise=location.latitude is not None
        and location.geocode_precision not in STAND_IN_PRECISIONS,
    )


def map_points(locations: list[PublicLocation]) -> list[MapPoint]:
    """The locations a public map shows: never a confidential one (not even its stand-in point
    at the municipality's centre); a point that only stands in for the address is shown as the
    area it is the centre of."""
    return [
        MapPoint(
            label=location.label,
            latitude=f"{location.latitude:.6f}",
            longitude=f"{location.longitude:.6f}",
            area=location.municipality if location.is_approximate else "",
        )
        for location in locations
        if not location.is_confidential
        and location.latitude is not None
        and location.longitude is not None
        and (location.precise or location.municipality)
    ]


def territory_sectors() -> dict[int, Territory]:
    """{territory id: the sector it is in} (a sector is its own), from one query. A record's
    sector is that of its first place's municipality or borough: the yearly review, the data
    quality report and the postal regions group records by it."""
    territories = {
        t.pk: t for t in Territory.objects.only("pk", "name", "slug", "kind", "parent_id")
    }
    sectors = {}
    for pk, territory in territories.items():
        place = territory
        while place is not None and place.kind != Territory.Kind.SECTOR:
            place = territories.get(place.parent_id)
        if place is not None:
            sectors[pk] = place
    return sectors


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
    locations = [public_location(loc) for loc in organisation.locations.all()]
    return {
        "organisation": organisation,
        "services": services,
        "locations": locations,
        "map_points": map_points(locations),
        "phones": list(organisation.phones.all()),
        "is_preview": preview,
    }


def organisation_json_ld(
    organisation: Organisation,
    request: HttpRequest,
    *,
    locations: list[PublicLocation] | None = None,
    phones: list[Phone] | None = None,
) -> dict:
    """The organisation as schema.org structured data (JSON-LD), in the visitor's language.

    Built only from what the page itself shows: public fields, public phones and the locations
    ``public_location`` returns, of which confidential ones are left out entirely (not even their
    municipality), so that no address, postal code or point of a shelter can reach it. schema.org
    has no ``geo`` on an Organization: points go on each ``location`` (a Place).
    """
    if locations is None:
        locations = [public_location(loc) for loc in organisation.locations.all()]
    if phones is None:
        phones = list(organisation.phones.all())
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": organisation.name,
    }
    public_url = organisation.get_public_url() if organisation.slug else None
    if public_url:
        data["url"] = request.build_absolute_uri(public_url)
        data["@id"] = f"{data['url']}#organisation"
    if organisation.alternate_name:
        data["alternateName"] = organisation.alternate_name
    description = bilingual(organisation, "description")
    if description:
        data["description"] = description
    telephones = [p.number for p in phones if p.kind != Phone.Kind.FAX]
    faxes = [p.number for p in phones if p.kind == Phone.Kind.FAX]
    if telephones:
        data["telephone"] = telephones[0] if len(telephones) == 1 else telephones
    if faxes:
        data["faxNumber"] = faxes[0] if len(faxes) == 1 else faxes
    if organisation.email:
        data["email"] = organisation.email
    if organisation.website:
        data["sameAs"] = [organisation.website]

    places = [_json_ld_place(location) for location in locations if not location.is_confidential]
    if places:
        addresses = [place["address"] for place in places]
        data["address"] = addresses[0] if len(addresses) == 1 else addresses
        data["location"] = places[0] if len(places) == 1 else places
    return data


def _json_ld_place(location: PublicLocation) -> dict:
    """A location that is not confidential as a schema.org Place, with its postal address."""
    address = {"@type": "PostalAddress"}
    street = location.street_address
    if street and location.unit:
        street = f"{street}, {location.unit}"
    if street:
        address["streetAddress"] = street
    if location.locality:
        address["addressLocality"] = location.locality
    if location.postal_code:
        address["postalCode"] = location.postal_code
    address.update({"addressRegion": "QC", "addressCountry": "CA"})
    place = {"@type": "Place", "address": address}
    if location.name:
        place["name"] = location.name
    if location.precise and location.longitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": round(location.latitude, 6),
            "longitude": round(location.longitude, 6),
        }
    return place


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

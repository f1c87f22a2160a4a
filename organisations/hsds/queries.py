"""The public rows behind each HSDS endpoint, and the filters HSDS defines.

Every list reads its page in a constant number of queries whatever the page size: the ids of
the page first, then the rows of those ids with their children prefetched.
"""

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from ..geocoding import GeocoderError, distance_km, get_geocoder
from ..models import (
    Category,
    Location,
    OpeningHours,
    Organisation,
    Service,
    Territory,
    format_postal_code,
)
from ..search import Search, Tree, run
from .serialise import TAXONOMY_ID, derived_id, term_id


class BadParameter(ValueError):
    """A query parameter that cannot be understood; the message says which and why."""


def public_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.public()


def public_services() -> QuerySet[Service]:
    return Service.objects.filter(organisation__in=public_organisations().values("pk")).order_by(
        "organisation__name", "organisation_id", "sort_order", "pk"
    )


def _public_location_rows() -> QuerySet[Location]:
    return (
        Location.objects.filter(address_is_confidential=False)
        .prefetch_related(Prefetch("hours", queryset=OpeningHours.objects.order_by("weekday")))
        .order_by("sort_order", "pk")
    )


def with_organisation_children(queryset: QuerySet, prefix: str = "") -> QuerySet:
    """Prefetch what an organisation's HSDS object holds (``prefix`` "organisation__" when
    reading services)."""
    return queryset.prefetch_related(
        f"{prefix}phones",
        Prefetch(f"{prefix}locations", queryset=_public_location_rows()),
    )


def services_full(ids: list[int]) -> list[Service]:
    """The services of ``ids`` in that order, with everything ``Serialiser.service`` reads."""
    rows = with_organisation_children(
        Service.objects.filter(pk__in=ids)
        .select_related("organisation")
        .prefetch_related("categories", "service_areas"),
        "organisation__",
    ).in_bulk()
    return [rows[pk] for pk in ids if pk in rows]


def organisations_full(ids: list[int], *, services: bool) -> list[Organisation]:
    queryset = with_organisation_children(Organisation.objects.filter(pk__in=ids))
    if services:
        queryset = queryset.prefetch_related(
            Prefetch(
                "services",
                queryset=Service.objects.order_by("sort_order", "pk").prefetch_related(
                    "categories", "service_areas"
                ),
            )
        )
    rows = queryset.in_bulk()
    return [rows[pk] for pk in ids if pk in rows]


# --- Filters ---------------------------------------------------------------------------------------


def parse_modified_after(text: str) -> datetime:
    """An ISO 8601 date or date-time; a date-time without an offset is Montréal time."""
    text = text.strip()
    moment = None
    try:
        moment = parse_datetime(text.replace(" ", "+", 1) if "T" in text else text)
        if moment is None and (day := parse_date(text)) is not None:
            moment = datetime(day.year, day.month, day.day)
    except ValueError:
        moment = None
    if moment is None:
        raise BadParameter("modified_after: use an ISO 8601 date or date-time, e.g. 2026-01-31.")
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        # Compared in UTC: a moment at either end of the calendar (9999-12-31T23:59-05:00)
        # has no UTC time, and would otherwise fail in the database driver.
        return moment.astimezone(UTC)
    except OverflowError:
        raise BadParameter("modified_after: this date is out of range.") from None


def category_for_term(term: str) -> Category | None:
    """Our need for a taxonomy term id (or its code, which is what people type). UUIDs are
    read in either case, as RFC 9562 asks (ours are written in lower case)."""
    term = term.lower()
    for category in Category.objects.all():
        if term in (term_id(category), category.code):
            return category
    return None


def filter_services(
    services: QuerySet[Service],
    *,
    search: str = "",
    taxonomy_term_id: str = "",
    taxonomy_id: str = "",
    organization_id: str = "",
    modified_after: datetime | None = None,
) -> QuerySet[Service]:
    if search.strip():
        # The public directory's index: the same words find the same organisations.
        found = run(Search(text=search)).ids
        services = services.filter(organisation_id__in=found)
    if taxonomy_term_id:
        category = category_for_term(taxonomy_term_id)
        if category is None:
            return services.none()
        services = services.filter(
            categories__in=[
                category.pk,
                *Tree.of(Category.objects.values_list("pk", "parent_id")).down(category.pk),
            ]
        ).distinct()
    if taxonomy_id:
        if taxonomy_id.lower() != TAXONOMY_ID:
            return services.none()
        services = services.filter(categories__isnull=False).distinct()
    if organization_id:
        if not _is_uuid(organization_id):
            return services.none()
        services = services.filter(organisation__uuid=organization_id)
    if modified_after is not None:
        services = services.filter(organisation__updated_at__gte=modified_after)
    return services


def filter_organisations(
    organisations: QuerySet[Organisation], *, search: str = "", modified_after=None
) -> QuerySet[Organisation]:
    if search.strip():
        organisations = organisations.filter(pk__in=run(Search(text=search)).ids)
    if modified_after is not None:
        organisations = organisations.filter(updated_at__gte=modified_after)
    return organisations


_UUID = re.compile(r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$")


def _is_uuid(text: str) -> bool:
    return bool(_UUID.match(text))


def by_uuid(queryset: QuerySet, text: str):
    """The row with this UUID, or ``None`` (also for something that is not a UUID)."""
    if not _is_uuid(text):
        return None
    return queryset.filter(uuid=text).first()


# --- Services at locations -------------------------------------------------------------------------


@dataclass(frozen=True)
class Postcode:
    """Where a postcode is: its centre, and the territory it is in (when known)."""

    code: str
    latitude: float | None
    longitude: float | None
    territory_id: int | None


_POSTCODE = re.compile(r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$")


def locate_postcode(text: str) -> Postcode:
    """A Canadian postal code's centre and territory: from our own public locations that have
    it (no request), else from the geocoder (cached)."""
    code = format_postal_code(text)
    if not _POSTCODE.match(code):
        raise BadParameter("postcode: use a Canadian postal code such as H2X 1Y4.")
    rows = list(
        Location.objects.filter(
            organisation__in=public_organisations().values("pk"),
            postal_code=code,
            address_is_confidential=False,
            latitude__isnull=False,
        ).values_list("latitude", "longitude", "municipality_id")
    )
    if rows:
        territories = [t for _lat, _lon, t in rows if t]
        return Postcode(
            code,
            sum(r[0] for r in rows) / len(rows),
            sum(r[1] for r in rows) / len(rows),
            max(set(territories), key=territories.count) if territories else None,
        )
    geocoder = get_geocoder()
    if geocoder.offline:
        raise BadParameter("postcode: this postal code is not known here.")
    try:
        answer = geocoder.lookup(f"{code}, QC, Canada", f"postcode|{code}", retries=0)
    except GeocoderError:
        raise BadParameter("postcode: this postal code could not be located just now.") from None
    if not answer.found:
        raise BadParameter("postcode: this postal code is not known here.")
    territory = geocoder._territory_named(answer.municipality) if answer.municipality else None
    return Postcode(code, answer.latitude, answer.longitude, territory.pk if territory else None)


def _related_territories(territory_id: int) -> set[int]:
    """The territory, those it is part of, and those inside it (an organisation serving Laval
    serves every part of Laval; one serving a borough serves part of the city)."""
    tree = Tree.of(Territory.objects.values_list("pk", "parent_id"))
    return {*tree.up(territory_id), *tree.down(territory_id)}


def service_location_pairs(
    services: QuerySet[Service],
    *,
    postcode: Postcode | None = None,
    proximity_m: float | None = None,
) -> list[tuple[int, int, float | None]]:
    """(service id, location id, metres from the postcode) for every public service at every
    public location of its organisation, in the services' order (nearest first with a
    proximity). With a postcode, only the services that cover it: one of their areas served
    holds it (or, for a service without areas, its place is there)."""
    rows = list(
        services.filter(organisation__locations__address_is_confidential=False).values_list(
            "pk",
            "organisation__locations__pk",
            "organisation__locations__latitude",
            "organisation__locations__longitude",
            "organisation__locations__municipality_id",
        )
    )
    if postcode is None:
        return [(s, loc, None) for s, loc, _lat, _lon, _m in rows]
    covering = None
    if postcode.territory_id:
        related = _related_territories(postcode.territory_id)
        with_areas = set(
            Service.service_areas.through.objects.filter(
                service_id__in={r[0] for r in rows}
            ).values_list("service_id", flat=True)
        )
        covering = set(
            Service.service_areas.through.objects.filter(
                service_id__in=with_areas, territory_id__in=related
            ).values_list("service_id", flat=True)
        )
    pairs = []
    for service_id, location_id, lat, lon, municipality_id in rows:
        if covering is not None:
            if service_id in with_areas and service_id not in covering:
                continue
            if service_id not in with_areas and municipality_id not in related:
                continue
        metres = None
        if postcode.latitude is not None and lat is not None:
            metres = distance_km((postcode.latitude, postcode.longitude), (lat, lon)) * 1000
        if proximity_m is not None and (metres is None or metres > proximity_m):
            continue
        pairs.append((service_id, location_id, metres))
    if proximity_m is not None:
        pairs.sort(key=lambda pair: pair[2])
    return pairs


def service_at_location_by_id(text: str) -> tuple[Service, Location] | None:
    """The public service and location an id of ``service_at_location`` stands for. Derived
    ids cannot be read backwards: the pairs are scanned (about 8,000 for the 211's 6,000
    records, a few milliseconds; this endpoint is for following a link, not for paging)."""
    if not _is_uuid(text):
        return None
    wanted = text.lower()
    for service_id, location_id, service_uuid, location_uuid in (
        public_services()
        .filter(organisation__locations__address_is_confidential=False)
        .values_list("pk", "organisation__locations__pk", "uuid", "organisation__locations__uuid")
        .iterator(chunk_size=5_000)
    ):
        if derived_id("service_at_location", service_uuid, location_uuid) == wanted:
            [service] = services_full([service_id])
            location = next(x for x in service.organisation.locations.all() if x.pk == location_id)
            return service, location
    return None


def page_bounds(total: int, page: int, per_page: int) -> dict:
    pages = math.ceil(total / per_page) if total else 0
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "first_page": page == 1,
        "last_page": page >= pages,
    }

"""The quality checks: each a small declarative unit with a code, a severity, a message and a
fix hint in both languages, and a function finding its problems on one record.

A check reads a :class:`Record`: a record as curators edit it (the latest version, the pending
draft if there is one) with its services, places and phones as plain lists, and what every check
shares (:class:`Context`: today, the metropolitan area's bounds, the postal region of each
territory, the websites' last answers). It does no query of its own: the whole base is checked a
chunk at a time.

Severity follows what the public meets: a record nobody can reach, a phone number that cannot be
dialled, a place put outside the region are severe; what misleads or slows a search is a warning;
what would make a record better is a notice.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..models import Location, Organisation, Phone, Service, Severity

STALE_CLOSURE_DAYS = 90

POSTAL_CODE = re.compile(r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d$")
WEB_ADDRESS = re.compile(r"^https?://[^\s/]+\.[^\s]+$", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """One problem on a record: which check, and where (the record itself, or one of its
    services, places or phones, and the field)."""

    code: str
    part: str = "organisation"
    child_uuid: str | None = None
    field: str = ""
    value: str = ""


@dataclass(frozen=True)
class Record:
    """A record as the checks read it: the organisation (its pending draft if it has one) and its
    children as plain lists, each read once. At 60,000 records a check must not go through a
    related manager: every ``.all()`` clones a queryset, even a prefetched one.

    The services with a need, the services with an area served and the places with opening hours
    are sets of the children's UUIDs (a draft's new children have no primary key yet)."""

    organisation: Organisation
    services: list[Service]
    locations: list[Location]
    phones: list[Phone]
    services_with_categories: set[UUID]
    services_with_areas: set[UUID]
    locations_with_hours: set[UUID]

    @classmethod
    def of(cls, organisation: Organisation) -> "Record":
        """Read through the organisation's relations: in memory for a draft made from its
        revision, queries for a saved row (unless prefetched). ``quality_recompute`` reads
        saved rows in bulk instead."""
        services = list(organisation.services.all())
        locations = list(organisation.locations.all())
        return cls(
            organisation=organisation,
            services=services,
            locations=locations,
            phones=list(organisation.phones.all()),
            services_with_categories={s.uuid for s in services if s.categories.all()},
            services_with_areas={s.uuid for s in services if s.service_areas.all()},
            locations_with_hours={place.uuid for place in locations if place.hours.all()},
        )


@dataclass
class Context:
    today: date
    bounds: tuple[tuple[float, float], tuple[float, float]]
    postal_letters: dict[int, str] = field(default_factory=dict)  # territory -> H or J
    broken_links: dict[str, str] = field(default_factory=dict)  # url -> what it answered


@dataclass(frozen=True)
class Check:
    code: str
    severity: str
    family: str
    message: Promise
    hint: Promise
    find: Callable[[Record, Context], Iterable[Finding]]


CHECKS: list[Check] = []


def check(code: str, severity: str, family: str, message: Promise, hint: Promise):
    def register(find):
        CHECKS.append(Check(code, severity, family, message, hint, find))
        return find

    return register


def _codes(languages: str) -> set[str]:
    return {code.strip() for code in (languages or "").split(",") if code.strip()}


# --- Missing ---------------------------------------------------------------------------------------


@check(
    "no_contact_means",
    Severity.SEVERE,
    "missing",
    _("No way to reach the organisation: no phone, no email, no website."),
    _("Add at least a phone number, a public email or a website."),
)
def _no_contact_means(record, context):
    organisation = record.organisation
    if not (record.phones or organisation.email or organisation.website):
        yield Finding("no_contact_means", field="phones")


@check(
    "service_without_category",
    Severity.WARNING,
    "missing",
    _("A service is filed under no need: searches by need will not find it."),
    _("Choose the needs the service meets."),
)
def _service_without_category(record, context):
    for service in record.services:
        if service.uuid not in record.services_with_categories:
            yield Finding(
                "service_without_category", "service", str(service.uuid), "categories",
                service.name_fr,
            )  # fmt: skip


@check(
    "service_without_area",
    Severity.WARNING,
    "missing",
    _("A service says no area served: searches by place will not find it."),
    _("Choose the municipalities, boroughs or sectors the service serves."),
)
def _service_without_area(record, context):
    for service in record.services:
        if service.uuid not in record.services_with_areas:
            yield Finding(
                "service_without_area", "service", str(service.uuid), "service_areas",
                service.name_fr,
            )  # fmt: skip


@check(
    "no_description_fr",
    Severity.WARNING,
    "missing",
    _("No description in French."),
    _("Describe in a few sentences what the organisation does, for whom."),
)
def _no_description_fr(record, context):
    if not record.organisation.description_fr.strip():
        yield Finding("no_description_fr", field="description_fr")


@check(
    "no_description_en",
    Severity.NOTICE,
    "missing",
    _("The organisation serves English speakers but has no English description."),
    _("Add the description in English."),
)
def _no_description_en(record, context):
    organisation = record.organisation
    serves_english = organisation.preferred_language == "en" or any(
        "en" in _codes(s.languages) for s in record.services
    )
    if serves_english and not organisation.description_en.strip():
        yield Finding("no_description_en", field="description_en")


@check(
    "no_update_contact",
    Severity.NOTICE,
    "missing",
    _("No contact for the yearly update."),
    _("Add the email or phone of the person who updates the record."),
)
def _no_update_contact(record, context):
    organisation = record.organisation
    if not (organisation.update_contact_email or organisation.update_contact_phone):
        yield Finding("no_update_contact", field="update_contact_email")


@check(
    "no_opening_hours",
    Severity.NOTICE,
    "missing",
    _("No opening hours."),
    _("Add the opening hours of the organisation's places."),
)
def _no_opening_hours(record, context):
    if not record.locations_with_hours:
        yield Finding("no_opening_hours", field="locations")


# --- Malformed -------------------------------------------------------------------------------------


def phone_is_valid(number: str) -> bool:
    """A number ``phonenumbers`` accepts for Canada. Canada's numbering plan includes the toll-free
    codes the North American plan shares (1 800, 888, ...), which ``region_code_for_number``
    would give to the United States; asking for Canada alone is also a third of the cost (it
    matches one region's patterns, not the twenty-odd of country code 1)."""
    try:
        parsed = phonenumbers.parse(number, "CA")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number_for_region(parsed, "CA")


@check(
    "phone_invalid",
    Severity.SEVERE,
    "malformed",
    _("A phone number is not a valid Canadian number."),
    _("Correct the number (ten digits with the area code, e.g. 514 555-1234)."),
)
def _phone_invalid(record, context):
    for phone in record.phones:
        if not phone_is_valid(phone.number):
            yield Finding("phone_invalid", "phone", str(phone.uuid), "number", phone.number)


@check(
    "postal_code_format",
    Severity.WARNING,
    "malformed",
    _("A postal code is not in the Canadian format."),
    _("Write it like H2X 1Y4: letter, digit, letter, space, digit, letter, digit."),
)
def _postal_code_format(record, context):
    for location in record.locations:
        code = location.postal_code
        if code and not POSTAL_CODE.match(code):
            yield Finding("postal_code_format", "location", str(location.uuid), "postal_code", code)


@check(
    "postal_code_region",
    Severity.WARNING,
    "malformed",
    _(
        "A postal code does not belong to the municipality's region (H for Montréal and Laval, J "
        "for the rest of the metropolitan area)."
    ),
    _("Check the postal code and the municipality of the place."),
)
def _postal_code_region(record, context):
    for location in record.locations:
        code = location.postal_code
        expected = context.postal_letters.get(location.municipality_id)
        if code and expected and POSTAL_CODE.match(code) and code[0] != expected:
            yield Finding("postal_code_region", "location", str(location.uuid), "postal_code", code)


def email_is_valid(value: str) -> bool:
    try:
        EmailValidator()(value)
    except ValidationError:
        return False
    return True


@check(
    "email_invalid",
    Severity.WARNING,
    "malformed",
    _("An email address is not valid."),
    _("Correct the address (name@domain.ca)."),
)
def _email_invalid(record, context):
    for name in ("email", "update_contact_email"):
        value = getattr(record.organisation, name)
        if value and not email_is_valid(value):
            yield Finding("email_invalid", field=name, value=value)


@check(
    "website_not_http",
    Severity.WARNING,
    "malformed",
    _("The website address does not start with http:// or https://."),
    _("Write the whole address, e.g. https://www.example.org."),
)
def _website_not_http(record, context):
    website = record.organisation.website
    if website and not WEB_ADDRESS.match(website):
        yield Finding("website_not_http", field="website", value=website)


# --- Geographic ------------------------------------------------------------------------------------


def _mapped(record: Record) -> list[Location]:
    """The places the public search and map put at their own point. A confidential address (a
    shelter) is only ever shown at its municipality's centre (``selectors.public_location``,
    ``search._index``), so its coordinates, or their lack, mislead no one."""
    return [location for location in record.locations if not location.address_is_confidential]


@check(
    "no_coordinates",
    Severity.WARNING,
    "geographic",
    _("A place has no map position: searches by distance cannot place it."),
    _("Geocode the place again, or put its pin on the map."),
)
def _no_coordinates(record, context):
    for location in _mapped(record):
        if location.street_address and location.latitude is None:
            yield Finding(
                "no_coordinates", "location", str(location.uuid), "latitude",
                location.street_address,
            )  # fmt: skip


@check(
    "doubtful_geocode",
    Severity.WARNING,
    "geographic",
    _("A place's map position is doubtful."),
    _("Check the pin on the map and move it if needed."),
)
def _doubtful_geocode(record, context):
    for location in _mapped(record):
        if location.geocode_doubt and not location.coordinates_locked:
            yield Finding(
                "doubtful_geocode", "location", str(location.uuid), "latitude",
                location.get_geocode_doubt_display(),
            )  # fmt: skip


@check(
    "outside_cmm",
    Severity.SEVERE,
    "geographic",
    _("A place is put outside the metropolitan area."),
    _("Check the address and the pin on the map."),
)
def _outside_cmm(record, context):
    (south, west), (north, east) = context.bounds
    for location in _mapped(record):
        lat, lon = location.latitude, location.longitude
        if (
            lat is not None
            and lon is not None
            and not (south <= lat <= north and west <= lon <= east)
        ):
            yield Finding(
                "outside_cmm", "location", str(location.uuid), "latitude", f"{lat:.5f}, {lon:.5f}"
            )


# --- Out of date -----------------------------------------------------------------------------------


@check(
    "verification_overdue",
    Severity.WARNING,
    "stale",
    _("The yearly verification is overdue."),
    _("Confirm the record with the organisation, or send it an update request."),
)
def _verification_overdue(record, context):
    organisation = record.organisation
    if organisation.last_verified_at is None:
        yield Finding("verification_overdue", field="last_verified_at", value="—")
    elif organisation.next_review_due and organisation.next_review_due < context.today:
        yield Finding(
            "verification_overdue",
            field="next_review_due",
            value=organisation.next_review_due.isoformat(),
        )


@check(
    "closed_for_long",
    Severity.WARNING,
    "stale",
    _("A service has been temporarily closed for more than 90 days."),
    _("Ask whether it has reopened, or mark it inactive."),
)
def _closed_for_long(record, context):
    limit = context.today - timedelta(days=STALE_CLOSURE_DAYS)
    for service in record.services:
        if service.status == Service.Status.TEMPORARILY_CLOSED and (
            service.status_changed_at is None or service.status_changed_at < limit
        ):
            since = service.status_changed_at.isoformat() if service.status_changed_at else "—"
            yield Finding("closed_for_long", "service", str(service.uuid), "status", since)


@check(
    "website_error",
    Severity.WARNING,
    "stale",
    _("The website answered with an error the last time it was checked."),
    _("Find the organisation's new address, or remove the website."),
)
def _website_error(record, context):
    website = record.organisation.website
    answer = context.broken_links.get(website)
    if website and answer:
        yield Finding("website_error", field="website", value=answer)


CHECKS_BY_CODE = {c.code: c for c in CHECKS}
SEVERITY_ORDER = {Severity.SEVERE: 0, Severity.WARNING: 1, Severity.NOTICE: 2}


def findings(record: Record | Organisation, context: Context) -> list[tuple[Check, Finding]]:
    """Every problem of one record, most severe first. Given an organisation (the one an admin
    page shows, a draft made from its revision), its relations are read through
    :meth:`Record.of`."""
    if not isinstance(record, Record):
        record = Record.of(record)
    found = [(c, f) for c in CHECKS for f in c.find(record, context)]
    return sorted(found, key=lambda pair: SEVERITY_ORDER[pair[0].severity])

"""Fixtures for the HSDS API: a full record with every child type, and the official schemas.

The schemas are read from the vendored copies only: the compiled ones (each object with its
children inlined) from ``tests/data/hsds-3.0/compiled/``, the per-object ones (``taxonomy.json``,
``taxonomy_term.json``... with relative ``$ref``) from ``organisations/hsds/spec/schema/``, each
registered under its official URL. The registry has no way to fetch anything: a reference to a
file we do not have fails the test instead of reaching the network.
"""

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from organisations.factories import (
    LocationFactory,
    OpeningHoursFactory,
    OrganisationFactory,
    PhoneFactory,
    ServiceFactory,
    category,
    territory,
)
from organisations.hsds import zone
from organisations.models import Location, Organisation, Phone, Service

API = "/api/hsds"
OFFICIAL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
COMPILED = Path(__file__).resolve().parents[2] / "data" / "hsds-3.0" / "compiled"
OBJECTS = Path(settings.BASE_DIR) / "organisations" / "hsds" / "spec" / "schema"
PAGE_FIELDS = (
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
)

# --- Schemas --------------------------------------------------------------------------------------


def _registry() -> Registry:
    def resource(path: Path) -> Resource:
        # The HSDS files name no draft; HSDS 3.0 is written for JSON Schema 2020-12.
        return Resource.from_contents(
            json.loads(path.read_text()), default_specification=DRAFT202012
        )

    pairs = [(f"{OFFICIAL}{path.name}", resource(path)) for path in OBJECTS.glob("*.json")]
    pairs += [
        (f"{OFFICIAL}compiled/{path.name}", resource(path)) for path in COMPILED.glob("*.json")
    ]
    return Registry().with_resources(pairs)


# jsonschema checks "uri" and "date-time" only when optional packages are installed; without
# them both formats pass anything. These two checks are the RFCs' syntax, enough to catch a
# relative link or a date written another way.
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$", re.ASCII
)
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")


def _format_checker() -> FormatChecker:
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def date_time(value) -> bool:
        if not isinstance(value, str):
            return True
        if not _RFC3339.match(value):
            return False
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        return True

    @checker.checks("uri")
    def uri(value) -> bool:
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        if parts.scheme in ("http", "https") and not parts.netloc:
            return False
        return bool(_URI.match(value))

    return checker


class Schemas:
    """``schemas.check(instance, "compiled/service.json")``: every error at once, or nothing."""

    def __init__(self):
        self.registry = _registry()
        self.format_checker = _format_checker()
        self._validators: dict[str, Draft202012Validator] = {}

    def validator(self, name: str) -> Draft202012Validator:
        if name not in self._validators:
            self._validators[name] = Draft202012Validator(
                {"$ref": f"{OFFICIAL}{name}"},
                registry=self.registry,
                format_checker=self.format_checker,
            )
        return self._validators[name]

    def page_validator(self, item: str) -> Draft202012Validator:
        """The paging envelope of the official OpenAPI document (its ``Page`` schema, with
        every field required) around items of ``item``."""
        key = f"page:{item}"
        if key not in self._validators:
            self._validators[key] = Draft202012Validator(
                {
                    "allOf": [{"$ref": f"{OFFICIAL}openapi.json#/components/schemas/Page"}],
                    "required": list(PAGE_FIELDS),
                    "properties": {
                        "total_items": {"minimum": 0},
                        "total_pages": {"minimum": 0},
                        "page_number": {"minimum": 1},
                        "size": {"minimum": 0},
                        "contents": {"type": "array", "items": {"$ref": f"{OFFICIAL}{item}"}},
                    },
                },
                registry=self.registry,
                format_checker=self.format_checker,
            )
        return self._validators[key]

    @staticmethod
    def _problems(validator, instance) -> list[str]:
        return sorted(
            f"{error.json_path}: {error.message[:300]}" for error in validator.iter_errors(instance)
        )

    def check(self, instance, name: str) -> None:
        problems = self._problems(self.validator(name), instance)
        assert not problems, "\n".join(problems)

    def check_page(self, page, item: str) -> None:
        problems = self._problems(self.page_validator(item), page)
        assert not problems, "\n".join(problems)


@pytest.fixture(scope="session")
def schemas() -> Schemas:
    return Schemas()


# --- The day of the answer ------------------------------------------------------------------------

WINTER = date(2026, 1, 12)  # a Monday of Eastern Standard Time: UTC-5
SUMMER = date(2026, 7, 13)  # a Monday of Eastern Daylight Time: UTC-4
BEFORE_FALL_BACK = date(2026, 10, 31)  # a Saturday; the clocks go back on Sunday 1 November


@pytest.fixture
def today(monkeypatch):
    """``today(day)``: answers (and packages) are made as on ``day`` in Montréal."""

    def set_day(day: date) -> date:
        monkeypatch.setattr(zone, "today", lambda: day)
        return day

    set_day(WINTER)
    return set_day


# --- Requests -------------------------------------------------------------------------------------


@pytest.fixture
def api(client):
    """``api(path, **params)``: a GET under /api/hsds/; headers as ``headers={...}``."""

    def get(path: str, headers: dict | None = None, **params):
        return client.get(f"{API}{path}", params, headers=headers or {})

    return get


# --- The full record ------------------------------------------------------------------------------


@dataclass
class FullRecord:
    organisation: Organisation
    food: Service  # bilingual, filed under two needs, serving two boroughs
    transport: Service  # French only, temporarily closed, serving the whole of Montréal
    plateau: Location  # in a borough, with a unit, hours and accessibility
    verdun: Location
    confidential: Location  # a shelter: must never appear
    draft: Organisation  # never published
    draft_service: Service
    closed: Organisation  # archived
    closed_service: Service


CONFIDENTIAL = {
    "street_address": "4321, rue du Refuge-Caché",
    "postal_code": "H4E 9Z9",
    "latitude": 45.4711234,
    "longitude": -73.5844321,
}


@pytest.fixture
def full_record(db) -> FullRecord:
    organisation = OrganisationFactory(
        name="Maison d'entraide du Plateau",
        slug="maison-entraide-plateau",
        alternate_name="MEP",
        description_fr="Dépannage alimentaire, accompagnement et hébergement.",
        description_en="Emergency food, accompaniment and shelter.",
        email="info@mep.example.org",
        website="https://mep.example.org/",
        legal_status=Organisation.LegalStatus.CHARITY,
        enterprise_number="1141234567",
        charity_number="123456789RR0001",
        # An evening call in Montréal, already the next day in UTC.
        last_verified_at=datetime(2026, 3, 15, 1, 30, tzinfo=UTC),
    )
    for kind, extension, label_fr, label_en in (
        (Phone.Kind.VOICE, "204", "Accueil", "Reception"),
        (Phone.Kind.FAX, "", "", ""),
        (Phone.Kind.TTY, "", "ATS", "TTY"),
        (Phone.Kind.TOLL_FREE, "", "", ""),
        (Phone.Kind.TEXT, "", "Texto", "Text"),
    ):
        PhoneFactory(
            organisation=organisation,
            number="+18005551234" if kind == Phone.Kind.TOLL_FREE else "+15145551234",
            kind=kind,
            extension=extension,
            label_fr=label_fr,
            label_en=label_en,
        )
    plateau = LocationFactory(
        organisation=organisation,
        name="Point de service du Plateau",
        street_address="1234, rue Saint-Denis",
        unit="bureau 200",
        municipality=territory("le-plateau-mont-royal"),
        postal_code="H2X 3J7",
        latitude=45.5191,
        longitude=-73.5696,
        accessibility_fr="Rampe d'accès et ascenseur.",
        accessibility_en="Ramp and lift.",
        sort_order=0,
    )
    for weekday in range(1, 6):
        OpeningHoursFactory(location=plateau, weekday=weekday, opens="09:00", closes="12:00")
    OpeningHoursFactory(
        location=plateau, weekday=3, opens="13:00", closes="16:30", note_fr="Sur rendez-vous"
    )
    verdun = LocationFactory(
        organisation=organisation,
        street_address="4000, rue Wellington",
        municipality=territory("verdun"),
        postal_code="H4G 1V4",
        latitude=45.4620,
        longitude=-73.5690,
        sort_order=1,
    )
    OpeningHoursFactory(
        location=verdun, weekday=6, opens=None, closes=None, note_fr="Fermé", note_en="Closed"
    )
    confidential = LocationFactory(
        organisation=organisation,
        name="Hébergement",
        municipality=territory("verdun"),
        address_is_confidential=True,
        accessibility_fr="Chambre adaptée au refuge",
        sort_order=2,
        **CONFIDENTIAL,
    )
    OpeningHoursFactory(location=confidential, weekday=7, opens="00:00", closes="23:59")
    food = ServiceFactory(
        organisation=organisation,
        name_fr="Dépannage alimentaire",
        name_en="Emergency food",
        description_fr="Paniers de provisions chaque semaine.",
        description_en="Weekly food baskets.",
        eligibility_fr="Résidents du Plateau et de Verdun.",
        eligibility_en="Residents of the Plateau and Verdun.",
        fees_fr="Gratuit.",
        fees_en="Free.",
        application_process_fr="Appelez pour un rendez-vous.",
        application_process_en="Call for an appointment.",
        languages="fr, en, es",
        categories=[category("banques-alimentaires"), category("popote-roulante")],
        service_areas=[territory("le-plateau-mont-royal"), territory("verdun")],
        sort_order=0,
    )
    transport = ServiceFactory(
        organisation=organisation,
        name_fr="Accompagnement-transport médical",
        name_en="",
        description_fr="Des bénévoles vous conduisent à vos rendez-vous.",
        description_en="",
        eligibility_fr="Personnes aînées.",
        languages="fr",
        status=Service.Status.TEMPORARILY_CLOSED,
        categories=[category("accompagnement-medical")],
        service_areas=[territory("montreal")],
        sort_order=1,
    )
    draft = OrganisationFactory(
        name="Brouillon jamais publié", live=False, has_unpublished_changes=True
    )
    draft_service = ServiceFactory(organisation=draft, name_fr="Service en préparation")
    LocationFactory(organisation=draft, municipality=territory("verdun"))
    closed = OrganisationFactory(name="Ancien centre fermé", status=Organisation.Status.CLOSED)
    closed_service = ServiceFactory(organisation=closed, name_fr="Service disparu")
    LocationFactory(organisation=closed, municipality=territory("verdun"))
    return FullRecord(
        organisation=organisation,
        food=food,
        transport=transport,
        plateau=plateau,
        verdun=verdun,
        confidential=confidential,
        draft=draft,
        draft_service=draft_service,
        closed=closed,
        closed_service=closed_service,
    )

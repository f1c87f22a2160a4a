"""Our public records as HSDS 3.0 objects.

What the public may know is decided here, once, for the API and the data package alike: live
rows only (the querysets in :mod:`.queries`), no private contacts or partner ids, and no trace of
a confidential address: such a location is left out entirely (its point, its hours, its
``service_at_location``), since even a municipality's centre would say a shelter is in town.

Every object has a stable id. Rows of ours carry their own UUID; objects HSDS has and we do not
store as rows (an address, a service area, a language, a service at a location, a taxonomy term,
the link between a service and a term) get a UUID derived by name (``uuid5``) from what they are
made of, so the same object has the same id in every response and every export.

Bilingual fields come in the requested language, falling back to French. Empty values are left
out: HSDS fields are typed (a ``null`` where a string is expected does not validate).
"""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, time

from django.conf import settings
from django.utils import timezone

from ..models import Category, Location, Organisation, Phone, Service, Territory
from ..public_site import organisation_url
from . import zone

# Répertoire's namespace for the ids derived by name (uuid5); never change it.
NAMESPACE = uuid.UUID("6f1f7c1e-2d3b-5a8e-9c4b-211e0a7c3d50")

WEEKDAYS = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}

LANGUAGE_NAMES = {  # the languages services say they offer, named in each of our languages
    "fr": ("Français", "French"),
    "en": ("Anglais", "English"),
    "es": ("Espagnol", "Spanish"),
    "ar": ("Arabe", "Arabic"),
    "zh": ("Chinois", "Chinese"),
    "it": ("Italien", "Italian"),
    "pt": ("Portugais", "Portuguese"),
    "ht": ("Créole haïtien", "Haitian Creole"),
    "vi": ("Vietnamien", "Vietnamese"),
    "fa": ("Persan", "Persian"),
    "ru": ("Russe", "Russian"),
    "ta": ("Tamoul", "Tamil"),
    "ur": ("Ourdou", "Urdu"),
    "pa": ("Pendjabi", "Punjabi"),
    "tl": ("Tagalog", "Tagalog"),
    "ro": ("Roumain", "Romanian"),
    "el": ("Grec", "Greek"),
    "pl": ("Polonais", "Polish"),
    "iu": ("Inuktitut", "Inuktitut"),
    "cr": ("Cri", "Cree"),
    "ase": ("Langue des signes américaine", "American Sign Language"),
    "fsl": ("Langue des signes québécoise", "Quebec Sign Language"),
}

TAXONOMY_NAME = {"fr": "Besoins du 211 du Grand Montréal", "en": "211 Greater Montréal needs"}
TAXONOMY_DESCRIPTION = {
    "fr": "L'arbre des besoins du répertoire : chaque service y est classé par besoin.",
    "en": "The directory's tree of needs: every service is filed under the needs it meets.",
}
TAXONOMY_VERSION = "1"


def derived_id(*parts) -> str:
    """A stable UUID for an object made of ``parts`` (uuid5 in Répertoire's namespace)."""
    return str(uuid.uuid5(NAMESPACE, ":".join(str(part) for part in parts)))


TAXONOMY_ID = derived_id("taxonomy", "needs")


def term_id(category: Category) -> str:
    return derived_id("taxonomy_term", category.code)


def service_at_location_id(service: Service, location: Location) -> str:
    return derived_id("service_at_location", service.uuid, location.uuid)


def _compact(values: dict) -> dict:
    """Leave out what is empty (HSDS fields are typed: no ``null`` for a missing string)."""
    return {key: value for key, value in values.items() if value not in (None, "")}


def _iso(moment) -> str:
    """A datetime in UTC with milliseconds, as HSDS's ``last_modified`` asks."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class Serialiser:
    """Our rows as HSDS objects in one language. Holds what every object of a response shares
    (the places and needs, the public site's address), read once per response."""

    language: str = "fr"
    site_url: str = ""
    organisation_base_url: str = ""
    territories: dict[int, Territory] = field(default_factory=dict)
    categories: dict[int, Category] = field(default_factory=dict)
    # The day of the answer in Montréal: schedules' offsets are those of their next day from it.
    today: date = field(default_factory=lambda: zone.today())

    @classmethod
    def for_language(cls, language: str, today: date | None = None) -> "Serialiser":
        site_url = settings.WAGTAILADMIN_BASE_URL
        base = organisation_url("", language)
        territories = {t.pk: t for t in Territory.objects.all()}
        for territory in territories.values():  # parents without a query each
            territory.parent = territories.get(territory.parent_id)
        return cls(
            language=language,
            site_url=site_url,
            organisation_base_url=f"{site_url}{base.removesuffix('/')}" if base else "",
            territories=territories,
            categories={c.pk: c for c in Category.objects.all()},
            today=today or zone.today(),
        )

    # --- Helpers ----------------------------------------------------------------------------------

    def text(self, obj, name: str) -> str:
        """``<name>_<language>``, falling back to the French text."""
        if self.language != "fr":
            value = getattr(obj, f"{name}_{self.language}", "")
            if value:
                return value
        return getattr(obj, f"{name}_fr", "")

    def territory_name(self, territory: Territory | None) -> str:
        if territory is None:
            return ""
        return (territory.name_en if self.language == "en" else "") or territory.name

    def _locality(self, territory: Territory | None) -> str:
        """The municipality a letter is addressed to (Montréal for a borough of Montréal)."""
        node = territory
        while node is not None:
            if node.kind == Territory.Kind.MUNICIPALITY:
                return self.territory_name(node)
            node = node.parent
        return self.territory_name(territory)

    def organisation_url(self, organisation: Organisation) -> str:
        if not (self.organisation_base_url and organisation.slug):
            return ""
        return f"{self.organisation_base_url}{organisation.slug}/"

    # --- Taxonomy ---------------------------------------------------------------------------------

    def taxonomy(self) -> dict:
        return {
            "id": TAXONOMY_ID,
            "name": TAXONOMY_NAME[self.language],
            "description": TAXONOMY_DESCRIPTION[self.language],
            "uri": f"{self.site_url}/api/hsds/taxonomies/{TAXONOMY_ID}",
            "version": TAXONOMY_VERSION,
        }

    def taxonomy_term(self, category: Category, *, with_taxonomy: bool = False) -> dict:
        parent = self.categories.get(category.parent_id) if category.parent_id else None
        term = _compact(
            {
                "id": term_id(category),
                "code": category.code,
                "name": self.text(category, "name"),
                "description": self.text(category, "description") or self.text(category, "name"),
                "parent_id": term_id(parent) if parent else None,
                "taxonomy": TAXONOMY_NAME[self.language],
                "taxonomy_id": TAXONOMY_ID,
                "language": self.language,
                "term_uri": f"{self.site_url}/api/hsds/taxonomy_terms/{term_id(category)}",
            }
        )
        if with_taxonomy:
            term["taxonomy_detail"] = self.taxonomy()
        return term

    # --- Organisation -----------------------------------------------------------------------------

    def organisation_identifiers(self, organisation: Organisation) -> list[dict]:
        """The numbers public registries give (Québec's enterprise register, the CRA's charity
        register). Partner files' ids are ours to match imports, not published."""
        rows = []
        for kind, scheme, value in (
            ("NEQ", "CA-QC-REQ", organisation.enterprise_number),
            ("charity registration number", "CA-CRA_ACR", organisation.charity_number),
        ):
            if value:
                rows.append(
                    {
                        "id": derived_id("organization_identifier", organisation.uuid, scheme),
                        "organization_id": str(organisation.uuid),
                        "identifier_scheme": scheme,
                        "identifier_type": kind,
                        "identifier": value,
                    }
                )
        return rows

    def organisation(
        self, organisation: Organisation, *, nested: bool = True, services: list | None = None
    ) -> dict:
        """``organization``: with ``nested``, its phones, locations and identifiers; with
        ``services``, those services (already serialised)."""
        data = _compact(
            {
                "id": str(organisation.uuid),
                "name": organisation.name,
                "alternate_name": organisation.alternate_name,
                "description": self.text(organisation, "description"),
                "email": organisation.email,
                "website": organisation.website,
                "tax_status": (
                    "registered charity"
                    if organisation.legal_status == Organisation.LegalStatus.CHARITY
                    else ""
                ),
                "tax_id": organisation.charity_number,
                "legal_status": organisation.get_legal_status_display()
                if organisation.legal_status
                else "",
                "uri": self.organisation_url(organisation),
            }
        )
        data.setdefault("description", "")  # required by HSDS, even when we have none yet
        if nested:
            data["phones"] = [
                self.phone(p, organisation=organisation) for p in _phones(organisation)
            ]
            data["locations"] = [self.location(loc) for loc in public_locations(organisation)]
            data["organization_identifiers"] = self.organisation_identifiers(organisation)
        if services is not None:
            data["services"] = services
        return data

    def phone(self, phone: Phone, *, organisation: Organisation) -> dict:
        return _compact(
            {
                "id": str(phone.uuid),
                "organization_id": str(organisation.uuid),
                "number": phone.number,
                "extension": int(phone.extension) if phone.extension else None,
                "type": {"toll_free": "voice", "tty": "textphone"}.get(phone.kind, phone.kind),
                "description": self.text(phone, "label")
                or (phone.get_kind_display() if phone.kind == Phone.Kind.TOLL_FREE else ""),
            }
        )

    # --- Location ---------------------------------------------------------------------------------

    def address(self, location: Location) -> dict:
        municipality = self.territories.get(location.municipality_id)
        return _compact(
            {
                "id": derived_id("address", location.uuid),
                "location_id": str(location.uuid),
                "address_1": location.street_address,
                "address_2": location.unit,
                "city": self._locality(municipality),
                "region": self.territory_name(municipality)
                if municipality and municipality.kind != Territory.Kind.MUNICIPALITY
                else "",
                "state_province": "QC",
                "postal_code": location.postal_code,
                "country": "CA",
                "address_type": "physical",
            }
        )

    def schedules(self, location: Location) -> list[dict]:
        """Opening hours as weekly iCal-style schedules, one per day and span, in Montréal's
        local time with its offset from UTC on the next day each happens (see :mod:`.zone`):
        ``opens_at`` ``09:00-05:00`` and ``timezone`` -5 in winter, -04:00 and -4 in summer."""
        rows = []
        for hours in sorted(location.hours.all(), key=lambda h: (h.weekday, h.opens or time.min)):
            day = zone.next_on(hours.weekday, self.today)
            offset = zone.offset_at(day, hours.opens or hours.closes or time(12))
            rows.append(
                _compact(
                    {
                        "id": str(hours.uuid),
                        "location_id": str(location.uuid),
                        "timezone": zone.hours(offset),
                        "freq": "WEEKLY",
                        "wkst": "MO",
                        "byday": WEEKDAYS[hours.weekday],
                        "opens_at": zone.with_offset(hours.opens, offset) if hours.opens else None,
                        # Its own offset: on the night the clocks change, a span across 2:00
                        # opens in one and closes in the other.
                        "closes_at": zone.with_offset(
                            hours.closes, zone.offset_at(day, hours.closes)
                        )
                        if hours.closes
                        else None,
                        "description": self.text(hours, "note"),
                        "attending_type": "in person",
                    }
                )
            )
        return rows

    def location(self, location: Location, *, nested: bool = True) -> dict:
        data = _compact(
            {
                "id": str(location.uuid),
                "location_type": "physical",
                "organization_id": str(location.organisation.uuid),
                "name": location.name,
                "latitude": location.latitude,
                "longitude": location.longitude,
            }
        )
        if nested:
            data["addresses"] = [self.address(location)] if location.street_address else []
            data["schedules"] = self.schedules(location)
            accessibility = self.text(location, "accessibility")
            data["accessibility"] = (
                [
                    {
                        "id": derived_id("accessibility", location.uuid),
                        "location_id": str(location.uuid),
                        "description": accessibility,
                    }
                ]
                if accessibility
                else []
            )
        return data

    # --- Service ----------------------------------------------------------------------------------

    def _languages(self, service: Service) -> list[dict]:
        rows = []
        for code in dict.fromkeys(c.strip() for c in service.languages.split(",") if c.strip()):
            names = LANGUAGE_NAMES.get(code)
            rows.append(
                _compact(
                    {
                        "id": derived_id("language", service.uuid, code),
                        "service_id": str(service.uuid),
                        "name": names[self.language == "en"] if names else code,
                        "code": code,
                    }
                )
            )
        return rows

    def _service_areas(self, service: Service) -> list[dict]:
        rows = []
        for territory in sorted(service.service_areas.all(), key=lambda t: t.name):
            territory = self.territories.get(territory.pk, territory)
            rows.append(
                _compact(
                    {
                        "id": derived_id("service_area", service.uuid, territory.slug),
                        "service_id": str(service.uuid),
                        "name": self.territory_name(territory),
                        "description": territory.get_kind_display(),
                        "uri": f"{self.site_url}/{self.language}/"
                        f"{'search' if self.language == 'en' else 'recherche'}/"
                        f"?{'area' if self.language == 'en' else 'territoire'}={territory.slug}",
                    }
                )
            )
        return rows

    def _attributes(self, service: Service) -> list[dict]:
        """The service's needs, as links to taxonomy terms."""
        rows = []
        for category in sorted(service.categories.all(), key=lambda c: c.code):
            category = self.categories.get(category.pk, category)
            rows.append(
                {
                    "id": derived_id("attribute", service.uuid, category.code),
                    "link_id": str(service.uuid),
                    "taxonomy_term_id": term_id(category),
                    "link_type": "need",
                    "link_entity": "service",
                    "value": category.code,
                    "taxonomy_term": self.taxonomy_term(category),
                }
            )
        return rows

    def service_at_location(
        self, service: Service, location: Location, *, nested: bool = True
    ) -> dict:
        data = {
            "id": service_at_location_id(service, location),
            "service_id": str(service.uuid),
            "location_id": str(location.uuid),
        }
        data["location"] = self.location(location, nested=nested)
        if nested:
            data["schedules"] = self.schedules(location)
        return data

    def service(self, service: Service, *, nested: bool = True, organisation: bool = True) -> dict:
        """``service``: with ``nested``, every related object HSDS has for it (the shape of
        ``/services/{id}``); without, its own fields and its organisation's (``service_list``)."""
        owner = service.organisation
        data = _compact(
            {
                "id": str(service.uuid),
                "organization_id": str(owner.uuid),
                "name": self.text(service, "name"),
                "description": self.text(service, "description"),
                "url": self.organisation_url(owner),
                "email": owner.email,
                "status": service.status,
                "application_process": self.text(service, "application_process"),
                "fees_description": self.text(service, "fees"),
                "eligibility_description": self.text(service, "eligibility"),
                # The day of the verification in Montréal, not in UTC (an evening call
                # would otherwise be dated the next day).
                "assured_date": timezone.localdate(owner.last_verified_at).isoformat()
                if owner.last_verified_at
                else None,
                "assurer_email": settings.REPERTOIRE_CONTACT_EMAIL,
                "last_modified": _iso(owner.updated_at),
            }
        )
        if organisation:
            data["organization"] = self.organisation(owner, nested=False)
        if nested:
            data["phones"] = [self.phone(p, organisation=owner) for p in _phones(owner)]
            data["service_areas"] = self._service_areas(service)
            data["languages"] = self._languages(service)
            data["attributes"] = self._attributes(service)
            data["service_at_locations"] = [
                self.service_at_location(service, location) for location in public_locations(owner)
            ]
        return data


def public_locations(organisation: Organisation) -> list[Location]:
    """The organisation's locations the public may know of (prefetched: see queries)."""
    return [loc for loc in organisation.locations.all() if not loc.address_is_confidential]


def _phones(organisation: Organisation) -> list[Phone]:
    return list(organisation.phones.all())

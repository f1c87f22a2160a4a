"""The generator: organisations drawn one after another from one random stream, as model
instances not yet saved (``writing.py`` writes them)."""

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from itertools import accumulate

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify

from ..geocoding import address_key
from ..models import Location, Organisation, Service
from .data import (
    ACCESSIBILITY,
    APPLICATION,
    CONTACT_NOTES,
    FEE_WEIGHTS,
    FEES,
    FIRST_NAMES,
    HOURS,
    KINDS,
    LANGUAGES_EN,
    LANGUAGES_FR,
    LAST_NAMES,
    MISSION_EXTRAS,
    NOMS_EN,
    NOMS_FR,
    POSTAL_LETTERS,
    SAINTS,
    STREETS_EN,
    STREETS_FR,
    TITLES,
    UNITS,
    VERIFIERS,
    WEST_ISLAND,
    _Kind,
)
from .places import _Place

# Verification dates are spread over the last 18 months: with a yearly cycle, about a third of
# the verified records are overdue, which is what the review screens need to show.
VERIFICATION_SPREAD_DAYS = 548


@cache
def _cumulative(pairs: tuple[tuple, ...]) -> tuple[list, list[float]]:
    return [pair[0] for pair in pairs], list(accumulate(pair[-1] for pair in pairs))


def _weighted(rng: random.Random, pairs: tuple[tuple, ...]) -> object:
    """Pick the first item of one of ``(item, ..., weight)`` tuples, by weight."""
    items, cumulative = _cumulative(pairs)
    return rng.choices(items, cum_weights=cumulative)[0]


def _de(place: str) -> str:
    """French "of" before a place name: de Laval, d'Anjou, du Plateau-Mont-Royal, des Cèdres."""
    if place.startswith("Le "):
        return f"du {place[3:]}"
    if place.startswith("Les "):
        return f"des {place[4:]}"
    if place[0] in "AEIOUÉÈÎÔaeiouéèîô":
        return f"d'{place}"
    return f"de {place}"


def _without_article(place: str) -> str:
    """English drops the French article: "Le Plateau-Mont-Royal" -> "Plateau-Mont-Royal"."""
    for article in ("Le ", "La ", "Les ", "L'"):
        if place.startswith(article):
            return place[len(article) :]
    return place


# fmt: off
_SMALL_WORDS = {
    "de", "du", "des", "la", "le", "les", "l", "d", "et", "pour", "aux", "au", "en", "of", "the",
    "and",
}
# fmt: on


def _acronym(name: str) -> str:
    """Initials of the significant words: "Centre d'entraide Saint-Jean" -> "CESJ"."""
    words = name.replace("'", " ").replace("-", " ").split()
    return "".join(word[0] for word in words if word.lower() not in _SMALL_WORDS).upper()


def _domain(slug: str, name: str) -> str:
    """A website domain, under example.org: the slug, or the acronym when the slug is long, as
    organisations with long names do ("csadlpp" rather than "cooperative-de-solidarite-...")."""
    label = slug
    if len(slug) > 30:
        number = slug.rsplit("-", 1)[-1]
        label = slugify(_acronym(name)) + (number if number.isdigit() else "")
    return f"{label[:50] or 'organisme'}.example.org"


def _email_local(first: str, last: str) -> str:
    return f"{slugify(first)}.{slugify(last)}".replace("-", "")


class _Rows:
    """Makes model instances through the positional form of ``Model.__init__`` (the one Django's
    ``from_db`` uses), two to three times faster than keyword arguments, which counts over a few
    hundred thousand rows. Fields left out get their default, as with keywords."""

    _CALL = object()

    def __init__(self, model):
        self.model = model
        fields = model._meta.concrete_fields
        self.names = frozenset(f.attname for f in fields)
        # Constant defaults are worked out once; callable ones (uuid4, now) on every row.
        self.defaults = [
            (f.attname, self._CALL if callable(f.default) else f.get_default()) for f in fields
        ]
        self.callables = [(i, f.attname, f) for i, f in enumerate(fields) if callable(f.default)]

    def __call__(self, **values):
        if not values.keys() <= self.names:
            raise TypeError(f"{self.model.__name__} has no {sorted(values.keys() - self.names)}")
        args = [values.get(name, default) for name, default in self.defaults]
        for position, name, model_field in self.callables:
            if name not in values:
                args[position] = model_field.get_default()
        return self.model(*args)


_organisation = _Rows(Organisation)
_service = _Rows(Service)
_location = _Rows(Location)


@dataclass
class _Bundle:
    """One organisation and everything that belongs to it, before it has primary keys."""

    organisation: Organisation
    services: list[tuple[Service, list[int], list[int]]]  # service, category ids, territory ids
    locations: list[tuple[Location, list[dict]]]  # location, its opening hours
    # Rows for _Table, as attribute values.
    phones: list[dict]
    contacts: list[dict]
    identifiers: list[dict]


class _Generator:
    """Draws organisations one after another from one random stream."""

    def __init__(
        self,
        *,
        rng: random.Random,
        places: list[_Place],
        place_weights: list[float],
        region_id: int,
        categories: dict[str, int],
        leaf_categories: list[int],
        taken_slugs: set[str],
    ):
        self.rng = rng
        self.places = places
        self.place_weights = list(accumulate(place_weights))
        self.region_id = region_id
        self.categories = categories
        self.leaf_categories = leaf_categories
        self.taken_slugs = taken_slugs
        self.kind_weights = list(accumulate(k.weight for k in KINDS))
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.review_interval = timedelta(days=settings.REPERTOIRE_REVIEW_INTERVAL_DAYS)
        self.tz = timezone.get_current_timezone()

    # The random stream is drawn in a fixed order, field after field: changing the order of the
    # draws below changes every organisation generated after it for a given seed.

    def new_uuid(self) -> uuid.UUID:
        # From the seeded stream, not uuid4(): the same seed gives the same UUIDs.
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def moment(self, day: date) -> datetime:
        """A time during office hours on ``day``, timezone-aware."""
        naive = datetime.combine(day, time(self.rng.randint(8, 16), self.rng.randrange(0, 60, 5)))
        return timezone.make_aware(naive, self.tz)

    def phone(self, area_codes: Sequence[str]) -> str:
        return f"+1{self.rng.choice(area_codes)}55501{self.rng.randrange(100):02d}"

    def unique_slug(self, name: str) -> str:
        # The same rule as Organisation.make_unique_slug, kept in memory instead of one query
        # per candidate.
        base = slugify(name)[:100] or "organisme"
        candidate, n = base, 2
        while candidate in self.taken_slugs:
            candidate, n = f"{base}-{n}", n + 1
        self.taken_slugs.add(candidate)
        return candidate

    def pick_place(self) -> tuple[_Place, _Place]:
        """A municipality by population, then often one of its boroughs or districts."""
        municipality = self.rng.choices(self.places, cum_weights=self.place_weights)[0]
        if municipality.sub_places and self.rng.random() < 0.8:
            return municipality, self.rng.choice(municipality.sub_places)
        return municipality, municipality

    def names(self, kind: _Kind, place: _Place, english: bool) -> tuple[str, str]:
        """The organisation's name in French and in English, built from the same parts."""
        rng = self.rng
        kind_fr, kind_en = rng.choice(kind.names)
        # A compound borough name is rarely used whole: "Côte-des-Neiges–Notre-Dame-de-Grâce"
        # gives organisations "de Côte-des-Neiges" and "de Notre-Dame-de-Grâce".
        label = rng.choice(place.name.split("–"))
        label_en = _without_article(label)
        pattern = _weighted(rng, kind.name_patterns)
        nom = rng.choice(NOMS_EN if english else NOMS_FR)
        if english and place.slug in WEST_ISLAND and rng.random() < 0.3:
            return f"{kind_fr} de l'Ouest-de-l'Île", f"West Island {kind_en}"
        if pattern == "nom":
            return f"{kind_fr} {nom}", f"{nom} {kind_en}"
        if pattern == "nom_place":
            return f"{kind_fr} {nom} {_de(label)}", f"{nom} {kind_en} of {label_en}"
        if pattern == "saint":
            saint = rng.choice(SAINTS)
            return f"{kind_fr} {saint}", f"{saint} {kind_en}"
        return f"{kind_fr} {_de(label)}", f"{label_en} {kind_en}"

    def organisation(self) -> _Bundle:
        """One organisation and everything that belongs to it, drawn in a fixed order."""
        rng = self.rng
        kind = rng.choices(KINDS, cum_weights=self.kind_weights)[0]
        municipality, home = self.pick_place()
        english = rng.random() < home.english_share
        name_fr, name_en = self.names(kind, home, english)
        name = name_en if english else name_fr
        other = name_fr if english else name_en
        roll = rng.random()
        alternate = other if roll < 0.35 else (_acronym(name) if roll < 0.5 else "")
        slug = self.unique_slug(name)
        domain = _domain(slug, name)
        founded = rng.randint(1965, 2022)
        offered = self.offered(kind)
        description_fr, description_en = self.descriptions(kind, offered, home, english, founded)
        created_at, verified_at, interim = self.review_dates()
        legal = _weighted(rng, kind.legal)
        contacts = self.contacts(home, domain, english)
        update_name, update_email, update_phone = self.update_contact(contacts, home, domain)
        language = "en" if english else "fr"
        preferred = language if rng.random() < 0.9 else ("fr" if english else "en")
        organisation = _organisation(
            uuid=self.new_uuid(),
            name=name,
            alternate_name=alternate,
            slug=slug,
            description_fr=description_fr,
            description_en=description_en,
            email=f"info@{domain}" if rng.random() < 0.85 else "",
            website=f"https://{domain}/" if rng.random() < 0.7 else "",
            legal_status=legal,
            enterprise_number=f"11{rng.randrange(10**8):08d}" if rng.random() < 0.7 else "",
            charity_number=(f"{rng.randrange(10**8, 10**9)}RR0001" if legal == "charity" else ""),
            status="inactive" if rng.random() < 0.02 else "active",
            last_verified_at=verified_at,
            verified_by=rng.choice(VERIFIERS) if verified_at else "",
            next_review_due=(
                verified_at.astimezone(self.tz).date() + self.review_interval
                if verified_at
                else None
            ),
            last_interim_change_at=interim,
            update_contact_name=update_name,
            update_contact_email=update_email,
            update_contact_phone=update_phone,
            preferred_language=preferred,
            created_at=created_at,
            live=True,
            has_unpublished_changes=False,
            first_published_at=created_at,
            last_published_at=interim or verified_at or created_at,
        )
        locations = self.locations(kind, municipality, home, english, created_at)
        services = self.services(kind, offered, home, english)
        phones = self.phones(kind, home)
        identifiers = self.identifiers(municipality)
        return _Bundle(organisation, services, locations, phones, contacts, identifiers)

    def offered(self, kind: _Kind) -> list[tuple[str, str, tuple[str, ...]]]:
        """The kind's first service, and up to three of its others."""
        extra = _weighted(self.rng, ((0, 35), (1, 35), (2, 20), (3, 10)))
        others = self.rng.sample(kind.services[1:], min(len(kind.services) - 1, extra))
        return [kind.services[0], *others]

    def descriptions(
        self, kind: _Kind, offered: list[tuple], home: _Place, english: bool, founded: int
    ) -> tuple[str, str]:
        """The description in French and in English; many records have one language only."""
        rng = self.rng
        place_fr = home.name.split("–")[0]
        place_en = _without_article(place_fr)
        extra_fr, extra_en = rng.choice(MISSION_EXTRAS)
        services_fr = ", ".join(s[0][0].lower() + s[0][1:] for s in offered)
        services_en = ", ".join(s[1][0].lower() + s[1][1:] for s in offered)
        if rng.random() < 0.5:
            intro_fr = f"Fondé en {founded}, l'organisme soutient {kind.public[0]} {_de(place_fr)}."
            intro_en = f"Founded in {founded}, we help {kind.public[1]} in {place_en}."
        else:
            intro_fr = (
                f"Organisme communautaire qui accompagne {kind.public[0]} {_de(place_fr)}"
                f" depuis {founded}."
            )
            intro_en = (
                f"A community organisation serving {kind.public[1]} in {place_en} since {founded}."
            )
        description_fr = f"{intro_fr} Services offerts : {services_fr}. {extra_fr}".strip()
        description_en = f"{intro_en} Services: {services_en}. {extra_en}".strip()
        if not english and rng.random() < 0.4:
            description_en = ""  # many French records have no English text yet
        elif english and rng.random() < 0.25:
            description_fr = ""
        return description_fr, description_en

    def review_dates(self) -> tuple[datetime, datetime | None, datetime | None]:
        """When the record was created, last verified and last changed since: most records were
        verified some time in the last 18 months, some never."""
        rng = self.rng
        created_days = rng.randint(30, 3650)
        if rng.random() < 0.08:
            verified_at = None
            created_days = rng.randint(1, 700)
        else:
            verified_at = self.moment(
                self.today - timedelta(days=rng.randint(1, VERIFICATION_SPREAD_DAYS))
            )
        created_at = self.moment(self.today - timedelta(days=created_days))
        if verified_at is not None and created_at > verified_at:
            created_at = verified_at - timedelta(days=rng.randint(30, 900))
        interim = None
        if verified_at is not None and rng.random() < 0.15:
            interim = verified_at + timedelta(days=rng.randint(1, 120))
            interim = min(interim, self.now)
        return created_at, verified_at, interim

    def contacts(self, home: _Place, domain: str, english: bool) -> list[dict]:
        """The people the 211 talks to (none for a few records), as rows for ``_Table``."""
        rng = self.rng
        contacts = []
        for order in range(_weighted(rng, ((1, 70), (2, 25), (0, 5)))):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            title_fr, title_en = rng.choice(TITLES)
            note = rng.choice(CONTACT_NOTES)[1 if english else 0] if rng.random() < 0.2 else ""
            contacts.append(
                dict(
                    uuid=self.new_uuid(),
                    sort_order=order,
                    name=f"{first} {last}",
                    title=title_en if english else title_fr,
                    email=f"{_email_local(first, last)}@{domain}",
                    phone=self.phone(home.area_codes),
                    note=note,
                )
            )
        return contacts

    def update_contact(self, contacts: list[dict], home: _Place, domain: str) -> tuple[str, ...]:
        """The contact for updating (name, email, phone): usually one of the contacts."""
        rng = self.rng
        if contacts and rng.random() < 0.8:
            return contacts[0]["name"], contacts[0]["email"], contacts[0]["phone"]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        return (
            f"{first} {last}",
            f"{_email_local(first, last)}@{domain}",
            self.phone(home.area_codes),
        )

    def identifiers(self, municipality: _Place) -> list[dict]:
        """A few records carry the id their municipality gives them (imports match on it)."""
        if self.rng.random() >= 0.08:
            return []
        return [
            dict(
                uuid=self.new_uuid(),
                sort_order=0,
                scheme=f"ville-{municipality.slug}"[:60],
                identifier=f"ORG-{self.new_uuid().hex[:12].upper()}",
            )
        ]

    def services(
        self, kind: _Kind, offered: list[tuple], home: _Place, english: bool
    ) -> list[tuple[Service, list[int], list[int]]]:
        rng = self.rng
        result = []
        label = home.name.split("–")[0]
        for order, (service_fr, service_en, codes) in enumerate(offered):
            categories = [self.categories[code] for code in codes if code in self.categories]
            if not categories and self.leaf_categories:
                categories = [rng.choice(self.leaf_categories)]
            # Where the service is offered: its own borough or municipality, often the whole
            # municipality, sometimes the whole sector or the whole CMM.
            areas = [home.id]
            if home.is_sub_area and rng.random() < 0.4:
                areas.append(home.municipality_id)
            roll = rng.random()
            if roll < 0.06:
                areas.append(self.region_id)
            elif roll < 0.26:
                areas.append(home.sector_id)
            status, status_since = "active", None
            roll = rng.random()
            if roll < 0.03:
                status = "temporarily closed"
                status_since = self.today - timedelta(days=rng.randint(1, 90))
            elif roll < 0.04:
                status = "inactive"
                status_since = self.today - timedelta(days=rng.randint(30, 365))
            fees = rng.choices(FEES, cum_weights=FEE_WEIGHTS)[0]
            application = rng.choice(APPLICATION)
            eligibility_fr = f"{kind.eligibility[0]}. Résidents {_de(label)} et des environs."
            eligibility_en = (
                f"{kind.eligibility[1]}. Residents of {_without_article(label)} and nearby."
            )
            confidential_fr = " Adresse confidentielle." if kind.confidential else ""
            confidential_en = " Confidential address." if kind.confidential else ""
            service = _service(
                uuid=self.new_uuid(),
                sort_order=order,
                name_fr=service_fr,
                name_en=service_en,
                description_fr=f"{service_fr} pour {kind.public[0]}.{confidential_fr}",
                description_en=f"{service_en} for {kind.public[1]}.{confidential_en}",
                eligibility_fr=eligibility_fr,
                eligibility_en=eligibility_en,
                fees_fr=fees[0],
                fees_en=fees[1],
                application_process_fr=application[0],
                application_process_en=application[1],
                languages=_weighted(rng, LANGUAGES_EN if english else LANGUAGES_FR),
                status=status,
                status_changed_at=status_since,
            )
            result.append((service, categories, list(dict.fromkeys(areas))))
        return result

    def locations(
        self, kind: _Kind, municipality: _Place, home: _Place, english: bool, created_at: datetime
    ) -> list[tuple[Location, list[dict]]]:
        """One to three locations, each with its opening hours."""
        rng = self.rng
        result = []
        count = _weighted(rng, ((1, 78), (2, 17), (3, 5)))
        for order in range(count):
            place = home
            if order > 0:
                # Other points of service are elsewhere in the same municipality.
                place = rng.choice(municipality.sub_places or [municipality])
            location = self.location(
                order,
                place,
                kind=kind,
                municipality=municipality,
                english=english,
                created_at=created_at,
            )
            result.append((location, self.opening_hours(kind)))
        return result

    def location(
        self,
        order: int,
        place: _Place,
        *,
        kind: _Kind,
        municipality: _Place,
        english: bool,
        created_at: datetime,
    ) -> Location:
        """A location at ``place``: its address, its pin, its name and its accessibility."""
        rng = self.rng
        lat, lon, precision, locked = self.pin(place)
        if english:
            street = f"{rng.randint(10, 4999)} {rng.choice(STREETS_EN)}"
        else:
            street = f"{rng.randint(10, 9999)}, {rng.choice(STREETS_FR)}"
        unit = rng.choice(UNITS)[1 if english else 0] if rng.random() < 0.3 else ""
        postal = (
            f"{rng.choice(place.fsas)} {rng.randrange(10)}{rng.choice(POSTAL_LETTERS)}"
            f"{rng.randrange(10)}"
        )
        name = self.location_name(order, place, english)
        access = rng.choice(ACCESSIBILITY)
        return _location(
            uuid=self.new_uuid(),
            sort_order=order,
            name=name,
            street_address=street,
            unit=unit,
            municipality_id=place.id,
            postal_code=postal,
            latitude=lat,
            longitude=lon,
            geocode_precision="manual" if locked else precision,
            geocode_source="demo" if precision else "",
            geocoded_at=created_at if precision else None,
            # Demo points count as geocoded for their address: `geocode --missing` leaves them.
            geocoded_address=(
                address_key(street=street, postal_code=postal, municipality=municipality.name)
                if lat is not None
                else ""
            ),
            coordinates_locked=locked,
            address_is_confidential=kind.confidential,
            accessibility_fr=access[0],
            accessibility_en=access[1],
        )

    def pin(self, place: _Place) -> tuple[float | None, float | None, str, bool]:
        """Latitude, longitude, geocoding precision, and whether a person placed the pin: about
        1 km around the place's centre, as geocoding would have found it (or not)."""
        rng = self.rng
        lat, lon = place.centre
        # About 1 km around the centre (0.009 degrees of latitude, 0.013 of longitude here).
        lat = round(lat + max(-3.0, min(3.0, rng.gauss(0, 1))) * 0.009, 6)
        lon = round(lon + max(-3.0, min(3.0, rng.gauss(0, 1))) * 0.013, 6)
        precision = _weighted(
            rng,
            (
                ("rooftop", 75),
                ("postal_code", 10),
                ("municipality", 10),
                ("failed", 3),
                ("", 2),
            ),
        )
        if precision == "municipality":
            lat, lon = place.centre
        elif precision in ("failed", ""):
            lat = lon = None
        locked = precision == "rooftop" and rng.random() < 0.03
        return lat, lon, precision, locked

    def location_name(self, order: int, place: _Place, english: bool) -> str:
        if order == 0:
            name = self.rng.choice(("", "", "Siège social", "Bureau principal"))
            return "Main office" if english and name else name
        place_label = place.name.split("–")[0]
        if english:
            return f"{_without_article(place_label)} office"
        return f"Point de service {_de(place_label)}"

    def opening_hours(self, kind: _Kind) -> list[dict]:
        """The week of one of the kind's patterns of hours, as rows for ``_Table``."""
        rng = self.rng
        if rng.random() >= 0.9:
            return []  # some records have no hours yet
        pattern = rng.choice(kind.hours)
        if pattern == "office" and rng.random() < 0.3:
            pattern = "office_830"
        slots = sorted(
            (day, opens, closes, note_fr, note_en)
            for days, opens, closes, note_fr, note_en in HOURS[pattern]
            for day in days
        )
        return [
            dict(
                uuid=self.new_uuid(),
                sort_order=order,
                weekday=day,
                opens=opens,
                closes=closes,
                note_fr=note_fr,
                note_en=note_en,
            )
            for order, (day, opens, closes, note_fr, note_en) in enumerate(slots)
        ]

    def phones(self, kind: _Kind, home: _Place) -> list[dict]:
        rng = self.rng
        helpline = "always" in kind.hours
        phones = [
            dict(
                uuid=self.new_uuid(),
                sort_order=0,
                number=self.phone(home.area_codes),
                kind="voice",
                label_fr="Ligne d'écoute 24/7" if helpline else "Accueil",
                label_en="24/7 helpline" if helpline else "Reception",
            )
        ]
        extras = (
            ("voice", 0.15, "Administration", "Administration"),
            ("fax", 0.2, "Télécopieur", "Fax"),
            ("toll_free", 0.06, "Sans frais", "Toll-free"),
            ("text", 0.04, "Texto", "Text"),
            ("tty", 0.02, "ATS", "TTY"),
        )
        for phone_kind, chance, label_fr, label_en in extras:
            if rng.random() >= chance:
                continue
            area = (
                (rng.choice(("800", "855", "866", "877", "888")),)
                if phone_kind == "toll_free"
                else home.area_codes
            )
            phones.append(
                dict(
                    uuid=self.new_uuid(),
                    sort_order=len(phones),
                    number=self.phone(area),
                    extension=str(rng.randint(100, 299)) if phone_kind == "voice" else "",
                    kind=phone_kind,
                    label_fr=label_fr,
                    label_en=label_en,
                )
            )
        return phones

"""Geocoding: from a location's address to a point on the map, through geopy.

One service for every caller (the task that runs after a save or a publication, ``manage.py
geocode``, imports later), built around four rules:

- **Polite.** One provider chosen by settings, throttled by geopy's ``RateLimiter`` to the
  provider's minimum delay for the whole process, retried with back-off on timeouts, 429 and 5xx,
  and paused for a while when it keeps failing. Public Nominatim allows one request a second.
- **Asked once.** Every answer, "nothing found" included, is kept in ``GeocodedAddress`` under the
  normalised address, so the same address is never asked twice and a re-run over unchanged
  addresses makes no request at all.
- **Never in the way.** A provider that fails, answers garbage or cannot be reached costs a log
  line: the location goes to its borough's or municipality's centre (precision recorded as such),
  is marked for a later try, and the record it belongs to was saved long before.
- **Never blindly trusted.** An answer outside the Montréal metropolitan area, or in another
  municipality than the address says, is flagged as doubtful for a curator to look at; and a pin a
  curator placed by hand (``coordinates_locked``) is never moved.

Confidential addresses are geocoded like any other: the point is for internal use (distances,
the curators' map); the public side only ever receives the municipality (selectors.public_location).
"""

import inspect
import logging
import math
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from geopy import exc as geopy_exc
from geopy.adapters import AdapterHTTPError, RequestsAdapter
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import get_geocoder_for_service
from wagtail.models import Revision

from .lib.text import fold
from .models import (
    GeocodedAddress,
    GeocodeDoubt,
    GeocodePrecision,
    Location,
    Organisation,
    Territory,
)

logger = logging.getLogger(__name__)

OFFLINE = "offline"
PUBLIC_NOMINATIM = "nominatim.openstreetmap.org"
# "Nothing found" is remembered for a month only: OpenStreetMap gains addresses every day.
NOT_FOUND_DAYS = 30


# --- Addresses and their normalised key -----------------------------------------------------------

# Unit, suite, floor: they change nothing on the map, so they leave both the query and the key.
_UNIT = re.compile(
    r"(?:,\s*|\s+|^)(?:"
    r"(?:app(?:artement)?|apt|apartment|bureau|bur|suite|local|unit[ée]?|porte|pi[èe]ce|room|salle)"
    r"\.?\s*(?:no\.?|n°|#)?\s*[\w-]*\d[\w-]*"
    r"|#\s*[\w-]+"
    r"|\d+\s*(?:e|er|re|ème|eme|nd|rd|th)\s+(?:étage|etage|floor)"
    r"|(?:rdc|rez-de-chauss[ée]e)"
    r")(?=\s|,|$)",
    re.IGNORECASE,
)
# "200-1234 rue X": unit 200 at civic number 1234, the Canada Post way of writing it.
_UNIT_THEN_CIVIC = re.compile(r"^\s*(\w{1,5})\s*-\s*(\d+[a-z]?)\b", re.IGNORECASE)
_POSTAL_CODE = re.compile(r"^([a-z]\d[a-z])\s*-?\s*(\d[a-z]\d)$", re.IGNORECASE)
_ABBREVIATIONS = {
    "ste": "sainte",
    "boul": "boulevard",
    "bd": "boulevard",
    "blvd": "boulevard",
    "av": "avenue",
    "ave": "avenue",
    "ch": "chemin",
    "rte": "route",
    "mtee": "montee",
    "e": "est",
    "o": "ouest",
}


def street_for_query(street: str) -> str:
    """The street address as sent to the provider: unit, suite and floor taken out."""
    text = " ".join((street or "").split())
    match = _UNIT_THEN_CIVIC.match(text)
    if match and len(match.group(1)) < len(match.group(2)):
        text = match.group(2) + text[match.end() :]
    text = _UNIT.sub("", text)
    return " ".join(text.strip(" ,").split())


def normalise_street(street: str) -> str:
    words = fold(street_for_query(street)).split()
    # "St" is "Saint" except at the end, where it is an English "Street".
    return " ".join(
        "saint" if word == "st" and i < len(words) - 1 else _ABBREVIATIONS.get(word, word)
        for i, word in enumerate(words)
    )


def postal_code_key(value: str) -> str:
    """A postal code as a cache key: "h2x1y4" for every way of writing H2X 1Y4."""
    compact = "".join((value or "").split()).replace("-", "")
    match = _POSTAL_CODE.match(compact)
    return (match.group(1) + match.group(2)).lower() if match else fold(value).replace(" ", "")


def address_key(*, street: str, postal_code: str, municipality: str) -> str:
    """The cache key of an address: equal for every way of writing the same place."""
    parts = (normalise_street(street), postal_code_key(postal_code), fold(municipality))
    return "|".join(parts)[:500]


def place_key(place: dict) -> tuple:
    """What makes two places of a record (as revision content) the same place: the street
    address and postal code, however written; for a place without a street, its municipality
    and name."""
    street = place.get("street_address") or ""
    if street:
        return (
            "street",
            normalise_street(street),
            postal_code_key(place.get("postal_code") or ""),
        )
    return ("place", place.get("municipality"), fold(place.get("name") or ""))


@dataclass(frozen=True)
class Address:
    street: str
    postal_code: str
    territory: Territory | None

    @property
    def city(self) -> Territory | None:
        """The municipality to ask for: a borough's or district's own municipality."""
        node = self.territory
        while node is not None and node.kind not in (
            Territory.Kind.MUNICIPALITY,
            Territory.Kind.SECTOR,
            Territory.Kind.REGION,
        ):
            node = node.parent
        return node or self.territory

    @property
    def city_name(self) -> str:
        return self.city.name if self.city else ""

    @property
    def key(self) -> str:
        return address_key(
            street=self.street, postal_code=self.postal_code, municipality=self.city_name
        )

    @property
    def is_empty(self) -> bool:
        return not street_for_query(self.street) and not self.postal_code.strip()

    def query(self) -> str:
        parts = [street_for_query(self.street), self.city_name, "QC", self.postal_code.strip()]
        return ", ".join(p for p in parts if p) + ", Canada"

    def postal_code_query(self) -> str:
        return f"{self.postal_code.strip().upper()}, {self.city_name}, QC, Canada"

    def postal_code_key(self) -> str:
        return address_key(street="", postal_code=self.postal_code, municipality=self.city_name)


def location_address(location: Location) -> Address:
    return Address(location.street_address, location.postal_code, location.municipality)


def needs_geocoding(location: Location) -> bool:
    """Not placed by hand, and no point yet or the address changed since it was found."""
    if location.coordinates_locked:
        return False
    return (
        location.latitude is None
        or location.geocode_precision == GeocodePrecision.MANUAL
        or location.geocoded_address != location_address(location).key
    )


# --- The provider ---------------------------------------------------------------------------------


class GeocoderError(Exception):
    """The provider could not answer (after retries): the caller falls back and tries later."""


@dataclass(frozen=True)
class Answer:
    found: bool
    latitude: float | None = None
    longitude: float | None = None
    precision: str = ""
    municipality: str = ""
    label: str = ""
    from_cache: bool = False


@dataclass
class Stats:
    requests: int = 0
    cache_hits: int = 0
    outcomes: Counter = field(default_factory=Counter)


def _provider_settings() -> tuple:
    return (
        settings.GEOCODER,
        settings.GEOCODER_DOMAIN,
        settings.GEOCODER_SCHEME,
        settings.GEOCODER_API_KEY,
        settings.GEOCODER_USER_AGENT,
        settings.GEOCODER_MIN_DELAY_SECONDS,
        settings.GEOCODER_TIMEOUT,
        settings.GEOCODER_MAX_RETRIES,
        settings.GEOCODER_BACKOFF_SECONDS,
        settings.GEOCODER_PAUSE_SECONDS,
    )


def _accepted(callable_, candidates: dict) -> dict:
    parameters = inspect.signature(callable_).parameters
    return {name: value for name, value in candidates.items() if name in parameters}


def _provider(
    name: str, *, domain: str, scheme: str, api_key: str, user_agent: str, timeout: float
):
    """The geopy geocoder of service ``name``, given the options its constructor takes."""
    cls = get_geocoder_for_service(name)
    options = _accepted(
        cls.__init__,
        {
            "domain": domain or None,
            "scheme": scheme,
            "user_agent": user_agent,
            "timeout": timeout,
            "api_key": api_key or None,
            "apikey": api_key or None,
            # requests' own silent retries would bypass the throttle: the retries are ours.
            "adapter_factory": partial(RequestsAdapter, max_retries=0),
        },
    )
    return cls(**{k: v for k, v in options.items() if v is not None})


def _search_area(provider, bounds: tuple[tuple[float, float], tuple[float, float]]) -> dict:
    """The options of ``provider.geocode`` that keep answers in Canada, around ``bounds`` (each
    provider names them its own way)."""
    (south, west), (north, east) = bounds
    return _accepted(
        provider.geocode,
        {
            # Nominatim
            "country_codes": "ca",
            "viewbox": [(south, west), (north, east)],
            "addressdetails": True,
            # Photon
            "bbox": [(south, west), (north, east)],
            "location_bias": ((south + north) / 2, (west + east) / 2),
            # Pelias
            "boundary_rect": [(south, west), (north, east)],
            "countries": ["CA"],
            # Google
            "bounds": [(south, west), (north, east)],
            "region": "ca",
            "components": {"country": "CA"},
        },
    )


def cmm_bounds() -> tuple[tuple[float, float], tuple[float, float]]:
    """South-west and north-east corners around every CMM centre point, with ~10 km to spare."""
    points = Territory.objects.filter(latitude__isnull=False).values_list("latitude", "longitude")
    lats, lons = zip(*points, strict=True) if points else ((45.3, 45.85), (-74.15, -73.12))
    return (min(lats) - 0.1, min(lons) - 0.12), (max(lats) + 0.1, max(lons) + 0.12)


class Geocoder:
    """The configured provider with its throttle, retries, pause and cache.

    Use one per process (``get_geocoder``): the minimum delay holds across every caller that
    shares it, which is why geocoding tasks have a queue and a worker of their own.
    """

    def __init__(self):
        (
            self.name,
            domain,
            scheme,
            api_key,
            user_agent,
            min_delay,
            self.timeout,
            self.max_retries,
            self.backoff,
            self.pause,
        ) = _provider_settings()
        self.stats = Stats()
        self._paused_until = 0.0
        self._territories = None
        self.bounds = cmm_bounds()
        self.provider = None
        if self.name == OFFLINE:
            return
        self.provider = _provider(
            self.name,
            domain=domain,
            scheme=scheme,
            api_key=api_key,
            user_agent=user_agent,
            timeout=self.timeout,
        )
        if self.name == "nominatim" and (domain or PUBLIC_NOMINATIM) == PUBLIC_NOMINATIM:
            # The public server's policy: an absolute maximum of one request per second.
            min_delay = max(min_delay, 1.0)
        self.min_delay = min_delay
        # Throttling only: retries are ours, with back-off and only for transient errors.
        self._ask = RateLimiter(
            self.provider.geocode,
            min_delay_seconds=min_delay,
            max_retries=0,
            swallow_exceptions=False,
        )
        self._options = _search_area(self.provider, self.bounds)

    @property
    def offline(self) -> bool:
        return self.provider is None

    # -- one query ------------------------------------------------------------------------------

    def lookup(
        self, query: str, key: str, *, use_cache: bool = True, retries: int | None = None
    ) -> Answer:
        """The provider's answer for one query, from the cache when it has been asked before.

        Raises ``GeocoderError`` when the provider cannot answer; nothing is cached then.
        """
        if use_cache:
            cached = self._cached(key)
            if cached is not None:
                self.stats.cache_hits += 1
                return cached
        answer = self._request(query, retries=self.max_retries if retries is None else retries)
        self._remember(key, query, answer)
        return answer

    def _cached(self, key: str) -> Answer | None:
        row = GeocodedAddress.objects.filter(provider=self.name, key=key).first()
        if row is None:
            return None
        age = timezone.now() - row.created_at
        if age > timedelta(days=settings.GEOCODER_CACHE_DAYS if row.found else NOT_FOUND_DAYS):
            return None
        return Answer(
            found=row.found,
            latitude=row.latitude,
            longitude=row.longitude,
            precision=row.precision,
            municipality=row.municipality,
            label=row.label,
            from_cache=True,
        )

    def _remember(self, key: str, query: str, answer: Answer) -> None:
        values = {
            "query": query[:500],
            "found": answer.found,
            "latitude": answer.latitude,
            "longitude": answer.longitude,
            "precision": answer.precision,
            "municipality": answer.municipality[:200],
            "label": answer.label[:300],
            "created_at": timezone.now(),
        }
        try:
            with transaction.atomic():
                GeocodedAddress.objects.update_or_create(
                    provider=self.name, key=key, defaults=values
                )
        except IntegrityError:  # another worker stored the same answer a moment ago
            pass

    def _request(self, query: str, *, retries: int) -> Answer:
        if time.monotonic() < self._paused_until:
            raise GeocoderError("requests paused after repeated failures")
        attempt = 0
        while True:
            self.stats.requests += 1
            try:
                place = self._ask(query, **self._options)
                return self._answer(place)
            except geopy_exc.GeopyError as error:
                wait = self._retry_wait(error, attempt, retries)
                if wait is None:
                    if _is_transient(error):
                        self._paused_until = time.monotonic() + self.pause
                    raise GeocoderError(_describe(error)) from error
                logger.warning(
                    "Geocoder %s: %s for %r; trying again in %.1f s (%d/%d).",
                    self.name,
                    _describe(error),
                    query,
                    wait,
                    attempt + 1,
                    retries,
                )
                time.sleep(wait)
                attempt += 1
            except (ValueError, TypeError, KeyError, AttributeError) as error:
                # An answer geopy accepted but we cannot read (a non-numeric latitude...).
                raise GeocoderError(f"unreadable answer ({error})") from error

    def _retry_wait(self, error: Exception, attempt: int, retries: int) -> float | None:
        if attempt >= retries or not _is_transient(error):
            return None
        wait = self.backoff * (2**attempt)
        retry_after = getattr(error, "retry_after", None)
        return max(wait, float(retry_after)) if retry_after else wait

    def _answer(self, place) -> Answer:
        if place is None:
            return Answer(found=False)
        latitude, longitude = float(place.latitude), float(place.longitude)
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or math.isnan(latitude):
            raise ValueError(f"coordinates out of range: {latitude}, {longitude}")
        raw = place.raw if isinstance(place.raw, dict) else {}
        return Answer(
            found=True,
            latitude=latitude,
            longitude=longitude,
            precision=_precision(self.name, raw),
            municipality=_municipality(self.name, raw),
            label=(place.address or "")[:300],
        )

    # -- one address ----------------------------------------------------------------------------

    def place(self, address: Address, *, use_cache: bool = True) -> "Placement":
        """Where an address is: the provider's answer, or the offline fallback, with any doubt."""
        key = address.key
        if address.is_empty or self.offline:
            return self._fallback(address, key=key, outcome="fallback")
        try:
            answer = self.lookup(address.query(), key, use_cache=use_cache)
            if not answer.found and address.postal_code.strip():
                answer = self.lookup(
                    address.postal_code_query(), address.postal_code_key(), use_cache=use_cache
                )
                if answer.found and answer.precision == GeocodePrecision.ROOFTOP:
                    answer = Answer(
                        **{**answer.__dict__, "precision": GeocodePrecision.POSTAL_CODE}
                    )
        except GeocoderError as error:
            logger.warning(
                "Geocoding failed for %r with %s: %s. Using the centre of %s until the next try.",
                address.query(),
                self.name,
                error,
                address.territory,
            )
            # No key: the location stays due, and the next run asks again.
            return self._fallback(address, key="", outcome="failed")
        if not answer.found:
            return self._fallback(address, key=key, outcome="fallback")
        return Placement(
            latitude=answer.latitude,
            longitude=answer.longitude,
            precision=answer.precision,
            source=self.name,
            doubt=self.doubt(address, answer),
            label=answer.label,
            key=key,
            outcome="cache" if answer.from_cache else "geocoded",
        )

    def _fallback(self, address: Address, *, key: str, outcome: str) -> "Placement":
        centre = address.territory.centre if address.territory else None
        return Placement(
            latitude=centre[0] if centre else None,
            longitude=centre[1] if centre else None,
            precision=GeocodePrecision.MUNICIPALITY if centre else GeocodePrecision.FAILED,
            source=OFFLINE,
            doubt="",
            label=str(address.territory or ""),
            key=key,
            outcome=outcome,
        )

    # -- doubts ---------------------------------------------------------------------------------

    def doubt(self, address: Address, answer: Answer) -> str:
        (south, west), (north, east) = self.bounds
        if not (south <= answer.latitude <= north and west <= answer.longitude <= east):
            return GeocodeDoubt.OUTSIDE_CMM
        territory = address.territory
        if territory is None:
            return ""
        if answer.municipality:
            found = self._territory_named(answer.municipality)
            if found is not None and found.pk not in self._related_ids(territory):
                return GeocodeDoubt.OTHER_MUNICIPALITY
            if found is not None:
                return ""
        centre = territory.centre
        if centre:
            limit = 30 if territory.kind == Territory.Kind.MUNICIPALITY else 12
            if distance_km(centre, (answer.latitude, answer.longitude)) > limit:
                return GeocodeDoubt.FAR_FROM_MUNICIPALITY
        return ""

    def _territory_names(self) -> dict:
        if self._territories is None:
            territories = {t.pk: t for t in Territory.objects.all()}
            for t in territories.values():  # link parents without a query per row
                t.parent = territories.get(t.parent_id)
            self._territories = territories
        return self._territories

    def _territory_named(self, name: str) -> Territory | None:
        wanted = _place_name(name)
        candidates = [
            t
            for t in self._territory_names().values()
            if t.kind not in (Territory.Kind.REGION, Territory.Kind.SECTOR)
            and wanted in (_place_name(t.name), _place_name(t.name_en))
        ]
        return candidates[0] if candidates else None

    def _related_ids(self, territory: Territory) -> set[int]:
        """The territory, the places it is inside of, and the places inside it."""
        territories = self._territory_names()
        ids = {territory.pk}
        node = territories.get(territory.pk)
        while node is not None and node.parent_id:
            ids.add(node.parent_id)
            node = territories.get(node.parent_id)
        frontier = {territory.pk}
        while frontier:
            frontier = {t.pk for t in territories.values() if t.parent_id in frontier}
            ids |= frontier
        return ids


@dataclass(frozen=True)
class Placement:
    latitude: float | None
    longitude: float | None
    precision: str
    source: str
    doubt: str
    label: str
    key: str
    outcome: str  # geocoded, cache, fallback or failed

    def fields(self) -> dict:
        return {
            "latitude": self.latitude,
            "longitude": self.longitude,
            "geocode_precision": self.precision,
            "geocode_source": self.source,
            "geocode_doubt": self.doubt,
            "geocode_label": self.label,
            "geocoded_address": self.key,
            "geocoded_at": timezone.now(),
        }


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = (map(math.radians, a)), (map(math.radians, b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def _place_name(name: str) -> str:
    words = fold(name).split()
    return " ".join({"st": "saint", "ste": "sainte"}.get(w, w) for w in words)


def _is_transient(error: Exception) -> bool:
    if isinstance(
        error,
        geopy_exc.GeocoderTimedOut | geopy_exc.GeocoderUnavailable | geopy_exc.GeocoderRateLimited,
    ):
        return True
    cause = error.__cause__
    return isinstance(cause, AdapterHTTPError) and cause.status_code >= 500


def _describe(error: Exception) -> str:
    cause = error.__cause__
    if isinstance(cause, AdapterHTTPError):
        return f"HTTP {cause.status_code}"
    return f"{type(error).__name__}: {error}"


# Precision and municipality as each provider reports them; an unknown provider is taken at its
# word as an address match, and its answers are still checked for doubt by distance.
def _precision(provider: str, raw: dict) -> str:
    P = GeocodePrecision
    if provider == "nominatim":
        kind = raw.get("addresstype") or raw.get("type") or ""
        if kind == "postcode" or raw.get("type") == "postcode":
            return P.POSTAL_CODE
        return P.ROOFTOP if int(raw.get("place_rank") or 0) >= 26 else P.MUNICIPALITY
    if provider == "photon":
        properties = raw.get("properties", {})
        if properties.get("osm_value") == "postcode":
            return P.POSTAL_CODE
        return P.ROOFTOP if properties.get("type") in ("house", "street") else P.MUNICIPALITY
    if provider == "pelias":
        layer = raw.get("properties", {}).get("layer", "")
        if layer == "postalcode":
            return P.POSTAL_CODE
        return P.ROOFTOP if layer in ("address", "street", "venue") else P.MUNICIPALITY
    if provider == "googlev3":
        types = set(raw.get("types", []))
        if "postal_code" in types:
            return P.POSTAL_CODE
        location_type = raw.get("geometry", {}).get("location_type")
        exact = location_type in ("ROOFTOP", "RANGE_INTERPOLATED")
        return (
            P.ROOFTOP if exact or types & {"street_address", "premise", "route"} else P.MUNICIPALITY
        )
    return P.ROOFTOP


def _municipality(provider: str, raw: dict) -> str:
    if provider == "nominatim":
        address = raw.get("address", {})
        for key in ("city", "town", "village", "municipality", "hamlet"):
            if address.get(key):
                return address[key]
    elif provider in ("photon", "pelias"):
        properties = raw.get("properties", {})
        return properties.get("city") or properties.get("locality") or ""
    elif provider == "googlev3":
        for component in raw.get("address_components", []):
            if "locality" in component.get("types", []):
                return component.get("long_name", "")
    return ""


_geocoder_lock = threading.Lock()
_geocoders: dict[tuple, Geocoder] = {}


def get_geocoder() -> Geocoder:
    """The process's geocoder for the current settings (so the throttle spans every caller)."""
    key = _provider_settings()
    with _geocoder_lock:
        if key not in _geocoders:
            _geocoders.clear()
            _geocoders[key] = Geocoder()
        return _geocoders[key]


def geocoder_reset() -> None:
    """Forget the process's geocoder (its pause and statistics): for tests and benchmarks."""
    with _geocoder_lock:
        _geocoders.clear()


# --- Writing the results --------------------------------------------------------------------------


def location_geocode(
    *, location: Location, geocoder: Geocoder | None = None, force: bool = False
) -> Placement | None:
    """Geocode one saved location and store the result; ``None`` when nothing was to be done.

    The write only happens if the address is still the one that was geocoded and the pin has not
    been locked meanwhile, so a curator's concurrent edit always wins.
    """
    if location.coordinates_locked or not (force or needs_geocoding(location)):
        return None
    geocoder = geocoder or get_geocoder()
    address = location_address(location)
    placement = geocoder.place(address)
    geocoder.stats.outcomes[placement.outcome] += 1
    if (
        placement.outcome == "failed"
        and location.latitude is not None
        and location.geocode_source not in ("", OFFLINE)
        and location.geocoded_address == address.key
    ):
        return placement  # keep the provider's earlier answer for the same address
    fields = placement.fields()
    Location.objects.filter(
        pk=location.pk,
        coordinates_locked=False,
        street_address=location.street_address,
        postal_code=location.postal_code,
        municipality_id=location.municipality_id,
    ).update(**fields)
    for name, value in fields.items():
        setattr(location, name, value)
    return placement


def saved_locations_geocode(
    *, organisation_id: int, geocoder: Geocoder, force: bool = False
) -> Counter:
    """Geocode an organisation's saved locations; returns the outcomes' counts (empty: none of
    them moved). ``services.organisation_geocode`` does the draft's too."""
    outcomes = Counter()
    locations = Location.objects.filter(organisation_id=organisation_id).select_related(
        "municipality__parent__parent"
    )
    for location in locations:
        placement = location_geocode(location=location, geocoder=geocoder, force=force)
        if placement:
            outcomes[placement.outcome] += 1
    return outcomes


def draft_locations_geocode(
    *, organisation_id: int, geocoder: Geocoder, force: bool = False
) -> Counter:
    """Geocode the locations of an organisation's pending draft, so reviewers see the pin (and
    any doubt) before they approve; returns the outcomes' counts."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation and organisation.has_unpublished_changes and organisation.latest_revision_id:
        return _draft_geocode(organisation.latest_revision_id, geocoder, force)
    return Counter()


def _draft_geocode(revision_id: int, geocoder: Geocoder, force: bool) -> Counter:
    revision = Revision.objects.filter(pk=revision_id).first()
    if revision is None:
        return Counter()
    territories = geocoder._territory_names()
    placements = {}
    for index, data in enumerate(revision.content.get("locations", [])):
        address = Address(
            data.get("street_address") or "",
            data.get("postal_code") or "",
            territories.get(data.get("municipality")),
        )
        if data.get("coordinates_locked"):
            continue
        due = (
            force
            or data.get("latitude") is None
            or data.get("geocode_precision") == GeocodePrecision.MANUAL
            or data.get("geocoded_address") != address.key
        )
        if due:
            placements[index] = (address.key, geocoder.place(address))
    if not placements:
        return Counter()
    # The requests are made; now a short transaction, and only where the draft is unchanged.
    with transaction.atomic():
        revision = Revision.objects.select_for_update().get(pk=revision_id)
        rows = revision.content.get("locations", [])
        for index, (key, placement) in placements.items():
            if index >= len(rows) or rows[index].get("coordinates_locked"):
                continue
            data = rows[index]
            current = Address(
                data.get("street_address") or "",
                data.get("postal_code") or "",
                territories.get(data.get("municipality")),
            )
            if current.key != key:
                continue
            fields = placement.fields()
            fields["geocoded_at"] = fields["geocoded_at"].isoformat()
            data.update(fields)
        revision.save(update_fields=["content"])
    return Counter(placement.outcome for _key, placement in placements.values())

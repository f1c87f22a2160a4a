"""The reference data the generator draws from: the CMM's municipalities with their boroughs or
districts (where organisations are, their postal areas and phone area codes), and the needs."""

import random
from dataclasses import dataclass, field

from ..models import Category, Territory
from .data import (
    DEFAULT_ENGLISH_SHARE,
    DEFAULT_POPULATION,
    ENGLISH_SHARE,
    FSA_DIGITS,
    LAVAL_SECTOR,
    MONTREAL_SECTOR,
    POPULATION,
    POSTAL_LETTERS,
)

REGION_SLUG = "cmm"


class DemoDataError(Exception):
    """The demo data cannot be generated here; the message says why."""


@dataclass
class _Place:
    """A municipality, borough or district, with what the generator needs to know about it."""

    id: int
    slug: str
    name: str
    sector_id: int
    municipality_id: int
    centre: tuple[float, float]
    fsas: tuple[str, ...]
    area_codes: tuple[str, ...]
    english_share: float
    sub_places: list["_Place"] = field(default_factory=list)

    @property
    def is_sub_area(self) -> bool:
        return self.municipality_id != self.id


def _load_places(*, rng: random.Random) -> tuple[list[_Place], list[float], int]:
    """Municipalities (with their boroughs or districts) and their weights, and the region's id.

    The draws here (each place's postal areas) happen in slug order, so they are the same for
    the same seed whatever order the database returns rows in.
    """
    territories = {t.pk: t for t in Territory.objects.all()}
    by_slug = {t.slug: t for t in territories.values()}
    if REGION_SLUG not in by_slug:
        raise DemoDataError("The CMM territories are missing: run `manage.py migrate` first.")
    municipalities = sorted(
        (t for t in territories.values() if t.kind == Territory.Kind.MUNICIPALITY),
        key=lambda t: t.slug,
    )
    places, weights = [], []
    for municipality in municipalities:
        item = _place(municipality, municipality, territories=territories, rng=rng)
        children = sorted(
            (
                t
                for t in territories.values()
                if t.parent_id == municipality.pk
                and t.kind in (Territory.Kind.BOROUGH, Territory.Kind.DISTRICT)
            ),
            key=lambda t: t.slug,
        )
        item.sub_places = [
            _place(child, municipality, territories=territories, rng=rng) for child in children
        ]
        places.append(item)
        weights.append(POPULATION.get(municipality.slug, DEFAULT_POPULATION))
    if not places:
        raise DemoDataError("No municipalities in the database: run `manage.py migrate` first.")
    return places, weights, by_slug[REGION_SLUG].pk


def _place(
    territory: Territory,
    municipality: Territory,
    *,
    territories: dict[int, Territory],
    rng: random.Random,
) -> _Place:
    """``territory`` (``municipality`` or one of its boroughs or districts) as the generator sees
    it: two postal areas drawn from its sector's, its phone area codes, its share of English."""
    sector = _sector_of(territory, territories)
    prefix = "H" if sector.slug in (MONTREAL_SECTOR, LAVAL_SECTOR) else "J"
    digits = FSA_DIGITS.get(sector.slug, "3456")
    fsas = tuple(f"{prefix}{rng.choice(digits)}{rng.choice(POSTAL_LETTERS)}" for _ in range(2))
    # The island has 514 and its overlay 438, the rest 450 and 579; the older codes still
    # hold most numbers.
    area_codes = ("514", "514", "438") if sector.slug == MONTREAL_SECTOR else ("450", "450", "579")
    share = ENGLISH_SHARE.get(
        territory.slug,
        ENGLISH_SHARE.get(municipality.slug, DEFAULT_ENGLISH_SHARE.get(sector.slug, 0.04)),
    )
    return _Place(
        id=territory.pk,
        slug=territory.slug,
        name=territory.name,
        sector_id=sector.pk,
        municipality_id=municipality.pk,
        centre=_centre_of(territory, territories),
        fsas=fsas,
        area_codes=area_codes,
        english_share=share,
    )


def _sector_of(territory: Territory, territories: dict[int, Territory]) -> Territory:
    node = territory
    while node is not None and node.kind != Territory.Kind.SECTOR:
        node = territories.get(node.parent_id)
    if node is None:
        raise DemoDataError(f"Territory {territory.slug} is not inside a sector.")
    return node


def _centre_of(territory: Territory, territories: dict[int, Territory]) -> tuple[float, float]:
    node = territory
    while node is not None:
        if node.latitude is not None and node.longitude is not None:
            return (node.latitude, node.longitude)
        node = territories.get(node.parent_id)
    return (45.5, -73.6)  # no centre anywhere up the tree: the middle of the CMM


def _load_categories() -> tuple[dict[str, int], list[int]]:
    """Category ids by code, and the leaves (categories without children) to fall back on."""
    rows = list(Category.objects.values_list("pk", "code", "parent_id"))
    parents = {parent_id for _pk, _code, parent_id in rows if parent_id}
    by_code = {code: pk for pk, code, _parent in rows}
    leaves = sorted(pk for pk, _code, _parent in rows if pk not in parents)
    return by_code, leaves

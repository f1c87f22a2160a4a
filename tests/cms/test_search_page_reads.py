"""What the search page says to a visitor: distances in honest words when a record is only placed
at its district's centre, and the results before the form once a search is made; and what it
reads to say it: as many queries from a large directory as from a small one."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisations import search as engine
from organisations.factories import (
    LocationFactory,
    OrganisationFactory,
    PhoneFactory,
    ServiceFactory,
    category,
    territory,
)
from organisations.models import GeocodePrecision
from organisations.search import search_index_rebuild

pytestmark = pytest.mark.django_db

FR, EN = "/fr/recherche/", "/en/search/"


def placed(name, municipality, *, point=None, precision=GeocodePrecision.ROOFTOP, **kwargs):
    organisation = OrganisationFactory(
        name=name, description_fr="Repas chauds livrés aux aînés.", description_en=""
    )
    lat, lon = point or territory(municipality).centre
    LocationFactory(
        organisation=organisation,
        municipality=territory(municipality),
        latitude=lat,
        longitude=lon,
        geocode_precision=precision,
        **kwargs,
    )
    PhoneFactory(organisation=organisation, number="+14505550154", extension="204")
    return organisation


def rows(response) -> dict[str, str]:
    return {row.name: row.distance for row in response.context["rows"]}


def test_a_record_placed_at_its_districts_centre_is_in_that_area_not_at_0_km(client):
    placed("Popote de Duvernay", "duvernay", precision=GeocodePrecision.MUNICIPALITY)
    search_index_rebuild()

    response = client.get(FR, {"q": "repas", "pres": "Duvernay"})
    html = response.content.decode()

    assert rows(response) == {"Popote de Duvernay": "dans le secteur de Duvernay"}
    assert "0,0 km" not in html
    # The area is said once: the result does not repeat « Duvernay » beside it.
    facts = re.search(r'<p class="result-facts">(.*?)</p>', html, re.DOTALL).group(1)
    assert facts.count("Duvernay") == 1


def test_a_district_centre_further_away_is_a_rounded_distance_to_that_centre(client):
    placed("Popote de Ville-Marie", "ville-marie", precision=GeocodePrecision.MUNICIPALITY)
    placed("Popote précise", "ville-marie", point=(45.4700, -73.5600))
    search_index_rebuild()

    fr = rows(client.get(FR, {"q": "repas", "pres": "Verdun", "rayon": 20}))
    en = rows(client.get(EN, {"q": "repas", "near": "Verdun", "radius": 20}))

    assert fr["Popote de Ville-Marie"] == "à environ 6 km, centre de Ville-Marie"
    assert en["Popote de Ville-Marie"] == "about 6 km away, centre of Ville-Marie"
    # A point placed at the address keeps its distance to the tenth.
    assert fr["Popote précise"] == "à 2,1 km"


def test_the_centre_named_is_the_one_measured_from(client):
    # Chomedey has no centre point of its own in the reference data: its stand-in is Laval's.
    placed("Popote de Chomedey", "chomedey", precision=GeocodePrecision.MUNICIPALITY)
    search_index_rebuild()

    response = client.get(FR, {"q": "repas", "pres": "Sainte-Rose", "rayon": 20})

    assert re.fullmatch(r"à environ \d+ km, centre de Laval", rows(response)["Popote de Chomedey"])
    assert "<span>Chomedey</span>" in response.content.decode()


def test_a_confidential_place_is_only_said_to_be_in_its_area(client):
    placed(
        "Refuge",
        "verdun",
        point=(45.4612, -73.5712),
        address_is_confidential=True,
        street_address="4321 rue Secrète",
    )
    search_index_rebuild()

    response = client.get(EN, {"q": "repas", "near": "Verdun"})

    assert rows(response) == {"Refuge": "in the Verdun area"}
    assert "Secrète" not in response.content.decode()


def test_a_place_a_few_steps_away_is_less_than_100_m_never_0_km(client):
    here = territory("duvernay").centre
    placed("Juste à côté", "duvernay", point=(here[0] + 0.0002, here[1]))
    search_index_rebuild()

    response = client.get(FR, {"q": "repas", "pres": "Duvernay"})

    assert rows(response) == {"Juste à côté": "à moins de 100 m"}


def test_after_a_search_the_results_come_before_the_folded_form(client):
    placed("Popote roulante de Duvernay", "duvernay")
    search_index_rebuild()

    html = client.get(FR, {"q": "popote roulante", "pres": "Duvernay"}).content.decode()

    assert re.search(r"<h1>Résultats pour «\u00a0popote roulante\u00a0»</h1>", html)
    details = html.index('<details class="search-edit">')  # closed
    assert html.index("<summary>Modifier la recherche</summary>") > details
    assert details < html.index('<form class="search-form"') < html.index("</details>")
    assert html.index("</details>") < html.index('id="results-heading"')
    assert "à moins de 10 km de Duvernay" in html
    # The phone can be tapped, and reads as people write it.
    assert 'href="tel:+14505550154;ext=204"' in html


def test_before_a_search_or_when_a_place_is_not_understood_the_form_is_open(client):
    placed("Popote de Duvernay", "duvernay")
    search_index_rebuild()

    empty = client.get(FR).content.decode()
    unknown = client.get(FR, {"q": "popote", "pres": "Atlantide"}).content.decode()

    assert "<details" not in empty and '<form class="search-form"' in empty
    assert '<details class="search-edit" open>' in unknown
    assert unknown.index("Atlantide") < unknown.index("<details")


# --- Queries per page, whatever the directory's size ---------------------------------------------

# One search of each kind of tests/bench/bench_search.py's mix.
KINDS = {
    "common word": {"q": "repas"},
    "common word, later page": {"q": "repas", "page": "2"},
    "two words": {"q": "popote roulante"},
    "rare word": {"q": "friperie"},
    "unknown word": {"q": "bstnllrxmr"},
    "need": {"categorie": "popote-roulante"},
    "place": {"territoire": "verdun"},
    "need and place": {"categorie": "popote-roulante", "territoire": "verdun"},
    "words and need": {"q": "repas", "categorie": "popote-roulante"},
    "words and place": {"q": "repas", "territoire": "verdun"},
    "words, need and place": {"q": "repas", "categorie": "popote-roulante", "territoire": "verdun"},
    "near a point": {"lat": "45.4586", "lon": "-73.5699", "rayon": "5"},
    "need near a point": {"categorie": "popote-roulante", "lat": "45.4586", "lon": "-73.5699"},
    "words near a point": {"q": "repas", "lat": "45.4586", "lon": "-73.5699", "rayon": "25"},
    "near a place by name": {"pres": "Verdun", "categorie": "popote-roulante"},
}


def directory_of(count: int, start: int = 0) -> None:
    """``count`` more records that every search of ``KINDS`` finds (« friperie » in one of two,
    and never fewer than three records: fewer makes the page try other spellings), each with a
    service, a place in Verdun and a phone, like the demo's."""
    verdun = territory("verdun")
    for n in range(start, start + count):
        organisation = OrganisationFactory(
            name=f"Popote roulante {n:03}",
            description_fr="Repas chauds livrés." + (" Friperie." if n % 2 == 0 else ""),
            description_en="",
        )
        ServiceFactory(organisation=organisation, categories=[category("popote-roulante")])
        LocationFactory(
            organisation=organisation,
            municipality=verdun,
            latitude=45.4586 + n * 0.0005,
            longitude=-73.5699,
        )
        PhoneFactory(organisation=organisation)
    search_index_rebuild()


def queries_per_kind(client) -> dict[str, int]:
    counts = {}
    for kind, params in KINDS.items():
        client.get(FR, params)  # Wagtail's site and page caches, the reference data
        with CaptureQueriesContext(connection) as queries:
            response = client.get(FR, params)
        assert response.status_code == 200, kind
        counts[kind] = len(queries)
    return counts


def test_a_search_page_reads_no_more_queries_from_a_large_directory_than_from_a_small_one(
    client, monkeypatch
):
    directory_of(6)
    small = queries_per_kind(client)

    # The engine's thresholds lowered, so that 60 records cross each of them as 60,000 do: more
    # matches than are ranked, counted, sorted in memory or listed for "near", a capped count.
    for name, value in {
        "CANDIDATES": 25,
        "COUNT_LIMIT": 25,
        "FACET_SAMPLE": 10,
        "SORTED_IN_MEMORY": 10,
        "RESTRICTED_IN_MEMORY": 10,
    }.items():
        monkeypatch.setattr(engine, name, value)
    directory_of(54, start=6)
    large = queries_per_kind(client)

    # Past a threshold a search may need a query less (no ranking of thousands), never one more.
    assert {kind: n for kind, n in large.items() if n > small[kind]} == {}

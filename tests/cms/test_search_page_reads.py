"""What the search page says to a visitor: distances in honest words when a record is only placed
at its district's centre, and the results before the form once a search is made."""

import re

import pytest

from organisations.factories import LocationFactory, OrganisationFactory, PhoneFactory, territory
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

"""A visitor searches the directory on a phone, opens a result, switches language, and searches
near their position."""

import pytest

from organisations.factories import LocationFactory, OrganisationFactory, PhoneFactory, territory
from organisations.search import search_index_rebuild
from tests.browser.checks import csp_violations
from tests.browser.conftest import settle

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def popote(name, slug, point):
    organisation = OrganisationFactory(
        name=name,
        slug=slug,
        description_fr="Repas chauds livrés aux aînés.",
        description_en="Hot meals delivered to seniors.",
    )
    LocationFactory(
        organisation=organisation,
        municipality=territory("verdun"),
        latitude=point[0],
        longitude=point[1],
    )
    PhoneFactory(organisation=organisation, number="+15145550142")
    return organisation


def test_a_visitor_searches_opens_a_result_and_switches_language(page, live_server):
    popote("Popote roulante de Verdun", "popote-verdun", (45.4589, -73.5712))
    search_index_rebuild()

    page.goto(f"{live_server.url}/fr/recherche/")
    page.get_by_label("Que cherchez-vous ?").fill("repas aînés")
    page.get_by_role("button", name="Rechercher").click()

    page.wait_for_url("**/fr/recherche/?q=repas*")
    assert page.get_by_role("heading", name="1 organisme").is_visible()
    assert csp_violations(page) == []
    page.get_by_role("link", name="Popote roulante de Verdun").click()
    page.wait_for_url("**/fr/organismes/popote-verdun/")
    assert page.locator("h1").inner_text() == "Popote roulante de Verdun"

    page.go_back()
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/en/search/?q=repas*")
    assert page.get_by_role("heading", name="1 organisation").is_visible()
    assert page.get_by_text("Hot meals delivered to seniors.").is_visible()


def test_near_me_searches_around_the_browsers_position(browser, live_server):
    here = {"latitude": 45.4600, "longitude": -73.5700}
    popote("Tout près", "tout-pres", (45.4610, -73.5705))
    popote("Un peu plus loin", "plus-loin", (45.4800, -73.5900))
    popote("Trop loin", "trop-loin", (45.7000, -73.4000))
    search_index_rebuild()
    context = browser.new_context(
        locale="fr-CA",
        viewport={"width": 390, "height": 844},
        geolocation=here,
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(15_000)

    page.goto(f"{live_server.url}/fr/recherche/")
    page.get_by_role("button", name="Utiliser ma position").click()

    page.wait_for_url("**/fr/recherche/?*lat=45.46*")
    results = page.locator(".result h3").all_inner_texts()
    assert results == ["Tout près", "Un peu plus loin"]
    assert page.get_by_text("0,1 km").first.is_visible()
    settle(page)
    context.close()


# Mme Tremblay's path (SCENARIOS.md): « popote roulante » near « Duvernay » on her phone with
# large text, nearest first with the distance, a number to tap, the date of the last check, and
# the same page in English for her neighbour. Duvernay has no centre point of its own in the
# reference data: "near Duvernay" is measured from Laval's centre (45.56995, -73.692).
LAVAL_CENTRE = (45.56995, -73.692)


@pytest.fixture
def popotes():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from organisations.factories import ServiceFactory, category
    from organisations.models import GeocodePrecision

    def make(name, slug, municipality, point, precision=GeocodePrecision.ROOFTOP):
        organisation = OrganisationFactory(
            name=name,
            slug=slug,
            description_fr="Repas chauds livrés aux aînés.",
            description_en="Hot meals delivered to seniors.",
            last_verified_at=datetime(2026, 12, 8, 10, 0, tzinfo=ZoneInfo("America/Montreal")),
        )
        ServiceFactory(organisation=organisation, categories=[category("popote-roulante")])
        LocationFactory(
            organisation=organisation,
            municipality=territory(municipality),
            street_address="1234, rue Principale",
            postal_code="H7E 1A1",
            latitude=point[0],
            longitude=point[1],
            geocode_precision=precision,
        )
        PhoneFactory(organisation=organisation, number="+14505550154", extension="204")

    make(
        "Popote roulante de Duvernay",
        "popote-duvernay",
        "duvernay",
        LAVAL_CENTRE,
        GeocodePrecision.MUNICIPALITY,
    )
    make("Popote roulante Sainte-Rose", "popote-sainte-rose", "sainte-rose", (45.6050, -73.7700))
    make("Popote roulante Vimont", "popote-vimont", "laval", (45.5800, -73.7000))
    search_index_rebuild()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_popote_roulante_near_duvernay_nearest_first_then_call_and_read_the_check(
    screen, live_server, popotes, shoot, language
):
    from tests.browser.checks import large_text, overflow

    page = screen
    phone = page.screen_name == "phone"
    if phone:
        large_text(page)  # her grandson set the phone's text large
    fr = language == "fr"
    page.goto(f"{live_server.url}/{language}/")
    shoot(page, f"{language}-home")
    page.get_by_label("Que cherchez-vous ?" if fr else "What are you looking for?").fill(
        "popote roulante"
    )
    page.get_by_label(
        "Près de (adresse, code postal ou municipalité)"
        if fr
        else "Near (address, postal code or municipality)"
    ).fill("Duvernay")
    page.get_by_role("button", name="Rechercher" if fr else "Search").click()
    page.wait_for_url("**/recherche/?*" if fr else "**/search/?*")
    shoot(page, f"{language}-results")

    results = page.locator(".result h3").all_inner_texts()
    assert results == [
        "Popote roulante de Duvernay",
        "Popote roulante Vimont",
        "Popote roulante Sainte-Rose",
    ]
    facts = page.locator(".result-facts").all_inner_texts()
    assert ("dans le secteur de Duvernay" if fr else "in the Duvernay area") in facts[0]
    assert ("à 1,3 km" if fr else "1.3 km away") in facts[1]
    assert "0,0 km" not in page.content() and "0.0 km" not in page.content()
    # Results first: the first one starts on the first screen, under what was asked.
    top = page.locator(".result").first.bounding_box()["y"]
    assert top < page.viewport_size["height"], f"first result at {top}px"
    heading = "Résultats pour « popote roulante »" if fr else "Results for “popote roulante”"
    assert page.locator("h1").inner_text().replace("\u00a0", " ") == heading
    assert not page.get_by_label(
        "Que cherchez-vous ?" if fr else "What are you looking for?"
    ).is_visible()
    assert overflow(page) == []

    # She taps the nearest, which says when it was last checked, and calls.
    page.get_by_role("link", name="Popote roulante de Duvernay").click()
    page.wait_for_url("**/popote-duvernay/")
    shoot(page, f"{language}-record")
    verified = page.locator(".verified").inner_text()
    assert verified == (
        "Information vérifiée le 8 décembre 2026" if fr else "Information verified on Dec. 8, 2026"
    )
    call = page.locator('a[href^="tel:"]').first
    assert call.get_attribute("href") == "tel:+14505550154;ext=204"
    assert call.is_visible()
    assert overflow(page) == []

    # The same page in the other language, for her neighbour.
    page.get_by_role("link", name="English" if fr else "Français").click()
    page.wait_for_url(
        "**/organisations/popote-duvernay/" if fr else "**/organismes/popote-duvernay/"
    )
    shoot(page, f"{language}-record-switched")
    assert page.locator("h1").inner_text() == "Popote roulante de Duvernay"

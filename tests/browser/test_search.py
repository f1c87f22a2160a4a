"""A visitor searches the directory on a phone, opens a result, switches language, and searches
near their position."""

import pytest

from organisations.factories import LocationFactory, OrganisationFactory, PhoneFactory, territory
from organisations.search import search_index_rebuild
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

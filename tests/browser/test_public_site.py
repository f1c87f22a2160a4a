"""A visitor on a phone reads an organisation's page and switches language; a curator signs in."""

import pytest

from organisations.factories import LocationFactory, OrganisationFactory, PhoneFactory, territory

# serialized_rollback: the live server needs committed data, and the reference data, pages and
# roles that migrations created must come back after each test flushes the database.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_visitor_reads_a_record_and_switches_to_english_on_the_same_page(page, live_server):
    organisation = OrganisationFactory(
        name="Popote roulante de Duvernay",
        slug="popote-roulante-duvernay",
        description_fr="Repas chauds livrés aux aînés.",
        description_en="Hot meals delivered to seniors.",
    )
    LocationFactory(
        organisation=organisation, municipality=territory("duvernay"), postal_code="H7E 1A1"
    )
    PhoneFactory(organisation=organisation, number="+14505550123")

    page.goto(f"{live_server.url}/fr/organismes/popote-roulante-duvernay/")
    assert page.locator("h1").inner_text() == "Popote roulante de Duvernay"
    assert page.get_by_text("Repas chauds livrés aux aînés.").is_visible()
    assert page.locator('a[href="tel:+14505550123"]').is_visible()

    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/en/organisations/popote-roulante-duvernay/")
    assert page.get_by_text("Hot meals delivered to seniors.").is_visible()
    assert page.locator("html").get_attribute("lang") == "en"


def test_the_skip_link_is_the_first_stop_for_keyboard_users(page, live_server):
    page.goto(f"{live_server.url}/fr/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"


def test_a_curator_signs_in_and_finds_the_organisations(page, live_server, curator):
    OrganisationFactory(name="Centre d'entraide de Saint-Hubert")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "nadia")
    page.fill("input[name=password]", "password")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/admin/snippets/organisations/organisation/")
    assert page.get_by_text("Centre d'entraide de Saint-Hubert").is_visible()

"""A visitor types what they mean in one box, on a phone, misspelt and with a place, and the page
says how it read it: « popotte roullante Duvernay » finds Duvernay's meals on wheels, nearest
first, with the spelling corrected and the place taken, each said, and one link to search the
words as typed. The new messages are axe-clean in French and in English, with large text too."""

import pytest

from organisations.factories import (
    LocationFactory,
    OrganisationFactory,
    ServiceFactory,
    category,
    territory,
)
from organisations.search import search_index_rebuild
from tests.browser.checks import axe_violations, csp_violations, large_text, overflow

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def meals_on_wheels(name, slug, place, point):
    organisation = OrganisationFactory(
        name=name,
        slug=slug,
        description_fr="Repas chauds livrés à domicile aux aînés.",
        description_en="Hot meals delivered to seniors at home.",
    )
    ServiceFactory(
        organisation=organisation,
        name_fr="Livraison de repas",
        name_en="Meal delivery",
        categories=[category("popote-roulante")],
        service_areas=[territory(place)],
    )
    LocationFactory(
        organisation=organisation,
        municipality=territory(place),
        latitude=point[0],
        longitude=point[1],
    )
    return organisation


@pytest.fixture
def directory():
    # Two in Duvernay (one at its heart, one at its edge), one elsewhere in Laval, one in Verdun.
    meals_on_wheels("Popote de l'Est de Laval", "popote-est", "duvernay", (45.5950, -73.6500))
    meals_on_wheels("Popote roulante Duvernay", "popote-duvernay", "duvernay", (45.5862, -73.6683))
    meals_on_wheels("Popote de Chomedey", "popote-chomedey", "chomedey", (45.5400, -73.7500))
    meals_on_wheels("Popote de Verdun", "popote-verdun", "verdun", (45.4589, -73.5712))
    search_index_rebuild()


def test_a_misspelt_need_and_a_place_typed_on_a_phone_find_that_places_service(
    screen, live_server, directory, shoot
):
    page = screen
    page.goto(f"{live_server.url}/fr/recherche/")
    page.get_by_label("Que cherchez-vous ?").fill("popotte roullante Duvernay")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**/fr/recherche/?q=popotte*")
    shoot(page, "understood")

    results = page.locator(".result h3").all_inner_texts()
    # Duvernay's two, the one at its middle (the middle of its addresses) first; nothing else.
    assert results == ["Popote roulante Duvernay", "Popote de l'Est de Laval"]
    notice = page.locator(".understood").inner_text().replace("\u00a0", " ")
    assert "« Duvernay » est compris comme le lieu cherché" in notice
    assert "Orthographe corrigée" in notice
    as_typed = page.get_by_role(
        "link", name="Chercher plutôt « popotte roullante Duvernay », tel quel"
    )
    assert as_typed.is_visible()
    assert overflow(page) == []
    assert axe_violations(page) == []
    assert csp_violations(page) == []

    as_typed.click()
    page.wait_for_url("**exact=1*")
    shoot(page, "as-typed")
    assert page.locator(".understood").count() == 0 or "tel quel" not in page.content()
    assert axe_violations(page) == []


def test_the_messages_read_in_english_and_at_large_text(screen, live_server, directory, shoot):
    page = screen
    large_text(page)
    page.goto(f"{live_server.url}/en/search/?q=popotte+roullante+Duvernay")
    shoot(page, "understood-en-large-text")

    notice = page.locator(".understood").inner_text()
    assert "“Duvernay” is read as the place searched" in notice
    assert "Spelling corrected" in notice
    assert page.get_by_role(
        "link", name="Search instead for “popotte roullante Duvernay”, as typed"
    )
    assert overflow(page) == []
    assert axe_violations(page) == []


def test_nothing_in_the_place_offers_the_need_elsewhere_and_the_211_line(
    screen, live_server, directory, shoot
):
    page = screen
    page.goto(f"{live_server.url}/fr/recherche/?categorie=popote-roulante&territoire=anjou")
    shoot(page, "elsewhere")

    assert page.get_by_role("heading", name="0 organisme").is_visible()
    elsewhere = page.locator(".elsewhere li").all_inner_texts()
    assert elsewhere[-1].startswith("Toute la région")
    assert page.locator('a[href="tel:211"]').is_visible()
    assert axe_violations(page) == []
    page.locator(".elsewhere a").first.click()
    page.wait_for_url("**territoire=*")
    assert page.locator(".result").count() >= 1

"""The public pages at large text and at 200 % zoom (issue 15, WCAG 1.4.4 and 1.4.10): no
horizontal scrolling at 320 CSS px with the browser's default font at 16 px and at 24 px, nor at
683 px (a 1366 px screen zoomed to 200 %), and the header's title never cut."""

import pytest

from cms.models import ContentPage, HomePage
from organisations.factories import (
    LocationFactory,
    OpeningHoursFactory,
    OrganisationFactory,
    PhoneFactory,
    ServiceFactory,
    category,
    territory,
)
from organisations.models import GeocodePrecision
from organisations.search import search_index_rebuild
from tests.browser.checks import large_text, overflow

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LONG_NAME = "Regroupement des organismes communautaires de réinsertion socioprofessionnelle"


@pytest.fixture
def site():
    popote = OrganisationFactory(
        name="Popote roulante de Duvernay",
        slug="popote-roulante-duvernay",
        description_fr="Repas chauds livrés aux aînés.",
        description_en="Hot meals delivered to seniors.",
        email="coordination.popote-roulante-duvernay@organismes-communautaires.example.org",
        website="https://www.popote-roulante-duvernay.example.org/services/livraison-de-repas",
    )
    ServiceFactory(
        organisation=popote,
        categories=[category("popote-roulante")],
        service_areas=[territory("laval")],
    )
    location = LocationFactory(
        organisation=popote,
        municipality=territory("duvernay"),
        street_address="1234, rue Principale",
        postal_code="H7E 1A1",
        latitude=45.5862,
        longitude=-73.6683,
    )
    OpeningHoursFactory(location=location)
    PhoneFactory(organisation=popote, number="+14505550154", extension="204")
    centre = OrganisationFactory(name=LONG_NAME, slug="regroupement", description_fr="Repas.")
    LocationFactory(
        organisation=centre,
        municipality=territory("chomedey"),
        latitude=territory("chomedey").centre[0],
        longitude=territory("chomedey").centre[1],
        geocode_precision=GeocodePrecision.MUNICIPALITY,
    )
    home = HomePage.objects.get(locale__language_code="fr")
    home.add_child(
        instance=ContentPage(
            title="À propos du répertoire",
            slug="a-propos",
            body="<p>Le 211 tient à jour l'information sur les ressources communautaires.</p>",
        )
    )
    search_index_rebuild()


PAGES = {
    "home": "/fr/",
    "home-en": "/en/",
    "search": "/fr/recherche/?q=popote+roulante&pres=Duvernay",
    "search-en": "/en/search/?q=meals&near=Duvernay",
    "search-nothing": "/fr/recherche/?q=introuvable",
    "detail-map": "/fr/organismes/popote-roulante-duvernay/",
    "detail-area": "/fr/organismes/regroupement/",
    "content": "/fr/a-propos/",
}

# (width, default font size): 320 CSS px (WCAG's reflow width) at 16 and 24 px, and 683 px (a
# 1366 px laptop at 200 % zoom) at 16 px.
SIZES = [(320, 16), (320, 24), (683, 16)]

HEADER_CLIPPED = """() => {
    const found = [];
    for (const element of document.querySelectorAll('.site-header, .site-header *')) {
        const box = element.getBoundingClientRect();
        if (box.width === 0) continue;
        if (element.scrollWidth > element.clientWidth + 1 && getComputedStyle(element).overflowX !== 'visible')
            found.push(element.className + ' scrolls');
        if (box.left < -1 || box.right > innerWidth + 1) found.push(element.className + ' sticks out');
    }
    const brand = document.querySelector('.brand');
    if (brand.scrollWidth > brand.clientWidth) found.push('the title is wider than its box');
    return found;
}"""


@pytest.mark.parametrize(("width", "font"), SIZES, ids=[f"{w}px-{f}px" for w, f in SIZES])
def test_the_public_pages_reflow_without_horizontal_scrolling(
    browser, live_server, site, shoot, width, font
):
    context = browser.new_context(locale="fr-CA", viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    if font != 16:
        large_text(page, font)
    try:
        for name, path in PAGES.items():
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, name
            assert overflow(page) == [], name
            assert page.evaluate(HEADER_CLIPPED) == [], name
            shoot(page, name)
    finally:
        context.close()


def test_large_text_really_is_larger(browser, live_server, site):
    """The check above means something only if the 24 px setting reaches the page."""
    sizes = []
    for font in (16, 24):
        context = browser.new_context(locale="fr-CA", viewport={"width": 320, "height": 800})
        page = context.new_page()
        if font != 16:
            large_text(page, font)
        page.goto(f"{live_server.url}/fr/")
        sizes.append(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))
        context.close()
    assert sizes == [18, 27]  # the site's 112.5 % of the visitor's own size

"""Accessibility: axe-core finds no violation on the public pages, in French and in English.

axe-core comes from the npm registry (vendored under vendor/axe-core, see its README) and is
injected by the test into each page; the site never serves it.
"""

from pathlib import Path

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

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA, and axe's best practices.
RUN_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    }
}


@pytest.fixture
def record():
    organisation = OrganisationFactory(
        name="Popote roulante de Duvernay",
        slug="popote-roulante-duvernay",
        description_fr="Repas chauds livrés aux aînés.",
        description_en="Hot meals delivered to seniors.",
    )
    ServiceFactory(
        organisation=organisation,
        categories=[category("popote-roulante")],
        service_areas=[territory("laval")],
        eligibility_fr="Personnes de 65 ans et plus.",
        fees_fr="5 $ par repas.",
    )
    location = LocationFactory(
        organisation=organisation,
        municipality=territory("duvernay"),
        postal_code="H7E 1A1",
        latitude=45.5862,
        longitude=-73.6683,
    )
    OpeningHoursFactory(location=location)
    PhoneFactory(organisation=organisation, number="+14505550123")
    # A record placed only at its district's centre: its page shows the area and a note.
    approximate = OrganisationFactory(name="Entraide Chomedey", slug="entraide-chomedey")
    LocationFactory(
        organisation=approximate,
        municipality=territory("chomedey"),
        latitude=territory("chomedey").centre[0],
        longitude=territory("chomedey").centre[1],
        geocode_precision=GeocodePrecision.MUNICIPALITY,
    )
    for language, title, slug in (("fr", "À propos", "a-propos"), ("en", "About", "about")):
        HomePage.objects.get(locale__language_code=language).add_child(
            instance=ContentPage(title=title, slug=slug, body="<p>Le 211 / The 211.</p>")
        )
    search_index_rebuild()
    return organisation


def violations(page, url) -> list[str]:
    page.goto(url)
    # Evaluated, not a <script> tag: the Content-Security-Policy refuses inline scripts.
    page.evaluate(AXE.read_text() + "\n;undefined")
    result = page.evaluate("options => axe.run(document, options)", RUN_OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/fr/",
        "/en/",
        "/fr/recherche/",
        "/fr/recherche/?q=repas",
        "/en/search/?q=meals&area=laval",
        "/fr/recherche/?q=introuvable",
        "/fr/organismes/popote-roulante-duvernay/",
        "/en/organisations/popote-roulante-duvernay/",
        # Issue 15: results first with the form folded, honest distances, area maps, content.
        "/fr/recherche/?q=popote+roulante&pres=Duvernay",
        "/en/search/?q=meals&near=Duvernay",
        "/en/search/?q=nowhere-to-be-found",
        "/fr/recherche/?q=repas&pres=Atlantide",
        "/fr/organismes/entraide-chomedey/",
        "/en/organisations/entraide-chomedey/",
        "/fr/organismes/",
        "/en/organisations/",
        "/fr/a-propos/",
        "/en/about/",
    ],
)
def test_public_pages_have_no_accessibility_violation(page, live_server, record, path):
    assert violations(page, f"{live_server.url}{path}") == []

"""The map on an organisation's page: its public places only, reachable and leavable by keyboard,
and a page that works without tiles or JavaScript."""

import pytest

from organisations.factories import LocationFactory, OrganisationFactory, territory
from tests.browser.checks import csp_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PATH = "/fr/organismes/entraide-laval/"


@pytest.fixture
def record():
    organisation = OrganisationFactory(name="Entraide Laval", slug="entraide-laval")
    LocationFactory(
        organisation=organisation,
        name="Comptoir",
        municipality=territory("duvernay"),
        latitude=45.5862,
        longitude=-73.6683,
    )
    LocationFactory(
        organisation=organisation,
        name="Friperie",
        municipality=territory("laval"),
        latitude=45.5700,
        longitude=-73.6920,
    )
    LocationFactory(
        organisation=organisation,
        name="Refuge",
        municipality=territory("longueuil"),
        latitude=45.5123,
        longitude=-73.4567,
        address_is_confidential=True,
    )
    return organisation


def no_tiles(page):
    """No test reaches the internet: the tile server is unreachable, as it may be for a visitor."""
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())


def test_the_map_shows_a_marker_per_public_place_and_none_for_the_confidential_one(
    page, live_server, record
):
    no_tiles(page)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}{PATH}")
    canvas = page.locator(".map__canvas")
    canvas.wait_for()
    assert canvas.get_attribute("role") == "region"
    assert "Entraide Laval" in canvas.get_attribute("aria-label")
    markers = page.locator(".leaflet-marker-icon")
    assert markers.count() == 2
    alts = sorted(markers.nth(i).get_attribute("alt") for i in range(2))
    assert all("Comptoir" in a or "Friperie" in a for a in alts)
    assert "Refuge" not in " ".join(alts)
    # Without tiles the places are still listed, each with its link.
    assert page.get_by_role("link", name="Ouvrir dans OpenStreetMap").count() == 2
    assert errors == []
    assert csp_violations(page) == []  # Leaflet, our map script and its styles


def test_the_keyboard_enters_and_leaves_the_map(page, live_server, record):
    no_tiles(page)
    page.goto(f"{live_server.url}{PATH}")
    page.locator(".map__canvas").wait_for()
    page.locator(".map__canvas").focus()
    page.keyboard.press("ArrowDown")  # the map takes its keys...
    page.keyboard.press("Tab")  # ...but not Tab
    focused_inside = page.evaluate(
        "() => document.querySelector('.map__canvas').contains(document.activeElement)"
    )
    # The next stops are the zoom buttons and attribution links inside the map; then out.
    for _ in range(8):
        if not focused_inside:
            break
        page.keyboard.press("Tab")
        focused_inside = page.evaluate(
            "() => document.querySelector('.map__canvas').contains(document.activeElement)"
        )
    assert not focused_inside


def test_without_javascript_the_places_are_links_to_openstreetmap(browser, live_server, record):
    context = browser.new_context(java_script_enabled=False, locale="fr-CA")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}{PATH}")
        assert page.locator(".map__canvas").count() == 0
        links = page.get_by_role("link", name="Ouvrir dans OpenStreetMap")
        assert links.count() == 2
        assert "mlat=45.586200" in links.first.get_attribute("href")
    finally:
        context.close()


def test_a_place_only_placed_at_its_districts_centre_shows_the_area_not_a_pin(
    screen, live_server, shoot
):
    from organisations.models import GeocodePrecision

    organisation = OrganisationFactory(name="Entraide Sainte-Rose", slug="entraide-sainte-rose")
    centre = territory("sainte-rose").centre
    LocationFactory(
        organisation=organisation,
        municipality=territory("sainte-rose"),
        street_address="3906, rue de l'Église",
        postal_code="H7L 1A1",
        latitude=centre[0],
        longitude=centre[1],
        geocode_precision=GeocodePrecision.MUNICIPALITY,
    )
    screen.goto(f"{live_server.url}/fr/organismes/entraide-sainte-rose/")
    screen.locator(".map__canvas").wait_for()
    screen.locator(".map").scroll_into_view_if_needed()
    shoot(screen, "area-map")

    assert screen.get_by_text(
        "Cette adresse n'est pas placée exactement. La carte montre le secteur de Sainte-Rose."
    ).is_visible()
    assert screen.locator("address").inner_text().replace("\u00a0", " ").splitlines() == [
        "3906, rue de l'Église",
        "Sainte-Rose, Laval (Québec) H7L 1A1",
    ]
    assert screen.locator(".leaflet-marker-icon").count() == 0  # no pin at a street
    assert csp_violations(screen) == []
    assert screen.locator("path.leaflet-interactive, .leaflet-overlay-pane path").count() == 1
    link = screen.get_by_role("link", name="Voir le secteur de Sainte-Rose dans OpenStreetMap")
    assert link.get_attribute("href").startswith("https://www.openstreetmap.org/#map=14/45.61")

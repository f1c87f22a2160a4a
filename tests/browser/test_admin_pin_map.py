"""A curator places a location's pin by hand on the map of the organisation's edit form."""

import re

import pytest
from playwright.sync_api import expect

from organisations.factories import LocationFactory, OrganisationFactory, territory
from organisations.models import Organisation
from tests.browser.checks import csp_violations

# serialized_rollback: the live server needs committed data, and the reference data, pages and
# roles that migrations created must come back after each test flushes the database.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LATITUDE, LONGITUDE = 45.5234, -73.5812


def sign_in(page, live_server):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "nadia")
    page.fill("input[name=password]", "password")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))


def open_locations_tab(page):
    # The tab's label and id are translated: find the tab panel that holds a map instead.
    panel_id = page.locator('[role="tabpanel"]:has([data-controller="pin-map"])').get_attribute(
        "id"
    )
    page.locator(f'[role="tab"][href="#{panel_id}"]').click()


def test_a_curator_places_the_pin_by_clicking_the_map(desktop, live_server, curator):
    page = desktop
    organisation = OrganisationFactory(name="Maison d'entraide du Plateau")
    LocationFactory(
        organisation=organisation,
        municipality=territory("le-plateau-mont-royal"),
        latitude=LATITUDE,
        longitude=LONGITUDE,
        coordinates_locked=False,
    )
    sign_in(page, live_server)
    page.goto(f"{live_server.url}{organisation.get_admin_url()}")
    open_locations_tab(page)

    latitude = page.locator("#id_locations-0-latitude")
    longitude = page.locator("#id_locations-0-longitude")
    locked = page.locator("#id_locations-0-coordinates_locked")
    map_ = page.locator("#locations-0-pin-map")
    pin = map_.locator(".leaflet-marker-icon")
    expect(map_).to_have_attribute("aria-label", re.compile(r"\S"))
    expect(pin).to_be_visible()  # the map opens on the location's pin
    expect(latitude).to_have_value(str(LATITUDE))
    expect(locked).not_to_be_checked()

    # Coordinates typed by hand count as a pin placed by hand.
    latitude.fill(str(LATITUDE + 0.001))
    expect(locked).to_be_checked()
    latitude.fill(str(LATITUDE))
    locked.uncheck()

    # The pin is at the centre of the map; click up and to the right of it (north-east).
    box = map_.bounding_box()
    map_.click(position={"x": box["width"] / 2 + 120, "y": box["height"] / 2 - 80})

    expect(latitude).not_to_have_value(str(LATITUDE))
    expect(locked).to_be_checked()
    new_latitude = float(latitude.input_value())
    new_longitude = float(longitude.input_value())
    assert new_latitude > LATITUDE
    assert new_longitude > LONGITUDE
    assert abs(new_latitude - LATITUDE) < 0.01 and abs(new_longitude - LONGITUDE) < 0.01
    assert re.fullmatch(r"-?\d+(\.\d{1,6})?", latitude.input_value())
    assert re.fullmatch(r"-?\d+(\.\d{1,6})?", longitude.input_value())
    # The pin followed the click.
    pin_box, map_box = pin.bounding_box(), map_.bounding_box()
    assert pin_box["x"] + pin_box["width"] / 2 > map_box["x"] + map_box["width"] / 2 + 100

    # Typing coordinates moves the pin back.
    before = pin.bounding_box()
    latitude.fill(str(LATITUDE))
    longitude.fill(str(LONGITUDE))
    page.wait_for_function(
        """([selector, x]) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return Math.abs(box.x - x) > 50;
        }""",
        arg=["#locations-0-pin-map .leaflet-marker-icon", before["x"]],
    )
    map_.click(position={"x": box["width"] / 2 + 120, "y": box["height"] / 2 - 80})
    expect(latitude).to_have_value(str(new_latitude))
    expect(longitude).to_have_value(str(new_longitude))
    assert csp_violations(page) == []  # the map and the form's scripts under the policy

    # Save the draft (the default action of the form: the button whose form has no other
    # action name), then read the new revision.
    with page.expect_response(
        lambda response: (
            response.request.method == "POST"
            and response.url.endswith(organisation.get_admin_url())
        )
    ) as posted:
        page.locator("form button.action-save").click()
    assert posted.value.status == 302, "the form came back with errors"

    organisation = Organisation.objects.get(pk=organisation.pk)
    location = organisation.latest_revision.as_object().locations.first()
    assert location.latitude == pytest.approx(new_latitude, abs=1e-9)
    assert location.longitude == pytest.approx(new_longitude, abs=1e-9)
    assert location.coordinates_locked is True
    # The live record is unchanged until the draft is published.
    live_location = organisation.locations.get()
    assert live_location.latitude == LATITUDE and live_location.coordinates_locked is False


def test_a_location_added_on_the_form_gets_a_working_map(desktop, live_server, curator):
    page = desktop
    organisation = OrganisationFactory(name="Cuisine collective du Plateau")
    LocationFactory(organisation=organisation, municipality=territory("le-plateau-mont-royal"))
    sign_in(page, live_server)
    page.goto(f"{live_server.url}{organisation.get_admin_url()}")
    open_locations_tab(page)

    page.locator("#id_locations-ADD").click()

    map_ = page.locator("#locations-1-pin-map")
    expect(map_.locator(".leaflet-pane").first).to_be_attached()  # the controller connected
    expect(map_.locator(".leaflet-marker-icon")).to_have_count(0)  # no coordinates, no pin
    expect(page.locator("#locations-1-pin-map-help")).to_be_visible()
    box = map_.bounding_box()
    map_.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    assert csp_violations(page) == []

    expect(map_.locator(".leaflet-marker-icon")).to_be_visible()
    expect(page.locator("#id_locations-1-coordinates_locked")).to_be_checked()
    # Opened on Montréal: the centre of the map is about there.
    assert float(page.locator("#id_locations-1-latitude").input_value()) == pytest.approx(
        45.5088, abs=0.01
    )
    assert float(page.locator("#id_locations-1-longitude").input_value()) == pytest.approx(
        -73.5878, abs=0.01
    )
    # Dragging the pin south-east moves it there.
    latitude = page.locator("#id_locations-1-latitude")
    longitude = page.locator("#id_locations-1-longitude")
    clicked = float(latitude.input_value()), float(longitude.input_value())
    pin = map_.locator(".leaflet-marker-icon").bounding_box()
    start = pin["x"] + pin["width"] / 2, pin["y"] + pin["height"] / 2
    page.mouse.move(*start)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(start[0] + 10 * step, start[1] + 6 * step)
    page.mouse.up()
    expect(latitude).not_to_have_value(str(clicked[0]))
    assert float(latitude.input_value()) < clicked[0]
    assert float(longitude.input_value()) > clicked[1]
    # The first location's map and inputs are untouched.
    expect(page.locator("#id_locations-0-coordinates_locked")).not_to_be_checked()
    expect(page.locator("#locations-0-pin-map .leaflet-marker-icon")).to_have_count(1)

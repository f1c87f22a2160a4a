"""The map on a location's form where a curator places the pin by hand (PinMapPanel)."""

import html

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

from organisations.factories import LocationFactory, OrganisationFactory, territory

pytestmark = pytest.mark.django_db

LEAFLET = "organisations/vendor/leaflet"


@pytest.fixture
def organisation():
    organisation = OrganisationFactory(name="Maison d'entraide du Plateau")
    LocationFactory(
        organisation=organisation,
        municipality=territory("le-plateau-mont-royal"),
        latitude=45.5234,
        longitude=-73.5812,
    )
    return organisation


def test_each_location_gets_a_map_wired_to_its_inputs(client_for, curator, organisation):
    response = client_for(curator).get(organisation.get_admin_url())

    assert response.status_code == 200
    content = response.content.decode()
    assert content.count('data-controller="pin-map"') == 2  # the location, and the empty form
    assert 'data-pin-map-latitude-input-value="id_locations-0-latitude"' in content
    assert 'data-pin-map-longitude-input-value="id_locations-0-longitude"' in content
    assert 'data-pin-map-lock-input-value="id_locations-0-coordinates_locked"' in content
    assert 'id="locations-0-pin-map"' in content
    # The template that "Add location" copies: Wagtail replaces __prefix__ with the new index.
    assert 'data-pin-map-latitude-input-value="id_locations-__prefix__-latitude"' in content
    # The inputs the map drives are there, with the values the map opens on.
    assert 'id="id_locations-0-latitude"' in content
    assert 'value="45.5234"' in content


def test_the_map_is_labelled_and_explained(client_for, curator, organisation):
    response = client_for(curator).get(organisation.get_admin_url())

    content = html.unescape(response.content.decode())
    assert 'aria-describedby="locations-0-pin-map-help"' in content
    assert 'id="locations-0-pin-map-help"' in content
    assert "aria-label=" in content.split('id="locations-0-pin-map"')[1].split(">")[0]


def test_leaflet_is_served_from_our_static_files(client_for, curator, organisation):
    response = client_for(curator).get(organisation.get_admin_url())

    content = response.content.decode()
    for path in (
        f"{LEAFLET}/leaflet.js",
        f"{LEAFLET}/leaflet.css",
        "organisations/js/pin-map.js",
        "organisations/css/pin-map.css",
    ):
        assert static(path) in content
        assert finders.find(path) is not None
    # The scripts come once, and Leaflet before the controller that uses it.
    assert content.count(static(f"{LEAFLET}/leaflet.js")) == 1
    assert content.index(static(f"{LEAFLET}/leaflet.js")) < content.index(
        static("organisations/js/pin-map.js")
    )
    # The pin's images are given by URL (Leaflet cannot guess them under hashed names).
    assert static(f"{LEAFLET}/images/marker-icon.png") in content
    assert finders.find(f"{LEAFLET}/images/marker-icon.png") is not None


def test_an_organisation_without_locations_still_gets_the_map_script(client_for, curator):
    organisation = OrganisationFactory()

    response = client_for(curator).get(organisation.get_admin_url())

    content = response.content.decode()
    assert static("organisations/js/pin-map.js") in content
    assert 'data-pin-map-latitude-input-value="id_locations-__prefix__-latitude"' in content


def test_the_tiles_come_from_the_settings(client_for, curator, organisation, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/carte/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = '&copy; <a href="https://example.org/">Exemple</a> & co'

    response = client_for(curator).get(organisation.get_admin_url())

    content = response.content.decode()
    assert (
        'data-pin-map-tile-url-value="https://tiles.example.org/carte/{z}/{x}/{y}.png"' in content
    )
    # The attribution is HTML, kept intact once the browser reads the attribute.
    assert (
        'data-pin-map-attribution-value="&amp;copy; &lt;a href=&quot;https://example.org/&quot;'
        "&gt;Exemple&lt;/a&gt; &amp; co"
        '"' in content
    )

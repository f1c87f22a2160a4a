"""An organisation's page: a map of its public places, schema.org data for search engines, a way
to suggest a correction; and never a confidential address, in any of them."""

import json
import re

import pytest

from organisations.factories import LocationFactory, OrganisationFactory, PhoneFactory, territory
from organisations.models import Contact, GeocodePrecision, Phone

pytestmark = pytest.mark.django_db

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)
LEAFLET_JS = "organisations/vendor/leaflet/leaflet.js"


def detail(client, organisation, language="fr") -> str:
    prefix = "/fr/organismes/" if language == "fr" else "/en/organisations/"
    response = client.get(f"{prefix}{organisation.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def json_ld(page: str) -> dict:
    scripts = JSON_LD.findall(page)
    assert len(scripts) == 1
    return json.loads(scripts[0])


def map_container(page: str) -> str:
    match = re.search(r'<div class="map".*?</ul>\s*</div>', page, re.DOTALL)
    assert match, "no map on the page"
    return match.group(0)


@pytest.fixture
def food_bank():
    """A food bank with a public counter in Duvernay and a confidential shelter in Longueuil."""
    organisation = OrganisationFactory(
        name="Entraide Duvernay",
        slug="entraide-duvernay",
        alternate_name="ED",
        description_fr="Dépannage alimentaire et hébergement.",
        description_en="Emergency food and shelter.",
        website="https://entraide.example.org",
        update_contact_name="Gisèle Privée",
        update_contact_email="gisele.privee@example.org",
        update_contact_phone="+15145559876",
    )
    LocationFactory(
        organisation=organisation,
        name="Comptoir alimentaire",
        street_address="3500 boulevard de la Concorde Est",
        unit="local 12",
        municipality=territory("duvernay"),
        postal_code="H7E 2C1",
        latitude=45.5862,
        longitude=-73.6683,
    )
    LocationFactory(
        organisation=organisation,
        name="Maison Refuge Secret",
        street_address="742 rue des Secrets",
        municipality=territory("longueuil"),
        postal_code="J4K 9Z9",
        latitude=45.5123,
        longitude=-73.4567,
        address_is_confidential=True,
    )
    PhoneFactory(organisation=organisation, number="+14505550123")
    PhoneFactory(organisation=organisation, number="+14505550199", kind=Phone.Kind.FAX)
    Contact.objects.create(
        organisation=organisation,
        name="Bernard Confidentiel",
        email="bernard@example.org",
        phone="+15145554444",
    )
    return organisation


# What must never reach the public, written every way a page or a serialiser could write it.
SECRETS = [
    "Maison Refuge Secret",
    "742",
    "rue des Secrets",
    "J4K 9Z9",
    "J4K9Z9",
    "45.5123",
    "45,5123",
    "73.4567",
    "73,4567",
    "Gisèle Privée",
    "gisele.privee",
    "5559876",
    "Bernard Confidentiel",
    "bernard@example.org",
    "5554444",
]


# --- Structured data (schema.org JSON-LD) ---------------------------------------------------------


def test_the_json_ld_describes_the_organisation_and_its_public_place(client, food_bank):
    data = json_ld(detail(client, food_bank, "fr"))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Organization"
    assert data["name"] == "Entraide Duvernay"
    assert data["alternateName"] == "ED"
    assert data["description"] == "Dépannage alimentaire et hébergement."
    assert data["url"] == "http://testserver/fr/organismes/entraide-duvernay/"
    assert data["telephone"] == "+14505550123"
    assert data["faxNumber"] == "+14505550199"
    assert data["email"] == food_bank.email
    assert data["sameAs"] == ["https://entraide.example.org"]
    assert data["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "3500 boulevard de la Concorde Est, local 12",
        "addressLocality": "Laval",  # Duvernay is a sector of Laval: letters go to Laval
        "postalCode": "H7E 2C1",
        "addressRegion": "QC",
        "addressCountry": "CA",
    }
    assert data["location"]["name"] == "Comptoir alimentaire"
    assert data["location"]["geo"] == {
        "@type": "GeoCoordinates",
        "latitude": 45.5862,
        "longitude": -73.6683,
    }


def test_the_json_ld_speaks_the_visitors_language(client, food_bank):
    data = json_ld(detail(client, food_bank, "en"))
    assert data["description"] == "Emergency food and shelter."
    assert data["url"] == "http://testserver/en/organisations/entraide-duvernay/"


def test_a_confidential_place_appears_nowhere_in_the_page_or_its_json_ld(client, food_bank):
    for language in ("fr", "en"):
        page = detail(client, food_bank, language)
        data = json_ld(page)
        serialised = json.dumps(data, ensure_ascii=False)
        for secret in SECRETS:
            assert secret not in page, (language, secret)
            assert secret not in serialised, (language, secret)
        # Only the public place is described, and only once.
        assert isinstance(data["address"], dict) and isinstance(data["location"], dict)
        # The page still says the shelter exists, in its municipality, as before.
        assert "Longueuil" in page


def test_an_organisation_with_only_a_confidential_place_has_no_address_and_no_map(client):
    shelter = OrganisationFactory(slug="refuge")
    LocationFactory(
        organisation=shelter,
        street_address="742 rue des Secrets",
        postal_code="J4K 9Z9",
        latitude=45.5123,
        longitude=-73.4567,
        address_is_confidential=True,
    )
    page = detail(client, shelter)
    data = json_ld(page)
    assert "address" not in data and "location" not in data
    assert 'class="map"' not in page
    assert LEAFLET_JS not in page  # no map, no map script
    # Not even the stand-in point at the municipality's centre.
    centre = territory("longueuil").centre
    assert f"{centre[0]:.6f}" not in page and str(centre[0]) not in page


def test_the_json_ld_cannot_be_broken_out_of(client):
    organisation = OrganisationFactory(
        name="Aide <Nord> & Sud", description_fr="Repas </script><script>alert(1)</script>"
    )
    page = detail(client, organisation)
    assert "<script>alert(1)" not in page
    data = json_ld(page)
    assert data["name"] == "Aide <Nord> & Sud"
    assert data["description"] == "Repas </script><script>alert(1)</script>"


# --- The map --------------------------------------------------------------------------------------


def test_the_map_lists_the_public_places_and_never_the_confidential_one(client, food_bank):
    page = detail(client, food_bank)
    container = map_container(page)
    assert container.count("data-latitude=") == 1
    assert 'data-latitude="45.586200" data-longitude="-73.668300"' in container
    assert (
        'href="https://www.openstreetmap.org/?mlat=45.586200&amp;mlon=-73.668300'
        '#map=17/45.586200/-73.668300"' in container
    )
    assert "Comptoir alimentaire" in container
    assert "Secret" not in container
    # Tiles and the map's script come from the settings and our own static files.
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in container
    assert LEAFLET_JS in page and "organisations/js/public-map.js" in page


def test_without_javascript_the_page_still_gives_every_public_address(client, food_bank):
    page = detail(client, food_bank)
    address = re.search(r"<address>(.*?)</address>", page, re.DOTALL).group(1)
    assert "3500 boulevard de la Concorde Est, local 12" in address
    # As people write it, the postal code never split over two lines.
    assert "Duvernay, Laval (Québec) H7E\u00a02C1" in address
    # The map itself is drawn by a script: the HTML holds links, not an empty box.
    assert "map__canvas" not in page
    assert "Ouvrir dans OpenStreetMap" in map_container(page)


def test_coordinates_are_written_with_a_dot_in_french_too(client, food_bank):
    container = map_container(detail(client, food_bank, "fr"))
    assert "45,5862" not in container


def test_a_point_that_is_only_the_municipalitys_centre_shows_the_area_not_a_pin(client):
    organisation = OrganisationFactory()
    LocationFactory(
        organisation=organisation,
        street_address="10 rue Introuvable",
        municipality=territory("duvernay"),
        latitude=45.53121,
        longitude=-73.51806,
        geocode_precision=GeocodePrecision.MUNICIPALITY,
    )
    page = detail(client, organisation)
    container = map_container(page)

    assert "10 rue Introuvable" in page
    assert (
        "Cette adresse n'est pas placée exactement. La carte montre le secteur de Duvernay." in page
    )
    # The map shows the area (data-area: a circle, no pin), its link has no marker.
    assert "data-area" in container
    assert "Voir le secteur de Duvernay dans OpenStreetMap" in container
    assert "https://www.openstreetmap.org/#map=14/45.531210/-73.518060" in container
    assert "mlat=" not in container
    # Search engines are not told it is the place's point either.
    assert "geo" not in json.dumps(json_ld(page))


def test_the_address_reads_as_people_write_it_in_english_too(client, food_bank):
    address = re.search(r"<address>(.*?)</address>", detail(client, food_bank, "en"), re.DOTALL)
    assert "Duvernay, Laval, Quebec H7E\u00a02C1" in address.group(1)


def test_the_map_has_an_accessible_name_and_translatable_marker_labels(client, food_bank):
    container = map_container(detail(client, food_bank))
    assert 'data-label="' in container
    assert 'data-marker-label="' in container and "Comptoir alimentaire" in container
    assert 'data-zoom-in-label="Zoom avant"' in container


# --- Suggest a correction -------------------------------------------------------------------------


def test_the_page_links_to_the_suggestion_form_in_its_language(client, food_bank):
    assert 'href="/fr/suggestions/entraide-duvernay/"' in detail(client, food_bank, "fr")
    assert 'href="/en/suggestions/entraide-duvernay/"' in detail(client, food_bank, "en")


def test_the_preview_of_a_draft_has_no_suggestion_link_and_no_secret(food_bank):
    draft = food_bank.get_latest_revision_as_object()
    response = draft.make_preview_request()
    assert response.status_code == 200
    page = response.rendered_content
    assert "/suggestions/" not in page
    for secret in SECRETS:
        assert secret not in page, secret

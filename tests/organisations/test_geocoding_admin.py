"""Where curators see geocoding in the admin: the list's filter and column, "Geocode again"."""

import pytest
from django.urls import reverse
from django.utils import translation

from organisations.factories import LocationFactory, OrganisationFactory, territory
from organisations.models import Location
from tests.nominatim import place

pytestmark = pytest.mark.django_db

LIST = "wagtailsnippets_organisations_organisation:list"


@pytest.fixture
def three_records():
    placed = OrganisationFactory(name="Adresse trouvée")
    LocationFactory(organisation=placed, geocode_precision="rooftop", geocode_source="nominatim")
    doubtful = OrganisationFactory(name="Adresse douteuse")
    LocationFactory(
        organisation=doubtful, geocode_precision="rooftop", geocode_doubt="other_municipality"
    )
    missing = OrganisationFactory(name="Adresse sans point")
    LocationFactory(organisation=missing, latitude=None, longitude=None)
    return placed, doubtful, missing


def listed_names(response) -> set[str]:
    return {o.name for o in response.context["object_list"]}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("missing", {"Adresse sans point"}),
        ("doubtful", {"Adresse douteuse"}),
        ("precision:rooftop", {"Adresse trouvée", "Adresse douteuse"}),
    ],
)
def test_the_list_filters_by_map_position(client_for, curator, three_records, value, expected):
    response = client_for(curator).get(reverse(LIST), {"map_position": value})

    assert response.status_code == 200
    assert listed_names(response) == expected


def test_the_list_filtered_by_map_position_shows_it_in_a_constant_number_of_queries(
    client_for, curator, three_records, django_assert_max_num_queries
):
    client = client_for(curator)
    working_on_the_map = {"map_position": "precision:rooftop"}
    client.get(reverse(LIST), working_on_the_map)  # warm the session and permission caches
    with django_assert_max_num_queries(30):
        response = client.get(reverse(LIST), working_on_the_map)
    for _ in range(10):
        LocationFactory(organisation=OrganisationFactory(), geocode_precision="rooftop")
    with django_assert_max_num_queries(30):
        client.get(reverse(LIST), working_on_the_map)

    html = response.content.decode()
    with translation.override(response.headers["Content-Language"]):
        assert str(translation.gettext("Map position")) in html
        assert str(translation.gettext("Doubtful")) in html
        assert str(Location.Precision.ROOFTOP.label) in html


def test_the_everyday_list_leaves_the_map_position_to_its_filter(
    client_for, curator, three_records
):
    response = client_for(curator).get(reverse(LIST))

    listing = response.content.decode().split('<table class="listing"')[1]
    header = listing.split("</thead>")[0]
    with translation.override(response.headers["Content-Language"]):
        assert str(translation.gettext("Next review")) in header
        assert str(translation.gettext("Map position")) not in header


def test_geocode_again_places_the_selected_records_and_leaves_hand_placed_pins(
    client_for, curator, nominatim, django_capture_on_commit_callbacks
):
    nominatim.add("rue Saint-Denis", place(45.5191, -73.5696))
    chosen = OrganisationFactory()
    moved = LocationFactory(
        organisation=chosen,
        street_address="1234, rue Saint-Denis",
        municipality=territory("le-plateau-mont-royal"),
        latitude=45.0,
        longitude=-73.0,
    )
    hand_placed = LocationFactory(
        organisation=chosen, latitude=45.6, longitude=-73.7, coordinates_locked=True
    )
    untouched = LocationFactory(latitude=45.1, longitude=-73.1)
    client = client_for(curator)
    url = (
        reverse("wagtail_bulk_action", args=["organisations", "organisation", "geocode"])
        + f"?id={chosen.pk}"
    )

    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    assert response.status_code == 302
    moved.refresh_from_db()
    hand_placed.refresh_from_db()
    untouched.refresh_from_db()
    assert (moved.latitude, moved.longitude) == pytest.approx((45.5191, -73.5696))
    assert moved.geocode_source == "nominatim"
    assert (hand_placed.latitude, hand_placed.longitude) == (45.6, -73.7)
    assert untouched.latitude == 45.1


def test_an_account_without_a_role_cannot_geocode_again(
    client_for, outsider, django_capture_on_commit_callbacks
):
    location = LocationFactory(latitude=45.1, longitude=-73.1)
    url = (
        reverse("wagtail_bulk_action", args=["organisations", "organisation", "geocode"])
        + f"?id={location.organisation_id}"
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(outsider).post(url)

    assert response.status_code == 302  # turned away by the admin's access check
    assert callbacks == []
    location.refresh_from_db()
    assert location.geocoded_at is None

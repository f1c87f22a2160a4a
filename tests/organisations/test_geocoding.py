"""Geocoding against a real HTTP Nominatim on loopback, through geopy's own Nominatim client."""

import logging
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.urls import reverse

from organisations.factories import LocationFactory, OrganisationFactory, territory
from organisations.geocoding import (
    geocoder_reset,
    get_geocoder,
    location_address,
    location_geocode,
    needs_geocoding,
)
from organisations.models import GeocodedAddress, Location
from organisations.services import organisation_geocode
from tests.helpers import organisation_form_data
from tests.nominatim import place

pytestmark = pytest.mark.django_db

EDIT = "wagtailsnippets_organisations_organisation:edit"
SAINT_DENIS = (45.5191, -73.5696)


def submit_draft(client, organisation, capture_on_commit, location_changes):
    """POST the edit form with the first location changed, running what waits for the commit."""
    with capture_on_commit(execute=True):
        return client.post(
            reverse(EDIT, args=[organisation.pk]),
            organisation_form_data(
                organisation, action="action-submit", location_changes=location_changes
            ),
        )


def plateau_location(**kwargs):
    defaults = {
        "street_address": "1234, rue Saint-Denis",
        "postal_code": "H2X 3J7",
        "municipality": territory("le-plateau-mont-royal"),
        "latitude": None,
        "longitude": None,
    }
    return LocationFactory(**{**defaults, **kwargs})


def test_an_address_is_geocoded_through_nominatim_and_stored_with_its_provenance(
    nominatim, settings
):
    nominatim.add(
        "1234, rue Saint-Denis", place(*SAINT_DENIS, label="1234, Rue Saint-Denis, Montréal")
    )
    location = plateau_location()

    placement = location_geocode(location=location)

    location.refresh_from_db()
    assert (location.latitude, location.longitude) == pytest.approx(SAINT_DENIS)
    assert location.geocode_precision == Location.Precision.ROOFTOP
    assert location.geocode_source == "nominatim"
    assert location.geocoded_at is not None
    assert location.geocode_doubt == ""
    assert location.geocode_label == "1234, Rue Saint-Denis, Montréal"
    assert placement.outcome == "geocoded"
    assert not needs_geocoding(location)
    (request,) = nominatim.search_requests()
    # Restricted to Canada, biased to the CMM, identified as the policy asks.
    assert request.params["countrycodes"] == "ca"
    assert len(request.params["viewbox"].split(",")) == 4
    assert request.params["format"] == "json"
    assert request.user_agent == settings.GEOCODER_USER_AGENT
    assert "Montréal" in request.query and "Plateau" not in request.query


def test_the_same_address_written_differently_is_asked_once(nominatim):
    nominatim.add("rue saint-denis", place(*SAINT_DENIS))
    first = plateau_location(street_address="1234, rue Saint-Denis, bureau 200")
    second = plateau_location(street_address="1234 RUE ST-DENIS", postal_code="h2x3j7")

    location_geocode(location=first)
    placement = location_geocode(location=second)

    assert len(nominatim.search_requests()) == 1
    assert placement.outcome == "cache"
    second.refresh_from_db()
    assert second.latitude == pytest.approx(SAINT_DENIS[0])


def test_the_minimum_delay_holds_between_requests(nominatim, settings):
    settings.GEOCODER_MIN_DELAY_SECONDS = 0.25
    geocoder_reset()
    for number in (10, 20, 30):
        nominatim.add(f"{number} rue Rachel", place(45.52, -73.58))
        plateau_location(street_address=f"{number} rue Rachel Est")

    call_command("geocode", stdout=StringIO(), stderr=StringIO())

    times = [r.at for r in nominatim.search_requests()]
    assert len(times) == 3
    assert min(b - a for a, b in pairwise(times)) >= 0.24


def test_a_429_is_retried_after_the_servers_retry_after_then_succeeds(nominatim):
    nominatim.fail_next(429, headers={"Retry-After": "0"})
    nominatim.add("Saint-Denis", place(*SAINT_DENIS))
    location = plateau_location()

    placement = location_geocode(location=location)

    assert placement.outcome == "geocoded"
    assert len(nominatim.search_requests()) == 2


def test_repeated_500s_fall_back_to_the_borough_centre_and_leave_the_location_due(
    nominatim, caplog
):
    nominatim.fail_next(500, times=3)  # the first try and two retries
    location = plateau_location()

    with caplog.at_level(logging.WARNING, logger="organisations.geocoding"):
        placement = location_geocode(location=location)

    location.refresh_from_db()
    centre = territory("le-plateau-mont-royal").centre
    assert (location.latitude, location.longitude) == pytest.approx(centre)
    assert location.geocode_precision == Location.Precision.MUNICIPALITY
    assert location.geocode_source == "offline"
    assert placement.outcome == "failed"
    assert needs_geocoding(location)  # the next run asks again
    assert not GeocodedAddress.objects.exists()  # a failure is not an answer
    assert len(nominatim.search_requests()) == 3
    assert "Geocoding failed" in caplog.text and "HTTP 500" in caplog.text


def test_a_slow_answer_beyond_the_timeout_falls_back(nominatim, settings):
    settings.GEOCODER_TIMEOUT = 0.3
    settings.GEOCODER_MAX_RETRIES = 1
    geocoder_reset()
    nominatim.slow_next(1.0, times=2)
    nominatim.add("Saint-Denis", place(*SAINT_DENIS))
    location = plateau_location()

    placement = location_geocode(location=location)

    assert placement.outcome == "failed"
    assert placement.precision == Location.Precision.MUNICIPALITY
    assert len(nominatim.search_requests()) == 2


def test_malformed_json_falls_back_and_is_logged(nominatim, caplog):
    nominatim.garbage_next("<html>Bad gateway</html>")
    location = plateau_location()

    with caplog.at_level(logging.WARNING, logger="organisations.geocoding"):
        placement = location_geocode(location=location)

    assert placement.outcome == "failed"
    assert placement.source == "offline"
    assert "Geocoding failed" in caplog.text
    assert not GeocodedAddress.objects.exists()


def test_an_address_nobody_knows_goes_to_the_centre_and_is_not_asked_again(nominatim):
    location = plateau_location(street_address="99999 rue Imaginaire")

    placement = location_geocode(location=location)
    location_geocode(location=location, force=True)

    # The full address, then the postal code alone; the second run asks nothing.
    assert [r.query.split(",")[0] for r in nominatim.search_requests()] == [
        "99999 rue Imaginaire",
        "H2X 3J7",
    ]
    assert placement.outcome == "fallback"
    location.refresh_from_db()
    assert location.geocode_source == "offline"
    assert location.geocode_precision == Location.Precision.MUNICIPALITY
    assert (location.latitude, location.longitude) == pytest.approx(
        territory("le-plateau-mont-royal").centre
    )
    assert not needs_geocoding(location)


def test_the_postal_code_stands_in_when_the_street_is_unknown(nominatim):
    nominatim.add("H2X 3J7, Montréal", place(45.516, -73.571, kind="postcode"))
    location = plateau_location(street_address="1 rue Inconnue")

    location_geocode(location=location)

    location.refresh_from_db()
    assert location.geocode_precision == Location.Precision.POSTAL_CODE
    assert location.latitude == pytest.approx(45.516)


def test_with_the_offline_provider_no_request_is_made_and_the_fallback_is_labelled(settings):
    settings.GEOCODER = "offline"
    geocoder_reset()
    location = plateau_location(municipality=territory("westmount"))

    placement = location_geocode(location=location)

    location.refresh_from_db()
    assert placement.outcome == "fallback"
    assert location.geocode_source == "offline"
    assert location.geocode_precision == Location.Precision.MUNICIPALITY
    assert (location.latitude, location.longitude) == pytest.approx(territory("westmount").centre)


def test_an_answer_in_another_municipality_is_flagged_doubtful(nominatim):
    nominatim.add("rue Principale", place(45.5601, -73.7124, city="Laval"))
    location = LocationFactory(
        street_address="100 rue Principale",
        municipality=territory("longueuil"),
        latitude=None,
        longitude=None,
    )

    location_geocode(location=location)

    location.refresh_from_db()
    assert location.geocode_doubt == "other_municipality"
    assert location.latitude == pytest.approx(45.5601)  # kept, for a curator to judge


def test_an_answer_outside_the_metropolitan_area_is_flagged_doubtful(nominatim):
    nominatim.add("Saint-Denis", place(46.8139, -71.2080, city="Québec"))
    location = plateau_location()

    location_geocode(location=location)

    location.refresh_from_db()
    assert location.geocode_doubt == "outside_cmm"


def test_an_answer_in_the_same_city_as_a_borough_is_not_doubtful(nominatim):
    nominatim.add("Saint-Denis", place(*SAINT_DENIS, city="Montréal"))
    location = plateau_location()

    location_geocode(location=location)

    location.refresh_from_db()
    assert location.geocode_doubt == ""


def test_a_pin_placed_by_hand_is_never_moved(nominatim):
    nominatim.add("Saint-Denis", place(*SAINT_DENIS))
    location = plateau_location(
        latitude=45.5, longitude=-73.6, coordinates_locked=True, geocode_precision="manual"
    )

    assert location_geocode(location=location, force=True) is None
    call_command("geocode", "--all", stdout=StringIO(), stderr=StringIO())

    location.refresh_from_db()
    assert (location.latitude, location.longitude) == (45.5, -73.6)
    assert location.geocode_precision == "manual"
    assert nominatim.search_requests() == []


def test_a_provider_that_keeps_failing_is_left_alone_for_a_while(nominatim, settings):
    settings.GEOCODER_PAUSE_SECONDS = 60
    settings.GEOCODER_MAX_RETRIES = 0
    geocoder_reset()
    nominatim.fail_next(503, times=5)
    first, second = plateau_location(), plateau_location(street_address="10 rue Rachel")

    assert location_geocode(location=first).outcome == "failed"
    assert location_geocode(location=second).outcome == "failed"

    assert len(nominatim.search_requests()) == 1


def test_a_transient_failure_keeps_the_providers_earlier_answer_for_the_same_address(nominatim):
    nominatim.add("Saint-Denis", place(*SAINT_DENIS))
    location = plateau_location()
    location_geocode(location=location)
    GeocodedAddress.objects.all().delete()
    nominatim.fail_next(500, times=3)

    location_geocode(location=location, force=True)

    location.refresh_from_db()
    assert location.geocode_source == "nominatim"
    assert location.latitude == pytest.approx(SAINT_DENIS[0])


# --- In the background, after a save ---------------------------------------------------------------


def test_saving_a_draft_with_a_new_address_geocodes_the_draft_not_the_live_record(
    client, curator, nominatim, django_capture_on_commit_callbacks
):
    nominatim.add("4000, rue Saint-Denis", place(45.5240, -73.5810))
    organisation = OrganisationFactory()
    location = plateau_location(organisation=organisation, latitude=45.51, longitude=-73.56)
    location.geocoded_address = location_address(location).key  # geocoded before
    location.save()
    client.force_login(curator)

    response = submit_draft(
        client,
        organisation,
        django_capture_on_commit_callbacks,
        {"street_address": "4000, rue Saint-Denis"},
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    draft = organisation.latest_revision.as_object().locations.get()
    assert draft.street_address == "4000, rue Saint-Denis"
    assert (draft.latitude, draft.longitude) == pytest.approx((45.5240, -73.5810))
    assert draft.geocode_source == "nominatim"
    location.refresh_from_db()
    assert location.street_address == "1234, rue Saint-Denis"  # live row: untouched until approval
    assert location.latitude == 45.51


def test_publishing_a_new_address_geocodes_the_live_location(
    nominatim, django_capture_on_commit_callbacks
):
    nominatim.add("4000, rue Saint-Denis", place(45.5240, -73.5810))
    organisation = OrganisationFactory()
    location = plateau_location(organisation=organisation)
    organisation.save_revision()  # an older revision, as in the admin
    draft = organisation.get_latest_revision_as_object()
    moved = draft.locations.get()
    moved.street_address = "4000, rue Saint-Denis"
    revision = draft.save_revision()

    with django_capture_on_commit_callbacks(execute=True):
        revision.publish()

    location.refresh_from_db()
    assert location.street_address == "4000, rue Saint-Denis"
    assert (location.latitude, location.longitude) == pytest.approx((45.5240, -73.5810))


def test_a_failing_geocoding_task_leaves_the_record_saved(
    client, curator, nominatim, monkeypatch, django_capture_on_commit_callbacks
):
    def explode(self, address, **kwargs):
        raise RuntimeError("geocoder crashed")

    monkeypatch.setattr("organisations.geocoding.Geocoder.place", explode)
    organisation = OrganisationFactory()
    plateau_location(organisation=organisation)
    client.force_login(curator)

    response = submit_draft(
        client,
        organisation,
        django_capture_on_commit_callbacks,
        {"street_address": "4000, rue Saint-Denis"},
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.latest_revision.as_object().locations.get().street_address == (
        "4000, rue Saint-Denis"
    )


def test_organisation_geocode_covers_saved_rows_and_the_pending_draft(nominatim):
    nominatim.add("Saint-Denis", place(*SAINT_DENIS))
    organisation = OrganisationFactory()
    plateau_location(organisation=organisation)

    outcomes = organisation_geocode(organisation_id=organisation.pk)

    assert outcomes == {"geocoded": 1}
    assert get_geocoder().stats.requests == 1


def test_a_pin_placed_by_hand_in_the_form_is_kept_through_an_address_change(
    client, curator, nominatim, django_capture_on_commit_callbacks
):
    nominatim.add("rue Saint-Denis", place(*SAINT_DENIS))
    organisation = OrganisationFactory()
    plateau_location(organisation=organisation, latitude=45.51, longitude=-73.56)
    client.force_login(curator)

    response = submit_draft(
        client,
        organisation,
        django_capture_on_commit_callbacks,
        {
            "street_address": "4000, rue Saint-Denis",
            "latitude": 45.5301,
            "longitude": -73.5802,
            "coordinates_locked": True,
        },
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    draft = organisation.latest_revision.as_object().locations.get()
    assert (draft.latitude, draft.longitude) == (45.5301, -73.5802)
    assert draft.geocode_precision == Location.Precision.MANUAL
    assert draft.geocode_source == "manual"
    assert nominatim.search_requests() == []

"""The public site shows only live records, in both languages, and never a confidential address."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisations.factories import (
    LocationFactory,
    OpeningHoursFactory,
    OrganisationFactory,
    PhoneFactory,
    ServiceFactory,
    category,
    territory,
)
from organisations.models import Organisation, Service

pytestmark = pytest.mark.django_db


def detail(client, organisation, language="fr"):
    prefix = "/fr/organismes/" if language == "fr" else "/en/organisations/"
    return client.get(f"{prefix}{organisation.slug}/")


@pytest.fixture
def shelter():
    organisation = OrganisationFactory(name="Refuge Le Phare", slug="refuge-le-phare")
    LocationFactory(
        organisation=organisation,
        street_address="742 rue des Secrets",
        postal_code="J4K 9Z9",
        latitude=45.5123,
        longitude=-73.4567,
        address_is_confidential=True,
        municipality=territory("longueuil"),
    )
    ServiceFactory(organisation=organisation, categories=[category("violence-conjugale")])
    return organisation


def test_the_home_pages_and_directories_answer_in_both_languages(client):
    assert client.get("/").status_code == 302
    for path in ("/fr/", "/en/", "/fr/organismes/", "/en/organisations/"):
        assert client.get(path).status_code == 200, path


def test_a_live_organisation_has_a_page_in_each_language(client):
    organisation = OrganisationFactory(
        description_fr="Aide aux aînés.", description_en="Help for seniors."
    )
    PhoneFactory(organisation=organisation, number="+15145550123", extension="12")
    fr = detail(client, organisation, "fr").content.decode()
    en = detail(client, organisation, "en").content.decode()
    assert "Aide aux aînés." in fr and '<html lang="fr">' in fr
    assert "Help for seniors." in en and '<html lang="en">' in en
    assert 'href="tel:+15145550123;ext=12"' in fr
    # The switcher leads to the same organisation in the other language.
    assert f'href="/en/organisations/{organisation.slug}/"' in fr
    assert f'href="/fr/organismes/{organisation.slug}/"' in en


def test_english_text_falls_back_to_french_marked_as_french(client):
    organisation = OrganisationFactory(
        description_fr="Cuisine collective du quartier.", description_en=""
    )
    page = detail(client, organisation, "en").content.decode()
    assert '<div class="description" lang="fr"><p>Cuisine collective du quartier.</p></div>' in page


def test_drafts_unpublished_and_closed_records_are_never_shown(client):
    never_published = OrganisationFactory(live=False)
    closed = OrganisationFactory(status=Organisation.Status.CLOSED)
    assert detail(client, never_published).status_code == 404
    assert detail(client, closed).status_code == 404
    assert detail(client, Organisation(slug="nobody-here")).status_code == 404


def test_the_public_page_shows_the_live_version_not_the_pending_draft(client):
    organisation = OrganisationFactory(description_fr="Version approuvée.")
    organisation.description_fr = "Brouillon non approuvé."
    organisation.save_revision()
    page = detail(client, organisation).content.decode()
    assert "Version approuvée." in page
    assert "Brouillon non approuvé." not in page


def test_a_confidential_address_never_reaches_the_html(client, shelter):
    for language in ("fr", "en"):
        page = detail(client, shelter, language).content.decode()
        assert "Refuge Le Phare" in page
        assert "Longueuil" in page
        for secret in ("742", "rue des Secrets", "J4K 9Z9", "45.5123", "-73.4567"):
            assert secret not in page, secret
    index = client.get("/fr/organismes/").content.decode()
    assert "rue des Secrets" not in index


def test_the_preview_of_a_draft_hides_a_confidential_address_too(shelter):
    draft = shelter.get_latest_revision_as_object()
    draft.name = "Refuge Le Phare (brouillon)"
    response = draft.make_preview_request()
    assert response.status_code == 200
    page = response.rendered_content
    assert "Refuge Le Phare (brouillon)" in page and "rue des Secrets" not in page
    assert "Aperçu" in page


def test_hours_highlight_today_and_defunct_services_are_hidden(client):
    from django.utils import timezone

    organisation = OrganisationFactory()
    location = LocationFactory(organisation=organisation)
    OpeningHoursFactory(location=location, weekday=timezone.localdate().isoweekday())
    ServiceFactory(
        organisation=organisation,
        name_fr="Service fermé pour de bon",
        status=Service.Status.DEFUNCT,
    )
    ServiceFactory(
        organisation=organisation, name_fr="Friperie", status=Service.Status.TEMPORARILY_CLOSED
    )
    page = detail(client, organisation).content.decode()
    assert 'aria-current="date"' in page
    assert "Service fermé pour de bon" not in page
    assert "Friperie" in page and "Temporairement fermé" in page


def test_the_last_verified_date_is_shown(client):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    organisation = OrganisationFactory(
        last_verified_at=datetime(2026, 3, 14, 10, tzinfo=ZoneInfo("America/Toronto"))
    )
    assert "14 mars 2026" in detail(client, organisation, "fr").content.decode()
    assert "March 14, 2026" in detail(client, organisation, "en").content.decode()


def test_the_detail_page_costs_the_same_number_of_queries_however_big_the_record(client):
    def queries_for(organisation):
        with CaptureQueriesContext(connection) as captured:
            assert detail(client, organisation).status_code == 200
        return len(captured)

    small = OrganisationFactory()
    ServiceFactory(
        organisation=small, categories=[category("aines")], service_areas=[territory("laval")]
    )
    LocationFactory(organisation=small)
    big = OrganisationFactory()
    for n in range(6):
        ServiceFactory(
            organisation=big,
            categories=[category("aines"), category("popote-roulante")],
            service_areas=[territory("laval"), territory("duvernay")],
        )
        location = LocationFactory(organisation=big, municipality=territory("duvernay"))
        OpeningHoursFactory(location=location, weekday=n + 1)
        PhoneFactory(organisation=big)
    queries_for(small)  # warm the site and page caches
    assert queries_for(big) == queries_for(small)


def test_hours_read_the_way_people_write_them_in_each_language(client):
    organisation = OrganisationFactory()
    location = LocationFactory(organisation=organisation)
    OpeningHoursFactory(location=location, weekday=1, opens="09:00", closes="12:30")
    assert "9 h – 12 h 30" in detail(client, organisation, "fr").content.decode()
    assert "9 a.m. – 12:30 p.m." in detail(client, organisation, "en").content.decode()

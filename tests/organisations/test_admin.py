"""The curators' list: filters, search, columns and export."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from organisations.factories import (
    LocationFactory,
    OrganisationFactory,
    ServiceFactory,
    category,
    territory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("wagtailsnippets_organisations_organisation:list")


def names(response) -> set[str]:
    return {o.name for o in response.context["object_list"]}


@pytest.fixture
def records():
    laval = OrganisationFactory(
        name="Popote roulante de Duvernay",
        last_verified_at=timezone.now() - timedelta(days=30),
        next_review_due=timezone.localdate() + timedelta(days=335),
    )
    LocationFactory(organisation=laval, municipality=territory("duvernay"), postal_code="H7E 1A1")
    ServiceFactory(organisation=laval, categories=[category("popote-roulante")])
    south = OrganisationFactory(
        name="Banque alimentaire de Chambly",
        last_verified_at=timezone.now() - timedelta(days=368),
        next_review_due=timezone.localdate() - timedelta(days=3),
    )
    LocationFactory(organisation=south, municipality=territory("chambly"))
    ServiceFactory(
        organisation=south,
        categories=[category("banques-alimentaires")],
        service_areas=[territory("secteur-laval")],
    )
    plateau = OrganisationFactory(name="Maison des jeunes du Plateau", live=False)
    LocationFactory(
        organisation=plateau, municipality=territory("le-plateau-mont-royal"), postal_code="H2J 1A1"
    )
    return laval, south, plateau


def test_filters_by_sector_include_places_inside_it_and_areas_served(client, curator, records):
    client.force_login(curator)
    sector = territory("secteur-laval")
    # Duvernay is inside Laval; Chambly's bank serves the Laval sector.
    assert names(client.get(LIST, {"sector": sector.pk})) == {
        "Popote roulante de Duvernay",
        "Banque alimentaire de Chambly",
    }
    montreal = territory("montreal")
    assert names(client.get(LIST, {"municipality": montreal.pk})) == {
        "Maison des jeunes du Plateau"
    }


def test_filters_by_need_include_the_needs_below_it(client, curator, records):
    client.force_login(curator)
    food = category("aide-alimentaire")
    assert names(client.get(LIST, {"category": food.pk})) == {
        "Popote roulante de Duvernay",
        "Banque alimentaire de Chambly",
    }


def test_filters_by_review_state_and_draft(client, curator, records):
    client.force_login(curator)
    # A record never verified is due now: overdue, as the home panel counts it.
    assert names(client.get(LIST, {"review_state": "overdue"})) == {
        "Banque alimentaire de Chambly",
        "Maison des jeunes du Plateau",
    }
    assert names(client.get(LIST, {"review_state": "never"})) == {"Maison des jeunes du Plateau"}
    records[0].description_fr = "brouillon"
    records[0].save_revision()
    assert names(client.get(LIST, {"has_draft": "true"})) == {"Popote roulante de Duvernay"}


def test_search_runs_on_top_of_a_filter(client, curator, records):
    from django.core.management import call_command

    call_command("update_index", verbosity=0)
    client.force_login(curator)
    response = client.get(LIST, {"q": "popote", "sector": territory("secteur-laval").pk})
    assert names(response) == {"Popote roulante de Duvernay"}


def test_the_list_costs_the_same_number_of_queries_for_5_or_30_records(client, curator):
    client.force_login(curator)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    for _ in range(5):
        LocationFactory(organisation=OrganisationFactory())
    queries()
    small = queries()
    for _ in range(25):
        LocationFactory(organisation=OrganisationFactory())
    assert queries() == small


def test_the_csv_export_neutralises_formulas(client, curator):
    OrganisationFactory(name='=HYPERLINK("http://evil.example")', slug="evil")
    client.force_login(curator)
    response = client.get(LIST, {"export": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK" in body
    assert "\n=HYPERLINK" not in body and ",=HYPERLINK" not in body

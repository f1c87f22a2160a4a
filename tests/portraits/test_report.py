"""The 211's report on requests: the tables of its annual report, computed here by hand on a small
fixture, for every request, for a territory with the places in it, and a year earlier."""

from datetime import date

import pytest
from django.utils import translation

from organisations.factories import territory
from portraits import published
from portraits.published import Figure
from portraits.reports import Period, needs_report
from tests.portraits.given import given

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts():
    """The reports keep the counts of closed months in the process: each test's database is
    new."""
    published.forget()
    yield
    published.forget()


SPRING = Period(date(2025, 3, 1), date(2025, 4, 1))


@pytest.fixture
def requests(db):
    """Eight communications in March and April 2025, two a year earlier (see each line)."""
    given(
        "montreal-nord",
        date(2025, 3, 10),
        "banques-alimentaires",
        ("recherche-logement", "unmet:waiting_list"),
    )
    given(
        "montreal-nord",
        date(2025, 3, 20),
        ("banques-alimentaires", "information"),
        channel="email",
        language="en",
    )
    given("montreal-nord", date(2025, 4, 2), ("transport-adapte", "unmet:transport"), language="es")
    given(
        "verdun",
        date(2025, 3, 15),
        ("demenagement", "unmet:cost"),
        "aide-alimentaire",
        channel="chat",
    )
    given("verdun", date(2025, 4, 18), ("demenagement", "unmet:cost"))
    given("montreal", date(2025, 4, 5), ("refuges-itinerance", "unmet:not_in_territory"))
    given("chomedey", date(2025, 3, 1), "popote-roulante")
    given(None, date(2025, 4, 30), ("aide-juridique", "information"), language="en")
    # A year earlier.
    given("montreal-nord", date(2024, 3, 5), "banques-alimentaires")
    given("verdun", date(2024, 4, 10), ("demenagement", "unmet:schedule"))
    # Outside the period.
    given("verdun", date(2025, 5, 2), "demenagement")


def values(report, slug: str) -> dict[str, list]:
    """{row header: its cells}, a figure as its number, anything else as shown."""
    chart = next(chart for chart in report.charts if chart.slug == slug)
    return {
        row.header: [cell.value if isinstance(cell, Figure) else str(cell) for cell in row.cells]
        for row in chart.table.rows
    }


def test_the_report_counts_communications_and_needs_by_outcome(requests):
    with translation.override("en"):
        report = needs_report(territory=None, period=SPRING)
        overview = values(report, "overview")

    assert (report.communications, report.needs) == (8, 10)
    assert overview["Communications"][:2] == [8, 2]
    assert overview["Needs expressed"][:2] == [10, 2]
    assert overview["Referred"][:2] == [3, 1]
    assert overview["Information only"][:2] == [2, 0]
    assert overview["Unmet"][:2] == [5, 1]


def test_the_report_shows_the_change_on_the_same_months_a_year_earlier(requests):
    with translation.override("en"):
        report = needs_report(territory=None, period=SPRING)
        overview = values(report, "overview")
        months = values(report, "months")

    assert overview["Communications"][2] == "+300 %"  # 8 against 2
    assert months["March 2025"] == [4, 1, "+300 %", 6, 1]
    assert months["April 2025"] == [4, 1, "+300 %", 4, 1]


def test_needs_are_counted_by_family_and_by_the_need_under_it(requests):
    with translation.override("en"):
        needs = values(needs_report(territory=None, period=SPRING), "needs")

    assert needs["Food aid"][0] == 4
    assert needs["Food banks and emergency food"][0] == 2
    assert needs["Meals on wheels"][0] == 1
    assert needs["Food aid, not more precise"][0] == 1
    assert needs["Housing and shelters"][0] == 2
    assert needs["Homeless shelters"][0] == 1
    assert needs["Help finding housing"][0] == 1
    assert needs["Moving help"][0] == 2
    assert needs["Legal aid"][0] == 1
    assert needs["All needs"][0] == 10
    assert needs["Food aid"][1] == "40.0 %"


def test_the_top_territories_are_the_places_that_do_not_overlap(requests):
    with translation.override("en"):
        places = values(needs_report(territory=None, period=SPRING), "places")

    # Montréal without a borough is in no borough; outside the region is a place of its own.
    assert list(places) == ["Montréal-Nord", "Verdun", "Chomedey", "Outside the region"]
    assert places["Montréal-Nord"][:1] == [3]
    assert places["Montréal-Nord"][2] == 1
    assert places["Verdun"][0] == 2


def test_the_top_unmet_needs_come_with_their_reasons(requests):
    with translation.override("en"):
        report = needs_report(territory=None, period=SPRING)
        unmet = values(report, "unmet")
        reasons = values(report, "reasons")
        columns = next(c for c in report.charts if c.slug == "unmet").table.columns

    assert next(iter(unmet)) == "Moving help"
    cost = columns.index("Cost too high") - 1
    assert unmet["Moving help"][:2] == [2, 1]
    assert unmet["Moving help"][cost] == 2
    assert unmet["Help finding housing"][columns.index("Waiting list full") - 1] == 1
    assert set(unmet) == {"Moving help", "Help finding housing", "Paratransit", "Homeless shelters"}
    assert reasons["Cost too high"][0] == 2
    assert reasons["No transport"][0] == 1
    assert sum(row[0] for row in reasons.values()) == 5


def test_communications_by_channel_and_by_language(requests):
    with translation.override("en"):
        report = needs_report(territory=None, period=SPRING)
        channels = values(report, "channels")
        languages = values(report, "languages")

    assert {k: v[0] for k, v in channels.items()} == {"Phone": 6, "Email": 1, "Chat": 1}
    assert {k: v[0] for k, v in languages.items()} == {"French": 5, "English": 2, "Spanish": 1}
    assert channels["Phone"][1] == "75.0 %"


def test_a_territory_counts_the_places_in_it(requests):
    report = needs_report(territory=territory("montreal"), period=SPRING)

    assert (report.communications, report.needs) == (6, 8)
    places = values(report, "places")
    assert [v[0] for v in places.values()] == [3, 2]  # Montréal-Nord, Verdun


def test_a_borough_counts_only_its_own_requests(requests):
    report = needs_report(territory=territory("montreal-nord"), period=SPRING)

    assert (report.communications, report.needs) == (3, 4)


def test_a_period_without_requests_says_so():
    with translation.override("en"):
        report = needs_report(territory=None, period=SPRING)

    assert report.communications == 0
    assert report.charts[0].summary == "No communication was counted in this period."

"""The report in the admin: who reads it, what it answers to bad parameters, its workbook."""

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from wagtail.users.models import UserProfile

from organisations.factories import UserFactory
from portraits import published
from portraits.roles import REPORT, SUPERVISORS
from tests.portraits.given import given

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts():
    """The reports keep the counts of closed months in the process: each test's database is
    new."""
    published.forget()
    yield
    published.forget()


REPORT_URL = reverse("portraits_report")
SPRING = {"start": "2025-03", "end": "2025-04"}


def in_english(user) -> None:
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()


@pytest.fixture
def supervisor(db):
    return UserFactory(username="lucie", groups=[SUPERVISORS])


@pytest.fixture
def spring(db):
    given("montreal-nord", date(2025, 3, 10), "banques-alimentaires", times=3)
    given("verdun", date(2025, 4, 18), ("demenagement", "unmet:cost"), "aide-alimentaire")
    given("montreal-nord", date(2024, 3, 5), "banques-alimentaires")


@pytest.mark.parametrize("persona", ["editor", "administrator", "supervisor"])
def test_editors_administrators_and_supervisors_read_the_report(request, client, persona, spring):
    user = request.getfixturevalue(persona)
    client.force_login(user)

    response = client.get(REPORT_URL, SPRING)

    assert response.status_code == 200
    assert user.has_perm(REPORT)
    assert response.context["report"].communications == 4


@pytest.mark.parametrize("persona", ["curator", "agent", "outsider"])
def test_curators_agents_and_others_do_not(request, client, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(REPORT_URL)

    assert response.status_code in (302, 403)
    assert "report" not in (response.context or {})


def test_the_report_without_parameters_is_this_year_so_far(client, editor):
    client.force_login(editor)

    response = client.get(REPORT_URL)

    assert response.status_code == 200
    period = response.context["report"].period
    assert (period.start.month, period.end.year) == (1, period.start.year)


@pytest.mark.parametrize(
    "query, message",
    [
        ({"start": "2025-05", "end": "2025-02"}, "starts after it ends"),
        ({"start": "mars"}, "for example 2025-03"),
        ({"start": "2025-13"}, "for example 2025-03"),
        ({"start": "1990-01", "end": "2025-01"}, "ten years at most"),
        ({"territory": "atlantide"}, "valid choice"),
        ({"start": "2025-03'; DROP TABLE x; --"}, "for example 2025-03"),
    ],
)
def test_bad_parameters_are_explained_never_a_server_error(client, editor, query, message):
    in_english(editor)
    client.force_login(editor)

    response = client.get(REPORT_URL, query)

    assert response.status_code == 200
    assert response.context["report"] is None
    assert message in response.content.decode()


def test_the_report_reads_the_same_few_queries_for_a_year_or_ten(client, editor, spring):
    client.force_login(editor)
    client.get(REPORT_URL, SPRING)  # the session, the reference data

    with CaptureQueriesContext(connection) as one_year:
        client.get(REPORT_URL, {"start": "2025-01", "end": "2025-12"})
    with CaptureQueriesContext(connection) as ten_years:
        client.get(REPORT_URL, {"start": "2016-01", "end": "2025-12"})

    assert len(ten_years) == len(one_year)


def test_the_workbook_has_each_table_on_its_own_sheet(client, editor, spring):
    client.force_login(editor)

    response = client.get(REPORT_URL, {**SPRING, "territory": "montreal", "format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 9  # what was counted, then eight tables
    about = {row[0]: row[1] for row in workbook.worksheets[0].iter_rows(values_only=True)}
    assert 4 in about.values()  # communications
    rows = list(workbook.worksheets[1].iter_rows(values_only=True))
    assert rows[1][1:3] == (4, 1)  # communications, and a year earlier
    # A change is a number the spreadsheet can compute with: +300 %.
    assert rows[1][3] == pytest.approx(3.0)


def test_the_report_speaks_english_to_whoever_reads_the_admin_in_english(client, editor, spring):
    in_english(editor)
    client.force_login(editor)

    page = client.get(REPORT_URL, SPRING).content.decode()

    assert "Needs by category" in page
    assert "The busiest month was" in page

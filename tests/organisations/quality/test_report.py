"""The quality report in the admin (Reports > Data quality): counts by check, severity, sector and
curator, the trend of the full runs, the worklist with its filters and order, its spreadsheet, and
the yearly review's share of verified records free of severe problems."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from organisations.factories import (
    LocationFactory,
    OrganisationFactory,
    UserFactory,
    territory,
)
from organisations.models import DuplicatePair, Organisation, QualityIssue, QualityRun, Severity
from organisations.quality.checks import CHECKS_BY_CODE
from organisations.quality.selectors import verified_quality
from review.services import CURATORS

pytestmark = pytest.mark.django_db

REPORT = "quality_report"


def _problems(organisation, *codes):
    """Store what the checks would have found: one problem per code."""
    QualityIssue.objects.bulk_create(
        QualityIssue(organisation=organisation, code=code, severity=CHECKS_BY_CODE[code].severity)
        for code in codes
    )
    return organisation


def _record(name, *codes, place="verdun", due_in=None, **fields):
    today = timezone.localdate()
    organisation = OrganisationFactory(
        name=name,
        next_review_due=today + timedelta(days=due_in) if due_in is not None else None,
        last_verified_at=timezone.now() - timedelta(days=30) if due_in is not None else None,
        **fields,
    )
    if place:
        LocationFactory(organisation=organisation, municipality=territory(place))
    return _problems(organisation, *codes)


def _names(response) -> list[str]:
    return [organisation.name for organisation in response.context["object_list"]]


@pytest.fixture
def records(curator):
    return {
        "severe_later": _record("Popote de Verdun", "phone_invalid", due_in=200),
        "severe_never": _record(
            "Banque alimentaire de Laval",
            "no_contact_means",
            "no_description_fr",
            place="laval",
            assigned_curator=curator,
        ),
        "warning_soon": _record(
            "Maison des jeunes", "no_description_fr", due_in=10, assigned_curator=curator
        ),
        "notice": _record("Club de lecture", "no_opening_hours", due_in=100, place="longueuil"),
        "clean": _record("Centre sans problème", due_in=50),
        "archived": _record(
            "Ancien centre", "phone_invalid", due_in=5, status=Organisation.Status.CLOSED
        ),
    }


def test_the_report_counts_problems_by_check_and_by_severity(client_for, curator, records):
    response = client_for(curator).get(reverse(REPORT))

    assert response.status_code == 200
    summary = response.context["summary"]
    by_check = {row.code: (row.problems, row.records) for row in summary.by_check}
    assert by_check == {
        "phone_invalid": (1, 1),  # the archived record's problem is left out
        "no_contact_means": (1, 1),
        "no_description_fr": (2, 2),
        "no_opening_hours": (1, 1),
    }
    by_severity = {row.severity: (row.problems, row.records) for row in summary.by_severity}
    assert by_severity == {
        Severity.SEVERE: (2, 2),
        Severity.WARNING: (2, 2),
        Severity.NOTICE: (1, 1),
    }
    assert (summary.checked, summary.with_problems) == (5, 4)
    # Severe checks first; each with its message and a link to its part of the worklist.
    assert [row.severity for row in summary.by_check][:2] == [Severity.SEVERE] * 2
    page = response.content.decode()
    assert f"{reverse(REPORT)}?check=no_opening_hours" in page
    assert f"{reverse(REPORT)}?severity=severe" in page


def test_the_report_counts_records_by_sector_and_curator_under_their_worst_problem(
    client_for, curator, records
):
    response = client_for(curator).get(reverse(REPORT))

    summary = response.context["summary"]
    sectors = {
        g.name: (g.records, g.severe, g.warning, g.notice, g.clean) for g in summary.by_sector
    }
    assert sectors["Agglomération de Montréal"] == (3, 1, 1, 0, 1)
    assert sectors["Laval"] == (1, 1, 0, 0, 0)
    assert sectors["Agglomération de Longueuil"] == (1, 0, 0, 1, 0)
    curators = {g.key: (g.records, g.severe, g.warning) for g in summary.by_curator}
    assert curators[curator.pk] == (2, 1, 1)
    assert curators[None] == (3, 1, 0)
    laval = territory("secteur-laval")
    assert f"?sector={laval.pk}" in response.content.decode()
    assert f"?curator={curator.pk}" in response.content.decode()


def test_the_report_shows_the_trend_of_the_full_runs(client_for, curator):
    now = timezone.now()
    for days, severe in ((2, 40), (1, 25)):
        QualityRun.objects.create(
            finished_at=now - timedelta(days=days),
            checked=100,
            by_severity={"severe": severe, "warning": 10, "notice": 5},
            records_with_severe=severe,
        )

    response = client_for(curator).get(reverse(REPORT))

    trend = response.context["trend"]
    assert [bar["segments"][0]["value"] for bar in trend["bars"]] == [40, 25]  # oldest first
    page = response.content.decode()
    assert page.count("<rect x=") == 6  # two runs, three severities each
    assert "<script" not in page.split('class="quality-trend"')[1].split("</figure>")[0]


def test_the_worklist_puts_the_worst_first_then_the_soonest_due(client_for, curator, records):
    response = client_for(curator).get(reverse(REPORT))

    assert _names(response) == [
        "Banque alimentaire de Laval",  # severe, never verified (no date: first)
        "Popote de Verdun",  # severe, due in 200 days
        "Maison des jeunes",  # warning
        "Club de lecture",  # notice
    ]
    page = response.content.decode()
    assert records["severe_never"].get_admin_url() in page
    assert "Centre sans problème" not in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"check": "no_description_fr"}, ["Banque alimentaire de Laval", "Maison des jeunes"]),
        ({"severity": "severe"}, ["Banque alimentaire de Laval", "Popote de Verdun"]),
        ({"severity": "notice"}, ["Club de lecture"]),
        ({"check": "no_description_fr", "severity": "warning"}, None),  # same as the check
        ({"curator": "null"}, ["Popote de Verdun", "Club de lecture"]),
    ],
)
def test_the_worklist_filters_by_check_severity_and_curator(
    client_for, curator, records, query, expected
):
    response = client_for(curator).get(reverse(REPORT), query)

    if expected is None:
        expected = ["Banque alimentaire de Laval", "Maison des jeunes"]
    assert _names(response) == expected


def test_the_worklist_filters_by_sector_and_by_a_curator(client_for, curator, records):
    client = client_for(curator)

    montreal = client.get(
        reverse(REPORT), {"sector": territory("secteur-agglomeration-de-montreal").pk}
    )
    mine = client.get(reverse(REPORT), {"curator": curator.pk})
    filtered_results = client.get(
        reverse("quality_report_results"), {"sector": territory("secteur-laval").pk}
    )

    assert _names(montreal) == ["Popote de Verdun", "Maison des jeunes"]
    assert _names(mine) == ["Banque alimentaire de Laval", "Maison des jeunes"]
    assert _names(filtered_results) == ["Banque alimentaire de Laval"]


def test_the_report_costs_the_same_number_of_queries_for_5_or_40_records(client_for, curator):
    other = UserFactory(username="marc", groups=[CURATORS])
    client = client_for(curator)
    places = ["verdun", "laval", "longueuil", "terrebonne", "chateauguay"]
    codes = ["phone_invalid", "no_description_fr", "no_opening_hours", "postal_code_format"]
    QualityRun.objects.create(by_severity={"severe": 1})
    DuplicatePair.objects.create(first=OrganisationFactory(), second=OrganisationFactory())

    def add(count):
        for n in range(Organisation.objects.count(), Organisation.objects.count() + count):
            _record(
                f"Organisme {n:03}",
                *codes[: 1 + n % 4],
                place=places[n % 5],
                due_in=n % 3 * 30 or None,
                assigned_curator=[curator, other, None][n % 3],
            )

    def queries(url, query=None) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, query or {})
            assert response.status_code == 200
            if url.endswith("export=xlsx"):
                b"".join(response.streaming_content)
        return len(captured)

    urls = [
        (reverse(REPORT), None),
        (reverse(REPORT), {"sector": territory("secteur-laval").pk, "severity": "severe"}),
        (reverse("quality_report_results"), {"check": "phone_invalid"}),
        (reverse(REPORT) + "?export=xlsx", None),
    ]
    add(5)
    for url, query in urls:
        queries(url, query)  # caches warmed (content types, permissions)
    few = [queries(url, query) for url, query in urls]
    add(35)
    assert Organisation.objects.count() == 42
    assert [queries(url, query) for url, query in urls] == few


def test_the_worklist_downloads_as_a_spreadsheet_with_its_filters(client_for, curator, records):
    _record('=HYPERLINK("http://evil.example")', "phone_invalid", due_in=300)
    client = client_for(curator)

    everything = client.get(reverse(REPORT), {"export": "xlsx"})
    severe = client.get(reverse(REPORT), {"export": "xlsx", "severity": "severe"})

    assert everything.status_code == 200
    assert everything["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    rows = list(load_workbook(io.BytesIO(b"".join(everything.streaming_content))).active.values)
    assert len(rows[0]) == 11  # the header
    names = [row[0] for row in rows[1:]]
    assert names == [
        "Banque alimentaire de Laval",
        "Popote de Verdun",
        '\'=HYPERLINK("http://evil.example")',  # neutralised: text, not a formula
        "Maison des jeunes",
        "Club de lecture",
    ]
    laval = rows[1]
    assert laval[2:5] == (1, 1, 0)  # severe, warnings, notices
    assert laval[6] == "Laval"
    assert laval[10].endswith(records["severe_never"].get_admin_url())
    severe_rows = list(load_workbook(io.BytesIO(b"".join(severe.streaming_content))).active.values)
    assert len(severe_rows) == 1 + 3
    as_csv = client.get(reverse(REPORT), {"export": "csv"})
    csv_rows = list(csv.reader(io.StringIO(b"".join(as_csv.streaming_content).decode())))
    assert [row[0] for row in csv_rows[1:]] == names


def test_the_yearly_review_shows_the_share_of_verified_records_free_of_severe_problems(
    client_for, curator, django_assert_num_queries
):
    today = timezone.localdate()
    _record("Vérifié, sans problème", due_in=100)
    _record("Vérifié, un avertissement", "no_description_fr", due_in=100)
    _record("Vérifié, un problème grave", "phone_invalid", due_in=100)
    _record("En retard", due_in=-10)  # not verified: overdue
    _record("Jamais vérifié")  # not verified: never

    with django_assert_num_queries(1):
        share = verified_quality(today=today)
    assert (share.verified, share.without_severe, share.percent) == (3, 2, 66.7)

    client = client_for(curator)
    for url in (reverse("review_report"), reverse("wagtailadmin_home")):
        page = client.get(url).content.decode()
        assert f'{reverse(REPORT)}?severity=severe"' in page, url
        assert "66.7" in page or "66,7" in page, url
        assert "(2 " in page, url


def test_an_account_without_a_role_cannot_see_the_report(client_for, outsider, records):
    client = client_for(outsider)

    for url in (
        reverse(REPORT),
        reverse(REPORT) + "?export=xlsx",
        reverse("quality_report_results"),
    ):
        assert client.get(url).status_code in (302, 403), url


def test_a_curator_finds_the_report_in_the_reports_menu(client_for, curator):
    response = client_for(curator).get(reverse("wagtailadmin_home"))

    assert reverse(REPORT) in response.content.decode()

"""The yearly review in the admin: the home panel, the report and its export, recording a
verification in two clicks, assigning records to a curator and each curator's queue."""

import csv
import io
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from organisations.factories import LocationFactory, OrganisationFactory, territory
from review.models import Verification

pytestmark = pytest.mark.django_db


def _due(days: int, **fields):
    """An active organisation whose next review is due in ``days`` (negative: overdue)."""
    now = timezone.now()
    return OrganisationFactory(
        last_verified_at=now - timedelta(days=365 - days),
        next_review_due=timezone.localdate() + timedelta(days=days),
        **fields,
    )


def test_the_home_page_tells_a_curator_where_the_year_stands(client_for, curator):
    _due(200)
    _due(-10)
    OrganisationFactory()  # never verified
    _due(20, assigned_curator=curator)

    response = client_for(curator).get(reverse("wagtailadmin_home"))

    page = response.content.decode()
    assert "The yearly review" in page or "La révision annuelle" in page
    assert "50.0 %" in page or "50,0 %" in page  # 2 of 4 active verified in the last year
    assert f"assigned_curator={curator.pk}" in page  # her queue, one record


def test_the_report_shows_coverage_sectors_curators_and_the_records_to_chase(client_for, curator):
    overdue = _due(-30, name="Banque alimentaire en retard")
    LocationFactory(organisation=overdue, municipality=territory("laval"))
    _due(15, name="Popote bientôt due", assigned_curator=curator)

    response = client_for(curator).get(reverse("review_report"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Banque alimentaire en retard" in page
    assert "Popote bientôt due" in page
    assert "Laval" in page
    assert reverse("review_verify", args=[overdue.pk]) in page


def test_the_report_costs_the_same_number_of_queries_whatever_the_size(client_for, curator):
    client = client_for(curator)
    _due(-5, assigned_curator=curator)
    client.get(reverse("review_report"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("review_report")).status_code == 200
        return len(captured)

    few = queries()
    for days in range(-40, 80, 4):
        organisation = _due(days, assigned_curator=curator if days % 8 else None)
        LocationFactory(organisation=organisation, municipality=territory("verdun"))
    assert queries() == few


def test_recording_a_verification_by_phone_takes_two_clicks(client_for, curator):
    organisation = _due(-3)
    client = client_for(curator)

    form = client.get(reverse("review_verify", args=[organisation.pk]))
    assert form.status_code == 200
    response = client.post(
        reverse("review_verify", args=[organisation.pk]),
        {
            "method": "phone",
            "verified_on": timezone.localdate().isoformat(),
            "note": "Verified by phone with the coordinator.",
        },
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.next_review_due == timezone.localdate() + timedelta(days=365)
    verification = Verification.objects.get(organisation=organisation)
    assert (verification.method, verification.user) == ("phone", curator)


def test_a_verification_in_the_future_is_refused_with_a_message(client_for, curator):
    organisation = _due(-3)

    response = client_for(curator).post(
        reverse("review_verify", args=[organisation.pk]),
        {"method": "visit", "verified_on": (timezone.localdate() + timedelta(days=2)).isoformat()},
    )

    assert response.status_code == 200
    assert "future" in response.content.decode() or "futur" in response.content.decode()
    assert not Verification.objects.exists()


def test_the_verification_returns_only_to_a_page_of_this_site(client_for, curator):
    organisation = _due(-3)

    response = client_for(curator).post(
        reverse("review_verify", args=[organisation.pk]) + "?next=https://evil.example/",
        {"method": "email", "verified_on": timezone.localdate().isoformat()},
    )

    assert response["Location"] == organisation.get_admin_url()


def test_an_account_without_a_role_cannot_verify_or_see_the_report(client_for, outsider):
    organisation = _due(-3)
    client = client_for(outsider)

    client.post(
        reverse("review_verify", args=[organisation.pk]),
        {"method": "phone", "verified_on": timezone.localdate().isoformat()},
    )

    assert not Verification.objects.exists()
    assert client.get(reverse("review_report")).status_code in (302, 403)


def test_the_csv_export_lists_the_records_to_chase_and_neutralises_formulas(client_for, curator):
    _due(-3, name='=HYPERLINK("http://evil.example")', update_contact_email="a@b.example")
    _due(200, name="Pas encore due")

    response = client_for(curator).get(reverse("review_export") + "?format=csv")

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    names = [row[0] for row in rows[1:]]
    assert names == ['\'=HYPERLINK("http://evil.example")']
    assert "a@b.example" in rows[1]


def test_the_excel_export_has_the_summary_the_tables_and_the_list(client_for, curator):
    _due(-3, name="Centre en retard")

    response = client_for(curator).get(reverse("review_export") + "?format=xlsx")

    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert len(workbook.sheetnames) == 5
    chase = list(workbook.worksheets[-1].values)
    assert chase[1][0] == "Centre en retard"


def test_assigning_records_to_a_curator_fills_her_queue(client_for, editor, curator):
    first, second, other = _due(10), _due(40), _due(90)
    url = (
        reverse("wagtail_bulk_action", args=["organisations", "organisation", "assign_curator"])
        + f"?id={first.pk}&id={second.pk}"
    )
    client = client_for(editor)

    confirmation = client.get(url).content.decode()
    assert (
        "Assign to a curator" in confirmation
        or "Attribuer à une personne responsable des données" in confirmation
    )
    assert escape(first.name) in confirmation
    response = client.post(url, {"curator": curator.pk})

    assert response.status_code == 302
    first.refresh_from_db()
    other.refresh_from_db()
    assert first.assigned_curator == curator
    assert other.assigned_curator is None
    queue = client_for(curator).get(
        reverse("wagtailsnippets_organisations_organisation:list"),
        {"assigned_curator": curator.pk, "status": "active", "ordering": "next_review_due"},
    )
    listed = [o.pk for o in queue.context["object_list"]]
    assert listed == [first.pk, second.pk]


def test_the_verification_form_gives_the_date_box_an_iso_date_in_french(client_for, curator):
    """An <input type="date"> reads only ISO dates: given « 06/12/2026 » it stays empty and the
    browser answers « Champ requis » (issue 15)."""
    organisation = _due(-3)
    client = client_for(curator)

    page = client.get(
        reverse("review_verify", args=[organisation.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()

    assert f'value="{timezone.localdate().isoformat()}"' in page
    assert f'max="{timezone.localdate().isoformat()}"' in page


def test_the_verification_page_names_the_record_and_whom_to_call(client_for, curator):
    organisation = _due(
        -3,
        name="Popote roulante de Duvernay",
        update_contact_name="Marc Tremblay",
        update_contact_phone="+14505550154",
    )

    page = (
        client_for(curator).get(reverse("review_verify", args=[organisation.pk])).content.decode()
    )

    assert "Popote roulante de Duvernay" in page
    assert "Marc Tremblay" in page
    assert "(450) 555-0154" in page
    assert 'href="tel:+14505550154"' in page


def test_a_verification_goes_back_to_the_filtered_list_it_came_from(client_for, curator):
    organisation = _due(20)
    listing = (
        reverse("wagtailsnippets_organisations_organisation:list")
        + "?review_state=due_60&ordering=next_review_due"
    )
    client = client_for(curator)

    html = client.get(listing).content.decode()
    verify_url = reverse("review_verify", args=[organisation.pk])
    assert escape(f"{verify_url}?next=") in html
    button = html.split(escape(f"{verify_url}?next="))[1].split('"')[0]
    assert unquote(button).replace("&amp;", "&") == listing

    response = client.post(
        f"{verify_url}?next={button}".replace("&amp;", "&"),
        {"method": "phone", "verified_on": timezone.localdate().isoformat()},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == listing
    messages = [str(m) for m in response.context["messages"]]
    due = organisation.__class__.objects.get(pk=organisation.pk).next_review_due
    assert any(str(due.year) in m and due.isoformat() not in m for m in messages)


def test_the_list_and_the_home_panel_count_the_same_records_due(client_for, curator):
    """One definition of "due": closed records, records never verified and records due later
    are counted alike by the list's filter and the home panel (33 against 32, issue 15)."""
    from review.selectors import review_status

    _due(10)
    _due(59)
    _due(-5)
    _due(30, status="closed")
    _due(61)
    OrganisationFactory(next_review_due=timezone.localdate() + timedelta(days=5))  # never verified
    listing = reverse("wagtailsnippets_organisations_organisation:list")
    client = client_for(curator)

    status = review_status()
    due_soon = client.get(listing, {"review_state": "due_60"}).context["paginator"].count
    overdue = client.get(listing, {"review_state": "overdue"}).context["paginator"].count

    assert (due_soon, overdue) == (status.totals.due_60, status.totals.overdue) == (2, 2)

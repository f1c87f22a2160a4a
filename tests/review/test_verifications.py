"""A verification is a person confirming a record; coverage counts them, saves never do."""

import json
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from organisations.factories import LocationFactory, OrganisationFactory, territory
from organisations.models import Organisation, PublicVersion
from review.models import Verification
from review.selectors import review_status
from review.services import verification_record

pytestmark = pytest.mark.django_db

MONTREAL = ZoneInfo("America/Toronto")
NOW = datetime(2026, 11, 28, 10, tzinfo=MONTREAL)


def test_a_verification_by_phone_moves_the_review_dates_and_not_the_content(curator):
    organisation = OrganisationFactory(name="Cuisine collective Hochelaga")
    organisation.save_revision().publish()
    organisation.refresh_from_db()
    revisions_before = organisation.revisions.count()

    verification = verification_record(
        organisation=organisation,
        method=Verification.Method.PHONE,
        user=curator,
        note="Verified by phone with the coordinator.",
        verified_at=NOW,
    )

    organisation.refresh_from_db()
    assert organisation.last_verified_at == NOW
    assert organisation.verified_by == curator.get_full_name()
    assert organisation.next_review_due == date(2027, 11, 28)
    assert verification.revision_id == organisation.live_revision_id
    assert organisation.revisions.count() == revisions_before  # no new content
    assert not organisation.has_unpublished_changes


def test_a_verification_through_the_link_names_the_organisations_contact():
    organisation = OrganisationFactory()

    verification_record(
        organisation=organisation,
        method=Verification.Method.LINK_CONFIRMED,
        contact_name="Marc Tremblay",
        contact_email="marc@banque.example.org",
        verified_at=NOW,
    )

    organisation.refresh_from_db()
    assert organisation.verified_by == "Marc Tremblay"


def test_an_older_verification_entered_late_does_not_move_the_dates_back(curator):
    organisation = OrganisationFactory()
    verification_record(organisation=organisation, method="visit", user=curator, verified_at=NOW)

    verification_record(
        organisation=organisation,
        method="email",
        user=curator,
        verified_at=NOW - timedelta(days=40),
    )

    organisation.refresh_from_db()
    assert organisation.last_verified_at == NOW
    assert organisation.verifications.count() == 2


def test_a_verification_needs_a_known_method_and_a_person(curator):
    organisation = OrganisationFactory()
    with pytest.raises(ValueError):
        verification_record(organisation=organisation, method="guess", user=curator)
    with pytest.raises(ValueError):
        verification_record(organisation=organisation, method="phone")
    assert not Verification.objects.exists()


def test_a_verification_makes_the_public_pages_stale(curator, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory()
    before = PublicVersion.objects.get(pk=1).number if PublicVersion.objects.exists() else 0

    with django_capture_on_commit_callbacks(execute=True):
        verification_record(organisation=organisation, method="phone", user=curator)

    assert PublicVersion.objects.get(pk=1).number > before


def test_a_publication_is_an_interim_change_never_a_verification(editor):
    organisation = OrganisationFactory()
    organisation.save_revision().publish()
    organisation.refresh_from_db()
    assert organisation.last_interim_change_at is not None
    interim = organisation.last_interim_change_at

    organisation.description_fr = "Nouvelle description."
    organisation.save_revision(user=editor).publish(user=editor)

    organisation.refresh_from_db()
    assert organisation.last_interim_change_at > interim
    assert organisation.last_verified_at is None
    assert not organisation.verifications.exists()


def _organisation(
    *, verified_days_ago=None, due_in_days=None, status="active", place=None, curator=None
):
    verified = NOW - timedelta(days=verified_days_ago) if verified_days_ago is not None else None
    organisation = OrganisationFactory(
        status=status,
        last_verified_at=verified,
        next_review_due=NOW.date() + timedelta(days=due_in_days)
        if due_in_days is not None
        else None,
        assigned_curator=curator,
    )
    if place:
        LocationFactory(organisation=organisation, municipality=territory(place))
    return organisation


def test_coverage_and_due_counts_match_a_hand_count(curator):
    _organisation(verified_days_ago=10, due_in_days=355, place="laval", curator=curator)
    _organisation(verified_days_ago=340, due_in_days=25, place="laval")  # due within 30
    _organisation(verified_days_ago=320, due_in_days=45, place="verdun", curator=curator)
    _organisation(verified_days_ago=290, due_in_days=75, place="verdun")  # due within 90
    _organisation(verified_days_ago=400, due_in_days=-35, place="verdun")  # overdue, not covered
    _organisation(place="longueuil")  # never verified: overdue
    _organisation(verified_days_ago=5, due_in_days=360, status="inactive")  # not counted
    _organisation(verified_days_ago=5, due_in_days=360, status="closed")  # not counted

    status = review_status(now=NOW)

    totals = status.totals
    assert (totals.active, totals.verified_12m) == (6, 4)
    assert totals.coverage == round(4 / 6, 4)
    assert (totals.overdue, totals.due_30, totals.due_60, totals.due_90) == (2, 1, 2, 3)
    sectors = dict(status.by_sector)
    assert (sectors["Laval"].active, sectors["Laval"].verified_12m) == (2, 2)
    montreal = sectors["Agglomération de Montréal"]
    assert (montreal.active, montreal.verified_12m, montreal.overdue) == (3, 2, 1)
    assert sectors["Agglomération de Longueuil"].overdue == 1
    curators = {pk: counts for _name, pk, counts in status.by_curator}
    assert (curators[curator.pk].active, curators[curator.pk].due_60) == (2, 1)
    assert curators[None].active == 4


def test_the_months_of_the_cycle_count_verifications_against_the_pace():
    for days in (10, 12, 40, 300, 400):
        _organisation(verified_days_ago=days, due_in_days=365 - days)
    _organisation()

    status = review_status(now=NOW)

    by_month = {m.start.month: m for m in status.months}
    assert by_month[11].verified == 2  # 18 and 16 November
    assert by_month[10].verified == 1  # 19 October
    assert (by_month[1].verified, by_month[2].verified) == (0, 1)  # 1 February; 400 days: 2025
    assert status.verified_this_cycle == 4
    assert by_month[12].target == 6  # everyone by December
    assert by_month[11].target == 6 * 11 // 12 + (1 if 6 * 11 % 12 else 0)


def test_review_status_runs_a_fixed_number_of_queries_whatever_the_size(curator):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            review_status(now=NOW)
        return len(captured)

    _organisation(verified_days_ago=10, due_in_days=355, place="laval", curator=curator)
    few = queries()
    for i in range(30):
        _organisation(
            verified_days_ago=i * 12,
            due_in_days=365 - i * 12,
            place=("laval", "verdun", "longueuil")[i % 3],
            curator=curator if i % 2 else None,
        )
    assert queries() == few


def test_review_status_prints_json_with_the_documented_keys():
    _organisation(verified_days_ago=10, due_in_days=355, place="laval")
    _organisation(place="verdun")
    out = StringIO()

    call_command("review_status", "--format", "json", stdout=out)

    report = json.loads(out.getvalue())
    for key in ("active", "verified_12m", "coverage", "overdue", "due_30", "due_60", "due_90"):
        assert key in report
    assert (report["active"], report["verified_12m"], report["coverage"]) == (2, 1, 0.5)
    assert report["by_sector"]["Laval"]["verified_12m"] == 1
    assert "by_curator" in report


def test_review_status_prints_a_readable_summary():
    _organisation(verified_days_ago=10, due_in_days=355, place="laval")
    out = StringIO()

    call_command("review_status", stdout=out)

    text = out.getvalue()
    assert "50.0 %" not in text  # one of one active: 100 %
    assert "100.0 %" in text
    assert "Laval" in text


def test_organisations_verified_now_are_not_counted_twice_in_a_month():
    organisation = _organisation(verified_days_ago=200, due_in_days=165)
    verification_record(
        organisation=organisation, method="phone", contact_name="Marc", verified_at=timezone.now()
    )
    status = review_status()
    assert status.verified_this_cycle == 1
    assert Organisation.objects.get(pk=organisation.pk).verifications.count() == 1

"""The quality report reads what the checks stored: after a full run, a publication, an import;
archived records leave it; its counts cost the same queries whatever the number of records."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from organisations.factories import LocationFactory, OrganisationFactory
from organisations.models import (
    DuplicatePair,
    Organisation,
    OrganisationIdentifier,
    Phone,
    QualityIssue,
    QualityRun,
)
from organisations.quality.selectors import quality_counts
from organisations.quality.services import quality_recompute
from organisations.services import organisation_archive, organisation_unarchive
from tests.imports.sheets import MUNICIPAL_HEADERS, check, municipal_profile, xlsx

pytestmark = pytest.mark.django_db

SAGUENAY = {"latitude": 48.4284, "longitude": -71.0686}


@pytest.fixture(autouse=True)
def _in_english():
    """The commands' sentences are checked in English (French is the site's default)."""
    with translation.override("en"):
        yield


def report(*args) -> dict | str:
    out = StringIO()
    call_command("quality_report", *args, stdout=out)
    return json.loads(out.getvalue()) if "json" in args else out.getvalue()


def codes(organisation) -> set[str]:
    return set(
        QualityIssue.objects.filter(organisation=organisation).values_list("code", flat=True)
    )


@pytest.fixture
def records():
    """Two records to check and an archived one. Each has no contact for updating, no opening
    hours and was never verified; the second is placed in Saguenay (severe), as is the archived
    one."""
    plain = OrganisationFactory(name="Popote roulante de Laval")
    misplaced = OrganisationFactory(name="Maison des jeunes de Chomedey")
    LocationFactory(organisation=misplaced, **SAGUENAY)
    archived = OrganisationFactory(name="Ancien comptoir", status=Organisation.Status.CLOSED)
    LocationFactory(organisation=archived, **SAGUENAY)
    return {"plain": plain, "misplaced": misplaced, "archived": archived}


def test_the_json_report_gives_the_counts_of_the_last_run(records):
    first, second = sorted([records["plain"].pk, records["misplaced"].pk])
    DuplicatePair.objects.create(first_id=first, second_id=second, score=90)
    dismissed = OrganisationFactory()
    DuplicatePair.objects.create(
        first_id=first, second_id=dismissed.pk, status=DuplicatePair.Status.DISMISSED
    )
    call_command("quality_run", "--no-duplicates", stdout=StringIO())

    found = report("--format", "json")
    assert {"checked", "by_check", "severe", "duplicates", "by_severity", "checked_at"} <= set(
        found
    )
    assert found["checked"] == 3  # the dismissed pair's record too; the archived one aside
    assert found["by_check"] == {
        "no_opening_hours": 3,
        "no_update_contact": 3,
        "outside_cmm": 1,
        "verification_overdue": 3,
    }
    assert found["by_severity"] == {"severe": 1, "warning": 3, "notice": 6}
    assert found["severe"] == 1
    assert found["duplicates"] == 1  # open pairs only
    run = QualityRun.objects.get()
    assert (run.checked, run.records_with_severe, run.by_check) == (3, 1, found["by_check"])
    assert found["checked_at"] == run.finished_at.isoformat()


def test_the_text_report_lists_each_check_with_its_count_and_message(records):
    out = StringIO()
    call_command("quality_run", "--no-duplicates", stdout=out)
    assert out.getvalue().startswith("Records checked: 2 (")
    assert "With a severe problem: 1. Probable duplicates: 0." in out.getvalue()
    text = report()
    assert text.splitlines()[0] == (
        "Records checked: 2. With a severe problem: 1. Probable duplicates to decide: 0."
    )
    assert "      1  outside_cmm: A place is put outside the metropolitan area." in text


def test_before_any_run_the_report_counts_the_records_to_check(records):
    found = report("--format", "json")
    assert (found["checked"], found["checked_at"], found["by_check"]) == (2, None, {})


def test_archived_records_leave_the_report(records):
    call_command("quality_run", "--no-duplicates", stdout=StringIO())
    assert report("--format", "json")["severe"] == 1

    organisation_archive(organisation=records["misplaced"], user=None)
    found = report("--format", "json")  # at once, before the next run
    assert found["severe"] == 0
    assert "outside_cmm" not in found["by_check"]

    call_command("quality_run", "--no-duplicates", stdout=StringIO())
    assert report("--format", "json")["checked"] == 1
    assert not QualityIssue.objects.filter(organisation=records["misplaced"]).exists()


def test_publishing_a_revision_checks_the_record_again(editor, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory(description_fr="")
    quality_recompute(organisation_ids=[organisation.pk])
    assert "no_description_fr" in codes(organisation)

    organisation.description_fr = "Dépannage alimentaire et cuisines collectives."
    organisation.phones = [Phone(number="+33123456789")]
    revision = organisation.save_revision(user=editor)
    assert "no_description_fr" in codes(organisation)  # a draft waits for the next run

    with django_capture_on_commit_callbacks(execute=True):
        revision.publish(user=editor)
    found = codes(organisation)
    assert "no_description_fr" not in found
    assert "phone_invalid" in found


def test_applying_an_import_checks_its_records_again(curator, django_capture_on_commit_callbacks):
    from imports.services import batch_apply

    known = OrganisationFactory(name="Maison des jeunes de Chomedey", email="mdj(at)old.example")
    OrganisationIdentifier.objects.create(organisation=known, scheme="ville-test", identifier="L-2")
    quality_recompute(organisation_ids=[known.pk])
    assert "email_invalid" in codes(known)

    partner_file = xlsx(
        [
            MUNICIPAL_HEADERS,
            ["L-2", "Maison des jeunes de Chomedey", None, None, None, None, "mdj@new.example",
             None, None],
            ["L-3", "Halte-répit Fabreville", "4 rue Neuve", "Laval", "H7P 1A1",
             "(450) 555-0303", "repit@halte.example", None, "Proches aidants"],
        ]
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        batch = batch_apply(batch=check(partner_file, municipal_profile()), user=curator)
    assert batch.summary["applied"] == 2

    assert "email_invalid" not in codes(known)  # checked as its draft, in review
    new = Organisation.objects.get(name="Halte-répit Fabreville")
    assert {"no_description_fr", "verification_overdue"} <= codes(new)


def queries(function) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


def test_the_counts_cost_two_queries_whatever_the_number_of_records(
    records, django_assert_num_queries
):
    call_command("quality_run", "--no-duplicates", stdout=StringIO())
    with django_assert_num_queries(2):
        few = quality_counts()
    for _ in range(20):
        LocationFactory(organisation=OrganisationFactory(), **SAGUENAY)
    call_command("quality_run", "--no-duplicates", stdout=StringIO())
    with django_assert_num_queries(2):
        many = quality_counts()
    assert (few["records_with_severe"], many["records_with_severe"]) == (1, 21)


def test_the_report_costs_the_same_queries_whatever_the_number_of_records(records):
    call_command("quality_run", "--no-duplicates", stdout=StringIO())
    few = queries(lambda: report("--format", "json"))
    for _ in range(20):
        LocationFactory(organisation=OrganisationFactory(), **SAGUENAY)
    call_command("quality_run", "--no-duplicates", stdout=StringIO())
    assert queries(lambda: report("--format", "json")) == few
    assert queries(report) == few


def test_a_reopened_record_is_checked_again_at_once(records, django_capture_on_commit_callbacks):
    call_command("quality_run", "--no-duplicates", stdout=StringIO())
    with django_capture_on_commit_callbacks(execute=True):
        organisation_archive(organisation=records["misplaced"], user=None)
    assert not codes(records["misplaced"])
    with django_capture_on_commit_callbacks(execute=True):
        organisation_unarchive(organisation=records["misplaced"], user=None)
    assert "outside_cmm" in codes(records["misplaced"])

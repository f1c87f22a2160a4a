"""The quality checks on crafted records: for each check, records that have its problem and
records that only look as if they had it. Records are checked as ``quality_recompute`` checks
them (saved rows read in bulk, a pending draft from its revision) and the stored problems read
back."""

from datetime import time, timedelta
from functools import partial
from types import SimpleNamespace

import pytest
from django.utils import timezone

from organisations.factories import (
    LocationFactory,
    OpeningHoursFactory,
    OrganisationFactory,
    PhoneFactory,
    ServiceFactory,
    category,
    territory,
)
from organisations.models import (
    GeocodeDoubt,
    LinkCheck,
    OpeningHours,
    Organisation,
    Phone,
    QualityIssue,
    Service,
)
from organisations.quality.checks import CHECKS_BY_CODE, findings
from organisations.quality.services import quality_context, quality_recompute

pytestmark = pytest.mark.django_db


@pytest.fixture
def record():
    """A record no check finds anything wrong with; each test changes one thing."""
    organisation = OrganisationFactory(
        website="https://entraide.example.org",
        update_contact_email="direction@entraide.example.org",
        last_verified_at=timezone.now(),
        next_review_due=timezone.localdate() + timedelta(days=300),
    )
    service = ServiceFactory(
        organisation=organisation,
        categories=[category("popote-roulante")],
        service_areas=[territory("longueuil")],
    )
    place = LocationFactory(organisation=organisation)  # Longueuil, J4K 1A1, in the CMM
    OpeningHoursFactory(location=place)
    phone = PhoneFactory(organisation=organisation)  # a 450 number
    return SimpleNamespace(organisation=organisation, service=service, place=place, phone=phone)


def problems(organisation: Organisation) -> set[str]:
    quality_recompute(organisation_ids=[organisation.pk])
    return set(
        QualityIssue.objects.filter(organisation=organisation).values_list("code", flat=True)
    )


def change(instance, **values):
    """Save these values; a callable is called first (the tables below are built when the module
    is imported, before the database and, near midnight, before the day of the test)."""
    for name, value in values.items():
        setattr(instance, name, value() if callable(value) else value)
    instance.save(update_fields=list(values))


def days_ago(days: int):
    return timezone.localdate() - timedelta(days=days)


# --- What each check finds, and what it leaves alone ------------------------------------------


def no_way_to_reach(r):
    r.phone.delete()
    change(r.organisation, email="", website="")


def only_a_website(r):
    r.phone.delete()
    change(r.organisation, email="")


def only_an_email(r):
    r.phone.delete()
    change(r.organisation, website="")


def only_a_phone(r):
    change(r.organisation, email="", website="")


def service_without_need(r):
    r.service.categories.set([])
    r.service.categories.commit()


def service_under_a_family_of_needs_only(r):
    r.service.categories.set([category("aide-alimentaire")])
    r.service.categories.commit()


def service_without_area(r):
    r.service.service_areas.set([])
    r.service.service_areas.commit()


def service_for_the_whole_region(r):
    r.service.service_areas.set([territory("cmm")])
    r.service.service_areas.commit()


def english_speaking_without_english(r):
    change(r.organisation, preferred_language="en", description_en="")


def service_in_english_without_english(r):
    change(r.service, languages="fr, en")
    change(r.organisation, description_en="")


def french_and_spanish_without_english(r):
    change(r.service, languages="fr, es")
    change(r.organisation, description_en="")


def no_place_has_hours(r):
    r.place.hours.all().delete()


def hours_at_another_place(r):
    r.place.hours.all().delete()
    OpeningHoursFactory(location=LocationFactory(organisation=r.organisation))


def moved(**values):
    def move(r):
        change(r.place, **values)

    return move


def services_status(status, days):
    def set_status(r):
        since = None if days is None else days_ago(days)
        change(r.service, status=status, status_changed_at=since)

    return set_status


def link_answered(**answer):
    def store(r):
        LinkCheck.objects.create(url=r.organisation.website, checked_at=timezone.now(), **answer)

    return store


def organisation(**values):
    def update(r):
        change(r.organisation, **values)

    return update


def phone(number):
    def update(r):
        change(r.phone, number=number)

    return update


CLOSED = Service.Status.TEMPORARILY_CLOSED
FAR = GeocodeDoubt.FAR_FROM_MUNICIPALITY
ANJOU = partial(territory, "anjou")  # a borough of Montréal
DUVERNAY = partial(territory, "duvernay")  # a district of Laval
TERREBONNE = partial(territory, "terrebonne")  # on the North Shore
SAGUENAY = {"latitude": 48.4284, "longitude": -71.0686}
UNPLACED = {"latitude": None, "longitude": None}

# (check, change to the complete record, what the change is)
FINDS = [
    ("no_contact_means", no_way_to_reach, "no phone, email or website"),
    ("service_without_category", service_without_need, "a service under no need"),
    ("service_without_area", service_without_area, "a service serving nowhere"),
    ("no_description_fr", organisation(description_fr=""), "no French description"),
    ("no_description_fr", organisation(description_fr="  \n"), "a blank French description"),
    ("no_description_en", english_speaking_without_english, "English speaking, no English"),
    ("no_description_en", service_in_english_without_english, "a service in English"),
    ("no_update_contact", organisation(update_contact_email=""), "no contact for updating"),
    ("no_opening_hours", no_place_has_hours, "no hours at its place"),
    ("phone_invalid", phone("+33123456789"), "a French number"),
    ("phone_invalid", phone("+12125550123"), "a New York number"),
    ("phone_invalid", phone("+1514555"), "a number too short"),
    ("postal_code_format", moved(postal_code="90210"), "a zip code"),
    ("postal_code_format", moved(postal_code="J4K 1A"), "a postal code cut short"),
    ("postal_code_format", moved(postal_code="D4K 1A1"), "a first letter Canada Post never uses"),
    (
        "postal_code_region",
        moved(municipality=ANJOU, postal_code="J4K 1A1"),
        "a J code in a borough of Montréal",
    ),
    ("postal_code_region", moved(postal_code="H2X 1Y4"), "an H code in Longueuil"),
    (
        "postal_code_region",
        moved(municipality=TERREBONNE, postal_code="H7E 1A1"),
        "an H code on the North Shore",
    ),
    ("email_invalid", organisation(email="info(at)entraide.example.org"), "the public email"),
    ("email_invalid", organisation(update_contact_email="direction@"), "the contact's email"),
    ("website_not_http", organisation(website="www.entraide.example.org"), "no scheme"),
    ("website_not_http", organisation(website="ftp://entraide.example.org"), "ftp"),
    ("no_coordinates", moved(**UNPLACED), "an address without a point"),
    ("doubtful_geocode", moved(geocode_doubt=FAR), "a doubtful point"),
    ("outside_cmm", moved(**SAGUENAY), "a point in Saguenay"),
    ("verification_overdue", organisation(last_verified_at=None), "never verified"),
    ("verification_overdue", organisation(next_review_due=partial(days_ago, 1)), "due yesterday"),
    ("closed_for_long", services_status(CLOSED, 91), "closed for 91 days"),
    ("closed_for_long", services_status(CLOSED, None), "closed since an unknown date"),
    ("website_error", link_answered(ok=False, status_code=404), "the website answered 404"),
    ("website_error", link_answered(ok=False, error="Timed out"), "the website did not answer"),
]

LEAVES_ALONE = [
    ("no_contact_means", only_a_website, "a website alone"),
    ("no_contact_means", only_an_email, "an email alone"),
    ("no_contact_means", only_a_phone, "a phone alone"),
    ("service_without_category", service_under_a_family_of_needs_only, "a family of needs"),
    ("service_without_area", service_for_the_whole_region, "the whole region"),
    ("no_description_fr", organisation(description_fr="Popote."), "a short description"),
    ("no_description_en", french_and_spanish_without_english, "French and Spanish only"),
    (
        "no_update_contact",
        organisation(update_contact_email="", update_contact_phone="450 555-0101"),
        "a phone for updating",
    ),
    ("no_opening_hours", hours_at_another_place, "hours at its other place"),
    ("phone_invalid", phone("+18005551234"), "toll-free 1-800"),
    ("phone_invalid", phone("+18885550199"), "toll-free 1-888"),
    ("phone_invalid", phone("+15145550142"), "a Montréal number"),
    ("postal_code_format", moved(postal_code=""), "no postal code"),
    ("postal_code_format", moved(postal_code="j4k1a1"), "lower case, no space (stored J4K 1A1)"),
    (
        "postal_code_region",
        moved(municipality=ANJOU, postal_code="H1K 2A1"),
        "an H code in a borough of Montréal",
    ),
    (
        "postal_code_region",
        moved(municipality=DUVERNAY, postal_code="H7E 1A1"),
        "an H code in a district of Laval",
    ),
    (
        "postal_code_region",
        moved(municipality=TERREBONNE, postal_code="J6W 1A1"),
        "a J code on the North Shore",
    ),
    ("email_invalid", organisation(email="info+dons@entraide.example.org"), "a tagged address"),
    ("website_not_http", organisation(website="http://entraide.example.org/fr/accueil"), "http"),
    ("website_not_http", organisation(website="HTTPS://ENTRAIDE.EXAMPLE.ORG"), "upper case"),
    ("no_coordinates", moved(street_address="", **UNPLACED), "a place with no street address"),
    (
        "no_coordinates",
        moved(address_is_confidential=True, **UNPLACED),
        "a confidential place, shown at its municipality's centre",
    ),
    ("doubtful_geocode", moved(geocode_doubt=FAR, coordinates_locked=True), "a pin placed by hand"),
    (
        "doubtful_geocode",
        moved(geocode_doubt=FAR, address_is_confidential=True),
        "a confidential place",
    ),
    ("outside_cmm", moved(address_is_confidential=True, **SAGUENAY), "a confidential place"),
    ("outside_cmm", moved(latitude=45.45, longitude=-74.15), "Hudson, at the region's edge"),
    ("verification_overdue", organisation(next_review_due=timezone.localdate), "due today"),
    ("closed_for_long", services_status(CLOSED, 89), "closed for 89 days"),
    ("closed_for_long", services_status(CLOSED, 90), "closed for 90 days"),
    (
        "closed_for_long",
        services_status(Service.Status.INACTIVE, 400),
        "inactive, not closed",
    ),
    ("website_error", link_answered(ok=True, status_code=200), "the website answered"),
]


def cases(table):
    return [pytest.param(code, how, id=f"{code}: {what}") for code, how, what in table]


def test_a_complete_record_has_no_problem(record):
    assert problems(record.organisation) == set()


@pytest.mark.parametrize("code, how", cases(FINDS))
def test_each_check_finds_its_problem_and_nothing_else(record, code, how):
    how(record)
    assert problems(record.organisation) == {code}


@pytest.mark.parametrize("code, how", cases(LEAVES_ALONE))
def test_each_check_leaves_alone_what_only_looks_like_its_problem(record, code, how):
    how(record)
    assert code not in problems(record.organisation)


def test_every_check_is_tested_both_ways():
    assert {code for code, _how, _what in FINDS} == set(CHECKS_BY_CODE)
    assert {code for code, _how, _what in LEAVES_ALONE} == set(CHECKS_BY_CODE)


# --- What is stored ----------------------------------------------------------------------------


def test_a_problem_is_stored_with_its_severity_and_the_part_of_the_record_it_is_about(record):
    change(record.phone, number="+33123456789")
    change(record.service, status=CLOSED, status_changed_at=days_ago(120))
    problems(record.organisation)
    stored = {
        issue.code: issue for issue in QualityIssue.objects.filter(organisation=record.organisation)
    }
    phone_problem = stored["phone_invalid"]
    assert (phone_problem.severity, phone_problem.part, phone_problem.field) == (
        "severe", "phone", "number"
    )  # fmt: skip
    assert (phone_problem.child_uuid, phone_problem.value) == (record.phone.uuid, "+33123456789")
    closed = stored["closed_for_long"]
    assert (closed.severity, closed.part, closed.child_uuid) == (
        "warning", "service", record.service.uuid
    )  # fmt: skip
    assert closed.value == days_ago(120).isoformat()


def test_the_problems_of_a_record_come_most_severe_first(record):
    change(record.organisation, description_en="", preferred_language="en")  # a notice
    change(record.organisation, last_verified_at=None)  # a warning
    change(record.place, **SAGUENAY)  # severe
    found = findings(Organisation.objects.get(pk=record.organisation.pk), quality_context())
    assert [check.code for check, _finding in found] == [
        "outside_cmm", "verification_overdue", "no_description_en"
    ]  # fmt: skip


def test_checking_again_replaces_what_was_found(record):
    change(record.organisation, description_fr="")
    assert problems(record.organisation) == {"no_description_fr"}
    change(record.organisation, description_fr="Dépannage alimentaire.")
    assert problems(record.organisation) == set()
    assert not QualityIssue.objects.exists()


def test_an_archived_record_is_not_checked_and_loses_its_problems(record):
    change(record.organisation, description_fr="")
    assert problems(record.organisation) == {"no_description_fr"}
    change(record.organisation, status=Organisation.Status.CLOSED)
    assert problems(record.organisation) == set()


# --- Drafts -------------------------------------------------------------------------------------


def test_a_record_with_a_pending_draft_is_checked_as_its_draft(record, editor):
    change(record.organisation, description_fr="")
    record.place.hours.all().delete()
    assert problems(record.organisation) == {"no_description_fr", "no_opening_hours"}

    draft = Organisation.objects.get(pk=record.organisation.pk)
    # Fixed in the draft: its own field, and a grandchild (hours of a place).
    draft.description_fr = "Dépannage alimentaire et cuisines collectives."
    [place] = draft.locations.all()
    place.hours = [
        OpeningHours(weekday=OpeningHours.Weekday.MONDAY, opens=time(9), closes=time(12))
    ]
    draft.locations = [place]
    # New in the draft: a child, and a many-to-many relation of a child.
    draft.phones = [Phone(number="+33123456789")]
    [service] = draft.services.all()
    service.categories = []
    draft.services = [service]
    draft.save_revision(user=editor)

    assert problems(record.organisation) == {"phone_invalid", "service_without_category"}
    live = Organisation.objects.get(pk=record.organisation.pk)
    assert live.description_fr == "" and live.has_unpublished_changes
    assert not live.locations.get().hours.exists()


def test_a_new_record_never_published_is_checked_as_its_draft(editor):
    draft = Organisation(name="Halte-répit Fabreville", slug="halte-repit", live=False)
    draft.save()
    draft.description_fr = "Répit pour proches aidants."
    draft.save_revision(user=editor)
    found = problems(draft)
    assert "no_contact_means" in found
    assert "no_description_fr" not in found  # the saved row has none, the draft has one

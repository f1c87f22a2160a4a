"""The organisation's form: prefilled from its published record, every list changeable (change,
add, remove), checked like the admin, and laid over the record without losing what it hides."""

import re

import pytest
from django import forms as django_forms
from django.core import mail
from django.utils import translation

from organisations.factories import (
    LocationFactory,
    OpeningHoursFactory,
    OrganisationFactory,
    PhoneFactory,
    ServiceFactory,
    category,
    territory,
)
from review.models import Proposal
from review.proposal_forms import MAX_ADDED_ROWS, RecordForms
from review.proposals import current_content
from review.propose_views import published_content
from review.requests import requests_create
from tests.helpers import proposal_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_english():
    """The form's own words, in the source language, whatever the translations say."""
    with translation.override("en"):
        yield


@pytest.fixture
def content(editor):
    organisation = OrganisationFactory(name="Banque alimentaire de Longueuil")
    ServiceFactory(
        organisation=organisation,
        name_fr="Dépannage alimentaire",
        fees_fr="Gratuit",
        categories=[category("aide-alimentaire")],
    )
    place = LocationFactory(
        organisation=organisation,
        municipality=territory("longueuil"),
        street_address="100, rue Saint-Charles",
        postal_code="J4H 1C5",
        latitude=45.53,
        longitude=-73.51,
    )
    OpeningHoursFactory(location=place, weekday=2, opens="09:30", closes="12:00")
    PhoneFactory(organisation=organisation, number="+14505550100", extension="204")
    PhoneFactory(organisation=organisation, number="+14505550111")
    organisation.save_revision(user=editor).publish(user=editor)
    return current_content(organisation)


def test_the_form_is_prefilled_from_the_published_record(content):
    forms = RecordForms(content)

    assert forms.organisation.initial["name"] == "Banque alimentaire de Longueuil"
    assert forms.services.forms[0].initial["fees_fr"] == "Gratuit"
    assert len(forms.phones.forms) == 3  # two phones and a blank row to add one
    assert forms.hours[0].forms[0].initial["weekday"] == 2


def test_sending_the_form_unchanged_proposes_no_change(content):
    forms = RecordForms(content, proposal_form_data(RecordForms(content)))

    assert forms.is_valid(), [f.errors for f in forms.all() if hasattr(f, "errors")]
    proposed = forms.content()
    for key in ("name", "services", "phones", "locations"):
        assert proposed[key] == content[key]


def test_changes_additions_and_removals_land_in_the_proposed_record(content):
    data = proposal_form_data(
        RecordForms(content),
        **{
            "services-0-fees_fr": "Contribution de 2 $",
            "phones-1-remove": "on",
            "phones-2-number": "450 555-0199",
            "hours-0-1-weekday": "3",
            "hours-0-1-opens": "09:00",
            "hours-0-1-closes": "12:00",
        },
    )

    forms = RecordForms(content, data)

    assert forms.is_valid(), [f.errors for f in forms.all() if hasattr(f, "errors")]
    proposed = forms.content()
    service = proposed["services"][0]
    assert service["fees_fr"] == "Contribution de 2 $"
    assert service["categories"] == content["services"][0]["categories"]  # kept, not shown
    assert [p["number"] for p in proposed["phones"]] == ["+14505550100", "+14505550199"]
    assert proposed["phones"][1]["pk"] is None  # a new phone
    hours = proposed["locations"][0]["hours"]
    assert [(h["weekday"], h["opens"]) for h in hours] == [(2, hours[0]["opens"]), (3, "09:00:00")]
    location = proposed["locations"][0]
    assert (location["latitude"], location["longitude"]) == (45.53, -73.51)  # kept


def test_a_wrong_postal_code_is_explained_and_nothing_is_lost(content):
    data = proposal_form_data(RecordForms(content), **{"locations-0-postal_code": "12345"})

    forms = RecordForms(content, data)

    assert not forms.is_valid()
    assert forms.locations.forms[0].errors["postal_code"]
    assert forms.locations.forms[0]["postal_code"].value() == "12345"
    assert forms.error_count == 1


def test_a_blank_row_adds_nothing_and_needs_nothing(content):
    forms = RecordForms(content, proposal_form_data(RecordForms(content)))

    assert forms.is_valid()
    assert len(forms.content()["services"]) == 1


def test_times_show_as_hours_and_minutes_in_time_inputs(content):
    hours = RecordForms(content).hours[0].forms[0]

    assert content["locations"][0]["hours"][0]["opens"] == "09:30:00"  # as a revision keeps it
    opens = str(hours["opens"])
    assert 'type="time"' in opens and 'value="09:30"' in opens
    assert 'value="12:00"' in str(hours["closes"])


def test_phones_show_as_people_write_them_and_are_kept_in_international_form(content):
    number = str(RecordForms(content).phones.forms[0]["number"])
    assert 'type="tel"' in number and 'value="(450) 555-0100"' in number

    data = proposal_form_data(
        RecordForms(content), **{"phones-0-number": "450.555.0122", "phones-0-extension": "210"}
    )
    forms = RecordForms(content, data)

    assert forms.is_valid()
    assert forms.content()["phones"][0]["number"] == "+14505550122"
    assert forms.content()["phones"][0]["extension"] == "210"


def test_the_form_sent_back_as_shown_proposes_nothing_and_opens_no_section(content):
    shown = RecordForms(content)
    data = proposal_form_data(shown)
    # What the browser sends back is what the inputs show, not what the record stores.
    for form in (shown.phones.forms[0], shown.phones.forms[1], shown.hours[0].forms[0]):
        for name in ("number", "opens", "closes"):
            if name in form.fields:
                bound = form[name]
                data[bound.html_name] = bound.field.widget.format_value(bound.value())
    assert data["phones-0-number"] == "(450) 555-0100" and data["hours-0-0-opens"] == "09:30"

    forms = RecordForms(content, data)

    assert forms.is_valid()
    proposed = forms.content()
    for key in ("name", "services", "phones", "locations"):
        assert proposed[key] == content[key]
    assert [s.open for s in forms.sections.values()] == [False] * 4
    assert forms.problems == []


def test_each_closed_section_says_what_it_holds(content, in_english):
    sections = RecordForms(content).sections

    assert list(sections) == ["organisation", "services", "places", "phones"]
    assert sections["services"].summary == "1 service: Dépannage alimentaire"
    assert sections["places"].summary == "1 place, 1 opening time"
    assert sections["phones"].summary == "(450) 555-0100, ext. 204, (450) 555-0111"


def test_a_changed_day_opens_its_section_and_only_that_one(content):
    data = proposal_form_data(RecordForms(content), **{"hours-0-0-weekday": "3"})

    forms = RecordForms(content, data)

    assert forms.is_valid()
    assert {k: s.open for k, s in forms.sections.items()} == {
        "organisation": False,
        "services": False,
        "places": True,
        "phones": False,
    }


def test_the_error_summary_lists_each_problem_in_page_order_with_its_field(content, in_english):
    data = proposal_form_data(
        RecordForms(content),
        **{"locations-0-postal_code": "12345", "phones-2-number": "not a phone"},
    )
    del data["org-submitter_name"]

    forms = RecordForms(content, data)

    assert not forms.is_valid()
    assert [p.target for p in forms.problems] == [
        "id_locations-0-postal_code",
        "id_phones-2-number",
        "id_org-submitter_name",
    ]
    postal, phone, name = (p.message for p in forms.problems)
    assert postal.startswith("100, rue Saint-Charles, Postal code: ")
    assert phone.startswith("New phone number, Number: ")
    assert name == "Enter your name, so that our team knows who answered."
    sections = forms.sections
    assert (sections["places"].errors, sections["phones"].errors) == (1, 1)
    assert sections["places"].open and sections["phones"].open
    assert not sections["organisation"].open and not sections["services"].open
    assert forms.phones.forms[2].open  # the added row with the mistake shows


# --- Lengths and rows: what one answer may hold (issue 17) -------------------------------------


def test_a_million_character_description_is_refused_naming_the_field_and_by_how_much(
    content, in_english
):
    data = proposal_form_data(RecordForms(content), **{"org-description_fr": "a" * 1_000_000})

    forms = RecordForms(content, data)

    assert not forms.is_valid()
    assert [(p.target, p.message) for p in forms.problems] == [
        (
            "id_org-description_fr",
            "Description (French): Too long by 995,000 characters (at most 5,000, this text "
            "has 1,000,000).",
        )
    ]
    assert forms.sections["organisation"].open


def test_every_text_field_has_its_cap_checked_by_the_server_not_cut_by_the_browser(content):
    forms = RecordForms(content)
    parts = [forms.organisation, *forms.services.forms, *forms.locations.forms]
    parts += [*forms.phones.forms, *(f for hours in forms.hours for f in hours.forms)]
    capped = {}
    for form in parts:
        for name, field in form.fields.items():
            if isinstance(field, django_forms.CharField):
                capped[name] = field.max_length
                assert "maxlength" not in str(form[name]), name
    assert capped["description_fr"] == 5_000 and capped["eligibility_fr"] == 2_000
    assert capped["name"] in (120, 255) and capped["note"] == 2_000
    assert capped["submitter_email"] == 254 and capped["label_fr"] == 100
    assert None not in capped.values()


@pytest.mark.parametrize(
    ("field", "length", "limit"),
    [
        ("org-name", 256, 255),
        ("services-0-fees_fr", 2_001, 2_000),
        ("locations-0-postal_code", 400, 7),
        ("phones-0-label_fr", 101, 100),
        ("org-note", 2_001, 2_000),
    ],
)
def test_each_field_refuses_one_character_too_many(content, in_english, field, length, limit):
    data = proposal_form_data(RecordForms(content), **{field: "x" * length})

    forms = RecordForms(content, data)

    assert not forms.is_valid()
    messages = [p.message for p in forms.problems if p.target == f"id_{field}"]
    assert any(f"Too long by {length - limit:,} character" in m for m in messages), messages


def test_a_text_already_longer_on_the_record_may_stay_but_not_grow(content, in_english):
    content = {**content, "description_fr": "b" * 6_000}

    same = RecordForms(content, proposal_form_data(RecordForms(content)))
    longer = RecordForms(
        content, proposal_form_data(RecordForms(content), **{"org-description_fr": "b" * 6_001})
    )

    assert same.is_valid(), same.problems
    assert not longer.is_valid()
    assert "Too long by 1 character (at most 6,000," in longer.problems[0].message


def test_an_answer_may_add_ten_rows_to_a_list_not_eleven(content, in_english):
    def adding(count):
        data = proposal_form_data(RecordForms(content))
        data["phones-TOTAL_FORMS"] = str(2 + count)
        for index in range(2, 2 + count):
            data[f"phones-{index}-number"] = f"(450) 555-{index:04d}"
            data[f"phones-{index}-kind"] = "voice"
        return RecordForms(content, data)

    accepted = adding(MAX_ADDED_ROWS)
    assert accepted.is_valid(), accepted.problems
    assert len(accepted.content()["phones"]) == 2 + MAX_ADDED_ROWS
    refused = adding(MAX_ADDED_ROWS + 1)
    assert not refused.is_valid()
    assert [(p.target, p.message) for p in refused.problems] == [
        (
            "section-phones",
            "Phones: At most 10 additions in one answer (this one makes 11): send it with "
            "fewer, then add the others in a new answer.",
        )
    ]
    assert refused.sections["phones"].open


def test_a_request_that_claims_a_million_rows_builds_no_more_than_the_cap(content, in_english):
    data = proposal_form_data(RecordForms(content))
    data["services-TOTAL_FORMS"] = "1000000"
    data["hours-0-TOTAL_FORMS"] = "1000000"

    forms = RecordForms(content, data)

    assert not forms.is_valid()
    assert len(forms.services.forms) == 1 + 2 * MAX_ADDED_ROWS
    assert len(forms.hours[0].forms) == 1 + 2 * MAX_ADDED_ROWS
    assert forms.services.non_form_errors() == [
        "Too many additions in one answer: at most 10. Send it with fewer, then add the others "
        "in a new answer."
    ]
    assert forms.sections["services"].errors and forms.sections["places"].errors


def test_the_million_characters_through_the_link_store_nothing_and_say_so_in_french(
    client, editor, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(
        name="Banque alimentaire de Longueuil",
        update_contact_email="marc@banque.example.org",
        preferred_language="fr",
    )
    organisation.save_revision(user=editor).publish(user=editor)
    with django_capture_on_commit_callbacks(execute=True):
        requests_create([organisation])
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    link = link.replace("http://127.0.0.1:8000", "") + "modifier/"
    data = proposal_form_data(
        RecordForms(published_content(organisation)),
        **{"org-description_fr": "a" * 1_000_000},
    )

    response = client.post(link, data)

    assert response.status_code == 400
    page = response.content.decode()
    assert (
        '<a href="#id_org-description_fr">Description (français): Trop long de 995\xa0000 '
        "caractères (au plus 5\xa0000, ce texte en compte 1\xa0000\xa0000).</a>"
    ) in page
    assert page.count("a" * 1_000_000) == 1  # kept in the form, to shorten it
    assert not Proposal.objects.exists()

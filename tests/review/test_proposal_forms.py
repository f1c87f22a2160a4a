"""The organisation's form: prefilled from its published record, every list changeable (change,
add, remove), checked like the admin, and laid over the record without losing what it hides."""

import pytest

from organisations.factories import (
    LocationFactory,
    OpeningHoursFactory,
    OrganisationFactory,
    PhoneFactory,
    ServiceFactory,
    category,
    territory,
)
from review.proposal_forms import RecordForms
from review.proposals import current_content
from tests.helpers import proposal_form_data

pytestmark = pytest.mark.django_db


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
    OpeningHoursFactory(location=place, weekday=2)
    PhoneFactory(organisation=organisation, number="+14505550100")
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

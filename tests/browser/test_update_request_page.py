"""The organisation's page behind its update link, on a phone: "still correct" in one tap, or
changes proposed through the form; both pages pass axe-core in French and English."""

import re

import pytest
from django.core import mail
from django.test.utils import override_settings
from playwright.sync_api import expect

from organisations.factories import (
    LocationFactory,
    OpeningHoursFactory,
    OrganisationFactory,
    PhoneFactory,
    ServiceFactory,
    territory,
)
from organisations.models import Organisation
from review.models import Proposal, UpdateRequest, Verification
from review.requests import requests_create, send_update_request
from tests.browser.test_accessibility import violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def link(editor):
    """A published record and the path of the link emailed to its contact."""
    organisation = OrganisationFactory(
        name="Banque alimentaire de Longueuil",
        description_fr="Distribution le mardi.",
        update_contact_name="Marc Tremblay",
        update_contact_email="marc@banque.example.org",
        preferred_language="fr",
    )
    ServiceFactory(organisation=organisation, name_fr="Dépannage alimentaire")
    place = LocationFactory(
        organisation=organisation, municipality=territory("longueuil"), postal_code="J4H 1C5"
    )
    OpeningHoursFactory(location=place)
    PhoneFactory(organisation=organisation, number="+14505550100")
    organisation.save_revision(user=editor).publish(user=editor)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        requests_create([organisation])
        send_update_request.call(UpdateRequest.objects.get().pk)
        body = mail.outbox[-1].body
    return re.search(r"https?://\S+", body).group(0).split("8000", 1)[1]


def test_our_information_is_still_correct_in_one_tap(page, live_server, link):
    page.goto(f"{live_server.url}{link}")
    expect(page.get_by_role("heading", name="Vérifiez votre fiche")).to_be_visible()
    expect(page.get_by_text("Distribution le mardi.")).to_be_visible()

    page.get_by_role("button", name="Nos informations sont toujours justes").click()

    expect(page.get_by_role("heading", name="Merci : votre fiche est confirmée")).to_be_visible()
    assert Verification.objects.get().method == Verification.Method.LINK_CONFIRMED


def test_an_organisation_proposes_changes_on_its_phone(page, live_server, link):
    page.goto(f"{live_server.url}{link}")
    page.get_by_role("link", name="Proposer des changements").click()

    organisation_fields = page.get_by_role("group", name="Votre organisme")
    organisation_fields.get_by_label("Description (français)").fill("Distribution le mercredi.")
    page.get_by_label("Votre nom").fill("Marc Tremblay")
    page.get_by_label("Votre courriel").fill("marc@banque.example.org")
    page.get_by_role("button", name="Envoyer nos changements au 211").click()

    expect(
        page.get_by_role("heading", name="Merci : vos changements ont été envoyés")
    ).to_be_visible()
    proposal = Proposal.objects.get()
    assert proposal.content["description_fr"] == "Distribution le mercredi."
    organisation = Organisation.objects.get()
    assert organisation.description_fr == "Distribution le mardi."  # until an editor publishes


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_update_pages_have_no_accessibility_violation(page, live_server, link, language):
    path = link if language == "fr" else link.replace("/fr/mise-a-jour/", "/en/update/")
    changes = "modifier/" if language == "fr" else "changes/"
    assert violations(page, f"{live_server.url}{path}") == []
    assert violations(page, f"{live_server.url}{path}{changes}") == []

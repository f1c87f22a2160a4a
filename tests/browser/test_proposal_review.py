"""A curator reviews an organisation's proposal in the admin and sends it on to the editors, on a
desktop and on a phone: the changes read in words (a day moved from Friday to Saturday), nothing
internal shows, and the proposal goes straight to the editors."""

import re
from datetime import time

import pytest
from playwright.sync_api import expect
from wagtail.models import WorkflowState

from organisations.factories import LocationFactory, OpeningHoursFactory, OrganisationFactory
from organisations.models import OpeningHours, Organisation
from review.models import Proposal
from review.proposals import current_content, proposal_submit
from tests.browser.checks import axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

INTERNAL = ("Latitude", "Longitude", "géocodage", "Épingle placée", "Adresse confidentielle")


def test_a_curator_reviews_a_proposal_and_sends_it_on(screen, live_server, curator, editor, shoot):
    page = screen
    organisation = OrganisationFactory(
        name="Banque alimentaire de Longueuil", description_fr="Distribution le mardi."
    )
    location = LocationFactory(organisation=organisation, name="Entrepôt")
    OpeningHoursFactory(
        location=location, weekday=OpeningHours.Weekday.FRIDAY, opens=time(9, 30), closes=time(12)
    )
    organisation.save_revision(user=editor).publish(user=editor)
    organisation.refresh_from_db()
    content = current_content(organisation)
    content["description_fr"] = "Distribution le mercredi."
    content["locations"][0]["hours"][0]["weekday"] = OpeningHours.Weekday.SATURDAY
    proposal_submit(
        organisation=organisation,
        content=content,
        submitter_name="Marc Tremblay",
        submitter_email="marc@banque.example.org",
        note="Nous livrons aussi à Saint-Hubert.",
    )

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "nadia")
    page.fill("input[name=password]", "password")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))

    page.goto(f"{live_server.url}/admin/review/proposals/")
    expect(page.get_by_role("heading", name="Banque alimentaire de Longueuil")).to_be_visible()
    shoot(page, "queue")
    page.get_by_role("link", name="Réviser").click()

    expect(page.get_by_text("Nous livrons aussi à Saint-Hubert.")).to_be_visible()
    table = page.locator("table.listing").first
    expect(table).to_contain_text("mercredi")
    expect(table).to_contain_text("vendredi 9 h 30 – 12 h")
    expect(table).to_contain_text("samedi 9 h 30 – 12 h")
    for word in INTERNAL:
        expect(table).not_to_contain_text(word)
    shoot(page, "review")
    assert axe_violations(page) == []

    page.get_by_role("button", name="Transmettre aux éditrices et éditeurs").click()
    page.wait_for_url(re.compile(r"/admin/review/proposals/"))
    expect(page.locator(".messages")).to_contain_text("est transmise aux éditrices et éditeurs")
    shoot(page, "sent-on")

    organisation = Organisation.objects.get(pk=organisation.pk)
    assert organisation.description_fr == "Distribution le mardi."  # still the live version
    state = WorkflowState.objects.for_instance(organisation).get(
        status=WorkflowState.STATUS_IN_PROGRESS
    )
    # Straight to the editors: the curator's review of the proposal was the curators' check.
    assert state.current_task_state.task.name == "Approbation de la publication"
    assert (
        state.current_task_state.revision.content["description_fr"] == "Distribution le mercredi."
    )
    assert Proposal.objects.get().status == Proposal.Status.IN_REVIEW

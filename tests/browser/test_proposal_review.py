"""A curator reviews an organisation's proposal in the admin and sends it on to the editors."""

import re

import pytest
from playwright.sync_api import expect
from wagtail.models import WorkflowState

from organisations.factories import OrganisationFactory
from organisations.models import Organisation
from review.models import Proposal
from review.proposals import current_content, proposal_submit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_curator_reviews_a_proposal_and_sends_it_on(desktop, live_server, curator, editor):
    page = desktop
    organisation = OrganisationFactory(
        name="Banque alimentaire de Longueuil", description_fr="Distribution le mardi."
    )
    organisation.save_revision(user=editor).publish(user=editor)
    organisation.refresh_from_db()
    content = current_content(organisation)
    content["description_fr"] = "Distribution le mercredi."
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

    page.get_by_role("link", name="Propositions").first.click()
    expect(page.get_by_role("heading", name="Banque alimentaire de Longueuil")).to_be_visible()
    page.get_by_role("link", name="Réviser").click()

    expect(page.get_by_text("Nous livrons aussi à Saint-Hubert.")).to_be_visible()
    expect(page.locator("td.comparison").first).to_contain_text("mercredi")
    page.get_by_role("button", name="Prendre en charge : en faire un brouillon en révision").click()

    page.wait_for_url(
        re.compile(rf"/admin/snippets/organisations/organisation/edit/{organisation.pk}/")
    )
    expect(page.get_by_text("brouillon en révision").first).to_be_visible()
    organisation = Organisation.objects.get(pk=organisation.pk)
    assert organisation.description_fr == "Distribution le mardi."  # still the live version
    state = WorkflowState.objects.for_instance(organisation).get(
        status=WorkflowState.STATUS_IN_PROGRESS
    )
    assert (
        state.current_task_state.revision.content["description_fr"] == "Distribution le mercredi."
    )
    assert Proposal.objects.get().status == Proposal.Status.IN_REVIEW

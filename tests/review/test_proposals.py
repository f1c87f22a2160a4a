"""An organisation's proposal: kept apart, taken up by a curator as one draft in the workflow,
published by an editor, recorded as a verification; conflicts are never settled silently."""

import html
import re

import pytest
from django.core import mail
from django.urls import reverse
from wagtail.models import WorkflowState

from organisations.factories import OrganisationFactory, PhoneFactory
from organisations.models import Organisation
from review.models import Proposal, Verification
from review.proposals import (
    ProposalConflict,
    ProposalError,
    current_content,
    proposal_changes,
    proposal_reject,
    proposal_submit,
    proposal_take_up,
)

pytestmark = pytest.mark.django_db

ACTION = "wagtailsnippets_organisations_organisation:workflow_action"


@pytest.fixture
def record(editor):
    organisation = OrganisationFactory(
        name="Banque alimentaire de Longueuil",
        description_fr="Distribution le mardi.",
        preferred_language="fr",
    )
    PhoneFactory(organisation=organisation, number="+14505550100")
    organisation.save_revision(user=editor).publish(user=editor)
    organisation.refresh_from_db()
    return organisation


def propose(organisation, **changes) -> Proposal:
    content = current_content(organisation)
    content.update(changes)
    return proposal_submit(
        organisation=organisation,
        content=content,
        submitter_name="Marc Tremblay",
        submitter_email="marc@banque.example.org",
        note="Nous livrons aussi à Saint-Hubert.",
    )


def approve_through_the_workflow(client_for, curator, editor, organisation):
    for user in (curator, editor):
        state = WorkflowState.objects.for_instance(organisation).get(
            status=WorkflowState.STATUS_IN_PROGRESS
        )
        task_state = state.current_task_state
        response = client_for(user).post(
            reverse(ACTION, args=[organisation.pk, "approve", task_state.pk]), {"comment": ""}
        )
        assert response.status_code == 302


def test_a_proposal_leaves_the_live_record_untouched(record):
    proposal = propose(record, description_fr="Distribution le mercredi.")

    record.refresh_from_db()
    assert record.description_fr == "Distribution le mardi."
    assert not record.has_unpublished_changes
    assert proposal.base_revision_id == record.live_revision_id
    assert [c.key for c in proposal_changes(proposal)] == ["description_fr"]


def test_the_organisation_can_amend_its_answer_until_a_curator_takes_it_up(record, curator):
    propose(record, description_fr="Distribution le mercredi.")
    proposal = propose(record, description_fr="Distribution le jeudi.")

    assert Proposal.objects.filter(status=Proposal.Status.SUBMITTED).get() == proposal
    assert proposal.content["description_fr"] == "Distribution le jeudi."
    earlier = Proposal.objects.get(status=Proposal.Status.REPLACED)  # kept in the history
    assert earlier.replaced_by == proposal
    assert earlier.content["description_fr"] == "Distribution le mercredi."

    proposal_take_up(proposal=proposal, user=curator)
    again = propose(record, description_fr="Distribution le vendredi.")
    assert again.pk != proposal.pk  # a new answer, for later: the first is in review


def test_the_whole_cycle_from_proposal_to_publication(
    record, curator, editor, client_for, django_capture_on_commit_callbacks
):
    content = current_content(record)
    content["phones"][0]["number"] = "+14505550199"
    proposal = propose(record, description_fr="Distribution le mercredi.", phones=content["phones"])

    revision = proposal_take_up(proposal=proposal, user=curator)

    record.refresh_from_db()
    assert record.description_fr == "Distribution le mardi."  # still the live version
    assert record.workflow_in_progress
    assert revision.content["description_fr"] == "Distribution le mercredi."
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.IN_REVIEW

    with django_capture_on_commit_callbacks(execute=True):
        approve_through_the_workflow(client_for, curator, editor, record)

    record.refresh_from_db()
    assert record.description_fr == "Distribution le mercredi."
    assert record.phones.get().number == "+14505550199"
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.APPROVED
    verification = Verification.objects.get(organisation=record)
    assert verification.method == Verification.Method.PROPOSAL_APPROVED
    assert record.last_verified_at == verification.verified_at
    assert record.verified_by == "Marc Tremblay"
    thanks = [m for m in mail.outbox if m.to == ["marc@banque.example.org"]]
    assert len(thanks) == 1
    assert "publiés" in thanks[0].subject  # in the organisation’s language


def test_a_change_made_since_on_the_same_field_makes_the_curator_choose(record, curator):
    proposal = propose(
        record, description_fr="Distribution le mercredi.", name="Banque de Longueuil"
    )
    draft = record.get_latest_revision_as_object()
    draft.description_fr = "Distribution le mardi et le jeudi."
    draft.save_revision(user=curator)

    with pytest.raises(ProposalConflict) as conflict:
        proposal_take_up(proposal=proposal, user=curator)
    assert [c.key for c in conflict.value.changes] == ["description_fr"]
    assert not Organisation.objects.get(pk=record.pk).workflow_in_progress

    revision = proposal_take_up(
        proposal=proposal, user=curator, choices={"description_fr": "current"}
    )
    assert revision.content["description_fr"] == "Distribution le mardi et le jeudi."
    assert revision.content["name"] == "Banque de Longueuil"  # no conflict: applied


def test_one_review_per_organisation_at_a_time(record, curator):
    first = propose(record, description_fr="Distribution le mercredi.")
    proposal_take_up(proposal=first, user=curator)
    second = proposal_submit(
        organisation=record,
        content={**current_content(record), "description_fr": "Distribution le jeudi."},
        submitter_name="Julie",
        submitter_email="julie@banque.example.org",
    )

    with pytest.raises(ProposalError):
        proposal_take_up(proposal=second, user=curator)
    second.refresh_from_db()
    assert second.status == Proposal.Status.SUBMITTED


def test_a_proposal_turned_down_tells_the_organisation_why(
    record, curator, django_capture_on_commit_callbacks
):
    proposal = propose(record, description_fr="Tout est gratuit pour tout le monde !")

    with django_capture_on_commit_callbacks(execute=True):
        proposal_reject(proposal=proposal, user=curator, message="Merci d'appeler le 211.")

    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.REJECTED
    assert "Merci d'appeler le 211." in mail.outbox[-1].body
    record.refresh_from_db()
    assert record.description_fr == "Distribution le mardi."
    with pytest.raises(ProposalError):
        proposal_take_up(proposal=proposal, user=curator)


def test_a_proposal_cannot_change_the_review_dates_or_the_status(record):
    proposal = propose(record, status="closed", last_verified_at="2020-01-01T00:00:00Z")

    assert "status" not in proposal.content
    assert "last_verified_at" not in proposal.content
    assert proposal_changes(proposal) == []


# --- In the admin ---------------------------------------------------------------------------------


def test_the_queue_groups_proposals_by_organisation(record, client_for, curator):
    propose(record, description_fr="Distribution le mercredi.")
    other = OrganisationFactory(name="Popote de Verdun")
    propose(other, description_fr="Repas le lundi.")

    page = client_for(curator).get(reverse("review_proposals")).content.decode()

    assert page.index("Popote de Verdun") < page.index("Banque alimentaire de Longueuil")


def test_the_curator_sees_the_change_and_takes_it_up(record, client_for, curator):
    proposal = propose(record, description_fr="Distribution le mercredi.")
    client = client_for(curator)

    page = client.get(reverse("review_proposal", args=[proposal.pk])).content.decode()
    assert "mercredi" in page and "mardi" in page  # Wagtail's diff: before and after
    assert "Nous livrons aussi à Saint-Hubert." in page

    response = client.post(reverse("review_proposal", args=[proposal.pk]), {"action": "take_up"})

    assert response.status_code == 302
    assert Organisation.objects.get(pk=record.pk).workflow_in_progress


def test_a_conflict_is_shown_and_needs_a_choice(record, client_for, curator):
    proposal = propose(record, description_fr="Distribution le mercredi.")
    draft = record.get_latest_revision_as_object()
    draft.description_fr = "Distribution le jeudi."
    draft.save_revision(user=curator)
    client = client_for(curator)
    url = reverse("review_proposal", args=[proposal.pk])

    page = client.post(url, {"action": "take_up"}).content.decode()
    assert 'name="choice-description_fr"' in page
    assert not Organisation.objects.get(pk=record.pk).workflow_in_progress

    response = client.post(url, {"action": "take_up", "choice-description_fr": "proposed"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.revision.content["description_fr"] == "Distribution le mercredi."


# --- No lost update when a proposal is taken up (issue 17) -----------------------------------------


def test_a_draft_saved_since_the_answer_is_kept_when_the_proposal_is_taken_up(record, curator):
    """The proposal is laid over the latest draft, not over what the organisation saw: the
    curator's draft on another field stays in the revision sent to the editors."""
    proposal = propose(record, description_fr="Distribution le mercredi.")
    draft = record.get_latest_revision_as_object()
    draft.alternate_name = "BAL"
    draft.save_revision(user=curator)

    revision = proposal_take_up(proposal=proposal, user=curator)

    assert revision.content["alternate_name"] == "BAL"
    assert revision.content["description_fr"] == "Distribution le mercredi."


def test_choices_made_before_another_save_are_asked_again(record, client_for, curator, editor):
    """Nadia is shown the conflict on the description and chooses the organisation's version;
    meanwhile Sophie saves the description again. Nadia's choice was made against a value that
    is no longer the current one: she is asked again, shown Sophie's, and nothing is written."""
    proposal = propose(record, description_fr="Distribution le mercredi.")
    draft = record.get_latest_revision_as_object()
    draft.description_fr = "Distribution le jeudi."
    draft.save_revision(user=curator)
    client = client_for(curator)
    url = reverse("review_proposal", args=[proposal.pk])
    page = client.get(url).content.decode()
    seen = re.search(r'name="seen_revision" value="(\d+)"', page).group(1)
    sophies = Organisation.objects.get(pk=record.pk).get_latest_revision_as_object()
    sophies.description_fr = "Distribution le vendredi."
    sophies.save_revision(user=editor)

    page = client.post(
        url,
        {"action": "take_up", "choice-description_fr": "proposed", "seen_revision": seen},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()

    assert "saved again while you were choosing" in html.unescape(page)
    assert "vendredi" in page  # the value as it is now, to choose against
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED
    assert not Organisation.objects.get(pk=record.pk).workflow_in_progress
    current = Organisation.objects.get(pk=record.pk).get_latest_revision_as_object()
    assert current.description_fr == "Distribution le vendredi."

    seen = re.search(r'name="seen_revision" value="(\d+)"', page).group(1)
    response = client.post(
        url, {"action": "take_up", "choice-description_fr": "current", "seen_revision": seen}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.revision.content["description_fr"] == "Distribution le vendredi."


def test_a_save_since_on_other_fields_needs_no_new_choice(record, curator, editor):
    proposal = propose(record, description_fr="Distribution le mercredi.")
    seen = Organisation.objects.get(pk=record.pk).latest_revision_id
    draft = record.get_latest_revision_as_object()
    draft.alternate_name = "BAL"
    draft.save_revision(user=editor)

    revision = proposal_take_up(proposal=proposal, user=curator, seen_revision_id=seen)

    assert (revision.content["alternate_name"], revision.content["description_fr"]) == (
        "BAL",
        "Distribution le mercredi.",
    )


def test_turning_down_needs_a_message(record, client_for, curator):
    proposal = propose(record, description_fr="Distribution le mercredi.")
    url = reverse("review_proposal", args=[proposal.pk])
    client = client_for(curator)

    client.post(url, {"action": "reject", "message": ""})
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED

    client.post(url, {"action": "reject", "message": "Merci d'appeler le 211."})
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.REJECTED


def test_what_an_organisation_sends_is_shown_escaped(record, client_for, curator):
    proposal = propose(record, description_fr="<script>alert(1)</script>")
    proposal.note = "<img src=x onerror=alert(2)>"
    proposal.save()

    page = client_for(curator).get(reverse("review_proposal", args=[proposal.pk])).content.decode()

    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page


def test_an_account_without_a_role_cannot_see_or_take_up_proposals(record, client_for, outsider):
    proposal = propose(record, description_fr="Distribution le mercredi.")
    client = client_for(outsider)

    client.post(reverse("review_proposal", args=[proposal.pk]), {"action": "take_up"})

    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED
    assert client.get(reverse("review_proposals")).status_code in (302, 403)

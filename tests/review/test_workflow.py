"""The editorial path: nothing reaches the public directory without an editor's approval."""

import pytest
from django.urls import reverse
from wagtail.models import TaskState, WorkflowState

from organisations.factories import (
    LocationFactory,
    OrganisationFactory,
    PhoneFactory,
    ServiceFactory,
    UserFactory,
    category,
    territory,
)
from organisations.models import Organisation
from review.services import CURATORS
from tests.helpers import organisation_form_data

pytestmark = pytest.mark.django_db

EDIT = "wagtailsnippets_organisations_organisation:edit"
ACTION = "wagtailsnippets_organisations_organisation:workflow_action"


@pytest.fixture
def live_record():
    organisation = OrganisationFactory(
        name="Popote roulante de Duvernay",
        slug="popote-roulante-duvernay",
        description_fr="Repas livrés le mardi.",
    )
    ServiceFactory(
        organisation=organisation,
        categories=[category("popote-roulante")],
        service_areas=[territory("duvernay")],
    )
    LocationFactory(
        organisation=organisation, municipality=territory("duvernay"), postal_code="H7E 1A1"
    )
    PhoneFactory(organisation=organisation)
    return organisation


def public_page(client, organisation):
    return client.get(f"/fr/organismes/{organisation.slug}/")


def current_task_state(organisation) -> TaskState:
    state = WorkflowState.objects.for_instance(organisation).get(
        status=WorkflowState.STATUS_IN_PROGRESS
    )
    return state.current_task_state


def act(client, organisation, action, comment=""):
    task_state = current_task_state(organisation)
    url = reverse(ACTION, args=[organisation.pk, action, task_state.pk])
    return client.post(url, {"comment": comment})


def test_a_curators_change_goes_live_only_after_the_editor_approves(
    client, curator, editor, live_record
):
    client.force_login(curator)
    response = client.post(
        reverse(EDIT, args=[live_record.pk]),
        organisation_form_data(
            live_record, action="action-submit", description_fr="Repas livrés le mercredi."
        ),
    )
    assert response.status_code == 302, (
        response.context["form"].errors if response.context else response
    )

    live_record.refresh_from_db()
    assert live_record.description_fr == "Repas livrés le mardi."  # the live row is untouched
    assert live_record.has_unpublished_changes
    # A curator's own submission passes the curators' step at once: it waits for an editor.
    assert current_task_state(live_record).task.name.startswith("Approbation")
    client.logout()
    assert "mardi" in public_page(client, live_record).content.decode()

    client.force_login(editor)
    assert act(client, live_record, "approve").status_code == 302
    client.logout()

    live_record.refresh_from_db()
    assert live_record.description_fr == "Repas livrés le mercredi."
    assert not live_record.has_unpublished_changes
    assert not WorkflowState.objects.for_instance(live_record).filter(status="in_progress").exists()
    page = public_page(client, live_record).content.decode()
    assert "mercredi" in page and "mardi" not in page
    # Children survive the round trip through the revision.
    assert live_record.services.get().categories.get().code == "popote-roulante"


def test_a_curator_cannot_approve_the_publication_step(client, curator, live_record):
    client.force_login(curator)
    client.post(
        reverse(EDIT, args=[live_record.pk]),
        organisation_form_data(live_record, action="action-submit", description_fr="Autre texte"),
    )
    act(client, live_record, "approve")  # refused: only editors hold the publication task
    assert current_task_state(live_record).task.name.startswith("Approbation")
    live_record.refresh_from_db()
    assert live_record.description_fr == "Repas livrés le mardi."


def test_a_curator_cannot_publish_directly(client, curator, live_record):
    client.force_login(curator)
    response = client.post(
        reverse(EDIT, args=[live_record.pk]),
        organisation_form_data(
            live_record, action="action-publish", description_fr="Publié sans relecture"
        ),
    )
    live_record.refresh_from_db()
    assert live_record.description_fr == "Repas livrés le mardi."
    assert response.status_code in (302, 403)


def test_the_editor_rejects_with_a_comment_and_the_record_goes_back(
    client, curator, editor, live_record
):
    client.force_login(curator)
    client.post(
        reverse(EDIT, args=[live_record.pk]),
        organisation_form_data(live_record, action="action-submit", description_fr="Texte douteux"),
    )
    client.force_login(editor)
    assert (
        act(client, live_record, "reject", "Source à confirmer avec l'organisme.").status_code
        == 302
    )

    live_record.refresh_from_db()
    assert live_record.description_fr == "Repas livrés le mardi."
    state = WorkflowState.objects.for_instance(live_record).get()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    rejected = state.task_states.get(status=TaskState.STATUS_REJECTED)
    assert rejected.comment == "Source à confirmer avec l'organisme."
    assert "Texte douteux" not in public_page(client, live_record).content.decode()


def test_a_new_organisation_is_not_public_until_approved(client, curator, editor):
    draft = Organisation(name="Maison des jeunes de Vimont", slug="maison-jeunes-vimont")
    client.force_login(curator)
    response = client.post(
        reverse("wagtailsnippets_organisations_organisation:add"),
        organisation_form_data(draft, action="action-submit"),
    )
    assert response.status_code == 302
    created = Organisation.objects.get(slug="maison-jeunes-vimont")
    assert not created.live
    client.logout()
    assert public_page(client, created).status_code == 404

    client.force_login(editor)
    act(client, created, "approve")
    client.logout()
    created.refresh_from_db()
    assert created.live
    assert public_page(client, created).status_code == 200


def test_while_editors_review_no_curator_can_slip_a_change_in(client, curator, editor, live_record):
    """Wagtail publishes the latest revision when a workflow ends: a curator's save during the
    editors' step would go live unreviewed, so the record is locked to them until it is decided."""
    client.force_login(curator)
    client.post(
        reverse(EDIT, args=[live_record.pk]),
        organisation_form_data(live_record, action="action-submit", description_fr="Version relue"),
    )

    client.post(
        reverse(EDIT, args=[live_record.pk]),
        organisation_form_data(live_record, description_fr="Ajout non relu"),
    )
    client.force_login(editor)
    act(client, live_record, "approve")

    live_record.refresh_from_db()
    assert live_record.description_fr == "Version relue"


def test_a_submission_by_no_one_waits_for_a_curator(curator, editor, live_record):
    """The curators' step is kept for what no curator has looked at (a script, the demo)."""
    live_record.description_fr = "Texte venu d'un script."
    live_record.save_revision(user=None)
    live_record.get_workflow().start(live_record, user=None)
    assert current_task_state(live_record).task.name.startswith("Vérification")


def test_the_curators_step_passes_at_once_and_says_so_in_the_history(curator, live_record):
    from wagtail.log_actions import registry

    live_record.description_fr = "Texte de la responsable."
    live_record.save_revision(user=curator)
    live_record.get_workflow().start(live_record, user=curator)

    state = WorkflowState.objects.for_instance(live_record).get()
    first = state.task_states.order_by("pk").first()
    assert first.status == TaskState.STATUS_APPROVED
    assert first.finished_by == curator
    assert "responsable des données" in first.comment or "curator" in first.comment
    actions = list(registry.get_logs_for_instance(live_record).values_list("action", flat=True))
    assert "wagtail.workflow.approve" in actions


def test_a_curators_submission_emails_the_editors_not_the_curators(
    mailoutbox, curator, editor, live_record
):
    other_curator = UserFactory(username="julie", groups=[CURATORS])
    live_record.description_fr = "Texte de la responsable."
    live_record.save_revision(user=curator)
    live_record.get_workflow().start(live_record, user=curator)
    recipients = {address for message in mailoutbox for address in message.to}
    assert editor.email in recipients
    assert other_curator.email not in recipients

"""Who may do what: curators keep records, editors publish, administrators run the system."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from organisations.factories import OrganisationFactory, category, territory
from organisations.models import Organisation
from organisations.services import organisation_archive, organisation_unarchive
from review.services import roles_and_workflow_ensure

pytestmark = pytest.mark.django_db

ORG = "wagtailsnippets_organisations_organisation"

# persona -> (list, add, edit, delete, edit a territory, edit a category)
MATRIX = {
    "curator": (True, True, True, False, False, False),
    "editor": (True, True, True, False, False, True),
    "administrator": (True, True, True, True, True, True),
    "outsider": (False, False, False, False, False, False),
}


def allowed(response) -> bool:
    # Wagtail answers a refusal with a redirect to the dashboard (or login) or a 403.
    return response.status_code == 200


@pytest.mark.parametrize("persona", list(MATRIX))
def test_the_permission_matrix(request, client, persona):
    user = request.getfixturevalue(persona)
    organisation = OrganisationFactory()
    client.force_login(user)
    expected = MATRIX[persona]
    actual = (
        allowed(client.get(reverse(f"{ORG}:list"))),
        allowed(client.get(reverse(f"{ORG}:add"))),
        allowed(client.get(reverse(f"{ORG}:edit", args=[organisation.pk]))),
        allowed(client.get(reverse(f"{ORG}:delete", args=[organisation.pk]))),
        allowed(
            client.get(
                reverse(
                    "wagtailsnippets_organisations_territory:edit", args=[territory("laval").pk]
                )
            )
        ),
        allowed(
            client.get(
                reverse("wagtailsnippets_organisations_category:edit", args=[category("aines").pk])
            )
        ),
    )
    assert actual == expected


def test_the_admin_is_closed_to_anonymous_visitors(client):
    response = client.get(reverse(f"{ORG}:list"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_publishing_rights_follow_the_roles(curator, editor, administrator):
    assert not curator.has_perm("organisations.publish_organisation")
    assert editor.has_perm("organisations.publish_organisation")
    assert not editor.has_perm("organisations.delete_organisation")
    assert administrator.has_perm("organisations.delete_organisation")


def test_editors_archive_and_reopen_but_curators_cannot(curator, editor):
    organisation = OrganisationFactory()
    with pytest.raises(PermissionDenied):
        organisation_archive(organisation=organisation, user=curator)
    organisation_archive(organisation=organisation, user=editor)
    assert Organisation.objects.get(pk=organisation.pk).status == Organisation.Status.CLOSED
    assert not Organisation.objects.public().filter(pk=organisation.pk).exists()
    organisation_unarchive(organisation=organisation, user=editor)
    assert Organisation.objects.get(pk=organisation.pk).status == Organisation.Status.ACTIVE


def test_setting_up_roles_again_changes_nothing_and_keeps_extra_grants():
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupApprovalTask, Workflow

    curators = Group.objects.get(name="Curators")
    extra = Permission.objects.get(codename="view_user")
    curators.permissions.add(extra)
    before = set(curators.permissions.values_list("pk", flat=True))

    roles_and_workflow_ensure()

    assert set(curators.permissions.values_list("pk", flat=True)) == before
    assert Workflow.objects.filter(name="Révision et publication").count() == 1
    workflow = Workflow.objects.get(name="Révision et publication")
    tasks = [t.specific for t in workflow.tasks]
    assert [list(t.groups.values_list("name", flat=True)) for t in tasks] == [
        ["Curators"],
        ["Editors"],
    ]
    assert GroupApprovalTask.objects.count() >= 2

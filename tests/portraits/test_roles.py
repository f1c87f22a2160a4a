"""Agents record requests and read the directory; they edit no record. Nobody else records a
request unless given the role."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from organisations.factories import OrganisationFactory
from organisations.models import Organisation
from portraits.services import AGENTS, agents_role_ensure

pytestmark = pytest.mark.django_db

ORG = "wagtailsnippets_organisations_organisation"
RECORD = reverse("portraits_record")


def test_an_agent_reads_the_directory_but_cannot_edit_a_record(client, agent):
    organisation = OrganisationFactory(name="Banque alimentaire du Nord")
    client.force_login(agent)

    assert client.get(reverse(f"{ORG}:list")).status_code == 200
    assert client.get(reverse(f"{ORG}:edit", args=[organisation.pk])).status_code != 200
    assert client.get(reverse(f"{ORG}:add")).status_code != 200
    client.post(reverse(f"{ORG}:edit", args=[organisation.pk]), {"name": "Changé"})
    organisation.refresh_from_db()
    assert organisation.name == "Banque alimentaire du Nord"
    assert not agent.has_perm("organisations.change_organisation")
    assert not agent.has_perm("organisations.publish_organisation")
    assert Organisation.objects.filter(name="Changé").count() == 0


def test_an_agent_records_requests(client, agent):
    client.force_login(agent)
    assert client.get(RECORD).status_code == 200
    assert client.get(reverse("portraits_mine")).status_code == 200


def test_a_curator_cannot_record_a_request_unless_given_the_role(client, curator):
    client.force_login(curator)
    assert client.get(RECORD).status_code != 200
    assert client.get(reverse("portraits_lookup"), {"need": "alim"}).status_code != 200

    curator.groups.add(Group.objects.get(name=AGENTS))
    curator = type(curator).objects.get(pk=curator.pk)  # permissions are cached per object
    client.force_login(curator)
    assert client.get(RECORD).status_code == 200


@pytest.mark.parametrize("persona", ["editor", "outsider"])
def test_other_roles_do_not_record_requests(request, client, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(RECORD).status_code != 200


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(RECORD)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_requests_menu_is_shown_to_agents_only(client, agent, curator):
    client.force_login(agent)
    assert RECORD in client.get(reverse("wagtailadmin_home")).text
    client.force_login(curator)
    assert RECORD not in client.get(reverse("wagtailadmin_home")).text


def test_the_role_is_repaired_by_migrate_and_keeps_an_administrators_grants():
    group = Group.objects.get(name=AGENTS)
    extra = group.permissions.model.objects.get(codename="view_suggestion")
    group.permissions.add(extra)
    group.permissions.remove(group.permissions.get(codename="add_request"))

    agents_role_ensure()

    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"add_request", "view_request", "change_request", "view_organisation"} <= codenames
    assert "view_suggestion" in codenames
    assert not codenames & {"change_organisation", "add_organisation", "delete_organisation"}

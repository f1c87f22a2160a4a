"""The audit log (django-reversion): who wrote what, from where, and undoing a deletion."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from reversion.models import Revision, Version

from organisations.factories import (
    LocationFactory,
    OpeningHoursFactory,
    OrganisationFactory,
    PhoneFactory,
    ServiceFactory,
    category,
    territory,
)
from organisations.models import Organisation, Service
from organisations.services import (
    RecoveryError,
    deleted_organisations,
    organisation_delete,
    organisation_recover,
)
from tests.helpers import organisation_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_record():
    organisation = OrganisationFactory(name="Maison d'hébergement L'Escale", slug="escale")
    ServiceFactory(
        organisation=organisation,
        categories=[category("violence-conjugale"), category("hebergement-urgence")],
        service_areas=[territory("secteur-couronne-sud")],
    )
    location = LocationFactory(organisation=organisation, address_is_confidential=True)
    OpeningHoursFactory(location=location, weekday=1)
    OpeningHoursFactory(location=location, weekday=2)
    PhoneFactory(organisation=organisation, number="+14505550199")
    return organisation


def snapshot(organisation):
    org = Organisation.objects.get(pk=organisation.pk)
    service = org.services.get()
    location = org.locations.get()
    return {
        "org": (org.uuid, org.name, org.slug, org.description_fr, org.live),
        "service": (
            service.uuid,
            service.name_fr,
            sorted(c.code for c in service.categories.all()),
        ),
        "areas": sorted(t.slug for t in service.service_areas.all()),
        "location": (location.uuid, location.street_address, location.address_is_confidential),
        "hours": sorted((h.weekday, str(h.opens)) for h in location.hours.all()),
        "phones": [p.number for p in org.phones.all()],
    }


def test_an_admin_edit_is_recorded_with_its_user_and_source(client, editor, full_record):
    client.force_login(editor)
    response = client.post(
        reverse("wagtailsnippets_organisations_organisation:edit", args=[full_record.pk]),
        organisation_form_data(
            full_record, action="action-publish", description_fr="Nouveau texte"
        ),
    )
    assert response.status_code == 302
    revision = Revision.objects.latest("date_created")
    assert revision.user == editor
    assert revision.audit_source.source == "request"
    assert revision.audit_source.reference.startswith("POST /admin/snippets/organisations/")
    models = {v.content_type.model for v in revision.version_set.all()}
    # Publishing through Wagtail records the whole record, join rows included, without tripping
    # over the in-memory many-to-many value.
    assert {"organisation", "service", "location", "service_categories"} <= models


def test_an_administrator_deletes_in_the_admin_and_recovers_the_exact_record(
    client, administrator, full_record
):
    before = snapshot(full_record)
    client.force_login(administrator)
    response = client.post(
        reverse("wagtailsnippets_organisations_organisation:delete", args=[full_record.pk])
    )
    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=full_record.pk).exists()
    assert not Service.objects.exists()

    version = deleted_organisations().get()
    call_command("recover_organisation", str(version.pk), "--user", administrator.username)

    assert snapshot(full_record) == before
    recovered = Organisation.objects.get(pk=full_record.pk)
    assert recovered.live_revision is not None  # Wagtail has a revision to work from again
    assert client.get("/fr/organismes/escale/").status_code == 200


def test_recovery_refuses_when_the_address_is_taken(administrator, full_record):
    organisation_delete(organisation=full_record, user=administrator)
    OrganisationFactory(slug="escale")
    with pytest.raises(RecoveryError, match="escale"):
        organisation_recover(version_id=deleted_organisations().get().pk, user=administrator)


def test_only_administrators_delete_or_recover(curator, editor, full_record):
    for user in (curator, editor):
        with pytest.raises(PermissionDenied):
            organisation_delete(organisation=full_record, user=user)
    assert Organisation.objects.filter(pk=full_record.pk).exists()


def test_the_curator_cannot_reach_the_delete_view(client, curator, full_record):
    client.force_login(curator)
    response = client.post(
        reverse("wagtailsnippets_organisations_organisation:delete", args=[full_record.pk])
    )
    assert response.status_code in (302, 403)
    assert Organisation.objects.filter(pk=full_record.pk).exists()


def test_the_recover_command_lists_what_can_be_recovered(administrator, full_record, capsys):
    organisation_delete(organisation=full_record, user=administrator)
    call_command("recover_organisation", "--list")
    assert "Maison d'hébergement L'Escale" in capsys.readouterr().out
    assert Version.objects.get_deleted(Organisation).count() == 1


def test_an_administrator_recovers_from_the_admin_page(client, administrator, full_record):
    pk = full_record.pk
    organisation_delete(organisation=full_record, user=administrator)
    client.force_login(administrator)
    listing = client.get(reverse("organisations_deleted"))
    assert "Maison d&#x27;hébergement L&#x27;Escale" in listing.content.decode()
    version = deleted_organisations().get()
    response = client.post(reverse("organisations_recover", args=[version.pk]))
    assert response.status_code == 302
    assert Organisation.objects.get(pk=pk).services.get().categories.count() == 2
    # Recovering twice explains itself instead of failing.
    again = client.post(reverse("organisations_recover", args=[version.pk]), follow=True)
    assert again.status_code == 200
    assert [m.level_tag for m in again.context["messages"]][-1] == "error"
    assert Organisation.objects.filter(pk=pk).count() == 1


def test_editors_cannot_see_or_use_the_recovery_page(client, editor, administrator, full_record):
    pk = full_record.pk
    organisation_delete(organisation=full_record, user=administrator)
    client.force_login(editor)
    assert client.get(reverse("organisations_deleted")).status_code in (302, 403)
    version = deleted_organisations().get()
    client.post(reverse("organisations_recover", args=[version.pk]))
    assert not Organisation.objects.filter(pk=pk).exists()


def test_an_editor_archives_from_the_admin_and_the_public_page_disappears(
    client, editor, full_record
):
    client.force_login(editor)
    url = reverse("organisations_archive", args=[full_record.pk])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    full_record.refresh_from_db()
    assert full_record.status == Organisation.Status.CLOSED
    client.logout()
    assert client.get("/fr/organismes/escale/").status_code == 404


def test_a_curator_cannot_archive(client, curator, full_record):
    client.force_login(curator)
    response = client.post(reverse("organisations_archive", args=[full_record.pk]))
    assert response.status_code in (302, 403)
    full_record.refresh_from_db()
    assert full_record.status == Organisation.Status.ACTIVE

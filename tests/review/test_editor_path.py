"""The editor's path below the browser: every live record has a live revision to compare with,
the comparison says what changed in words and hides what nobody edits, and the workflow's
messages say what happened (issue 15)."""

from datetime import time

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from wagtail.models import Revision, WorkflowState

from organisations.demo import demo_seed
from organisations.factories import (
    LocationFactory,
    OpeningHoursFactory,
    OrganisationFactory,
    PhoneFactory,
    territory,
)
from organisations.models import OpeningHours, Organisation, Phone
from organisations.revisions import live_revisions_ensure
from organisations.wagtail_hooks import OrganisationViewSet
from tests.helpers import organisation_form_data

pytestmark = pytest.mark.django_db

EDIT = "wagtailsnippets_organisations_organisation:edit"


def live_without_revision() -> list[int]:
    return list(
        Organisation.objects.filter(live=True, live_revision__isnull=True).values_list(
            "pk", flat=True
        )
    )


@pytest.fixture
def record():
    organisation = OrganisationFactory(name="Comptoir du Vieux-Longueuil", slug="comptoir-vl")
    location = LocationFactory(organisation=organisation, name="Comptoir")
    OpeningHoursFactory(
        location=location, weekday=OpeningHours.Weekday.FRIDAY, opens=time(9, 30), closes=time(12)
    )
    PhoneFactory(organisation=organisation, number="+14505550154")
    live_revisions_ensure()
    return Organisation.objects.get(pk=organisation.pk)


def comparison(organisation, before, after):
    """What the history, the workflow and the proposal review show: the differing rows."""
    panel = OrganisationViewSet.edit_handler.bind_to_model(Organisation).get_bound_panel(
        instance=organisation, request=RequestFactory().get("/"), form=None
    )
    found = [c(before, after) for c in panel.get_comparison()]
    return [c for c in found if c.has_changed()]


def rendered(comparisons) -> str:
    """Every label and change as the templates render them, as one text."""
    parts = []
    for comp in comparisons:
        parts.append(str(comp.field_label()))
        if comp.is_field:
            parts.append(str(comp.htmldiff()))
        else:
            for child in comp.get_child_comparisons():
                for field in child.get_field_comparisons():
                    parts.append(f"{field.field_label()}: {field.htmldiff()}")
    return strip_tags("\n".join(parts)).replace("\u00a0", " ")


def draft_of(organisation):
    return organisation.live_revision.as_object()


# --- Every live record has a live revision --------------------------------------------------------


def test_seed_demo_gives_every_record_its_live_revision():
    counts = demo_seed(organisations=12, seed=7, drafts=2, index=False)
    assert counts["revisions"] == 12
    assert live_without_revision() == []
    # A demo draft comes after its live revision, so "compare with previous" shows its change.
    drafted = Organisation.objects.filter(has_unpublished_changes=True).first()
    assert drafted.latest_revision.created_at > drafted.live_revision.created_at
    assert drafted.latest_revision.get_previous() == drafted.live_revision


def test_the_start_up_path_gives_old_live_records_a_revision_holding_their_live_content():
    organisation = OrganisationFactory(description_fr="Texte publié.")
    PhoneFactory(organisation=organisation)
    assert live_without_revision() == [organisation.pk]

    assert live_revisions_ensure() == 1
    assert live_without_revision() == []
    organisation.refresh_from_db()
    content = organisation.live_revision.content
    assert content["description_fr"] == "Texte publié."
    assert content["phones"][0]["number"] == "+14505551234"
    assert organisation.latest_revision_id == organisation.live_revision_id
    assert live_revisions_ensure() == 0  # idempotent


def test_a_record_created_by_a_factory_and_published_has_its_live_revision(editor):
    organisation = OrganisationFactory()
    organisation.save_revision(user=editor).publish(user=editor)
    assert live_without_revision() == []


@pytest.mark.parametrize("publish_directly", [False, True])
def test_a_new_record_from_an_import_has_its_live_revision_once_live(
    administrator, curator, editor, publish_directly
):
    import io

    from imports import services
    from tests.imports.sheets import MUNICIPAL_HEADERS, municipal_profile, xlsx

    data = xlsx(
        [
            MUNICIPAL_HEADERS,
            ["L-9", "Halte-répit Fabreville", "4 rue Neuve", "Laval", "H7P 1A1",
             "(450) 555-0303", "repit@halte.example", None, None],
        ]
    )  # fmt: skip
    batch = services.batch_create(
        file=io.BytesIO(data),
        filename="laval.xlsx",
        profile=municipal_profile(),
        user=administrator,
        publish_directly=publish_directly,
    )
    services.batch_apply(batch=services.batch_check(batch=batch), user=administrator)
    created = Organisation.objects.get(name="Halte-répit Fabreville")
    if not publish_directly:  # in review (an administrator is not a curator: both steps)
        assert not created.live
        state = WorkflowState.objects.for_instance(created).get(status="in_progress")
        state.current_task_state.approve(user=curator)
        state.refresh_from_db()
        state.current_task_state.approve(user=editor)
        created.refresh_from_db()
    assert created.live
    assert live_without_revision() == []


# --- The comparison, in words ---------------------------------------------------------------------


def test_a_day_moved_reads_in_words_and_internal_fields_stay_out(record):
    translation.activate("fr")
    draft = draft_of(record)
    location = draft.locations.all()[0]
    hours = list(location.hours.all())
    hours[0].weekday = OpeningHours.Weekday.SATURDAY
    location.hours = hours
    location.latitude, location.longitude = 45.6, -73.4  # geocoding moved the point
    location.geocode_source = "demo"
    draft.locations = [location]

    text = rendered(comparison(record, Organisation.objects.get(pk=record.pk), draft))
    assert "vendredi 9 h 30 – 12 h" in text and "samedi 9 h 30 – 12 h" in text
    assert "→" in text
    for internal in ("Latitude", "Longitude", "géocodage", "demo", "Adresse confidentielle"):
        assert internal not in text
    assert "Comptoir" in text  # the row is named


@pytest.mark.parametrize("kind", ["added", "removed", "changed"])
def test_each_kind_of_change_to_a_phone_is_said(record, kind):
    translation.activate("fr")
    draft = draft_of(record)
    phones = list(draft.phones.all())
    if kind == "added":
        phones.append(Phone(number="+15145550199", extension="12"))
        expected = ["Ajouté", "(514) 555-0199 poste 12"]
    elif kind == "removed":
        phones = []
        expected = ["Retiré", "(450) 555-0154"]
    else:
        phones[0].extension = "204"
        expected = ["Modifié", "(450) 555-0154 poste 204"]
    draft.phones = phones

    text = rendered(comparison(record, Organisation.objects.get(pk=record.pk), draft))
    for words in expected:
        assert words in text
    assert "+1450" not in text


@pytest.mark.parametrize("kind", ["added", "removed"])
def test_opening_hours_added_or_removed_are_said(record, kind):
    translation.activate("fr")
    draft = draft_of(record)
    location = draft.locations.all()[0]
    hours = list(location.hours.all())
    if kind == "added":
        hours.append(OpeningHours(weekday=OpeningHours.Weekday.SATURDAY, opens=time(13)))
        expected = "Ajouté : samedi 13 h"
    else:
        hours = []
        expected = "Retiré : vendredi 9 h 30 – 12 h"
    location.hours = hours
    draft.locations = [location]
    text = rendered(comparison(record, Organisation.objects.get(pk=record.pk), draft))
    assert expected in text


def test_a_confidential_address_shows_only_when_it_changes_and_in_words(record):
    translation.activate("fr")
    unchanged = draft_of(record)
    unchanged.description_fr = "Autre texte."
    text = rendered(comparison(record, Organisation.objects.get(pk=record.pk), unchanged))
    assert "confidentielle" not in text

    draft = draft_of(record)
    location = draft.locations.all()[0]
    location.address_is_confidential = True
    draft.locations = [location]
    text = rendered(comparison(record, Organisation.objects.get(pk=record.pk), draft))
    assert "Adresse confidentielle" in text
    assert "le public ne voit que la municipalité" in text
    assert "True" not in text


def test_a_place_added_shows_its_filled_fields_and_hours(record):
    translation.activate("fr")
    draft = draft_of(record)
    from organisations.models import Location

    new = Location(
        name="Point de service",
        street_address="5 rue Saint-Charles",
        municipality=territory("longueuil"),
        latitude=45.5,
        longitude=-73.5,
    )
    new.hours = [OpeningHours(weekday=OpeningHours.Weekday.MONDAY, opens=time(8), closes=time(16))]
    draft.locations = [*draft.locations.all(), new]
    text = rendered(comparison(record, Organisation.objects.get(pk=record.pk), draft))
    assert "Ajouté" in text and "Point de service" in text and "lundi 8 h – 16 h" in text
    assert "Latitude" not in text and "Non" not in text  # no empty or false boxes


def test_in_words_leaves_out_hidden_fields_at_every_depth():
    panel = OrganisationViewSet.edit_handler.bind_to_model(Organisation).get_bound_panel(
        instance=Organisation(), request=RequestFactory().get("/"), form=None
    )
    names = set()

    def walk(comparators):
        for comparator in comparators:
            names.add(comparator.args[0].name)
            if len(comparator.args) > 1 and isinstance(comparator.args[1], list):
                walk(comparator.args[1])

    walk(panel.get_comparison())
    for hidden in ("latitude", "longitude", "geocode_source", "coordinates_locked", "extension"):
        assert hidden not in names
    assert "hours" in names and "address_is_confidential" in names


# --- Messages -------------------------------------------------------------------------------------


def test_submitting_says_submitted_for_review(client, curator, record):
    client.force_login(curator)
    response = client.post(
        reverse(EDIT, args=[record.pk]),
        organisation_form_data(record, action="action-submit", description_fr="Nouveau."),
        HTTP_ACCEPT_LANGUAGE="fr",
        follow=True,
    )
    text = response.content.decode()
    assert f"La fiche « {record.name} » est envoyée en révision." in text
    assert "planifié" not in text


def test_approving_and_rejecting_say_what_happened(client, curator, editor, record):
    record.description_fr = "Nouveau."
    record.save_revision(user=curator)
    record.get_workflow().start(record, curator)
    state = WorkflowState.objects.for_instance(record).get(status="in_progress")
    url = reverse(
        "wagtailsnippets_organisations_organisation:workflow_action",
        args=[record.pk, "reject", state.current_task_state.pk],
    )
    client.force_login(editor)
    response = client.post(url, {"comment": "À confirmer."}, HTTP_ACCEPT_LANGUAGE="fr", follow=True)
    assert "est renvoyée à" in response.content.decode()
    assert "avec votre commentaire" in response.content.decode()

    state.refresh_from_db()
    state.resume(curator)
    state.refresh_from_db()
    url = reverse(
        "wagtailsnippets_organisations_organisation:workflow_action",
        args=[record.pk, "approve", state.current_task_state.pk],
    )
    response = client.post(url, {"comment": ""}, HTTP_ACCEPT_LANGUAGE="fr", follow=True)
    assert f"La fiche « {record.name} » est approuvée et publiée." in response.content.decode()
    assert Revision.objects.filter(object_id=str(record.pk)).count() >= 2


def test_the_editors_home_lists_her_queue_with_a_comparison_link_and_no_site_summary(
    client, curator, editor, record
):
    record.description_fr = "Nouveau."
    revision = record.save_revision(user=curator)
    record.get_workflow().start(record, curator)
    client.force_login(editor)
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "En attente de votre approbation" in page
    compare = reverse(
        "wagtailsnippets_organisations_organisation:revisions_compare",
        args=[record.pk, "live", revision.pk],
    )
    assert compare in page
    assert "w-summary" not in page
    assert client.get(compare).status_code == 200

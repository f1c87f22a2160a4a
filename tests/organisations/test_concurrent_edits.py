"""No lost update: two curators on one record (issue 17, item 2).

Curator B saves a new description; curator A, whose form was opened before, saves a change of
the alternate name. A's save is refused with a message naming B and offering Wagtail's comparison
of what A saw with what B saved; B's description stays; A loads the latest version and saves."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import Revision

from organisations.factories import OrganisationFactory, UserFactory
from organisations.models import Organisation
from organisations.revisions import live_revisions_ensure
from review.services import CURATORS
from tests.helpers import organisation_form_data

pytestmark = pytest.mark.django_db

EDIT = "wagtailsnippets_organisations_organisation:edit"
COMPARE = "wagtailsnippets_organisations_organisation:revisions_compare"


@pytest.fixture
def record():
    organisation = OrganisationFactory(
        name="Carrefour familial Hochelaga",
        alternate_name="CFH",
        description_fr="Ancienne description.",
    )
    live_revisions_ensure(organisation_ids=[organisation.pk])
    return Organisation.objects.get(pk=organisation.pk)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def amelie(db):
    return UserFactory(
        username="amelie", first_name="Amélie", last_name="Gagnon", groups=[CURATORS]
    )


@pytest.fixture
def bruno(db):
    return UserFactory(username="bruno", first_name="Bruno", last_name="Roy", groups=[CURATORS])


def open_form(client, organisation, **changes) -> dict:
    """What the browser holds after opening the edit form: the page's base revision and the
    record's values as shown then, with ``changes`` typed in."""
    page = client.get(reverse(EDIT, args=[organisation.pk])).content.decode()
    base = re.search(r'name="base_revision_id" value="(\d*)"', page).group(1)
    loaded = re.search(r'name="loaded_revision_id" value="(\d*)"', page)
    data = organisation_form_data(Organisation.objects.get(pk=organisation.pk), **changes)
    data["base_revision_id"] = base
    if loaded:
        data["loaded_revision_id"] = loaded.group(1)
        data["loaded_revision_created_at"] = re.search(
            r'name="loaded_revision_created_at" value="([^"]*)"', page
        ).group(1)
    return data


def latest(organisation) -> Organisation:
    return Organisation.objects.get(pk=organisation.pk).get_latest_revision_as_object()


def test_the_second_save_over_a_newer_revision_is_refused_and_names_who_saved(
    record, amelie, bruno
):
    a, b = logged_in(amelie), logged_in(bruno)
    a_form = open_form(a, record, alternate_name="Carrefour HM")
    b_form = open_form(b, record, description_fr="Nouvelle description de Bruno.")
    base = int(a_form["base_revision_id"])

    assert b.post(reverse(EDIT, args=[record.pk]), b_form).status_code == 302
    brunos = Organisation.objects.get(pk=record.pk).latest_revision_id
    response = a.post(reverse(EDIT, args=[record.pk]), a_form, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200  # the form again, with what Amélie typed
    page = html.unescape(response.content.decode())
    assert "Bruno Roy saved this record after you opened it" in page
    assert "Your changes are not saved" in page
    assert reverse(COMPARE, args=[record.pk, base, brunos]) in page
    assert "Compare the versions" in page and "Load the latest version" in page
    assert "Description (French)" in page.split("Changed since you opened it:")[1][:600]
    assert 'value="Carrefour HM"' in page  # what she typed is still in the form
    # Nothing lost: Bruno's revision is the latest, and there is no revision of Amélie.
    draft = latest(record)
    assert Organisation.objects.get(pk=record.pk).latest_revision_id == brunos
    assert (draft.description_fr, draft.alternate_name) == ("Nouvelle description de Bruno.", "CFH")
    assert not Revision.objects.filter(user=amelie).exists()


def test_a_refused_form_stays_refused_until_the_latest_version_is_loaded(record, amelie, bruno):
    """The re-shown form keeps the base Amélie saw (Wagtail's own loaded_revision_id would now
    say Bruno's): a second click is refused too; after loading the latest version her save
    goes through over Bruno's, which it keeps."""
    a, b = logged_in(amelie), logged_in(bruno)
    a_form = open_form(a, record, alternate_name="Carrefour HM")
    b.post(
        reverse(EDIT, args=[record.pk]),
        open_form(b, record, description_fr="Nouvelle description de Bruno."),
    )
    refused = a.post(reverse(EDIT, args=[record.pk]), a_form).content.decode()
    base_again = re.search(r'name="base_revision_id" value="(\d*)"', refused).group(1)
    assert base_again == a_form["base_revision_id"]

    assert a.post(reverse(EDIT, args=[record.pk]), {**a_form}).status_code == 200  # again refused
    assert latest(record).alternate_name == "CFH"

    reloaded = open_form(a, record, alternate_name="Carrefour HM")
    assert a.post(reverse(EDIT, args=[record.pk]), reloaded).status_code == 302
    draft = latest(record)
    assert (draft.description_fr, draft.alternate_name) == (
        "Nouvelle description de Bruno.",
        "Carrefour HM",
    )


def test_a_record_without_a_revision_when_opened_is_protected_too(amelie, bruno):
    organisation = OrganisationFactory(name="Sans révision", alternate_name="SR")
    assert organisation.latest_revision_id is None
    a, b = logged_in(amelie), logged_in(bruno)
    a_form = open_form(a, organisation, alternate_name="Autre nom")
    assert a_form["base_revision_id"] == ""
    b.post(
        reverse(EDIT, args=[organisation.pk]),
        open_form(b, organisation, description_fr="Texte de Bruno."),
    )

    response = a.post(reverse(EDIT, args=[organisation.pk]), a_form, HTTP_ACCEPT_LANGUAGE="en")

    assert "Bruno Roy saved this record after you opened it" in html.unescape(
        response.content.decode()
    )
    assert latest(organisation).description_fr == "Texte de Bruno."


def test_the_forms_own_autosaved_revision_is_not_a_conflict(record, amelie):
    """Wagtail's autosave writes a revision of this same form while the person types; the page
    sends its id with the save (edit-base.js): the save after it goes through."""
    a = logged_in(amelie)
    a_form = open_form(a, record, alternate_name="Carrefour HM")
    autosaved = Organisation.objects.get(pk=record.pk)
    autosaved.alternate_name = "Carrefour H"
    revision = autosaved.save_revision(user=amelie)

    response = a.post(
        reverse(EDIT, args=[record.pk]), {**a_form, "autosaved_revision_id": revision.pk}
    )

    assert response.status_code == 302
    assert latest(record).alternate_name == "Carrefour HM"


def test_ones_own_save_from_another_window_is_a_conflict_too(record, amelie):
    a = logged_in(amelie)
    a_form = open_form(a, record, alternate_name="Carrefour HM")
    a.post(
        reverse(EDIT, args=[record.pk]),
        open_form(a, record, description_fr="Écrit dans l’autre fenêtre."),
    )

    response = a.post(reverse(EDIT, args=[record.pk]), a_form, HTTP_ACCEPT_LANGUAGE="en")

    assert "Amélie Gagnon saved this record after you opened it" in html.unescape(
        response.content.decode()
    )
    assert latest(record).description_fr == "Écrit dans l’autre fenêtre."


def test_someone_elses_autosaved_revision_id_does_not_excuse_a_stale_save(record, amelie, bruno):
    a = logged_in(amelie)
    a_form = open_form(a, record, alternate_name="Carrefour HM")
    brunos = Organisation.objects.get(pk=record.pk)
    brunos.description_fr = "Nouvelle description de Bruno."
    revision = brunos.save_revision(user=bruno)

    a.post(reverse(EDIT, args=[record.pk]), {**a_form, "autosaved_revision_id": revision.pk})

    assert latest(record).description_fr == "Nouvelle description de Bruno."


def test_submitting_for_review_over_a_newer_revision_is_refused_too(record, amelie, bruno):
    a, b = logged_in(amelie), logged_in(bruno)
    a_form = open_form(a, record, alternate_name="Carrefour HM")
    a_form["action-submit"] = "1"
    b.post(
        reverse(EDIT, args=[record.pk]),
        open_form(b, record, description_fr="Nouvelle description de Bruno."),
    )

    a.post(reverse(EDIT, args=[record.pk]), a_form)

    organisation = Organisation.objects.get(pk=record.pk)
    assert not organisation.workflow_in_progress
    assert latest(record).description_fr == "Nouvelle description de Bruno."


def test_the_check_is_made_again_under_the_row_lock(record, amelie, bruno, monkeypatch):
    """Two saves at the same moment: both pass the first check (before the form is validated),
    the second one sees the first under the record's lock and is refused."""
    from organisations import edit_views

    a = logged_in(amelie)
    a_form = open_form(a, record, alternate_name="Carrefour HM")
    original = edit_views.OrganisationEditView.is_valid

    def is_valid_then_bruno_saves(self, form):
        valid = original(self, form)
        # Bruno's save lands between her first check and her write.
        brunos = Organisation.objects.get(pk=record.pk)
        brunos.description_fr = "Nouvelle description de Bruno."
        brunos.save_revision(user=bruno)
        return valid

    monkeypatch.setattr(edit_views.OrganisationEditView, "is_valid", is_valid_then_bruno_saves)
    response = a.post(reverse(EDIT, args=[record.pk]), a_form, HTTP_ACCEPT_LANGUAGE="en")

    assert "Bruno Roy saved this record after you opened it" in html.unescape(
        response.content.decode()
    )
    draft = latest(record)
    assert (draft.description_fr, draft.alternate_name) == ("Nouvelle description de Bruno.", "CFH")


def test_the_refusal_is_in_french(record, amelie, bruno):
    a, b = logged_in(amelie), logged_in(bruno)
    a_form = open_form(a, record, alternate_name="Carrefour HM")
    b.post(
        reverse(EDIT, args=[record.pk]),
        open_form(b, record, description_fr="Nouvelle description de Bruno."),
    )

    page = html.unescape(
        a.post(reverse(EDIT, args=[record.pk]), a_form, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    )

    assert "Bruno Roy a enregistré cette fiche après que vous l’avez ouverte" in page
    assert "Comparer les versions" in page


def test_the_autosave_of_a_refused_form_is_refused_too(record, amelie, bruno):
    """Shown again after a refused save, the form carries Wagtail's ``loaded_revision_id`` as
    the latest revision (Bruno's): Wagtail's own check would let its autosave through. The base
    the form carries refuses it, in the answer Wagtail's autosave understands."""
    a, b = logged_in(amelie), logged_in(bruno)
    a_form = open_form(a, record, alternate_name="Carrefour HM")
    b.post(
        reverse(EDIT, args=[record.pk]),
        open_form(b, record, description_fr="Nouvelle description de Bruno."),
    )
    refused = a.post(reverse(EDIT, args=[record.pk]), a_form).content.decode()
    loaded = re.search(r'name="loaded_revision_id" value="(\d*)"', refused).group(1)
    assert int(loaded) == Organisation.objects.get(pk=record.pk).latest_revision_id

    response = a.post(
        reverse(EDIT, args=[record.pk]),
        {**a_form, "loaded_revision_id": loaded},
        HTTP_ACCEPT="application/json",
    )

    assert response.json()["success"] is False
    assert response.json()["error_code"] == "invalid_revision"
    assert latest(record).description_fr == "Nouvelle description de Bruno."


def test_a_later_autosave_of_the_same_form_is_not_a_conflict(record, amelie):
    """An autosave after the first one names the form's own revision (overwrite_revision_id)."""
    a = logged_in(amelie)
    a_form = open_form(a, record, alternate_name="Carrefour H")
    first = a.post(reverse(EDIT, args=[record.pk]), a_form, HTTP_ACCEPT="application/json")
    revision_id = first.json()["revision_id"]

    second = a.post(
        reverse(EDIT, args=[record.pk]),
        {**a_form, "alternate_name": "Carrefour HM", "overwrite_revision_id": revision_id},
        HTTP_ACCEPT="application/json",
    )

    assert second.json()["success"] is True
    assert latest(record).alternate_name == "Carrefour HM"


# --- A merge of duplicates and the edit form ----------------------------------------------------


@pytest.fixture
def duplicates(record):
    from organisations.models import DuplicatePair

    other = OrganisationFactory(
        name="Carrefour familial Hochelaga inc.", website="https://cfh.example.org/"
    )
    pair = DuplicatePair.objects.create(first=record, second=other, score=90)
    return pair, other


def test_a_draft_saved_before_the_merge_is_kept_by_it(record, duplicates, bruno, editor):
    """The merge lays the other record over the kept record's latest content, read under its
    row lock: Bruno's draft, saved after the merge page was shown, stays in the merged draft."""
    from organisations.quality.merge import duplicate_merge

    pair, _other = duplicates
    b = logged_in(bruno)
    b.post(
        reverse(EDIT, args=[record.pk]),
        open_form(b, record, description_fr="Nouvelle description de Bruno."),
    )

    revision = duplicate_merge(pair=pair, keep=record, user=editor)

    assert revision.content["description_fr"] == "Nouvelle description de Bruno."
    assert revision.content["website"] == "https://cfh.example.org/"  # the kept one lacked it


def test_an_edit_form_opened_before_a_merge_cannot_save_over_it(record, duplicates, amelie, editor):
    """Amélie's form was opened before the editor merged the duplicate into the record: her
    save is refused (it would drop what the merge added), naming the editor."""
    from organisations.quality.merge import duplicate_merge

    pair, _other = duplicates
    a = logged_in(amelie)
    a_form = open_form(a, record, alternate_name="Carrefour HM")
    duplicate_merge(pair=pair, keep=record, user=editor)

    response = a.post(reverse(EDIT, args=[record.pk]), a_form, HTTP_ACCEPT_LANGUAGE="en")

    name = f"{editor.first_name} {editor.last_name}"
    assert f"{name} saved this record after you opened it" in html.unescape(
        response.content.decode()
    )
    assert latest(record).website == "https://cfh.example.org/"

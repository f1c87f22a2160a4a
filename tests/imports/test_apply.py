"""Nadia's partner import (SCENARIOS.md): what the dry run announces is what is applied, as
drafts waiting for review; probable matches wait for a person; the whole batch rolls back to
exactly what was there before."""

import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from wagtail.models import Revision, WorkflowState
from wagtail.users.models import UserProfile

from imports import services
from imports.models import BatchRevision, ImportBatch, ImportRow
from imports.services import (
    ImportRefused,
    batch_apply,
    batch_decide,
    batch_rollback,
)
from organisations.factories import (
    LocationFactory,
    OrganisationFactory,
    PhoneFactory,
    ServiceFactory,
    category,
    territory,
)
from organisations.models import (
    Contact,
    Location,
    OpeningHours,
    Organisation,
    OrganisationIdentifier,
    Phone,
    Service,
)

from .sheets import MUNICIPAL_HEADERS, check, municipal_profile, results, xlsx

pytestmark = pytest.mark.django_db
Outcome = ImportRow.Outcome


def database_state() -> dict:
    """Every row a batch could touch, as stored."""
    through = (Service.categories.through, Service.service_areas.through)
    models = (Organisation, Service, *through, Location, OpeningHours, Phone, Contact,
              OrganisationIdentifier)  # fmt: skip
    state = {model.__name__: list(model.objects.order_by("pk").values()) for model in models}
    state["revisions"] = list(Revision.objects.order_by("pk").values())
    state["workflow_states"] = list(WorkflowState.objects.order_by("pk").values())
    return state


@pytest.fixture
def records(editor):
    """What the 211 already has: three live organisations, one known to the partner by its id."""
    unchanged = OrganisationFactory(name="Popote roulante de Laval", email="info@popote.example")
    OrganisationIdentifier.objects.create(
        organisation=unchanged, scheme="ville-test", identifier="L-1"
    )
    LocationFactory(
        organisation=unchanged,
        street_address="1200 boul. Saint-Martin O.",
        municipality=territory("laval"),
        postal_code="H7S 1M9",
    )
    PhoneFactory(organisation=unchanged, number="+14505550101")

    moved = OrganisationFactory(name="Maison des jeunes de Chomedey", email="mdj@old.example")
    OrganisationIdentifier.objects.create(organisation=moved, scheme="ville-test", identifier="L-2")
    LocationFactory(
        organisation=moved,
        street_address="3 rue Ancienne",
        municipality=territory("laval"),
        postal_code="H7W 1A1",
    )
    ServiceFactory(
        organisation=moved, name_fr="Maison des jeunes", categories=[category("aide-alimentaire")]
    )

    lookalike = OrganisationFactory(name="Centre d'entraide Saint-Jean-Baptiste")
    LocationFactory(
        organisation=lookalike,
        street_address="50 rue Saint-Jean",
        municipality=territory("laval"),
        postal_code="H7N 2B2",
    )
    return {"unchanged": unchanged, "moved": moved, "lookalike": lookalike}


def partner_file() -> bytes:
    return xlsx(
        [
            MUNICIPAL_HEADERS,
            ["L-1", "Popote roulante de Laval", "1200 boul. Saint-Martin O.", "Laval", "H7S 1M9",
             "450 555-0101", "info@popote.example", None, None],
            ["L-2", "Maison des jeunes de Chomedey", "3 rue Ancienne", "Laval", "H7W 1A1",
             "450-555-0202", "mdj@new.example", None, None],
            ["L-3", "Halte-répit Fabreville", "4 rue Neuve", "Laval", "H7P 1A1",
             "(450) 555-0303", "repit@halte.example", "halte.example", "Proches aidants"],
            ["L-4", "Centre d'entraide St-Jean", "50, rue St-Jean", "Laval", "h7n2b2",
             None, None, None, None],
            ["L-5", "Erreur de code postal", "5 rue Quelconque", "Laval", "H2X 1Y",
             None, None, None, None],
        ]
    )  # fmt: skip


@pytest.fixture
def checked(records, curator):
    return check(partner_file(), municipal_profile(), user=curator)


def test_the_dry_run_says_what_each_row_would_do(checked, records):
    found = results(checked)
    assert {n: r.outcome for n, r in found.items()} == {
        2: Outcome.UNCHANGED,
        3: Outcome.UPDATE,
        4: Outcome.NEW,
        5: Outcome.PROBABLE,
        6: Outcome.ERROR,
    }
    assert {(c["field"], c["before"], c["after"]) for c in found[3].changes} == {
        ("email", "mdj@old.example", "mdj@new.example"),
        ("", None, "new"),  # the phone the 211 did not have
    }
    probable = found[5]
    assert probable.organisation == records["lookalike"]
    assert probable.match_score >= 80
    assert probable.match_reason == "same postal code H7N 2B2"
    summary = checked.summary
    assert [summary[k] for k in ("new", "updated", "unchanged", "probable_matches", "errors")] == [
        1, 1, 1, 1, 1
    ]  # fmt: skip
    [error] = found[6].errors
    assert (error["row"], error["column"], error["value"]) == (6, "Code postal", "H2X 1Y")


def test_applying_makes_drafts_in_review_and_leaves_the_public_record_alone(
    checked, records, curator
):
    batch = batch_apply(batch=checked, user=curator)
    assert batch.status == ImportBatch.Status.APPLIED
    assert batch.summary["applied"] == 2

    moved = Organisation.objects.get(pk=records["moved"].pk)
    assert moved.email == "mdj@old.example"  # the live row: unchanged until approved
    assert moved.has_unpublished_changes
    draft = moved.get_latest_revision_as_object()
    assert draft.email == "mdj@new.example"
    assert [p.number for p in draft.phones.all()] == ["+14505550202"]
    assert WorkflowState.objects.for_instance(moved).get().status == "in_progress"

    new = Organisation.objects.get(name="Halte-répit Fabreville")
    assert not new.live
    assert new.identifiers.get().identifier == "L-3"
    assert WorkflowState.objects.for_instance(new).get().status == "in_progress"
    assert new.get_latest_revision().user == curator

    # The probable match waits for a person; the row with an error is left out.
    assert not records["lookalike"].has_unpublished_changes
    assert not Organisation.objects.filter(name__startswith="Erreur").exists()


def test_applying_sends_one_summary_instead_of_an_email_per_record(
    checked, curator, editor, django_capture_on_commit_callbacks
):
    other = type(curator).objects.create(username="marc", email="marc@211.example")
    other.groups.add(*curator.groups.all())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        batch_apply(batch=checked, user=curator)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 2, [m.subject for m in mail.outbox]
    # In the 211's language (French), whatever the language of the admin that applied it.
    assert "partenaire.xlsx" in by_recipient[curator.email].subject
    assert by_recipient["marc@211.example"].subject.startswith("2 ")
    assert "révision" in by_recipient["marc@211.example"].subject


def test_categories_of_an_imported_service_reach_the_database_when_published(records, editor):
    profile = municipal_profile(
        layout="service",
        columns=[
            {"column": "Id", "target": "partner_id"},
            {"column": "Nom", "target": "name"},
            {"column": "Service", "target": "service_name_fr"},
            {"column": "Besoins", "target": "categories"},
            {"column": "Territoire", "target": "service_areas"},
        ],
        category_map={"Repas à domicile": "popote-roulante"},
    )
    data = xlsx(
        [
            ["Id", "Nom", "Service", "Besoins", "Territoire"],
            [
                "L-2",
                "Maison des jeunes de Chomedey",
                "Repas",
                "Repas à domicile; aide-alimentaire",
                "Laval",
            ],
        ]
    )
    batch = batch_apply(batch=check(data, profile), user=editor)
    moved = Organisation.objects.get(pk=records["moved"].pk)
    assert not moved.services.filter(name_fr="Repas").exists()  # not before approval
    moved.get_latest_revision().publish(user=editor)
    service = Organisation.objects.get(pk=moved.pk).services.get(name_fr="Repas")
    assert sorted(c.code for c in service.categories.all()) == [
        "aide-alimentaire",
        "popote-roulante",
    ]
    assert [t.slug for t in service.service_areas.all()] == ["laval"]
    assert batch.results.get().applied


def test_a_confirmed_probable_match_updates_that_record_and_a_rejected_one_creates(
    checked, records, curator
):
    batch_decide(batch=checked, decisions={5: ImportRow.Decision.SAME})
    batch_apply(batch=checked, user=curator)
    lookalike = Organisation.objects.get(pk=records["lookalike"].pk)
    draft = lookalike.get_latest_revision_as_object()
    assert draft.name == "Centre d'entraide St-Jean"
    assert [(i.scheme, i.identifier) for i in draft.identifiers.all()] == [("ville-test", "L-4")]


def test_a_probable_match_turned_down_becomes_a_new_organisation(checked, records, curator):
    batch_decide(batch=checked, decisions={5: ImportRow.Decision.DIFFERENT})
    batch_apply(batch=checked, user=curator)
    assert Organisation.objects.filter(name="Centre d'entraide St-Jean", live=False).exists()
    assert not Organisation.objects.get(pk=records["lookalike"].pk).has_unpublished_changes


def test_a_decision_is_refused_once_applied(checked, curator):
    batch_apply(batch=checked, user=curator)
    with pytest.raises(ImportRefused):
        batch_decide(batch=checked, decisions={5: ImportRow.Decision.SAME})


def test_the_same_file_twice_is_all_unchanged_the_second_time(checked, records, curator):
    batch_apply(batch=checked, user=curator)
    again = check(partner_file(), checked.profile, user=curator)
    found = results(again)
    assert [found[n].outcome for n in (2, 3, 4)] == [Outcome.UNCHANGED] * 3
    assert found[5].outcome == Outcome.PROBABLE  # still for a person to decide
    assert again.summary["new"] == again.summary["updated"] == 0


def test_a_record_already_in_review_waits(checked, records, curator):
    moved = records["moved"]
    moved.email = "autre@example.org"
    moved.save_revision(user=curator)
    moved.get_workflow().start(moved, curator)
    again = check(partner_file(), checked.profile)
    assert results(again)[3].outcome == Outcome.IN_REVIEW
    batch_apply(batch=again, user=curator)
    assert moved.get_latest_revision_as_object().email == "autre@example.org"


@pytest.mark.parametrize("publish_directly", [False, True])
def test_rolling_back_restores_exactly_the_state_before(records, administrator, publish_directly):
    before = database_state()
    profile = municipal_profile()
    batch = services.batch_create(
        file=__import__("io").BytesIO(partner_file()),
        filename="laval.xlsx",
        profile=profile,
        user=administrator,
        publish_directly=publish_directly,
    )
    batch = services.batch_check(batch=batch)
    batch_decide(batch=batch, decisions={5: ImportRow.Decision.SAME})
    batch = batch_apply(batch=batch, user=administrator)
    assert batch.summary["applied"] == 3
    if publish_directly:
        assert Organisation.objects.get(pk=records["moved"].pk).email == "mdj@new.example"
        assert Organisation.objects.get(name="Halte-répit Fabreville").live
    assert database_state() != before
    assert batch.revisions.filter(kind=BatchRevision.Kind.BEFORE).exists()

    batch = batch_rollback(batch=batch, user=administrator)
    assert batch.status == ImportBatch.Status.ROLLED_BACK
    after = database_state()
    for table in before:
        for old, new in zip(before[table], after[table], strict=False):
            assert {k: (v, new[k]) for k, v in old.items() if new[k] != v} == {}, table
        assert len(after[table]) == len(before[table]), table


def test_only_an_applied_batch_rolls_back(checked, curator):
    with pytest.raises(ImportRefused):
        batch_rollback(batch=checked, user=curator)


def test_publishing_directly_is_for_administrators_only(curator):
    with pytest.raises(ImportRefused):
        services.batch_create(
            file=__import__("io").BytesIO(b"x"),
            filename="f.csv",
            profile=municipal_profile(),
            user=curator,
            publish_directly=True,
        )


def test_a_failure_half_way_undoes_what_was_written(checked, records, curator, monkeypatch):
    """Chunks commit one by one (the admin stays usable); a crash in a later chunk must not
    leave the earlier ones behind."""
    before = database_state()
    monkeypatch.setattr(services, "APPLY_CHUNK", 1)
    real = services._apply_new

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_apply_new", crash)
    batch = batch_apply(batch=checked, user=curator)
    assert batch.status == ImportBatch.Status.FAILED
    assert "was undone" in batch.message and "RuntimeError" in batch.message
    after = database_state()
    for table in ("Organisation", "Service", "Location", "Phone", "OrganisationIdentifier",
                  "revisions", "workflow_states"):  # fmt: skip
        assert after[table] == before[table], table
    assert real is not crash


def test_geocoding_of_imported_addresses_is_queued_not_done_inline(
    checked, curator, monkeypatch, django_capture_on_commit_callbacks
):
    geocoded = []
    monkeypatch.setattr(
        "imports.services.organisation_geocode",
        lambda organisation_id: geocoded.append(organisation_id),
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch_apply(batch=checked, user=curator)
    assert geocoded == []  # nothing geocoded while the import writes
    for callback in callbacks:
        callback()  # the task queue (immediate in tests) takes over
    new = Organisation.objects.get(name="Halte-répit Fabreville")
    assert sorted(geocoded) == sorted([new.pk, checked.results.get(number=3).organisation_id])


def test_a_dry_run_that_breaks_half_way_keeps_no_results_and_says_so(
    records, curator, monkeypatch, caplog
):
    """Results are written a chunk at a time; a crash in a later chunk must not leave the
    earlier chunks' results behind, nor a traceback for the curator."""
    monkeypatch.setattr(services, "CHUNK", 1)
    real, calls = services._assess, []

    def crash_on_the_third_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_assess", crash_on_the_third_chunk)
    before = database_state()
    batch = check(partner_file(), municipal_profile(), user=curator)
    assert batch.status == ImportBatch.Status.FAILED
    assert "nothing was changed" in batch.message
    assert "RuntimeError" not in batch.message
    assert not batch.results.exists() and batch.summary == {}
    assert database_state() == before
    assert "database went away" in caplog.text  # the developers have the details


def test_a_probable_match_with_a_bad_cell_is_an_error_to_fix_before_anyone_decides(
    records, curator
):
    data = xlsx(
        [
            MUNICIPAL_HEADERS,
            ["L-4", "Centre d'entraide St-Jean", "50, rue St-Jean", "Laval", "h7n2b2",
             None, "pas-une-adresse", None, None],
        ]
    )  # fmt: skip
    [row] = check(data, municipal_profile(), user=curator).results.all()
    assert row.outcome == Outcome.ERROR
    assert [e["column"] for e in row.errors] == ["Courriel"]


def test_two_clicks_on_check_queue_one_dry_run(
    records, curator, django_capture_on_commit_callbacks
):
    profile = municipal_profile()
    batch = services.batch_create(
        file=io.BytesIO(partner_file()), filename="ville.xlsx", profile=profile, user=curator
    )
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.batch_check_start(batch=batch, profile=profile)
        with pytest.raises(ImportRefused, match="already being checked"):
            services.batch_check_start(batch=batch, profile=profile)
    assert len(queued) == 1
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.CHECKING


def test_opening_hours_without_an_address_go_to_the_records_only_place(records, curator):
    """A partner's "Horaire" column with no address column: the hours are about the place
    the record has, not a new place without an address."""
    profile = municipal_profile(
        name="ville-horaires",
        columns=[
            {"column": "No de dossier", "target": "partner_id"},
            {"column": "Horaire", "target": "hours"},
        ],
    )
    data = xlsx([["No de dossier", "Horaire"], ["L-1", "lu-ve 9:00-17:00"]])
    [row] = check(data, profile, user=curator).results.all()
    assert row.outcome == Outcome.UPDATE
    assert [(c["part"], c["field"]) for c in row.changes] == [("location", "hours")]
    batch_apply(batch=row.batch, user=curator)
    draft = Organisation.objects.get(pk=records["unchanged"].pk).get_latest_revision_as_object()
    [place] = draft.locations.all()
    assert place.street_address == "1200 boul. Saint-Martin O."
    assert sorted(h.weekday for h in place.hours.all()) == [1, 2, 3, 4, 5]


def test_the_queued_check_writes_its_problems_in_the_language_of_who_started_it(
    records, curator, django_capture_on_commit_callbacks
):
    profile = municipal_profile()
    batch = services.batch_create(
        file=io.BytesIO(partner_file()), filename="ville.xlsx", profile=profile, user=curator
    )
    with translation.override("en"), django_capture_on_commit_callbacks() as queued:
        services.batch_check_start(batch=batch, profile=profile)
    with translation.override("fr"):  # the worker's own language
        for run in queued:
            run()
    [error] = ImportRow.objects.get(batch=batch, number=6).errors
    assert "incomplete" in error["message"]


@pytest.fixture
def publishing(records, administrator):
    """An administrator's batch that publishes directly, checked and waiting for confirmation."""
    batch = services.batch_create(
        file=io.BytesIO(partner_file()),
        filename="laval.xlsx",
        profile=municipal_profile(),
        user=administrator,
        publish_directly=True,
    )
    return services.batch_check(batch=batch)


@pytest.mark.parametrize("step", ["start", "apply"])
def test_a_curator_cannot_apply_an_administrators_publish_directly_import(
    publishing, curator, step
):
    """Refused up front, in the service (admin, command and task alike): the batch stays
    checked, nothing written, rather than failing half-way at Wagtail's publish check."""
    before = database_state()
    apply = services.batch_apply_start if step == "start" else batch_apply
    with pytest.raises(ImportRefused) as refused:
        apply(batch=publishing, user=curator)
    assert "permission to publish organisations directly" in str(refused.value)
    assert "An administrator can apply it" in str(refused.value)
    assert "Nothing was written" in str(refused.value)
    publishing.refresh_from_db()
    assert publishing.status == ImportBatch.Status.CHECKED
    assert publishing.applied_by is None
    assert not publishing.results.filter(applied=True).exists()
    assert database_state() == before


def test_a_claimed_publish_directly_import_goes_back_to_waiting_if_its_applier_may_not(
    publishing, curator, django_capture_on_commit_callbacks
):
    """The task's side: claimed by someone who has since lost the permission (or a claim made
    around the check) is given back, not failed."""
    ImportBatch.objects.filter(pk=publishing.pk).update(
        status=ImportBatch.Status.APPLYING, applied_by=curator
    )
    from imports.services import apply_batch

    assert apply_batch.call(publishing.pk, "en") == ImportBatch.Status.CHECKED
    publishing.refresh_from_db()
    assert publishing.status == ImportBatch.Status.CHECKED
    assert not Organisation.objects.filter(name="Halte-répit Fabreville").exists()


def test_an_administrator_applies_their_publish_directly_import(publishing, administrator):
    assert services.batch_apply_refusal(batch=publishing, user=administrator) == ""
    batch = batch_apply(batch=publishing, user=administrator)
    assert batch.status == ImportBatch.Status.APPLIED
    assert Organisation.objects.get(name="Halte-répit Fabreville").live


def test_a_curator_may_still_apply_an_import_that_goes_to_review(checked, curator):
    assert services.batch_apply_refusal(batch=checked, user=curator) == ""


# --- A curator's draft saved between the dry run and the apply (issue 17) -------------------------


def test_a_draft_saved_after_the_check_is_kept_and_its_row_is_to_check_again(
    checked, records, curator, editor
):
    """Nadia checked the file; Sophie then saved a draft of a record the file updates. Applying
    leaves that record alone (Sophie's draft stays the latest, not in review) and reports the
    row as changed since the check; the other rows are applied as announced."""
    moved = Organisation.objects.get(pk=records["moved"].pk)
    moved.description_fr = "Nouvelle description de Sophie"
    moved.email = "accueil@mdj.example"  # the address the dry run saw was old.example
    sophies = moved.save_revision(user=editor)

    batch = batch_apply(batch=checked, user=curator)

    row = results(batch)[3]
    assert row.outcome == Outcome.CHANGED
    assert not row.applied and row.revision is None
    moved = Organisation.objects.get(pk=moved.pk)
    assert moved.latest_revision_id == sophies.pk
    draft = moved.get_latest_revision_as_object()
    assert draft.description_fr == "Nouvelle description de Sophie"
    assert draft.email == "accueil@mdj.example"  # the file's value waits for a new check
    assert not WorkflowState.objects.for_instance(moved).exists()
    # The new organisation of the file was written; the report counts the row left out.
    assert Organisation.objects.filter(name="Halte-répit Fabreville").exists()
    assert batch.summary["applied"] == 1
    assert services.batch_report(batch)["changed"] == 1


def test_a_draft_saved_through_the_edit_form_after_the_check_is_kept(
    checked, records, curator, editor, client
):
    """Both sides of the race through the real paths: Sophie saves a draft in the admin's edit
    form after Nadia's dry run; Nadia's apply leaves the record to Sophie's draft and reports
    the row; then Sophie's form, still open, saves again without being refused (the import
    wrote nothing over her)."""
    from tests.helpers import organisation_form_data

    moved = Organisation.objects.get(pk=records["moved"].pk)
    client.force_login(editor)
    edit = reverse("wagtailsnippets_organisations_organisation:edit", args=[moved.pk])
    form = organisation_form_data(moved, description_fr="Nouvelle description de Sophie")
    form["base_revision_id"] = moved.latest_revision_id or ""
    assert client.post(edit, form).status_code == 302
    sophies = Organisation.objects.get(pk=moved.pk).latest_revision_id

    batch = batch_apply(batch=checked, user=curator)

    assert results(batch)[3].outcome == Outcome.CHANGED
    assert Organisation.objects.get(pk=moved.pk).latest_revision_id == sophies
    assert services.batch_report(batch)["changed"] == 1
    again = {**form, "base_revision_id": sophies, "alternate_name": "MDJ"}
    assert client.post(edit, again).status_code == 302
    draft = Organisation.objects.get(pk=moved.pk).get_latest_revision_as_object()
    assert (draft.description_fr, draft.alternate_name) == ("Nouvelle description de Sophie", "MDJ")


def test_checked_again_after_the_draft_the_import_updates_over_it(
    checked, records, curator, editor
):
    moved = Organisation.objects.get(pk=records["moved"].pk)
    moved.description_fr = "Nouvelle description de Sophie"
    moved.save_revision(user=editor)
    batch_apply(batch=checked, user=curator)

    again = batch_apply(batch=check(partner_file(), checked.profile), user=curator)

    assert results(again)[3].outcome == Outcome.UPDATE and results(again)[3].applied
    draft = Organisation.objects.get(pk=moved.pk).get_latest_revision_as_object()
    assert (draft.description_fr, draft.email) == (
        "Nouvelle description de Sophie",
        "mdj@new.example",
    )


def test_a_record_left_alone_is_not_touched_by_rolling_back(checked, records, curator, editor):
    moved = Organisation.objects.get(pk=records["moved"].pk)
    moved.description_fr = "Nouvelle description de Sophie"
    sophies = moved.save_revision(user=editor)
    sophies.publish(user=editor)  # published between the apply and the roll back
    before = Organisation.objects.filter(pk=moved.pk).values().get()

    batch = batch_apply(batch=checked, user=curator)
    batch_rollback(batch=batch, user=curator)

    assert Organisation.objects.filter(pk=moved.pk).values().get() == before
    assert Organisation.objects.get(pk=moved.pk).description_fr == "Nouvelle description de Sophie"


def test_the_result_page_lists_the_rows_changed_since_the_check(
    checked, records, curator, editor, client
):
    moved = Organisation.objects.get(pk=records["moved"].pk)
    moved.save_revision(user=editor)
    batch_apply(batch=checked, user=curator)
    profile = UserProfile.get_for_user(curator)
    profile.preferred_language = "en"  # the source strings, whatever the translations say
    profile.save(update_fields=["preferred_language"])
    client.force_login(curator)

    page = client.get(reverse("imports:batch", args=[checked.pk])).content.decode()

    assert "1 left out, changed since the check" in page
    assert "Changed since the check: check again" in page
    assert moved.get_admin_url() in page

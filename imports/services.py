"""Importing a partner's file: check (the dry run), decide, apply as drafts in review, roll back.

The steps, each a function the admin wizard, the command line and the tasks all call:

1. :func:`batch_create` keeps the original file and the profile it is read with.
2. :func:`batch_check` reads every row, cleans every cell, groups the rows by organisation,
   matches each to our records and says what applying would do (new, update with the
   differences, unchanged, probable match, error, repeated, already in review). It writes only
   the batch's own results, never a record.
3. :func:`batch_decide` records a person's answer for each probable match.
4. :func:`batch_apply` makes every change a draft revision and starts the review workflow (or
   publishes directly, for an administrator who asked). It writes a chunk of organisations per
   short transaction, so the admin stays usable and the progress bar moves; before each chunk
   the records' state is kept in a django-reversion revision tagged with the batch, and if
   anything fails what was already written is rolled back: never a half-applied file.
5. :func:`batch_rollback` puts every record the batch touched back as it was.

What runs in the background is a task declared beside the service it calls, as pretix does
(``check_batch``, ``apply_batch``, ``notify_batch``, ``geocode_batch``): it takes primary keys,
and the services queue it once their transaction commits. Reading the file and gathering its
rows by organisation is :mod:`imports.reading`.
"""

import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice

import reversion
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import File
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task
from wagtail.log_actions import log
from wagtail.models import Revision, WorkflowState

from organisations.audit import audited, snapshot_records
from organisations.models import AuditSource, Organisation
from organisations.quality.services import recompute_quality
from organisations.roles import CURATORS
from organisations.search import public_version_bump, search_document_update
from organisations.services import organisation_geocode

from .columns import Reference, default_columns
from .matching import Match, Matcher, name_key
from .models import BatchRevision, ImportBatch, ImportRow, MappingProfile
from .reading import Group, read_groups
from .records import as_content, blank, contents, copy_content, merge
from .spreadsheets import SheetError, open_sheet
from .workflow import quiet_workflow_notifications

logger = logging.getLogger(__name__)

Outcome = ImportRow.Outcome
Decision = ImportRow.Decision
CHUNK = 500  # organisations compared per round of queries
APPLY_CHUNK = 50  # organisations written per transaction


class ImportRefused(Exception):
    """The step cannot be taken now; the message says why."""


# --- Profiles -------------------------------------------------------------------------------------


def profile_default() -> MappingProfile:
    """The profile that reads back what ``export_records`` writes (kept in step with the code)."""
    profile, _created = MappingProfile.objects.update_or_create(
        name=MappingProfile.DEFAULT,
        defaults={
            "label": _("Répertoire export (default layout)"),
            "scheme": "",
            "layout": MappingProfile.Layout.SERVICE,
            "columns": default_columns(),
        },
    )
    return profile


def profile_get(name: str) -> MappingProfile:
    if name == MappingProfile.DEFAULT:
        return profile_default()
    try:
        return MappingProfile.objects.get(name=name)
    except MappingProfile.DoesNotExist:
        known = ", ".join(MappingProfile.objects.values_list("name", flat=True)) or "default"
        raise ImportRefused(
            _("There is no profile named “%(name)s” (known: %(known)s).")
            % {"name": name, "known": known}
        ) from None


def profile_snapshot(profile: MappingProfile) -> dict:
    return {
        "name": profile.name,
        "label": profile.label,
        "scheme": profile.scheme,
        "layout": profile.layout,
        "columns": profile.columns,
        "category_map": profile.category_map,
    }


# --- 1. Upload ------------------------------------------------------------------------------------


def batch_create(
    *, file, filename: str, profile: MappingProfile, user=None, publish_directly: bool = False
) -> ImportBatch:
    """Keep the original file; nothing is read yet."""
    if publish_directly and not (
        user is None or user.has_perm("imports.publish_directly_importbatch")
    ):
        raise ImportRefused(_("Only administrators may publish an import without review."))
    batch = ImportBatch(
        profile=profile,
        profile_snapshot=profile_snapshot(profile),
        filename=filename[:255],
        created_by=user,
        publish_directly=publish_directly,
    )
    batch.original.save(filename[:200] or "import", File(file), save=False)
    batch.save()
    return batch


# --- 2. The dry run -------------------------------------------------------------------------------


def _missing_required(group: Group, content: dict, new: bool) -> None:
    """What a record needs that the file does not give (a new organisation's name, a new
    service's French name, a new place's municipality)."""
    if new and not content.get("name"):
        group.error(group.number, "", "", _("A new organisation needs a name."))
    for service in content.get("services", []):
        if not service.get("name_fr"):
            group.error(
                group.number,
                "",
                service.get("name_en", ""),
                _("A new service needs a French name."),
            )
    for location in content.get("locations", []):
        if not location.get("municipality"):
            group.error(
                group.number,
                "",
                location.get("street_address", ""),
                _("A new address needs its municipality or borough."),
            )


def _in_review(ids: list[int]) -> set[int]:
    content_type = ContentType.objects.get_for_model(Organisation)
    return {
        int(pk)
        for pk in WorkflowState.objects.filter(
            base_content_type=content_type,
            object_id__in=[str(i) for i in ids],
            status=WorkflowState.STATUS_IN_PROGRESS,
        ).values_list("object_id", flat=True)
    }


def _assess(groups: list[Group], snapshot: dict, matcher: Matcher) -> list[ImportRow]:
    """What applying each group of a chunk would do: its outcome and its changes, compared with
    the record it matches (the chunk's records read in one round of queries)."""
    scheme = snapshot["scheme"]
    found = [_match(group, matcher) for group in groups]
    ids = sorted({m.organisation_id for m in found if m and m.organisation_id})
    revisions: dict[int, int | None] = {}
    current = contents(ids, revisions)
    in_review = _in_review(ids)
    results = []
    # ``contents`` reads fresh dicts for each chunk, merged in place; a record that two groups
    # of the chunk match (a probable match twice) is copied for each of them.
    matched = Counter(m.organisation_id for m in found if m and m.organisation_id)
    for group, match in zip(groups, found, strict=True):
        result = ImportRow(
            number=group.number, rows=group.rows, name=group.name[:255], data=group.data
        )
        result.data["key"] = group.key
        if group.duplicate_of is not None:
            result.outcome = Outcome.DUPLICATE
            result.errors = [
                {
                    "row": group.number,
                    "column": "",
                    "value": group.name,
                    "message": _("This organisation is already on row %(row)s of the file.")
                    % {"row": group.duplicate_of},
                }
            ]
        elif group.errors:
            result.outcome = Outcome.ERROR
        elif match.organisation_id and match.organisation_id in current:
            result.organisation_id = match.organisation_id
            result.checked_revision = revisions[match.organisation_id]
            content = current[match.organisation_id]
            if matched[match.organisation_id] > 1:
                content = copy_content(content)
            _compare(result, group, match, content, scheme, match.organisation_id in in_review)
        else:
            content = blank(Organisation)
            result.changes = merge(content, group.data, scheme=scheme)
            _missing_required(group, content, new=True)
            result.outcome = Outcome.ERROR if group.errors else Outcome.NEW
        if group.errors:
            result.errors = group.errors
        results.append(result)
    return results


def _match(group: Group, matcher: Matcher) -> Match | None:
    """The record a group is about, if any (none looked for a repeat or a group in error)."""
    if group.duplicate_of is not None or group.errors:
        return None
    return matcher.match(
        partner_id=group.key.get("partner_id", ""),
        uuid=group.key.get("uuid", ""),
        name=group.name,
        postal_codes=[
            loc["postal_code"] for loc in group.data["locations"] if loc.get("postal_code")
        ],
        phones=[p["number"] for p in group.data["phones"]],
    )


def _compare(
    result: ImportRow, group: Group, match: Match, content: dict, scheme: str, in_review: bool
) -> None:
    """Lay the group's values over the content of the record it matches: the changes, and the
    outcome they make."""
    result.changes = merge(content, group.data, scheme=scheme)
    _missing_required(group, _new_children(content), new=False)
    if group.errors:
        # Fixed in the file first: a person confirming a match could not apply it.
        result.outcome = Outcome.ERROR
    elif match.how == "probable":
        result.outcome = Outcome.PROBABLE
        result.match_score = match.score
        result.match_reason = match.reason
    elif not result.changes:
        result.outcome = Outcome.UNCHANGED
    elif in_review:
        result.outcome = Outcome.IN_REVIEW
    else:
        result.outcome = Outcome.UPDATE


def _new_children(content: dict) -> dict:
    """The services and places that ``merge`` added (only new ones must be complete)."""
    return {
        key: [c for c in content.get(key, []) if c.get("pk") is None]
        for key in ("services", "locations")
    } | {"name": content.get("name")}


def _duplicates_in_file(results: list[ImportRow], seen: dict[tuple, int]) -> None:
    """New organisations that look like one another (same name, same postal code or phone):
    the later ones are reported as repeats, for a person to sort out in the file. ``seen``
    carries the marks of earlier chunks."""
    for result in results:
        if result.outcome != Outcome.NEW:
            continue
        key = name_key(result.name)
        marks = [
            ("pc", loc.get("postal_code"))
            for loc in result.data["locations"]
            if loc.get("postal_code")
        ]
        marks += [("tel", p["number"]) for p in result.data["phones"]]
        first = next((seen[(key, m)] for m in marks if (key, m) in seen), None)
        if first is not None:
            result.outcome = Outcome.DUPLICATE
            result.errors = [
                {
                    "row": result.number,
                    "column": "",
                    "value": result.name,
                    "message": _(
                        "This looks like the organisation on row %(row)s (same name, same postal "
                        "code or phone). Keep one row per organisation."
                    )
                    % {"row": first},
                }
            ]
            continue
        for mark in marks:
            seen[(key, mark)] = result.number


def _progress(batch: ImportBatch, done: int, total: int | None = None):
    fields = {"rows_done": done}
    if total is not None:
        fields["rows_total"] = total
    ImportBatch.objects.filter(pk=batch.pk).update(**fields)


def batch_check_start(*, batch: ImportBatch, profile: MappingProfile) -> ImportBatch:
    """Read the batch with ``profile`` and queue its dry run. The batch is claimed in one
    update, so two clicks queue one check (the counterpart of :func:`batch_apply_start`)."""
    claimed = ImportBatch.objects.filter(
        pk=batch.pk, status__in=[ImportBatch.Status.UPLOADED, ImportBatch.Status.CHECKED]
    ).update(
        profile=profile,
        profile_snapshot=profile_snapshot(profile),
        status=ImportBatch.Status.CHECKING,
        rows_done=0,
        rows_total=0,
        message="",
    )
    if not claimed:
        raise ImportRefused(_("This import is already being checked or applied."))
    # The worker writes the problems found in the language of the person who asked.
    language = translation.get_language()
    transaction.on_commit(lambda: check_batch.enqueue(batch.pk, language))
    batch.refresh_from_db()
    return batch


@contextmanager
def _file_not_mapped():
    """On SQLite, read without mapping the database file into memory for the duration.

    The settings map up to 1 GB of the file for the public search, whose reads come back to the
    same pages. A dry run or a report reads each result and record once: mapped, every page it
    touched would stay counted in the worker's memory (measured: 440 MB for a 60,000-row dry
    run, 245 MB without) for no gain in speed. PostgreSQL has no such mapping."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA mmap_size")
        row = cursor.fetchone()  # none for an in-memory database, which maps no file
        if not row or not row[0]:
            yield
            return
        before = row[0]
        cursor.execute("PRAGMA mmap_size=0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA mmap_size={int(before)}")


def batch_check(*, batch: ImportBatch) -> ImportBatch:
    """The dry run: read and assess every row; the records are not touched. A file that cannot
    be read leaves the batch ``unreadable`` with the reason; an unexpected failure leaves it
    ``failed``, with no half-written results, and is logged for the developers."""
    if batch.status not in (ImportBatch.Status.UPLOADED, ImportBatch.Status.CHECKED,
                            ImportBatch.Status.CHECKING):  # fmt: skip
        raise ImportRefused(_("This import has already been applied or rolled back."))
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.CHECKING, rows_done=0, rows_total=0, message=""
    )
    try:
        with _file_not_mapped():
            return _check(batch)
    except SheetError as error:
        status, message = ImportBatch.Status.UNREADABLE, str(error)
    except Exception:
        logger.exception("The dry run of import batch %s failed", batch.pk)
        status = ImportBatch.Status.FAILED
        message = _(
            "The check stopped on an unexpected error; nothing was changed. The developers "
            "have the details. Try again, or send the file to them."
        )
    batch.results.all().delete()
    batch.status, batch.message, batch.summary = status, message, {}
    batch.rows_done = batch.rows_total = 0
    batch.save(update_fields=["status", "message", "summary", "rows_done", "rows_total"])
    return batch


@task()
def check_batch(batch_id: int, language: str | None = None) -> dict:
    """The dry run of an uploaded file, its problems written in ``language``; returns its
    summary."""
    with translation.override(language or settings.LANGUAGE_CODE):
        batch = batch_check(batch=ImportBatch.objects.get(pk=batch_id))
    return batch.summary


def _check(batch: ImportBatch) -> ImportBatch:
    snapshot = batch.profile_snapshot
    reference = Reference(snapshot.get("category_map"))
    batch.results.all().delete()  # an earlier dry run of the same batch
    matcher = Matcher(scheme=snapshot["scheme"])
    counts: Counter = Counter()
    seen: dict[tuple, int] = {}
    info: dict = {}
    total = 0
    by_service = snapshot["layout"] == MappingProfile.Layout.SERVICE
    with batch.original.open("rb") as stream, open_sheet(stream, batch.filename) as sheet:
        groups = read_groups(sheet, snapshot, reference, info, lambda n: _progress(batch, n))
        if by_service:
            # Read to the end first (an organisation's rows may be anywhere), then compare
            # with a progress bar of organisations.
            everything = list(groups)
            _progress(batch, 0, len(everything))
            groups = _drain(everything)
        # A chunk at a time, results written as they come: memory holds a chunk's results
        # (and, one row per service, the file's values), not the whole file's.
        while chunk := list(islice(groups, CHUNK)):
            matcher.know(
                partner_ids=[g.key["partner_id"] for g in chunk if g.key.get("partner_id")],
                uuids=[g.key["uuid"] for g in chunk if g.key.get("uuid")],
            )
            results = _assess(chunk, snapshot, matcher)
            _duplicates_in_file(results, seen)
            for result in results:
                result.batch = batch
            ImportRow.objects.bulk_create(results, batch_size=1000)
            counts.update(r.outcome for r in results)
            total += len(results)
            if by_service:
                _progress(batch, total)
    if not total:
        info["notes"].append(_("The file has a header row but no data."))
    batch.summary = _summary(counts, total, info)
    batch.status = ImportBatch.Status.CHECKED
    batch.checked_at = timezone.now()
    batch.rows_done = batch.rows_total = total
    batch.message = ""
    batch.save(
        update_fields=["summary", "status", "checked_at", "rows_done", "rows_total", "message"]
    )
    return batch


def _drain(items: list) -> Iterator:
    """The items in order, each let go of once taken."""
    items.reverse()
    while items:
        yield items.pop()


def _summary(counts: Counter, organisations: int, info: dict) -> dict:
    return {
        **info,
        "organisations": organisations,
        "new": counts[Outcome.NEW],
        "updated": counts[Outcome.UPDATE],
        "unchanged": counts[Outcome.UNCHANGED],
        "probable_matches": counts[Outcome.PROBABLE],
        "errors": counts[Outcome.ERROR],
        "duplicates": counts[Outcome.DUPLICATE],
        "in_review": counts[Outcome.IN_REVIEW],
    }


def batch_errors(batch: ImportBatch) -> list[dict]:
    """Every problem found, row by row: ``{row, column, value, message}``."""
    with _file_not_mapped():
        problems = _errors_of(batch)
    return sorted(problems, key=lambda e: (e["row"], e["column"]))


def _errors_of(batch: ImportBatch) -> list[dict]:
    problems = []
    # Unordered (sorted below): ordered by row number, the database walks every result of the
    # batch instead of the few with problems (read through the outcome index).
    rows = batch.results.filter(outcome__in=[Outcome.ERROR, Outcome.DUPLICATE]).order_by()
    for errors in rows.values_list("errors", flat=True):
        problems += errors
    return problems


# --- 3. Decisions on probable matches -------------------------------------------------------------


def batch_decide(*, batch: ImportBatch, decisions: dict[int, str]) -> int:
    """Record, for probable matches (by row number), "same", "different" or "skip"."""
    if batch.status != ImportBatch.Status.CHECKED:
        raise ImportRefused(_("Decisions can only be changed before the import is applied."))
    allowed = {Decision.SAME, Decision.DIFFERENT, Decision.SKIP, Decision.PENDING}
    changed = 0
    for number, decision in decisions.items():
        if decision not in allowed:
            raise ImportRefused(_("“%(value)s” is not a decision.") % {"value": decision})
        changed += batch.results.filter(number=number, outcome=Outcome.PROBABLE).update(
            decision=decision
        )
    return changed


# --- 4. Apply -------------------------------------------------------------------------------------


def _to_apply(batch: ImportBatch):
    return batch.results.filter(
        Q(outcome__in=[Outcome.NEW, Outcome.UPDATE])
        | Q(outcome=Outcome.PROBABLE, decision__in=[Decision.SAME, Decision.DIFFERENT])
    ).order_by("number")


def batch_apply_refusal(*, batch: ImportBatch, user) -> str:
    """Why ``user`` may not apply ``batch`` ("" when they may). A batch that publishes directly
    needs, in whoever applies it, both the import's permission to publish without review and
    Wagtail's permission to publish organisations (the publish itself checks the latter and
    would stop the batch half-way). ``user`` None is the system (a command): allowed."""
    if not batch.publish_directly or user is None:
        return ""
    from wagtail.permissions import policy_registry

    if user.has_perm("imports.publish_directly_importbatch") and policy_registry.get_by_type(
        Organisation
    ).user_has_permission(user, "publish"):
        return ""
    return _(
        "This import publishes its records directly, without review: applying it needs the "
        "permission to publish organisations directly, which you do not have. An administrator "
        "can apply it."
    )


def batch_apply_start(*, batch: ImportBatch, user) -> ImportBatch:
    """Claim the batch for applying (only once), then queue the work. Refused up front when the
    user may not publish what the batch publishes."""
    if refusal := batch_apply_refusal(batch=batch, user=user):
        raise ImportRefused(f"{refusal} {_('Nothing was written.')}")
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.CHECKED).update(
        status=ImportBatch.Status.APPLYING,
        applied_by=user,
        rows_done=0,
        rows_total=_to_apply(batch).count(),
    )
    if not claimed:
        raise ImportRefused(_("This import is not waiting for confirmation."))
    language = translation.get_language()
    transaction.on_commit(lambda: apply_batch.enqueue(batch.pk, language))
    batch.refresh_from_db()
    return batch


def batch_apply(*, batch: ImportBatch, user=None) -> ImportBatch:
    """Write the checked changes: drafts submitted to the workflow (or published directly when
    the batch says so). Call after :func:`batch_apply_start`, or directly from a command.
    Refused before anything is written when the user may not publish what the batch publishes
    (a claimed batch goes back to waiting for confirmation, with the reason)."""
    if refusal := batch_apply_refusal(batch=batch, user=batch.applied_by or user):
        # Claimed by batch_apply_start, then the user's permissions changed: give it back.
        ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.APPLYING).update(
            status=ImportBatch.Status.CHECKED, applied_by=None, rows_done=0
        )
        batch.refresh_from_db()
        raise ImportRefused(f"{refusal} {_('Nothing was written.')}")
    if batch.status == ImportBatch.Status.CHECKED:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.APPLYING, applied_by=user, rows_total=_to_apply(batch).count()
        )
        batch.refresh_from_db()
    if batch.status != ImportBatch.Status.APPLYING:
        raise ImportRefused(_("This import is not waiting to be applied."))
    user = batch.applied_by or user
    workflow = Organisation().get_workflow()
    if workflow is None and not batch.publish_directly:
        raise ImportRefused(_("No review workflow is set up for organisations."))
    results = list(_to_apply(batch).select_related("organisation"))
    done = 0
    try:
        for start in range(0, len(results), APPLY_CHUNK):
            chunk = results[start : start + APPLY_CHUNK]
            with transaction.atomic(), quiet_workflow_notifications():
                _apply_chunk(batch, chunk, user, workflow)
            done += len(chunk)
            _progress(batch, done)
    except Exception as error:
        logger.exception("Import %s failed while applying", batch.pk)
        _undo(batch)
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.FAILED,
            message=_(
                "Applying stopped on an unexpected error (%(error)s). Everything this import had "
                "written was undone; the records are as they were."
            )
            % {"error": type(error).__name__},
        )
        batch.refresh_from_db()
        return batch
    applied = batch.results.filter(applied=True)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.APPLIED,
        applied_at=timezone.now(),
        summary={
            **batch.summary,
            "applied": applied.count(),
            "changed": batch.results.filter(outcome=Outcome.CHANGED).count(),
        },
    )
    batch.refresh_from_db()
    ids = list(applied.values_list("organisation_id", flat=True))
    transaction.on_commit(lambda: _after_apply(batch, ids))
    return batch


@task()
def apply_batch(batch_id: int, language: str | None = None) -> str:
    """Apply a confirmed batch (claimed by ``batch_apply_start``); returns its final status."""
    batch = ImportBatch.objects.get(pk=batch_id)
    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            batch = batch_apply(batch=batch)
        except ImportRefused:  # the batch keeps the reason and waits for someone who may
            batch.refresh_from_db()
    return batch.status


def _apply_chunk(batch: ImportBatch, chunk: list[ImportRow], user, workflow):
    scheme = batch.profile_snapshot["scheme"]
    reference = f"import:{batch.uuid}"
    updates = [
        r
        for r in chunk
        if r.outcome == Outcome.UPDATE
        or (r.outcome == Outcome.PROBABLE and r.decision == Decision.SAME)
    ]
    locked = {
        o.pk: o
        for o in Organisation.objects.select_for_update().filter(
            pk__in=[r.organisation_id for r in updates]
        )
    }
    organisations = _writable(batch, updates, locked)
    update_pks = {r.pk for r in updates}
    if organisations:
        before = snapshot_records(
            organisations=list(organisations.values()),
            comment=_("Before import “%(file)s”") % {"file": batch.filename},
            source=AuditSource.Source.IMPORT,
            user=user,
            reference=reference,
        )
        BatchRevision.objects.create(revision=before, batch=batch, kind=BatchRevision.Kind.BEFORE)
    with audited(
        comment=_("Import “%(file)s”") % {"file": batch.filename},
        source=AuditSource.Source.IMPORT,
        user=user,
        reference=reference,
    ):
        reversion.add_meta(BatchRevision, batch=batch, kind=BatchRevision.Kind.APPLIED)
        for result in chunk:
            if result.pk in update_pks:
                if result.organisation_id in organisations:
                    organisation = organisations[result.organisation_id]
                    _apply_update(batch, result, organisation, user, workflow, scheme)
            else:  # new, or a probable match that is a different organisation
                _apply_new(batch, result, user, workflow, scheme)


def _writable(batch: ImportBatch, updates: list[ImportRow], locked: dict) -> dict:
    """The locked records the import may write, by id. Left alone, with the row saying why: a
    record in review, and a record that got a newer revision after the dry run compared it (a
    curator's draft saved since, which the import's draft would bury): that row is to check
    again. The batch's own revisions (a record matched by two rows) are not a change."""
    in_review = _in_review(list(locked))
    ours = set(
        batch.results.filter(applied=True)
        .exclude(revision=None)
        .values_list("revision_id", flat=True)
    )
    writable = {}
    for result in updates:
        organisation = locked.get(result.organisation_id)
        if organisation is None:  # deleted since the dry run
            continue
        latest = organisation.latest_revision_id
        if organisation.pk in in_review:
            result.outcome = Outcome.IN_REVIEW
        elif latest != result.checked_revision and latest not in ours:
            result.outcome = Outcome.CHANGED
        else:
            writable[organisation.pk] = organisation
            continue
        result.save(update_fields=["outcome"])
    # A record matched by two rows, one of them left alone, is written by neither.
    for result in updates:
        if result.outcome in (Outcome.IN_REVIEW, Outcome.CHANGED):
            writable.pop(result.organisation_id, None)
    return writable


def _submit(batch, obj, user, workflow, *, created: bool) -> tuple:
    revision = obj.save_revision(user=user, log_action="wagtail.create" if created else True)
    state = None
    if batch.publish_directly:
        revision.publish(user=user, log_action=True)
    else:
        state = workflow.start(obj, user)
    log(
        instance=obj,
        action="repertoire.import",
        user=user,
        data={"batch": str(batch.uuid), "file": batch.filename},
    )
    return revision, state.pk if state else None


def _apply_update(batch, result, organisation, user, workflow, scheme):
    draft = organisation.get_latest_revision_as_object()
    content = as_content(draft.serializable_data())
    changes = merge(content, result.data, scheme=scheme)
    if not changes:  # the record already says what the file says (edited since the dry run)
        result.outcome = Outcome.UNCHANGED
        result.save(update_fields=["outcome"])
        return
    previous = {
        "latest_revision": organisation.latest_revision_id,
        "live_revision": organisation.live_revision_id,
    }
    merged = organisation.with_content_json(content)
    revision, previous["workflow_state"] = _submit(batch, merged, user, workflow, created=False)
    result.previous = previous
    result.revision = revision
    result.changes = changes
    result.applied = True
    result.organisation = organisation
    result.save(
        update_fields=["previous", "revision", "changes", "applied", "organisation", "outcome"]
    )


def _apply_new(batch, result, user, workflow, scheme):
    content = blank(Organisation)
    merge(content, result.data, scheme=scheme)
    organisation = Organisation.from_serializable_data(content)
    organisation.live = False
    organisation.has_unpublished_changes = True
    organisation.slug = organisation.make_unique_slug()
    organisation.save()
    revision, state = _submit(batch, organisation, user, workflow, created=True)
    result.organisation = organisation
    result.revision = revision
    result.previous = {"created": True, "workflow_state": state}
    result.applied = True
    result.save(update_fields=["organisation", "revision", "previous", "applied"])


def _after_apply(batch: ImportBatch, organisation_ids: list[int]):
    geocode_batch.enqueue(batch.pk)
    notify_batch.enqueue(batch.pk)
    if not batch.publish_directly:
        # The drafts' problems; a publication queues its record's own check.
        recompute_quality.enqueue(sorted(organisation_ids))
    else:
        for pk in organisation_ids:
            search_document_update(organisation_id=pk)
        public_version_bump()


def batch_notify(*, batch: ImportBatch) -> int:
    """One email to the importer (it is done) and one to each reviewer (so many records wait),
    instead of one workflow email per record. Returns how many emails went out."""
    applied = batch.results.filter(applied=True).count()
    admin_url = settings.WAGTAILADMIN_BASE_URL + reverse("imports:batch", args=[batch.pk])
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        if batch.applied_by and batch.applied_by.email:
            sent += send_mail(
                _("Import “%(file)s” applied") % {"file": batch.filename},
                ngettext(
                    "%(count)s organisation was written as a draft or published. Results: %(url)s",
                    "%(count)s organisations were written as drafts or published. Results: %(url)s",
                    applied,
                )
                % {"count": applied, "url": admin_url},
                None,
                [batch.applied_by.email],
            )
        if applied and not batch.publish_directly:
            reviewers = (
                get_user_model()
                .objects.filter(groups__name=CURATORS, is_active=True)
                .exclude(email="")
                .distinct()
            )
            emails = [u.email for u in reviewers if u != batch.applied_by]
            if emails:
                sent += send_mail(
                    ngettext(
                        "%(count)s record from an import waits for review",
                        "%(count)s records from an import wait for review",
                        applied,
                    )
                    % {"count": applied},
                    ngettext(
                        "The import “%(file)s” submitted %(count)s record to the review "
                        "workflow. Import results: %(url)s",
                        "The import “%(file)s” submitted %(count)s records to the review "
                        "workflow. Import results: %(url)s",
                        applied,
                    )
                    % {"file": batch.filename, "count": applied, "url": admin_url},
                    None,
                    emails,
                )
    return sent


@task()
def notify_batch(batch_id: int) -> int:
    return batch_notify(batch=ImportBatch.objects.get(pk=batch_id))


@task(queue_name="geocoding")
def geocode_batch(batch_id: int) -> int:
    """Geocode the addresses of the organisations a batch wrote (saved rows and drafts), one
    queue for all geocoding so the provider's rate limit holds. Returns how many were looked at."""
    ids = (
        ImportBatch.objects.get(pk=batch_id)
        .results.filter(applied=True)
        .values_list("organisation_id", flat=True)
    )
    count = 0
    for organisation_id in ids:
        if organisation_id:
            organisation_geocode(organisation_id=organisation_id)
            count += 1
    return count


# --- 5. Roll back ---------------------------------------------------------------------------------


def batch_rollback(*, batch: ImportBatch, user) -> ImportBatch:
    """Put every record the batch touched back exactly as it was before: created organisations
    deleted, updated ones restored from the revision kept before the batch wrote, the batch's
    drafts and reviews removed."""
    if batch.status != ImportBatch.Status.APPLIED:
        raise ImportRefused(_("Only an applied import can be rolled back."))
    _undo(batch)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.ROLLED_BACK, rolled_back_at=timezone.now(), rolled_back_by=user
    )
    batch.refresh_from_db()
    for result in batch.results.filter(applied=True).exclude(organisation=None):
        log(
            instance=result.organisation,
            action="repertoire.import_rollback",
            user=user,
            data={"batch": str(batch.uuid), "file": batch.filename},
        )
    return batch


def _undo(batch: ImportBatch) -> None:
    content_type = ContentType.objects.get_for_model(Organisation)
    with (
        transaction.atomic(),
        audited(
            comment=_("Roll back import “%(file)s”") % {"file": batch.filename},
            source=AuditSource.Source.IMPORT,
            reference=f"rollback:{batch.uuid}",
        ),
    ):
        applied = list(batch.results.filter(applied=True))
        touched = [r.organisation_id for r in applied if r.organisation_id]
        states = WorkflowState.objects.filter(
            base_content_type=content_type, object_id__in=[str(pk) for pk in touched]
        )
        revisions = [r.revision_id for r in applied if r.revision_id]
        # The reviews the batch started, then its revisions.
        states.filter(pk__in=[r.previous.get("workflow_state") for r in applied]).delete()
        created = [
            r.organisation_id for r in applied if r.previous.get("created") and r.organisation_id
        ]
        Revision.objects.filter(
            base_content_type=content_type, object_id__in=[str(pk) for pk in created]
        ).delete()
        states.filter(object_id__in=[str(pk) for pk in created]).delete()
        Organisation.objects.filter(pk__in=created).delete()
        for kept in batch.revisions.filter(kind=BatchRevision.Kind.BEFORE).select_related(
            "revision"
        ):
            kept.revision.revert(delete=True)
        for result in applied:
            if result.previous.get("created") or not result.organisation_id:
                continue
            Organisation.objects.filter(pk=result.organisation_id).update(
                latest_revision_id=result.previous.get("latest_revision"),
                live_revision_id=result.previous.get("live_revision"),
            )
        Revision.objects.filter(pk__in=revisions).delete()
        batch.results.filter(applied=True).update(applied=False)
        if batch.publish_directly:
            for pk in touched:
                if pk not in created:
                    search_document_update(organisation_id=pk)
            public_version_bump()


# --- Reading results ------------------------------------------------------------------------------


def batch_report(batch: ImportBatch) -> dict:
    """What ``import_records --format json`` prints."""
    summary = batch.summary or {}
    return {
        "batch": str(batch.uuid),
        "status": batch.status,
        "rows": summary.get("rows", 0),
        "new": summary.get("new", 0),
        "updated": summary.get("updated", 0),
        "unchanged": summary.get("unchanged", 0),
        "probable_matches": summary.get("probable_matches", 0),
        "duplicates": summary.get("duplicates", 0),
        "in_review": summary.get("in_review", 0),
        "applied": summary.get("applied", 0),
        "changed": summary.get("changed", 0),
        "notes": summary.get("notes", []),
        "errors": batch_errors(batch),
    }

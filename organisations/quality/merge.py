"""What a curator decides about a probable duplicate (``duplicates.py`` finds them): two
different organisations (:func:`duplicate_dismiss`, the pair never comes back), or one
(:func:`duplicate_merge`: the kept record gets what it lacks through the review workflow, the
other is archived and its public addresses lead to the kept one).
"""

import json
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ..audit import audited, snapshot_records
from ..geocoding import place_key
from ..lib.text import fold
from ..models import AuditSource, DuplicatePair, Organisation
from ..phones import format_phone_national
from ..public_site import directory_page
from ..services import organisation_archive
from .services import quality_recompute_later


class DuplicateError(Exception):
    """The pair cannot be decided this way now; the message says why."""


def _check(user, *codenames: str) -> None:
    if user is not None and not all(user.has_perm(f"organisations.{c}") for c in codenames):
        raise PermissionDenied


def _open_pair(pair: DuplicatePair) -> DuplicatePair:
    # Locked: two curators deciding the same pair at once, one of them waits and is told.
    pair = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
    if pair.status != DuplicatePair.Status.OPEN:
        raise DuplicateError(_("This pair has already been decided."))
    return pair


@transaction.atomic
def duplicate_dismiss(*, pair: DuplicatePair, user) -> DuplicatePair:
    """Record that the two records are different organisations: the pair is never proposed
    again. Written in both records' history."""
    _check(user, "change_organisation")
    pair = _open_pair(pair)
    pair.status = DuplicatePair.Status.DISMISSED
    pair.decided_by = user
    pair.decided_at = timezone.now()
    pair.save(update_fields=["status", "decided_by", "decided_at"])
    first, second = pair.first, pair.second
    for organisation, other in ((first, second), (second, first)):
        log(
            instance=organisation,
            action="repertoire.not_duplicate",
            user=user,
            data={"pair": pair.pk, "other": other.pk, "other_name": other.name},
        )
    return pair


# --- Merging --------------------------------------------------------------------------------------

# The record's own fields taken from the merged record where the kept one has nothing.
MERGED_FIELDS = (
    "alternate_name", "description_fr", "description_en", "email", "website", "legal_status",
    "enterprise_number", "charity_number", "update_contact_name", "update_contact_email",
    "update_contact_phone",
)  # fmt: skip


@dataclass
class MergePlan:
    """What the kept record gets from the other: its new content (a revision's), and what was
    added, in words, for the confirmation page and the history."""

    content: dict
    fields: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    moved_identifiers: list[int] = field(default_factory=list)

    @property
    def added(self) -> dict[str, list[str]]:
        return {
            "fields": self.fields,
            "services": self.services,
            "places": self.places,
            "phones": self.phones,
            "contacts": self.contacts,
            "identifiers": self.identifiers,
        }

    @property
    def is_empty(self) -> bool:
        return not any(self.added.values())


def _content(organisation: Organisation) -> dict:
    """The record as curators edit it (its pending draft if it has one), as a revision stores
    it."""
    latest = organisation.get_latest_revision_as_object()
    return json.loads(json.dumps(latest.serializable_data(), cls=DjangoJSONEncoder))


def _copy(row: dict, *, parent: str, parent_pk: int | None, order: int) -> dict:
    """A child of the other record as a new child of the kept one: a new row with a new UUID
    (the other's rows stay on it, in its history and its open data)."""
    row = {**row, "pk": None, "uuid": str(uuid.uuid4()), parent: parent_pk, "sort_order": order}
    if "hours" in row:
        row["hours"] = [
            _copy(h, parent="location", parent_pk=None, order=i) for i, h in enumerate(row["hours"])
        ]
    return row


def _add_children(
    content: dict, other: dict, key_name: str, *, key, label, added: list, keep_pk: int
):
    children = content.setdefault(key_name, [])
    known = {key(child) for child in children}
    for row in other.get(key_name, []):
        if key(row) in known:
            continue
        known.add(key(row))
        children.append(_copy(row, parent="organisation", parent_pk=keep_pk, order=len(children)))
        added.append(label(row))


def duplicate_merge_plan(*, keep: Organisation, other: Organisation) -> MergePlan:
    """Lay what ``other`` has and ``keep`` lacks over ``keep``'s latest content: its empty
    fields filled, the services, places, phones, private contacts and identifiers it does not
    have (a service by its name, a place by its address, a phone by its number) added. Nothing
    of ``keep`` is changed or taken away."""
    content, theirs = _content(keep), _content(other)
    plan = MergePlan(content=content)
    labels = {f.name: str(f.verbose_name) for f in Organisation._meta.fields}
    for name in MERGED_FIELDS:
        if not content.get(name) and theirs.get(name):
            content[name] = theirs[name]
            plan.fields.append(labels[name])
    _add_children(
        content, theirs, "services",
        key=lambda s: fold(s.get("name_fr") or s.get("name_en") or ""),
        label=lambda s: s.get("name_fr") or s.get("name_en") or "",
        added=plan.services, keep_pk=keep.pk,
    )  # fmt: skip
    _add_children(
        content, theirs, "locations",
        key=place_key,
        label=lambda p: ", ".join(x for x in (p.get("name"), p.get("street_address")) if x),
        added=plan.places, keep_pk=keep.pk,
    )  # fmt: skip
    _add_children(
        content, theirs, "phones",
        key=lambda p: (p.get("number"), p.get("extension") or ""),
        label=lambda p: format_phone_national(p.get("number") or ""),
        added=plan.phones, keep_pk=keep.pk,
    )  # fmt: skip
    _add_children(
        content, theirs, "contacts",
        key=lambda c: (fold(c.get("name") or ""), (c.get("email") or "").lower()),
        label=lambda c: c.get("name") or "",
        added=plan.contacts, keep_pk=keep.pk,
    )  # fmt: skip
    # An identifier is unique to one record (a partner's id matches one of our records): the
    # other's rows move to the kept record now, so the draft keeps them as they are.
    identifiers = content.setdefault("identifiers", [])
    known = {(i.get("scheme"), i.get("identifier")) for i in identifiers}
    for row in theirs.get("identifiers", []):
        if (row.get("scheme"), row.get("identifier")) in known:
            continue
        moved = {**row, "organisation": keep.pk, "sort_order": len(identifiers)}
        if row.get("pk") is not None:
            plan.moved_identifiers.append(row["pk"])
        identifiers.append(moved)
        plan.identifiers.append(f"{row.get('scheme')}:{row.get('identifier')}")
    return plan


def _redirect(*, keep: Organisation, other: Organisation) -> list:
    """The other record's public addresses, in each language, lead to the kept record's page
    (301). Addresses that led to the other record (an earlier merge) now lead there too."""
    from wagtail.contrib.redirects.models import Redirect

    redirects = []
    for language, _name in settings.LANGUAGES:
        page = directory_page(language)
        old_url = other.get_public_url(language)
        if page is None or not old_url:
            continue
        target = f"/{keep.slug}/"
        Redirect.objects.filter(
            redirect_page=page, redirect_page_route_path=f"/{other.slug}/"
        ).update(redirect_page_route_path=target)
        redirect, _created = Redirect.objects.update_or_create(
            old_path=Redirect.normalise_path(old_url),
            site=None,
            defaults={
                "redirect_page": page,
                "redirect_page_route_path": target,
                "redirect_link": "",
                "is_permanent": True,
                "automatically_created": True,
            },
        )
        redirects.append(redirect)
    return redirects


@transaction.atomic
def duplicate_merge(
    *, pair: DuplicatePair, keep: Organisation, user, source: str = AuditSource.Source.REQUEST
):
    """Make the pair one record, ``keep``, through the review workflow.

    What the other record has and ``keep`` lacks becomes a draft revision of ``keep`` submitted
    to the workflow (an editor publishes it, or sends it back); the other record is archived at
    once (it leaves the public directory, its history and its rows are kept) and its public
    addresses lead to ``keep``'s page. Both records are written whole to the audit log first,
    and the merge in both records' history. Archiving needs the archive permission as well as
    the change permission: a merge takes a record out of the public directory.
    Returns the draft revision.
    """
    _check(user, "change_organisation", "archive_organisation")
    pair = _open_pair(pair)
    keep, other = _lock_records(pair, keep)
    workflow = _merge_workflow(keep=keep, other=other, user=user)
    reference = f"duplicate:{pair.pk}"
    names = {"other": other.name, "keep": keep.name}
    snapshot_records(
        organisations=[keep, other],
        comment=_("Before merging “%(other)s” into “%(keep)s”") % names,
        source=source,
        user=user,
        reference=reference,
    )
    plan = duplicate_merge_plan(keep=keep, other=other)
    with audited(
        comment=_("Merged “%(other)s” into “%(keep)s”") % names,
        source=source,
        user=user,
        reference=reference,
    ):
        for identifier in other.identifiers.filter(pk__in=plan.moved_identifiers):
            identifier.organisation = keep
            identifier.save(update_fields=["organisation"])
        merged = keep.with_content_json(plan.content)
        revision = merged.save_revision(user=user, log_action=True)
        workflow.start(merged, user)
        if other.workflow_in_progress:
            # A draft of the other record in review would publish into an archived record.
            other.current_workflow_state.cancel(user=user)
    organisation_archive(organisation=other, user=user)
    redirects = _redirect(keep=keep, other=other)
    _pair_merged(pair, other=other, user=user)
    _log_merge(
        pair, keep=keep, other=other, revision=revision, plan=plan, redirects=redirects, user=user
    )
    quality_recompute_later(organisation_ids=[keep.pk])
    return revision


def _lock_records(pair: DuplicatePair, keep: Organisation) -> tuple[Organisation, Organisation]:
    """The record to keep and the other one, read again under a row lock."""
    if keep.pk not in (pair.first_id, pair.second_id):
        raise DuplicateError(_("The record to keep must be one of the pair."))
    other_id = pair.second_id if keep.pk == pair.first_id else pair.first_id
    # Both rows locked, in id order (as every merge takes them): no other write slips between
    # reading their content and archiving.
    rows = {
        o.pk: o
        for o in Organisation.objects.select_for_update()
        .filter(pk__in=[keep.pk, other_id])
        .order_by("pk")
    }
    return rows[keep.pk], rows[other_id]


def _merge_workflow(*, keep: Organisation, other: Organisation, user):
    """The workflow the merged draft goes through, once sure the two records can be merged now:
    neither archived, ``keep`` neither in review nor locked by someone else."""
    if Organisation.Status.CLOSED in (keep.status, other.status):
        raise DuplicateError(_("One of these records is archived: reopen it first."))
    if keep.workflow_in_progress:
        raise DuplicateError(
            _(
                "“%(name)s” is already in review: finish that review before merging another "
                "record into it."
            )
            % {"name": keep.name}
        )
    if keep.locked and keep.locked_by_id not in (None, getattr(user, "pk", None)):
        raise DuplicateError(_("“%(name)s” is locked by someone else.") % {"name": keep.name})
    workflow = keep.get_workflow()
    if workflow is None:
        raise DuplicateError(_("No review workflow is set up for organisations."))
    return workflow


def _pair_merged(pair: DuplicatePair, *, other: Organisation, user) -> None:
    pair.status = DuplicatePair.Status.MERGED
    pair.decided_by = user
    pair.decided_at = timezone.now()
    pair.save(update_fields=["status", "decided_by", "decided_at"])
    # The other record's other open pairs go with it (it is archived); the kept record's stay.
    DuplicatePair.objects.filter(status=DuplicatePair.Status.OPEN).filter(
        models.Q(first=other) | models.Q(second=other)
    ).delete()


def _log_merge(
    pair: DuplicatePair,
    *,
    keep: Organisation,
    other: Organisation,
    revision,
    plan: MergePlan,
    redirects: list,
    user,
) -> None:
    """The merge in both records' history."""
    log(
        instance=keep,
        action="repertoire.merge",
        user=user,
        data={
            "pair": pair.pk,
            "other": other.pk,
            "other_name": other.name,
            "revision": revision.pk,
            "added": plan.added,
            "redirects": [r.old_path for r in redirects],
        },
    )
    log(
        instance=other,
        action="repertoire.merged_into",
        user=user,
        data={"pair": pair.pk, "other": keep.pk, "other_name": keep.name},
    )

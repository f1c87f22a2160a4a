"""Writes to organisation records. Admin views, commands and tasks all call these.

Content changes go through Wagtail's drafts and workflow (``wagtail.actions``); these functions
cover what is about the record as a whole: archiving, the rare hard deletion with its undo, and
placing its locations on the map (geocoding.py does the asking; the public search follows).
"""

from collections import Counter
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task
from reversion.models import Version
from wagtail.log_actions import log

from .audit import audited, snapshot_record
from .geocoding import (
    Geocoder,
    draft_locations_geocode,
    get_geocoder,
    needs_geocoding,
    saved_locations_geocode,
)
from .models import AuditSource, Organisation
from .quality.services import quality_recompute_later
from .search import search_document_update


class RecoveryError(Exception):
    """A deleted organisation could not be brought back; the message says why."""


def _check(user, codename: str):
    if user is not None and not user.has_perm(f"organisations.{codename}"):
        raise PermissionDenied


def _status_set(*, organisation: Organisation, user, status: str, comment: str, action: str):
    _check(user, "archive_organisation")
    with audited(
        comment=comment,
        source=AuditSource.Source.REQUEST,
        user=user,
        reference=str(organisation.uuid),
    ):
        organisation.status = status
        organisation.save(update_fields=["status", "updated_at"])
    search_document_update(organisation_id=organisation.pk)  # in or out of the public search
    quality_recompute_later(organisation_ids=[organisation.pk])  # in or out of the report
    log(instance=organisation, action=action, user=user)
    return organisation


@transaction.atomic
def organisation_archive(*, organisation: Organisation, user) -> Organisation:
    """Close a record in everyday use: it leaves the public directory but keeps its history."""
    return _status_set(
        organisation=organisation,
        user=user,
        status=Organisation.Status.CLOSED,
        comment=_("Archived"),
        action="repertoire.archive",
    )


@transaction.atomic
def organisation_unarchive(*, organisation: Organisation, user) -> Organisation:
    """Make an archived record active again."""
    return _status_set(
        organisation=organisation,
        user=user,
        status=Organisation.Status.ACTIVE,
        comment=_("Reopened"),
        action="repertoire.unarchive",
    )


@transaction.atomic
def organisation_delete(
    *, organisation: Organisation, user, source: str = AuditSource.Source.REQUEST
) -> None:
    """Delete a record for good (administrators only). A complete snapshot of the record and its
    children is written to the audit log first, so :func:`organisation_recover` can undo it even
    for rows that were never saved inside a revision before (demo data, bulk loads)."""
    _check(user, "delete_organisation")
    snapshot_record(
        organisation=organisation,
        comment=_("Deleted “%(name)s”") % {"name": organisation.name},
        source=source,
        user=user,
        reference=str(organisation.uuid),
    )
    log(instance=organisation, action="wagtail.delete", user=user)
    organisation.delete()


def deleted_organisations():
    """Deleted organisations that the audit log can bring back, most recent first."""
    return Version.objects.get_deleted(Organisation).select_related("revision__user")


@transaction.atomic
def organisation_recover(
    *, version_id: int, user, source: str = AuditSource.Source.REQUEST
) -> Organisation:
    """Bring back a deleted organisation, with its children, as it was when it was deleted.

    The record comes back exactly as it was, live if it was live (its content had been approved
    before), with one Wagtail revision holding that content; the revisions it had before were
    lost with it."""
    _check(user, "delete_organisation")
    try:
        version = deleted_organisations().get(pk=version_id)
    except Version.DoesNotExist:
        raise RecoveryError(_("This deleted organisation is not in the audit log.")) from None
    if Organisation.objects.filter(pk=version.object_id).exists():
        raise RecoveryError(_("This organisation exists already; there is nothing to recover."))
    data = version.field_dict
    if Organisation.objects.filter(slug=data.get("slug")).exists():
        raise RecoveryError(
            _("Another organisation now uses the address “%(slug)s”; rename it first.")
            % {"slug": data.get("slug")}
        )
    with audited(
        comment=_("Recovered “%(name)s”") % {"name": version.object_repr},
        source=source,
        user=user,
        reference=f"version:{version.pk}",
    ):
        version.revision.revert(delete=False)
        organisation = Organisation.objects.get(pk=version.object_id)
        revision = organisation.save_revision(user=user, changed=False, log_action=False)
        if organisation.live:
            organisation.live_revision = revision
            organisation.save(update_fields=["live_revision"])
    log(instance=organisation, action="repertoire.recover", user=user)
    return organisation


# --- Placing the locations ------------------------------------------------------------------------


def organisation_geocode(
    *, organisation_id: int, force: bool = False, geocoder: Geocoder | None = None
) -> Counter:
    """Geocode an organisation's locations: the saved rows (its public search entry follows:
    "near" and the public map), and those of its pending draft, so reviewers see the pin (and
    any doubt) before they approve. Returns the outcomes' counts."""
    geocoder = geocoder or get_geocoder()
    outcomes = saved_locations_geocode(
        organisation_id=organisation_id, geocoder=geocoder, force=force
    )
    if outcomes:
        search_document_update(organisation_id=organisation_id)
    outcomes.update(
        draft_locations_geocode(organisation_id=organisation_id, geocoder=geocoder, force=force)
    )
    return outcomes


@task(queue_name="geocoding")
def geocode_organisation(organisation_id: int, force: bool = False) -> dict:
    """Geocode an organisation's locations (saved rows and pending draft); returns the counts."""
    return dict(organisation_geocode(organisation_id=organisation_id, force=force))


def organisation_geocode_later(*, organisation, force: bool = False) -> bool:
    """After the current transaction commits, queue the geocoding of the organisation's locations
    (only if one is due, unless ``force``). Returns whether a task will be queued."""
    if not force and not any(needs_geocoding(loc) for loc in organisation.locations.all()):
        return False
    transaction.on_commit(
        partial(geocode_organisation.enqueue, organisation.pk, force), robust=True
    )
    return True

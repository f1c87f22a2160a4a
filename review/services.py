"""Roles and the editorial workflow; verifications (the yearly cycle); the public's suggestions.

Three groups: Curators keep records true (edit, submit for review, never publish), Editors approve
what gets published, Administrators run the system (delete, recover, users, reference data).
One Wagtail workflow on ``Organisation``: a curation task (Curators; it passes at once when a
curator submits, ``models.CurationTask``) then a publication task (Editors). Editors need the ``publish`` permission, or Wagtail's final approval fails with
``PublishPermissionError`` and the workflow stays in progress.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from organisations.roles import ADMINISTRATORS, CURATORS, EDITORS

from .models import Suggestion, Verification

WORKFLOW_NAME = "Révision et publication"
CURATION_TASK = "Vérification par l'équipe des données"
PUBLICATION_TASK = "Approbation de la publication"

# (app_label, model, actions)
_CURATOR_PERMISSIONS = [
    ("organisations", "organisation", ["add", "change", "view", "lock"]),
    ("organisations", "territory", ["view"]),
    ("organisations", "category", ["view"]),
    # Read the public's suggestions and mark them handled; nobody adds one in the admin.
    ("review", "suggestion", ["view", "change"]),
    # See the update requests sent and revoke one; they are created by the bulk action.
    ("review", "updaterequest", ["view", "change"]),
    # Partner spreadsheets: upload, check and apply (the changes still go through review).
    ("imports", "importbatch", ["add", "view", "change"]),
    ("imports", "mappingprofile", ["add", "view", "change"]),
    ("organisations", "organisation", ["view_confidential"]),
]
_EDITOR_PERMISSIONS = [
    *_CURATOR_PERMISSIONS,
    ("organisations", "organisation", ["publish", "archive", "unlock"]),
    ("organisations", "category", ["add", "change"]),
]
_ADMINISTRATOR_PERMISSIONS = [
    *_EDITOR_PERMISSIONS,
    ("organisations", "organisation", ["delete"]),
    ("imports", "mappingprofile", ["delete"]),
    # Administrators may let an import skip review (logged on every record it publishes).
    ("imports", "importbatch", ["publish_directly"]),
    # Spam, or personal information a visitor should not have sent.
    ("review", "suggestion", ["delete"]),
    ("organisations", "territory", ["add", "change"]),
    ("auth", "user", ["add", "change", "delete", "view"]),
    ("auth", "group", ["view"]),
    ("wagtailcore", "workflow", ["add", "change"]),
    ("wagtailcore", "task", ["add", "change"]),
]
# Wagtail creates these after every migrate too, but only once its own app's turn comes; the
# groups need them now.
_WAGTAIL_EXTRA_ACTIONS = {"publish", "lock", "unlock"}


def _permissions(spec, using) -> list[Permission]:
    result = []
    for app_label, model, actions in spec:
        content_type = ContentType.objects.db_manager(using).get_by_natural_key(app_label, model)
        for action in actions:
            codename = f"{action}_{model}"
            if action in _WAGTAIL_EXTRA_ACTIONS:
                permission, _created = Permission.objects.using(using).get_or_create(
                    content_type=content_type,
                    codename=codename,
                    defaults={"name": f"Can {action} {model}"},
                )
            else:
                permission = Permission.objects.using(using).get(
                    content_type=content_type, codename=codename
                )
            result.append(permission)
    return result


@transaction.atomic
def roles_and_workflow_ensure(*, using: str = "default") -> None:
    """Create or repair the three groups, their permissions and the organisation workflow.

    Idempotent; runs after every ``migrate``. Permissions are added, never removed, so an
    administrator's extra grants survive.
    """
    from wagtail.models import (
        GroupApprovalTask,
        GroupPagePermission,
        Page,
        Workflow,
        WorkflowContentType,
        WorkflowTask,
    )

    access_admin = Permission.objects.using(using).get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    groups = {}
    for name, spec in (
        (CURATORS, _CURATOR_PERMISSIONS),
        (EDITORS, _EDITOR_PERMISSIONS),
        (ADMINISTRATORS, _ADMINISTRATOR_PERMISSIONS),
    ):
        group, _created = Group.objects.using(using).get_or_create(name=name)
        group.permissions.add(access_admin, *_permissions(spec, using))
        groups[name] = group

    # Editors and administrators look after the public site's own pages.
    page_actions = ["add_page", "change_page", "publish_page"]
    page_permissions = Permission.objects.using(using).filter(
        content_type__app_label="wagtailcore", codename__in=page_actions
    )
    for home in Page.objects.using(using).filter(depth=2):
        for group in (groups[EDITORS], groups[ADMINISTRATORS]):
            for permission in page_permissions:
                GroupPagePermission.objects.using(using).get_or_create(
                    group=group, page=home, permission=permission
                )

    from .models import CurationTask

    workflow, _created = Workflow.objects.using(using).get_or_create(name=WORKFLOW_NAME)
    # Step one passes at once for a curator's own submission (CurationTask); step two, the
    # editors', is Wagtail's plain group approval: nothing is published without an editor.
    for order, (task_name, group, task_model) in enumerate(
        (
            (CURATION_TASK, groups[CURATORS], CurationTask),
            (PUBLICATION_TASK, groups[EDITORS], GroupApprovalTask),
        )
    ):
        task = task_model.objects.using(using).filter(name=task_name).first()
        if task is None:
            task = task_model.objects.using(using).create(name=task_name)
        task.groups.add(group)
        WorkflowTask.objects.using(using).update_or_create(
            workflow=workflow, task=task, defaults={"sort_order": order}
        )
    organisation_type = ContentType.objects.db_manager(using).get_by_natural_key(
        "organisations", "organisation"
    )
    WorkflowContentType.objects.using(using).update_or_create(
        content_type=organisation_type, defaults={"workflow": workflow}
    )


@transaction.atomic
def suggestion_create(
    *, organisation, text: str, language: str, name: str = "", email: str = ""
) -> Suggestion:
    """Keep a visitor's suggested correction to an organisation's public page for the curators.

    It changes nothing by itself: a curator who agrees edits the record, and the edit goes
    through the workflow like any other."""
    return Suggestion.objects.create(
        organisation=organisation, text=text, language=language, name=name, email=email
    )


# --- Verifications ---------------------------------------------------------------------------------


def next_review_due(verified_at: datetime) -> date:
    """When the next yearly update is due after a verification (``REVIEW_INTERVAL_DAYS``)."""
    return timezone.localtime(verified_at).date() + timedelta(
        days=settings.REPERTOIRE_REVIEW_INTERVAL_DAYS
    )


@transaction.atomic
def verification_record(
    *,
    organisation,
    method: str,
    user=None,
    contact_name: str = "",
    contact_email: str = "",
    note: str = "",
    verified_at: datetime | None = None,
) -> Verification:
    """Record that a person confirmed ``organisation``'s record: a staff ``user`` (by phone,
    email, visit, a reviewed import or an approved proposal) or the organisation's contact
    (through its link).

    The organisation's "last verified", "verified by" and "next review due" follow its latest
    verification; an older one (entered late) is kept in the history without moving them back.
    The record's content is not touched: no revision, nothing to publish. The public page shows
    the new date at once (the public version is bumped).
    """
    from wagtail.log_actions import log

    from organisations.models import Organisation
    from organisations.search import public_version_bump

    if method not in Verification.Method.values:
        raise ValueError(f"Unknown verification method: {method!r}")
    if user is None and not (contact_name or contact_email):
        raise ValueError("A verification needs a person: a staff user or the contact's name.")
    verified_at = verified_at or timezone.now()
    # The row is locked so that two verifications of one record keep the later one's dates.
    locked = Organisation.objects.select_for_update().only(
        "pk", "last_verified_at", "live_revision"
    )
    current = locked.get(pk=organisation.pk)
    verification = Verification.objects.create(
        organisation=current,
        method=method,
        verified_at=verified_at,
        user=user,
        contact_name=contact_name,
        contact_email=contact_email,
        note=note,
        revision_id=current.live_revision_id,
    )
    if current.last_verified_at is None or verified_at >= current.last_verified_at:
        fields = {
            "last_verified_at": verified_at,
            "verified_by": verification.who[:200],
            "next_review_due": next_review_due(verified_at),
        }
        Organisation.objects.filter(pk=current.pk).update(**fields)
        for name, value in fields.items():
            setattr(organisation, name, value)
        transaction.on_commit(public_version_bump)
    log(
        instance=organisation,
        action="repertoire.verify",
        user=user,
        data={"method": method, "verification": verification.pk},
    )
    return verification


def interim_change_record(*, organisation, changed_at: datetime | None = None) -> None:
    """A publication that is not a verification: "last interim change" moves, "last verified"
    does not (a save is never a verification)."""
    from organisations.models import Organisation

    changed_at = changed_at or timezone.now()
    Organisation.objects.filter(pk=organisation.pk).update(last_interim_change_at=changed_at)
    organisation.last_interim_change_at = changed_at


def curator_assign(*, organisations, curator, user) -> int:
    """Give ``organisations`` to ``curator`` (``None``: to nobody) for the yearly cycle; their
    content does not change (no revision). Returns how many were assigned."""
    from wagtail.log_actions import log

    from organisations.models import Organisation

    ids = [organisation.pk for organisation in organisations]
    with transaction.atomic():
        count = Organisation.objects.filter(pk__in=ids).update(assigned_curator=curator)
        for organisation in organisations:
            log(
                instance=organisation,
                action="repertoire.assign",
                user=user,
                data={"curator": curator.pk if curator else None},
            )
    return count

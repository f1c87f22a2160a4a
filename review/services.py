"""Roles and the editorial workflow; the public's suggestions.

Three groups: Curators keep records true (edit, submit for review, never publish), Editors approve
what gets published, Administrators run the system (delete, recover, users, reference data).
One Wagtail workflow on ``Organisation``: a curation task (Curators) then a publication task
(Editors). Editors need the ``publish`` permission, or Wagtail's final approval fails with
``PublishPermissionError`` and the workflow stays in progress.
"""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from .models import Suggestion

CURATORS = "Curators"
EDITORS = "Editors"
ADMINISTRATORS = "Administrators"

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
]
_EDITOR_PERMISSIONS = [
    *_CURATOR_PERMISSIONS,
    ("organisations", "organisation", ["publish", "archive", "unlock"]),
    ("organisations", "category", ["add", "change"]),
]
_ADMINISTRATOR_PERMISSIONS = [
    *_EDITOR_PERMISSIONS,
    ("organisations", "organisation", ["delete"]),
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

    workflow, _created = Workflow.objects.using(using).get_or_create(name=WORKFLOW_NAME)
    for order, (task_name, group) in enumerate(
        ((CURATION_TASK, groups[CURATORS]), (PUBLICATION_TASK, groups[EDITORS]))
    ):
        task = GroupApprovalTask.objects.using(using).filter(name=task_name).first()
        if task is None:
            task = GroupApprovalTask.objects.using(using).create(name=task_name)
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

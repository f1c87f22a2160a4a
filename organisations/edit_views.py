"""The record's edit and workflow-action views: Wagtail's, with messages that say what happened.

Wagtail's French for a submission says the record « a été planifié(e) pour la publication »
(scheduled, which it is not), and approving or rejecting a step from the edit view says only
« modifié(e) »; approving from the dashboard or the listing says nothing at all. The machinery
is Wagtail's; only the sentences are ours (issue 15).
"""

from django.contrib import messages
from django.utils.translation import gettext as _
from wagtail.admin.utils import get_latest_str, get_user_display_name
from wagtail.models import TaskState, WorkflowState
from wagtail.snippets.views.snippets import CreateView, EditView, WorkflowActionView


def submitted_message(obj) -> str:
    return _("The record “%(object)s” is submitted for review.") % {"object": get_latest_str(obj)}


def decided_message(obj, task_state: TaskState) -> str | None:
    """What became of ``obj`` after someone acted on ``task_state`` (approve or reject)."""
    name = get_latest_str(obj)
    workflow_state = task_state.workflow_state
    workflow_state.refresh_from_db()
    if task_state.status == TaskState.STATUS_REJECTED:
        requester = workflow_state.requested_by
        values = {
            "object": name,
            "name": get_user_display_name(requester) if requester else _("the curators"),
        }
        if task_state.comment:
            return _("The record “%(object)s” is sent back to %(name)s with your comment.") % values
        return _("The record “%(object)s” is sent back to %(name)s.") % values
    if task_state.status != TaskState.STATUS_APPROVED:
        return None
    if workflow_state.status == WorkflowState.STATUS_APPROVED:
        return _("The record “%(object)s” is approved and published.") % {"object": name}
    current = workflow_state.current_task_state
    return _("The record “%(object)s” is approved; it now waits for the next step: %(task)s.") % {
        "object": name,
        "task": current.task.name if current else "",
    }


class OrganisationCreateView(CreateView):
    def get_success_message(self, instance=None):
        if self.action == "submit":
            return submitted_message(instance or self.object)
        return super().get_success_message(instance)


class OrganisationEditView(EditView):
    def workflow_action_action(self):
        # The task state acted on, kept to tell what became of it.
        self.acted_task_state = self.object.current_workflow_task_state
        return super().workflow_action_action()

    def get_success_message(self, instance=None):
        obj = instance or self.object
        if self.action == "submit":
            return submitted_message(obj)
        task_state = getattr(self, "acted_task_state", None)
        if self.action == "workflow-action" and task_state is not None:
            task_state.refresh_from_db()
            message = decided_message(obj, task_state)
            if message:
                return message
        return super().get_success_message(instance)


class OrganisationWorkflowActionView(WorkflowActionView):
    """Approve or reject from the dashboard's or the listing's menus."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        self.task_state.refresh_from_db()
        if self.task_state.status != TaskState.STATUS_IN_PROGRESS:
            message = decided_message(self.object, self.task_state)
            if message:
                messages.success(request, message)
        return response

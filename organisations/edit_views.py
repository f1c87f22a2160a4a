"""The record's edit and workflow-action views: Wagtail's, with messages that say what happened.

Wagtail's French for a submission says the record « a été planifié(e) pour la publication »
(scheduled, which it is not), and approving or rejecting a step from the edit view says only
« modifié(e) »; approving from the dashboard or the listing says nothing at all. The machinery
is Wagtail's; only the sentences are ours (issue 15).

No lost update (issue 17): the edit form remembers the revision it was opened on (its *base*),
and a save is refused when someone else saved a revision of the record since: the message says
who, when and which fields, and links to Wagtail's comparison of the base with the latest
revision. Wagtail refuses a stale *autosave* itself (``is_out_of_date``); we refuse every save,
checked again under the record's row lock so that two saves at the same moment cannot both pass.
The revision Wagtail's autosave wrote from this same form (its id sent with the save by
``static/organisations/js/edit-base.js``) is not a conflict; any other revision since is, the
same person's from another window included.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import get_text_list
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.admin import messages as admin_messages
from wagtail.admin.utils import get_latest_str, get_user_display_name
from wagtail.models import Revision, TaskState, WorkflowState
from wagtail.snippets.views.snippets import CreateView, EditView, WorkflowActionView

from .models import Organisation
from .templatetags.directory_tags import clock

# The hidden input that carries the revision the form was opened on. Wagtail's own
# ``loaded_revision_id`` is rewritten to the latest revision whenever the form is shown again
# (after a refused save too), so a second click would pass: ours keeps the base the person saw.
BASE_FIELD = "base_revision_id"


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


class StaleEdit(PermissionDenied):
    """Raised inside the save's transaction when the record changed since the form's base;
    Wagtail's ``form_valid`` turns a ``PermissionDenied`` into a refused save."""


@dataclass
class EditConflict:
    """Revisions of a record saved by others since the base revision of someone's form."""

    organisation: Organisation
    base: Revision | None
    latest: Revision
    others: list[Revision]  # the newer revisions not saved by the person saving, oldest first

    @property
    def names(self) -> list[str]:
        names = []
        for revision in self.others:
            name = (
                get_user_display_name(revision.user)
                if revision.user
                else _("an import or a command")
            )
            if name not in names:
                names.append(name)
        return names

    def message(self) -> str:
        names = self.names
        when = localtime(self.others[-1].created_at)
        return ngettext(
            "%(names)s saved this record after you opened it (last on %(date)s at %(time)s). Your "
            "changes are not saved, so as not to erase theirs: compare the two versions, then "
            "load the latest version and make your changes again.",
            "%(names)s saved this record after you opened it (last on %(date)s at %(time)s). Your "
            "changes are not saved, so as not to erase theirs: compare the two versions, then "
            "load the latest version and make your changes again.",
            len(names),
        ) % {
            "names": get_text_list(names, _("and")),
            "date": date_format(when, "DATE_FORMAT"),
            "time": clock(when.time()),
        }

    def changed_labels(self, panel, request) -> list[str]:
        """The fields that differ between the base and the latest revision, as Wagtail's
        comparison names them."""
        if self.base is None:
            return []
        bound = panel.get_bound_panel(instance=self.organisation, request=request, form=None)
        before, after = self.base.as_object(), self.latest.as_object()
        labels = []
        for comparison_class in bound.get_comparison():
            comparison = comparison_class(before, after)
            if comparison.has_changed():
                labels.append(str(comparison.field_label()))
        return labels


_MISSING = object()


def posted_base(request):
    """The revision id the form was opened on: ``None`` when the record had no revision then,
    ``_MISSING`` when the request does not say (a client that sends no base is not checked, as
    Wagtail does)."""
    raw = request.POST.get(BASE_FIELD, request.POST.get("loaded_revision_id"))
    if raw is None:
        return _MISSING
    raw = raw.strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        return _MISSING


def posted_autosave(request) -> int | None:
    """This form's own autosaved revision, if Wagtail's autosave wrote one (edit-base.js sends
    its id with the save; an autosave sends it as ``overwrite_revision_id``)."""
    raw = request.POST.get("autosaved_revision_id") or request.POST.get("overwrite_revision_id")
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() else None


def edit_conflict(
    organisation: Organisation, base_id, latest_id, user, autosaved_id: int | None = None
) -> EditConflict | None:
    """What was saved of ``organisation`` since ``base_id`` other than this form's own
    autosaved revision (``autosaved_id``, when it is the user's), if anything. ``latest_id`` is
    the record's latest revision as read now. The same person's save from another window, an
    import or a merge they ran meanwhile count as someone else's."""
    if base_id is _MISSING or latest_id is None or latest_id == base_id:
        return None
    newer = Revision.objects.filter(
        base_content_type=organisation.get_base_content_type(), object_id=str(organisation.pk)
    ).select_related("user")
    if base_id is not None:
        newer = newer.filter(pk__gt=base_id)
    others = [
        r
        for r in newer.order_by("pk")
        if not (r.pk == autosaved_id and r.user_id is not None and r.user_id == user.pk)
    ]
    if not others:
        return None
    base = Revision.objects.filter(pk=base_id).first() if base_id is not None else None
    latest = Revision.objects.get(pk=latest_id)
    return EditConflict(organisation=organisation, base=base, latest=latest, others=others)


class OrganisationEditView(EditView):
    # The conflict found on this request, if any (see is_valid and save_instance).
    conflict: EditConflict | None = None

    def get_template_names(self):
        if self.hydrate_create_view:
            return super().get_template_names()
        # Wagtail's snippet edit page with the base revision in the form.
        return ["organisations/admin/edit.html"]

    def base_revision_id(self):
        """The base to carry in the form: the one posted (a refused save keeps what the person
        saw), else the latest revision the page shows."""
        if self.request.method == "POST":
            posted = posted_base(self.request)
            if posted is not _MISSING:
                return posted
        return self.object.latest_revision_id

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["base_revision_id"] = self.base_revision_id()
        # Shown again after a refused save, the form still knows its own autosaved revision.
        context["autosaved_revision_id"] = (
            posted_autosave(self.request) if self.request.method == "POST" else None
        )
        return context

    def _find_conflict(self, latest_id) -> EditConflict | None:
        # Autosave too: after a refused save the form's ``loaded_revision_id`` is the latest
        # revision, so Wagtail's own check (is_out_of_date) would let the stale form's autosave
        # write over the other person's save; the base carried in the form does not.
        return edit_conflict(
            self.object,
            posted_base(self.request),
            latest_id,
            self.request.user,
            posted_autosave(self.request),
        )

    def is_valid(self, form):
        valid = super().is_valid(form)
        if getattr(self, "produced_error_code", None) in ("locked", "invalid_revision"):
            return valid
        self.conflict = self._find_conflict(self.object.latest_revision_id)
        if self.conflict:
            self.produced_error_code = "invalid_revision"
            self.produced_error_message = self.conflict.message()
            return False
        return valid

    def save_instance(self):
        # Inside the save's transaction: the record's row locked, its latest revision read
        # again, so that of two saves at the same moment the second one sees the first.
        latest_id = (
            Organisation.objects.select_for_update()
            .filter(pk=self.object.pk)
            .values_list("latest_revision_id", flat=True)
            .first()
        )
        self.conflict = self._find_conflict(latest_id)
        if self.conflict:
            raise StaleEdit(self.conflict.message())
        return super().save_instance()

    def form_invalid(self, form):
        if self.conflict is None or self.expects_json_response:
            return super().form_invalid(form)  # autosave: Wagtail's answer says it
        conflict = self.conflict
        buttons = []
        if conflict.base is not None and self.revisions_compare_url_name:
            compare_url = reverse(
                self.revisions_compare_url_name,
                args=(quote(self.object.pk), conflict.base.pk, conflict.latest.pk),
            )
            # A new tab: the changes typed in this form stay on screen meanwhile.
            buttons.append(admin_messages.button(compare_url, _("Compare the versions"), True))
        buttons.append(admin_messages.button(self.get_edit_url(), _("Load the latest version")))
        labels = conflict.changed_labels(self.panel, self.request)
        detail = ""
        if labels:
            detail = format_html(
                '<p>{}</p><ul class="errorlist">{}</ul>',
                _("Changed since you opened it:"),
                format_html_join("", "<li>{}</li>", ((label,) for label in labels)),
            )
        messages.error(
            self.request, admin_messages.render(conflict.message(), buttons, detail=detail)
        )
        self.produced_error_message = None  # said above, with the buttons
        return super().form_invalid(form)

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

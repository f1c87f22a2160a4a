"""The admin side of the review app: the yearly review (report, home panel, "my queue",
recording a verification, assigning records to curators) and the public's suggestions."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.home import WorkflowObjectsToModeratePanel
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from organisations import hooks as organisation_hooks
from organisations.models import Organisation

from . import admin_views
from .forms import AssignCuratorForm
from .models import Suggestion, UpdateRequest


class SuggestionViewSet(SnippetViewSet):
    """Read-mostly: what the visitor wrote is kept as it came; a curator marks it handled once
    the record is corrected (or the suggestion turned down). Curators and editors may view and
    change, never add (roles in services.py)."""

    model = Suggestion
    icon = "comment"
    menu_label = _("Suggestions")
    menu_order = 150
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    list_per_page = 50
    ordering = ["-created_at"]
    list_filter = ["status"]
    list_display = [
        "short_text",
        TitleColumn(
            "organisation",
            label=_("Organisation"),
            get_url=lambda suggestion: suggestion.organisation.get_admin_url(),
        ),
        DateColumn("created_at", label=_("Received"), sort_key="created_at"),
        Column("get_status_display", label=_("Status"), sort_key="status"),
    ]
    panels = [
        FieldRowPanel(
            [FieldPanel("organisation", read_only=True), FieldPanel("created_at", read_only=True)]
        ),
        FieldPanel("text", read_only=True),
        FieldRowPanel(
            [
                FieldPanel("name", read_only=True),
                FieldPanel("email", read_only=True),
                FieldPanel("language", read_only=True),
            ]
        ),
        FieldPanel("status"),
    ]

    def get_queryset(self, request):
        return Suggestion.objects.select_related("organisation")


register_snippet(SuggestionViewSet)


class UpdateRequestViewSet(SnippetViewSet):
    """The update requests sent, read-only: who was asked, when, what became of it. Revoke
    stops a request's links (the bulk action below)."""

    model = UpdateRequest
    icon = "mail"
    menu_label = _("Update requests")
    menu_order = 163
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    list_per_page = 50
    ordering = ["-created_at"]
    list_filter = ["status", "language"]
    list_display = [
        TitleColumn(
            "organisation",
            label=_("Organisation"),
            get_url=lambda request: request.organisation.get_admin_url(),
        ),
        "email",
        Column("get_status_display", label=_("Status"), sort_key="status"),
        DateColumn("sent_at", label=_("Sent"), sort_key="sent_at"),
        DateColumn("opened_at", label=_("Opened"), sort_key="opened_at"),
        DateColumn("answered_at", label=_("Answered"), sort_key="answered_at"),
        Column("reminders_sent", label=_("Reminders"), sort_key="reminders_sent"),
    ]
    panels = [
        FieldPanel(name, read_only=True)
        for name in (
            "organisation",
            "email",
            "language",
            "status",
            "created_at",
            "expires_at",
            "sent_at",
            "opened_at",
            "answered_at",
            "revoked_at",
            "reminders_sent",
            "attempts",
            "error",
        )
    ]

    def get_queryset(self, request):
        return UpdateRequest.objects.select_related("organisation")


register_snippet(UpdateRequestViewSet)


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action("repertoire.verify", _("Verify"), _("Verified"))
    actions.register_action("repertoire.assign", _("Assign"), _("Assigned to a curator"))


# --- The yearly review ----------------------------------------------------------------------------


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("review/", admin_views.report, name="review_report"),
        path("review/export/", admin_views.export, name="review_export"),
        path("review/verify/<int:pk>/", admin_views.verify, name="review_verify"),
        path("review/proposals/", admin_views.proposal_queue, name="review_proposals"),
        path("review/proposals/<int:pk>/", admin_views.proposal_review, name="review_proposal"),
    ]


class StaffMenuItem(MenuItem):
    """For the data team (curators, editors, administrators), who keep the records: not for
    those who only read the directory (the information-and-referral agents)."""

    def is_shown(self, request):
        return request.user.has_perm("organisations.change_organisation")


def my_queue_url(user) -> str:
    """The organisations assigned to ``user``, soonest due first: the organisation listing,
    filtered (Wagtail's own listing, with its search, filters and bulk actions)."""
    base = reverse("wagtailsnippets_organisations_organisation:list")
    return f"{base}?assigned_curator={user.pk}&status=active&ordering=next_review_due"


class MyQueueMenuItem(StaffMenuItem):
    def render_component(self, request):
        self.url = my_queue_url(request.user)
        return super().render_component(request)


@hooks.register("register_admin_menu_item")
def review_report_menu_item():
    return StaffMenuItem(_("Yearly review"), reverse("review_report"), icon_name="tasks", order=160)


class CuratorMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("organisations.change_organisation")


@hooks.register("register_admin_menu_item")
def proposals_menu_item():
    return CuratorMenuItem(_("Proposals"), reverse("review_proposals"), icon_name="mail", order=162)


@hooks.register("register_admin_menu_item")
def my_queue_menu_item():
    return MyQueueMenuItem(_("My queue"), "#", icon_name="list-ul", order=161)


class ReviewPanel(Component):
    """The home page's summary of the year: coverage, overdue, due soon, the user's queue."""

    name = "yearly_review"
    template_name = "review/admin/home_panel.html"
    order = 50

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        from .selectors import review_status

        status = review_status()
        user = self.request.user
        queue = Organisation.objects.filter(
            assigned_curator=user, status=Organisation.Status.ACTIVE
        ).count()
        return {
            "status": status,
            "coverage_percent": round(status.totals.coverage * 100, 1),
            "my_queue": queue,
            "queue_url": my_queue_url(user) if queue else "",
            **admin_views.listing_links(),
        }


@hooks.register("insert_global_admin_css")
def review_admin_css():
    from django.templatetags.static import static
    from django.utils.html import format_html

    return format_html(
        '<link rel="stylesheet" href="{}"><link rel="stylesheet" href="{}">',
        static("review/css/admin.css"),
        static("review/css/compare.css"),
    )


class AwaitingApprovalPanel(Component):
    """The home page's first panel for whoever approves a step: the records waiting for her,
    oldest first, each with what it changes against the public version one click away.

    Wagtail's own "Awaiting your review" panel lists them too, but its comparison link hides in
    a menu and it names neither the step nor what a record's review is about; it keeps the
    pages (``PagesAwaitingReviewPanel``)."""

    name = "awaiting_approval"
    template_name = "review/admin/awaiting_approval_panel.html"
    order = 10
    LIMIT = 50

    def __init__(self, states, total):
        self.states = states
        self.total = total

    @classmethod
    def for_user(cls, user) -> "AwaitingApprovalPanel | None":
        from django.contrib.contenttypes.models import ContentType
        from wagtail.models import TaskState

        states = (
            TaskState.objects.reviewable_by(user)
            .filter(
                workflow_state__base_content_type=ContentType.objects.get_for_model(Organisation)
            )
            .select_related("revision__user", "task", "workflow_state__requested_by")
            .order_by("started_at", "pk")
        )
        found = list(states[: cls.LIMIT])
        if not found:
            return None
        records = Organisation.objects.in_bulk(
            [int(state.workflow_state.object_id) for state in found]
        )
        rows = []
        for state in found:
            organisation = records.get(int(state.workflow_state.object_id))
            if organisation is None:
                continue
            compare_url = ""
            if organisation.live_revision_id:
                compare_url = reverse(
                    "wagtailsnippets_organisations_organisation:revisions_compare",
                    args=[organisation.pk, "live", state.revision_id],
                )
            rows.append(
                {
                    "organisation": organisation,
                    "state": state,
                    "submitter": state.workflow_state.requested_by,
                    "edit_url": organisation.get_admin_url(),
                    "compare_url": compare_url,
                }
            )
        total = len(found) if len(found) < cls.LIMIT else states.count()
        return cls(rows, total)

    def get_context_data(self, parent_context):
        return {"rows": self.states, "total": self.total, "limit": self.LIMIT}


def _is_administrator(user) -> bool:
    return user.is_superuser or user.has_perm("organisations.delete_organisation")


@hooks.register("construct_homepage_summary_items")
def summary_for_administrators_only(request, summary_items):
    """Wagtail's counts of pages, images and documents mean nothing to a curator or an editor:
    their home starts with their work."""
    if not _is_administrator(request.user):
        summary_items.clear()


class PagesAwaitingReviewPanel(WorkflowObjectsToModeratePanel):
    """Wagtail's "Awaiting your review", without the organisations (``AwaitingApprovalPanel``)."""

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["states"] = [
            state for state in context["states"] if not isinstance(state["obj"], Organisation)
        ]
        return context


@hooks.register("construct_homepage_panels")
def add_review_panel(request, panels):
    if request.user.has_perm("organisations.change_organisation"):
        panels.append(ReviewPanel(request))
    awaiting = AwaitingApprovalPanel.for_user(request.user)
    if awaiting is not None:
        panels.append(awaiting)
        # Wagtail's own list would show the same records a second time: it keeps the pages.
        for index, panel in enumerate(panels):
            if type(panel) is WorkflowObjectsToModeratePanel:
                panels[index] = PagesAwaitingReviewPanel()


@hooks.register("register_snippet_listing_buttons")
def verify_button(snippet, user, next_url=None):
    if isinstance(snippet, Organisation) and user.has_perm("organisations.change_organisation"):
        url = reverse("review_verify", args=[snippet.pk])
        if next_url:
            from urllib.parse import urlencode

            url += "?" + urlencode({"next": next_url})
        yield ListingButton(_("Record a verification"), url, icon_name="tasks", priority=55)


@hooks.register(organisation_hooks.VERIFICATION_URL)
def verification_url(organisation):
    """The data-quality panel links a problem with "last verified" to the verification form."""
    return reverse("review_verify", args=[organisation.pk])


@hooks.register("register_snippet_action_menu_item")
def verify_action_menu_item(model):
    if model is not Organisation:
        return None
    from wagtail.snippets.action_menu import ActionMenuItem

    class VerifyMenuItem(ActionMenuItem):
        name = "action-verify"
        label = _("Record a verification")
        icon_name = "tasks"
        order = 90

        def is_shown(self, context):
            return context.get("view") == "edit" and context["request"].user.has_perm(
                "organisations.change_organisation"
            )

        def get_url(self, context):
            return reverse("review_verify", args=[context["instance"].pk])

    return VerifyMenuItem()


class AssignCuratorBulkAction(SnippetBulkAction):
    display_name = _("Assign to a curator")
    aria_label = _("Assign the selected organisations to a curator")
    action_type = "assign_curator"
    template_name = "review/admin/confirm_bulk_assign.html"
    action_priority = 40
    models = [Organisation]
    form_class = AssignCuratorForm

    def check_perm(self, snippet):
        return self.request.user.has_perm("organisations.change_organisation")

    def get_execution_context(self):
        return {"curator": self.cleaned_form.cleaned_data["curator"], "user": self.request.user}

    @classmethod
    def execute_action(cls, objects, curator=None, user=None, **kwargs):
        from .services import curator_assign

        return curator_assign(organisations=list(objects), curator=curator, user=user), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        curator = self.cleaned_form.cleaned_data["curator"]
        if curator is None:
            return ngettext(
                "%(count)d organisation is no longer assigned.",
                "%(count)d organisations are no longer assigned.",
                num_parent_objects,
            ) % {"count": num_parent_objects}
        return ngettext(
            "%(count)d organisation assigned to %(name)s.",
            "%(count)d organisations assigned to %(name)s.",
            num_parent_objects,
        ) % {
            "count": num_parent_objects,
            "name": curator.get_full_name() or curator.get_username(),
        }


hooks.register("register_bulk_action", AssignCuratorBulkAction)


class SendUpdateRequestBulkAction(SnippetBulkAction):
    display_name = _("Send an update request")
    aria_label = _("Email the selected organisations a link to check their record")
    action_type = "send_update_request"
    template_name = "review/admin/confirm_bulk_update_request.html"
    action_priority = 45
    models = [Organisation]

    def check_perm(self, snippet):
        return self.request.user.has_perm("organisations.change_organisation")

    def get_execution_context(self):
        from .requests import Outcome

        self.outcome = Outcome()  # filled by execute_action, told in the success message
        return {"user": self.request.user, "outcome": self.outcome}

    @classmethod
    def execute_action(cls, objects, user=None, outcome=None, **kwargs):
        from .requests import requests_create

        found = requests_create(list(objects), user=user)
        if outcome is not None:
            outcome.__dict__.update(found.__dict__)
        return len(found.requested), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        outcome = self.outcome
        message = ngettext(
            "%(count)d update request is on its way.",
            "%(count)d update requests are on their way.",
            num_parent_objects,
        ) % {"count": num_parent_objects}
        if outcome.no_email:
            names = ", ".join(o.name for o in outcome.no_email[:10])
            message += " " + ngettext(
                "%(count)d has no contact email for updating (phone it): %(names)s.",
                "%(count)d have no contact email for updating (phone them): %(names)s.",
                len(outcome.no_email),
            ) % {"count": len(outcome.no_email), "names": names}
        if outcome.already_open:
            message += " " + ngettext(
                "%(count)d already has a request under way.",
                "%(count)d already have a request under way.",
                len(outcome.already_open),
            ) % {"count": len(outcome.already_open)}
        return message


hooks.register("register_bulk_action", SendUpdateRequestBulkAction)


class RevokeUpdateRequestBulkAction(SnippetBulkAction):
    display_name = _("Revoke")
    aria_label = _("Revoke the selected update requests: their links stop working")
    action_type = "revoke"
    template_name = "review/admin/confirm_bulk_revoke.html"
    action_priority = 30
    models = [UpdateRequest]

    def check_perm(self, snippet):
        return self.request.user.has_perm("review.change_updaterequest")

    @classmethod
    def execute_action(cls, objects, **kwargs):
        from .requests import requests_revoke

        return requests_revoke(list(objects)), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d update request revoked: its links no longer work.",
            "%(count)d update requests revoked: their links no longer work.",
            num_parent_objects,
        ) % {"count": num_parent_objects}


hooks.register("register_bulk_action", RevokeUpdateRequestBulkAction)

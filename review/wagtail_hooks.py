"""The admin side of the review app: the public's suggestions, read by curators and editors."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Suggestion


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


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action("repertoire.verify", _("Verify"), _("Verified"))

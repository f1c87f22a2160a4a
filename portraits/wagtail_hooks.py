"""The agents' menu « Demandes » (record a request, my requests) and its admin URLs."""

from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.components import Component

from . import admin_views


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("requests/", admin_views.mine, name="portraits_mine"),
        path("requests/new/", admin_views.record, name="portraits_record"),
        path("requests/<int:pk>/", admin_views.correct, name="portraits_correct"),
        path("requests/lookup/", admin_views.lookup, name="portraits_lookup"),
    ]


class _PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_menu_item")
def requests_menu_item():
    return SubmenuMenuItem(
        _("Requests"),
        Menu(
            items=[
                _PermissionMenuItem(
                    _("Record a request"),
                    reverse("portraits_record"),
                    name="record-request",
                    icon_name="plus",
                    order=10,
                    permission="portraits.add_request",
                ),
                _PermissionMenuItem(
                    _("My requests"),
                    reverse("portraits_mine"),
                    name="my-requests",
                    icon_name="list-ul",
                    order=20,
                    permission="portraits.view_request",
                ),
            ]
        ),
        name="requests",
        icon_name="clipboard-list",
        order=120,
    )


@hooks.register("insert_global_admin_css")
def portraits_admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("portraits/record.css"))


# The reports on requests (Reports › Requests and needs) register their own hooks.
from . import report_views  # noqa: E402, F401


class AgentPanel(Component):
    """The agent's home: record a call in one click, and today's requests below (to correct one)."""

    name = "agent_requests"
    order = 50
    template_name = "portraits/home_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        from .selectors import agent_requests

        return {
            "rows": [
                {"request": saved, "correctable": not saved.why_not_correctable(self.request.user)}
                for saved in agent_requests(self.request.user, days=1)[:10]
            ],
            "record_url": reverse("portraits_record"),
            "mine_url": reverse("portraits_mine"),
        }


@hooks.register("construct_homepage_panels")
def add_agent_panel(request, panels):
    if request.user.has_perm(admin_views.RECORD):
        panels.insert(0, AgentPanel(request))

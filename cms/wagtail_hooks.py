"""Site-wide admin: the locked sign-ins screen (Settings) and how lockouts read in the history."""

from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.log_actions import LogFormatter
from wagtail.permissions import register_permission_policy

from . import login_throttling, search_demand_views, search_promotions, search_promotions_views


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("logins/locked/", login_throttling.lockouts_view, name="login_lockouts"),
        path("logins/locked/unlock/", login_throttling.unlock_view, name="login_unlock"),
        *search_demand_views.urlpatterns,
    ]


class UnlockMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(login_throttling.UNLOCK_PERMISSION)


@hooks.register("register_settings_menu_item")
def lockouts_menu_item():
    return UnlockMenuItem(
        gettext_lazy("Locked sign-ins"), reverse("login_lockouts"), icon_name="lock", order=610
    )


@hooks.register("register_log_actions")
def register_log_actions(actions):
    @actions.register_action("repertoire.login_locked")
    class LoginLocked(LogFormatter):
        label = gettext_lazy("Sign-in paused")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            if data.get("whole_address"):
                return _(
                    "Signing in paused for every account from %(address)s after %(failures)s failed attempts"
                ) % {"address": data.get("ip_address"), "failures": data.get("failures")}
            return _("Signing in paused from %(address)s after %(failures)s failed attempts") % {
                "address": data.get("ip_address"),
                "failures": data.get("failures"),
            }

    @actions.register_action("repertoire.login_unlocked")
    class LoginUnlocked(LogFormatter):
        label = gettext_lazy("Sign-in unlocked")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            if data.get("ip_address"):
                return _("Signing in unlocked from %(address)s") % {"address": data["ip_address"]}
            if data.get("account"):
                return _("Signing in unlocked for this account")
            return _("Signing in unlocked for “%(name)s” (no such account)") % {
                "name": data.get("username")
            }


# --- Search demand (cms/search_demand.py): Reports › Search demand ---------------------------------


class SearchDemandMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(search_demand_views.PERMISSION)


@hooks.register("register_reports_menu_item")
def search_demand_menu_item():
    return SearchDemandMenuItem(
        gettext_lazy("Search demand"),
        reverse("search_demand_report"),
        name="search-demand",
        icon_name="search",
        order=150,
    )


# --- Promoted organisations (cms/search_promotions.py): Reports › Promoted organisations ----------

register_permission_policy(
    search_promotions.OrganisationPromotion,
    search_promotions_views.CuratorsPolicy(search_promotions.OrganisationPromotion),
)


@hooks.register("register_admin_viewset")
def promotion_viewsets():
    return [search_promotions_views.promotion_viewset, search_promotions_views.organisation_chooser]


@hooks.register("register_actions")
def promotion_actions(registry):
    # Wagtail's create, edit and delete, which also bump the public version.
    model = search_promotions.OrganisationPromotion
    registry.register(model, search_promotions.CreatePromotionAction)
    registry.register(model, search_promotions.EditPromotionAction)
    registry.register(model, search_promotions.DeletePromotionAction)


@hooks.register("construct_settings_menu")
def hide_page_promotions(request, menu_items):
    """Wagtail's promoted results point at pages, which the directory's search does not show:
    its menu entry would offer a promotion that never appears."""
    menu_items[:] = [item for item in menu_items if item.name != "promoted-search-results"]

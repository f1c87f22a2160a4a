"""The admin side of imports: the wizard's pages, the mapping profiles, and an "Imports" menu
holding both."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from organisations import hooks as organisation_hooks

from . import admin_views
from .columns import TARGETS
from .forms import MappingProfileForm
from .models import MappingProfile

# --- Mapping profiles -----------------------------------------------------------------------------


class MappingProfilePermissionPolicy(ModelPermissionPolicy):
    """The built-in ``default`` profile follows the code (``export_records`` writes what it
    reads): nobody edits or deletes it; copy it to make a partner's own."""

    def user_has_permission_for_instance(self, user, action, instance):
        if action in ("change", "delete") and instance.is_default:
            return False
        return super().user_has_permission_for_instance(user, action, instance)


# Registered before any view asks for the model's policy (Wagtail requires it).
register_permission_policy(MappingProfile, MappingProfilePermissionPolicy(MappingProfile))


class _DefaultIsReadOnly:
    """Edit and delete views send the default profile back to its read-only page, saying why."""

    def dispatch(self, request, *args, **kwargs):
        profile = getattr(self, "object", None) or self.get_object()
        if profile.is_default:
            messages.error(
                request,
                _(
                    "The default profile reads back Répertoire's own export and follows the "
                    "code: it cannot be changed. Copy it to make a partner's profile."
                ),
            )
            return redirect("mapping_profiles:inspect", profile.pk)
        return super().dispatch(request, *args, **kwargs)


class MappingProfileEditView(_DefaultIsReadOnly, generic.EditView):
    pass


class MappingProfileDeleteView(_DefaultIsReadOnly, generic.DeleteView):
    pass


class MappingProfileIndexView(generic.IndexView):
    def get_edit_url(self, instance):
        if instance.is_default:
            return self.get_inspect_url(instance)
        return super().get_edit_url(instance)


def _fields_help() -> str:
    from django.utils.html import format_html, format_html_join

    rows = format_html_join(
        "", "<tr><td><code>{}</code></td><td>{}</td></tr>", ((t.key, t.label) for t in TARGETS)
    )
    return format_html(
        '<details><summary>{}</summary><table class="listing"><thead><tr><th scope="col">{}</th>'
        '<th scope="col">{}</th></tr></thead><tbody>{}</tbody></table></details>',
        _("The fields a column can feed"),
        _("Key"),
        _("Field"),
        rows,
    )


class MappingProfileViewSet(ModelViewSet):
    """How to read each partner's files. Made from the import wizard most of the time; edited
    here when a partner changes its columns."""

    model = MappingProfile
    name = "mapping_profiles"
    url_prefix = "imports/profiles"
    icon = "table"
    menu_label = _("Import profiles")
    index_view_class = MappingProfileIndexView
    edit_view_class = MappingProfileEditView
    delete_view_class = MappingProfileDeleteView
    inspect_view_enabled = True
    inspect_view_fields = [
        "label",
        "name",
        "scheme",
        "layout",
        "columns",
        "category_map",
        "created_by",
        "created_at",
        "updated_at",
    ]
    copy_view_enabled = True
    list_display = [
        "label",
        "name",
        Column("get_layout_display", label=_("Layout"), sort_key="layout"),
        "scheme",
        DateColumn("updated_at", label=_("Updated"), sort_key="updated_at"),
    ]
    search_fields = ["label", "name", "scheme"]
    ordering = ["label"]

    @cached_property
    def edit_handler(self):
        return ObjectList(
            [
                FieldRowPanel([FieldPanel("label"), FieldPanel("name")]),
                FieldRowPanel([FieldPanel("scheme"), FieldPanel("layout")]),
                FieldPanel("columns"),
                HelpPanel(content=_fields_help()),
                FieldPanel("category_map"),
            ],
            base_form_class=MappingProfileForm,
        )


profiles = MappingProfileViewSet()


@hooks.register("register_admin_viewset")
def register_mapping_profiles():
    return profiles


# --- The wizard -----------------------------------------------------------------------------------


@hooks.register("register_admin_urls")
def register_admin_urls():
    urls = [
        path("", admin_views.index, name="index"),
        path("upload/", admin_views.upload, name="upload"),
        path("export/<str:format>/", admin_views.export, name="export"),
        path("<int:pk>/", admin_views.batch, name="batch"),
        path("<int:pk>/mapping/", admin_views.mapping, name="mapping"),
        path("<int:pk>/progress/", admin_views.progress, name="progress"),
        path("<int:pk>/decide/", admin_views.decide, name="decide"),
        path("<int:pk>/apply/", admin_views.apply, name="apply"),
        path("<int:pk>/rollback/", admin_views.rollback, name="rollback"),
        path("<int:pk>/original/", admin_views.original, name="original"),
    ]
    return [path("imports/", include((urls, "imports"), namespace="imports"))]


@hooks.register(organisation_hooks.LISTING_MORE_BUTTONS)
def export_buttons(request) -> list:
    """The organisation listing's "Export for import" buttons, carrying its filters and search."""
    if not request.user.has_perm("organisations.view_organisation"):
        return []
    query = request.GET.copy()
    for key in ("p", "export"):
        query.pop(key, None)
    suffix = f"?{query.urlencode()}" if query else ""
    return [
        Button(
            _("Export for import (%(format)s)") % {"format": format},
            url=reverse("imports:export", args=[format]) + suffix,
            icon_name="download",
            priority=110 + index,
        )
        for index, format in enumerate(("xlsx", "csv"))
    ]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_menu_item")
def imports_menu_item():
    """Next to the organisations: import a file, the imports made, the partners' profiles."""
    menu = Menu(
        items=[
            PermissionMenuItem(
                _("Import a file"),
                reverse("imports:upload"),
                icon_name="upload",
                order=10,
                permission=admin_views.ADD,
            ),
            PermissionMenuItem(
                _("Imports"),
                reverse("imports:index"),
                icon_name="list-ul",
                order=20,
                permission=admin_views.VIEW,
            ),
            profiles.get_menu_item(order=30),
        ]
    )
    return SubmenuMenuItem(_("Imports"), menu, icon_name="upload", order=170)


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action(
        "repertoire.import", _("Import from a partner file"), _("Imported from a partner file")
    )
    actions.register_action(
        "repertoire.import_rollback", _("Roll back an import"), _("Import rolled back")
    )

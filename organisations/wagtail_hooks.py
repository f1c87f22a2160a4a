from urllib.parse import quote

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    HelpPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
)
from wagtail.admin.ui.tables import Column, LiveStatusTagColumn
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from . import views
from .audit import snapshot_record
from .compare import TabbedInterfaceInWords
from .edit_views import (
    OrganisationCreateView,
    OrganisationEditView,
    OrganisationWorkflowActionView,
)
from .filters import OrganisationFilterSet
from .forms import OrganisationForm
from .hooks import listing_more_buttons
from .lib.formulas import neutralise_formula
from .models import AuditSource, Category, GeocodePrecision, Location, Organisation, Territory
from .panels import PinMapPanel
from .quality.panels import QualityPanel
from .search import public_version_bump
from .selectors import with_editorial_state
from .services import organisation_geocode_later
from .tasks import rebuild_search_index

SERVICE_PANELS = [
    FieldRowPanel([FieldPanel("name_fr"), FieldPanel("name_en")]),
    FieldRowPanel([FieldPanel("description_fr"), FieldPanel("description_en")]),
    FieldRowPanel([FieldPanel("eligibility_fr"), FieldPanel("eligibility_en")]),
    FieldRowPanel([FieldPanel("fees_fr"), FieldPanel("fees_en")]),
    FieldRowPanel([FieldPanel("application_process_fr"), FieldPanel("application_process_en")]),
    FieldRowPanel([FieldPanel("languages"), FieldPanel("status"), FieldPanel("status_changed_at")]),
    FieldPanel("categories"),
    FieldPanel("service_areas"),
]

HOURS_PANELS = [
    FieldRowPanel([FieldPanel("weekday"), FieldPanel("opens"), FieldPanel("closes")]),
    FieldRowPanel([FieldPanel("note_fr"), FieldPanel("note_en")]),
]

LOCATION_PANELS = [
    FieldPanel("name"),
    FieldRowPanel([FieldPanel("street_address"), FieldPanel("unit")]),
    FieldRowPanel([FieldPanel("municipality"), FieldPanel("postal_code")]),
    FieldPanel("address_is_confidential"),
    MultiFieldPanel(
        [
            FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
            FieldPanel("coordinates_locked"),
            PinMapPanel(),
            FieldRowPanel(
                [
                    FieldPanel("geocode_precision", read_only=True),
                    FieldPanel("geocode_source", read_only=True),
                    FieldPanel("geocoded_at", read_only=True),
                ]
            ),
            FieldRowPanel(
                [
                    FieldPanel("geocode_doubt", read_only=True),
                    FieldPanel("geocode_label", read_only=True),
                ]
            ),
        ],
        heading=_("Map position"),
    ),
    FieldRowPanel([FieldPanel("accessibility_fr"), FieldPanel("accessibility_en")]),
    InlinePanel("hours", label=_("Opening hours"), panels=HOURS_PANELS),
]

PHONE_PANELS = [
    FieldRowPanel([FieldPanel("number"), FieldPanel("extension"), FieldPanel("kind")]),
    FieldRowPanel([FieldPanel("label_fr"), FieldPanel("label_en")]),
]

CONTACT_PANELS = [
    FieldRowPanel([FieldPanel("name"), FieldPanel("title")]),
    FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
    FieldPanel("note"),
]

ORGANISATION_EDIT_HANDLER = TabbedInterfaceInWords(
    [
        ObjectList(
            [
                QualityPanel(),
                FieldPanel("name"),
                FieldRowPanel([FieldPanel("alternate_name"), FieldPanel("slug")]),
                FieldPanel("description_fr"),
                FieldPanel("description_en"),
                FieldRowPanel([FieldPanel("email"), FieldPanel("website")]),
                FieldRowPanel(
                    [
                        FieldPanel("legal_status"),
                        FieldPanel("enterprise_number"),
                        FieldPanel("charity_number"),
                    ]
                ),
                InlinePanel(
                    "identifiers",
                    label=_("Partner identifiers"),
                    panels=[FieldRowPanel([FieldPanel("scheme"), FieldPanel("identifier")])],
                ),
            ],
            heading=_("Organisation"),
        ),
        ObjectList(
            [InlinePanel("services", label=_("Service"), panels=SERVICE_PANELS)],
            heading=_("Services"),
        ),
        ObjectList(
            [InlinePanel("locations", label=_("Location"), panels=LOCATION_PANELS)],
            heading=_("Locations and hours"),
        ),
        ObjectList(
            [InlinePanel("phones", label=_("Phone"), panels=PHONE_PANELS)],
            heading=_("Phones"),
        ),
        ObjectList(
            [
                HelpPanel(
                    content=_(
                        "Private: nothing on this tab is ever published. “Last verified” changes "
                        "only when a person records a verification, never when the record is saved."
                    )
                ),
                MultiFieldPanel(
                    [
                        FieldRowPanel(
                            [FieldPanel("update_contact_name"), FieldPanel("update_contact_email")]
                        ),
                        FieldRowPanel(
                            [FieldPanel("update_contact_phone"), FieldPanel("preferred_language")]
                        ),
                    ],
                    heading=_("Contact for updating"),
                ),
                InlinePanel(
                    "contacts",
                    label=pgettext_lazy("private contact person", "Contact"),
                    panels=CONTACT_PANELS,
                ),
                MultiFieldPanel(
                    [
                        FieldPanel("status", read_only=True),
                        FieldRowPanel(
                            [
                                FieldPanel("last_verified_at", read_only=True),
                                FieldPanel("verified_by", read_only=True),
                            ]
                        ),
                        FieldRowPanel(
                            [
                                FieldPanel("next_review_due", read_only=True),
                                FieldPanel("last_interim_change_at", read_only=True),
                            ]
                        ),
                        FieldPanel("assigned_curator", read_only=True),
                    ],
                    heading=_("Yearly review"),
                ),
            ],
            heading=_("Follow-up (private)"),
        ),
    ],
    base_form_class=OrganisationForm,
)


def map_position(organisation) -> str:
    """The list's "Map position" column, from the annotations of ``get_queryset``."""
    if getattr(organisation, "has_doubtful_geocode", False):
        return _("Doubtful")
    precision = getattr(organisation, "first_geocode_precision", None)
    if precision is None:
        return "—"  # no location
    if getattr(organisation, "first_latitude", None) is None:
        return _("Missing")
    return GeocodePrecision(precision).label if precision else _("Unknown")


def curator_name(organisation) -> str:
    curator = organisation.assigned_curator
    return (curator.get_full_name() or curator.get_username()) if curator else ""


class DayColumn(Column):
    """A date as a day, with how far it is from today: « 8 décembre 2026 · dans 2 jours ». A due
    date in the past reads « en retard de 3 jours » (``due=True``). Wagtail's ``DateColumn``
    shows instants (« Il y a 0 minute » for a review due later today)."""

    cell_template_name = "organisations/admin/day_cell.html"

    def __init__(self, name, *, due: bool = False, empty_text: str = "", **kwargs):
        super().__init__(name, **kwargs)
        self.due = due
        self.empty_text = empty_text

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["today"] = timezone.localdate().isoformat()
        return context


class OrganisationIndexView(IndexView):
    def paginate_queryset(self, queryset, page_size):
        paginator, page, _object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = with_editorial_state(list(page.object_list))
        return paginator, page, page.object_list, is_paginated

    @cached_property
    def columns(self):
        """The map position is a column when the curator is working on it (filtering by it): on
        every list it pushed the names into a 60 px column at 1366 px."""
        columns = super().columns
        if self.request.GET.get("map_position"):
            return columns
        return [column for column in columns if column.name != "map_position"]

    def get_list_buttons(self, instance):
        """Wagtail hands the row buttons ``request.path`` as the page to come back to, which
        drops the filters (« À faire d’ici 60 jours ») and is the results fragment's address when
        the list was filtered in place: come back to the list as the curator sees it."""
        buttons = super().get_list_buttons(instance)
        bare = "next=" + quote(self.request.path, safe="")
        wanted = "next=" + quote(self._return_url, safe="")
        for button in buttons:
            for item in [button, *getattr(button, "dropdown_buttons", [])]:
                if getattr(item, "url", None) and bare in item.url:
                    item.url = item.url.replace(bare, wanted)
        return buttons

    @cached_property
    def _return_url(self) -> str:
        query = self.request.GET.urlencode()
        return f"{self.index_url}?{query}" if query else self.index_url

    @cached_property
    def header_more_buttons(self):
        # Other parts' buttons (the export an import reads back): hooks.LISTING_MORE_BUTTONS.
        return [*super().header_more_buttons, *listing_more_buttons(self.request)]

    def preprocess_field_value(self, field, value, export_format):
        # Wagtail's list export escapes nothing; a name such as "=HYPERLINK(...)" must not run
        # as a formula in the curator's spreadsheet.
        return neutralise_formula(super().preprocess_field_value(field, value, export_format))


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("Organisations")
    menu_order = 100
    add_to_admin_menu = True
    index_view_class = OrganisationIndexView
    add_view_class = OrganisationCreateView
    edit_view_class = OrganisationEditView
    workflow_action_view_class = OrganisationWorkflowActionView
    edit_handler = ORGANISATION_EDIT_HANDLER
    filterset_class = OrganisationFilterSet
    list_per_page = 50
    ordering = ["name"]
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        "name",
        Column("municipality_name", label=_("Municipality")),
        # Two different things, two names: whether the organisation still operates, and whether
        # the public sees the latest version of its record (Wagtail's own tag).
        Column(
            "get_status_display",
            label=pgettext_lazy("whether the organisation operates", "Activity"),
            sort_key="status",
        ),
        LiveStatusTagColumn(label=_("Publication")),
        DayColumn(
            "next_review_due",
            label=_("Next review"),
            sort_key="next_review_due",
            due=True,
            empty_text=_("Due now (never verified)"),
        ),
        DayColumn(
            "last_verified_at",
            label=_("Last verified"),
            sort_key="last_verified_at",
            empty_text=_("Never"),
        ),
        Column("assigned_curator", label=_("Assigned to"), accessor=curator_name),
        Column("map_position", label=_("Map position"), accessor=map_position),
    ]
    list_export = [
        "uuid",
        "name",
        "alternate_name",
        "status",
        "live",
        "email",
        "website",
        "municipality_name",
        "last_verified_at",
        "verified_by",
        "next_review_due",
        "assigned_curator",
    ]
    export_headings = {
        "uuid": "uuid",
        "municipality_name": _("Municipality"),
    }
    export_filename = "organisations"

    def get_queryset(self, request):
        first_municipality = (
            Location.objects.filter(organisation=OuterRef("pk"))
            .order_by("sort_order", "pk")
            .values("municipality__name")[:1]
        )
        first_location = Location.objects.filter(organisation=OuterRef("pk")).order_by(
            "sort_order", "pk"
        )
        doubtful = Location.objects.filter(organisation=OuterRef("pk")).exclude(geocode_doubt="")
        return Organisation.objects.select_related(
            "assigned_curator", "latest_revision", "live_revision"
        ).annotate(
            municipality_name=Subquery(first_municipality),
            first_geocode_precision=Subquery(first_location.values("geocode_precision")[:1]),
            first_latitude=Subquery(first_location.values("latitude")[:1]),
            has_doubtful_geocode=Exists(doubtful),
        )


class TerritoryViewSet(SnippetViewSet):
    model = Territory
    icon = "site"
    menu_label = _("Territories")
    list_display = [
        "name",
        "name_en",
        Column("get_kind_display", label=_("Kind")),
        "parent",
        "geographic_code",
    ]
    list_filter = ["kind"]
    search_fields = ["name", "name_en", "slug", "aliases"]
    list_per_page = 100
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        # What people call the place: the public search reads these in the words typed as the
        # place (saving refreshes the search's reference data, see reindex_after_reference_edit).
        FieldPanel("aliases"),
        FieldRowPanel([FieldPanel("slug"), FieldPanel("kind"), FieldPanel("parent")]),
        FieldRowPanel([FieldPanel("mrc"), FieldPanel("geographic_code")]),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
        FieldPanel("coord_source"),
    ]

    def get_queryset(self, request):
        return Territory.objects.select_related("parent")


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "tag"
    menu_label = _("Needs (categories)")
    list_display = ["name_fr", "name_en", "parent", "code"]
    search_fields = ["name_fr", "name_en", "code", "keywords_fr", "keywords_en"]
    list_per_page = 100
    panels = [
        FieldRowPanel([FieldPanel("name_fr"), FieldPanel("name_en")]),
        FieldRowPanel([FieldPanel("code"), FieldPanel("parent"), FieldPanel("sort_order")]),
        FieldRowPanel([FieldPanel("description_fr"), FieldPanel("description_en")]),
        # What people call the need: the public search finds its organisations by these words
        # (saving rebuilds the index, see reindex_after_reference_edit).
        FieldRowPanel([FieldPanel("keywords_fr"), FieldPanel("keywords_en")]),
    ]

    def get_queryset(self, request):
        return Category.objects.select_related("parent")


class ReferenceDataGroup(SnippetViewSetGroup):
    items = (TerritoryViewSet, CategoryViewSet)
    menu_icon = "list-ul"
    menu_label = _("Reference data")
    menu_order = 900


register_snippet(OrganisationViewSet)
register_snippet(ReferenceDataGroup)


@hooks.register("insert_global_admin_css")
def listing_css():
    return format_html('<link rel="stylesheet" href="{}">', static("organisations/css/listing.css"))


@hooks.register("before_delete_snippet")
def snapshot_organisations_before_delete(request, instances):
    """Both the delete view and the bulk delete action pass here: write the whole record to the
    audit log first, so ``manage.py recover_organisation`` can bring it back."""
    for instance in instances:
        if isinstance(instance, Organisation):
            snapshot_record(
                organisation=instance,
                comment=str(_("Deleted “%(name)s”") % {"name": instance.name}),
                source=AuditSource.Source.REQUEST,
                user=request.user,
                reference=f"{request.method} {request.path}"[:255],
            )


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action("repertoire.archive", _("Archive"), _("Archived"))
    actions.register_action("repertoire.unarchive", _("Reopen"), _("Reopened"))
    actions.register_action("repertoire.recover", _("Recover"), _("Recovered from the audit log"))


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("organisations/<int:pk>/archive/", views.archive, name="organisations_archive"),
        path("organisations/deleted/", views.deleted_list, name="organisations_deleted"),
        path(
            "organisations/deleted/<int:version_id>/recover/",
            views.recover,
            name="organisations_recover",
        ),
    ]


@hooks.register("register_snippet_listing_buttons")
def archive_button(snippet, user, next_url=None):
    if isinstance(snippet, Organisation) and user.has_perm("organisations.archive_organisation"):
        label = _("Reopen") if snippet.status == Organisation.Status.CLOSED else _("Archive")
        yield ListingButton(
            label,
            reverse("organisations_archive", args=[snippet.pk]),
            icon_name="folder",
            priority=60,
        )


class AdministratorMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("organisations.delete_organisation")


@hooks.register("register_settings_menu_item")
def deleted_organisations_menu_item():
    return AdministratorMenuItem(
        _("Deleted organisations"), reverse("organisations_deleted"), icon_name="bin", order=900
    )


# --- Geocoding ------------------------------------------------------------------------------------


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def geocode_after_save(request, instance):
    """A saved draft or publication with a new address is geocoded once the save has committed
    (publications through the workflow are caught by the ``published`` signal, see apps.py)."""
    if isinstance(instance, Organisation):
        organisation_geocode_later(organisation=instance)


class GeocodeAgainBulkAction(SnippetBulkAction):
    display_name = _("Geocode again")
    aria_label = _("Geocode the selected organisations’ addresses again")
    action_type = "geocode"
    template_name = "organisations/admin/confirm_bulk_geocode.html"
    action_priority = 50
    models = [Organisation]

    def check_perm(self, snippet):
        return self.request.user.has_perm("organisations.change_organisation")

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        for organisation in objects:
            organisation_geocode_later(organisation=organisation, force=True)
        return len(objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "Geocoding of %(count)d organisation has been queued; pins placed by hand stay put.",
            "Geocoding of %(count)d organisations has been queued; pins placed by hand stay put.",
            num_parent_objects,
        ) % {"count": num_parent_objects}


hooks.register("register_bulk_action", GeocodeAgainBulkAction)


# --- The public search ----------------------------------------------------------------------------


def _reference_data_changed(instances) -> None:
    """The public search has the tree of places and needs worked into every organisation's
    entry, and its form lists them: show the new names at once, rebuild the index behind."""
    if any(isinstance(instance, Territory | Category) for instance in instances):

        def later():
            public_version_bump()
            rebuild_search_index.enqueue()

        transaction.on_commit(later)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def reindex_after_reference_edit(request, instance):
    _reference_data_changed([instance])


@hooks.register("after_delete_snippet")
def reindex_after_reference_delete(request, instances):
    _reference_data_changed(instances)


# Data quality in the admin: its modules register their own hooks when imported here.
from .quality import duplicate_views, report_views  # noqa: E402, F401

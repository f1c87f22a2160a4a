"""Promoted organisations in the admin (Reports › Promoted organisations): a Wagtail model
viewset over ``OrganisationPromotion``, and a chooser of the public organisations searched by
name. From a row of the search demand report, « Promote an organisation » opens the form with
the query filled in and comes back to the report once saved (one step).

Who looks after the search looks after its promotions: the curators, the editors and the
administrators, by the permission that opens the search demand report.
"""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views import generic
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.contrib.search_promotions.models import Query
from wagtail.permission_policies.base import BasePermissionPolicy, ModelPermissionPolicy

from organisations.models import Organisation

from .search_demand import normalise
from .search_demand_views import PERMISSION
from .search_promotions import OrganisationPromotion


class CuratorsPolicy(BasePermissionPolicy):
    """Every action on a promotion, for whoever may open the search demand report."""

    def user_has_permission(self, user, action):
        return user.is_active and user.has_perm(PERMISSION)

    def users_with_any_permission(self, actions):
        return ModelPermissionPolicy(Organisation).users_with_permission("view")


# --- The chooser: public organisations, searched by name ------------------------------------------


class PublicOrganisationChooserViewSet(ChooserViewSet):
    model = Organisation
    icon = "group"
    choose_one_text = gettext_lazy("Choose an organisation")
    choose_another_text = gettext_lazy("Choose another organisation")
    per_page = 20
    # Only this form uses it: every other organisation field keeps the snippet chooser.
    register_widget = False

    def get_object_list(self):
        return Organisation.objects.public().order_by("name")


organisation_chooser = PublicOrganisationChooserViewSet(
    "promoted_organisation_chooser", url_prefix="organisation-promotions/choose"
)


# --- The form -------------------------------------------------------------------------------------


class PromotionForm(WagtailAdminModelForm):
    query = forms.CharField(
        label=gettext_lazy("Query"),
        max_length=255,
        help_text=gettext_lazy(
            "The words searched, as the search demand report shows them (case, accents and "
            "punctuation do not count)."
        ),
    )
    # Where to go once saved: the report the form was opened from.
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = OrganisationPromotion
        fields = ["organisation", "note", "sort_order"]
        widgets = {"organisation": organisation_chooser.widget_class()}

    field_order = ["query", "organisation", "note", "sort_order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("query", self.instance.query.query_string)

    def clean_query(self):
        text = normalise(self.cleaned_data["query"])
        if not text:
            raise forms.ValidationError(_("Type the words the public searched."))
        return text

    def clean(self):
        cleaned = super().clean()
        text, organisation = cleaned.get("query"), cleaned.get("organisation")
        if organisation is None:
            return cleaned
        if (self.instance.pk is None or "organisation" in self.changed_data) and not (
            Organisation.objects.public().filter(pk=organisation.pk).exists()
        ):
            self.add_error(
                "organisation",
                _("This organisation is not published, or is archived: the public cannot see it."),
            )
        if text and (
            OrganisationPromotion.objects.filter(
                query__query_string=text, organisation=organisation
            )
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error(
                "organisation", _("This organisation is already promoted for this query.")
            )
        return cleaned

    def save(self, commit=True):
        # The query's row is read, or made the first time, only once the form is valid.
        self.instance.query = Query.get(self.cleaned_data["query"])
        return super().save(commit=commit)


# --- The views ------------------------------------------------------------------------------------


class PromotionCreateView(generic.CreateView):
    def get_initial(self):
        return {
            "query": self.request.GET.get("query", "")[:255],
            "next": get_valid_next_url_from_request(self.request),
        }

    def get_success_url(self):
        return get_valid_next_url_from_request(self.request) or super().get_success_url()

    def get_success_message(self, instance):
        return _("“%(organisation)s” is now suggested first for “%(query)s”.") % {
            "organisation": instance.organisation.name,
            "query": instance.query.query_string,
        }


def _shown(promotion: OrganisationPromotion) -> str:
    organisation = promotion.organisation
    if organisation.live and organisation.status != Organisation.Status.CLOSED:
        return _("Shown")
    return _("Not shown: not published, or archived")


class PromotionViewSet(ModelViewSet):
    model = OrganisationPromotion
    icon = "pick"
    menu_label = gettext_lazy("Promoted organisations")
    menu_name = "organisation-promotions"
    menu_order = 151  # under Search demand
    add_view_class = PromotionCreateView
    copy_view_enabled = False
    sort_order_field = None  # the order is per query: a number in the form
    list_per_page = 50
    ordering = ["query__query_string", "sort_order", "pk"]
    search_fields = ["query__query_string", "organisation__name"]
    search_backend_name = None
    list_display = [
        "query",  # the title column: its link edits the promotion
        Column("organisation", label=gettext_lazy("Organisation"), accessor="organisation.name"),
        Column("note", label=gettext_lazy("Note")),
        Column("sort_order", label=gettext_lazy("Order")),
        Column("shown", label=gettext_lazy("On the public site"), accessor=_shown),
    ]
    menu_hook = "register_reports_menu_item"
    create_template_name = "cms/admin/organisation_promotion_create.html"

    def get_form_class(self, for_update=False):
        return PromotionForm

    def get_index_view_kwargs(self, **kwargs):
        queryset = OrganisationPromotion.objects.select_related("query", "organisation")
        return super().get_index_view_kwargs(queryset=queryset, **kwargs)

    def get_permissions_to_register(self):
        # CuratorsPolicy decides: the model's own permissions would mean nothing in a group.
        return super().get_permissions_to_register().none()


promotion_viewset = PromotionViewSet(
    "organisation_promotions", url_prefix="organisation-promotions"
)

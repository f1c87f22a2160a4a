"""Filters for the organisation list in the admin.

Filters over related rows (locations, services, workflows) are written as ``pk IN (subquery)`` so
a record is listed once however many rows match, and Wagtail's search backend, which accepts
filters on declared fields only, can still search on top.
"""

import django_filters
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import BigIntegerField, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.models import WorkflowState

from .models import (
    Category,
    GeocodePrecision,
    Location,
    Organisation,
    Service,
    Territory,
    review_due_within,
    review_overdue,
)


def territory_with_descendants(territory: Territory) -> list[int]:
    """The ids of a territory and everything inside it (the tree has fewer than 200 rows)."""
    children = {}
    for pk, parent_id in Territory.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    ids, stack = [], [territory.pk]
    while stack:
        pk = stack.pop()
        ids.append(pk)
        stack.extend(children.get(pk, []))
    return ids


def in_territory(queryset, territory: Territory):
    """Organisations located in, or serving, the territory or any place inside it."""
    ids = territory_with_descendants(territory)
    located = Location.objects.filter(municipality_id__in=ids).values("organisation_id")
    serving = Service.objects.filter(service_areas__in=ids).values("organisation_id")
    return queryset.filter(Q(pk__in=located) | Q(pk__in=serving))


class ReviewState:
    NEVER = "never"
    OVERDUE = "overdue"
    DUE_60 = "due_60"
    VERIFIED = "verified"

    choices = [
        (NEVER, _("Never verified")),
        (OVERDUE, _("Overdue")),
        (DUE_60, _("Due within 60 days")),
        (VERIFIED, _("Verified and not due")),
    ]


class MapPosition:
    MISSING = "missing"
    DOUBTFUL = "doubtful"

    choices = [
        (MISSING, _("No point on the map")),
        (DOUBTFUL, _("Doubtful geocoding")),
        *[(f"precision:{value}", label) for value, label in GeocodePrecision.choices],
    ]

    @classmethod
    def locations(cls, value: str):
        if value == cls.MISSING:
            return Location.objects.filter(latitude__isnull=True)
        if value == cls.DOUBTFUL:
            return Location.objects.exclude(geocode_doubt="")
        return Location.objects.filter(geocode_precision=value.removeprefix("precision:"))


class OrganisationFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Organisation.Status.choices)
    sector = django_filters.ModelChoiceFilter(
        label=_("Sector"),
        queryset=Territory.objects.filter(kind=Territory.Kind.SECTOR),
        method="filter_territory",
    )
    municipality = django_filters.ModelChoiceFilter(
        label=_("Municipality or borough"),
        queryset=Territory.objects.filter(
            kind__in=[Territory.Kind.MUNICIPALITY, Territory.Kind.BOROUGH, Territory.Kind.DISTRICT]
        ),
        method="filter_territory",
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Need"),
        queryset=Category.objects.select_related("parent"),
        method="filter_category",
    )
    review_state = django_filters.ChoiceFilter(
        label=_("Yearly review"), choices=ReviewState.choices, method="filter_review_state"
    )
    assigned_curator = django_filters.ModelChoiceFilter(
        label=_("Assigned curator"),
        queryset=get_user_model()
        .objects.filter(groups__name__in=["Curators", "Editors"])
        .distinct(),
    )
    has_draft = django_filters.BooleanFilter(
        label=_("Has unpublished changes"), field_name="has_unpublished_changes"
    )
    in_workflow = django_filters.BooleanFilter(label=_("In review"), method="filter_in_workflow")
    map_position = django_filters.ChoiceFilter(
        label=_("Map position"), choices=MapPosition.choices, method="filter_map_position"
    )

    class Meta:
        model = Organisation
        fields = []

    def filter_territory(self, queryset, name, value):
        return in_territory(queryset, value) if value else queryset

    def filter_category(self, queryset, name, value):
        if not value:
            return queryset
        ids = [value.pk, *value.children.values_list("pk", flat=True)]
        return queryset.filter(
            pk__in=Service.objects.filter(categories__in=ids).values("organisation_id")
        )

    def filter_review_state(self, queryset, name, value):
        """The yearly cycle counts active organisations only, with the record's own definitions
        of "overdue" and "due" (so the list counts what the home panel and the report count)."""
        if not value:
            return queryset
        today = timezone.localdate()
        active = queryset.filter(status=Organisation.Status.ACTIVE)
        if value == ReviewState.NEVER:
            return active.filter(last_verified_at__isnull=True)
        if value == ReviewState.OVERDUE:
            return active.filter(review_overdue(today))
        if value == ReviewState.DUE_60:
            return active.filter(review_due_within(today, 60))
        if value == ReviewState.VERIFIED:
            return active.exclude(review_overdue(today)).exclude(review_due_within(today, 60))
        return queryset

    def filter_in_workflow(self, queryset, name, value):
        if value is None:
            return queryset
        in_review = (
            WorkflowState.objects.filter(
                base_content_type=ContentType.objects.get_for_model(Organisation),
                status=WorkflowState.STATUS_IN_PROGRESS,
            )
            .annotate(organisation_id=Cast("object_id", output_field=BigIntegerField()))
            .values("organisation_id")
        )
        return queryset.filter(pk__in=in_review) if value else queryset.exclude(pk__in=in_review)

    def filter_map_position(self, queryset, name, value):
        if not value:
            return queryset
        located = MapPosition.locations(value).values("organisation_id")
        return queryset.filter(pk__in=located)

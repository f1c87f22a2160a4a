"""The organisation record: one reviewable unit, what the yearly review asks of it ("due for
review"), and the identifiers others give it.

Everything that belongs to an organisation (services, locations and their hours, phones, private
contacts, identifiers) is a child row on a ``ParentalKey``, edited in one form and stored in one
Wagtail revision. Only the live row is public; drafts live in revisions.
"""

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Orderable,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)
from wagtail.search import index

from .. import public_site
from .bilingual import bilingual

# "Due for review", defined once (the listing's filter, the home panel, the yearly report, its
# export, update requests and data quality all count with these): a record never verified is due
# now, so it counts as overdue.


def review_overdue(today: date) -> Q:
    """Due before ``today``, or never verified (due now)."""
    return Q(next_review_due__lt=today) | Q(last_verified_at__isnull=True)


def review_due_within(today: date, days: int) -> Q:
    """Due from ``today`` to ``days`` days from now (not yet overdue)."""
    return Q(
        last_verified_at__isnull=False,
        next_review_due__gte=today,
        next_review_due__lte=today + timedelta(days=days),
    )


class OrganisationQuerySet(models.QuerySet):
    def public(self):
        """What the public may see: the live version of records that are not closed."""
        return self.filter(live=True).exclude(status=Organisation.Status.CLOSED)

    def active(self):
        """The records the yearly cycle counts: active organisations."""
        return self.filter(status=Organisation.Status.ACTIVE)

    def overdue(self, today: date):
        return self.filter(review_overdue(today))

    def due_within(self, today: date, days: int):
        return self.filter(review_due_within(today, days))


class Organisation(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    PreviewableMixin,
    index.Indexed,
    ClusterableModel,
):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        CLOSED = "closed", _("Closed (archived)")

    class LegalStatus(models.TextChoices):
        NONPROFIT = "nonprofit", _("Non-profit organisation")
        CHARITY = "charity", _("Registered charity")
        COOPERATIVE = "cooperative", _("Co-operative")
        PUBLIC = "public", _("Public body")
        PRIVATE = "private", _("Private business")
        OTHER = "other", _("Other")

    class Language(models.TextChoices):
        FRENCH = "fr", _("French")
        ENGLISH = "en", _("English")

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=255)
    alternate_name = models.CharField(
        _("alternate name"),
        max_length=255,
        blank=True,
        help_text=_("Acronym or other-language name."),
    )
    slug = models.SlugField(_("address in the directory"), max_length=120, unique=True, blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    email = models.EmailField(_("public email"), blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    legal_status = models.CharField(
        _("legal status"), max_length=20, choices=LegalStatus.choices, blank=True
    )
    enterprise_number = models.CharField(
        _("Québec enterprise number (NEQ)"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^\d{10}$", _("The NEQ has 10 digits."))],
    )
    charity_number = models.CharField(
        _("charity registration number"),
        max_length=15,
        blank=True,
        validators=[RegexValidator(r"^\d{9}RR\d{4}$", _("Enter the number as 123456789RR0001."))],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )

    # Review fields (AIRS / Inform: date of last complete update, who verified it, date of the
    # last interim change). "Last verified" is a human act, never a side effect of saving.
    last_verified_at = models.DateTimeField(
        _("last verified"), null=True, blank=True, db_index=True
    )
    verified_by = models.CharField(_("verified by"), max_length=200, blank=True)
    next_review_due = models.DateField(_("next review due"), null=True, blank=True, db_index=True)
    last_interim_change_at = models.DateTimeField(_("last interim change"), null=True, blank=True)
    assigned_curator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned curator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Contact for updating: private, never published.
    update_contact_name = models.CharField(
        _("contact for updating: name"), max_length=200, blank=True
    )
    update_contact_email = models.EmailField(_("contact for updating: email"), blank=True)
    update_contact_phone = models.CharField(
        _("contact for updating: phone"), max_length=20, blank=True
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    # Fields that belong to the record as a whole, not to one revision of its content: publishing
    # an older draft must never roll back a verification recorded since (see with_content_json).
    REVIEW_FIELDS = (
        "last_verified_at",
        "verified_by",
        "next_review_due",
        "last_interim_change_at",
        "assigned_curator",
        "status",
    )

    search_fields = [
        index.SearchField("name", boost=4),
        index.AutocompleteField("name"),
        index.SearchField("alternate_name", boost=3),
        index.SearchField("description_fr"),
        index.SearchField("description_en"),
        # "id": the admin's filters over related rows narrow the search as pk IN (subquery).
        index.FilterField("id"),
        index.FilterField("status"),
        index.FilterField("live"),
        index.FilterField("assigned_curator"),
        index.FilterField("has_unpublished_changes"),
        index.FilterField("next_review_due"),
        index.FilterField("last_verified_at"),
    ]

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        permissions = [
            ("archive_organisation", _("Can archive an organisation")),
            (
                "view_confidential_organisation",
                _("Can see confidential addresses and private contacts in exports"),
            ),
        ]
        indexes = [models.Index(fields=["live", "status"], name="org_live_status")]

    def __str__(self):
        return self.name

    # --- Wagtail hooks ----------------------------------------------------------------------------

    def with_content_json(self, content):
        obj = super().with_content_json(content)
        for field in self.REVIEW_FIELDS:
            setattr(obj, field, getattr(self, field))
        obj.uuid = self.uuid
        obj.created_at = self.created_at
        return obj

    def get_preview_template(self, request, mode_name):
        return "organisations/organisation_detail.html"

    def get_preview_context(self, request, mode_name):
        context = super().get_preview_context(request, mode_name)
        context.update(public_site.organisation_context(self, preview=True))
        return context

    # --- Helpers ----------------------------------------------------------------------------------

    @property
    def description(self) -> str:
        return bilingual(self, "description")

    def make_unique_slug(self) -> str:
        base = slugify(self.name)[:100] or "organisme"
        candidate, n = base, 2
        others = Organisation.objects.exclude(pk=self.pk)
        while others.filter(slug=candidate).exists():
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def get_public_url(self, language: str | None = None) -> str | None:
        return public_site.organisation_url(self.slug, language)

    def get_admin_url(self) -> str:
        return reverse("wagtailsnippets_organisations_organisation:edit", args=[self.pk])

    @property
    def review_state(self) -> str:
        today = timezone.localdate()
        if self.last_verified_at is None:
            return "never"
        if self.next_review_due and self.next_review_due < today:
            return "overdue"
        if self.next_review_due and self.next_review_due <= today + timedelta(days=60):
            return "due_soon"
        return "verified"


class OrganisationIdentifier(Orderable):
    """An identifier given by someone else (a partner's id, a registry number): HSDS
    ``organization_identifier``. Imports match rows to records through these."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = ParentalKey(Organisation, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.SlugField(
        _("scheme"), max_length=60, help_text=_("Who issued it, for example ville-laval.")
    )
    identifier = models.CharField(_("identifier"), max_length=120)

    class Meta(Orderable.Meta):
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "identifier"], name="unique_identifier_per_scheme"
            )
        ]

    def __str__(self):
        return f"{self.scheme}:{self.identifier}"

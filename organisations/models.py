"""The organisation record and the reference data it points to.

An ``Organisation`` is one reviewable unit: everything that belongs to it (services, locations and
their hours, phones, private contacts, identifiers) is a child row on a ``ParentalKey``, edited in
one form and stored in one Wagtail revision. Only the live row is public; drafts live in revisions.

Every public record and child carries a stable UUID for the Open Referral HSDS 3.0 exchange format.
"""

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey, ParentalManyToManyField
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

from . import public_site
from .phones import format_phone_national

# --- Bilingual text -------------------------------------------------------------------------------


def bilingual(obj, field: str, language: str | None = None) -> str:
    """The text of ``<field>_<language>`` in the visitor's language, falling back to French."""
    language = (language or translation.get_language() or "fr")[:2]
    value = getattr(obj, f"{field}_{language}", "") if language != "fr" else ""
    return value or getattr(obj, f"{field}_fr", "")


def bilingual_language(obj, field: str, language: str | None = None) -> str:
    """The language the text returned by :func:`bilingual` is actually written in."""
    language = (language or translation.get_language() or "fr")[:2]
    if language != "fr" and getattr(obj, f"{field}_{language}", ""):
        return language
    return "fr"


# --- Reference data -------------------------------------------------------------------------------


class Territory(models.Model):
    """A place an organisation can serve: the CMM region, a sector, a municipality, a borough.

    Loaded from the CMM gazetteer in ``organisations/data/``; centre points give the offline
    geocoding fallback and centre the maps.
    """

    class Kind(models.TextChoices):
        REGION = "region", _("Region")
        SECTOR = "sector", _("Sector")
        MUNICIPALITY = "municipality", _("Municipality")
        BOROUGH = "borough", _("Borough")
        DISTRICT = "district", _("District")

    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    geographic_code = models.CharField(
        _("MAMH geographic code"), max_length=10, blank=True, db_index=True
    )
    mrc = models.CharField(_("MRC"), max_length=120, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    coord_source = models.CharField(_("source of the centre point"), max_length=500, blank=True)
    # What people call the place besides its name (« NDG », « le Plateau »): the public search
    # reads these in the words typed as this place (organisations/search_places.py).
    aliases = models.TextField(
        _("other names"),
        blank=True,
        help_text=_("Other names and nicknames, separated by commas (e.g. NDG, CDN)."),
    )

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="territory_latitude_in_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="territory_longitude_in_range",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if (translation.get_language() or "fr")[:2] == "en" and self.name_en:
            return self.name_en
        return self.name

    def ancestors(self) -> list["Territory"]:
        """From the region down to this territory's parent (the tree is at most four deep)."""
        chain = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    @property
    def sector(self) -> "Territory | None":
        if self.kind == self.Kind.SECTOR:
            return self
        return next((t for t in self.ancestors() if t.kind == self.Kind.SECTOR), None)

    @property
    def centre(self) -> tuple[float, float] | None:
        """This territory's centre point, or the nearest ancestor's where it has none."""
        node = self
        while node is not None:
            if node.latitude is not None and node.longitude is not None:
                return (node.latitude, node.longitude)
            node = node.parent
        return None


class Category(models.Model):
    """A need, in a two-level bilingual tree (for example Food aid > Meals on wheels)."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    # What people call the need, for the public search: an organisation serving it (or a need
    # under it) is found by these words as by the need's names (organisations/search.py).
    keywords_fr = models.TextField(
        _("keywords (French)"),
        blank=True,
        help_text=_(
            "What people call this need, separated by commas: synonyms, everyday words, "
            "misspellings. The public search finds its organisations by them."
        ),
    )
    keywords_en = models.TextField(
        _("keywords (English)"),
        blank=True,
        help_text=_(
            "The same in English, separated by commas: synonyms, everyday words, misspellings. "
            "The public search finds its organisations by them."
        ),
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "name_fr"]

    def __str__(self):
        if self.parent_id:
            return f"{self.parent.name} › {self.name}"
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self, "name")


# --- The record -----------------------------------------------------------------------------------


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


postal_code_validator = RegexValidator(
    r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d$",
    _("Enter a Canadian postal code such as H2X 1Y4."),
)


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


class Service(Orderable, ClusterableModel):
    class Status(models.TextChoices):
        # HSDS 3.0 service.status
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        DEFUNCT = "defunct", _("Defunct")
        TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = ParentalKey(Organisation, on_delete=models.CASCADE, related_name="services")
    name_fr = models.CharField(_("name (French)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    eligibility_fr = models.TextField(_("eligibility (French)"), blank=True)
    eligibility_en = models.TextField(_("eligibility (English)"), blank=True)
    fees_fr = models.TextField(_("fees (French)"), blank=True)
    fees_en = models.TextField(_("fees (English)"), blank=True)
    application_process_fr = models.TextField(_("how to apply (French)"), blank=True)
    application_process_en = models.TextField(_("how to apply (English)"), blank=True)
    languages = models.CharField(
        _("languages offered"),
        max_length=200,
        blank=True,
        default="fr",
        help_text=_("ISO 639-1 codes separated by commas, for example fr, en, es."),
        validators=[
            RegexValidator(
                r"^([a-z]{2,3})(\s*,\s*[a-z]{2,3})*$",
                _("Use two- or three-letter language codes separated by commas."),
            )
        ],
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    status_changed_at = models.DateField(_("status since"), null=True, blank=True)
    categories = ParentalManyToManyField(
        Category, verbose_name=_("needs served"), blank=True, related_name="services"
    )
    service_areas = ParentalManyToManyField(
        Territory, verbose_name=_("areas served"), blank=True, related_name="services"
    )

    class Meta(Orderable.Meta):
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self, "name")

    @property
    def language_codes(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()]

    # The join rows behind categories and service_areas, read from the database: django-reversion
    # follows these instead of the in-memory many-to-many value (see organisations/audit.py).
    @property
    def category_links(self):
        through = Service.categories.through
        return through.objects.filter(service_id=self.pk) if self.pk else through.objects.none()

    @property
    def area_links(self):
        through = Service.service_areas.through
        return through.objects.filter(service_id=self.pk) if self.pk else through.objects.none()


class GeocodePrecision(models.TextChoices):
    ROOFTOP = "rooftop", _("Address (rooftop or street)")
    POSTAL_CODE = "postal_code", _("Postal code")
    MUNICIPALITY = "municipality", _("Centre of the municipality or borough")
    MANUAL = "manual", _("Placed by hand")
    FAILED = "failed", _("Not found")


class GeocodeDoubt(models.TextChoices):
    OUTSIDE_CMM = "outside_cmm", _("Outside the Montréal metropolitan area")
    OTHER_MUNICIPALITY = "other_municipality", _("In another municipality than the address says")
    FAR_FROM_MUNICIPALITY = "far", _("Far from the municipality the address says")


class Location(Orderable, ClusterableModel):
    Precision = GeocodePrecision

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = ParentalKey(Organisation, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(_("name"), max_length=255, blank=True)
    street_address = models.CharField(_("street address"), max_length=255, blank=True)
    unit = models.CharField(_("unit, suite, floor"), max_length=60, blank=True)
    municipality = models.ForeignKey(
        Territory,
        verbose_name=_("municipality or borough"),
        on_delete=models.PROTECT,
        related_name="locations",
    )
    postal_code = models.CharField(
        _("postal code"), max_length=7, blank=True, validators=[postal_code_validator]
    )
    latitude = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    geocode_precision = models.CharField(
        _("geocoding precision"), max_length=20, choices=Precision.choices, blank=True
    )
    geocode_source = models.CharField(_("geocoding source"), max_length=60, blank=True)
    geocoded_at = models.DateTimeField(_("geocoded on"), null=True, blank=True)
    # The normalised address the coordinates were found for (see geocoding.address_key): when it
    # no longer matches the address, the location is due for geocoding again.
    geocoded_address = models.CharField(
        _("geocoded address"), max_length=500, blank=True, editable=False
    )
    geocode_doubt = models.CharField(
        _("doubtful geocoding"), max_length=20, choices=GeocodeDoubt.choices, blank=True
    )
    geocode_label = models.CharField(_("place found"), max_length=300, blank=True)
    coordinates_locked = models.BooleanField(
        _("pin placed by hand"),
        default=False,
        help_text=_("Geocoding never moves a pin placed by hand."),
    )
    address_is_confidential = models.BooleanField(
        _("confidential address"),
        default=False,
        help_text=_(
            "For shelters and other places that must stay hidden: the public sees only the "
            "municipality."
        ),
    )
    accessibility_fr = models.TextField(_("accessibility (French)"), blank=True)
    accessibility_en = models.TextField(_("accessibility (English)"), blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        # A postal code typed in the public search is placed at the centre of the directory's
        # own places that share it (search_places.postal_code_point): one range on this index.
        indexes = [models.Index(fields=["postal_code"], name="location_postal_code")]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="location_latitude_in_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="location_longitude_in_range",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="location_coordinates_both_or_neither",
            ),
        ]

    def __str__(self):
        return self.name or self.street_address or str(self.municipality)

    def save(self, *args, **kwargs):
        # Stored in one canonical form ("h2x1y4" -> "H2X 1Y4") so imports and searches agree.
        self.postal_code = format_postal_code(self.postal_code)
        super().save(*args, **kwargs)

    def clean(self):
        self.postal_code = format_postal_code(self.postal_code)
        if self.coordinates_locked and self.latitude is not None:
            # A person placed or confirmed the pin: say so, and geocoding leaves it alone.
            if self.geocode_precision != self.Precision.MANUAL:
                self.geocode_precision = self.Precision.MANUAL
                self.geocode_source = "manual"
                self.geocoded_at = timezone.now()
            self.geocode_doubt = ""
        super().clean()


def format_postal_code(value: str) -> str:
    """A postal code as Canada Post writes it ("H2X 1Y4"), as it is stored and shown."""
    compact = "".join(value.split()).upper()
    if len(compact) == 6:
        return f"{compact[:3]} {compact[3:]}"
    return value.strip().upper()


class SearchDocument(models.Model):
    """What the public search matches, one row per public organisation (organisations/search.py).

    Folded (no case, no accents) and stemmed (Snowball, French and English) text in four weighted
    parts: name, other names, the needs served, the rest. The database's own full-text engine
    indexes it: an FTS5 table kept in step by triggers on SQLite, a generated ``tsvector`` column
    with a GIN index on PostgreSQL (migrations 0005, 0007, 0012).
    """

    organisation = models.OneToOneField(
        Organisation, primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    name = models.TextField(blank=True)
    other_names = models.TextField(blank=True)
    body = models.TextField(blank=True)
    # The names and keywords of the needs the organisation serves and of the families above them,
    # ranked below the names and above the rest.
    needs = models.TextField(blank=True)
    # What the filters match, worked out at publication so that a search need not: ``n<id>`` for
    # each need the organisation meets and the families above them, ``a<id>`` for each place it
    # serves or is in (with the places inside and above a place served, see search._tags).
    tags = models.TextField(blank=True)
    # What the facets count: ``n<id>`` for each need family, ``m<id>`` for each municipality.
    facets = models.JSONField(default=list, blank=True)
    sort_name = models.CharField(max_length=255, blank=True, db_index=True)
    # What a result shows, in both languages, made at publication (cms/search_page.py result_rows).
    card = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("search document")

    def __str__(self):
        return self.name


class SearchPoint(models.Model):
    """Where a public organisation is, one row per place, for "near": the location's point, or
    its municipality's centre when the address is confidential (not even a distance may give a
    confidential address away)."""

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="points")
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        verbose_name = _("search point")
        # Covering: "near" reads a box of points and their organisations from the index alone.
        indexes = [
            models.Index(fields=["latitude", "longitude", "document"], name="search_point_box")
        ]

    def __str__(self):
        return f"{self.latitude:.5f}, {self.longitude:.5f}"


class PublicVersion(models.Model):
    """A number that changes whenever anything the public sees changes (a publication, an
    archive...): the key of the public pages' response cache, shared by every process."""

    number = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("public version")

    def __str__(self):
        return str(self.number)


class GeocodedAddress(models.Model):
    """One answer of a geocoding provider, kept so the same address is never asked twice.

    Keyed by the provider and the normalised query (``geocoding.address_key``): case, accents,
    spacing, unit numbers and the postal code's format make no difference. "Nothing found" is an
    answer too (``found`` false), so an unknown address costs one request, not one per run.
    """

    provider = models.CharField(_("provider"), max_length=60)
    key = models.CharField(_("normalised address"), max_length=500)
    query = models.CharField(_("query sent"), max_length=500)
    found = models.BooleanField(_("found"), default=False)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    precision = models.CharField(
        _("precision"), max_length=20, choices=GeocodePrecision.choices, blank=True
    )
    municipality = models.CharField(_("municipality found"), max_length=200, blank=True)
    label = models.CharField(_("place found"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("asked on"), default=timezone.now)

    class Meta:
        verbose_name = _("geocoded address")
        verbose_name_plural = _("geocoded addresses")
        constraints = [
            models.UniqueConstraint(fields=["provider", "key"], name="geocoded_address_unique"),
        ]

    def __str__(self):
        return f"{self.provider}: {self.query}"


class OpeningHours(Orderable):
    class Weekday(models.IntegerChoices):
        # ISO 8601 numbering, as HSDS schedules' byday uses MO..SU
        MONDAY = 1, _("Monday")
        TUESDAY = 2, _("Tuesday")
        WEDNESDAY = 3, _("Wednesday")
        THURSDAY = 4, _("Thursday")
        FRIDAY = 5, _("Friday")
        SATURDAY = 6, _("Saturday")
        SUNDAY = 7, _("Sunday")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    location = ParentalKey(Location, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    note_fr = models.CharField(_("note (French)"), max_length=200, blank=True)
    note_en = models.CharField(_("note (English)"), max_length=200, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens__isnull=True)
                | Q(closes__isnull=True)
                | Q(closes__gt=models.F("opens")),
                name="opening_hours_close_after_open",
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=1, weekday__lte=7), name="opening_hours_weekday_iso"
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens or ''}–{self.closes or ''}"

    @property
    def note(self) -> str:
        return bilingual(self, "note")


class Phone(Orderable):
    class Kind(models.TextChoices):
        # HSDS 3.0 phone.type
        VOICE = "voice", _("Voice")
        FAX = "fax", _("Fax")
        TTY = "tty", _("TTY")
        TOLL_FREE = "toll_free", _("Toll-free")
        TEXT = "text", _("Text message")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = ParentalKey(Organisation, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(
        _("number"),
        max_length=20,
        help_text=_("Stored in international form (+15145551234); shown as (514) 555-1234."),
    )
    extension = models.CharField(
        _("extension"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^\d{1,10}$", _("Digits only."))],
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.VOICE)
    label_fr = models.CharField(_("label (French)"), max_length=100, blank=True)
    label_en = models.CharField(_("label (English)"), max_length=100, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("phone")
        verbose_name_plural = _("phones")

    def __str__(self):
        return self.display

    @property
    def display(self) -> str:
        text = format_phone_national(self.number)
        if self.extension:
            extension_label = _("ext.")
            text = f"{text}, {extension_label} {self.extension}"
        return text

    @property
    def label(self) -> str:
        return bilingual(self, "label")

    @property
    def tel_uri(self) -> str:
        uri = f"tel:{self.number}"
        return f"{uri};ext={self.extension}" if self.extension else uri

    def clean(self):
        from django.core.exceptions import ValidationError

        from .phones import normalise_phone

        try:
            self.number = normalise_phone(self.number)
        except ValidationError as error:
            raise ValidationError({"number": error.messages}) from None
        super().clean()


class Contact(Orderable):
    """A person the 211 talks to when verifying. Private: never published, never exported as
    open data."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = ParentalKey(Organisation, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("role"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("contact (private)")
        verbose_name_plural = _("contacts (private)")

    def __str__(self):
        return self.name


# --- Audit ----------------------------------------------------------------------------------------


class AuditSource(models.Model):
    """What made a django-reversion revision: a web request, a command, a task or an import."""

    class Source(models.TextChoices):
        REQUEST = "request", _("Web request")
        COMMAND = "command", _("Command")
        TASK = "task", _("Background task")
        IMPORT = "import", pgettext_lazy("audit source", "Import")

    revision = models.OneToOneField(
        "reversion.Revision", on_delete=models.CASCADE, related_name="audit_source"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    reference = models.CharField(_("reference"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("audit source")
        verbose_name_plural = _("audit sources")

    def __str__(self):
        return f"{self.get_source_display()}: {self.reference}"


# --- Data quality (organisations/quality/) ---------------------------------------------------------


class Severity(models.TextChoices):
    """How much a problem matters to the public, most first."""

    SEVERE = "severe", _("Severe")
    WARNING = "warning", _("Warning")
    NOTICE = "notice", _("Notice")


class QualityIssue(models.Model):
    """A problem a quality check found on a record, as of its last check. Recomputed for a record
    when it is published or imported, and for every record by a periodic task."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="quality_issues"
    )
    code = models.CharField(_("check"), max_length=40)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    part = models.CharField(_("part of the record"), max_length=20, blank=True)
    child_uuid = models.UUIDField(_("service, place or phone"), null=True, blank=True)
    field = models.CharField(_("field"), max_length=60, blank=True)
    value = models.CharField(_("value"), max_length=300, blank=True)
    found_at = models.DateTimeField(_("found on"), default=timezone.now)

    class Meta:
        verbose_name = _("quality problem")
        verbose_name_plural = _("quality problems")
        indexes = [
            models.Index(fields=["code"], name="quality_issue_code"),
            models.Index(fields=["severity", "organisation"], name="quality_issue_severity"),
        ]

    def __str__(self):
        return f"{self.organisation_id}: {self.code}"


class QualityRun(models.Model):
    """The counts of one full quality run, kept for the trend over time."""

    finished_at = models.DateTimeField(_("finished"), default=timezone.now, db_index=True)
    checked = models.PositiveIntegerField(_("records checked"), default=0)
    by_check = models.JSONField(_("problems by check"), default=dict)
    by_severity = models.JSONField(_("problems by severity"), default=dict)
    records_with_severe = models.PositiveIntegerField(_("records with a severe problem"), default=0)
    duplicates = models.PositiveIntegerField(_("probable duplicates"), default=0)
    seconds = models.FloatField(_("duration (s)"), default=0)

    class Meta:
        verbose_name = _("quality run")
        verbose_name_plural = _("quality runs")
        ordering = ["-finished_at"]

    def __str__(self):
        return f"{self.finished_at:%Y-%m-%d %H:%M}: {self.checked}"


class DuplicatePair(models.Model):
    """Two records that are probably the same organisation, until a curator says otherwise
    (remembered) or merges them. ``first`` is always the lower id."""

    class Status(models.TextChoices):
        OPEN = "open", _("To decide")
        DISMISSED = "dismissed", _("Not a duplicate")
        MERGED = "merged", _("Merged")

    first = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("likeness"), default=0)
    reasons = models.JSONField(_("why"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)
    found_at = models.DateTimeField(_("found on"), default=timezone.now)

    class Meta:
        verbose_name = _("probable duplicate")
        verbose_name_plural = _("probable duplicates")
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_pair_unique"),
            models.CheckConstraint(
                condition=Q(first__lt=models.F("second")), name="duplicate_pair_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.first_id} ~ {self.second_id} ({self.score})"


class LinkCheck(models.Model):
    """The last answer of a website, checked by a periodic task (short timeouts, a polite pace).
    One row per address: organisations that share a website share its check."""

    url = models.URLField(_("address"), max_length=500, unique=True)
    checked_at = models.DateTimeField(_("checked on"), null=True, blank=True)
    ok = models.BooleanField(_("answers"), default=True)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    final_url = models.URLField(_("address after redirects"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("website check")
        verbose_name_plural = _("website checks")

    def __str__(self):
        return self.url

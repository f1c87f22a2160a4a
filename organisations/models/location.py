"""Where an organisation receives people (HSDS ``location``): its address, its pin on the map
and how sure geocoding is of it, its opening hours."""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from .bilingual import bilingual
from .organisation import Organisation
from .territories import Territory


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


postal_code_validator = RegexValidator(
    r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d$",
    _("Enter a Canadian postal code such as H2X 1Y4."),
)


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

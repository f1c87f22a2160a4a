"""The geocoding providers' answers, kept (``organisations/geocoding.py``)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .location import GeocodePrecision


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

"""What an organisation offers (HSDS ``service``): the needs it meets and the places it serves."""

import uuid

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from .bilingual import bilingual
from .needs import Category
from .organisation import Organisation
from .territories import Territory


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

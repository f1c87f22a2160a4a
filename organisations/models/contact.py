"""How to reach an organisation: its public phones, and the people the 211 talks to when
verifying (private)."""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.models import Orderable

from ..phones import format_phone_national, normalise_phone
from .bilingual import bilingual
from .organisation import Organisation


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

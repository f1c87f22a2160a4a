"""The yearly cycle's records (verifications, update requests, proposals) and the public's
suggestions live here.

The roles and the organisation workflow are Wagtail's own models, set up by ``services.py``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

SUGGESTION_MAX_LENGTH = 5_000


class Suggestion(models.Model):
    """A correction a visitor suggests for an organisation's public page.

    Only a note for the curators: it changes nothing by itself. A curator who agrees makes the
    edit, which goes through the workflow like any other.
    """

    class Status(models.TextChoices):
        NEW = "new", _("New")
        HANDLED = "handled", _("Handled")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="suggestions",
    )
    text = models.TextField(_("suggested correction"), max_length=SUGGESTION_MAX_LENGTH)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["new", "handled"]), name="suggestion_status_valid"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="suggestion_text_not_empty"),
        ]

    def __str__(self):
        return self.short_text

    @property
    def short_text(self) -> str:
        return Truncator(" ".join(self.text.split())).chars(80)

    short_text.fget.short_description = _("Suggestion")

"""The version of what the public sees (the public response cache's key)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PublicVersion(models.Model):
    """A number that changes whenever anything the public sees changes (a publication, an
    archive...): the key of the public pages' response cache, shared by every process."""

    number = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("public version")

    def __str__(self):
        return str(self.number)

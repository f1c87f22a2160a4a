"""What made each entry of the audit log (``organisations/audit.py``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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

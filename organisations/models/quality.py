"""What the data-quality checks found (``organisations/quality/``): problems on records, the
counts of each nightly run, probable duplicates, websites that no longer answer."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .organisation import Organisation


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

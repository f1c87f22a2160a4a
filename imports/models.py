"""Partner spreadsheets: the mapping profiles that read them, and the batches that import them.

A ``MappingProfile`` says, for one partner, which of its columns feeds which field of ours
(``imports.columns`` lists the fields). An ``ImportBatch`` is one file going through the steps:
read and checked (the dry run, which writes nothing to the records), applied (drafts in the
workflow), perhaps rolled back. Its ``ImportRow`` results say, per organisation found in the
file, what the import does to it and why.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MappingProfile(models.Model):
    """How to read one partner's spreadsheets."""

    class Layout(models.TextChoices):
        ORGANISATION = "organisation", _("One row per organisation")
        SERVICE = "service", _("One row per service (organisation repeated or left blank)")

    DEFAULT = "default"

    name = models.SlugField(
        _("short name"),
        max_length=60,
        unique=True,
        help_text=_("Used on the command line, for example ville-laval."),
    )
    label = models.CharField(_("partner"), max_length=200)
    scheme = models.SlugField(
        _("partner's identifier scheme"),
        max_length=60,
        blank=True,
        help_text=_(
            "Name under which the partner's own ids are kept on our records, for example "
            "ville-laval. Leave blank if the partner's file has no id column."
        ),
    )
    layout = models.CharField(
        _("layout"), max_length=20, choices=Layout.choices, default=Layout.ORGANISATION
    )
    # [{"column": "Nom de l'organisme", "target": "name"}, ...] in the file's order.
    columns = models.JSONField(_("columns"), default=list, blank=True)
    # The partner's words for needs, mapped to our category codes: {"Aide alimentaire": "food"}.
    category_map = models.JSONField(_("needs mapping"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("mapping profile")
        verbose_name_plural = _("mapping profiles")
        ordering = ["label"]

    def __str__(self):
        return self.label

    @property
    def is_default(self) -> bool:
        return self.name == self.DEFAULT

    def mapping(self) -> dict[str, str]:
        """Column header -> field key, for the columns that feed a field."""
        return {c["column"]: c["target"] for c in self.columns if c.get("target")}


def _original_path(batch, filename):
    return f"imports/{timezone.now():%Y/%m}/{batch.uuid}/{filename}"


class ImportBatch(models.Model):
    """One partner file through the import: who, when, which profile, the original file, the
    summary and the per-organisation results."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked, waiting for confirmation")
        UNREADABLE = "unreadable", _("Could not be read")
        APPLYING = "applying", _("Applying")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed, nothing written")
        ROLLED_BACK = "rolled_back", _("Rolled back")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    profile = models.ForeignKey(
        MappingProfile,
        verbose_name=_("mapping profile"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="batches",
    )
    # The profile as it was used: editing the profile later does not rewrite history.
    profile_snapshot = models.JSONField(_("profile used"), default=dict, blank=True)
    original = models.FileField(_("original file"), upload_to=_original_path, max_length=300)
    filename = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.UPLOADED
    )
    message = models.TextField(_("message"), blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    publish_directly = models.BooleanField(_("publish directly, without review"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applied by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rolled_back_at = models.DateTimeField(_("rolled back"), null=True, blank=True)
    rolled_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rolled back by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]
        permissions = [
            (
                "publish_directly_importbatch",
                _("Can publish an import directly, without review"),
            )
        ]

    def __str__(self):
        return f"{self.filename} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def progress(self) -> int:
        """Per cent of the rows done in the current step."""
        if not self.rows_total:
            return 100 if self.status not in (self.Status.CHECKING, self.Status.APPLYING) else 0
        return min(100, round(100 * self.rows_done / self.rows_total))

    @property
    def working(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.APPLYING)


class ImportRow(models.Model):
    """What the import does to one organisation of the file (one or several rows of it)."""

    class Outcome(models.TextChoices):
        NEW = "new", pgettext_lazy("an organisation", "New")
        UPDATE = "update", _("Update")
        UNCHANGED = "unchanged", _("Unchanged")
        PROBABLE = "probable", _("Probable match")
        ERROR = "error", _("Error")
        DUPLICATE = "duplicate", _("Repeated in the file")
        IN_REVIEW = "in_review", _("Already in review")
        # Set when applying: the record got a newer revision after the dry run compared it.
        CHANGED = "changed", _("Changed since the check: check again")

    class Decision(models.TextChoices):
        PENDING = "", _("To decide")
        SAME = "same", _("Same organisation: update it")
        DIFFERENT = "different", _("Different organisation: create it")
        SKIP = "skip", _("Leave out")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="results")
    number = models.PositiveIntegerField(_("row"))  # the first row of the file it comes from
    rows = models.JSONField(_("rows"), default=list)
    name = models.CharField(_("name"), max_length=255, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    match_score = models.PositiveSmallIntegerField(_("likeness"), null=True, blank=True)
    match_reason = models.CharField(_("why"), max_length=255, blank=True)
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, blank=True, default=""
    )
    data = models.JSONField(_("values read"), default=dict)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # The record's latest revision when the dry run compared it (none: it had no revision).
    # Applying writes only over that revision: a draft saved since is never overwritten.
    checked_revision = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # Set when applied: what the record was before (to roll back) and what the import wrote.
    previous = models.JSONField(default=dict, blank=True)
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied = models.BooleanField(_("applied"), default=False)

    class Meta:
        verbose_name = _("import result")
        verbose_name_plural = _("import results")
        ordering = ["batch", "number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="import_row_unique_number")
        ]
        indexes = [models.Index(fields=["batch", "outcome"], name="import_row_outcome")]

    def __str__(self):
        return f"{self.number}: {self.name}"


class BatchRevision(models.Model):
    """Meta of a django-reversion revision written by an import batch: what it wrote
    (``applied``), and the records' state just before it wrote (``before``), which rolling back
    restores exactly."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("State before the import")
        APPLIED = "applied", _("Written by the import")

    revision = models.OneToOneField(
        "reversion.Revision", on_delete=models.CASCADE, related_name="import_batch"
    )
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="revisions")
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta:
        verbose_name = _("import batch revision")

    def __str__(self):
        return f"{self.batch} · {self.revision_id}"

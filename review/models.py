"""The yearly cycle's records (verifications, update requests, proposals) and the public's
suggestions live here.

The roles and the organisation workflow are Wagtail's own models, set up by ``services.py``;
the workflow's first step is a task of ours (``CurationTask``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.models import AbstractGroupApprovalTask, TaskState

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


class Verification(models.Model):
    """A person confirmed an organisation's record: the yearly update (AIRS / Inform's "date of
    last complete update") is made of these, never of saves.

    The organisation's ``last_verified_at``, ``verified_by`` and ``next_review_due`` are kept
    from its latest verification by ``services.verification_record``; the rows are the history
    (who, when, how, which revision) and the monthly pace of the dashboard.
    """

    class Method(models.TextChoices):
        LINK_CONFIRMED = "link_confirmed", _("Organisation confirmed through its link")
        PROPOSAL_APPROVED = "proposal_approved", _("Organisation's proposal approved")
        PHONE = "phone", _("Phone call")
        EMAIL = "email", _("Email")
        VISIT = "visit", _("Site visit")
        IMPORT_REVIEWED = "import_reviewed", _("Partner import reviewed")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="verifications",
    )
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    verified_at = models.DateTimeField(_("verified on"), default=timezone.now, db_index=True)
    # Who: a member of staff, or the organisation's contact (through its link).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by (staff)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact_name = models.CharField(_("contact's name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact's email"), blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2_000)
    # The live content that was confirmed (none for a record never published through Wagtail).
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        verbose_name=_("revision confirmed"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        ordering = ["-verified_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "-verified_at"], name="verification_latest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    method__in=[
                        "link_confirmed",
                        "proposal_approved",
                        "phone",
                        "email",
                        "visit",
                        "import_reviewed",
                    ]
                ),
                name="verification_method_valid",
            ),
        ]

    def __str__(self):
        return f"{self.organisation_id} · {self.get_method_display()} · {self.verified_at:%Y-%m-%d}"

    @property
    def who(self) -> str:
        """The name the record shows as "verified by"."""
        if self.user is not None:
            return self.user.get_full_name() or self.user.get_username()
        return self.contact_name or self.contact_email


class Proposal(models.Model):
    """What an organisation proposes for its own record (review/proposals.py): the whole record
    as it wants it, and the live version it started from. The live record is untouched until a
    curator takes it up (a draft revision in the workflow) and an editor publishes it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for a curator")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Published")
        REJECTED = "rejected", _("Turned down")
        # A newer answer through the same link took its place before a curator took it up.
        REPLACED = "replaced", _("Replaced by a newer answer")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="proposals",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    update_request = models.ForeignKey(
        "UpdateRequest",
        verbose_name=_("update request"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
    )
    content = models.JSONField(_("proposed record"))
    base_revision = models.ForeignKey(
        "wagtailcore.Revision",
        verbose_name=_("based on"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The base's content, kept whole: the comparison must not depend on the revision surviving.
    base_content = models.JSONField(_("record as the organisation saw it"), default=dict)
    submitter_name = models.CharField(_("sent by"), max_length=200)
    submitter_email = models.EmailField(_("email"), blank=True)
    note = models.TextField(_("note to the 211"), blank=True, max_length=5_000)
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        verbose_name=_("draft revision"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    message = models.TextField(_("message to the organisation"), blank=True, max_length=5_000)
    # The newer answer through the same link that replaced this one (status "replaced"); the
    # newer one finds what it replaced through ``replaces``.
    replaced_by = models.ForeignKey(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces",
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-created_at"], name="proposal_queue")]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["submitted", "in_review", "approved", "rejected", "replaced"]
                ),
                name="proposal_status_valid",
            ),
            # One answer waiting for a curator per update link: a newer one replaces it.
            models.UniqueConstraint(
                fields=["update_request"],
                condition=Q(status="submitted", update_request__isnull=False),
                name="proposal_one_pending_per_link",
            ),
            # One review per organisation at a time.
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(status="in_review"),
                name="proposal_one_in_review",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.created_at:%Y-%m-%d}"


class UpdateRequest(models.Model):
    """An email asking an organisation to check its record, with a link of its own
    (review/requests.py). The link's token is never stored: only the hashes of the tokens sent
    (each email, a reminder or a new try, carries a new one; all stay valid until expiry)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Sending failed")
        ANSWERED = "answered", _("Answered")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="update_requests",
    )
    email = models.EmailField(_("sent to"))
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("sending attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("update request")
        verbose_name_plural = _("update requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["pending", "sent", "failed", "answered", "expired", "revoked"]
                ),
                name="update_request_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.created_at:%Y-%m-%d}"


class UpdateToken(models.Model):
    """The SHA-256 of a token sent in an update request's email (the token itself is only in
    the email)."""

    request = models.ForeignKey(UpdateRequest, on_delete=models.CASCADE, related_name="tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("update link")
        verbose_name_plural = _("update links")

    def __str__(self):
        return f"{self.request} · {self.created_at:%Y-%m-%d %H:%M}"


class CurationTask(AbstractGroupApprovalTask):
    """The workflow's first step, the curators' check: approved by a curator, like Wagtail's
    group approval task, except that it approves itself when the person submitting is a member
    of its groups (or a superuser). A curator's own submission (her edit, a proposal she took up,
    an import she reviewed and applied) goes straight to the editors: nobody else would check it
    but herself. A submission made by no one (a script, the demo) or by someone outside the
    groups still waits for a curator. The approval is logged in the record's history with the
    submitter as approver, and no "waiting for you" email goes to the other curators.
    See docs/decisions.md, "The daily paths (issue 15)"."""

    def submitted_by_member(self, user) -> bool:
        return user is not None and (user.is_superuser or self._user_in_groups(user))

    def start(self, workflow_state, user=None):
        if not self.submitted_by_member(user):
            return super().start(workflow_state, user=user)
        task_state = self.get_task_state_class()(workflow_state=workflow_state)
        task_state.status = TaskState.STATUS_IN_PROGRESS
        task_state.revision = workflow_state.content_object.get_latest_revision()
        task_state.task = self
        task_state.save()
        # Not through Task.start: its task_submitted signal would email the other curators.
        # Wagtail's WorkflowState.update moves on to the next step when a task comes back
        # already approved.
        task_state.approve(
            user=user,
            update=False,
            comment=gettext("Approved at submission: submitted by a curator."),
        )
        return task_state

    @classmethod
    def get_description(cls):
        return _(
            "Members of the chosen groups approve this step; their own submissions pass it at once."
        )

    class Meta:
        verbose_name = _("curators' check")
        verbose_name_plural = _("curators' checks")

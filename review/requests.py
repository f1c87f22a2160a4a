"""Update requests: the yearly email that asks an organisation to check its record, with a link
of its own (``/fr/mise-a-jour/<token>/``, ``/en/update/<token>/``).

A token is 256 random bits from ``secrets``; only its SHA-256 is stored (``UpdateToken``). Each
email (the first, a reminder, a new try after a failure) carries a new token, and all of a
request's tokens work until it expires (``UPDATE_REQUEST_DAYS``), is revoked (answered or not:
every page of the link then answers 410), or is answered with "our information is still correct". A proposal leaves the link usable to correct the answer
until a curator takes it up. Emails go out as django-tasks tasks; a failure is recorded on the
request and tried again by ``review_tick``, which also sends the reminders and expires old
requests, and is safe to run as often as cron likes.
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from organisations.models import Organisation

from .models import Proposal, UpdateRequest, UpdateToken, Verification
from .selectors import due_within, overdue
from .services import verification_record

OPEN = (UpdateRequest.Status.PENDING, UpdateRequest.Status.SENT, UpdateRequest.Status.FAILED)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LinkError(Exception):
    """A link that cannot be used: ``kind`` is unknown, expired, revoked or answered."""

    def __init__(self, kind: str, update_request: UpdateRequest | None = None):
        super().__init__(kind)
        self.kind = kind
        self.update_request = update_request


def _under_way():
    """The requests whose links still work and that no one has answered yet."""
    return UpdateRequest.objects.filter(status__in=OPEN, expires_at__gt=timezone.now())


def due_organisations(*, within_days: int):
    """Active organisations overdue or due within ``within_days`` (never verified: due now)
    that have no request under way."""
    today = timezone.localdate()
    return (
        Organisation.objects.filter(status=Organisation.Status.ACTIVE)
        .filter(overdue(today) | due_within(today, within_days))
        .exclude(pk__in=_under_way().values("organisation_id"))
        .order_by("next_review_due", "name")
    )


@dataclass
class Outcome:
    requested: list = field(default_factory=list)  # organisations asked
    no_email: list = field(default_factory=list)  # organisations without a contact email
    already_open: list = field(default_factory=list)  # organisations with a request under way


def requests_create(organisations, *, user=None, dry_run: bool = False) -> Outcome:
    """Ask each organisation to check its record, in its preferred language, at its contact for
    updating. The emails go out once the requests are saved (a task each)."""
    outcome = Outcome()
    now = timezone.now()
    busy = set(
        _under_way()
        .filter(organisation__in=[o.pk for o in organisations])
        .values_list("organisation_id", flat=True)
    )
    with transaction.atomic():
        for organisation in organisations:
            if not organisation.update_contact_email:
                outcome.no_email.append(organisation)
                continue
            if organisation.pk in busy:
                outcome.already_open.append(organisation)
                continue
            outcome.requested.append(organisation)
            if dry_run:
                continue
            update_request = UpdateRequest.objects.create(
                organisation=organisation,
                email=organisation.update_contact_email,
                language=organisation.preferred_language or settings.LANGUAGE_CODE,
                created_by=user,
                expires_at=now + timedelta(days=settings.REPERTOIRE_UPDATE_REQUEST_DAYS),
            )
            transaction.on_commit(lambda pk=update_request.pk: send_update_request.enqueue(pk))
    return outcome


def link_url(update_request: UpdateRequest, token: str) -> str:
    with translation.override(update_request.language):
        path = reverse("update_request", kwargs={"token": token})
    return settings.WAGTAILADMIN_BASE_URL + path


@task()
def send_update_request(request_id: int, reminder: bool = False) -> str:
    """Email a request (or a reminder: ``review_tick`` counts them) with a new link; a failure
    is recorded, not raised, and ``review_tick`` tries again. Returns the request's status."""
    update_request = UpdateRequest.objects.select_related("organisation").get(pk=request_id)
    # A first email or a new try goes out from "pending" (review_tick moves a failed request back
    # there before queuing it), a reminder from "sent" or "pending": a task queued twice, or
    # left behind by a request answered since, sends nothing.
    allowed = (UpdateRequest.Status.PENDING, UpdateRequest.Status.FAILED)
    if reminder:
        allowed = (UpdateRequest.Status.SENT, UpdateRequest.Status.PENDING)
    if update_request.status not in allowed:
        return update_request.status
    token = secrets.token_urlsafe(32)  # 256 bits
    UpdateToken.objects.create(request=update_request, digest=digest(token))
    organisation = update_request.organisation
    with translation.override(update_request.language):
        context = {
            "organisation": organisation,
            "name": organisation.update_contact_name,
            "url": link_url(update_request, token),
            "expires": update_request.expires_at,
            "reminder": reminder,
        }
        subject = " ".join(render_to_string("review/email/update_subject.txt", context).split())
        body = render_to_string("review/email/update.txt", context)
    update_request.attempts += 1
    try:
        EmailMessage(
            subject=subject,
            body=body,
            to=[update_request.email],
            reply_to=[settings.REPERTOIRE_CONTACT_EMAIL],
        ).send()
    except Exception as error:  # any backend's failure: kept on the request, tried again
        update_request.status = UpdateRequest.Status.FAILED
        update_request.error = f"{type(error).__name__}: {error}"[:2_000]
        update_request.save(update_fields=["status", "error", "attempts"])
        return update_request.status
    update_request.status = UpdateRequest.Status.SENT
    update_request.error = ""
    update_request.sent_at = update_request.sent_at or timezone.now()
    update_request.save(update_fields=["status", "error", "sent_at", "attempts"])
    return update_request.status


def request_for_link(token: str) -> UpdateRequest:
    """The request a link's token belongs to, if it can still be used; else ``LinkError``.
    The token is looked up by its hash: nothing is compared character by character."""
    found = (
        UpdateToken.objects.select_related("request__organisation")
        .filter(digest=digest(token or ""))
        .first()
    )
    if found is None:
        raise LinkError("unknown")
    update_request = found.request
    if update_request.status == UpdateRequest.Status.REVOKED:
        raise LinkError("revoked", update_request)
    if update_request.status == UpdateRequest.Status.EXPIRED or (
        update_request.expires_at <= timezone.now()
    ):
        raise LinkError("expired", update_request)
    if update_request.status == UpdateRequest.Status.ANSWERED and not _can_amend(update_request):
        raise LinkError("answered", update_request)
    return update_request


def _can_amend(update_request: UpdateRequest) -> bool:
    """Answered with a proposal no curator has taken up yet: the organisation may correct it."""
    return update_request.proposals.filter(status=Proposal.Status.SUBMITTED).exists()


def request_opened(update_request: UpdateRequest) -> None:
    if update_request.opened_at is None:
        UpdateRequest.objects.filter(pk=update_request.pk, opened_at=None).update(
            opened_at=timezone.now()
        )


@transaction.atomic
def request_confirmed(update_request: UpdateRequest, *, note: str = "") -> Verification | None:
    """ "Our information is still correct": a verification, once (a second click changes
    nothing)."""
    locked = UpdateRequest.objects.select_for_update().get(pk=update_request.pk)
    if locked.status == UpdateRequest.Status.ANSWERED:
        return None
    organisation = locked.organisation
    verification = verification_record(
        organisation=organisation,
        method=Verification.Method.LINK_CONFIRMED,
        contact_name=organisation.update_contact_name or locked.email,
        contact_email=locked.email,
        note=note,
    )
    _answered(locked)
    return verification


def request_proposed(update_request: UpdateRequest) -> None:
    """A proposal came through the link: the request is answered (reminders stop)."""
    _answered(UpdateRequest.objects.get(pk=update_request.pk))


def _answered(update_request: UpdateRequest) -> None:
    if update_request.status != UpdateRequest.Status.ANSWERED:
        update_request.status = UpdateRequest.Status.ANSWERED
        update_request.answered_at = timezone.now()
        update_request.save(update_fields=["status", "answered_at"])


def requests_revoke(requests, *, user=None) -> int:
    """Stop every link of the requests, answered or not (a wrong address, an organisation
    closing): each page of the link then answers 410. An expired request stays expired (its
    links are already stopped). A proposal already sent through the link stays in the curators'
    queue: it is the organisation's answer, only the link to correct it is gone."""
    return (
        UpdateRequest.objects.filter(pk__in=[r.pk for r in requests])
        .filter(status__in=(*OPEN, UpdateRequest.Status.ANSWERED))
        .update(status=UpdateRequest.Status.REVOKED, revoked_at=timezone.now())
    )


@dataclass
class Tick:
    expired: int = 0
    retried: int = 0
    reminded: int = 0


def review_tick(*, now=None) -> Tick:
    """What time brings: expire old requests, try failed emails again, send the reminders that
    are due (after ``REMINDER_DAYS``), each once. Safe to run again at once: it then does
    nothing more."""
    now = now or timezone.now()
    tick = Tick()
    tick.expired = UpdateRequest.objects.filter(status__in=OPEN, expires_at__lte=now).update(
        status=UpdateRequest.Status.EXPIRED
    )
    failed = UpdateRequest.objects.filter(
        status=UpdateRequest.Status.FAILED, attempts__lt=settings.REPERTOIRE_SEND_ATTEMPTS
    )
    for pk, sent_at in failed.values_list("pk", "sent_at"):
        # Claimed before it is queued: with a queued task backend, a second tick before the
        # worker runs finds it pending and queues nothing more.
        claimed = UpdateRequest.objects.filter(pk=pk, status=UpdateRequest.Status.FAILED).update(
            status=UpdateRequest.Status.PENDING
        )
        if claimed:
            send_update_request.enqueue(pk, reminder=sent_at is not None)
            tick.retried += 1
    for number, days in enumerate(settings.REPERTOIRE_REMINDER_DAYS, start=1):
        due = UpdateRequest.objects.filter(
            status=UpdateRequest.Status.SENT,
            reminders_sent=number - 1,
            sent_at__lte=now - timedelta(days=days),
        )
        for pk in due.values_list("pk", flat=True):
            # Counted before the email goes out: a second tick never sends it again.
            UpdateRequest.objects.filter(pk=pk, reminders_sent=number - 1).update(
                reminders_sent=number, last_reminded_at=now
            )
            send_update_request.enqueue(pk, reminder=True)
            tick.reminded += 1
    return tick

"""An organisation's proposed changes to its own record, from proposal to publication.

A proposal is the whole record as the organisation wants it (Wagtail's revision format: the
organisation's fields and its services, locations, phones... as ``serializable_data()``), and
the live revision it started from. It waits in its own table, never as a revision: Wagtail
publishes the *latest* revision when a workflow finishes, so a proposal saved as a revision
during someone else's review would go live unreviewed (DESIGN.md, pitfalls).

A curator takes it up: its changes are laid over the record as it stands now (three versions:
what the organisation saw, what the record is now, what it proposes); where the record changed
since on the same field, the curator chooses. The result becomes one draft revision and starts
the workflow, one review per organisation at a time. When an editor publishes it, a
verification is recorded (the organisation's proposal approved) and the organisation thanked.
"""

import json
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task
from modelcluster.models import get_all_child_relations

from organisations.models import Organisation

from .models import Proposal, Verification
from .services import verification_record


class ProposalError(Exception):
    """A proposal cannot be taken up, rejected or amended now: the message says why, in words
    for the curator or the organisation."""


class ProposalConflict(ProposalError):
    """The record changed since the proposal's base on fields the proposal changes too: a person
    must choose, field by field (``changes`` lists them)."""

    def __init__(self, message, changes):
        super().__init__(message)
        self.changes = changes


# What a proposal may change: the record's own content, not its review dates, its status or
# Wagtail's bookkeeping.
_NOT_PROPOSED = {
    "id",
    "pk",
    "uuid",
    "slug",
    "status",
    "live",
    "has_unpublished_changes",
    "first_published_at",
    "last_published_at",
    "live_revision",
    "latest_revision",
    "go_live_at",
    "expire_at",
    "expired",
    "locked",
    "locked_at",
    "locked_by",
    "created_at",
    "updated_at",
    *Organisation.REVIEW_FIELDS,
}


def proposable_keys() -> list[str]:
    """The keys of a revision's content an organisation may propose to change, in form order."""
    fields = [
        f.name
        for f in Organisation._meta.concrete_fields
        if f.editable and f.name not in _NOT_PROPOSED
    ]
    children = [relation.get_accessor_name() for relation in get_all_child_relations(Organisation)]
    return fields + children


def _label(key: str) -> str:
    try:
        return str(Organisation._meta.get_field(key).verbose_name)
    except Exception:  # a child relation: its model's plural name
        for relation in get_all_child_relations(Organisation):
            if relation.get_accessor_name() == key:
                return str(relation.related_model._meta.verbose_name_plural)
    return key


# Written by geocoding, not by people: the live record's point may move after the organisation
# saw it (geocoding runs on publication) without anyone having changed the record.
_DERIVED = {
    "pk",
    "id",
    "sort_order",
    "latitude",
    "longitude",
    "geocode_precision",
    "geocode_source",
    "geocoded_at",
    "geocoded_address",
    "geocode_doubt",
    "geocode_label",
}


def _comparable(value):
    """A child list without the ids and sort orders that differ between copies of one content,
    and without what geocoding derives (``_DERIVED``)."""
    if isinstance(value, list):
        return [
            {k: _comparable(v) for k, v in item.items() if k not in _DERIVED}
            if isinstance(item, dict)
            else item
            for item in value
        ]
    return value


@dataclass
class Change:
    """One field or one list of children the proposal changes."""

    key: str
    label: str
    base: object  # what the organisation saw
    current: object  # what the record is now (its latest revision)
    proposed: object

    @property
    def conflict(self) -> bool:
        """The record changed since on this field too, and not to what is proposed."""
        base, current = _comparable(self.base), _comparable(self.current)
        return current != base and current != _comparable(self.proposed)


def current_content(organisation: Organisation) -> dict:
    """The record as it stands: its latest revision (a pending draft included)."""
    return as_content(organisation.get_latest_revision_as_object().serializable_data())


def proposal_changes(proposal: Proposal) -> list[Change]:
    """What the proposal changes, against what it started from and what the record is now."""
    base = proposal.base_content or {}
    current = current_content(proposal.organisation)
    changes = []
    for key in proposable_keys():
        if key not in proposal.content:
            continue
        proposed = proposal.content[key]
        if _comparable(proposed) != _comparable(base.get(key)):
            changes.append(
                Change(
                    key=key,
                    label=_label(key),
                    base=base.get(key),
                    current=current.get(key),
                    proposed=proposed,
                )
            )
    return changes


def as_content(data: dict) -> dict:
    """Content as a revision stores it (dates as ISO text)."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


class ProposalChoicesStale(ProposalConflict):
    """The record was saved again after the curator was shown the conflicts: the choices were
    made on values that are no longer the current ones."""


class ProposalRace(ProposalError):
    """Another answer through the same link was being saved at the same moment."""


@transaction.atomic
def proposal_submit(
    *,
    organisation: Organisation,
    content: dict,
    submitter_name: str,
    submitter_email: str,
    note: str = "",
    update_request=None,
) -> Proposal:
    """Keep what the organisation proposes; the live record is untouched.

    At most one answer per update link waits for a curator (a constraint says so): sent again
    through the same link before a curator has taken it up, whoever sends it, the new answer
    takes the earlier one's place, which stays in the history as "replaced" with a pointer to
    its successor. Once a curator has taken it up, a new answer waits on its own. Without a link,
    the same person sending again replaces their own earlier answer the same way."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    base = organisation.live_revision
    base_content = base.content if base else as_content(organisation.serializable_data())
    content = as_content({key: content[key] for key in proposable_keys() if key in content})
    if update_request is not None:
        earlier = Proposal.objects.filter(update_request=update_request)
    else:
        earlier = Proposal.objects.filter(
            organisation=organisation, update_request=None, submitter_email=submitter_email
        )
    earlier = list(
        earlier.select_for_update().filter(status=Proposal.Status.SUBMITTED).order_by("pk")
    )
    proposal = Proposal(
        organisation=organisation,
        update_request=update_request,
        content=content,
        base_revision=base,
        base_content=base_content,
        submitter_name=submitter_name,
        submitter_email=submitter_email,
        note=note,
    )
    try:
        # Its own savepoint: two answers through one link at the same moment both find the
        # earlier one; the constraint lets one through and the other is told to send again.
        with transaction.atomic():
            Proposal.objects.filter(pk__in=[p.pk for p in earlier]).update(
                status=Proposal.Status.REPLACED, updated_at=timezone.now()
            )
            proposal.save()
            Proposal.objects.filter(pk__in=[p.pk for p in earlier]).update(replaced_by=proposal)
    except IntegrityError as error:
        raise ProposalRace(
            _(
                "Another answer was being sent through this link at the same moment. Your "
                "answers are still in the form: send it again."
            )
        ) from error
    return proposal


@transaction.atomic
def proposal_take_up(
    *,
    proposal: Proposal,
    user,
    choices: dict[str, str] | None = None,
    seen_revision_id: int | None = None,
):
    """Make the proposal a draft revision of its organisation and start the workflow.

    ``choices`` says, for each field changed on both sides, which version wins ("proposed" or
    "current"). Without them, a conflict raises ``ProposalConflict``. One review per
    organisation at a time: an organisation already in review waits.

    No lost update (issue 17): the proposal is laid over the record's *latest* revision, read
    under the record's row lock, so a draft saved since the organisation answered is kept (its
    other fields as they are, its fields the proposal changes too as conflicts to decide).
    ``seen_revision_id`` is the latest revision the curator's choices were made against: when
    the record got another revision since, the choices were made on values that are no longer
    the current ones, and ``ProposalConflict`` asks again with the values as they are now.
    """
    organisation = Organisation.objects.select_for_update().get(pk=proposal.organisation_id)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != Proposal.Status.SUBMITTED:
        raise ProposalError(_("This proposal has already been handled."))
    if organisation.workflow_in_progress:
        raise ProposalError(
            _(
                "This organisation is already in review: finish that review before taking up "
                "another one."
            )
        )
    choices = choices or {}
    changes = proposal_changes(proposal)
    if (
        seen_revision_id is not None
        and organisation.latest_revision_id != seen_revision_id
        and any(c.conflict for c in changes)
    ):
        raise ProposalChoicesStale(
            _(
                "The record was saved again while you were choosing: choose again between "
                "its current version and the organisation’s."
            ),
            [c for c in changes if c.conflict],
        )
    undecided = [
        c for c in changes if c.conflict and choices.get(c.key) not in ("proposed", "current")
    ]
    if undecided:
        raise ProposalConflict(
            _(
                "The record changed since the organisation saw it: choose which version to "
                "keep for each field changed on both sides."
            ),
            undecided,
        )
    draft = organisation.get_latest_revision_as_object()
    content = draft.serializable_data()
    for change in changes:
        if not change.conflict or choices[change.key] == "proposed":
            content[change.key] = change.proposed
    merged = organisation.with_content_json(content)
    revision = merged.save_revision(user=user, log_action=True)
    workflow = organisation.get_workflow()
    if workflow is None:
        raise ProposalError(_("No review workflow is set up for organisations."))
    workflow.start(merged, user)
    proposal.status = Proposal.Status.IN_REVIEW
    proposal.revision = revision
    proposal.handled_by = user
    proposal.handled_at = timezone.now()
    proposal.save()
    return revision


@transaction.atomic
def proposal_reject(*, proposal: Proposal, user, message: str) -> Proposal:
    """Turn the proposal down, with a message the organisation receives by email."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != Proposal.Status.SUBMITTED:
        raise ProposalError(_("This proposal has already been handled."))
    proposal.status = Proposal.Status.REJECTED
    proposal.message = message
    proposal.handled_by = user
    proposal.handled_at = timezone.now()
    proposal.save()
    transaction.on_commit(lambda: send_proposal_email.enqueue(proposal.pk))
    return proposal


@transaction.atomic
def proposals_published(*, organisation: Organisation, revision) -> list[Proposal]:
    """After a publication: the proposals in review whose revision is now live (or was
    overtaken by a later revision of the same review) are approved, each recorded as a
    verification and thanked for. Called from the ``published`` signal."""
    if revision is None:
        return []
    approved = list(
        Proposal.objects.select_for_update().filter(
            organisation=organisation,
            status=Proposal.Status.IN_REVIEW,
            revision__id__lte=revision.pk,
        )
    )
    for proposal in approved:
        proposal.status = Proposal.Status.APPROVED
        proposal.save(update_fields=["status", "updated_at"])
        verification_record(
            organisation=organisation,
            method=Verification.Method.PROPOSAL_APPROVED,
            contact_name=proposal.submitter_name,
            contact_email=proposal.submitter_email,
            note=proposal.note[:2_000],
        )
        transaction.on_commit(lambda pk=proposal.pk: send_proposal_email.enqueue(pk))
    return approved


@task()
def send_proposal_email(proposal_id: int) -> bool:
    """Tell the organisation what became of its proposal (published, or turned down with the
    curator's message), in its language. Returns whether an email was sent."""
    proposal = Proposal.objects.select_related("organisation").get(pk=proposal_id)
    if not proposal.submitter_email:
        return False
    organisation = proposal.organisation
    language = organisation.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "proposal": proposal,
            "organisation": organisation,
            "public_url": settings.WAGTAILADMIN_BASE_URL
            + (organisation.get_public_url(language) or ""),
        }
        approved = proposal.status == Proposal.Status.APPROVED
        template = "approved" if approved else "rejected"
        subject = render_to_string(f"review/proposal_email/{template}_subject.txt", context)
        body = render_to_string(f"review/proposal_email/{template}.txt", context)
    EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        to=[proposal.submitter_email],
        reply_to=[settings.REPERTOIRE_CONTACT_EMAIL],
    ).send()
    return True

"""Writing requests, and the agents' role.

Agents (information-and-referral) record the requests they answer and read the directory; they
change no record. Every write of a request goes through here: one transaction, the monthly
counts moved in the same transaction (``counts.Tally``), one audit entry (django-reversion,
``organisations.audit``) holding the request, its needs and its referrals.
"""

from dataclasses import dataclass, field
from datetime import date

import reversion
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.audit import audited
from organisations.models import AuditSource, Category, Service, Territory
from organisations.search import reference

from .counts import Tally, counts_apply
from .models import Need, Referral, Request, Source

AGENTS = "Agents"


@dataclass
class NeedInput:
    """One need as the services take it: the need, its outcome, the reason when unmet, and the
    organisations given (id, name as given)."""

    category: Category
    outcome: str
    reason: str = ""
    organisations: list[tuple[int, str]] = field(default_factory=list)


# (app_label, model, actions): record requests and correct their own (``change``, within 24
# hours: Request.why_not_correctable), read the directory. No change on any record.
_AGENT_PERMISSIONS = [
    ("portraits", "request", ["add", "change", "view"]),
    ("organisations", "organisation", ["view"]),
    ("organisations", "territory", ["view"]),
    ("organisations", "category", ["view"]),
]


@transaction.atomic
def agents_role_ensure(*, using: str = "default") -> Group:
    """Create or repair the Agents group and its permissions (idempotent; after every
    ``migrate``). Permissions are added, never removed, so an administrator's grants stay."""
    group, _created = Group.objects.using(using).get_or_create(name=AGENTS)
    permissions = [
        Permission.objects.using(using).get(
            content_type__app_label="wagtailadmin", codename="access_admin"
        )
    ]
    for app_label, model, actions in _AGENT_PERMISSIONS:
        content_type = ContentType.objects.db_manager(using).get_by_natural_key(app_label, model)
        permissions += Permission.objects.using(using).filter(
            content_type=content_type, codename__in=[f"{a}_{model}" for a in actions]
        )
    group.permissions.add(*permissions)
    return group


class NotCorrectable(PermissionDenied):
    """The request may not be changed by this person now; the message says why."""


def _write_needs(
    request: Request, needs: list[NeedInput], known
) -> tuple[list[Need], list[Referral]]:
    """Insert the needs and referrals of ``request`` (a fixed number of queries)."""
    rows = Need.objects.bulk_create(
        [
            Need(
                request=request,
                position=position,
                category=need.category,
                outcome=need.outcome,
                reason=need.reason,
            )
            for position, need in enumerate(needs)
        ]
    )
    services = _services_for(needs, known)
    referrals = Referral.objects.bulk_create(
        [
            Referral(
                need=row,
                organisation_id=organisation_id,
                service_id=services.get((organisation_id, need.category.pk)),
                organisation_name=name[:255],
            )
            for row, need in zip(rows, needs, strict=True)
            for organisation_id, name in need.organisations
        ]
    )
    return rows, referrals


def _services_for(needs: list[NeedInput], known) -> dict[tuple[int, int], int]:
    """{(organisation, need): the organisation's service for that need}, when it has one for
    the need or a need under it (one query, none without referrals)."""
    organisations = {pk for need in needs for pk, _name in need.organisations}
    if not organisations:
        return {}
    tree = known.needs
    under = {need.category.pk: [need.category.pk, *tree.down(need.category.pk)] for need in needs}
    wanted = {pk for pks in under.values() for pk in pks}
    offered: dict[tuple[int, int], int] = {}
    for organisation_id, category_id, service_id in (
        Service.objects.filter(
            organisation_id__in=organisations,
            categories__in=wanted,
            status__in=(Service.Status.ACTIVE, Service.Status.TEMPORARILY_CLOSED),
        )
        .order_by("sort_order", "pk")
        .values_list("organisation_id", "categories", "pk")
    ):
        offered.setdefault((organisation_id, category_id), service_id)
    found = {}
    for need in needs:
        for organisation_id, _name in need.organisations:
            for category_id in under[need.category.pk]:
                if (organisation_id, category_id) in offered:
                    found[(organisation_id, need.category.pk)] = offered[
                        (organisation_id, category_id)
                    ]
                    break
    return found


def _audit(request: Request, needs: list[Need], referrals: list[Referral]) -> None:
    """The request is added by reversion as it is saved; rows made by ``bulk_create`` send no
    signal, so they are added here (no query: reversion writes them in one bulk insert)."""
    for row in [*needs, *referrals]:
        reversion.add_to_revision(row)


@transaction.atomic
def request_record(
    *,
    user,
    channel: str,
    language: str,
    territory: Territory | None,
    needs: list[NeedInput],
    age_band: str = "",
    note: str = "",
    received_on: date | None = None,
) -> Request:
    """Record one request as an agent took it (``territory`` None: outside the region), its
    needs and referrals, and count it. The same number of queries whatever its needs."""
    if not needs:
        raise ValueError("A request has at least one need.")
    with audited(comment=_("Request recorded"), source=AuditSource.Source.REQUEST, user=user):
        request = Request(
            received_on=received_on or timezone.localdate(),
            channel=channel,
            language=language,
            territory=territory,
            age_band=age_band,
            note=note,
            source=Source.RECORDED,
            recorded_by=user,
        )
        request.save()
        known = reference()
        rows, referrals = _write_needs(request, needs, known)
        _audit(request, rows, referrals)
        tally = Tally()
        tally.add_request(request, rows, places=known.places)
        counts_apply(tally)
    return request


@transaction.atomic
def request_correct(
    *,
    request: Request,
    user,
    channel: str,
    language: str,
    territory: Territory | None,
    needs: list[NeedInput],
    age_band: str = "",
    note: str = "",
) -> Request:
    """Replace what was recorded for ``request`` (its own agent, within 24 hours; else
    ``NotCorrectable``): its needs and referrals are written again, the counts move from the
    old version to the new, and the audit keeps both."""
    locked = Request.objects.select_for_update().get(pk=request.pk)
    refusal = locked.why_not_correctable(user)
    if refusal:
        raise NotCorrectable(refusal)
    if not needs:
        raise ValueError("A request has at least one need.")
    with audited(comment=_("Request corrected"), source=AuditSource.Source.REQUEST, user=user):
        known = reference()
        tally = Tally()
        tally.add_request(locked, list(locked.needs.all()), places=known.places, sign=-1)
        locked.needs.all().delete()
        locked.channel, locked.language, locked.territory = channel, language, territory
        locked.age_band, locked.note, locked.updated_at = age_band, note, timezone.now()
        locked.save(
            update_fields=["channel", "language", "territory", "age_band", "note", "updated_at"]
        )
        rows, referrals = _write_needs(locked, needs, known)
        _audit(locked, rows, referrals)
        tally.add_request(locked, rows, places=known.places)
        counts_apply(tally)
    return locked

"""Every live record has a live revision.

Wagtail compares versions of a record through its revisions: "compare with the live version" is
offered only when the record has a ``live_revision``, and "compare with the previous version" of
a first draft needs a revision before it. Records written without Wagtail's actions (the demo's
bulk inserts, records loaded before this rule, test factories) had none, so an editor comparing a
curator's first draft saw « no differences » (issue 15). This module gives such records a
revision holding their live content, in bulk.
"""

import json
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import CharField, Min, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from wagtail.models import Revision

from .models import Organisation

CHUNK_SIZE = 500

# What a revision's content holds: the record and every child list, read in a few queries a chunk
# (modelcluster's serializable_data reads the prefetched rows).
_PREFETCH = (
    "services__categories",
    "services__service_areas",
    "locations__hours",
    "phones",
    "contacts",
    "identifiers",
)


def live_revisions_ensure(*, organisation_ids=None, chunk_size: int = CHUNK_SIZE) -> int:
    """Give each live organisation without a live revision one, holding its live content (the
    table's rows, which are what the public sees). Returns how many were written.

    The revision is dated before any revision the record already has (a draft written before
    this ran stays "after" the live version, so "compare with previous" shows its changes), and
    it also becomes the latest revision of a record that had none. No log entry: nobody
    published anything; the live content simply gets the revision Wagtail expects.
    Idempotent and cheap when there is nothing to do (one query)."""
    missing = Organisation.objects.filter(live=True, live_revision__isnull=True)
    if organisation_ids is not None:
        missing = missing.filter(pk__in=list(organisation_ids))
    ids = list(missing.order_by("pk").values_list("pk", flat=True))
    written = 0
    for start in range(0, len(ids), chunk_size):
        written += _live_revisions_write(ids[start : start + chunk_size])
    return written


@transaction.atomic
def _live_revisions_write(ids: list[int]) -> int:
    """One chunk: the records among ``ids`` still without a live revision get one."""
    first_revision = (
        Revision.objects.filter(base_content_type=Organisation().get_base_content_type())
        .filter(object_id=Cast(OuterRef("pk"), output_field=CharField()))
        .values("object_id")
        .annotate(first=Min("created_at"))
        .values("first")[:1]
    )
    organisations = list(
        Organisation.objects.select_for_update()
        .filter(pk__in=ids, live=True, live_revision__isnull=True)
        .annotate(first_revision_at=Subquery(first_revision))
        .prefetch_related(*_PREFETCH)
    )
    revisions = Revision.objects.bulk_create(
        [_live_revision(organisation) for organisation in organisations]
    )
    for organisation, revision in zip(organisations, revisions, strict=True):
        organisation.live_revision_id = revision.pk
        if organisation.latest_revision_id is None:
            organisation.latest_revision_id = revision.pk
    # A bulk update of Wagtail's own pointers only: no save(), so neither updated_at nor the
    # audit log move (this is not an edit).
    Organisation.objects.bulk_update(
        organisations, ["live_revision", "latest_revision"], batch_size=len(ids)
    )
    return len(organisations)


def _live_revision(organisation: Organisation) -> Revision:
    """A revision of the organisation's live content, dated at its creation or, when it has
    revisions already, a second before the first of them."""
    created_at = organisation.created_at or timezone.now()
    if organisation.first_revision_at and organisation.first_revision_at <= created_at:
        created_at = organisation.first_revision_at - timedelta(seconds=1)
    return Revision(
        content_type=organisation.get_content_type(),
        base_content_type=organisation.get_base_content_type(),
        object_id=str(organisation.pk),
        user=None,
        created_at=created_at,
        content=_content(organisation),
        object_str=str(organisation)[:1000],
    )


def _content(organisation: Organisation) -> dict:
    """The organisation as a revision stores it (dates as ISO text, as Wagtail's JSON field
    encoder writes them)."""
    return json.loads(json.dumps(organisation.serializable_data(), cls=DjangoJSONEncoder))

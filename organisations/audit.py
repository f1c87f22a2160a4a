"""The audit log of database writes, kept by django-reversion.

Wagtail revisions are the editorial history (drafts, proposals, publication). This is the other
history: every save of an organisation and its children, of territories and categories, inside a
reversion block that records who, a comment and the source (a request, a command, a task, an
import batch). It recovers a record deleted by mistake and rolls back a whole import batch.

Pitfalls met here (measured on django-reversion 6.4 with Wagtail 8.0):
- Wagtail's own foreign keys on a snippet (``latest_revision``, ``live_revision``, ``locked_by``)
  make a recovered row point at rows that are gone: they are left out.
- A ``ParentalManyToManyField`` holds an in-memory value while Wagtail publishes a revision, and
  reversion's serializer crashes on it (``FakeQuerySet`` has no ``_prefetch_related_lookups``).
  So the service's categories and areas are left out of the service's own version and recorded
  through their join rows, which reversion follows from the database.
"""

from contextlib import contextmanager

import reversion
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from reversion.middleware import RevisionMiddleware

WAGTAIL_RECORD_FIELDS = ("latest_revision", "live_revision", "locked_by")
# Full-precision timestamps, so a restored row is the row as it was (organisations/serialization.py).
FORMAT = "json_exact"
SERVICE_M2M_FIELDS = ("categories", "service_areas")


def register_models():
    from .models import (
        Category,
        Contact,
        Location,
        OpeningHours,
        Organisation,
        OrganisationIdentifier,
        Phone,
        Service,
        Territory,
    )

    reversion.register(
        Organisation,
        format=FORMAT,
        exclude=WAGTAIL_RECORD_FIELDS,
        follow=("services", "locations", "phones", "contacts", "identifiers"),
    )
    reversion.register(
        Service,
        format=FORMAT,
        exclude=SERVICE_M2M_FIELDS,
        follow=("category_links", "area_links"),
    )
    reversion.register(Service.categories.through, format=FORMAT)
    reversion.register(Service.service_areas.through, format=FORMAT)
    reversion.register(Location, format=FORMAT, follow=("hours",))
    for model in (OpeningHours, Phone, Contact, OrganisationIdentifier, Territory, Category):
        reversion.register(model, format=FORMAT)


def _record_rows(organisation) -> list:
    """The organisation and every row that belongs to it, read from the database."""
    rows = [organisation]
    for service in organisation.services.all():
        rows += [service, *service.category_links, *service.area_links]
    for location in organisation.locations.all():
        rows += [location, *location.hours.all()]
    rows += [
        *organisation.phones.all(),
        *organisation.contacts.all(),
        *organisation.identifiers.all(),
    ]
    return rows


def snapshot_record(*, organisation, comment: str, source: str, user=None, reference: str = ""):
    """Write a reversion revision of the whole record as it stands, on its own, right now.

    ``create_revision`` blocks nest: inside a request's block, a revision is saved only when the
    request ends, and reversion then drops versions of rows that no longer exist. A snapshot taken
    just before a deletion must therefore be written at once, which is what this does.
    """
    return snapshot_records(
        organisations=[organisation],
        comment=comment,
        source=source,
        user=user,
        reference=reference,
    )


def snapshot_records(*, organisations, comment: str, source: str, user=None, reference: str = ""):
    """One reversion revision holding several whole records as they stand now (an import keeps
    the records it is about to change this way, so rolling it back restores them exactly)."""
    from django.contrib.contenttypes.models import ContentType
    from django.core import serializers
    from reversion.models import Revision, Version

    from .models import AuditSource

    revision = Revision.objects.create(
        date_created=timezone.now(),
        user=user if getattr(user, "is_authenticated", False) else None,
        comment=comment,
    )
    AuditSource.objects.create(revision=revision, source=source, reference=reference[:255])
    versions = []
    for organisation in organisations:
        for row in _record_rows(organisation):
            options = reversion.revisions._get_options(type(row))
            versions.append(
                Version(
                    revision=revision,
                    object_id=str(row.pk),
                    content_type=ContentType.objects.get_for_model(row),
                    db="default",
                    format=options.format,
                    serialized_data=serializers.serialize(
                        options.format, [row], fields=options.fields
                    ),
                    object_repr=str(row)[:191],
                )
            )
    Version.objects.bulk_create(versions)
    return revision


@contextmanager
def audited(*, comment: str, source: str, user=None, reference: str = ""):
    """One audit entry for everything written inside the block, from a command or a task.

    ``source`` is what wrote (``command``, ``task``, ``import``); ``reference`` says which one
    (a command line, a task id, an import batch). Nested inside a request's or another block's
    revision, the writes join that revision.
    """
    from .models import AuditSource

    nested = reversion.is_active()
    with reversion.create_revision():
        reversion.set_comment(comment)
        if user is not None and getattr(user, "is_authenticated", False):
            reversion.set_user(user)
        if not nested:
            # The outer block (a request, a command) already says where the writes come from.
            reversion.add_meta(AuditSource, source=source, reference=reference[:255])
        yield


class AuditMiddleware(RevisionMiddleware):
    """Wraps every writing request in one reversion revision, with its user and its path."""

    def __init__(self, get_response):
        from .models import AuditSource

        def handler(request):
            if reversion.is_active():
                reversion.add_meta(
                    AuditSource,
                    source=AuditSource.Source.REQUEST,
                    reference=f"{request.method} {request.path}"[:255],
                )
                reversion.set_comment(str(_("Change made in the web interface")))
            return get_response(request)

        super().__init__(handler)

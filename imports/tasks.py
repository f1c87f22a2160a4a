"""Background work for imports. Tasks take primary keys and call a service."""

from django.conf import settings
from django.utils import translation
from django_tasks import task

from organisations.geocoding import organisation_geocode

from .models import ImportBatch


@task()
def check_batch(batch_id: int, language: str | None = None) -> dict:
    """The dry run of an uploaded file, its problems written in ``language``; returns its
    summary."""
    from .services import batch_check

    with translation.override(language or settings.LANGUAGE_CODE):
        batch = batch_check(batch=ImportBatch.objects.get(pk=batch_id))
    return batch.summary


@task()
def apply_batch(batch_id: int, language: str | None = None) -> str:
    """Apply a confirmed batch (claimed by ``batch_apply_start``); returns its final status."""
    from .services import ImportRefused, batch_apply

    batch = ImportBatch.objects.get(pk=batch_id)
    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            batch = batch_apply(batch=batch)
        except ImportRefused:  # the batch keeps the reason and waits for someone who may
            batch.refresh_from_db()
    return batch.status


@task()
def notify_batch(batch_id: int) -> int:
    from .services import batch_notify

    return batch_notify(batch=ImportBatch.objects.get(pk=batch_id))


@task(queue_name="geocoding")
def geocode_batch(batch_id: int) -> int:
    """Geocode the addresses of the organisations a batch wrote (saved rows and drafts), one
    queue for all geocoding so the provider's rate limit holds. Returns how many were looked at."""
    ids = (
        ImportBatch.objects.get(pk=batch_id)
        .results.filter(applied=True)
        .values_list("organisation_id", flat=True)
    )
    count = 0
    for organisation_id in ids:
        if organisation_id:
            organisation_geocode(organisation_id=organisation_id)
            count += 1
    return count

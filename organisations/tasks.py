"""Background work for the records. Tasks take primary keys and call a service."""

from django_tasks import task

from .geocoding import organisation_geocode


@task(queue_name="geocoding")
def geocode_organisation(organisation_id: int, force: bool = False) -> dict:
    """Geocode an organisation's locations (saved rows and pending draft); returns the counts."""
    return dict(organisation_geocode(organisation_id=organisation_id, force=force))

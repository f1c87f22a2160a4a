"""Background work for the records. Tasks take primary keys and call a service."""

from django_tasks import task

from .geocoding import organisation_geocode
from .hsds.package import data_package_publish
from .search import search_index_rebuild


@task(queue_name="geocoding")
def geocode_organisation(organisation_id: int, force: bool = False) -> dict:
    """Geocode an organisation's locations (saved rows and pending draft); returns the counts."""
    return dict(organisation_geocode(organisation_id=organisation_id, force=force))


@task()
def rebuild_search_index() -> int:
    """Rebuild the public search index (after an edit of the needs or the places, whose tree
    the index has worked into every organisation's entry); returns how many were indexed."""
    return search_index_rebuild()


@task()
def recompute_quality(organisation_ids: list[int]) -> int:
    """Check these records again (after a publication or an import); returns the problems."""
    from .quality.services import quality_recompute

    return quality_recompute(organisation_ids=organisation_ids)


@task()
def publish_data_package() -> dict:
    """Make the open data packages (HSDS, French and English) again if the public records
    changed since they were made; returns the rows per file of each package made."""
    return data_package_publish()


@task()
def check_links(limit: int | None = None, max_age_days: int | None = None) -> dict:
    """Check the websites due for a check (the settings' batch and age unless given) at a polite
    pace, and the quality of the records whose website's answer changed; returns the counts."""
    from .quality.links import links_check_due

    return links_check_due(limit=limit, min_age_days=max_age_days)

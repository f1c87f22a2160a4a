"""The background task whose service cannot hold it yet.

Tasks are declared beside the service they run (as pretix does), so that a service queues its own
follow-up work without importing a module that imports it back: ``services.geocode_organisation``,
``quality.services.recompute_quality``, ``quality.links.check_links``,
``hsds.package.publish_data_package``. Tasks take primary keys and call a service.
"""

from django_tasks import task

from .search import search_index_rebuild


@task()
def rebuild_search_index() -> int:
    """Rebuild the public search index (after an edit of the needs or the places, whose tree
    the index has worked into every organisation's entry); returns how many were indexed."""
    return search_index_rebuild()

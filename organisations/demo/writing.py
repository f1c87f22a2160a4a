"""Writing what the generator made: in bulk, chunk by chunk, the fastest way each database
allows; then the few drafts in review, through Wagtail's revisions and workflow."""

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection, transaction

from ..audit import audited
from ..models import (
    AuditSource,
    Contact,
    Location,
    OpeningHours,
    Organisation,
    OrganisationIdentifier,
    Phone,
    Service,
)
from .data import DRAFT_CHANGES
from .generator import _Bundle, _Rows

# The kinds of rows demo_seed writes, as keys of the counts it returns.
ROW_KINDS = (
    "organisations",
    "services",
    "locations",
    "hours",
    "phones",
    "contacts",
    "identifiers",
    "category_links",
    "area_links",
)
# Rows per INSERT where the database sets no lower limit (SQLite caps at 999 parameters itself).
BATCH_SIZE = 1000
# SQLite page cache while seeding, in KiB (see _large_sqlite_cache).
SQLITE_CACHE_KIB = 256 * 1024


class _Table:
    """Inserts rows that nothing points to (hours, phones, contacts, join rows), given as dicts
    of attribute values, the fastest way each database allows (measured at 60,000 organisations).

    SQLite: one ``executemany`` per table. With ``bulk_create`` for these tables the seed took
    about 205 s instead of 140 s (DEBUG on): it spends some 6 microseconds of Python per value
    building 999-parameter statements, and with DEBUG on logs each of them with its parameters
    quoted. Values are prepared by their own field where sqlite3 needs it (UUIDs as hex, times as
    text), as Django would, and passed on unchanged otherwise.

    PostgreSQL: ``bulk_create``, whose UNNEST insert is about a third faster than
    ``executemany`` there.
    """

    # Types whose Python values sqlite3 does not take as they are.
    PREPARED_TYPES = {"UUIDField", "TimeField", "DateField", "DateTimeField", "DecimalField"}

    def __init__(self, model):
        self.model = model
        self.rows = _Rows(model)
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.columns = [
            (
                f.attname,
                None if callable(f.default) else f.get_default(),
                f if callable(f.default) else None,
                f if f.get_internal_type() in self.PREPARED_TYPES else None,
            )
            for f in fields
        ]
        quote = connection.ops.quote_name
        # Identifiers come from the model and are quoted by the backend; values are parameters.
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            quote(model._meta.db_table),
            ", ".join(quote(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)),
        )

    def insert(self, rows: list[dict]) -> int:
        if not rows:
            return 0
        if connection.vendor != "sqlite":
            self.model.objects.bulk_create(
                [self.rows(**row) for row in rows], batch_size=BATCH_SIZE
            )
            return len(rows)
        if not rows[0].keys() <= self.rows.names:
            unknown = sorted(rows[0].keys() - self.rows.names)
            raise TypeError(f"{self.model.__name__} has no {unknown}")
        params = []
        for row in rows:
            values = []
            for name, default, default_field, prepare_field in self.columns:
                value = row.get(name, default)
                if default_field is not None and name not in row:
                    value = default_field.get_default()
                if prepare_field is not None:
                    value = prepare_field.get_db_prep_save(value, connection)
                values.append(value)
            params.append(values)
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, params)
        return len(rows)


def _leaf_tables() -> dict[str, _Table]:
    return {
        "hours": _Table(OpeningHours),
        "phones": _Table(Phone),
        "contacts": _Table(Contact),
        "identifiers": _Table(OrganisationIdentifier),
        # The join tables behind the ParentalManyToManyFields, written directly: going through
        # the fields would mean one save, and one query per relation, for every service.
        "category_links": _Table(Service.categories.through),
        "area_links": _Table(Service.service_areas.through),
    }


def _write(bundles: list[_Bundle], *, tables: dict[str, _Table], counts: dict[str, int]) -> None:
    """Insert one chunk: parents first, so that each child gets its parent's new primary key."""
    Organisation.objects.bulk_create([b.organisation for b in bundles], batch_size=BATCH_SIZE)
    services, locations = [], []
    leaves = {name: [] for name in tables}
    for bundle in bundles:
        pk = bundle.organisation.pk
        for service, _categories, _areas in bundle.services:
            service.organisation_id = pk
            services.append(service)
        for location, _hours in bundle.locations:
            location.organisation_id = pk
            locations.append(location)
        for name in ("phones", "contacts", "identifiers"):
            for row in getattr(bundle, name):
                row["organisation_id"] = pk
                leaves[name].append(row)
    Service.objects.bulk_create(services, batch_size=BATCH_SIZE)
    Location.objects.bulk_create(locations, batch_size=BATCH_SIZE)

    for bundle in bundles:
        for location, hours in bundle.locations:
            for row in hours:
                row["location_id"] = location.pk
                leaves["hours"].append(row)
        for service, categories, areas in bundle.services:
            leaves["category_links"] += [
                {"service_id": service.pk, "category_id": category_id} for category_id in categories
            ]
            leaves["area_links"] += [
                {"service_id": service.pk, "territory_id": territory_id} for territory_id in areas
            ]
    for name, table in tables.items():
        counts[name] += table.insert(leaves[name])
    counts["organisations"] += len(bundles)
    counts["services"] += len(services)
    counts["locations"] += len(locations)


def _index(organisations: list[Organisation]) -> None:
    """Add new rows to every search backend that saves would have updated (bulk_create skips the
    post_save signal that normally does it), in one bulk call per backend."""
    from wagtail.search.backends import get_search_backends

    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(Organisation, organisations)


def _start_drafts(
    *, rng: random.Random, candidates: list[int], count: int, out: Callable[[str], None]
) -> int:
    """Give ``count`` organisations a draft with a changed description, in review.

    Wagtail sends the workflow's notification emails synchronously, one batch per workflow
    started (DESIGN.md, "Known pitfalls"), which is why this stays a handful of records.
    """
    chosen = rng.sample(candidates, min(count, len(candidates)))
    changes = [rng.choice(DRAFT_CHANGES) for _ in chosen]
    records = Organisation.objects.in_bulk(chosen)
    workflow = records[chosen[0]].get_workflow() if chosen else None
    if workflow is None:
        if chosen:
            out("No workflow is attached to organisations: no drafts made.")
        return 0
    with (
        transaction.atomic(),
        audited(
            comment="Demo drafts submitted for review",
            source=AuditSource.Source.COMMAND,
            reference="seed_demo",
        ),
    ):
        for pk, change in zip(chosen, changes, strict=True):
            organisation = records[pk]
            # Only the revision gets the new text: for a live snippet, saving a revision leaves
            # the table row, which is the public version, as it was.
            organisation.description_fr = f"{organisation.description_fr} {change}".strip()
            organisation.save_revision(user=None, log_action=True)
            workflow.start(organisation, user=None)
    return len(chosen)


@contextmanager
def _large_sqlite_cache() -> Iterator[None]:
    """SQLite's default page cache (2 MB) is far smaller than the unique indexes on random UUIDs
    that a large seed builds; inserts slow down by half once they stop fitting. The setting is
    the connection's own and is put back afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")

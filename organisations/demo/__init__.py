"""Demo data: a directory of community organisations across the CMM that reads like the real thing.

For development (``make run``), demonstrations and benchmarks. The same seed gives the same data:
every random choice, UUIDs included, comes from one ``random.Random(seed)``; only primary keys and
dates (relative to today, in a reproducible pattern) differ between runs.

Contact details are fictional by construction, so a public demo never sends anyone to a real
person: phone numbers are in the 555-0100 to 555-0199 range that the North American Numbering
Plan reserves for fiction (libphonenumber accepts them as valid), emails and websites are under
``example.org`` (reserved by RFC 2606).

Rows are written in bulk, chunk by chunk, in one transaction: ``bulk_create`` for the rows that
children point to (organisations, services, locations: it returns their primary keys), plain
inserts for the rest (see ``writing._Table``). No signals are sent, so nothing reaches django-reversion's
audit log (demo data is not an edit) or Wagtail's search index, which is filled explicitly. The
few drafts in review go through Wagtail's revisions and workflow, inside an audited block.

The data apart from the code: ``data.py`` holds the tables (places and their people, kinds of
organisations and their services, names, streets, hours...); ``places.py`` reads the territories
and needs in the database; ``generator.py`` draws each organisation; ``writing.py`` writes them;
``demo_seed`` here runs the whole.
"""

import math
import random
import time as clock
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from django.db import connection, transaction

from ..models import Organisation
from ..revisions import live_revisions_ensure
from ..search import search_index_rebuild
from .generator import _Generator
from .places import DemoDataError, _load_categories, _load_places
from .writing import ROW_KINDS, _index, _large_sqlite_cache, _leaf_tables, _start_drafts, _write

__all__ = ["ROW_KINDS", "DemoDataError", "default_drafts", "demo_seed"]


# Organisations generated, written and indexed together: bounds memory (about 20 rows each).
CHUNK_SIZE = 2000


def default_drafts(organisations: int) -> int:
    """About 1% of the organisations, at most 30: each one sends workflow notifications."""
    return min(30, math.ceil(organisations / 100))


def demo_seed(
    *,
    organisations: int,
    seed: int,
    drafts: int,
    index: bool,
    stdout: TextIO | None = None,
) -> dict[str, int | float]:
    """Create ``organisations`` live demo records with all their children; return the counts.

    ``drafts`` of them also get a draft revision in the editorial workflow. With ``index``, the
    new records are added to Wagtail's search index (the admin search) in bulk.
    """

    def out(line: str) -> None:
        if stdout is not None:
            stdout.write(line + "\n")

    started = clock.perf_counter()
    if organisations < 0 or drafts < 0:
        raise ValueError("The numbers of organisations and drafts cannot be negative.")
    if not connection.features.can_return_rows_from_bulk_insert:
        # Children are linked to their parents through the primary keys bulk_create returns.
        raise DemoDataError(f"{connection.vendor} does not return primary keys from bulk inserts.")

    existing = Organisation.objects.count()
    # On an empty database the data depend on the seed alone. Added to existing records, the
    # stream also depends on how many there are, so that a second run with the same seed draws
    # new UUIDs instead of the ones it inserted the first time (they are unique).
    rng = random.Random(seed if existing == 0 else f"{seed}/{existing}")
    counts = dict.fromkeys(ROW_KINDS, 0)
    created = _insert(
        _generator(rng), organisations, index=index, counts=counts, started=started, out=out
    )
    insert_seconds = clock.perf_counter() - started
    search_started = clock.perf_counter()
    search_index_rebuild()  # the public search's own index, always: it is the directory
    counts["search_index_seconds"] = round(clock.perf_counter() - search_started, 2)

    # Wagtail compares a draft with the live version through the live revision: every demo
    # record gets one, dated at its creation, before any draft (organisations/revisions.py).
    revisions_started = clock.perf_counter()
    counts["revisions"] = live_revisions_ensure(organisation_ids=created.ids)
    counts["revision_seconds"] = round(clock.perf_counter() - revisions_started, 2)
    counts["drafts"] = _start_drafts(rng=rng, candidates=created.active, count=drafts, out=out)
    counts["existing"] = existing
    counts["insert_seconds"] = round(insert_seconds - created.index_seconds, 2)
    counts["index_seconds"] = round(created.index_seconds, 2) if index else 0.0
    counts["seconds"] = round(clock.perf_counter() - started, 2)
    return counts


def _generator(rng: random.Random) -> _Generator:
    """A generator drawing from ``rng``, over the places and needs in the database, that leaves
    the slugs already taken alone."""
    places, weights, region_id = _load_places(rng=rng)
    categories, leaves = _load_categories()
    return _Generator(
        rng=rng,
        places=places,
        place_weights=weights,
        region_id=region_id,
        categories=categories,
        leaf_categories=leaves,
        taken_slugs=set(Organisation.objects.values_list("slug", flat=True)),
    )


@dataclass
class _Created:
    ids: list[int] = field(default_factory=list)
    active: list[int] = field(default_factory=list)  # the candidates for a draft
    index_seconds: float = 0.0


def _insert(
    generator: _Generator,
    organisations: int,
    *,
    index: bool,
    counts: dict[str, int],
    started: float,
    out: Callable[[str], None],
) -> _Created:
    """Generate and write ``organisations`` records chunk by chunk, in one transaction, adding
    them to Wagtail's search index with ``index``; report progress every 10,000."""
    created = _Created()
    tables = _leaf_tables()
    next_report = 10_000
    with _large_sqlite_cache(), transaction.atomic():
        for start in range(0, organisations, CHUNK_SIZE):
            size = min(CHUNK_SIZE, organisations - start)
            bundles = [generator.organisation() for _ in range(size)]
            _write(bundles, tables=tables, counts=counts)
            chunk = [bundle.organisation for bundle in bundles]
            if index:
                index_started = clock.perf_counter()
                _index(chunk)
                created.index_seconds += clock.perf_counter() - index_started
            created.active += [o.pk for o in chunk if o.status == Organisation.Status.ACTIVE]
            created.ids += [o.pk for o in chunk]
            if counts["organisations"] >= next_report:
                elapsed = clock.perf_counter() - started
                out(f"  {counts['organisations']:>7,} organisations ({elapsed:.1f} s)")
                next_report += 10_000
    return created

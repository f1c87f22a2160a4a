"""The monthly counts kept in step with the requests (``MonthlyRequestCount``,
``MonthlyNeedCount``; what a row means is in ``portraits/models.py``).

Every write of requests goes through ``Tally``: what a request adds (+1) or takes away (-1, the
version a correction replaces) is added up in memory, then written in one upsert per table
(``INSERT ... ON CONFLICT DO UPDATE SET count = count + excluded.count``), so that recording a
request costs the same few queries whatever its number of needs, an import of 100,000 rows a
few hundred statements, and two agents saving at the same moment both count: the database adds,
nobody reads then writes.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction

from organisations.search import reference

from .models import MonthlyNeedCount, MonthlyRequestCount, Need, Request, month_of

# Rows per INSERT: 8 values each, under SQLite's 32,766 parameters and PostgreSQL's 65,535.
CHUNK = 1_000


@dataclass
class Tally:
    """Counts to add (or take away) for requests, keyed as the tables are (``KEY``)."""

    requests: Counter = field(default_factory=Counter)
    needs: Counter = field(default_factory=Counter)

    def add(
        self,
        *,
        received_on: date,
        territory_id: int | None,
        channel: str,
        language: str,
        age_band: str,
        needs: Iterable[tuple[int, str, str]],
        places=None,
        sign: int = 1,
    ) -> None:
        """Count one request and its needs, given as (category id, outcome, reason), in its
        territory and every territory containing it. ``places`` is the territory tree
        (``organisations.search.Tree``), read once by the caller for many requests."""
        month = month_of(received_on)
        if territory_id is None:
            chain: list[int | None] = [None]
        else:
            chain = (places or reference().places).up(territory_id)
        for place in chain:
            self.requests[(month, place, channel, language, age_band)] += sign
        for category_id, outcome, reason in needs:
            for place in chain:
                self.needs[(month, place, category_id, outcome, reason, channel, language)] += sign

    def add_request(self, request: Request, needs: Iterable[Need], *, places=None, sign=1):
        self.add(
            received_on=request.received_on,
            territory_id=request.territory_id,
            channel=request.channel,
            language=request.language,
            age_band=request.age_band,
            needs=[(n.category_id, n.outcome, n.reason) for n in needs],
            places=places,
            sign=sign,
        )

    def __bool__(self):
        return bool(self.requests or self.needs)


def counts_apply(tally: Tally) -> None:
    """Add ``tally`` to the monthly counts: one statement per table and per thousand rows
    (rows that cancel out are left out; rows brought down to zero are deleted)."""
    for model, counter in ((MonthlyRequestCount, tally.requests), (MonthlyNeedCount, tally.needs)):
        rows = [(*key, n) for key, n in counter.items() if n]
        inside = [row for row in rows if row[1] is not None]
        outside = [row for row in rows if row[1] is None]
        for chunk_start in range(0, len(inside), CHUNK):
            _upsert(model, inside[chunk_start : chunk_start + CHUNK], outside=False)
        for chunk_start in range(0, len(outside), CHUNK):
            _upsert(model, outside[chunk_start : chunk_start + CHUNK], outside=True)
        lowered = sorted({row[0] for row in rows if row[-1] < 0})
        if lowered:
            model.objects.filter(month__in=lowered, count__lte=0).delete()


def _upsert(model, rows: list[tuple], *, outside: bool) -> None:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [*model.KEY, "count"]
    conflict = [c for c in model.KEY if not (outside and c == "territory_id")]
    marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
        f"VALUES {', '.join([marks] * len(rows))} "
        f"ON CONFLICT ({', '.join(quote(c) for c in conflict)}) "
        f"WHERE {quote('territory_id')} IS {'' if outside else 'NOT '}NULL "
        f"DO UPDATE SET {quote('count')} = {table}.{quote('count')} + excluded.{quote('count')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])


@transaction.atomic
def counts_rebuild(*, batch: int = 5_000) -> tuple[int, int]:
    """Count every request again from the rows (after a restore, or to check the counts);
    returns (requests, needs)."""
    MonthlyRequestCount.objects.all().delete()
    MonthlyNeedCount.objects.all().delete()
    places = reference().places
    tally = Tally()
    requests = needs = 0
    last = 0
    while True:
        chunk = list(
            Request.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "received_on", "territory_id", "channel", "language", "age_band")[
                :batch
            ]
        )
        if not chunk:
            break
        last = chunk[-1][0]
        by_request: dict[int, list] = {pk: [] for pk, *_rest in chunk}
        for request_id, *need in Need.objects.filter(
            request_id__gte=chunk[0][0], request_id__lte=last
        ).values_list("request_id", "category_id", "outcome", "reason"):
            by_request[request_id].append(need)
        for pk, received_on, territory_id, channel, language, age_band in chunk:
            tally.add(
                received_on=received_on,
                territory_id=territory_id,
                channel=channel,
                language=language,
                age_band=age_band,
                needs=by_request[pk],
                places=places,
            )
            needs += len(by_request[pk])
        requests += len(chunk)
    counts_apply(tally)
    return requests, needs

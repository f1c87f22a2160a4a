"""What the directory offers in a territory, need by need, beside what people ask for there.

Read from the public search's index (``organisations.search``): each public organisation's
``tags`` already say which places it serves (``place_token``: the places it serves, those inside
and above them, and where it is) and which needs its live services meet (``need_token``: each
need and the family above it). So « how many organisations serve Montréal-Nord for food aid » is
a count of index rows holding both tokens: one query per territory, kept until the public
directory next changes (``Reference.memo``).
"""

from collections import Counter

from django.db import connection

from organisations.models import SearchDocument
from organisations.search import Reference, need_token, place_token, reference


def organisations_serving(territory_id: int, known: Reference | None = None) -> Counter:
    """{need id: how many public organisations serve ``territory_id`` for that need (or a need
    under it)}; the count for every need together under ``None``."""
    known = known or reference()

    def make() -> Counter:
        tokens = {need_token(c.pk): c.pk for c in known.categories}
        counted: Counter = Counter()
        # The tags column rather than the full-text index: every row holding the place is read
        # anyway, to count its needs.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT tags FROM {SearchDocument._meta.db_table} "  # noqa: S608
                "WHERE (' ' || tags || ' ') LIKE %s",
                [f"% {place_token(territory_id)} %"],
            )
            for (tags,) in cursor.fetchall():
                counted[None] += 1
                for tag in tags.split():
                    need = tokens.get(tag)
                    if need is not None:
                        counted[need] += 1
        return counted

    return known.memo(("portraits_supply", territory_id), make)

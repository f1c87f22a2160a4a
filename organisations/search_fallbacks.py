# ruff: noqa: S608 (SQL built from constants and the index's own query SQL; see search._Match)
"""Where else to look when a search finds nothing (issue 16, item 5): no dead ends.

Two ways out, each a few queries on the same full-text index as ``search.run``, whatever the
directory's size:

- ``most_words``: the words together find nothing (« banque alimentaire zzyzx »). The page shows
  the organisations matching all of them but one, or but two, and so on down to a single word,
  and says which words were left out.
- ``nearby_places``: a need, or words, with a place finds nothing (« dépendances » in
  Saint-Lambert). The page offers the same search in the nearest places that have some, with how
  many, and in the whole region.

Counts stop at ``COUNT_LIMIT`` + 1, as the results' do: a count above ``COUNT_LIMIT`` means
"more than 1,000".
"""

import math
import re
import unicodedata
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import combinations

from django.db import connection, transaction

from .lib.text import fold
from .models import Territory
from .search import (
    CANDIDATES,
    COUNT_LIMIT,
    KM_PER_DEGREE,
    STOPWORDS,
    Reference,
    Search,
    _by_relevance,
    _Match,
    _nearest,
    _terms,
    need_token,
    place_token,
    stems,
)

# Sets of words checked, at most, for one search: a search box holds a few words (six words are
# 6 sets of five, then 15 pairs and the few larger sets made of pairs found), and each set is one
# more full-text lookup.
MOST_WORDS_TRIES = 60
# Searches "near" a point run again for at most this many sets of words: a set found somewhere
# may have nothing within the radius.
NEAR_TRIES = 3
# When the search matches more than COUNT_LIMIT organisations in the region, the nearest places
# are counted as many to a query as are asked for, in at most this many queries (so many matches
# leave few places without any).
NEARBY_BATCHES = 4
# The places a visitor names, where the same search is offered whatever the place searched.
LOCAL_KINDS = (Territory.Kind.MUNICIPALITY, Territory.Kind.BOROUGH)

_TOKEN = re.compile(r"[^\W_]+")  # a run of letters and digits, as ``fold`` splits words


# --- Most of the words ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Word:
    forms: tuple[str, ...]  # the stems it is searched under (``search.stems``)
    typed: tuple[str, ...]  # as the visitor typed it (« logement logements » are one word)


def _words(text: str) -> list[_Word]:
    """The words of ``text`` that a search looks for, as ``search._terms`` reads them (no
    stopword, no single letter), each with how it was typed; words with the same stems are one.
    Empty when there are only stopwords: they are never searched alone here."""
    found: dict[tuple[str, ...], list[str]] = {}
    for token in _TOKEN.findall(unicodedata.normalize("NFC", text or "")):
        for word in fold(token).split():
            if len(word) > 1 and word not in STOPWORDS:
                typed = found.setdefault(stems(word), [])
                if token not in typed:
                    typed.append(token)
    return [_Word(forms, tuple(typed)) for forms, typed in found.items()]


def _filters(search: Search) -> list[str]:
    """The index tokens of the search's need and place, which a fallback keeps."""
    tokens = []
    if search.category:
        tokens.append(need_token(search.category.pk))
    if search.territory:
        tokens.append(place_token(search.territory.pk))
    return tokens


@contextmanager
def _index_cursor():
    """A cursor for reading the first few matches of words put together in new ways.

    PostgreSQL takes the words of a query as independent: for two common words it expects
    thousands of records with both and plans a sequential scan that should stop after a few
    rows. When no record has both, that scan reads the whole table (0.4 s for one pair at 60,000
    organisations, measured); the GIN index answers in a few milliseconds either way. So the
    sequential scan is ruled out for these queries, and for them alone."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            yield cursor
            return
        with transaction.atomic():
            cursor.execute("SET LOCAL enable_seqscan = off")
            yield cursor
            # Inside a request's or a test's transaction, SET LOCAL would last until it ends.
            cursor.execute("SET LOCAL enable_seqscan TO DEFAULT")


def _counts(cursor, matches: list[_Match], cap: int) -> list[int]:
    """How many organisations each match finds, up to ``cap`` (1: whether it finds any), in one
    query: each count stops reading at ``cap``."""
    if not matches:
        return []
    parts, params = [], []
    for match in matches:
        sql, match_params = match.ids()
        parts.append(f"(SELECT count(*) FROM ({sql} LIMIT {int(cap)}) AS found)")
        params += match_params
    cursor.execute("SELECT " + ", ".join(parts), params)
    return list(cursor.fetchone())


def _ranked(search: Search, words: tuple[_Word, ...], tokens: list[str]) -> list[int]:
    """The ids ``run`` would give for these words with the search's filters, best first (nearest
    first for a search near a point), up to COUNT_LIMIT + 1."""
    terms = [word.forms for word in words]
    if search.near:
        match = _Match(terms, tokens)
        return list(_nearest(search.near, search.radius_km, match, COUNT_LIMIT + 1))
    return _by_relevance(terms, tokens)


def _grown(found: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """The sets one word larger all of whose parts are in ``found`` (sets of word positions,
    each in increasing order, ``found`` in the order of ``itertools.combinations``), in that
    order too: only they can find anything (Apriori's candidate generation)."""
    known = set(found)
    grown = []
    for i, first in enumerate(found):
        for second in found[i + 1 :]:
            if first[:-1] != second[:-1]:
                break
            candidate = (*first, second[-1])
            parts = (candidate[:j] + candidate[j + 1 :] for j in range(len(candidate) - 2))
            if all(part in known for part in parts):
                grown.append(candidate)
    return grown


def _word_sets(
    cursor, words: list[_Word], tokens: list[str]
) -> tuple[list[_Word], list[list[tuple[int, ...]]]]:
    """(the words that find something alone, commonest first; the sets of them found together,
    as positions in that list, by size, each size in the order they are preferred)."""
    counts = _counts(cursor, [_Match([word.forms], tokens) for word in words], CANDIDATES + 1)
    found_alone = [(n, i) for i, n in enumerate(counts) if n]
    # The commonest first: sets of positions in this list, in the order of combinations(), leave
    # the rarest out first.
    alive = [words[i] for _n, i in sorted(found_alone, key=lambda pair: (-pair[0], pair[1]))]
    tries = MOST_WORDS_TRIES

    def found(sets: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
        nonlocal tries
        sets = sets[: max(tries, 0)]
        tries -= len(sets)
        matches = [_Match([alive[i].forms for i in kept], tokens) for kept in sets]
        return [kept for kept, n in zip(sets, _counts(cursor, matches, 1), strict=True) if n]

    top = min(len(alive), len(words) - 1)
    levels = [[(i,) for i in range(len(alive))]]  # each word alone finds some
    if top >= 2:
        best = found(list(combinations(range(len(alive)), top)))
        if not best and top > 2:
            sets = found(list(combinations(range(len(alive)), 2)))
            while sets:
                levels.append(sets)
                if len(sets[0]) + 1 >= top:  # the top sets were checked: none finds anything
                    break
                sets = found(_grown(sets))
        levels.append(best)
    return alive, levels


def most_words(search: Search) -> tuple[list[int], list[str]]:
    """When the search's words together find nothing: the ids of the organisations matching
    the most of them (all but one, then all but two..., never fewer than one word and never only a
    stop word), best first, and the words (as typed) that were left out. ([], []) when none helps.

    The need and the place chosen are kept; only words are left out. A word that finds nothing
    even alone (a misspelling, a word no record has) is left out first. Among sets of as many
    words, the one leaving out the rarest words is kept: they most likely made the search fail,
    and leaving them out keeps the most organisations.

    One query counts each word alone; one checks all the words found alone together, or every
    set of all of them but one; when none finds anything, the sets are built up from pairs, each
    size in one query, a set being checked only when all its parts found something (``_grown``),
    ``MOST_WORDS_TRIES`` sets in all. The set kept is ranked as ``run`` ranks (two or three
    queries): five or six queries for a search of three or four words.

    Up to COUNT_LIMIT + 1 ids, as ``run`` reads them (more than COUNT_LIMIT: the count is capped).
    Call it when ``run`` found nothing: the whole set of words is not tried again."""
    words = _words(search.text)
    if len(words) < 2:
        return [], []
    tokens = _filters(search)
    with _index_cursor() as cursor:
        alive, levels = _word_sets(cursor, words, tokens)

    def left_out(kept: tuple[int, ...]) -> list[str]:
        keeping = [alive[i] for i in kept]
        return [typed for word in words if word not in keeping for typed in word.typed]

    near_tries = NEAR_TRIES
    for kept in (kept for sets in reversed(levels) for kept in sets):
        ids = _ranked(search, tuple(alive[i] for i in kept), tokens)
        if ids:
            return ids, left_out(kept)
        if search.near:  # a set found somewhere may have nothing within the radius
            near_tries -= 1
            if near_tries <= 0:
                break
    return [], []


# --- Nearby places -------------------------------------------------------------------------------


def _centres(known: Reference) -> dict[int, tuple[float, float]]:
    """{territory id: centre} for every place but the region: its own centre, or for a sector
    (the gazetteer gives none) the mean of the centres of the places inside it."""

    def make() -> dict[int, tuple[float, float]]:
        centres = {}
        for territory in known.territories:
            if territory.kind == Territory.Kind.REGION:
                continue
            if territory.latitude is not None and territory.longitude is not None:
                centres[territory.pk] = (territory.latitude, territory.longitude)
                continue
            inside = [known.centres.get(pk) for pk in known.places.down(territory.pk)]
            inside = [centre for centre in inside if centre]
            if inside:
                centres[territory.pk] = (
                    sum(c[0] for c in inside) / len(inside),
                    sum(c[1] for c in inside) / len(inside),
                )
            elif territory.pk in known.centres:  # a place part of one with a centre
                centres[territory.pk] = known.centres[territory.pk]
        return centres

    return known.memo(("fallback_centres",), make)


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The distance between two points of the region, on a plane (well under 1 % off at 100 km)."""
    k = math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(a[0] - b[0], (a[1] - b[1]) * k) * KM_PER_DEGREE


def _places_around(search: Search, known: Reference) -> list[Territory]:
    """The places to offer instead of the one searched, in order: those of its kind, then
    municipalities and boroughs, each nearest first (by centre) to the point searched near or to
    the place's centre. Never the region (it is offered apart), nor the place itself, the places
    it is part of, or the places inside it (they can only have fewer)."""
    centres = _centres(known)
    searched = search.territory
    if search.near:
        anchor = (search.near.latitude, search.near.longitude)
    else:
        anchor = centres.get(searched.pk) if searched else None
    if anchor is None:
        return []
    if searched:
        group = {kind: 1 for kind in LOCAL_KINDS} | {searched.kind: 0}
        excluded = {*known.places.up(searched.pk), *known.places.down(searched.pk)}
    else:  # around a point, municipalities and boroughs alike
        group, excluded = dict.fromkeys(LOCAL_KINDS, 0), set()
    around = [
        territory
        for territory in known.territories
        if territory.kind in group and territory.pk not in excluded and territory.pk in centres
    ]
    around.sort(key=lambda t: (group[t.kind], _km(anchor, centres[t.pk]), fold(t.name), t.pk))
    return around


def _tags(cursor, match: _Match, limit: int) -> list[str]:
    """The filter tokens (``tags``) of the first ``limit`` organisations the match finds."""
    sql, params = match.ids()
    cursor.execute(
        f"""SELECT tags FROM organisations_searchdocument
        WHERE organisation_id IN ({sql} LIMIT {int(limit)})""",
        params,
    )
    return [tags for (tags,) in cursor.fetchall()]


def nearby_places(
    search: Search, known: Reference, limit: int = 5
) -> tuple[list[tuple[Territory, int]], int]:
    """When a need (and words) with a place (search.territory, or search.near) finds nothing: the
    nearest places (same kind first: neighbouring municipalities/boroughs by centre distance,
    `known.centres`) where the same need and words find organisations, with how many, and how many
    the whole region has (0 when none).

    The same need and words without the place are read once, up to COUNT_LIMIT + 1 matches with
    the places each serves or is in: that is the region's count and, when it is not capped, every
    place's count at once: one query. A search matching more
    than COUNT_LIMIT counts the nearest places ``limit`` to a query instead, until ``limit``
    have some (``NEARBY_BATCHES`` queries at most). Counts above COUNT_LIMIT mean "more than COUNT_LIMIT"."""
    terms = _terms(search.text)
    if search.text.strip() and not terms:  # only punctuation: nothing can match anywhere
        return [], 0
    tokens = [need_token(search.category.pk)] if search.category else []
    if not terms and not tokens:
        return [], 0
    with _index_cursor() as cursor:
        return _places_found(cursor, search, known, terms, tokens, limit)


def _places_found(
    cursor, search: Search, known: Reference, terms, tokens: list[str], limit: int
) -> tuple[list[tuple[Territory, int]], int]:
    """``nearby_places`` once the words and the need are read."""
    match = _Match(terms, tokens)
    rows = _tags(cursor, match, COUNT_LIMIT + 1)
    region = len(rows)
    if not region:
        return [], 0
    candidates = _places_around(search, known)
    if region <= COUNT_LIMIT:
        counts = Counter(token for tags in rows for token in set(tags.split()))
        found = [(t, counts[place_token(t.pk)]) for t in candidates if counts[place_token(t.pk)]]
        return found[:limit], region
    found = []
    for start in range(0, limit * NEARBY_BATCHES, limit):
        batch = candidates[start : start + limit]
        if not batch or len(found) >= limit:
            break
        matches = [_Match(terms, [*tokens, place_token(t.pk)]) for t in batch]
        counts = _counts(cursor, matches, COUNT_LIMIT + 1)
        found += [(t, n) for t, n in zip(batch, counts, strict=True) if n]
    return found[:limit], region

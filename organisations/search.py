# ruff: noqa: S608 (SQL built from constants and Django-compiled SQL; see _Match)
"""The public directory's search: words, need, place served and proximity, in one query plan.

Words go to the database's own full-text engine (SQLite FTS5 ranked by bm25, PostgreSQL
``tsvector`` with a GIN index ranked by ``ts_rank``) over ``SearchDocument`` rows: folded text
(no case, no accents) stemmed by Snowball's French and English stemmers (see ``stems``), the name
weighted above the other names, the names and keywords of the needs served, and the rest.
Wagtail's database backend was measured too slow for this (a per-row ranking subquery, DESIGN.md).

Filters cost no more than words: what each organisation serves and meets is worked out when it
is published, as tokens of the same index (``n<id>`` for a need and the family above it, ``a<id>``
for a place served with the places inside and above it, see ``_index``), so that any search is
one full-text query. "Near" reads ``SearchPoint`` rows (a confidential address is at its
municipality's centre) in a box that grows until it holds enough organisations.

Ranking is bounded: a common word can match most of the directory, so only the first
``CANDIDATES`` matches in index order are scored, after as many name matches. Counts stop at
``COUNT_LIMIT`` ("more than 1,000").

The index holds public organisations only and is kept in step by ``search_document_update``,
called on publication, unpublication, status changes and geocoding; ``search_index_rebuild``
rebuilds it (``manage.py rebuild_search_index``, and after an edit of the needs or places).
"""

import json
import math
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer
from django.db import connection, transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone, translation

from .lib.text import fold
from .models import (
    Category,
    Location,
    Organisation,
    PublicVersion,
    SearchDocument,
    SearchPoint,
    Service,
    Territory,
)
from .selectors import STAND_IN_PRECISIONS

CANDIDATES = 1_000
COUNT_LIMIT = 1_000
FACET_SAMPLE = 200
KM_PER_DEGREE = 111.195
RADII_KM = (2, 5, 10, 25, 50)
DEFAULT_RADIUS_KM = 10
VISIBLE_SERVICE_STATUSES = (Service.Status.ACTIVE, Service.Status.TEMPORARILY_CLOSED)


# --- Text ----------------------------------------------------------------------------------------


_stemmers = threading.local()  # a Snowball stemmer keeps state while it works: one per thread

# Snowball's French stemmer cuts some short words to a root that unrelated words share: « répit »
# and « repas » both to "rep", « aidant » and « aide » to "aid", « logement » and « loge » to "log".
# A French stem under this length is not used (the English stem, which mostly takes off a plural,
# still meets singular and plural).
FRENCH_STEM_MIN = 4
# Words whose French stem (without accents) is another word's: « réfugiés » is not « refuges ».
STEM_OVERRIDES = dict.fromkeys(("refugie", "refugies", "refugiee", "refugiees"), ("refugi",))


@lru_cache(maxsize=100_000)
def stems(word: str) -> tuple[str, ...]:
    """The forms under which a folded word is indexed and searched: its French and its English
    Snowball stem, one when they agree. A record and a query may be in either language and say
    nothing of it, so both are kept and a query word matches either: « logements » meets
    « logement », « aliments » « alimentation », « housing » « houses », « families » « family »
    (by the English stem), « shelters » « shelter » (by the English stem, where the French one
    differs). Words are folded first (no accents), so that « aînés » and « aines » are one.
    Numbers, codes (h7g) and words of one or two letters stay as they are."""
    if len(word) <= 2 or not word.isalpha():
        return (word,)
    if word in STEM_OVERRIDES:
        return STEM_OVERRIDES[word]
    if not hasattr(_stemmers, "french"):
        _stemmers.french = snowballstemmer.stemmer("french")
        _stemmers.english = snowballstemmer.stemmer("english")
    french, english = _stemmers.french.stemWord(word), _stemmers.english.stemWord(word)
    if french == english or len(french) < FRENCH_STEM_MIN:
        return (english,)
    return (french, english)


def words(text: str) -> list[str]:
    """The words of ``text``, folded (no case, no accents, no punctuation), not stemmed."""
    return fold(text).split()


def document_text(*parts: str) -> str:
    """Text as the index holds it: each word as its stems (``stems``)."""
    return " ".join(s for part in parts if part for w in words(part) for s in stems(w))


# --- The reference trees -------------------------------------------------------------------------


@dataclass
class Tree:
    """Territories or needs as parent links, from one query (each tree has under 200 rows)."""

    parent: dict[int, int | None]
    children: dict[int | None, list[int]]

    @classmethod
    def of(cls, rows) -> "Tree":
        parent, children = {}, {}
        for pk, parent_id in rows:
            parent[pk] = parent_id
            children.setdefault(parent_id, []).append(pk)
        return cls(parent, children)

    def up(self, pk: int | None) -> list[int]:
        """``pk`` and everything it is part of."""
        chain = []
        while pk is not None and pk not in chain:
            chain.append(pk)
            pk = self.parent.get(pk)
        return chain

    def down(self, pk: int) -> list[int]:
        """Everything inside ``pk``."""
        found, stack = [], list(self.children.get(pk, []))
        while stack:
            node = stack.pop()
            found.append(node)
            stack.extend(self.children.get(node, []))
        return found


def place_token(territory_id: int) -> str:
    return f"a{territory_id}"


def need_token(category_id: int) -> str:
    return f"n{category_id}"


def municipality_token(territory_id: int) -> str:
    return f"m{territory_id}"


# --- Keeping the index in step -------------------------------------------------------------------

# Sent when what the public sees has changed (``public_version_bump``).
public_version_changed = Signal()


def public_version_bump() -> None:
    """Something the public sees changed: every cached public page is now stale (cms/cache.py),
    and so are the open data packages (made again once this commits: ``public_version_changed``,
    which organisations/apps.py connects to the packages' refresh)."""
    updated = PublicVersion.objects.filter(pk=1).update(
        number=F("number") + 1, changed_at=timezone.now()
    )
    if not updated:
        PublicVersion.objects.get_or_create(pk=1, defaults={"number": 1})
    public_version_changed.send(sender=PublicVersion)


def _card(
    organisation: Organisation,
    services: list[Service],
    needs: dict[int, list[int]],
    municipality: int | None,
    phone,
    areas: list[list] | None = None,
) -> dict:
    """What a result shows of the organisation, in both languages (see ``result_rows``).

    ``areas``: the points that only stand in for a place, [latitude, longitude, territory id]
    (a municipality's or borough's centre: the address is confidential or was not found), so
    that a distance to one of them is said as what it is, never « à 0,0 km »."""
    from django.utils.text import Truncator

    from .models import bilingual, bilingual_language

    categories = []
    for service in services:
        for need in needs.get(service.pk, []):
            if need not in categories:
                categories.append(need)
    closed = [s.status == Service.Status.TEMPORARILY_CLOSED for s in services]
    card = {
        "name": organisation.name,
        "slug": organisation.slug,
        "municipality": municipality,
        "needs": categories[:4],
        "closed": "all" if closed and all(closed) else "some" if any(closed) else "",
        "tel": phone.tel_uri if phone else "",
    }
    if areas:
        card["areas"] = areas
    for language in ("fr", "en"):
        card[f"summary_{language}"] = Truncator(
            bilingual(organisation, "description", language)
        ).chars(220)
        card[f"summary_lang_{language}"] = bilingual_language(organisation, "description", language)
        if phone:
            with translation.override(language):
                card[f"phone_{language}"] = phone.display
    return card


def _index(organisation_ids: list[int], known: "Reference") -> int:
    """Write the index entries (document and points) of those of ``organisation_ids`` that are
    public, in a fixed number of queries; returns how many. Entries already there stay: callers
    delete them first."""
    from .models import Phone

    organisations = list(
        Organisation.objects.public()
        .filter(pk__in=organisation_ids)
        .only("pk", "name", "slug", "alternate_name", "description_fr", "description_en")
    )
    found = [o.pk for o in organisations]
    services: dict[int, list[Service]] = {}
    for service in (
        Service.objects.filter(organisation_id__in=found, status__in=VISIBLE_SERVICE_STATUSES)
        .order_by("sort_order", "pk")
        .only("organisation_id", "status", "name_fr", "name_en", "description_fr", "description_en")
    ):
        services.setdefault(service.organisation_id, []).append(service)
    service_ids = [s.pk for group in services.values() for s in group]
    areas: dict[int, list[int]] = {}
    for service_id, territory_id in Service.service_areas.through.objects.filter(
        service_id__in=service_ids
    ).values_list("service_id", "territory_id"):
        areas.setdefault(service_id, []).append(territory_id)
    needs: dict[int, list[int]] = {}
    for service_id, category_id in (
        Service.categories.through.objects.filter(service_id__in=service_ids)
        .order_by("pk")
        .values_list("service_id", "category_id")
    ):
        needs.setdefault(service_id, []).append(category_id)
    locations: dict[int, list[tuple]] = {}
    for row in (
        Location.objects.filter(organisation_id__in=found)
        .order_by("sort_order", "pk")
        .values_list(
            "organisation_id",
            "municipality_id",
            "latitude",
            "longitude",
            "address_is_confidential",
            "geocode_precision",
        )
    ):
        locations.setdefault(row[0], []).append(row[1:])
    phones: dict[int, Phone] = {}
    for phone in Phone.objects.filter(organisation_id__in=found).order_by("-sort_order", "-pk"):
        phones[phone.organisation_id] = phone  # the first one last: it is the one kept

    documents, points = [], []
    for organisation in organisations:
        own_services = services.get(organisation.pk, [])
        own_locations = locations.get(organisation.pk, [])
        tags, facets, spots, stand_ins = set(), set(), set(), []
        for service in own_services:
            for area in areas.get(service.pk, []):
                # Serving Laval is serving each of its sectors; serving a sector of Laval is
                # serving part of Laval: a search for either place finds it.
                tags.update(place_token(t) for t in known.places.up(area) + known.places.down(area))
            for need in needs.get(service.pk, []):
                family = known.needs.up(need)
                tags.update(need_token(c) for c in family)  # a family includes its needs
                facets.add(need_token(family[-1]))
        for municipality, latitude, longitude, confidential, precision in own_locations:
            if municipality:
                tags.update(place_token(t) for t in known.places.up(municipality))
                facets.add(municipality_token(municipality))
            # A confidential address is found near its municipality's centre, never nearer.
            if confidential:
                spot = known.centres.get(municipality)
            else:
                spot = (latitude, longitude) if latitude is not None and longitude else None
            if spot:
                spots.add(spot)
                if confidential or precision in STAND_IN_PRECISIONS:
                    stand_ins.append([spot[0], spot[1], municipality])
        # The words of the needs served and of the families above them, each once: a record
        # serving three food needs is not three times as much about food.
        need_words = dict.fromkeys(
            w
            for service in own_services
            for need in needs.get(service.pk, [])
            for pk in known.needs.up(need)
            for w in known.need_words(pk)
        )
        body = [organisation.description_fr, organisation.description_en]
        for service in own_services:
            body += [
                service.name_fr,
                service.name_en,
                service.description_fr,
                service.description_en,
            ]
        documents.append(
            SearchDocument(
                organisation_id=organisation.pk,
                name=document_text(organisation.name),
                other_names=document_text(organisation.alternate_name),
                needs=" ".join(need_words),
                body=document_text(*body),
                tags=" ".join(sorted(tags)),
                facets=sorted(facets),
                sort_name=fold(organisation.name)[:255],
                card=_card(
                    organisation,
                    own_services,
                    needs,
                    own_locations[0][0] if own_locations else None,
                    phones.get(organisation.pk),
                    stand_ins,
                ),
            )
        )
        points += [
            SearchPoint(document_id=organisation.pk, latitude=lat, longitude=lon)
            for lat, lon in sorted(spots)
        ]
    SearchDocument.objects.bulk_create(documents)
    SearchPoint.objects.bulk_create(points)
    return len(documents)


@transaction.atomic
def search_document_update(*, organisation_id: int) -> None:
    """Index the organisation as the public sees it now, or take it out of the index."""
    public_version_bump()
    SearchDocument.objects.filter(organisation_id=organisation_id).delete()
    _index([organisation_id], reference())


@transaction.atomic
def search_index_rebuild(*, batch: int = 2_000) -> int:
    """Rebuild the whole index from the public organisations; returns how many were indexed."""
    public_version_bump()
    SearchPoint.objects.all().delete()
    SearchDocument.objects.all().delete()
    known = reference()
    ids = list(Organisation.objects.public().order_by("pk").values_list("pk", flat=True))
    return sum(_index(ids[i : i + batch], known) for i in range(0, len(ids), batch))


def search_index_ensure() -> int:
    """After ``migrate``: rebuild an empty index when there are public organisations (a migration
    that changes what the index holds empties it). Returns how many were indexed."""
    if SearchDocument.objects.exists() or not Organisation.objects.public().exists():
        return 0
    return search_index_rebuild()


# --- Queries -------------------------------------------------------------------------------------


# Words left out of a search (unless nothing else is asked), as is any single letter, so that
# "clinique d'impôts" means "clinique impot". Folded, as the index is, and matched before
# stemming. Kept short: the articles, prepositions, conjunctions and pronouns of French and
# English that every record has (from Snowball's stop word lists), and the words of a request
# rather than of what is requested ("j'ai besoin de", "trouver", "I need", "looking for", "near
# me"), which no record has: every word of a search must be found.
STOPWORDS = frozenset(
    (
        # French
        *("au", "aux", "avec", "ce", "ces", "dans", "de", "des", "du", "en", "et", "la", "le"),
        *("les", "leur", "leurs", "ou", "par", "pour", "sa", "se", "ses", "sur", "un", "une"),
        *("je", "tu", "il", "elle", "on", "nous", "vous", "ils", "elles", "moi", "me", "mon"),
        *("ma", "mes", "ton", "ta", "tes", "son", "qui", "que", "quoi", "ai", "pas", "ne"),
        *("chez", "vers", "cet", "cette"),
        *("besoin", "trouver", "cherche", "chercher", "recherche", "veux", "voudrais", "svp"),
        *("comment", "quel", "quelle", "pres"),
        # English
        *("a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to"),
        *("with", "i", "my", "we", "our", "you", "your", "is", "are", "be", "it", "its"),
        *("this", "that", "there", "some", "any", "can", "get", "where", "how", "what"),
        *("need", "looking", "want", "find", "search", "near", "nearby", "please"),
    )
)


def _terms(text: str) -> list[tuple[str, ...]]:
    """The visitor's words as index terms: each word as the stems it may be found under
    (``stems``, any of them matches), reduced to letters and digits (they go into a full-text
    query, where quotes and operators would mean something), without stopwords.

    Terms are matched whole, after folding and stemming: a prefix query makes FTS5 gather the
    whole doclist of every word it covers before it can return one row, which at 60,000 records
    costs a common word ten times its whole-word match."""
    folded = [w for w in (re.sub(r"[^\w]", "", w) for w in words(text)) if w]
    meaningful = [w for w in folded if len(w) > 1 and w not in STOPWORDS]
    return [stems(w) for w in dict.fromkeys(meaningful or folded)]


def _fts_term(forms: tuple[str, ...]) -> str:
    """One word of a search in FTS5's query language: any of its stems."""
    quoted = [f'"{form}"' for form in forms]
    return quoted[0] if len(quoted) == 1 else f"({' OR '.join(quoted)})"


def _ts_term(forms: tuple[str, ...]) -> str:
    """One word of a search in PostgreSQL's ``tsquery``: any of its stems."""
    return forms[0] if len(forms) == 1 else f"({' | '.join(forms)})"


class _Match:
    """A full-text query over the index: words (optionally only in the names) and filter tokens,
    as SQL selecting the organisations' ids, for SQLite's FTS5 or PostgreSQL."""

    def __init__(
        self, terms: list[tuple[str, ...]], tokens: list[str], *, names_only: bool = False
    ):
        self.terms, self.tokens, self.names_only = terms, tokens, names_only
        self.sqlite = connection.vendor == "sqlite"

    def where(self) -> tuple[str, list]:
        """(a condition on the index, its parameters)."""
        if self.sqlite:
            parts = []
            if self.terms:
                columns = "name other_names"
                if not self.names_only:
                    columns += " needs body"
                words = " AND ".join(_fts_term(t) for t in self.terms)
                parts.append(f"{{{columns}}} : ({words})")
            if self.tokens:
                tokens = " ".join(f'"{t}"' for t in self.tokens)
                parts.append(f"{{tags}} : ({tokens})")
            return "organisations_search_fts MATCH %s", [" AND ".join(parts)]
        # The names have a vector of their own (migration 0013): a weighted query on the whole
        # vector ('word:AB') made PostgreSQL fetch each candidate's vector, most of them stored
        # out of line, to recheck it. The filters first: a row they leave out is read no further.
        conditions, params = [], []
        if self.tokens:
            conditions.append("tags_vector @@ to_tsquery('simple', %s)")
            params.append(" & ".join(self.tokens))
        if self.terms:
            vector = "names_vector" if self.names_only else "vector"
            conditions.append(f"{vector} @@ to_tsquery('simple', %s)")
            params.append(" & ".join(_ts_term(t) for t in self.terms))
        return " AND ".join(conditions), params

    def ids(self) -> tuple[str, list]:
        """(SQL selecting every matching organisation's id, its parameters)."""
        where, params = self.where()
        table = "organisations_search_fts" if self.sqlite else "organisations_searchdocument"
        column = "rowid" if self.sqlite else "organisation_id"
        return f"SELECT {column} FROM {table} WHERE {where}", params

    def first(self, limit: int) -> list[int]:
        """The first ``limit`` matching ids in index order, unranked: read as they are found,
        so a word found in every record costs no more than a rare one."""
        sql, params = self.ids()
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} LIMIT {limit}", params)
            return [pk for (pk,) in cursor.fetchall()]

    def ranked(self, bonus: float, limit: int) -> list[int]:
        """Matching ids, best first. Only for a match known to be small: to weigh a word,
        bm25 reads every row that has it. The parts weigh, from most to least: the name, the
        other names, the needs served, the rest (and the filters' tokens nothing)."""
        where, params = self.where()
        if self.sqlite:
            sql = f"""SELECT pk FROM (
                SELECT rowid AS pk, bm25(organisations_search_fts, 10.0, 5.0, 1.0, 0.0, 3.0) - %s
                    AS score
                FROM organisations_search_fts WHERE {where} LIMIT {limit}
            ) found ORDER BY score, pk"""
            arguments = [bonus, *params]
        else:
            # Name matches are ranked on the names: their vector is in the row, where the whole
            # one of a thousand matches would be fetched from out of line (TOAST) to be weighed.
            vector = "names_vector" if self.names_only else "vector"
            sql = f"""SELECT pk FROM (
                SELECT organisation_id AS pk, -ts_rank({vector}, to_tsquery('simple', %s), 1) - %s
                    AS score
                FROM organisations_searchdocument WHERE {where} LIMIT {limit}
            ) found ORDER BY score, pk"""
            arguments = [" & ".join(_ts_term(t) for t in self.terms), bonus, *params]
        with connection.cursor() as cursor:
            cursor.execute(sql, arguments)
            return [pk for (pk,) in cursor.fetchall()]


def _by_relevance(terms: list[tuple[str, ...]], tokens: list[str]) -> list[int]:
    """Ids best first: name matches, then the others.

    When the words match at most ``CANDIDATES`` records, all are ranked (bm25, ts_rank). A
    common word matches more: its name matches are ranked when they are few enough, and the rest
    follow in index order (thousands of records that all say "aide" have no useful order)."""
    anywhere, names = _Match(terms, tokens), _Match(terms, tokens, names_only=True)
    found = anywhere.first(CANDIDATES + 1)
    if len(found) <= CANDIDATES:
        ranked = names.ranked(100.0, CANDIDATES) + anywhere.ranked(0.0, CANDIDATES)
    else:
        named = names.first(CANDIDATES + 1)
        if len(named) <= CANDIDATES:
            named = names.ranked(100.0, CANDIDATES)
        ranked = named + found
    return list(dict.fromkeys(ranked))


SORTED_IN_MEMORY = 5_000


def _having_tags(tokens: list[str]) -> tuple[str, list]:
    """(a condition on ``organisations_searchdocument``, its parameters): the row has every
    filter token, read from its ``tags`` column rather than from the full-text index."""
    return " AND ".join(["(' ' || tags || ' ') LIKE %s"] * len(tokens)), [
        f"% {token} %" for token in tokens
    ]


def _by_name(tokens: list[str], limit: int) -> list[int]:
    """Ids of the organisations with every token, in alphabetical order, at most ``limit``.

    The matches are sorted when there are at most ``SORTED_IN_MEMORY``; more (a need or a place
    most records have) and the names are read in order, keeping those with the tokens, until
    ``limit`` are found: either way, a few thousand rows at most, whatever the directory's size.
    """
    match = _Match([], tokens)
    if not match.sqlite:
        # In code point order, as SQLite's and as migration 0013 indexes it: the names are
        # folded, and the database's own collation would only make each comparison slower.
        match_sql, params = match.where()
        sql = f"""SELECT organisation_id FROM organisations_searchdocument WHERE {match_sql}
            ORDER BY sort_name COLLATE "C", organisation_id LIMIT {limit}"""
    else:
        found = match.first(SORTED_IN_MEMORY + 1)
        if len(found) <= SORTED_IN_MEMORY:
            sql = f"""SELECT organisation_id FROM organisations_searchdocument
                WHERE organisation_id IN (SELECT value FROM json_each(%s))
                ORDER BY sort_name, organisation_id LIMIT {limit}"""
            params = [json.dumps(found)]
        else:
            having, params = _having_tags(tokens)
            sql = f"""SELECT organisation_id FROM organisations_searchdocument WHERE {having}
                ORDER BY sort_name, organisation_id LIMIT {limit}"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [pk for (pk,) in cursor.fetchall()]


# Up to this many matches, "near" reads them once and checks each point against the list.
RESTRICTED_IN_MEMORY = 20_000


def _restriction(match: _Match | None) -> tuple[str, list, bool]:
    """(a condition on ``organisations_searchpoint``, its parameters, whether it is cheap
    enough to repeat) keeping the points of the organisations ``match`` finds."""
    if match is None:
        return "", [], True
    if match.sqlite:
        found = match.first(RESTRICTED_IN_MEMORY + 1)
        if len(found) <= RESTRICTED_IN_MEMORY:
            return "document_id IN (SELECT value FROM json_each(%s))", [json.dumps(found)], True
        if not match.terms:  # a need or a place most records have: checked on each point
            having, params = _having_tags(match.tokens)
            sql = f"""document_id IN (SELECT organisation_id FROM organisations_searchdocument
                WHERE organisation_id = document_id AND {having})"""
            return sql, params, True
    sql, params = match.ids()
    return f"document_id IN ({sql})", params, False


# The squared distance of a point to (%s, %s), on a plane tangent there, in degrees of latitude
# (parameters: ``_plane_params``): ``_nearest`` and ``nearest_first`` measure alike.
PLANE_D2 = "(latitude - %s) * (latitude - %s) + (longitude - %s) * (longitude - %s) * %s"


def _plane_params(latitude: float, longitude: float) -> list[float]:
    k = math.cos(math.radians(latitude))
    return [latitude, latitude, longitude, longitude, k * k]


def _id_in(column: str, ids: list[int]) -> tuple[str, object]:
    """(a condition that ``column`` is one of ``ids``, its one parameter), one parameter
    whatever the number of ids: a JSON list on SQLite, an array on PostgreSQL."""
    if connection.vendor == "sqlite":
        return f"{column} IN (SELECT value FROM json_each(%s))", json.dumps(list(ids))
    return f"{column} = ANY(%s)", list(ids)


def _nearest(point: "Point", radius_km: int, match: _Match | None, limit: int) -> dict[int, float]:
    """{id: km} of the organisations with a place within ``radius_km`` of ``point``, nearest
    first, at most ``limit``. The search box grows through the radii below the one asked for
    and stops as soon as it holds ``limit`` organisations: downtown, a 50 km search reads the
    points of a few kilometres, not of the whole metropolitan area."""
    lat0, lon0 = point.latitude, point.longitude
    # Distances on a plane tangent at the visitor's point: under 0.1 % off at 50 km.
    k = math.cos(math.radians(lat0))
    restriction, restriction_params, repeatable = _restriction(match)
    steps = [r for r in RADII_KM if r < radius_km] if repeatable else []
    distance = PLANE_D2
    step, found = None, {}
    while True:
        step = _next_step(step, len(found), [*steps, radius_km], limit)
        half_lat = step / KM_PER_DEGREE
        half_lon = half_lat / max(k, 0.01)
        where = f"""latitude BETWEEN %s AND %s AND longitude BETWEEN %s AND %s
            {f"AND {restriction}" if restriction else ""}"""
        params = _plane_params(lat0, lon0)
        params += [lat0 - half_lat, lat0 + half_lat, lon0 - half_lon, lon0 + half_lon]
        params += restriction_params
        # The nearest points first, read from the covering (latitude, longitude, document)
        # index and kept in a bounded heap: their organisations, each at its nearest point, are
        # the nearest organisations when there are enough of them, or when the box held no more.
        points = POINTS_PER_ORGANISATION * limit
        sql = f"""SELECT document_id, {distance} AS d2 FROM organisations_searchpoint
            WHERE {where} ORDER BY d2, document_id LIMIT {points}"""
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            found = _within(rows, step, limit)
            cut_short = len(rows) == points and math.sqrt(rows[-1][1]) * KM_PER_DEGREE <= step
            if cut_short and len(found) < limit:
                # Organisations with many places each: their nearest places, counted exactly.
                cursor.execute(
                    f"""SELECT document_id, MIN({distance}) AS d2 FROM organisations_searchpoint
                    WHERE {where} GROUP BY document_id ORDER BY d2, document_id LIMIT {limit}""",
                    params,
                )
                found = _within(cursor.fetchall(), step, limit)
        if len(found) >= limit or step == radius_km:
            return found


def _next_step(step: float | None, found: int, steps: list[float], limit: int) -> float:
    """The next radius to search, after ``step`` found ``found`` organisations: the first one
    whose area, at the same density, would hold half of ``limit``, or the last one. A step that
    could not be enough is not worth reading (each one reads the points of the one before)."""
    if step is None:
        return steps[0]
    for radius in steps:
        if radius > step and max(found, 1) * (radius / step) ** 2 >= limit / 2:
            return radius
    return steps[-1]


# How many nearest points "near" reads for each organisation it wants.
POINTS_PER_ORGANISATION = 2


def _within(rows, step_km: float, limit: int) -> dict[int, float]:
    """{id: km} from (id, squared distance) rows nearest first: each organisation at its
    nearest point, up to ``limit`` organisations within ``step_km``."""
    found: dict[int, float] = {}
    for pk, d2 in rows:
        km = math.sqrt(d2) * KM_PER_DEGREE
        if km > step_km or len(found) >= limit:
            break
        found.setdefault(pk, km)
    return found


def nearest_first(ids: list[int], centre: tuple[float, float]) -> list[int]:
    """``ids`` ordered by the distance of each organisation's nearest point to ``centre``, in
    one query; those with no point keep their order, after the others."""
    among, listed = _id_in("document_id", ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT document_id, MIN({PLANE_D2}) FROM organisations_searchpoint WHERE {among} "
            "GROUP BY document_id",
            [*_plane_params(*centre), listed],
        )
        d2 = dict(cursor.fetchall())
    rank = {pk: i for i, pk in enumerate(ids)}
    return sorted(ids, key=lambda pk: (pk not in d2, d2.get(pk, 0.0), rank[pk]))


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float
    label: str = ""


@dataclass
class Search:
    """A visitor's search, as read from the query string."""

    text: str = ""
    category: Category | None = None
    territory: Territory | None = None
    near: Point | None = None
    radius_km: int = DEFAULT_RADIUS_KM

    @property
    def is_empty(self) -> bool:
        return not (self.text.strip() or self.category or self.territory or self.near)


@dataclass
class Results:
    search: Search  # as answered: a place taken from the words is its territory or point
    ids: list[int]  # every match, in order (bounded by COUNT_LIMIT)
    distances: dict[int, float] = field(default_factory=dict)  # km
    count_is_capped: bool = False

    @property
    def count(self) -> int:
        return len(self.ids)


def run(search: Search) -> Results:
    """The ordered ids of the public organisations matching ``search``, with distances: one
    or two queries on the index, whatever the filters."""
    tokens = []
    if search.category:
        tokens.append(need_token(search.category.pk))
    if search.territory:
        tokens.append(place_token(search.territory.pk))
    terms = _terms(search.text)
    distances: dict[int, float] = {}
    if search.text.strip() and not terms:  # only punctuation: nothing can match
        ids = []
    elif search.near:
        match = _Match(terms, tokens) if terms or tokens else None
        distances = _nearest(search.near, search.radius_km, match, COUNT_LIMIT + 1)
        ids = list(distances)
    elif terms:
        ids = _by_relevance(terms, tokens)
    else:
        ids = _by_name(tokens, COUNT_LIMIT + 1)
    capped = len(ids) > COUNT_LIMIT
    return Results(
        search=search, ids=ids[:COUNT_LIMIT], distances=distances, count_is_capped=capped
    )


def facet_counts(ids: list[int], known: "Reference") -> dict[str, list[tuple]]:
    """How many of the results meet each need family and are in each municipality, the twelve
    largest of each, counted by the database from the facets the index keeps (one query)."""
    among, listed = _id_in("document.organisation_id", ids)
    if connection.vendor == "sqlite":
        sql = f"""SELECT facet.value, count(*) FROM organisations_searchdocument document,
                json_each(document.facets) facet WHERE {among} GROUP BY facet.value"""
    else:
        sql = f"""SELECT facet, count(*) FROM organisations_searchdocument document,
                jsonb_array_elements_text(document.facets) facet WHERE {among} GROUP BY facet"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [listed])
        counts = cursor.fetchall()
    counts.sort(key=lambda row: (-row[1], row[0]))
    needs = [(known.categories_by_pk.get(int(t[1:])), n) for t, n in counts if t[0] == "n"]
    places = [(known.territories_by_pk.get(int(t[1:])), n) for t, n in counts if t[0] == "m"]
    return {
        "categories": [(c, n) for c, n in needs if c is not None][:12],
        "municipalities": [(t, n) for t, n in places if t is not None][:12],
    }


# --- Reference data ------------------------------------------------------------------------------


def public_version() -> int:
    """The number of the current public version (every request to the public site asks, so in
    SQL: the ORM's query building costs half a millisecond)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number FROM {PublicVersion._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


class Reference:
    """The needs and the places as the search uses them (terms, filters, facets, places named),
    read once per process for each version of what the public sees: an edit to either bumps the
    version (wagtail_hooks.py). ``memo`` keeps what else is worth making once per version."""

    def __init__(self, version: int):
        self.version = version
        self.categories = list(Category.objects.order_by("sort_order", "name_fr"))
        self.territories = list(Territory.objects.order_by("kind", "name"))
        self.categories_by_pk = {c.pk: c for c in self.categories}
        self.categories_by_code = {c.code: c for c in self.categories}
        self.territories_by_pk = {t.pk: t for t in self.territories}
        self.territories_by_slug = {t.slug: t for t in self.territories}
        for category in self.categories:  # str() and the families without a query each
            category.parent = self.categories_by_pk.get(category.parent_id)
        for territory in self.territories:
            territory.parent = self.territories_by_pk.get(territory.parent_id)
        self.centres = {t.pk: t.centre for t in self.territories if t.centre}
        self.places = Tree.of((t.pk, t.parent_id) for t in self.territories)
        self.needs = Tree.of((c.pk, c.parent_id) for c in self.categories)
        self.territories_by_name = {}
        for territory in self.territories:
            if territory.kind != Territory.Kind.REGION:
                for name in filter(None, (territory.name, territory.name_en)):
                    self.territories_by_name.setdefault(fold(name), territory)
        self.families = [
            (c, [child for child in self.categories if child.parent_id == c.pk])
            for c in self.categories
            if c.parent_id is None
        ]
        self._memo: dict[tuple, object] = {}

    def need_words(self, pk: int) -> list[str]:
        """The need's names and keywords in both languages, as the index holds them."""

        def make() -> list[str]:
            need = self.categories_by_pk[pk]
            text = document_text(need.name_fr, need.name_en, need.keywords_fr, need.keywords_en)
            return list(dict.fromkeys(text.split()))

        return self.memo(("need_words", pk), make)

    def memo(self, key: tuple, make):
        """``make()``, once for this version: the pages' URLs, which a publication may change
        (and every publication bumps the version, cms/apps.py)."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]


_reference: Reference | None = None


def reference(version: int | None = None) -> Reference:
    """The reference data of the current version (or of ``version``, already read): one query
    when it has not changed."""
    global _reference
    if version is None:
        version = public_version()
    known = _reference
    if known is None or known.version != version:
        known = _reference = Reference(version)
    return known


def cards(ids: list[int]) -> dict[int, dict]:
    """{id: card} of what each result shows (``_card``), read from the index in one query."""
    if not ids:
        return {}
    # In SQL rather than through the ORM, whose query building costs as much as the query.
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT organisation_id, card FROM {SearchDocument._meta.db_table} "
            f"WHERE organisation_id IN ({marks})",
            list(ids),
        )
        return {
            pk: json.loads(card) if isinstance(card, str) else card
            for pk, card in cursor.fetchall()
        }

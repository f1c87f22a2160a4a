# ruff: noqa: S608 (SQL built from constants and Django-compiled SQL; see _text_matches)
"""The public directory's search: words, need, place served and proximity, in one query plan.

Words go to the database's own full-text engine (SQLite FTS5 ranked by bm25, PostgreSQL
``tsvector`` with a GIN index ranked by ``ts_rank``) over ``SearchDocument`` rows: folded text
(no case, no accents) with a light French/English stemmer (plural forms meet their singular), the
name weighted above the other names and the rest. Wagtail's database backend was measured too
slow for this (a per-row ranking subquery, DESIGN.md).

Ranking is bounded: a common word can match most of the directory, so only the first
``CANDIDATES`` matches in index order are scored, after the name matches, which always are. Counts
stop at ``COUNT_LIMIT`` ("more than 1,000").

The index holds public organisations only and is kept in step by ``search_document_update``,
called on publication, unpublication and status changes; ``search_index_rebuild`` rebuilds it.
"""

import math
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, Count, F, FloatField, Min, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from .geocoding import GeocoderError, fold, get_geocoder
from .models import (
    Category,
    Location,
    Organisation,
    PublicVersion,
    SearchDocument,
    Service,
    Territory,
)

CANDIDATES = 1_000
COUNT_LIMIT = 1_000
KM_PER_DEGREE = 111.195
RADII_KM = (2, 5, 10, 25, 50)
DEFAULT_RADIUS_KM = 10
VISIBLE_SERVICE_STATUSES = (Service.Status.ACTIVE, Service.Status.TEMPORARILY_CLOSED)


# --- Text ----------------------------------------------------------------------------------------


def stem(word: str) -> str:
    """A light stemmer for French and English plurals: familles/famille, families/family,
    aînés/aîné (folded to aines/aine), repas/repas, journaux/journal."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("aux") and len(word) > 5:
        return word[:-3] + "al"
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "i"
    if word.endswith("y"):
        return word[:-1] + "i"
    if word.endswith(("s", "x")):
        word = word[:-1]
    return word


def words(text: str) -> list[str]:
    return [stem(w) for w in fold(text).split()]


def document_text(*parts: str) -> str:
    return " ".join(w for part in parts if part for w in words(part))


# --- Keeping the index in step -------------------------------------------------------------------


def _document_for(organisation: Organisation, services: list[Service]) -> SearchDocument:
    body = [organisation.description_fr, organisation.description_en]
    for service in services:
        body += [service.name_fr, service.name_en, service.description_fr, service.description_en]
    return SearchDocument(
        organisation_id=organisation.pk,
        name=document_text(organisation.name),
        other_names=document_text(organisation.alternate_name),
        body=document_text(*body),
    )


def public_version_bump() -> None:
    """Something the public sees changed: every cached public page is now stale (cms/cache.py)."""
    updated = PublicVersion.objects.filter(pk=1).update(
        number=F("number") + 1, changed_at=timezone.now()
    )
    if not updated:
        PublicVersion.objects.get_or_create(pk=1, defaults={"number": 1})


def search_document_update(*, organisation_id: int) -> None:
    """Index the organisation as the public sees it now, or take it out of the index."""
    public_version_bump()
    organisation = Organisation.objects.public().filter(pk=organisation_id).first()
    if organisation is None:
        SearchDocument.objects.filter(organisation_id=organisation_id).delete()
        return
    services = list(
        Service.objects.filter(organisation=organisation, status__in=VISIBLE_SERVICE_STATUSES)
    )
    document = _document_for(organisation, services)
    SearchDocument.objects.update_or_create(
        organisation_id=organisation_id,
        defaults={
            "name": document.name,
            "other_names": document.other_names,
            "body": document.body,
        },
    )


def search_index_rebuild(*, batch: int = 2_000) -> int:
    """Rebuild the whole index from the public organisations; returns how many were indexed."""
    public_version_bump()
    SearchDocument.objects.all().delete()
    ids = list(Organisation.objects.public().order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        services: dict[int, list[Service]] = {}
        for service in Service.objects.filter(
            organisation_id__in=chunk, status__in=VISIBLE_SERVICE_STATUSES
        ).only("organisation_id", "name_fr", "name_en", "description_fr", "description_en"):
            services.setdefault(service.organisation_id, []).append(service)
        organisations = Organisation.objects.filter(pk__in=chunk).only(
            "pk", "name", "alternate_name", "description_fr", "description_en"
        )
        SearchDocument.objects.bulk_create(
            [_document_for(o, services.get(o.pk, [])) for o in organisations]
        )
    return len(ids)


# --- Queries -------------------------------------------------------------------------------------


def _fts_sqlite(terms: list[str], *, name_only: bool) -> str:
    quoted = " ".join(f'"{t}"*' for t in terms)
    return f"{{name other_names}} : ({quoted})" if name_only else quoted


def _tsquery(terms: list[str]) -> str:
    return " & ".join(f"{t}:*" for t in terms)


def _text_matches(text: str, allowed_sql: tuple[str, list] | None) -> list[tuple[int, float]]:
    """(organisation id, score), best first: name matches, then other matches, each group ranked,
    with at most ``CANDIDATES`` of the others scored."""
    terms = [re.sub(r"[^\w]", "", t) for t in words(text)]
    terms = [t for t in terms if t]
    if not terms:
        return []
    # Interpolated into the SQL: constants, and the SQL Django compiled for the filters (its
    # values stay parameters). The visitor's words are parameters, reduced to letters and digits.
    # The index holds public organisations only: without other filters, no restriction at all.
    allowed, params = allowed_sql or ("", [])
    if connection.vendor == "sqlite":
        scored = f"""
            SELECT rowid AS pk, bm25(organisations_search_fts, 10.0, 5.0, 1.0) - %s AS score
            FROM organisations_search_fts
            WHERE organisations_search_fts MATCH %s {f"AND rowid IN ({allowed})" if allowed else ""}
        """
        name_query, any_query = (
            _fts_sqlite(terms, name_only=True),
            _fts_sqlite(terms, name_only=False),
        )
    else:
        scored = f"""
            SELECT organisation_id AS pk, -ts_rank(vector, query, 1) - %s AS score
            FROM organisations_searchdocument, to_tsquery('simple', %s) query
            WHERE vector @@ query {f"AND organisation_id IN ({allowed})" if allowed else ""}
        """
        name_query = " & ".join(f"{t}:*AB" for t in terms)
        any_query = _tsquery(terms)
    with connection.cursor() as cursor:
        # Name matches are few: all scored. Any match: the first CANDIDATES found, then scored.
        cursor.execute(
            f"SELECT pk, score FROM ({scored} ORDER BY score LIMIT {CANDIDATES}) named",
            [100.0, name_query, *params],
        )
        named = cursor.fetchall()
        cursor.execute(
            f"SELECT pk, score FROM ({scored} LIMIT {CANDIDATES + 1}) candidates ORDER BY score",
            [0.0, any_query, *params],
        )
        others = cursor.fetchall()
    seen, ranked = set(), []
    for pk, score in [*named, *others]:
        if pk not in seen:
            seen.add(pk)
            ranked.append((pk, score))
    return ranked


def territory_family(territory: Territory) -> tuple[list[int], list[int]]:
    """(the territory and everything inside it, the places it is inside of)."""
    from .filters import territory_with_descendants

    return territory_with_descendants(territory), [t.pk for t in territory.ancestors()]


def serving(queryset: QuerySet, territory: Territory) -> QuerySet:
    """Organisations serving the territory: an organisation serving Laval serves every Laval
    sector, one serving the whole CMM or a sector serves its municipalities, one serving a sector
    of Laval serves part of Laval; and those located there."""
    inside, above = territory_family(territory)
    served = Service.objects.filter(
        service_areas__in=inside + above, status__in=VISIBLE_SERVICE_STATUSES
    ).values("organisation_id")
    located = Location.objects.filter(municipality_id__in=inside).values("organisation_id")
    return queryset.filter(Q(pk__in=served) | Q(pk__in=located))


def needing(queryset: QuerySet, category: Category) -> QuerySet:
    ids = [category.pk, *category.children.values_list("pk", flat=True)]
    return queryset.filter(
        pk__in=Service.objects.filter(
            categories__in=ids, status__in=VISIBLE_SERVICE_STATUSES
        ).values("organisation_id")
    )


def public_points() -> QuerySet:
    """Every public location's point: a confidential one is at its municipality's centre, so that
    not even a distance can give its address away."""
    return Location.objects.annotate(
        point_lat=Case(
            When(address_is_confidential=True, then=F("municipality__latitude")),
            default=F("latitude"),
            output_field=FloatField(),
        ),
        point_lon=Case(
            When(address_is_confidential=True, then=F("municipality__longitude")),
            default=F("longitude"),
            output_field=FloatField(),
        ),
    ).filter(point_lat__isnull=False, point_lon__isnull=False)


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float
    label: str = ""


def locate(text: str) -> Point | None:
    """Where "near ..." means: a municipality, borough or sector by name (its centre, no
    request), else the address or postal code through the geocoder (cached, no retries: a
    visitor is waiting). ``None`` when nothing in the metropolitan area is found."""
    wanted = fold(text)
    if not wanted:
        return None
    for territory in Territory.objects.exclude(kind=Territory.Kind.REGION).select_related("parent"):
        if wanted in (fold(territory.name), fold(territory.name_en)) and territory.centre:
            return Point(*territory.centre, label=str(territory))
    geocoder = get_geocoder()
    if geocoder.offline:
        return None
    try:
        answer = geocoder.lookup(f"{text.strip()}, QC, Canada", f"near|{wanted}", retries=0)
    except GeocoderError:
        return None
    (south, west), (north, east) = geocoder.bounds
    if not answer.found or not (
        south <= answer.latitude <= north and west <= answer.longitude <= east
    ):
        return None
    return Point(answer.latitude, answer.longitude, label=text.strip())


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
    search: Search
    ids: list[int]  # every match, in order (bounded by COUNT_LIMIT)
    distances: dict[int, float] = field(default_factory=dict)  # km
    count_is_capped: bool = False

    @property
    def count(self) -> int:
        return len(self.ids)


def run(search: Search) -> Results:
    """The ordered ids of the public organisations matching ``search``, with distances."""
    queryset = Organisation.objects.public()
    if search.category:
        queryset = needing(queryset, search.category)
    if search.territory:
        queryset = serving(queryset, search.territory)

    distances: dict[int, float] = {}
    if search.near:
        lat0, lon0 = search.near.latitude, search.near.longitude
        # Distances on a plane tangent at the visitor's point: under 0.1 % off at 50 km.
        k = math.cos(math.radians(lat0))
        half_lat = search.radius_km / KM_PER_DEGREE
        half_lon = half_lat / max(k, 0.01)
        nearest = (
            public_points()
            .filter(
                organisation__in=queryset,
                point_lat__range=(lat0 - half_lat, lat0 + half_lat),
                point_lon__range=(lon0 - half_lon, lon0 + half_lon),
            )
            .annotate(
                d2=(F("point_lat") - Value(lat0)) * (F("point_lat") - Value(lat0))
                + (F("point_lon") - Value(lon0)) * (F("point_lon") - Value(lon0)) * Value(k * k)
            )
            .values("organisation_id")
            .annotate(best=Min("d2"))
            .order_by("best", "organisation_id")
        )
        for row in nearest:
            km = math.sqrt(row["best"]) * KM_PER_DEGREE
            if km <= search.radius_km:
                distances[row["organisation_id"]] = km

    if search.text.strip():
        allowed = None
        if search.category or search.territory or search.near:
            restricted = queryset.values("pk")
            if search.near:
                restricted = restricted.filter(pk__in=list(distances) or [0])
            sql, params = restricted.query.sql_with_params()
            allowed = (sql, list(params))
        ranked = _text_matches(search.text, allowed)
        ids = [pk for pk, _score in ranked]
        if search.near:
            ids.sort(key=lambda pk: distances[pk])
    elif search.near:
        ids = list(distances)
    else:
        ids = list(queryset.order_by("name", "pk").values_list("pk", flat=True)[: COUNT_LIMIT + 1])
    capped = len(ids) > COUNT_LIMIT
    return Results(
        search=search, ids=ids[:COUNT_LIMIT], distances=distances, count_is_capped=capped
    )


def facet_counts(ids: list[int]) -> dict[str, list[tuple]]:
    """Counts of the results by need family and by municipality: two queries."""
    categories = (
        Service.objects.filter(organisation_id__in=ids, status__in=VISIBLE_SERVICE_STATUSES)
        .annotate(family=Coalesce("categories__parent", "categories"))
        .filter(family__isnull=False)
        .values("family")
        .annotate(n=Count("organisation_id", distinct=True))
        .order_by("-n")[:12]
    )
    families = {c.pk: c for c in Category.objects.filter(pk__in=[r["family"] for r in categories])}
    municipalities = (
        Location.objects.filter(organisation_id__in=ids)
        .values("municipality__slug", "municipality__name")
        .annotate(n=Count("organisation_id", distinct=True))
        .order_by("-n")[:12]
    )
    return {
        "categories": [
            (families[r["family"]], r["n"]) for r in categories if r["family"] in families
        ],
        "municipalities": [
            (r["municipality__slug"], r["municipality__name"], r["n"]) for r in municipalities
        ],
    }


# --- The page ------------------------------------------------------------------------------------

PARAMETERS = {  # (French name, English name)
    "text": ("q",),
    "category": ("categorie", "category"),
    "territory": ("territoire", "area"),
    "near": ("pres", "near"),
    "radius": ("rayon", "radius"),
}


def _param(request, name: str) -> str:
    for key in PARAMETERS[name]:
        value = request.GET.get(key, "").strip()
        if value:
            return value[:200]
    return ""


def search_from_request(request) -> tuple[Search, list[str]]:
    """The visitor's search and what could not be understood, in words for the visitor."""
    from django.utils.translation import gettext as _

    problems = []
    search = Search(text=_param(request, "text"))
    if code := _param(request, "category"):
        search.category = Category.objects.filter(code=code).first()
        if search.category is None:
            problems.append(_("This need is not in the directory; all needs are shown."))
    if slug := _param(request, "territory"):
        search.territory = Territory.objects.filter(slug=slug).first()
        if search.territory is None:
            problems.append(_("This place is not in the directory; all places are shown."))
    radius = _param(request, "radius")
    if radius.isdigit() and int(radius) in RADII_KM:
        search.radius_km = int(radius)
    lat, lon = request.GET.get("lat", ""), request.GET.get("lon", "")
    if lat and lon:
        try:
            latitude, longitude = float(lat), float(lon)
        except ValueError:
            latitude = longitude = math.nan
        if -90 <= latitude <= 90 and -180 <= longitude <= 180:
            search.near = Point(latitude, longitude, label=_("your position"))
        else:
            problems.append(_("Your position could not be read; try an address instead."))
    elif near := _param(request, "near"):
        search.near = locate(near)
        if search.near is None:
            problems.append(
                _("We could not find “%(place)s”. Try a postal code, a municipality or a borough.")
                % {"place": near}
            )
    return search, problems


@dataclass(frozen=True)
class ResultRow:
    organisation: Organisation
    url: str
    summary: str
    summary_lang: str
    municipality: str
    categories: list[str]
    distance_km: float | None
    phone: object | None
    temporarily_closed: bool  # every visible service is
    partly_closed: bool  # some are


def result_rows(ids: list[int], distances: dict[int, float], language: str) -> list[ResultRow]:
    """One page of results with what the list shows, in a fixed number of queries."""
    from django.db.models import Prefetch
    from django.utils.text import Truncator

    from .models import Phone, bilingual, bilingual_language

    organisations = Organisation.objects.filter(pk__in=ids).prefetch_related(
        Prefetch(
            "services",
            queryset=Service.objects.filter(status__in=VISIBLE_SERVICE_STATUSES).prefetch_related(
                "categories"
            ),
        ),
        Prefetch("locations", queryset=Location.objects.select_related("municipality")),
        Prefetch("phones", queryset=Phone.objects.all()),
    )
    by_id = {o.pk: o for o in organisations}
    from cms.models import DirectoryPage

    directory = DirectoryPage.for_language(language)
    base = directory.get_url() if directory else "/"
    rows = []
    for pk in ids:
        organisation = by_id.get(pk)
        if organisation is None:
            continue
        services = list(organisation.services.all())
        names = []
        for service in services:
            for category in service.categories.all():
                label = (
                    category.name_en if language == "en" and category.name_en else category.name_fr
                )
                if label not in names:
                    names.append(label)
        locations = list(organisation.locations.all())
        phones = list(organisation.phones.all())
        closed = [s.status == Service.Status.TEMPORARILY_CLOSED for s in services]
        rows.append(
            ResultRow(
                organisation=organisation,
                url=f"{base}{organisation.slug}/",
                summary=Truncator(bilingual(organisation, "description", language)).chars(220),
                summary_lang=bilingual_language(organisation, "description", language),
                municipality=str(locations[0].municipality) if locations else "",
                categories=names[:4],
                distance_km=distances.get(pk),
                phone=phones[0] if phones else None,
                temporarily_closed=bool(closed) and all(closed),
                partly_closed=any(closed) and not all(closed),
            )
        )
    return rows


def category_groups() -> list[tuple[Category, list[Category]]]:
    """The needs tree for the search form: each family with its needs, from one query."""
    categories = list(Category.objects.order_by("sort_order", "name_fr"))
    children: dict[int, list[Category]] = {}
    for category in categories:
        if category.parent_id:
            children.setdefault(category.parent_id, []).append(category)
    return [(c, children.get(c.pk, [])) for c in categories if c.parent_id is None]


def search_context(request) -> dict:
    """Everything the search page shows for this request."""
    from django.core.paginator import Paginator
    from django.utils import translation
    from django.utils.translation import gettext as _

    language = (translation.get_language() or "fr")[:2]
    search, problems = search_from_request(request)
    context = {
        "search": search,
        "problems": problems,
        "radii": RADII_KM,
        "category_groups": category_groups(),
        "territory_choices": Territory.objects.exclude(kind=Territory.Kind.REGION).order_by(
            "kind", "name"
        ),
        "near_text": _param(request, "near"),
        "has_position": bool(request.GET.get("lat") and request.GET.get("lon")),
    }
    if search.is_empty:
        return context
    results = run(search)
    page = Paginator(results.ids, 20).get_page(request.GET.get("page"))
    names = {key: PARAMETERS[key][0 if language == "fr" else -1] for key in PARAMETERS}

    def with_changes(**changes) -> str:
        query = request.GET.copy()
        query.pop("page", None)
        for key, value in changes.items():
            for alias in PARAMETERS.get(key, (key,)):
                query.pop(alias, None)
            if key == "near":
                query.pop("lat", None)
                query.pop("lon", None)
            if value:
                query[names.get(key, key)] = value
        return "?" + query.urlencode()

    facets = facet_counts(results.ids) if results.ids else {}
    context.update(
        {
            "results": results,
            "page_obj": page,
            "rows": result_rows(list(page.object_list), results.distances, language),
            "category_facets": [
                (c, n, with_changes(category=c.code)) for c, n in facets.get("categories", [])
            ],
            "place_facets": [
                (name, n, with_changes(territory=slug))
                for slug, name, n in facets.get("municipalities", [])
            ],
            "page_query": with_changes()[1:],
            "widen": [
                (label, with_changes(**{key: ""}))
                for key, label, present in (
                    ("text", _("all words"), search.text),
                    ("category", _("every need"), search.category),
                    ("territory", _("every place"), search.territory),
                    ("near", _("anywhere"), search.near),
                )
                if present
            ],
        }
    )
    if search.near and search.radius_km < RADII_KM[-1]:
        wider = next(r for r in RADII_KM if r > search.radius_km)
        context["wider_radius"] = (wider, with_changes(radius=str(wider)))
    return context

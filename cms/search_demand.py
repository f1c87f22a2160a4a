"""Search demand: what the public asks the search, per day, for the curators.

Each public search (page 1, by a browser, not a bot, not a signed-in member of the team) adds one
to a daily row keyed by what was asked: the folded query (Wagtail's ``search_promotions.Query``,
whose ``QueryDailyHits`` it also feeds), the language, and the need and place the search was
understood as. The row keeps the last number of results. Nothing identifies the visitor: no
address, no cookie, no session, no user, no time of day; a full postal code is cut to its forward
sortation area (``H7G 1A1`` → ``h7g``) and a "near" address is kept only as "an address".

The count is written after the response has been sent (``HttpResponse`` closers), by three short
statements: the query's row (read, created the first time), then two upserts (``INSERT … ON
CONFLICT … DO UPDATE SET hits = hits + 1``), safe under concurrency on SQLite and PostgreSQL alike.
A cached page is counted too: the public cache keeps what the page says about its search with the
page (``describe``), and counts it again on each hit (cms/cache.py).
"""

import calendar
import logging
import re
from datetime import date

from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.search_promotions.models import Query, QueryDailyHits
from wagtail.search.utils import MAX_QUERY_STRING_LENGTH

from organisations.lib.text import fold

logger = logging.getLogger(__name__)

KEEP_MONTHS = 18
FEW_RESULTS = 4  # 1 to 4 results: "few"

# A Canadian postal code, folded (lower case): the first three characters (the forward sortation
# area) are an area of thousands of homes; the full code can be a handful.
_POSTAL_CODE = re.compile(r"\b([a-z]\d[a-z]) ?\d[a-z]\d\b")
_FSA = re.compile(r"^[a-z]\d[a-z]$")
# Crawlers, link previews and scripts say so in their User-Agent; a browser always sends one.
_NOT_A_PERSON = re.compile(
    r"bot|crawl|spider|slurp|archiver|preview|fetch|scan|monitor|headless|python|curl|wget|"
    r"httpx|okhttp|java/|go-http|libwww|scrapy|facebookexternalhit|lighthouse",
    re.IGNORECASE,
)

# What "place" holds when the search was near a point that names no place.
NEAR_POSITION = "~position"
NEAR_ADDRESS = "~address"


class SearchDemand(models.Model):
    """How many times a query was searched on a day, in a language, understood as a need and
    a place; and how many organisations the last of those searches found."""

    query = models.ForeignKey(
        Query, on_delete=models.CASCADE, related_name="search_demand", verbose_name=_("query")
    )
    date = models.DateField(_("day"))
    language = models.CharField(_("language"), max_length=2)
    # A need's code and a place's slug rather than keys: a row outlives a need renamed or
    # removed, and the report reads names from the reference data.
    need = models.CharField(_("need"), max_length=80, blank=True)
    place = models.CharField(_("place"), max_length=80, blank=True)
    hits = models.PositiveIntegerField(_("searches"), default=0)
    results = models.PositiveIntegerField(_("results of the last search"), default=0)

    class Meta:
        verbose_name = _("search demand")
        verbose_name_plural = _("search demand")
        constraints = [
            models.UniqueConstraint(
                fields=["query", "date", "language", "need", "place"],
                name="cms_searchdemand_one_row_per_day",
            )
        ]
        indexes = [models.Index(fields=["date", "language"], name="cms_searchdemand_date")]

    def __str__(self):
        return f"{self.query} {self.date} {self.language}"


def normalise(text: str) -> str:
    """The query as counted: folded as the search engine folds it (case, accents, punctuation,
    spacing), full postal codes cut to their forward sortation area, at most 255 characters."""
    folded = _POSTAL_CODE.sub(r"\1", fold(text))
    return folded[:MAX_QUERY_STRING_LENGTH].strip()


def is_fsa(value: str) -> bool:
    """A forward sortation area (``h7g``), as ``place`` keeps it."""
    return bool(_FSA.match(value))


def is_counted(request) -> bool:
    """Page 1 of a search by a browser of the public: not a bot, not page 2 and beyond of the
    same search, not a member of the team trying the search."""
    agent = request.META.get("HTTP_USER_AGENT", "")
    if not agent or _NOT_A_PERSON.search(agent):
        return False
    if request.GET.get("page", "1") not in ("", "1"):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def _place(request, context) -> str:
    """The place the search was understood as: a place's slug, a forward sortation area, or
    only that it was near a position or an address (never the address itself)."""
    from . import search_page

    chosen = context["search"]
    if chosen.territory is not None:
        return chosen.territory.slug
    if chosen.near is None:
        return ""
    if context.get("has_position"):
        return NEAR_POSITION
    near = fold(context.get("near_text", ""))
    territory = search_page.known_for(request).territories_by_name.get(near)
    if territory is not None:
        return territory.slug
    squeezed = near.replace(" ", "")
    if _FSA.match(squeezed[:3]) and (len(squeezed) == 3 or _POSTAL_CODE.match(near)):
        return squeezed[:3]
    return NEAR_ADDRESS


def describe(request, response) -> dict | None:
    """What a search page says about its search, to be counted (``None`` for any other page):
    kept with the page in the public cache, so that a cached answer is counted too."""
    from organisations.search import Search

    context = getattr(response, "context_data", None)
    if not isinstance(context, dict) or getattr(response, "status_code", 0) != 200:
        return None
    chosen = context.get("search")
    if not isinstance(chosen, Search) or "results" not in context:
        return None
    # What was typed, even when the engine took a place or a correction out of it.
    typed = request.GET.get("q", "") or chosen.text
    return {
        "query": normalise(typed),
        "language": (translation.get_language() or "fr")[:2],
        "need": chosen.category.code if chosen.category is not None else "",
        "place": _place(request, context),
        "results": context["results"].count,
    }


def count_after_response(request, response, demand: dict | None) -> None:
    """Count ``demand`` once ``response`` has been sent, if this request is to be counted."""
    if demand is None or not is_counted(request):
        return
    day = timezone.localdate()

    def count():
        try:
            record(demand, day)
        except Exception:  # a count is never worth a visitor's page, nor a server error
            logger.warning("Search demand not counted", exc_info=True)

    # Django calls these when the server has sent the response (HttpResponse.close()).
    response._resource_closers.append(count)


# One statement each, the increment done by the database: two searches at once both count. The
# row comes from the query's own row, so that a query deleted since its id was read inserts
# nothing (``rowcount`` 0) rather than a row pointing nowhere.
_DAILY_HITS_UPSERT = (
    "INSERT INTO wagtailsearchpromotions_querydailyhits (query_id, date, hits) "
    "SELECT id, %s, 1 FROM wagtailsearchpromotions_query WHERE id = %s "
    "ON CONFLICT (query_id, date) "
    "DO UPDATE SET hits = wagtailsearchpromotions_querydailyhits.hits + 1"
)
_DEMAND_UPSERT = (
    "INSERT INTO cms_searchdemand (query_id, date, language, need, place, hits, results) "
    "SELECT id, %s, %s, %s, %s, 1, %s FROM wagtailsearchpromotions_query WHERE id = %s "
    "ON CONFLICT (query_id, date, language, need, place) "
    "DO UPDATE SET hits = cms_searchdemand.hits + 1, results = excluded.results"
)


# The ids of the queries counted lately, in this process: a common query costs no read. Bounded;
# a query pruned since is read again (``record``).
_query_ids: dict[str, int] = {}
QUERY_IDS_KEPT = 10_000


def _query_id(text: str) -> int:
    pk = _query_ids.get(text)
    if pk is None:
        if len(_query_ids) >= QUERY_IDS_KEPT:
            _query_ids.clear()
        pk = _query_ids[text] = Query.get(text).pk
    return pk


def record(demand: dict, day: date) -> None:
    """Add one search to the day's rows: Wagtail's daily hits of the query, and ours."""
    place, need = demand["place"][:80], demand["need"][:80]
    for _attempt in (1, 2):
        pk = _query_id(demand["query"])
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_DAILY_HITS_UPSERT, [day, pk])
            if cursor.rowcount == 0:  # pruned since this process read its id: read it again
                _query_ids.pop(demand["query"], None)
                continue
            cursor.execute(
                _DEMAND_UPSERT, [day, demand["language"], need, place, demand["results"], pk]
            )
            return


# --- Keeping 18 months --------------------------------------------------------------------------


def months_before(day: date, months: int) -> date:
    """The same day ``months`` months earlier (the month's last day when it has fewer days)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def prune(today: date | None = None, months: int = KEEP_MONTHS) -> dict[str, int]:
    """Delete the daily counts older than ``months`` months (ours and Wagtail's), then the
    queries with no count left and no promoted result. How many of each went."""
    cutoff = months_before(today or timezone.localdate(), months)
    with transaction.atomic():
        days, _ = SearchDemand.objects.filter(date__lt=cutoff).delete()
        QueryDailyHits.objects.filter(date__lt=cutoff).delete()
        _, queries = Query.objects.filter(
            search_demand__isnull=True,
            daily_hits__isnull=True,
            editors_picks__isnull=True,
            organisation_promotions__isnull=True,
        ).delete()
    return {"rows": days, "queries": queries.get(Query._meta.label, 0), "cutoff": cutoff}


# --- From the report: a searched phrase becomes a need's keyword --------------------------------


def keywords_of(category, language: str) -> list[str]:
    """A need's keywords in ``language``, as a curator wrote them (separated by commas)."""
    text = getattr(category, f"keywords_{language}", "") or ""
    return [word.strip() for word in text.split(",") if word.strip()]


def add_keyword(category, language: str, word: str, user) -> bool:
    """Append ``word`` to the need's keywords in ``language`` (``False`` when it is there
    already, folded as the search folds), logged in the need's history; the public search
    shows it once the index has been rebuilt, as after an edit in the admin."""
    from wagtail.log_actions import log

    from organisations.search import public_version_bump
    from organisations.tasks import rebuild_search_index

    word = " ".join(word.split())
    field = f"keywords_{language}"
    existing = keywords_of(category, language)
    if not word or fold(word) in {fold(known) for known in existing}:
        return False
    with transaction.atomic():
        setattr(category, field, ", ".join([*existing, word]))
        category.save(update_fields=[field])
        log(instance=category, action="wagtail.edit", user=user)

        def later():
            public_version_bump()
            rebuild_search_index.enqueue()

        transaction.on_commit(later)
    return True

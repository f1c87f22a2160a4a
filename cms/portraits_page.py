"""The public portraits of needs (``/fr/portraits/``, ``/en/portraits/``): the visitor's choices
read from the query string, and the pages' context.

The figures are the part ``portraits``' (``portraits.public``: a territory's portrait,
``portraits.published``: the public figures, small ones withheld); what people search for on
the public site is the site's own (``cms.search_demand``), shown beside them under the same rule.
Every choice is a plain link (the year, a family of needs, a place): no form, no JavaScript.
"""

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Case, Sum, When
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from organisations.lib.text import fold
from organisations.models import Category, Territory
from organisations.search import Reference
from portraits import published
from portraits.charts import Bar, Chart, Row, Table, scaled
from portraits.disclosure import SMALL, THRESHOLD
from portraits.public import portrait

from .search_demand import SearchDemand
from .search_page import known_for

PARAMETERS = {  # (French name, English name), both read in either language
    "year": ("annee", "year"),
    "need": ("besoin", "need"),
}
MAX_LENGTH = 80


def _param(request, name: str) -> str:
    for key in PARAMETERS[name]:
        value = request.GET.get(key, "").strip()
        if value:
            return value[:MAX_LENGTH]
    return ""


def _names() -> dict[str, str]:
    french = (translation.get_language() or "fr")[:2] == "fr"
    return {key: names[0 if french else -1] for key, names in PARAMETERS.items()}


def default_year(span: published.Span) -> int | None:
    """The last complete year when there is one, else the year under way."""
    complete = [year for year in span.years if span.is_complete(year)]
    return complete[0] if complete else (span.years[0] if span.years else None)


@dataclass
class Link:
    label: str
    href: str
    current: bool = False


class TerritoryNotFound(Exception):
    pass


def portrait_url(territory: Territory, **query) -> str:
    url = reverse("portrait", args=[territory.slug])
    names = _names()
    pairs = {names[key]: value for key, value in query.items() if value}
    return f"{url}?{urlencode(pairs)}" if pairs else url


def portrait_context(request, slug: str) -> dict:
    """What a territory's portrait shows: the choices, the portrait, the searches, the way to
    the places around. ``TerritoryNotFound`` for a place the directory does not know."""
    known = known_for(request)
    territory = known.territories_by_slug.get(slug)
    if territory is None:
        raise TerritoryNotFound(slug)
    span = published.span()
    problems: list[str] = []
    year = _year(request, span, problems)
    family = _family(request, known, problems)
    found = (
        portrait(territory, year, family, within=span, known=known) if year is not None else None
    )
    context = {
        "territory": territory,
        "ancestors": [
            known.territories_by_pk[pk] for pk in reversed(known.places.up(territory.pk)[1:])
        ],
        "inside": sorted(
            (known.territories_by_pk[pk] for pk in known.places.children.get(territory.pk, [])),
            key=lambda t: fold(str(t)),
        ),
        "portrait": found,
        "problems": problems,
        "year": year,
        "family": family,
        "threshold": THRESHOLD,
        "year_links": [
            Link(
                str(y),
                portrait_url(territory, year=y, need=family.code if family else ""),
                y == year,
            )
            for y in span.years
        ],
        "family_links": [
            Link(
                pgettext("portraits", "Every need"),
                portrait_url(territory, year=year),
                family is None,
            ),
            *(
                Link(f.name, portrait_url(territory, year=year, need=f.code), family == f)
                for f, _children in known.families
            ),
        ],
        "open_data_url": reverse("portraits_open_data", args=[year]) if found else "",
        **_licence(),
    }
    if found is not None:
        context["searches"] = searches_chart(territory, found.months, family, known)
    return context


def _year(request, span: published.Span, problems: list[str]) -> int | None:
    asked = _param(request, "year")
    if not asked:
        return default_year(span)
    if asked.isdigit() and int(asked) in span.years:
        return int(asked)
    year = default_year(span)
    if year is not None:
        problems.append(
            _("There are no public figures for “%(asked)s”: here is %(year)s.")
            % {"asked": asked, "year": year}
        )
    return year


def _family(request, known: Reference, problems: list[str]) -> Category | None:
    asked = _param(request, "need")
    if not asked:
        return None
    need = known.categories_by_code.get(asked)
    if need is None:
        problems.append(
            _("“%(asked)s” is not a need of the directory: here are every need's figures.")
            % {"asked": asked}
        )
        return None
    # A need under a family: its family's portrait, which shows it.
    return known.categories_by_pk[known.needs.up(need.pk)[-1]]


# --- What people search for on the public site -----------------------------------------------------


def searches_chart(
    territory: Territory, months: list[date], family: Category | None, known: Reference
) -> Chart | None:
    """The needs people searched the public directory for, in ``territory`` during ``months``,
    each searched at least ``THRESHOLD`` times, with how many of those searches found nothing.
    ``None`` when the search log holds nothing for that time (it keeps 18 months)."""
    last = months[-1]
    end = date(last.year + last.month // 12, last.month % 12 + 1, 1)

    def make() -> list[tuple[str, int, int]]:
        return list(
            SearchDemand.objects.filter(place=territory.slug, date__gte=months[0], date__lt=end)
            .values_list("need")
            .annotate(
                searched=Sum("hits"), empty=Sum(Case(When(results=0, then="hits"), default=0))
            )
            .order_by()
        )

    counted = published.kept(("searches", territory.slug, months[0], last), make)
    if not counted:
        return None
    wanted = None
    if family is not None:
        wanted = {family.code} | {
            known.categories_by_pk[pk].code for pk in known.needs.children.get(family.pk, [])
        }
    rows = []
    for code, hits, empty in counted:
        need = known.categories_by_code.get(code) if code else None
        if hits < THRESHOLD or need is None or (wanted is not None and code not in wanted):
            continue
        rows.append((hits, need, empty))
    rows.sort(key=lambda row: (-row[0], row[1].sort_order))
    hidden = published.Figure(None, SMALL)
    table_rows = [
        Row(
            str(need),
            [published.Figure(hits), published.Figure(empty) if empty >= THRESHOLD else hidden],
        )
        for hits, need, empty in rows
    ]
    bars = [Bar(str(need), published.Figure(hits)) for hits, need, _empty in rows[:10]]
    if rows:
        hits, need, _empty = rows[0]
        summary = _(
            "On this site, the need most searched for in %(place)s was %(need)s "
            "(%(count)s searches)."
        ) % {
            "place": territory,
            "need": need.name,
            "count": formats.number_format(hits, force_grouping=True),
        }
    else:
        summary = _("No need was searched for at least %(count)s times for this place.") % {
            "count": THRESHOLD
        }
    return Chart(
        slug="searches",
        title=_("What people search for on this site"),
        summary=summary,
        bars=scaled(bars),
        table=Table(
            columns=[
                pgettext("portraits", "Need"),
                pgettext("portraits", "Searches"),
                _("Searches that found nothing"),
            ],
            rows=table_rows,
        ),
        note=_(
            "Searches of the public directory for this place and a need, during the same "
            "months; needs searched fewer than %(count)s times are left out."
        )
        % {"count": THRESHOLD},
    )


# --- The list of portraits -----------------------------------------------------------------------


def index_context(request) -> dict:
    """Every territory's portrait, as the tree of places (the region, its sectors, their
    municipalities, their boroughs or districts), and the open data of each year."""
    known = known_for(request)
    region = next((t for t in known.territories if t.kind == Territory.Kind.REGION), None)

    def branch(pk: int) -> dict:
        # The sectors as the 211 lists them (the order they were loaded in), places by name.
        children = sorted(
            (known.territories_by_pk[c] for c in known.places.children.get(pk, [])),
            key=lambda t: (
                (0, t.pk, "") if t.kind == Territory.Kind.SECTOR else (1, 0, fold(str(t)))
            ),
        )
        return {
            "territory": known.territories_by_pk[pk],
            "children": [branch(child.pk) for child in children],
        }

    span = published.span()
    return {
        "tree": branch(region.pk) if region else None,
        "years": span.years,
        "default_year": default_year(span),
        "open_data": [
            (year, reverse("portraits_open_data", args=[year]), span.is_complete(year))
            for year in span.years
        ],
        "threshold": THRESHOLD,
        **_licence(),
    }


def _licence() -> dict:
    """The open data's licence, as the directory's own open data states it (HSDS package)."""
    return {
        "licence": settings.REPERTOIRE_OPEN_DATA_LICENSE,
        "licence_url": settings.REPERTOIRE_OPEN_DATA_LICENSE_URL,
    }

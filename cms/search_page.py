"""The public search page: the visitor's search read from the query string, the page's context
(form, results, facets, the links that change one thing), and each result as the page shows it.
The engine (``organisations.search``) answers a ``Search`` with ids and knows nothing of requests
or markup; what the page makes once per public version it keeps in the engine's ``Reference.memo``.
"""

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from organisations import public_site, search_answer, search_places
from organisations import search as engine
from organisations.models import Territory


def public_version_for(request) -> int:
    """The current public version, read once per request (every request to the public site
    asks: the cache key, the reference data)."""
    number = getattr(request, "_public_version", None)
    if number is None:
        number = request._public_version = engine.public_version()
    return number


def known_for(request) -> engine.Reference:
    """The engine's reference data, read once per request."""
    known = getattr(request, "_search_reference", None)
    if known is None:
        known = request._search_reference = engine.reference(public_version_for(request))
    return known


# --- The form's choices --------------------------------------------------------------------------


def options(known: engine.Reference, which: str, language: str) -> list[tuple[str | None, str]]:
    """The form's choices of needs or places as HTML, (value, option) or (None, other markup),
    made once per language and version: ``select_options`` marks the one selected."""

    def make():
        with translation.override(language):
            return _need_options(known) if which == "needs" else _place_options(known)

    return known.memo(("options", which, language), make)


def _need_options(known: engine.Reference) -> list[tuple[str | None, str]]:
    from django.utils.translation import gettext as _

    chunks = []
    for family, needs in known.families:
        if not needs:
            chunks.append(_option(family.code, family.name))
            continue
        chunks.append((None, format_html('<optgroup label="{}">', family.name)))
        all_label = _("%(name)s (all)") % {"name": family.name}
        chunks.append(_option(family.code, all_label))
        chunks += [_option(need.code, need.name) for need in needs]
        chunks.append((None, "</optgroup>"))
    return chunks


def _place_options(known: engine.Reference) -> list[tuple[str | None, str]]:
    chunks, kind = [], None
    for territory in known.territories:
        if territory.kind == Territory.Kind.REGION:
            continue
        if territory.kind != kind:
            if kind is not None:
                chunks.append((None, "</optgroup>"))
            kind = territory.kind
            label = Territory.Kind(kind).label
            chunks.append((None, format_html('<optgroup label="{}">', label)))
        chunks.append(_option(territory.slug, str(territory)))
    if kind is not None:
        chunks.append((None, "</optgroup>"))
    return chunks


def _option(value: str, label: str) -> tuple[str, str]:
    return value, format_html('<option value="{}">{}</option>', value, label)


def select_options(chunks: list[tuple[str | None, str]], selected: str) -> SafeString:
    prefix = '<option value="'
    return mark_safe(  # noqa: S308 (every chunk was made by format_html)
        "".join(
            chunk.replace(prefix, f'{prefix[:-7]}selected value="', 1)
            if value is not None and value == selected
            else chunk
            for value, chunk in chunks
        )
    )


# --- The page ------------------------------------------------------------------------------------


PARAMETERS = {  # (French name, English name)
    "text": ("q",),
    "category": ("categorie", "category"),
    "territory": ("territoire", "area"),
    "near": ("pres", "near"),
    "radius": ("rayon", "radius"),
    "as_typed": ("exact",),  # "1": the words searched as typed (no place, no spelling taken)
}


# What a box keeps of what was typed: a request is a few words; a pasted page is cut.
MAX_LENGTH = 200


def _param(request, name: str) -> str:
    for key in PARAMETERS[name]:
        value = request.GET.get(key, "").strip()
        if value:
            return value[:MAX_LENGTH]
    return ""


def _too_long(request, name: str) -> bool:
    return any(len(request.GET.get(key, "").strip()) > MAX_LENGTH for key in PARAMETERS[name])


def search_from_request(request) -> tuple[engine.Search, list[str]]:
    """The visitor's search and what could not be understood, in words for the visitor."""
    problems = []
    known = known_for(request)
    search = engine.Search(text=_param(request, "text"))
    if _too_long(request, "text") or _too_long(request, "near"):
        problems.append(
            _("Your search was cut to its first %(count)s characters.") % {"count": MAX_LENGTH}
        )
    if code := _param(request, "category"):
        search.category = known.categories_by_code.get(code)
        if search.category is None:
            problems.append(_("This need is not in the directory; all needs are shown."))
    if slug := _param(request, "territory"):
        search.territory = known.territories_by_slug.get(slug)
        if search.territory is None:
            problems.append(_("This place is not in the directory; all places are shown."))
    radius = _param(request, "radius")
    if radius.isdigit() and int(radius) in engine.RADII_KM:
        search.radius_km = int(radius)
    lat, lon = request.GET.get("lat", ""), request.GET.get("lon", "")
    if lat and lon:
        try:
            latitude, longitude = float(lat), float(lon)
        except ValueError:
            latitude = longitude = math.nan
        if -90 <= latitude <= 90 and -180 <= longitude <= 180:
            search.near = engine.Point(latitude, longitude, label=_("your position"))
        else:
            problems.append(_("Your position could not be read; try an address instead."))
    elif near := _param(request, "near"):
        search.near = search_places.locate(near, known)
        if search.near is None:
            problems.append(
                _("We could not find “%(place)s”. Try a postal code, a municipality or a borough.")
                % {"place": near}
            )
    return search, problems


@dataclass(frozen=True)
class ResultRow:
    name: str
    url: str
    summary: str
    summary_lang: str
    municipality: str
    categories: list[str]
    distance_km: float | None
    phone: str
    phone_uri: str
    distance: str = ""  # "1,2 km away", in the visitor's language
    distance_names_area: bool = False  # "in the Duvernay area": the municipality is said there
    notice: str = ""  # what is closed, in the visitor's language


def _plane_km(near: engine.Point, latitude: float, longitude: float) -> float:
    """The distance ``_nearest`` measures (on a plane tangent at ``near``), in km."""
    k = math.cos(math.radians(near.latitude))
    d2 = (latitude - near.latitude) ** 2 + ((longitude - near.longitude) * k) ** 2
    return math.sqrt(d2) * engine.KM_PER_DEGREE


def distance_words(
    km: float, card: dict, near: engine.Point | None, known: engine.Reference
) -> tuple[str, bool]:
    """How far a result is, honestly: « à 1,2 km »; « à moins de 100 m » rather than « à 0,0 km »;
    and when the nearest point only stands in for the place (its municipality's or borough's
    centre), the area it is in (« dans le secteur de Duvernay ») or a rounded distance to that
    centre (« à environ 3 km, centre de Duvernay »). The second value says whether the words
    name the area."""
    from django.utils.formats import number_format

    area = None
    if near is not None:
        for latitude, longitude, territory_id in card.get("areas", []):
            if abs(_plane_km(near, latitude, longitude) - km) < 0.001:
                area = known.territories_by_pk.get(territory_id)
                break
    if area is not None:
        if km < 1.5:
            return _("in the %(place)s area") % {"place": area}, True
        # The centre measured from is the one the reference data has: a district without a
        # centre point of its own stands at its municipality's (Duvernay at Laval's).
        owner = area
        while owner.parent is not None and (owner.latitude is None or owner.longitude is None):
            owner = owner.parent
        words = _("about %(km)s km away, centre of %(place)s") % {
            "km": number_format(round(km), 0),
            "place": owner,
        }
        return words, owner == area
    if km < 0.1:
        return _("less than 100 m away"), False
    return _("%(km)s km away") % {"km": number_format(round(km, 1), 1)}, False


def result_rows(
    ids: list[int],
    distances: dict[int, float],
    language: str,
    known: engine.Reference,
    near: engine.Point | None = None,
) -> list[ResultRow]:
    """One page of results, from the cards the index keeps: one query. ``near``: the point the
    distances were measured from, to say which ones are only to an area's centre."""
    if not ids:
        return []

    def directory_url() -> str:
        directory = public_site.directory_page(language)
        return (directory.get_url() if directory else None) or "/"

    base = known.memo(("directory", language), directory_url)
    cards = engine.cards(ids)
    notices = {
        "all": _("Temporarily closed"),
        "some": _("Some services are temporarily closed"),
    }
    rows = []
    for pk in ids:
        card = cards.get(pk)
        if not card:
            continue
        km = distances.get(pk)
        distance, names_area = (
            distance_words(km, card, near, known) if km is not None else ("", False)
        )
        municipality = known.territories_by_pk.get(card["municipality"])
        needs = [known.categories_by_pk.get(need) for need in card["needs"]]
        rows.append(
            ResultRow(
                name=card["name"],
                url=f"{base}{card['slug']}/",
                summary=card[f"summary_{language}"],
                summary_lang=card[f"summary_lang_{language}"],
                municipality=str(municipality) if municipality else "",
                categories=[need.name for need in needs if need is not None],
                distance_km=km,
                distance=distance,
                distance_names_area=names_area,
                notice=notices.get(card["closed"], ""),
                phone=card.get(f"phone_{language}", ""),
                phone_uri=card["tel"],
            )
        )
    return rows


def search_context(request) -> dict:
    """Everything the search page shows for this request."""
    from django.core.paginator import Paginator

    language = (translation.get_language() or "fr")[:2]
    asked, problems = search_from_request(request)
    known = known_for(request)
    results = None
    if not asked.is_empty:
        results = search_answer.answer(
            asked, as_typed=_param(request, "as_typed") == "1", known=known
        )
    # The search as answered: a place typed in the words is now the place chosen in the form.
    search = results.search if results else asked
    understood = results.understood if results else search_answer.Understanding()
    place = understood.place
    context = {
        "search": search,
        "typed": asked.text,
        "understood": understood,
        "problems": problems,
        "radii": engine.RADII_KM,
        "need_options": select_options(
            options(known, "needs", language), search.category.code if search.category else ""
        ),
        "place_options": select_options(
            options(known, "places", language), search.territory.slug if search.territory else ""
        ),
        "near_text": place.postal_code if place and place.point else _param(request, "near"),
        "has_position": bool(request.GET.get("lat") and request.GET.get("lon")),
    }
    if results is None:
        return context
    page = Paginator(results.ids, 20).get_page(request.GET.get("page"))
    names = {key: PARAMETERS[key][0 if language == "fr" else -1] for key in PARAMETERS}

    # The query string without the page, as (name, value) pairs: each link below changes one
    # parameter of it (a page of results has some thirty such links).
    current = [(k, v) for k, values in request.GET.lists() if k != "page" for v in values]
    as_typed = [*current, ("exact", "1")]
    if place is not None:
        # The links carry the search as understood: the words without the place, the place chosen.
        current = [(k, v) for k, v in current if k != "q"] + [("q", search.text)] * bool(
            search.text
        )
        if place.territory is not None:
            current.append((names["territory"], place.territory.slug))
        elif place.point is not None:
            current.append((names["near"], place.postal_code))

    def with_changes(**changes) -> str:
        dropped = {"page"}
        for key in changes:
            dropped.update(PARAMETERS.get(key, (key,)))
            if key == "near":
                dropped.update(("lat", "lon"))
        query = [(k, v) for k, v in current if k not in dropped]
        query += [(names.get(k, k), v) for k, v in changes.items() if v]
        return "?" + urlencode(query)

    if place is not None and place.territory is not None:
        # « Duvernay » read as Duvernay needs no second name; « NDG » read as its borough does.
        named = engine.words(str(place.territory))
        context["place_as_typed"] = engine.words(place.typed)[-len(named) :] == named
    if understood.reinterpreted:
        context["as_typed_url"] = "?" + urlencode(as_typed)
    if understood.nearby or understood.region:
        # The same search elsewhere: the words as searched (without the place typed in them).
        elsewhere = {"near": "", "radius": ""}
        limit = engine.COUNT_LIMIT  # a count past it is "more than 1,000"
        context["elsewhere"] = [
            (
                territory,
                min(count, limit),
                count > limit,
                with_changes(territory=territory.slug, **elsewhere),
            )
            for territory, count in understood.nearby
        ]
        if understood.region:
            region = understood.region
            context["region"] = (
                min(region, limit),
                region > limit,
                with_changes(territory="", **elsewhere),
            )

    # Facet counts when the results are all known; past engine.COUNT_LIMIT, the needs and places of
    # the first results are offered without counts, which would only count a sample.
    sample = results.ids[: engine.FACET_SAMPLE] if results.count_is_capped else results.ids
    facets = engine.facet_counts(sample, known) if sample else {}
    if results.count_is_capped:
        facets = {key: [(item, None) for item, _n in values] for key, values in facets.items()}
    context.update(
        {
            "results": results,
            "page_obj": page,
            "rows": result_rows(
                list(page.object_list), results.distances, language, known, search.near
            ),
            "category_facets": [
                (c, n, with_changes(category=c.code)) for c, n in facets.get("categories", [])
            ],
            "place_facets": [
                (place, n, with_changes(territory=place.slug))
                for place, n in facets.get("municipalities", [])
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
    if search.near and search.radius_km < engine.RADII_KM[-1]:
        wider = next(r for r in engine.RADII_KM if r > search.radius_km)
        context["wider_radius"] = (wider, with_changes(radius=str(wider)))
    return context

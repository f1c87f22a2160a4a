"""Reads for the request screen: the directory's suggestions for a need, an agent's requests."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from organisations.models import Category, Territory
from organisations.search import Point, Reference, Search, cards, reference, run

from .matching import PlaceMatch
from .models import Request

SUGGESTIONS = 5
MORE_SUGGESTIONS = 15
# Far enough to reach any organisation serving a place of the region from its centre.
SUGGESTION_RADIUS_KM = 50


@dataclass
class Suggestion:
    id: int
    name: str
    place: str = ""
    distance_km: float | None = None
    phone: str = ""
    phone_uri: str = ""

    @property
    def detail(self) -> str:
        """« Montréal-Nord · 1,2 km »"""
        parts = [self.place] if self.place else []
        if self.distance_km is not None:
            km = number_format(round(self.distance_km, 1), 1)
            parts.append(_("%(km)s km") % {"km": km})
        return " · ".join(parts)


@dataclass
class Suggestions:
    rows: list[Suggestion] = field(default_factory=list)
    # None serve the territory asked: these are the nearest that serve the need elsewhere.
    elsewhere: bool = False


def _ordered(
    category: Category, territory: Territory | None, centre, limit: int
) -> tuple[list[int], dict[int, float]]:
    """Public organisations meeting the need (and serving ``territory``), nearest to ``centre``
    first, then those with no place on the map."""
    ids: list[int] = []
    distances: dict[int, float] = {}
    if centre is not None:
        near = run(
            Search(
                category=category,
                territory=territory,
                near=Point(*centre),
                radius_km=SUGGESTION_RADIUS_KM,
            )
        )
        ids, distances = near.ids[:limit], near.distances
    if len(ids) < limit:
        rest = run(Search(category=category, territory=territory))
        ids += [pk for pk in rest.ids if pk not in distances][: limit - len(ids)]
    return ids, distances


def referral_suggestions(
    *,
    category: Category,
    place: PlaceMatch | None,
    limit: int = SUGGESTIONS,
    known: Reference | None = None,
) -> Suggestions:
    """The organisations to give for ``category`` to a person in ``place``: those serving that
    territory, nearest to its centre first; when none does, the nearest serving the need
    anywhere (``elsewhere``). From the public search's index (a few queries)."""
    known = known or reference()
    territory = place.territory if place and place.territory else None
    centre = territory.centre if territory else None
    ids, distances = _ordered(category, territory, centre, limit)
    elsewhere = False
    if not ids and territory is not None:
        ids, distances = _ordered(category, None, centre, limit)
        elsewhere = bool(ids)
    language = (translation.get_language() or "fr")[:2]
    found = cards(ids)
    rows = []
    for pk in ids:
        card = found.get(pk)
        if card is None:
            continue
        municipality = known.territories_by_pk.get(card.get("municipality"))
        rows.append(
            Suggestion(
                id=pk,
                name=card["name"],
                place=str(municipality) if municipality else "",
                distance_km=distances.get(pk),
                phone=card.get(f"phone_{language}", ""),
                phone_uri=card.get("tel", ""),
            )
        )
    return Suggestions(rows=rows, elsewhere=elsewhere)


def agent_requests(user, *, days: int = 7) -> list[Request]:
    """What ``user`` recorded in the last ``days`` days, newest first, with their needs (two
    queries)."""
    since = timezone.now() - timedelta(days=days)
    return list(
        Request.objects.filter(recorded_by=user, created_at__gte=since)
        .select_related("territory")
        .prefetch_related("needs__category")
        .order_by("-created_at")[:100]
    )

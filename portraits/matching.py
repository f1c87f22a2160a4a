"""What an agent types, as a territory and as needs of the taxonomy.

An agent on the phone types fast and short: « mtl-n » for Montréal-Nord, « h1h » or a whole
postal code, « hors région »; « alim » for food aid, « déménag » for movers. The same matching
reads the territory and need columns of an imported file (``import_requests``), where names and
codes are written out in full.

Territories: a name (French or English, accents and case aside), a slug or a MAMH code; a
postal code or its first three characters (the forward sortation area, FSA), placed where the
directory's own locations with that FSA are; words that begin the words of a name, in order
(« mtl n », « rosemont », « petite patrie »), with « mtl », « st » and « ste » read as
Montréal, Saint and Sainte; « hors région » for outside the region. A postal code is never
kept: only its territory.

Needs: a name or a code; else words that begin the words of a need's names or of its keywords
(the public search's, edited by the curators), best first: a need's name before its keywords,
whole words before beginnings, a family before the needs under it.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import Substr, Upper
from django.utils import translation
from django.utils.translation import gettext as _

from organisations.lib.text import fold
from organisations.models import Category, Location, Territory
from organisations.search import Reference, reference

# Words typed for the name of a place.
_PLACE_WORDS = {"mtl": "montreal", "st": "saint", "ste": "sainte", "stes": "saintes"}
# Short names people give places, folded: initials of a borough's parts.
_NICKNAMES = {
    "cdn": "cote-des-neiges-notre-dame-de-grace",
    "ndg": "cote-des-neiges-notre-dame-de-grace",
    "cdn ndg": "cote-des-neiges-notre-dame-de-grace",
    "hm": "mercier-hochelaga-maisonneuve",
    "mhm": "mercier-hochelaga-maisonneuve",
    "hochelag": "mercier-hochelaga-maisonneuve",
    "rpp": "rosemont-la-petite-patrie",
    "vsp": "villeray-saint-michel-parc-extension",
    "vsmpe": "villeray-saint-michel-parc-extension",
    "rdp": "riviere-des-prairies-pointe-aux-trembles",
    "pat": "riviere-des-prairies-pointe-aux-trembles",
    "rdp pat": "riviere-des-prairies-pointe-aux-trembles",
    "ddo": "dollard-des-ormeaux",
    "tmr": "mont-royal",
    "ville mont royal": "mont-royal",
}
_OUTSIDE = ("hors", "outside", "exterieur", "out of")
# Kinds of place, the finer first when two have the same name (the municipality of Laval
# before the sector of Laval).
_KIND_ORDER = {
    Territory.Kind.BOROUGH: 0,
    Territory.Kind.DISTRICT: 0,
    Territory.Kind.MUNICIPALITY: 1,
    Territory.Kind.SECTOR: 2,
    Territory.Kind.REGION: 3,
}
_POSTAL = re.compile(r"^([a-z]\d[a-z])(\d[a-z]\d)?$")
# Letters that begin the postal codes of the Montréal region (H: Montréal and Laval; J: the
# rest of western Québec, the region's crowns among it). Any other letter is elsewhere.
_REGION_POSTAL_LETTERS = ("h", "j")
# Words a name or a need is not told by.
_SMALL_WORDS = frozenset(
    {"a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "pour", "sur"}
    | {"and", "for", "in", "of", "on", "the", "to", "with"}
)


@dataclass
class PlaceMatch:
    territory: Territory | None = None
    outside: bool = False
    others: list[Territory] = field(default_factory=list)  # other places the words could be
    error: str = ""
    postal_code: str = ""  # the FSA, when a postal code was typed

    @property
    def found(self) -> bool:
        return self.outside or self.territory is not None

    @property
    def label(self) -> str:
        if self.outside:
            return str(_("Outside the region"))
        return place_label(self.territory) if self.territory else ""


@dataclass
class NeedMatch:
    category: Category | None = None
    others: list[Category] = field(default_factory=list)
    error: str = ""


def place_label(territory: Territory) -> str:
    """« Montréal-Nord (Montréal) »: the place and the municipality or sector it is in."""
    if territory.kind == Territory.Kind.SECTOR:  # the sector of Laval is not the city
        return _("%(name)s (sector)") % {"name": territory}
    parent = territory.parent
    if parent is not None and territory.kind in (
        Territory.Kind.BOROUGH,
        Territory.Kind.DISTRICT,
    ):
        return f"{territory} ({parent})"
    return str(territory)


def need_label(category: Category) -> str:
    return str(category)


# --- Places ---------------------------------------------------------------------------------------


@dataclass
class _Places:
    exact: dict[str, Territory]
    words: list[tuple[Territory, list[str]]]
    by_fsa: dict[str, int]


def _places(known: Reference) -> _Places:
    def make() -> _Places:
        exact: dict[str, Territory] = {}
        words = []
        ordered = sorted(known.territories, key=lambda t: (_KIND_ORDER[t.kind], t.name))
        for territory in ordered:
            if territory.kind == Territory.Kind.REGION:
                continue
            names = [n for n in (territory.name, territory.name_en) if n]
            keys = [fold(n) for n in names] + [fold(territory.slug)]
            parent = known.territories_by_pk.get(territory.parent_id)
            if territory.kind == Territory.Kind.SECTOR:
                for language in ("fr", "en"):
                    with translation.override(language):
                        keys.append(fold(place_label(territory)))
            if parent is not None:  # « Montréal-Nord (Montréal) », as the screen's list offers it
                for name in names:
                    for parent_name in filter(None, (parent.name, parent.name_en)):
                        keys.append(fold(f"{name} {parent_name}"))
            if territory.geographic_code:
                keys.append(territory.geographic_code)
            for key in keys:
                exact.setdefault(key, territory)
            for name in names:
                words.append((territory, fold(name).split()))
        for nickname, slug in _NICKNAMES.items():
            if slug in known.territories_by_slug:
                exact.setdefault(nickname, known.territories_by_slug[slug])
        return _Places(exact, words, _fsa_places())

    return known.memo(("portraits", "places"), make)


def _fsa_places() -> dict[str, int]:
    """{FSA: the territory most of the directory's locations with that FSA are in}, from one
    query (the locations' own municipality or borough)."""
    votes: dict[str, Counter] = defaultdict(Counter)
    rows = (
        Location.objects.exclude(postal_code="")
        .annotate(fsa=Upper(Substr("postal_code", 1, 3)))
        .values_list("fsa", "municipality_id")
        .annotate(n=Count("pk"))
    )
    for fsa, territory_id, n in rows:
        votes[fsa.lower()][territory_id] += n
    return {fsa: counter.most_common(1)[0][0] for fsa, counter in votes.items()}


def _begins(typed: list[str], name: list[str]) -> tuple[int, int] | None:
    """(whole words, words of the name left over) when each typed word begins a word of the
    name, in order; ``None`` otherwise."""
    whole, position = 0, 0
    for word in typed:
        while position < len(name) and not name[position].startswith(word):
            position += 1
        if position == len(name):
            return None
        whole += name[position] == word
        position += 1
    return whole, len(name) - len(typed)


def place_match(text: str, known: Reference | None = None, *, strict: bool = False) -> PlaceMatch:
    """The territory ``text`` names (see the module's docstring); ``error`` says why none.
    ``strict``: names, codes and postal codes only, no beginnings of words (a file's column)."""
    typed = fold(text)
    if not typed:
        return PlaceMatch(error=_("Type the municipality, borough or postal code."))
    if typed.startswith(_OUTSIDE):
        return PlaceMatch(outside=True)
    known = known or reference()
    places = _places(known)
    postal = _POSTAL.match(typed.replace(" ", ""))
    if postal:
        fsa = postal.group(1)
        if not fsa.startswith(_REGION_POSTAL_LETTERS):
            return PlaceMatch(outside=True)
        territory_id = places.by_fsa.get(fsa)
        if territory_id is None:
            return PlaceMatch(
                postal_code=fsa.upper(),
                error=_(
                    "No place of the directory has the postal code %(code)s: type the "
                    "municipality or the borough."
                )
                % {"code": fsa.upper()},
            )
        return PlaceMatch(territory=known.territories_by_pk[territory_id], postal_code=fsa.upper())
    if typed in places.exact:
        return PlaceMatch(territory=places.exact[typed])
    words = [_PLACE_WORDS.get(w, w) for w in typed.split()]
    if " ".join(words) in places.exact:
        return PlaceMatch(territory=places.exact[" ".join(words)])
    if strict:
        return PlaceMatch(error=_("No place is called « %(text)s ».") % {"text": text.strip()})
    found: dict[int, tuple] = {}
    for territory, name in places.words:
        fit = _begins(words, name)
        if fit is not None:
            rank = (-fit[0], fit[1], _KIND_ORDER[territory.kind], territory.name)
            if territory.pk not in found or rank < found[territory.pk][0]:
                found[territory.pk] = (rank, territory)
    if not found:
        return PlaceMatch(
            error=_("No municipality, borough or postal code matches « %(text)s ».")
            % {"text": text.strip()}
        )
    ranked = [territory for _rank, territory in sorted(found.values(), key=lambda f: f[0])]
    return PlaceMatch(territory=ranked[0], others=ranked[1:5])


# --- Needs ----------------------------------------------------------------------------------------


@dataclass
class _Needs:
    exact: dict[str, Category]
    phrases: list[tuple[Category, int, list[str]]]  # (need, weight, significant words)


def _significant(text: str) -> list[str]:
    return [w for w in fold(text).split() if w not in _SMALL_WORDS]


def _needs(known: Reference) -> _Needs:
    def make() -> _Needs:
        exact: dict[str, Category] = {}
        phrases = []
        for category in known.categories:
            parent = known.categories_by_pk.get(category.parent_id)
            for key in (
                category.code,
                category.name_fr,
                category.name_en,
                f"{parent.name_fr} {category.name_fr}" if parent else "",
                f"{parent.name_en} {category.name_en}" if parent else "",
            ):
                if key:
                    exact.setdefault(fold(key), category)
            for name in (category.name_fr, category.name_en):
                phrases.append((category, 2, _significant(name)))
            for keywords in (category.keywords_fr, category.keywords_en):
                for phrase in keywords.split(","):
                    if phrase.strip():
                        phrases.append((category, 1, _significant(phrase)))
        return _Needs(exact, phrases)

    return known.memo(("portraits", "needs"), make)


def _word_fits(typed: str, word: str) -> bool:
    """``typed`` begins ``word``, or is its plural (« logements », « banques »)."""
    if word.startswith(typed):
        return True
    return len(typed) > 3 and typed[-1] in "sx" and word.startswith(typed[:-1])


def _phrase_fit(typed: list[str], phrase: list[str]) -> tuple[int, int] | None:
    """(whole words, words of the phrase left over) when every typed word fits a different
    word of the phrase, in any order; ``None`` otherwise."""
    left = list(phrase)
    whole = 0
    for word in typed:
        match = next((w for w in left if w == word), None) or next(
            (w for w in left if _word_fits(word, w)), None
        )
        if match is None:
            return None
        whole += match == word or match == word[:-1]
        left.remove(match)
    return whole, len(left)


def need_match(text: str, known: Reference | None = None, *, strict: bool = False) -> NeedMatch:
    """The need of the taxonomy ``text`` names (see the module's docstring), with the other
    needs it could be; ``error`` says why none. ``strict``: names and codes only."""
    typed = fold(text)
    if not typed:
        return NeedMatch(error=_("Type the need."))
    known = known or reference()
    needs = _needs(known)
    if typed in needs.exact:
        return NeedMatch(category=needs.exact[typed])
    if strict:
        return NeedMatch(error=_("No need is called « %(text)s ».") % {"text": text.strip()})
    words = [w for w in typed.split() if w not in _SMALL_WORDS] or typed.split()
    best: dict[int, tuple] = {}
    for category, weight, phrase in needs.phrases:
        fit = _phrase_fit(words, phrase)
        if fit is None:
            continue
        rank = (-weight, -fit[0], fit[1], category.parent_id is not None, category.sort_order)
        if category.pk not in best or rank < best[category.pk][0]:
            best[category.pk] = (rank, category)
    if not best:
        return NeedMatch(
            error=_("No need matches « %(text)s »: type another word, or pick one from the list.")
            % {"text": text.strip()}
        )
    ranked = [category for _rank, category in sorted(best.values(), key=lambda f: f[0])]
    return NeedMatch(category=ranked[0], others=ranked[1:5])

"""Places and postal codes typed in the public search's words: « popote roulante NDG », « aînés le
Plateau », « aide alimentaire H2L », « h7g1a1 ».

A place named among the words (a municipality, a borough, a district, a sector, or one of their
other names, ``Territory.aliases``) becomes the place searched, and a postal code or forward
sortation area (FSA) the point searched near; the rest stays words (``place_in_words``). Names
are matched folded (no case, no accents, hyphens as spaces, « St- » as « Saint- »), whole words,
the longest first (« Laval-des-Rapides » before « Laval », « Le Plateau-Mont-Royal » before
« Mont-Royal »), with the little words before them (« à », « le », « près de », « in »...).

Recognition is text only, against a table of names made once per public version
(``Reference.memo``): no query per search. A name is not read as a place:

- when it is also a need's name or keyword, unless « à », « dans », « in », « near »... come
  before it, or when it is part of a longer keyword there (« Maisonneuve-Rosemont », the
  hospital). No reference name collides with a reference need; a curator's keyword might;
- after « rue », « boulevard », « avenue », « métro »...: « avenue du Mont-Royal » is a street of
  the Plateau, « boulevard Saint-Laurent » no borough.

An organisation's name holding a place is read as that place, with the rest of the name as words:
on the demo directory, 97 % of the organisations so named are in the place or serve it, and are
found. The others (« Société de Saint-Vincent-de-Paul », a charity, not Laval's district) are one
click away: the page says how it read the words and offers them as typed. Knowing the names of
60,000 organisations would cost a query per search.

A postal code comes before a place name (it says more, and is never part of a name): the name
then stays among the words. It is placed by the geocoder when there is one (cached), else at the
centre of the directory's own places that share it (``postal_code_point``): one indexed query for
each FSA, once per public version. Only codes starting with the region's letters (H, J) are looked
for. An H code that nothing places is still known to be on the island of Montréal or in Laval
(``postal_code_area``); any other code, or a J code the directory has no place for, is outside
the region. An FSA alone counts only with those letters: « A1C » is rather a blood test.
"""

import re
from dataclasses import dataclass

from django.db.models import Avg, Count, Sum

from .geocoding import GeocoderError, get_geocoder
from .lib.text import fold
from .models import Location, Organisation, Territory
from .search import Point, Reference, reference, stems
from .selectors import STAND_IN_PRECISIONS


@dataclass(frozen=True)
class PlaceInWords:
    """A place or postal code found in the words typed, and the words without it."""

    typed: str  # the words as the visitor typed them that named the place: "NDG", "à H7G 1A1"
    rest: str  # the query without them (as typed, trimmed; may be "")
    territory: Territory | None = None  # a place named (municipality, borough, sector/district)
    point: Point | None = None  # a postal code or FSA placed (label: the code, "H7G 1A1")
    postal_code: str = ""  # the code written properly: "H7G 1A1" or "H7G"
    outside: bool = False  # a postal code the region does not have (neither territory nor point)


# --- Words ---------------------------------------------------------------------------------------

# Little words that go with a place and leave with it: « à Laval », « près de Laval », « dans le
# Plateau », « ville de Laval », « in NDG », « near the Plateau ».
PARTICLES = frozenset(
    (
        *("a", "au", "aux", "dans", "de", "des", "du", "d", "en", "l", "la", "le", "les"),
        *("pres", "proche", "autour", "vers", "secteur", "quartier", "ville", "arrondissement"),
        *("in", "near", "around", "at", "the", "of", "city", "town", "borough"),
    )
)
# The particles that say a place is meant: after them, a name that is also a need's is a place.
PLACE_PARTICLES = frozenset(
    ("a", "au", "aux", "dans", "pres", "proche", "autour", "vers", "in", "near", "around", "at")
)
MAX_PARTICLES = 4  # « dans la ville de Laval »
# A place name after these names a street, a station or a park: « rue Laval » is not Laval.
STREET_WORDS = frozenset(
    (
        *("rue", "boulevard", "boul", "bd", "blvd", "avenue", "av", "ave", "chemin", "ch"),
        *("route", "rte", "montee", "rang", "autoroute", "pont", "place", "parc", "metro"),
        *("station", "street", "road", "rd", "highway", "bridge", "square"),
    )
)
# The little words between a street word and its name: « rue de la Montagne », « avenue du
# Mont-Royal ». After « à » or « près de », a name is a place again: « une place à Laval ».
STREET_LINKS = frozenset(("de", "du", "des", "d", "la", "le", "les", "l"))
# Québec writes « St-Hubert » and « Ste-Julie » as often as the full names.
ABBREVIATIONS = {"st": "saint", "ste": "sainte"}
ARTICLES = frozenset(("le", "la", "les", "l"))
# « de le » is « du », « à le » « au », « de les » « des », « à les » « aux ».
CONTRACTIONS = {"le": ("du", "au"), "les": ("des", "aux")}

# One word as typed: letters and digits (an apostrophe, a hyphen or a dash separate words).
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class _Word:
    key: str  # folded, « st » as « saint »
    start: int
    end: int


def _words(text: str) -> list[_Word]:
    found = []
    for match in _WORD.finditer(text):
        for key in fold(match.group()).split():
            found.append(_Word(ABBREVIATIONS.get(key, key), match.start(), match.end()))
    return found


def _keys(name: str) -> tuple[str, ...]:
    return tuple(ABBREVIATIONS.get(w, w) for w in fold(name).split())


def _without(text: str, start: int, end: int) -> str:
    """``text`` without ``text[start:end]``, spaces and separators tidied at the joint."""
    rest = f"{text[:start].rstrip()} {text[end:].lstrip()}"
    return " ".join(rest.split()).strip(" ,;:/-–—")


# --- Place names ---------------------------------------------------------------------------------

# Where two places share a name, the one people mean: Laval the municipality, not the sector.
KIND_ORDER = {
    Territory.Kind.MUNICIPALITY: 0,
    Territory.Kind.BOROUGH: 1,
    Territory.Kind.DISTRICT: 2,
    Territory.Kind.SECTOR: 3,
    Territory.Kind.REGION: 4,
}


@dataclass(frozen=True)
class _Names:
    territories: dict[tuple[str, ...], Territory]  # every name's words: the place
    longest: int  # the most words in a name
    needs: frozenset[tuple[str, ...]]  # the needs' names and keywords, as words
    need_stems: frozenset[str]  # those of one word as the index holds them (search.stems)
    # A place name inside a longer name or keyword of a need: « Rosemont » in a keyword
    # « Maisonneuve-Rosemont » (the hospital).
    inside_needs: dict[tuple[str, ...], tuple[tuple[str, ...], ...]]


def _names(known: Reference) -> _Names:
    """The table of place names, made once per public version."""

    def make() -> _Names:
        ranked: dict[tuple[str, ...], tuple[tuple, Territory]] = {}

        def add(name: str, territory: Territory, rank: int) -> None:
            keys = _keys(name)
            order = (rank, KIND_ORDER.get(territory.kind, 9), territory.pk)
            if keys and (keys not in ranked or order < ranked[keys][0]):
                ranked[keys] = (order, territory)

        for territory in known.territories:
            for name in filter(None, (territory.name, territory.name_en)):
                add(name, territory, 0)
                keys = _keys(name)
                # « Le Plateau-Mont-Royal » is also « Plateau-Mont-Royal »; « La Prairie » is
                # not « Prairie », a word of its own. « Les Cèdres » is « des Cèdres » after
                # « de », « Le Sud-Ouest » « du Sud-Ouest ».
                if keys[0] in ARTICLES and len(keys) > 2:
                    add(" ".join(keys[1:]), territory, 1)
                for contracted in CONTRACTIONS.get(keys[0], ()):
                    add(" ".join((contracted, *keys[1:])), territory, 1)
            for alias in territory.aliases.split(","):
                add(alias, territory, 2)
        territories = {keys: territory for keys, (_order, territory) in ranked.items()}
        needs = set()
        for need in known.categories:
            texts = [need.name_fr, need.name_en, need.keywords_fr, need.keywords_en]
            needs.update(_keys(part) for text in texts for part in (text or "").split(","))
        needs.discard(())
        inside: dict[tuple[str, ...], set] = {}
        for phrase in needs:
            for i in range(len(phrase)):
                for j in range(i + 1, len(phrase) + 1):
                    if (i, j) != (0, len(phrase)) and phrase[i:j] in territories:
                        inside.setdefault(phrase[i:j], set()).add(phrase)
        return _Names(
            territories=territories,
            longest=max((len(keys) for keys in territories), default=0),
            needs=frozenset(needs),
            need_stems=frozenset(
                s for phrase in needs if len(phrase) == 1 for s in stems(phrase[0])
            ),
            inside_needs={name: tuple(phrases) for name, phrases in inside.items()},
        )

    return known.memo(("search_places", "names"), make)


def _particles_before(words: list[_Word], i: int) -> int:
    """Where the little words going with the name at ``words[i]`` start."""
    start = i
    while start > 0 and i - start < MAX_PARTICLES and words[start - 1].key in PARTICLES:
        start -= 1
    return start


def _after_street_word(words: list[_Word], i: int) -> bool:
    """« rue Laval », « avenue du Mont-Royal », « boulevard de la Côte-Vertu »."""
    j = i - 1
    while j >= 0 and i - j <= MAX_PARTICLES and words[j].key in STREET_LINKS:
        j -= 1
    return j >= 0 and words[j].key in STREET_WORDS


def _place_named(text: str, names: _Names) -> tuple[Territory, int, int] | None:
    """(the place, where its words start, where they end in ``text``): the longest name, the
    last one when two are as long; ``None`` when no name is there."""
    words = _words(text)
    keys = [w.key for w in words]
    best = None
    for i in range(len(words)):
        for length in range(min(names.longest, len(words) - i), 0, -1):
            name = tuple(keys[i : i + length])
            territory = names.territories.get(name)
            if territory is None:
                continue
            start = _particles_before(words, i)
            if _after_street_word(words, i) or _inside_need(keys, i, name, names):
                continue
            if _is_need(name, names) and not any(w.key in PLACE_PARTICLES for w in words[start:i]):
                continue  # a need's word, not said to be a place
            if best is None or length >= best[0]:
                best = (length, territory, words[start].start, words[i + length - 1].end)
            break  # the longest name starting here
    return best[1:] if best else None


def _is_need(name: tuple[str, ...], names: _Names) -> bool:
    """The place's name is also a need's name or keyword (or one word, another form of a
    one-word keyword: « refuges » for « refuge »)."""
    if name in names.needs:
        return True
    return len(name) == 1 and not names.need_stems.isdisjoint(stems(name[0]))


def _inside_need(keys: list[str], i: int, name: tuple[str, ...], names: _Names) -> bool:
    """The place's name at ``keys[i]`` is part of a need's longer name or keyword there."""
    return any(
        tuple(keys[at : at + len(phrase)]) == phrase
        for phrase in names.inside_needs.get(name, ())
        for at in range(max(i - len(phrase) + len(name), 0), i + 1)
    )


def territory_named(text: str, known: Reference) -> Territory | None:
    """The place ``text`` names and nothing else: « NDG », « le Plateau », « près de Laval ».
    A region is no place to be near: ``None`` for it, as for words that are no place."""
    found = _place_named(text, _names(known))
    if found is None or _without(text, found[1], found[2]):
        return None
    return found[0] if found[0].kind != Territory.Kind.REGION else None


# --- Postal codes --------------------------------------------------------------------------------

# Canada Post: no D, F, I, O, Q or U anywhere, no W or Z first. A code in the words is one word
# (« h7g1a1 ») or two (« H7G 1A1 », « H7G-1A1 »); an FSA alone is three characters (« H7G »).
_LETTER_FIRST = "ABCEGHJKLMNPRSTVXY"
_LETTER = "ABCEGHJKLMNPRSTVWXYZ"
_POSTAL_CODE = re.compile(
    rf"(?<![^\W_])([{_LETTER_FIRST}]\d[{_LETTER}])(?:[ \t]*-?[ \t]*(\d[{_LETTER}]\d))?(?![^\W_])",
    re.IGNORECASE,
)
# The first letters of the region's postal codes: H for Montréal and Laval, J for the rest of
# south-western Québec, the crowns included.
REGION_LETTERS = frozenset("HJ")


def postal_code_written(text: str) -> str:
    """``text`` as a postal code or FSA written properly ("H7G 1A1", "H7G"), or ""."""
    match = _POSTAL_CODE.fullmatch(text.strip())
    if match is None:
        return ""
    fsa, local = match.group(1).upper(), (match.group(2) or "").upper()
    return f"{fsa} {local}" if local else fsa


def postal_code_point(code: str, known: Reference) -> Point | None:
    """Where a postal code or FSA of the region is: the geocoder's answer when there is a
    geocoder and it places the code in the region, else the centre of the directory's own
    geocoded public places sharing the full code (when two or more do) or its FSA. ``None`` for
    a code the region does not have, or one the directory has no place for."""
    written = postal_code_written(code)
    if not written or written[0] not in REGION_LETTERS:
        return None
    return _geocoded(written) or _directory_centre(written, known)


# Canada Post's H codes are the island of Montréal's (H1 to H5, H8, H9) and Laval's (H7): a code
# there that nothing places is still in one of the two.
H_AREAS = {d: "laval" if d == "7" else "secteur-agglomeration-de-montreal" for d in "12345789"}


def postal_code_area(code: str, known: Reference) -> Territory | None:
    """The island of Montréal or Laval for an H postal code or FSA, else ``None``: where a code
    is when neither the geocoder nor the directory's places place it (it has no place yet)."""
    written = postal_code_written(code)
    if not written.startswith("H"):
        return None
    return known.territories_by_slug.get(H_AREAS.get(written[1], ""))


def _geocoded(written: str) -> Point | None:
    """The geocoder's answer (cached, no retries: a visitor is waiting), when in the region."""
    geocoder = get_geocoder()
    if geocoder.offline:
        return None
    key = f"postal|{written.replace(' ', '').lower()}"
    try:
        answer = geocoder.lookup(f"{written}, QC, Canada", key, retries=0)
    except GeocoderError:
        return None
    (south, west), (north, east) = geocoder.bounds
    if not answer.found or not (
        south <= answer.latitude <= north and west <= answer.longitude <= east
    ):
        return None
    return Point(answer.latitude, answer.longitude, label=written)


def _directory_centre(written: str, known: Reference) -> Point | None:
    fsa = written[:3]
    codes = known.memo(("search_places", "postal", fsa), lambda: _places_in(fsa))
    own = codes.get(written)
    if own is not None and own[0] >= 2:
        count, latitude, longitude = own
    else:
        count = sum(n for n, _lat, _lon in codes.values())
        latitude = sum(lat for _n, lat, _lon in codes.values())
        longitude = sum(lon for _n, _lat, lon in codes.values())
    if not count:
        return None
    return Point(latitude / count, longitude / count, label=written)


def _located_public_places(**where):
    """The directory's geocoded public places matching ``where``: not a confidential address
    (its point is for internal use), not a point standing in for a municipality."""
    return (
        Location.objects.filter(
            address_is_confidential=False,
            latitude__isnull=False,
            longitude__isnull=False,
            # Organisation.objects.public() as a join: with a list of public organisations
            # (IN), SQLite reads every one of them rather than the postal code's index.
            organisation__live=True,
            **where,
        )
        .exclude(organisation__status=Organisation.Status.CLOSED)
        .exclude(geocode_precision__in=STAND_IN_PRECISIONS)
    )


def _places_in(fsa: str) -> dict[str, tuple[int, float, float]]:
    """{postal code: (how many places, sum of latitudes, sum of longitudes)} of the directory's
    located public places in the FSA (``_located_public_places``). One query, a range on the
    postal code's index (codes are stored as Canada Post writes them, « H7G 1A1 »)."""
    rows = (
        _located_public_places(postal_code__gte=f"{fsa} 0A0", postal_code__lte=f"{fsa} 9Z9")
        .order_by()
        .values_list("postal_code")
        .annotate(Count("pk"), Sum("latitude"), Sum("longitude"))
    )
    return {code: (count, lat, lon) for code, count, lat, lon in rows}


def place_centre(territory: Territory, known: Reference) -> tuple[float, float] | None:
    """The middle of a place: its own centre point, else the middle of the directory's located
    public places in it (``_located_public_places``: a district of Laval has no centre of its
    own in the gazetteer), else the centre of the place it is part of. Once per public version."""

    def make():
        if territory.latitude is not None and territory.longitude is not None:
            return (territory.latitude, territory.longitude)
        middle = _located_public_places(municipality=territory).aggregate(
            latitude=Avg("latitude"), longitude=Avg("longitude")
        )
        if middle["latitude"] is not None:
            return (middle["latitude"], middle["longitude"])
        return known.centres.get(territory.pk)

    return known.memo(("place_centre", territory.pk), make)


# --- Both ----------------------------------------------------------------------------------------


def place_in_words(text: str, known: Reference) -> PlaceInWords | None:
    """The place or postal code among the words typed, and the words without it; ``None`` when
    there is none. A postal code comes first (it is never a word of a name); among place names,
    the longest. See the module's docstring for what is not read as a place."""
    if not text or not text.strip():
        return None
    code = _postal_code_in(text, known)
    if code is not None:
        return code
    found = _place_named(text, _names(known))
    if found is None:
        return None
    territory, start, end = found
    return PlaceInWords(
        typed=text[start:end].strip(), rest=_without(text, start, end), territory=territory
    )


def _postal_code_in(text: str, known: Reference) -> PlaceInWords | None:
    """The first postal code among the words. An FSA alone is read only for the region's letters:
    « A1C » is more often a blood test (HbA1c) than St. John's, Newfoundland."""
    match = next(
        (
            m
            for m in _POSTAL_CODE.finditer(text)
            if m.group(2) or m.group(1)[0].upper() in REGION_LETTERS
        ),
        None,
    )
    if match is None:
        return None
    written = postal_code_written(match.group())
    words = _words(text)
    at = next(i for i, w in enumerate(words) if w.start >= match.start())
    start = words[_particles_before(words, at)].start
    point = postal_code_point(written, known)
    territory = None if point else postal_code_area(written, known)
    return PlaceInWords(
        typed=text[start : match.end()].strip(),
        rest=_without(text, start, match.end()),
        territory=territory,
        point=point,
        postal_code=written,
        outside=point is None and territory is None,
    )


def locate(text: str, known: Reference | None = None) -> Point | None:
    """Where "near ..." means: a municipality, borough or sector by name or other name (its
    centre, no request), a postal code or FSA (``search_places.postal_code_point``: the geocoder,
    else the centre of the directory's places sharing it), else the address through the geocoder
    (cached, no retries: a visitor is waiting). ``None`` when nothing in the metropolitan area is
    found."""
    wanted = fold(text)
    if not wanted:
        return None
    known = known or reference()
    territory = territory_named(text, known)
    if territory is not None and territory.pk in known.centres:
        return Point(*known.centres[territory.pk], label=str(territory))
    if postal_code_written(text):
        return postal_code_point(text, known)
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

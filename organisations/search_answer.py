"""The public search's one box, read as a person would: ``answer`` runs the engine
(``organisations.search``) on what the visitor meant, and says what it did.

A place or a postal code among the words becomes the place or the point searched near
(``search_places``); a place's organisations come nearest to its middle first; when the words find
little, a spelling a letter or two away that finds more is searched instead (``search_spelling``);
when nothing is found, the organisations with most of the words, and the same search in the
nearest places and the whole region (``search_fallbacks``). ``Answered.understood`` says each of
these, for the page to say and to undo (``as_typed``).

This module sits above the engine and its three readers: none of them imports it.
"""

from dataclasses import dataclass, field, replace

from .lib.text import fold
from .models import Territory
from .search import (
    COUNT_LIMIT,
    Reference,
    Results,
    Search,
    _terms,
    nearest_first,
    reference,
    run,
)
from .search_fallbacks import most_words, nearby_places
from .search_places import PlaceInWords, place_centre, place_in_words
from .search_spelling import corrections


@dataclass
class Understanding:
    """How ``answer`` read the visitor's words when it did not search them as typed, for the page
    to say so and offer to undo it; and where else to look when nothing was found."""

    place: PlaceInWords | None = None  # a place or postal code taken out of the words
    corrected: str = ""  # the words searched instead of those typed (a spelling)
    left_out: list[str] = field(default_factory=list)  # words no result has with the others
    nearby: list[tuple[Territory, int]] = field(default_factory=list)  # (place, how many)
    region: int = 0  # how many the whole region has, when the place asked has none

    @property
    def reinterpreted(self) -> bool:
        """The words were not searched as typed: the page offers to search them as typed."""
        return bool(self.place or self.corrected)


@dataclass
class Answered(Results):
    """The engine's results, and how the words were read to get them."""

    understood: Understanding = field(default_factory=Understanding)


# A search finding fewer than this tries other spellings of its words.
FEW = 3
# Words beyond this many are a pasted text, not a request: searched as they are, with no other
# spellings and no subsets of them tried (each try is a search).
REREAD_TERMS = 6


def answer(search: Search, *, as_typed: bool = False, known: Reference | None = None) -> Answered:
    """``run``, reading the visitor's words as a person would (unless ``as_typed``): a place or a
    postal code among them becomes the place or the point searched near (``search_places``); when
    the words find little, a spelling one or two letters away that finds more is searched
    instead (``search_spelling``). When nothing is found, the organisations matching most of the
    words, and the same search in the nearest places and the whole region (``search_fallbacks``).
    ``Answered.understood`` says what was done, for the page."""
    known = known or reference()
    understood = Understanding()
    typed = search
    if not as_typed and search.text.strip() and search.territory is None and search.near is None:
        place = place_in_words(search.text, known)
        if place is not None:
            understood.place = place
            search = replace(search, text=place.rest, territory=place.territory, near=place.point)
    if understood.place is not None and understood.place.outside:
        results = Results(search=search, ids=[])  # a postal code outside the region
    else:
        results = run(search)
    if understood.place is not None and understood.place.territory and not results.ids:
        # « Association des locataires Sainte-Rose », not in Sainte-Rose: the name, as typed.
        as_written = run(typed)
        if as_written.ids:
            understood.place, search, results = None, typed, as_written
    terms = _terms(search.text)
    if not as_typed and 0 < len(terms) <= REREAD_TERMS and results.count < FEW:
        for text in corrections(search.text, known):
            other = run(replace(search, text=text))
            if other.count > results.count:
                understood.corrected, results = text, other
                break
    if not results.ids and 1 < len(terms) <= REREAD_TERMS:
        ids, left_out = most_words(results.search)
        if ids:
            understood.left_out = left_out
            again = None
            if results.search.near is not None:
                # Near a point: the words kept, searched again for their distances.
                dropped = {fold(word) for word in left_out}
                kept = " ".join(w for w in results.search.text.split() if fold(w) not in dropped)
                again = run(replace(results.search, text=kept))
            if again is not None and again.ids:
                results = again
            else:
                results = Results(
                    search=results.search,
                    ids=ids[:COUNT_LIMIT],
                    count_is_capped=len(ids) > COUNT_LIMIT,
                )
    searched = results.search
    place = understood.place
    if place is not None and place.territory is not None and len(results.ids) > 1:
        # « popote roulante Duvernay »: those in Duvernay, the nearest to its middle first.
        centre = place_centre(place.territory, known)
        if centre is not None:
            results.ids = nearest_first(results.ids, centre)
    if not results.ids and (searched.territory or searched.near) and (searched.category or terms):
        understood.nearby, understood.region = nearby_places(searched, known)
    return Answered(
        **{f: getattr(results, f) for f in Results.__dataclass_fields__}, understood=understood
    )

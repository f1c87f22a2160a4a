"""Other spellings of a search that finds nothing or little (issue 16, item 3).

A visitor types « popotte roullante »: the second word is in no name, no need and no place the
index knows. It is replaced by the nearest words of the index's own vocabulary (the names of the
organisations it holds, the names and keywords of the needs, the names of the places), one or two
edits away, and the search can say « Résultats pour « popotte roulante » » rather than nothing.

The distances are rapidfuzz's (optimal string alignment: « toxicomanei » is one swap from
« toxicomanie »). Among words as near, the one more organisations are about comes first. The
vocabulary is made once per public version (``Reference.memo``), and only when a search first
needs a correction.
"""

import re
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count
from rapidfuzz import process
from rapidfuzz.distance import OSA

from .lib.text import fold
from .models import Location, Organisation, SearchDocument, Service
from .search import STOPWORDS, VISIBLE_SERVICE_STATUSES, Reference, stems

MAX_CORRECTIONS = 3
OPTIONS_PER_WORD = 3
# A search box holds a few words; a pasted paragraph is not misspelled, and each unknown word
# costs a pass over the vocabulary.
MAX_UNKNOWN_WORDS = 6

_TOKEN = re.compile(r"[^\W_]+")  # a run of letters and digits, as ``fold`` splits words


def max_edits(word: str) -> int:
    """How far from a folded word a correction may be: one edit for a word of up to four letters
    (two would change half of it: « lyr » is not « loyer »), two for longer ones, none for
    numbers, codes (a postal code, h2x) and words of one or two letters."""
    if len(word) <= 2 or not word.isalpha():
        return 0
    return 1 if len(word) <= 4 else 2


# Snowball's stems keep a word's first letters (« logements », « logement »: "log"), so a word's
# stem is looked for among the words beginning as it does: stemming the whole vocabulary of a
# large directory would cost seconds (the pure-Python Snowball stems a word in about 0.1 ms).
PREFIX = 3


@dataclass(frozen=True)
class Vocabulary:
    """The folded words a search can be corrected to, how common each is, and how it is written."""

    frequency: dict[str, int]  # how many public organisations the word is about (near enough)
    written: dict[str, str]  # as it is most often written: « depannage » is « dépannage »
    by_length: dict[int, list[str]]  # the words a correction may be: letters only, no stopword
    by_prefix: dict[str, list[str]]  # every word, by its first ``PREFIX`` letters

    def knows(self, word: str) -> bool:
        """Whether a folded word, or one of its stems, is the vocabulary's (« logements » is
        known by « logement »'s stem)."""
        if word in self.frequency:
            return True
        own = set(stems(word))
        return any(own.intersection(stems(w)) for w in self.by_prefix.get(word[:PREFIX], ()))

    def nearest(self, word: str) -> list[tuple[str, int]]:
        """(word, edits) of the nearest words to a folded word, nearest first and then the more
        common, one per stem (« logement » and « logements » are one search), at most
        ``OPTIONS_PER_WORD``."""
        limit = max_edits(word)
        if not limit:
            return []
        choices = [
            choice
            for length in range(len(word) - limit, len(word) + limit + 1)
            for choice in self.by_length.get(length, ())
        ]
        # Edits as typing makes them: a letter missing, extra, wrong, or two letters swapped
        # (« toxicomanei »). The optimal string alignment distance, which a bit-parallel
        # algorithm computes five times faster than the unrestricted Damerau-Levenshtein (which
        # differs only by editing a swapped pair again, not a typo).
        found = process.extract(word, choices, scorer=OSA.distance, score_cutoff=limit, limit=None)
        found.sort(key=lambda match: (match[1], -self.frequency[match[0]], match[0]))
        options, seen = [], set()
        for choice, edits, _index in found:
            if seen.isdisjoint(stems(choice)):
                seen.update(stems(choice))
                options.append((choice, int(edits)))
                if len(options) == OPTIONS_PER_WORD:
                    break
        return options


def vocabulary(known: Reference) -> Vocabulary:
    """The vocabulary of the public version ``known`` was read for, made on first use."""
    return known.memo(("spelling_vocabulary",), lambda: _vocabulary_build(known))


def _vocabulary_build(known: Reference) -> Vocabulary:
    """Three queries: the names of the organisations in the index, how many of them serve each
    need and how many are in each place; the needs and places themselves are ``known``'s."""
    # Each word as written (lower case) and how many organisations it is about, counted before
    # folding so that each distinct word is folded once.
    weights: Counter[str] = Counter()
    indexed = SearchDocument.objects.values("organisation_id")  # the public organisations

    names = (
        Organisation.objects.filter(pk__in=indexed).order_by().values_list("name", "alternate_name")
    )
    # Split on spaces first, in C, then each distinct piece on punctuation: a regular expression
    # over all the names costs twice as much.
    pieces = Counter(" ".join(n for pair in names for n in pair).lower().split())
    for piece, count in pieces.items():
        for token in _TOKEN.findall(piece):
            weights[token] += count

    # A need's words find the organisations serving it or a need under it (the index holds the
    # words of the families above each need served). Summed over the needs under a family, an
    # organisation serving two of them counts twice: near enough to say which word is common.
    serving: Counter[int] = Counter()
    for category_id, count in (
        Service.categories.through.objects.filter(
            service__status__in=VISIBLE_SERVICE_STATUSES, service__organisation_id__in=indexed
        )
        .values("category_id")
        .annotate(count=Count("service__organisation_id", distinct=True))
        .values_list("category_id", "count")
    ):
        for pk in known.needs.up(category_id):
            serving[pk] += count
    for need in known.categories:
        text = " ".join((need.name_fr, need.name_en, need.keywords_fr, need.keywords_en))
        weights.update(dict.fromkeys(_TOKEN.findall(text.lower()), max(serving[need.pk], 1)))

    within: Counter[int] = Counter()
    for municipality_id, count in (
        Location.objects.filter(organisation_id__in=indexed, municipality__isnull=False)
        .values("municipality_id")
        .annotate(count=Count("organisation_id", distinct=True))
        .values_list("municipality_id", "count")
    ):
        for pk in known.places.up(municipality_id):
            within[pk] += count
    for place in known.territories:
        text = " ".join((place.name, place.name_en, place.aliases))
        weights.update(dict.fromkeys(_TOKEN.findall(text.lower()), max(within[place.pk], 1)))

    frequency: Counter[str] = Counter()
    # A word is written with its accents, then as most often: the needs' keywords also hold it
    # without them, or misspelt, for the visitors who type it so (« démenagement »).
    written: dict[str, str] = {}
    best: dict[str, tuple] = {}
    for token, weight in weights.items():
        word = fold(token)
        if not word or " " in word:
            continue
        frequency[word] += weight
        rank = (sum(not c.isascii() for c in token), weight, token)
        if rank > best.get(word, ()):
            best[word], written[word] = rank, token
    by_length: dict[int, list[str]] = {}
    by_prefix: dict[str, list[str]] = {}
    for word in frequency:
        by_prefix.setdefault(word[:PREFIX], []).append(word)
        if len(word) > 2 and word.isalpha() and word not in STOPWORDS:
            by_length.setdefault(len(word), []).append(word)
    return Vocabulary(
        frequency=dict(frequency), written=written, by_length=by_length, by_prefix=by_prefix
    )


def corrections(text: str, known: Reference) -> list[str]:
    """Other spellings of ``text`` worth searching, best first (at most 3), each the query with its
    unknown words replaced by the nearest words of the vocabulary (one or two edits; one for words
    of up to 4 letters; none for numbers, codes, words of 1-2 letters), the known words kept as
    typed. [] when every word is known or nothing is near.

    A word nothing is near stays as typed while the others are corrected (it may be in a
    description: the index holds more words than the vocabulary). The candidates are the
    combinations of each word's nearest options with the fewest edits in all, then the more
    common words."""
    spans = [(match, fold(match.group())) for match in _TOKEN.finditer(text or "")]
    typed = list(dict.fromkeys(word for _match, word in spans if word))
    unknown = [word for word in typed if max_edits(word) and word not in STOPWORDS]
    if not unknown:
        return []
    words = vocabulary(known)
    unknown = [word for word in unknown if not words.knows(word)]
    if not unknown or len(unknown) > MAX_UNKNOWN_WORDS:
        return []

    # The best combinations, word after word: each word's cost adds to the others', so the best
    # few of all the words are among the best few of the first words followed by the next one.
    combinations: list[tuple[tuple[int, int], dict[str, str]]] = [((0, 0), {})]
    for word in unknown:
        options = words.nearest(word)
        if not options:
            continue
        combinations = sorted(
            (
                ((edits + more, rank + rung), {**chosen, word: option})
                for (edits, rank), chosen in combinations
                for rung, (option, more) in enumerate(options)
            ),
            key=lambda combination: combination[0],
        )[:MAX_CORRECTIONS]
    found = []
    for _cost, chosen in combinations:
        if chosen:
            found.append(_replaced(text, spans, {w: words.written[c] for w, c in chosen.items()}))
    return found


def _replaced(text: str, spans: list, replacements: dict[str, str]) -> str:
    """``text`` with each word whose folded form is in ``replacements`` replaced, in the typed
    word's case (« Logemant » becomes « Logement »)."""
    parts, end = [], 0
    for match, word in spans:
        if word in replacements:
            parts += [text[end : match.start()], _cased(match.group(), replacements[word])]
            end = match.end()
    return "".join([*parts, text[end:]])


def _cased(typed: str, word: str) -> str:
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word

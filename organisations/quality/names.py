"""Organisation names reduced to what tells them apart, and how alike two of them are.

Shared by the partner imports (which of our records a row is about) and the duplicate finder
(which of our records are the same organisation): both must agree on what makes two names the
same one.
"""

from rapidfuzz import fuzz

from ..lib.text import fold

_ABBREVIATIONS = {
    "st": "saint", "ste": "sainte", "ctr": "centre", "cntr": "centre", "center": "centre",
    "cent": "centre", "assoc": "association", "ass": "association", "org": "organisme",
    "cie": "compagnie", "mtl": "montreal", "comm": "communautaire", "cdc": "corporation developpement communautaire",
}  # fmt: skip
_NOISE = {"de", "du", "des", "la", "le", "les", "l", "d", "et", "the", "of", "and", "inc", "enr"}


def name_key(name: str) -> str:
    """A name with what does not tell organisations apart taken out."""
    words = (_ABBREVIATIONS.get(w, w) for w in fold(name).split())
    return " ".join(w for w in words if w not in _NOISE)


def likeness(a: str, b: str) -> int:
    """0-100: how alike two name keys are. The mean of a set ratio (one name contained in the
    other scores high) and a sort ratio (extra words lower it)."""
    return round((fuzz.token_set_ratio(a, b) + fuzz.token_sort_ratio(a, b)) / 2)

"""Nothing that identifies the person: what a note may not hold.

A request keeps no name, phone, email or address. The note is for the agent's own words about
the need (« cherche un 4 ½ avant le 1er juillet »); these checks refuse what looks like a way to
reach or find the person. They cannot catch a name, which is why the note is short and the form
says what not to write.
"""

import re

from django.utils.translation import gettext as _

_EMAIL = re.compile(r"[\w.+-]+\s*(@|\(at\)|\[at\])\s*[\w-]+(\.[\w-]+)+", re.IGNORECASE)
# Seven digits or more, whatever separates them: 514 555-1234, (450) 555 1234, 5551234, +1 514...
_DIGITS = re.compile(r"\d(?:[\s().+-]*\d){6,}")
# A Canadian postal code in full (its first three characters, a territory, are fine).
_POSTAL_CODE = re.compile(r"\b[a-z]\d[a-z]\s?\d[a-z]\d\b", re.IGNORECASE)
# A civic number followed by a kind of street, in French or English.
_STREET = re.compile(
    r"\b\d{1,5}[a-z]?,?\s+(rue|avenue|av|boulevard|boul|blvd|bd|chemin|ch|place|rang|montée|"
    r"montee|côte|cote|croissant|impasse|street|st|road|rd|drive|dr|crescent|lane)\b",
    re.IGNORECASE,
)


def identifying(text: str) -> str:
    """What in ``text`` looks like it identifies a person, in words (empty when nothing)."""
    if _EMAIL.search(text):
        return _("it looks like an email address")
    if _DIGITS.search(text):
        return _("it looks like a phone number")
    if _POSTAL_CODE.search(text):
        return _("it looks like a full postal code")
    if _STREET.search(text):
        return _("it looks like a street address")
    return ""

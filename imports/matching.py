"""Which organisation of ours a row of a partner's file is about.

In order: the partner's own id (kept on our records as an identifier under the profile's
scheme), then our UUID, then a probable match: a similar name (accents, case, "St"/"Saint",
"Ctr"/"Centre" folded away) and the same postal code or phone number. A probable match is a
suggestion with a score and a reason; a person confirms or rejects it.

Everything is read once per import (a few queries at 60,000 records), so matching a row costs
dictionary lookups and, for rows no id matches, one fuzzy comparison per candidate.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from organisations.geocoding import fold
from organisations.models import Location, Organisation, OrganisationIdentifier, Phone

_ABBREVIATIONS = {
    "st": "saint", "ste": "sainte", "ctr": "centre", "cntr": "centre", "center": "centre",
    "cent": "centre", "assoc": "association", "ass": "association", "org": "organisme",
    "cie": "compagnie", "mtl": "montreal", "comm": "communautaire", "cdc": "corporation developpement communautaire",
}  # fmt: skip
_NOISE = {"de", "du", "des", "la", "le", "les", "l", "d", "et", "the", "of", "and", "inc", "enr"}

PROBABLE_SCORE = 75
_CHUNK = 900  # ids per IN (...) query: under every database's parameter limit


def name_key(name: str) -> str:
    """A name with what does not tell organisations apart taken out."""
    words = (_ABBREVIATIONS.get(w, w) for w in fold(name).split())
    return " ".join(w for w in words if w not in _NOISE)


def likeness(a: str, b: str) -> int:
    """0-100: how alike two name keys are. The mean of a set ratio (one name contained in the
    other scores high) and a sort ratio (extra words lower it)."""
    return round((fuzz.token_set_ratio(a, b) + fuzz.token_sort_ratio(a, b)) / 2)


@dataclass
class Match:
    organisation_id: int | None
    how: str  # partner_id, uuid, probable or ""
    score: int | None = None
    reason: str = ""


def _chunks(values: list):
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


class Matcher:
    def __init__(self, *, scheme: str, partner_ids: list[str], uuids: list[str]):
        self.by_partner_id: dict[str, int] = {}
        if scheme:
            for chunk in _chunks(sorted(set(partner_ids))):
                self.by_partner_id.update(
                    OrganisationIdentifier.objects.filter(
                        scheme=scheme, identifier__in=chunk
                    ).values_list("identifier", "organisation_id")
                )
        self.by_uuid: dict[str, int] = {}
        for chunk in _chunks(sorted(set(uuids))):
            self.by_uuid.update(
                (str(u), pk)
                for u, pk in Organisation.objects.filter(uuid__in=chunk).values_list("uuid", "pk")
            )
        self._names: dict[int, str] | None = None
        self._by_postal_code: dict[str, set[int]] | None = None
        self._by_phone: dict[str, set[int]] | None = None

    def _load(self):
        """The indexes for probable matches, read the first time a row needs them."""
        self._names = {
            pk: name_key(name)
            for pk, name in Organisation.objects.exclude(
                status=Organisation.Status.CLOSED
            ).values_list("pk", "name")
        }
        self._by_postal_code = defaultdict(set)
        for code, pk in Location.objects.exclude(postal_code="").values_list(
            "postal_code", "organisation_id"
        ):
            self._by_postal_code[code].add(pk)
        self._by_phone = defaultdict(set)
        for number, pk in Phone.objects.values_list("number", "organisation_id"):
            self._by_phone[number].add(pk)

    def match(self, *, partner_id: str, uuid: str, name: str, postal_codes, phones) -> Match:
        if partner_id and partner_id in self.by_partner_id:
            return Match(self.by_partner_id[partner_id], "partner_id")
        if uuid and uuid in self.by_uuid:
            return Match(self.by_uuid[uuid], "uuid")
        if not name:
            return Match(None, "")
        if self._names is None:
            self._load()
        reasons: dict[int, str] = {}
        for code in postal_codes:
            for pk in self._by_postal_code.get(code, ()):
                reasons.setdefault(pk, _("same postal code %(code)s") % {"code": code})
        for number in phones:
            for pk in self._by_phone.get(number, ()):
                reasons.setdefault(pk, _("same phone number"))
        key = name_key(name)
        best = Match(None, "")
        for pk, reason in reasons.items():
            if pk not in self._names:
                continue
            score = likeness(key, self._names[pk])
            if score >= PROBABLE_SCORE and (best.score is None or score > best.score):
                best = Match(pk, "probable", score, reason)
        return best

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

from organisations.models import Location, Organisation, OrganisationIdentifier, Phone
from organisations.quality.names import likeness, name_key

__all__ = ["Match", "Matcher", "likeness", "name_key"]

PROBABLE_SCORE = 75
_CHUNK = 900  # ids per IN (...) query: under every database's parameter limit


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
    """Matches rows a chunk at a time: :meth:`know` reads the ids of the chunk's rows, then
    :meth:`match` answers for each row. The indexes for probable matches are read once."""

    def __init__(self, *, scheme: str):
        self.scheme = scheme
        self.by_partner_id: dict[str, int] = {}
        self.by_uuid: dict[str, int] = {}
        self._names: dict[int, str] | None = None
        self._by_postal_code: dict[str, set[int]] | None = None
        self._by_phone: dict[str, set[int]] | None = None

    def know(self, *, partner_ids: list[str], uuids: list[str]) -> None:
        """Read which of our records these partner ids and UUIDs belong to (those of the rows
        about to be matched: memory holds a chunk's ids, not a whole file's)."""
        self.by_partner_id = {}
        if self.scheme:
            for chunk in _chunks(sorted(set(partner_ids))):
                self.by_partner_id.update(
                    OrganisationIdentifier.objects.filter(
                        scheme=self.scheme, identifier__in=chunk
                    ).values_list("identifier", "organisation_id")
                )
        self.by_uuid = {}
        for chunk in _chunks(sorted(set(uuids))):
            self.by_uuid.update(
                (str(u), pk)
                for u, pk in Organisation.objects.filter(uuid__in=chunk).values_list("uuid", "pk")
            )

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
        # Why each candidate came up, put in words only for the one kept: the demo's shared
        # phone numbers (and real switchboards) bring up many candidates per row.
        reasons: dict[int, tuple[str, str]] = {}
        for code in postal_codes:
            for pk in self._by_postal_code.get(code, ()):
                reasons.setdefault(pk, ("postal_code", code))
        for number in phones:
            for pk in self._by_phone.get(number, ()):
                reasons.setdefault(pk, ("phone", number))
        key = name_key(name)
        best, best_score = None, PROBABLE_SCORE - 1
        for pk in reasons:
            other = self._names.get(pk)
            if other is None:
                continue
            score = likeness(key, other)
            if score > best_score:
                best, best_score = pk, score
        if best is None:
            return Match(None, "")
        kind, value = reasons[best]
        reason = (
            _("same postal code %(code)s") % {"code": value}
            if kind == "postal_code"
            else _("same phone number")
        )
        return Match(best, "probable", best_score, reason)

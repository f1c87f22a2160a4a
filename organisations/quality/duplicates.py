"""Probable duplicates: two records that are probably the same organisation.

A pair needs a similar name (after :func:`.names.name_key`: accents, case, "St"/"Saint",
"Ctr"/"Centre", small words folded away) AND a contact detail in common: a public email, a
website or email domain, a postal code or a phone number. Neither is enough alone: a shared
phone is a switchboard as often as a duplicate (and the demo data's fictional 555-01xx numbers
are shared by hundreds of records), and many different organisations are called "Maison des
jeunes" something.

Comparing every record with every other is 1.8 billion pairs at 60,000 records. Records are
compared only within a *block*: the records with the same postal code, phone, email or domain
(at most :data:`BLOCK_MAX` of them), or with the same rare word in their names (at most
:data:`WORD_BLOCK_MAX`). A larger block is not compared within: a number shared by 30 records is a
switchboard (a CLSC, 211 itself; each of the demo's 555-01xx numbers is shared by 100 to 320 of
60,000 records), a postal code shared by 30 a big building. Such a *common* detail is weak
evidence, counted only for names that are all but the same; the pairs it holds are found
through the rare words of their names.

:func:`duplicates_refresh` (run by ``quality_run``) stores what is found: new pairs open, open
pairs that no longer qualify dropped, and a pair a curator said is not a duplicate never comes
back. What a curator decides about a pair is ``merge.py``.
"""

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from urllib.parse import urlsplit

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rapidfuzz import fuzz

from ..models import (
    DuplicatePair,
    Location,
    Organisation,
    Phone,
    format_postal_code,
)
from ..phones import format_phone_national
from .names import likeness, name_key

# Records sharing one detail, compared within; a detail shared by more is common (see above).
BLOCK_MAX = 25
# How alike two names must be. "Centre d'entraide de Laval" and "... de Longueuil" score 80;
# rewritings of one name (accents, abbreviations, word order, "Inc.") score 95 and more.
NAME_MIN = 86
# How alike two names must be for a common detail to count.
SAME_NAME = 95
COMMON_WEIGHT = 0.5  # what a common detail weighs, relative to one shared by few records
# What each kind of shared detail adds to the name's likeness in the score (0-100): an email is
# nearly an identity, a phone number is often a switchboard.
WEIGHTS = {"email": 1.0, "domain": 0.8, "postal_code": 0.5, "phone": 0.5}
# Two words at least this alike (rapidfuzz ratio) are one word spelt differently.
SAME_WORD = 85
# The most two names with a different distinctive word each can score: below NAME_MIN.
DIFFERENT_WORDS = 60
NAME_SHARE = 0.8  # the score is 80% name likeness, 20% evidence
# Word blocks: words of at least this many letters, in at most WORD_BLOCK_MAX names (a proper
# name, an uncommon word).
WORD_MIN_LENGTH = 3
WORD_BLOCK_MAX = 10

# Hosts of many organisations' pages: the host says nothing, the first part of the path does
# (facebook.com/cejsj). Free mail providers: the domain of a gmail address says nothing.
SHARED_HOSTS = {
    "facebook.com", "fb.com", "m.facebook.com", "instagram.com", "linkedin.com", "twitter.com",
    "x.com", "youtube.com", "tiktok.com", "linktr.ee", "sites.google.com", "google.com",
    "goo.gl", "bit.ly", "wix.com", "wixsite.com", "weebly.com", "wordpress.com", "blogspot.com",
    "canva.site", "square.site", "eventbrite.ca", "eventbrite.com", "montreal.ca",
    "ville.montreal.qc.ca", "quebec.ca", "gouv.qc.ca", "canada.ca", "211qc.ca",
}  # fmt: skip
MAIL_PROVIDERS = {
    "gmail.com", "googlemail.com", "hotmail.com", "hotmail.ca", "outlook.com", "live.com",
    "live.ca", "msn.com", "yahoo.com", "yahoo.ca", "yahoo.fr", "icloud.com", "me.com", "aol.com",
    "videotron.ca", "videotron.qc.ca", "bell.net", "sympatico.ca", "globetrotter.net",
    "cgocable.ca", "cogeco.ca", "rogers.com", "protonmail.com", "proton.me", "outlook.fr",
}  # fmt: skip


# --- Finding --------------------------------------------------------------------------------------


@dataclass
class Candidate:
    """A pair worth a curator's look: ``first`` < ``second``, a score 0-100 and why."""

    first: int
    second: int
    score: int
    reasons: list[dict]


@dataclass
class Found:
    pairs: list[Candidate] = field(default_factory=list)
    records: int = 0
    compared: int = 0  # pairs whose details were compared (the blocks' pairs, without repeats)
    seconds: float = 0.0


@dataclass
class _Record:
    pk: int
    names: tuple[str, ...]  # name keys: the name, the alternate name if it is more than a word
    details: set[tuple[str, str]] = field(default_factory=set)


def website_key(url: str) -> str:
    """The part of a website address that tells whose it is: its host without "www.", or for a
    host of many organisations' pages (facebook.com) the host and the first part of the path."""
    url = (url or "").strip().lower()
    if not url:
        return ""
    parts = urlsplit(url if "//" in url else f"//{url}")
    host = (parts.hostname or "").removeprefix("www.")
    if not host:
        return ""
    labels = host.split(".")
    if any(".".join(labels[i:]) in SHARED_HOSTS for i in range(len(labels) - 1)):
        first = next((p for p in parts.path.split("/") if p), "")
        return f"{host}/{first}" if first else ""
    return host


def email_domain(email: str) -> str:
    domain = (email or "").strip().lower().rpartition("@")[2]
    return "" if domain in MAIL_PROVIDERS else domain


def _details(email: str, website: str) -> set[tuple[str, str]]:
    details = set()
    email = (email or "").strip().lower()
    if email:
        details.add(("email", email))
    for domain in (email_domain(email), website_key(website)):
        if domain:
            details.add(("domain", domain))
    return details


def _records() -> dict[int, _Record]:
    """Every record that is not archived, with its name keys and its contact details: three
    queries of a few columns."""
    organisations = Organisation.objects.exclude(status=Organisation.Status.CLOSED)
    records = {}
    keys: dict[str, str] = {}  # names repeat ("Popote roulante de Montréal")
    for pk, name, alternate, email, website in organisations.values_list(
        "pk", "name", "alternate_name", "email", "website"
    ):
        for text in (name, alternate):
            if text not in keys:
                keys[text] = name_key(text)
        names = [keys[name]]
        other = keys[alternate]
        if " " in other and other not in names:  # an acronym is no name to compare
            names.append(other)
        records[pk] = _Record(pk, tuple(n for n in names if n), _details(email, website))
    for pk, code in Location.objects.exclude(postal_code="").values_list(
        "organisation_id", "postal_code"
    ):
        if pk in records:
            records[pk].details.add(("postal_code", "".join(code.split()).upper()))
    for pk, number in Phone.objects.values_list("organisation_id", "number"):
        if pk in records and number:
            records[pk].details.add(("phone", number))
    return records


def _blocks(records: dict[int, _Record]) -> dict[tuple[str, str], list[int]]:
    blocks = defaultdict(list)
    for record in records.values():
        for detail in record.details:
            blocks[detail].append(record.pk)
        words = {w for n in record.names for w in n.split() if len(w) >= WORD_MIN_LENGTH}
        for word in words:
            blocks[("word", word)].append(record.pk)
    return blocks


def _different_words(a: str, b: str) -> bool:
    """Whether each name has a word the other lacks (a word spelt a little differently, a typo
    or a plural, is the same word)."""
    only_a = Counter(a.split()) - Counter(b.split())
    only_b = Counter(b.split()) - Counter(a.split())
    for word in sorted(only_a.elements()):
        near = next((w for w in sorted(only_b) if fuzz.ratio(word, w) >= SAME_WORD), None)
        if near is None:
            return True
        only_b[near] -= 1
        only_b = +only_b
    return False


def name_likeness(a: str, b: str) -> int:
    """0-100: how alike two name keys are as names of one organisation. :func:`.names.likeness`,
    except that two names each with a word the other lacks ("... de Laval" and "... de LaSalle",
    "... Le Carrefour" and "... La Clé") name two organisations: many organisations share all
    but the word that tells them apart. One name inside the other ("Banque alimentaire de
    Brossard", "Banque alimentaire Le Nid de Brossard") may well be one organisation."""
    score = likeness(a, b)
    if score >= NAME_MIN and _different_words(a, b):
        return min(score, DIFFERENT_WORDS)
    return score


def _likeness(a: _Record, b: _Record) -> int:
    return max((name_likeness(x, y) for x in a.names for y in b.names), default=0)


def duplicates_find() -> Found:
    """The pairs of records (archived ones aside) that are probably the same organisation,
    best first."""
    started = time.perf_counter()
    records = _records()
    blocks = _blocks(records)
    counts = {key: len(members) for key, members in blocks.items()}
    pairs: set[tuple[int, int]] = set()
    for (kind, _value), members in blocks.items():
        if 1 < len(members) <= (WORD_BLOCK_MAX if kind == "word" else BLOCK_MAX):
            pairs.update(combinations(sorted(members), 2))
    found = Found(records=len(records), compared=len(pairs))
    for first, second in pairs:
        a, b = records[first], records[second]
        shared = sorted(a.details & b.details)
        if not shared:
            continue
        name_score = _likeness(a, b)
        if name_score < NAME_MIN:
            continue
        if name_score < SAME_NAME and all(counts[d] > BLOCK_MAX for d in shared):
            continue
        reasons = [{"kind": "name", "likeness": name_score}]
        strength = 0.0
        for kind, value in shared:
            reason = {"kind": kind, "value": value}
            weight = WEIGHTS[kind]
            if counts[(kind, value)] > BLOCK_MAX:
                reason["shared_by"] = counts[(kind, value)]
                weight *= COMMON_WEIGHT
            reasons.append(reason)
            strength += weight
        score = round(NAME_SHARE * name_score + (1 - NAME_SHARE) * 100 * min(1.0, strength))
        found.pairs.append(Candidate(first, second, min(score, 100), reasons))
    found.pairs.sort(key=lambda c: (-c.score, c.first, c.second))
    found.seconds = round(time.perf_counter() - started, 2)
    return found


# --- Storing --------------------------------------------------------------------------------------

_CHUNK = 900  # ids per IN (...) query: under every database's parameter limit


def duplicates_refresh() -> int:
    """Find the pairs again and store them: new pairs are opened, open pairs are brought up to
    date and dropped when they no longer qualify (a record corrected or archived), and a pair
    already decided (not a duplicate, merged) stays as it was decided. Returns how many pairs
    are open."""
    found = duplicates_find()
    now = timezone.now()
    existing = {
        (first, second): (pk, status, score, reasons)
        for pk, first, second, status, score, reasons in DuplicatePair.objects.values_list(
            "pk", "first_id", "second_id", "status", "score", "reasons"
        )
    }
    new, changed, still_open = [], [], set()
    for candidate in found.pairs:
        row = existing.get((candidate.first, candidate.second))
        if row is None:
            new.append(
                DuplicatePair(
                    first_id=candidate.first,
                    second_id=candidate.second,
                    score=candidate.score,
                    reasons=candidate.reasons,
                    found_at=now,
                )
            )
        elif row[1] == DuplicatePair.Status.OPEN:
            still_open.add(row[0])
            if (row[2], row[3]) != (candidate.score, candidate.reasons):
                changed.append(
                    DuplicatePair(pk=row[0], score=candidate.score, reasons=candidate.reasons)
                )
    gone = [
        pk
        for pk, status, _score, _reasons in existing.values()
        if status == DuplicatePair.Status.OPEN and pk not in still_open
    ]
    with transaction.atomic():
        for start in range(0, len(gone), _CHUNK):
            DuplicatePair.objects.filter(pk__in=gone[start : start + _CHUNK]).delete()
        # ignore_conflicts: a pair a curator's merge or another refresh stored meanwhile stays.
        DuplicatePair.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
        DuplicatePair.objects.bulk_update(changed, ["score", "reasons"], batch_size=500)
    return DuplicatePair.objects.filter(status=DuplicatePair.Status.OPEN).count()


# --- Reading --------------------------------------------------------------------------------------


def duplicates_open():
    """The open pairs, best first, with both records."""
    return (
        DuplicatePair.objects.filter(status=DuplicatePair.Status.OPEN)
        .select_related("first", "second")
        .order_by("-score", "first_id", "second_id")
    )


def duplicates_for(organisation_id: int) -> list[DuplicatePair]:
    """The open pairs this record is in (the record's quality panel), best first: one query."""
    return list(
        duplicates_open().filter(
            models.Q(first_id=organisation_id) | models.Q(second_id=organisation_id)
        )
    )


def reason_text(reason: dict) -> str:
    """One reason of a pair, in words, in the reader's language."""
    text = _reason_text(reason)
    if reason.get("shared_by"):
        text = ngettext(
            "%(reason)s (shared by %(count)d record)",
            "%(reason)s (shared by %(count)d records)",
            reason["shared_by"],
        ) % {
            "reason": text,
            "count": reason["shared_by"],
        }
    return text


def _reason_text(reason: dict) -> str:
    kind, value = reason.get("kind"), reason.get("value", "")
    if kind == "name":
        return _("similar names (%(likeness)d%% alike)") % {"likeness": reason.get("likeness", 0)}
    if kind == "email":
        return _("same email %(email)s") % {"email": value}
    if kind == "domain":
        return _("same website or email domain %(domain)s") % {"domain": value}
    if kind == "postal_code":
        return _("same postal code %(code)s") % {"code": format_postal_code(value)}
    if kind == "phone":
        return _("same phone number %(number)s") % {"number": format_phone_national(value)}
    return str(value)


def with_details(pairs) -> list[DuplicatePair]:
    """The pairs with each record's places (and municipality) and phones attached as
    ``place_list`` and ``phone_list``: two queries for a whole page of pairs."""
    pairs = list(pairs)
    organisations = {o.pk: o for p in pairs for o in (p.first, p.second)}
    places, phones = defaultdict(list), defaultdict(list)
    for location in (
        Location.objects.filter(organisation_id__in=organisations)
        .select_related("municipality")
        .order_by("sort_order", "pk")
    ):
        places[location.organisation_id].append(location)
    for phone in Phone.objects.filter(organisation_id__in=organisations).order_by(
        "sort_order", "pk"
    ):
        phones[phone.organisation_id].append(phone)
    for pk, organisation in organisations.items():
        organisation.place_list = places[pk]
        organisation.phone_list = phones[pk]
    for pair in pairs:
        pair.reason_texts = [reason_text(r) for r in pair.reasons]
    return pairs

"""Bringing in past requests: the export of the 211's call system, one row per need expressed.

The layout (docs/requests-import.md): columns found by their header, in French or English, in
any order: date, channel, language, territory, need, outcome, reason (when unmet), and optionally
age band and request (rows with the same request number are one communication with several
needs; without it each row is a communication of its own). Values are matched as people write
them, accents, case and punctuation aside: codes or names of the needs and territories (exact
names only: a file is not typed in a hurry, and a guess would go unnoticed), the words of each
choice in both languages.

Like partner imports (pretix's CSV import): every row is checked first, each problem reported
with its row in words (« ligne 12 : besoin « xyz » inconnu »); one problem refuses the whole file
and nothing is written; a dry run writes nothing either. Otherwise everything is written in one
transaction: the requests and needs in bulk, their monthly counts, and one audit entry for the
file (``RequestImport``, whose digest stops the same file from being counted twice).
"""

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import reversion
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisations.audit import audited
from organisations.lib.text import fold
from organisations.models import AuditSource
from organisations.search import Reference, reference

from .counts import Tally, counts_apply
from .matching import need_match, place_match
from .models import (
    AgeBand,
    Channel,
    Language,
    Need,
    Outcome,
    Reason,
    Request,
    RequestImport,
    Source,
)
from .sheets import FileRefused, read_rows

MAX_ERRORS_SHOWN = 100
EARLIEST = date(2000, 1, 1)
BATCH = 2_000


class Invalid(Exception):
    """A value of a row that cannot be taken; the message says what is wrong with it."""


def _words(choices, extra: dict[str, list[str]]) -> dict[str, str]:
    """{folded words: code} from a choice's code, its label in French and English, and
    ``extra`` words."""
    found: dict[str, str] = {}
    for code, label in choices:
        found[fold(code)] = code
        for language in ("fr", "en"):
            with translation.override(language):
                found[fold(str(label))] = code
    for code, words in extra.items():
        for word in words:
            found[fold(word)] = code
    return found


_CHANNEL_WORDS = {
    Channel.PHONE: ["téléphone", "tel", "tél", "appel", "call", "voice", "ligne 211"],
    Channel.EMAIL: ["courriel", "e-mail", "mail", "courrier électronique"],
    Channel.CHAT: ["clavardage", "texto", "sms", "messagerie", "text"],
    Channel.WALK_IN: ["en personne", "sur place", "visite", "in person", "comptoir"],
}
_LANGUAGE_WORDS = {
    "fr": ["français", "francais", "french", "fra", "fre"],
    "en": ["anglais", "english", "eng"],
    "es": ["espagnol", "español", "spanish"],
    "ar": ["arabe", "arabic"],
    "ht": ["créole", "creole", "créole haïtien", "kreyòl"],
    "zh": ["chinois", "mandarin", "cantonais", "cantonese"],
    "pt": ["portugais", "português"],
    "fa": ["persan", "farsi", "dari"],
    "vi": ["vietnamien"],
    "ru": ["russe"],
    "uk": ["ukrainien"],
    "ta": ["tamoul"],
    "pa": ["pendjabi", "panjabi"],
    "tl": ["filipino", "tagalog"],
    "it": ["italien", "italiano"],
    "lsq": ["langue des signes", "langue des signes québécoise", "sign language"],
    Language.OTHER: ["autre", "autre langue", "other"],
}
_OUTCOME_WORDS = {
    Outcome.REFERRED: ["orienté", "orientée", "orientation", "référé", "référence", "referral"],
    Outcome.INFORMATION: ["info", "information seulement", "renseignement", "renseignements"],
    Outcome.UNMET: [
        "non répondu",
        "besoin non répondu",
        "non comblé",
        "besoin non comblé",
        "unmet need",
        "non satisfait",
    ],
}
_REASON_WORDS = {
    Reason.NOT_IN_TERRITORY: [
        "territoire",
        "non disponible dans le territoire",
        "pas offert dans le territoire",
        "hors territoire",
    ],
    Reason.ELIGIBILITY: ["admissibilité", "critères d'admissibilité", "non admissible"],
    Reason.COST: ["coût", "coût trop élevé", "trop cher", "coûts"],
    Reason.SCHEDULE: ["horaire", "horaire inadéquat", "horaires"],
    Reason.WAITING_LIST: ["liste d'attente", "liste d'attente pleine", "waiting list"],
    Reason.LANGUAGE: ["langue", "barrière linguistique", "barrière de langue"],
    Reason.TRANSPORT: ["transport", "pas de transport", "absence de transport"],
}
_AGE_WORDS = {
    "0-17": ["moins de 18", "moins de 18 ans", "under 18", "0 a 17", "enfant"],
    "18-29": ["18 a 29", "18 to 29"],
    "30-44": ["30 a 44", "30 to 44"],
    "45-64": ["45 a 64", "45 to 64"],
    "65-74": ["65 a 74", "65 to 74"],
    "75+": ["75 et plus", "75 and over", "75 ans et plus"],
}


@dataclass(frozen=True)
class Column:
    """A column of the layout: its key, its name in messages, the headers it is found by."""

    key: str
    name: object  # lazy text
    headers: tuple[str, ...]
    required: bool = True

    def clean(self, value, known: Reference):
        raise NotImplementedError

    def text(self, value) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return " ".join(str(value).split())


class DateColumn(Column):
    def clean(self, value, known):
        if isinstance(value, datetime):
            day = value.date()
        elif isinstance(value, date):
            day = value
        else:
            day = _parse_date(self.text(value))
            if day is None:
                raise Invalid(
                    _("date « %(value)s » not understood (write it 2024-03-15)")
                    % {"value": self.text(value)}
                )
        if day > timezone.localdate():
            raise Invalid(_("date %(value)s is in the future") % {"value": day.isoformat()})
        if day < EARLIEST:
            raise Invalid(_("date %(value)s is before 2000") % {"value": day.isoformat()})
        return day


def _parse_date(text: str) -> date | None:
    text = text.strip().split(" ")[0].split("T")[0]
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class ChoiceColumn(Column):
    words: dict = field(default_factory=dict)
    unknown: object = ""  # the message for a value not in the list (lazy text)
    fallback: str = ""  # what a value not in the list becomes, instead of an error

    def clean(self, value, known):
        text = self.text(value)
        code = self.words.get(fold(text))
        if code is not None:
            return code
        if self.fallback:
            return self.fallback
        raise Invalid(str(self.unknown) % {"value": text})


class TerritoryColumn(Column):
    def clean(self, value, known):
        text = self.text(value)
        found = place_match(text, known, strict=True)
        if found.outside:
            return None
        if found.territory is None and found.postal_code:
            raise Invalid(
                _("territory « %(value)s »: no place of the directory has this postal code")
                % {"value": text}
            )
        if found.territory is None:
            raise Invalid(_("territory « %(value)s » unknown") % {"value": text})
        return found.territory.pk


class NeedColumn(Column):
    def clean(self, value, known):
        text = self.text(value)
        found = need_match(text, known, strict=True)
        if found.category is None:
            raise Invalid(_("need « %(value)s » unknown") % {"value": text})
        return found.category.pk


class TextColumn(Column):
    def clean(self, value, known):
        return self.text(value)


def _headers(*names: str) -> tuple[str, ...]:
    return tuple(fold(name) for name in names)


def columns() -> list[Column]:
    """The layout, in the order docs/requests-import.md lists it."""
    return [
        DateColumn(
            "date", gettext_lazy("date"), _headers("date", "date de l'appel", "jour", "day")
        ),
        ChoiceColumn(
            "channel",
            gettext_lazy("channel"),
            _headers("canal", "channel", "moyen", "mode"),
            words=_words(Channel.choices, _CHANNEL_WORDS),
            unknown=gettext_lazy("channel « %(value)s » unknown (phone, email, chat or walk-in)"),
        ),
        ChoiceColumn(
            "language",
            gettext_lazy("language"),
            _headers("langue", "language", "langue de service", "language of service"),
            words=_words(Language.CHOICES, _LANGUAGE_WORDS),
            fallback=Language.OTHER,
        ),
        TerritoryColumn(
            "territory",
            gettext_lazy("territory"),
            _headers("territoire", "territory", "municipalité", "arrondissement", "lieu"),
        ),
        NeedColumn(
            "need",
            gettext_lazy("need"),
            _headers("besoin", "need", "besoin exprimé", "need expressed", "catégorie"),
        ),
        ChoiceColumn(
            "outcome",
            gettext_lazy("outcome"),
            _headers("résultat", "outcome", "result", "issue", "suite"),
            words=_words(Outcome.choices, _OUTCOME_WORDS),
            unknown=gettext_lazy(
                "outcome « %(value)s » unknown (referred, information only or unmet)"
            ),
        ),
        ChoiceColumn(
            "reason",
            gettext_lazy("reason"),
            _headers("raison", "reason", "motif", "raison non répondu", "reason unmet"),
            required=False,
            words=_words(Reason.choices, _REASON_WORDS),
            unknown=gettext_lazy("reason « %(value)s » unknown"),
        ),
        ChoiceColumn(
            "age_band",
            gettext_lazy("age band"),
            _headers("tranche d'âge", "age band", "âge", "age", "groupe d'âge", "age group"),
            required=False,
            words=_words(AgeBand.choices, _AGE_WORDS),
            unknown=gettext_lazy("age band « %(value)s » unknown"),
        ),
        TextColumn(
            "request",
            gettext_lazy("request"),
            _headers("demande", "request", "numéro de demande", "no demande", "request id", "id"),
            required=False,
        ),
    ]


# --- Checking ---------------------------------------------------------------------------------


@dataclass
class ParsedRequest:
    first_row: int
    received_on: date
    channel: str
    language: str
    territory_id: int | None
    age_band: str
    needs: list[tuple[int, str, str]] = field(default_factory=list)  # (need, outcome, reason)


@dataclass
class Checked:
    """What a file holds, or why it is refused (``errors``; ``refused`` for the file as a
    whole)."""

    file_name: str
    sha256: str = ""
    requests: list[ParsedRequest] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    refused: str = ""
    notes: list[str] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    imported: RequestImport | None = None

    @property
    def ok(self) -> bool:
        return not self.refused and not self.error_count

    @property
    def needs(self) -> int:
        return sum(len(r.needs) for r in self.requests)

    @property
    def first_day(self) -> date | None:
        return min((r.received_on for r in self.requests), default=None)

    @property
    def last_day(self) -> date | None:
        return max((r.received_on for r in self.requests), default=None)

    def error(self, row: int, problem: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_SHOWN:
            self.errors.append(_("line %(row)s: %(problem)s") % {"row": row, "problem": problem})


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _header_map(header: list, layout: list[Column]) -> tuple[dict[str, int], list[str]]:
    """({column key: position}, the headers nobody reads)."""
    found: dict[str, int] = {}
    ignored = []
    for position, value in enumerate(header):
        title = fold(str(value or ""))
        column = next((c for c in layout if title in c.headers), None)
        if column is not None and column.key not in found:
            found[column.key] = position
        elif title:
            ignored.append(str(value).strip())
    return found, ignored


_SAME = ("received_on", "channel", "language", "territory_id", "age_band")


def requests_check(path: str | Path) -> Checked:
    """Read and check every row of the file at ``path``; writes nothing."""
    path = Path(path)
    checked = Checked(file_name=path.name)
    try:
        checked.sha256 = _digest(path)
        rows = read_rows(path)
        _check_rows(rows, checked)
    except FileRefused as refused:
        checked.refused = str(refused)
        return checked
    earlier = RequestImport.objects.filter(sha256=checked.sha256).first()
    if earlier is not None:
        checked.refused = _(
            "This file was already imported on %(date)s (%(count)s requests): importing it "
            "again would count its requests twice. Nothing was imported."
        ) % {
            "date": timezone.localtime(earlier.imported_at).date().isoformat(),
            "count": earlier.requests,
        }
    return checked


def _check_rows(rows, checked: Checked) -> None:
    layout = columns()
    known = reference()
    header_row, header = next(((n, v) for n, v in rows if any(_filled(x) for x in v)), (0, []))
    if not header_row:
        raise FileRefused(_("The file is empty: it has no header row. Nothing was imported."))
    positions, ignored = _header_map(header, layout)
    missing = [c for c in layout if c.required and c.key not in positions]
    if missing:
        raise FileRefused(
            _(
                "Columns missing: %(missing)s. The first row must name the columns (see "
                "docs/requests-import.md); this one has: %(found)s. Nothing was imported."
            )
            % {
                "missing": ", ".join(f"« {c.name} »" for c in missing),
                "found": ", ".join(f"« {str(v).strip()} »" for v in header if _filled(v)) or "—",
            }
        )
    if ignored:
        checked.notes.append(
            _("Columns not read: %(columns)s.")
            % {"columns": ", ".join(f"« {c} »" for c in ignored)}
        )
    grouped: dict[str, ParsedRequest] = {}
    others = 0
    for number, values in rows:
        if not any(_filled(v) for v in values):
            continue
        parsed, problems = _row(values, positions, layout, known)
        for problem in problems:
            checked.error(number, problem)
        if problems:
            continue
        if parsed["language"] == Language.OTHER:
            others += 1
        key = parsed["request"]
        need = (parsed["need"], parsed["outcome"], parsed["reason"])
        request = grouped.get(key) if key else None
        if request is None:
            request = ParsedRequest(
                first_row=number,
                received_on=parsed["date"],
                channel=parsed["channel"],
                language=parsed["language"],
                territory_id=parsed["territory"],
                age_band=parsed["age_band"],
            )
            checked.requests.append(request)
            if key:
                grouped[key] = request
        else:
            same = (
                parsed["date"],
                parsed["channel"],
                parsed["language"],
                parsed["territory"],
                parsed["age_band"],
            )
            if same != tuple(getattr(request, name) for name in _SAME):
                checked.error(
                    number,
                    _(
                        "request %(request)s has another date, channel, language, territory "
                        "or age band than on line %(first)s"
                    )
                    % {"request": key, "first": request.first_row},
                )
                continue
        request.needs.append(need)
        checked.outcomes[parsed["outcome"]] += 1
    if others:
        checked.notes.append(
            _("%(count)s rows in a language not in the list are counted as « other language ».")
            % {"count": others}
        )
    if not checked.requests and not checked.error_count:
        raise FileRefused(_("The file has a header but no rows. Nothing was imported."))


def _filled(value) -> bool:
    return value is not None and str(value).strip() != ""


def _row(values: list, positions: dict[str, int], layout: list[Column], known) -> tuple[dict, list]:
    parsed: dict = {}
    problems: list[str] = []
    for column in layout:
        position = positions.get(column.key)
        value = values[position] if position is not None and position < len(values) else None
        if not _filled(value):
            parsed[column.key] = "" if column.key != "territory" else None
            if column.required:
                problems.append(_("%(column)s missing") % {"column": column.name})
            continue
        try:
            parsed[column.key] = column.clean(value, known)
        except Invalid as invalid:
            problems.append(str(invalid))
    if "outcome" not in parsed or "reason" not in parsed:
        return parsed, problems
    if parsed["outcome"] == Outcome.UNMET and not parsed["reason"]:
        problems.append(_("an unmet need needs its reason (one of the seven)"))
    elif parsed["outcome"] != Outcome.UNMET and parsed["reason"]:
        problems.append(_("a reason is given but the need is not unmet"))
    return parsed, problems


# --- Writing ----------------------------------------------------------------------------------


def requests_import(path: str | Path, *, user=None, imported_by: str = "", dry_run: bool = False):
    """Check the file, then write it unless it is refused or ``dry_run``: all or nothing.
    Returns the ``Checked`` file (``imported`` is the new ``RequestImport`` when written)."""
    checked = requests_check(path)
    if checked.ok and not dry_run:
        checked.imported = _write(checked, user=user, imported_by=imported_by)
    return checked


@transaction.atomic
def _write(checked: Checked, *, user, imported_by: str) -> RequestImport:
    with audited(
        comment=_("Requests imported from %(file)s") % {"file": checked.file_name},
        source=AuditSource.Source.IMPORT,
        user=user,
        reference=checked.file_name,
    ):
        batch = RequestImport.objects.create(
            file_name=checked.file_name[:255],
            sha256=checked.sha256,
            imported_by=imported_by[:150],
            requests=len(checked.requests),
            needs=checked.needs,
            first_day=checked.first_day,
            last_day=checked.last_day,
        )
        reversion.add_to_revision(batch)
        places = reference().places
        tally = Tally()
        now = timezone.now()
        for start in range(0, len(checked.requests), BATCH):
            parsed = checked.requests[start : start + BATCH]
            rows = Request.objects.bulk_create(
                [
                    Request(
                        received_on=p.received_on,
                        channel=p.channel,
                        language=p.language,
                        territory_id=p.territory_id,
                        age_band=p.age_band,
                        source=Source.IMPORTED,
                        import_batch=batch,
                        created_at=now,
                        updated_at=now,
                    )
                    for p in parsed
                ]
            )
            Need.objects.bulk_create(
                [
                    Need(
                        request=row,
                        position=position,
                        category_id=category_id,
                        outcome=outcome,
                        reason=reason,
                    )
                    for row, p in zip(rows, parsed, strict=True)
                    for position, (category_id, outcome, reason) in enumerate(p.needs)
                ]
            )
            for p in parsed:
                tally.add(
                    received_on=p.received_on,
                    territory_id=p.territory_id,
                    channel=p.channel,
                    language=p.language,
                    age_band=p.age_band,
                    needs=p.needs,
                    places=places,
                )
        counts_apply(tally)
    return batch

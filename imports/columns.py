"""The fields a partner's column can feed, and how each cell becomes a value of ours.

Declarative, as pretix's importers are: each ``Target`` says which part of the record it fills
(the organisation, one service, one location, one phone), which of our fields, what kind of
value it takes, and which header names suggest it in French or English. Cleaning a cell gives
the value as a Wagtail revision stores it (text, ids, ISO dates) or raises ``CellProblem`` with
a sentence for the curator; each kind of value has its own small cleaner (``CLEANERS``).

The default layout (``EXPORT_KEYS``) is the one ``export_records`` writes and the ``default``
profile reads back; docs/imports.md documents it.
"""

import datetime
import re
import uuid as uuid_module
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rapidfuzz import process

from organisations.lib.formulas import FORMULA_PREFIXES
from organisations.lib.text import fold
from organisations.models import (
    Category,
    Location,
    Organisation,
    Phone,
    Service,
    Territory,
    format_postal_code,
    postal_code_validator,
)
from organisations.phones import normalise_phone

from .cells import CellError, FormulaWithoutValue, OverlongCell


class CellProblem(Exception):
    """What is wrong with one cell, in words a curator understands."""


@dataclass(frozen=True)
class Target:
    key: str
    part: str  # key, organisation, service, location, phone, fax, toll_free, ignored
    field: str  # the field of the part's model ("" for keys)
    kind: str
    label: Promise
    headers: tuple[str, ...] = ()  # folded header names that suggest this target
    max_length: int | None = None


def _t(key, part, field, kind, label, *headers, model=None):
    max_length = model._meta.get_field(field).max_length if model and field else None
    return Target(key, part, field, kind, label, tuple(fold(h) for h in headers), max_length)


ORG, S, L, P = Organisation, Service, Location, Phone

TARGETS = [
    _t(
        "partner_id",
        "key",
        "",
        "identifier",
        gettext_lazy("Partner's id"),
        "id",
        "identifiant",
        "no",
        "numero",
        "numéro de dossier",
        "code",
        "partner id",
        "id partenaire",
    ),
    _t("uuid", "key", "", "uuid", gettext_lazy("Répertoire UUID"), "uuid", "organisation uuid"),
    _t(
        "name",
        "organisation",
        "name",
        "text",
        gettext_lazy("Name"),
        "nom",
        "nom de l'organisme",
        "organisme",
        "nom de l'organisation",
        "name",
        "organisation",
        "organization",
        "organization name",
        model=ORG,
    ),
    _t(
        "alternate_name",
        "organisation",
        "alternate_name",
        "text",
        gettext_lazy("Alternate name"),
        "sigle",
        "acronyme",
        "autre nom",
        "alternate name",
        "acronym",
        model=ORG,
    ),
    _t(
        "description_fr",
        "organisation",
        "description_fr",
        "longtext",
        gettext_lazy("Description (French)"),
        "description",
        "mission",
        "description fr",
        "description francais",
        model=ORG,
    ),
    _t(
        "description_en",
        "organisation",
        "description_en",
        "longtext",
        gettext_lazy("Description (English)"),
        "description en",
        "description anglais",
        "description english",
        "english description",
        model=ORG,
    ),
    _t(
        "email",
        "organisation",
        "email",
        "email",
        gettext_lazy("Public email"),
        "courriel",
        "adresse courriel",
        "email",
        "e-mail",
        "courriel general",
        model=ORG,
    ),
    _t(
        "website",
        "organisation",
        "website",
        "url",
        gettext_lazy("Website"),
        "site web",
        "site internet",
        "site",
        "web",
        "website",
        "url",
        model=ORG,
    ),
    _t(
        "legal_status",
        "organisation",
        "legal_status",
        "choice",
        gettext_lazy("Legal status"),
        "statut juridique",
        "forme juridique",
        "legal status",
        model=ORG,
    ),
    _t(
        "enterprise_number",
        "organisation",
        "enterprise_number",
        "neq",
        gettext_lazy("Québec enterprise number (NEQ)"),
        "neq",
        "numero d'entreprise",
        "numero d'entreprise du quebec",
        model=ORG,
    ),
    _t(
        "charity_number",
        "organisation",
        "charity_number",
        "charity",
        gettext_lazy("Charity registration number"),
        "numero d'organisme de bienfaisance",
        "charity number",
        "no de bienfaisance",
        model=ORG,
    ),
    _t(
        "preferred_language",
        "organisation",
        "preferred_language",
        "choice",
        gettext_lazy("Preferred language"),
        "langue",
        "langue de correspondance",
        "preferred language",
        "language",
        model=ORG,
    ),
    _t(
        "update_contact_name",
        "organisation",
        "update_contact_name",
        "text",
        gettext_lazy("Contact for updating: name"),
        "responsable",
        "personne ressource",
        "contact",
        "nom du contact",
        "contact name",
        model=ORG,
    ),
    _t(
        "update_contact_email",
        "organisation",
        "update_contact_email",
        "email",
        gettext_lazy("Contact for updating: email"),
        "courriel du contact",
        "courriel responsable",
        "contact email",
        model=ORG,
    ),
    _t(
        "update_contact_phone",
        "organisation",
        "update_contact_phone",
        "text",
        gettext_lazy("Contact for updating: phone"),
        "telephone du contact",
        "contact phone",
        model=ORG,
    ),
    _t("service_uuid", "service", "uuid", "uuid", gettext_lazy("Service UUID"), "service uuid"),
    _t(
        "service_name_fr",
        "service",
        "name_fr",
        "text",
        gettext_lazy("Service name (French)"),
        "service",
        "nom du service",
        "programme",
        "service name",
        model=S,
    ),
    _t(
        "service_name_en",
        "service",
        "name_en",
        "text",
        gettext_lazy("Service name (English)"),
        "nom du service anglais",
        "service name english",
        model=S,
    ),
    _t(
        "service_description_fr",
        "service",
        "description_fr",
        "longtext",
        gettext_lazy("Service description (French)"),
        "description du service",
        "service description",
        model=S,
    ),
    _t(
        "service_description_en",
        "service",
        "description_en",
        "longtext",
        gettext_lazy("Service description (English)"),
        "description du service anglais",
        "service description english",
        model=S,
    ),
    _t(
        "eligibility_fr",
        "service",
        "eligibility_fr",
        "longtext",
        gettext_lazy("Eligibility (French)"),
        "clientele",
        "admissibilite",
        "criteres d'admissibilite",
        "eligibility",
        model=S,
    ),
    _t(
        "eligibility_en",
        "service",
        "eligibility_en",
        "longtext",
        gettext_lazy("Eligibility (English)"),
        "eligibility english",
        model=S,
    ),
    _t(
        "fees_fr",
        "service",
        "fees_fr",
        "longtext",
        gettext_lazy("Fees (French)"),
        "frais",
        "couts",
        "cout",
        "tarif",
        "fees",
        model=S,
    ),
    _t(
        "fees_en",
        "service",
        "fees_en",
        "longtext",
        gettext_lazy("Fees (English)"),
        "fees english",
        model=S,
    ),
    _t(
        "application_process_fr",
        "service",
        "application_process_fr",
        "longtext",
        gettext_lazy("How to apply (French)"),
        "inscription",
        "comment s'inscrire",
        "demarche",
        "how to apply",
        model=S,
    ),
    _t(
        "application_process_en",
        "service",
        "application_process_en",
        "longtext",
        gettext_lazy("How to apply (English)"),
        "how to apply english",
        model=S,
    ),
    _t(
        "service_languages",
        "service",
        "languages",
        "languages",
        gettext_lazy("Languages offered"),
        "langues",
        "langues parlees",
        "langues offertes",
        "languages",
        "languages spoken",
        model=S,
    ),
    _t(
        "service_status",
        "service",
        "status",
        "choice",
        gettext_lazy("Service status"),
        "statut du service",
        "service status",
        model=S,
    ),
    _t(
        "service_status_since",
        "service",
        "status_changed_at",
        "date",
        gettext_lazy("Service status since"),
        "statut depuis",
        "status since",
    ),
    _t(
        "categories",
        "service",
        "categories",
        "categories",
        gettext_lazy("Needs served"),
        "categorie",
        "categories",
        "besoins",
        "besoin",
        "type de service",
        "needs",
        "category",
    ),
    _t(
        "service_areas",
        "service",
        "service_areas",
        "territories",
        gettext_lazy("Areas served"),
        "territoire desservi",
        "territoires desservis",
        "secteur desservi",
        "areas served",
        "service area",
    ),
    _t("location_uuid", "location", "uuid", "uuid", gettext_lazy("Location UUID"), "location uuid"),
    _t(
        "location_name",
        "location",
        "name",
        "text",
        gettext_lazy("Location name"),
        "nom du lieu",
        "point de service",
        "location name",
        model=L,
    ),
    _t(
        "street_address",
        "location",
        "street_address",
        "text",
        gettext_lazy("Street address"),
        "adresse",
        "adresse civique",
        "adresse postale",
        "address",
        "street address",
        "rue",
        model=L,
    ),
    _t(
        "unit",
        "location",
        "unit",
        "text",
        gettext_lazy("Unit, suite, floor"),
        "bureau",
        "local",
        "suite",
        "unite",
        "appartement",
        "unit",
        model=L,
    ),
    _t(
        "municipality",
        "location",
        "municipality",
        "territory",
        gettext_lazy("Municipality or borough"),
        "ville",
        "municipalite",
        "arrondissement",
        "city",
        "municipality",
        "borough",
    ),
    _t(
        "postal_code",
        "location",
        "postal_code",
        "postal_code",
        gettext_lazy("Postal code"),
        "code postal",
        "cp",
        "postal code",
        "postcode",
        model=L,
    ),
    _t(
        "address_is_confidential",
        "location",
        "address_is_confidential",
        "yesno",
        gettext_lazy("Confidential address"),
        "adresse confidentielle",
        "confidentiel",
        "confidential address",
        "confidential",
    ),
    _t(
        "hours",
        "location",
        "hours",
        "hours",
        gettext_lazy("Opening hours"),
        "heures d'ouverture",
        "horaire",
        "heures",
        "opening hours",
        "hours",
    ),
    _t(
        "phone",
        "phone",
        "number",
        "phone",
        gettext_lazy("Phone"),
        "telephone",
        "tel",
        "tél",
        "no de telephone",
        "phone",
        "telephone number",
    ),
    _t(
        "phone_extension",
        "phone",
        "extension",
        "digits",
        gettext_lazy("Phone extension"),
        "poste",
        "extension",
        "ext",
        model=P,
    ),
    _t(
        "phone_kind",
        "phone",
        "kind",
        "choice",
        gettext_lazy("Kind of phone"),
        "type de telephone",
        "phone type",
        model=P,
    ),
    _t(
        "phone_label_fr",
        "phone",
        "label_fr",
        "text",
        gettext_lazy("Phone label (French)"),
        "libelle du telephone",
        model=P,
    ),
    _t(
        "phone_label_en",
        "phone",
        "label_en",
        "text",
        gettext_lazy("Phone label (English)"),
        "phone label",
        model=P,
    ),
    _t("fax", "fax", "number", "phone", gettext_lazy("Fax"), "telecopieur", "fax", "telec"),
    _t(
        "toll_free",
        "toll_free",
        "number",
        "phone",
        gettext_lazy("Toll-free phone"),
        "sans frais",
        "ligne sans frais",
        "toll free",
        "toll-free",
    ),
]
TARGETS_BY_KEY = {t.key: t for t in TARGETS}

# The layout export_records writes and the default profile reads back, in this order. Columns
# marked read-only are written for information and ignored on import (review dates and status
# are not content: they move with verifications and archiving, not with an import).
EXPORT_KEYS = [
    "uuid", "name", "alternate_name", "description_fr", "description_en", "email", "website",
    "legal_status", "enterprise_number", "charity_number", "preferred_language",
    "update_contact_name", "update_contact_email", "update_contact_phone",
    "service_uuid", "service_name_fr", "service_name_en", "service_description_fr",
    "service_description_en", "eligibility_fr", "eligibility_en", "fees_fr", "fees_en",
    "application_process_fr", "application_process_en", "service_languages", "service_status",
    "service_status_since", "categories", "service_areas",
    "location_uuid", "location_name", "street_address", "unit", "municipality", "postal_code",
    "address_is_confidential", "hours",
    "phone", "phone_extension", "phone_kind", "phone_label_fr", "phone_label_en",
]  # fmt: skip
EXPORT_READ_ONLY = ["status", "last_verified_at", "next_review_due", "identifiers"]
# Private: exported only to staff allowed to see them (and blank otherwise, which an import
# reads as "leave as it is").
CONFIDENTIAL_KEYS = {"update_contact_name", "update_contact_email", "update_contact_phone"}
CONFIDENTIAL_ADDRESS_KEYS = {"street_address", "unit", "postal_code", "location_name"}


def default_columns() -> list[dict]:
    return [{"column": key, "target": key} for key in EXPORT_KEYS] + [
        {"column": key, "target": ""} for key in EXPORT_READ_ONLY
    ]


def suggest_target(header: str) -> str:
    """The field a header most likely feeds, from its French or English name ("" if none)."""
    wanted = fold(header)
    if not wanted:
        return ""
    if wanted.replace(" ", "_") in TARGETS_BY_KEY:
        return wanted.replace(" ", "_")
    for target in TARGETS:
        if wanted in target.headers:
            return target.key
    choices = {h: t.key for t in TARGETS for h in t.headers}
    best = process.extractOne(wanted, list(choices), score_cutoff=88)
    return choices[best[0]] if best else ""


# --- Reference data, read once per import ---------------------------------------------------------

_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "mtl": "montreal"}


def territory_name_key(name: str) -> str:
    """A territory's name as a key: folded, "St"/"Ste" as "Saint"/"Sainte", "Mtl" as "Montreal"."""
    return " ".join(_ABBREVIATIONS.get(w, w) for w in fold(name).split())


class Reference:
    """Territories and categories by every name they go by, read once per import."""

    def __init__(self, category_map: dict | None = None):
        self.territories = {t.pk: t for t in Territory.objects.all()}
        self.by_place: dict[str, list[Territory]] = {}
        for t in self.territories.values():
            for key in {territory_name_key(name) for name in (t.name, t.name_en, t.slug) if name}:
                self.by_place.setdefault(key, []).append(t)
        self.categories = {c.pk: c for c in Category.objects.all()}
        self.by_category: dict[str, Category] = {}
        for c in self.categories.values():
            for name in (c.code, c.name_fr, c.name_en):
                self.by_category.setdefault(fold(name), c)
        codes = {c.code: c for c in self.categories.values()}
        self.partner_categories = {}
        for term, code in (category_map or {}).items():
            if code in codes:
                self.partner_categories[fold(term)] = codes[code]

    def territory(self, text: str, *, local: bool) -> Territory:
        """The territory a name designates; ``local``: only a municipality or borough."""
        found = self.by_place.get(territory_name_key(text), [])
        if local:
            found = [
                t for t in found if t.kind not in (Territory.Kind.REGION, Territory.Kind.SECTOR)
            ]
        else:  # "Laval" the municipality and "Laval" the sector cover the same place
            found = sorted(found, key=lambda t: t.kind != Territory.Kind.MUNICIPALITY)
        if found:
            return found[0]
        close = process.extractOne(territory_name_key(text), list(self.by_place), score_cutoff=85)
        hint = (
            _(" Did you mean “%(name)s”?") % {"name": self.by_place[close[0]][0].name}
            if close
            else ""
        )
        if local:
            message = _("“%(value)s” is not a municipality or borough of Greater Montréal.")
        else:
            message = _("“%(value)s” is not a place of Greater Montréal.")
        raise CellProblem((message % {"value": text}) + hint)

    def territory_label(self, territory_id: int) -> str:
        """How an export names a territory: its name, or its slug when the name is shared."""
        territory = self.territories[territory_id]
        if len(self.by_place.get(territory_name_key(territory.name), [])) > 1:
            return territory.slug
        return territory.name

    def category(self, text: str) -> Category:
        key = fold(text)
        found = self.partner_categories.get(key) or self.by_category.get(key)
        if found is None:
            raise CellProblem(
                _(
                    "“%(value)s” is not one of our needs: add it to the profile's needs mapping, "
                    "or use one of our needs' names or codes."
                )
                % {"value": text}
            )
        return found


# --- Cells to values ------------------------------------------------------------------------------

_YES = {"oui", "o", "yes", "y", "vrai", "true", "1", "x", "confidentiel", "confidentielle"}
_NO = {"non", "n", "no", "faux", "false", "0"}

_LANGUAGES = {
    "francais": "fr", "french": "fr", "anglais": "en", "english": "en", "espagnol": "es",
    "spanish": "es", "arabe": "ar", "arabic": "ar", "italien": "it", "italian": "it",
    "portugais": "pt", "portuguese": "pt", "creole": "ht", "creole haitien": "ht",
    "haitian creole": "ht", "chinois": "zh", "chinese": "zh", "mandarin": "zh",
    "cantonais": "yue", "cantonese": "yue", "vietnamien": "vi", "vietnamese": "vi",
    "russe": "ru", "russian": "ru", "grec": "el", "greek": "el", "persan": "fa", "farsi": "fa",
    "persian": "fa", "tagalog": "tl", "punjabi": "pa", "pendjabi": "pa", "ourdou": "ur",
    "urdu": "ur", "tamoul": "ta", "tamil": "ta", "bengali": "bn", "roumain": "ro",
    "romanian": "ro", "polonais": "pl", "polish": "pl", "allemand": "de", "german": "de",
    "langue des signes quebecoise": "fsl", "lsq": "fsl", "asl": "ase", "inuktitut": "iu",
}  # fmt: skip

_WEEKDAYS = {
    "lu": 1, "lun": 1, "lundi": 1, "mo": 1, "mon": 1, "monday": 1,
    "ma": 2, "mar": 2, "mardi": 2, "tu": 2, "tue": 2, "tuesday": 2,
    "me": 3, "mer": 3, "mercredi": 3, "we": 3, "wed": 3, "wednesday": 3,
    "je": 4, "jeu": 4, "jeudi": 4, "th": 4, "thu": 4, "thursday": 4,
    "ve": 5, "ven": 5, "vendredi": 5, "fr": 5, "fri": 5, "friday": 5,
    "sa": 6, "sam": 6, "samedi": 6, "sat": 6, "saturday": 6,
    "di": 7, "dim": 7, "dimanche": 7, "su": 7, "sun": 7, "sunday": 7,
}  # fmt: skip
WEEKDAY_CODES = {1: "lu", 2: "ma", 3: "me", 4: "je", 5: "ve", 6: "sa", 7: "di"}

_EXTENSION = re.compile(r"\s*(?:,|#|x|ext\.?|extension|poste|post\.|p\.)\s*(\d{1,10})\s*$", re.I)
_TIME = re.compile(r"^(\d{1,2})\s*(?:[:h]\s*(\d{2})?)?$", re.I)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY_DATE = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")


def cell_text(value) -> str:
    """A cell as text, whatever the spreadsheet program made of it: ``5145551234.0`` (a phone
    number Excel took for a number) is ``5145551234``, a date is ISO, an empty cell is ``""``."""
    if value is None:
        return ""
    if isinstance(value, FormulaWithoutValue):
        raise CellProblem(
            _(
                "The cell holds a formula (%(formula)s) whose result was not saved in the file. "
                "Open the file in your spreadsheet program and save it again, or paste the "
                "values instead of the formulas."
            )
            % {"formula": value.formula[:60]}
        )
    if isinstance(value, OverlongCell):
        raise CellProblem(
            _("The cell holds %(length)s characters; at most %(limit)s are accepted.")
            % {"length": value.length, "limit": settings.REPERTOIRE_IMPORT_MAX_CELL_CHARS}
        )
    if isinstance(value, CellError):
        raise CellProblem(_("The cell shows an error (%(code)s).") % {"code": value.code})
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    text = str(value).replace("\u00a0", " ").strip()
    if text.startswith("'") and text[1:2] in FORMULA_PREFIXES:
        text = text[1:]  # neutralised on export (neutralise_formula): read back as is
    if len(text) > settings.REPERTOIRE_IMPORT_MAX_CELL_CHARS:
        raise CellProblem(
            _("The cell holds %(length)s characters; at most %(limit)s are accepted.")
            % {"length": len(text), "limit": settings.REPERTOIRE_IMPORT_MAX_CELL_CHARS}
        )
    return text


def clean(target: Target, value, reference: Reference):
    """The value of a cell for ``target`` as a revision stores it; ``None`` for an empty cell
    (which an import reads as "leave the field as it is"). The cleaner of the target's kind
    (:data:`CLEANERS`) does the work."""
    text = cell_text(value)
    if not text:
        return None
    if target.max_length and len(text) > target.max_length:
        raise CellProblem(
            _("“%(value)s…” is %(length)s characters long; at most %(limit)s fit.")
            % {"value": text[:30], "length": len(text), "limit": target.max_length}
        )
    return CLEANERS[target.kind](text, target, reference)


# One cleaner per kind of cell, as pretix's ``ImportColumn.clean``: each takes the cell's text
# (never empty), the target it feeds and the import's reference data, and gives the value as a
# revision stores it or raises ``CellProblem``.


def _text(text: str, target: Target, reference: Reference) -> str:
    return text


def _uuid(text: str, target: Target, reference: Reference) -> str:
    try:
        return str(uuid_module.UUID(text))
    except ValueError:
        raise CellProblem(_("“%(value)s” is not a UUID.") % {"value": text}) from None


def _email(text: str, target: Target, reference: Reference) -> str:
    try:
        validate_email(text)
    except ValidationError:
        raise CellProblem(_("“%(value)s” is not an email address.") % {"value": text}) from None
    return text


def _url(text: str, target: Target, reference: Reference) -> str:
    """A website; ``https://`` is added to an address typed without its scheme."""
    url = text if re.match(r"^[a-z][a-z0-9+.-]*://", text, re.I) else f"https://{text}"
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise CellProblem(_("“%(value)s” is not a website address.") % {"value": text}) from None
    return url


def _phone(text: str, target: Target, reference: Reference) -> dict:
    """The number and its extension, if the cell gives one (``poste 12``, ``ext. 12``, ``#12``)."""
    match = _EXTENSION.search(text)
    number = text[: match.start()] if match else text
    try:
        normalised = normalise_phone(number)
    except ValidationError as error:
        raise CellProblem(error.messages[0]) from None
    return {"number": normalised, "extension": match.group(1) if match else None}


def _digits(text: str, target: Target, reference: Reference) -> str:
    digits = re.sub(r"\D", "", text)
    if not digits:
        raise CellProblem(_("“%(value)s” is not a number.") % {"value": text})
    return digits


def _neq(text: str, target: Target, reference: Reference) -> str:
    digits = re.sub(r"\s", "", text)
    if not re.fullmatch(r"\d{10}", digits):
        raise CellProblem(
            _("“%(value)s” is not a Québec enterprise number (10 digits).") % {"value": text}
        )
    return digits


def _charity(text: str, target: Target, reference: Reference) -> str:
    number = re.sub(r"\s", "", text).upper()
    if not re.fullmatch(r"\d{9}RR\d{4}", number):
        raise CellProblem(
            _("“%(value)s” is not a charity number such as 123456789RR0001.") % {"value": text}
        )
    return number


def _postal_code(text: str, target: Target, reference: Reference) -> str:
    code = format_postal_code(text)
    try:
        postal_code_validator(code)
    except ValidationError:
        compact = code.replace(" ", "")
        if len(compact) < 6:
            raise CellProblem(
                _(
                    "The postal code “%(value)s” is incomplete: a Canadian postal code has "
                    "six characters, as in H2X 1Y4."
                )
                % {"value": text}
            ) from None
        raise CellProblem(
            _("“%(value)s” is not a Canadian postal code such as H2X 1Y4.") % {"value": text}
        ) from None
    return code


def _yesno(text: str, target: Target, reference: Reference) -> bool:
    folded = fold(text)
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise CellProblem(_("“%(value)s” is neither yes nor no.") % {"value": text})


def _choice(text: str, target: Target, reference: Reference) -> str:
    """One of the field's choices, by its value or its label in French or English."""
    model = {"organisation": Organisation, "service": Service}.get(target.part, Phone)
    choices = model._meta.get_field(target.field).choices
    folded = fold(text)
    for value, label in choices:
        names = {fold(str(value)), fold(str(label))}
        # Both languages' labels, whatever the language of the import.
        for language in ("fr", "en"):
            with translation.override(language):
                names.add(fold(str(label)))
        if folded in names:
            return value
    if target.field == "preferred_language" and folded in _LANGUAGES:
        return _LANGUAGES[folded] if _LANGUAGES[folded] in ("fr", "en") else "fr"
    accepted = ", ".join(str(label) for _value, label in choices)
    raise CellProblem(
        _("“%(value)s” is not one of: %(accepted)s.") % {"value": text, "accepted": accepted}
    )


def _languages(text: str, target: Target, reference: Reference) -> str:
    """Language names or codes, in French or English, as codes: ``"fr, en"``."""
    codes = []
    for item in re.split(r"[,;/\n]+", text):
        word = fold(item)
        if not word:
            continue
        code = _LANGUAGES.get(word) or (word if re.fullmatch(r"[a-z]{2,3}", word) else None)
        if code is None:
            raise CellProblem(_("“%(value)s” is not a language we know.") % {"value": item})
        if code not in codes:
            codes.append(code)
    return ", ".join(codes)


def _split(text: str) -> list[str]:
    return [item.strip() for item in re.split(r"[;\n|]+", text) if item.strip()]


def _categories(text: str, target: Target, reference: Reference) -> list[int]:
    return sorted({reference.category(item).pk for item in _split(text)})


def _territories(text: str, target: Target, reference: Reference) -> list[int]:
    return sorted({reference.territory(item, local=False).pk for item in _split(text)})


def _territory(text: str, target: Target, reference: Reference) -> int:
    return reference.territory(text, local=True).pk


def _hours(text: str, target: Target, reference: Reference) -> list[dict]:
    return parse_hours(text)


def _date(text: str, target: Target, reference: Reference) -> str:
    """A date typed as text or as a date (whose cell text is ISO), in ISO form; day first, as
    written in Québec."""
    if match := _ISO_DATE.match(text):
        year, month, day = map(int, match.groups())
    elif match := _DMY_DATE.match(text):
        day, month, year = map(int, match.groups())
    else:
        raise CellProblem(_("“%(value)s” is not a date such as 2026-03-31.") % {"value": text})
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        raise CellProblem(_("“%(value)s” is not a date that exists.") % {"value": text}) from None


CLEANERS = {
    "text": _text,
    "longtext": _text,
    "identifier": _text,
    "uuid": _uuid,
    "email": _email,
    "url": _url,
    "phone": _phone,
    "digits": _digits,
    "neq": _neq,
    "charity": _charity,
    "postal_code": _postal_code,
    "yesno": _yesno,
    "choice": _choice,
    "languages": _languages,
    "categories": _categories,
    "territories": _territories,
    "territory": _territory,
    "hours": _hours,
    "date": _date,
}


# --- Opening hours --------------------------------------------------------------------------------


def _time(text: str) -> str:
    match = _TIME.match(text.strip())
    if not match or int(match.group(1)) > 24 or int(match.group(2) or 0) > 59:
        raise CellProblem(_("“%(value)s” is not a time such as 9:00 or 13h30.") % {"value": text})
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour == 24:
        hour, minute = 23, 59
    return f"{hour:02d}:{minute:02d}:00"


def parse_hours(text: str) -> list[dict]:
    """``"lu-ve 9:00-17:00; sa 10h-12h"`` -> one entry per day (ISO weekday, opens, closes)."""
    entries = []
    for part in re.split(r"[;\n]+", text):
        part = part.strip()
        if not part:
            continue
        match = re.match(r"^([^\d]+?)\s+(\d.*)$", part)
        if not match:
            raise CellProblem(
                _("“%(value)s” is not opening hours such as “lu-ve 9:00-17:00; sa 10:00-12:00”.")
                % {"value": part}
            )
        days_text, times_text = match.groups()
        days = []
        for chunk in re.split(r"\s*,\s*", days_text.strip()):
            ends = [fold(d).rstrip(".") for d in re.split(r"\s*(?:-|–|à|to)\s*", chunk)]
            if any(end not in _WEEKDAYS for end in ends) or len(ends) > 2:
                raise CellProblem(_("“%(value)s” is not a day of the week.") % {"value": chunk})
            first, last = _WEEKDAYS[ends[0]], _WEEKDAYS[ends[-1]]
            days += list(range(first, last + 1)) if first <= last else [first]
        for span in re.split(r"\s*,\s*", times_text.strip()):
            bounds = re.split(r"\s*(?:-|–|à|to)\s*", span)
            if len(bounds) != 2:
                raise CellProblem(
                    _("“%(value)s” is not a time span such as 9:00-17:00.") % {"value": span}
                )
            opens, closes = _time(bounds[0]), _time(bounds[1])
            if closes <= opens:
                raise CellProblem(
                    _("In “%(value)s”, the closing time is not after the opening time.")
                    % {"value": span}
                )
            entries += [{"weekday": d, "opens": opens, "closes": closes} for d in days]
    return entries


def format_hours(hours: list[dict]) -> str:
    """The reverse of :func:`parse_hours`, one day at a time: ``"lu 09:00-17:00; ma ..."``."""
    parts = []
    for h in hours:
        if h.get("opens") and h.get("closes"):
            parts.append(f"{WEEKDAY_CODES[h['weekday']]} {h['opens'][:5]}-{h['closes'][:5]}")
    return "; ".join(parts)

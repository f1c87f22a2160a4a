"""Reading a partner's file for the dry run: its rows, each cell cleaned for the field its column
feeds (:mod:`imports.columns`), gathered by organisation.

The file is opened by :func:`imports.spreadsheets.open_sheet`; what becomes of the groups
(matched to our records, compared, applied) is :mod:`imports.services`.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organisations.lib.text import fold

from .columns import TARGETS_BY_KEY, CellProblem, Reference, Target, clean
from .matching import name_key
from .models import MappingProfile
from .spreadsheets import Sheet, SheetError

# (index of the column in the file, its header, the field it feeds)
Mapped = list[tuple[int, str, Target]]


@dataclass
class Group:
    """The rows of the file about one organisation."""

    number: int
    rows: list[int]
    key: dict = field(default_factory=dict)
    data: dict = field(
        default_factory=lambda: {"organisation": {}, "services": [], "locations": [], "phones": []}
    )
    errors: list[dict] = field(default_factory=list)
    duplicate_of: int | None = None
    sources: dict = field(default_factory=dict)  # field -> (row, column) that gave its value

    @property
    def name(self) -> str:
        return self.data["organisation"].get("name", "")

    def error(self, row: int, column: str, value, message: str):
        self.errors.append(
            {"row": row, "column": column, "value": str(value)[:200], "message": str(message)}
        )


def read_groups(
    sheet: Sheet, snapshot: dict, reference: Reference, info: dict, progress
) -> Iterator[Group]:
    """The file's rows, cleaned and gathered by organisation. One row per organisation: each
    group as soon as its row is read (a 60,000-row file is never held whole). One row per
    service: the groups once the whole file is read, since an organisation's rows may be
    anywhere in it. ``info`` is filled in at the end (rows read, columns left out, notes)."""
    mapped, unmapped = _column_indexes(sheet.headers, snapshot["columns"])
    by_service = snapshot["layout"] == MappingProfile.Layout.SERVICE
    groups: list[Group] = []  # one row per service: every group until the end of the file
    by_key: dict[str, Group | int] = {}  # the group (by service), or its first row's number
    current: Group | None = None
    rows = 0
    for number, values in sheet.rows:
        rows += 1
        if rows % 1000 == 0:
            progress(rows)
        parts, problems = _row_parts(values, mapped, reference)
        key = parts["key"]
        identity = (
            key.get("partner_id")
            or key.get("uuid")
            or (name_key(parts["organisation"].get("name", "")) if by_service else "")
        )
        if by_service and not identity and current is not None:
            group = current  # the organisation's cells left blank (or merged): the one above
        elif identity and identity in by_key and not by_service:
            # One row per organisation: a second row is a repeat.
            repeat = Group(number=number, rows=[number], key=key, duplicate_of=by_key[identity])
            repeat.data["organisation"] = parts["organisation"]
            yield repeat
            continue
        elif identity and identity in by_key:
            group = by_key[identity]
        else:
            group = Group(number=number, rows=[], key=dict(key))
            if by_service:
                groups.append(group)
            if identity:
                by_key[identity] = group if by_service else number
        current = group
        _add_row(group, number, parts, problems, mapped)
        if not by_service:
            yield group
    progress(rows)
    info.update(
        rows=rows,
        format=sheet.format,
        header_row=sheet.header_row,
        unmapped_columns=unmapped,
        notes=list(sheet.notes),
    )
    yield from groups


def _column_indexes(headers: list[str], columns: list[dict]) -> tuple[Mapped, list[str]]:
    """(index, header, target) for each mapped column, and the headers left out; fails on a
    mapped column the file lacks."""
    exact = {h: i for i, h in enumerate(headers) if h}
    folded = {fold(h): i for i, h in enumerate(headers) if h}
    mapped, missing = [], []
    for column in columns:
        target = TARGETS_BY_KEY.get(column.get("target") or "")
        if target is None:
            continue
        name = " ".join(str(column["column"]).split())
        index = exact.get(name, folded.get(fold(name)))
        if index is None:
            missing.append((name, target))
        else:
            mapped.append((index, name, target))
    if missing:
        found = ", ".join(f"“{h}”" for h in headers if h) or _("none")
        raise SheetError(
            ngettext(
                "The file has no column %(columns)s, which the profile reads. Columns found: "
                "%(found)s. Correct the file or edit the profile.",
                "The file has no columns %(columns)s, which the profile reads. Columns found: "
                "%(found)s. Correct the file or edit the profile.",
                len(missing),
            )
            % {
                "columns": ", ".join(f"“{name}” ({target.label})" for name, target in missing),
                "found": found,
            }
        )
    if not any(t.key in ("name", "uuid", "partner_id") for _i, _h, t in mapped):
        raise SheetError(_("The profile does not say which column holds the organisation's name."))
    return mapped, [h for i, h in enumerate(headers) if h and i not in {m[0] for m in mapped}]


def _row_parts(values: list, mapped: Mapped, reference: Reference) -> tuple[dict, list]:
    """One row's cleaned values by the part of the record they fill, and its cells' problems
    as (header, cell, problem)."""
    parts = {"key": {}, "organisation": {}, "service": {}, "location": {}, "phone": {},
             "fax": {}, "toll_free": {}}  # fmt: skip
    problems = []
    for index, header, target in mapped:
        raw = values[index] if index < len(values) else None
        try:
            value = clean(target, raw, reference)
        except CellProblem as problem:
            problems.append((header, raw, problem))
            continue
        if value is None:
            continue
        if target.part == "key":
            parts["key"][target.key] = value
        elif target.kind == "phone":
            parts[target.part]["number"] = value["number"]
            if value["extension"]:
                parts[target.part].setdefault("extension", value["extension"])
        else:
            parts[target.part][target.field] = value
    return parts, problems


def _add_row(group: Group, number: int, parts: dict, problems: list, mapped: Mapped) -> None:
    """Lay one row's values and problems into its organisation's group."""
    if number not in group.rows:
        group.rows.append(number)
    for header, raw, problem in problems:
        group.error(number, header, raw if raw is not None else "", problem)
    for name, value in parts["key"].items():
        group.key.setdefault(name, value)
    organisation = group.data["organisation"]
    for name, value in parts["organisation"].items():
        if name in organisation and organisation[name] != value:
            row, _column = group.sources[name]
            group.error(
                number,
                _column_of(mapped, "organisation", name),
                value,
                _("Row %(row)s gives another value for the same organisation: “%(other)s”.")
                % {"row": row, "other": organisation[name]},
            )
        else:
            organisation[name] = value
            group.sources.setdefault(name, (number, ""))
    _add_child(group.data["services"], parts["service"])
    _add_child(group.data["locations"], parts["location"])
    for kind in ("phone", "fax", "toll_free"):
        phone = parts[kind]
        if not phone.get("number"):
            continue
        if kind != "phone":
            phone["kind"] = kind
        if not any(
            p["number"] == phone["number"] and p.get("extension") == phone.get("extension")
            for p in group.data["phones"]
        ):
            group.data["phones"].append(phone)


def _add_child(children: list, values: dict):
    if values and values not in children:
        children.append(values)


def _column_of(mapped: Mapped, part: str, field_name: str) -> str:
    return next((h for _i, h, t in mapped if t.part == part and t.field == field_name), "")

"""Writing a workbook for any export: one sheet per table, every text cell neutralised against
formulas (``formulas.neutralise_formula``), openpyxl's write-only mode (rows stream out, a
workbook of 100,000 rows does not sit in memory)."""

import re
from collections.abc import Iterable

from .formulas import neutralise_formula

# Excel refuses these in a sheet's name, and names longer than 31 characters.
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_LENGTH = 31


def sheet_name(title: str, taken: set[str]) -> str:
    """``title`` as Excel accepts a sheet's name, distinct from those ``taken`` (case aside)."""
    base = _NOT_IN_SHEET_NAMES.sub(" ", str(title)).strip()[:SHEET_NAME_LENGTH] or "Sheet"
    name, number = base, 1
    while name.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        name = base[: SHEET_NAME_LENGTH - len(suffix)] + suffix
    taken.add(name.casefold())
    return name


def write_xlsx(sheets: Iterable[tuple[str, Iterable[list]]], stream) -> None:
    """Write ``sheets``, (title, rows) each, to ``stream`` as an xlsx workbook. A cell may be
    any value openpyxl writes, or an openpyxl ``WriteOnlyCell`` made with ``cell(sheet, ...)``
    for a number format: pass a callable ``(sheet) -> rows`` instead of the rows for that."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    for title, rows in sheets:
        sheet = workbook.create_sheet(sheet_name(title, taken))
        for row in rows(sheet) if callable(rows) else rows:
            sheet.append([neutralise_formula(value) for value in row])
    workbook.save(stream)

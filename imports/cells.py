"""What every reader of a partner's file shares (:mod:`imports.spreadsheets` opens the file and
reads csv, :mod:`imports.xmlsheets` streams xlsx and ods): the error that stops the whole file,
the limits that bound reading (settings ``REPERTOIRE_IMPORT_*``), and the markers a cell holds
instead of a value, which cleaning the cell turns into a problem on its row
(:func:`imports.columns.cell_text`).
"""

from dataclasses import dataclass

from django.conf import settings


def limit(name: str) -> int:
    return getattr(settings, f"REPERTOIRE_IMPORT_{name}")


class SheetError(Exception):
    """The file cannot be read as a whole; the message says why and what to do."""


@dataclass(frozen=True)
class FormulaWithoutValue:
    """A formula cell saved by a program that did not compute it: there is no value to take."""

    formula: str

    def __str__(self):
        return self.formula


@dataclass(frozen=True)
class CellError:
    """A cell showing a spreadsheet error such as ``#REF!``."""

    code: str

    def __str__(self):
        return self.code


@dataclass(frozen=True)
class OverlongCell:
    """A cell longer than ``MAX_CELL_CHARS``: only its length and its start were kept."""

    length: int
    start: str

    def __str__(self):
        return self.start

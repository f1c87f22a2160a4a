"""Reading the call system's export (xlsx or csv) within bounds.

The same limits as partner imports (settings ``REPERTOIRE_IMPORT_*``): the file's size, its size
once unpacked (an xlsx is a zip: a zip bomb stops here), rows, columns, characters in a cell,
seconds spent reading. An xlsx is read by openpyxl in read-only mode (a row at a time, its XML
through defusedxml); a csv in UTF-8 or Windows-1252, separated by commas, semicolons or tabs.
Whatever is wrong with the file as a whole is a ``FileRefused`` whose message says what to do.
"""

import csv
import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

_ZIP = b"PK\x03\x04"
# Compound File Binary: Excel 97-2003 (.xls), and every password-protected workbook.
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class FileRefused(Exception):
    """The file cannot be read as a whole; the message says why, and that nothing was written."""


def limit(name: str) -> int:
    return getattr(settings, f"REPERTOIRE_IMPORT_{name}")


def read_rows(path: str | Path) -> Iterator[tuple[int, list]]:
    """(row number as a spreadsheet program shows it, values) for every row of the first
    sheet, empty rows included (the caller skips them). ``FileRefused`` before or while
    reading."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as stream:
            head = stream.read(8)
    except OSError as error:
        raise FileRefused(
            _("The file cannot be opened (%(reason)s).") % {"reason": error.strerror}
        ) from None
    if size == 0:
        raise FileRefused(_("The file is empty. Nothing was imported."))
    if size > limit("MAX_BYTES"):
        raise FileRefused(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split it in parts.")
            % {"size": round(size / 1e6, 1), "limit": round(limit("MAX_BYTES") / 1e6, 1)}
        )
    if head.startswith(_CFB):
        raise FileRefused(
            _(
                "This file is password-protected or in the old Excel format (.xls). Open it in "
                "your spreadsheet program and save it as .xlsx without a password, or as csv."
            )
        )
    rows = _xlsx_rows(path) if head.startswith(_ZIP) else _csv_rows(path)
    return _bounded(rows)


def _bounded(rows: Iterator[tuple[int, list]]) -> Iterator[tuple[int, list]]:
    started = time.monotonic()
    seconds, max_rows = limit("MAX_READ_SECONDS"), limit("MAX_ROWS")
    max_columns, max_chars = limit("MAX_COLUMNS"), limit("MAX_CELL_CHARS")
    for count, (number, values) in enumerate(rows, start=1):
        if count > max_rows + 1:  # the header, then at most MAX_ROWS rows
            raise FileRefused(
                _("The file has more than %(limit)s rows. Split it in parts of at most %(limit)s.")
                % {"limit": max_rows}
            )
        while values and values[-1] in (None, ""):
            values = values[:-1]
        if len(values) > max_columns:
            raise FileRefused(
                _("Row %(row)s has more than %(limit)s columns: this is not an export of requests.")
                % {"row": number, "limit": max_columns}
            )
        for value in values:
            if isinstance(value, str) and len(value) > max_chars:
                raise FileRefused(
                    _("A cell of row %(row)s holds more than %(limit)s characters.")
                    % {"row": number, "limit": max_chars}
                )
        if not count % 1000 and time.monotonic() - started > seconds:
            raise FileRefused(
                _(
                    "Reading the file took more than %(limit)s seconds: split it in parts. "
                    "Nothing was imported."
                )
                % {"limit": seconds}
            )
        yield number, list(values)


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise FileRefused(
            _("The file is damaged: it looks like an Excel file but cannot be opened.")
        ) from None
    if any(entry.flag_bits & 0x1 for entry in entries):
        raise FileRefused(_("This file is password-protected. Save it again without a password."))
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > limit("MAX_UNCOMPRESSED_BYTES"):
        raise FileRefused(
            _(
                "Once unpacked, this file would take %(size)s MB (the limit is %(limit)s MB): it "
                "is either far too large or built to overload the server. Nothing was imported."
            )
            % {"size": round(unpacked / 1e6), "limit": round(limit("MAX_UNCOMPRESSED_BYTES") / 1e6)}
        )
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, ValueError, OSError, zipfile.BadZipFile):
        raise FileRefused(
            _(
                "This file is not an Excel workbook (.xlsx): save the export as xlsx or csv. "
                "Nothing was imported."
            )
        ) from None
    try:
        sheet = workbook.worksheets[0]
        width = limit("MAX_COLUMNS") + 1
        for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=width), start=1):
            yield number, list(values)
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile, EOFError) as error:
        raise FileRefused(
            _("The file is damaged: its sheet could not be read to the end (%(reason)s).")
            % {"reason": type(error).__name__}
        ) from None
    finally:
        workbook.close()


def _csv_rows(path: Path) -> Iterator[tuple[int, list]]:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise FileRefused(
            _(
                "This file is not a spreadsheet: save the export as xlsx or csv. Nothing was imported."
            )
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # cp1252 leaves five bytes undefined
        raise FileRefused(
            _("The file's characters cannot be read: save it as CSV UTF-8. Nothing was imported.")
        )
    first = text.split("\n", 1)[0]
    separator = max((";", ",", "\t"), key=first.count)
    csv.field_size_limit(limit("MAX_CELL_CHARS") + 1)
    try:
        yield from enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=separator), 1)
    except csv.Error:
        raise FileRefused(
            _(
                "The file is not valid CSV (a quotation mark left open, or a cell longer than "
                "%(limit)s characters). Nothing was imported."
            )
            % {"limit": limit("MAX_CELL_CHARS")}
        ) from None

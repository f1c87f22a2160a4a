"""Helpers shared by every spreadsheet Répertoire writes or reads.

Reading a partner's file is :func:`open_sheet`: xlsx (streamed with openpyxl in read-only mode,
never the whole workbook in memory), csv in any common encoding and separator, ods (through
tablib). Whatever is wrong with the file as a whole (not a spreadsheet, password-protected,
corrupt, too large, a zip bomb, too many rows) ends in a ``SheetError`` whose message a curator
understands. Limits are settings (``REPERTOIRE_IMPORT_*``).
"""

import codecs
import csv
import io
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

# A cell that starts with one of these is run as a formula by Excel, LibreOffice and Google
# Sheets (OWASP "CSV injection"); tab and carriage return hide such a prefix.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_ZIP_MAGIC = b"PK\x03\x04"
# Compound File Binary: Excel 97-2003 (.xls) and every password-protected (encrypted) workbook.
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def neutralise_formula(value):
    """Make a text cell safe to open in a spreadsheet: a leading apostrophe keeps a formula as
    text. Numbers, dates and empty cells pass through unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


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


@dataclass
class Sheet:
    """The first sheet of a file: its header (the first non-empty row) and its data rows, read
    as they are needed. ``rows`` yields ``(row number, values)``, the numbers the partner sees
    in their spreadsheet program."""

    format: str
    headers: list[str]
    header_row: int
    rows: Iterator[tuple[int, list]]
    notes: list[str] = field(default_factory=list)  # what the reader did that a person should know


def _limit(name: str) -> int:
    return getattr(settings, f"REPERTOIRE_IMPORT_{name}")


def _header_text(value) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())


@contextmanager
def open_sheet(file, filename: str = "") -> Iterator[Sheet]:
    """Open a partner's file (a path or a binary file object) and give its first sheet.

    The kind of file is told from its content, not its name. ``SheetError`` for a file that
    cannot be read; rows are read as they are iterated, and ``SheetError`` can also come then
    (too many rows)."""
    stream = open(file, "rb") if isinstance(file, str) else file  # noqa: SIM115
    try:
        stream.seek(0, io.SEEK_END)
        size = stream.tell()
        stream.seek(0)
        if size == 0:
            raise SheetError(_("The file is empty."))
        if size > _limit("MAX_BYTES"):
            raise SheetError(
                _("The file is %(size)s MB; the limit is %(limit)s MB. Split it in parts.")
                % {"size": round(size / 1e6, 1), "limit": round(_limit("MAX_BYTES") / 1e6, 1)}
            )
        head = stream.read(8)
        stream.seek(0)
        if head.startswith(_CFB_MAGIC):
            raise SheetError(
                _(
                    "This file is password-protected or in the old Excel format (.xls). Open it "
                    "in your spreadsheet program and save it as .xlsx without a password."
                )
            )
        if head.startswith(_ZIP_MAGIC):
            archive = _open_archive(stream)
            if _is_ods(archive):
                yield _ods_sheet(stream)
            else:
                with _xlsx_sheet(stream, archive) as sheet:
                    yield sheet
        else:
            yield _csv_sheet(stream.read())
    finally:
        if stream is not file:
            stream.close()


# --- Zip containers (xlsx, ods) -------------------------------------------------------------------


def _open_archive(stream) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(stream)
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SheetError(
            _(
                "The file is damaged: it looks like an Excel or OpenDocument file but cannot be opened."
            )
        ) from None
    if any(entry.flag_bits & 0x1 for entry in entries):
        raise SheetError(_("This file is password-protected. Save it again without a password."))
    total = sum(entry.file_size for entry in entries)
    if total > _limit("MAX_UNCOMPRESSED_BYTES"):
        raise SheetError(
            _(
                "Once unpacked, this file would take %(size)s MB (the limit is %(limit)s MB): it "
                "is either far too large or built to overload the server. Nothing was imported."
            )
            % {
                "size": round(total / 1e6),
                "limit": round(_limit("MAX_UNCOMPRESSED_BYTES") / 1e6),
            }
        )
    return archive


def _is_ods(archive: zipfile.ZipFile) -> bool:
    try:
        return archive.read("mimetype").strip() == _ODS_MIMETYPE
    except KeyError:
        return False


@contextmanager
def _xlsx_sheet(stream, archive: zipfile.ZipFile) -> Iterator[Sheet]:
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not know: nothing for a curator.
            warnings.simplefilter("ignore")
            workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # a missing part, broken XML inside: errors of many kinds
        raise SheetError(
            _("The file is damaged or is not an Excel workbook: it could not be opened.")
        ) from None
    try:
        worksheets = workbook.worksheets
        if not worksheets:
            raise SheetError(_("The workbook has no sheet."))
        worksheet = worksheets[0]
        rows = _xlsx_rows(workbook, worksheet)
        yield _with_header("xlsx", rows)
    finally:
        workbook.close()


def _xlsx_rows(workbook, worksheet) -> Iterator[tuple[int, list]]:
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):
        def parse_cell(self, element):
            cell = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                cell["value"] = FormulaWithoutValue("=" + (element.findtext(FORMULA_TAG) or ""))
            elif cell["data_type"] == "e":
                cell["value"] = CellError(str(cell["value"]))
            return cell

    # zipfile never inflates a member past the size the archive declares for it, and those
    # sizes were checked against the limit in _open_archive: no zip bomb gets further.
    source = workbook._archive.open(worksheet._worksheet_path)
    with warnings.catch_warnings(), source:
        warnings.simplefilter("ignore")
        parser = Parser(
            source,
            worksheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        try:
            for number, cells in parser.parse():
                values = []
                for cell in cells:
                    column = cell["column"]
                    if column > len(values):
                        values.extend([None] * (column - len(values)))
                    values[column - 1] = cell["value"]
                yield number, values
        except Exception:  # broken XML further down the sheet
            raise SheetError(
                _(
                    "The file is damaged: its sheet could not be read to the end. Nothing was imported."
                )
            ) from None


def _ods_sheet(stream) -> Sheet:
    import tablib

    try:
        dataset = tablib.Dataset()
        dataset.load(stream.read(), format="ods", headers=False)
    except Exception:
        raise SheetError(
            _("The file is damaged or is not an OpenDocument spreadsheet: it could not be opened.")
        ) from None
    return _with_header("ods", ((n, list(row)) for n, row in enumerate(dataset, start=1)))


# --- CSV ------------------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """Text in the encodings partners' files come in: UTF-8 (with or without its mark), UTF-16
    with its mark (Excel's "Unicode text"), else Windows-1252, which also reads Latin-1."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):  # fmt: skip
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:  # bytes cp1252 leaves undefined: plain Latin-1 reads everything
        return data.decode("latin-1")


def _separator(text: str) -> str:
    """The separator of the first non-empty line: the one of ``;``, tab, ``,`` it uses most."""
    line = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: line.count(sep) for sep in (";", "\t", ",")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _csv_sheet(data: bytes) -> Sheet:
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SheetError(_("This file is not a spreadsheet (xlsx, ods or csv)."))
    text = decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text))

    def rows():
        # csv's own line count would be wrong for cells holding line breaks; the row number
        # is the record's position, as a spreadsheet program shows it.
        try:
            yield from enumerate(reader, start=1)
        except csv.Error:
            raise SheetError(_("The file is not valid CSV.")) from None

    csv.field_size_limit(max(csv.field_size_limit(), _limit("MAX_BYTES")))
    return _with_header("csv", rows())


# --- Header and rows ------------------------------------------------------------------------------


def _is_blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _with_header(format: str, rows: Iterator[tuple[int, list]]) -> Sheet:
    """The header is the first non-empty row; reading stops after too many rows in all, or
    after a long run of empty ones (a sheet formatted down to row 1,048,576)."""
    header_row, headers = 0, []
    for number, values in rows:
        if not _is_blank(values):
            header_row, headers = number, [_header_text(v) for v in values]
            break
    if not header_row:
        raise SheetError(_("The file has no header row: the sheet is empty."))
    while headers and not headers[-1]:
        headers.pop()
    sheet = Sheet(format=format, headers=headers, header_row=header_row, rows=iter(()))
    sheet.rows = _data_rows(rows, sheet)
    return sheet


def _data_rows(rows, sheet: Sheet) -> Iterator[tuple[int, list]]:
    max_rows, blank_stop = _limit("MAX_ROWS"), _limit("BLANK_ROWS_STOP")
    count = blank_run = 0
    for number, values in rows:
        if _is_blank(values):
            blank_run += 1
            if blank_run >= blank_stop:
                sheet.notes.append(
                    _(
                        "Reading stopped at row %(row)s after %(count)s empty rows in a row; "
                        "anything further down was not read."
                    )
                    % {"row": number, "count": blank_stop}
                )
                return
            continue
        blank_run = 0
        count += 1
        if count > max_rows:
            raise SheetError(
                _("The file has more than %(limit)s rows. Split it in parts of at most %(limit)s.")
                % {"limit": max_rows}
            )
        yield number, values

"""Opening a partner's file and reading its first sheet.

Reading a partner's file is :func:`open_sheet`: xlsx and ods (their XML streamed a block at a
time by :mod:`imports.xmlsheets`, never the whole sheet in memory), csv in any common encoding
and separator (decoded as it is read, a line at a time). Whatever is wrong with the file as a
whole (not a spreadsheet, password-protected, corrupt, too large, a zip bomb, too many rows or
columns, too long to read) ends in a ``SheetError`` whose message a curator understands. Limits
are settings (``REPERTOIRE_IMPORT_*``): memory stays near one row whatever the file, and the
time spent reading is bounded by ``MAX_READ_SECONDS``.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .cells import SheetError, limit
from .xmlsheets import Clock, ods_rows, timed, xlsx_rows

_ZIP_MAGIC = b"PK\x03\x04"
# Compound File Binary: Excel 97-2003 (.xls) and every password-protected (encrypted) workbook.
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


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


def _header_text(value) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())


@contextmanager
def open_sheet(file, filename: str = "") -> Iterator[Sheet]:
    """Open a partner's file (a path or a binary file object) and give its first sheet.

    The kind of file is told from its content, not its name. ``SheetError`` for a file that
    cannot be read; rows are read as they are iterated, and ``SheetError`` can also come then
    (too many rows, a row too wide, reading too long)."""
    stream = open(file, "rb") if isinstance(file, str) else file  # noqa: SIM115
    clock = Clock()
    clock.run()
    try:
        stream.seek(0, io.SEEK_END)
        size = stream.tell()
        stream.seek(0)
        if size == 0:
            raise SheetError(_("The file is empty."))
        if size > limit("MAX_BYTES"):
            raise SheetError(
                _("The file is %(size)s MB; the limit is %(limit)s MB. Split it in parts.")
                % {"size": round(size / 1e6, 1), "limit": round(limit("MAX_BYTES") / 1e6, 1)}
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
                sheet = _with_header("ods", ods_rows(archive, clock))
            else:
                sheet = _with_header("xlsx", xlsx_rows(stream, clock))
        else:
            sheet = _with_header("csv", _csv_rows(stream, clock))
        clock.pause()
        sheet.rows = timed(sheet.rows, clock)
        yield sheet
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
    if total > limit("MAX_UNCOMPRESSED_BYTES"):
        raise SheetError(
            _(
                "Once unpacked, this file would take %(size)s MB (the limit is %(limit)s MB): it "
                "is either far too large or built to overload the server. Nothing was imported."
            )
            % {
                "size": round(total / 1e6),
                "limit": round(limit("MAX_UNCOMPRESSED_BYTES") / 1e6),
            }
        )
    return archive


def _is_ods(archive: zipfile.ZipFile) -> bool:
    try:
        with archive.open("mimetype") as member:
            return member.read(len(_ODS_MIMETYPE) + 2).strip() == _ODS_MIMETYPE
    except KeyError:
        return False


# --- CSV ------------------------------------------------------------------------------------------


def _separator(text: str) -> str:
    """The separator of the first non-empty line: the one of ``;``, tab, ``,`` it uses most."""
    line = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: line.count(sep) for sep in (";", "\t", ",")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _encoding(stream) -> str:
    """The encoding partners' files come in: UTF-8 (with or without its mark), UTF-16 with its
    mark (Excel's "Unicode text"), else Windows-1252, which also reads Latin-1; checked a block
    at a time over the whole file."""

    def decodes(encoding: str) -> bool:
        stream.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while block := stream.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
        return True

    stream.seek(0)
    head = stream.read(4)
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):  # fmt: skip
        if head.startswith(bom):
            if decodes(encoding):
                return encoding
            break
    for encoding in ("utf-8", "cp1252"):
        if decodes(encoding):
            return encoding
    return "latin-1"  # bytes cp1252 leaves undefined: plain Latin-1 reads everything


def _csv_rows(stream, clock) -> Iterator[tuple[int, list]]:
    head = stream.read(4096)
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SheetError(_("This file is not a spreadsheet (xlsx, ods or csv)."))
    encoding = _encoding(stream)
    stream.seek(0)
    separator = _separator(codecs.getincrementaldecoder(encoding)("replace").decode(
        stream.read(1 << 16)
    ))  # fmt: skip
    stream.seek(0)
    # A line (and a cell, which may hold line breaks) is at most this long: a row of
    # MAX_COLUMNS cells of MAX_CELL_CHARS each. A 200 MB line is refused at that length,
    # never read whole.
    longest = limit("MAX_CELL_CHARS") * limit("MAX_COLUMNS")
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")

    def lines():
        number = 0
        while line := text.readline(longest + 1):
            number += 1
            if len(line) > longest:
                raise SheetError(
                    _(
                        "Line %(line)s of the file holds more than %(limit)s characters: no "
                        "row of a spreadsheet is that long. Check that it is a spreadsheet "
                        "saved as CSV. Nothing was imported."
                    )
                    % {"line": number, "limit": longest}
                )
            if not number % 1000:
                clock.check()
            yield line

    csv.field_size_limit(longest)
    reader = csv.reader(lines(), delimiter=separator)
    try:
        # csv's own line count would be wrong for cells holding line breaks; the row number
        # is the record's position, as a spreadsheet program shows it.
        yield from enumerate(reader, start=1)
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise SheetError(
                _(
                    "A cell of the file holds more than %(limit)s characters (a quotation "
                    "mark left open?). Nothing was imported."
                )
                % {"limit": longest}
            ) from None
        raise SheetError(_("The file is not valid CSV.")) from None
    finally:
        text.detach()  # the caller's file stays open: it closes it


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
    max_rows, blank_stop = limit("MAX_ROWS"), limit("BLANK_ROWS_STOP")
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

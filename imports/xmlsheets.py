"""Streaming readers for the XML inside xlsx and ods files.

A zipped spreadsheet is small on the way in and can be huge once unpacked: 0.4 MB of ODS made
120 MB of XML that odfpy (through tablib) turned into 2.25 GB of objects, and openpyxl builds a
row's whole element tree before it hands the row over, so a row of a million cells costs
gigabytes too. These readers feed the XML to expat a block at a time and keep only what a row
needs: a cell's text up to the cell limit (longer cells are counted, not kept), at most
``MAX_COLUMNS`` values in a row, repeated rows and cells kept as a count and handed over one by
one, never expanded in memory. So memory stays near one row whatever the file, and ``Clock``
bounds the time (``MAX_READ_SECONDS``). openpyxl still reads an xlsx's small parts (the
workbook, its relations, the styles that say which numbers are dates).

Both readers give ``(row number, values)`` as a spreadsheet program numbers its rows; values are
``None`` (empty), ``str``, ``int``/``float``, ``bool``, ``datetime``/``date``/``time``, or one of
the markers of :mod:`imports.cells` (``OverlongCell``, ``CellError``,
``FormulaWithoutValue``).
"""

import datetime
import re
import time
from collections.abc import Iterator
from xml.parsers import expat

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.worksheet._reader import _cast_number

from .cells import CellError, FormulaWithoutValue, OverlongCell, SheetError, limit

BLOCK = 64 * 1024  # bytes of XML handed to expat at a time
SHOWN_CHARS = 200  # what is kept of an overlong cell, to show in its row's error
# The xlsx parts openpyxl reads whole into a tree (manifest, workbook, relations, styles): a few
# kilobytes in real files; past this they can only be built to overload the server.
METADATA_PART_LIMIT = 10_000_000

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0 "
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0 "
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0 "


def damaged() -> SheetError:
    return SheetError(
        _("The file is damaged: its sheet could not be read to the end. Nothing was imported.")
    )


class Clock:
    """Seconds spent reading the file, against ``REPERTOIRE_IMPORT_MAX_READ_SECONDS``. Only the
    time inside the reader counts (``run``/``pause`` around it), not what is done with each
    row: a large file matched against many records is slow for good reasons."""

    def __init__(self):
        self.limit = limit("MAX_READ_SECONDS")
        self.spent = 0.0
        self.since: float | None = None

    def run(self):
        if self.since is None:
            self.since = time.monotonic()

    def pause(self):
        if self.since is not None:
            self.spent += time.monotonic() - self.since
            self.since = None

    def check(self):
        spent = self.spent + (time.monotonic() - self.since if self.since is not None else 0)
        if spent > self.limit:
            raise SheetError(
                ngettext(
                    "Reading the file took more than %(limit)s second, the limit: it is too "
                    "large or too complex to import at once. Split it in parts, or save it "
                    "again as csv. Nothing was imported.",
                    "Reading the file took more than %(limit)s seconds, the limit: it is too "
                    "large or too complex to import at once. Split it in parts, or save it "
                    "again as csv. Nothing was imported.",
                    self.limit,
                )
                % {"limit": self.limit}
            )


def timed(rows: Iterator, clock: Clock) -> Iterator:
    """``rows``, with the time spent producing each counted on ``clock``."""
    while True:
        clock.run()
        try:
            clock.check()
            item = next(rows)
        except StopIteration:
            return
        finally:
            clock.pause()
        yield item


class _Text:
    """A cell's text as it is parsed: kept up to the cell limit plus one character, counted
    beyond (the row's error says how long the cell is)."""

    __slots__ = ("keep", "kept", "length", "pieces")

    def __init__(self, keep: int):
        self.keep = keep
        self.pieces: list[str] = []
        self.kept = self.length = 0

    def add(self, text: str):
        self.length += len(text)
        if self.kept < self.keep:
            piece = text[: self.keep - self.kept]
            self.pieces.append(piece)
            self.kept += len(piece)

    def value(self, max_chars: int):
        text = "".join(self.pieces)
        if self.length > max_chars:
            return OverlongCell(length=self.length, start=text[:SHOWN_CHARS])
        return text


def _parser(handler) -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.buffer_size = BLOCK
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*args):  # no spreadsheet declares a DTD: entity tricks (billion laughs) stop here
        raise damaged()

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.chars
    return parser


def _feed(source, handler, clock: Clock) -> Iterator:
    """Give expat the XML a block at a time and hand over what each block completed."""
    parser = _parser(handler)
    while not handler.done:
        clock.check()
        block = source.read(BLOCK)
        try:
            parser.Parse(block, not block)
        except expat.ExpatError:
            raise damaged() from None
        yield from handler.take(clock)
        if not block:
            break


def _columns_refused(width: int) -> SheetError:
    return SheetError(
        _(
            "A row of the sheet has values in %(count)s columns or more; at most %(limit)s "
            "columns are read. Delete the columns the import does not need and try again."
        )
        % {"count": width, "limit": limit("MAX_COLUMNS")}
    )


# --- OpenDocument (ods) ---------------------------------------------------------------------------


def _ods_date(text: str):
    value = datetime.datetime.fromisoformat(text)
    if "T" not in text:
        return value.date()
    return value


_DURATION = re.compile(r"^-?P(?:\d+D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?$")


def _ods_time(text: str):
    hours, minutes, seconds = _DURATION.match(text).groups()
    return datetime.time(int(hours or 0) % 24, int(minutes or 0), int(float(seconds or 0)))


_ODS_TYPES = {
    "float": (_OFFICE + "value", float),
    "percentage": (_OFFICE + "value", float),
    "currency": (_OFFICE + "value", float),
    "date": (_OFFICE + "date-value", _ods_date),
    "time": (_OFFICE + "time-value", _ods_time),
    "boolean": (_OFFICE + "boolean-value", lambda text: text == "true"),
}


class _OdsHandler:
    """The first table of ``content.xml``: rows, cells, their repeats and their text."""

    def __init__(self):
        self.max_chars = limit("MAX_CELL_CHARS")
        self.max_columns = limit("MAX_COLUMNS")
        self.blank_stop = limit("BLANK_ROWS_STOP")
        self.done = False
        self.tables = 0  # tables open: 1 in the first sheet, more inside a cell's sub-table
        self.number = 1  # the next row's number
        self.out: list[tuple[int, list, int]] = []
        # Empty rows wait here: handed over only when a row with values follows them, so the
        # thousand formatted rows LibreOffice writes after the data are no "reading stopped".
        self.blank_from = self.blank_count = 0
        self.row: list | None = None
        self.row_repeat = 1
        self.blank_cells = 0
        self.cell_repeat = 0
        self.cell_value = None
        self.text: _Text | None = None
        self.paragraphs = self.in_paragraph = self.in_annotation = 0

    def start(self, name: str, attrs: dict):
        if name == _TABLE + "table":
            if self.done:
                return
            self.tables += 1
            return
        if self.tables != 1:
            return  # a sub-table inside a cell: not the sheet's rows, nor the cell's text
        if name == _TABLE + "table-row":
            self.row, self.blank_cells = [], 0
            self.row_repeat = _count(attrs.get(_TABLE + "number-rows-repeated"))
        elif name in (_TABLE + "table-cell", _TABLE + "covered-table-cell"):
            self.cell_repeat = _count(attrs.get(_TABLE + "number-columns-repeated"))
            self.cell_value = _typed(attrs)
            self.text = _Text(self.max_chars + 1)
            self.paragraphs = 0
        elif self.text is None:
            return
        elif name == _OFFICE + "annotation":
            self.in_annotation += 1
        elif self.in_annotation:
            return
        elif name in (_TEXT + "p", _TEXT + "h"):
            if self.paragraphs:
                self.text.add("\n")
            self.paragraphs += 1
            self.in_paragraph += 1
        elif not self.in_paragraph:
            return
        elif name == _TEXT + "s":
            self.text.add(" " * min(_count(attrs.get(_TEXT + "c")), self.max_chars + 1))
        elif name == _TEXT + "tab":
            self.text.add("\t")
        elif name == _TEXT + "line-break":
            self.text.add("\n")

    def chars(self, data: str):
        if self.in_paragraph and not self.in_annotation and self.tables == 1:
            self.text.add(data)

    def end(self, name: str):
        if name == _TABLE + "table":
            if not self.done:
                self.tables -= 1
                self.done = self.tables == 0
            return
        if self.tables != 1:
            return
        if name in (_TEXT + "p", _TEXT + "h") and self.in_paragraph and not self.in_annotation:
            self.in_paragraph -= 1
        elif name == _OFFICE + "annotation" and self.in_annotation:
            self.in_annotation -= 1
        elif name in (_TABLE + "table-cell", _TABLE + "covered-table-cell"):
            self._end_cell()
        elif name == _TABLE + "table-row":
            self._end_row()

    def _end_cell(self):
        value = self.cell_value
        if value is None:
            value = self.text.value(self.max_chars) or None
        self.text = None
        repeat = self.cell_repeat
        if value is None:
            self.blank_cells += repeat  # trailing blanks (1,024 formatted columns) never stored
            return
        width = len(self.row) + self.blank_cells + repeat
        if width > self.max_columns:
            raise _columns_refused(min(width, self.max_columns + 1))
        self.row.extend([None] * self.blank_cells)
        self.row.extend([value] * repeat)
        self.blank_cells = 0

    def _end_row(self):
        number, repeat, values = self.number, self.row_repeat, self.row
        self.number += repeat
        self.row = None
        if not values:
            if not self.blank_count:
                self.blank_from = number
            self.blank_count += repeat
            return
        if self.blank_count:
            # A run of empty rows stops reading after BLANK_ROWS_STOP of them: no need for more.
            self.out.append((self.blank_from, [], min(self.blank_count, self.blank_stop)))
            self.blank_count = 0
        self.out.append((number, values, repeat))

    def take(self, clock: Clock) -> Iterator[tuple[int, list]]:
        out, self.out = self.out, []
        for number, values, repeat in out:
            # A row repeated a million times is handed over one copy at a time; the row limit
            # (or the empty-row stop) ends the reading long before.
            for offset in range(repeat):
                if offset and not offset % 1000:
                    clock.check()
                yield number + offset, list(values)


def _count(text: str | None) -> int:
    try:
        return max(1, int(text)) if text else 1
    except ValueError:
        raise damaged() from None


def _typed(attrs: dict):
    """A cell's value from its ``office:value-type`` (numbers, dates, booleans), else None:
    its text is the value."""
    kind = attrs.get(_OFFICE + "value-type")
    if kind not in _ODS_TYPES:
        return None
    attribute, parse = _ODS_TYPES[kind]
    text = attrs.get(attribute)
    if not text:
        return None
    try:
        return parse(text[:100])
    except (ValueError, AttributeError, OverflowError):
        return None  # the text shown in the cell is taken instead


def ods_rows(archive, clock: Clock) -> Iterator[tuple[int, list]]:
    """The first sheet of an OpenDocument spreadsheet, a row at a time."""
    try:
        source = archive.open("content.xml")
    except KeyError:
        raise SheetError(
            _("The file is damaged or is not an OpenDocument spreadsheet: it could not be opened.")
        ) from None
    with source:
        yield from _feed(source, _OdsHandler(), clock)


# --- Excel (xlsx) ---------------------------------------------------------------------------------


def _local(name: str) -> str:
    return name.rpartition(" ")[2]


def _column(reference: str) -> int:
    column = 0
    for char in reference:
        if "A" <= char <= "Z":
            column = column * 26 + ord(char) - 64
        elif "a" <= char <= "z":
            column = column * 26 + ord(char) - 96
        else:
            break
    return column


class _SharedStrings:
    """``sharedStrings.xml``: every text cell of the workbook refers to one of these."""

    def __init__(self):
        self.max_chars = limit("MAX_CELL_CHARS")
        self.strings: list = []
        self.known: dict[str, str] = {}  # one object for a string repeated many times
        self.done = False
        self.text: _Text | None = None
        self.in_t = self.in_phonetic = False

    def start(self, name: str, attrs: dict):
        local = _local(name)
        if local == "si":
            self.text = _Text(self.max_chars + 1)
        elif local == "rPh":
            self.in_phonetic = True  # Japanese reading aids: not the cell's text
        elif local == "t" and self.text is not None and not self.in_phonetic:
            self.in_t = True

    def chars(self, data: str):
        if self.in_t:
            self.text.add(data)

    def end(self, name: str):
        local = _local(name)
        if local == "t":
            self.in_t = False
        elif local == "rPh":
            self.in_phonetic = False
        elif local == "si" and self.text is not None:
            value = self.text.value(self.max_chars)
            if isinstance(value, str) and len(value) <= 64:
                if len(self.known) < 100_000:
                    value = self.known.setdefault(value, value)
                else:
                    value = self.known.get(value, value)
            self.strings.append(value)
            self.text = None

    def take(self, clock: Clock):
        return ()


class _XlsxHandler:
    """A worksheet's ``sheetData``: rows, and in them the cells that hold a value."""

    def __init__(self, shared: list, epoch, date_formats, timedelta_formats):
        self.max_chars = limit("MAX_CELL_CHARS")
        self.max_columns = limit("MAX_COLUMNS")
        self.shared, self.epoch = shared, epoch
        self.date_formats, self.timedelta_formats = date_formats, timedelta_formats
        self.done = False
        self.out: list[tuple[int, list]] = []
        self.number = 0
        self.row: list | None = None
        self.column = 0
        self.cell: dict | None = None
        self.text: _Text | None = None  # the text being collected: <v>, <f> or an inline <t>
        self.in_inline = self.in_phonetic = False

    def start(self, name: str, attrs: dict):
        local = _local(name)
        if local == "row":
            reference = attrs.get("r")
            self.number = int(reference) if reference and reference.isdigit() else self.number + 1
            self.row, self.column = [], 0
        elif local == "c" and self.row is not None:
            reference = attrs.get("r")
            self.column = (_column(reference) if reference else 0) or self.column + 1
            style = attrs.get("s")
            self.cell = {
                "type": attrs.get("t", "n"),
                "style": int(style) if style and style.isdigit() else 0,
                "v": None,
                "f": None,
                "inline": None,
            }
        elif self.cell is None:
            return
        elif local == "v":
            self.text = self.cell["v"] = _Text(self.max_chars + 1)
        elif local == "f":
            self.text = self.cell["f"] = _Text(SHOWN_CHARS)
        elif local == "is":
            self.in_inline = True
            self.cell["inline"] = _Text(self.max_chars + 1)
        elif local == "rPh":
            self.in_phonetic = True
        elif local == "t" and self.in_inline and not self.in_phonetic:
            self.text = self.cell["inline"]

    def chars(self, data: str):
        if self.text is not None:
            self.text.add(data)

    def end(self, name: str):
        local = _local(name)
        if local in ("v", "f", "t"):
            self.text = None
        elif local == "rPh":
            self.in_phonetic = False
        elif local == "is":
            self.in_inline = False
        elif local == "c" and self.cell is not None:
            self._end_cell()
        elif local == "row" and self.row is not None:
            self.out.append((self.number, self.row))
            self.row = None
        elif local == "sheetData":
            self.done = True

    def _end_cell(self):
        value = self._value(self.cell)
        self.cell = None
        if value is None:
            return  # a formatted empty cell, even in column XFD: nothing to keep
        if self.column > self.max_columns:
            raise _columns_refused(self.max_columns + 1)
        if self.column > len(self.row):
            self.row.extend([None] * (self.column - len(self.row)))
        self.row[self.column - 1] = value

    def _value(self, cell: dict):
        """As openpyxl's ``WorkSheetParser.parse_cell`` with ``data_only``; a formula saved
        without its result and a cell showing an error are marked."""
        kind = cell["type"]
        if kind == "inlineStr":
            text = cell["inline"]
            return text.value(self.max_chars) if text is not None else None
        value = cell["v"].value(self.max_chars) if cell["v"] is not None else None
        if not value:
            if cell["f"] is not None:
                return FormulaWithoutValue("=" + cell["f"].value(SHOWN_CHARS))
            return None
        if isinstance(value, OverlongCell) or kind == "str":
            return value
        if kind == "e":
            return CellError(value)
        if kind == "s":
            try:
                return self.shared[int(value)]
            except (ValueError, IndexError):
                raise damaged() from None
        try:
            if kind == "b":
                return bool(int(value))
            if kind == "d":
                return from_ISO8601(value)
            number = _cast_number(value)
        except ValueError:
            return value
        if cell["style"] in self.date_formats:
            try:
                return from_excel(
                    number, self.epoch, timedelta=cell["style"] in self.timedelta_formats
                )
            except (OverflowError, ValueError):
                return CellError("#VALUE!")
        return number

    def take(self, clock: Clock) -> list[tuple[int, list]]:
        out, self.out = self.out, []
        return out


def _check_metadata_size(archive, name: str):
    try:
        size = archive.getinfo(name).file_size
    except KeyError:
        return
    if size > METADATA_PART_LIMIT:
        raise SheetError(
            _(
                "Part of this workbook (%(part)s) would take %(size)s MB once unpacked, where "
                "real workbooks need a few kilobytes: it is built to overload the server. "
                "Nothing was imported."
            )
            % {"part": name, "size": round(size / 1e6)}
        )


def xlsx_rows(stream, clock: Clock) -> Iterator[tuple[int, list]]:
    """The first worksheet of an Excel workbook, a row at a time."""
    import warnings

    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.xml.constants import SHARED_STRINGS

    try:
        reader = ExcelReader(stream, read_only=True, data_only=True)
    except Exception:
        raise SheetError(
            _("The file is damaged or is not an Excel workbook: it could not be opened.")
        ) from None
    archive = reader.archive
    for name in ("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml",
                 "xl/_rels/workbook.xml.rels", "xl/styles.xml"):  # fmt: skip
        _check_metadata_size(archive, name)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not know: nothing for a curator.
            warnings.simplefilter("ignore")
            reader.read_manifest()
            reader.read_workbook()
            apply_stylesheet(archive, reader.wb)
            sheets = [
                rel.target
                for _sheet, rel in reader.parser.find_sheets()
                if rel.target in reader.valid_files and "chartsheet" not in rel.Type
            ]
            strings = reader.package.find(SHARED_STRINGS)
    except Exception:  # a missing part, broken XML inside: errors of many kinds
        raise SheetError(
            _("The file is damaged or is not an Excel workbook: it could not be opened.")
        ) from None
    if not sheets:
        raise SheetError(_("The workbook has no sheet."))
    shared = _SharedStrings()
    if strings is not None:
        with archive.open(strings.PartName[1:]) as source:
            for _nothing in _feed(source, shared, clock):
                pass
    workbook = reader.wb
    handler = _XlsxHandler(
        shared.strings, workbook.epoch, workbook._date_formats, workbook._timedelta_formats
    )
    with archive.open(sheets[0]) as source:
        yield from _feed(source, handler, clock)

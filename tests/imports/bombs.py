"""Spreadsheets built to overload the server, and a reader run under a memory cap.

Each ``*_bomb`` writes a small file to ``path`` whose content unpacks (or reads) large; the
tests and ``tests/bench/bench_spreadsheet_bombs.py`` read them with :func:`read_capped`, in a
child process whose address space is capped (``RLIMIT_AS``) a given number of megabytes above
what it uses once Django is set up, so a reader that loads the file whole ends in MemoryError
(or is killed) instead of slowing the machine down.
"""

import json
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<office:document-content xmlns:office="{OFFICE}" xmlns:table="{TABLE}" '
    f'xmlns:text="{TEXT}" office:version="1.3"><office:body><office:spreadsheet>'
)
ODS_TAIL = "</office:spreadsheet></office:body></office:document-content>"
SHEET_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def ods(path: Path, tables: Iterable[str]) -> Path:
    """An OpenDocument spreadsheet whose ``office:spreadsheet`` holds the XML pieces of
    ``tables`` (written as they come: a bomb is never held whole)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        with archive.open("content.xml", "w") as content:
            content.write(ODS_HEAD.encode())
            for piece in tables:
                content.write(piece.encode())
            content.write(ODS_TAIL.encode())
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
            '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
            'manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
    return path


def ods_cell(value: str, repeat: int = 1) -> str:
    repeated = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return (
        f'<table:table-cell office:value-type="string"{repeated}><text:p>{value}</text:p>'
        "</table:table-cell>"
    )


def ods_row(*cells: str, repeat: int = 1) -> str:
    repeated = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{repeated}>{''.join(cells)}</table:table-row>"


def ods_table(rows: Iterable[str], name="Feuille1") -> Iterable[str]:
    yield f'<table:table table:name="{name}">'
    yield from rows
    yield "</table:table>"


def ods_repeat_bomb(path: Path) -> Path:
    """16,384 columns × 1,000,000 rows of one value, in a few hundred bytes: 16 billion cells."""
    return ods(
        path,
        ods_table(
            [ods_row(ods_cell("Nom")), ods_row(ods_cell("x", repeat=16_384), repeat=1_000_000)]
        ),
    )


def ods_rows_bomb(path: Path, megabytes: int = 120) -> Path:
    """Distinct row elements, as a sheet really holds them, until content.xml is ``megabytes``
    unpacked (the issue's 0.41 MB file that unpacked to 120 MB)."""
    row = ods_row(ods_cell("Popote roulante"), ods_cell("Laval"), ods_cell("H7N 1A1"))
    count = megabytes * 1_000_000 // len(row)

    def rows():
        yield ods_row(ods_cell("Nom"), ods_cell("Ville"), ods_cell("Code postal"))
        block = row * 1000
        for _n in range(count // 1000):
            yield block

    return ods(path, ods_table(rows()))


def ods_text_bomb(path: Path, megabytes: int = 120) -> Path:
    """One cell holding ``megabytes`` of text (and a second sheet nobody reads)."""

    def rows():
        yield ods_row(ods_cell("Nom"), ods_cell("Clientèle"))
        yield '<table:table-row><table:table-cell office:value-type="string"><text:p>Popote'
        yield "</text:p></table:table-cell><table:table-cell><text:p>"
        block = "x" * 1_000_000
        for _n in range(megabytes):
            yield block
        yield "</text:p></table:table-cell></table:table-row>"

    return ods(path, ods_table(rows()))


def ods_covered_bomb(path: Path, megabytes: int = 120) -> Path:
    """One row of ``megabytes`` of merged-away (covered) cells, each its own element."""

    def rows():
        yield ods_row(ods_cell("Nom"))
        yield "<table:table-row>" + ods_cell("Popote")
        block = "<table:covered-table-cell/>" * 40_000
        for _n in range(megabytes * 1_000_000 // len(block)):
            yield block
        yield "</table:table-row>"

    return ods(path, ods_table(rows()))


def xlsx_from(path: Path, sheet: Iterable[str], part: str = "xl/worksheets/sheet1.xml") -> Path:
    """A workbook made by openpyxl whose ``part`` (its first sheet's XML unless said) is
    replaced by the pieces of ``sheet`` (written as they come)."""
    import io

    from openpyxl import Workbook

    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["Nom"])
    workbook.save(buffer)
    source = zipfile.ZipFile(buffer)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            if item.filename == part:
                with archive.open(item.filename, "w") as target:
                    for piece in sheet:
                        target.write(piece.encode())
            else:
                archive.writestr(item, source.read(item.filename))
    return path


def xlsx_wide_bomb(path: Path, cells: int = 10_000_000) -> Path:
    """A sheet that says it spans A1:XFD1048576 and whose second row holds ``cells`` cells: a
    reader that builds a row before handing it over holds them all."""

    def sheet():
        yield (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SHEET_MAIN}">'
            '<dimension ref="A1:XFD1048576"/><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>Nom</t></is></c></row><row r="2">'
        )
        block = '<c t="n"><v>1</v></c>' * 10_000
        for _n in range(cells // 10_000):
            yield block
        yield "</row></sheetData></worksheet>"

    return xlsx_from(path, sheet())


def xlsx_text_bomb(path: Path, megabytes: int = 120) -> Path:
    """One inline cell of ``megabytes`` of text."""

    def sheet():
        yield (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SHEET_MAIN}"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>Nom</t></is></c></row>'
            '<row r="2"><c r="A2" t="inlineStr"><is><t>'
        )
        block = "x" * 1_000_000
        for _n in range(megabytes):
            yield block
        yield "</t></is></c></row></sheetData></worksheet>"

    return xlsx_from(path, sheet())


def xlsx_strings_bomb(path: Path, megabytes: int = 120) -> Path:
    """A shared strings table of ``megabytes``: tiny strings, millions of them (every text cell
    of a workbook refers to this table, so a reader keeps it whole)."""

    def sheet():
        yield (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SHEET_MAIN}"><sheetData>'
            '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
            '<row r="2"><c r="A2" t="s"><v>1</v></c></row></sheetData></worksheet>'
        )

    xlsx_from(path, sheet())
    data = path.read_bytes()
    source = zipfile.ZipFile(__import__("io").BytesIO(data))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                content = content.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            archive.writestr(item, content)
        with archive.open("xl/sharedStrings.xml", "w") as target:
            target.write(
                f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{SHEET_MAIN}">'
                "<si><t>Nom</t></si>".encode()
            )
            block = ("<si><t>x</t></si>" * 50_000).encode()
            for _n in range(megabytes * 1_000_000 // len(block)):
                target.write(block)
            target.write(b"</sst>")
    return path


def csv_line_bomb(path: Path, megabytes: int = 200) -> Path:
    """A header, then one line of ``megabytes`` with no line break."""
    with open(path, "wb") as file:
        file.write(b"Nom;Ville\r\n")
        block = b"x" * 1_000_000
        for _n in range(megabytes):
            file.write(block)
    return path


CHILD = r"""
import json, os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
sys.path.insert(0, os.getcwd())
import django
django.setup()
from django.conf import settings
from django.utils import translation
from imports.spreadsheets import SheetError, open_sheet

path, headroom, overrides = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
for name, value in overrides.items():
    setattr(settings, name, value)
translation.activate("en")
import openpyxl.worksheet._reader, xml.parsers.expat, csv, zipfile  # what reading imports

def vm_kb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])

base = vm_kb("VmSize") * 1024
resource.setrlimit(resource.RLIMIT_AS, (base + headroom * 2**20, resource.RLIM_INFINITY))
start, rss_before = time.perf_counter(), vm_kb("VmRSS")
result = {"rows": 0, "longest": 0}
try:
    with open_sheet(path) as sheet:
        result["headers"] = sheet.headers[:5]
        for number, values in sheet.rows:
            result["rows"] += 1
            result["last"] = number
            result["longest"] = max([result["longest"]] + [len(str(v)) for v in values])
            result["kinds"] = sorted({type(v).__name__ for v in values})
        result["notes"] = sheet.notes
    result["outcome"] = "read"
except SheetError as error:
    result["outcome"], result["message"] = "refused", str(error)
except MemoryError:
    result["outcome"] = "MemoryError"
result["seconds"] = round(time.perf_counter() - start, 2)
result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
result["rss_before_mb"] = round(rss_before / 1024)
print(json.dumps(result))
"""


def read_capped(
    path: Path, *, headroom_mb: int = 400, timeout: int = 180, settings: dict | None = None
) -> dict:
    """Read ``path`` with ``open_sheet`` (every row) in a child process capped at
    ``headroom_mb`` above its size once set up. The child's report: ``outcome`` (``read``,
    ``refused`` with ``message``, ``MemoryError``, or ``killed``/``timeout`` from here),
    ``rows``, ``seconds``, ``peak_rss_mb`` (its peak resident memory, start-up included)."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), str(headroom_mb), json.dumps(settings or {})],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"outcome": "timeout"}
    if done.returncode:
        return {"outcome": "killed", "returncode": done.returncode, "stderr": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])

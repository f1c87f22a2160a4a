"""Partner files for the import tests, built the way the programs partners use would build them."""

import io
import re
import zipfile

from openpyxl import Workbook

from imports.models import MappingProfile
from imports.services import batch_check, batch_create

# The columns a municipality sends (SCENARIOS.md, "The partner import"), and what they feed.
MUNICIPAL_COLUMNS = [
    ("No de dossier", "partner_id"),
    ("Nom de l'organisme", "name"),
    ("Adresse civique", "street_address"),
    ("Ville", "municipality"),
    ("Code postal", "postal_code"),
    ("Tél.", "phone"),
    ("Courriel", "email"),
    ("Site web", "website"),
    ("Clientèle", "eligibility_fr"),
]
MUNICIPAL_HEADERS = [column for column, _target in MUNICIPAL_COLUMNS]


def municipal_profile(**overrides) -> MappingProfile:
    values = {
        "name": "ville-test",
        "label": "Ville de test",
        "scheme": "ville-test",
        "layout": MappingProfile.Layout.ORGANISATION,
        "columns": [{"column": c, "target": t} for c, t in MUNICIPAL_COLUMNS],
    }
    values.update(overrides)
    return MappingProfile.objects.create(**values)


def xlsx(rows: list[list], *, merge: list[str] | None = None) -> bytes:
    """A workbook whose first sheet holds ``rows`` (the header first)."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for cells in merge or []:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_sheet_xml(data: bytes, transform) -> bytes:
    """The same workbook with its first sheet's XML changed by ``transform(xml) -> xml``:
    for what openpyxl cannot write (cached formula results, millions of formatted rows)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = transform(content.decode()).encode()
            target.writestr(item, content)
    return out.getvalue()


def csv_bytes(rows: list[list], *, encoding="utf-8", separator=",") -> bytes:
    lines = [separator.join(str(cell) for cell in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def check(data: bytes, profile: MappingProfile, filename="partenaire.xlsx", user=None):
    """Upload and dry-run a file; the batch comes back checked (or unreadable)."""
    batch = batch_create(file=io.BytesIO(data), filename=filename, profile=profile, user=user)
    return batch_check(batch=batch)


def results(batch) -> dict:
    """The batch's results by the first row number."""
    return {r.number: r for r in batch.results.all()}


def strip_dimension(xml: str) -> str:
    return re.sub(r"<dimension [^>]*/>", "", xml)

"""The export: the layout the default profile reads back, safe to open in a spreadsheet, with
private fields only for those allowed to see them."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from imports.exports import HEADERS, records_export
from imports.models import ImportRow
from imports.services import profile_default
from organisations.factories import (
    LocationFactory,
    OpeningHoursFactory,
    OrganisationFactory,
    PhoneFactory,
    ServiceFactory,
    category,
    territory,
)
from organisations.models import Organisation, OrganisationIdentifier

from .sheets import check

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_record():
    """A record with several of everything, every kind of field filled."""
    organisation = OrganisationFactory(
        name='=HYPERLINK("http://evil.example","Cliquez")',
        alternate_name="-CDC",
        description_fr="- Repas chauds\n- Épicerie solidaire",
        description_en="@home meals",
        website="https://cdc.example/accueil",
        legal_status="charity",
        enterprise_number="1234567890",
        charity_number="123456789RR0001",
        preferred_language="en",
        update_contact_name="Josée Tremblay",
        update_contact_email="josee@cdc.example",
        update_contact_phone="514 555-0199",
    )
    OrganisationIdentifier.objects.create(
        organisation=organisation, scheme="ville-laval", identifier="42"
    )
    ServiceFactory(
        organisation=organisation,
        name_fr="Popote roulante",
        name_en="Meals on wheels",
        languages="fr, en, es",
        status="temporarily closed",
        status_changed_at="2026-10-01",
        categories=[category("popote-roulante"), category("aide-alimentaire")],
        service_areas=[territory("laval"), territory("secteur-laval")],
    )
    ServiceFactory(organisation=organisation, name_fr="Friperie", fees_fr="+2 $ par sac")
    ServiceFactory(organisation=organisation, name_fr="Halte-garderie")
    shelter = LocationFactory(
        organisation=organisation,
        name="Refuge",
        street_address="99 rue Secrète",
        unit="app. 3",
        municipality=territory("laval"),
        postal_code="H7N 1A1",
        address_is_confidential=True,
    )
    office = LocationFactory(organisation=organisation, municipality=territory("duvernay"))
    OpeningHoursFactory(location=office, weekday=1, opens="09:00", closes="12:00")
    OpeningHoursFactory(location=office, weekday=1, opens="13:00", closes="17:00")
    OpeningHoursFactory(location=shelter, weekday=7, opens="00:00", closes="23:59")
    PhoneFactory(organisation=organisation, number="+15145550100", extension="12", kind="voice")
    PhoneFactory(
        organisation=organisation, number="+18005550101", kind="toll_free", label_fr="Sans frais"
    )
    OrganisationFactory(name="Sans rien")  # an organisation with no children: one row
    return organisation


def rows_of(fmt: str, *, confidential=True) -> list[list]:
    buffer = io.BytesIO()
    records_export(Organisation.objects.all(), format=fmt, stream=buffer, confidential=confidential)
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(buffer.getvalue()), read_only=True).active
        return [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    return list(csv.reader(io.StringIO(buffer.getvalue().decode("utf-8-sig"))))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_with_the_default_profile_is_all_unchanged(full_record, fmt):
    buffer = io.BytesIO()
    records_export(Organisation.objects.all(), format=fmt, stream=buffer, confidential=True)
    batch = check(buffer.getvalue(), profile_default(), f"export.{fmt}")
    outcomes = {r.name: (r.outcome, r.changes, r.errors) for r in batch.results.all()}
    assert outcomes == {
        full_record.name: (ImportRow.Outcome.UNCHANGED, [], []),
        "Sans rien": (ImportRow.Outcome.UNCHANGED, [], []),
    }
    assert batch.summary["rows"] == 4  # three services: three lines, plus the empty record


def test_an_export_without_the_permission_leaves_private_fields_blank_and_still_reads_back(
    full_record,
):
    rows = rows_of("csv", confidential=False)
    header = rows[0]
    text = json.dumps(rows)
    for secret in ("99 rue Secrète", "app. 3", "H7N 1A1", "Josée", "josee@cdc.example", "Refuge"):
        assert secret not in text
    assert rows[1][header.index("municipality")] == "laval"  # the place stays, not the address
    buffer = io.BytesIO()
    records_export(Organisation.objects.all(), format="csv", stream=buffer, confidential=False)
    batch = check(buffer.getvalue(), profile_default(), "export.csv")
    assert {r.outcome for r in batch.results.all()} == {ImportRow.Outcome.UNCHANGED}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised(full_record, fmt):
    rows = rows_of(fmt)
    header = rows[0]
    cells = [cell for row in rows[1:] for cell in row]
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in cells)
    first = rows[1]
    assert first[header.index("name")].startswith("'=HYPERLINK")
    assert first[header.index("alternate_name")] == "'-CDC"
    assert first[header.index("description_en")] == "'@home meals"
    assert first[header.index("phone")] == "'+15145550100"


def test_the_layout_puts_one_service_place_and_phone_per_line(full_record):
    rows = rows_of("csv")
    header = rows[0]
    assert header == HEADERS
    lines = [dict(zip(header, row, strict=True)) for row in rows[1:] if row[1] != "Sans rien"]
    assert [line["service_name_fr"] for line in lines] == [
        "Popote roulante",
        "Friperie",
        "Halte-garderie",
    ]
    assert [line["municipality"] for line in lines] == ["laval", "Duvernay", ""]
    assert [line["phone_kind"] for line in lines] == ["voice", "toll_free", ""]
    first = lines[0]
    assert sorted(first["categories"].split("; ")) == ["aide-alimentaire", "popote-roulante"]
    # "Laval" names the municipality and the sector: their slugs say which.
    assert sorted(first["service_areas"].split("; ")) == ["laval", "secteur-laval"]
    assert first["hours"] == "di 00:00-23:59"
    assert lines[1]["hours"] == "lu 09:00-12:00; lu 13:00-17:00"
    assert first["identifiers"] == "ville-laval:42"
    assert {line["name"] for line in lines} == {"'" + full_record.name}  # repeated on every line


def test_the_export_command_writes_either_format(tmp_path, full_record):
    for fmt in ("xlsx", "csv"):
        path = tmp_path / f"organismes.{fmt}"
        call_command("export_records", str(path), stdout=io.StringIO())
        assert path.stat().st_size > 0
    with pytest.raises(CommandError, match=r"must end in \.xlsx or \.csv"):
        call_command("export_records", str(tmp_path / "out.pdf"))


def test_the_export_command_leaves_private_fields_out_unless_asked(tmp_path, full_record):
    path = tmp_path / "out.csv"
    call_command("export_records", str(path), stdout=io.StringIO())
    assert "Josée" not in path.read_text(encoding="utf-8-sig")
    call_command("export_records", str(path), "--confidential", stdout=io.StringIO())
    assert "Josée" in path.read_text(encoding="utf-8-sig")

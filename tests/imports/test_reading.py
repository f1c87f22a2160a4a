"""Whatever a partner's file is like, the dry run ends in an explanation: never a traceback, and
nothing written to the records."""

import codecs
import datetime
import io
import zipfile

import pytest
import tablib

from imports.models import ImportBatch, ImportRow
from imports.spreadsheets import SheetError, open_sheet
from organisations.models import Organisation

from .bombs import (
    ODS_HEAD,
    ODS_TAIL,
    csv_line_bomb,
    ods,
    ods_cell,
    ods_repeat_bomb,
    ods_row,
    ods_rows_bomb,
    ods_table,
    ods_text_bomb,
    read_capped,
    xlsx_text_bomb,
    xlsx_wide_bomb,
)
from .sheets import (
    MUNICIPAL_HEADERS,
    check,
    csv_bytes,
    municipal_profile,
    results,
    with_sheet_xml,
    xlsx,
)

pytestmark = pytest.mark.django_db

ROW = ["L-1", "Popote roulante de Laval", "1200 boul. Saint-Martin O.", "Laval", "H7S 1M9",
       "450 555-0101", "info@popote.example", "popote.example", "Aînés"]  # fmt: skip


@pytest.fixture
def profile():
    return municipal_profile()


def unreadable(batch) -> str:
    assert batch.status == ImportBatch.Status.UNREADABLE
    assert not batch.results.exists()
    return batch.message


def test_an_empty_file_is_refused_with_a_reason(profile):
    assert unreadable(check(b"", profile)) == "The file is empty."


def test_a_sheet_with_nothing_in_it_has_no_header(profile):
    assert "no header row" in unreadable(check(xlsx([]), profile))


def test_a_file_with_only_its_header_reads_as_no_data(profile):
    batch = check(xlsx([MUNICIPAL_HEADERS]), profile)
    assert batch.status == ImportBatch.Status.CHECKED
    assert batch.summary["rows"] == 0
    assert "a header row but no data" in " ".join(batch.summary["notes"])


def test_unknown_columns_are_listed_not_refused(profile):
    batch = check(xlsx([[*MUNICIPAL_HEADERS, "Remarques internes"], [*ROW, "à rappeler"]]), profile)
    assert batch.status == ImportBatch.Status.CHECKED
    assert batch.summary["unmapped_columns"] == ["Remarques internes"]
    assert batch.summary["new"] == 1


def test_a_missing_column_the_profile_reads_is_named(profile):
    headers = [h for h in MUNICIPAL_HEADERS if h != "Tél."]
    message = unreadable(check(xlsx([headers, ROW[:5] + ROW[6:]]), profile))
    assert "“Tél.” (Phone)" in message
    assert "Columns found" in message


def test_headers_match_whatever_their_case_accents_and_spacing(profile):
    headers = [h.upper().replace("É", "E") for h in MUNICIPAL_HEADERS]
    headers[1] = "  nom   de l'organisme "
    batch = check(xlsx([headers, ROW]), profile)
    assert batch.summary["new"] == 1


def test_the_header_is_the_first_non_empty_row(profile):
    batch = check(xlsx([[], [None, None], ["", ""], MUNICIPAL_HEADERS, ROW]), profile)
    assert batch.summary["header_row"] == 4
    assert list(results(batch)) == [5]


def test_a_corrupt_workbook_is_refused(profile):
    data = xlsx([MUNICIPAL_HEADERS, ROW])
    message = unreadable(check(data[: len(data) // 2], profile))
    assert "damaged" in message


def test_a_zip_that_is_not_a_workbook_is_refused(profile):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "damaged or is not an Excel workbook" in unreadable(check(buffer.getvalue(), profile))


def test_a_password_protected_workbook_is_refused_with_what_to_do(profile):
    # Excel saves an encrypted workbook in a Compound File container, as it did .xls files.
    data = codecs.decode("d0cf11e0a1b11ae1", "hex") + b"\x00" * 4_000
    message = unreadable(check(data, profile))
    assert "password-protected" in message
    assert "save it as .xlsx without a password" in message


def test_a_zip_bomb_stops_before_anything_is_unpacked(profile, settings):
    settings.REPERTOIRE_IMPORT_MAX_UNCOMPRESSED_BYTES = 2_000_000
    bomb = with_sheet_xml(
        xlsx([MUNICIPAL_HEADERS, ROW]),
        lambda xml: xml.replace("</worksheet>", "<!--" + " " * 5_000_000 + "--></worksheet>"),
    )
    assert len(bomb) < 100_000
    message = unreadable(check(bomb, profile))
    assert "Once unpacked" in message and "Nothing was imported" in message


def test_a_file_over_the_size_limit_is_refused(profile, settings):
    settings.REPERTOIRE_IMPORT_MAX_BYTES = 1_000
    message = unreadable(check(xlsx([MUNICIPAL_HEADERS, ROW]), profile))
    assert "the limit is 0.0 MB" in message or "the limit is" in message


def test_a_sheet_formatted_down_a_million_rows_stops_after_the_empty_run(profile):
    """Formatting without values makes a row element per row: openpyxl would walk them all."""

    def million_formatted_rows(xml: str) -> str:
        rows = "".join(f'<row r="{n}"><c r="A{n}" s="0"/></row>' for n in range(3, 1_000_003))
        return xml.replace("</sheetData>", rows + "</sheetData>")

    data = with_sheet_xml(xlsx([MUNICIPAL_HEADERS, ROW]), million_formatted_rows)
    batch = check(data, profile)
    assert batch.status == ImportBatch.Status.CHECKED
    assert batch.summary["new"] == 1
    assert "Reading stopped at row 1002 after 1000 empty rows" in batch.summary["notes"][0]


def test_more_rows_than_the_limit_stop_the_file_with_a_message(profile, settings):
    settings.REPERTOIRE_IMPORT_MAX_ROWS = 3
    rows = [MUNICIPAL_HEADERS] + [[f"L-{n}", f"Organisme {n}", *ROW[2:]] for n in range(5)]
    assert "more than 3 rows" in unreadable(check(xlsx(rows), profile))


def test_rows_are_read_as_they_are_needed():
    """A streamed sheet: the first rows arrive before the row limit is reached further down."""
    rows = [["Nom"]] + [[f"Organisme {n}"] for n in range(10)]
    with open_sheet(io.BytesIO(xlsx(rows))) as sheet:
        from django.test import override_settings

        with override_settings(REPERTOIRE_IMPORT_MAX_ROWS=4):
            seen = []
            with pytest.raises(SheetError):
                for _number, values in sheet.rows:
                    seen.append(values[0])
    assert seen == ["Organisme 0", "Organisme 1", "Organisme 2", "Organisme 3"]


def test_a_formula_gives_its_saved_result(profile):
    data = with_sheet_xml(
        xlsx([MUNICIPAL_HEADERS, ROW]),
        lambda xml: xml.replace(
            '<c r="B2" t="inlineStr"><is><t>Popote roulante de Laval</t></is></c>',
            '<c r="B2" t="str"><f>CONCATENATE("Popote ","de Laval")</f><v>Popote de Laval</v></c>',
        ),
    )
    batch = check(data, profile)
    assert results(batch)[2].name == "Popote de Laval"


def test_a_formula_without_a_saved_result_is_reported_on_its_row(profile):
    row = list(ROW)
    row[6] = '=CONCATENATE("info","@popote.example")'  # openpyxl saves no result for it
    batch = check(xlsx([MUNICIPAL_HEADERS, row]), profile)
    [error] = results(batch)[2].errors
    assert error["column"] == "Courriel"
    assert "formula" in error["message"] and "save it again" in error["message"]


def test_a_cell_showing_an_error_is_reported(profile):
    data = with_sheet_xml(
        xlsx([MUNICIPAL_HEADERS, ROW]),
        lambda xml: xml.replace(
            '<c r="G2" t="inlineStr"><is><t>info@popote.example</t></is></c>',
            '<c r="G2" t="e"><f>A1/0</f><v>#DIV/0!</v></c>',
        ),
    )
    [error] = results(check(data, profile))[2].errors
    assert error["message"] == "The cell shows an error (#DIV/0!)."


def test_merged_organisation_cells_group_the_services_under_it():
    profile = municipal_profile(
        layout="service",
        columns=[
            {"column": "Organisme", "target": "name"},
            {"column": "Ville", "target": "municipality"},
            {"column": "Service", "target": "service_name_fr"},
        ],
    )
    rows = [
        ["Organisme", "Ville", "Service"],
        ["Maison de la famille", "Longueuil", "Halte-garderie"],
        [None, None, "Ateliers parents-enfants"],
        [None, None, "Friperie"],
        ["Entraide Boucherville", "Boucherville", "Dépannage alimentaire"],
    ]
    batch = check(xlsx(rows, merge=["A2:A4", "B2:B4"]), profile)
    found = results(batch)
    assert list(found) == [2, 5]
    assert found[2].rows == [2, 3, 4]
    assert [s["name_fr"] for s in found[2].data["services"]] == [
        "Halte-garderie",
        "Ateliers parents-enfants",
        "Friperie",
    ]


def test_numbers_typed_as_numbers_and_dates_as_text_are_understood():
    profile = municipal_profile(
        layout="service",
        columns=[
            {"column": "Nom", "target": "name"},
            {"column": "Tél.", "target": "phone"},
            {"column": "NEQ", "target": "enterprise_number"},
            {"column": "Service", "target": "service_name_fr"},
            {"column": "Statut depuis", "target": "service_status_since"},
        ],
    )
    rows = [
        ["Nom", "Tél.", "NEQ", "Service", "Statut depuis"],
        ["Un", 5145551234.0, 1234567890, "Repas", "31/03/2026"],
        ["Deux", "514.555.1235 poste 22", "1234567891", "Repas", datetime.datetime(2026, 4, 1)],
    ]
    found = results(check(xlsx(rows), profile))
    assert found[2].data["phones"] == [{"number": "+15145551234"}]
    assert found[2].data["organisation"]["enterprise_number"] == "1234567890"
    assert found[2].data["services"][0]["status_changed_at"] == "2026-03-31"
    assert found[3].data["phones"] == [{"number": "+15145551235", "extension": "22"}]
    assert found[3].data["services"][0]["status_changed_at"] == "2026-04-01"


@pytest.mark.parametrize("kind", ["xlsx", "csv", "ods"])
def test_a_five_megabyte_cell_is_an_error_on_its_row_not_a_crash(profile, kind):
    row = list(ROW)
    row[8] = "x" * 5_000_000  # openpyxl (like Excel) keeps the first 32,767 characters
    rows = [MUNICIPAL_HEADERS, row]
    if kind == "ods":
        data = tablib.Dataset(tuple(row), headers=MUNICIPAL_HEADERS).export("ods")
    else:
        data = xlsx(rows) if kind == "xlsx" else csv_bytes(rows, separator=";")
    batch = check(data, profile, f"f.{kind}")
    [error] = results(batch)[2].errors
    assert error["column"] == "Clientèle"
    assert "characters; at most 20000 are accepted" in error["message"]
    assert len(error["value"]) <= 200


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("Courriel", "info@popote", "“info@popote” is not an email address."),
        ("Site web", "http://", "“http://” is not a website address."),
        ("Site web", "javascript:alert(1)", "is not a website address"),
        (
            "Code postal",
            "H2X 1Y",
            "The postal code “H2X 1Y” is incomplete: a Canadian postal code has six characters",
        ),
        ("Code postal", "90210", "is incomplete"),
        ("Code postal", "HHH 111", "is not a Canadian postal code"),
        ("Tél.", "555-01", "is not a"),
        ("Ville", "Springfield", "is not a municipality or borough of Greater Montréal"),
        ("Ville", "Lavall", "Did you mean “Laval”?"),
    ],
)
def test_a_bad_value_is_explained_with_its_row_and_column(profile, column, value, message):
    row = list(ROW)
    row[MUNICIPAL_HEADERS.index(column)] = value
    rows = [MUNICIPAL_HEADERS, ROW, row]
    rows[1] = ["L-0", "Autre organisme", *ROW[2:]]
    batch = check(xlsx(rows), profile)
    found = results(batch)
    assert found[2].outcome == ImportRow.Outcome.NEW
    [error] = found[3].errors
    assert error["row"] == 3
    assert error["column"] == column
    assert error["value"] == value
    assert message in error["message"]
    assert found[3].outcome == ImportRow.Outcome.ERROR
    assert batch.summary["errors"] == 1


def test_a_website_without_its_scheme_gets_https(profile):
    batch = check(xlsx([MUNICIPAL_HEADERS, ROW]), profile)
    assert results(batch)[2].data["organisation"]["website"] == "https://popote.example"


CSV_ROWS = [MUNICIPAL_HEADERS, ["L-1", "Centre d'entraide Sainte-Thérèse", *ROW[2:]]]


@pytest.mark.parametrize(
    ("encoding", "separator"),
    [
        ("utf-8", ","),
        ("utf-8-sig", ";"),
        ("cp1252", ";"),
        ("latin-1", "\t"),
        ("utf-16", "\t"),  # Excel's "Unicode text"
    ],
)
def test_csv_in_any_common_encoding_and_separator(profile, encoding, separator):
    rows = [[cell.replace(",", "") for cell in row] for row in CSV_ROWS]
    batch = check(csv_bytes(rows, encoding=encoding, separator=separator), profile, "f.csv")
    assert batch.summary["format"] == "csv"
    [result] = batch.results.all()
    assert result.name == "Centre d'entraide Sainte-Thérèse"
    assert result.data["locations"][0]["street_address"] == "1200 boul. Saint-Martin O."


def test_csv_cells_may_hold_separators_and_line_breaks_in_quotes(profile):
    data = (
        "No de dossier;Nom de l'organisme;Adresse civique;Ville;Code postal;Tél.;Courriel;"
        'Site web;Clientèle\r\nL-1;"Aide; entraide";"12 rue A\nbureau 3";Laval;H7S 1M9;;;;'
        "\r\nL-2;Deux;;Laval;;;;;\r\n"
    ).encode()
    found = results(check(data, profile, "f.csv"))
    assert found[2].name == "Aide; entraide"
    assert found[2].data["locations"][0]["street_address"] == "12 rue A\nbureau 3"
    assert found[3].name == "Deux"


def test_an_unclosed_quote_in_csv_shows_as_one_overlong_cell(profile, settings):
    """The rest of the file falls into the quoted cell: its row says so, nothing is written."""
    settings.REPERTOIRE_IMPORT_MAX_CELL_CHARS = 100
    profile.columns = [{"column": "Nom de l'organisme", "target": "name"}]
    profile.save()
    lines = ["Nom de l'organisme", '"Jamais fermé'] + [f"Organisme {n}" for n in range(20)]
    batch = check("\r\n".join(lines).encode(), profile, "f.csv")
    [result] = batch.results.all()
    assert result.number == 2
    assert "characters; at most 100 are accepted" in result.errors[0]["message"]
    assert not Organisation.objects.exists()


def test_an_ods_spreadsheet_is_read(profile):
    dataset = tablib.Dataset(*[tuple(ROW)], headers=MUNICIPAL_HEADERS)
    batch = check(dataset.export("ods"), profile, "f.ods")
    assert batch.summary["format"] == "ods"
    assert [r.name for r in batch.results.all()] == ["Popote roulante de Laval"]


def test_a_binary_file_that_is_no_spreadsheet_is_refused(profile):
    assert "not a spreadsheet" in unreadable(check(bytes(range(256)) * 20, profile, "photo.jpg"))


def test_the_dry_run_writes_no_record(profile):
    before = Organisation.objects.count()
    check(xlsx([MUNICIPAL_HEADERS, ROW]), profile)
    assert Organisation.objects.count() == before


def test_an_xml_entity_bomb_inside_a_workbook_is_refused(profile):
    """openpyxl parses with defusedxml when it is installed (it is a dependency for this)."""
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    data = with_sheet_xml(
        xlsx([MUNICIPAL_HEADERS, ROW]),
        lambda xml: laughs + xml.split("?>", 1)[-1].replace("Popote roulante de Laval", "&lol3;"),
    )
    message = unreadable(check(data, profile))
    assert "damaged" in message


# --- Files built to overload the server (issue 17): read in a child process capped at 400 MB
# above its start-up size; before, a 0.41 MB ODS took 2.25 GB and two minutes.


def test_an_ods_of_a_billion_repeated_cells_is_refused_under_a_memory_cap(tmp_path):
    result = read_capped(ods_repeat_bomb(tmp_path / "f.ods"))
    assert result["outcome"] == "refused", result
    assert "values in 501 columns or more; at most 500 columns are read" in result["message"]
    assert result["seconds"] < 5


def test_an_ods_that_unpacks_to_120_mb_stops_at_the_row_limit_under_a_memory_cap(tmp_path):
    path = ods_rows_bomb(tmp_path / "f.ods")
    assert path.stat().st_size < 1_000_000
    result = read_capped(path)
    assert result["outcome"] == "refused", result
    assert result["message"] == (
        "The file has more than 100000 rows. Split it in parts of at most 100000."
    )
    assert result["rows"] == 100_000  # handed over one at a time, as they were read


def test_an_ods_cell_of_120_mb_is_counted_not_kept(tmp_path):
    result = read_capped(ods_text_bomb(tmp_path / "f.ods"))
    assert result["outcome"] == "read", result
    assert result["rows"] == 1
    assert "OverlongCell" in result["kinds"] and result["longest"] <= 200


def test_an_xlsx_row_of_ten_million_cells_is_refused_under_a_memory_cap(tmp_path):
    result = read_capped(xlsx_wide_bomb(tmp_path / "f.xlsx"))
    assert result["outcome"] == "refused", result
    assert "at most 500 columns are read" in result["message"]


def test_an_xlsx_cell_of_120_mb_is_counted_not_kept(tmp_path):
    result = read_capped(xlsx_text_bomb(tmp_path / "f.xlsx"))
    assert result["outcome"] == "read", result
    assert "OverlongCell" in result["kinds"] and result["longest"] <= 200


def test_a_200_mb_csv_line_is_refused_without_being_read_whole(tmp_path):
    result = read_capped(
        csv_line_bomb(tmp_path / "f.csv"), settings={"REPERTOIRE_IMPORT_MAX_BYTES": 300_000_000}
    )
    assert result["outcome"] == "refused", result
    assert result["message"].startswith("Line 2 of the file holds more than 10000000 characters")


def test_a_200_mb_csv_is_refused_by_its_size_before_anything_is_read(profile, tmp_path):
    path = csv_line_bomb(tmp_path / "f.csv")
    with pytest.raises(SheetError) as refused, open_sheet(str(path)):
        pass
    assert str(refused.value) == "The file is 200.0 MB; the limit is 20.0 MB. Split it in parts."


def test_a_cell_with_an_open_quote_past_the_longest_line_is_refused(settings):
    settings.REPERTOIRE_IMPORT_MAX_CELL_CHARS = 10
    settings.REPERTOIRE_IMPORT_MAX_COLUMNS = 10
    data = ('Nom\r\n"Jamais fermé\r\n' + "Organisme\r\n" * 50).encode()
    with pytest.raises(SheetError) as refused, open_sheet(io.BytesIO(data)) as sheet:
        list(sheet.rows)
    assert "holds more than 100 characters (a quotation mark left open?)" in str(refused.value)


def test_reading_stops_at_the_time_limit_with_a_message(settings, tmp_path):
    """Only the time inside the reader counts: what is done with each row is not reading."""
    settings.REPERTOIRE_IMPORT_MAX_READ_SECONDS = 1
    path = ods_rows_bomb(tmp_path / "f.ods", megabytes=60)
    read = 0
    with pytest.raises(SheetError) as refused, open_sheet(str(path)) as sheet:
        for _row in sheet.rows:
            read += 1
    assert 0 < read < 100_000
    assert str(refused.value).startswith("Reading the file took more than 1 second, the limit")
    assert "Nothing was imported." in str(refused.value)


def test_a_row_wider_than_the_column_limit_is_refused_with_the_figures(settings):
    settings.REPERTOIRE_IMPORT_MAX_COLUMNS = 3
    with pytest.raises(SheetError) as refused, open_sheet(io.BytesIO(xlsx([["a"] * 4]))):
        pass
    assert str(refused.value).startswith(
        "A row of the sheet has values in 4 columns or more; at most 3 columns are read."
    )


# --- Ordinary OpenDocument files, read as a stream


def test_an_ods_file_is_read_as_its_program_shows_it(tmp_path):
    """Typed values, text as displayed (spaces, paragraphs; no comments), repeated cells and
    rows, covered (merged) cells, empty rows kept in the numbering, the formatted rows after
    the data not reported, only the first sheet."""
    empty_rows = (
        '<table:table-row table:number-rows-repeated="2">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    values = (
        "<table:table-row>"
        '<table:table-cell office:value-type="string"><text:p>Popote<text:s text:c="2"/>'
        "roulante</text:p><text:p>de <text:span>Laval</text:span></text:p></table:table-cell>"
        '<table:table-cell office:value-type="float" office:value="5145551234">'
        "<text:p>514 555-1234</text:p></table:table-cell>"
        '<table:table-cell office:value-type="date" office:date-value="2026-03-31">'
        "<text:p>31/03/26</text:p></table:table-cell>"
        '<table:table-cell office:value-type="boolean" office:boolean-value="true">'
        "<text:p>VRAI</text:p></table:table-cell>"
        "<table:table-cell><office:annotation><text:p>note interne</text:p></office:annotation>"
        "<text:p>visible</text:p></table:table-cell>"
        '<table:table-cell office:value-type="date" office:date-value="2026-04-01T10:30:00"/>'
        '<table:table-cell office:value-type="time" office:time-value="PT10H30M00S"/>'
        '<table:table-cell office:value-type="percentage" office:value="0.5"/>'
        "</table:table-row>"
    )
    merged = (
        "<table:table-row>"
        + ods_cell("même", repeat=2)
        + '<table:covered-table-cell table:number-columns-repeated="2"/>'
        + ods_cell("fin")
        + '<table:table-cell table:number-columns-repeated="1019"/></table:table-row>'
    )
    formatted_to_the_end = (
        '<table:table-row table:number-rows-repeated="1048568">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    path = ods(
        tmp_path / "f.ods",
        [
            *ods_table(
                [
                    ods_row(ods_cell("Nom"), ods_cell("Tél."), ods_cell("Depuis")),
                    empty_rows,
                    values,
                    merged,
                    ods_row(ods_cell("bis"), repeat=2),
                    formatted_to_the_end,
                ]
            ),
            *ods_table([ods_row(ods_cell("Autre feuille"))], name="Feuille2"),
        ],
    )
    with open_sheet(str(path)) as sheet:
        rows = list(sheet.rows)
    assert sheet.format == "ods"
    assert (sheet.header_row, sheet.headers) == (1, ["Nom", "Tél.", "Depuis"])
    assert rows == [
        (
            4,
            [
                "Popote  roulante\nde Laval",
                5145551234.0,
                datetime.date(2026, 3, 31),
                True,
                "visible",
                datetime.datetime(2026, 4, 1, 10, 30),
                datetime.time(10, 30),
                0.5,
            ],
        ),
        (5, ["même", "même", None, None, "fin"]),
        (6, ["bis"]),
        (7, ["bis"]),
    ]
    assert sheet.notes == []


def test_an_ods_is_imported_with_its_numbers_and_dates_understood(tmp_path):
    profile = municipal_profile(
        layout="service",
        columns=[
            {"column": "Nom", "target": "name"},
            {"column": "Tél.", "target": "phone"},
            {"column": "Service", "target": "service_name_fr"},
            {"column": "Statut depuis", "target": "service_status_since"},
        ],
    )
    dated = (
        '<table:table-cell office:value-type="date" office:date-value="2026-03-31">'
        "<text:p>31 mars 2026</text:p></table:table-cell>"
    )
    phone = (
        '<table:table-cell office:value-type="float" office:value="5145551234">'
        "<text:p>5,15E+09</text:p></table:table-cell>"
    )
    path = ods(
        tmp_path / "f.ods",
        ods_table(
            [
                ods_row(*(ods_cell(h) for h in ["Nom", "Tél.", "Service", "Statut depuis"])),
                ods_row(ods_cell("Un"), phone, ods_cell("Repas"), dated),
            ]
        ),
    )
    found = results(check(path.read_bytes(), profile, "f.ods"))
    assert found[2].data["phones"] == [{"number": "+15145551234"}]
    assert found[2].data["services"][0]["status_changed_at"] == "2026-03-31"


def test_an_ods_declaring_entities_is_refused_as_damaged(profile):
    laughs = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    content = (
        ODS_HEAD.replace("?>", "?>" + laughs, 1)
        + "".join(ods_table([ods_row(ods_cell("Nom")), ods_row(ods_cell("&lol2;"))]))
        + ODS_TAIL
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    assert "damaged" in unreadable(check(buffer.getvalue(), profile, "f.ods"))

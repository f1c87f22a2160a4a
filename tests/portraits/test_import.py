"""Past requests from the call system's export: every row checked first, problems in words by
row, all or nothing; a broken file explained, never a traceback."""

import shutil
import zipfile
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from openpyxl import Workbook
from reversion.models import Version

from portraits.counts import counts_rebuild
from portraits.importing import requests_check, requests_import
from portraits.models import (
    MonthlyNeedCount,
    MonthlyRequestCount,
    Need,
    Request,
    RequestImport,
)

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "data" / "requests-sample.csv"
HEADER = "date;canal;langue;territoire;besoin;résultat;raison\n"


@pytest.fixture(autouse=True)
def _english():
    """Messages compared in English (their French is the catalogue's)."""
    with translation.override("en"):
        yield


def written(tmp_path, text: str, name="export.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def nothing_written():
    return not (
        Request.objects.exists()
        or Need.objects.exists()
        or MonthlyNeedCount.objects.exists()
        or MonthlyRequestCount.objects.exists()
        or RequestImport.objects.exists()
    )


def test_the_sample_file_is_imported_as_communications_with_their_needs():
    checked = requests_import(SAMPLE, imported_by="nadia")

    assert checked.ok, checked.errors
    assert (Request.objects.count(), Need.objects.count()) == (6, 7)
    first = Request.objects.get(needs__reason="waiting_list")
    assert (first.channel, first.language, first.territory.slug, first.age_band) == (
        "phone",
        "fr",
        "montreal-nord",
        "45-64",
    )
    assert [n.category.code for n in first.needs.order_by("position")] == [
        "banques-alimentaires",
        "recherche-logement",
    ]
    assert Request.objects.get(language="ar").received_on == date(2024, 3, 5)  # 05/03/2024
    assert Request.objects.get(needs__category__code="sante-mentale").territory is None
    snow = Need.objects.get(category__code="deneigement")
    assert (snow.outcome, snow.reason, snow.request.language) == ("unmet", "cost", "other")
    assert snow.request.territory.slug == "montreal"  # by its MAMH code
    assert any("other language" in note for note in checked.notes)
    assert {r.source for r in Request.objects.all()} == {"imported"}


def test_the_counts_of_an_import_are_those_of_its_rows():
    requests_import(SAMPLE)
    kept = sorted(map(str, MonthlyNeedCount.objects.values_list(*MonthlyNeedCount.KEY, "count")))
    assert counts_rebuild() == (6, 7)
    again = sorted(map(str, MonthlyNeedCount.objects.values_list(*MonthlyNeedCount.KEY, "count")))
    assert again == kept
    march = MonthlyRequestCount.objects.filter(month=date(2024, 3, 1), territory__slug="cmm")
    assert sum(march.values_list("count", flat=True)) == 4


def test_an_import_is_one_entry_of_the_audit_trail():
    checked = requests_import(SAMPLE, imported_by="nadia")
    version = Version.objects.get_for_object(checked.imported).get()
    assert version.revision.audit_source.source == "import"
    assert version.revision.audit_source.reference == "requests-sample.csv"
    assert checked.imported.requests == 6 and checked.imported.needs == 7


def test_a_dry_run_writes_nothing():
    checked = requests_import(SAMPLE, dry_run=True)
    assert checked.ok and len(checked.requests) == 6
    assert nothing_written()


def test_the_same_file_is_not_counted_twice(tmp_path):
    requests_import(SAMPLE)
    copy = tmp_path / "again.csv"
    shutil.copy(SAMPLE, copy)
    checked = requests_import(copy)
    assert "already imported" in checked.refused
    assert Request.objects.count() == 6


def test_row_errors_are_said_in_words_and_the_file_is_refused_whole(tmp_path):
    path = written(
        tmp_path,
        HEADER
        + "2024-03-04;téléphone;fr;Verdun;Aide alimentaire;orienté;\n"
        + "2024-03-04;téléphone;fr;Verdun;xyz;orienté;\n"
        + "2024-03-04;pigeon;fr;Atlantide;Aide alimentaire;non répondu;\n"
        + "2099-01-01;téléphone;fr;Verdun;Aide alimentaire;orienté;coût\n"
        + "hier;téléphone;fr;Verdun;Aide alimentaire;peut-être;\n",
    )

    checked = requests_import(path)

    assert checked.errors == [
        "line 3: need « xyz » unknown",
        "line 4: channel « pigeon » unknown (phone, email, chat or walk-in)",
        "line 4: territory « Atlantide » unknown",
        "line 4: an unmet need needs its reason (one of the seven)",
        "line 5: date 2099-01-01 is in the future",
        "line 5: a reason is given but the need is not unmet",
        "line 6: date « hier » not understood (write it 2024-03-15)",
        "line 6: outcome « peut-être » unknown (referred, information only or unmet)",
    ]
    assert nothing_written()


def test_the_command_lists_the_errors_and_writes_nothing(tmp_path):
    path = written(tmp_path, HEADER + "2024-03-04;téléphone;fr;Verdun;xyz;orienté;\n")
    errors = StringIO()
    with pytest.raises(CommandError, match=r"1 row error\. Nothing was imported"):
        call_command("import_requests", str(path), stderr=errors)
    assert "line 2: need « xyz » unknown" in errors.getvalue()
    assert nothing_written()


def test_the_command_imports_and_says_what(tmp_path):
    out = StringIO()
    call_command("import_requests", str(SAMPLE), "--dry-run", stdout=out)
    assert "6 requests, 7 needs, from 2024-03-04 to 2024-04-12" in out.getvalue()
    assert "nothing was written" in out.getvalue()
    assert nothing_written()
    call_command("import_requests", str(SAMPLE), stdout=out)
    assert Request.objects.count() == 6


def test_a_reason_belongs_to_unmet_needs_only(tmp_path):
    path = written(tmp_path, HEADER + "2024-03-04;téléphone;fr;Verdun;Emploi;orienté;coût\n")
    assert requests_check(path).errors == ["line 2: a reason is given but the need is not unmet"]


def test_rows_of_one_request_must_agree(tmp_path):
    path = written(
        tmp_path,
        "date;canal;langue;territoire;besoin;résultat;raison;demande\n"
        "2024-03-04;téléphone;fr;Verdun;Emploi;information;;77\n"
        "2024-03-05;téléphone;fr;Verdun;Aide alimentaire;information;;77\n",
    )
    assert requests_check(path).errors == [
        "line 3: request 77 has another date, channel, language, territory or age band than on "
        "line 2"
    ]


def test_a_missing_column_is_named(tmp_path):
    path = written(tmp_path, "date;canal;langue;lieu;résultat\n2024-03-04;tél;fr;Verdun;info\n")
    checked = requests_check(path)
    assert "« need »" in checked.refused and "Nothing was imported" in checked.refused
    assert "« lieu »" not in checked.refused.split("has:")[0]


def test_an_xlsx_export_is_read_with_its_date_cells(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Date", "Channel", "Language", "Territory", "Need", "Outcome", "Reason"])
    sheet.append([date(2024, 5, 2), "Phone", "English", "Verdun", "Moving help", "Unmet", "Cost"])
    sheet.append(
        [
            timezone.now().replace(tzinfo=None) - timedelta(days=1),
            "Email",
            "fr",
            "Laval",
            "emploi",
            "Information",
            None,
        ]
    )
    path = tmp_path / "export.xlsx"
    workbook.save(path)

    checked = requests_import(path)

    assert checked.ok, checked.errors
    assert sorted(Request.objects.values_list("received_on", flat=True))[0] == date(2024, 5, 2)


def test_too_many_rows_are_refused_before_anything_is_written(tmp_path, settings):
    settings.REPERTOIRE_IMPORT_MAX_ROWS = 2
    path = written(tmp_path, HEADER + "2024-03-04;tél;fr;Verdun;Emploi;info;\n" * 3)
    assert "more than 2 rows" in requests_check(path).refused


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda p: p.write_bytes(b""), "empty"),
        (
            lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)),
            "not a spreadsheet",
        ),
        (
            lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)),
            "old Excel format",
        ),
        (lambda p: p.write_bytes(b"PK\x03\x04 this is not really a zip"), "damaged"),
        (lambda p: _zip(p, {"hello.txt": b"bonjour"}), "not an Excel workbook"),
        (lambda p: p.write_text("date;canal\n", encoding="utf-8"), "Columns missing"),
        (lambda p: p.write_text(HEADER, encoding="utf-8"), "no rows"),
        (lambda p: p.write_text('date;canal\n"2024;tél\n', encoding="utf-8"), "Columns missing"),
    ],
)
def test_a_broken_file_is_explained_never_a_traceback(tmp_path, make, said):
    path = tmp_path / "export.xlsx"
    make(path)
    checked = requests_import(path)
    assert said in checked.refused
    assert nothing_written()
    with pytest.raises(CommandError, match=said):
        call_command("import_requests", str(path))


def test_a_zip_bomb_is_refused_by_its_unpacked_size(tmp_path, settings):
    settings.REPERTOIRE_IMPORT_MAX_UNCOMPRESSED_BYTES = 1_000_000
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * 5_000_000)
    assert "Once unpacked" in requests_check(path).refused


def test_a_windows_csv_with_commas_is_read(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(
        "date,channel,language,territory,need,outcome,reason\n"
        "2024-03-04,courriel,français,Côte-Saint-Luc,Aide à domicile,non répondu,liste d'attente\n".encode(
            "cp1252"
        )
    )
    checked = requests_import(path)
    assert checked.ok, checked.errors
    assert Request.objects.get().territory.slug == "cote-saint-luc"

"""``import_records`` for scripts: JSON that says what happened, exit status 0 when the file was
read (row errors included), a one-line reason otherwise."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from imports.models import ImportBatch
from organisations.models import Organisation

from .sheets import MUNICIPAL_HEADERS, municipal_profile, xlsx

pytestmark = pytest.mark.django_db

ROWS = [
    MUNICIPAL_HEADERS,
    ["L-1", "Popote roulante de Laval", "1200 boul. Saint-Martin O.", "Laval", "H7S 1M9",
     "450 555-0101", "info@popote.example", None, "Aînés"],
    ["L-2", "Sans code postal valide", "2 rue B", "Laval", "H7S", None, None, None, None],
]  # fmt: skip


@pytest.fixture
def partner_file(tmp_path):
    path = tmp_path / "laval.xlsx"
    path.write_bytes(xlsx(ROWS))
    municipal_profile()
    return path


def run(*args) -> dict:
    out = StringIO()
    call_command("import_records", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_the_json_report_has_the_documented_keys_and_the_errors_in_words(partner_file):
    report = run(str(partner_file), "--profile", "ville-test", "--dry-run")
    assert {"batch", "rows", "new", "updated", "unchanged", "probable_matches", "errors"} <= set(
        report
    )
    assert (report["rows"], report["new"], report["updated"], report["unchanged"]) == (2, 1, 0, 0)
    assert report["errors"] == [
        {
            "row": 3,
            "column": "Code postal",
            "value": "H7S",
            "message": "The postal code “H7S” is incomplete: a Canadian postal code has six "
            "characters, as in H2X 1Y4.",
        }
    ]
    assert ImportBatch.objects.get(uuid=report["batch"]).status == ImportBatch.Status.CHECKED
    assert not Organisation.objects.exists()  # a dry run


def test_without_dry_run_the_rows_without_errors_become_drafts_in_review(partner_file):
    report = run(str(partner_file), "--profile", "ville-test")
    assert report["applied"] == 1
    organisation = Organisation.objects.get()
    assert (organisation.name, organisation.live) == ("Popote roulante de Laval", False)
    assert organisation.workflow_in_progress
    again = run(str(partner_file), "--profile", "ville-test", "--dry-run")
    assert (again["new"], again["unchanged"]) == (0, 1)


def test_an_unreadable_file_fails_with_one_line(tmp_path):
    path = tmp_path / "vide.xlsx"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match=r"^The file is empty\.$"):
        call_command("import_records", str(path), stdout=StringIO())


def test_an_unknown_profile_is_named(partner_file):
    with pytest.raises(CommandError, match="no profile named “montreal”"):
        call_command("import_records", str(partner_file), "--profile", "montreal")


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_records", str(tmp_path / "absent.xlsx"))

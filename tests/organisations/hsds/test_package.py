"""The HSDS tabular data package: ``export_hsds``, the ``publish_data_package`` task and the
download (organisations/hsds/package.py)."""

import csv
import io
import json
import re
import uuid
import zipfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.core.signals import request_finished
from django.db import close_old_connections, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import TaskResultStatus, default_task_backend

from organisations.factories import (
    LocationFactory,
    OpeningHoursFactory,
    OrganisationFactory,
    PhoneFactory,
    ServiceFactory,
    category,
    territory,
)
from organisations.hsds import package
from organisations.hsds.package import publish_data_package
from organisations.hsds.serialise import derived_id, service_at_location_id
from organisations.models import Organisation, Service
from organisations.search import public_version_bump

from .conftest import SUMMER, WINTER

pytestmark = pytest.mark.django_db

DOWNLOAD = "/api/hsds/datapackage.zip"
OFFICIAL = json.loads(
    (Path(settings.BASE_DIR) / "organisations/hsds/spec/datapackage.json").read_text()
)
OFFICIAL_RESOURCES = {r["name"]: r for r in OFFICIAL["resources"]}
SECRET = {
    "street": "77 rue du Refuge-Secret",
    "unit": "Porte arrière",
    "postal_code": "H2X 9Z9",
    "latitude": 45.611111,
    "longitude": -73.622222,
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Stored packages in a folder of this test's own: none left for the next test to find."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def directory(db):
    """Two public organisations (one with a confidential shelter beside its public office, one
    with no French description), a draft never published and an archived record."""
    family = OrganisationFactory(
        name="Maison de la famille du Vieux-Longueuil",
        enterprise_number="1140000001",
        charity_number="123456789RR0001",
        legal_status=Organisation.LegalStatus.CHARITY,
        last_verified_at=timezone.now(),
    )
    PhoneFactory(organisation=family, label_fr="Accueil", label_en="Front desk")
    PhoneFactory(organisation=family, number="+18005550199", kind="toll_free", extension="12")
    office = LocationFactory(
        organisation=family,
        name="Bureau principal",
        accessibility_fr="Entrée de plain-pied",
        accessibility_en="Step-free entrance",
    )
    OpeningHoursFactory(location=office, weekday=2, opens="09:00", closes="12:00")
    OpeningHoursFactory(location=office, weekday=4, opens="13:00", closes="16:30")
    shelter = LocationFactory(
        organisation=family,
        name="Le Phare secret",
        street_address=SECRET["street"],
        unit=SECRET["unit"],
        postal_code=SECRET["postal_code"],
        latitude=SECRET["latitude"],
        longitude=SECRET["longitude"],
        municipality=territory("montreal"),
        address_is_confidential=True,
    )
    secret_hours = OpeningHoursFactory(location=shelter, weekday=1, opens="00:00", closes="23:59")
    food = ServiceFactory(
        organisation=family,
        languages="fr, en, es",
        categories=[category("aide-alimentaire")],
        service_areas=[territory("longueuil")],
    )
    ServiceFactory(
        organisation=family,
        name_fr="Halte-garderie",
        name_en="Drop-in daycare",
        status=Service.Status.TEMPORARILY_CLOSED,
    )
    english = OrganisationFactory(
        name="West Island Food Bank",
        description_fr="",
        description_en="Groceries for families in need.",
    )
    ServiceFactory(organisation=english, name_fr="Banque alimentaire", name_en="Food bank")
    LocationFactory(organisation=english, municipality=territory("montreal"))

    draft = OrganisationFactory(name="Projet jamais publié", live=False)
    ServiceFactory(organisation=draft, name_fr="Service en brouillon")
    closed = OrganisationFactory(name="Organisme fermé", status=Organisation.Status.CLOSED)
    ServiceFactory(organisation=closed, name_fr="Service d'un organisme fermé")
    return {
        "family": family,
        "english": english,
        "food": food,
        "office": office,
        "shelter": shelter,
        "secret_hours": secret_hours,
        "draft": draft,
        "closed": closed,
    }


class Package:
    """A written package, read back: its descriptor, each file's header and rows."""

    def __init__(self, data: bytes):
        self.bytes = data
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            self.names = archive.namelist()
            self.descriptor_text = archive.read("datapackage.json").decode("utf-8")
            self.descriptor = json.loads(self.descriptor_text)
            self.texts = {
                name: archive.read(name).decode("utf-8")
                for name in self.names
                if name.endswith(".csv")
            }
        self.headers, self.rows = {}, {}
        for name, text in self.texts.items():
            reader = csv.reader(io.StringIO(text, newline=""))
            self.headers[name] = next(reader)
            self.rows[name] = [dict(zip(self.headers[name], row, strict=True)) for row in reader]
        self.resources = {r["path"]: r for r in self.descriptor["resources"]}

    def column(self, path: str, field: str) -> list[str]:
        return [row[field] for row in self.rows[path]]


def write(language: str = "fr") -> tuple[Package, dict]:
    stream = io.BytesIO()
    counts = package.data_package_write(stream=stream, language=language)
    return Package(stream.getvalue()), counts


# --- The files and the descriptor -----------------------------------------------------------------


def test_the_zip_holds_a_csv_for_each_resource_of_its_descriptor_and_nothing_else(directory):
    written, counts = write()

    paths = [r["path"] for r in written.descriptor["resources"]]
    assert written.names == ["datapackage.json", *paths]
    assert [r["name"] for r in written.descriptor["resources"]] == list(OFFICIAL_RESOURCES)
    assert counts == {path: len(rows) for path, rows in written.rows.items()}


EMPTY = (  # what we do not keep, and our contacts (private): the header only
    "programs.csv",
    "contacts.csv",
    "funding.csv",
    "required_documents.csv",
    "metadata.csv",
    "meta_table_descriptions.csv",
    "cost_options.csv",
)


def test_the_package_has_all_21_official_tables_the_empty_ones_with_their_header(directory):
    written, counts = write()

    assert len(OFFICIAL_RESOURCES) == 21
    assert sorted(written.texts) == sorted(r["path"] for r in OFFICIAL["resources"])
    for path in EMPTY:
        official = next(r for r in OFFICIAL["resources"] if r["path"] == path)
        header = ",".join(f["name"] for f in official["schema"]["fields"])
        assert written.texts[path] == f"{header}\r\n"
        assert counts[path] == 0
    assert all(counts[path] for path in written.texts if path not in EMPTY)


def test_the_descriptor_is_the_official_one_kept_to_the_files_with_our_metadata(directory):
    written, _ = write()
    descriptor = written.descriptor

    assert descriptor["profile"] == "tabular-data-package"
    assert descriptor["name"] == "repertoire-211-hsds-fr"
    assert descriptor["language"] == "fr"
    assert descriptor["licenses"] == [
        {
            "name": settings.REPERTOIRE_OPEN_DATA_LICENSE,
            "path": settings.REPERTOIRE_OPEN_DATA_LICENSE_URL,
        }
    ]
    created = datetime.fromisoformat(descriptor["created"].replace("Z", "+00:00"))
    assert created.tzinfo is not None
    present = {r["name"] for r in descriptor["resources"]}
    for resource in descriptor["resources"]:
        official = OFFICIAL_RESOURCES[resource["name"]]
        assert resource["schema"]["fields"] == official["schema"]["fields"]
        assert resource["schema"]["primaryKey"] == "id"
        keys = resource["schema"].get("foreignKeys", [])
        assert keys == [
            k
            for k in official["schema"].get("foreignKeys", [])
            if k["reference"]["resource"] in present
        ]


def test_every_header_is_the_official_field_names_in_order(directory):
    written, _ = write()

    for path, header in written.headers.items():
        official = next(r for r in OFFICIAL["resources"] if r["path"] == path)
        assert header == [field["name"] for field in official["schema"]["fields"]], path


def test_the_vendored_descriptor_has_the_columns_of_the_official_tabular_schema():
    tabular = json.loads(
        (Path(settings.BASE_DIR) / "organisations/hsds/spec/tabular.json").read_text()
    )
    for name, table in tabular["properties"].items():
        columns = [
            field for field, prop in table["items"]["properties"].items() if "constraints" in prop
        ]
        assert [f["name"] for f in OFFICIAL_RESOURCES[name]["schema"]["fields"]] == columns


def test_every_field_the_serialiser_gives_has_a_column(directory, monkeypatch):
    """A field the API gives and the package would silently drop fails here."""
    write_row = package._Table.write
    dropped = []

    def checking(table, obj, **links):
        scalars = {k for k, v in obj.items() if not isinstance(v, dict | list)}
        dropped.extend(f"{table.path}:{k}" for k in scalars - set(table.names))
        write_row(table, obj, **links)

    monkeypatch.setattr(package._Table, "write", checking)
    write()
    assert dropped == []


# --- The rows -----------------------------------------------------------------------------------


def test_required_fields_are_filled_and_ids_unique(directory):
    written, _ = write()

    for path, rows in written.rows.items():
        fields = written.resources[path]["schema"]["fields"]
        required = [f["name"] for f in fields if f["constraints"]["required"]]
        unique = [f["name"] for f in fields if f["constraints"]["unique"]]
        for number, row in enumerate(rows, start=2):
            for name in required:
                assert row[name], f"{path} line {number}: {name} is empty"
        for name in unique:
            values = [row[name] for row in rows if row[name]]
            assert len(values) == len(set(values)), f"{path}: {name} repeats"


def test_every_foreign_key_resolves(directory):
    written, _ = write()
    by_name = {r["name"]: r["path"] for r in written.descriptor["resources"]}

    checked = 0
    for path, resource in written.resources.items():
        for key in resource["schema"].get("foreignKeys", []):
            targets = set(written.column(by_name[key["reference"]["resource"]], "id"))
            for value in written.column(path, key["fields"]):
                if value:
                    assert value in targets, f"{path}.{key['fields']} = {value}"
                    checked += 1
    assert checked > 20
    services = set(written.column("services.csv", "id"))
    assert set(written.column("attributes.csv", "link_id")) <= services
    terms = written.rows["taxonomy_terms.csv"]
    assert {t["parent_id"] for t in terms if t["parent_id"]} <= {t["id"] for t in terms}


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URI = re.compile(r"^https?://[^\s/]+[^\s]*$")


def _valid(field: dict, value: str) -> bool:
    kind, form = field["type"], field.get("format", "default")
    if kind == "string":
        if form == "uuid":
            return bool(_UUID.match(value)) and str(uuid.UUID(value)) == value
        if form == "email":
            return bool(_EMAIL.match(value))
        if form == "uri":
            return bool(_URI.match(value))
        return True
    if kind == "number":
        return bool(re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", value))
    if kind == "date":
        return date.fromisoformat(value).isoformat() == value
    if kind == "time":
        return time.fromisoformat(value).isoformat() == value
    if kind == "datetime":
        return bool(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", value)) and bool(
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        )
    raise AssertionError(f"a type this test does not know: {kind}")


def test_values_are_of_their_fields_types_and_formats(directory):
    for language in ("fr", "en"):
        written, _ = write(language)
        seen = set()
        for path, rows in written.rows.items():
            for field in written.resources[path]["schema"]["fields"]:
                allowed = field["constraints"].get("enum")
                for value in (row[field["name"]] for row in rows):
                    if not value:
                        continue
                    seen.add((field["type"], field.get("format")))
                    assert _valid(field, value), f"{path}.{field['name']}: {value!r}"
                    assert allowed is None or value in allowed, f"{path}.{field['name']}"
        assert {
            ("string", "uuid"),
            ("string", "email"),
            ("string", "uri"),
            ("number", None),
            ("date", None),
            ("datetime", None),
            ("time", None),
        } <= seen


def test_the_package_validates_with_frictionless(directory, tmp_path):
    import frictionless  # a development dependency, for this test only

    written, _ = write()
    with zipfile.ZipFile(io.BytesIO(written.bytes)) as archive:
        archive.extractall(tmp_path / "package")

    report = frictionless.validate(str(tmp_path / "package" / "datapackage.json"))

    assert report.valid, report.flatten(["type", "note"])
    assert {task.name for task in report.tasks} == {
        r["name"] for r in written.descriptor["resources"]
    }


def test_the_official_descriptor_applied_to_our_files_validates(directory, tmp_path):
    """What a consumer does with the specification's own datapackage.json: every resource it
    names is there, and every schema and foreign key holds."""
    import frictionless  # a development dependency, for this test only

    for language in ("fr", "en"):
        written, _ = write(language)
        folder = tmp_path / language
        with zipfile.ZipFile(io.BytesIO(written.bytes)) as archive:
            archive.extractall(folder)
        (folder / "datapackage.json").write_text(
            (Path(settings.BASE_DIR) / "organisations/hsds/spec/datapackage.json").read_text()
        )

        report = frictionless.validate(str(folder / "datapackage.json"))

        assert report.valid, report.flatten(["type", "note"])
        assert {task.name for task in report.tasks} == set(OFFICIAL_RESOURCES)
        rows = {task.name: task.stats.get("rows", 0) for task in report.tasks}
        assert rows["service"] == len(written.rows["services.csv"]) > 0
        assert rows["program"] == 0


def test_the_rows_link_each_object_to_its_parent(directory, today):
    written, _ = write()
    family, food, office = directory["family"], directory["food"], directory["office"]

    [org] = [r for r in written.rows["organizations.csv"] if r["id"] == str(family.uuid)]
    assert org["tax_id"] == "123456789RR0001"
    [service] = [r for r in written.rows["services.csv"] if r["id"] == str(food.uuid)]
    assert service["organization_id"] == str(family.uuid)
    assert {
        r["code"] for r in written.rows["languages.csv"] if r["service_id"] == str(food.uuid)
    } == {
        "fr",
        "en",
        "es",
    }
    hours = [r for r in written.rows["schedules.csv"] if r["location_id"] == str(office.uuid)]
    assert [(h["byday"], h["opens_at"], h["closes_at"], h["timezone"]) for h in hours] == [
        ("TU", "09:00:00-05:00", "12:00:00-05:00", "-5"),  # made in January
        ("TH", "13:00:00-05:00", "16:30:00-05:00", "-5"),
    ]
    assert [r["service_id"] for r in written.rows["service_at_location.csv"]].count(
        str(food.uuid)
    ) == 1  # the office only: the shelter is confidential
    identifiers = [
        r
        for r in written.rows["organization_identifiers.csv"]
        if r["organization_id"] == str(family.uuid)
    ]
    assert {r["identifier"] for r in identifiers} == {"1140000001", "123456789RR0001"}
    phones = [r for r in written.rows["phones.csv"] if r["organization_id"] == str(family.uuid)]
    assert sorted(r["extension"] for r in phones) == ["", "12"]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(("day", "utc"), [(WINTER, "14:00"), (SUMMER, "13:00")])
def test_schedules_csv_gives_each_time_with_its_offset_from_utc(
    directory, today, language, day, utc
):
    """Read as frictionless reads it (Table Schema's time type), 9:00 in Montréal is 14:00 UTC
    in winter and 13:00 UTC in summer, as it is."""
    import frictionless

    today(day)
    written, _ = write(language)
    [tuesday] = [r for r in written.rows["schedules.csv"] if r["byday"] == "TU"]
    field = frictionless.fields.TimeField(name="opens_at")

    opens = field.read_cell(tuesday["opens_at"])[0]
    next_tuesday = day + timedelta(days=(1 - day.weekday()) % 7)

    assert opens.tzinfo is not None
    assert datetime.combine(next_tuesday, opens).astimezone(UTC).strftime("%H:%M") == utc
    assert all(r["timezone"] for r in written.rows["schedules.csv"])
    assert "America/Toronto" in written.descriptor["description"]


# --- What the public may know ---------------------------------------------------------------------


def test_only_live_records_are_in_the_package(directory):
    written, counts = write()
    everything = "\n".join(written.texts.values())

    assert counts["organizations.csv"] == 2
    for record in (directory["draft"], directory["closed"]):
        assert record.name not in everything
        assert str(record.uuid) not in everything
        for service in record.services.all():
            assert str(service.uuid) not in everything
            assert service.name_fr not in everything


def test_no_trace_of_a_confidential_address_in_any_file(directory):
    shelter, food = directory["shelter"], directory["food"]
    traces = [
        SECRET["street"],
        SECRET["unit"],
        SECRET["postal_code"],
        SECRET["postal_code"].replace(" ", ""),
        str(SECRET["latitude"]),
        str(SECRET["longitude"]),
        "45.6111",
        "-73.6222",
        "Le Phare secret",
        str(shelter.uuid),
        derived_id("address", shelter.uuid),
        derived_id("accessibility", shelter.uuid),
        service_at_location_id(food, shelter),
        str(directory["secret_hours"].uuid),
    ]
    for language in ("fr", "en"):
        written, _ = write(language)
        for name, text in [*written.texts.items(), ("datapackage.json", written.descriptor_text)]:
            for trace in traces:
                assert trace not in text, f"{language} {name} holds {trace!r}"


def test_a_record_without_french_text_keeps_its_english_description_in_the_french_package(
    directory,
):
    written, _ = write("fr")
    [row] = [r for r in written.rows["organizations.csv"] if r["name"] == "West Island Food Bank"]
    assert row["description"] == "Groceries for families in need."


def test_the_english_package_is_in_english_falling_back_to_french(directory):
    written, _ = write("en")

    assert written.descriptor["language"] == "en"
    assert written.descriptor["name"] == "repertoire-211-hsds-en"
    names = set(written.column("services.csv", "name"))
    assert {"Emergency food", "Drop-in daycare", "Food bank"} <= names
    assert "Step-free entrance" in written.column("accessibility.csv", "description")


def test_records_are_read_a_chunk_at_a_time_in_queries_that_do_not_grow_with_them(
    directory, monkeypatch
):
    def queries_for_export() -> int:
        with CaptureQueriesContext(connection) as queries:
            write()
        return len(queries)

    monkeypatch.setattr(package, "CHUNK", 50)
    write()  # what is read once per process (the site, the directory page) is read
    few = queries_for_export()
    for _ in range(6):
        organisation = OrganisationFactory()
        ServiceFactory(organisation=organisation, categories=[category("aide-alimentaire")])
        OpeningHoursFactory(location=LocationFactory(organisation=organisation))
        PhoneFactory(organisation=organisation)
    assert queries_for_export() == few

    monkeypatch.setattr(package, "CHUNK", 1)  # one organisation at a time: the same package
    one_by_one, _ = write()
    monkeypatch.setattr(package, "CHUNK", 500)
    at_once, _ = write()
    assert one_by_one.texts == at_once.texts


# --- The command ----------------------------------------------------------------------------------


def test_export_hsds_writes_the_package_and_prints_the_counts(directory, tmp_path):
    (tmp_path / "out").mkdir()
    output = tmp_path / "out" / "hsds.zip"
    out = io.StringIO()

    call_command("export_hsds", str(output), "--lang", "en", stdout=out)

    written = Package(output.read_bytes())
    assert written.descriptor["language"] == "en"
    assert re.search(r"organizations\.csv\s+2\n", out.getvalue())
    assert f"21 files, {sum(len(r) for r in written.rows.values()):,d} rows" in out.getvalue()
    assert list(output.parent.iterdir()) == [output]  # nothing left beside it


def test_export_hsds_fails_in_one_line_on_a_path_it_cannot_write(directory, tmp_path):
    with pytest.raises(CommandError) as failure:
        call_command("export_hsds", str(tmp_path / "no-such-folder" / "hsds.zip"))

    message = str(failure.value)
    assert "\n" not in message
    assert message.startswith(f"Cannot write {tmp_path / 'no-such-folder' / 'hsds.zip'}: ")

    with pytest.raises(CommandError, match=r"^Cannot write"):
        call_command("export_hsds", str(tmp_path))  # a folder


# --- The stored packages and the task ---------------------------------------------------------------


def _stored(language: str) -> Package:
    return Package((Path(settings.MEDIA_ROOT) / package.stored_name(language)).read_bytes())


def test_the_task_makes_both_packages_once_per_public_version(directory, media):
    public_version_bump()  # in the test's transaction: its on-commit refresh never runs

    first = publish_data_package.enqueue()
    again = publish_data_package.enqueue()

    assert first.return_value["fr"]["organizations.csv"] == 2
    assert first.return_value["en"]["organizations.csv"] == 2
    assert again.return_value == {"fr": None, "en": None}
    assert _stored("fr").descriptor["language"] == "fr"
    assert _stored("en").descriptor["language"] == "en"
    assert sorted(p.name for p in (media / "open-data").iterdir()) == [
        "hsds-en.json",
        "hsds-en.zip",
        "hsds-fr.json",
        "hsds-fr.zip",
    ]  # no temporary file left

    OrganisationFactory(name="Nouvel organisme")
    public_version_bump()
    made = publish_data_package.enqueue().return_value
    assert made["fr"]["organizations.csv"] == 3
    assert "Nouvel organisme" in _stored("fr").texts["organizations.csv"]


def test_the_stored_packages_are_made_again_when_the_clocks_change(directory, media, today):
    public_version_bump()
    today(SUMMER)
    publish_data_package.enqueue()
    assert "09:00:00-04:00" in _stored("fr").texts["schedules.csv"]

    today(SUMMER + timedelta(days=1))
    assert publish_data_package.enqueue().return_value == {"fr": None, "en": None}

    today(WINTER)  # the same public version, another offset
    made = publish_data_package.enqueue().return_value
    assert made["fr"]["schedules.csv"] == made["en"]["schedules.csv"] == 2
    assert "09:00:00-05:00" in _stored("fr").texts["schedules.csv"]
    assert "-04:00" not in _stored("en").texts["schedules.csv"]


def test_a_download_after_the_clocks_changed_has_the_package_made_again(directory, client, today):
    today(SUMMER)
    first = client.get(DOWNLOAD)
    # Closing a streamed answer sends request_finished, which closes the database connection
    # (on PostgreSQL, the test's own); the test client keeps it open during a request, as here.
    request_finished.disconnect(close_old_connections)
    try:
        first.close()
    finally:
        request_finished.connect(close_old_connections)
    today(WINTER)

    again = client.get(DOWNLOAD, headers={"if-none-match": first["ETag"]})

    assert again.status_code == 200  # made again at once by the tests' task backend
    assert again["ETag"] != first["ETag"]
    texts = Package(b"".join(again.streaming_content)).texts
    assert "09:00:00-05:00" in texts["schedules.csv"]


def test_a_failed_export_leaves_the_stored_package_as_it_was(directory, media, monkeypatch):
    public_version_bump()
    publish_data_package.enqueue()
    before = (media / package.stored_name("fr")).read_bytes()
    public_version_bump()

    def broken(**kwargs):
        kwargs["stream"].write(b"half a zip")
        raise RuntimeError("the database went away")

    monkeypatch.setattr(package, "data_package_write", broken)
    result = publish_data_package.enqueue()

    assert result.status == TaskResultStatus.FAILED
    assert (media / package.stored_name("fr")).read_bytes() == before
    assert sorted(p.name for p in (media / "open-data").iterdir()) == [
        "hsds-en.json",
        "hsds-en.zip",
        "hsds-fr.json",
        "hsds-fr.zip",
    ]  # the temporary file is gone


def test_a_publication_has_the_stored_packages_made_again_once_it_commits(
    directory, django_capture_on_commit_callbacks
):
    publish_data_package.enqueue()
    newcomer = OrganisationFactory(name="Organisme publié aujourd'hui", live=False)

    # One transaction, as the workflow's last approval or an import's chunk.
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        newcomer.save_revision().publish()
        directory["english"].save_revision().publish()

    refreshes = [c for c in callbacks if c is package._refresh_if_stored]
    assert len(refreshes) == 1  # two publications, one regeneration
    assert "Organisme publié aujourd'hui" in _stored("fr").texts["organizations.csv"]
    assert "Organisme publié aujourd'hui" in _stored("en").texts["organizations.csv"]


def test_no_package_is_made_on_publication_before_anyone_asked_for_one(
    directory, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        directory["family"].save_revision().publish()

    assert not (media / "open-data").exists()


def test_with_a_task_queue_a_waiting_regeneration_is_not_queued_twice(directory, settings):
    """An import publishes each record in a transaction of its own: while one regeneration
    waits for the worker, the others would only find its work done."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.backend.DatabaseBackend",
            "QUEUES": ["default", "geocoding"],
        }
    }
    waiting = DBTaskResult.objects.filter(task_path=publish_data_package.module_path)

    for _ in range(3):
        package.data_package_refresh()
    assert waiting.count() == 1

    waiting.update(status=TaskResultStatus.RUNNING)  # the worker took it: it may have read
    package.data_package_refresh()  # the public version before this change; queue another
    assert waiting.count() == 2


# --- The download --------------------------------------------------------------------------------


def test_the_download_is_the_stored_package_as_an_attachment(directory, client):
    publish_data_package.enqueue()

    response = client.get(DOWNLOAD)
    english = client.get(DOWNLOAD, {"lang": "en"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="repertoire-hsds-fr.zip"'
    assert response["Cache-Control"].startswith("public, max-age=")
    assert response["ETag"] and response["Last-Modified"]
    assert Package(b"".join(response.streaming_content)).descriptor["language"] == "fr"
    assert english["Content-Disposition"] == 'attachment; filename="repertoire-hsds-en.zip"'
    assert Package(b"".join(english.streaming_content)).descriptor["language"] == "en"
    assert english["ETag"] != response["ETag"]

    again = client.get(DOWNLOAD, headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304


def test_the_download_refuses_a_language_we_do_not_have(directory, client):
    response = client.get(DOWNLOAD, {"lang": "de"})

    assert response.status_code == 400
    assert response.json() == {"detail": "lang: use one of fr, en."}


def test_before_any_package_exists_the_download_queues_the_task_and_asks_to_come_back(
    directory, client, settings
):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": ["default", "geocoding"],
        }
    }

    response = client.get(DOWNLOAD)

    assert response.status_code == 503
    assert response["Retry-After"] == str(package.RETRY_AFTER_SECONDS)
    assert "prepared" in response.json()["detail"]
    [queued] = default_task_backend.results
    assert queued.task.module_path == publish_data_package.module_path


def test_with_tasks_run_at_once_the_first_download_makes_the_package(directory, client):
    response = client.get(DOWNLOAD, {"lang": "en"})

    assert response.status_code == 200
    assert Package(b"".join(response.streaming_content)).descriptor["language"] == "en"


def test_the_public_site_links_to_the_open_data(directory, client):
    page = client.get("/fr/")

    assert page.status_code == 200
    assert f'href="{DOWNLOAD}?lang=fr"' in page.text
    assert 'href="/api/hsds/"' in page.text

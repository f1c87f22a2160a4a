"""The HSDS tabular data package: one CSV file per HSDS table and ``datapackage.json``, in a zip.

The rows are the objects of :mod:`.serialise` laid flat, so what the public may know is decided
in one place for the API and the package alike (live records only, no confidential location,
no private contact). The columns and their order are the official descriptor's
(``spec/datapackage.json``); the package's own ``datapackage.json`` is that descriptor kept to
the files written.

Records are read a chunk of organisations at a time and each table's rows go to a temporary
file as they come, so memory does not grow with the directory (measured on demo data: 163 MB of
heap for 6,000 organisations, 195 MB for 60,000).

The public site offers the packages for download (``data_package_view``). They are made by the
``publish_data_package`` task (:func:`data_package_publish`) after changes the public sees, once
per public version, in the background: a download only serves the stored file (the very first
one queues the task and asks to come back).
"""

import copy
import csv
import dataclasses
import functools
import io
import json
import logging
import os
import shutil
import tempfile
import zipfile
from collections import Counter
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, JsonResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_safe
from django_tasks import task

from ..search import public_version
from . import HSDS_PROFILE, HSDS_VERSION, LANGUAGES, queries, zone
from .serialise import Serialiser
from .views import etag_of, open_data_headers

logger = logging.getLogger(__name__)

DESCRIPTOR = Path(__file__).parent / "spec" / "datapackage.json"

CHUNK = 500  # organisations read (with all their rows) at a time

TITLES = {
    "fr": "Répertoire des ressources communautaires du 211 du Grand Montréal",
    "en": "211 Greater Montréal community resource directory",
}
DESCRIPTIONS = {
    "fr": "Les organismes, leurs services, leurs points de service et leurs heures d'ouverture, "
    "tels que publiés dans le répertoire, au format HSDS 3.0 d'Open Referral (tables CSV). "
    "Les adresses confidentielles et les personnes-ressources n'y figurent pas. Les heures sont "
    "celles de Montréal ({zone}), avec leur décalage de l'UTC le prochain jour où "
    "elles s'appliquent.",
    "en": "The organisations, their services, places and opening hours, as published in the "
    "directory, in Open Referral's HSDS 3.0 (CSV tables). Confidential addresses and contact "
    "people are left out. Opening hours are Montréal's time ({zone}), with their "
    "offset from UTC on the next day they apply.",
}


@functools.cache
def official_descriptor() -> dict:
    """The official HSDS 3.0 tabular data package descriptor (read once; copy before changing)."""
    return json.loads(DESCRIPTOR.read_text(encoding="utf-8"))


# Every table of the official descriptor, in its order. Some stay empty (their header only):
# ``contact``, since our contacts are the people the 211 calls to verify a record, private; and
# what we do not keep (programs, funding, cost options, required documents, metadata, table
# descriptions). A consumer applying the official ``datapackage.json`` finds every file it names.
TABLES = tuple(r["name"] for r in official_descriptor()["resources"])


def _resources(tables=TABLES) -> list[dict]:
    """The official resources of ``tables``, in the descriptor's order, with only the foreign
    keys to resources that are there (a validator stops at a key to a missing file)."""
    resources = [
        copy.deepcopy(r) for r in official_descriptor()["resources"] if r["name"] in tables
    ]
    names = {r["name"] for r in resources}
    for resource in resources:
        keys = [
            key
            for key in resource["schema"].pop("foreignKeys", [])
            if key["reference"]["resource"] in names
        ]
        if keys:
            resource["schema"]["foreignKeys"] = keys
    return resources


def package_descriptor(*, language: str, created: datetime) -> dict:
    """``datapackage.json`` for the package in ``language``."""
    site = settings.WAGTAILADMIN_BASE_URL
    return {
        "profile": "tabular-data-package",
        "name": f"repertoire-211-hsds-{language}",
        "title": TITLES[language],
        "description": DESCRIPTIONS[language].format(zone=zone.zone_name()),
        "language": language,
        "homepage": site,
        "created": created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "licenses": [
            {
                "name": settings.REPERTOIRE_OPEN_DATA_LICENSE,
                "path": settings.REPERTOIRE_OPEN_DATA_LICENSE_URL,
            }
        ],
        "contributors": [
            {
                "title": settings.WAGTAIL_SITE_NAME,
                "email": settings.REPERTOIRE_CONTACT_EMAIL,
                "path": site,
                "role": "publisher",
            }
        ],
        "sources": [{"title": f"Open Referral HSDS {HSDS_VERSION}", "path": HSDS_PROFILE}],
        "resources": _resources(),
    }


# --- Writing ---------------------------------------------------------------------------------------


class _Table:
    """One CSV file being written: its descriptor fields, rows spooled to a temporary file."""

    def __init__(self, resource: dict, stack: ExitStack):
        self.path = resource["path"]
        self.fields = resource["schema"]["fields"]
        self.names = [f["name"] for f in self.fields]
        self.required = [f["name"] for f in self.fields if f["constraints"].get("required")]
        self.times = {f["name"] for f in self.fields if f["type"] == "time"}
        # Closed with the stack (closing the text wrapper closes the file under it).
        self.text = stack.enter_context(
            io.TextIOWrapper(tempfile.TemporaryFile(), encoding="utf-8", newline="")  # noqa: SIM115
        )
        self.file = self.text.buffer
        self.writer = csv.writer(self.text)
        self.writer.writerow(self.names)
        self.count = 0
        self.gaps = Counter()  # required fields left empty, by name

    def write(self, obj: dict, **links) -> None:
        """A row from a serialised object: its own fields (nested objects and lists go to their
        own tables), plus the ``links`` to its parent the object does not carry itself."""
        values = {**links, **obj}
        for name in self.required:
            if values.get(name) in (None, ""):
                self.gaps[name] += 1
        self.writer.writerow([self._cell(name, values.get(name)) for name in self.names])
        self.count += 1

    def _cell(self, name: str, value) -> str:
        if value is None or isinstance(value, dict | list):
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        value = str(value)
        if name in self.times and value[2:3] == ":" and value[5:6] != ":":
            # HSDS's JSON gives opening hours as HH:MM with their offset (09:00-05:00); Table
            # Schema's time is HH:MM:SS, with the offset after (09:00:00-05:00).
            value = f"{value[:5]}:00{value[5:]}"
        return value

    def copy_to(self, archive: zipfile.ZipFile, created: datetime) -> None:
        self.text.flush()
        self.file.seek(0)
        with archive.open(_entry(self.path, created), "w", force_zip64=True) as entry:
            shutil.copyfileobj(self.file, entry, 1 << 20)


def _entry(name: str, created: datetime) -> zipfile.ZipInfo:
    """A zip entry dated when the export began (Montréal time: zip has no time zones)."""
    entry = zipfile.ZipInfo(name, date_time=timezone.localtime(created).timetuple()[:6])
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o644 << 16
    return entry


def data_package_write(
    *, stream, language: str = "fr", today: date | None = None
) -> dict[str, int]:
    """Write the HSDS tabular data package of the public records in ``language`` (French by
    default, English falling back to French) to the binary ``stream`` as a zip; returns how
    many rows each CSV file holds. Schedules carry the offsets of their next day from ``today``
    (in Montréal, by default the day it is)."""
    if language not in LANGUAGES:
        raise ValueError(f"language: use one of {', '.join(LANGUAGES)}")
    created = timezone.now()
    with ExitStack() as stack, translation.override(language):
        tables = {r["name"]: _Table(r, stack) for r in _resources()}
        serialiser = Serialiser.for_language(language, today)
        _write_rows(tables, serialiser)
        with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            descriptor = package_descriptor(language=language, created=created)
            archive.writestr(
                _entry("datapackage.json", created),
                json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n",
            )
            for table in tables.values():
                table.copy_to(archive, created)
    gaps = {f"{t.path}:{name}": n for t in tables.values() for name, n in t.gaps.items()}
    if gaps:
        logger.warning("HSDS data package (%s): required values missing: %s", language, gaps)
    return {table.path: table.count for table in tables.values()}


def _write_rows(tables: dict[str, _Table], serialiser: Serialiser) -> None:
    # Another language's serialiser, for a description HSDS requires that this language lacks
    # (an anglophone organisation's French package row): the text the record has, not none.
    other = dataclasses.replace(serialiser, language="en" if serialiser.language == "fr" else "fr")
    tables["taxonomy"].write(serialiser.taxonomy())
    # Every term, not only those in use: a term's parent must be in the file too.
    for category in sorted(serialiser.categories.values(), key=lambda c: (c.sort_order, c.code)):
        tables["taxonomy_term"].write(serialiser.taxonomy_term(category))

    public = queries.public_organisations()
    ids = list(public.order_by("name", "pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        # Asked again: a record unpublished or archived since the export began stays out.
        still = set(public.filter(pk__in=chunk).values_list("pk", flat=True))
        chunk = [pk for pk in chunk if pk in still]
        for organisation in queries.organisations_full(chunk, services=True):
            _write_organisation(tables, serialiser, other, organisation)


def _write_organisation(tables, serialiser: Serialiser, other: Serialiser, organisation) -> None:
    data = serialiser.organisation(organisation)
    if not data["description"]:
        data["description"] = other.organisation(organisation, nested=False).get("description", "")
    tables["organization"].write(data)
    org_id = data["id"]
    for identifier in data["organization_identifiers"]:
        tables["organization_identifier"].write(identifier, organization_id=org_id)
    for phone in data["phones"]:
        tables["phone"].write(phone, organization_id=org_id)
    for location in data["locations"]:
        tables["location"].write(location, organization_id=org_id)
        for key, table in (
            ("addresses", "address"),
            ("schedules", "schedule"),
            ("accessibility", "accessibility"),
        ):
            for row in location[key]:
                tables[table].write(row, location_id=location["id"])

    for service in organisation.services.all():
        service.organisation = organisation  # its locations and phones, already read
        data = serialiser.service(service, organisation=False)
        tables["service"].write(data, organization_id=org_id)
        for area in data["service_areas"]:
            tables["service_area"].write(area, service_id=data["id"])
        for language in data["languages"]:
            tables["language"].write(language, service_id=data["id"])
        for attribute in data["attributes"]:
            tables["attribute"].write(attribute, link_id=data["id"], link_entity="service")
        # The service's phones are its organisation's (written above) and a service at a
        # location's place and hours are the location's: only the link is new here.
        for link in data["service_at_locations"]:
            tables["service_at_location"].write(link, service_id=data["id"])


# --- The stored packages ---------------------------------------------------------------------------

RETRY_AFTER_SECONDS = 120  # about what making both packages of the 211's 6,000 records takes


def stored_name(language: str) -> str:
    return f"open-data/hsds-{language}.zip"


def _state_name(language: str) -> str:
    return f"open-data/hsds-{language}.json"


def stored_state(language: str) -> dict | None:
    """What the stored package in ``language`` was made from (``version``: the public version;
    ``created``; ``files``: rows per file), or ``None`` when there is none yet."""
    try:
        with default_storage.open(_state_name(language), "rb") as file:
            state = json.load(file)
    except (OSError, ValueError):
        return None
    return state if default_storage.exists(stored_name(language)) else None


def data_package_publish() -> dict[str, dict | None]:
    """Make the stored packages (French and English, in default storage) again where the public
    records changed since they were made; returns the rows per file of each package made
    (``None`` for one that was current)."""
    # Read before the records: a change committed during the export makes the package newer
    # than its version says, never older, and the next run makes it again.
    version = public_version()
    today = zone.today()
    offsets = zone.window_key(today)  # schedules' offsets change with the clocks, not the version
    made = {}
    for language in LANGUAGES:
        state = stored_state(language)
        if state is not None and _current(state, version, offsets):
            made[language] = None
            continue
        created = timezone.now()
        with _replacing(stored_name(language)) as stream:
            files = data_package_write(stream=stream, language=language, today=today)
        state = {
            "version": version,
            "offsets": offsets,
            "created": created.isoformat(),
            "files": files,
        }
        with _replacing(_state_name(language)) as stream:
            stream.write(json.dumps(state).encode())
        made[language] = files
    return made


@task()
def publish_data_package() -> dict:
    """Make the open data packages (HSDS, French and English) again if the public records
    changed since they were made; returns the rows per file of each package made."""
    return data_package_publish()


def _current(state: dict, version: int, offsets: str) -> bool:
    return state.get("version") == version and state.get("offsets") == offsets


@contextmanager
def _replacing(name: str):
    """A binary file to write ``name`` of default storage through. On success it takes the old
    file's place in one step, so a download sees the old package or the new one, never half of
    one; on failure the old file stays."""
    storage = default_storage
    try:
        final = Path(storage.path(name))
    except NotImplementedError:
        final = None
    if final is None:
        # Object stores (S3 and the like) have no rename but replace an object whole on upload;
        # a storage that would rather find another name has the old file deleted first.
        with tempfile.TemporaryFile() as file:
            yield file
            file.seek(0)
            if storage.get_available_name(name) != name:
                storage.delete(name)
            storage.save(name, File(file, name=Path(name).name))
        return
    final.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            yield file
        os.chmod(temporary, getattr(storage, "file_permissions_mode", None) or 0o644)
        os.replace(temporary, final)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def data_package_refresh_later() -> None:
    """Have the stored packages made again once the current transaction commits.

    Called by ``public_version_bump``, which every change the public sees goes through
    (publication, unpublication, archiving, verification, import, a renamed need). Once per
    transaction however many records it publishes. Nothing is made while no package exists: a
    fresh database (tests, a migration) costs nothing, and the first download asks for one."""
    connection = transaction.get_connection()
    if any(callback is _refresh_if_stored for _ids, callback, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_refresh_if_stored)


def _refresh_if_stored() -> None:
    if any(default_storage.exists(stored_name(language)) for language in LANGUAGES):
        data_package_refresh()


def data_package_refresh() -> None:
    """Queue the ``publish_data_package`` task, unless one already waits in the queue: it reads
    the public version when it starts, so a second would find its work done. (An import's
    thousands of publications, each committed on its own, then cost one regeneration.)"""
    if not _waiting(publish_data_package):
        publish_data_package.enqueue()


def _waiting(task) -> bool:
    try:
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the database backend is a dependency
        return False
    if not isinstance(task.get_backend(), DatabaseBackend):
        return False
    return DBTaskResult.objects.ready().filter(task_path=task.module_path).exists()


# --- The download ----------------------------------------------------------------------------------


@require_safe
def data_package_view(request):
    """The stored package in ``?lang=`` (``fr``, the default, or ``en``) as a download; while
    there is none yet, 503 with ``Retry-After`` (the task is queued)."""
    language = request.GET.get("lang", "").strip().lower() or "fr"
    if language not in LANGUAGES:
        return JsonResponse({"detail": f"lang: use one of {', '.join(LANGUAGES)}."}, status=400)
    state = stored_state(language)
    if state is None or state.get("offsets") != zone.window_key(zone.today()):
        # None yet, or made before the clocks changed: have it made. Until then, the stored one
        # (its offsets an hour off on some schedules) rather than nothing.
        data_package_refresh()
        state = stored_state(language)  # made already by a backend that runs tasks at once
    if state is None:
        return _not_ready()
    created = int(datetime.fromisoformat(state["created"]).timestamp())
    etag = etag_of(f"{language}|{state['version']}|{state['created']}")
    # 304 when the client has this package already (412 for a precondition it does not meet).
    response = get_conditional_response(request, etag=etag, last_modified=created)
    if response is None:
        try:
            file = default_storage.open(stored_name(language), "rb")
        except OSError:  # replaced between the two reads by a storage without renames
            return _not_ready()
        response = FileResponse(
            file,
            as_attachment=True,
            filename=f"repertoire-hsds-{language}.zip",
            content_type="application/zip",
        )
    return open_data_headers(response, etag, created, language)


def _not_ready() -> JsonResponse:
    return JsonResponse(
        {"detail": "The data package is being prepared. Try again in a few minutes."},
        status=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
    )

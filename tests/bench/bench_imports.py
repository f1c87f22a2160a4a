"""Import a municipality's spreadsheet: the file read alone, our dry run, applying it, and
django-import-export's dry run of the same rows; the peak memory of a 60,000-row dry run.

    .venv/bin/python tests/bench/bench_imports.py [--rows 10000] [--memory-rows 60000]
        [--organisations 6000] [--quick] [--profile] [--no-apply]

A scratch SQLite database under ``.bench/`` is migrated and seeded by the demo generator, and
part of its records get the partner's ids (``OrganisationIdentifier`` under the profile's
scheme, ``ville-test``). The partner's xlsx (openpyxl write-only, 15 columns with the headers a
municipality sends) then holds, shuffled: rows about records known by that id (half of them
saying what the record says, half changing it), rows about records the partner has no id for
(the same name written differently, the same postal code: probable matches), new
organisations drawn from the demo generator with another seed, a few rows with a bad cell and
a few repeated rows. The demo's phone numbers are fictional (555-0100 to 555-0199: a few hundred
numbers shared by many records), so more new organisations than in real data share a number
with a record of a similar name and come out as probable matches. The settings are the
development ones with debug off (as in production), tasks queued in the database as in
production (applying enqueues geocoding and Wagtail's search and reference index updates, a
worker runs them later), the geocoder offline.

Timed, in one process:

1. the floor: the file read with openpyxl in read-only mode, every row's values;
2. our dry run: ``batch_create`` then ``batch_check`` (the records are not touched);
3. the peer: a plain ``ModelResource`` for ``Organisation`` over the organisation's own columns
   (what a ModelResource can do: no places, phones, services, partner ids), matching records by
   name, ``import_data(dry_run=True)`` on a ``tablib.Dataset`` loaded from the same file (the
   load is timed apart);
4. in a child process, ``manage.py import_records --dry-run`` of a ``--memory-rows`` file of the
   same kind: its peak RSS (``getrusage(RUSAGE_CHILDREN)`` in a bare launcher, see
   ``run_child``), against a child that only starts Django;
5. our apply: ``batch_apply`` of the dry run of step 2, last, since it writes the records (the
   longest step: ``--no-apply`` leaves it out).

Targets (from the issue): ours / floor at most 5, peer / ours at least 3, the memory dry run's
peak RSS under 400 MB; each is printed with PASS or FAIL, and a missed target does not change the
exit status (as bench_search). Exit 1 when a step did not work, so that the figures would measure
something else: the file unreadable, the child failing, applying failing. ``--profile`` adds a
cProfile of a second dry run of the same file (the timed one is not profiled). ``--quick`` runs
small sizes, to check the script in under a minute.
"""

import argparse
import cProfile
import datetime
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from profiling import print_profile

PROJECT_DIR = Path(__file__).resolve().parents[2]
BENCH_DIR = PROJECT_DIR / ".bench"
DATABASE = BENCH_DIR / "imports.sqlite3"
MEDIA = BENCH_DIR / "imports-media"
SCHEME = PROFILE = "ville-test"

DEFAULTS = {"rows": 10_000, "memory_rows": 60_000, "organisations": 6_000}
QUICK = {"rows": 100, "memory_rows": 500, "organisations": 200}
FLOOR_RATIO_TARGET, PEER_RATIO_TARGET, MEMORY_TARGET_MB = 5.0, 3.0, 400

# The columns a municipality sends, and the field of ours each one feeds ("" for none).
COLUMNS = [
    ("No de dossier", "partner_id"),
    ("Nom de l'organisme", "name"),
    ("Sigle", "alternate_name"),
    ("Adresse civique", "street_address"),
    ("Ville", "municipality"),
    ("Code postal", "postal_code"),
    ("Tél.", "phone"),
    ("Poste", "phone_extension"),
    ("Courriel", "email"),
    ("Site web", "website"),
    ("Clientèle", "eligibility_fr"),
    ("Description", "description_fr"),
    ("NEQ", "enterprise_number"),
    ("Responsable", "update_contact_name"),
    ("Mise à jour", ""),
]
HEADERS = [header for header, _target in COLUMNS]
COLUMN = {target: i for i, (_header, target) in enumerate(COLUMNS) if target}

# Shares of the file's rows by kind; new organisations make up the rest.
SHARES = {"known": 0.40, "lookalike": 0.15, "error": 0.02, "repeat": 0.01}
KNOWN_SHARE_OF_RECORDS = 0.6  # at most this share of the database gets the partner's ids
DESCRIPTION_NEWS = (
    " Nouveaux locaux depuis janvier.",
    " Halte-garderie offerte pendant les activités.",
    " Inscription en ligne ou par téléphone.",
    " Service offert aussi le samedi matin.",
)


# --- The partner's file -------------------------------------------------------------------------


class Rows:
    """Rows of the partner's file, from our records as the partner knows them and from the demo
    generator (new organisations), written the ways a municipality's staff write them."""

    def __init__(self, *, rng: random.Random, records: dict[int, dict], places: dict[int, str]):
        from organisations.demo import _Generator, _load_categories, _load_places

        self.rng = rng
        self.records = records
        self.places = places
        demo_places, weights, region_id = _load_places(rng=rng)
        categories, leaves = _load_categories()
        self.generator = _Generator(
            rng=rng,
            places=demo_places,
            place_weights=weights,
            region_id=region_id,
            categories=categories,
            leaf_categories=leaves,
            taken_slugs=set(),
        )

    def phone(self, number: str):
        """``+15145550142`` as typed: ``(514) 555-0142``, ``514-555-0142``, or a number Excel
        made of it."""
        area, exchange, line = number[2:5], number[5:8], number[8:]
        style = self.rng.random()
        if style < 0.4:
            return f"({area}) {exchange}-{line}"
        if style < 0.7:
            return f"{area}-{exchange}-{line}"
        if style < 0.9:
            return f"{area} {exchange}-{line}"
        return int(f"{area}{exchange}{line}")

    def postal_code(self, code: str) -> str:
        return code if self.rng.random() < 0.8 else code.replace(" ", "").lower()

    def updated_on(self) -> datetime.date:
        return datetime.date(2025, 1, 1) + datetime.timedelta(days=self.rng.randrange(400))

    def _row(self, pid: str, values: dict) -> list:
        row = [None] * len(COLUMNS)
        row[COLUMN["partner_id"]] = pid
        for target, value in values.items():
            row[COLUMN[target]] = value if value not in ("", None) else None
        row[-1] = self.updated_on()
        return row

    def known(self, pk: int, pid: str) -> list:
        """A record as it is: the dry run finds nothing to change."""
        record = self.records[pk]
        values = {
            "name": record["name"],
            "alternate_name": record["alternate_name"],
            "email": record["email"],
            "website": record["website"],
            "description_fr": record["description_fr"],
            "enterprise_number": int(record["enterprise_number"] or 0) or None,
            "update_contact_name": record["update_contact_name"],
        }
        # Columns with no service name go to the record's only service (else a new one).
        if record["services"] == 1:
            values["eligibility_fr"] = record["eligibility"]
        location = record["location"]
        if location and not location["address_is_confidential"]:
            values["street_address"] = location["street_address"]
            values["municipality"] = self.places[location["municipality_id"]]
            values["postal_code"] = self.postal_code(location["postal_code"])
        if record["phone"]:
            values["phone"] = self.phone(record["phone"]["number"])
            values["phone_extension"] = record["phone"]["extension"] or None
        return self._row(pid, values)

    def changed(self, pk: int, pid: str) -> list:
        """A record with one or two things the partner knows better."""
        row = self.known(pk, pid)
        for change in self.rng.sample(("email", "description", "phone", "moved", "neq"), 2):
            if change == "email":
                domain = (row[COLUMN["website"]] or "https://organisme.example.org/").split("/")[2]
                row[COLUMN["email"]] = f"accueil@{domain}"
            elif change == "description":
                text = row[COLUMN["description_fr"]] or ""
                row[COLUMN["description_fr"]] = text + self.rng.choice(DESCRIPTION_NEWS)
            elif change == "phone":
                row[COLUMN["phone"]] = self.phone(self.generator.phone(("514", "450", "438")))
                row[COLUMN["phone_extension"]] = None
            elif change == "moved" and row[COLUMN["street_address"]]:
                _number, _sep, street = row[COLUMN["street_address"]].partition(" ")
                row[COLUMN["street_address"]] = f"{self.rng.randint(10, 9999)} {street}"
            elif change == "neq":
                row[COLUMN["enterprise_number"]] = int(f"11{self.rng.randrange(10**8):08d}")
        return row

    def lookalike(self, pk: int, pid: str) -> list:
        """A record the partner has no id for, under its name as the partner writes it: a
        probable match (similar name, same postal code)."""
        row = self.known(pk, pid)
        name = row[COLUMN["name"]]
        style = self.rng.random()
        if "Saint-" in name or "Sainte-" in name:
            name = name.replace("Sainte-", "Ste-").replace("Saint-", "St-")
        elif style < 0.35:
            name = name.upper()
        elif style < 0.7:
            name = f"{name} inc."
        else:
            name = name.replace("é", "e").replace("è", "e").replace("'", " ")
        row[COLUMN["name"]] = name
        row[COLUMN["description_fr"]] = None  # the partner's own text would differ anyway
        return row

    def new(self, pid: str) -> list:
        """An organisation we do not have, from the demo generator."""
        bundle = self.generator.organisation()
        organisation = bundle.organisation
        values = {
            "name": organisation.name,
            "alternate_name": organisation.alternate_name,
            "email": organisation.email,
            "website": organisation.website,
            "description_fr": organisation.description_fr,
            "enterprise_number": int(organisation.enterprise_number or 0) or None,
            "update_contact_name": organisation.update_contact_name,
            "eligibility_fr": bundle.services[0][0].eligibility_fr,
        }
        location = bundle.locations[0][0]
        if not location.address_is_confidential:
            values["street_address"] = location.street_address
            values["municipality"] = self.places[location.municipality_id]
            values["postal_code"] = self.postal_code(location.postal_code)
        values["phone"] = self.phone(bundle.phones[0]["number"])
        return self._row(pid, values)

    def broken(self, pid: str) -> list:
        """A new organisation with one cell the import cannot read."""
        row = self.new(pid)
        mistake = self.rng.randrange(5)
        if mistake == 0:
            code = row[COLUMN["postal_code"]] or "H2X 1Y4"
            row[COLUMN["postal_code"]] = code[:-1]
        elif mistake == 1:
            row[COLUMN["email"]] = "info(at)organisme.example.org"
        elif mistake == 2:
            row[COLUMN["municipality"]] = self.rng.choice(
                ("Montreal-Nordd", "St-Jérome", "Ville-Marie-Est", "Lavall", "Longeuil")
            )
        elif mistake == 3:
            row[COLUMN["phone"]] = "514-555-01"
        else:
            row[COLUMN["website"]] = "http//organisme"
        return row


def partner_rows(
    *, rows: int, rng: random.Random, maker: Rows, known: dict[int, str], first_serial: int
) -> tuple[list[list], Counter]:
    """``rows`` rows, shuffled (a partner's export follows no order of ours), and how many of
    each kind."""
    serials = iter(range(first_serial, first_serial + 10 * rows + 10))

    def new_pid() -> str:
        return f"{rng.randint(1995, 2025)}-{next(serials):06d}"

    counts = Counter()
    for kind in ("error", "repeat"):
        counts[kind] = int(rows * SHARES[kind])
    counts["known"] = min(len(known), int(rows * SHARES["known"]))
    eligible = [
        pk
        for pk, record in maker.records.items()
        if pk not in known
        and record["location"]
        and not record["location"]["address_is_confidential"]
    ]
    counts["lookalike"] = min(len(eligible), int(rows * SHARES["lookalike"]))
    counts["new"] = max(0, rows - sum(counts.values()))

    file_rows = []
    chosen = rng.sample(sorted(known), counts["known"])
    half = len(chosen) // 2
    counts["known, as it is"], counts["known, changed"] = half, len(chosen) - half
    file_rows += [maker.known(pk, known[pk]) for pk in chosen[:half]]
    file_rows += [maker.changed(pk, known[pk]) for pk in chosen[half:]]
    file_rows += [
        maker.lookalike(pk, new_pid()) for pk in rng.sample(eligible, counts["lookalike"])
    ]
    file_rows += [maker.new(new_pid()) for _ in range(counts["new"])]
    file_rows += [maker.broken(new_pid()) for _ in range(counts["error"])]
    rng.shuffle(file_rows)
    # A repeat (the same row pasted twice) comes after the row it repeats.
    for _ in range(counts["repeat"]):
        position = rng.randrange(len(file_rows))
        repeat = list(file_rows[position])
        file_rows.insert(rng.randint(position + 1, len(file_rows)), repeat)
    del counts["known"]
    return file_rows, counts


def write_xlsx(path: Path, rows: list[list]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Organismes")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


# --- The database ---------------------------------------------------------------------------------


def records_for_the_file() -> dict[int, dict]:
    """What a partner could know of each record: its fields, first place, first phone and
    services (count, first one's eligibility), a few queries in all."""
    from organisations.models import Location, Organisation, Phone, Service

    fields = ("pk", "name", "alternate_name", "email", "website", "description_fr",
              "enterprise_number", "update_contact_name")  # fmt: skip
    records = {}
    for values in Organisation.objects.exclude(status=Organisation.Status.CLOSED).values(*fields):
        records[values["pk"]] = {**values, "location": None, "phone": None, "services": 0}
    locations = Location.objects.order_by("organisation_id", "sort_order", "pk").values(
        "organisation_id", "street_address", "municipality_id", "postal_code",
        "address_is_confidential",
    )  # fmt: skip
    for location in locations:
        record = records.get(location["organisation_id"])
        if record and record["location"] is None and location["postal_code"]:
            record["location"] = location
    for phone in Phone.objects.order_by("organisation_id", "sort_order", "pk").values(
        "organisation_id", "number", "extension"
    ):
        record = records.get(phone["organisation_id"])
        if record and record["phone"] is None:
            record["phone"] = phone
    for service in Service.objects.order_by("organisation_id", "sort_order", "pk").values(
        "organisation_id", "eligibility_fr"
    ):
        record = records.get(service["organisation_id"])
        if record:
            record["services"] += 1
            record.setdefault("eligibility", service["eligibility_fr"])
    return records


def give_partner_ids(records: dict[int, dict], count: int, rng: random.Random) -> dict[int, str]:
    """Keep the partner's ids on ``count`` records, as an earlier import would have."""
    from organisations.models import OrganisationIdentifier

    chosen = rng.sample(sorted(records), count)
    known = {pk: f"{rng.randint(1995, 2025)}-{serial:06d}" for serial, pk in enumerate(chosen, 1)}
    OrganisationIdentifier.objects.bulk_create(
        [
            OrganisationIdentifier(organisation_id=pk, scheme=SCHEME, identifier=pid, sort_order=1)
            for pk, pid in known.items()
        ],
        batch_size=500,
    )
    return known


def partner_profile():
    from imports.models import MappingProfile

    return MappingProfile.objects.create(
        name=PROFILE,
        label="Ville de test (bench)",
        scheme=SCHEME,
        layout=MappingProfile.Layout.ORGANISATION,
        columns=[{"column": header, "target": target} for header, target in COLUMNS],
    )


# --- The peer ---------------------------------------------------------------------------------------


def peer_resource():
    """django-import-export as its documentation shows it: a ModelResource whose fields are the
    organisation's own columns under the partner's headers, records found by name (a name two
    records share is a row error, as ModelResource has it). One addition: the slug, which
    ``Organisation`` leaves blank and keeps unique; without it every new row after the first
    fails on the unique constraint."""
    from import_export import fields, resources, widgets

    from organisations.models import Organisation

    def text(attribute: str) -> fields.Field:
        # What ModelResource gives a CharField by itself: an empty cell is "", not NULL.
        column = next(header for header, target in COLUMNS if target == attribute)
        return fields.Field(attribute=attribute, column_name=column, widget=widgets.CharWidget())

    class OrganisationResource(resources.ModelResource):
        name = text("name")
        alternate_name = text("alternate_name")
        email = text("email")
        website = text("website")
        description_fr = text("description_fr")
        enterprise_number = text("enterprise_number")
        update_contact_name = text("update_contact_name")

        class Meta:
            model = Organisation
            fields = ("name", "alternate_name", "email", "website", "description_fr",
                      "enterprise_number", "update_contact_name")  # fmt: skip
            import_id_fields = ("name",)

        def before_save_instance(self, instance, row, **kwargs):
            if not instance.slug:
                instance.slug = instance.make_unique_slug()

    return OrganisationResource()


# --- Measuring --------------------------------------------------------------------------------------


def read_floor(path: Path) -> tuple[int, float]:
    """Rows read and seconds: openpyxl read-only, every row's values, nothing done with them."""
    from openpyxl import load_workbook

    started = time.perf_counter()
    workbook = load_workbook(path, read_only=True, data_only=True)
    rows = sum(1 for _values in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return rows - 1, time.perf_counter() - started


def dry_run(path: Path, profile, *, profiler: cProfile.Profile | None = None):
    """(batch, seconds of batch_create, seconds of batch_check)."""
    from imports.services import batch_check, batch_create

    with open(path, "rb") as stream:
        started = time.perf_counter()
        batch = batch_create(file=stream, filename=path.name, profile=profile)
    created = time.perf_counter()
    if profiler:
        profiler.enable()
    batch = batch_check(batch=batch)
    if profiler:
        profiler.disable()
    return batch, created - started, time.perf_counter() - created


# Runs a command and writes its exit status and peak RSS (KiB) to the file named first.
LAUNCHER = """import json, resource, subprocess, sys
status = subprocess.run(sys.argv[2:]).returncode
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(sys.argv[1], "w") as out:
    json.dump({"status": status, "peak_kib": peak}, out)
"""


def run_child(command: list[str]) -> tuple[int, str, str, float, int]:
    """Run ``command``: (exit status, stdout, stderr, seconds, peak RSS in KiB).

    Through a bare Python launcher: Linux counts in a child's ``ru_maxrss`` the memory of the
    process it was forked from (exec keeps the high-water mark), so a child started from this
    process, which holds Django and the generated rows, would weigh at least as much as the
    bench itself. Started from the launcher it weighs what it uses, give or take a few MB."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as figures:
        started = time.perf_counter()
        finished = subprocess.run(
            [sys.executable, "-c", LAUNCHER, figures.name, *command],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        measured = json.loads(figures.read() or "{}")
    status = measured.get("status", finished.returncode or 1)
    return status, finished.stdout, finished.stderr, seconds, measured.get("peak_kib", 0)


def outcome_line(counts: dict) -> str:
    keys = ("new", "updated", "unchanged", "probable_matches", "errors", "duplicates", "in_review")
    return ", ".join(f"{key.replace('_', ' ')} {counts[key]:,}" for key in keys if key in counts)


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


# --- The run ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, help=f"rows of the timed file ({DEFAULTS['rows']:,})")
    parser.add_argument(
        "--memory-rows",
        type=int,
        help=f"rows of the file whose dry run's memory is measured ({DEFAULTS['memory_rows']:,})",
    )
    parser.add_argument(
        "--organisations",
        type=int,
        help=f"demo organisations in the database ({DEFAULTS['organisations']:,})",
    )
    parser.add_argument(
        "--quick", action="store_true", help=f"small sizes, to check the script works ({QUICK})"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile a second dry run")
    parser.add_argument("--no-apply", action="store_true", help="leave out batch_apply")
    parser.add_argument("--seed", type=int, default=211)
    args = parser.parse_args()
    for name, default in (QUICK if args.quick else DEFAULTS).items():
        if getattr(args, name) is None:
            setattr(args, name, default)

    # Before Django reads its settings: development settings on a throwaway database, debug off
    # (it would keep every query of the peer's row-by-row import), tasks queued in the database
    # as in production (a worker would geocode, mail and update the indexes afterwards), no
    # network.
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
            "DATABASE_URL": f"sqlite:///{DATABASE}",
            "MEDIA_ROOT": str(MEDIA),
            "DEBUG": "0",
            "TASKS_BACKEND": "database",
            "GEOCODER": "offline",
            "EMAIL_URL": "locmem:",
            "LOG_LEVEL": "ERROR",
        }
    )
    BENCH_DIR.mkdir(exist_ok=True)
    for leftover in BENCH_DIR.glob(f"{DATABASE.name}*"):  # with its -wal and -shm files
        leftover.unlink()
    for leftover in MEDIA.rglob("*.xlsx"):
        leftover.unlink()
    sys.path.insert(0, str(PROJECT_DIR))

    import django

    django.setup()
    import tablib
    from django.core.management import call_command
    from django.db import connection

    from imports.services import batch_apply
    from organisations.demo import default_drafts, demo_seed
    from organisations.models import Territory

    failures: list[str] = []
    rng = random.Random(args.seed)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started
    drafts = default_drafts(args.organisations)
    seeded = demo_seed(
        organisations=args.organisations, seed=args.seed, drafts=drafts, index=True, stdout=None
    )
    print(
        f"database: {args.organisations:,} demo organisations ({drafts} in review), "
        f"migrate {migrated:.1f} s, seed {seeded['seconds']:.1f} s ({DATABASE})"
    )

    records = records_for_the_file()
    known_count = min(int(args.rows * SHARES["known"]), int(len(records) * KNOWN_SHARE_OF_RECORDS))
    known = give_partner_ids(records, known_count, rng)
    profile = partner_profile()
    maker = Rows(
        rng=random.Random(f"{args.seed}/partner"),
        records=records,
        places=dict(Territory.objects.values_list("pk", "name")),
    )
    files = []
    for use, rows, first_serial in (
        ("timed", args.rows, 100_000),
        ("memory", args.memory_rows, 500_000),
    ):
        started = time.perf_counter()
        path = BENCH_DIR / f"imports-{use}-{rows}.xlsx"
        file_rows, kinds = partner_rows(
            rows=rows, rng=rng, maker=maker, known=known, first_serial=first_serial
        )
        write_xlsx(path, file_rows)
        del file_rows
        files.append(path)
        print(
            f"file: {path.name}, {rows:,} rows x {len(COLUMNS)} columns, "
            f"{path.stat().st_size / 1e6:.1f} MB, written in {time.perf_counter() - started:.1f} s"
            f" ({', '.join(f'{kind} {n:,}' for kind, n in kinds.items())})"
        )
    path, memory_path = files

    # 1. The floor.
    floor_rows, floor = read_floor(path)
    print(f"\n{args.rows:,} rows")
    print(f"  floor: openpyxl read-only       {floor:>7.2f} s  {floor_rows / floor:>9,.0f} rows/s")

    # 2. Our dry run.
    batch, create_seconds, check_seconds = dry_run(path, profile)
    ours = create_seconds + check_seconds
    if batch.status != batch.Status.CHECKED:
        failures.append(f"our dry run ended {batch.status}: {batch.message}")
    summary = batch.summary
    print(f"  ours: batch_create              {create_seconds:>7.2f} s")
    print(
        f"        batch_check               {check_seconds:>7.2f} s  "
        f"{summary.get('rows', 0) / check_seconds:>9,.0f} rows/s"
    )
    print(f"        {summary.get('organisations', 0):,} organisations: {outcome_line(summary)}")

    if args.profile:
        profiler = cProfile.Profile()
        _batch, _create, profiled = dry_run(path, profile, profiler=profiler)
        print_profile(
            profiler,
            heading=f"cProfile of a second dry run ({profiled:.1f} s profiled)",
            cumulative=15,
            own=10,
            indent="  ",
        )
        print()

    # 3. The peer.
    started = time.perf_counter()
    with open(path, "rb") as stream:
        dataset = tablib.Dataset().load(stream, format="xlsx")
    load_seconds = time.perf_counter() - started
    peer_resource_ = peer_resource()
    started = time.perf_counter()
    result = peer_resource_.import_data(dataset, dry_run=True)
    peer = time.perf_counter() - started
    totals = {kind: n for kind, n in result.totals.items() if n}
    print(f"  peer: tablib load (apart)       {load_seconds:>7.2f} s  {len(dataset):>9,} rows")
    print(
        f"        import_data(dry_run=True) {peer:>7.2f} s  {len(dataset) / peer:>9,.0f} rows/s"
        f"  ({', '.join(f'{kind} {n:,}' for kind, n in totals.items())})"
    )
    del dataset, result

    # 4. Peak memory of the large dry run, in a child process.
    connection.close()  # the child reads the database; nothing of ours held open meanwhile
    manage = [sys.executable, "manage.py"]
    command = [*manage, "import_records", str(memory_path), "--profile", PROFILE, "--dry-run"]
    status, out, err, child_seconds, peak_kib = run_child([*command, "--format", "json"])
    peak_mb = peak_kib / 1024
    _status, _out, _err, start_seconds, start_kib = run_child([*manage, "import_records", "-h"])
    print(f"\n{args.memory_rows:,} rows, dry run in a child process (manage.py import_records)")
    report = {}
    if status:
        failures.append(f"import_records --dry-run exited {status}: {err.strip()[-2000:]}")
    else:
        report = json.loads(out)
    print(
        f"  peak RSS {peak_mb:>7.0f} MB (a child that only starts Django: "
        f"{start_kib / 1024:.0f} MB), {child_seconds:.1f} s with start-up "
        f"(start-up alone {start_seconds:.1f} s)"
    )
    if report:
        # The command's report lists every error message (repeated rows' too), not the rows.
        messages = len(report.pop("errors"))
        print(f"  {outcome_line(report)}; {messages:,} error messages")

    # 5. Our apply, last: it writes the records.
    if not args.no_apply and batch.status == batch.Status.CHECKED:
        started = time.perf_counter()
        applied = batch_apply(batch=batch)
        apply_seconds = time.perf_counter() - started
        if applied.status != applied.Status.APPLIED:
            failures.append(f"batch_apply ended {applied.status}: {applied.message}")
        count = applied.summary.get("applied", 0)
        print(f"\n{args.rows:,} rows, apply (drafts submitted to review, tasks queued)")
        print(
            f"  batch_apply {apply_seconds:>7.1f} s: {count:,} organisations written, "
            f"{1000 * apply_seconds / max(count, 1):.1f} ms each (no target)"
        )

    print("\nTargets")
    floor_ratio = ours / floor if floor else 0.0
    print(
        f"  ours / floor = {ours:.2f} / {floor:.2f} s = {floor_ratio:.2f} "
        f"(target <= {FLOOR_RATIO_TARGET:g}): {verdict(floor_ratio <= FLOOR_RATIO_TARGET)}"
    )
    peer_ratio = peer / ours if ours else 0.0
    print(
        f"  peer / ours = {peer:.2f} / {ours:.2f} s = {peer_ratio:.2f} "
        f"(target >= {PEER_RATIO_TARGET:g}): {verdict(peer_ratio >= PEER_RATIO_TARGET)}"
    )
    print(
        f"  peak RSS of the {args.memory_rows:,}-row dry run = {peak_mb:.0f} MB "
        f"(target < {MEMORY_TARGET_MB} MB): {verdict(peak_mb < MEMORY_TARGET_MB)}"
    )
    for failure in failures:
        print(f"FAIL: {failure}")
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()

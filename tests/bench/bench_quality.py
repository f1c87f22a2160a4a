"""Time the full quality run (every check on every record, then the duplicates) at 60,000
organisations: prints the figures.

    .venv/bin/python tests/bench/bench_quality.py [--organisations 60000] [--reuse] [--quick]
        [--profile]

A scratch SQLite database under ``.bench/`` is migrated and seeded by the demo generator in a
child process (so that this process's peak memory is the run's, not the seed's; ``--reuse`` keeps
a database seeded earlier), with about 1% of the records holding a draft in review, as the seed
makes them. The websites get the answers a periodic link check would have stored (most fine, a
few errors): the run reads them, it does not fetch anything. The settings are the development
ones with debug off, as in production.

Timed: ``quality_run()``, as the nightly ``manage.py quality_run`` calls it, from a database with
no stored results. Within it, the checks (``quality_recompute``) and the duplicates
(``duplicates_refresh``, whatever it does at the time) are timed apart by wrapping them. Printed:
records per second, problems by severity and by check, the peak RSS of this process (Django and
the run; on Linux, what is resident after the run is split into the process's own memory and the
pages of files it maps: the settings read SQLite through a memory map of up to 1 GB), and PASS or
FAIL against the target from the issue (under 2 minutes, link checks excluded). A missed target
does not change the exit status (as bench_search); a step that did not work exits 1.
``--profile`` adds a cProfile of a second run of the checks (the timed run is not profiled).
``--quick`` runs 500 organisations, to check the script.
"""

import argparse
import cProfile
import os
import random
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from profiling import print_profile

PROJECT_DIR = Path(__file__).resolve().parents[2]
BENCH_DIR = PROJECT_DIR / ".bench"
SEED = 211
TARGET_SECONDS = 120
BROKEN_LINK_SHARE = 0.03  # websites whose last check answered an error
ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
    "DEBUG": "0",  # debug would keep every query in memory
    "GEOCODER": "offline",
    "EMAIL_URL": "locmem:",  # the seed's drafts notify their reviewers
    "LOG_LEVEL": "ERROR",
}


def setup_django(database: Path) -> None:
    os.environ.update({**ENVIRONMENT, "DATABASE_URL": f"sqlite:///{database}"})
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()


# --- The database ---------------------------------------------------------------------------------


def database_path(organisations: int) -> Path:
    return BENCH_DIR / f"quality-{organisations}.sqlite3"


def organisations_in(path: Path) -> int:
    try:
        with sqlite3.connect(path) as db:
            return db.execute("SELECT count(*) FROM organisations_organisation").fetchone()[0]
    except sqlite3.Error:
        return 0


def seed_only(path: Path, organisations: int) -> None:
    """In a child process: migrate and seed a new database at ``path`` (written aside, then
    moved into place, so that an interrupted run leaves nothing ``--reuse`` would take)."""
    scratch = path.with_name(f"{path.name}.partial")
    BENCH_DIR.mkdir(exist_ok=True)
    for leftover in BENCH_DIR.glob(f"{scratch.name}*"):
        leftover.unlink()
    setup_django(scratch)
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    from organisations.demo import default_drafts, demo_seed

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    drafts = default_drafts(organisations)
    counts = demo_seed(
        organisations=organisations, seed=SEED, drafts=drafts, index=False, stdout=StringIO()
    )
    links = store_link_answers()
    connection.close()  # the last connection: SQLite folds the WAL into the file
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    os.replace(scratch, path)
    print(
        f"seeded {organisations:,} organisations ({counts['services']:,} services, "
        f"{counts['locations']:,} places, {counts['hours']:,} opening hours, "
        f"{counts['phones']:,} phones, {counts['drafts']} drafts in review, {links:,} website "
        f"answers) in {time.perf_counter() - started:.1f} s, {path.stat().st_size / 1e6:.0f} MB",
        flush=True,
    )


def store_link_answers() -> int:
    """What the periodic link check would have stored: one answer per website, a few errors."""
    from django.utils import timezone

    from organisations.models import LinkCheck, Organisation

    rng = random.Random(SEED)
    now = timezone.now()
    websites = sorted(
        set(Organisation.objects.exclude(website="").values_list("website", flat=True))
    )
    answers = []
    for url in websites:
        broken = rng.random() < BROKEN_LINK_SHARE
        answers.append(
            LinkCheck(
                url=url,
                checked_at=now,
                ok=not broken,
                status_code=rng.choice((404, 410, 500, None)) if broken else 200,
                error="",
            )
        )
    for answer in answers:
        if answer.status_code is None:
            answer.error = "Name or service not known"
    LinkCheck.objects.bulk_create(answers, batch_size=1_000)
    return len(answers)


def prepare_database(organisations: int, *, reuse: bool) -> Path:
    path = database_path(organisations)
    if reuse and organisations_in(path):
        print(f"reusing {path.relative_to(PROJECT_DIR)}", flush=True)
        return path
    seeding = subprocess.run(
        [sys.executable, __file__, "--seed-only", str(path), str(organisations)], cwd=PROJECT_DIR
    )
    if seeding.returncode:
        raise SystemExit(f"FAIL: seeding {organisations:,} organisations failed (see above)")
    return path


# --- Measuring ------------------------------------------------------------------------------------


class Timed:
    """A function wrapped so that the time spent in it adds up."""

    def __init__(self, function):
        self.function = function
        self.seconds = 0.0

    def __call__(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return self.function(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started


def timed_run():
    """``quality_run()`` in full, with the time of the checks and of the duplicates apart: both
    are looked up by name when the run calls them, so wrapping the module attributes times the
    very calls of the run."""
    from organisations.quality import duplicates, services

    checks = Timed(services.quality_recompute)
    refresh = Timed(duplicates.duplicates_refresh)
    services.quality_recompute, duplicates.duplicates_refresh = checks, refresh
    try:
        started = time.perf_counter()
        run = services.quality_run()
        seconds = time.perf_counter() - started
    finally:
        services.quality_recompute = checks.function
        duplicates.duplicates_refresh = refresh.function
    return run, seconds, checks.seconds, refresh.seconds


def resident_split() -> str:
    """Resident memory now, own (anonymous) and file-backed (SQLite's memory map), from Linux's
    /proc; empty elsewhere."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return ""
    kib = dict(
        (line.split(":")[0], int(line.split()[1]))
        for line in status.splitlines()
        if line.startswith(("RssAnon:", "RssFile:"))
    )
    if len(kib) < 2:
        return ""
    return (
        f" (after the run: {kib['RssAnon'] / 1024:.0f} MB its own, "
        f"{kib['RssFile'] / 1024:.0f} MB of mapped files, the database's pages mostly)"
    )


def profile_checks() -> None:
    from organisations.models import Organisation
    from organisations.quality.services import quality_context, quality_recompute

    ids = list(
        Organisation.objects.exclude(status=Organisation.Status.CLOSED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    quality_recompute(organisation_ids=ids, context=quality_context())
    profiler.disable()
    seconds = time.perf_counter() - started
    print_profile(
        profiler,
        heading=f"cProfile of a second run of the checks ({seconds:.1f} s profiled)",
        cumulative=20,
        own=15,
    )


# --- The run --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=None, help="default 60,000")
    parser.add_argument("--quick", action="store_true", help="500 organisations")
    parser.add_argument("--reuse", action="store_true", help="keep a database seeded earlier")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile a second run of the checks"
    )
    parser.add_argument(
        "--seed-only", nargs=2, metavar=("PATH", "ORGANISATIONS"), help="(internal)"
    )
    args = parser.parse_args()
    if args.seed_only:
        seed_only(Path(args.seed_only[0]), int(args.seed_only[1]))
        return
    organisations = args.organisations or (500 if args.quick else 60_000)

    database = prepare_database(organisations, reuse=args.reuse)
    setup_django(database)
    from organisations.models import DuplicatePair, QualityIssue, QualityRun

    # Every timed run starts as the first one on a fresh database: nothing stored yet.
    QualityIssue.objects.all().delete()
    QualityRun.objects.all().delete()
    DuplicatePair.objects.all().delete()

    run, seconds, checks, duplicates = timed_run()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    problems = sum(run.by_severity.values())
    print(f"\nquality_run() on {run.checked:,} records (archived ones aside)")
    print(f"  total          {seconds:>8.1f} s  {run.checked / seconds:>9,.0f} records/s")
    print(f"  checks         {checks:>8.1f} s  (quality_recompute: read, check, store)")
    print(f"  duplicates     {duplicates:>8.1f} s  ({run.duplicates:,} probable duplicates)")
    print(f"  the rest       {seconds - checks - duplicates:>8.1f} s  (archived records, counts)")
    print(f"  peak RSS       {peak_mb:>8.0f} MB{resident_split()}")
    print(f"  problems       {problems:>8,}  on {run.checked:,} records")
    for severity, count in run.by_severity.items():
        print(f"    {severity:<12} {count:>8,}")
    print(f"  records with a severe problem: {run.records_with_severe:,}")
    for code, count in sorted(run.by_check.items(), key=lambda item: -item[1]):
        print(f"    {code:<26} {count:>8,}")
    verdict = "PASS" if seconds < TARGET_SECONDS else "FAIL"
    print(f"\nTarget: the full run in {seconds:.1f} s (target < {TARGET_SECONDS} s): {verdict}")

    if args.profile:
        profile_checks()


if __name__ == "__main__":
    main()

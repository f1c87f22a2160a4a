"""Load the public portraits and the 211's report on five years of requests, beside an
organisation's page on the same server in the same run: prints the figures.

    .venv/bin/python tests/bench/bench_portraits.py [--reuse] [--clients 8] [--workers 2]

A scratch SQLite database under ``.bench/`` is seeded in a child process (Django is set up once
per process; ``--reuse`` keeps one already there): the demo directory (``demo_seed``, 6,000
organisations), then five years of requests (``manage.py seed_requests --years 5``, at the scale
that makes about 250,000 needs), an editor and a signed-in session for the report. gunicorn
serves it with ``tests/bench/search_settings.py`` (debug off, offline geocoder), the response
cache off (``PUBLIC_CACHE_SECONDS=0``: every page is made, the organisation's too).

Three mixes, each with ``--clients`` clients: an organisation's page (distinct organisations),
portraits (every kind of place, each year, every need or a family, French and English), reports
(every request or a place; a year, a quarter or a few years; the workbook now and then). They take
turns, a slice of each per round (``--rounds``), so that the machine's other work weighs on all
three alike. The portraits' public figures are worked out in every worker first, as in a server
that has been running; the reports' months are read as they come (first visits included).

Target (issue 19): each mix's throughput at least 0.3 of the organisation page's (printed, PASS
or FAIL; FAIL exits 1). A server error (5xx) fails too, with gunicorn's traceback printed.
"""

import argparse
import http.client
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter

from bench_search import (  # beside this file (the script's folder is on the path)
    BARE,
    BENCH_DIR,
    HOST,
    PROJECT_DIR,
    Phase,
    Server,
)

SEED = 211
ORGANISATIONS = 6_000
YEARS = 5
# seed_requests at 1.0 follows the report: 36,000 communications and 67,000 needs a year. Five
# years of about 250,000 needs is 0.75 of that.
SCALE = 0.75
RATIO_TARGET = 0.3
USER_AGENT = "bench_portraits"
FAMILIES = (
    "aide-alimentaire",
    "logement-hebergement",
    "transport-accompagnement",
    "demenagement",
    "aide-domicile-repit",
    "sante",
)


class Database:
    path = BENCH_DIR / "portraits.sqlite3"

    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def ready(self) -> bool:
        if not self.path.exists():
            return False
        try:
            with sqlite3.connect(self.path) as db:
                needs = db.execute("SELECT count(*) FROM portraits_need").fetchone()[0]
                sessions = db.execute("SELECT count(*) FROM django_session").fetchone()[0]
            return needs > 0 and sessions > 0
        except sqlite3.Error:
            return False


def seed_only(url: str) -> None:
    """In a child process: migrate the database at ``url``, seed it, and sign an editor in."""
    os.environ.update(
        {
            # The server's settings: its secret signs the session made here.
            "DJANGO_SETTINGS_MODULE": "tests.bench.search_settings",
            "DATABASE_URL": url,
            "GEOCODER": "offline",
            "LOG_LEVEL": "ERROR",
        }
    )
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection

    from organisations.demo import demo_seed
    from organisations.roles import EDITORS

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    demo_seed(organisations=ORGANISATIONS, seed=SEED, drafts=0, index=True, stdout=StringIO())
    directory = time.perf_counter()
    out = StringIO()
    call_command("seed_requests", years=YEARS, seed=SEED, scale=SCALE, stdout=out)
    requests = time.perf_counter()
    editor, _created = get_user_model().objects.get_or_create(username="bench-editor")
    editor.groups.add(Group.objects.get(name=EDITORS))
    session = _session_for(editor)
    connection.close()
    said = next((line for line in out.getvalue().splitlines() if "needs" in line), "")
    print(
        f"  seeded {ORGANISATIONS:,} organisations in {directory - started:.1f} s, "
        f"requests in {requests - directory:.1f} s: {said}",
        flush=True,
    )
    (BENCH_DIR / "portraits-session").write_text(session)


def _session_for(user) -> str:
    """A signed-in session of ``user``, as the login form would make it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


def seed(database: Database) -> None:
    BENCH_DIR.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        database.path.with_name(database.path.name + suffix).unlink(missing_ok=True)
    done = subprocess.run(
        [sys.executable, __file__, "--seed-only", database.url()], cwd=PROJECT_DIR
    )
    if done.returncode:
        raise SystemExit("FAIL: seeding failed (see above)")


# --- The URLs ----------------------------------------------------------------------------------


def paths(database: Database, rng: random.Random, count: int) -> dict[str, list[str]]:
    """The three mixes: organisations' pages, portraits, reports."""
    with sqlite3.connect(database.path) as db:
        slugs = [
            row[0] for row in db.execute("SELECT slug FROM organisations_organisation WHERE live")
        ]
        places = [row[0] for row in db.execute("SELECT slug FROM organisations_territory")]
        first, last = db.execute(
            "SELECT min(month), max(month) FROM portraits_monthlyrequestcount"
        ).fetchone()
    years = list(range(int(first[:4]), int(last[:4]) + 1))
    organisations = [f"/fr/organismes/{slug}/" for slug in rng.sample(slugs, count)]
    portraits = []
    for _ in range(count):
        place, year = rng.choice(places), rng.choice(years)
        family = rng.choice(FAMILIES) if rng.random() < 0.3 else ""
        if rng.random() < 0.7:
            query = f"?annee={year}" + (f"&besoin={family}" if family else "")
            portraits.append(f"/fr/portraits/{place}/{query}")
        else:
            query = f"?year={year}" + (f"&need={family}" if family else "")
            portraits.append(f"/en/portraits/{place}/{query}")
    reports = []
    for _ in range(count):
        place = "" if rng.random() < 0.3 else rng.choice(places)
        year = rng.choice(years[1:])
        span = rng.choice(("year", "year", "quarter", "years"))
        if span == "year":
            start, end = f"{year}-01", f"{year}-12"
        elif span == "quarter":
            quarter = rng.randint(0, 3) * 3 + 1
            start, end = f"{year}-{quarter:02d}", f"{year}-{quarter + 2:02d}"
        else:
            start, end = f"{years[0]}-01", f"{year}-12"
        extra = "&format=xlsx" if rng.random() < 0.1 else ""
        reports.append(f"/admin/requests/report/?territory={place}&start={start}&end={end}{extra}")
    return {"organisation": organisations, "portraits": portraits, "reports": reports}


# --- The clients ---------------------------------------------------------------------------------


def fetch(port: int, path: str, *, timeout: float, cookie: str = "") -> tuple[int, int]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    headers = {"User-Agent": USER_AGENT}
    if cookie:
        headers["Cookie"] = cookie
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, len(response.read())
    finally:
        connection.close()


def merge(total: Phase, part: Phase) -> None:
    total.latencies += part.latencies
    total.paths += part.paths
    total.statuses.update(part.statuses)
    total.body_bytes += part.body_bytes
    total.seconds += part.seconds


def load(port, name, urls, *, clients, timeout, budget, cookie="", quiet=False) -> Phase:
    phase = Phase(name, len(urls))
    pending = list(reversed(urls))
    lock = threading.Lock()
    started = time.perf_counter()
    stop_at = started + budget

    def client() -> None:
        while time.perf_counter() < stop_at:
            with lock:
                if not pending:
                    return
                path = pending.pop()
            before = time.perf_counter()
            try:
                status, size = fetch(port, path, timeout=timeout, cookie=cookie)
            except (OSError, http.client.HTTPException) as error:
                status, size = type(error).__name__, 0
            elapsed = time.perf_counter() - before
            with lock:
                phase.latencies.append(elapsed)
                phase.paths.append(path)
                phase.statuses[status] += 1
                phase.body_bytes += size

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - started
    if not quiet:
        print(phase.line(), flush=True)
    return phase


def warm(port: int, urls: list[str], *, workers: int, timeout: float) -> float:
    """Load the code in every worker, then work out each year's public figures in every worker
    (each year asked twice as many times as there are workers, from as many clients at once: a
    busy worker leaves the next request to another), as a server that has been running has."""
    started = time.perf_counter()
    for _ in range(20):
        fetch(port, BARE, timeout=timeout)
    by_year: dict[str, str] = {}
    for url in urls:
        by_year.setdefault(url.split("=")[1][:4], url)
    for url in by_year.values():
        load(
            port,
            f"warm {url[:44]}",
            [url] * workers * 2,
            clients=workers,
            timeout=timeout,
            budget=300,
        )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", action="store_true", help="keep a database already seeded")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--requests", type=int, default=400, help="requests of each mix")
    parser.add_argument("--rounds", type=int, default=4, help="turns the mixes take")
    parser.add_argument("--timeout", type=float, default=45.0, help="seconds a client waits")
    parser.add_argument("--budget", type=float, default=120.0, help="seconds a phase may send")
    parser.add_argument("--seed-only", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_only:
        seed_only(args.seed_only)
        return

    database = Database()
    print(f"== Portraits and reports, {ORGANISATIONS:,} organisations, {YEARS} years of requests")
    if args.reuse and database.ready():
        print(f"  reusing {database.path.relative_to(PROJECT_DIR)}", flush=True)
    else:
        seed(database)
    cookie = "sessionid=" + (BENCH_DIR / "portraits-session").read_text().strip()
    with sqlite3.connect(database.path) as db:
        needs = db.execute("SELECT count(*) FROM portraits_need").fetchone()[0]
        requests = db.execute("SELECT count(*) FROM portraits_request").fetchone()[0]
        rows = db.execute("SELECT count(*) FROM portraits_monthlyneedcount").fetchone()[0]
    print(f"  {requests:,} requests, {needs:,} needs, {rows:,} monthly need count rows", flush=True)
    urls = paths(database, random.Random(SEED), args.requests)
    log = BENCH_DIR / "portraits-gunicorn.log"
    failed = False
    with Server(
        database, cache_seconds=0, workers=args.workers, timeout=args.timeout, log=log
    ) as server:
        seconds = warm(server.port, urls["portraits"], workers=args.workers, timeout=args.timeout)
        print(f"  warm-up (every year worked out in every worker) {seconds:.1f} s", flush=True)
        for _ in range(args.workers * 2):
            fetch(server.port, urls["reports"][0], timeout=args.timeout, cookie=cookie)
        # The mixes in turns, a slice of each per round: the machine's other work (a test run,
        # another benchmark) weighs on all three alike.
        names = ("organisation", "portraits", "reports")
        phases = {name: Phase(name, len(urls[name])) for name in names}
        size = max(1, args.requests // args.rounds)
        for start in range(0, args.requests, size):
            for name in names:
                part = load(
                    server.port,
                    f"{name} {start // size + 1}/{args.rounds}",
                    urls[name][start : start + size],
                    clients=args.clients,
                    timeout=args.timeout,
                    budget=args.budget / args.rounds,
                    cookie=cookie if name == "reports" else "",
                    quiet=True,
                )
                merge(phases[name], part)
        for phase in phases.values():
            print(phase.line(), flush=True)
        errors = sum(phase.server_errors for phase in phases.values())
        if errors:
            print(f"FAIL: {errors} server errors\n{server.first_traceback()}")
            failed = True
    base = phases["organisation"].throughput
    for name in ("portraits", "reports"):
        ratio = phases[name].throughput / base if base else 0.0
        verdict = "PASS" if ratio >= RATIO_TARGET else "FAIL"
        failed |= verdict == "FAIL"
        print(
            f"  {name}: {phases[name].throughput:.1f} req/s against an organisation's page "
            f"{base:.1f} req/s: {ratio:.2f} (target {RATIO_TARGET}) {verdict}",
            flush=True,
        )
    not_ok = Counter(
        {
            f"{name} {status}": n
            for name, phase in phases.items()
            for status, n in phase.statuses.items()
            if status != 200
        }
    )
    if not_ok:
        print(f"FAIL: answers other than 200: {dict(not_ok)}")
        failed = True
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

"""Load the public search page through gunicorn at 6,000 and 60,000 organisations: prints the figures.

    .venv/bin/python tests/bench/bench_search.py [--reuse] [--database sqlite postgres]
        [--sizes 6000 60000] [--clients 8] [--explain [N] [--kinds near need ...]]

For each database and size, a scratch database is seeded by the demo generator (in a child
process: Django is set up once per process): SQLite's under ``.bench/``, PostgreSQL's
``repertoire_bench_<size>`` on the local server (127.0.0.1:5432, user postgres), vacuumed and
analysed after seeding. ``--reuse`` keeps a database already there, after applying the migrations
it lacks. Each is served by gunicorn on 127.0.0.1 with ``tests/bench/search_settings.py`` (debug
off, offline geocoder, a bare view at ``/bench/bare/`` behind the same middleware). Eight
clients, each one connection per request, measure the latency of every request:

- the bare view, then a mix of varied search URLs (words common, rare and unknown, needs, places,
  proximity, their combinations, later pages; French and English), built from a fixed seed, with
  the response cache off (``PUBLIC_CACHE_SECONDS=0``);
- on the largest database, a repeat mix (popular searches asked again and again: a Zipf law over
  the same URLs), with the cache off, then on a new server with the cache on.

Targets (from the issue), on each database: the search mix's throughput at least 0.08 of the bare
view's (under 0.04 something is wrong: FAIL, exit 1); p95 at 60,000 organisations at most twice
p95 at 6,000 (printed, PASS or FAIL, either way). With two databases, the ratios of both are
printed last; each is measured back to back with its own bare view. A server error (5xx) also
fails: the figures would measure an error page; its traceback is printed from gunicorn's log
(``.bench/search-gunicorn-*.log``).

Time is bounded whatever the search costs: a phase sends requests for ``--budget`` seconds at
most (the rest are reported as not sent), a client waits ``--timeout`` seconds at most (the wait
counts in the latencies), and the repeat mix without the cache is skipped when the search mix
did not finish. About 2 minutes on 2 cores for a fast search page (1.5 of them seeding 60,000
organisations; ``--reuse`` keeps the databases of an earlier run), 8 at most for a slow one, per
database. Seeding 60,000 organisations on PostgreSQL takes some 9 minutes.

``--explain`` measures nothing: it loads N searches (default 1) of each kind of the mix through
the page and prints each query on the search index with its plan: ``EXPLAIN (ANALYZE, BUFFERS)``
on PostgreSQL, ``EXPLAIN QUERY PLAN`` and a timed run on SQLite. Where a search's time goes.
"""

import argparse
import ast
import csv
import http.client
import math
import os
import queue
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

PROJECT_DIR = Path(__file__).resolve().parents[2]
BENCH_DIR = PROJECT_DIR / ".bench"
SEED = 211
HOST = "127.0.0.1"
RATIO_TARGET, RATIO_BROKEN, P95_GROWTH_TARGET = 0.08, 0.04, 2.0
ENGINES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}

# Words as the demo data has them (organisations/demo/data.py), by how many of 6,000 organisations
# they match: "service(s)" every one, "aide" and "famille(s)" a quarter, "soutien" 7 %.
COMMON_WORDS = (
    "aide",
    "services",
    "famille",
    "familles",
    "soutien",
    "communautaire",
    "personnes",
    "help",
    "community",
    "seniors",
    "food",
    "aînés",
)
MIDDLE_WORDS = (
    "popote roulante",
    "banque alimentaire",
    "déménagement",
    "clinique d'impôts",
    "logement",
    "emploi",
    "hébergement",
    "refuge",
    "suicide",
    "aide juridique",
    "jeunes",
    "snow removal",
    "meals on wheels",
    "women",
    "budget",
    "transport",
    "cuisines collectives",
    "tax clinic",
)
RARE_WORDS = (  # 3 to 80 organisations in 6,000
    "ressourcerie",
    "friperie",
    "vaccination",
    "informatique",
    "newcomers",
    "sulpice",
    "clsc",
    "oka",
    "hudson",
    "la passerelle",
    "boussole",
    "tournesol",
    "lighthouse",
    "evergreen",
    "sexual assault",
)
CONSONANTS = "bcdfghjklmnpqrstvwxz"
RADII = (2, 5, 10, 25, 50)
# Around Montréal: the island, Laval and the near South Shore.
LATITUDES, LONGITUDES = (45.40, 45.70), (-73.90, -73.40)
PARAMETERS = {  # the search page's parameters in each language (organisations/search.py)
    "fr": {"category": "categorie", "territory": "territoire", "radius": "rayon", "near": "pres"},
    "en": {"category": "category", "territory": "area", "radius": "radius", "near": "near"},
}
PAGES = {"fr": "/fr/recherche/", "en": "/en/search/"}
BARE = "/bench/bare/"


# --- Reference data, read without Django -------------------------------------------------------


def need_codes() -> list[str]:
    """Every need code of ``organisations/reference.py``'s CATEGORIES, families and children."""
    tree = ast.parse((PROJECT_DIR / "organisations" / "reference.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "CATEGORIES" for t in node.targets
        ):
            categories = ast.literal_eval(node.value)
            return [code for code, *_ in categories] + [
                child[0] for *_, children in categories for child in children
            ]
    raise SystemExit("CATEGORIES not found in organisations/reference.py")


def places() -> list[tuple[str, str]]:
    """(slug, name) of every municipality and borough or district of the reference data."""
    rows = []
    for name in ("cmm_municipalities.csv", "sub_areas.csv"):
        with open(PROJECT_DIR / "organisations" / "data" / name, newline="") as file:
            rows += [(row["slug"], row["name"]) for row in csv.DictReader(file)]
    return rows


# --- The URLs ----------------------------------------------------------------------------------


def search_urls(count: int, *, seed: object) -> list[tuple[str, str]]:
    """``count`` distinct search URLs with the kind of search each is, always the same for the
    same seed."""
    rng = random.Random(seed)
    needs, territories = need_codes(), places()
    popular_needs = ["aide-alimentaire", "popote-roulante", "emploi", "aines", "aide-domicile"]
    popular_places = ["montreal", "laval", "longueuil", "verdun", "le-plateau-mont-royal"]

    def nonsense() -> str:
        return "".join(rng.choice(CONSONANTS) for _ in range(rng.randint(6, 10)))

    def words(kind: str) -> str:
        if kind == "common":
            return rng.choice(COMMON_WORDS)
        if kind == "middle":
            return rng.choice(MIDDLE_WORDS)
        if kind == "rare":
            return rng.choice(RARE_WORDS)
        if kind == "nonsense":  # alone, or making a common word match nothing
            return nonsense() if rng.random() < 0.7 else f"{rng.choice(COMMON_WORDS)} {nonsense()}"
        return rng.choice(COMMON_WORDS + MIDDLE_WORDS)

    def need() -> str:
        return rng.choice(popular_needs) if rng.random() < 0.4 else rng.choice(needs)

    def territory() -> str:
        return rng.choice(popular_places) if rng.random() < 0.4 else rng.choice(territories)[0]

    def point() -> dict[str, str]:
        return {
            "lat": f"{rng.uniform(*LATITUDES):.4f}",
            "lon": f"{rng.uniform(*LONGITUDES):.4f}",
            "radius": str(rng.choice(RADII)),
        }

    kinds = {  # what is searched: weight
        "common": 14,
        "middle": 12,
        "rare": 9,
        "nonsense": 7,
        "need": 11,
        "place": 9,
        "near": 9,
        "near by name": 3,
        "words+need": 6,
        "words+place": 8,
        "need+place": 10,
        "need+near": 7,
        "words+near": 5,
        "words+need+place": 4,
    }
    urls: list[tuple[str, str]] = []
    seen: set[str] = set()
    while len(urls) < count:
        kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]
        language = "fr" if rng.random() < 0.65 else "en"
        names = PARAMETERS[language]
        query: dict[str, str] = {}
        if kind in ("common", "middle", "rare", "nonsense"):
            query["q"] = words(kind)
        elif kind.startswith("words"):
            query["q"] = words(rng.choice(("common", "middle", "middle", "rare")))
        if "need" in kind.split("+"):
            query[names["category"]] = need()
        if kind == "place" or "place" in kind.split("+"):
            query[names["territory"]] = territory()
        if kind == "near" or "near" in kind.split("+"):
            position = point()
            query["lat"], query["lon"] = position["lat"], position["lon"]
            query[names["radius"]] = position["radius"]
        if kind == "near by name":
            query[names["near"]] = rng.choice(territories)[1]
            if rng.random() < 0.5:
                query[names["category"]] = need()
        if kind in ("common", "need", "place", "need+place") and rng.random() < 0.15:
            query["page"] = str(rng.randint(2, 6))
        url = f"{PAGES[language]}?{urlencode(query)}"
        if url not in seen:
            seen.add(url)
            urls.append((url, kind))
    return urls


def repeat_mix(urls: list[str], count: int, *, seed: object) -> list[str]:
    """``count`` requests over ``urls`` as visitors repeat them: the k-th most popular search
    is asked 1/k as often as the first (popularity in no relation to the kind of search)."""
    rng = random.Random(seed)
    ranked = rng.sample(urls, len(urls))
    return rng.choices(ranked, weights=[1 / rank for rank in range(1, len(ranked) + 1)], k=count)


# --- Databases -----------------------------------------------------------------------------------

# The local PostgreSQL server, user postgres without a password, as the tests reach it.
POSTGRES_SERVER = f"postgres://postgres@{HOST}:5432"


@dataclass(frozen=True)
class Database:
    """The scratch database of one size on one engine: a file under ``.bench/`` for SQLite, a
    database ``repertoire_bench_<size>`` on the local server for PostgreSQL."""

    engine: str  # "sqlite" or "postgres"
    organisations: int

    @property
    def name(self) -> str:
        if self.engine == "postgres":
            return f"repertoire_bench_{self.organisations}"
        return str((BENCH_DIR / f"search-{self.organisations}.sqlite3").relative_to(PROJECT_DIR))

    def url(self, *, scratch: bool = False) -> str:
        """``DATABASE_URL`` of the database, or of the one it is seeded in before it is moved
        into place (an interrupted run leaves nothing ``--reuse`` would take)."""
        if self.engine == "postgres":
            return f"{POSTGRES_SERVER}/{self.name}{'_partial' if scratch else ''}"
        return f"sqlite:///{self.path(scratch=scratch)}"

    def path(self, *, scratch: bool = False) -> Path:
        path = PROJECT_DIR / self.name
        return path.with_name(f"{path.name}.partial") if scratch else path

    def indexed(self) -> int:
        """Public search documents in the database seeded earlier (0: absent or unusable)."""
        sql = "SELECT count(*) FROM organisations_searchdocument"
        if self.engine == "sqlite":
            if not self.path().exists():
                return 0
            try:
                with sqlite3.connect(self.path()) as db:
                    return db.execute(sql).fetchone()[0]
            except sqlite3.Error:
                return 0
        import psycopg

        try:
            with _postgres(self.name) as db:
                return db.execute(sql).fetchone()[0]
        except psycopg.Error:  # no such database, no such table
            return 0

    def size_mb(self) -> float:
        if self.engine == "sqlite":
            return self.path().stat().st_size / 1e6
        with _postgres(self.name) as db:
            return db.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 1e6

    def seed(self) -> None:
        """Migrate and seed a new database (in a child process: Django is set up once per
        process), then move it into place; PostgreSQL's is vacuumed and analysed first, as a
        production database is by autovacuum, so that the planner knows what the tables hold."""
        if self.engine == "sqlite":
            scratch = self.path(scratch=True)
            BENCH_DIR.mkdir(exist_ok=True)
            for leftover in BENCH_DIR.glob(f"{scratch.name}*"):
                leftover.unlink()
        else:
            with _postgres("postgres") as db:
                db.execute(f"DROP DATABASE IF EXISTS {self.name}_partial")
                db.execute(f"CREATE DATABASE {self.name}_partial")
        seeding = subprocess.run(
            [
                sys.executable,
                __file__,
                "--seed-only",
                self.url(scratch=True),
                str(self.organisations),
            ],
            cwd=PROJECT_DIR,
        )
        if seeding.returncode:
            raise SystemExit(
                f"FAIL: seeding {self.organisations:,} organisations failed (see above)"
            )
        if self.engine == "sqlite":
            for suffix in ("", "-wal", "-shm", "-journal"):
                self.path().with_name(self.path().name + suffix).unlink(missing_ok=True)
            os.replace(self.path(scratch=True), self.path())
            return
        started = time.perf_counter()
        with _postgres(f"{self.name}_partial") as db:
            db.execute("VACUUM ANALYZE")
        with _postgres("postgres") as db:
            db.execute(f"DROP DATABASE IF EXISTS {self.name}")
            db.execute(f"ALTER DATABASE {self.name}_partial RENAME TO {self.name}")
        print(f"  VACUUM ANALYZE in {time.perf_counter() - started:.1f} s", flush=True)

    def prepare(self, *, reuse: bool) -> None:
        if reuse:
            indexed = self.indexed()
            if indexed:
                print(f"  reusing {self.name} ({indexed:,} indexed)", flush=True)
                # Seeded by an earlier version of the code: its new migrations first.
                subprocess.run(
                    [sys.executable, __file__, "--migrate-only", self.url()],
                    cwd=PROJECT_DIR,
                    check=True,
                )
                return
        self.seed()
        print(f"  {self.name}: {self.size_mb():.0f} MB", flush=True)


def _postgres(name: str):
    """An autocommit connection to the local server's database ``name`` (CREATE DATABASE and
    VACUUM run outside a transaction)."""
    import psycopg

    return psycopg.connect(f"{POSTGRES_SERVER}/{name}", autocommit=True, connect_timeout=5)


def _django(url: str, settings: str = "cms.settings.dev") -> None:
    """Set Django up in this process on the database at ``url``."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": settings,
            "DATABASE_URL": url,
            "GEOCODER": "offline",
            "LOG_LEVEL": "ERROR",
        }
    )
    sys.path.insert(0, str(PROJECT_DIR))

    import django

    django.setup()


def migrate_only(url: str) -> None:
    """In a child process: apply the migrations the database at ``url`` lacks (a migration that
    changes the search index empties it, and ``migrate`` fills it again), then, on PostgreSQL,
    vacuum and analyse it as after seeding."""
    _django(url)
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(
        f"  applied {len(plan)} migrations ({', '.join(m.name for m, _ in plan)}) in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )


def seed_only(url: str, organisations: int) -> None:
    """In a child process: migrate the database at ``url`` and seed it."""
    _django(url)
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    from organisations.demo import demo_seed

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started
    counts = demo_seed(
        organisations=organisations, seed=SEED, drafts=0, index=False, stdout=StringIO()
    )
    connection.close()  # the last connection: SQLite folds the WAL into the file
    print(
        f"  seeded {organisations:,} organisations in {time.perf_counter() - started:.1f} s "
        f"(migrate {migrated:.1f} s, inserts {counts['insert_seconds']:.1f} s, "
        f"search index {counts['search_index_seconds']:.1f} s)",
        flush=True,
    )


# --- The server ----------------------------------------------------------------------------------


def loopback_redis() -> str:
    """Redis on this machine, if it answers: the shared cache production would use."""
    try:
        with socket.create_connection((HOST, 6379), timeout=0.5) as connection:
            connection.sendall(b"PING\r\n")
            if connection.recv(16).startswith(b"+PONG"):
                return f"redis://{HOST}:6379/15"
    except OSError:
        pass
    return ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving ``database`` on 127.0.0.1, always stopped on the way out."""

    def __init__(
        self,
        database: Database,
        *,
        cache_seconds: int,
        workers: int,
        timeout: float,
        log: Path,
        cache_url: str = "",
    ):
        self.database, self.cache_seconds, self.workers = database, cache_seconds, workers
        self.cache_url = cache_url
        self.timeout, self.log = timeout, log
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        env = {
            **os.environ,
            "PYTHONPATH": str(PROJECT_DIR),
            "DJANGO_SETTINGS_MODULE": "tests.bench.search_settings",
            "DATABASE_URL": self.database.url(),
            "PUBLIC_CACHE_SECONDS": str(self.cache_seconds),
            "CACHE_URL": self.cache_url,
            "GEOCODER": "offline",
            "LOG_LEVEL": "ERROR",
        }
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "cms.wsgi:application",
            f"--bind={HOST}:{self.port}",
            f"--workers={self.workers}",
            "--threads=1",
            "--worker-class=sync",
            # Longer than the clients wait: a slow page is a client timeout, not a killed worker.
            f"--timeout={math.ceil(self.timeout) + 30}",
            "--graceful-timeout=5",
            "--log-level=warning",
            f"--env=PUBLIC_CACHE_SECONDS={self.cache_seconds}",
        ]
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                command,
                cwd=PROJECT_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches this script, which stops the server
            )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        cache = f", CACHE_URL={self.cache_url}" if self.cache_url else ""
        print(
            f"  gunicorn on {HOST}:{self.port}, PUBLIC_CACHE_SECONDS={self.cache_seconds}{cache}",
            flush=True,
        )
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _wait_until_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"FAIL: gunicorn exited ({self.process.returncode}):\n{self.tail()}"
                )
            try:
                if fetch(self.port, BARE, timeout=5)[0] == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.2)
        raise SystemExit(f"FAIL: gunicorn did not answer within {timeout:.0f} s:\n{self.tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # the master stops its workers
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # its own session: gunicorn only
            self.process.wait()

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def first_traceback(self, lines: int = 60) -> str:
        text = self.log.read_text(errors="replace").splitlines()
        start = next((i for i, line in enumerate(text) if "Traceback" in line), None)
        if start is None:
            return ""
        return "\n".join(text[max(0, start - 1) : start + lines])


# --- The clients ---------------------------------------------------------------------------------


def fetch(port: int, path: str, *, timeout: float) -> tuple[int, int]:
    """(status, body bytes) of one GET on a connection of its own."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"User-Agent": "bench_search"})
        response = connection.getresponse()
        return response.status, len(response.read())
    finally:
        connection.close()


def median_ms(latencies: list[float]) -> float:
    return statistics.median(latencies) * 1000 if latencies else 0.0


def p95_ms(latencies: list[float]) -> float:
    if not latencies:
        return 0.0
    ordered = sorted(latencies)  # nearest rank
    return ordered[math.ceil(0.95 * len(ordered)) - 1] * 1000


@dataclass
class Phase:
    name: str
    requested: int
    latencies: list[float] = field(default_factory=list)  # seconds; a timeout counts its wait
    paths: list[str] = field(default_factory=list)  # of the latencies, in the same order
    statuses: Counter = field(default_factory=Counter)
    body_bytes: int = 0
    seconds: float = 0.0

    @property
    def done(self) -> int:
        return len(self.latencies)

    @property
    def answered(self) -> int:
        return sum(n for status, n in self.statuses.items() if isinstance(status, int))

    @property
    def throughput(self) -> float:
        """Answered requests per second of the phase (time-outs take time, answer nothing)."""
        return self.answered / self.seconds if self.seconds else 0.0

    @property
    def median_ms(self) -> float:
        return median_ms(self.latencies)

    @property
    def p95_ms(self) -> float:
        return p95_ms(self.latencies)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if str(status).startswith("5"))

    @property
    def not_ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 200)

    @property
    def complete(self) -> bool:
        """Every request sent and answered: the server is idle again."""
        return self.answered == self.requested

    def by_kind(self, kinds: dict[str, str]) -> dict[str, list[float]]:
        latencies: dict[str, list[float]] = {}
        for path, latency in zip(self.paths, self.latencies, strict=True):
            latencies.setdefault(kinds[path], []).append(latency)
        return latencies

    def line(self) -> str:
        problems = {s: n for s, n in self.statuses.items() if s != 200}
        unsent = self.requested - self.done
        return (
            f"    {self.name:<26} {self.done:>5} req {self.seconds:>6.1f} s "
            f"{self.throughput:>8.1f} req/s  median {self.median_ms:>8.1f} ms  "
            f"p95 {self.p95_ms:>8.1f} ms  {self.body_bytes / max(self.answered, 1) / 1000:>5.1f} kB"
            + (f"  NOT 200: {problems}" if problems else "")
            + (f"  ({unsent} not sent: time budget)" if unsent else "")
        )


def load(
    port: int, name: str, paths: list[str], *, clients: int, budget: float, timeout: float
) -> Phase:
    """Send ``paths`` with ``clients`` concurrent clients; none starts after ``budget`` s, none
    waits more than ``timeout`` s for its answer."""
    phase = Phase(name, len(paths))
    work: queue.SimpleQueue = queue.SimpleQueue()
    for path in paths:
        work.put(path)
    lock = threading.Lock()
    started = time.perf_counter()
    stop_at = started + budget

    def client() -> None:
        while time.perf_counter() < stop_at:
            try:
                path = work.get_nowait()
            except queue.Empty:
                return
            before = time.perf_counter()
            try:
                status, size = fetch(port, path, timeout=timeout)
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
    print(phase.line(), flush=True)
    return phase


def warm(server: Server, paths: list[str], *, budget: float, timeout: float) -> None:
    """Load the code, templates and database pages once: the bare view, then searches one at a
    time for at most ``budget`` s."""
    for _ in range(50):
        fetch(server.port, BARE, timeout=timeout)
    stop_at = time.perf_counter() + budget
    for path in paths:
        if time.perf_counter() > stop_at:
            return
        try:
            fetch(server.port, path, timeout=timeout)
        except (OSError, http.client.HTTPException):
            return  # a page slower than the timeout: the measurement will show it


# --- The plans -----------------------------------------------------------------------------------


def explain_only(url: str, searches: list[tuple[str, str]]) -> None:
    """In a child process on the database at ``url``: each search of ``searches`` (path, kind)
    through the page as a visitor asks it (twice first: the process and the database warm), then
    each of its queries on the search index with its plan and its time: ``EXPLAIN (ANALYZE,
    BUFFERS)`` on PostgreSQL, ``EXPLAIN QUERY PLAN`` and a timed run on SQLite."""
    os.environ.update({"PUBLIC_CACHE_SECONDS": "0", "CACHE_URL": ""})
    _django(url, "tests.bench.search_settings")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    for path, kind in searches:
        for _ in range(2):
            client.get(path)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            status = client.get(path).status_code
            page_ms = (time.perf_counter() - started) * 1000
        on_index = [q["sql"] for q in queries if "organisations_search" in q["sql"]]
        print(
            f"\n=== {kind}: {path}\n    {status}, {page_ms:.1f} ms, {len(queries)} queries, "
            f"{len(on_index)} on the search index",
            flush=True,
        )
        for sql in on_index:
            print(f"\n  {_shorten(' '.join(sql.split()), 600)}")
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                    plan = [line for (line,) in cursor.fetchall()]
                else:
                    cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
                    plan = [f"{'  ' * (row[1] > 0)}{row[3]}" for row in cursor.fetchall()]
                    started = time.perf_counter()
                    cursor.execute(sql)
                    rows = len(cursor.fetchall())
                    took = (time.perf_counter() - started) * 1000
                    plan.append(f"({rows} rows in {took:.2f} ms)")
            for line in plan:
                print(f"    {_shorten(line, 200)}")
        print(flush=True)


def _shorten(text: str, limit: int) -> str:
    """``text`` without the middle of what is too long (lists of a thousand ids)."""
    return text if len(text) <= limit else f"{text[: limit - 60]} [...] {text[-50:]}"


def explain(database: Database, urls: list[tuple[str, str]], *, per_kind: int) -> None:
    """The plans of ``per_kind`` searches of each kind of the mix on ``database``."""
    chosen: dict[str, list[str]] = {}
    for path, kind in urls:
        if len(chosen.setdefault(kind, [])) < per_kind:
            chosen[kind].append(path)
    searches = [(path, kind) for kind, paths in sorted(chosen.items()) for path in paths]
    subprocess.run(
        [sys.executable, __file__, "--explain-only", database.url(), repr(searches)],
        cwd=PROJECT_DIR,
        check=True,
    )


# --- The run -------------------------------------------------------------------------------------


@dataclass
class SizeResult:
    organisations: int
    bare: Phase
    search: Phase
    repeat_uncached: Phase | None = None
    repeat_cached: Phase | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.search.throughput / self.bare.throughput if self.bare.throughput else 0.0

    @property
    def phases(self) -> list[Phase]:
        return [
            phase
            for phase in (self.bare, self.search, self.repeat_uncached, self.repeat_cached)
            if phase is not None
        ]


def check_server(server: Server, phases: list[Phase | None]) -> None:
    if any(phase.server_errors for phase in phases if phase):
        print(f"  server errors; gunicorn's log ({server.log}):")
        print(server.first_traceback() or server.tail())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[6_000, 60_000])
    parser.add_argument("--reuse", action="store_true", help="keep databases already seeded")
    parser.add_argument(
        "--database",
        nargs="+",
        choices=list(ENGINES),
        default=["sqlite"],
        help="the databases to measure, one after the other (postgres: a scratch database "
        f"repertoire_bench_<size> on {HOST}:5432, user postgres)",
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--searches", type=int, default=240, help="distinct search URLs")
    parser.add_argument(
        "--bare-requests",
        type=int,
        default=3_000,
        help="requests of the bare view (it answers in a millisecond: enough to last a while)",
    )
    parser.add_argument("--repeats", type=int, default=480, help="requests of the repeat mix")
    parser.add_argument("--cache-seconds", type=int, default=300)
    parser.add_argument(
        "--cache-url",
        default=os.environ.get("CACHE_URL") or loopback_redis(),
        help="the cache the cached server shares between its workers, as in production "
        "(default: CACHE_URL, else Redis on 127.0.0.1:6379 if it answers, else each worker's "
        "own memory)",
    )
    parser.add_argument(
        "--budget", type=float, default=60.0, help="seconds a phase may send requests"
    )
    parser.add_argument("--timeout", type=float, default=45.0, help="seconds a client waits")
    parser.add_argument(
        "--explain",
        type=int,
        nargs="?",
        const=1,
        metavar="N",
        help="instead of the load: the plan and time of each query of N searches (default 1) "
        "of each kind of the mix, on each database and size",
    )
    parser.add_argument("--kinds", nargs="+", help="with --explain: only these kinds of search")
    parser.add_argument("--seed-only", nargs=2, metavar=("URL", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--explain-only", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--migrate-only", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_only:
        seed_only(args.seed_only[0], int(args.seed_only[1]))
        return
    if args.migrate_only:
        migrate_only(args.migrate_only)
        return
    if args.explain_only:
        explain_only(args.explain_only[0], ast.literal_eval(args.explain_only[1]))
        return

    sys.path.insert(0, str(PROJECT_DIR))
    BENCH_DIR.mkdir(exist_ok=True)
    if "postgres" in args.database:
        import psycopg

        try:
            _postgres("postgres").close()
        except psycopg.Error as error:
            message = f"FAIL: PostgreSQL on {POSTGRES_SERVER} does not answer: {error}"
            raise SystemExit(message) from None
    run_started = time.perf_counter()
    kinds = dict(search_urls(args.searches, seed=SEED))
    urls = list(kinds)
    # Warm-up: other searches of the same kinds, so that the cached run starts with a cold cache.
    warm_up = [
        url
        for url, _ in search_urls(args.searches // 4, seed=f"{SEED}/warm-up")
        if url not in kinds
    ]
    if args.explain:
        mix = [(url, kind) for url, kind in kinds.items() if not args.kinds or kind in args.kinds]
        for engine in args.database:
            for organisations in sorted(args.sizes):
                print(f"\n{organisations:,} organisations, {ENGINES[engine]}", flush=True)
                database = Database(engine, organisations)
                database.prepare(reuse=args.reuse)
                explain(database, mix, per_kind=args.explain)
        return
    repeats = repeat_mix(urls, args.repeats, seed=SEED)
    largest = max(args.sizes)
    print(
        f"{len(urls)} search URLs, {len(warm_up)} warm-up URLs, repeat mix {len(repeats)} "
        f"requests over {len(set(repeats))} URLs; {args.clients} clients, "
        f"gunicorn {args.workers} sync workers, on {os.cpu_count()} cores; phases send for "
        f"{args.budget:g} s at most, clients wait {args.timeout:g} s at most"
    )

    def server(database: Database, cache_seconds: int) -> Server:
        log = BENCH_DIR / (
            f"search-gunicorn-{database.engine}-{database.organisations}-cache{cache_seconds}.log"
        )
        return Server(
            database,
            cache_seconds=cache_seconds,
            workers=args.workers,
            timeout=args.timeout,
            log=log,
            cache_url=args.cache_url if cache_seconds else "",
        )

    limits = {"budget": args.budget, "timeout": args.timeout}
    run = {"clients": args.clients, **limits}
    warm_limits = {"budget": 10.0, "timeout": args.timeout}
    failures, summaries = [], []
    for engine in args.database:
        engine_started = time.perf_counter()
        results: list[SizeResult] = []
        for organisations in sorted(args.sizes):
            print(f"\n{organisations:,} organisations, {ENGINES[engine]}", flush=True)
            database = Database(engine, organisations)
            database.prepare(reuse=args.reuse)
            with server(database, 0) as uncached:
                warm(uncached, warm_up, **warm_limits)
                bare = load(uncached.port, "bare view", [BARE] * args.bare_requests, **run)
                search = load(uncached.port, "search mix, no cache", urls, **run)
                result = SizeResult(organisations, bare, search)
                if organisations == largest:
                    if search.complete:
                        result.repeat_uncached = load(
                            uncached.port, "repeat mix, no cache", repeats, **run
                        )
                    else:
                        # The workers may still be busy with what the clients gave up on.
                        result.notes.append(
                            "repeat mix without the cache skipped: the search mix did not "
                            "finish within its time budget"
                        )
                        print(f"    ({result.notes[-1]})")
                check_server(uncached, [bare, search, result.repeat_uncached])
            if organisations == largest:
                with server(database, args.cache_seconds) as cached:
                    warm(cached, warm_up, **warm_limits)
                    name = f"repeat mix, cache {args.cache_seconds} s"
                    result.repeat_cached = load(cached.port, name, repeats, **run)
                    check_server(cached, [result.repeat_cached])
            results.append(result)
        seconds = time.perf_counter() - engine_started
        failures += report(results, kinds, engine=engine, seconds=seconds)
        summaries.append((engine, results))

    if len(summaries) > 1:
        print("\nBoth databases (ratios of the same run, back to back)")
        for engine, results in summaries:
            ratios = ", ".join(f"{r.ratio:.4f} at {r.organisations:,}" for r in results)
            growth = p95_growth(results)
            print(
                f"  {ENGINES[engine]:<10} search / bare throughput {ratios}"
                + (f"; p95 growth {growth:.2f}" if growth is not None else "")
            )
    print(f"\n{(time.perf_counter() - run_started) / 60:.1f} min in all")
    for failure in failures:
        print(f"FAIL: {failure}")
    if failures:
        sys.exit(1)


def p95_growth(results: list[SizeResult]) -> float | None:
    """p95 of the search mix on the largest directory over p95 on the smallest."""
    if len(results) < 2:
        return None
    small, large = results[0], results[-1]
    return large.search.p95_ms / small.search.p95_ms if small.search.p95_ms else 0.0


def report(
    results: list[SizeResult], kinds: dict[str, str], *, engine: str, seconds: float
) -> list[str]:
    """Print one database's figures; returns what failed."""
    print(
        f"\n{ENGINES[engine]}: search mix by kind of search, no cache "
        "(ms; a time-out counts its wait)"
    )
    by_size = [result.search.by_kind(kinds) for result in results]
    header = "".join(
        f"  {'n':>3} {f'median {r.organisations:,}':>14} {f'p95 {r.organisations:,}':>11}"
        for r in results
    )
    print(f"  {'kind':<18} {'URLs':>4}{header}")
    for kind in sorted(set(kinds.values()), key=lambda k: -median_ms(by_size[-1].get(k, []))):
        figures = "".join(
            f"  {len(s.get(kind, [])):>3} {median_ms(s.get(kind, [])):>14.1f} "
            f"{p95_ms(s.get(kind, [])):>11.1f}"
            for s in by_size
        )
        print(f"  {kind:<18} {sum(k == kind for k in kinds.values()):>4}{figures}")

    print(f"\n{ENGINES[engine]}: summary ({seconds / 60:.1f} min)")
    print(
        f"  {'organisations':>13}  {'run':<24} {'sent':>5} {'req/s':>8} {'median ms':>10} "
        f"{'p95 ms':>9}  {'not 200':>7}"
    )
    for result in results:
        for phase in result.phases:
            print(
                f"  {result.organisations:>13,}  {phase.name:<24} {phase.done:>5} "
                f"{phase.throughput:>8.1f} {phase.median_ms:>10.1f} {phase.p95_ms:>9.1f}  "
                f"{phase.not_ok:>7}"
            )
        for note in result.notes:
            print(f"  {result.organisations:>13,}  {note}")

    failures = []
    print(f"\n{ENGINES[engine]}: targets")
    for result in results:
        verdict = "PASS" if result.ratio >= RATIO_TARGET else "FAIL"
        print(
            f"  {result.organisations:>7,}: search / bare throughput "
            f"{result.search.throughput:.1f} / {result.bare.throughput:.1f} = {result.ratio:.4f} "
            f"(target >= {RATIO_TARGET}): {verdict}"
        )
        if result.ratio < RATIO_BROKEN:
            failures.append(
                f"{ENGINES[engine]}: search / bare throughput {result.ratio:.4f} at "
                f"{result.organisations:,} organisations, under {RATIO_BROKEN}: something is wrong"
            )
        errors = sum(phase.server_errors for phase in result.phases)
        if errors:
            failures.append(
                f"{ENGINES[engine]}: {errors} server errors at {result.organisations:,} "
                "organisations"
            )
    growth = p95_growth(results)
    if growth is not None:
        small, large = results[0], results[-1]
        verdict = "PASS" if growth <= P95_GROWTH_TARGET else "FAIL"
        censored = any(not isinstance(s, int) for s in large.search.statuses)
        print(
            f"  p95({large.organisations:,}) / p95({small.organisations:,}) = "
            f"{large.search.p95_ms:.1f} / {small.search.p95_ms:.1f} ms = {growth:.2f}"
            f"{' at least (time-outs)' if censored else ''} "
            f"(target <= {P95_GROWTH_TARGET:g}): {verdict}"
        )
    last = results[-1]
    cached, uncached = last.repeat_cached, last.repeat_uncached
    if cached and uncached and uncached.throughput:
        print(
            f"  response cache on the repeat mix at {last.organisations:,}: throughput "
            f"x{cached.throughput / uncached.throughput:.1f}, median "
            f"{uncached.median_ms:.1f} -> {cached.median_ms:.1f} ms, p95 "
            f"{uncached.p95_ms:.1f} -> {cached.p95_ms:.1f} ms (no target)"
        )
    elif cached and last.search.throughput:
        print(
            f"  response cache at {last.organisations:,}: repeat mix with the cache "
            f"{cached.throughput:.1f} req/s, search mix without it "
            f"{last.search.throughput:.1f} req/s (no target)"
        )
    return failures


if __name__ == "__main__":
    main()

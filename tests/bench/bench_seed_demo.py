"""Time ``seed_demo`` on a fresh SQLite database: prints the figures, asserts nothing.

    .venv/bin/python tests/bench/bench_seed_demo.py [--organisations 60000] [--no-index]

The database is a scratch file under ``.bench/``, deleted and migrated again on every run, so the
figures include nothing left over from another run.
"""

import argparse
import os
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
DATABASE = PROJECT_DIR / ".bench" / "seed_demo.sqlite3"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=60_000)
    parser.add_argument("--seed", type=int, default=211)
    parser.add_argument("--drafts", type=int, default=None)
    parser.add_argument("--no-index", action="store_true")
    args = parser.parse_args()

    # Before Django reads its settings: the development settings, on a throwaway database.
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.dev"
    os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
    DATABASE.parent.mkdir(exist_ok=True)
    for leftover in DATABASE.parent.glob(f"{DATABASE.name}*"):  # with its -wal and -shm files
        leftover.unlink()
    sys.path.insert(0, str(PROJECT_DIR))

    import django

    django.setup()
    from django.core.management import call_command

    from organisations.demo import ROW_KINDS, default_drafts, demo_seed

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s ({DATABASE})")

    drafts = default_drafts(args.organisations) if args.drafts is None else args.drafts
    counts = demo_seed(
        organisations=args.organisations,
        seed=args.seed,
        drafts=drafts,
        index=not args.no_index,
        stdout=sys.stdout,
    )
    rows = sum(counts[key] for key in ROW_KINDS)
    seconds = counts["seconds"]
    print(f"seed_demo --organisations {args.organisations} --seed {args.seed}:")
    for key in (*ROW_KINDS, "drafts"):
        print(f"  {key:<16} {counts[key]:>10,}")
    print(f"  {'rows':<16} {rows:>10,}")
    print(f"  inserts          {counts['insert_seconds']:>10.1f} s")
    print(f"  search index     {counts['index_seconds']:>10.1f} s")
    print(f"  total            {seconds:>10.1f} s")
    print(f"  rows per second  {rows / seconds if seconds else 0:>10,.0f}")
    print(f"  database size    {DATABASE.stat().st_size / 1e6:>10.1f} MB")


if __name__ == "__main__":
    main()

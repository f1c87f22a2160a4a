"""Spreadsheets built to overload the server: the seconds to read or refuse each, and the peak
memory of the process reading it, at the default limits (issue 17).

    .venv/bin/python tests/bench/bench_spreadsheet_bombs.py [--megabytes 290] [--quick]

Each file (``tests/imports/bombs.py``) is small on disk and large once unpacked or read: up to
``--megabytes`` of XML, just under the default ``IMPORT_MAX_UNCOMPRESSED_BYTES`` (300 MB), or a
csv line of that size (with ``IMPORT_MAX_BYTES`` raised to let it in: at the default 20 MB it is
refused by its size before anything is read). Each is read with ``open_sheet``, every row, in
a child process (``read_capped``, capped at 4 GB above its start-up size so that a regression
shows as a figure, not a dead machine). Printed per file: its size on disk, the outcome (read,
or refused and why), seconds, the child's peak RSS and how much of it the reading added to what
Django takes to start; then the worst of each kind. Target: every file read or refused within
``IMPORT_MAX_READ_SECONDS`` (300) and under 400 MB of added memory; PASS or FAIL is printed,
exit status 1 when a file ends in MemoryError or a crash.
"""

import argparse
import sys
import tempfile
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT_DIR))

from tests.imports import bombs  # noqa: E402

MEMORY_TARGET_MB, SECONDS_TARGET = 400, 300


def files(megabytes: int):
    """(kind, what, builder, settings) for each file."""
    big = {"REPERTOIRE_IMPORT_MAX_BYTES": 300_000_000}
    return [
        ("ods", "16,384 columns × 1,000,000 rows repeated", bombs.ods_repeat_bomb, {}),
        (
            "ods",
            f"{megabytes} MB of distinct rows",
            lambda p: bombs.ods_rows_bomb(p, megabytes),
            {},
        ),
        ("ods", f"one cell of {megabytes} MB", lambda p: bombs.ods_text_bomb(p, megabytes), {}),
        (
            "ods",
            f"one row of {megabytes} MB of covered cells",
            lambda p: bombs.ods_covered_bomb(p, megabytes),
            {},
        ),
        ("xlsx", "a row of 10,000,000 cells", bombs.xlsx_wide_bomb, {}),
        ("xlsx", f"one cell of {megabytes} MB", lambda p: bombs.xlsx_text_bomb(p, megabytes), {}),
        (
            "xlsx",
            f"{megabytes} MB of shared strings",
            lambda p: bombs.xlsx_strings_bomb(p, megabytes),
            {},
        ),
        (
            "csv",
            f"one line of {megabytes} MB",
            lambda p: bombs.csv_line_bomb(p, megabytes),
            big,
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=int, default=290)
    parser.add_argument("--quick", action="store_true", help="10 MB files, to check the script")
    args = parser.parse_args()
    megabytes = 10 if args.quick else args.megabytes
    broken = False
    worst: dict[str, tuple] = {}
    with tempfile.TemporaryDirectory() as folder:
        for number, (kind, what, build, settings) in enumerate(files(megabytes)):
            path = build(Path(folder) / f"bomb{number}.{kind}")
            size = path.stat().st_size
            result = bombs.read_capped(path, headroom_mb=4000, timeout=900, settings=settings)
            path.unlink()
            outcome = result["outcome"]
            if outcome not in ("read", "refused"):
                broken = True
                print(f"{kind:5} {what:45} {size / 1e6:7.2f} MB  {outcome}: {result}")
                continue
            added = result["peak_rss_mb"] - result["rss_before_mb"]
            ok = added < MEMORY_TARGET_MB and result["seconds"] < SECONDS_TARGET
            why = result.get("message", f"{result['rows']} rows")[:70]
            print(
                f"{kind:5} {what:45} {size / 1e6:7.2f} MB  {result['seconds']:6.1f} s  "
                f"peak {result['peak_rss_mb']:5} MB (+{added:4})  "
                f"{'PASS' if ok else 'FAIL'}  {outcome}: {why}",
                flush=True,
            )
            if kind not in worst or (added, result["seconds"]) > worst[kind][1:]:
                worst[kind] = (what, added, result["seconds"])
    print()
    for kind, (what, added, seconds) in worst.items():
        print(f"worst {kind}: {what}: {seconds:.1f} s, +{added} MB over the start-up's memory")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())

"""cProfile figures as the benchmarks print them (``bench_imports``, ``bench_quality``)."""

import cProfile
import pstats
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def short_path(filename: str) -> str:
    for prefix in (f"{PROJECT_DIR}/.venv/lib/", f"{PROJECT_DIR}/"):
        if filename.startswith(prefix):
            filename = filename[len(prefix) :]
    return filename.split("site-packages/", 1)[-1]


def print_profile(
    profiler: cProfile.Profile, *, heading: str, cumulative: int, own: int, indent: str = ""
) -> None:
    """The ``cumulative`` functions costing most with what they call, then the ``own`` costing
    most by themselves, each table under ``heading`` followed by its order."""
    stats = pstats.Stats(profiler)
    for order, title, limit in (
        ("cumulative", "by cumulative time", cumulative),
        ("tottime", "by own time", own),
    ):
        stats.sort_stats(order)
        print(f"\n{indent}{heading}, {title}")
        print(f"  {'calls':>10} {'own s':>7} {'cum s':>7}  function")
        for function in stats.fcn_list[:limit]:
            _cc, calls, own_s, cumulative_s, _callers = stats.stats[function]
            filename, line, name = function
            where = f"{short_path(filename)}:{line}({name})" if line else name
            print(f"  {calls:>10,} {own_s:>7.2f} {cumulative_s:>7.2f}  {where}")

"""The time zone place search: building its index once, and one search for what runners type.

    .venv/bin/python -m bench.places

Reports the index's build time and the memory it adds, then each query's time (median and worst of 50), for
exact names, other names, abbreviations, fixed offsets and typos (the rapidfuzz path, the slowest).
"""

from __future__ import annotations

import resource
import statistics
import time

from bot.domain import timezones

QUERIES = ("London", "manchester", "Munchen", "NYC", "EST", "GMT+2", "Springfield", "lodnon", "qwxzz")
ROUNDS = 50


def main() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    timezones.warm()
    built = time.perf_counter() - started
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(f"index built in {built:.2f} s, peak memory up {grown:.0f} MiB")
    print("| query | median ms | worst ms | found |")
    print("|---|---:|---:|---|")
    for query in QUERIES:
        times = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            found = timezones.search(query)
            times.append((time.perf_counter() - started) * 1000)
        shown = ", ".join(found.zones[:3]) + (" (exact)" if found.exact else "")
        print(f"| {query} | {statistics.median(times):.2f} | {max(times):.2f} | {shown or 'nothing'} |")


if __name__ == "__main__":
    main()

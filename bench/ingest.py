"""Ingest throughput: the 37,554-article corpus into a fresh store.

Prints articles/s, MB/s, peak memory and where the time goes (parse, clean,
language, segment, write). The baseline, run first in the same process, only
decompresses and parses the JSONL: the ratio says what cleaning, segmentation
and storage cost on top of reading. Target: under 60 s and 2 GiB on 2 cores.

    python bench/ingest.py [--workers 2] [--serial] [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import resource
import tempfile
import time
from pathlib import Path

from analysis.ingest import STAGES, ingest
from analysis.store import Store
from bench._common import ARTICLE_BIAS, print_table, require


def _baseline(path: Path, limit: int | None) -> tuple[float, int, int]:
    started = time.perf_counter()
    count = size = 0
    with gzip.open(path, "rb") as handle:
        for line in itertools.islice(handle, limit):
            record = json.loads(line)
            count += 1
            size += len(record["text"].encode("utf-8"))
    return time.perf_counter() - started, count, size


def _run(path: Path, workers: int, limit: int | None, folder: Path) -> dict:
    source = path
    if limit:
        source = folder / "slice.jsonl.gz"
        with gzip.open(path, "rb") as full, gzip.open(source, "wb") as part:
            part.writelines(itertools.islice(full, limit))
    store_path = folder / f"bench-{workers}.duckdb"
    started = time.perf_counter()
    with Store.open(store_path) as store:
        report = ingest([str(source)], store=store, workers=workers)
    seconds = time.perf_counter() - started
    return {"report": report, "seconds": seconds, "store_mb": store_path.stat().st_size / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="worker processes for cleaning and segmentation")
    parser.add_argument("--serial", action="store_true", help="also run with one process, for the speed-up")
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    options = parser.parse_args()
    path = require(ARTICLE_BIAS)

    baseline_seconds, articles, text_bytes = _baseline(path, options.limit)
    runs = {}
    with tempfile.TemporaryDirectory() as folder:
        for workers in ([1] if options.serial else []) + [options.workers]:
            runs[workers] = _run(path, workers, options.limit, Path(folder))
    main_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    megabytes = text_bytes / 1e6
    rows = [["baseline: gunzip + JSON parse only", f"{articles:,}", f"{baseline_seconds:.1f}",
             f"{articles / baseline_seconds:,.0f}", f"{megabytes / baseline_seconds:.1f}", "1.0×", "–", "–"]]
    for workers, run in runs.items():
        report, seconds = run["report"], run["seconds"]
        rows.append([
            f"ingest, {workers} worker process{'es' if workers > 1 else ''}", f"{report.added:,}", f"{seconds:.1f}",
            f"{report.added / seconds:,.0f}", f"{megabytes / seconds:.1f}", f"{seconds / baseline_seconds:.1f}×",
            str(len(report.rejected)), f"{run['store_mb']:,.0f}",
        ])
    print_table(
        f"Ingest of {path.name} ({articles:,} articles, {megabytes:,.0f} MB of article text)",
        ["run", "articles", "seconds", "articles/s", "MB/s", "time vs baseline", "rejected", "store MB"],
        rows,
    )

    report = runs[options.workers]["report"]
    total = sum(report.seconds.values())
    print_table(
        f"Where the time goes ({options.workers} workers; clean, language and segment are CPU seconds summed "
        "over worker processes, parse and write are in the main process)",
        ["stage", "seconds", "share"],
        [[stage, f"{report.seconds[stage]:.1f}", f"{report.seconds[stage] / total:.0%}"] for stage in STAGES],
    )
    print_table(
        "Peak memory (resident set)",
        ["process", "MiB"],
        [["main (reader + DuckDB writer)", f"{main_peak_mb:,.0f}"],
         ["largest worker", f"{worker_peak_mb:,.0f}"],
         ["upper bound, main + all workers", f"{main_peak_mb + options.workers * worker_peak_mb:,.0f}"]],
    )
    print("\nTargets: whole corpus under 60 s, peak memory under 2 GiB (2,048 MiB).")


if __name__ == "__main__":
    main()

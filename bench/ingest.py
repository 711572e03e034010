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
import multiprocessing
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
    """One ingest into a fresh store, in this (fresh) process; figures come back as a dict."""
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
    return {
        "added": report.added,
        "rejected": len(report.rejected),
        "stage_seconds": report.seconds,
        "seconds": seconds,
        "store_mb": store_path.stat().st_size / 1e6,
        "main_peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def _run_into(queue, *arguments) -> None:
    queue.put(_run(*arguments))


def _run_in_fresh_process(*arguments) -> dict:
    # A fresh interpreter per run: peak memory is that run's own, and forked workers do
    # not inherit an earlier run's heap. (Not a Pool: its daemonic workers cannot fork.)
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_run_into, args=(queue, *arguments))
    process.start()
    result = queue.get()
    process.join()
    return result


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
        for workers in [options.workers] + ([1] if options.serial else []):
            runs[workers] = _run_in_fresh_process(path, workers, options.limit, Path(folder))

    megabytes = text_bytes / 1e6
    rows = [["baseline: gunzip + JSON parse only", f"{articles:,}", f"{baseline_seconds:.1f}",
             f"{articles / baseline_seconds:,.0f}", f"{megabytes / baseline_seconds:.1f}", "1.0×", "–", "–", "–"]]
    for workers, run in runs.items():
        seconds = run["seconds"]
        peak = run["main_peak_mib"] + (workers if workers > 1 else 0) * run["worker_peak_mib"]
        rows.append([
            f"ingest, {workers} worker processes" if workers > 1 else "ingest, in-process (workers=1)",
            f"{run['added']:,}", f"{seconds:.1f}",
            f"{run['added'] / seconds:,.0f}", f"{megabytes / seconds:.1f}", f"{seconds / baseline_seconds:.1f}×",
            str(run["rejected"]), f"{run['store_mb']:,.0f}", f"{peak:,.0f}",
        ])
    print_table(
        f"Ingest of {path.name} ({articles:,} articles, {megabytes:,.0f} MB of article text)",
        ["run", "articles", "seconds", "articles/s", "MB/s", "time vs baseline", "rejected", "store MB",
         "peak memory MiB (main + workers)"],
        rows,
    )

    run = runs[options.workers]
    total = sum(run["stage_seconds"].values())
    print_table(
        f"Where the time goes ({options.workers} workers; clean, language and segment are seconds summed "
        "over worker processes, parse and write are in the main process)",
        ["stage", "seconds", "share"],
        [[stage, f"{run['stage_seconds'][stage]:.1f}", f"{run['stage_seconds'][stage] / total:.0%}"] for stage in STAGES],
    )
    print_table(
        f"Peak memory, {options.workers} workers (resident set, MiB)",
        ["process", "MiB"],
        [["main (reader + DuckDB writer)", f"{run['main_peak_mib']:,.0f}"],
         ["largest worker", f"{run['worker_peak_mib']:,.0f}"],
         ["upper bound, main + all workers", f"{run['main_peak_mib'] + options.workers * run['worker_peak_mib']:,.0f}"]],
    )
    print("\nTargets: whole corpus under 60 s, peak memory under 2 GiB (2,048 MiB).")


if __name__ == "__main__":
    main()

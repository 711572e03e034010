"""Grouping at scale: wall time, peak memory and growth exponent on up to 37,554 articles.

Runs the default grouping pipeline (what ``group_articles`` does) on the first
5k, 10k, 20k and all articles of article_bias_prediction (its order is by a
random-looking id, so a prefix is a sample of all outlets and years; about one
article in eight has no date, as in the whole corpus, and stays in). Each step
is timed apart: vectorise (``ArticleVectorizer().fit_transform``), candidate
search (windowed sparse top-k, ``candidate_links``), clustering
(``group_events`` on those links), stories (name vectors, ``event_profiles``,
``link_stories``) and ids (event and story ids, best neighbours: the output
frame). Reading and cleaning the corpus is ingest's job, not grouping's: it is
done once, before any run, and its time is printed apart.

Beside it, the naive baseline: the same vectors, the full dense N×N cosine
matrix and scipy's average linkage cut at the same ``event_threshold`` (no time
window), for sizes whose matrix fits the budget (``--baseline-max``).

Each run is in a fresh spawned process, so its peak memory (resident set) is
its own; "with workers" adds the processes that tokenise in parallel (the peak
of their summed proportional set size, sampled every 50 ms). The growth exponent is the least-squares slope of log(seconds) against
log(articles). Targets: all 37,554 in under 30 s, peak under 3 GiB, exponent ≤ 1.2.

    python bench/scale.py [--sizes 5000,10000,20000,all] [--baseline-max 10000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue as queue_module
import re
import resource
import tempfile
import threading
import time
import traceback
from pathlib import Path

import numpy as np

from bench._common import ARTICLE_BIAS, print_table, require

STEPS = ("vectorise", "search", "cluster", "stories", "ids")
TARGET_SECONDS, TARGET_MIB, TARGET_EXPONENT = 30.0, 3 * 1024, 1.2


def _peak_mib() -> float:
    """Peak resident set of this process, MiB.

    VmHWM, not ``ru_maxrss``: a spawned child is forked before it execs, and Linux keeps
    ``ru_maxrss`` across exec, so it would report the parent's size (here the whole
    cleaned corpus) instead of the run's own peak.
    """
    try:
        status = Path("/proc/self/status").read_text()
        return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE).group(1)) / 1024
    except (OSError, AttributeError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _tree_pss_mib(pid: int) -> float:
    """Proportional set size of ``pid`` and its descendants, MiB.

    PSS shares each page among the processes mapping it, so forked workers that
    inherit the corpus are not counted twice (their resident sets would be).
    """
    total, pids = 0.0, [pid]
    while pids:
        current = pids.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            total += int(re.search(r"^Pss:\s+(\d+) kB", rollup, re.MULTILINE).group(1)) / 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                pids.extend(int(child) for child in (task / "children").read_text().split())
        except (OSError, AttributeError, ValueError):
            continue  # the process ended between listing and reading
    return total


class _TreeMemory(threading.Thread):
    """Samples the summed PSS of this process and its workers; ``peak_mib`` is the largest seen."""

    def __init__(self, interval: float = 0.05):
        super().__init__(daemon=True)
        self.interval, self.peak_mib = interval, 0.0
        self._stop_event = threading.Event()

    def run(self) -> None:
        pid = os.getpid()
        while not self._stop_event.is_set():
            self.peak_mib = max(self.peak_mib, _tree_pss_mib(pid))
            self._stop_event.wait(self.interval)

    def stop(self) -> float:
        self._stop_event.set()
        self.join()
        return self.peak_mib


def _load(parquet: Path):
    import pandas as pd

    articles = pd.read_parquet(parquet)
    return articles, _peak_mib()


def _product(parquet: Path) -> dict:
    """The default grouping pipeline, step by step, in this (fresh) process."""
    import pandas as pd

    from analysis.events import _ids_by_group, candidate_links, event_profiles, group_events, link_stories
    from analysis.settings import setting
    from analysis.vectorize import ArticleVectorizer

    articles, load_peak = _load(parquet)
    tree_memory = _TreeMemory()
    tree_memory.start()
    seconds, peaks = {}, {}
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[step] = now - clock
        peaks[step] = _peak_mib()  # the high-water mark so far: the step where it jumps set it
        clock = time.perf_counter()

    vectorizer = ArticleVectorizer()
    vectors = vectorizer.fit_transform(articles)
    lap("vectorise")
    published = pd.to_datetime(articles["published"], utc=True, errors="coerce")
    links = candidate_links(vectors, published)
    lap("search")
    grouping = group_events(vectors, published, links=links)
    lap("cluster")
    profiles = event_profiles(vectorizer.name_block(vectors), grouping.labels, top_terms=int(setting("profile_terms")))
    stories = link_stories(profiles)
    lap("stories")
    # The output frame group_articles builds: stable ids and best neighbours.
    ids = articles["id"].astype(str).to_numpy()
    neighbor = grouping.best_link["neighbor"].to_numpy()
    pd.DataFrame({
        "id": ids,
        "event_id": _ids_by_group("e", ids, grouping.labels),
        "story_id": _ids_by_group("s", ids, stories[grouping.labels]),
        "best_neighbor": [ids[i] if i >= 0 else None for i in neighbor],
        "best_score": grouping.best_link["score"].round(4).to_numpy(),
    })
    lap("ids")
    tree_peak = tree_memory.stop()
    return {
        "articles": len(articles),
        "seconds": seconds,
        "total": sum(seconds.values()),
        "events": int(grouping.labels.max()) + 1,
        "stories": int(stories.max()) + 1 if len(stories) else 0,
        "links": len(links),
        "features": vectors.shape[1],
        "load_peak_mib": load_peak,
        "peaks": peaks,
        "peak_mib": _peak_mib(),
        # Sampled, so a spike shorter than the interval can be missed; never below the main process's own peak.
        "tree_peak_mib": max(tree_peak, _peak_mib()),
    }


def _baseline(parquet: Path) -> dict:
    """Same vectors; full dense cosine matrix and scipy average linkage, in this (fresh) process."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    from analysis.settings import setting
    from analysis.vectorize import ArticleVectorizer

    articles, _ = _load(parquet)
    threshold = float(setting("event_threshold"))
    started = time.perf_counter()
    vectors = ArticleVectorizer().fit_transform(articles)
    vectorised = time.perf_counter()
    distance = (vectors @ vectors.T).toarray().astype(np.float32, copy=False)
    np.subtract(np.float32(1.0), distance, out=distance)
    np.clip(distance, 0.0, 2.0, out=distance)
    np.fill_diagonal(distance, 0.0)
    condensed = squareform(distance, checks=False)
    del distance
    labels = fcluster(linkage(condensed, method="average"), t=1.0 - threshold, criterion="distance")
    finished = time.perf_counter()
    return {
        "articles": len(articles),
        "vectorise": vectorised - started,
        "matrix_linkage": finished - vectorised,
        "total": finished - started,
        "events": int(labels.max()),
        "peak_mib": _peak_mib(),
    }


def _run_into(queue, function, *arguments) -> None:
    try:
        queue.put(function(*arguments))
    except BaseException:
        queue.put({"error": traceback.format_exc()})
        raise


def _run_in_fresh_process(function, *arguments) -> dict:
    # A fresh interpreter per run: peak memory is that run's own, not an earlier run's heap.
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_run_into, args=(queue, function, *arguments))
    process.start()
    while True:
        try:
            result = queue.get(timeout=5)
            break
        except queue_module.Empty:
            if not process.is_alive():  # killed (out of memory?) before it could report
                raise RuntimeError(f"{function.__name__} run died with exit code {process.exitcode}") from None
    process.join()
    if "error" in result:
        raise RuntimeError(f"{function.__name__} run failed:\n{result['error']}")
    return result


def _exponent(sizes: list[int], seconds: list[float]) -> float | None:
    if len(sizes) < 2:
        return None
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


def _sizes(text: str, available: int) -> list[int]:
    sizes = set()
    for part in text.split(","):
        part = part.strip().lower()
        if part:
            sizes.add(available if part == "all" else min(int(part.replace("_", "")), available))
    return sorted(sizes)


def _gib(mib: float) -> str:
    return f"{mib / 1024:.2f} GiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,10000,20000,all",
                        help="article counts, comma-separated; 'all' is the whole corpus (default: %(default)s)")
    parser.add_argument("--baseline-max", type=int, default=10000,
                        help="largest size for the naive full-matrix baseline (default: %(default)s)")
    options = parser.parse_args()
    path = require(ARTICLE_BIAS)

    from analysis.events import read_corpus_for_grouping

    started = time.perf_counter()
    articles, problems = read_corpus_for_grouping(path)
    read_seconds = time.perf_counter() - started
    undated = int(articles["published"].isna().sum())
    print(f"Read and clean {path.name} once (ingest's work, not part of grouping time): {read_seconds:.1f} s, "
          f"{len(articles):,} articles ({undated:,} without a date), {len(problems)} read problems.")

    available = len(articles)
    sizes = _sizes(options.sizes, available)
    product, baseline = {}, {}
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            parquet = Path(folder) / f"first-{n}.parquet"
            articles.iloc[:n].to_parquet(parquet, index=False)
        del articles
        for n in sizes:
            parquet = Path(folder) / f"first-{n}.parquet"
            product[n] = _run_in_fresh_process(_product, parquet)
            run = product[n]
            print(f"  grouped {n:,}: {run['total']:.1f} s, peak {run['peak_mib']:,.0f} MiB", flush=True)
            if n <= options.baseline_max:
                baseline[n] = _run_in_fresh_process(_baseline, parquet)
                print(f"  baseline {n:,}: {baseline[n]['total']:.1f} s, peak {baseline[n]['peak_mib']:,.0f} MiB",
                      flush=True)

    print_table(
        "Grouping (default pipeline), one fresh process per size; seconds per step",
        ["articles", "vectorise s", "search s", "cluster s", "stories s", "ids s", "total s", "articles/s",
         "candidate links", "events", "stories", "peak MiB", "with workers MiB"],
        [[f"{n:,}", *(f"{run['seconds'][step]:.1f}" for step in STEPS), f"{run['total']:.1f}",
          f"{n / run['total']:,.0f}", f"{run['links']:,}", f"{run['events']:,}", f"{run['stories']:,}",
          f"{run['peak_mib']:,.0f}", f"{run['tree_peak_mib']:,.0f}"]
         for n, run in product.items()],
    )
    print_table(
        "Where the peak is set: the process's peak resident set (MiB) after each step",
        ["articles", "input loaded", *(f"after {step}" for step in STEPS)],
        [[f"{n:,}", f"{run['load_peak_mib']:,.0f}", *(f"{run['peaks'][step]:,.0f}" for step in STEPS)]
         for n, run in product.items()],
    )

    rows = []
    for n in sizes:
        if n in baseline:
            run = baseline[n]
            rows.append([f"{n:,}", f"{run['total']:.1f}", f"{run['peak_mib']:,.0f}",
                         f"{product[n]['total'] / run['total']:.2f}×", f"{run['vectorise']:.1f}",
                         f"{run['matrix_linkage']:.1f}", f"{run['events']:,}"])
        else:
            matrix_gib = 4 * n * n / 2**30
            rows.append([f"{n:,}", f"skipped (N×N matrix would need {matrix_gib:.1f} GiB)", "–", "–", "–", "–", "–"])
    print_table(
        "Naive baseline: same vectors, full dense N×N cosine matrix (float32) + scipy average linkage at "
        "event_threshold, no time window",
        ["articles", "seconds", "peak MiB", "product / baseline time", "of which vectorise s", "matrix + linkage s",
         "events"],
        rows,
    )

    growth = _exponent(list(product), [run["total"] for run in product.values()])
    base_growth = _exponent(list(baseline), [run["total"] for run in baseline.values()])
    base_cluster_growth = _exponent(list(baseline), [run["matrix_linkage"] for run in baseline.values()])
    step_growth = {
        step: _exponent(list(product), [max(run["seconds"][step], 1e-3) for run in product.values()]) for step in STEPS
    }
    print()
    if growth is not None:
        print(f"Growth exponent, grouping (slope of log seconds on log articles, {len(product)} sizes): {growth:.2f}"
              f"  [by step: " + ", ".join(f"{s} {e:.2f}" for s, e in step_growth.items()) + "]")
    if base_growth is not None:
        print(f"Growth exponent, baseline ({len(baseline)} sizes): {base_growth:.2f} "
              f"(matrix + linkage alone: {base_cluster_growth:.2f})")

    largest = max(product)
    run = product[largest]
    checks = [
        f"time {run['total']:.1f} s (target < {TARGET_SECONDS:.0f} s: {'met' if run['total'] < TARGET_SECONDS else 'NOT met'})",
        f"peak with workers {_gib(run['tree_peak_mib'])} "
        f"(target < 3 GiB: {'met' if run['tree_peak_mib'] < TARGET_MIB else 'NOT met'})",
    ]
    if growth is not None:
        checks.append(f"exponent {growth:.2f} (target ≤ {TARGET_EXPONENT}: {'met' if growth <= TARGET_EXPONENT else 'NOT met'})")
    print(f"Targets at {largest:,} articles: " + "; ".join(checks) + ".")
    if largest < available:
        print(f"(the targets are for all {available:,} articles; the largest size run here is smaller)")


if __name__ == "__main__":
    main()

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

**Engines** (``--only engines``): the whole ``analyze`` pipeline (vectorise, candidate
search, events, framing, claims, stories, writing the store) on all 37,554 articles,
ingested once into a store that each run copies, in three ways, each in a fresh process:

- *local, 1 process*: the in-process engine with ``analysis_workers`` = 1 (one core);
- *local (default)*: the in-process engine as shipped (forked workers for tokenising,
  actors, quotes, tone and claims: ``analysis_workers`` = 2);
- *dask, 2 workers*: ``analyze --engine dask`` on a LocalCluster of 2 single-threaded worker
  processes, the corpus in time partitions of ``scale_partition_articles``.

Printed: wall time and speed-up (target for dask on 2 cores: ≥ 1.6× the one-process run),
peak memory (the run's process; the workers' summed PSS for the local default; each Dask
worker's own peak), whether the events and claim groups equal the local default's, and the
throughput per core of each step (articles per core-second: the one-process run's stage
times, and the Dask steps' compute time summed over workers).

**News density** (``--only density``): the candidate search compares each article with the
articles of its time window, so its cost grows with how many articles a window holds, not only
with the corpus size. article_bias_prediction is sparse (about 80 dated articles a week); a news
firehose holds 100k-200k a day. The same 37,554 vectors are searched with their publication
times squeezed, order kept, into ever shorter spans (the undated stay undated), and the search's
time, links and peak memory are printed against the articles per window: the rate to plan a
dense corpus by (``docs/scale.md``).

    python bench/scale.py [--sizes 5000,10000,20000,all] [--baseline-max 10000] [--only growth|engines|density]
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


# --- engines: the whole analyze pipeline, local against Dask -------------------------------------

ENGINE_RUNS = {"local, 1 process": ("local", "1"), "local (default)": ("local", None), "dask, 2 workers": ("dask", "2")}
TARGET_SPEEDUP = 1.6
# Local stages as analyze reports them through its progress callback (share of the work -> stage).
LOCAL_STAGES = {0.0: "fit", 0.15: "group", 0.35: "framing", 0.65: "claims", 0.9: "stories + write"}


def _fingerprint(store) -> dict:
    """What must be equal across engines: each article's event, each claim's group."""
    import hashlib

    events = store.connection.execute("SELECT article_id, event_id FROM article_events ORDER BY article_id").fetchall()
    claims = store.connection.execute("SELECT claim_id, claim_group FROM claims ORDER BY claim_id").fetchall()
    return {
        "events_hash": hashlib.sha256(repr(events).encode()).hexdigest(),
        "claims_hash": hashlib.sha256(repr(claims).encode()).hexdigest(),
        "events": len({event for _, event in events}),
        "claim_groups": len({group for _, group in claims}),
        "claims": len(claims),
    }


def _analyze_run(store_path: Path, engine: str, workers: str | None) -> dict:
    """One full analyze of a copy of the store, in this (fresh) process."""
    if engine == "local" and workers is not None:
        os.environ["COVERAGE_LENS_ANALYSIS_WORKERS"] = workers
    from analysis.pipeline import analyze
    from analysis.store import Store

    stamps: list[tuple[float, float, float]] = []
    # Forked workers' memory, sampled once a second: reading /proc/*/smaps_rollup of processes this
    # large costs tens of milliseconds each time. Dask workers report their own peaks.
    tree_memory = _TreeMemory(interval=1.0)
    if engine == "local":
        tree_memory.start()
    result: dict = {}
    with Store.open(store_path) as store:
        started = time.perf_counter()
        cpu_started = time.process_time()
        if engine == "dask":
            from analysis.scale import DaskEngine
            from analysis.scale.run import LAST_SUMMARY

            with DaskEngine(workers=int(workers)) as runner:
                result["cluster_start_s"] = time.perf_counter() - started
                started = time.perf_counter()
                report = analyze(store, refit=True, engine=runner)
                result["wall"] = time.perf_counter() - started
                result["worker_peaks"] = runner.worker_peak_mib()
            result["summary"] = vars(LAST_SUMMARY)
            result["cpu"] = LAST_SUMMARY.client_seconds + sum(LAST_SUMMARY.worker_seconds.values())
        else:
            report = analyze(store, refit=True, progress=lambda done, step: stamps.append(
                (done, time.perf_counter(), time.process_time())))
            result["wall"] = time.perf_counter() - started
            # This process and its forked workers (reaped by now), all the CPU the run used.
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            result["cpu"] = time.process_time() - cpu_started + children.ru_utime + children.ru_stime
            # CPU seconds per stage: with analysis_workers 1 this process does all the work.
            result["stages"] = {LOCAL_STAGES[done]: cpu_until - cpu_at
                                for (done, _, cpu_at), (_, _, cpu_until) in zip(stamps, stamps[1:])
                                if done in LOCAL_STAGES}
        result.update(_fingerprint(store))
    result["articles"] = report.articles
    result["peak_mib"] = _peak_mib()
    result["tree_peak_mib"] = max(tree_memory.stop() if engine == "local" else 0.0, result["peak_mib"])
    return result


def _engines(path: Path, limit: int | None) -> None:
    """Ingest the corpus (its first ``limit`` articles) once, then analyze copies of the store with each engine."""
    import gzip
    import itertools
    import shutil

    from analysis.ingest import ingest
    from analysis.store import Store

    with tempfile.TemporaryDirectory() as folder:
        if limit:
            sliced = Path(folder) / f"first-{limit}.jsonl"
            with gzip.open(path, "rt", encoding="utf-8") as lines:
                sliced.write_text("".join(itertools.islice(lines, limit)), encoding="utf-8")
            path = sliced
        base = Path(folder) / "base.duckdb"
        started = time.perf_counter()
        with Store.open(base) as store:
            report = ingest([str(path)], store=store)
        print(f"\nIngest {path.name} into a store once (not part of the runs): {time.perf_counter() - started:.0f} s, "
              f"{report.added:,} articles.", flush=True)
        runs = {}
        # Dask first: on a shared machine the longest runs should not all wait for it.
        for name in reversed(ENGINE_RUNS):
            engine, workers = ENGINE_RUNS[name]
            copy = Path(folder) / "run.duckdb"
            shutil.copy(base, copy)
            load = os.getloadavg()[0]
            runs[name] = _run_in_fresh_process(_analyze_run, copy, engine, workers)
            runs[name]["load"] = (load + os.getloadavg()[0]) / 2
            copy.unlink()
            print(f"  {name}: {runs[name]['wall']:.0f} s", flush=True)
    _print_engines({name: runs[name] for name in ENGINE_RUNS})


def _print_engines(runs: dict) -> None:
    single, default, dask = runs["local, 1 process"], runs["local (default)"], runs["dask, 2 workers"]
    articles = dask["articles"]
    summary = dask["summary"]
    # On cores of its own a run takes at least its busiest process's CPU time: for Dask the busiest
    # worker's steps plus the client's own work (planning, merging, stories, the store), which
    # mostly runs while the workers wait; for one process, all of it.
    dedicated = {"local, 1 process": single["cpu"],
                 "dask, 2 workers": max(summary["worker_seconds"].values()) + summary["client_seconds"]}
    rows = []
    for name, run in runs.items():
        same = run["events_hash"] == default["events_hash"] and run["claims_hash"] == default["claims_hash"]
        if "worker_peaks" in run:
            peaks = sorted(run["worker_peaks"].values())
            memory = f"client {run['peak_mib']:,.0f}; workers " + ", ".join(f"{peak:,.0f}" for peak in peaks)
        else:
            memory = f"{run['peak_mib']:,.0f} (with forked workers {run['tree_peak_mib']:,.0f})"
        estimate = (f"{dedicated[name]:,.0f} s ({dedicated['local, 1 process'] / dedicated[name]:.2f}×)"
                    if name in dedicated else "–")
        rows.append([name, f"{run['wall']:,.0f}", f"{articles / run['wall']:,.1f}", f"{single['wall'] / run['wall']:.2f}×",
                     f"{default['wall'] / run['wall']:.2f}×", f"{run['cpu']:,.0f}", estimate, memory,
                     f"{run['events']:,}", f"{run['claim_groups']:,}", "yes" if same else "NO", f"{run['load']:.1f}"])
    print_table(
        f"Engines: the whole analyze pipeline on {articles:,} articles (refit), each run in a fresh process",
        ["run", "seconds", "articles/s", "speed-up vs 1 process", "vs local default", "CPU s (all processes)",
         "on dedicated cores: busiest process CPU s (speed-up)", "peak memory MiB", "events", "claim groups",
         "same events and claim groups as local", "machine load (1-min average)"],
        rows,
    )
    wall = summary["wall_seconds"]
    core = {**summary["step_seconds"]}
    events = summary["event_seconds"]
    # (step, the one-process run's stage holding it, Dask compute seconds, Dask wall seconds); the local
    # stages are coarser: its "group" stage also vectorises and searches.
    steps = [
        ("fit: document frequencies", "fit", core.get("count", 0.0), wall.get("fit", 0.0)),
        ("vectorise", None, core.get("vectorise", 0.0), wall.get("vectorise", 0.0)),
        ("candidate search + components", None, core.get("search", 0.0) + core.get("components", 0.0),
         wall.get("search", 0.0) + wall.get("merge", 0.0)),
        ("events: clustering, labels, similarity", "group", events.get("group", 0.0), wall.get("events", 0.0)),
        ("framing (per event; outlet words; voices)", "framing",
         events.get("framing", 0.0) + core.get("outlet terms", 0.0) + core.get("voices", 0.0), None),
        ("claims", "claims", events.get("claims", 0.0), None),
        ("stories + writing the store", "stories + write", None,
         wall.get("write input", 0.0) + wall.get("stories", 0.0) + wall.get("load store", 0.0)),
    ]
    rows = []
    for step, stage, core_seconds, wall_seconds in steps:
        local_seconds = single["stages"].get(stage) if stage else None
        rows.append([
            step,
            f"{local_seconds:,.1f}" if local_seconds else "(in group)",
            f"{articles / local_seconds:,.0f}" if local_seconds else "",
            f"{core_seconds:,.1f}" if core_seconds else "(client)",
            f"{articles / core_seconds:,.0f}" if core_seconds else "",
            f"{wall_seconds:,.1f}" if wall_seconds is not None else "(below)",
        ])
    rows.append(["framing + claims, in batches of events (wall)", "", "",
                 f"{events.get('framing', 0.0) + events.get('claims', 0.0):,.1f}", "",
                 f"{wall.get('framing and claims', 0.0):,.1f}"])
    print_table(
        "Throughput per core of each step: articles per CPU-second (local, 1 process: CPU seconds of its stages; "
        "Dask: CPU seconds of its steps summed over both workers)",
        ["step", "local 1-process CPU s", "articles per core-s", "dask CPU s", "articles per core-s", "dask wall s"],
        rows,
    )
    dated, undated = summary["partitions"]
    speedup = single["wall"] / dask["wall"]
    estimated = dedicated["local, 1 process"] / dedicated["dask, 2 workers"]
    workers = ", ".join(f"{seconds:,.0f}" for seconds in sorted(summary["worker_seconds"].values()))
    print(f"\nDask run: {dated} time partitions and {undated} of undated articles, {summary['joined']} components "
          f"joined across borders, {summary['undated_ties']} undated ties, {summary['batches']} batches of events for "
          f"framing and claims; CPU seconds per worker {workers}, "
          f"client {summary['client_seconds']:,.0f}; cluster start-up {dask['cluster_start_s']:.1f} s (not counted).")
    print(f"Target: dask on 2 workers ≥ {TARGET_SPEEDUP}× the one-process run: {speedup:.2f}× by the clock "
          f"({'met' if speedup >= TARGET_SPEEDUP else 'NOT met'}), {estimated:.2f}× on dedicated cores "
          f"({'met' if estimated >= TARGET_SPEEDUP else 'NOT met'}).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,10000,20000,all",
                        help="article counts, comma-separated; 'all' is the whole corpus (default: %(default)s)")
    parser.add_argument("--baseline-max", type=int, default=10000,
                        help="largest size for the naive full-matrix baseline (default: %(default)s)")
    parser.add_argument("--only", choices=("growth", "engines", "density"),
                        help="run only the grouping growth tables, the engine comparison or the news-density "
                        "search table (default: growth and engines)")
    parser.add_argument("--engine-articles", type=int,
                        help="the engine comparison on the first N articles only (default: all)")
    options = parser.parse_args()
    path = require(ARTICLE_BIAS)
    if options.only == "density":
        _density(path)
        return
    if options.only != "engines":
        _growth(path, options)
    if options.only != "growth":
        _engines(path, options.engine_articles)


# --- news density: the candidate search against articles per window ---------------------------

DENSITY_SPANS = (None, 365.0, 91.0, 28.0, 7.0)  # days the dated articles are squeezed into; None = as published


def _search_at_span(parquet: Path, vectors_path: Path, span: float | None) -> dict:
    """The candidate search over the stored vectors, publication times squeezed into ``span`` days, in this
    (fresh) process."""
    import pandas as pd
    import scipy.sparse as sp

    from analysis.events import candidate_links
    from analysis.settings import setting

    published = pd.to_datetime(pd.read_parquet(parquet, columns=["published"])["published"], utc=True, errors="coerce")
    vectors = sp.load_npz(vectors_path).tocsr()
    dated = published.notna().to_numpy()
    if span is not None:  # same order, evenly spread over ``span`` days
        ranks = published[dated].rank(method="first").to_numpy() - 1
        squeezed = pd.Timestamp("2020-01-01", tz="UTC") + pd.to_timedelta(ranks / max(1, dated.sum()) * span, unit="D")
        published = published.astype("datetime64[ns, UTC]")  # the squeezed times need nanoseconds
        published[dated] = squeezed
    days = published[dated]
    spread = max((days.max() - days.min()) / pd.Timedelta(days=1), 1e-9)
    window = float(setting("event_window_days"))
    started = time.perf_counter()
    links = candidate_links(vectors, published)
    seconds = time.perf_counter() - started
    return {"span": spread, "per_week": dated.sum() / spread * 7, "per_window": dated.sum() / spread * 3 * window,
            "seconds": seconds, "links": len(links), "peak_mib": _peak_mib(), "articles": vectors.shape[0]}


def _density(path: Path) -> None:
    import scipy.sparse as sp

    from analysis.events import read_corpus_for_grouping
    from analysis.vectorize import ArticleVectorizer

    articles, _ = read_corpus_for_grouping(path)
    with tempfile.TemporaryDirectory() as folder:
        parquet, vectors_path = Path(folder) / "articles.parquet", Path(folder) / "vectors.npz"
        articles[["id", "published"]].to_parquet(parquet, index=False)
        sp.save_npz(vectors_path, ArticleVectorizer().fit_transform(articles), compressed=False)
        del articles
        runs = []
        for span in DENSITY_SPANS:
            runs.append(_run_in_fresh_process(_search_at_span, parquet, vectors_path, span))
            print(f"  span {runs[-1]['span']:,.0f} days: {runs[-1]['seconds']:.1f} s", flush=True)
    base = runs[0]
    print_table(
        f"Candidate search against news density: the same {base['articles']:,} vectors, dated articles squeezed into "
        "shorter spans (one fresh process each)",
        ["span (days)", "dated articles per week", "searched against (≈ 3 windows)", "search s",
         "articles/s", "× the published-dates time", "links", "peak MiB"],
        [[f"{run['span']:,.0f}", f"{run['per_week']:,.0f}", f"{run['per_window']:,.0f}", f"{run['seconds']:.1f}",
          f"{run['articles'] / run['seconds']:,.0f}", f"{run['seconds'] / base['seconds']:.1f}×", f"{run['links']:,}",
          f"{run['peak_mib']:,.0f}"] for run in runs],
    )
    dense = [run for run in runs if run["per_window"] > 10 * base["per_window"]]
    slope = _exponent([run["per_window"] for run in dense], [run["seconds"] for run in dense]) if len(dense) > 1 else None
    if slope is not None:
        print(f"\nSearch time grows as (articles per window)^{slope:.2f} over the dense spans.")


def _growth(path: Path, options: argparse.Namespace) -> None:
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

"""The pipeline as partitioned steps on an engine: ``group`` and full ``analyze`` runs.

Both follow the same plan (:mod:`analysis.scale.grouping` says why each step gives the
in-process result):

1. plan the time partitions and write the input as a Parquet dataset partitioned by
   publication time (for ``analyze``, DuckDB exports the store's articles and sentences);
2. count document frequencies per partition, add them up, build the fitted model (or load
   the stored one);
3. vectorise each partition; search each partition's time slices and the undated articles;
4. find each partition's components, merge them across borders on the client (a
   union-find over the shared articles: small), give each a home partition;
5. group each home partition's components into events (``analyze``: with their event,
   link, profile and similarity tables); ``analyze`` then computes framing and claims in
   batches of whole events alike in size, voices, the corpus-wide outlet words (term counts
   per partition, added up), wire copies (:mod:`analysis.scale.copies`) and stories (over
   every event's profile, on the client), and loads the result tables from Parquet into the store.

Each step's memory is bounded by its partition (plus the overlap and the border
components it imports), never by the corpus; the client holds per-article index arrays
(publication day, partition) and the per-event profiles for stories.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import scipy.sparse as sp

from analysis.events import _ids_by_group, event_profiles, group_events, link_stories, stable_id
from analysis.scale.copies import candidate_pairs, check_pairs, copies_from_pairs, partition_band_keys
from analysis.scale.engines import Engine, InProcessEngine, open_engine
from analysis.scale.grouping import (
    Instructions,
    SearchParameters,
    add_frequencies,
    count_partition,
    merge_borders,
    merge_undated,
    partition_components,
    partition_rows,
    rows_to_positions,
    search_dated,
    undated_candidates,
    vectorise_partition,
    vectorizer_from_frequencies,
)
from analysis.scale.partitions import Exchange, Partition, Plan, plan_partitions
from analysis.scale.tables import (
    EVENT_TABLES,
    OutletTermCounts,
    add_outlet_term_counts,
    batch_tables,
    event_batches,
    outlet_term_counts,
    outlet_terms,
    partition_events,
    score_outlets,
    voices_table,
)
from analysis.settings import setting
from analysis.vectorize import ArticleVectorizer
from analysis.wire import lsh_bands

__all__ = ["RunSummary", "analyze_partitioned", "group_partitioned"]

# Partial results combined per reduction task.
_FAN_IN = 8


@dataclass
class RunSummary:
    """What a partitioned run did: ``partitions`` (dated, undated), ``joined`` (components spanning
    partitions, merged at borders), ``undated_ties`` (see :func:`~analysis.scale.grouping.merge_undated`),
    ``step_seconds`` (CPU seconds per step, summed over workers), ``event_seconds`` (the same
    for the events of ``analyze``: ``group`` (per home partition, in ``event_partitions`` with the
    articles grouped), ``framing`` and ``claims`` (in ``batches`` of whole events)),
    ``worker_seconds`` (CPU seconds of steps per worker), ``client_seconds`` (CPU seconds of the
    client's own work: planning, the border merge, stories, the store) and ``wall_seconds`` per stage."""

    partitions: tuple[int, int] = (0, 0)
    joined: int = 0
    undated_ties: int = 0
    step_seconds: dict[str, float] = field(default_factory=dict)
    event_seconds: dict[str, float] = field(default_factory=dict)
    event_partitions: dict[str, dict] = field(default_factory=dict)
    batches: int = 0
    worker_seconds: dict[str, float] = field(default_factory=dict)
    client_seconds: float = 0.0
    wall_seconds: dict[str, float] = field(default_factory=dict)


# The summary of the latest run in this process, for the command line and the benchmark.
LAST_SUMMARY = RunSummary()


class _Stopwatch:
    def __init__(self, summary: RunSummary):
        self.summary, self.last, self.cpu = summary, time.perf_counter(), time.process_time()

    def finish(self, engine: Engine) -> None:
        """Record the run's CPU seconds: the steps' (from the engine) and the client's own."""
        self.summary.step_seconds, self.summary.worker_seconds = engine.cpu_seconds()
        own = time.process_time() - self.cpu
        # An in-process engine runs the steps in this process: they are not the client's own work.
        self.summary.client_seconds = own - (sum(self.summary.worker_seconds.values())
                                             if isinstance(engine, InProcessEngine) else 0.0)

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.summary.wall_seconds[stage] = self.summary.wall_seconds.get(stage, 0.0) + now - self.last
        self.last = now


@contextlib.contextmanager
def _exchange_folder(near: Path | None) -> Iterator[Path]:
    """The exchange folder: setting ``scale_exchange_dir`` (kept), else a temporary folder
    beside ``near`` (or the system's), removed afterwards."""
    configured = str(setting("scale_exchange_dir"))
    if configured:
        folder = Path(configured)
        folder.mkdir(parents=True, exist_ok=True)
        run_folder = Path(tempfile.mkdtemp(prefix="run-", dir=folder))
        yield run_folder
        return
    parent = near if near is not None and near.is_dir() else None
    run_folder = Path(tempfile.mkdtemp(prefix="coverage-lens-exchange-", dir=parent))
    try:
        yield run_folder
    finally:
        shutil.rmtree(run_folder, ignore_errors=True)


@contextlib.contextmanager
def _engine(engine: str | Engine) -> Iterator[Engine]:
    if isinstance(engine, Engine):
        yield engine
        return
    opened = open_engine(engine)
    try:
        yield opened
    finally:
        opened.close()


def _reduce(engine: Engine, step: str, combine: Callable, handles: list):
    """``combine`` over ``handles`` as a tree of tasks (``_FAN_IN`` at a time); the combined value."""
    while len(handles) > 1:
        handles = [engine.submit(step, combine, handles[start : start + _FAN_IN])
                   for start in range(0, len(handles), _FAN_IN)]
    return engine.gather(handles)[0]


def _fit(engine: Engine, root: str, plan: Plan) -> ArticleVectorizer:
    """Step 2: document frequencies per partition, added up, into the fitted model."""
    lead_words = int(setting("event_lead_words"))
    template = ArticleVectorizer()
    counted = [engine.submit("count", count_partition, root, partition, lead_words, template)
               for partition in plan.partitions]
    return vectorizer_from_frequencies(_reduce(engine, "count", add_frequencies, counted), lead_words=lead_words,
                                       template=template)


def _components(engine: Engine, root: str, plan: Plan, vectorizer, summary: RunSummary,
                clock: _Stopwatch) -> dict[str, Instructions]:
    """Steps 3 and 4: vectors, candidate links, components merged across borders."""
    n_features = vectorizer.n_features_out_
    model = engine.broadcast(vectorizer)
    written = [engine.submit("vectorise", vectorise_partition, root, partition, model) for partition in plan.partitions]
    engine.gather(written)
    clock.lap("vectorise")

    parameters = SearchParameters.from_settings()
    dated = [partition for partition in plan.partitions if partition.dated]
    undated = [partition for partition in plan.partitions if not partition.dated]
    searches = {partition.name: engine.submit("search", search_dated, root, partition,
                                              plan.holding(partition.clo, partition.chi), n_features, parameters)
                for partition in dated}
    merged = []
    for rows_partition in undated:
        candidates = [engine.submit("search", undated_candidates, root, rows_partition, columns, n_features, parameters)
                      for columns in plan.partitions]
        merged.append(engine.submit("search", merge_undated, candidates, parameters.top_k))
    undated_links = []
    for links, ties in engine.gather(merged):
        undated_links.append(links)
        summary.undated_ties += ties
    routed = _route_undated(plan, undated_links)

    reports = {}
    for number, partition in enumerate(plan.partitions):
        found = [searches[partition.name]] if partition.name in searches else []
        if number in routed:
            found.append(routed[number])
        inner_lo, inner_hi = plan.border_zone(partition)
        interior = plan.order[inner_lo:inner_hi] if partition.dated else np.zeros(0, np.int64)
        reports[partition.name] = engine.submit("components", partition_components, root, partition, interior, found)
    reports = dict(zip(reports, engine.gather(list(reports.values()))))
    clock.lap("search")
    instructions, summary.joined = merge_borders(plan, reports)
    clock.lap("merge")
    return instructions


def _route_undated(plan: Plan, parts: list[pd.DataFrame]) -> dict[int, pd.DataFrame]:
    """Links of undated articles, by the partition that holds them: their dated article's, or
    (both undated) the partition of the first of the two."""
    if not parts:
        return {}
    links = pd.concat(parts, ignore_index=True)
    left, right = links["left"].to_numpy(), links["right"].to_numpy()
    dated_end = np.where(np.isnan(plan.days[left]), right, left)
    owner = plan.partition_of_row[np.where(np.isnan(plan.days[dated_end]), np.minimum(left, right), dated_end)]
    return {int(number): group.reset_index(drop=True) for number, group in links.groupby(owner)}


def _outlet_terms(engine: Engine, counted: list) -> pd.DataFrame:
    """The corpus-wide distinctive words of every outlet: per-partition counts added up (a tree of
    tasks), then scored in batches of outlets."""
    while len(counted) > 1:
        counted = [engine.submit("outlet terms", add_outlet_term_counts, counted[start : start + _FAN_IN])
                   for start in range(0, len(counted), _FAN_IN)]
    outlets = engine.gather([engine.submit("outlet terms", _outlet_count, counted[0])])[0]
    step = max(1, -(-outlets // (4 * engine.workers)))
    scored = [engine.submit("outlet terms", score_outlets, counted[0], first, min(first + step, outlets))
              for first in range(0, outlets, step)]
    return outlet_terms(engine.gather(scored))


def _wire_copies(engine: Engine, root: str, plan: Plan) -> pd.DataFrame:
    """The corpus's wire copies (:mod:`analysis.scale.copies`): band keys per partition, candidate
    pairs by a join, each checked in the partition of its first article."""
    threshold, words = float(setting("wire_threshold")), int(setting("wire_shingle_words"))
    permutations = int(setting("wire_permutations"))
    bands, rows = lsh_bands(threshold, permutations)
    engine.gather([engine.submit("wire copies", partition_band_keys, root, partition, words, permutations, bands, rows)
                   for partition in plan.partitions])
    pairs = candidate_pairs(root)
    names = np.array([partition.name for partition in plan.partitions], dtype=object)
    checked = []
    for _, group in pairs.groupby(plan.partition_of_row[pairs["left_row"].to_numpy()]):
        touched = np.concatenate([group["left_row"].to_numpy(), group["right_row"].to_numpy()])
        parts = sorted(set(names[plan.partition_of_row[touched]]))
        checked.append(engine.submit("wire copies", check_pairs, root, parts, group.reset_index(drop=True), words,
                                     threshold))
    return copies_from_pairs(engine.gather(checked))


def _outlet_count(counts: OutletTermCounts) -> int:
    return len(counts.outlets)


def _write_articles(exchange: Exchange, plan: Plan, articles: pd.DataFrame) -> None:
    """The input as the ``articles`` dataset: each partition's rows in position order."""
    for partition in plan.partitions:
        rows = plan.order[partition.lo : partition.hi] if partition.dated else plan.undated[partition.lo : partition.hi]
        part = articles.iloc[rows].reset_index(drop=True)
        exchange.write("articles", partition.name, part.assign(row=rows, pos=plan.position_of_row[rows]))


# --- coverage-lens group ---------------------------------------------------------------------


def _group_partition(root: str, partition: Partition, instructions: Instructions, vectorizer: ArticleVectorizer,
                     profile_terms: int) -> tuple[pd.DataFrame, sp.csr_matrix]:
    """Step: events of the components homed in one partition, as ``group_articles`` names them;
    writes ``grouped`` (``row``, ``id``, ``event_id``, ``best_neighbor``, ``best_score``) and returns
    each event's ``event_id``, ``first_row`` and ``first_id`` with its name-and-number profile."""
    articles, vectors, links = partition_rows(root, partition, instructions, vectorizer.n_features_out_,
                                              ["row", "article_id", "published"])
    rows = articles["row"].to_numpy()
    if len(rows) == 0:  # every article of this partition is grouped in another one
        return (pd.DataFrame({"event_id": [], "first_row": np.zeros(0, np.int64), "first_id": []}),
                sp.csr_matrix((0, max(1, len(vectorizer.name_terms()))), dtype=np.float32))
    grouping = group_events(vectors, articles["published"], links=rows_to_positions(rows, links))
    ids = articles["article_id"].astype(str).to_numpy()
    neighbor = grouping.best_link["neighbor"].to_numpy()
    event_ids = _ids_by_group("e", ids, grouping.labels)
    Exchange(root).write("grouped", partition.name, pd.DataFrame({
        "row": rows, "id": ids, "event_id": event_ids,
        "best_neighbor": [ids[i] if i >= 0 else None for i in neighbor],
        "best_score": grouping.best_link["score"].round(4).to_numpy(),
    }))
    profiles = event_profiles(vectorizer.name_block(vectors), grouping.labels, top_terms=profile_terms)
    # One row per event in label order (the profiles' order): its id, first row and smallest article id.
    events = pd.DataFrame({"label": grouping.labels, "event_id": event_ids, "row": rows, "id": ids}).groupby(
        "label", sort=True).agg(event_id=("event_id", "first"), first_row=("row", "min"), first_id=("id", "min"))
    return events.reset_index(drop=True), profiles


def group_partitioned(articles: pd.DataFrame, *, engine: str | Engine = "dask",
                      summary: RunSummary | None = None) -> pd.DataFrame:
    """:func:`analysis.events.group_articles` as partitioned steps on an engine: the same frame.

    Args:
        articles: columns ``id`` (unique), ``title``, ``text`` and optionally ``published``.
        engine: ``dask`` (a LocalCluster), ``local`` (in this process) or an open engine.
        summary: filled with what the run did (default: :data:`LAST_SUMMARY`).
    """
    if articles["id"].duplicated().any():
        raise ValueError("article ids must be unique")
    if len(articles) == 0:
        return pd.DataFrame(columns=["id", "event_id", "story_id", "best_neighbor", "best_score"])
    summary = summary if summary is not None else _fresh_summary()
    clock = _Stopwatch(summary)
    published = (pd.to_datetime(articles["published"], utc=True, errors="coerce") if "published" in articles
                 else pd.Series(pd.NaT, index=articles.index, dtype="datetime64[ns, UTC]"))
    frame = pd.DataFrame({"article_id": articles["id"].astype(str).to_numpy(),
                          "title": articles["title"].to_numpy(), "text": articles["text"].to_numpy(),
                          "published": published.to_numpy()})
    with _engine(engine) as runner, _exchange_folder(None) as folder:
        runner.cpu_seconds()  # forget earlier runs' steps
        root, exchange = str(folder), Exchange(folder)
        plan = _plan(published)
        summary.partitions = _counts(plan)
        _write_articles(exchange, plan, frame)
        exchange.write_manifest(plan)
        clock.lap("write input")
        vectorizer = _fit(runner, root, plan)
        clock.lap("fit")
        instructions = _components(runner, root, plan, vectorizer, summary, clock)
        model = runner.broadcast(vectorizer)
        profile_terms = int(setting("profile_terms"))
        parts = runner.gather([runner.submit("events", _group_partition, root, partition,
                                             instructions[partition.name], model, profile_terms)
                               for partition in plan.partitions])
        clock.lap("events")
        story_of_event = _group_stories(parts)
        grouped = exchange.read_all("grouped").to_pandas().sort_values("row", ignore_index=True)
        clock.lap("stories")
        clock.finish(runner)
    grouped["story_id"] = grouped["event_id"].map(story_of_event)
    grouped = grouped[["id", "event_id", "story_id", "best_neighbor", "best_score"]]
    # Parquet reads strings back as Arrow strings (missing: NaN); group_articles gives Python
    # strings and None, and so must this.
    text_columns = ["id", "event_id", "story_id", "best_neighbor"]
    grouped[text_columns] = grouped[text_columns].astype(object).where(grouped[text_columns].notna(), None)
    return grouped


def _group_stories(parts: list[tuple[pd.DataFrame, sp.csr_matrix]]) -> dict[str, str]:
    """Story id per event id, from every partition's events and profiles (events in the order of
    their first article, as ``group_articles`` links them)."""
    events = pd.concat([part[0] for part in parts], ignore_index=True)
    profiles = sp.vstack([part[1] for part in parts], format="csr")
    order = np.argsort(events["first_row"].to_numpy(), kind="stable")
    events, profiles = events.iloc[order].reset_index(drop=True), profiles[order]
    stories = link_stories(profiles)
    # A story is named after its smallest article id, the smallest of its events' smallest ids.
    story_ids = pd.Series(events["first_id"].to_numpy()).groupby(stories).agg(
        lambda firsts: stable_id("s", list(firsts)))
    return dict(zip(events["event_id"], story_ids.loc[stories].to_numpy()))


def _plan(published: pd.Series) -> Plan:
    return plan_partitions(published, partition_articles=int(setting("scale_partition_articles")),
                           window_days=float(setting("event_window_days")))


def _counts(plan: Plan) -> tuple[int, int]:
    dated = sum(partition.dated for partition in plan.partitions)
    return dated, len(plan.partitions) - dated


def _fresh_summary() -> RunSummary:
    """:data:`LAST_SUMMARY`, emptied (the same object, so whoever imported it sees the new run)."""
    LAST_SUMMARY.__init__()
    return LAST_SUMMARY


# --- coverage-lens analyze --------------------------------------------------------------------


def analyze_partitioned(store, *, mode: str, dates: pd.DataFrame, new_articles: int, last_run: dict | None,
                        engine: str | Engine, progress: Callable[[float, str], None], started: float,
                        summary: RunSummary | None = None):
    """A full ``analyze`` run (``refit`` or ``recluster``) as partitioned steps on an engine.

    Called by :func:`analysis.pipeline.analyze`, which has decided the mode; stores what the
    in-process run stores. Returns its :class:`~analysis.pipeline.AnalysisReport`.
    """
    from analysis.pipeline import AnalysisReport, _settings_snapshot, _stories

    summary = summary if summary is not None else _fresh_summary()
    clock = _Stopwatch(summary)
    near = Path(store.path).parent if store.path != ":memory:" else None
    with _engine(engine) as runner, _exchange_folder(near) as folder:
        runner.cpu_seconds()  # forget earlier runs' steps
        root, exchange = str(folder), Exchange(folder)
        progress(0.0, "writing the articles as partitioned Parquet")
        plan = _plan(dates["published"])
        summary.partitions = _counts(plan)
        assignment = pa.table({
            "article_id": dates["article_id"].to_numpy(dtype=object),
            "row": np.arange(len(dates), dtype=np.int64),
            "pos": plan.position_of_row,
            "part": np.array([partition.name for partition in plan.partitions], dtype=object)[plan.partition_of_row],
        })
        store.export_for_analysis(folder, assignment)
        exchange.write_manifest(plan, articles=len(dates))
        clock.lap("write input")
        progress(0.05, "fitting the model" if mode == "refit" else "loading the model")
        if mode == "refit":
            vectorizer = _fit(runner, root, plan)
            model_id = store.save_model(vectorizer.to_state(), articles=len(dates))
        else:
            model_id = last_run["model_id"]
            vectorizer = ArticleVectorizer.from_state(store.model(model_id))
        run_id = store.start_run(mode, _settings_snapshot(), model_id)
        clock.lap("fit")
        progress(0.15, "grouping articles into events")
        instructions = _components(runner, root, plan, vectorizer, summary, clock)
        progress(0.3, "grouping events in their home partitions")
        model = runner.broadcast(vectorizer)
        counted = [runner.submit("outlet terms", outlet_term_counts, root, partition) for partition in plan.partitions]
        # Largest first: a long step started last would leave the other workers idle.
        largest_first = sorted(plan.partitions, key=lambda partition: -partition.articles)
        grouped = runner.gather([runner.submit("events", partition_events, root, partition,
                                               instructions[partition.name], model, run_id)
                                 for partition in largest_first])
        for partition, done in zip(largest_first, grouped):
            summary.event_partitions[partition.name] = {"group": done["group"], "articles": done["articles"]}
        summary.event_seconds["group"] = sum(done["group"] for done in grouped)
        clock.lap("events")
        progress(0.5, "framing and claims per batch of events")
        members = pd.concat([done["members"] for done in grouped], ignore_index=True)
        batch_articles = min(int(setting("scale_partition_articles")), -(-len(members) // (4 * runner.workers)))
        batches = event_batches(members, batch_articles)
        compared = runner.gather([runner.submit("framing and claims", batch_tables, root, f"b{number:05d}", batch, model)
                                  for number, batch in enumerate(batches)])
        for part in ("framing", "claims"):
            summary.event_seconds[part] = sum(done[part] for done in compared)
        summary.batches = len(batches)
        clock.lap("framing and claims")
        progress(0.85, "voices, outlet words, wire copies and stories")
        voices = runner.submit("voices", voices_table, root)
        exchange.write("results/outlet_terms", "all", _outlet_terms(runner, counted))
        runner.gather([voices])
        copies = _wire_copies(runner, root, plan)
        fact_columns = ["event_id", "articles", "first_published", "last_published"]
        profiles = exchange.read_all("results/event_profiles").to_pandas()
        event_facts = exchange.read_all("results/events", columns=fact_columns).to_pandas()
        stories, event_stories = _stories(profiles, event_facts)
        clock.lap("stories")
        progress(0.95, "loading the results into the store")
        tables = {name: exchange.files(f"results/{name}") for name in (*EVENT_TABLES, "voices", "outlet_terms")}
        store.write_analysis_parquet(
            run_id, tables=tables, stories=stories, event_stories=event_stories,
            counts={"articles": len(dates), "new_articles": new_articles, "events": len(event_facts),
                    "stories": len(stories)},
            frames={"wire_copies": copies},
        )
        clock.lap("load store")
        clock.finish(runner)
    progress(1.0, "done")
    return AnalysisReport(mode, run_id, len(dates), new_articles, len(dates), len(event_facts), len(stories),
                          time.perf_counter() - started)

"""The partitioned engines give the in-process results: same model, links, events, claim groups, tables.

In-process runs of the partitioned steps check the algorithm on small partitions (many borders);
Dask runs on a 2-worker LocalCluster check that the engine changes nothing, that an event spanning a
partition border stays one event, and that a run survives a worker killed in the middle of it.
"""

from __future__ import annotations

import gzip
import itertools
import os
import shutil
import signal
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.events import candidate_links, group_articles, read_corpus_for_grouping
from analysis.ingest import ingest
from analysis.pipeline import analyze
from analysis.scale import InProcessEngine, RunSummary, group_partitioned
from analysis.scale.grouping import add_frequencies, document_frequencies, vectorizer_from_frequencies
from analysis.scale.partitions import plan_partitions
from analysis.store import Store
from analysis.vectorize import ArticleVectorizer
from tests.conftest import SAMPLE

# Store tables compared between engines, with the columns that order their rows.
TABLES = {
    "article_events": ["article_id"], "events": ["event_id"], "event_links": ["left_id", "right_id"],
    "event_profiles": ["event_id", "term"], "outlet_similarity": ["event_id", "outlet_a", "outlet_b"],
    "stories": ["story_id"], "claims": ["claim_id"], "claim_links": ["claim_a", "claim_b"],
    "framing_terms": None, "actor_labels": None, "voices": None, "tone": None, "outlet_terms": None,
    "wire_copies": ["article_id"],
}


# The article_bias_prediction slice: its first 5,000 lines (its order is by a random-looking id,
# so a prefix samples all outlets and years, undated articles included).
SLICE = 5000


@pytest.fixture
def corpus_files(corpora, tmp_path) -> dict[str, Path]:
    """NewsWCL50, ECB+ and the article_bias_prediction slice, by name."""
    sliced = tmp_path / "article_bias_slice.jsonl"
    with gzip.open(corpora / "article_bias_prediction" / "articles.jsonl.gz", "rt", encoding="utf-8") as lines:
        sliced.write_text("".join(itertools.islice(lines, SLICE)), encoding="utf-8")
    return {"newswcl50": corpora / "newswcl50" / "newswcl50.jsonl", "ecbplus": corpora / "ecbplus" / "ecbplus.jsonl",
            "article_bias": sliced}


_READ: dict[str, pd.DataFrame] = {}


def _articles(corpus_files: dict[str, Path], name: str) -> pd.DataFrame:
    """A corpus read and cleaned as ``coverage-lens group`` reads it (once per test session)."""
    if name not in _READ:
        articles, problems = read_corpus_for_grouping(corpus_files[name])
        assert not problems
        _READ[name] = articles
    return _READ[name]


def _topic_corpus(seed: int, n: int = 120, undated_share: float = 0.2) -> pd.DataFrame:
    """Invented articles on a few recurring topics over two months, some undated."""
    rng = np.random.default_rng(seed)
    topics = rng.integers(0, 6, size=n)
    rows = []
    for i, topic in enumerate(topics):
        words = " ".join(f"w{rng.integers(0, 300)}" for _ in range(40))
        rows.append({"id": f"a{i:04d}", "title": f"Report on matter {topic} Alpha{topic}",
                     "text": f"Matter{topic} council vote {topic}. " * 3 + words})
    frame = pd.DataFrame(rows)
    published = pd.to_datetime("2021-03-01", utc=True) + pd.to_timedelta(rng.integers(0, 60, n), unit="D")
    frame["published"] = pd.Series(published).where(rng.random(n) >= undated_share)
    return frame


def _assert_same_grouping(expected: pd.DataFrame, found: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(expected.reset_index(drop=True), found.reset_index(drop=True), check_dtype=False)


# --- the partitioned algorithm, in this process --------------------------------------------------


@pytest.mark.parametrize("parts", [1, 2, 5])
def test_model_from_summed_document_frequencies_is_the_fitted_model(parts):
    articles = _topic_corpus(0, n=90)
    fitted = ArticleVectorizer().fit(articles)
    lead_words = fitted.lead_words_
    pieces = np.array_split(np.arange(len(articles)), parts)
    summed = add_frequencies([document_frequencies(articles.iloc[rows], lead_words=lead_words,
                                                   template=ArticleVectorizer()) for rows in pieces])
    rebuilt = vectorizer_from_frequencies(summed, lead_words=lead_words)
    assert rebuilt.to_state() == fitted.to_state()
    assert (fitted.transform(articles) != rebuilt.transform(articles)).nnz == 0  # to the last bit


def test_plan_cuts_whole_time_slices_and_places_every_article_once():
    articles = _topic_corpus(1, n=200)
    plan = plan_partitions(articles["published"], partition_articles=25, window_days=7)
    dated = [p for p in plan.partitions if p.dated]
    assert len(dated) > 2 and any(not p.dated for p in plan.partitions)
    assert dated[0].lo == 0 and all(a.hi == b.lo for a, b in zip(dated, dated[1:]))
    assert all(p.articles >= 25 for p in dated[:-1])
    for partition in dated:  # whole slices; the search columns reach past the partition's own rows
        assert partition.slices[0][0] == partition.lo and partition.slices[-1][1] == partition.hi
        assert partition.clo <= partition.lo and partition.chi >= partition.hi
    assert np.array_equal(np.sort(np.bincount(plan.partition_of_row, minlength=len(plan.partitions))),
                          np.sort([p.articles for p in plan.partitions]))


@pytest.mark.parametrize(("seed", "size", "top_k"), [(2, 10, 50), (3, 30, 50), (4, 15, 3), (5, 40, 2)])
def test_partitioned_links_and_events_equal_the_in_process_ones(seed, size, top_k, tmp_path, monkeypatch):
    """Small partitions (many borders) and a small top-k (cut lists) change nothing."""
    monkeypatch.setenv("COVERAGE_LENS_SCALE_PARTITION_ARTICLES", str(size))
    monkeypatch.setenv("COVERAGE_LENS_EVENT_TOP_K", str(top_k))
    monkeypatch.setenv("COVERAGE_LENS_SCALE_EXCHANGE_DIR", str(tmp_path))  # kept: the links are read back
    articles = _topic_corpus(seed)
    summary = RunSummary()
    found = group_partitioned(articles, engine=InProcessEngine(), summary=summary)
    _assert_same_grouping(group_articles(articles), found)
    assert summary.partitions[0] > 1 and summary.undated_ties == 0

    vectors = ArticleVectorizer().fit_transform(articles)
    expected = candidate_links(vectors, pd.to_datetime(articles["published"], utc=True))
    (run,) = tmp_path.iterdir()
    stored = pd.read_parquet(run / "links").drop_duplicates(["left", "right"])
    stored = stored.sort_values(["left", "right"], ignore_index=True)
    pd.testing.assert_frame_equal(expected, stored[["left", "right", "score"]], check_dtype=False)


def test_an_event_spanning_two_partitions_is_one_event(monkeypatch):
    """Articles of one event published across a partition border: one event, its id the in-process one."""
    rng = np.random.default_rng(7)
    rows = []
    for day in range(40):  # background: a different subject every day
        rows.append({"id": f"b{day:02d}", "title": f"Daily digest {day} Item{day}",
                     "text": " ".join(f"x{day}_{rng.integers(0, 50)}" for _ in range(60)),
                     "published": pd.Timestamp("2022-05-01", tz="UTC") + pd.Timedelta(days=day)})
    story = "Harbour bridge Kestrel collapses after storm; 14 workers rescued by coast guard crews in Port Avel."
    # Around day 15: weekly time slices of daily articles start on days 0, 8 and 15 plus a little.
    for offset, hours in enumerate([-30, -10, 8, 20, 40]):
        rows.append({"id": f"e{offset}", "title": "Kestrel bridge collapse in Port Avel",
                     "text": story + f" Update {offset}.",
                     "published": pd.Timestamp("2022-05-16", tz="UTC") + pd.Timedelta(hours=hours)})
    articles = pd.DataFrame(rows)
    monkeypatch.setenv("COVERAGE_LENS_SCALE_PARTITION_ARTICLES", "7")
    plan = plan_partitions(articles["published"], partition_articles=7, window_days=7)
    event_rows = np.flatnonzero(articles["id"].str.startswith("e"))
    assert len(set(plan.partition_of_row[event_rows])) >= 2  # the event does cross a border
    summary = RunSummary()
    found = group_partitioned(articles, engine=InProcessEngine(), summary=summary)
    assert found.loc[event_rows, "event_id"].nunique() == 1
    assert summary.joined >= 1
    _assert_same_grouping(group_articles(articles), found)


@pytest.mark.corpus
@pytest.mark.parametrize(("corpus", "size"), [("newswcl50", 5), ("ecbplus", 150), ("article_bias", 700)])
def test_partitioned_grouping_in_process_on_real_corpora(corpus_files, corpus, size, monkeypatch):
    monkeypatch.setenv("COVERAGE_LENS_SCALE_PARTITION_ARTICLES", str(size))
    articles = _articles(corpus_files, corpus)
    _assert_same_grouping(group_articles(articles), group_partitioned(articles, engine=InProcessEngine()))


# --- Dask: a 2-worker LocalCluster ---------------------------------------------------------------


@pytest.fixture(scope="module")
def dask_engine():
    pytest.importorskip("distributed")
    from analysis.scale import DaskEngine

    engine = DaskEngine(workers=2)
    yield engine
    engine.close()


@pytest.mark.corpus
@pytest.mark.parametrize(("corpus", "size"), [("newswcl50", 10), ("ecbplus", 300), ("article_bias", 1000)])
def test_dask_grouping_equals_local(corpus_files, corpus, size, dask_engine, monkeypatch):
    monkeypatch.setenv("COVERAGE_LENS_SCALE_PARTITION_ARTICLES", str(size))
    articles = _articles(corpus_files, corpus)
    _assert_same_grouping(group_articles(articles), group_partitioned(articles, engine=dask_engine))


def _store_tables(path: Path) -> dict[str, pd.DataFrame]:
    with Store.open(path, read_only=True) as store:
        tables = {}
        for table, key in TABLES.items():
            frame = store.connection.execute(f"SELECT * FROM {table}").df().drop(columns="run_id", errors="ignore")
            tables[table] = frame.sort_values(key or list(frame.columns), ignore_index=True)
        tables["models"] = store.connection.execute("SELECT state FROM models").fetchall()
    return tables


def _analysed_twice(source: Path, tmp_path: Path, engine, size: int, monkeypatch) -> tuple[dict, dict]:
    base = tmp_path / "base.duckdb"
    with Store.open(base) as store:
        ingest([str(source)], store=store)
    local, partitioned = tmp_path / "local.duckdb", tmp_path / "partitioned.duckdb"
    shutil.copy(base, local)
    shutil.copy(base, partitioned)
    with Store.open(local) as store:
        assert analyze(store).mode == "refit"
    monkeypatch.setenv("COVERAGE_LENS_SCALE_PARTITION_ARTICLES", str(size))
    with Store.open(partitioned) as store:
        assert analyze(store, engine=engine).mode == "refit"
        assert analyze(store).mode == "none"  # the run is recorded like a local one
    return _store_tables(local), _store_tables(partitioned)


@pytest.mark.corpus
@pytest.mark.timeout(1800)  # the 5,000-article slice: two full analyses, framing and claims included
@pytest.mark.parametrize(("corpus", "size"), [("newswcl50", 10), ("ecbplus", 300), ("article_bias", 1000)])
def test_dask_analyze_stores_what_local_analyze_stores(corpus_files, corpus, size, dask_engine, tmp_path,
                                                       monkeypatch):
    """Events, claims and their groups, framing, stories and the model: every table the same."""
    local, partitioned = _analysed_twice(corpus_files[corpus], tmp_path, dask_engine, size, monkeypatch)
    assert local["models"] == partitioned["models"]
    assert len(local["claims"]) > 0
    for table in TABLES:
        pd.testing.assert_frame_equal(local[table], partitioned[table], check_dtype=False, obj=table)


def test_dask_analyze_on_the_sample_store(dask_engine, tmp_path, monkeypatch):
    local, partitioned = _analysed_twice(SAMPLE, tmp_path, dask_engine, 1, monkeypatch)
    for table in TABLES:
        pd.testing.assert_frame_equal(local[table], partitioned[table], check_dtype=False, obj=table)


def test_partitioned_analyze_finds_the_wire_copies_across_partitions(tmp_path, monkeypatch):
    """An agency story and its word-for-word copy in different partitions (one article each): the
    band keys meet in the join, and the stored copies equal the in-process ones."""
    from tests.invented import OWN_REPORT, UNRELATED, WIRE_COPY, WIRE_STORY, write_jsonl

    corpus = write_jsonl(tmp_path / "wire.jsonl", [WIRE_STORY, WIRE_COPY, OWN_REPORT, UNRELATED])
    local, partitioned = _analysed_twice(corpus, tmp_path, InProcessEngine(), 1, monkeypatch)
    assert len(local["wire_copies"]) == 1  # the copy is found at all
    for table in TABLES:
        pd.testing.assert_frame_equal(local[table], partitioned[table], check_dtype=False, obj=table)


def _kill_once_plugin(marker: str, prefix: str):
    """A worker plugin that SIGKILLs its worker's process just after the worker starts its first task
    whose key begins with ``prefix``, once per ``marker`` file (the restarted worker finds the marker)."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class KillOnce(WorkerPlugin):
        def transition(self, key, start, finish, **kwargs) -> None:
            if finish == "executing" and str(key).startswith(prefix) and not os.path.exists(marker):
                Path(marker).touch()
                threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGKILL)).start()

    return KillOnce()


@pytest.mark.corpus
def test_a_run_survives_a_worker_killed_mid_run(corpus_files, tmp_path, monkeypatch):
    """The worker running a search step dies; the scheduler runs its steps again elsewhere."""
    pytest.importorskip("distributed")
    from analysis.scale import DaskEngine

    monkeypatch.setenv("COVERAGE_LENS_SCALE_PARTITION_ARTICLES", "300")
    articles = _articles(corpus_files, "ecbplus")
    expected = group_articles(articles)
    marker = tmp_path / "killed"
    with DaskEngine(workers=2) as engine:
        engine.client.register_plugin(_kill_once_plugin(str(marker), "search"), name="kill-once")
        found = group_partitioned(articles, engine=engine)
    assert marker.exists()  # a worker did die mid-run
    _assert_same_grouping(expected, found)


def test_dask_engine_without_the_extra_says_what_to_install(monkeypatch):
    import sys

    from analysis.scale import DaskEngine, EngineError

    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(EngineError, match=r"coverage-lens\[dask\]"):
        DaskEngine()


@pytest.mark.parametrize(("parts", "batch"), [(1, 1), (3, 2), (4, 10)])
def test_outlet_words_from_counts_added_up_and_scored_in_batches(parts, batch, tmp_path):
    """The corpus-wide distinctive words of each outlet, from per-partition counts: as over the whole corpus."""
    from analysis.scale.partitions import Exchange, Partition
    from analysis.scale.tables import add_outlet_term_counts, outlet_term_counts, outlet_terms, score_outlets
    from analysis.words import TERM_COLUMNS, distinctive_terms

    articles = _topic_corpus(8, n=80).assign(outlet=lambda frame: [f"Outlet {i % 7}" for i in range(len(frame))])
    exchange = Exchange(tmp_path)
    partitions = []
    for number, rows in enumerate(np.array_split(np.arange(len(articles)), parts)):
        partition = Partition(f"d{number:05d}", True, int(rows[0]), int(rows[-1]) + 1, 0, 0)
        exchange.write("articles", partition.name, articles.iloc[rows])
        partitions.append(partition)
    counts = add_outlet_term_counts([outlet_term_counts(str(tmp_path), partition) for partition in partitions])
    found = outlet_terms([score_outlets(counts, first, min(first + batch, 7)) for first in range(0, 7, batch)])
    expected = distinctive_terms(articles, group="outlet", top=20, under=True)[["outlet", *TERM_COLUMNS]]
    pd.testing.assert_frame_equal(expected, found, check_dtype=False)


# --- the command line ----------------------------------------------------------------------------


@pytest.mark.corpus
def test_group_command_with_the_dask_engine_writes_the_local_csv(corpora, tmp_path):
    from tests.test_cli import run

    source = corpora / "newswcl50" / "newswcl50.jsonl"
    local = run("group", source, "--out", tmp_path / "local.csv", cwd=tmp_path)
    partitioned = run("group", source, "--out", tmp_path / "dask.csv", "--engine", "dask", cwd=tmp_path,
                      env={"COVERAGE_LENS_SCALE_PARTITION_ARTICLES": "10"})
    assert local.returncode == 0 and partitioned.returncode == 0, partitioned.output
    assert "time partitions" in partitioned.output
    assert (tmp_path / "local.csv").read_text() == (tmp_path / "dask.csv").read_text()


def test_analyze_command_with_the_dask_engine_then_up_to_date(sample_store_path, tmp_path):
    from tests.test_cli import run

    first = run("analyze", "--db", sample_store_path, "--engine", "dask", cwd=tmp_path)
    assert first.returncode == 0, first.output
    assert "refit: 3 articles" in first.output and "2 events, 1 stories" in first.output
    again = run("analyze", "--db", sample_store_path, cwd=tmp_path)
    assert again.returncode == 0 and "Up to date" in again.output


@pytest.mark.parametrize(
    ("arguments", "status", "message"),
    [
        (["--engine", "spark"], 2, "--engine must be 'local' or 'dask'"),
        (["--scheduler", "tcp://127.0.0.1:8786"], 2, "--scheduler needs --engine dask"),
        (["--engine", "dask", "--scheduler", "tcp://127.0.0.1:9"], 1, "no Dask scheduler reachable"),
    ],
)
def test_engine_options_are_checked(sample_store_path, tmp_path, arguments, status, message):
    from tests.test_cli import run

    result = run("analyze", "--db", sample_store_path, *arguments, cwd=tmp_path)
    assert result.returncode == status and message in result.output, result.output
    assert "Traceback" not in result.output

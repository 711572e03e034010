"""Shared fixtures: paths to the sample and real corpora, and a store built from the sample."""

from pathlib import Path

import pytest

from analysis.ingest import ingest
from analysis.store import Store

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
CORPORA = REPO.parent / "shared" / "corpora"


@pytest.fixture
def corpora() -> Path:
    """The real corpora beside the repo; tests that need them skip when they are absent."""
    if not CORPORA.is_dir():
        pytest.skip(f"real corpora not found at {CORPORA} (clone with ../shared beside the repo)")
    return CORPORA


@pytest.fixture
def sample_store_path(tmp_path) -> Path:
    """A store file holding the three sample articles."""
    path = tmp_path / "sample.duckdb"
    with Store.open(path) as store:
        report = ingest([str(SAMPLE)], store=store)
    assert report.added == 3 and not report.rejected
    return path


@pytest.fixture(scope="session")
def analyzed_sample_store(tmp_path_factory) -> Path:
    """A store holding the three sample articles, analysed (events, claims, framing). Built
    once per test session: treat it as read-only (copy it to change it)."""
    from analysis.pipeline import analyze

    path = tmp_path_factory.mktemp("analyzed") / "sample.duckdb"
    with Store.open(path) as store:
        assert ingest([str(SAMPLE)], store=store).added == 3
        analyze(store)
    return path


@pytest.fixture(scope="session")
def analyzed_wire_store(tmp_path_factory) -> Path:
    """An analysed store of invented articles: an agency story, another outlet's word-for-word copy
    of it (a wire copy) and a third outlet's own report, one event; plus an unrelated story. Built
    once per test session: treat it as read-only (copy it to change it)."""
    from analysis.pipeline import analyze
    from tests.invented import OWN_REPORT, UNRELATED, WIRE_COPY, WIRE_STORY, write_jsonl

    folder = tmp_path_factory.mktemp("wire")
    corpus = write_jsonl(folder / "wire.jsonl", [WIRE_STORY, WIRE_COPY, OWN_REPORT, UNRELATED])
    path = folder / "wire.duckdb"
    with Store.open(path) as store:
        assert ingest([str(corpus)], store=store).added == 4
        analyze(store)
    return path

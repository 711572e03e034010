"""The DuckDB store: schema versions, atomic and idempotent writes, clear errors."""

import subprocess
import sys
import textwrap

import duckdb
import pyarrow as pa
import pytest

from analysis.ingest import _ARTICLE_SCHEMA, _SENTENCE_SCHEMA, _columns, prepare_article
from analysis.readers import ArticleRecord
from analysis.store import SCHEMA_VERSION, Store, StoreError, StoreVersionError


def _batch(*texts, outlet="Example Times"):
    prepared = [prepare_article(ArticleRecord(text=t, source=f"test:{i}", outlet=outlet)) for i, t in enumerate(texts)]
    articles = _columns([p.row for p in prepared], _ARTICLE_SCHEMA)
    sentences = _columns([s for p in prepared for s in p.sentences], _SENTENCE_SCHEMA)
    return articles, sentences


TEXTS = (
    "The council approved the budget on Monday. The vote was 7 to 2.",
    "Firefighters contained a blaze at the harbour overnight. Nobody was hurt.",
)


def test_new_store_has_current_schema(tmp_path):
    with Store.open(tmp_path / "s.duckdb") as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.summary()["articles"] == 0
    # Re-opening applies nothing twice.
    with Store.open(tmp_path / "s.duckdb") as store:
        assert store.migrate() == []
        rows = store.connection.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
        assert rows == SCHEMA_VERSION


def test_add_is_idempotent(tmp_path):
    articles, sentences = _batch(*TEXTS)
    with Store.open(tmp_path / "s.duckdb") as store:
        assert store.add_articles(articles, sentences) == (2, 0)
        assert store.add_articles(articles, sentences) == (0, 2)
        assert store.summary()["articles"] == 2
        assert store.summary()["sentences"] == len(sentences)


def test_duplicates_within_one_batch_count_once(tmp_path):
    articles, sentences = _batch(TEXTS[0], TEXTS[0])
    with Store.open(tmp_path / "s.duckdb") as store:
        assert store.add_articles(articles, sentences) == (1, 1)
        assert store.summary()["sentences"] == len(sentences) // 2


def test_failed_batch_leaves_store_unchanged(tmp_path):
    good_articles, good_sentences = _batch(TEXTS[0])
    articles, sentences = _batch(TEXTS[1])
    # A sentence row violating NOT NULL makes the second statement of the transaction fail.
    broken = sentences.set_column(4, "text", pa.array([None] * len(sentences), type=pa.string()))
    with Store.open(tmp_path / "s.duckdb") as store:
        store.add_articles(good_articles, good_sentences)
        before = store.summary()
        with pytest.raises(duckdb.Error):
            store.add_articles(articles, broken)
        after = store.summary()
    assert after == before


def test_newer_store_is_refused(tmp_path):
    path = tmp_path / "s.duckdb"
    Store.open(path).close()
    connection = duckdb.connect(str(path))
    connection.execute("INSERT INTO schema_migrations VALUES (?, 'from the future', now())", [SCHEMA_VERSION + 1])
    connection.close()
    for read_only in (False, True):
        with pytest.raises(StoreVersionError, match="newer"):
            Store.open(path, read_only=read_only)


def test_missing_store_read_only_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no store at"):
        Store.open(tmp_path / "absent.duckdb", read_only=True)
    assert not (tmp_path / "absent.duckdb").exists()


def test_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_text("these are notes, not a database\n" * 100)
    with pytest.raises(StoreError, match="not a readable Coverage Lens store"):
        Store.open(path)
    assert path.read_text().startswith("these are notes")


def test_foreign_duckdb_file_is_not_taken_for_a_store(tmp_path):
    path = tmp_path / "other.duckdb"
    connection = duckdb.connect(str(path))
    connection.execute("CREATE TABLE t (x INTEGER)")
    connection.close()
    with pytest.raises(StoreError, match="not a Coverage Lens store"):
        Store.open(path, read_only=True)


def test_store_in_use_by_another_process_is_a_clear_error(tmp_path):
    path = tmp_path / "s.duckdb"
    Store.open(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, duckdb
            connection = duckdb.connect({str(path)!r})
            print("locked", flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(StoreError, match="in use by another process"):
            Store.open(path)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_reads_return_documented_columns(sample_store_path):
    with Store.open(sample_store_path, read_only=True) as store:
        articles = store.articles()
        assert list(articles.columns) == ["article_id", "outlet", "title", "published", "url", "author", "language", "source"]
        assert str(articles["published"].dt.tz) == "UTC"
        assert sorted(store.outlet_counts()["outlet"]) == ["CBS News", "The Telegraph", "U.S. News & World Report"]
        one = store.article(articles["article_id"].iloc[0])
        sentences = store.sentences([one["article_id"]])
        assert list(sentences.columns) == ["article_id", "sentence_no", "start", "end", "text", "is_headline"]
        assert sentences["sentence_no"].tolist() == list(range(len(sentences)))
        for row in sentences.itertuples():
            source = one["title"] if row.is_headline else one["text"]
            assert source[row.start : row.end] == row.text
        assert store.article("0000000000000000") is None
        assert len(store.ingests()) == 1


# --- reads for the Outlets and Claims pages


def test_outlet_framing_reads_one_outlets_rows(analyzed_sample_store):
    with Store.open(analyzed_sample_store, read_only=True) as store:
        for table in ("outlet_terms", "framing_terms", "voices", "tone"):
            whole = store.framing_table(table)
            own = store.outlet_framing(table, "The Telegraph")
            assert list(own.columns) == list(whole.columns)
            assert len(own) and set(own["outlet"]) == {"The Telegraph"}
            assert len(own) == (whole["outlet"] == "The Telegraph").sum()
        labels = store.outlet_framing("actor_labels", "The Telegraph")
        assert list(labels.columns) == [c for c in store.framing_table("actor_labels").columns if c != "sentence"]
        # Every outlet's labels of the actors the Telegraph labels, so uses can be compared.
        telegraph_actors = set(labels.loc[labels["outlet"] == "The Telegraph", "actor"])
        assert set(labels["actor"]) == telegraph_actors and {"CBS News", "The Telegraph"} <= set(labels["outlet"])
        assert store.outlet_framing("voices", "No Such Outlet").empty
        with pytest.raises(ValueError, match="no per-outlet read"):
            store.outlet_framing("claims; DROP TABLE claims", "The Telegraph")


def test_search_claims_matches_text_or_speaker_literally(analyzed_sample_store):
    with Store.open(analyzed_sample_store, read_only=True) as store:
        columns = ["claim_group", "claim_id", "event_id", "event_label", "article_id", "outlet", "published", "title",
                   "kind", "speaker", "text", "matched", "outlet_claims", "outlet_first_published", "matched_outlets",
                   "group_outlets", "group_first_published"]
        found = store.search_claims(["WHEREABOUTS"])
        assert list(found.columns) == columns
        assert found.loc[found["matched"], "text"].str.contains("whereabouts").all()
        by_speaker = store.search_claims(["Marianne Ny"])
        assert (by_speaker["speaker"] == "Marianne Ny").any()
        assert all("Marianne Ny" in f"{row.speaker} {row.text}" for row in by_speaker.itertuples())
        # Wildcards and quotes are searched for as themselves, and SQL in a term is only text.
        for term in ("%", "_", "\\", "' OR 1=1 --", "'; DROP TABLE claims; --"):
            assert store.search_claims([term]).empty, term
        assert store.connection.execute("SELECT count(*) FROM claims").fetchone()[0] > 0
        both = store.search_claims(["Stephens", "persecution"])
        assert len(both.loc[both["matched"]]) < len(store.search_claims(["Stephens"]).query("matched"))
        every = store.search_claims([], groups=2)
        assert every["claim_group"].nunique() == 2
        # One row per claim group and outlet, standing for all the outlet's claims in the group.
        assert not every.duplicated(["claim_group", "outlet"]).any()
        claims = store.claims()
        for group, rows in every.groupby("claim_group"):
            assert rows["outlet_claims"].sum() == (claims["claim_group"] == group).sum()
            assert (rows["group_outlets"] == len(rows)).all()
        assert set(store.search_claims([], outlets=["CBS News"]).query("matched")["outlet"]) == {"CBS News"}
        assert set(store.search_claims([], kinds=["statement"]).query("matched")["kind"]) == {"statement"}


def test_claim_group_claims_and_linked_claims(analyzed_sample_store):
    with Store.open(analyzed_sample_store, read_only=True) as store:
        claims = store.claims()
        shared = claims.groupby("claim_group")["outlet"].nunique().idxmax()
        members = claims[claims["claim_group"] == shared]
        group = store.claim_group_claims(shared)
        assert sorted(group["claim_id"]) == sorted(members["claim_id"])
        assert group["published"].is_monotonic_increasing and str(group["published"].dt.tz) == "UTC"
        assert not group["near"].any()
        chosen = members["claim_id"].iloc[0]
        named = store.claim_group_claims(chosen)
        assert named["claim_id"].tolist() == group["claim_id"].tolist()
        links = store.claim_links()
        same = links[(links["decision"] == "same") & links[["claim_a", "claim_b"]].isin([chosen]).any(axis=1)]
        expected_near = set(same["claim_a"]) | set(same["claim_b"]) | {chosen}
        assert set(named.loc[named["near"], "claim_id"]) == expected_near
        assert store.claim_group_claims("c-unknown").empty
        linked = store.linked_claims(group["claim_id"].tolist())
        assert set(linked["decision"]) <= {"related", "conflicting"}
        assert set(linked["claim_id"]) <= set(group["claim_id"])
        assert set(linked["linked_claim_id"]).isdisjoint(group["claim_id"])
        assert linked["score"].is_monotonic_decreasing
        assert store.linked_claims([]).empty


def test_a_reader_while_this_process_writes_gets_an_in_use_message(sample_store_path):
    from analysis.store import StoreError

    with Store.open(sample_store_path):
        with pytest.raises(StoreError, match="in use by an ingest or analysis in this process"):
            Store.open(sample_store_path, read_only=True)


def test_a_partitioned_run_writes_wire_copies_from_memory_with_its_parquet_tables(analyzed_wire_store, tmp_path):
    """What analysis/scale/run.py calls: wire copies come as a DataFrame, the other tables as files,
    all in one transaction that first clears every result table."""
    import shutil

    import pandas as pd

    from analysis.wire import WIRE_COLUMNS, wire_copies

    db = tmp_path / "wire.duckdb"
    shutil.copyfile(analyzed_wire_store, db)
    with Store.open(db) as store:
        expected = store.wire_copies()
        found = wire_copies(store.analysis_articles())
        assert list(found.columns) == WIRE_COLUMNS and found["article_id"].tolist() == expected["article_id"].tolist()
        empty_stories = pd.DataFrame(columns=["story_id", "events", "articles", "first_published", "last_published"])
        finish = {"stories": empty_stories, "event_stories": pd.DataFrame(columns=["event_id", "story_id"]),
                  "counts": {"articles": 4, "new_articles": 0, "events": 0, "stories": 0}}
        with pytest.raises(ValueError, match="not result tables: copies"):
            store.write_analysis_parquet(store.start_run("refit", {}, 1), tables={}, frames={"copies": found},
                                         **finish)
        store.write_analysis_parquet(store.start_run("refit", {}, 1), tables={}, frames={"wire_copies": found},
                                     **finish)
        assert store.wire_copies().equals(expected) and store.events().empty
        store.write_analysis_parquet(store.start_run("refit", {}, 1), tables={}, **finish)
        assert store.wire_copies().empty

"""``analyze``: results in the store, incremental updates equal to a full regrouping."""

import json
import shutil

import pandas as pd
import pytest

from analysis.ingest import ingest
from analysis.pipeline import analyze
from analysis.store import Store
from tests.conftest import SAMPLE


def _partition(store: Store) -> dict[str, str]:
    return dict(zip(*store.article_events()[["article_id", "event_id"]].to_dict("list").values()))


def _stories(store: Store) -> dict[str, str]:
    return dict(zip(store.events()["event_id"], store.events()["story_id"]))


def test_sample_analysis_is_stored(sample_store_path):
    with Store.open(sample_store_path) as store:
        report = analyze(store)
        assert report.mode == "refit" and report.events == 2 and report.stories == 1
        articles = store.articles()
        event_of = dict(zip(store.article_events()["article_id"], store.article_events()["event_id"]))
        outlet_event = {row.outlet: event_of[row.article_id] for row in articles.itertuples()}
        assert outlet_event["The Telegraph"] == outlet_event["CBS News"] != outlet_event["U.S. News & World Report"]
        events = store.events().set_index("event_id")
        pair = events.loc[outlet_event["CBS News"]]
        assert (pair["articles"], pair["outlets"]) == (2, 2)
        assert pair["label"] in set(articles["title"])
        similarity = store.outlet_similarity(outlet_event["CBS News"])
        assert set(similarity["outlet_a"]) == {"CBS News", "The Telegraph"}
        matrix = similarity.pivot(index="outlet_a", columns="outlet_b", values="similarity")
        assert (matrix.to_numpy() == matrix.to_numpy().T).all()
        assert ((similarity["similarity"] >= 0) & (similarity["similarity"] <= 1 + 1e-9)).all()
        assert len(store.stories()) == 1
        # Nothing new: nothing to do.
        assert analyze(store).mode == "none"


def _split_jsonl(source, tmp_path, parity):
    lines = source.read_text(encoding="utf-8").splitlines()
    part = tmp_path / f"part{parity}.jsonl"
    part.write_text("\n".join(line for n, line in enumerate(lines) if n % 2 == parity) + "\n", encoding="utf-8")
    return part


@pytest.mark.corpus
@pytest.mark.parametrize("corpus", ["newswcl50/newswcl50.jsonl", "ecbplus/ecbplus.jsonl"])
def test_incremental_equals_regrouping_with_the_same_model(corpora, tmp_path, monkeypatch, corpus):
    monkeypatch.setenv("COVERAGE_LENS_REFIT_GROWTH", "1000")  # keep the first model
    first, second = (_split_jsonl(corpora / corpus, tmp_path, parity) for parity in (0, 1))
    path = tmp_path / "store.duckdb"
    with Store.open(path) as store:
        ingest([str(SAMPLE), str(first)], store=store)
        assert analyze(store).mode == "refit"
        ingest([str(second)], store=store)
        report = analyze(store)
        assert report.mode == "incremental" and report.regrouped < report.articles
        incremental_events, incremental_stories = _partition(store), _stories(store)
        incremental_similarity = store.outlet_similarity()
    copy = tmp_path / "copy.duckdb"
    shutil.copy(path, copy)
    with Store.open(copy) as store:
        assert analyze(store, recluster=True).mode == "recluster"
        assert _partition(store) == incremental_events
        assert _stories(store) == incremental_stories
        pd.testing.assert_frame_equal(store.outlet_similarity(), incremental_similarity, check_exact=False, rtol=1e-6)


def test_changed_settings_regroup_everything(sample_store_path, monkeypatch):
    with Store.open(sample_store_path) as store:
        analyze(store)
        monkeypatch.setenv("COVERAGE_LENS_EVENT_THRESHOLD", "0.9")
        report = analyze(store)
        assert report.mode == "recluster" and report.events == 3


def test_read_api_after_analysis(sample_store_path):
    from analysis.pipeline import align_articles, stored_vectorizer
    from analysis.similarity import outlet_coverage

    with Store.open(sample_store_path) as store:
        with pytest.raises(LookupError, match="not been analysed"):
            stored_vectorizer(store)
        analyze(store)
        articles = store.articles()
        telegraph = articles.loc[articles["outlet"] == "The Telegraph", "article_id"].item()
        cbs = articles.loc[articles["outlet"] == "CBS News", "article_id"].item()
        alignment = align_articles(store, telegraph, cbs)
        assert set(alignment["status"]) <= {"shared", "reworded", "unique"}
        assert (alignment["status"] != "unique").any()
        with pytest.raises(LookupError, match="no article"):
            align_articles(store, telegraph, "0000000000000000")
        overall = store.outlet_similarity_overall()
        pair = overall[(overall["outlet_a"] == "CBS News") & (overall["outlet_b"] == "The Telegraph")]
        assert pair["shared_events"].item() == 1 and 0 < pair["similarity"].item() < 1
        coverage = outlet_coverage(store.article_events_with_outlets()).set_index("outlet")
        assert coverage.loc["U.S. News & World Report", "events_missed"] == 1
        assert coverage.loc["CBS News", "events_missed"] == 0


def test_analyze_stores_framing_and_reads_actor_mentions_in_claims(sample_store_path):
    """analyze stores the framing facets of the multi-outlet event, the corpus-wide outlet words,
    and matches claims with actors read as one ("Assange" / "the former computer hacker")."""
    with Store.open(sample_store_path) as store:
        analyze(store)
        labels = store.framing_table("actor_labels")
        voices = store.framing_table("voices")
        tone = store.framing_table("tone")
        terms = store.framing_table("framing_terms")
        outlet_terms = store.framing_table("outlet_terms")
        claims = store.claims()
        with pytest.raises(ValueError, match="no framing table"):
            store.framing_table("articles; DROP TABLE articles")
    assert labels["event_id"].nunique() == 1 and set(labels["outlet"]) == {"The Telegraph", "CBS News"}
    hacker = labels[labels["label"].str.lower() == "the former computer hacker"]
    assert hacker[["actor", "outlet"]].values.tolist() == [["Julian Assange", "CBS News"]]
    top = voices.sort_values("quoted_words", ascending=False).groupby("outlet")["speaker"].first()
    assert top["The Telegraph"] == "Mark Stephens" and "Clinton" in top["CBS News"]
    assert set(tone["voice"]) == {"own", "quoted"} and (tone["sentences"] > 0).all()
    assert set(terms["outlet"]) == {"The Telegraph", "CBS News"} and terms["z"].notna().all()
    assert set(outlet_terms["outlet"]) == {"The Telegraph", "CBS News", "U.S. News & World Report"}
    location = claims.loc[claims["text"].str.contains("precise location remains unknown"), "claim_group"].item()
    whereabouts = claims.loc[claims["text"].str.contains("exact whereabouts remain unknown"), "claim_group"].item()
    assert location == whereabouts


def test_a_store_analysed_before_a_schema_upgrade_is_analysed_again(sample_store_path):
    """A run recorded by an older schema (no claims or framing tables then) must not count as
    up to date: analyze recomputes and fills the new tables."""
    with Store.open(sample_store_path) as store:
        analyze(store)
        # What a store analysed under schema 3 and then migrated looks like: its run's settings
        # carry no schema version and the newer result tables are empty.
        settings = store.last_run()["settings"]
        settings.pop("schema_version")
        store.connection.execute("UPDATE runs SET settings = ?", [json.dumps(settings, sort_keys=True)])
        store.connection.execute("DELETE FROM claims")
        store.connection.execute("DELETE FROM tone")
        report = analyze(store)
        assert report.mode == "recluster"
        assert len(store.claims()) > 0 and len(store.framing_table("tone")) > 0
        assert analyze(store).mode == "none"


def test_analyze_reports_progress_in_order_and_finishes_at_one(sample_store_path):
    calls = []
    with Store.open(sample_store_path) as store:
        report = analyze(store, progress=lambda done, step: calls.append((done, step)))
        assert report.mode == "refit"
        shares = [done for done, _ in calls]
        assert shares == sorted(shares) and shares[0] == 0.0 and shares[-1] == 1.0
        assert all(isinstance(step, str) and step for _, step in calls)
        assert len(calls) >= 5
        again = []
        assert analyze(store, progress=lambda done, step: again.append((done, step))).mode == "none"
    assert again == [(1.0, "up to date")]


def test_analyze_stores_the_wire_copies_of_the_corpus(analyzed_wire_store, tmp_path, monkeypatch):
    from tests.invented import WIRE_COPY, WIRE_STORY, write_jsonl

    db = tmp_path / "wire.duckdb"
    shutil.copyfile(analyzed_wire_store, db)
    with Store.open(db) as store:
        articles = store.articles().set_index("outlet")["article_id"]
        copies = store.wire_copies()
        assert copies[["article_id", "outlet", "wire_copy_of", "copied_outlet"]].values.tolist() == [
            [articles["Daily Post"], "Daily Post", articles["Norvale Wire"], "Norvale Wire"]]
        assert copies.loc[0, "similarity"] >= 0.8 and copies.loc[0, "copied_title"] == WIRE_STORY["title"]
        event = store.article_events().set_index("article_id").loc[articles["Daily Post"], "event_id"]
        assert store.wire_copies(event)["article_id"].tolist() == [articles["Daily Post"]]
        assert store.wire_copies("e-no-such-event").empty

        # An incremental run finds a new copy, and an earlier original that arrives late.
        later = {**WIRE_COPY, "outlet": "Evening Star", "published": "2022-04-06T18:00:00Z",
                 "text": WIRE_COPY["text"] + "\n\nOur reporter at the quay said the first ferries were running on time."}
        earliest = {**WIRE_STORY, "outlet": "Agence Norvale", "published": "2022-04-05T06:00:00Z",
                    "title": "Brackwater terminal to close"}
        ingest([str(write_jsonl(tmp_path / "more.jsonl", [later, earliest]))], store=store)
        monkeypatch.setenv("COVERAGE_LENS_REFIT_GROWTH", "10")  # two new articles on four: no refit
        report = analyze(store)
        assert report.mode == "incremental"
        copies = store.wire_copies().set_index("outlet")
        assert set(copies.index) == {"Daily Post", "Evening Star", "Norvale Wire"}
        assert set(copies["copied_outlet"]) == {"Agence Norvale"}

        # The stored copies follow the wire settings: a change recomputes them.
        monkeypatch.setenv("COVERAGE_LENS_WIRE_THRESHOLD", "0.97")
        assert analyze(store).mode == "recluster"
        assert set(store.wire_copies()["outlet"]) == {"Daily Post", "Norvale Wire"}  # word for word (sign-off aside)

"""Actor labels: the seed articles' labels of Assange, main actors, offsets, invented patterns."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from analysis import actors
from analysis.actors import (
    ACTOR_COLUMNS,
    LABEL_COLUMNS,
    LABEL_KINDS,
    actor_labels,
    labels_by_outlet,
    load_nlp,
    main_actors,
)
from analysis.events import read_corpus_for_grouping
from tests.conftest import SAMPLE

TELEGRAPH, CBS, US_NEWS = "The Telegraph", "CBS News", "U.S. News & World Report"


@pytest.fixture(scope="module")
def seeds() -> pd.DataFrame:
    """The three seed articles as one event (the same story), cleaned as ingest cleans them."""
    articles, problems = read_corpus_for_grouping(SAMPLE)
    assert not problems
    return articles.rename(columns={"id": "article_id"})


@pytest.fixture(scope="module")
def seed_labels(seeds) -> pd.DataFrame:
    return actor_labels(seeds)


def invented(*texts: str) -> pd.DataFrame:
    """One small article per text, each from its own outlet."""
    return pd.DataFrame({
        "article_id": [f"a{i}" for i in range(len(texts))],
        "outlet": [f"Outlet {chr(65 + i)}" for i in range(len(texts))],
        "title": [""] * len(texts),
        "text": list(texts),
    })


@pytest.mark.parametrize(
    ("label", "kind", "outlets"),
    [
        ("the 39-year-old australian", "descriptor", {TELEGRAPH, CBS}),
        ("wikileaks founder", "title", {CBS, US_NEWS}),  # CBS in its text, U.S. News in its headline
        ("the former computer hacker", "descriptor", {CBS}),
        ("the australian computer programmer", "descriptor", {US_NEWS}),
        ("famed wikileaks chief", "apposition", {US_NEWS}),
    ],
)
def test_seed_labels_of_assange(seed_labels, label, kind, outlets):
    rows = seed_labels[seed_labels["label"].str.lower() == label]
    assert set(rows["actor"]) == {"Julian Assange"}
    assert set(rows["outlet"]) == outlets
    assert set(rows["label_kind"]) == {kind}


def test_seed_headline_label_is_flagged(seed_labels):
    row = seed_labels[(seed_labels["outlet"] == US_NEWS) & (seed_labels["label"] == "WikiLeaks Founder")].iloc[0]
    assert row["in_title"] and row["start"] == 0


def test_seed_main_actors(seeds):
    found = main_actors(seeds)
    assert list(found.columns) == ACTOR_COLUMNS
    by_name = found.set_index("actor")
    assert by_name.loc["Julian Assange", "actor_type"] == "PERSON"
    assert set(by_name.loc["Julian Assange", "outlets"]) == {TELEGRAPH, CBS, US_NEWS}
    assert {"Assange", "Julian Assange"} <= set(by_name.loc["Julian Assange", "variants"])
    assert by_name.loc["Mark Stephens", "actor_type"] == "PERSON"
    assert "Sweden" in by_name.index
    assert (found["outlets"].map(len) >= 2).all()
    assert found["mentions"].is_monotonic_decreasing


def test_min_outlets_is_respected(seeds):
    two_outlets = seeds[seeds["outlet"].isin([TELEGRAPH, CBS])]
    assert main_actors(two_outlets, min_outlets=3).empty
    assert not main_actors(two_outlets, min_outlets=2).empty


def test_seed_stephens_labels(seed_labels):
    stephens = seed_labels[seed_labels["actor"] == "Mark Stephens"]
    assert ("his British lawyer", TELEGRAPH, "apposition") in set(
        zip(stephens["label"], stephens["outlet"], stephens["label_kind"]))
    assert ("Assange's lawyer", CBS, "apposition") in set(zip(stephens["label"], stephens["outlet"], stephens["label_kind"]))
    # "The lawyer for WikiLeaks founder Julian Assange" is not Assange: he is named in its complement
    assert "The lawyer" not in set(seed_labels.loc[seed_labels["actor"] == "Julian Assange", "label"])


def test_label_columns_and_kinds(seed_labels):
    assert list(seed_labels.columns) == LABEL_COLUMNS
    assert set(seed_labels["label_kind"]) <= set(LABEL_KINDS)
    assert seed_labels["in_title"].dtype == bool


def test_offsets_point_at_the_label(seeds, seed_labels):
    articles = seeds.set_index("article_id")
    for row in seed_labels.itertuples(index=False):
        source = articles.loc[row.article_id, "title" if row.in_title else "text"]
        assert source[row.start:row.end] == row.label
        assert row.label in row.sentence


def test_only_main_actors_get_labels(seeds, seed_labels):
    main = set(main_actors(seeds)["actor"])
    assert set(seed_labels["actor"]) <= main
    # named by one outlet only: Assange's mother, the Swedish prosecutor, Clinton
    for name in ("Christine", "Marianne Ny", "Hillary Rodham Clinton", "Clinton"):
        assert name not in main
        assert name not in set(seed_labels["actor"])
    assert not seed_labels["label"].str.contains("mother").any()


def test_event_id_is_kept_and_events_are_apart(seeds):
    events = seeds.assign(event_id=["e1", "e1", "e2"])
    labels = actor_labels(events)
    assert list(labels.columns) == ["event_id", *LABEL_COLUMNS]
    # e2 has one outlet: nobody to compare with, so no main actors and no labels
    assert set(labels["event_id"]) == {"e1"}
    assert "event_id" in main_actors(events).columns


def test_invented_apposition_and_title():
    articles = invented(
        "Mark Stephens, his British lawyer, said the notice was a persecution. "
        "Secretary of State Hillary Clinton condemned the leaks.",
        "Mark Stephens spoke to reporters on Wednesday. Hillary Clinton spoke at a summit in Kazakhstan.",
    )
    labels = actor_labels(articles)
    found = set(zip(labels["actor"], labels["label"], labels["label_kind"], labels["outlet"]))
    assert ("Mark Stephens", "his British lawyer", "apposition", "Outlet A") in found
    assert ("Hillary Clinton", "Secretary of State", "title", "Outlet A") in found
    assert labels["outlet"].eq("Outlet A").all()


def test_invented_predicate_and_reverse_apposition():
    articles = invented(
        "Julian Assange is an Australian activist. Assange's lawyer, Mark Stephens, spoke on Wednesday.",
        "Julian Assange left London. Mark Stephens declined to comment.",
    )
    labels = actor_labels(articles)
    found = set(zip(labels["actor"], labels["label"], labels["label_kind"]))
    assert ("Julian Assange", "an Australian activist", "predicate") in found
    assert ("Mark Stephens", "Assange's lawyer", "apposition") in found


def test_descriptor_needs_a_person_actor_named_before():
    articles = invented(
        "The former computer hacker spoke first. Julian Assange then left.",
        "Julian Assange left London on Tuesday.",
    )
    labels = actor_labels(articles)
    # the descriptor comes before any mention of Assange in its article: nothing to refer back to
    assert labels[labels["label_kind"] == "descriptor"].empty


def test_labels_by_outlet(seed_labels):
    table = labels_by_outlet(seed_labels)
    assert list(table.columns) == ["actor", "outlet", "label", "label_kind", "count"]
    cbs_stephens = table[(table["actor"] == "Mark Stephens") & (table["outlet"] == CBS)].set_index("label")
    assert cbs_stephens.loc["Assange's lawyer", "count"] == 2
    assert table["count"].sum() == len(seed_labels)
    # "The 39-year-old Australian" and "the 39-year-old Australian" are one label per outlet
    assert not table.duplicated(["actor", "outlet", "label"]).any()


def test_empty_input_gives_empty_frames():
    empty = invented()
    assert list(actor_labels(empty).columns) == LABEL_COLUMNS
    assert list(main_actors(empty).columns) == ACTOR_COLUMNS
    assert labels_by_outlet(actor_labels(empty)).empty


def test_missing_columns_are_reported():
    with pytest.raises(ValueError, match="outlet"):
        actor_labels(pd.DataFrame({"article_id": ["a"], "text": ["x"]}))


def test_missing_model_has_a_clear_message(monkeypatch):
    monkeypatch.setattr(actors, "_NLP", None)
    monkeypatch.setattr(actors, "MODEL_NAME", "no_such_spacy_model")
    with pytest.raises(RuntimeError, match="no_such_spacy_model"):
        load_nlp()


def test_actor_mentions_names_and_descriptors(seeds, seed_labels):
    """Names (with or without "Mr") and descriptors that stand for the actor; no overlaps."""
    event = seeds[seeds["outlet"] != "U.S. News & World Report"]
    mentions = actors.actor_mentions(event, actors=main_actors(event), labels=seed_labels)
    texts = event.set_index("article_id")["text"]
    written = [(texts[row.article_id][row.start:row.end], row.actor) for row in mentions.itertuples()]
    assert ("the former computer hacker", "Julian Assange") in written or (
        "The former computer hacker", "Julian Assange") in written
    assert ("Mr Assange", "Julian Assange") in written and ("Stephens", "Mark Stephens") in written
    # titles and appositions stand beside a name, not for it
    assert not any(text.lower() == "his british lawyer" for text, _ in written)
    for _, rows in mentions.groupby("article_id"):
        assert (rows["start"].to_numpy()[1:] >= rows["end"].cummax().to_numpy()[:-1]).all()


@pytest.mark.corpus
def test_labels_do_not_depend_on_the_hash_seed(corpora, tmp_path):
    """Python salts string hashes per process: set order must never decide a label (NewsWCL50)."""
    import subprocess
    import sys

    script = (
        "import json, sys\n"
        "import pandas as pd\n"
        "from analysis.actors import actor_labels\n"
        "rows = [json.loads(line) for line in open(sys.argv[1], encoding='utf-8')]\n"
        "articles = pd.DataFrame([{'article_id': r['id'], 'outlet': r['outlet'], 'title': r['title'] or '',\n"
        "                          'text': r['text'], 'event_id': r['event_id']} for r in rows])\n"
        "labels = actor_labels(articles, n_jobs=1)\n"
        "print(labels[['actor', 'article_id', 'start', 'label']].to_csv(index=False))\n"
    )
    outputs = []
    for seed in ("1", "3"):
        result = subprocess.run([sys.executable, "-c", script, str(corpora / "newswcl50" / "newswcl50.jsonl")],
                                capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr[-2000:]
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1] and outputs[0].count("\n") > 100


def test_forked_workers_give_the_serial_result(seeds, monkeypatch):
    """Batches of events in forked workers (used for large inputs) change nothing."""
    events = pd.concat([seeds.assign(event_id="story"),
                        seeds.assign(event_id="copy", article_id=seeds["article_id"] + "-copy")], ignore_index=True)
    serial_actors = main_actors(events, n_jobs=1)
    serial_labels = actor_labels(events, n_jobs=1)
    monkeypatch.setattr(actors, "_PARALLEL_FROM", 1)
    pd.testing.assert_frame_equal(main_actors(events, n_jobs=2), serial_actors)
    pd.testing.assert_frame_equal(actor_labels(events, n_jobs=2), serial_labels)
    assert len(serial_labels) > 0 and set(serial_actors["event_id"]) == {"story", "copy"}

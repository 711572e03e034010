"""Event grouping and stories: the seed corpus, properties, and a real-corpus quality floor."""

import json

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from analysis.evaluation import clustering_scores
from analysis.events import candidate_links, event_profiles, group_articles, group_events, link_stories
from analysis.ingest import ingest
from analysis.store import Store
from analysis.vectorize import ArticleVectorizer, names_and_numbers
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def seeds() -> pd.DataFrame:
    with Store.open(":memory:") as store:
        ingest([str(SAMPLE)], store=store)
        articles = store.articles(with_text=True)
    return articles.rename(columns={"article_id": "id"}).reset_index(drop=True)


def test_seed_corpus_events_and_story(seeds):
    grouped = group_articles(seeds).set_index("id")
    outlet_event = dict(zip(seeds["outlet"], grouped.loc[seeds["id"], "event_id"]))
    assert outlet_event["The Telegraph"] == outlet_event["CBS News"]
    assert outlet_event["U.S. News & World Report"] != outlet_event["The Telegraph"]
    assert grouped["story_id"].nunique() == 1
    # The explanation names the partner article and its score.
    telegraph = seeds.loc[seeds["outlet"] == "The Telegraph", "id"].item()
    cbs = seeds.loc[seeds["outlet"] == "CBS News", "id"].item()
    assert grouped.loc[telegraph, "best_neighbor"] == cbs
    assert grouped.loc[telegraph, "best_score"] >= 0.16


def test_time_window_separates_the_same_text_weeks_apart(seeds):
    same = pd.concat([seeds.iloc[[1]], seeds.iloc[[1]]], ignore_index=True)
    same["id"] = ["a", "b"]
    same["published"] = pd.to_datetime(["2020-01-01", "2020-03-01"], utc=True)
    assert group_articles(same)["event_id"].nunique() == 2
    same["published"] = pd.to_datetime(["2020-01-01", "2020-01-03"], utc=True)
    assert group_articles(same)["event_id"].nunique() == 1


def _random_corpus(seed: int, n: int = 60) -> tuple[sp.csr_matrix, pd.Series]:
    rng = np.random.default_rng(seed)
    topics = rng.integers(0, 8, size=n)
    words = [f"topic{t} " * 5 + " ".join(f"w{rng.integers(0, 200)}" for _ in range(30)) for t in topics]
    frame = pd.DataFrame({"title": [f"Story {t}" for t in topics], "text": words})
    vectors = ArticleVectorizer().fit_transform(frame)
    published = pd.Series(pd.to_datetime("2021-01-01", utc=True) + pd.to_timedelta(rng.integers(0, 30, n), unit="D"))
    published[rng.random(n) < 0.2] = pd.NaT
    return vectors, published


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_grouping_properties(seed):
    vectors, published = _random_corpus(seed)
    links = candidate_links(vectors, published, window_days=7)
    assert ((links["score"] >= 0) & (links["score"] <= 1 + 1e-6)).all()
    assert (links["left"] < links["right"]).all()
    gaps = (published[links["right"]].to_numpy() - published[links["left"]].to_numpy()) / pd.Timedelta(days=1)
    assert not (np.abs(gaps[~np.isnan(gaps)]) > 7).any()
    first = group_events(vectors, published, links=links)
    second = group_events(vectors, published)
    assert len(first.labels) == vectors.shape[0]  # every article in exactly one event
    assert np.array_equal(first.labels, second.labels)  # deterministic
    # Events are numbered by their first article.
    _, first_seen = np.unique(first.labels, return_index=True)
    assert np.all(np.diff(first_seen) > 0)
    for row, neighbor, score in first.best_link.itertuples():
        if neighbor >= 0:
            assert first.labels[neighbor] == first.labels[row] and 0 < score <= 1 + 1e-6


def test_large_component_is_split_but_every_article_keeps_one_event():
    vectors, published = _random_corpus(3, n=80)
    bounded = group_events(vectors, None, max_component=5)
    assert len(bounded.labels) == 80
    assert np.bincount(bounded.labels).min() >= 1


def test_vectorizer_contract():
    frame = pd.DataFrame({"title": ["Quake hits Chile", "Chile quake toll rises"], "text": ["A quake hit Chile.", "The toll rose to 300."]})
    vectorizer = ArticleVectorizer(title_weight=0.5)
    assert vectorizer.fit(frame) is vectorizer
    assert vectorizer.get_params()["title_weight"] == 0.5
    vectors = vectorizer.transform(frame)
    assert np.allclose(sp.linalg.norm(vectors, axis=1), 1.0)
    assert any(name.startswith("name:") for name in vectorizer.get_feature_names_out())
    import pickle

    again = pickle.loads(pickle.dumps(vectorizer)).transform(frame)
    assert (abs(again - vectors) > 1e-6).nnz == 0


def _many_articles(seeds: pd.DataFrame, n: int) -> pd.DataFrame:
    """``n`` articles cut from the seed texts at different offsets (numbered so none is a copy)."""
    words = " ".join(seeds["text"]).split()
    rows = []
    for i in range(n):
        start = (i * 37) % (len(words) - 120)
        rows.append({"title": f"Report {i} " + " ".join(words[start : start + 6]),
                     "text": " ".join(words[start : start + 120]) + f" Case {i}."})
    return pd.DataFrame(rows)


def test_parallel_counting_equals_in_process(seeds):
    articles = _many_articles(seeds, 2100)  # at or above the size that starts workers
    serial = ArticleVectorizer(n_jobs=1)
    parallel = ArticleVectorizer(n_jobs=2)
    vectors_serial, vectors_parallel = serial.fit_transform(articles), parallel.fit_transform(articles)
    assert vectors_serial.shape == vectors_parallel.shape
    assert abs(vectors_serial - vectors_parallel).max() < 1e-6
    np.testing.assert_array_equal(serial.name_terms(), parallel.name_terms())


def test_vectorizer_state_round_trip_and_lead(seeds):
    vectorizer = ArticleVectorizer(lead_words=50).fit(seeds)
    again = ArticleVectorizer.from_state(json.loads(json.dumps(vectorizer.to_state())))
    assert abs(again.transform(seeds) - vectorizer.transform(seeds)).max() < 1e-6
    assert len(vectorizer.lead(seeds["text"][0]).split()) == 50
    # Words after the lead change nothing; words inside it do.
    longer = seeds.assign(text=seeds["text"] + " Completely unrelated volcano eruption.")
    assert abs(vectorizer.transform(longer) - vectorizer.transform(seeds)).max() < 1e-6
    # The name block is the vectors' own: unit rows, columns named by name_terms.
    names = vectorizer.name_block(vectorizer.transform(seeds))
    assert names.shape[1] == len(vectorizer.name_terms())
    assert np.allclose(sp.linalg.norm(names, axis=1), 1.0)
    assert "assange" in set(vectorizer.name_terms()) or "julian_assange" in set(vectorizer.name_terms())


def test_names_and_numbers():
    tokens = names_and_numbers("The lawyer Mark Stephens said 250,000 cables leaked. On Tuesday Interpol acted.")
    assert "mark_stephens" in tokens and "250000" in tokens and "interpol" in tokens
    assert "the" not in tokens and "tuesday" not in tokens


def test_stories_link_alike_profiles():
    profiles = sp.csr_matrix(np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]]))
    from sklearn.preprocessing import normalize

    stories = link_stories(normalize(profiles), threshold=0.5)
    assert stories[0] == stories[1] != stories[2]
    labels = np.array([0, 0, 1])
    centroids = event_profiles(normalize(sp.csr_matrix(np.eye(3))), labels)
    assert centroids.shape == (2, 3)


@pytest.mark.corpus
def test_newswcl50_bcubed_floor(corpora):
    from analysis.events import read_corpus_for_grouping

    path = corpora / "newswcl50" / "newswcl50.jsonl"
    articles, problems = read_corpus_for_grouping(path)
    assert not problems
    gold = {json.loads(line)["id"]: json.loads(line)["event_id"] for line in path.open(encoding="utf-8")}
    grouped = group_articles(articles)
    scores = clustering_scores(grouped["event_id"], [gold[i] for i in grouped["id"]])
    assert scores["bcubed_f1"] >= 0.9, scores


@pytest.mark.parametrize(
    ("predicted", "gold", "expected_f1"),
    [(["a", "a", "b"], ["x", "x", "y"], 1.0), (["a", "b", "c"], ["x", "x", "x"], 0.5), (["a", "a", "a"], ["x", "y", "z"], 0.5)],
)
def test_bcubed(predicted, gold, expected_f1):
    assert clustering_scores(predicted, gold)["bcubed_f1"] == pytest.approx(expected_f1)

"""Outlet similarity, coverage, event labels and sentence alignment: property checks on
small invented news texts, hand-built vectors, and the seed articles."""

import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from analysis.charts import STATUS_COLORS, alignment_chart, similarity_heatmap
from analysis.ingest import ingest
from analysis.similarity import (
    event_labels,
    outlet_coverage,
    outlet_similarity_by_event,
    outlet_similarity_for_event,
    outlet_similarity_overall,
    sentence_alignment,
)
from analysis.store import Store
from analysis.vectorize import ArticleVectorizer
from tests.conftest import SAMPLE

BRIDGE_TITLE = "Old Mill Bridge Shut For Urgent Repairs"
BRIDGE_TEXT = (
    "Engineers closed the old mill bridge on Thursday after inspectors found cracks in two steel beams. "
    "Drivers face a detour of six miles through the valley while repairs continue."
)

# Columns: article_id, outlet, event_id, title, text, published.
ARTICLES = pd.DataFrame(
    [
        ("b1", "Harbour Gazette", "bridge", BRIDGE_TITLE, BRIDGE_TEXT, "2021-04-01"),
        # Word for word the same article from a second outlet.
        ("b2", "Riverside Courier", "bridge", BRIDGE_TITLE, BRIDGE_TEXT, "2021-04-01"),
        ("b3", "Valley Post", "bridge", "Cracked Beams Close Mill Bridge",
         "Inspectors found cracked steel beams under the mill bridge, and the council closed it to traffic. "
         "Commuters complained about the long detour.", "2021-04-02"),
        ("l1", "Harbour Gazette", "lunch", "Free School Lunches Extended To All Pupils",
         "Every primary school pupil in the county will receive a free hot lunch from September, "
         "the education board announced.", "2021-05-10"),
        ("l2", "Valley Post", "lunch", "County Board Backs Free Lunches",
         "The education board voted to give every pupil a free school lunch, citing rising food prices "
         "for families.", "2021-05-11"),
        ("l3", "Valley Post", "lunch", "Parents Welcome Lunch Plan",
         "Parents at the village school welcomed the free lunch plan but asked about menus for pupils "
         "with allergies.", "2021-05-12"),
        ("f1", "Riverside Courier", "festival", "Lantern Festival Draws Record Crowds",
         "Thousands of visitors carried paper lanterns along the riverbank on Saturday night as the "
         "festival marked its tenth year.", "2021-06-05"),
    ],
    columns=["article_id", "outlet", "event_id", "title", "text", "published"],
).assign(published=lambda frame: pd.to_datetime(frame["published"], utc=True))


@pytest.fixture(scope="module")
def fitted():
    vectorizer = ArticleVectorizer().fit(ARTICLES)
    return vectorizer, vectorizer.transform(ARTICLES)


def _matrix(table: pd.DataFrame) -> pd.DataFrame:
    return table.pivot(index="outlet_b", columns="outlet_a", values="similarity")


def _event(event_id, vectors):
    mask = (ARTICLES["event_id"] == event_id).to_numpy()
    return ARTICLES[mask], vectors[mask]


# --- outlet_similarity_for_event


@pytest.mark.parametrize("event_id", ["bridge", "lunch", "festival"])
def test_event_similarity_is_a_symmetric_matrix_of_cosines(fitted, event_id):
    _, vectors = fitted
    articles, event_vectors = _event(event_id, vectors)
    table = outlet_similarity_for_event(articles, event_vectors)
    assert list(table.columns) == ["outlet_a", "outlet_b", "similarity", "articles_a", "articles_b"]
    outlets = articles["outlet"].nunique()
    assert len(table) == outlets**2
    assert table["similarity"].between(0.0, 1.0).all()
    matrix = _matrix(table)
    np.testing.assert_allclose(matrix.to_numpy(), matrix.to_numpy().T)
    np.testing.assert_allclose(np.diag(matrix.to_numpy()), 1.0)
    counts = articles.groupby("outlet").size()
    assert (table["articles_a"].to_numpy() == counts[table["outlet_a"]].to_numpy()).all()
    assert (table["articles_b"].to_numpy() == counts[table["outlet_b"]].to_numpy()).all()


def test_identical_articles_from_two_outlets_are_alike_and_a_rewrite_less_so(fitted):
    _, vectors = fitted
    table = outlet_similarity_for_event(*_event("bridge", vectors)).set_index(["outlet_a", "outlet_b"])
    copy = table.loc[("Harbour Gazette", "Riverside Courier"), "similarity"]
    rewrite = table.loc[("Harbour Gazette", "Valley Post"), "similarity"]
    assert copy == pytest.approx(1.0, abs=1e-6)
    assert 0.05 < rewrite < 0.9


def test_coverage_is_the_centroid_of_an_outlets_articles():
    articles = pd.DataFrame({"article_id": ["a1", "a2", "b1"], "outlet": ["A", "A", "B"], "event_id": [7, 7, 7]})
    # A's two articles point along x and y; their centroid is the diagonal, which B matches exactly.
    vectors = sp.csr_matrix([[1.0, 0.0], [0.0, 1.0], [np.sqrt(0.5), np.sqrt(0.5)]])
    table = outlet_similarity_for_event(articles, vectors).set_index(["outlet_a", "outlet_b"])
    assert table.loc[("A", "B"), "similarity"] == pytest.approx(1.0)
    assert table.loc[("A", "B"), "articles_a"] == 2 and table.loc[("A", "B"), "articles_b"] == 1
    # Against x alone, the normalised centroid of A scores cos 45°, not the 1.0 of a raw sum.
    only_x = outlet_similarity_for_event(articles, sp.csr_matrix([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]))
    assert only_x.set_index(["outlet_a", "outlet_b"]).loc[("A", "B"), "similarity"] == pytest.approx(np.sqrt(0.5))


def test_an_outlet_is_identical_to_itself_even_without_known_words():
    articles = pd.DataFrame({"article_id": ["a", "b"], "outlet": ["A", "B"], "event_id": [1, 1]})
    table = outlet_similarity_for_event(articles, sp.csr_matrix([[0.0, 0.0], [1.0, 0.0]]))
    assert table.set_index(["outlet_a", "outlet_b"])["similarity"].to_dict() == {
        ("A", "A"): 1.0, ("A", "B"): 0.0, ("B", "A"): 0.0, ("B", "B"): 1.0
    }


def test_event_similarity_refuses_several_events_or_misaligned_vectors(fitted):
    _, vectors = fitted
    with pytest.raises(ValueError, match="several events"):
        outlet_similarity_for_event(ARTICLES, vectors)
    articles, event_vectors = _event("bridge", vectors)
    with pytest.raises(ValueError, match="rows"):
        outlet_similarity_for_event(articles, event_vectors[:2])


# --- outlet_similarity_by_event


def test_by_event_gives_each_events_own_table(fitted):
    """All events at once: row for row what the one-event function gives each, shuffled input
    rows and all; events of fewer outlets than asked are left out."""
    _, vectors = fitted
    order = np.random.default_rng(3).permutation(len(ARTICLES))
    shuffled, shuffled_vectors = ARTICLES.iloc[order].reset_index(drop=True), vectors[order]
    table = outlet_similarity_by_event(shuffled, shuffled_vectors)
    assert list(table.columns) == ["event_id", "outlet_a", "outlet_b", "similarity", "articles_a", "articles_b"]
    assert sorted(table["event_id"].unique()) == ["bridge", "festival", "lunch"]
    for event_id, rows in table.groupby("event_id"):
        expected = outlet_similarity_for_event(*_event(event_id, vectors))
        pd.testing.assert_frame_equal(rows.drop(columns="event_id").reset_index(drop=True), expected)
    multi = outlet_similarity_by_event(shuffled, shuffled_vectors, min_outlets=2)
    assert sorted(multi["event_id"].unique()) == ["bridge", "lunch"]  # the festival had one outlet
    pd.testing.assert_frame_equal(multi, table[table["event_id"] != "festival"].reset_index(drop=True))
    none = outlet_similarity_by_event(shuffled, shuffled_vectors, min_outlets=4)
    assert none.empty and list(none.columns) == list(table.columns)
    with pytest.raises(ValueError, match="vectors has"):
        outlet_similarity_by_event(ARTICLES, vectors[:3])


# --- outlet_similarity_overall


def test_overall_similarity_is_the_mean_over_shared_events(fitted):
    _, vectors = fitted
    table = outlet_similarity_overall(ARTICLES, vectors)
    assert list(table.columns) == ["outlet_a", "outlet_b", "similarity", "shared_events"]
    assert len(table) == 3 * 3
    indexed = table.set_index(["outlet_a", "outlet_b"])

    per_event = [outlet_similarity_for_event(*_event(event_id, vectors)) for event_id in ("bridge", "lunch")]
    by_pair = pd.concat(per_event).groupby(["outlet_a", "outlet_b"])["similarity"].mean()
    # Harbour Gazette and Valley Post share two events: bridge and lunch.
    pair = ("Harbour Gazette", "Valley Post")
    assert indexed.loc[pair, "shared_events"] == 2
    assert indexed.loc[pair, "similarity"] == pytest.approx(by_pair[pair])
    # Riverside Courier and Valley Post share only the bridge.
    assert indexed.loc[("Riverside Courier", "Valley Post"), "shared_events"] == 1


def test_overall_similarity_properties(fitted):
    _, vectors = fitted
    table = outlet_similarity_overall(ARTICLES, vectors)
    assert table["similarity"].dropna().between(0.0, 1.0).all()
    matrix = _matrix(table)
    np.testing.assert_allclose(matrix.to_numpy(), matrix.to_numpy().T)
    np.testing.assert_allclose(np.diag(matrix.to_numpy()), 1.0)
    shared = table.pivot(index="outlet_b", columns="outlet_a", values="shared_events")
    assert (shared.to_numpy() == shared.to_numpy().T).all()
    diagonal = table[table["outlet_a"] == table["outlet_b"]].set_index("outlet_a")["shared_events"]
    assert diagonal.to_dict() == {"Harbour Gazette": 2, "Riverside Courier": 2, "Valley Post": 2}


def test_outlets_that_never_met_have_no_score():
    articles = pd.DataFrame({"article_id": ["a", "b"], "outlet": ["A", "B"], "event_id": [1, 2]})
    table = outlet_similarity_overall(articles, sp.csr_matrix([[1.0, 0.0], [1.0, 0.0]]))
    pair = table[(table["outlet_a"] == "A") & (table["outlet_b"] == "B")].iloc[0]
    assert pair["shared_events"] == 0 and np.isnan(pair["similarity"])


def test_overall_similarity_does_not_depend_on_row_order(fitted):
    _, vectors = fitted
    order = np.random.default_rng(0).permutation(len(ARTICLES))
    shuffled = outlet_similarity_overall(ARTICLES.iloc[order], vectors[order])
    pd.testing.assert_frame_equal(shuffled, outlet_similarity_overall(ARTICLES, vectors))


# --- outlet_coverage


def test_outlet_coverage_counts_covered_and_missed_multi_outlet_events():
    articles = pd.DataFrame(
        [
            ("1", "Alpha", "e1"), ("2", "Alpha", "e1"), ("3", "Beta", "e1"),  # e1: Alpha and Beta
            ("4", "Beta", "e2"), ("5", "Gamma", "e2"),  # e2: Beta and Gamma
            ("6", "Gamma", "e3"),  # e3: Gamma alone, so nobody "missed" it
            ("7", "Delta", "e4"),
        ],
        columns=["article_id", "outlet", "event_id"],
    )
    expected = pd.DataFrame(
        {
            "outlet": ["Beta", "Gamma", "Alpha", "Delta"],
            "events_covered": [2, 2, 1, 1],
            "events_missed": [0, 1, 1, 2],
            "articles": [2, 2, 2, 1],
        }
    )
    pd.testing.assert_frame_equal(outlet_coverage(articles), expected, check_dtype=False)


# --- event_labels


def _hand_built(vectorizer: ArticleVectorizer, rows: list[dict[str, float]], name_weight: list[float]):
    """Vectors in ``vectorizer``'s column space with the given word weights and one name column."""
    dense = np.zeros((len(rows), vectorizer.n_features_out_))
    for i, weights in enumerate(rows):
        for term, weight in weights.items():
            dense[i, vectorizer.word_columns([term])[0][term]] = weight
        dense[i, vectorizer.n_word_features_] = name_weight[i]
    return sp.csr_matrix(dense)


def test_event_label_is_the_headline_closest_to_the_centroid(fitted):
    vectorizer, _ = fitted
    articles = pd.DataFrame(
        {
            "article_id": ["x", "y", "z", "w"],
            "outlet": ["A", "B", "C", "A"],
            "event_id": [1, 1, 1, 2],
            "title": ["Bridge only", "Closed only", "Bridge closed", "Lunch"],
        }
    )
    # Words bridge, closed, lunch | one name column, heavy, which top terms must ignore.
    vectors = _hand_built(
        vectorizer,
        [{"bridge": 1.0}, {"closed": 0.6}, {"bridge": 0.7, "closed": 0.5}, {"lunch": 0.6}],
        [0.0, 0.8, 0.5, 0.8],
    )
    labels = event_labels(articles, vectors, vectorizer=vectorizer, top_terms=5).set_index("event_id")
    centroid = np.asarray(vectors[:3].mean(axis=0)).ravel()
    closeness = vectors[:3].toarray() @ centroid
    assert articles["title"][int(np.argmax(closeness))] == "Bridge closed"
    assert labels.loc[1, "label"] == "Bridge closed"
    assert labels.loc[1, "top_terms"] == ["bridge", "closed"]  # bridge weighs more; lunch has 0
    assert labels.loc[2, "top_terms"] == ["lunch"]
    assert "first_published" not in labels.columns
    skipped = event_labels(articles, vectors, vectorizer=vectorizer, top_terms=0)
    assert skipped["top_terms"].map(len).eq(0).all() and skipped["label"].tolist() == labels["label"].tolist()


def test_event_label_ties_go_to_the_smallest_article_id(fitted):
    vectorizer, vectors = fitted
    articles = pd.DataFrame(
        {"article_id": ["k2", "k1"], "outlet": ["A", "B"], "event_id": [0, 0], "title": ["Second", "First"]}
    )
    labels = event_labels(articles, sp.vstack([vectors[0], vectors[0]]), vectorizer=vectorizer)
    assert labels["label"].tolist() == ["First"]


def test_event_labels_on_invented_news(fitted):
    vectorizer, vectors = fitted
    labels = event_labels(ARTICLES, vectors, vectorizer=vectorizer, top_terms=4)
    assert list(labels.columns) == [
        "event_id", "label", "top_terms", "articles", "outlets", "first_published", "last_published"
    ]
    assert labels["event_id"].tolist() == ["bridge", "lunch", "festival"]  # 3, 3, 1 articles
    assert labels["articles"].tolist() == [3, 3, 1] and labels["outlets"].tolist() == [3, 2, 1]
    for row in labels.itertuples():
        event = ARTICLES[ARTICLES["event_id"] == row.event_id]
        assert row.label in event["title"].tolist()
        event_words = set(re.findall(r"\w+", " ".join(event["title"] + " " + event["text"]).lower()))
        assert 1 <= len(row.top_terms) <= 4
        # Bigrams skip stop words ("old mill bridge" gives "old bridge"), so check word by word.
        assert all(isinstance(term, str) and set(term.split()) <= event_words for term in row.top_terms)
        assert row.first_published == event["published"].min()
        assert row.last_published == event["published"].max()
    bridge = labels.set_index("event_id").loc["bridge"]
    # The copied article appears twice, so the centroid leans towards its headline.
    assert bridge["label"] == BRIDGE_TITLE
    assert "bridge" in bridge["top_terms"]


# --- sentence_alignment

ARTICLE_A = pd.DataFrame(
    {
        "sentence_no": [0, 1, 2, 3],
        "text": [
            "Mill Bridge Closed",
            "Engineers closed the old mill bridge after inspectors found cracks in two steel beams.",
            "The council approved the new harbour budget on Tuesday evening.",
            "A brass band played at the lantern festival.",
        ],
        "is_headline": [True, False, False, False],
    }
)
ARTICLE_B = pd.DataFrame(
    {
        "sentence_no": [0, 1, 2],
        "text": [
            "Bridge Shut",
            "On Tuesday evening the harbour budget was approved by the council.",
            "Engineers closed the old mill bridge after inspectors found cracks in two steel beams.",
        ],
        "is_headline": [True, False, False],
    }
)


@pytest.fixture(scope="module")
def sentence_vectorizer():
    documents = pd.DataFrame(
        {"title": [ARTICLE_A["text"][0], ARTICLE_B["text"][0]],
         "text": [" ".join(ARTICLE_A["text"][1:]), " ".join(ARTICLE_B["text"][1:])]}
    )
    return ArticleVectorizer().fit(documents)


def test_an_article_aligned_with_itself_is_all_shared(sentence_vectorizer):
    alignment = sentence_alignment(ARTICLE_A, ARTICLE_A, vectorizer=sentence_vectorizer)
    assert list(alignment.columns) == ["sentence_no", "text", "match_sentence_no", "match_text", "score", "status"]
    assert alignment["sentence_no"].tolist() == [1, 2, 3]  # the headline is left out
    assert (alignment["match_sentence_no"] == alignment["sentence_no"]).all()
    assert (alignment["match_text"] == alignment["text"]).all()
    np.testing.assert_allclose(alignment["score"], 1.0, atol=1e-6)
    assert (alignment["status"] == "shared").all()


def test_sentence_scores_are_cosines(sentence_vectorizer):
    scores = sentence_alignment(ARTICLE_A, ARTICLE_B, vectorizer=sentence_vectorizer)["score"]
    # Repeating a sentence scales its counts, not its direction: the cosine stays.
    doubled = ARTICLE_B.assign(text=ARTICLE_B["text"] + " " + ARTICLE_B["text"])
    np.testing.assert_allclose(
        scores, sentence_alignment(ARTICLE_A, doubled, vectorizer=sentence_vectorizer)["score"], atol=0.02
    )
    assert 0 < scores.iloc[1] < 0.99  # the paraphrase: a real cosine, not a clipped dot product


def test_alignment_statuses(sentence_vectorizer):
    alignment = sentence_alignment(
        ARTICLE_A, ARTICLE_B, vectorizer=sentence_vectorizer, shared_threshold=0.6, reworded_threshold=0.25
    ).set_index("sentence_no")
    assert alignment["score"].between(0.0, 1.0).all()
    assert alignment.loc[1, "status"] == "shared" and alignment.loc[1, "match_sentence_no"] == 2
    assert alignment.loc[2, "status"] in {"shared", "reworded"}  # a paraphrase
    assert alignment.loc[2, "match_sentence_no"] == 1
    # Nothing in B about a festival: no match at all.
    assert alignment.loc[3, "status"] == "unique"
    assert alignment.loc[3, "match_sentence_no"] == -1 and alignment.loc[3, "match_text"] == ""
    assert alignment.loc[3, "score"] == 0.0


def test_thresholds_decide_the_status(sentence_vectorizer):
    strict = sentence_alignment(
        ARTICLE_A, ARTICLE_B, vectorizer=sentence_vectorizer, shared_threshold=0.99, reworded_threshold=0.98
    ).set_index("sentence_no")
    assert strict.loc[1, "status"] == "shared"
    assert strict.loc[2, "status"] == "unique"
    with pytest.raises(ValueError, match="above"):
        sentence_alignment(ARTICLE_A, ARTICLE_B, vectorizer=sentence_vectorizer,
                           shared_threshold=0.3, reworded_threshold=0.5)


def test_headlines_are_compared_only_when_there_is_nothing_else(sentence_vectorizer):
    headline_a = ARTICLE_A[ARTICLE_A["is_headline"]]
    headline_b = ARTICLE_B[ARTICLE_B["is_headline"]]
    alignment = sentence_alignment(headline_a, headline_b, vectorizer=sentence_vectorizer)
    assert alignment["sentence_no"].tolist() == [0]
    assert alignment["match_sentence_no"].tolist() == [0]  # "bridge" is in both headlines
    assert alignment["score"].iloc[0] > 0
    empty = sentence_alignment(ARTICLE_A, ARTICLE_B.iloc[0:0], vectorizer=sentence_vectorizer)
    assert (empty["status"] == "unique").all() and (empty["match_sentence_no"] == -1).all()


def test_thresholds_come_from_settings_when_not_given(sentence_vectorizer, monkeypatch):
    monkeypatch.setenv("COVERAGE_LENS_SENTENCE_SHARED_THRESHOLD", "0.99")
    monkeypatch.setenv("COVERAGE_LENS_SENTENCE_REWORDED_THRESHOLD", "0.98")
    strict = sentence_alignment(ARTICLE_A, ARTICLE_B, vectorizer=sentence_vectorizer)
    given = sentence_alignment(
        ARTICLE_A, ARTICLE_B, vectorizer=sentence_vectorizer, shared_threshold=0.99, reworded_threshold=0.98
    )
    pd.testing.assert_frame_equal(strict, given)


# --- charts


def test_similarity_heatmap_encodings(fitted):
    _, vectors = fitted
    spec = similarity_heatmap(outlet_similarity_overall(ARTICLES, vectors)).to_dict()
    cells, labels = spec["layer"]
    assert cells["mark"]["type"] == "rect" and labels["mark"]["type"] == "text"
    encoding = {**spec.get("encoding", {}), **cells.get("encoding", {})}
    assert encoding["x"]["field"] == "outlet_a" and encoding["x"]["type"] == "nominal"
    assert encoding["y"]["field"] == "outlet_b" and encoding["y"]["type"] == "nominal"
    assert encoding["color"]["field"] == "similarity" and encoding["color"]["type"] == "quantitative"
    assert encoding["color"]["scale"]["domain"] == [0, 1]
    assert {tip["field"] for tip in encoding["tooltip"]} == {"outlet_a", "outlet_b", "similarity", "shared_events"}
    assert labels["encoding"]["text"]["field"] == "similarity"


def test_alignment_chart_encodings(sentence_vectorizer):
    alignment = sentence_alignment(ARTICLE_A, ARTICLE_B, vectorizer=sentence_vectorizer)
    spec = alignment_chart(alignment).to_dict()
    assert spec["mark"]["type"] == "bar"
    encoding = spec["encoding"]
    assert encoding["x"]["field"] == "sentence_no" and encoding["y"]["field"] == "score"
    assert encoding["color"]["field"] == "status"
    assert encoding["color"]["scale"]["domain"] == ["shared", "reworded", "unique"]
    assert encoding["color"]["scale"]["range"] == [STATUS_COLORS[s] for s in ("shared", "reworded", "unique")]


# --- the seed articles


def test_seed_articles():
    with Store.open(":memory:") as store:
        ingest([str(SAMPLE)], store=store)
        articles = store.articles(with_text=True)
        sentences = store.sentences()
    assert len(articles) == 3
    articles["event_id"] = np.where(articles["outlet"] == "U.S. News & World Report", "asylum", "red-notice")
    vectorizer = ArticleVectorizer().fit(articles)
    vectors = vectorizer.transform(articles)

    overall = outlet_similarity_overall(articles, vectors)
    matrix = _matrix(overall)
    np.testing.assert_allclose(matrix.to_numpy(), matrix.to_numpy().T)
    assert overall["similarity"].dropna().between(0.0, 1.0).all()

    telegraph, cbs = (articles.loc[articles["outlet"] == name, "article_id"].item()
                      for name in ("The Telegraph", "CBS News"))
    alignment = sentence_alignment(
        sentences[sentences["article_id"] == telegraph], sentences[sentences["article_id"] == cbs],
        vectorizer=vectorizer, shared_threshold=0.6, reworded_threshold=0.25,
    )
    assert len(alignment) >= 10
    assert alignment["status"].isin(["shared", "reworded"]).any()
    assert alignment["score"].between(0.0, 1.0).all()

"""Distinctive words: term counting, log-odds properties, the per-outlet table, events, and the chart."""

import numpy as np
import pandas as pd
import pytest

from analysis.events import read_corpus_for_grouping
from analysis.words import (
    STOP_WORDS,
    TERM_COLUMNS,
    distinctive_terms,
    distinctive_terms_by_event,
    distinctive_terms_chart,
    log_odds_with_prior,
    term_counts,
)
from tests.conftest import SAMPLE

TELEGRAPH, CBS, USNEWS = "The Telegraph", "CBS News", "U.S. News & World Report"
FILLER = "Officials met on Monday to discuss the budget, the schedule and the plan for the coming months. "


@pytest.fixture(scope="module")
def sample_articles() -> pd.DataFrame:
    articles, problems = read_corpus_for_grouping(SAMPLE)
    assert not problems and set(articles["outlet"]) == {TELEGRAPH, CBS, USNEWS}
    return articles


def _terms(text: str) -> set[str]:
    _, terms = term_counts([text])
    return set(terms)


# --- counting ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("Pompeo met North Korea's leader.", {"north korea", "korea", "pompeo met"}, {"north korea's", "korea's"}),
        ("The secretary of state said the talks would go on.", {"secretary", "talks"}, {"of state", "said the", "the"}),
        ("Police in London. Officers said nothing.", {"london", "officers"}, {"london officers"}),
        ("More than 250,000 cables in 2010, a 1 in 3 chance.", {"cables", "chance"}, {"250", "000", "2010", "a"}),
        ("The US and the U.S. spoke at the UN.", {"u.s.", "u.n.", "spoke"}, {"us", "un"}),
        ("The Serious Organised Crime Agency handled the case.", {"serious organised", "crime agency"}, {"the serious"}),
        ("Mr Assange said they're sure he doesn't.", {"assange"}, {"mr", "mr assange", "they're", "doesn't"}),
        # Web addresses are page furniture: none of their pieces counts, and no bigram spans one.
        ("Watch http://abcn.ws/2xYz Tonight and www.Example.com/live coverage.",
         {"watch", "tonight", "coverage"}, {"http", "abcn", "ws", "2xyz", "example", "live", "watch tonight"}),
        ("Read aclu.org/news/will-the-court-act online; police and/or U.S./Mexico border guards acted.",
         {"read", "online", "police", "border guards", "u.s.", "mexico"},
         {"aclu", "news", "will-the-court-act", "read online"}),
    ],
)
def test_term_counts_keeps_phrases_and_drops_noise(text, present, absent):
    terms = _terms(text)
    assert present <= terms
    assert not absent & terms


def test_no_stop_word_unigrams_and_no_stop_word_only_bigrams(sample_articles):
    _, terms = term_counts((sample_articles["title"] + "\n" + sample_articles["text"]).tolist())
    assert len(terms) > 500
    for term in terms:
        words = term.split(" ")
        assert len(words) in (1, 2) and all(len(word) > 1 for word in words), term
        assert not all(word in STOP_WORDS for word in words), term
        assert not any(word in STOP_WORDS for word in words), term


def test_term_counts_count_each_text_apart():
    counts, terms = term_counts(["North Korea and North Korea again.", "No Korea here, only Seoul.", "the of and"])
    column = {term: index for index, term in enumerate(terms)}
    assert counts.shape == (3, len(terms))
    assert counts[0, column["north korea"]] == 2 and counts[1, column["north korea"]] == 0
    assert counts[1, column["seoul"]] == 1
    assert counts[2].sum() == 0
    assert list(terms) == sorted(terms)


def test_term_counts_of_stop_words_only_is_empty_not_an_error():
    counts, terms = term_counts(["the of and", ""])
    assert counts.shape == (2, 0) and len(terms) == 0


# --- log-odds properties ----------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_log_odds_is_antisymmetric(seed):
    rng = np.random.default_rng(seed)
    counts_a, counts_b = rng.poisson(5, 200), rng.poisson(8, 200)
    prior = rng.uniform(0.1, 20, 200)
    delta_ab, z_ab = log_odds_with_prior(counts_a, counts_b, prior)
    delta_ba, z_ba = log_odds_with_prior(counts_b, counts_a, prior)
    np.testing.assert_allclose(delta_ab, -delta_ba)
    np.testing.assert_allclose(z_ab, -z_ba)
    assert np.isfinite(z_ab).all()


def test_log_odds_of_identical_groups_is_zero():
    counts = np.array([10, 0, 3, 40])
    delta, z = log_odds_with_prior(counts, counts, np.array([1.0, 2.0, 0.5, 5.0]))
    np.testing.assert_allclose(delta, 0, atol=1e-12)
    np.testing.assert_allclose(z, 0, atol=1e-12)


def test_z_shrinks_when_counts_shrink_at_the_same_proportions():
    counts_a, counts_b = np.array([300, 100, 50, 550]), np.array([100, 300, 50, 550])
    prior = np.array([10.0, 10.0, 5.0, 50.0])
    _, z_large = log_odds_with_prior(counts_a, counts_b, prior)
    _, z_small = log_odds_with_prior(counts_a // 10, counts_b // 10, prior)
    differing = [0, 1]
    assert (np.abs(z_small[differing]) < np.abs(z_large[differing])).all()
    assert np.sign(z_small[differing]).tolist() == np.sign(z_large[differing]).tolist() == [1, -1]


def test_distinctive_z_shrinks_when_texts_shrink():
    text_a = "Rebels seized the northern town after heavy shelling. " + FILLER * 3
    text_b = "Protesters gathered in the northern town after the vote. " + FILLER * 3
    small = distinctive_terms(pd.DataFrame({"outlet": ["A", "B"], "text": [text_a, text_b]}), top=50)
    large = distinctive_terms(pd.DataFrame({"outlet": ["A", "B"], "text": [text_a * 10, text_b * 10]}), top=50)
    z_small = small.set_index(["outlet", "term"])["z"]
    z_large = large.set_index(["outlet", "term"])["z"]
    shared = z_small.index.intersection(z_large.index)
    assert len(shared) >= 4
    assert (z_small[shared].abs() < z_large[shared].abs()).all()


# --- distinctive_terms ------------------------------------------------------


def test_term_only_one_outlet_uses_often_is_its_top_supported_over_term():
    documents = pd.DataFrame(
        {
            "outlet": ["A", "A", "B", "B"],
            "title": ["Port closed", "Port update", "Port closed", "Port update"],
            "text": [FILLER * 4 + "A blockade. " * 15, FILLER * 4, FILLER * 4, FILLER * 5],
        }
    )
    terms = distinctive_terms(documents, under=True)
    top_a = terms[terms["outlet"] == "A"].iloc[0]
    assert (top_a["term"], top_a["count"], top_a["count_others"]) == ("blockade", 15, 0)
    assert top_a["direction"] == "over" and top_a["supported"] and top_a["note"] == ""
    assert top_a["rate"] > 0 and top_a["rate_others"] == 0
    under_b = terms[(terms["outlet"] == "B") & (terms["term"] == "blockade")]
    assert under_b["direction"].tolist() == ["under"]
    assert under_b["z"].iloc[0] == pytest.approx(-top_a["z"])


def test_two_short_articles_give_unsupported_rows_with_reasons():
    documents = pd.DataFrame(
        {
            "outlet": ["Daily A", "Daily B"],
            "title": ["Storm hits coast", "Coast braces for storm"],
            "text": [
                "A storm hit the coast on Friday, cutting power to homes.",
                "Residents on the coast braced for the storm, officials said.",
            ],
        }
    )
    terms = distinctive_terms(documents, under=True)
    assert set(terms["outlet"]) == {"Daily A", "Daily B"}
    assert not terms["supported"].any()
    assert terms["note"].str.len().gt(0).all()
    assert terms["note"].str.startswith("too few occurrences").any()
    assert np.isfinite(terms[["rate", "rate_others", "log_odds", "z"]].to_numpy()).all()


@pytest.mark.parametrize(
    "documents",
    [
        pd.DataFrame({"outlet": ["A", "A"], "text": ["Storm hits coast.", "Coast braces."]}),
        pd.DataFrame({"outlet": ["A", None], "text": ["Storm hits coast.", "Coast braces."]}),
        pd.DataFrame({"outlet": pd.Series([], dtype=object), "text": pd.Series([], dtype=object)}),
    ],
)
def test_fewer_than_two_groups_give_an_empty_frame_with_the_columns(documents):
    terms = distinctive_terms(documents)
    assert terms.empty
    assert list(terms.columns) == ["outlet", *TERM_COLUMNS]


def test_group_column_is_named_after_the_argument():
    documents = pd.DataFrame({"source": ["A", "B"], "body": ["Storm hits coast. " * 5, "Coast braces. " * 5]})
    terms = distinctive_terms(documents, group="source", text="body")
    assert list(terms.columns) == ["source", *TERM_COLUMNS]


def test_rows_are_ordered_by_group_then_z_then_term(sample_articles):
    terms = distinctive_terms(sample_articles, top=15, under=True)
    expected = terms.sort_values(["outlet", "z", "term"], ascending=[True, False, True], kind="mergesort")
    pd.testing.assert_frame_equal(terms, expected.reset_index(drop=True))
    assert terms.groupby(["outlet", "direction"]).size().le(15).all()
    pd.testing.assert_frame_equal(terms, distinctive_terms(sample_articles.iloc[::-1], top=15, under=True))


def test_min_count_rule_decides_support():
    documents = pd.DataFrame({"outlet": ["A", "B"], "text": [FILLER * 3 + "Blockade. " * 20, FILLER * 3]})
    lenient = distinctive_terms(documents, top=1, min_count=3)
    strict = distinctive_terms(documents, top=1, min_count=25)
    assert lenient.loc[0, "supported"] and not strict.loc[0, "supported"]
    assert strict.loc[0, "note"] == "too few occurrences (20 vs 0) to call a difference"


def test_background_changes_the_prior_not_the_counts():
    documents = pd.DataFrame({"outlet": ["A", "B"], "text": [FILLER + "Blockade. " * 12, FILLER + "Ceasefire. " * 12]})
    own = distinctive_terms(documents, top=50, under=True)
    corpus = pd.DataFrame({"text": [FILLER * 20 + "Blockade. " * 30, FILLER * 20 + "Harbour. " * 40]})
    weighted = distinctive_terms(documents, top=50, under=True, background=corpus)
    def counted(terms):
        keys = ["outlet", "direction", "term"]
        return terms.drop(columns=["log_odds", "z", "supported", "note"]).sort_values(keys).reset_index(drop=True)

    pd.testing.assert_frame_equal(counted(own), counted(weighted))
    assert not np.allclose(own["z"], weighted["z"])
    # Documents as background are counted by the same rules as term counts given directly.
    counts, terms = term_counts(corpus["text"])
    as_counts = distinctive_terms(documents, top=50, under=True,
                                  background=pd.Series(np.asarray(counts.sum(axis=0)).ravel(), index=terms))
    pd.testing.assert_frame_equal(weighted, as_counts)


@pytest.mark.parametrize(("keyword", "value"), [("top", 0), ("min_count", 0), ("prior_strength", -1.0)])
def test_bad_options_raise(keyword, value):
    documents = pd.DataFrame({"outlet": ["A", "B"], "text": ["Storm.", "Coast."]})
    with pytest.raises(ValueError, match=keyword):
        distinctive_terms(documents, **{keyword: value})


def test_seed_articles_telegraph_against_cbs(sample_articles):
    two = sample_articles[sample_articles["outlet"].isin([TELEGRAPH, CBS])]
    terms = distinctive_terms(two, top=10_000, under=True).set_index(["outlet", "term"])
    # Only Telegraph names Scotland Yard, twice: too few uses to claim a difference.
    yard = terms.loc[(TELEGRAPH, "scotland yard")]
    assert (yard["count"], yard["count_others"], yard["direction"]) == (2, 0, "over")
    assert not yard["supported"] and yard["note"] == "too few occurrences (2 vs 0) to call a difference"
    assert terms.loc[(TELEGRAPH, "serious organised"), "count"] == 1
    # Both name Interpol; Telegraph a little more, well within chance.
    interpol = terms.loc[(TELEGRAPH, "interpol")]
    assert interpol["count"] > interpol["count_others"] > 0 and abs(interpol["z"]) < 1.96
    # With two outlets each one is the other's "others": every z is mirrored.
    telegraph = terms.loc[TELEGRAPH]
    cbs = terms.loc[CBS].reindex(telegraph.index)
    np.testing.assert_allclose(telegraph["z"], -cbs["z"])
    np.testing.assert_array_equal(telegraph["count"], cbs["count_others"])
    assert not terms["supported"].any()


# --- distinctive_terms_by_event ---------------------------------------------


def _events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": ["e1", "e1", "e1", "e2", "e3", "e3"],
            "outlet": ["A", "B", "A", "A", "B", "C"],
            "title": ["Port closed", "Port shut", "Port update", "Budget vote", "Quake", "Quake toll"],
            "text": [
                FILLER + "The blockade continued. " * 12,
                FILLER * 2,
                FILLER + "The blockade held.",
                FILLER,
                "An earthquake struck the valley. " * 3,
                "The quake toll rose in the valley. " * 3,
            ],
        }
    )


def test_by_event_compares_outlets_within_each_event_only():
    articles = _events()
    terms = distinctive_terms_by_event(articles, top=5)
    assert list(terms.columns) == ["event_id", "outlet", *TERM_COLUMNS]
    assert set(terms["event_id"]) == {"e1", "e3"}  # e2 has one outlet
    assert set(terms.loc[terms["event_id"] == "e3", "outlet"]) == {"B", "C"}
    for event_id, event_articles in articles.groupby("event_id"):
        alone = distinctive_terms(event_articles, top=5)
        together = terms[terms["event_id"] == event_id].drop(columns="event_id").reset_index(drop=True)
        pd.testing.assert_frame_equal(together, alone)
    blockade = terms[(terms["event_id"] == "e1") & (terms["term"] == "blockade")].iloc[0]
    assert (blockade["outlet"], blockade["count"], blockade["count_others"]) == ("A", 13, 0)


def test_by_event_without_a_shared_event_is_empty():
    articles = _events()[lambda frame: frame["event_id"] == "e2"]
    terms = distinctive_terms_by_event(articles)
    assert terms.empty and list(terms.columns) == ["event_id", "outlet", *TERM_COLUMNS]


def test_by_event_with_the_corpus_as_background():
    terms = distinctive_terms_by_event(_events(), top=5, background="all")
    per_event = distinctive_terms_by_event(_events(), top=5)
    assert set(terms["event_id"]) == set(per_event["event_id"])
    assert np.isfinite(terms["z"]).all()
    with pytest.raises(ValueError, match="background"):
        distinctive_terms_by_event(_events(), background="everything")


def test_by_event_on_newswcl50(corpora):
    articles = pd.read_json(corpora / "newswcl50" / "newswcl50.jsonl", lines=True)
    terms = distinctive_terms_by_event(articles, top=8, under=True)
    assert terms["event_id"].nunique() == 10
    assert terms.groupby("event_id")["outlet"].nunique().eq(5).all()
    assert terms.groupby(["event_id", "outlet", "direction"]).size().le(8).all()
    over = terms[terms["direction"] == "over"]
    assert (over["count"] > 0).all() and (over["z"] > 0).all()
    assert terms["supported"].eq(terms["note"].eq("")).all()
    # Event 3, the DNC lawsuit: Breitbart's headline calls it a "Multi-Million Dollar Lawsuit".
    breitbart = over[(over["event_id"] == "newswcl50-3") & (over["outlet"] == "Breitbart")]
    assert "multi-million dollar" in set(breitbart["term"])


# --- chart ------------------------------------------------------------------


def test_chart_builds_and_carries_counts_and_z(sample_articles):
    terms = distinctive_terms(sample_articles, top=5, under=True)
    spec = distinctive_terms_chart(terms).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert len(rows) == len(terms)
    assert {"term", "count", "count_others", "z", "supported", "note"} <= set(rows[0])
    encoding = spec["spec"]["encoding"]
    assert encoding["x"]["field"] == "z"
    assert encoding["opacity"]["field"] == "support"
    tooltip_fields = {item["field"] for item in encoding["tooltip"]}
    assert {"term", "count", "count_others", "z", "supported", "note"} <= tooltip_fields
    assert spec["facet"]["row"]["field"] == "outlet"


def test_chart_of_an_empty_table_builds():
    empty = distinctive_terms(pd.DataFrame({"outlet": ["A"], "text": ["Storm."]}))
    assert distinctive_terms_chart(empty).to_dict()["facet"]["row"]["field"] == "outlet"

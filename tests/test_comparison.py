"""One event compared across outlets and two articles side by side: hand-written tables, then the
seed corpus (Telegraph and CBS cover one event)."""

import pandas as pd
import pytest

from analysis import comparison
from analysis.claims import claim_coverage, outlet_claim_summary
from analysis.comparison import (
    CLAIM_LISTING_COLUMNS,
    actor_labels_side_by_side,
    align_pair,
    alignment_counts,
    articles_per_outlet,
    claim_listing,
    claim_summary,
    compare_partner,
    conflict_listing,
    coverage_matrix,
    default_outlet_pair,
    event_articles,
    event_articles_of,
    event_choices,
    event_claims,
    events_of_articles,
    main_articles,
    match_by_claims,
    omitted_claims,
    pair_claims,
    read_event_claims,
    restrict_claims,
    top_distinctive_terms,
    top_speakers,
)
from analysis.store import Store

TELEGRAPH, CBS = "The Telegraph", "CBS News"


def _claims(rows: list[tuple]) -> pd.DataFrame:
    """Claims from (claim_id, article_id, outlet, sentence_no, text, claim_group, figures)."""
    return pd.DataFrame(
        [
            {"claim_id": claim_id, "article_id": article_id, "outlet": outlet, "sentence_no": sentence_no,
             "start": 0, "end": len(text), "text": text, "kind": "statement", "speaker": None,
             "quantities": [{"text": figure} for figure in figures], "entities": [], "claim_group": group}
            for claim_id, article_id, outlet, sentence_no, text, group, figures in rows
        ]
    )


CLAIMS = _claims([
    ("c1", "a1", "A", 1, "The bridge closed on Monday.", "g-bridge", []),
    ("c2", "a1", "A", 2, "More than 300 homes flooded.", "g-homes-a", ["More than 300"]),
    ("c3", "a1", "A", 3, "The mayor visited.", "g-mayor", []),
    ("c4", "b1", "B", 1, "On Monday the bridge was shut.", "g-bridge", []),
    ("c5", "b1", "B", 2, "About 40 homes flooded.", "g-homes-b", ["About 40"]),
    ("c6", "c1", "C", 4, "The bridge shut Monday.", "g-bridge", []),
    ("c7", "c1", "C", 5, "The mayor came.", "g-mayor", []),
])
LINKS = pd.DataFrame({"claim_a": ["c1", "c2", "c3"], "claim_b": ["c4", "c5", "c7"], "cosine": [0.8, 0.5, 0.7],
                      "score": [0.9, 0.4, 0.8], "decision": ["same", "conflicting", "same"]})
ARTICLES = pd.DataFrame({
    "article_id": ["a1", "a2", "b1", "c1"], "outlet": ["A", "A", "B", "C"],
    "title": ["Flood", "Flood later", "Bridge", "Mayor"],
    "published": pd.to_datetime(["2020-01-02", "2020-01-01", "2020-01-02", None], utc=True),
})


# --- picking an event


def _events() -> pd.DataFrame:
    return pd.DataFrame({
        "event_id": ["e1", "e2", "e3", "e4"], "label": ["Flood", None, "Vote", "Fire"],
        "articles": [3, 5, 2, 9], "outlets": [2, 3, 2, 1],
        "first_published": pd.to_datetime(["2020-01-01", None, "2020-02-01", "2020-03-01"], utc=True),
    })


def test_event_choices_offer_multi_outlet_events_first_with_readable_labels():
    choices = event_choices(_events())
    assert choices["event_id"].tolist() == ["e2", "e1", "e3"]
    assert choices["choice"].tolist() == [
        "(untitled event) — 3 outlets, 5 articles, undated",
        "Flood — 2 outlets, 3 articles, 2020-01-01",
        "Vote — 2 outlets, 2 articles, 2020-02-01",
    ]


def test_event_choices_keep_the_current_event_and_the_limit():
    choices = event_choices(_events(), current="e4", limit=1)
    assert choices["event_id"].tolist() == ["e2", "e4"]


def test_event_choices_fall_back_to_single_outlet_events():
    events = _events().assign(outlets=1)
    assert event_choices(events)["event_id"].tolist() == ["e4", "e2", "e1", "e3"]


def test_event_articles_of_one_event_by_outlet_then_date():
    rows = ARTICLES.assign(event_id=["e1", "e1", "e1", "e2"])
    articles = event_articles_of(rows, "e1")
    assert articles["article_id"].tolist() == ["a2", "a1", "b1"]
    assert list(articles.columns) == ["article_id", "outlet", "title", "published"]
    assert event_articles_of(rows, "nope").empty


def test_articles_per_outlet_most_first():
    counts = articles_per_outlet(ARTICLES)
    assert counts[["outlet", "articles"]].values.tolist() == [["A", 2], ["B", 1], ["C", 1]]
    assert counts.loc[0, "first_published"] == pd.Timestamp("2020-01-01", tz="UTC")


# --- claims of one event


def test_restrict_claims_keeps_links_between_kept_claims_only():
    claims, links = restrict_claims(CLAIMS, LINKS, outlets=["A", "C"])
    assert set(claims["outlet"]) == {"A", "C"}
    assert links[["claim_a", "claim_b"]].values.tolist() == [["c3", "c7"]]
    claims, links = restrict_claims(CLAIMS, LINKS, article_ids=["a1", "b1"])
    assert set(claims["article_id"]) == {"a1", "b1"} and len(links) == 2


def test_claim_listing_statuses_carriers_figures_and_conflicts():
    listing = claim_listing(CLAIMS, LINKS)
    assert list(listing.columns) == CLAIM_LISTING_COLUMNS
    by_id = listing.set_index("claim_id")
    assert by_id.loc["c1", "status"] == "shared" and by_id.loc["c1", "carried_by"] == "A; B; C"
    assert by_id.loc["c1", "outlets_carrying"] == 3
    assert by_id.loc["c3", "carried_by"] == "A; C"
    assert by_id.loc["c2", "status"] == "unique" and by_id.loc["c2", "figures"] == "More than 300"
    assert by_id[by_id["conflicting"]].index.tolist() == ["c2", "c5"]
    # Most widely carried first, each group's claims together.
    assert listing["claim_id"].tolist()[:5] == ["c1", "c4", "c6", "c3", "c7"]


def test_claim_listing_of_no_claims_has_the_columns():
    assert list(claim_listing(CLAIMS.iloc[:0]).columns) == CLAIM_LISTING_COLUMNS


def test_omitted_claims_are_those_most_other_outlets_carry():
    omitted = omitted_claims(CLAIMS)
    # B lacks the mayor claim that both of its fellow outlets carry; a claim one of two others
    # carries is not "most of them".
    assert omitted[["outlet", "claim_group", "carried_by"]].values.tolist() == [["B", "g-mayor", "A; C"]]
    assert omitted.loc[0, "claim_id"] == "c3" and omitted.loc[0, "article_id"] == "a1"


def test_in_a_two_outlet_event_each_omits_what_only_the_other_carries():
    two, _ = restrict_claims(CLAIMS, LINKS, outlets=["A", "B"])
    omitted = omitted_claims(two)
    assert sorted(map(tuple, omitted[["outlet", "claim_group"]].values.tolist())) == [
        ("A", "g-homes-b"), ("B", "g-homes-a"), ("B", "g-mayor")]
    assert omitted_claims(two[two["outlet"] == "A"]).empty


@pytest.mark.parametrize("outlets", [["A", "B", "C"], ["A", "B"], ["A"]])
def test_claim_summary_from_coverage_matches_outlet_claim_summary(outlets):
    claims, _ = restrict_claims(CLAIMS, LINKS, outlets=outlets)
    pd.testing.assert_frame_equal(claim_summary(claim_coverage(claims)), outlet_claim_summary(claims))
    coverage = claim_coverage(claims)
    assert omitted_claims(claims, coverage).equals(omitted_claims(claims))


def test_conflict_listing_gives_both_figures_and_articles():
    conflicts = conflict_listing(CLAIMS, LINKS)
    row = conflicts.iloc[0]
    assert (row["outlet_a"], row["figures_a"], row["outlet_b"], row["figures_b"]) == ("A", "More than 300", "B",
                                                                                    "About 40")
    assert (row["article_a"], row["article_b"]) == ("a1", "b1")
    assert conflict_listing(CLAIMS, LINKS.iloc[:1]).empty


@pytest.mark.parametrize(("min_outlets", "max_groups", "groups"), [
    (1, 60, ["g-bridge", "g-mayor", "g-homes-a", "g-homes-b"]),
    (2, 60, ["g-bridge", "g-mayor"]),
    (1, 1, ["g-bridge"]),
    (4, 60, []),
])
def test_coverage_matrix_keeps_the_most_widely_carried_groups(min_outlets, max_groups, groups):
    matrix = coverage_matrix(claim_coverage(CLAIMS), min_outlets=min_outlets, max_groups=max_groups)
    assert list(dict.fromkeys(matrix["claim_group"])) == groups
    assert len(matrix) == 3 * len(groups)  # every outlet of the event, carried or not
    assert matrix["rank"].tolist() == [rank for rank in range(1, len(groups) + 1) for _ in range(3)]
    if "g-mayor" in groups:  # A and C carry it, B does not (outlets in order)
        assert matrix.loc[matrix["claim_group"] == "g-mayor", "carried"].tolist() == [True, False, True]


def test_event_claims_builds_every_table_from_one_coverage():
    tables = event_claims(CLAIMS, LINKS, ARTICLES, min_outlets=2)
    assert tables.listing.equals(claim_listing(CLAIMS, LINKS))
    pd.testing.assert_frame_equal(tables.summary, outlet_claim_summary(CLAIMS))
    assert list(dict.fromkeys(tables.matrix["claim_group"])) == ["g-bridge", "g-mayor"]
    assert tables.groups == 4 and len(tables.conflicts) == 1 and len(tables.omitted) == 1
    assert tables.main["article_id"].tolist() == ["a1", "b1", "c1"]
    assert set(tables.overlap["outlet_a"]) == {"A", "B", "C"}


def test_event_claims_among_some_outlets_and_of_none():
    tables = event_claims(CLAIMS, LINKS, ARTICLES, outlets=["A", "B"])
    assert set(tables.listing["outlet"]) == {"A", "B"} and tables.main["outlet"].tolist() == ["A", "B"]
    assert tables.conflicts["figures_b"].tolist() == ["About 40"]
    empty = event_claims(CLAIMS.iloc[:0], LINKS.iloc[:0], ARTICLES)
    assert empty.listing.empty and empty.matrix.empty and empty.summary.empty and empty.groups == 0


# --- framing of one event


def test_top_speakers_by_quoted_words_across_outlets():
    voices = pd.DataFrame({
        "outlet": ["A", "B", "A", "B"], "speaker": ["Berg", "Berg", None, "Olsen"],
        "speaker_type": ["official", "official", "unattributed", "expert"], "role": ["mayor", None, None, None],
        "quotes": [1, 2, 1, 1], "quoted_words": [10, 15, 30, 5], "share": [0.2, 0.5, 0.6, 0.1],
    })
    top = top_speakers(voices, limit=2)
    assert top["speaker"].tolist() == ["(no speaker named)", "Berg", "Berg"]
    assert top["outlet"].tolist() == ["A", "A", "B"]


def test_top_distinctive_terms_per_outlet_and_direction():
    terms = pd.DataFrame({
        "outlet": ["A"] * 3 + ["B"] * 2, "term": ["flood", "rain", "dam", "vote", "rain"],
        "z": [3.0, 2.0, -2.5, 1.0, -1.0], "direction": ["over", "over", "under", "over", "under"],
    })
    assert top_distinctive_terms(terms, per_outlet=1)["term"].tolist() == ["flood", "vote"]
    assert top_distinctive_terms(terms, direction="under")["term"].tolist() == ["dam", "rain"]


def test_actor_labels_side_by_side_one_column_per_outlet():
    labels = pd.DataFrame({
        "actor": ["Assange"] * 4 + ["Stephens"], "outlet": [TELEGRAPH, CBS, CBS, CBS, CBS],
        "label": ["The 39-year-old Australian", "WikiLeaks founder", "WikiLeaks founder",
                  "The former computer hacker", "Assange's lawyer"],
        "label_kind": ["descriptor", "title", "title", "descriptor", "apposition"],
    })
    table = actor_labels_side_by_side(labels)
    assert list(table.columns) == ["actor", "outlets_labelling", CBS, TELEGRAPH]
    cells = table.set_index("actor")
    assert cells.loc["Assange", CBS] == "WikiLeaks founder (2); The former computer hacker"
    assert cells.loc["Assange", TELEGRAPH] == "The 39-year-old Australian"
    assert cells.loc["Stephens", TELEGRAPH] == ""
    assert table["actor"].tolist() == ["Assange", "Stephens"]
    only_telegraph = actor_labels_side_by_side(labels, outlets=[TELEGRAPH])
    assert only_telegraph["actor"].tolist() == ["Assange"]
    assert actor_labels_side_by_side(labels.iloc[:0], outlets=[CBS]).columns.tolist() == [
        "actor", "outlets_labelling", CBS]


# --- two articles side by side


def test_main_articles_most_claims_then_earliest():
    main = main_articles(ARTICLES, CLAIMS)
    assert main[["outlet", "article_id", "claims"]].values.tolist() == [["A", "a1", 3], ["B", "b1", 2],
                                                                       ["C", "c1", 2]]
    # Without claims: the earliest (a2 was published first).
    assert main_articles(ARTICLES, None)["article_id"].tolist() == ["a2", "b1", "c1"]


def test_default_outlet_pair_most_articles_first():
    assert default_outlet_pair(ARTICLES) == ["A", "B"]
    assert default_outlet_pair(ARTICLES[ARTICLES["outlet"] == "C"]) == ["C"]


def test_compare_partner_of_shared_and_unique_claims():
    main = main_articles(ARTICLES, CLAIMS)
    assert compare_partner(CLAIMS, "c4", main) == "a1"  # the bridge claim: A carries it too
    assert compare_partner(CLAIMS, "c5", main) == "a1"  # unique: another outlet's main article
    assert compare_partner(CLAIMS, "nope", main) is None
    assert compare_partner(CLAIMS[CLAIMS["outlet"] == "A"], "c2", main[main["outlet"] == "A"]) is None


def test_pair_claims_both_and_alone():
    pairs = pair_claims(CLAIMS, "a1", "b1")
    assert pairs[["claim_group", "carried_by"]].values.tolist() == [
        ["g-bridge", "both"], ["g-homes-a", "A only"], ["g-mayor", "A only"], ["g-homes-b", "B only"]]
    both = pairs.iloc[0]
    assert (both["text_a"], both["text_b"]) == ("The bridge closed on Monday.", "On Monday the bridge was shut.")
    assert pairs.loc[3, "text_a"] == "" and pairs.loc[3, "claims_b"] == 1
    assert pair_claims(CLAIMS, "x", "y").empty


def _alignment(numbers: list[int], statuses: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"sentence_no": numbers, "text": [f"s{n}" for n in numbers],
                         "match_sentence_no": -1, "match_text": "", "score": 0.0, "status": statuses})


def test_match_by_claims_counts_sentences_with_a_matched_claim_as_reworded():
    a_to_b = _alignment([1, 2, 3], ["unique", "shared", "unique"])
    b_to_a = _alignment([1, 2], ["unique", "unique"])
    a_side, b_side = match_by_claims(a_to_b, b_to_a, CLAIMS, "a1", "b1")
    assert a_side["status"].tolist() == ["reworded", "shared", "unique"]
    assert a_side["words_status"].tolist() == ["unique", "shared", "unique"]
    assert a_side["claim_match_sentence_no"].tolist() == [1, -1, -1]
    assert a_side.loc[0, "claim_match_text"] == "s1"
    assert b_side["status"].tolist() == ["reworded", "unique"]
    unchanged, _ = match_by_claims(a_to_b, b_to_a, CLAIMS.iloc[:0], "a1", "b1")
    assert unchanged["status"].tolist() == a_to_b["status"].tolist()


def test_alignment_counts_per_side():
    counts = alignment_counts(_alignment([1, 2, 3], ["unique", "shared", "reworded"]), _alignment([1], ["unique"]))
    assert counts.values.tolist() == [["A", 3, 1, 1, 1], ["B", 1, 0, 0, 1]]


# --- the seed corpus


@pytest.fixture(scope="module")
def seed(analyzed_sample_store):
    with Store.open(analyzed_sample_store, read_only=True) as store:
        events = store.events()
        event_id = events.loc[events["outlets"] == 2, "event_id"].item()
        articles = event_articles(store, event_id)
        claims, links = store.claims(event_id), store.claim_links(event_id)
        main = main_articles(articles, claims).set_index("outlet")["article_id"]
        alignment = align_pair(store, main[TELEGRAPH], main[CBS])
    return {"event_id": event_id, "articles": articles, "claims": claims, "links": links, "main": main,
            "alignment": alignment}


def _texts(frame: pd.DataFrame, outlet: str) -> str:
    return " | ".join(frame.loc[frame["outlet"] == outlet, "text"])


def test_seed_event_has_the_telegraph_and_cbs_articles(seed, analyzed_sample_store):
    assert sorted(seed["articles"]["outlet"]) == [CBS, TELEGRAPH]
    with Store.open(analyzed_sample_store, read_only=True) as store:
        assert events_of_articles(store, [seed["main"][TELEGRAPH], "nope"]) == {seed["main"][TELEGRAPH]: seed["event_id"]}
        tables = read_event_claims(store, seed["event_id"], outlets=[TELEGRAPH])
    assert set(tables.listing["status"]) == {"unique"} and tables.omitted.empty


def test_seed_shared_claims_show_as_shared_for_both_outlets(seed):
    listing = claim_listing(seed["claims"], seed["links"])
    shared = listing[listing["status"] == "shared"]
    for telegraph, cbs in [("precise location remains unknown", "exact whereabouts remain unknown"),
                           ("ignored repeated requests", "turned down repeated offers"),
                           ("persecution and prosecution", "persecution and not a prosecution")]:
        assert telegraph in _texts(shared, TELEGRAPH) and cbs in _texts(shared, CBS), (telegraph, cbs)
        group = shared.loc[shared["text"].str.contains(telegraph), "claim_group"].iloc[0]
        assert set(shared.loc[shared["claim_group"] == group, "outlet"]) == {TELEGRAPH, CBS}


def test_seed_unique_claims_are_unique_to_their_outlet(seed):
    listing = claim_listing(seed["claims"], seed["links"])
    unique = listing[listing["status"] == "unique"]
    for text in ("188 countries", "come from China", "Christine", "Serious Organised Crime Agency"):
        assert text in _texts(unique, TELEGRAPH) and text not in _texts(listing, CBS), text
    for text in ("Kazakhstan", "Time magazine", "Supreme Court", "European arrest warrant", "Taliban"):
        assert text in _texts(unique, CBS) and text not in _texts(listing, TELEGRAPH), text
    omitted = omitted_claims(seed["claims"])
    assert "188 countries" in " ".join(omitted.loc[omitted["outlet"] == CBS, "label"])


def test_seed_claim_summary_matches_outlet_claim_summary(seed):
    pd.testing.assert_frame_equal(claim_summary(claim_coverage(seed["claims"])), outlet_claim_summary(seed["claims"]))


def test_seed_cable_counts_conflict_with_both_values(seed):
    conflicts = conflict_listing(seed["claims"], seed["links"])
    figures = {conflicts.loc[0, "outlet_a"]: conflicts.loc[0, "figures_a"],
               conflicts.loc[0, "outlet_b"]: conflicts.loc[0, "figures_b"]}
    assert figures == {TELEGRAPH: "more than 250,000", CBS: "hundreds of"}


def test_seed_alignment_both_ways_with_whereabouts_reworded(seed):
    a_to_b, b_to_a = seed["alignment"]
    for alignment in (a_to_b, b_to_a):
        assert set(alignment["status"]) <= {"shared", "reworded", "unique"}
        assert alignment["score"].between(0, 1).all()
    a_side, b_side = match_by_claims(a_to_b, b_to_a, seed["claims"], seed["main"][TELEGRAPH], seed["main"][CBS])
    telegraph = a_side.set_index("text")["status"]
    cbs = b_side.set_index("text")["status"]
    assert telegraph[next(t for t in telegraph.index if "precise location remains unknown" in t)] == "reworded"
    assert cbs[next(t for t in cbs.index if "exact whereabouts remain unknown" in t)] == "reworded"
    assert telegraph[next(t for t in telegraph.index if "188 countries" in t)] == "unique"
    counts = alignment_counts(a_side, b_side).set_index("side")
    assert (counts[["shared", "reworded", "unique"]].sum(axis=1) == counts["sentences"]).all()


def test_seed_pair_claims_each_alone_carries(seed):
    pairs = pair_claims(seed["claims"], seed["main"][TELEGRAPH], seed["main"][CBS])
    alone_a = " ".join(pairs.loc[pairs["carried_by"] == "A only", "text_a"])
    alone_b = " ".join(pairs.loc[pairs["carried_by"] == "B only", "text_b"])
    both = pairs[pairs["carried_by"] == "both"]
    assert "188 countries" in alone_a and "China" in alone_a
    assert "Kazakhstan" in alone_b and "Supreme Court" in alone_b
    assert any("precise location" in a and "whereabouts" in b for a, b in zip(both["text_a"], both["text_b"]))


def test_public_names_are_exported():
    assert all(hasattr(comparison, name) for name in comparison.__all__)

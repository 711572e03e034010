"""Claims: extraction filters and kinds, matching across outlets, overlap measures, and the seed corpus."""

import numpy as np
import pandas as pd
import pytest

from analysis.claims import (
    CLAIM_COLUMNS,
    claim_conflicts,
    claim_coverage,
    claim_filter_reason,
    claims_for_events,
    clause_spans,
    extract_claims,
    match_claims,
    omission_rates,
    outlet_claim_jaccard,
    outlet_claim_summary,
)
from analysis.ingest import ingest
from analysis.pipeline import analyze
from analysis.segment import sentence_spans
from analysis.store import Store
from tests.conftest import SAMPLE

TELEGRAPH, CBS, USNEWS = "The Telegraph", "CBS News", "U.S. News & World Report"


def _sentences(article_id: str, texts: list[str]) -> pd.DataFrame:
    rows, offset = [], 0
    for number, text in enumerate(texts):
        rows.append((article_id, number, offset, offset + len(text), text, False))
        offset += len(text) + 1
    return pd.DataFrame(rows, columns=["article_id", "sentence_no", "start", "end", "text", "is_headline"])


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Is this the end of the affair?", "question"),
        ("Watch CBSN Live", "chrome"),
        ("[Read: UK's Top Court Rejects Assange Bid to Reopen Case.]", "chrome"),
        ("Valerie Bonk is an assistant editor at U.S. News & World Report.", "chrome"),
        ("You can contact her at or follow her on Twitter or Facebook.", "chrome"),
        ("Julian Assange on Interpol's Most-Wanted List Of Fugitives Today", "headline list"),
        ("I'm distressed.", "fragment"),
        ("Police said 12 people were hurt in the blast on Friday.", None),
    ],
)
def test_claim_filter(text, reason):
    assert claim_filter_reason(text) == reason


def test_claim_rows_kinds_speakers_and_figures():
    texts = [
        "Police said 12 people were hurt in the blast on Friday.",
        '"We will rebuild the station within a year," the mayor, Anna Berg, told reporters.',
        "The blast destroyed more than 300 homes across the valley.",
        "He said the cost could reach $2.5 billion over a decade.",
    ]
    sentences = _sentences("a1", texts)
    claims = extract_claims(sentences, pd.DataFrame({"article_id": ["a1"], "outlet": ["Daily"]}))
    assert list(claims.columns) == CLAIM_COLUMNS
    assert claims["kind"].tolist() == ["reported speech", "direct quote", "statement", "reported speech"]
    assert claims.loc[0, "speaker"] == "Police" and pd.isna(claims.loc[2, "speaker"])
    assert claims["claim_id"].is_unique and claims["claim_id"].str.startswith("c-").all()
    homes = claims.loc[2, "quantities"]
    assert any(q["low"] == 300 and q["high"] == float("inf") for q in homes)
    assert any(q["kind"] == "money" and q["low"] == 2.5e9 for q in claims.loc[3, "quantities"])
    # Offsets point into the article: the row's span is its text.
    article = " ".join(texts)
    for row in claims.itertuples():
        assert article[row.start : row.end] == row.text
    # Same input, same ids: claim ids are stable.
    again = extract_claims(sentences, pd.DataFrame({"article_id": ["a1"], "outlet": ["Daily"]}))
    assert again["claim_id"].tolist() == claims["claim_id"].tolist()


@pytest.mark.parametrize(
    ("sentence", "clauses"),
    [
        ("Assange's precise location remains unknown but he is a frequent visitor to Britain.",
         ["Assange's precise location remains unknown", "but he is a frequent visitor to Britain."]),
        ("The hacker's exact whereabouts remain unknown, although he has given interviews to media.",
         ["The hacker's exact whereabouts remain unknown", "although he has given interviews to media."]),
        ("Police closed the main road; officials said the bridge would reopen on Monday.",
         ["Police closed the main road", "officials said the bridge would reopen on Monday."]),
        # a list item and a short tail are not clauses of their own
        ("The storm hit Florida, Georgia, and the Carolinas before it weakened.",
         ["The storm hit Florida, Georgia, and the Carolinas before it weakened."]),
        ("He said he would stay, but not for long.", ["He said he would stay, but not for long."]),
        ("The web found its nemesis not in censorship, as pioneers feared, but in the spread of fake news.",
         ["The web found its nemesis not in censorship, as pioneers feared, but in the spread of fake news."]),
        ("While red notices are not arrest warrants, police often treat them as such.",
         ["While red notices are not arrest warrants, police often treat them as such."]),
    ],
)
def test_clause_spans(sentence, clauses):
    assert [sentence[a:b] for a, b in clause_spans(sentence)] == clauses


def _event(rows: list[tuple[str, str]]) -> pd.DataFrame:
    """Claims of one invented event from (outlet, text) rows."""
    parts = [extract_claims(_sentences(f"{outlet}-{n}", [text]), pd.DataFrame({"article_id": [f"{outlet}-{n}"],
                                                                                 "outlet": [outlet]}))
             for n, (outlet, text) in enumerate(rows)]
    return pd.concat(parts, ignore_index=True)


def test_figures_about_the_same_thing_conflict_or_agree():
    claims = _event([
        ("Alpha", "WikiLeaks is releasing more than 250,000 classified US diplomatic cables this week."),
        ("Beta", "WikiLeaks disclosed hundreds of classified State Department cables earlier this week."),
        ("Alpha", "The 39-year-old Australian is wanted by prosecutors in Sweden."),
        ("Beta", "Officials say the 39-year-old Australian has not met prosecutors."),
        ("Alpha", "Three people were killed when the roof of the station collapsed."),
        ("Beta", "Ten people were injured as rescuers searched the wreckage."),
    ])
    matched, links = match_claims(claims)
    decided = {(matched.set_index("claim_id").loc[row.claim_a, "text"][:8], row.decision) for row in links.itertuples()}
    assert ("WikiLeak", "conflicting") in decided  # cables: ≥250,000 against 100-1,000
    group = matched.set_index("text")["claim_group"]
    assert group["The 39-year-old Australian is wanted by prosecutors in Sweden."] == group[
        "Officials say the 39-year-old Australian has not met prosecutors."]
    # people killed and people injured share only the noun: neither the same nor a conflict
    killed = matched.loc[matched["text"].str.startswith("Three"), "claim_id"].iloc[0]
    assert not links[(links["claim_a"] == killed) | (links["claim_b"] == killed)]["decision"].isin(
        ["same", "conflicting"]).any()


def test_same_remark_quoted_differently_is_one_claim():
    claims = _event([
        ("Alpha", 'Stephens said the notice was a "persecution and prosecution" of his client.'),
        ("Beta", '"I am forced to conclude that this is a persecution and not a prosecution," Stephens wrote.'),
        ("Beta", '"The weather in Stockholm is cold and the courts are slow," Stephens wrote.'),
    ])
    matched, _ = match_claims(claims)
    groups = matched.set_index("outlet")["claim_group"]
    assert matched.loc[0, "claim_group"] == matched.loc[1, "claim_group"] != matched.loc[2, "claim_group"]
    assert len(groups) == 3


def test_pronoun_speaker_follows_the_previous_speaker():
    texts = ["Mark Stephens, his British lawyer, said the notice was unfair to his client.",
             "He said the Swedish authorities had ignored every offer of a meeting."]
    claims = extract_claims(_sentences("a", texts), pd.DataFrame({"article_id": ["a"], "outlet": ["X"]}))
    assert claims["speaker"].tolist() == ["Mark Stephens", "Mark Stephens"]


def test_no_chrome_from_the_raw_seed_pages_becomes_a_claim():
    """The seeds' non-content lines, left in (segmented without cleaning), are all filtered."""
    parts = []
    for path in sorted(SAMPLE.glob("00*.txt")):
        text = path.read_text(encoding="utf-8")
        spans = sentence_spans(text)
        parts.append(pd.DataFrame({"article_id": path.name[:3], "sentence_no": range(len(spans)),
                                   "start": [s for s, _ in spans], "end": [e for _, e in spans],
                                   "text": [text[s:e] for s, e in spans], "is_headline": False}))
    claims = extract_claims(pd.concat(parts, ignore_index=True),
                            pd.DataFrame({"article_id": ["000", "001", "002"], "outlet": ["T", "C", "U"]}))
    chrome = ["Watch CBSN Live", "Special Report", "View CBS News In", "[Read:", "Valerie Bonk", "contact her",
              "Worldwatch", "Most-Wanted List", "Clinton Should Resign"]
    for fragment in chrome:
        assert not claims["text"].str.contains(fragment, regex=False).any(), fragment
    assert len(claims) >= 50  # the content is still there


# --- overlap measures on hand-built groups

MATCHED = pd.DataFrame(
    {
        "event_id": ["e1"] * 6,
        "claim_id": ["a1", "a2", "b1", "b2", "c1", "c2"],
        "article_id": ["A", "A", "B", "B", "C", "C"],
        "outlet": ["Alpha", "Alpha", "Beta", "Beta", "Gamma", "Gamma"],
        "sentence_no": [1, 2, 1, 2, 1, 2],
        "text": ["shared by all", "only alpha", "shared by all", "beta and gamma", "shared by all", "beta and gamma"],
        "quantities": [[{"text": "20"}], [], [{"text": "35"}], [], [], []],
        "claim_group": ["g-all", "g-alpha", "g-all", "g-bg", "g-all", "g-bg"],
    }
)


def test_claim_coverage_matrix():
    coverage = claim_coverage(MATCHED)
    assert len(coverage) == 3 * 3  # every group × every outlet
    grid = coverage.pivot(index="claim_group", columns="outlet", values="carried")
    assert grid.loc["g-all"].all()
    assert grid.loc["g-alpha"].tolist() == [True, False, False]
    assert grid.loc["g-bg"].tolist() == [False, True, True]
    assert coverage["claim_group"].iloc[0] == "g-all"  # most carried first


def test_outlet_summary_shared_unique_omitted():
    summary = outlet_claim_summary(MATCHED).set_index("outlet")
    assert summary.loc["Alpha", ["claims", "shared", "unique", "omitted"]].tolist() == [2, 1, 1, 1]
    assert summary.loc["Beta", ["claims", "shared", "unique", "omitted"]].tolist() == [2, 2, 0, 0]
    # "only alpha" is carried by one of Beta's two fellow outlets: half is not most.
    assert summary.loc["Gamma", "omitted"] == 0 and summary.loc["Beta", "omitted"] == 0
    two_outlets = outlet_claim_summary(MATCHED[MATCHED["outlet"] != "Gamma"]).set_index("outlet")
    assert two_outlets.loc["Beta", "omitted"] == 1  # the only other outlet carries it


def test_jaccard_is_symmetric_with_unit_diagonal():
    jaccard = outlet_claim_jaccard(MATCHED)
    matrix = jaccard.pivot(index="outlet_a", columns="outlet_b", values="jaccard")
    np.testing.assert_allclose(matrix.to_numpy(), matrix.to_numpy().T)
    np.testing.assert_allclose(np.diag(matrix.to_numpy()), 1.0)
    assert matrix.loc["Alpha", "Beta"] == pytest.approx(1 / 3)  # {all} of {all, alpha, bg}
    assert matrix.loc["Beta", "Gamma"] == pytest.approx(1.0)


def test_conflicts_show_both_figures():
    links = pd.DataFrame({"claim_a": ["a1"], "claim_b": ["b1"], "cosine": [0.7], "score": [0.6],
                          "decision": ["conflicting"]})
    conflicts = claim_conflicts(MATCHED, links)
    assert conflicts.loc[0, ["outlet_a", "outlet_b"]].tolist() == ["Alpha", "Beta"]
    assert conflicts.loc[0, "figures_a"] == ["20"] and conflicts.loc[0, "figures_b"] == ["35"]


def test_omission_rates_across_events():
    second = MATCHED.assign(event_id="e2", claim_group=MATCHED["claim_group"] + "-2")
    rates = omission_rates(pd.concat([MATCHED, second], ignore_index=True)).set_index("outlet")
    assert rates.loc["Alpha", "events"] == 2 and rates.loc["Alpha", "omitted"] == 2
    assert rates["omission_rate"].between(0, 1).all()
    assert rates.index[0] == "Alpha"  # the only outlet that omits anything


# --- matching with the real verifier, on the seed corpus


@pytest.fixture(scope="module")
def seed_claims():
    with Store.open(":memory:") as store:
        ingest([str(SAMPLE)], store=store)
        articles = store.articles(with_text=True)
        sentences = store.sentences()
    # The seeds README's events: Telegraph + CBS one event, U.S. News another.
    articles["event_id"] = np.where(articles["outlet"] == USNEWS, "later", "red-notice")
    return claims_for_events(articles, sentences)


@pytest.fixture(scope="module")
def seed_claims_with_actors():
    """The seed event matched as analyze matches it: actor mentions (names and descriptors such
    as "the former computer hacker") read as their actor."""
    from analysis.actors import actor_labels, actor_mentions, main_actors

    with Store.open(":memory:") as store:
        ingest([str(SAMPLE)], store=store)
        articles = store.articles(with_text=True)
        sentences = store.sentences()
    articles["event_id"] = np.where(articles["outlet"] == USNEWS, "later", "red-notice")
    compared = articles[articles["event_id"] == "red-notice"]
    actors = main_actors(compared)
    mentions = actor_mentions(compared, actors=actors, labels=actor_labels(compared, actors=actors))
    return claims_for_events(articles, sentences, mentions=mentions)


def _claim(claims: pd.DataFrame, outlet: str, words: str) -> pd.Series:
    found = claims[(claims["outlet"] == outlet) & claims["text"].str.contains(words, regex=False)]
    assert len(found) == 1, (outlet, words, found["text"].tolist())
    return found.iloc[0]


@pytest.mark.parametrize(
    ("telegraph", "cbs"),
    [
        # the same remark quoted differently: same speaker, same quoted words
        ('"persecution and prosecution"', "a persecution and not a prosecution"),
        # the same figure about the same person
        ("39-year-old Australian", "39-year-old Australian"),
    ],
)
def test_seed_shared_claims_are_one_group(seed_claims, telegraph, cbs):
    claims, _ = seed_claims
    assert _claim(claims, TELEGRAPH, telegraph)["claim_group"] == _claim(claims, CBS, cbs)["claim_group"]


@pytest.mark.parametrize(
    ("telegraph", "cbs"),
    [
        # "Assange" and "the former computer hacker" are one man (actor labels); then the
        # lexical verifier sees "precise location remains unknown" / "exact whereabouts remain unknown"
        ("precise location remains unknown", "exact whereabouts remain unknown"),
        ("ignored repeated requests", "turned down repeated offers"),
        # with the aside ", who is thought to be in Britain," left out of the comparison
        ("two counts of rape", "rape, sexual molestation and unlawful coercion"),
        ('"persecution and prosecution"', "a persecution and not a prosecution"),
        ("39-year-old Australian", "39-year-old Australian"),
    ],
)
def test_seed_shared_claims_with_actor_mentions(seed_claims_with_actors, telegraph, cbs):
    claims, _ = seed_claims_with_actors
    assert _claim(claims, TELEGRAPH, telegraph)["claim_group"] == _claim(claims, CBS, cbs)["claim_group"]


def test_without_actor_mentions_the_paraphrase_about_one_man_named_two_ways_stays_apart(seed_claims):
    """What the actor mentions add: with the words alone the two claims share only "remain unknown"."""
    claims, _ = seed_claims
    assert (_claim(claims, TELEGRAPH, "precise location remains unknown")["claim_group"]
            != _claim(claims, CBS, "exact whereabouts remain unknown")["claim_group"])


def test_seed_clauses_are_claims_of_their_own(seed_claims):
    """ "..., and that the Swedish authorities had ignored ..." is a claim apart from the
    persecution remark before it in the same sentence, with the same speaker."""
    claims, _ = seed_claims
    remark = _claim(claims, TELEGRAPH, "persecution and prosecution")
    ignored = _claim(claims, TELEGRAPH, "ignored repeated requests")
    assert remark["sentence_no"] == ignored["sentence_no"] and remark["claim_id"] != ignored["claim_id"]
    assert ignored["speaker"].endswith("Stephens") and ignored["text"].startswith("and that")


@pytest.mark.parametrize(
    ("outlet", "words"),
    [
        (TELEGRAPH, "188 countries"),
        (TELEGRAPH, "believed to come from China"),
        (TELEGRAPH, "Serious Organised Crime Agency"),
        (TELEGRAPH, "Assange's mother, Christine"),
        (CBS, "security summit in Kazakhstan"),
        (CBS, "Assange told Time magazine"),
        (CBS, "Supreme Court was reviewing"),
        (CBS, "Prosecutor Marianne Ny"),
    ],
)
def test_seed_unique_claims_stay_with_their_outlet(seed_claims, seed_claims_with_actors, outlet, words):
    for claims, _ in (seed_claims, seed_claims_with_actors):
        group = _claim(claims, outlet, words)["claim_group"]
        assert set(claims.loc[claims["claim_group"] == group, "outlet"]) == {outlet}


def test_seed_figures_stated_differently(seed_claims):
    """000's "more than 250,000" cables against 001's "hundreds of" cables: a conflict with both figures."""
    claims, links = seed_claims
    conflicts = claim_conflicts(claims, links)
    cables = conflicts[conflicts["text_a"].str.contains("cables") & conflicts["text_b"].str.contains("cables")]
    assert len(cables) >= 1
    figures = set(cables.iloc[0]["figures_a"]) | set(cables.iloc[0]["figures_b"])
    assert any("250,000" in figure for figure in figures) and any("hundreds" in figure for figure in figures)


def test_bulk_matching_equals_matching_each_event(seed_claims):
    """claims_for_events verifies every event's pairs in one call; the result is match_claims's."""
    claims, links = seed_claims
    for event_id, event_claims in claims.groupby("event_id"):
        alone, alone_links = match_claims(event_claims.drop(columns=["event_id", "claim_group"]))
        assert alone["claim_group"].tolist() == event_claims["claim_group"].tolist()
        bulk_links = links[links["event_id"] == event_id].drop(columns="event_id").reset_index(drop=True)
        pd.testing.assert_frame_equal(alone_links, bulk_links, check_dtype=False)


def test_forked_workers_give_the_serial_result(monkeypatch):
    """Batches of events in forked workers (used from 2,000 articles on) change nothing."""
    import analysis.claims

    with Store.open(":memory:") as store:
        ingest([str(SAMPLE)], store=store)
        articles, sentences = store.articles(with_text=True), store.sentences()
    # Two events of two outlets each: the seed event and a copy of it under other ids.
    copy = articles.assign(article_id=articles["article_id"] + "-copy")
    articles = pd.concat([articles.assign(event_id="red-notice"), copy.assign(event_id="red-notice-copy")])
    sentences = pd.concat([sentences, sentences.assign(article_id=sentences["article_id"] + "-copy")])
    serial = claims_for_events(articles, sentences, n_jobs=1)
    monkeypatch.setattr(analysis.claims, "_PARALLEL_FROM", 1)
    forked = claims_for_events(articles, sentences, n_jobs=2)
    for one, other in zip(serial, forked):
        assert len(one) > 0
        pd.testing.assert_frame_equal(one, other)


def test_no_event_with_two_outlets_gives_empty_frames():
    """Every article its own event (a strict grouping): nothing to compare, empty tables, no error."""
    from analysis.vectorize import ArticleVectorizer

    with Store.open(":memory:") as store:
        ingest([str(SAMPLE)], store=store)
        articles, sentences = store.articles(with_text=True), store.sentences()
    articles["event_id"] = articles["article_id"]
    vectorizer = ArticleVectorizer().fit(articles)
    claims, links = claims_for_events(articles, sentences, vectorizer=vectorizer)
    assert claims.empty and links.empty
    assert list(claims.columns) == ["event_id", *CLAIM_COLUMNS, "claim_group"]


def test_single_outlet_event_has_no_claim_rows(seed_claims):
    claims, links = seed_claims
    assert USNEWS not in set(claims["outlet"])
    assert set(links["decision"]) <= {"same", "related", "conflicting", "unrelated"}
    assert links["score"].between(0, 1).all()


def test_match_claims_is_deterministic(seed_claims):
    claims, _ = seed_claims
    event = claims.drop(columns=["event_id", "claim_group"])
    first, first_links = match_claims(event)
    second, second_links = match_claims(event.sample(frac=1.0, random_state=3))
    assert first.set_index("claim_id")["claim_group"].sort_index().equals(
        second.set_index("claim_id")["claim_group"].sort_index())
    pd.testing.assert_frame_equal(first_links, second_links)


# --- stored by analyze


def test_analyze_stores_claims(sample_store_path):
    with Store.open(sample_store_path) as store:
        analyze(store)
        claims, links = store.claims(), store.claim_links()
        events = store.article_events_with_outlets()
    multi_outlet = events.groupby("event_id")["outlet"].nunique()
    assert set(claims["event_id"]) == set(multi_outlet[multi_outlet >= 2].index)
    assert isinstance(claims.loc[0, "quantities"], list) and isinstance(claims.loc[0, "entities"], list)
    assert set(links["claim_a"]) | set(links["claim_b"]) <= set(claims["claim_id"])
    assert claims["claim_id"].is_unique

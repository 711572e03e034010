"""Voices: speaker types, quoted-word shares per outlet and event, exclusive speakers, on invented
articles and the seed corpus."""

import pandas as pd
import pytest

import analysis.voices as voices_module
from analysis.ingest import ingest
from analysis.store import Store
from analysis.voices import (
    EXCLUSIVE_COLUMNS,
    SPEAKER_TYPES,
    VOICE_COLUMNS,
    VOICE_TYPE_COLUMNS,
    exclusive_speakers,
    quotes_of_articles,
    speaker_type,
    voices,
    voices_by_type,
)
from tests.conftest import SAMPLE

TELEGRAPH, CBS, USNEWS = "The Telegraph", "CBS News", "U.S. News & World Report"


@pytest.fixture(scope="module")
def seed_voices() -> pd.DataFrame:
    """Voices of the seed articles: 000 and 001 one event, 002 another (as the seeds README says)."""
    with Store.open(":memory:") as store:
        ingest([str(SAMPLE)], store=store)
        articles = store.articles(with_text=True)
    articles["event_id"] = articles["outlet"].map({TELEGRAPH: "assange-red-notice", CBS: "assange-red-notice",
                                                   USNEWS: "assange-asylum"})
    return voices(quotes_of_articles(articles[["article_id", "outlet", "event_id", "text"]]))


@pytest.mark.parametrize(
    ("speaker", "role", "expected"),
    [
        ("Mark Stephens", "his British lawyer", "lawyer/advocate"),
        ("Hillary Rodham Clinton", "Secretary of State", "official"),
        ("Marianne Ny", "Prosecutor", "official"),
        ("Eric Holder", "Attorney General", "official"),
        ("Jane Doe", "a lawyer for the State Department", "lawyer/advocate"),
        ("Ana Ruiz", "a campaigner for Liberty", "lawyer/advocate"),
        ("John Lee", "an economist at the Bank of England", "expert"),
        ("a professor at Columbia University", None, "expert"),
        ("Nancy Pelosi", "House Speaker", "official"),
        ("Christine", "Assange's mother", "citizen"),
        ("a woman", None, "citizen"),
        ("Robert Stone", "a 59-year-old from Hilton Head", "citizen"),
        ("18-year-old Karina Gomez", None, "citizen"),
        ("Rodney Scott", "Border Patrol agent", "official"),
        ("Agent Rodney S. Scott", None, "official"),
        ("John Roe", "a 45-year-old senator", "official"),
        ("Witnesses", None, "citizen"),
        ("Interpol", None, "organisation"),
        ("WikiLeaks", None, "organisation"),
        ("the White House", None, "organisation"),
        ("the State Department", None, "organisation"),
        ("Scotland Yard", None, "organisation"),
        ("a source at Scotland Yard", None, "unnamed source"),
        ("A spokesman for Scotland Yard", "A spokesman for Scotland Yard", "unnamed source"),
        ("officials", None, "unnamed source"),
        ("U.S. officials", None, "unnamed source"),
        ("people familiar with the talks", None, "unnamed source"),
        ("Police", None, "official"),
        ("Julian Assange", None, "other"),
        ("she", None, "other"),
        ("I'm", None, "other"),
        (None, None, "unattributed"),
    ],
)
def test_speaker_type(speaker, role, expected):
    assert speaker_type(speaker, role) == expected


def test_seed_most_quoted_speakers_and_their_types(seed_voices):
    assert list(seed_voices.columns) == VOICE_COLUMNS
    top = seed_voices.groupby("outlet").head(1).set_index("outlet")
    assert top.loc[TELEGRAPH, "speaker"] == "Mark Stephens"
    assert "Hillary" in top.loc[CBS, "speaker"] and top.loc[CBS, "speaker"].endswith("Clinton")
    assert top.loc[TELEGRAPH, "speaker_type"] == "lawyer/advocate"
    assert top.loc[CBS, "speaker_type"] == "official"
    # CBS gives Stephens his role too: the same person, the same type in both outlets.
    stephens = seed_voices[seed_voices["speaker"] == "Mark Stephens"]
    assert set(stephens["outlet"]) == {TELEGRAPH, CBS} and set(stephens["speaker_type"]) == {"lawyer/advocate"}


def test_shares_add_up_per_outlet_and_event(seed_voices):
    assert seed_voices["speaker_type"].isin(SPEAKER_TYPES).all()
    sums = seed_voices.groupby(["event_id", "outlet"])["share"].sum()
    assert sums.to_numpy() == pytest.approx(1.0)
    by_type = voices_by_type(seed_voices)
    assert list(by_type.columns) == VOICE_TYPE_COLUMNS
    assert by_type.groupby(["event_id", "outlet"])["share"].sum().to_numpy() == pytest.approx(1.0)
    # The type table regroups the speaker table: same words and quotes per outlet.
    for column in ("quoted_words", "quotes"):
        assert (by_type.groupby("outlet")[column].sum() == seed_voices.groupby("outlet")[column].sum()).all()
    telegraph = by_type[by_type["outlet"] == TELEGRAPH].set_index("speaker_type")
    assert telegraph.loc["lawyer/advocate", "share"] == pytest.approx(
        seed_voices.query("outlet == @TELEGRAPH and speaker == 'Mark Stephens'")["share"].iloc[0])


def test_exclusive_speakers_of_the_seed_event(seed_voices):
    exclusive = exclusive_speakers(seed_voices)
    assert list(exclusive.columns) == EXCLUSIVE_COLUMNS
    cbs = exclusive[exclusive["outlet"] == CBS]
    assert cbs["speaker"].str.endswith("Clinton").any()
    # Both outlets quote Stephens; the asylum event has one outlet, so nobody there is exclusive.
    assert "Mark Stephens" not in set(exclusive["speaker"])
    assert set(exclusive["event_id"]) == {"assange-red-notice"}
    assert (exclusive["outlets_quoting"] == 2).all()


def _invented_articles() -> pd.DataFrame:
    first = ('Mayor Anna Berg opened the bridge on Monday. "This bridge will change the town for '
             'the better," Berg said at the ceremony.')
    second = '"We waited twenty years for it and the wait was worth every day," Berg said on Tuesday.'
    other = '"The bridge cost far more than anyone was ever told before the vote," Berg said.'
    return pd.DataFrame({
        "article_id": ["a1", "a2", "b1"],
        "outlet": ["Harbour Gazette", "Harbour Gazette", "Valley Post"],
        "event_id": ["bridge", "bridge", "bridge"],
        "text": [first, second, other],
    })


def test_quotes_of_articles_merges_spellings_within_an_outlet_only():
    quotes = quotes_of_articles(_invented_articles())
    assert list(quotes.columns[:3]) == ["article_id", "outlet", "event_id"]
    speakers = quotes.groupby("outlet")["speaker"].agg(set).to_dict()
    # "Berg" of the second article is the Anna Berg the outlet named in the first; the other
    # outlet never names her in full, so its "Berg" stays as written.
    assert speakers == {"Harbour Gazette": {"Anna Berg"}, "Valley Post": {"Berg"}}
    for row in quotes.itertuples():
        text = _invented_articles().set_index("article_id").loc[row.article_id, "text"]
        assert text[row.start:row.end] == row.text
    # Across outlets the spellings do merge: Berg is quoted by both, so by neither alone.
    table = voices(quotes)
    assert exclusive_speakers(table).empty
    # Only the first article states her role; it types her in all of the outlet's quotes, and in
    # the other outlet's, which never states it.
    assert table.set_index("outlet")["speaker_type"].to_dict() == {"Harbour Gazette": "official",
                                                                   "Valley Post": "official"}


def test_quotes_of_articles_in_workers_equals_in_process(monkeypatch):
    articles = pd.concat([_invented_articles()] * 3, ignore_index=True).assign(
        article_id=lambda f: [f"x{i}" for i in range(len(f))])
    in_process = quotes_of_articles(articles, n_jobs=1)
    monkeypatch.setattr(voices_module, "_PARALLEL_FROM", 2)
    pd.testing.assert_frame_equal(quotes_of_articles(articles, n_jobs=2), in_process)


def test_unattributed_quotes_count_in_the_shares():
    quotes = pd.DataFrame({
        "article_id": ["a1", "a1"], "outlet": ["Daily"] * 2, "event_id": ["e"] * 2,
        "speaker": ["Anna Berg", None], "role": ["mayor", None], "words": [30, 10],
    })
    table = voices(quotes).set_index("speaker_type")
    assert table.loc["official", "share"] == pytest.approx(0.75)
    assert table.loc["unattributed", "share"] == pytest.approx(0.25)
    assert pd.isna(table.loc["unattributed", "speaker"])
    assert voices_by_type(voices(quotes)).set_index("speaker_type").loc["unattributed", "speakers"] == 0


def test_voices_without_event_id_and_empty_input():
    quotes = pd.DataFrame({"outlet": ["Daily"], "speaker": ["Anna Berg"], "role": [None], "words": [12]})
    table = voices(quotes)
    assert table["event_id"].isna().all() and table["share"].tolist() == [1.0]
    empty = voices(quotes.iloc[:0])
    assert list(empty.columns) == VOICE_COLUMNS and empty.empty
    assert exclusive_speakers(empty).empty and voices_by_type(empty).empty

"""Tone: own voice apart from quoted text, headline apart from body, per article and per outlet,
with real VADER scores, on an invented article and the seed corpus."""

from collections import Counter

import pandas as pd
import pytest

import analysis.tone as tone_module
from analysis.ingest import ingest
from analysis.quotes import _WORD
from analysis.segment import sentence_spans
from analysis.store import Store
from analysis.tone import (
    ARTICLE_TONE_COLUMNS,
    OUTLET_TONE_COLUMNS,
    SENTENCE_TONE_COLUMNS,
    article_tone,
    sentence_tone,
    tone_by_outlet,
    tone_chart,
)
from analysis.voices import quotes_of_articles
from tests.conftest import SAMPLE

ANGRY_WORDS = {"disgrace", "terrible", "shameful", "betrayal", "furious", "disgusted", "horrible", "cruel",
               "hateful", "hate", "sick", "lies", "awful"}
TITLE = "Council 'betrayal' row over bus timetable"
TEXT = (
    "The council met on Tuesday to discuss the new bus timetable for the northern routes.\n\n"
    "“This is a disgrace, a terrible and shameful betrayal of everyone here,” said Anna Berg, a resident "
    "of the village.\n\n"
    "The meeting lasted two hours and ended shortly after nine in the evening.\n\n"
    "“I am furious and disgusted,” Tom Hale, a shop owner, said. “It is horrible, cruel and hateful.”\n\n"
    "“We hate it. We are sick of lies,” she said, “and we will fight this awful plan.”\n\n"
    "The council will publish the minutes of the meeting next week."
)


def _sentences(article_id: str, title: str, text: str) -> pd.DataFrame:
    """Sentence rows as ingest stores them: the headline as sentence 0, then the body's."""
    rows = [(article_id, 0, 0, len(title), title, True)]
    rows += [(article_id, number, start, end, text[start:end], False)
             for number, (start, end) in enumerate(sentence_spans(text), start=1)]
    return pd.DataFrame(rows, columns=["article_id", "sentence_no", "start", "end", "text", "is_headline"])


@pytest.fixture(scope="module")
def angry_article():
    articles = pd.DataFrame({"article_id": ["a1"], "outlet": ["Village News"], "event_id": ["e1"], "text": [TEXT]})
    sentences = _sentences("a1", TITLE, TEXT)
    return articles, sentences, sentence_tone(sentences, quotes_of_articles(articles))


@pytest.fixture(scope="module")
def seed_tone():
    with Store.open(":memory:") as store:
        ingest([str(SAMPLE)], store=store)
        articles, sentences = store.articles(with_text=True), store.sentences()
    articles["event_id"] = ["seed"] * len(articles)
    return articles, sentences, sentence_tone(sentences, quotes_of_articles(articles))


def _words(text: str) -> set[str]:
    return {word.lower() for word in _WORD.findall(text)}


def test_quoted_text_is_excluded_from_own_tone(angry_article):
    _, _, tone = angry_article
    assert list(tone.columns) == SENTENCE_TONE_COLUMNS
    own = tone[(tone["voice"] == "own") & ~tone["is_headline"]]
    quoted = tone[(tone["voice"] == "quoted") & ~tone["is_headline"]]
    assert not any(_words(text) & ANGRY_WORDS for text in own["text"])
    assert ANGRY_WORDS <= set().union(*(_words(text) for text in quoted["text"]))
    body = article_tone(tone).query("part == 'body'").set_index("voice")
    assert body.loc["quoted", "mean_compound"] < -0.6
    assert abs(body.loc["own", "mean_compound"]) < 0.05
    assert body.loc["own", "mean_compound"] - body.loc["quoted", "mean_compound"] > 0.6
    assert body.loc["quoted", "negative_share"] == 1.0 and body.loc["own", "negative_share"] == 0.0


def test_an_attribution_inside_a_quotation_is_own_voice(angry_article):
    _, _, tone = angry_article
    sentence = tone[tone["text"].str.contains("awful")]
    assert sentence["voice"].tolist() == ["quoted"]
    own = tone[(tone["sentence_no"] == sentence["sentence_no"].iloc[0]) & (tone["voice"] == "own")]
    assert own["text"].tolist() == ["she said,"]


def test_headline_rows_are_apart_from_body_rows(angry_article):
    articles, _, tone = angry_article
    headline = tone[tone["is_headline"]].set_index("voice")
    assert headline.loc["quoted", "text"] == "'betrayal'"
    assert "betrayal" not in headline.loc["own", "text"]
    assert (tone.loc[tone["is_headline"], "sentence_no"] == 0).all()
    by_article = article_tone(tone)
    assert list(by_article.columns) == ARTICLE_TONE_COLUMNS
    assert set(zip(by_article["part"], by_article["voice"])) == {
        ("headline", "own"), ("headline", "quoted"), ("body", "own"), ("body", "quoted")}
    assert by_article.query("part == 'headline'")["sentences"].tolist() == [1, 1]


@pytest.mark.parametrize(
    ("title", "quoted"),
    [
        ("WikiLeaks' Assange Being Persecuted, Lawyer Says", None),
        ("Clinton: 'I don't know what happened'", "'I don't know what happened'"),
        ('Trump calls report "fake news"', '"fake news"'),
        ("Students' 'cruel' treatment at school", "'cruel'"),
        ("Mayor: “We will rebuild”", "“We will rebuild”"),
        ("Rock ’n’ roll hall opens in the '90s style", None),
    ],
)
def test_headline_quotes_by_quote_marks(title, quoted):
    sentences = pd.DataFrame([("h", 0, 0, len(title), title, True)],
                             columns=["article_id", "sentence_no", "start", "end", "text", "is_headline"])
    tone = sentence_tone(sentences, pd.DataFrame(columns=["article_id", "start", "end", "text"])).set_index("voice")
    assert (tone.loc["quoted", "text"] if "quoted" in tone.index else None) == quoted


def test_sentence_counts_behind_each_figure(angry_article):
    articles, _, tone = angry_article
    by_outlet = tone_by_outlet(tone, articles)
    assert list(by_outlet.columns) == OUTLET_TONE_COLUMNS
    tone_part = tone.assign(part=tone["is_headline"].map({True: "headline", False: "body"}))
    expected = tone_part.groupby(["part", "voice"]).size()
    assert by_outlet.set_index(["part", "voice"])["sentences"].sort_index().equals(expected.sort_index())
    notes = by_outlet.set_index(["part", "voice"])["note"]
    assert notes.loc[("headline", "own")].startswith("rests on 1 sentence")
    assert pd.isna(notes.loc[("body", "own")]) and pd.isna(notes.loc[("body", "quoted")])
    relaxed = tone_by_outlet(tone, articles, min_sentences=1)
    assert relaxed["note"].isna().all()


def test_seed_parts_partition_each_sentence(seed_tone):
    """Own and quoted parts of a sentence hold exactly its words: nothing lost, nothing doubled."""
    _, sentences, tone = seed_tone
    parts = tone.groupby(["article_id", "sentence_no"])["text"].agg(" ".join)
    for row in sentences.itertuples():
        expected = Counter(word.lower() for word in _WORD.findall(row.text))
        found = Counter(word.lower() for word in _WORD.findall(parts.get((row.article_id, row.sentence_no), "")))
        assert found == expected, row.text
    assert (tone["words"] == [len(_WORD.findall(text)) for text in tone["text"]]).all()
    assert tone["compound"].between(-1, 1).all()
    assert (tone[["positive", "negative", "neutral"]].sum(axis=1).round(2).between(0.99, 1.01)).all()


def test_seed_outlets_quote_and_narrate(seed_tone):
    articles, _, tone = seed_tone
    by_outlet = tone_by_outlet(tone, articles)
    body = by_outlet[by_outlet["part"] == "body"]
    assert set(body["outlet"]) == {"The Telegraph", "CBS News", "U.S. News & World Report"}
    assert set(body["voice"]) == {"own", "quoted"}
    # Every sentence part is behind exactly one outlet figure.
    assert by_outlet["sentences"].sum() == len(tone)
    assert (by_outlet["articles"] == 1).all()


def test_scoring_in_workers_equals_in_process(seed_tone, monkeypatch):
    _, sentences, tone = seed_tone
    quotes = quotes_of_articles(seed_tone[0])
    monkeypatch.setattr(tone_module, "_PARALLEL_FROM", 2)
    pd.testing.assert_frame_equal(sentence_tone(sentences, quotes, n_jobs=2), tone)


def test_empty_input_gives_empty_tables():
    sentences = _sentences("a1", TITLE, TEXT).iloc[:0]
    tone = sentence_tone(sentences, pd.DataFrame(columns=["article_id", "start", "end", "text"]))
    assert list(tone.columns) == SENTENCE_TONE_COLUMNS and tone.empty
    assert article_tone(tone).empty


def test_tone_chart_spec(angry_article):
    articles, _, tone = angry_article
    spec = tone_chart(tone_by_outlet(tone, articles)).to_dict()
    encoding = spec["spec"]["encoding"]
    assert spec["facet"]["column"]["field"] == "part"
    assert encoding["y"]["field"] == "outlet" and encoding["x"]["field"] == "mean_compound"
    assert encoding["yOffset"]["field"] == "voice" and encoding["color"]["field"] == "voice"
    assert "sentences" in {tooltip["field"] for tooltip in encoding["tooltip"]}

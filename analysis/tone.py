"""Tone: how positive or negative an outlet's own reporting is, apart from the voices it quotes.

Each sentence is split by the quotation spans of :mod:`analysis.quotes` into the outlet's
**own voice** and the **quoted** text, and each part is scored with VADER
(``vaderSentiment``, which ships its lexicon). A story full of angry quotes is then
angry in its ``quoted`` rows, not in its ``own`` rows. Headlines are scored apart from
bodies.

How the parts are cut:

* **Body sentences**: a quotation's span (quote marks included) is quoted text; an
  attribution that interrupts it (``“A,” she said, “B.”``) is own voice again, found
  between a closing and an opening mark inside the span. What a sentence keeps outside
  quotations is its own voice, its pieces joined with a space. Scare quotes that
  :mod:`analysis.quotes` does not count as quotations (``a “red notice”``) stay own
  voice, as they are the outlet's wording.
* **Headlines** are not read by the quote finder, and their attribution is often
  implicit ("Assange 'persecuted', lawyer says"), so every span in quote marks is
  quoted: double marks, and single marks as headlines use them (an opening mark after
  a space and before a letter, a closing one before a space or punctuation; the
  apostrophes of "WikiLeaks' Assange" and "don't" are neither).
* Parts with no letters (a comma between two quotations) are dropped.

VADER's lexicon and negation list are ASCII ("don't"), so curly quotes and
apostrophes are mapped to ASCII before scoring; the ``text`` column keeps them as
written. Each distinct text is scored once, in forked workers for large inputs.

Aggregates are plain means over sentences: VADER's ``compound`` is already normalised
per text (it does not grow with length), so each sentence part is one observation, the
shares of negative and positive sentences are in the same unit, and ``sentences`` is
the number behind each figure. A sentence is negative at ``compound`` ≤ −0.05 and
positive at ≥ 0.05, VADER's own cut-offs.

Usage::

    quotes = analysis.voices.quotes_of_articles(articles)   # article_id, outlet, event_id, text
    tone = sentence_tone(store.sentences(), quotes)         # per sentence and voice
    article_tone(tone)                                      # per article, part, voice
    tone_chart(tone_by_outlet(tone, articles))              # per event, outlet, part, voice
"""

from __future__ import annotations

import bisect

import altair as alt
import numpy as np
import pandas as pd
import regex

from analysis.parallel import even_bounds, inherited, map_forked
from analysis.quotes import _WORD
from analysis.settings import setting

__all__ = [
    "ARTICLE_TONE_COLUMNS",
    "OUTLET_TONE_COLUMNS",
    "SENTENCE_TONE_COLUMNS",
    "article_tone",
    "sentence_tone",
    "tone_by_outlet",
    "tone_chart",
]

SENTENCE_TONE_COLUMNS = [
    "article_id", "sentence_no", "is_headline", "voice", "text", "words", "compound", "positive", "negative",
    "neutral",
]
_MEASURES = ["sentences", "words", "mean_compound", "negative_share", "positive_share"]
ARTICLE_TONE_COLUMNS = ["article_id", "part", "voice", *_MEASURES]
OUTLET_TONE_COLUMNS = ["event_id", "outlet", "part", "voice", "articles", *_MEASURES, "note"]

# VADER's own cut-offs for a negative and a positive text.
NEGATIVE_AT = -0.05
POSITIVE_AT = 0.05
# Fewer sentences than this behind a figure and it gets a note: one or two sentences are an
# anecdote, not an outlet's tone.
MIN_SENTENCES = 3

_LETTER = regex.compile(r"\p{L}")
_MARK = regex.compile('[“”„‟«»"]')
_OPENING_MARKS = "“„«"
_CLOSING_MARKS = "”»"
_HEADLINE_QUOTE = regex.compile(
    r"[“„«\"‟](?=\S)[^“”„«»\"‟\n]*?(?<=\S)[”»\"‟](?![\p{L}\p{N}])"
    r"|(?<![\p{L}\p{N}])[‘'](?=\p{L})[^\n]*?(?<=[\p{L}\p{N}.!?,;:…])[’'](?![\p{L}\p{N}])"
)
_TO_ASCII = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"',
                           "‘": "'", "’": "'", "‚": "'", "‛": "'"})


def _quoted_parts(quotation: str) -> list[tuple[int, int]]:
    """Spans of ``quotation`` (a quote span, marks included) inside quote marks: an attribution
    between a closing and an opening mark ("“A,” she said, “B.”") is left out."""
    parts = []
    start, inside = 0, True
    for match in _MARK.finditer(quotation, 1):
        index = match.start()
        mark = quotation[index]
        after = quotation[index + 1:index + 2]
        before = quotation[index - 1:index]
        if inside:
            closes = mark in _CLOSING_MARKS or (mark not in _OPENING_MARKS and (not after or not after.isalnum()))
            if closes and not before.isspace():
                parts.append((start, index + 1))
                inside = False
        elif (mark in _OPENING_MARKS or mark not in _CLOSING_MARKS) and (not before or not before.isalnum()):
            start, inside = index, True
    if inside:
        parts.append((start, len(quotation)))
    return parts


def _quoted_spans_by_article(quotes: pd.DataFrame) -> dict:
    """article_id → sorted, merged (start, end) offsets of quoted text in the article."""
    spans: dict = {}
    for article_id, start, quotation in zip(quotes["article_id"], quotes["start"], quotes["text"]):
        offset = int(start)
        spans.setdefault(article_id, []).extend(
            (offset + a, offset + b) for a, b in _quoted_parts(str(quotation)))
    for article_id, pieces in spans.items():
        pieces.sort()
        merged = [list(pieces[0])]
        for start, end in pieces[1:]:
            if start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        spans[article_id] = ([s for s, _ in merged], [e for _, e in merged])
    return spans


def _split(text: str, quoted: list[tuple[int, int]]) -> tuple[str, str]:
    """(own voice, quoted) text of ``text`` given quoted spans relative to it (sorted, disjoint)."""
    own, inside, cursor = [], [], 0
    for start, end in quoted:
        own.append(text[cursor:start])
        inside.append(text[start:end])
        cursor = end
    own.append(text[cursor:])
    return " ".join(piece.strip() for piece in own if piece.strip()), " ".join(p.strip() for p in inside)


def sentence_tone(sentences: pd.DataFrame, quotes: pd.DataFrame, *, n_jobs: int | None = None) -> pd.DataFrame:
    """VADER tone of each sentence's own-voice part and quoted part.

    Args:
        sentences: columns ``article_id``, ``sentence_no``, ``start``, ``end``, ``text``,
            ``is_headline`` (as the store keeps them: body offsets index the article's
            text; a headline's, its title).
        quotes: quotation rows with columns ``article_id``, ``start``, ``end``, ``text``
            (offsets into the article's text, as :func:`analysis.voices.quotes_of_articles`
            gives them); other columns are ignored.
        n_jobs: worker processes for large inputs (default: the setting
            ``analysis_workers``); the result does not depend on it.

    Returns:
        One row per (article_id, sentence_no, voice) with text, columns
        :data:`SENTENCE_TONE_COLUMNS`: ``article_id``, ``sentence_no``, ``is_headline``,
        ``voice`` (``own`` or ``quoted``), ``text`` (the part scored, as written; pieces
        joined by a space), ``words``, VADER's ``compound`` (−1 to 1), ``positive``,
        ``negative``, ``neutral`` (proportions of the text). Sentence order, ``own``
        before ``quoted``.
    """
    spans = _quoted_spans_by_article(quotes) if len(quotes) else {}
    rows = []
    # Plain lists: iterating Arrow-backed string columns costs more than the splitting itself.
    columns = zip(*(sentences[column].tolist() for column in ("article_id", "sentence_no", "start", "end", "text",
                                                              "is_headline")))
    for article_id, number, start, end, text, is_headline in columns:
        text = text if isinstance(text, str) else ""
        if is_headline:
            quoted = [match.span() for match in _HEADLINE_QUOTE.finditer(text)]
        else:
            starts, ends = spans.get(article_id, ((), ()))
            first = bisect.bisect_right(ends, start)
            quoted = []
            for index in range(first, len(starts)):
                if starts[index] >= end:
                    break
                quoted.append((max(starts[index], start) - start, min(ends[index], end) - start))
        if quoted:
            own, inside = _split(text, quoted)
        else:
            own, inside = text.strip(), ""
        for voice, part in (("own", own), ("quoted", inside)):
            if _LETTER.search(part):
                rows.append((article_id, number, bool(is_headline), voice, part))
    frame = pd.DataFrame(rows, columns=SENTENCE_TONE_COLUMNS[:5])
    position, distinct = pd.factorize(pd.Series([row[4] for row in rows], dtype=object))
    scores = _scores(list(distinct), n_jobs)[position]
    frame["words"] = scores[:, 4].astype(np.int64)
    for column, values in zip(("compound", "positive", "negative", "neutral"), scores[:, :4].T):
        frame[column] = values
    return frame[SENTENCE_TONE_COLUMNS]


# Below this many texts the start-up of worker processes costs more than it saves.
_PARALLEL_FROM = 20_000


def _score_chunk(texts: list[str], analyzer) -> np.ndarray:
    """(compound, positive, negative, neutral, words) of each text, one row each."""
    scores = np.empty((len(texts), 5), dtype=np.float64)
    for index, text in enumerate(texts):
        score = analyzer.polarity_scores(text.translate(_TO_ASCII))
        scores[index] = (score["compound"], score["pos"], score["neg"], score["neu"], len(_WORD.findall(text)))
    return scores


def _score_inherited(bounds: tuple[int, int]) -> np.ndarray:
    texts, analyzer = inherited()
    return _score_chunk(texts[bounds[0]:bounds[1]], analyzer)


def _scores(texts: list[str], n_jobs: int | None) -> np.ndarray:
    """VADER scores and word counts of ``texts`` (as :func:`_score_chunk`), in forked workers
    from ``_PARALLEL_FROM`` texts on."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    n_jobs = int(n_jobs if n_jobs is not None else setting("analysis_workers"))
    if n_jobs > 1 and len(texts) >= _PARALLEL_FROM:
        parts = map_forked(_score_inherited, even_bounds(len(texts), n_jobs), (texts, analyzer), n_jobs)
        if parts is not None:
            return np.vstack(parts)
    return _score_chunk(texts, analyzer)


def _aggregate(tone: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The tone measures of ``tone`` rows (with a ``part`` column) per group of ``keys``."""
    frame = tone.assign(
        is_negative=(tone["compound"] <= NEGATIVE_AT).astype("float64"),
        is_positive=(tone["compound"] >= POSITIVE_AT).astype("float64"),
    )
    return frame.groupby(keys, sort=True, dropna=False).agg(
        sentences=("compound", "size"), words=("words", "sum"), mean_compound=("compound", "mean"),
        negative_share=("is_negative", "mean"), positive_share=("is_positive", "mean"),
    ).reset_index()


def _with_part(tone: pd.DataFrame) -> pd.DataFrame:
    return tone.assign(part=np.where(tone["is_headline"].astype(bool), "headline", "body"))


def article_tone(tone: pd.DataFrame) -> pd.DataFrame:
    """Tone per article, headline apart from body, own voice apart from quoted text.

    Args:
        tone: a :func:`sentence_tone` frame.

    Returns:
        One row per (article, part, voice) with sentences, columns
        :data:`ARTICLE_TONE_COLUMNS`: ``article_id``, ``part`` (``headline`` or ``body``),
        ``voice`` (``own`` or ``quoted``), ``sentences`` (sentence parts behind the
        figures), ``words``, ``mean_compound`` (plain mean over those sentences),
        ``negative_share`` and ``positive_share`` (of sentences at compound ≤ −0.05 and
        ≥ 0.05).
    """
    return _aggregate(_with_part(tone), ["article_id", "part", "voice"])[ARTICLE_TONE_COLUMNS]


def tone_by_outlet(
    tone: pd.DataFrame, articles: pd.DataFrame, *, min_sentences: int = MIN_SENTENCES
) -> pd.DataFrame:
    """Tone per event and outlet, headline apart from body, own voice apart from quoted text.

    Figures are over all the outlet's sentences in the event (an article with many
    sentences weighs more than a short one), not means of article means.

    Args:
        tone: a :func:`sentence_tone` frame.
        articles: columns ``article_id``, ``outlet`` and optionally ``event_id`` (without
            it, all articles are one event, ``event_id`` None).
        min_sentences: fewest sentences behind a figure without a note.

    Returns:
        One row per (event, outlet, part, voice) with sentences, columns
        :data:`OUTLET_TONE_COLUMNS`: ``event_id``, ``outlet``, ``part``, ``voice``,
        ``articles`` (of the outlet with such sentences), then the measures of
        :func:`article_tone`, and ``note`` ("rests on N sentences" below
        ``min_sentences``, else None). Articles missing from ``articles`` are left out.
    """
    owners = articles[["article_id", "outlet"]].assign(
        event_id=articles["event_id"] if "event_id" in articles.columns else None)
    frame = _with_part(tone).merge(owners, on="article_id", how="inner")
    keys = ["event_id", "outlet", "part", "voice"]
    table = _aggregate(frame, keys)
    counts = frame.groupby(keys, sort=True, dropna=False)["article_id"].nunique().rename("articles").reset_index()
    table = table.merge(counts, on=keys, how="left")
    table["note"] = [
        f"rests on {n} sentence{'s' if n != 1 else ''}: too few to describe the outlet's tone"
        if n < min_sentences else None
        for n in table["sentences"]
    ]
    return table[OUTLET_TONE_COLUMNS]


_VOICE_COLORS = {"own": "#4c78a8", "quoted": "#f58518"}


def tone_chart(tone_table: pd.DataFrame, *, title: str = "Tone by outlet: own voice and quoted text") -> alt.Chart:
    """Mean compound tone per outlet, own voice and quoted text side by side, headline and
    body in separate panels.

    Args:
        tone_table: a :func:`tone_by_outlet` frame, usually of one event (rows of several
            events are drawn over each other).
        title: the chart title.

    Returns:
        Horizontal bars: outlets on the y axis, ``mean_compound`` (−1 to 1) on the x axis,
        one bar per voice, one panel per part; tooltips give the sentences behind each bar.
    """
    data = tone_table.assign(note=tone_table["note"].fillna(""))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("outlet:N", title="Outlet"),
            yOffset=alt.YOffset("voice:N", sort=list(_VOICE_COLORS)),
            x=alt.X("mean_compound:Q", title="Mean tone (VADER compound)", scale=alt.Scale(domain=[-1, 1])),
            color=alt.Color("voice:N", title="Voice", sort=list(_VOICE_COLORS),
                            scale=alt.Scale(domain=list(_VOICE_COLORS), range=list(_VOICE_COLORS.values()))),
            opacity=alt.condition("datum.note == ''", alt.value(1.0), alt.value(0.4)),
            tooltip=[
                alt.Tooltip("outlet:N", title="Outlet"),
                alt.Tooltip("part:N", title="Part"),
                alt.Tooltip("voice:N", title="Voice"),
                alt.Tooltip("mean_compound:Q", title="Mean compound", format=".2f"),
                alt.Tooltip("sentences:Q", title="Sentences"),
                alt.Tooltip("negative_share:Q", title="Negative sentences", format=".0%"),
                alt.Tooltip("positive_share:Q", title="Positive sentences", format=".0%"),
                alt.Tooltip("note:N", title="Note"),
            ],
        )
        .facet(column=alt.Column("part:N", title=None, sort=["headline", "body"]), title=title)
    )

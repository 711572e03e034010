"""Sentence spans: offsets match the text, never cross paragraphs, and split real prose sensibly."""

import pytest

from analysis.cleaning import clean_article
from analysis.segment import sentence_spans
from tests.conftest import SAMPLE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr. Smith went to Washington. He met U.S. officials.", ["Mr. Smith went to Washington.", "He met U.S. officials."]),
        ('He said: "It is over." Then he left.', ['He said: "It is over."', "Then he left."]),
        ("A Rare Win\n\nThe court ruled for him.", ["A Rare Win", "The court ruled for him."]),
        ("The figure rose 3.5 per cent in 2019. Analysts expected 2.1.", ["The figure rose 3.5 per cent in 2019.", "Analysts expected 2.1."]),
        ("", []),
        ("   \n\n  ", []),
    ],
)
def test_sentences(text, expected):
    assert [text[start:end] for start, end in sentence_spans(text)] == expected


def _check_spans(text):
    spans = sentence_spans(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and piece
        assert "\n\n" not in piece
        previous_end = end
    # Every non-space character is inside some sentence.
    covered = set()
    for start, end in spans:
        covered.update(range(start, end))
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)
    return spans


def test_seed_articles_segment_cleanly():
    for path in sorted(SAMPLE.glob("*.txt")):
        cleaned = clean_article(path.read_text(encoding="utf-8"), title_in_text=True)
        spans = _check_spans(cleaned.text)
        assert len(spans) >= 10


def test_fallback_when_text_has_characters_the_fast_walk_cannot_align():
    # A sentence spanning a single newline and odd spacing still gets exact offsets.
    text = "First line of a sentence\ncontinues here. Second  sentence.\n\nNew paragraph."
    spans = _check_spans(text)
    assert [text[s:e] for s, e in spans][-1] == "New paragraph."


def test_unicode_offsets_are_character_offsets():
    text = "Café owners in Zürich protested. Naïve plans — they said — failed."
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Café owners in Zürich protested.",
        "Naïve plans — they said — failed.",
    ]

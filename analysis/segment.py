"""Sentence spans with character offsets into the cleaned text.

Segmentation uses Bling Fire's finite-state sentence breaker: on the
article-bias corpus it runs at about 20 MB/s of text per core against about
0.7 MB/s for syntok and 0.2 MB/s for pysbd, and agrees with pysbd on most
boundaries (``bench/segmentation.py`` prints the figures). A sentence never
crosses a paragraph break.

Bling Fire returns sentence strings with newlines turned into spaces but every
other character in place, so spans are recovered by walking the text once; the
slower offsets call of the library is the fallback when that walk disagrees.

Example:
    >>> sentence_spans("Mr. Smith left. He was 39.\\n\\nNew paragraph")
    [(0, 15), (16, 26), (28, 41)]
"""

from __future__ import annotations

import blingfire

__all__ = ["sentence_spans"]


def _walk_spans(text: str, sentences: list[str]) -> list[tuple[int, int]] | None:
    """Spans of ``sentences`` in ``text``, or None when they do not line up character by character."""
    spans = []
    cursor = 0
    length = len(text)
    for sentence in sentences:
        if not sentence:
            continue
        while cursor < length and text[cursor].isspace():
            cursor += 1
        end = cursor + len(sentence)
        if text[cursor:end].replace("\n", " ") != sentence:
            return None
        spans.append((cursor, end))
        cursor = end
    return spans


def _split_at_paragraphs(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Split spans at blank lines, so headings and paragraphs never merge into one sentence."""
    result = []
    for start, end in spans:
        piece_start = start
        while (cut := text.find("\n\n", piece_start, end)) != -1:
            if text[piece_start:cut].strip():
                result.append((piece_start, cut))
            piece_start = cut + 2
            while piece_start < end and text[piece_start].isspace():
                piece_start += 1
        if piece_start < end:
            result.append((piece_start, end))
    return result


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` character offsets of each sentence of ``text``.

    ``text[start:end]`` is the sentence, stripped of surrounding whitespace; spans are
    in order and do not overlap.
    """
    if not text.strip():
        return []
    spans = _walk_spans(text, blingfire.text_to_sentences(text).split("\n"))
    if spans is None:
        spans = [
            (start + offset, end + offset)
            for offset, paragraph in _paragraphs_with_offsets(text)
            for start, end in blingfire.text_to_sentences_and_offsets(paragraph)[1]
        ]
    trimmed = []
    # Bling Fire keeps a trailing "\r" (and other odd whitespace) inside the sentence.
    for start, end in _split_at_paragraphs(text, spans):
        sentence = text[start:end]
        stripped = sentence.strip()
        if stripped:
            start += len(sentence) - len(sentence.lstrip())
            trimmed.append((start, start + len(stripped)))
    return trimmed


def _paragraphs_with_offsets(text: str) -> list[tuple[int, str]]:
    paragraphs = []
    offset = 0
    for paragraph in text.split("\n\n"):
        if paragraph.strip():
            paragraphs.append((offset, paragraph))
        offset += len(paragraph) + 2
    return paragraphs

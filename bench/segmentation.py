"""Sentence segmentation: speed and agreement of Bling Fire (used), syntok and pysbd.

Reads the first N articles of the article-bias corpus, cleans them as ingest does,
and segments the cleaned text paragraph by paragraph with each library. pysbd is
the accuracy reference (rule-based, the most careful of the three), so agreement
is the F1 of sentence-end positions against pysbd on the subset pysbd can process
in reasonable time. Speed ratios are against pysbd, run in the same process.

    python bench/segmentation.py [--articles 2000] [--reference-articles 300]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import time

import pysbd
import syntok.segmenter

from analysis.cleaning import clean_article
from analysis.segment import sentence_spans
from bench._common import ARTICLE_BIAS, print_table, require


def _blingfire(text: str) -> list[int]:
    return [end for _, end in sentence_spans(text)]


def _syntok(text: str) -> list[int]:
    ends = []
    offset = 0
    for paragraph in text.split("\n\n"):
        for sentences in syntok.segmenter.analyze(paragraph):
            for sentence in sentences:
                last = sentence[-1]
                ends.append(offset + last.offset + len(last.value))
        offset += len(paragraph) + 2
    return ends


_PYSBD = pysbd.Segmenter(language="en", clean=False, char_span=True)


def _pysbd(text: str) -> list[int]:
    ends = []
    offset = 0
    for paragraph in text.split("\n\n"):
        for span in _PYSBD.segment(paragraph):
            ends.append(offset + len(paragraph[: span.end].rstrip()))
        offset += len(paragraph) + 2
    return ends


SEGMENTERS = {"blingfire (used)": _blingfire, "syntok": _syntok, "pysbd": _pysbd}


def _f1(predicted: list[list[int]], reference: list[list[int]]) -> float:
    hits = sum(len(set(p) & set(r)) for p, r in zip(predicted, reference))
    precision = hits / max(1, sum(map(len, predicted)))
    recall = hits / max(1, sum(map(len, reference)))
    return 2 * precision * recall / max(1e-9, precision + recall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--reference-articles", type=int, default=300)
    options = parser.parse_args()
    with gzip.open(require(ARTICLE_BIAS), "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in itertools.islice(handle, options.articles)]
    texts = [clean_article(r["text"], title=r.get("title")).text for r in records]
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    reference_texts = texts[: options.reference_articles]
    reference = [_pysbd(t) for t in reference_texts]

    rows = []
    timings = {}
    for name, segment in SEGMENTERS.items():
        subset = reference_texts if name == "pysbd" else texts
        started = time.perf_counter()
        sentences = sum(len(segment(t)) for t in subset)
        seconds = time.perf_counter() - started
        subset_mb = sum(len(t.encode("utf-8")) for t in subset) / 1e6
        timings[name] = subset_mb / seconds
        agreement = _f1([segment(t) for t in reference_texts], reference)
        rows.append([name, len(subset), sentences, f"{subset_mb:.1f}", f"{seconds:.2f}", f"{subset_mb / seconds:.2f}", f"{agreement:.3f}"])
    for row in rows:
        row.append(f"{timings[row[0]] / timings['pysbd']:.0f}×")
    print_table(
        f"Sentence segmentation on article_bias_prediction (cleaned text, {megabytes:.1f} MB in {len(texts)} articles)",
        ["segmenter", "articles", "sentences", "MB", "seconds", "MB/s", "boundary F1 vs pysbd", "speed vs pysbd"],
        rows,
    )
    print("\nAt these rates the 37,554-article corpus (~223 MB) takes: "
          + ", ".join(f"{name} {223 / rate:,.0f} s" for name, rate in timings.items()))


if __name__ == "__main__":
    main()

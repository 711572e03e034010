"""Direct quotations and their speakers against PolNeAR's hand-annotated attributions.

Scores :func:`analysis.quotes.find_quotes` (the function ``coverage-lens quotes``
runs on each article) on ``polnear_train`` (840 US election articles, 2016).

**Gold quotes** are the attributions whose content has quote marks
(``content_has_quote_marks``). PolNeAR's content span is the whole attributed
content, which for a partial quote includes the paraphrase around it (``Trump
said Iowa's caucus system is “complex” and he feels ...``); the gold *quote* is
the quoted part of it: from its first double quote mark to its last, marks
included (when it has one mark only, from that mark to the span's other end).
Attributions with the same quoted part are one gold quote with several sources.

**Match**: a predicted quote P matches a gold quote G when
``|P ∩ G| / max(|P|, |G|) ≥ 0.5`` (characters), i.e. each covers at least half of
the other. Precision = matched predictions / predictions, recall = matched gold
quotes / gold quotes. For each matched gold quote, the best-overlapping prediction is
judged: **speaker** correct when its speaker span overlaps a gold source span (the
mention next to the cue, so a gold ``he`` is matched by a predicted ``he``; the name a
pronoun resolves to is not in the gold and is not scored), or, for a gold quote
without source, when no speaker is predicted; **cue** correct when the predicted cue
word occurs in the gold cue span. A second row scores against the raw content spans
(no quoted-part reduction), to show what the reduction changes.

**Baseline** in the same run: every text between a pair of double quote marks in a
paragraph (``“…”`` or ``"…"``), speaker = the nearest capitalised word run outside
quotes in the same paragraph, cue = the nearest reporting verb.

    python bench/quotes.py [--limit N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import regex

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.quotes import find_quotes, quote_records  # noqa: E402
from bench._common import CORPORA, print_table, require  # noqa: E402

POLNEAR = CORPORA / "polnear_train" / "polnear_train.jsonl"
TARGETS = {"F1": 0.85, "speaker": 0.85}
_DOUBLE = regex.compile('[“”"„‟«»]')
_CUE_WORD = regex.compile(
    r"\b(?:says?|said|told|tells?|added|adds|according to|wrote|writes|tweeted|insisted|asked|explained|noted)\b",
    regex.IGNORECASE,
)


def load(limit: int | None = None, path: Path = POLNEAR) -> list[dict]:
    """The corpus records (``id``, ``text``, ``attributions``), the first ``limit`` when given."""
    records = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            records.append(json.loads(line))
            if limit and len(records) >= limit:
                break
    return records


def gold_quotes(record: dict, *, quoted_part: bool = True) -> list[dict]:
    """Gold quotes of one record: ``start``, ``end``, ``sources`` (list of spans or None), ``cues``."""
    text = record["text"]
    by_span: dict[tuple[int, int], dict] = {}
    for attribution in record.get("attributions") or []:
        if not attribution.get("content_has_quote_marks"):
            continue
        content = attribution["content"]
        start, end = content["start"], content["end"]
        if quoted_part:
            marks = [m.start() for m in _DOUBLE.finditer(text, start, end)]
            if not marks:
                continue
            if len(marks) >= 2:
                start, end = marks[0], marks[-1] + 1
            elif marks[0] - start <= end - marks[0]:
                start = marks[0]
            else:
                end = marks[0] + 1
        gold = by_span.setdefault((start, end), {"start": start, "end": end, "sources": [], "cues": []})
        source = attribution.get("source")
        gold["sources"].append((source["start"], source["end"]) if source else None)
        gold["cues"].append(attribution["cue"]["text"] if attribution.get("cue") else "")
    return list(by_span.values())


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def match_share(predicted: tuple[int, int], gold: tuple[int, int]) -> float:
    """``|P ∩ G| / max(|P|, |G|)`` in characters."""
    longest = max(predicted[1] - predicted[0], gold[1] - gold[0], 1)
    return _overlap(predicted, gold) / longest


def score(predictions: list[list[dict]], golds: list[list[dict]], threshold: float = 0.5) -> dict:
    """Span precision/recall/F1 and speaker and cue accuracy over matched gold quotes.

    ``predictions`` and ``golds`` are per article, aligned; a prediction has ``start``,
    ``end``, ``speaker_start``, ``speaker_end``, ``cue``.
    """
    n_predicted = sum(len(p) for p in predictions)
    n_gold = sum(len(g) for g in golds)
    matched_predicted = matched_gold = speaker_right = cue_right = 0
    for predicted, gold in zip(predictions, golds):
        matched_predicted += sum(
            any(match_share((p["start"], p["end"]), (g["start"], g["end"])) >= threshold for g in gold)
            for p in predicted
        )
        for g in gold:
            shares = [(match_share((p["start"], p["end"]), (g["start"], g["end"])), i) for i, p in enumerate(predicted)]
            best_share, best = max(shares, default=(0.0, -1))
            if best_share < threshold:
                continue
            matched_gold += 1
            p = predicted[best]
            sources = [s for s in g["sources"] if s is not None]
            if p.get("speaker_start") is None:
                speaker_right += not sources
            else:
                speaker_right += any(_overlap((p["speaker_start"], p["speaker_end"]), s) > 0 for s in sources)
            cue = (p.get("cue") or "").lower()
            cue_right += bool(cue) and any(regex.search(rf"\b{regex.escape(cue)}\b", c.lower()) for c in g["cues"])
    precision = matched_predicted / n_predicted if n_predicted else 0.0
    recall = matched_gold / n_gold if n_gold else 0.0
    return {
        "predicted": n_predicted, "gold": n_gold, "precision": precision, "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "speaker": speaker_right / matched_gold if matched_gold else 0.0,
        "cue": cue_right / matched_gold if matched_gold else 0.0,
    }


def product(records: list[dict]) -> tuple[list[list[dict]], float]:
    """``find_quotes`` on each record's raw text, and the seconds it took."""
    started = time.perf_counter()
    predictions = [quote_records(find_quotes(record["text"])) for record in records]
    return predictions, time.perf_counter() - started


def baseline(records: list[dict]) -> tuple[list[list[dict]], float]:
    """Every pair of double quote marks; nearest capitalised run as speaker; nearest cue word."""
    started = time.perf_counter()
    predictions = []
    for record in records:
        text = record["text"]
        rows = []
        for paragraph in regex.finditer(r"[^\n]+", text):
            quotes = [m.span() for m in regex.finditer(r"“[^”\n]*”|\"[^\"\n]*\"", paragraph.group())]
            quotes = [(s + paragraph.start(), e + paragraph.start()) for s, e in quotes]
            names = [
                m.span() for m in regex.finditer(r"\p{Lu}[\p{L}.'’-]*(?:\s+\p{Lu}[\p{L}.'’-]*)*", paragraph.group())
            ]
            names = [(s + paragraph.start(), e + paragraph.start()) for s, e in names]
            names = [n for n in names if not any(q[0] <= n[0] < q[1] for q in quotes)]
            cues = [(m.start() + paragraph.start(), m.group()) for m in _CUE_WORD.finditer(paragraph.group())]
            for start, end in quotes:
                name = min(names, key=lambda n, s=start, e=end: _distance(n[0], s, e), default=None)
                cue = min(cues, key=lambda c, s=start, e=end: _distance(c[0], s, e), default=None)
                rows.append({
                    "start": start, "end": end, "speaker_start": name[0] if name else None,
                    "speaker_end": name[1] if name else None, "cue": cue[1] if cue else None,
                })
        predictions.append(rows)
    return predictions, time.perf_counter() - started


def _distance(position: int, start: int, end: int) -> int:
    """Characters from ``position`` to the span ``[start, end)`` (0 inside it)."""
    return start - position if position < start else max(0, position - end)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="Score only the first N articles.")
    options = parser.parse_args()
    records = load(options.limit, require(POLNEAR))
    quoted = [gold_quotes(record) for record in records]
    raw = [gold_quotes(record, quoted_part=False) for record in records]
    rows = []
    for label, (predictions, seconds) in (("coverage-lens quotes", product(records)), ("baseline: marks + nearest name", baseline(records))):
        for gold_label, gold in (("quoted part", quoted), ("whole content span", raw)):
            scores = score(predictions, gold)
            rows.append([
                label, gold_label, f"{scores['gold']:,}", f"{scores['predicted']:,}", f"{scores['precision']:.3f}",
                f"{scores['recall']:.3f}", f"{scores['f1']:.3f}", f"{scores['speaker']:.3f}", f"{scores['cue']:.3f}",
                f"{1000 * seconds / len(records):.2f}",
            ])
    print_table(
        f"Direct quotes on polnear_train ({len(records)} articles); match: |P∩G| / max(|P|,|G|) ≥ 0.5; "
        f"targets F1 ≥ {TARGETS['F1']}, speaker ≥ {TARGETS['speaker']}",
        ["method", "gold span", "gold quotes", "predicted", "precision", "recall", "F1", "speaker acc.", "cue acc.",
         "ms/article"],
        rows,
    )


if __name__ == "__main__":
    main()

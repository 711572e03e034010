"""Event grouping quality: ``coverage-lens group`` against gold events, beside a naive baseline.

For ECB+ (43 pairs of look-alike events) and NewsWCL50 (10 events × 5 outlets),
runs the real entry point ``coverage-lens group INPUT --out OUT.csv`` with
default settings and scores its ``event_id`` column against the gold
``event_id``: BCubed and pairwise precision, recall and F1. The baseline, in
the same run, is plain TF-IDF of headline + body (sublinear tf, English stop
words) with average-link clustering of the full cosine matrix cut at one
global threshold (``--baseline-threshold``, default 0.2).

    python bench/events.py
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfVectorizer

from analysis.evaluation import clustering_scores
from bench._common import CORPORA, print_table, require

CORPUS_FILES = {"NewsWCL50": CORPORA / "newswcl50" / "newswcl50.jsonl", "ECB+": CORPORA / "ecbplus" / "ecbplus.jsonl"}
TARGETS = {"NewsWCL50": 0.95, "ECB+": 0.85}


def _gold(path: Path) -> pd.DataFrame:
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    return pd.DataFrame({"id": [r["id"] for r in rows], "gold": [r["event_id"] for r in rows],
                         "title": [r.get("title") or "" for r in rows], "text": [r.get("text") or "" for r in rows]})


def _product(path: Path, folder: Path) -> tuple[pd.DataFrame, float]:
    out = folder / f"{path.stem}.csv"
    command = [str(Path(sys.executable).parent / "coverage-lens"), "group", str(path), "--out", str(out)]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return pd.read_csv(out, dtype=str), time.perf_counter() - started


def _baseline(gold: pd.DataFrame, threshold: float) -> tuple[np.ndarray, float]:
    started = time.perf_counter()
    matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(gold["title"] + "\n" + gold["text"])
    distance = np.clip(1.0 - (matrix @ matrix.T).toarray(), 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    labels = fcluster(linkage(squareform(distance, checks=False), method="average"), t=1 - threshold, criterion="distance")
    return labels, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-threshold", type=float, default=0.2)
    options = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, path in CORPUS_FILES.items():
            gold = _gold(require(path))
            grouped, seconds = _product(path, Path(folder))
            merged = gold.merge(grouped, on="id", how="left", validate="one_to_one")
            missing = int(merged["event_id"].isna().sum())
            merged["event_id"] = merged["event_id"].fillna(merged["id"])
            for label, predicted, elapsed in (
                ("coverage-lens group (defaults)", merged["event_id"], seconds),
                (f"baseline: full matrix, average link at {options.baseline_threshold}",
                 *_baseline(gold, options.baseline_threshold)),
            ):
                scores = clustering_scores(list(predicted), list(gold["gold"]))
                rows.append([
                    name, label, f"{len(gold):,}", f"{scores['gold_clusters']}", f"{scores['clusters']}",
                    f"{scores['bcubed_precision']:.3f}", f"{scores['bcubed_recall']:.3f}", f"{scores['bcubed_f1']:.3f}",
                    f"{scores['pairwise_f1']:.3f}", f"{elapsed:.1f}",
                    f"≥ {TARGETS[name]}" if label.startswith("coverage") else "",
                ])
            if missing:
                print(f"warning: {missing} {name} articles had no row in the group output")
    print_table(
        "Event grouping against gold events (BCubed and pairwise scores)",
        ["corpus", "method", "articles", "gold events", "events", "B³ P", "B³ R", "B³ F1", "pairwise F1",
         "seconds", "target B³ F1"],
        rows,
    )


if __name__ == "__main__":
    main()

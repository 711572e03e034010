"""Train the shipped claim-pair scorer on the development pairs and write it as JSON.

Fits :class:`analysis.matching.ClaimPairScorer` (default parameters, seed 0) on every
pair of ``../shared/corpora/claim_pairs_dev/pairs.jsonl`` and writes
``analysis/models/pair_scorer.json``; the same input gives the same bytes. With
``--thresholds`` it also prints the decision thresholds chosen on out-of-fold
scores (5-fold cross-validation), the values behind the settings
``pair_same_threshold`` (best MRPC accuracy) and ``pair_related_threshold``
(best accuracy at telling STS news pairs scored 2 or more, "share some
details", from the rest).

    python bench/train_pair_scorer.py [--thresholds] [--out FILE]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.matching import MODEL_PATH, best_threshold, out_of_fold_scores, train_pair_scorer, training_targets
from bench._common import CORPORA, require

PAIRS = CORPORA / "claim_pairs_dev" / "pairs.jsonl"


def read_pairs() -> pd.DataFrame:
    return pd.read_json(require(PAIRS), lines=True, dtype={"id": str})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--thresholds", action="store_true", help="also choose thresholds by cross-validation")
    options = parser.parse_args()
    pairs = read_pairs()
    started = time.perf_counter()
    train_pair_scorer(pairs).save(options.out)
    print(f"trained on {len(pairs):,} pairs in {time.perf_counter() - started:.1f} s; written to {options.out}")
    if options.thresholds:
        scores = out_of_fold_scores(pairs)
        targets = training_targets(pairs)
        labelled = pairs["label"].notna().to_numpy()
        same = best_threshold(scores[labelled], targets[labelled])
        related = best_threshold(scores[~labelled], targets[~labelled] * 5 >= 2)
        print(f"pair_same_threshold {same:.2f} (MRPC accuracy "
              f"{np.mean((scores[labelled] >= same) == targets[labelled]):.3f} out of fold)")
        print(f"pair_related_threshold {related:.2f}")


if __name__ == "__main__":
    main()

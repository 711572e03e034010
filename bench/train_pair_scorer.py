"""Train a shipped claim-pair scorer on the development pairs and write it as JSON.

Fits :class:`analysis.matching.ClaimPairScorer` (default parameters, seed 0) on every
pair of ``../shared/corpora/claim_pairs_dev/pairs.jsonl`` and writes
``analysis/models/pair_scorer.json`` (``--backend tfidf``, the default) or
``analysis/models/pair_scorer_semantic.json`` (``--backend semantic``: lexical and
sentence-embedding features, needs the ``semantic`` extra); the same input gives the
same bytes. With ``--thresholds`` it also prints the decision thresholds chosen on
out-of-fold scores (5-fold cross-validation), the values behind the backend's settings
(:data:`analysis.matching.THRESHOLD_SETTINGS`): the same threshold (best MRPC accuracy),
the related threshold (best accuracy at telling STS news pairs scored 2 or more, "share
some details", from the rest) and the conflict threshold (the same threshold: a
conflicting pair is one that would be the same claim but for its figures). ``--repeats N``
averages the accuracies of N cross-validations (fold seeds 0..N-1) before choosing: the
semantic scorer's MRPC accuracy is flat over a wide range of cuts, and one run's best
sits wherever its folds' noise puts it (its settings: ``--backend semantic --thresholds
--repeats 3``).

    python bench/train_pair_scorer.py [--backend tfidf|semantic] [--thresholds [--repeats N]] [--out FILE]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.matching import (
    BACKENDS,
    MODEL_PATH,
    SEMANTIC_MODEL_PATH,
    THRESHOLD_SETTINGS,
    out_of_fold_scores,
    train_pair_scorer,
    training_targets,
)
from bench._common import CORPORA, require

PAIRS = CORPORA / "claim_pairs_dev" / "pairs.jsonl"


def read_pairs() -> pd.DataFrame:
    return pd.read_json(require(PAIRS), lines=True, dtype={"id": str})


def with_embedding_features(pairs: pd.DataFrame) -> pd.DataFrame:
    """``pairs`` with the embedding feature columns added, measured once for training and every fold."""
    from analysis.semantic import embedding_features

    return pd.concat([pairs.reset_index(drop=True), embedding_features(pairs["sentence_a"], pairs["sentence_b"])],
                     axis=1)


def best_mean_threshold(runs: list[np.ndarray], labels) -> float:
    """The cut in [0.05, 0.95] (steps of 0.01) with the highest accuracy averaged over ``runs``
    of scores; the lowest such cut on ties (:func:`analysis.matching.best_threshold` for one run)."""
    labels = np.asarray(labels, dtype=int)
    cuts = np.round(np.arange(0.05, 0.955, 0.01), 2)
    accuracy = [np.mean([((scores >= cut) == labels).mean() for scores in runs]) for cut in cuts]
    return float(cuts[int(np.argmax(accuracy))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=BACKENDS, default="tfidf")
    parser.add_argument("--out", type=Path, default=None, help="model file (default: the backend's shipped one)")
    parser.add_argument("--thresholds", action="store_true", help="also choose thresholds by cross-validation")
    parser.add_argument("--repeats", type=int, default=1, help="cross-validations (fold seeds) to average")
    options = parser.parse_args()
    out = options.out or (SEMANTIC_MODEL_PATH if options.backend == "semantic" else MODEL_PATH)
    pairs = read_pairs()
    started = time.perf_counter()
    if options.backend == "semantic":
        from analysis.semantic import MISSING_EXTRA, semantic_available

        if not semantic_available():
            sys.exit(MISSING_EXTRA)
        pairs = with_embedding_features(pairs)
        print(f"embedded {len(pairs):,} pairs in {time.perf_counter() - started:.1f} s")
    train_pair_scorer(pairs, backend=options.backend).save(out)
    print(f"trained on {len(pairs):,} pairs in {time.perf_counter() - started:.1f} s; written to {out}")
    if options.thresholds:
        runs = [out_of_fold_scores(pairs, random_state=seed, backend=options.backend)
                for seed in range(options.repeats)]
        targets = training_targets(pairs)
        labelled = pairs["label"].notna().to_numpy()
        same = best_mean_threshold([scores[labelled] for scores in runs], targets[labelled])
        related = best_mean_threshold([scores[~labelled] for scores in runs], targets[~labelled] * 5 >= 2)
        same_name, related_name, conflict_name = THRESHOLD_SETTINGS[options.backend]
        accuracy = np.mean([np.mean((scores[labelled] >= same) == targets[labelled]) for scores in runs])
        print(f"{same_name} {same:.2f} (MRPC accuracy {accuracy:.3f} out of fold)")
        print(f"{related_name} {related:.2f}")
        print(f"{conflict_name} {same:.2f}")


if __name__ == "__main__":
    main()

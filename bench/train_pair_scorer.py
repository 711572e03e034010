"""Train a shipped claim-pair scorer on the development pairs and write it as JSON.

Fits :class:`analysis.matching.ClaimPairScorer` (default parameters, seed 0) on every
pair of ``../shared/corpora/claim_pairs_dev/pairs.jsonl`` and writes
``analysis/models/pair_scorer.json`` (``--backend tfidf``, the default) or
``analysis/models/pair_scorer_semantic.json`` (``--backend semantic``: lexical and
sentence-embedding features and the pair encoder's logit, needs the ``semantic`` extra); the
same input gives the same bytes. The semantic backend first fine-tunes the pair encoder
(:mod:`analysis.pair_encoder`) on every pair and writes ``analysis/models/pair_encoder.safetensors``
(with ``--out FILE``, beside it with the suffix ``.safetensors``); the trees learn from its
out-of-fold logits (five more fine-tunings, cached in ``bench/.cache/``), about 40 minutes in all
on two cores the first time. With ``--thresholds`` it also prints the decision thresholds chosen on
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
    pair_folds,
    train_pair_scorer,
    training_targets,
)
from bench._common import CORPORA, require

PAIRS = CORPORA / "claim_pairs_dev" / "pairs.jsonl"
CACHE = Path(__file__).resolve().parent / ".cache"


def read_pairs() -> pd.DataFrame:
    return pd.read_json(require(PAIRS), lines=True, dtype={"id": str})


def out_of_fold_encoder_logits(pairs: pd.DataFrame, *, random_state: int = 0) -> np.ndarray:
    """The pair encoder's out-of-fold logits of ``pairs`` (:func:`analysis.pair_encoder.out_of_fold_pair_encoder_logits`
    over the folds of :func:`analysis.matching.out_of_fold_scores`, fold seed ``random_state``).

    Five fine-tunings take about half an hour on two cores, so the logits are kept in
    ``bench/.cache/`` under a hash of everything they depend on: the pairs, their targets, the
    training recipe, the fold seed and the torch version.
    """
    import hashlib
    import json

    import torch

    from analysis.pair_encoder import TRAINING, out_of_fold_pair_encoder_logits

    targets = training_targets(pairs)
    key = hashlib.sha256(json.dumps([
        pairs["id"].astype(str).tolist(), pairs["sentence_a"].astype(str).tolist(),
        pairs["sentence_b"].astype(str).tolist(), targets.tolist(), TRAINING, random_state, torch.__version__,
    ]).encode()).hexdigest()[:16]
    cached = CACHE / f"pair_encoder_oof_{key}.npy"
    if cached.is_file():
        return np.load(cached)
    started = time.perf_counter()
    folds = pair_folds(pairs, random_state=random_state)
    logits = out_of_fold_pair_encoder_logits(pairs["sentence_a"], pairs["sentence_b"], targets, folds)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(cached, logits)
    print(f"pair encoder: {len(folds)} fold models in {time.perf_counter() - started:.0f} s; logits kept in {cached}")
    return logits


def with_embedding_features(pairs: pd.DataFrame, *, random_state: int = 0) -> pd.DataFrame:
    """``pairs`` with the embedding feature columns added, measured once for training and every fold,
    and the pair encoder's logit out of fold (fold seed ``random_state``): the logit of the shipped
    encoder, trained on every pair, would be an in-sample feature."""
    from analysis.pair_encoder import PAIR_ENCODER_FEATURE
    from analysis.semantic import embedding_features

    pairs = pairs.reset_index(drop=True)
    measured = pd.concat([pairs, embedding_features(pairs["sentence_a"], pairs["sentence_b"])], axis=1)
    measured[PAIR_ENCODER_FEATURE] = out_of_fold_encoder_logits(pairs, random_state=random_state)
    return measured


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
        from analysis.pair_encoder import PAIR_ENCODER_PATH, fit_pair_encoder, save_pair_encoder

        encoder_out = PAIR_ENCODER_PATH if options.out is None else options.out.with_suffix(".safetensors")
        save_pair_encoder(fit_pair_encoder(pairs["sentence_a"], pairs["sentence_b"], training_targets(pairs)),
                          encoder_out)
        print(f"pair encoder fine-tuned on {len(pairs):,} pairs in {time.perf_counter() - started:.0f} s; "
              f"written to {encoder_out}")
        started = time.perf_counter()
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

"""Claim-pair matching quality on the development pairs, cross-validated, beside plain cosines.

Every method is scored out of fold (5 folds, seed 0): each pair's score comes from a
model trained without its fold, because the shipped models were trained on all of
these pairs and would be judged in-sample otherwise. Rows:

- ``match-pairs (tfidf)``: :class:`analysis.matching.ClaimPairScorer`, as
  ``coverage-lens match-pairs`` scores it; ``same_claim`` at the setting
  ``pair_same_threshold`` (chosen on these out-of-fold scores, see
  bench/train_pair_scorer.py), at the accuracy-best threshold of the training folds,
  and at their F1-best threshold (:func:`analysis.matching.best_threshold` with
  ``metric="f1"``: each fold's cut is chosen on the other folds only).
- ``match-pairs (semantic)``: the same with ``--backend semantic`` (lexical and
  sentence-embedding features, :mod:`analysis.semantic`, and the logit of the fine-tuned
  cross-encoder, :mod:`analysis.pair_encoder`, itself out of fold: each pair's logit comes
  from an encoder fine-tuned on the other four folds of seed 0, cached in ``bench/.cache/``
  after the first run, which takes about half an hour more), at the setting
  ``semantic_same_threshold`` and at the training folds' two thresholds. Needs the
  ``semantic`` extra; without it (or with ``--backend tfidf``) one line says these rows were skipped.
- ``baseline: embedding cosine``: the cosine of the two sentences' all-MiniLM-L6-v2
  embeddings alone, threshold chosen on the training folds.
- ``baseline: TF-IDF cosine``: sklearn's TfidfVectorizer (fitted on the training
  folds' sentences) cosine of the two sentences, threshold chosen on the training folds.

Accuracy, F1 and ROC-AUC on the MRPC rows (``label``); Pearson and Spearman on
the STS news rows (``score``); seconds per 1,000 pairs of scoring with the shipped model
(all pairs for tfidf; the first 1,000 for semantic, the model already loaded).

With ``--repeats N`` a second table gives the mean and standard deviation of the setting rows'
accuracy, F1 and Spearman over N cross-validations (fold seeds 0..N-1): how much of a difference
between two runs is only where the folds fell. The semantic repeats keep seed 0's encoder logits:
every pair's logit still comes from an encoder that never saw it, but the trees of seeds 1.. train
on logits of encoders that saw their test pairs, which flatters those runs slightly.

    python bench/claims.py [--backend all|tfidf] [--repeats N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.stats import pearsonr, spearmanr
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

from analysis.matching import (
    THRESHOLD_SETTINGS,
    best_threshold,
    classify_pairs,
    out_of_fold_scores,
    pair_folds,
    training_targets,
)
from analysis.semantic import MISSING_EXTRA, semantic_available
from analysis.settings import setting
from bench._common import print_table
from bench.train_pair_scorer import read_pairs, with_embedding_features

TARGETS = "accuracy ≥ 0.78, F1 ≥ 0.85 (MRPC); Spearman ≥ 0.80 (STS news)"


def _baseline(pairs, targets, labelled) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold TF-IDF cosine, and per pair the threshold chosen on its training folds."""
    scores, cuts = np.zeros(len(pairs)), np.zeros(len(pairs))
    for train, test in pair_folds(pairs):
        vectorizer = TfidfVectorizer(sublinear_tf=True).fit(
            [*pairs["sentence_a"].iloc[train], *pairs["sentence_b"].iloc[train]]
        )
        for part in (train, test):
            a = vectorizer.transform(pairs["sentence_a"].iloc[part])
            b = vectorizer.transform(pairs["sentence_b"].iloc[part])
            scores[part] = np.asarray(a.multiply(b).sum(axis=1)).ravel()
        mrpc_train = train[labelled[train]]
        cuts[test] = best_threshold(scores[mrpc_train], targets[mrpc_train])
    return scores, cuts


def _fold_thresholds(pairs, targets, labelled, scores, metric: str = "accuracy") -> np.ndarray:
    """Per pair, the ``metric``-best threshold of the other folds' out-of-fold scores."""
    cuts = np.zeros(len(pairs))
    for train, test in pair_folds(pairs):
        mrpc_train = train[labelled[train]]
        cuts[test] = best_threshold(scores[mrpc_train], targets[mrpc_train], metric=metric)
    return cuts


def _row(method, scores, cuts, targets, labelled, seconds_per_k) -> list[object]:
    mrpc, sts = labelled, ~labelled
    decided = scores[mrpc] >= cuts[mrpc]
    return [
        method, f"{mrpc.sum():,}", f"{accuracy_score(targets[mrpc], decided):.3f}",
        f"{f1_score(targets[mrpc], decided):.3f}", f"{roc_auc_score(targets[mrpc], scores[mrpc]):.3f}",
        f"{sts.sum():,}", f"{pearsonr(scores[sts], targets[sts]).statistic:.3f}",
        f"{spearmanr(scores[sts], targets[sts]).statistic:.3f}", seconds_per_k,
    ]


def _spread_row(backend, pairs, targets, labelled, first_scores, repeats: int) -> list[object]:
    """Mean ± standard deviation, over ``repeats`` cross-validations (fold seeds 0..repeats-1; seed 0's
    scores are ``first_scores``, already computed), of accuracy and F1 at the backend's setting
    threshold and of Spearman: how far one run's figures can move."""
    cut = float(setting(THRESHOLD_SETTINGS[backend][0]))
    mrpc, sts = labelled, ~labelled
    figures = []
    runs = [first_scores, *(out_of_fold_scores(pairs, random_state=seed, backend=backend)
                            for seed in range(1, repeats))]
    for scores in runs:
        decided = scores[mrpc] >= cut
        figures.append([accuracy_score(targets[mrpc], decided), f1_score(targets[mrpc], decided),
                        spearmanr(scores[sts], targets[sts]).statistic])
    mean, spread = np.mean(figures, axis=0), np.std(figures, axis=0, ddof=1)
    return [f"match-pairs ({backend}), threshold {cut} (setting)", repeats,
            *(f"{m:.3f} ± {s:.3f}" for m, s in zip(mean, spread))]


def _semantic_rows(pairs, targets, labelled, embedded, scores) -> list[list[object]]:
    """Rows of the semantic backend (its out-of-fold ``scores``) and of the plain embedding cosine
    (``embedded``: ``pairs`` with the embedding features,
    :func:`bench.train_pair_scorer.with_embedding_features`)."""
    timed = pairs.head(1000)
    started = time.perf_counter()
    classify_pairs(timed["sentence_a"], timed["sentence_b"], backend="semantic")
    per_k = f"{(time.perf_counter() - started) / len(timed) * 1000:.2f}"
    default = float(setting("semantic_same_threshold"))
    cosine = embedded["embedding_cosine"].to_numpy()
    return [
        _row(f"match-pairs (semantic), threshold {default} (setting)", scores, np.full(len(pairs), default),
             targets, labelled, per_k),
        _row("match-pairs (semantic), threshold from training folds", scores,
             _fold_thresholds(pairs, targets, labelled, scores), targets, labelled, per_k),
        _row("match-pairs (semantic), F1 threshold from training folds", scores,
             _fold_thresholds(pairs, targets, labelled, scores, "f1"), targets, labelled, per_k),
        _row("baseline: embedding cosine, threshold from training folds", cosine,
             _fold_thresholds(pairs, targets, labelled, cosine), targets, labelled, "–"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("all", "tfidf"), default="all",
                        help="all (default) or tfidf only: skips the semantic rows, which embed every pair (minutes)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="with N > 1, also print the spread of the setting rows over N cross-validations "
                             "(fold seeds 0..N-1)")
    options = parser.parse_args()
    if options.repeats < 1:
        parser.error("--repeats must be at least 1")
    pairs = read_pairs()
    targets = training_targets(pairs)
    labelled = pairs["label"].notna().to_numpy()
    scores = out_of_fold_scores(pairs)
    started = time.perf_counter()
    classify_pairs(pairs["sentence_a"], pairs["sentence_b"])
    per_k = f"{(time.perf_counter() - started) / len(pairs) * 1000:.2f}"
    default = float(setting("pair_same_threshold"))
    baseline, baseline_cuts = _baseline(pairs, targets, labelled)
    rows = [
        _row(f"match-pairs (tfidf), threshold {default} (setting)", scores, np.full(len(pairs), default),
             targets, labelled, per_k),
        _row("match-pairs (tfidf), threshold from training folds", scores,
             _fold_thresholds(pairs, targets, labelled, scores), targets, labelled, per_k),
        _row("match-pairs (tfidf), F1 threshold from training folds", scores,
             _fold_thresholds(pairs, targets, labelled, scores, "f1"), targets, labelled, per_k),
    ]
    embedded = semantic_scores = None
    if options.backend == "tfidf":
        print("semantic rows skipped: --backend tfidf")
    elif semantic_available():
        embedded = with_embedding_features(pairs)  # embeds every pair once, for every fold and seed
        semantic_scores = out_of_fold_scores(embedded, backend="semantic")
        rows += _semantic_rows(pairs, targets, labelled, embedded, semantic_scores)
    else:
        print(f"semantic rows skipped: {MISSING_EXTRA}")
    rows.append(_row("baseline: TF-IDF cosine, threshold from training folds", baseline, baseline_cuts,
                     targets, labelled, "–"))
    print_table(
        f"Claim pairs, 5-fold out-of-fold scores (targets: {TARGETS})",
        ["method", "MRPC pairs", "accuracy", "F1", "ROC-AUC", "STS pairs", "Pearson", "Spearman", "s / 1k pairs"],
        rows,
    )
    if options.repeats > 1:
        spread = [_spread_row("tfidf", pairs, targets, labelled, scores, options.repeats)]
        if embedded is not None:
            spread.append(_spread_row("semantic", embedded, targets, labelled, semantic_scores, options.repeats))
        print_table(f"Spread over {options.repeats} cross-validations (fold seeds 0-{options.repeats - 1}), "
                    "mean ± standard deviation",
                    ["method", "runs", "accuracy", "F1", "Spearman"], spread)


if __name__ == "__main__":
    main()

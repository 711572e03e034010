"""Clustering quality against gold labels: BCubed and pairwise precision, recall and F1.

Example:
    >>> scores = clustering_scores(["a", "a", "b"], ["x", "x", "x"])
    >>> round(scores["bcubed_precision"], 2), round(scores["bcubed_recall"], 2)
    (1.0, 0.56)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["clustering_scores"]


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _pairs(sizes: np.ndarray) -> float:
    """Unordered pairs within clusters of the given sizes."""
    return float(np.sum(sizes * (sizes - 1) / 2))


def clustering_scores(predicted: Sequence, gold: Sequence) -> dict[str, float]:
    """BCubed (Bagga & Baldwin 1998) and pairwise scores of a clustering.

    Args:
        predicted: cluster label per item.
        gold: true label per item, same order.

    Returns:
        ``bcubed_precision``, ``bcubed_recall``, ``bcubed_f1``, ``pairwise_precision``,
        ``pairwise_recall``, ``pairwise_f1``, ``clusters`` and ``gold_clusters``.
    """
    if len(predicted) != len(gold):
        raise ValueError("predicted and gold differ in length")
    frame = pd.DataFrame({"p": pd.factorize(pd.Series(list(predicted)))[0], "g": pd.factorize(pd.Series(list(gold)))[0]})
    joint = frame.groupby(["p", "g"]).size()
    size_p = frame.groupby("p").size()
    size_g = frame.groupby("g").size()
    # Each item in cell (p, g) sees |p∩g| of its cluster-mates in both clusterings.
    cell = joint.to_numpy(dtype=float)
    p_sizes = size_p.loc[joint.index.get_level_values("p")].to_numpy(dtype=float)
    g_sizes = size_g.loc[joint.index.get_level_values("g")].to_numpy(dtype=float)
    n = len(frame)
    bcubed_precision = float(np.sum(cell * cell / p_sizes) / n) if n else 0.0
    bcubed_recall = float(np.sum(cell * cell / g_sizes) / n) if n else 0.0
    true_positive = _pairs(cell)
    predicted_pairs, gold_pairs = _pairs(size_p.to_numpy(dtype=float)), _pairs(size_g.to_numpy(dtype=float))
    pairwise_precision = true_positive / predicted_pairs if predicted_pairs else 1.0
    pairwise_recall = true_positive / gold_pairs if gold_pairs else 1.0
    return {
        "bcubed_precision": bcubed_precision,
        "bcubed_recall": bcubed_recall,
        "bcubed_f1": _f1(bcubed_precision, bcubed_recall),
        "pairwise_precision": pairwise_precision,
        "pairwise_recall": pairwise_recall,
        "pairwise_f1": _f1(pairwise_precision, pairwise_recall),
        "clusters": int(len(size_p)),
        "gold_clusters": int(len(size_g)),
    }

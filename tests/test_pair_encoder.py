"""The pair encoder (analysis/pair_encoder.py): the real all-MiniLM-L6-v2 and the shipped weights, no mocks.

Every test needs the ``semantic`` extra and skips with the install command without it. Fine-tuning
runs on a few invented pairs (seconds); its quality on the development pairs is bench/claims.py's.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis.semantic import MISSING_EXTRA, semantic_available

pytestmark = pytest.mark.skipif(not semantic_available(), reason=f"semantic extra not installed: {MISSING_EXTRA}")

# Invented sentences, but for the seed articles' paraphrase.
SAME = [
    ("The precise location remains unknown.", "The exact whereabouts remain unknown."),
    ("The minister resigned on Friday after the vote.", "After the vote, the minister stepped down on Friday."),
    ("Police arrested two men near the station.", "Two men were arrested by police close to the station."),
    ("The company reported a profit of $5 million.", "The firm posted a $5 million profit."),
]
DIFFERENT = [
    ("The city council approved a new library budget.", "Heavy rain flooded several villages in the north."),
    ("The striker scored twice in the final.", "Inflation rose to four percent in March."),
    ("The bridge will close for repairs next week.", "A new vaccine trial begins in the autumn."),
    ("Shares fell sharply in early trading.", "The museum reopened after a long renovation."),
]


def _columns(pairs):
    return [a for a, _ in pairs], [b for _, b in pairs]


def test_the_shipped_encoder_tells_paraphrases_from_unrelated_pairs():
    from analysis.pair_encoder import PAIR_ENCODER_PATH, pair_encoder_logits

    assert PAIR_ENCODER_PATH.is_file()
    same = pair_encoder_logits(*_columns(SAME))
    different = pair_encoder_logits(*_columns(DIFFERENT))
    assert same.dtype == np.float64 and same.shape == (len(SAME),)
    assert (same > 0).all() and (different < 0).all(), (same, different)


def test_logits_do_not_depend_on_order_or_on_the_other_pairs():
    """Pairs are batched by length, so a pair's padding changes with its neighbours: masked away."""
    from analysis.pair_encoder import pair_encoder_logits

    pairs = SAME + DIFFERENT
    together = pair_encoder_logits(*_columns(pairs))
    reversed_order = pair_encoder_logits(*_columns(pairs[::-1]))[::-1]
    alone = np.array([pair_encoder_logits([a], [b])[0] for a, b in pairs])
    np.testing.assert_allclose(reversed_order, together, atol=1e-5)
    np.testing.assert_allclose(alone, together, atol=1e-5)
    assert pair_encoder_logits([], []).shape == (0,)


def test_fine_tuning_is_reproducible_and_changes_only_the_layers_and_the_head(tmp_path):
    from analysis.pair_encoder import fit_pair_encoder, load_pair_encoder, pair_encoder_logits, save_pair_encoder

    pairs = SAME + DIFFERENT
    targets = [1.0] * len(SAME) + [0.0] * len(DIFFERENT)
    first = fit_pair_encoder(*_columns(pairs), targets, random_state=3)
    second = fit_pair_encoder(*_columns(pairs), targets, random_state=3)
    assert first.keys() == second.keys()
    assert all(np.array_equal(first[name].numpy(), second[name].numpy()) for name in first)
    assert {name.split(".")[0] for name in first} == {"encoder", "head"}
    assert not any("embeddings" in name or "pooler" in name for name in first)
    shipped = load_pair_encoder()
    assert shipped.keys() == first.keys()
    assert not np.array_equal(first["head.weight"].numpy(), shipped["head.weight"].numpy())

    path = tmp_path / "encoder.safetensors"
    save_pair_encoder(first, path)
    loaded = load_pair_encoder(path)
    for name, value in first.items():
        np.testing.assert_array_equal(loaded[name].numpy(), value.half().float().numpy())
    logits = pair_encoder_logits(*_columns(pairs), weights=loaded)
    assert np.isfinite(logits).all()


def test_out_of_fold_logits_come_from_models_that_never_saw_the_pair():
    from analysis.pair_encoder import fit_pair_encoder, out_of_fold_pair_encoder_logits, pair_encoder_logits

    pairs = SAME + DIFFERENT
    targets = np.array([1.0] * len(SAME) + [0.0] * len(DIFFERENT))
    rows = np.arange(len(pairs))
    folds = [(rows[rows % 2 == 0], rows[rows % 2 == 1]), (rows[rows % 2 == 1], rows[rows % 2 == 0])]
    logits = out_of_fold_pair_encoder_logits(*_columns(pairs), targets, folds)
    assert np.isfinite(logits).all()
    # Fold 0's model (seed 0) trained on the even rows scored the odd ones.
    a, b = _columns(pairs)
    odd = rows[rows % 2 == 1]
    weights = fit_pair_encoder([a[i] for i in rows[rows % 2 == 0]], [b[i] for i in rows[rows % 2 == 0]],
                               targets[rows % 2 == 0], random_state=0)
    np.testing.assert_allclose(logits[odd], pair_encoder_logits([a[i] for i in odd], [b[i] for i in odd],
                                                                weights=weights), atol=1e-5)


@pytest.mark.parametrize(("sentences_b", "targets", "message"), [
    (["b"], [1.0, 0.0], "one target per pair"),
    (["b", "c"], [1.0, 1.5], "targets must lie in"),
    (["b", "c"], [1.0, float("nan")], "targets must lie in"),
])
def test_bad_training_input_is_refused_before_any_work(sentences_b, targets, message):
    from analysis.pair_encoder import fit_pair_encoder

    with pytest.raises(ValueError, match=message):
        fit_pair_encoder(["a", "b"], sentences_b, targets)


def test_unequal_pairs_and_a_missing_weights_file_say_what_is_wrong(tmp_path):
    from analysis.pair_encoder import load_pair_encoder, pair_encoder_logits

    with pytest.raises(ValueError, match="1 sentences against 2"):
        pair_encoder_logits(["a"], ["b", "c"])
    with pytest.raises(FileNotFoundError, match="bench/train_pair_scorer.py --backend semantic"):
        load_pair_encoder(tmp_path / "missing.safetensors")


def test_the_scorer_blends_trees_with_and_without_the_encoder_logit():
    """``pair_encoder_weight``: the share of the log-odds from trees that read the logit; the rest
    come from trees that never do. 0 leaves the logit unread, anything outside [0, 1] is refused."""
    from analysis.matching import ClaimPairScorer
    from analysis.semantic import embedding_features

    pairs = SAME + DIFFERENT
    a, b = _columns(pairs * 4)
    X = embedding_features(a, b)
    X.insert(0, "sentence_a", a)
    X.insert(1, "sentence_b", b)
    # Each pair twice as same and twice as different: only the logit can tell the rows apart.
    targets = np.repeat([1.0, 0.0, 1.0, 0.0], len(pairs))
    X["pair_encoder_logit"] = np.where(targets > 0, 2.0, -2.0) + np.linspace(-0.5, 0.5, len(targets))
    params = {"backend": "semantic", "n_trees": 5, "min_samples_leaf": 2}
    blended = ClaimPairScorer(**params).fit(X, targets)
    alone = ClaimPairScorer(**params, pair_encoder_weight=1.0).fit(X, targets)
    without = ClaimPairScorer(**params, pair_encoder_weight=0.0).fit(X, targets)
    logit = blended.feature_names_.index("pair_encoder_logit")

    def reads_logit(scorer):
        return any((tree["feature"][tree["leaf"] == 0] == logit).any() for tree in scorer.trees_)

    assert len(blended.trees_) == 10 and len(alone.trees_) == len(without.trees_) == 5
    assert reads_logit(alone) and not reads_logit(without)
    np.testing.assert_allclose(blended._raw(blended.features(X)),
                               0.5 * alone._raw(alone.features(X)) + 0.5 * without._raw(without.features(X)))
    with pytest.raises(ValueError, match="pair_encoder_weight must lie in"):
        ClaimPairScorer(**params, pair_encoder_weight=1.5).fit(X, targets)

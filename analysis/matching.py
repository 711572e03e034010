"""Do two sentences state the same claim? Lexical pair features, a fitted scorer, four decisions.

Three layers, each usable alone from a notebook:

- :func:`pair_features`: one row of measured lexical features per sentence pair
  (:data:`FEATURES` lists and explains them): TF-IDF cosines of words and of
  character n-grams, content-word overlap, names, figures (via
  :mod:`analysis.numbers`), length, negation, word order.
- :class:`ClaimPairScorer` (scikit-learn's contract): gradient-boosted trees
  (scikit-learn's ``HistGradientBoostingClassifier``) on those features, giving
  a score in [0, 1]. The fitted model ships inside the
  package as plain JSON (``analysis/models/pair_scorer.json``, never a
  pickle), written by ``bench/train_pair_scorer.py`` from the development pairs
  in ``../shared/corpora/claim_pairs_dev`` (MRPC labels, and STS news scores
  0-5 as soft targets score/5). Boosting was chosen over logistic regression
  by cross-validation on those pairs (0.77 against 0.76 accuracy on MRPC).
- :func:`classify_pairs`: ``same`` (score at or above ``pair_same_threshold``),
  ``conflicting`` (figures that contradict each other in a pair that would be
  ``pair_conflict_threshold`` alike if they agreed), ``related`` (at or above
  ``pair_related_threshold``) or ``unrelated``.

**IDF weights** come from the shipped model: document frequencies of the words
of the sentences it was trained on (13,754 news sentences), with unseen words
weighted as the rarest seen. So any input can be scored, a single pair too,
and a sentence's score does not depend on what else is scored with it.

Example:
    >>> table = classify_pairs(["The precise location remains unknown."],
    ...                        ["The exact whereabouts remain unknown."])
    >>> list(table.columns)
    ['score', 'decision']
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from analysis.numbers import _compare_figures, _scan
from analysis.settings import setting

__all__ = [
    "BACKENDS",
    "DECISIONS",
    "FEATURES",
    "MODEL_PATH",
    "ClaimPairScorer",
    "WordWeights",
    "best_threshold",
    "classify_pairs",
    "load_pair_scorer",
    "out_of_fold_scores",
    "pair_features",
    "read_claim_pairs",
    "train_pair_scorer",
    "training_targets",
]

MODEL_PATH = Path(__file__).resolve().parent / "models" / "pair_scorer.json"
BACKENDS = ("tfidf", "semantic")
DECISIONS = ("same", "related", "conflicting", "unrelated")

# Every feature, in column order, with what it measures. Directional measures enter as
# min and max over the two directions, so a pair scores the same whichever side is "a".
FEATURES: dict[str, str] = {
    "cosine_words": "TF-IDF cosine of word unigrams and bigrams (stemmed, stop words kept in bigrams)",
    "cosine_content": "TF-IDF cosine of content-word stems only",
    "cosine_chars": "cosine of character 3-5-grams within words (catches 'locate' / 'location', typos)",
    "overlap_min": "share of the shorter side's content stems found in the other, the lower direction",
    "overlap_max": "the same, the higher direction",
    "jaccard": "Jaccard of content stems",
    "idf_overlap_min": "IDF mass of shared content stems over each side's IDF mass, lower direction",
    "idf_overlap_max": "the same, higher direction",
    "unshared_idf_max": "IDF mass of content stems found on one side only, larger side (log1p)",
    "unshared_content_min": "content stems found on one side only, the smaller count of the two sides",
    "unshared_content_max": "the same, the larger count",
    "prefix_jaccard": "Jaccard of content stems cut to 5 letters (a looser meeting of word forms)",
    "precision_1_min": "share of one side's words (with repeats) matched in the other, lower direction (BLEU-like)",
    "precision_1_max": "the same, higher direction",
    "precision_2_min": "the same for word bigrams, lower direction",
    "precision_2_max": "the same for word bigrams, higher direction",
    "precision_3_min": "the same for word trigrams, lower direction",
    "precision_3_max": "the same for word trigrams, higher direction",
    "precision_4_min": "the same for word 4-grams, lower direction",
    "precision_4_max": "the same for word 4-grams, higher direction",
    "bigram_jaccard": "Jaccard of word bigrams",
    "trigram_jaccard": "Jaccard of word trigrams",
    "lcs_min": "longest common subsequence of words over the longer sentence's length",
    "lcs_max": "longest common subsequence of words over the shorter sentence's length",
    "substring": "longest common run of consecutive words over the shorter sentence's length",
    "names_jaccard": "Jaccard of capitalised names",
    "names_unshared": "names found on one side only (count)",
    "figures_agree": "figures that agree (analysis.numbers.compare_quantities)",
    "figures_conflict": "figures that contradict a comparable figure on the other side",
    "figures_unmatched": "figures with nothing comparable on the other side",
    "digits_unshared": "digit strings found on one side only (count)",
    "digits_identical": "1 when both sentences hold the same non-empty set of digit strings",
    "length_ratio": "words of the shorter sentence over words of the longer",
    "length_difference": "absolute difference in words (log1p)",
    "length_mean": "mean length in words (log1p)",
    "negation_mismatch": "1 when one sentence is negated (not, never, no, ...) and the other is not",
}
_CONFLICT_FEATURES = ("figures_conflict",)

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_NAME = re.compile(r"\b[A-Z][a-zA-Z]+\b|\b[A-Z]{2,}\b")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_NEGATIONS = frozenset("not no never none nobody nothing neither nor without cannot n't didn't don't doesn't "
                       "isn't wasn't aren't weren't won't wouldn't couldn't shouldn't hasn't haven't hadn't".split())
_STOP = frozenset(ENGLISH_STOP_WORDS) - _NEGATIONS
_SUFFIXES = ("ations", "ation", "ings", "ing", "edly", "ies", "ied", "ed", "es", "ly", "s")


def _stem(word: str) -> str:
    """A light suffix stripper: enough to meet 'remains' and 'remain', 'killed' and 'kills'."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class WordWeights:
    """IDF weights of word stems: ``idf`` per known stem, ``unknown`` for any other (the rarest)."""

    idf: dict[str, float]
    unknown: float

    @classmethod
    def fit(cls, sentences) -> WordWeights:
        """Smoothed IDF (as scikit-learn's ``TfidfVectorizer``) over ``sentences`` as documents."""
        frequency: Counter = Counter()
        count = 0
        for sentence in sentences:
            frequency.update(set(_stems(str(sentence))))
            count += 1
        idf = {stem: math.log((1 + count) / (1 + seen)) + 1 for stem, seen in frequency.items() if seen >= 2}
        return cls(idf={stem: round(weight, 4) for stem, weight in sorted(idf.items())},
                   unknown=round(math.log((1 + count) / 2) + 1, 4))

    def of(self, stem: str) -> float:
        return self.idf.get(stem, self.unknown)


def _stems(sentence: str) -> list[str]:
    return [_stem(word) for word in _WORD.findall(sentence.lower().replace("’", "'"))]


@dataclass
class _Parsed:
    stems: list[str]
    content: set[str]
    bigrams: set
    trigrams: set
    names: set[str]
    digits: set[str]
    figures: list
    negated: bool


def _parse(sentence: str) -> _Parsed:
    words = _WORD.findall(sentence.lower().replace("’", "'"))
    stems = [_stem(word) for word in words]
    # A capitalised first word is a name only when it is not a common word.
    names = {name.lower() for name in _NAME.findall(sentence)} - _STOP
    return _Parsed(
        stems=stems,
        content={stem for word, stem in zip(words, stems) if word not in _STOP},
        bigrams=set(zip(stems, stems[1:])),
        trigrams=set(zip(stems, stems[1:], stems[2:])),
        names=names,
        digits={d.replace(",", "") for d in _DIGITS.findall(sentence)},
        figures=_scan(sentence),
        negated=bool(_NEGATIONS & set(words)) or "n't" in sentence.lower(),
    )


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _lcs(a: list[str], b: list[str]) -> tuple[int, int]:
    """Longest common subsequence and longest common run of consecutive words: (subsequence, run)."""
    if not a or not b:
        return 0, 0
    previous = [0] * (len(b) + 1)
    previous_run = [0] * (len(b) + 1)
    best_run = 0
    for x in a:
        current = [0] * (len(b) + 1)
        run = [0] * (len(b) + 1)
        for j, y in enumerate(b, 1):
            if x == y:
                current[j] = previous[j - 1] + 1
                run[j] = previous_run[j - 1] + 1
                best_run = max(best_run, run[j])
            else:
                current[j] = max(previous[j], current[j - 1])
        previous, previous_run = current, run
    return previous[-1], best_run


def _weighted_cosine(a: Counter, b: Counter, weight) -> float:
    # fsum: exact, so the result does not depend on the (hash-seeded) order of the terms.
    dot = math.fsum(count * b[term] * weight(term) ** 2 for term, count in a.items() if term in b)
    norm_a = math.sqrt(math.fsum((count * weight(term)) ** 2 for term, count in a.items()))
    norm_b = math.sqrt(math.fsum((count * weight(term)) ** 2 for term, count in b.items()))
    return dot / (norm_a * norm_b) if norm_a and norm_b else 0.0


def _char_cosines(sentences_a: list[str], sentences_b: list[str]) -> np.ndarray:
    """Per pair, cosine of character 3-5-gram counts (no IDF: each pair is scored on its own)."""
    if not sentences_a:
        return np.zeros(0)
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), use_idf=False, sublinear_tf=True,
                                 lowercase=True, dtype=np.float64)
    matrix = normalize(vectorizer.fit_transform(sentences_a + sentences_b))
    n = len(sentences_a)
    return np.asarray(matrix[:n].multiply(matrix[n:]).sum(axis=1)).ravel()


def _pair_row(a: _Parsed, b: _Parsed, weights: WordWeights, tolerances: tuple[float, float]) -> list[float]:
    weight = weights.of

    def unigram_and_bigram(parsed):
        terms = Counter(parsed.stems)
        terms.update(" ".join(pair) for pair in parsed.bigrams)
        return terms

    def bigram_weight(term):
        return sum(weight(part) for part in term.split()) / 2 if " " in term else weight(term)

    cosine_words = _weighted_cosine(unigram_and_bigram(a), unigram_and_bigram(b), bigram_weight)
    cosine_content = _weighted_cosine(Counter(a.content), Counter(b.content), weight)
    shared = a.content & b.content
    overlaps = [len(shared) / len(side.content) if side.content else 0.0 for side in (a, b)]
    masses = [math.fsum(weight(stem) for stem in side.content) for side in (a, b)]
    shared_mass = math.fsum(weight(stem) for stem in shared)
    idf_overlaps = [shared_mass / mass if mass else 0.0 for mass in masses]
    unshared = [mass - shared_mass for mass in masses]
    precisions = []
    for n in (1, 2, 3, 4):
        grams_a = Counter(tuple(a.stems[i : i + n]) for i in range(len(a.stems) - n + 1))
        grams_b = Counter(tuple(b.stems[i : i + n]) for i in range(len(b.stems) - n + 1))
        matched = sum((grams_a & grams_b).values())
        directions = [matched / max(sum(grams.values()), 1) for grams in (grams_a, grams_b)]
        precisions += [min(directions), max(directions)]
    prefixes_a, prefixes_b = {stem[:5] for stem in a.content}, {stem[:5] for stem in b.content}
    unshared_counts = sorted([len(a.content - b.content), len(b.content - a.content)])
    subsequence, run = _lcs(a.stems, b.stems)
    lengths = sorted([len(a.stems), len(b.stems)])
    shorter, longer = max(lengths[0], 1), max(lengths[1], 1)
    statuses = Counter(row[2] for row in _compare_figures(a.figures, b.figures, *tolerances))
    return [
        cosine_words,
        cosine_content,
        0.0,  # cosine_chars: filled in for the whole batch at once
        min(overlaps),
        max(overlaps),
        _jaccard(a.content, b.content),
        min(idf_overlaps),
        max(idf_overlaps),
        math.log1p(max(unshared)),
        float(unshared_counts[0]),
        float(unshared_counts[1]),
        _jaccard(prefixes_a, prefixes_b),
        *precisions,
        _jaccard(a.bigrams, b.bigrams),
        _jaccard(a.trigrams, b.trigrams),
        subsequence / longer,
        subsequence / shorter,
        run / shorter,
        _jaccard(a.names, b.names),
        float(len(a.names ^ b.names)),
        statuses["agrees"] / 2,
        statuses["conflicts"] / 2,
        float(statuses["unmatched"]),
        float(len(a.digits ^ b.digits)),
        float(bool(a.digits) and a.digits == b.digits),
        lengths[0] / longer,
        math.log1p(lengths[1] - lengths[0]),
        math.log1p((lengths[0] + lengths[1]) / 2),
        float(a.negated != b.negated),
    ]


def pair_features(sentences_a, sentences_b, *, weights: WordWeights | None = None) -> pd.DataFrame:
    """Lexical features of each pair ``(sentences_a[i], sentences_b[i])``.

    Args:
        sentences_a, sentences_b: sequences of equal length.
        weights: IDF weights of word stems; by default those of the shipped model.

    Returns:
        DataFrame with one row per pair and one column per entry of :data:`FEATURES`
        (all floats; 0 where a measure has nothing to measure).
    """
    sentences_a = [str(s) for s in sentences_a]
    sentences_b = [str(s) for s in sentences_b]
    if len(sentences_a) != len(sentences_b):
        raise ValueError(f"{len(sentences_a)} sentences against {len(sentences_b)}: pairs need equal lengths")
    weights = weights if weights is not None else load_pair_scorer().word_weights_
    tolerances = (float(setting("figure_tolerance")), float(setting("approximate_figure_tolerance")))
    parsed = {sentence: _parse(sentence) for sentence in {*sentences_a, *sentences_b}}
    rows = [_pair_row(parsed[a], parsed[b], weights, tolerances) for a, b in zip(sentences_a, sentences_b)]
    features = pd.DataFrame(rows, columns=list(FEATURES), dtype=float).reset_index(drop=True)
    features["cosine_chars"] = _char_cosines(sentences_a, sentences_b)
    return features


def _pairs_frame(X) -> pd.DataFrame:
    if not isinstance(X, pd.DataFrame) or not {"sentence_a", "sentence_b"} <= set(X.columns):
        raise ValueError("pairs need a DataFrame with 'sentence_a' and 'sentence_b' columns")
    return X


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-values))


class ClaimPairScorer(ClassifierMixin, BaseEstimator):
    """Score in [0, 1] that two sentences state the same claim: gradient-boosted trees on :data:`FEATURES`.

    ``X`` is a DataFrame with ``sentence_a`` and ``sentence_b`` columns; ``y`` is 1 (same
    claim), 0 (not), or a probability in between, a soft target (STS score / 5): such a
    row is fitted as a same-claim row of that weight plus a different-claim row of the rest.

    Args:
        n_trees: boosting iterations (no early stopping, so a fit is reproducible).
        learning_rate: shrinkage of each tree.
        max_leaf_nodes: leaves per tree.
        min_samples_leaf: fewest training pairs in a leaf.
        l2_regularization: L2 penalty on leaf values.
        random_state: seed (the trees are deterministic without subsampling; kept for the contract).

    Attributes:
        word_weights_: :class:`WordWeights` fitted on the training sentences.
        feature_names_: the feature columns, in order (:data:`FEATURES`).
        baseline_: the raw (log-odds) prediction before any tree.
        trees_: per tree, a dict of node arrays ``feature``, ``threshold``, ``left``, ``right``,
            ``leaf`` and ``value`` (a row goes left when its feature is at most the threshold).
        classes_: ``[0, 1]``.
    """

    def __init__(
        self,
        *,
        n_trees: int = 300,
        learning_rate: float = 0.05,
        max_leaf_nodes: int = 15,
        min_samples_leaf: int = 20,
        l2_regularization: float = 0.0,
        random_state: int = 0,
    ):
        self.n_trees = n_trees
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y, sample_weight=None) -> ClaimPairScorer:
        pairs = _pairs_frame(X)
        targets = np.asarray(y, dtype=float)
        if len(targets) != len(pairs) or not len(pairs):
            raise ValueError("need one target per pair, and at least one pair")
        if ((targets < 0) | (targets > 1)).any() or np.isnan(targets).any():
            raise ValueError("targets must lie in [0, 1]")
        weight = np.ones(len(pairs)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        self.word_weights_ = WordWeights.fit([*pairs["sentence_a"], *pairs["sentence_b"]])
        features = pair_features(pairs["sentence_a"], pairs["sentence_b"], weights=self.word_weights_)
        self.feature_names_ = list(features.columns)
        values = features.to_numpy()
        # A soft target t is a same-claim row of weight t plus a different-claim row of weight 1 - t.
        rows = np.vstack([values, values])
        labels = np.concatenate([np.ones(len(pairs)), np.zeros(len(pairs))])
        weights = np.concatenate([targets * weight, (1 - targets) * weight])
        keep = weights > 0
        # One thread: parallel histogram sums may add in another order and change the last bits.
        with threadpool_limits(1, user_api="openmp"):
            model = self._fit_trees(rows[keep], labels[keep], weights[keep])
        self.baseline_ = float(np.ravel(model._baseline_prediction)[0])
        self.trees_ = [_tree_arrays(predictors[0].nodes) for predictors in model._predictors]
        self.classes_ = np.array([0, 1])
        return self

    def _fit_trees(self, rows, labels, weights) -> HistGradientBoostingClassifier:
        return HistGradientBoostingClassifier(
            max_iter=self.n_trees,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            early_stopping=False,
            random_state=self.random_state,
        ).fit(rows, labels, sample_weight=weights)

    def _raw(self, features: pd.DataFrame) -> np.ndarray:
        values = features[self.feature_names_].to_numpy(dtype=float)
        raw = np.full(len(values), self.baseline_)
        for tree in self.trees_:
            raw += _tree_values(tree, values)
        return raw

    def features(self, X: pd.DataFrame) -> pd.DataFrame:
        """:func:`pair_features` of ``X`` with this scorer's IDF weights."""
        check_is_fitted(self, "trees_")
        pairs = _pairs_frame(X)
        return pair_features(pairs["sentence_a"], pairs["sentence_b"], weights=self.word_weights_)

    def score_features(self, features: pd.DataFrame) -> np.ndarray:
        """Scores in [0, 1] of pairs whose features are already measured."""
        check_is_fitted(self, "trees_")
        return _sigmoid(self._raw(features))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Columns: probability of a different claim, of the same claim."""
        same = self.score_features(self.features(X))
        return np.column_stack([1 - same, same])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """1 where the score is at least the setting ``pair_same_threshold``."""
        return (self.predict_proba(X)[:, 1] >= float(setting("pair_same_threshold"))).astype(int)

    # --- persistence: plain JSON, so loading a model can never run code

    def to_state(self) -> dict:
        check_is_fitted(self, "trees_")
        return {
            "format": _FORMAT,
            "params": self.get_params(),
            "features": self.feature_names_,
            # Full precision (JSON floats round-trip exactly): a threshold rounded even in the
            # tenth digit sends rows that sit on it down the other branch.
            "baseline": self.baseline_,
            "trees": [{key: [float(v) if key in ("threshold", "value") else int(v) for v in values]
                       for key, values in tree.items()} for tree in self.trees_],
            "idf_unknown": self.word_weights_.unknown,
            "idf": self.word_weights_.idf,
        }

    @classmethod
    def from_state(cls, state: dict) -> ClaimPairScorer:
        if state.get("format") != _FORMAT:
            raise ValueError(f"not a pair scorer model: format {state.get('format')!r}")
        missing = set(state["features"]) - set(FEATURES)
        if missing:
            raise ValueError(f"model uses features this version does not measure: {sorted(missing)}")
        scorer = cls(**state["params"])
        scorer.feature_names_ = list(state["features"])
        scorer.baseline_ = float(state["baseline"])
        scorer.trees_ = [
            {key: np.asarray(values, dtype=float if key in ("threshold", "value") else np.int64)
             for key, values in tree.items()}
            for tree in state["trees"]
        ]
        scorer.word_weights_ = WordWeights(idf=dict(state["idf"]), unknown=float(state["idf_unknown"]))
        scorer.classes_ = np.array([0, 1])
        return scorer

    def save(self, path: Path) -> None:
        """Write the model as JSON (sorted keys, fixed rounding: the same fit gives the same bytes)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_state(), sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")


_FORMAT = "coverage-lens pair scorer 1"


def _tree_arrays(nodes) -> dict[str, np.ndarray]:
    """The node arrays of one fitted scikit-learn histogram tree (no missing values occur here)."""
    return {
        "feature": nodes["feature_idx"].astype(np.int64),
        "threshold": nodes["num_threshold"].astype(float),
        "left": nodes["left"].astype(np.int64),
        "right": nodes["right"].astype(np.int64),
        "leaf": nodes["is_leaf"].astype(np.int64),
        "value": nodes["value"].astype(float),
    }


def _tree_values(tree: dict[str, np.ndarray], values: np.ndarray) -> np.ndarray:
    """Leaf value of each row of ``values``, all rows walking the tree together."""
    node = np.zeros(len(values), dtype=np.int64)
    rows = np.arange(len(values))
    while True:
        inner = tree["leaf"][node] == 0
        if not inner.any():
            return tree["value"][node]
        at = node[inner]
        goes_left = values[rows[inner], tree["feature"][at]] <= tree["threshold"][at]
        node[inner] = np.where(goes_left, tree["left"][at], tree["right"][at])


_LOADED: dict = {}


def load_pair_scorer(path: Path | None = None) -> ClaimPairScorer:
    """The fitted scorer stored at ``path`` (default: the one shipped in the package).

    The shipped model is read once per process: it is package data, not a cache of results.
    """
    path = Path(path or MODEL_PATH)
    key = (str(path), path.stat().st_mtime_ns if path.exists() else None)
    if key not in _LOADED:
        if not path.exists():
            raise FileNotFoundError(f"no pair scorer at {path}: run bench/train_pair_scorer.py to build it")
        _LOADED.clear()
        _LOADED[key] = ClaimPairScorer.from_state(json.loads(path.read_text(encoding="utf-8")))
    return _LOADED[key]


def training_targets(pairs: pd.DataFrame) -> np.ndarray:
    """Targets of the development pairs: MRPC ``label`` as is, STS ``score`` / 5 (a soft target)."""
    label = pd.to_numeric(pairs.get("label"), errors="coerce")
    score = pd.to_numeric(pairs.get("score"), errors="coerce") / 5.0
    return label.fillna(score).to_numpy(dtype=float)


def train_pair_scorer(pairs: pd.DataFrame, **params) -> ClaimPairScorer:
    """A :class:`ClaimPairScorer` fitted on development pairs (columns ``sentence_a``, ``sentence_b``,
    ``label`` and/or ``score``, as in ``claim_pairs_dev``); ``params`` go to the scorer."""
    return ClaimPairScorer(**params).fit(pairs, training_targets(pairs))


def out_of_fold_scores(pairs: pd.DataFrame, *, n_folds: int = 5, random_state: int = 0, **params) -> np.ndarray:
    """Each pair's score from a scorer trained without its fold (k-fold cross-validation).

    Folds are stratified by source and label (MRPC label, STS score rounded), shuffled with
    ``random_state``. These are the honest figures for the development pairs: the shipped model
    was trained on all of them.
    """
    from sklearn.model_selection import StratifiedKFold

    targets = training_targets(pairs)
    labelled = pd.to_numeric(pairs.get("label"), errors="coerce").notna().to_numpy()
    strata = np.where(labelled, targets, 2 + np.round(targets * 5)).astype(int)
    scores = np.zeros(len(pairs))
    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=random_state)
    for train, test in folds.split(np.zeros(len(pairs)), strata):
        scorer = ClaimPairScorer(random_state=random_state, **params).fit(pairs.iloc[train], targets[train])
        scores[test] = scorer.predict_proba(pairs.iloc[test])[:, 1]
    return scores


def best_threshold(scores, labels) -> float:
    """The cut in [0.05, 0.95] (steps of 0.01) with the highest accuracy; the lowest such cut on ties."""
    scores, labels = np.asarray(scores, dtype=float), np.asarray(labels, dtype=int)
    cuts = np.round(np.arange(0.05, 0.955, 0.01), 2)
    accuracy = [((scores >= cut) == labels).mean() for cut in cuts]
    return float(cuts[int(np.argmax(accuracy))])


def _scores(sentences_a: list[str], sentences_b: list[str], backend: str) -> tuple[np.ndarray, np.ndarray]:
    """Scores and, per pair, the score it would have if its figures agreed: (score, subject score)."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}")
    if backend == "semantic":
        # Planned as the coverage-lens[semantic] extra (sentence embeddings); not built yet.
        raise ValueError("the semantic backend is not available in this version; use backend 'tfidf'")
    scorer = load_pair_scorer()
    features = pair_features(sentences_a, sentences_b, weights=scorer.word_weights_)
    score = scorer.score_features(features)
    subject = scorer.score_features(features.assign(**{name: 0.0 for name in _CONFLICT_FEATURES}))
    conflicted = features["figures_conflict"].to_numpy() > 0
    return score, np.where(conflicted, subject, -1.0)


def classify_pairs(sentences_a, sentences_b, *, backend: str = "tfidf") -> pd.DataFrame:
    """Score each pair ``(sentences_a[i], sentences_b[i])`` and decide what the two sentences share.

    Decisions, first that applies:

    - ``conflicting``: their figures contradict each other (:func:`analysis.numbers.quantities_conflict`)
      and, were the figures to agree, the score would reach ``pair_conflict_threshold``: the same
      subject, different figures ("killed 20 people" / "killed 35 people").
    - ``same``: score at or above ``pair_same_threshold``.
    - ``related``: score at or above ``pair_related_threshold``.
    - ``unrelated``: the rest.

    Args:
        backend: ``tfidf`` (the shipped lexical scorer); ``semantic`` (sentence embeddings)
            is reserved and raises ``ValueError`` until it is built.

    Returns:
        DataFrame with columns ``score`` (float in [0, 1]) and ``decision`` (one of :data:`DECISIONS`),
        one row per pair in input order.
    """
    sentences_a = [str(s) for s in sentences_a]
    sentences_b = [str(s) for s in sentences_b]
    if len(sentences_a) != len(sentences_b):
        raise ValueError(f"{len(sentences_a)} sentences against {len(sentences_b)}: pairs need equal lengths")
    if not sentences_a:
        return pd.DataFrame({"score": pd.Series(dtype=float), "decision": pd.Series(dtype=object)})
    score, subject = _scores(sentences_a, sentences_b, backend)
    same, related = float(setting("pair_same_threshold")), float(setting("pair_related_threshold"))
    conflict = float(setting("pair_conflict_threshold"))
    decision = np.select(
        [subject >= conflict, score >= same, score >= related],
        ["conflicting", "same", "related"],
        default="unrelated",
    )
    return pd.DataFrame({"score": score.astype(float), "decision": decision.astype(object)})


def read_claim_pairs(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Sentence pairs from a JSONL file, and a message for each line that could not be used.

    Each line is an object with ``id``, ``sentence_a`` and ``sentence_b`` (non-empty
    strings; other fields are kept as columns). Raises ``OSError`` when the file cannot be read.

    Returns:
        (DataFrame with at least ``id``, ``sentence_a``, ``sentence_b``; ["line N: reason", ...])
    """
    rows, problems = [], []
    with Path(path).open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                problems.append(f"line {number}: not valid JSON ({error.msg})")
                continue
            if not isinstance(record, dict):
                problems.append(f"line {number}: not a JSON object")
                continue
            missing = [field for field in ("id", "sentence_a", "sentence_b")
                       if not isinstance(record.get(field), str | int) or not str(record.get(field)).strip()]
            if missing:
                problems.append(f"line {number}: missing or empty {', '.join(missing)}")
                continue
            rows.append({**record, "id": str(record["id"])})
    frame = pd.DataFrame(rows)
    if frame.empty:
        frame = pd.DataFrame(columns=["id", "sentence_a", "sentence_b"])
    return frame, problems

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

**Backends.** ``tfidf`` is the scorer above. ``semantic`` (the optional
``coverage-lens[semantic]`` extra, :mod:`analysis.semantic`) is the same kind of
scorer with sentence-embedding features (:data:`analysis.semantic.EMBEDDING_FEATURES`)
and the logit of a fine-tuned cross-encoder (:mod:`analysis.pair_encoder`) beside the
lexical ones, shipped as ``analysis/models/pair_scorer_semantic.json``
(``bench/train_pair_scorer.py --backend semantic``), with its own thresholds
(``semantic_same_threshold``, ``semantic_related_threshold``,
``semantic_conflict_threshold``; :data:`THRESHOLD_SETTINGS`).

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
from analysis.pair_encoder import PAIR_ENCODER_FEATURE, out_of_fold_pair_encoder_logits, pair_encoder_logits
from analysis.readers import _without_lone_surrogates
from analysis.settings import setting

__all__ = [
    "BACKENDS",
    "DECISIONS",
    "FEATURES",
    "MODEL_PATH",
    "SEMANTIC_MODEL_PATH",
    "THRESHOLD_METRICS",
    "THRESHOLD_SETTINGS",
    "TRAINING",
    "ClaimPairScorer",
    "WordWeights",
    "best_threshold",
    "classify_pairs",
    "load_pair_scorer",
    "out_of_fold_scores",
    "pair_folds",
    "pair_features",
    "read_claim_pairs",
    "train_pair_scorer",
    "training_targets",
]

MODEL_PATH = Path(__file__).resolve().parent / "models" / "pair_scorer.json"
BACKENDS = ("tfidf", "semantic")
SEMANTIC_MODEL_PATH = MODEL_PATH.with_name("pair_scorer_semantic.json")
# Per backend, the settings holding its (same, related, conflict) thresholds: scores of
# different models are not on one scale, so each backend's cuts are chosen on its own scores.
THRESHOLD_SETTINGS: dict[str, tuple[str, str, str]] = {
    "tfidf": ("pair_same_threshold", "pair_related_threshold", "pair_conflict_threshold"),
    "semantic": ("semantic_same_threshold", "semantic_related_threshold", "semantic_conflict_threshold"),
}
# Per backend, how train_pair_scorer fits it, chosen by 5-fold cross-validation on the development
# pairs (README, "Claim matching"): scorer parameters, and whether the STS rows are weighted so that
# each source (MRPC labels, STS scores) weighs the same in total.
TRAINING: dict[str, dict] = {
    "tfidf": {"params": {}, "balance_sources": False},
    "semantic": {"params": {"min_samples_leaf": 50}, "balance_sources": True},
}
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
    # Read once per sentence rather than once per pair it is in:
    terms: Counter  # stems, with counts, and distinct bigrams (tuples), once each
    grams: tuple  # per n in 1..4: (Counter of stem n-grams, how many n-grams)
    prefixes: set  # content stems cut to 5 letters
    weighted: dict  # id(WordWeights) → (WordWeights, _Weighted)


@dataclass
class _Weighted:
    """A sentence's IDF-weighted measures under one :class:`WordWeights` (pair-independent)."""

    term_squares: dict  # term → weight ** 2 (a bigram, a tuple, weighs the mean of its two stems)
    words_norm: float
    content_squares: dict  # content stem → weight ** 2
    content_weights: dict  # content stem → weight
    content_norm: float
    mass: float  # IDF mass of the content stems


def _parse(sentence: str) -> _Parsed:
    words = _WORD.findall(sentence.lower().replace("’", "'"))
    stems = [_stem(word) for word in words]
    # A capitalised first word is a name only when it is not a common word.
    names = {name.lower() for name in _NAME.findall(sentence)} - _STOP
    bigrams = set(zip(stems, stems[1:]))
    content = {stem for word, stem in zip(words, stems) if word not in _STOP}
    terms = Counter(stems)
    terms.update(bigrams)
    grams = []
    for n in (1, 2, 3, 4):  # the stem n-grams, as tuples
        counts = Counter(zip(*(stems[i:] for i in range(n))))
        grams.append((counts, max(len(stems) - n + 1, 0)))
    return _Parsed(
        stems=stems,
        content=content,
        bigrams=bigrams,
        trigrams=set(zip(stems, stems[1:], stems[2:])),
        names=names,
        digits={d.replace(",", "") for d in _DIGITS.findall(sentence)},
        figures=_scan(sentence),
        negated=bool(_NEGATIONS & set(words)) or "n't" in sentence.lower(),
        terms=terms,
        grams=tuple(grams),
        prefixes={stem[:5] for stem in content},
        weighted={},
    )


def _weighted(parsed: _Parsed, weights: WordWeights) -> _Weighted:
    """``parsed``'s weighted measures under ``weights``, computed once per sentence and weights."""
    found = parsed.weighted.get(id(weights))
    if found is not None and found[0] is weights:
        return found[1]
    weight = weights.of
    # A bigram weighs the mean of its stems' weights (summed from 0, as sum() does).
    term_weights = {term: (0 + weight(term[0]) + weight(term[1])) / 2 if type(term) is tuple else weight(term)
                    for term in parsed.terms}
    content_weights = {stem: weight(stem) for stem in parsed.content}
    result = _Weighted(
        term_squares={term: w ** 2 for term, w in term_weights.items()},
        # fsum: exact, so the result does not depend on the (hash-seeded) order of the terms.
        words_norm=math.sqrt(math.fsum((count * term_weights[term]) ** 2 for term, count in parsed.terms.items())),
        content_squares={stem: w ** 2 for stem, w in content_weights.items()},
        content_weights=content_weights,
        content_norm=math.sqrt(math.fsum((1 * w) ** 2 for w in content_weights.values())),
        mass=math.fsum(content_weights.values()),
    )
    parsed.weighted[id(weights)] = (weights, result)
    return result


def _jaccard(a: set, b: set) -> float:
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared) if a or b else 0.0  # the union's size, without building it


def _lcs(a: list[str], b: list[str]) -> tuple[int, int]:
    """Longest common subsequence and longest common run of consecutive words: (subsequence, run).

    The subsequence is computed bit-parallel (Crochemore et al., 2001: one bit per word of ``b``),
    the run from the matching word pairs only; both equal the textbook dynamic programme."""
    if not a or not b:
        return 0, 0
    masks: dict[str, int] = {}
    positions: dict[str, list[int]] = {}
    for j, y in enumerate(b):
        masks[y] = masks.get(y, 0) | (1 << j)
        positions.setdefault(y, []).append(j)
    full = (1 << len(b)) - 1
    v = full
    best_run = 0
    previous: dict[int, int] = {}
    for x in a:
        mask = masks.get(x)
        if mask is None:
            previous = {}
            continue
        u = v & mask
        v = ((v + u) | (v - u)) & full
        current = {}
        for j in positions[x]:
            run = previous.get(j - 1, 0) + 1
            current[j] = run
            if run > best_run:
                best_run = run
        previous = current
    return len(b) - v.bit_count(), best_run


def _shared_dot(a: dict, b: dict, squares: dict) -> float:
    """A weighted cosine's dot product: counts of each shared term times its squared weight."""
    # fsum does not depend on the order of the terms.
    return math.fsum([a[term] * b[term] * squares[term] for term in a.keys() & b.keys()])


_WHITE_SPACES = re.compile(r"\s\s+")
_CHAR_CHUNK = 50_000  # pairs multiplied at once in _char_cosines


def _char_grams(sentence: str) -> list[str]:
    """The character 3-5-grams ``TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5))`` reads from
    ``sentence``, in its order: per word padded with spaces, all 3-grams, then 4-grams, then 5-grams
    (a word no longer than n gives itself once and no longer n-grams)."""
    grams: list[str] = []
    for word in _WHITE_SPACES.sub(" ", sentence.lower()).split():
        word = " " + word + " "
        length = len(word)
        for n in (3, 4, 5):
            if length <= n:
                grams.append(word)
                break
            grams += [word[i : i + n] for i in range(length - n + 1)]
    return grams


def _char_cosines_batch(sentences_a: list[str], sentences_b: list[str]) -> np.ndarray:
    """:func:`_char_cosines` by one TF-IDF fit over the whole batch, as first written (kept to check
    against; it refuses a batch of blank sentences)."""
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), use_idf=False, sublinear_tf=True,
                                 lowercase=True, dtype=np.float64)
    matrix = normalize(vectorizer.fit_transform(sentences_a + sentences_b))
    n = len(sentences_a)
    return np.asarray(matrix[:n].multiply(matrix[n:]).sum(axis=1)).ravel()


def _char_cosines(sentences_a: list[str], sentences_b: list[str]) -> np.ndarray:
    """Per pair, cosine of character 3-5-gram counts (no IDF: each pair is scored on its own).

    The numbers are those of one ``TfidfVectorizer`` fit over ``sentences_a + sentences_b``, last
    bit included, while each distinct sentence is read once: its row is built as the vectorizer
    builds it (columns in alphabetical n-gram order, entries stored in the order the batch first
    meets each n-gram), then the same scikit-learn and SciPy calls weigh, normalise, multiply and
    sum the rows, so every float operation happens in the same order.
    """
    import scipy.sparse as sp

    if not sentences_a:
        return np.zeros(0)
    rows: dict[str, int] = {}
    for sentence in sentences_a + sentences_b:
        if sentence not in rows:
            rows[sentence] = len(rows)
    vocabulary: dict[str, int] = {}
    indices: list[int] = []
    counts: list[int] = []
    indptr = [0]
    for sentence in rows:  # as CountVectorizer._count_vocab, over distinct sentences
        counter = Counter(_char_grams(sentence))  # in order of first occurrence, as the vocabulary grows
        indices += [vocabulary.setdefault(gram, len(vocabulary)) for gram in counter]
        counts += counter.values()
        indptr.append(len(indices))
    if not vocabulary:  # every sentence blank: nothing alike (the vectorizer would refuse the batch)
        return np.zeros(len(sentences_a))
    matrix = sp.csr_matrix(
        (np.asarray(counts, dtype=np.float64), np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int32)),
        shape=(len(rows), len(vocabulary)),
    )
    matrix.sort_indices()  # by first meeting, as _count_vocab leaves them
    alphabetical = np.empty(len(vocabulary), dtype=matrix.indices.dtype)
    for new, (_, old) in enumerate(sorted(vocabulary.items())):  # as CountVectorizer._sort_features
        alphabetical[old] = new
    matrix.indices = alphabetical.take(matrix.indices, mode="clip")
    # TfidfTransformer(use_idf=False, sublinear_tf=True, norm="l2").transform, then normalize again.
    np.log(matrix.data, matrix.data)
    matrix.data += 1.0
    matrix = normalize(normalize(matrix, norm="l2", copy=False))
    left = np.fromiter((rows[s] for s in sentences_a), dtype=np.intp, count=len(sentences_a))
    right = np.fromiter((rows[s] for s in sentences_b), dtype=np.intp, count=len(sentences_b))
    # SciPy multiplies rows in one of two orders: column order when every row of both sides has
    # its columns sorted, else a row's entries in reverse; sums then differ in the last bit. Pairs go
    # in chunks (memory), each made to take the order the whole batch would have taken.
    unsorted = np.zeros(len(rows), dtype=bool)
    steps = np.flatnonzero(np.diff(matrix.indices) <= 0)
    row_of_step = np.searchsorted(matrix.indptr, steps, side="right") - 1
    unsorted[row_of_step[steps + 1 < matrix.indptr[row_of_step + 1]]] = True
    used_unsorted = np.flatnonzero(unsorted[left] | unsorted[right])
    spoiler = None  # a pair with an unsorted row, to add to a chunk that would otherwise take column order
    if len(used_unsorted):
        first = used_unsorted[0]
        spoiler = left[first] if unsorted[left[first]] else right[first]
    cosines = np.empty(len(left))
    for start in range(0, len(left), _CHAR_CHUNK):
        chunk_left, chunk_right = left[start : start + _CHAR_CHUNK], right[start : start + _CHAR_CHUNK]
        size = len(chunk_left)
        if spoiler is not None and not (unsorted[chunk_left].any() or unsorted[chunk_right].any()):
            chunk_left, chunk_right = np.append(chunk_left, spoiler), np.append(chunk_right, spoiler)
        product = matrix[chunk_left].multiply(matrix[chunk_right])
        cosines[start : start + size] = np.asarray(product.sum(axis=1)).ravel()[:size]
    return cosines


def _pair_row(a: _Parsed, b: _Parsed, weights: WordWeights, tolerances: tuple[float, float]) -> list[float]:
    wa, wb = _weighted(a, weights), _weighted(b, weights)
    norms = wa.words_norm * wb.words_norm
    cosine_words = _shared_dot(a.terms, b.terms, wa.term_squares) / norms if wa.words_norm and wb.words_norm else 0.0
    shared = a.content & b.content
    norms = wa.content_norm * wb.content_norm
    cosine_content = (math.fsum(wa.content_squares[stem] for stem in shared) / norms
                      if wa.content_norm and wb.content_norm else 0.0)
    overlaps = [len(shared) / len(side.content) if side.content else 0.0 for side in (a, b)]
    masses = [wa.mass, wb.mass]
    shared_mass = math.fsum(wa.content_weights[stem] for stem in shared)
    idf_overlaps = [shared_mass / mass if mass else 0.0 for mass in masses]
    unshared = [mass - shared_mass for mass in masses]
    precisions = []
    for (grams_a, total_a), (grams_b, total_b) in zip(a.grams, b.grams):
        common = grams_a.keys() & grams_b.keys()
        if not common:  # nor any longer n-gram in common
            precisions += [0.0] * (8 - len(precisions))
            break
        matched = sum([min(grams_a[gram], grams_b[gram]) for gram in common])
        directions = [matched / max(total_a, 1), matched / max(total_b, 1)]
        precisions += [min(directions), max(directions)]
    unshared_counts = sorted([len(a.content) - len(shared), len(b.content) - len(shared)])
    # Without a word in common (no unigram in common) both are 0.
    subsequence, run = _lcs(a.stems, b.stems) if precisions[0] else (0, 0)
    lengths = sorted([len(a.stems), len(b.stems)])
    shorter, longer = max(lengths[0], 1), max(lengths[1], 1)
    if a.figures and b.figures:
        statuses = Counter(row[2] for row in _compare_figures(a.figures, b.figures, *tolerances))
    else:  # with one side empty every figure is unmatched
        statuses = {"unmatched": len(a.figures) + len(b.figures)}
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
        _jaccard(a.prefixes, b.prefixes),
        *precisions,
        _jaccard(a.bigrams, b.bigrams),
        _jaccard(a.trigrams, b.trigrams),
        subsequence / longer,
        subsequence / shorter,
        run / shorter,
        _jaccard(a.names, b.names),
        float(len(a.names ^ b.names)),
        statuses.get("agrees", 0) / 2,
        statuses.get("conflicts", 0) / 2,
        float(statuses.get("unmatched", 0)),
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
    import gc

    # Many small containers are made and kept here; the cyclic collector would walk them all
    # again and again (a quarter of the time) while none of them can form a cycle.
    collecting = gc.isenabled()
    gc.disable()
    try:
        parsed = {sentence: _parse(sentence) for sentence in {*sentences_a, *sentences_b}}
        rows = [_pair_row(parsed[a], parsed[b], weights, tolerances) for a, b in zip(sentences_a, sentences_b)]
        del parsed
        features = pd.DataFrame(rows, columns=list(FEATURES), dtype=float).reset_index(drop=True)
        del rows
        features["cosine_chars"] = _char_cosines(sentences_a, sentences_b)
    finally:
        if collecting:
            gc.enable()
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
    With ``backend="semantic"``, columns of ``X`` named as in
    :data:`analysis.semantic.EMBEDDING_FEATURES`, and ``pair_encoder_logit``, are taken as already
    measured (they do not depend on the fit, so cross-validation embeds each sentence once);
    missing ones are measured, the logit with the shipped pair encoder. Training rows should carry
    out-of-fold logits (:func:`analysis.pair_encoder.out_of_fold_pair_encoder_logits`): the shipped
    encoder was fine-tuned on the development pairs, so its logits of them are in-sample.

    Args:
        backend: ``tfidf`` (the lexical features of :data:`FEATURES`) or ``semantic`` (those,
            :data:`analysis.semantic.EMBEDDING_FEATURES` and the logit of the fine-tuned
            cross-encoder of :mod:`analysis.pair_encoder`; needs the ``semantic`` extra).
        n_trees: boosting iterations (no early stopping, so a fit is reproducible).
        learning_rate: shrinkage of each tree.
        max_leaf_nodes: leaves per tree.
        min_samples_leaf: fewest training pairs in a leaf.
        l2_regularization: L2 penalty on leaf values.
        random_state: seed (the trees are deterministic without subsampling; kept for the contract).
        pair_encoder_weight: semantic backend only: the score's log-odds are this share of those of
            trees with the pair encoder's logit and the rest of those of trees without it. Trees
            leaning on the encoder rank MRPC pairs best (out-of-fold ROC-AUC 0.878 against 0.850)
            but STS news pairs worse (Spearman 0.797 against 0.806); half and half kept both
            (0.874-0.875 and 0.810-0.812, fold seeds 0-2).

    Attributes:
        word_weights_: :class:`WordWeights` fitted on the training sentences.
        feature_names_: the feature columns, in order (:data:`FEATURES`, then for the semantic
            backend :data:`analysis.semantic.EMBEDDING_FEATURES` and ``pair_encoder_logit``).
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
        backend: str = "tfidf",
        pair_encoder_weight: float = 0.5,
    ):
        self.n_trees = n_trees
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.random_state = random_state
        self.backend = backend
        self.pair_encoder_weight = pair_encoder_weight

    def fit(self, X: pd.DataFrame, y, sample_weight=None) -> ClaimPairScorer:
        pairs = _pairs_frame(X)
        targets = np.asarray(y, dtype=float)
        if len(targets) != len(pairs) or not len(pairs):
            raise ValueError("need one target per pair, and at least one pair")
        if ((targets < 0) | (targets > 1)).any() or np.isnan(targets).any():
            raise ValueError("targets must lie in [0, 1]")
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown backend {self.backend!r}: choose one of {', '.join(BACKENDS)}")
        weight = np.ones(len(pairs)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        self.word_weights_ = WordWeights.fit([*pairs["sentence_a"], *pairs["sentence_b"]])
        features = self._measure(X)
        self.feature_names_ = list(features.columns)
        values = features.to_numpy()
        # A soft target t is a same-claim row of weight t plus a different-claim row of weight 1 - t.
        rows = np.vstack([values, values])
        labels = np.concatenate([np.ones(len(pairs)), np.zeros(len(pairs))])
        weights = np.concatenate([targets * weight, (1 - targets) * weight])
        keep = weights > 0
        # Per tree set: its share of the log-odds and the feature columns it reads.
        columns = np.arange(values.shape[1])
        shares = [(1.0, columns)]
        if not 0 <= self.pair_encoder_weight <= 1:
            raise ValueError("pair_encoder_weight must lie in [0, 1]")
        if self.backend == "semantic" and self.pair_encoder_weight < 1:
            without = columns[[name != PAIR_ENCODER_FEATURE for name in self.feature_names_]]
            shares = [(self.pair_encoder_weight, columns), (1 - self.pair_encoder_weight, without)]
        self.baseline_, self.trees_ = 0.0, []
        for share, read in shares:
            if not share:
                continue
            # One thread: parallel histogram sums may add in another order and change the last bits.
            with threadpool_limits(1, user_api="openmp"):
                model = self._fit_trees(rows[keep][:, read], labels[keep], weights[keep])
            self.baseline_ += share * float(np.ravel(model._baseline_prediction)[0])
            # One list of trees: a set's leaf values scaled by its share, its columns by name.
            for predictors in model._predictors:
                tree = _tree_arrays(predictors[0].nodes)
                tree["feature"] = read[tree["feature"]]
                tree["value"] = share * tree["value"]  # times 1.0 is exact: one set stays as fitted
                self.trees_.append(tree)
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
        """:func:`pair_features` of ``X`` with this scorer's IDF weights, and for the semantic
        backend the embedding features (:func:`analysis.semantic.embedding_features`)."""
        check_is_fitted(self, "trees_")
        return self._measure(X)

    def _measure(self, X: pd.DataFrame) -> pd.DataFrame:
        pairs = _pairs_frame(X)
        features = pair_features(pairs["sentence_a"], pairs["sentence_b"], weights=self.word_weights_)
        if self.backend != "semantic":
            return features
        from analysis.semantic import EMBEDDING_FEATURES, embedding_features

        measured = [name for name in EMBEDDING_FEATURES if name in X.columns]
        if len(measured) == len(EMBEDDING_FEATURES):
            embedded = X[measured].reset_index(drop=True).astype(float)
        else:
            embedded = embedding_features(pairs["sentence_a"], pairs["sentence_b"])
        features = pd.concat([features, embedded], axis=1)
        if PAIR_ENCODER_FEATURE in X.columns:
            features[PAIR_ENCODER_FEATURE] = X[PAIR_ENCODER_FEATURE].to_numpy(dtype=float)
        else:
            features[PAIR_ENCODER_FEATURE] = pair_encoder_logits(pairs["sentence_a"], pairs["sentence_b"])
        return features

    def score_features(self, features: pd.DataFrame) -> np.ndarray:
        """Scores in [0, 1] of pairs whose features are already measured."""
        check_is_fitted(self, "trees_")
        return _sigmoid(self._raw(features))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Columns: probability of a different claim, of the same claim."""
        same = self.score_features(self.features(X))
        return np.column_stack([1 - same, same])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """1 where the score is at least the backend's same threshold (setting ``pair_same_threshold``
        or ``semantic_same_threshold``)."""
        threshold = float(setting(THRESHOLD_SETTINGS[self.backend][0]))
        return (self.predict_proba(X)[:, 1] >= threshold).astype(int)

    # --- persistence: plain JSON, so loading a model can never run code

    def to_state(self) -> dict:
        check_is_fitted(self, "trees_")
        params = self.get_params()
        # The tfidf model file predates the parameter: left out at its default, the file stays as it was.
        if params["backend"] == "tfidf":
            del params["backend"], params["pair_encoder_weight"]
        return {
            "format": _FORMAT,
            "params": params,
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
        from analysis.semantic import EMBEDDING_FEATURES

        missing = set(state["features"]) - set(FEATURES) - set(EMBEDDING_FEATURES) - {PAIR_ENCODER_FEATURE}
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


def load_pair_scorer(path: Path | None = None, *, backend: str = "tfidf") -> ClaimPairScorer:
    """The fitted scorer stored at ``path`` (default: the one shipped in the package for ``backend``).

    A shipped model is read once per process: it is package data, not a cache of results.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}")
    path = Path(path or (SEMANTIC_MODEL_PATH if backend == "semantic" else MODEL_PATH))
    key = (str(path), path.stat().st_mtime_ns if path.exists() else None)
    if key not in _LOADED:
        if not path.exists():
            option = " --backend semantic" if backend == "semantic" else ""
            raise FileNotFoundError(f"no pair scorer at {path}: run bench/train_pair_scorer.py{option} to build it")
        # One model per file: a rewritten file replaces its older version, the other backend's stays.
        for stale in [loaded for loaded in _LOADED if loaded[0] == key[0]]:
            del _LOADED[stale]
        _LOADED[key] = ClaimPairScorer.from_state(json.loads(path.read_text(encoding="utf-8")))
    return _LOADED[key]


def training_targets(pairs: pd.DataFrame) -> np.ndarray:
    """Targets of the development pairs: MRPC ``label`` as is, STS ``score`` / 5 (a soft target)."""
    label = pd.to_numeric(pairs.get("label"), errors="coerce")
    score = pd.to_numeric(pairs.get("score"), errors="coerce") / 5.0
    return label.fillna(score).to_numpy(dtype=float)


def train_pair_scorer(pairs: pd.DataFrame, **params) -> ClaimPairScorer:
    """A :class:`ClaimPairScorer` fitted on development pairs (columns ``sentence_a``, ``sentence_b``,
    ``label`` and/or ``score``, as in ``claim_pairs_dev``); ``params`` go to the scorer, over the
    backend's choices in :data:`TRAINING` (``backend`` in ``params``, default ``tfidf``)."""
    choices = TRAINING.get(params.get("backend", "tfidf"), TRAINING["tfidf"])
    weight = None
    graded = pd.to_numeric(pairs["label"], errors="coerce").isna().to_numpy() if "label" in pairs else None
    if choices["balance_sources"] and graded is not None and graded.any() and not graded.all():
        weight = np.where(graded, (~graded).sum() / graded.sum(), 1.0)
    return ClaimPairScorer(**{**choices["params"], **params}).fit(pairs, training_targets(pairs), sample_weight=weight)


def pair_folds(pairs: pd.DataFrame, *, n_folds: int = 5, random_state: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (train, test) row indices of each fold of :func:`out_of_fold_scores`: stratified by
    source and label (MRPC label, STS score rounded), shuffled with ``random_state``."""
    from sklearn.model_selection import StratifiedKFold

    targets = training_targets(pairs)
    labelled = pd.to_numeric(pairs.get("label"), errors="coerce").notna().to_numpy()
    strata = np.where(labelled, targets, 2 + np.round(targets * 5)).astype(int)
    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=random_state)
    return list(folds.split(np.zeros(len(pairs)), strata))


def out_of_fold_scores(pairs: pd.DataFrame, *, n_folds: int = 5, random_state: int = 0, **params) -> np.ndarray:
    """Each pair's score from a scorer trained without its fold (k-fold cross-validation).

    Folds are stratified by source and label (MRPC label, STS score rounded), shuffled with
    ``random_state``. These are the honest figures for the development pairs: the shipped model
    was trained on all of them. With ``backend="semantic"`` in ``params``, the embedding features
    are measured once for all pairs (unless ``pairs`` already holds them), not once per fold, and
    unless ``pairs`` holds ``pair_encoder_logit`` a pair encoder is fine-tuned per fold (minutes each).
    """
    folds = pair_folds(pairs, n_folds=n_folds, random_state=random_state)
    if params.get("backend") == "semantic":
        from analysis.semantic import EMBEDDING_FEATURES, embedding_features

        pairs = pairs.reset_index(drop=True)
        if not set(EMBEDDING_FEATURES) <= set(pairs.columns):
            pairs = pd.concat([pairs, embedding_features(pairs["sentence_a"], pairs["sentence_b"])], axis=1)
        if PAIR_ENCODER_FEATURE not in pairs.columns:
            # The shipped encoder saw every development pair: fine-tune one per fold instead.
            pairs[PAIR_ENCODER_FEATURE] = out_of_fold_pair_encoder_logits(
                pairs["sentence_a"], pairs["sentence_b"], training_targets(pairs), folds)
    scores = np.zeros(len(pairs))
    for train, test in folds:
        scorer = train_pair_scorer(pairs.iloc[train], random_state=random_state, **params)
        scores[test] = scorer.predict_proba(pairs.iloc[test])[:, 1]
    return scores


THRESHOLD_METRICS = ("accuracy", "f1")


def best_threshold(scores, labels, *, metric: str = "accuracy") -> float:
    """The cut in [0.05, 0.95] (steps of 0.01) with the highest ``metric``; the lowest such cut on ties.

    ``metric`` is ``accuracy`` or ``f1`` (F1 of the same-claim class, label 1). F1 gives no credit
    for pairs rightly called different, so its best cut is usually lower than accuracy's (for
    calibrated scores, half the best F1 against one half): it trades accuracy for recall.
    """
    if metric not in THRESHOLD_METRICS:
        raise ValueError(f"unknown metric {metric!r}: choose one of {', '.join(THRESHOLD_METRICS)}")
    scores, labels = np.asarray(scores, dtype=float), np.asarray(labels, dtype=int)
    cuts = np.round(np.arange(0.05, 0.955, 0.01), 2)
    decided = scores[None, :] >= cuts[:, None]  # one row per cut
    if metric == "accuracy":
        quality = (decided == labels[None, :]).mean(axis=1)
    else:
        positives = labels == 1
        true = (decided & positives[None, :]).sum(axis=1)
        # F1 = 2 TP / (predicted + actual positives); 0 when there is nothing to find or call.
        denominator = decided.sum(axis=1) + positives.sum()
        quality = np.divide(2.0 * true, denominator, out=np.zeros(len(cuts)), where=denominator > 0)
    return float(cuts[int(np.argmax(quality))])


def _scores(sentences_a: list[str], sentences_b: list[str], backend: str) -> tuple[np.ndarray, np.ndarray]:
    """Scores and, per pair, the score it would have if its figures agreed: (score, subject score)."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}")
    if backend == "semantic":
        from analysis.semantic import MISSING_EXTRA, semantic_available

        # Before reading the model: without the extra, say what to install, not what failed.
        if not semantic_available():
            raise ImportError(MISSING_EXTRA)
    scorer = load_pair_scorer(backend=backend)
    features = scorer.features(pd.DataFrame({"sentence_a": sentences_a, "sentence_b": sentences_b}))
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

    The semantic backend decides the same way with its own thresholds, the ``semantic_*``
    settings (:data:`THRESHOLD_SETTINGS`).

    Args:
        backend: ``tfidf`` (the shipped lexical scorer) or ``semantic`` (lexical and
            sentence-embedding features; raises ``ImportError`` when the ``semantic`` extra
            is not installed).

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
    same, related, conflict = (float(setting(name)) for name in THRESHOLD_SETTINGS[backend])
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
                record = _without_lone_surrogates(json.loads(line))  # half an emoji cannot be stored or scored
            except json.JSONDecodeError as error:
                problems.append(f"line {number}: not valid JSON ({error.msg})")
                continue
            except (ValueError, RecursionError):  # a number of 4,300+ digits; "[[[[..." nested too deep
                problems.append(f"line {number}: not valid JSON (a number too long, or nested too deeply)")
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

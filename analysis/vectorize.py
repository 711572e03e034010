"""TF-IDF article vectors for grouping and similarity.

:class:`ArticleVectorizer` follows scikit-learn's contract (keyword-only
parameters stored unchanged, ``fit`` returns ``self``, learned attributes end
in ``_``) and is built from scikit-learn's text vectorizers:

- a **word block**: unigrams and bigrams, English stop words, sublinear tf and
  IDF weights (``HashingVectorizer`` counts, ``TfidfTransformer`` weights). The
  headline and the body are weighted apart and added, so a headline counts
  like a paragraph, not like a few words among thousands. Hashing instead of a
  learned vocabulary (``TfidfVectorizer``) because building that vocabulary is
  a Python loop over every token, about 600 articles a second here, while
  hashing needs no shared state: partitions of the corpus are counted in
  parallel and their document frequencies add up (the same holds on a cluster).
- a **name-and-number block** (``TfidfVectorizer`` over a small vocabulary):
  capitalised name sequences ("Julian Assange", "Interpol") and figures
  ("250,000") as single tokens. Names and numbers are what make one event
  distinct from another of the same kind (two rehab stories, two earthquakes),
  and in the word block they are diluted by the vocabulary around them.

For grouping only the headline and the body's first ``lead_words`` words are
read (setting ``event_lead_words``): the lead says what happened.

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

import base64
import re

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from analysis.parallel import even_bounds, inherited, map_forked
from analysis.settings import setting

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


def _lead(text: str, words: int) -> str:
    """The first ``words`` words of ``text`` (all of it when ``words`` is 0)."""
    if words <= 0:
        return text
    parts = text.split(maxsplit=words)
    return text if len(parts) <= words else " ".join(parts[:words])


def _given_tokens(tokens: list[str]) -> list[str]:
    """Analyzer of the name block: its tokens are found before it sees them."""
    return tokens


def _word_hasher(ngram_range: tuple[int, int], n_features: int) -> HashingVectorizer:
    return HashingVectorizer(
        ngram_range=tuple(ngram_range),
        stop_words="english",
        n_features=n_features,
        alternate_sign=False,
        norm=None,
        dtype=np.float32,
    )


def _count_chunk(titles: list[str], bodies: list[str], lead_words: int, ngram_range, n_features: int):
    """Word counts of headlines and body leads, and the name tokens of both (one chunk, any process)."""
    hasher = _word_hasher(ngram_range, n_features)
    leads = [_lead(body, lead_words) for body in bodies]
    names = [names_and_numbers(f"{title}\n{lead}") for title, lead in zip(titles, leads)]
    return hasher.transform(titles), hasher.transform(leads), names


# Below this many articles the start-up of worker processes costs more than it saves.
_PARALLEL_FROM = 2000

def _count_inherited(bounds: tuple[int, int]):
    titles, bodies, arguments = inherited()
    start, stop = bounds
    return _count_chunk(titles[start:stop], bodies[start:stop], *arguments)


def _count_in_workers(titles: list[str], bodies: list[str], arguments: tuple, n_jobs: int):
    """:func:`_count_chunk` over chunks in forked workers; ``None`` where fork is unavailable."""
    parts = map_forked(_count_inherited, even_bounds(len(titles), n_jobs), (titles, bodies, arguments), n_jobs)
    if parts is None:
        return None
    return (
        sp.vstack([part[0] for part in parts], format="csr"),
        sp.vstack([part[1] for part in parts], format="csr"),
        [tokens for part in parts for tokens in part[2]],
    )


class ArticleVectorizer(TransformerMixin, BaseEstimator):
    """TF-IDF vectors of articles (a DataFrame with ``title`` and ``text`` columns).

    Args:
        title_weight: weight of the headline's vector against the body's (1.0 = equal).
        name_weight: weight of the name-and-number block against the word block.
        lead_words: body words read from the start (0 = all); ``None`` takes the
            setting ``event_lead_words``.
        min_df: minimum document frequency of a word feature; an int is a count,
            a float a proportion. The default ``None`` picks 1 for corpora under
            1,000 articles and 2 above (a word seen once cannot link two articles).
        max_df: maximum document frequency of a word feature, as a proportion
            (corpora under 50 articles keep every word).
        ngram_range: word n-gram range.
        n_features: hash buckets of the word block.
        n_jobs: worker processes for 2,000 or more articles; ``None`` takes the
            setting ``analysis_workers``.

    Attributes:
        lead_words_: body words read, as resolved at fit time.
        word_weights_: the fitted ``TfidfTransformer`` of the word block; features
            outside the document-frequency bounds have IDF 0.
        name_vectorizer_: the fitted name-and-number ``TfidfVectorizer`` (None when
            the corpus has no names or numbers).
        n_word_features_: columns of the word block (the name block follows).
        n_features_out_: columns of the transformed matrix.
    """

    def __init__(
        self,
        *,
        title_weight: float = 1.0,
        name_weight: float = 1.0,
        lead_words: int | None = None,
        min_df: int | float | None = None,
        max_df: float = 0.5,
        ngram_range: tuple[int, int] = (1, 2),
        n_features: int = 2**21,
        n_jobs: int | None = None,
    ):
        self.title_weight = title_weight
        self.name_weight = name_weight
        self.lead_words = lead_words
        self.min_df = min_df
        self.max_df = max_df
        self.ngram_range = ngram_range
        self.n_features = n_features
        self.n_jobs = n_jobs

    # --- counting (the only pass over the text)

    def _counts(self, documents: pd.DataFrame, lead_words: int):
        titles, bodies = _texts(documents, "title"), _texts(documents, "text")
        n_jobs = int(self.n_jobs if self.n_jobs is not None else setting("analysis_workers"))
        arguments = (lead_words, self.ngram_range, self.n_features)
        if n_jobs > 1 and len(titles) >= _PARALLEL_FROM:
            counted = _count_in_workers(titles, bodies, arguments, n_jobs)
            if counted is not None:
                return counted
        return _count_chunk(titles, bodies, *arguments)

    def _fit_counts(self, title_counts, body_counts, names, n_documents: int) -> None:
        min_df = self.min_df if self.min_df is not None else (1 if n_documents < 1000 else 2)
        # A term in more than max_df of a small corpus is still informative: with three
        # articles, every shared word is in two thirds of them.
        max_df = self.max_df if n_documents >= 50 else 1.0
        both = (title_counts + body_counts).tocsr()
        self.word_weights_ = TfidfTransformer(sublinear_tf=True).fit(both)
        document_frequency = np.bincount(both.indices, minlength=both.shape[1])
        low = min_df if isinstance(min_df, int) else min_df * n_documents
        outside = (document_frequency < low) | (document_frequency > max_df * n_documents)
        self.word_weights_.idf_[outside] = 0.0
        self.name_vectorizer_ = TfidfVectorizer(
            analyzer=_given_tokens, sublinear_tf=True, max_df=max_df, dtype=np.float32
        )
        try:
            self.name_vectorizer_.fit(names)
        except ValueError:  # no names or numbers anywhere: the block stays empty
            self.name_vectorizer_ = None
        self.n_word_features_ = int(self.n_features)
        self.n_features_out_ = self.n_word_features_ + self._n_name_features()

    def _n_name_features(self) -> int:
        return len(self.name_vectorizer_.vocabulary_) if self.name_vectorizer_ is not None else 0

    def _weighted(self, counts) -> sp.csr_matrix:
        weighted = sp.csr_matrix(self.word_weights_.transform(counts.astype(np.float32)))
        weighted.eliminate_zeros()
        return weighted

    def _vectors(self, title_counts, body_counts, names) -> sp.csr_matrix:
        words = normalize(self._weighted(body_counts)) + self.title_weight * normalize(self._weighted(title_counts))
        if self.name_vectorizer_ is not None:
            name_block = normalize(sp.csr_matrix(self.name_vectorizer_.transform(names)))
        else:
            name_block = sp.csr_matrix((len(names), 0), dtype=np.float32)
        return normalize(sp.hstack([normalize(words), self.name_weight * name_block], format="csr", dtype=np.float32))

    # --- scikit-learn contract

    def fit(self, documents: pd.DataFrame, y=None) -> ArticleVectorizer:
        """Learn IDF weights and the name vocabulary from ``documents`` (columns ``title``, ``text``)."""
        self.fit_transform(documents)
        return self

    def fit_transform(self, documents: pd.DataFrame, y=None) -> sp.csr_matrix:
        """Fit and transform with one pass over the text."""
        if not {"title", "text"} <= set(documents.columns):
            raise ValueError("documents need 'title' and 'text' columns")
        if len(documents) == 0:
            raise ValueError("cannot fit on an empty corpus")
        self.lead_words_ = int(self.lead_words if self.lead_words is not None else setting("event_lead_words"))
        counts = self._counts(documents, self.lead_words_)
        self._fit_counts(*counts, n_documents=len(documents))
        return self._vectors(*counts)

    def transform(self, documents: pd.DataFrame) -> sp.csr_matrix:
        """Rows of unit length: the dot product of two rows is their cosine similarity."""
        check_is_fitted(self, "word_weights_")
        return self._vectors(*self._counts(documents, self.lead_words_))

    def name_block(self, vectors: sp.csr_matrix) -> sp.csr_matrix:
        """The name-and-number block of ``vectors`` (this vectorizer's output), unit length.

        Raises:
            ValueError: ``name_weight`` is 0, so the block was zeroed and cannot be recovered.
        """
        check_is_fitted(self, "word_weights_")
        if self.name_vectorizer_ is None:
            return sp.csr_matrix((vectors.shape[0], 1), dtype=np.float32)
        if not self.name_weight:
            raise ValueError("name_weight is 0: the vectors carry no name block")
        return normalize(sp.csr_matrix(vectors)[:, self.n_word_features_ :])

    def name_terms(self) -> np.ndarray:
        """The name-and-number block's terms, in column order (empty when it has none)."""
        check_is_fitted(self, "word_weights_")
        if self.name_vectorizer_ is None:
            return np.array([], dtype=object)
        return self.name_vectorizer_.get_feature_names_out()

    def word_vectors(self, texts) -> sp.csr_matrix:
        """Word-block TF-IDF of arbitrary texts (e.g. sentences), whole, rows of unit length."""
        check_is_fitted(self, "word_weights_")
        counts = _word_hasher(self.ngram_range, self.n_features).transform([str(t) for t in texts])
        return normalize(self._weighted(counts))

    def word_columns(self, texts) -> list[dict[str, int]]:
        """Per text, each of its word features (unigram or bigram) with its column in the word block.

        Hashing keeps no vocabulary; this recovers the terms behind the columns of vectors
        built from these texts (for labels and top terms). Two terms may share a column.
        """
        check_is_fitted(self, "word_weights_")
        analyzer = _word_hasher(self.ngram_range, self.n_features).build_analyzer()
        per_text = [sorted(set(analyzer(str(text)))) for text in texts]
        terms = sorted({term for text_terms in per_text for term in text_terms})
        if not terms:
            return [{} for _ in per_text]
        hasher = FeatureHasher(n_features=self.n_features, input_type="string", alternate_sign=False)
        column_of = dict(zip(terms, hasher.transform([[term] for term in terms]).indices.tolist()))
        return [{term: column_of[term] for term in text_terms} for text_terms in per_text]

    def lead(self, text: str) -> str:
        """The part of a body this vectorizer reads."""
        check_is_fitted(self, "word_weights_")
        return _lead(text, self.lead_words_)

    # --- persistence

    def to_state(self) -> dict:
        """What :meth:`from_state` needs to rebuild this fitted vectorizer: parameters,
        IDF weights and the name vocabulary (plain data, no pickled code, so a store from
        elsewhere cannot run anything when its model is loaded)."""
        check_is_fitted(self, "word_weights_")
        idf = np.asarray(self.word_weights_.idf_, dtype=np.float32)
        state = {
            "params": {k: list(v) if isinstance(v, tuple) else v for k, v in self.get_params().items()},
            "lead_words": self.lead_words_,
            "word_idf_float32": base64.b64encode(idf.tobytes()).decode("ascii"),
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
        vectorizer.lead_words_ = int(state["lead_words"])
        idf = np.frombuffer(base64.b64decode(state["word_idf_float32"]), dtype=np.float32).copy()
        if len(idf) != vectorizer.n_features:
            raise ValueError(f"stored model has {len(idf)} word weights, its parameters say {vectorizer.n_features}")
        vectorizer.word_weights_ = TfidfTransformer(sublinear_tf=True)
        vectorizer.word_weights_.idf_ = idf
        vectorizer.word_weights_.n_features_in_ = len(idf)
        vectorizer.name_vectorizer_ = None
        if state["name_terms"] is not None:
            vectorizer.name_vectorizer_ = TfidfVectorizer(
                analyzer=_given_tokens,
                sublinear_tf=True,
                dtype=np.float32,
                vocabulary={term: column for column, term in enumerate(state["name_terms"])},
            )
            vectorizer.name_vectorizer_.idf_ = np.asarray(state["name_idf"], dtype=np.float64)
        vectorizer.n_word_features_ = int(vectorizer.n_features)
        vectorizer.n_features_out_ = vectorizer.n_word_features_ + vectorizer._n_name_features()
        return vectorizer

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """``word:<bucket>`` for the hashed word block, then ``name:<term>``."""
        check_is_fitted(self, "word_weights_")
        names = [f"word:{column}" for column in range(self.n_word_features_)]
        names += [f"name:{term}" for term in self.name_terms()]
        return np.asarray(names, dtype=object)

"""How alike outlets' coverage is: per event, over all events, and sentence by sentence.

An outlet's **coverage** of an event is the centroid of its articles' vectors in
that event (their mean, L2-normalised). Since
:class:`~analysis.vectorize.ArticleVectorizer` rows are non-negative and of unit
length, the dot product of two coverages is their TF-IDF cosine, between 0 and 1.

Every function here takes ``articles`` **row-aligned** with ``vectors``: row ``i``
of ``vectors`` is the vector of ``articles.iloc[i]`` (the index is ignored).

Outlet-pair tables come back in long format with both orders ``(a, b)`` and
``(b, a)`` and the diagonal, so ``table.pivot(index="outlet_b", columns="outlet_a",
values="similarity")`` is a symmetric matrix.

Example:
    >>> import pandas as pd
    >>> import scipy.sparse as sp
    >>> articles = pd.DataFrame({"article_id": ["a1", "b1"], "outlet": ["A", "B"], "event_id": [0, 0]})
    >>> vectors = sp.csr_matrix([[1.0, 0.0], [0.6, 0.8]])
    >>> outlet_similarity_for_event(articles, vectors)[["outlet_a", "outlet_b", "similarity"]]
      outlet_a outlet_b  similarity
    0        A        A         1.0
    1        A        B         0.6
    2        B        A         0.6
    3        B        B         1.0
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from analysis import settings

__all__ = [
    "event_labels",
    "outlet_coverage",
    "outlet_similarity_by_event",
    "outlet_similarity_for_event",
    "outlet_similarity_overall",
    "sentence_alignment",
]

def _check_articles(articles: pd.DataFrame, vectors: sp.spmatrix | None, columns: tuple[str, ...]) -> None:
    missing = [column for column in columns if column not in articles.columns]
    if missing:
        raise ValueError(f"articles need columns {missing}")
    if vectors is not None and vectors.shape[0] != len(articles):
        raise ValueError(f"articles has {len(articles)} rows but vectors has {vectors.shape[0]}")
    for column in ("outlet", "event_id"):
        if column in columns and articles[column].isna().any():
            raise ValueError(f"articles.{column} has missing values")


def _centroids(groups: np.ndarray, n_groups: int, vectors: sp.spmatrix) -> sp.csr_matrix:
    """One unit-length row per group: the normalised mean of its member rows (all zero if they are)."""
    membership = sp.csr_matrix(
        (np.ones(len(groups)), (groups, np.arange(len(groups)))), shape=(n_groups, len(groups))
    )
    # The sum and the mean point the same way, so normalising the sum gives the normalised mean.
    return normalize(membership @ sp.csr_matrix(vectors, dtype=np.float64))


def _coverage_pairs(articles: pd.DataFrame, vectors: sp.spmatrix) -> pd.DataFrame:
    """Every ordered pair of coverages of the same event, (a, a) included: event_id, outlet_a,
    outlet_b, similarity (cosine in [0, 1]), articles_a, articles_b; sorted by event_id, outlet_a,
    outlet_b. One sparse product for all events at once: per event it would cost a few pandas
    calls each, which add up to most of the grouping time over thousands of events."""
    keys = articles.groupby(["event_id", "outlet"], sort=True)
    groups = keys.ngroup().to_numpy()
    group_table = keys.size().rename("articles").reset_index()  # row g is group g
    group_table["group"] = np.arange(len(group_table))
    centroids = _centroids(groups, len(group_table), vectors)

    pairs = group_table.merge(group_table, on="event_id", suffixes=("_a", "_b"))
    left, right = pairs["group_a"].to_numpy(), pairs["group_b"].to_numpy()
    cosines = np.asarray(centroids[left].multiply(centroids[right]).sum(axis=1)).ravel()
    pairs["similarity"] = np.clip(cosines, 0.0, 1.0)  # float rounding can overshoot 1
    # An outlet's coverage is identical to itself, even when its vectors are all zero.
    pairs.loc[left == right, "similarity"] = 1.0
    pairs = pairs.sort_values(["event_id", "outlet_a", "outlet_b"], ignore_index=True)
    return pairs[["event_id", "outlet_a", "outlet_b", "similarity", "articles_a", "articles_b"]]


def _outlet_pair_scores(articles: pd.DataFrame, vectors: sp.spmatrix) -> pd.DataFrame:
    """Every ordered outlet pair: outlet_a, outlet_b, similarity (mean per-event cosine over the
    events both covered; NaN when none; 1.0 on the diagonal), shared_events."""
    outlets = sorted(articles["outlet"].unique())
    scores = _coverage_pairs(articles, vectors).groupby(["outlet_a", "outlet_b"]).agg(
        similarity=("similarity", "mean"), shared_events=("event_id", "size")
    )
    every_pair = pd.MultiIndex.from_product([outlets, outlets], names=["outlet_a", "outlet_b"])
    table = scores.reindex(every_pair).reset_index()
    # Every outlet has its (a, a) coverage pairs, each 1.0 (_coverage_pairs): the diagonal is 1.0.
    table["shared_events"] = table["shared_events"].fillna(0).astype(np.int64)
    return table


_PAIR_COLUMNS = {"outlet_a": object, "outlet_b": object, "similarity": float, "articles_a": np.int64,
                 "articles_b": np.int64}


def outlet_similarity_for_event(articles: pd.DataFrame, vectors: sp.spmatrix) -> pd.DataFrame:
    """TF-IDF cosine between outlets' coverage of one event.

    Args:
        articles: the event's articles, columns ``article_id``, ``outlet``, ``event_id``
            (one value). Row ``i`` of ``vectors`` is the vector of ``articles.iloc[i]``.
        vectors: unit-length rows (:class:`~analysis.vectorize.ArticleVectorizer` output).

    Returns:
        One row per ordered pair of outlets in the event, diagonal included, sorted by
        ``outlet_a`` then ``outlet_b``. Columns: ``outlet_a``, ``outlet_b``, ``similarity``
        (cosine of the two coverages, in [0, 1]; 1.0 on the diagonal), ``articles_a`` and
        ``articles_b`` (articles of each outlet in the event).

    Raises:
        ValueError: a column is missing, the rows do not match ``vectors``, or the
            articles belong to more than one event.
    """
    _check_articles(articles, vectors, ("article_id", "outlet", "event_id"))
    if articles["event_id"].nunique() > 1:
        raise ValueError("articles span several events; pass one event's articles")
    return outlet_similarity_by_event(articles, vectors)[list(_PAIR_COLUMNS)]


def outlet_similarity_by_event(articles: pd.DataFrame, vectors: sp.spmatrix, *, min_outlets: int = 1) -> pd.DataFrame:
    """:func:`outlet_similarity_for_event` for every event of ``articles`` at once.

    Args:
        articles: columns ``article_id``, ``outlet``, ``event_id``. Row ``i`` of ``vectors``
            is the vector of ``articles.iloc[i]``.
        vectors: unit-length rows (:class:`~analysis.vectorize.ArticleVectorizer` output).
        min_outlets: events covered by fewer outlets are left out.

    Returns:
        Columns ``event_id`` and those of :func:`outlet_similarity_for_event`; each event's rows
        are the ones that function returns for it. Sorted by ``event_id``, ``outlet_a``,
        ``outlet_b``.

    Raises:
        ValueError: a column is missing or has missing values, or the rows do not match ``vectors``.
    """
    _check_articles(articles, vectors, ("article_id", "outlet", "event_id"))
    if min_outlets > 1:
        kept = (articles.groupby("event_id")["outlet"].transform("nunique") >= min_outlets).to_numpy()
        articles, vectors = articles[kept], vectors[np.flatnonzero(kept)]
    if len(articles) == 0:
        return pd.DataFrame({"event_id": pd.Series(dtype=articles["event_id"].dtype),
                             **{column: pd.Series(dtype=kind) for column, kind in _PAIR_COLUMNS.items()}})
    return _coverage_pairs(articles, vectors)


def outlet_similarity_overall(articles: pd.DataFrame, vectors: sp.spmatrix) -> pd.DataFrame:
    """How alike two outlets' coverage is across the events both covered.

    For each pair of outlets, the mean over the events both covered of the cosine between
    their coverages of that event (as in :func:`outlet_similarity_for_event`).

    Args:
        articles: all articles, columns ``article_id``, ``outlet``, ``event_id``. Row ``i`` of
            ``vectors`` is the vector of ``articles.iloc[i]``.
        vectors: unit-length rows (:class:`~analysis.vectorize.ArticleVectorizer` output).

    Returns:
        One row per ordered pair of outlets, diagonal included, sorted by ``outlet_a`` then
        ``outlet_b``. Columns: ``outlet_a``, ``outlet_b``, ``similarity`` (mean cosine in
        [0, 1]; 1.0 on the diagonal; NaN when the two never covered the same event) and
        ``shared_events`` (events both covered; on the diagonal, the events the outlet covered).
    """
    _check_articles(articles, vectors, ("article_id", "outlet", "event_id"))
    if len(articles) == 0:
        return pd.DataFrame({"outlet_a": pd.Series(dtype=object), "outlet_b": pd.Series(dtype=object),
                             "similarity": pd.Series(dtype=float), "shared_events": pd.Series(dtype=np.int64)})
    return _outlet_pair_scores(articles, vectors)


def outlet_coverage(articles: pd.DataFrame) -> pd.DataFrame:
    """Which events each outlet covered, and which multi-outlet events it missed.

    Args:
        articles: columns ``article_id``, ``outlet``, ``event_id``.

    Returns:
        One row per outlet, sorted by ``events_covered`` (descending) then ``outlet``.
        Columns: ``outlet``, ``events_covered`` (events with at least one of its articles),
        ``events_missed`` (events covered by at least two outlets that this outlet did not
        cover), ``articles``.
    """
    _check_articles(articles, None, ("article_id", "outlet", "event_id"))
    outlets_per_event = articles.groupby("event_id")["outlet"].nunique()
    multi_outlet = set(outlets_per_event[outlets_per_event >= 2].index)
    per_outlet = articles.groupby("outlet").agg(
        events_covered=("event_id", "nunique"),
        multi_covered=("event_id", lambda events: len(set(events) & multi_outlet)),
        articles=("article_id", "size"),
    )
    per_outlet["events_missed"] = len(multi_outlet) - per_outlet["multi_covered"]
    table = per_outlet.reset_index()[["outlet", "events_covered", "events_missed", "articles"]]
    return table.sort_values(["events_covered", "outlet"], ascending=[False, True], ignore_index=True)


# Members closest to an event's centroid whose words name its top terms: the heaviest
# centroid columns come from words most members share, so the closest few carry them.
_TERM_SOURCES = 3


def event_labels(articles: pd.DataFrame, vectors: sp.spmatrix, *, vectorizer, top_terms: int = 5) -> pd.DataFrame:
    """A readable label and the top terms of every event.

    Args:
        articles: columns ``article_id``, ``outlet``, ``event_id``, ``title`` and optionally
            ``text`` and ``published``. Row ``i`` of ``vectors`` is the vector of ``articles.iloc[i]``.
        vectors: rows from ``vectorizer`` (word block first, then the name block).
        vectorizer: the fitted :class:`~analysis.vectorize.ArticleVectorizer` behind ``vectors``.
        top_terms: word features kept per event (0 skips them: the column holds empty lists).

    Returns:
        One row per event, sorted by ``articles`` (descending) then ``event_id``. Columns:
        ``event_id``; ``label`` (title of the article closest to the event's centroid, ties
        going to the smallest ``article_id``); ``top_terms`` (list of up to ``top_terms`` word
        features of the centroid, heaviest first, zero weights left out; read back from the
        headlines and body leads of the three members closest to the centroid, as the word
        block is hashed); ``articles``; ``outlets`` (distinct outlets); and, when ``articles``
        has a ``published`` column, ``first_published`` and ``last_published``.
    """
    _check_articles(articles, vectors, ("article_id", "outlet", "event_id", "title"))
    n_words = vectorizer.n_word_features_
    if vectors.shape[1] < n_words:
        raise ValueError("vectors have fewer columns than the vectorizer's word block")

    codes, event_ids = pd.factorize(articles["event_id"], sort=True)
    vectors = sp.csr_matrix(vectors, dtype=np.float64)
    centroids = _centroids(codes, len(event_ids), vectors)
    closeness = np.asarray(vectors.multiply(centroids[codes]).sum(axis=1)).ravel()
    ranked = (
        pd.DataFrame({"code": codes, "closeness": closeness, "article_id": articles["article_id"].to_numpy(),
                      "row": np.arange(len(codes))})
        .sort_values(["code", "closeness", "article_id"], ascending=[True, False, True])
    )
    closest = ranked.drop_duplicates("code").set_index("code")
    titles = articles["title"].fillna("").astype(str).to_numpy()
    terms = [[] for _ in range(len(event_ids))]
    if top_terms > 0:
        sources = ranked.groupby("code").head(_TERM_SOURCES)
        texts = titles[sources["row"]]
        if "text" in articles.columns:
            bodies = articles["text"].fillna("").astype(str).to_numpy()[sources["row"]]
            texts = [f"{title}\n{vectorizer.lead(body)}" for title, body in zip(texts, bodies)]
        term_of_column: list[dict[int, str]] = [{} for _ in range(len(event_ids))]
        for code, columns in zip(sources["code"], vectorizer.word_columns(texts)):
            for term, column in columns.items():  # terms in alphabetical order: a shared column keeps the first
                term_of_column[code].setdefault(column, term)
        word_centroids = centroids[:, :n_words].tocsr()
        for code in range(len(event_ids)):
            row = word_centroids[code]
            # lexsort's last key is primary: weight descending, then column order.
            order = np.lexsort((row.indices, -row.data))
            named = [term_of_column[code].get(row.indices[i]) for i in order if row.data[i] > 0]
            terms[code] = [term for term in named if term is not None][:top_terms]

    grouped = articles.groupby(codes)
    table = pd.DataFrame(
        {
            "event_id": event_ids,
            "label": titles[closest["row"].reindex(range(len(event_ids))).to_numpy()],
            "top_terms": terms,
            "articles": grouped.size().reindex(range(len(event_ids))).to_numpy(),
            "outlets": grouped["outlet"].nunique().reindex(range(len(event_ids))).to_numpy(),
        }
    )
    if "published" in articles.columns:
        table["first_published"] = grouped["published"].min().reindex(range(len(event_ids))).to_numpy()
        table["last_published"] = grouped["published"].max().reindex(range(len(event_ids))).to_numpy()
    return table.sort_values(["articles", "event_id"], ascending=[False, True], ignore_index=True)


def _sides(sentences: pd.DataFrame) -> pd.DataFrame:
    """Body sentences in order; the headline rows only when there is nothing else."""
    ordered = sentences.sort_values("sentence_no", ignore_index=True)
    body = ordered[~ordered["is_headline"].astype(bool)]
    return (body if len(body) else ordered).reset_index(drop=True)


def sentence_alignment(
    sentences_a: pd.DataFrame,
    sentences_b: pd.DataFrame,
    *,
    vectorizer,
    shared_threshold: float | None = None,
    reworded_threshold: float | None = None,
) -> pd.DataFrame:
    """For each sentence of article A, its closest sentence in article B.

    Sentences are compared by the cosine of their word TF-IDF vectors
    (``vectorizer.word_vectors``: the article model's word block); a sentence with no known
    words has similarity 0 to everything. Headlines are left out on both sides unless
    an article has only its headline, so body text is compared with body text.

    Args:
        sentences_a: one article's sentences, columns ``sentence_no``, ``text``, ``is_headline``.
        sentences_b: the other article's sentences, same columns.
        vectorizer: a fitted :class:`~analysis.vectorize.ArticleVectorizer`.
        shared_threshold: lowest score of a ``shared`` sentence (setting
            ``sentence_shared_threshold``, 0.6 until it is defined).
        reworded_threshold: lowest score of a ``reworded`` sentence (setting
            ``sentence_reworded_threshold``, 0.25 until it is defined).

    Returns:
        One row per compared sentence of A, by ``sentence_no``. Columns: ``sentence_no``,
        ``text``, ``match_sentence_no`` (B's closest sentence; -1 when no sentence of B shares
        a word), ``match_text`` ("" when none), ``score`` (cosine in [0, 1]) and ``status``:
        ``shared`` (score >= shared threshold), ``reworded`` (>= reworded threshold) or
        ``unique``.

    Raises:
        ValueError: the reworded threshold is above the shared threshold.
    """
    shared = float(shared_threshold if shared_threshold is not None else settings.setting("sentence_shared_threshold"))
    reworded = float(
        reworded_threshold if reworded_threshold is not None else settings.setting("sentence_reworded_threshold")
    )
    if reworded > shared:
        raise ValueError(f"reworded_threshold ({reworded}) is above shared_threshold ({shared})")
    side_a, side_b = _sides(sentences_a), _sides(sentences_b)

    if len(side_a) and len(side_b):
        vectors_a = vectorizer.word_vectors(side_a["text"].fillna("").astype(str)).astype(np.float64)
        vectors_b = vectorizer.word_vectors(side_b["text"].fillna("").astype(str)).astype(np.float64)
        cosines = np.clip((vectors_a @ vectors_b.T).toarray(), 0.0, 1.0)
        best = cosines.argmax(axis=1)  # ties go to B's earliest sentence
        scores = cosines[np.arange(len(side_a)), best]
    else:
        best = np.zeros(len(side_a), dtype=np.int64)
        scores = np.zeros(len(side_a))
    matched = scores > 0

    match_numbers = np.full(len(side_a), -1, dtype=np.int64)
    match_texts = np.full(len(side_a), "", dtype=object)
    if len(side_b):
        match_numbers[matched] = side_b["sentence_no"].to_numpy()[best[matched]]
        match_texts[matched] = side_b["text"].to_numpy()[best[matched]]
    status = np.where(scores >= shared, "shared", np.where(scores >= reworded, "reworded", "unique"))
    return pd.DataFrame(
        {
            "sentence_no": side_a["sentence_no"].to_numpy(),
            "text": side_a["text"].to_numpy(),
            "match_sentence_no": match_numbers,
            "match_text": match_texts,
            "score": scores.astype(float),
            "status": status.astype(object),
        }
    )

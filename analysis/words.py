"""Distinctive words: which terms one outlet uses more (or less) than the others.

The score is the log-odds ratio with an informative Dirichlet prior of Monroe,
Colaresi & Quinn (2008), "Fightin' Words: Lexical Feature Selection and
Evaluation for Identifying the Content of Political Conflict", *Political
Analysis* 16(4), §3.5, eqs. 16–22. Each group (an outlet) is compared with all
the other groups pooled; the prior's shape comes from background term counts
(by default the documents compared), which shrinks differences in rare terms
towards zero, and the z-score divides each difference by its approximate
standard error, so a term counts as distinctive only when the evidence for it
is large, not merely when its ratio is.

Scores alone mislead (a z of 2.5 from "7 vs 0" reads like one from "700 vs
400"), so every row carries the raw counts and rates beside the score, a
``supported`` flag and, when a difference is not supported, a short reason.

Example:
    >>> import pandas as pd
    >>> documents = pd.DataFrame({"outlet": ["A", "B"],
    ...     "text": ["Rebels seized the town.", "Protesters gathered in the town."]})
    >>> row = distinctive_terms(documents).iloc[0]
    >>> print(row["outlet"], row["term"], row["count"], row["count_others"], row["supported"], row["note"], sep=" | ")
    A | rebels seized | 1 | 0 | False | too few occurrences (1 vs 0) to call a difference
    >>> row = distinctive_terms(documents.assign(text=documents["text"] * 10)).iloc[0]
    >>> print(row["term"], row["count"], row["count_others"], row["supported"], sep=" | ")
    rebels seized | 10 | 0 | True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

import altair as alt
import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from analysis.charts import outlet_color_scale

__all__ = [
    "STOP_WORDS",
    "TERM_COLUMNS",
    "distinctive_terms",
    "distinctive_terms_by_event",
    "distinctive_terms_chart",
    "log_odds_with_prior",
    "term_counts",
]

# scikit-learn's English list holds content words that carry news ("bill",
# "fire", "serious", "interest", "system"...), so those are given back. Honorifics
# are added: "Mr" marks a house style (British papers, the NYT), not framing, and
# would top every comparison between such outlets and the rest.
STOP_WORDS: frozenset[str] = (
    frozenset(ENGLISH_STOP_WORDS)
    - {
        "bill", "fire", "serious", "interest", "system", "amount", "detail", "front", "side", "top",
        "bottom", "part", "name", "show", "call", "move", "empty", "full",
    }
) | {"mr", "mrs", "ms", "dr"}

# Columns of distinctive_terms after the group column (which is named after the
# ``group`` argument); distinctive_terms_by_event puts ``event_id`` first.
TERM_COLUMNS = (
    "term", "count", "count_others", "rate", "rate_others", "log_odds", "z", "direction", "supported", "note",
)

# Defaults, documented in distinctive_terms.
DEFAULT_TOP = 20
DEFAULT_MIN_COUNT = 3
DEFAULT_Z_THRESHOLD = 1.96  # two-sided 5 % under the normal approximation of Monroe et al. eq. 20

# Add-half (Jeffreys) pseudo-count on background counts, so a term absent from the
# background still gets a small positive prior instead of log(0).
_BACKGROUND_SMOOTHING = 0.5

# One pass over the raw text: dotted abbreviations ("U.S.", "D.C.") stay one
# token; words keep inner hyphens and apostrophes ("jong-un",
# "o'brien", "assange's"); any other punctuation mark or a line break is a token
# of its own, so that bigrams never span it.
_TOKEN = re.compile(r"\w+(?:[-'\u2019]\w+)*(?:(?<=\b\w)\.(?:\w\.)+)?|[^\w\s]|\n")
# A web address counts as no term and breaks bigrams like a line break: pasted links
# ("http://abcn.ws/1x", "aclu.org/news/will-the-court-...") are page furniture, and their
# pieces ("http", "abcn", a slug) would rank among an outlet's words. Looked for only in texts
# with a "/" or "www."; possessive runs, tried at word starts only, keep the search linear.
_WEB_ADDRESS = re.compile(r"(?:https?://|www\.)[^\s<>\"]+|(?<![\w.-])[\w-]++(?:\.[\w-]++)++/[^\s<>\"]*")
# "US" and "UN" in capitals are the country and the body, not the stop words "us"
# and "un" they become in lower case.
_CAPITAL_ABBREVIATIONS = {"US": "u.s.", "UN": "u.n."}


class _TermOf(dict):
    """Raw token -> the term it counts as, or "" when it is no term; worked out once per distinct token.

    A term is lower case, without a possessive "'s", with dotted abbreviations
    undotted ("U.K." and "UK" are one term) unless that makes a stop word ("u.s.").
    It has a letter, two characters or more, and is neither a stop word nor a
    contraction of one ("they're", "don't").
    """

    def __init__(self, stop_words: frozenset[str]):
        super().__init__()
        self.stop_words = stop_words

    def _term(self, token: str) -> str:
        if token in _CAPITAL_ABBREVIATIONS:
            return _CAPITAL_ABBREVIATIONS[token]
        token = token.lower().replace("\u2019", "'").removesuffix("'s")
        if "." in token:
            undotted = token.replace(".", "")
            token = token if undotted in self.stop_words else undotted
        is_term = (
            len(token) > 1
            and any(character.isalpha() for character in token)
            and token not in self.stop_words
            and token.split("'")[0] not in self.stop_words
            and not token.endswith("n't")
        )
        return token if is_term else ""

    def __missing__(self, token: str) -> str:
        term = self[token] = self._term(token)
        return term


class _TermAnalyzer:
    """Callable analyzer for ``CountVectorizer``: text -> its unigrams, then its bigrams.

    A bigram is two adjacent terms with no punctuation between them, so "north
    korea" is kept and neither "of state" nor "said the" is. One analyzer (and its
    token memo) lives for one :func:`term_counts` call.
    """

    def __init__(self, ngram_range: tuple[int, int], stop_words: frozenset[str]):
        self.ngram_range = ngram_range
        self.stop_words = stop_words
        self._term_of = _TermOf(stop_words)

    def __call__(self, text: str) -> list[str]:
        if "/" in text or "www." in text:
            text = _WEB_ADDRESS.sub("\n", text)
        terms = list(map(self._term_of.__getitem__, _TOKEN.findall(text)))
        low, high = self.ngram_range
        found = list(filter(None, terms)) if low <= 1 <= high else []
        if low <= 2 <= high:
            found += [f"{first} {second}" for first, second in zip(terms, terms[1:]) if first and second]
        return found


def term_counts(
    texts: Iterable[str],
    *,
    ngram_range: tuple[int, int] = (1, 2),
    stop_words: Iterable[str] = STOP_WORDS,
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Count unigrams and bigrams per text, once, for any later grouping of the rows.

    Text is lower-cased; curly apostrophes and possessive "'s" are folded; tokens
    without a letter ("2010", "250,000") and one-character tokens are dropped;
    stop words are dropped, and a bigram is kept only when both its words are
    kept and no punctuation or line break separates them ("serious organised",
    "north korea", "u.s. officials"; not "of the", "secretary of", "london police"
    across a full stop).

    Args:
        texts: one string per document.
        ngram_range: ``(1, 2)`` for unigrams and bigrams, ``(1, 1)`` or ``(2, 2)`` for one kind.
        stop_words: words never counted alone nor inside a bigram (default :data:`STOP_WORDS`).

    Returns:
        ``(counts, terms)``: a CSR matrix of shape (texts, terms) with integer counts, and the
        terms in column order (alphabetical, so a column index orders like its term).

    Example:
        >>> counts, terms = term_counts(["North Korea's leader met the U.S. envoy.", "The envoy left."])
        >>> list(terms)
        ['envoy', 'envoy left', 'korea', 'korea leader', 'leader', 'leader met', 'left', 'met', 'north', \
'north korea', 'u.s.', 'u.s. envoy']
    """
    if not 1 <= ngram_range[0] <= ngram_range[1] <= 2:
        raise ValueError(f"ngram_range must lie within (1, 2), got {ngram_range}")
    texts = list(texts)
    analyzer = _TermAnalyzer(tuple(ngram_range), frozenset(stop_words))
    vectorizer = CountVectorizer(analyzer=analyzer, dtype=np.int64)
    try:
        counts = vectorizer.fit_transform(texts)
    except ValueError:
        # CountVectorizer refuses an empty vocabulary (no texts, or only stop words);
        # for counting, no terms is an answer, not an error.
        return sp.csr_matrix((len(texts), 0), dtype=np.int64), np.array([], dtype=object)
    return counts.tocsr(), vectorizer.get_feature_names_out()


def log_odds_with_prior(
    counts_a: np.ndarray,
    counts_b: np.ndarray,
    prior: np.ndarray,
    *,
    total_a: float | np.ndarray | None = None,
    total_b: float | np.ndarray | None = None,
    prior_total: float | np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Log-odds ratio with an informative Dirichlet prior, and its z-score, per term.

    Monroe, Colaresi & Quinn (2008), eqs. 16–22::

        delta = log((y_a + α) / (n_a + α0 − y_a − α)) − log((y_b + α) / (n_b + α0 − y_b − α))
        var   ≈ 1 / (y_a + α) + 1 / (y_b + α)
        z     = delta / sqrt(var)

    Swapping ``a`` and ``b`` negates ``delta`` and ``z``. Positive means ``a`` uses the term more.

    Args:
        counts_a: counts ``y_a`` of each term in group a.
        counts_b: counts ``y_b`` of the same terms in group b.
        prior: pseudo-counts ``α`` of the same terms (positive).
        total_a: ``n_a``, all counted terms of group a, a number or one per term (default:
            ``counts_a.sum()``, right when the arrays cover the whole vocabulary).
        total_b: ``n_b`` likewise (default ``counts_b.sum()``).
        prior_total: ``α0``, the prior's total over the whole vocabulary, a number or one per
            term (default ``prior.sum()``); it must exceed every ``α``.

    Returns:
        ``(delta, z)``: two float arrays aligned with the inputs.

    Example:
        >>> delta, z = log_odds_with_prior(np.array([30, 5]), np.array([5, 30]), np.array([1.0, 1.0]))
        >>> np.round(z, 2).tolist()
        [7.36, -7.36]
    """
    y_a = np.asarray(counts_a, dtype=float)
    y_b = np.asarray(counts_b, dtype=float)
    alpha = np.asarray(prior, dtype=float)
    n_a = y_a.sum() if total_a is None else np.asarray(total_a, dtype=float)
    n_b = y_b.sum() if total_b is None else np.asarray(total_b, dtype=float)
    alpha_0 = alpha.sum() if prior_total is None else np.asarray(prior_total, dtype=float)
    delta = np.log((y_a + alpha) / (n_a + alpha_0 - y_a - alpha)) - np.log((y_b + alpha) / (n_b + alpha_0 - y_b - alpha))
    variance = 1.0 / (y_a + alpha) + 1.0 / (y_b + alpha)
    return delta, delta / np.sqrt(variance)


def _joined_texts(documents: pd.DataFrame, text: str, title: str | None) -> list[str]:
    """Headline and body as one string; the line break keeps bigrams from spanning them."""
    bodies = documents[text].fillna("").astype(str)
    if title is None or title not in documents:
        return bodies.tolist()
    return (documents[title].fillna("").astype(str) + "\n" + bodies).tolist()


def _is_bigram(terms: np.ndarray) -> np.ndarray:
    return np.fromiter((" " in term for term in terms), dtype=bool, count=len(terms))


def _prior_shares(background: np.ndarray, is_bigram: np.ndarray) -> np.ndarray:
    """Each term's share of the background within its n-gram order, add-half smoothed.

    Unigrams and bigrams are two vocabularies (each token is counted once as a
    unigram and up to twice inside bigrams), so each gets its own distribution.
    The smoothing keeps one extra slot for terms the vocabulary lacks, so every
    share is below 1 and ``α0 − α`` stays positive.
    """
    shares = np.zeros(len(background))
    for order in (~is_bigram, is_bigram):
        total = background[order].sum() + _BACKGROUND_SMOOTHING * (order.sum() + 1)
        shares[order] = (background[order] + _BACKGROUND_SMOOTHING) / total
    return shares


def _background_counts(background, terms: np.ndarray, text: str, title: str | None, ngram_range) -> np.ndarray:
    """Background counts aligned with ``terms`` (documents are counted with the same rules)."""
    if isinstance(background, pd.DataFrame):
        counts, background_terms = term_counts(_joined_texts(background, text, title), ngram_range=ngram_range)
        background = pd.Series(np.asarray(counts.sum(axis=0)).ravel(), index=background_terms)
    if not isinstance(background, pd.Series):
        raise TypeError("background must be a DataFrame of documents or a Series of term counts indexed by term")
    return background.groupby(level=0).sum().reindex(terms, fill_value=0).to_numpy(dtype=float)


def _note(count: int, count_others: int, z: float, direction: str, min_count: int, z_threshold: float) -> str:
    larger_side = count if direction == "over" else count_others
    if larger_side < min_count:
        return f"too few occurrences ({count} vs {count_others}) to call a difference"
    if abs(z) < z_threshold:
        return f"difference could be chance (|z| = {abs(z):.2f} < {z_threshold:g})"
    return ""


def _compare_groups(
    group_counts: np.ndarray | sp.csr_matrix,
    columns: np.ndarray,
    is_bigram: np.ndarray,
    shares: np.ndarray,
    *,
    top: int,
    under: bool,
    prior_strength: float | None,
) -> dict[str, np.ndarray]:
    """Each group against the others pooled, over the columns any group uses.

    Args:
        group_counts: (groups, len(columns)) counts, dense or CSR (a corpus of hundreds of
            outlets and a million terms is only made dense one group at a time).
        columns: vocabulary indices of those columns, ascending (so alphabetical).
        is_bigram, shares: per column.

    Returns:
        Arrays of equal length: ``group`` (row index into group_counts), ``column``
        (vocabulary index), ``count``, ``count_others``, ``words``, ``words_others``,
        ``log_odds``, ``z``, ``over`` (bool).
    """
    totals = np.asarray(group_counts.sum(axis=0)).ravel()
    # n-gram totals per group: unigrams and bigrams are compared within their own order.
    order_totals = np.asarray(group_counts @ np.stack([~is_bigram, is_bigram], axis=1).astype(float))
    comparison_totals = order_totals.sum(axis=0)
    order = is_bigram.astype(int)
    # Prior strength α0: by default as many pseudo-counts as the comparison has counts
    # of that order. Monroe et al. (§3.5) take α from background counts; tying α0 to
    # the data's size keeps the shrinkage alike for a two-article event and for a
    # whole corpus (a fixed α0 = 1000 would swamp two short articles and vanish beside
    # a year of coverage). It is deliberately cautious: between texts of equal size a
    # term needs about 12 uses against none to reach |z| 1.96, because words come in
    # bursts (an article that names "ISIS" names it 28 times), so token counts
    # overstate the evidence of a single article.
    strength = comparison_totals[order] if prior_strength is None else np.full(len(columns), float(prior_strength))
    alpha = strength * shares
    pieces = []
    for group in range(group_counts.shape[0]):
        y_a = group_counts[group].toarray().ravel() if sp.issparse(group_counts) else group_counts[group]
        y_b = totals - y_a
        n_a = order_totals[group][order]
        n_b = comparison_totals[order] - n_a
        delta, z = log_odds_with_prior(y_a, y_b, alpha, total_a=n_a, total_b=n_b, prior_total=strength)
        picked = []
        # A group cannot over-use a term it never used, nor under-use one nobody else used.
        for over, usable in ((True, (z > 0) & (y_a > 0)), (False, (z < 0) & (y_b > 0))):
            if not over and not under:
                continue
            candidates = np.flatnonzero(usable)
            # Column order is alphabetical order, so ties in z break by term.
            ranked = candidates[np.lexsort((columns[candidates], -z[candidates] if over else z[candidates]))][:top]
            picked.append((ranked, over))
        for ranked, over in picked:
            pieces.append(
                {
                    "group": np.full(len(ranked), group),
                    "column": columns[ranked],
                    "count": y_a[ranked],
                    "count_others": y_b[ranked],
                    "words": np.full(len(ranked), order_totals[group][0]),
                    "words_others": np.full(len(ranked), comparison_totals[0] - order_totals[group][0]),
                    "log_odds": delta[ranked],
                    "z": z[ranked],
                    "over": np.full(len(ranked), over),
                }
            )
    if not pieces:
        return {}
    return {key: np.concatenate([piece[key] for piece in pieces]) for key in pieces[0]}


def _empty_frame(source: pd.DataFrame, group: str, event: str | None = None) -> pd.DataFrame:
    """The result's columns and types, without rows; group and event columns keep ``source``'s types."""
    dtypes = {
        "term": "str", "count": np.int64, "count_others": np.int64, "rate": float, "rate_others": float,
        "log_odds": float, "z": float, "direction": "str", "supported": bool, "note": "str",
    }
    leading = ([event] if event else []) + [group]
    return pd.DataFrame(
        {column: pd.Series(dtype=source[column].dtype) for column in leading}
        | {column: pd.Series(dtype=dtype) for column, dtype in dtypes.items()}
    )


def _rows_frame(
    rows: dict[str, np.ndarray],
    group_labels: np.ndarray,
    terms: np.ndarray,
    *,
    group: str,
    min_count: int,
    z_threshold: float,
) -> pd.DataFrame:
    count = rows["count"].astype(np.int64)
    count_others = rows["count_others"].astype(np.int64)
    direction = np.where(rows["over"], "over", "under")
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(rows["words"] > 0, 1000.0 * count / rows["words"], 0.0)
        rate_others = np.where(rows["words_others"] > 0, 1000.0 * count_others / rows["words_others"], 0.0)
    notes = [
        _note(c, o, z, d, min_count, z_threshold)
        for c, o, z, d in zip(count.tolist(), count_others.tolist(), rows["z"].tolist(), direction.tolist())
    ]
    return pd.DataFrame(
        {
            group: group_labels,
            "term": terms[rows["column"]],
            "count": count,
            "count_others": count_others,
            "rate": rate,
            "rate_others": rate_others,
            "log_odds": rows["log_odds"],
            "z": rows["z"],
            "direction": direction,
            "supported": np.array([note == "" for note in notes], dtype=bool),
            "note": notes,
        }
    )


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    # z descending then term, inside each group: over-used terms first, the most
    # under-used last, like the bars of the chart from top to bottom.
    return frame.sort_values(
        keys + ["z", "term"], ascending=[True] * len(keys) + [False, True], kind="mergesort"
    ).reset_index(drop=True)


def _check_options(top: int, min_count: int, prior_strength: float | None) -> None:
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    if min_count < 1:
        raise ValueError(f"min_count must be at least 1, got {min_count}")
    if prior_strength is not None and not prior_strength > 0:
        raise ValueError(f"prior_strength must be positive, got {prior_strength}")


def distinctive_terms(
    documents: pd.DataFrame,
    *,
    group: str = "outlet",
    text: str = "text",
    title: str | None = "title",
    background: pd.DataFrame | pd.Series | None = None,
    top: int = DEFAULT_TOP,
    under: bool = False,
    min_count: int = DEFAULT_MIN_COUNT,
    z_threshold: float = DEFAULT_Z_THRESHOLD,
    prior_strength: float | None = None,
    ngram_range: tuple[int, int] = (1, 2),
) -> pd.DataFrame:
    """Each group's most distinctive terms against all the other groups pooled.

    Scores are log-odds ratios with an informative Dirichlet prior (Monroe, Colaresi &
    Quinn 2008; see :func:`log_odds_with_prior`) over unigrams and bigrams counted by
    :func:`term_counts` from headline and body. The prior is ``α_w = α0 · share_w``:
    ``share_w`` is the term's share of the background counts (add-half smoothed, per
    n-gram order) and ``α0`` defaults to the number of counted terms in the comparison,
    so the prior weighs as much as the data whatever their size. Unigrams and bigrams
    are scored as two vocabularies.

    A row is **supported** when ``|z| ≥ z_threshold`` and the side said to use the
    term more (the group for ``over``, the others for ``under``) used it at least
    ``min_count`` times. Otherwise ``note`` says why, e.g. "too few occurrences
    (2 vs 0) to call a difference": two short articles mostly give such rows.

    Args:
        documents: one row per document, with columns ``group`` and ``text`` (and ``title``
            when present). Rows whose group is missing are left out.
        group: column naming the groups (outlets).
        text, title: body and headline columns; both are counted.
        background: where the prior's shares come from: a DataFrame of documents (same
            ``text``/``title`` columns) or a Series of term counts indexed by term.
            Default: ``documents`` themselves.
        top: terms per group and direction.
        under: also return each group's ``top`` most under-used terms (lowest z).
        min_count: fewest uses, on the side using the term more, for a supported row.
        z_threshold: smallest ``|z|`` for a supported row (1.96: two-sided 5 %).
        prior_strength: a fixed ``α0`` instead of the comparison's size.
        ngram_range: passed to :func:`term_counts`.

    Returns:
        One row per (group, term) picked, sorted by group, then ``z`` descending, then term.
        Columns: the group column (named ``group``'s value), ``term``, ``count`` (uses in
        the group), ``count_others`` (uses in all other groups), ``rate`` and ``rate_others``
        (per 1,000 counted words, i.e. unigrams after stop words), ``log_odds`` (delta, the
        group against the others), ``z``, ``direction`` ("over" or "under"), ``supported``
        (bool, rule above) and ``note`` (why a row is not supported; "" when it is).
        Fewer than two groups give an empty frame with these columns.
    """
    _check_options(top, min_count, prior_strength)
    documents = documents[documents[group].notna()].reset_index(drop=True)
    codes, names = pd.factorize(documents[group], sort=True)
    names = np.asarray(names, dtype=object)
    if len(names) < 2:
        return _empty_frame(documents, group)
    counts, terms = term_counts(_joined_texts(documents, text, title), ngram_range=ngram_range)
    membership = sp.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))), shape=(len(names), len(codes)))
    group_counts = (membership @ counts).tocsr()
    is_bigram = _is_bigram(terms)
    totals = np.asarray(group_counts.sum(axis=0)).ravel().astype(float)
    if background is None:
        background_counts = totals
    else:
        background_counts = _background_counts(background, terms, text, title, ngram_range)
    used = np.flatnonzero(totals > 0)
    rows = _compare_groups(
        group_counts[:, used], used, is_bigram[used], _prior_shares(background_counts, is_bigram)[used],
        top=top, under=under, prior_strength=prior_strength,
    )
    if not rows:
        return _empty_frame(documents, group)
    frame = _rows_frame(rows, names[rows["group"]], terms, group=group, min_count=min_count, z_threshold=z_threshold)
    return _sorted(frame, [group])


def distinctive_terms_by_event(
    articles: pd.DataFrame,
    *,
    event: str = "event_id",
    group: str = "outlet",
    text: str = "text",
    title: str | None = "title",
    background: Literal["events", "all"] | pd.DataFrame | pd.Series = "events",
    top: int = DEFAULT_TOP,
    under: bool = False,
    min_count: int = DEFAULT_MIN_COUNT,
    z_threshold: float = DEFAULT_Z_THRESHOLD,
    prior_strength: float | None = None,
    ngram_range: tuple[int, int] = (1, 2),
) -> pd.DataFrame:
    """:func:`distinctive_terms` within each event: each outlet against the event's other outlets.

    All articles are counted once, with one vocabulary; each event then reads its
    outlets' rows, so a corpus of thousands of events takes seconds. Events that
    fewer than two outlets covered give no rows.

    Args:
        articles: columns ``event`` (default ``event_id``), ``group`` (default ``outlet``),
            ``text`` and ``title`` (optional). Rows missing an event or group are left out.
        background: where the prior's shares come from. ``"events"`` (default): each event's
            own articles, so the rows of an event are those :func:`distinctive_terms` gives
            for its articles alone. ``"all"``: all ``articles`` given, so terms the whole
            corpus uses often are shrunk less than the event's own names, which then need
            more uses to stand out. Or a DataFrame of documents or a Series of term counts,
            as in :func:`distinctive_terms`, for every event.
        Other arguments: as in :func:`distinctive_terms`, applied per event.

    Returns:
        The columns of :func:`distinctive_terms` with the event column first; sorted by
        event, group, ``z`` descending, term.
    """
    _check_options(top, min_count, prior_strength)
    articles = articles[articles[event].notna() & articles[group].notna()].reset_index(drop=True)
    event_codes, event_names = pd.factorize(articles[event], sort=True)
    group_codes, group_names = pd.factorize(articles[group], sort=True)
    event_names, group_names = np.asarray(event_names, dtype=object), np.asarray(group_names, dtype=object)
    if len(articles) == 0:
        return _empty_frame(articles, group, event)
    counts, terms = term_counts(_joined_texts(articles, text, title), ngram_range=ngram_range)
    is_bigram = _is_bigram(terms)
    if isinstance(background, str):
        if background not in ("events", "all"):
            raise ValueError(f'background must be "events", "all", a DataFrame or a Series, got {background!r}')
        shares = None if background == "events" else _prior_shares(np.asarray(counts.sum(axis=0)).ravel(), is_bigram)
    else:
        shares = _prior_shares(_background_counts(background, terms, text, title, ngram_range), is_bigram)

    # One sparse product sums the counts of every (event, outlet) pair; pairs are
    # numbered in event order, so each event's outlets are consecutive rows.
    pairs, pair_codes = np.unique(np.stack([event_codes, group_codes], axis=1), axis=0, return_inverse=True)
    pair_codes = pair_codes.ravel()
    membership = sp.csr_matrix(
        (np.ones(len(pair_codes)), (pair_codes, np.arange(len(pair_codes)))), shape=(len(pairs), len(pair_codes))
    )
    pair_counts = (membership @ counts).tocsr()
    bounds = np.searchsorted(pairs[:, 0], np.arange(len(event_names) + 1))

    pieces = []
    for event_code in range(len(event_names)):
        start, stop = bounds[event_code], bounds[event_code + 1]
        if stop - start < 2:
            continue
        block = pair_counts[start:stop].tocoo()
        used, used_codes = np.unique(block.col, return_inverse=True)
        group_counts = np.zeros((stop - start, len(used)))
        group_counts[block.row, used_codes] = block.data
        event_shares = (
            _prior_shares(group_counts.sum(axis=0), is_bigram[used]) if shares is None else shares[used]
        )
        rows = _compare_groups(
            group_counts, used, is_bigram[used], event_shares, top=top, under=under, prior_strength=prior_strength
        )
        if rows:
            rows["group"] = pairs[start:stop, 1][rows["group"]]
            rows["event"] = np.full(len(rows["group"]), event_code)
            pieces.append(rows)
    if not pieces:
        return _empty_frame(articles, group, event)
    # One frame at the end: building a small frame per event would cost more than scoring it.
    rows = {key: np.concatenate([piece[key] for piece in pieces]) for key in pieces[0]}
    frame = _rows_frame(rows, group_names[rows["group"]], terms, group=group, min_count=min_count, z_threshold=z_threshold)
    frame.insert(0, event, event_names[rows["event"]])
    return _sorted(frame, [event, group])


def distinctive_terms_chart(
    terms: pd.DataFrame,
    *,
    group: str = "outlet",
    title: str = "Distinctive words per outlet",
) -> alt.FacetChart:
    """Horizontal bars of z per term, one panel per group; unsupported terms are faded.

    Args:
        terms: rows of :func:`distinctive_terms` (or of one event from
            :func:`distinctive_terms_by_event`): columns ``group``, ``term``, ``count``,
            ``count_others``, ``rate``, ``rate_others``, ``z``, ``supported``, ``note``.
        group: the group column's name.
        title: chart title.

    Returns:
        A faceted Altair chart; the tooltip shows counts beside z, because a z-score
        alone does not say how much text it rests on.
    """
    data = terms.assign(support=np.where(terms["supported"], "supported", "not supported (see note)"))
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("z:Q", title="z-score (log-odds with prior; |z| ≥ 1.96 is a 5 % difference)"),
            y=alt.Y("term:N", sort=alt.EncodingSortField(field="z", order="descending"), title=None),
            color=alt.Color(f"{group}:N", scale=outlet_color_scale(data[group].astype(str)), legend=None),
            opacity=alt.Opacity(
                "support:N",
                scale=alt.Scale(domain=["supported", "not supported (see note)"], range=[1.0, 0.3]),
                title="Difference",
            ),
            tooltip=[
                alt.Tooltip(f"{group}:N", title=group.capitalize()),
                alt.Tooltip("term:N", title="Term"),
                alt.Tooltip("count:Q", title="Uses here"),
                alt.Tooltip("count_others:Q", title="Uses by the others"),
                alt.Tooltip("rate:Q", title="Per 1,000 words here", format=".2f"),
                alt.Tooltip("rate_others:Q", title="Per 1,000 words, others", format=".2f"),
                alt.Tooltip("z:Q", title="z", format=".2f"),
                alt.Tooltip("supported:N", title="Supported"),
                alt.Tooltip("note:N", title="Note"),
            ],
        )
        .properties(width=320)
    )
    return (
        bars.facet(row=alt.Row(f"{group}:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")))
        .resolve_scale(y="independent")
        .properties(title=title)
    )

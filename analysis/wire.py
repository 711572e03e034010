"""Near-duplicates and wire copies: MinHash LSH over word shingles of the body (datasketch).

News agencies' stories (AP, Reuters, AFP) run word for word under many outlets' names.
Compared as coverage, such copies look like outlets agreeing on every claim and every
word; they are one outlet's reporting, syndicated. This module finds them:

1. each body becomes a set of *shingles*: every run of ``wire_shingle_words`` consecutive
   words (lower case), hashed to 32 bits with a fixed hash, so results never depend on
   the process;
2. a MinHash signature of ``wire_permutations`` values estimates the Jaccard similarity
   of two shingle sets, and locality-sensitive hashing (datasketch's ``MinHashLSH``, its
   bands chosen for ``wire_threshold``) proposes the pairs likely at or above it without
   comparing every pair;
3. each proposed pair is checked on the exact Jaccard similarity of its shingle sets.

:func:`near_duplicates` returns the checked pairs; :func:`wire_copies` flags each article
that copies an earlier article of *another* outlet (``wire_copy_of``: the earliest one it
copies), and :func:`without_wire_copies` leaves the flagged articles out of a comparison.
The earliest article of a group stays in, so the story is still counted once.

Example:
    >>> import pandas as pd
    >>> body = "The central bank raised its main interest rate by half a point on Thursday, " * 3
    >>> articles = pd.DataFrame({"article_id": ["a", "b", "c"], "outlet": ["AP", "Daily", "Herald"],
    ...     "published": pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-02"], utc=True),
    ...     "text": [body, body + "Reporting by AP.", "Parliament met to discuss the budget bill today."]})
    >>> wire_copies(articles)[["article_id", "wire_copy_of"]].values.tolist()
    [['b', 'a']]
"""

from __future__ import annotations

import re
import zlib

import numpy as np
import pandas as pd

from analysis.settings import setting

__all__ = ["NEAR_DUPLICATE_COLUMNS", "WIRE_COLUMNS", "band_keys", "jaccard_of_texts", "lsh_bands", "near_duplicates",
           "shingles", "wire_copies", "without_wire_copies"]

NEAR_DUPLICATE_COLUMNS = ["article_a", "article_b", "similarity"]
WIRE_COLUMNS = ["article_id", "outlet", "wire_copy_of", "copied_outlet", "similarity"]

_WORD = re.compile(r"\w+")
_MASK = np.uint64(0xFFFFFFFF)
# Multiplier of the polynomial that combines word hashes into a shingle hash (an odd 32-bit prime).
_BASE = np.uint64(0x01000193)


def shingles(text: str, words: int) -> np.ndarray:
    """The sorted, distinct 32-bit hashes of ``text``'s runs of ``words`` consecutive words
    (lower case); a text shorter than that has none."""
    tokens = _WORD.findall(str(text).lower())
    if len(tokens) < words:
        return np.zeros(0, dtype=np.uint32)
    hashes = np.fromiter((zlib.crc32(token.encode("utf-8")) for token in tokens), dtype=np.uint64,
                         count=len(tokens))
    combined = np.zeros(len(tokens) - words + 1, dtype=np.uint64)
    for offset in range(words):
        combined = (combined * _BASE + hashes[offset : offset + len(combined)]) & _MASK
    return np.unique(combined.astype(np.uint32))


def _jaccard(first: np.ndarray, second: np.ndarray) -> float:
    shared = len(np.intersect1d(first, second, assume_unique=True))
    return shared / (len(first) + len(second) - shared) if shared else 0.0


def lsh_bands(threshold: float, permutations: int) -> tuple[int, int]:
    """(bands, rows per band) that datasketch's ``MinHashLSH`` picks for ``threshold``: two
    articles are candidates when all ``rows`` signature values of at least one band agree."""
    from datasketch import MinHashLSH

    index = MinHashLSH(threshold=threshold, num_perm=permutations)
    return index.b, index.r


def band_keys(texts: list[str], *, shingle_words: int, permutations: int, bands: int, rows: int) -> pd.DataFrame:
    """The LSH band keys of each text, as :func:`near_duplicates` bands them: columns ``position``
    (index into ``texts``), ``band`` and ``key`` (the band's signature values as bytes). Texts
    without shingles have none. Two texts are LSH candidates when they share a (band, key) pair:
    a join, so the candidates of a corpus can be found partition by partition."""
    from datasketch import MinHash

    blank = MinHash(num_perm=permutations, seed=1, hashfunc=int)
    positions, band_numbers, keys = [], [], []
    for position, text in enumerate(texts):
        shingle_set = shingles(text or "", shingle_words)
        if len(shingle_set) == 0:
            continue
        signature = blank.copy()
        signature.update_batch(shingle_set)
        values = signature.hashvalues
        for band in range(bands):
            positions.append(position)
            band_numbers.append(band)
            keys.append(values[band * rows : (band + 1) * rows].tobytes())
    return pd.DataFrame({"position": np.array(positions, dtype=np.int64),
                         "band": np.array(band_numbers, dtype=np.int16), "key": keys})


def jaccard_of_texts(first: str, second: str, shingle_words: int) -> float:
    """Exact Jaccard similarity of two texts' shingle sets (what a candidate pair is checked on)."""
    return _jaccard(shingles(first or "", shingle_words), shingles(second or "", shingle_words))


def near_duplicates(
    articles: pd.DataFrame, *, threshold: float | None = None, shingle_words: int | None = None,
    permutations: int | None = None,
) -> pd.DataFrame:
    """Pairs of articles whose bodies share at least ``threshold`` of their shingles.

    Args:
        articles: columns ``article_id`` (unique) and ``text``.
        threshold: Jaccard similarity of the shingle sets (setting ``wire_threshold``).
        shingle_words: words per shingle (setting ``wire_shingle_words``).
        permutations: MinHash permutations (setting ``wire_permutations``).

    Returns:
        Columns :data:`NEAR_DUPLICATE_COLUMNS`: ``article_a`` < ``article_b`` (ids) and ``similarity``
        (exact Jaccard of their shingle sets, at least ``threshold``); ordered by the two ids.
    """
    from datasketch import MinHash, MinHashLSH

    threshold = float(threshold if threshold is not None else setting("wire_threshold"))
    words = int(shingle_words if shingle_words is not None else setting("wire_shingle_words"))
    count = int(permutations if permutations is not None else setting("wire_permutations"))
    if articles["article_id"].duplicated().any():
        raise ValueError("article ids must be unique")
    ids = articles["article_id"].astype(str).tolist()
    sets = [shingles(text, words) for text in articles["text"].fillna("")]
    index = MinHashLSH(threshold=threshold, num_perm=count)
    # Shingles are hashed already: the signature takes them as they are (fixed seed, one set of permutations).
    blank = MinHash(num_perm=count, seed=1, hashfunc=int)
    signatures = {}
    with index.insertion_session() as session:
        for position, shingle_set in enumerate(sets):
            if len(shingle_set) == 0:
                continue
            signature = blank.copy()
            signature.update_batch(shingle_set)
            signatures[position] = signature
            session.insert(position, signature)
    pairs = []
    for position, signature in signatures.items():
        for other in index.query(signature):
            if other > position:
                similarity = _jaccard(sets[position], sets[other])
                if similarity >= threshold:
                    first, second = sorted((ids[position], ids[other]))
                    pairs.append((first, second, similarity))
    frame = pd.DataFrame(pairs, columns=NEAR_DUPLICATE_COLUMNS).astype({"similarity": float})
    return frame.sort_values(["article_a", "article_b"], ignore_index=True)


def wire_copies(articles: pd.DataFrame, *, pairs: pd.DataFrame | None = None, **options) -> pd.DataFrame:
    """The articles that copy an earlier article of another outlet.

    "Earlier": by publication time, undated articles after dated ones, ties by ``article_id``;
    the earliest article of a group is the original and is not flagged. An article that
    copies only articles of its own outlet (a republished story) is not a wire copy.

    Args:
        articles: columns ``article_id``, ``outlet``, ``text`` and optionally ``published``.
        pairs: :func:`near_duplicates` of ``articles``, when already found.
        options: passed to :func:`near_duplicates` (``threshold``, ``shingle_words``, ``permutations``).

    Returns:
        One row per flagged article, columns :data:`WIRE_COLUMNS`: ``article_id``, ``outlet``,
        ``wire_copy_of`` (the earliest article of another outlet it copies), ``copied_outlet``
        (that article's outlet) and ``similarity`` (their Jaccard similarity); ordered by ``article_id``.
    """
    pairs = pairs if pairs is not None else near_duplicates(articles, **options)
    facts = articles.assign(article_id=articles["article_id"].astype(str)).set_index("article_id")
    published = (pd.to_datetime(facts["published"], utc=True, errors="coerce") if "published" in facts
                 else pd.Series(pd.NaT, index=facts.index, dtype="datetime64[ns, UTC]"))
    # Rank of each article in time order: undated last, ties by id.
    order = pd.DataFrame({"published": published.to_numpy(), "article_id": facts.index.to_numpy()}).sort_values(
        ["published", "article_id"], na_position="last", kind="stable")
    rank = pd.Series(np.arange(len(order)), index=order["article_id"].to_numpy())
    both = pd.concat([
        pairs.rename(columns={"article_a": "article_id", "article_b": "other"}),
        pairs.rename(columns={"article_b": "article_id", "article_a": "other"}),
    ], ignore_index=True)
    both["outlet"] = facts["outlet"].reindex(both["article_id"]).to_numpy()
    both["copied_outlet"] = facts["outlet"].reindex(both["other"]).to_numpy()
    both["other_rank"] = rank.reindex(both["other"]).to_numpy()
    earlier = both[(both["other_rank"] < rank.reindex(both["article_id"]).to_numpy())
                   & (both["outlet"] != both["copied_outlet"])]
    first = earlier.sort_values(["article_id", "other_rank"], kind="stable").drop_duplicates("article_id")
    return first.rename(columns={"other": "wire_copy_of"})[WIRE_COLUMNS].reset_index(drop=True)


def without_wire_copies(articles: pd.DataFrame, copies: pd.DataFrame | None = None, **options) -> pd.DataFrame:
    """``articles`` without the wire copies among them, for comparisons between outlets.

    Args:
        articles: columns as :func:`wire_copies` takes them.
        copies: :func:`wire_copies` of ``articles`` (found here when not given).
        options: passed to :func:`near_duplicates` when ``copies`` is not given.
    """
    copies = copies if copies is not None else wire_copies(articles, **options)
    flagged = set(copies["article_id"].astype(str))
    return articles[~articles["article_id"].astype(str).isin(flagged)].reset_index(drop=True)

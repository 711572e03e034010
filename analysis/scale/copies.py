"""Wire copies as partitioned steps: the rows :func:`analysis.wire.wire_copies` gives, found
without holding the corpus in one process.

MinHash LSH is a join: two articles are candidates when one of their signature's bands is
equal. So:

1. :func:`partition_band_keys` (a step per partition): each article's band keys, with the
   bands and rows datasketch's ``MinHashLSH`` picks for ``wire_threshold``
   (:func:`analysis.wire.lsh_bands`), written to the ``wire_bands`` dataset;
2. :func:`candidate_pairs` (the client): the pairs sharing a (band, key), by a join in DuckDB
   over the Parquet files (it spills to disk, so memory stays bounded);
3. :func:`check_pairs` (a step per partition of each pair's first article): the exact
   Jaccard similarity of each candidate's shingle sets, reading only the partitions its
   pairs touch; with the ids, outlets and publication times of the articles that pass;
4. :func:`copies_from_pairs` (the client): the copies, by :func:`analysis.wire.wire_copies`
   over the checked pairs.

Candidates, check and choice are those of :func:`analysis.wire.near_duplicates` (which asks
datasketch's index for the same band matches), so the table is the in-process one.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.scale.partitions import Exchange, Partition
from analysis.store import Store
from analysis.wire import NEAR_DUPLICATE_COLUMNS, WIRE_COLUMNS, band_keys, jaccard_of_texts, wire_copies

__all__ = ["candidate_pairs", "check_pairs", "copies_from_pairs", "partition_band_keys"]

PAIR_COLUMNS = ["left_row", "right_row"]
CHECKED_COLUMNS = ["left_row", "right_row", "similarity"]
META_COLUMNS = ["row", "article_id", "outlet", "published"]


def partition_band_keys(root: str, partition: Partition, shingle_words: int, permutations: int, bands: int,
                        rows: int) -> int:
    """Step: the LSH band keys of one partition's articles (``wire_bands``: ``row``, ``band``,
    ``key``); returns the number of articles read."""
    exchange = Exchange(root)
    articles = exchange.read("articles", partition.name, columns=["row", "text"]).to_pandas()
    keys = band_keys(articles["text"].tolist(), shingle_words=shingle_words, permutations=permutations,
                     bands=bands, rows=rows)
    keys.insert(0, "row", articles["row"].to_numpy()[keys.pop("position").to_numpy()])
    exchange.write("wire_bands", partition.name, keys)
    return len(articles)


def candidate_pairs(root: str) -> pd.DataFrame:
    """The article pairs (rows, ``left_row`` < ``right_row``) that share a band key."""
    files = Exchange(root).files("wire_bands")
    if not files:
        return pd.DataFrame({column: np.zeros(0, np.int64) for column in PAIR_COLUMNS})
    spill = Path(root) / "duckdb-spill"
    spill.mkdir(exist_ok=True)
    with duckdb.connect() as connection:
        connection.execute(f"SET temp_directory = {Store._sql_path(spill)}")
        # File paths as SQL literals (read_parquet takes no bound parameter for them).
        bands = "read_parquet([" + ", ".join(Store._sql_path(Path(file)) for file in files) + "])"
        return connection.execute(
            f"""SELECT DISTINCT a.row AS left_row, b.row AS right_row
                FROM {bands} a JOIN {bands} b ON a.band = b.band AND a.key = b.key AND a.row < b.row
                ORDER BY left_row, right_row"""
        ).df().astype(np.int64)


def _read_rows(exchange: Exchange, parts: list[str], rows: np.ndarray, columns: list[str]) -> pd.DataFrame:
    tables = []
    for name in parts:
        table = exchange.read("articles", name, columns=columns)
        tables.append(table.filter(pc.is_in(table["row"], value_set=pa.array(rows, type=table["row"].type))))
    frame = pd.concat([table.to_pandas() for table in tables], ignore_index=True) if tables else pd.DataFrame(
        columns=columns)
    return frame.drop_duplicates("row").set_index("row")


def check_pairs(root: str, parts: list[str], pairs: pd.DataFrame, shingle_words: int,
                threshold: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Step: the candidate ``pairs`` whose exact shingle Jaccard is at least ``threshold``
    (:data:`CHECKED_COLUMNS`), and the ``row``, ``article_id``, ``outlet`` and ``published`` of
    their articles. ``parts`` names the partitions holding the pairs' articles."""
    exchange = Exchange(root)
    rows = np.unique(pairs[PAIR_COLUMNS].to_numpy()) if len(pairs) else np.zeros(0, np.int64)
    articles = _read_rows(exchange, parts, rows, META_COLUMNS + ["text"])
    texts = articles["text"]
    similarity = np.array([jaccard_of_texts(texts.at[left], texts.at[right], shingle_words)
                           for left, right in zip(pairs["left_row"], pairs["right_row"])], dtype=float)
    kept = pairs.assign(similarity=similarity)[similarity >= threshold].reset_index(drop=True)
    involved = np.unique(kept[PAIR_COLUMNS].to_numpy()) if len(kept) else np.zeros(0, np.int64)
    meta = articles.loc[involved, ["article_id", "outlet", "published"]].rename_axis("row").reset_index()
    return kept[CHECKED_COLUMNS], meta


def copies_from_pairs(checked: list[tuple[pd.DataFrame, pd.DataFrame]]) -> pd.DataFrame:
    """The wire copies (:data:`analysis.wire.WIRE_COLUMNS`) from every partition's checked pairs.

    Only the paired articles take part: an article's rank in time among the others decides
    which of a pair is the original, and the ranks of articles in no pair never matter.
    """
    pairs = pd.concat([part[0] for part in checked], ignore_index=True) if checked else pd.DataFrame(
        columns=CHECKED_COLUMNS)
    meta = pd.concat([part[1] for part in checked], ignore_index=True) if checked else pd.DataFrame(
        columns=META_COLUMNS)
    meta = meta.drop_duplicates("row").set_index("row")
    if pairs.empty:
        return pd.DataFrame(columns=WIRE_COLUMNS)
    ids = meta["article_id"].astype(str)
    left, right = ids.reindex(pairs["left_row"]).to_numpy(), ids.reindex(pairs["right_row"]).to_numpy()
    ordered = [sorted(pair) for pair in zip(left, right)]
    found = pd.DataFrame({"article_a": [pair[0] for pair in ordered], "article_b": [pair[1] for pair in ordered],
                          "similarity": pairs["similarity"].astype(float).to_numpy()})
    found = found[NEAR_DUPLICATE_COLUMNS].sort_values(["article_a", "article_b"], ignore_index=True)
    return wire_copies(meta.reset_index(drop=True), pairs=found)

"""Time partitions with overlap, and the Parquet datasets the partitioned steps exchange.

**Partitions.** Dated articles are sorted by publication time and cut into the time
slices of the candidate search (:func:`analysis.events.time_slices`): a slice is
searched against every article from one window before its first article to one window
after its last. A partition is a run of whole slices holding at least
``scale_partition_articles`` articles; its *overlap* is the articles of neighbouring
partitions that its slices are searched against (at most about two windows of time on
each side). Because partitions are cut along the very slices the in-process search uses,
a partition's search sees exactly the rows and columns that search sees. Undated articles
(compared with every article, as in the in-process search) form partitions of their own.

Positions: a dated article's *position* is its rank in (publication time, row) order, the
order :func:`analysis.events.candidate_links` sorts by; an undated article's is its row.
*Rows* are the articles' places in the input (for the store, ``article_id`` order), and
every tie anywhere is broken by them, as in the in-process code.

**Exchange.** One folder of Parquet datasets, one hive partition per time partition
(``<dataset>/part=d00003/*.parquet``): ``articles`` and ``sentences`` (the input),
``vectors`` (each article's TF-IDF row as index and value lists), ``links`` (each
partition's candidate links and their local components) and the result tables. Every
file is written under a temporary name and renamed, so a task that is run again after a
lost worker replaces its output instead of adding to it.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import scipy.sparse as sp

from analysis.events import _days, time_slices

__all__ = ["Exchange", "Partition", "Plan", "plan_partitions", "vectors_from_table", "vectors_table"]


@dataclass(frozen=True)
class Partition:
    """One time partition (or block of undated articles).

    Attributes:
        name: ``d00003`` (dated) or ``u00000`` (undated); its hive partition is ``part=<name>``.
        dated: whether its articles have a publication time.
        lo, hi: its own articles, positions ``[lo, hi)``.
        clo, chi: the positions its slices are searched against (dated; its own plus the overlap).
        slices: its time slices as ``(start, end, low, high)`` positions (dated).
        first_published, last_published: ISO times of its first and last article (dated).
    """

    name: str
    dated: bool
    lo: int
    hi: int
    clo: int
    chi: int
    slices: tuple[tuple[int, int, int, int], ...] = ()
    first_published: str | None = None
    last_published: str | None = None

    @property
    def articles(self) -> int:
        return self.hi - self.lo


@dataclass
class Plan:
    """The partitions of a corpus and where each article is.

    Attributes:
        partitions: dated partitions in time order, then undated ones.
        order: rows of the dated articles in position order.
        undated: rows of the undated articles, ascending (an undated article's position is its row).
        days: publication day (float, NaN when undated) per row.
        partition_of_row: index into ``partitions`` per row.
        position_of_row: position per row.
    """

    partitions: list[Partition]
    order: np.ndarray
    undated: np.ndarray
    days: np.ndarray
    partition_of_row: np.ndarray
    position_of_row: np.ndarray

    def index(self, name: str) -> int:
        return next(number for number, partition in enumerate(self.partitions) if partition.name == name)

    def holding(self, low: int, high: int) -> list[tuple[str, int, int]]:
        """The dated partitions holding positions ``[low, high)``: ``(name, from, to)`` each."""
        found = []
        for partition in self.partitions:
            if partition.dated and partition.lo < high and low < partition.hi:
                found.append((partition.name, max(low, partition.lo), min(high, partition.hi)))
        return found

    def border_zone(self, partition: Partition) -> tuple[int, int]:
        """``(inner_lo, inner_hi)``: the partition's own positions outside every other partition's
        search columns lie in ``[inner_lo, inner_hi)``; the rest of its own are in the overlap
        of a neighbour."""
        inner_lo, inner_hi = partition.lo, partition.hi
        for other in self.partitions:
            if not other.dated or other.name == partition.name:
                continue
            if other.lo < partition.lo:
                inner_lo = max(inner_lo, other.chi)
            else:
                inner_hi = min(inner_hi, other.clo)
        return inner_lo, max(inner_lo, inner_hi)

    def manifest(self) -> dict:
        """What ``plan.json`` records: each partition with its time range and article count."""
        return {"partitions": [asdict(partition) | {"articles": partition.articles} for partition in self.partitions]}


def plan_partitions(published: pd.Series, *, partition_articles: int, window_days: float) -> Plan:
    """Cut a corpus into time partitions along the candidate search's time slices.

    Args:
        published: publication times in row order (NaT or None = undated).
        partition_articles: fewest articles per dated partition (a partition is whole slices,
            so it may hold more); also the size of the blocks of undated articles.
        window_days: the event time window (setting ``event_window_days``).
    """
    size = max(1, int(partition_articles))
    days = _days(published, len(published))
    dated = np.flatnonzero(~np.isnan(days))
    undated = np.flatnonzero(np.isnan(days))
    order = dated[np.argsort(days[dated], kind="stable")]
    sorted_days = days[order]
    stamps = pd.to_datetime(pd.Series(published).reset_index(drop=True), utc=True, errors="coerce")

    partitions: list[Partition] = []
    pending: list[tuple[int, int, int, int]] = []

    def close() -> None:
        lo, hi = pending[0][0], pending[-1][1]
        partitions.append(Partition(
            name=f"d{len(partitions):05d}", dated=True, lo=lo, hi=hi,
            clo=min(s[2] for s in pending), chi=max(s[3] for s in pending), slices=tuple(pending),
            first_published=stamps[order[lo]].isoformat(), last_published=stamps[order[hi - 1]].isoformat(),
        ))
        pending.clear()

    for start, end, low, high in time_slices(sorted_days, float(window_days)).tolist():
        pending.append((start, end, low, high))
        if pending[-1][1] - pending[0][0] >= size:
            close()
    if pending:
        close()
    for block, start in enumerate(range(0, len(undated), size)):
        stop = min(start + size, len(undated))
        partitions.append(Partition(name=f"u{block:05d}", dated=False, lo=start, hi=stop, clo=start, chi=stop))

    partition_of_row = np.empty(len(days), dtype=np.int64)
    position_of_row = np.empty(len(days), dtype=np.int64)
    position_of_row[order] = np.arange(len(order))
    for number, partition in enumerate(partitions):
        if partition.dated:
            partition_of_row[order[partition.lo : partition.hi]] = number
        else:
            partition_of_row[undated[partition.lo : partition.hi]] = number
    position_of_row[undated] = undated
    return Plan(partitions, order, undated, days, partition_of_row, position_of_row)


def vectors_table(vectors: sp.csr_matrix, **columns) -> pa.Table:
    """Rows of a CSR matrix as a table: the given columns, then ``indices`` and ``values``
    (list columns holding each row's entries in their stored order)."""
    vectors = sp.csr_matrix(vectors)
    offsets = pa.array(vectors.indptr.astype(np.int32))
    arrays = {name: pa.array(np.asarray(values)) for name, values in columns.items()}
    arrays["indices"] = pa.ListArray.from_arrays(offsets, pa.array(vectors.indices.astype(np.int32)))
    arrays["values"] = pa.ListArray.from_arrays(offsets, pa.array(vectors.data.astype(np.float32)))
    return pa.table(arrays)


def vectors_from_table(table: pa.Table, n_features: int) -> sp.csr_matrix:
    """The CSR matrix that :func:`vectors_table` wrote, rows in table order (exactly: float32
    values, entries in their stored order)."""
    indices = table.column("indices").combine_chunks()
    values = table.column("values").combine_chunks()
    lengths = pc.list_value_length(indices).to_numpy(zero_copy_only=False)
    indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    flat_indices = pc.list_flatten(indices).to_numpy(zero_copy_only=False).astype(np.int32)
    flat_values = pc.list_flatten(values).to_numpy(zero_copy_only=False).astype(np.float32)
    return sp.csr_matrix((flat_values, flat_indices, indptr.astype(np.int32)), shape=(len(lengths), n_features))


class Exchange:
    """The folder of Parquet datasets the steps exchange: ``<root>/<dataset>/part=<name>/*.parquet``.

    Every worker must reach ``root`` at the same path (a local folder for a LocalCluster, a
    shared file system on a cluster).
    """

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def folder(self, dataset: str, partition: str) -> Path:
        return self.root / dataset / f"part={partition}"

    def write(self, dataset: str, partition: str, frame: pd.DataFrame | pa.Table) -> None:
        """Replace the dataset's part for ``partition`` (atomically: written aside, then renamed)."""
        folder = self.folder(dataset, partition)
        folder.mkdir(parents=True, exist_ok=True)
        table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
        # A leading dot hides the file from readers until it is complete.
        temporary = folder / f".{uuid.uuid4().hex}.parquet"
        pq.write_table(table, temporary)
        os.replace(temporary, folder / "part.parquet")

    def exists(self, dataset: str, partition: str) -> bool:
        folder = self.folder(dataset, partition)
        return folder.is_dir() and any(path.suffix == ".parquet" and not path.name.startswith((".", "_"))
                                       for path in folder.iterdir())

    def read(self, dataset: str, partition: str, *, columns: list[str] | None = None, filters=None) -> pa.Table:
        """The dataset's part for ``partition`` (every Parquet file in its folder)."""
        return pq.read_table(self.folder(dataset, partition), columns=columns, filters=filters)

    def read_all(self, dataset: str, *, columns: list[str] | None = None) -> pa.Table:
        """Every part of a dataset, in partition name order."""
        folder = self.root / dataset
        parts = sorted(path.name.removeprefix("part=") for path in folder.iterdir() if path.name.startswith("part="))
        tables = [self.read(dataset, name, columns=columns) for name in parts if self.exists(dataset, name)]
        return pa.concat_tables(tables, promote_options="permissive") if tables else pa.table({})

    def files(self, dataset: str) -> list[str]:
        """The dataset's Parquet files (for DuckDB's ``read_parquet``)."""
        return sorted(str(path) for path in (self.root / dataset).glob("part=*/*.parquet")
                      if not path.name.startswith((".", "_")))

    def write_manifest(self, plan: Plan, **facts) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "plan.json").write_text(json.dumps(plan.manifest() | facts, indent=1), encoding="utf-8")

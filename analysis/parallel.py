"""Work over chunks in forked worker processes that inherit their input.

The parent sets the input just before the fork, so workers read it from memory they share
with the parent instead of receiving pickled copies (with loky workers the transfer ate the
whole gain; measured for :mod:`analysis.vectorize`). Used only from the command line and
``analyze``: forking a threaded server is not safe.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence

__all__ = ["even_bounds", "inherited", "map_forked"]

_INHERITED: object = None


def inherited():
    """Inside a worker: the input the parent handed to :func:`map_forked`."""
    return _INHERITED


def map_forked(work: Callable, tasks: Sequence, shared: object, n_jobs: int) -> list | None:
    """``[work(task) for task in tasks]`` in ``n_jobs`` forked workers that read ``shared`` through
    :func:`inherited`; None where the platform cannot fork (callers then work in-process)."""
    global _INHERITED
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    _INHERITED = shared
    try:
        with multiprocessing.get_context("fork").Pool(n_jobs) as pool:
            return pool.map(work, list(tasks), chunksize=1)
    finally:
        _INHERITED = None


def even_bounds(count: int, n_jobs: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of a few chunks per worker over ``count`` items: a few, so one long item
    does not leave the other workers idle."""
    step = max(-(-count // (4 * n_jobs)), 1)
    return [(start, start + step) for start in range(0, count, step)]

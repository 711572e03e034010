"""Scale: the analysis pipeline as partitioned steps, in this process or on a Dask cluster.

``coverage-lens analyze --engine dask [--scheduler ADDRESS]`` and ``coverage-lens group
--engine dask`` run the same steps as the in-process pipeline, cut into time partitions
with overlap, and give the same events (same stable ids), claim groups and tables:

- :mod:`analysis.scale.partitions`: time partitions along the candidate search's slices,
  the Parquet exchange folder;
- :mod:`analysis.scale.engines`: where steps run (:class:`InProcessEngine`, :class:`DaskEngine`);
- :mod:`analysis.scale.grouping`: document frequencies summed over partitions, the search
  per partition, components merged across borders by a union-find;
- :mod:`analysis.scale.tables`: per-event tables, voices, corpus-wide outlet words;
- :mod:`analysis.scale.run`: :func:`group_partitioned` and :func:`analyze_partitioned`.

``docs/scale.md`` explains why the results are equal and plans a 100-million-article run.
"""

import importlib

__all__ = [
    "DaskEngine",
    "Engine",
    "EngineError",
    "InProcessEngine",
    "RunSummary",
    "analyze_partitioned",
    "group_partitioned",
    "open_engine",
]

# Imported on first use (PEP 562): the command line loads this package for every command, and the
# steps pull in the whole pipeline.
_MODULES = {"DaskEngine": "engines", "Engine": "engines", "EngineError": "engines", "InProcessEngine": "engines",
            "open_engine": "engines", "RunSummary": "run", "analyze_partitioned": "run", "group_partitioned": "run"}


def __getattr__(name: str):
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"analysis.scale.{_MODULES[name]}"), name)

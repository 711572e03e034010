"""Where the partitioned steps run: in this process, or on a Dask cluster.

A step is a plain function of picklable arguments (partition descriptions, the exchange
folder, a fitted model) that reads and writes the Parquet exchange and returns a small
result. :mod:`analysis.scale.run` submits the same steps, with the same arguments, to
either engine, so the two differ only in where a function runs:

- :class:`InProcessEngine` runs each step at once, in this process;
- :class:`DaskEngine` submits them to a Dask distributed cluster: the scheduler at
  ``scheduler`` when given, else a ``LocalCluster`` of ``dask_local_workers`` single-threaded
  worker processes. A worker that dies loses its running and held results; the scheduler
  runs those steps again on the other workers (each writes its output whole, by rename, so a
  repeated step replaces what it wrote).

Settings travel with every step: the client's values are set in the worker's environment
before the step runs, so a cluster started elsewhere computes with the client's thresholds.
Inside a Dask worker ``analysis_workers`` is 1: the worker is the unit of parallelism, and
its process may not fork workers of its own.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from analysis.settings import SETTINGS, setting

__all__ = ["DaskEngine", "Engine", "EngineError", "InProcessEngine", "open_engine"]

ENGINES = ("local", "dask")

# (step, CPU seconds) of the steps this process ran since the engine last collected them.
_TIMINGS: list[tuple[str, float]] = []


class EngineError(RuntimeError):
    """An engine cannot be started (missing extra, unreachable scheduler); the message says why."""


def _settings_environment() -> dict[str, str]:
    """Every setting's value in force here, as the environment variables that set it."""
    environment = {}
    for entry in SETTINGS:
        value = setting(entry.name)
        environment[f"COVERAGE_LENS_{entry.name.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return environment


def _run_step(step: str, function: Callable, environment: dict[str, str] | None, *args):
    """Run one step (in a worker: under the client's settings) and note the CPU time it took."""
    if environment is not None:
        os.environ.update(environment)
    started = time.process_time()
    result = function(*args)
    _TIMINGS.append((step, time.process_time() - started))
    return result


def _drain_timings() -> list[tuple[str, float]]:
    taken = list(_TIMINGS)
    _TIMINGS.clear()
    return taken


def _peak_mib() -> float:
    """Peak resident set of this process, MiB (Linux; 0 elsewhere)."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE).group(1)) / 1024
    except (OSError, AttributeError):
        return 0.0


class Engine:
    """Runs steps. ``submit`` returns a handle that later steps take as an argument in place of
    the value; ``gather`` turns handles into values."""

    name = "engine"
    workers = 1

    def submit(self, step: str, function: Callable, *args):
        raise NotImplementedError

    def gather(self, handles: list) -> list:
        raise NotImplementedError

    def broadcast(self, value):
        """A handle to ``value`` that every step can take (sent to each worker once)."""
        raise NotImplementedError

    def cpu_seconds(self) -> tuple[dict[str, float], dict[str, float]]:
        """CPU seconds of the steps run since the last call, whatever else the machine runs:
        ``(per step, summed over workers; per worker)``."""
        by_step: dict[str, float] = defaultdict(float)
        by_worker: dict[str, float] = defaultdict(float)
        for worker, timings in self._timings().items():
            for step, seconds in timings:
                by_step[step] += seconds
                by_worker[worker] += seconds
        return dict(by_step), dict(by_worker)

    def _timings(self) -> dict[str, list[tuple[str, float]]]:
        return {"in-process": _drain_timings()}

    def worker_peak_mib(self) -> dict[str, float]:
        """Peak resident memory of each worker process, MiB."""
        return {"in-process": _peak_mib()}

    def close(self) -> None:
        """Release the engine's resources."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class InProcessEngine(Engine):
    """Every step at once, in this process, under this process's settings."""

    name = "in-process"

    def submit(self, step: str, function: Callable, *args):
        return _run_step(step, function, None, *args)

    def gather(self, handles: list) -> list:
        return list(handles)

    def broadcast(self, value):
        return value


class DaskEngine(Engine):
    """Steps on a Dask distributed cluster.

    Args:
        scheduler: address of a running scheduler (``tcp://host:8786``); None starts a
            ``LocalCluster`` of ``workers`` single-threaded processes, closed with the engine.
        workers: LocalCluster worker processes (default: setting ``dask_local_workers``).
        client: an open ``distributed.Client`` to use instead (left open on close).
    """

    name = "dask"

    def __init__(self, scheduler: str | None = None, *, workers: int | None = None, client=None):
        try:
            from distributed import Client, LocalCluster
        except ImportError as error:
            raise EngineError(
                "the dask engine needs the dask extra, which is not installed: pip install 'coverage-lens[dask]'"
            ) from error
        self._cluster = None
        self._owns_client = client is None
        if client is not None:
            self.client = client
        elif scheduler:
            try:
                self.client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError) as error:
                raise EngineError(f"no Dask scheduler reachable at {scheduler}: {error}") from error
        else:
            count = int(workers if workers is not None else setting("dask_local_workers"))
            self._cluster = LocalCluster(n_workers=count, threads_per_worker=1, processes=True,
                                         dashboard_address=None, silence_logs=40)
            self.client = Client(self._cluster)
        self.workers = max(1, len(self.client.scheduler_info()["workers"]))

    def submit(self, step: str, function: Callable, *args):
        # The settings in force now, so a step computes with what the caller set before submitting it.
        environment = {**_settings_environment(), "COVERAGE_LENS_ANALYSIS_WORKERS": "1"}
        return self.client.submit(_run_step, step, function, environment, *args,
                                  key=f"{step}-{uuid.uuid4().hex}", pure=False)

    def gather(self, handles: list) -> list:
        from distributed import KilledWorker

        try:
            return self.client.gather(list(handles))
        except KilledWorker as error:
            raise EngineError(
                f"a step was running on {error.last_worker.address if error.last_worker else 'a worker'} each time "
                f"one of its workers died ({error.task}); the workers may lack memory for a partition: lower "
                "scale_partition_articles or give the workers more memory"
            ) from error

    def broadcast(self, value):
        return self.client.scatter(value, broadcast=True, hash=False)

    def _timings(self) -> dict[str, list[tuple[str, float]]]:
        return dict(self.client.run(_drain_timings))

    def worker_peak_mib(self) -> dict[str, float]:
        return dict(self.client.run(_peak_mib))

    def close(self) -> None:
        if self._owns_client:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def open_engine(name: str, scheduler: str | None = None) -> Engine:
    """The engine called ``name``: ``dask`` (on ``scheduler``, or a new LocalCluster); ``local``
    runs the partitioned steps in this process.

    Raises:
        EngineError: unknown name, a scheduler given for another engine, or the dask extra missing.
    """
    if name not in ENGINES:
        raise EngineError(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}")
    if scheduler and name != "dask":
        raise EngineError("--scheduler needs --engine dask")
    return DaskEngine(scheduler) if name == "dask" else InProcessEngine()

"""Fuzz the parsers for minutes: readers of every format, ingest, cleaning, segmentation, figures, quotes.

Runs the property checks of ``tests/test_properties.py`` under Hypothesis, each
target for an equal share of the time, on fresh random inputs batch after batch
(random, empty, huge, binary, mis-encoded and malformed files; any text). A
failure is an exception or a broken property; each distinct one is printed with
the (shrunk) input that shows it. Prints one table: examples run, failures, time.

    python bench/fuzz.py [--minutes 10] [--targets "read .csv,find_quotes"]

Exit status 1 when any target failed.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from analysis.store import Store
from bench._common import print_table
from tests.test_properties import (
    FILE_FORMATS,
    any_text,
    check_claim_pairs_file,
    check_clause_spans,
    check_clean_article,
    check_find_quantities,
    check_find_quotes,
    check_ingest,
    check_read,
    check_sentence_spans,
    pairs_bytes,
)

# Failures are reported, not shrunk for long: a few hundred steps find a small input.
_SETTINGS = dict(
    deadline=None,
    database=None,
    phases=[Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)
_SHRINK_SECONDS = 30


def _files(*suffixes: str) -> st.SearchStrategy:
    return st.sampled_from(suffixes).flatmap(lambda suffix: FILE_FORMATS[suffix].map(lambda content: (suffix, content)))


def _targets(folder: Path, store: Store) -> dict[str, tuple[st.SearchStrategy, Callable]]:
    """Target name → (strategy of one input, check taking it)."""
    read = lambda file: check_read(folder, *file)  # noqa: E731
    return {
        "read .jsonl / .ndjson": (_files(".jsonl", ".ndjson"), read),
        "read .csv": (_files(".csv"), read),
        "read .txt": (_files(".txt"), read),
        "read .html": (_files(".html"), read),
        "read .parquet": (_files(".parquet"), read),
        "read .gz and unknown suffixes": (_files(".jsonl.gz", ".csv.gz", ".txt.gz", ".html.gz", ".gz", ".doc",
                                                 ".parquet.gz"), read),
        "read claim pairs (match-pairs)": (pairs_bytes, lambda content: check_claim_pairs_file(folder, content)),
        "ingest (every format)": (
            st.tuples(_files(*FILE_FORMATS), st.sampled_from(["skip", "abort"])),
            lambda pair: check_ingest(folder, store, *pair[0], pair[1]),
        ),
        "clean_article": (
            st.tuples(any_text, st.one_of(st.none(), any_text), st.booleans()),
            lambda triple: check_clean_article(*triple),
        ),
        "sentence_spans": (any_text, check_sentence_spans),
        "find_quantities": (any_text, check_find_quantities),
        "find_quotes": (any_text, check_find_quotes),
        "clause_spans": (any_text, check_clause_spans),
    }


class _Target:
    """One target's running totals."""

    def __init__(self, name: str, strategy: st.SearchStrategy, check: Callable):
        self.name, self.strategy, self.check = name, strategy, check
        self.examples = 0
        self.seconds = 0.0
        self.failures: dict[str, str] = {}  # first line of the error → the report

    def run_for(self, seconds: float) -> None:
        """Fresh batches of examples until ``seconds`` have passed (the last example may run over)."""
        started = time.perf_counter()
        batch = 20
        while (spent := time.perf_counter() - started) < seconds:
            before, batch_started = self.examples, time.perf_counter()
            self._batch(batch, until=started + seconds)
            per_example = (time.perf_counter() - batch_started) / max(1, self.examples - before)
            batch = int(min(500, max(5, (seconds - spent) / max(per_example, 1e-4) / 4)))
        self.seconds += time.perf_counter() - started

    def _batch(self, examples: int, *, until: float) -> None:
        def counted(value) -> None:
            self.examples += 1
            self.check(value)

        shrink_until = [None]

        def bounded(value) -> None:
            # Past the target's time the rest of the batch is skipped; shrinking a hard case can
            # take long, and past its bound the case is reported as found.
            now = time.perf_counter()
            if (shrink_until[0] is None and now > until) or (shrink_until[0] is not None and now > shrink_until[0]):
                return
            try:
                counted(value)
            except Exception:
                shrink_until[0] = shrink_until[0] or time.perf_counter() + _SHRINK_SECONDS
                raise

        test = settings(max_examples=examples, **_SETTINGS)(given(self.strategy)(bounded))
        try:
            test()
        except Exception as error:  # a failure of the code under test, with Hypothesis' report
            report = "".join(traceback.format_exception(error))
            key = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
            self.failures.setdefault(key, report)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="Total time, shared equally (default 10).")
    parser.add_argument("--targets", default="", help="Comma-separated target names (default: all).")
    options = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)  # trafilatura logs every page it cannot parse
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as name, Store.open(":memory:") as store:
        targets = [_Target(target, *spec) for target, spec in _targets(Path(name), store).items()]
        if options.targets:
            wanted = {target.strip() for target in options.targets.split(",")}
            targets = [target for target in targets if target.name in wanted]
            if not targets:
                parser.error(f"no such target; choose from: {', '.join(_targets(Path(name), store))}")
        share = options.minutes * 60 / len(targets)
        for target in targets:
            target.run_for(share)
            print(f"{target.name}: {target.examples} examples, {len(target.failures)} failures", file=sys.stderr)
    print_table(
        f"Fuzzing with Hypothesis, {options.minutes:g} minutes in all (bench/fuzz.py)",
        ["target", "examples", "failures", "seconds", "examples/s"],
        [[t.name, f"{t.examples:,}", len(t.failures), f"{t.seconds:.0f}", f"{t.examples / max(t.seconds, 1e-9):.0f}"]
         for t in targets],
    )
    for target in targets:
        for key, report in target.failures.items():
            print(f"\n--- {target.name}: {key}\n{report}")
    return 1 if any(target.failures for target in targets) else 0


if __name__ == "__main__":
    sys.exit(main())

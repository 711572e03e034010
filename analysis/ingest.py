"""Readers → cleaning → segmentation → store, with a report of what happened.

:func:`ingest` is what ``coverage-lens ingest`` and the dashboard's upload run.
Each batch of articles is written in one transaction, and articles already in
the store are counted, not written again, so an ingest can be re-run after any
failure. Large inputs are cleaned and segmented in worker processes while the
main process reads and writes.

Example:
    >>> from analysis.store import Store
    >>> with Store.open(":memory:") as store:
    ...     report = ingest(["data/sample"], store=store)
    >>> report.added, report.already_present, len(report.rejected)
    (3, 0, 0)
"""

from __future__ import annotations

import hashlib
import itertools
import json
import multiprocessing
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import pyarrow as pa

from analysis.cleaning import clean_article, normalize_unicode
from analysis.outlets import UNKNOWN_OUTLET, infer_outlet
from analysis.readers import ArticleRecord, ReadProblem, read_inputs
from analysis.segment import sentence_spans
from analysis.settings import check_settings, setting
from analysis.store import ARTICLE_COLUMNS, SENTENCE_COLUMNS, Store

__all__ = ["IngestReport", "PreparedArticle", "article_id_for", "ingest", "prepare_article"]

OnError = Literal["skip", "abort"]
STAGES = ("parse", "clean", "language", "segment", "write")
# Below this many records the process pool costs more than it saves.
_PARALLEL_THRESHOLD = 200
_KEPT_WARNINGS = 50


@dataclass
class PreparedArticle:
    """One cleaned, segmented article ready for the store.

    Attributes:
        row: values in the order of :data:`analysis.store.ARTICLE_COLUMNS`.
        sentences: rows in the order of :data:`analysis.store.SENTENCE_COLUMNS`.
        warnings: things the user should know (outlet unknown, date not understood).
        seconds: time spent per stage (clean, language, segment).
    """

    row: tuple
    sentences: list[tuple]
    warnings: list[str]
    seconds: dict[str, float]


@dataclass
class IngestReport:
    """What an ingest did.

    Attributes:
        added: articles written to the store.
        already_present: articles that were stored before (same content hash).
        rejected: every problem, with the file and line or URL it concerns.
        warnings: notes on accepted articles (outlet unknown, unparsed date), the first 50.
        warning_count: how many warnings there were in all.
        aborted: the ingest stopped at the first problem (``on_error="abort"``).
        ingest_id: the row of the ``ingests`` table describing this run.
        seconds: time per stage (parse, clean, language, segment, write); clean,
            language and segment are summed over worker processes.
        input_bytes: bytes of article text read (for throughput figures).
    """

    added: int = 0
    already_present: int = 0
    rejected: list[ReadProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0
    aborted: bool = False
    ingest_id: int | None = None
    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    input_bytes: int = 0

    @property
    def failed_inputs(self) -> list[ReadProblem]:
        """Problems that lost a whole input (missing file, unknown format, unreachable URL)."""
        return [problem for problem in self.rejected if problem.whole_input]

    @property
    def ok(self) -> bool:
        """True when nothing aborted and every input could be opened."""
        return not self.aborted and not self.failed_inputs

    def summary(self) -> str:
        text = f"added {self.added}, already present {self.already_present}, rejected {len(self.rejected)}"
        return text + (" (aborted)" if self.aborted else "")


def article_id_for(outlet: str, title: str | None, raw_text: str) -> str:
    """The stable content hash that identifies an article: 16 hex characters of SHA-256.

    Whitespace and unicode variants of the same raw text give the same id; so
    re-ingesting a file, or the same article from another copy, is recognised.
    """
    canonical_text = " ".join(normalize_unicode(raw_text).split())
    key = "\x1f".join((outlet.casefold(), " ".join((title or "").split()), canonical_text))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _parse_published(value: str | None) -> datetime | None:
    """An ISO or common date/time string as a naive UTC datetime, or None."""
    if not value:
        return None
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        import warnings

        import pandas as pd

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            stamp = pd.to_datetime(text, utc=True, errors="coerce")
        if pd.isna(stamp) or not 1 <= stamp.year <= 9999:
            return None
        parsed = stamp.to_pydatetime()
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # year 1 or 9999 pushed off the calendar by its UTC offset
            return None
    if not 1800 <= parsed.year <= datetime.now().year + 1:
        return None
    return parsed


def _identify_language(text: str) -> str | None:
    import py3langid

    sample = text[: int(setting("language_sample_chars"))]
    return py3langid.classify(sample)[0] if sample.strip() else None


def prepare_article(record: ArticleRecord, outlet: str | None = None) -> PreparedArticle | ReadProblem:
    """Clean, identify and segment one record; a ReadProblem says why it cannot be stored.

    A record with a headline but no body is kept as a headline-only article (with a
    warning); one with neither is rejected as empty.

    Args:
        record: as yielded by :func:`analysis.readers.read_inputs`.
        outlet: an outlet name that overrides everything the record says.
    """
    has_title = bool(record.title and record.title.strip())
    if not (record.text and record.text.strip()) and not has_title:
        return ReadProblem(record.source, "empty text")
    limit = int(setting("max_article_chars"))
    if len(record.text) > limit:
        return ReadProblem(
            record.source,
            f"text is {len(record.text):,} characters, over the {limit:,} limit for one article "
            "(raise COVERAGE_LENS_MAX_ARTICLE_CHARS if this really is one article)",
        )
    seconds = {}
    started = time.perf_counter()
    cleaned = clean_article(record.text, title=record.title, title_in_text=record.title_in_text)
    seconds["clean"] = time.perf_counter() - started
    warnings = []
    if not cleaned.text and cleaned.title:
        warnings.append(f"{record.source}: no body text; stored with its headline only")
    elif len(cleaned.text) < int(setting("min_article_chars")):
        return ReadProblem(record.source, "no article text left after removing page chrome")

    outlet_name, basis = infer_outlet(
        given=outlet or record.outlet,
        site_name=record.site_name,
        url=record.url,
        signoff=cleaned.signoff,
        blurb_outlet=cleaned.blurb_outlet,
    )
    if outlet_name == UNKNOWN_OUTLET:
        warnings.append(f"{record.source}: outlet unknown (no outlet field, URL, site name or sign-off); use --outlet")
    published = _parse_published(record.published)
    if record.published and published is None:
        warnings.append(f"{record.source}: publication date {record.published!r} not understood; stored without a date")

    started = time.perf_counter()
    language = record.language or _identify_language(cleaned.text)
    seconds["language"] = time.perf_counter() - started

    article_id = article_id_for(outlet_name, cleaned.title, record.text)
    started = time.perf_counter()
    sentences = []
    if cleaned.title:
        sentences.append((article_id, 0, 0, len(cleaned.title), cleaned.title, True))
    for start, end in sentence_spans(cleaned.text):
        sentences.append((article_id, len(sentences), start, end, cleaned.text[start:end], False))
    seconds["segment"] = time.perf_counter() - started

    row = (
        article_id,
        outlet_name,
        basis,
        cleaned.title,
        published,
        record.url,
        record.author or cleaned.blurb_author,
        cleaned.text,
        record.text,
        record.source,
        language,
        json.dumps(record.meta, ensure_ascii=False, default=str) if record.meta else None,
        None,
        None,
    )
    return PreparedArticle(row=row, sentences=sentences, warnings=warnings, seconds=seconds)


_ARTICLE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()), ("outlet", pa.string()), ("outlet_basis", pa.string()),
        ("title", pa.string()), ("published", pa.timestamp("us")), ("url", pa.string()),
        ("author", pa.string()), ("text", pa.string()), ("raw_text", pa.string()),
        ("source", pa.string()), ("language", pa.string()), ("meta", pa.string()),
        ("ingested_at", pa.timestamp("us")), ("ingest_id", pa.int32()),
    ]
)
_SENTENCE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()), ("sentence_no", pa.int32()), ("start", pa.int32()),
        ("end", pa.int32()), ("text", pa.string()), ("is_headline", pa.bool_()),
    ]
)
assert tuple(_ARTICLE_SCHEMA.names) == ARTICLE_COLUMNS and tuple(_SENTENCE_SCHEMA.names) == SENTENCE_COLUMNS


def _columns(rows: list[tuple], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_arrays(
        [pa.array(list(values), type=f.type) for values, f in zip(zip(*rows), schema)]
        if rows
        else [pa.array([], type=f.type) for f in schema],
        schema=schema,
    )


class _Worker:
    """Picklable callable that prepares one record (process pools cannot pickle lambdas)."""

    def __init__(self, outlet: str | None):
        self.outlet = outlet

    def __call__(self, item: ArticleRecord | ReadProblem) -> PreparedArticle | ReadProblem:
        if isinstance(item, ReadProblem):
            return item
        return prepare_article(item, self.outlet)


def _timed_records(inputs: list[str], report: IngestReport) -> Iterator[ArticleRecord | ReadProblem]:
    """The readers' output, with parse time and input size added to the report."""
    iterator = iter(read_inputs(inputs))
    while True:
        started = time.perf_counter()
        try:
            item = next(iterator)
        except StopIteration:
            return
        finally:
            report.seconds["parse"] += time.perf_counter() - started
        if isinstance(item, ArticleRecord):
            report.input_bytes += len(item.text.encode("utf-8"))
        yield item


def ingest(
    inputs: Iterable[str],
    *,
    store: Store,
    outlet: str | None = None,
    on_error: OnError = "skip",
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> IngestReport:
    """Read, clean, segment and store articles from files, folders and URLs.

    Args:
        inputs: paths and URLs (see :mod:`analysis.readers`).
        store: an open, writable :class:`~analysis.store.Store`.
        outlet: outlet name for every article, overriding what the input says.
        on_error: ``skip`` records problems and goes on; ``abort`` stops at the first
            problem and writes nothing of the batch it occurred in (earlier batches stay
            committed; re-running skips them as already present).
        progress: called with the number of records handled since the last call.
        workers: processes for cleaning and segmentation (default: setting ``ingest_workers``).

    Returns:
        An :class:`IngestReport`. The store holds what it held before plus the accepted articles.
    """
    if on_error not in ("skip", "abort"):
        raise ValueError(f"on_error must be 'skip' or 'abort', not {on_error!r}")
    check_settings()
    inputs = [str(item) for item in inputs]
    batch_size = int(setting("ingest_batch_size"))
    workers = int(setting("ingest_workers")) if workers is None else workers
    report = IngestReport()
    report.ingest_id = store.start_ingest(inputs)
    article_rows: list[tuple] = []
    sentence_rows: list[tuple] = []
    try:
        records = _timed_records(inputs, report)
        with _prepared_in_order(records, outlet=outlet, workers=workers, window=batch_size) as prepared_stream:
            for prepared in prepared_stream:
                if progress:
                    progress(1)
                if isinstance(prepared, ReadProblem):
                    report.rejected.append(prepared)
                    if on_error == "abort":
                        report.aborted = True
                        break
                    continue
                for stage, seconds in prepared.seconds.items():
                    report.seconds[stage] += seconds
                report.warning_count += len(prepared.warnings)
                report.warnings.extend(prepared.warnings[: max(0, _KEPT_WARNINGS - len(report.warnings))])
                article_rows.append(prepared.row)
                sentence_rows.extend(prepared.sentences)
                if len(article_rows) >= batch_size:
                    _write(store, article_rows, sentence_rows, report)
                    article_rows, sentence_rows = [], []
        if article_rows and not report.aborted:
            _write(store, article_rows, sentence_rows, report)
    finally:
        store.finish_ingest(
            report.ingest_id,
            added=report.added,
            already_present=report.already_present,
            rejected=len(report.rejected),
            aborted=report.aborted,
        )
    return report


@contextmanager
def _prepared_in_order(records: Iterator, *, outlet: str | None, workers: int, window: int) -> Iterator:
    """Prepared articles (or problems) in input order, from a process pool when it pays.

    Small inputs are prepared in-process: the first records are read ahead to decide.
    """
    head = list(itertools.islice(records, _PARALLEL_THRESHOLD))
    stream = itertools.chain(head, records)
    worker = _Worker(outlet)
    if workers <= 1 or len(head) < _PARALLEL_THRESHOLD:
        yield map(worker, stream)
        return
    in_flight = _Throttle(limit=window)
    pool = multiprocessing.get_context("fork").Pool(workers)
    try:
        # imap sends a chunk only once it is full: a chunk larger than the window would wait
        # for records the throttle never lets through (batch sizes under 32 hung).
        chunksize = min(32, window)
        yield in_flight.released(pool.imap(worker, in_flight.feed(stream), chunksize=chunksize))
    finally:
        in_flight.stop()
        pool.terminate()
        pool.join()


class _Throttle:
    """Bounds how many records the pool's feeder thread reads ahead of the writer.

    ``Pool.imap`` otherwise drains its input as fast as it can, holding the whole
    corpus in memory.
    """

    def __init__(self, *, limit: int):
        self._slots = threading.Semaphore(limit)
        self._stopped = False
        self._limit = limit

    def feed(self, stream: Iterator) -> Iterator:
        for item in stream:
            self._slots.acquire()
            if self._stopped:
                return
            yield item

    def released(self, results: Iterator) -> Iterator:
        """Pass results on, freeing one slot of the window for each."""
        for result in results:
            self._slots.release()
            yield result

    def stop(self) -> None:
        """Wake and end a feeder blocked on a full window, so the pool can shut down."""
        self._stopped = True
        self._slots.release(self._limit + 1)


def _write(store: Store, article_rows: list[tuple], sentence_rows: list[tuple], report: IngestReport) -> None:
    started = time.perf_counter()
    articles = _columns(article_rows, _ARTICLE_SCHEMA)
    articles = articles.set_column(
        articles.schema.get_field_index("ingest_id"),
        "ingest_id",
        pa.array([report.ingest_id] * len(article_rows), type=pa.int32()),
    )
    added, present = store.add_articles(articles, _columns(sentence_rows, _SENTENCE_SCHEMA))
    report.added += added
    report.already_present += present
    report.seconds["write"] += time.perf_counter() - started

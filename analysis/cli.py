"""The ``coverage-lens`` command. Thin: parse options, call the library, print.

Exit codes: 0 success; 1 the command failed (store unusable, an input could not
be read at all, or ``--on-error abort`` stopped an ingest); 2 wrong usage.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from analysis.ingest import ingest as run_ingest
from analysis.scale.engines import EngineError
from analysis.settings import SettingError, check_settings, setting
from analysis.store import Store, StoreError, default_store_path

app = typer.Typer(
    help="Coverage Lens: group news articles into events and compare how each outlet covered them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True, soft_wrap=True)
_SHOWN_PROBLEMS = 20

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        envvar="COVERAGE_LENS_DB",
        help="Store file (DuckDB). Default: $COVERAGE_LENS_DB, else data/coverage.duckdb.",
        show_default=False,
    ),
]
EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help="local: in this process (default). dask: the same steps, partitioned by time, on Dask distributed "
        "(a LocalCluster of dask_local_workers processes unless --scheduler names one); the same results.",
        case_sensitive=False,
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option("--scheduler", help="Address of a running Dask scheduler (tcp://host:8786), with --engine dask. "
                 "Its workers must reach the exchange folder at the same path (setting scale_exchange_dir).",
                 show_default=False),
]


def _fail(message: str) -> None:
    console.print(f"[bold red]error:[/] {message}", markup=True, highlight=False)
    raise typer.Exit(1)


def _open(db: Path | None, *, read_only: bool) -> Store:
    try:
        check_settings()
        store = Store.open(db or default_store_path(), read_only=read_only)
    except (StoreError, SettingError) as error:
        _fail(str(error))
    if store.backup_path is not None:
        typer.echo(f"Migrated {store.path} to the current schema; the file as it was is kept at {store.backup_path}")
    return store


@app.command()
def ingest(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders or http(s) URLs to read.", show_default=False)],
    outlet: Annotated[str | None, typer.Option(help="Outlet name for every article read, overriding the input.")] = None,
    db: DbOption = None,
    on_error: Annotated[
        str,
        typer.Option(
            "--on-error",
            help="skip: report bad records and go on. abort: stop at the first problem, writing "
            "nothing of the batch it occurred in.",
            case_sensitive=False,
        ),
    ] = "skip",
) -> None:
    """Read articles into the store; report added, already present and rejected."""
    on_error = on_error.lower()
    if on_error not in {"skip", "abort"}:
        console.print(f"error: --on-error must be 'skip' or 'abort', not {on_error!r}")
        raise typer.Exit(2)
    store = _open(db, read_only=False)
    progress = Progress(
        SpinnerColumn(), TextColumn("ingesting"), BarColumn(bar_width=None), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console, transient=True,
    )
    try:
        with progress:
            task = progress.add_task("ingest", total=None)
            report = run_ingest(
                inputs, store=store, outlet=outlet, on_error=on_error,
                progress=lambda count: progress.advance(task, count),
            )
    finally:
        store.close()

    table = Table(title=f"Ingest into {store.path}", show_header=False)
    table.add_row("added", str(report.added))
    table.add_row("already present", str(report.already_present))
    table.add_row("rejected", str(len(report.rejected)))
    Console().print(table)
    for problem in report.rejected[:_SHOWN_PROBLEMS]:
        console.print(f"  rejected {problem}", markup=False, highlight=False)
    if len(report.rejected) > _SHOWN_PROBLEMS:
        console.print(f"  ... and {len(report.rejected) - _SHOWN_PROBLEMS} more rejected")
    for warning in report.warnings[:_SHOWN_PROBLEMS]:
        console.print(f"  warning {warning}", markup=False, highlight=False)
    if report.warning_count > _SHOWN_PROBLEMS:
        console.print(f"  ... and {report.warning_count - _SHOWN_PROBLEMS} more warnings")
    if report.aborted:
        _fail(
            "aborted at the first problem (--on-error abort); nothing of its batch was written. "
            "Fix the input and run again: articles already stored are skipped."
        )
    if report.failed_inputs:
        _fail(f"{len(report.failed_inputs)} input(s) could not be read at all")


@app.command()
def analyze(
    db: DbOption = None,
    refit: Annotated[bool, typer.Option("--refit", help="Fit a new TF-IDF model and group every article.")] = False,
    recluster: Annotated[
        bool, typer.Option("--recluster", help="Group every article again with the stored model.")
    ] = False,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
) -> None:
    """Group stored articles into events and stories; store them with the similarity tables.

    Only new articles are processed unless the model is refitted (first run, --refit, or
    the corpus grew by more than the refit_growth setting) or the settings changed.
    With --engine dask, full runs go through partitioned steps on a Dask cluster
    (incremental runs stay in this process).
    """
    from analysis.pipeline import analyze as run_analysis

    engine = _engine_choice(engine, scheduler)
    with _open(db, read_only=False) as store, _opened_engine(engine, scheduler) as runner:
        try:
            report = run_analysis(store, refit=refit, recluster=recluster, engine=runner)
        except (SettingError, EngineError) as error:
            _fail(escape(str(error)))
    if engine == "dask" and report.mode in ("refit", "recluster"):
        _print_scale_summary()
    if report.mode == "none":
        typer.echo(f"Up to date: {report.events} events, {report.stories} stories over {report.articles} articles.")
        return
    typer.echo(
        f"{report.mode}: {report.articles} articles ({report.new_articles} new, {report.regrouped} grouped) → "
        f"{report.events} events, {report.stories} stories in {report.seconds:.1f} s (run {report.run_id})"
    )


@app.command()
def group(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT.jsonl", help="Articles in the corpus JSONL format.")],
    out: Annotated[Path, typer.Option("--out", help="CSV to write: id,event_id,story_id.")],
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
) -> None:
    """Group articles into events and stories (default settings, no labels used); write one row per article."""
    import csv

    from analysis.events import group_articles

    engine = _engine_choice(engine, scheduler)
    articles = _read_corpus(input_path)
    if engine == "local":
        grouped = group_articles(articles)
    else:
        from analysis.scale import group_partitioned

        with _opened_engine(engine, scheduler) as runner:
            try:
                grouped = group_partitioned(articles, engine=runner)
            except EngineError as error:
                _fail(escape(str(error)))
        _print_scale_summary()
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "event_id", "story_id"])
        writer.writerows(grouped[["id", "event_id", "story_id"]].itertuples(index=False, name=None))
    console.print(
        f"{len(grouped)} articles → {grouped['event_id'].nunique()} events, "
        f"{grouped['story_id'].nunique()} stories; written to {out}",
        highlight=False,
    )


def _read_corpus(input_path: Path) -> pd.DataFrame:
    """A corpus file read and cleaned as ``group`` reads it; skipped records are listed, an unreadable
    file (or a bad setting) fails the command."""
    from analysis.events import read_corpus_for_grouping

    try:
        check_settings()
        articles, problems = read_corpus_for_grouping(input_path)
    except SettingError as error:
        _fail(str(error))
    for problem in problems[:_SHOWN_PROBLEMS]:
        console.print(f"  skipped {problem}", markup=False, highlight=False)
    if any(problem.whole_input for problem in problems):
        _fail(f"{input_path} could not be read")
    return articles


def _engine_choice(engine: str, scheduler: str | None) -> str:
    """The engine name, lower case; wrong usage exits with status 2."""
    engine = engine.lower()
    if engine not in {"local", "dask"}:
        console.print(f"error: --engine must be 'local' or 'dask', not {engine!r}")
        raise typer.Exit(2)
    if scheduler and engine != "dask":
        console.print("error: --scheduler needs --engine dask")
        raise typer.Exit(2)
    return engine


@contextlib.contextmanager
def _opened_engine(engine: str, scheduler: str | None):
    """``local``, or an open Dask engine (closed afterwards); a Dask engine that cannot start fails cleanly."""
    if engine == "local":
        yield "local"
        return
    from analysis.scale import DaskEngine

    try:
        opened = DaskEngine(scheduler)
    except EngineError as error:
        _fail(escape(str(error)))
    with opened:
        yield opened


def _print_scale_summary() -> None:
    from analysis.scale.run import LAST_SUMMARY as summary

    dated, undated = summary.partitions
    console.print(
        f"partitioned run: {dated} time partitions and {undated} of undated articles; {summary.joined} components "
        f"joined across partition borders"
        + (f"; {summary.undated_ties} undated articles with tied links at their cut-off" if summary.undated_ties else ""),
        highlight=False,
    )


@app.command("wire-copies")
def wire_copies_command(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT.jsonl", help="Articles in the corpus JSONL format.")],
    out: Annotated[Path, typer.Option("--out", help="CSV to write: id,outlet,wire_copy_of,copied_outlet,similarity.")],
) -> None:
    """Find wire copies: articles whose body copies an earlier article of another outlet (MinHash LSH).

    One CSV row per copy; the wire_threshold, wire_shingle_words and wire_permutations settings apply.
    """
    import csv

    from analysis.wire import wire_copies

    articles = _read_corpus(input_path)
    copies = wire_copies(articles.rename(columns={"id": "article_id"}))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "outlet", "wire_copy_of", "copied_outlet", "similarity"])
            for row in copies.itertuples(index=False):
                writer.writerow([row.article_id, row.outlet, row.wire_copy_of, row.copied_outlet,
                                 f"{row.similarity:.4f}"])
    except OSError as error:
        _fail(f"cannot write {out}: {error.strerror or error}")
    console.print(f"{len(articles)} articles → {len(copies)} wire copies; written to {out}", highlight=False)


@app.command()
def quotes(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT.jsonl", help="Articles in the corpus JSONL format.")],
    out: Annotated[Path, typer.Option("--out", help="JSONL to write: one line per article, its id and quotes.")],
) -> None:
    """Find direct quotations and their speakers; write one JSON line per article.

    Offsets index each record's text exactly as given (nothing is cleaned first).
    """
    from analysis.quotes import find_quotes, quote_records
    from analysis.readers import ReadProblem, read_inputs

    try:
        check_settings()
    except SettingError as error:
        _fail(str(error))
    keys = ["start", "end", "text", "speaker", "speaker_start", "speaker_end", "cue"]
    articles = found = skipped = 0
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as handle:
            for item in read_inputs([str(input_path)]):
                if isinstance(item, ReadProblem):
                    if item.whole_input:
                        handle.close()
                        out.unlink(missing_ok=True)
                        _fail(f"{input_path} could not be read: {item.message}")
                    skipped += 1
                    if skipped <= _SHOWN_PROBLEMS:
                        console.print(f"  skipped {item}", markup=False, highlight=False)
                    continue
                rows = quote_records(find_quotes(item.text), keys)
                record_id = item.meta["id"] if "id" in item.meta else item.source
                handle.write(json.dumps({"id": record_id, "quotes": rows}, ensure_ascii=False) + "\n")
                articles += 1
                found += len(rows)
    except OSError as error:
        _fail(f"cannot write {out}: {error.strerror or error}")
    if skipped > _SHOWN_PROBLEMS:
        console.print(f"  ... and {skipped - _SHOWN_PROBLEMS} more skipped")
    console.print(f"{articles} articles → {found} quotes; written to {out}", highlight=False)


@app.command("match-pairs")
def match_pairs(
    input_path: Annotated[
        Path, typer.Argument(metavar="INPUT.jsonl", help="One JSON object a line: id, sentence_a, sentence_b.")
    ],
    out: Annotated[Path, typer.Option("--out", help="CSV to write: id,score,same_claim (same_claim is 1 or 0).")],
    backend: Annotated[
        str, typer.Option(help="Scorer: tfidf (shipped lexical model) or semantic (needs the semantic extra).")
    ] = "tfidf",
) -> None:
    """Score sentence pairs: do they state the same claim? One CSV row per usable input line.

    same_claim is 1 when the score is at least the pair_same_threshold setting (semantic_same_threshold
    with --backend semantic), else 0. Malformed lines are reported and skipped.
    """
    import csv

    from analysis.matching import BACKENDS, THRESHOLD_SETTINGS, classify_pairs, read_claim_pairs

    if backend not in BACKENDS:
        console.print(f"error: --backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
        raise typer.Exit(2)
    try:
        check_settings()
        pairs, problems = read_claim_pairs(input_path)
    except SettingError as error:
        _fail(str(error))
    except OSError as error:
        _fail(f"{input_path} could not be read: {error.strerror or error}")
    for problem in problems[:_SHOWN_PROBLEMS]:
        console.print(f"  skipped {input_path} {problem}", markup=False, highlight=False)
    if len(problems) > _SHOWN_PROBLEMS:
        console.print(f"  ... and {len(problems) - _SHOWN_PROBLEMS} more skipped")
    try:
        scored = classify_pairs(pairs["sentence_a"], pairs["sentence_b"], backend=backend)
    except (ValueError, FileNotFoundError, ImportError) as error:
        # escape: the install hint's "coverage-lens[semantic]" is not console markup.
        _fail(escape(str(error)))
    threshold = float(setting(THRESHOLD_SETTINGS[backend][0]))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "score", "same_claim"])
            for pair_id, score in zip(pairs["id"], scored["score"]):
                writer.writerow([pair_id, f"{score:.4f}", int(score >= threshold)])
    except OSError as error:
        _fail(f"cannot write {out}: {error.strerror or error}")
    console.print(
        f"{len(pairs)} pairs scored ({int((scored['score'] >= threshold).sum())} same claim), "
        f"{len(problems)} lines skipped; written to {out}",
        highlight=False,
    )


@app.command()
def info(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
) -> None:
    """Corpus summary: articles, outlets, date range."""
    with _open(db, read_only=True) as store:
        summary = store.summary()
        outlets = store.outlet_counts()
    if as_json:
        summary["outlet_articles"] = dict(zip(outlets["outlet"], outlets["articles"].astype(int).tolist()))
        typer.echo(json.dumps(summary))
        return
    output = Console()
    overview = Table(title=f"Corpus {summary['path']}", show_header=False)
    for key in ("articles", "outlets", "sentences", "first_published", "last_published", "undated", "schema_version"):
        overview.add_row(key.replace("_", " "), str(summary[key]))
    output.print(overview)
    by_outlet = Table("outlet", "articles", "first", "last", title="Articles per outlet (top 25)")
    for row in outlets.head(25).itertuples():
        by_outlet.add_row(row.outlet, str(row.articles), _day(row.first_published), _day(row.last_published))
    output.print(by_outlet)


def _day(stamp) -> str:
    return "-" if pd.isna(stamp) else stamp.date().isoformat()


@app.command()
def migrate(db: DbOption = None) -> None:
    """Bring a store written by an older version up to this version's schema."""
    with _open(db, read_only=False) as store:
        typer.echo(f"{store.path}: schema version {store.schema_version()}")


@app.command()
def dashboard(
    db: DbOption = None,
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8501,
    address: Annotated[str, typer.Option(help="Address to listen on.")] = "localhost",
) -> None:
    """Serve the web dashboard on the store (Ctrl-C stops it)."""
    store_path = (db or default_store_path()).resolve()
    _open(store_path, read_only=True).close()
    app_file = Path(__file__).resolve().parent.parent / "dashboard" / "streamlit_app.py"
    if not app_file.is_file():
        import dashboard

        app_file = Path(dashboard.__file__).parent / "streamlit_app.py"
    environment = {**os.environ, "COVERAGE_LENS_DB": str(store_path)}
    command = [
        sys.executable, "-m", "streamlit", "run", str(app_file),
        "--server.port", str(port), "--server.address", address, "--server.headless", "true",
        # As .streamlit/config.toml says, for a dashboard started from any folder.
        "--server.fileWatcherType", "none",
    ]
    console.print(f"Serving {store_path} at http://{address}:{port}", highlight=False)
    try:
        raise typer.Exit(subprocess.call(command, env=environment))
    except KeyboardInterrupt:
        raise typer.Exit(0) from None


if __name__ == "__main__":
    app()

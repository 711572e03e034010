"""Nothing is lost: ingests and analyses killed at any point, two writers at once, schema migrations.

Killed processes are real subprocesses ended with SIGKILL, so no ``finally`` and no
rollback runs: what the store holds afterwards is what DuckDB had committed. A small
driver script holds a process just before a chosen commit (every statement of the
transaction executed, nothing committed) so a kill lands inside the transaction
every time; the command-line runs are killed after timed delays instead.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from analysis.ingest import ingest, prepare_article
from analysis.readers import ArticleRecord, read_inputs
from analysis.store import _MIGRATIONS, SCHEMA_VERSION, Store, StoreError
from tests.conftest import REPO, SAMPLE

SCRIPT = Path(sys.executable).parent / "coverage-lens"
BATCH = 5

# Runs ingest or analyze on a store whose connection stops at its n-th commit, prints
# "holding commit n" and waits for a line on stdin (or a SIGKILL) before committing.
DRIVER = """
import sys
from analysis.store import Store

class HeldConnection:
    def __init__(self, connection, hold_at):
        self._connection, self._hold_at, self._commits = connection, hold_at, 0

    def __getattr__(self, name):
        return getattr(self._connection, name)

    def commit(self):
        self._commits += 1
        if self._commits == self._hold_at:
            print(f"holding commit {self._commits}", flush=True)
            sys.stdin.readline()
        self._connection.commit()
        print(f"committed {self._commits}", flush=True)

command, db, hold_at, *inputs = sys.argv[1:]
store = Store.open(db)
store.connection = HeldConnection(store.connection, int(hold_at))
if command == "ingest":
    from analysis.ingest import ingest
    print("added", ingest(inputs, store=store, workers=1).added, flush=True)
else:
    from analysis.pipeline import analyze
    print("analyzed", analyze(store).mode, flush=True)
store.close()
"""


def environment(**settings) -> dict:
    """This process's environment without Coverage Lens settings, plus ``settings`` (name=value)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("COVERAGE_LENS_")}
    env.update({f"COVERAGE_LENS_{name.upper()}": str(value) for name, value in settings.items()})
    env["COLUMNS"] = "200"
    return env


def write_corpus(path: Path, count: int, *, first: int = 0) -> Path:
    """``count`` distinct invented articles, one JSON line each, from three outlets over a month."""
    outlets = ("Harbour Gazette", "Riverside Courier", "Valley Times")
    topics = ("bridge repairs", "the library budget", "a ferry timetable", "school meals", "the flood defences")
    with path.open("w", encoding="utf-8") as handle:
        for number in range(first, first + count):
            topic = topics[number % len(topics)]
            row = {
                "id": f"a{number}",
                "outlet": outlets[number % len(outlets)],
                "title": f"Council {number} Votes On {topic.title()}",
                "published": f"2021-03-{1 + number % 28:02d}T08:00:00Z",
                "text": (
                    f"The council of district {number} voted {number % 9 + 1} to 2 on {topic} on Tuesday. "
                    f"Officials said the plan would cost {number * 3 + 7} thousand pounds over {number % 4 + 2} years.\n\n"
                    f"Residents of ward {number} told the meeting that {topic} had been delayed for too long. "
                    f"A final decision is expected in {['May', 'June', 'July'][number % 3]}."
                ),
            }
            handle.write(json.dumps(row) + "\n")
    return path


def expected_articles(path: Path) -> dict[str, int]:
    """Article id → sentence count, in input order, as an uninterrupted ingest stores them."""
    expected = {}
    for record in read_inputs([str(path)]):
        assert isinstance(record, ArticleRecord), record
        prepared = prepare_article(record)
        expected[prepared.row[0]] = len(prepared.sentences)
    return expected


def batches_of(expected: dict[str, int], size: int) -> list[set[str]]:
    ids = list(expected)
    return [set(ids[start : start + size]) for start in range(0, len(ids), size)]


def stored_sentence_counts(db: Path) -> dict[str, int]:
    """Article id → stored sentences, after checking every sentence is its article's text at its offsets."""
    with Store.open(db) as store:
        connection = store.connection
        orphans = connection.execute(
            "SELECT count(*) FROM sentences WHERE article_id NOT IN (SELECT article_id FROM articles)"
        ).fetchone()[0]
        assert orphans == 0
        misplaced = connection.execute(
            """SELECT count(*) FROM sentences s JOIN articles a USING (article_id)
               WHERE s.text <> substr(CASE WHEN s.is_headline THEN a.title ELSE a.text END, s.start + 1, s."end" - s.start)"""
        ).fetchone()[0]
        assert misplaced == 0
        rows = connection.execute(
            "SELECT a.article_id, count(s.article_id) FROM articles a LEFT JOIN sentences s USING (article_id) "
            "GROUP BY a.article_id"
        ).fetchall()
    return dict(rows)


def whole_batches_stored(db: Path, expected: dict[str, int], batches: list[set[str]]) -> int:
    """How many batches the store holds; it must hold exactly the first k, each article with all its sentences."""
    counts = stored_sentence_counts(db)
    held = 0
    while held < len(batches) and batches[held] <= counts.keys():
        held += 1
    assert set(counts) == set().union(*batches[:held]), "the store holds part of a batch"
    assert counts == {article_id: expected[article_id] for article_id in counts}
    return held


def finish_and_compare(db: Path, corpus: Path, expected: dict[str, int]) -> None:
    """Re-running the ingest adds the rest, and the store ends as an uninterrupted ingest leaves it."""
    os.environ["COVERAGE_LENS_INGEST_BATCH_SIZE"] = str(BATCH)
    try:
        with Store.open(db) as store:
            report = ingest([str(corpus)], store=store, workers=1)
    finally:
        del os.environ["COVERAGE_LENS_INGEST_BATCH_SIZE"]
    assert report.rejected == [] and report.added + report.already_present == len(expected)
    assert stored_sentence_counts(db) == expected


def start_driver(command: str, db: Path, hold_at: int, *inputs: Path, **settings) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", DRIVER, command, str(db), str(hold_at), *map(str, inputs)],
        cwd=REPO, env=environment(**settings), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )


def wait_for_line(process: subprocess.Popen, wanted: str) -> None:
    for line in process.stdout:
        if line.startswith(wanted):
            return
    process.wait(timeout=60)
    pytest.fail(f"the driver ended before {wanted!r}:\n{process.stderr.read()}")


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    path = write_corpus(tmp_path_factory.mktemp("corpus") / "articles.jsonl", 6 * BATCH - 2)
    return path, expected_articles(path)


# --- an ingest killed at any point ------------------------------------------------------------------


@pytest.mark.parametrize("killed_at_commit", [1, 2, 4])
def test_ingest_killed_inside_a_batch_transaction_keeps_the_batches_before_it(tmp_path, corpus, killed_at_commit):
    path, expected = corpus
    batches = batches_of(expected, BATCH)
    db = tmp_path / "store.duckdb"
    process = start_driver("ingest", db, killed_at_commit, path, ingest_batch_size=BATCH)
    wait_for_line(process, f"holding commit {killed_at_commit}")
    kill(process)
    assert whole_batches_stored(db, expected, batches) == killed_at_commit - 1
    finish_and_compare(db, path, expected)


def start_cli_ingest(corpus: Path, db: Path) -> subprocess.Popen:
    """``coverage-lens ingest`` in batches of 20 with two workers, in a process group of its own."""
    return subprocess.Popen(
        [str(SCRIPT), "ingest", str(corpus), "--db", str(db)], cwd=db.parent,
        env=environment(ingest_batch_size=20, ingest_workers=2),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )


def wait_for_store_writes(process: subprocess.Popen, db: Path) -> float:
    """Wait until the process has written to the store (its write-ahead log exists); return the time."""
    wal = db.with_name(db.name + ".wal")
    deadline = time.monotonic() + 120
    while not wal.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    return time.monotonic()


@pytest.mark.skipif(not SCRIPT.is_file(), reason=f"console script not installed at {SCRIPT}")
def test_cli_ingest_killed_at_several_moments_keeps_whole_batches(tmp_path):
    """The real command with its worker pool (the whole process group is killed), after timed delays."""
    corpus = write_corpus(tmp_path / "large.jsonl", 320)
    expected = expected_articles(corpus)
    batches = batches_of(expected, 20)
    # An uninterrupted run times the writing, so the kills spread over it whatever the machine's load.
    # (Batches smaller than the worker pool's chunk of 32 records once hung here.)
    process = start_cli_ingest(corpus, tmp_path / "whole.duckdb")
    started = wait_for_store_writes(process, tmp_path / "whole.duckdb")
    try:
        assert process.wait(timeout=180) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    writing = time.monotonic() - started
    assert stored_sentence_counts(tmp_path / "whole.duckdb") == expected
    held = []
    for share in (0.3, 0.55, 0.75, 0.9):
        db = tmp_path / f"killed-at-{share}.duckdb"
        process = start_cli_ingest(corpus, db)
        time.sleep(max(0.0, wait_for_store_writes(process, db) + share * writing - time.monotonic()))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        held.append(whole_batches_stored(db, expected, batches))
        finish_and_compare(db, corpus, expected)
    print(f"of {len(batches)} batches, held after each kill: {held}")


# --- two writers at once ------------------------------------------------------------------------


@pytest.mark.skipif(not SCRIPT.is_file(), reason=f"console script not installed at {SCRIPT}")
def test_second_ingest_while_one_runs_fails_with_one_line_and_harms_nothing(tmp_path, corpus):
    path, expected = corpus
    other = write_corpus(tmp_path / "other.jsonl", 4, first=1000)
    db = tmp_path / "store.duckdb"
    first = start_driver("ingest", db, 2, path, ingest_batch_size=BATCH)
    try:
        wait_for_line(first, "holding commit 2")  # mid-transaction, holding the store's lock
        second = subprocess.run(
            [str(SCRIPT), "ingest", str(other), "--db", str(db)], cwd=tmp_path, env=environment(),
            capture_output=True, text=True, timeout=120,
        )
        assert second.returncode == 1
        assert second.stdout == ""
        assert second.stderr.strip().startswith("error: the store")
        assert "in use by another process" in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1, second.stderr
        first.stdin.write("\n")
        first.stdin.flush()
        output, errors = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            kill(first)
    assert first.returncode == 0, errors
    assert f"added {len(expected)}" in output
    assert stored_sentence_counts(db) == expected
    with Store.open(db) as store:
        assert ingest([str(other)], store=store).added == 4


def test_reader_while_a_writer_runs_gets_a_clear_error(tmp_path, corpus):
    path, expected = corpus
    db = tmp_path / "store.duckdb"
    writer = start_driver("ingest", db, 1, path, ingest_batch_size=BATCH)
    try:
        wait_for_line(writer, "holding commit 1")
        for read_only in (True, False):
            with pytest.raises(StoreError, match="in use by another process"):
                Store.open(db, read_only=read_only)
        writer.stdin.write("\n")
        writer.stdin.flush()
        writer.communicate(timeout=120)
    finally:
        if writer.poll() is None:
            kill(writer)
    assert writer.returncode == 0
    assert stored_sentence_counts(db) == expected


# --- an analysis killed before it commits -------------------------------------------------------

RESULT_TABLES = ("events", "article_events", "event_links", "event_profiles", "stories", "outlet_similarity",
                 "claims", "claim_links", "framing_terms", "actor_labels", "voices", "tone", "outlet_terms",
                 "wire_copies")


def results_snapshot(db: Path) -> dict[str, list]:
    with Store.open(db) as store:
        return {
            table: sorted(store.connection.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
            for table in RESULT_TABLES
        }


def test_analysis_killed_inside_its_transaction_keeps_the_previous_results(tmp_path):
    db = tmp_path / "store.duckdb"
    with Store.open(db) as store:
        ingest([str(SAMPLE)], store=store)
    from analysis.pipeline import analyze

    with Store.open(db) as store:
        analyze(store)
        finished = store.last_run()["run_id"]
    before = results_snapshot(db)
    assert before["events"] and before["claims"]

    more = write_corpus(tmp_path / "more.jsonl", 6)
    with Store.open(db) as store:
        assert ingest([str(more)], store=store).added == 6
    process = start_driver("analyze", db, 1)  # a refit: the new articles are more than refit_growth
    wait_for_line(process, "holding commit 1")  # every result row deleted and rewritten, not committed
    kill(process)
    assert results_snapshot(db) == before
    with Store.open(db) as store:
        assert store.last_run()["run_id"] == finished
        report = analyze(store)
        assert report.mode == "refit" and report.articles == 9
        analysed = store.article_dates()["analysed"]
        assert analysed.all()


# --- migrating an older store ---------------------------------------------------------------------


def older_store(path: Path, version: int) -> Path:
    """A store at schema ``version`` (its migrations only) holding the sample articles."""
    connection = duckdb.connect(str(path))
    connection.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, "
        "applied_at TIMESTAMP NOT NULL)"
    )
    for migration in _MIGRATIONS[:version]:
        for statement in migration.statements:
            connection.execute(statement)
        connection.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [migration.version, migration.description])
    store = Store(connection, str(path), read_only=False)
    assert store.schema_version() == version
    assert ingest([str(SAMPLE)], store=store).added == 3
    store.close()
    return path


def table_contents(path: Path) -> dict[str, list]:
    with duckdb.connect(str(path), read_only=True) as connection:
        tables = [row[0] for row in connection.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        return {table: sorted(connection.execute(f"SELECT * FROM {table}").fetchall(), key=repr) for table in tables}


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_older_store_is_backed_up_then_migrated_keeping_every_article(tmp_path, version):
    db = older_store(tmp_path / "corpus.duckdb", version)
    original = table_contents(db)
    with Store.open(db) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.backup_path == tmp_path / f"corpus.v{version}.bak.duckdb"
    backup = tmp_path / f"corpus.v{version}.bak.duckdb"
    assert table_contents(backup) == original
    migrated = table_contents(db)
    for table in ("articles", "sentences", "ingests"):
        assert migrated[table] == original[table]
    assert {row[0] for row in migrated["schema_migrations"]} == set(range(1, SCHEMA_VERSION + 1))
    assert not list(tmp_path.glob("*.partial"))
    # A current store is opened without a new backup.
    backup.unlink()
    with Store.open(db) as store:
        assert store.backup_path is None
    assert not backup.exists()


def test_new_and_current_stores_get_no_backup(tmp_path):
    with Store.open(tmp_path / "new.duckdb") as store:
        assert store.backup_path is None
    with Store.open(":memory:") as store:
        assert store.backup_path is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.duckdb"]


def test_migration_without_a_backup_changes_nothing(tmp_path):
    version = SCHEMA_VERSION - 1
    db = older_store(tmp_path / "corpus.duckdb", version)
    original = table_contents(db)
    # Something in the backup's way: the copy cannot be written.
    (tmp_path / f"corpus.v{version}.bak.duckdb.partial").mkdir()
    with pytest.raises(StoreError, match=r"could not be written.*nothing was changed"):
        Store.open(db)
    assert table_contents(db) == original
    assert not (tmp_path / f"corpus.v{version}.bak.duckdb").exists()


@pytest.mark.skipif(not SCRIPT.is_file(), reason=f"console script not installed at {SCRIPT}")
def test_cli_migrate_writes_the_backup_first(tmp_path):
    version = SCHEMA_VERSION - 1
    db = older_store(tmp_path / "corpus.duckdb", version)
    original = table_contents(db)
    refused = subprocess.run([str(SCRIPT), "info", "--db", str(db)], cwd=tmp_path, env=environment(),
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "coverage-lens migrate" in refused.stderr
    result = subprocess.run([str(SCRIPT), "migrate", "--db", str(db)], cwd=tmp_path, env=environment(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"schema version {SCHEMA_VERSION}" in result.stdout
    assert f"kept at {tmp_path / f'corpus.v{version}.bak.duckdb'}" in result.stdout  # the user learns where
    assert table_contents(tmp_path / f"corpus.v{version}.bak.duckdb") == original
    assert table_contents(db)["articles"] == original["articles"]


def test_backup_holds_rows_still_in_the_write_ahead_log(tmp_path):
    """A store last written by a killed process keeps committed rows only in its WAL; the backup has them."""
    version = SCHEMA_VERSION - 1
    db = older_store(tmp_path / "corpus.duckdb", version)
    script = (
        "import os, sys, duckdb\n"
        "connection = duckdb.connect(sys.argv[1])\n"
        "connection.execute(\"SET checkpoint_threshold = '1GB'\")\n"
        "connection.execute(\"UPDATE articles SET author = 'Written Before The Kill'\")\n"
        "os.kill(os.getpid(), 9)\n"
    )
    killed = subprocess.run([sys.executable, "-c", script, str(db)], capture_output=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL
    assert db.with_name(db.name + ".wal").stat().st_size > 0
    with Store.open(db) as store:
        backup = store.backup_path
    with duckdb.connect(str(backup), read_only=True) as connection:
        authors = connection.execute("SELECT DISTINCT author FROM articles").fetchall()
    assert authors == [("Written Before The Kill",)]


def test_backup_is_a_readable_store_of_the_old_version(tmp_path):
    version = SCHEMA_VERSION - 1
    db = older_store(tmp_path / "corpus.duckdb", version)
    with Store.open(db) as store:
        backup = store.backup_path
    restored = tmp_path / "restored.duckdb"
    shutil.copyfile(backup, restored)
    with pytest.raises(StoreError, match=f"schema version {version}"):
        Store.open(restored, read_only=True)
    with Store.open(restored) as store:  # restoring it and opening it migrates it again
        assert store.summary()["articles"] == 3


def test_a_store_analysed_before_wire_copies_is_migrated_then_analysed_again(tmp_path, analyzed_wire_store):
    """Schema 5 added the wire_copies table: a store analysed under schema 4 is backed up, migrated,
    and its next analysis (a recluster: its run's settings are schema 4's) finds the copies."""
    from analysis.pipeline import GROUPING_SETTINGS, analyze

    db = tmp_path / "corpus.duckdb"
    shutil.copyfile(analyzed_wire_store, db)
    with duckdb.connect(str(db)) as connection:  # what schema 4 wrote: no table, no wire settings in the run
        connection.execute("DROP TABLE wire_copies")
        connection.execute("DELETE FROM schema_migrations WHERE version = 5")
        settings = json.loads(connection.execute("SELECT settings FROM runs").fetchone()[0])
        old = {name: settings[name] for name in GROUPING_SETTINGS} | {"schema_version": 4}
        connection.execute("UPDATE runs SET settings = ?", [json.dumps(old, sort_keys=True)])
    original = table_contents(db)
    with pytest.raises(StoreError, match="needs migrating"):
        Store.open(db, read_only=True)
    with Store.open(db) as store:
        assert store.backup_path == tmp_path / "corpus.v4.bak.duckdb" and store.schema_version() == SCHEMA_VERSION
        assert store.wire_copies().empty
        assert analyze(store).mode == "recluster"
        assert store.wire_copies()["outlet"].tolist() == ["Daily Post"]
        assert analyze(store).mode == "none"
    assert table_contents(tmp_path / "corpus.v4.bak.duckdb") == original

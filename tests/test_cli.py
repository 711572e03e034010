"""The ``coverage-lens`` console script, run as a real subprocess against store files in tmp_path."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from analysis.ingest import ingest
from analysis.store import SCHEMA_VERSION, Store

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
SCRIPT = Path(sys.executable).parent / "coverage-lens"

pytestmark = pytest.mark.skipif(not SCRIPT.is_file(), reason=f"console script not installed at {SCRIPT}")


def run(*args, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the console script with a clean Coverage Lens environment; output is stdout + stderr."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("COVERAGE_LENS_")}
    environment.update(env or {})
    environment.setdefault("COLUMNS", "200")
    result = subprocess.run(
        [str(SCRIPT), *map(str, args)], cwd=cwd, env=environment, capture_output=True, text=True, timeout=120
    )
    result.output = result.stdout + result.stderr
    return result


def reported(output: str, label: str) -> int:
    """The number the ingest table shows on the row ``label``."""
    match = re.search(rf"{label}\W+(\d+)", output)
    assert match, f"no {label!r} row in:\n{output}"
    return int(match.group(1))


def stored_ids(db: Path) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as connection:
        return {row[0] for row in connection.execute("SELECT article_id FROM articles").fetchall()}


@pytest.fixture(scope="module")
def sample_template(tmp_path_factory) -> Path:
    """A store holding the sample, built once in-process (each CLI start costs seconds)."""
    path = tmp_path_factory.mktemp("template") / "sample.duckdb"
    with Store.open(path) as store:
        report = ingest([str(SAMPLE)], store=store)
    assert report.added == 3
    return path


@pytest.fixture
def sample_db(tmp_path, sample_template) -> Path:
    """A private copy of the sample store for one test."""
    path = tmp_path / "store.duckdb"
    shutil.copyfile(sample_template, path)
    return path


def test_ingest_sample_then_again(tmp_path):
    db = tmp_path / "store.duckdb"
    first = run("ingest", SAMPLE, "--db", db, cwd=tmp_path)
    assert first.returncode == 0, first.output
    assert "Traceback" not in first.output
    assert reported(first.output, "added") == 3
    assert reported(first.output, "already present") == 0
    assert reported(first.output, "rejected") == 0
    assert db.is_file()

    second = run("ingest", SAMPLE, "--db", db, cwd=tmp_path)
    assert second.returncode == 0, second.output
    assert reported(second.output, "added") == 0
    assert reported(second.output, "already present") == 3


def test_info_json(tmp_path, sample_db):
    db = sample_db
    result = run("info", "--json", "--db", db, cwd=tmp_path)
    assert result.returncode == 0, result.output
    summary = json.loads(result.stdout)  # stdout is exactly one JSON object
    assert summary["articles"] == 3
    assert summary["outlets"] == 3
    assert summary["schema_version"] == SCHEMA_VERSION
    assert summary["outlet_articles"] == {"The Telegraph": 1, "CBS News": 1, "U.S. News & World Report": 1}
    assert (summary["first_published"], summary["last_published"]) == ("2010-12-01", "2012-06-19")
    assert summary["sentences"] > 3


def test_info_tables(tmp_path, sample_db):
    db = sample_db
    result = run("info", "--db", db, cwd=tmp_path)
    assert result.returncode == 0, result.output
    for outlet in ("The Telegraph", "CBS News", "U.S. News & World Report"):
        assert outlet in result.stdout


def test_info_on_missing_store(tmp_path):
    db = tmp_path / "nowhere.duckdb"
    result = run("info", "--db", db, cwd=tmp_path)
    assert result.returncode == 1
    assert "no store" in result.output
    assert "Traceback" not in result.output
    assert not db.exists()  # looking does not create a store


def test_ingest_missing_file(tmp_path):
    db = tmp_path / "store.duckdb"
    missing = tmp_path / "missing.jsonl"
    result = run("ingest", missing, "--db", db, cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.output
    assert f"{missing}: no such file or folder" in result.output
    assert "could not be read" in result.output


def test_ingest_skip_reports_bad_line(tmp_path):
    db = tmp_path / "store.duckdb"
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        json.dumps({"title": "Pier Reopens", "outlet": "Coast Herald",
                    "text": "The pier reopened on Saturday after repairs. Anglers were the first to return."}) + "\n"
        + "{not json\n",
        encoding="utf-8",
    )
    result = run("ingest", path, "--db", db, cwd=tmp_path)
    assert result.returncode == 0, result.output  # bad records are reported, not fatal
    assert reported(result.output, "added") == 1
    assert reported(result.output, "rejected") == 1
    assert f"rejected {path}:2" in result.output


def test_on_error_abort_leaves_store_unchanged(tmp_path, sample_db):
    db = sample_db
    before = stored_ids(db)
    path = tmp_path / "one_bad.jsonl"
    path.write_text(
        json.dumps({"title": "Pier Reopens", "outlet": "Coast Herald",
                    "text": "The pier reopened on Saturday after repairs. Anglers were the first to return."}) + "\n"
        + '{"title": "Broken", "text": \n'
        + json.dumps({"title": "Lido Closes", "outlet": "Coast Herald",
                      "text": "The lido closed for the season on Sunday. Swimmers said they would miss it."}) + "\n",
        encoding="utf-8",
    )
    result = run("ingest", path, "--db", db, "--on-error", "abort", cwd=tmp_path)
    assert result.returncode == 1, result.output
    assert "Traceback" not in result.output
    assert "aborted" in result.output
    assert f"{path}:2" in result.output
    assert stored_ids(db) == before
    assert len(before) == 3


def test_on_error_bogus_is_a_usage_error(tmp_path):
    db = tmp_path / "store.duckdb"
    result = run("ingest", SAMPLE, "--db", db, "--on-error", "bogus", cwd=tmp_path)
    assert result.returncode == 2
    assert "bogus" in result.output
    assert "Traceback" not in result.output
    assert not db.exists()


def test_outlet_option_overrides(tmp_path):
    db = tmp_path / "store.duckdb"
    result = run("ingest", SAMPLE, "--db", db, "--outlet", "One Paper", cwd=tmp_path)
    assert result.returncode == 0, result.output
    with duckdb.connect(str(db), read_only=True) as connection:
        assert connection.execute("SELECT outlet, count(*) FROM articles GROUP BY outlet").fetchall() == [("One Paper", 3)]


def test_coverage_lens_db_env_is_honoured(tmp_path, sample_db):
    db = tmp_path / "from_env" / "env.duckdb"
    work = tmp_path / "work"
    work.mkdir()
    result = run("ingest", SAMPLE, cwd=work, env={"COVERAGE_LENS_DB": str(db)})
    assert result.returncode == 0, result.output
    assert db.is_file()
    assert stored_ids(db) == stored_ids(sample_db)
    assert not (work / "data" / "coverage.duckdb").exists()  # the default path was not used
    info = run("info", "--json", cwd=work, env={"COVERAGE_LENS_DB": str(sample_db)})
    assert info.returncode == 0, info.output
    assert json.loads(info.stdout)["path"] == str(sample_db)


def test_default_store_path_without_db_or_env(tmp_path):
    result = run("ingest", SAMPLE, cwd=tmp_path)
    assert result.returncode == 0, result.output
    assert (tmp_path / "data" / "coverage.duckdb").is_file()


def test_store_from_newer_code_is_refused(tmp_path, sample_db):
    db = sample_db
    with duckdb.connect(str(db)) as connection:
        connection.execute("INSERT INTO schema_migrations VALUES (99, 'future', now())")
    for command in (["info"], ["ingest", SAMPLE]):  # read-only and read-write opening
        result = run(*command, "--db", db, cwd=tmp_path)
        assert result.returncode == 1, (command, result.output)
        assert "Traceback" not in result.output
        assert "schema version 99" in result.output
        assert "newer" in result.output
    with duckdb.connect(str(db), read_only=True) as connection:  # nothing was changed
        assert connection.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == 99
        assert connection.execute("SELECT count(*) FROM articles").fetchone()[0] == 3


def test_migrate_creates_schema_in_empty_database(tmp_path):
    db = tmp_path / "plain.duckdb"
    with duckdb.connect(str(db)) as connection:
        connection.execute("CREATE TABLE notes (x INTEGER)")
    refused = run("info", "--db", db, cwd=tmp_path)
    assert refused.returncode == 1
    assert "not a Coverage Lens store" in refused.output

    result = run("migrate", "--db", db, cwd=tmp_path)
    assert result.returncode == 0, result.output
    assert f"schema version {SCHEMA_VERSION}" in result.output
    with Store.open(db, read_only=True) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.summary()["articles"] == 0


def test_migrate_new_store(tmp_path):
    db = tmp_path / "new" / "fresh.duckdb"
    result = run("migrate", "--db", db, cwd=tmp_path)
    assert result.returncode == 0, result.output
    assert f"schema version {SCHEMA_VERSION}" in result.output
    with Store.open(db, read_only=True) as store:
        assert store.schema_version() == SCHEMA_VERSION


def test_not_a_database_file(tmp_path):
    db = tmp_path / "notes.duckdb"
    db.write_text("these are my notes, not a database\n", encoding="utf-8")
    result = run("info", "--db", db, cwd=tmp_path)
    assert result.returncode == 1
    assert "not a readable Coverage Lens store" in result.output
    assert "Traceback" not in result.output


def test_store_in_use_by_another_process(tmp_path, sample_db):
    with duckdb.connect(str(sample_db)):  # this test process holds the write lock
        result = run("ingest", SAMPLE, "--db", sample_db, cwd=tmp_path)
    assert result.returncode == 1
    assert "in use by another process" in result.output
    assert "Traceback" not in result.output


def test_invalid_setting_in_environment_is_reported_without_traceback(tmp_path):
    """A mistyped COVERAGE_LENS_* value is a user error: one clear message, exit 1, no traceback."""
    db = tmp_path / "store.duckdb"
    result = run("ingest", SAMPLE, "--db", db, cwd=tmp_path, env={"COVERAGE_LENS_MAX_FILE_MB": "2GB"})
    assert result.returncode == 1, result.output
    assert "COVERAGE_LENS_MAX_FILE_MB" in result.output
    assert "Traceback" not in result.output, result.output[-1500:]


# --- group: the evaluation entry point ------------------------------------------------------------


def test_group_writes_one_row_per_input_article(tmp_path):
    from tests.invented import FERRY, LIBRARY, MARKET, write_jsonl

    rows = [dict(article, id=f"doc-{n}") for n, article in enumerate([FERRY, LIBRARY, MARKET, dict(FERRY, published=None)])]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out" / "groups.csv"
    result = run("group", str(source), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "id,event_id,story_id"
    table = [line.split(",") for line in lines[1:]]
    assert [row[0] for row in table] == ["doc-0", "doc-1", "doc-2", "doc-3"]
    by_id = {row[0]: row for row in table}
    assert by_id["doc-0"][1] == by_id["doc-3"][1]  # the same text, one undated: one event
    assert by_id["doc-0"][1] != by_id["doc-1"][1]
    assert all(row[1].startswith("e-") and row[2].startswith("s-") for row in table)


def test_group_on_unreadable_input_fails_cleanly(tmp_path):
    result = run("group", str(tmp_path / "absent.jsonl"), "--out", str(tmp_path / "o.csv"), cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "could not be read" in result.stderr
    assert not (tmp_path / "o.csv").exists()


def test_analyze_stores_events_then_reports_up_to_date(tmp_path):
    db = tmp_path / "s.duckdb"
    assert run("ingest", SAMPLE, "--db", db, cwd=tmp_path).returncode == 0
    first = run("analyze", "--db", db, cwd=tmp_path)
    assert first.returncode == 0, first.output
    assert "refit" in first.stdout and "2 events, 1 stories" in first.stdout
    again = run("analyze", "--db", db, cwd=tmp_path)
    assert again.returncode == 0 and "Up to date" in again.stdout
    assert run("analyze", "--db", tmp_path / "absent" / "x.duckdb", "--recluster", cwd=tmp_path).returncode == 0

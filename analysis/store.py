"""The corpus store: one embedded DuckDB file, the single source of truth.

Every table the product reads lives in one file (default
``data/coverage.duckdb``; ``COVERAGE_LENS_DB`` or an explicit path overrides
it), so a notebook and the dashboard see the same corpus. This is the only
module that writes SQL.

Schema versions are recorded in ``schema_migrations``; opening a store applies
the migrations it lacks (read-write) or refuses a store written by newer code.

Tables (version 1):

``articles``
    article_id (16 hex chars of a SHA-256 over outlet, title and raw text),
    outlet, outlet_basis (how the outlet was decided: given, site_name, url,
    signoff, author_blurb, unknown), title, published (TIMESTAMP, UTC), url,
    author, text (cleaned body, paragraphs separated by a blank line),
    raw_text (as read), source (file:line or URL), language (ISO 639-1),
    meta (JSON text of the input's other fields), ingested_at (UTC),
    ingest_id.
``sentences``
    article_id, sentence_no (0-based, headline first), start, end (character
    offsets into the article's ``text``, or into ``title`` for the headline),
    text, is_headline.
``ingests``
    ingest_id, started_at, finished_at, inputs, added, already_present,
    rejected, aborted.

Later versions add the analysis results (2: runs, models, events, stories, links, outlet
similarity; 3: claims; 4: framing; 5: ``wire_copies``: article_id, outlet, wire_copy_of,
copied_outlet, similarity, the articles that copy an earlier article of another outlet).

Example:
    >>> with Store.open(":memory:") as store:
    ...     store.summary()["articles"]
    0
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from analysis.settings import setting

__all__ = [
    "DEFAULT_STORE_PATH",
    "SCHEMA_VERSION",
    "Store",
    "StoreError",
    "StoreVersionError",
    "default_store_path",
]

DEFAULT_STORE_PATH = Path("data") / "coverage.duckdb"


class StoreError(Exception):
    """The store cannot be used; the message says why and what to do."""


class StoreVersionError(StoreError):
    """The store's schema version does not match this code."""


@dataclass(frozen=True)
class _Migration:
    version: int
    description: str
    statements: tuple[str, ...]


_MIGRATIONS: tuple[_Migration, ...] = (
    _Migration(
        1,
        "articles, sentences and ingest log",
        (
            """CREATE TABLE articles (
                article_id VARCHAR PRIMARY KEY,
                outlet VARCHAR NOT NULL,
                outlet_basis VARCHAR NOT NULL,
                title VARCHAR,
                published TIMESTAMP,
                url VARCHAR,
                author VARCHAR,
                text VARCHAR NOT NULL,
                raw_text VARCHAR NOT NULL,
                source VARCHAR NOT NULL,
                language VARCHAR,
                meta VARCHAR,
                ingested_at TIMESTAMP NOT NULL,
                ingest_id INTEGER
            )""",
            # No primary key here: ingest only adds sentences of articles it has just
            # added, and an index would slow bulk loads of millions of rows.
            """CREATE TABLE sentences (
                article_id VARCHAR NOT NULL,
                sentence_no INTEGER NOT NULL,
                start INTEGER NOT NULL,
                "end" INTEGER NOT NULL,
                text VARCHAR NOT NULL,
                is_headline BOOLEAN NOT NULL
            )""",
            """CREATE TABLE ingests (
                ingest_id INTEGER PRIMARY KEY,
                started_at TIMESTAMP NOT NULL,
                finished_at TIMESTAMP,
                inputs VARCHAR NOT NULL,
                added INTEGER,
                already_present INTEGER,
                rejected INTEGER,
                aborted BOOLEAN
            )""",
            "CREATE SEQUENCE ingest_ids START 1",
        ),
    ),
)
_MIGRATIONS += (
    _Migration(
        2,
        "analysis results: runs, models, events, stories, links, outlet similarity",
        (
            """CREATE TABLE runs (
                run_id INTEGER PRIMARY KEY,
                started_at TIMESTAMP NOT NULL,
                finished_at TIMESTAMP,
                mode VARCHAR NOT NULL,
                settings VARCHAR NOT NULL,
                model_id INTEGER,
                articles INTEGER,
                new_articles INTEGER,
                events INTEGER,
                stories INTEGER
            )""",
            "CREATE SEQUENCE run_ids START 1",
            # The fitted TF-IDF model as zlib-compressed JSON (vocabularies and IDF weights):
            # plain data, never a pickle, so opening a shared store cannot run code.
            """CREATE TABLE models (
                model_id INTEGER PRIMARY KEY,
                fitted_at TIMESTAMP NOT NULL,
                articles INTEGER NOT NULL,
                state BLOB NOT NULL
            )""",
            """CREATE TABLE events (
                event_id VARCHAR PRIMARY KEY,
                story_id VARCHAR NOT NULL,
                label VARCHAR,
                articles INTEGER NOT NULL,
                outlets INTEGER NOT NULL,
                first_published TIMESTAMP,
                last_published TIMESTAMP,
                run_id INTEGER NOT NULL
            )""",
            """CREATE TABLE article_events (
                article_id VARCHAR PRIMARY KEY,
                event_id VARCHAR NOT NULL,
                best_neighbor_id VARCHAR,
                best_score DOUBLE NOT NULL
            )""",
            """CREATE TABLE event_links (
                left_id VARCHAR NOT NULL,
                right_id VARCHAR NOT NULL,
                score DOUBLE NOT NULL
            )""",
            """CREATE TABLE event_profiles (
                event_id VARCHAR NOT NULL,
                term VARCHAR NOT NULL,
                weight DOUBLE NOT NULL
            )""",
            """CREATE TABLE stories (
                story_id VARCHAR PRIMARY KEY,
                events INTEGER NOT NULL,
                articles INTEGER NOT NULL,
                first_published TIMESTAMP,
                last_published TIMESTAMP
            )""",
            """CREATE TABLE outlet_similarity (
                event_id VARCHAR NOT NULL,
                outlet_a VARCHAR NOT NULL,
                outlet_b VARCHAR NOT NULL,
                similarity DOUBLE NOT NULL,
                articles_a INTEGER NOT NULL,
                articles_b INTEGER NOT NULL
            )""",
        ),
    ),
)
_MIGRATIONS += (
    _Migration(
        3,
        "claims of multi-outlet events and their verified links",
        (
            # Claims are per event (matching happens inside an event), so they are
            # replaced with the event's other rows when it is regrouped.
            """CREATE TABLE claims (
                claim_id VARCHAR NOT NULL,
                event_id VARCHAR NOT NULL,
                article_id VARCHAR NOT NULL,
                outlet VARCHAR NOT NULL,
                sentence_no INTEGER NOT NULL,
                start INTEGER NOT NULL,
                "end" INTEGER NOT NULL,
                text VARCHAR NOT NULL,
                kind VARCHAR NOT NULL,
                speaker VARCHAR,
                quantities VARCHAR NOT NULL,
                entities VARCHAR NOT NULL,
                claim_group VARCHAR NOT NULL
            )""",
            """CREATE TABLE claim_links (
                event_id VARCHAR NOT NULL,
                claim_a VARCHAR NOT NULL,
                claim_b VARCHAR NOT NULL,
                cosine DOUBLE NOT NULL,
                score DOUBLE NOT NULL,
                decision VARCHAR NOT NULL
            )""",
        ),
    ),
)
# The columns of analysis.words.distinctive_terms, per event and corpus-wide alike.
_TERM_COLUMNS_SQL = (
    "term VARCHAR NOT NULL, count INTEGER NOT NULL, count_others INTEGER NOT NULL, rate DOUBLE NOT NULL, "
    "rate_others DOUBLE NOT NULL, log_odds DOUBLE NOT NULL, z DOUBLE NOT NULL, direction VARCHAR NOT NULL, "
    "supported BOOLEAN NOT NULL, note VARCHAR"
)
_MIGRATIONS += (
    _Migration(
        4,
        "framing: distinctive words, actor labels, voices and tone per event and outlet",
        (
            # Per event (replaced with the event's other rows when it is regrouped) ...
            f"""CREATE TABLE framing_terms (
                event_id VARCHAR NOT NULL,
                outlet VARCHAR NOT NULL,
                {_TERM_COLUMNS_SQL}
            )""",
            """CREATE TABLE actor_labels (
                event_id VARCHAR NOT NULL,
                actor VARCHAR NOT NULL,
                outlet VARCHAR NOT NULL,
                article_id VARCHAR NOT NULL,
                label VARCHAR NOT NULL,
                label_kind VARCHAR NOT NULL,
                start INTEGER NOT NULL,
                "end" INTEGER NOT NULL,
                in_title BOOLEAN NOT NULL,
                sentence VARCHAR
            )""",
            """CREATE TABLE voices (
                event_id VARCHAR NOT NULL,
                outlet VARCHAR NOT NULL,
                speaker VARCHAR,
                speaker_type VARCHAR NOT NULL,
                role VARCHAR,
                quotes INTEGER NOT NULL,
                quoted_words INTEGER NOT NULL,
                share DOUBLE
            )""",
            """CREATE TABLE tone (
                event_id VARCHAR NOT NULL,
                outlet VARCHAR NOT NULL,
                part VARCHAR NOT NULL,
                voice VARCHAR NOT NULL,
                articles INTEGER NOT NULL,
                sentences INTEGER NOT NULL,
                words INTEGER NOT NULL,
                mean_compound DOUBLE NOT NULL,
                negative_share DOUBLE NOT NULL,
                positive_share DOUBLE NOT NULL,
                note VARCHAR
            )""",
            # ... and corpus-wide, rewritten whole by every analysis run.
            f"""CREATE TABLE outlet_terms (
                outlet VARCHAR NOT NULL,
                {_TERM_COLUMNS_SQL}
            )""",
        ),
    ),
)
_MIGRATIONS += (
    _Migration(
        5,
        "wire copies: articles that copy an earlier article of another outlet",
        (
            # Corpus-wide (a copy and its original may fall in different events), rewritten whole
            # by every analysis run; the columns of analysis.wire.wire_copies.
            """CREATE TABLE wire_copies (
                article_id VARCHAR PRIMARY KEY,
                outlet VARCHAR NOT NULL,
                wire_copy_of VARCHAR NOT NULL,
                copied_outlet VARCHAR NOT NULL,
                similarity DOUBLE NOT NULL
            )""",
        ),
    ),
)
SCHEMA_VERSION = _MIGRATIONS[-1].version

# Result tables whose rows belong to one event: replaced when the event is regrouped.
_EVENT_TABLES = ("events", "article_events", "event_profiles", "outlet_similarity", "claims", "claim_links",
                 "framing_terms", "actor_labels", "voices", "tone")
# Result tables computed over the whole corpus: rewritten whole by every run that supplies them.
_CORPUS_TABLES = ("outlet_terms", "wire_copies")

ARTICLE_COLUMNS = (
    "article_id", "outlet", "outlet_basis", "title", "published", "url", "author", "text",
    "raw_text", "source", "language", "meta", "ingested_at", "ingest_id",
)
SENTENCE_COLUMNS = ("article_id", "sentence_no", "start", "end", "text", "is_headline")
_LISTING_COLUMNS = ("article_id", "outlet", "title", "published", "url", "author", "language", "source")


def default_store_path() -> Path:
    """The store used when none is named: ``COVERAGE_LENS_DB``, else ``data/coverage.duckdb``."""
    return Path(os.environ.get("COVERAGE_LENS_DB") or DEFAULT_STORE_PATH)


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _as_utc(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    for column in columns:
        if column in frame:
            frame[column] = pd.to_datetime(frame[column]).dt.tz_localize("UTC")
    return frame


class Store:
    """A connection to one corpus store. Use :meth:`open`; close it (or use ``with``)."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: str, *, read_only: bool):
        self.connection = connection
        self.path = path
        self.read_only = read_only
        # The copy of the file as it was, when opening it migrated an older schema.
        self.backup_path: Path | None = None

    # --- opening and schema ---------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike | None = None, *, read_only: bool = False) -> Store:
        """Open (and, read-write, create or migrate) the store at ``path``.

        Raises:
            StoreError: the file is missing (read-only), locked by another process, or
                not a DuckDB database.
            StoreVersionError: the file was written by newer code, or (read-only) needs
                a migration first.
        """
        location = os.fspath(path) if path is not None else os.fspath(default_store_path())
        in_memory = location == ":memory:"
        if not in_memory:
            if read_only and not Path(location).is_file():
                raise StoreError(
                    f"no store at {location}: build one with `coverage-lens ingest data/sample --db {location}`"
                )
            if not read_only:
                Path(location).parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = duckdb.connect(location, read_only=read_only and not in_memory)
        except duckdb.IOException as error:
            message = str(error)
            if "lock" in message.lower():
                raise StoreError(
                    f"the store {location} is in use by another process (an ingest or analysis "
                    "still running?); try again when it has finished"
                ) from error
            raise StoreError(f"{location} is not a readable Coverage Lens store ({message})") from error
        except duckdb.Error as error:
            if "different configuration" in str(error):
                # DuckDB allows one configuration per file per process: a writer (an ingest or
                # analysis started from the dashboard) and readers in the same server exclude
                # each other until it finishes.
                raise StoreError(
                    f"the store {location} is in use by an ingest or analysis in this process; "
                    "try again when it has finished"
                ) from error
            raise StoreError(f"{location} is not a readable Coverage Lens store ({error})") from error
        connection.execute(f"SET memory_limit = '{int(setting('store_memory_mb'))}MB'")
        if not read_only:
            # Batches of a large ingest are tens of MB each; checkpointing after every one
            # (the 16 MB default) rewrites the file again and again.
            connection.execute("SET checkpoint_threshold = '1GB'")
        store = cls(connection, location, read_only=read_only and not in_memory)
        try:
            store._prepare_schema()
        except Exception:
            connection.close()
            raise
        return store

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self.connection.close()

    def schema_version(self) -> int:
        """The highest migration applied to this store (0 for an empty file)."""
        exists = self.connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
        ).fetchone()[0]
        if not exists:
            return 0
        return self.connection.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]

    def _prepare_schema(self) -> None:
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise StoreVersionError(
                f"the store {self.path} has schema version {version}, newer than this version of "
                f"Coverage Lens understands ({SCHEMA_VERSION}); upgrade coverage-lens to open it"
            )
        if version == SCHEMA_VERSION:
            return
        if self.read_only:
            if version == 0:
                raise StoreError(f"{self.path} is not a Coverage Lens store (it has no schema_migrations table)")
            raise StoreVersionError(
                f"the store {self.path} has schema version {version} and needs migrating to "
                f"{SCHEMA_VERSION}: run `coverage-lens migrate --db {self.path}`"
            )
        self.migrate()

    def migrate(self) -> list[int]:
        """Apply every migration the store lacks, each in its own transaction; return their versions.

        A store file that holds any table is first copied to ``<name>.v<version>.bak.duckdb``
        beside it (:attr:`backup_path`), so a migration can never cost the data it had.

        Raises:
            StoreError: the backup cannot be written (nothing is migrated then).
        """
        current = self.schema_version()
        if current < SCHEMA_VERSION and self.path != ":memory:" and self._has_tables():
            self.backup_path = self._write_backup(current)
        self.connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
        )
        applied = []
        for migration in _MIGRATIONS:
            if migration.version <= current:
                continue
            self.connection.begin()
            try:
                for statement in migration.statements:
                    self.connection.execute(statement)
                self.connection.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                    [migration.version, migration.description, _utc_now()],
                )
                self.connection.commit()
            except Exception:
                self.connection.rollback()
                raise
            applied.append(migration.version)
        return applied

    def _has_tables(self) -> bool:
        return self.connection.execute("SELECT count(*) FROM information_schema.tables").fetchone()[0] > 0

    def _write_backup(self, version: int) -> Path:
        """Copy the store file aside, whole and checkpointed; return the copy's path."""
        path = Path(self.path)
        backup = path.with_name(f"{path.stem}.v{version}.bak{path.suffix or '.duckdb'}")
        partial = backup.with_name(backup.name + ".partial")
        try:
            # Committed rows still in the write-ahead log go into the file, which this
            # connection's lock keeps unchanged while it is copied.
            self.connection.execute("CHECKPOINT")
            shutil.copyfile(path, partial)
            os.replace(partial, backup)  # a backup is complete or absent, never half written
        except (OSError, duckdb.Error) as error:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            raise StoreError(
                f"the store {path} needs migrating from schema version {version} to {SCHEMA_VERSION}, "
                f"but its backup {backup} could not be written ({error}); nothing was changed"
            ) from error
        return backup

    # --- writing ------------------------------------------------------------------

    def start_ingest(self, inputs: list[str]) -> int:
        """Log the start of an ingest; return its id."""
        ingest_id = self.connection.execute("SELECT nextval('ingest_ids')").fetchone()[0]
        self.connection.execute(
            "INSERT INTO ingests (ingest_id, started_at, inputs) VALUES (?, ?, ?)",
            [ingest_id, _utc_now(), "\n".join(inputs)],
        )
        return ingest_id

    def finish_ingest(self, ingest_id: int, *, added: int, already_present: int, rejected: int, aborted: bool) -> None:
        self.connection.execute(
            "UPDATE ingests SET finished_at = ?, added = ?, already_present = ?, rejected = ?, aborted = ? "
            "WHERE ingest_id = ?",
            [_utc_now(), added, already_present, rejected, aborted, ingest_id],
        )

    def add_articles(self, articles: pa.Table, sentences: pa.Table) -> tuple[int, int]:
        """Add articles and their sentences in one transaction.

        Articles whose ``article_id`` is already stored, or that repeat an earlier row of
        ``articles``, are skipped with their sentences and counted as already present, so
        adding the same batch twice changes nothing.

        Args:
            articles: columns as :data:`ARTICLE_COLUMNS` (``ingested_at`` may be null: now is used).
            sentences: columns as :data:`SENTENCE_COLUMNS`.

        Returns:
            ``(added, already_present)``.
        """
        connection = self.connection
        connection.begin()
        try:
            connection.register("incoming_articles", articles)
            connection.register("incoming_sentences", sentences)
            connection.execute(
                """CREATE TEMP TABLE new_ids AS
                   SELECT DISTINCT article_id FROM incoming_articles
                   WHERE article_id NOT IN (SELECT article_id FROM articles)"""
            )
            columns = ", ".join(f'"{c}"' for c in ARTICLE_COLUMNS)
            connection.execute(
                f"""INSERT INTO articles ({columns})
                    SELECT {columns.replace('"ingested_at"', 'coalesce(ingested_at, ?::TIMESTAMP)')}
                    FROM incoming_articles
                    WHERE article_id IN (SELECT article_id FROM new_ids)
                    QUALIFY row_number() OVER (PARTITION BY article_id) = 1""",
                [_utc_now()],
            )
            added = connection.execute("SELECT count(*) FROM new_ids").fetchone()[0]
            sentence_columns = ", ".join(f'"{c}"' for c in SENTENCE_COLUMNS)
            connection.execute(
                f"""INSERT INTO sentences ({sentence_columns})
                    SELECT DISTINCT ON (article_id, sentence_no) {sentence_columns} FROM incoming_sentences
                    WHERE article_id IN (SELECT article_id FROM new_ids)"""
            )
            connection.execute("DROP TABLE new_ids")
            connection.commit()
        except Exception:
            connection.rollback()
            raise
        finally:
            connection.unregister("incoming_articles")
            connection.unregister("incoming_sentences")
        return added, articles.num_rows - added

    # --- reading ------------------------------------------------------------------

    def summary(self) -> dict:
        """Corpus at a glance: ``articles``, ``outlets``, ``sentences``, ``first_published``,
        ``last_published`` (ISO dates or None), ``undated`` (articles without a date),
        ``schema_version`` and ``path``."""
        articles, outlets, first, last, undated = self.connection.execute(
            "SELECT count(*), count(DISTINCT outlet), min(published), max(published), "
            "count(*) FILTER (WHERE published IS NULL) FROM articles"
        ).fetchone()
        sentences = self.connection.execute("SELECT count(*) FROM sentences").fetchone()[0]
        return {
            "path": self.path,
            "schema_version": self.schema_version(),
            "articles": articles,
            "outlets": outlets,
            "sentences": sentences,
            "first_published": first.date().isoformat() if first else None,
            "last_published": last.date().isoformat() if last else None,
            "undated": undated,
        }

    def outlet_counts(self) -> pd.DataFrame:
        """Columns: outlet, articles, first_published, last_published (UTC); most articles first."""
        frame = self.connection.execute(
            "SELECT outlet, count(*) AS articles, min(published) AS first_published, "
            "max(published) AS last_published FROM articles GROUP BY outlet ORDER BY articles DESC, outlet"
        ).df()
        return _as_utc(frame, ("first_published", "last_published"))

    def articles(self, *, outlets: list[str] | None = None, with_text: bool = False) -> pd.DataFrame:
        """Stored articles, newest first.

        Columns: article_id, outlet, title, published (UTC), url, author, language, source;
        plus text and raw_text when ``with_text``.
        """
        columns = list(_LISTING_COLUMNS) + (["text", "raw_text"] if with_text else [])
        query = f"SELECT {', '.join(columns)} FROM articles"
        parameters: list = []
        if outlets:
            query += " WHERE outlet IN (SELECT unnest(?))"
            parameters.append(list(outlets))
        query += " ORDER BY published DESC NULLS LAST, outlet, article_id"
        return _as_utc(self.connection.execute(query, parameters).df(), ("published",))

    def article(self, article_id: str) -> dict | None:
        """One article with every stored column, or None when the id is unknown."""
        cursor = self.connection.execute(
            f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles WHERE article_id = ?", [article_id]
        )
        row = cursor.fetchone()
        return dict(zip(ARTICLE_COLUMNS, row)) if row else None

    def sentences(self, article_ids: list[str] | None = None) -> pd.DataFrame:
        """Columns as :data:`SENTENCE_COLUMNS`, ordered by article and sentence number."""
        columns = ", ".join(f'"{c}"' for c in SENTENCE_COLUMNS)
        query = f"SELECT {columns} FROM sentences"
        parameters: list = []
        if article_ids is not None:
            query += " WHERE article_id IN (SELECT unnest(?))"
            parameters.append(list(article_ids))
        return self.connection.execute(query + " ORDER BY article_id, sentence_no", parameters).df()

    # --- analysis results -----------------------------------------------------------

    def analysis_articles(self, article_ids: list[str] | None = None) -> pd.DataFrame:
        """Articles as analysis reads them: article_id, outlet, title, text, published (UTC);
        all of them, or those named, ordered by article_id."""
        query = "SELECT article_id, outlet, title, text, published FROM articles"
        parameters: list = []
        if article_ids is not None:
            query += " WHERE article_id IN (SELECT unnest(?))"
            parameters.append(list(article_ids))
        return _as_utc(self.connection.execute(query + " ORDER BY article_id", parameters).df(), ("published",))

    def article_dates(self) -> pd.DataFrame:
        """article_id and published (UTC) of every article, and whether it has been analysed."""
        frame = self.connection.execute(
            "SELECT a.article_id, a.published, e.article_id IS NOT NULL AS analysed "
            "FROM articles a LEFT JOIN article_events e USING (article_id) ORDER BY a.article_id"
        ).df()
        return _as_utc(frame, ("published",))

    def last_run(self) -> dict | None:
        """The newest finished analysis run as a dict: ``run_id``, ``mode``, ``settings`` (parsed),
        ``model_id``, ``finished_at`` (UTC, naive); or None."""
        row = self.connection.execute(
            "SELECT run_id, mode, settings, model_id, finished_at FROM runs WHERE finished_at IS NOT NULL "
            "ORDER BY run_id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        return {"run_id": row[0], "mode": row[1], "settings": json.loads(row[2]), "model_id": row[3],
                "finished_at": row[4]}

    def save_model(self, state: dict, *, articles: int) -> int:
        """Store a fitted model's state; return its id."""
        model_id = self.connection.execute("SELECT coalesce(max(model_id), 0) + 1 FROM models").fetchone()[0]
        blob = zlib.compress(json.dumps(state).encode("utf-8"), 6)
        self.connection.execute(
            "INSERT INTO models VALUES (?, ?, ?, ?)", [model_id, _utc_now(), articles, blob]
        )
        return model_id

    def model(self, model_id: int) -> dict:
        """A stored model's state (decompressing it costs seconds on a large corpus)."""
        state = self.connection.execute("SELECT state FROM models WHERE model_id = ?", [model_id]).fetchone()[0]
        return json.loads(zlib.decompress(state).decode("utf-8"))

    def model_articles(self, model_id: int) -> int:
        """How many articles a stored model was fitted on, without loading the model."""
        return self.connection.execute("SELECT articles FROM models WHERE model_id = ?", [model_id]).fetchone()[0]

    def start_run(self, mode: str, settings: dict, model_id: int) -> int:
        run_id = self.connection.execute("SELECT nextval('run_ids')").fetchone()[0]
        self.connection.execute(
            "INSERT INTO runs (run_id, started_at, mode, settings, model_id) VALUES (?, ?, ?, ?, ?)",
            [run_id, _utc_now(), mode, json.dumps(settings, sort_keys=True), model_id],
        )
        return run_id

    def event_links(self) -> pd.DataFrame:
        """The stored link graph: left_id, right_id, score."""
        return self.connection.execute("SELECT left_id, right_id, score FROM event_links").df()

    def event_profiles(self) -> pd.DataFrame:
        """Every event's name-and-number profile: event_id, term, weight."""
        return self.connection.execute("SELECT event_id, term, weight FROM event_profiles ORDER BY event_id, term").df()

    def events_of(self, article_ids: list[str]) -> list[str]:
        """The events the named articles are in now."""
        rows = self.connection.execute(
            "SELECT DISTINCT event_id FROM article_events WHERE article_id IN (SELECT unnest(?))", [list(article_ids)]
        ).fetchall()
        return sorted(row[0] for row in rows)

    def write_analysis(
        self,
        run_id: int,
        *,
        replace_all: bool,
        removed_event_ids: list[str],
        articles_regrouped: list[str],
        tables: dict[str, pd.DataFrame],
        stories: pd.DataFrame,
        event_stories: pd.DataFrame,
        counts: dict[str, int],
    ) -> None:
        """Write one analysis run's results in one transaction.

        ``replace_all`` clears every result table first; otherwise the rows of
        ``removed_event_ids`` and of the links touching ``articles_regrouped`` are
        replaced. ``tables`` holds new rows for ``events``, ``article_events``,
        ``event_links``, ``event_profiles`` and ``outlet_similarity`` and optionally ``claims``,
        ``claim_links``, ``framing_terms``, ``actor_labels``, ``voices`` and ``tone`` (columns as
        the tables); a corpus-wide table given (``outlet_terms``, ``wire_copies``) replaces its old
        rows whole. Stories are always rewritten whole from ``stories`` and
        ``event_stories`` (event_id, story_id), since any event can change them.
        """
        connection = self.connection
        connection.begin()
        try:
            for table in _CORPUS_TABLES:
                if table in tables:
                    connection.execute(f"DELETE FROM {table}")
            if replace_all:
                for table in _EVENT_TABLES + ("event_links",):
                    connection.execute(f"DELETE FROM {table}")
            else:
                removed, regrouped = list(removed_event_ids), list(articles_regrouped)
                for table in _EVENT_TABLES:
                    connection.execute(f"DELETE FROM {table} WHERE event_id IN (SELECT unnest(?))", [removed])
                connection.execute(
                    "DELETE FROM event_links WHERE left_id IN (SELECT unnest(?)) OR right_id IN (SELECT unnest(?))",
                    [regrouped, regrouped],
                )
            for table, frame in tables.items():
                self._insert_rows(table, frame)
            self._finish_run(run_id, stories, event_stories, counts)
            connection.commit()
        except Exception:
            connection.rollback()
            raise

    def _insert_rows(self, table: str, frame: pd.DataFrame, *, by_name: bool = False) -> None:
        """Append ``frame``'s rows to result table ``table`` (a constant name; callers check it), by
        column position or, with ``by_name``, by column name."""
        if not len(frame):
            return
        self.connection.register("incoming_rows", frame)
        self.connection.execute(f"INSERT INTO {table} {'BY NAME ' if by_name else ''}SELECT * FROM incoming_rows")
        self.connection.unregister("incoming_rows")

    def _finish_run(self, run_id: int, stories: pd.DataFrame, event_stories: pd.DataFrame, counts: dict) -> None:
        """The end of a result write, inside its transaction: the stories replaced, each event's
        story set, and the run marked finished with its counts."""
        connection = self.connection
        connection.execute("DELETE FROM stories")
        self._insert_rows("stories", stories)
        connection.register("incoming_rows", event_stories)
        connection.execute(
            "UPDATE events SET story_id = incoming_rows.story_id FROM incoming_rows "
            "WHERE events.event_id = incoming_rows.event_id"
        )
        connection.unregister("incoming_rows")
        connection.execute(
            "UPDATE runs SET finished_at = ?, articles = ?, new_articles = ?, events = ?, stories = ? "
            "WHERE run_id = ?",
            [_utc_now(), counts["articles"], counts["new_articles"], counts["events"], counts["stories"], run_id],
        )

    # --- Parquet exchange of the partitioned engines (analysis/scale) -----------------------

    def export_for_analysis(self, folder: str | os.PathLike, assignment: pa.Table) -> None:
        """Write the articles and their sentences as Parquet datasets partitioned as ``assignment`` says.

        Args:
            folder: receives ``articles/part=<name>/`` (columns ``row``, ``pos``, ``article_id``,
                ``outlet``, ``title``, ``text``, ``published``) and ``sentences/part=<name>/``
                (``row`` and :data:`SENTENCE_COLUMNS`).
            assignment: one row per article: ``article_id``, ``row``, ``pos`` and ``part`` (the
                name of its partition).
        """
        root = Path(folder)
        self.connection.register("partition_assignment", assignment)
        try:
            self.connection.execute(
                f"""COPY (SELECT p.part, p.row, p.pos, a.article_id, a.outlet, a.title, a.text, a.published
                          FROM articles a JOIN partition_assignment p USING (article_id) ORDER BY p.part, p.pos)
                    TO {self._sql_path(root / 'articles')} (FORMAT PARQUET, PARTITION_BY (part), OVERWRITE_OR_IGNORE)"""
            )
            self.connection.execute(
                f"""COPY (SELECT p.part, p.row, s.article_id, s.sentence_no, s.start, s."end", s.text, s.is_headline
                          FROM sentences s JOIN partition_assignment p USING (article_id)
                          ORDER BY p.part, p.row, s.sentence_no)
                    TO {self._sql_path(root / 'sentences')} (FORMAT PARQUET, PARTITION_BY (part), OVERWRITE_OR_IGNORE)"""
            )
        finally:
            self.connection.unregister("partition_assignment")

    @staticmethod
    def _sql_path(path: Path) -> str:
        """A file path as an SQL string literal (COPY and read_parquet take no parameters for it)."""
        return "'" + str(path).replace("'", "''") + "'"

    def write_analysis_parquet(
        self, run_id: int, *, tables: dict[str, list[str]], stories: pd.DataFrame, event_stories: pd.DataFrame,
        counts: dict[str, int], frames: dict[str, pd.DataFrame] | None = None,
    ) -> None:
        """:meth:`write_analysis` of a full run (``replace_all``) whose result rows are in Parquet files.

        ``tables`` names, per result table, the files holding its rows (columns by name as the
        table's); every result table is cleared first, all in one transaction, and DuckDB reads
        the files itself, so the rows never pass through Python. A corpus-wide table small enough
        to hold in memory may come in ``frames`` instead (``wire_copies``: the rows
        :func:`analysis.wire.wire_copies` returns), written in the same transaction.
        """
        frames = frames or {}
        unknown = (set(tables) | set(frames)) - set(_EVENT_TABLES + ("event_links",) + _CORPUS_TABLES)
        if unknown:
            raise ValueError(f"not result tables: {', '.join(sorted(unknown))}")
        connection = self.connection
        connection.begin()
        try:
            for table in _EVENT_TABLES + ("event_links",) + _CORPUS_TABLES:
                connection.execute(f"DELETE FROM {table}")
            for table, files in tables.items():
                if files:
                    listed = ", ".join(self._sql_path(Path(name)) for name in files)
                    connection.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet([{listed}], hive_partitioning = false)")
            for table, frame in frames.items():
                self._insert_rows(table, frame, by_name=True)
            self._finish_run(run_id, stories, event_stories, counts)
            connection.commit()
        except Exception:
            connection.rollback()
            raise

    def framing_table(self, table: str, event_id: str | None = None) -> pd.DataFrame:
        """Rows of one framing table (of one event, or all): ``framing_terms``, ``actor_labels``,
        ``voices`` and ``tone`` (columns as :mod:`analysis.words`, :mod:`analysis.actors`,
        :mod:`analysis.voices` and :mod:`analysis.tone` return them, with ``event_id``), or the
        corpus-wide ``outlet_terms`` (no ``event_id``)."""
        order = {"framing_terms": "event_id, outlet, direction, z DESC, term",
                 "actor_labels": "event_id, actor, outlet, article_id, start",
                 "voices": "event_id, outlet, quoted_words DESC, speaker",
                 "tone": "event_id, outlet, part, voice",
                 "outlet_terms": "outlet, direction, z DESC, term"}
        if table not in order:
            raise ValueError(f"no framing table {table!r}: choose one of {', '.join(order)}")
        where, parameters = ("", [])
        if event_id is not None and table != "outlet_terms":
            where, parameters = "WHERE event_id = ?", [event_id]
        return self.connection.execute(f"SELECT * FROM {table} {where} ORDER BY {order[table]}", parameters).df()

    def claims(self, event_id: str | None = None) -> pd.DataFrame:
        """Claims (of one event, or all), in article, sentence and clause order: the columns of
        :func:`analysis.claims.extract_claims` plus ``event_id`` and ``claim_group``;
        ``quantities`` and ``entities`` as lists."""
        where, parameters = ("WHERE event_id = ?", [event_id]) if event_id is not None else ("", [])
        frame = self.connection.execute(
            f"SELECT * FROM claims {where} ORDER BY event_id, article_id, sentence_no, start", parameters
        ).df()
        for column in ("quantities", "entities"):
            frame[column] = frame[column].map(json.loads)
        return frame

    def wire_copies(self, event_id: str | None = None) -> pd.DataFrame:
        """Wire copies found by the last analysis: articles that copy an earlier article of another
        outlet (see :mod:`analysis.wire`); all of them, or those in one event.

        Columns: ``article_id``, ``outlet``, ``title``, ``published`` (UTC), ``wire_copy_of`` (the
        article copied), ``copied_outlet``, ``copied_title``, ``copied_published`` (UTC),
        ``similarity`` (Jaccard similarity of the two bodies' word shingles); ordered by outlet,
        then article id.
        """
        where, parameters = ("", [])
        if event_id is not None:
            where = "WHERE w.article_id IN (SELECT article_id FROM article_events WHERE event_id = ?)"
            parameters = [event_id]
        frame = self.connection.execute(
            f"""SELECT w.article_id, w.outlet, a.title, a.published, w.wire_copy_of, w.copied_outlet,
                       c.title AS copied_title, c.published AS copied_published, w.similarity
                FROM wire_copies w LEFT JOIN articles a ON a.article_id = w.article_id
                LEFT JOIN articles c ON c.article_id = w.wire_copy_of
                {where} ORDER BY w.outlet, w.article_id""",
            parameters,
        ).df()
        return _as_utc(frame, ("published", "copied_published"))

    def claim_links(self, event_id: str | None = None) -> pd.DataFrame:
        """Verified claim pairs (of one event, or all): event_id, claim_a, claim_b, cosine, score, decision."""
        where, parameters = ("WHERE event_id = ?", [event_id]) if event_id is not None else ("", [])
        return self.connection.execute(
            f"SELECT * FROM claim_links {where} ORDER BY event_id, claim_a, claim_b", parameters
        ).df()

    def events(self) -> pd.DataFrame:
        """Events, most articles first: event_id, story_id, label, articles, outlets,
        first_published, last_published (UTC), run_id."""
        frame = self.connection.execute(
            "SELECT * FROM events ORDER BY articles DESC, outlets DESC, event_id"
        ).df()
        return _as_utc(frame, ("first_published", "last_published"))

    def article_events(self) -> pd.DataFrame:
        """Which event each article is in: article_id, event_id, best_neighbor_id, best_score."""
        return self.connection.execute("SELECT * FROM article_events ORDER BY article_id").df()

    def stories(self) -> pd.DataFrame:
        """Stories, most events first: story_id, events, articles, first_published, last_published."""
        frame = self.connection.execute("SELECT * FROM stories ORDER BY events DESC, articles DESC, story_id").df()
        return _as_utc(frame, ("first_published", "last_published"))

    def outlet_similarity(self, event_id: str | None = None) -> pd.DataFrame:
        """Outlet × outlet cosine per event (long format): event_id, outlet_a, outlet_b,
        similarity, articles_a, articles_b."""
        query = "SELECT * FROM outlet_similarity"
        parameters: list = []
        if event_id is not None:
            query += " WHERE event_id = ?"
            parameters.append(event_id)
        return self.connection.execute(query + " ORDER BY event_id, outlet_a, outlet_b", parameters).df()

    def article_events_with_outlets(self) -> pd.DataFrame:
        """Every analysed article with its outlet and event: article_id, outlet, event_id,
        title, published (UTC) — the input of the corpus-wide views in ``analysis.similarity``."""
        frame = self.connection.execute(
            "SELECT a.article_id, a.outlet, e.event_id, a.title, a.published "
            "FROM articles a JOIN article_events e USING (article_id) ORDER BY a.article_id"
        ).df()
        return _as_utc(frame, ("published",))

    def outlet_similarity_overall(self) -> pd.DataFrame:
        """Per pair of outlets, the mean of their per-event coverage cosine over the events
        both covered: outlet_a, outlet_b, similarity, shared_events (both orders)."""
        return self.connection.execute(
            "SELECT outlet_a, outlet_b, avg(similarity) AS similarity, count(*) AS shared_events "
            "FROM outlet_similarity GROUP BY outlet_a, outlet_b ORDER BY outlet_a, outlet_b"
        ).df()

    def latest_model_id(self) -> int | None:
        """The model the newest finished run used, or None before the first analysis."""
        run = self.last_run()
        return run["model_id"] if run else None

    def ingests(self) -> pd.DataFrame:
        """The ingest log, newest first; columns as the ``ingests`` table."""
        frame = self.connection.execute("SELECT * FROM ingests ORDER BY ingest_id DESC").df()
        return _as_utc(frame, ("started_at", "finished_at"))

    # --- reads for one outlet's profile and for claim search -----------------------------

    def outlet_framing(self, table: str, outlet: str) -> pd.DataFrame:
        """One outlet's rows of a framing table, read without loading the others' rows.

        ``outlet_terms``, ``framing_terms``, ``voices`` and ``tone``: the outlet's rows, columns
        as :meth:`framing_table`. ``actor_labels``: every outlet's rows for the actors this outlet
        labels, so how many outlets use a label stays countable; all columns but ``sentence``
        (a profile counts labels, and the sentences would triple the read).
        """
        queries = {
            "outlet_terms": "SELECT * FROM outlet_terms WHERE outlet = ? ORDER BY direction, z DESC, term",
            "framing_terms": "SELECT * FROM framing_terms WHERE outlet = ? ORDER BY event_id, direction, z DESC, term",
            "voices": "SELECT * FROM voices WHERE outlet = ? ORDER BY event_id, quoted_words DESC, speaker",
            "tone": "SELECT * FROM tone WHERE outlet = ? ORDER BY event_id, part, voice",
            "actor_labels": 'SELECT event_id, actor, outlet, article_id, label, label_kind, start, "end", in_title '
                            "FROM actor_labels WHERE actor IN (SELECT actor FROM actor_labels WHERE outlet = ?) "
                            "ORDER BY event_id, actor, outlet, article_id, start",
        }
        if table not in queries:
            raise ValueError(f"no per-outlet read of {table!r}: choose one of {', '.join(queries)}")
        return self.connection.execute(queries[table], [outlet]).df()

    def search_claims(
        self, terms: list[str], *, outlets: list[str] | None = None, kinds: list[str] | None = None, groups: int = 100
    ) -> pd.DataFrame:
        """Claims whose text or speaker holds every one of ``terms`` (case-insensitive, literal:
        ``%`` and ``_`` match themselves), each with its claim group's other outlets.

        Args:
            terms: words or phrases, all required; none: every claim.
            outlets, kinds: keep matching claims of these outlets / kinds only (None: all).
            groups: at most this many claim groups: those with the most outlets whose claims
                match first, then those carried by the most outlets.

        Returns:
            One row per claim group and outlet carrying it: the outlet's first matching claim in
            the group, else the claim the claim matcher found the same as a matching claim (best
            score first), else its first claim there (a claim group is a chain of such links, so
            its far ends may have drifted from the search). Columns: ``claim_group``, ``claim_id``,
            ``event_id``, ``event_label``, ``article_id``, ``outlet``, ``published`` (UTC),
            ``title``, ``kind``, ``speaker``, ``text``, ``matched`` (this claim holds the terms
            and passes the filters; its group mates need not), ``outlet_claims`` (the outlet's
            claims in the group), ``outlet_first_published`` (its first of them),
            ``matched_outlets`` (outlets with a matching claim in the group), ``group_outlets``
            (outlets carrying the group), ``group_first_published``. Ordered by group (as
            chosen, then earliest first), then by the outlets' first reports.
        """
        conditions, parameters = ["TRUE"], []
        for term in terms:
            pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            conditions.append("(text ILIKE ? ESCAPE '\\' OR coalesce(speaker, '') ILIKE ? ESCAPE '\\')")
            parameters += [pattern, pattern]
        if outlets is not None:
            conditions.append("outlet IN (SELECT unnest(?))")
            parameters.append(list(outlets))
        if kinds is not None:
            conditions.append("kind IN (SELECT unnest(?))")
            parameters.append(list(kinds))
        frame = self.connection.execute(
            f"""WITH matched AS (
                    SELECT claim_id, claim_group, outlet FROM claims WHERE {' AND '.join(conditions)}
                ), near AS (
                    SELECT claim_id, max(score) AS near_score FROM (
                        SELECT claim_b AS claim_id, score FROM claim_links
                        WHERE decision = 'same' AND claim_a IN (SELECT claim_id FROM matched)
                        UNION ALL
                        SELECT claim_a, score FROM claim_links
                        WHERE decision = 'same' AND claim_b IN (SELECT claim_id FROM matched)
                    ) GROUP BY claim_id
                ), members AS (
                    SELECT c.*, a.published, a.title, m.claim_id IS NOT NULL AS matched, near.near_score
                    FROM claims c JOIN articles a USING (article_id) LEFT JOIN matched m USING (claim_id)
                    LEFT JOIN near USING (claim_id)
                    WHERE c.claim_group IN (SELECT claim_group FROM matched)
                ), chosen AS (
                    SELECT claim_group, count(DISTINCT outlet) FILTER (WHERE matched) AS matched_outlets,
                           count(DISTINCT outlet) AS group_outlets, min(published) AS group_first_published
                    FROM members GROUP BY claim_group
                    ORDER BY matched_outlets DESC, group_outlets DESC, group_first_published NULLS LAST, claim_group
                    LIMIT ?
                ), ranked AS (
                    SELECT members.*, count(*) OVER (PARTITION BY claim_group, outlet) AS outlet_claims,
                           min(published) OVER (PARTITION BY claim_group, outlet) AS outlet_first_published,
                           row_number() OVER (PARTITION BY claim_group, outlet
                                              ORDER BY matched DESC, near_score DESC NULLS LAST, published NULLS LAST,
                                                       article_id, sentence_no, start) AS place
                    FROM members WHERE claim_group IN (SELECT claim_group FROM chosen)
                )
                SELECT r.claim_group, r.claim_id, r.event_id, e.label AS event_label, r.article_id, r.outlet,
                       r.published, r.title, r.kind, r.speaker, r.text, r.matched, r.outlet_claims,
                       r.outlet_first_published, chosen.matched_outlets, chosen.group_outlets,
                       chosen.group_first_published
                FROM ranked r JOIN chosen USING (claim_group) LEFT JOIN events e USING (event_id)
                WHERE r.place = 1
                ORDER BY chosen.matched_outlets DESC, chosen.group_outlets DESC,
                         chosen.group_first_published NULLS LAST, r.claim_group, r.outlet_first_published NULLS LAST,
                         r.outlet""",
            [*parameters, int(groups)],
        ).df()
        return _as_utc(frame, ("published", "outlet_first_published", "group_first_published"))

    def claim_group_claims(self, claim: str) -> pd.DataFrame:
        """Every claim of the claim group ``claim`` names (a claim group id, or a claim id: its
        group), with where and when it was published; empty when the id is unknown.

        Columns: ``claim_group``, ``claim_id``, ``event_id``, ``event_label``, ``article_id``,
        ``outlet``, ``published`` (UTC), ``title``, ``url``, ``kind``, ``speaker``, ``text``,
        ``near`` (the named claim itself, or one the claim matcher found the same as it: a
        claim group chains such links, so its far ends may say something else); ordered by
        published, outlet, position.
        """
        frame = self.connection.execute(
            """WITH near AS (
                   SELECT claim_b AS claim_id FROM claim_links WHERE claim_a = ? AND decision = 'same'
                   UNION SELECT claim_a FROM claim_links WHERE claim_b = ? AND decision = 'same'
                   UNION SELECT ?
               )
               SELECT c.claim_group, c.claim_id, c.event_id, e.label AS event_label, c.article_id, c.outlet,
                      a.published, a.title, a.url, c.kind, c.speaker, c.text,
                      c.claim_id IN (SELECT claim_id FROM near) AS near
               FROM claims c JOIN articles a USING (article_id) LEFT JOIN events e USING (event_id)
               WHERE c.claim_group = (SELECT claim_group FROM claims WHERE claim_id = ? OR claim_group = ? LIMIT 1)
               ORDER BY a.published NULLS LAST, c.outlet, c.article_id, c.sentence_no, c.start""",
            [claim, claim, claim, claim, claim],
        ).df()
        return _as_utc(frame, ("published",))

    def linked_claims(self, claim_ids: list[str], decisions: tuple[str, ...] = ("related", "conflicting")) -> pd.DataFrame:
        """Claims the verifier linked to ``claim_ids`` with one of ``decisions``, outside them.

        Columns: ``claim_id`` (of ``claim_ids``), ``linked_claim_id``, ``decision``, ``score``,
        ``outlet``, ``published`` (UTC), ``kind``, ``speaker``, ``text`` (of the linked claim),
        ``claim_group`` (the linked claim's); highest score first.
        """
        frame = self.connection.execute(
            """WITH pairs AS (
                   SELECT claim_a AS claim_id, claim_b AS linked_claim_id, decision, score FROM claim_links
                   WHERE claim_a IN (SELECT unnest(?)) AND decision IN (SELECT unnest(?))
                   UNION ALL
                   SELECT claim_b, claim_a, decision, score FROM claim_links
                   WHERE claim_b IN (SELECT unnest(?)) AND decision IN (SELECT unnest(?))
               )
               SELECT p.claim_id, p.linked_claim_id, p.decision, p.score, c.outlet, a.published, c.kind, c.speaker,
                      c.text, c.claim_group
               FROM pairs p JOIN claims c ON c.claim_id = p.linked_claim_id JOIN articles a USING (article_id)
               WHERE p.linked_claim_id NOT IN (SELECT unnest(?))
               ORDER BY p.score DESC, p.linked_claim_id, p.claim_id""",
            [list(claim_ids), list(decisions), list(claim_ids), list(decisions), list(claim_ids)],
        ).df()
        return _as_utc(frame, ("published",))

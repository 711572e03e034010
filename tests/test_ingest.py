"""Ingest: readers → cleaning → segmentation → a real DuckDB store file, with an honest report."""

from __future__ import annotations

import csv
import gzip
import itertools
import json
import multiprocessing
import re
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.ingest import ingest
from analysis.store import Store
from tests.conftest import SAMPLE
from tests.invented import BRIDGE_HTML, FERRY, LIBRARY, MARKET, write_jsonl


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "s.duckdb") as opened:
        yield opened


def article_ids(store: Store) -> set[str]:
    return {row[0] for row in store.connection.execute("SELECT article_id FROM articles").fetchall()}


def counts(store: Store) -> tuple[int, int]:
    summary = store.summary()
    return summary["articles"], summary["sentences"]


def stored(store: Store, **where) -> dict:
    """The one stored article matching ``where`` (column = value)."""
    clause = " AND ".join(f"{column} = ?" for column in where)
    rows = store.connection.execute(f"SELECT article_id FROM articles WHERE {clause}", list(where.values())).fetchall()
    assert len(rows) == 1, (where, rows)
    return store.article(rows[0][0])


# --- sample corpus and idempotence ---------------------------------------------------------------


def test_sample_corpus_gives_three_articles_from_three_outlets(store):
    manifest = list(csv.DictReader((SAMPLE / "manifest.csv").open(encoding="utf-8")))
    report = ingest([str(SAMPLE)], store=store)
    assert (report.added, report.already_present, report.rejected) == (3, 0, [])
    assert report.ok and not report.aborted
    summary = store.summary()
    assert summary["articles"] == 3
    assert summary["outlets"] == 3
    assert set(store.outlet_counts()["outlet"]) == {row["outlet"] for row in manifest}
    for row in manifest:
        article = stored(store, outlet=row["outlet"])
        assert article["outlet_basis"] == "given"
        assert article["title"] == row["title"]
        assert article["published"] == datetime.fromisoformat(row["published"])
        assert article["raw_text"] == (SAMPLE / row["file"]).read_text(encoding="utf-8")
        assert article["ingest_id"] == report.ingest_id


def test_reingest_is_idempotent(store):
    first = ingest([str(SAMPLE)], store=store)
    before_ids, before_counts = article_ids(store), counts(store)
    second = ingest([str(SAMPLE)], store=store)
    assert (first.added, first.already_present) == (3, 0)
    assert (second.added, second.already_present, len(second.rejected)) == (0, 3, 0)
    assert article_ids(store) == before_ids
    assert counts(store) == before_counts
    log = store.ingests()
    assert len(log) == 2
    assert list(log["added"]) == [0, 3]  # newest first


def test_same_article_in_three_formats_is_stored_once(store, tmp_path):
    row = dict(FERRY)
    write_jsonl(tmp_path / "a.jsonl", [row])
    with (tmp_path / "b.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    pq.write_table(pa.table({key: [value] for key, value in row.items()}), tmp_path / "c.parquet")
    report = ingest([str(tmp_path / "a.jsonl"), str(tmp_path / "b.csv"), str(tmp_path / "c.parquet")], store=store)
    assert report.rejected == []
    assert store.summary()["articles"] == 1
    assert report.added == 1


def test_every_record_read_is_accounted_for_in_the_report(store, tmp_path):
    """added + already_present + rejected covers every record, whatever the batch boundaries.

    Two copies of one article in one batch: the second copy is neither added nor
    reported as already present, so the report loses a record.
    """
    write_jsonl(tmp_path / "a.jsonl", [FERRY, LIBRARY])
    write_jsonl(tmp_path / "b.jsonl", [FERRY])  # the same article again, from another file
    report = ingest([str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")], store=store)
    assert store.summary()["articles"] == 2
    assert report.added == 2
    assert report.added + report.already_present + len(report.rejected) == 3, report.summary()
    assert report.already_present == 1


def test_report_does_not_depend_on_batch_size(tmp_path, monkeypatch):
    write_jsonl(tmp_path / "a.jsonl", [FERRY, LIBRARY, FERRY])
    reports = {}
    for batch_size in ("1", "2000"):
        monkeypatch.setenv("COVERAGE_LENS_INGEST_BATCH_SIZE", batch_size)
        with Store.open(tmp_path / f"b{batch_size}.duckdb") as store:
            report = ingest([str(tmp_path / "a.jsonl")], store=store)
            reports[batch_size] = (report.added, report.already_present, len(report.rejected))
            assert store.summary()["articles"] == 2
    assert reports["1"] == (2, 1, 0)
    assert reports["2000"] == reports["1"]


# --- errors: skip and abort --------------------------------------------------------------------


def mixed_jsonl(tmp_path: Path) -> Path:
    """good, malformed JSON (line 2), good, empty text and no title (line 4), good."""
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        json.dumps(FERRY) + "\n"
        + '{"title": "Broken", "text": "never closed\n'
        + json.dumps(LIBRARY) + "\n"
        + json.dumps({"outlet": "Valley Post", "text": "   "}) + "\n"
        + json.dumps(MARKET) + "\n",
        encoding="utf-8",
    )
    return path


def test_on_error_skip_stores_good_rows_and_reports_bad_ones(store, tmp_path):
    path = mixed_jsonl(tmp_path)
    report = ingest([str(path)], store=store, on_error="skip")
    assert report.added == 3
    assert not report.aborted
    assert [problem.source for problem in report.rejected] == [f"{path}:2", f"{path}:4"]
    assert "not valid JSON" in report.rejected[0].message
    assert report.rejected[1].message == "empty text"
    assert report.ok  # bad records are not lost inputs
    assert {row[0] for row in store.connection.execute("SELECT title FROM articles").fetchall()} == {
        FERRY["title"], LIBRARY["title"], MARKET["title"]
    }


def test_store_after_failing_ingest_is_before_plus_accepted_rows(tmp_path):
    good_only = write_jsonl(tmp_path / "good.jsonl", [FERRY, LIBRARY, MARKET])
    with Store.open(tmp_path / "reference.duckdb") as reference:
        ingest([str(good_only)], store=reference)
        accepted = article_ids(reference)
    assert len(accepted) == 3

    with Store.open(tmp_path / "s.duckdb") as store:
        ingest([str(SAMPLE)], store=store)
        before = article_ids(store)
        report = ingest([str(mixed_jsonl(tmp_path))], store=store, on_error="skip")
        assert len(report.rejected) == 2
        assert article_ids(store) == before | accepted
        assert not before & accepted


def test_on_error_abort_writes_nothing_of_the_batch(store, tmp_path):
    ingest([str(SAMPLE)], store=store)
    before_ids, before_counts = article_ids(store), counts(store)
    path = mixed_jsonl(tmp_path)
    report = ingest([str(path)], store=store, on_error="abort")
    assert report.aborted is True
    assert not report.ok
    assert report.added == 0
    assert [problem.source for problem in report.rejected] == [f"{path}:2"]  # stopped at the first problem
    assert article_ids(store) == before_ids
    assert counts(store) == before_counts
    assert bool(store.ingests().iloc[0]["aborted"]) is True
    # fixing nothing and re-running with skip stores the good rows
    again = ingest([str(path)], store=store, on_error="skip")
    assert again.added == 3


def test_on_error_abort_keeps_earlier_batches(tmp_path, monkeypatch):
    monkeypatch.setenv("COVERAGE_LENS_INGEST_BATCH_SIZE", "2")
    rows = [{"title": f"Road Works Update {n}", "text": f"Road works on route {n} finished on time, the council said."} for n in range(5)]
    path = tmp_path / "batches.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows) + "{broken\n", encoding="utf-8")
    with Store.open(tmp_path / "s.duckdb") as store:
        report = ingest([str(path)], store=store, on_error="abort", outlet="Town Crier")
        assert report.aborted
        # two full batches of two were committed; the fifth article's batch was not
        assert report.added == 4
        assert store.summary()["articles"] == 4
        rerun = ingest([str(path)], store=store, on_error="skip", outlet="Town Crier")
        assert (rerun.added, rerun.already_present, len(rerun.rejected)) == (1, 4, 1)


def test_on_error_must_be_skip_or_abort(store):
    with pytest.raises(ValueError, match="on_error"):
        ingest([str(SAMPLE)], store=store, on_error="ignore")


def test_missing_input_is_a_failed_input(store, tmp_path):
    report = ingest([str(tmp_path / "missing.jsonl"), str(SAMPLE)], store=store)
    assert report.added == 3
    assert [problem.source for problem in report.failed_inputs] == [str(tmp_path / "missing.jsonl")]
    assert not report.ok


# --- outlet inference ---------------------------------------------------------------------------


def test_outlet_from_url_domain(store, tmp_path):
    row = {"title": "Ferry Service Resumes", "url": "https://www.example-news.co.uk/x",
           "text": "The island ferry resumed service on Monday after the storms. Operators said sailings would run on time."}
    report = ingest([str(write_jsonl(tmp_path / "a.jsonl", [row]))], store=store)
    assert report.added == 1 and report.warnings == []
    article = stored(store, title=row["title"])
    assert (article["outlet"], article["outlet_basis"]) == ("example-news.co.uk", "url")
    assert article["url"] == row["url"]


def test_outlet_from_signoff_at_end_of_text(store, tmp_path):
    row = {"title": "Library Extends Hours",
           "text": "The central library will stay open until nine on weekdays. The council said demand had grown.\n\n"
                   'Staff welcomed the change, which starts next month and was "long overdue." The Daily Example'}
    report = ingest([str(write_jsonl(tmp_path / "a.jsonl", [row]))], store=store)
    assert report.added == 1 and report.warnings == []
    article = stored(store, title=row["title"])
    assert (article["outlet"], article["outlet_basis"]) == ("The Daily Example", "signoff")
    assert not article["text"].endswith("The Daily Example")  # the sign-off is not body text
    assert article["text"].endswith('"long overdue."')


def test_outlet_from_html_site_name(store, tmp_path):
    (tmp_path / "page.html").write_text(BRIDGE_HTML, encoding="utf-8")
    report = ingest([str(tmp_path / "page.html")], store=store)
    assert report.added == 1
    article = stored(store, outlet="The Coastal Herald")
    assert article["outlet_basis"] == "site_name"
    assert article["title"] == "Harbour Bridge Reopens After Two-Year Repair"
    assert not article["text"].startswith("Harbour Bridge Reopens")  # the repeated headline is not body text
    assert article["published"] == datetime(2021, 5, 14)


def test_unknown_outlet_gives_a_warning(store, tmp_path):
    row = {"title": "Market Moves Indoors", "text": "The weekly market moved indoors for the winter. Stallholders were pleased."}
    path = write_jsonl(tmp_path / "a.jsonl", [row])
    report = ingest([str(path)], store=store)
    assert report.added == 1
    article = stored(store, title=row["title"])
    assert (article["outlet"], article["outlet_basis"]) == ("unknown", "unknown")
    assert len(report.warnings) == 1
    assert report.warnings[0].startswith(f"{path}:1: outlet unknown")
    assert "--outlet" in report.warnings[0]


def test_outlet_override_wins_over_everything(store, tmp_path):
    rows = [
        dict(FERRY),  # has an outlet field
        {"title": "Ferry Service Resumes", "url": "https://www.example-news.co.uk/x",
         "text": "The ferry resumed service on Monday. Operators said sailings would run on time."},
    ]
    report = ingest([str(write_jsonl(tmp_path / "a.jsonl", rows)), str(SAMPLE)], store=store, outlet="Override Times")
    assert report.added == 5
    assert store.connection.execute("SELECT DISTINCT outlet, outlet_basis FROM articles").fetchall() == [
        ("Override Times", "given")
    ]


# --- identity, dates, sentences ----------------------------------------------------------------------


def test_article_id_is_stable_and_16_hex(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [FERRY, LIBRARY, MARKET])
    ids = []
    for name in ("one.duckdb", "two.duckdb"):
        with Store.open(tmp_path / name) as store:
            ingest([str(path)], store=store)
            ids.append(sorted(store.connection.execute("SELECT title, article_id FROM articles").fetchall()))
    assert ids[0] == ids[1]
    assert len(ids[0]) == 3
    for _, article_id in ids[0]:
        assert re.fullmatch(r"[0-9a-f]{16}", article_id)


def test_article_id_ignores_whitespace_and_quote_variants(store, tmp_path):
    original = dict(FERRY, text=FERRY["text"] + ' The harbour master called it "a relief."')
    variant = dict(original, text=original["text"].replace(" ", "  ").replace("ferry", "ferry\u00a0")
                   .replace("Operators said", "Operators said\n").replace('"a relief."', "\u201ca relief.\u201d") + "\n")
    assert variant["text"] != original["text"]
    write_jsonl(tmp_path / "a.jsonl", [original])
    write_jsonl(tmp_path / "b.jsonl", [variant])
    first = ingest([str(tmp_path / "a.jsonl")], store=store)
    second = ingest([str(tmp_path / "b.jsonl")], store=store)
    assert (first.added, second.added, second.already_present) == (1, 0, 1)


def test_different_outlets_give_different_ids(store, tmp_path):
    write_jsonl(tmp_path / "a.jsonl", [FERRY, dict(FERRY, outlet="Another Paper")])
    report = ingest([str(tmp_path / "a.jsonl")], store=store)
    assert report.added == 2


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("2020-03-01T12:00:00+02:00", datetime(2020, 3, 1, 10, 0)),
        ("2020-03-01T12:00:00Z", datetime(2020, 3, 1, 12, 0)),
        ("2020-02-29T23:30:00-05:00", datetime(2020, 3, 1, 4, 30)),
        ("2020-03-01", datetime(2020, 3, 1)),
        ("Sun, 01 Mar 2020 12:00:00 +0100", datetime(2020, 3, 1, 11, 0)),
    ],
)
def test_published_is_stored_as_utc(store, tmp_path, published, expected):
    write_jsonl(tmp_path / "a.jsonl", [dict(MARKET, published=published)])
    report = ingest([str(tmp_path / "a.jsonl")], store=store)
    assert report.warnings == []
    assert stored(store, title=MARKET["title"])["published"] == expected


def test_unparsed_date_is_stored_without_date_and_warned(store, tmp_path):
    write_jsonl(tmp_path / "a.jsonl", [dict(MARKET, published="sometime last spring")])
    report = ingest([str(tmp_path / "a.jsonl")], store=store)
    assert report.added == 1
    assert stored(store, title=MARKET["title"])["published"] is None
    assert any("'sometime last spring' not understood" in warning for warning in report.warnings)


def sentence_offsets_problems(store: Store) -> list:
    """Sentence rows that do not equal their article's text (or title) at [start:end]."""
    bad = []
    articles = {row[0]: (row[1], row[2]) for row in store.connection.execute("SELECT article_id, title, text FROM articles").fetchall()}
    sentences = store.sentences()
    for row in sentences.itertuples(index=False):
        title, text = articles[row.article_id]
        source = title if row.is_headline else text
        if source is None or source[row.start:row.end] != row.text:
            bad.append(row)
    return bad


def test_sentence_rows_match_article_offsets(store, tmp_path):
    write_jsonl(tmp_path / "a.jsonl", [FERRY, LIBRARY, MARKET])
    ingest([str(SAMPLE), str(tmp_path / "a.jsonl")], store=store)
    sentences = store.sentences()
    assert len(sentences) > 3 * 6
    assert sentence_offsets_problems(store) == []
    for _article_id, group in sentences.groupby("article_id"):
        numbers = list(group["sentence_no"])
        assert numbers == list(range(len(numbers)))
        headline = list(group["is_headline"])
        assert bool(headline[0]) is True
        assert not any(headline[1:])
        assert all(text.strip() == text and text for text in group["text"])


def test_ferry_sentences_are_the_article_sentences(store, tmp_path):
    write_jsonl(tmp_path / "a.jsonl", [FERRY])
    ingest([str(tmp_path / "a.jsonl")], store=store)
    texts = list(store.sentences()["text"])
    assert texts == [
        FERRY["title"],
        "The island ferry returned to service on Monday after storm damage kept it in port for a week.",
        "Operators said every sailing would run to the normal timetable.",
        "Shopkeepers on the island said deliveries of fresh food had run low.",
    ]


# --- parallel path and limits -------------------------------------------------------------------------

_PLACES = ["Ashford", "Bexley", "Corby", "Dunmore", "Elmwood", "Fairport", "Glenrock", "Hartley", "Ivybridge", "Juniper"]
_EVENTS = ["a new bridge", "the flood defences", "a school extension", "the bus depot", "a cycle lane",
           "the harbour wall", "a health centre", "the old mill", "a solar farm", "the market hall"]


def generated_articles(count: int) -> list[dict]:
    rows = []
    for n, (place, event) in zip(range(count), itertools.cycle(itertools.product(_PLACES, _EVENTS))):
        rows.append({
            "id": f"gen-{n}",
            "outlet": ["Valley Post", "Hill Times", "Coast Herald"][n % 3],
            "title": f"{place} Council Backs Plan For {event.title()} ({n})",
            "published": f"2021-{n % 12 + 1:02d}-{n % 28 + 1:02d}T09:00:00Z",
            "text": (
                f"Councillors in {place} voted on Tuesday to back plans for {event}, report number {n}. "
                f"The scheme will cost about {n + 3} million pounds, officials said. "
                f"Mr. Hale, who chairs the committee, said work would start in {2022 + n % 4}.\n\n"
                f"Residents asked whether {event} would be finished on time. "
                f"Some of them said {event} was {n % 7 + 2} years overdue."
            ),
        })
    return rows


def stored_snapshot(store: Store):
    articles = set(store.connection.execute(
        "SELECT article_id, outlet, outlet_basis, title, published, text, raw_text, language FROM articles"
    ).fetchall())
    sentences = set(store.connection.execute(
        'SELECT article_id, sentence_no, start, "end", text, is_headline FROM sentences'
    ).fetchall())
    return articles, sentences


def test_parallel_ingest_matches_in_process_ingest(tmp_path):
    path = write_jsonl(tmp_path / "many.jsonl", generated_articles(300))
    snapshots, reports = {}, {}
    for workers in (1, 2):
        children_seen = []
        with Store.open(tmp_path / f"w{workers}.duckdb") as store:
            report = ingest(
                [str(path)], store=store, workers=workers,
                progress=lambda _count, seen=children_seen: seen.append(len(multiprocessing.active_children())),
            )
            snapshots[workers] = stored_snapshot(store)
            reports[workers] = (report.added, report.already_present, len(report.rejected))
        # the parallel path really ran with worker processes, the in-process one did not
        assert (max(children_seen) >= 2) if workers == 2 else (max(children_seen) == 0)
        assert len(children_seen) == 300
    assert reports[1] == reports[2] == (300, 0, 0)
    assert snapshots[1][0] == snapshots[2][0]
    assert snapshots[1][1] == snapshots[2][1]
    assert len(snapshots[2][1]) >= 300 * 5


def test_parallel_ingest_with_bad_lines_and_abort(tmp_path):
    rows = generated_articles(250)
    path = tmp_path / "many.jsonl"
    lines = [json.dumps(row) for row in rows]
    lines.insert(220, "{not json")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Store.open(tmp_path / "skip.duckdb") as store:
        report = ingest([str(path)], store=store, workers=2)
        assert (report.added, [p.source for p in report.rejected]) == (250, [f"{path}:221"])
    with Store.open(tmp_path / "abort.duckdb") as store:
        report = ingest([str(path)], store=store, workers=2, on_error="abort")
        assert report.aborted and report.added == 0
        assert store.summary()["articles"] == 0


def test_max_article_chars_rejects_long_article(store, tmp_path, monkeypatch):
    monkeypatch.setenv("COVERAGE_LENS_MAX_ARTICLE_CHARS", "200")
    long_row = {"title": "A Very Long Report", "outlet": "Valley Post",
                "text": "The committee met again on Thursday to discuss the budget. " * 10}
    assert len(long_row["text"]) > 200
    path = write_jsonl(tmp_path / "a.jsonl", [MARKET, long_row])
    report = ingest([str(path)], store=store)
    assert report.added == 1
    [problem] = report.rejected
    assert problem.source == f"{path}:2"
    assert f"{len(long_row['text']):,} characters" in problem.message
    assert "over the 200 limit" in problem.message
    assert "COVERAGE_LENS_MAX_ARTICLE_CHARS" in problem.message
    assert stored(store, title=MARKET["title"])


def test_text_that_is_only_page_chrome_and_no_title_is_rejected(store, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"outlet": "Valley Post", "text": "Watch CBSN Live\n\nAdvertisement"}])
    report = ingest([str(path)], store=store)
    assert report.added == 0
    assert [problem.message for problem in report.rejected] == ["no article text left after removing page chrome"]


@pytest.mark.parametrize("body", ["", "   \n ", "Watch CBSN Live\n\nAdvertisement"])
def test_headline_without_body_is_kept_as_headline_only(store, tmp_path, body):
    row = {"title": "Storm Warning Issued For Coast", "outlet": "Coast Herald", "text": body}
    path = write_jsonl(tmp_path / "a.jsonl", [row])
    report = ingest([str(path)], store=store)
    assert (report.added, report.rejected) == (1, [])
    assert f"{path}:1: no body text; stored with its headline only" in report.warnings
    article = stored(store, title=row["title"])
    assert article["text"] == ""
    assert article["raw_text"] == body
    sentences = store.sentences([article["article_id"]])
    assert list(sentences["text"]) == [row["title"]]
    assert list(sentences["is_headline"]) == [True]


def test_no_title_and_no_text_is_rejected_as_empty(store, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"outlet": "Coast Herald", "title": "  ", "text": ""}, MARKET])
    report = ingest([str(path)], store=store)
    assert report.added == 1
    assert [(p.source, p.message) for p in report.rejected] == [(f"{path}:1", "empty text")]


def test_warning_count_covers_warnings_beyond_the_kept_ones(store, tmp_path):
    rows = [{"title": f"Unsigned Brief Number {n}", "text": f"A brief item, number {n}, about the weather."} for n in range(60)]
    report = ingest([str(write_jsonl(tmp_path / "a.jsonl", rows))], store=store)
    assert report.added == 60
    assert report.warning_count == 60  # every article's outlet is unknown
    assert len(report.warnings) == 50


# --- real corpora ---------------------------------------------------------------------------------------


def corpus_expectations(lines: list[bytes]) -> dict:
    """What the raw JSON says ingest should do, computed without the code under test.

    Keys: records; empty (line numbers with empty text) split into headline_only (they
    have a title) and untitled; distinct (articles left when exact copies, the same
    outlet, title and text under different ids, count once).
    """
    records = 0
    headline_only, untitled = set(), set()
    distinct = set()
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        records += 1
        text = row.get("text") or ""
        title = " ".join((row.get("title") or "").split())
        if not text.strip():
            (headline_only if title else untitled).add(line_no)
            if not title:
                continue
        distinct.add((row.get("outlet"), title, " ".join(text.split())))
    return {"records": records, "headline_only": headline_only, "untitled": untitled, "distinct": len(distinct)}


def line_of(source: str) -> int:
    return int(source.rsplit(":", 1)[1])


def check_corpus_ingest(path: Path, store: Store, lines: list[bytes]) -> dict:
    expected = corpus_expectations(lines)
    report = ingest([str(path)], store=store)
    assert not report.aborted and report.failed_inputs == []
    # nothing is rejected but records with neither text nor title
    assert [problem for problem in report.rejected if problem.message != "empty text"] == []
    assert {line_of(problem.source) for problem in report.rejected} == expected["untitled"]
    # every record is accounted for
    assert report.added + report.already_present + len(report.rejected) == expected["records"]
    assert store.summary()["articles"] == report.added == expected["distinct"]
    # records with a title but no text are stored as headline-only articles
    headline_only = store.connection.execute("SELECT source FROM articles WHERE text = ''").fetchall()
    assert {line_of(source) for (source,) in headline_only} == expected["headline_only"]
    assert sentence_offsets_problems(store) == []
    return expected


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("relative", "empty_expected"),
    [("ecbplus/ecbplus.jsonl", 61), ("newswcl50/newswcl50.jsonl", 0), ("polnear_train/polnear_train.jsonl", 0)],
)
def test_corpus_ingest(corpora, tmp_path, relative, empty_expected):
    path = corpora / relative
    if not path.is_file():
        pytest.skip(f"corpus file {path} is absent")
    lines = path.read_bytes().splitlines()
    with Store.open(tmp_path / "corpus.duckdb") as store:
        expected = check_corpus_ingest(path, store, lines)
    # the corpus READMEs: ECB+ has 61 first-sentence-only documents (a title, empty text)
    assert len(expected["headline_only"]) == empty_expected


@pytest.mark.corpus
def test_corpus_article_bias_prediction_first_2000(corpora, tmp_path):
    source = corpora / "article_bias_prediction" / "articles.jsonl.gz"
    if not source.is_file():
        pytest.skip(f"corpus file {source} is absent")
    with gzip.open(source, "rb") as handle:
        lines = [line for _, line in zip(range(2000), handle)]
    assert len(lines) == 2000
    path = tmp_path / "abp_2000.jsonl.gz"
    with gzip.open(path, "wb") as handle:
        handle.writelines(lines)
    with Store.open(tmp_path / "corpus.duckdb") as store:
        check_corpus_ingest(path, store, [line.rstrip(b"\n") for line in lines])
        assert store.summary()["outlets"] > 10

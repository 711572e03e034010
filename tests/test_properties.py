"""Property tests: readers, ingest and the analysis entry points on any input.

Inputs are random, empty, huge, binary, mis-encoded and malformed files of every
supported format (and gzip): reading never raises, every problem is a
:class:`~analysis.readers.ReadProblem` naming the file (and the line or row when
one record is bad), and ingest writes whole batches or nothing. Analysis
functions take any text (empty, whitespace, control characters, right-to-left
scripts, emoji, very long) and return their documented shape.

Each ``check_*`` function states one property for one generated input; the tests
run them on a modest number of examples, and ``bench/fuzz.py`` runs the same
checks for minutes.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.claims import CLAIM_COLUMNS, clause_spans, extract_claims
from analysis.cleaning import CleanedText, clean_article
from analysis.events import group_articles, read_corpus_for_grouping
from analysis.ingest import ingest
from analysis.matching import DECISIONS, classify_pairs, read_claim_pairs
from analysis.numbers import COLUMNS as QUANTITY_COLUMNS
from analysis.numbers import KINDS, find_quantities
from analysis.quotes import QUOTE_COLUMNS, find_quotes
from analysis.readers import ArticleRecord, ReadProblem, read_inputs
from analysis.segment import sentence_spans
from analysis.store import Store
from analysis.words import TERM_COLUMNS, distinctive_terms

PROPERTY = settings(
    max_examples=60,
    deadline=None,
    database=None,  # a failure prints its input; nothing is written into the checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# --- text -------------------------------------------------------------------------------------

# Pieces of news text that make the rules fire (figures, quotes, cues, chrome), and the
# characters that break naive code: controls, bidi marks, combining marks, emoji, wide digits.
NEWS_PIECES = (
    "The", "council", "said", "told", "reporters", "according to", "Mr.", "Dr.", "Smith", "Julian Assange, 39,",
    "police", "killed", "people", "more than", "between", "and", "but", "although", "he", "she", "they",
    "$2.5 billion", "£3m", "37%", "4.4 percent", "250,000", "dozens", "hundreds of", "1990s", "in 2010",
    "June 3rd", "3 p.m.", "9/11", "Boeing 747", "5-10", "aged 39", "39-year-old", "third", "½", "٣", "１２",
    '"', "“", "”", "'", "‘", "’", "«", "»", "—", "(", ")", ",", ".", ";", ":", "?", "!", "...",
    "Advertisement", "Subscribe now", "Copyright 2020 Reuters", "Read more:", "Watch Live", "[Read: more]",
    "\n", "\n\n", "\r\n", " ", "\t", "\x00", "\x1b", "\x7f", "\x85", "\u00a0", "\u200b", "\u2028", "\ufeff",
    "\u202e", "\u200f", "\u0301", "مرحبا بالعالم", "שלום", "日本語の記事", "🙂", "👩‍👩‍👧", "🇬🇧", "\ufffd",
)
news_text = st.lists(st.sampled_from(NEWS_PIECES), max_size=60).flatmap(
    lambda pieces: st.sampled_from([" ", "", "\n"]).map(lambda separator: separator.join(pieces))
)
any_text = st.one_of(
    st.text(max_size=300),
    news_text,
    st.sampled_from(["", " ", "\n\n\n", "\x00" * 10, ".", '"', "“”", "\u202e" * 5]),
    # Very long: one repeated piece, or long runs without a space or a full stop.
    st.tuples(news_text, st.integers(50, 400)).map(lambda pair: (pair[0] + " ") * pair[1]),
    st.sampled_from(["a" * 20000, "1" * 5000, "“" * 3000, "(" * 3000, "Mr. " * 3000]),
)


# --- files of every format --------------------------------------------------------------------

ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1", "shift_jis", "koi8-r")
FIELD_NAMES = ("text", "content", "body", "title", "headline", "outlet", "source", "published", "date", "url",
               "link", "author", "authors", "language", "id", "extra", "")
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), any_text),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(FIELD_NAMES), children, max_size=3),
    max_leaves=8,
)


def encoded(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


text_bytes = st.one_of(
    st.tuples(any_text, st.sampled_from(ENCODINGS)).map(lambda pair: encoded(*pair)),
    st.binary(max_size=400),
    st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff\x00", b"\xff\xfe\x00\xd8", b"\x1f\x8b\x08"]),
)

json_line = st.one_of(
    st.dictionaries(st.sampled_from(FIELD_NAMES), JSON_VALUES, max_size=6).map(json.dumps),
    st.fixed_dictionaries({"text": any_text}, optional={"title": any_text, "outlet": any_text, "published": any_text,
                                                       "url": any_text}).map(json.dumps),
    JSON_VALUES.map(json.dumps),
    st.sampled_from([
        '{"text": "half an emoji \\ud83d here"}', '{"text": "\\udc00", "\\ud800": 1}', '{"text": "nul \\u0000"}',
        '{"text": 1' + "1" * 5000 + "}", "[" * 5000, '{"text": "unterminated', "{'text': 'single quotes'}",
        "NaN", '{"text": NaN}', '{"text": "x", "text": ""}', "\x00\x00", '{"text": "' + "long " * 20000 + '"}',
    ]),
    any_text,
)
jsonl_bytes = st.lists(
    st.one_of(st.tuples(json_line, st.sampled_from(ENCODINGS)).map(lambda pair: encoded(*pair)), st.binary(max_size=60)),
    max_size=8,
).map(lambda lines: b"\n".join(lines))

csv_cell = st.one_of(any_text, st.sampled_from(['"', '""', '"unterminated', "a,b", "line\nbreak", "\x00"]))
csv_text = st.tuples(
    st.lists(st.sampled_from(FIELD_NAMES), min_size=0, max_size=5),
    st.lists(st.lists(csv_cell, max_size=6), max_size=6),
    st.sampled_from([",", ";", "\t"]),
).map(lambda parts: "\n".join(parts[2].join(row) for row in [parts[0], *parts[1]]))
csv_bytes = st.one_of(st.tuples(csv_text, st.sampled_from(ENCODINGS)).map(lambda pair: encoded(*pair)), text_bytes)

HTML_PIECES = ("<html>", "<head>", "<title>", "</title>", "<meta charset='latin-1'>", "<?xml version='1.0' encoding='utf-8'?>",
               "<body>", "<article>", "<p>", "</p>", "<script>", "</script>", "<!--", "-->", "<![CDATA[", "]]>", "&amp;",
               "&#0;", "&#xD800;", "&nbsp;", "<div", ">", "</", "<br/>", "<meta property='og:site_name' content='X'>")
html_text = st.lists(st.one_of(st.sampled_from(HTML_PIECES), any_text), max_size=30).map("".join)
html_bytes = st.one_of(st.tuples(html_text, st.sampled_from(ENCODINGS)).map(lambda pair: encoded(*pair)), text_bytes)

PARQUET_COLUMN_TYPES = {
    "string": (pa.string(), any_text), "int": (pa.int64(), st.integers(-(2**63), 2**63 - 1)),
    "float": (pa.float64(), st.floats()), "binary": (pa.binary(), st.binary(max_size=40)),
    "bool": (pa.bool_(), st.booleans()), "list": (pa.list_(pa.string()), st.lists(st.text(max_size=10), max_size=3)),
    "timestamp": (pa.timestamp("s"), st.datetimes()),
}


@st.composite
def parquet_bytes(draw) -> bytes:
    """A Parquet file of random columns and rows; sometimes cut short or with invalid UTF-8 strings."""
    rows = draw(st.integers(0, 5))
    columns = {}
    for name in draw(st.lists(st.sampled_from(FIELD_NAMES[:-1]), min_size=1, max_size=4, unique=True)):
        kind, values = PARQUET_COLUMN_TYPES[draw(st.sampled_from(sorted(PARQUET_COLUMN_TYPES)))]
        columns[name] = pa.array(draw(st.lists(st.one_of(st.none(), values), min_size=rows, max_size=rows)), type=kind)
    if draw(st.booleans()) and rows:
        # Parquet readers meet string columns that are not valid UTF-8.
        columns["text"] = pa.array(draw(st.lists(st.binary(max_size=20), min_size=rows, max_size=rows))).cast(
            pa.string(), safe=False
        )
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    data = buffer.getvalue()
    cut = draw(st.sampled_from([None, None, 4, len(data) // 2, len(data) - 8]))
    return data if cut is None else data[:cut]


def gzipped(content: st.SearchStrategy) -> st.SearchStrategy:
    """Gzip of ``content``, sometimes truncated or corrupted."""
    return st.tuples(content, st.sampled_from(["whole", "truncated", "flipped"])).map(
        lambda pair: _damage(gzip.compress(pair[0], mtime=0), pair[1])
    )


def _damage(data: bytes, how: str) -> bytes:
    if how == "truncated":
        return data[: len(data) // 2]
    if how == "flipped":
        return data[:12] + bytes([data[12] ^ 0xFF]) + data[13:] if len(data) > 13 else data
    return data


FILE_FORMATS = {
    ".txt": text_bytes, ".jsonl": jsonl_bytes, ".ndjson": jsonl_bytes, ".csv": csv_bytes, ".html": html_bytes,
    ".parquet": st.one_of(parquet_bytes(), text_bytes), ".jsonl.gz": gzipped(jsonl_bytes),
    ".csv.gz": gzipped(csv_bytes), ".txt.gz": gzipped(text_bytes), ".html.gz": gzipped(html_bytes),
    ".gz": st.binary(max_size=50), ".doc": text_bytes, ".parquet.gz": st.binary(max_size=50),
}
input_files = st.sampled_from(sorted(FILE_FORMATS)).flatmap(
    lambda suffix: FILE_FORMATS[suffix].map(lambda content: (suffix, content))
)


def _written(folder: Path, suffix: str, content: bytes) -> Path:
    path = folder / f"input{suffix}"
    path.write_bytes(content)
    return path


def check_read(folder: Path, suffix: str, content: bytes) -> list:
    """Reading never raises; problems name the file, and the line or row for a bad record."""
    path = _written(folder, suffix, content)
    items = list(read_inputs([str(path)]))
    for item in items:
        assert isinstance(item, ArticleRecord | ReadProblem), item
        assert item.source.startswith(str(path)), item
        if isinstance(item, ReadProblem):
            assert item.message.strip() and "Traceback" not in item.message
            if not item.whole_input and not suffix.startswith((".txt", ".htm")):  # those hold one article
                assert item.source[len(str(path)) :].startswith(":"), item  # file:line or file:row N
        else:
            # What is read can be hashed and stored: no lone surrogates anywhere.
            for value in (item.text, item.title, item.outlet, item.url, item.author, item.published):
                assert value is None or isinstance(value, str)
                (value or "").encode("utf-8")
            json.dumps(item.meta, ensure_ascii=False, default=str).encode("utf-8")
    return items


def check_ingest(folder: Path, store: Store, suffix: str, content: bytes, on_error: str) -> None:
    """Ingest never raises; the store gains exactly the added articles, each with consistent sentences."""
    path = _written(folder, suffix, content)
    items = list(read_inputs([str(path)]))
    before = store.summary()["articles"]
    report = ingest([str(path)], store=store, on_error=on_error, workers=1)
    after = store.summary()["articles"]
    assert after == before + report.added
    if report.aborted:
        assert report.added == 0  # one batch: nothing of it is written
        assert len(report.rejected) == 1
    else:
        assert report.added + report.already_present + len(report.rejected) == len(items)
    for problem in report.rejected:
        assert problem.source.startswith(str(path))
    misplaced = store.connection.execute(
        """SELECT count(*) FROM sentences s JOIN articles a USING (article_id)
           WHERE a.ingest_id = ? AND s.text <> substr(CASE WHEN s.is_headline THEN a.title ELSE a.text END,
                                                       s.start + 1, s."end" - s.start)""",
        [report.ingest_id],
    ).fetchone()[0]
    assert misplaced == 0


def check_group_file(folder: Path, suffix: str, content: bytes) -> None:
    """``coverage-lens group``'s path: any file read for grouping is grouped, one row per article."""
    path = _written(folder, suffix, content)
    articles, problems = read_corpus_for_grouping(path)
    assert all(problem.source.startswith(str(path)) for problem in problems)
    assert group_articles(articles)["id"].tolist() == articles["id"].tolist()


pair_line = st.one_of(
    st.fixed_dictionaries(
        {"id": st.one_of(st.integers(), any_text), "sentence_a": any_text, "sentence_b": any_text},
        optional={"label": JSON_VALUES},
    ).map(json.dumps),
    json_line,
)
pairs_bytes = st.one_of(
    st.lists(st.tuples(pair_line, st.sampled_from(ENCODINGS)).map(lambda pair: encoded(*pair)), max_size=6).map(
        lambda lines: b"\n".join(lines)
    ),
    text_bytes,
)


def check_claim_pairs_file(folder: Path, content: bytes) -> None:
    """``coverage-lens match-pairs``'s path: bad lines are named by number, the rest are scored."""
    pairs, problems = read_claim_pairs(_written(folder, ".jsonl", content))
    assert all(re.match(r"line \d+: \S", problem) for problem in problems), problems
    scored = classify_pairs(pairs["sentence_a"], pairs["sentence_b"])
    assert len(scored) == len(pairs) and scored["score"].between(0, 1).all()


@pytest.fixture(scope="module")
def folder():
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


@pytest.fixture(scope="module")
def memory_store():
    with Store.open(":memory:") as store:
        yield store


@PROPERTY
@given(input_files)
def test_reading_any_file_yields_records_or_problems_naming_it(folder, file):
    check_read(folder, *file)


@settings(PROPERTY, max_examples=40)
@given(input_files, st.sampled_from(["skip", "abort"]))
def test_ingesting_any_file_never_raises_and_writes_whole_batches(folder, memory_store, file, on_error):
    check_ingest(folder, memory_store, *file, on_error)


@settings(PROPERTY, max_examples=30)
@given(input_files)
def test_grouping_any_file_never_raises(folder, file):
    check_group_file(folder, *file)


@PROPERTY
@given(pairs_bytes)
def test_reading_any_claim_pairs_file_names_bad_lines(folder, content):
    check_claim_pairs_file(folder, content)


def test_missing_and_unreadable_inputs_are_whole_input_problems(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "notes.doc").write_text("x")
    for target in (tmp_path / "absent.jsonl", folder, "ftp://example.com/a.txt", "file:///etc/passwd"):
        (problem,) = read_inputs([str(target)])
        assert isinstance(problem, ReadProblem) and problem.whole_input
        assert problem.source == str(target)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("[" * 100000, "nested too deeply"),
        ('{"text": 1' + "1" * 5000 + "}", "a number of more than 4,300 digits"),
        ('{"text": "unterminated', "Unterminated string"),
        ('{"text": "a tab\there"}', "Invalid control character at column 16"),
    ],
)
def test_pathological_json_lines_are_problems_of_their_line(tmp_path, line, reason):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "A good first line."}\n' + line, encoding="utf-8")
    good, bad = read_inputs([str(path)])
    assert isinstance(good, ArticleRecord)
    assert bad.source == f"{path}:2" and reason in bad.message and not bad.whole_input


def test_half_an_emoji_in_json_is_replaced_not_fatal(tmp_path):
    path = tmp_path / "emoji.jsonl"
    path.write_text('{"text": "Fans cheered \\ud83d loudly.", "title": "Goal \\ud83d\\ude00", "\\udc00": 1}\n')
    (record,) = read_inputs([str(path)])
    assert record.text == "Fans cheered \ufffd loudly." and record.title == "Goal 😀"
    assert record.meta == {"\ufffd": 1}
    with Store.open(":memory:") as store:
        assert ingest([str(path)], store=store).added == 1


@pytest.mark.parametrize("content", [b"\xff\xfe\x00\xd8a\x00", b"\xfe\xff\xdc\x00"])
def test_broken_utf16_is_a_problem_of_the_file(tmp_path, content):
    path = tmp_path / "broken.txt"
    path.write_bytes(content)
    (problem,) = read_inputs([str(path)])
    assert isinstance(problem, ReadProblem) and problem.whole_input and "UTF-16" in problem.message


NASTY_FILES = {
    "deep.jsonl": b'{"text": "A good line.", "outlet": "X"}\n' + b"[" * 100000 + b"\n",
    "digits.jsonl": b'{"text": 1' + b"1" * 5000 + b"}\n",
    "half-emoji.jsonl": b'{"text": "Fans cheered \\ud83d loudly.", "outlet": "X", "published": "01"}\n',
    "odd-dates.jsonl": b'{"text": "The vote was close.", "outlet": "Y", "published": "0001-01-01T00:00:00+05:00"}\n',
    "broken-utf16.txt": b"\xff\xfe\x00\xd8a\x00",
    "binary.txt": bytes(range(256)) * 4,
    "corrupt.txt.gz": gzip.compress(b"Some text. " * 100)[:40],
    "empty.csv": b"",
    "no-text-column.csv": b"title,outlet\nA,B\n",
    "not-parquet.parquet": b"PAR1 this is not parquet PAR1",
    "page.html": b"<html><body>\x00\x00</body></html>",
}


@pytest.mark.skipif(not (Path(sys.executable).parent / "coverage-lens").is_file(), reason="console script not installed")
def test_commands_on_nasty_files_report_each_problem_without_a_traceback(tmp_path):
    folder = tmp_path / "nasty"
    folder.mkdir()
    for name, content in NASTY_FILES.items():
        (folder / name).write_bytes(content)
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_bytes(NASTY_FILES["deep.jsonl"] + NASTY_FILES["digits.jsonl"] + b'{"id": 1, "sentence_a": "\\udc00", "sentence_b": "b"}\n')
    script = Path(sys.executable).parent / "coverage-lens"
    environment = {key: value for key, value in os.environ.items() if not key.startswith("COVERAGE_LENS_")}
    environment["COLUMNS"] = "300"

    def run(*args):
        result = subprocess.run([str(script), *map(str, args)], cwd=tmp_path, env=environment, capture_output=True,
                                text=True, timeout=300)
        assert "Traceback" not in result.stdout + result.stderr, result.stderr
        return result

    ingested = run("ingest", folder, "--db", tmp_path / "store.duckdb")
    assert ingested.returncode == 1  # some files could not be read at all
    rejected = [line.strip() for line in ingested.stderr.splitlines() if line.strip().startswith("rejected ")]
    assert len(rejected) == 9
    assert all(line.startswith(f"rejected {folder}/") for line in rejected)
    assert f"rejected {folder}/deep.jsonl:2: line is not valid JSON (arrays or objects nested too deeply)" in rejected
    with Store.open(tmp_path / "store.duckdb", read_only=True) as store:
        assert sorted(store.articles()["source"]) == [f"{folder}/deep.jsonl:1", f"{folder}/half-emoji.jsonl:1",
                                                     f"{folder}/odd-dates.jsonl:1"]
    assert run("group", folder / "half-emoji.jsonl", "--out", tmp_path / "groups.csv").returncode == 0
    assert run("quotes", folder / "deep.jsonl", "--out", tmp_path / "quotes.jsonl").returncode == 0
    matched = run("match-pairs", pairs, "--out", tmp_path / "pairs.csv")
    assert matched.returncode == 0 and "line 2: not valid JSON (a number too long, or nested too deeply)" in matched.stderr


def test_invalid_utf8_in_a_parquet_row_is_a_problem_of_that_row(tmp_path):
    path = tmp_path / "rows.parquet"
    texts = pa.array([b"A good row.", b"bad \xff\xfe bytes", b"Another good row."]).cast(pa.string(), safe=False)
    pq.write_table(pa.table({"text": texts}), path)
    first, bad, third = read_inputs([str(path)])
    assert first.text == "A good row." and third.text == "Another good row."
    assert bad.source == f"{path}:row 2" and "not valid UTF-8" in bad.message and not bad.whole_input


@pytest.mark.parametrize(
    "published", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "-1", "99999999999999999999", "1e400"]
)
def test_dates_off_the_calendar_are_stored_without_a_date(tmp_path, published):
    path = tmp_path / "dates.jsonl"
    path.write_text(json.dumps({"text": "The council met on Monday.", "published": published, "outlet": "X"}) + "\n")
    with Store.open(":memory:") as store:
        report = ingest([str(path)], store=store)
        assert report.added == 1 and "not understood" in report.warnings[0]
        assert store.articles()["published"].isna().all()


@pytest.mark.parametrize("url", ["http://[::1", "http://[bad", "//[", "http://[::1]:port"])
def test_unparseable_urls_do_not_decide_the_outlet(tmp_path, url):
    path = tmp_path / "urls.jsonl"
    path.write_text(json.dumps({"text": "The council met on Monday.", "url": url}) + "\n")
    with Store.open(":memory:") as store:
        assert ingest([str(path)], store=store).added == 1
        assert store.outlet_counts()["outlet"].tolist() == ["unknown"]


# --- analysis entry points on any text ---------------------------------------------------------


def check_sentence_spans(text: str) -> None:
    """In order, not overlapping, stripped, never across a blank line."""
    end_before = 0
    for start, end in sentence_spans(text):
        assert end_before <= start < end <= len(text)
        sentence = text[start:end]
        assert sentence == sentence.strip() and "\n\n" not in sentence
        end_before = end


def check_clean_article(text: str, title: str | None, title_in_text: bool) -> None:
    cleaned = clean_article(text, title=title, title_in_text=title_in_text)
    assert isinstance(cleaned, CleanedText) and isinstance(cleaned.text, str)
    assert cleaned.title is None or (cleaned.title.strip() and "\n" not in cleaned.title)
    assert "\n\n\n" not in cleaned.text and "\x00" not in cleaned.text
    check_sentence_spans(cleaned.text)


def check_find_quantities(text: str) -> None:
    found = find_quantities(text)
    assert list(found.columns) == QUANTITY_COLUMNS
    for row in found.itertuples():
        assert text[row.start : row.end] == row.text and row.text
        assert row.low <= row.high and row.kind in KINDS
    assert found["start"].is_monotonic_increasing


def check_find_quotes(text: str) -> None:
    found = find_quotes(text)
    assert list(found.columns) == QUOTE_COLUMNS
    for row in found.itertuples():
        assert text[row.start : row.end] == row.text
        if row.speaker_start is not None and not pd.isna(row.speaker_start):
            assert 0 <= row.speaker_start < row.speaker_end <= len(text)


def check_clause_spans(text: str) -> None:
    end_before = 0
    for start, end in clause_spans(text):
        assert end_before <= start < end <= len(text)
        end_before = end


def check_extract_claims(texts: list[str]) -> None:
    """Claims of cleaned, segmented articles: their offsets index the article text."""
    articles, sentences = [], []
    for number, text in enumerate(texts):
        cleaned = clean_article(text).text
        article_id = f"a{number}"
        articles.append((article_id, f"Outlet {number % 2}", cleaned))
        for sentence_no, (start, end) in enumerate(sentence_spans(cleaned), start=1):
            sentences.append((article_id, sentence_no, start, end, cleaned[start:end], False))
    articles = pd.DataFrame(articles, columns=["article_id", "outlet", "text"])
    sentences = pd.DataFrame(sentences, columns=["article_id", "sentence_no", "start", "end", "text", "is_headline"])
    claims = extract_claims(sentences, articles)
    assert list(claims.columns) == CLAIM_COLUMNS
    assert not claims["claim_id"].duplicated().any()
    texts_by_id = dict(zip(articles["article_id"], articles["text"]))
    for claim in claims.itertuples():
        assert texts_by_id[claim.article_id][claim.start : claim.end] == claim.text


def check_classify_pairs(pairs: list[tuple[str, str]]) -> None:
    scored = classify_pairs([a for a, _ in pairs], [b for _, b in pairs])
    assert list(scored.columns) == ["score", "decision"] and len(scored) == len(pairs)
    assert scored["score"].between(0, 1).all()
    assert set(scored["decision"]) <= set(DECISIONS)


def check_distinctive_terms(rows: list[tuple[str | None, str, str]]) -> None:
    documents = pd.DataFrame(rows, columns=["outlet", "title", "text"])
    terms = distinctive_terms(documents, min_count=1)
    assert list(terms.columns) == ["outlet", *TERM_COLUMNS]
    assert set(terms["outlet"]) <= set(documents["outlet"].dropna())
    assert set(terms["direction"]) <= {"over", "under"}
    assert (terms["count"] >= 0).all() and terms["z"].notna().all()


def check_group_articles(rows: list[tuple[str, str, str | None]]) -> None:
    articles = pd.DataFrame(
        [(f"id{number}", title, text, published) for number, (title, text, published) in enumerate(rows)],
        columns=["id", "title", "text", "published"],
    )
    grouped = group_articles(articles)
    assert list(grouped.columns) == ["id", "event_id", "story_id", "best_neighbor", "best_score"]
    assert grouped["id"].tolist() == articles["id"].tolist()
    assert grouped["event_id"].str.startswith("e-").all() and grouped["story_id"].str.startswith("s-").all()
    event_of = dict(zip(grouped["id"], grouped["event_id"]))
    for row in grouped.itertuples():
        assert row.best_neighbor is None or event_of[row.best_neighbor] == row.event_id


published_values = st.one_of(
    st.none(), st.text(max_size=30),
    st.sampled_from(["2021-03-01", "2021-03-01T08:00:00Z", "2021-03-09T23:59:59+14:00", "0001-01-01", "yesterday", ""]),
)


@PROPERTY
@given(any_text)
def test_sentence_spans_of_any_text(text):
    check_sentence_spans(text)


@PROPERTY
@given(any_text, st.one_of(st.none(), any_text), st.booleans())
def test_clean_article_of_any_text(text, title, title_in_text):
    check_clean_article(text, title, title_in_text)


@PROPERTY
@given(any_text)
def test_find_quantities_of_any_text(text):
    check_find_quantities(text)


@PROPERTY
@given(any_text)
def test_find_quotes_of_any_text(text):
    check_find_quotes(text)


@PROPERTY
@given(any_text)
def test_clause_spans_of_any_text(text):
    check_clause_spans(text)


@settings(PROPERTY, max_examples=30)
@given(st.lists(any_text, max_size=4))
def test_extract_claims_of_any_articles(texts):
    check_extract_claims(texts)


@settings(PROPERTY, max_examples=30)
@given(st.lists(st.tuples(any_text, any_text), max_size=4))
def test_classify_pairs_of_any_sentences(pairs):
    check_classify_pairs(pairs)


@settings(PROPERTY, max_examples=30)
@given(st.lists(st.tuples(st.one_of(st.none(), st.sampled_from(["A", "B", "C", ""])), any_text, any_text), max_size=6))
def test_distinctive_terms_of_any_documents(rows):
    check_distinctive_terms(rows)


@settings(PROPERTY, max_examples=30)
@given(st.lists(st.tuples(any_text, any_text, published_values), max_size=6))
def test_group_articles_of_any_corpus(rows):
    check_group_articles(rows)


def test_codecs_of_the_strategies_exist():
    for encoding in ENCODINGS:
        codecs.lookup(encoding)

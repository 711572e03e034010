"""Readers: every input format gives the right ArticleRecord fields; bad input gives a ReadProblem.

All inputs are small hand-written articles in ``tmp_path``; URL tests use a real
``http.server`` bound to 127.0.0.1 (no other network access).
"""

from __future__ import annotations

import csv
import gzip
import http.server
import json
import random
import socket
import threading
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.readers import ArticleRecord, ReadProblem, read_inputs
from tests.conftest import SAMPLE
from tests.invented import BRIDGE_HTML, FERRY, LIBRARY, write_jsonl


def read_all(*inputs) -> list[ArticleRecord | ReadProblem]:
    return list(read_inputs([str(item) for item in inputs]))


def records(items) -> list[ArticleRecord]:
    return [item for item in items if isinstance(item, ArticleRecord)]


def problems(items) -> list[ReadProblem]:
    return [item for item in items if isinstance(item, ReadProblem)]


def only_problem(items) -> ReadProblem:
    assert len(items) == 1, items
    assert isinstance(items[0], ReadProblem), items
    return items[0]


HTML_SENTENCES = [
    "The Harbour Bridge reopened to traffic on Friday morning",
    "City engineers said the work finished three weeks ahead of schedule",
    "Commuters who had faced detours of up to forty minutes welcomed the reopening.",
    "thanked residents for their patience",
    "Officials warned that some lane closures would continue overnight",
]


def assert_bridge_page(record: ArticleRecord) -> None:
    assert record.title == "Harbour Bridge Reopens After Two-Year Repair"
    assert record.site_name == "The Coastal Herald"
    assert record.published is not None and record.published.startswith("2021-05-14")
    assert record.author == "Dana Whitfield"
    for sentence in HTML_SENTENCES:
        assert sentence in record.text
    assert "Sport" not in record.text  # navigation is not article text
    assert record.title_in_text is False
    assert record.outlet is None  # a saved page has no outlet field; ingest decides from site_name


# --- folder of .txt with manifest.csv ---------------------------------------------------


def test_sample_folder_takes_metadata_from_manifest():
    manifest = {row["file"]: row for row in csv.DictReader((SAMPLE / "manifest.csv").open(encoding="utf-8"))}
    items = read_all(SAMPLE)
    assert problems(items) == []
    got = {Path(record.source).name: record for record in records(items)}
    assert set(got) == set(manifest)
    for name, row in manifest.items():
        record = got[name]
        assert record.outlet == row["outlet"]
        assert record.title == row["title"]
        assert record.published == row["published"]
        assert record.title_in_text is True
        # the raw text is the file's content, unchanged
        assert record.text == (SAMPLE / name).read_text(encoding="utf-8")
        # columns the reader does not know are kept in meta
        assert record.meta.get("notes") == row["notes"]


def test_folder_reads_txt_not_in_manifest_and_nested_files(tmp_path):
    folder = tmp_path / "articles"
    (folder / "more").mkdir(parents=True)
    (folder / "listed.txt").write_text("Listed Headline\n\nThe listed article is about a new bus route.\n", encoding="utf-8")
    (folder / "unlisted.txt").write_text("Unlisted Headline\n\nThis article was never put in the manifest.\n", encoding="utf-8")
    (folder / "more" / "nested.txt").write_text("Nested Headline\n\nA third story sits in a subfolder.\n", encoding="utf-8")
    (folder / "notes.docx").write_bytes(b"PK\x03\x04 not an article")  # unsupported files in a folder are skipped
    (folder / "manifest.csv").write_text(
        "file,outlet,published,title,url,author\n"
        "listed.txt,Valley Post,2022-04-01,Listed Headline From Manifest,https://valleypost.example/a,Kim Ray\n"
        "more/nested.txt,Hill Times,,,,\n",
        encoding="utf-8",
    )
    items = read_all(folder)
    assert problems(items) == []
    got = {Path(record.source).name: record for record in records(items)}
    assert set(got) == {"listed.txt", "unlisted.txt", "nested.txt"}

    listed = got["listed.txt"]
    assert (listed.outlet, listed.published, listed.title) == ("Valley Post", "2022-04-01", "Listed Headline From Manifest")
    assert (listed.url, listed.author) == ("https://valleypost.example/a", "Kim Ray")

    unlisted = got["unlisted.txt"]
    assert unlisted.text.startswith("Unlisted Headline")
    assert (unlisted.outlet, unlisted.title, unlisted.published) == (None, None, None)
    assert unlisted.title_in_text is True

    nested = got["nested.txt"]
    assert nested.outlet == "Hill Times"
    assert (nested.title, nested.published) == (None, None)  # blank manifest cells are None, not ""


def test_folder_without_readable_files_is_a_whole_input_problem(tmp_path):
    (tmp_path / "only.docx").write_bytes(b"PK\x03\x04")
    problem = only_problem(read_all(tmp_path))
    assert problem.whole_input
    assert "no readable files" in problem.message


def test_bad_file_in_folder_does_not_stop_the_others(tmp_path):
    (tmp_path / "a_good.txt").write_text("Good Headline\n\nA normal article about a school fete.\n", encoding="utf-8")
    (tmp_path / "b_binary.txt").write_bytes(b"\x00\x01\x02binary\x00" * 20)
    (tmp_path / "c_good.txt").write_text("Another Headline\n\nA second article about road works.\n", encoding="utf-8")
    items = read_all(tmp_path)
    assert sorted(Path(r.source).name for r in records(items)) == ["a_good.txt", "c_good.txt"]
    [problem] = problems(items)
    assert problem.source.endswith("b_binary.txt")
    assert "binary" in problem.message


# --- single files -------------------------------------------------------------------------


def test_single_txt_file(tmp_path):
    text = "Council Approves Park Plan\n\nThe council approved a plan for a new park by the river.\n"
    path = tmp_path / "park.txt"
    path.write_text(text, encoding="utf-8")
    [record] = read_all(path)
    assert isinstance(record, ArticleRecord)
    assert record.text == text
    assert record.source == str(path)
    assert record.title_in_text is True
    assert (record.outlet, record.title, record.published) == (None, None, None)


def test_txt_gz_is_decompressed(tmp_path):
    text = "Snow Closes Mountain Pass\n\nHeavy snow closed the mountain pass for the second day.\n"
    path = tmp_path / "snow.txt.gz"
    path.write_bytes(gzip.compress(text.encode("utf-8")))
    [record] = read_all(path)
    assert isinstance(record, ArticleRecord)
    assert record.text == text


def test_csv_with_synonym_headers(tmp_path):
    path = tmp_path / "articles.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Headline", "Content", "Date", "Source", "Link", "Byline", "section"])
        writer.writerow([FERRY["title"], FERRY["text"], FERRY["published"], FERRY["outlet"], FERRY["url"], FERRY["author"], "travel"])
        writer.writerow([LIBRARY["title"], LIBRARY["text"], LIBRARY["published"], LIBRARY["outlet"], "", "", ""])
    items = read_all(path)
    assert problems(items) == []
    ferry, library = records(items)
    assert ferry.text == FERRY["text"]  # a multi-line quoted field keeps its paragraphs
    assert (ferry.title, ferry.outlet, ferry.published) == (FERRY["title"], FERRY["outlet"], FERRY["published"])
    assert (ferry.url, ferry.author) == (FERRY["url"], FERRY["author"])
    assert ferry.meta == {"section": "travel"}
    assert ferry.source == f"{path}:2"
    # the first record's text spans three physical lines, so the next starts on line 5
    assert library.source == f"{path}:5"
    assert (library.url, library.author, library.meta) == (None, None, {})


def test_jsonl_fields_and_meta(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [dict(FERRY, id="f-1", event_id=7), LIBRARY])
    items = read_all(path)
    assert problems(items) == []
    ferry, library = records(items)
    for key in ("title", "text", "outlet", "published", "url", "author"):
        assert getattr(ferry, key) == FERRY[key]
    assert ferry.meta == {"id": "f-1", "event_id": 7}
    assert ferry.title_in_text is False
    assert ferry.source == f"{path}:1"
    assert library.source == f"{path}:2"
    assert library.url is None


def test_jsonl_list_valued_author_is_joined(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"text": "A short report on a bake sale.", "authors": ["Ann Bell", "Raj Patel"]}])
    [record] = read_all(path)
    assert record.author == "Ann Bell, Raj Patel"


def test_jsonl_gz(tmp_path):
    path = tmp_path / "a.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for row in (FERRY, LIBRARY):
            handle.write(json.dumps(row) + "\n")
    items = read_all(path)
    assert problems(items) == []
    assert [r.title for r in records(items)] == [FERRY["title"], LIBRARY["title"]]
    assert [r.source for r in records(items)] == [f"{path}:1", f"{path}:2"]


def test_parquet(tmp_path):
    path = tmp_path / "a.parquet"
    table = pa.table(
        {
            "Headline": [FERRY["title"], LIBRARY["title"]],
            "Body": [FERRY["text"], LIBRARY["text"]],
            "Publisher": [FERRY["outlet"], None],
            "published": pa.array([datetime(2021, 2, 8, 7, 15, tzinfo=UTC), None], type=pa.timestamp("us", tz="UTC")),
            "word_count": [40, 28],
        }
    )
    pq.write_table(table, path)
    items = read_all(path)
    assert problems(items) == []
    ferry, library = records(items)
    assert (ferry.title, ferry.text, ferry.outlet) == (FERRY["title"], FERRY["text"], FERRY["outlet"])
    # timestamps come through as ISO text that keeps the instant
    assert datetime.fromisoformat(ferry.published) == datetime(2021, 2, 8, 7, 15, tzinfo=UTC)
    assert ferry.meta == {"word_count": 40}
    assert ferry.source == f"{path}:row 1"
    assert (library.outlet, library.published, library.source) == (None, None, f"{path}:row 2")


def test_saved_html_page(tmp_path):
    path = tmp_path / "bridge.html"
    path.write_text(BRIDGE_HTML, encoding="utf-8")
    [record] = read_all(path)
    assert isinstance(record, ArticleRecord), record
    assert_bridge_page(record)
    assert record.source == str(path)


def test_html_without_article_text_is_a_problem(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><head><title>Nothing</title></head><body></body></html>", encoding="utf-8")
    problem = only_problem(read_all(path))
    assert "no article text" in problem.message


# --- URLs against a real local server -------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server API)
        if self.path == "/news/bridge.html":
            body = BRIDGE_HTML.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404, "Not Found")

    def log_message(self, *args):  # keep test output quiet
        pass


@pytest.fixture
def local_server():
    """Base URL of a real HTTP server on 127.0.0.1 serving one article page; shut down after."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def allow_loopback_fetch(monkeypatch):
    """Allow fetching from 127.0.0.1, as the documented setting does for local archives."""
    monkeypatch.setenv("COVERAGE_LENS_ALLOW_PRIVATE_URLS", "true")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_url_page_is_fetched_and_extracted(local_server, allow_loopback_fetch):
    url = f"{local_server}/news/bridge.html"
    [record] = read_all(url)
    assert isinstance(record, ArticleRecord), record
    assert_bridge_page(record)
    assert record.source == url
    assert record.url == url


def test_url_on_loopback_is_refused_by_default_with_a_clear_message(local_server):
    """Without the setting, a URL on the server's own network is refused before any request."""
    url = f"{local_server}/news/bridge.html"
    problem = only_problem(read_all(url))
    assert problem.whole_input
    assert "refused" in problem.message and "127.0.0.1" in problem.message
    assert "COVERAGE_LENS_ALLOW_PRIVATE_URLS" in problem.message


@pytest.mark.parametrize("url", ["http://10.1.2.3/story.html", "http://[::1]/story.html", "http://169.254.169.254/latest"])
def test_private_and_link_local_urls_are_refused(url):
    problem = only_problem(read_all(url))
    assert problem.whole_input and "refused" in problem.message


def test_url_404_names_the_status(local_server, allow_loopback_fetch):
    url = f"{local_server}/news/missing.html"
    problem = only_problem(read_all(url))
    assert problem.whole_input
    assert problem.source == url
    assert "404" in problem.message


def test_unreachable_url_is_a_whole_input_problem(allow_loopback_fetch):
    url = f"http://127.0.0.1:{closed_port()}/story.html"
    problem = only_problem(read_all(url))
    assert problem.whole_input
    assert problem.source == url
    assert "unreachable" in problem.message


@pytest.mark.parametrize("url", ["file:///etc/hostname", "ftp://127.0.0.1/story.txt"])
def test_unsupported_url_scheme(url):
    problem = only_problem(read_all(url))
    assert problem.whole_input
    scheme = url.split(":", 1)[0]
    assert f"unsupported URL scheme {scheme!r}" in problem.message


# --- whole-input problems --------------------------------------------------------------------


def test_missing_path(tmp_path):
    missing = tmp_path / "nope" / "story.jsonl"
    problem = only_problem(read_all(missing))
    assert problem.whole_input
    assert problem.source == str(missing)
    assert "no such file" in problem.message


def test_unknown_extension(tmp_path):
    path = tmp_path / "story.docx"
    path.write_bytes(b"PK\x03\x04 word document")
    problem = only_problem(read_all(path))
    assert problem.whole_input
    assert "unknown format .docx" in problem.message


def test_binary_file_named_txt(tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    problem = only_problem(read_all(path))
    assert problem.whole_input
    assert "binary" in problem.message and "NUL" in problem.message


def test_undecodable_text_is_rejected(tmp_path):
    rng = random.Random(7)
    noise = bytes(rng.randrange(1, 256) for _ in range(4000))  # no NULs, not UTF-8, no language
    with pytest.raises(UnicodeDecodeError):
        noise.decode("utf-8")
    path = tmp_path / "noise.txt"
    path.write_bytes(noise)
    problem = only_problem(read_all(path))
    assert problem.whole_input
    assert "encoding could not be recognised" in problem.message


WINDOWS_1252_ARTICLE = (
    "Zürich Council Approves Tram Extension\n\n"
    "The city council of Zürich voted on Tuesday to extend the number 11 tram line to the new hospital. "
    "Mayor José Müller said the extension would open in 2026 and cost less than the bus alternative.\n\n"
    "Residents of the old town, where café life depends on quiet streets, were divided. "
    '"We are naïve if we think the works will be painless," said Chloé Brontë, who runs a bakery '
    "near the façade of the town hall.\n"
)


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_western_european_single_byte_text_file_is_decoded_correctly(tmp_path, encoding):
    path = tmp_path / "tram.txt"
    path.write_bytes(WINDOWS_1252_ARTICLE.encode(encoding))
    [record] = read_all(path)
    assert isinstance(record, ArticleRecord), record
    for word in ("Zürich", "José Müller", "café", "naïve", "Chloé Brontë", "façade"):
        assert word in record.text, f"{word!r} misdecoded: {record.text[:160]!r}"
    assert record.text == WINDOWS_1252_ARTICLE


def test_cp1252_jsonl_line_is_decoded_correctly(tmp_path):
    line = json.dumps(
        {"title": "Tram Extension Approved", "text": "Mayor José Müller of Zürich said the café owners were pleased."},
        ensure_ascii=False,
    )
    path = tmp_path / "tram.jsonl"
    path.write_bytes((line + "\n").encode("cp1252"))
    [record] = read_all(path)
    assert isinstance(record, ArticleRecord), record
    assert record.text == "Mayor José Müller of Zürich said the café owners were pleased."


def test_utf8_bom_is_dropped(tmp_path):
    text = "Bakery Wins Award\n\nThe corner bakery won a national award for its rye bread.\n"
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    [record] = read_all(path)
    assert record.text == text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_with_bom(tmp_path, encoding):
    text = "Flood Warning Lifted\n\nThe river fell below the danger mark on Sunday, and the café reopened.\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
    path = tmp_path / "flood.txt"
    path.write_bytes(data)
    [record] = read_all(path)
    assert isinstance(record, ArticleRecord), record
    assert record.text == text


@pytest.mark.parametrize("name", ["big.txt", "big.jsonl", "big.csv"])
def test_oversize_file_is_rejected_before_reading(tmp_path, monkeypatch, name):
    monkeypatch.setenv("COVERAGE_LENS_MAX_FILE_MB", "0")
    path = tmp_path / name
    path.write_text('text\n"A small article that is still over a zero limit."\n', encoding="utf-8")
    problem = only_problem(read_all(path))
    assert problem.whole_input
    assert "0 MiB limit" in problem.message
    assert "COVERAGE_LENS_MAX_FILE_MB" in problem.message


def test_size_limit_allows_files_under_it(tmp_path, monkeypatch):
    monkeypatch.setenv("COVERAGE_LENS_MAX_FILE_MB", "1")
    path = tmp_path / "small.txt"
    path.write_text("Small Story\n\nA short article about a village show.\n", encoding="utf-8")
    [record] = read_all(path)
    assert isinstance(record, ArticleRecord)


@pytest.mark.parametrize("name", ["broken.jsonl.gz", "broken.txt.gz", "broken.csv.gz"])
def test_corrupt_gzip(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"\x1f\x8b\x08\x00" + b"this is not deflate data" * 10)
    problem = only_problem(read_all(path))
    assert problem.whole_input
    assert "not a valid gzip file" in problem.message


def test_plain_file_named_gz(tmp_path):
    path = tmp_path / "plain.jsonl.gz"
    write_jsonl(path, [FERRY])
    problem = only_problem(read_all(path))
    assert "not a valid gzip file" in problem.message


def test_corrupt_parquet(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1" + b"\x00 garbage that is no parquet footer" * 10)
    problem = only_problem(read_all(path))
    assert problem.whole_input
    assert "not a valid Parquet file" in problem.message


def test_parquet_without_text_column(tmp_path):
    path = tmp_path / "notext.parquet"
    pq.write_table(pa.table({"title": ["A"], "outlet": ["B"]}), path)
    problem = only_problem(read_all(path))
    assert problem.whole_input
    assert "no text column" in problem.message


# --- record-level problems ----------------------------------------------------------------------


def test_malformed_jsonl_line_reports_file_and_line_and_reading_goes_on(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        json.dumps(FERRY) + "\n"
        + '{"title": "Broken", "text": "this line never closes\n'
        + "\n"  # blank lines are skipped but still counted
        + json.dumps(LIBRARY) + "\n",
        encoding="utf-8",
    )
    items = read_all(path)
    assert [type(item) for item in items] == [ArticleRecord, ReadProblem, ArticleRecord]
    problem = items[1]
    assert problem.source == f"{path}:2"
    assert not problem.whole_input
    assert "not valid JSON" in problem.message
    assert items[2].source == f"{path}:4"
    assert items[2].title == LIBRARY["title"]


@pytest.mark.parametrize(("value", "kind"), [([1, 2, 3], "list"), ("just a string", "str"), (42, "int")])
def test_json_line_that_is_not_an_object(tmp_path, value, kind):
    path = write_jsonl(tmp_path / "odd.jsonl", [LIBRARY, value])
    items = read_all(path)
    assert isinstance(items[0], ArticleRecord)
    problem = items[1]
    assert isinstance(problem, ReadProblem)
    assert problem.source == f"{path}:2"
    assert f"expected a JSON object, found {kind}" in problem.message


def test_missing_text_field(tmp_path):
    path = write_jsonl(tmp_path / "notext.jsonl", [{"title": "Only A Headline", "outlet": "Valley Post"}])
    problem = only_problem(read_all(path))
    assert problem.source == f"{path}:1"
    assert not problem.whole_input
    assert "no text field" in problem.message


@pytest.mark.parametrize("empty", ["", None])
def test_empty_text_field_is_passed_on_for_ingest_to_decide(tmp_path, empty):
    """A headline without a body is still read (ingest keeps it if it has a title)."""
    path = write_jsonl(tmp_path / "empty.jsonl", [{"title": "Headline Without Story", "text": empty, "outlet": "Valley Post"}])
    [record] = read_all(path)
    assert isinstance(record, ArticleRecord), record
    assert record.text == ""
    assert (record.title, record.outlet, record.source) == ("Headline Without Story", "Valley Post", f"{path}:1")
    assert record.meta == {}  # the empty text field is not kept as an extra field


def test_empty_text_synonym_does_not_hide_a_filled_one(tmp_path):
    path = write_jsonl(tmp_path / "two.jsonl", [{"text": "", "body": "The body field holds the story about a new pier."}])
    [record] = read_all(path)
    assert record.text == "The body field holds the story about a new pier."


def test_malformed_csv_row_reports_line_and_reading_goes_on(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text(
        "title,text,outlet\n"
        "Dam Opens,The new dam opened on Monday.,Valley Post\n"
        "Only two,fields\n"
        "Bridge Shuts,\"The old bridge shut, and traffic was diverted.\",Valley Post\n",
        encoding="utf-8",
    )
    items = read_all(path)
    assert [type(item) for item in items] == [ArticleRecord, ReadProblem, ArticleRecord]
    assert items[1].source == f"{path}:3"
    assert "expected 3 fields" in items[1].message and "found 2" in items[1].message
    assert items[2].text == "The old bridge shut, and traffic was diverted."
    assert items[2].source == f"{path}:4"


def test_csv_without_text_column(tmp_path):
    path = tmp_path / "notext.csv"
    path.write_text("title,outlet\nDam Opens,Valley Post\n", encoding="utf-8")
    problem = only_problem(read_all(path))
    assert problem.whole_input
    assert "no text column" in problem.message
    assert "title, outlet" in problem.message  # it says what it found


def test_empty_csv_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    problem = only_problem(read_all(path))
    assert problem.whole_input
    assert "header row is required" in problem.message


def test_problem_str_names_source_and_reason():
    problem = ReadProblem("a.jsonl:3", "empty text")
    assert str(problem) == "a.jsonl:3: empty text"

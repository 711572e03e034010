"""The Data page, driven as a user would: corpora from links, uploads, pasted URLs, analysis."""

import http.server
import json
import shutil
import subprocess
import sys
import threading

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analysis.store import Store
from tests.conftest import REPO, SAMPLE
from tests.dashboard.conftest import APP

NEW_ARTICLE = {"title": "Harbour bridge closes for repairs", "outlet": "Harbour Daily", "published": "2021-03-04",
               "text": "The harbour bridge closed on Monday for repairs that will take three weeks, officials said."}


@pytest.fixture
def main_store(analyzed_sample_store, tmp_path):
    """A copy of the analysed sample store, as the default corpus of an otherwise empty folder."""
    folder = tmp_path / "corpora"
    folder.mkdir()
    path = folder / "main.duckdb"
    shutil.copy(analyzed_sample_store, path)
    return path


@pytest.fixture
def app(app_over, main_store):
    return app_over(main_store, "app_pages/data.py")


def _article_ids(path) -> set[str]:
    with Store.open(path, read_only=True) as store:
        return set(store.articles()["article_id"])


def _metrics(at) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def _param(at, name: str) -> list[str]:
    """A URL parameter's values (AppTest holds a single value as a string or a one-item list)."""
    value = at.query_params.get(name, [])
    return [value] if isinstance(value, str) else list(value)


def _frame(at, column: str):
    """The first table on the page that has ``column``."""
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def _upload(at, *files):
    at.run()
    at.file_uploader[0].set_value(list(files))
    at.run()
    at.button(key="data_upload_add").click()
    at.run()
    assert not at.exception


def test_data_page_lists_the_corpus_with_its_counts(app):
    app.run()
    assert not app.exception
    metrics = _metrics(app)
    assert (metrics["Articles"], metrics["Outlets"], metrics["Events"], metrics["Events with 2+ outlets"],
            metrics["Not analysed yet"]) == ("3", "3", "2", "1", "0")
    corpora = _frame(app, "corpus")
    row = corpora.set_index("corpus").loc["main"]
    assert (row["articles"], row["events"], row["not_analysed"], row["last_run"]) == (3, 2, 0, "run 1 (refit)")
    assert pd.notna(row["last_analysis"])
    assert row["current"] and row["last_ingest"] is not None
    assert app.selectbox(key="data_corpus").value == "main"
    # Only the formats ingest reads can be chosen.
    assert set(app.file_uploader[0].allowed_type) == {".txt", ".csv", ".jsonl", ".ndjson", ".parquet", ".html",
                                                      ".htm", ".gz"}


def test_upload_adds_the_good_records_and_reports_each_bad_one(app, main_store):
    before = _article_ids(main_store)
    lines = [json.dumps(NEW_ARTICLE), "{not json", json.dumps({"title": "no body", "published": "2021"}),
             json.dumps({"headline": "x", "outlet": "Y"})]
    _upload(app, ("harbour.jsonl", ("\n".join(lines) + "\n").encode(), "application/json"))
    report = _frame(app, "already_present")
    assert report.to_dict("records") == [{"input": "harbour.jsonl", "added": 1, "already_present": 0, "rejected": 3,
                                          "warnings": 0}]
    rejected = _frame(app, "reason")
    assert rejected["where"].tolist() == ["harbour.jsonl:2", "harbour.jsonl:3", "harbour.jsonl:4"]
    assert "not valid JSON" in rejected["reason"].iloc[0] and "no text field" in rejected["reason"].iloc[2]
    assert not rejected["reason"].str.contains("coverage-lens-upload").any()  # no temporary paths shown
    after = _article_ids(main_store)
    assert before < after and len(after - before) == 1
    assert _metrics(app)["Articles"] == "4" and _metrics(app)["Not analysed yet"] == "1"
    assert "Added 1 article(s)" in app.warning[0].value
    # The uploader is emptied, and uploading the same file again adds nothing: it is already present.
    assert not app.file_uploader[0].value
    _upload(app, ("harbour.jsonl", (json.dumps(NEW_ARTICLE) + "\n").encode(), "application/json"))
    assert _frame(app, "already_present")[["added", "already_present"]].values.tolist() == [[0, 1]]
    assert _article_ids(main_store) == after


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("table.csv", b"headline,outlet\nx,y\n", "no text column"),
        ("broken.parquet", b"PAR1 not really parquet", "not a valid Parquet file"),
        ("article.jsonl.gz", b"not gzip at all", "not a valid gzip file"),
        ("empty.jsonl", b"", "no articles found"),
        ("binary.txt", b"\x00\x01\x02" * 10, "binary file"),
    ],
)
def test_a_bad_file_is_rejected_with_its_reason_and_loses_nothing(app, main_store, name, content, reason):
    before = _article_ids(main_store)
    _upload(app, (name, content, "application/octet-stream"))
    rejected = _frame(app, "reason")
    assert reason in " ".join(rejected["reason"]), rejected
    assert rejected["input"].tolist()[0] == name
    assert _article_ids(main_store) == before


def test_text_files_with_a_manifest_are_read_together(app, main_store):
    manifest = b"file,outlet,published,title\nbridge.txt,Harbour Daily,2021-03-04,Harbour bridge closes\n"
    text = b"Harbour bridge closes\n\nThe harbour bridge closed on Monday for three weeks of repairs."
    _upload(app, ("bridge.txt", text, "text/plain"), ("manifest.csv", manifest, "text/csv"))
    assert _frame(app, "already_present")[["input", "added"]].values.tolist() == [["bridge.txt with manifest.csv", 1]]
    with Store.open(main_store, read_only=True) as store:
        articles = store.articles()
    new = articles[articles["outlet"] == "Harbour Daily"]
    assert new["published"].dt.date.astype(str).tolist() == ["2021-03-04"]


def test_oversize_upload_is_refused(app, main_store, monkeypatch):
    real = st.get_option
    monkeypatch.setattr(st, "get_option", lambda key: 1 if key == "server.maxUploadSize" else real(key))
    before = _article_ids(main_store)
    line = json.dumps({**NEW_ARTICLE, "text": NEW_ARTICLE["text"] + " More." * 100_000}) + "\n"
    big = (line * 2).encode()  # 1.2 MB, each article under the length limit
    _upload(app, ("big.jsonl", big, "application/json"))
    assert "over the 1 MB upload limit" in " ".join(_frame(app, "reason")["reason"])
    assert _article_ids(main_store) == before


class _Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = (f"<html><head><title>{NEW_ARTICLE['title']}</title></head><body><article>"
                f"<h1>{NEW_ARTICLE['title']}</h1><p>{NEW_ARTICLE['text']}</p><p>{NEW_ARTICLE['text']}</p>"
                "</article></body></html>").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_page():
    """A URL on 127.0.0.1 serving one article page."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/news/harbour.html"
    server.shutdown()
    server.server_close()


def _paste(at, text: str):
    at.run()
    at.text_area(key="data_urls").input(text)
    at.button(key="data_urls_add").click()
    at.run()
    assert not at.exception


def test_private_url_and_non_web_addresses_are_refused_with_clear_reasons(app, main_store, local_page):
    before = _article_ids(main_store)
    _paste(app, f"{local_page}\nfile:///etc/passwd\n/etc/passwd\nftp://example.com/a.txt\n")
    rejected = _frame(app, "reason").set_index("input")["reason"]
    assert "refused" in rejected[local_page] and "127.0.0.1" in rejected[local_page]
    assert "COVERAGE_LENS_ALLOW_PRIVATE_URLS" in rejected[local_page]
    assert "file:// addresses are refused" in rejected["file:///etc/passwd"]
    assert "not a web address" in rejected["/etc/passwd"]
    assert "ftp:// addresses are refused" in rejected["ftp://example.com/a.txt"]
    assert _article_ids(main_store) == before


def test_a_paste_of_only_refused_lines_reads_nothing(app, main_store):
    before = _article_ids(main_store)
    _paste(app, "file:///etc/passwd\njavascript:alert(1)\n")
    assert _frame(app, "reason")["where"].tolist() == ["line 1", "line 2"]
    assert "0 were already there and were skipped; 2 problem(s)" in app.warning[0].value
    assert _article_ids(main_store) == before


def test_url_on_the_local_network_is_fetched_when_the_setting_allows_it(app, main_store, local_page, monkeypatch):
    monkeypatch.setenv("COVERAGE_LENS_ALLOW_PRIVATE_URLS", "true")
    _paste(app, f"# one page\n{local_page}\n{local_page}\n")
    report = _frame(app, "already_present")
    assert report[["input", "added", "rejected"]].values.tolist() == [[local_page, 1, 0]]
    assert len(_article_ids(main_store)) == 4


def test_an_invalid_setting_is_explained_instead_of_adding(app, monkeypatch):
    monkeypatch.setenv("COVERAGE_LENS_MAX_FILE_MB", "lots")
    app.run()
    assert not app.exception
    assert "not valid" in app.error[0].value
    assert any("COVERAGE_LENS_MAX_FILE_MB" in element.proto.body for element in app.get("html"))
    assert not app.file_uploader and _metrics(app)["Articles"] == "3"


def test_empty_paste_asks_for_an_address(app):
    _paste(app, "   \n")
    assert "Paste at least one web address" in app.warning[0].value


@pytest.fixture
def two_corpora(main_store):
    """Beside main: ``other``, holding the sample unanalysed."""
    from analysis.ingest import ingest

    with Store.open(main_store.parent / "other.duckdb") as store:
        ingest([str(SAMPLE / "000_0efe080f883082e1.txt")], store=store)
    return main_store.parent


def test_corpus_from_the_link_and_switching_updates_the_link(app, two_corpora):
    app.query_params["corpus"] = "other"
    app.run()
    assert not app.exception
    assert app.selectbox(key="data_corpus").value == "other"
    assert _metrics(app)["Articles"] == "1" and _metrics(app)["Events"] == "0"
    corpora = _frame(app, "corpus").set_index("corpus")
    assert corpora["articles"].to_dict() == {"main": 3, "other": 1}
    assert corpora["current"].to_dict() == {"main": False, "other": True}
    # Links to the other pages carry the corpus.
    links = {link.proto.label: link.proto.query_string for link in app.get("page_link")}
    assert links["Overview of this corpus"] == links["Event"] == links["Claims"] == "corpus=other"
    app.selectbox(key="data_corpus").set_value("main")
    app.run()
    assert not app.exception
    assert _param(app, "corpus") == []  # the default corpus needs no parameter
    assert _metrics(app)["Articles"] == "3"
    app.selectbox(key="data_corpus").set_value("other")
    app.run()
    assert _param(app, "corpus") == ["other"] and _metrics(app)["Articles"] == "1"


@pytest.mark.parametrize("corpus", ["nope", "../main", "<b>x</b>"])
def test_unknown_corpus_in_the_link_is_explained(app, corpus):
    app.query_params["corpus"] = corpus
    app.run()
    assert not app.exception
    assert "not here" in app.warning[0].value
    assert app.selectbox(key="data_corpus").value == "main"
    assert _metrics(app)["Articles"] == "3"


def _create(at, name: str):
    at.run()
    at.text_input(key="data_new_name").input(name)
    at.form_submit_button[0].click()
    at.run()
    assert not at.exception


def test_a_new_empty_corpus_is_created_and_chosen(app, main_store):
    _create(app, "fresh_2024")
    assert (main_store.parent / "fresh_2024.duckdb").is_file()
    assert _param(app, "corpus") == ["fresh_2024"]
    assert app.selectbox(key="data_corpus").value == "fresh_2024"
    assert _metrics(app)["Articles"] == "0"
    assert "Created the empty corpus" in app.success[0].value


@pytest.mark.parametrize(("name", "message"), [("../escape", "not a valid corpus name"),
                                               ("has space", "not a valid corpus name"),
                                               ("main", "already a corpus")])
def test_a_bad_or_taken_corpus_name_is_refused(app, main_store, name, message):
    _create(app, name)
    assert message in app.warning[0].value
    assert sorted(path.name for path in main_store.parent.iterdir()) == ["main.duckdb"]


@pytest.fixture
def locked(main_store):
    """Another process holding the store open for writing (a CLI ingest, say)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from analysis.store import Store; s = Store.open(sys.argv[1]); "
         "print('ready', flush=True); sys.stdin.read()", str(main_store)],
        cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout.readline().strip() == "ready"
    yield main_store
    holder.stdin.close()
    holder.wait(timeout=30)


def test_a_store_locked_by_another_process_is_explained(app, locked):
    _upload(app, ("harbour.jsonl", (json.dumps(NEW_ARTICLE) + "\n").encode(), "application/json"))
    errors = " ".join(error.value for error in app.error)
    assert "cannot be read now" in errors and "cannot be written now" in errors
    assert any("in use by another process" in element.proto.body for element in app.get("html"))


def test_analyse_button_analyses_the_corpus(sample_store_path, monkeypatch):
    monkeypatch.setenv("COVERAGE_LENS_DB", str(sample_store_path))
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page("app_pages/data.py")
    at.run()
    assert _metrics(at)["Not analysed yet"] == "3" and _metrics(at)["Events"] == "0"
    at.button(key="data_analyse").click()
    at.run()
    assert not at.exception
    assert "Analysis done (refit" in at.success[0].value and "2 events" in at.success[0].value
    assert _metrics(at)["Events"] == "2" and _metrics(at)["Not analysed yet"] == "0"
    st.cache_data.clear()

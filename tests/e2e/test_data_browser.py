"""The Data page in a real browser: upload a file into a copy of a store, read the report, see the
new counts on the Overview, switch corpora through the URL."""

import json
import shutil

import pytest
from playwright.sync_api import expect

from analysis.ingest import ingest
from analysis.store import Store
from tests.e2e.conftest import HOSTILE_OUTLET, HOSTILE_TITLE, no_traceback, open_page, screenshot, serve

pytestmark = pytest.mark.browser

NEW_ARTICLE = {"title": "Harbour bridge closes for repairs", "outlet": "Harbour Daily", "published": "2021-03-04",
               "text": "The harbour bridge closed on Monday for repairs that will take three weeks, officials said."}
HOSTILE_ARTICLE = {"title": HOSTILE_TITLE, "outlet": HOSTILE_OUTLET, "published": "2021-03-05",
                   "text": "A plain sentence about the harbour. <script>window.__injected = 4</script>"}
# A file name is untrusted text too.
HOSTILE_NAME = '<img src=x onerror="window.__injected=5">.jsonl'


@pytest.fixture(scope="module")
def own_server(analyzed_sample_store, tmp_path_factory):
    """A dashboard of its own over copies of the analysed sample store (``main``, the default, and
    ``other``): uploads write to the copy, never to the shared served store."""
    folder = tmp_path_factory.mktemp("data_browser")
    store = folder / "main.duckdb"
    shutil.copy(analyzed_sample_store, store)
    shutil.copy(analyzed_sample_store, folder / "other.duckdb")
    extra = folder / "extra.jsonl"
    extra.write_text(json.dumps({**NEW_ARTICLE, "outlet": "Other Gazette"}) + "\n", encoding="utf-8")
    with Store.open(folder / "other.duckdb") as other:
        assert ingest([str(extra)], store=other).added == 1
    process, base_url = serve(store, folder / "streamlit.log")
    yield base_url, folder
    process.terminate()
    process.wait(timeout=30)


def _metrics(page) -> dict[str, str]:
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    return dict(zip((label.strip() for label in labels), values))


def test_upload_reports_what_was_added_and_rejected_and_the_overview_counts_it(browser, own_server, tmp_path):
    base_url, _ = own_server
    upload = tmp_path / HOSTILE_NAME
    upload.write_text(json.dumps(NEW_ARTICLE) + "\n{not json\n" + json.dumps(HOSTILE_ARTICLE) + "\n", encoding="utf-8")
    page = open_page(browser, f"{base_url}/data", ready_selector='[data-testid="stFileUploader"]')
    try:
        assert _metrics(page)["Articles"] == "3"
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(upload))
        page.locator('[data-testid="stFileChipName"]').wait_for(timeout=30_000)  # the file is uploaded
        page.get_by_role("button", name="Add the files to this corpus").click()
        page.get_by_text("Added 2 article(s)").wait_for(timeout=60_000)
        page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=60_000)
        assert "0 were already there and were skipped; 1 problem(s)" in page.inner_text("body")
        assert _metrics(page)["Articles"] == "5" and _metrics(page)["Not analysed yet"] == "2"
        screenshot(page, "data_upload_report")
        no_traceback(page)
        assert page.evaluate("window.__injected") is None
        assert page.locator('a[href^="https://evil.example"]').count() == 0
        assert page.locator('img[src="x"]').count() == 0

        # The rejection table's CSV names the file and line and says why.
        with page.expect_download() as download_info:
            page.locator(".st-key-data_report_rejected_csv button").click()
        rejected = download_info.value.path().read_text(encoding="utf-8")
        # (the browser sends the name's quotes as %22)
        assert 'onerror=%22window.__injected=5%22>.jsonl:2,line is not valid JSON' in rejected
    finally:
        page.close()

    overview = open_page(browser, base_url + "/", ready_selector='[data-testid="stMetricValue"]')
    try:
        metrics = _metrics(overview)
        assert (metrics["Articles"], metrics["Outlets"]) == ("5", "5")
        assert "2 articles were added after the last analysis" in overview.inner_text("body")
        assert overview.evaluate("window.__injected") is None
        no_traceback(overview)
    finally:
        overview.close()


def test_switching_corpus_updates_the_url_and_the_link_reopens_it(browser, own_server):
    base_url, folder = own_server
    page = open_page(browser, f"{base_url}/data", ready_selector='[data-testid="stSelectbox"]')
    try:
        page.locator('[data-testid="stSelectbox"]').first.click()
        page.get_by_role("option", name="other").click()
        page.wait_for_url("**corpus=other**", timeout=30_000)
        page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=60_000)
        link = page.url
        assert _metrics(page)["Articles"] == "4"
    finally:
        page.close()
    again = open_page(browser, link, ready_selector='[data-testid="stSelectbox"]')
    try:
        expect(again.get_by_role("combobox", name="Corpus")).to_have_value("other")
        assert _metrics(again)["Articles"] == "4"
        overview_link = again.get_by_role("link", name="Overview of this corpus")
        assert "corpus=other" in overview_link.get_attribute("href")
        no_traceback(again)
    finally:
        again.close()


def test_unknown_corpus_in_the_link_is_explained(browser, own_server):
    base_url, _ = own_server
    page = open_page(browser, f"{base_url}/data?corpus=..%2Fetc", ready_selector='[data-testid="stAlert"]')
    try:
        assert "names a corpus that is not here" in page.inner_text("body")
        no_traceback(page)
    finally:
        page.close()

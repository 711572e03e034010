"""Real-browser tests: the served dashboard shows the sample corpus, and hostile text stays text."""

import json

import pytest

from analysis.ingest import ingest
from analysis.store import Store
from tests.conftest import SAMPLE
from tests.e2e.conftest import nothing_injected, open_page, serve

pytestmark = pytest.mark.browser

HOSTILE_TITLE = '<script>window.__injected = 1</script> [Click me](https://evil.example/) <img src=x onerror="window.__injected=2">'
HOSTILE_OUTLET = "**Bold** <b>Outlet</b>"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("served")
    store_path = folder / "served.duckdb"
    hostile = folder / "hostile.jsonl"
    hostile.write_text(
        json.dumps(
            {
                "title": HOSTILE_TITLE,
                "outlet": HOSTILE_OUTLET,
                "published": "2011-01-05",
                "text": "An ordinary first sentence about a council vote. <script>window.__injected = 3</script> "
                "Then [a link](javascript:alert(1)) and ![an image](https://evil.example/x.png).",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    with Store.open(store_path) as store:
        assert ingest([str(SAMPLE), str(hostile)], store=store).added == 4
        articles = store.articles()
    hostile_id = articles.loc[articles["outlet"] == HOSTILE_OUTLET, "article_id"].item()
    process, base_url = serve(store_path, folder / "streamlit.log")
    yield base_url, hostile_id
    process.terminate()
    process.wait(timeout=30)


def test_overview_shows_the_three_sample_outlets(browser, server):
    base_url, _ = server
    page = open_page(browser, base_url + "/", ready_selector='[data-testid="stVegaLiteChart"]')
    try:
        text = page.inner_text("body")
        assert "Coverage Lens" in text
        for outlet in ("The Telegraph", "CBS News", "U.S. News & World Report"):
            # The chart legend is drawn as text in the page; the tables are canvases.
            assert outlet in text, outlet
        assert "Traceback" not in text
    finally:
        page.close()


def test_outlet_filter_link_reopens_the_same_view(browser, server):
    base_url, _ = server
    page = open_page(browser, base_url + "/?outlet=CBS+News&freq=month", ready_selector='[data-testid="stVegaLiteChart"]')
    try:
        metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
        assert metrics[:2] == ["1", "1"]
        assert "outlet=CBS+News" in page.url and "freq=month" in page.url
    finally:
        page.close()


def test_hostile_article_text_is_shown_as_text(browser, server):
    base_url, hostile_id = server
    page = open_page(browser, f"{base_url}/article?article={hostile_id}", ready_selector="h1")
    try:
        nothing_injected(page)
        heading = page.locator("h1").first.inner_text()
        assert "<script>" in heading and "[Click me]" in heading
    finally:
        page.close()

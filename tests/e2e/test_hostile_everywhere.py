"""Hostile text stays text on every page, in a real browser.

A hostile article (HTML, ``<script>``, Markdown links and images, an ``<img onerror>``, control
characters, a very long line and a very long word) from a hostile outlet is ingested beside the
three seed articles, into the seed event: it mixes paragraphs of the Telegraph and CBS articles,
so the analysis puts it in their event and its claims are matched with theirs. Every page is
opened with state that shows it, and must show the markup literally without running or
rendering any of it.
"""

import json
from urllib.parse import urlencode

import pytest

from analysis.ingest import ingest
from analysis.pipeline import analyze
from analysis.store import Store
from tests.conftest import SAMPLE
from tests.e2e.conftest import no_traceback, open_page, screenshot, serve

pytestmark = pytest.mark.browser

CHART = '[data-testid="stVegaLiteChart"]'
TITLE = ('<script>window.__injected = 11</script> [Click me](https://evil.example/t) '
         '<img src=x onerror="window.__injected=12"> Assange hunt')
OUTLET = '**Evil** <b>Outlet</b> [Evil](https://evil.example/o) <script>window.__injected=13</script>'
SCRIPT_CLAIM = ("Mark Stephens said the red notice was <script>window.__injected = 14</script> a "
                "[Click me](https://evil.example/c) persecution of Julian Assange.")
HOSTILE_PARAGRAPHS = [
    SCRIPT_CLAIM,
    'Interpol said the alert ![an image](https://evil.example/i.png) <img src=x onerror="window.__injected=15"> '
    "was sent to police \x07\x1b[31m forces in Sweden.",
    "Swedish prosecutors said Assange " + " ".join(["was wanted"] * 400) + " in Sweden.",
    "The lawyer said the token " + "Z" * 600 + " proved nothing about the case.",
]
# What a reader must see literally where the hostile title, outlet or claim is shown.
MARKERS = ("<script>window.__injected", "[Click me](https://evil.example", "<b>Outlet</b>")


def _hostile_text() -> str:
    telegraph = (SAMPLE / "000_0efe080f883082e1.txt").read_text(encoding="utf-8").split("\n\n")
    cbs = (SAMPLE / "001_5ac85820ef2cef28.txt").read_text(encoding="utf-8").split("\n\n")
    return "\n\n".join(telegraph[1:4] + cbs[2:4] + HOSTILE_PARAGRAPHS[:2] + telegraph[9:11] + cbs[16:19]
                       + HOSTILE_PARAGRAPHS[2:])


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The dashboard served over the seeds plus the hostile article, analysed. Yields a dict:
    ``base_url``, ``article`` (the hostile one), ``telegraph``, ``event`` (theirs), ``claim`` (a
    hostile claim with a ``<script>`` in it)."""
    folder = tmp_path_factory.mktemp("hostile_everywhere")
    records = folder / "hostile.jsonl"
    records.write_text(json.dumps({"title": TITLE, "outlet": OUTLET, "published": "2010-12-01",
                                   "text": _hostile_text()}) + "\n", encoding="utf-8")
    store_path = folder / "hostile.duckdb"
    with Store.open(store_path) as store:
        assert ingest([str(SAMPLE), str(records)], store=store).added == 4
        analyze(store)
        articles, claims = store.articles(), store.claims()
        article = articles.loc[articles["outlet"] == OUTLET, "article_id"].item()
        telegraph = articles.loc[articles["outlet"] == "The Telegraph", "article_id"].item()
        event = store.events_of([article])[0]
        assert store.events_of([telegraph]) == [event], "the hostile article must share the seed event"
    hostile_claims = claims[(claims["article_id"] == article) & claims["text"].str.contains("<script>", regex=False)]
    assert len(hostile_claims), "the hostile sentence must become a claim"
    process, base_url = serve(store_path, folder / "streamlit.log")
    yield {"base_url": base_url, "article": article, "telegraph": telegraph, "event": event,
           "claim": hostile_claims["claim_id"].iloc[0]}
    process.terminate()
    process.wait(timeout=30)


def assert_inert(page) -> None:
    """Nothing of the hostile markup ran or became an element; no traceback."""
    assert page.evaluate("window.__injected") is None
    for selector in ('a[href^="https://evil.example"]', 'a[href^="javascript:"]', 'img[src="x"]',
                     'img[src^="https://evil.example"]', '[src^="https://evil.example"]', "[onerror]"):
        assert page.locator(selector).count() == 0, selector
    assert page.locator("b", has_text="Outlet").count() == 0, "<b> in an outlet name became bold"
    assert page.locator("strong", has_text="Evil").count() == 0, "** in an outlet name became bold"
    assert page.evaluate("[...document.scripts].filter(s => s.textContent.includes('__injected')).length") == 0
    # A 600-character word and a 4,000-character line wrap inside the page.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    no_traceback(page)


def wait_for_text(page, *texts: str) -> None:
    """Wait until the page shows each of ``texts`` (Streamlit draws some elements, such as
    st.html, a moment after the script has finished)."""
    for text in texts:
        page.wait_for_function("(text) => document.body.innerText.includes(text)", arg=text, timeout=30_000)


def _open(browser, hostile, path: str, ready: str = '[data-testid="stMain"]', **params):
    return open_page(browser, f"{hostile['base_url']}{path}?{urlencode(params, doseq=True)}", ready_selector=ready)


def test_overview_with_the_hostile_outlet_chosen(browser, hostile):
    page = _open(browser, hostile, "/", CHART, outlet=OUTLET)
    try:
        wait_for_text(page, "<b>Outlet</b>")
        assert_inert(page)
        assert page.locator('[data-testid="stMetricValue"]').first.inner_text() == "1"
        screenshot(page, "hostile_overview")
    finally:
        page.close()


def _hover_tooltip(page, needle: str) -> str | None:
    """Move over the first chart until a tooltip naming ``needle`` shows; its HTML, or None."""
    box = page.locator(CHART).first.bounding_box()
    tooltip = page.locator("#vg-tooltip-element")
    for row in range(1, 12):
        for column in range(1, 24):
            page.mouse.move(box["x"] + box["width"] * column / 24, box["y"] + box["height"] * row / 12)
            if tooltip.count() and tooltip.is_visible() and needle in tooltip.inner_text():
                return tooltip.inner_html()
    return None


@pytest.mark.parametrize("section", ["articles", "claims", "quotes", "framing"])
def test_event_sections_show_the_hostile_outlet_as_text(browser, hostile, section):
    page = _open(browser, hostile, "/event", CHART, event=hostile["event"], section=section)
    try:
        # The event's label is the hostile title; charts and tables name the hostile outlet.
        wait_for_text(page, "<script>window.__injected", *(["<b>Outlet</b>"] if section != "articles" else []))
        assert_inert(page)
        if section == "articles":
            # Chart tooltips escape the outlet name too.
            tooltip = _hover_tooltip(page, "<b>Outlet</b>")
            assert tooltip is not None, "no tooltip named the hostile outlet"
            assert "&lt;b&gt;Outlet&lt;/b&gt;" in tooltip and "<script" not in tooltip
            assert_inert(page)
        screenshot(page, f"hostile_event_{section}")
    finally:
        page.close()


def test_compare_shows_the_hostile_title_outlet_and_sentences_as_text(browser, hostile):
    page = _open(browser, hostile, "/compare", CHART, event=hostile["event"], a=hostile["article"],
                 b=hostile["telegraph"])
    try:
        wait_for_text(page, *MARKERS, "Z" * 600)
        assert_inert(page)
        text = page.inner_text("body")
        assert SCRIPT_CLAIM in " ".join(text.split())
        assert "![an image](https://evil.example/i.png)" in text
        screenshot(page, "hostile_compare")
        # The outlet chooser lists the hostile outlet as a plain option.
        page.locator('[data-testid="stSelectbox"]').nth(1).click()
        options = page.locator('[role="option"]')
        options.first.wait_for(timeout=10_000)
        assert OUTLET in options.all_inner_texts()
        assert_inert(page)
        screenshot(page, "hostile_compare_outlet_options")
    finally:
        page.close()


@pytest.mark.parametrize("tab", ["events", "voices", "labels"])
def test_outlets_profile_of_the_hostile_outlet(browser, hostile, tab):
    page = _open(browser, hostile, "/outlets", "h1", outlet=OUTLET, tab=tab)
    try:
        wait_for_text(page, OUTLET)
        assert_inert(page)
        assert OUTLET in page.locator("h1").all_inner_texts()
        screenshot(page, f"hostile_outlets_{tab}")
    finally:
        page.close()


def test_claims_search_and_detail_show_the_hostile_claim_as_text(browser, hostile):
    page = _open(browser, hostile, "/claims", "text=Who carried this claim", q="evil.example", claim=hostile["claim"])
    try:
        wait_for_text(page, *MARKERS)
        assert_inert(page)
        assert SCRIPT_CLAIM in " ".join(page.inner_text("body").split())
        assert page.locator('[data-testid="stDataFrame"]').count() >= 1
        screenshot(page, "hostile_claims")
    finally:
        page.close()


def test_article_shows_the_hostile_article_as_text(browser, hostile):
    page = _open(browser, hostile, "/article", "h1", article=hostile["article"])
    try:
        wait_for_text(page, *MARKERS, "Z" * 600)
        assert_inert(page)
        assert page.locator("h1").first.inner_text() == TITLE
        screenshot(page, "hostile_article")
    finally:
        page.close()

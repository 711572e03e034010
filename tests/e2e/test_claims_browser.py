"""The Claims page in a real browser: a link opens a search and a claim's wordings, a new search
and a selected row write the link, the link reopens the view, and hostile text stays text."""

from urllib.parse import parse_qs, quote, urlsplit

import pytest
from playwright.sync_api import expect

from analysis.store import Store
from tests.e2e.conftest import no_traceback, open_page, screenshot

pytestmark = pytest.mark.browser

FIRST = "First reported by CBS News and The Telegraph on 2010-12-01"


def _query(page) -> dict:
    return parse_qs(urlsplit(page.url).query)


def _settle(page) -> None:
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=30_000)


@pytest.fixture(scope="module")
def persecution_group(served):
    _, store_path, _ = served
    with Store.open(store_path, read_only=True) as store:
        found = store.search_claims(["persecution and not a prosecution"])
    return found["claim_group"].iloc[0]


def test_claim_link_shows_both_wordings_and_who_was_first(browser, served, persecution_group):
    base_url, _, _ = served
    page = open_page(browser, f"{base_url}/claims?q=persecution&claim={persecution_group}",
                     ready_selector='[data-testid="stVegaLiteChart"]')
    try:
        no_traceback(page)
        text = page.inner_text("body")
        assert FIRST in text and "a tie" in text
        highlighted = page.locator('span[style*="background"]').all_inner_texts()
        assert len(highlighted) >= 2 and all("persecution" in part.lower() for part in highlighted)
        assert "and not a prosecution" in text and "and prosecution" in text
        screenshot(page, "claims")
    finally:
        page.close()


def test_search_and_row_selection_write_the_link_and_the_link_reopens_the_view(browser, served):
    base_url, _, _ = served
    page = open_page(browser, f"{base_url}/claims", ready_selector='[data-testid="stTextInput"]')
    try:
        assert "type words" in page.inner_text("body")
        box = page.get_by_label("Search claims and quotes")
        box.fill("whereabouts")
        box.press("Enter")
        page.wait_for_url("**q=whereabouts**", timeout=30_000)
        _settle(page)
        assert _query(page) == {"q": ["whereabouts"]}
        page.wait_for_selector('[data-testid="stDataFrame"]', timeout=30_000)
        # Select the first result row (the grid is a canvas: click its row-marker column).
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.scroll_into_view_if_needed()
        bounds = grid.bounding_box()
        page.mouse.move(bounds["x"] + 20, bounds["y"] + 55)
        page.mouse.click(bounds["x"] + 20, bounds["y"] + 55)
        page.wait_for_url("**claim=**", timeout=30_000)
        _settle(page)
        assert _query(page)["q"] == ["whereabouts"] and _query(page)["claim"][0].startswith("c-")
        page.wait_for_selector("text=First reported by", timeout=30_000)
        link = page.url
    finally:
        page.close()
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    try:
        fresh = context.new_page()
        fresh.goto(link)
        fresh.wait_for_selector("text=First reported by", timeout=60_000)
        no_traceback(fresh)
        expect(fresh.get_by_label("Search claims and quotes")).to_have_value("whereabouts")
        text = fresh.inner_text("body")
        assert FIRST in text
        assert "exact whereabouts remain unknown" in text and "precise location remains unknown" in text
    finally:
        context.close()


def test_hostile_search_and_claim_in_a_link_stay_text(browser, served):
    base_url, _, _ = served
    hostile_query = "<script>window.__injected=7</script> [x](https://evil.example/)"
    hostile_claim = '<img src=x onerror="window.__injected=8">'
    page = open_page(browser, f"{base_url}/claims?q={quote(hostile_query)}&claim={quote(hostile_claim)}",
                     ready_selector='[data-testid="stAlert"]')
    try:
        no_traceback(page)
        assert page.evaluate("window.__injected") is None
        assert page.locator('a[href^="https://evil.example"]').count() == 0
        assert page.locator('img[src="x"]').count() == 0
        # Retried until drawn: the box can get its value a moment after the script reports done.
        expect(page.get_by_label("Search claims and quotes")).to_have_value(hostile_query)
        alerts = " ".join(page.locator('[data-testid="stAlert"]').all_inner_texts())
        assert "not in this corpus" in alerts and "onerror" in alerts
    finally:
        page.close()

"""The Outlets page in a real browser: a link opens one outlet's profile, tabs write the link,
the link reopens the view, and hostile outlet names stay text."""

from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tests.e2e.conftest import HOSTILE_OUTLET, no_traceback, open_page, screenshot

pytestmark = pytest.mark.browser

TITLE = '[data-testid="stMain"] h1'


def _outlet_title(page) -> str:
    """The outlet's name, the page's second heading (the first is the page title)."""
    heading = page.locator(TITLE).nth(1)
    heading.wait_for(timeout=30_000)
    return heading.inner_text()


def _query(page) -> dict:
    return parse_qs(urlsplit(page.url).query)


def _no_injection(page) -> None:
    assert page.evaluate("window.__injected") is None
    assert page.locator('a[href^="https://evil.example"]').count() == 0
    assert page.locator('a[href^="javascript:"]').count() == 0


def test_outlet_link_opens_the_voices_tab(browser, served):
    base_url, _, _ = served
    page = open_page(browser, f"{base_url}/outlets?outlet=The+Telegraph&tab=voices",
                     ready_selector='[data-testid="stVegaLiteChart"]')
    try:
        no_traceback(page)
        assert _outlet_title(page) == "The Telegraph"
        text = page.inner_text("body")
        assert "Most quoted: Mark Stephens" in text
        assert page.get_by_role("tab", name="Voices").get_attribute("aria-selected") == "true"
        screenshot(page, "outlets")
    finally:
        page.close()


def test_switching_tabs_writes_the_link_and_the_link_reopens_the_view(browser, served):
    base_url, _, _ = served
    page = open_page(browser, f"{base_url}/outlets?outlet=The+Telegraph")
    try:
        page.get_by_role("tab", name="Actor labels").click()
        page.wait_for_url("**tab=labels**", timeout=30_000)
        page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=30_000)
        assert _query(page) == {"outlet": ["The Telegraph"], "tab": ["labels"]}
        link = page.url
    finally:
        page.close()
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    try:
        fresh = context.new_page()
        fresh.goto(link)
        fresh.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
        no_traceback(fresh)
        assert _outlet_title(fresh) == "The Telegraph"
        assert fresh.get_by_role("tab", name="Actor labels").get_attribute("aria-selected") == "true"
        assert "Labels other outlets use for the same actors" in fresh.inner_text("body")
        screenshot(fresh, "outlets_labels")
    finally:
        context.close()


def test_hostile_outlet_name_is_shown_as_text(browser, served):
    base_url, _, _ = served
    page = open_page(browser, f"{base_url}/outlets?outlet={quote(HOSTILE_OUTLET)}", ready_selector=TITLE)
    try:
        no_traceback(page)
        _no_injection(page)
        assert _outlet_title(page) == HOSTILE_OUTLET
        assert page.locator('[data-testid="stMain"] b').count() == 0
    finally:
        page.close()


def test_hostile_unknown_outlet_in_a_link_is_explained_as_text(browser, served):
    base_url, _, _ = served
    hostile = '<img src=x onerror="window.__injected=9"> [evil](https://evil.example/)'
    page = open_page(browser, f"{base_url}/outlets?outlet={quote(hostile)}",
                     ready_selector='[data-testid="stAlert"]')
    try:
        no_traceback(page)
        _no_injection(page)
        assert page.locator('img[src="x"]').count() == 0
        alert = page.locator('[data-testid="stAlert"]').first.inner_text()
        assert "not in this corpus" in alert and "onerror" in alert
        assert page.get_by_text("Choose an outlet").count() >= 1
    finally:
        page.close()


def test_selecting_a_covered_event_opens_it_on_the_event_page(browser, served):
    base_url, _, _ = served
    page = open_page(browser, f"{base_url}/outlets?outlet=CBS+News", ready_selector='[data-testid="stDataFrame"]')
    try:
        # The grid is a canvas: click the first row's row-marker column.
        grid = page.locator('[data-testid="stDataFrame"]').first
        bounds = grid.bounding_box()
        page.mouse.move(bounds["x"] + 20, bounds["y"] + 55)
        page.mouse.click(bounds["x"] + 20, bounds["y"] + 55)
        page.wait_for_url("**/event?**", timeout=30_000)
        query = _query(page)
        assert query["outlet"] == ["CBS News"] and query["event"][0].startswith("e-")
    finally:
        page.close()

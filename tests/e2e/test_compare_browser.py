"""Compare page in a real browser: two seed articles side by side from a link, swapping the sides
updates the URL, the URL reopens the same view in a fresh browser, and hostile text stays text."""

import re

import pytest
from playwright.sync_api import expect

from analysis.charts import HIGHLIGHT_COLORS
from analysis.store import Store
from tests.e2e.conftest import no_traceback, nothing_injected, open_page, screenshot

pytestmark = pytest.mark.browser

HIGHLIGHTED = 'p[style*="line-height:1.6"]'


def _articles(store_path) -> dict[str, str]:
    with Store.open(store_path, read_only=True) as store:
        return store.articles().set_index("outlet")["article_id"].to_dict()


def _rgb(colour: str) -> str:
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def _outlet_a(page):
    # Checked with Playwright's retrying expect: a widget's value can be filled in just after
    # the script reports it is done.
    return page.get_by_role("combobox", name="Outlet A")


def test_two_articles_side_by_side_with_sentences_highlighted(browser, served):
    base_url, store_path, _ = served
    ids = _articles(store_path)
    page = open_page(browser, f"{base_url}/compare?a={ids['The Telegraph']}&b={ids['CBS News']}",
                     ready_selector=HIGHLIGHTED)
    try:
        no_traceback(page)
        sides = page.locator(HIGHLIGHTED)
        assert sides.count() == 2
        whereabouts = sides.nth(0).locator("span", has_text="precise location remains unknown")
        assert whereabouts.evaluate("span => getComputedStyle(span).backgroundColor") == _rgb(HIGHLIGHT_COLORS["reworded"])
        assert "188 countries" in sides.nth(0).inner_text()
        assert sides.nth(0).locator("span", has_text="188 countries").count() == 0  # only this article says it
        text = page.inner_text("body")
        assert "Claims only A carries" in text and "Claims only B carries" in text
        assert "event=" in page.url and "outlet=The+Telegraph" in page.url
        screenshot(page, "compare")
    finally:
        page.close()


def test_swapping_sides_updates_the_url_and_the_link_reopens_it(browser, served):
    base_url, store_path, _ = served
    ids = _articles(store_path)
    page = open_page(browser, f"{base_url}/compare?a={ids['The Telegraph']}&b={ids['CBS News']}",
                     ready_selector=HIGHLIGHTED)
    try:
        expect(_outlet_a(page)).to_have_value("The Telegraph")
        page.get_by_role("button", name="Swap A and B").click()
        page.wait_for_url(re.compile(rf"a={ids['CBS News']}"), timeout=30_000)
        page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=60_000)
        assert f"b={ids['The Telegraph']}" in page.url
        link = page.url
    finally:
        page.close()
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    try:
        fresh = context.new_page()
        fresh.goto(link)
        fresh.wait_for_selector(HIGHLIGHTED, timeout=60_000)
        fresh.wait_for_selector('[data-test-script-state="notRunning"]', timeout=60_000)
        no_traceback(fresh)
        expect(_outlet_a(fresh)).to_have_value("CBS News")
        assert "exact whereabouts remain unknown" in fresh.locator(HIGHLIGHTED).nth(0).inner_text()
    finally:
        context.close()


def test_stale_article_link_is_friendly(browser, served):
    base_url, _, _ = served
    page = open_page(browser, f"{base_url}/compare?a=ffffffffffffffff&b=0", ready_selector='[data-testid="stAlert"]')
    try:
        no_traceback(page)
        assert "There is no article" in page.inner_text("body")
        assert page.get_by_text("Start a new comparison").count() >= 1
    finally:
        page.close()


def test_hostile_article_is_compared_as_text(browser, served):
    base_url, store_path, hostile_id = served
    ids = _articles(store_path)
    page = open_page(browser, f"{base_url}/compare?a={hostile_id}&b={ids['The Telegraph']}", ready_selector=HIGHLIGHTED)
    try:
        no_traceback(page)
        nothing_injected(page)
        hostile_side = page.locator(HIGHLIGHTED).nth(0).inner_text()
        assert "<script>window.__injected = 3</script>" in hostile_side
        assert "[a link](javascript:alert(1))" in hostile_side
        assert "different events" in page.inner_text("body")
    finally:
        page.close()

"""Event page in a real browser: opened from a link with state, a changed section lands in the URL,
the URL reopens the same view in a fresh browser, and hostile text stays text."""

import re

import pytest

from analysis.store import Store
from tests.e2e.conftest import HOSTILE_TITLE, no_traceback, open_page, screenshot

pytestmark = pytest.mark.browser

CHART = '[data-testid="stVegaLiteChart"]'


def _event_of(store_path, article_id=None) -> str:
    with Store.open(store_path, read_only=True) as store:
        if article_id is None:
            events = store.events()
            return events.loc[events["outlets"] == 2, "event_id"].item()
        return store.events_of([article_id])[0]


def _label(store_path, event_id) -> str:
    with Store.open(store_path, read_only=True) as store:
        events = store.events()
    return events.loc[events["event_id"] == event_id, "label"].item()


def _checked_section(page) -> str:
    return page.locator('[data-testid="stRadio"] label:has(input:checked)').inner_text().strip()


def test_event_link_with_state_shows_the_claims(browser, served):
    base_url, store_path, _ = served
    event_id = _event_of(store_path)
    page = open_page(browser, f"{base_url}/event?event={event_id}&section=claims&outlet=CBS+News&outlet=The+Telegraph",
                     ready_selector=CHART)
    try:
        no_traceback(page)
        assert page.locator("h1").first.inner_text() == _label(store_path, event_id)
        assert "Assange" in _label(store_path, event_id)
        assert _checked_section(page) == "Claims"
        text = page.inner_text("body")
        for heading in ("Shared claims", "Claims only one outlet carries", "Claims an outlet omits",
                        "Conflicting figures", "Which outlets carry each claim"):
            assert heading in text, heading
        assert page.locator('[data-testid="stDataFrame"]').count() >= 4
        assert "outlet=CBS+News" in page.url and "section=claims" in page.url
        screenshot(page, "event")
    finally:
        page.close()


def test_changing_the_section_updates_the_url_and_the_link_reopens_it(browser, served):
    base_url, store_path, _ = served
    event_id = _event_of(store_path)
    page = open_page(browser, f"{base_url}/event?event={event_id}", ready_selector=CHART)
    try:
        assert _checked_section(page) == "Articles and similarity"
        page.locator('[data-testid="stRadio"] label', has_text="Quotes").click()
        page.wait_for_url(re.compile(r"section=quotes"), timeout=30_000)
        page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=60_000)
        page.wait_for_selector(CHART, timeout=60_000)
        assert "Quoted words by speaker and outlet" in page.inner_text("body")
        link = page.url
    finally:
        page.close()
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    try:
        fresh = context.new_page()
        fresh.goto(link)
        fresh.wait_for_selector(CHART, timeout=60_000)
        fresh.wait_for_selector('[data-test-script-state="notRunning"]', timeout=60_000)
        assert _checked_section(fresh) == "Quotes"
        assert "Quoted words by speaker and outlet" in fresh.inner_text("body")
        assert f"event={event_id}" in fresh.url
        no_traceback(fresh)
    finally:
        context.close()


def test_stale_event_link_is_friendly(browser, served):
    base_url, _, _ = served
    page = open_page(browser, f"{base_url}/event?event=e-000000000000", ready_selector='[data-testid="stAlert"]')
    try:
        no_traceback(page)
        assert "There is no event" in page.inner_text("body")
        assert page.get_by_text("Pick an event").count() >= 1
    finally:
        page.close()


def test_hostile_event_text_is_shown_as_text(browser, served):
    base_url, store_path, hostile_id = served
    event_id = _event_of(store_path, hostile_id)
    page = open_page(browser, f"{base_url}/event?event={event_id}", ready_selector="h1")
    try:
        no_traceback(page)
        assert page.evaluate("window.__injected") is None
        assert page.locator('a[href^="https://evil.example"]').count() == 0
        assert page.locator('img[src="x"]').count() == 0
        assert page.locator("h1").first.inner_text() == HOSTILE_TITLE
    finally:
        page.close()


def test_two_selected_articles_open_side_by_side_on_compare(browser, served):
    base_url, store_path, _ = served
    event_id = _event_of(store_path)
    page = open_page(browser, f"{base_url}/event?event={event_id}", ready_selector=CHART)
    try:
        grid = page.locator('[data-testid="stDataFrame"]').nth(1)  # the first is the chart's table
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        for row in (1, 2):  # the row-selection column, below the 35-pixel header
            page.mouse.click(box["x"] + 18, box["y"] + 35 * row + 17)
            page.wait_for_timeout(500)
        link = page.get_by_role("link", name="Compare the two selected articles")
        link.wait_for(timeout=30_000)
        link.click()
        page.wait_for_url(re.compile(r"/compare\?.*a=.*b="), timeout=30_000)
        page.wait_for_selector('p[style*="line-height:1.6"]', timeout=60_000)
        no_traceback(page)
        assert f"event={event_id}" in page.url
        assert page.locator('p[style*="line-height:1.6"]').count() == 2
    finally:
        page.close()

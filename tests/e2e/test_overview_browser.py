"""The Overview in a real browser over the served analysed store: state in the URL, a pasted link
reopens the same view, CSV downloads work, hostile text stays text."""

import csv
import io

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import HOSTILE_OUTLET, no_traceback, nothing_injected, open_page, screenshot

pytestmark = pytest.mark.browser

CHART = '[data-testid="stVegaLiteChart"]'


def _metrics(page) -> dict[str, str]:
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    return dict(zip((label.strip() for label in labels), values))


def test_overview_shows_the_corpus_events_and_no_injected_markup(browser, served):
    base_url, _, _ = served
    page = open_page(browser, base_url + "/", ready_selector=CHART)
    try:
        metrics = _metrics(page)
        assert (metrics["Articles"], metrics["Outlets"]) == ("4", "4")
        text = page.inner_text("body")
        for heading in ("Coverage over time", "Events covered by the most outlets", "Blind spots", "Outlets",
                        "Articles"):
            assert heading in text
        assert "No blind spots" in text  # no event of the seeds reaches three outlets
        assert HOSTILE_OUTLET in text  # the chart legend shows the outlet's name as it is
        screenshot(page, "overview")
        no_traceback(page)
        nothing_injected(page)
    finally:
        page.close()


def test_changing_the_view_updates_the_link_and_the_link_reopens_it(browser, served):
    base_url, _, _ = served
    page = open_page(browser, base_url + "/?outlet=CBS+News&outlet=The+Telegraph", ready_selector=CHART)
    try:
        assert _metrics(page)["Articles"] == "2"
        page.get_by_role("combobox", name="Time bins").click()
        page.get_by_role("option", name="year").click()
        page.wait_for_url("**freq=year**", timeout=30_000)
        page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=60_000)
        link = page.url
        assert "outlet=CBS+News" in link and "outlet=The+Telegraph" in link
    finally:
        page.close()
    again = open_page(browser, link, ready_selector=CHART)  # a new browser context
    try:
        assert _metrics(again)["Articles"] == "2" and _metrics(again)["Outlets"] == "2"
        expect(again.get_by_role("combobox", name="Time bins")).to_have_value("year")
        tags = again.locator('[data-testid="stMultiSelect"] [aria-label^="Remove "]')
        chosen = {tags.nth(n).get_attribute("aria-label").removeprefix("Remove ") for n in range(tags.count())}
        assert chosen == {"CBS News", "The Telegraph"}
        assert "Published (year)" in again.inner_text("body")  # the chart's axis title
        no_traceback(again)
    finally:
        again.close()


def test_tables_download_as_csv(browser, served):
    base_url, _, hostile_id = served
    page = open_page(browser, base_url + "/", ready_selector=CHART)
    try:
        with page.expect_download() as download_info:
            page.locator(".st-key-overview_events_csv button").click()
        download = download_info.value
        assert download.suggested_filename == "events_by_outlets.csv"
        rows = list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8"))))
        assert [row["outlets"] for row in rows][:1] == ["2"]
        assert rows[0]["outlet_names"] == "CBS News, The Telegraph"

        with page.expect_download() as download_info:
            page.locator(".st-key-overview_articles_csv button").click()
        articles = list(csv.DictReader(io.StringIO(download_info.value.path().read_text(encoding="utf-8"))))
        assert len(articles) == 4 and hostile_id in {row["article_id"] for row in articles}
        assert {row["outlet"] for row in articles} >= {HOSTILE_OUTLET, "CBS News"}
    finally:
        page.close()


def test_unknown_outlet_and_bad_frequency_in_the_link_are_explained(browser, served):
    base_url, _, _ = served
    page = open_page(browser, base_url + "/?outlet=Nobody&freq=fortnight", ready_selector=CHART)
    try:
        text = page.inner_text("body")
        assert "Nobody" in text and "fortnight" in text
        assert _metrics(page)["Articles"] == "4"
        no_traceback(page)
    finally:
        page.close()

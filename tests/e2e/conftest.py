"""A real Streamlit server on 127.0.0.1 and a real headless Chromium driving it."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLE

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(store_path: Path, log_path: Path):
    """Start the dashboard on a free 127.0.0.1 port; return (process, base_url)."""
    port = _free_port()
    environment = {**os.environ, "COVERAGE_LENS_DB": str(store_path)}
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard" / "streamlit_app.py"),
            "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
            "--browser.gatherUsageStats", "false",
        ],
        cwd=REPO, env=environment, stdout=log, stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return process, base_url
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"streamlit did not start within 60 s:\n{log_path.read_text()}")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("Debian chromium is not installed (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def open_page(browser, url: str, *, ready_selector: str = '[data-testid="stMain"]'):
    """A fresh page at ``url``, once Streamlit has run the script and drawn ``ready_selector``."""
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.goto(url)
    page.wait_for_selector(ready_selector, timeout=60_000)
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=60_000)
    return page


ARTIFACTS = REPO / "tests" / "artifacts"

# Hostile text, ingested beside the sample: every page must show it as text.
HOSTILE_TITLE = ('<script>window.__injected = 1</script> [Click me](https://evil.example/) '
                 '<img src=x onerror="window.__injected=2">')
HOSTILE_OUTLET = "**Bold** <b>Outlet</b>"
HOSTILE_TEXT = ("An ordinary first sentence about a council vote. <script>window.__injected = 3</script> "
                "Then [a link](javascript:alert(1)) and ![an image](https://evil.example/x.png).")


@pytest.fixture(scope="session")
def served(tmp_path_factory):
    """One dashboard served on 127.0.0.1 for the whole session over an analysed store: the three
    sample articles plus one hostile article. Yields ``(base_url, store_path, hostile_id)``;
    tests must not write to the store."""
    import json

    from analysis.ingest import ingest
    from analysis.pipeline import analyze
    from analysis.store import Store

    folder = tmp_path_factory.mktemp("served_analyzed")
    store_path = folder / "served.duckdb"
    hostile = folder / "hostile.jsonl"
    hostile.write_text(json.dumps({"title": HOSTILE_TITLE, "outlet": HOSTILE_OUTLET, "published": "2011-01-05",
                                   "text": HOSTILE_TEXT}) + "\n", encoding="utf-8")
    with Store.open(store_path) as store:
        assert ingest([str(SAMPLE), str(hostile)], store=store).added == 4
        analyze(store)
        articles = store.articles()
    hostile_id = articles.loc[articles["outlet"] == HOSTILE_OUTLET, "article_id"].item()
    process, base_url = serve(store_path, folder / "streamlit.log")
    yield base_url, store_path, hostile_id
    process.terminate()
    process.wait(timeout=30)


def screenshot(page, name: str) -> None:
    """Save what the user sees under tests/artifacts/ (ignored by git)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def no_traceback(page) -> None:
    text = page.inner_text("body")
    assert "Traceback" not in text and "StreamlitAPIException" not in text, text[:2000]
    assert page.locator('[data-testid="stException"]').count() == 0


def nothing_injected(page) -> None:
    """The hostile article's markup neither ran nor became a link or an image."""
    assert page.evaluate("window.__injected") is None
    assert page.locator('a[href^="https://evil.example"]').count() == 0
    assert page.locator('a[href^="javascript:"]').count() == 0
    assert page.locator('img[src="x"]').count() == 0

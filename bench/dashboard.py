"""Dashboard speed on the analysed 37,554-article corpus: every page's server render (AppTest)
cold and warm, and a real-browser page load (Chromium against a served dashboard).

Targets (issue 6): each page's server render under 1.5 s after the first (warm: the bounded
``st.cache_data`` caches filled) and under 5 s cold (fresh caches, a fresh store connection).

The store: ``--store PATH`` (an analysed store, opened read-only), else one built once by this
script under ``bench/.cache/`` (ingest of article_bias_prediction, then ``analyze``; about ten
minutes on two cores, printed) and reused afterwards.

Each page opens with the state a pasted link carries: the event with the most outlets, the outlet
with the most articles, a claim search, the two largest articles of that event to compare.
Beside them, in the same process, a baseline: a page that draws one line of text (what AppTest
and Streamlit cost before any page work), so the page figures read as multiples of it.

    python bench/dashboard.py [--store PATH] [--warm-runs N] [--no-browser]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench._common import ARTICLE_BIAS, print_table, require  # noqa: E402

CACHE = REPO / "bench" / ".cache"
APP = REPO / "dashboard" / "streamlit_app.py"
COLD_TARGET, WARM_TARGET = 5.0, 1.5


def build_store(path: Path) -> float:
    """Ingest the corpus and analyse it into ``path``; seconds taken."""
    from analysis.ingest import ingest
    from analysis.pipeline import analyze
    from analysis.store import Store

    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.duckdb")
    partial.unlink(missing_ok=True)
    with Store.open(partial) as store:
        ingest([str(require(ARTICLE_BIAS))], store=store)
        analyze(store)
    partial.rename(path)
    return time.perf_counter() - started


def page_states(store_path: Path) -> dict[str, dict[str, str | list[str]]]:
    """What a pasted link to each page would carry on this corpus."""
    from analysis.store import Store

    with Store.open(store_path, read_only=True) as store:
        events = store.events()
        event = events.sort_values(["outlets", "articles"], ascending=False).iloc[0]
        members = store.connection.execute(
            "SELECT a.article_id, a.outlet FROM article_events e JOIN articles a USING (article_id) "
            "WHERE e.event_id = ? ORDER BY length(a.text) DESC", [event["event_id"]]).df()
        outlet = store.outlet_counts().iloc[0]["outlet"]
        article = members.iloc[0]["article_id"]
        other = members[members["outlet"] != members.iloc[0]["outlet"]].iloc[0]["article_id"]
    return {
        "overview": {},
        "event": {"event": event["event_id"]},
        "compare": {"event": event["event_id"], "a": article, "b": other},
        "outlets": {"outlet": outlet},
        "claims": {"q": "president"},
        "data": {},
        "article": {"article": article},
    }


def _baseline_script(folder: Path) -> Path:
    script = folder / "baseline_page.py"
    script.write_text("import streamlit as st\n\nst.text('baseline')\n")
    return script


def apptest_timings(store_path: Path, states: dict, warm_runs: int) -> list[list[object]]:
    """Per page: cold render (fresh caches), then the median of ``warm_runs`` renders."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from dashboard.ui import PAGES

    os.environ["COVERAGE_LENS_DB"] = str(store_path)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        baseline = _baseline_script(Path(folder))
        targets = [("baseline (one line of text)", str(baseline), None, {})]
        targets += [(page, str(APP), PAGES[page], state) for page, state in states.items()]
        floor = None
        for name, script, page, state in targets:
            st.cache_data.clear()
            times, problems = [], []
            for _ in range(1 + warm_runs):
                app = AppTest.from_file(script, default_timeout=120)
                if page:
                    app.switch_page(page)
                for key, value in state.items():
                    app.query_params[key] = value
                started = time.perf_counter()
                app.run()
                times.append(time.perf_counter() - started)
                if app.exception:
                    problems.append(app.exception[0].value[:80])
            cold, warm = times[0], statistics.median(times[1:])
            floor = floor if floor is not None else warm
            rows.append([name, f"{cold:.2f}", f"{warm:.2f}", f"{warm / floor:.1f}×",
                         "yes" if cold < COLD_TARGET and warm < WARM_TARGET else "NO",
                         "; ".join(sorted(set(problems))) or "-"])
    return rows


def browser_timings(store_path: Path, states: dict) -> list[list[object]]:
    """Per page, in a real Chromium against a served dashboard: first load (the server's caches
    cold for that page) and a second load in a new browser context (caches warm), each until
    Streamlit reports the script finished."""
    from urllib.parse import urlencode

    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, serve

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        process, base_url = serve(store_path, Path(folder) / "streamlit.log")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                for page_name, state in states.items():
                    path = "" if page_name == "overview" else page_name
                    url = f"{base_url}/{path}?{urlencode(state, doseq=True)}"
                    loads = []
                    for _ in range(2):
                        context = browser.new_context(viewport={"width": 1400, "height": 1600})
                        page = context.new_page()
                        started = time.perf_counter()
                        page.goto(url)
                        page.wait_for_selector('[data-testid="stMain"]', timeout=120_000)
                        page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=120_000)
                        loads.append(time.perf_counter() - started)
                        errors = page.locator('[data-testid="stException"]').count()
                        context.close()
                    rows.append([page_name, f"{loads[0]:.2f}", f"{loads[1]:.2f}", "-" if not errors else "exception"])
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=30)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="an analysed store to open read-only (default: build one)")
    parser.add_argument("--warm-runs", type=int, default=3, help="warm renders per page (median reported)")
    parser.add_argument("--no-browser", action="store_true", help="skip the real-browser loads")
    options = parser.parse_args()

    store_path = options.store
    if store_path is None:
        store_path = CACHE / "article_bias_prediction.duckdb"
        if not store_path.exists():
            print(f"building the analysed store {store_path} (once) ...", flush=True)
            print(f"built in {build_store(store_path):.0f} s", flush=True)
    elif not store_path.exists():
        raise SystemExit(f"no store at {store_path}")

    from analysis.store import Store

    with Store.open(store_path, read_only=True) as store:
        summary = store.summary()
        claims = store.connection.execute("SELECT count(*) FROM claims").fetchone()[0]
    print(f"store: {store_path} ({summary['articles']:,} articles, {summary['outlets']:,} outlets, "
          f"{claims:,} claims)")
    states = page_states(store_path)
    print_table(
        f"Server render per page (AppTest; cold = fresh caches; warm = median of {options.warm_runs}; "
        f"targets: cold < {COLD_TARGET:g} s, warm < {WARM_TARGET:g} s)",
        ["page", "cold s", "warm s", "warm vs baseline", "meets targets", "exceptions"],
        apptest_timings(store_path, states, options.warm_runs),
    )
    if not options.no_browser:
        print_table(
            "Real-browser load (Chromium; until the script has finished; second load in a new context)",
            ["page", "first load s", "second load s", "errors"],
            browser_timings(store_path, states),
        )


if __name__ == "__main__":
    main()

"""Load: one served dashboard, many concurrent browser sessions opening pages and changing
selections; page times, errors and the server's memory.

One Streamlit server on 127.0.0.1 over ``--store`` (opened read-only by the pages; this script
never clicks anything that writes), else over the analysed seed corpus built in a temporary
folder. One headless Chromium with ``--sessions`` browser contexts (asyncio Playwright), each
looping for ``--seconds``: open a page URL with state taken from the store (events with the
most outlets, the largest outlets, article pairs of an event, claim searches by the most quoted
speakers, articles), wait until Streamlit reports the script finished, and every other time
change a selection on it (the event section, the compare outlet, the outlets tab, the overview
time bins, a new claim search) and wait again. A load (or a change: from the click until the
rerun finished) that shows an exception or an error box, or does not finish within
``--timeout`` seconds, is an error; a change that timed out says what the page was left in
(script state, whether a run was seen, whether the link changed).

Sessions act back to back by default: 20 of them keep both cores busy (their Chromium
renderers, on the same machine, take most of the CPU), so page times measure that queue.
``--pause S`` makes each session read for a random 0.5–1.5 × S seconds after every load, as an
analyst does.

The sessions ask for reduced motion (``prefers-reduced-motion``) unless ``--animate``: a page
waiting for its script animates Streamlit's running indicator and spinners, which headless
Chromium draws on the CPU. Deployed, each reader's own machine draws them; here they would
take the server's two cores (measured: 2.2 CPU s per load with reduced motion, about 3 with
animation, at 20 sessions), and page times would measure the harness.

Printed: per page and action, loads, errors, p50 / p95 / max seconds; the server process's
resident memory at the start, its peak and at the end (sampled every second), and the load
average (the machine may be shared). Bounded: at most 50 sessions and one hour; all on 127.0.0.1.

    python bench/load.py [--store PATH] [--sessions 20] [--seconds 120] [--timeout 60] [--pause 0] [--animate]
                         [--seed 0]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench._common import print_table  # noqa: E402

MAX_SESSIONS, MAX_SECONDS = 50, 3600
TARGETS_PER_KIND = 8
READY = '[data-test-script-state="notRunning"]'
# Set on the page once loaded: whether Streamlit started a script run since (a changed selection
# reruns the script; waiting for "notRunning" alone could see the state before the rerun began).
_WATCH_RUNS = """() => {
    const app = document.querySelector('[data-test-script-state]');
    window.__sawRun = false;
    window.__app = app;
    window.__search = location.search;
    new MutationObserver(() => {
        if (app.getAttribute('data-test-script-state') !== 'notRunning') window.__sawRun = true;
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
_RERUN_DONE = ("() => window.__sawRun && document.querySelector('[data-test-script-state]')"
               ".getAttribute('data-test-script-state') === 'notRunning'")
# What a rerun that never finished left behind: the script state now, whether a run was seen,
# whether the watched element is still the page's, and whether the link (the view's state) changed.
_RERUN_STATE = """() => {
    const app = document.querySelector('[data-test-script-state]');
    return `state ${app ? app.getAttribute('data-test-script-state') : 'gone'}, saw a run ${window.__sawRun}, `
        + `same element ${app === window.__app}, link changed ${location.search !== window.__search}`;
}"""
_ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


@dataclass
class Target:
    """One page URL with state, and the selection change a session may make on it."""

    page: str
    params: dict
    action: str | None = None
    choices: list[str] = field(default_factory=list)


def sample_store(folder: Path) -> Path:
    """The seed articles, ingested and analysed into a new store under ``folder``."""
    from analysis.ingest import ingest
    from analysis.pipeline import analyze
    from analysis.store import Store

    path = folder / "sample.duckdb"
    with Store.open(path) as store:
        ingest([str(REPO / "data" / "sample")], store=store)
        analyze(store)
    return path


def targets(store_path: Path) -> list[Target]:
    """Pages with state drawn from the store (read-only): what readers' links would carry."""
    from analysis.store import Store

    with Store.open(store_path, read_only=True) as store:
        events = store.events().sort_values(["outlets", "articles"], ascending=False)
        top_events = events["event_id"].head(TARGETS_PER_KIND).tolist()
        outlets = store.outlet_counts()["outlet"].head(TARGETS_PER_KIND).tolist()
        members = store.connection.execute(
            "SELECT e.event_id, a.article_id, a.outlet FROM article_events e JOIN articles a USING (article_id) "
            "WHERE e.event_id IN (SELECT unnest(?)) ORDER BY e.event_id, a.outlet, a.article_id", [top_events]).df()
        speakers = store.connection.execute(
            "SELECT speaker FROM claims WHERE speaker IS NOT NULL AND length(speaker) BETWEEN 4 AND 40 "
            "GROUP BY speaker ORDER BY count(*) DESC, speaker LIMIT ?", [TARGETS_PER_KIND]).df()["speaker"].tolist()
        claim_ids = store.connection.execute(
            "SELECT min(claim_id) FROM claims GROUP BY claim_group ORDER BY count(DISTINCT outlet) DESC, "
            "min(claim_id) LIMIT ?", [TARGETS_PER_KIND]).df().iloc[:, 0].tolist()
    found = [Target("overview", {}, "freq", ["month", "year", "week"]), Target("data", {})]
    found += [Target("overview", {"outlet": outlet}, "freq", ["month", "year"]) for outlet in outlets[:3]]
    for event_id in top_events:
        found.append(Target("event", {"event": event_id}, "section", ["Claims", "Quotes", "Words and labels"]))
        pair = members[members["event_id"] == event_id].drop_duplicates("outlet").head(2)
        if len(pair) == 2:
            found.append(Target("compare", {"event": event_id, "a": pair["article_id"].iloc[0],
                                            "b": pair["article_id"].iloc[1]}, "compare_outlet"))
    found += [Target("outlets", {"outlet": outlet}, "tab", ["Similar outlets", "Words", "Voices", "Tone"])
              for outlet in outlets]
    found += [Target("claims", {"q": speaker}, "search", speakers) for speaker in speakers]
    found += [Target("claims", {"claim": claim_id}) for claim_id in claim_ids[:3]]
    found += [Target("article", {"article": article_id}) for article_id in members["article_id"].head(4)]
    return found


def url_of(base_url: str, target: Target) -> str:
    path = "" if target.page == "overview" else target.page
    return f"{base_url}/{path}?{urlencode(target.params, doseq=True)}"


async def _change_selection(page, target: Target, rng: random.Random) -> bool:
    """Make the target's selection change; False when the page offers none to make."""
    if target.action == "section":
        await page.locator('[data-testid="stRadio"] label', has_text=rng.choice(target.choices)).first.click()
    elif target.action == "tab":
        await page.get_by_role("tab", name=rng.choice(target.choices)).click()
    elif target.action in {"freq", "compare_outlet"}:
        label = "Time bins" if target.action == "freq" else "Outlet B"
        box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
        if not await box.count():
            return False
        await box.click()
        options = page.locator('[role="option"]')
        await options.first.wait_for()
        names = [await option.inner_text() for option in await options.all()
                 if await option.get_attribute("aria-selected") != "true"]
        wanted = [name for name in names if not target.choices or name in target.choices]
        if not wanted:
            await page.keyboard.press("Escape")
            return False
        await options.filter(has_text=rng.choice(wanted)).first.click()
    elif target.action == "search":
        others = [text for text in target.choices if text != target.params.get("q")]
        if not others:
            return False
        box = page.get_by_label("Search claims and quotes")
        await box.fill(rng.choice(others))
        await box.press("Enter")
    else:
        return False
    return True


async def session(number: int, browser, base_url: str, pool: list[Target], deadline: float, timeout: float,
                  results: list[tuple[str, float, str | None]], seed: int, pause: float = 0.0,
                  animate: bool = False) -> None:
    """One reader: load pages until ``deadline``; append (what, seconds, error or None) per load."""
    rng = random.Random(seed * 1000 + number)
    context = await browser.new_context(viewport={"width": 1280, "height": 1000},
                                        reduced_motion="no-preference" if animate else "reduce")
    context.set_default_timeout(timeout * 1000)
    try:
        while time.monotonic() < deadline:
            target = rng.choice(pool)
            page = await context.new_page()
            try:
                started = time.monotonic()
                what, error = target.page, None
                try:
                    await page.goto(url_of(base_url, target))
                    # The whole load, navigation included, has ``timeout`` seconds.
                    remaining = max(0.001, timeout - (time.monotonic() - started))
                    await page.wait_for_selector(READY, timeout=remaining * 1000)
                    if await page.locator(_ERRORS).count():
                        error = "error shown"
                except Exception as problem:  # a timeout or a crashed page: both count as errors
                    error = type(problem).__name__
                results.append((what, time.monotonic() - started, error))
                if pause:
                    await asyncio.sleep(pause * rng.uniform(0.5, 1.5))
                if error or target.action is None or rng.random() < 0.5 or time.monotonic() >= deadline:
                    continue
                what = f"{target.page}: change {target.action}"
                stage = "selecting"
                try:
                    await page.evaluate(_WATCH_RUNS)
                    started = time.monotonic()
                    if not await _change_selection(page, target, rng):
                        continue
                    stage = "rerun"
                    # The click and the rerun share the load's ``timeout``.
                    remaining = max(0.001, timeout - (time.monotonic() - started))
                    await page.wait_for_function(_RERUN_DONE, timeout=remaining * 1000)
                    error = "error shown" if await page.locator(_ERRORS).count() else None
                except Exception as problem:
                    error = f"{type(problem).__name__} ({stage})"
                    if stage == "rerun":
                        try:
                            error = f"{type(problem).__name__} (rerun: {await page.evaluate(_RERUN_STATE)})"
                        except Exception:  # the page itself is gone
                            pass
                results.append((what, time.monotonic() - started, error))
                if pause:
                    await asyncio.sleep(pause * rng.uniform(0.5, 1.5))
            finally:
                await page.close()
    finally:
        await context.close()


def _machine_ticks() -> tuple[int, int] | None:
    """(busy, total) CPU clock ticks of the whole machine since boot (Linux ``/proc/stat``): whatever
    ran, Chromium's renderers included, which process accounting of our children can miss."""
    try:
        values = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return sum(values) - idle, sum(values)


def _cpu_seconds(pid: int) -> float | None:
    """User plus system CPU seconds the process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float | None:
    try:
        import psutil

        return psutil.Process(pid).memory_info().rss / 2**20
    except ImportError:
        pass
    except Exception:
        return None
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    line = next((line for line in status.splitlines() if line.startswith("VmRSS:")), None)
    return int(line.split()[1]) / 1024 if line else None


class MemorySampler(threading.Thread):
    """The server's resident memory (MB), every second, until stopped."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.samples, self.stopping = pid, [], threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            value = _rss_mb(self.pid)
            if value is not None:
                self.samples.append(value)
            self.stopping.wait(1.0)


async def drive(base_url: str, pool: list[Target], sessions: int, seconds: float, timeout: float, seed: int,
                pause: float = 0.0, animate: bool = False):
    from playwright.async_api import async_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS

    results: list[tuple[str, float, str | None]] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        deadline = time.monotonic() + seconds
        try:
            await asyncio.gather(*(session(number, browser, base_url, pool, deadline, timeout, results, seed, pause,
                                           animate)
                                   for number in range(sessions)))
        finally:
            await browser.close()
    return results


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(results: list[tuple[str, float, str | None]]) -> list[list[object]]:
    """Rows: what, loads, errors (and their kinds), p50, p95, max seconds (of all loads)."""
    rows = []
    for what in sorted({what for what, _, _ in results}, key=lambda name: (":" in name, name)):
        times = [seconds for name, seconds, _ in results if name == what]
        errors = [error for name, _, error in results if name == what and error]
        kinds = ", ".join(f"{kind} ×{errors.count(kind)}" for kind in sorted(set(errors)))
        rows.append([what, len(times), len(errors) if not kinds else f"{len(errors)} ({kinds})",
                     f"{statistics.median(times):.2f}", f"{_percentile(times, 0.95):.2f}", f"{max(times):.2f}"])
    times = [seconds for _, seconds, _ in results]
    errors = sum(1 for _, _, error in results if error)
    if times:
        rows.append(["all", len(times), errors, f"{statistics.median(times):.2f}", f"{_percentile(times, 0.95):.2f}",
                     f"{max(times):.2f}"])
    return rows


def _fingerprint(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_size, status.st_mtime_ns


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="an analysed store, served read-only (default: the seeds, "
                                                   "analysed in a temporary folder)")
    parser.add_argument("--sessions", type=int, default=20, help=f"concurrent browser sessions (at most {MAX_SESSIONS})")
    parser.add_argument("--seconds", type=float, default=120, help=f"how long sessions start new loads (at most "
                                                                    f"{MAX_SECONDS})")
    parser.add_argument("--timeout", type=float, default=60, help="seconds a load may take before it is an error")
    parser.add_argument("--pause", type=float, default=0.0, help="seconds each session reads after a load, on "
                        "average (0: back to back)")
    parser.add_argument("--animate", action="store_true", help="let pages animate (by default the sessions ask "
                        "for reduced motion: see above)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sessions' choices")
    options = parser.parse_args()
    if not 1 <= options.sessions <= MAX_SESSIONS or not 0 < options.seconds <= MAX_SECONDS:
        parser.error(f"--sessions must be 1..{MAX_SESSIONS} and --seconds 1..{MAX_SECONDS}")
    if not 0 <= options.pause <= MAX_SECONDS:
        parser.error(f"--pause must be 0..{MAX_SECONDS}")

    from tests.e2e.conftest import serve

    with tempfile.TemporaryDirectory(prefix="coverage-lens-load-") as folder:
        store_path = options.store.resolve() if options.store else sample_store(Path(folder))
        if not store_path.is_file():
            raise SystemExit(f"no store at {store_path}")
        before = _fingerprint(store_path)
        pool = targets(store_path)
        print(f"store: {store_path}; {len(pool)} page targets; {options.sessions} sessions for "
              f"{options.seconds:g} s (timeout {options.timeout:g} s per load; reading pause {options.pause:g} s; "
              f"{'animated' if options.animate else 'reduced motion'})",
              flush=True)
        process, base_url = serve(store_path, Path(folder) / "streamlit.log")
        sampler = MemorySampler(process.pid)
        sampler.start()
        load_before = os.getloadavg()
        ticks_before = _machine_ticks()
        started = time.monotonic()
        before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_before = before_children.ru_utime + before_children.ru_stime
        try:
            results = asyncio.run(drive(base_url, pool, options.sessions, options.seconds, options.timeout,
                                        options.seed, options.pause, options.animate))
        finally:
            server_cpu = _cpu_seconds(process.pid)
            sampler.stopping.set()
            sampler.join()
            process.terminate()
            process.wait(timeout=30)
        elapsed = time.monotonic() - started
        # Every child process has been waited for by now: the server, the Playwright driver and Chromium.
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        children_cpu = children.ru_utime + children.ru_stime - cpu_before
        load_after = os.getloadavg()
        ticks_after = _machine_ticks()
        log_errors = [line for line in (Path(folder) / "streamlit.log").read_text(errors="replace").splitlines()
                      if "Traceback" in line or "Error" in line]

    print_table(f"Page loads and selection changes: {options.sessions} sessions, {elapsed:.0f} s, reading pause "
                f"{options.pause:g} s "
                f"(seconds from navigation, or from the change, until the script finished)",
                ["page / action", "loads", "errors", "p50 s", "p95 s", "max s"], report(results))
    memory = sampler.samples
    if memory:
        print(f"\nserver memory (RSS): start {memory[0]:.0f} MB, peak {max(memory):.0f} MB, end {memory[-1]:.0f} MB "
              f"({len(memory)} samples); every 15 s: " + " ".join(f"{value:.0f}" for value in memory[::15]))
    if server_cpu is not None:
        print(f"CPU seconds over {elapsed:.0f} s on {os.cpu_count()} CPUs: server {server_cpu:.0f} "
              f"({server_cpu / max(1, len(results)):.2f} per load), browser and driver {children_cpu - server_cpu:.0f}")
    if ticks_before and ticks_after and ticks_after[1] > ticks_before[1]:
        busy = (ticks_after[0] - ticks_before[0]) / (ticks_after[1] - ticks_before[1])
        busy_seconds = busy * elapsed * (os.cpu_count() or 1)
        print(f"whole machine CPU busy over the run: {busy:.0%} of {os.cpu_count()} CPUs ({busy_seconds:.0f} CPU seconds: "
              f"server {server_cpu or 0:.0f}, everything else {busy_seconds - (server_cpu or 0):.0f}, mostly the "
              "browsers' renderer processes, which the child accounting above misses)")
    print(f"load average (1, 5, 15 min): before {', '.join(f'{value:.2f}' for value in load_before)}; "
          f"after {', '.join(f'{value:.2f}' for value in load_after)}")
    print(f"server log lines with errors: {len(log_errors)}" + "".join(f"\n  {line}" for line in log_errors[:10]))
    if options.store:
        print("store file unchanged" if _fingerprint(store_path) == before
              else "WARNING: the store file changed during the run")
    return 1 if any(error for _, _, error in results) or log_errors else 0


if __name__ == "__main__":
    sys.exit(main())

"""Data: the corpora, and adding articles to one. URL state: ``corpus``.

Lists the corpora (the store files in the corpus folder) with their counts, switches between
them, creates an empty one, adds uploaded files or fetched web pages to the current one with a
report of what was added, skipped (already present) and rejected and why, and runs the analysis
with a progress bar. Nothing already stored is lost when an input is bad: ingest only adds.
"""

import re
import shutil
import tempfile
import time
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from analysis.ingest import ingest
from analysis.overview import corpus_facts
from analysis.readers import SUPPORTED_SUFFIXES
from analysis.settings import SettingError, check_settings, setting
from analysis.store import Store, StoreError
from dashboard import ui

UPLOAD_TYPES = [*SUPPORTED_SUFFIXES, ".gz"]
MANIFEST = "manifest.csv"
# Web pages fetched per paste: each may take up to the url_timeout_s setting.
MAX_URLS = 50
_PROGRESS_EVERY_S = 0.25
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def facts_or_status(path: Path) -> tuple[dict | None, str]:
    """The corpus facts (cached per store version) and a one-line status."""
    if not path.is_file():
        return None, "no store file yet (adding articles creates it)"
    try:
        reads = [ui.read(path, method) for method in ("summary", "events", "article_events", "ingests", "last_run")]
        return corpus_facts(*reads), "ready"
    except StoreError as error:
        return None, str(error)


def switch_corpus() -> None:
    ui.set_query(corpus=st.session_state["data_corpus"])


# --- staging uploads and reporting ingests


def staged_name(name: str) -> str:
    """An uploaded file's name, safe as a file name in the staging folder (extensions kept)."""
    base = PurePosixPath(name.replace("\\", "/")).name
    return _SAFE_NAME.sub("_", base).lstrip(".")[-120:] or "upload"


def is_text_file(name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith((".txt", ".txt.gz")) or lowered == MANIFEST


def stage_uploads(files, folder: Path) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """Write uploaded files under ``folder``: each file alone, except ``.txt`` files, which go into
    one subfolder with ``manifest.csv`` (read as a folder, as the manifest describes them).

    Returns the inputs to ingest as (path, name shown) and every staged path → name shown.
    """
    inputs, shown = [], {}
    texts = folder / "texts"
    text_names = [file.name for file in files if is_text_file(staged_name(file.name))]
    articles = [name for name in text_names if staged_name(name).lower() != MANIFEST]
    for number, file in enumerate(files):
        name = staged_name(file.name)
        if is_text_file(name):
            target = texts / (MANIFEST if name.lower() == MANIFEST else name)
            if target.exists():
                target = texts / f"{number}_{name}"
        else:
            target = folder / str(number) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            shutil.copyfileobj(file, out)
        shown[str(target)] = file.name
        if not is_text_file(name):
            inputs.append((str(target), file.name))
    if text_names:
        label = f"{len(articles)} text file(s)" if len(articles) != 1 else articles[0]
        label += f" with {MANIFEST}" if len(articles) < len(text_names) else ""
        inputs.append((str(texts), label))
        shown[str(texts)] = label
    return inputs, shown


def web_addresses(text: str) -> tuple[list[str], list[dict]]:
    """The http(s) URLs of a paste, one per line (blank and ``#`` lines skipped), and a problem row
    for every other line: file paths, ``file://`` and other schemes are never read from here."""
    urls, problems = [], []
    for line_no, line in enumerate(text.splitlines(), start=1):
        value = line.strip()
        if not value or value.startswith("#"):
            continue
        parts = urlsplit(value)
        scheme = parts.scheme.lower()
        if scheme not in {"http", "https"} or not parts.hostname:
            reason = (f"{scheme}:// addresses are refused" if scheme else "not a web address") + (
                ": only http:// and https:// URLs are fetched from the dashboard (upload files instead)")
            problems.append({"input": value, "where": f"line {line_no}", "reason": reason})
        elif value in urls:
            continue
        elif len(urls) >= MAX_URLS:
            problems.append({"input": value, "where": f"line {line_no}",
                             "reason": f"not fetched: at most {MAX_URLS} URLs are fetched at a time"})
        else:
            urls.append(value)
    return urls, problems


def estimated_records(path: str) -> int:
    """About how many records an input holds, for the progress bar (lines of JSONL/CSV, rows of
    Parquet, files of a folder; 1 for anything else)."""
    location = Path(path)
    try:
        if location.is_dir():
            return max(1, sum(1 for item in location.iterdir() if item.name != MANIFEST))
        suffix = location.suffix.lower()
        if suffix in {".jsonl", ".ndjson", ".csv"}:
            with location.open("rb") as handle:
                return max(1, sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")))
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            return max(1, pq.ParquetFile(location).metadata.num_rows)
    except (OSError, ValueError):
        pass
    return 1


def _shown(text: str, names: dict[str, str]) -> str:
    for staged in sorted(names, key=len, reverse=True):
        text = text.replace(staged, names[staged])
    return text


def run_ingest(path: Path, inputs: list[tuple[str, str]], names: dict[str, str], outlet: str | None) -> dict | None:
    """Ingest each input into the store at ``path`` with a progress bar; the report as tables, or
    None when the store cannot be written (the reason is shown)."""
    try:
        store = Store.open(path)
    except StoreError as error:
        st.error("This corpus cannot be written now, so nothing was added.")
        ui.plain_text(error, kind="text")
        return None
    bar = st.progress(0.0, text="Starting")
    estimates = [estimated_records(location) for location, _ in inputs]
    total = sum(estimates)
    done = {"records": 0, "shown_at": 0.0}
    rows, problems, warnings = [], [], []
    try:
        for number, (location, name) in enumerate(inputs):
            def tick(count: int, number=number) -> None:
                done["records"] += count
                now = time.monotonic()
                if now - done["shown_at"] >= _PROGRESS_EVERY_S:
                    done["shown_at"] = now
                    bar.progress(min(done["records"] / total, 0.99),
                                 text=f"Input {number + 1} of {len(inputs)}: {done['records']:,} records read")

            tick(0)
            report = ingest([location], store=store, outlet=outlet, progress=tick)
            done["records"] = max(done["records"], sum(estimates[: number + 1]))
            rows.append({"input": name, "added": report.added, "already_present": report.already_present,
                         "rejected": len(report.rejected), "warnings": report.warning_count})
            problems += [{"input": name, "where": _shown(problem.source, names),
                          "reason": _shown(problem.message, names)} for problem in report.rejected]
            if not (report.added or report.already_present or report.rejected):
                problems.append({"input": name, "where": name, "reason": "no articles found in this input (empty?)"})
            warnings += [{"input": name, "warning": _shown(warning, names)} for warning in report.warnings]
    finally:
        store.close()
    bar.progress(1.0, text="Done")
    return {"rows": rows, "problems": problems, "warnings": warnings}


def show_ingest_report(report: dict) -> None:
    rows = pd.DataFrame(report["rows"], columns=["input", "added", "already_present", "rejected", "warnings"])
    problems = pd.DataFrame(report["problems"], columns=["input", "where", "reason"])
    added, present = int(rows["added"].sum()), int(rows["already_present"].sum())
    summary = (f"Added {added:,} article(s) to {ui.literal(report['corpus'])}; {present:,} were already there "
               f"and were skipped; {len(problems):,} problem(s).")
    (st.success if added and problems.empty else st.warning if len(problems) else st.info)(summary)
    if len(rows):
        ui.table(rows, "ingest_report", key="data_report_inputs", column_config={
            "input": st.column_config.TextColumn("Input"), "added": st.column_config.NumberColumn("Added"),
            "already_present": st.column_config.NumberColumn("Already present (skipped)"),
            "rejected": st.column_config.NumberColumn("Rejected"), "warnings": st.column_config.NumberColumn("Warnings"),
        })
    if len(problems):
        st.caption("Rejected: each input, record (file:line or row) or URL that could not be added, and why.")
        ui.table(problems, "ingest_rejected", key="data_report_rejected", column_config={
            "input": st.column_config.TextColumn("Input"), "where": st.column_config.TextColumn("Where"),
            "reason": st.column_config.TextColumn("Why"),
        })
    if report["warnings"]:
        with st.expander("Warnings on added articles"):
            ui.table(pd.DataFrame(report["warnings"]), "ingest_warnings", key="data_report_warnings")


# --- the page

corpus = ui.current_corpus()
path = ui.store_path()
ui.set_query()
ui.nav_links()
ui.copy_link()
st.title("Data")
flash = st.session_state.pop("data_flash", None)
if flash:
    st.success(flash)

st.session_state["data_corpus"] = corpus
st.selectbox("Corpus", ui.corpora(), key="data_corpus", on_change=switch_corpus,
             help="Every .duckdb file in the corpus folder is a corpus. The other pages show the corpus chosen here.")
facts, status = facts_or_status(path)
if not path.is_file():
    st.info("This corpus has no store file yet: adding articles creates it.")
elif facts is None:
    st.error("This corpus cannot be read now.")
    ui.plain_text(status, kind="text")
else:
    columns = st.columns(5)
    columns[0].metric("Articles", f"{facts['articles']:,}")
    columns[1].metric("Outlets", f"{facts['outlets']:,}")
    columns[2].metric("Events", f"{facts['events']:,}")
    columns[3].metric("Events with 2+ outlets", f"{facts['multi_outlet_events']:,}")
    columns[4].metric("Not analysed yet", f"{facts['unanalysed']:,}")
ui.page_link("overview", "Overview of this corpus")

st.subheader("Corpora")
ui.plain_text(f"The .duckdb files in {ui.corpus_folder()}")
listing = []
for name in ui.corpora():
    name_facts, name_status = facts_or_status(ui.corpus_path(name))
    run = name_facts["last_analysis"] if name_facts else None
    listing.append({
        "corpus": name, "current": name == corpus,
        "articles": name_facts["articles"] if name_facts else None,
        "events": name_facts["events"] if name_facts else None,
        "not_analysed": name_facts["unanalysed"] if name_facts else None,
        "last_ingest": name_facts["last_ingest"] if name_facts else None,
        "last_analysis": run["finished_at"] if run else None,
        "last_run": f"run {run['run_id']} ({run['mode']})" if run else None,
        "status": name_status,
    })
ui.table(pd.DataFrame(listing), "corpora", key="data_corpora", column_config={
    "corpus": st.column_config.TextColumn("Corpus"), "current": st.column_config.CheckboxColumn("Current"),
    "articles": st.column_config.NumberColumn("Articles"), "events": st.column_config.NumberColumn("Events"),
    "not_analysed": st.column_config.NumberColumn("Not analysed"),
    "last_ingest": st.column_config.DatetimeColumn("Last ingest (UTC)", format="YYYY-MM-DD HH:mm"),
    "last_analysis": st.column_config.DatetimeColumn("Last analysis (UTC)", format="YYYY-MM-DD HH:mm"),
    "last_run": st.column_config.TextColumn("Last run"), "status": st.column_config.TextColumn("Status"),
})

with st.form("data_new_corpus", clear_on_submit=True):
    new_name = st.text_input("New corpus", key="data_new_name", max_chars=64, placeholder="name",
                             help="Letters, digits, _ - and . (starting with a letter or digit), up to 64 characters.")
    create = st.form_submit_button("Create an empty corpus")
if create:
    name = new_name.strip().removesuffix(".duckdb")
    if not ui.valid_corpus_name(name):
        st.warning(f"{ui.literal(name or ' ')} is not a valid corpus name: use letters, digits, _ - and . "
                   "(starting with a letter or digit), up to 64 characters.")
    elif name in ui.corpora():
        st.warning(f"There is already a corpus called {ui.literal(name)}; choose it above.")
    else:
        try:
            Store.open(ui.corpus_folder() / f"{name}.duckdb").close()
        except StoreError as error:
            st.error("The corpus could not be created.")
            ui.plain_text(error, kind="text")
        else:
            st.session_state["data_flash"] = f"Created the empty corpus {ui.literal(name)}; it is now the current one."
            ui.go("data", corpus=name)

st.subheader("Add articles")
try:
    check_settings()
except SettingError as error:
    st.error("A setting in the server's environment is not valid, so articles cannot be added or analysed.")
    ui.plain_text(error, kind="text")
    st.stop()
max_mb = int(st.get_option("server.maxUploadSize"))
upload_tab, url_tab = st.tabs(["Upload files", "Fetch web pages"])
with upload_tab:
    st.caption(
        f"Formats: {', '.join(SUPPORTED_SUFFIXES)}, each optionally .gz-compressed; plain-text articles may come "
        f"with a {MANIFEST} (columns file, outlet, published, title, url). Up to {max_mb} MB per file (the server "
        f"refuses larger uploads) and {int(setting('max_file_mb'))} MiB per file once uncompressed on disk."
    )
    upload_round = st.session_state.setdefault("data_upload_round", 0)
    files = st.file_uploader("Files to add", type=UPLOAD_TYPES, accept_multiple_files=True,
                             key=f"data_upload_{upload_round}")
    upload_outlet = st.text_input("Outlet for every article in these files (optional)", key="data_upload_outlet",
                                  help="Overrides what the files say; leave empty to read the outlet from them.")
    add_files = st.button("Add the files to this corpus", key="data_upload_add", type="primary", disabled=not files)
with url_tab:
    allowed = "are fetched too" if setting("allow_private_urls") else "are refused"
    st.caption(f"One http:// or https:// address per line, at most {MAX_URLS}. Addresses on this machine or a "
               f"private network {allowed} (setting COVERAGE_LENS_ALLOW_PRIVATE_URLS).")
    pasted = st.text_area("Web addresses", key="data_urls", height=120, placeholder="https://example.com/news/story")
    fetch = st.button("Fetch and add to this corpus", key="data_urls_add", type="primary")

if add_files and files:
    too_big = [file for file in files if file.size > max_mb * 1024 * 1024]
    files = [file for file in files if file not in too_big]
    with tempfile.TemporaryDirectory(prefix="coverage-lens-upload-") as staging:
        inputs, names = stage_uploads(files, Path(staging))
        report = run_ingest(path, inputs, names, upload_outlet.strip() or None) if inputs else {
            "rows": [], "problems": [], "warnings": []}
    if report is not None:
        report["problems"] = [{"input": file.name, "where": file.name,
                               "reason": f"file is over the {max_mb} MB upload limit"} for file in too_big] + report["problems"]
        st.session_state["data_report"] = {**report, "corpus": corpus}
        st.session_state["data_upload_round"] = upload_round + 1
        st.rerun()
if fetch:
    urls, refused = web_addresses(pasted)
    if not urls and not refused:
        st.warning("Paste at least one web address (http:// or https://), one per line.")
    else:
        report = run_ingest(path, [(url, url) for url in urls], {}, None) if urls else {
            "rows": [], "problems": [], "warnings": []}
        if report is not None:
            report["problems"] = refused + report["problems"]
            st.session_state["data_report"] = {**report, "corpus": corpus}
            st.rerun()

last_report = st.session_state.get("data_report")
if last_report:
    st.subheader("What the last ingest did")
    show_ingest_report(last_report)

st.subheader("Analyse")
st.caption("Groups the articles into events and stories and compares the outlets' coverage (claims, framing). "
           "Only new articles are processed unless the model needs refitting; a large corpus takes minutes.")
if facts is not None and facts["unanalysed"] == 0 and facts["last_analysis"]:
    st.caption("Every article is analysed: running it again changes nothing.")
if st.button("Analyse this corpus", key="data_analyse", disabled=facts is None or facts["articles"] == 0):
    # Imported on use: the analysis stack takes seconds to import, and most visits never analyse.
    from analysis.pipeline import analyze

    bar = st.progress(0.0, text="Starting the analysis")
    try:
        with Store.open(path) as store:
            result = analyze(store, progress=lambda share, step: bar.progress(share, text=step.capitalize()))
    except (StoreError, SettingError) as error:
        st.error("The analysis could not run; the corpus is unchanged.")
        ui.plain_text(error, kind="text")
    else:
        st.session_state["data_flash"] = (
            f"Analysis done ({result.mode}, {result.seconds:.1f} s): {result.events:,} events and "
            f"{result.stories:,} stories over {result.articles:,} articles."
            if result.mode != "none" else "The analysis was already up to date.")
        st.rerun()

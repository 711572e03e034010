"""Pieces every page shares: the corpus store, cached reads, URL state, safe text, links that
carry state, tables and charts with their downloads, the copy-link control.

Caches are bounded (``max_entries``, ``ttl``) and keyed on the store file's modification time,
so a page shows new articles as soon as an ingest or analysis finishes.

URL state: every page reads its view from ``st.query_params`` through the ``query_*`` readers
here (which validate and explain what they drop), writes it back with :func:`set_query`, and
links to other pages with :func:`page_link` / :func:`go`, which carry the corpus along (plain
sidebar navigation drops query parameters).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from analysis.store import Store, StoreError, default_store_path

_CACHE = {"max_entries": 16, "ttl": 600, "show_spinner": False}

# Page keys → page files (paths relative to the app script, as st.Page and st.page_link take them).
PAGES = {
    "overview": "app_pages/overview.py",
    "event": "app_pages/event.py",
    "compare": "app_pages/compare.py",
    "outlets": "app_pages/outlets.py",
    "claims": "app_pages/claims.py",
    "data": "app_pages/data.py",
    "article": "app_pages/article.py",
}
PAGE_TITLES = {
    "overview": "Overview", "event": "Event", "compare": "Compare", "outlets": "Outlets",
    "claims": "Claims", "data": "Data", "article": "Article",
}
PAGE_ICONS = {
    "overview": ":material/dashboard:", "event": ":material/event_note:", "compare": ":material/compare:",
    "outlets": ":material/newspaper:", "claims": ":material/fact_check:", "data": ":material/database:",
    "article": ":material/article:",
}

# Longest value a link may carry in one parameter, and most repeats of one parameter: links are
# typed or pasted by people, anything longer is not a view this app made.
MAX_PARAM_LENGTH = 300
MAX_PARAM_VALUES = 50
_CORPUS_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")


# --- untrusted text
# Untrusted text (anything read from articles, uploads or links) is never handed to
# Markdown: backslash escapes do not stop GitHub-style autolinks ("https://..."), so it
# goes out as escaped HTML, as a code span, or through widgets that show plain text.
_HTML_STYLES = {
    "title": "font-size: 2.25rem; font-weight: 700; line-height: 1.2; margin: 0 0 0.5rem 0;",
    "caption": "font-size: 0.875rem; color: rgba(49, 51, 63, 0.6); margin: 0;",
    "text": "margin: 0 0 0.5rem 0;",
}


def plain_text(text: object, *, kind: str = "caption") -> None:
    """Show untrusted text literally, styled as a page title, a caption or body text."""
    tag = "h1" if kind == "title" else "p"
    st.html(f'<{tag} style="{_HTML_STYLES[kind]}">{html.escape(str(text))}</{tag}>')


def literal(text: object, *, limit: int = 80) -> str:
    """Untrusted text as a Markdown code span, shown verbatim inside st.warning/st.info."""
    value = " ".join(str(text).split())[:limit] or " "
    fence = "`" * (max((len(run) for run in re.findall(r"`+", value)), default=0) + 1)
    return f"{fence} {value} {fence}"


def highlighted(parts: list[tuple[str, str | None]]) -> None:
    """Untrusted text pieces shown in one paragraph, each escaped; a piece with a CSS colour gets
    that background (sentence highlighting on the Compare page)."""
    spans = []
    for text, colour in parts:
        escaped = html.escape(str(text))
        spans.append(f'<span style="background:{colour};border-radius:3px">{escaped}</span>' if colour else escaped)
    st.html(f'<p style="{_HTML_STYLES["text"]}line-height:1.6">{" ".join(spans)}</p>')


# --- corpora and the store


def corpus_folder() -> Path:
    """The folder whose DuckDB files are the corpora the app can switch between: the default
    store's folder (``data/``, or wherever ``COVERAGE_LENS_DB`` points)."""
    return default_store_path().resolve().parent


def default_corpus() -> str:
    return default_store_path().resolve().stem


def corpora() -> list[str]:
    """Corpus names (store file stems) in the corpus folder, the default one first."""
    default = default_corpus()
    names = sorted(path.stem for path in corpus_folder().glob("*.duckdb") if _CORPUS_NAME.match(path.stem))
    return [default] + [name for name in names if name != default]


def valid_corpus_name(name: str) -> bool:
    """Letters, digits, ``_``, ``-`` and ``.``, at most 64, not starting with a dot or dash: a
    file stem, never a path."""
    return bool(_CORPUS_NAME.match(name))


def corpus_path(name: str) -> Path:
    """The store file of corpus ``name`` (a name that :func:`valid_corpus_name` accepts)."""
    if not valid_corpus_name(name):
        raise ValueError(f"not a corpus name: {name!r}")
    if name == default_corpus():
        return default_store_path().resolve()
    return corpus_folder() / f"{name}.duckdb"


def current_corpus() -> str:
    """The corpus the link names (``corpus``), else the default. A link only ever names a store
    file in the corpus folder, by its stem: never a path."""
    requested = st.query_params.get("corpus")
    if not requested:
        return default_corpus()
    if not _CORPUS_NAME.match(requested) or requested not in corpora():
        st.warning(f"This link names a corpus that is not here ({literal(requested, limit=64)}); "
                   f"showing {literal(default_corpus())} instead.")
        return default_corpus()
    return requested


def store_path() -> Path:
    return corpus_path(current_corpus())


def store_version(path: Path) -> int:
    """Changes whenever the store file does, so caches refresh after an ingest."""
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


def open_store_or_stop() -> Path:
    """Check the store opens; otherwise explain what to do and stop the page."""
    path = store_path()
    try:
        Store.open(path, read_only=True).close()
    except StoreError as error:
        st.error("The corpus store cannot be opened.")
        plain_text(error)
        st.stop()
    return path


# Store methods pages may read through the cache (read-only, returning DataFrames or dicts).
_READABLE = frozenset({
    "summary", "outlet_counts", "articles", "article", "sentences", "events", "article_events",
    "article_events_with_outlets", "stories", "outlet_similarity", "outlet_similarity_overall", "claims",
    "claim_links", "framing_table", "event_links", "event_profiles", "ingests", "last_run", "wire_copies",
})


@st.cache_data(**_CACHE)
def _read(path: str, version: int, method: str, args: tuple, kwargs: tuple):
    with Store.open(path, read_only=True) as store:
        return getattr(store, method)(*args, **dict(kwargs))


def read(path: Path, method: str, *args, **kwargs):
    """``Store(path).<method>(*args, **kwargs)``, cached per store version. Callers must not
    modify what it returns (copy first)."""
    if method not in _READABLE:
        raise ValueError(f"{method} is not a cached store read")
    return _read(str(path), store_version(path), method, tuple(args), tuple(sorted(kwargs.items())))


@st.cache_data(**_CACHE)
def _computed(path: str, version: int, name: str, _function: Callable, args: tuple, kwargs: tuple):
    # The function itself is not hashable by Streamlit (leading underscore: not hashed);
    # ``name`` tells functions apart.
    with Store.open(path, read_only=True) as store:
        return _function(store, *args, **dict(kwargs))


def computed(path: Path, function: Callable, *args, **kwargs):
    """``function(store, *args, **kwargs)`` on the open store, cached per store version: for an
    ``analysis`` call that reads several tables (``function`` must be a module-level function)."""
    name = f"{function.__module__}.{function.__qualname__}"
    return _computed(str(path), store_version(path), name, function, tuple(args), tuple(sorted(kwargs.items())))


def summary(path: Path) -> dict:
    return read(path, "summary")


def outlet_counts(path: Path) -> pd.DataFrame:
    return read(path, "outlet_counts")


def articles(path: Path) -> pd.DataFrame:
    return read(path, "articles")


def article(path: Path, article_id: str) -> tuple[dict | None, pd.DataFrame]:
    return read(path, "article", article_id), read(path, "sentences", (article_id,))


# --- URL state


def _clip(value: str) -> str | None:
    return value if len(value) <= MAX_PARAM_LENGTH else None


def query_text(name: str, default: str = "") -> str:
    """One text parameter; oversize values are dropped with a message."""
    value = st.query_params.get(name)
    if value is None or value == "":
        return default
    if _clip(value) is None:
        st.warning(f"The link's `{name}` value is too long ({len(value):,} characters) and is ignored.")
        return default
    return value


def query_list(name: str) -> list[str]:
    """A repeatable parameter (``?outlet=A&outlet=B``), deduplicated, in order, bounded."""
    values = [value for value in st.query_params.get_all(name) if value]
    kept = list(dict.fromkeys(value for value in values if _clip(value) is not None))
    if len(kept) < len(set(values)) or len(kept) > MAX_PARAM_VALUES:
        st.warning(f"The link's `{name}` values are too many or too long; some are ignored.")
    return kept[:MAX_PARAM_VALUES]


def query_choice(name: str, choices: list[str] | tuple[str, ...], default: str) -> str:
    """A parameter that must be one of ``choices``; anything else is explained and replaced."""
    value = st.query_params.get(name)
    if value is None or value == "":
        return default
    if value not in choices:
        st.warning(f"Unknown `{name}` value {literal(value)} in the link; showing {literal(default)}.")
        return default
    return value


def query_number(name: str, default: float, *, low: float, high: float, integer: bool = False) -> float:
    """A number within ``[low, high]``; anything else is explained and replaced."""
    raw = st.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        value = None
    if value is None or not (low <= value <= high) or value != value:
        st.warning(f"The link's `{name}` value {literal(raw)} is not a number from {low:g} to {high:g}; "
                   f"using {default:g}.")
        return default
    return value


def known_values(name: str, values: list[str], known: list[str] | set[str]) -> list[str]:
    """``values`` that are in ``known``; the others are named in a message and left out."""
    known = set(known)
    unknown = [value for value in values if value not in known]
    if unknown:
        st.warning(f"This link names {name} that are not in this corpus, so they are left out: "
                   + ", ".join(literal(value) for value in unknown[:10]))
    return [value for value in values if value in known]


def carried() -> dict[str, str]:
    """State every page keeps: the corpus, when it is not the default."""
    corpus = st.query_params.get("corpus")
    return {"corpus": corpus} if corpus and corpus != default_corpus() and corpus in corpora() else {}


def _clean(params: dict) -> dict:
    out = {}
    for key, value in params.items():
        if value is None or value == "" or value == []:
            continue
        out[key] = [str(item) for item in value] if isinstance(value, list | tuple) else str(value)
    return out


def set_query(**params) -> None:
    """Make the URL say exactly this view: the carried state plus ``params`` (empty values are
    left out). Only writes when something changed, so reruns do not add history entries."""
    wanted = {**carried(), **_clean(params)}
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    normalised = {key: value if isinstance(value, list) else [value] for key, value in wanted.items()}
    if current != normalised:
        st.query_params.from_dict(wanted)


def page_link(page: str, label: str | None = None, *, icon: str | None = None, **params) -> None:
    """A link to another page that carries the corpus and ``params`` in its URL."""
    st.page_link(PAGES[page], label=label or PAGE_TITLES[page], icon=icon or PAGE_ICONS[page],
                 query_params={**carried(), **_clean(params)})


def go(page: str, **params) -> None:
    """Switch to ``page`` with the corpus and ``params`` in its URL."""
    st.switch_page(PAGES[page], query_params={**carried(), **_clean(params)})


def not_found(message: str, *, back: str = "overview", back_label: str = "Back to the overview") -> None:
    """A link names something this corpus does not have: say so, offer a way back, stop."""
    st.warning(message)
    page_link(back, back_label, icon=":material/arrow_back:")
    copy_link(notebook=False)
    st.stop()


def nav_links(**params) -> None:
    """Sidebar links to every page carrying the corpus (and ``params`` such as the event or
    outlets where the target page uses them). Streamlit's own page menu drops query params."""
    with st.sidebar:
        st.caption("Go to (keeping this corpus)")
        for page in ("overview", "event", "compare", "outlets", "claims", "data"):
            page_link(page, **{key: value for key, value in params.items() if key in _PAGE_PARAMS[page]})


_PAGE_PARAMS = {
    "overview": {"outlet"}, "event": {"event", "outlet", "wire"}, "compare": {"event", "outlet", "wire"},
    "outlets": {"outlet"}, "claims": {"outlet"}, "data": set(),
}


def copy_link(*, notebook: bool = True) -> None:
    """Show this view's link, with Streamlit's copy button, at the foot of the sidebar, and (with
    ``notebook``) the code that computes the same view in a notebook."""
    with st.sidebar:
        st.caption("Copy link to this view")
        st.code(current_url(), language=None, wrap_lines=True)
    if notebook:
        open_in_notebook()


def current_page() -> str | None:
    """The key (of :data:`PAGES`) of the page running, or None outside a page."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    context = get_script_run_ctx()
    if context is None:
        return None
    pages = context.pages_manager
    script = str((pages.get_pages().get(pages.current_page_script_hash) or {}).get("script_path") or "")
    return next((key for key, page in PAGES.items() if script.replace("\\", "/").endswith(page)), None)


def open_in_notebook() -> None:
    """The "Open in notebook" control: the few lines of ``analysis`` code that compute this view (the
    same tables) from its URL state, with a copy button, as a .py script and as a .ipynb notebook.

    The code is written by :func:`analysis.links.notebook_code` from the checked URL state; link
    values reach it only as Python string literals."""
    from analysis.links import notebook_code, notebook_ipynb, parse_query

    page = current_page()
    if page is None:
        return
    # The corpus the page shows: the one the link names when it is here, else the default.
    requested = st.query_params.get("corpus")
    corpus = requested if requested and requested != default_corpus() and requested in corpora() else None
    query = {key: st.query_params.get_all(key) for key in st.query_params if key != "corpus"}
    with st.sidebar, st.expander("Open in notebook", icon=":material/code:"):
        try:
            link = parse_query(page, query, corpus=corpus)
            path = corpus_path(corpus or default_corpus())
            code = notebook_code(link, store_path=path)
            notebook = notebook_ipynb(link, store_path=path)
        except (ValueError, LookupError):
            st.caption("Choose what this page shows first: the code computes a view the link names.")
            return
        st.caption("The `analysis` calls that compute this view's tables and charts. Run them in Jupyter, or "
                   "download them.")
        st.code(code, language="python", wrap_lines=True)
        left, right = st.columns(2)
        left.download_button(".py", code, f"coverage_lens_{page}.py", "text/x-python", key=f"{page}_notebook_py",
                             icon=":material/download:", on_click="ignore")
        right.download_button(".ipynb", notebook, f"coverage_lens_{page}.ipynb", "application/x-ipynb+json",
                              key=f"{page}_notebook_ipynb", icon=":material/download:", on_click="ignore")


def current_url() -> str:
    """The page URL with the current query parameters (the state a pasted link restores)."""
    from urllib.parse import urlencode, urlsplit, urlunsplit

    base = urlsplit(st.context.url or "")
    query = urlencode([(key, value) for key in st.query_params for value in st.query_params.get_all(key)])
    return urlunsplit((base.scheme, base.netloc, base.path, query, ""))


# --- tables and charts with downloads


def _file_stem(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_") or "table"


def table(frame: pd.DataFrame, name: str, *, key: str, column_config: dict | None = None, **dataframe_kwargs):
    """A table (shown as text by the grid, never rendered as HTML or Markdown) with a CSV download.
    Returns what ``st.dataframe`` returns (a selection state when ``on_select`` is given)."""
    shown = st.dataframe(frame, hide_index=True, width="stretch", column_config=column_config, key=key,
                         **dataframe_kwargs)
    st.download_button("Download CSV", lambda: frame.to_csv(index=False), f"{_file_stem(name)}.csv", "text/csv",
                       key=f"{key}_csv", icon=":material/download:", on_click="ignore")
    return shown


def _chart_bytes(spec: str, form: str) -> bytes | str:
    import vl_convert

    return vl_convert.vegalite_to_png(spec, scale=2) if form == "png" else vl_convert.vegalite_to_svg(spec)


def chart(figure: alt.TopLevelMixin, frame: pd.DataFrame, name: str, *, key: str) -> None:
    """An Altair chart, the table behind it (CSV), and PNG/SVG downloads made on click."""
    st.altair_chart(figure, width="stretch", key=f"{key}_chart")
    stem = _file_stem(name)
    spec = figure.to_json()
    left, right, _ = st.columns([1, 1, 4])
    left.download_button("PNG", lambda: _chart_bytes(spec, "png"), f"{stem}.png", "image/png", key=f"{key}_png",
                         icon=":material/image:", on_click="ignore")
    right.download_button("SVG", lambda: _chart_bytes(spec, "svg"), f"{stem}.svg", "image/svg+xml",
                          key=f"{key}_svg", icon=":material/image:", on_click="ignore")
    with st.expander("Table behind the chart"):
        table(frame, name, key=f"{key}_table")

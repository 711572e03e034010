"""Pieces every page shares: the store, cached reads, URL state, safe text, copy-link.

Caches are bounded (``max_entries``, ``ttl``) and keyed on the store file's
modification time, so a page shows new articles as soon as an ingest finishes.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import streamlit as st

from analysis.store import Store, StoreError, default_store_path

_CACHE = {"max_entries": 16, "ttl": 600, "show_spinner": False}


# Untrusted text (anything read from articles, uploads or links) is never handed to
# Markdown: backslash escapes do not stop GitHub-style autolinks ("https://..."), so it
# goes out as escaped HTML, as a code span, or through widgets that show plain text.
_HTML_STYLES = {
    "title": "font-size: 2.25rem; font-weight: 700; line-height: 1.2; margin: 0 0 0.5rem 0;",
    "caption": "font-size: 0.875rem; color: rgba(49, 51, 63, 0.6); margin: 0;",
}


def plain_text(text: object, *, kind: str = "caption") -> None:
    """Show untrusted text literally, styled as a page title or a caption."""
    tag = "h1" if kind == "title" else "p"
    st.html(f'<{tag} style="{_HTML_STYLES[kind]}">{html.escape(str(text))}</{tag}>')


def literal(text: object, *, limit: int = 80) -> str:
    """Untrusted text as a Markdown code span, shown verbatim inside st.warning/st.info."""
    value = " ".join(str(text).split())[:limit] or " "
    fence = "`" * (max((len(run) for run in re.findall(r"`+", value)), default=0) + 1)
    return f"{fence} {value} {fence}"


def store_path() -> Path:
    return default_store_path().resolve()


def _store_version(path: Path) -> int:
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


@st.cache_data(**_CACHE)
def _summary(path: str, version: int) -> dict:
    with Store.open(path, read_only=True) as store:
        return store.summary()


@st.cache_data(**_CACHE)
def _outlet_counts(path: str, version: int) -> pd.DataFrame:
    with Store.open(path, read_only=True) as store:
        return store.outlet_counts()


@st.cache_data(**_CACHE)
def _articles(path: str, version: int) -> pd.DataFrame:
    with Store.open(path, read_only=True) as store:
        return store.articles()


@st.cache_data(**_CACHE)
def _article(path: str, version: int, article_id: str) -> tuple[dict | None, pd.DataFrame]:
    with Store.open(path, read_only=True) as store:
        return store.article(article_id), store.sentences([article_id])


def summary(path: Path) -> dict:
    return _summary(str(path), _store_version(path))


def outlet_counts(path: Path) -> pd.DataFrame:
    return _outlet_counts(str(path), _store_version(path))


def articles(path: Path) -> pd.DataFrame:
    return _articles(str(path), _store_version(path))


def article(path: Path, article_id: str) -> tuple[dict | None, pd.DataFrame]:
    return _article(str(path), _store_version(path), article_id)


def copy_link() -> None:
    """Show this view's link, with Streamlit's copy button, at the foot of the sidebar."""
    with st.sidebar:
        st.caption("Link to this view")
        st.code(current_url(), language=None, wrap_lines=True)


def current_url() -> str:
    """The page URL with the current query parameters (the state a pasted link restores)."""
    from urllib.parse import urlencode, urlsplit, urlunsplit

    base = urlsplit(st.context.url or "")
    query = urlencode([(key, value) for key in st.query_params for value in st.query_params.get_all(key)])
    return urlunsplit((base.scheme, base.netloc, base.path, query, ""))

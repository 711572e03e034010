"""Dashboard links and notebook code, both ways: a link's view as the ``analysis`` calls that
compute it, and those calls' results from the link.

Every dashboard view is a link (``/event?event=e-9f1dbcdf845c&outlet=CBS+News``). This module
knows every page's URL keys (:data:`PAGE_KEYS`), reads a link as the dashboard does
(:func:`parse_link`: bounded, typed, checked), and turns it into one call of
:mod:`analysis.api`:

- :func:`from_link` makes the call on a store and returns the page's view object (the tables
  the page shows);
- :func:`notebook_code` writes the call out as the few lines of Python that reproduce the view,
  and :func:`notebook_ipynb` as a notebook.

Both come from the same call (:func:`view_call`), so the code computes exactly what
:func:`from_link` returns. A link is untrusted text: every value is checked against its key's
kind and bounds, and reaches the code only as a Python literal (``repr``), never as code.

A link names its corpus as the dashboard does: ``corpus``, the stem of a ``.duckdb`` file in
the default store's folder, never a path (:func:`corpus_path`).

Example:
    >>> link = parse_link("http://localhost:8501/event?event=e-9f1dbcdf845c&outlet=CBS+News")
    >>> link.page, link.params
    ('event', {'event': 'e-9f1dbcdf845c', 'outlet': ['CBS News']})
    >>> view_call(link)
    ('event_comparison', ('e-9f1dbcdf845c',), {'outlets': ['CBS News']})
    >>> print(notebook_code(link, store_path="data/coverage.duckdb").splitlines()[5])
    view = event_comparison(store, 'e-9f1dbcdf845c', outlets=['CBS News'])
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlencode, urlsplit

from analysis.search import CLAIM_KINDS
from analysis.settings import setting
from analysis.store import default_store_path

if TYPE_CHECKING:
    from analysis.api import (
        ArticleComparison,
        ArticleView,
        ClaimSearch,
        CorpusOverview,
        CorpusSummary,
        EventComparison,
        OutletProfile,
    )
    from analysis.store import Store

__all__ = [
    "MAX_PARAM_LENGTH",
    "MAX_PARAM_VALUES",
    "PAGE_KEYS",
    "Key",
    "Link",
    "corpora",
    "corpus_folder",
    "corpus_path",
    "from_link",
    "notebook_code",
    "notebook_ipynb",
    "parse_link",
    "parse_query",
    "view_call",
]

# As the dashboard reads links: the longest value one parameter may carry, and the most repeats
# of one parameter. Links are typed or pasted by people; anything longer is not a view.
MAX_PARAM_LENGTH = 300
MAX_PARAM_VALUES = 50
_CORPUS_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")


@dataclass(frozen=True)
class Key:
    """One URL key of a page: how its value is read.

    Attributes:
        kind: ``text`` (one string), ``texts`` (repeatable), ``choice`` (one of ``choices``),
            ``choices`` (repeatable, each one of ``choices``), ``integer`` or ``number``
            (within ``low`` and ``high``).
        choices: the values a choice key accepts.
        low: the smallest number accepted.
        high: the largest number accepted.
        default: the value a link without the key means (a link never carries it).
    """

    kind: str
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    default: object = None


# Wire copies on the Event and Compare pages: flagged (default), or left out of the comparison.
_WIRE = Key("choice", ("flag", "leave_out"), default="flag")
# Every page's URL keys (each page's module docstring describes them); ``corpus`` is read on
# every page. tests/test_links.py checks these against what the pages read.
PAGE_KEYS: dict[str, dict[str, Key]] = {
    "overview": {"outlet": Key("texts"), "freq": Key("choice", ("auto", "day", "week", "month", "year"),
                                                     default="auto")},
    "event": {"event": Key("text"), "outlet": Key("texts"),
              "section": Key("choice", ("articles", "claims", "quotes", "framing"), default="articles"),
              "min_outlets": Key("integer", low=1, high=1000, default=1), "wire": _WIRE},
    "compare": {"a": Key("text"), "b": Key("text"), "event": Key("text"), "outlet": Key("texts"),
                "shared": Key("number", low=0.0, high=1.0), "reworded": Key("number", low=0.0, high=1.0),
                "wire": _WIRE},
    "outlets": {"outlet": Key("text"),
                "tab": Key("choice", ("events", "similar", "words", "voices", "tone", "labels"), default="events"),
                "missed_min": Key("integer", low=1, high=10_000, default=2),
                "min_shared": Key("integer", low=1, high=100_000, default=3),
                "words": Key("choice", ("over", "under"), default="over"),
                "min_events": Key("integer", low=1, high=10_000, default=1), "actor": Key("text")},
    "claims": {"q": Key("text"), "outlet": Key("texts"), "kind": Key("choices", CLAIM_KINDS), "claim": Key("text")},
    "data": {},
    "article": {"article": Key("text")},
}
_TITLES = {"overview": "Overview", "event": "Event", "compare": "Compare", "outlets": "Outlets", "claims": "Claims",
           "data": "Data", "article": "Article"}


# --- corpora, as the dashboard names them


def corpus_folder() -> Path:
    """The folder whose ``.duckdb`` files are the corpora a link may name: the default store's
    folder (``data/``, or wherever ``COVERAGE_LENS_DB`` points)."""
    return default_store_path().resolve().parent


def corpora() -> list[str]:
    """Corpus names (store file stems) in :func:`corpus_folder`, the default one first."""
    default = default_store_path().resolve().stem
    names = sorted(path.stem for path in corpus_folder().glob("*.duckdb") if _CORPUS_NAME.match(path.stem))
    return [default] + [name for name in names if name != default]


def corpus_path(name: str) -> Path:
    """The store file of the corpus a link names.

    Raises:
        ValueError: ``name`` is not a corpus name (letters, digits, ``_``, ``-`` and ``.``, at
            most 64, not starting with a dot or dash): a link never names a path.
        LookupError: there is no such corpus in :func:`corpus_folder`.
    """
    if not isinstance(name, str) or not _CORPUS_NAME.match(name):
        raise ValueError(f"not a corpus name: {name!r} (a corpus is named by its file stem, never a path)")
    if name not in corpora():
        raise LookupError(f"no corpus {name!r} in {corpus_folder()}")
    if name == default_store_path().resolve().stem:
        return default_store_path().resolve()
    return corpus_folder() / f"{name}.duckdb"


# --- reading a link


@dataclass(frozen=True)
class Link:
    """One dashboard view: its page and the state its link carries, checked and typed.

    Attributes:
        page: ``overview``, ``event``, ``compare``, ``outlets``, ``claims``, ``data`` or
            ``article``.
        params: the page's keys the link sets, without those at their default: strings, lists
            of strings, ints and floats.
        corpus: the corpus the link names (None: the default one).
    """

    page: str
    params: dict = field(default_factory=dict)
    corpus: str | None = None

    def url(self, base: str = "") -> str:
        """The link: ``base`` (scheme and host, say ``http://localhost:8501``), the page's path
        and its query."""
        pairs = [("corpus", self.corpus)] if self.corpus else []
        for name, value in self.params.items():
            pairs += [(name, item) for item in value] if isinstance(value, list) else [(name, _url_value(value))]
        path = "/" if self.page == "overview" else f"/{self.page}"
        query = urlencode(pairs)
        return base.rstrip("/") + path + (f"?{query}" if query else "")


def _url_value(value) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _checked(page: str, name: str, key: Key, values: list[str]):
    """The value of one key from its raw values, or ValueError saying what is wrong."""
    where = f"the link's {name!r} value"
    for value in values:
        if len(value) > MAX_PARAM_LENGTH:
            raise ValueError(f"{where} is too long ({len(value):,} characters; at most {MAX_PARAM_LENGTH})")
    if key.kind in ("texts", "choices"):
        kept = list(dict.fromkeys(values))
        if len(kept) > MAX_PARAM_VALUES:
            raise ValueError(f"the link repeats {name!r} {len(kept)} times (at most {MAX_PARAM_VALUES})")
        wrong = [value for value in kept if key.kind == "choices" and value not in key.choices]
        if wrong:
            raise ValueError(f"unknown {name!r} value {wrong[0]!r}: choose from {', '.join(key.choices)}")
        return kept
    # A single-valued key given twice: the last one counts, as in the dashboard.
    value = values[-1]
    if key.kind == "text":
        return value
    if key.kind == "choice":
        if value not in key.choices:
            raise ValueError(f"unknown {name!r} value {value!r} on the {page} page: choose from "
                             f"{', '.join(key.choices)}")
        return value
    try:
        number = int(value) if key.kind == "integer" else float(value)
    except ValueError:
        number = None
    if number is None or not math.isfinite(number) or not key.low <= number <= key.high:
        raise ValueError(f"{where} {value!r} is not {'a whole number' if key.kind == 'integer' else 'a number'} "
                         f"from {key.low:g} to {key.high:g}")
    return number


def parse_query(page: str, query: Mapping[str, list[str] | str], *, corpus: str | None = None) -> Link:
    """A :class:`Link` from a page name and its query parameters (each a list of values, or one).

    Keys the page does not read are ignored, as the dashboard ignores them; values at their
    default are dropped, so two links to the same view give the same :class:`Link`.

    Raises:
        ValueError: an unknown page, a value too long or repeated too often, an unknown choice,
            a number out of range, or a corpus name that is not a file stem.
    """
    if page not in PAGE_KEYS:
        raise ValueError(f"no dashboard page {page!r}: pages are {', '.join(PAGE_KEYS)}")
    raw = {name: [value] if isinstance(value, str) else [str(item) for item in value] for name, value in query.items()}
    raw = {name: [value for value in values if value != ""] for name, values in raw.items()}
    params = {}
    for name, key in PAGE_KEYS[page].items():
        if raw.get(name):
            value = _checked(page, name, key, raw[name])
            if value != key.default and value != []:
                params[name] = value
    corpus = corpus or (raw.get("corpus") or [None])[-1]
    if corpus is not None and not _CORPUS_NAME.match(corpus):
        raise ValueError(f"not a corpus name: {corpus!r} (a link names a corpus by its file stem, never a path)")
    return Link(page=page, params=params, corpus=corpus)


def parse_link(url: str) -> Link:
    """Read a dashboard link (absolute, or just its path and query) as the dashboard does.

    The page is the last part of the path (``/`` or ``/overview``: the Overview).

    Raises:
        ValueError: not a link to a dashboard page, or a value the page would not accept (see
            :func:`parse_query`).

    Example:
        >>> parse_link("/outlets?outlet=CBS+News&tab=voices")
        Link(page='outlets', params={'outlet': 'CBS News', 'tab': 'voices'}, corpus=None)
    """
    if isinstance(url, Link):
        return url
    if not isinstance(url, str):
        raise ValueError(f"expected a link as text, not {type(url).__name__}")
    parts = urlsplit(url.strip())
    segments = [segment for segment in parts.path.split("/") if segment]
    page = segments[-1] if segments else "overview"
    if page not in PAGE_KEYS:
        raise ValueError(f"{url[:100]!r} is not a link to a dashboard page (pages: {', '.join(PAGE_KEYS)})")
    return parse_query(page, parse_qs(parts.query))


# --- a link as a call of analysis.api


def _thresholds(params: dict) -> dict:
    """The Compare page's sentence thresholds as it applies them: rounded to 3 decimals, and the
    reworded one lowered to the shared one when above it; only those not at their default."""
    defaults = {"shared": float(setting("sentence_shared_threshold")),
                "reworded": float(setting("sentence_reworded_threshold"))}
    shared = round(params.get("shared", defaults["shared"]), 3)
    reworded = min(round(params.get("reworded", defaults["reworded"]), 3), shared)
    chosen = {"shared_threshold": (shared, defaults["shared"]), "reworded_threshold": (reworded, defaults["reworded"])}
    return {name: value for name, (value, default) in chosen.items() if value != default}


def view_call(link: Link | str) -> tuple[str, tuple, dict]:
    """The :mod:`analysis.api` call that computes a link's view: ``(function name, positional
    arguments after the store, keyword arguments)``.

    Raises:
        ValueError: the link is malformed, or names too little to show a view (an Event link
            without an event, say).
    """
    link = parse_link(link)
    params = link.params
    if link.page == "overview":
        kwargs = {"outlets": params.get("outlet"), "frequency": params.get("freq")}
        return "corpus_overview", (), {name: value for name, value in kwargs.items() if value}
    if link.page == "event":
        if "event" not in params:
            raise ValueError("this Event link names no event: list them with list_events(store)")
        kwargs = {"outlets": params.get("outlet"), "min_outlets": params.get("min_outlets"),
                  "without_wire_copies": params.get("wire") == "leave_out"}
        return "event_comparison", (params["event"],), {name: value for name, value in kwargs.items() if value}
    if link.page == "compare":
        thresholds = _thresholds(params)
        if "a" in params and "b" in params:
            return "article_comparison", (params["a"], params["b"]), thresholds
        if "a" in params or "b" in params:
            raise ValueError("this Compare link names one article: a comparison needs both a and b, or an event")
        if "event" in params:
            wire = {"without_wire_copies": True} if params.get("wire") == "leave_out" else {}
            return "outlet_comparison", (params["event"], *params.get("outlet", [])[:2]), {**thresholds, **wire}
        raise ValueError("this Compare link names no articles and no event: nothing to compare")
    if link.page == "outlets":
        if "outlet" not in params:
            raise ValueError("this Outlets link names no outlet: list them with store.outlet_counts()")
        kwargs = {name: params[name] for name in ("missed_min", "min_shared", "words", "min_events", "actor")
                  if name in params}
        return "outlet_profile", (params["outlet"],), kwargs
    if link.page == "claims":
        kwargs = {"outlets": params.get("outlet"), "kinds": params.get("kind"), "claim": params.get("claim")}
        return "search_claims", ((params["q"],) if "q" in params else ()), {
            name: value for name, value in kwargs.items() if value}
    if link.page == "article":
        if "article" not in params:
            raise ValueError("this Article link names no article")
        return "article", (params["article"],), {}
    return "corpus_summary", (), {}


def from_link(url: Link | str, *, store: Store | None = None) -> (
        CorpusOverview | EventComparison | ArticleComparison | OutletProfile | ClaimSearch | ArticleView
        | CorpusSummary):
    """The view a dashboard link shows, as the objects of :mod:`analysis.api`.

    Args:
        url: a dashboard link (``http://localhost:8501/event?event=...&outlet=...``, or just
            its path and query), or a :class:`Link`.
        store: the store to read (it stays open). None: the corpus the link names, in the
            dashboard's corpus folder (its default corpus when the link names none), opened
            read-only and closed again.

    Returns:
        The page's view: a :class:`~analysis.api.CorpusOverview`,
        :class:`~analysis.api.EventComparison`, :class:`~analysis.api.ArticleComparison`,
        :class:`~analysis.api.OutletProfile`, :class:`~analysis.api.ClaimSearch`,
        :class:`~analysis.api.ArticleView` or :class:`~analysis.api.CorpusSummary`.

    Raises:
        ValueError: a malformed link (see :func:`parse_link`), or one naming too little.
        LookupError: the link names an event, article, outlet, claim or corpus the corpus lacks.

    Example:
        >>> view = from_link("http://localhost:8501/event?event=e-9f1dbcdf845c", store=store)
        >>> view.claims_shared.head()
    """
    from analysis import api

    link = parse_link(url)
    name, args, kwargs = view_call(link)
    function = getattr(api, name)
    if store is not None:
        return function(store, *args, **kwargs)
    with api.open_store(corpus=link.corpus) if link.corpus else api.open_store() as opened:
        return function(opened, *args, **kwargs)


# --- a link as notebook code

# What each view's code shows after computing it: the tables (and chart) the page section shows.
_SHOWN = {
    "overview": ["view.charts().get('timeline')", "view.events", "view.blind_spots"],
    "event": {
        "articles": ["view.articles", "view.charts().get('similarity')"],
        "claims": ["view.claim_summary", "view.claims_shared", "view.claims_unique", "view.claims_omitted",
                   "view.charts().get('claim_coverage')"],
        "quotes": ["view.top_speakers", "view.charts().get('voices')"],
        "framing": ["view.charts().get('distinctive_words')", "view.actor_labels", "view.charts().get('tone')"],
    },
    "compare": ["view.sentence_counts", "view.claims_both", "view.claims_a_only", "view.claims_b_only"],
    "outlets": {
        "events": ["view.events_covered", "view.events_missed"],
        "similar": ["view.charts().get('similar_outlets')", "view.similar_outlets"],
        "words": ["view.charts().get('distinctive_words')"],
        "voices": ["view.charts().get('speakers')", "view.speaker_types"],
        "tone": ["view.charts().get('tone')"],
        "labels": ["view.labels", "view.labels_by_others"],
    },
    "claims": ["view.results", "view.wordings", "view.linked"],
    "article": ["view.sentences"],
    "data": ["view.facts", "view.outlet_counts"],
}
_SECTION_KEYS = {"event": "section", "outlets": "tab"}


def _shown(link: Link) -> list[str]:
    shown = _SHOWN[link.page]
    if isinstance(shown, dict):
        key = _SECTION_KEYS[link.page]
        shown = shown[link.params.get(key, PAGE_KEYS[link.page][key].default)]
    return shown


def _literal(value) -> str:
    """A checked link value as Python source: str, int, float and bool literals, lists of strings."""
    if isinstance(value, list):
        return "[" + ", ".join(_literal(item) for item in value) + "]"
    if isinstance(value, bool):
        return repr(value)
    if not isinstance(value, str | int | float):
        raise TypeError(f"not a link value: {type(value).__name__}")
    return repr(value)


def _cells(link: Link | str, store_path: str | os.PathLike | None) -> list[str]:
    link = parse_link(link)
    name, args, kwargs = view_call(link)
    if store_path is not None:
        opening = f"open_store({_literal(os.fspath(store_path))})"
    elif link.corpus:
        opening = f"open_store(corpus={_literal(link.corpus)})"
    else:
        opening = "open_store()"
    arguments = ["store", *(_literal(value) for value in args),
                 *(f"{key}={_literal(value)}" for key, value in kwargs.items())]
    # The link written back from its checked state: percent-encoded, so no line breaks or quotes.
    first = "\n".join([
        f"# Coverage Lens: the {_TITLES[link.page]} view at {link.url()}",
        "# Run it as a script, or cell by cell in Jupyter or VS Code (each '# %%' line starts a cell).",
        f"from analysis import {', '.join(sorted([name, 'open_store']))}",
        "",
        f"store = {opening}",
        f"view = {name}({', '.join(arguments)})",
        "print(view)",
    ])
    return [first, *_shown(link)]


def notebook_code(link: Link | str, *, store_path: str | os.PathLike | None = None) -> str:
    """The few lines of Python that reproduce a dashboard view, as a script whose ``# %%`` lines
    split it into notebook cells.

    Args:
        link: a dashboard link, or a :class:`Link`.
        store_path: the store file to open in the code (the dashboard passes the one it shows);
            None: the corpus the link names, by name (``open_store(corpus=...)``).

    Returns:
        Python source: import, open the store, compute the view with the call
        :func:`from_link` makes, then show the tables and chart of the page's section.

    Raises:
        ValueError: a malformed link, or one naming too little (as :func:`view_call`).

    Example:
        >>> print(notebook_code("/outlets?outlet=CBS+News&tab=voices"))
    """
    return "\n\n# %%\n".join(_cells(link, store_path)) + "\n"


def notebook_ipynb(link: Link | str, *, store_path: str | os.PathLike | None = None) -> str:
    """:func:`notebook_code` as a Jupyter notebook (nbformat 4 JSON, without outputs).

    Example:
        >>> notebook = json.loads(notebook_ipynb("/claims?q=persecution"))
        >>> [cell["cell_type"] for cell in notebook["cells"]][:2]
        ['markdown', 'code']
    """
    link = parse_link(link)
    cells = _cells(link, store_path)
    heading = (f"# Coverage Lens: {_TITLES[link.page]} view\n\nThe tables behind the dashboard view `{link.url()}`, "
               "computed with the `analysis` library.")
    notebook = {
        "cells": [{"cell_type": "markdown", "id": "cell-0", "metadata": {}, "source": heading}] + [
            {"cell_type": "code", "execution_count": None, "id": f"cell-{number}", "metadata": {}, "outputs": [],
             "source": source} for number, source in enumerate(cells, start=1)],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"

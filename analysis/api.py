"""The notebook API: open or build a corpus, then ask for the same views the dashboard shows.

Each dashboard page has one function here that computes its tables from a store, with the same
``analysis`` functions the page calls, so a notebook and the page agree row for row:

========================  =============================  ==========================
page                      function                       returns
========================  =============================  ==========================
Overview (``/``)          :func:`corpus_overview`,       :class:`CorpusOverview`,
                          :func:`list_events`            a DataFrame
Event (``/event``)        :func:`event_comparison`       :class:`EventComparison`
Compare (``/compare``)    :func:`article_comparison`,    :class:`ArticleComparison`
                          :func:`outlet_comparison`
Outlets (``/outlets``)    :func:`outlet_profile`         :class:`OutletProfile`
Claims (``/claims``)      :func:`search_claims`          :class:`ClaimSearch`
Article (``/article``)    :func:`article`                :class:`ArticleView`
Data (``/data``)          :func:`corpus_summary`         :class:`CorpusSummary`
========================  =============================  ==========================

A corpus is a :class:`~analysis.store.Store`: a DuckDB file (:func:`open_store`), or one built
in memory from files (:func:`corpus_from_files`) or from a pandas DataFrame
(:func:`corpus_from_frame`, no file written). Every view is a frozen dataclass of DataFrames;
``view.tables()`` lists them, ``view.charts()`` draws the page's charts with the builders the
dashboard uses. :mod:`analysis.links` turns a dashboard link into these calls and back.

The tables' columns are listed in each class's docstring, in order, each name in double
backticks (a test checks the lists against what the functions return).

Names that a link cannot resolve (an event, article, outlet or claim the corpus lacks) raise
:class:`LookupError` with a message saying which; malformed arguments raise :class:`ValueError`.

Example:
    >>> store = corpus_from_files(["data/sample"])
    >>> list_events(store)[["event_id", "outlets"]].head(1)
             event_id  outlets
    0  e-9f1dbcdf845c        2
    >>> view = event_comparison(store, "e-9f1dbcdf845c")
    >>> view.claims_shared["outlet"].unique().tolist()
    ['CBS News', 'The Telegraph']
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.store import Store

if TYPE_CHECKING:
    import altair as alt

    from analysis.search import FirstReport

__all__ = [
    "ArticleComparison",
    "ArticleView",
    "ClaimSearch",
    "CorpusOverview",
    "CorpusSummary",
    "EventComparison",
    "OutletProfile",
    "article",
    "article_comparison",
    "corpus_from_files",
    "corpus_from_frame",
    "corpus_overview",
    "corpus_summary",
    "event_comparison",
    "list_events",
    "open_store",
    "outlet_comparison",
    "outlet_profile",
    "search_claims",
]

# The dashboard's choices, kept here so a notebook sees what the page shows.
# Overview: outlets the timeline draws apart when none are chosen; a blind spot is an event at
# least this many outlets covered, at least this share of the outlets active around it.
TIMELINE_OUTLETS = 12
BLIND_SPOT_MIN_OUTLETS = 3
BLIND_SPOT_MIN_SHARE = 0.5
# Event: speakers in the quotes chart, words per outlet in the words chart.
TOP_SPEAKERS = 15
TOP_TERMS = 10
# Outlets: distinctive words listed, actors whose labels by other outlets are listed.
TOP_WORDS = 25
TOP_ACTORS = 20
WORD_DIRECTIONS = ("over", "under")


class _View:
    """What every view shares: its tables by name, and a short description of them."""

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the view, by attribute name."""
        return {item.name: getattr(self, item.name) for item in dataclasses.fields(self)
                if isinstance(getattr(self, item.name), pd.DataFrame)}

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__}:"]
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if isinstance(value, pd.DataFrame):
                lines.append(f"  {item.name}: {len(value):,} rows x {len(value.columns)} columns")
            else:
                shown = repr(value)
                lines.append(f"  {item.name}: {shown if len(shown) <= 100 else shown[:97] + '...'}")
        return "\n".join(lines)


def _unknown(values: Iterable[str], known: Iterable[str]) -> list[str]:
    known = set(known)
    return [value for value in values if value not in known]


def _listed(values: Iterable[str]) -> str:
    return ", ".join(repr(value) for value in list(values)[:10])


# --- opening and building a corpus


def open_store(path: str | os.PathLike | None = None, *, corpus: str | None = None, read_only: bool = True) -> Store:
    """Open a corpus store: a DuckDB file, or a corpus of the dashboard by name.

    Args:
        path: the store file (``":memory:"`` for an empty store in memory). None: the
            dashboard's default store (``COVERAGE_LENS_DB``, else ``data/coverage.duckdb``).
        corpus: instead of ``path``, a corpus name as the dashboard's links carry it: the stem of
            a ``.duckdb`` file in the default store's folder (never a path).
        read_only: open without the right to write (several readers may share a file).

    Returns:
        An open :class:`~analysis.store.Store`; close it (or use ``with``) when done.

    Raises:
        LookupError: ``corpus`` names no store of the corpus folder.
        analysis.store.StoreError: the file is missing, locked or not a store.

    Example:
        >>> with open_store("data/coverage.duckdb") as store:
        ...     store.summary()["articles"]
        3
    """
    if path is not None and corpus is not None:
        raise ValueError("give a store path or a corpus name, not both")
    if corpus is not None:
        from analysis.links import corpus_path

        path = corpus_path(corpus)
    return Store.open(path, read_only=read_only)


def _cell(value):
    """One DataFrame cell as a reader's record value: missing as None, dates as ISO text."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, list | tuple | dict):
        return value
    if value is None or pd.isna(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    return value.isoformat() if hasattr(value, "isoformat") else value


def _warn_rejected(problems: list, what: str) -> None:
    if problems:
        shown = "; ".join(str(problem) for problem in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        warnings.warn(f"{len(problems)} {what} not added: {shown}{more}", stacklevel=3)


def corpus_from_frame(frame: pd.DataFrame, *, analyse: bool = True, outlet: str | None = None) -> Store:
    """A corpus in memory from a DataFrame of articles: nothing is written to disk.

    The rows go through the same cleaning, segmentation and store writes as
    :func:`analysis.ingest.ingest` (so article ids are the same content hashes), then, with
    ``analyse``, through :func:`analysis.pipeline.analyze`.

    Args:
        frame: one article per row. Columns as the file readers take them: ``text`` (or
            ``content``/``body``), and optionally ``title``, ``outlet``, ``published``
            (text, datetime or Timestamp), ``url``, ``author``, ``language``; any other column
            is kept in the article's ``meta``.
        analyse: group the articles into events and compare the outlets (claims, framing).
        outlet: an outlet name for every row, overriding the ``outlet`` column.

    Returns:
        An open in-memory :class:`~analysis.store.Store`. Rows that cannot be stored (no text,
        say) are left out with a warning naming them.

    Example:
        >>> frame = pd.DataFrame({"outlet": ["A", "B"], "title": ["Ferry back", "Ferry returns"],
        ...     "text": ["The ferry is back in service.", "The ferry returned on Monday."]})
        >>> store = corpus_from_frame(frame, analyse=False)
        >>> store.summary()["articles"]
        2
    """
    from analysis.ingest import IngestReport, _write, prepare_article
    from analysis.readers import ReadProblem, _record_from_mapping

    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"expected a pandas DataFrame, not {type(frame).__name__}")
    store = Store.open(":memory:")
    report = IngestReport()
    report.ingest_id = store.start_ingest([f"DataFrame of {len(frame):,} rows"])
    article_rows: list[tuple] = []
    sentence_rows: list[tuple] = []
    columns = [str(column).lower() for column in frame.columns]
    for number, values in enumerate(frame.itertuples(index=False, name=None)):
        record = _record_from_mapping({key: _cell(value) for key, value in zip(columns, values)},
                                      f"DataFrame row {number}")
        prepared = record if isinstance(record, ReadProblem) else prepare_article(record, outlet)
        if isinstance(prepared, ReadProblem):
            report.rejected.append(prepared)
            continue
        article_rows.append(prepared.row)
        sentence_rows.extend(prepared.sentences)
    # The write ingest itself uses: one transaction, idempotent by article id.
    if article_rows:
        _write(store, article_rows, sentence_rows, report)
    store.finish_ingest(report.ingest_id, added=report.added, already_present=report.already_present,
                        rejected=len(report.rejected), aborted=False)
    _warn_rejected(report.rejected, "rows")
    if analyse:
        from analysis.pipeline import analyze

        analyze(store)
    return store


def corpus_from_files(paths: Iterable[str | os.PathLike], *, db: str | os.PathLike | None = None,
                      analyse: bool = True, outlet: str | None = None) -> Store:
    """A corpus from files, folders or web addresses, as ``coverage-lens ingest`` reads them.

    Args:
        paths: files (``.txt``, ``.csv``, ``.jsonl``, ``.parquet``, ``.html``, gzipped or not),
            folders of them, or ``http(s)://`` addresses.
        db: the store file to add them to (created when missing); None: a store in memory.
        analyse: group the articles into events and compare the outlets (claims, framing).
        outlet: an outlet name for every article, overriding what the inputs say.

    Returns:
        An open, writable :class:`~analysis.store.Store`. Inputs or records that cannot be read
        are left out with a warning naming them.

    Example:
        >>> store = corpus_from_files(["data/sample"])
        >>> store.summary()["articles"]
        3
    """
    from analysis.ingest import ingest

    store = Store.open(":memory:" if db is None else db)
    try:
        report = ingest([os.fspath(path) for path in paths], store=store, outlet=outlet)
        _warn_rejected(report.rejected, "inputs or records")
        if analyse:
            from analysis.pipeline import analyze

            analyze(store)
    except BaseException:
        store.close()
        raise
    return store


# --- Overview


@dataclass(frozen=True, repr=False)
class CorpusOverview(_View):
    """The corpus at a glance, as the Overview page shows it (:func:`corpus_overview`).

    Attributes:
        outlets: the outlets the view is limited to (empty: all).
        frequency: the timeline's bin width (None: picked from the dates' span).
        facts: ``articles``, ``outlets``, ``first_published``, ``last_published`` (ISO dates or
            None), ``undated`` and ``wire_copies`` (articles copying an earlier article of another
            outlet), counting the articles of the outlets shown.
        timeline: articles per outlet per period; columns ``period_start``, ``outlet``,
            ``articles``, ``frequency``.
        events: events ranked by how many of the outlets covered them (the page draws the first
            100); columns ``event_id``, ``label``, ``outlets``, ``articles``,
            ``first_published``, ``last_published``, ``outlet_names``.
        blind_spots: events most outlets covered that some outlets active at the time missed;
            columns ``event_id``, ``label``, ``outlets``, ``active_outlets``, ``share``,
            ``missed``, ``missed_by``, ``first_published``, ``last_published``.
        outlet_counts: articles per outlet; columns ``outlet``, ``articles``,
            ``first_published``, ``last_published``.
        articles: the articles, newest first (the page draws the first 1,000); columns
            ``published``, ``outlet``, ``title``, ``url``, ``article_id``.
    """

    outlets: list[str]
    frequency: str | None
    facts: dict
    timeline: pd.DataFrame
    events: pd.DataFrame
    blind_spots: pd.DataFrame
    outlet_counts: pd.DataFrame
    articles: pd.DataFrame

    def charts(self) -> dict[str, alt.TopLevelMixin]:
        """The page's charts: ``timeline`` (when any article is dated)."""
        from analysis.charts import timeline_chart

        return {"timeline": timeline_chart(self.timeline)} if len(self.timeline) else {}


def _analysed(store: Store) -> bool:
    return store.last_run() is not None


def list_events(store: Store, *, outlets: list[str] | None = None) -> pd.DataFrame:
    """The corpus's events, those the most outlets covered first.

    Args:
        store: an analysed store.
        outlets: count only these outlets' articles (None: all).

    Returns:
        One row per event; columns ``event_id``, ``label``, ``outlets``, ``articles``,
        ``first_published``, ``last_published``, ``outlet_names``. Empty before the first
        analysis.

    Example:
        >>> list_events(store).head(3)
    """
    from analysis.overview import events_by_outlet_count

    article_events = store.article_events_with_outlets()
    if outlets:
        _check_outlets(store, outlets)
        article_events = article_events[article_events["outlet"].isin(outlets)]
    return events_by_outlet_count(article_events, store.events())


def _check_outlets(store: Store, outlets: Iterable[str]) -> None:
    unknown = _unknown(outlets, store.outlet_counts()["outlet"])
    if unknown:
        raise LookupError(f"no outlet {_listed(unknown)} in this corpus")


def corpus_overview(store: Store, *, outlets: list[str] | None = None, frequency: str | None = None
                    ) -> CorpusOverview:
    """The Overview page's tables: counts, timeline, events by reach, blind spots, outlets.

    Args:
        store: a store (events and blind spots are empty before the first analysis).
        outlets: limit the view to these outlets (None or empty: all).
        frequency: the timeline's bins: ``day``, ``week``, ``month`` or ``year`` (None: picked
            from the span of the dates).

    Returns:
        A :class:`CorpusOverview`.

    Example:
        >>> corpus_overview(store, outlets=["CBS News"]).facts["articles"]
        1
    """
    from analysis.overview import blind_spots, coverage_timeline, events_by_outlet_count
    from analysis.settings import setting

    outlets = list(outlets or [])
    if frequency is not None and frequency not in ("day", "week", "month", "year"):
        raise ValueError(f"frequency must be day, week, month or year, not {frequency!r}")
    _check_outlets(store, outlets)
    outlet_counts = store.outlet_counts()
    articles = store.articles()
    if outlets:
        articles = articles[articles["outlet"].isin(outlets)]
        outlet_counts = outlet_counts[outlet_counts["outlet"].isin(outlets)]
    dates = articles["published"].dropna()
    facts = {
        "articles": len(articles), "outlets": int(articles["outlet"].nunique()),
        "first_published": dates.min().date().isoformat() if len(dates) else None,
        "last_published": dates.max().date().isoformat() if len(dates) else None,
        "undated": len(articles) - len(dates),
        "wire_copies": int(store.wire_copies()["outlet"].isin(articles["outlet"]).sum()),
    }
    timeline = coverage_timeline(articles, frequency=frequency, top_outlets=None if outlets else TIMELINE_OUTLETS)
    article_events = store.article_events_with_outlets()
    if outlets:
        article_events = article_events[article_events["outlet"].isin(outlets)]
    stored_events = store.events()
    if _analysed(store):
        ranked = events_by_outlet_count(article_events, stored_events)
        spots = blind_spots(article_events, stored_events, min_outlets=BLIND_SPOT_MIN_OUTLETS,
                            min_share=BLIND_SPOT_MIN_SHARE, window_days=float(setting("event_window_days")))
    else:
        ranked = events_by_outlet_count(article_events.head(0), stored_events)
        spots = blind_spots(article_events.head(0), stored_events)
    return CorpusOverview(
        outlets=outlets, frequency=frequency, facts=facts, timeline=timeline, events=ranked, blind_spots=spots,
        outlet_counts=outlet_counts.reset_index(drop=True),
        articles=articles[["published", "outlet", "title", "url", "article_id"]].reset_index(drop=True),
    )


# --- Event


@dataclass(frozen=True, repr=False)
class EventComparison(_View):
    """One event's coverage compared across its outlets, as the Event page shows it
    (:func:`event_comparison`).

    Shared, unique and omitted claims are judged among the outlets shown. With
    ``without_wire_copies``, the wire copies among the event's articles are left out of every
    table: articles, similarity (recomputed), claims, and the per-outlet framing of outlets whose
    articles in the event are all copies (quotes, words and tone are stored per outlet, so an
    outlet with its own articles beside copies keeps its stored rows).

    Attributes:
        event_id: the event.
        label: its headline label.
        outlets: the outlets shown (every outlet of the event unless some were chosen; with
            ``without_wire_copies``, only those with an article that is not a wire copy).
        event: the event's row of :meth:`~analysis.store.Store.events` as a dict.
        without_wire_copies: whether wire copies are left out.
        wire_copies: the wire copies among the articles of the outlets chosen (left out, or
            flagged in the articles table); columns ``article_id``, ``outlet``, ``title``,
            ``published``, ``wire_copy_of``, ``copied_outlet``, ``copied_title``,
            ``copied_published``, ``similarity``.
        articles: the event's articles from the outlets shown; columns ``article_id``,
            ``outlet``, ``title``, ``published``, ``wire_copy_of``, ``copied_outlet``,
            ``wire_similarity`` (the last three empty unless the article is a wire copy).
        articles_per_outlet: columns ``outlet``, ``articles``, ``first_published``,
            ``last_published``.
        similarity: outlet pairs, both orders, with the cosine of their coverage; columns
            ``event_id``, ``outlet_a``, ``outlet_b``, ``similarity``, ``articles_a``,
            ``articles_b``.
        claims: every claim with its status, shared or unique; columns ``claim_group``,
            ``status``, ``outlets_carrying``, ``carried_by``, ``outlet``, ``article_id``,
            ``claim_id``, ``sentence_no``, ``text``, ``kind``, ``speaker``, ``figures``,
            ``conflicting``.
        claims_shared: the claims another outlet also carries; columns ``claim_group``,
            ``status``, ``outlets_carrying``, ``carried_by``, ``outlet``, ``article_id``,
            ``claim_id``, ``sentence_no``, ``text``, ``kind``, ``speaker``, ``figures``,
            ``conflicting``.
        claims_unique: the claims only one outlet carries; columns ``claim_group``, ``status``,
            ``outlets_carrying``, ``carried_by``, ``outlet``, ``article_id``, ``claim_id``,
            ``sentence_no``, ``text``, ``kind``, ``speaker``, ``figures``, ``conflicting``.
        claims_omitted: claim groups an outlet lacks that most others carry; columns
            ``outlet``, ``claim_group``, ``label``, ``carried_by``, ``outlets_carrying``,
            ``claim_id``, ``article_id``.
        claim_conflicts: claims of two outlets whose figures disagree; columns ``outlet_a``,
            ``text_a``, ``figures_a``, ``outlet_b``, ``text_b``, ``figures_b``, ``score``,
            ``claim_a``, ``claim_b``, ``article_a``, ``article_b``.
        claim_summary: per outlet; columns ``outlet``, ``claims``, ``shared``, ``unique``,
            ``omitted``.
        claim_overlap: Jaccard overlap of two outlets' claim groups; columns ``outlet_a``,
            ``outlet_b``, ``jaccard``, ``shared_groups``.
        claim_matrix: the claim groups × outlets the coverage matrix draws; columns
            ``claim_group``, ``label``, ``outlet``, ``carried``, ``claim_ids``,
            ``outlets_carrying``, ``rank``.
        claim_groups: how many claim groups there are in all.
        main_articles: each outlet's main article (most claims); columns ``outlet``,
            ``article_id``, ``claims``.
        voices: who each outlet quotes; columns ``outlet``, ``speaker``, ``speaker_type``,
            ``role``, ``quotes``, ``quoted_words``, ``share``.
        top_speakers: the rows of the most quoted speakers (the quotes chart); columns
            ``outlet``, ``speaker``, ``speaker_type``, ``role``, ``quotes``, ``quoted_words``,
            ``share``.
        terms: each outlet's distinctive words against the event's other outlets; columns
            ``outlet``, ``term``, ``count``, ``count_others``, ``rate``, ``rate_others``,
            ``log_odds``, ``z``, ``direction``, ``supported``, ``note``.
        top_terms: each outlet's most over-used words (the words chart); columns ``outlet``,
            ``term``, ``count``, ``count_others``, ``rate``, ``rate_others``, ``log_odds``,
            ``z``, ``direction``, ``supported``, ``note``.
        actor_labels: how each outlet labels the main actors; columns ``actor``,
            ``outlets_labelling``, then one column per outlet shown.
        tone: tone per outlet, headline and body, own voice and quoted; columns ``outlet``,
            ``part``, ``voice``, ``articles``, ``sentences``, ``words``, ``mean_compound``,
            ``negative_share``, ``positive_share``, ``note``.
    """

    event_id: str
    label: str
    outlets: list[str]
    event: dict
    without_wire_copies: bool
    wire_copies: pd.DataFrame
    articles: pd.DataFrame
    articles_per_outlet: pd.DataFrame
    similarity: pd.DataFrame
    claims: pd.DataFrame
    claims_shared: pd.DataFrame
    claims_unique: pd.DataFrame
    claims_omitted: pd.DataFrame
    claim_conflicts: pd.DataFrame
    claim_summary: pd.DataFrame
    claim_overlap: pd.DataFrame
    claim_matrix: pd.DataFrame
    claim_groups: int
    main_articles: pd.DataFrame
    voices: pd.DataFrame
    top_speakers: pd.DataFrame
    terms: pd.DataFrame
    top_terms: pd.DataFrame
    actor_labels: pd.DataFrame
    tone: pd.DataFrame

    def charts(self) -> dict[str, alt.TopLevelMixin]:
        """The page's charts, those with data: ``articles_by_outlet``, ``similarity``,
        ``claim_summary``, ``claim_overlap``, ``claim_coverage``, ``voices``,
        ``distinctive_words``, ``tone``."""
        from analysis.charts import (
            articles_by_outlet_chart,
            claim_coverage_chart,
            claim_summary_chart,
            similarity_heatmap,
            voices_chart,
        )
        from analysis.tone import tone_chart
        from analysis.words import distinctive_terms_chart

        charts = {"articles_by_outlet": articles_by_outlet_chart(self.articles_per_outlet)}
        if self.similarity["outlet_a"].nunique() >= 2:
            charts["similarity"] = similarity_heatmap(self.similarity)
        if len(self.claims):
            charts["claim_summary"] = claim_summary_chart(self.claim_summary)
            if self.claims["outlet"].nunique() >= 2:
                charts["claim_overlap"] = similarity_heatmap(
                    self.claim_overlap.rename(columns={"jaccard": "similarity"}),
                    title="Share of their claims two outlets both carry (Jaccard)")
            if len(self.claim_matrix):
                charts["claim_coverage"] = claim_coverage_chart(self.claim_matrix)
        if len(self.top_speakers):
            charts["voices"] = voices_chart(self.top_speakers)
        if len(self.top_terms):
            charts["distinctive_words"] = distinctive_terms_chart(self.top_terms)
        if len(self.tone):
            charts["tone"] = tone_chart(self.tone)
        return charts


def _event_row(store: Store, event_id: str) -> dict:
    stored = store.events()
    row = stored[stored["event_id"] == event_id]
    if row.empty:
        raise LookupError(
            f"no event {event_id!r} in this corpus: the link may come from another corpus, or a later "
            "analysis regrouped its articles into other events")
    return row.iloc[0].to_dict()


def _framing_of(store: Store, table: str, event_id: str, shown: list[str]) -> pd.DataFrame:
    rows = store.framing_table(table, event_id)
    return rows[rows["outlet"].isin(shown)].drop(columns="event_id").reset_index(drop=True)


def event_comparison(store: Store, event_id: str, *, outlets: list[str] | None = None, min_outlets: int = 1,
                     without_wire_copies: bool = False) -> EventComparison:
    """How the outlets of one event covered it: articles, similarity, claims, quotes, framing.

    Args:
        store: an analysed store.
        event_id: the event (an ``event_id`` of :func:`list_events`).
        outlets: compare only these outlets of the event (None or empty: all of them); shared,
            unique and omitted claims are then judged among them.
        min_outlets: the coverage matrix draws claim groups at least this many outlets carry.
        without_wire_copies: leave the event's wire copies out (syndicated copies of another
            outlet's article otherwise count as that outlet agreeing with the original).

    Returns:
        An :class:`EventComparison`.

    Raises:
        LookupError: the corpus has no such event, or the event no article from a named outlet.

    Example:
        >>> view = event_comparison(store, "e-9f1dbcdf845c")
        >>> view.claim_summary[["outlet", "shared", "unique"]]
        >>> view.charts()["claim_coverage"]
    """
    from analysis import comparison

    if int(min_outlets) < 1:
        raise ValueError(f"min_outlets must be at least 1, not {min_outlets!r}")
    row = _event_row(store, event_id)
    all_articles = comparison.event_articles(store, event_id)
    event_outlets = sorted(all_articles["outlet"].unique())
    chosen = list(dict.fromkeys(outlets or []))
    absent = _unknown(chosen, event_outlets)
    if absent:
        raise LookupError(f"event {event_id!r} has no articles from {_listed(absent)}")
    scope = comparison.event_scope(all_articles, store.wire_copies(event_id), outlets=chosen,
                                   without_wire_copies=without_wire_copies)
    shown, leave_out, articles = scope.outlets, scope.leave_out, scope.articles
    similarity = comparison.event_similarity(store, event_id, leave_out=leave_out)
    similarity = similarity[similarity["outlet_a"].isin(shown) & similarity["outlet_b"].isin(shown)]
    claims = comparison.read_event_claims(store, event_id, outlets=scope.compared, min_outlets=int(min_outlets),
                                          leave_out=leave_out)
    listing = claims.listing
    voices = _framing_of(store, "voices", event_id, shown)
    terms = _framing_of(store, "framing_terms", event_id, shown)
    labels = store.framing_table("actor_labels", event_id)
    labels = labels[labels["outlet"].isin(shown) & ~labels["article_id"].isin(leave_out)]
    return EventComparison(
        event_id=event_id,
        label=row["label"] if isinstance(row["label"], str) else "",
        outlets=list(shown),
        event=row,
        without_wire_copies=bool(without_wire_copies),
        wire_copies=scope.copies,
        articles=articles,
        articles_per_outlet=comparison.articles_per_outlet(articles),
        similarity=similarity.reset_index(drop=True),
        claims=listing,
        claims_shared=listing[listing["status"] == "shared"].reset_index(drop=True),
        claims_unique=listing[listing["status"] == "unique"].reset_index(drop=True),
        claims_omitted=claims.omitted,
        claim_conflicts=claims.conflicts,
        claim_summary=claims.summary,
        claim_overlap=claims.overlap,
        claim_matrix=claims.matrix,
        claim_groups=claims.groups,
        main_articles=claims.main,
        voices=voices,
        top_speakers=comparison.top_speakers(voices, limit=TOP_SPEAKERS),
        terms=terms,
        top_terms=comparison.top_distinctive_terms(terms, per_outlet=TOP_TERMS),
        actor_labels=comparison.actor_labels_side_by_side(labels, outlets=shown),
        tone=_framing_of(store, "tone", event_id, shown),
    )


# --- Compare


@dataclass(frozen=True, repr=False)
class ArticleComparison(_View):
    """Two articles side by side, as the Compare page shows them (:func:`article_comparison`).

    Attributes:
        article_a: the first article's id.
        article_b: the second article's id.
        outlet_a: the first article's outlet.
        outlet_b: the second article's outlet.
        event_id: the event both are in; None when they are in different events (or not
            analysed): only their sentences are compared then, not their claims.
        a_to_b: each sentence of A with its closest sentence of B; columns ``sentence_no``,
            ``text``, ``match_sentence_no``, ``match_text``, ``score``, ``status``,
            ``words_status``, ``claim_match_sentence_no``, ``claim_match_text``.
        b_to_a: each sentence of B with its closest sentence of A; columns ``sentence_no``,
            ``text``, ``match_sentence_no``, ``match_text``, ``score``, ``status``,
            ``words_status``, ``claim_match_sentence_no``, ``claim_match_text``.
        sentence_counts: sentences per status on each side; columns ``side``, ``sentences``,
            ``shared``, ``reworded``, ``unique``.
        claims: the claim groups either article carries; columns ``claim_group``,
            ``carried_by``, ``text_a``, ``text_b``, ``claims_a``, ``claims_b``.
        claims_a_only: claim groups only A carries; columns ``claim_group``, ``text_a``.
        claims_b_only: claim groups only B carries; columns ``claim_group``, ``text_b``.
        claims_both: claim groups both carry; columns ``claim_group``, ``text_a``, ``text_b``.
        conflicts: claims of the two whose figures disagree; columns ``outlet_a``, ``text_a``,
            ``figures_a``, ``outlet_b``, ``text_b``, ``figures_b``, ``score``, ``claim_a``,
            ``claim_b``, ``article_a``, ``article_b``.
        wire_copies: A or B where it is a wire copy of another outlet's earlier article; columns
            ``article_id``, ``outlet``, ``title``, ``published``, ``wire_copy_of``,
            ``copied_outlet``, ``copied_title``, ``copied_published``, ``similarity``.
    """

    article_a: str
    article_b: str
    outlet_a: str
    outlet_b: str
    event_id: str | None
    a_to_b: pd.DataFrame
    b_to_a: pd.DataFrame
    sentence_counts: pd.DataFrame
    claims: pd.DataFrame
    claims_a_only: pd.DataFrame
    claims_b_only: pd.DataFrame
    claims_both: pd.DataFrame
    conflicts: pd.DataFrame
    wire_copies: pd.DataFrame

    def charts(self) -> dict[str, alt.TopLevelMixin]:
        """The page's charts: ``alignment_a`` and ``alignment_b`` (each sentence's closest match)."""
        from analysis.charts import alignment_chart

        return {"alignment_a": alignment_chart(self.a_to_b, title="Each sentence of A: its closest sentence in B"),
                "alignment_b": alignment_chart(self.b_to_a, title="Each sentence of B: its closest sentence in A")}


def _thresholds(shared: float | None, reworded: float | None) -> tuple[float | None, float | None]:
    for name, value in (("shared_threshold", shared), ("reworded_threshold", reworded)):
        if value is not None and not 0.0 <= float(value) <= 1.0:
            raise ValueError(f"{name} must be from 0 to 1, not {value!r}")
    return shared, reworded


def article_comparison(store: Store, article_a: str, article_b: str, *, shared_threshold: float | None = None,
                       reworded_threshold: float | None = None) -> ArticleComparison:
    """Two stored articles compared sentence by sentence and, within one event, claim by claim.

    Args:
        store: an analysed store (sentences are compared with its fitted model).
        article_a: the first article's id.
        article_b: the second article's id.
        shared_threshold: a sentence is shared at or above this cosine with its closest match
            (None: the ``sentence_shared_threshold`` setting).
        reworded_threshold: reworded at or above this one (None: ``sentence_reworded_threshold``).

    Returns:
        An :class:`ArticleComparison`.

    Raises:
        LookupError: an article is not in the corpus, or the corpus has not been analysed.
        ValueError: a threshold is outside [0, 1], or reworded is above shared.

    Example:
        >>> view = article_comparison(store, "0a1b2c3d4e5f6a7b", "1b2c3d4e5f6a7b8c")
        >>> view.sentence_counts
    """
    from analysis import comparison

    shared_threshold, reworded_threshold = _thresholds(shared_threshold, reworded_threshold)
    stored = {}
    for article_id in (article_a, article_b):
        stored[article_id] = store.article(article_id)
        if stored[article_id] is None:
            raise LookupError(f"no article {article_id!r} in this corpus (the link may come from another corpus, "
                              "or the article was removed)")
    event_of = comparison.events_of_articles(store, sorted({article_a, article_b}))
    events_named = {event_of.get(article_a), event_of.get(article_b)}
    event_id = events_named.pop() if len(events_named) == 1 and None not in events_named else None
    a_to_b, b_to_a = comparison.align_pair(store, article_a, article_b, shared_threshold=shared_threshold,
                                           reworded_threshold=reworded_threshold)
    if event_id is not None:
        event_claims = store.claims(event_id)
        claims = event_claims[event_claims["article_id"].isin([article_a, article_b])]
    else:
        claims = pd.DataFrame(columns=["article_id", "sentence_no", "claim_group"])
    a_to_b, b_to_a = comparison.match_by_claims(a_to_b, b_to_a, claims, article_a, article_b)
    if event_id is not None:
        both = comparison.pair_claims(claims, article_a, article_b)
        pair_claims, pair_links = comparison.restrict_claims(claims, store.claim_links(event_id),
                                                             article_ids=[article_a, article_b])
        conflicts = comparison.conflict_listing(pair_claims, pair_links)
    else:
        # Claims are matched only inside one event: two events' articles share none.
        both = pd.DataFrame(columns=comparison.PAIR_CLAIM_COLUMNS)
        conflicts = pd.DataFrame(columns=comparison.CONFLICT_LISTING_COLUMNS)

    def carried(by: str, columns: list[str]) -> pd.DataFrame:
        return both.loc[both["carried_by"] == by, columns].reset_index(drop=True)

    return ArticleComparison(
        article_a=article_a, article_b=article_b, outlet_a=stored[article_a]["outlet"],
        outlet_b=stored[article_b]["outlet"], event_id=event_id, a_to_b=a_to_b, b_to_a=b_to_a,
        sentence_counts=comparison.alignment_counts(a_to_b, b_to_a), claims=both,
        claims_a_only=carried("A only", ["claim_group", "text_a"]),
        claims_b_only=carried("B only", ["claim_group", "text_b"]),
        claims_both=carried("both", ["claim_group", "text_a", "text_b"]),
        conflicts=conflicts,
        wire_copies=comparison.wire_copies_among(store.wire_copies(), [article_a, article_b]),
    )


def outlet_comparison(store: Store, event_id: str, outlet_a: str | None = None, outlet_b: str | None = None, *,
                      shared_threshold: float | None = None, reworded_threshold: float | None = None,
                      without_wire_copies: bool = False) -> ArticleComparison:
    """Two outlets' coverage of one event, through each outlet's main article in it (the one with
    the most claims), as the Compare page opens from an event and two outlets.

    Args:
        store: an analysed store.
        event_id: the event.
        outlet_a: the first outlet (None: the outlet with the most articles in the event).
        outlet_b: the second outlet (None: the next one; the same outlet's second article when the
            event has one outlet).
        shared_threshold: as :func:`article_comparison` takes it.
        reworded_threshold: as :func:`article_comparison` takes it.
        without_wire_copies: pick each outlet's main article among its articles that are not wire
            copies (an outlet whose articles in the event are all copies is then not in it).

    Returns:
        An :class:`ArticleComparison` of the two main articles.

    Raises:
        LookupError: no such event, or an outlet has no article in it (with
            ``without_wire_copies``: none that is not a wire copy).

    Example:
        >>> outlet_comparison(store, "e-9f1dbcdf845c", "The Telegraph", "CBS News").claims_a_only
    """
    from analysis import comparison

    _event_row(store, event_id)
    articles = comparison.event_articles(store, event_id)
    if without_wire_copies:
        articles = comparison.event_scope(articles, store.wire_copies(event_id), without_wire_copies=True).articles
    main = comparison.main_articles(articles, store.claims(event_id))
    main_of = dict(zip(main["outlet"], main["article_id"]))
    absent = _unknown([name for name in (outlet_a, outlet_b) if name is not None], main_of)
    if absent:
        raise LookupError(f"event {event_id!r} has no articles from {_listed(absent)}")
    # As the Compare page picks them: the outlets with the most articles, A's first.
    pair = comparison.default_outlet_pair(articles)
    outlet_a = outlet_a or pair[0]
    if outlet_b is None:
        others = [name for name in pair + sorted(main_of) if name != outlet_a]
        outlet_b = others[0] if others else pair[0]
    article_a = main_of[outlet_a]
    article_b = main_of[outlet_b]
    if outlet_b == outlet_a:
        own = articles.loc[articles["outlet"] == outlet_b, "article_id"].tolist()
        article_b = next((article_id for article_id in own if article_id != article_a), article_a)
    return article_comparison(store, article_a, article_b, shared_threshold=shared_threshold,
                              reworded_threshold=reworded_threshold)


# --- Outlets


@dataclass(frozen=True, repr=False)
class OutletProfile(_View):
    """One outlet against the corpus, as the Outlets page shows it (:func:`outlet_profile`).

    Attributes:
        outlet: the outlet.
        summary: ``articles``, ``events`` (it covered), ``shared_events`` (of those, covered by
            another outlet too), ``first_published`` and ``last_published``.
        events_covered: columns ``event_id``, ``label``, ``first_published``,
            ``outlet_articles``, ``articles``, ``outlets``.
        events_missed: events other outlets covered while it was publishing, and it did not;
            columns ``event_id``, ``label``, ``first_published``, ``articles``, ``outlets``.
        similar_outlets: the outlets whose coverage reads most like its own; columns
            ``outlet``, ``similarity``, ``shared_events``.
        distinctive_words: its most distinctive words against all other outlets, in the
            direction asked for; columns ``outlet``, ``term``, ``count``, ``count_others``,
            ``rate``, ``rate_others``, ``log_odds``, ``z``, ``direction``, ``supported``,
            ``note``.
        speakers: whom it quotes; columns ``speaker``, ``speaker_type``, ``role``, ``events``,
            ``quotes``, ``quoted_words``, ``share``.
        speaker_types: its share of quoted words per speaker type beside the corpus's; columns
            ``outlet``, ``speaker_type``, ``events``, ``quotes``, ``quoted_words``, ``share``,
            ``corpus_share``, ``difference``.
        tone: its tone beside the corpus's; columns ``outlet``, ``part``, ``voice``, ``events``,
            ``sentences``, ``mean_compound``, ``corpus_mean_compound``, ``difference``,
            ``negative_share``, ``corpus_negative_share``, ``note``.
        labels: the labels it gives actors; columns ``outlet``, ``actor``, ``label``,
            ``label_kind``, ``uses``, ``events``, ``outlets_using``, ``share_of_uses``.
        labels_by_others: the labels other outlets give the same actors (the 20 actors it labels
            most, unless one actor was asked for); columns ``outlet``, ``actor``, ``label``,
            ``label_kind``, ``uses``, ``events``, ``outlets_using``, ``share_of_uses``.
    """

    outlet: str
    summary: dict
    events_covered: pd.DataFrame
    events_missed: pd.DataFrame
    similar_outlets: pd.DataFrame
    distinctive_words: pd.DataFrame
    speakers: pd.DataFrame
    speaker_types: pd.DataFrame
    tone: pd.DataFrame
    labels: pd.DataFrame
    labels_by_others: pd.DataFrame

    def charts(self) -> dict[str, alt.TopLevelMixin]:
        """The page's charts, those with data: ``similar_outlets``, ``distinctive_words``,
        ``speakers``, ``speaker_types``, ``tone``."""
        from analysis import profiles
        from analysis.words import distinctive_terms_chart

        charts = {}
        if len(self.similar_outlets):
            charts["similar_outlets"] = profiles.similar_outlets_chart(self.similar_outlets, self.outlet)
        if len(self.distinctive_words):
            charts["distinctive_words"] = distinctive_terms_chart(self.distinctive_words, title="Distinctive words")
        if len(self.speakers):
            charts["speakers"] = profiles.speakers_chart(self.speakers)
        if len(self.speaker_types):
            charts["speaker_types"] = profiles.speaker_types_chart(self.speaker_types)
        if len(self.tone):
            charts["tone"] = profiles.tone_profile_chart(self.tone)
        return charts


def outlet_profile(store: Store, outlet: str, *, missed_min: int | None = None, min_shared: int | None = None,
                   words: str = "over", min_events: int = 1, actor: str | None = None) -> OutletProfile:
    """One outlet's profile against the corpus: events covered and missed, similar outlets, its
    words, voices, tone and actor labels.

    Args:
        store: an analysed store.
        outlet: the outlet.
        missed_min: a missed event is one at least this many outlets covered (None: 2).
        min_shared: compare with outlets sharing at least this many events (None: 3).
        words: ``over`` for the words it uses more than the other outlets, ``under`` for less.
        min_events: labels of actors labelled in at least this many events.
        actor: only this actor's labels (None: every actor).

    Returns:
        An :class:`OutletProfile`.

    Raises:
        LookupError: no such outlet, the corpus has not been analysed, or the outlet labels no
            actor ``actor``.

    Example:
        >>> profile = outlet_profile(store, "CBS News")
        >>> profile.speakers.head()
    """
    from analysis import profiles

    missed_min = profiles.DEFAULT_MIN_OUTLETS_MISSED if missed_min is None else int(missed_min)
    min_shared = profiles.DEFAULT_MIN_SHARED_EVENTS if min_shared is None else int(min_shared)
    if words not in WORD_DIRECTIONS:
        raise ValueError(f"words must be 'over' or 'under', not {words!r}")
    if min(missed_min, min_shared, int(min_events)) < 1:
        raise ValueError("missed_min, min_shared and min_events must be at least 1")
    _check_outlets(store, [outlet])
    article_events = store.article_events_with_outlets()
    if article_events.empty:
        raise LookupError(f"{store.path} has not been analysed yet: run analysis.pipeline.analyze(store) "
                          "or `coverage-lens analyze`")
    stored_events = store.events()
    terms = store.outlet_framing("outlet_terms", outlet)
    terms = terms[terms["direction"] == words]
    terms = terms.reindex(terms["z"].abs().sort_values(ascending=False).index).head(TOP_WORDS)
    voices = profiles.read_outlet_voices(store, outlet)
    own, others = profiles.read_outlet_labels(store, outlet, min_events=int(min_events))
    if actor:
        if actor not in set(own["actor"]):
            raise LookupError(f"{outlet!r} labels no actor {actor!r} here (with min_events={min_events})")
        own, others = own[own["actor"] == actor], others[others["actor"] == actor]
    else:
        most_labelled = own.groupby("actor")["uses"].sum().nlargest(TOP_ACTORS).index
        if len(most_labelled) < own["actor"].nunique():
            others = others[others["actor"].isin(set(most_labelled))]
    return OutletProfile(
        outlet=outlet,
        summary=profiles.outlet_summary(article_events, outlet),
        events_covered=profiles.events_covered(article_events, stored_events, outlet),
        events_missed=profiles.events_missed(article_events, stored_events, outlet, min_outlets=missed_min),
        similar_outlets=profiles.similar_outlets(store.outlet_similarity_overall(), outlet,
                                                 min_shared_events=min_shared),
        distinctive_words=terms.reset_index(drop=True),
        speakers=voices["speakers"],
        speaker_types=voices["types"],
        tone=profiles.read_outlet_tone(store, outlet),
        labels=own.reset_index(drop=True),
        labels_by_others=others.reset_index(drop=True),
    )


# --- Claims


@dataclass(frozen=True, repr=False)
class ClaimSearch(_View):
    """Claims and quotes found across the corpus, and one claim's wordings, as the Claims page
    shows them (:func:`search_claims`).

    Attributes:
        text: the search text.
        outlets: the outlets searched (empty: all).
        kinds: the claim kinds searched (empty: all).
        claim: the claim or claim group shown in detail ('' when none).
        results: one row per claim group and outlet carrying it; columns ``claim_group``,
            ``claim_id``, ``event_id``, ``event_label``, ``article_id``, ``outlet``,
            ``published``, ``title``, ``kind``, ``speaker``, ``text``, ``matched``,
            ``outlet_claims``, ``outlet_first_published``, ``matched_outlets``,
            ``group_outlets``, ``group_first_published``, ``report_order``, ``reported_first``,
            ``after_first``.
        wordings: every claim of the claim group shown, in publication order (empty when none is
            shown); columns ``claim_group``, ``claim_id``, ``event_id``, ``event_label``,
            ``article_id``, ``outlet``, ``published``, ``title``, ``url``, ``kind``,
            ``speaker``, ``text``, ``near``, ``report_order``, ``reported_first``,
            ``after_first``.
        timeline: the wordings as the page's report timeline lists them; columns ``outlet``,
            ``published``, ``report_order``, ``after_first``, ``kind``, ``speaker``, ``text``,
            ``near``, ``title``, ``claim_id``, ``article_id``.
        linked: claims of other outlets the claim matcher found related or conflicting; columns
            ``claim_id``, ``linked_claim_id``, ``decision``, ``score``, ``outlet``,
            ``published``, ``kind``, ``speaker``, ``text``, ``claim_group``.
        first_report: who reported the claim shown first (None when none is shown).
    """

    text: str
    outlets: list[str]
    kinds: list[str]
    claim: str
    results: pd.DataFrame
    wordings: pd.DataFrame
    timeline: pd.DataFrame
    linked: pd.DataFrame
    first_report: FirstReport | None = field(default=None)

    def charts(self) -> dict[str, alt.TopLevelMixin]:
        """The page's chart: ``report_timeline`` (when a claim is shown and any wording is dated)."""
        from analysis.search import report_timeline_chart

        if self.wordings["published"].notna().any():
            return {"report_timeline": report_timeline_chart(self.wordings)}
        return {}


_TIMELINE_COLUMNS = ["outlet", "published", "report_order", "after_first", "kind", "speaker", "text", "near",
                     "title", "claim_id", "article_id"]


def search_claims(store: Store, text: str = "", *, outlets: list[str] | None = None,
                  kinds: list[str] | None = None, claim: str | None = None) -> ClaimSearch:
    """Search claims and quotes across the corpus; with ``claim``, that claim's every wording and
    who reported it first.

    Args:
        store: an analysed store.
        text: words, "quoted phrases" or a speaker's name; all must match (case-insensitive).
            Empty: every claim, those carried by the most outlets first.
        outlets: claims of these outlets (None or empty: all).
        kinds: claims of these kinds: ``direct quote``, ``reported speech``, ``statement``.
        claim: a claim id or claim group id to show in detail.

    Returns:
        A :class:`ClaimSearch`.

    Raises:
        LookupError: an outlet or the claim is not in the corpus.
        ValueError: an unknown claim kind.

    Example:
        >>> found = search_claims(store, "persecution")
        >>> found.results[["outlet", "text", "reported_first"]]
    """
    from analysis import search

    text = (text or "").strip()
    outlets = list(dict.fromkeys(outlets or []))
    kinds = list(dict.fromkeys(kinds or []))
    bad_kinds = _unknown(kinds, search.CLAIM_KINDS)
    if bad_kinds:
        raise ValueError(f"unknown claim kind {_listed(bad_kinds)}: choose from {_listed(search.CLAIM_KINDS)}")
    _check_outlets(store, outlets)
    results = search.claim_search(store, text, outlets=outlets or None, kinds=kinds or None)
    detail = search.claim_detail(store, claim or "")
    wordings = detail["claims"]
    if claim and wordings.empty:
        raise LookupError(f"no claim {claim!r} in this corpus: it may have been analysed again since")
    timeline = wordings[_TIMELINE_COLUMNS].assign(after_first=lambda frame: frame["after_first"].astype(str))
    return ClaimSearch(
        text=text, outlets=outlets, kinds=kinds, claim=claim or "", results=results, wordings=wordings,
        timeline=timeline, linked=detail["linked"],
        first_report=search.first_report(wordings) if claim else None,
    )


# --- Article and Data


@dataclass(frozen=True, repr=False)
class ArticleView(_View):
    """One stored article, as the Article page shows it (:func:`article`).

    Attributes:
        article_id: the article.
        article: every stored field: ``article_id``, ``outlet``, ``outlet_basis``, ``title``,
            ``published``, ``url``, ``author``, ``text`` (cleaned), ``raw_text``, ``source``,
            ``language``, ``meta``, ``ingested_at``, ``ingest_id``.
        sentences: its sentences, the headline first; columns ``article_id``, ``sentence_no``,
            ``start``, ``end``, ``text``, ``is_headline``.
    """

    article_id: str
    article: dict
    sentences: pd.DataFrame

    def charts(self) -> dict[str, alt.TopLevelMixin]:
        """The Article page draws no chart."""
        return {}


def article(store: Store, article_id: str) -> ArticleView:
    """One stored article with its sentences.

    Args:
        store: a store.
        article_id: the article's id (16 hex characters).

    Returns:
        An :class:`ArticleView`.

    Raises:
        LookupError: no such article.

    Example:
        >>> article(store, "0efe080f883082e1").sentences.head()
    """
    stored = store.article(article_id)
    if stored is None:
        raise LookupError(f"no article {article_id!r} in this corpus (the link may come from another corpus, "
                          "or the article was removed)")
    return ArticleView(article_id=article_id, article=stored, sentences=store.sentences([article_id]))


@dataclass(frozen=True, repr=False)
class CorpusSummary(_View):
    """What the Data page says of a corpus (:func:`corpus_summary`).

    Attributes:
        facts: ``articles``, ``outlets``, ``first_published``, ``last_published``,
            ``events``, ``multi_outlet_events``, ``unanalysed``, ``last_ingest`` and
            ``last_analysis``.
        outlet_counts: columns ``outlet``, ``articles``, ``first_published``,
            ``last_published``.
        ingests: the ingest log, newest first; columns ``ingest_id``, ``started_at``,
            ``finished_at``, ``inputs``, ``added``, ``already_present``, ``rejected``,
            ``aborted``.
    """

    facts: dict
    outlet_counts: pd.DataFrame
    ingests: pd.DataFrame

    def charts(self) -> dict[str, alt.TopLevelMixin]:
        """The Data page draws no chart."""
        return {}


def corpus_summary(store: Store) -> CorpusSummary:
    """A corpus's counts and ingest log, as the Data page lists them.

    Args:
        store: a store.

    Returns:
        A :class:`CorpusSummary`.

    Example:
        >>> corpus_summary(store).facts["multi_outlet_events"]
        1
    """
    from analysis.overview import corpus_facts

    ingests = store.ingests()
    facts = corpus_facts(store.summary(), store.events(), store.article_events(), ingests, store.last_run())
    return CorpusSummary(facts=facts, outlet_counts=store.outlet_counts(), ingests=ingests)

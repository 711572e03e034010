"""Corpus-at-a-glance tables: what the Overview page and a notebook's first cell show: the coverage
timeline, events ranked by how many outlets covered them, and blind spots (events most outlets
covered that some active outlets did not).

Example:
    >>> import pandas as pd
    >>> articles = pd.DataFrame({"outlet": ["A", "A", "B"],
    ...     "published": pd.to_datetime(["2020-01-01", "2020-01-02", None], utc=True)})
    >>> coverage_timeline(articles, frequency="day")["articles"].tolist()
    [1, 1]
"""

from __future__ import annotations

import itertools
import operator
from typing import Literal

import numpy as np
import pandas as pd

__all__ = [
    "BLIND_SPOT_COLUMNS", "EVENT_REACH_COLUMNS", "OTHER_OUTLETS", "Frequency", "blind_spots", "coverage_timeline",
    "corpus_facts", "events_by_outlet_count", "timeline_frequency",
]

Frequency = Literal["day", "week", "month", "year"]
# The timeline's name for the outlets counted together beyond its top outlets.
OTHER_OUTLETS = "(other outlets)"
# Weeks end on Sunday, so each week bin starts on a Monday.
_PERIOD_CODES = {"day": "D", "week": "W-SUN", "month": "M", "year": "Y"}


def timeline_frequency(published: pd.Series) -> Frequency:
    """A bin width that gives a readable timeline for the span of ``published``.

    Up to 60 days: day; up to a year: week; up to 15 years: month; beyond: year.
    """
    dates = published.dropna()
    if dates.empty:
        return "day"
    span_days = (dates.max() - dates.min()).days
    if span_days <= 60:
        return "day"
    if span_days <= 366:
        return "week"
    if span_days <= 15 * 365:
        return "month"
    return "year"


def coverage_timeline(
    articles: pd.DataFrame, *, frequency: Frequency | None = None, top_outlets: int | None = None
) -> pd.DataFrame:
    """Articles per outlet per period.

    Args:
        articles: columns ``outlet`` and ``published`` (UTC timestamps; undated rows are left out).
        frequency: bin width; by default :func:`timeline_frequency` picks one.
        top_outlets: keep the ``top_outlets`` outlets with the most dated articles apart and count
            the others together as :data:`OTHER_OUTLETS` (a chart of hundreds of outlets is unreadable).

    Returns:
        Columns ``period_start`` (UTC timestamp of the bin's first day), ``outlet``,
        ``articles`` (count), ``frequency``; ordered by period then outlet.
    """
    frequency = frequency or timeline_frequency(articles["published"])
    if frequency not in _PERIOD_CODES:
        raise ValueError(f"frequency must be one of {', '.join(_PERIOD_CODES)}, not {frequency!r}")
    dated = articles.dropna(subset=["published"])
    if top_outlets is not None and dated["outlet"].nunique() > top_outlets:
        kept = dated["outlet"].value_counts().sort_index().sort_values(ascending=False, kind="stable")
        dated = dated.assign(outlet=dated["outlet"].where(dated["outlet"].isin(kept.index[:top_outlets]), OTHER_OUTLETS))
    columns = ["period_start", "outlet", "articles", "frequency"]
    if dated.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(columns, ["datetime64[ns, UTC]", str, int, str])})
    published = pd.to_datetime(dated["published"], utc=True)
    periods = published.dt.tz_localize(None).dt.to_period(_PERIOD_CODES[frequency]).dt.start_time
    counts = (
        pd.DataFrame({"period_start": periods.dt.tz_localize("UTC"), "outlet": dated["outlet"].to_numpy()})
        .groupby(["period_start", "outlet"], observed=True)
        .size()
        .rename("articles")
        .reset_index()
        .sort_values(["period_start", "outlet"], ignore_index=True)
    )
    counts["frequency"] = frequency
    return counts[columns]


EVENT_REACH_COLUMNS = (
    "event_id", "label", "outlets", "articles", "first_published", "last_published", "outlet_names",
)
BLIND_SPOT_COLUMNS = (
    "event_id", "label", "outlets", "active_outlets", "share", "missed", "missed_by",
    "first_published", "last_published",
)


def _event_facts(article_events: pd.DataFrame, events: pd.DataFrame | None) -> pd.DataFrame:
    """Per event of ``article_events``: outlets, articles, first and last published, label."""
    facts = article_events.groupby("event_id", sort=False).agg(
        outlets=("outlet", "nunique"), articles=("article_id", "size"),
        first_published=("published", "min"), last_published=("published", "max"),
    )
    if events is not None and "label" in events:
        facts["label"] = events.set_index("event_id")["label"].reindex(facts.index)
    else:
        facts["label"] = None
    return facts.reset_index()


def _outlet_names(article_events: pd.DataFrame, event_ids: pd.Series) -> pd.Series:
    """The outlets of each of ``event_ids`` as one sorted, comma-separated string."""
    pairs = article_events.loc[article_events["event_id"].isin(event_ids), ["event_id", "outlet"]]
    pairs = pairs.drop_duplicates().sort_values(["event_id", "outlet"])
    # Plain Python over the sorted pairs: pandas' per-group string joins take ten times longer.
    joined = {
        event_id: ", ".join(outlet for _, outlet in group)
        for event_id, group in itertools.groupby(zip(pairs["event_id"].tolist(), pairs["outlet"].tolist()),
                                                 key=operator.itemgetter(0))
    }
    return pd.Series(joined, dtype=object).reindex(event_ids.to_numpy()).fillna("")


def events_by_outlet_count(
    article_events: pd.DataFrame, events: pd.DataFrame | None = None, *, top: int | None = None
) -> pd.DataFrame:
    """Events ranked by how many outlets covered them.

    Counts are taken from ``article_events``, so filtering it to some outlets first ranks the
    events by how many of those outlets covered them.

    Args:
        article_events: one row per analysed article, columns ``article_id``, ``outlet``,
            ``event_id``, ``published`` (UTC), as :meth:`analysis.store.Store.article_events_with_outlets`.
        events: columns ``event_id``, ``label`` (as :meth:`analysis.store.Store.events`); without it
            the labels are empty.
        top: keep only the first ``top`` events of the ranking.

    Returns:
        Columns ``event_id``, ``label``, ``outlets`` (distinct outlets covering the event),
        ``articles``, ``first_published``, ``last_published`` (UTC; NaT when undated),
        ``outlet_names`` (the outlets, sorted, comma-separated); ordered by ``outlets`` then
        ``articles`` (both descending), ``first_published``, ``event_id``.

    Example:
        >>> import pandas as pd
        >>> article_events = pd.DataFrame({"article_id": ["a1", "a2", "a3"], "outlet": ["A", "B", "A"],
        ...     "event_id": ["e1", "e1", "e2"], "published": pd.to_datetime(["2020-01-01"] * 3, utc=True)})
        >>> events_by_outlet_count(article_events)[["event_id", "outlets", "outlet_names"]].values.tolist()
        [['e1', 2, 'A, B'], ['e2', 1, 'A']]
    """
    facts = _event_facts(article_events, events)
    ranked = facts.sort_values(
        ["outlets", "articles", "first_published", "event_id"], ascending=[False, False, True, True],
        na_position="last", ignore_index=True,
    )
    if top is not None:
        ranked = ranked.head(top)
    ranked["outlet_names"] = _outlet_names(article_events, ranked["event_id"]).to_numpy()
    return ranked[list(EVENT_REACH_COLUMNS)]


def blind_spots(
    article_events: pd.DataFrame,
    events: pd.DataFrame | None = None,
    *,
    min_outlets: int = 3,
    min_share: float = 0.5,
    window_days: float = 7.0,
) -> pd.DataFrame:
    """Events most outlets covered but some outlets active at the time did not.

    An outlet is *active* around an event when it published any article from ``window_days``
    before the event's first article to ``window_days`` after its last one (for an event with no
    dated article: every outlet). An event is a blind spot when at least ``min_outlets`` outlets
    covered it, they make up at least ``min_share`` of the outlets active around it, and at least
    one active outlet did not cover it: the outlets that missed it were publishing, just not on this.

    Args:
        article_events: columns ``article_id``, ``outlet``, ``event_id``, ``published`` (UTC), as
            :meth:`analysis.store.Store.article_events_with_outlets`; filter it to some outlets to
            ask the question among those outlets only.
        events: columns ``event_id``, ``label``; without it the labels are empty.
        min_outlets: fewest outlets that must have covered the event.
        min_share: smallest share of the active outlets that must have covered it.
        window_days: days before and after the event in which an outlet counts as active.

    Returns:
        Columns ``event_id``, ``label``, ``outlets`` (outlets that covered it),
        ``active_outlets`` (outlets active around it, those that covered it included), ``share``
        (outlets / active_outlets), ``missed`` (active outlets that did not cover it), ``missed_by``
        (their names, sorted, comma-separated), ``first_published``, ``last_published``; ordered by
        ``outlets`` then ``share`` (both descending), ``first_published``, ``event_id``.
    """
    if min_outlets < 1 or not 0 <= min_share <= 1 or window_days < 0:
        raise ValueError("min_outlets must be at least 1, min_share within [0, 1], window_days not negative")
    facts = _event_facts(article_events, events)
    candidates = facts[facts["outlets"] >= min_outlets].reset_index(drop=True)
    outlets = sorted(article_events["outlet"].unique())
    if candidates.empty or not outlets:
        return pd.DataFrame({column: pd.Series(dtype=_BLIND_SPOT_DTYPES.get(column, object))
                             for column in BLIND_SPOT_COLUMNS})

    covered = _coverage_matrix(article_events, candidates["event_id"], outlets)
    active = _activity_matrix(article_events, candidates, outlets, pd.Timedelta(days=window_days)) | covered
    missing = active & ~covered
    candidates["active_outlets"] = active.sum(axis=1)
    candidates["share"] = candidates["outlets"] / candidates["active_outlets"]
    candidates["missed"] = missing.sum(axis=1)
    names = np.array(outlets, dtype=object)
    candidates["missed_by"] = [", ".join(names[row]) for row in missing]
    spots = candidates[(candidates["share"] >= min_share) & (candidates["missed"] > 0)]
    spots = spots.sort_values(
        ["outlets", "share", "first_published", "event_id"], ascending=[False, False, True, True],
        na_position="last", ignore_index=True,
    )
    return spots[list(BLIND_SPOT_COLUMNS)]


_BLIND_SPOT_DTYPES = {
    "outlets": "int64", "active_outlets": "int64", "share": "float64", "missed": "int64",
    "first_published": "datetime64[ns, UTC]", "last_published": "datetime64[ns, UTC]",
}


def _coverage_matrix(article_events: pd.DataFrame, event_ids: pd.Series, outlets: list[str]) -> np.ndarray:
    """Boolean events × outlets: the outlet has an article in the event."""
    rows = pd.Index(event_ids).get_indexer(article_events["event_id"])
    inside = rows >= 0
    columns = pd.Index(outlets).get_indexer(article_events.loc[inside, "outlet"])
    matrix = np.zeros((len(event_ids), len(outlets)), dtype=bool)
    matrix[rows[inside], columns] = True
    return matrix


def _activity_matrix(
    article_events: pd.DataFrame, events: pd.DataFrame, outlets: list[str], window: pd.Timedelta
) -> np.ndarray:
    """Boolean events × outlets: the outlet published something within ``window`` of the event."""
    stamps = pd.to_datetime(article_events["published"], utc=True).dt.tz_localize(None).to_numpy("datetime64[ns]")
    codes = pd.Index(outlets).get_indexer(article_events["outlet"])
    dated = ~np.isnat(stamps)
    stamps, codes = stamps[dated], codes[dated]
    # Dates sorted by outlet, then time: each outlet's dates are one sorted slice.
    order = np.lexsort((stamps, codes))
    stamps, codes = stamps[order], codes[order]
    bounds = np.searchsorted(codes, np.arange(len(outlets) + 1))
    low = (pd.to_datetime(events["first_published"], utc=True) - window).dt.tz_localize(None).to_numpy("datetime64[ns]")
    high = (pd.to_datetime(events["last_published"], utc=True) + window).dt.tz_localize(None).to_numpy("datetime64[ns]")
    undated = np.isnat(low)
    matrix = np.ones((len(events), len(outlets)), dtype=bool)
    for column in range(len(outlets)):
        dates = stamps[bounds[column]:bounds[column + 1]]
        first_inside = np.searchsorted(dates, low[~undated], side="left")
        past_end = np.searchsorted(dates, high[~undated], side="right")
        matrix[~undated, column] = past_end > first_inside
    return matrix


def corpus_facts(
    summary: dict, events: pd.DataFrame, article_events: pd.DataFrame, ingests: pd.DataFrame, last_run: dict | None
) -> dict:
    """What the Data page lists per corpus, from the store's reads of the same names.

    Args:
        summary, events, article_events, ingests, last_run: what the
            :class:`~analysis.store.Store` methods ``summary``, ``events``, ``article_events``,
            ``ingests`` and ``last_run`` return.

    Returns:
        ``articles``, ``outlets``, ``first_published`` and ``last_published`` (ISO dates or None),
        ``events`` and ``multi_outlet_events`` (0 before the first analysis), ``unanalysed``
        (articles in no event yet), ``last_ingest`` (UTC timestamp the newest ingest finished, or
        None), ``last_analysis`` (``{"run_id", "mode", "finished_at"}`` of the newest finished run, or None).
    """
    finished = ingests["finished_at"].dropna()
    return {
        "articles": summary["articles"],
        "outlets": summary["outlets"],
        "first_published": summary["first_published"],
        "last_published": summary["last_published"],
        "events": len(events),
        "multi_outlet_events": int((events["outlets"] >= 2).sum()),
        "unanalysed": summary["articles"] - article_events["article_id"].nunique(),
        "last_ingest": finished.max() if len(finished) else None,
        "last_analysis": ({"run_id": last_run["run_id"], "mode": last_run["mode"],
                           "finished_at": last_run.get("finished_at")} if last_run else None),
    }

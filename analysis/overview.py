"""Corpus-at-a-glance tables: what the Overview page and a notebook's first cell show.

Example:
    >>> import pandas as pd
    >>> articles = pd.DataFrame({"outlet": ["A", "A", "B"],
    ...     "published": pd.to_datetime(["2020-01-01", "2020-01-02", None], utc=True)})
    >>> coverage_timeline(articles, frequency="day")["articles"].tolist()
    [1, 1]
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

__all__ = ["Frequency", "coverage_timeline", "timeline_frequency"]

Frequency = Literal["day", "week", "month", "year"]
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


def coverage_timeline(articles: pd.DataFrame, *, frequency: Frequency | None = None) -> pd.DataFrame:
    """Articles per outlet per period.

    Args:
        articles: columns ``outlet`` and ``published`` (UTC timestamps; undated rows are left out).
        frequency: bin width; by default :func:`timeline_frequency` picks one.

    Returns:
        Columns ``period_start`` (UTC timestamp of the bin's first day), ``outlet``,
        ``articles`` (count), ``frequency``; ordered by period then outlet.
    """
    frequency = frequency or timeline_frequency(articles["published"])
    if frequency not in _PERIOD_CODES:
        raise ValueError(f"frequency must be one of {', '.join(_PERIOD_CODES)}, not {frequency!r}")
    dated = articles.dropna(subset=["published"])
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

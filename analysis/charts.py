"""Altair chart builders shared by the dashboard and notebooks.

Each builder is a pure function ``(DataFrame, ...) -> alt.Chart`` over the
documented columns of an analysis table. Outlets keep one colour everywhere:
:func:`outlet_colors` derives it from the outlet's name, so a chart of two
outlets and a chart of twenty agree.

Example:
    >>> import pandas as pd
    >>> timeline = pd.DataFrame({"period_start": pd.to_datetime(["2020-01-01"], utc=True),
    ...     "outlet": ["A"], "articles": [2], "frequency": ["day"]})
    >>> timeline_chart(timeline).to_dict()["mark"]["type"]
    'bar'
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import altair as alt
import pandas as pd

__all__ = ["OUTLET_PALETTE", "outlet_color_scale", "outlet_colors", "timeline_chart"]

# Tableau 20: distinct hues, readable on white; the order interleaves dark and light.
OUTLET_PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
    "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
)


def outlet_colors(outlets: Iterable[str]) -> dict[str, str]:
    """A fixed colour per outlet name (a stable hash into :data:`OUTLET_PALETTE`)."""
    return {
        outlet: OUTLET_PALETTE[int(hashlib.md5(outlet.encode("utf-8")).hexdigest(), 16) % len(OUTLET_PALETTE)]
        for outlet in outlets
    }


def outlet_color_scale(outlets: Iterable[str]) -> alt.Scale:
    """An Altair colour scale mapping each outlet to its fixed colour."""
    colors = outlet_colors(sorted(set(outlets)))
    return alt.Scale(domain=list(colors), range=list(colors.values()))


_PERIOD_FORMATS = {"day": "%d %b %Y", "week": "week of %d %b %Y", "month": "%b %Y", "year": "%Y"}


def timeline_chart(timeline: pd.DataFrame, *, title: str = "Articles per outlet over time") -> alt.Chart:
    """Stacked bars of articles per outlet per period.

    Args:
        timeline: columns ``period_start``, ``outlet``, ``articles``, ``frequency``, as
            returned by :func:`analysis.overview.coverage_timeline`.
    """
    frequency = timeline["frequency"].iloc[0] if len(timeline) else "day"
    time_unit = {"day": "yearmonthdate", "week": "yearmonthdate", "month": "yearmonth", "year": "year"}[frequency]
    data = timeline.assign(period_start=timeline["period_start"].dt.tz_localize(None))
    return (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            x=alt.X(f"{time_unit}(period_start):T", title=f"Published ({frequency})"),
            y=alt.Y("sum(articles):Q", title="Articles"),
            color=alt.Color("outlet:N", scale=outlet_color_scale(timeline["outlet"]), title="Outlet"),
            tooltip=[
                alt.Tooltip("outlet:N", title="Outlet"),
                alt.Tooltip("period_start:T", title="Period from", format=_PERIOD_FORMATS[frequency]),
                alt.Tooltip("articles:Q", title="Articles"),
            ],
        )
    )

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


# Sentence statuses of analysis.similarity.sentence_alignment: green for shared text,
# amber for reworded, grey for what only one article says.
STATUS_COLORS = {"shared": "#2ca02c", "reworded": "#ff7f0e", "unique": "#7f7f7f"}


def similarity_heatmap(
    outlet_similarity: pd.DataFrame, *, title: str = "How alike outlets' coverage is"
) -> alt.LayerChart:
    """Outlet × outlet matrix of coverage similarity, each cell labelled with its score.

    Args:
        outlet_similarity: columns ``outlet_a``, ``outlet_b``, ``similarity`` (in [0, 1], NaN
            for pairs with nothing to compare, left blank) and optionally ``articles_a``,
            ``articles_b`` or ``shared_events``, as returned by
            :func:`analysis.similarity.outlet_similarity_for_event` and
            :func:`analysis.similarity.outlet_similarity_overall`.
    """
    tooltip = [
        alt.Tooltip("outlet_a:N", title="Outlet"),
        alt.Tooltip("outlet_b:N", title="Compared with"),
        alt.Tooltip("similarity:Q", title="Similarity", format=".2f"),
    ]
    extra_columns = {"articles_a": "Articles (outlet)", "articles_b": "Articles (compared with)",
                     "shared_events": "Events both covered"}
    tooltip += [alt.Tooltip(f"{column}:Q", title=label)
                for column, label in extra_columns.items() if column in outlet_similarity.columns]
    outlets = sorted(set(outlet_similarity["outlet_a"]) | set(outlet_similarity["outlet_b"]))
    base = alt.Chart(outlet_similarity, title=title).encode(
        x=alt.X("outlet_a:N", title="Outlet", sort=outlets),
        y=alt.Y("outlet_b:N", title="Compared with", sort=outlets),
        tooltip=tooltip,
    )
    cells = base.mark_rect().encode(
        color=alt.Color("similarity:Q", scale=alt.Scale(domain=[0, 1], scheme="blues"), title="Similarity")
    )
    labels = (
        base.mark_text(baseline="middle")
        .transform_filter("isValid(datum.similarity)")
        .encode(
            text=alt.Text("similarity:Q", format=".2f"),
            # Dark cells get white text so the label stays readable.
            color=alt.condition("datum.similarity > 0.6", alt.value("white"), alt.value("black")),
        )
    )
    return cells + labels


def alignment_chart(alignment: pd.DataFrame, *, title: str = "Closest sentence in the other article") -> alt.Chart:
    """One bar per sentence of article A: the score of its best match in article B.

    Args:
        alignment: columns ``sentence_no``, ``text``, ``match_sentence_no``, ``match_text``,
            ``score``, ``status``, as returned by :func:`analysis.similarity.sentence_alignment`.
    """
    return (
        alt.Chart(alignment, title=title)
        .mark_bar()
        .encode(
            x=alt.X("sentence_no:O", title="Sentence"),
            y=alt.Y("score:Q", title="Best-match similarity", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(domain=list(STATUS_COLORS), range=list(STATUS_COLORS.values())),
                title="Status",
            ),
            tooltip=[
                alt.Tooltip("sentence_no:O", title="Sentence"),
                alt.Tooltip("status:N", title="Status"),
                alt.Tooltip("score:Q", title="Similarity", format=".2f"),
                alt.Tooltip("text:N", title="Sentence text"),
                alt.Tooltip("match_sentence_no:O", title="Matched sentence"),
                alt.Tooltip("match_text:N", title="Matched text"),
            ],
        )
    )


__all__ += ["STATUS_COLORS", "alignment_chart", "similarity_heatmap"]

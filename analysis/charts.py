"""Altair chart builders shared by the dashboard and notebooks.

Each builder is a pure function ``(DataFrame, ...) -> alt.Chart`` over the
documented columns of an analysis table. Outlets keep one colour across charts:
:func:`outlet_colors` derives it from the outlet's name, so a chart of two
outlets and a chart of twenty agree, except that no two outlets of one chart
share a colour (up to the palette's 20).

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
    """A colour per outlet: the one its name hashes to in :data:`OUTLET_PALETTE`, unless an outlet
    before it (by name) in ``outlets`` already has that colour; then the next free one.

    Hashing alone keeps an outlet's colour whatever the company, but gives two of five outlets
    the same colour about two times in five (one event in five on article_bias_prediction).
    The same set of outlets gets the same colours in any order. Beyond 20 outlets colours repeat.
    """
    names = sorted(set(outlets))
    taken: set[int] = set()
    colors = {}
    for outlet in names:
        slot = int(hashlib.md5(outlet.encode("utf-8")).hexdigest(), 16) % len(OUTLET_PALETTE)
        if len(taken) < len(OUTLET_PALETTE):
            while slot in taken:
                slot = (slot + 1) % len(OUTLET_PALETTE)
            taken.add(slot)
        colors[outlet] = OUTLET_PALETTE[slot]
    return colors


def outlet_color_scale(outlets: Iterable[str]) -> alt.Scale:
    """An Altair colour scale mapping each outlet to its fixed colour."""
    colors = outlet_colors(outlets)  # keyed by name, in name order
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


# Pale backgrounds for sentences highlighted by status (dark text stays readable on them);
# a unique sentence keeps the page background.
HIGHLIGHT_COLORS = {"shared": "#c7e9c0", "reworded": "#fdd0a2", "unique": None}
_NOT_CARRIED = "#eeeeee"
# Row height of one claim in the coverage matrix, and of one bar in the bar charts below, in
# pixels; the charts fit the width only (Streamlit otherwise fits the height too, squeezing rows
# until their labels drop out).
_MATRIX_ROW = 20
_BAR_ROW = 20
_FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")


def articles_by_outlet_chart(counts: pd.DataFrame, *, title: str = "Articles by outlet") -> alt.Chart:
    """Horizontal bars: how many articles each outlet has (in an event, or any selection).

    Args:
        counts: columns ``outlet``, ``articles`` and optionally ``first_published`` and
            ``last_published``, as :func:`analysis.comparison.articles_per_outlet` returns them.
    """
    data = counts.copy()
    tooltip = [alt.Tooltip("outlet:N", title="Outlet"), alt.Tooltip("articles:Q", title="Articles")]
    for column, label in (("first_published", "First published"), ("last_published", "Last published")):
        if column in data.columns:
            data[column] = pd.to_datetime(data[column], utc=True).dt.tz_localize(None)
            tooltip.append(alt.Tooltip(f"{column}:T", title=label, format="%d %b %Y"))
    return (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("outlet:N", title="Outlet", sort="-x"),
            x=alt.X("articles:Q", title="Articles", axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color("outlet:N", scale=outlet_color_scale(data["outlet"]), legend=None),
            tooltip=tooltip,
        )
        .properties(height=alt.Step(_BAR_ROW), autosize=_FIT_WIDTH)
    )


def claim_coverage_chart(coverage: pd.DataFrame, *, title: str = "Which outlets carry each claim") -> alt.Chart:
    """Claim groups × outlets: a cell in the outlet's colour where it carries the claim, grey
    where it does not. Rows keep the order of ``coverage`` (most widely carried first).

    Args:
        coverage: columns ``claim_group``, ``label``, ``outlet``, ``carried``,
            ``outlets_carrying`` (as :func:`analysis.claims.claim_coverage` or
            :func:`analysis.comparison.coverage_matrix` return them).
    """
    data = coverage[["claim_group", "label", "outlet", "carried", "outlets_carrying"]].copy()
    order = list(dict.fromkeys(data["claim_group"]))
    position = {group: number for number, group in enumerate(order, start=1)}
    # The row title: the claim's position and text (the axis cuts long ones; the tooltip has all).
    data["claim"] = [f"{position[group]}. {label}" for group, label in zip(data["claim_group"], data["label"])]
    data["carries"] = data["carried"].map({True: "yes", False: "no"})
    outlets = sorted(data["outlet"].unique())
    return (
        alt.Chart(data, title=title)
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            x=alt.X("outlet:N", title="Outlet", sort=outlets, axis=alt.Axis(orient="top", labelAngle=-90, labelOverlap=False, labelLimit=160)),
            y=alt.Y("claim:N", title=None, sort=list(dict.fromkeys(data["claim"])), axis=alt.Axis(labelLimit=420, labelOverlap=False)),
            color=alt.condition("datum.carried", alt.Color("outlet:N", scale=outlet_color_scale(outlets), legend=None),
                                alt.value(_NOT_CARRIED)),
            tooltip=[
                alt.Tooltip("outlet:N", title="Outlet"),
                alt.Tooltip("carries:N", title="Carries it"),
                alt.Tooltip("outlets_carrying:Q", title="Outlets carrying it"),
                alt.Tooltip("label:N", title="Claim"),
            ],
        )
        .properties(height=alt.Step(_MATRIX_ROW), autosize=_FIT_WIDTH)
    )


_CLAIM_STATUS_COLORS = {"shared": "#2ca02c", "unique": "#1f77b4", "omitted": "#d62728"}


def claim_summary_chart(summary: pd.DataFrame, *, title: str = "Claims per outlet: shared, unique, omitted") -> alt.Chart:
    """Per outlet, its shared and unique claim groups and those it omits, side by side.

    Args:
        summary: columns ``outlet``, ``shared``, ``unique``, ``omitted``, as
            :func:`analysis.claims.outlet_claim_summary` returns them.
    """
    statuses = list(_CLAIM_STATUS_COLORS)
    data = summary.melt(id_vars="outlet", value_vars=statuses, var_name="status", value_name="claim_groups")
    return (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("outlet:N", title="Outlet"),
            yOffset=alt.YOffset("status:N", sort=statuses),
            x=alt.X("claim_groups:Q", title="Claim groups", axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color("status:N", title="Claims", sort=statuses,
                            scale=alt.Scale(domain=statuses, range=list(_CLAIM_STATUS_COLORS.values()))),
            tooltip=[
                alt.Tooltip("outlet:N", title="Outlet"),
                alt.Tooltip("status:N", title="Claims"),
                alt.Tooltip("claim_groups:Q", title="Claim groups"),
            ],
        )
        # Each outlet's three bars share one row of _BAR_ROW pixels or so.
        .properties(height=alt.Step(_BAR_ROW // 3 + 1), autosize=_FIT_WIDTH)
    )


def voices_chart(voices: pd.DataFrame, *, title: str = "Quoted words by speaker and outlet") -> alt.Chart:
    """Horizontal stacked bars: the words each outlet quotes from each speaker, speakers with
    the most quoted words on top.

    Args:
        voices: columns ``outlet``, ``speaker``, ``speaker_type``, ``role``, ``quotes``,
            ``quoted_words``, ``share``, as :func:`analysis.voices.voices` (or
            :func:`analysis.comparison.top_speakers`) returns them.
    """
    data = voices.assign(speaker=voices["speaker"].fillna("(no speaker named)"), role=voices["role"].fillna(""))
    order = data.groupby("speaker")["quoted_words"].sum().sort_values(ascending=False, kind="stable").index.tolist()
    return (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("speaker:N", title="Speaker", sort=order, axis=alt.Axis(labelLimit=240)),
            x=alt.X("quoted_words:Q", title="Quoted words"),
            color=alt.Color("outlet:N", scale=outlet_color_scale(data["outlet"]), title="Outlet"),
            tooltip=[
                alt.Tooltip("speaker:N", title="Speaker"),
                alt.Tooltip("outlet:N", title="Outlet"),
                alt.Tooltip("speaker_type:N", title="Speaker type"),
                alt.Tooltip("role:N", title="Role"),
                alt.Tooltip("quotes:Q", title="Quotes"),
                alt.Tooltip("quoted_words:Q", title="Quoted words"),
                alt.Tooltip("share:Q", title="Share of the outlet's quoted words", format=".0%"),
            ],
        )
        .properties(height=alt.Step(_BAR_ROW), autosize=_FIT_WIDTH)
    )


__all__ += ["HIGHLIGHT_COLORS", "articles_by_outlet_chart", "claim_coverage_chart", "claim_summary_chart",
            "voices_chart"]

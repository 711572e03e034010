"""Coverage timeline tables and the chart built on them."""

import pandas as pd
import pytest

from analysis.charts import OUTLET_PALETTE, outlet_colors, timeline_chart
from analysis.overview import coverage_timeline, timeline_frequency


def _articles(dates, outlets):
    return pd.DataFrame({"outlet": outlets, "published": pd.to_datetime(dates, utc=True)})


def test_counts_per_outlet_and_period_sum_to_dated_articles():
    articles = _articles(
        ["2020-01-01", "2020-01-01", "2020-01-02", "2020-03-30", None],
        ["A", "B", "A", "A", "B"],
    )
    timeline = coverage_timeline(articles, frequency="month")
    assert list(timeline.columns) == ["period_start", "outlet", "articles", "frequency"]
    assert timeline["articles"].sum() == 4  # the undated article is left out
    january_a = timeline[(timeline["outlet"] == "A") & (timeline["period_start"] == pd.Timestamp("2020-01-01", tz="UTC"))]
    assert january_a["articles"].tolist() == [2]


def test_weeks_start_on_monday():
    timeline = coverage_timeline(_articles(["2020-01-08"], ["A"]), frequency="week")  # a Wednesday
    assert timeline["period_start"].iloc[0] == pd.Timestamp("2020-01-06", tz="UTC")


@pytest.mark.parametrize(
    ("span_days", "expected"), [(0, "day"), (60, "day"), (200, "week"), (566, "month"), (20 * 365, "year")]
)
def test_automatic_frequency(span_days, expected):
    dates = pd.Series(pd.to_datetime(["2010-01-01"], utc=True).append(pd.to_datetime(["2010-01-01"], utc=True) + pd.Timedelta(days=span_days)))
    assert timeline_frequency(dates) == expected


def test_no_dates_gives_empty_table():
    timeline = coverage_timeline(_articles([None], ["A"]))
    assert timeline.empty and list(timeline.columns) == ["period_start", "outlet", "articles", "frequency"]


def test_unknown_frequency_is_refused():
    with pytest.raises(ValueError, match="frequency"):
        coverage_timeline(_articles(["2020-01-01"], ["A"]), frequency="fortnight")


def test_outlet_colours_are_fixed_whatever_the_company():
    alone = outlet_colors(["CBS News"])
    crowd = outlet_colors(["The Telegraph", "CBS News", "U.S. News & World Report"])
    assert alone["CBS News"] == crowd["CBS News"]
    assert set(crowd.values()) <= set(OUTLET_PALETTE)


def test_timeline_chart_spec():
    timeline = coverage_timeline(_articles(["2020-01-01", "2020-01-02"], ["A", "B"]), frequency="day")
    spec = timeline_chart(timeline).to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["color"]["field"] == "outlet"
    assert spec["encoding"]["color"]["scale"]["domain"] == ["A", "B"]
    assert spec["encoding"]["color"]["scale"]["range"] == [outlet_colors(["A"])["A"], outlet_colors(["B"])["B"]]
    assert {t["field"] for t in spec["encoding"]["tooltip"]} == {"outlet", "period_start", "articles"}

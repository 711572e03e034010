"""Coverage timeline tables and the chart built on them."""

import pandas as pd
import pytest

from analysis.charts import OUTLET_PALETTE, outlet_colors, timeline_chart
from analysis.overview import (
    BLIND_SPOT_COLUMNS,
    EVENT_REACH_COLUMNS,
    OTHER_OUTLETS,
    blind_spots,
    corpus_facts,
    coverage_timeline,
    events_by_outlet_count,
    timeline_frequency,
)


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


def test_outlets_beyond_the_top_are_counted_together():
    articles = _articles(["2020-01-01"] * 6 + [None], ["A", "A", "A", "B", "B", "C", "C"])
    timeline = coverage_timeline(articles, frequency="year", top_outlets=1)
    assert dict(zip(timeline["outlet"], timeline["articles"])) == {"A": 3, OTHER_OUTLETS: 3}
    # Ties go to the outlet name first; with room for every outlet nothing is merged.
    assert set(coverage_timeline(articles, frequency="year", top_outlets=2)["outlet"]) == {"A", "B", OTHER_OUTLETS}
    assert set(coverage_timeline(articles, frequency="year", top_outlets=3)["outlet"]) == {"A", "B", "C"}


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


def test_outlets_of_one_chart_never_share_a_colour_up_to_the_palette():
    names = [f"Outlet {number}" for number in range(60)]
    for start in range(0, 40, 5):
        some = names[start : start + 20]
        colors = outlet_colors(some)
        assert len(set(colors.values())) == len(some)
        assert outlet_colors(reversed(some)) == colors  # the set decides, not the order
    # Two outlets whose names hash to one colour: the first by name keeps it, the other moves.
    own = {name: outlet_colors([name])[name] for name in names}
    first, second = next((a, b) for a in names for b in names if a < b and own[a] == own[b])
    pair = outlet_colors([second, first])
    assert pair[first] == own[first] and pair[second] != own[second]
    assert set(outlet_colors(names).values()) == set(OUTLET_PALETTE)  # beyond 20, colours repeat


def test_timeline_chart_spec():
    timeline = coverage_timeline(_articles(["2020-01-01", "2020-01-02"], ["A", "B"]), frequency="day")
    spec = timeline_chart(timeline).to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["color"]["field"] == "outlet"
    assert spec["encoding"]["color"]["scale"]["domain"] == ["A", "B"]
    assert spec["encoding"]["color"]["scale"]["range"] == [outlet_colors(["A"])["A"], outlet_colors(["B"])["B"]]
    assert {t["field"] for t in spec["encoding"]["tooltip"]} == {"outlet", "period_start", "articles"}


# --- events ranked by outlets, blind spots


def _article_events(rows):
    """rows: (event_id, outlet, published) → the columns of Store.article_events_with_outlets."""
    frame = pd.DataFrame(rows, columns=["event_id", "outlet", "published"])
    frame["published"] = pd.to_datetime(frame["published"], utc=True)
    frame["article_id"] = [f"a{n}" for n in range(len(frame))]
    frame["title"] = "t"
    return frame


# Five outlets all publishing in early January 2020, and E only in 2021:
# e_all: A B C D (E is inactive then) — no blind spot, nobody active missed it;
# e_most: A B C (D active, missed it) — a blind spot;
# e_two: A B — too few outlets; e_late: B C in 2021, E active then too, 2 of 3 — too few outlets.
EVENTS_ROWS = [
    ("e_all", "A", "2020-01-02"), ("e_all", "B", "2020-01-02"), ("e_all", "C", "2020-01-03"),
    ("e_all", "D", "2020-01-03"), ("e_all", "A", "2020-01-04"),
    ("e_most", "A", "2020-01-05"), ("e_most", "B", "2020-01-05"), ("e_most", "C", "2020-01-06"),
    ("e_two", "A", "2020-01-07"), ("e_two", "B", "2020-01-07"),
    ("e_d", "D", "2020-01-08"),
    ("e_late", "B", "2021-06-01"), ("e_late", "C", "2021-06-01"), ("e_e", "E", "2021-06-02"),
]
LABELS = pd.DataFrame({"event_id": ["e_all", "e_most", "e_two", "e_d", "e_late", "e_e"],
                       "label": ["All", "Most", "Two", "D alone", "Late", "E alone"]})


def test_events_ranked_by_outlet_count():
    ranked = events_by_outlet_count(_article_events(EVENTS_ROWS), LABELS)
    assert list(ranked.columns) == list(EVENT_REACH_COLUMNS)
    assert ranked["event_id"].tolist()[:4] == ["e_all", "e_most", "e_two", "e_late"]
    top = ranked.iloc[0]
    assert (top["label"], top["outlets"], top["articles"], top["outlet_names"]) == ("All", 4, 5, "A, B, C, D")
    assert top["first_published"] == pd.Timestamp("2020-01-02", tz="UTC")
    assert ranked["outlets"].is_monotonic_decreasing
    assert len(events_by_outlet_count(_article_events(EVENTS_ROWS), top=2)) == 2


def test_ranking_counts_only_the_outlets_given():
    rows = _article_events(EVENTS_ROWS)
    ranked = events_by_outlet_count(rows[rows["outlet"].isin(["C", "D"])], LABELS).set_index("event_id")
    assert ranked.loc["e_all", "outlets"] == 2 and ranked.loc["e_all", "outlet_names"] == "C, D"
    assert "e_two" not in ranked.index


def test_blind_spot_is_an_event_most_active_outlets_covered():
    spots = blind_spots(_article_events(EVENTS_ROWS), LABELS)
    assert list(spots.columns) == list(BLIND_SPOT_COLUMNS)
    assert spots["event_id"].tolist() == ["e_most"]
    spot = spots.iloc[0]
    assert (spot["label"], spot["outlets"], spot["active_outlets"], spot["missed"], spot["missed_by"]) == (
        "Most", 3, 4, 1, "D")
    assert spot["share"] == pytest.approx(0.75)


def test_outlets_silent_at_the_time_are_not_counted_as_missing():
    # E publishes only in 2021: it did not miss the January 2020 events.
    spots = blind_spots(_article_events(EVENTS_ROWS))
    assert "E" not in " ".join(spots["missed_by"])
    # With a window wide enough to reach June 2021, E counts as active around e_most too.
    wide = blind_spots(_article_events(EVENTS_ROWS), window_days=600).set_index("event_id")
    assert wide.loc["e_most", "missed_by"] == "D, E" and wide.loc["e_all", "missed_by"] == "E"


@pytest.mark.parametrize(
    ("min_outlets", "min_share", "expected"),
    [(3, 0.5, ["e_most"]), (4, 0.5, []), (2, 0.5, ["e_most", "e_late", "e_two"]), (3, 0.8, [])],
)
def test_blind_spot_thresholds(min_outlets, min_share, expected):
    spots = blind_spots(_article_events(EVENTS_ROWS), min_outlets=min_outlets, min_share=min_share)
    assert spots["event_id"].tolist() == expected
    # Properties: every spot has the outlets asked for and a missing outlet; shares are within bounds.
    assert (spots["outlets"] >= min_outlets).all() and (spots["missed"] >= 1).all()
    assert ((spots["share"] >= min_share) & (spots["share"] < 1)).all()
    assert (spots["outlets"] + spots["missed"] == spots["active_outlets"]).all()


def test_undated_event_counts_every_outlet_as_active():
    rows = _article_events([("u", "A", None), ("u", "B", None), ("u", "C", None), ("x", "D", "2020-01-01")])
    spots = blind_spots(rows)
    assert spots["event_id"].tolist() == ["u"] and spots["missed_by"].item() == "D"


def test_no_candidates_gives_an_empty_table_with_the_columns():
    spots = blind_spots(_article_events([("e", "A", "2020-01-01")]))
    assert spots.empty and list(spots.columns) == list(BLIND_SPOT_COLUMNS)
    empty = _article_events([])
    assert blind_spots(empty).empty and events_by_outlet_count(empty).empty


def test_blind_spot_arguments_are_checked():
    with pytest.raises(ValueError, match="min_share"):
        blind_spots(_article_events(EVENTS_ROWS), min_share=1.5)


def test_corpus_facts_before_and_after_analysis(sample_store_path):
    from analysis.pipeline import analyze
    from analysis.store import Store

    def facts(store):
        return corpus_facts(store.summary(), store.events(), store.article_events(), store.ingests(), store.last_run())

    with Store.open(sample_store_path) as store:
        before = facts(store)
        assert (before["articles"], before["outlets"], before["events"], before["unanalysed"]) == (3, 3, 0, 3)
        assert before["last_ingest"] is not None and before["last_analysis"] is None
        analyze(store)
        after = facts(store)
    assert (after["events"], after["multi_outlet_events"], after["unanalysed"]) == (2, 1, 0)
    assert after["last_analysis"]["mode"] == "refit"
    assert (after["first_published"], after["last_published"]) == ("2010-12-01", "2012-06-19")

"""Figures in text (analysis/numbers.py): one table of phrases and what each must give, plus properties."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.numbers import COLUMNS, KINDS, compare_quantities, find_quantities, quantities_conflict

INF = math.inf

# (text, phrase found, low, high, kind, unit, noun, approximate)
EXPECTED = [
    ("More than 250,000 cables were leaked.", "More than 250,000 cables", 250_000, INF, "count", None, "cables", False),
    ("at least 12 dead", "at least 12 dead", 12, INF, "count", "people", "dead", False),
    ("fewer than 5 people", "fewer than 5 people", 0, 5, "count", "people", "people", False),
    ("up to 300 km of coast", "up to 300 km", 0, 300, "measure", "km", None, False),
    ("hundreds of thousands of people", "hundreds of thousands of people", 1e5, 1e6, "count", "people", "people", True),
    ("hundreds of protesters", "hundreds of protesters", 100, 1000, "count", "people", "protesters", True),
    ("dozens were hurt", "dozens", 24, 100, "count", None, None, True),
    ("tens of thousands of homes", "tens of thousands of homes", 1e4, 1e5, "count", None, "homes", True),
    ("a 39-year-old man", "39-year-old", 39, 39, "age", "years", None, False),
    ("a woman aged 39 was", "aged 39", 39, 39, "age", "years", None, False),
    ("Julian Assange, 39, said", "39", 39, 39, "age", "years", None, False),
    ("He faces two counts of rape.", "two counts", 2, 2, "count", None, "counts", False),
    ("twenty-five soldiers", "twenty-five soldiers", 25, 25, "count", "people", "soldiers", False),
    ("three hundred and forty-two men", "three hundred and forty-two men", 342, 342, "count", "people", "men", False),
    ("a dozen eggs", "a dozen eggs", 12, 12, "count", None, "eggs", False),
    ("one person was killed", "one person", 1, 1, "count", "people", "person", False),
    ("sold for $2.5 billion", "$2.5 billion", 2.5e9, 2.5e9, "money", "USD", None, False),
    ("a £3m fine", "£3m", 3e6, 3e6, "money", "GBP", None, False),
    ("at A$4.56", "A$4.56", 4.56, 4.56, "money", "AUD", None, False),
    ("up 19 cents", "19 cents", 0.19, 0.19, "money", "USD", None, False),
    ("5 million euros", "5 million euros", 5e6, 5e6, "money", "EUR", None, False),
    ("$10-$20 million", "$10-$20 million", 1e7, 2e7, "money", "USD", None, False),
    ("rose 4.4% to", "4.4%", 4.4, 4.4, "percent", "%", None, False),
    ("rose 4.4 percent", "4.4 percent", 4.4, 4.4, "percent", "%", None, False),
    ("fell 3 per cent", "3 per cent", 3, 3, "percent", "%", None, False),
    ("about 11 percent", "about 11 percent", 11, 11, "percent", "%", None, True),
    ("1.2 million people", "1.2 million people", 1.2e6, 1.2e6, "count", "people", "people", False),
    ("between 10 and 20 people", "between 10 and 20 people", 10, 20, "count", "people", "people", False),
    ("between 1 and 2 million people", "between 1 and 2 million people", 1e6, 2e6, "count", "people", "people", False),
    ("10-20 people", "10-20 people", 10, 20, "count", "people", "people", False),
    ("a 6.1-magnitude quake", "6.1-magnitude", 6.1, 6.1, "measure", "magnitude", None, False),
    ("sentenced to 10 years in prison", "10 years", 10, 10, "duration", "year", None, False),
    ("a three-day visit", "three-day", 3, 3, "duration", "day", None, False),
    ("the third time", "third", 3, 3, "ordinal", None, None, False),
    ("in the 1990s", "1990s", 1990, 1999, "year", None, None, False),
    ("Interpol issued the notice in December 2010", "2010", 2010, 2010, "year", None, None, False),
]


@pytest.mark.parametrize("text, phrase, low, high, kind, unit, noun, approximate", EXPECTED)
def test_each_form_is_read(text, phrase, low, high, kind, unit, noun, approximate):
    found = find_quantities(text)
    assert len(found) == 1, found
    row = found.iloc[0]
    assert row["text"] == phrase == text[row["start"] : row["end"]]
    assert row["low"] == pytest.approx(low) and row["high"] == pytest.approx(high)
    assert (row["kind"], row["unit"], row["noun"], bool(row["approximate"])) == (kind, unit, noun, approximate)


@pytest.mark.parametrize(
    "text",
    [
        "On June 10 police arrived.",  # a day of a date
        "It opened on 10 June.",
        "the 10th of June",
        "at 10:30 and at 0335 GMT and 3 p.m.",  # clock times
        "the Boeing 747, the G8 summit, an F-16 and the 9/11 attacks",  # names and codes
        "one of the men said no one knew",  # pronouns
        "the No. 2 official",
        "won 3-2",  # a score
        "a third of voters",  # a fraction
    ],
)
def test_dates_times_names_and_pronouns_are_not_figures(text):
    assert find_quantities(text).empty


def test_years_are_years_not_counts():
    found = find_quantities("Yucaipa bought Dominick's in 1995 for $693 million and sold it in 1998.")
    assert found["kind"].tolist() == ["year", "money", "year"]
    assert found["low"].tolist() == [1995, 693e6, 1998]
    dated = find_quantities("On June 10, 2003, and in June 2010")
    assert dated[["kind", "low"]].values.tolist() == [["year", 2003], ["year", 2010]]


def test_several_figures_in_reading_order_with_offsets():
    text = "Tab shares were up 19 cents, or 4.4%, at A$4.56, having set a record in 2003."
    found = find_quantities(text)
    assert found["kind"].tolist() == ["money", "percent", "money", "year"]
    assert found["start"].is_monotonic_increasing
    assert all(text[row.start : row.end] == row.text for row in found.itertuples())


def test_table_shape_for_any_input():
    for text in ["", "No figures here.", "42"]:
        found = find_quantities(text)
        assert list(found.columns) == COLUMNS
        assert set(found["kind"]) <= set(KINDS)
        assert (found["low"] <= found["high"]).all()


@pytest.mark.parametrize(
    "a, b, conflicts",
    [
        ("killed 20 people", "killed 35 people", [(0, 0)]),
        ("killed 20 people", "20 people were killed", []),
        ("killed 20 civilians", "35 people died", [(0, 0)]),  # a group of people and people in general
        ("killed 20 civilians", "35 soldiers died", []),  # two different groups
        ("sold for $2.5 billion", "sold for $1.8 billion", [(0, 0)]),
        ("sold for $2.47 billion", "sold for $2.5 billion", []),  # rounding
        ("rose 4.4%", "rose 4.6 percent", [(0, 0)]),
        ("about 40 people", "42 people", []),  # approximate
        ("more than 250,000 cables", "260,000 cables", []),  # open-ended range
        ("more than 250,000 cables", "200,000 cables", [(0, 0)]),
        ("hundreds of people", "500 people", []),
        ("in 1995 and 1998", "in 1998", []),  # an extra year is no dispute
        ("in 1998", "in 2003", [(0, 0)]),
        ("a 39-year-old man", "Assange, 40, said", [(0, 0)]),
        ("20 people", "$20 million", []),  # different kinds never conflict
        ("two counts of rape", "three counts of rape", [(0, 0)]),
    ],
)
def test_conflicting_figures(a, b, conflicts):
    assert quantities_conflict(find_quantities(a), find_quantities(b)) == conflicts
    swapped = quantities_conflict(find_quantities(b), find_quantities(a))
    assert swapped == sorted((j, i) for i, j in conflicts)


def test_compare_quantities_statuses():
    compared = compare_quantities(find_quantities("20 people in 1995 and 1998"), find_quantities("35 people in 1998"))
    assert list(compared.columns) == ["side", "index", "status", "other"]
    statuses = dict(zip(zip(compared["side"], compared["index"]), compared["status"]))
    assert statuses == {("a", 0): "conflicts", ("a", 1): "unmatched", ("a", 2): "agrees",
                        ("b", 0): "conflicts", ("b", 1): "agrees"}
    empty = compare_quantities(find_quantities("no figures"), find_quantities("none either"))
    assert isinstance(empty, pd.DataFrame) and empty.empty

"""Near-duplicates and wire copies: invented bodies, the earliest-original rule, exclusion."""

import numpy as np
import pandas as pd
import pytest

from analysis.settings import setting
from analysis.wire import (
    NEAR_DUPLICATE_COLUMNS,
    WIRE_COLUMNS,
    near_duplicates,
    shingles,
    wire_copies,
    without_wire_copies,
)

AGENCY = (
    "The regional council of Norvale voted on Tuesday to close the old ferry terminal at Brackwater "
    "after engineers found cracks in its main pier. The council said passengers would use a temporary "
    "landing stage at the north quay from next month, and that a new terminal would be built within "
    "three years at a cost of about 40 million. Ferry operators warned that crossings could be delayed "
    "during the first weeks while crews learn the new approach, and local traders asked for compensation."
)
OTHER = (
    "A heatwave pushed temperatures past 38 degrees in the valley towns on Sunday, and the health office "
    "opened cooling rooms in three libraries. Farmers said the harvest had started two weeks early."
)


def _articles(rows: list[tuple[str, str, str | None, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["article_id", "outlet", "published", "text"]).assign(
        published=lambda frame: pd.to_datetime(frame["published"], utc=True))


def test_shingles_are_fixed_hashes_of_word_runs():
    words = int(setting("wire_shingle_words"))
    assert len(shingles("too short", words)) == 0
    first = shingles(AGENCY, words)
    assert first.dtype == np.uint32 and np.all(np.diff(first.astype(np.int64)) > 0)  # sorted, distinct
    assert np.array_equal(first, shingles(AGENCY.upper(), words))  # case does not matter
    assert len(shingles("a b c d e f", 5)) == 2


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (AGENCY, True),  # the same body
        ("By a staff reporter. " + AGENCY + " Reporting by the agency; editing by the desk.", True),  # byline, sign-off
        (AGENCY.replace("Tuesday", "Wednesday"), True),  # one word changed
        (AGENCY[: len(AGENCY) // 2], False),  # half of it: a different article that quotes it
        (OTHER, False),
    ],
)
def test_near_duplicates_find_copies_not_articles_on_other_matters(second, expected):
    pairs = near_duplicates(_articles([("a", "Agency", "2021-06-01", AGENCY), ("b", "Daily", "2021-06-01", second)]))
    assert list(pairs.columns) == NEAR_DUPLICATE_COLUMNS
    assert (len(pairs) == 1) is expected
    if expected:
        assert pairs.loc[0, "similarity"] >= setting("wire_threshold")


def test_the_earliest_article_of_another_outlet_is_the_original():
    articles = _articles([
        ("c", "Herald", "2021-06-02", AGENCY + " More to follow."),
        ("a", "Agency", "2021-06-01", AGENCY),
        ("b", "Daily", "2021-06-01", "From the wire. " + AGENCY),
        ("d", "Agency", "2021-06-03", AGENCY),  # the agency's own repeat: not a wire copy of itself...
        ("e", "Gazette", None, AGENCY),  # undated copies count as later than dated ones
        ("f", "Tribune", "2021-06-01", OTHER),
    ])
    copies = wire_copies(articles).set_index("article_id")
    assert list(copies.reset_index().columns) == WIRE_COLUMNS
    # "a" and "b" share the first day: the smaller id is the earlier one.
    assert copies["wire_copy_of"].to_dict() == {"b": "a", "c": "a", "d": "b", "e": "a"}
    assert copies.loc["d", "copied_outlet"] == "Daily"  # ...but it copies another outlet's earlier copy
    assert ((copies["similarity"] >= setting("wire_threshold")) & (copies["similarity"] <= 1)).all()
    assert set(without_wire_copies(articles, copies.reset_index())["article_id"]) == {"a", "f"}


def test_republished_articles_of_one_outlet_are_not_wire_copies():
    articles = _articles([("a", "Daily", "2021-06-01", AGENCY), ("b", "Daily", "2021-06-05", AGENCY)])
    assert len(near_duplicates(articles)) == 1
    assert wire_copies(articles).empty
    assert len(without_wire_copies(articles)) == 2


def test_thresholds_are_settings(monkeypatch):
    half = AGENCY[: int(len(AGENCY) * 0.7)]
    articles = _articles([("a", "Agency", "2021-06-01", AGENCY), ("b", "Daily", "2021-06-02", half)])
    assert wire_copies(articles).empty
    monkeypatch.setenv("COVERAGE_LENS_WIRE_THRESHOLD", "0.5")
    assert wire_copies(articles)["article_id"].tolist() == ["b"]
    with pytest.raises(ValueError, match="unique"):
        near_duplicates(pd.concat([articles, articles]))

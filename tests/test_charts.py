"""Chart builders: the spec each returns (marks, fields, fixed outlet colours, tooltips)."""

import pandas as pd
import pytest

from analysis.charts import (
    HIGHLIGHT_COLORS,
    STATUS_COLORS,
    articles_by_outlet_chart,
    claim_coverage_chart,
    claim_summary_chart,
    outlet_colors,
    voices_chart,
)


def _tooltip_fields(spec: dict) -> list[str]:
    return [item["field"] for item in spec["encoding"]["tooltip"]]


def _data(spec: dict) -> list[dict]:
    return next(iter(spec["datasets"].values()))


def test_articles_by_outlet_bars_in_fixed_outlet_colours():
    counts = pd.DataFrame({"outlet": ["A", "B"], "articles": [3, 1],
                           "first_published": pd.to_datetime(["2020-01-01", "2020-01-02"], utc=True),
                           "last_published": pd.to_datetime(["2020-01-03", "2020-01-02"], utc=True)})
    spec = articles_by_outlet_chart(counts).to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["y"]["field"] == "outlet" and spec["encoding"]["x"]["field"] == "articles"
    scale = spec["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"])) == outlet_colors(["A", "B"])
    assert _tooltip_fields(spec) == ["outlet", "articles", "first_published", "last_published"]
    assert spec["height"] == {"step": 20} and spec["autosize"]["type"] == "fit-x"


def _coverage() -> pd.DataFrame:
    return pd.DataFrame({
        "claim_group": ["g2", "g2", "g1", "g1"], "label": ["Bridge shut", "Bridge shut", "Mayor came", "Mayor came"],
        "outlet": ["A", "B", "A", "B"], "carried": [True, True, True, False], "claim_ids": [["c1"], ["c2"], ["c3"], []],
        "outlets_carrying": [2, 2, 1, 1],
    })


def test_claim_coverage_matrix_keeps_row_order_and_greys_missing_cells():
    spec = claim_coverage_chart(_coverage()).to_dict()
    assert spec["mark"]["type"] == "rect"
    assert spec["encoding"]["y"]["sort"] == ["1. Bridge shut", "2. Mayor came"]
    assert spec["encoding"]["x"]["sort"] == ["A", "B"]
    color = spec["encoding"]["color"]
    assert color["condition"]["test"] == "datum.carried" and color["condition"]["field"] == "outlet"
    assert color["value"] == "#eeeeee"
    assert spec["height"] == {"step": 20} and spec["autosize"]["type"] == "fit-x"
    assert "label" in _tooltip_fields(spec)
    rows = _data(spec)
    assert {row["carries"] for row in rows} == {"yes", "no"} and "claim_ids" not in rows[0]


def test_claim_summary_bars_per_status():
    summary = pd.DataFrame({"outlet": ["A", "B"], "claims": [3, 2], "shared": [1, 1], "unique": [2, 1],
                            "omitted": [1, 2]})
    spec = claim_summary_chart(summary).to_dict()
    assert spec["encoding"]["color"]["scale"]["domain"] == ["shared", "unique", "omitted"]
    rows = _data(spec)
    assert len(rows) == 6
    assert {(row["outlet"], row["status"]): row["claim_groups"] for row in rows}[("B", "omitted")] == 2


def test_voices_chart_speakers_by_quoted_words():
    voices = pd.DataFrame({"outlet": ["A", "B", "A"], "speaker": ["Berg", "Berg", None],
                           "speaker_type": ["official", "official", "unattributed"], "role": ["mayor", None, None],
                           "quotes": [1, 1, 2], "quoted_words": [5, 20, 30], "share": [0.1, 0.5, 0.6]})
    spec = voices_chart(voices).to_dict()
    assert spec["encoding"]["y"]["sort"] == ["(no speaker named)", "Berg"]
    assert spec["encoding"]["x"]["field"] == "quoted_words"
    assert set(spec["encoding"]["color"]["scale"]["domain"]) == {"A", "B"}
    assert "speaker_type" in _tooltip_fields(spec)


@pytest.mark.parametrize("status", list(STATUS_COLORS))
def test_every_sentence_status_has_a_highlight(status):
    assert status in HIGHLIGHT_COLORS

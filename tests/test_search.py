"""Claim and quote search: terms, who reported first, highlighting, and the seeds' shared claims."""

import pandas as pd
import pytest

from analysis import search
from analysis.charts import outlet_colors
from analysis.store import Store


@pytest.mark.parametrize(("text", "expected"), [
    ("", []),
    ("  whereabouts  ", ["whereabouts"]),
    ('Stephens "persecution and not"', ["Stephens", "persecution and not"]),
    ('"  red   notice "', ["red notice"]),
    ("Red red RED notice", ["Red", "notice"]),
    ('unclosed "quote', ["unclosed", "quote"]),
    (" ".join(f"w{i}" for i in range(20)), [f"w{i}" for i in range(search.MAX_TERMS)]),
])
def test_search_terms(text, expected):
    assert search.search_terms(text) == expected


def _claims(outlets, dates, groups=None):
    return pd.DataFrame({
        "claim_group": groups or ["g1"] * len(outlets),
        "claim_id": [f"c{i}" for i in range(len(outlets))],
        "outlet": outlets,
        "published": pd.to_datetime(dates, utc=True, format="ISO8601"),
    })


def test_first_reports_rank_outlets_and_tie_equal_times():
    claims = _claims(["A", "B", "C", "A"], ["2020-01-02", "2020-01-01 09:00", "2020-01-01 09:00", "2020-01-05"])
    ranked = search.first_reports(claims)
    # An outlet's place is its earliest report: A's later repeat does not move it.
    assert ranked["report_order"].tolist() == [2, 1, 1, 2]
    assert ranked["reported_first"].tolist() == [False, True, True, False]
    assert ranked.loc[0, "after_first"] == pd.Timedelta(hours=15)
    first = search.first_report(ranked)
    assert first.outlets == ("B", "C") and first.tied
    assert first.published == pd.Timestamp("2020-01-01 09:00", tz="UTC")


def test_first_reports_are_per_group_and_leave_undated_outlets_unplaced():
    claims = _claims(["A", "B", "A", "B"], ["2020-01-02", None, "2020-01-03", "2020-01-01"],
                     groups=["g1", "g1", "g2", "g2"])
    ranked = search.first_reports(claims)
    assert ranked["report_order"].tolist()[2:] == [2, 1]
    assert pd.isna(ranked.loc[1, "report_order"]) and not ranked.loc[1, "reported_first"]
    assert pd.isna(ranked.loc[1, "after_first"])
    first = search.first_report(ranked[ranked["claim_group"] == "g1"])
    assert first.outlets == ("A",) and not first.tied and first.undated == ("B",)
    nobody = search.first_report(search.first_reports(_claims(["A"], [None])))
    assert nobody.published is None and nobody.outlets == () and nobody.undated == ("A",)


@pytest.mark.parametrize(("text", "terms", "flagged"), [
    ("His exact whereabouts, he said.", ["whereabouts"], ["whereabouts,"]),
    ("A persecution and not a prosecution", ["PERSECUTION AND"], ["persecution and"]),
    ("Nothing here", ["absent"], []),
    ("Nothing here", [], []),
    ("red notice, red flag", ["red"], ["red", "red"]),
])
def test_highlight_parts_flag_whole_words_and_keep_the_text(text, terms, flagged):
    parts = search.highlight_parts(text, terms)
    assert " ".join(part for part, _ in parts) == " ".join(text.split())
    assert [part for part, flag in parts if flag] == flagged
    assert all(a[1] != b[1] for a, b in zip(parts, parts[1:]))


def test_report_timeline_chart_leaves_out_undated_claims():
    claims = search.first_reports(_claims(["A", "B", "C"], ["2020-01-01", "2020-01-02", None])).assign(
        kind="statement", speaker=[None, "Jane", None], text=["x", "y", "z"])
    spec = search.report_timeline_chart(claims).to_dict()
    rows = spec["datasets"][spec["data"]["name"]]
    assert sorted(row["outlet"] for row in rows) == ["A", "B"]
    scale = spec["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"])) == outlet_colors(["A", "B"])
    assert {"outlet", "published", "text", "report_order"} <= {tip["field"] for tip in spec["encoding"]["tooltip"]}


@pytest.fixture(scope="module")
def seed_store(analyzed_sample_store):
    with Store.open(analyzed_sample_store, read_only=True) as store:
        yield store


def test_whereabouts_finds_both_outlets_wordings(seed_store):
    found = search.claim_search(seed_store, "whereabouts")
    shared = found[found["group_outlets"] == 2]
    assert set(shared["outlet"]) == {"CBS News", "The Telegraph"}
    wording = shared.set_index("outlet")
    # The Telegraph's wording shares no searched word: it comes along with its claim group.
    assert "location" in wording.loc["The Telegraph", "text"] and not wording.loc["The Telegraph", "matched"]
    assert "whereabouts" in wording.loc["CBS News", "text"] and wording.loc["CBS News", "matched"]
    # Both articles carry the same date and no time: a tie.
    assert shared["reported_first"].all()


def test_persecution_quote_and_its_detail(seed_store):
    found = search.claim_search(seed_store, "persecution")
    assert set(found.loc[found["matched"], "outlet"]) == {"CBS News", "The Telegraph"}
    group = found.loc[found["text"].str.contains("persecution and not a prosecution"), "claim_group"].item()
    detail = search.claim_detail(seed_store, group)
    texts = detail["claims"].groupby("outlet")["text"].agg(" ".join)
    assert "persecution and not a prosecution" in texts["CBS News"]
    assert "persecution and prosecution" in texts["The Telegraph"]
    by_claim = search.claim_detail(seed_store, detail["claims"]["claim_id"].iloc[0])["claims"]
    assert by_claim["claim_id"].tolist() == detail["claims"]["claim_id"].tolist()
    first = search.first_report(detail["claims"])
    assert first.tied and first.outlets == ("CBS News", "The Telegraph")
    assert set(detail["linked"]["linked_claim_id"]).isdisjoint(detail["claims"]["claim_id"])


def test_search_by_speaker_kind_and_outlet(seed_store):
    quotes = search.claim_search(seed_store, "Mark Stephens", kinds=["direct quote"])
    matched = quotes[quotes["matched"]]
    assert len(matched) and (matched["kind"] == "direct quote").all()
    assert all("Stephens" in f"{row.speaker} {row.text}" for row in matched.itertuples())
    telegraph = search.claim_search(seed_store, "Stephens", outlets=["The Telegraph"])
    assert set(telegraph.loc[telegraph["matched"], "outlet"]) == {"The Telegraph"}


def test_empty_search_lists_the_most_widely_carried_claims_first(seed_store):
    found = search.claim_search(seed_store, "", groups=3)
    assert found["claim_group"].nunique() == 3
    assert found["group_outlets"].is_monotonic_decreasing and found["matched"].all()


def test_unknown_claim_has_an_empty_detail(seed_store):
    detail = search.claim_detail(seed_store, "g-000000000000")
    assert detail["claims"].empty and detail["linked"].empty

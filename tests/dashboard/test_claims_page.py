"""The Claims page from links: search the analysed seed corpus's claims and quotes."""

import pytest
import streamlit as st

from tests.dashboard.conftest import run_with


@pytest.fixture
def app(app_over, analyzed_sample_store):
    return app_over(analyzed_sample_store, "app_pages/claims.py")



def _html(app) -> str:
    return " ".join(element.proto.body for element in app.get("html"))


def _results(app):
    return app.dataframe[0].value


def test_without_a_search_the_page_explains_itself(app):
    run_with(app)
    assert app.text_input(key="claims_q").value == ""
    assert "type words" in app.info[0].value and not app.dataframe
    assert dict(app.query_params) == {}


def test_an_outlet_alone_lists_its_most_widely_carried_claims(app):
    run_with(app, outlet=["CBS News"])
    results = _results(app)
    assert results["group_outlets"].iloc[0] == 2 and results["group_outlets"].is_monotonic_decreasing
    assert set(results.query("matched")["outlet"]) == {"CBS News"}


def test_whereabouts_finds_both_outlets_wordings(app):
    run_with(app, q="whereabouts")
    assert app.text_input(key="claims_q").value == "whereabouts"
    results = _results(app)
    shared = results[results["group_outlets"] == 2].set_index("outlet")
    assert "exact whereabouts remain unknown" in shared.loc["CBS News", "text"]
    assert "precise location remains unknown" in shared.loc["The Telegraph", "text"]
    assert shared["reported_first"].all()


def test_claim_from_the_link_shows_each_wording_and_who_was_first(app):
    run_with(app, q="persecution")
    group = _results(app).query("matched")["claim_group"].iloc[0]
    run_with(app, claim=group)
    html = _html(app)
    assert "First reported by CBS News and The Telegraph on 2010-12-01 (published at the same time: a tie)" in html
    assert "persecution</span> and not a prosecution" in html
    assert "persecution</span> and prosecution" in html
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Outlets carrying it"] == "2" and metrics["Claim group"] == group
    wordings = app.dataframe[1].value
    assert set(wordings["outlet"]) == {"CBS News", "The Telegraph"} and (wordings["report_order"] == 1).all()
    assert app.query_params["claim"] == group and app.query_params["q"] == "persecution"


def test_filters_come_from_the_link(app):
    run_with(app, q="Stephens", kind=["direct quote"], outlet=["The Telegraph"])
    assert app.multiselect(key="claims_kinds").value == ["direct quote"]
    assert app.multiselect(key="claims_outlets").value == ["The Telegraph"]
    matched = _results(app).query("matched")
    assert set(matched["outlet"]) == {"The Telegraph"} and set(matched["kind"]) == {"direct quote"}


def test_a_new_search_updates_the_link_and_closes_the_claim(app):
    run_with(app, q="persecution")
    group = _results(app)["claim_group"].iloc[0]
    run_with(app, claim=group)
    app.text_input(key="claims_q").input("whereabouts").run()
    assert not app.exception
    assert app.query_params["q"] == "whereabouts" and "claim" not in app.query_params
    assert not app.metric


def test_closing_the_claim_keeps_the_search(app):
    run_with(app, q="persecution")
    run_with(app, claim=_results(app)["claim_group"].iloc[0])
    app.button(key="claims_close").click().run()
    assert not app.exception
    assert "claim" not in app.query_params and app.query_params["q"] == "persecution"


def test_nothing_found_is_said(app):
    run_with(app, q="zzzunfindable")
    assert "No claim or quote" in app.info[0].value
    assert app.query_params["q"] == "zzzunfindable"


@pytest.mark.parametrize("claim", ["g-000000000000", "c-stale", "<script>alert(1)</script>"])
def test_unknown_claim_is_explained_with_a_way_back(app, claim):
    run_with(app, q="persecution", claim=claim)
    warnings = " ".join(warning.value for warning in app.warning)
    assert "not in this corpus" in warnings and claim in warnings
    assert not app.metric
    # The search itself still shows.
    assert len(_results(app))


def test_unknown_outlets_and_kinds_and_oversize_search_are_explained(app):
    run_with(app, q="x" * 400, outlet=["Nowhere Gazette"], kind=["rumour"])
    warnings = " ".join(warning.value for warning in app.warning)
    assert "Nowhere Gazette" in warnings and "rumour" in warnings and "too long" in warnings
    assert app.text_input(key="claims_q").value == ""
    assert "outlet" not in app.query_params and "kind" not in app.query_params


def test_undated_articles_are_not_placed_in_the_order_of_reports(app, analyzed_sample_store, tmp_path,
                                                                 monkeypatch):
    import shutil

    from analysis.store import Store

    copy = tmp_path / "undated.duckdb"
    shutil.copy(analyzed_sample_store, copy)
    with Store.open(copy) as store:
        store.connection.execute("UPDATE articles SET published = NULL WHERE outlet = 'The Telegraph'")
    monkeypatch.setenv("COVERAGE_LENS_DB", str(copy))
    st.cache_data.clear()
    run_with(app, q="persecution")
    group = _results(app).query("matched")["claim_group"].iloc[0]
    run_with(app, claim=group)
    html = _html(app)
    assert "First reported by CBS News on 2010-12-01." in html
    assert "Undated, so not placed: The Telegraph." in html and "The Telegraph · undated" in html


def test_wildcards_and_sql_are_searched_as_text(app):
    for text in ("%", "_", "' OR 1=1 --"):
        run_with(app, q=text)
        assert "No claim or quote" in app.info[0].value, text

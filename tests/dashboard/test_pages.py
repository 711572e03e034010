"""AppTest smoke tests of every page, driven by URL state as a pasted link would be."""

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO

APP = str(REPO / "dashboard" / "streamlit_app.py")


@pytest.fixture
def app(sample_store_path, monkeypatch):
    monkeypatch.setenv("COVERAGE_LENS_DB", str(sample_store_path))
    st.cache_data.clear()
    yield AppTest.from_file(APP, default_timeout=30)
    st.cache_data.clear()


def test_overview_shows_the_sample_corpus(app):
    app.run()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Articles"] == "3"
    assert metrics["Outlets"] == "3"
    listing = app.dataframe[-1].value
    assert sorted(listing["outlet"]) == ["CBS News", "The Telegraph", "U.S. News & World Report"]


def test_overview_outlet_filter_comes_from_the_link(app):
    app.query_params["outlet"] = ["CBS News"]
    app.query_params["freq"] = "month"
    app.run()
    assert not app.exception
    assert app.multiselect(key="overview_outlets").value == ["CBS News"]
    assert app.selectbox(key="overview_freq").value == "month"
    assert {m.label: m.value for m in app.metric}["Articles"] == "1"


def test_overview_unknown_outlet_and_bad_frequency_in_link_are_explained(app):
    app.query_params["outlet"] = ["No Such Outlet"]
    app.query_params["freq"] = "fortnight"
    app.run()
    assert not app.exception
    warnings = " ".join(w.value for w in app.warning)
    assert "No Such Outlet" in warnings and "fortnight" in warnings
    assert {m.label: m.value for m in app.metric}["Articles"] == "3"


def test_article_page_from_link(app, sample_store_path):
    from analysis.store import Store

    with Store.open(sample_store_path, read_only=True) as store:
        articles = store.articles()
    telegraph = articles[articles["outlet"] == "The Telegraph"]["article_id"].iloc[0]
    app.switch_page("app_pages/article.py")
    app.query_params["article"] = telegraph
    app.run()
    assert not app.exception
    assert any("Join Hunt For Julian Assange" in h.proto.body for h in app.get("html"))
    assert any("Serious Organised Crime Agency" in t.value for t in app.text)


@pytest.mark.parametrize("article_id", ["", "ffffffffffffffff", "<script>alert(1)</script>"])
def test_article_page_with_missing_or_unknown_id_is_friendly(app, article_id):
    app.switch_page("app_pages/article.py")
    if article_id:
        app.query_params["article"] = article_id
    app.run()
    assert not app.exception
    assert app.warning or app.info


def test_missing_store_is_explained(monkeypatch, tmp_path):
    monkeypatch.setenv("COVERAGE_LENS_DB", str(tmp_path / "absent.duckdb"))
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception
    assert "cannot be opened" in at.error[0].value
    assert any("no store at" in element.proto.body for element in at.get("html"))

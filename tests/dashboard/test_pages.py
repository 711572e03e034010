"""AppTest smoke tests of every page, driven by URL state as a pasted link would be."""

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import APP


@pytest.fixture
def app(app_over, sample_store_path):
    return app_over(sample_store_path)


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


# --- Overview: events by outlets, blind spots, links


@pytest.fixture
def analysed_app(analyzed_sample_store, monkeypatch):
    monkeypatch.setenv("COVERAGE_LENS_DB", str(analyzed_sample_store))
    st.cache_data.clear()
    yield AppTest.from_file(APP, default_timeout=30)
    st.cache_data.clear()


def _param(at, name: str) -> list[str]:
    """A URL parameter's values (AppTest holds a single value as a string or a one-item list)."""
    value = at.query_params.get(name, [])
    return [value] if isinstance(value, str) else list(value)


def _table(at, key_column: str):
    return next(frame.value for frame in at.dataframe if key_column in frame.value.columns)


def test_overview_on_an_unanalysed_store_says_analysis_has_not_run(app):
    app.run()
    assert not app.exception
    assert any("not been analysed" in info.value for info in app.info)
    assert not any("outlet_names" in frame.value.columns for frame in app.dataframe)


def test_overview_ranks_events_by_outlets_on_the_seeds(analysed_app):
    analysed_app.run()
    assert not analysed_app.exception
    ranked = _table(analysed_app, "outlet_names")
    # 000 and 001 are one event covered by two outlets; 002 is an event of its own.
    assert ranked["outlets"].tolist() == [2, 1]
    assert ranked["outlet_names"].tolist() == ["CBS News, The Telegraph", "U.S. News & World Report"]
    assert ranked["articles"].tolist() == [2, 1]
    # Three outlets in all: no event reaches the three outlets a blind spot needs.
    assert any("No blind spots" in info.value for info in analysed_app.info)


def test_overview_outlet_filter_counts_only_those_outlets(analysed_app):
    analysed_app.query_params["outlet"] = ["CBS News"]
    analysed_app.run()
    ranked = _table(analysed_app, "outlet_names")
    assert ranked["outlet_names"].tolist() == ["CBS News"] and ranked["outlets"].tolist() == [1]


def test_picking_an_event_opens_the_event_page_with_it(analysed_app, analyzed_sample_store):
    from analysis.store import Store

    analysed_app.run()
    ranked = _table(analysed_app, "outlet_names")
    analysed_app.session_state["overview_events"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    analysed_app.run()
    assert not analysed_app.exception
    with Store.open(analyzed_sample_store, read_only=True) as store:
        events = store.events()
    assert _param(analysed_app, "event") == [ranked["event_id"].iloc[0]]
    assert events.set_index("event_id").loc[ranked["event_id"].iloc[0], "outlets"] == 2


def test_picking_an_article_opens_it(analysed_app):
    analysed_app.run()
    listing = analysed_app.dataframe[-1].value
    analysed_app.session_state["overview_articles"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    analysed_app.run()
    assert not analysed_app.exception
    assert _param(analysed_app, "article") == [listing["article_id"].iloc[0]]


BLIND_SPOT_ARTICLES = [
    ("Alpha Post", "2021-03-04", "Harbour bridge collapses in storm",
     "The harbour bridge collapsed during a storm on Thursday night. Engineers said the harbour bridge "
     "had cracks. Mayor Lena Ortiz closed the harbour road and ferries will run instead."),
    ("Beta Times", "2021-03-04", "Storm brings down harbour bridge",
     "A storm brought down the harbour bridge on Thursday night. Mayor Lena Ortiz said engineers had "
     "found cracks in the harbour bridge, and ferries will run while the harbour road is closed."),
    ("Gamma News", "2021-03-05", "Harbour bridge collapse: ferries replace road",
     "Ferries will replace the harbour road after the harbour bridge collapsed in Thursday's storm, "
     "Mayor Lena Ortiz said. Engineers had reported cracks in the harbour bridge."),
    ("Delta Daily", "2021-03-05", "Council approves school budget",
     "The county council approved next year's school budget on Friday after a long debate about "
     "teacher salaries and new classrooms in the northern villages."),
]


@pytest.fixture(scope="module")
def blind_spot_store(tmp_path_factory):
    """Four outlets publishing the same days; three cover a bridge collapse, one does not."""
    import json

    from analysis.ingest import ingest
    from analysis.pipeline import analyze
    from analysis.store import Store

    folder = tmp_path_factory.mktemp("blind_spot")
    source = folder / "articles.jsonl"
    source.write_text("".join(json.dumps({"outlet": outlet, "published": published, "title": title, "text": text})
                              + "\n" for outlet, published, title, text in BLIND_SPOT_ARTICLES), encoding="utf-8")
    path = folder / "blind.duckdb"
    with Store.open(path) as store:
        assert ingest([str(source)], store=store).added == 4
        analyze(store)
    return path


def test_overview_shows_the_blind_spot_and_who_missed_it(blind_spot_store, monkeypatch):
    monkeypatch.setenv("COVERAGE_LENS_DB", str(blind_spot_store))
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception
    spots = _table(at, "missed_by")
    assert spots[["outlets", "active_outlets", "missed_by"]].values.tolist() == [[3, 4, "Delta Daily"]]
    assert spots["share"].tolist() == [pytest.approx(0.75)]
    # Among three outlets only, Delta's silence is not asked about: no blind spot.
    at.multiselect(key="overview_outlets").set_value(["Alpha Post", "Beta Times", "Gamma News"])
    at.run()
    assert not any("missed_by" in frame.value.columns for frame in at.dataframe)
    assert _param(at, "outlet") == ["Alpha Post", "Beta Times", "Gamma News"]
    st.cache_data.clear()


def test_overview_links_carry_the_corpus(analyzed_sample_store, tmp_path, monkeypatch):
    import shutil

    shutil.copy(analyzed_sample_store, tmp_path / "main.duckdb")
    shutil.copy(analyzed_sample_store, tmp_path / "second.duckdb")
    monkeypatch.setenv("COVERAGE_LENS_DB", str(tmp_path / "main.duckdb"))
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["corpus"] = "second"
    at.query_params["freq"] = "year"
    at.run()
    assert not at.exception
    links = {link.proto.label: link.proto.query_string for link in at.get("page_link")}
    assert links["Data"] == "corpus=second"
    assert _param(at, "freq") == ["year"] and _param(at, "corpus") == ["second"]
    st.cache_data.clear()

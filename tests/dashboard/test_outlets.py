"""The Outlets page from links: one outlet's profile against the analysed seed corpus."""

import pytest

from tests.dashboard.conftest import run_with


@pytest.fixture
def app(app_over, analyzed_sample_store):
    return app_over(analyzed_sample_store, "app_pages/outlets.py")



def _html(app) -> str:
    return " ".join(element.proto.body for element in app.get("html"))


def _frames(app):
    return [frame.value for frame in app.dataframe]


def test_without_an_outlet_the_page_asks_for_one(app):
    run_with(app)
    assert app.selectbox(key="outlets_outlet").value is None
    assert "Choose an outlet" in app.info[0].value
    assert not app.metric


def test_outlet_link_shows_its_events(app):
    run_with(app, outlet="The Telegraph")
    assert app.selectbox(key="outlets_outlet").value == "The Telegraph"
    assert "The Telegraph</h1>" in _html(app)
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Articles"] == "1" and metrics["Events covered"] == "1"
    assert metrics["Shared with other outlets"] == "1" and "Published on 2010-12-01" in _html(app)
    covered = _frames(app)[0]
    assert covered["outlets"].tolist() == [2] and "Assange" in covered["label"].iloc[0]
    # The later U.S. News event falls outside the Telegraph's publishing period: no blind spot.
    assert any("No such event" in info.value for info in app.info)
    assert app.query_params["outlet"] == "The Telegraph"


def test_voices_tab_shows_mark_stephens_as_the_top_voice(app):
    run_with(app, outlet="The Telegraph", tab="voices")
    assert "Most quoted: Mark Stephens" in _html(app)
    speakers, types = _frames(app)[:2]
    assert speakers["speaker"].iloc[0] == "Mark Stephens" and speakers["quoted_words"].iloc[0] > 50
    assert set(types["outlet"]) == {"The Telegraph"}
    assert types.set_index("speaker_type").loc["lawyer/advocate", "share"] > 0.5
    assert app.query_params["tab"] == "voices"


def test_labels_tab_shows_the_telegraphs_and_the_others_labels_for_assange(app):
    run_with(app, outlet="The Telegraph", tab="labels", actor="Julian Assange")
    assert app.selectbox(key="outlets_actor").value == "Julian Assange"
    own, others = _frames(app)[:2]
    assert own["label"].tolist() == ["The 39-year-old Australian"]
    assert {"WikiLeaks founder", "The former computer hacker"} <= set(others["label"])
    assert set(others["outlet"]) == {"CBS News"}
    assert app.query_params["actor"] == "Julian Assange"


def test_recurring_actor_threshold_comes_from_the_link(app):
    run_with(app, outlet="The Telegraph", tab="labels", min_events="2")
    assert app.number_input(key="outlets_min_events").value == 2
    # Every seed actor is labelled in one event only.
    assert any("No actor labels" in info.value for info in app.info)
    assert app.query_params["min_events"] == "2"


def test_similar_outlets_threshold_can_be_lowered_to_what_the_corpus_has(app):
    run_with(app, outlet="The Telegraph", tab="similar")
    assert "the most any shares is 1" in app.info[0].value
    app.button(key="outlets_lower_min_shared").click().run()
    assert not app.exception
    assert app.number_input(key="outlets_min_shared").value == 1
    similar = _frames(app)[0]
    assert similar["outlet"].tolist() == ["CBS News"] and 0 < similar["similarity"].iloc[0] < 1
    assert app.query_params["min_shared"] == "1"


def test_words_and_tone_tabs_from_links(app):
    run_with(app, outlet="The Telegraph", tab="words", words="under")
    assert app.radio(key="outlets_words").value == "under"
    terms = _frames(app)[0]
    assert len(terms) and (terms["direction"] == "under").all() and (terms["outlet"] == "The Telegraph").all()
    run_with(app, tab="tone", words="over")
    tone = _frames(app)[0]
    assert set(tone["outlet"]) == {"The Telegraph"} and {"own", "quoted"} <= set(tone["voice"])


def test_choosing_another_outlet_updates_the_link(app):
    run_with(app, outlet="The Telegraph")
    app.selectbox(key="outlets_outlet").select("CBS News").run()
    assert not app.exception
    assert app.query_params["outlet"] == "CBS News"
    assert "CBS News</h1>" in _html(app)


@pytest.mark.parametrize("outlet", ["No Such Outlet", "<script>alert(1)</script>", "x" * 400])
def test_unknown_outlet_is_explained_with_a_way_back(app, outlet):
    run_with(app, outlet=outlet)
    warnings = " ".join(warning.value for warning in app.warning)
    assert "not in this corpus" in warnings or "too long" in warnings
    if len(outlet) < 300:
        assert outlet in warnings
    assert not app.metric


def test_malformed_thresholds_are_explained_and_replaced(app):
    run_with(app, outlet="The Telegraph", tab="sideways", missed_min="many", min_shared="-3", words="both",
          min_events="1e9")
    warnings = " ".join(warning.value for warning in app.warning)
    for value in ("sideways", "many", "-3", "both", "1e9"):
        assert value in warnings
    assert app.number_input(key="outlets_missed_min").value == 2
    assert "tab" not in app.query_params and "missed_min" not in app.query_params

"""Event page (AppTest): opened from links with state, the seed event's claims, quotes, words and
labels by outlet, and friendly messages for stale or malformed links."""

from urllib.parse import parse_qs

import pandas as pd
import pytest

from analysis.store import Store
from tests.dashboard.conftest import run_with

PAGE = "app_pages/event.py"
TELEGRAPH, CBS = "The Telegraph", "CBS News"


@pytest.fixture(scope="module")
def seed_events(analyzed_sample_store):
    with Store.open(analyzed_sample_store, read_only=True) as store:
        events = store.events()
    return {"shared": events.loc[events["outlets"] == 2, "event_id"].item(),
            "asylum": events.loc[events["outlets"] == 1, "event_id"].item()}


@pytest.fixture
def app(app_over, analyzed_sample_store):
    return app_over(analyzed_sample_store, PAGE)



def _frames(app) -> list[pd.DataFrame]:
    return [frame.value for frame in app.dataframe]


def _frame_with(app, *columns: str) -> pd.DataFrame:
    return next(frame for frame in _frames(app) if set(columns) <= set(frame.columns))


def _links(app) -> dict[str, dict]:
    """Page links by label: the page they open and their query parameters."""
    return {link.proto.label: {"page": link.proto.page, **parse_qs(link.proto.query_string)}
            for link in app.get("page_link")}


def _texts(frame: pd.DataFrame, outlet: str, column: str = "text") -> str:
    return " | ".join(frame.loc[frame["outlet"] == outlet, column])


def test_without_an_event_the_page_asks_for_one(app, seed_events):
    run_with(app)
    picker = app.selectbox(key="event_event")
    assert picker.value is None
    assert picker.options[0].startswith("WikiLeaks: British Police Asked To Join Hunt For Julian Assange — 2 outlets")
    assert "Pick an event" in app.info[0].value
    assert dict(app.query_params) == {}


def test_picking_an_event_puts_it_in_the_url(app, seed_events):
    run_with(app)
    app.selectbox(key="event_event").set_value(seed_events["shared"]).run()
    assert not app.exception
    assert app.query_params["event"] == seed_events["shared"]
    assert {m.label: m.value for m in app.metric}["Outlets"] == "2"


def test_state_from_the_link_shows_in_the_widgets(app, seed_events):
    run_with(app, event=seed_events["shared"], outlet=[TELEGRAPH, CBS], section="claims", min_outlets="2")
    assert app.selectbox(key="event_event").value == seed_events["shared"]
    assert app.multiselect(key="event_outlets").value == [TELEGRAPH, CBS]
    assert app.radio(key="event_section").value == "claims"
    assert app.number_input(key="event_min_outlets").value == 2
    assert app.query_params["outlet"] == [TELEGRAPH, CBS]
    assert app.query_params["section"] == "claims" and app.query_params["min_outlets"] == "2"
    matrix = _frame_with(app, "claim_group", "carried", "rank")
    assert (matrix["outlets_carrying"] >= 2).all() and set(matrix["outlet"]) == {TELEGRAPH, CBS}
    compare = _links(app)["Compare two outlets' coverage side by side"]
    assert compare["page"] == "compare"
    assert compare["event"] == [seed_events["shared"]] and compare["outlet"] == [TELEGRAPH, CBS]
    assert _links(app)["Event"]["event"] == [seed_events["shared"]]


def test_seed_claims_shared_unique_omitted_and_conflicting(app, seed_events):
    run_with(app, event=seed_events["shared"], section="claims")
    listings = [frame for frame in _frames(app) if {"status", "carried_by", "text"} <= set(frame.columns)]
    shared = next(frame for frame in listings if (frame["status"] == "shared").all())
    unique = next(frame for frame in listings if (frame["status"] == "unique").all())
    for telegraph, cbs in [("precise location remains unknown", "exact whereabouts remain unknown"),
                           ("ignored repeated requests", "turned down repeated offers"),
                           ("persecution and prosecution", "persecution and not a prosecution")]:
        assert telegraph in _texts(shared, TELEGRAPH) and cbs in _texts(shared, CBS)
    assert set(shared["carried_by"]) == {"CBS News; The Telegraph"}
    for text in ("188 countries", "come from China", "Christine"):
        assert text in _texts(unique, TELEGRAPH) and text not in _texts(unique, CBS)
    for text in ("Kazakhstan", "Time magazine", "Supreme Court"):
        assert text in _texts(unique, CBS) and text not in _texts(unique, TELEGRAPH)
    omitted = _frame_with(app, "label", "carried_by", "outlets_carrying", "claim_id")
    assert "188 countries" in _texts(omitted, CBS, "label") and "Kazakhstan" in _texts(omitted, TELEGRAPH, "label")
    conflicts = _frame_with(app, "figures_a", "figures_b")
    row = conflicts.iloc[0]
    assert {row["outlet_a"]: row["figures_a"], row["outlet_b"]: row["figures_b"]} == {
        TELEGRAPH: "more than 250,000", CBS: "hundreds of"}
    summary = _frame_with(app, "outlet", "shared", "unique", "omitted")
    assert summary["shared"].tolist() == [5, 5]


def test_articles_section_lists_the_articles_and_the_similarity(app, seed_events):
    run_with(app, event=seed_events["shared"])
    assert app.radio(key="event_section").value == "articles"
    assert "section" not in app.query_params  # the default is left out of the link
    articles = _frame_with(app, "article_id", "outlet", "title", "published")
    assert sorted(articles["outlet"]) == [CBS, TELEGRAPH]
    similarity = _frame_with(app, "outlet_a", "outlet_b", "similarity")
    off_diagonal = similarity[similarity["outlet_a"] != similarity["outlet_b"]]["similarity"]
    assert len(off_diagonal) == 2 and off_diagonal.between(0, 1).all()
    assert any("British Police Asked To Join Hunt" in element.proto.body for element in app.get("html"))


def test_quotes_section_shows_who_each_outlet_quotes(app, seed_events):
    run_with(app, event=seed_events["shared"], section="quotes")
    voices = _frame_with(app, "speaker", "quoted_words")
    top = voices.sort_values("quoted_words", ascending=False).drop_duplicates("outlet").set_index("outlet")
    assert top.loc[TELEGRAPH, "speaker"] == "Mark Stephens"
    assert top.loc[CBS, "speaker"] == "Hillary Rodham Clinton"


def test_framing_section_shows_words_labels_and_tone(app, seed_events):
    run_with(app, event=seed_events["shared"], section="framing")
    labels = _frame_with(app, "actor", "outlets_labelling").set_index("actor")
    assert "WikiLeaks founder" in labels.loc["Julian Assange", CBS]
    assert "The 39-year-old Australian" in labels.loc["Julian Assange", TELEGRAPH]
    terms = _frame_with(app, "term", "z", "direction")
    assert set(terms["outlet"]) == {TELEGRAPH, CBS}
    tone = _frame_with(app, "part", "voice", "mean_compound")
    assert tone["mean_compound"].between(-1, 1).all()


def test_outlet_filter_judges_claims_among_the_outlets_shown(app, seed_events):
    run_with(app, event=seed_events["shared"], outlet=[TELEGRAPH], section="claims")
    summary = _frame_with(app, "outlet", "shared", "unique", "omitted")
    assert summary["outlet"].tolist() == [TELEGRAPH] and summary["shared"].tolist() == [0]


def test_switching_section_writes_it_to_the_url(app, seed_events):
    run_with(app, event=seed_events["shared"])
    app.radio(key="event_section").set_value("quotes").run()
    assert not app.exception
    assert app.query_params["section"] == "quotes" and app.query_params["event"] == seed_events["shared"]


def test_single_outlet_event_explains_why_there_are_no_claims(app, seed_events):
    run_with(app, event=seed_events["asylum"], section="claims")
    assert "two or more outlets" in app.info[0].value
    app.selectbox(key="event_event").set_value(seed_events["shared"]).run()
    assert not app.exception and app.query_params["event"] == seed_events["shared"]


@pytest.mark.parametrize("event_id", ["e-000000000000", "<script>alert(1)</script>"])
def test_unknown_event_is_friendly_with_a_way_back(app, event_id):
    run_with(app, event=event_id)
    assert "There is no event" in app.warning[0].value
    assert _links(app)["Pick an event"]["page"] == "event"
    assert not app.get("metric")


def test_oversize_event_id_is_dropped_and_the_picker_shown(app):
    run_with(app, event="x" * 400)
    assert "too long" in app.warning[0].value
    assert app.selectbox(key="event_event").value is None


def test_malformed_parameters_are_explained_and_replaced(app, seed_events):
    run_with(app, event=seed_events["shared"], section="everything", min_outlets="lots", outlet=["No Such Outlet"])
    warnings = " ".join(w.value for w in app.warning)
    assert "everything" in warnings and "lots" in warnings and "No Such Outlet" in warnings
    assert app.radio(key="event_section").value == "articles"
    assert app.number_input(key="event_min_outlets").value == 1
    assert app.multiselect(key="event_outlets").value == []
    assert "outlet" not in app.query_params


# --- wire copies


@pytest.fixture(scope="module")
def wire(analyzed_wire_store):
    with Store.open(analyzed_wire_store, read_only=True) as store:
        event = store.events().query("outlets == 3")["event_id"].item()
        members = store.article_events_with_outlets().query("event_id == @event")
    return {"event": event, **members.set_index("outlet")["article_id"].to_dict()}


def test_wire_copies_are_flagged_then_left_out_from_the_checkbox_and_the_link(app_over, analyzed_wire_store, wire):
    app = run_with(app_over(analyzed_wire_store, PAGE), event=wire["event"])
    assert app.checkbox(key="event_wire").value is False and "wire" not in app.query_params
    articles = _frame_with(app, "article_id", "wire_similarity").set_index("outlet")
    assert articles.loc["Daily Post", "wire_copy_of"] == wire["Norvale Wire"]
    assert articles.loc["Daily Post", "copied_outlet"] == "Norvale Wire"
    assert pd.isna(articles.loc["Harbour Herald", "wire_copy_of"])
    assert any("wire copy" in caption.value for caption in app.caption)
    assert "Daily Post" in set(_frame_with(app, "outlet_a", "outlet_b", "similarity")["outlet_a"])

    app.checkbox(key="event_wire").check().run()
    assert not app.exception
    assert app.query_params["wire"] == "leave_out"
    assert "1 wire copy is left out" in app.info[0].value
    left_out = _frame_with(app, "copied_outlet", "copied_title", "similarity")
    assert left_out[["article_id", "outlet", "wire_copy_of"]].values.tolist() == [
        [wire["Daily Post"], "Daily Post", wire["Norvale Wire"]]]
    assert set(_frame_with(app, "article_id", "wire_similarity")["outlet"]) == {"Harbour Herald", "Norvale Wire"}
    assert set(_frame_with(app, "outlet_a", "outlet_b", "similarity")["outlet_a"]) == {"Harbour Herald",
                                                                                       "Norvale Wire"}
    links = _links(app)
    assert links["Compare two outlets' coverage side by side"]["wire"] == ["leave_out"]

    # The link reopens the same view; claims are judged without the copy.
    again = run_with(app_over(analyzed_wire_store, PAGE), event=wire["event"], wire="leave_out", section="claims")
    assert again.checkbox(key="event_wire").value is True
    claims = pd.concat([frame for frame in _frames(again) if {"status", "text"} <= set(frame.columns)])
    assert "Daily Post" not in set(claims["outlet"])
    warning = claims[claims["text"].str.startswith("Ferry operators warned")]
    assert warning[["outlet", "status"]].values.tolist() == [["Norvale Wire", "unique"]]
    again.checkbox(key="event_wire").uncheck().run()
    assert "wire" not in again.query_params


def test_a_wire_link_value_that_is_not_known_is_explained(app_over, analyzed_wire_store, wire):
    app = run_with(app_over(analyzed_wire_store, PAGE), event=wire["event"], wire="<b>drop</b>")
    assert app.checkbox(key="event_wire").value is False
    assert any("Unknown `wire` value" in warning.value for warning in app.warning)

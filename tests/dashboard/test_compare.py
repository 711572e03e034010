"""Compare page (AppTest): two articles or two outlets' coverage from a link, the seeds' shared,
reworded and unique sentences and the claims each alone carries, and friendly stale links."""

from urllib.parse import parse_qs

import pandas as pd
import pytest

from analysis.charts import HIGHLIGHT_COLORS
from analysis.store import Store
from tests.dashboard.conftest import run_with

PAGE = "app_pages/compare.py"
TELEGRAPH, CBS, USNEWS = "The Telegraph", "CBS News", "U.S. News & World Report"
REWORDED = HIGHLIGHT_COLORS["reworded"]


@pytest.fixture(scope="module")
def seed(analyzed_sample_store):
    with Store.open(analyzed_sample_store, read_only=True) as store:
        events = store.events()
        articles = store.articles().set_index("outlet")["article_id"]
    return {"event": events.loc[events["outlets"] == 2, "event_id"].item(),
            TELEGRAPH: articles[TELEGRAPH], CBS: articles[CBS], USNEWS: articles[USNEWS]}


@pytest.fixture
def app(app_over, analyzed_sample_store):
    return app_over(analyzed_sample_store, PAGE)



def _frame_with(app, *columns: str) -> pd.DataFrame:
    return next(frame.value for frame in app.dataframe if set(columns) <= set(frame.value.columns))


def _frame_exactly(app, *columns: str) -> pd.DataFrame:
    return next(frame.value for frame in app.dataframe if list(frame.value.columns) == list(columns))


def _html(app) -> list[str]:
    return [element.proto.body for element in app.get("html")]


def _links(app) -> dict[str, dict]:
    return {link.proto.label: {"page": link.proto.page, **parse_qs(link.proto.query_string)}
            for link in app.get("page_link")}


def test_without_state_the_page_asks_for_an_event(app):
    run_with(app)
    assert app.selectbox(key="compare_event").value is None
    assert "Pick an event" in app.info[0].value
    assert dict(app.query_params) == {}


def test_an_event_link_compares_two_outlets_main_articles(app, seed):
    run_with(app, event=seed["event"])
    assert app.selectbox(key="compare_outlet_a").value == CBS
    assert app.selectbox(key="compare_outlet_b").value == TELEGRAPH
    assert app.selectbox(key="compare_article_a").value == seed[CBS]
    assert app.query_params["a"] == seed[CBS] and app.query_params["b"] == seed[TELEGRAPH]
    assert app.query_params["outlet"] == [CBS, TELEGRAPH] and app.query_params["event"] == seed["event"]


def test_outlets_from_the_link_choose_the_sides(app, seed):
    run_with(app, event=seed["event"], outlet=[TELEGRAPH, CBS])
    assert app.selectbox(key="compare_outlet_a").value == TELEGRAPH
    assert app.selectbox(key="compare_article_b").value == seed[CBS]
    assert app.query_params["a"] == seed[TELEGRAPH]


def test_two_article_ids_find_their_event(app, seed):
    run_with(app, a=seed[TELEGRAPH], b=seed[CBS])
    assert app.selectbox(key="compare_event").value == seed["event"]
    assert app.query_params["event"] == seed["event"] and app.query_params["outlet"] == [TELEGRAPH, CBS]
    heading = " ".join(_html(app))
    assert "A · The Telegraph · 2010-12-01" in heading and "B · CBS News · 2010-12-01" in heading


def test_seed_sentences_whereabouts_reworded_and_unique_ones_plain(app, seed):
    run_with(app, a=seed[TELEGRAPH], b=seed[CBS])
    telegraph, cbs = [body for body in _html(app) if "line-height:1.6" in body]
    assert f'<span style="background:{REWORDED};border-radius:3px">Assange&#x27;s precise location' in telegraph
    assert f'<span style="background:{REWORDED};border-radius:3px">The former computer hacker&#x27;s exact whereabouts' \
        in cbs
    assert " On Tuesday, Interpol issued a &quot;red notice&quot; to 188 countries" in telegraph  # no highlight
    sides = [frame.value for frame in app.dataframe if "claim_match_text" in frame.value.columns]
    statuses = sides[0].set_index("sentence_no")["status"]
    assert set(statuses) <= {"shared", "reworded", "unique"} and "unique" in set(statuses)
    metrics = [(m.label, int(m.value)) for m in app.metric]
    assert sum(value for _, value in metrics[:3]) == len(sides[0])


def test_seed_claims_each_article_alone_carries(app, seed):
    run_with(app, a=seed[TELEGRAPH], b=seed[CBS])
    alone_a = " ".join(_frame_exactly(app, "claim_group", "text_a")["text_a"])
    alone_b = " ".join(_frame_exactly(app, "claim_group", "text_b")["text_b"])
    both = _frame_with(app, "claim_group", "text_a", "text_b")
    assert "188 countries" in alone_a and "China" in alone_a and "Kazakhstan" not in alone_a
    assert "Kazakhstan" in alone_b and "Supreme Court" in alone_b and "188 countries" not in alone_b
    assert any("precise location" in a and "whereabouts" in b for a, b in zip(both["text_a"], both["text_b"]))
    conflicts = _frame_with(app, "figures_a", "figures_b")
    assert set(conflicts.iloc[0][["figures_a", "figures_b"]]) == {"more than 250,000", "hundreds of"}
    back = _links(app)["Back to the event"]
    assert back["event"] == [seed["event"]] and back["outlet"] == [TELEGRAPH, CBS]


def test_swap_exchanges_the_sides_and_the_url(app, seed):
    run_with(app, a=seed[TELEGRAPH], b=seed[CBS])
    app.button(key="compare_swap").click().run()
    assert not app.exception
    assert app.selectbox(key="compare_outlet_a").value == CBS
    assert app.query_params["a"] == seed[CBS] and app.query_params["b"] == seed[TELEGRAPH]


def test_changing_an_outlet_picks_its_main_article(app, seed):
    run_with(app, event=seed["event"])
    app.selectbox(key="compare_outlet_a").set_value(TELEGRAPH).run()
    assert not app.exception
    assert app.selectbox(key="compare_article_a").value == seed[TELEGRAPH]
    assert app.query_params["a"] == seed[TELEGRAPH] and app.query_params["outlet"] == [TELEGRAPH, TELEGRAPH]


def test_thresholds_from_the_link_change_the_statuses(app, seed):
    run_with(app, a=seed[TELEGRAPH], b=seed[CBS], shared="0.3", reworded="0.1")
    assert app.number_input(key="compare_shared").value == pytest.approx(0.3)
    assert app.number_input(key="compare_reworded").value == pytest.approx(0.1)
    statuses = next(f.value for f in app.dataframe if "claim_match_text" in f.value.columns)["status"]
    assert "shared" in set(statuses)
    assert app.query_params["shared"] == "0.3"


@pytest.mark.parametrize(("shared", "reworded", "message"), [("2", "0.1", "not a number from 0 to 1"),
                                                              ("0.2", "0.5", "above the shared one")])
def test_bad_thresholds_are_explained(app, seed, shared, reworded, message):
    run_with(app, a=seed[TELEGRAPH], b=seed[CBS], shared=shared, reworded=reworded)
    assert message in " ".join(w.value for w in app.warning)
    assert app.metric


def test_articles_of_different_events_compare_sentences_only(app, seed):
    run_with(app, a=seed[TELEGRAPH], b=seed[USNEWS])
    assert app.selectbox(key="compare_event").value is None
    assert any("different events" in info.value for info in app.info)
    assert app.query_params["a"] == seed[TELEGRAPH] and app.query_params["b"] == seed[USNEWS]
    assert "event" not in app.query_params
    assert len([body for body in _html(app) if "line-height:1.6" in body]) == 2


@pytest.mark.parametrize("params", [{"a": "ffffffffffffffff", "b": "0"}, {"event": "e-000000000000"},
                                    {"a": "<script>alert(1)</script>"}])
def test_unknown_ids_are_friendly_with_a_way_back(app, params):
    run_with(app, **params)
    assert "There is no" in app.warning[0].value
    assert _links(app)["Start a new comparison"]["page"] == "compare"
    assert not app.metric


def test_an_article_outside_the_linked_event_is_explained(app, seed):
    run_with(app, event=seed["event"], a=seed[USNEWS])
    assert any("not in this event" in info.value for info in app.info)
    assert app.query_params["a"] == seed[CBS]  # the first outlet's main article instead


def test_a_single_outlet_event_compares_its_own_articles(app, seed):
    run_with(app, a=seed[USNEWS])
    assert any("One outlet covered this event" in info.value for info in app.info)
    assert app.query_params["a"] == seed[USNEWS] == app.query_params["b"]
    assert any("Neither article has claims" in info.value for info in app.info)


def test_wire_copies_are_flagged_and_left_out_of_the_choices(app_over, analyzed_wire_store):
    with Store.open(analyzed_wire_store, read_only=True) as store:
        event = store.events().query("outlets == 3")["event_id"].item()
        members = store.article_events_with_outlets().query("event_id == @event").set_index("outlet")["article_id"]
    app = run_with(app_over(analyzed_wire_store, PAGE), a=members["Daily Post"], b=members["Harbour Herald"])
    # Flagged under A's title, escaped as all text from the corpus is.
    assert any(element.proto.body.startswith('<p style="font-size') and "Wire copy of Norvale Wire&#x27;s article"
               in element.proto.body for element in app.get("html"))
    assert app.checkbox(key="compare_wire").value is False
    assert "Daily Post" in app.selectbox(key="compare_outlet_a").options

    app = run_with(app_over(analyzed_wire_store, PAGE), event=event, wire="leave_out")
    assert app.checkbox(key="compare_wire").value is True
    for side in ("a", "b"):
        assert "Daily Post" not in app.selectbox(key=f"compare_outlet_{side}").options
    assert app.query_params["wire"] == "leave_out"
    assert {app.query_params["a"], app.query_params["b"]} == {members["Norvale Wire"], members["Harbour Herald"]}

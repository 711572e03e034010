"""Link ↔ code round trip: each page, opened from a link, shows the same tables as
``analysis.from_link`` of the page's URL, and as the code its "Open in notebook" control shows,
run as a notebook would run it.

Tables are compared after the page's own column selection and the Arrow round trip every
``st.dataframe`` goes through (what the page shows is what the reader sees). Link values reach
the code only as Python literals: a hostile search is a string in the code, never code.
"""

import ast
import json
import shutil
from urllib.parse import urlencode

import nbformat
import pandas as pd
import pytest
import streamlit as st
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from analysis import from_link, notebook_code, notebook_ipynb
from analysis.links import parse_query
from analysis.store import Store
from tests.dashboard.conftest import APP

TELEGRAPH, CBS, US_NEWS = "The Telegraph", "CBS News", "U.S. News & World Report"
OVERVIEW_EVENTS, OVERVIEW_ARTICLES = 100, 1000  # rows the Overview page draws

# page → [(link query, {page table key: view table, "view.<table>" or a lambda of the view})]
EVENT_SECTIONS = {
    "articles": {"event_counts_table": "articles_per_outlet", "event_articles": "articles",
                 "event_similarity_table": "similarity"},
    "claims": {"event_claim_summary_table": "claim_summary", "event_jaccard_table": "claim_overlap",
               "event_matrix_table": "claim_matrix", "event_shared": "claims_shared", "event_unique": "claims_unique",
               "event_omitted": "claims_omitted", "event_conflicts": "claim_conflicts"},
    "quotes": {"event_voices_table": "voices"},
    "framing": {"event_words_table": "terms", "event_labels": "actor_labels", "event_tone_table": "tone"},
}
COMPARE_TABLES = {"compare_alignment_a_table": "a_to_b", "compare_alignment_b_table": "b_to_a",
                  "compare_a_only": "claims_a_only", "compare_b_only": "claims_b_only", "compare_both": "claims_both",
                  "compare_conflicts": "conflicts"}
OUTLET_TABS = {
    "events": {"outlets_covered": "events_covered", "outlets_missed": "events_missed"},
    "similar": {"outlets_similar_table": "similar_outlets"},
    "words": {"outlets_words_chart_table": "distinctive_words"},
    "voices": {"outlets_speakers_table": "speakers", "outlets_speaker_types_table": "speaker_types"},
    "tone": {"outlets_tone_table": "tone"},
    "labels": {"outlets_labels": "labels", "outlets_labels_others": "labels_by_others"},
}


@pytest.fixture(scope="module")
def seed(analyzed_sample_store):
    with Store.open(analyzed_sample_store, read_only=True) as store:
        events, articles, claims = store.events(), store.articles(), store.claims()
    by_outlet = dict(zip(articles["outlet"], articles["article_id"]))
    return {"shared": events.loc[events["outlets"] == 2, "event_id"].item(),
            "asylum": events.loc[events["outlets"] == 1, "event_id"].item(),
            "telegraph": by_outlet[TELEGRAPH], "cbs": by_outlet[CBS], "us_news": by_outlet[US_NEWS],
            "claim": claims.loc[claims["text"].str.contains("persecution"), "claim_id"].iloc[0]}


@pytest.fixture
def store(analyzed_sample_store):
    with Store.open(analyzed_sample_store, read_only=True) as opened:
        yield opened


@pytest.fixture
def app(analyzed_sample_store, monkeypatch):
    monkeypatch.setenv("COVERAGE_LENS_DB", str(analyzed_sample_store))
    st.cache_data.clear()
    yield AppTest.from_file(APP, default_timeout=60)
    st.cache_data.clear()


def open_page(app: AppTest, page: str, query: dict) -> str:
    """Run ``page`` from a link with ``query``; return the link of the view it shows (its URL state)."""
    app.switch_page(f"app_pages/{page}.py")
    for name, value in query.items():
        app.query_params[name] = value
    app.run()
    assert not app.exception, [error.value for error in app.exception]
    state = {name: value if isinstance(value, list) else [value] for name, value in app.query_params.items()}
    path = "/" if page == "overview" else f"/{page}"
    return f"http://localhost:8501{path}?" + urlencode([(name, item) for name, values in state.items()
                                                          for item in values])


def _in_order(node):
    yield node
    children = getattr(node, "children", None) or {}
    for index in sorted(children):
        yield from _in_order(children[index])


def shown_tables(app: AppTest) -> dict:
    """The page's tables by their key, in ``ui.table``'s: each table is followed by its CSV download,
    keyed ``<key>_csv`` (a table without a selection has no key of its own in the tree)."""
    tables, pending = {}, None
    for node in _in_order(app._tree):
        if getattr(node, "type", None) == "dataframe":
            pending = node
        elif getattr(node, "type", None) == "download_button" and pending is not None:
            key = node.key.removesuffix("_csv") if node.key and node.key.endswith("_csv") else None
            tables[key] = pending.value
            pending = None
    if pending is not None:
        tables[None] = pending.value
    return tables


def as_shown(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as ``st.dataframe`` shows it: through Arrow and back."""
    return dataframe_util.convert_arrow_bytes_to_pandas_df(dataframe_util.convert_pandas_df_to_arrow_bytes(frame))


def assert_same_table(shown: pd.DataFrame, table: pd.DataFrame, name: str) -> None:
    assert set(shown.columns) <= set(table.columns), name
    expected = as_shown(table[list(shown.columns)]).reset_index(drop=True)
    pd.testing.assert_frame_equal(shown.reset_index(drop=True), expected, obj=name)


def page_code(app: AppTest) -> str:
    """The code the page's "Open in notebook" control shows."""
    codes = [code.value for code in app.code if code.language == "python"]
    assert len(codes) == 1, "no Open in notebook code on the page"
    return codes[0]


def run_code(code: str):
    """Run the page's code as a notebook would; return the view it computes."""
    namespace: dict = {}
    exec(compile(code, "<open in notebook>", "exec"), namespace)
    namespace["store"].close()
    return namespace["view"]


def assert_round_trip(app: AppTest, page: str, link: str, store, expected: dict[str, str], analyzed_sample_store,
                      *, head: dict[str, int] | None = None) -> list:
    """The page's tables equal from_link's and the shown code's; returns both views."""
    state = parse_query(page, {name: value if isinstance(value, list) else [value]
                               for name, value in app.query_params.items()})
    code = page_code(app)
    assert code == notebook_code(state, store_path=analyzed_sample_store).rstrip("\n")
    downloads = {button.key: button.label for button in app.get("download_button")}
    assert (downloads[f"{page}_notebook_py"], downloads[f"{page}_notebook_ipynb"]) == (".py", ".ipynb")
    views = [from_link(link, store=store), run_code(code)]
    tables = shown_tables(app)
    compared = 0
    for key, attribute in expected.items():
        for view in views:
            table = getattr(view, attribute)
            if key not in tables:
                # The page draws no table (and says so) only where the view's is empty.
                assert table.empty, f"{key}: the page shows nothing, the view has {len(table)} rows"
                continue
            if head and key in head:
                table = table.head(head[key])
            assert_same_table(tables[key], table, f"{type(view).__name__}.{attribute} ({key})")
            compared += 1
    assert compared, "no table compared"
    return views


def test_overview_round_trip(app, store, seed, analyzed_sample_store):
    link = open_page(app, "overview", {"outlet": [CBS, TELEGRAPH], "freq": "month"})
    views = assert_round_trip(app, "overview", link, store, {
        "overview_timeline_table": "timeline", "overview_events": "events", "overview_blind_spots": "blind_spots",
        "overview_outlet_counts": "outlet_counts", "overview_articles": "articles",
    }, analyzed_sample_store, head={"overview_events": OVERVIEW_EVENTS, "overview_articles": OVERVIEW_ARTICLES})
    metrics = {metric.label: metric.value for metric in app.metric}
    for view in views:
        assert metrics["Articles"] == str(view.facts["articles"]) == "2"
        assert metrics["Outlets"] == str(view.facts["outlets"]) and view.outlets == [CBS, TELEGRAPH]
        assert view.events["event_id"].tolist() == [seed["shared"]]


@pytest.mark.parametrize("section", list(EVENT_SECTIONS))
def test_event_round_trip(app, store, seed, section, analyzed_sample_store):
    link = open_page(app, "event", {"event": seed["shared"], "section": section})
    views = assert_round_trip(app, "event", link, store, EVENT_SECTIONS[section], analyzed_sample_store)
    assert all(view.outlets == [CBS, TELEGRAPH] for view in views)


def test_event_round_trip_among_the_outlets_chosen(app, store, seed, analyzed_sample_store):
    link = open_page(app, "event", {"event": seed["shared"], "outlet": [TELEGRAPH], "section": "claims",
                                    "min_outlets": "2"})
    # One outlet: the page draws no overlap between outlets (the view's table holds its diagonal).
    tables = {key: name for key, name in EVENT_SECTIONS["claims"].items() if key != "event_jaccard_table"}
    views = assert_round_trip(app, "event", link, store, tables, analyzed_sample_store)
    assert "event_jaccard_table" not in shown_tables(app)
    for view in views:
        assert view.outlets == [TELEGRAPH] and view.claims_shared.empty and view.claim_matrix.empty
        assert "claim_overlap" not in view.charts()


@pytest.mark.parametrize("query", [
    {"a": "{telegraph}", "b": "{cbs}"},
    {"event": "{shared}", "outlet": [CBS, TELEGRAPH], "shared": "0.5", "reworded": "0.2"},
    {"a": "{telegraph}", "b": "{us_news}"},
])
def test_compare_round_trip(app, store, seed, query, analyzed_sample_store):
    query = {name: [item.format(**seed) for item in value] if isinstance(value, list) else value.format(**seed)
             for name, value in query.items()}
    link = open_page(app, "compare", query)
    views = assert_round_trip(app, "compare", link, store, COMPARE_TABLES, analyzed_sample_store)
    metrics = [int(metric.value) for metric in app.metric]
    for view in views:
        counts = view.sentence_counts.set_index("side")
        assert metrics == [int(counts.loc[side, status]) for side in ("A", "B")
                           for status in ("shared", "reworded", "unique")]
        assert (view.article_a, view.article_b) == (app.query_params["a"], app.query_params["b"])


@pytest.mark.parametrize("tab", list(OUTLET_TABS))
def test_outlets_round_trip(app, store, tab, analyzed_sample_store):
    query = {"outlet": TELEGRAPH, "tab": tab, **({"min_shared": "1"} if tab == "similar" else {}),
             **({"words": "under"} if tab == "words" else {})}
    link = open_page(app, "outlets", query)
    views = assert_round_trip(app, "outlets", link, store, OUTLET_TABS[tab], analyzed_sample_store)
    assert all(view.outlet == TELEGRAPH for view in views)


def test_claims_round_trip(app, store, seed, analyzed_sample_store):
    link = open_page(app, "claims", {"q": "whereabouts"})
    results_key = next(key for key in shown_tables(app) if key.startswith("claims_results_"))
    views = assert_round_trip(app, "claims", link, store, {results_key: "results"}, analyzed_sample_store)
    assert all(set(view.results["outlet"]) == {CBS, TELEGRAPH} for view in views)

    link = open_page(app, "claims", {"q": "Stephens", "claim": seed["claim"]})
    results_key = next(key for key in shown_tables(app) if key.startswith("claims_results_"))
    assert_round_trip(app, "claims", link, store, {results_key: "results", "claims_timeline_table": "timeline",
                                                   "claims_linked": "linked"}, analyzed_sample_store)


def test_article_round_trip(app, store, seed, analyzed_sample_store):
    link = open_page(app, "article", {"article": seed["cbs"]})
    tables = shown_tables(app)
    views = [from_link(link, store=store), run_code(page_code(app))]
    for view in views:
        assert_same_table(tables[None], view.sentences, "sentences")


def test_data_round_trip(app, store, analyzed_sample_store):
    link = open_page(app, "data", {})
    metrics = {metric.label: metric.value for metric in app.metric}
    for view in (from_link(link, store=store), run_code(page_code(app))):
        assert metrics == {"Articles": str(view.facts["articles"]), "Outlets": str(view.facts["outlets"]),
                           "Events": str(view.facts["events"]),
                           "Events with 2+ outlets": str(view.facts["multi_outlet_events"]),
                           "Not analysed yet": str(view.facts["unanalysed"])}


def test_the_notebook_download_holds_the_code(app, seed, analyzed_sample_store):
    open_page(app, "event", {"event": seed["shared"], "outlet": [CBS], "section": "framing"})
    state = parse_query("event", {"event": [seed["shared"]], "outlet": [CBS], "section": ["framing"]})
    expected = notebook_ipynb(state, store_path=analyzed_sample_store)
    notebook = nbformat.reads(expected, as_version=4)
    nbformat.validate(notebook)
    assert "".join(cell.source for cell in notebook.cells if cell.cell_type == "code").count("event_comparison(") == 1
    assert json.loads(expected)["cells"][2]["source"] == "view.charts().get('distinctive_words')"
    assert "view = event_comparison(store, 'e-" in page_code(app) and "outlets=['CBS News']" in page_code(app)


HOSTILE_SEARCH = "x'); __import__('os').system('touch /tmp/pwned'); ('\n#"


def test_a_hostile_search_is_a_string_in_the_code(app, store):
    open_page(app, "claims", {"q": HOSTILE_SEARCH})
    code = page_code(app)
    tree = ast.parse(code)
    calls = {ast.unparse(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    assert calls <= {"open_store", "search_claims", "print", "view.charts", "view.charts().get"}
    search = next(node for node in ast.walk(tree) if isinstance(node, ast.Call)
                  and ast.unparse(node.func) == "search_claims")
    # The page searches the stripped text; the code carries it whole, as one literal.
    assert ast.literal_eval(search.args[1]) == app.query_params["q"] == HOSTILE_SEARCH.strip()
    assert run_code(code).results.empty


@pytest.mark.parametrize(("page", "query"), [
    ("event", {"event": "e-'); import os; os.system('id') #"}),
    ("compare", {"a": "ffffffffffffffff", "b": "0000000000000000"}),
    ("outlets", {"outlet": "Nobody's Outlet"}),
])
def test_links_naming_what_the_corpus_lacks_offer_no_code(app, page, query):
    open_page(app, page, query)
    assert app.warning
    assert not [code for code in app.code if code.language == "python"]
    assert "Open in notebook" not in [expander.label for expander in app.expander]


def test_a_page_that_names_nothing_yet_says_so_instead_of_code(app):
    open_page(app, "event", {})
    assert not [code for code in app.code if code.language == "python"]
    assert any("Choose what this page shows first" in caption.value for caption in app.caption)


def test_the_code_opens_the_corpus_the_page_shows(analyzed_sample_store, tmp_path, monkeypatch):
    folder = tmp_path / "corpora"
    folder.mkdir()
    shutil.copy(analyzed_sample_store, folder / "main.duckdb")
    Store.open(folder / "other.duckdb").close()
    monkeypatch.setenv("COVERAGE_LENS_DB", str(folder / "main.duckdb"))
    st.cache_data.clear()
    for corpus, shown in (("other", "other.duckdb"), ("absent", "main.duckdb"), ("../main", "main.duckdb")):
        app = AppTest.from_file(APP, default_timeout=60)
        open_page(app, "overview", {"corpus": corpus})
        assert f"store = open_store({str(folder / shown)!r})" in page_code(app), corpus
    st.cache_data.clear()


# --- wire copies left out: the link's ``wire`` state reaches the view and the code


@pytest.fixture
def wire_app(analyzed_wire_store, app_over):
    return app_over(analyzed_wire_store)


@pytest.fixture
def wire_store(analyzed_wire_store):
    with Store.open(analyzed_wire_store, read_only=True) as opened:
        yield opened


@pytest.mark.parametrize("section", ["articles", "claims", "framing"])
@pytest.mark.parametrize("wire", ["flag", "leave_out"])
def test_event_round_trip_with_wire_copies(wire_app, wire_store, analyzed_wire_store, section, wire):
    event = wire_store.events().query("outlets == 3")["event_id"].item()
    link = open_page(wire_app, "event", {"event": event, "section": section, "wire": wire})
    assert ("wire=leave_out" in link) is (wire == "leave_out")
    assert ("without_wire_copies=True" in page_code(wire_app)) is (wire == "leave_out")
    expected = {**EVENT_SECTIONS[section], **({"event_wire_copies": "wire_copies"} if wire == "leave_out" else {})}
    views = assert_round_trip(wire_app, "event", link, wire_store, expected, analyzed_wire_store)
    for view in views:
        assert view.without_wire_copies is (wire == "leave_out")
        assert ("Daily Post" in view.outlets) is (wire == "flag")


def test_compare_round_trip_with_wire_copies_left_out(wire_app, wire_store, analyzed_wire_store):
    event = wire_store.events().query("outlets == 3")["event_id"].item()
    link = open_page(wire_app, "compare", {"event": event, "wire": "leave_out"})
    views = assert_round_trip(wire_app, "compare", link, wire_store, COMPARE_TABLES, analyzed_wire_store)
    for view in views:
        assert {view.outlet_a, view.outlet_b} == {"Harbour Herald", "Norvale Wire"} and view.wire_copies.empty

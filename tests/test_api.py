"""The notebook API (``analysis.api`` re-exported by ``analysis``): corpora built from files or a
DataFrame in memory, the dashboard's views on the seed corpus, their errors and charts, the lazy
package namespace, and the API reference that pdoc builds from the docstrings."""

import re
import shlex
import subprocess
import sys
import warnings

import altair as alt
import pandas as pd
import pytest

import analysis
from analysis import api
from analysis.ingest import ingest
from analysis.store import Store
from tests.conftest import REPO, SAMPLE
from tests.invented import write_jsonl

TELEGRAPH, CBS, US_NEWS = "The Telegraph", "CBS News", "U.S. News & World Report"
# Two invented reports of one event by two outlets, and one of another event.
FERRY = [
    {"outlet": "Harbour Gazette", "published": pd.Timestamp("2021-02-08 07:15", tz="UTC"),
     "title": "Island ferry returns after storm damage",
     "text": "The island ferry returned to service on Monday after storm damage kept it in port for a week. "
             "Operators said every sailing would run to the normal timetable. Shopkeepers said deliveries of "
             "fresh food had run low during the week.", "desk": "local"},
    {"outlet": "Island Courier", "published": "2021-02-08", "title": "Ferry back in service after a week in port",
     "text": "The ferry to the island is back in service after storm damage kept it in port for a week, its "
             "operators said on Monday. Every sailing will run to the normal timetable, they said. The harbour "
             "master said repairs to the pier would take another month.", "desk": None},
    {"outlet": "Island Courier", "published": None, "title": "Library extends its opening hours",
     "text": "The central library will stay open until nine on weekday evenings from next month. The council "
             "said demand for quiet study space had grown sharply since the spring.", "desk": float("nan")},
]


@pytest.fixture(scope="module")
def seed(analyzed_sample_store):
    with Store.open(analyzed_sample_store, read_only=True) as store:
        events = store.events()
        articles = store.articles()
    by_outlet = dict(zip(articles["outlet"], articles["article_id"]))
    return {"shared": events.loc[events["outlets"] == 2, "event_id"].item(),
            "asylum": events.loc[events["outlets"] == 1, "event_id"].item(),
            "telegraph": by_outlet[TELEGRAPH], "cbs": by_outlet[CBS], "us_news": by_outlet[US_NEWS]}


@pytest.fixture
def store(analyzed_sample_store):
    with api.open_store(analyzed_sample_store) as opened:
        yield opened


@pytest.fixture(scope="module")
def ferry_store():
    """The invented ferry reports, analysed in memory from a DataFrame."""
    store = api.corpus_from_frame(pd.DataFrame(FERRY))
    yield store
    store.close()


# --- the package's public names


def test_every_public_name_resolves_and_is_documented():
    for name in analysis.__all__:
        value = getattr(analysis, name)
        assert (value.__doc__ or "").strip(), f"{name} has no docstring"
    assert analysis.timeline_chart is __import__("analysis.charts").charts.timeline_chart
    assert analysis.distinctive_terms_chart.__module__ == "analysis.words"
    assert analysis.event_comparison is api.event_comparison
    with pytest.raises(AttributeError):
        analysis.no_such_name  # noqa: B018


def test_importing_one_module_does_not_load_the_api():
    # The command line and the dashboard import analysis.store on every start: the notebook API and
    # scikit-learn load only when used.
    code = "import sys, analysis.store; print('analysis.api' in sys.modules, 'sklearn' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


# --- building corpora


def test_a_corpus_from_a_dataframe_is_analysed_in_memory(ferry_store):
    assert ferry_store.path == ":memory:"
    articles = ferry_store.articles()
    assert sorted(articles["outlet"]) == ["Harbour Gazette", "Island Courier", "Island Courier"]
    # A Timestamp and a date string are both read as publication times; a missing one stays missing.
    assert articles["published"].isna().sum() == 1
    assert str(articles["published"].max()) == "2021-02-08 07:15:00+00:00"
    ranked = api.list_events(ferry_store)
    assert ranked["outlets"].tolist()[0] == 2 and ranked["outlet_names"].iloc[0] == "Harbour Gazette, Island Courier"
    view = api.event_comparison(ferry_store, ranked["event_id"].iloc[0])
    assert view.outlets == ["Harbour Gazette", "Island Courier"] and len(view.similarity) == 4
    meta = ferry_store.connection.execute("SELECT meta FROM articles WHERE outlet = 'Harbour Gazette'").fetchone()[0]
    assert '"desk": "local"' in meta


def test_a_dataframe_and_a_file_of_the_same_rows_give_the_same_articles(tmp_path):
    rows = [{**row, "published": str(row["published"]) if row["published"] is not None else None,
             "desk": row["desk"] if isinstance(row["desk"], str) else None} for row in FERRY]
    frame_store = api.corpus_from_frame(pd.DataFrame(rows), analyse=False)
    with Store.open(":memory:") as file_store:
        assert ingest([str(write_jsonl(tmp_path / "ferry.jsonl", rows))], store=file_store).added == 3
        columns = ["article_id", "outlet", "title", "published", "url"]
        pd.testing.assert_frame_equal(frame_store.articles()[columns], file_store.articles()[columns])
        pd.testing.assert_frame_equal(frame_store.sentences(), file_store.sentences())
    assert frame_store.ingests()["added"].tolist() == [3]
    frame_store.close()


def test_rows_that_cannot_be_stored_are_named_in_a_warning():
    frame = pd.DataFrame([FERRY[0], {"outlet": "Nowhere", "title": None, "text": "  "}])
    with pytest.warns(UserWarning, match=r"1 rows not added: DataFrame row 1: empty text"):
        store = api.corpus_from_frame(frame, analyse=False, outlet="Given Outlet")
    assert store.articles()["outlet"].tolist() == ["Given Outlet"]
    store.close()
    with pytest.raises(ValueError, match="expected a pandas DataFrame"):
        api.corpus_from_frame([FERRY[0]])


def test_a_corpus_from_files_in_memory_equals_the_stored_one(store, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        memory = api.corpus_from_files([SAMPLE])
    try:
        assert memory.path == ":memory:"
        assert api.list_events(memory)["event_id"].tolist() == api.list_events(store)["event_id"].tolist()
        in_memory, on_disk = api.event_comparison(memory, seed["shared"]), api.event_comparison(store, seed["shared"])
        for name, table in on_disk.tables().items():
            pd.testing.assert_frame_equal(in_memory.tables()[name], table, obj=name)
    finally:
        memory.close()


def test_missing_inputs_are_named_in_a_warning(tmp_path):
    with pytest.warns(UserWarning, match="absent.jsonl"):
        store = api.corpus_from_files([tmp_path / "absent.jsonl"], db=tmp_path / "new.duckdb", analyse=False)
    assert store.summary()["articles"] == 0 and (tmp_path / "new.duckdb").is_file()
    store.close()


def test_open_store_by_path_or_corpus_name(analyzed_sample_store, monkeypatch):
    monkeypatch.setenv("COVERAGE_LENS_DB", str(analyzed_sample_store))
    with api.open_store(corpus=analyzed_sample_store.stem) as by_name, api.open_store() as default:
        assert by_name.summary()["articles"] == default.summary()["articles"] == 3
        assert by_name.read_only
    with pytest.raises(ValueError, match="not a corpus name"):
        api.open_store(corpus="../sample")
    with pytest.raises(LookupError, match="no corpus 'elsewhere'"):
        api.open_store(corpus="elsewhere")
    with pytest.raises(ValueError, match="not both"):
        api.open_store(analyzed_sample_store, corpus="sample")


# --- the views on the seed corpus (facts from ../shared/seeds/README.md)


def _texts(frame: pd.DataFrame, outlet: str) -> str:
    return " | ".join(frame.loc[frame["outlet"] == outlet, "text"])


def test_event_comparison_of_the_seed_event(store, seed):
    view = api.event_comparison(store, seed["shared"])
    assert view.outlets == [CBS, TELEGRAPH] and "Assange" in view.label
    assert set(view.articles["outlet"]) == {CBS, TELEGRAPH}
    shared = view.claims_shared
    assert "persecution" in _texts(shared, TELEGRAPH) and "persecution" in _texts(shared, CBS)
    assert "whereabouts" in _texts(shared, CBS) and "location" in _texts(shared, TELEGRAPH)
    assert "188" in _texts(view.claims_unique, TELEGRAPH)
    assert "Kazakhstan" in _texts(view.claims_unique, CBS) or "Clinton" in _texts(view.claims_unique, CBS)
    assert set(view.claim_summary["outlet"]) == {CBS, TELEGRAPH}
    assert view.claim_groups == view.claims["claim_group"].nunique()
    conflict = view.claim_conflicts.iloc[0]
    assert "250,000" in conflict["figures_a"] + conflict["figures_b"]
    assert view.top_speakers["speaker"].iloc[0] in {"Mark Stephens", "Hillary Rodham Clinton"}
    assert list(view.actor_labels.columns[2:]) == [CBS, TELEGRAPH]
    assert "Julian Assange" in set(view.actor_labels["actor"])
    assert set(view.tone["outlet"]) == {CBS, TELEGRAPH}


def test_event_comparison_judges_claims_among_the_outlets_shown(store, seed):
    view = api.event_comparison(store, seed["shared"], outlets=[TELEGRAPH])
    assert view.outlets == [TELEGRAPH] and set(view.articles["outlet"]) == {TELEGRAPH}
    assert view.claims_shared.empty and set(view.claims_unique["outlet"]) == {TELEGRAPH}
    assert list(view.actor_labels.columns) == ["actor", "outlets_labelling", TELEGRAPH]
    single = api.event_comparison(store, seed["asylum"])
    assert single.outlets == [US_NEWS] and single.claims.empty and list(single.charts()) == ["articles_by_outlet"]


@pytest.fixture(scope="module")
def wire(analyzed_wire_store):
    with api.open_store(analyzed_wire_store) as opened:
        event = opened.events().query("outlets == 3")["event_id"].item()
        members = opened.article_events_with_outlets().query("event_id == @event")
        yield opened, event, members.set_index("outlet")["article_id"]  # one article per outlet


def test_wire_copies_are_flagged_and_can_be_left_out_of_an_event_comparison(wire):
    store, event, articles = wire
    copy, original, own = articles["Daily Post"], articles["Norvale Wire"], articles["Harbour Herald"]
    flagged = api.event_comparison(store, event)
    assert flagged.outlets == ["Daily Post", "Harbour Herald", "Norvale Wire"] and not flagged.without_wire_copies
    assert flagged.wire_copies[["article_id", "wire_copy_of", "copied_outlet"]].values.tolist() == [
        [copy, original, "Norvale Wire"]]
    marks = flagged.articles.set_index("article_id")
    assert marks.loc[copy, "wire_copy_of"] == original and marks.loc[copy, "copied_outlet"] == "Norvale Wire"
    assert marks.loc[copy, "wire_similarity"] >= 0.8
    assert marks.loc[[original, own], "wire_copy_of"].isna().all()
    # The copy makes the agency's every claim look shared: the operators' warning is carried by two outlets.
    warning = flagged.claims[flagged.claims["text"].str.startswith("Ferry operators warned")]
    assert set(warning["status"]) == {"shared"} and set(warning["outlet"]) == {"Daily Post", "Norvale Wire"}

    left_out = api.event_comparison(store, event, without_wire_copies=True)
    assert left_out.without_wire_copies and left_out.outlets == ["Harbour Herald", "Norvale Wire"]
    assert left_out.wire_copies.equals(flagged.wire_copies)  # what was left out, and why
    assert copy not in set(left_out.articles["article_id"]) and left_out.articles["wire_copy_of"].isna().all()
    assert set(left_out.articles_per_outlet["outlet"]) == {"Harbour Herald", "Norvale Wire"}
    assert set(left_out.similarity["outlet_a"]) == set(left_out.similarity["outlet_b"]) == {"Harbour Herald",
                                                                                            "Norvale Wire"}
    stored = flagged.similarity.set_index(["outlet_a", "outlet_b"])["similarity"]
    recomputed = left_out.similarity.set_index(["outlet_a", "outlet_b"])["similarity"]
    assert recomputed[("Harbour Herald", "Norvale Wire")] == pytest.approx(stored[("Harbour Herald", "Norvale Wire")])
    assert "Daily Post" not in set(left_out.claims["outlet"]) | set(left_out.claim_summary["outlet"])
    assert "Daily Post" not in set(left_out.claims_omitted["outlet"]) | set(left_out.tone["outlet"])
    warning = left_out.claims[left_out.claims["text"].str.startswith("Ferry operators warned")]
    assert warning[["outlet", "status"]].values.tolist() == [["Norvale Wire", "unique"]]
    assert set(flagged.claims_shared["claim_group"]) > set(left_out.claims_shared["claim_group"])
    # An outlet chosen whose articles here are all copies has nothing left to compare.
    only_copies = api.event_comparison(store, event, outlets=["Daily Post"], without_wire_copies=True)
    assert only_copies.outlets == [] and only_copies.articles.empty and only_copies.claims.empty


def test_compare_picks_main_articles_among_those_that_are_not_wire_copies(wire):
    store, event, articles = wire
    flagged = api.outlet_comparison(store, event, "Daily Post", "Harbour Herald")
    assert flagged.wire_copies["article_id"].tolist() == [articles["Daily Post"]]
    with pytest.raises(LookupError, match="Daily Post"):
        api.outlet_comparison(store, event, "Daily Post", "Harbour Herald", without_wire_copies=True)
    pair = api.outlet_comparison(store, event, without_wire_copies=True)
    assert {pair.outlet_a, pair.outlet_b} == {"Harbour Herald", "Norvale Wire"} and pair.wire_copies.empty
    assert api.corpus_overview(store).facts["wire_copies"] == 1
    assert api.corpus_overview(store, outlets=["Harbour Herald"]).facts["wire_copies"] == 0


def test_article_comparison_within_and_across_events(store, seed):
    pair = api.article_comparison(store, seed["telegraph"], seed["cbs"])
    assert (pair.outlet_a, pair.outlet_b, pair.event_id) == (TELEGRAPH, CBS, seed["shared"])
    assert set(pair.sentence_counts["side"]) == {"A", "B"}
    assert len(pair.claims_both) and "188" in " ".join(pair.claims_a_only["text_a"])
    # "precise location remains unknown" / "exact whereabouts remain unknown": a rewording.
    location = pair.a_to_b[pair.a_to_b["text"].str.contains("precise location")]
    assert location["status"].tolist() == ["reworded"]
    across = api.article_comparison(store, seed["telegraph"], seed["us_news"])
    assert across.event_id is None and across.claims.empty and across.conflicts.empty
    assert set(across.charts()) == {"alignment_a", "alignment_b"}
    assert api.outlet_comparison(store, seed["shared"]).article_a == pair.article_b  # CBS first: name order


def test_outlet_profiles_name_each_outlets_most_quoted_speaker(store):
    assert api.outlet_profile(store, TELEGRAPH).speakers["speaker"].iloc[0] == "Mark Stephens"
    cbs = api.outlet_profile(store, CBS)
    assert "Clinton" in cbs.speakers["speaker"].iloc[0]
    assert cbs.events_covered["outlets"].tolist() == [2] and cbs.similar_outlets.empty
    assert api.outlet_profile(store, CBS, min_shared=1).similar_outlets["outlet"].tolist() == [TELEGRAPH]
    assert (cbs.distinctive_words["direction"] == "over").all()
    assert (api.outlet_profile(store, CBS, words="under").distinctive_words["direction"] == "under").all()
    actor = cbs.labels["actor"].iloc[0]
    assert set(api.outlet_profile(store, CBS, actor=actor).labels["actor"]) == {actor}


def test_claim_search_finds_each_outlets_wording(store):
    found = api.search_claims(store, "whereabouts")
    assert set(found.results["outlet"]) == {CBS, TELEGRAPH}
    assert found.wordings.empty and found.first_report is None and found.charts() == {}
    claim = found.results["claim_id"].iloc[0]
    detail = api.search_claims(store, "whereabouts", claim=claim)
    assert set(detail.wordings["outlet"]) == {CBS, TELEGRAPH}
    assert detail.first_report.tied and set(detail.first_report.outlets) == {CBS, TELEGRAPH}
    assert list(detail.charts()) == ["report_timeline"]
    assert api.search_claims(store, outlets=[CBS], kinds=["direct quote"]).results["kind"].eq("direct quote").any()


def test_overview_article_and_summary(store, seed):
    overview = api.corpus_overview(store)
    assert overview.facts == {"articles": 3, "outlets": 3, "first_published": "2010-12-01",
                              "last_published": "2012-06-19", "undated": 0, "wire_copies": 0}
    assert overview.events["event_id"].tolist() == [seed["shared"], seed["asylum"]]
    filtered = api.corpus_overview(store, outlets=[CBS], frequency="year")
    assert filtered.facts["articles"] == 1 and filtered.timeline["frequency"].unique().tolist() == ["year"]
    assert filtered.events["event_id"].tolist() == [seed["shared"]]
    sentences = api.article(store, seed["cbs"]).sentences
    assert sentences["is_headline"].iloc[0] and sentences["sentence_no"].tolist() == list(range(len(sentences)))
    summary = api.corpus_summary(store)
    assert summary.facts["multi_outlet_events"] == 1 and summary.facts["unanalysed"] == 0


def test_views_before_any_analysis(sample_store_path):
    with api.open_store(sample_store_path) as store:
        overview = api.corpus_overview(store)
        assert overview.facts["articles"] == 3 and overview.events.empty and overview.blind_spots.empty
        assert api.list_events(store).empty
        with pytest.raises(LookupError, match="has not been analysed"):
            api.outlet_profile(store, CBS)


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda store, seed: api.event_comparison(store, "e-nope"), LookupError, "no event 'e-nope'"),
    (lambda store, seed: api.event_comparison(store, seed["shared"], outlets=[US_NEWS]), LookupError,
     "has no articles from 'U.S. News & World Report'"),
    (lambda store, seed: api.event_comparison(store, seed["shared"], min_outlets=0), ValueError, "at least 1"),
    (lambda store, seed: api.article_comparison(store, seed["cbs"], "nope"), LookupError, "no article 'nope'"),
    (lambda store, seed: api.article_comparison(store, seed["cbs"], seed["telegraph"], shared_threshold=2),
     ValueError, "from 0 to 1"),
    (lambda store, seed: api.article_comparison(store, seed["cbs"], seed["telegraph"], shared_threshold=0.2,
                                                reworded_threshold=0.5), ValueError, "reworded"),
    (lambda store, seed: api.outlet_comparison(store, seed["shared"], "Fox News"), LookupError, "'Fox News'"),
    (lambda store, seed: api.outlet_profile(store, "Fox News"), LookupError, "no outlet 'Fox News'"),
    (lambda store, seed: api.outlet_profile(store, CBS, words="sideways"), ValueError, "'over' or 'under'"),
    (lambda store, seed: api.outlet_profile(store, CBS, actor="Nobody"), LookupError, "labels no actor"),
    (lambda store, seed: api.search_claims(store, kinds=["rumour"]), ValueError, "unknown claim kind 'rumour'"),
    (lambda store, seed: api.search_claims(store, claim="c-nope"), LookupError, "no claim 'c-nope'"),
    (lambda store, seed: api.corpus_overview(store, frequency="fortnight"), ValueError, "fortnight"),
    (lambda store, seed: api.list_events(store, outlets=["Fox News"]), LookupError, "no outlet 'Fox News'"),
    (lambda store, seed: api.article(store, "nope"), LookupError, "no article 'nope'"),
])
def test_bad_arguments_are_explained(store, seed, call, error, message):
    with pytest.raises(error, match=message):
        call(store, seed)


# --- charts: the dashboard's builders on the views' tables


def test_every_view_draws_the_pages_charts(store, seed):
    views = [api.corpus_overview(store), api.event_comparison(store, seed["shared"]),
             api.article_comparison(store, seed["telegraph"], seed["cbs"]), api.outlet_profile(store, CBS, min_shared=1),
             api.search_claims(store, claim=api.search_claims(store, "Stephens").results["claim_id"].iloc[0])]
    drawn = {}
    for view in views:
        for name, chart in view.charts().items():
            assert isinstance(chart, alt.TopLevelMixin)
            drawn[f"{type(view).__name__}.{name}"] = chart.to_dict()
    assert set(drawn) >= {
        "CorpusOverview.timeline", "EventComparison.similarity", "EventComparison.claim_coverage",
        "EventComparison.voices", "EventComparison.distinctive_words", "EventComparison.tone",
        "ArticleComparison.alignment_a", "OutletProfile.similar_outlets", "OutletProfile.speakers",
        "OutletProfile.tone", "ClaimSearch.report_timeline"}
    event = api.event_comparison(store, seed["shared"])
    assert event.charts()["claim_coverage"].to_dict() == analysis.claim_coverage_chart(event.claim_matrix).to_dict()
    assert api.article(store, seed["cbs"]).charts() == {} and api.corpus_summary(store).charts() == {}


def test_views_describe_themselves(store, seed):
    text = repr(api.event_comparison(store, seed["shared"]))
    assert text.startswith("EventComparison:\n  event_id: 'e-")
    assert re.search(r"claims_shared: \d+ rows x 13 columns", text)


# --- the API reference


def test_the_api_reference_builds_without_warnings(tmp_path):
    # The command `make docs` runs (as `make -n` prints it, which runs nothing), into a temporary folder.
    recipe = subprocess.run(["make", "-n", "docs"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    command = re.search(r"\$\((\S*pdoc --docformat google .*?) 2>&1", recipe).group(1)
    assert " -o site/api" in command and " analysis.api " in command and " analysis.links " in command
    arguments = shlex.split(command.replace(" -o site/api", f" -o {shlex.quote(str(tmp_path / 'api'))}"))
    result = subprocess.run(arguments, capture_output=True, text=True, cwd=REPO, timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr
    page = (tmp_path / "api" / "analysis.html").read_text(encoding="utf-8")
    for name in ("event_comparison", "from_link", "notebook_code", "EventComparison", "claim_coverage_chart"):
        assert f'id="{name}"' in page, name
    assert (tmp_path / "api" / "analysis" / "api.html").is_file() and (tmp_path / "api" / "analysis" / "links.html").is_file()

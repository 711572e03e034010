"""Dashboard links, read as the dashboard reads them, turned into analysis calls and notebook code.

Links are untrusted: every value is checked, and reaches the code only as a Python literal; the
tests parse the code and check it makes exactly the expected calls whatever the link holds.
"""

import ast
import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis import api, links
from analysis.links import (
    PAGE_KEYS,
    Link,
    from_link,
    notebook_code,
    notebook_ipynb,
    parse_link,
    parse_query,
    view_call,
)
from analysis.store import Store
from tests.conftest import REPO

PAGES_DIR = REPO / "dashboard" / "app_pages"
HOSTILE = [
    "'); import os; os.system('touch /tmp/pwned') #",
    '"); __import__("os").system("id") #',
    "x'\n__import__('os').system('id')\n#",
    "'''\"\"\"\\",
    "\\x27; print(1); \\x27",
    "{__import__('os').system('id')}",
    "line\u2028separator\u2029and\r\nreturns\x00nul",
    "<script>window.__injected = 1</script>[Click me](https://evil.example/)",
]


@pytest.fixture(scope="module")
def seed(analyzed_sample_store):
    with Store.open(analyzed_sample_store, read_only=True) as store:
        events = store.events()
        articles = store.articles()
    by_outlet = dict(zip(articles["outlet"], articles["article_id"]))
    return {"shared": events.loc[events["outlets"] == 2, "event_id"].item(),
            "asylum": events.loc[events["outlets"] == 1, "event_id"].item(),
            "telegraph": by_outlet["The Telegraph"], "cbs": by_outlet["CBS News"]}


@pytest.fixture
def store(analyzed_sample_store):
    with Store.open(analyzed_sample_store, read_only=True) as opened:
        yield opened


# --- reading links


@pytest.mark.parametrize(("url", "page", "params"), [
    ("http://localhost:8501/", "overview", {}),
    ("http://localhost:8501", "overview", {}),
    ("/overview?outlet=CBS+News&outlet=The+Telegraph&freq=month", "overview",
     {"outlet": ["CBS News", "The Telegraph"], "freq": "month"}),
    ("/?freq=auto&outlet=A&outlet=A", "overview", {"outlet": ["A"]}),
    ("https://news.example/lens/event?event=e-1&section=claims&min_outlets=2", "event",
     {"event": "e-1", "section": "claims", "min_outlets": 2}),
    ("/event?event=e-1&section=articles&min_outlets=1", "event", {"event": "e-1"}),
    ("/event?event=e-1&event=e-2", "event", {"event": "e-2"}),
    ("/compare?a=x&b=y&shared=0.7&reworded=0.3", "compare", {"a": "x", "b": "y", "shared": 0.7, "reworded": 0.3}),
    ("/outlets?outlet=CBS%20News&tab=labels&min_events=2&actor=Julian+Assange&unknown=1", "outlets",
     {"outlet": "CBS News", "tab": "labels", "min_events": 2, "actor": "Julian Assange"}),
    ("/claims?q=%22persecution+and+not%22&kind=direct+quote&claim=c-1", "claims",
     {"q": '"persecution and not"', "kind": ["direct quote"], "claim": "c-1"}),
    ("/article?article=0efe080f883082e1", "article", {"article": "0efe080f883082e1"}),
    ("/data?corpus=other", "data", {}),
])
def test_links_are_read_as_the_dashboard_reads_them(url, page, params):
    link = parse_link(url)
    assert (link.page, link.params) == (page, params)


def test_a_link_written_back_reads_the_same():
    link = parse_link("/compare?corpus=news-2024&a=x&b=y+z&outlet=A&outlet=B%26C&shared=0.65")
    assert link.corpus == "news-2024"
    assert link.url(base="http://localhost:8501/") == (
        "http://localhost:8501/compare?corpus=news-2024&a=x&b=y+z&outlet=A&outlet=B%26C&shared=0.65")
    assert parse_link(link.url()) == link
    assert Link("overview").url() == "/"


@pytest.mark.parametrize(("url", "message"), [
    ("/nowhere?event=e-1", "not a link to a dashboard page"),
    ("/event?section=everything", "unknown 'section' value"),
    ("/event?min_outlets=0", "from 1 to 1000"),
    ("/event?min_outlets=1.5", "whole number"),
    ("/compare?shared=nan", "from 0 to 1"),
    ("/compare?shared=1e309", "from 0 to 1"),
    ("/compare?reworded=-inf", "from 0 to 1"),
    ("/compare?shared=0x10", "from 0 to 1"),
    ("/outlets?words=sideways", "unknown 'words' value"),
    ("/claims?kind=rumour", "unknown 'kind' value"),
    ("/event?event=" + "e" * 301, "too long"),
    ("/overview?" + "&".join(f"outlet=o{number}" for number in range(51)), "repeats 'outlet' 51 times"),
    ("/overview?corpus=../../etc/passwd", "not a corpus name"),
    ("/overview?corpus=%2Fetc%2Fpasswd", "not a corpus name"),
    ("/overview?corpus=.hidden", "not a corpus name"),
])
def test_malformed_links_are_refused_with_a_reason(url, message):
    with pytest.raises(ValueError, match=message):
        parse_link(url)


def _constants(tree: ast.Module) -> dict:
    """A page module's constants: literals, and ``list(SOME_DICT)`` as the dict's keys."""
    values = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                values[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    return values


def _value(node: ast.expr, constants: dict):
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "list":
        return list(_value(node.args[0], constants))
    if isinstance(node, ast.Name):
        return constants.get(node.id)  # None: not a literal (a default read from the settings)
    if isinstance(node, ast.Attribute):
        from analysis import profiles, search

        return getattr({"profiles": profiles, "search": search}[node.value.id], node.attr)
    return ast.literal_eval(node)


def _keys_read_by(page: str) -> dict[str, dict]:
    """What a page's code reads from its URL: each key's kind, choices and bounds."""
    tree = ast.parse((PAGES_DIR / f"{page}.py").read_text(encoding="utf-8"))
    constants = _constants(tree)
    kinds = {"query_text": "text", "query_list": "texts", "query_choice": "choice", "query_number": "number"}
    # Keys read in a loop over a constant (``for side in SIDES``): the loop variable's values.
    loops = {node.target.id: constants.get(node.iter.id, ()) for node in ast.walk(tree)
             if isinstance(node, ast.comprehension | ast.For) and isinstance(node.target, ast.Name)
             and isinstance(node.iter, ast.Name)}
    read = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name = node.func.attr
        if name in kinds and isinstance(node.func.value, ast.Name) and node.func.value.id == "ui":
            key = {"kind": kinds[name]}
            options = {keyword.arg: _value(keyword.value, constants) for keyword in node.keywords}
            if name == "query_choice":
                key["choices"] = tuple(_value(node.args[1], constants))
                key["default"] = _value(node.args[2], constants)
            if name == "query_number":
                key.update(kind="integer" if options.get("integer") else "number", low=options["low"],
                           high=options["high"], default=_value(node.args[1], constants))
            first = node.args[0]
            for name in loops[first.id] if isinstance(first, ast.Name) else [first.value]:
                read[name] = key
        elif name == "get" and ast.unparse(node.func.value) == "st.query_params":
            read.setdefault(node.args[0].value, {"kind": "text"})
    return read


@pytest.mark.parametrize("page", list(PAGE_KEYS))
def test_page_keys_are_those_the_pages_read(page):
    read = _keys_read_by(page)
    assert set(read) == set(PAGE_KEYS[page])
    for name, expected in read.items():
        key = PAGE_KEYS[page][name]
        # A repeatable key the page checks against known values (claim kinds) is a choice list here.
        assert key.kind == expected["kind"] or (key.kind, expected["kind"]) == ("choices", "texts"), name
        if "choices" in expected:
            assert key.choices == expected["choices"], name
        if "low" in expected:
            assert (key.low, key.high) == (expected["low"], expected["high"]), name
        # None: the page's default comes from the settings (Compare's thresholds), as it does here.
        assert key.default == expected.get("default"), name


def test_every_page_of_the_dashboard_has_keys_here():
    from dashboard.ui import PAGES

    assert set(PAGES) == set(PAGE_KEYS)
    assert {path.stem for path in PAGES_DIR.glob("*.py")} == set(PAGE_KEYS)


# --- links as calls


@pytest.mark.parametrize(("url", "call"), [
    ("/", ("corpus_overview", (), {})),
    ("/?outlet=CBS+News&freq=week", ("corpus_overview", (), {"outlets": ["CBS News"], "frequency": "week"})),
    ("/event?event=e-1&outlet=A&outlet=B&section=quotes&min_outlets=2",
     ("event_comparison", ("e-1",), {"outlets": ["A", "B"], "min_outlets": 2})),
    ("/event?event=e-1&wire=leave_out", ("event_comparison", ("e-1",), {"without_wire_copies": True})),
    ("/event?event=e-1&wire=flag", ("event_comparison", ("e-1",), {})),
    ("/compare?a=x&b=y&event=e-1&outlet=A&outlet=B", ("article_comparison", ("x", "y"), {})),
    ("/compare?a=x&b=y&wire=leave_out", ("article_comparison", ("x", "y"), {})),
    ("/compare?event=e-1&outlet=A&wire=leave_out", ("outlet_comparison", ("e-1", "A"), {"without_wire_copies": True})),
    ("/compare?event=e-1&outlet=A&outlet=B&outlet=C", ("outlet_comparison", ("e-1", "A", "B"), {})),
    ("/compare?event=e-1", ("outlet_comparison", ("e-1",), {})),
    ("/outlets?outlet=A&tab=words&words=under&missed_min=4",
     ("outlet_profile", ("A",), {"missed_min": 4, "words": "under"})),
    ("/claims?q=Stephens&outlet=A&kind=statement", ("search_claims", ("Stephens",),
                                                     {"outlets": ["A"], "kinds": ["statement"]})),
    ("/claims?claim=g-1", ("search_claims", (), {"claim": "g-1"})),
    ("/article?article=abc", ("article", ("abc",), {})),
    ("/data", ("corpus_summary", (), {})),
])
def test_each_page_link_is_one_api_call(url, call):
    assert view_call(url) == call


@pytest.mark.parametrize(("query", "thresholds"), [
    ("shared=0.6&reworded=0.25", {}),
    ("shared=0.7", {"shared_threshold": 0.7}),
    ("shared=0.12345", {"shared_threshold": 0.123, "reworded_threshold": 0.123}),
    ("reworded=0.9", {"reworded_threshold": 0.6}),
    ("shared=0.5&reworded=0.8", {"shared_threshold": 0.5, "reworded_threshold": 0.5}),
])
def test_compare_thresholds_are_applied_as_the_page_applies_them(query, thresholds):
    assert view_call(f"/compare?a=x&b=y&{query}")[2] == thresholds


@pytest.mark.parametrize(("url", "message"), [
    ("/event", "names no event"),
    ("/compare", "no articles and no event"),
    ("/compare?a=x&event=e-1", "names one article"),
    ("/outlets?tab=voices", "names no outlet"),
    ("/article", "names no article"),
])
def test_links_naming_too_little_say_what_is_missing(url, message):
    with pytest.raises(ValueError, match=message):
        view_call(url)


# --- links as code


def _check_code(code: str, function: str, values: list) -> None:
    """The code imports from analysis, opens a store, makes the one view call with exactly
    ``values`` as its literal arguments, and only shows the view."""
    tree = ast.parse(code)
    imports = [node for node in tree.body if isinstance(node, ast.ImportFrom | ast.Import)]
    assert [(node.module, sorted(alias.name for alias in node.names)) for node in imports] == [
        ("analysis", sorted([function, "open_store"]))]
    assignments = [node for node in tree.body if isinstance(node, ast.Assign)]
    assert [ast.unparse(node.targets[0]) for node in assignments] == ["store", "view"]
    store_call, view_call_node = assignments[0].value, assignments[1].value
    assert ast.unparse(store_call.func) == "open_store"
    assert ast.unparse(view_call_node.func) == function
    arguments = view_call_node.args[1:] + [keyword.value for keyword in view_call_node.keywords]
    assert [ast.literal_eval(argument) for argument in arguments] == values
    for node in tree.body:
        assert isinstance(node, ast.ImportFrom | ast.Assign | ast.Expr), ast.unparse(node)
    called = {ast.unparse(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    assert called <= {"open_store", function, "print", "view.charts", "view.charts().get"}, called


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize(("page", "query", "function", "arguments"), [
    ("event", {"event": "V"}, "event_comparison", ["V"]),
    ("event", {"event": "e-1", "outlet": "V"}, "event_comparison", ["e-1", ["V"]]),
    ("event", {"event": "V", "wire": "leave_out"}, "event_comparison", ["V", True]),
    ("compare", {"a": "V", "b": "y"}, "article_comparison", ["V", "y"]),
    ("outlets", {"outlet": "V"}, "outlet_profile", ["V"]),
    ("outlets", {"outlet": "A", "actor": "V"}, "outlet_profile", ["A", "V"]),
    ("claims", {"q": "V"}, "search_claims", ["V"]),
    ("claims", {"claim": "V"}, "search_claims", ["V"]),
    ("article", {"article": "V"}, "article", ["V"]),
])
def test_hostile_link_values_are_literals_in_the_code(page, query, function, arguments, value):
    def hostile(item):
        return [hostile(part) for part in item] if isinstance(item, list) else value if item == "V" else item

    link = parse_query(page, {key: [hostile(item)] for key, item in query.items()})
    code = notebook_code(link, store_path="/tmp/a'b\\c.duckdb")
    _check_code(code, function, hostile(arguments))
    assert ast.literal_eval(ast.parse(code).body[1].value.args[0]) == "/tmp/a'b\\c.duckdb"
    # The comment naming the link holds it percent-encoded: one line.
    assert code.splitlines()[0] == f"# Coverage Lens: the {page.capitalize()} view at {link.url()}"
    notebook = nbformat.reads(notebook_ipynb(link), as_version=4)
    _check_code("\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code"), function,
                hostile(arguments))


def test_code_opens_the_corpus_the_link_names_by_name():
    code = notebook_code("/data?corpus=news-2024")
    assert "store = open_store(corpus='news-2024')" in code
    assert "store = open_store()" in notebook_code("/data")


@pytest.mark.parametrize(("url", "shown"), [
    ("/event?event=e-1&section=claims", "view.claims_shared"),
    ("/event?event=e-1&section=framing", "view.actor_labels"),
    ("/outlets?outlet=A&tab=voices", "view.charts().get('speakers')"),
    ("/claims?q=x", "view.results"),
])
def test_code_shows_what_the_page_section_shows(url, shown):
    assert f"# %%\n{shown}\n" in notebook_code(url)


def test_notebook_is_valid_nbformat_with_the_code_in_its_cells():
    url = "/event?event=e-1&outlet=CBS+News&section=claims"
    notebook = nbformat.reads(notebook_ipynb(url, store_path="data/x.duckdb"), as_version=4)
    nbformat.validate(notebook)
    assert notebook.cells[0].cell_type == "markdown" and "/event?event=e-1" in notebook.cells[0].source
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code_cells)
    assert "\n\n# %%\n".join(cell.source for cell in code_cells) + "\n" == notebook_code(
        url, store_path="data/x.duckdb")
    assert json.loads(notebook_ipynb(url))["metadata"]["kernelspec"]["name"] == "python3"


# --- links as objects, and the code run


def _assert_same_view(left, right) -> None:
    assert type(left) is type(right)
    assert left.tables().keys() == right.tables().keys()
    for name, table in left.tables().items():
        pd.testing.assert_frame_equal(table, right.tables()[name], obj=name)


def test_from_link_makes_the_api_call(store, seed):
    url = f"http://localhost:8501/event?event={seed['shared']}&outlet=CBS+News&outlet=The+Telegraph&section=claims"
    _assert_same_view(from_link(url, store=store),
                      api.event_comparison(store, seed["shared"], outlets=["CBS News", "The Telegraph"]))
    compared = from_link(f"/compare?event={seed['shared']}&outlet=The+Telegraph&outlet=CBS+News&shared=0.7",
                         store=store)
    assert (compared.outlet_a, compared.outlet_b) == ("The Telegraph", "CBS News")
    _assert_same_view(compared, api.article_comparison(store, seed["telegraph"], seed["cbs"], shared_threshold=0.7))


@pytest.mark.parametrize("page_query", [
    "?outlet=CBS+News&freq=month", "event?event={shared}&section=quotes", "compare?a={telegraph}&b={cbs}",
    "outlets?outlet=The+Telegraph&tab=labels", "claims?q=Stephens", "article?article={cbs}", "data",
])
def test_the_code_computes_what_from_link_returns(store, seed, analyzed_sample_store, page_query, capsys):
    url = "http://localhost:8501/" + page_query.format(**seed)
    namespace: dict = {}
    exec(compile(notebook_code(url, store_path=analyzed_sample_store), "<notebook>", "exec"), namespace)
    try:
        _assert_same_view(namespace["view"], from_link(url, store=store))
    finally:
        namespace["store"].close()
    assert type(namespace["view"]).__name__ in capsys.readouterr().out


@pytest.mark.parametrize(("url", "message"), [
    ("/event?event=e-000000000000", "no event 'e-000000000000'"),
    ("/event?event={shared}&outlet=Fox+News", "has no articles from 'Fox News'"),
    ("/compare?a=ffffffffffffffff&b={cbs}", "no article 'ffffffffffffffff'"),
    ("/outlets?outlet=Fox+News", "no outlet 'Fox News'"),
    ("/outlets?outlet=CBS+News&tab=labels&actor=Nobody", "labels no actor 'Nobody'"),
    ("/claims?claim=c-000000000000", "no claim 'c-000000000000'"),
    ("/claims?outlet=Fox+News", "no outlet 'Fox News'"),
    ("/article?article=ffffffffffffffff", "no article 'ffffffffffffffff'"),
])
def test_unknown_names_in_a_link_are_explained(store, seed, url, message):
    with pytest.raises(LookupError, match=message):
        from_link(url.format(**seed), store=store)


@pytest.fixture
def corpus_folder(analyzed_sample_store, tmp_path, monkeypatch):
    """A corpus folder holding the analysed seeds as the default corpus and an empty ``other``."""
    folder = tmp_path / "corpora"
    folder.mkdir()
    shutil.copy(analyzed_sample_store, folder / "main.duckdb")
    Store.open(folder / "other.duckdb").close()
    outside = tmp_path / "outside.duckdb"
    shutil.copy(analyzed_sample_store, outside)
    monkeypatch.setenv("COVERAGE_LENS_DB", str(folder / "main.duckdb"))
    return folder


def test_from_link_opens_the_corpus_the_link_names(corpus_folder, seed):
    assert links.corpora() == ["main", "other"]
    assert from_link("/data").facts["articles"] == 3
    assert from_link("/data?corpus=other").facts["articles"] == 0
    assert from_link(f"/event?corpus=main&event={seed['shared']}").outlets == ["CBS News", "The Telegraph"]
    with pytest.raises(LookupError, match="no corpus 'outside'"):
        from_link("/data?corpus=outside")
    for name in ("../outside", str(corpus_folder.parent / "outside.duckdb"), "..%2Foutside"):
        with pytest.raises(ValueError, match="not a corpus name"):
            from_link(f"/data?corpus={name}")
    assert links.corpus_path("other") == corpus_folder / "other.duckdb"
    assert isinstance(links.corpus_path("main"), Path)

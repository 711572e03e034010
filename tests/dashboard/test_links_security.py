"""Links are not a way in: hostile query parameters on every page give a friendly message and
no exception, a link never makes the server open a store outside its corpus folder, and the
SQL in ``analysis`` only ever interpolates constant names (values go in as bound parameters).

The pages run in AppTest over a copy of the analysed sample store, the default corpus of a
folder that also holds a second corpus; a third store lies OUTSIDE that folder, and links
naming it in every way a path can be spelt must still show the default corpus.
"""

import ast
import json
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as strategies
from streamlit.testing.v1 import AppTest

from analysis import profiles
from analysis.ingest import ingest
from analysis.settings import setting
from analysis.store import Store
from tests.conftest import REPO
from tests.dashboard.conftest import APP

PAGES_DIR = REPO / "dashboard" / "app_pages"

# Every URL key each page reads (``corpus`` too, on every page); test_every_url_key_is_fuzzed
# keeps this in step with the pages' code.
PAGE_KEYS = {
    "overview": ("outlet", "freq"),
    "event": ("event", "outlet", "section", "min_outlets", "wire"),
    "compare": ("a", "b", "event", "outlet", "shared", "reworded", "wire"),
    "outlets": ("outlet", "tab", "missed_min", "min_shared", "words", "min_events", "actor"),
    "claims": ("q", "outlet", "kind", "claim"),
    "data": (),
    "article": ("article",),
}
HOSTILE = {
    "traversal": "../../etc/passwd",
    "absolute": "/etc/passwd",
    "encoded_traversal": "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "nul": "main\x00../../etc/passwd",
    "sql": "' OR 1=1 --",
    "sql_statement": "x'); DROP TABLE articles; --",
    "oversize": "x" * 100_000,
    "script": "<script>window.__injected = 1</script>[Click me](https://evil.example/)",
    "control": "\x1b[31m\r\n\t\x07\x00",
    "not_a_number": "1e309",
}
NUMBERS = {"event": ("min_outlets",), "compare": ("shared", "reworded"),
           "outlets": ("missed_min", "min_shared", "min_events")}
BAD_NUMBERS = ("abc", "nan", "-inf", "-1", "1e309", "0x10", "x" * 100_000)
ARTICLES_IN_DEFAULT, ARTICLES_IN_OTHER, ARTICLES_OUTSIDE = "3", "1", "2"


def _one_article_store(path: Path, *, outlets: list[str]) -> Path:
    """A small store of one article per outlet in ``outlets`` (not analysed)."""
    records = path.with_suffix(".jsonl")
    records.write_text("".join(json.dumps({
        "title": f"Harbour news from {outlet}", "outlet": outlet, "published": "2021-03-04",
        "text": f"The harbour bridge closed on Monday for repairs, {outlet} reported. Officials said it reopens soon.",
    }) + "\n" for outlet in outlets), encoding="utf-8")
    with Store.open(path) as store:
        assert ingest([str(records)], store=store).added == len(outlets)
    records.unlink()
    return path


@pytest.fixture(scope="module")
def corpora(analyzed_sample_store, tmp_path_factory):
    """``(folder, outside)``: the corpus folder (``main`` = the analysed sample, the default;
    ``other`` = one article) and a two-article store beside the folder, outside it."""
    root = tmp_path_factory.mktemp("links")
    folder = root / "corpora"
    folder.mkdir()
    shutil.copy(analyzed_sample_store, folder / "main.duckdb")
    _one_article_store(folder / "other.duckdb", outlets=["Other Gazette"])
    outside = _one_article_store(root / "outside.duckdb", outlets=["Outside Herald", "Outside Times"])
    return folder, outside


@pytest.fixture(scope="module")
def ids(corpora):
    """Real ids of the default corpus: the shared event, the Telegraph article, a claim."""
    folder, _ = corpora
    with Store.open(folder / "main.duckdb", read_only=True) as store:
        events, articles, claims = store.events(), store.articles(), store.claims()
    return {"event": events.loc[events["outlets"] == 2, "event_id"].item(),
            "article": articles.loc[articles["outlet"] == "The Telegraph", "article_id"].item(),
            "claim": claims["claim_id"].iloc[0]}


@pytest.fixture(scope="module")
def environment(corpora):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COVERAGE_LENS_DB", str(corpora[0] / "main.duckdb"))
        st.cache_data.clear()
        yield
        st.cache_data.clear()


@contextmanager
def databases_opened():
    """Record the path of every DuckDB database opened while inside (the store, and anything else)."""
    opened, connect = [], duckdb.connect

    def recording(database=":memory:", *args, **kwargs):
        opened.append(str(database))
        return connect(database, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(duckdb, "connect", recording)
        yield opened


def _run(page: str, params: dict) -> tuple[AppTest, list[str]]:
    """Run ``page`` from a link with ``params``, caches empty (so every store read is seen);
    returns the app and the databases it opened."""
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py")
    for name, value in params.items():
        at.query_params[name] = value
    with databases_opened() as opened:
        at.run()
    return at, opened


def _messages(at: AppTest) -> str:
    return " ".join(element.value for element in [*at.warning, *at.info, *at.error])


def _assert_inside(opened: list[str], folder: Path) -> None:
    for database in opened:
        assert database == ":memory:" or Path(database).resolve().parent == folder.resolve(), database


def _articles_metric(at: AppTest) -> str:
    return {metric.label: metric.value for metric in at.metric}["Articles"]


# --- the fuzzed key list stays complete


def test_every_url_key_is_fuzzed():
    """Every parameter a page reads is in PAGE_KEYS, so the tests below cover it."""
    reader = re.compile(r"""(?:query_(?:text|list|choice|number)|query_params\.get(?:_all)?)\(\s*["'](\w+)["']""")
    for page, keys in PAGE_KEYS.items():
        read = set(reader.findall((PAGES_DIR / f"{page}.py").read_text(encoding="utf-8"))) - {"corpus"}
        assert read or not keys, page
        assert read <= set(keys), (page, read - set(keys))


# --- hostile values on every page


@pytest.mark.parametrize("case", list(HOSTILE))
@pytest.mark.parametrize("page", list(PAGE_KEYS))
def test_hostile_values_in_every_key_are_explained(environment, corpora, page, case):
    value = HOSTILE[case]
    at, opened = _run(page, {key: value for key in ("corpus", *PAGE_KEYS[page])})
    assert not at.exception, [error.value for error in at.exception]
    assert at.warning or at.info, f"no message on {page} for {case}"
    # Streamlit drops a whole query string over 512 KiB before the page sees it.
    if len(value) * (1 + len(PAGE_KEYS[page])) < 500_000:
        assert "is not here" in _messages(at)
    _assert_inside(opened, corpora[0])


@pytest.mark.parametrize("page", list(PAGE_KEYS))
def test_many_repeats_of_every_key_are_bounded(environment, corpora, page):
    keys = ("corpus", *PAGE_KEYS[page])
    # Streamlit drops a whole query string of over 1,000 parameters; stay just under it.
    repeats = 990 // len(keys)
    at, opened = _run(page, {key: [f"{key}-{number}" for number in range(repeats)] for key in keys})
    assert not at.exception, [error.value for error in at.exception]
    messages = _messages(at)
    assert "is not here" in messages
    if {"outlet", "kind"} & set(PAGE_KEYS[page]) and page != "outlets":
        assert "too many or too long" in messages
    _assert_inside(opened, corpora[0])


@pytest.mark.parametrize("raw", BAD_NUMBERS)
@pytest.mark.parametrize(("page", "key"), [(page, key) for page, keys in NUMBERS.items() for key in keys])
def test_numbers_of_the_wrong_type_or_range_are_replaced_by_the_default(environment, ids, page, key, raw):
    context = {"event": {"event": ids["event"]}, "compare": {"event": ids["event"]},
               "outlets": {"outlet": "The Telegraph"}}[page]
    at, _ = _run(page, {**context, key: raw})
    assert not at.exception, [error.value for error in at.exception]
    assert any(f"`{key}`" in warning.value for warning in at.warning), _messages(at)
    assert key not in at.query_params
    widgets = {("event", "min_outlets"): ("event_min_outlets", 1),
               ("compare", "shared"): ("compare_shared", float(setting("sentence_shared_threshold"))),
               ("compare", "reworded"): ("compare_reworded", float(setting("sentence_reworded_threshold"))),
               ("outlets", "missed_min"): ("outlets_missed_min", profiles.DEFAULT_MIN_OUTLETS_MISSED)}
    if (page, key) in widgets:
        widget, default = widgets[page, key]
        assert at.number_input(key=widget).value == default


@pytest.mark.parametrize(("page", "params", "said"), [
    ("event", {"event": "e-ffffffffffff"}, "There is no event"),
    ("event", {"event": "' OR 1=1 --"}, "There is no event"),
    ("compare", {"a": "ffffffffffffffff", "b": "' OR 1=1 --"}, "There is no article"),
    ("compare", {"event": "e-ffffffffffff"}, "There is no event"),
    ("outlets", {"outlet": "No Such Outlet"}, "not in this corpus"),
    ("outlets", {"outlet": "The Telegraph' OR 1=1 --"}, "not in this corpus"),
    ("claims", {"claim": "c-ffffffffffff"}, "not in this corpus"),
    ("claims", {"claim": "' OR claim_id LIKE '%"}, "not in this corpus"),
    ("claims", {"outlet": "No Such Outlet", "kind": "sql injection"}, "not in this corpus"),
    ("overview", {"outlet": "' OR 1=1 --", "freq": "fortnight"}, "not in this corpus"),
    ("article", {"article": "' OR 1=1 --"}, "no article"),
])
def test_unknown_and_sql_looking_ids_are_not_found(environment, page, params, said):
    at, _ = _run(page, params)
    assert not at.exception, [error.value for error in at.exception]
    assert said in _messages(at)


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(page=strategies.sampled_from(list(PAGE_KEYS)), data=strategies.data(),
       value=strategies.one_of(strategies.text(max_size=400), strategies.sampled_from(list(HOSTILE.values())),
                               strategies.text(alphabet="./%\\\x00~:", max_size=40)))
def test_any_text_in_any_key_gives_no_exception(environment, corpora, page, data, value):
    key = data.draw(strategies.sampled_from(("corpus", *PAGE_KEYS[page])), label="key")
    at, opened = _run(page, {key: value})
    assert not at.exception, (page, key, value[:200], [error.value for error in at.exception])
    _assert_inside(opened, corpora[0])


# --- a link never reads a store outside the corpus folder


def _outside_spellings(outside: Path) -> list[str]:
    return [
        "../outside", "../outside.duckdb", str(outside), str(outside.with_suffix("")), "..", ".", "",
        "../corpora/../outside", "%2e%2e%2foutside", "..%2foutside", "..\\outside", "outside", "outside.duckdb",
        "file://" + str(outside), "main/../../outside", "main\x00/../../outside", "./main", " main",
        f"{outside.parent.name}/outside", "~/outside",
    ]


@pytest.mark.parametrize("page", ["overview", "data"])
def test_a_link_cannot_open_a_store_outside_the_corpus_folder(environment, corpora, page):
    folder, outside = corpora
    for spelling in _outside_spellings(outside):
        at, opened = _run(page, {"corpus": spelling})
        assert not at.exception, (spelling, [error.value for error in at.exception])
        assert _articles_metric(at) == ARTICLES_IN_DEFAULT, spelling
        assert str(outside) not in opened and opened, (spelling, opened)
        _assert_inside(opened, folder)
        if spelling:
            assert "is not here" in _messages(at), spelling
            # The link the page writes back no longer names it.
            assert at.query_params.get("corpus") is None, spelling


@pytest.mark.parametrize("page", list(PAGE_KEYS))
def test_no_page_opens_the_outside_store(environment, corpora, page):
    folder, outside = corpora
    for spelling in ("../outside", str(outside)):
        at, opened = _run(page, {"corpus": spelling})
        assert not at.exception, [error.value for error in at.exception]
        assert opened, "the page opened no store at all"
        _assert_inside(opened, folder)


def test_a_corpus_in_the_folder_is_opened_by_name(environment, corpora):
    """The control: naming a corpus that is in the folder does switch to it."""
    folder, _ = corpora
    at, opened = _run("overview", {"corpus": "other"})
    assert not at.exception
    assert _articles_metric(at) == ARTICLES_IN_OTHER
    assert str((folder / "other.duckdb").resolve()) in {str(Path(name).resolve()) for name in opened}


def test_article_links_keep_the_corpus(environment, corpora):
    folder, _ = corpora
    with Store.open(folder / "other.duckdb", read_only=True) as store:
        article_id = store.articles()["article_id"].item()
    at, _ = _run("article", {"corpus": "other", "article": article_id})
    assert not at.exception, [error.value for error in at.exception]
    assert any("Harbour news from Other Gazette" in element.proto.body for element in at.get("html"))
    links = [link.proto for link in at.get("page_link")]
    assert links and all("corpus=other" in link.query_string for link in links), links


# --- SQL text in analysis/ never holds a function's arguments

SQL_TEXT = re.compile(r"^\s*(SELECT|INSERT|DELETE|UPDATE|COPY|WITH|CREATE|DROP|ALTER|SET|PRAGMA|ATTACH)\b", re.I)
# Calls whose result may go into SQL text whatever their argument: a number, a length, and the
# store's quoting of a file path (COPY and read_parquet take no bound parameter for it).
SANITIZERS = {"int", "len", "_sql_path"}
# Function arguments that do reach SQL text as a table name, each checked in code the test
# cannot read: function → argument → why it is safe.
AUDITED = {
    "Store.write_analysis_parquet": {"table": "checked against the result tables (`unknown`) before use"},
    "Store.write_analysis": {"table": "keys of ``tables``, which only analysis.pipeline builds, from constants"},
    "Store._insert_rows": {"table": "from write_analysis / write_analysis_parquet (checked above) and _finish_run"},
}


def _call_name(call: ast.Call) -> str | None:
    function = call.func
    return function.id if isinstance(function, ast.Name) else function.attr if isinstance(function, ast.Attribute) else None


def _names(node: ast.AST) -> set[str]:
    """Names an expression's value is built from: not those only tested (``a if test else b``),
    not the arguments of a sanitizer, and a comprehension's source only when its items use it."""
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, ast.IfExp):
        return _names(node.body) | _names(node.orelse)
    if isinstance(node, ast.Call) and _call_name(node) in SANITIZERS:
        return set()
    if isinstance(node, ast.GeneratorExp | ast.ListComp | ast.SetComp):
        used = _names(node.elt)
        for generator in node.generators:
            targets = {name.id for name in ast.walk(generator.target) if isinstance(name, ast.Name)}
            if used & targets:
                used = (used - targets) | _names(generator.iter)
        return used
    found = set()
    for child in ast.iter_child_nodes(node):
        found |= _names(child)
    return found


def _bindings(target: ast.AST, value: ast.AST) -> list[tuple[str, ast.AST]]:
    """(name, expression it gets) for an assignment, pairing tuple targets with tuple values."""
    if isinstance(value, ast.IfExp) and isinstance(target, ast.Tuple | ast.List):
        return _bindings(target, value.body) + _bindings(target, value.orelse)
    if isinstance(target, ast.Tuple | ast.List) and isinstance(value, ast.Tuple | ast.List) \
            and len(target.elts) == len(value.elts):
        return [pair for part, item in zip(target.elts, value.elts) for pair in _bindings(part, item)]
    return [(name.id, value) for name in ast.walk(target) if isinstance(name, ast.Name)]


def _validated(function: ast.FunctionDef) -> set[str]:
    """Names checked against a fixed set before use: ``if name not in KNOWN: raise ...``."""
    names = set()
    for node in ast.walk(function):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare) and isinstance(node.test.left, ast.Name) \
                and isinstance(node.test.ops[0], ast.NotIn) and any(isinstance(item, ast.Raise) for item in node.body):
            names.add(node.test.left.id)
    return names


def _tainted(function: ast.FunctionDef) -> set[str]:
    """The function's arguments and every local name built from one (flow-insensitive)."""
    arguments = function.args
    tainted = {argument.arg for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                                            *filter(None, [arguments.vararg, arguments.kwarg])]} - {"self", "cls"}
    tainted -= _validated(function)
    bindings = []
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            bindings += [pair for target in node.targets for pair in _bindings(target, node.value)]
        elif isinstance(node, ast.AugAssign | ast.AnnAssign | ast.NamedExpr) and node.value is not None:
            bindings += _bindings(node.target, node.value)
        elif isinstance(node, ast.For | ast.comprehension):
            bindings += _bindings(node.target, node.iter)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name) and node.func.attr in {"append", "extend", "add", "insert"}:
            bindings += [(node.func.value.id, argument) for argument in node.args]
    changed = True
    while changed:
        changed = False
        for name, value in bindings:
            if name not in tainted and _names(value) & tainted:
                tainted.add(name)
                changed = True
    return tainted


def sql_built_from_arguments(source: str) -> list[tuple[str, str, int]]:
    """``(function, argument-derived name, line)`` for each SQL text that interpolates or
    concatenates a value derived from a function argument: the SQL-looking f-strings, and the
    first argument of every ``.execute`` / ``.sql`` call."""
    tree = ast.parse(source)
    found = set()
    for parent in ast.walk(tree):
        owner = parent.name + "." if isinstance(parent, ast.ClassDef) else ""
        functions = [node for node in (parent.body if isinstance(parent, ast.ClassDef | ast.Module) else [])
                     if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
        for function in functions:
            tainted = _tainted(function)
            for node in ast.walk(function):
                texts = []
                if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant) \
                        and SQL_TEXT.match(str(node.values[0].value)):
                    texts = [value.value for value in node.values if isinstance(value, ast.FormattedValue)]
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                        and node.func.attr in {"execute", "sql"} and node.args:
                    texts = [node.args[0]]
                for text in texts:
                    found |= {(owner + function.name, name, node.lineno) for name in _names(text) & tainted}
    return sorted(found)


def _analysis_sources() -> dict[str, str]:
    return {str(path.relative_to(REPO)): path.read_text(encoding="utf-8")
            for path in sorted((REPO / "analysis").rglob("*.py"))}


def test_sql_in_analysis_interpolates_only_constant_names():
    flagged = []
    for file, source in _analysis_sources().items():
        for function, name, line in sql_built_from_arguments(source):
            if name not in AUDITED.get(function, {}):
                flagged.append(f"{file}:{line} {function}: {name}")
    assert not flagged, "SQL text built from function arguments (bind them with ?):\n" + "\n".join(flagged)


def test_audited_exceptions_are_still_needed():
    """An AUDITED entry whose code changed (or went) must be looked at again, not left stale."""
    flagged = {(function, name) for source in _analysis_sources().values()
               for function, name, _ in sql_built_from_arguments(source)}
    assert {(function, name) for function, names in AUDITED.items() for name in names} <= flagged


def test_the_store_runs_sql_and_the_check_sees_it():
    source = (REPO / "analysis" / "store.py").read_text(encoding="utf-8")
    assert len(re.findall(r"\.execute\(", source)) > 30


@pytest.mark.parametrize(("source", "expected"), [
    ("def f(store, name):\n    store.connection.execute(f\"SELECT * FROM t WHERE name = '{name}'\")\n", ["name"]),
    ("def f(store, name):\n    query = \"SELECT * FROM t WHERE name = '\" + name + \"'\"\n"
     "    store.connection.execute(query)\n", ["query"]),
    ("def f(store, ids):\n    where = ' OR '.join(f\"id = '{i}'\" for i in ids)\n"
     "    store.execute(f\"SELECT * FROM t WHERE {where}\")\n", ["where"]),
    ("class S:\n    def f(self, table):\n        self.connection.execute(f'DELETE FROM {table}')\n", ["table"]),
    ("def f(store, name):\n    store.connection.execute('SELECT * FROM t WHERE name = ?', [name])\n", []),
    ("def f(store, table):\n    if table not in {'a', 'b'}:\n        raise ValueError(table)\n"
     "    store.execute(f'SELECT * FROM {table}')\n", []),
    ("def f(store, limit, with_text):\n    columns = 'a, b' + (', text' if with_text else '')\n"
     "    store.execute(f'SELECT {columns} FROM t LIMIT {int(limit)}')\n", []),
])
def test_the_sql_check_can_fail(source, expected):
    assert sorted({name for _, name, _ in sql_built_from_arguments(source)}) == expected

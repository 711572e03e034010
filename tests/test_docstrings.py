"""Every public name of ``analysis`` that returns tables documents their columns, and the columns
documented are the columns it returns, in order.

A function returning a DataFrame lists its columns in its docstring's ``Returns:`` section; a view
(a dataclass of DataFrames) lists each table's columns under its name in ``Attributes:``. Column
names are the names in double backticks there. Each function runs on the analysed seed store,
in several cases (empty tables too: they keep their columns).
"""

import dataclasses
import inspect
import re

import pandas as pd
import pytest

import analysis
from analysis import api
from analysis.store import Store

BACKTICKED = re.compile(r"``([^`]+)``")
# Said of a table whose last columns are the outlets shown (the Event page's actor labels).
PER_OUTLET = "one column per outlet shown"
TELEGRAPH, CBS, US_NEWS = "The Telegraph", "CBS News", "U.S. News & World Report"


def section(doc: str, title: str) -> str:
    """The text of one Google-style section (``Returns:``, ``Attributes:``) of a docstring."""
    lines = inspect.cleandoc(doc or "").splitlines()
    for start, line in enumerate(lines):
        if line.strip() == f"{title}:":
            indent = len(line) - len(line.lstrip())
            body = []
            for following in lines[start + 1:]:
                if following.strip() and len(following) - len(following.lstrip()) <= indent:
                    break
                body.append(following)
            return "\n".join(body)
    return ""


def attribute_docs(cls: type) -> dict[str, str]:
    """``{attribute: its description}`` from a class docstring's ``Attributes:`` section."""
    entries: dict[str, str] = {}
    text = section(cls.__doc__, "Attributes")
    indent = min((len(line) - len(line.lstrip()) for line in text.splitlines() if line.strip()), default=0)
    name = None
    for line in text.splitlines():
        match = re.match(rf"^ {{{indent}}}(\w+): ?(.*)$", line)
        if match:
            name = match.group(1)
            entries[name] = match.group(2)
        elif name is not None:
            entries[name] += " " + line.strip()
    return entries


def documented_columns(text: str, extra: list[str] | None = None) -> list[str]:
    """The columns a description lists, plus ``extra`` where it says they follow (per outlet)."""
    columns = BACKTICKED.findall(text)
    return columns + list(extra or []) if PER_OUTLET in text else columns


def view_problems(view) -> list[str]:
    """How a view's tables differ from what its class documents (empty: they agree)."""
    cls = type(view)
    documented = attribute_docs(cls)
    fields = [item.name for item in dataclasses.fields(cls)]
    problems = [f"{cls.__name__}.{name} is not documented" for name in fields if name not in documented]
    problems += [f"{cls.__name__} documents {name}, which it does not have" for name in documented
                 if name not in fields]
    for name in fields:
        value = getattr(view, name)
        if isinstance(value, pd.DataFrame) and name in documented:
            expected = documented_columns(documented[name], getattr(view, "outlets", None))
            if list(value.columns) != expected:
                problems.append(f"{cls.__name__}.{name}: documented {expected}, returned {list(value.columns)}")
    return problems


def function_problems(function, result) -> list[str]:
    """How a function's returned table (or view) differs from its documentation."""
    if dataclasses.is_dataclass(result):
        return view_problems(result)
    expected = documented_columns(section(function.__doc__, "Returns"))
    if list(result.columns) != expected:
        return [f"{function.__name__}: documented {expected}, returned {list(result.columns)}"]
    return []


def _returns_tables(function) -> bool:
    """A public function whose return annotation is a DataFrame, or views (dataclasses of them)."""
    annotation = str(inspect.signature(function).return_annotation)
    views = {name for name in analysis.__all__ if isinstance(getattr(analysis, name), type)
             and dataclasses.is_dataclass(getattr(analysis, name))
             and any("DataFrame" in str(item.type) for item in dataclasses.fields(getattr(analysis, name)))}
    return "DataFrame" in annotation or any(re.search(rf"\b{name}\b", annotation) for name in views)


PUBLIC_TABLE_FUNCTIONS = sorted(name for name in analysis.__all__ if inspect.isfunction(getattr(analysis, name))
                                and _returns_tables(getattr(analysis, name)))

# Calls of every such function on the analysed seed store; ``seed`` holds its ids.
CASES = [
    ("list_events", lambda store, seed: api.list_events(store)),
    ("list_events", lambda store, seed: api.list_events(store, outlets=[US_NEWS])),
    ("corpus_overview", lambda store, seed: api.corpus_overview(store, frequency="month")),
    ("corpus_overview", lambda store, seed: api.corpus_overview(store, outlets=[US_NEWS])),
    ("event_comparison", lambda store, seed: api.event_comparison(store, seed["shared"])),
    ("event_comparison", lambda store, seed: api.event_comparison(store, seed["shared"], outlets=[CBS])),
    ("event_comparison", lambda store, seed: api.event_comparison(store, seed["asylum"])),
    ("event_comparison", lambda store, seed: api.event_comparison(store, seed["shared"], without_wire_copies=True)),
    ("outlet_comparison", lambda store, seed: api.outlet_comparison(store, seed["shared"], without_wire_copies=True)),
    ("article_comparison", lambda store, seed: api.article_comparison(store, seed["telegraph"], seed["cbs"])),
    ("article_comparison", lambda store, seed: api.article_comparison(store, seed["telegraph"], seed["us_news"])),
    ("outlet_comparison", lambda store, seed: api.outlet_comparison(store, seed["shared"], TELEGRAPH, CBS)),
    ("outlet_comparison", lambda store, seed: api.outlet_comparison(store, seed["asylum"])),
    ("outlet_profile", lambda store, seed: api.outlet_profile(store, CBS, min_shared=1)),
    ("outlet_profile", lambda store, seed: api.outlet_profile(store, US_NEWS, words="under")),
    ("search_claims", lambda store, seed: api.search_claims(store, "Stephens", claim=seed["claim"])),
    ("search_claims", lambda store, seed: api.search_claims(store, "no claim says this")),
    ("article", lambda store, seed: api.article(store, seed["cbs"])),
    ("corpus_summary", lambda store, seed: api.corpus_summary(store)),
    ("from_link", lambda store, seed: analysis.from_link(f"/event?event={seed['shared']}", store=store)),
    ("from_link", lambda store, seed: analysis.from_link(f"/compare?a={seed['cbs']}&b={seed['telegraph']}",
                                                         store=store)),
    ("from_link", lambda store, seed: analysis.from_link("/outlets?outlet=The+Telegraph", store=store)),
    ("from_link", lambda store, seed: analysis.from_link("/claims?q=whereabouts", store=store)),
    ("from_link", lambda store, seed: analysis.from_link("/?freq=year", store=store)),
    ("from_link", lambda store, seed: analysis.from_link(f"/article?article={seed['us_news']}", store=store)),
    ("from_link", lambda store, seed: analysis.from_link("/data", store=store)),
]


@pytest.fixture(scope="module")
def store(analyzed_sample_store):
    with Store.open(analyzed_sample_store, read_only=True) as opened:
        yield opened


@pytest.fixture(scope="module")
def seed(store):
    events, articles = store.events(), store.articles()
    by_outlet = dict(zip(articles["outlet"], articles["article_id"]))
    claims = store.claims()
    return {"shared": events.loc[events["outlets"] == 2, "event_id"].item(),
            "asylum": events.loc[events["outlets"] == 1, "event_id"].item(),
            "telegraph": by_outlet[TELEGRAPH], "cbs": by_outlet[CBS], "us_news": by_outlet[US_NEWS],
            "claim": claims.loc[claims["text"].str.contains("persecution"), "claim_id"].iloc[0]}


def test_every_public_function_returning_tables_is_checked():
    assert {"list_events", "event_comparison", "outlet_profile", "from_link"} <= set(PUBLIC_TABLE_FUNCTIONS)
    assert set(PUBLIC_TABLE_FUNCTIONS) == {name for name, _ in CASES}


@pytest.mark.parametrize(("name", "call"), CASES, ids=[f"{name}-{number}" for number, (name, _) in enumerate(CASES)])
def test_documented_columns_are_the_columns_returned(store, seed, name, call):
    result = call(store, seed)
    assert isinstance(result, pd.DataFrame) or dataclasses.is_dataclass(result)
    assert function_problems(getattr(analysis, name), result) == []


def test_every_view_documents_every_attribute():
    views = [getattr(analysis, name) for name in analysis.__all__ if dataclasses.is_dataclass(getattr(analysis, name))
             and any("DataFrame" in str(item.type) for item in dataclasses.fields(getattr(analysis, name)))]
    assert len(views) == 7
    for view in views:
        assert set(attribute_docs(view)) == {item.name for item in dataclasses.fields(view)}, view.__name__


def test_the_check_finds_wrong_documentation():
    def listing() -> pd.DataFrame:
        """A table.

        Returns:
            Columns ``outlet``, ``claims``.
        """
        return pd.DataFrame(columns=["outlet", "claims", "shared"])

    @dataclasses.dataclass(frozen=True)
    class View:
        """A view.

        Attributes:
            outlets: the outlets.
            table: columns ``outlet``, ``claims``.
            labels: columns ``actor``, then one column per outlet shown.
        """

        outlets: list
        table: pd.DataFrame
        labels: pd.DataFrame
        undocumented: pd.DataFrame

    assert function_problems(listing, listing()) == [
        "listing: documented ['outlet', 'claims'], returned ['outlet', 'claims', 'shared']"]
    view = View(["A", "B"], pd.DataFrame(columns=["claims", "outlet"]), pd.DataFrame(columns=["actor", "A", "B"]),
                pd.DataFrame())
    assert view_problems(view) == [
        "View.undocumented is not documented",
        "View.table: documented ['outlet', 'claims'], returned ['claims', 'outlet']",
    ]

"""Coverage Lens's analysis library: how did each outlet cover the same event?

The dashboard is one client of this library; a notebook is another, with the same views and
charts. Open a corpus, then ask for what a dashboard page shows::

    from analysis import corpus_from_files, event_comparison, list_events, outlet_profile

    store = corpus_from_files(["data/sample"])   # in memory; or open_store("data/coverage.duckdb")
    ranked = list_events(store)                  # events, most outlets first
    view = event_comparison(store, ranked["event_id"].iloc[0])
    view.claims_shared                           # claims more than one outlet carries
    view.charts()["claim_coverage"]              # the Event page's coverage matrix
    outlet_profile(store, "CBS News").speakers   # whom an outlet quotes

Every dashboard link turns into the same objects, and into the code that makes them::

    from analysis import from_link, notebook_code

    view = from_link("http://localhost:8501/event?event=e-9f1dbcdf845c", store=store)
    print(notebook_code("http://localhost:8501/event?event=e-9f1dbcdf845c"))

The public names are listed in ``__all__`` and documented where they are defined
(:mod:`analysis.api`, :mod:`analysis.links`, and the chart builders' modules). They load on
first use, so importing one module of the package (``analysis.store``, say) stays quick.
"""

import importlib
import sys

__all__ = [
    # opening and building a corpus
    "Store",
    "analyze",
    "corpus_from_files",
    "corpus_from_frame",
    "open_store",
    # the dashboard's views
    "ArticleComparison",
    "ArticleView",
    "ClaimSearch",
    "CorpusOverview",
    "CorpusSummary",
    "EventComparison",
    "OutletProfile",
    "article",
    "article_comparison",
    "corpus_overview",
    "corpus_summary",
    "event_comparison",
    "list_events",
    "outlet_comparison",
    "outlet_profile",
    "search_claims",
    # links and notebook code
    "Link",
    "from_link",
    "notebook_code",
    "notebook_ipynb",
    "parse_link",
    # the dashboard's chart builders
    "alignment_chart",
    "articles_by_outlet_chart",
    "claim_coverage_chart",
    "claim_summary_chart",
    "distinctive_terms_chart",
    "outlet_color_scale",
    "report_timeline_chart",
    "similar_outlets_chart",
    "similarity_heatmap",
    "speaker_types_chart",
    "speakers_chart",
    "timeline_chart",
    "tone_chart",
    "tone_profile_chart",
    "voices_chart",
]

# Where each public name is defined; imported on first use (PEP 562).
_HOMES = {
    "Store": "store",
    "analyze": "pipeline",
    "Link": "links", "from_link": "links", "notebook_code": "links", "notebook_ipynb": "links",
    "parse_link": "links",
    "alignment_chart": "charts", "articles_by_outlet_chart": "charts", "claim_coverage_chart": "charts",
    "claim_summary_chart": "charts", "outlet_color_scale": "charts", "similarity_heatmap": "charts",
    "timeline_chart": "charts", "voices_chart": "charts",
    "distinctive_terms_chart": "words",
    "tone_chart": "tone",
    "report_timeline_chart": "search",
    "similar_outlets_chart": "profiles", "speaker_types_chart": "profiles", "speakers_chart": "profiles",
    "tone_profile_chart": "profiles",
}


def __getattr__(name: str):
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOMES.get(name, 'api')}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def _resolve_lazy_names() -> None:
    """Load every lazily exported name of this package and its subpackages into their namespaces.

    pdoc documents what a module's namespace holds, not what ``__getattr__`` would return: when
    pdoc imports the package (building the API reference), the names must be there already.
    """
    import pkgutil

    packages = [sys.modules[__name__]] + [importlib.import_module(info.name) for info in
                                          pkgutil.iter_modules(__path__, f"{__name__}.") if info.ispkg]
    for package in packages:
        for name in getattr(package, "__all__", ()):
            package.__dict__.setdefault(name, getattr(package, name))


if "pdoc" in sys.modules:
    _resolve_lazy_names()

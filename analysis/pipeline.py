"""``coverage-lens analyze``: events, stories and similarity tables in the store, kept up to date.

Three modes, chosen by :func:`analyze`:

- ``refit``: fit a new TF-IDF model on every article, then group everything.
  Runs on the first analysis, on request, and when the corpus has grown by more
  than ``refit_growth`` since the model was fitted (IDF weights drift).
- ``recluster``: group every article again with the stored model. Runs when
  the grouping settings changed since the last run, or on request.
- ``incremental``: only new articles are vectorised; their links to articles
  in their time window are added to the stored link graph, and only the
  connected parts of the graph that the new links touch are grouped again.
  Events elsewhere keep their ids and rows untouched.

Every mode also finds the corpus's wire copies again (:func:`analysis.wire.wire_copies` over
every article: an article copies an earlier one of any date, so a new article can make an old
one its copy or its original) and rewrites the ``wire_copies`` table whole; on 37,554 articles
this takes about 20 seconds.

With the same model, incremental and recluster give the same events, because
events never cross components of the link graph and each component is
clustered from its own exact cosine matrix (the equality holds while no
article has more than ``event_top_k`` links at or above the threshold).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from analysis.actors import LABEL_COLUMNS
from analysis.claims import claims_for_events
from analysis.events import candidate_links, event_profiles, group_events, link_stories, stable_id
from analysis.settings import SettingError, check_settings, setting
from analysis.similarity import event_labels, outlet_similarity_by_event, sentence_alignment
from analysis.store import SCHEMA_VERSION, Store
from analysis.tone import OUTLET_TONE_COLUMNS
from analysis.vectorize import ArticleVectorizer
from analysis.voices import VOICE_COLUMNS
from analysis.wire import WIRE_COLUMNS, wire_copies
from analysis.words import TERM_COLUMNS

__all__ = ["GROUPING_SETTINGS", "AnalysisReport", "align_articles", "analyze", "stored_vectorizer"]

# The settings whose change makes stored events stale.
GROUPING_SETTINGS = (
    "event_threshold", "event_window_days", "event_top_k", "event_max_component", "story_threshold", "profile_terms",
)
# The settings whose change makes the stored wire copies stale (a run then recomputes everything).
WIRE_SETTINGS = ("wire_threshold", "wire_shingle_words", "wire_permutations")


@dataclass
class AnalysisReport:
    """What one analysis run did: ``mode`` (refit, recluster, incremental or none),
    ``run_id``, ``articles`` (in the corpus), ``new_articles``, ``regrouped``
    (articles whose events were recomputed), ``events``, ``stories``, ``seconds``."""

    mode: str
    run_id: int | None
    articles: int
    new_articles: int
    regrouped: int
    events: int
    stories: int
    seconds: float


def _settings_snapshot() -> dict:
    # The schema version rides along: a store analysed before a migration added result tables
    # (claims, framing) holds none of them, so its next analyze must recompute, not report
    # "up to date".
    return {**{name: setting(name) for name in GROUPING_SETTINGS + WIRE_SETTINGS}, "schema_version": SCHEMA_VERSION}


def analyze(
    store: Store, *, refit: bool = False, recluster: bool = False,
    progress: Callable[[float, str], None] | None = None,
    engine: str | object = "local",
) -> AnalysisReport:
    """Bring the store's events, stories and similarity tables up to date.

    Args:
        store: an open, writable store.
        refit: fit a new model and group everything.
        recluster: group everything again with the stored model.
        progress: called as each step starts with the share of the work done so far (0 to 1,
            rough: steps take different times on different corpora) and what the step does;
            called with 1.0 when the run has finished.
        engine: ``local`` (default: in this process) or an engine of :mod:`analysis.scale`
            (``dask``, or an open :class:`~analysis.scale.Engine`): full runs (refit, recluster)
            then go through the partitioned steps on it, with the same results; incremental
            runs stay in this process (they touch only the new articles' time windows).
    """
    started = time.perf_counter()
    advance = progress or (lambda done, step: None)
    check_settings()
    _check_claim_backend()
    dates = store.article_dates()
    new_ids = dates.loc[~dates["analysed"], "article_id"].tolist()
    last = store.last_run()
    model_articles = store.model_articles(last["model_id"]) if last else 0
    if last is None or refit or len(new_ids) > float(setting("refit_growth")) * max(1, model_articles):
        mode = "refit"
    elif recluster or last["settings"] != _settings_snapshot():
        mode = "recluster"
    elif new_ids:
        mode = "incremental"
    else:
        advance(1.0, "up to date")
        return AnalysisReport("none", None, len(dates), 0, 0, len(store.events()), len(store.stories()),
                              time.perf_counter() - started)
    if len(dates) == 0:
        advance(1.0, "no articles")
        return AnalysisReport("none", None, 0, 0, 0, 0, 0, time.perf_counter() - started)

    if engine != "local" and mode != "incremental":
        from analysis.scale.run import analyze_partitioned

        return analyze_partitioned(store, mode=mode, dates=dates, new_articles=len(new_ids), last_run=last,
                                   engine=engine, progress=advance, started=started)
    advance(0.0, "fitting the model" if mode == "refit" else "loading the model")
    if mode == "refit":
        articles = store.analysis_articles()
        vectorizer = ArticleVectorizer().fit(articles)
        model_id = store.save_model(vectorizer.to_state(), articles=len(articles))
    else:
        model_id = last["model_id"]
        vectorizer = ArticleVectorizer.from_state(store.model(model_id))
    run_id = store.start_run(mode, _settings_snapshot(), model_id)

    advance(0.15, "grouping articles into events")
    if mode == "incremental":
        regroup_ids, new_links = _incremental_scope(store, vectorizer, dates, new_ids)
        removed_events = store.events_of([i for i in regroup_ids if i not in set(new_ids)])
        articles = store.analysis_articles(regroup_ids)
    else:
        articles = articles if mode == "refit" else store.analysis_articles()
        removed_events, new_links = [], None

    # Every article: corpus-wide tables (outlet words, wire copies) are rewritten whole by every run.
    everything = store.analysis_articles() if mode == "incremental" else articles
    tables = _group(articles, vectorizer, links=new_links)
    tables["events"]["run_id"] = run_id
    sentences = store.sentences(articles["article_id"].tolist())
    advance(0.35, "framing: distinctive words, actors, voices, tone")
    framing, mentions = _framing(everything, articles, tables["article_events"], sentences)
    tables.update(framing)
    advance(0.65, "extracting and matching claims")
    tables.update(_claims(articles, tables["article_events"], sentences, vectorizer, mentions))
    advance(0.85, "finding wire copies")
    tables["wire_copies"] = wire_copies(everything)[WIRE_COLUMNS]
    advance(0.9, "linking stories and writing the results")
    # Stories span the whole corpus: kept events' stored profiles join the new ones.
    fact_columns = ["event_id", "articles", "first_published", "last_published"]
    profiles, event_facts = tables["event_profiles"], tables["events"][fact_columns]
    if mode == "incremental":
        kept_profiles = store.event_profiles()
        kept_events = store.events()[fact_columns]
        profiles = pd.concat([kept_profiles[~kept_profiles["event_id"].isin(removed_events)], profiles])
        event_facts = pd.concat([kept_events[~kept_events["event_id"].isin(removed_events)], event_facts])
    stories, event_stories = _stories(profiles, event_facts.reset_index(drop=True))
    store.write_analysis(
        run_id,
        replace_all=mode != "incremental",
        removed_event_ids=removed_events,
        articles_regrouped=articles["article_id"].tolist(),
        tables=tables,
        stories=stories,
        event_stories=event_stories,
        counts={"articles": len(dates), "new_articles": len(new_ids), "events": len(event_facts),
                "stories": len(stories)},
    )
    advance(1.0, "done")
    return AnalysisReport(mode, run_id, len(dates), len(new_ids), len(articles), len(event_facts), len(stories),
                          time.perf_counter() - started)


def _check_claim_backend() -> None:
    """Fail before any work when claims are to be matched by a backend that is not installed."""
    if setting("claim_backend") == "semantic":
        from analysis.semantic import semantic_available

        if not semantic_available():
            raise SettingError(
                "COVERAGE_LENS_CLAIM_BACKEND=semantic needs the semantic extra, which is not installed: "
                "run `make semantic`, or use the default tfidf backend"
            )


def _multi_outlet(articles: pd.DataFrame, article_events: pd.DataFrame) -> pd.DataFrame:
    """The articles (with ``event_id``) of events that two or more outlets covered."""
    with_events = articles.merge(article_events[["article_id", "event_id"]], on="article_id")
    return with_events[with_events.groupby("event_id")["outlet"].transform("nunique") >= 2].reset_index(drop=True)


def _framing(
    everything: pd.DataFrame, articles: pd.DataFrame, article_events: pd.DataFrame, sentences: pd.DataFrame
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Framing tables of the multi-outlet events among ``articles`` as store rows, the corpus-wide
    distinctive words of every outlet (over ``everything``: all the corpus's articles), and the
    actor mentions claim matching reads."""
    from analysis.voices import voices
    from analysis.words import distinctive_terms

    tables, mentions, quotes = _event_framing(articles, article_events, sentences)
    # Word choice across the corpus: every outlet against all the others, over all its articles.
    outlet_terms = distinctive_terms(everything, group="outlet", top=int(setting("framing_top_terms")), under=True)
    tables["voices"] = voices(quotes)[VOICE_COLUMNS]
    tables["outlet_terms"] = outlet_terms[["outlet", *TERM_COLUMNS]]
    return tables, mentions


def _event_framing(
    articles: pd.DataFrame, article_events: pd.DataFrame, sentences: pd.DataFrame
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame]:
    """The per-event part of :func:`_framing`: ``framing_terms``, ``actor_labels`` and ``tone`` as
    store rows, the actor mentions, and the quotes (voices are typed over all of them at once)."""
    from analysis.actors import actor_labels, actor_mentions, main_actors
    from analysis.tone import sentence_tone, tone_by_outlet
    from analysis.voices import quotes_of_articles
    from analysis.words import distinctive_terms_by_event

    compared = _multi_outlet(articles, article_events)
    terms = distinctive_terms_by_event(compared, top=int(setting("framing_top_terms")), under=True)
    actors = main_actors(compared)
    labels = actor_labels(compared, actors=actors)
    mentions = actor_mentions(compared, actors=actors, labels=labels)
    quotes = quotes_of_articles(compared)
    tone = tone_by_outlet(sentence_tone(sentences[sentences["article_id"].isin(set(compared["article_id"]))], quotes),
                          compared)
    tables = {
        "framing_terms": terms[["event_id", "outlet", *TERM_COLUMNS]],
        "actor_labels": labels[["event_id", *LABEL_COLUMNS]],
        "tone": tone[OUTLET_TONE_COLUMNS],
    }
    return tables, mentions, quotes


def _claims(
    articles: pd.DataFrame, article_events: pd.DataFrame, sentences: pd.DataFrame, vectorizer: ArticleVectorizer,
    mentions: pd.DataFrame | None,
) -> dict[str, pd.DataFrame]:
    """Claims and verified claim links of the multi-outlet events among ``articles``, as store rows."""
    with_events = articles.merge(article_events[["article_id", "event_id"]], on="article_id")
    claims, links = claims_for_events(with_events, sentences, vectorizer=vectorizer,
                                      backend=str(setting("claim_backend")), mentions=mentions)
    claims = claims.assign(
        quantities=claims["quantities"].map(lambda value: json.dumps(value, allow_nan=True)),
        entities=claims["entities"].map(json.dumps),
    )
    columns = ["claim_id", "event_id", "article_id", "outlet", "sentence_no", "start", "end", "text", "kind",
               "speaker", "quantities", "entities", "claim_group"]
    return {"claims": claims[columns], "claim_links": links}


def stored_vectorizer(store: Store) -> ArticleVectorizer:
    """The fitted model of the store's latest analysis.

    Raises:
        LookupError: the store has not been analysed yet.
    """
    model_id = store.latest_model_id()
    if model_id is None:
        raise LookupError(f"{store.path} has not been analysed yet: run `coverage-lens analyze`")
    return ArticleVectorizer.from_state(store.model(model_id))


def align_articles(store: Store, article_a: str, article_b: str) -> pd.DataFrame:
    """Each sentence of article A with its best match in article B (see
    :func:`analysis.similarity.sentence_alignment` for the columns), using the stored model."""
    sentences = store.sentences([article_a, article_b])
    for article_id in (article_a, article_b):
        if not (sentences["article_id"] == article_id).any():
            raise LookupError(f"no article {article_id!r} in {store.path}")
    return sentence_alignment(
        sentences[sentences["article_id"] == article_a],
        sentences[sentences["article_id"] == article_b],
        vectorizer=stored_vectorizer(store),
    )


def _incremental_scope(
    store: Store, vectorizer: ArticleVectorizer, dates: pd.DataFrame, new_ids: list[str]
) -> tuple[list[str], pd.DataFrame]:
    """Articles to group again, and the full link graph among them (by article id)."""
    window = float(setting("event_window_days"))
    new_dates = dates[dates["article_id"].isin(new_ids)]["published"]
    if new_dates.isna().any():
        pool_ids = dates["article_id"].tolist()
    else:
        low, high = new_dates.min() - pd.Timedelta(days=window), new_dates.max() + pd.Timedelta(days=window)
        near = dates["published"].between(low, high) | dates["published"].isna()
        pool_ids = sorted(set(dates.loc[near, "article_id"]) | set(new_ids))
    pool = store.analysis_articles(pool_ids)
    links = candidate_links(vectorizer.transform(pool), pool["published"])
    ids = pool["article_id"].to_numpy()
    fresh = set(new_ids)
    found = pd.DataFrame({"left_id": ids[links["left"]], "right_id": ids[links["right"]], "score": links["score"]})
    found = found[found["left_id"].isin(fresh) | found["right_id"].isin(fresh)]
    graph = pd.concat([store.event_links(), found], ignore_index=True)

    # The connected parts of the whole link graph that hold a new article.
    names = pd.Index(sorted(set(graph["left_id"]) | set(graph["right_id"]) | fresh))
    left, right = names.get_indexer(graph["left_id"]), names.get_indexer(graph["right_id"])
    matrix = sp.coo_matrix((np.ones(len(left)), (left, right)), shape=(len(names), len(names)))
    _, component = connected_components(matrix, directed=False)
    touched = set(component[names.get_indexer(list(fresh))])
    regroup = names[np.isin(component, list(touched))].tolist()
    inside = set(regroup)
    return sorted(regroup), graph[graph["left_id"].isin(inside) & graph["right_id"].isin(inside)]


def _group(
    articles: pd.DataFrame, vectorizer: ArticleVectorizer, *, links: pd.DataFrame | None,
    vectors: sp.csr_matrix | None = None,
) -> dict[str, pd.DataFrame]:
    """Events of ``articles`` as new rows of every result table, by table name (``vectors``:
    their rows from ``vectorizer``, when already computed)."""
    articles = articles.reset_index(drop=True)
    vectors = vectorizer.transform(articles) if vectors is None else vectors
    ids = articles["article_id"].to_numpy()
    if links is not None:
        position = pd.Index(ids)
        links = pd.DataFrame(
            {"left": position.get_indexer(links["left_id"]), "right": position.get_indexer(links["right_id"]),
             "score": links["score"].to_numpy()}
        )
        left, right = np.minimum(links["left"], links["right"]), np.maximum(links["left"], links["right"])
        links = links.assign(left=left, right=right).sort_values(["left", "right"], ignore_index=True)
    else:
        links = candidate_links(vectors, articles["published"])
    grouping = group_events(vectors, articles["published"], links=links)
    event_ids = pd.Series(grouping.labels).map(
        pd.Series(ids).groupby(grouping.labels).agg(lambda members: stable_id("e", list(members)))
    ).to_numpy()
    members = articles.assign(event_id=event_ids)
    neighbor = grouping.best_link["neighbor"].to_numpy()

    labels = event_labels(members, vectors, vectorizer=vectorizer, top_terms=0)  # only the label is stored
    facts = members.groupby("event_id").agg(
        articles=("article_id", "size"), outlets=("outlet", "nunique"),
        first_published=("published", "min"), last_published=("published", "max"),
    ).reset_index()
    events = facts.merge(labels[["event_id", "label"]], on="event_id", how="left")
    events = events.assign(story_id="", run_id=0)[
        ["event_id", "story_id", "label", "articles", "outlets", "first_published", "last_published", "run_id"]
    ]
    article_events = pd.DataFrame(
        {"article_id": ids, "event_id": event_ids,
         "best_neighbor_id": [ids[i] if i >= 0 else None for i in neighbor],
         "best_score": grouping.best_link["score"].to_numpy(dtype=float)}
    )
    event_links = pd.DataFrame(
        {"left_id": ids[links["left"].to_numpy()], "right_id": ids[links["right"].to_numpy()],
         "score": links["score"].to_numpy(dtype=float)}
    )
    outlet_similarity = outlet_similarity_by_event(members, vectors, min_outlets=2)
    profiles = _profiles(vectorizer, vectors, grouping.labels, event_ids)
    for column in ("first_published", "last_published"):
        events[column] = pd.to_datetime(events[column], utc=True).dt.tz_localize(None)
    return {
        "events": events, "article_events": article_events, "event_links": event_links,
        "event_profiles": profiles, "outlet_similarity": outlet_similarity,
    }


def _profiles(
    vectorizer: ArticleVectorizer, vectors: sp.csr_matrix, labels: np.ndarray, event_ids: np.ndarray
) -> pd.DataFrame:
    """Each event's strongest name-and-number terms as rows: event_id, term, weight."""
    centroids = event_profiles(
        vectorizer.name_block(vectors), labels, top_terms=int(setting("profile_terms"))
    ).tocoo()
    names = vectorizer.name_terms()
    label_to_event = pd.Series(event_ids).groupby(labels).first()
    return pd.DataFrame(
        {
            "event_id": label_to_event.loc[centroids.row].to_numpy(),
            "term": names[centroids.col] if len(names) else np.array([], dtype=object),
            "weight": centroids.data.astype(float),
        }
    )


def _stories(profiles: pd.DataFrame, events: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stories over every event, from their stored profiles."""
    event_ids = events["event_id"].sort_values(ignore_index=True)
    position = pd.Index(event_ids)
    terms = pd.Index(sorted(set(profiles["term"])))
    matrix = sp.csr_matrix(
        (profiles["weight"].to_numpy(), (position.get_indexer(profiles["event_id"]), terms.get_indexer(profiles["term"]))),
        shape=(len(event_ids), max(1, len(terms))),
    )
    story_numbers = link_stories(matrix)
    story_ids = pd.Series(event_ids.to_numpy()).groupby(story_numbers).agg(lambda members: stable_id("s", list(members)))
    event_stories = pd.DataFrame({"event_id": event_ids, "story_id": story_ids.loc[story_numbers].to_numpy()})
    facts = events.merge(event_stories, on="event_id")
    stories = facts.groupby("story_id").agg(
        events=("event_id", "size"), articles=("articles", "sum"),
        first_published=("first_published", "min"), last_published=("last_published", "max"),
    ).reset_index()
    for column in ("first_published", "last_published"):
        stories[column] = pd.to_datetime(stories[column], utc=True).dt.tz_localize(None)
    return stories[["story_id", "events", "articles", "first_published", "last_published"]], event_stories

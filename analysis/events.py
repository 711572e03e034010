"""Events (articles that report the same happening) and stories (events linked over time).

Grouping runs in three explainable steps:

1. **Candidate links**: each article's ``event_top_k`` most similar articles
   published within ``event_window_days`` of it (undated articles are compared
   with all), found by sparse top-k matrix products (sparse_dot_topn) over
   time slices, never a full N×N matrix.
2. **Components**: links at or above ``event_threshold`` join articles into
   connected components. Average-link merging can only join articles that
   some such link connects, so components bound the events.
3. **Average-link clustering** inside each component on its exact cosine
   matrix (pairs outside the time window count as 0): two groups merge when
   their articles are, on average, at least ``event_threshold`` alike. This
   resists the chaining that joins distinct events through one bridging article.

Every decision can be shown: :func:`group_events` returns the links inside
each event with their scores, and for each article its strongest link.

Stories link events whose name-and-number profiles (who and what) are alike,
``story_threshold`` or more, whatever the time between them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import squareform
from sklearn.preprocessing import normalize
from sparse_dot_topn import sp_matmul_topn

from analysis.settings import setting

__all__ = ["EventGrouping", "candidate_links", "group_events", "link_stories", "time_slices"]

@dataclass
class EventGrouping:
    """Result of :func:`group_events`.

    Attributes:
        labels: event number per article (0..n_events-1), in input order.
        links: candidate links inside events: columns ``left``, ``right`` (row
            positions), ``score`` (cosine).
        best_link: per article: ``neighbor`` (row position of its most similar
            article in the same event, -1 when alone) and ``score`` (their cosine).
    """

    labels: np.ndarray
    links: pd.DataFrame
    best_link: pd.DataFrame


def _days(published: pd.Series | None, n: int) -> np.ndarray:
    """Publication days as floats, NaN where unknown."""
    if published is None:
        return np.full(n, np.nan)
    stamps = pd.to_datetime(pd.Series(published).reset_index(drop=True), utc=True, errors="coerce")
    # Outside the nanosecond range the subtraction below overflows ("01" parses as the year 1):
    # such dates are unknown, as ingest stores them.
    stamps = stamps.where(stamps.dt.year.between(1678, 2261))
    # Timedelta division is independent of the datetime unit (pandas may store µs or ns).
    return ((stamps - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(days=1)).to_numpy(dtype=float, na_value=np.nan)


def time_slices(sorted_days: np.ndarray, window: float) -> np.ndarray:
    """The time slices of the candidate search over publication days in ascending order.

    A slice starts at the first article more than ``window`` days after the previous slice's
    first article; its articles are searched against every article from ``window`` days
    before its first to ``window`` days after its last. The partitioned engines
    (:mod:`analysis.scale`) cut their time partitions along these same slices.

    Returns:
        One row per slice: ``start``, ``end`` (its articles, positions in ``sorted_days``) and
        ``low``, ``high`` (the positions it is searched against), as an (n, 4) int64 array.
    """
    slices = []
    start = 0
    while start < len(sorted_days):
        end = int(np.searchsorted(sorted_days, sorted_days[start] + window, side="right"))
        low = int(np.searchsorted(sorted_days, sorted_days[start] - window, side="left"))
        high = int(np.searchsorted(sorted_days, sorted_days[end - 1] + window, side="right"))
        slices.append((start, end, low, high))
        start = end
    return np.array(slices, dtype=np.int64).reshape(-1, 4)


def candidate_links(
    vectors: sp.csr_matrix,
    published: pd.Series | None = None,
    *,
    top_k: int | None = None,
    min_score: float | None = None,
    window_days: float | None = None,
) -> pd.DataFrame:
    """Each article's most similar articles within the time window.

    Args:
        vectors: unit-length rows (:class:`~analysis.vectorize.ArticleVectorizer` output).
        published: publication times, same order; missing or None = undated.
        top_k: neighbours kept per article (setting ``event_top_k``).
        min_score: lowest cosine kept (default: setting ``event_threshold``; weaker links
            never join articles into events).
        window_days: largest gap in days between linked dated articles (setting ``event_window_days``).

    Returns:
        Columns ``left`` < ``right`` (row positions) and ``score``, one row per linked pair.
    """
    top_k = int(top_k if top_k is not None else setting("event_top_k"))
    min_score = float(min_score if min_score is not None else setting("event_threshold"))
    window = float(window_days if window_days is not None else setting("event_window_days"))
    n = vectors.shape[0]
    days = _days(published, n)
    dated = np.flatnonzero(~np.isnan(days))
    undated = np.flatnonzero(np.isnan(days))
    order = dated[np.argsort(days[dated], kind="stable")]
    sorted_days = days[order]

    lefts, rights, scores = [], [], []
    threads = max(1, int(setting("analysis_workers")))

    def search(rows: np.ndarray, columns: np.ndarray, columns_transposed: sp.csr_matrix) -> None:
        if len(rows) == 0 or len(columns) == 0:
            return
        product = sp_matmul_topn(
            vectors[rows], columns_transposed, top_n=min(top_k + 1, len(columns)), threshold=min_score,
            n_threads=threads,
        ).tocoo()
        left, right = rows[product.row], columns[product.col]
        keep = left != right
        lefts.append(left[keep])
        rights.append(right[keep])
        scores.append(product.data[keep])

    # Dated articles: slices of one window's width, each searched against itself and its
    # neighbouring windows. Links to undated articles come from the undated side's search
    # (each pair needs finding once); searching them from every slice too cost a full
    # pass over the undated articles per slice.
    for start, end, low, high in time_slices(sorted_days, window):
        columns = order[low:high]
        search(order[start:end], columns, vectors[columns].T.tocsr())
    # Undated articles: no time to bound them, so against everything.
    if len(undated):
        everything = np.arange(n)
        transposed = vectors.T.tocsr()
        for begin in range(0, len(undated), 2000):
            search(undated[begin : begin + 2000], everything, transposed)

    if not lefts:
        return pd.DataFrame({"left": pd.Series(dtype=int), "right": pd.Series(dtype=int), "score": pd.Series(dtype=float)})
    left, right, score = np.concatenate(lefts), np.concatenate(rights), np.concatenate(scores)
    gap = np.abs(days[left] - days[right])
    keep = ~(gap > window)  # NaN gaps (an undated side) are kept
    links = pd.DataFrame(
        {"left": np.minimum(left, right)[keep], "right": np.maximum(left, right)[keep], "score": score[keep].astype(float)}
    )
    return (
        links.sort_values("score", ascending=False)
        .drop_duplicates(["left", "right"])
        .sort_values(["left", "right"], ignore_index=True)
    )


def _average_link(
    vectors: sp.csr_matrix, members: np.ndarray, days: np.ndarray, threshold: float, window: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Average-link clusters of ``members`` on their exact cosine matrix.

    Returns cluster numbers (from 1), and per member its most similar member of the
    same cluster (a position in ``members``, -1 when alone) with that cosine.
    """
    block = vectors[members]
    similarity = (block @ block.T).toarray().astype(np.float64)
    member_days = days[members]
    gaps = np.abs(member_days[:, None] - member_days[None, :])
    similarity[gaps > window] = 0.0
    distance = np.clip(1.0 - similarity, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    clusters = fcluster(tree, t=1.0 - threshold, criterion="distance")
    same_cluster = (clusters[:, None] == clusters[None, :]) & ~np.eye(len(members), dtype=bool)
    candidates = np.where(same_cluster, similarity, -np.inf)
    best = candidates.argmax(axis=1)
    best_score = candidates[np.arange(len(members)), best]
    alone = ~np.isfinite(best_score)
    best[alone], best_score[alone] = -1, 0.0
    return clusters, best, best_score


def group_events(
    vectors: sp.csr_matrix,
    published: pd.Series | None = None,
    *,
    links: pd.DataFrame | None = None,
    threshold: float | None = None,
    window_days: float | None = None,
    max_component: int | None = None,
) -> EventGrouping:
    """Assign every article to exactly one event.

    Args:
        vectors: unit-length rows, one per article.
        published: publication times in the same order (None or NaT = undated).
        links: candidate links from :func:`candidate_links` (computed when not given).
        threshold: average cosine at which groups merge (setting ``event_threshold``).
        window_days: largest gap between articles of one event (setting ``event_window_days``).
        max_component: largest component clustered exactly (setting ``event_max_component``);
            larger ones are first split at stricter link thresholds.

    Returns:
        An :class:`EventGrouping`. Event numbers follow the order of each event's first article.
    """
    threshold = float(threshold if threshold is not None else setting("event_threshold"))
    window = float(window_days if window_days is not None else setting("event_window_days"))
    max_component = int(max_component if max_component is not None else setting("event_max_component"))
    n = vectors.shape[0]
    days = _days(published, n)
    if links is None:
        links = candidate_links(vectors, published, window_days=window)
    strong = links[links["score"] >= threshold]

    raw_labels = np.full(n, -1, dtype=np.int64)
    neighbor = np.full(n, -1, dtype=np.int64)
    neighbor_score = np.zeros(n)
    next_label = 0
    for members in _bounded_components(n, strong, threshold, max_component):
        if len(members) == 1:
            raw_labels[members] = next_label
            next_label += 1
            continue
        clusters, best, best_score = _average_link(vectors, members, days, threshold, window)
        raw_labels[members] = next_label + clusters - 1
        next_label += int(clusters.max())
        neighbor[members] = np.where(best >= 0, members[np.maximum(best, 0)], -1)
        neighbor_score[members] = best_score

    # Number events by their first article, so results do not depend on search order.
    _, first_seen = np.unique(raw_labels, return_index=True)
    renumber = {raw_labels[i]: rank for rank, i in enumerate(sorted(first_seen))}
    labels = np.array([renumber[label] for label in raw_labels], dtype=np.int64)

    inside = links[labels[links["left"].to_numpy()] == labels[links["right"].to_numpy()]].reset_index(drop=True)
    return EventGrouping(
        labels=labels, links=inside, best_link=pd.DataFrame({"neighbor": neighbor, "score": neighbor_score})
    )


def _bounded_components(n: int, links: pd.DataFrame, threshold: float, max_component: int) -> list[np.ndarray]:
    """Connected components of ``links``; components over ``max_component`` are split by
    dropping their weakest links in steps of 0.05 until every piece fits."""
    pending = [(np.arange(n), links, threshold)]
    done = []
    while pending:
        nodes, node_links, floor = pending.pop()
        index = {node: position for position, node in enumerate(nodes)}
        left = np.array([index[v] for v in node_links["left"]], dtype=np.int64)
        right = np.array([index[v] for v in node_links["right"]], dtype=np.int64)
        graph = sp.coo_matrix((np.ones(len(left)), (left, right)), shape=(len(nodes), len(nodes)))
        count, component = connected_components(graph, directed=False)
        for number in range(count):
            members = nodes[component == number]
            if len(members) <= max_component or floor >= 0.95:
                done.append(members)
                continue
            member_set = set(members.tolist())
            stricter = node_links[
                node_links["left"].isin(member_set) & node_links["right"].isin(member_set)
                & (node_links["score"] >= floor + 0.05)
            ]
            pending.append((members, stricter, floor + 0.05))
    return done


def event_profiles(vectors: sp.csr_matrix, labels: np.ndarray, *, top_terms: int | None = None) -> sp.csr_matrix:
    """One unit-length centroid row per event (the mean of its articles' vectors).

    Args:
        top_terms: keep only each row's strongest features (then renormalise), so a
            profile says who and what the event is about, not every name mentioned once.
    """
    n_events = int(labels.max()) + 1 if len(labels) else 0
    membership = sp.csr_matrix((np.ones(len(labels)), (labels, np.arange(len(labels)))), shape=(n_events, len(labels)))
    centroids = normalize(membership @ vectors).tocsr()
    if top_terms is None:
        return centroids
    rows, columns, weights = [], [], []
    for row in range(n_events):
        start, end = centroids.indptr[row], centroids.indptr[row + 1]
        strongest = np.argsort(-centroids.data[start:end], kind="stable")[:top_terms]
        rows.extend([row] * len(strongest))
        columns.extend(centroids.indices[start:end][strongest])
        weights.extend(centroids.data[start:end][strongest])
    return normalize(sp.csr_matrix((weights, (rows, columns)), shape=centroids.shape))


def link_stories(profiles: sp.csr_matrix, *, threshold: float | None = None, top_k: int | None = None) -> np.ndarray:
    """Story number per event: events joined (single link) when their profiles are alike.

    Args:
        profiles: one unit-length row per event, usually the name-and-number centroids.
        threshold: lowest cosine that links two events (setting ``story_threshold``).
        top_k: most similar events considered per event (setting ``event_top_k``).
    """
    threshold = float(threshold if threshold is not None else setting("story_threshold"))
    top_k = int(top_k if top_k is not None else setting("event_top_k"))
    n = profiles.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    product = sp_matmul_topn(profiles, profiles.T.tocsr(), top_n=min(top_k + 1, n), threshold=threshold).tocoo()
    graph = sp.coo_matrix((np.ones(len(product.row)), (product.row, product.col)), shape=(n, n))
    _, stories = connected_components(graph, directed=False)
    _, first_seen = np.unique(stories, return_index=True)
    renumber = {stories[i]: rank for rank, i in enumerate(sorted(first_seen))}
    return np.array([renumber[s] for s in stories], dtype=np.int64)


def stable_id(prefix: str, members: list[str]) -> str:
    """An id that stays the same while a group keeps its first member: ``prefix-<hash>``."""
    return f"{prefix}-{hashlib.sha256(min(members).encode('utf-8')).hexdigest()[:12]}"


def group_articles(articles: pd.DataFrame, *, vectorizer=None) -> pd.DataFrame:
    """Group a corpus held in memory into events and stories with the default settings.

    Args:
        articles: columns ``id`` (unique), ``title``, ``text`` (cleaned) and ``published``
            (timestamps or ISO strings; may be missing).
        vectorizer: an unfitted :class:`~analysis.vectorize.ArticleVectorizer` to use
            (default: one with default parameters), fitted here on ``articles``.

    Returns:
        Columns ``id``, ``event_id``, ``story_id``, ``best_neighbor`` (the id of the most
        similar article in the same event, or None) and ``best_score``, in input order.
        Event and story ids are ``e-``/``s-`` plus a hash of their first member's id.
    """
    from analysis.vectorize import ArticleVectorizer

    if articles["id"].duplicated().any():
        raise ValueError("article ids must be unique")
    if len(articles) == 0:
        return pd.DataFrame(columns=["id", "event_id", "story_id", "best_neighbor", "best_score"])
    vectorizer = vectorizer if vectorizer is not None else ArticleVectorizer()
    vectors = vectorizer.fit_transform(articles)
    published = pd.to_datetime(articles["published"], utc=True, errors="coerce") if "published" in articles else None
    grouping = group_events(vectors, published)
    profiles = event_profiles(vectorizer.name_block(vectors), grouping.labels, top_terms=int(setting("profile_terms")))
    stories = link_stories(profiles)
    ids = articles["id"].astype(str).to_numpy()
    event_ids = _ids_by_group("e", ids, grouping.labels)
    story_ids = _ids_by_group("s", ids, stories[grouping.labels])
    neighbor = grouping.best_link["neighbor"].to_numpy()
    return pd.DataFrame(
        {
            "id": ids,
            "event_id": event_ids,
            "story_id": story_ids,
            # object: pandas' string dtype would turn None into NaN
            "best_neighbor": pd.Series([ids[i] if i >= 0 else None for i in neighbor], dtype=object),
            "best_score": grouping.best_link["score"].round(4).to_numpy(),
        }
    )


def read_corpus_for_grouping(path) -> tuple[pd.DataFrame, list]:
    """Read a corpus file (any reader format) into the frame :func:`group_articles` takes.

    Text is cleaned as ingest cleans it; nothing is stored. Records without an ``id``
    field are named by their source (``file:line``). Duplicate ids keep their first record.

    Returns:
        ``(articles, problems)``: columns ``id``, ``title``, ``text``, ``published`` and ``outlet``
        (as the record gives it, None when it does not);
        and the reader's :class:`~analysis.readers.ReadProblem` list.
    """
    from analysis.cleaning import clean_article
    from analysis.readers import ReadProblem, read_inputs

    rows, problems = [], []
    for item in read_inputs([str(path)]):
        if isinstance(item, ReadProblem):
            problems.append(item)
            continue
        cleaned = clean_article(item.text, title=item.title, title_in_text=item.title_in_text)
        rows.append(
            {
                "id": str(item.meta.get("id") or item.source),
                "title": cleaned.title or "",
                "text": cleaned.text,
                "published": item.published,
                "outlet": item.outlet,
            }
        )
    articles = pd.DataFrame(rows, columns=["id", "title", "text", "published", "outlet"]).drop_duplicates("id")
    return articles.reset_index(drop=True), problems


def _ids_by_group(prefix: str, ids: np.ndarray, groups: np.ndarray) -> np.ndarray:
    frame = pd.DataFrame({"id": ids, "group": groups})
    names = frame.groupby("group")["id"].agg(lambda members: stable_id(prefix, list(members)))
    return names.loc[groups].to_numpy()

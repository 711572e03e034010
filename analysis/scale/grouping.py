"""The grouping steps of the partitioned pipeline, each one function per partition.

1. **Vocabulary and IDF from summed document frequencies.** Each partition counts its
   articles' hashed words and name tokens (:func:`document_frequencies`); the counts add
   up (:func:`add_frequencies`) and :func:`vectorizer_from_frequencies` builds the fitted
   :class:`~analysis.vectorize.ArticleVectorizer` that ``fit`` on the whole corpus builds,
   to the last bit. :func:`vectorise_partition` then writes each partition's vectors.
2. **Candidate search in time windows.** :func:`search_dated` searches each slice of a
   partition against the same columns (its own articles and the overlap) as
   :func:`analysis.events.candidate_links`, with the same sparse top-k product.
   Undated articles are searched against every partition (:func:`undated_candidates`)
   and each one's best ``event_top_k`` + 1 are chosen from the union
   (:func:`merge_undated`), as one search against everything would choose them.
3. **Components, merged across borders.** :func:`partition_components` finds the
   connected components of each partition's links. Articles of the overlap (and undated
   articles, which link anywhere) can sit in the components of several partitions;
   :func:`merge_borders` joins those components with a union-find over the shared
   articles and gives each joined component one home partition. Components without a
   shared article never leave their partition.
4. **Events.** Every component is grouped whole in its home partition
   (:func:`partition_rows` gathers its articles, vectors and links) by
   :func:`analysis.events.group_events`, which clusters each component on its own:
   the events, their ids (a hash of their smallest article id) and best links are those
   the in-process grouping gives.

Exactness rests on three facts, each checked by ``tests/test_engines.py``: vectors are
row-wise (a partition's rows are the corpus's rows); a partition's slices see the same
rows and columns in the same order as the in-process search; and events never cross
components, which the border merge reassembles whole. The one case that can differ: an
undated article with more than ``event_top_k`` strong links and a tie in similarity at its
cut-off, where either of the equally similar articles may be kept (counted as
``undated_ties`` in the run summary).
"""

from __future__ import annotations

import base64
from collections import Counter
from dataclasses import dataclass, field
from numbers import Integral

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sparse_dot_topn import sp_matmul_topn

from analysis.events import _days
from analysis.scale.partitions import Exchange, Partition, Plan, vectors_from_table, vectors_table
from analysis.settings import setting
from analysis.vectorize import ArticleVectorizer, _count_chunk

__all__ = [
    "DocumentFrequencies",
    "Instructions",
    "add_frequencies",
    "document_frequencies",
    "merge_borders",
    "merge_undated",
    "partition_components",
    "partition_rows",
    "search_dated",
    "undated_candidates",
    "vectorise_partition",
    "vectorizer_from_frequencies",
]

LINK_COLUMNS = ["left", "right", "score"]


# --- 1. vocabulary and IDF from summed document frequencies ------------------------------------


@dataclass
class DocumentFrequencies:
    """Document frequencies of a part of the corpus; parts add up.

    Attributes:
        documents: articles counted.
        word_columns, word_counts: hashed word columns (ascending) and in how many articles each occurs.
        names: name-and-number token -> in how many articles it occurs.
    """

    documents: int
    word_columns: np.ndarray
    word_counts: np.ndarray
    names: dict[str, int] = field(default_factory=dict)


def document_frequencies(documents: pd.DataFrame, *, lead_words: int, template: ArticleVectorizer) -> DocumentFrequencies:
    """Document frequencies of ``documents`` (columns ``title``, ``text``), counted as
    ``template`` (an unfitted vectorizer: its n-grams and hash buckets) counts them."""
    titles = documents["title"].fillna("").astype(str).tolist()
    bodies = documents["text"].fillna("").astype(str).tolist()
    title_counts, body_counts, names = _count_chunk(titles, bodies, lead_words, template.ngram_range,
                                                    template.n_features)
    both = (title_counts + body_counts).tocsr()
    frequency = np.bincount(both.indices, minlength=both.shape[1])
    columns = np.flatnonzero(frequency)
    name_frequency = Counter()
    for tokens in names:
        name_frequency.update(set(tokens))
    return DocumentFrequencies(len(documents), columns, frequency[columns].astype(np.int64), dict(name_frequency))


def add_frequencies(parts: list[DocumentFrequencies]) -> DocumentFrequencies:
    """The document frequencies of the union of disjoint parts."""
    columns = np.concatenate([part.word_columns for part in parts]) if parts else np.zeros(0, np.int64)
    counts = np.concatenate([part.word_counts for part in parts]) if parts else np.zeros(0, np.int64)
    unique, position = np.unique(columns, return_inverse=True)
    names: Counter = Counter()
    for part in parts:
        names.update(part.names)
    return DocumentFrequencies(sum(part.documents for part in parts), unique,
                               np.bincount(position, weights=counts, minlength=len(unique)).astype(np.int64),
                               dict(names))


def _idf(document_frequency: np.ndarray, documents: int) -> np.ndarray:
    """Smoothed IDF as ``TfidfTransformer.fit`` computes it for float32 counts (float32 throughout)."""
    frequency = document_frequency.astype(np.float32)
    frequency += 1.0
    idf = np.full_like(frequency, fill_value=documents + 1, dtype=np.float32)
    idf /= frequency
    np.log(idf, out=idf)
    idf += 1.0
    return idf


def vectorizer_from_frequencies(
    frequencies: DocumentFrequencies, *, lead_words: int, template: ArticleVectorizer | None = None
) -> ArticleVectorizer:
    """The fitted vectorizer that ``template.fit`` on the whole corpus gives, from its summed
    document frequencies (the same document-frequency bounds, IDF weights and name vocabulary).

    Args:
        frequencies: the corpus's document frequencies (:func:`add_frequencies` of its parts).
        lead_words: body words read (resolved as ``fit`` resolves it).
        template: an unfitted vectorizer with the parameters to use (default: the defaults).
    """
    template = template if template is not None else ArticleVectorizer()
    params = template.get_params()
    n = int(frequencies.documents)
    if n == 0:
        raise ValueError("cannot fit on an empty corpus")
    min_df = template.min_df if template.min_df is not None else (1 if n < 1000 else 2)
    max_df = template.max_df if n >= 50 else 1.0
    word_frequency = np.zeros(template.n_features, dtype=np.int64)
    word_frequency[frequencies.word_columns] = frequencies.word_counts
    word_idf = _idf(word_frequency, n)
    low = min_df if isinstance(min_df, int) else min_df * n
    word_idf[(word_frequency < low) | (word_frequency > max_df * n)] = 0.0

    # The name block as TfidfVectorizer(max_df=max_df).fit would keep it: terms in at most
    # max_df of the articles, in alphabetical order; none at all leaves the block empty.
    highest = max_df if isinstance(max_df, Integral) else max_df * n
    terms = sorted(term for term, count in frequencies.names.items() if count <= highest) if highest >= 1 else []
    name_idf = _idf(np.array([frequencies.names[term] for term in terms], dtype=np.int64), n)
    state = {
        "params": {key: list(value) if isinstance(value, tuple) else value for key, value in params.items()},
        "lead_words": int(lead_words),
        "word_idf_float32": base64.b64encode(word_idf.tobytes()).decode("ascii"),
        "name_terms": terms or None,
        "name_idf": name_idf.tolist() if terms else None,
    }
    return ArticleVectorizer.from_state(state)


def count_partition(root: str, partition: Partition, lead_words: int, template: ArticleVectorizer) -> DocumentFrequencies:
    """Step: the document frequencies of one partition's articles."""
    articles = Exchange(root).read("articles", partition.name, columns=["title", "text"]).to_pandas()
    return document_frequencies(articles, lead_words=lead_words, template=template)


def vectorise_partition(root: str, partition: Partition, vectorizer: ArticleVectorizer) -> int:
    """Step: write one partition's vectors (``row``, ``pos``, ``day``, ``indices``, ``values``) in
    position order; returns their stored entries."""
    exchange = Exchange(root)
    articles = _sorted_articles(exchange, partition, ["row", "pos", "title", "text", "published"])
    vectors = vectorizer.transform(articles)
    days = _days(articles["published"], len(articles))
    exchange.write("vectors", partition.name,
                   vectors_table(vectors, row=articles["row"].to_numpy(np.int64),
                                 pos=articles["pos"].to_numpy(np.int64), day=days))
    return int(vectors.nnz)


def _sorted_articles(exchange: Exchange, partition: Partition, columns: list[str]) -> pd.DataFrame:
    articles = exchange.read("articles", partition.name, columns=columns).to_pandas()
    if "published" in articles:
        articles["published"] = pd.to_datetime(articles["published"], utc=True)
    return articles.sort_values("pos", kind="stable", ignore_index=True)


# --- 2. candidate search -----------------------------------------------------------------------


@dataclass(frozen=True)
class SearchParameters:
    """The candidate search's settings, read once on the client: ``top_k``, ``min_score``, ``window``."""

    top_k: int
    min_score: float
    window: float

    @classmethod
    def from_settings(cls) -> SearchParameters:
        return cls(int(setting("event_top_k")), float(setting("event_threshold")), float(setting("event_window_days")))


def _read_vectors(exchange: Exchange, name: str, n_features: int, filters=None) -> tuple[sp.csr_matrix, pd.DataFrame]:
    table = exchange.read("vectors", name, filters=filters)
    return vectors_from_table(table, n_features), table.select(["row", "pos", "day"]).to_pandas()


def search_dated(root: str, partition: Partition, holders: list[tuple[str, int, int]], n_features: int,
                 parameters: SearchParameters) -> pd.DataFrame:
    """Step: the candidate links of a dated partition's slices (``left`` < ``right`` as rows, ``score``).

    ``holders`` are the partitions holding its search columns (:meth:`Plan.holding`), its own among them.
    """
    exchange = Exchange(root)
    blocks, facts = [], []
    for name, low, high in holders:
        matrix, rows = _read_vectors(exchange, name, n_features, [("pos", ">=", low), ("pos", "<", high)])
        order = np.argsort(rows["pos"].to_numpy(), kind="stable")
        blocks.append(matrix[order])
        facts.append(rows.iloc[order])
    block = sp.vstack(blocks, format="csr")
    facts = pd.concat(facts, ignore_index=True)
    if not np.array_equal(facts["pos"].to_numpy(), np.arange(partition.clo, partition.chi)):
        raise RuntimeError(f"partition {partition.name}: search columns incomplete")
    rows, days = facts["row"].to_numpy(), facts["day"].to_numpy()
    threads = max(1, int(setting("analysis_workers")))
    lefts, rights, scores = [], [], []
    for start, end, low, high in partition.slices:
        # The same product as candidate_links: the slice's rows against its columns, in position order.
        product = sp_matmul_topn(
            block[start - partition.clo : end - partition.clo],
            block[low - partition.clo : high - partition.clo].T.tocsr(),
            top_n=min(parameters.top_k + 1, high - low), threshold=parameters.min_score, n_threads=threads,
        ).tocoo()
        left, right = product.row + (start - partition.clo), product.col + (low - partition.clo)
        keep = left != right
        lefts.append(left[keep])
        rights.append(right[keep])
        scores.append(product.data[keep])
    return _links_frame(rows, days, lefts, rights, scores, parameters.window)


def _links_frame(rows, days, lefts, rights, scores, window: float) -> pd.DataFrame:
    """Found pairs (local indices into ``rows``) as links between rows, outside the window dropped."""
    if not lefts:
        return pd.DataFrame({"left": np.zeros(0, np.int64), "right": np.zeros(0, np.int64), "score": np.zeros(0)})
    left, right, score = np.concatenate(lefts), np.concatenate(rights), np.concatenate(scores)
    keep = ~(np.abs(days[left] - days[right]) > window)  # NaN gaps (an undated side) are kept
    left_rows, right_rows = rows[left[keep]], rows[right[keep]]
    return pd.DataFrame({"left": np.minimum(left_rows, right_rows), "right": np.maximum(left_rows, right_rows),
                         "score": score[keep].astype(float)})


def undated_candidates(root: str, rows_partition: Partition, columns_partition: Partition, n_features: int,
                       parameters: SearchParameters) -> pd.DataFrame:
    """Step: each undated article's best ``top_k`` + 2 matches among one partition's articles.

    Columns in row order, as the in-process search takes every article; one match more than
    it keeps, so that :func:`merge_undated` sees a tie at the cut-off. Returns ``left`` (the
    undated row), ``right`` (a row of ``columns_partition``) and ``score``.
    """
    exchange = Exchange(root)
    matrix, facts = _read_vectors(exchange, rows_partition.name, n_features)
    order = np.argsort(facts["row"].to_numpy(), kind="stable")
    matrix, rows = matrix[order], facts["row"].to_numpy()[order]
    if columns_partition.name == rows_partition.name:
        columns, column_rows = matrix, rows
    else:
        columns, column_facts = _read_vectors(exchange, columns_partition.name, n_features)
        column_order = np.argsort(column_facts["row"].to_numpy(), kind="stable")
        columns, column_rows = columns[column_order], column_facts["row"].to_numpy()[column_order]
    threads = max(1, int(setting("analysis_workers")))
    product = sp_matmul_topn(matrix, columns.T.tocsr(), top_n=min(parameters.top_k + 2, columns.shape[0]),
                             threshold=parameters.min_score, n_threads=threads).tocoo()
    return pd.DataFrame({"left": rows[product.row], "right": column_rows[product.col],
                         "score": product.data.astype(float)})


def merge_undated(candidates: list[pd.DataFrame], top_k: int) -> tuple[pd.DataFrame, int]:
    """Step: each undated article's best ``top_k`` + 1 over the union of its per-partition lists.

    Without a tie at an article's cut-off its ``top_k`` + 1 best are the same whichever lists
    they come from: each list holds its partition's best ``top_k`` + 2, so every match above
    the cut-off is in the union, and a tie at it shows as an equal score just below it.

    Returns:
        ``(links, ties)``: the links (``left`` < ``right`` as rows, ``score``) and how many
        undated articles had a tie at their cut-off (there the in-process search may keep
        another of the equally similar articles).
    """
    found = pd.concat(candidates, ignore_index=True)
    if found.empty:
        return pd.DataFrame({"left": np.zeros(0, np.int64), "right": np.zeros(0, np.int64), "score": np.zeros(0)}), 0
    found = found.sort_values(["left", "score", "right"], ascending=[True, False, True], kind="stable",
                              ignore_index=True)
    rank = found.groupby("left").cumcount().to_numpy()
    kept = found[rank <= top_k]
    cut = found[rank == top_k].set_index("left")["score"]
    after = found[rank == top_k + 1].set_index("left")["score"]
    ties = int((after == cut.reindex(after.index)).sum())
    kept = kept[kept["left"] != kept["right"]]
    left, right = kept["left"].to_numpy(), kept["right"].to_numpy()
    links = pd.DataFrame({"left": np.minimum(left, right), "right": np.maximum(left, right),
                          "score": kept["score"].to_numpy(float)})
    return links, ties


# --- 3. components, merged across partition borders ---------------------------------------------


def partition_components(root: str, partition: Partition, interior: np.ndarray, found: list[pd.DataFrame]
                         ) -> pd.DataFrame:
    """Step: the components of one partition's links; write the links with them.

    Args:
        interior: rows of the partition's own articles that no other partition searches against
            (positions inside :meth:`Plan.border_zone`); only its links can hold them.
        found: its link frames (its own search, and the links of undated articles to its articles).

    Returns:
        The components that hold a *shared* article (one that other partitions' links may
        hold too: an overlap or border-zone article, or an undated one): ``node`` (row),
        ``component`` and ``shared``, one row per member. The links file holds ``left``,
        ``right``, ``score``, ``component``.
    """
    links = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=LINK_COLUMNS)
    links = links.astype({"left": np.int64, "right": np.int64, "score": float})
    # A pair found from both of its sides (or by two searches) keeps one row; both have one score.
    links = (links.sort_values("score", ascending=False, kind="stable")
             .drop_duplicates(["left", "right"]).sort_values(["left", "right"], ignore_index=True))
    nodes = np.unique(np.concatenate([links["left"].to_numpy(), links["right"].to_numpy()]))
    left, right = np.searchsorted(nodes, links["left"]), np.searchsorted(nodes, links["right"])
    graph = sp.coo_matrix((np.ones(len(links)), (left, right)), shape=(len(nodes), len(nodes)))
    _, component = connected_components(graph, directed=False)
    Exchange(root).write("links", partition.name, links.assign(component=component[left].astype(np.int64)))
    shared = ~np.isin(nodes, interior) if partition.dated else np.ones(len(nodes), dtype=bool)
    reported = np.isin(component, component[shared])
    return pd.DataFrame({"node": nodes[reported], "component": component[reported].astype(np.int64),
                         "shared": shared[reported]})


@dataclass
class Instructions:
    """What the border merge tells one partition's event step.

    Attributes:
        skip: its own components that are part of a component homed elsewhere.
        exclude: its own rows grouped elsewhere.
        imports: ``(partition, component)`` parts of the components homed here, from other partitions.
        foreign: rows of other partitions (by partition name) in the components homed here.
    """

    skip: list[int] = field(default_factory=list)
    exclude: list[int] = field(default_factory=list)
    imports: list[tuple[str, int]] = field(default_factory=list)
    foreign: dict[str, list[int]] = field(default_factory=dict)


def merge_borders(plan: Plan, reports: dict[str, pd.DataFrame]) -> tuple[dict[str, Instructions], int]:
    """Join the components that share articles (union-find over the shared articles) and home each
    joined component in the partition owning most of its articles (ties: the earlier partition).

    Returns:
        ``(instructions, joined)``: per partition name, its :class:`Instructions`; and how many
        components span more than one partition.
    """
    instructions = {partition.name: Instructions() for partition in plan.partitions}
    frames = [report.assign(partition=name) for name, report in reports.items() if len(report)]
    if not frames:
        return instructions, 0
    members = pd.concat(frames, ignore_index=True)
    parts, part_of_member = np.unique(
        np.rec.fromarrays([members["partition"].to_numpy(dtype=str), members["component"].to_numpy()]),
        return_inverse=True,
    )
    part_of_member = part_of_member.ravel()
    # Union-find over parts: every shared article joins the parts that hold it.
    shared = members[members["shared"].to_numpy()]
    shared_parts = part_of_member[members["shared"].to_numpy()]
    first_part = pd.Series(shared_parts).groupby(shared["node"].to_numpy()).transform("first").to_numpy()
    graph = sp.coo_matrix((np.ones(len(shared_parts)), (shared_parts, first_part)), shape=(len(parts), len(parts)))
    _, group_of_part = connected_components(graph, directed=False)

    members = members.assign(group=group_of_part[part_of_member])
    joined = 0
    for _, group in members.groupby("group", sort=True):
        rows = np.unique(group["node"].to_numpy())
        owners = plan.partition_of_row[rows]
        home = plan.partitions[int(np.bincount(owners).argmax())].name
        group_parts = group[["partition", "component"]].drop_duplicates()
        joined += int(group_parts["partition"].nunique() > 1)
        for name, component in group_parts.itertuples(index=False):
            if name != home:
                instructions[name].skip.append(int(component))
                instructions[home].imports.append((str(name), int(component)))
        for owner in np.unique(owners):
            owner_name = plan.partitions[int(owner)].name
            if owner_name != home:
                owned = rows[owners == owner].tolist()
                instructions[owner_name].exclude.extend(owned)
                instructions[home].foreign.setdefault(owner_name, []).extend(owned)
    return instructions, int(joined)


# --- 4. the articles, vectors and links an event step groups --------------------------------


def partition_rows(root: str, partition: Partition, instructions: Instructions, n_features: int,
                   article_columns: list[str]) -> tuple[pd.DataFrame, sp.csr_matrix, pd.DataFrame]:
    """The articles a partition's event step groups, in row order, with their vectors and links.

    Its own articles less those grouped elsewhere, plus the other partitions' articles of the
    components homed here; links as rows (``left`` < ``right``, ``score``), one per pair.

    Returns:
        ``(articles, vectors, links)``: ``articles`` has ``row`` and ``article_columns``
        (``published`` as UTC timestamps).
    """
    exchange = Exchange(root)
    columns = ["row", *[c for c in article_columns if c != "row"]]
    articles = [exchange.read("articles", partition.name, columns=columns).to_pandas()]
    matrix, facts = _read_vectors(exchange, partition.name, n_features)
    matrices, rows = [matrix], [facts["row"].to_numpy()]
    for owner, owned in sorted(instructions.foreign.items()):
        wanted = [("row", "in", sorted(owned))]
        articles.append(exchange.read("articles", owner, columns=columns, filters=wanted).to_pandas())
        matrix, facts = _read_vectors(exchange, owner, n_features, wanted)
        matrices.append(matrix)
        rows.append(facts["row"].to_numpy())
    articles = pd.concat(articles, ignore_index=True)
    vectors, vector_rows = sp.vstack(matrices, format="csr"), np.concatenate(rows)
    excluded = set(instructions.exclude)
    keep = ~articles["row"].isin(excluded).to_numpy()
    articles = articles[keep].sort_values("row", kind="stable", ignore_index=True)
    if "published" in articles:
        articles["published"] = pd.to_datetime(articles["published"], utc=True)
    keep_vectors = ~np.isin(vector_rows, list(excluded))
    order = np.argsort(vector_rows[keep_vectors], kind="stable")
    vectors = vectors[np.flatnonzero(keep_vectors)[order]]
    if not np.array_equal(vector_rows[keep_vectors][order], articles["row"].to_numpy()):
        raise RuntimeError(f"partition {partition.name}: articles and vectors disagree")

    links = exchange.read("links", partition.name).to_pandas()
    links = [links[~links["component"].isin(set(instructions.skip))]]
    by_source: dict[str, list[int]] = {}
    for source, component in instructions.imports:
        by_source.setdefault(source, []).append(component)
    for source, components in sorted(by_source.items()):
        links.append(exchange.read("links", source, filters=[("component", "in", sorted(components))]).to_pandas())
    links = pd.concat(links, ignore_index=True)[LINK_COLUMNS].drop_duplicates(["left", "right"])
    return articles, vectors, links.sort_values(["left", "right"], ignore_index=True)


def rows_to_positions(rows: np.ndarray, links: pd.DataFrame) -> pd.DataFrame:
    """Links between rows as links between positions in ``rows`` (ascending)."""
    left, right = np.searchsorted(rows, links["left"]), np.searchsorted(rows, links["right"])
    if len(links) and (not np.array_equal(rows[np.minimum(left, len(rows) - 1)], links["left"].to_numpy())
                       or not np.array_equal(rows[np.minimum(right, len(rows) - 1)], links["right"].to_numpy())):
        raise RuntimeError("a link names an article outside its partition's rows")
    return pd.DataFrame({"left": left.astype(np.int64), "right": right.astype(np.int64),
                         "score": links["score"].to_numpy(float)})


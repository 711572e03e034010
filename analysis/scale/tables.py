"""The result-table steps of a partitioned ``analyze``: per event, per outlet, per corpus.

- :func:`partition_events`: in each home partition, the events of its components and their
  ``events``, ``article_events``, ``event_links``, ``event_profiles`` and ``outlet_similarity``
  rows, by the function the in-process ``analyze`` calls (:func:`analysis.pipeline._group`);
- :func:`batch_tables`: framing (``framing_terms``, ``actor_labels``, ``tone``) and ``claims``
  and ``claim_links`` of the events two or more outlets covered, in batches of whole events
  alike in size (:func:`event_batches`), by ``pipeline._event_framing`` and ``_claims``. Not by
  home partition: one component can hold thousands of articles (undated articles chain events
  of different years), and its framing would leave the other workers idle;
- :func:`voices_table`: voice types fall back on a speaker's type over the whole corpus
  ("Trump said" with no title in this event is "President" in others), so voices are typed
  once, over every partition's quotes.
- :func:`outlet_term_counts`, :func:`add_outlet_term_counts`, :func:`score_outlets` and
  :func:`outlet_terms`: the corpus-wide distinctive words of each outlet from term counts per
  outlet and partition, added up, scored in batches of outlets; the same rows
  :func:`analysis.words.distinctive_terms` gives over the whole corpus.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analysis.scale.grouping import Instructions, partition_rows
from analysis.scale.partitions import Exchange, Partition
from analysis.settings import setting
from analysis.vectorize import ArticleVectorizer

__all__ = ["OutletTermCounts", "batch_tables", "event_batches", "outlet_term_counts", "outlet_terms",
           "partition_events", "score_outlets", "voices_table"]

# Per-event result tables as the store holds them.
EVENT_TABLES = ("events", "article_events", "event_links", "event_profiles", "outlet_similarity",
                "framing_terms", "actor_labels", "tone", "claims", "claim_links")


MEMBER_COLUMNS = ["row", "article_id", "event_id", "owner"]


def partition_events(root: str, partition: Partition, instructions: Instructions, vectorizer: ArticleVectorizer,
                     run_id: int) -> dict:
    """Step: group the components homed in one partition; write its ``events``, ``article_events``,
    ``event_links``, ``event_profiles`` and ``outlet_similarity`` rows.

    Returns the CPU seconds it took (``group``, reading included), the ``articles`` it grouped,
    and the ``members`` of its events that two or more outlets covered (those framing and
    claims compare): :data:`MEMBER_COLUMNS`, ``owner`` being the partition holding the article.
    """
    from analysis.pipeline import _group

    started = time.process_time()
    articles, vectors, links = partition_rows(root, partition, instructions, vectorizer.n_features_out_,
                                              ["row", "article_id", "outlet", "title", "published"])
    rows = articles["row"].to_numpy()
    if len(rows) == 0:  # every article of this partition is grouped in another one
        return {"group": time.process_time() - started, "articles": 0, "members": pd.DataFrame(columns=MEMBER_COLUMNS)}
    ids = articles["article_id"].to_numpy()
    position = pd.Index(rows)
    id_links = pd.DataFrame({"left_id": ids[position.get_indexer(links["left"])],
                             "right_id": ids[position.get_indexer(links["right"])], "score": links["score"]})
    tables = _group(articles.drop(columns="row"), vectorizer, links=id_links, vectors=vectors)
    tables["events"]["run_id"] = run_id
    exchange = Exchange(root)
    for name, frame in tables.items():
        exchange.write(f"results/{name}", partition.name, frame)
    compared = set(tables["events"].loc[tables["events"]["outlets"] >= 2, "event_id"])
    owner = pd.Series(partition.name, index=rows, dtype=object)
    for name, owned in instructions.foreign.items():
        owner[owned] = name
    event_ids = tables["article_events"]["event_id"].to_numpy()
    members = pd.DataFrame({"row": rows, "article_id": ids, "event_id": event_ids, "owner": owner.to_numpy()})
    return {"group": time.process_time() - started, "articles": len(rows),
            "members": members[members["event_id"].isin(compared)].reset_index(drop=True)}


def event_batches(members: pd.DataFrame, batch_articles: int) -> list[pd.DataFrame]:
    """Whole events in batches of about ``batch_articles`` articles each (the largest events
    first, each into the batch with the fewest articles so far), so the batches' work is alike."""
    if members.empty:
        return []
    sizes = members.groupby("event_id").size().reset_index(name="articles")
    sizes = sizes.sort_values(["articles", "event_id"], ascending=[False, True], ignore_index=True)
    count = max(1, -(-int(sizes["articles"].sum()) // max(1, int(batch_articles))))
    loads, batch_of = np.zeros(count, dtype=np.int64), {}
    for event_id, articles in zip(sizes["event_id"], sizes["articles"]):
        lightest = int(loads.argmin())
        batch_of[event_id] = lightest
        loads[lightest] += articles
    batch = members["event_id"].map(batch_of).to_numpy()
    return [members[batch == number].reset_index(drop=True) for number in range(count) if (batch == number).any()]


def batch_tables(root: str, name: str, members: pd.DataFrame, vectorizer: ArticleVectorizer) -> dict:
    """Step: framing and claims of a batch of whole events (:func:`event_batches`); writes their
    ``framing_terms``, ``actor_labels``, ``tone``, ``claims`` and ``claim_links`` rows, and
    ``quotes`` (for :func:`voices_table`), as part ``name``.

    Returns the CPU seconds of ``framing`` (reading included) and ``claims``, and the ``articles``.
    """
    from analysis.pipeline import _claims, _event_framing

    started = time.process_time()
    exchange = Exchange(root)
    articles, sentences = [], []
    for owner, group in members.groupby("owner", sort=True):
        wanted = [("row", "in", sorted(group["row"].tolist()))]
        articles.append(exchange.read("articles", owner, filters=wanted,
                                      columns=["row", "article_id", "outlet", "title", "text", "published"]).to_pandas())
        sentences.append(exchange.read("sentences", owner, filters=wanted).to_pandas())
    # In article order, as the in-process run reads them.
    articles = pd.concat(articles, ignore_index=True).sort_values("row", kind="stable", ignore_index=True)
    articles["published"] = pd.to_datetime(articles["published"], utc=True)
    articles = articles.drop(columns="row")
    sentences = (pd.concat(sentences, ignore_index=True).sort_values(["row", "sentence_no"], kind="stable",
                                                                      ignore_index=True).drop(columns="row"))
    article_events = members.sort_values("row", kind="stable")[["article_id", "event_id"]].reset_index(drop=True)
    framing, mentions, quotes = _event_framing(articles, article_events, sentences)
    seconds = {"framing": time.process_time() - started}
    tables = {**framing, **_claims(articles, article_events, sentences, vectorizer, mentions), "quotes": quotes}
    for table, frame in tables.items():
        exchange.write(f"results/{table}", name, frame)
    seconds["claims"] = time.process_time() - started - seconds["framing"]
    return {**seconds, "articles": len(articles)}


def voices_table(root: str) -> int:
    """Step: the voices of every partition's quotes, typed over all of them; written to
    ``results/voices`` (one part). Returns its rows."""
    from analysis.voices import VOICE_COLUMNS, voices

    exchange = Exchange(root)
    quotes = exchange.read_all("results/quotes").to_pandas()
    if len(quotes):
        # The in-process run reads quotes in article order, each article's in text order.
        quotes = quotes.sort_values("article_id", kind="stable", ignore_index=True)
    table = voices(quotes)[VOICE_COLUMNS]
    exchange.write("results/voices", "all", table)
    return len(table)


@dataclass
class OutletTermCounts:
    """Term counts per outlet of a part of the corpus: ``outlets`` (sorted), ``terms`` (sorted)
    and ``counts`` (outlets × terms, float64 as :func:`~analysis.words.distinctive_terms` sums them)."""

    outlets: np.ndarray
    terms: np.ndarray
    counts: sp.csr_matrix


def outlet_term_counts(root: str, partition: Partition) -> OutletTermCounts:
    """Step: unigram and bigram counts per outlet over one partition's own articles."""
    from analysis.words import _joined_texts, term_counts

    articles = Exchange(root).read("articles", partition.name, columns=["outlet", "title", "text"]).to_pandas()
    articles = articles[articles["outlet"].notna()].reset_index(drop=True)
    codes, outlets = pd.factorize(articles["outlet"], sort=True)
    counts, terms = term_counts(_joined_texts(articles, "text", "title"))
    membership = sp.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))), shape=(len(outlets), len(codes)))
    return OutletTermCounts(np.asarray(outlets, dtype=object), np.asarray(terms, dtype=object),
                            (membership @ counts).tocsr())


def add_outlet_term_counts(parts: list[OutletTermCounts]) -> OutletTermCounts:
    """The term counts per outlet of the union of disjoint parts (exact: sums of whole numbers)."""
    # Distinct values by hashing, then sorted (alphabetical order breaks ties in the scores).
    outlets = np.sort(pd.unique(np.concatenate([part.outlets for part in parts]))).astype(object)
    terms = np.sort(pd.unique(np.concatenate([part.terms for part in parts]))).astype(object)
    outlet_index, term_index = pd.Index(outlets), pd.Index(terms)
    total = sp.csr_matrix((len(outlets), len(terms)), dtype=np.float64)
    for part in parts:
        coo = part.counts.tocoo()
        rows = outlet_index.get_indexer(part.outlets)[coo.row]
        columns = term_index.get_indexer(part.terms)[coo.col]
        total = total + sp.csr_matrix((coo.data, (rows, columns)), shape=total.shape)
    return OutletTermCounts(outlets, terms, total.tocsr())


def score_outlets(counts: OutletTermCounts, first: int, last: int) -> pd.DataFrame:
    """Step: the distinctive-term rows of outlets ``first`` to ``last`` (indices into ``counts.outlets``).

    Scored as :func:`~analysis.words.distinctive_terms` scores them, each outlet against all the
    others pooled: the batch's rows are compared beside one row holding every other outlet's
    counts, which leaves the column totals, and so every score, as they are over all outlets.
    Rows unsorted; :func:`outlet_terms` sorts them.
    """
    from analysis.words import (
        DEFAULT_MIN_COUNT,
        DEFAULT_Z_THRESHOLD,
        _compare_groups,
        _is_bigram,
        _prior_shares,
        _rows_frame,
    )

    if len(counts.outlets) < 2:  # nobody to compare with
        return pd.DataFrame()
    group_counts = counts.counts.tocsr()
    totals = np.asarray(group_counts.sum(axis=0)).ravel().astype(float)
    batch = group_counts[first:last]
    rest = totals - np.asarray(batch.sum(axis=0)).ravel()
    matrix = sp.vstack([batch, sp.csr_matrix(rest)], format="csr")
    is_bigram = _is_bigram(counts.terms)
    used = np.flatnonzero(totals > 0)
    rows = _compare_groups(matrix[:, used], used, is_bigram[used], _prior_shares(totals, is_bigram)[used],
                           top=int(setting("framing_top_terms")), under=True, prior_strength=None)
    if not rows:
        return pd.DataFrame()
    mine = rows["group"] < last - first
    rows = {key: values[mine] for key, values in rows.items()}
    return _rows_frame(rows, counts.outlets[first + rows["group"]], counts.terms, group="outlet",
                       min_count=DEFAULT_MIN_COUNT, z_threshold=DEFAULT_Z_THRESHOLD)


def outlet_terms(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The store's ``outlet_terms`` rows from :func:`score_outlets` over every batch of outlets."""
    from analysis.words import TERM_COLUMNS, _empty_frame, _sorted

    columns = ["outlet", *TERM_COLUMNS]
    parts = [part for part in parts if len(part)]
    if not parts:
        return _empty_frame(pd.DataFrame({"outlet": pd.Series(dtype=object)}), "outlet")[columns]
    return _sorted(pd.concat(parts, ignore_index=True), ["outlet"])[columns]

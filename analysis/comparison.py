"""One event compared across its outlets, and two articles compared side by side: the tables
behind the dashboard's Event and Compare pages, for notebooks as much as for the pages.

Event (all of one event's rows, as :class:`~analysis.store.Store` reads them per event):

- :func:`event_choices` ranks events for a picker; :func:`articles_per_outlet` counts the
  event's articles.
- :func:`restrict_claims` keeps the claims (and the links between them) of some outlets or
  articles; shared, unique and omitted are then judged among those alone.
- :func:`claim_listing` (every claim with its status: shared or unique),
  :func:`omitted_claims`, :func:`conflict_listing`, :func:`claim_summary` and
  :func:`coverage_matrix` build on the overlap measures of :mod:`analysis.claims`; the last
  three reuse one :func:`analysis.claims.claim_coverage` table, the costly step on a large
  event.
- :func:`top_speakers`, :func:`top_distinctive_terms` and :func:`actor_labels_side_by_side`
  shape the stored framing tables for a chart or a table.
- Wire copies (:mod:`analysis.wire`: an article copying an earlier article of another outlet)
  look like outlets agreeing on every word and claim. :func:`flag_wire_copies` marks them in an
  article list; left out (``leave_out``: their ids), :func:`event_similarity` recomputes the
  outlets' similarity without them, and :func:`read_event_claims` judges shared, unique and
  omitted claims without their claims.

Compare:

- Two outlets' coverage of one event is compared through each outlet's **main article** in
  the event (:func:`main_articles`: the one with the most claims, then the earliest, then the
  smallest id), not a concatenation of its articles: sentence alignment reads one text per
  side, and a reader can open and quote one article. Any other of the outlet's articles can be
  chosen instead.
- :func:`align_pair` aligns the sentences of two articles both ways with the stored model
  (:func:`analysis.similarity.sentence_alignment`, by shared words); :func:`match_by_claims`
  then counts a sentence as reworded when one of its claims was matched to a claim of the
  other article (claim matching sees paraphrase that shared words miss: "precise location
  remains unknown" / "exact whereabouts remain unknown"). :func:`pair_claims` lists the claim
  groups both articles carry and those only one of them does.

Functions whose first argument is a ``store`` only call its read methods (the dashboard caches
them per store version); every other function is pure.

Example:
    >>> claims = pd.DataFrame({"claim_id": ["c1", "c2", "c3"], "article_id": ["a", "a", "b"],
    ...     "outlet": ["A", "A", "B"], "sentence_no": [1, 2, 1], "text": ["x", "y", "x'"],
    ...     "kind": ["statement"] * 3, "speaker": [None] * 3, "quantities": [[], [], []],
    ...     "claim_group": ["g1", "g2", "g1"]})
    >>> claim_listing(claims)[["claim_id", "status"]].values.tolist()
    [['c1', 'shared'], ['c3', 'shared'], ['c2', 'unique']]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.actors import labels_by_outlet
from analysis.claims import claim_conflicts, claim_coverage, others_carry, outlet_claim_jaccard

__all__ = [
    "CLAIM_LISTING_COLUMNS",
    "CONFLICT_LISTING_COLUMNS",
    "MATRIX_MAX_GROUPS",
    "OMITTED_COLUMNS",
    "EventClaims",
    "EventScope",
    "PAIR_CLAIM_COLUMNS",
    "actor_labels_side_by_side",
    "align_pair",
    "alignment_counts",
    "articles_per_outlet",
    "claim_listing",
    "claim_summary",
    "compare_partner",
    "conflict_listing",
    "coverage_matrix",
    "default_outlet_pair",
    "event_articles",
    "event_articles_of",
    "event_choices",
    "event_claims",
    "event_scope",
    "event_similarity",
    "events_of_articles",
    "flag_wire_copies",
    "main_articles",
    "match_by_claims",
    "omitted_claims",
    "pair_claims",
    "read_event_claims",
    "restrict_claims",
    "top_distinctive_terms",
    "top_speakers",
    "wire_copies_among",
]

CLAIM_LISTING_COLUMNS = [
    "claim_group", "status", "outlets_carrying", "carried_by", "outlet", "article_id", "claim_id", "sentence_no",
    "text", "kind", "speaker", "figures", "conflicting",
]
OMITTED_COLUMNS = ["outlet", "claim_group", "label", "carried_by", "outlets_carrying", "claim_id", "article_id"]
CONFLICT_LISTING_COLUMNS = [
    "outlet_a", "text_a", "figures_a", "outlet_b", "text_b", "figures_b", "score", "claim_a", "claim_b",
    "article_a", "article_b",
]
PAIR_CLAIM_COLUMNS = ["claim_group", "carried_by", "text_a", "text_b", "claims_a", "claims_b"]
# Most claim groups one coverage matrix draws: beyond a few dozen rows a matrix is read as a
# table, which the page offers whole.
MATRIX_MAX_GROUPS = 60
_JOIN = "; "


def _joined(values) -> str:
    return _JOIN.join(str(value) for value in values)


def _figures(quantities) -> str:
    return _joined(quantity["text"] for quantity in quantities or [])


# --- picking an event


def event_choices(events: pd.DataFrame, *, current: str | None = None, limit: int | None = None) -> pd.DataFrame:
    """Events to pick from, with a readable description of each.

    Events that two or more outlets covered come first (most outlets, then most articles);
    events of a single outlet are offered only when no event has two (a corpus of unrelated
    articles). ``current`` is kept wherever it stands.

    Args:
        events: columns ``event_id``, ``label``, ``articles``, ``outlets``, ``first_published``
            (as :meth:`Store.events` returns them).
        current: an event id to keep in the choices (the one the view shows).
        limit: most events offered (``current`` comes on top of them).

    Returns:
        Columns ``event_id``, ``choice`` (label, outlets, articles and first date), ``outlets``,
        ``articles``.
    """
    multi = events[events["outlets"] >= 2]
    pool = multi if len(multi) else events
    pool = pool.sort_values(["outlets", "articles", "event_id"], ascending=[False, False, True], kind="stable")
    if limit is not None:
        pool = pool.head(limit)
    if current is not None and current not in set(pool["event_id"]):
        pool = pd.concat([pool, events[events["event_id"] == current]])
    labels = pool["label"].fillna("").astype(str).str.slice(0, 90).replace("", "(untitled event)")
    dates = pd.to_datetime(pool["first_published"], utc=True).dt.strftime("%Y-%m-%d").fillna("undated")
    choice = (labels + " — " + pool["outlets"].astype(str) + " outlets, " + pool["articles"].astype(str)
              + " articles, " + dates)
    return pd.DataFrame({"event_id": pool["event_id"].to_numpy(), "choice": choice.to_numpy(),
                         "outlets": pool["outlets"].to_numpy(), "articles": pool["articles"].to_numpy()})


def event_articles_of(article_events: pd.DataFrame, event_id: str) -> pd.DataFrame:
    """The articles of one event: ``article_id``, ``outlet``, ``title``, ``published`` (UTC),
    by outlet then date (undated last) then id. Empty for an unknown event.

    Args:
        article_events: columns ``article_id``, ``outlet``, ``event_id``, ``title``,
            ``published`` (as :meth:`Store.article_events_with_outlets` returns them).
    """
    rows = article_events[article_events["event_id"] == event_id]
    return rows[["article_id", "outlet", "title", "published"]].sort_values(
        ["outlet", "published", "article_id"], na_position="last", ignore_index=True
    )


def event_articles(store, event_id: str) -> pd.DataFrame:
    """:func:`event_articles_of` read from ``store``."""
    return event_articles_of(store.article_events_with_outlets(), event_id)


def events_of_articles(store, article_ids: list[str]) -> dict[str, str]:
    """The event of each named article that has been analysed: ``{article_id: event_id}``."""
    rows = store.article_events_with_outlets()
    rows = rows[rows["article_id"].isin(list(article_ids))]
    return dict(zip(rows["article_id"], rows["event_id"]))


def flag_wire_copies(articles: pd.DataFrame, copies: pd.DataFrame) -> pd.DataFrame:
    """``articles`` with what makes any of them a wire copy.

    Args:
        articles: an article list with ``article_id``.
        copies: wire copies (``article_id``, ``wire_copy_of``, ``copied_outlet``, ``similarity``,
            as :meth:`Store.wire_copies` returns them).

    Returns:
        ``articles``' columns, then ``wire_copy_of`` (the article it copies; None when it is no
        copy), ``copied_outlet`` (that article's outlet) and ``wire_similarity`` (their Jaccard
        similarity; NaN when no copy); rows as given.
    """
    facts = copies.drop_duplicates("article_id").set_index("article_id")
    ids = articles["article_id"]
    return articles.assign(
        wire_copy_of=ids.map(facts["wire_copy_of"]).astype(object).where(ids.isin(facts.index), None),
        copied_outlet=ids.map(facts["copied_outlet"]).astype(object).where(ids.isin(facts.index), None),
        wire_similarity=ids.map(facts["similarity"]).astype(float),
    ).reset_index(drop=True)


def wire_copies_among(copies: pd.DataFrame, article_ids: list[str]) -> pd.DataFrame:
    """The rows of ``copies`` (:meth:`Store.wire_copies`) of the named articles, in the order named."""
    rows = copies[copies["article_id"].isin(article_ids)]
    order = {article_id: position for position, article_id in enumerate(dict.fromkeys(article_ids))}
    return rows.iloc[rows["article_id"].map(order).argsort(kind="stable")].reset_index(drop=True)


@dataclass(frozen=True)
class EventScope:
    """What one event's view compares, as :func:`event_scope` decides it.

    Attributes:
        articles: the articles of the outlets shown, wire copies left out when asked, flagged
            (:func:`flag_wire_copies`) otherwise.
        outlets: the outlets shown.
        compared: the outlets claims are judged among (None: all that remain).
        copies: the wire copies among the articles of the outlets chosen (:meth:`Store.wire_copies` rows).
        leave_out: the ids of the articles left out (empty unless wire copies are left out).
        copied_only: outlets chosen (or of the event) whose articles in it are all wire copies.
    """

    articles: pd.DataFrame
    outlets: list[str]
    compared: list[str] | None
    copies: pd.DataFrame
    leave_out: list[str]
    copied_only: list[str]


def event_scope(articles: pd.DataFrame, copies: pd.DataFrame, *, outlets: list[str] | None = None,
                without_wire_copies: bool = False) -> EventScope:
    """The articles and outlets one event's view compares.

    Args:
        articles: the event's articles (:func:`event_articles`).
        copies: the event's wire copies (:meth:`Store.wire_copies` of the event).
        outlets: the outlets chosen (None or empty: all of the event's).
        without_wire_copies: leave the wire copies out; an outlet whose articles in the event
            are all copies is then left out too (its coverage is another outlet's).
    """
    chosen = list(outlets or [])
    wanted = chosen or sorted(articles["outlet"].unique())
    copies = copies[copies["outlet"].isin(wanted)].reset_index(drop=True)
    leave_out = sorted(set(articles["article_id"]) & set(copies["article_id"])) if without_wire_copies else []
    kept = articles[~articles["article_id"].isin(leave_out)]
    remaining = set(kept["outlet"])
    shown = [name for name in wanted if name in remaining]
    return EventScope(
        articles=flag_wire_copies(kept[kept["outlet"].isin(shown)], copies),
        outlets=shown,
        compared=[name for name in chosen if name in remaining] if chosen else None,
        copies=copies,
        leave_out=leave_out,
        copied_only=[name for name in wanted if name not in remaining],
    )


def event_similarity(store, event_id: str, *, leave_out: list[str] | tuple[str, ...] = ()) -> pd.DataFrame:
    """Outlet × outlet similarity of one event's coverage: the stored rows, or, when some of its
    articles are left out, recomputed without them (TF-IDF cosine with the stored model, as
    :func:`analysis.similarity.outlet_similarity_for_event` computes it in the analysis).

    Returns:
        Columns ``event_id``, ``outlet_a``, ``outlet_b``, ``similarity``, ``articles_a``,
        ``articles_b`` (both orders, diagonal included); empty when fewer than two outlets remain.
    """
    stored = store.outlet_similarity(event_id)
    articles = event_articles(store, event_id)
    kept = articles[~articles["article_id"].isin(list(leave_out))]
    if len(kept) == len(articles):
        return stored
    if kept["outlet"].nunique() < 2:
        return stored.head(0)
    from analysis.pipeline import stored_vectorizer
    from analysis.similarity import outlet_similarity_for_event

    texts = store.analysis_articles(kept["article_id"].tolist()).assign(event_id=event_id)
    table = outlet_similarity_for_event(texts, stored_vectorizer(store).transform(texts))
    return table.assign(event_id=event_id)[list(stored.columns)]


def articles_per_outlet(articles: pd.DataFrame) -> pd.DataFrame:
    """Articles per outlet: ``outlet``, ``articles``, ``first_published``, ``last_published``;
    most articles first, then by outlet.

    Args:
        articles: columns ``article_id``, ``outlet``, ``published``.
    """
    table = articles.groupby("outlet").agg(
        articles=("article_id", "size"), first_published=("published", "min"), last_published=("published", "max")
    )
    return table.reset_index().sort_values(["articles", "outlet"], ascending=[False, True], ignore_index=True)


# --- claims of one event


def restrict_claims(
    claims: pd.DataFrame, links: pd.DataFrame, *, outlets: list[str] | None = None,
    article_ids: list[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The claims of the named outlets and/or articles, and the links between two of them.

    Args:
        claims: an event's claims (columns of :meth:`Store.claims`).
        links: its claim links, columns ``claim_a``, ``claim_b`` and the others of
            :meth:`Store.claim_links`.
        outlets: outlets kept (None: all).
        article_ids: articles kept (None: all).

    Returns:
        ``(claims, links)`` with fresh indexes.
    """
    kept = claims
    if outlets is not None:
        kept = kept[kept["outlet"].isin(outlets)]
    if article_ids is not None:
        kept = kept[kept["article_id"].isin(article_ids)]
    ids = set(kept["claim_id"])
    kept_links = links[links["claim_a"].isin(ids) & links["claim_b"].isin(ids)]
    return kept.reset_index(drop=True), kept_links.reset_index(drop=True)


def claim_listing(claims: pd.DataFrame, links: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every claim of one event with where it stands among the event's outlets.

    Args:
        claims: an event's claims with ``claim_group`` (as :meth:`Store.claims` returns them).
        links: its claim links (``claim_a``, ``claim_b``, ``decision``), to flag conflicts.

    Returns:
        One row per claim. Columns: ``claim_group``; ``status``: ``shared`` (another outlet
        carries a claim of the same group) or ``unique``; ``outlets_carrying``; ``carried_by``
        (those outlets, sorted, ``"; "``-joined); ``outlet``, ``article_id``, ``claim_id``,
        ``sentence_no``, ``text``, ``kind``, ``speaker``; ``figures`` (the texts of its figures,
        ``"; "``-joined, ``""`` when none); ``conflicting`` (a ``conflicting`` link joins it to
        another outlet's claim). Shared claims first, the most widely carried first, each group's
        claims together by outlet and position.
    """
    if claims.empty:
        return pd.DataFrame(columns=CLAIM_LISTING_COLUMNS)
    carriers = claims.groupby("claim_group")["outlet"].agg(lambda outlets: sorted(set(outlets)))
    table = claims.assign(
        outlets_carrying=claims["claim_group"].map(carriers.map(len)).astype(int),
        carried_by=claims["claim_group"].map(carriers.map(_joined)),
        figures=claims["quantities"].map(_figures),
    )
    table["status"] = np.where(table["outlets_carrying"] >= 2, "shared", "unique")
    conflicting: set = set()
    if links is not None and len(links):
        flagged = links[links["decision"] == "conflicting"]
        conflicting = set(flagged["claim_a"]) | set(flagged["claim_b"])
    table["conflicting"] = table["claim_id"].isin(conflicting)
    table = table.sort_values(["outlets_carrying", "claim_group", "outlet", "article_id", "sentence_no", "claim_id"],
                              ascending=[False, True, True, True, True, True], kind="stable", ignore_index=True)
    return table[CLAIM_LISTING_COLUMNS]


def omitted_claims(claims: pd.DataFrame, coverage: pd.DataFrame | None = None) -> pd.DataFrame:
    """Claim groups an outlet lacks that most of the event's other outlets carry (more than the
    setting ``claim_omission_share`` of them: in a two-outlet event, what the other one carries).

    Args:
        claims: an event's claims with ``claim_group``.
        coverage: :func:`analysis.claims.claim_coverage` of ``claims``, when already at hand
            (it is the costly part on a large event).

    Returns:
        One row per omitting outlet and claim group. Columns: ``outlet`` (the outlet that omits
        it), ``claim_group``, ``label`` (the group's first claim, as
        :func:`analysis.claims.claim_coverage` picks it), ``carried_by``, ``outlets_carrying``,
        ``claim_id`` and ``article_id`` (of that first claim). Most widely carried first.
    """
    if claims.empty or claims["outlet"].nunique() < 2:
        return pd.DataFrame(columns=OMITTED_COLUMNS)
    coverage = claim_coverage(claims) if coverage is None else coverage
    # One definition of "omitted": the one outlet_claim_summary counts with.
    omitted = coverage[others_carry(coverage) & ~coverage["carried"]]
    carriers = claims.groupby("claim_group")["outlet"].agg(lambda outlets: _joined(sorted(set(outlets))))
    first = (claims.sort_values(["outlet", "article_id", "sentence_no"], kind="stable")
             .drop_duplicates("claim_group").set_index("claim_group"))
    table = omitted.assign(
        carried_by=omitted["claim_group"].map(carriers),
        claim_id=omitted["claim_group"].map(first["claim_id"]),
        article_id=omitted["claim_group"].map(first["article_id"]),
    )
    return table.sort_values(["outlets_carrying", "outlet", "claim_group"], ascending=[False, True, True],
                             ignore_index=True)[OMITTED_COLUMNS]


def conflict_listing(claims: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Claims of different outlets about the same thing whose figures disagree, with both values.

    Returns:
        Columns ``outlet_a``, ``text_a``, ``figures_a`` (``"; "``-joined), ``outlet_b``,
        ``text_b``, ``figures_b``, ``score``, ``claim_a``, ``claim_b``, ``article_a``,
        ``article_b``; highest score first.
    """
    conflicts = claim_conflicts(claims, links)
    if conflicts.empty:
        return pd.DataFrame(columns=CONFLICT_LISTING_COLUMNS)
    articles = claims.set_index("claim_id")["article_id"]
    table = conflicts.assign(
        figures_a=conflicts["figures_a"].map(_joined), figures_b=conflicts["figures_b"].map(_joined),
        article_a=conflicts["claim_a"].map(articles), article_b=conflicts["claim_b"].map(articles),
    )
    return table.sort_values(["score", "claim_a", "claim_b"], ascending=[False, True, True],
                             ignore_index=True)[CONFLICT_LISTING_COLUMNS]


def claim_summary(coverage: pd.DataFrame) -> pd.DataFrame:
    """:func:`analysis.claims.outlet_claim_summary` from a coverage table already at hand (the
    same counts, without computing the coverage again).

    Args:
        coverage: :func:`analysis.claims.claim_coverage` rows of one event.

    Returns:
        One row per outlet: ``outlet``, ``claims``, ``shared``, ``unique``, ``omitted``.
    """
    columns = ["claims", "shared", "unique", "omitted"]
    if coverage.empty:
        return pd.DataFrame(columns=["outlet", *columns])
    omitted = others_carry(coverage) & ~coverage["carried"]
    carried = coverage["carried"]
    table = pd.DataFrame({
        "claims": carried,
        "shared": carried & (coverage["outlets_carrying"] >= 2),
        "unique": carried & (coverage["outlets_carrying"] == 1),
        "omitted": omitted,
        "outlet": coverage["outlet"],
    }).groupby("outlet")[columns].sum().astype(int)
    return table.reset_index()


def coverage_matrix(coverage: pd.DataFrame, *, min_outlets: int = 1, max_groups: int = MATRIX_MAX_GROUPS
                    ) -> pd.DataFrame:
    """The rows of a claim coverage matrix (claim groups × outlets) worth drawing.

    Args:
        coverage: :func:`analysis.claims.claim_coverage` rows of one event (most widely carried
            first).
        min_outlets: keep groups carried by at least this many outlets.
        max_groups: most groups kept: the most widely carried, ties in group order.

    Returns:
        The coverage rows of the kept groups (``claim_group``, ``label``, ``outlet``,
        ``carried``, ``claim_ids``, ``outlets_carrying``) plus ``rank`` (1 = most widely
        carried), in rank then outlet order.
    """
    kept = coverage[coverage["outlets_carrying"] >= min_outlets]
    groups = kept.drop_duplicates("claim_group")["claim_group"].head(max_groups)
    rank = pd.Series(np.arange(1, len(groups) + 1), index=groups.to_numpy(), dtype=np.int64)
    kept = kept[kept["claim_group"].isin(rank.index)]
    kept = kept.assign(rank=kept["claim_group"].map(rank).astype(np.int64))
    return kept.sort_values(["rank", "outlet"], ignore_index=True)


@dataclass(frozen=True)
class EventClaims:
    """The claim tables of one event's view, as :func:`event_claims` makes them.

    Attributes:
        listing: :func:`claim_listing` (every claim with its status).
        summary: :func:`claim_summary` (per outlet: shared, unique, omitted).
        overlap: :func:`analysis.claims.outlet_claim_jaccard` (outlet pairs).
        matrix: :func:`coverage_matrix` (the groups worth drawing).
        groups: how many claim groups there are in all.
        omitted: :func:`omitted_claims`.
        conflicts: :func:`conflict_listing`.
        main: :func:`main_articles` of the outlets kept.
    """

    listing: pd.DataFrame
    summary: pd.DataFrame
    overlap: pd.DataFrame
    matrix: pd.DataFrame
    groups: int
    omitted: pd.DataFrame
    conflicts: pd.DataFrame
    main: pd.DataFrame


def event_claims(
    claims: pd.DataFrame, links: pd.DataFrame, articles: pd.DataFrame, *, outlets: list[str] | None = None,
    min_outlets: int = 1, max_groups: int = MATRIX_MAX_GROUPS, leave_out: list[str] | tuple[str, ...] = (),
) -> EventClaims:
    """Every claim table of one event's view at once, from one coverage table (the costly step on
    a large event).

    Args:
        claims, links: the event's claims and claim links (as :meth:`Store.claims` and
            :meth:`Store.claim_links` return them).
        articles: the event's articles (``article_id``, ``outlet``, ``published``).
        outlets: the outlets compared (None: all); shared, unique and omitted are judged among
            them alone.
        min_outlets, max_groups: as :func:`coverage_matrix` takes them.
        leave_out: ids of articles left out with their claims (wire copies): a claim group they
            alone shared with another outlet becomes that outlet's own.
    """
    if len(leave_out):
        articles = articles[~articles["article_id"].isin(list(leave_out))]
        claims, links = restrict_claims(claims, links, article_ids=articles["article_id"].tolist())
    claims, links = restrict_claims(claims, links, outlets=outlets)
    coverage = claim_coverage(claims) if len(claims) else pd.DataFrame(
        columns=["claim_group", "label", "outlet", "carried", "claim_ids", "outlets_carrying"])
    kept_articles = articles if outlets is None else articles[articles["outlet"].isin(outlets)]
    return EventClaims(
        listing=claim_listing(claims, links),
        summary=claim_summary(coverage),
        overlap=outlet_claim_jaccard(claims),
        matrix=coverage_matrix(coverage, min_outlets=min_outlets, max_groups=max_groups),
        groups=int(claims["claim_group"].nunique()),
        omitted=omitted_claims(claims, coverage),
        conflicts=conflict_listing(claims, links),
        main=main_articles(kept_articles, claims),
    )


def read_event_claims(store, event_id: str, *, outlets: list[str] | None = None, min_outlets: int = 1,
                      leave_out: list[str] | tuple[str, ...] = ()) -> EventClaims:
    """:func:`event_claims` of one event read from ``store``."""
    return event_claims(store.claims(event_id), store.claim_links(event_id), event_articles(store, event_id),
                        outlets=outlets, min_outlets=min_outlets, leave_out=leave_out)


# --- framing of one event


def top_speakers(voices: pd.DataFrame, *, limit: int = 15) -> pd.DataFrame:
    """The rows of the ``limit`` speakers with the most quoted words across the event's outlets.

    Args:
        voices: rows of :func:`analysis.voices.voices` (``outlet``, ``speaker``,
            ``speaker_type``, ``role``, ``quotes``, ``quoted_words``, ``share``).

    Returns:
        The same columns, speakers without a name shown as ``(no speaker named)``; by the
        speaker's total quoted words, then speaker, then outlet.
    """
    table = voices.assign(speaker=voices["speaker"].fillna("(no speaker named)"))
    totals = table.groupby("speaker")["quoted_words"].sum().sort_values(ascending=False, kind="stable")
    totals = totals.reset_index().sort_values(["quoted_words", "speaker"], ascending=[False, True]).head(limit)
    order = {speaker: position for position, speaker in enumerate(totals["speaker"])}
    table = table[table["speaker"].isin(order)]
    return (table.assign(_order=table["speaker"].map(order)).sort_values(["_order", "outlet"], ignore_index=True)
            .drop(columns="_order"))


def top_distinctive_terms(terms: pd.DataFrame, *, per_outlet: int = 10, direction: str = "over") -> pd.DataFrame:
    """Each outlet's ``per_outlet`` most distinctive terms in one direction (highest |z| first).

    Args:
        terms: rows of :func:`analysis.words.distinctive_terms` for one event (``outlet``,
            ``term``, ``z``, ``direction``, ...).
        direction: ``over`` (words the outlet uses more than the others) or ``under``.
    """
    chosen = terms[terms["direction"] == direction]
    chosen = chosen.assign(_strength=chosen["z"].abs()).sort_values(["outlet", "_strength", "term"],
                                                                     ascending=[True, False, True])
    return chosen.groupby("outlet", sort=False).head(per_outlet).drop(columns="_strength").reset_index(drop=True)


def actor_labels_side_by_side(labels: pd.DataFrame, *, outlets: list[str] | None = None) -> pd.DataFrame:
    """How each outlet labels each main actor, one column per outlet.

    Args:
        labels: rows of :func:`analysis.actors.actor_labels` (``actor``, ``outlet``, ``label``,
            ``label_kind``, ...), for one event.
        outlets: the outlet columns, in order (default: the outlets in ``labels``, sorted).

    Returns:
        One row per actor: ``actor``, ``outlets_labelling``, then one column per outlet with its
        distinct labels, most frequent first, ``"; "``-joined, each with its count when above one
        (``""`` where the outlet gives none). Actors most outlets label first.
    """
    columns = sorted(labels["outlet"].unique()) if outlets is None else list(outlets)
    distinct = labels_by_outlet(labels)
    distinct = distinct[distinct["outlet"].isin(columns)]
    if distinct.empty:
        return pd.DataFrame(columns=["actor", "outlets_labelling", *columns])
    shown = distinct["label"] + np.where(distinct["count"] > 1, " (" + distinct["count"].astype(str) + ")", "")
    cells = distinct.assign(shown=shown).groupby(["actor", "outlet"], sort=False)["shown"].agg(_joined)
    table = cells.unstack("outlet").reindex(columns=columns).fillna("")
    table.columns.name = None
    table.insert(0, "outlets_labelling", (table != "").sum(axis=1))
    mentions = distinct.groupby("actor")["count"].sum()
    table = table.assign(_mentions=mentions.reindex(table.index).to_numpy()).reset_index()
    table = table.sort_values(["outlets_labelling", "_mentions", "actor"], ascending=[False, False, True])
    return table.drop(columns="_mentions").reset_index(drop=True)


# --- two articles side by side


def main_articles(articles: pd.DataFrame, claims: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each outlet's main article in an event: the one with the most claims, then the earliest
    published (undated last), then the smallest id.

    Args:
        articles: the event's articles, columns ``article_id``, ``outlet``, ``published``.
        claims: the event's claims (``article_id``), or None.

    Returns:
        One row per outlet, by outlet: ``outlet``, ``article_id``, ``claims``.
    """
    counts = claims["article_id"].value_counts() if claims is not None and len(claims) else pd.Series(dtype=int)
    table = articles.assign(claims=articles["article_id"].map(counts).fillna(0).astype(int))
    table = table.sort_values(["outlet", "claims", "published", "article_id"], ascending=[True, False, True, True],
                              na_position="last")
    return table.drop_duplicates("outlet")[["outlet", "article_id", "claims"]].reset_index(drop=True)


def default_outlet_pair(articles: pd.DataFrame) -> list[str]:
    """The two outlets a comparison of an event starts from: those with the most articles in it,
    ties by name (fewer when the event has fewer outlets)."""
    counts = articles_per_outlet(articles)
    return counts["outlet"].head(2).tolist()


def compare_partner(claims: pd.DataFrame, claim_id: str, main: pd.DataFrame) -> str | None:
    """The article to set beside a claim's own: for a shared claim, the article of the first
    other outlet carrying its group; otherwise another outlet's main article (the first by
    outlet). None when the event has no other outlet.

    Args:
        claims: the event's claims, or :func:`claim_listing` rows (``claim_id``, ``claim_group``,
            ``outlet``, ``article_id``, ``sentence_no``).
        claim_id: the claim.
        main: :func:`main_articles` of the event.
    """
    row = claims[claims["claim_id"] == claim_id]
    if row.empty:
        return None
    outlet, group = row["outlet"].iloc[0], row["claim_group"].iloc[0]
    others = claims[(claims["claim_group"] == group) & (claims["outlet"] != outlet)]
    if len(others):
        return str(others.sort_values(["outlet", "article_id", "sentence_no"])["article_id"].iloc[0])
    other_main = main[main["outlet"] != outlet]
    return str(other_main["article_id"].iloc[0]) if len(other_main) else None


def align_pair(
    store, article_a: str, article_b: str, *, shared_threshold: float | None = None,
    reworded_threshold: float | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sentence alignment of two stored articles both ways, with the store's fitted model.

    Returns:
        ``(a_to_b, b_to_a)``: each sentence of A with its closest sentence of B, and each of B
        with its closest of A; columns of :func:`analysis.similarity.sentence_alignment`. An
        article without sentences gives an empty side.

    Raises:
        LookupError: the store has not been analysed.
    """
    from analysis.pipeline import stored_vectorizer
    from analysis.similarity import sentence_alignment

    vectorizer = stored_vectorizer(store)
    sentences = store.sentences([article_a, article_b])
    side_a = sentences[sentences["article_id"] == article_a]
    side_b = sentences[sentences["article_id"] == article_b]
    thresholds = {"shared_threshold": shared_threshold, "reworded_threshold": reworded_threshold}
    return (sentence_alignment(side_a, side_b, vectorizer=vectorizer, **thresholds),
            sentence_alignment(side_b, side_a, vectorizer=vectorizer, **thresholds))


def alignment_counts(a_to_b: pd.DataFrame, b_to_a: pd.DataFrame) -> pd.DataFrame:
    """Sentences per status on each side: ``side`` (``A``, ``B``), ``sentences``, ``shared``,
    ``reworded``, ``unique``."""
    rows = []
    for side, alignment in (("A", a_to_b), ("B", b_to_a)):
        counts = alignment["status"].value_counts()
        rows.append({"side": side, "sentences": len(alignment),
                     **{status: int(counts.get(status, 0)) for status in ("shared", "reworded", "unique")}})
    return pd.DataFrame(rows, columns=["side", "sentences", "shared", "reworded", "unique"])


def pair_claims(claims: pd.DataFrame, article_a: str, article_b: str) -> pd.DataFrame:
    """The claim groups two articles of one event carry: both, or only one of them.

    Claims are grouped across outlets only, so two articles of the same outlet share none.

    Args:
        claims: the event's claims with ``claim_group``.

    Returns:
        One row per claim group either article carries. Columns: ``claim_group``,
        ``carried_by`` (``both``, ``A only`` or ``B only``), ``text_a`` and ``text_b`` (each
        article's claims in the group in text order, ``" / "``-joined; ``""`` where it carries
        none), ``claims_a`` and ``claims_b`` (their counts). Both first, then A only, then B only,
        each in the order the claims appear in A (else B).
    """
    sides = []
    for side, article_id in (("a", article_a), ("b", article_b)):
        own = claims[claims["article_id"] == article_id].sort_values(["sentence_no", "claim_id"])
        grouped = own.groupby("claim_group", sort=False).agg(
            **{f"text_{side}": ("text", " / ".join), f"claims_{side}": ("claim_id", "size"),
               f"position_{side}": ("sentence_no", "min")}
        )
        sides.append(grouped)
    table = sides[0].join(sides[1], how="outer")
    if table.empty:
        return pd.DataFrame(columns=PAIR_CLAIM_COLUMNS)
    in_a, in_b = table["claims_a"].notna(), table["claims_b"].notna()
    table["carried_by"] = np.where(in_a & in_b, "both", np.where(in_a, "A only", "B only"))
    table["_order"] = table["carried_by"].map({"both": 0, "A only": 1, "B only": 2})
    table["_position"] = table["position_a"].fillna(table["position_b"])
    for side in ("a", "b"):
        table[f"text_{side}"] = table[f"text_{side}"].fillna("")
        table[f"claims_{side}"] = table[f"claims_{side}"].fillna(0).astype(int)
    table = table.reset_index().sort_values(["_order", "_position", "claim_group"], ignore_index=True)
    return table[PAIR_CLAIM_COLUMNS]


def _claim_partners(claims: pd.DataFrame, own: str, other: str) -> pd.DataFrame:
    """Per sentence of ``own`` that holds a claim whose group ``other`` carries: the first such
    sentence of ``other``. Columns ``sentence_no``, ``other_sentence_no``."""
    mine = claims.loc[claims["article_id"] == own, ["sentence_no", "claim_group"]]
    theirs = (claims.loc[claims["article_id"] == other, ["sentence_no", "claim_group"]]
              .sort_values("sentence_no").drop_duplicates("claim_group")
              .rename(columns={"sentence_no": "other_sentence_no"}))
    pairs = mine.merge(theirs, on="claim_group").sort_values(["sentence_no", "other_sentence_no"])
    return pairs.drop_duplicates("sentence_no")[["sentence_no", "other_sentence_no"]]


def match_by_claims(
    a_to_b: pd.DataFrame, b_to_a: pd.DataFrame, claims: pd.DataFrame, article_a: str, article_b: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both sides of an alignment, with the sentences whose claims the other article also
    carries counted as reworded (those already shared by their words stay shared).

    Args:
        a_to_b, b_to_a: as :func:`align_pair` returns them.
        claims: claims of the event holding both articles, with ``claim_group`` (an empty frame
            when they are in different events: nothing changes then).

    Returns:
        ``(a_to_b, b_to_a)`` with three more columns: ``words_status`` (the status by shared words
        alone), ``claim_match_sentence_no`` (the other article's sentence holding a claim of the
        same group; -1 when none) and ``claim_match_text`` (its text, ``""`` when none);
        ``status`` becomes ``reworded`` where a claim matched and the words did not make it shared.
    """
    sides = []
    for own, other, alignment, other_alignment in ((article_a, article_b, a_to_b, b_to_a),
                                                   (article_b, article_a, b_to_a, a_to_b)):
        partners = (_claim_partners(claims, own, other) if len(claims)
                    else pd.DataFrame(columns=["sentence_no", "other_sentence_no"]))
        partner_of = dict(zip(partners["sentence_no"], partners["other_sentence_no"]))
        text_of = dict(zip(other_alignment["sentence_no"], other_alignment["text"]))
        matched = alignment["sentence_no"].map(partner_of).fillna(-1).astype(np.int64)
        table = alignment.assign(
            words_status=alignment["status"],
            claim_match_sentence_no=matched,
            claim_match_text=matched.map(text_of).fillna(""),
        )
        table["status"] = np.where((matched >= 0) & (table["status"] != "shared"), "reworded", table["status"])
        sides.append(table)
    return sides[0], sides[1]

"""Claim and quote search across the corpus: which outlets carried a claim, in what words, and
who reported it first.

Claims are matched across outlets inside each event by :mod:`analysis.claims` (claim groups).
A search finds the claims whose text or speaker holds every search term, then brings along the
rest of their claim groups: the same claim in another outlet's words often shares none of the
searched words ("whereabouts" / "location"). Who reported first is read from the articles'
publication times; outlets published at the same moment (often a date with no time of day) tie.

Example:
    >>> search_terms('Stephens "persecution and not"')
    ['Stephens', 'persecution and not']
    >>> claims = pd.DataFrame({"claim_group": ["g1", "g1"], "claim_id": ["c1", "c2"],
    ...     "outlet": ["A", "B"], "published": pd.to_datetime(["2020-01-02", "2020-01-01"], utc=True)})
    >>> first_reports(claims)[["outlet", "report_order", "reported_first"]].values.tolist()
    [['A', 2, False], ['B', 1, True]]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import altair as alt
import pandas as pd

from analysis.charts import outlet_color_scale

__all__ = [
    "CLAIM_KINDS",
    "DEFAULT_GROUPS",
    "MAX_TERMS",
    "FirstReport",
    "claim_detail",
    "claim_search",
    "first_report",
    "first_reports",
    "highlight_parts",
    "report_timeline_chart",
    "search_terms",
]

# The kinds analysis.claims gives a claim (from its whole sentence).
CLAIM_KINDS = ("direct quote", "reported speech", "statement")
# Claim groups one search returns at most, those carried by the most outlets first.
DEFAULT_GROUPS = 100
# Search terms read at most: each is one more scan condition, and a longer query is a sentence
# pasted whole, better searched by its most telling words.
MAX_TERMS = 8

_TERM = re.compile(r'"([^"]+)"|(\S+)')


def search_terms(text: str) -> list[str]:
    """The terms of a search box's text: words, and phrases in double quotes kept whole;
    duplicates (ignoring case) dropped, at most :data:`MAX_TERMS`."""
    terms: list[str] = []
    for phrase, word in _TERM.findall(text or ""):
        term = " ".join((phrase or word).strip('"').split())
        if term and term.lower() not in {seen.lower() for seen in terms}:
            terms.append(term)
    return terms[:MAX_TERMS]


def first_reports(claims: pd.DataFrame) -> pd.DataFrame:
    """Per claim: where its outlet stands in the order its claim group was reported.

    Args:
        claims: columns ``claim_group``, ``outlet``, ``published`` (UTC, NaT when unknown) and
            any others; with ``outlet_first_published`` (an outlet's first report of the group,
            when ``claims`` holds only some of its claims) that is the outlet's time, else its
            earliest ``published`` here.

    Returns:
        ``claims`` with ``report_order`` (1 for the outlets that published the group first;
        outlets published at the same moment share a rank; NA when undated), ``reported_first``
        (bool) and ``after_first`` (Timedelta from the group's first report, NaT when undated).
    """
    frame = claims.copy()
    if "outlet_first_published" in frame:
        outlet_first = frame["outlet_first_published"]
    else:
        outlet_first = frame.groupby(["claim_group", "outlet"])["published"].transform("min")
    group_first = frame.groupby("claim_group")["published"].transform("min")
    frame["report_order"] = (outlet_first.groupby(frame["claim_group"]).rank(method="dense").astype("Int64"))
    frame["reported_first"] = (frame["report_order"] == 1).fillna(False).astype(bool)
    frame["after_first"] = outlet_first - group_first
    return frame


def claim_search(store, text: str, *, outlets: list[str] | None = None, kinds: list[str] | None = None,
                 groups: int = DEFAULT_GROUPS) -> pd.DataFrame:
    """Search the store's claims and quotes (text or speaker) and say who reported each first.

    Args:
        store: an open :class:`analysis.store.Store`.
        text: search box text (:func:`search_terms`); empty: every claim, so the claims carried
            by the most outlets come first.
        outlets, kinds: keep claims of these outlets / kinds (None: all); group mates from other
            outlets still come along.
        groups: at most this many claim groups.

    Returns:
        One row per claim group and outlet carrying it, the columns of
        :meth:`analysis.store.Store.search_claims` (``claim_group``, ``claim_id``,
        ``event_id``, ``event_label``, ``article_id``, ``outlet``, ``published``, ``title``,
        ``kind``, ``speaker``, ``text``, ``matched``, ``outlet_claims``,
        ``outlet_first_published``, ``matched_outlets``, ``group_outlets``,
        ``group_first_published``) and those :func:`first_reports` adds.
    """
    return first_reports(store.search_claims(search_terms(text), outlets=outlets, kinds=kinds, groups=groups))


def claim_detail(store, claim: str) -> dict[str, pd.DataFrame]:
    """One claim group, each outlet's wording in publication order, and the claims the verifier
    found related or conflicting.

    Args:
        store: an open :class:`analysis.store.Store`.
        claim: a claim group id or a claim id (its group).

    Returns:
        ``{"claims": ..., "linked": ...}``: the group's claims (columns of
        :meth:`analysis.store.Store.claim_group_claims` and of :func:`first_reports`; empty when
        ``claim`` is unknown) and :meth:`analysis.store.Store.linked_claims` of them.
    """
    claims = first_reports(store.claim_group_claims(claim))
    linked = store.linked_claims(claims["claim_id"].tolist()) if len(claims) else store.linked_claims([])
    return {"claims": claims, "linked": linked}


def highlight_parts(text: str, terms: list[str]) -> list[tuple[str, bool]]:
    """``text`` cut into runs of whitespace-separated words, each run flagged when its words hold
    a search term (case-insensitive). Joining the runs with single spaces gives back the text
    with its whitespace collapsed, so highlighting never moves punctuation off its word.

    Example:
        >>> highlight_parts("His exact whereabouts, he said, remain unknown.", ["whereabouts"])
        [('His exact', False), ('whereabouts,', True), ('he said, remain unknown.', False)]
    """
    words = str(text).split()
    if not terms:
        return [(" ".join(words), False)] if words else []
    lowered = [term.lower() for term in terms]
    flags = [False] * len(words)
    # Phrases may span words: mark every word a match of a term overlaps.
    starts = [0]
    for word in words[:-1]:
        starts.append(starts[-1] + len(word) + 1)
    joined = " ".join(words).lower()
    for term in lowered:
        at = joined.find(term)
        while at != -1:
            for index, start in enumerate(starts):
                if start < at + len(term) and at < start + len(words[index]):
                    flags[index] = True
            at = joined.find(term, at + max(len(term), 1))
    parts: list[tuple[str, bool]] = []
    for word, flag in zip(words, flags):
        if parts and parts[-1][1] == flag:
            parts[-1] = (parts[-1][0] + " " + word, flag)
        else:
            parts.append((word, flag))
    return parts


@dataclass(frozen=True)
class FirstReport:
    """Who reported a claim group first: ``outlets`` (several when they tie), ``published``
    (None when no carrying article is dated), ``tied`` and ``undated`` (outlets whose articles
    carry no date, so cannot be placed)."""

    outlets: tuple[str, ...]
    published: pd.Timestamp | None
    tied: bool
    undated: tuple[str, ...]


def first_report(claims: pd.DataFrame) -> FirstReport:
    """Who reported one claim group first, from :func:`first_reports` rows of that group."""
    dated = claims[claims["published"].notna()]
    dated_outlets = set(dated["outlet"])
    undated = tuple(sorted(set(claims["outlet"]) - dated_outlets))
    if dated.empty:
        return FirstReport(outlets=(), published=None, tied=False, undated=undated)
    first = dated[dated["reported_first"]]
    outlets = tuple(sorted(set(first["outlet"])))
    return FirstReport(outlets=outlets, published=first["published"].min(), tied=len(outlets) > 1, undated=undated)


def report_timeline_chart(claims: pd.DataFrame, *, title: str = "When each outlet reported the claim") -> alt.Chart:
    """One point per claim at its article's publication time, one row per outlet.

    Args:
        claims: rows of one claim group, with ``outlet``, ``published``, ``kind``, ``speaker``,
            ``text`` and ``report_order`` (as :func:`claim_detail` returns them); undated rows
            are left out.
    """
    data = claims[claims["published"].notna()].assign(
        published=lambda frame: frame["published"].dt.tz_localize(None),
        speaker=lambda frame: frame["speaker"].fillna(""),
    )[["outlet", "published", "kind", "speaker", "text", "report_order"]]
    return (
        alt.Chart(data, title=title)
        .mark_circle(size=160, opacity=0.9)
        .encode(
            x=alt.X("published:T", title="Published"),
            y=alt.Y("outlet:N", title="Outlet", sort=alt.EncodingSortField(field="published", order="ascending")),
            color=alt.Color("outlet:N", scale=outlet_color_scale(data["outlet"]), legend=None),
            tooltip=[
                alt.Tooltip("outlet:N", title="Outlet"),
                alt.Tooltip("published:T", title="Published", format="%d %b %Y %H:%M"),
                alt.Tooltip("report_order:Q", title="Order of report"),
                alt.Tooltip("kind:N", title="Kind"),
                alt.Tooltip("speaker:N", title="Speaker"),
                alt.Tooltip("text:N", title="Wording"),
            ],
        )
    )

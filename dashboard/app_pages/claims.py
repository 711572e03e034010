"""Claims: search claims and quotes across the corpus; for each, which outlets carried it, in
what words, and who reported it first.

URL state: ``q`` (search text: words, "quoted phrases", or a speaker's name), ``outlet``
(repeatable: claims of these outlets), ``kind`` (repeatable: direct quote, reported speech,
statement), ``claim`` (a claim or claim group id: its detail is shown).
"""

import hashlib

import pandas as pd
import streamlit as st

from analysis import search
from dashboard import ui

HIGHLIGHT = "#fde68a"
RESULT_COLUMNS = ["outlet", "text", "speaker", "kind", "matched", "reported_first", "matched_outlets", "group_outlets",
                  "outlet_claims", "published", "event_label", "claim_group", "claim_id", "event_id"]
# Wordings shown one by one; a larger claim group shows one per outlet (the table has them all).
MAX_CARDS = 30
COLUMN_CONFIG = {
    "outlet": st.column_config.TextColumn("Outlet"),
    "published": st.column_config.DatetimeColumn("Published", format="YYYY-MM-DD HH:mm"),
    "event_label": st.column_config.TextColumn("Event"),
    "kind": st.column_config.TextColumn("Kind"),
    "speaker": st.column_config.TextColumn("Speaker"),
    "text": st.column_config.TextColumn("Claim", width="large"),
    "matched": st.column_config.CheckboxColumn("Matches the search"),
    "matched_outlets": st.column_config.NumberColumn("Outlets whose wording matches"),
    "group_outlets": st.column_config.NumberColumn("Outlets carrying it"),
    "outlet_claims": st.column_config.NumberColumn("Its claims in the group"),
    "reported_first": st.column_config.CheckboxColumn("Reported first"),
    "report_order": st.column_config.NumberColumn("Order of report"),
    "after_first": st.column_config.TextColumn("After the first report"),
    "near": st.column_config.CheckboxColumn("Matched as the same as the claim chosen"),
    "claim_group": st.column_config.TextColumn("Claim group"),
    "claim_id": st.column_config.TextColumn("Claim id"),
    "event_id": st.column_config.TextColumn("Event id"),
}


def forget_claim() -> None:
    """A new search or filter closes the claim shown."""
    st.session_state["claims_picked"] = ""


def pick_claim(key: str, claim_ids: list[str]) -> None:
    rows = st.session_state[key].selection.rows
    st.session_state["claims_picked"] = claim_ids[rows[0]] if rows else ""


path = ui.open_store_or_stop()
st.title("Claims")

all_outlets = ui.outlet_counts(path)["outlet"].tolist()
text = ui.query_text("q")
outlets = ui.known_values("outlets", ui.query_list("outlet"), all_outlets)
kinds = ui.known_values("claim kinds", ui.query_list("kind"), search.CLAIM_KINDS)
claim = ui.query_text("claim")

text = st.text_input("Search claims and quotes", value=text, key="claims_q", on_change=forget_claim,
                     placeholder='words, "a phrase", or a speaker\'s name', icon=":material/search:").strip()
left, right = st.columns(2)
outlets = left.multiselect("Outlets", all_outlets, default=outlets, key="claims_outlets", placeholder="All outlets",
                           on_change=forget_claim)
kinds = right.multiselect("Kinds", search.CLAIM_KINDS, default=kinds, key="claims_kinds", placeholder="All kinds",
                          on_change=forget_claim)
claim = st.session_state.pop("claims_picked", claim)

ui.set_query(q=text, outlet=outlets, kind=kinds, claim=claim)
ui.nav_links(outlet=outlets)

if not (text or outlets or kinds):
    st.info('Search the claims and quotes of every event two or more outlets covered: type words, "a quoted '
            'phrase" or a speaker\'s name, or choose outlets or kinds. Each claim comes with the other outlets\' '
            "wordings of it and who reported it first.")
else:
    results = ui.computed(path, search.claim_search, text, outlets=outlets or None, kinds=list(kinds) or None)
    groups = results["claim_group"].nunique()
    st.subheader("Claims found, with the other outlets' wordings")
    if results.empty:
        st.info("No claim or quote holds every search word (claims are extracted from events that two or more "
                "outlets covered). Try fewer or other words.")
    else:
        more = f" (the first {search.DEFAULT_GROUPS}, most widely carried first: narrow the search to see others)" \
            if groups >= search.DEFAULT_GROUPS else ""
        st.caption(f"{groups:,} claim groups{more}. A claim group is one claim in each outlet's words: one row per "
                   "outlet carrying it. Select a row to see every wording and who reported it first.")
        # A new search makes a new table, so a selection never points into other results.
        table_key = "claims_results_" + hashlib.blake2b(repr((text, outlets, kinds)).encode(),
                                                        digest_size=6).hexdigest()
        shown = results[RESULT_COLUMNS]
        claim_ids = shown["claim_id"].tolist()
        ui.table(shown, f"claims {text}".strip(), key=table_key, column_config=COLUMN_CONFIG,
                 on_select=lambda: pick_claim(table_key, claim_ids), selection_mode="single-row")

if claim:
    detail = ui.computed(path, search.claim_detail, claim)
    wordings = detail["claims"]
    if wordings.empty:
        ui.not_found(f"This link names a claim that is not in this corpus ({ui.literal(claim, limit=64)}): the "
                     "corpus may have been analysed again since.", back="claims", back_label="Search claims again")
    st.divider()
    st.subheader("Who carried this claim, in what words")
    first = search.first_report(wordings)
    if first.published is None:
        ui.plain_text("None of the articles carrying this claim has a publication date, so who was first is unknown.",
                      kind="text")
    else:
        when = first.published.strftime("%Y-%m-%d %H:%M UTC").replace(" 00:00 UTC", "")
        tie = " (published at the same time: a tie)" if first.tied else ""
        ui.plain_text(f"First reported by {' and '.join(first.outlets)} on {when}{tie}.", kind="text")
    if first.undated:
        ui.plain_text(f"Undated, so not placed: {', '.join(first.undated)}.")
    columns = st.columns(3)
    columns[0].metric("Outlets carrying it", wordings["outlet"].nunique())
    columns[1].metric("Wordings", len(wordings))
    columns[2].metric("Claim group", wordings["claim_group"].iloc[0])
    terms = search.search_terms(text)
    if len(wordings) <= MAX_CARDS:
        cards = wordings
    else:
        # The claim named and those matched as the same come first, then each other outlet's first.
        cards = wordings.sort_values("near", ascending=False, kind="stable").drop_duplicates("outlet")
        cards = cards.sort_values(["published", "outlet"], na_position="last", kind="stable")
        st.caption(f"{len(wordings):,} wordings: one per outlet is shown (the claim chosen and those matched as the "
                   "same as it first); the table below the chart has them all.")
    for row in cards.itertuples(index=False):
        with st.container(border=True):
            published = row.published.strftime("%Y-%m-%d %H:%M") if pd.notna(row.published) else "undated"
            speaker = f" · speaker: {row.speaker}" if isinstance(row.speaker, str) else ""
            order = f" · report {row.report_order}" if pd.notna(row.report_order) else ""
            ui.plain_text(f"{row.outlet} · {published}{order} · {row.kind}{speaker}")
            ui.highlighted([(part, HIGHLIGHT if flagged else None)
                            for part, flagged in search.highlight_parts(row.text, terms)])
    event_ids = wordings["event_id"].unique().tolist()
    links = st.columns(3)
    with links[0]:
        ui.page_link("event", "Open the event", event=event_ids[0], outlet=sorted(wordings["outlet"].unique()))
    with links[1]:
        ui.page_link("article", "Read the first report", icon=":material/article:",
                     article=wordings.iloc[0]["article_id"])
    links[2].button("Close this claim", icon=":material/close:", key="claims_close", on_click=forget_claim)
    timeline = wordings[["outlet", "published", "report_order", "after_first", "kind", "speaker", "text", "near",
                         "title", "claim_id", "article_id"]].assign(after_first=lambda frame: frame["after_first"].astype(str))
    if wordings["published"].notna().any():
        ui.chart(search.report_timeline_chart(wordings), timeline, f"claim {wordings['claim_group'].iloc[0]}",
                 key="claims_timeline")
    else:
        ui.table(timeline, f"claim {wordings['claim_group'].iloc[0]}", key="claims_wordings",
                 column_config=COLUMN_CONFIG)
    linked = detail["linked"]
    if not linked.empty:
        st.subheader("Related and conflicting claims")
        st.caption("Claims of other outlets the claim matcher found about the same thing but not the same claim "
                   "(related), or with figures that disagree (conflicting).")
        ui.table(linked, f"claim {wordings['claim_group'].iloc[0]} linked", key="claims_linked",
                 column_config={**COLUMN_CONFIG, "score": st.column_config.NumberColumn("Score", format="%.2f")})

ui.copy_link()

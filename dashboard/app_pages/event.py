"""Event: one event's coverage compared across its outlets.

URL state: ``event`` (event id; without it the page asks for one), ``outlet`` (repeatable: the
outlets shown, none meaning all; shared, unique and omitted claims are judged among the outlets
shown), ``section`` (``articles``, ``claims``, ``quotes``, ``framing``), ``min_outlets``
(claim groups the coverage matrix draws: carried by at least this many outlets) and ``wire``
(``flag``: wire copies are marked in the articles table; ``leave_out``: they are left out of the
comparison, see :func:`analysis.comparison.event_scope`).
"""

import pandas as pd
import streamlit as st

from analysis import comparison
from analysis.charts import (
    articles_by_outlet_chart,
    claim_coverage_chart,
    claim_summary_chart,
    similarity_heatmap,
    voices_chart,
)
from analysis.tone import tone_chart
from analysis.words import distinctive_terms_chart
from dashboard import ui

SECTIONS = {"articles": "Articles and similarity", "claims": "Claims", "quotes": "Quotes", "framing": "Words and labels"}
MAX_MIN_OUTLETS = 1000
TOP_SPEAKERS = 15
TOP_TERMS = 10
# The wire copies' table: who copied whom, and how much of the wording they share.
WIRE_COLUMNS = {"outlet": "Outlet", "title": st.column_config.TextColumn("Title", width="large"),
                "published": st.column_config.DatetimeColumn("Published", format="YYYY-MM-DD"),
                "copied_outlet": "Copy of an article of", "copied_title": st.column_config.TextColumn("Its title"),
                "similarity": st.column_config.NumberColumn("Similarity (Jaccard)", format="%.2f"),
                "article_id": "Article id", "wire_copy_of": "Copied article id"}


def _forget(*keys: str) -> None:
    """Drop widgets whose options belong to the event that was shown (a new event starts afresh)."""
    for key in keys:
        st.session_state.pop(key, None)


path = ui.open_store_or_stop()
events = ui.read(path, "events")
if events.empty:
    st.title("Event")
    st.info("This corpus has no events yet: group its articles into events with `coverage-lens analyze`.")
    ui.nav_links()
    ui.copy_link()
    st.stop()

requested_event = ui.query_text("event")
requested_outlets = ui.query_list("outlet")
requested_section = ui.query_choice("section", list(SECTIONS), "articles")
requested_min = int(ui.query_number("min_outlets", 1, low=1, high=MAX_MIN_OUTLETS, integer=True))
requested_wire = ui.query_choice("wire", ("flag", "leave_out"), "flag")

if requested_event and not (events["event_id"] == requested_event).any():
    st.title("Event")
    ui.not_found(
        f"There is no event {ui.literal(requested_event, limit=64)} in this corpus: the link may come from another "
        "corpus, or a later analysis regrouped its articles into other events.",
        back="event", back_label="Pick an event",
    )

choices = comparison.event_choices(events, current=requested_event or None)
choice_labels = dict(zip(choices["event_id"], choices["choice"]))
event_ids = choices["event_id"].tolist()
event_id = st.selectbox(
    "Event", event_ids, index=event_ids.index(requested_event) if requested_event else None,
    format_func=choice_labels.get, key="event_event", placeholder="Pick an event",
    help="Events that the most outlets covered come first.",
    on_change=_forget, args=("event_outlets", "event_articles", "event_shared", "event_unique", "event_omitted",
                              "event_conflicts"),
)
if event_id is None:
    ui.set_query()
    st.info("Pick an event above: the page then compares how its outlets covered it.")
    ui.nav_links()
    ui.copy_link()
    st.stop()

event = events[events["event_id"] == event_id].iloc[0]
articles = ui.computed(path, comparison.event_articles, event_id)
event_outlets = sorted(articles["outlet"].unique())
absent = [name for name in requested_outlets if name not in event_outlets]
if absent and event_id == requested_event:
    st.warning("This event has no articles from " + ", ".join(ui.literal(name) for name in absent[:10])
               + "; they are left out.")
with st.sidebar:
    chosen = st.multiselect(
        "Outlets shown", event_outlets, default=[name for name in requested_outlets if name in event_outlets],
        key="event_outlets", placeholder="All outlets of the event",
    )
    min_outlets = st.number_input(
        "Claims in the matrix: carried by at least", min_value=1, max_value=MAX_MIN_OUTLETS, value=requested_min,
        step=1, key="event_min_outlets", help="Outlets that must carry a claim for the coverage matrix to draw it.",
    )
    leave_out = st.checkbox(
        "Leave out wire copies", value=requested_wire == "leave_out", key="event_wire",
        help="A wire copy repeats, nearly word for word, an earlier article of another outlet (an agency story "
             "run under several names). Left out, it no longer counts as its outlet agreeing with the original.",
    )
scope = comparison.event_scope(articles, ui.read(path, "wire_copies", event_id), outlets=chosen,
                               without_wire_copies=leave_out)
shown = scope.outlets
ui.plain_text(event["label"] if isinstance(event["label"], str) and event["label"] else "(untitled event)",
              kind="title")
first, last = event["first_published"], event["last_published"]
columns = st.columns(4)
columns[0].metric("Articles", f"{int(event['articles']):,}")
columns[1].metric("Outlets", f"{int(event['outlets']):,}")
columns[2].metric("First published", first.date().isoformat() if pd.notna(first) else "–")
columns[3].metric("Last published", last.date().isoformat() if pd.notna(last) else "–")
wire = "leave_out" if leave_out else None
pair = shown[:2] if len(chosen) >= 2 else comparison.default_outlet_pair(scope.articles)
if len(pair) == 2:
    ui.page_link("compare", "Compare two outlets' coverage side by side", event=event_id, outlet=pair, wire=wire)
section = st.radio("Section", list(SECTIONS), index=list(SECTIONS).index(requested_section),
                   format_func=SECTIONS.get, horizontal=True, key="event_section", label_visibility="collapsed")
ui.set_query(event=event_id, outlet=chosen, section=None if section == "articles" else section,
             min_outlets=None if min_outlets == 1 else int(min_outlets), wire=wire)

copies = scope.copies
if len(copies) and leave_out:
    st.info(f"{len(scope.leave_out):,} wire {'copy is' if len(scope.leave_out) == 1 else 'copies are'} left out of "
            "this comparison: each repeats an earlier article of another outlet, listed below with the Jaccard "
            "similarity of their word runs.")
    if scope.copied_only:
        st.caption("Left out with them, since all their articles here are copies: "
                   + ", ".join(ui.literal(name) for name in scope.copied_only[:10]) + ".")
    if set(copies.loc[copies["article_id"].isin(scope.leave_out), "outlet"]) & set(shown):
        st.caption("Words, quotes and tone are stored per outlet: an outlet with its own articles beside a copy "
                   "still counts the copy there.")
    ui.table(copies, "wire_copies_left_out", key="event_wire_copies", column_config=WIRE_COLUMNS,
             column_order=list(WIRE_COLUMNS))
elif len(copies):
    st.caption(f"{len(copies):,} of these articles {'is a wire copy' if len(copies) == 1 else 'are wire copies'} "
               "of another outlet's earlier article (see “Wire copy of” in the articles table): tick “Leave out "
               "wire copies” to compare the outlets without them.")
if not shown:
    st.info("Every article of the outlets chosen is a wire copy: with wire copies left out there is nothing to "
            "compare.")
    ui.nav_links(event=event_id, outlet=chosen, wire=wire)
    ui.copy_link()
    st.stop()



def _claim_links(claims, main, claim_id: str, article_id: str) -> None:
    """Links from one selected claim: its article, and its article beside another outlet's."""
    ui.page_link("article", "Read the article of the selected claim", article=article_id)
    partner = comparison.compare_partner(claims, claim_id, main)
    if partner:
        ui.page_link("compare", "Compare that article with another outlet's", event=event_id, a=article_id, b=partner,
                     wire=wire)


def _selected(selection) -> list[int]:
    return list(selection.selection.rows) if selection else []


if section == "articles":
    shown_articles = scope.articles
    counts = comparison.articles_per_outlet(shown_articles)
    ui.chart(articles_by_outlet_chart(counts), counts, "articles_by_outlet", key="event_counts")
    st.subheader("Articles")
    st.caption("Select one article to read it, or two to compare them.")
    selection = ui.table(
        shown_articles, "event_articles", key="event_articles", on_select="rerun", selection_mode="multi-row",
        column_config={"published": st.column_config.DatetimeColumn("Published", format="YYYY-MM-DD"),
                       "article_id": st.column_config.TextColumn("Article id"),
                       "wire_copy_of": st.column_config.TextColumn("Wire copy of"),
                       "copied_outlet": "Copied outlet",
                       "wire_similarity": st.column_config.NumberColumn("Wire similarity", format="%.2f")},
    )
    rows = _selected(selection)
    if len(rows) == 1:
        ui.page_link("article", "Read the selected article", article=shown_articles["article_id"].iloc[rows[0]])
    elif len(rows) >= 2:
        first_row, second_row = shown_articles.iloc[rows[0]], shown_articles.iloc[rows[1]]
        ui.page_link("compare", "Compare the two selected articles", event=event_id, a=first_row["article_id"],
                     b=second_row["article_id"], outlet=[first_row["outlet"], second_row["outlet"]], wire=wire)
    st.subheader("How alike the outlets' coverage is")
    similarity = ui.computed(path, comparison.event_similarity, event_id, leave_out=tuple(scope.leave_out))
    similarity = similarity[similarity["outlet_a"].isin(shown) & similarity["outlet_b"].isin(shown)]
    if similarity["outlet_a"].nunique() < 2:
        st.info("Similarity needs two outlets: this view has one.")
    else:
        ui.chart(similarity_heatmap(similarity), similarity, "outlet_similarity", key="event_similarity")

elif section == "claims":
    tables = ui.computed(path, comparison.read_event_claims, event_id, outlets=scope.compared,
                         min_outlets=int(min_outlets), leave_out=tuple(scope.leave_out))
    if tables.listing.empty:
        st.info("No claims to compare here: claims are extracted and matched only for events that two or more "
                "outlets covered.")
    else:
        claims, main = tables.listing, tables.main
        ui.chart(claim_summary_chart(tables.summary), tables.summary, "claims_per_outlet", key="event_claim_summary")
        if claims["outlet"].nunique() >= 2:
            ui.chart(similarity_heatmap(tables.overlap.rename(columns={"jaccard": "similarity"}),
                                        title="Share of their claims two outlets both carry (Jaccard)"),
                     tables.overlap, "claim_overlap", key="event_jaccard")

        st.subheader("Claim coverage")
        matrix = tables.matrix
        if matrix.empty:
            st.info(f"No claim is carried by {int(min_outlets)} or more of the outlets shown.")
        else:
            drawn = matrix["claim_group"].nunique()
            st.caption(f"{drawn:,} of {tables.groups:,} claim groups, the most widely carried first "
                       f"(at most {comparison.MATRIX_MAX_GROUPS}; the tables below list every claim).")
            ui.chart(claim_coverage_chart(matrix), matrix.drop(columns="claim_ids"), "claim_coverage",
                     key="event_matrix")

        listing = tables.listing
        claim_columns = {"outlet": "Outlet", "text": st.column_config.TextColumn("Claim", width="large"),
                         "carried_by": "Carried by", "kind": "Kind", "speaker": "Speaker", "figures": "Figures",
                         "conflicting": "Figures conflict", "sentence_no": "Sentence", "article_id": "Article id",
                         "claim_id": "Claim id", "claim_group": "Claim group"}
        for status, title, key in (("shared", "Shared claims", "event_shared"),
                                   ("unique", "Claims only one outlet carries", "event_unique")):
            st.subheader(title)
            part = listing[listing["status"] == status].reset_index(drop=True)
            if part.empty:
                st.caption("None.")
                continue
            st.caption("Select a claim to read its article or compare it with another outlet's.")
            rows = _selected(ui.table(part, f"{status}_claims", key=key, column_config=claim_columns,
                                      column_order=list(claim_columns), on_select="rerun",
                                      selection_mode="single-row"))
            if rows:
                row = part.iloc[rows[0]]
                _claim_links(claims, main, row["claim_id"], row["article_id"])

        st.subheader("Claims an outlet omits")
        st.caption("Claims most of the other outlets shown carry (in a two-outlet event: the other one) and this "
                   "outlet does not.")
        omitted = tables.omitted
        if omitted.empty:
            st.caption("None.")
        else:
            omitted_columns = {"outlet": "Omitted by", "label": st.column_config.TextColumn("Claim", width="large"),
                               "carried_by": "Carried by", "outlets_carrying": "Outlets carrying it",
                               "article_id": "Article id", "claim_id": "Claim id", "claim_group": "Claim group"}
            rows = _selected(ui.table(omitted, "omitted_claims", key="event_omitted", column_config=omitted_columns,
                                      column_order=list(omitted_columns), on_select="rerun",
                                      selection_mode="single-row"))
            if rows:
                row = omitted.iloc[rows[0]]
                own = main.loc[main["outlet"] == row["outlet"], "article_id"]
                ui.page_link("article", "Read the article that carries the selected claim", article=row["article_id"])
                if len(own):
                    ui.page_link("compare", "Compare the omitting outlet's article with it", event=event_id,
                                 a=own.iloc[0], b=row["article_id"], wire=wire)

        st.subheader("Conflicting figures")
        conflicts = tables.conflicts
        if conflicts.empty:
            st.caption("None: no two outlets give different figures for the same thing.")
        else:
            conflict_columns = {
                "outlet_a": "Outlet", "figures_a": "Its figures", "text_a": st.column_config.TextColumn("Claim", width="large"),
                "outlet_b": "Other outlet", "figures_b": "Their figures",
                "text_b": st.column_config.TextColumn("Their claim", width="large"), "score": "Match score",
                "article_a": "Article id", "article_b": "Other article id", "claim_a": "Claim id",
                "claim_b": "Other claim id",
            }
            rows = _selected(ui.table(conflicts, "conflicting_claims", key="event_conflicts",
                                      column_config=conflict_columns, column_order=list(conflict_columns),
                                      on_select="rerun", selection_mode="single-row"))
            if rows:
                row = conflicts.iloc[rows[0]]
                ui.page_link("compare", "Compare the two articles of the selected conflict", event=event_id,
                             a=row["article_a"], b=row["article_b"], wire=wire)

elif section == "quotes":
    voices = ui.read(path, "framing_table", "voices", event_id)
    voices = voices[voices["outlet"].isin(shown)].drop(columns="event_id").reset_index(drop=True)
    if voices.empty:
        st.info("No quotes to show: quotes are read only for events that two or more outlets covered, and the "
                "outlets shown quote no one.")
    else:
        top = comparison.top_speakers(voices, limit=TOP_SPEAKERS)
        st.caption(f"The {top['speaker'].nunique()} speakers with the most quoted words; the table has all "
                   f"{voices['speaker'].fillna('').nunique()}.")
        ui.chart(voices_chart(top), voices, "quotes_by_speaker", key="event_voices")

else:
    terms = ui.read(path, "framing_table", "framing_terms", event_id)
    terms = terms[terms["outlet"].isin(shown)].drop(columns="event_id").reset_index(drop=True)
    st.subheader("Distinctive words per outlet")
    if terms.empty:
        st.info("No distinctive words: they are computed only for events that two or more outlets covered.")
    else:
        top_terms = comparison.top_distinctive_terms(terms, per_outlet=TOP_TERMS)
        st.caption(f"Each outlet's {TOP_TERMS} most over-used words against the other outlets of the event; the "
                   "table also has the under-used ones.")
        ui.chart(distinctive_terms_chart(top_terms), terms, "distinctive_words", key="event_words")

    st.subheader("How each outlet labels the main actors")
    labels = ui.read(path, "framing_table", "actor_labels", event_id)
    labels = labels[labels["outlet"].isin(shown) & ~labels["article_id"].isin(scope.leave_out)]
    side_by_side = comparison.actor_labels_side_by_side(labels, outlets=shown)
    if side_by_side.empty:
        st.info("No actor labels found for the outlets shown.")
    else:
        ui.table(side_by_side, "actor_labels", key="event_labels")

    st.subheader("Tone")
    tone = ui.read(path, "framing_table", "tone", event_id)
    tone = tone[tone["outlet"].isin(shown)].drop(columns="event_id").reset_index(drop=True)
    if tone.empty:
        st.info("No tone measures for the outlets shown.")
    else:
        ui.chart(tone_chart(tone), tone, "tone_by_outlet", key="event_tone")

ui.nav_links(event=event_id, outlet=chosen, wire=wire)
ui.copy_link()

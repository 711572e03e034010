"""Outlets: one outlet's framing profile against the corpus.

URL state: ``outlet`` (without it, a chooser); ``tab`` (events, similar, words, voices, tone,
labels); thresholds ``missed_min`` (fewest outlets behind a missed event), ``min_shared``
(fewest shared events for a similarity), ``words`` (``over``: words it uses more than the
others; ``under``: less), ``min_events`` (labels of actors labelled in at least this many
events) and ``actor`` (labels of one actor).
"""

import streamlit as st

from analysis import profiles
from analysis.store import Store
from dashboard import ui

TABS = {"events": "Events", "similar": "Similar outlets", "words": "Words", "voices": "Voices", "tone": "Tone",
        "labels": "Actor labels"}
DIRECTIONS = {"over": "Uses more than the other outlets", "under": "Uses less than the other outlets"}
TOP_WORDS = 25
TOP_ACTORS = 20
DATE = st.column_config.DatetimeColumn("First published", format="YYYY-MM-DD")


path = ui.open_store_or_stop()
st.title("Outlets")

all_outlets = ui.outlet_counts(path)["outlet"].tolist()
requested = ui.query_text("outlet")
tab = ui.query_choice("tab", list(TABS), "events")
state = {
    "missed_min": int(ui.query_number("missed_min", profiles.DEFAULT_MIN_OUTLETS_MISSED, low=1, high=10_000,
                                      integer=True)),
    "min_shared": int(ui.query_number("min_shared", profiles.DEFAULT_MIN_SHARED_EVENTS, low=1, high=100_000,
                                      integer=True)),
    "words": ui.query_choice("words", list(DIRECTIONS), "over"),
    "min_events": int(ui.query_number("min_events", 1, low=1, high=10_000, integer=True)),
    "actor": ui.query_text("actor"),
}
if not all_outlets:
    st.info("The corpus is empty. Add articles with `coverage-lens ingest PATH_OR_URL`.")
    ui.copy_link()
    st.stop()
if requested and requested not in all_outlets:
    ui.not_found(f"This link names an outlet that is not in this corpus ({ui.literal(requested, limit=64)}).",
                 back="outlets", back_label="Choose an outlet")

with st.sidebar:
    outlet = st.selectbox("Outlet", all_outlets, index=all_outlets.index(requested) if requested else None,
                          placeholder="Choose an outlet", key="outlets_outlet")
if outlet is None:
    ui.set_query()
    ui.nav_links()
    st.info("Choose an outlet in the sidebar to see its profile against the corpus.")
    ui.copy_link()
    st.stop()

ui.plain_text(outlet, kind="title")
article_events = ui.read(path, "article_events_with_outlets")
if article_events.empty:
    st.info("The corpus has not been analysed yet: run `coverage-lens analyze` to group articles into events.")
    ui.set_query(outlet=outlet)
    ui.nav_links(outlet=outlet)
    ui.copy_link()
    st.stop()
events = ui.read(path, "events")
summary = profiles.outlet_summary(article_events, outlet)
span = [stamp.date().isoformat() if stamp is not None else None
        for stamp in (summary["first_published"], summary["last_published"])]
if span[0]:
    ui.plain_text(f"Published from {span[0]} to {span[1]}" if span[0] != span[1] else f"Published on {span[0]}")
columns = st.columns(3)
columns[0].metric("Articles", f"{summary['articles']:,}")
columns[1].metric("Events covered", f"{summary['events']:,}")
columns[2].metric("Shared with other outlets", f"{summary['shared_events']:,}")

tabs = dict(zip(TABS, st.tabs(list(TABS.values()), default=TABS[tab], key="outlets_tab", on_change="rerun")))
tab = next((key for key, container in tabs.items() if container.open), tab)


def event_table(frame, name: str, key: str) -> None:
    """A table of events; selecting a row opens that event on the Event page."""
    picked = ui.table(frame, name, key=key, on_select="rerun", selection_mode="single-row", column_config={
        "event_id": st.column_config.TextColumn("Event"), "label": st.column_config.TextColumn("Headline"),
        "first_published": DATE, "outlet_articles": st.column_config.NumberColumn("Its articles"),
        "articles": st.column_config.NumberColumn("Articles"), "outlets": st.column_config.NumberColumn("Outlets"),
    })
    rows = picked.selection.rows if picked else []
    if rows:
        ui.go("event", event=frame.iloc[rows[0]]["event_id"], outlet=outlet)


with tabs["events"]:
    if tabs["events"].open:
        st.subheader("Events covered")
        st.caption("Select a row to open the event.")
        event_table(profiles.events_covered(article_events, events, outlet), f"{outlet} events covered",
                    "outlets_covered")
        st.subheader("Events missed")
        state["missed_min"] = int(st.number_input(
            "Covered by at least this many outlets", min_value=1, value=state["missed_min"], step=1,
            key="outlets_missed_min"))
        missed = profiles.events_missed(article_events, events, outlet, min_outlets=state["missed_min"])
        st.caption("Events other outlets covered while this one was publishing (from the day of its first article "
                   "to the day after its last), and it did not: its blind spots. Select a row to open the event.")
        if missed.empty:
            st.info("No such event: every event that many outlets covered in its publishing period, it covered too.")
        else:
            event_table(missed, f"{outlet} events missed", "outlets_missed")

with tabs["similar"]:
    if tabs["similar"].open:
        state["min_shared"] = int(st.number_input(
            "Compare with outlets sharing at least this many events", min_value=1, value=state["min_shared"],
            step=1, key="outlets_min_shared"))
        overall = ui.read(path, "outlet_similarity_overall")
        similar = profiles.similar_outlets(overall, outlet, min_shared_events=state["min_shared"])
        if similar.empty:
            shared = profiles.similar_outlets(overall, outlet, min_shared_events=1)["shared_events"]
            if shared.empty:
                st.info("No other outlet covered any of this outlet's events, so there is nothing to compare.")
            else:
                most = int(shared.max())
                st.info(f"No outlet shares {state['min_shared']} events with this one; the most any shares is "
                        f"{most}. Similarity over few events says little, so read it with care.")
                st.button(f"Compare with outlets sharing at least {most}", key="outlets_lower_min_shared",
                          on_click=lambda: st.session_state.update(outlets_min_shared=most))
        else:
            st.caption("Mean cosine similarity of the outlets' articles over the events both covered "
                       "(1: the same words in the same proportions).")
            ui.chart(profiles.similar_outlets_chart(similar, outlet), similar, f"{outlet} similar outlets",
                     key="outlets_similar")

with tabs["words"]:
    if tabs["words"].open:
        # Imported here: analysis.words loads scikit-learn, seconds that only this tab needs.
        from analysis.words import distinctive_terms_chart

        state["words"] = st.radio("Words", list(DIRECTIONS), index=list(DIRECTIONS).index(state["words"]),
                                  format_func=DIRECTIONS.get, horizontal=True, key="outlets_words")
        terms = ui.computed(path, Store.outlet_framing, "outlet_terms", outlet)
        terms = terms[terms["direction"] == state["words"]]
        terms = terms.reindex(terms["z"].abs().sort_values(ascending=False).index).head(TOP_WORDS)
        if terms.empty:
            st.info("No distinctive words are stored for this outlet (run `coverage-lens analyze`).")
        else:
            st.caption("Log-odds ratio with an informative prior (Monroe et al. 2008), this outlet against all the "
                       "others over the whole corpus; faded bars rest on too few uses or could be chance.")
            ui.chart(distinctive_terms_chart(terms, title="Distinctive words"), terms, f"{outlet} distinctive words",
                     key="outlets_words_chart")

with tabs["voices"]:
    if tabs["voices"].open:
        voices = ui.computed(path, profiles.read_outlet_voices, outlet)
        speakers = voices["speakers"]
        if speakers.empty:
            st.info("No quoted speakers are stored for this outlet's events shared with other outlets.")
        else:
            top = speakers.iloc[0]
            ui.plain_text(f"Most quoted: {top['speaker']} ({top['quoted_words']:,} quoted words, "
                          f"{top['share']:.0%} of its quoted words)", kind="text")
            ui.chart(profiles.speakers_chart(speakers), speakers, f"{outlet} speakers", key="outlets_speakers")
            types = voices["types"]
            if not types.empty:
                ui.chart(profiles.speaker_types_chart(types), types, f"{outlet} speaker types",
                         key="outlets_speaker_types")

with tabs["tone"]:
    if tabs["tone"].open:
        tone = ui.computed(path, profiles.read_outlet_tone, outlet)
        if tone.empty:
            st.info("No tone figures are stored for this outlet's events shared with other outlets.")
        else:
            st.caption("VADER compound score per sentence (−1 negative to 1 positive), pooled over this outlet's "
                       "events; its own voice apart from the text it quotes.")
            ui.chart(profiles.tone_profile_chart(tone), tone, f"{outlet} tone", key="outlets_tone")

with tabs["labels"]:
    if tabs["labels"].open:
        state["min_events"] = int(st.number_input(
            "Actors labelled in at least this many events (2 or more: recurring actors)", min_value=1,
            value=state["min_events"], step=1, key="outlets_min_events"))
        own, others = ui.computed(path, profiles.read_outlet_labels, outlet, min_events=state["min_events"])
        actors = sorted(own["actor"].unique())
        if state["actor"] and state["actor"] not in actors:
            st.warning(f"This outlet labels no actor {ui.literal(state['actor'])} here; showing every actor.")
            state["actor"] = ""
        state["actor"] = st.selectbox("Actor", [""] + actors, index=([""] + actors).index(state["actor"]),
                                      format_func=lambda actor: actor or "Every actor", key="outlets_actor") or ""
        if state["actor"]:
            own, others = own[own["actor"] == state["actor"]], others[others["actor"] == state["actor"]]
        if own.empty:
            st.info("No actor labels are stored for this outlet at this threshold.")
        else:
            labels_config = {
                "outlet": "Outlet", "actor": "Actor", "label": "Label", "label_kind": "Kind of label", "uses": "Uses",
                "events": "Events", "outlets_using": "Outlets using it",
                "share_of_uses": st.column_config.NumberColumn("Share of its uses", format="percent"),
            }
            st.subheader("Labels it uses")
            ui.table(own, f"{outlet} actor labels", key="outlets_labels", column_config=labels_config)
            st.subheader("Labels other outlets use for the same actors")
            most_labelled = own.groupby("actor")["uses"].sum().nlargest(TOP_ACTORS).index
            if not state["actor"] and len(most_labelled) < own["actor"].nunique():
                st.caption(f"For the {TOP_ACTORS} actors it labels most; choose an actor above to see another.")
                others = others[others["actor"].isin(set(most_labelled))]
            ui.table(others, f"{outlet} actor labels by others", key="outlets_labels_others",
                     column_config=labels_config)

defaults = {"missed_min": profiles.DEFAULT_MIN_OUTLETS_MISSED, "min_shared": profiles.DEFAULT_MIN_SHARED_EVENTS,
            "words": "over", "min_events": 1, "actor": ""}
ui.set_query(outlet=outlet, tab=None if tab == "events" else tab,
             **{name: value for name, value in state.items() if value != defaults[name]})
ui.nav_links(outlet=outlet)
ui.copy_link()

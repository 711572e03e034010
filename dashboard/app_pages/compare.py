"""Compare: two articles side by side, their shared, reworded and unique sentences highlighted,
and the claims each one alone carries.

URL state: ``a`` and ``b`` (article ids), ``event`` (the event both are in), ``outlet`` (twice:
the outlets of A and B), ``shared`` and ``reworded`` (sentence thresholds, when not the
settings' defaults) and ``wire`` (``flag``, or ``leave_out``: wire copies are not offered, so each
outlet's main article is one of its own). A link may name just the event and two outlets: each side is then that
outlet's main article in the event (the one with the most claims; see
:func:`analysis.comparison.main_articles`), and the page writes the chosen ids into the URL.
Two articles of different events (or not analysed yet) are compared sentence by sentence only:
claims are matched inside one event.
"""

import pandas as pd
import streamlit as st

from analysis import comparison
from analysis.charts import HIGHLIGHT_COLORS, alignment_chart
from analysis.settings import setting
from dashboard import ui

SIDES = ("a", "b")
DEFAULT_SHARED = float(setting("sentence_shared_threshold"))
DEFAULT_REWORDED = float(setting("sentence_reworded_threshold"))
WIDGETS = ("compare_outlet_a", "compare_outlet_b", "compare_article_a", "compare_article_b")


def _forget(*keys: str) -> None:
    """Drop choices that belonged to what was shown before (another event, another outlet)."""
    for key in keys:
        st.session_state.pop(key, None)


def _swap() -> None:
    state = st.session_state
    for left, right in (("compare_outlet_a", "compare_outlet_b"), ("compare_article_a", "compare_article_b")):
        state[left], state[right] = state.get(right), state.get(left)


path = ui.open_store_or_stop()
st.title("Compare")
events = ui.read(path, "events")

requested = {side: ui.query_text(side) for side in SIDES}
requested_event = ui.query_text("event")
requested_outlets = ui.query_list("outlet")
shared_requested = ui.query_number("shared", DEFAULT_SHARED, low=0.0, high=1.0)
reworded_requested = ui.query_number("reworded", DEFAULT_REWORDED, low=0.0, high=1.0)
requested_wire = ui.query_choice("wire", ("flag", "leave_out"), "flag")

for side in SIDES:
    if requested[side] and ui.read(path, "article", requested[side]) is None:
        ui.not_found(
            f"There is no article {ui.literal(requested[side], limit=64)} in this corpus (the link may come from "
            "another corpus, or the article was removed).", back="compare", back_label="Start a new comparison",
        )
if requested_event and not (events["event_id"] == requested_event).any():
    ui.not_found(
        f"There is no event {ui.literal(requested_event, limit=64)} in this corpus: the link may come from another "
        "corpus, or a later analysis regrouped its articles into other events.",
        back="compare", back_label="Start a new comparison",
    )

named = sorted({requested[side] for side in SIDES if requested[side]})
event_of = ui.computed(path, comparison.events_of_articles, named) if named else {}
events_requested = {side: event_of.get(requested[side]) for side in SIDES if requested[side]}
# Two articles named and not in one event: only their sentences can be compared, until the reader
# picks an event.
cross = (len(events_requested) == 2 and (None in events_requested.values()
                                          or len(set(events_requested.values())) == 2)
         and st.session_state.get("compare_event") is None)
# The articles' own event comes first: an id names one article, an event link may be older.
common = set(events_requested.values()) if len(events_requested) == 2 else set()
if len(common) == 1 and None not in common:
    start_event = common.pop()
elif requested_event:
    start_event = requested_event
else:
    start_event = next((event for event in events_requested.values() if event is not None), None)
if cross:
    start_event = None

with st.sidebar:
    st.caption("Sentence thresholds (TF-IDF cosine of a sentence and its closest match)")
    shared = round(st.number_input("Shared at or above", 0.0, 1.0, shared_requested, 0.05, key="compare_shared"), 3)
    reworded = round(st.number_input("Reworded at or above", 0.0, 1.0, reworded_requested, 0.05,
                                     key="compare_reworded"), 3)
    leave_out = st.checkbox(
        "Leave out wire copies", value=requested_wire == "leave_out", key="compare_wire", on_change=_forget,
        args=WIDGETS, help="Offer only articles that are not wire copies (an earlier article of another outlet "
                           "repeated nearly word for word), so each outlet is compared through its own reporting.",
    )
wire = "leave_out" if leave_out else None
if reworded > shared:
    st.warning(f"The reworded threshold ({reworded:g}) is above the shared one ({shared:g}); using {shared:g} "
               "for both.")
    reworded = shared

choices = comparison.event_choices(events, current=start_event)
labels = dict(zip(choices["event_id"], choices["choice"]))
event_ids = choices["event_id"].tolist()
event_id = st.selectbox(
    "Event", event_ids, index=event_ids.index(start_event) if start_event in event_ids else None,
    format_func=labels.get, key="compare_event",
    placeholder="Pick an event to compare two outlets' coverage of it" if not cross
    else "These two articles are in different events; pick an event to compare its outlets instead",
    on_change=_forget, args=WIDGETS,
)

if cross:
    article_ids = {side: requested[side] for side in SIDES}
    outlets = {side: ui.read(path, "article", article_ids[side])["outlet"] for side in SIDES}
elif event_id is None:
    ui.set_query(shared=None if shared == DEFAULT_SHARED else shared,
                 reworded=None if reworded == DEFAULT_REWORDED else reworded, wire=wire)
    st.info("Pick an event, or open two articles from the Event page, to compare them side by side.")
    ui.nav_links(wire=wire)
    ui.copy_link()
    st.stop()
else:
    event_articles = ui.computed(path, comparison.event_articles, event_id)
    copied = set(ui.read(path, "wire_copies", event_id)["article_id"])
    if leave_out:
        event_articles = comparison.event_scope(event_articles, ui.read(path, "wire_copies", event_id),
                                                without_wire_copies=True).articles
    claims_of_event = ui.read(path, "claims", event_id)
    main = comparison.main_articles(event_articles, claims_of_event)
    main_of = dict(zip(main["outlet"], main["article_id"]))
    outlet_of = dict(zip(event_articles["article_id"], event_articles["outlet"]))
    event_outlets = sorted(main_of)
    default_pair = comparison.default_outlet_pair(event_articles)
    start_outlets = {}
    for position, side in enumerate(SIDES):
        if requested[side] in outlet_of:
            start_outlets[side] = outlet_of[requested[side]]
        elif len(requested_outlets) > position and requested_outlets[position] in main_of:
            start_outlets[side] = requested_outlets[position]
        else:
            others = [name for name in default_pair + event_outlets if name != start_outlets.get("a")]
            start_outlets[side] = others[0] if others else default_pair[0]
    stale = [side.upper() for side in SIDES if requested[side] and requested[side] not in outlet_of]
    if leave_out and stale and all(requested[label.lower()] in copied for label in stale):
        st.info(f"Article {' and '.join(stale)} of the link is a wire copy, left out: each side shows its outlet's "
                "main article among its own instead.")
    elif stale and event_id == requested_event:
        st.info(f"Article {' and '.join(stale)} of the link is not in this event; each side shows its outlet's main "
                "article instead.")
    if not event_outlets:
        st.info("Every article of this event is a wire copy of an article outside it: untick “Leave out wire "
                "copies” to compare them.")
        ui.nav_links(event=event_id, wire=wire)
        ui.copy_link()
        st.stop()
    if len(event_outlets) == 1:
        st.info("One outlet covered this event: both sides show its articles.")
    left, right = st.columns(2)
    outlets, article_ids = {}, {}
    for side, column in zip(SIDES, (left, right)):
        with column:
            outlets[side] = st.selectbox(
                f"Outlet {side.upper()}", event_outlets, index=event_outlets.index(start_outlets[side]),
                key=f"compare_outlet_{side}", on_change=_forget, args=(f"compare_article_{side}",),
            )
            own = event_articles[event_articles["outlet"] == outlets[side]]
            options = own["article_id"].tolist()
            titles = dict(zip(own["article_id"], own["title"].fillna("(untitled)").astype(str).str.slice(0, 100)
                              + own["published"].dt.strftime(" (%Y-%m-%d)").fillna("")))
            if requested[side] in options:
                start = requested[side]
            elif side == "b" and outlets["b"] == outlets["a"] and len(options) > 1:
                start = next(option for option in options if option != article_ids["a"])
            else:
                start = main_of[outlets[side]]
            article_ids[side] = st.selectbox(
                f"Article {side.upper()}", options, index=options.index(start), format_func=titles.get,
                key=f"compare_article_{side}",
                help="The outlet's main article in the event (most claims) unless another is chosen.",
            )
    st.button("Swap A and B", on_click=_swap, icon=":material/swap_horiz:", key="compare_swap")

ui.set_query(
    event=event_id, outlet=[outlets["a"], outlets["b"]], a=article_ids["a"], b=article_ids["b"],
    shared=None if shared == DEFAULT_SHARED else shared, reworded=None if reworded == DEFAULT_REWORDED else reworded,
    wire=wire,
)

try:
    a_to_b, b_to_a = ui.computed(path, comparison.align_pair, article_ids["a"], article_ids["b"],
                                 shared_threshold=shared, reworded_threshold=reworded)
except LookupError:
    st.info("This corpus has not been analysed yet, so there is no model to compare sentences with: run "
            "`coverage-lens analyze`.")
    ui.nav_links()
    ui.copy_link()
    st.stop()
same_event = not cross and event_id is not None
claims = (claims_of_event[claims_of_event["article_id"].isin(article_ids.values())] if same_event
          else pd.DataFrame(columns=["article_id", "sentence_no", "claim_group"]))
a_to_b, b_to_a = comparison.match_by_claims(a_to_b, b_to_a, claims, article_ids["a"], article_ids["b"])
counts = comparison.alignment_counts(a_to_b, b_to_a).set_index("side")
copies_shown = comparison.wire_copies_among(ui.read(path, "wire_copies"), list(article_ids.values()))
copy_of = {row["article_id"]: row for _, row in copies_shown.iterrows()}

st.caption("Green: the other article has a sentence in nearly the same words. Orange: reworded (a sentence with "
           "some of the same words, or one whose claim was matched to a claim of the other article). No colour: "
           "only this article says it.")
columns = st.columns(2)
for side, alignment, column in (("a", a_to_b, columns[0]), ("b", b_to_a, columns[1])):
    article, _ = ui.article(path, article_ids[side])
    with column:
        published = article["published"].date().isoformat() if article["published"] else "date unknown"
        ui.plain_text(f"{side.upper()} · {article['outlet']} · {published}")
        ui.plain_text(article["title"] or "(untitled)", kind="text")
        if article_ids[side] in copy_of:
            copy = copy_of[article_ids[side]]
            ui.plain_text(f"Wire copy of {copy['copied_outlet']}'s article “{copy['copied_title'] or '(untitled)'}” "
                          f"(similarity {copy['similarity']:.2f})")
            ui.page_link("article", "Read the article it copies", article=copy["wire_copy_of"])
        row = counts.loc[side.upper()]
        metrics = st.columns(3)
        metrics[0].metric("Shared", int(row["shared"]))
        metrics[1].metric("Reworded", int(row["reworded"]))
        metrics[2].metric("Only here", int(row["unique"]))
        ui.page_link("article", "Read the whole article", article=article_ids[side])
        ui.highlighted([(text, HIGHLIGHT_COLORS[status]) for text, status in zip(alignment["text"],
                                                                                   alignment["status"])])

st.subheader("Sentence by sentence")
sentence_columns = {"text": st.column_config.TextColumn("Sentence", width="large"),
                    "match_text": st.column_config.TextColumn("Closest sentence in the other", width="large"),
                    "claim_match_text": st.column_config.TextColumn("Sentence with the same claim", width="large")}
for side, alignment, other in (("a", a_to_b, "B"), ("b", b_to_a, "A")):
    ui.chart(alignment_chart(alignment, title=f"Each sentence of {side.upper()}: its closest sentence in {other}"),
             alignment, f"sentences_{side}_vs_{other.lower()}", key=f"compare_alignment_{side}")

st.subheader("Claims")
if not same_event:
    st.info("These articles are in different events (or not analysed yet): claims are matched only between "
            "articles of one event, so only their sentences are compared.")
else:
    both = comparison.pair_claims(claims, article_ids["a"], article_ids["b"])
    if both.empty:
        st.info("Neither article has claims: claims are extracted only for events that two or more outlets covered.")
    else:
        parts = (("A only", "Claims only A carries", "text_a"), ("B only", "Claims only B carries", "text_b"))
        columns = st.columns(2)
        for (carried_by, title, text_column), column in zip(parts, columns):
            with column:
                st.markdown(f"**{title}**")
                alone = both.loc[both["carried_by"] == carried_by, ["claim_group", text_column]].reset_index(drop=True)
                ui.table(alone, title, key=f"compare_{carried_by[0].lower()}_only",
                         column_config={text_column: st.column_config.TextColumn("Claim", width="large")})
        st.markdown("**Claims both carry**")
        shared_claims = both.loc[both["carried_by"] == "both", ["claim_group", "text_a", "text_b"]].reset_index(drop=True)
        ui.table(shared_claims, "claims_both_carry", key="compare_both",
                 column_config={"text_a": st.column_config.TextColumn("In A", width="large"),
                                "text_b": st.column_config.TextColumn("In B", width="large")})
        pair_claims, pair_links = comparison.restrict_claims(
            claims, ui.read(path, "claim_links", event_id), article_ids=list(article_ids.values()))
        conflicts = comparison.conflict_listing(pair_claims, pair_links)
        if len(conflicts):
            st.markdown("**Figures that disagree**")
            ui.table(conflicts, "conflicting_figures", key="compare_conflicts")

if same_event:
    ui.page_link("event", "Back to the event", event=event_id, outlet=[outlets["a"], outlets["b"]], wire=wire)
ui.nav_links(event=event_id, outlet=[outlets["a"], outlets["b"]], wire=wire)
ui.copy_link()

"""Overview: the corpus at a glance. URL state: ``outlet`` (repeatable), ``freq``.

Counts, the coverage timeline, events ranked by how many outlets covered them, blind spots
(events most outlets covered that some active outlets missed), outlets, and the newest articles.
"""

from collections.abc import Callable

import pandas as pd
import streamlit as st

from analysis.charts import timeline_chart
from analysis.overview import OTHER_OUTLETS, blind_spots, coverage_timeline, events_by_outlet_count
from analysis.settings import setting
from dashboard import ui

FREQUENCIES = ("auto", "day", "week", "month", "year")
# Rows drawn in a table; the CSV downloads hold every row. Drawing 37k rows costs seconds.
EVENTS_SHOWN = 100
ARTICLES_SHOWN = 1000
# Outlets the timeline draws apart when none are chosen.
TIMELINE_OUTLETS = 12
# "Most outlets" for a blind spot: at least this many outlets, and at least this share of the
# outlets that published anything around the event's dates.
BLIND_SPOT_MIN_OUTLETS = 3
BLIND_SPOT_MIN_SHARE = 0.5
_DATE = {"format": "YYYY-MM-DD"}


def bounded_table(shown: pd.DataFrame, name: str, *, key: str, column_config: dict, total: int,
                  every_row: Callable[[], pd.DataFrame]):
    """``shown`` (the first rows of a longer table) as a selectable table with a CSV of those rows,
    plus a CSV of all ``total`` rows, built by ``every_row`` only when it is clicked. Columns in the
    order of ``column_config``. Returns the row picked, or None."""
    picked = ui.table(shown, name, key=key, column_config=column_config, column_order=list(column_config),
                      on_select="rerun", selection_mode="single-row")
    if total > len(shown):
        st.download_button(f"Download all {total:,} rows (CSV)", lambda: every_row().to_csv(index=False),
                           f"{name}_all.csv", "text/csv", key=f"{key}_all_csv", icon=":material/download:",
                           on_click="ignore")
    rows = picked.selection.rows if picked else []
    return shown.iloc[rows[0]] if rows else None


path = ui.open_store_or_stop()
summary = ui.summary(path)
st.title("Coverage Lens")
ui.plain_text(f"Corpus {path.stem}")
if summary["articles"] == 0:
    st.info("The corpus is empty. Add articles on the Data page, or with `coverage-lens ingest PATH_OR_URL`.")
    ui.page_link("data", "Add articles on the Data page")
    ui.nav_links()
    ui.copy_link()
    st.stop()

outlet_counts = ui.outlet_counts(path)
all_outlets = outlet_counts["outlet"].tolist()
requested = ui.known_values("outlets", ui.query_list("outlet"), all_outlets)
requested_freq = ui.query_choice("freq", FREQUENCIES, "auto")

with st.sidebar:
    chosen = st.multiselect("Outlets", all_outlets, default=requested, key="overview_outlets",
                            placeholder="All outlets")
    frequency = st.selectbox("Time bins", FREQUENCIES, index=FREQUENCIES.index(requested_freq), key="overview_freq")
ui.set_query(outlet=chosen, freq=None if frequency == "auto" else frequency)

articles = ui.articles(path)
if chosen:
    articles = articles[articles["outlet"].isin(chosen)]

dates = articles["published"].dropna()
first = dates.min().date().isoformat() if len(dates) else "–"
last = dates.max().date().isoformat() if len(dates) else "–"
columns = st.columns(4)
columns[0].metric("Articles", f"{len(articles):,}")
columns[1].metric("Outlets", f"{articles['outlet'].nunique():,}")
columns[2].metric("First published", first)
columns[3].metric("Last published", last)
undated = len(articles) - len(dates)
if undated:
    st.caption(f"{undated:,} articles have no publication date and are left out of the timeline.")
wire_copies = ui.read(path, "wire_copies")
wire_copies = wire_copies[wire_copies["outlet"].isin(articles["outlet"])]
if len(wire_copies):
    st.caption(f"{len(wire_copies):,} of these articles are wire copies: they repeat, nearly word for word, an "
               "earlier article of another outlet. The Event and Compare pages flag them and can leave them out.")

st.subheader("Coverage over time")
timeline = coverage_timeline(articles, frequency=None if frequency == "auto" else frequency,
                             top_outlets=None if chosen else TIMELINE_OUTLETS)
if (timeline["outlet"] == OTHER_OUTLETS).any():
    st.caption(f"The {TIMELINE_OUTLETS} outlets with the most articles are drawn apart, the others together as "
               f"{OTHER_OUTLETS}; choose outlets in the sidebar to draw them apart.")
if timeline.empty:
    st.info("None of the selected articles has a publication date.")
else:
    ui.chart(timeline_chart(timeline), timeline, "coverage_timeline", key="overview_timeline")

st.subheader("Events covered by the most outlets")
if ui.read(path, "last_run") is None:
    st.info("This corpus has not been analysed yet, so there are no events to rank. Run the analysis "
            "on the Data page (or `coverage-lens analyze`).")
    ui.page_link("data", "Analyse on the Data page")
else:
    article_events = ui.read(path, "article_events_with_outlets")
    not_analysed = summary["articles"] - len(article_events)
    if chosen:
        article_events = article_events[article_events["outlet"].isin(chosen)]
    events = ui.read(path, "events")
    if not_analysed > 0:
        st.caption(f"{not_analysed:,} articles were added after the last analysis and are in no event yet.")
    ranked = events_by_outlet_count(article_events, events, top=EVENTS_SHOWN)
    event_count = article_events["event_id"].nunique()
    event_columns = {
        "label": st.column_config.TextColumn("Event"),
        "outlets": st.column_config.NumberColumn("Outlets"),
        "outlet_names": st.column_config.TextColumn("Covered by"),
        "articles": st.column_config.NumberColumn("Articles"),
        "first_published": st.column_config.DatetimeColumn("First published", **_DATE),
        "last_published": st.column_config.DatetimeColumn("Last published", **_DATE),
        "event_id": st.column_config.TextColumn("Event id"),
    }
    st.caption(f"Select a row to open the event. {len(ranked):,} of {event_count:,} events, "
               "most outlets first" + (" (counting the selected outlets only)." if chosen else "."))
    picked = bounded_table(ranked, "events_by_outlets", key="overview_events", column_config=event_columns,
                           total=event_count, every_row=lambda: events_by_outlet_count(article_events, events))
    if picked is not None:
        ui.go("event", event=picked["event_id"])

    st.subheader("Blind spots")
    window = float(setting("event_window_days"))
    st.caption(
        f"Events at least {BLIND_SPOT_MIN_OUTLETS} outlets covered, making up at least "
        f"{BLIND_SPOT_MIN_SHARE:.0%} of the outlets that published anything from {window:g} days before the "
        f"event to {window:g} days after it, which other outlets active then did not cover. "
        "Select a row to open the event."
    )
    spots = blind_spots(article_events, events, min_outlets=BLIND_SPOT_MIN_OUTLETS,
                        min_share=BLIND_SPOT_MIN_SHARE, window_days=window)
    if spots.empty:
        st.info(f"No blind spots: no event was covered by {BLIND_SPOT_MIN_OUTLETS} or more outlets "
                f"and missed by another outlet active at the time.")
    else:
        picked = bounded_table(
            spots.head(EVENTS_SHOWN), "blind_spots", key="overview_blind_spots", total=len(spots),
            every_row=lambda: spots, column_config={
                "label": event_columns["label"],
                "outlets": st.column_config.NumberColumn("Outlets covering"),
                "active_outlets": st.column_config.NumberColumn("Outlets active"),
                "share": st.column_config.ProgressColumn("Share covering", format="percent", min_value=0.0,
                                                         max_value=1.0),
                "missed": st.column_config.NumberColumn("Outlets missing"),
                "missed_by": st.column_config.TextColumn("Missed by"),
                "first_published": event_columns["first_published"],
                "last_published": event_columns["last_published"],
                "event_id": event_columns["event_id"],
            },
        )
        if picked is not None:
            ui.go("event", event=picked["event_id"])

st.subheader("Outlets")
shown_counts = outlet_counts[outlet_counts["outlet"].isin(chosen)] if chosen else outlet_counts
ui.table(shown_counts, "outlets", key="overview_outlet_counts", column_config={
    "outlet": st.column_config.TextColumn("Outlet"), "articles": st.column_config.NumberColumn("Articles"),
    "first_published": st.column_config.DatetimeColumn("First published", **_DATE),
    "last_published": st.column_config.DatetimeColumn("Last published", **_DATE),
})

st.subheader("Articles")
listing = articles[["published", "outlet", "title", "url", "article_id"]]
st.caption("Select a row to read the article."
           + (f" The newest {ARTICLES_SHOWN:,} of {len(listing):,} are shown." if len(listing) > ARTICLES_SHOWN else ""))
picked = bounded_table(listing.head(ARTICLES_SHOWN), "articles", key="overview_articles", total=len(listing),
                       every_row=lambda: listing, column_config={
    "published": st.column_config.DatetimeColumn("Published", **_DATE),
    "outlet": st.column_config.TextColumn("Outlet"), "title": st.column_config.TextColumn("Title"),
    "url": st.column_config.TextColumn("URL"),
    "article_id": st.column_config.TextColumn("Article id"),
})
if picked is not None:
    ui.go("article", article=picked["article_id"])

ui.nav_links(outlet=chosen)
ui.copy_link()

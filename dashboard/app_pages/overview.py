"""Overview: the corpus at a glance. URL state: ``outlet`` (repeatable), ``freq``."""

import streamlit as st

from analysis.charts import timeline_chart
from analysis.overview import coverage_timeline
from dashboard import ui

FREQUENCIES = ("auto", "day", "week", "month", "year")

path = ui.open_store_or_stop()
summary = ui.summary(path)
st.title("Coverage Lens")
if summary["articles"] == 0:
    st.info("The corpus is empty. Add articles with `coverage-lens ingest PATH_OR_URL`.")
    st.stop()

outlet_counts = ui.outlet_counts(path)
all_outlets = outlet_counts["outlet"].tolist()

requested = st.query_params.get_all("outlet")
unknown = [name for name in requested if name not in all_outlets]
if unknown:
    st.warning(
        "This link names outlets that are not in the corpus, so they are left out: "
        + ", ".join(ui.literal(name) for name in unknown[:10])
    )
requested_freq = st.query_params.get("freq", "auto")
if requested_freq not in FREQUENCIES:
    st.warning(f"Unknown time bin {ui.literal(requested_freq)} in the link; showing automatic bins.")
    requested_freq = "auto"

with st.sidebar:
    chosen = st.multiselect(
        "Outlets", all_outlets, default=[name for name in requested if name in all_outlets],
        key="overview_outlets", placeholder="All outlets",
    )
    frequency = st.selectbox("Time bins", FREQUENCIES, index=FREQUENCIES.index(requested_freq), key="overview_freq")
st.query_params.from_dict({"outlet": chosen, **({"freq": frequency} if frequency != "auto" else {})})

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

timeline = coverage_timeline(articles, frequency=None if frequency == "auto" else frequency)
st.subheader("Coverage over time")
if timeline.empty:
    st.info("None of the selected articles has a publication date.")
else:
    st.altair_chart(timeline_chart(timeline), width="stretch")
    with st.expander("Table behind the chart"):
        st.dataframe(timeline, hide_index=True, width="stretch")
        st.download_button(
            "Download CSV", timeline.to_csv(index=False), "coverage_timeline.csv", "text/csv", key="overview_timeline_csv"
        )

st.subheader("Outlets")
shown_counts = outlet_counts[outlet_counts["outlet"].isin(chosen)] if chosen else outlet_counts
st.dataframe(
    shown_counts,
    hide_index=True,
    width="stretch",
    column_config={
        "first_published": st.column_config.DatetimeColumn("First published", format="YYYY-MM-DD"),
        "last_published": st.column_config.DatetimeColumn("Last published", format="YYYY-MM-DD"),
    },
)

st.subheader("Articles")
st.caption("Select a row to read the article.")
listing = articles[["published", "outlet", "title", "url", "article_id"]]
selection = st.dataframe(
    listing,
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    key="overview_articles",
    column_config={
        "published": st.column_config.DatetimeColumn("Published", format="YYYY-MM-DD"),
        "url": st.column_config.TextColumn("URL"),
        "article_id": st.column_config.TextColumn("Article id"),
    },
)
st.download_button(
    "Download article list (CSV)", listing.to_csv(index=False), "articles.csv", "text/csv", key="overview_articles_csv"
)
rows = selection.selection.rows if selection else []
if rows:
    st.switch_page("app_pages/article.py", query_params={"article": listing.iloc[rows[0]]["article_id"]})

ui.copy_link()

"""Article: one stored article, cleaned and split into sentences. URL state: ``article``."""

import streamlit as st

from dashboard import ui

path = ui.open_store_or_stop()
article_id = ui.query_text("article")

if not article_id:
    st.info("No article chosen. Pick one from the article list on the Overview page.")
    ui.page_link("overview", "Back to the overview", icon=":material/arrow_back:")
    ui.copy_link()
    st.stop()

article, sentences = ui.article(path, article_id)
if article is None:
    ui.not_found(
        f"There is no article with id {ui.literal(article_id, limit=64)} in this corpus "
        "(the link may come from another corpus, or the article was removed)."
    )

ui.set_query(article=article_id)
ui.page_link("overview", "Overview", icon=":material/arrow_back:")
ui.plain_text(article["title"] or "(untitled)", kind="title")
published = article["published"].date().isoformat() if article["published"] else "date unknown"
ui.plain_text(
    f"{article['outlet']} · {published} · language {article['language'] or '?'} "
    f"· outlet from {article['outlet_basis']}"
)
if article["url"] and str(article["url"]).startswith(("http://", "https://")):
    st.link_button("Open the original page", article["url"])

text_tab, sentence_tab, raw_tab = st.tabs(["Cleaned text", f"Sentences ({len(sentences)})", "Raw text"])
with text_tab:
    for paragraph in article["text"].split("\n\n"):
        st.text(paragraph)
with sentence_tab:
    st.dataframe(sentences[["sentence_no", "is_headline", "text", "start", "end"]], hide_index=True, width="stretch")
with raw_tab:
    st.text(article["raw_text"])
ui.plain_text(f"Source: {article['source']} · id {article['article_id']}")

ui.nav_links()
ui.copy_link()

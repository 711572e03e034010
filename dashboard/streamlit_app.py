"""Coverage Lens dashboard: ``streamlit run dashboard/streamlit_app.py`` (or ``coverage-lens dashboard``).

Pages live in ``app_pages/``; each reads its view state from the URL, calls the
``analysis`` library through the cached loaders in ``dashboard.ui`` and draws.
"""

import streamlit as st

from dashboard.ui import PAGE_ICONS, PAGE_TITLES, PAGES

st.set_page_config(page_title="Coverage Lens", page_icon=":material/compare:", layout="wide")

pages = [
    st.Page(PAGES[key], title=PAGE_TITLES[key], icon=PAGE_ICONS[key], default=key == "overview",
            url_path=None if key == "overview" else key)
    for key in PAGES
]
st.navigation(pages).run()

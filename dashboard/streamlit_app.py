"""Coverage Lens dashboard: ``streamlit run dashboard/streamlit_app.py`` (or ``coverage-lens dashboard``).

Pages live in ``app_pages/``; each reads its view state from the URL, calls the
``analysis`` library through the cached loaders in ``dashboard.ui`` and draws.
"""

import streamlit as st

st.set_page_config(page_title="Coverage Lens", page_icon=":material/compare:", layout="wide")

pages = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("app_pages/article.py", title="Article", icon=":material/article:", url_path="article"),
]
st.navigation(pages).run()

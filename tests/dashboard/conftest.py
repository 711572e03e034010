"""Shared AppTest pieces: the app script, and the dashboard run over a given store."""

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO

APP = str(REPO / "dashboard" / "streamlit_app.py")


@pytest.fixture
def app_over(monkeypatch):
    """A function making an AppTest of the dashboard over ``store_path`` (the default corpus),
    opened on ``page`` (``app_pages/<name>.py``) when given. Streamlit's data cache is cleared
    before and after, so no test sees another's reads."""

    def make(store_path, page: str | None = None) -> AppTest:
        monkeypatch.setenv("COVERAGE_LENS_DB", str(store_path))
        st.cache_data.clear()
        at = AppTest.from_file(APP, default_timeout=60)
        if page:
            at.switch_page(page)
        return at

    yield make
    st.cache_data.clear()


def run_with(app: AppTest, **params) -> AppTest:
    """Run ``app`` with these query parameters, as a pasted link would open it; it must not raise."""
    for name, value in params.items():
        app.query_params[name] = value
    app.run()
    assert not app.exception, [error.value for error in app.exception]
    return app

"""Every page goes through app.py: a page opened by a deep link before app.py ran runs app.py instead."""

from __future__ import annotations

import contextvars
import runpy
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]  # the repository: app.py, pages/, sample_data/


# Set while app.py runs the selected page. Streamlit runs a file from pages/ on its own
# (its older "pages directory" mode) when a deep link (/segments) is the first request a
# fresh server gets, before any st.navigation call; such a run goes through app.py instead.
_UNDER_APP: contextvars.ContextVar[bool] = contextvars.ContextVar("segkit_under_app", default=False)


@contextmanager
def app_context() -> Iterator[None]:
    token = _UNDER_APP.set(True)
    try:
        yield
    finally:
        _UNDER_APP.reset(token)


def route_through_app() -> None:
    """First line of every page: a page run without app.py runs app.py (which runs the page)."""
    if _UNDER_APP.get():
        return
    runpy.run_path(str(ROOT / "app.py"), run_name="__segkit_app__")
    st.stop()

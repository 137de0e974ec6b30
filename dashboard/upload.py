"""The Data page's upload, made safe against leaving the page early.

The uploader's on_change callback runs before any page script on the next run, even
when the analyst has already clicked another page (the uploader is then not drawn, and
Streamlit forgets its value). So the callback only keeps the uploaded file in the
session (`sk_pending_upload`); app.py then reads it before whichever page runs, shows
progress with the file name escaped, and either switches the dataset or keeps the
error (`sk_upload_error`) for the page to show. A run interrupted while reading leaves
the file pending, and the next run reads it again (st.cache_data makes that cheap).
"""

from __future__ import annotations

import streamlit as st

from dashboard.language import adopt_language_default
from dashboard.state import dataset_from_upload, set_dataset
from dashboard.ui import md
from dashboard.waiting import bar_slot, with_progress
from dashboard.words import dataset_label, tr
from segkit.errors import SegkitInputError
from segkit.waits import plans

UPLOAD_KEY = "data_upload"


def remember_upload() -> None:
    """on_change of the Data page's uploader: keep the file until it has been read."""
    uploaded = st.session_state.get(UPLOAD_KEY)
    if uploaded is not None:
        st.session_state["sk_pending_upload"] = uploaded


def reading_label(name: str) -> str:
    """The progress bar's title while a file is read; the name is escaped like every other label."""
    return tr("data.reading", name=md(name))


def process_pending_upload() -> None:
    """Read a pending upload (any page): the new dataset, or the error for the Data page."""
    slot = bar_slot()  # on every run, so the page below keeps its place
    uploaded = st.session_state.get("sk_pending_upload")
    if uploaded is None:
        return
    dataset = st.session_state.get("sk_dataset")
    if dataset is not None and dataset.upload_id == uploaded.file_id:
        st.session_state["sk_pending_upload"] = None
        return
    try:
        data = uploaded.getvalue()
        new = with_progress(reading_label(uploaded.name), plans.upload_wait(len(data), plans.read_kind(uploaded.name)),
                            lambda: dataset_from_upload(data, uploaded.name, uploaded.file_id), slot)
    except SegkitInputError as exc:
        st.session_state["sk_upload_error"] = tr("data.cannot_use", name=md(uploaded.name), error=md(exc))
        st.session_state["sk_upload_failed"] = uploaded.name
    except Exception as exc:  # noqa: BLE001 - never a traceback for a bad file
        st.session_state["sk_upload_error"] = tr("data.unreadable", name=md(uploaded.name),
                                                 error=type(exc).__name__, detail=md(exc))
        st.session_state["sk_upload_failed"] = uploaded.name
    else:
        set_dataset(new)
        adopt_language_default(new)  # Chinese or mixed texts: the multilingual embedder by default
        st.session_state["sk_upload_error"] = None
        st.session_state["sk_upload_failed"] = None
        st.session_state["data_message"] = ("success", tr("data.loaded", name=new.name, rows=f"{len(new.frame):,}"))
    st.session_state["sk_pending_upload"] = None


def show_upload_error() -> None:
    """The last upload's error, once, with the dataset still in use."""
    error = st.session_state.get("sk_upload_error")
    if not error:
        return
    st.error(error, icon=":material/error:")
    dataset = st.session_state.get("sk_dataset")
    if dataset is not None:
        st.caption(tr("data.still_using", name=md(dataset_label(dataset))))
    st.session_state["sk_upload_error"] = None

"""1 · Data: upload a file (or use the sample), check it, and say what each column is."""

from dashboard.routing import route_through_app

route_through_app()  # a deep link opened before app.py ever ran

import streamlit as st

from dashboard.compute import user_table
from dashboard.data_sections import file_facts, roles_form, validation_section
from dashboard.state import (
    ensure_dataset,
    init_page_state,
    load_sample,
    set_dataset,
)
from dashboard.ui import md, page_header, previous_settings_offer
from dashboard.upload import UPLOAD_KEY, remember_upload, show_upload_error
from dashboard.words import tr
from segkit.errors import SegkitInputError
from segkit.io.read import SUPPORTED

init_page_state("data", {"message": None})
page_header(tr("nav.data"), tr("data.intro"))

dataset = ensure_dataset()

# ------------------------------------------------------------------ source
source_col, sample_col = st.columns([3, 1], vertical_alignment="bottom")
with source_col:
    uploaded = st.file_uploader(
        tr("data.upload"),
        type=[s.lstrip(".") for s in SUPPORTED],
        key=UPLOAD_KEY,
        help=tr("data.upload_help"),
        on_change=remember_upload,
    )
with sample_col:
    if st.button(tr("data.use_sample"), icon=":material/dataset:", key="data_use_sample",
                 disabled=dataset.is_sample, width="stretch"):
        set_dataset(load_sample())
        st.session_state["sk_embedder_reason"] = None
        st.session_state["sk_upload_failed"] = None
        st.session_state["data_message"] = ("success", tr("data.loaded_sample"))
        st.rerun()

# The upload itself was read before this page ran (pages/_shared/upload.py, called from
# app.py), so that leaving the page at once cannot lose it.
show_upload_error()

message = st.session_state.get("data_message")
if message:
    kind, text = message
    getattr(st, kind)(md(text), icon=":material/check_circle:" if kind == "success" else None)
    st.session_state["data_message"] = None

previous_settings_offer()
file_facts(dataset)
dataset = roles_form(dataset)

st.subheader(tr("data.validation"))
try:
    table = user_table(dataset)
except SegkitInputError as exc:
    st.error(md(exc), icon=":material/error:")
    st.stop()
validation_section(dataset, table)
st.page_link("pages/segment.py", label=tr("data.next"), icon=":material/arrow_forward:")

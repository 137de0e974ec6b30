"""2 · Segment: choose how users are compared and grouped; metrics update live."""

from dashboard.routing import route_through_app

route_through_app()  # a deep link opened before app.py ever ran

import streamlit as st

from dashboard.compute import user_table
from dashboard.context import build_context, edited
from dashboard.explain_view import separability_section
from dashboard.segment_controls import embedder_controls, feature_controls, method_controls
from dashboard.segment_results import (
    label_section,
    quality_section,
    save_section,
    sizes_and_tuning_charts,
    stability_section,
)
from dashboard.state import ensure_dataset, init_page_state, settings
from dashboard.ui import md, page_header, previous_settings_offer
from dashboard.words import tr
from segkit.embed.choice import text_workload
from segkit.errors import SegkitInputError

init_page_state("seg", {"current": None, "previous": None})
page_header(tr("nav.segment"), tr("seg.intro"))

dataset = ensure_dataset()
previous_settings_offer()
s = settings()
try:
    table = user_table(dataset)
except SegkitInputError as exc:
    st.error(md(exc), icon=":material/error:")
    st.page_link("pages/data.py", label=tr("seg.fix_roles"), icon=":material/arrow_back:")
    st.stop()
n_texts, mean_chars = text_workload(table.row_texts)
n_users = max(int(table.user_has_text().sum()), 3)
has_traits = bool(dataset.roles.numeric_cols or dataset.roles.categorical_cols)

controls, results = st.columns([1, 2.3], gap="large")
with controls:
    embedder_controls(dataset, s, n_texts, mean_chars)
    feature_controls(s, has_traits, n_users)
    method_controls(s, n_users)
with results:
    ctx = build_context()
    if ctx is None:
        st.stop()
    run = edited(ctx)
    quality_section(ctx, run)
    sizes_and_tuning_charts(ctx, run)
    stability_section(ctx)
    separability_section(ctx, run)
    label_section(ctx, run)
    save_section(ctx)

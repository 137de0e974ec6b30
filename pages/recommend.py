"""Recommend: do the segments help recommendations? And: assign new users to the segments.

Uses the dashboard's current segmentation (dashboard.context.build_context).
All computing is in segkit.recommend and segkit.model.
"""

from __future__ import annotations

from dashboard.routing import route_through_app
from dashboard.ui import md

route_through_app()  # a deep link opened before app.py ever ran

import streamlit as st

from dashboard.context import build_context, edited  # noqa: E402
from dashboard.recommend_sections import assign_section, evaluation_section, segments_of  # noqa: E402
from dashboard.state import ensure_dataset  # noqa: E402
from dashboard.words import dataset_label, tr  # noqa: E402
from segkit.errors import SegkitInputError

st.title(tr("nav.recommend"))
st.caption(tr("rec.intro"))


# ----------------------------------------------------------------------------- current segmentation

def _current_run():
    """(run, frame, dataset name, context): the dashboard's current segmentation."""
    dataset = ensure_dataset()
    ctx = build_context()
    if ctx is None:
        st.stop()
    return edited(ctx), dataset.frame, dataset_label(dataset), ctx  # renames and merges included


try:
    run, frame, dataset_name, ctx = _current_run()
except SegkitInputError as exc:
    st.error(md(exc), icon=":material/error:")
    st.stop()
names = {int(k): v for k, v in run.summary.names.items()}
segments = segments_of(run)
st.markdown(tr("rec.current", name=md(dataset_name), k=run.result.n_clusters, algorithm=run.config.algorithm,
               embedder=run.config.embedder, n=f"{len(segments):,}"))

evaluation_section(ctx, run, segments, names)
assign_section(ctx, run, frame)

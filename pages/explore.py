"""3 · Explore: the map of users; colour it, filter it, lasso a group and read their reviews."""

from pages._shared.common import route_through_app

route_through_app()  # a deep link opened before app.py ever ran

import numpy as np
import pandas as pd
import streamlit as st

from pages._shared.common import (
    build_context,
    display_names,
    edited,
    ensure_dataset,
    init_page_state,
    map_hover,
    map_refresher,
    md,
    noise_policy_text,
    page_header,
)
from segkit.plots import map_figure

init_page_state("exp", {"color": "segment"})
page_header(
    "3 · Explore",
    "Every dot is a user; users close together write and behave alike. The map is only a picture: segments "
    "and metrics are computed in the full feature space. Drag a lasso or a box around dots to read those "
    "users' reviews below.",
)
ensure_dataset()
ctx = build_context()
if ctx is None:
    st.stop()
run = edited(ctx)
names = display_names(ctx)
user_index = ctx.embeddings.user_index
users = ctx.table.users.iloc[user_index].reset_index(drop=True)
labels = np.asarray(run.labels)

roles = ctx.config.roles
color_options = ["segment"] + [c for c in ["n_reviews", *roles.numeric_cols, *roles.categorical_cols]
                               if c in users.columns]
if roles.label_col and roles.label_col in users.columns:
    color_options.append(roles.label_col)
color_options.append("confidence")
if st.session_state["exp_color"] not in color_options:
    st.session_state["exp_color"] = "segment"

segment_ids = sorted(int(v) for v in np.unique(labels))
label_of = {s: (names.get(s, f"Segment {s}") if s >= 0 else "Unassigned") for s in segment_ids}
c1, c2, c3 = st.columns([1.2, 2.5, 1])
with c1:
    color_by = st.selectbox("Colour by", color_options, key="exp_color",
                            help="A segment, or any trait: numbers get a colour scale, categories a colour each.")
with c2:
    shown = st.multiselect("Show segments", segment_ids, default=segment_ids, key=f"exp_filter_{ctx.run_key[:8]}",
                           format_func=lambda s: label_of[s], placeholder="all segments")
with c3:
    st.session_state.setdefault("exp_map_method", st.session_state.get("sk_map_method", "umap"))
    method = st.radio("Map", ["umap", "pca"], key="exp_map_method", horizontal=True,
                      format_func=str.upper, help="UMAP keeps neighbourhoods (nicer groups); PCA is a plain linear "
                      "projection, instant. UMAP is computed in the background.")
    if method != st.session_state.get("sk_map_method"):
        st.session_state["sk_map_method"] = method
        st.rerun()

mask = np.isin(labels, shown) if shown else np.ones(len(labels), dtype=bool)
if color_by == "segment":
    values = None
elif color_by == "confidence":
    values = run.result.confidence
else:
    values = users[color_by].tolist()
fig = map_figure(
    run.map2d[mask], labels[mask], names,
    hover=map_hover(ctx)[mask],
    color_by=color_by,
    color_values=None if values is None else [v for v, keep in zip(values, mask) if keep],
    point_ids=np.flatnonzero(mask),
    height=680,
)
event = st.plotly_chart(fig, key=f"exp_map_{ctx.run_key[:8]}_{ctx.map_method}", on_select="rerun",
                        selection_mode=("box", "lasso", "points"),
                        config={"scrollZoom": True, "displaylogo": False})
st.caption(f"{int(mask.sum()):,} users shown · {ctx.map_method.upper()} map"
           f" · noise policy: {md(noise_policy_text(ctx.config))}")
map_refresher(ctx)

# ------------------------------------------------------------------ selection
points = (event or {}).get("selection", {}).get("points", []) if event else []
selected = []
for point in points:
    value = point.get("customdata")
    if isinstance(value, list):
        value = value[0] if value else None
    if value is not None:
        selected.append(int(value))
selected = sorted(set(selected))
st.subheader(f"Selected users ({len(selected):,})" if selected else "Selected users")
if not selected:
    st.caption("Use the lasso or box tool (top right of the map) to select users; click a dot to select one.")
else:
    chosen = np.asarray(selected)
    texts_all = ctx.table.user_texts(1200)
    texts = {int(i): texts_all[user_index[i]] for i in chosen}
    frame = pd.DataFrame({
        "user_id": users["user_id"].iloc[chosen].to_numpy(),
        "segment": [label_of.get(int(labels[i]), "Unassigned") for i in chosen],
        "confidence": np.round(run.result.confidence[chosen], 2),
        "reviews": users["n_reviews"].iloc[chosen].to_numpy(),
        "what they wrote": [texts[int(i)] for i in chosen],
    })
    breakdown = frame["segment"].value_counts()
    st.caption("By segment: " + " · ".join(f"{md(k)}: {v}" for k, v in breakdown.items()))
    st.dataframe(frame, hide_index=True, width="stretch", height=min(420, 38 + 35 * len(frame)),
                 column_config={"what they wrote": st.column_config.TextColumn(width="large")})

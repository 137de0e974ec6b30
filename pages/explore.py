"""3 · Explore: the map of users; colour it, filter it, lasso a group and read their reviews."""

from dashboard.routing import route_through_app

route_through_app()  # a deep link opened before app.py ever ran

import numpy as np
import pandas as pd
import streamlit as st

from dashboard.context import build_context, display_names, edited
from dashboard.explain_view import why_users
from dashboard.maps import map_hover, map_refresher
from dashboard.resources import derived_memory
from dashboard.state import ensure_dataset, init_page_state
from dashboard.ui import md, noise_policy_text, page_header
from dashboard.words import localize_figure, tr
from segkit.plots import MAP_POINTS, map_figure, map_sample

init_page_state("exp", {"color": "segment"})
page_header(tr("nav.explore"), tr("exp.intro"))
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
SENTIMENT = "segkit:sentiment"  # not a column name: each user's mean review sentiment
color_options.append(SENTIMENT)
if st.session_state["exp_color"] not in color_options:
    st.session_state["exp_color"] = "segment"

segment_ids = sorted(int(v) for v in np.unique(labels))
label_of = {s: (names.get(s, tr("common.segment_n", n=s)) if s >= 0 else tr("common.unassigned"))
            for s in segment_ids}
option_labels = {"segment": tr("exp.opt_segment"), "confidence": tr("exp.opt_confidence"),
                 SENTIMENT: tr("exp.opt_sentiment")}
c1, c2, c3 = st.columns([1.2, 2.5, 1])
with c1:
    color_by = st.selectbox(tr("exp.color_by"), color_options, key="exp_color", help=tr("exp.color_help"),
                            format_func=lambda c: option_labels.get(c, c) if c in option_labels else c)
with c2:
    shown = st.multiselect(tr("exp.show"), segment_ids, default=segment_ids, key=f"exp_filter_{ctx.run_key[:8]}",
                           format_func=lambda s: label_of[s], placeholder=tr("exp.all_segments"))
with c3:
    st.session_state.setdefault("exp_map_method", st.session_state.get("sk_map_method", "umap"))
    method = st.radio(tr("exp.map"), ["umap", "pca"], key="exp_map_method", horizontal=True,
                      format_func=str.upper, help=tr("exp.map_help"))
    if method != st.session_state.get("sk_map_method"):
        st.session_state["sk_map_method"] = method
        st.rerun()

mask = np.isin(labels, shown) if shown else np.ones(len(labels), dtype=bool)
n_shown = int(mask.sum())
drawn = np.zeros(len(labels), dtype=bool)  # a stated sample beyond MAP_POINTS; counts cover everyone
drawn[np.flatnonzero(mask)[map_sample(labels[mask], MAP_POINTS, ctx.config.seed)]] = True
mask = drawn
if color_by == "segment":
    values = None
elif color_by == "confidence":
    values = run.result.confidence
elif color_by == SENTIMENT:
    from segkit.sentiment import table_sentiment

    with st.spinner(tr("exp.opt_sentiment")):
        scores = table_sentiment(ctx.table, user_index, max_rows=None, memory=derived_memory())
    values = None if scores is None else np.round(scores.mean, 3)
else:
    values = users[color_by].tolist()
fig = localize_figure(map_figure(
    run.map2d[mask], labels[mask], names,
    hover=map_hover(ctx, np.flatnonzero(mask)),
    color_by="sentiment" if color_by == SENTIMENT else color_by,
    color_values=None if values is None else [v for v, keep in zip(values, mask, strict=True) if keep],
    point_ids=np.flatnonzero(mask),
    height=680,
))
event = st.plotly_chart(fig, key=f"exp_map_{ctx.run_key[:8]}_{ctx.map_method}", on_select="rerun",
                        selection_mode=("box", "lasso", "points"),
                        config={"scrollZoom": True, "displaylogo": False})
st.caption(tr("exp.caption", n=f"{n_shown:,}", method=ctx.map_method.upper(),
              policy=md(noise_policy_text(ctx.config))))
if int(mask.sum()) < n_shown:
    st.caption(tr("exp.sampled", drawn=f"{int(mask.sum()):,}", n=f"{n_shown:,}"))
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
st.subheader(tr("exp.selected_n", n=f"{len(selected):,}") if selected else tr("exp.selected"))
if not selected:
    st.caption(tr("exp.select_hint"))
else:
    chosen = np.asarray(selected)
    texts_all = ctx.table.user_texts(1200)
    texts = {int(i): texts_all[user_index[i]] for i in chosen}
    wrote = tr("exp.col_wrote")
    frame = pd.DataFrame({
        "user_id": users["user_id"].iloc[chosen].to_numpy(),
        tr("exp.col_segment"): [label_of.get(int(labels[i]), tr("common.unassigned")) for i in chosen],
        tr("exp.col_confidence"): np.round(run.result.confidence[chosen], 2),
        tr("exp.col_reviews"): users["n_reviews"].iloc[chosen].to_numpy(),
        wrote: [texts[int(i)] for i in chosen],
    })
    breakdown = frame[tr("exp.col_segment")].value_counts()
    st.caption(tr("exp.by_segment") + " · ".join(f"{md(k)}: {v}" for k, v in breakdown.items()))
    st.dataframe(frame, hide_index=True, width="stretch", height=min(420, 38 + 35 * len(frame)),
                 column_config={wrote: st.column_config.TextColumn(width="large")})
    why_users(ctx, run, chosen)

"""Overview: the segments of the current dataset at a glance (opens on the sample)."""

from pages._shared.common import route_through_app

route_through_app()  # a deep link opened before app.py ever ran

import streamlit as st

from pages._shared.common import (
    METRIC_HELP,
    build_context,
    display_names,
    edited,
    ensure_dataset,
    esc,
    fmt,
    map_hover,
    map_refresher,
    md,
    noise_policy_text,
    page_header,
)
from segkit.plots import map_figure, segment_color, sizes_figure

dataset = ensure_dataset()
page_header(
    "Your user segments",
    "segkit groups users by what they write in their reviews and how they behave (spend, orders, age…). "
    "Each segment below has an automatic name built from its most typical words; rename, merge and "
    "export them on the following pages.",
)
if dataset.is_sample:
    st.info(
        "You are looking at the **bundled sample**: 6,197 synthetic store reviews by 2,000 users, segmented "
        "with the fast default (TF-IDF text vectors, K-means, number of segments chosen automatically). "
        "Upload your own file on the **Data** page.",
        icon=":material/lightbulb:",
    )

ctx = build_context()
if ctx is None:
    st.stop()
run = edited(ctx)
names = display_names(ctx)
metrics = run.metrics
table = run.summary.table

cols = st.columns(5)
cols[0].metric("Users segmented", f"{metrics['n_users_segmented']:,}",
               help=f"of {metrics['n_users_total']:,} users in the file; users without any text cannot be segmented "
                    "but stay in the export.")
cols[1].metric("Segments", metrics["n_segments"], help=METRIC_HELP["n_segments"]
               + (f" Chosen automatically: {metrics['auto_k_rule']}." if "auto_k" in metrics else ""))
cols[2].metric("Silhouette", fmt(metrics.get("silhouette")), help=METRIC_HELP["silhouette"])
cols[3].metric("Unassigned", f"{metrics.get('noise_share', 0):.0%}", help=METRIC_HELP["noise_share"])
if "ari" in metrics:
    cols[4].metric(f"ARI vs {ctx.config.roles.label_col}", fmt(metrics["ari"], 2), help=METRIC_HELP["ari"])
else:
    cols[4].metric("Text weight", f"{ctx.config.text_weight:.0%}",
                   help="How much what users write counts against how they behave (Segment page).")
st.caption(f"Noise policy: {md(noise_policy_text(ctx.config))}.")

left, right = st.columns([5, 6], gap="large")
with left:
    st.subheader("Segment sizes")
    st.plotly_chart(sizes_figure(table), config={"displayModeBar": False}, key="ov_sizes")
with right:
    st.subheader("Map of users")
    fig = map_figure(run.map2d, run.labels, names, hover=map_hover(ctx), height=430)
    fig.update_layout(showlegend=False)
    st.plotly_chart(fig, key="ov_map", config={"displayModeBar": False})
    st.caption(f"Each dot is a user ({ctx.map_method.upper()} map of the features); nearby users write and behave "
               "alike. Explore it on the **Explore** page.")
    map_refresher(ctx)

st.subheader("The segments")
rows = []
for _, row in table.iterrows():
    segment = int(row["segment_id"])
    keywords = ", ".join(term for term, _ in run.summary.keywords.get(segment, [])[:7])
    rows.append(
        f"<tr><td><span class='sk-dot' style='background:{segment_color(segment)}'></span>"
        f"<b>{esc(row['segment_name'])}</b></td><td style='text-align:right'>{int(row['size']):,}</td>"
        f"<td style='text-align:right'>{float(row['share']):.0%}</td><td class='sk-muted'>{esc(keywords)}</td></tr>"
    )
st.html(
    "<table style='width:100%;border-collapse:collapse' class='sk-table'>"
    "<thead><tr style='text-align:left;color:#6B7280;font-size:0.85rem'><th>Segment</th>"
    "<th style='text-align:right'>Users</th><th style='text-align:right'>Share</th><th>Typical words</th></tr></thead>"
    "<tbody>" + "".join(rows) + "</tbody></table>"
    "<style>.sk-table td,.sk-table th{padding:6px 10px;border-bottom:1px solid #EEF0F3}</style>"
)

st.subheader("Next steps")
links = st.columns(4)
links[0].page_link("pages/segment.py", label="Tune the segmentation", icon=":material/tune:")
links[1].page_link("pages/segments.py", label="Read, rename and merge segments", icon=":material/groups:")
links[2].page_link("pages/explore.py", label="Explore the map", icon=":material/scatter_plot:")
links[3].page_link("pages/export.py", label="Download the results", icon=":material/download:")

"""Overview: the segments of the current dataset at a glance (opens on the sample)."""

from dashboard.routing import route_through_app

route_through_app()  # a deep link opened before app.py ever ran

import streamlit as st

from dashboard.context import build_context, display_names, edited
from dashboard.maps import map_hover, map_refresher
from dashboard.state import ensure_dataset
from dashboard.ui import esc, fmt, md, noise_policy_text, page_header
from dashboard.words import localize_figure, metric_help, tr
from segkit.plots import MAP_POINTS, map_figure, map_sample, segment_color, sizes_figure

dataset = ensure_dataset()
page_header(tr("ov.title"), tr("ov.intro"))
if dataset.is_sample:
    st.info(tr("ov.sample_info"), icon=":material/lightbulb:")

ctx = build_context()
if ctx is None:
    st.stop()
run = edited(ctx)
names = display_names(ctx)
metrics = run.metrics
table = run.summary.table

cols = st.columns(5)
cols[0].metric(tr("ov.m_users"), f"{metrics['n_users_segmented']:,}",
               help=tr("ov.m_users_help", total=f"{metrics['n_users_total']:,}"))
cols[1].metric(tr("ov.m_segments"), metrics["n_segments"], help=metric_help("n_segments")
               + (tr("ov.auto_rule", rule=metrics["auto_k_rule"]) if "auto_k" in metrics else ""))
cols[2].metric(tr("ov.m_silhouette"), fmt(metrics.get("silhouette")), help=metric_help("silhouette"))
cols[3].metric(tr("ov.m_unassigned"), f"{metrics.get('noise_share', 0):.0%}", help=metric_help("noise_share"))
if "ari" in metrics:
    cols[4].metric(tr("ov.m_ari", label=md(ctx.config.roles.label_col)), fmt(metrics["ari"], 2), help=metric_help("ari"))
else:
    cols[4].metric(tr("ov.m_weight"), f"{ctx.config.text_weight:.0%}", help=tr("ov.m_weight_help"))
st.caption(tr("ov.noise", policy=md(noise_policy_text(ctx.config))))

left, right = st.columns([5, 6], gap="large")
with left:
    st.subheader(tr("ov.sizes"))
    st.plotly_chart(localize_figure(sizes_figure(table)), config={"displayModeBar": False}, key="ov_sizes")
with right:
    st.subheader(tr("ov.map"))
    drawn = map_sample(run.labels, MAP_POINTS, ctx.config.seed)  # a stated sample beyond MAP_POINTS
    fig = localize_figure(map_figure(run.map2d[drawn], run.labels[drawn], names, hover=map_hover(ctx, drawn),
                                     point_ids=drawn, height=430))
    fig.update_layout(showlegend=False)
    st.plotly_chart(fig, key="ov_map", config={"displayModeBar": False})
    st.caption(tr("ov.map_caption", method=ctx.map_method.upper()))
    if len(drawn) < len(run.labels):
        st.caption(tr("exp.sampled", drawn=f"{len(drawn):,}", n=f"{len(run.labels):,}"))
    map_refresher(ctx)

st.subheader(tr("ov.segments"))
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
    "<thead><tr style='text-align:left;color:#6B7280;font-size:0.85rem'>"
    f"<th>{esc(tr('ov.th_segment'))}</th><th style='text-align:right'>{esc(tr('ov.th_users'))}</th>"
    f"<th style='text-align:right'>{esc(tr('ov.th_share'))}</th><th>{esc(tr('ov.th_words'))}</th></tr></thead>"
    "<tbody>" + "".join(rows) + "</tbody></table>"
    "<style>.sk-table td,.sk-table th{padding:6px 10px;border-bottom:1px solid #EEF0F3}</style>"
)

st.subheader(tr("ov.next"))
links = st.columns(4)
links[0].page_link("pages/segment.py", label=tr("ov.link_tune"), icon=":material/tune:")
links[1].page_link("pages/segments.py", label=tr("ov.link_segments"), icon=":material/groups:")
links[2].page_link("pages/explore.py", label=tr("ov.link_explore"), icon=":material/scatter_plot:")
links[3].page_link("pages/export.py", label=tr("ov.link_export"), icon=":material/download:")

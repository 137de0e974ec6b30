"""5 · Compare: two saved runs side by side, and how users move between their segments."""

from dashboard.routing import route_through_app

route_through_app()  # a deep link opened before app.py ever ran

import json

import numpy as np
import pandas as pd
import streamlit as st
from sklearn.metrics import normalized_mutual_info_score

from dashboard.context import build_context, default_run_name, save_current_run
from dashboard.state import SAMPLE_LABEL, ensure_dataset, init_page_state
from dashboard.ui import fmt, md, page_header
from dashboard.words import localize_figure, tr
from segkit.labels import NOT_SEGMENTED
from segkit.metrics.external import agreement
from segkit.plots import contingency_figure, sankey_figure

init_page_state("cmp", {"a": 0, "b": 1})


def _readable(config: dict) -> dict:
    """Config as people read it: an automatic K says so instead of being absent."""
    from segkit.cluster.registry import CLUSTERERS

    spec = CLUSTERERS.get(config.get("algorithm"))
    params = dict(config.get("algorithm_params") or {})
    if spec is not None and spec.uses_k and "k" not in params:
        params["k"] = tr("cmp.automatic")
    return {**config, "algorithm_params": params}

page_header(tr("nav.compare"), tr("cmp.intro"))
ensure_dataset()
ctx = build_context(show_errors=True)
saved = st.session_state["sk_saved"]

with st.form("cmp_save_form"):
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    name = c1.text_input(tr("cmp.save_as"), value=default_run_name(ctx) if ctx else tr("common.run_name", n=1),
                         max_chars=80)
    if c2.form_submit_button(tr("cmp.save"), icon=":material/bookmark_add:", disabled=ctx is None,
                             width="stretch", key="cmp_save_submit"):
        save_current_run(ctx, name)
        st.rerun()

if not saved:
    st.info(tr("cmp.none_saved"), icon=":material/info:")
    st.stop()

col_noise, col_silhouette = tr("cmp.col_noise"), tr("cmp.col_silhouette")
overview = pd.DataFrame([{
    tr("cmp.col_name"): r.name,
    tr("cmp.col_dataset"): (tr("common.sample_label") if r.dataset_name == SAMPLE_LABEL else r.dataset_name),
    tr("cmp.col_method"): r.algorithm,
    tr("cmp.col_segments"): r.metrics.get("n_segments"),
    col_silhouette: r.metrics.get("silhouette"),
    "Calinski–Harabasz": r.metrics.get("calinski_harabasz"),
    "Davies–Bouldin": r.metrics.get("davies_bouldin"),
    col_noise: r.metrics.get("noise_share"),
} for r in saved])
st.dataframe(overview, hide_index=True, width="stretch",
             column_config={col_noise: st.column_config.NumberColumn(format="percent"),
                            col_silhouette: st.column_config.NumberColumn(format="%.3f"),
                            "Calinski–Harabasz": st.column_config.NumberColumn(format="%.1f"),
                            "Davies–Bouldin": st.column_config.NumberColumn(format="%.3f")})
with st.expander(tr("cmp.remove_runs"), icon=":material/delete:"):
    remove = st.multiselect(tr("cmp.remove_pick"), list(range(len(saved))), format_func=lambda i: saved[i].name,
                            key="cmp_remove")
    if st.button(tr("cmp.remove"), key="cmp_remove_btn", disabled=not remove):
        st.session_state["sk_saved"] = [r for i, r in enumerate(saved) if i not in set(remove)]
        st.rerun()

if len(saved) < 2:
    st.info(tr("cmp.one_more"), icon=":material/info:")
    st.stop()

indices = list(range(len(saved)))
for key, default in (("cmp_a", 0), ("cmp_b", 1)):
    if st.session_state[key] not in indices:
        st.session_state[key] = min(default, len(saved) - 1)
c1, c2 = st.columns(2)
ia = c1.selectbox(tr("cmp.run_a"), indices, key="cmp_a", format_func=lambda i: saved[i].name)
ib = c2.selectbox(tr("cmp.run_b"), indices, key="cmp_b", format_func=lambda i: saved[i].name)
a, b = saved[ia], saved[ib]
if ia == ib:
    st.warning(tr("cmp.same_run"))
    st.stop()
if a.dataset_key != b.dataset_key or len(a.user_labels) != len(b.user_labels):
    st.warning(tr("cmp.different_data", a=md(a.name), b=md(b.name), data_a=md(a.dataset_name),
                  data_b=md(b.dataset_name)))
    st.stop()

both = (a.user_labels != NOT_SEGMENTED) & (b.user_labels != NOT_SEGMENTED)
labels_a, labels_b = a.user_labels[both], b.user_labels[both]
ari = agreement(labels_a, labels_b)
nmi = float(normalized_mutual_info_score(labels_a, labels_b))
c1, c2, c3 = st.columns(3)
c1.metric(tr("cmp.m_ari"), f"{ari:.3f}", help=tr("cmp.m_ari_help"))
c2.metric(tr("cmp.m_nmi"), f"{nmi:.3f}", help=tr("help.nmi_runs"))
c3.metric(tr("cmp.m_users"), f"{int(both.sum()):,}")

rows = [(tr("cmp.col_segments"), "n_segments", None), (col_silhouette, "silhouette", "higher"),
        ("Calinski–Harabasz", "calinski_harabasz", "higher"), ("Davies–Bouldin", "davies_bouldin", "lower"),
        (col_noise, "noise_share", "lower"), (tr("cmp.row_ari"), "ari", "higher"),
        (tr("cmp.row_nmi"), "nmi", "higher")]
table = []
for label, key, better in rows:
    va, vb = a.metrics.get(key), b.metrics.get(key)
    if va is None and vb is None:
        continue
    winner = ""
    if better and va is not None and vb is not None and va != vb:
        winner = "A" if (va > vb) == (better == "higher") else "B"
    table.append({tr("cmp.col_metric"): label, "A": fmt(va) if isinstance(va, float) else va,
                  "B": fmt(vb) if isinstance(vb, float) else vb, tr("cmp.col_better"): winner,
                  tr("cmp.col_good"): {"higher": tr("cmp.higher"), "lower": tr("cmp.lower")}.get(better, "")})
left, right = st.columns([3, 2])
with left:
    st.markdown(tr("cmp.side_by_side"))
    st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
with right:
    st.markdown(tr("cmp.settings_differ"))
    config_a, config_b = _readable(json.loads(a.config_json)), _readable(json.loads(b.config_json))
    diffs = [{tr("cmp.col_setting"): k, "A": json.dumps(config_a.get(k), default=str), "B": json.dumps(config_b.get(k), default=str)}
             for k in sorted(set(config_a) | set(config_b))
             if config_a.get(k) != config_b.get(k) and k not in ("roles", "input_path")]
    if diffs:
        st.dataframe(pd.DataFrame(diffs), hide_index=True, width="stretch")
    else:
        st.caption(tr("cmp.same_settings"))

st.subheader(tr("cmp.where"))
tab_heat, tab_sankey = st.tabs([tr("cmp.tab_heat"), tr("cmp.tab_sankey")])
with tab_heat:
    st.caption(tr("cmp.heat_caption"))
    st.plotly_chart(localize_figure(contingency_figure(labels_a, labels_b, a.names, b.names, "Run A", "Run B")),
                    config={"displayModeBar": False}, key="cmp_heat")
with tab_sankey:
    st.plotly_chart(localize_figure(sankey_figure(labels_a, labels_b, a.names, b.names, "A", "B")),
                    config={"displayModeBar": False}, key="cmp_sankey")
moved = float(np.mean(labels_a != labels_b)) if len(labels_a) else 0.0
st.caption(tr("cmp.ids_caption", a=md(a.name), b=md(b.name), moved=f"{moved:.0%}"))

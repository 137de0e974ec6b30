"""5 · Compare: two saved runs side by side, and how users move between their segments."""

from pages._shared.common import route_through_app

route_through_app()  # a deep link opened before app.py ever ran

import json

import numpy as np
import pandas as pd
import streamlit as st
from sklearn.metrics import normalized_mutual_info_score

from pages._shared.common import (
    METRIC_HELP,
    build_context,
    default_run_name,
    ensure_dataset,
    fmt,
    init_page_state,
    md,
    page_header,
    save_current_run,
)
from segkit.metrics.external import agreement
from segkit.plots import contingency_figure, sankey_figure

init_page_state("cmp", {"a": 0, "b": 1})


def _readable(config: dict) -> dict:
    """Config as people read it: an automatic K says so instead of being absent."""
    from segkit.cluster.registry import CLUSTERERS

    spec = CLUSTERERS.get(config.get("algorithm"))
    params = dict(config.get("algorithm_params") or {})
    if spec is not None and spec.uses_k and "k" not in params:
        params["k"] = "automatic"
    return {**config, "algorithm_params": params}

page_header(
    "5 · Compare",
    "Save runs (here or on the Segment page) and compare two of them: their quality side by side, how much they "
    "agree (ARI: 1 = the same segments), and where users go from one to the other.",
)
ensure_dataset()
ctx = build_context(show_errors=True)
saved = st.session_state["sk_saved"]

with st.form("cmp_save_form"):
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    name = c1.text_input("Save the current run as", value=default_run_name(ctx) if ctx else "Run", max_chars=80)
    if c2.form_submit_button("Save current run", icon=":material/bookmark_add:", disabled=ctx is None,
                             width="stretch", key="cmp_save_submit"):
        save_current_run(ctx, name)
        st.rerun()

if not saved:
    st.info("No saved runs yet. Save the current run, change a setting on the Segment page (K, algorithm, text "
            "weight…), save again, and come back.", icon=":material/info:")
    st.stop()

overview = pd.DataFrame([{
    "name": r.name,
    "dataset": r.dataset_name,
    "method": r.algorithm,
    "segments": r.metrics.get("n_segments"),
    "silhouette": r.metrics.get("silhouette"),
    "Calinski–Harabasz": r.metrics.get("calinski_harabasz"),
    "Davies–Bouldin": r.metrics.get("davies_bouldin"),
    "noise share": r.metrics.get("noise_share"),
} for r in saved])
st.dataframe(overview, hide_index=True, width="stretch",
             column_config={"noise share": st.column_config.NumberColumn(format="percent"),
                            "silhouette": st.column_config.NumberColumn(format="%.3f"),
                            "Calinski–Harabasz": st.column_config.NumberColumn(format="%.1f"),
                            "Davies–Bouldin": st.column_config.NumberColumn(format="%.3f")})
with st.expander("Remove saved runs", icon=":material/delete:"):
    remove = st.multiselect("Runs to remove", list(range(len(saved))), format_func=lambda i: saved[i].name,
                            key="cmp_remove")
    if st.button("Remove", key="cmp_remove_btn", disabled=not remove):
        st.session_state["sk_saved"] = [r for i, r in enumerate(saved) if i not in set(remove)]
        st.rerun()

if len(saved) < 2:
    st.info("Save one more run to compare two.", icon=":material/info:")
    st.stop()

indices = list(range(len(saved)))
for key, default in (("cmp_a", 0), ("cmp_b", 1)):
    if st.session_state[key] not in indices:
        st.session_state[key] = min(default, len(saved) - 1)
c1, c2 = st.columns(2)
ia = c1.selectbox("Run A", indices, key="cmp_a", format_func=lambda i: saved[i].name)
ib = c2.selectbox("Run B", indices, key="cmp_b", format_func=lambda i: saved[i].name)
a, b = saved[ia], saved[ib]
if ia == ib:
    st.warning("Pick two different runs.")
    st.stop()
if a.dataset_key != b.dataset_key or len(a.user_labels) != len(b.user_labels):
    st.warning(f"'{md(a.name)}' and '{md(b.name)}' were made on different data ({md(a.dataset_name)} vs "
               f"{md(b.dataset_name)}, or different column roles); only runs on the same users can be compared.")
    st.stop()

both = (a.user_labels >= -1) & (b.user_labels >= -1)
labels_a, labels_b = a.user_labels[both], b.user_labels[both]
ari = agreement(labels_a, labels_b)
nmi = float(normalized_mutual_info_score(labels_a, labels_b))
c1, c2, c3 = st.columns(3)
c1.metric("Agreement (ARI)", f"{ari:.3f}", help="Adjusted Rand index between the two runs on the same users: 1 = "
          "identical segments (whatever their names), 0 = no more alike than chance. Above 0.8 the runs tell the "
          "same story.")
c2.metric("NMI between runs", f"{nmi:.3f}", help=METRIC_HELP["nmi"].replace("label column", "other run"))
c3.metric("Users compared", f"{int(both.sum()):,}")

rows = [("segments", "n_segments", None), ("silhouette", "silhouette", "higher"),
        ("Calinski–Harabasz", "calinski_harabasz", "higher"), ("Davies–Bouldin", "davies_bouldin", "lower"),
        ("noise share", "noise_share", "lower"), ("ARI vs label", "ari", "higher"), ("NMI vs label", "nmi", "higher")]
table = []
for label, key, better in rows:
    va, vb = a.metrics.get(key), b.metrics.get(key)
    if va is None and vb is None:
        continue
    winner = ""
    if better and va is not None and vb is not None and va != vb:
        winner = "A" if (va > vb) == (better == "higher") else "B"
    table.append({"metric": label, "A": fmt(va) if isinstance(va, float) else va,
                  "B": fmt(vb) if isinstance(vb, float) else vb, "better": winner,
                  "what good looks like": {"higher": "higher is better", "lower": "lower is better"}.get(better, "")})
left, right = st.columns([3, 2])
with left:
    st.markdown("**Metrics side by side**")
    st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
with right:
    st.markdown("**Settings that differ**")
    config_a, config_b = _readable(json.loads(a.config_json)), _readable(json.loads(b.config_json))
    diffs = [{"setting": k, "A": json.dumps(config_a.get(k), default=str), "B": json.dumps(config_b.get(k), default=str)}
             for k in sorted(set(config_a) | set(config_b))
             if config_a.get(k) != config_b.get(k) and k not in ("roles", "input_path")]
    if diffs:
        st.dataframe(pd.DataFrame(diffs), hide_index=True, width="stretch")
    else:
        st.caption("Same settings (edits such as merges may differ).")

st.subheader("Where users go")
tab_heat, tab_sankey = st.tabs(["Contingency heatmap", "Flow (Sankey)"])
with tab_heat:
    st.caption("Rows: segments of A; columns: segments of B. Each cell counts users; colour is the share of the row.")
    st.plotly_chart(contingency_figure(labels_a, labels_b, a.names, b.names, "Run A", "Run B"),
                    config={"displayModeBar": False}, key="cmp_heat")
with tab_sankey:
    st.plotly_chart(sankey_figure(labels_a, labels_b, a.names, b.names, "A", "B"),
                    config={"displayModeBar": False}, key="cmp_sankey")
moved = float(np.mean(labels_a != labels_b)) if len(labels_a) else 0.0
st.caption(f"A: {md(a.name)} · B: {md(b.name)}. Segment ids are ordered by size in each run, so the same id need "
           f"not be the same segment; read the heatmap instead ({moved:.0%} of users have a different id).")

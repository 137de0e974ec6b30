"""History: runs saved in the run database, across sessions and restarts; reopen, compare, delete."""

from dashboard.routing import route_through_app

route_through_app()  # a deep link opened before app.py ever ran

from datetime import datetime  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402
from sklearn.metrics import normalized_mutual_info_score  # noqa: E402

from dashboard.context import build_context  # noqa: E402
from dashboard.history_store import (  # noqa: E402
    restore_edits,
    run_store,
    settings_from_config,
    to_saved_run,
)
from dashboard.history_time import time_section  # noqa: E402
from dashboard.state import SAMPLE_LABEL, init_page_state, settings  # noqa: E402
from dashboard.ui import md, page_header  # noqa: E402
from dashboard.words import localize_figure, tr  # noqa: E402
from segkit.errors import SegkitInputError  # noqa: E402
from segkit.export import to_safe_csv  # noqa: E402
from segkit.metrics.external import agreement  # noqa: E402
from segkit.plots import contingency_figure, sankey_figure, sizes_figure  # noqa: E402
from segkit.store import default_db_url  # noqa: E402
from segkit.store.db import describe_url  # noqa: E402

init_page_state("hist", {"open": None, "a": None, "b": None})
page_header(tr("hist.nav"), tr("hist.intro", location=describe_url(default_db_url())))
if st.session_state.get("hist_save_error"):
    st.warning(st.session_state["hist_save_error"], icon=":material/warning:")
try:
    store = run_store()
    runs = store.list()
except SegkitInputError as exc:
    st.error(str(exc), icon=":material/error:")
    runs = None
if runs is None or runs.empty:  # the current data over time needs no saved run
    if runs is not None:
        st.info(tr("hist.none"), icon=":material/info:")
    st.subheader(tr("hist.tab_time"))
    time_section()
    st.stop()


def when(ts: float) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def dataset_shown(name: str) -> str:
    return tr("common.sample_label") if name == SAMPLE_LABEL else name


ids = runs["id"].astype(int).tolist()
label = dict(zip(ids, (f"#{i} · {n}" for i, n in zip(ids, runs["name"], strict=True)), strict=True))
st.dataframe(pd.DataFrame({
    tr("hist.col_id"): ids, tr("hist.col_saved"): runs["created_at"].map(when), tr("hist.col_name"): runs["name"],
    tr("hist.col_dataset"): runs["dataset_name"].map(dataset_shown), tr("hist.col_users"): runs["n_users"],
    tr("hist.col_method"): runs["algorithm"], tr("hist.col_embedder"): runs["embedder"],
    tr("hist.col_segments"): runs["n_segments"]}), hide_index=True, width="stretch")

tab_open, tab_compare, tab_delete, tab_time = st.tabs(
    [tr("hist.tab_open"), tr("hist.tab_compare"), tr("hist.tab_delete"), tr("hist.tab_time")])
with tab_open:
    if st.session_state["hist_open"] not in ids:
        st.session_state["hist_open"] = ids[0]
    run = store.get(st.selectbox(tr("hist.pick"), ids, format_func=label.get, key="hist_open"))
    st.markdown(tr("hist.facts", name=md(run.name), dataset=md(dataset_shown(run.dataset_name)), users=f"{run.n_users:,}",
                    method=md(run.algorithm), embedder=md(run.embedder), saved=when(run.created_at)))
    current = st.session_state.get("sk_dataset")
    loaded = current is not None and current.key == run.dataset_hash
    st.caption(tr("hist.loaded") if loaded else tr("hist.not_loaded"))
    c1, c2, c3 = st.columns(3)
    if c1.button(tr("hist.reopen"), disabled=not loaded, key="hist_reopen", icon=":material/restore:"):
        st.session_state["sk_settings"] = settings_from_config(run.config, settings())
        reopened = build_context(show_errors=False)  # the same settings give the same run key: edits follow
        if reopened is not None:
            st.session_state["sk_edits"][reopened.run_key] = restore_edits(run.edits)
        st.switch_page("pages/segment.py")
    if c2.button(tr("hist.to_compare"), key="hist_to_compare", icon=":material/compare_arrows:"):
        st.session_state["sk_saved"].append(to_saved_run(run))
        st.toast(tr("hist.added"))
    c3.download_button(tr("hist.labels_csv"), to_safe_csv(run.labels_frame()).encode("utf-8-sig"),
                       file_name=f"run_{run.id}_labels.csv", mime="text/csv", key="hist_labels")
    cols = [c for c in ("segment_id", "segment_name", "size", "share", "keywords", "persona") if c in run.summary]
    left, right = st.columns([3, 2])
    left.dataframe(run.summary[cols], hide_index=True, width="stretch")
    if {"segment_id", "segment_name", "size", "share"} <= set(run.summary.columns):
        right.plotly_chart(localize_figure(sizes_figure(run.summary)), config={"displayModeBar": False},
                           key="hist_sizes")

with tab_compare:
    if len(ids) < 2:
        st.info(tr("hist.none"), icon=":material/info:")
    else:
        for key, default in (("hist_a", ids[1]), ("hist_b", ids[0])):
            if st.session_state[key] not in ids:
                st.session_state[key] = default
        c1, c2 = st.columns(2)
        a = store.get(c1.selectbox(tr("hist.run_a"), ids, format_func=label.get, key="hist_a"))
        b = store.get(c2.selectbox(tr("hist.run_b"), ids, format_func=label.get, key="hist_b"))
        if a.id == b.id:
            st.warning(tr("hist.same_run"))
        elif len(a.user_ids) != len(b.user_ids) or not np.array_equal(a.user_ids, b.user_ids):
            st.warning(tr("hist.different_users", a=md(dataset_shown(a.dataset_name)), b=md(dataset_shown(b.dataset_name))))
        else:
            both = (a.labels >= -1) & (b.labels >= -1)
            la, lb = a.labels[both], b.labels[both]
            m1, m2, m3 = st.columns(3)
            m1.metric(tr("hist.ari"), f"{agreement(la, lb):.3f}", help=tr("cmp.m_ari_help"))
            m2.metric(tr("hist.nmi"), f"{float(normalized_mutual_info_score(la, lb)):.3f}", help=tr("help.nmi_runs"))
            m3.metric(tr("hist.users_both"), f"{int(both.sum()):,}")
            heat, flow = st.tabs([tr("cmp.tab_heat"), tr("cmp.tab_sankey")])
            heat.plotly_chart(localize_figure(contingency_figure(la, lb, a.names, b.names, "Run A", "Run B")),
                              config={"displayModeBar": False}, key="hist_heat")
            flow.plotly_chart(localize_figure(sankey_figure(la, lb, a.names, b.names, "A", "B")),
                              config={"displayModeBar": False}, key="hist_sankey")
            st.caption(tr("hist.moved", moved=f"{float(np.mean(la != lb)) if len(la) else 0.0:.0%}"))



def _delete() -> None:
    doomed = st.session_state.get("hist_delete") or []
    for run_id in doomed:
        store.delete(run_id)
    st.session_state["hist_delete"] = []
    st.session_state["hist_deleted"] = len(doomed)


with tab_delete:
    n_deleted = st.session_state.pop("hist_deleted", 0)
    if n_deleted:
        st.success(tr("hist.deleted", n=n_deleted))
    st.multiselect(tr("hist.delete_pick"), ids, format_func=label.get, key="hist_delete")
    st.button(tr("hist.delete"), disabled=not st.session_state.get("hist_delete"), key="hist_delete_btn",
              icon=":material/delete_forever:", on_click=_delete)

with tab_time:
    time_section()

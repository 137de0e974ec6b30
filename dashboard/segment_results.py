"""The Segment page's results: quality with deltas, sizes, the K or min_cluster_size
chart, stability across seeds, agreement with a label column, and saving the run."""

from __future__ import annotations

import json

import numpy as np
import streamlit as st

from dashboard.compute import mcs_sweep_cached, seed_stability_cached
from dashboard.context import Context, default_run_name, display_names, save_current_run
from dashboard.segment_controls import algorithm_labels
from dashboard.ui import fmt, md, noise_policy_text
from dashboard.waiting import with_progress
from dashboard.words import localize_figure, metric_help, tr
from segkit.cluster.registry import CLUSTERERS
from segkit.metrics.external import confusion_table
from segkit.plots import confusion_figure, k_sweep_figure, min_cluster_size_figure, sizes_figure
from segkit.waits import plans


def quality_section(ctx: Context, run) -> None:
    """The five quality numbers, each with its change since the previous run of this session."""
    metrics = run.metrics
    # Deltas compare runs of the same data only: the same file with the same column roles.
    data = f"{ctx.dataset.key}|{ctx.dataset.roles_json}"
    current = {"run_key": ctx.run_key, "data": data, **{k: metrics.get(k) for k in
                                          ("silhouette", "calinski_harabasz", "davies_bouldin", "noise_share",
                                           "n_segments")}}
    if st.session_state["seg_current"] is None or st.session_state["seg_current"]["run_key"] != ctx.run_key:
        st.session_state["seg_previous"] = st.session_state["seg_current"]
        st.session_state["seg_current"] = current
    previous = st.session_state["seg_previous"] or {}
    if previous.get("data") != data:
        previous = {}

    def delta(name: str, digits: int = 3):
        before, now = previous.get(name), current.get(name)
        if before is None or now is None:
            return None
        change = now - before
        if abs(change) < 10 ** (-digits):
            return None
        return round(change, digits)

    st.subheader(tr("seg.quality"), help=tr("seg.quality_help"))
    cols = st.columns(5)
    cols[0].metric(tr("seg.m_segments"), metrics["n_segments"], delta=delta("n_segments", 0), delta_color="off",
                   help=metric_help("n_segments"))
    cols[1].metric(tr("seg.m_silhouette"), fmt(metrics.get("silhouette")), delta=delta("silhouette"),
                   help=metric_help("silhouette"))
    ch = metrics.get("calinski_harabasz")
    cols[2].metric(tr("seg.m_ch"), f"{ch:,.0f}" if ch is not None and ch >= 1000 else fmt(ch, 1),
                   delta=delta("calinski_harabasz", 1), help=metric_help("calinski_harabasz"))
    cols[3].metric(tr("seg.m_db"), fmt(metrics.get("davies_bouldin")), delta=delta("davies_bouldin"),
                   delta_color="inverse", help=metric_help("davies_bouldin"))
    noise_delta = delta("noise_share")  # a share: its change is in percentage points, like the value
    cols[4].metric(tr("seg.m_noise"), f"{metrics.get('noise_share') or 0:.1%}",
                   delta=None if noise_delta is None else tr("seg.pp", n=f"{noise_delta * 100:+.1f}"),
                   delta_color="inverse", help=metric_help("noise_share"))
    notes = []
    if "auto_k" in metrics:
        notes.append(tr("seg.note_auto_k", k=metrics["auto_k"], rule=md(metrics["auto_k_rule"])))
    if metrics.get("silhouette_seed") is not None:
        notes.append(tr("seg.note_sample", n=f"{metrics['silhouette_sample_size']:,}"))
    cheap = ctx.run.timings.get("total_cheap_step")
    if cheap is not None:
        notes.append(tr("seg.note_time", seconds=f"{cheap:.2f}"))
    notes.append(tr("seg.note_policy", policy=md(noise_policy_text(ctx.config))))
    st.caption(" · ".join(notes))
    if metrics.get("degenerate"):
        st.warning(tr("seg.degenerate", distinct=f"{metrics['n_distinct_points']:,}",
                      users=f"{metrics['n_users_segmented']:,}"), icon=":material/warning:")
    strength = metrics.get("auto_k_strength")
    if strength in ("weak", "none"):
        st.info(tr(f"seg.k_{strength}", k=metrics["auto_k"], silhouette=fmt(metrics.get("silhouette"), 2)),
                icon=":material/blur_on:")


def sizes_and_tuning_charts(ctx: Context, run) -> None:
    """Segment sizes beside the K sweep (K methods) or the min_cluster_size sweep (HDBSCAN)."""
    algorithm = ctx.config.algorithm
    spec_class = CLUSTERERS[algorithm]
    left, right = st.columns([2, 3], gap="medium")
    with left:
        st.markdown(tr("seg.sizes"))
        st.plotly_chart(localize_figure(sizes_figure(run.summary.table)), config={"displayModeBar": False},
                        key="seg_sizes")
    with right:
        if spec_class.uses_k and ctx.k_sweep is not None:
            from segkit.metrics.sweep import choose_k

            st.markdown(tr("seg.choosing_k"), help=tr("seg.choosing_k_help"))
            st.plotly_chart(localize_figure(k_sweep_figure(ctx.k_sweep, suggested_k=choose_k(ctx.k_sweep),
                                                           current_k=ctx.run.result.n_clusters, height=500)),
                            config={"displayModeBar": False}, key="seg_ksweep")
        elif algorithm == "hdbscan":
            st.markdown(tr("seg.cliffs"), help=tr("seg.cliffs_help"))
            n = ctx.space.matrix.shape[0]
            current_size = int(ctx.run.result.params.get("min_cluster_size", 30))
            sizes = sorted({s_ for s_ in (5, 10, 15, 20, 25, 30, 40, 50, 60, 75, 100, 125, 150, 200, 250, 300)
                            if 2 <= s_ <= max(2, n // 2)} | {current_size})
            params_json = json.dumps({k: v for k, v in ctx.run.result.params.items() if k != "seed"},
                                     sort_keys=True, default=str)
            with st.spinner(tr("seg.spin_mcs")):
                mcs = mcs_sweep_cached(ctx.space_key, tuple(sizes), params_json, ctx.space.matrix)
            st.plotly_chart(localize_figure(min_cluster_size_figure(mcs, current=current_size, height=460)),
                            config={"displayModeBar": False}, key="seg_mcs")
        else:
            st.markdown(tr("seg.parameters"))
            st.caption(tr("seg.no_k"))


def stability_section(ctx: Context) -> None:
    algorithm = ctx.config.algorithm
    ALGO_LABELS = algorithm_labels()
    st.subheader(tr("seg.stability"), help=metric_help("stability"))
    deterministic = CLUSTERERS.flag(algorithm, "deterministic")
    if deterministic:
        st.caption(tr("seg.deterministic", algorithm=md(ALGO_LABELS[algorithm])))
    else:
        params_json = json.dumps({k: v for k, v in ctx.run.result.params.items() if k != "seed"},
                                 sort_keys=True, default=str)
        stability = with_progress(tr("seg.spin_seeds"), plans.seed_stability_wait(ctx.space.matrix.shape[0], algorithm),
                                  lambda: seed_stability_cached(ctx.space_key, algorithm, params_json, ctx.space.matrix))
        value = stability["stability_ari_mean"]
        verdict = tr("stab.stable") if value >= 0.8 else (tr("stab.fairly_stable") if value >= 0.6
                                                          else tr("stab.unstable_short"))
        c1, c2 = st.columns([1, 3])
        c1.metric(tr("seg.m_stability"), f"{value:.2f}", help=metric_help("stability"))
        c2.caption(tr("seg.stability_caption", n=len(stability["seeds"]), seeds=", ".join(map(str, stability["seeds"])),
                      worst=f"{stability['stability_ari_min']:.2f}", verdict=verdict))


def label_section(ctx: Context, run) -> None:
    """ARI/NMI and the confusion table when a ground-truth label column is mapped."""
    metrics = run.metrics
    label_col = ctx.config.roles.label_col
    if label_col and "ari" in metrics:
        st.subheader(tr("seg.vs_label", label=md(label_col)), help=tr("seg.vs_label_help"))
        c1, c2, c3 = st.columns(3)
        c1.metric(tr("seg.m_ari"), fmt(metrics["ari"]), help=metric_help("ari"))
        c2.metric(tr("seg.m_nmi"), fmt(metrics["nmi"]), help=metric_help("nmi"))
        c3.metric(tr("seg.m_labelled"), f"{metrics.get('n_labelled', 0):,}")
        truth = ctx.table.users[label_col].iloc[ctx.embeddings.user_index].reset_index(drop=True)
        confusion = confusion_table(np.asarray(run.labels), truth, display_names(ctx))
        st.plotly_chart(localize_figure(confusion_figure(confusion)), config={"displayModeBar": False},
                        key="seg_confusion")


def save_section(ctx: Context) -> None:
    st.subheader(tr("seg.keep"))
    with st.form("seg_save_form", border=True):
        name = st.text_input(tr("seg.name"), value=default_run_name(ctx), max_chars=80)
        if st.form_submit_button(tr("seg.save"), icon=":material/bookmark_add:", key="seg_save_submit"):
            saved = save_current_run(ctx, name)
            st.success(tr("seg.saved", name=md(saved.name)), icon=":material/bookmark:")

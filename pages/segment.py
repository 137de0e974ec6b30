"""2 · Segment: choose how users are compared and grouped; metrics update live."""

from pages._shared.common import route_through_app

route_through_app()  # a deep link opened before app.py ever ran

import json

import numpy as np
import pandas as pd
import streamlit as st

from pages._shared.common import (
    METRIC_HELP,
    available_embedders,
    build_context,
    default_run_name,
    display_names,
    edited,
    embedder_description,
    embedder_expected_seconds,
    ensure_dataset,
    fmt,
    human_seconds,
    init_page_state,
    is_embedded,
    mcs_sweep_cached,
    md,
    noise_policy_text,
    page_header,
    save_current_run,
    seed_stability_cached,
    settings,
    user_table,
)
from segkit.cluster.registry import CLUSTERERS
from segkit.errors import SegkitInputError
from segkit.metrics.external import confusion_table
from segkit.plots import confusion_figure, k_sweep_figure, min_cluster_size_figure, sizes_figure
from segkit.reduce.registry import REDUCERS

init_page_state("seg", {"current": None, "previous": None})
page_header(
    "2 · Segment",
    "Pick how texts become vectors, how much behaviour counts, and the grouping method. Embedding runs once "
    "per dataset and embedder; after that every change below re-clusters in well under a second and the "
    "quality metrics update live.",
)

dataset = ensure_dataset()
s = settings()
try:
    table = user_table(dataset)
except SegkitInputError as exc:
    st.error(md(exc), icon=":material/error:")
    st.page_link("pages/data.py", label="Fix the column roles on the Data page", icon=":material/arrow_back:")
    st.stop()
n_texts = len({t for t in table.row_texts if t})
n_users = max(int(table.user_has_text().sum()), 3)
has_traits = bool(dataset.roles.numeric_cols or dataset.roles.categorical_cols)

ALGO_LABELS = {name: cls.label or name for name, cls in CLUSTERERS.items()}
REDUCER_LABELS = {
    "auto": "auto: PCA for K methods, UMAP for density methods",
    "none": "none: cluster the full feature space",
    "pca": "PCA: linear, fast, deterministic",
    "umap": "UMAP: non-linear, keeps neighbourhoods (slower)",
}


def param_widget(spec, key: str, stored, n: int):
    """One control for a ParamSpec; initialised from the session's settings."""
    label = spec.label or spec.name.replace("_", " ")
    value = spec.default if stored is None else stored
    if spec.choices:
        st.session_state.setdefault(key, value if value in spec.choices else spec.default)
        return st.selectbox(label, list(spec.choices), key=key, help=spec.help)
    if spec.kind is bool:
        st.session_state.setdefault(key, bool(value))
        return st.toggle(label, key=key, help=spec.help)
    if spec.kind is int:
        low = int(spec.minimum if spec.minimum is not None else 0)
        high = int(spec.maximum if spec.maximum is not None else 1_000_000)
        if spec.name == "k":
            high = min(high, max(low + 1, min(40, n - 1)))
        if spec.name == "min_cluster_size":
            high = min(high, max(low + 1, min(n // 2, 2000)))
        value = int(min(max(int(value), low), high))
        st.session_state.setdefault(key, value)
        st.session_state[key] = int(min(max(int(st.session_state[key]), low), high))
        if high - low <= 400 or spec.name in ("k", "min_cluster_size"):
            return st.slider(label, low, high, key=key, help=spec.help)
        return st.number_input(label, low, high, step=1, key=key, help=spec.help)
    low = float(spec.minimum) if spec.minimum is not None else None
    high = float(spec.maximum) if spec.maximum is not None else None
    st.session_state.setdefault(key, float(value))
    step = 0.01 if (high is not None and high <= 1) else 0.1
    return st.number_input(label, min_value=low, max_value=high, step=step, key=key, help=spec.help,
                           format="%.3f")


controls, results = st.columns([1, 2.3], gap="large")

# ================================================================== controls
with controls:
    st.subheader("Text vectors", help="How reviews become numbers. Computed once per dataset and embedder, "
                 "then cached.")
    options = available_embedders(dataset)
    if s["embedder"] not in options:
        s["embedder"] = "tfidf"
    st.session_state.setdefault("seg_embedder_choice", s["embedder"])
    if st.session_state["seg_embedder_choice"] not in options:
        st.session_state["seg_embedder_choice"] = s["embedder"]
    choice = st.selectbox("Embedder", options, key="seg_embedder_choice",
                          help="Choosing shows what it costs; embedding starts only when you press the button.")
    expected = embedder_expected_seconds(choice, n_texts)
    ready = is_embedded(dataset, choice)
    st.caption(f"{md(embedder_description(choice))}  \n"
               + ("**Ready** (cached for this dataset)." if ready else
                  f"Expected time for these {n_texts:,} texts: **{human_seconds(expected)}**, once; then cached."))
    if choice != s["embedder"]:
        label = f"Embed with {choice}" + ("" if ready else f" ({human_seconds(expected)})")
        if st.button(label, icon=":material/memory:", key="seg_embed_apply", type="primary"):
            s["embedder"] = choice
            st.rerun()
        st.caption(f"In use now: {md(s['embedder'])}.")
    with st.expander("Compare embedders on this data", icon=":material/timer:"):
        st.dataframe(pd.DataFrame([
            {"embedder": name, "expected time": human_seconds(embedder_expected_seconds(name, n_texts)),
             "ready": "✓" if is_embedded(dataset, name) else "", "what it is": embedder_description(name)}
            for name in options
        ]), hide_index=True, width="stretch")
        st.caption(f"{n_texts:,} distinct texts. Expected times are rough figures for a 2-core laptop; "
                   "each embedder runs once per dataset, then it is cached.")
    st.subheader("Features")
    st.session_state.setdefault("seg_text_weight", float(s["text_weight"]))
    s["text_weight"] = st.slider(
        "Text vs behaviour weight", 0.0, 1.0, step=0.05, key="seg_text_weight", disabled=not has_traits,
        help="1 = only what users write; 0 = only their numeric/categorical traits. Distances split between "
             "text and behaviour in exactly this ratio." if has_traits else
             "No numeric or categorical traits are mapped (Data page), so only text counts.",
    )
    if has_traits:
        st.caption(f"Text {s['text_weight']:.0%} · behaviour {1 - s['text_weight']:.0%}")
    reducer_options = ["auto", *REDUCERS]
    st.session_state.setdefault("seg_reducer", s["reducer"] if s["reducer"] in reducer_options else "auto")
    s["reducer"] = st.selectbox("Dimension reduction before clustering", reducer_options, key="seg_reducer",
                                format_func=lambda r: REDUCER_LABELS.get(r, r),
                                help="Fewer, denser dimensions make clustering faster and often better.")
    if s["reducer"] != "auto" and REDUCERS[s["reducer"]].params_spec:
        stored = s["reducer_params"].setdefault(s["reducer"], {})
        for spec in REDUCERS[s["reducer"]].params_spec:
            stored[spec.name] = param_widget(spec, f"seg_red_{s['reducer']}_{spec.name}", stored.get(spec.name),
                                             n_users)

    st.subheader("Grouping method")
    st.session_state.setdefault("seg_algorithm", s["algorithm"])
    s["algorithm"] = st.selectbox("Algorithm", list(CLUSTERERS), key="seg_algorithm",
                                  format_func=lambda a: ALGO_LABELS[a],
                                  help="K-means: round segments, you choose K (or let segkit). HDBSCAN/DBSCAN: "
                                       "find dense groups of any shape and may leave outliers unassigned.")
    algorithm = s["algorithm"]
    spec_class = CLUSTERERS[algorithm]
    stored = s["params"].setdefault(algorithm, {})
    for spec in spec_class.params_spec:
        if spec.name == "k":
            st.session_state.setdefault("seg_auto_k", bool(s["auto_k"]))

            def _auto_toggled() -> None:
                last = st.session_state.get("sk_last") or {}
                if not st.session_state["seg_auto_k"] and last.get("k"):
                    st.session_state[f"seg_{algorithm}_k"] = int(last["k"])

            s["auto_k"] = st.toggle("Choose K automatically", key="seg_auto_k", on_change=_auto_toggled,
                                    help="K with the highest silhouette over K = 2…15.")
            if s["auto_k"]:
                continue
        stored[spec.name] = param_widget(spec, f"seg_{algorithm}_{spec.name}", stored.get(spec.name), n_users)
    if spec_class.density_based:
        st.session_state.setdefault("seg_noise_policy", s["noise_policy"])
        s["noise_policy"] = st.radio(
            "Noise policy: users in no dense group are…", ["keep", "reassign"], key="seg_noise_policy",
            format_func=lambda p: {"keep": "kept as an 'Unassigned' group",
                                   "reassign": "reassigned to their nearest segment"}[p],
            help="Shown on every page and written to the export (segment name 'Unassigned' or the nearest "
                 "segment with confidence 0).")
    st.session_state.setdefault("seg_seed", int(s["seed"]))
    s["seed"] = int(st.number_input("Random seed", 0, 1_000_000, step=1, key="seg_seed",
                                    help="Change it to check that segments do not depend on luck."))

# ================================================================== results
with results:
    ctx = build_context()
    if ctx is None:
        st.stop()
    run = edited(ctx)
    metrics = run.metrics
    current = {"run_key": ctx.run_key, **{k: metrics.get(k) for k in
                                          ("silhouette", "calinski_harabasz", "davies_bouldin", "noise_share",
                                           "n_segments")}}
    if st.session_state["seg_current"] is None or st.session_state["seg_current"]["run_key"] != ctx.run_key:
        st.session_state["seg_previous"] = st.session_state["seg_current"]
        st.session_state["seg_current"] = current
    previous = st.session_state["seg_previous"] or {}

    def delta(name: str, digits: int = 3):
        before, now = previous.get(name), current.get(name)
        if before is None or now is None:
            return None
        change = now - before
        if abs(change) < 10 ** (-digits):
            return None
        return round(change, digits)

    st.subheader("Quality", help="Computed in the space the clustering ran in (never on the 2-D map). "
                 "Arrows compare with the previous settings.")
    cols = st.columns(5)
    cols[0].metric("Segments", metrics["n_segments"], delta=delta("n_segments", 0), delta_color="off",
                   help=METRIC_HELP["n_segments"])
    cols[1].metric("Silhouette", fmt(metrics.get("silhouette")), delta=delta("silhouette"),
                   help=METRIC_HELP["silhouette"])
    ch = metrics.get("calinski_harabasz")
    cols[2].metric("CH score", f"{ch:,.0f}" if ch is not None and ch >= 1000 else fmt(ch, 1),
                   delta=delta("calinski_harabasz", 1), help="Calinski–Harabasz. " + METRIC_HELP["calinski_harabasz"])
    cols[3].metric("DB score", fmt(metrics.get("davies_bouldin")), delta=delta("davies_bouldin"),
                   delta_color="inverse", help="Davies–Bouldin. " + METRIC_HELP["davies_bouldin"])
    cols[4].metric("Noise share", f"{metrics.get('noise_share') or 0:.1%}", delta=delta("noise_share"),
                   delta_color="inverse", help=METRIC_HELP["noise_share"])
    notes = []
    if "auto_k" in metrics:
        notes.append(f"K = {metrics['auto_k']} chosen automatically ({md(metrics['auto_k_rule'])})")
    if metrics.get("silhouette_seed") is not None:
        notes.append(f"silhouette estimated on {metrics['silhouette_sample_size']:,} sampled users")
    cheap = ctx.run.timings.get("total_cheap_step")
    if cheap is not None:
        notes.append(f"clustered and described in {cheap:.2f} s")
    notes.append(f"noise policy: {md(noise_policy_text(ctx.config))}")
    st.caption(" · ".join(notes))

    left, right = st.columns([2, 3], gap="medium")
    with left:
        st.markdown("**Segment sizes**")
        st.plotly_chart(sizes_figure(run.summary.table), config={"displayModeBar": False}, key="seg_sizes")
    with right:
        if spec_class.uses_k and ctx.k_sweep is not None:
            from segkit.metrics.sweep import choose_k

            st.markdown("**Choosing K**", help="K-means at every K from 2 to 15 on the same features. "
                        "Look for a silhouette peak and a Davies–Bouldin dip; the dashed green line is segkit's "
                        "suggestion, the red ring the K in use.")
            st.plotly_chart(k_sweep_figure(ctx.k_sweep, suggested_k=choose_k(ctx.k_sweep),
                                           current_k=ctx.run.result.n_clusters, height=500),
                            config={"displayModeBar": False}, key="seg_ksweep")
        elif algorithm == "hdbscan":
            st.markdown("**HDBSCAN's cliffs**", help="Segments found and users left unassigned for a range of "
                        "min_cluster_size. Red bands mark cliffs: a small change there changes the result a lot.")
            n = ctx.space.matrix.shape[0]
            current_size = int(ctx.run.result.params.get("min_cluster_size", 30))
            sizes = sorted({s_ for s_ in (5, 10, 15, 20, 25, 30, 40, 50, 60, 75, 100, 125, 150, 200, 250, 300)
                            if 2 <= s_ <= max(2, n // 2)} | {current_size})
            params_json = json.dumps({k: v for k, v in ctx.run.result.params.items() if k != "seed"},
                                     sort_keys=True, default=str)
            with st.spinner("Sweeping min_cluster_size (once per feature space)…"):
                mcs = mcs_sweep_cached(ctx.space_key, tuple(sizes), params_json, ctx.space.matrix)
            st.plotly_chart(min_cluster_size_figure(mcs, current=current_size, height=460),
                            config={"displayModeBar": False}, key="seg_mcs")
        else:
            st.markdown("**Parameters**")
            st.caption("This method has no K to sweep; its parameters are on the left.")

    st.subheader("Stability", help=METRIC_HELP["stability"])
    deterministic = algorithm in ("hdbscan", "dbscan", "agglomerative")
    if deterministic:
        st.caption(f"{md(ALGO_LABELS[algorithm])} gives the same result for any seed on the same features. "
                   "To test robustness, change the random seed on the left (it also changes the UMAP "
                   "reduction, when used) and compare the runs on the Compare page.")
    else:
        params_json = json.dumps({k: v for k, v in ctx.run.result.params.items() if k != "seed"},
                                 sort_keys=True, default=str)
        with st.spinner("Re-running with 5 seeds…"):
            stability = seed_stability_cached(ctx.space_key, algorithm, params_json, ctx.space.matrix)
        value = stability["stability_ari_mean"]
        verdict = "stable" if value >= 0.8 else ("fairly stable" if value >= 0.6 else "unstable")
        c1, c2 = st.columns([1, 3])
        c1.metric("Seed stability (ARI)", f"{value:.2f}", help=METRIC_HELP["stability"])
        c2.caption(f"Mean agreement between {len(stability['seeds'])} runs with seeds "
                   f"{', '.join(map(str, stability['seeds']))} (worst pair {stability['stability_ari_min']:.2f}): "
                   f"**{verdict}**.")

    label_col = ctx.config.roles.label_col
    if label_col and "ari" in metrics:
        st.subheader(f"Against the label column '{md(label_col)}'",
                     help="Only shown because a label column is mapped; it is never used to build segments.")
        c1, c2, c3 = st.columns(3)
        c1.metric("ARI", fmt(metrics["ari"]), help=METRIC_HELP["ari"])
        c2.metric("NMI", fmt(metrics["nmi"]), help=METRIC_HELP["nmi"])
        c3.metric("Users with a label", f"{metrics.get('n_labelled', 0):,}")
        truth = ctx.table.users[label_col].iloc[ctx.embeddings.user_index].reset_index(drop=True)
        confusion = confusion_table(np.asarray(run.labels), truth, display_names(ctx))
        st.plotly_chart(confusion_figure(confusion), config={"displayModeBar": False}, key="seg_confusion")

    st.subheader("Keep this run")
    with st.form("seg_save_form", border=True):
        name = st.text_input("Name", value=default_run_name(ctx), max_chars=80)
        if st.form_submit_button("Save run for comparison", icon=":material/bookmark_add:", key="seg_save_submit"):
            saved = save_current_run(ctx, name)
            st.success(f"Saved '{md(saved.name)}'. Compare saved runs on the Compare page.",
                       icon=":material/bookmark:")

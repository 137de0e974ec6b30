"""2 · Segment: choose how users are compared and grouped; metrics update live."""

from pages._shared.common import route_through_app

route_through_app()  # a deep link opened before app.py ever ran

import json

import numpy as np
import pandas as pd
import streamlit as st

from pages._shared.common import (
    auto_embedder,
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
    language_label_text,
    localize_figure,
    mcs_sweep_cached,
    md,
    metric_help,
    noise_policy_text,
    page_header,
    param_help,
    param_label,
    save_current_run,
    seed_stability_cached,
    settings,
    tr,
    user_table,
)
from segkit.cluster.registry import CLUSTERERS
from segkit.errors import SegkitInputError
from segkit.metrics.external import confusion_table
from segkit.plots import confusion_figure, k_sweep_figure, min_cluster_size_figure, sizes_figure
from segkit.reduce.registry import REDUCERS

init_page_state("seg", {"current": None, "previous": None})
page_header(tr("nav.segment"), tr("seg.intro"))

dataset = ensure_dataset()
s = settings()
try:
    table = user_table(dataset)
except SegkitInputError as exc:
    st.error(md(exc), icon=":material/error:")
    st.page_link("pages/data.py", label=tr("seg.fix_roles"), icon=":material/arrow_back:")
    st.stop()
n_texts = len({t for t in table.row_texts if t})
n_users = max(int(table.user_has_text().sum()), 3)
has_traits = bool(dataset.roles.numeric_cols or dataset.roles.categorical_cols)

ALGO_LABELS = {name: cls.label or name for name, cls in CLUSTERERS.items()}
REDUCER_LABELS = {
    "auto": tr("seg.red_auto"),
    "none": tr("seg.red_none"),
    "pca": tr("seg.red_pca"),
    "umap": tr("seg.red_umap"),
}


def param_widget(spec, key: str, stored, n: int):
    """One control for a ParamSpec; initialised from the session's settings."""
    label = param_label(spec)
    help_text = param_help(spec)
    value = spec.default if stored is None else stored
    if spec.choices:
        st.session_state.setdefault(key, value if value in spec.choices else spec.default)
        return st.selectbox(label, list(spec.choices), key=key, help=help_text)
    if spec.kind is bool:
        st.session_state.setdefault(key, bool(value))
        return st.toggle(label, key=key, help=help_text)
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
            return st.slider(label, low, high, key=key, help=help_text)
        return st.number_input(label, low, high, step=1, key=key, help=help_text)
    low = float(spec.minimum) if spec.minimum is not None else None
    high = float(spec.maximum) if spec.maximum is not None else None
    st.session_state.setdefault(key, float(value))
    step = 0.01 if (high is not None and high <= 1) else 0.1
    return st.number_input(label, min_value=low, max_value=high, step=step, key=key, help=help_text,
                           format="%.3f")


controls, results = st.columns([1, 2.3], gap="large")

# ================================================================== controls
with controls:
    st.subheader(tr("seg.text_vectors"), help=tr("seg.text_vectors_help"))
    options = ["auto", *available_embedders(dataset)]
    if s["embedder"] not in options:
        s["embedder"] = "auto"
    st.session_state.setdefault("seg_embedder_choice", s["embedder"])
    if st.session_state["seg_embedder_choice"] not in options:
        st.session_state["seg_embedder_choice"] = s["embedder"]
    auto = auto_embedder(dataset)
    auto_label = tr("seg.auto_option", embedder=auto.name)  # fixed now: format_func may run later
    choice = st.selectbox(tr("seg.embedder"), options, key="seg_embedder_choice", help=tr("seg.embedder_help"),
                          format_func=lambda n: auto_label if n == "auto" else n)
    if choice == "auto":
        st.caption(tr("seg.auto_reason", embedder=md(auto.name), reason=md(auto.reason)))
    because = st.session_state.get("sk_embedder_reason")
    in_use = auto.name if s["embedder"] == "auto" else s["embedder"]
    if because and because.get("dataset_key") == dataset.key and in_use == because["embedder"]:
        why = "lang.why_multilingual" if because["embedder"] == "multilingual" else "lang.why_other"
        st.info(tr(why, label=language_label_text(because["label"]), embedder=md(because["embedder"])),
                icon=":material/translate:")
        st.caption(tr("lang.reason_details", reason=md(because["reason"])))
    resolved = auto.name if choice == "auto" else choice
    expected = embedder_expected_seconds(resolved, n_texts)
    ready = is_embedded(dataset, resolved)
    st.caption(f"{md(embedder_description(resolved))}  \n"
               + (tr("seg.ready") if ready else
                  tr("seg.expected", n=f"{n_texts:,}", time=human_seconds(expected))))
    if choice != s["embedder"]:
        label = tr("seg.embed_with", embedder=choice) + ("" if ready else f" ({human_seconds(expected)})")
        if st.button(label, icon=":material/memory:", key="seg_embed_apply", type="primary"):
            s["embedder"] = choice
            st.rerun()
        st.caption(tr("seg.in_use", embedder=md(s["embedder"])))
    with st.expander(tr("seg.compare_embedders"), icon=":material/timer:"):
        st.dataframe(pd.DataFrame([
            {tr("seg.col_embedder"): name,
             tr("seg.col_time"): human_seconds(embedder_expected_seconds(name, n_texts)),
             tr("seg.col_ready"): "✓" if is_embedded(dataset, name) else "",
             tr("seg.col_what"): embedder_description(name)}
            for name in options
        ]), hide_index=True, width="stretch")
        st.caption(tr("seg.compare_caption", n=f"{n_texts:,}"))
    st.subheader(tr("seg.features"))
    st.session_state.setdefault("seg_text_weight", float(s["text_weight"]))
    s["text_weight"] = st.slider(
        tr("seg.weight"), 0.0, 1.0, step=0.05, key="seg_text_weight", disabled=not has_traits,
        help=tr("seg.weight_help") if has_traits else tr("seg.weight_help_none"),
    )
    if has_traits:
        st.caption(tr("seg.weight_split", text=f"{s['text_weight']:.0%}", behaviour=f"{1 - s['text_weight']:.0%}"))
    st.session_state.setdefault("seg_sentiment_trait", bool(s.get("sentiment_trait", False)))
    s["sentiment_trait"] = st.checkbox(tr("desc.sentiment_trait"), key="seg_sentiment_trait",
                                       help=tr("desc.sentiment_trait_help"))
    reducer_options = ["auto", *REDUCERS]
    st.session_state.setdefault("seg_reducer", s["reducer"] if s["reducer"] in reducer_options else "auto")
    s["reducer"] = st.selectbox(tr("seg.reducer"), reducer_options, key="seg_reducer",
                                format_func=lambda r: REDUCER_LABELS.get(r, r), help=tr("seg.reducer_help"))
    if s["reducer"] != "auto" and REDUCERS[s["reducer"]].params_spec:
        stored = s["reducer_params"].setdefault(s["reducer"], {})
        for spec in REDUCERS[s["reducer"]].params_spec:
            stored[spec.name] = param_widget(spec, f"seg_red_{s['reducer']}_{spec.name}", stored.get(spec.name),
                                             n_users)

    st.subheader(tr("seg.method"))
    st.session_state.setdefault("seg_algorithm", s["algorithm"])
    s["algorithm"] = st.selectbox(tr("seg.algorithm"), list(CLUSTERERS), key="seg_algorithm",
                                  format_func=lambda a: ALGO_LABELS[a], help=tr("seg.algorithm_help"))
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

            s["auto_k"] = st.toggle(tr("seg.auto_k"), key="seg_auto_k", on_change=_auto_toggled,
                                    help=tr("seg.auto_k_help"))
            if s["auto_k"]:
                continue
        stored[spec.name] = param_widget(spec, f"seg_{algorithm}_{spec.name}", stored.get(spec.name), n_users)
    if spec_class.density_based:
        st.session_state.setdefault("seg_noise_policy", s["noise_policy"])
        s["noise_policy"] = st.radio(
            tr("seg.noise_policy"), ["keep", "reassign"], key="seg_noise_policy",
            format_func=lambda p: {"keep": tr("seg.noise_keep"), "reassign": tr("seg.noise_reassign")}[p],
            help=tr("seg.noise_help"))
    st.session_state.setdefault("seg_seed", int(s["seed"]))
    s["seed"] = int(st.number_input(tr("seg.seed"), 0, 1_000_000, step=1, key="seg_seed", help=tr("seg.seed_help")))

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
    cols[4].metric(tr("seg.m_noise"), f"{metrics.get('noise_share') or 0:.1%}", delta=delta("noise_share"),
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
    strength = metrics.get("auto_k_strength")
    if strength in ("weak", "none"):
        st.info(tr(f"seg.k_{strength}", k=metrics["auto_k"], silhouette=fmt(metrics.get("silhouette"), 2)),
                icon=":material/blur_on:")

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

    st.subheader(tr("seg.stability"), help=metric_help("stability"))
    deterministic = CLUSTERERS.flag(algorithm, "deterministic")
    if deterministic:
        st.caption(tr("seg.deterministic", algorithm=md(ALGO_LABELS[algorithm])))
    else:
        params_json = json.dumps({k: v for k, v in ctx.run.result.params.items() if k != "seed"},
                                 sort_keys=True, default=str)
        with st.spinner(tr("seg.spin_seeds")):
            stability = seed_stability_cached(ctx.space_key, algorithm, params_json, ctx.space.matrix)
        value = stability["stability_ari_mean"]
        verdict = tr("stab.stable") if value >= 0.8 else (tr("stab.fairly_stable") if value >= 0.6
                                                          else tr("stab.unstable_short"))
        c1, c2 = st.columns([1, 3])
        c1.metric(tr("seg.m_stability"), f"{value:.2f}", help=metric_help("stability"))
        c2.caption(tr("seg.stability_caption", n=len(stability["seeds"]), seeds=", ".join(map(str, stability["seeds"])),
                      worst=f"{stability['stability_ari_min']:.2f}", verdict=verdict))

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

    st.subheader(tr("seg.keep"))
    with st.form("seg_save_form", border=True):
        name = st.text_input(tr("seg.name"), value=default_run_name(ctx), max_chars=80)
        if st.form_submit_button(tr("seg.save"), icon=":material/bookmark_add:", key="seg_save_submit"):
            saved = save_current_run(ctx, name)
            st.success(tr("seg.saved", name=md(saved.name)), icon=":material/bookmark:")

"""The Segment page's controls: embedder, features, reducer and method, kept in the
session's settings (dashboard.state.settings)."""

from __future__ import annotations

from contextlib import contextmanager

import pandas as pd
import streamlit as st

from dashboard.compute import auto_embedder, is_embedded
from dashboard.resources import available_embedders, embedder_description, embedder_expected_seconds
from dashboard.ui import human_seconds, md
from dashboard.words import language_label_text, param_help, param_label, tr
from segkit.cluster.registry import CLUSTERERS
from segkit.reduce.registry import REDUCERS


def algorithm_labels() -> dict[str, str]:
    return {name: cls.label or name for name, cls in CLUSTERERS.items()}


def reducer_labels() -> dict[str, str]:
    return {"auto": tr("seg.red_auto"), "none": tr("seg.red_none"), "pca": tr("seg.red_pca"),
            "umap": tr("seg.red_umap")}


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
        if spec.name == "min_cluster_size":
            # Log-spaced stops: 10-100 is most of the track, not a few pixels of 2..1,661.
            options = log_stops(low, high, st.session_state[key])
            return st.select_slider(label, options, key=key, help=help_text)
        if high - low <= 400 or spec.name == "k":
            return st.slider(label, low, high, key=key, help=help_text)
        return st.number_input(label, low, high, step=1, key=key, help=help_text)
    low = float(spec.minimum) if spec.minimum is not None else None
    high = float(spec.maximum) if spec.maximum is not None else None
    st.session_state.setdefault(key, float(value))
    step = 0.01 if (high is not None and high <= 1) else 0.1
    return st.number_input(label, min_value=low, max_value=high, step=step, key=key, help=help_text,
                           format="%.3f")


def log_stops(low: int, high: int, current: int) -> list[int]:
    """About a dozen stops per decade from `low` to `high` (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5
    ...), plus `current` so a stored value is always on the track."""
    stops = {low, high, int(current)}
    decade = 1
    while decade <= high:
        for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5):
            value = int(round(step * decade))
            if low <= value <= high:
                stops.add(value)
        decade *= 10
    return sorted(stops)


# Beyond this many users a slider move refits for seconds: such controls wait for "Apply".
LIVE_USERS = 20_000


def expensive_moves(algorithm: str, n_users: int) -> bool:
    """Density methods refit (and the space may be UMAP) on every move; big data does too."""
    return CLUSTERERS[algorithm].density_based or n_users >= LIVE_USERS


@contextmanager
def apply_form(key: str, on: bool):
    """Controls inside a form with an Apply button when `on` (keyboard steps then re-run
    nothing until Apply); plain, live controls otherwise."""
    if not on:
        yield
        return
    with st.form(key, border=False):
        yield
        st.form_submit_button(tr("seg.apply"), icon=":material/play_arrow:", key=f"{key}_apply", type="primary")
        st.caption(tr("seg.apply_caption"))


def embedder_controls(dataset, s: dict, n_texts: int, mean_chars: float) -> None:
    """The embedder choice: "auto" with its reason, the expected time, and an explicit
    button before a slow embedder starts."""
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
    expected = embedder_expected_seconds(resolved, n_texts, mean_chars)
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
             tr("seg.col_time"): human_seconds(embedder_expected_seconds(name, n_texts, mean_chars)),
             tr("seg.col_ready"): "✓" if is_embedded(dataset, name) else "",
             tr("seg.col_what"): embedder_description(name)}
            for name in options
        ]), hide_index=True, width="stretch")
        st.caption(tr("seg.compare_caption", n=f"{n_texts:,}"))


def feature_controls(s: dict, has_traits: bool, n_users: int) -> None:
    """Text weight, the sentiment trait and the reducer."""
    REDUCER_LABELS = reducer_labels()
    st.subheader(tr("seg.features"))
    st.session_state.setdefault("seg_text_weight", float(s["text_weight"]))
    with apply_form("seg_weight_form", has_traits and expensive_moves(s["algorithm"], n_users)):
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


def method_controls(s: dict, n_users: int) -> str:
    """The clustering method and its parameters; returns the chosen algorithm."""
    ALGO_LABELS = algorithm_labels()
    st.subheader(tr("seg.method"))
    st.session_state.setdefault("seg_algorithm", s["algorithm"])
    s["algorithm"] = st.selectbox(tr("seg.algorithm"), list(CLUSTERERS), key="seg_algorithm",
                                  format_func=lambda a: ALGO_LABELS[a], help=tr("seg.algorithm_help"))
    algorithm = s["algorithm"]
    spec_class = CLUSTERERS[algorithm]
    stored = s["params"].setdefault(algorithm, {})
    specs = list(spec_class.params_spec)
    if any(spec.name == "k" for spec in specs):
        st.session_state.setdefault("seg_auto_k", bool(s["auto_k"]))

        def _auto_toggled() -> None:
            last = st.session_state.get("sk_last") or {}
            if not st.session_state["seg_auto_k"] and last.get("k"):
                st.session_state[f"seg_{algorithm}_k"] = int(last["k"])

        s["auto_k"] = st.toggle(tr("seg.auto_k"), key="seg_auto_k", on_change=_auto_toggled,
                                help=tr("seg.auto_k_help"))
        if s["auto_k"]:
            specs = [spec for spec in specs if spec.name != "k"]
    with apply_form("seg_params_form", bool(specs) and expensive_moves(algorithm, n_users)):
        for spec in specs:
            stored[spec.name] = param_widget(spec, f"seg_{algorithm}_{spec.name}", stored.get(spec.name), n_users)
    if spec_class.density_based:
        st.session_state.setdefault("seg_noise_policy", s["noise_policy"])
        s["noise_policy"] = st.radio(
            tr("seg.noise_policy"), ["keep", "reassign"], key="seg_noise_policy",
            format_func=lambda p: {"keep": tr("seg.noise_keep"), "reassign": tr("seg.noise_reassign")}[p],
            help=tr("seg.noise_help"))
    st.session_state.setdefault("seg_seed", int(s["seed"]))
    s["seed"] = int(st.number_input(tr("seg.seed"), 0, 1_000_000, step=1, key="seg_seed", help=tr("seg.seed_help")))
    return algorithm

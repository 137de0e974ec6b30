"""The current segmentation for a page: settings -> RunConfig -> cached stages -> Context, and the session's edits."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from dashboard.compute import (
    Preview,
    _background_embedding,
    _cluster,
    _k_sweep,
    _space,
    embeddings_for,
    user_table,
    wanted_embedder,
)
from dashboard.maps import current_map
from dashboard.preview import preview_banner
from dashboard.resources import derived_memory, described_tables
from dashboard.state import SAMPLE_PATH, Dataset, SavedRun, _memo, ensure_dataset, settings
from dashboard.ui import md
from dashboard.waiting import bar_slot, memo_or_wait
from dashboard.words import tr
from segkit.cluster.registry import CLUSTERERS
from segkit.config import RunConfig
from segkit.edits import Edits, carry_names
from segkit.embed.choice import (
    PREVIEW_EMBEDDER,
    needs_preview,
)
from segkit.errors import SegkitInputError
from segkit.io import UserTable
from segkit.pipeline import (
    ClusterSpace,
    SegmentationRun,
    UserEmbeddings,
    resolve_reducer,
)
from segkit.stage_keys import StageKeys
from segkit.threads import limited_threads
from segkit.waits import plans


def config_from_settings(dataset: Dataset, s: dict | None = None) -> RunConfig:
    s = s if s is not None else settings()
    algorithm = s["algorithm"]
    spec = CLUSTERERS[algorithm]
    params = dict(s["params"].get(algorithm, {}))
    if spec.uses_k and s.get("auto_k", True):
        params.pop("k", None)
    known = {p.name for p in spec.params_spec}
    params = {k: v for k, v in params.items() if k in known}
    reducer = s["reducer"]
    reducer_params = dict(s["reducer_params"].get(reducer, {})) if reducer != "auto" else {}
    return RunConfig(
        roles=dataset.roles,
        embedder=wanted_embedder(dataset, s),
        text_weight=float(s["text_weight"]),
        reducer=reducer,
        reducer_params=reducer_params,
        algorithm=algorithm,
        algorithm_params=params,
        noise_policy=s["noise_policy"],
        seed=int(s["seed"]),
        # Display only: segkit.stage_keys leaves the map out of every key, so switching it
        # re-runs nothing; an exported config reproduces the map the analyst looked at.
        map_method=st.session_state.get("sk_map_method", "umap"),
        input_path=None if not dataset.is_sample else str(SAMPLE_PATH),
        sentiment_trait=bool(s.get("sentiment_trait", False)),
    )


@dataclass
class Context:
    """Everything a page needs about the current segmentation."""

    dataset: Dataset
    table: UserTable
    embeddings: UserEmbeddings
    space: ClusterSpace
    config: RunConfig  # as chosen (no "k" when K is automatic)
    run: SegmentationRun  # with the current map attached
    run_key: str
    space_key: str
    fused_key: str
    k_sweep: pd.DataFrame | None
    map_method: str  # what the attached map is: "umap" or "pca"
    map_pending: bool  # a UMAP map is being computed in the background
    preview: Preview | None = None  # set while these are preview segments (the better embedder is on its way)

    @property
    def density(self) -> bool:
        return CLUSTERERS[self.config.algorithm].density_based


def build_context(show_errors: bool = True) -> Context | None:
    """Compute (or fetch) the current segmentation; shows a friendly error and returns None on bad input."""
    try:
        ctx = _build_context()
        if show_errors:
            preview_banner(ctx)
        return ctx
    except SegkitInputError as exc:
        if show_errors:
            st.error(md(exc), icon=":material/error:")
        return None
    except Exception as exc:  # noqa: BLE001 - people get a sentence, the server log the traceback
        import logging

        logging.getLogger("segkit.app").exception("segmentation failed")
        if show_errors:
            st.error(tr("common.failed", error=type(exc).__name__, detail=md(exc)), icon=":material/error:")
            s = settings()
            if wanted_embedder(ensure_dataset(), s) != "tfidf":
                def _back() -> None:
                    s["embedder"] = "tfidf"
                    st.session_state["seg_embedder_choice"] = "tfidf"

                st.button(tr("common.fallback_tfidf"), on_click=_back, key="sk_fallback_tfidf")
        return None


def _build_context() -> Context:
    dataset = ensure_dataset()
    config = config_from_settings(dataset)
    table = user_table(dataset)
    preview = None
    slot = bar_slot()  # one place for the embedding's bar, whichever path runs (waiting.bar_slot)
    if needs_preview(config.embedder):
        embeddings, preview = _background_embedding(dataset, table, config.embedder, slot)
        if preview is not None:
            config = config.with_changes(embedder=PREVIEW_EMBEDDER)
            embeddings = embeddings_for(dataset, table, PREVIEW_EMBEDDER, slot)
    else:
        embeddings = embeddings_for(dataset, table, config.embedder, slot)
    if len(embeddings.user_index) < 3:
        raise SegkitInputError(tr("common.too_few_users", n=len(embeddings.user_index)))
    keys = StageKeys.from_config(config, dataset.key)
    space_key, fused_key, run_key = keys.space, keys.fused, keys.cluster
    density = CLUSTERERS[config.algorithm].density_based
    n_users = len(embeddings.user_index)
    reducer, reducer_params = resolve_reducer(config, n_users)
    n_dims = embeddings.vectors.shape[1] + len(table.roles.numeric_cols) + len(table.roles.categorical_cols)
    space = memo_or_wait(
        f"space|{space_key}",
        tr("common.spin_space"),  # the bar names the UMAP phases itself
        lambda: plans.space_wait(n_users, n_dims, reducer, reducer_params),
        lambda: _space(space_key, table, embeddings, config))
    spec = CLUSTERERS[config.algorithm]
    auto_k = spec.uses_k and "k" not in config.algorithm_params
    described = described_tables()
    data_id = (dataset.key, dataset.roles_json)
    # Automatic K goes through the library (the same rule and sweep as `segkit segment`);
    # its sweep is kept for the "Choosing K" chart, so a manual K never sweeps again.
    result, metrics, summary, timings = memo_or_wait(
        f"cluster|{run_key}",
        tr("common.spin_auto_k") if auto_k else tr("common.spin_segmenting"),
        lambda: plans.cluster_wait(n_users, config.algorithm, auto_k, *plans.text_size(table.row_texts), data_id in described,
                                   config.algorithm_params.get("k")),
        lambda: _cluster(run_key, table, embeddings, space, config))
    described.add(data_id)
    sweep_key = f"sweep|{space_key}|{config.k_max}"
    sweep = None
    if spec.uses_k:
        if isinstance(result.extra.get("k_sweep"), pd.DataFrame):
            st.session_state["sk_memo"][sweep_key] = result.extra["k_sweep"]
        sweep = memo_or_wait(sweep_key, tr("common.spin_sweep"), lambda: plans.sweep_wait(n_users),
                              lambda: _k_sweep(space_key, config.k_max, config.seed, space.matrix))
    coords, map_method, pending = current_map(fused_key, space, config.seed)
    run = SegmentationRun(config, table, embeddings, space, result, metrics, summary, coords, timings)
    ctx = Context(dataset, table, embeddings, space, config, run, run_key, space_key, fused_key, sweep,
                  map_method, pending, preview)
    _note_swap(ctx)
    st.session_state["sk_last"] = {
        "run_key": run_key,
        "algorithm": spec.label or config.algorithm,
        "k": result.n_clusters,
        "auto_k": auto_k,
        "embedder": config.embedder,
        "text_weight": run.effective_text_weight,  # what fusion used (0 without text, 1 without traits)
        "noise_policy": config.noise_policy,
        "density": density,
        "noise_share": metrics.get("noise_share", 0.0),
        "map": map_method + (" (UMAP on its way)" if pending else ""),
        "map_method": map_method,
        "map_pending": pending,
    }
    return ctx


def _note_swap(ctx: Context) -> None:
    """Remember that this session saw a preview, so the swap to the better segments is announced."""
    ss = st.session_state
    if ctx.preview is not None:
        ss["sk_preview_wait"] = {"dataset": ctx.dataset.key, "wanted": ctx.preview.wanted}
        ss["sk_swap_note"] = None
        return
    waiting = ss.get("sk_preview_wait")
    if waiting and waiting["dataset"] == ctx.dataset.key and waiting["wanted"] == ctx.config.embedder:
        ss["sk_swap_note"] = {"dataset": ctx.dataset.key, "embedder": ctx.config.embedder}
    ss["sk_preview_wait"] = None


def edits_for(run_key: str) -> dict:
    """This session's edits of the run `run_key`, as the pages change them:
    {"names": {id: name}, "merges": [[ids]]} (segkit.edits.Edits.of reads it)."""
    return st.session_state["sk_edits"].setdefault(run_key, {"names": {}, "merges": []})


def current_edits(ctx: Context) -> Edits:
    fresh = ctx.run_key not in st.session_state["sk_edits"]
    edits = edits_for(ctx.run_key)
    if fresh:
        _carry_earlier_names(ctx, edits)
    value = Edits.of(edits["names"], edits["merges"])
    if value:
        # The latest edited run of this data: the next run of the same data can take its names.
        st.session_state["sk_last_edits"] = {
            "data": _data_id(ctx), "run_key": ctx.run_key, "labels": value.user_labels(ctx.run),
            "names": value.name_map(), "n_merges": len(value.merges),
            "settings": json.loads(json.dumps(st.session_state["sk_settings"], default=str))}
    return value


def _data_id(ctx: Context) -> str:
    return f"{ctx.dataset.key}|{ctx.dataset.roles_json}"


def _carry_earlier_names(ctx: Context, edits: dict) -> None:
    """A new run of data the analyst already named: names go to the segments that are mostly
    the same users (segkit.edits.carry_names); the Segments page says what was carried."""
    last = st.session_state.get("sk_last_edits")
    if not last or last["data"] != _data_id(ctx) or last["run_key"] == ctx.run_key:
        return
    carried = carry_names(last["labels"], last["names"], ctx.run.user_labels())
    edits["names"] = dict(carried)
    st.session_state["sk_carry_note"] = {
        "run_key": ctx.run_key, "carried": len(carried), "named": len(last["names"]),
        "merges": last["n_merges"], "settings": last["settings"], "from_run": last["run_key"]}


def carry_note(ctx: Context) -> dict | None:
    """What `_carry_earlier_names` did for this run, if anything (for the Segments page)."""
    note = st.session_state.get("sk_carry_note")
    return note if note and note["run_key"] == ctx.run_key else None


def back_to_settings(settings_snapshot: dict) -> None:
    """Return to the settings of the earlier, edited run (its edits are still kept there)."""
    st.session_state["sk_settings"] = json.loads(json.dumps(settings_snapshot))
    st.session_state["sk_carry_note"] = None
    for key in [k for k in st.session_state if str(k).startswith("seg_")]:
        del st.session_state[key]


def edited_labels(ctx: Context) -> np.ndarray:
    return current_edits(ctx).user_labels(ctx.run)


def edited(ctx: Context) -> SegmentationRun:
    """The run with this session's merges and renames applied (memoised): what every page
    and export uses."""
    edits = current_edits(ctx)
    if not edits:
        return ctx.run
    key = f"edited|{ctx.run_key}|{edits!r}|{ctx.map_method}"
    return _memo(key, lambda: edits.apply(ctx.run, derived_memory()))


def display_names(ctx: Context) -> dict[int, str]:
    return {int(k): v for k, v in edited(ctx).summary.names.items()}


def save_current_run(ctx: Context, name: str) -> SavedRun:
    run = edited(ctx)
    labels = edited_labels(ctx)
    names = {int(k): v for k, v in run.summary.names.items()}
    spec = CLUSTERERS[ctx.config.algorithm]
    saved = SavedRun(
        name=name.strip() or tr("common.run_name", n=len(st.session_state["sk_saved"]) + 1),
        dataset_key=ctx.dataset.key,
        dataset_name=ctx.dataset.name,
        run_key=ctx.run_key,
        config_json=ctx.config.with_changes(edits=current_edits(ctx).to_dict()).to_json(),
        algorithm=spec.label or ctx.config.algorithm,
        metrics={k: v for k, v in run.metrics.items() if isinstance(v, (int, float, str)) or v is None},
        user_labels=labels,
        names=names,
        sizes={int(k): int(v) for k, v in zip(run.summary.table["segment_id"], run.summary.table["size"], strict=True)},
    )
    st.session_state["sk_saved"].append(saved)
    from dashboard.history_store import persist  # kept in the run database too (History page)

    persist(ctx, saved)
    return saved


def default_run_name(ctx: Context) -> str:
    spec = CLUSTERERS[ctx.config.algorithm]
    n = ctx.run.result.n_clusters
    return tr("common.run_name_long", n=len(st.session_state.get("sk_saved", [])) + 1, algorithm=spec.label,
              k=n, embedder=ctx.config.embedder, weight=f"{ctx.config.text_weight:.0%}")


def stability_for(ctx: Context) -> dict:
    """Per-segment stability across seeds for the edited run (memoised per run and merges)."""
    from segkit.export.report import segment_stability

    merges = current_edits(ctx).merges  # names do not change stability
    algorithm = ctx.config.algorithm

    def measure() -> dict:
        with limited_threads():
            return segment_stability(edited(ctx), memory=derived_memory())

    return memo_or_wait(f"stability|{ctx.run_key}|{merges!r}", tr("common.spin_stability"),
                        lambda: plans.segment_stability_wait(ctx.space.matrix.shape[0], algorithm,
                                                             CLUSTERERS.flag(algorithm, "deterministic")),
                        measure)

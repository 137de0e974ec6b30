"""The 2-D map: PCA at once, UMAP from a background worker when it is ready."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from dashboard.compute import _pca_map, embedding_key
from dashboard.resources import map_jobs
from dashboard.state import _memo
from dashboard.words import tr
from segkit.pipeline import (
    ClusterSpace,
)
from segkit.reduce.map2d import umap_is_warm

if TYPE_CHECKING:  # only for annotations: dashboard.context imports this module
    from dashboard.context import Context


def current_map(fused_key: str, space: ClusterSpace, seed: int) -> tuple[np.ndarray, str, bool]:
    """The best map available now: UMAP when computed, else PCA (instant) while UMAP runs."""
    wanted = st.session_state.get("sk_map_method", "umap")
    if wanted == "umap":
        future = map_jobs().get(f"{fused_key}|{seed}", space.fused.matrix, seed)
        if future.done() and not future.cancelled() and future.exception() is None:
            return future.result(), "umap", False
        if not future.done():
            pca = _memo(f"pca|{fused_key}|{seed}", lambda: _pca_map(fused_key, seed, space.fused.matrix))
            return pca, "pca", True
    pca = _memo(f"pca|{fused_key}|{seed}", lambda: _pca_map(fused_key, seed, space.fused.matrix))
    return pca, "pca", False


def umap_ready(ctx: Context) -> bool:
    future = map_jobs().get(f"{ctx.fused_key}|{ctx.config.seed}", ctx.space.fused.matrix, ctx.config.seed)
    return future.done()


def map_refresher(ctx: Context) -> None:
    """While the UMAP map is computed in the background, poll and rerun the page when ready."""
    if not ctx.map_pending:
        return

    @st.fragment(run_every=2.0)
    def _poll() -> None:
        if umap_ready(ctx):
            st.rerun()
        warm = "" if umap_is_warm(ctx.space.fused.matrix.shape[0]) else tr("common.map_compiling")
        st.caption(tr("common.map_pending", warm=warm))

    _poll()


def map_hover(ctx: Context) -> np.ndarray:
    """Hover labels of the map (user id + review snippet), built once per dataset and embedder."""
    from segkit.plots.figures import hover_texts

    def build() -> np.ndarray:
        texts = ctx.table.user_texts(400)
        index = ctx.embeddings.user_index
        ids = ctx.table.users["user_id"].iloc[index].tolist()
        return hover_texts([texts[i] for i in index], ids)

    return _memo(f"hover|{embedding_key(ctx.dataset, ctx.config.embedder)}", build)

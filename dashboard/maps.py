"""The 2-D map: PCA at once, UMAP from a background worker when it is ready."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from dashboard.compute import _pca_map, embedding_key
from dashboard.resources import map_jobs
from dashboard.state import TTL, _memo
from dashboard.waiting import draw_status
from dashboard.words import lang, tr
from segkit.pipeline import (
    ClusterSpace,
)
from segkit.reduce.map2d import umap_is_warm

if TYPE_CHECKING:  # only for annotations: dashboard.context imports this module
    from dashboard.context import Context


# From this many users on, the background UMAP starts only once the page that first shows
# the segments has been drawn (a poll of map_refresher, ~2 s later): its numba code holds
# the GIL for long stretches and slowed a 200,000-user upload's first view by tens of s
# (and a 50,000-user one's second session from 10 s of work to 22 s).
DEFER_UMAP_FROM = 20_000
DEFER_S = 1.5


def _may_start_umap(key: str, n_users: int) -> bool:
    if n_users < DEFER_UMAP_FROM:
        return True
    first_seen = st.session_state.setdefault("sk_map_first_seen", {})
    since = first_seen.setdefault(key, time.monotonic())
    return time.monotonic() - since >= DEFER_S


def _umap_job(fused_key: str, space: ClusterSpace, seed: int):
    """The UMAP job for this space: submitted if allowed yet, else only looked up (None)."""
    key = f"{fused_key}|{seed}"
    if _may_start_umap(key, space.fused.matrix.shape[0]):
        return map_jobs().get(key, space.fused.matrix, seed)
    return map_jobs().peek(key)


def current_map(fused_key: str, space: ClusterSpace, seed: int) -> tuple[np.ndarray, str, bool]:
    """The best map available now: UMAP when computed, else PCA (instant) while UMAP runs."""
    pending = False
    if st.session_state.get("sk_map_method", "umap") == "umap":
        future = _umap_job(fused_key, space, seed)  # None while deferred: the refresher starts it
        if future is not None and future.done() and not future.cancelled() and future.exception() is None:
            return future.result(), "umap", False
        pending = future is None or not future.done()  # a failed UMAP leaves the PCA map for good
    pca = _memo(f"pca|{fused_key}|{seed}", lambda: _pca_map(fused_key, seed, space.fused.matrix))
    return pca, "pca", pending


def umap_ready(ctx: Context) -> bool:
    future = _umap_job(ctx.fused_key, ctx.space, ctx.config.seed)
    return future is not None and future.done()


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
        status = map_jobs().status(f"{ctx.fused_key}|{ctx.config.seed}")
        if status is not None and status.elapsed > 0:  # started: its progress and time left
            draw_status(st, tr("wait.map"), status, lang())

    _poll()


@st.cache_resource(max_entries=4, ttl=TTL, show_spinner=False)
def _shared_hover_labels(embed_key: str, n_users: int) -> np.ndarray:
    """One label array per dataset and embedder for every session, filled as points are
    drawn (a second session on a 50,000-user file spent 2.8 s rebuilding them)."""
    return np.full(n_users, None, dtype=object)


def map_hover(ctx: Context, drawn: np.ndarray) -> np.ndarray:
    """Hover labels (user id + review snippet) of the drawn points, in `drawn` order.

    Built per user on first draw and kept per dataset and embedder: beyond 50,000 users
    only the drawn sample gets one (building all 200,000 cost 5 s of the first view)."""
    from segkit.plots.figures import hover_texts

    key = embedding_key(ctx.dataset, ctx.config.embedder)
    labels = _memo(f"hover|{key}", lambda: _shared_hover_labels(key, len(ctx.embeddings.user_index)))
    drawn = np.asarray(drawn)
    missing = drawn[np.equal(labels[drawn], None)]
    if len(missing):
        texts = ctx.table.user_texts()  # built once for the descriptions; cut here, not rebuilt
        users = ctx.embeddings.user_index[missing]
        ids = ctx.table.users["user_id"].to_numpy()[users].tolist()
        labels[missing] = hover_texts([texts[i][:400] for i in users], ids)
    return labels[drawn]

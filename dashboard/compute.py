"""The library's stages behind Streamlit's caches, keyed by segkit.stage_keys; the slow embedder behind a preview.

The large values (user table, vectors, spaces, PCA maps) are st.cache_resource: one
object shared by every session, never pickled. st.cache_data pickled a copy in and one
out per session: at 200,000 users that cost seconds per step and ~1 GB for a second
session on the same file. segkit's results are immutable values, so sharing is safe.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from dashboard.resources import (
    derived_memory,
    disk_cache,
    embed_jobs,
    embedder_wait,
    session_id,
)
from dashboard.state import TTL, Dataset, _memo, settings
from dashboard.waiting import bar_slot, with_progress
from dashboard.words import tr
from segkit import waits
from segkit.config import RunConfig
from segkit.embed.background import JobStatus
from segkit.embed.choice import (
    AUTO,
    EmbedderChoice,
    choose_for_roles,
    text_workload,
)
from segkit.io import ColumnRoles, UserTable, prepare_users
from segkit.metrics.sweep import auto_k
from segkit.pipeline import (
    ClusterSpace,
    UserEmbeddings,
    build_space,
    embed_users,
    embeddings_cached,
    segment_embedded,
)
from segkit.reduce.map2d import project_2d
from segkit.stage_keys import StageKeys
from segkit.threads import limited_threads
from segkit.waits import plans


@st.cache_resource(max_entries=8, ttl=TTL, show_spinner=False)
def _prepare(ds_key: str, roles_json: str, _frame: pd.DataFrame, _roles: ColumnRoles) -> UserTable:
    return prepare_users(_frame, _roles)


@st.cache_resource(max_entries=6, ttl=TTL, show_spinner=False)
def _embed(ds_key: str, roles_json: str, embedder: str, _table: UserTable, _frame: pd.DataFrame) -> UserEmbeddings:
    with limited_threads():  # the embedder's progress goes to the caller's open wait
        return embed_users(_table, embedder, {}, cache=disk_cache(), progress=waits.progress_callback(),
                           frame=_frame)


@st.cache_resource(max_entries=12, ttl=TTL, show_spinner=False)
def _space(space_key: str, _table: UserTable, _embeddings: UserEmbeddings, _config: RunConfig) -> ClusterSpace:
    with limited_threads():
        return build_space(_table, _embeddings, _config, derived_memory())


@st.cache_data(max_entries=12, ttl=TTL, show_spinner=False)
def _k_sweep(space_key: str, k_max: int, seed: int, _matrix: np.ndarray) -> pd.DataFrame:
    """The K-means sweep behind automatic K (same range rule as segkit.pipeline.cluster_space)."""
    from segkit.pipeline import count_distinct_points

    with limited_threads():
        return auto_k(_matrix, k_max, seed, n_distinct=count_distinct_points(_matrix)).sweep


@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False)
def _cluster(cluster_key: str, _table: UserTable, _embeddings: UserEmbeddings,
             _space: ClusterSpace, _config: RunConfig):
    started = time.perf_counter()
    with limited_threads():
        run = segment_embedded(_table, _embeddings, _config, with_map=False, space=_space, memory=derived_memory())
    timings = dict(run.timings, total_cheap_step=round(time.perf_counter() - started, 3))
    return run.result, run.metrics, run.summary, timings


@st.cache_resource(max_entries=8, ttl=TTL, show_spinner=False)
def _pca_map(fused_key: str, seed: int, _matrix: np.ndarray) -> np.ndarray:
    with limited_threads():
        return project_2d(_matrix, method="pca", seed=seed)


@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False)
def seed_stability_cached(space_key: str, algorithm: str, params_json: str, _matrix: np.ndarray) -> dict:
    from segkit.metrics.stability import seed_stability

    with limited_threads():
        return seed_stability(_matrix, algorithm, json.loads(params_json))


@st.cache_data(max_entries=16, ttl=TTL, show_spinner=False)
def mcs_sweep_cached(space_key: str, sizes: tuple[int, ...], params_json: str, _matrix: np.ndarray) -> pd.DataFrame:
    from segkit.metrics.sweep import min_cluster_size_sweep

    params = {k: v for k, v in json.loads(params_json).items() if k != "min_cluster_size"}
    with limited_threads():
        return min_cluster_size_sweep(_matrix, sizes, params, memory=derived_memory())


def user_table(dataset: Dataset) -> UserTable:
    slot = bar_slot()  # made whether or not there is work (waiting.bar_slot)
    return _memo(f"table|{dataset.key}|{dataset.roles_json}",
                 lambda: with_progress(tr("wait.preparing"), plans.prepare_wait(dataset.n_bytes),
                                       lambda: _prepare(dataset.key, dataset.roles_json, dataset.frame,
                                                        dataset.roles), slot))


def embedding_key(dataset: Dataset, embedder: str) -> str:
    """segkit.stage_keys' embed key for this dataset and embedder (no embedder parameters here)."""
    return StageKeys.from_config(RunConfig(roles=dataset.roles, embedder=embedder), dataset.key).embed


def is_embedded(dataset: Dataset, embedder: str) -> bool:
    return f"emb|{embedding_key(dataset, embedder)}" in st.session_state["sk_memo"]


def embeddings_for(dataset: Dataset, table: UserTable, embedder: str, slot=None) -> UserEmbeddings:
    """`embedder`'s vectors of the table; `slot`: the embedding step's bar_slot, which a
    caller with several paths makes once for all of them (waiting.bar_slot)."""
    slot = bar_slot() if slot is None else slot

    def embed() -> UserEmbeddings:
        n_texts, mean_chars = text_workload(table.row_texts)
        # The wait is open around the cached call: another session's embedding returns at
        # once, and a wait's step that ends that fast is counted as cached, not as a speed.
        return with_progress(tr("common.embedding_progress", n=f"{n_texts:,}", embedder=embedder),
                             embedder_wait(embedder, n_texts, mean_chars),
                             lambda: _embed(dataset.key, dataset.roles_json, embedder, table, dataset.frame), slot)

    return _memo(f"emb|{embedding_key(dataset, embedder)}", embed)


def auto_embedder(dataset: Dataset) -> EmbedderChoice:
    """The default rule's embedder for this dataset (segkit.embed.choice), once per dataset."""
    from segkit.io.language import texts_of

    return _memo(f"auto_embedder|{dataset.key}|{dataset.roles_json}",
                 lambda: choose_for_roles(dataset.roles, texts_of(dataset.frame, dataset.roles.text_cols)))


def wanted_embedder(dataset: Dataset, s: dict | None = None) -> str:
    """The embedder the session's settings ask for, with "auto" resolved for this dataset."""
    name = (s or settings())["embedder"]
    return auto_embedder(dataset).name if name == AUTO else name


@dataclass(frozen=True)
class Preview:
    """Segments shown from the fast preview embedder while `wanted` embeds in the background."""

    wanted: str
    job_key: str
    status: JobStatus


def _background_embedding(dataset: Dataset, table: UserTable, wanted: str,
                          slot=None) -> tuple[UserEmbeddings | None, Preview | None]:
    """(embeddings, None) when `wanted`'s vectors are ready; (None, preview state) while its
    background job runs or after it failed or was cancelled. `slot`: as in embeddings_for."""
    job_key = embedding_key(dataset, wanted)
    memo_key = f"emb|{job_key}"  # embeddings_for's key
    if memo_key in st.session_state["sk_memo"]:
        return st.session_state["sk_memo"][memo_key], None
    if embeddings_cached(table, wanted, disk_cache()):
        return embeddings_for(dataset, table, wanted, slot), None
    n_texts, mean_chars = text_workload(table.row_texts)
    frame = dataset.frame

    def work(progress):
        with limited_threads():
            return embed_users(table, wanted, {}, cache=disk_cache(), progress=progress, frame=frame)

    job = embed_jobs().start(job_key, session_id(), work, wait=embedder_wait(wanted, n_texts, mean_chars))
    status = job.status()
    if status.state == "done":
        return _memo(memo_key, job.future.result), None
    return None, Preview(wanted, job_key, status)

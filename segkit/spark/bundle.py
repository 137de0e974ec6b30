"""The small summary bundle a Spark run leaves for the dashboard, and its loader.

A bundle is a directory:
  manifest.json      format, run config, counts, metrics, timings, segment names, keywords
  segments.parquet   one row per segment (the dashboard's segment table)
  sample.parquet     a stratified sample of users: user_id, segment, confidence, x, y, text, traits
  numeric.csv        per segment: mean and z-score of each numeric trait (and n_reviews)
  categorical.parquet  per segment and categorical trait: share of each value (long form)
This module imports pandas only (no pyspark), so the dashboard can open bundles
written on a cluster without Spark installed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from segkit.errors import SegkitInputError
from segkit.export.safe import to_safe_csv

BUNDLE_FORMAT = "segkit-spark-bundle/1"


@dataclass(frozen=True)
class SparkBundle:
    manifest: dict
    segments: pd.DataFrame
    sample: pd.DataFrame
    numeric: pd.DataFrame
    categorical: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def config(self) -> dict:
        return self.manifest.get("config", {})

    @property
    def metrics(self) -> dict:
        return self.manifest.get("metrics", {})

    @property
    def keywords(self) -> dict[int, list[tuple[str, float]]]:
        return {int(k): [(t, float(s)) for t, s in v] for k, v in self.manifest.get("keywords", {}).items()}

    @property
    def names(self) -> dict[int, str]:
        return dict(zip(self.segments["segment_id"].astype(int), self.segments["segment_name"], strict=False))

    @property
    def assignments_path(self) -> str | None:
        """Where the full user -> segment Parquet table was written."""
        return self.manifest.get("assignments_path")


def write_bundle(path: str | Path, manifest: dict, segments: pd.DataFrame, sample: pd.DataFrame,
                 numeric: pd.DataFrame, categorical: dict[str, pd.DataFrame]) -> Path:
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    segments.to_parquet(path / "segments.parquet", index=False)
    sample.to_parquet(path / "sample.parquet", index=False)
    # The one CSV in the bundle is a file people open in a spreadsheet: the safe writer.
    to_safe_csv(numeric, path / "numeric.csv")
    long = [table.assign(trait=column) for column, table in categorical.items()]
    columns = ["trait", "segment_id", "value", "share"]
    (pd.concat(long, ignore_index=True)[columns] if long else pd.DataFrame(columns=columns)).to_parquet(
        path / "categorical.parquet", index=False)
    data = {"format": BUNDLE_FORMAT, **manifest}
    (path / "manifest.json").write_text(json.dumps(data, indent=2, ensure_ascii=False, default=_plain),
                                        encoding="utf-8")
    return path


def load_bundle(path: str | Path) -> SparkBundle:
    """Open a bundle written by `segkit spark` (plain pandas objects; no Spark needed)."""
    path = Path(path)
    manifest_path = path / "manifest.json"
    if not path.is_dir():
        raise SegkitInputError(f"Spark result bundle not found: {path}")
    if not manifest_path.is_file():
        raise SegkitInputError(f"{path} is not a segkit Spark bundle (no manifest.json).")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SegkitInputError(f"The bundle manifest {manifest_path} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
        raise SegkitInputError(f"{manifest_path} is not a segkit Spark bundle (expected format {BUNDLE_FORMAT}).")
    try:
        segments = pd.read_parquet(path / "segments.parquet")
        sample = pd.read_parquet(path / "sample.parquet")
        numeric = pd.read_csv(path / "numeric.csv", encoding="utf-8-sig")
        long = pd.read_parquet(path / "categorical.parquet")
    except (OSError, ValueError) as exc:
        raise SegkitInputError(f"The bundle {path} is incomplete or damaged: {exc}") from None
    categorical = {str(t): g.drop(columns="trait").reset_index(drop=True) for t, g in long.groupby("trait")}
    return SparkBundle(manifest, segments, sample, numeric, categorical)


def _plain(value):
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value)}")

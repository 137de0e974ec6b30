"""Reading, checking and atomically writing saved models (segkit.model.segment_model).

A model file may come from anywhere, so nothing in it is trusted:

- each array of the .npz is checked from its header before it is read: no object dtype,
  at most MAX_ARRAY_MB per array and MAX_MODEL_MB in all, and a size that matches its
  shape (a 10 MB file cannot ask for 4 GiB);
- the settings must follow the schema (known assign rule and reducer state, the arrays
  that rule needs, shapes that agree with each other and with the number of segments);
- `arrays_sha256` in the settings is a hash of every array: a model.json from one
  model beside the arrays.npz of another is refused instead of naming the wrong users;
- saving writes a temporary folder (or file) and renames it into place.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from segkit.errors import SegkitInputError

MAX_ARRAY_MB = 256
MAX_MODEL_MB = 1024
ASSIGN_RULES = ("centroid", "gaussian", "density")
REDUCER_STATES = ("pca", "identity", "fused")


def arrays_digest(arrays: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for key in sorted(arrays):
        value = np.ascontiguousarray(arrays[key])
        digest.update(f"{key}\x00{value.dtype.str}\x00{value.shape}\x00".encode())
        digest.update(value.tobytes())
    return digest.hexdigest()


def read_npz(path: Path, label: Path) -> dict[str, np.ndarray]:
    """Every array of an .npz, each checked from its header before it is allocated."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SegkitInputError(f"{label} is not a readable segkit model: {exc}") from None
    arrays: dict[str, np.ndarray] = {}
    total = 0
    with archive:
        for info in archive.infolist():
            name = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            if name in arrays:
                raise SegkitInputError(f"{label}: the array '{name}' appears twice.")
            if info.file_size > MAX_ARRAY_MB * 1024 * 1024:
                raise SegkitInputError(f"{label}: the array '{name}' is {info.file_size / 2**20:,.0f} MB, over the "
                                       f"{MAX_ARRAY_MB} MB a segkit model array may hold.")
            total += info.file_size
            if total > MAX_MODEL_MB * 1024 * 1024:
                raise SegkitInputError(f"{label}: the arrays hold over {MAX_MODEL_MB} MB; not a segkit model.")
            try:
                with archive.open(info) as handle:
                    version = np.lib.format.read_magic(handle)
                    read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                                   (2, 0): np.lib.format.read_array_header_2_0}.get(version)
                    if read_header is None:
                        raise ValueError(f"unsupported .npy version {version}")
                    shape, fortran, dtype = read_header(handle)
                    if dtype.hasobject:
                        raise ValueError("object arrays would need pickle")
                    header_size = handle.tell()
                    n_items = int(np.prod(shape, dtype=np.int64)) if shape else 1
                    if header_size + n_items * dtype.itemsize != info.file_size:
                        raise ValueError(f"its header claims shape {shape} of {dtype}, "
                                         f"which does not match its {info.file_size:,} bytes")
                    data = handle.read(n_items * dtype.itemsize)
            except (ValueError, OSError, EOFError, SyntaxError, zipfile.BadZipFile) as exc:
                raise SegkitInputError(f"{label}: the array '{name}' is unusable ({exc}).") from None
            order = "F" if fortran else "C"
            arrays[name] = np.frombuffer(data, dtype=dtype).reshape(shape, order=order).copy()
    return arrays


def _fail(label, what: str):
    raise SegkitInputError(f"{label} is not a valid segkit model: {what}.")


def _need(arrays: dict, label, key: str, ndim: int, rows: int | None = None, cols: int | None = None) -> np.ndarray:
    if key not in arrays:
        _fail(label, f"the array '{key}' is missing")
    value = arrays[key]
    if value.ndim != ndim or (rows is not None and value.shape[0] != rows) or \
            (cols is not None and ndim == 2 and value.shape[1] != cols):
        want = "×".join(str(v) if v is not None else "n" for v in (rows, cols)[:ndim])
        _fail(label, f"the array '{key}' has shape {value.shape}, expected {want}")
    if value.dtype.kind in "fiub" and value.dtype.kind == "f" and not np.isfinite(value).all():
        _fail(label, f"the array '{key}' holds NaN or infinite values")
    return value


def validate(meta: dict, arrays: dict[str, np.ndarray], label) -> None:
    """Schema, shapes and the content hash; SegkitInputError naming the first problem."""
    for key, kind in (("algorithm", str), ("embedder", str), ("assign_rule", str), ("reducer_state", str),
                      ("n_segments", int), ("roles", dict), ("numeric_cols", list), ("categorical_levels", dict),
                      ("names", dict), ("text_weight", (int, float)), ("arrays_sha256", str)):
        if key not in meta:
            _fail(label, f"the setting '{key}' is missing")
        if not isinstance(meta[key], kind) or isinstance(meta[key], bool):
            _fail(label, f"the setting '{key}' has the wrong type")
    if meta["arrays_sha256"] != arrays_digest(arrays):
        _fail(label, "its arrays are not the ones its settings were saved with (content hash differs); "
                     "model.json and arrays.npz must come from the same save")
    if meta["assign_rule"] not in ASSIGN_RULES:
        _fail(label, f"unknown assign rule '{meta['assign_rule']}' (known: {', '.join(ASSIGN_RULES)})")
    if meta["reducer_state"] not in REDUCER_STATES:
        _fail(label, f"unknown reducer state '{meta['reducer_state']}'")
    if not 0 <= float(meta["text_weight"]) <= 1:
        _fail(label, "text_weight is outside 0..1")
    k = meta["n_segments"]
    if k < 1:
        _fail(label, "it has no segment")
    centroids = _need(arrays, label, "centroids", 2, k)
    width = centroids.shape[1]
    _need(arrays, label, "centroid_radius", 1, k)
    if meta["assign_rule"] == "gaussian":
        variances = _need(arrays, label, "gmm_variances", 2, k, width)
        if (variances <= 0).any():
            _fail(label, "a Gaussian variance is not positive")
        _need(arrays, label, "gmm_log_weights", 1, k)
    if meta["assign_rule"] == "density":
        members = _need(arrays, label, "members", 2, None, width)
        member_labels = _need(arrays, label, "member_labels", 1, len(members))
        _need(arrays, label, "member_radius", 1, len(members))
        if len(members) == 0 or member_labels.dtype.kind not in "iu" or \
                member_labels.min() < 0 or member_labels.max() >= k:
            _fail(label, "its member points are empty or name segments it does not have")
    fused_width = _fused_width(meta, arrays, label)
    if "fused_centroids" in arrays:  # optional: what pulls a new user to their segment
        _need(arrays, label, "fused_centroids", 2, k, fused_width)
    keywords = meta.get("keywords", {})
    if not isinstance(keywords, dict) or not all(isinstance(v, list) and all(isinstance(t, str) for t in v)
                                                 for v in keywords.values()):
        _fail(label, "the setting 'keywords' is not a list of words per segment")
    if "classifier_coef" in arrays or "classifier_intercept" in arrays:  # optional: --method classifier
        _need(arrays, label, "classifier_coef", 2, k, fused_width)
        _need(arrays, label, "classifier_intercept", 1, k)
    if meta["reducer_state"] == "pca":
        _need(arrays, label, "pca_mean", 1, fused_width)
        _need(arrays, label, "pca_components", 2, width, fused_width)
    elif fused_width != width:
        _fail(label, f"its fused features have {fused_width} columns but its centres {width}")
    if meta["embedder"] == "tfidf":
        tfidf = meta.get("tfidf")
        if not isinstance(tfidf, dict) or not isinstance(tfidf.get("dim"), int):
            _fail(label, "the TF-IDF settings are missing")
        vocabulary = _need(arrays, label, "tfidf_vocabulary", 1)
        _need(arrays, label, "tfidf_idf", 1, len(vocabulary))
        if tfidf.get("has_svd"):
            _need(arrays, label, "tfidf_components", 2, tfidf["dim"], len(vocabulary))


def _fused_width(meta: dict, arrays: dict, label) -> int:
    width = 0
    if "fuse_text_mean" in arrays:
        width += len(_need(arrays, label, "fuse_text_mean", 1))
        if not isinstance(meta.get("text_scale"), (int, float)):
            _fail(label, "text_scale is missing")
    n_numeric = len(meta["numeric_cols"])
    if n_numeric:
        for key in ("fuse_numeric_medians", "fuse_numeric_log", "fuse_numeric_means", "fuse_numeric_stds"):
            _need(arrays, label, key, 1, n_numeric)
    n_traits = n_numeric + sum(len(v) if isinstance(v, list) else 10**9 for v in meta["categorical_levels"].values())
    if "fuse_trait_mean" in arrays:
        _need(arrays, label, "fuse_trait_mean", 1, n_traits)
        if not isinstance(meta.get("trait_scale"), (int, float)):
            _fail(label, "trait_scale is missing")
        width += n_traits
    if width == 0:
        _fail(label, "it has neither text nor trait features")
    return width


def write_atomically(path: Path, write) -> None:
    """`write(tmp)` into a temporary sibling (file for .npz, folder otherwise), then rename it to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".npz":
        handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp.npz")
        os.close(handle)
        try:
            write(Path(tmp_name))
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return
    if path.exists() and not path.is_dir():
        raise SegkitInputError(f"{path} is a file; a model folder needs a new or model folder name (or end it in .npz).")
    if path.is_dir() and any(path.iterdir()) and not (path / "model.json").is_file():
        raise SegkitInputError(f"{path} is a folder with other files in it; save the model to a new folder.")
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    old = None
    try:
        write(tmp)
        if path.exists():
            old = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".old"))
            os.rmdir(old)
            os.rename(path, old)
        os.rename(tmp, path)
    except BaseException:
        if old is not None and not path.exists():
            os.rename(old, path)
            old = None
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)

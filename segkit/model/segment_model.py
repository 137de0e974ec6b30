"""A fitted segmentation saved safely, and new users assigned to its segments.

A model is a folder with `model.json` (settings, names, column roles, scalars) and
`arrays.npz` (numbers and vocabulary strings, read with allow_pickle=False), or one
`.npz` file holding both (the JSON as a byte array). Nothing is pickled.

Assignment repeats the pipeline for the new users: embed their texts (TF-IDF from the
stored vocabulary/idf/SVD; a packaged model by name), average per user, fuse with the
stored scaling, reduce, then

- K-means, mini-batch K-means, agglomerative: nearest segment centre; confidence
  1 - nearest/second-nearest distance; `outlier` when farther from the centre than 99%
  of the segment's training members (the user is still assigned);
- Gaussian mixture: the posterior of a diagonal Gaussian per segment estimated from its
  members (the fitted covariances are not kept by the clusterer; for 'full'/'tied' this
  is an approximation);
- HDBSCAN / DBSCAN: the nearest stored member point; the user joins its segment when
  within that member's core distance (DBSCAN: eps around core points), else is an
  outlier (segment -1), or, when the run reassigned noise, joins the nearest centre with
  confidence 0 -- the stored equivalent of hdbscan's approximate_predict.

PCA is linear and stored as mean + components. UMAP cannot be stored safely as arrays,
so models fitted with UMAP assign in the fused space (before UMAP) against centres and
members of the fused vectors: same segments, but distances are those of the fused
space, so borderline users can land differently than UMAP would have placed them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from segkit.cluster.base import NOISE, cluster_means, distance_confidence
from segkit.errors import SegkitInputError
from segkit.fuse.fusion import FittedFusion
from segkit.io.prepare import prepare_users
from segkit.io.roles import ColumnRoles

MODEL_FORMAT = "segkit-model/2"  # /2: the settings carry a hash of the arrays
OLD_FORMATS = ("segkit-model/1",)
MAX_MEMBERS = 20_000  # density models keep at most this many member points (seeded sample)
OUTLIER_QUANTILE = 0.99


@dataclass
class SegmentModel:
    meta: dict  # JSON-able: settings, roles, names, scalars
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def algorithm(self) -> str:
        return self.meta["algorithm"]

    @property
    def names(self) -> dict[int, str]:
        return {int(k): v for k, v in self.meta.get("names", {}).items()}

    def describe(self) -> str:
        m = self.meta
        return (f"{m['algorithm']} model, {m['n_segments']} segments, embedder {m['embedder']}, "
                f"reducer {m['reducer']} (assigns in the {m['assign_space']} space), "
                f"trained on {m['n_training_users']} users")


# ----------------------------------------------------------------------------- fitting

def fit_model(run, frame: pd.DataFrame | None = None, like: SegmentModel | None = None,
              classifier: bool = True) -> SegmentModel:
    """Everything needed to assign new users like `run` assigned its own users.

    `frame` (the table the run was made from) is needed only for the 'precomputed' embedder check.
    `like`: a model fitted from a run with the same table, embeddings and space (another K
    of a sweep); its embedder and reducer state are taken instead of refitted (refitting
    TF-IDF was 9.8 of the 16.7 s of a 14-K sweep on 1,429 users). `classifier=False` leaves
    out the classifier of `--method classifier` (a model that only assigns by the clusterer's
    rule: the recommendation refits; its logistic regression took ~2 s a fit on 857 users
    with MiniLM vectors and traits).
    """
    from segkit.cluster.registry import CLUSTERERS

    config = run.config
    fused = run.space.fused
    meta: dict = {
        "format": MODEL_FORMAT,
        "algorithm": config.algorithm,
        "algorithm_params": {k: v for k, v in run.result.params.items() if _jsonable_scalar(v)},
        "noise_policy": config.noise_policy,
        "embedder": config.embedder,
        "embedder_params": dict(config.embedder_params),
        "roles": run.table.roles.to_dict(),
        "text_weight": float(fused.text_weight),
        "numeric_cols": list(fused.numeric_cols),
        "categorical_levels": {k: list(v) for k, v in fused.categorical_levels.items()},
        "reducer": run.space.reducer,
        "reducer_params": dict(run.space.reducer_params),
        "names": {str(k): v for k, v in run.summary.names.items()},
        "n_training_users": int(len(run.labels)),
        "seed": int(config.seed),
        # New users' texts are masked as the training texts were (their words were fitted on them).
        "mask_personal_data": bool(run.table.texts_masked),
    }
    arrays: dict[str, np.ndarray] = {}
    scaling = fused.scaling
    for key in ("text_mean", "numeric_medians", "numeric_log", "numeric_means", "numeric_stds", "trait_mean"):
        if key in scaling:
            arrays[f"fuse_{key}"] = np.asarray(scaling[key])
    for key in ("text_scale", "trait_scale"):
        if key in scaling:
            meta[key] = float(scaling[key])

    if like is not None and (like.meta["embedder"], like.meta["reducer"], like.meta["n_training_users"]) != (
            config.embedder, run.space.reducer, int(len(run.labels))):
        raise ValueError("`like` was fitted from another space: its embedder, reducer or users differ")
    # Embedder state.
    if config.embedder == "tfidf":
        from segkit.model.tfidf_state import tfidf_model_state

        tfidf_meta, tfidf_arrays = tfidf_model_state(run, like)
        meta.update(tfidf_meta)
        arrays.update(tfidf_arrays)

    # Reducer state.
    matrix = run.space.matrix
    assign_space = "cluster"
    if run.space.reducer == "pca" and matrix.shape[1] < fused.matrix.shape[1]:
        if like is not None and "pca_mean" in like.arrays:
            mean, components = like.arrays["pca_mean"], like.arrays["pca_components"]
        else:
            mean, components = _fit_linear_map(fused.matrix, matrix, run.space.reducer_params, config.seed)
        arrays["pca_mean"], arrays["pca_components"] = mean, components
        meta["reducer_state"] = "pca"
    elif run.space.reducer in ("none", "pca"):
        meta["reducer_state"] = "identity"
    else:
        meta["reducer_state"] = "fused"  # UMAP: assign in the fused space (see module docstring)
        assign_space = "fused"
        matrix = fused.matrix
    meta["assign_space"] = assign_space
    matrix = np.asarray(matrix, dtype=np.float64)

    labels = np.asarray(run.labels)
    confidence = np.asarray(run.result.confidence)
    kept = labels != NOISE
    if not kept.any():
        raise SegkitInputError("The segmentation has no segment (every user is an outlier): nothing to save.")
    centroids = cluster_means(matrix, labels).astype(np.float64)
    arrays["centroids"] = centroids
    meta["n_segments"] = int(len(centroids))
    distances = np.linalg.norm(matrix[kept] - centroids[labels[kept]], axis=1)
    radii = np.zeros(len(centroids))
    for s in range(len(centroids)):
        own = distances[labels[kept] == s]
        radii[s] = float(np.quantile(own, OUTLIER_QUANTILE)) if own.size else 0.0
    arrays["centroid_radius"] = radii
    meta["assign_rule"] = CLUSTERERS.flag(config.algorithm, "assign_rule")
    density = meta["assign_rule"] == "density"
    if meta["assign_rule"] == "gaussian":
        variances = np.zeros_like(centroids)
        for s in range(len(centroids)):
            members = matrix[labels == s]
            variances[s] = members.var(axis=0) + 1e-4
        arrays["gmm_variances"] = variances
        arrays["gmm_log_weights"] = np.log(np.bincount(labels[kept], minlength=len(centroids)) / kept.sum())
    if density:
        member_mask = kept & ((confidence > 0) if config.noise_policy == "reassign" else True)
        if config.algorithm == "dbscan":
            member_mask &= confidence >= 1.0  # core points
            eps = float(run.result.params.get("eps", 0.5))
            member_index = np.flatnonzero(member_mask)
            radius = np.full(len(member_index), eps)
            if assign_space == "fused":
                raise SegkitInputError("DBSCAN with UMAP cannot be saved: eps is a distance in the UMAP space. "
                                       "Use PCA or no reducer to save this model.")
        else:
            m = int(run.result.params.get("min_samples") or run.result.params.get("min_cluster_size") or 5)
            member_index = np.flatnonzero(member_mask)
            radius = _core_distances(matrix, member_index, m)
        if len(member_index) > MAX_MEMBERS:
            rng = np.random.default_rng(config.seed)
            pick = np.sort(rng.choice(len(member_index), size=MAX_MEMBERS, replace=False))
            member_index, radius = member_index[pick], radius[pick]
        arrays["members"] = matrix[member_index]
        arrays["member_labels"] = labels[member_index].astype(np.int64)
        arrays["member_radius"] = radius.astype(np.float64)
    # The classifier `segkit assign --method classifier` uses, and what says why a user is
    # where (centres in the fused space, each segment's keywords): segkit.model.assign_methods.
    from segkit.model.assign_methods import classifier_arrays

    if classifier:
        classifier_state, meta["classifier"] = classifier_arrays(fused.matrix, labels, len(centroids), config.seed)
        arrays.update(classifier_state)
    else:
        meta["classifier"] = {"model": None, "reason": "not fitted for this model (it assigns by nearest centre "
                                                       "or member only)"}
    arrays["fused_centroids"] = cluster_means(np.asarray(fused.matrix, dtype=np.float64), labels).astype(np.float64)
    meta["keywords"] = {str(k): [term for term, _ in v[:10]] for k, v in run.summary.keywords.items()}
    return SegmentModel(meta, arrays)


def _jsonable_scalar(value) -> bool:
    return isinstance(value, (int, float, str, bool)) or value is None


def _fit_linear_map(fused: np.ndarray, reduced: np.ndarray, params: dict, seed: int):
    """PCA's mean and components, refitted as the reducer did; checked against its output."""
    from sklearn.decomposition import PCA

    pca = PCA(n_components=reduced.shape[1], random_state=seed, svd_solver="auto").fit(fused)
    mean, components = pca.mean_.astype(np.float64), pca.components_.astype(np.float64)
    if not np.allclose((fused - mean) @ components.T, reduced, atol=1e-3):
        # Not reproduced (another solver/version): solve for the affine map that gives the stored output.
        design = np.hstack([fused, np.ones((len(fused), 1))]).astype(np.float64)
        solution, *_ = np.linalg.lstsq(design, reduced.astype(np.float64), rcond=None)
        components = solution[:-1].T
        # (fused - mean) @ components.T = fused @ components.T + b  <=>  components @ mean = -b
        mean = -np.linalg.lstsq(components, solution[-1], rcond=None)[0] if components.size else mean
    return mean, components


def _core_distances(matrix: np.ndarray, member_index: np.ndarray, m: int) -> np.ndarray:
    from sklearn.neighbors import NearestNeighbors

    n_neighbors = min(m + 1, len(matrix))  # +1: the point itself
    nn = NearestNeighbors(n_neighbors=n_neighbors).fit(matrix)
    distances, _ = nn.kneighbors(matrix[member_index])
    return distances[:, -1]


# ----------------------------------------------------------------------------- saving

def save_model(model: SegmentModel, path: str | Path) -> Path:
    """A folder (model.json + arrays.npz), or one .npz file when `path` ends with .npz.

    Written to a temporary sibling and renamed into place, so a crash never leaves a
    half-written model; the settings carry a hash of the arrays (segkit.model.checks).
    """
    from segkit.model.checks import arrays_digest, write_atomically

    path = Path(path)
    arrays = {k: np.ascontiguousarray(v) for k, v in model.arrays.items()}
    for key, value in arrays.items():
        if value.dtype == object:
            raise TypeError(f"array '{key}' has dtype object; it would need pickle")
    meta = {**model.meta, "format": MODEL_FORMAT, "arrays_sha256": arrays_digest(arrays)}
    meta_json = json.dumps(meta, indent=2, ensure_ascii=False, default=_to_json)
    model.meta = meta

    def write(target: Path) -> None:
        if path.suffix.lower() == ".npz":
            np.savez_compressed(target, __meta_json__=np.frombuffer(meta_json.encode("utf-8"), dtype=np.uint8),
                                **arrays)
        else:
            (target / "model.json").write_text(meta_json, encoding="utf-8")
            np.savez_compressed(target / "arrays.npz", **arrays)

    write_atomically(path, write)
    return path


def _to_json(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value)}")


def load_model(path: str | Path) -> SegmentModel:
    """Read and check a saved model: every array's header before it is read, then the schema,
    the shapes and the hash that ties the settings to the arrays (segkit.model.checks)."""
    from segkit.model.checks import read_npz, validate

    path = Path(path)
    try:
        if path.is_dir():
            if not (path / "arrays.npz").is_file():
                raise FileNotFoundError(2, "missing", str(path / "arrays.npz"))
            meta_text = (path / "model.json").read_text(encoding="utf-8")
            arrays = read_npz(path / "arrays.npz", path)
        elif path.is_file():
            arrays = read_npz(path, path)
            if "__meta_json__" not in arrays:
                raise SegkitInputError(f"{path} is an .npz file but not a segkit model (no settings inside).")
            meta_text = arrays.pop("__meta_json__").tobytes().decode("utf-8")
        else:
            raise SegkitInputError(f"Model not found: {path}")
        meta = json.loads(meta_text)
    except FileNotFoundError as exc:
        raise SegkitInputError(f"{path} is not a complete segkit model ({Path(exc.filename).name} is missing).") from None
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        if isinstance(exc, SegkitInputError):
            raise
        raise SegkitInputError(f"{path} is not a readable segkit model: {exc}") from None
    if isinstance(meta, dict) and meta.get("format") in OLD_FORMATS:
        raise SegkitInputError(f"{path} was saved by an older segkit ({meta['format']}, without a content hash); "
                               f"save it again with `segkit segment --save-model`.")
    if not isinstance(meta, dict) or meta.get("format") != MODEL_FORMAT:
        raise SegkitInputError(f"{path} is not a segkit model (expected format {MODEL_FORMAT}).")
    validate(meta, arrays, path)
    return SegmentModel(meta, arrays)


# ----------------------------------------------------------------------------- assigning

def model_fusion(model: SegmentModel) -> FittedFusion:
    """The fusion the model was fitted with (its scaling is stored as `fuse_*` arrays and scalars)."""
    meta, arrays = model.meta, model.arrays
    scaling = {k[len("fuse_"):]: v for k, v in arrays.items() if k.startswith("fuse_")}
    scaling.update({k: meta[k] for k in ("text_scale", "trait_scale") if k in meta})
    return FittedFusion.from_scaling(scaling, meta["text_weight"], meta["numeric_cols"], meta["categorical_levels"])


def _reduce_new(model: SegmentModel, fused: np.ndarray) -> np.ndarray:
    if model.meta.get("reducer_state") == "pca":
        return (fused - model.arrays["pca_mean"]) @ model.arrays["pca_components"].T
    return fused


def assign_matrix(model: SegmentModel, matrix: np.ndarray) -> pd.DataFrame:
    """Assign points already in the model's assignment space: segment_id, confidence, outlier."""
    arrays = model.arrays
    matrix = np.asarray(matrix, dtype=np.float64)
    centroids = arrays["centroids"]
    distances = np.sqrt(np.maximum(
        (matrix**2).sum(1)[:, None] - 2 * matrix @ centroids.T + (centroids**2).sum(1)[None, :], 0.0))
    nearest = distances.argmin(axis=1)
    rule = model.meta["assign_rule"]
    if rule == "centroid":
        labels = nearest
        confidence = distance_confidence(distances)
        outlier = distances[np.arange(len(matrix)), nearest] > arrays["centroid_radius"][nearest]
    elif rule == "gaussian":
        var = arrays["gmm_variances"]
        log_lik = -0.5 * (((matrix[:, None, :] - centroids[None]) ** 2) / var[None]).sum(2) \
            - 0.5 * np.log(var).sum(1)[None] + arrays["gmm_log_weights"][None]
        log_lik -= log_lik.max(axis=1, keepdims=True)
        posterior = np.exp(log_lik)
        posterior /= posterior.sum(axis=1, keepdims=True)
        labels = posterior.argmax(axis=1)
        confidence = posterior.max(axis=1)
        outlier = distances[np.arange(len(matrix)), labels] > arrays["centroid_radius"][labels]
    else:
        from sklearn.neighbors import NearestNeighbors

        members = arrays["members"]
        nn = NearestNeighbors(n_neighbors=1).fit(members)
        dist, idx = nn.kneighbors(matrix)
        dist, idx = dist[:, 0], idx[:, 0]
        radius = arrays["member_radius"][idx]
        inside = dist <= radius + 1e-9
        labels = np.where(inside, arrays["member_labels"][idx], NOISE)
        confidence = np.where(inside, np.clip(1.0 - dist / np.maximum(radius, 1e-12), 0.0, 1.0), 0.0)
        outlier = ~inside
        if model.meta.get("noise_policy") == "reassign":
            labels = np.where(inside, labels, nearest)
    return pd.DataFrame({"segment_id": labels.astype(np.int64), "segment_confidence": confidence.astype(float),
                         "outlier": outlier.astype(bool)})


def _embed_new(model: SegmentModel, table, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per-row vectors for the new table and which rows could be embedded."""
    meta = model.meta
    name = meta["embedder"]
    if name == "precomputed":
        from segkit.embed.precomputed import PrecomputedEmbedder

        vectors, ok = PrecomputedEmbedder.vectors_from_frame(frame, table.roles.vector_cols)
        return np.asarray(vectors, dtype=np.float32), ok & (table.row_user >= 0)
    if name == "none":  # a model fitted on traits alone: every user with an id is placed
        return np.zeros((table.n_rows, 0), dtype=np.float32), table.row_user >= 0
    usable = np.array([bool(t) for t in table.row_texts]) & (table.row_user >= 0)
    texts = [table.row_texts[i] for i in np.flatnonzero(usable)]
    if name == "tfidf":
        from segkit.embed.tfidf import TfidfState

        state = TfidfState.from_saved(meta["tfidf"], model.arrays)
        embedded = state.transform(texts) if texts else np.zeros((0, state.dim), dtype=np.float32)
    else:
        from segkit.embed.registry import get_embedder

        embedded = get_embedder(name, **meta.get("embedder_params", {})).embed(texts) if texts else None
    dim = embedded.shape[1] if embedded is not None else len(model.arrays.get("fuse_text_mean", [1]))
    rows = np.zeros((table.n_rows, dim), dtype=np.float32)
    if texts:
        rows[usable] = embedded
    usable = usable & (np.abs(rows).sum(axis=1) > 0)
    return rows, usable


def fuse_new_users(model: SegmentModel, frame: pd.DataFrame, user_col: str | None = None,
                   text_cols: list[str] | None = None) -> tuple[object, np.ndarray, np.ndarray]:
    """The new users placed in the model's fused space: (UserTable, the indices of its users with
    usable text, their fused rows), with the embedder and fusion the model was fitted with.

    Columns default to the ones the model was trained with; traits missing from the new
    file are an error (name them), unknown category values count as none of the known ones.
    """
    saved = ColumnRoles.from_dict(model.meta["roles"])
    roles = ColumnRoles(
        text_cols=tuple(text_cols) if text_cols else saved.text_cols,
        user_col=user_col if user_col is not None else (saved.user_col if saved.user_col in frame.columns else None),
        numeric_cols=tuple(model.meta["numeric_cols"]),
        categorical_cols=tuple(model.meta["categorical_levels"]),
        vector_cols=saved.vector_cols,
        # RFM traits are derived again from the new file's time and amount columns.
        time_col=saved.time_col, amount_col=saved.amount_col, derived_traits=saved.derived_traits,
    )
    if saved.user_col and roles.user_col is None and user_col is None:
        raise SegkitInputError(
            f"The new users file has no '{saved.user_col}' column (the user id the model was trained with); "
            "name the user id column with --user-col."
        )
    # Models saved before masking existed were fitted on the original texts.
    table = prepare_users(frame, roles, mask_personal_data=bool(model.meta.get("mask_personal_data", False)))
    rows, usable = _embed_new(model, table, frame)
    index, vectors = table.mean_vectors(rows, usable)
    if not len(index):
        return table, index, np.zeros((0, 0), dtype=np.float32)
    users = table.users.iloc[index].reset_index(drop=True)
    return table, index, model_fusion(model).transform(vectors, users)

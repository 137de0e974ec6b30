"""Clustering everyone: distributed MLlib, or segkit on a sample + nearest-centre assignment.

mode "distributed": MLlib PCA (the `auto` reducer's 50 dimensions) and MLlib KMeans,
  BisectingKMeans or GaussianMixture over every user's fused vector. Scales with the
  cluster; only K-type methods exist, and each iteration is a pass over the data.
mode "sample": segkit's own single-machine pipeline (PCA + any registered algorithm,
  automatic K, noise policy) fitted on the driver on `fit_sample` users, then every user
  is assigned to the nearest segment centre inside mapInPandas. One pass over the data
  and exactly the dashboard's algorithms; the segments are those of the sample (a
  segment rarer than ~1/fit_sample cannot appear) and density methods' "unassigned"
  becomes "nearest centre" for users outside the sample.
Either way segment 0 is the largest, as on one machine; confidence is 1 - nearest /
second-nearest centre distance (GMM: the highest membership probability).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from segkit.cluster.base import distance_confidence
from segkit.errors import SegkitInputError

MLLIB_ALGORITHMS = {"kmeans": "KMeans", "minibatch_kmeans": "KMeans", "bisecting_kmeans": "BisectingKMeans",
                    "gmm": "GaussianMixture"}
MODES = ("distributed", "sample")


@dataclass
class Projection:
    """x -> (x - mean) @ components.T, then nearest of `centroids`; raw label -> final id."""

    mean: np.ndarray | None
    components: np.ndarray | None
    centroids: np.ndarray | None
    relabel: dict = field(default_factory=dict)

    def project(self, matrix: np.ndarray) -> np.ndarray:
        matrix = np.asarray(matrix, dtype=np.float64)
        if self.components is None:
            return matrix
        if self.mean is not None:
            matrix = matrix - self.mean
        return matrix @ self.components.T

    def assign(self, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        points = self.project(matrix)
        # Squared distances via the expansion; clipped at 0 against rounding.
        d2 = (points**2).sum(1)[:, None] - 2 * points @ self.centroids.T + (self.centroids**2).sum(1)[None, :]
        distances = np.sqrt(np.maximum(d2, 0.0))
        return distances.argmin(axis=1), distance_confidence(distances)


def reduction(config, n_dims: int) -> tuple[str, int | None]:
    """('pca', components) or ('none', None), following the pipeline's `auto` rule."""
    from segkit.pipeline import resolve_reducer

    name, params = resolve_reducer(config)
    if name in ("none", "identity"):
        return "none", None
    if name != "pca":
        raise SegkitInputError(
            f"The '{name}' reducer is not available in the Spark job; use 'pca' or 'none' in the run config."
        )
    components = int(params.get("n_components", 50))
    return ("pca", components) if components < n_dims else ("none", None)


def _sample(fused, size: int, seed: int, total: int) -> np.ndarray:
    fraction = min(1.0, 1.1 * size / max(total, 1))
    picked = fused.sample(fraction=fraction, seed=seed) if fraction < 1 else fused
    frame = picked.select("fused").toPandas()
    matrix = np.stack(frame["fused"].to_numpy()).astype(np.float32) if len(frame) else np.zeros((0, 1))
    if len(matrix) > size:
        matrix = matrix[np.random.default_rng(seed).choice(len(matrix), size, replace=False)]
    return matrix


def _choose_k(matrix: np.ndarray, config) -> tuple[int, dict]:
    from segkit.metrics.sweep import AUTO_K_RULE, auto_k

    n = matrix.shape[0]
    if n < 3:
        raise SegkitInputError(f"Segmenting needs at least 3 users with text to choose K; there are {n}.")
    chosen = auto_k(matrix, config.k_max, config.seed)
    return chosen.k, {"auto_k": chosen.k, "auto_k_note": chosen.note, "auto_k_strength": chosen.strength,
                      "auto_k_rule": AUTO_K_RULE.format(k_max=int(chosen.sweep["k"].max()), sample=2000)
                      + f"; on a {n:,}-user sample"}


def fit_sample(fused, config, total: int, dims: int, size: int) -> tuple[Projection, dict]:
    """segkit's single-machine reducer + clusterer on a sample; centres for everyone."""
    from sklearn.decomposition import PCA

    from segkit.cluster.registry import CLUSTERERS
    from segkit.pipeline import ClusterSpace, cluster_space

    matrix = _sample(fused, size, config.seed, total)
    kind, n_components = reduction(config, dims)
    mean = components = None
    space_matrix = matrix
    if kind == "pca":
        n_components = min(n_components, max(matrix.shape[0] - 1, 1))
        pca = PCA(n_components=n_components, random_state=config.seed, svd_solver="auto").fit(matrix)
        mean, components = pca.mean_.astype(np.float64), pca.components_.astype(np.float64)
        space_matrix = pca.transform(matrix).astype(np.float32)
    space = ClusterSpace(fused=None, matrix=space_matrix, reducer=kind, reducer_params={})
    result, info = cluster_space(space, config)
    if result.centroids is None:
        raise SegkitInputError("The algorithm left every sampled user unassigned; nothing to assign the rest to.")
    info = {k: v for k, v in info.items() if k != "k_sweep"}
    info.update(fit_sample_users=int(matrix.shape[0]), density_based=bool(CLUSTERERS[config.algorithm].density_based),
                sample_noise_share=float(result.noise_share), k=int(len(result.centroids)))
    return Projection(mean, components, result.centroids.astype(np.float64)), info


def fit_distributed(fused, config, total: int, dims: int, k_sample: int):
    """MLlib PCA + clustering on every user. Returns (Projection or None, gmm model or None, info)."""
    from pyspark.ml import clustering as mlc
    from pyspark.ml.feature import PCA
    from pyspark.ml.functions import array_to_vector

    if config.algorithm not in MLLIB_ALGORITHMS:
        raise SegkitInputError(
            f"'{config.algorithm}' has no distributed version; use --mode sample (fits it on a sample) "
            f"or one of {', '.join(MLLIB_ALGORITHMS)}."
        )
    params = dict(config.algorithm_params)
    info: dict = {}
    data = fused.select("user_id", array_to_vector("fused").alias("features"))
    kind, n_components = reduction(config, dims)
    components = None
    if kind == "pca":
        pca = PCA(k=n_components, inputCol="features", outputCol="reduced").fit(data)
        components = np.asarray(pca.pc.toArray(), dtype=np.float64).T  # (k, d); MLlib does not centre
        data = pca.transform(data).select("user_id", "reduced").withColumnRenamed("reduced", "features")
    projection = Projection(None, components, None)
    k = params.get("k")
    if k in (None, "auto"):
        sample = _sample(fused, k_sample, config.seed, total)
        k, info = _choose_k(projection.project(sample).astype(np.float32), config)
    k = int(k)
    if not 2 <= k <= total:
        raise SegkitInputError(f"K (number of segments) must be between 2 and the {total} users you have (got {k}).")
    algorithm = MLLIB_ALGORITHMS[config.algorithm]
    data = data.persist()
    if algorithm == "KMeans":
        model = mlc.KMeans(k=k, seed=config.seed, maxIter=int(params.get("max_iter", 50)), tol=1e-5,
                           initSteps=2).fit(data)
    elif algorithm == "BisectingKMeans":
        model = mlc.BisectingKMeans(k=k, seed=config.seed, maxIter=int(params.get("max_iter", 20))).fit(data)
    else:
        model = mlc.GaussianMixture(k=k, seed=config.seed, maxIter=int(params.get("max_iter", 100))).fit(data)
        data.unpersist()
        info.update(k=k, mllib=algorithm)
        return projection, model, info
    data.unpersist()
    projection.centroids = np.asarray([np.asarray(c, dtype=np.float64) for c in model.clusterCenters()])
    info.update(k=k, mllib=algorithm)
    return projection, None, info


def assign(fused, projection: Projection, gmm_model=None):
    """user_id, raw (cluster before size ordering), confidence, for every user in `fused`."""
    from pyspark.ml.functions import array_to_vector, vector_to_array
    from pyspark.sql import functions as F

    if gmm_model is not None:
        data = fused.select("user_id", array_to_vector("fused").alias("features"))
        if projection.components is not None:
            pc = projection.components

            def project(batches):
                for batch in batches:
                    if len(batch):
                        yield pd.DataFrame({"user_id": batch["user_id"].to_numpy(),
                                            "p": list(np.stack(batch["fused"].to_numpy()) @ pc.T)})

            data = (fused.mapInPandas(project, "user_id string, p array<double>")
                    .select("user_id", array_to_vector("p").alias("features")))
        out = gmm_model.transform(data)
        return out.select("user_id", F.col("prediction").cast("int").alias("raw"),
                          F.array_max(vector_to_array("probability")).cast("float").alias("confidence"))
    shared = fused.sparkSession.sparkContext.broadcast(projection)

    def run(batches):
        for batch in batches:
            if len(batch):
                labels, confidence = shared.value.assign(np.stack(batch["fused"].to_numpy()))
                yield pd.DataFrame({"user_id": batch["user_id"].to_numpy(), "raw": labels.astype(np.int32),
                                    "confidence": confidence.astype(np.float32)})

    return fused.mapInPandas(run, "user_id string, raw int, confidence float")


def order_by_size(assigned):
    """Segment 0 the largest, 1 the next... (ties by raw id): returns (frame with segment_id, sizes)."""
    from pyspark.sql import functions as F

    counts = assigned.groupBy("raw").count().toPandas()
    counts = counts.sort_values(["count", "raw"], ascending=[False, True]).reset_index(drop=True)
    mapping = {int(raw): i for i, raw in enumerate(counts["raw"])}
    pairs = [F.lit(x) for kv in mapping.items() for x in kv]
    lookup = F.create_map(*pairs)
    return assigned.withColumn("segment_id", lookup[F.col("raw")]).drop("raw"), mapping

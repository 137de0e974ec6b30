"""The whole method, stage by stage: prepare -> embed -> fuse -> reduce -> cluster ->
evaluate -> describe. Each stage is a plain function so a dashboard can cache the
expensive ones (embedding) and re-run only the cheap ones when a slider moves.

`memory` (segkit.derived_cache.Memory) is where the stages keep what a slider move
re-reads (trees, word counts, sentiment scores); a run without one makes its own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from segkit import waits
from segkit.cluster.base import ClusteringResult
from segkit.cluster.noise import apply_noise_policy
from segkit.cluster.registry import CLUSTERERS, get_clusterer
from segkit.config import RunConfig
from segkit.derived_cache import Memory
from segkit.describe.summary import SegmentSummary, describe_segments
from segkit.edits import Edits
from segkit.embed.base import ProgressCallback
from segkit.embed.cache import EmbeddingCache, embed_with_cache, fit_with_cache, is_cached
from segkit.embed.choice import AUTO, TRAITS_ONLY, EmbedderChoice, choose_for_roles
from segkit.embed.precomputed import PrecomputedEmbedder
from segkit.embed.registry import get_embedder
from segkit.errors import SegkitInputError
from segkit.fuse.fusion import FusedFeatures, fuse_features
from segkit.io.prepare import UserTable, prepare_users
from segkit.labels import NOT_SEGMENTED
from segkit.metrics.external import external_metrics
from segkit.metrics.internal import internal_metrics
from segkit.metrics.sweep import AUTO_K_RULE, auto_k
from segkit.reduce.map2d import project_2d
from segkit.reduce.registry import get_reducer
from segkit.sentiment import table_sentiment
from segkit.threads import limited_threads


@dataclass(frozen=True)
class UserEmbeddings:
    vectors: np.ndarray  # (n_segmentable, d): one per user with text; d = 0 without text (traits only)
    user_index: np.ndarray  # which users (indices into UserTable.users) the rows are
    embedder: str
    seconds: float
    row_usable: np.ndarray | None = None  # per input row: did it contribute a vector
    # A corpus-fitted embedder's state fitted on these texts (TfidfState), when it was kept:
    # a saved model stores it instead of fitting TF-IDF again.
    fitted: object | None = None


@dataclass(frozen=True)
class ClusterSpace:
    fused: FusedFeatures
    matrix: np.ndarray  # what the clusterer sees (after the reducer)
    reducer: str
    reducer_params: dict

    @cached_property
    def n_distinct(self) -> int:
        """count_distinct_points(matrix), once per space (clustering and metrics both ask)."""
        return count_distinct_points(self.matrix)


@dataclass(frozen=True)
class SegmentationRun:
    config: RunConfig
    table: UserTable
    embeddings: UserEmbeddings
    space: ClusterSpace
    result: ClusteringResult
    metrics: dict
    summary: SegmentSummary
    map2d: np.ndarray  # (n_segmentable, 2), for display only
    timings: dict = field(default_factory=dict)
    edits: Edits | None = None  # set on a run made by Edits.apply (renames, merges)
    unedited: SegmentationRun | None = None  # the run those edits were applied to

    @property
    def effective_text_weight(self) -> float:
        """The share of squared distances that came from the text: the requested weight, 1.0
        when there were no traits to fuse, 0.0 when there was no text block."""
        return float(self.space.fused.text_weight)

    @property
    def labels(self) -> np.ndarray:
        return self.result.labels

    def user_labels(self) -> np.ndarray:
        """Label per user in UserTable order; NOT_SEGMENTED (-2) for users that could not be segmented."""
        out = np.full(self.table.n_users, NOT_SEGMENTED, dtype=np.int64)
        out[self.embeddings.user_index] = self.result.labels
        return out


class StageClock:
    """Seconds per pipeline stage, so runs can say where their time went."""

    def __init__(self, timings: dict | None = None) -> None:
        self.timings: dict[str, float] = dict(timings or {})
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = round(now - self._last, 3)
        self._last = now


def rows_to_embed(table: UserTable) -> np.ndarray:
    """Per input row: does it have text and a user (the rows whose texts get embedded)."""
    return np.array([bool(t) for t in table.row_texts], dtype=bool) & (table.row_user >= 0)


def embeddings_cached(table: UserTable, embedder_name: str, cache: EmbeddingCache | None,
                      embedder_params: dict | None = None) -> bool:
    """Whether `embed_users` would find every vector in `cache` (nothing to compute)."""
    embedder = get_embedder(embedder_name, **(embedder_params or {}))
    texts = [table.row_texts[i] for i in np.flatnonzero(rows_to_embed(table))]
    return is_cached(embedder, texts, cache)


def embed_users(table: UserTable, embedder_name: str, embedder_params: dict | None = None,
                cache: EmbeddingCache | None = None,
                progress: ProgressCallback | None = None, frame: pd.DataFrame | None = None) -> UserEmbeddings:
    """One vector per user: the mean of the vectors of their non-empty texts."""
    start = time.perf_counter()
    if not table.roles.text_cols and not table.roles.vector_cols:
        return traits_only_embeddings(table)
    if embedder_name == AUTO:
        embedder_name = choose_for_roles(table.roles, table.row_texts).name
    fitted = None
    if embedder_name == "precomputed":
        if frame is None:
            raise SegkitInputError("The 'precomputed' embedder needs the input table.")
        row_vectors, row_ok = PrecomputedEmbedder.vectors_from_frame(frame, table.roles.vector_cols)
        usable = row_ok & (table.row_user >= 0)
    else:
        embedder = get_embedder(embedder_name, **(embedder_params or {}))
        usable = rows_to_embed(table)
        texts = [table.row_texts[i] for i in np.flatnonzero(usable)]
        if not texts:
            raise SegkitInputError("No row has text to embed.")
        waits.phase("embed")  # an open wait's embedding phases (segkit.waits.plans.embed_wait)
        if embedder.corpus_fitted:
            embedded, fitted = fit_with_cache(embedder, texts, cache, progress)
        else:
            embedded = embed_with_cache(embedder, texts, cache, progress)
        row_vectors = np.zeros((table.n_rows, embedded.shape[1]), dtype=np.float32)
        row_vectors[usable] = embedded
        # A text that embeds to all zeros (only unknown tokens) carries no signal.
        usable = usable & (np.abs(row_vectors).sum(axis=1) > 0)
        if not usable.any():
            raise SegkitInputError(
                f"No text in {', '.join(table.roles.text_cols)} has words the '{embedder_name}' embedder "
                "can use (only emoji, punctuation, numbers or stop words): nothing to segment."
            )
    user_index, vectors = table.mean_vectors(row_vectors, usable)
    return UserEmbeddings(vectors, user_index, embedder_name, time.perf_counter() - start, usable, fitted)


def traits_only_embeddings(table: UserTable) -> UserEmbeddings:
    """A run without text: every user with an id is segmented on their traits alone (a
    zero-width text block, so fusion has only the traits)."""
    has_user = table.row_user >= 0
    user_index = np.flatnonzero(np.bincount(table.row_user[has_user], minlength=table.n_users) > 0)
    return UserEmbeddings(np.zeros((len(user_index), 0), dtype=np.float32), user_index, TRAITS_ONLY, 0.0,
                          has_user)


DEFAULT_PCA_COMPONENTS = 10

# UMAP's layout costs about the same per user and round (~2 us on one core here), and a
# fixed seed keeps it on one thread: 200 rounds at 20,000 users were 9 of an 11 s fit.
# The automatic UMAP space gets at most this many user-rounds, never fewer than
# MIN_LAYOUT_ROUNDS. bench/hdbscan_live.py: ARI stayed within seed-to-seed spread with
# 600k and 1.2M (30 / 60 rounds at 20,000 users: 3.5 s / 4.8 s instead of 11.5 s).
DENSITY_UMAP_ROUND_BUDGET = 600_000
MIN_LAYOUT_ROUNDS = 30
MAX_LAYOUT_ROUNDS = 200


def layout_rounds(n_users: int) -> int:
    """UMAP layout rounds (n_epochs) for the automatic clustering space of `n_users` users:
    200 up to 3,000 users, then falling with the budget (75 at 8,000), 30 from 20,000 on."""
    return int(min(MAX_LAYOUT_ROUNDS, max(MIN_LAYOUT_ROUNDS, DENSITY_UMAP_ROUND_BUDGET // max(int(n_users), 1))))


def resolve_reducer(config: RunConfig, n_users: int | None = None) -> tuple[str, dict]:
    """The reducer and its parameters; with `n_users`, the automatic UMAP space also gets its
    layout rounds (`layout_rounds`; a function of the data, so keys need not carry it)."""
    if config.reducer != "auto":
        return config.reducer, dict(config.reducer_params)
    clusterer = CLUSTERERS.get(config.algorithm)
    if clusterer is not None and clusterer.density_based:
        params = {"n_components": 5, **config.reducer_params}
        if n_users is not None and not params.get("n_epochs"):
            params["n_epochs"] = layout_rounds(n_users)
        return "umap", params
    # 10 components: K-means and silhouette are faster in 10-d than 50-d, and on the
    # benchmark sets (bench/quality.py) auto-K quality was as good or better (bench/README.md).
    return "pca", {"n_components": DEFAULT_PCA_COMPONENTS, **config.reducer_params}


def build_space(table: UserTable, embeddings: UserEmbeddings, config: RunConfig,
                memory: Memory | None = None) -> ClusterSpace:
    waits.phase("space.fuse")
    users = table.users.iloc[embeddings.user_index].reset_index(drop=True)
    roles = table.roles
    numeric_cols = tuple(roles.numeric_cols)
    if config.sentiment_trait:
        users, numeric_cols = with_sentiment_trait(table, embeddings, users, numeric_cols, memory)
    text = embeddings.vectors if embeddings.vectors.shape[1] else None
    fused = fuse_features(text, users, numeric_cols, roles.categorical_cols,
                          config.text_weight if text is not None else 0.0)
    reducer_name, reducer_params = resolve_reducer(config, n_users=fused.matrix.shape[0])
    waits.phase("space.umap.graph" if reducer_name == "umap" else f"space.{reducer_name}")
    with limited_threads():
        matrix = get_reducer(reducer_name, **reducer_params).fit_transform(fused.matrix, seed=config.seed)
    return ClusterSpace(fused, matrix, reducer_name, reducer_params)


SENTIMENT_TRAIT = "sentiment"


def with_sentiment_trait(table: UserTable, embeddings: UserEmbeddings, users: pd.DataFrame,
                         numeric_cols: tuple[str, ...],
                         memory: Memory | None = None) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """`users` with a `sentiment` column (mean review score, every review scored) and it
    added to the numeric traits, for `RunConfig.sentiment_trait`."""
    scores = table_sentiment(table, embeddings.user_index, max_rows=None, memory=memory)
    if scores is None:
        raise SegkitInputError("sentiment_trait needs the vaderSentiment and snownlp packages; "
                               "install them (pip install vaderSentiment snownlp) or turn the option off.")
    name = SENTIMENT_TRAIT if SENTIMENT_TRAIT not in users.columns else "segkit_sentiment"
    return users.assign(**{name: np.nan_to_num(scores.mean)}), (*numeric_cols, name)


def cluster_space(space: ClusterSpace, config: RunConfig,
                  memory: Memory | None = None) -> tuple[ClusteringResult, dict]:
    """Cluster, choosing K automatically when a K method was given none."""
    params = dict(config.algorithm_params)
    info: dict = {}
    clusterer_class = CLUSTERERS.get(config.algorithm)
    if clusterer_class is None:
        get_clusterer(config.algorithm)  # raises the specific error
    n = space.matrix.shape[0]
    distinct = space.n_distinct
    if distinct < 2:
        raise SegkitInputError(
            f"All {n} users are identical in what they wrote and in their traits: there is nothing to segment."
        )
    k = params.get("k")
    if clusterer_class.uses_k and isinstance(k, int) and distinct < k <= n:
        raise SegkitInputError(
            f"K (number of segments) is {k} but only {distinct} of the {n} users differ "
            f"(the others repeat the same text and traits); choose K of at most {distinct}."
        )
    if clusterer_class.uses_k and params.get("k") in (None, "auto"):
        if n < 3:
            raise SegkitInputError(f"Segmenting needs at least 3 users with text to choose K; there are {n}.")
        waits.phase("cluster.auto_k")
        chosen = auto_k(space.matrix, config.k_max, config.seed, n_distinct=distinct)
        params["k"] = chosen.k
        info["auto_k"] = chosen.k
        info["auto_k_rule"] = AUTO_K_RULE.format(k_max=int(chosen.sweep["k"].max()), sample=2000)
        info["auto_k_strength"] = chosen.strength
        info["auto_k_note"] = chosen.note
        info["k_sweep"] = chosen.sweep
    clusterer = get_clusterer(config.algorithm, **params)
    waits.phase(f"cluster.fit.{config.algorithm}")
    with limited_threads():
        result = clusterer.fit(space.matrix, seed=config.seed, memory=memory)
    if clusterer_class.density_based:
        result = apply_noise_policy(result, space.matrix, config.noise_policy)
    return result, info


def count_distinct_points(matrix: np.ndarray) -> int:
    """Users that differ in the clustering space (to 5 significant digits of its scale)."""
    if matrix.shape[0] == 0:
        return 0
    scale = float(np.nanmax(np.abs(matrix))) if matrix.size else 0.0
    if not np.isfinite(scale) or scale == 0.0:
        return 1
    rounded = np.round(np.asarray(matrix, dtype=np.float64) / scale, 5) + 0.0  # + 0.0: -0.0 == 0.0
    # Fast exact path: equal rows have equal random projections, so if every projection
    # differs every row does (one 1-D sort instead of a row-wise one: ~1 s -> ~20 ms at 100k).
    projection = rounded @ np.random.default_rng(0).standard_normal(rounded.shape[1])
    values, inverse, counts = np.unique(projection, return_inverse=True, return_counts=True)
    if len(values) == rounded.shape[0]:
        return int(rounded.shape[0])
    # Rows with different projections differ, so only rows that share one need the row-wise
    # sort (a few duplicate reviews made it sort all 100,000 rows: ~0.1 s).
    shared = counts[inverse.reshape(-1)] > 1
    return int((~shared).sum()) + np.unique(rounded[shared], axis=0).shape[0]


def degenerate_space(matrix: np.ndarray, silhouette: float | None, n_distinct: int | None = None) -> dict:
    """{"n_distinct_points", "degenerate"}: degenerate when most users coincide in the
    clustering space (the same short text, no traits), or the segments are points
    (silhouette ~1). Then silhouette and Calinski-Harabasz measure ties, not segments.
    `n_distinct`: count_distinct_points(matrix) when the caller has it already."""
    n = int(matrix.shape[0])
    n_distinct = count_distinct_points(matrix) if n_distinct is None else n_distinct
    degenerate = n >= 3 and (n_distinct < max(10, 0.1 * n) or (silhouette is not None and silhouette >= 0.99))
    return {"n_distinct_points": int(n_distinct), "degenerate": bool(degenerate)}


def evaluate(space: ClusterSpace, result: ClusteringResult, table: UserTable,
             embeddings: UserEmbeddings, config: RunConfig) -> dict:
    metrics = internal_metrics(space.matrix, result.labels, seed=config.seed,
                               silhouette_sample=config.silhouette_sample)
    metrics["n_users_segmented"] = int(len(result.labels))
    metrics["n_users_total"] = int(table.n_users)
    metrics.update(degenerate_space(space.matrix, metrics.get("silhouette"), space.n_distinct))
    label_col = table.roles.label_col
    if label_col:
        truth = table.users[label_col].iloc[embeddings.user_index].reset_index(drop=True)
        metrics.update(external_metrics(result.labels, truth))
    return metrics


def resolve_embedder(config: RunConfig, table: UserTable) -> tuple[RunConfig, EmbedderChoice | None]:
    """The config with "auto" replaced by the embedder the default rule picks for this table
    (segkit.embed.choice), and that choice; a named embedder is kept as it is."""
    if config.embedder != AUTO:
        return config, None
    choice = choose_for_roles(table.roles, table.row_texts)
    return config.with_changes(embedder=choice.name), choice


def run_segmentation(frame: pd.DataFrame, config: RunConfig, cache: EmbeddingCache | None = None,
                     progress: ProgressCallback | None = None, with_map: bool = True,
                     names: dict[int, str] | None = None, memory: Memory | None = None,
                     with_sentiment: bool = True) -> SegmentationRun:
    clock = StageClock()
    table = prepare_users(frame, config.roles, mask_personal_data=config.mask_personal_data)
    config, choice = resolve_embedder(config, table)
    clock.lap("prepare")
    embeddings = embed_users(table, config.embedder, config.embedder_params, cache, progress, frame)
    clock.lap("embed")
    run = segment_embedded(table, embeddings, config, with_map=with_map, names=names, timings=clock.timings,
                           memory=memory, with_sentiment=with_sentiment)
    if choice is not None:
        run.metrics["embedder_reason"] = choice.reason
    if config.edits:
        run = Edits.from_dict(config.edits).apply(run, memory)
    return run


def segment_embedded(table: UserTable, embeddings: UserEmbeddings, config: RunConfig,
                     with_map: bool = True, names: dict[int, str] | None = None,
                     timings: dict | None = None, map_method: str | None = None,
                     space: ClusterSpace | None = None, memory: Memory | None = None,
                     with_sentiment: bool = True) -> SegmentationRun:
    """Everything after embedding: the cheap part a slider move re-runs.

    `space` (from `build_space` with the same table, embeddings and config) skips the
    fuse/reduce step, so a caller that caches it re-runs only clustering and describing.
    `with_sentiment=False` leaves the segments' sentiment out of the summary: a caller that
    only needs the labels (re-segmenting for a recommendation test) skips scoring every review.
    """
    memory = Memory() if memory is None else memory
    clock = StageClock(timings)
    lap = clock.lap
    timings = clock.timings

    if len(embeddings.user_index) < 2:
        raise SegkitInputError(
            f"Only {len(embeddings.user_index)} user(s) have "
            + ("text" if embeddings.vectors.shape[1] else "an id") + " to segment; segmenting needs at least 2."
        )
    if space is None:
        space = build_space(table, embeddings, config, memory)
    lap("fuse_reduce")
    result, info = cluster_space(space, config, memory)
    lap("cluster")
    waits.phase("cluster.metrics")
    metrics = evaluate(space, result, table, embeddings, config)
    metrics.update({k: v for k, v in info.items() if k != "k_sweep"})
    lap("metrics")
    users = table.users.iloc[embeddings.user_index].reset_index(drop=True)
    all_texts = table.user_texts()
    texts = [all_texts[i] for i in embeddings.user_index]
    clusterer_class = CLUSTERERS[config.algorithm]
    sentiment = None
    if with_sentiment:
        waits.phase("describe.sentiment")
        sentiment = table_sentiment(table, embeddings.user_index, memory=memory)
    summary = describe_segments(users, texts, space.matrix, result.labels, result.confidence,
                                clusterer_class.density_based, table.roles.numeric_cols,
                                table.roles.categorical_cols, names, sentiment=sentiment,
                                lang=table.text_language(), memory=memory)
    lap("describe")
    if with_map:
        with limited_threads():
            coords = project_2d(space.fused.matrix, method=map_method or config.map_method, seed=config.seed)
    else:
        coords = np.full((len(result.labels), 2), np.nan, dtype=np.float32)
    lap("map")
    if "k_sweep" in info:
        result = _with_extra(result, k_sweep=info["k_sweep"])
    return SegmentationRun(config, table, embeddings, space, result, metrics, summary, coords, timings)


def _with_extra(result: ClusteringResult, **extra) -> ClusteringResult:
    from dataclasses import replace

    return replace(result, extra=dict(result.extra, **extra))

"""What is inside a big segment: split one segment's users into sub-segments.

The sub-run reuses the users' vectors (nothing is embedded again) and refits fusion,
reduction and the automatic K on those users alone, so the sub-segments are what sets
them apart from each other, not from everyone. Keywords and names are relative to the
sibling sub-segments for the same reason.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from segkit.cluster.registry import CLUSTERERS
from segkit.errors import SegkitInputError
from segkit.pipeline import SegmentationRun, segment_embedded

MIN_USERS_TO_SPLIT = 30


def subsegment(run: SegmentationRun, segment: int, labels: np.ndarray | None = None,
               k: int | None = None, memory=None) -> SegmentationRun:
    """Sub-segments of `segment` (automatic K unless `k`), as a run over its users only.

    `labels`: the run's labels per segmented user after edits (merges), if any.
    """
    labels = run.labels if labels is None else np.asarray(labels)
    members = np.flatnonzero(labels == segment)
    if len(members) < MIN_USERS_TO_SPLIT:
        raise SegkitInputError(f"Segment {segment} has {len(members)} users: splitting needs at least "
                               f"{MIN_USERS_TO_SPLIT}.")
    embeddings = replace(run.embeddings, vectors=run.embeddings.vectors[members],
                         user_index=run.embeddings.user_index[members], row_usable=None)
    # K-methods keep their algorithm; density methods split with K-means, whose automatic K
    # always gives sub-segments (a density method may find none inside a dense segment).
    algorithm = run.config.algorithm if CLUSTERERS[run.config.algorithm].uses_k else "kmeans"
    params = {key: value for key, value in run.config.algorithm_params.items()
              if algorithm == run.config.algorithm and key != "k"}
    if k is not None:
        params["k"] = int(k)
    # UMAP is for the density methods; a K-method split uses the default PCA space.
    keep_reducer = run.config.reducer != "umap" and algorithm == run.config.algorithm
    config = run.config.with_changes(algorithm=algorithm, algorithm_params=params, noise_policy="keep",
                                     reducer=run.config.reducer if keep_reducer else "auto",
                                     reducer_params=run.config.reducer_params if keep_reducer else {})
    return segment_embedded(run.table, embeddings, config, with_map=False, memory=memory)

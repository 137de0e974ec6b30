"""A saved model's TF-IDF state: the one the pipeline fitted, kept with its embeddings, or
fitted again on the same corpus when it was not kept (an embedding cache entry written before
states were kept)."""

from __future__ import annotations

import numpy as np

REPLAY_USERS = 1_000
REPLAYED_WITHIN = 1e-3  # beyond this the model carries a warning


def tfidf_model_state(run, like=None) -> tuple[dict, dict[str, np.ndarray]]:
    """(meta, arrays) of the TF-IDF state for a model of `run`; `like`: a model of the same
    space (another K), whose state is taken as it is."""
    if like is not None:
        meta = {key: like.meta[key] for key in ("tfidf", "embedder_check_max_abs_diff", "warnings")
                if key in like.meta}
        return meta, {k: v for k, v in like.arrays.items() if k.startswith("tfidf_")}
    state = getattr(run.embeddings, "fitted", None) or _fit_again(run)
    check = replay_difference(state, run)
    meta = {"tfidf": state.meta(), "embedder_check_max_abs_diff": check}
    if check is None or check > REPLAYED_WITHIN:
        meta["warnings"] = ["the stored TF-IDF state does not reproduce the training vectors exactly "
                            f"(max difference {check}); assignments of training users may differ"]
    return meta, state.arrays()


def _fit_again(run):
    """TF-IDF fitted as the pipeline fitted it: on each distinct text once, in sorted order
    (embed_with_cache), with the run's embedder parameters."""
    from segkit.embed.tfidf import TfidfSvdEmbedder

    table = run.table
    usable = np.array([bool(t) for t in table.row_texts]) & (table.row_user >= 0)
    texts = np.unique(np.asarray([table.row_texts[i] for i in np.flatnonzero(usable)], dtype=object))
    return TfidfSvdEmbedder(**run.config.embedder_params).fit_sampled([str(t) for t in texts])[0]


def replay_difference(state, run) -> float | None:
    """How far `state` places training users from where the pipeline did: the largest
    difference over a seeded sample of REPLAY_USERS users, their texts placed by
    `state.transform` (what assignment runs) and averaged per user like the pipeline."""
    table, embeddings = run.table, run.embeddings
    users = np.asarray(embeddings.user_index)
    if len(users) > REPLAY_USERS:
        users = np.sort(np.random.default_rng(run.config.seed).choice(users, REPLAY_USERS, replace=False))
    usable = embeddings.row_usable if embeddings.row_usable is not None else np.ones(table.n_rows, dtype=bool)
    rows = np.flatnonzero(usable & np.isin(table.row_user, users))
    if not len(rows):
        return None
    placed = np.zeros((table.n_rows, state.dim), dtype=np.float32)
    placed[rows] = state.transform([table.row_texts[i] for i in rows])
    mask = np.zeros(table.n_rows, dtype=bool)
    mask[rows] = np.abs(placed[rows]).sum(axis=1) > 0
    index, replay = table.mean_vectors(placed, mask)
    position = {int(u): i for i, u in enumerate(embeddings.user_index)}
    if not len(index) or replay.shape[1] != embeddings.vectors.shape[1] or any(int(u) not in position for u in index):
        return None
    return float(np.abs(replay - embeddings.vectors[[position[int(u)] for u in index]]).max())

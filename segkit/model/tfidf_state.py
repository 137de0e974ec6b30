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
    """TF-IDF fitted as the pipeline fitted it: the same rows' texts through the same
    embedding path (embed_users' rows_to_embed and fit_with_cache), with the run's parameters."""
    from segkit.embed.cache import fit_with_cache
    from segkit.embed.tfidf import TfidfSvdEmbedder
    from segkit.pipeline import rows_to_embed

    table = run.table
    texts = [table.row_texts[i] for i in np.flatnonzero(rows_to_embed(table))]
    return fit_with_cache(TfidfSvdEmbedder(**run.config.embedder_params), texts)[1]


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

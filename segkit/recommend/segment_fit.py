"""Segments for a recommendation evaluation: fitted once on some users' rows, applied to the rest.

`fit_and_assign` runs the normal pipeline on the fit rows, turns the run into a saved
model (`segkit.model.fit_model`, what `segkit segment --save-model` writes) and assigns
every other user from their own rows with `segkit.model.assign_users` (what
`segkit assign` runs). The assigned users' rows never reach the fit, so a held-out
review cannot shape the segments it is then judged by.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from segkit import waits
from segkit.config import RunConfig
from segkit.errors import SegkitInputError
from segkit.model import SegmentModel, assign_users, fit_model
from segkit.model.segment_model import fuse_new_users
from segkit.pipeline import SegmentationRun, run_segmentation
from segkit.recommend.interactions import id_strings


@dataclass(frozen=True)
class FittedSegments:
    segments: pd.Series  # user id -> segment id (-1: outlier); fitted and assigned users
    vectors: tuple[np.ndarray, np.ndarray]  # (user ids, vectors in the model's fused space)
    run: SegmentationRun  # the fit on the fit rows only
    model: SegmentModel
    fit_users: frozenset
    assigned_users: frozenset


def normalised_rows(rows: pd.DataFrame, user_col: str) -> pd.DataFrame:
    """A copy whose user ids are spelled like the interactions' ids (segkit.recommend.interactions.id_strings)."""
    out = rows.copy()
    out[user_col] = id_strings(out[user_col])
    return out


def fit_and_assign(fit_rows: pd.DataFrame, config: RunConfig, assign_rows: pd.DataFrame | None = None,
                   cache=None) -> FittedSegments:
    """Segment the users of `fit_rows` with `config`, then assign the users of `assign_rows`
    (who must not be in `fit_rows`) with the saved-model path."""
    user_col = config.roles.user_col
    if not user_col:
        raise SegkitInputError("Segmenting for recommendations needs a user id column in the run settings.")
    fit_rows = normalised_rows(fit_rows, user_col)
    # Only the labels and names are used: no map, and no review scored for sentiment (3.4 of
    # the 6.3 s of an evaluation on the Amazon musical-instruments users).
    run = run_segmentation(fit_rows, config, cache=cache, with_map=False, with_sentiment=False)
    waits.phase("recommend.model")
    model = fit_model(run, fit_rows, classifier=False)  # assignment here is the clusterer's own rule
    return assign_with_model(run, model, assign_rows)


def place_rows(model: SegmentModel, assign_rows: pd.DataFrame, user_col: str) -> tuple:
    """`assign_rows`' users in `model`'s fused space (segkit.model.segment_model.fuse_new_users),
    their ids spelled like the interactions' ids. The same for every model that shares the
    embedder and fusion (every K of a sweep), so a sweep places them once."""
    return fuse_new_users(model, normalised_rows(assign_rows, user_col), user_col=user_col)


def assign_with_model(run: SegmentationRun, model: SegmentModel,
                      assign_rows: pd.DataFrame | None = None, placed: tuple | None = None) -> FittedSegments:
    """The run's own users with its labels, and the users of `assign_rows` (never fitted)
    assigned by `model` (fitted from `run`). `placed`: `place_rows(model, assign_rows, ...)`
    when the caller has it (embedding the rows is most of the work)."""
    user_col = run.config.roles.user_col
    table_ids = run.table.users["user_id"].astype(str).to_numpy()
    labels = run.user_labels()
    fitted = labels >= -1  # -2: not segmented (no usable text)
    segments = pd.Series(labels[fitted], index=table_ids[fitted], name="segment")
    vector_ids = [table_ids[run.embeddings.user_index]]
    vector_rows = [np.asarray(run.space.fused.matrix, dtype=np.float64)]
    assigned_users: frozenset = frozenset()
    if assign_rows is not None and len(assign_rows):
        assign_rows = normalised_rows(assign_rows, user_col)
        overlap = set(assign_rows[user_col].dropna()) & set(table_ids)
        if overlap:
            raise SegkitInputError(f"{len(overlap)} user(s) are both fitted and assigned; an assigned user must "
                                   "stay out of the fit.")
        placed = placed if placed is not None else fuse_new_users(model, assign_rows, user_col=user_col)
        # No "pulled by" words: only the segment is used here.
        assigned, _ = assign_users(model, assign_rows, user_col=user_col, why=False, placed=placed)
        ok = assigned["segment_id"].notna()
        new = pd.Series(assigned.loc[ok, "segment_id"].astype(int).to_numpy(),
                        index=assigned.loc[ok, "user_id"].astype(str).to_numpy(), name="segment")
        segments = pd.concat([segments, new])
        assigned_users = frozenset(new.index)
        table, index, fused = placed
        if len(index):
            vector_ids.append(table.users["user_id"].astype(str).to_numpy()[index])
            vector_rows.append(np.asarray(fused, dtype=np.float64))
    vectors = (np.concatenate(vector_ids), np.vstack(vector_rows))
    return FittedSegments(segments, vectors, run, model, frozenset(table_ids[fitted]), assigned_users)


# Embedders whose vectors depend on the corpus they are fitted on: re-fitting them on the
# training text is part of being leakage-free, so their vectors are never reused.
CORPUS_FITTED = ("tfidf",)
VECTOR_PREFIX = "segkit_vec_"


def with_row_vectors(rows: pd.DataFrame, config: RunConfig, cache=None) -> tuple[pd.DataFrame, RunConfig]:
    """For a per-text embedder (MiniLM, static, multilingual...): every row's vector, embedded once
    through `cache` (a hit when the dashboard already embedded this table), added as columns, and
    the config switched to those precomputed vectors. A text's vector depends only on that text,
    so later picking the training rows keeps the fit leakage-free, and re-segmenting the training
    text costs no embedding. TF-IDF and precomputed runs are returned unchanged."""
    from segkit.embed.cache import embed_with_cache
    from segkit.embed.registry import get_embedder
    from segkit.io.prepare import prepare_users
    from segkit.pipeline import resolve_embedder, rows_to_embed

    if config.embedder in (*CORPUS_FITTED, "precomputed"):
        return rows, config
    table = prepare_users(rows, config.roles)
    config, _ = resolve_embedder(config, table)
    if config.embedder in CORPUS_FITTED:
        return rows, config
    usable = rows_to_embed(table)
    texts = [table.row_texts[i] for i in np.flatnonzero(usable)]
    if not texts:
        raise SegkitInputError("No row has text to embed.")
    waits.phase("embed")  # found in the cache when the dashboard embedded this table
    embedded = embed_with_cache(get_embedder(config.embedder, **config.embedder_params), texts, cache,
                                waits.progress_callback())
    vectors = np.full((len(rows), embedded.shape[1]), np.nan, dtype=np.float32)
    vectors[usable] = embedded  # rows without text stay NaN: the precomputed route skips them
    names = [f"{VECTOR_PREFIX}{i}" for i in range(vectors.shape[1])]
    out = pd.concat([rows.reset_index(drop=True), pd.DataFrame(vectors, columns=names)], axis=1)
    roles = replace(config.roles, vector_cols=tuple(names))
    return out, config.with_changes(roles=roles, embedder="precomputed", embedder_params={})


def rows_of_pairs(rows: pd.DataFrame, user_col: str, item_col: str, pairs: pd.DataFrame) -> pd.DataFrame:
    """The rows whose (user, item) is one of `pairs` (user, item columns, ids as id_strings)."""
    keys = pd.MultiIndex.from_arrays([id_strings(rows[user_col]), id_strings(rows[item_col])])
    wanted = pd.MultiIndex.from_frame(pairs[["user", "item"]].astype(object))
    return rows[keys.isin(wanted)].reset_index(drop=True)

"""Weighted fusion of text vectors with scaled behavioural/demographic traits.

Each block is scaled so that its total variance is 1, then the text block is multiplied
by sqrt(w) and the trait block by sqrt(1 - w): squared distances then split between
text and behaviour exactly in the ratio w : (1 - w), whatever the number of columns.
The scaling constants are kept so new users can be placed in the same space.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from segkit.embed.base import l2_normalise
from segkit.errors import SegkitInputError
from segkit.io.prepare import usable_numbers


@dataclass(frozen=True)
class FusedFeatures:
    matrix: np.ndarray  # (n_users, d) float32
    text_weight: float
    text_dims: int
    numeric_cols: tuple[str, ...]
    categorical_levels: dict[str, tuple[str, ...]]
    scaling: dict = field(default_factory=dict)  # everything transform_new needs


def _block_scale(block: np.ndarray) -> float:
    total_variance = float(block.var(axis=0).sum())
    return 1.0 / np.sqrt(total_variance) if total_variance > 1e-12 else 0.0


def fuse_features(
    text_vectors: np.ndarray | None,
    users: pd.DataFrame,
    numeric_cols=(),
    categorical_cols=(),
    text_weight: float = 0.7,
) -> FusedFeatures:
    if not 0.0 <= float(text_weight) <= 1.0:
        raise SegkitInputError(f"Text weight must be between 0 and 1 (got {text_weight}).")
    numeric_cols = tuple(numeric_cols)
    categorical_cols = tuple(categorical_cols)
    blocks_text = None
    scaling: dict = {}
    if text_vectors is not None and text_weight > 0:
        normed = l2_normalise(text_vectors)
        text_mean = normed.mean(axis=0)
        text_scale = _block_scale(normed)
        blocks_text = (normed - text_mean) * text_scale
        scaling.update(text_mean=text_mean, text_scale=text_scale)

    trait_parts = []
    levels: dict[str, tuple[str, ...]] = {}
    if numeric_cols and text_weight < 1:
        values = users[list(numeric_cols)].astype(float).to_numpy()
        usable = usable_numbers(values)
        medians = np.nanmedian(np.where(usable, values, np.nan), axis=0)
        medians = np.where(np.isfinite(medians), medians, 0.0)
        values = np.where(usable, values, medians)
        # Log-compress heavy-tailed, non-negative columns (spend, counts) before scaling.
        skewed = np.array([_is_skewed(values[:, j]) for j in range(values.shape[1])], dtype=bool)
        values[:, skewed] = np.log1p(values[:, skewed])
        means = values.mean(axis=0)
        stds = values.std(axis=0)
        stds = np.where(stds > 1e-12, stds, 1.0)
        trait_parts.append((values - means) / stds)
        scaling.update(numeric_medians=medians, numeric_log=skewed, numeric_means=means, numeric_stds=stds)
    if categorical_cols and text_weight < 1:
        for column in categorical_cols:
            series = users[column].astype("string").fillna("(missing)")
            column_levels = tuple(sorted(series.unique().tolist()))
            levels[column] = column_levels
            one_hot = (series.to_numpy()[:, None] == np.array(column_levels, dtype=object)[None, :]).astype(float)
            trait_parts.append(one_hot)
    if trait_parts:
        traits = np.hstack(trait_parts)
        trait_mean = traits.mean(axis=0)
        trait_scale = _block_scale(traits)
        traits = (traits - trait_mean) * trait_scale
        scaling.update(trait_mean=trait_mean, trait_scale=trait_scale)
    else:
        traits = None

    if blocks_text is None and traits is None:
        if text_vectors is None:
            raise SegkitInputError("Nothing to segment on: no text vectors and no traits.")
        raise SegkitInputError(
            "Text weight is 0 but no numeric or categorical traits are mapped: add traits or raise the text weight."
        )
    if blocks_text is not None and traits is not None:
        matrix = np.hstack([blocks_text * np.sqrt(text_weight), traits * np.sqrt(1 - text_weight)])
        effective_weight = float(text_weight)
    elif blocks_text is not None:
        matrix, effective_weight = blocks_text, 1.0
    else:
        matrix, effective_weight = traits, 0.0
    return FusedFeatures(
        matrix=np.ascontiguousarray(matrix, dtype=np.float32),
        text_weight=effective_weight,
        text_dims=0 if blocks_text is None else blocks_text.shape[1],
        numeric_cols=numeric_cols if text_weight < 1 else (),
        categorical_levels=levels,
        scaling=scaling,
    )


def _is_skewed(column: np.ndarray) -> bool:
    if column.size < 3 or column.min() < 0:
        return False
    mean, std = column.mean(), column.std()
    if not np.isfinite(std) or std < 1e-12:
        return False
    # Standardise first: cubing raw values of 1e100 would overflow.
    skew = float((((column - mean) / std) ** 3).mean())
    return skew > 2.0

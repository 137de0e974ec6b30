"""The readable features rules and the tree classifier are built from.

Rules must read in the data's own units, so these are not the fused space's scaled
columns but: each numeric trait as it is ("spend", "n_reviews"), one yes/no column per
common value of a categorical trait ("tier is gold"), and one yes/no column per
distinctive keyword of any segment ("mentions 'strings'"). A term is found with the
tokenizer the keywords were counted with (segkit.tokenize), so "mentions" means what
it means in the keyword lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from segkit.fuse.fusion import MISSING_LEVEL

TERMS_PER_SEGMENT = 5  # keywords per segment offered to the trees
MAX_LEVELS = 20  # most common values per categorical trait offered to the trees (a small segment's value may be rare overall)

TRAIT, LEVEL, TERM = "trait", "level", "term"


@dataclass(frozen=True)
class Feature:
    """One column of `ExplainFeatures.matrix`."""

    kind: str  # TRAIT (a number), LEVEL (1 when `column` is `level`) or TERM (1 when the user uses `name`)
    name: str  # the trait's column, the categorical column, or the term
    level: str | None = None
    # Not part of what the feature is (kind, name, level), so features built on other users match:
    integer: bool = field(default=False, compare=False)  # whole numbers only: "age ≥ 40", not "age > 39.5"
    fill: float = field(default=0.0, compare=False)  # a missing trait value counts as this (its median)


@dataclass(frozen=True)
class ExplainFeatures:
    features: tuple[Feature, ...]
    matrix: np.ndarray  # (users, features) float64, no NaN


def distinctive_terms(keywords: Mapping[int, Sequence], per_segment: int = TERMS_PER_SEGMENT) -> list[str]:
    """Each segment's strongest keywords (`SegmentSummary.keywords`), once each, in segment order."""
    out: list[str] = []
    for segment in sorted(keywords):
        for entry in list(keywords[segment])[:per_segment]:
            term = entry[0] if isinstance(entry, (tuple, list)) else entry
            if term and term not in out:
                out.append(str(term))
    return out


def term_presence(texts: Sequence[str], terms: Sequence[str]) -> np.ndarray:
    """(users, terms) 0/1: does the user's text hold the term (word or two-word phrase)."""
    if not terms or not len(texts):
        return np.zeros((len(texts), len(terms)), dtype=np.float64)
    from segkit.term_counts import count_vocabulary

    counts = count_vocabulary(list(terms), [text or "" for text in texts])
    return (counts.toarray() > 0).astype(np.float64)


def build_features(users: pd.DataFrame, texts: Sequence[str], numeric_cols: Sequence[str] = (),
                   categorical_cols: Sequence[str] = (), terms: Sequence[str] = (),
                   max_levels: int = MAX_LEVELS) -> ExplainFeatures:
    """The feature table for `users` (one row each, aligned with `texts`)."""
    features: list[Feature] = []
    columns: list[np.ndarray] = []
    for column in numeric_cols:
        if column not in users.columns:
            continue
        values = pd.to_numeric(users[column], errors="coerce").to_numpy(dtype=np.float64)
        finite = np.isfinite(values)
        if not finite.any():
            continue
        fill = float(np.median(values[finite]))
        whole = bool(np.all(np.equal(np.mod(values[finite], 1), 0)))
        features.append(Feature(TRAIT, str(column), integer=whole, fill=fill))
        columns.append(np.where(finite, values, fill))
    for column in categorical_cols:
        if column not in users.columns:
            continue
        values = users[column].astype("string").fillna(MISSING_LEVEL)
        for level in values.value_counts().index[:max_levels]:
            features.append(Feature(LEVEL, str(column), level=str(level)))
            columns.append((values == level).to_numpy(dtype=np.float64))
    terms = [t for t in dict.fromkeys(terms) if t]
    if terms:
        present = term_presence(texts, terms)
        for j, term in enumerate(terms):
            features.append(Feature(TERM, term))
            columns.append(present[:, j])
    matrix = np.column_stack(columns) if columns else np.zeros((len(users), 0))
    return ExplainFeatures(tuple(features), matrix.astype(np.float64))


def features_like(features: Sequence[Feature], users: pd.DataFrame, texts: Sequence[str]) -> ExplainFeatures:
    """The same feature columns as `features` (from `build_features`) for other users, e.g.
    one user on a page or new users, with the fitted users' medians for missing traits."""
    features = tuple(features)
    terms = [f.name for f in features if f.kind == TERM]
    present = term_presence(texts, terms)
    term_column = {term: j for j, term in enumerate(terms)}
    columns = []
    for f in features:
        if f.kind == TRAIT:
            values = pd.to_numeric(users[f.name], errors="coerce").to_numpy(dtype=np.float64)
            columns.append(np.where(np.isfinite(values), values, f.fill))
        elif f.kind == LEVEL:
            columns.append((users[f.name].astype("string").fillna(MISSING_LEVEL) == f.level).to_numpy(dtype=np.float64))
        else:
            columns.append(present[:, term_column[f.name]])
    matrix = np.column_stack(columns) if columns else np.zeros((len(users), 0))
    return ExplainFeatures(features, matrix.astype(np.float64))


def features_for_run(run, max_levels: int = MAX_LEVELS, per_segment: int = TERMS_PER_SEGMENT,
                     users_subset: np.ndarray | None = None) -> ExplainFeatures:
    """`build_features` for a run's segmented users (or the positions `users_subset` among
    them): its numeric traits and n_reviews, its categorical traits, its segments' keywords."""
    table = run.table
    index = np.asarray(run.embeddings.user_index)
    if users_subset is not None:
        index = index[np.asarray(users_subset)]
    users = table.users.iloc[index].reset_index(drop=True)
    all_texts = table.user_texts()
    texts = [all_texts[i] for i in index]
    roles = table.roles
    numeric = [c for c in ("n_reviews", *roles.numeric_cols) if c in users.columns]
    return build_features(users, texts, numeric, roles.categorical_cols,
                          distinctive_terms(run.summary.keywords, per_segment), max_levels)

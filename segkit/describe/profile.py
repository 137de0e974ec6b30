"""How each segment differs from everyone: numeric z-scores and categorical make-up."""

from __future__ import annotations

import numpy as np
import pandas as pd


def numeric_profile(users: pd.DataFrame, labels: np.ndarray, columns) -> pd.DataFrame:
    """Rows: segments; columns: per trait, the segment mean and its z-score vs all users.

    z = (segment mean - overall mean) / overall std: +1 means a segment averages one
    standard deviation above the population on that trait.
    """
    columns = list(columns)
    if not columns:
        return pd.DataFrame()
    data = users[columns].apply(pd.to_numeric, errors="coerce")
    overall_mean = data.mean()
    overall_std = data.std(ddof=0).replace(0, np.nan)
    data = data.assign(__segment=np.asarray(labels))
    means = data.groupby("__segment")[columns].mean()
    z = (means - overall_mean) / overall_std
    out = pd.concat({"mean": means, "z": z}, axis=1)
    out.index.name = "segment"
    return out


def categorical_makeup(users: pd.DataFrame, labels: np.ndarray, column: str, top: int = 8) -> pd.DataFrame:
    """Share of each category within each segment (rows sum to 1), plus the overall row."""
    values = users[column].astype("string").fillna("(missing)")
    table = pd.crosstab(pd.Series(np.asarray(labels), name="segment"), values.rename(column), normalize="index")
    overall = values.value_counts(normalize=True).rename("all users")
    keep = overall.index[:top]
    table = table.reindex(columns=keep, fill_value=0.0)
    table.loc["all users"] = overall.reindex(keep).to_numpy()
    return table

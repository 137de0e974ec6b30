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


# ----------------------------------------------------------------- real units and lift

ALPHA = 0.05
NUMERIC_TEST = "Welch's t-test, segment vs the rest, Bonferroni-corrected over every segment x trait"
CATEGORICAL_TEST = "two-proportion z-test, segment vs the rest, Bonferroni-corrected over every segment x value"


def _bonferroni(p: np.ndarray) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    m = int(np.isfinite(p).sum())
    return np.minimum(p * max(m, 1), 1.0)


def numeric_lift(users: pd.DataFrame, labels: np.ndarray, columns) -> pd.DataFrame:
    """One row per (segment, trait), in the trait's own units.

    Columns: mean, median, all_mean, all_median (every segmented user), diff (= mean -
    all_mean), lift (= mean / all_mean, only when the trait is never negative and its
    overall mean is above 0, where a ratio reads as "x times"; NaN otherwise), n (users
    with a value), t and p (Welch's t-test of the segment against all other users), p_adj
    (Bonferroni over the table's tests) and significant (p_adj < 0.05).
    """
    columns = [c for c in columns if c in users.columns]
    out_columns = ["segment", "trait", "mean", "median", "all_mean", "all_median", "diff", "lift", "n",
                   "t", "p", "p_adj", "significant"]
    if not columns:
        return pd.DataFrame(columns=out_columns)
    from scipy.stats import ttest_ind_from_stats

    labels = np.asarray(labels)
    segments = np.unique(labels)
    rows = []
    for column in columns:
        values = pd.to_numeric(users[column], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(values)
        v, lab = values[ok], labels[ok]
        if len(v) == 0:
            continue
        all_mean, all_median = float(v.mean()), float(np.median(v))
        ratio_ok = bool(v.min() >= 0 and all_mean > 0)
        frame = pd.DataFrame({"v": v, "s": lab})
        grouped = frame.groupby("s")["v"]
        means, medians, counts, variances = grouped.mean(), grouped.median(), grouped.size(), grouped.var(ddof=1)
        total, total_sq, n_all = v.sum(), (v ** 2).sum(), len(v)
        for segment in segments:
            n1 = int(counts.get(segment, 0))
            mean = float(means.get(segment, np.nan))
            n2 = n_all - n1
            t = p = np.nan
            if n1 >= 2 and n2 >= 2:
                rest_mean = (total - mean * n1) / n2
                seg_sq = variances[segment] * (n1 - 1) + n1 * mean ** 2
                rest_var = max((total_sq - seg_sq - n2 * rest_mean ** 2) / (n2 - 1), 0.0)
                var1 = float(variances[segment])
                if var1 + rest_var > 0:
                    t, p = ttest_ind_from_stats(mean, np.sqrt(var1), n1, rest_mean, np.sqrt(rest_var), n2,
                                                equal_var=False)
                elif mean != rest_mean:  # no spread at all, different values: as clear as it gets
                    t, p = np.sign(mean - rest_mean) * np.inf, 0.0
            rows.append({"segment": int(segment), "trait": column, "mean": mean,
                         "median": float(medians.get(segment, np.nan)), "all_mean": all_mean,
                         "all_median": all_median, "diff": mean - all_mean,
                         "lift": mean / all_mean if ratio_ok else np.nan, "n": n1, "t": float(t), "p": float(p)})
    table = pd.DataFrame(rows, columns=out_columns[:-2])
    table["p_adj"] = _bonferroni(table["p"].to_numpy())
    table["significant"] = table["p_adj"] < ALPHA
    return table


def categorical_lift(users: pd.DataFrame, labels: np.ndarray, column: str) -> pd.DataFrame:
    """One row per (segment, value): its share in the segment vs among all users, and the lift.

    Columns: segment, value, count (segment users with the value), share, all_share, lift
    (= share / all_share), z and p (two-proportion z-test: segment vs the rest), p_adj
    (Bonferroni over the table) and significant (p_adj < 0.05). Missing values count as
    the value "(missing)".
    """
    from scipy.stats import norm

    labels = np.asarray(labels)
    values = users[column].astype("string").fillna("(missing)").to_numpy(dtype=object)
    counts = pd.crosstab(pd.Series(labels, name="segment"), pd.Series(values, name="value"))
    n_seg = counts.sum(axis=1).to_numpy(dtype=float)[:, None]
    n_all = float(counts.to_numpy().sum())
    x1 = counts.to_numpy(dtype=float)
    x_all = x1.sum(axis=0)[None, :]
    share, all_share = x1 / n_seg, x_all / n_all
    n_rest = n_all - n_seg
    with np.errstate(invalid="ignore", divide="ignore"):
        rest_share = (x_all - x1) / n_rest
        pooled = x_all / n_all
        se = np.sqrt(pooled * (1 - pooled) * (1 / n_seg + 1 / n_rest))
        z = np.where(se > 0, (share - rest_share) / se, np.nan)
    p = 2 * norm.sf(np.abs(z))
    frame = pd.DataFrame({
        "segment": np.repeat(counts.index.to_numpy(), counts.shape[1]).astype(int),
        "value": np.tile(counts.columns.to_numpy(dtype=object), counts.shape[0]),
        "count": x1.ravel().astype(int),
        "share": share.ravel(),
        "all_share": np.broadcast_to(all_share, share.shape).ravel(),
        "z": z.ravel(),
        "p": p.ravel(),
    })
    frame.insert(5, "lift", frame["share"] / frame["all_share"])
    frame["p_adj"] = _bonferroni(frame["p"].to_numpy())
    frame["significant"] = frame["p_adj"] < ALPHA
    return frame


def over_under(lift: pd.DataFrame, segment: int, top: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A segment's significantly over- and under-represented values, the largest gap in
    percentage points first (a 62% vs 15% value before a 5% vs 1% one of higher lift)."""
    rows = lift[(lift["segment"] == segment) & lift["significant"]]
    gap = rows["share"] - rows["all_share"]
    over = rows[rows["lift"] > 1].loc[lambda r: gap[r.index].sort_values(ascending=False).index].head(top)
    under = rows[rows["lift"] < 1].loc[lambda r: gap[r.index].sort_values().index].head(top)
    return over, under


def share_phrase(row) -> str:
    """'Beauty: 41% vs 12%, ×3.4' for one row of `categorical_lift`."""
    return f"{row['value']}: {row['share']:.0%} vs {row['all_share']:.0%}, ×{row['lift']:.1f}"

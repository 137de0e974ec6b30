"""Agreement with a ground-truth column, or between two segmentations."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, mutual_info_score

from segkit.labels import segment_name


def external_metrics(labels: np.ndarray, truth) -> dict:
    """ARI, NMI, homogeneity and completeness over users that have a truth value.

    Unassigned users (noise) count as one more group: leaving users out must cost.
    """
    truth = pd.Series(truth).astype("string")
    known = truth.notna().to_numpy()
    if known.sum() < 2:
        return {}
    # Integer codes: the same scores, without four sorts of Python strings (~0.4 s at 20k users).
    y_true = pd.factorize(truth[known].to_numpy())[0]
    y_pred = pd.factorize(np.asarray(labels)[known])[0]
    return {**contingency_scores(y_true, y_pred), "n_labelled": int(known.sum())}


def contingency_scores(y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    """ARI, NMI (arithmetic), homogeneity and completeness of two integer codings (0..k-1),
    scikit-learn's definitions and values, from one contingency table: its four functions
    each validate, sort and tabulate the labels again (~0.1 s of a 100,000-user step)."""
    n_true, n_pred = int(y_true.max()) + 1, int(y_pred.max()) + 1
    table = np.bincount(y_true * n_pred + y_pred, minlength=n_true * n_pred).reshape(n_true, n_pred)
    n = int(len(y_true))
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    # ARI from pair counts (sklearn.metrics.pair_confusion_matrix), in Python ints: no overflow.
    same_both = int((table.astype(np.int64) ** 2).sum()) - n
    same_true = int((rows.astype(np.int64) ** 2).sum()) - n
    same_pred = int((cols.astype(np.int64) ** 2).sum()) - n
    fp, fn = same_pred - same_both, same_true - same_both
    tn = n * n - n - same_both - fp - fn
    if fp == 0 and fn == 0:
        ari = 1.0
    else:
        ari = 2.0 * (same_both * tn - fn * fp) / ((same_both + fn) * (fn + tn) + (same_both + fp) * (fp + tn))
    mi = mutual_info_score(None, None, contingency=table)
    h_true, h_pred = _entropy(rows), _entropy(cols)
    if n_true == n_pred == 1:  # sklearn's special cases: one group each is a perfect match,
        nmi = 1.0
    elif mi == 0:  # otherwise no shared information is 0 whatever the normaliser
        nmi = 0.0
    else:
        nmi = float(mi / ((h_true + h_pred) / 2.0))
    return {
        "ari": float(ari),
        "nmi": nmi,
        "homogeneity": 1.0 if h_true == 0 else float(mi / h_true),
        "completeness": 1.0 if h_pred == 0 else float(mi / h_pred),
    }


def _entropy(counts: np.ndarray) -> float:
    counts = counts[counts > 0].astype(np.float64)
    total = counts.sum()
    return float(-np.sum((counts / total) * (np.log(counts) - np.log(total))))


def agreement(labels_a: np.ndarray, labels_b: np.ndarray) -> float:
    """Adjusted Rand index between two labelings of the same users."""
    return float(adjusted_rand_score(labels_a, labels_b))


def confusion_table(labels: np.ndarray, truth, segment_names: dict | None = None) -> pd.DataFrame:
    names = segment_names or {}
    predicted = pd.Series([segment_name(v, names) for v in labels],
                          name="segment")
    return pd.crosstab(predicted, pd.Series(truth, name="truth").astype("string").fillna("(missing)"))

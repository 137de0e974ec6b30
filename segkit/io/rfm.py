"""RFM traits per user from dated rows with an amount: recency, frequency, monetary value.

The classic marketing triple (Hughes 1994), computed from the row-level data:
recency_days is the days from the user's latest row to the latest date in the file (the
file's own "today", so an old export is not all "lapsed"), frequency the user's rows with a
date, monetary the sum of their amounts. They become numeric traits like any other.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.errors import SegkitInputError
from segkit.io.roles import RFM_TRAITS, ColumnRoles
from segkit.io.times import parse_times


def rfm_traits(frame: pd.DataFrame, roles: ColumnRoles, row_user: np.ndarray, n_users: int,
               amounts: pd.Series) -> tuple[pd.DataFrame, str]:
    """({trait: per-user values} for roles.derived_traits, a note saying how they were made).

    `amounts` are the amount column's values as numbers (NaN where not a number).
    """
    clash = [t for t in roles.derived_traits if t in frame.columns]
    if clash:
        raise SegkitInputError(f"The file already has a column '{clash[0]}', the name of a derived RFM trait; "
                               "rename that column or turn the RFM traits off (--no-rfm).")
    times = parse_times(frame[roles.time_col], str(roles.time_col))
    dated = (row_user >= 0) & times.notna().to_numpy()
    if not dated.any():
        raise SegkitInputError(f"No row with a user has a date in '{roles.time_col}': recency cannot be computed.")
    seconds = (times - pd.Timestamp(0)).dt.total_seconds().to_numpy()
    latest = seconds[dated].max()
    users = row_user[dated]
    last = np.full(n_users, -np.inf)
    np.maximum.at(last, users, seconds[dated])
    frequency = np.bincount(users, minlength=n_users).astype(float)
    money = np.nan_to_num(amounts.to_numpy(dtype=float))
    has_money = (row_user >= 0) & amounts.notna().to_numpy()
    monetary = np.bincount(row_user[has_money], weights=money[has_money], minlength=n_users)
    values = {
        "recency_days": np.where(np.isfinite(last), (latest - last) / 86400.0, np.nan),
        "frequency": frequency,
        "monetary": np.where(np.bincount(row_user[has_money], minlength=n_users) > 0, monetary, np.nan),
    }
    out = pd.DataFrame({t: values[t] for t in roles.derived_traits if t in RFM_TRAITS})
    reference = pd.Timestamp(latest, unit="s").date().isoformat()
    note = (f"derived per user from '{roles.time_col}' and '{roles.amount_col}': recency_days (days from the "
            f"user's latest row to {reference}, the latest date in the file), frequency (rows with a date), "
            f"monetary (sum of '{roles.amount_col}')")
    return out, note

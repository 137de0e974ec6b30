"""Movers: one saved model (segkit.model) assigns the users of each period; users present
in two periods have a "from -> to" pair, summarised as flows with example users.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from segkit.errors import SegkitInputError
from segkit.timeline.periods import count_sizes, parse_times, period_of, segment_name

ASSIGN_COLUMNS = ["period", "user_id", "segment_id", "segment_name", "segment_confidence", "outlier"]


def assign_frame(model, frame: pd.DataFrame, user_col: str | None = None, text_cols=None,
                 period: str = "all") -> pd.DataFrame:
    """The model's assignment of one table's users (segment -1 = fits no segment).

    Users with text but no word the model knows (a TF-IDF vocabulary from another time)
    fit no segment either: they are kept as outliers, not dropped. Users with no text are dropped.
    """
    from segkit.model.new_users import assign_users

    per_user, table = assign_users(model, frame, user_col=user_col, text_cols=text_cols, why=False)
    has_text = np.zeros(len(per_user), dtype=bool)
    row_user = np.asarray(table.row_user)
    written = row_user[(row_user >= 0) & np.array([bool(t) for t in table.row_texts], dtype=bool)]
    has_text[written] = True
    unknown = per_user["segment_id"].isna().to_numpy() & has_text
    per_user.loc[unknown, ["segment_id", "segment_name", "segment_confidence", "outlier"]] = [-1, "Unassigned", 0.0, True]
    per_user = per_user[per_user["segment_id"].notna()].copy()
    per_user["segment_id"] = per_user["segment_id"].astype(np.int64)
    per_user["outlier"] = per_user["outlier"].astype(bool)
    per_user.insert(0, "period", period)
    return per_user[ASSIGN_COLUMNS].reset_index(drop=True)


def assign_by_period(model, frame: pd.DataFrame, time_col: str, freq: str = "auto", user_col: str | None = None,
                     text_cols=None, periods: list[str] | None = None) -> tuple[pd.DataFrame, str]:
    """Each period's users assigned by the model from that period's rows only.

    Returns one row per (period, user) and the period length used.
    """
    if time_col not in frame.columns:
        raise SegkitInputError(f"No column '{time_col}' in the data (columns: {', '.join(map(str, frame.columns[:12]))}).")
    labels, freq = period_of(parse_times(frame[time_col], time_col), freq)
    present = sorted(labels.dropna().unique())
    wanted = present if periods is None else [p for p in periods if p]
    missing = [p for p in wanted if p not in present]
    if missing:
        raise SegkitInputError(f"No rows in period(s) {', '.join(missing)} ({freq}s in the data: "
                               f"{', '.join(present[:6])}{' ...' if len(present) > 6 else ''}).")
    parts = []
    for period in wanted:
        rows = frame[(labels == period).fillna(False).to_numpy()]
        parts.append(assign_frame(model, rows.reset_index(drop=True), user_col, text_cols, period))
    if not parts:
        raise SegkitInputError(f"The time column '{time_col}' has no dates.")
    return pd.concat(parts, ignore_index=True), freq


def sizes_of(assigned: pd.DataFrame, names: dict) -> pd.DataFrame:
    """Users per period and segment from assign_by_period's rows (outliers as segment -1)."""
    return count_sizes(assigned[["period", "segment_id"]], names)


@dataclass(frozen=True)
class Moves:
    period_a: str
    period_b: str
    n_a: int  # users in period A
    n_b: int
    n_both: int  # users present in both
    n_moved: int  # of those, users whose segment changed
    pairs: pd.DataFrame  # user_id, from_segment_id, to_segment_id (users in both)
    flows: pd.DataFrame  # from/to segment, users, share_of_from, example_users; biggest first

    @property
    def moved_share(self) -> float:
        return self.n_moved / self.n_both if self.n_both else 0.0


def movers(assigned: pd.DataFrame, period_a: str, period_b: str, names: dict, examples: int = 3) -> Moves:
    """From -> to flows between two periods of assign_by_period's rows (or two assign_frame tables)."""
    a = assigned[assigned["period"] == period_a].set_index("user_id")["segment_id"]
    b = assigned[assigned["period"] == period_b].set_index("user_id")["segment_id"]
    both = a.index.intersection(b.index)
    pairs = pd.DataFrame({"user_id": both, "from_segment_id": a.loc[both].to_numpy(),
                          "to_segment_id": b.loc[both].to_numpy()})
    flows = (pairs.groupby(["from_segment_id", "to_segment_id"])
             .agg(users=("user_id", "size"), example_users=("user_id", lambda s: ", ".join(sorted(s)[:examples])))
             .reset_index())
    from_totals = flows.groupby("from_segment_id")["users"].transform("sum")
    flows["share_of_from"] = (flows["users"] / from_totals).round(4)
    flows["moved"] = flows["from_segment_id"] != flows["to_segment_id"]
    flows.insert(1, "from_segment", [segment_name(s, names) for s in flows["from_segment_id"]])
    flows.insert(3, "to_segment", [segment_name(s, names) for s in flows["to_segment_id"]])
    flows = flows.sort_values(["moved", "users"], ascending=[False, False]).reset_index(drop=True)
    return Moves(period_a, period_b, int(len(a)), int(len(b)), int(len(both)),
                 int((pairs["from_segment_id"] != pairs["to_segment_id"]).sum()), pairs, flows)

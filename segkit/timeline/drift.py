"""Drift between two periods: segments that grew or faded, and users no segment fits.

Thresholds (stated to the analyst in every message):
- a segment has **grown** or **faded** when its share of the period's users changed by at
  least SHIFT_POINTS (10 percentage points), or by a factor of 2 with at least 5 points;
- **new users that fit no segment**: a saved model flags a user as an outlier when their
  distance to the nearest segment centre exceeds the 99th percentile of the training
  members' distances to that centre (density models: outside every member's core
  distance), so about 1% of a period like the training one is flagged; users whose text
  has no word the model knows (TF-IDF) fit no segment either. The warning fires
  when at least OUTLIER_WARN (10%) of period B's users are outliers and at least twice
  period A's share: then a group has appeared that the model does not know — re-segment.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

SHIFT_POINTS = 0.10
RATIO_SHIFT = 2.0
RATIO_MIN_POINTS = 0.05
OUTLIER_WARN = 0.10


@dataclass(frozen=True)
class DriftReport:
    period_a: str
    period_b: str
    shifts: pd.DataFrame  # segment_id, segment_name, share_a, share_b, change, status (grew/faded/steady)
    outlier_share_a: float
    outlier_share_b: float
    new_segment_warning: str | None

    @property
    def changed(self) -> pd.DataFrame:
        return self.shifts[self.shifts["status"] != "steady"]

    def lines(self) -> list[str]:
        out = []
        for row in self.changed.itertuples():
            out.append(f"{row.segment_name} {row.status}: {row.share_a:.0%} of users in {self.period_a} -> "
                       f"{row.share_b:.0%} in {self.period_b} ({row.change:+.0%} points; threshold "
                       f"{SHIFT_POINTS:.0%} points, or x{RATIO_SHIFT:g} with {RATIO_MIN_POINTS:.0%})")
        if self.new_segment_warning:
            out.append(self.new_segment_warning)
        return out


def share_shifts(sizes: pd.DataFrame, period_a: str, period_b: str) -> pd.DataFrame:
    """Per segment (outliers excluded): its share of segmented users in A and in B, and whether it moved."""
    kept = sizes[sizes["segment_id"] >= 0]
    a = kept[kept["period"] == period_a].set_index("segment_id")
    b = kept[kept["period"] == period_b].set_index("segment_id")
    ids = sorted(set(a.index) | set(b.index))
    users_a = a["users"].reindex(ids, fill_value=0)
    users_b = b["users"].reindex(ids, fill_value=0)
    share_a = users_a / max(int(users_a.sum()), 1)
    share_b = users_b / max(int(users_b.sum()), 1)
    names = pd.concat([a["segment_name"], b["segment_name"]])
    names = names[~names.index.duplicated()].reindex(ids)
    change = share_b - share_a
    ratio = (share_b + 1e-9) / (share_a + 1e-9)
    big = (change.abs() >= SHIFT_POINTS - 1e-9) | (
        ((ratio >= RATIO_SHIFT) | (ratio <= 1 / RATIO_SHIFT)) & (change.abs() >= RATIO_MIN_POINTS))
    status = pd.Series("steady", index=ids)
    status[big & (change > 0)] = "grew"
    status[big & (change < 0)] = "faded"
    table = pd.DataFrame({"segment_id": ids, "segment_name": names.to_numpy(), "users_a": users_a.to_numpy(),
                          "users_b": users_b.to_numpy(), "share_a": share_a.round(4).to_numpy(),
                          "share_b": share_b.round(4).to_numpy(), "change": change.round(4).to_numpy(),
                          "status": status.to_numpy()})
    return table.sort_values("change", key=lambda s: -s.abs()).reset_index(drop=True)


def outlier_share(assigned: pd.DataFrame, period: str) -> float:
    rows = assigned[assigned["period"] == period]
    if rows.empty:
        return 0.0
    return float((rows["outlier"] | (rows["segment_id"] < 0)).mean())


def new_segment_warning(share_a: float, share_b: float, period_a: str, period_b: str) -> str | None:
    if share_b >= OUTLIER_WARN and share_b >= 2 * share_a:
        return (f"New segment? {share_b:.0%} of {period_b}'s users fit no segment well (farther from their "
                f"nearest segment centre than 99% of its training members, or using no word the model knows; "
                f"{share_a:.0%} in {period_a}). The warning "
                f"fires at {OUTLIER_WARN:.0%} and twice the earlier share: re-segment {period_b} to see the new group.")
    return None


def drift_report(assigned: pd.DataFrame, sizes: pd.DataFrame, period_a: str, period_b: str) -> DriftReport:
    """Shifts and the new-segment warning between two periods of segkit.timeline.movers' rows."""
    share_a, share_b = outlier_share(assigned, period_a), outlier_share(assigned, period_b)
    return DriftReport(period_a, period_b, share_shifts(sizes, period_a, period_b), share_a, share_b,
                       new_segment_warning(share_a, share_b, period_a, period_b))

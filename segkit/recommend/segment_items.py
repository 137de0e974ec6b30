"""What each segment consumes, next to what everybody consumes.

share in segment = segment users who interacted with the item / segment users;
share overall = all users who interacted with it / all users; lift = the ratio.
A lift of 3 means the segment is three times as likely as the average user to pick it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.errors import SegkitInputError
from segkit.labels import segment_name
from segkit.recommend.interactions import Interactions


def _pairs(interactions: Interactions | pd.DataFrame) -> pd.DataFrame:
    frame = interactions.frame if isinstance(interactions, Interactions) else interactions
    if not {"user", "item"} <= set(frame.columns):
        raise SegkitInputError("Interactions need 'user' and 'item' columns (use prepare_interactions).")
    return frame[["user", "item"]].drop_duplicates()


def _with_info(table: pd.DataFrame, item_info: pd.DataFrame | None) -> pd.DataFrame:
    if item_info is None or item_info.empty:
        return table
    info = item_info.copy()
    info.index = info.index.astype(str)
    info = info[~info.index.duplicated()]
    extra = info.reindex(table["item"].astype(str).to_numpy())
    for column in info.columns:
        table.insert(table.columns.get_loc("item") + 1, column, extra[column].to_numpy())
    return table


def global_top_items(interactions: Interactions | pd.DataFrame, n: int = 10,
                     item_info: pd.DataFrame | None = None) -> pd.DataFrame:
    pairs = _pairs(interactions)
    n_users = pairs["user"].nunique()
    counts = pairs.groupby("item").size().rename("users").reset_index()
    counts = counts.sort_values(["users", "item"], ascending=[False, True]).head(n).reset_index(drop=True)
    counts.insert(0, "rank", np.arange(1, len(counts) + 1))
    counts["share"] = counts["users"] / max(n_users, 1)
    return _with_info(counts, item_info)


def segment_top_items(interactions: Interactions | pd.DataFrame, segments: pd.Series, n: int = 10,
                      order: str = "count", min_users: int = 3, item_info: pd.DataFrame | None = None,
                      names: dict[int, str] | None = None) -> pd.DataFrame:
    """Top items per segment (long form): segment_id, segment_name, rank, item, users, share_in_segment,
    share_overall, lift.

    order='count' ranks by how many segment users have the item (what the segment buys);
    order='lift' ranks by lift among items at least `min_users` segment users have (what makes
    the segment different).
    """
    if order not in ("count", "lift"):
        raise SegkitInputError(f"order must be 'count' or 'lift' (got '{order}').")
    pairs = _pairs(interactions)
    segments = segments.copy()
    segments.index = segments.index.astype(str)
    n_users = pairs["user"].nunique()
    overall = pairs.groupby("item").size() / max(n_users, 1)
    pairs = pairs.assign(segment=pairs["user"].map(segments))
    pairs = pairs[pairs["segment"].notna() & (pairs["segment"] >= 0)]
    if pairs.empty:
        raise SegkitInputError("No user of the interactions has a segment: do the user ids match?")
    pairs["segment"] = pairs["segment"].astype(int)
    seg_users = pairs.groupby("segment")["user"].nunique()
    counts = pairs.groupby(["segment", "item"]).size().rename("users").reset_index()
    counts["share_in_segment"] = counts["users"] / counts["segment"].map(seg_users)
    counts["share_overall"] = counts["item"].map(overall)
    counts["lift"] = counts["share_in_segment"] / counts["share_overall"]
    if order == "lift":
        counts = counts[counts["users"] >= min_users]
        keys, ascending = ["segment", "lift", "users", "item"], [True, False, False, True]
    else:
        keys, ascending = ["segment", "users", "lift", "item"], [True, False, False, True]
    counts = counts.sort_values(keys, ascending=ascending)
    top = counts.groupby("segment", sort=True).head(n).copy()
    top.insert(1, "rank", top.groupby("segment").cumcount() + 1)
    top = top.rename(columns={"segment": "segment_id"})
    names = names or {}
    top.insert(1, "segment_name", [segment_name(s, names) for s in top["segment_id"]])
    top.insert(2, "segment_users", top["segment_id"].map(seg_users).to_numpy())
    return _with_info(top.reset_index(drop=True), item_info)


def segment_vs_global(interactions: Interactions | pd.DataFrame, segments: pd.Series, segment_id: int,
                      n: int = 10, order: str = "count", item_info: pd.DataFrame | None = None) -> pd.DataFrame:
    """One segment's top items beside the global top items, rank by rank (a wide table)."""
    seg = segment_top_items(interactions, segments, n=n, order=order, item_info=item_info)
    seg = seg[seg["segment_id"] == int(segment_id)]
    if seg.empty:
        raise SegkitInputError(f"Segment {segment_id} has no interactions.")
    glob = global_top_items(interactions, n=n, item_info=item_info)
    left = seg.drop(columns=["segment_id", "segment_name", "segment_users"]).add_prefix("segment_")
    left = left.rename(columns={"segment_rank": "rank", "segment_share_in_segment": "segment_share"})
    right = glob.add_prefix("global_").rename(columns={"global_rank": "rank"})
    return left.merge(right, on="rank", how="outer").sort_values("rank").reset_index(drop=True)

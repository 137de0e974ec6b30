"""The Segments page's "look inside" view: one segment split into sub-segments."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from dashboard.context import edits_for
from dashboard.resources import derived_memory
from dashboard.ui import md
from dashboard.words import lang, tr
from segkit.drilldown import MIN_USERS_TO_SPLIT, subsegment
from segkit.errors import SegkitInputError
from segkit.threads import limited_threads


def subsegments_view(ctx, run, segment: int, size: int) -> None:
    """A toggle on the card; when on, the sub-segments' names, sizes, words and personas."""
    if size < MIN_USERS_TO_SPLIT:
        return
    if not st.toggle(tr("segs.split"), key=f"segs_split_{ctx.run_key[:8]}_{segment}", help=tr("segs.split_help")):
        return
    memo = st.session_state["sk_memo"]
    key = f"split|{ctx.run_key}|{json.dumps(edits_for(ctx.run_key)['merges'])}|{segment}"
    if key not in memo:
        try:
            with st.spinner(tr("segs.split_spin")), limited_threads():
                memo[key] = subsegment(run, segment, memory=derived_memory())
        except SegkitInputError as exc:
            st.warning(md(exc))
            return
    inner = memo[key]
    table = inner.summary.table
    table = table[table["segment_id"] >= 0]
    rows = [{tr("segs.split_col_name"): row["segment_name"],
             tr("segs.split_col_users"): int(row["size"]),
             tr("segs.split_col_share"): f"{float(row['share']):.0%}",
             tr("segs.split_col_words"): row["keywords"],
             tr("segs.split_col_persona"): inner.summary.persona(int(row["segment_id"]), lang())}
            for _, row in table.iterrows()]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    note = inner.metrics.get("auto_k_strength")
    st.caption(tr("segs.split_caption", k=len(rows), strength=tr(f"segs.split_{note}") if note else ""))

"""Explanations on the pages: each segment's rules, how well a classifier tells the segments
apart, and why a user is in their segment (segkit.explain does the work; this caches it
per run and draws it)."""

from __future__ import annotations

import streamlit as st

from dashboard.state import memo_value
from dashboard.ui import md
from dashboard.words import lang, tr
from segkit.explain.rules import segment_rules
from segkit.explain.separability import segment_separability
from segkit.explain.why import explain_users
from segkit.threads import limited_threads

MAX_WHY_USERS = 5  # explained one by one below the selection table


def _key(ctx, run, kind: str) -> str:
    return f"{kind}|{ctx.run_key}|{run.edits!r}"


def rules_for(ctx, run):
    """segkit.explain.rules.SegmentRules of the (edited) run, once per run and edits."""
    def build():
        with st.spinner(tr("xpl.spin_rules")), limited_threads():
            return segment_rules(run)
    return memo_value(_key(ctx, run, "rules"), build)


def separability_for(ctx, run):
    """segkit.explain.separability.Separability of the (edited) run, or None when it cannot be
    measured (fewer than two segments)."""
    def build():
        if run.result.n_clusters < 2:
            return None
        with st.spinner(tr("xpl.spin_separability")), limited_threads():
            return segment_separability(run)
    return memo_value(_key(ctx, run, "separability"), build)


def separability_section(ctx, run) -> None:
    """The Segment page's classifier view: per-segment precision, recall and F1, and flags."""
    separability = separability_for(ctx, run)
    st.subheader(tr("xpl.separability"), help=tr("xpl.separability_help"))
    if separability is None:
        st.caption(tr("xpl.separability_none"))
        return
    names = {int(k): v for k, v in run.summary.names.items()}
    table = separability.segment_table(names, lang())
    c1, c2 = st.columns([1, 3])
    c1.metric(tr("xpl.accuracy"), f"{separability.linear.accuracy:.0%}", help=tr("xpl.accuracy_help"))
    c2.caption(tr("xpl.separability_caption", model=separability.linear.model, folds=separability.folds,
                  n=f"{separability.n_users:,}",
                  tree=f"{separability.tree.accuracy:.0%}" if separability.tree is not None else "–"))
    shown = table.rename(columns={"segment_name": tr("xpl.col_segment"), "f1": "F1", "tree_f1": tr("xpl.col_tree"),
                                  "precision": tr("xpl.col_precision"), "recall": tr("xpl.col_recall"),
                                  "users": tr("xpl.col_users"), "flag": tr("xpl.col_flag")})
    st.dataframe(shown.drop(columns=["segment_id"]), hide_index=True, width="stretch")
    for flag in table["flag"]:
        if flag:
            st.warning(md(flag), icon=":material/call_merge:")


def why_users(ctx, run, positions) -> None:
    """Why the first few selected users are where they are: nearest segments with distances,
    what pulls each toward their segment, their segment's words they use, the rule covering them."""
    positions = list(positions)[:MAX_WHY_USERS]
    if not positions:
        return
    names = {int(k): v for k, v in run.summary.names.items()}
    rules = rules_for(ctx, run)
    with limited_threads():
        explained = explain_users(run, positions, rules=rules)
    st.markdown(tr("xpl.why", n=len(explained)), help=tr("xpl.why_help"))
    for item in explained:
        with st.expander(f"{md(item.user_id)} · {md(names.get(item.segment, tr('common.unassigned')))}"):
            for line in item.lines(names, lang()):
                st.markdown(f"- {md(line)}")

"""Explanations on the pages: each segment's rules, how well a classifier tells the segments
apart, and why a user is in their segment (segkit.explain does the work; this caches it
per run and draws it)."""

from __future__ import annotations

import streamlit as st

from dashboard.state import memo_value
from dashboard.ui import md
from dashboard.words import lang, tr
from segkit.errors import SegkitInputError
from segkit.explain.rules import segment_rules
from segkit.explain.separability import segment_separability
from segkit.explain.why import explain_users
from segkit.threads import limited_threads

MAX_WHY_USERS = 5  # explained one by one below the selection table


def _key(ctx, run, kind: str) -> str:
    return f"{kind}|{ctx.run_key}|{run.edits!r}"


def _explained(ctx, run, kind: str, spinner: str, compute):
    """(value, None), or (None, the sentence saying why) when the data cannot be explained
    this way (too few users or segments): the page says it instead of failing."""
    def build():
        try:
            with st.spinner(tr(spinner)), limited_threads():
                return compute(run), None
        except SegkitInputError as exc:
            return None, str(exc)
    return memo_value(_key(ctx, run, kind), build)


def rules_for(ctx, run):
    """segkit.explain.rules.SegmentRules of the (edited) run, once per run and edits (or None)."""
    return _explained(ctx, run, "rules", "xpl.spin_rules", segment_rules)[0]


def separability_for(ctx, run):
    """segkit.explain.separability.Separability of the (edited) run, or None when it cannot be measured."""
    return _explained(ctx, run, "separability", "xpl.spin_separability", segment_separability)[0]


MEASURE_KEY = "sk_measure_separability"  # the analyst asked for the classifier view (kept across pages)


def separability_wanted() -> bool:
    return bool(st.session_state.get(MEASURE_KEY, False))


def separability_if_wanted(ctx, run):
    """The run's separability when the analyst turned the classifier view on, else None:
    a cross-validation on every slider move would slow every session on a shared server."""
    return separability_for(ctx, run) if separability_wanted() else None


def separability_section(ctx, run) -> None:
    """The Segment page's classifier view: per-segment precision, recall and F1, and flags,
    once the analyst turns it on (it re-runs a cross-validation for every new segmentation)."""
    st.subheader(tr("xpl.separability"), help=tr("xpl.separability_help"))
    st.session_state["seg_measure_separability"] = separability_wanted()
    st.toggle(tr("xpl.measure"), key="seg_measure_separability", help=tr("xpl.measure_help"),
              on_change=lambda: st.session_state.update(
                  {MEASURE_KEY: st.session_state["seg_measure_separability"]}))
    if not separability_wanted():
        return
    separability, why_not = _explained(ctx, run, "separability", "xpl.spin_separability", segment_separability)
    if separability is None:
        st.caption(md(why_not) if why_not else tr("xpl.separability_none"))
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

"""The History page's "Over time" tab: the current run's segments per period, a trait per
period, and movers between two periods (segkit.timeline does the work; this only draws).
"""

from __future__ import annotations

import streamlit as st

from dashboard.words import tr
from segkit.errors import SegkitInputError

FREQS = ["auto", "day", "week", "month", "quarter", "year"]


def time_section() -> None:
    from dashboard.context import build_context, edited, edited_labels
    from dashboard.state import ensure_dataset, memo_value
    from dashboard.words import localize_figure
    from segkit.timeline import guess_time_col, parse_times, period_of
    from segkit.timeline.figures import sizes_over_time_figure, trait_over_time_figure
    from segkit.timeline.periods import sentiment_by_period, sizes_by_period, trait_by_period

    st.caption(tr("hist.time_intro"))
    if not st.toggle(tr("hist.tab_time"), key="hist_time_on"):
        return
    dataset = ensure_dataset()
    frame = dataset.frame
    guess = memo_value(f"timecol|{dataset.key}", lambda: guess_time_col(frame))
    options = [None, *map(str, frame.columns)]
    st.session_state.setdefault("hist_time_col", guess)
    c1, c2 = st.columns(2)
    column = c1.selectbox(tr("hist.time_col"), options, key="hist_time_col",
                          format_func=lambda c: tr("hist.time_none") if c is None else c)
    freq = c2.selectbox(tr("hist.freq"), FREQS, key="hist_freq")
    if column is None:
        st.info(tr("hist.no_time") if guess is None else tr("hist.time_none"), icon=":material/info:")
        return
    ctx = build_context(show_errors=True)
    if ctx is None:
        st.info(tr("hist.no_run"))
        return
    try:
        periods, freq = period_of(parse_times(frame[column], column), freq)
    except SegkitInputError as exc:
        st.warning(str(exc))
        return
    labels = edited_labels(ctx)
    names = edited(ctx).summary.names
    sizes = sizes_by_period(periods, ctx.run.table.row_user, labels, names)
    value = st.radio("value", ["share", "users"], horizontal=True, key="hist_time_value", label_visibility="collapsed")
    st.plotly_chart(localize_figure(sizes_over_time_figure(sizes, value)), config={"displayModeBar": False},
                    key="hist_time_sizes")
    numeric = [c for c in ctx.dataset.roles.numeric_cols if c in frame.columns]
    trait = st.selectbox("trait", ["sentiment", *numeric], key="hist_time_trait", label_visibility="collapsed")
    if trait == "sentiment":
        traits = memo_value(f"sentiment_time|{ctx.run_key}|{column}|{freq}|{hash(labels.tobytes())}",
                            lambda: sentiment_by_period(ctx.run.table, periods, labels))
    else:
        traits = trait_by_period(frame[trait], periods, ctx.run.table.row_user, labels, trait)
    if not traits.empty:
        st.plotly_chart(trait_over_time_figure(traits, trait, names), config={"displayModeBar": False},
                        key="hist_time_trait_fig")
    _movers(ctx, column, freq, sorted(periods.dropna().unique()))


def _movers(ctx, column: str, freq: str, periods: list[str]) -> None:
    from dashboard.state import memo_value
    from dashboard.words import localize_figure
    from segkit.model.segment_model import fit_model
    from segkit.plots import sankey_figure
    from segkit.timeline import assign_by_period, drift_report, movers, sizes_of

    if len(periods) < 2:
        return
    st.markdown(f"**{tr('hist.movers_intro')}**")
    c1, c2 = st.columns(2)
    suffix = f"{column}_{freq}"  # other periods: fresh widgets (the latest change by default)
    a = c1.selectbox(tr("hist.period_a"), periods, index=len(periods) - 2, key=f"hist_pa_{suffix}")
    b = c2.selectbox(tr("hist.period_b"), periods, index=len(periods) - 1, key=f"hist_pb_{suffix}")
    if a == b:
        return
    try:
        model = memo_value(f"model|{ctx.run_key}", lambda: fit_model(ctx.run, ctx.dataset.frame))
        assigned, _ = memo_value(f"periods|{ctx.run_key}|{column}|{freq}|{a}|{b}", lambda: assign_by_period(
            model, ctx.dataset.frame, column, freq, periods=[a, b]))
    except SegkitInputError as exc:
        st.warning(str(exc))
        return
    report = drift_report(assigned, sizes_of(assigned, model.names), a, b)
    for line in report.lines() or [tr("hist.no_shift", a=a, b=b)]:
        (st.warning if line == report.new_segment_warning else st.info)(line)
    moves = movers(assigned, a, b, model.names)
    if not moves.n_both:
        st.caption(tr("hist.no_both"))
        return
    st.caption(tr("hist.movers_line", both=f"{moves.n_both:,}", moved=f"{moves.n_moved:,}"))
    st.plotly_chart(localize_figure(sankey_figure(moves.pairs["from_segment_id"], moves.pairs["to_segment_id"],
                                                  model.names, model.names, a, b)),
                    config={"displayModeBar": False}, key="hist_time_sankey")
    st.dataframe(moves.flows.head(15), hide_index=True, width="stretch")

"""The Recommend page's sections: do the segments help recommendations (held-out
interactions, bootstrap intervals), and assigning new users with a fitted model.
The computing is in segkit.recommend and segkit.model."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from dashboard.ui import md
from dashboard.waiting import memo_or_wait
from dashboard.words import lang, tr
from segkit.errors import SegkitInputError
from segkit.export.safe import to_safe_csv
from segkit.io.read import read_table
from segkit.model import SegmentModel, assign_users, fit_model, labeled_new_rows, save_model
from segkit.recommend import (
    InteractionColumns,
    infer_interaction_columns,
    leakage_free_evaluation,
    prepare_interactions,
    recommendation_k_sweep,
    segment_top_items,
    segment_vs_global,
)
from segkit.recommend.words import say
from segkit.threads import limited_threads
from segkit.waits import plans

NONE = "(none)"


def segments_of(run) -> pd.Series:
    labels = run.user_labels()
    users = run.table.users["user_id"].astype(str).to_numpy()
    keep = labels >= 0
    return pd.Series(labels[keep], index=users[keep], name="segment")


@st.cache_data(show_spinner=False, max_entries=4)
def _read(data: bytes, name: str) -> pd.DataFrame:
    return read_table(data, name).frame


@st.cache_data(show_spinner=False, max_entries=4)
def _pairs(data_key: str, columns: tuple, _frame: pd.DataFrame) -> pd.DataFrame:
    return prepare_interactions(_frame, InteractionColumns(*columns)).frame


@st.cache_data(show_spinner=False, max_entries=4)
def _leakage_free(key: str, columns: tuple, k: int, _rows, _config, _interactions, _segments, _names):
    """The cold-start evaluation with segments re-fitted on training-period text (segkit.recommend)."""
    from dashboard.resources import disk_cache

    interactions = prepare_interactions(_interactions, InteractionColumns(*columns))
    item_col, time_col = columns[1], columns[3]
    with limited_threads():
        return leakage_free_evaluation(
            _rows, _config, interactions=interactions, edited_segments=_segments, names=_names, k=k,
            cache=disk_cache(), text_item_col=item_col if item_col in _rows.columns else None,
            text_time_col=time_col if time_col and time_col in _rows.columns else None)


@st.cache_data(show_spinner=False, max_entries=2)
def _k_sweep(key: str, columns: tuple, k: int, _rows, _config, _interactions):
    from dashboard.resources import disk_cache

    interactions = prepare_interactions(_interactions, InteractionColumns(*columns))
    with limited_threads():
        return recommendation_k_sweep(_rows, _config, interactions=interactions, k=k, cache=disk_cache())


@st.cache_resource(show_spinner=False, max_entries=2)
def _model(run_key: str, _run, _frame):
    return fit_model(_run, _frame)


def _model_file(model):
    """The model as .npz bytes, made when called (a deferred download)."""
    def build() -> bytes:
        with tempfile.TemporaryDirectory() as tmp:  # a copy: save_model records the arrays' hash in meta
            return save_model(SegmentModel(dict(model.meta), model.arrays), Path(tmp) / "segkit_model.npz").read_bytes()

    return build


def _interaction_columns(inter_frame: pd.DataFrame, guess) -> tuple[tuple, int]:
    cols = [str(c) for c in inter_frame.columns]
    c1, c2, c3, c4, c5 = st.columns(5)
    none_text = {NONE: tr("common.none_label")}
    user_col = c1.selectbox(tr("rec.user_id"), cols, index=cols.index(guess.user_col))
    item_col = c2.selectbox(tr("rec.item_id"), cols, index=cols.index(guess.item_col))
    optional = [NONE] + cols
    rating_col = c3.selectbox(tr("rec.rating"), optional, index=optional.index(guess.rating_col or NONE),
                              format_func=lambda c: none_text.get(c, c))
    time_col = c4.selectbox(tr("rec.time"), optional, index=optional.index(guess.time_col or NONE),
                            format_func=lambda c: none_text.get(c, c))
    k = c5.slider(tr("rec.k"), 1, 50, 10)
    return (user_col, item_col, None if rating_col == NONE else rating_col,
            None if time_col == NONE else time_col), k


def _cold_start_view(result) -> None:
    """Leakage-free or optimistic, said first; the verdicts; one tab per group; per segment."""
    if result.leakage_free:
        st.success(say("label.leakage_free", lang()), icon=":material/verified:")
        st.caption(md(result.caveat(lang())))
    else:
        st.warning(f"**{say('label.optimistic', lang())}** · {md(result.caveat(lang()))}", icon=":material/warning:")
    for line in result.verdict_lines(lang()):
        st.markdown(f"- {md(line)}")
    tabs = st.tabs([say(f"group.{g}", lang()) for g in ("new", "thin", "warm")])
    for tab, group in zip(tabs, ("new", "thin", "warm"), strict=True):
        with tab:
            st.dataframe(result.group_table(group, lang()), hide_index=True, width="stretch")
    breakdown = result.segment_breakdown("new")
    if len(breakdown):
        st.markdown(tr("rec.per_segment"), help=tr("rec.per_segment_help"))
        st.bar_chart(breakdown.set_index("segment_name")["difference"], horizontal=True)


def _top_items(pairs: pd.DataFrame, segments: pd.Series, names: dict) -> None:
    st.subheader(tr("rec.picks"))
    s1, s2, s3 = st.columns([2, 1, 1])
    seg_ids = sorted(segments.unique().tolist())
    chosen = s1.selectbox(tr("rec.segment"), seg_ids,
                          format_func=lambda s: f"{s} · {names.get(int(s), tr('common.segment_n', n=s))}")
    order = s2.radio(tr("rec.rank_by"), ["count", "lift"], horizontal=True, help=tr("rec.rank_help"))
    n_top = s3.slider(tr("rec.items"), 5, 30, 10)
    try:
        wide = segment_vs_global(pairs, segments, int(chosen), n=n_top, order=order)
        st.dataframe(wide, hide_index=True, width="stretch")
        long = segment_top_items(pairs, segments, n=n_top, order=order, names=names)
        st.download_button(tr("rec.dl_top"), to_safe_csv(long), file_name="segment_top_items.csv", mime="text/csv")
    except SegkitInputError as exc:
        st.warning(md(exc))


def evaluation_section(ctx, run, segments: pd.Series, names: dict) -> None:
    """Upload interactions: new, thin and warm users scored with segments built from
    training-period text only (leakage-free by default), then each segment's top items."""
    st.subheader(tr("rec.evaluation"))
    upload = st.file_uploader(tr("rec.interactions"), key="rec_interactions")
    if upload is None:
        st.info(tr("rec.interactions_info"), icon=":material/upload_file:")
        return
    try:
        inter_frame = _read(upload.getvalue(), upload.name)
        guess = infer_interaction_columns(inter_frame)
    except SegkitInputError as exc:
        st.error(md(exc), icon=":material/error:")
        return
    columns, k = _interaction_columns(inter_frame, guess)
    rows = ctx.dataset.frame
    key = f"{ctx.run_key}|{run.edits!r}|{upload.file_id}"
    users = inter_frame[columns[0]]
    try:
        result = memo_or_wait(f"rec_eval|{key}|{columns}|{k}", tr("rec.spin_eval"),
                              lambda: plans.recommend_wait(rows, run.config, users),
                              lambda: _leakage_free(key, columns, k, rows, run.config, inter_frame, segments, names))
        pairs = _pairs(upload.file_id, columns, inter_frame)
    except SegkitInputError as exc:
        st.error(md(exc), icon=":material/error:")
        return
    _cold_start_view(result)
    if st.toggle(tr("rec.k_sweep"), key="rec_k_sweep", help=tr("rec.k_sweep_help")):
        sweep = memo_or_wait(f"rec_sweep|{key}|{columns}|{k}", tr("rec.spin_k_sweep"),
                             lambda: plans.recommend_sweep_wait(rows, run.config, users),
                             lambda: _k_sweep(key, columns, k, rows, run.config, inter_frame))
        st.dataframe(sweep, hide_index=True, width="stretch")
    _top_items(pairs, segments, names)


def assign_section(ctx, run, frame: pd.DataFrame) -> None:
    """A model of the current segments, to download or to assign an uploaded file of new users."""
    st.subheader(tr("rec.assign"))
    st.caption(tr("rec.assign_caption"))
    new_upload = st.file_uploader(tr("rec.new_users"), key="rec_new_users")
    model = None
    try:
        with st.spinner(tr("rec.spin_model")):
            model = _model(f"{ctx.run_key}|{run.edits!r}", run, frame)  # edits change the model
    except SegkitInputError as exc:
        st.warning(tr("rec.no_model", error=md(exc)))
    if model is not None:
        # Written when clicked, not on every run of the page: compressing a TF-IDF model's
        # arrays took ~2 s (py-spy: most of this page's time on the Amazon reviews).
        st.download_button(tr("rec.dl_model"), _model_file(model), file_name="segkit_model.npz",
                           help=tr("rec.dl_model_help"))
    if new_upload is not None and model is not None:
        try:
            new_frame = _read(new_upload.getvalue(), new_upload.name)
            per_user, table = assign_users(model, new_frame)
        except SegkitInputError as exc:
            st.error(md(exc), icon=":material/error:")
        else:
            counts = per_user["assign_status"].value_counts()
            st.markdown(tr("rec.new_count", n=f"{len(per_user):,}") + "; ".join(f"{n:,} {md(s)}" for s, n in counts.items()))
            st.dataframe(per_user, hide_index=True, width="stretch")
            labeled = labeled_new_rows(new_frame, table, per_user)
            st.download_button(tr("rec.dl_new"), to_safe_csv(labeled),
                               file_name="new_users_labeled.csv", mime="text/csv")
            sizes = per_user["segment_name"].replace("", np.nan).dropna().value_counts()
            if len(sizes):
                st.bar_chart(sizes)

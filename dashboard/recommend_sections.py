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
from dashboard.words import tr
from segkit.errors import SegkitInputError
from segkit.export.safe import to_safe_csv
from segkit.io.read import read_table
from segkit.model import assign_users, fit_model, labeled_new_rows, save_model
from segkit.recommend import (
    InteractionColumns,
    evaluate_recommendations,
    infer_interaction_columns,
    prepare_interactions,
    segment_top_items,
    segment_vs_global,
)
from segkit.recommend.evaluate import METHODS

NONE = "(none)"


def segments_of(run) -> pd.Series:
    labels = run.user_labels()
    users = run.table.users["user_id"].astype(str).to_numpy()
    keep = labels >= 0
    return pd.Series(labels[keep], index=users[keep], name="segment")


@st.cache_data(show_spinner=False, max_entries=4)
def _read(data: bytes, name: str) -> pd.DataFrame:
    return read_table(data, name).frame


@st.cache_data(show_spinner=False, max_entries=8)
def _evaluate(frame: pd.DataFrame, columns: tuple, segmentations: dict, k: int, n_test: int, knn: bool, seed: int):
    interactions = prepare_interactions(frame, InteractionColumns(*columns))
    methods = ("segment_popularity", "segment_item_knn") if knn else ("segment_popularity",)
    report = evaluate_recommendations(interactions, segmentations, k=k, n_test=n_test, seed=seed,
                                      methods=methods, include_item_knn=knn)
    return report.table, list(report.notes), interactions.frame


@st.cache_data(show_spinner=False, max_entries=8)
def _other_k(run_key: str, k: int, _run) -> pd.Series:
    from segkit.pipeline import segment_embedded

    config = _run.config.with_changes(algorithm="kmeans", algorithm_params={"k": int(k)})
    other = segment_embedded(_run.table, _run.embeddings, config, with_map=False)
    return segments_of(other)


@st.cache_resource(show_spinner=False, max_entries=2)
def _model(run_key: str, _run, _frame):
    return fit_model(_run, _frame)


def evaluation_section(ctx, run, segments: pd.Series, names: dict) -> None:
    """Upload interactions, map their columns, and compare segment-aware ranking with global popularity."""
    st.subheader(tr("rec.evaluation"))
    upload = st.file_uploader(tr("rec.interactions"), key="rec_interactions")
    if upload is None:
        st.info(tr("rec.interactions_info"), icon=":material/upload_file:")
    else:
        try:
            inter_frame = _read(upload.getvalue(), upload.name)
            guess = infer_interaction_columns(inter_frame)
        except SegkitInputError as exc:
            st.error(md(exc), icon=":material/error:")
            inter_frame, guess = None, None
        if inter_frame is not None:
            cols = [str(c) for c in inter_frame.columns]
            c1, c2, c3, c4 = st.columns(4)
            none_text = {NONE: tr("common.none_label")}
            user_col = c1.selectbox(tr("rec.user_id"), cols, index=cols.index(guess.user_col))
            item_col = c2.selectbox(tr("rec.item_id"), cols, index=cols.index(guess.item_col))
            optional = [NONE] + cols
            rating_col = c3.selectbox(tr("rec.rating"), optional, index=optional.index(guess.rating_col or NONE),
                                      format_func=lambda c: none_text.get(c, c))
            time_col = c4.selectbox(tr("rec.time"), optional, index=optional.index(guess.time_col or NONE),
                                    format_func=lambda c: none_text.get(c, c))
            c5, c6, c7, c8 = st.columns(4)
            k = c5.slider(tr("rec.k"), 1, 50, 10)
            n_test = c6.number_input(tr("rec.n_test"), 1, 10, 1)
            knn = c7.toggle(tr("rec.knn"), value=False)
            other_ks = c8.multiselect(tr("rec.other_ks"), [k_ for k_ in range(2, 21)
                                                                         if k_ != run.result.n_clusters], default=[])
            columns = (user_col, item_col, None if rating_col == NONE else rating_col, None if time_col == NONE else time_col)
            try:
                segmentations = {"current": segments}
                for other in other_ks:
                    with st.spinner(tr("rec.spin_other_k")):
                        segmentations[f"K-means K={other}"] = _other_k(ctx.run_key, other, run)
                with st.spinner(tr("rec.spin_eval")):
                    table, notes, pairs = _evaluate(inter_frame, columns, segmentations, k, int(n_test), knn, 0)
            except SegkitInputError as exc:
                st.error(md(exc), icon=":material/error:")
                table = None
            if table is not None:
                hr, nd = f"hit_rate@{k}", f"ndcg@{k}"
                current = table[(table["segmentation"] == "current") & (table["method"] == METHODS["segment_popularity"])].iloc[0]
                base = table.iloc[0]
                verdict = current["verdict"]
                text = {"better": tr("rec.beat"), "worse": tr("rec.worse"), "no clear difference": tr("rec.same")}
                st.markdown(tr(
                    "rec.verdict", verdict=text.get(verdict, verdict), k=k, ndcg=f"{current[nd]:.4f}",
                    base_ndcg=f"{base[nd]:.4f}", gain=f"{current['ndcg_gain']:+.4f}", low=f"{current['ndcg_ci_low']:+.4f}",
                    high=f"{current['ndcg_ci_high']:+.4f}", hr=f"{current[hr]:.3f}", base_hr=f"{base[hr]:.3f}"))
                shown = table[["segmentation", "method", "n_segments", hr, nd, "coverage", "ndcg_gain", "ndcg_ci_low",
                               "ndcg_ci_high", "verdict"]]
                st.dataframe(shown, hide_index=True, width="stretch", column_config={
                    hr: st.column_config.NumberColumn(format="%.4f"), nd: st.column_config.NumberColumn(format="%.4f"),
                    "coverage": st.column_config.NumberColumn(format="%.3f"),
                    "ndcg_gain": st.column_config.NumberColumn(tr("rec.gain"), format="%+.4f"),
                    "ndcg_ci_low": st.column_config.NumberColumn(tr("rec.low"), format="%+.4f"),
                    "ndcg_ci_high": st.column_config.NumberColumn(tr("rec.high"), format="%+.4f"),
                })
                st.caption(tr("rec.table_caption") + " ".join(f"{md(n)}." for n in notes))

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
                    st.download_button(tr("rec.dl_top"), to_safe_csv(long),
                                       file_name="segment_top_items.csv", mime="text/csv")
                except SegkitInputError as exc:
                    st.warning(md(exc))


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
        with tempfile.TemporaryDirectory() as tmp:
            path = save_model(model, Path(tmp) / "segkit_model.npz")
            model_bytes = path.read_bytes()
        st.download_button(tr("rec.dl_model"), model_bytes, file_name="segkit_model.npz", help=tr("rec.dl_model_help"))
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

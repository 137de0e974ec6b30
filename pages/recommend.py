"""Recommend: do the segments help recommendations? And: assign new users to the segments.

Uses the dashboard's current segmentation (pages/_shared/common.build_context); when the
page runs on its own (no dashboard helpers), it segments an uploaded review file itself.
All computing is in segkit.recommend and segkit.model.
"""

from __future__ import annotations

from pages._shared.common import route_through_app

route_through_app()  # a deep link opened before app.py ever ran

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

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

st.title("Recommend")
st.caption(
    "Upload what users bought, rated or clicked, and see whether recommending the most popular items "
    "*of the user's segment* beats recommending what is popular overall, measured on each user's "
    "held-out last interaction. Below: what each segment picks compared with everyone, and new users "
    "assigned to the segments."
)


# ----------------------------------------------------------------------------- current segmentation

def _current_run():
    """(run, frame, dataset name) from the dashboard, or from an upload when standalone."""
    try:
        from pages._shared.common import build_context, ensure_dataset
    except ImportError:
        build_context = None
    if build_context is not None:
        dataset = ensure_dataset()
        ctx = build_context()
        if ctx is None:
            st.stop()
        return ctx.run, dataset.frame, dataset.name, ctx
    upload = st.file_uploader("Reviews to segment (CSV, Excel, Parquet, JSON Lines)", key="rec_reviews")
    if upload is None:
        st.info("Upload a review file to segment first.")
        st.stop()
    return _standalone_run(upload.getvalue(), upload.name), read_table(upload.getvalue(), upload.name).frame, \
        upload.name, None


@st.cache_resource(show_spinner="Segmenting (TF-IDF, automatic K)…", max_entries=2)
def _standalone_run(data: bytes, name: str):
    from segkit.config import RunConfig
    from segkit.io.roles import infer_roles
    from segkit.pipeline import run_segmentation

    frame = read_table(data, name).frame
    return run_segmentation(frame, RunConfig(roles=infer_roles(frame)), with_map=False)


def _segments_of(run) -> pd.Series:
    labels = run.user_labels()
    users = run.table.users["user_id"].astype(str).to_numpy()
    keep = labels >= 0
    return pd.Series(labels[keep], index=users[keep], name="segment")


try:
    run, frame, dataset_name, ctx = _current_run()
except SegkitInputError as exc:
    st.error(str(exc), icon=":material/error:")
    st.stop()
names = {int(k): v for k, v in run.summary.names.items()}
segments = _segments_of(run)
st.markdown(f"Current segmentation of **{dataset_name}**: {run.result.n_clusters} segments "
            f"({run.config.algorithm}, {run.config.embedder}), {len(segments):,} users with a segment.")


# ----------------------------------------------------------------------------- interactions

@st.cache_data(show_spinner=False, max_entries=4)
def _read(data: bytes, name: str) -> pd.DataFrame:
    return read_table(data, name).frame


@st.cache_data(show_spinner="Evaluating on held-out interactions…", max_entries=8)
def _evaluate(frame: pd.DataFrame, columns: tuple, segmentations: dict, k: int, n_test: int, knn: bool, seed: int):
    interactions = prepare_interactions(frame, InteractionColumns(*columns))
    methods = ("segment_popularity", "segment_item_knn") if knn else ("segment_popularity",)
    report = evaluate_recommendations(interactions, segmentations, k=k, n_test=n_test, seed=seed,
                                      methods=methods, include_item_knn=knn)
    return report.table, list(report.notes), interactions.frame


@st.cache_data(show_spinner="Segmenting again with another K…", max_entries=8)
def _other_k(run_key: str, k: int, _run) -> pd.Series:
    from segkit.pipeline import segment_embedded

    config = _run.config.with_changes(algorithm="kmeans", algorithm_params={"k": int(k)})
    other = segment_embedded(_run.table, _run.embeddings, config, with_map=False)
    return _segments_of(other)


st.subheader("Recommendation evaluation")
upload = st.file_uploader("Interactions: user id, item id, optional rating and time "
                          "(CSV/TSV, Excel, Parquet, JSON Lines)", key="rec_interactions")
if upload is None:
    st.info("Upload interactions to evaluate. The user ids must be the ones of the segmented file.",
            icon=":material/upload_file:")
else:
    try:
        inter_frame = _read(upload.getvalue(), upload.name)
        guess = infer_interaction_columns(inter_frame)
    except SegkitInputError as exc:
        st.error(str(exc), icon=":material/error:")
        inter_frame, guess = None, None
    if inter_frame is not None:
        cols = [str(c) for c in inter_frame.columns]
        c1, c2, c3, c4 = st.columns(4)
        user_col = c1.selectbox("User id", cols, index=cols.index(guess.user_col))
        item_col = c2.selectbox("Item id", cols, index=cols.index(guess.item_col))
        optional = [NONE] + cols
        rating_col = c3.selectbox("Rating", optional, index=optional.index(guess.rating_col or NONE))
        time_col = c4.selectbox("Time (held-out = last item)", optional, index=optional.index(guess.time_col or NONE))
        c5, c6, c7, c8 = st.columns(4)
        k = c5.slider("List length k", 1, 50, 10)
        n_test = c6.number_input("Held-out items per user", 1, 10, 1)
        knn = c7.toggle("Also item-kNN variants", value=False)
        other_ks = c8.multiselect("Compare with K-means at K =", [k_ for k_ in range(2, 21)
                                                                     if k_ != run.result.n_clusters], default=[])
        columns = (user_col, item_col, None if rating_col == NONE else rating_col, None if time_col == NONE else time_col)
        try:
            segmentations = {"current": segments}
            for other in other_ks:
                segmentations[f"K-means K={other}"] = _other_k(getattr(ctx, "run_key", dataset_name), other, run)
            table, notes, pairs = _evaluate(inter_frame, columns, segmentations, k, int(n_test), knn, 0)
        except SegkitInputError as exc:
            st.error(str(exc), icon=":material/error:")
            table = None
        if table is not None:
            hr, nd = f"hit_rate@{k}", f"ndcg@{k}"
            current = table[(table["segmentation"] == "current") & (table["method"] == METHODS["segment_popularity"])].iloc[0]
            base = table.iloc[0]
            verdict = current["verdict"]
            text = {"better": "beat", "worse": "did worse than", "no clear difference": "was not clearly different from"}
            st.markdown(
                f"Segment popularity with the current segments **{text.get(verdict, verdict)}** global popularity: "
                f"NDCG@{k} {current[nd]:.4f} vs {base[nd]:.4f} (difference {current['ndcg_gain']:+.4f}, 95% interval "
                f"{current['ndcg_ci_low']:+.4f} to {current['ndcg_ci_high']:+.4f}); hit rate@{k} "
                f"{current[hr]:.3f} vs {base[hr]:.3f}."
            )
            shown = table[["segmentation", "method", "n_segments", hr, nd, "coverage", "ndcg_gain", "ndcg_ci_low",
                           "ndcg_ci_high", "verdict"]]
            st.dataframe(shown, hide_index=True, width="stretch", column_config={
                hr: st.column_config.NumberColumn(format="%.4f"), nd: st.column_config.NumberColumn(format="%.4f"),
                "coverage": st.column_config.NumberColumn(format="%.3f"),
                "ndcg_gain": st.column_config.NumberColumn("NDCG gain", format="%+.4f"),
                "ndcg_ci_low": st.column_config.NumberColumn("95% low", format="%+.4f"),
                "ndcg_ci_high": st.column_config.NumberColumn("95% high", format="%+.4f"),
            })
            st.caption("Gain = difference to global popularity per user, with a paired bootstrap 95% interval; "
                       "'better' only when the whole interval is above 0. The '(shuffled)' row gives the same "
                       "segment sizes to random users: segments that carry no taste score like that. "
                       + " ".join(f"{n}." for n in notes))

            st.subheader("What each segment picks, next to everyone")
            s1, s2, s3 = st.columns([2, 1, 1])
            seg_ids = sorted(segments.unique().tolist())
            chosen = s1.selectbox("Segment", seg_ids, format_func=lambda s: f"{s} · {names.get(int(s), f'Segment {s}')}")
            order = s2.radio("Rank by", ["count", "lift"], horizontal=True,
                             help="count: what the segment picks most; lift: what it picks far more than average")
            n_top = s3.slider("Items", 5, 30, 10)
            try:
                wide = segment_vs_global(pairs, segments, int(chosen), n=n_top, order=order)
                st.dataframe(wide, hide_index=True, width="stretch")
                long = segment_top_items(pairs, segments, n=n_top, order=order, names=names)
                st.download_button("Download top items of every segment (CSV)", to_safe_csv(long),
                                   file_name="segment_top_items.csv", mime="text/csv")
            except SegkitInputError as exc:
                st.warning(str(exc))


# ----------------------------------------------------------------------------- assigning new users

st.subheader("Assign new users to these segments")
st.caption("Upload new users with the same columns as the segmented file (text, and the traits used). "
           "Each user gets the nearest segment with a confidence; users far from every segment are flagged "
           "as outliers (density methods leave them unassigned).")


@st.cache_resource(show_spinner="Preparing the segmentation model…", max_entries=2)
def _model(run_key: str, _run, _frame):
    return fit_model(_run, _frame)


new_upload = st.file_uploader("New users", key="rec_new_users")
model = None
try:
    model = _model(getattr(ctx, "run_key", dataset_name), run, frame)
except SegkitInputError as exc:
    st.warning(f"This segmentation cannot be saved as a model: {exc}")
if model is not None:
    with tempfile.TemporaryDirectory() as tmp:
        path = save_model(model, Path(tmp) / "segkit_model.npz")
        model_bytes = path.read_bytes()
    st.download_button("Download the model (.npz, for `segkit assign`)", model_bytes, file_name="segkit_model.npz",
                       help="A safe file (JSON settings + arrays, no pickle): "
                            "`segkit assign segkit_model.npz new_users.csv --out labeled.csv`")
if new_upload is not None and model is not None:
    try:
        new_frame = _read(new_upload.getvalue(), new_upload.name)
        per_user, table = assign_users(model, new_frame)
    except SegkitInputError as exc:
        st.error(str(exc), icon=":material/error:")
    else:
        counts = per_user["assign_status"].value_counts()
        st.markdown(f"{len(per_user):,} new users: " + "; ".join(f"{n:,} {s}" for s, n in counts.items()))
        st.dataframe(per_user, hide_index=True, width="stretch")
        labeled = labeled_new_rows(new_frame, table, per_user)
        st.download_button("Download the new rows with their segment (CSV)", to_safe_csv(labeled),
                           file_name="new_users_labeled.csv", mime="text/csv")
        sizes = per_user["segment_name"].replace("", np.nan).dropna().value_counts()
        if len(sizes):
            st.bar_chart(sizes)

"""Saved segmentation models: safe files, faithful re-assignment, new users, outliers, CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from segkit.config import RunConfig
from segkit.embed.tfidf import TfidfSvdEmbedder
from segkit.errors import SegkitInputError
from segkit.io.roles import ColumnRoles
from segkit.model import assign_users, fit_model, labeled_new_rows, load_model, save_model
from segkit.pipeline import run_segmentation
from tests.conftest import TOPICS, make_reviews

ROLES = ColumnRoles(text_cols=("review",), user_col="user_id", numeric_cols=("age", "spend"),
                    categorical_cols=("tier",), label_col="true_segment")


def _run(frame, algorithm="kmeans", params=None, reducer="auto", **changes):
    # A small SVD keeps the test fast; the TF-IDF code path is the same as with the default 128.
    config = RunConfig(roles=ROLES, algorithm=algorithm, algorithm_params=params or {"k": 3}, reducer=reducer,
                       embedder_params={"n_components": 16}, **changes)
    return run_segmentation(frame, config, with_map=False)


def _agreement(run, per_user) -> float:
    return float(np.mean(per_user["segment_id"].to_numpy(dtype=float) == run.user_labels()))


@pytest.fixture(scope="module")
def frame():
    return make_reviews(n_users=150, seed=1)


@pytest.fixture(scope="module")
def kmeans_run(frame):
    return _run(frame)


def test_tfidf_state_embeds_like_the_embedder(frame):
    texts = frame["review"].tolist()
    state, vectors = TfidfSvdEmbedder(n_components=32).fit(texts)
    expected = TfidfSvdEmbedder(n_components=32).embed(texts)
    assert np.allclose(vectors, expected, atol=1e-5)
    assert np.allclose(state.transform(texts), expected, atol=1e-4)
    # A new text is placed from the stored vocabulary: close to training texts of its topic.
    new = state.transform(["I bought this and bluetooth laptop charger usb firmware overall good"])
    sims = expected @ new[0]
    best = frame["true_segment"].iloc[int(np.argmax(sims))]
    assert best == "tech"


def test_kmeans_model_reassigns_its_training_users(frame, kmeans_run, tmp_path):
    run = kmeans_run
    model = fit_model(run, frame)
    assert model.meta["embedder_check_max_abs_diff"] < 1e-4
    path = save_model(model, tmp_path / "model")
    # Plain JSON and arrays that load without pickle.
    meta = json.loads((path / "model.json").read_text(encoding="utf-8"))
    assert meta["algorithm"] == "kmeans" and meta["format"] == "segkit-model/2"
    with np.load(path / "arrays.npz", allow_pickle=False) as data:
        assert "centroids" in data.files and "tfidf_vocabulary" in data.files
    per_user, _ = assign_users(load_model(path), frame)
    assert _agreement(run, per_user) >= 0.99
    assert per_user["segment_confidence"].between(0, 1).all()
    assert set(per_user["segment_name"]) <= set(run.summary.names.values())


def test_duplicate_texts_are_embedded_as_the_pipeline_does():
    # The pipeline fits TF-IDF on the distinct texts only; the model must fit on the same corpus.
    small = make_reviews(n_users=40, seed=2)
    copies = small.assign(user_id=small["user_id"] + "_twin")
    frame = pd.concat([small, copies, small.head(20).assign(user_id="U999")], ignore_index=True)
    run = _run(frame)
    model = fit_model(run, frame)
    assert model.meta["embedder_check_max_abs_diff"] < 1e-5
    assert "warnings" not in model.meta
    per_user, _ = assign_users(model, frame)
    assert _agreement(run, per_user) >= 0.99


@pytest.mark.parametrize("algorithm,params,reducer", [
    ("gmm", {"k": 3}, "pca"),
    ("agglomerative", {"k": 3}, "none"),
    ("minibatch_kmeans", {"k": 3}, "pca"),
    ("hdbscan", {"min_cluster_size": 10}, "pca"),
    ("dbscan", {"eps": 1.0, "min_samples": 5}, "none"),
])
def test_other_algorithms_reassign_their_training_users(frame, tmp_path, algorithm, params, reducer):
    run = _run(frame, algorithm, params, reducer)
    model = load_model(save_model(fit_model(run, frame), tmp_path / "m.npz"))  # the one-file format
    per_user, _ = assign_users(model, frame)
    assert _agreement(run, per_user) >= 0.95


def test_new_users_land_in_their_topics_segment(frame):
    run = _run(frame, text_weight=1.0)
    model = fit_model(run, frame)
    truth = run.table.users["true_segment"].to_numpy()
    labels = run.user_labels()
    segment_of_topic = {t: int(pd.Series(labels[truth == t]).mode()[0]) for t in TOPICS}
    rows = []
    for i, words in enumerate(TOPICS.values()):
        rows.append({"user_id": f"NEW{i}", "review": f"I bought this and {words} overall good",
                     "age": 33, "spend": 500.0, "tier": "platinum"})  # a tier never seen in training
    per_user, _ = assign_users(model, pd.DataFrame(rows))
    for i, topic in enumerate(TOPICS):
        assert per_user.loc[i, "segment_id"] == segment_of_topic[topic]
        assert per_user.loc[i, "assign_status"] in ("ok", "assigned, but far from the segment's members (outlier)")


def test_outliers_are_answered(frame):
    far = pd.DataFrame([{"user_id": "FAR", "review": "I bought this and running laptop serum overall good",
                         "age": 95, "spend": 90_000.0, "tier": "gold"},
                        {"user_id": "EMPTY", "review": "", "age": 30, "spend": 10.0, "tier": "gold"}])
    density = fit_model(_run(frame, "hdbscan", {"min_cluster_size": 10}, "none", text_weight=0.5), frame)
    per_user, _ = assign_users(density, far)
    assert per_user.loc[0, "segment_id"] == -1 and bool(per_user.loc[0, "outlier"])
    assert per_user.loc[0, "segment_name"] == "Unassigned"
    assert pd.isna(per_user.loc[1, "segment_id"]) and "no usable text" in per_user.loc[1, "assign_status"]
    kmeans = fit_model(_run(frame, text_weight=0.5), frame)
    per_user, _ = assign_users(kmeans, far)
    assert per_user.loc[0, "segment_id"] >= 0 and bool(per_user.loc[0, "outlier"])  # assigned, flagged


def test_reassign_policy_gives_every_outlier_a_segment(frame):
    run = _run(frame, "hdbscan", {"min_cluster_size": 10}, "none", text_weight=0.5, noise_policy="reassign")
    far = pd.DataFrame([{"user_id": "FAR", "review": "I bought this and running laptop serum overall good",
                         "age": 95, "spend": 90_000.0, "tier": "gold"}])
    per_user, _ = assign_users(fit_model(run, frame), far)
    assert per_user.loc[0, "segment_id"] >= 0 and per_user.loc[0, "segment_confidence"] == 0


def test_model_files_are_checked(tmp_path, frame, kmeans_run):
    with pytest.raises(SegkitInputError, match="Model not found"):
        load_model(tmp_path / "missing")
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    with pytest.raises(SegkitInputError, match="not a segkit model"):
        load_model(tmp_path / "other.npz")
    np.save(tmp_path / "pickled.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    (tmp_path / "pickled.npz").write_bytes((tmp_path / "pickled.npy").read_bytes())
    with pytest.raises(SegkitInputError):
        load_model(tmp_path / "pickled.npz")
    model = fit_model(kmeans_run, frame)
    with pytest.raises(SegkitInputError, match="no 'user_id' column"):
        assign_users(model, frame.drop(columns=["user_id"]))
    with pytest.raises(SegkitInputError, match="numeric column 'age' is not in the file"):
        assign_users(model, frame.drop(columns=["age"]))


def test_labeled_rows_for_new_users(frame, kmeans_run):
    model = fit_model(kmeans_run, frame)
    new = frame.head(7).copy()
    new.loc[3, "user_id"] = None
    per_user, table = assign_users(model, new)
    labeled = labeled_new_rows(new, table, per_user)
    assert len(labeled) == 7
    assert labeled.loc[3, "assign_status"] == "not assigned: missing user id" and pd.isna(labeled.loc[3, "segment_id"])
    assert labeled.loc[0, "segment_id"] == per_user.set_index("user_id").loc[new.loc[0, "user_id"], "segment_id"]


def test_cli_save_model_then_assign(tmp_path, capsys, frame):
    from segkit.cli import main

    data = tmp_path / "reviews.csv"
    frame.to_csv(data, index=False)
    model_dir = tmp_path / "model"
    code = main(["segment", str(data), "--text-col", "review", "--user-col", "user_id", "--numeric-cols", "age,spend",
                 "--categorical-cols", "tier", "--embedder", "tfidf", "--k", "3", "--reducer", "none", "--no-map", "--quiet", "--no-cache",
                 "--out", str(tmp_path / "labeled.csv"), "--save-model", str(model_dir)])
    assert code == 0, capsys.readouterr().err
    assert "wrote model to" in capsys.readouterr().out
    code = main(["assign", str(model_dir), str(data), "--out", str(tmp_path / "assigned.csv")])
    out = capsys.readouterr().out
    assert code == 0 and "users: 150" in out
    trained = pd.read_csv(tmp_path / "labeled.csv")
    assigned = pd.read_csv(tmp_path / "assigned.csv")
    assert (trained["segment_id"] == assigned["segment_id"]).mean() >= 0.99
    code = main(["assign", str(tmp_path / "nope"), str(data)])
    assert code == 2 and "Model not found" in capsys.readouterr().err


@pytest.mark.slow
def test_umap_model_assigns_in_the_fused_space(frame):
    run = _run(frame, "hdbscan", {"min_cluster_size": 10}, "umap")
    model = fit_model(run, frame)
    assert model.meta["assign_space"] == "fused"
    per_user, _ = assign_users(model, frame)
    assert _agreement(run, per_user) >= 0.9


def test_a_model_of_another_k_reuses_the_embedder_and_reducer_and_assigns_the_same(frame, monkeypatch):
    """`fit_model(..., like=)` (the recommendation K sweep) takes the TF-IDF and PCA state of a
    model of the same space instead of refitting them: every array equals a fresh fit's."""
    from dataclasses import replace

    from segkit.model.segment_model import fuse_new_users
    from segkit.pipeline import cluster_space

    run3 = _run(frame, reducer="pca", reducer_params={"n_components": 8})
    first = fit_model(run3, frame)
    k5 = run3.config.with_changes(algorithm_params={"k": 5})
    run5 = replace(run3, config=k5, result=cluster_space(run3.space, k5)[0])
    fresh = fit_model(run5, frame)

    def no_refit(*args, **kwargs):
        raise AssertionError("refitted")

    monkeypatch.setattr(TfidfSvdEmbedder, "fit_sampled", no_refit)
    monkeypatch.setattr("segkit.model.segment_model._fit_linear_map", no_refit)
    reused = fit_model(run5, frame, like=first)
    monkeypatch.undo()
    assert any(k.startswith("tfidf_") for k in reused.arrays) and "pca_components" in reused.arrays
    assert reused.arrays.keys() == fresh.arrays.keys() and reused.meta == fresh.meta
    for key, value in fresh.arrays.items():
        assert np.array_equal(reused.arrays[key], value), key
    assert fresh.meta["n_segments"] == 5 and first.meta["n_segments"] == 3

    new_rows = make_reviews(n_users=20, seed=7)
    placed = fuse_new_users(first, new_rows)  # placed once, with the K = 3 model
    own, _ = assign_users(fresh, new_rows)
    given, _ = assign_users(reused, new_rows, placed=placed)
    pd.testing.assert_frame_equal(given, own)

    other = _run(frame.iloc[: len(frame) // 2])
    with pytest.raises(ValueError, match="another space"):
        fit_model(run5, frame, like=fit_model(other, frame))


def test_a_model_without_its_classifier_assigns_the_same_and_says_why_it_has_none(frame):
    """The recommendation refits fit models without the logistic regression they never use."""
    run = _run(frame)
    full, lean = fit_model(run, frame), fit_model(run, frame, classifier=False)
    assert "classifier_coef" in full.arrays and "classifier_coef" not in lean.arrays
    assert lean.meta["classifier"]["model"] is None and "not fitted" in lean.meta["classifier"]["reason"]
    pd.testing.assert_frame_equal(assign_users(lean, frame)[0], assign_users(full, frame)[0])
    with pytest.raises(SegkitInputError, match="no classifier .*not fitted"):
        assign_users(lean, frame, method="classifier")

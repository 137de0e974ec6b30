"""Saved models assign by nearest centre or by their classifier; both report the nearest other segment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segkit.cluster.base import distance_confidence
from segkit.config import RunConfig
from segkit.errors import SegkitInputError
from segkit.io.roles import ColumnRoles
from segkit.model import assign_users, fit_model, labeled_new_rows, load_model, save_model
from segkit.model.assign_methods import nearest_other
from segkit.pipeline import run_segmentation
from tests.conftest import make_reviews

ROLES = ColumnRoles(text_cols=("review",), user_col="user_id", numeric_cols=("age", "spend"),
                    categorical_cols=("tier",), label_col="true_segment")


def _run(frame, algorithm="kmeans", params=None):
    config = RunConfig(roles=ROLES, algorithm=algorithm, algorithm_params=params or {"k": 3},
                       embedder="tfidf", embedder_params={"n_components": 16})
    return run_segmentation(frame, config, with_map=False)


@pytest.fixture(scope="module")
def frame():
    return make_reviews(n_users=150, seed=1)


@pytest.fixture(scope="module")
def run(frame):
    return _run(frame)


@pytest.fixture(scope="module")
def model(run, frame):
    return fit_model(run, frame)


def _purity(segments: pd.Series, truth: pd.Series) -> float:
    """Share of users whose segment's majority topic is their own topic."""
    frame = pd.DataFrame({"s": segments.astype(int).to_numpy(), "t": truth.to_numpy()})
    majority = frame.groupby("s")["t"].agg(lambda v: v.value_counts().index[0])
    return float((frame["s"].map(majority) == frame["t"]).mean())


def test_classifier_and_centroid_compared_on_training_and_new_users(run, model, frame, tmp_path):
    assert model.meta["classifier"]["model"] and model.arrays["classifier_coef"].shape[0] == 3
    model = load_model(save_model(model, tmp_path / "m"))  # the classifier survives the file
    labels = run.user_labels()
    by_centre, _ = assign_users(model, frame)
    by_classifier, _ = assign_users(model, frame, method="classifier")
    # Training users: nearest centre repeats K-means exactly; the classifier learned the same boundaries.
    assert np.mean(by_centre["segment_id"].to_numpy(dtype=int) == labels) == 1.0
    assert np.mean(by_classifier["segment_id"].to_numpy(dtype=int) == labels) >= 0.95
    # New users of the same three topics: both methods find the topics and mostly agree.
    new = make_reviews(n_users=90, seed=7)
    new_centre, _ = assign_users(model, new)
    new_classifier, _ = assign_users(model, new, method="classifier")
    truth = new.groupby("user_id")["true_segment"].first().reindex(new_centre["user_id"])
    assert _purity(new_centre["segment_id"], truth) >= 0.9
    assert _purity(new_classifier["segment_id"], truth) >= 0.9
    assert (new_centre["segment_id"] == new_classifier["segment_id"]).mean() >= 0.9
    assert new_classifier["segment_confidence"].between(0, 1).all()


def test_nearest_other_segment_and_distances(model, frame):
    per_user, table = assign_users(model, frame)
    own, second = per_user["distance_to_own"], per_user["distance_to_second"]
    assert (own <= second + 1e-9).all()  # nearest centre: their own centre is the closest
    assert (per_user["second_segment"] != per_user["segment_id"]).all()
    assert per_user["second_segment_name"].ne("").all()
    # The confidence the model reports is 1 - own / second for the nearest-centre rule.
    assert np.allclose(per_user["segment_confidence"], (1 - own / second).round(4), atol=2e-4)
    labeled = labeled_new_rows(frame, table, per_user)
    assert {"second_segment", "distance_to_own", "distance_to_second"} <= set(labeled.columns)


def test_nearest_other_handles_unassigned_and_one_segment():
    distances = np.array([[1.0, 3.0, 2.0], [4.0, 1.0, 5.0]])
    out = nearest_other(distances, np.array([0, -1]))
    assert out["second_segment"].tolist() == [2, 1]
    assert out["distance_to_own"].iloc[0] == 1.0 and np.isnan(out["distance_to_own"].iloc[1])
    assert out["distance_to_second"].tolist() == [2.0, 1.0]
    single = nearest_other(np.array([[2.0]]), np.array([0]))
    assert single["second_segment"].isna().all() and single["distance_to_second"].isna().all()
    assert distance_confidence(distances)[0] == pytest.approx(0.5)


def test_density_model_with_the_classifier_assigns_everyone(frame):
    config = RunConfig(roles=ROLES, algorithm="hdbscan", algorithm_params={"min_cluster_size": 10}, reducer="none",
                       text_weight=0.5, embedder="tfidf", embedder_params={"n_components": 16})
    model = fit_model(run_segmentation(frame, config, with_map=False), frame)
    far = pd.DataFrame([{"user_id": "FAR", "review": "I bought this and running laptop serum overall good",
                         "age": 95, "spend": 90_000.0, "tier": "gold"}])
    by_rule, _ = assign_users(model, far)
    by_classifier, _ = assign_users(model, far, method="classifier")
    assert by_rule.loc[0, "segment_id"] == -1 and pd.isna(by_rule.loc[0, "distance_to_own"])
    assert by_rule.loc[0, "second_segment"] >= 0  # for the unassigned: the nearest segment
    assert by_classifier.loc[0, "segment_id"] >= 0 and bool(by_classifier.loc[0, "outlier"])


def test_a_model_without_a_classifier_says_so(run, frame, tmp_path):
    model = fit_model(run, frame)
    del model.arrays["classifier_coef"], model.arrays["classifier_intercept"]
    model = load_model(save_model(model, tmp_path / "old"))
    with pytest.raises(SegkitInputError, match="has no classifier"):
        assign_users(model, frame, method="classifier")
    with pytest.raises(SegkitInputError, match="Unknown assignment method 'nearest'"):
        assign_users(model, frame, method="nearest")
    assert assign_users(model, frame)[0]["segment_id"].notna().all()


def test_a_classifier_of_the_wrong_shape_is_refused(run, frame, tmp_path):
    model = fit_model(run, frame)
    model.arrays["classifier_coef"] = model.arrays["classifier_coef"][:, :3]
    path = save_model(model, tmp_path / "bad")
    with pytest.raises(SegkitInputError, match="classifier_coef"):
        load_model(path)


def test_cli_assign_by_classifier(tmp_path, capsys, frame):
    from segkit.cli import main

    data = tmp_path / "reviews.csv"
    frame.to_csv(data, index=False)
    code = main(["segment", str(data), "--text-col", "review", "--user-col", "user_id", "--numeric-cols", "age,spend",
                 "--embedder", "tfidf", "--k", "3", "--no-map", "--quiet", "--no-cache",
                 "--save-model", str(tmp_path / "model")])
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()
    code = main(["assign", str(tmp_path / "model"), str(data), "--method", "classifier",
                 "--users-out", str(tmp_path / "users.csv")])
    captured = capsys.readouterr()
    assert code == 0 and "assigned by the saved classifier" in captured.err
    users = pd.read_csv(tmp_path / "users.csv")
    assert {"second_segment", "second_segment_name", "distance_to_own", "distance_to_second"} <= set(users.columns)
    assert users["segment_id"].notna().all()


def test_assignments_say_what_pulls_each_user(model, frame):
    per_user, _ = assign_users(model, frame)
    assert per_user["pulled_by"].str.len().gt(0).mean() >= 0.9
    assert per_user["pulled_by"].str.contains("what they wrote").any()
    keywords = model.meta["keywords"]
    for _, row in per_user.head(30).iterrows():
        for term in filter(None, row["keywords_used"].split(", ")):
            assert term in keywords[str(int(row["segment_id"]))]
    assert per_user["keywords_used"].str.len().gt(0).mean() >= 0.8  # topic words are the keywords here


def test_why_columns_can_be_left_out(model, frame):
    per_user, _ = assign_users(model, frame, why=False)
    assert per_user["pulled_by"].eq("").all() and per_user["distance_to_own"].notna().all()

"""How a saved model assigns new users: by nearest centre (the default) or by its classifier,
and each user's nearest other segment with the distances, so an output can say how close a
call it was.

The classifier is the one `segkit.explain.separability` cross-validates: logistic
regression on the fused space (before PCA), fitted on the run's segmented users when the
model is saved (unassigned users left out; a stratified seeded sample above
MAX_CLASSIFIER_USERS). It is stored as plain arrays (coefficients and intercepts, the
fused space's scale folded in), so assigning needs no pickle. With the classifier every
user gets a segment, also under a density model; `outlier` is then measured as for
K-means: farther from the segment's centre than 99% of its training members.

Distances are in the space the model assigns in (`model.meta["assign_space"]`): the
clustering space after PCA, or the fused space for models fitted with UMAP.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.errors import SegkitInputError

ASSIGN_METHODS = ("centroid", "classifier")
NEAREST_COLUMNS = ("second_segment", "distance_to_own", "distance_to_second")
MAX_CLASSIFIER_USERS = 10_000
CLASSIFIER = "logistic regression on the fused space"


def classifier_arrays(fused: np.ndarray, labels: np.ndarray, n_segments: int, seed: int = 0) -> tuple[dict, dict]:
    """({"classifier_coef": (k, d), "classifier_intercept": (k,)}, settings) for `fit_model`;
    ({}, settings saying why not) when fewer than two segments have users."""
    from segkit.explain.sampling import assigned_positions, stratified_sample
    from segkit.explain.separability import linear_classifier, linear_scale
    from segkit.threads import limited_threads

    labels = np.asarray(labels)
    kept = assigned_positions(labels)
    if len(np.unique(labels[kept])) < 2:
        return {}, {"model": None, "reason": "fewer than two segments: nothing to classify"}
    picked = stratified_sample(labels, kept, MAX_CLASSIFIER_USERS, seed)
    scale = linear_scale(fused[picked])
    with limited_threads():
        model = linear_classifier(seed).fit(np.asarray(fused[picked], dtype=np.float64) * scale, labels[picked])
    coef = np.zeros((n_segments, fused.shape[1]))
    intercept = np.full(n_segments, -np.inf)  # a segment the sample lacks is never predicted
    classes = model.classes_.astype(int)
    if len(classes) == 2:  # scikit-learn keeps one row for two classes: logits 0 and w.x + b
        coef[classes[0]], intercept[classes[0]] = 0.0, 0.0
        coef[classes[1]], intercept[classes[1]] = model.coef_[0] * scale, model.intercept_[0]
    else:
        coef[classes] = model.coef_ * scale
        intercept[classes] = model.intercept_
    intercept = np.where(np.isfinite(intercept), intercept, -1e9)
    settings = {"model": CLASSIFIER, "space": "fused", "n_users": int(len(picked)),
                "sampled": bool(len(picked) < len(kept)), "C": 1.0}
    return {"classifier_coef": coef, "classifier_intercept": intercept}, settings


def classifier_predict(model, fused: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(segment per user, the classifier's probability of it)."""
    if "classifier_coef" not in model.arrays:
        reason = (model.meta.get("classifier") or {}).get("reason")
        raise SegkitInputError(
            "This model has no classifier " + (f"({reason})" if reason else "(it was saved by an older segkit)")
            + "; assign with --method centroid, or save the model again with `segkit segment --save-model`.")
    logits = np.asarray(fused, dtype=np.float64) @ model.arrays["classifier_coef"].T + model.arrays["classifier_intercept"]
    logits -= logits.max(axis=1, keepdims=True)
    probabilities = np.exp(logits)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    labels = probabilities.argmax(axis=1)
    return labels.astype(np.int64), probabilities[np.arange(len(labels)), labels]


def centre_distances(model, points: np.ndarray) -> np.ndarray:
    """(users, segments): Euclidean distance to each segment's centre in the assignment space."""
    centroids = model.arrays["centroids"]
    points = np.asarray(points, dtype=np.float64)
    squared = (points**2).sum(1)[:, None] - 2 * points @ centroids.T + (centroids**2).sum(1)[None, :]
    return np.sqrt(np.maximum(squared, 0.0))


def nearest_other(distances: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """Per user: the nearest segment that is not theirs (for the unassigned: the nearest one),
    the distance to their own segment's centre (NaN when unassigned) and to that one."""
    labels = np.asarray(labels)
    rows = np.arange(len(labels))
    assigned = labels >= 0
    masked = np.array(distances, dtype=np.float64)
    masked[rows[assigned], labels[assigned]] = np.inf
    second = masked.argmin(axis=1)
    to_second = masked[rows, second]
    has_second = np.isfinite(to_second)  # a one-segment model has no other segment
    own = np.full(len(labels), np.nan)
    own[assigned] = distances[rows[assigned], labels[assigned]]
    second_segment = pd.array(np.where(has_second, second, 0), dtype="Int64")
    second_segment[~has_second] = pd.NA
    return pd.DataFrame({"second_segment": second_segment, "distance_to_own": own,
                         "distance_to_second": np.where(has_second, to_second, np.nan)})


def assign_points(model, fused: np.ndarray, reduced: np.ndarray, method: str = "centroid") -> pd.DataFrame:
    """segment_id, segment_confidence, outlier and NEAREST_COLUMNS for users in the model's
    fused space (`fused`) and assignment space (`reduced`)."""
    from segkit.model.segment_model import assign_matrix

    if method not in ASSIGN_METHODS:
        raise SegkitInputError(f"Unknown assignment method '{method}'; choose {' or '.join(ASSIGN_METHODS)}.")
    distances = centre_distances(model, reduced)
    if method == "classifier":
        labels, confidence = classifier_predict(model, fused)
        radius = model.arrays["centroid_radius"]
        outlier = distances[np.arange(len(labels)), labels] > radius[labels]
        assigned = pd.DataFrame({"segment_id": labels, "segment_confidence": confidence.astype(float),
                                 "outlier": outlier.astype(bool)})
    else:
        assigned = assign_matrix(model, reduced)
    nearest = nearest_other(distances, assigned["segment_id"].to_numpy())
    return pd.concat([assigned, nearest], axis=1)


WHY_COLUMNS = ("pulled_by", "keywords_used")


def why_columns(model, fused: np.ndarray, labels: np.ndarray, second, texts: list[str]) -> pd.DataFrame:
    """Per user: pulled_by ("what they wrote (69%), spend (31%); against: age": the parts of the
    fused space that put them nearer their segment's centre than the second one's,
    segkit.explain.why.pull_phrase) and
    keywords_used (their segment's keywords in their text). Empty where the model lacks them."""
    from segkit.explain.features import term_presence
    from segkit.explain.why import column_groups, margin_pulls, pull_phrase
    from segkit.model.segment_model import model_fusion

    labels = np.asarray(labels)
    pulled = [""] * len(labels)
    centres = model.arrays.get("fused_centroids")
    if centres is not None:
        fusion = model_fusion(model)
        groups = column_groups(len(fusion.text_mean) if fusion.has_text else 0, fusion.numeric_cols,
                               fusion.categorical_levels)
        fused = np.asarray(fused, dtype=np.float64)
        for i, (own, other) in enumerate(zip(labels, second, strict=True)):
            if own >= 0 and other is not pd.NA:
                pulled[i] = pull_phrase(margin_pulls(fused[i], centres[own], centres[int(other)], groups)[1])
    used = [""] * len(labels)
    keywords = model.meta.get("keywords", {})
    for segment in np.unique(labels[labels >= 0]):
        terms = keywords.get(str(int(segment)), [])
        rows = np.flatnonzero(labels == segment)
        if terms:
            present = term_presence([texts[i] for i in rows], terms)
            for row, hits in zip(rows, present, strict=True):
                used[row] = ", ".join(t for t, hit in zip(terms, hits, strict=True) if hit)
    return pd.DataFrame({"pulled_by": pulled, "keywords_used": used})

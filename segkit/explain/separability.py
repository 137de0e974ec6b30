"""How separable the segments are: can a classifier tell a user's segment from their features?

Two classifiers, cross-validated on the same stratified folds:

- logistic regression on the fused space (the text vectors and scaled traits the segments
  were made from). The fused space is multiplied by one number so that its columns
  average unit variance: L2 regularisation (C = 1) then means the same whatever the
  embedding's width, and the text / traits weighting of the fusion is kept;
- the decision trees of the segment rules (segkit.explain.rules) on the readable features.
  Their keywords were chosen on all users, so the trees' scores are slightly optimistic.

Per segment: precision, recall and F1 of the cross-validated predictions, and the
confusion matrix. A segment of which at least HARD_TO_TELL_SHARE of the users are put in
one other segment is flagged "hard to tell from <that segment>: consider merging".

Unassigned users (-1) are left out (they are in no segment), as are segments with fewer
users than folds (stratified folds cannot hold them; they are named in `too_small`).
Above MAX_CV_USERS users a stratified seeded sample is used (stated in the result).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from segkit.errors import SegkitInputError
from segkit.explain.sampling import assigned_positions, stratified_sample
from segkit.explain.words import tr
from segkit.labels import segment_name

CV_FOLDS = 5
MAX_CV_USERS = 5_000
HARD_TO_TELL_SHARE = 0.2  # a fifth of a segment's users mistaken for one other segment
LINEAR_MODEL = "logistic regression on the fused space"
TREE_MODEL = "decision trees of the segment rules"


@dataclass(frozen=True)
class ClassifierScores:
    model: str
    per_segment: pd.DataFrame  # index: segment; columns: precision, recall, f1, support
    confusion: pd.DataFrame  # rows: true segment, columns: predicted segment; user counts
    accuracy: float
    macro_f1: float


@dataclass(frozen=True)
class HardPair:
    segment: int
    other: int
    share: float  # share of the segment's users the classifier put in `other`

    def text(self, names: Mapping[int, str] | None = None, lang: str = "en") -> str:
        return tr("explain.hard_to_tell", lang, other=segment_name(self.other, names))


@dataclass(frozen=True)
class Separability:
    linear: ClassifierScores
    tree: ClassifierScores | None
    hard: dict[int, HardPair]  # flagged segments only
    folds: int
    n_users: int  # users cross-validated
    sampled: bool
    n_unassigned: int
    too_small: tuple[int, ...] = field(default_factory=tuple)

    def f1(self, segment: int) -> float | None:
        table = self.linear.per_segment
        return float(table.loc[int(segment), "f1"]) if int(segment) in table.index else None

    def confusion_named(self, names: Mapping[int, str] | None = None) -> pd.DataFrame:
        """The logistic regression's confusion matrix with segment names as rows and columns
        (what segkit.plots.confusion_figure draws)."""
        confusion = self.linear.confusion
        labels = [segment_name(s, names) for s in confusion.index]
        return pd.DataFrame(confusion.to_numpy(), index=pd.Index(labels, name="segment"),
                            columns=pd.Index(labels, name="predicted"))

    def segment_table(self, names: Mapping[int, str] | None = None, lang: str = "en") -> pd.DataFrame:
        """One row per segment for a page: name, precision, recall, F1 (both models), users, flag."""
        table = self.linear.per_segment
        out = pd.DataFrame({
            "segment_id": table.index.astype(int),
            "segment_name": [segment_name(s, names) for s in table.index],
            "precision": table["precision"].round(3).to_numpy(),
            "recall": table["recall"].round(3).to_numpy(),
            "f1": table["f1"].round(3).to_numpy(),
            "tree_f1": (self.tree.per_segment["f1"].reindex(table.index).round(3).to_numpy()
                        if self.tree is not None else np.nan),
            "users": table["support"].astype(int).to_numpy(),
            "flag": [self.hard[s].text(names, lang) if s in self.hard else "" for s in table.index],
        })
        return out


def scores_from_predictions(model: str, truth: np.ndarray, predicted: np.ndarray,
                            segments: list[int]) -> ClassifierScores:
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    precision, recall, f1, support = precision_recall_fscore_support(truth, predicted, labels=segments,
                                                                     zero_division=0)
    per = pd.DataFrame({"precision": precision, "recall": recall, "f1": f1, "support": support},
                       index=pd.Index(segments, name="segment"))
    confusion = pd.DataFrame(confusion_matrix(truth, predicted, labels=segments),
                             index=pd.Index(segments, name="segment"),
                             columns=pd.Index(segments, name="predicted"))
    return ClassifierScores(model, per, confusion, float(np.mean(truth == predicted)), float(np.mean(f1)))


def hard_pairs(confusion: pd.DataFrame, threshold: float = HARD_TO_TELL_SHARE) -> dict[int, HardPair]:
    """Per segment, its largest off-diagonal share of the confusion matrix, when >= threshold."""
    counts = confusion.to_numpy(dtype=float)
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    np.fill_diagonal(shares, 0.0)
    segments = list(confusion.index)
    out: dict[int, HardPair] = {}
    for i, segment in enumerate(segments):
        j = int(shares[i].argmax()) if len(segments) > 1 else i
        if j != i and shares[i, j] >= threshold:
            out[int(segment)] = HardPair(int(segment), int(segments[j]), float(shares[i, j]))
    return out


def linear_scale(matrix: np.ndarray) -> float:
    """The one factor that gives the fused columns unit variance on average (module docstring)."""
    total = float(np.asarray(matrix, dtype=np.float64).var(axis=0).sum())
    return float(np.sqrt(matrix.shape[1] / total)) if total > 1e-12 else 1.0


def linear_classifier(seed: int = 0):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, max_iter=1000, random_state=seed)


def cross_validate(fused: np.ndarray, labels: np.ndarray, tree_features=None, folds: int = CV_FOLDS,
                   seed: int = 0, n_unassigned: int = 0, sampled: bool = False) -> Separability:
    """Cross-validated scores for users already restricted to real segments (labels >= 0).

    `tree_features` (an ExplainFeatures aligned with `fused`) adds the rules' trees."""
    from sklearn.model_selection import StratifiedKFold

    from segkit.explain.features import ExplainFeatures
    from segkit.explain.rules import fit_segment_trees
    from segkit.threads import limited_threads

    labels = np.asarray(labels)
    if (labels < 0).any():
        raise ValueError("cross_validate takes users in a segment only (drop labels below 0 first)")
    values, counts = np.unique(labels, return_counts=True)
    too_small = tuple(int(s) for s, c in zip(values, counts, strict=True) if c < folds)
    keep = ~np.isin(labels, too_small)
    segments = [int(s) for s in values if int(s) not in too_small]
    if len(segments) < 2:
        raise SegkitInputError(
            f"Telling segments apart needs at least two segments with {folds} or more users each "
            f"(for {folds}-fold cross-validation); this segmentation has {len(segments)}.")
    fused = np.asarray(fused, dtype=np.float64)[keep] * linear_scale(fused)
    labels = labels[keep]
    linear_pred = np.empty(len(labels), dtype=np.int64)
    tree_pred = np.empty(len(labels), dtype=np.int64)
    tree_matrix = tree_features.matrix[keep] if tree_features is not None else None
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    with limited_threads():
        for train, test in splitter.split(fused, labels):
            model = linear_classifier(seed).fit(fused[train], labels[train])
            linear_pred[test] = model.predict(fused[test])
            if tree_matrix is not None:
                trees = fit_segment_trees(ExplainFeatures(tree_features.features, tree_matrix[train]),
                                          labels[train], seed=seed)
                tree_pred[test] = trees.predict(tree_matrix[test] if tree_matrix.shape[1]
                                                else np.zeros((len(test), 1)))
    linear = scores_from_predictions(LINEAR_MODEL, labels, linear_pred, segments)
    tree = scores_from_predictions(TREE_MODEL, labels, tree_pred, segments) if tree_matrix is not None else None
    return Separability(linear, tree, hard_pairs(linear.confusion), folds, int(len(labels)), sampled,
                        int(n_unassigned), too_small)


def segment_separability(run, folds: int = CV_FOLDS, max_users: int = MAX_CV_USERS, seed: int = 0,
                         with_tree: bool = True) -> Separability:
    """`cross_validate` for a run's (possibly edited) segments on its fused space."""
    from segkit.explain.features import features_for_run

    labels = np.asarray(run.result.labels)
    kept = assigned_positions(labels)
    picked = stratified_sample(labels, kept, max_users, seed)
    features = features_for_run(run, users_subset=picked) if with_tree else None
    return cross_validate(run.space.fused.matrix[picked], labels[picked], features, folds, seed,
                          n_unassigned=int(len(labels) - len(kept)), sampled=len(picked) < len(kept))

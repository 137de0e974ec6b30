"""Why this user is in their segment: the nearest segments with distances, what pulls the
user toward their own segment rather than the next one, their segment's keywords they
use, and the segment rule that covers them.

Distances are in the fused space (text vectors and scaled traits, before PCA/UMAP), to
each segment's mean there. The pull is an exact split of the margin

    margin = |x - c_second|^2 - |x - c_own|^2 = sum over columns j of (x_j - s_j)^2 - (x_j - o_j)^2

by column: the text block is one entry ("what they wrote": embedding dimensions mean
nothing one by one), each numeric trait one, each categorical trait one (its levels
summed). Entries add up to the margin; a positive entry pulls toward the own segment, a
negative one toward the second. The words behind the text entry are shown separately:
the user's terms among their segment's keywords.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from segkit.cluster.base import cluster_means
from segkit.explain.words import tr
from segkit.labels import segment_name

TEXT_PULL = "text"


@dataclass(frozen=True)
class Pull:
    name: str  # TEXT_PULL or the trait's column
    amount: float  # this column's part of the margin (squared-distance units)
    share: float  # amount / margin (may be negative, or above 1 when others pull the other way)


@dataclass(frozen=True)
class UserExplanation:
    position: int  # among the run's segmented users
    user_id: str
    segment: int
    nearest: tuple[tuple[int, float], ...]  # (segment, distance), nearest first
    second: int | None  # nearest segment other than their own
    margin: float
    pulls: tuple[Pull, ...]  # largest pull toward their own segment first
    terms: tuple[str, ...]  # their segment's keywords they use, most distinctive first
    rule: object | None = None  # the segkit.explain.rules.SegmentRule that covers them

    def lines(self, names: Mapping[int, str] | None = None, lang: str = "en", top: int = 3) -> list[str]:
        """What a page shows, one line each (words from segkit.explain.words)."""
        def name(segment):
            return segment_name(segment, names)

        out = [tr("explain.why_nearest", lang, segments=", ".join(
            tr("explain.why_distance", lang, name=name(s), distance=f"{d:.3f}") for s, d in self.nearest))]
        pulls = pull_phrase(self.pulls, lang, top)
        if self.second is not None and pulls:
            out.append(tr("explain.why_pulls", lang, own=name(self.segment), second=name(self.second), pulls=pulls))
        if self.terms:
            out.append(tr("explain.why_terms", lang, terms=", ".join(f"“{t}”" for t in self.terms)))
        if self.rule is not None:
            out.append(tr("explain.why_rule", lang, rule=self.rule.text(lang)))
        return out


def column_groups(text_dims: int, numeric_cols, categorical_levels) -> list[tuple[str, np.ndarray]]:
    """(pull name, fused columns) per block: the text, then each trait as the fusion lays them out
    (segkit.fuse.fusion: text block, numeric traits, one column per categorical level)."""
    groups: list[tuple[str, np.ndarray]] = []
    at = 0
    if text_dims:
        groups.append((TEXT_PULL, np.arange(text_dims)))
        at = text_dims
    for column in numeric_cols:
        groups.append((str(column), np.array([at])))
        at += 1
    for column, levels in categorical_levels.items():
        groups.append((str(column), np.arange(at, at + len(levels))))
        at += len(levels)
    return groups


def margin_pulls(x: np.ndarray, own: np.ndarray, second: np.ndarray,
                 groups: list[tuple[str, np.ndarray]]) -> tuple[float, tuple[Pull, ...]]:
    """(margin, its split by block, largest pull toward `own` first): module docstring."""
    per_column = (x - second) ** 2 - (x - own) ** 2
    margin = float(per_column.sum())
    scale = margin if abs(margin) > 1e-12 else 1.0
    amounts = sorted(((name, float(per_column[cols].sum())) for name, cols in groups), key=lambda item: -item[1])
    return margin, tuple(Pull(name, amount, amount / scale) for name, amount in amounts)


def pull_phrase(pulls: tuple[Pull, ...], lang: str = "en", top: int = 3) -> str:
    """"what they wrote (72%), spend (28%); against: age": the blocks that pull toward the own
    segment, as shares of everything that pulls that way (so they add up to 100% over all such
    blocks), then the block that pulls hardest toward the second segment, if any."""
    def label(pull: Pull) -> str:
        return tr("explain.why_pull_text", lang) if pull.name == TEXT_PULL else pull.name

    toward = [p for p in pulls if p.amount > 0]
    total = sum(p.amount for p in toward)
    text = ", ".join(f"{label(p)} ({p.amount / total:.0%})" for p in toward[:top]) if total > 0 else ""
    against = [p for p in pulls if p.amount < 0]
    if text and against:
        text += tr("explain.why_against", lang, name=label(min(against, key=lambda p: p.amount)))
    return text


def fused_centres(run) -> tuple[np.ndarray, np.ndarray]:
    """(segment ids, their means in the fused space), unassigned users left out."""
    labels = np.asarray(run.result.labels)
    segments = np.array(sorted(int(s) for s in np.unique(labels) if s >= 0))
    means = cluster_means(np.asarray(run.space.fused.matrix, dtype=np.float64), labels)
    if means is None:
        return segments, np.zeros((0, run.space.fused.matrix.shape[1]))
    return segments, np.asarray(means, dtype=np.float64)[segments]  # ids may have gaps after merges


def nearest_segments(run, n: int = 3) -> pd.DataFrame:
    """Every segmented user: user_id, segment_id, distance_to_own, second_segment,
    distance_to_second (fused space; own distance NaN for unassigned users)."""
    from segkit.model.assign_methods import nearest_other

    segments, centres = fused_centres(run)
    matrix = np.asarray(run.space.fused.matrix, dtype=np.float64)
    distances = _distances(matrix, centres)
    labels = np.asarray(run.result.labels)
    column = np.full(len(labels), -1)
    index = {int(s): i for i, s in enumerate(segments)}
    column[labels >= 0] = [index[int(s)] for s in labels[labels >= 0]]
    near = nearest_other(distances, column)
    users = run.table.users["user_id"].astype(str).to_numpy()[run.embeddings.user_index]
    second = near["second_segment"]
    return pd.DataFrame({
        "user_id": users, "segment_id": labels,
        "distance_to_own": near["distance_to_own"].to_numpy(),
        "second_segment": pd.array([segments[int(s)] if s is not pd.NA else pd.NA for s in second], dtype="Int64"),
        "distance_to_second": near["distance_to_second"].to_numpy(),
    })


def _distances(matrix: np.ndarray, centres: np.ndarray) -> np.ndarray:
    squared = (matrix**2).sum(1)[:, None] - 2 * matrix @ centres.T + (centres**2).sum(1)[None, :]
    return np.sqrt(np.maximum(squared, 0.0))


def explain_users(run, positions: Sequence[int], rules=None, n_nearest: int = 3) -> list[UserExplanation]:
    """A `UserExplanation` per position (index among the run's segmented users, the order of
    `run.result.labels` and of the Explore page's users); `rules` (segment_rules(run)) adds the
    rule that covers each user."""
    from segkit.explain.features import features_like, term_presence

    positions = [int(p) for p in positions]
    labels = np.asarray(run.result.labels)
    segments, centres = fused_centres(run)
    fused = run.space.fused
    matrix = np.asarray(fused.matrix, dtype=np.float64)[positions]
    groups = column_groups(fused.text_dims, fused.numeric_cols, fused.categorical_levels)
    users = run.table.users.iloc[np.asarray(run.embeddings.user_index)[positions]].reset_index(drop=True)
    all_texts = run.table.user_texts()
    texts = [all_texts[run.embeddings.user_index[p]] for p in positions]
    rule_features = features_like(rules.features, users, texts) if rules is not None and rules.features else None
    out = []
    for row, position in enumerate(positions):
        x = matrix[row]
        distances = np.sqrt(((centres - x) ** 2).sum(axis=1))
        order = np.argsort(distances)
        nearest = tuple((int(segments[i]), float(distances[i])) for i in order[:n_nearest])
        own = int(labels[position])
        others = [int(segments[i]) for i in order if int(segments[i]) != own]
        second = others[0] if others else None
        pulls: tuple[Pull, ...] = ()
        margin = 0.0
        if own >= 0 and second is not None:
            margin, pulls = margin_pulls(x, centres[list(segments).index(own)],
                                         centres[list(segments).index(second)], groups)
        keywords = [term for term, _ in run.summary.keywords.get(own, [])]
        used = term_presence([texts[row]], keywords)[0] if keywords else np.zeros(0)
        terms = tuple(term for term, hit in zip(keywords, used, strict=True) if hit)
        rule = rules.rule_for(own, rule_features, row) if rule_features is not None and own >= 0 else None
        out.append(UserExplanation(position, str(users["user_id"].iloc[row]), own, nearest, second, margin,
                                   pulls, terms, rule))
    return out

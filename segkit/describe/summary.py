"""One value describing every segment: the table people read and the parts behind it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from segkit.cluster.base import NOISE
from segkit.describe.examples import review_scorer, shorten
from segkit.describe.keywords import keyword_scores, ranked_terms
from segkit.describe.naming import auto_names
from segkit.describe.profile import categorical_makeup, numeric_profile
from segkit.describe.representative import pick_examples, ranked_members

UNASSIGNED_NAME = "Unassigned"


@dataclass(frozen=True)
class SegmentSummary:
    table: pd.DataFrame  # one row per segment (noise last): id, name, size, share, keywords...
    keywords: dict[int, list[tuple[str, float]]]
    representative_texts: dict[int, list[str]]
    representative_user_ids: dict[int, list[str]]
    numeric: pd.DataFrame
    categorical: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def names(self) -> dict[int, str]:
        return dict(zip(self.table["segment_id"].astype(int), self.table["segment_name"], strict=True))


def user_example_text(texts: list[str], max_chars: int = 400) -> list[str]:
    """A readable example per user: their first text, cut at a word boundary."""
    return [shorten(text.split("\n")[0], max_chars) if text else "" for text in texts]


KEYWORD_SAMPLE = 20_000  # users whose texts feed the keywords; word counts settle long before


def keyword_sample(labels: np.ndarray, max_users: int = KEYWORD_SAMPLE, seed: int = 0) -> np.ndarray:
    """All users when few; else a seeded sample of at most `max_users`, sorted.

    Tokenising every text is most of the describe step at 200k users (~20 s); a 20k
    sample keeps each segment's share, and a segment's top words barely move.
    """
    n = len(labels)
    if n <= max_users:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=max_users, replace=False))


def describe_segments(users: pd.DataFrame, user_texts: list[str], matrix: np.ndarray,
                      labels: np.ndarray, confidence: np.ndarray, density_based: bool = False,
                      numeric_cols=(), categorical_cols=(), names: dict[int, str] | None = None,
                      n_keywords: int = 10, n_examples: int = 5) -> SegmentSummary:
    labels = np.asarray(labels)
    keyword_users = keyword_sample(labels)
    scores = keyword_scores([user_texts[i] for i in keyword_users], labels[keyword_users])
    segments = sorted(int(s) for s in np.unique(labels) if s != NOISE)
    # Names draw on more terms than are shown, to fall back on when a word is taken.
    ranked = {s: ranked_terms(scores, s, max(n_keywords, 30)) if scores else [] for s in segments}
    keywords = {s: terms[:n_keywords] for s, terms in ranked.items()}
    chosen_names = auto_names(ranked)
    if names:
        chosen_names.update({int(k): v for k, v in names.items()})
    # Typical and distinctive members first; each shows the review of theirs that best matches.
    examples = pick_examples(ranked_members(matrix, labels, confidence, density_based, 20), user_texts,
                             review_scorer(scores), n_examples)
    rep_texts = {s: [text for _, text in picked] for s, picked in examples.items()}
    rep_ids = {s: [str(users["user_id"].iloc[i]) for i, _ in picked] for s, picked in examples.items()}
    n = len(labels)
    rows = []
    for segment in sorted(int(s) for s in np.unique(labels) if s != NOISE):
        mask = labels == segment
        rows.append({
            "segment_id": segment,
            "segment_name": chosen_names.get(segment, f"Segment {segment}"),
            "size": int(mask.sum()),
            "share": float(mask.mean()),
            "mean_confidence": float(confidence[mask].mean()),
            "keywords": ", ".join(term for term, _ in keywords.get(segment, [])),
            "example": rep_texts.get(segment, [""])[0] if rep_texts.get(segment) else "",
        })
    if (labels == NOISE).any():
        mask = labels == NOISE
        rows.append({"segment_id": NOISE, "segment_name": UNASSIGNED_NAME, "size": int(mask.sum()),
                     "share": float(mask.sum() / n), "mean_confidence": 0.0, "keywords": "", "example": ""})
    table = pd.DataFrame(rows)
    profile = numeric_profile(users, labels, [c for c in ["n_reviews", *numeric_cols] if c in users.columns])
    if not profile.empty:
        for column in profile["z"].columns:
            table[f"z_{column}"] = table["segment_id"].map(profile["z"][column]).astype(float).round(3).to_numpy()
    categorical = {c: categorical_makeup(users, labels, c) for c in categorical_cols if c in users.columns}
    return SegmentSummary(table, keywords, rep_texts, rep_ids, profile, categorical)

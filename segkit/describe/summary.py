"""One value describing every segment: the table people read and the parts behind it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from segkit import waits
from segkit.cluster.base import NOISE
from segkit.describe.examples import review_scorer, shorten
from segkit.describe.keywords import keyword_scores, ranked_terms
from segkit.describe.naming import auto_names
from segkit.describe.persona import persona_line
from segkit.describe.profile import (
    categorical_lift,
    categorical_makeup,
    numeric_lift,
    numeric_profile,
    over_under,
    share_phrase,
)
from segkit.describe.representative import pick_examples, ranked_members
from segkit.describe.trait_naming import trait_names
from segkit.labels import UNASSIGNED_NAME, segment_name


@dataclass(frozen=True)
class SegmentSummary:
    table: pd.DataFrame  # one row per segment (noise last): id, name, size, share, keywords...
    keywords: dict[int, list[tuple[str, float]]]
    representative_texts: dict[int, list[str]]
    representative_user_ids: dict[int, list[str]]
    numeric: pd.DataFrame
    categorical: dict[str, pd.DataFrame] = field(default_factory=dict)
    # Real units (segkit.describe.profile): numeric_lift() and {column: categorical_lift()}.
    numeric_lift: pd.DataFrame = field(default_factory=pd.DataFrame)
    categorical_lift: dict[str, pd.DataFrame] = field(default_factory=dict)
    # Per segment: mean review score and shares of positive / neutral / negative reviews.
    sentiment: pd.DataFrame | None = None
    personas: dict[int, str] = field(default_factory=dict)
    persona_lang: str = "en"

    def persona(self, segment: int, lang: str | None = None) -> str:
        """The segment's one-line persona in `lang` (default: the language it was made in)."""
        if lang is None or lang == self.persona_lang:
            return self.personas.get(int(segment), "")
        rows = self.table[self.table["segment_id"] == int(segment)]
        if rows.empty:
            return ""
        mood = (self.sentiment.loc[int(segment)].to_dict()
                if self.sentiment is not None and int(segment) in self.sentiment.index else None)
        return persona_line(int(segment), [t for t, _ in self.keywords.get(int(segment), [])],
                            float(rows["share"].iloc[0]), self.numeric_lift, self.categorical_lift, mood, lang)

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
                      n_keywords: int = 10, n_examples: int = 5, sentiment=None,
                      lang: str | None = None, memory=None) -> SegmentSummary:
    """Everything the cards, the summary CSV and the report show, per segment.

    `sentiment` (a `segkit.sentiment.UserSentiment` aligned with `users`) adds the
    sentiment distribution; `lang` ('en'/'zh') is the persona's language (default: the
    texts' language, Chinese when most letters are Chinese).
    """
    labels = np.asarray(labels)
    keyword_users = keyword_sample(labels)
    waits.phase("describe.keywords")
    scores = keyword_scores([user_texts[i] for i in keyword_users], labels[keyword_users], memory=memory)
    segments = sorted(int(s) for s in np.unique(labels) if s != NOISE)
    waits.phase("describe.rest", segments=len(segments))
    # Names draw on more terms than are shown, to fall back on when a word is taken.
    ranked = {s: ranked_terms(scores, s, max(n_keywords, 30)) if scores else [] for s in segments}
    keywords = {s: terms[:n_keywords] for s, terms in ranked.items()}
    chosen_names = auto_names(ranked)
    # Without text (a behaviour-only file), names come from the traits; built below.
    traits_only = not any(user_texts[i] for i in keyword_users)
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
            "segment_name": segment_name(segment, chosen_names),
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
    lifts = numeric_lift(users, labels, [c for c in ["n_reviews", *numeric_cols] if c in users.columns])
    _add_numeric_columns(table, lifts)
    cat_lifts = {c: categorical_lift(users, labels, c) for c in categorical}
    _add_categorical_columns(table, cat_lifts)
    if traits_only:
        chosen_names = trait_names(segments, profile, cat_lifts)
    if names:
        chosen_names.update({int(k): v for k, v in names.items()})
    if traits_only or names:
        table["segment_name"] = [segment_name(int(s), chosen_names) if int(s) != NOISE else UNASSIGNED_NAME
                                 for s in table["segment_id"]]
    by_segment = segment_sentiment(labels, sentiment) if sentiment is not None else None
    if by_segment is not None:
        for column in ("mean", "positive", "neutral", "negative"):
            table[f"sentiment_{column}"] = table["segment_id"].map(by_segment[column]).astype(float).round(3).to_numpy()
    if lang is None:
        from segkit.io.language import MOSTLY_CHINESE, detect_language

        lang = "zh" if detect_language(user_texts, sample_size=500).label == MOSTLY_CHINESE else "en"
    personas = {}
    for segment, share in zip(table["segment_id"], table["share"], strict=True):
        if int(segment) == NOISE:
            continue
        mood = by_segment.loc[segment].to_dict() if by_segment is not None and segment in by_segment.index else None
        personas[int(segment)] = persona_line(int(segment), [t for t, _ in keywords.get(int(segment), [])],
                                              float(share), lifts, cat_lifts, mood, lang)
    table["persona"] = table["segment_id"].map(lambda s: personas.get(int(s), "")).to_numpy()
    return SegmentSummary(table, keywords, rep_texts, rep_ids, profile, categorical, lifts, cat_lifts,
                          by_segment, personas, lang)


def segment_sentiment(labels: np.ndarray, sentiment) -> pd.DataFrame | None:
    """Per segment: mean user score, shares of positive / neutral / negative reviews, reviews scored."""
    labels = np.asarray(labels)
    counts = np.column_stack([sentiment.positive, sentiment.neutral, sentiment.negative]).astype(float)
    if counts.sum() == 0:
        return None
    frame = pd.DataFrame(counts, columns=["positive", "neutral", "negative"])
    frame["segment"] = labels
    frame["score"] = sentiment.mean
    grouped = frame.groupby("segment")
    totals = grouped[["positive", "neutral", "negative"]].sum()
    n = totals.sum(axis=1)
    out = totals.div(n.where(n > 0), axis=0)
    out.insert(0, "mean", grouped["score"].mean())
    out["n_reviews"] = n.astype(int)
    everyone = totals.sum() / max(float(n.sum()), 1.0)
    out["all_mean"] = float(np.nanmean(frame["score"])) if frame["score"].notna().any() else np.nan
    for column in ("positive", "neutral", "negative"):
        out[f"all_{column}"] = float(everyone[column])
    return out


def _add_numeric_columns(table: pd.DataFrame, lifts: pd.DataFrame) -> None:
    """mean_, median_, all_mean_, diff_, lift_ and sig_<trait> (Welch, Bonferroni) per segment."""
    for trait, rows in lifts.groupby("trait", sort=False):
        rows = rows.set_index("segment")
        for out, source in (("mean", "mean"), ("median", "median"), ("all_mean", "all_mean"),
                            ("diff", "diff"), ("lift", "lift"), ("p", "p_adj")):
            table[f"{out}_{trait}"] = table["segment_id"].map(rows[source]).astype(float).round(4).to_numpy()
        table[f"sig_{trait}"] = table["segment_id"].map(rows["significant"]).fillna(False).astype(bool).to_numpy()


def _add_categorical_columns(table: pd.DataFrame, lifts: dict[str, pd.DataFrame]) -> None:
    """top_over_<col> / top_under_<col>: 'Beauty: 41% vs 12%, ×3.4; ...' (significant values only)."""
    for column, lift in lifts.items():
        over_text, under_text = [], []
        for segment in table["segment_id"]:
            over, under = over_under(lift, int(segment))
            over_text.append("; ".join(share_phrase(r) for _, r in over.iterrows()))
            under_text.append("; ".join(share_phrase(r) for _, r in under.iterrows()))
        table[f"top_over_{column}"] = over_text
        table[f"top_under_{column}"] = under_text

"""A one-line persona per segment, from a template: no language model, nothing invented.

Every clause comes from a number segkit measured: the segment's keywords, its rating
(or strongest numeric trait) against everyone's with the Welch flag, its most
over-represented category, its sentiment and its size. A difference that is not
significant is not claimed ("rates about average"). English and Chinese templates.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from segkit.describe.profile import over_under
from segkit.i18n import normalize_lang

RATING_NAME = re.compile(r"(rating|stars?|overall|score|评分|星级|评级)", re.IGNORECASE)


def rating_column(columns) -> str | None:
    """The first trait named like a rating (rating, stars, overall, score), if any."""
    for column in columns:
        if RATING_NAME.search(str(column)):
            return str(column)
    return None


def _num(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}".rstrip("0").rstrip(".") if abs(value) < 1 else f"{value:.1f}"


def _join(words: list[str], lang: str) -> str:
    if lang == "zh":
        return "、".join(words[:-1]) + ("和" if len(words) > 1 else "") + words[-1]
    return ", ".join(words[:-1]) + (" and " if len(words) > 1 else "") + words[-1]


def sentiment_words(positive: float, negative: float, lang: str = "en") -> str:
    zh = normalize_lang(lang) == "zh"
    if positive >= 0.6:
        return f"多为正面评价（{positive:.0%} 正面）" if zh else f"mostly positive ({positive:.0%} of reviews)"
    if negative >= 0.5:
        return f"多为负面评价（{negative:.0%} 负面）" if zh else f"mostly negative ({negative:.0%} of reviews)"
    return (f"褒贬不一（{positive:.0%} 正面，{negative:.0%} 负面）" if zh
            else f"mixed ({positive:.0%} positive, {negative:.0%} negative reviews)")


def _trait_clause(row: pd.Series, rating: bool, lang: str) -> str:
    zh = lang == "zh"
    unit = "★" if rating and re.search(r"star|rating|overall|评分|星", str(row["trait"]), re.I) else ""
    trait = str(row["trait"])
    mean, diff = float(row["mean"]), float(row["diff"])
    if not bool(row["significant"]) or diff == 0:
        if rating:
            return f"评分接近平均（{_num(mean)}{unit}）" if zh else f"rates about average ({_num(mean)}{unit})"
        return ""
    if rating:
        if zh:
            return f"评分比平均{'高' if diff > 0 else '低'} {_num(abs(diff))}{unit}（{_num(mean)} 对 {_num(row['all_mean'])}）"
        side = "above" if diff > 0 else "below"
        return f"rates {_num(abs(diff))}{unit} {side} average ({_num(mean)} vs {_num(row['all_mean'])})"
    if zh:
        return f"{trait} {'高于' if diff > 0 else '低于'}平均（{_num(mean)} 对 {_num(row['all_mean'])}）"
    return f"{trait} {'above' if diff > 0 else 'below'} average ({_num(mean)} vs {_num(row['all_mean'])})"


def persona_line(segment: int, keywords: list[str], share: float, numeric: pd.DataFrame | None = None,
                 categorical: dict[str, pd.DataFrame] | None = None, sentiment: dict | None = None,
                 lang: str = "en", n_keywords: int = 3) -> str:
    """e.g. "Writes about strings, pedals and tuner; rates 0.3★ below average (4.1 vs 4.4);
    mostly positive (81% of reviews); 22% of users."

    `numeric` is `numeric_lift(...)`, `categorical` {column: `categorical_lift(...)`},
    `sentiment` {"positive": share, "negative": share} of the segment's reviews.
    """
    lang = normalize_lang(lang)
    zh = lang == "zh"
    clauses = []
    words = [w for w in keywords if w][:n_keywords]
    if words:
        clauses.append(f"常写{_join(words, lang)}" if zh else f"Writes about {_join(words, lang)}")
    if numeric is not None and not numeric.empty:
        rows = numeric[(numeric["segment"] == segment) & (numeric["trait"] != "n_reviews")]
        rating = rating_column(rows["trait"].tolist())
        if rating is not None:
            clause = _trait_clause(rows[rows["trait"] == rating].iloc[0], True, lang)
        else:
            significant = rows[rows["significant"]]
            clause = ""
            if not significant.empty:
                strongest = significant.loc[significant["t"].abs().idxmax()]
                clause = _trait_clause(strongest, False, lang)
        if clause:
            clauses.append(clause)
    for column, table in (categorical or {}).items():
        over, _ = over_under(table, segment, top=1)
        if not over.empty:
            top = over.iloc[0]
            clauses.append(f"{column}：{top['value']} 占 {top['share']:.0%}（全体 {top['all_share']:.0%}）" if zh
                           else f"{column} {top['value']} {top['share']:.0%} vs {top['all_share']:.0%}")
            break
    if sentiment and np.isfinite(sentiment.get("positive", np.nan)):
        clauses.append(sentiment_words(float(sentiment["positive"]), float(sentiment["negative"]), lang))
    clauses.append(f"占用户 {share:.0%}" if zh else f"{share:.0%} of users")
    if zh:
        return "；".join(clauses) + "。"
    text = "; ".join(clauses) + "."
    return text[0].upper() + text[1:]

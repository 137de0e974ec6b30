"""Real labelled datasets for the benchmarks, read in place from /work/shared/data (never copied).

Each loader returns a frame with one row per user: `text` and the ground-truth `label`.
Subsamples are stratified by label and seeded, so every run sees the same users.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from segkit.io.roles import ColumnRoles

DATA_ROOT = Path(os.environ.get("SEGKIT_BENCH_DATA", "/work/shared/data"))


def stratified_sample(frame: pd.DataFrame, column: str, n: int | None, seed: int = 0) -> pd.DataFrame:
    """About n rows keeping each label's share (largest-remainder rounding), or all rows."""
    if n is None or n >= len(frame):
        return frame.reset_index(drop=True)
    rng = np.random.default_rng(seed)
    shares = frame[column].value_counts(normalize=True).sort_index()
    raw = shares * n
    counts = np.floor(raw).astype(int)
    for label in (raw - counts).sort_values(ascending=False).index[: n - counts.sum()]:
        counts[label] += 1
    parts = []
    for label, count in counts.items():
        rows = frame.index[frame[column] == label].to_numpy()
        parts.append(rng.choice(rows, size=min(count, len(rows)), replace=False))
    chosen = np.sort(np.concatenate(parts))
    return frame.loc[chosen].reset_index(drop=True)


def ag_news(n: int | None = None, seed: int = 0) -> pd.DataFrame:
    raw = pd.read_csv(DATA_ROOT / "ag_news_test" / "ag_news_test.csv")
    text = (raw["title"].fillna("").astype(str) + ". " + raw["description"].fillna("").astype(str))
    frame = pd.DataFrame({"text": text.str.replace("\\", " ", regex=False), "label": raw["label"].astype(str)})
    return stratified_sample(frame, "label", n, seed)


def womens_clothing(n: int | None = None, seed: int = 0) -> pd.DataFrame:
    raw = pd.read_csv(DATA_ROOT / "womens_clothing" / "womens_clothing_reviews.csv")
    raw = raw.dropna(subset=["Review Text", "Department Name"])
    title = raw["Title"].fillna("").astype(str)
    text = np.where(title.str.len() > 0, title + ". " + raw["Review Text"].astype(str), raw["Review Text"].astype(str))
    frame = pd.DataFrame({"text": text, "label": raw["Department Name"].astype(str),
                          "age": raw["Age"].to_numpy(), "rating": raw["Rating"].to_numpy()})
    return stratified_sample(frame, "label", n, seed)


def yelp(n: int | None = None, seed: int = 0) -> pd.DataFrame:
    raw = pd.read_csv(DATA_ROOT / "yelp_10k" / "yelp.csv")
    frame = pd.DataFrame({"text": raw["text"].fillna("").astype(str), "label": raw["stars"].astype(str)})
    return stratified_sample(frame, "label", n, seed)


TEXT_ONLY_ROLES = ColumnRoles(text_cols=("text",), label_col="label")

DATASETS = {"ag_news_test": ag_news, "womens_clothing": womens_clothing}


def womens_clothing_classes(n: int | None = 4000, seed: int = 0) -> pd.DataFrame:
    """The same texts as `womens_clothing`, labelled by the finer Class Name (20 classes)."""
    raw = pd.read_csv(DATA_ROOT / "womens_clothing" / "womens_clothing_reviews.csv")
    raw = raw.dropna(subset=["Review Text", "Department Name", "Class Name"])
    title = raw["Title"].fillna("").astype(str)
    text = np.where(title.str.len() > 0, title + ". " + raw["Review Text"].astype(str), raw["Review Text"].astype(str))
    frame = pd.DataFrame({"text": text, "label": raw["Class Name"].astype(str),
                          "department": raw["Department Name"].astype(str)})
    return stratified_sample(frame, "department", n, seed)


def amazon_instruments(max_users: int | None = None, seed: int = 0) -> pd.DataFrame:
    """Amazon Musical Instruments 5-core: one row per review, `user_id` = reviewerID,
    `text` = the review (a user's text is their reviews joined), traits rating and helpful
    votes. No topical label. `max_users`: a seeded sample of whole users."""
    raw = pd.read_json(DATA_ROOT / "amazon_musical_instruments_5core" / "reviews_Musical_Instruments_5.json.gz",
                       lines=True)
    frame = pd.DataFrame({"user_id": raw["reviewerID"].astype(str),
                          "text": raw["reviewText"].fillna("").astype(str),
                          "rating": raw["overall"].astype(float),
                          "helpful": raw["helpful"].map(lambda v: v[0] if isinstance(v, list) and v else 0)})
    if max_users is not None:
        users = frame["user_id"].unique()
        if max_users < len(users):
            keep = set(np.random.default_rng(seed).choice(users, size=max_users, replace=False))
            frame = frame[frame["user_id"].isin(keep)]
    return frame.reset_index(drop=True)


def zh_tnews(n: int | None = None, seed: int = 0) -> pd.DataFrame:
    """TNEWS dev (Chinese news titles, 15 topics): `text` = sentence, `label` = label_desc;
    duplicate sentences dropped (SOURCE.txt: the file repeats some)."""
    raw = pd.read_json(DATA_ROOT / "zh_tnews_dev" / "tnews_dev.json", lines=True, dtype={"label": str})
    raw = raw.drop_duplicates(subset="sentence")
    frame = pd.DataFrame({"text": raw["sentence"].astype(str), "label": raw["label_desc"].astype(str)})
    return stratified_sample(frame.reset_index(drop=True), "label", n, seed)


AMAZON_ROLES = ColumnRoles(text_cols=("text",), user_col="user_id")

"""Segment-aware recommendations, evaluated on held-out interactions.

Split: per user, the last `n_test` distinct items (by time when there are timestamps,
else a seeded random choice) are held out; users need at least `min_train` items left.
Methods (all recommend only items the user has not seen in training):

- global popularity: the most popular items overall (the baseline);
- segment popularity: the most popular items among the user's segment, the counts shrunk
  toward global popularity by PRIOR_USERS pseudo-users (users without a segment get global
  popularity);
- segment item-kNN: items that co-occur (cosine) with the user's items, counted only
  among users of the same segment, then segment popularity;
- item-kNN: the same over all users (the non-segmented reference for the kNN variant).

Metrics: hit rate@k (share of users with a held-out item in their top k), NDCG@k
(binary relevance) and catalogue coverage (share of training items recommended to
someone). Differences to global popularity come with a paired bootstrap 95% interval
over users, so a gain that is noise is reported as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from segkit.errors import SegkitInputError
from segkit.recommend.interactions import Interactions

METHODS = {
    "global_popularity": "Global popularity",
    "segment_popularity": "Segment popularity",
    "segment_item_knn": "Segment item-kNN",
    "item_knn": "Item-kNN (all users)",
}
SEGMENT_METHODS = ("segment_popularity", "segment_item_knn")
PRIOR_USERS = 10.0  # strength of the pull of segment popularity toward global popularity


@dataclass(frozen=True)
class Split:
    train: pd.DataFrame  # user, item, rating, time
    test: pd.DataFrame
    method: str  # in words, for reports
    n_test_per_user: int
    seed: int


def split_interactions(interactions: Interactions, n_test: int = 1, min_train: int = 1, seed: int = 0) -> Split:
    """Hold out `n_test` items per user who has at least n_test + min_train distinct items."""
    if n_test < 1 or min_train < 1:
        raise SegkitInputError(f"Need at least 1 held-out and 1 training item per user (got {n_test}, {min_train}).")
    frame = interactions.frame  # one row per (user, item), sorted by user then time/order
    counts = frame.groupby("user", sort=False)["item"].transform("size").to_numpy()
    eligible = counts >= n_test + min_train
    if interactions.has_time:
        position = frame.groupby("user", sort=False).cumcount().to_numpy()
        held = eligible & (position >= counts - n_test)
        method = f"by time: the last {n_test} item(s) of each user with at least {n_test + min_train} held out"
    else:
        rng = np.random.default_rng(seed)
        keys = pd.Series(rng.random(len(frame)), index=frame.index)
        position = keys.groupby(frame["user"], sort=False).rank(method="first").to_numpy() - 1
        held = eligible & (position < n_test)
        method = (f"random (seed {seed}): {n_test} item(s) of each user with at least {n_test + min_train} "
                  "held out (no timestamps)")
    test = frame[held].reset_index(drop=True)
    train = frame[~held].reset_index(drop=True)
    if test.empty:
        raise SegkitInputError(
            f"No user has {n_test + min_train} or more distinct items, so nothing can be held out for evaluation."
        )
    return Split(train, test, method, n_test, seed)


@dataclass
class _Encoded:
    items: np.ndarray  # item id per code
    user_ids: np.ndarray  # train user id per row of X
    X: sp.csr_matrix  # train users x items, binary
    user_row: dict  # user id -> row of X
    popularity: np.ndarray  # users per item (float)


def _encode(train: pd.DataFrame) -> _Encoded:
    item_codes, items = pd.factorize(train["item"], sort=True)
    user_codes, users = pd.factorize(train["user"], sort=False)
    X = sp.csr_matrix((np.ones(len(train), dtype=np.float32), (user_codes, item_codes)),
                      shape=(len(users), len(items)))
    X.sum_duplicates()
    X.data[:] = 1.0
    popularity = np.asarray(X.sum(axis=0)).ravel().astype(np.float64)
    return _Encoded(np.asarray(items, dtype=object), np.asarray(users, dtype=object), X,
                    {u: i for i, u in enumerate(users)}, popularity)


def _segment_of(users: np.ndarray, segments: pd.Series | None) -> np.ndarray:
    """Segment per user; -1 for none (no segment, or an outlier of a density method)."""
    if segments is None:
        return np.full(len(users), -1, dtype=np.int64)
    mapped = pd.Series(users).map(segments)
    return mapped.fillna(-1).astype(np.int64).to_numpy()


def _item_similarity(X: sp.csr_matrix) -> sp.csr_matrix:
    """Item-item cosine similarity from co-occurrence, diagonal removed."""
    co = (X.T @ X).tocsr().astype(np.float64)
    norms = np.sqrt(np.maximum(co.diagonal(), 1e-12))
    co.setdiag(0.0)
    co.eliminate_zeros()
    inv = sp.diags(1.0 / norms)
    return (inv @ co @ inv).tocsr()


def _top_k(scores: np.ndarray, seen: sp.csr_matrix, k: int) -> np.ndarray:
    scores = scores.copy()
    rows, cols = seen.nonzero()
    scores[rows, cols] = -np.inf
    k_eff = min(k, scores.shape[1])
    part = np.argpartition(-scores, k_eff - 1, axis=1)[:, :k_eff]
    part_scores = np.take_along_axis(scores, part, axis=1)
    # Stable order: higher score first, then the lower item code.
    order = np.lexsort((part, -part_scores), axis=1)
    top = np.take_along_axis(part, order, axis=1)
    top_scores = np.take_along_axis(part_scores, order, axis=1)
    top = np.where(np.isfinite(top_scores), top, -1)
    if k_eff < k:
        top = np.hstack([top, np.full((top.shape[0], k - k_eff), -1)])
    return top


def recommend(train: pd.DataFrame, users, k: int = 10, method: str = "segment_popularity",
              segments: pd.Series | None = None, batch: int = 2048, _encoded: _Encoded | None = None) -> pd.DataFrame:
    """Top-k unseen items for each of `users`: a frame with user, rank (1..k), item, method.

    Users absent from `train` get popularity (global, or their segment's).
    """
    if method not in METHODS:
        raise SegkitInputError(f"Unknown recommendation method '{method}'. Choose one of: {', '.join(METHODS)}.")
    enc = _encoded or _encode(train)
    codes = _recommend_codes(enc, np.asarray(list(users), dtype=object), k, method, segments, batch)
    users = np.asarray(list(users), dtype=object)
    rows = []
    for i, user in enumerate(users):
        for rank, code in enumerate(codes[i], start=1):
            if code >= 0:
                rows.append((user, rank, enc.items[code]))
    out = pd.DataFrame(rows, columns=["user", "rank", "item"])
    out["method"] = method
    return out


def _recommend_codes(enc: _Encoded, users: np.ndarray, k: int, method: str, segments: pd.Series | None,
                     batch: int) -> np.ndarray:
    n_items = len(enc.items)
    rows = np.array([enc.user_row.get(u, -1) for u in users], dtype=np.int64)
    empty = sp.csr_matrix((1, n_items), dtype=np.float32)
    seen = sp.vstack([enc.X[r] if r >= 0 else empty for r in rows]).tocsr() if len(users) else empty[:0]
    global_pop = enc.popularity / max(enc.popularity.max(), 1.0)
    out = np.full((len(users), k), -1, dtype=np.int64)
    if method in SEGMENT_METHODS:
        train_segments = _segment_of(enc.user_ids, segments)
        user_segments = _segment_of(users, segments)
    else:
        train_segments = np.full(len(enc.user_ids), 0, dtype=np.int64)
        user_segments = np.zeros(len(users), dtype=np.int64)
    for segment in np.unique(user_segments):
        idx = np.flatnonzero(user_segments == segment)
        if segment < 0 or method == "global_popularity":
            base = np.broadcast_to(global_pop, (1, n_items))
            similarity = None
        else:
            members = enc.X[np.flatnonzero(train_segments == segment)]
            seg_pop = np.asarray(members.sum(axis=0)).ravel()
            # Segment counts shrunk toward global popularity by PRIOR_USERS pseudo-users, so a
            # small segment's noisy counts do not override what everybody likes.
            global_share = enc.popularity / max(len(enc.user_ids), 1)
            base = (seg_pop + PRIOR_USERS * global_share)[None, :]
            similarity = _item_similarity(members) if method.endswith("item_knn") else None
        for start in range(0, len(idx), batch):
            chunk = idx[start:start + batch]
            user_seen = seen[chunk]
            if similarity is not None:
                knn = np.asarray((user_seen @ similarity).todense())
                # Co-occurrence first; popularity (scaled below the smallest step) fills in.
                scores = knn + 1e-6 * base / max(base.max(), 1e-12)
            else:
                scores = np.repeat(np.asarray(base, dtype=np.float64), len(chunk), axis=0)
            out[chunk] = _top_k(scores, user_seen, k)
    return out


def _per_user_metrics(enc: _Encoded, test: pd.DataFrame, users: np.ndarray, codes: np.ndarray, k: int):
    item_code = {item: i for i, item in enumerate(enc.items)}
    held: dict = {}
    for user, item in zip(test["user"], test["item"], strict=True):
        held.setdefault(user, set()).add(item_code.get(item, -2))  # -2: item unseen in training
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    hits = np.zeros(len(users))
    ndcg = np.zeros(len(users))
    for i, user in enumerate(users):
        relevant = held[user]
        gains = np.array([c in relevant for c in codes[i]], dtype=float)
        hits[i] = float(gains.any())
        ideal = discounts[: min(len(relevant), k)].sum()
        ndcg[i] = float((gains * discounts).sum() / ideal)
    return hits, ndcg


def paired_bootstrap(values: np.ndarray, baseline: np.ndarray, n_boot: int = 1000, seed: int = 0,
                     level: float = 0.95) -> tuple[float, float, float]:
    """Mean paired difference (values - baseline) and its bootstrap percentile interval over users."""
    diff = np.asarray(values, dtype=float) - np.asarray(baseline, dtype=float)
    if diff.size == 0:
        return float("nan"), float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    means = np.empty(n_boot)
    step = max(1, 2_000_000 // diff.size)
    for start in range(0, n_boot, step):
        stop = min(n_boot, start + step)
        idx = rng.integers(0, diff.size, size=(stop - start, diff.size))
        means[start:stop] = diff[idx].mean(axis=1)
    alpha = (1 - level) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return float(diff.mean()), float(low), float(high)


@dataclass(frozen=True)
class RecommendationReport:
    table: pd.DataFrame  # one row per (segmentation, method)
    per_user: pd.DataFrame  # user, segmentation, method, hit, ndcg
    split: Split
    k: int
    n_items: int
    notes: tuple[str, ...] = field(default_factory=tuple)


def shuffled_segments(segments: pd.Series, seed: int = 0) -> pd.Series:
    """The same segment sizes with users assigned at random: a control that has no signal."""
    rng = np.random.default_rng(seed)
    return pd.Series(rng.permutation(segments.to_numpy()), index=segments.index, name=segments.name)


def evaluate_recommendations(interactions: Interactions, segmentations: dict[str, pd.Series], k: int = 10,
                             n_test: int = 1, min_train: int = 1, seed: int = 0,
                             methods: tuple[str, ...] = ("segment_popularity",), include_item_knn: bool = False,
                             shuffled_control: bool = True, n_boot: int = 1000,
                             split: Split | None = None) -> RecommendationReport:
    """Evaluate global popularity and segment-aware methods for each segmentation.

    `segmentations`: name -> Series (user id str -> segment id). The shuffled control
    (the first segmentation's labels permuted among its users) shows what segment-aware
    recommendation scores with segments that carry no information.
    """
    if k < 1:
        raise SegkitInputError(f"k must be at least 1 (got {k}).")
    for method in methods:
        if method not in SEGMENT_METHODS:
            raise SegkitInputError(f"'{method}' is not a segment-aware method; choose from {', '.join(SEGMENT_METHODS)}.")
    split = split or split_interactions(interactions, n_test=n_test, min_train=min_train, seed=seed)
    enc = _encode(split.train)
    users = np.array(sorted(set(split.test["user"]) & set(enc.user_row)), dtype=object)
    if len(users) == 0:
        raise SegkitInputError("No held-out user has training interactions left to recommend from.")
    notes: list[str] = [f"split {split.method}; {len(users)} users evaluated, {len(enc.items)} items in training"]
    unseen = int((~split.test["item"].isin(set(enc.items))).sum())
    if unseen:
        notes.append(f"{unseen} held-out interaction(s) are items never seen in training: no method can hit them")
    runs: list[tuple[str, str, pd.Series | None]] = [("-", "global_popularity", None)]
    if include_item_knn:
        runs.append(("-", "item_knn", None))
    segmentations = dict(segmentations)
    if shuffled_control and segmentations:
        first_name, first = next(iter(segmentations.items()))
        segmentations[f"{first_name} (shuffled)"] = shuffled_segments(first, seed=seed)
    for name, segments in segmentations.items():
        if segments is None or len(segments) == 0:
            raise SegkitInputError(f"Segmentation '{name}' is empty.")
        segments = segments.copy()
        segments.index = segments.index.astype(str)
        covered = float(pd.Series(users).isin(segments[segments >= 0].index).mean())
        notes.append(f"segmentation '{name}': {covered:.0%} of evaluated users have a segment")
        if covered == 0:
            raise SegkitInputError(
                f"No evaluated user of the interactions has a segment in '{name}': do the user ids match?"
            )
        for method in methods:
            runs.append((name, method, segments))
    rows, per_user = [], []
    baseline = None
    for name, method, segments in runs:
        codes = _recommend_codes(enc, users, k, method, segments, batch=2048)
        hits, ndcg = _per_user_metrics(enc, split.test, users, codes, k)
        if baseline is None:
            baseline = (hits, ndcg)
        hr_gain, hr_low, hr_high = paired_bootstrap(hits, baseline[0], n_boot, seed)
        nd_gain, nd_low, nd_high = paired_bootstrap(ndcg, baseline[1], n_boot, seed)
        recommended = np.unique(codes[codes >= 0])
        n_segments = int(segments[segments >= 0].nunique()) if segments is not None else 0
        rows.append({
            "segmentation": name, "method": METHODS[method], "n_segments": n_segments, "users": len(users),
            f"hit_rate@{k}": float(hits.mean()), f"ndcg@{k}": float(ndcg.mean()),
            "coverage": len(recommended) / max(len(enc.items), 1),
            "hit_rate_gain": hr_gain, "hit_rate_ci_low": hr_low, "hit_rate_ci_high": hr_high,
            "ndcg_gain": nd_gain, "ndcg_ci_low": nd_low, "ndcg_ci_high": nd_high,
            "verdict": _verdict(method, nd_low, nd_high),
        })
        per_user.append(pd.DataFrame({"user": users, "segmentation": name, "method": METHODS[method],
                                      "hit": hits, "ndcg": ndcg}))
    return RecommendationReport(pd.DataFrame(rows), pd.concat(per_user, ignore_index=True), split, k,
                                len(enc.items), tuple(interactions.notes) + tuple(notes))


def _verdict(method: str, low: float, high: float) -> str:
    """In words, from the NDCG interval: only an interval above 0 is a gain."""
    if method == "global_popularity":
        return "baseline"
    if low > 0:
        return "better"
    if high < 0:
        return "worse"
    return "no clear difference"


def format_report(report: RecommendationReport) -> str:
    """The report as a plain-text table (CLI), with the bootstrap intervals in words."""
    k = report.k
    table = report.table.copy()
    show = pd.DataFrame({
        "segmentation": table["segmentation"], "method": table["method"], "segments": table["n_segments"],
        f"HR@{k}": table[f"hit_rate@{k}"].map("{:.4f}".format),
        f"NDCG@{k}": table[f"ndcg@{k}"].map("{:.4f}".format),
        "coverage": table["coverage"].map("{:.3f}".format),
        "NDCG gain [95% CI]": [
            "baseline" if v == "baseline" else f"{g:+.4f} [{lo:+.4f}, {hi:+.4f}]"
            for v, g, lo, hi in zip(table["verdict"], table["ndcg_gain"], table["ndcg_ci_low"], table["ndcg_ci_high"], strict=True)
        ],
        "verdict": table["verdict"],
    })
    lines = [show.to_string(index=False), "",
             f"gain = difference to global popularity, paired bootstrap 95% interval over {int(table['users'].iloc[0])} "
             "users; 'better' only when the whole interval is above 0"]
    lines += [f"note: {n}" for n in report.notes]
    return "\n".join(lines)

"""Where segments should help: users with thin or no history, and as a prior for item-kNN.

The split (`cold_start_split`) puts every user in one group:

- new users: a seeded share of the users with 2+ items; their whole history leaves
  training. They are known only by their first interaction (the sign-up review): its
  text places them in a segment through the saved model, its item is excluded from the
  candidates, and their later items are what must be found;
- thin users: another seeded share; training keeps only their first 1 or 2 items
  (alternating), and their last item is held out. They are assigned by the saved model too;
- warm users: the rest; their last item is held out, their earlier ones train. Only
  these users' training-period text enters the segmentation fit.

`evaluate_cold_start` scores every recommender of `segkit.recommend.scoring` per group,
with paired bootstrap 95% intervals over users for the comparisons that answer the
questions (segments vs global popularity, hybrid vs item-kNN, hybrid with the segment
prior vs the same hybrid with global popularity as the prior).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from segkit.errors import SegkitInputError
from segkit.recommend.evaluate import paired_bootstrap
from segkit.recommend.interactions import Interactions
from segkit.recommend.scoring import (
    SCORERS,
    build_catalogue,
    evaluate_method,
    known_users,
    relevant_codes,
)

GROUPS = {"warm": "Warm users (full history)", "thin": "Thin history (1-2 training items)",
          "new": "New users (sign-up review only)"}
WEIGHT_GRID = tuple(np.round(np.linspace(0.0, 1.0, 11), 2))
# How the validation users for each group's blend weight are known: everything, their first
# 1 or 2 items (thin), their first item (new users: the sign-up review's item).
VALIDATION_HISTORY = {"warm": None, "thin": (1, 2), "new": (1,)}
COMPARISONS = (  # (method, baseline): the questions each group's table answers
    ("segment_popularity", "global_popularity"),
    ("segment_popularity_shuffled", "global_popularity"),
    ("text_knn", "global_popularity"),
    ("item_knn", "global_popularity"),
    ("hybrid_segment", "item_knn"),
    ("hybrid_segment", "hybrid_global"),
)


@dataclass(frozen=True)
class ColdStartSplit:
    train: pd.DataFrame  # user, item, rating, time: what the recommenders may learn from
    warm_test: pd.DataFrame  # last item of each warm user
    thin_test: pd.DataFrame  # last item of each thin user
    new_first: pd.DataFrame  # each new user's first interaction (the sign-up review)
    new_test: pd.DataFrame  # each new user's later items
    description: str

    def users(self, group: str) -> np.ndarray:
        test = {"warm": self.warm_test, "thin": self.thin_test, "new": self.new_test}[group]
        return np.array(sorted(set(test["user"])), dtype=object)


def cold_start_split(interactions: Interactions, new_share: float = 0.2, thin_share: float = 0.2,
                     thin_sizes: tuple[int, ...] = (1, 2), seed: int = 0) -> ColdStartSplit:
    """Assign each user with 2+ items to new, thin or warm (seeded), as the module says."""
    if not (0 <= new_share < 1 and 0 <= thin_share < 1 and new_share + thin_share < 1):
        raise SegkitInputError("The new-user and thin-history shares must be in [0, 1) and sum to less than 1.")
    frame = interactions.frame  # sorted by user, then time (or file order)
    position = frame.groupby("user", sort=False).cumcount().to_numpy()
    counts = frame.groupby("user", sort=False)["item"].transform("size").to_numpy()
    eligible = np.array(sorted(frame.loc[counts >= 2, "user"].unique()), dtype=object)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(eligible))
    n_new, n_thin = int(round(new_share * len(eligible))), int(round(thin_share * len(eligible)))
    new = set(eligible[order[:n_new]])
    thin_pool = list(eligible[order[n_new:]])
    n_items = frame.groupby("user", sort=False).size()
    # Thin users need one more item than the history they keep; their size alternates.
    thin: dict = {}
    for user in thin_pool:
        if len(thin) >= n_thin:
            break
        size = thin_sizes[len(thin) % len(thin_sizes)]
        if int(n_items[user]) >= size + 1:
            thin[user] = size
    user = frame["user"].to_numpy()
    is_new = np.isin(user, list(new))
    is_thin = np.isin(user, list(thin))
    keep = np.array([thin.get(u, 0) for u in user]) if thin else np.zeros(len(user), dtype=int)
    last = position == counts - 1
    multi = counts >= 2
    warm_test = ~is_new & ~is_thin & multi & last
    thin_test = is_thin & last
    thin_train = is_thin & (position < keep)
    warm_train = ~is_new & ~is_thin & ~warm_test
    ordered = "by time" if interactions.has_time else "in file order (no timestamps)"
    description = (f"{len(new)} new users (known by their first review only), {len(thin)} thin-history users "
                   f"(first {'/'.join(map(str, thin_sizes))} item(s) kept), the other users' last item held out; "
                   f"items ordered {ordered}; seed {seed}")
    pick = ["user", "item", "rating", "time"]
    return ColdStartSplit(
        train=frame.loc[warm_train | thin_train, pick].reset_index(drop=True),
        warm_test=frame.loc[warm_test, pick].reset_index(drop=True),
        thin_test=frame.loc[thin_test, pick].reset_index(drop=True),
        new_first=frame.loc[is_new & (position == 0), pick].reset_index(drop=True),
        new_test=frame.loc[is_new & (position > 0), pick].reset_index(drop=True),
        description=description,
    )


def choose_blend_weight(train: pd.DataFrame, segments: pd.Series | None, prior: str = "hybrid_segment",
                        k: int = 10, grid: tuple[float, ...] = WEIGHT_GRID,
                        history_sizes: tuple[int, ...] | None = None) -> tuple[float, pd.DataFrame]:
    """The hybrid's prior weight w, chosen on the training split only: each training user with
    2+ training items holds out their last one, and w maximises NDCG@k there (ties: smaller w).
    `history_sizes` makes the validation users look like the group the weight is for: each is
    known by only their first s items (s alternating over the sizes), as thin or new users are.
    Returns w and the validation curve (weight, ndcg)."""
    counts = train.groupby("user", sort=False)["item"].transform("size").to_numpy()
    position = train.groupby("user", sort=False).cumcount().to_numpy()
    held = (counts >= 2) & (position == counts - 1)
    inner_train, inner_test = train[~held], train[held]
    if inner_test.empty:
        return 0.0, pd.DataFrame({"weight": [0.0], "ndcg": [np.nan]})
    history = inner_train[inner_train["user"].isin(set(inner_test["user"]))]
    if history_sizes:
        users = sorted(set(inner_test["user"]))
        size = pd.Series([history_sizes[i % len(history_sizes)] for i in range(len(users))], index=users)
        rank = history.groupby("user", sort=False).cumcount().to_numpy()
        history = history[rank < history["user"].map(size).to_numpy()]
    catalogue = build_catalogue(inner_train, segments)
    users = np.array(sorted(set(inner_test["user"])), dtype=object)
    known = known_users(catalogue, users, history, segments)
    relevant = relevant_codes(catalogue, users, inner_test)
    curve = []
    for weight in grid:
        _, ndcg, _ = evaluate_method(catalogue, known, relevant, prior, k=k, weight=float(weight))
        curve.append({"weight": float(weight), "ndcg": float(ndcg.mean())})
    curve = pd.DataFrame(curve)
    best = curve.sort_values(["ndcg", "weight"], ascending=[False, True]).iloc[0]
    return float(best["weight"]), curve


@dataclass(frozen=True)
class ColdStartReport:
    table: pd.DataFrame  # group, method, label, users, hit_rate@k, ndcg@k, gain_vs_global, ci_low, ci_high
    comparisons: pd.DataFrame  # group, method, baseline, gain, ci_low, ci_high, verdict
    weights: dict  # group -> hybrid method -> chosen w
    weight_curves: dict  # group -> hybrid method -> validation curve (weight, ndcg)
    split: ColdStartSplit
    k: int
    notes: tuple[str, ...] = field(default_factory=tuple)
    per_user: pd.DataFrame | None = None  # group, user, segment, method, ndcg (for per-segment views)


BLEND_STEPS = 10


def evaluate_cold_start(split: ColdStartSplit, segments: pd.Series, vectors: tuple[np.ndarray, np.ndarray] | None,
                        k: int = 10, n_boot: int = 1000, seed: int = 0, n_neighbours: int = 50,
                        groups: tuple[str, ...] = ("warm", "thin", "new"),
                        methods: tuple[str, ...] = tuple(SCORERS),
                        progress: Callable[[int, int], None] | None = None) -> ColdStartReport:
    """Score the recommenders (`methods`, default all) on every group. `segments`: user id ->
    segment for training and evaluated users (fitted users from the run, the others from the
    saved model); `vectors`: (user ids, fused vectors) for nearest users by embedding, training and
    evaluated users alike (None: that method is skipped). `progress(done, total)` hears each
    blend weight chosen and each method scored."""
    blended = "hybrid_segment" in methods or "hybrid_global" in methods
    # Choosing a group's blend weight took as long as ~10 scored methods (0.19-0.46 s vs
    # 0.01-0.05 s on three sets), so it counts as that many steps of the progress.
    blend_steps = BLEND_STEPS if blended else 0
    steps, done = len(groups) * (len(methods) + blend_steps), 0

    def step(count: int = 1) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, steps)

    segments = segments.copy()
    segments.index = segments.index.astype(str)
    catalogue = build_catalogue(split.train, segments, vectors)
    weights: dict = {group: {} for group in groups}
    curves: dict = {group: {} for group in groups}
    notes = [split.description]
    for group in groups:
        if blended:
            weight, curves[group]["hybrid_segment"] = choose_blend_weight(
                split.train, segments, "hybrid_segment", k, history_sizes=VALIDATION_HISTORY[group])
            step(blend_steps)
            # The control is an ablation: the same blend and weight with the segments taken away.
            # Tuning its weight apart let a weight difference pass for a segment effect (on the
            # generated set whose demographics say nothing of taste: +0.0145 [+0.0082, +0.0214]).
            weights[group] = {"hybrid_segment": weight, "hybrid_global": weight}
            notes.append(f"{GROUPS[group]}: blend weight w = {weight:.1f}, chosen on a validation split of the "
                         "training data (validation users known like this group); the global-prior control "
                         "uses the same w")
    rows, comparisons, per_user = [], [], []
    rng = np.random.default_rng(seed)
    for group in groups:
        test = {"warm": split.warm_test, "thin": split.thin_test, "new": split.new_test}[group]
        history = split.new_first if group == "new" else split.train
        users = split.users(group)
        if len(users) == 0:
            notes.append(f"{GROUPS[group]}: no users")
            step(len(methods))
            continue
        known = known_users(catalogue, users, history[history["user"].isin(set(users))], segments, vectors)
        relevant = relevant_codes(catalogue, users, test)
        shuffled = rng.permutation(known.segments)
        per_method = {}
        for method in sorted(methods, key=lambda m: m != "global_popularity"):  # the baseline first
            if method == "text_knn" and known.vectors is None:
                step()
                continue
            options = {"n_neighbours": n_neighbours}
            if method.startswith("hybrid"):
                options["weight"] = weights[group][method]
            if method == "segment_popularity_shuffled":
                options["segments"] = shuffled
            hits, ndcg, _ = evaluate_method(catalogue, known, relevant, method, k=k, **options)
            per_method[method] = ndcg
            per_user.append(pd.DataFrame({"group": group, "user": users, "segment": known.segments,
                                          "method": method, "ndcg": ndcg}))
            gain, low, high = paired_bootstrap(ndcg, per_method.get("global_popularity", ndcg), n_boot, seed)
            rows.append({"group": group, "method": method, "label": SCORERS[method], "users": len(users),
                         f"hit_rate@{k}": float(hits.mean()), f"ndcg@{k}": float(ndcg.mean()),
                         "gain_vs_global": gain, "ci_low": low, "ci_high": high})
            step()
        for method, baseline in COMPARISONS:
            if method in per_method and baseline in per_method:
                gain, low, high = paired_bootstrap(per_method[method], per_method[baseline], n_boot, seed)
                comparisons.append({"group": group, "method": method, "baseline": baseline, "users": len(users),
                                    "gain": gain, "ci_low": low, "ci_high": high, "verdict": _verdict(low, high)})
        segmented = float((known.segments >= 0).mean())
        notes.append(f"{GROUPS[group]}: {len(users)} users, {segmented:.0%} with a segment")
    per_user = pd.concat(per_user, ignore_index=True) if per_user else None
    return ColdStartReport(pd.DataFrame(rows), pd.DataFrame(comparisons), weights, curves, split, k, tuple(notes),
                           per_user)


def _verdict(low: float, high: float) -> str:
    """Only an interval wholly above 0 is a gain; wholly below, a loss."""
    if low > 0:
        return "gain"
    if high < 0:
        return "loss"
    return "no measurable difference"


def comparison(report: ColdStartReport, group: str, method: str, baseline: str) -> dict | None:
    """One row of `report.comparisons` as a dict, or None when it was not measured."""
    table = report.comparisons
    if table.empty:
        return None
    hit = table[(table["group"] == group) & (table["method"] == method) & (table["baseline"] == baseline)]
    return None if hit.empty else hit.iloc[0].to_dict()


def format_cold_start(report: ColdStartReport) -> str:
    """The report as plain text: per group, each method's scores, then the comparisons with intervals."""
    k = report.k
    lines = []
    for group in GROUPS:
        metrics = report.table[report.table["group"] == group] if not report.table.empty else report.table
        if metrics.empty:
            continue
        lines.append(f"--- {GROUPS[group]}: {int(metrics['users'].iloc[0])} users")
        show = pd.DataFrame({"method": metrics["label"], f"HR@{k}": metrics[f"hit_rate@{k}"].map("{:.4f}".format),
                             f"NDCG@{k}": metrics[f"ndcg@{k}"].map("{:.4f}".format)})
        lines.append(show.to_string(index=False))
        gains = report.comparisons[report.comparisons["group"] == group]
        if not gains.empty:
            show = pd.DataFrame({
                "comparison": [f"{SCORERS[m]} vs {SCORERS[b]}" for m, b in zip(gains["method"], gains["baseline"],
                                                                                strict=True)],
                f"NDCG@{k} gain [95% CI]": [f"{g:+.4f} [{lo:+.4f}, {hi:+.4f}]" for g, lo, hi in
                                           zip(gains["gain"], gains["ci_low"], gains["ci_high"], strict=True)],
                "verdict": gains["verdict"]})
            lines.append(show.to_string(index=False))
        lines.append("")
    lines += [f"note: {n}" for n in report.notes]
    return "\n".join(lines)

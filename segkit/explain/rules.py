"""Segment rules: short conditions a person can read that pick out a segment's users.

Per segment, one shallow decision tree (depth <= 3) learns "this segment or not" from the
readable features (segkit.explain.features: traits in their units, common categorical
values, the segments' keywords). One tree per segment rather than one tree for all: a
single depth-3 tree has at most 8 leaves, so with 10 segments some would get no rule at
all. Each tree is fitted with three class weightings (balanced, none, and between) and
the one whose rules together have the best F1 is kept: balanced lets a small segment shape
the splits, but its leaves can hold more other users than members.

A leaf becomes a rule when the tree says "this segment" there (both sides of a split
saying so make one rule) and at least `min_precision` of its users are in the segment.
For each rule:

    coverage  = segment users the rule covers / segment users
    precision = segment users the rule covers / users the rule covers

The trees together also classify: each user goes to the segment whose tree puts them in
the leaf with the largest share of that segment's users. Their overall agreement is the
share of users this puts in their own segment (on the users the trees were fitted on;
`segkit.explain.separability` cross-validates it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from segkit.explain.features import LEVEL, TERM, ExplainFeatures, Feature
from segkit.explain.sampling import assigned_positions, stratified_sample
from segkit.explain.words import tr

MAX_DEPTH = 3
MIN_PRECISION = 0.5  # a leaf where most covered users are elsewhere does not describe the segment
MAX_RULES = 3  # per segment, the rules covering most of its users
MAX_RULE_USERS = 20_000  # trees fitted on a seeded sample above this; rules settle long before


def _num(value: float) -> str:
    if abs(value) >= 10_000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


@dataclass(frozen=True)
class Condition:
    """`feature` > low and/or <= high (a yes/no feature: low 0.5 is "yes", high 0.5 is "no")."""

    feature: Feature
    low: float | None = None
    high: float | None = None

    def holds(self, column: np.ndarray) -> np.ndarray:
        column = np.asarray(column, dtype=np.float64)
        out = np.ones(len(column), dtype=bool)
        if self.low is not None:
            out &= column > self.low
        if self.high is not None:
            out &= column <= self.high
        return out

    def text(self, lang: str = "en") -> str:
        f = self.feature
        if f.kind in (LEVEL, TERM):
            yes = self.low is not None
            if f.kind == LEVEL:
                return tr("explain.is_level" if yes else "explain.not_level", lang, column=f.name, level=f.level)
            return tr("explain.mentions" if yes else "explain.not_mentions", lang, term=f.name)
        if f.integer:  # x > 39.5 reads "x ≥ 40" for whole numbers
            low = None if self.low is None else math.floor(self.low) + 1
            high = None if self.high is None else math.floor(self.high)
            if low is not None and high is not None:
                if low == high:
                    return tr("explain.eq", lang, name=f.name, value=_num(low))
                return tr("explain.between_int", lang, name=f.name, low=_num(low), high=_num(high))
            if low is not None:
                return tr("explain.ge", lang, name=f.name, value=_num(low))
            return tr("explain.le", lang, name=f.name, value=_num(high))
        if self.low is not None and self.high is not None:
            return tr("explain.between", lang, name=f.name, low=_num(self.low), high=_num(self.high))
        if self.low is not None:
            return tr("explain.gt", lang, name=f.name, value=_num(self.low))
        return tr("explain.le", lang, name=f.name, value=_num(self.high))


@dataclass(frozen=True)
class SegmentRule:
    segment: int
    conditions: tuple[Condition, ...]
    n_covered: int  # users the rule covers
    n_hits: int  # of those, users in the segment
    segment_size: int

    @property
    def coverage(self) -> float:
        return self.n_hits / self.segment_size if self.segment_size else 0.0

    @property
    def precision(self) -> float:
        return self.n_hits / self.n_covered if self.n_covered else 0.0

    def text(self, lang: str = "en") -> str:
        if not self.conditions:
            return tr("explain.everyone", lang)
        return tr("explain.and", lang).join(c.text(lang) for c in self.conditions)

    def line(self, lang: str = "en") -> str:
        """"spend > 240 and mentions “strings” → 78% of this segment's users, 91% precision"."""
        return tr("explain.rule_line", lang, rule=self.text(lang), coverage=f"{self.coverage:.0%}",
                  precision=f"{self.precision:.0%}")

    def covers(self, features: ExplainFeatures) -> np.ndarray:
        """Which rows of `features` (built with the same features) satisfy every condition."""
        position = {f: j for j, f in enumerate(features.features)}
        out = np.ones(features.matrix.shape[0], dtype=bool)
        for condition in self.conditions:
            j = position.get(condition.feature)
            if j is None:
                raise ValueError(f"feature {condition.feature} is not in this feature table")
            out &= condition.holds(features.matrix[:, j])
        return out


@dataclass(frozen=True)
class SegmentTrees:
    """The fitted one-vs-rest trees, usable as one classifier (module docstring)."""

    segments: tuple[int, ...]
    trees: tuple  # DecisionTreeClassifier per segment
    node_share: tuple[np.ndarray, ...]  # per tree, per node: share of its fitting users in the segment
    rules: tuple[tuple[SegmentRule, ...], ...] = ()  # per tree, its rules (most users first)

    def scores(self, matrix: np.ndarray) -> np.ndarray:
        """(users, segments): the share of the segment in the leaf each tree puts the user in."""
        return np.column_stack([share[tree.apply(matrix)]
                                for tree, share in zip(self.trees, self.node_share, strict=True)])

    def predict(self, matrix: np.ndarray) -> np.ndarray:
        return np.asarray(self.segments)[self.scores(matrix).argmax(axis=1)]


@dataclass(frozen=True)
class SegmentRules:
    rules: dict[int, tuple[SegmentRule, ...]]  # every segment, possibly with no rule
    set_coverage: dict[int, float]  # the segment's rules together (their leaves never overlap)
    set_precision: dict[int, float]
    agreement: float  # share of users the trees together put in their own segment
    n_users: int  # users the trees were fitted on
    n_unassigned: int  # unassigned users left out
    sampled: bool
    max_depth: int = MAX_DEPTH
    min_precision: float = MIN_PRECISION
    features: tuple[Feature, ...] = ()  # what the trees saw (features_like rebuilds them for other users)

    def lines(self, segment: int, lang: str = "en") -> list[str]:
        return [rule.line(lang) for rule in self.rules.get(int(segment), ())]

    def rule_for(self, segment: int, features: ExplainFeatures, row: int) -> SegmentRule | None:
        """The segment's rule that covers row `row` of `features`, if one does."""
        single = ExplainFeatures(features.features, features.matrix[row:row + 1])
        for rule in self.rules.get(int(segment), ()):
            if rule.covers(single)[0]:
                return rule
        return None


def _weightings(target: np.ndarray) -> list:
    """Class weights to try: balanced (a small segment shapes the splits, but its leaves may hold
    more others than members), none (leaves must hold a majority of members), and between."""
    positives = max(int(target.sum()), 1)
    ratio = max(len(target) - positives, 1) / positives
    return ["balanced", {False: 1.0, True: float(np.sqrt(ratio))}, None]


def _rule_set_f1(rules: list[SegmentRule]) -> float:
    if not rules:
        return 0.0
    hits, covered = sum(r.n_hits for r in rules), sum(r.n_covered for r in rules)
    coverage, precision = hits / max(rules[0].segment_size, 1), hits / max(covered, 1)
    return 2 * coverage * precision / (coverage + precision) if coverage + precision else 0.0


def fit_segment_trees(features: ExplainFeatures, labels: np.ndarray, max_depth: int = MAX_DEPTH,
                      seed: int = 0, min_precision: float = MIN_PRECISION,
                      max_rules: int = MAX_RULES) -> SegmentTrees:
    """One depth-`max_depth` tree per segment in `labels` (no label may be negative): of the
    class weightings `_weightings` tries, the one whose rules together have the best F1
    (coverage and precision of the segment's rules taken together)."""
    from sklearn.tree import DecisionTreeClassifier

    labels = np.asarray(labels)
    segments = tuple(int(s) for s in np.unique(labels))
    matrix = features.matrix if features.matrix.shape[1] else np.zeros((len(labels), 1))  # no feature: one leaf
    min_leaf = max(5, len(labels) // 200)  # a rule about a handful of users says little
    trees, shares, all_rules = [], [], []
    for segment in segments:
        target = labels == segment
        best = None
        for weighting in _weightings(target):
            tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=min_leaf, class_weight=weighting,
                                          random_state=seed).fit(matrix, target)
            found = _leaf_rules(tree, features.features, segment, target, matrix, min_precision)
            found.sort(key=lambda r: (-r.n_hits, -r.precision))
            found = found[:max_rules]
            score = _rule_set_f1(found)
            if best is None or score > best[0] + 1e-9:
                best = (score, tree, found)
        _, tree, found = best
        nodes = tree.apply(matrix)
        size = np.bincount(nodes, minlength=tree.tree_.node_count)
        hits = np.bincount(nodes, weights=target, minlength=tree.tree_.node_count)
        trees.append(tree)
        shares.append(np.divide(hits, size, out=np.zeros_like(hits), where=size > 0))
        all_rules.append(tuple(found))
    return SegmentTrees(segments, tuple(trees), tuple(shares), tuple(all_rules))


def _leaf_rules(tree, features: tuple[Feature, ...], segment: int, target: np.ndarray,
                matrix: np.ndarray, min_precision: float) -> list[SegmentRule]:
    inner = tree.tree_
    paths = tree.decision_path(matrix)  # users x nodes: every node a user passes, inner ones too
    size = np.asarray(paths.sum(axis=0)).ravel()
    hits = np.asarray(paths.T @ target.astype(np.float64)).ravel().round().astype(int)
    n_segment = int(target.sum())
    rules: list[SegmentRule] = []

    def says_yes(node: int) -> bool:
        """Every leaf under `node` says "this segment" (by the tree's class weights)."""
        left, right = inner.children_left[node], inner.children_right[node]
        if left == -1:
            weighted = inner.value[node][0]
            return len(weighted) > 1 and weighted[1] > weighted[0]
        return says_yes(left) and says_yes(right)

    def walk(node: int, path: list[tuple[int, float | None, float | None]]) -> None:
        left, right = inner.children_left[node], inner.children_right[node]
        # A split whose both sides say "yes" changes nothing: the node is one rule, not two.
        if left == -1 or says_yes(node):
            if says_yes(node) and size[node] and hits[node] / size[node] >= min_precision:
                rules.append(SegmentRule(segment, _merge(path, features), int(size[node]), int(hits[node]),
                                         n_segment))
            return
        j, threshold = int(inner.feature[node]), float(inner.threshold[node])
        walk(left, [*path, (j, None, threshold)])
        walk(right, [*path, (j, threshold, None)])

    if len(features):
        walk(0, [])
    return rules


def _merge(path, features: tuple[Feature, ...]) -> tuple[Condition, ...]:
    """One condition per feature: 'spend > 200' then 'spend > 240' is 'spend > 240'."""
    bounds: dict[int, list] = {}
    for j, low, high in path:
        entry = bounds.setdefault(j, [None, None])
        if low is not None:
            entry[0] = low if entry[0] is None else max(entry[0], low)
        if high is not None:
            entry[1] = high if entry[1] is None else min(entry[1], high)
    conditions = [Condition(features[j], low, high) for j, (low, high) in bounds.items()]
    # "tier is gold" already says "tier is not silver": one value per user, so drop the "not".
    chosen = {c.feature.name for c in conditions if c.feature.kind == LEVEL and c.low is not None}
    kept = [c for c in conditions if not (c.feature.kind == LEVEL and c.low is None and c.feature.name in chosen)]
    # What users are or do reads first, what they are not after it ("mentions x and tier is not gold").
    return tuple(sorted(kept, key=lambda c: c.feature.kind in (LEVEL, TERM) and c.low is None))


def fit_rules(features: ExplainFeatures, labels: np.ndarray, max_depth: int = MAX_DEPTH,
              min_precision: float = MIN_PRECISION, max_rules: int = MAX_RULES, seed: int = 0,
              n_unassigned: int = 0, sampled: bool = False) -> tuple[SegmentRules, SegmentTrees]:
    """Rules per segment from `features` (rows aligned with `labels`, all real segments)."""
    labels = np.asarray(labels)
    if (labels < 0).any():
        raise ValueError("fit_rules takes users in a segment only (drop labels below 0 first)")
    trees = fit_segment_trees(features, labels, max_depth, seed, min_precision, max_rules)
    matrix = features.matrix if features.matrix.shape[1] else np.zeros((len(labels), 1))
    rules, coverage, precision = {}, {}, {}
    for segment, found in zip(trees.segments, trees.rules, strict=True):
        target = labels == segment
        rules[segment] = found
        hits, covered = sum(r.n_hits for r in found), sum(r.n_covered for r in found)
        coverage[segment] = hits / max(int(target.sum()), 1)
        precision[segment] = hits / covered if covered else 0.0
    agreement = float(np.mean(trees.predict(matrix) == labels)) if len(labels) else 0.0
    return SegmentRules(rules, coverage, precision, agreement, int(len(labels)), int(n_unassigned), sampled,
                        max_depth, min_precision, features.features), trees


def segment_rules(run, max_users: int = MAX_RULE_USERS, seed: int = 0, max_depth: int = MAX_DEPTH,
                  min_precision: float = MIN_PRECISION) -> SegmentRules:
    """Rules for every segment of `run` (a SegmentationRun, edited or not), fitted on its
    segmented users, at most `max_users` of them (a stratified seeded sample)."""
    from segkit.explain.features import features_for_run

    labels = np.asarray(run.result.labels)
    kept = assigned_positions(labels)
    picked = stratified_sample(labels, kept, max_users, seed)
    features = features_for_run(run, users_subset=picked)
    rules, _ = fit_rules(features, labels[picked], max_depth, min_precision, seed=seed,
                         n_unassigned=int(len(labels) - len(kept)), sampled=len(picked) < len(kept))
    return rules

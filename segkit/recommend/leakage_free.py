"""Does segmenting help recommendations, measured without leaking the held-out items?

`leakage_free_evaluation` is what a report or the dashboard's Recommend page calls:

1. split the interactions into warm, thin-history and new users (`cold_start_split`);
2. keep only training-period text: the rows whose (user, item) stayed in training (or,
   when the text table has no item column, rows dated before the user's held-out item);
3. re-segment the warm users on that text with the given settings (the normal pipeline)
   and assign thin and new users with the saved-model path (`fit_and_assign`);
4. when edited segments are given (merges, renames), name each re-fitted segment after
   the edited segment most of its users are in, so tables speak of the analyst's segments;
5. score every recommender per group (`evaluate_cold_start`) and say the verdicts in words.

When the training-period text cannot be told apart, or re-segmenting it fails (too few
users, say), the given segments are used as they are and the result is flagged
*optimistic*, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from segkit import waits
from segkit.config import RunConfig
from segkit.errors import SegkitInputError
from segkit.labels import segment_name
from segkit.recommend.coldstart import (
    ColdStartReport,
    cold_start_split,
    comparison,
    evaluate_cold_start,
)
from segkit.recommend.interactions import (
    InteractionColumns,
    Interactions,
    id_strings,
    parse_times,
    prepare_interactions,
)
from segkit.recommend.segment_fit import fit_and_assign, rows_of_pairs, with_row_vectors
from segkit.recommend.words import say


@dataclass(frozen=True)
class Verdict:
    group: str  # warm, thin, new
    question: str  # segments: segment vs global popularity; hybrid: vs item-kNN; prior: vs the global-prior blend
    outcome: str  # gain, none, loss
    gain: float
    low: float
    high: float
    k: int
    weight: float | None = None

    def text(self, lang: str = "en") -> str:
        values = dict(group=say(f"who.{self.group}", lang), gain=self.gain, low=self.low, high=self.high,
                      k=self.k, weight=self.weight if self.weight is not None else float("nan"))
        return say(f"verdict.{self.question}_{self.outcome}", lang, **values)


@dataclass(frozen=True)
class RecommendEvaluation:
    report: ColdStartReport  # tables: report.table (metrics), report.comparisons (gains with intervals)
    leakage_free: bool
    reason: str | None  # why it is optimistic, in words (None when leakage-free)
    verdicts: tuple[Verdict, ...]
    n_fit_users: int
    n_segments: int
    segment_names: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return "leakage-free" if self.leakage_free else "optimistic"

    def caveat(self, lang: str = "en") -> str:
        if self.leakage_free:
            return say("caveat.leakage_free", lang, users=f"{self.n_fit_users:,}")
        return say("caveat.optimistic", lang, reason=self.reason or "")

    def verdict_lines(self, lang: str = "en") -> list[str]:
        return [v.text(lang) for v in self.verdicts]

    def segment_breakdown(self, group: str = "new") -> pd.DataFrame:
        """Per segment of one group's users: segment_id, segment_name, users, NDCG@k of segment
        popularity and of global popularity, and the difference (no interval: segments are small)."""
        per_user = self.report.per_user
        columns = ["segment_id", "segment_name", "users", "segment_ndcg", "global_ndcg", "difference"]
        if per_user is None or per_user.empty:
            return pd.DataFrame(columns=columns)
        rows = per_user[per_user["group"] == group]
        wide = rows.pivot_table(index=["user", "segment"], columns="method", values="ndcg").reset_index()
        if not {"segment_popularity", "global_popularity"} <= set(wide.columns):
            return pd.DataFrame(columns=columns)
        table = wide.groupby("segment").agg(users=("user", "size"), segment_ndcg=("segment_popularity", "mean"),
                                            global_ndcg=("global_popularity", "mean")).reset_index()
        table["difference"] = table["segment_ndcg"] - table["global_ndcg"]
        table = table.rename(columns={"segment": "segment_id"})
        table.insert(1, "segment_name", [segment_name(int(s), self.segment_names) for s in table["segment_id"]])
        return table[columns].sort_values("users", ascending=False).reset_index(drop=True)

    def group_table(self, group: str, lang: str = "en") -> pd.DataFrame:
        """One group's methods for display: method (in `lang`), users, hit rate, NDCG and the
        NDCG gain over global popularity with its interval, as text ('' for the baseline)."""
        k = self.report.k
        table = self.report.table
        rows = table[table["group"] == group] if not table.empty else table
        gains = [("" if m == "global_popularity" else f"{g:+.4f} [{lo:+.4f}, {hi:+.4f}]")
                 for m, g, lo, hi in zip(rows["method"], rows["gain_vs_global"], rows["ci_low"], rows["ci_high"],
                                         strict=True)]
        return pd.DataFrame({
            say("column.method", lang): [say(f"method.{m}", lang) for m in rows["method"]],
            say("column.users", lang): rows["users"].to_numpy(),
            say("column.hit_rate", lang, k=k): rows[f"hit_rate@{k}"].round(4).to_numpy(),
            say("column.ndcg", lang, k=k): rows[f"ndcg@{k}"].round(4).to_numpy(),
            say("column.gain", lang, k=k): gains,
        })


def align_to_edited(fitted: pd.Series, edited: pd.Series) -> pd.Series:
    """Re-fitted segment ids replaced by the edited segment most of their users are in
    (ties: the smaller id); a re-fitted segment sharing no user keeps an id above all edited ones."""
    edited = edited.copy()
    edited.index = edited.index.astype(str)
    pairs = pd.DataFrame({"fitted": fitted, "edited": edited.reindex(fitted.index)}).dropna()
    pairs = pairs[(pairs["fitted"] >= 0) & (pairs["edited"] >= 0)]
    counts = pairs.groupby(["fitted", "edited"]).size().reset_index(name="n")
    best = counts.sort_values(["fitted", "n", "edited"], ascending=[True, False, True]).drop_duplicates("fitted")
    mapping = dict(zip(best["fitted"].astype(int), best["edited"].astype(int), strict=True))
    spare = int(max(edited.max(), -1)) + 1
    for segment in sorted(int(s) for s in fitted.unique() if s >= 0 and int(s) not in mapping):
        mapping[segment], spare = spare, spare + 1
    return fitted.map(lambda s: mapping.get(int(s), -1) if s >= 0 else int(s)).astype(int)


def training_period_text(rows: pd.DataFrame, user_col: str, item_col: str | None, time_col: str | None,
               split, interactions: Interactions):
    """(fit rows, assign rows) of training-period text, or None when they cannot be told apart."""
    thin_users = set(split.thin_test["user"])
    if item_col and item_col in rows.columns:
        fit_pairs = split.train[~split.train["user"].isin(thin_users)]
        assign_pairs = pd.concat([split.train[split.train["user"].isin(thin_users)], split.new_first])
        return (rows_of_pairs(rows, user_col, item_col, fit_pairs),
                rows_of_pairs(rows, user_col, item_col, assign_pairs))
    if time_col and time_col in rows.columns and interactions.has_time:
        users = id_strings(rows[user_col])
        times = pd.Series(parse_times(rows[time_col], time_col), index=rows.index)
        # Text is training-period when written no later than the user's last training interaction.
        last_train = split.train.groupby("user")["time"].max()
        first_new = split.new_first.set_index("user")["time"]
        cutoff = pd.concat([last_train, first_new])
        ok = times.to_numpy() <= users.map(cutoff).astype(float).fillna(-np.inf).to_numpy()
        assigned = users.isin(thin_users | set(first_new.index)).to_numpy()
        return rows[ok & ~assigned].reset_index(drop=True), rows[ok & assigned].reset_index(drop=True)
    return None


def leakage_free_evaluation(rows: pd.DataFrame, config: RunConfig, interactions: Interactions | None = None,
                            columns: InteractionColumns | None = None, edited_segments: pd.Series | None = None,
                            names: dict[int, str] | None = None, k: int = 10, seed: int = 0, n_boot: int = 1000,
                            new_share: float = 0.2, thin_share: float = 0.2, cache=None,
                            text_item_col: str | None = None, text_time_col: str | None = None) -> RecommendEvaluation:
    """Evaluate warm, thin-history and new users with segments built from training-period text.

    `rows`: the text table (review rows with `config.roles.user_col`); `interactions`: from
    `prepare_interactions` (default: `rows` read with `columns`). `edited_segments`: user id ->
    segment id as the analyst edited them; used for naming, and as the optimistic fallback.
    `text_item_col` / `text_time_col`: the text table's item and time columns when they are not
    named like the interactions' ones (they tie each text row to its interaction).
    """
    if interactions is None:
        interactions = prepare_interactions(rows, columns)
    user_col = config.roles.user_col
    if not user_col or user_col not in rows.columns:
        raise SegkitInputError("The text table needs the user id column of the run settings.")
    split = cold_start_split(interactions, new_share=new_share, thin_share=thin_share, seed=seed)
    rows, config = with_row_vectors(rows, config, cache)
    cols = interactions.columns
    text = training_period_text(rows, user_col, text_item_col or cols.item_col, text_time_col or cols.time_col,
                                split, interactions)
    reason, fitted = None, None
    if text is None:
        reason = say("reason.no_link")
    else:
        try:
            fitted = fit_and_assign(text[0], config, text[1], cache=cache)
        except SegkitInputError as exc:
            reason = say("reason.refit_failed", error=str(exc))
    if fitted is not None:
        segments, vectors, n_fit = fitted.segments, fitted.vectors, len(fitted.fit_users)
        if edited_segments is not None:
            segments = align_to_edited(segments, edited_segments)
    else:
        if edited_segments is None:
            raise SegkitInputError(f"Cannot evaluate without leakage, and no segments were given: {reason}")
        segments, vectors, n_fit = edited_segments.copy(), None, 0
        segments.index = segments.index.astype(str)
    if names is None and fitted is not None and edited_segments is None:
        names = fitted.run.summary.names  # the re-fitted segments' own names
    waits.phase("recommend.score")  # an open wait's phases: segkit.waits.plans.recommend_wait
    report = evaluate_cold_start(split, segments, vectors, k=k, n_boot=n_boot, seed=seed, progress=waits.progress)
    return RecommendEvaluation(report, fitted is not None, reason, verdicts(report), n_fit,
                               int(segments[segments >= 0].nunique()), dict(names or {}))


def verdicts(report: ColdStartReport) -> tuple[Verdict, ...]:
    """Per group: segment popularity vs global popularity; the segment-prior hybrid vs item-kNN,
    and vs the same blend with global popularity (a blend gains from popularity alone)."""
    out = []
    outcome = {"gain": "gain", "loss": "loss", "no measurable difference": "none"}
    for group in ("new", "thin", "warm"):
        for question, method, baseline in (("segments", "segment_popularity", "global_popularity"),
                                           ("hybrid", "hybrid_segment", "item_knn"),
                                           ("prior", "hybrid_segment", "hybrid_global")):
            row = comparison(report, group, method, baseline)
            if row is None:
                continue
            weight = report.weights.get(group, {}).get("hybrid_segment") if question != "segments" else None
            out.append(Verdict(group, question, outcome[row["verdict"]], float(row["gain"]), float(row["ci_low"]),
                               float(row["ci_high"]), report.k, weight))
    return tuple(out)

"""Edits people make to a segmentation: merging segments and renaming them.

Everything works on *user-label arrays*: one label per user in `UserTable` order, with
-1 for users a density method left unassigned and -2 for users that could not be
segmented (no usable text). These are the arrays `SegmentationRun.user_labels()`
returns and `segkit.export.labeled_rows(..., user_labels=...)` accepts, so an edited
segmentation flows into every export unchanged.

A merge keeps the smallest id of the merged segments (ids of the others disappear), so
names and colours of untouched segments never move. Pure functions: no state, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from segkit.cluster.base import NOISE, cluster_means
from segkit.errors import SegkitInputError

MAX_NAME_CHARS = 80


def segment_ids(user_labels: np.ndarray) -> list[int]:
    """The real segments (no 'Unassigned', no 'not segmented'), in id order."""
    labels = np.asarray(user_labels)
    return sorted(int(v) for v in np.unique(labels) if v >= 0)


def merge_segments(user_labels: np.ndarray, segments: Iterable[int], into: int | None = None) -> np.ndarray:
    """A copy of `user_labels` where every listed segment becomes one (id `into`, default the smallest)."""
    labels = np.asarray(user_labels, dtype=np.int64)
    chosen = sorted({int(s) for s in segments})
    present = set(segment_ids(labels))
    if len(chosen) < 2:
        raise SegkitInputError("Pick at least two segments to merge.")
    if any(s < 0 for s in chosen):
        raise SegkitInputError("Only real segments can be merged; 'Unassigned' users are handled by the noise policy.")
    missing = [s for s in chosen if s not in present]
    if missing:
        raise SegkitInputError(f"Segment(s) {', '.join(map(str, missing))} do not exist in this segmentation.")
    target = chosen[0] if into is None else int(into)
    if target not in chosen:
        raise SegkitInputError(f"The merged segment must keep one of the merged ids ({', '.join(map(str, chosen))}).")
    out = labels.copy()
    out[np.isin(labels, chosen)] = target
    return out


def apply_merges(user_labels: np.ndarray, merges: Sequence[Sequence[int]]) -> np.ndarray:
    """Apply merges in order. Ids that no longer exist (already merged away) are ignored;
    a merge left with fewer than two live segments does nothing."""
    out = np.asarray(user_labels, dtype=np.int64).copy()
    for group in merges:
        present = set(segment_ids(out))
        group = sorted({int(s) for s in group})
        alive = [s for s in group if s in present]
        if len(alive) >= 2:
            out = merge_segments(out, alive)
    return out


def names_after_merges(names: Mapping[int, str], merges: Sequence[Sequence[int]]) -> dict[int, str]:
    """Name overrides with those of absorbed segments dropped (the kept id keeps its own)."""
    out = {int(k): v for k, v in names.items()}
    for group in merges:
        group = sorted({int(s) for s in group})
        for absorbed in group[1:]:
            out.pop(absorbed, None)
    return out


def carry_names(old_labels: np.ndarray, old_names: Mapping[int, str], new_labels: np.ndarray,
                min_jaccard: float = 0.5) -> dict[int, str]:
    """Names an analyst gave the segments of an earlier run, for the new run's segments that
    are mostly the same users.

    Both label arrays are per user of the same table. A new segment takes an old segment's
    name when they are each other's best match by Jaccard overlap of their users and that
    overlap is at least `min_jaccard`; a segment that changed more keeps its automatic name
    (a wrong name is worse than none). Returns {new segment id: name}.
    """
    old = np.asarray(old_labels)
    new = np.asarray(new_labels)
    if old.shape != new.shape:
        return {}
    old_ids = [s for s in segment_ids(old) if s in {int(k) for k in old_names}]
    new_ids = segment_ids(new)
    if not old_ids or not new_ids:
        return {}
    old_sets = {s: old == s for s in old_ids}
    new_sets = {s: new == s for s in new_ids}
    jaccard = np.array([[np.sum(old_sets[o] & new_sets[n]) / max(np.sum(old_sets[o] | new_sets[n]), 1)
                         for n in new_ids] for o in old_ids])
    names = {int(k): v for k, v in old_names.items()}
    carried: dict[int, str] = {}
    for j, n in enumerate(new_ids):
        i = int(np.argmax(jaccard[:, j]))
        if jaccard[i, j] >= min_jaccard and int(np.argmax(jaccard[i, :])) == j:
            carried[n] = names[old_ids[i]]
    return carried


def clean_name(name: str) -> str:
    """A segment name as stored: one line, no surrounding blanks, at most 80 characters."""
    text = " ".join(str(name).split())
    return text[:MAX_NAME_CHARS]


def rename_segment(names: Mapping[int, str], segment: int, new_name: str,
                   current_names: Mapping[int, str] | None = None) -> dict[int, str]:
    """A copy of the name overrides with `segment` renamed.

    `current_names` (every segment's displayed name) is used to refuse a name another
    segment already has: exports would otherwise mix two segments under one name.
    An empty name removes the override (the automatic name comes back).
    """
    out = {int(k): v for k, v in names.items()}
    cleaned = clean_name(new_name)
    if not cleaned:
        out.pop(int(segment), None)
        return out
    if current_names:
        for other, other_name in current_names.items():
            if int(other) != int(segment) and clean_name(other_name).lower() == cleaned.lower():
                raise SegkitInputError(f"Another segment is already called '{cleaned}'; pick a different name.")
    out[int(segment)] = cleaned
    return out


def segment_sizes(user_labels: np.ndarray) -> dict[int, int]:
    """Users per label among segmented users (includes -1 'Unassigned' when present)."""
    labels = np.asarray(user_labels)
    values, counts = np.unique(labels[labels >= NOISE], return_counts=True)
    return {int(v): int(c) for v, c in zip(values, counts, strict=True)}


@dataclass(frozen=True)
class Edits:
    """An analyst's renames and merges, as a value: `Edits(...).apply(run)` is the one way
    an edited run is made, and every export takes that run.

    `names` maps segment ids to typed names; `merges` lists groups of ids merged in order
    (the smallest id of a group survives). Stored with the run config, so `segkit segment
    --config` reproduces the names a dashboard user gave.
    """

    names: tuple[tuple[int, str], ...] = ()
    merges: tuple[tuple[int, ...], ...] = ()

    @classmethod
    def of(cls, names: Mapping | None = None, merges: Sequence[Sequence[int]] | None = None) -> Edits:
        return cls(tuple(sorted((int(k), clean_name(v)) for k, v in (names or {}).items() if clean_name(v))),
                   tuple(tuple(sorted({int(s) for s in group})) for group in (merges or ())))

    @classmethod
    def from_dict(cls, data: Mapping | None) -> Edits:
        """From {"names": {id: name}, "merges": [[ids]]}, as the run config stores them (ids may be strings)."""
        data = data or {}
        if not isinstance(data, Mapping):
            raise SegkitInputError("The run config's 'edits' must be an object with 'names' and 'merges'.")
        try:
            return cls.of(data.get("names") or {}, data.get("merges") or [])
        except (TypeError, ValueError, AttributeError):
            raise SegkitInputError("The run config's 'edits' must map segment ids to names and list merged "
                                   "ids, e.g. {\"names\": {\"0\": \"Bargain hunters\"}, \"merges\": [[1, 2]]}.") from None

    def to_dict(self) -> dict:
        return {"names": {str(k): v for k, v in self.names}, "merges": [list(g) for g in self.merges]}

    def __bool__(self) -> bool:
        return bool(self.names or self.merges)

    def name_map(self) -> dict[int, str]:
        """Typed names that still apply (those of segments merged away are dropped)."""
        return names_after_merges(dict(self.names), self.merges)

    def user_labels(self, run) -> np.ndarray:
        """`run`'s per-user labels with the merges applied."""
        return apply_merges(run.user_labels(), self.merges)

    def apply(self, run, memory=None):
        """The run as the analyst edited it: merged labels and chosen names everywhere.

        With merges, the segment summary (keywords, examples, profiles) and the quality
        metrics are recomputed for the merged segments, in the clustering space. With only
        renames, just the names change. Returns a new `SegmentationRun` that remembers its
        edits and the run it came from (`unedited`, for stability); `run` is untouched.
        `memory` (segkit.derived_cache.Memory) re-reads the word counts and sentiment scores.
        """
        base = run.unedited if run.unedited is not None else run
        if not self:
            return base
        return replace(_redescribe(base, self.user_labels(base) if self.merges else None, self.name_map(), memory),
                       edits=self, unedited=base)


def _redescribe(run, user_labels: np.ndarray | None, names: Mapping[int, str], memory=None):
    """`run` with `user_labels` (after merges) and `names`; the summary and metrics are
    recomputed only when the labels changed."""
    from segkit.cluster.registry import CLUSTERERS
    from segkit.describe.summary import describe_segments
    from segkit.pipeline import evaluate

    names = {int(k): v for k, v in (names or {}).items()}
    base_user = run.user_labels()
    if user_labels is None:
        user_labels = base_user
    user_labels = np.asarray(user_labels, dtype=np.int64)
    if user_labels.shape != base_user.shape:
        raise ValueError(f"user_labels has {user_labels.shape[0]} users, the run has {base_user.shape[0]}")
    labels = user_labels[run.embeddings.user_index]
    if np.array_equal(labels, run.result.labels):
        if not names:
            return run
        summary = run.summary
        table = summary.table.copy()
        table["segment_name"] = [names.get(int(s), n) for s, n in zip(table["segment_id"], table["segment_name"], strict=True)]
        return replace(run, summary=replace(summary, table=table))
    result = replace(run.result, labels=labels,
                     centroids=cluster_means(run.space.matrix, labels),
                     extra=dict(run.result.extra, edited=True))
    metrics = evaluate(run.space, result, run.table, run.embeddings, run.config)
    for key in ("auto_k", "auto_k_rule"):
        if key in run.metrics:
            metrics[key] = run.metrics[key]
    users = run.table.users.iloc[run.embeddings.user_index].reset_index(drop=True)
    all_texts = run.table.user_texts()
    texts = [all_texts[i] for i in run.embeddings.user_index]
    roles = run.table.roles
    from segkit.sentiment import table_sentiment

    summary = describe_segments(users, texts, run.space.matrix, labels, run.result.confidence,
                                CLUSTERERS[run.config.algorithm].density_based, roles.numeric_cols,
                                roles.categorical_cols, names or None,
                                sentiment=table_sentiment(run.table, run.embeddings.user_index, memory=memory),
                                lang=run.summary.persona_lang, memory=memory)
    return replace(run, result=result, metrics=metrics, summary=summary)


def labeled_export(frame, run):
    """`segkit.export.labeled_rows` for a (possibly edited) run, with the noise policy made visible.

    Every uploaded row is kept (rows without text are marked in `segkit_status`). For a
    density method with the 'reassign' policy, rows of users that were outliers and were
    put into their nearest segment say so in `segkit_status` (their confidence is 0).
    """
    from segkit.cluster.registry import CLUSTERERS
    from segkit.export.labeled import STATUS_COLUMN, labeled_rows

    out = labeled_rows(frame, run)
    if CLUSTERERS[run.config.algorithm].density_based and run.config.noise_policy == "reassign":
        reassigned = (out[STATUS_COLUMN] == "ok") & (out["segment_confidence"] == 0)
        out.loc[reassigned, STATUS_COLUMN] = "ok: outlier reassigned to its nearest segment (noise policy 'reassign')"
    return out


def summary_export(run, stability: Mapping | None = None, rules=None, separability=None):
    """The segment summary table for download: one row per segment (after edits),
    with per-segment stability and the noise policy in force; with `rules` and
    `separability` (segkit.explain) of the same run, also the rule and classifier
    columns (segkit.export.explain_columns)."""
    from segkit.cluster.registry import CLUSTERERS
    from segkit.export.explain_columns import with_explain_columns

    table = run.summary.table.copy()
    per_segment = (stability or {}).get("per_segment", {})
    if per_segment:
        table.insert(5, "stability", [round(per_segment[int(s)], 3) if int(s) in per_segment else None
                                      for s in table["segment_id"]])
    density = CLUSTERERS[run.config.algorithm].density_based
    table["noise_policy"] = run.config.noise_policy if density else "n/a (every user assigned)"
    if rules is not None or separability is not None:
        table = with_explain_columns(table, rules, separability, run.summary.names)
    return table

"""Columns the explanations add to the segment summary CSV (one row per segment)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from segkit.labels import segment_name

RULE_COLUMNS = ("rules", "rules_coverage", "rules_precision")
SEPARABILITY_COLUMNS = ("classifier_precision", "classifier_recall", "classifier_f1", "hard_to_tell_from")


def with_explain_columns(table: pd.DataFrame, rules=None, separability=None,
                         names: Mapping[int, str] | None = None, lang: str = "en") -> pd.DataFrame:
    """A copy of a summary table (`segment_id` per row) with, per segment:

    rules: each rule with its coverage and precision ("spend > 240 and mentions “strings”
    → 78% of this segment's users, 91% precision", several joined by " | "), rules_coverage /
    rules_precision of the rules together; classifier_precision / _recall / _f1 (the
    cross-validated logistic regression) and hard_to_tell_from (a segment name, or "").
    Rows for unassigned users (-1) stay empty.
    """
    out = table.copy()
    segments = [int(s) for s in out["segment_id"]]
    if rules is not None:
        out["rules"] = [" | ".join(rules.lines(s, lang)) if s >= 0 else "" for s in segments]
        out["rules_coverage"] = [round(rules.set_coverage[s], 3) if s in rules.set_coverage else np.nan
                                 for s in segments]
        out["rules_precision"] = [round(rules.set_precision[s], 3) if s in rules.set_precision and rules.rules[s]
                                  else np.nan for s in segments]
    if separability is not None:
        per = separability.linear.per_segment
        for column, source in (("classifier_precision", "precision"), ("classifier_recall", "recall"),
                               ("classifier_f1", "f1")):
            out[column] = [round(float(per.loc[s, source]), 3) if s in per.index else np.nan for s in segments]
        out["hard_to_tell_from"] = [segment_name(separability.hard[s].other, names) if s in separability.hard
                                    else "" for s in segments]
    return out

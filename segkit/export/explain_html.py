"""HTML fragments for a segment's rules and how well a classifier tells it apart: one
implementation for the dashboard's segment cards and the HTML report.

Inline styles only (like segkit.export.profile_html); rule texts hold column names,
category values and keywords from the upload, so everything is HTML-escaped.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from segkit.explain.words import tr

_NOTE = "color:#5F6B7A;font-size:0.78rem;margin:2px 0 8px"
_BAR = "display:inline-block;height:8px;border-radius:2px;vertical-align:middle"


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _bar(share: float, colour: str) -> str:
    width = max(0.0, min(1.0, float(share))) * 60
    return (f'<span style="{_BAR};width:60px;background:#E3E7ED;margin-right:6px">'
            f'<span style="{_BAR};width:{width:.1f}px;background:{colour}"></span></span>')


def rules_html(rules, segment: int, lang: str = "en") -> str:
    """The segment's rules, each with its coverage bar and line, or why there is none;
    then one note on what the figures mean. `rules`: segkit.explain.rules.SegmentRules."""
    if rules is None or int(segment) not in rules.rules:
        return ""
    found = rules.rules[int(segment)]
    parts = []
    for rule in found:
        parts.append(f"<div style='font-size:0.9rem;margin:3px 0'>{_bar(rule.coverage, '#2F6FB0')}"
                     f"{_e(rule.line(lang))}</div>")
    if not found:
        parts.append(f"<div style='font-size:0.9rem;color:#5F6B7A'>"
                     f"{_e(tr('explain.no_rule', lang, depth=rules.max_depth, precision=f'{rules.min_precision:.0%}'))}"
                     "</div>")
    note = [tr("explain.rules_note", lang, depth=rules.max_depth, n=f"{rules.n_users:,}"),
            tr("explain.agreement", lang, agreement=f"{rules.agreement:.0%}")]
    if rules.n_unassigned:
        note.append(tr("explain.excluded", lang, n=f"{rules.n_unassigned:,}"))
    parts.append(f'<div style="{_NOTE}">{_e(" ".join(note))}</div>')
    return "".join(parts)


def separability_html(separability, segment: int, names: Mapping[int, str] | None = None,
                      lang: str = "en") -> str:
    """The segment's cross-validated F1 (precision, recall) and, when flagged, "hard to tell
    from ...: consider merging". `separability`: segkit.explain.separability.Separability."""
    if separability is None:
        return ""
    segment = int(segment)
    if segment in separability.too_small:
        return f"<div style='{_NOTE}'>{_e(tr('explain.too_small', lang, segment=_name(segment, names), folds=separability.folds))}</div>"
    table = separability.linear.per_segment
    if segment not in table.index:
        return ""
    row = table.loc[segment]
    colour = "#1E6B34" if row["f1"] >= 0.8 else ("#8A5A00" if row["f1"] >= 0.6 else "#9B1C1C")
    out = [f"<div style='font-size:0.9rem'>{_bar(row['f1'], colour)}"
           + _e(tr("explain.sep_line", lang, f1=f"{row['f1']:.2f}", precision=f"{row['precision']:.2f}",
                   recall=f"{row['recall']:.2f}")) + "</div>"]
    if segment in separability.hard:
        out.append(f"<div style='font-size:0.9rem;color:#9B1C1C;font-weight:600'>"
                   f"{_e(separability.hard[segment].text(names, lang))}</div>")
    tree = separability.tree.accuracy if separability.tree is not None else float("nan")
    out.append(f'<div style="{_NOTE}">' + _e(tr(
        "explain.sep_note", lang, model=separability.linear.model, folds=separability.folds,
        n=f"{separability.n_users:,}", tree_accuracy=f"{tree:.0%}" if tree == tree else "–")) + "</div>")
    return "".join(out)


def _name(segment: int, names: Mapping[int, str] | None) -> str:
    from segkit.labels import segment_name

    return segment_name(segment, names)

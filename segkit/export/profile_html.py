"""HTML fragments for a segment's real-unit profile, over/under-represented values and
sentiment: one implementation for the dashboard's cards and the HTML report.

Inline styles only (the report has no external CSS, the dashboard's st.html none of the
report's); every value from the data is HTML-escaped.
"""

from __future__ import annotations

import html

import numpy as np

from segkit.describe.persona import rating_column
from segkit.describe.profile import over_under, share_phrase
from segkit.i18n import t

_TABLE = "width:100%;border-collapse:collapse;font-size:0.85rem;margin:4px 0"
_CELL = "padding:3px 6px;border-bottom:1px solid #E3E7ED;text-align:right;white-space:nowrap"
_HEAD = _CELL + ";color:#5F6B7A;font-weight:600"
_NOTE = "color:#5F6B7A;font-size:0.78rem;margin:2px 0 8px"


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def number(value) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def units_table_html(summary, segment: int, lang: str = "en") -> str:
    """Per numeric trait: segment mean and median, everyone's, difference, lift, Welch flag."""
    lifts = summary.numeric_lift
    if lifts is None or lifts.empty:
        return ""
    rows = lifts[lifts["segment"] == int(segment)]
    if rows.empty:
        return ""
    head = "".join(f'<th style="{_HEAD}">{_e(t(k, lang))}</th>' for k in
                   ("desc.th_trait", "desc.th_segment", "desc.th_all", "desc.th_diff", "desc.th_lift"))
    body = []
    for _, row in rows.iterrows():
        mark = " ●" if bool(row["significant"]) else ""
        diff = row["diff"]
        lift = f"×{row['lift']:.2f}" if np.isfinite(row["lift"]) else "–"
        body.append(
            f'<tr><td style="{_CELL};text-align:left">{_e(row["trait"])}{mark}</td>'
            f'<td style="{_CELL}" title="{_e(t("desc.mean_median", lang, mean=number(row["mean"]), median=number(row["median"])))}">'
            f'{number(row["mean"])} <span style="color:#5F6B7A">({number(row["median"])})</span></td>'
            f'<td style="{_CELL}">{number(row["all_mean"])} <span style="color:#5F6B7A">({number(row["all_median"])})</span></td>'
            f'<td style="{_CELL}">{"+" if diff > 0 else ""}{number(diff)}</td><td style="{_CELL}">{lift}</td></tr>')
    return (f'<table style="{_TABLE}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
            f'<div style="{_NOTE}">{_e(t("desc.cells_note", lang))} {_e(t("desc.welch_note", lang))}</div>')


def over_under_html(summary, segment: int, lang: str = "en") -> str:
    """Per categorical trait: significantly over- and under-represented values with lift."""
    if not summary.categorical_lift:
        return ""
    parts = []
    for column, lift in summary.categorical_lift.items():
        over, under = over_under(lift, int(segment))
        if over.empty and under.empty:
            parts.append(f"<div><b>{_e(column)}</b>: <span style='color:#5F6B7A'>"
                         f"{_e(t('desc.none_significant', lang))}</span></div>")
            continue
        lines = [f"<div style='margin-top:4px'><b>{_e(column)}</b></div>"]
        for key, rows, colour in (("desc.over", over, "#1E6B34"), ("desc.under", under, "#9B1C1C")):
            if not rows.empty:
                text = "; ".join(share_phrase(r) for _, r in rows.iterrows())
                lines.append(f"<div style='font-size:0.85rem'><span style='color:{colour}'>{_e(t(key, lang))}:</span> "
                             f"{_e(text)}</div>")
        parts.append("".join(lines))
    return "".join(parts) + f'<div style="{_NOTE}">{_e(t("desc.cat_note", lang))}</div>'


def sentiment_html(summary, segment: int, lang: str = "en") -> str:
    """A positive / neutral / negative bar with the shares, and the rating trait beside it."""
    frame = summary.sentiment
    if frame is None or int(segment) not in frame.index:
        return ""
    row = frame.loc[int(segment)]
    if not row["n_reviews"]:
        return ""
    bar = "".join(
        f'<span title="{_e(name)} {row[name]:.0%}" style="display:inline-block;height:10px;width:{100 * row[name]:.2f}%;'
        f'background:{colour}"></span>'
        for name, colour in (("positive", "#3C9D5D"), ("neutral", "#C9CFD8"), ("negative", "#D0534F")))
    text = t("desc.sentiment_shares", lang, pos=f"{row['positive']:.0%}", neu=f"{row['neutral']:.0%}",
             neg=f"{row['negative']:.0%}", mean=f"{row['mean']:+.2f}", all_mean=f"{row['all_mean']:+.2f}")
    out = [f'<div style="display:flex;width:100%;border-radius:4px;overflow:hidden;margin:4px 0">{bar}</div>',
           f"<div style='font-size:0.85rem'>{_e(text)}</div>"]
    lifts = summary.numeric_lift
    if lifts is not None and not lifts.empty:
        rating = rating_column([c for c in lifts["trait"].unique() if c != "n_reviews"])
        rows = lifts[(lifts["segment"] == int(segment)) & (lifts["trait"] == rating)]
        if rating and not rows.empty:
            r = rows.iloc[0]
            words = t("desc.rating_beside", lang, trait=rating, mean=number(r["mean"]), all=number(r["all_mean"]))
            out.append(f"<div style='font-size:0.85rem'>{_e(words)}{' ●' if bool(r['significant']) else ''}</div>")
    note = t("desc.sentiment_note", lang, n=f"{int(row['n_reviews']):,}")
    out.append(f'<div style="{_NOTE}">{_e(note)}</div>')
    return "".join(out)

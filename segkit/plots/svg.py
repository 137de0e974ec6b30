"""Tiny inline SVG charts for the HTML report: no JavaScript, no fonts, no network.

Every label is XML-escaped, so text from uploads can never become markup.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

ABOVE = "#2F6FB0"
BELOW = "#E07B39"
GRID = "#D5D9E0"
TEXT = "#2B2F36"
MUTED = "#6B7280"


def _esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _cut(label: str, max_chars: int) -> str:
    label = str(label)
    return label if len(label) <= max_chars else label[: max_chars - 1] + "…"


def diverging_bars_svg(rows: Sequence[tuple[str, float, str]], limit: float = 2.5, width: int = 460,
                       row_height: int = 24, label_width: int = 120, value_width: int = 104,
                       title: str = "") -> str:
    """Horizontal bars around 0 (z-scores): (label, value, value text) per row.

    Labels on the left, bars in the middle, the value text in its own column on the right.
    """
    if not rows:
        return ""
    plot_left = label_width + 8
    plot_width = width - plot_left - value_width - 8
    centre = plot_left + plot_width / 2
    scale = (plot_width / 2) / limit
    height = row_height * len(rows) + 34
    parts = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_esc(title or "profile")}" style="font-family:inherit;font-size:12px">',
    ]
    for tick in (-2, -1, 0, 1, 2):
        if abs(tick) > limit:
            continue
        x = centre + tick * scale
        parts.append(f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 24}" '
                     f'stroke="{"#8A919C" if tick == 0 else GRID}" stroke-width="1"/>')
        label = f"{tick:+d}" if tick else "average"
        parts.append(f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle" fill="{MUTED}" '
                     f'font-size="10">{label}</text>')
    for i, (label, value, value_text) in enumerate(rows):
        y = 6 + i * row_height
        value = 0.0 if value is None or math.isnan(value) else float(value)
        shown = max(-limit, min(limit, value))
        x0 = centre if shown >= 0 else centre + shown * scale
        bar_width = abs(shown) * scale
        color = ABOVE if value >= 0 else BELOW
        middle = y + row_height / 2 + 2
        parts.append(f'<text x="{label_width}" y="{middle:.1f}" text-anchor="end" '
                     f'fill="{TEXT}">{_esc(_cut(label, 20))}</text>')
        parts.append(f'<rect x="{x0:.1f}" y="{y + 3}" width="{max(bar_width, 1):.1f}" '
                     f'height="{row_height - 8}" rx="2" fill="{color}"><title>{_esc(label)}: '
                     f'{_esc(value_text)}</title></rect>')
        parts.append(f'<text x="{width - 2}" y="{middle:.1f}" text-anchor="end" '
                     f'fill="{MUTED}" font-size="11">{_esc(value_text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def paired_share_bars_svg(rows: Sequence[tuple[str, float, float]], color: str, width: int = 460,
                          label_width: int = 150, title: str = "") -> str:
    """Per category: its share in the segment (coloured) above its share among all users (grey)."""
    if not rows:
        return ""
    bar = 9
    row_height = 2 * bar + 10
    plot_left = label_width + 8
    plot_width = width - plot_left - 44
    height = row_height * len(rows) + 8
    parts = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_esc(title or "make-up")}" style="font-family:inherit;font-size:12px">'
    ]
    for i, (label, segment_share, overall_share) in enumerate(rows):
        y = 4 + i * row_height
        parts.append(f'<text x="{label_width}" y="{y + bar + 3}" text-anchor="end" fill="{TEXT}">'
                     f'{_esc(_cut(label, 24))}</text>')
        for j, (share, fill, who) in enumerate(((segment_share, color, "this segment"),
                                                (overall_share, "#C9CED6", "all users"))):
            share = 0.0 if share is None or math.isnan(share) else float(share)
            w = max(share * plot_width, 1)
            yy = y + j * (bar + 1)
            parts.append(f'<rect x="{plot_left}" y="{yy}" width="{w:.1f}" height="{bar}" rx="2" fill="{fill}">'
                         f'<title>{_esc(label)}: {share:.0%} of {who}</title></rect>')
            parts.append(f'<text x="{plot_left + w + 4:.1f}" y="{yy + bar - 1}" fill="{MUTED}" '
                         f'font-size="10">{share:.0%}</text>')
    parts.append("</svg>")
    return "".join(parts)


def meter_svg(share: float, color: str, width: int = 180, height: int = 10) -> str:
    """A thin progress-like bar for a share in [0, 1]."""
    share = 0.0 if share is None or math.isnan(share) else max(0.0, min(1.0, float(share)))
    return (f'<svg width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" aria-hidden="true">'
            f'<rect x="0" y="0" width="{width}" height="{height}" rx="{height / 2}" fill="#E7EAEE"/>'
            f'<rect x="0" y="0" width="{max(share * width, 2):.1f}" height="{height}" rx="{height / 2}" '
            f'fill="{color}"/></svg>')

"""Plotly figures for the dashboard. Every function takes plain data and returns a Figure.

Texts that come from uploads (reviews, user ids, category values, segment names typed
by people) are HTML-escaped before they reach plotly, which would otherwise interpret
its small HTML subset (<b>, <a href>, <br> ...) in labels and hover boxes.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from segkit.labels import UNASSIGNED_NAME, segment_name
from segkit.plots.colors import NOISE_COLOR, segment_color

UNASSIGNED = UNASSIGNED_NAME
ABOVE_COLOR = "#2F6FB0"
BELOW_COLOR = "#E07B39"
FONT = dict(family="Inter, Segoe UI, Helvetica, Arial, sans-serif", size=13)


def esc(value) -> str:
    """Plain text -> text plotly shows literally."""
    return html.escape("" if value is None else str(value), quote=False)


def snippet(text: str, max_chars: int = 220, width: int = 60) -> str:
    """A review cut to `max_chars`, escaped, wrapped with <br> for a hover box."""
    text = " ".join(str(text or "").split())
    if not text:
        return "<i>(no text)</i>"
    if len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0] + " …"
    lines = _wrap(width).findall(text) or [text]
    return "<br>".join(esc(line) for line in lines)


@functools.lru_cache(maxsize=8)
def _wrap(width: int) -> re.Pattern:
    return re.compile(rf"(.{{1,{width}}})(?:\s+|$)")


def hover_texts(texts: Sequence[str], user_ids: Sequence[str] | None = None, max_chars: int = 220) -> np.ndarray:
    """Hover labels for the map, one per user: their id and a snippet of what they wrote.

    Independent of the segmentation, so a dashboard computes them once per dataset.
    """
    ids = user_ids if user_ids is not None else [str(i) for i in range(len(texts))]
    return np.array([f"<b>user {esc(uid)}</b><br>{snippet(text, max_chars)}" for uid, text in zip(ids, texts, strict=True)],
                    dtype=object)


def segment_label(segment: int, names: Mapping[int, str] | None) -> str:
    return segment_name(segment, names)


def _base_layout(fig: go.Figure, height: int, title: str | None = None) -> go.Figure:
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=50 if title else 20, b=10),
        font=FONT,
        title=dict(text=esc(title), x=0, xanchor="left") if title else None,
        plot_bgcolor="white",
        paper_bgcolor="white",
    )
    return fig


def _marker_size(n: int) -> float:
    if n <= 3_000:
        return 6
    if n <= 15_000:
        return 4.5
    return 3


# --------------------------------------------------------------------------- map


MAP_POINTS = 50_000  # WebGL points a browser draws smoothly; beyond, a stated sample


def map_sample(labels: np.ndarray, max_points: int = MAP_POINTS, seed: int = 0) -> np.ndarray:
    """Indices of the users to draw: all of them up to `max_points`, else a seeded sample
    that keeps every segment's share (and at least one point of each), in index order.
    Counts and exports always cover every user; only the drawing is sampled."""
    labels = np.asarray(labels)
    n = len(labels)
    if n <= max_points:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    picked = []
    for segment in np.unique(labels):
        members = np.flatnonzero(labels == segment)
        take = max(1, int(round(len(members) * max_points / n)))
        picked.append(rng.choice(members, size=min(take, len(members)), replace=False))
    return np.sort(np.concatenate(picked))


def map_figure(coords: np.ndarray, labels: np.ndarray, names: Mapping[int, str] | None = None,
               hover_texts: Sequence[str] | None = None, user_ids: Sequence[str] | None = None,
               color_by: str = "segment", color_values: Sequence | None = None,
               point_ids: np.ndarray | None = None, height: int = 640,
               hover: Sequence[str] | None = None) -> go.Figure:
    """The 2-D map, one WebGL point per user.

    `color_by` "segment" colours by label (one legend entry per segment); otherwise
    `color_values` are drawn with a colour scale (numeric) or one colour per value
    (categorical, the 12 most common, the rest as "other"). `point_ids` (default
    0..n-1) are stored as customdata so a selection can be traced back to users.
    `hover` (from `hover_texts()`, computed once per dataset) replaces building the
    labels from `hover_texts`/`user_ids` on every call: it matters at 50,000 users.
    """
    coords = np.asarray(coords, dtype=float)
    labels = np.asarray(labels)
    n = len(labels)
    point_ids = np.arange(n) if point_ids is None else np.asarray(point_ids)
    if hover is None:
        hover = _hover_texts(hover_texts if hover_texts is not None else [""] * n, user_ids)
    hover = np.asarray(hover, dtype=object)
    size = _marker_size(n)
    fig = go.Figure()

    def add(mask: np.ndarray, name: str, color, showscale: bool = False, colorbar_title: str = "",
            legendrank: int = 1000) -> None:
        marker = dict(size=size, color=color, opacity=0.8, line=dict(width=0))
        if showscale:
            marker.update(colorscale="Viridis", showscale=True,
                          colorbar=dict(title=dict(text=esc(colorbar_title)), thickness=14))
        fig.add_trace(go.Scattergl(
            x=coords[mask, 0], y=coords[mask, 1], mode="markers", name=name,
            marker=marker, text=hover[mask], customdata=point_ids[mask],
            hovertemplate="%{text}<extra>%{fullData.name}</extra>", legendrank=legendrank,
        ))

    if color_by == "segment" or color_values is None:
        for segment in sorted(int(s) for s in np.unique(labels)):
            mask = labels == segment
            label = f"{esc(segment_label(segment, names))} ({int(mask.sum()):,})"
            add(mask, label, segment_color(segment), legendrank=2000 if segment < 0 else 1000 + segment)
    else:
        values = pd.Series(list(color_values))
        numeric = pd.to_numeric(values, errors="coerce")
        if pd.api.types.is_numeric_dtype(values) or (numeric.notna().mean() > 0.95 and values.nunique() > 12):
            ok = numeric.notna().to_numpy()
            if (~ok).any():
                add(~ok, "missing", NOISE_COLOR)
            add(ok, esc(color_by), numeric.to_numpy()[ok], showscale=True, colorbar_title=color_by)
            fig.update_layout(showlegend=False)
        else:
            text_values = values.astype("string").fillna("(missing)")
            top = text_values.value_counts().index[:12].tolist()
            grouped = text_values.where(text_values.isin(top), "other").to_numpy()
            for rank, value in enumerate([*top, "other"]):
                mask = grouped == value
                if mask.any():
                    add(mask, f"{esc(value)} ({int(mask.sum()):,})",
                        NOISE_COLOR if value == "other" else segment_color(rank), legendrank=1000 + rank)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
    fig.update_layout(
        dragmode="lasso",
        legend=dict(itemsizing="constant", title=dict(text=esc(color_by if color_by != "segment" else "Segment"))),
        hoverlabel=dict(bgcolor="white", font=dict(size=12), align="left"),
        uirevision="segkit-map",
    )
    return _base_layout(fig, height)


# ------------------------------------------------------------------ sizes & metrics


def sizes_figure(summary_table: pd.DataFrame, height: int | None = None, max_bars: int = 25) -> go.Figure:
    """Horizontal bars: users per segment, largest on top, size and share written beside each
    bar, horizontally (never rotated into a thin bar). Beyond `max_bars` segments only the
    largest are drawn, and a note says how many smaller ones are left out."""
    table = summary_table.sort_values("size", ascending=False)
    hidden = max(len(table) - max_bars, 0)
    table = table.head(max_bars).iloc[::-1]
    colors = [segment_color(int(s)) for s in table["segment_id"]]
    names = [esc(n) for n in table["segment_name"]]
    fig = go.Figure(go.Bar(
        x=table["size"], y=names, orientation="h", marker_color=colors,
        text=[f"{s:,} · {p:.0%}" for s, p in zip(table["size"], table["share"], strict=True)],
        textposition="outside", textangle=0, constraintext="none",
        hovertemplate="%{y}: %{x:,} users<extra></extra>", cliponaxis=False,
    ))
    # Room on the right for the longest label ("12,345 · 100%") outside the largest bar.
    fig.update_xaxes(visible=False, range=[0, float(table["size"].max()) * 1.3 if len(table) else 1])
    fig.update_yaxes(automargin=True)
    fig = _base_layout(fig, height or max(200, 40 * len(table) + 30 + (24 if hidden else 0)))
    fig.update_layout(margin=dict(t=10, b=30 if hidden else 10), uniformtext=dict(minsize=11, mode="show"))
    if hidden:
        fig.add_annotation(text=f"+ {hidden:,} smaller segments not drawn", xref="paper", yref="paper",
                           x=0, y=0, yshift=-22, showarrow=False, xanchor="left", font=dict(color="#6B7280"))
    return fig


def k_sweep_figure(sweep: pd.DataFrame, suggested_k: int | None = None, current_k: int | None = None,
                   height: int = 520) -> go.Figure:
    """Silhouette, Calinski-Harabasz and Davies-Bouldin against K, suggested/current K marked."""
    panels = [
        ("silhouette", "Silhouette (higher is better, max 1)"),
        ("calinski_harabasz", "Calinski–Harabasz (higher is better)"),
        ("davies_bouldin", "Davies–Bouldin (lower is better)"),
    ]
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=[title for _, title in panels])
    for row, (column, _) in enumerate(panels, start=1):
        fig.add_trace(go.Scatter(
            x=sweep["k"], y=sweep[column], mode="lines+markers", name=column,
            line=dict(color="#4C78A8", width=2), marker=dict(size=7),
            hovertemplate="K=%{x}: %{y:.3f}<extra></extra>", showlegend=False,
        ), row=row, col=1)
        if current_k is not None and (sweep["k"] == current_k).any():
            value = float(sweep.loc[sweep["k"] == current_k, column].iloc[0])
            fig.add_trace(go.Scatter(
                x=[current_k], y=[value], mode="markers", showlegend=row == 1, name="current K",
                marker=dict(size=13, color="#E45756", symbol="circle-open", line=dict(width=3)),
                hovertemplate="current K=%{x}: %{y:.3f}<extra></extra>",
            ), row=row, col=1)
    if "reference_silhouette" in sweep.columns and sweep["reference_silhouette"].notna().any():
        # What K-means scores on cluster-free data of the same shape: the automatic K is
        # where the blue line stands furthest above this one.
        fig.add_trace(go.Scatter(
            x=sweep["k"], y=sweep["reference_silhouette"], mode="lines", name="cluster-free reference",
            line=dict(color="#9AA3AE", width=2, dash="dot"),
            hovertemplate="reference K=%{x}: %{y:.3f}<extra></extra>",
        ), row=1, col=1)
    if suggested_k is not None:
        for row in (1, 2, 3):
            fig.add_vline(x=suggested_k, line=dict(color="#54A24B", dash="dash", width=2), row=row, col=1)
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=f"suggested K = {suggested_k}",
                                 line=dict(color="#54A24B", dash="dash", width=2)), row=1, col=1)
    fig.update_xaxes(title_text="K (number of segments)", row=3, col=1, dtick=1)
    fig.update_xaxes(showgrid=True, gridcolor="#EEF0F3")
    fig.update_yaxes(showgrid=True, gridcolor="#EEF0F3")
    fig.update_layout(legend=dict(orientation="h", y=1.08, yanchor="bottom", x=0))
    fig.update_annotations(font=dict(size=12, color="#5F6B7A"))
    fig = _base_layout(fig, height)
    fig.update_layout(margin=dict(t=70))
    return fig


def cliffs(sweep: pd.DataFrame, threshold: float = 0.4) -> list[int]:
    """min_cluster_size values where the segment count jumps by more than `threshold` (relative)."""
    out = []
    counts = sweep["n_segments"].to_numpy()
    sizes = sweep["min_cluster_size"].to_numpy()
    for i in range(1, len(counts)):
        before, after = counts[i - 1], counts[i]
        if max(before, after) > 0 and abs(after - before) / max(before, after, 1) > threshold and abs(after - before) >= 2:
            out.append(int(sizes[i]))
    return out


def min_cluster_size_figure(sweep: pd.DataFrame, current: int | None = None, height: int = 420) -> go.Figure:
    """HDBSCAN: segments found and share left unassigned per min_cluster_size; cliffs marked."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.12,
                        subplot_titles=["Segments found", "Users left unassigned (noise share)"])
    fig.add_trace(go.Scatter(x=sweep["min_cluster_size"], y=sweep["n_segments"], mode="lines+markers",
                             line=dict(shape="hv", color="#4C78A8", width=2), showlegend=False,
                             hovertemplate="min_cluster_size=%{x}: %{y} segments<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(x=sweep["min_cluster_size"], y=sweep["noise_share"], mode="lines+markers",
                             line=dict(color="#E45756", width=2), showlegend=False,
                             hovertemplate="min_cluster_size=%{x}: %{y:.0%} unassigned<extra></extra>"), row=2, col=1)
    for size in cliffs(sweep):
        fig.add_vrect(x0=size - 0.5, x1=size + 0.5, fillcolor="#E45756", opacity=0.12, line_width=0)
        fig.add_annotation(x=size, y=1.0, yref="paper", text="cliff", showarrow=False,
                           yanchor="bottom", font=dict(color="#B71C1C"))
    if current is not None:
        fig.add_vline(x=current, line=dict(color="#333", dash="dot", width=2))
    fig.update_yaxes(tickformat=".0%", row=2, col=1, rangemode="tozero")
    fig.update_yaxes(rangemode="tozero", row=1, col=1)
    fig.update_xaxes(title_text="min_cluster_size", row=2, col=1)
    fig.update_xaxes(showgrid=True, gridcolor="#EEF0F3")
    fig.update_yaxes(showgrid=True, gridcolor="#EEF0F3")
    return _base_layout(fig, height)


# ----------------------------------------------------------------- segment profiles


def profile_figure(numeric_profile: pd.DataFrame, segment: int, limit: float = 2.5,
                   height: int | None = None) -> go.Figure | None:
    """How a segment differs from everyone on each numeric trait (z-score bars).

    Bars right of 0: the segment averages above all users; 1 = one standard deviation.
    """
    if numeric_profile is None or numeric_profile.empty or segment not in numeric_profile.index:
        return None
    z = numeric_profile["z"].loc[segment].astype(float)
    means = numeric_profile["mean"].loc[segment].astype(float)
    traits = [esc(c) for c in z.index]
    values = z.fillna(0.0).to_numpy()
    shown = np.clip(values, -limit, limit)
    colors = [ABOVE_COLOR if v >= 0 else BELOW_COLOR for v in values]
    fig = go.Figure(go.Bar(
        x=shown, y=traits, orientation="h", marker_color=colors,
        customdata=np.stack([values, means.to_numpy()], axis=1),
        text=[f"{v:+.1f}" for v in values], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: segment mean %{customdata[1]:.2f}, %{customdata[0]:+.2f} SD vs all users<extra></extra>",
    ))
    fig.add_vline(x=0, line=dict(color="#555", width=1))
    fig.update_xaxes(range=[-limit - 0.6, limit + 0.6], title="vs all users (standard deviations)",
                     zeroline=False, showgrid=True, gridcolor="#EEF0F3")
    fig.update_yaxes(autorange="reversed", automargin=True)
    return _base_layout(fig, height or max(180, 34 * len(traits) + 70))


def categorical_figure(makeup: pd.DataFrame, segment: int, column: str, height: int | None = None) -> go.Figure | None:
    """Share of each category in the segment next to its share among all users."""
    if makeup is None or segment not in makeup.index or "all users" not in makeup.index:
        return None
    seg = makeup.loc[segment].astype(float)
    overall = makeup.loc["all users"].astype(float)
    categories = [esc(c) for c in makeup.columns]
    fig = go.Figure()
    fig.add_trace(go.Bar(y=categories, x=seg.to_numpy(), orientation="h", name="this segment",
                         marker_color=segment_color(segment),
                         hovertemplate="%{y}: %{x:.0%} of this segment<extra></extra>"))
    fig.add_trace(go.Bar(y=categories, x=overall.to_numpy(), orientation="h", name="all users",
                         marker_color="#C9CED6", hovertemplate="%{y}: %{x:.0%} of all users<extra></extra>"))
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
                      title=dict(text=esc(column), x=0, font=dict(size=13)))
    fig.update_xaxes(tickformat=".0%", showgrid=True, gridcolor="#EEF0F3", rangemode="tozero")
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig = _base_layout(fig, height or max(200, 30 * len(categories) + 90))
    fig.update_layout(margin=dict(t=60))
    return fig


# ------------------------------------------------------------ agreement between labelings


def _label_names(values: np.ndarray, names: Mapping[int, str] | None) -> list[str]:
    return [segment_label(int(v), names) for v in values]


def confusion_figure(table: pd.DataFrame, height: int | None = None) -> go.Figure:
    """Segments (rows) against the mapped label column (columns): users in each cell."""
    z = table.to_numpy(dtype=float)
    row_share = z / np.maximum(z.sum(axis=1, keepdims=True), 1)
    fig = go.Figure(go.Heatmap(
        z=row_share, x=[esc(c) for c in table.columns], y=[esc(r) for r in table.index],
        text=z.astype(int), texttemplate="%{text}", colorscale="Blues", zmin=0, zmax=1,
        colorbar=dict(title=dict(text="share of row"), tickformat=".0%"),
        hovertemplate="segment %{y}<br>label %{x}<br>%{text} users (%{z:.0%} of the segment)<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(automargin=True, side="top")
    return _base_layout(fig, height or max(260, 40 * len(table) + 120))


def contingency_figure(labels_a: np.ndarray, labels_b: np.ndarray, names_a: Mapping[int, str] | None = None,
                       names_b: Mapping[int, str] | None = None, title_a: str = "run A", title_b: str = "run B",
                       height: int | None = None) -> go.Figure:
    """Users of each segment of run A (rows) by their segment in run B (columns)."""
    a = np.asarray(labels_a)
    b = np.asarray(labels_b)
    rows = sorted(int(v) for v in np.unique(a))
    cols = sorted(int(v) for v in np.unique(b))
    counts = pd.crosstab(pd.Series(a), pd.Series(b)).reindex(index=rows, columns=cols, fill_value=0)
    z = counts.to_numpy(dtype=float)
    share = z / np.maximum(z.sum(axis=1, keepdims=True), 1)
    row_labels = [esc(n) for n in _label_names(np.array(rows), names_a)]
    col_labels = [esc(n) for n in _label_names(np.array(cols), names_b)]
    fig = go.Figure(go.Heatmap(
        z=share, x=col_labels, y=row_labels, text=z.astype(int), texttemplate="%{text}",
        colorscale="Blues", zmin=0, zmax=1, colorbar=dict(title=dict(text=f"share of {esc(title_a)} row"),
                                                           tickformat=".0%"),
        hovertemplate=f"{esc(title_a)}: %{{y}}<br>{esc(title_b)}: %{{x}}<br>%{{text}} users (%{{z:.0%}})<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", automargin=True, title=esc(title_a))
    fig.update_xaxes(automargin=True, side="top", title=esc(title_b))
    return _base_layout(fig, height or max(300, 42 * len(rows) + 150))


def sankey_figure(labels_a: np.ndarray, labels_b: np.ndarray, names_a: Mapping[int, str] | None = None,
                  names_b: Mapping[int, str] | None = None, title_a: str = "run A", title_b: str = "run B",
                  height: int | None = None) -> go.Figure:
    """How users flow from run A's segments (left) to run B's (right)."""
    a = np.asarray(labels_a)
    b = np.asarray(labels_b)
    left = sorted(int(v) for v in np.unique(a))
    right = sorted(int(v) for v in np.unique(b))
    node_labels = [f"{esc(title_a)}: {esc(n)}" for n in _label_names(np.array(left), names_a)] + \
                  [f"{esc(title_b)}: {esc(n)}" for n in _label_names(np.array(right), names_b)]
    node_colors = [segment_color(v) for v in left] + [segment_color(v) for v in right]
    pairs = pd.DataFrame({"a": a, "b": b}).value_counts().reset_index(name="n")
    source = [left.index(int(v)) for v in pairs["a"]]
    target = [len(left) + right.index(int(v)) for v in pairs["b"]]
    link_colors = [_with_alpha(segment_color(int(v)), 0.35) for v in pairs["a"]]
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node=dict(label=node_labels, color=node_colors, pad=12, thickness=16),
        link=dict(source=source, target=target, value=pairs["n"].tolist(), color=link_colors,
                  hovertemplate="%{source.label} → %{target.label}: %{value} users<extra></extra>"),
    ))
    return _base_layout(fig, height or max(360, 34 * max(len(left), len(right)) + 120))


def _with_alpha(hex_color: str, alpha: float) -> str:
    hex_color = hex_color.lstrip("#")
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


_hover_texts = hover_texts

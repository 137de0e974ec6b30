"""Charts of segments over time (plotly; no Streamlit): sizes per period and a trait per period."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from segkit.plots.colors import segment_color
from segkit.plots.figures import esc


def sizes_over_time_figure(sizes: pd.DataFrame, value: str = "share", height: int = 420) -> go.Figure:
    """Stacked areas: each segment's share (or users) per period, from segkit.timeline's sizes table."""
    fig = go.Figure()
    periods = sorted(sizes["period"].unique())
    for segment, rows in sizes.groupby("segment_id", sort=True):
        rows = rows.set_index("period").reindex(periods)
        name = esc(str(rows["segment_name"].dropna().iloc[0]))
        fig.add_trace(go.Scatter(
            x=periods, y=rows[value].fillna(0).tolist(), name=name, mode="lines", stackgroup="one",
            line=dict(width=0.5, color=segment_color(int(segment))),
            hovertemplate=f"{name}<br>%{{x}}: %{{y:{'.0%' if value == 'share' else ',.0f'}}}<extra></extra>"))
    fig.update_yaxes(tickformat=".0%" if value == "share" else ",", title="share of users" if value == "share"
                     else "users", gridcolor="#EEF0F3")
    fig.update_xaxes(type="category", title="period", categoryorder="array", categoryarray=periods)
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=20, b=10), plot_bgcolor="white",
                      paper_bgcolor="white", legend=dict(orientation="h", y=-0.2))
    return fig


def trait_over_time_figure(traits: pd.DataFrame, column: str, names: dict, height: int = 360) -> go.Figure:
    """One line per segment: the mean of `column` per period (segkit.timeline.periods.trait_by_period)."""
    fig = go.Figure()
    periods = sorted(traits["period"].unique())
    for segment, rows in traits.groupby("segment_id", sort=True):
        name = esc(str(names.get(int(segment), f"Segment {int(segment)}")))
        fig.add_trace(go.Scatter(x=rows["period"], y=rows[column], name=name, mode="lines+markers",
                                 line=dict(color=segment_color(int(segment)))))
    fig.update_xaxes(type="category", title="period", categoryorder="array", categoryarray=periods)
    fig.update_yaxes(title=esc(f"mean {column}"), gridcolor="#EEF0F3")
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=20, b=10), plot_bgcolor="white",
                      paper_bgcolor="white", legend=dict(orientation="h", y=-0.25))
    return fig

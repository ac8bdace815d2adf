"""Plotly figure builders over frames the KPI functions computed. They never compute KPIs.

One palette (Okabe & Ito's colour-blind-safe set) and one layout, sized to be read on a shared
screen from the back of a meeting room.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

# Okabe & Ito (2008), "Color Universal Design": distinguishable with any colour-vision deficiency.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#7F7F7F",
}
SEQUENCE = [PALETTE[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky")]
FONT_SIZE = 16


def _layout(fig: go.Figure, title: str, y_title: str) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": FONT_SIZE + 4}},
        font={"size": FONT_SIZE},
        colorway=SEQUENCE,
        template="plotly_white",
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        hovermode="x unified",
        legend={"orientation": "h", "y": -0.15},
        yaxis_title=y_title,
        height=380,
    )
    return fig


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def interval_trend(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    low: str,
    high: str,
    title: str,
    y_title: str,
    name: str,
) -> go.Figure:
    """A line with its 95% interval as a shaded band."""
    fig = go.Figure()
    colour = PALETTE["blue"]
    fig.add_trace(
        go.Scatter(
            x=list(frame[x]) + list(frame[x])[::-1],
            y=list(frame[high]) + list(frame[low])[::-1],
            fill="toself",
            fillcolor=_rgba(colour, 0.18),
            line={"width": 0},
            hoverinfo="skip",
            name="95% interval",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=frame[x],
            y=frame[y],
            mode="lines+markers",
            name=name,
            line={"color": colour, "width": 3},
            hovertemplate="%{y:.1f}",
        )
    )
    return _layout(fig, title, y_title)


def count_bars(frame: pd.DataFrame, *, x: str, y: str, title: str, y_title: str) -> go.Figure:
    """Counts per period as bars."""
    fig = go.Figure(
        go.Bar(
            x=frame[x],
            y=frame[y],
            marker_color=PALETTE["orange"],
            name=y_title,
            hovertemplate="%{y:,}",
        )
    )
    return _layout(fig, title, y_title)

"""Figures of comment themes, drawn from :class:`ptx.api.comments.ThemeTrends` frames only, in
the house style and palette of :mod:`ptx.charts`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ptx.charts import PALETTE, SEQUENCE, _figure, plain

# White (no comments on the theme) to the palette's blue (every comment on it).
SHARE_SCALE = [[0.0, "#F7F7F7"], [1.0, PALETTE["blue"]]]
SENTIMENT_COLOURS = {
    "positive": PALETTE["blue"],
    "neutral": PALETTE["grey"],
    "negative": PALETTE["orange"],
}


def theme_share_lines(frame: pd.DataFrame, *, title: str) -> go.Figure:
    """The share of comments on each theme per month: one line per theme.

    ``frame``: month, label, share (NaN where hidden)."""
    traces = []
    for i, (label, rows) in enumerate(frame.groupby("label", sort=False)):
        traces.append(
            go.Scatter(
                x=rows["month"],
                y=rows["share"],
                mode="lines+markers",
                name=plain(label),
                line={"color": SEQUENCE[i % len(SEQUENCE)], "width": 2},
                hovertemplate="%{y:.1f}%",
            )
        )
    return _figure(traces, title, "% of comments", height=420)


def sentiment_bars(frame: pd.DataFrame, *, title: str) -> go.Figure:
    """Comments on one theme per month, stacked by sentiment.

    ``frame``: month, positive, neutral, negative (NaN where hidden)."""
    traces = [
        go.Bar(
            x=frame["month"],
            y=frame[sentiment],
            name=sentiment.capitalize(),
            marker_color=SENTIMENT_COLOURS[sentiment],
            hovertemplate="%{y:,}",
        )
        for sentiment in ("positive", "neutral", "negative")
    ]
    return _figure(traces, title, "Comments", barmode="stack", legend={"traceorder": "normal"})


def wrapped(label: object, width: int = 11) -> str:
    """A label as plain text on lines of about ``width`` characters (for a crowded axis)."""
    lines: list[str] = []
    for word in str(label).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(plain(line) for line in lines)


def theme_heatmap(frame: pd.DataFrame, *, title: str) -> go.Figure:
    """Departments x themes coloured by the share of the department's comments on the theme;
    "*" where the rule hides it.

    ``frame``: department, label, share (NaN where hidden)."""
    departments = list(dict.fromkeys(frame["department"]))
    themes = list(dict.fromkeys(frame["label"]))
    row = {d: i for i, d in enumerate(departments)}
    col = {t: j for j, t in enumerate(themes)}
    z = np.full((len(departments), len(themes)), np.nan)
    text = np.full(z.shape, "", dtype=object)
    for department, label, share in zip(
        frame["department"], frame["label"], frame["share"], strict=True
    ):
        i, j = row[department], col[label]
        z[i, j] = share
        text[i, j] = "*" if share != share else f"{share:.0f}%"
    traces = [
        go.Heatmap(
            z=z,
            x=[wrapped(t) for t in themes],
            y=[plain(d) for d in departments],
            zmin=0,
            zmax=max(1.0, float(np.nanmax(z))) if np.isfinite(z).any() else 1.0,
            colorscale=SHARE_SCALE,
            text=text,
            texttemplate="%{text}",
            xgap=2,
            ygap=2,
            hovertemplate="%{y}<br>%{x}: %{text} of comments<extra></extra>",
            colorbar={"title": {"text": "% of comments"}},
        )
    ]
    return _figure(
        traces,
        title,
        "",
        height=200 + 28 * len(departments),
        hovermode="closest",
        yaxis={"autorange": "reversed"},
        xaxis={"side": "top", "tickangle": 0, "tickfont": {"size": 13}},
        margin={"l": 60, "r": 20, "t": 150, "b": 30},
    )

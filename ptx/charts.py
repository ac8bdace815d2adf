"""Plotly figure builders over frames the KPI functions computed. They never compute KPIs.

One palette (Okabe & Ito's colour-blind-safe set) and one layout, sized to be read on a shared
screen from the back of a meeting room.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
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


# The look of Plotly's "plotly_white", written out: naming a template makes Plotly copy and
# validate the whole of it for every figure (about 15 ms each, on every rerun).
GRID = "#EBF0F8"
INK = "#333333"  # mean lines, whiskers, the organisation's line
LIMIT_INK = "#555555"  # funnel limits
# The heatmap's diverging scale: orange (worse) through light grey to blue (better).
HEAT_SCALE = [
    [0.0, PALETTE["orange"]],
    [0.25, "#F5C77E"],
    [0.5, "#EEEEEE"],
    [0.75, "#9CC9E6"],
    [1.0, PALETTE["blue"]],
]
AXIS_STYLE = {"gridcolor": GRID, "linecolor": GRID, "zerolinecolor": GRID, "automargin": True}


BASE_LAYOUT = {
    "font": {"size": FONT_SIZE},
    "colorway": SEQUENCE,
    "template": {},
    "paper_bgcolor": "white",
    "plot_bgcolor": "white",
    "xaxis": AXIS_STYLE,
    "yaxis": AXIS_STYLE,
    "margin": {"l": 60, "r": 20, "t": 60, "b": 50},
    "hovermode": "x unified",
    "legend": {"orientation": "h", "y": -0.15},
    "height": 380,
}


def plain(label: object) -> str:
    """A label from the data as literal text in a figure. Plotly draws titles, tick labels,
    legends and hover text as a small HTML (``<a href>``, ``<b>``, ``<br>``...), so a department
    named ``<a href="http://evil.example">x</a>`` would be a live link: its ``&``, ``<`` and
    ``>`` are written as entities, which Plotly shows as the characters."""
    return html.escape(str(label), quote=False)


def _merge(base: dict, extra: dict) -> dict:
    """``base`` updated with ``extra``, nested dicts merged key by key."""
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            value = _merge(out[key], value)
        out[key] = value
    return out


def _figure(
    traces: list, title: str, y_title: str, *, lines: Sequence[dict] = (), **layout
) -> go.Figure:
    """The figure in one step: the house layout merged with ``layout`` (nested dicts) and any
    reference ``lines`` (see :func:`_reference_line`). Plotly validates a layout given at
    creation once; every later ``update_layout`` or ``add_hline`` costs several times that,
    on every rerun. Titles are plain text: they name measures, and a survey question's
    measure is named by the data."""
    merged = _merge(
        BASE_LAYOUT,
        {
            "title": {"text": plain(title), "font": {"size": FONT_SIZE + 4}, "x": 0.05},
            "yaxis": {"title": {"text": plain(y_title)}},
        },
    )
    merged = _merge(merged, layout)
    if "title" in merged["xaxis"]:
        x_title = merged["xaxis"]["title"]
        merged["xaxis"] = {**merged["xaxis"], "title": {**x_title, "text": plain(x_title["text"])}}
    if "title" in merged["xaxis"] and merged.get("showlegend", True):
        merged["legend"] = {**merged["legend"], "y": -0.25}  # below the x-axis title
    if lines:
        merged["shapes"] = [line["shape"] for line in lines]
        merged["annotations"] = [line["annotation"] for line in lines]
    return go.Figure(traces, layout=merged)


def _reference_line(
    *, line: dict, text: str, y: float | None = None, x: float | None = None, below: bool = False
) -> dict:
    """A labelled line across the plot at ``y`` (label above its left end, or ``below`` its
    right end) or down it at ``x`` (label at the top, to its right)."""
    if y is not None:
        shape = {"xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": y, "y1": y}
        label = {"xref": "x domain", "x": 1 if below else 0, "yref": "y", "y": y}
        label |= {"xanchor": "right" if below else "left", "yanchor": "top" if below else "bottom"}
    else:
        shape = {"xref": "x", "x0": x, "x1": x, "yref": "y domain", "y0": 0, "y1": 1}
        label = {"xref": "x", "x": x, "yref": "y domain", "y": 1}
        label |= {"xanchor": "left", "yanchor": "top"}
    return {
        "shape": {"type": "line", **shape, "line": line},
        "annotation": {**label, "text": text, "showarrow": False},
    }


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
    traces = []
    colour = PALETTE["blue"]
    traces.append(
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
    traces.append(
        go.Scatter(
            x=frame[x],
            y=frame[y],
            mode="lines+markers",
            name=name,
            line={"color": colour, "width": 3},
            hovertemplate="%{y:.1f}",
        )
    )
    return _figure(traces, title, y_title)


def count_bars(frame: pd.DataFrame, *, x: str, y: str, title: str, y_title: str) -> go.Figure:
    """Counts per period as bars."""
    traces = [
        go.Bar(
            x=frame[x],
            y=frame[y],
            marker_color=PALETTE["orange"],
            name=y_title,
            hovertemplate="%{y:,}",
        )
    ]
    return _figure(traces, title, y_title)


# Making Data Count's colours for point types: improvement blue, concern orange, neutral purple.
POINT_COLOURS = {
    "common_cause": PALETTE["grey"],
    "special_cause_improvement": PALETTE["blue"],
    "special_cause_concern": PALETTE["orange"],
    "special_cause_neutral_high": PALETTE["purple"],
    "special_cause_neutral_low": PALETTE["purple"],
}
POINT_NAMES = {
    "common_cause": "common cause",
    "special_cause_improvement": "improvement",
    "special_cause_concern": "concern",
    "special_cause_neutral_high": "special cause (neutral)",
    "special_cause_neutral_low": "special cause (neutral)",
}


def spc_chart(
    chart: pd.DataFrame,
    *,
    title: str,
    y_title: str,
    band: pd.DataFrame | None = None,
    target: float | None = None,
) -> go.Figure:
    """An SPC chart: the values, mean and process limits per segment, special-cause points in
    MDC colours, and (for proportions) each point's 95% interval as a band."""
    traces = []
    if band is not None and band["low"].notna().any():
        traces.append(
            go.Scatter(
                x=list(band["period"]) + list(band["period"])[::-1],
                y=list(band["high"]) + list(band["low"])[::-1],
                fill="toself",
                fillcolor=_rgba(PALETTE["sky"], 0.15),
                line={"width": 0},
                hoverinfo="skip",
                name="95% interval",
            )
        )
    for i, (_, seg) in enumerate(chart.groupby("segment")):
        first = i == 0
        trial = " (trial)" if seg["trial_limits"].iloc[0] else ""
        for col, name, dash in (
            ("upl", "process limits" + trial, "dash"),
            ("lpl", None, "dash"),
            ("mean", "mean" + trial, "solid"),
        ):
            traces.append(
                go.Scatter(
                    x=seg["period"],
                    y=seg[col],
                    mode="lines",
                    name=name or "process limits",
                    line={
                        "color": PALETTE["grey"] if col != "mean" else INK,
                        "dash": dash,
                        "width": 1.5 if col != "mean" else 2,
                        "shape": "hv",
                    },
                    showlegend=first and name is not None,
                    legendgroup=col if col != "lpl" else "upl",
                    hovertemplate=f"{col}: %{{y:.1f}}<extra></extra>",
                )
            )
    traces.append(
        go.Scatter(
            x=chart["period"],
            y=chart["value"],
            mode="lines",
            line={"color": PALETTE["grey"], "width": 2},
            showlegend=False,
            hoverinfo="skip",
        )
    )
    for point_type, points in chart.groupby("point_type", sort=False):
        traces.append(
            go.Scatter(
                x=points["period"],
                y=points["value"],
                mode="markers",
                name=POINT_NAMES[point_type],
                marker={
                    "color": POINT_COLOURS[point_type],
                    "size": 11,
                    "line": {"color": "white", "width": 1},
                },
                hovertemplate="%{x|%d %b %Y}: %{y:.1f}<extra>"
                + POINT_NAMES[point_type]
                + "</extra>",
            )
        )
    lines = []
    if target is not None:
        lines.append(
            _reference_line(
                y=target, line={"color": PALETTE["green"], "dash": "dot", "width": 2}, text="target"
            )
        )
    return _figure(traces, title, y_title, lines=lines, height=460, hovermode="closest")


def breakdown_bars(
    frame: pd.DataFrame,
    *,
    group: str,
    value: str,
    low: str,
    high: str,
    title: str,
    x_title: str,
) -> go.Figure:
    """Horizontal bars per group with 95% interval whiskers; groups without a value (too few
    responses to show) are left empty."""
    whiskers = {
        "type": "data",
        "symmetric": False,
        "array": frame[high] - frame[value],
        "arrayminus": frame[value] - frame[low],
        "color": INK,
        "thickness": 2,
    }
    return _horizontal_bars(
        frame, group, value, title, x_title, colour=PALETTE["blue"], row=45, error_x=whiskers
    )


def survival_curves(curves: dict[str, pd.DataFrame], *, title: str, target: int | None = None):
    """Kaplan-Meier curves (share still open by working days since receipt) as steps, the
    first with its 95% band; ``curves`` maps a label to :func:`ptx.survival.curve` output."""
    traces = []
    for i, (label, curve) in enumerate(curves.items()):
        colour = SEQUENCE[i % len(SEQUENCE)]
        if i == 0:
            traces.append(
                go.Scatter(
                    x=list(curve["working_days"]) + list(curve["working_days"])[::-1],
                    y=list(100 * curve["high"]) + list(100 * curve["low"])[::-1],
                    fill="toself",
                    fillcolor=_rgba(colour, 0.15),
                    line={"width": 0, "shape": "hv"},
                    hoverinfo="skip",
                    name=f"{plain(label)}: 95% interval",
                )
            )
        traces.append(
            go.Scatter(
                x=curve["working_days"],
                y=100 * curve["survival"],
                mode="lines",
                name=plain(label),
                line={"color": colour, "width": 3 if i == 0 else 2, "shape": "hv"},
                # The name by reference: a label written into the template could hold "%{...}".
                hovertemplate="%{x} working days: %{y:.1f}% still open"
                "<extra>%{fullData.name}</extra>",
            )
        )
    lines = []
    if target is not None:
        lines.append(
            _reference_line(
                x=target, line={"color": PALETTE["grey"], "dash": "dot"}, text=f"target {target}"
            )
        )
    return _figure(
        traces,
        title,
        "% still open",
        lines=lines,
        xaxis={"title": {"text": "working days since receipt"}},
        hovermode="closest",
        height=460,
    )


def share_bars(
    frame: pd.DataFrame, *, group: str, value: str, title: str, x_title: str
) -> go.Figure:
    """Horizontal bars of a share per group, largest at the top."""
    return _horizontal_bars(
        frame, group, value, title, x_title, colour=PALETTE["orange"], row=40, top_down=True
    )


def _horizontal_bars(
    frame: pd.DataFrame,
    group: str,
    value: str,
    title: str,
    x_title: str,
    *,
    colour: str,
    row: int,
    error_x: dict | None = None,
    top_down: bool = False,
) -> go.Figure:
    """One horizontal bar per group, ``row`` pixels each; ``top_down`` lists the first group
    at the top."""
    bar = go.Bar(
        y=frame[group].map(plain),
        x=frame[value],
        orientation="h",
        marker_color=colour,
        error_x=error_x,
        hovertemplate="%{y}: %{x:.1f}<extra></extra>",
    )
    return _figure(
        [bar],
        title,
        "",
        xaxis={"title": {"text": x_title}},
        height=80 + row * max(len(frame), 2),
        hovermode="closest",
        **({"yaxis": {"autorange": "reversed"}} if top_down else {}),
    )


# Oriented verdicts (see ptx.departments.oriented_score): blue better, orange worse.
SCORE_COLOURS = {
    2: PALETTE["blue"],
    1: "#7FB8DC",
    0: PALETTE["grey"],
    -1: "#F2C062",
    -2: PALETTE["orange"],
}
SCORE_NAMES = {
    2: "better (99.8%)",
    1: "better (95%)",
    0: "within limits",
    -1: "worse (95%)",
    -2: "worse (99.8%)",
}
TOO_FEW_COLOUR = "#CCCCCC"


def funnel_plot(
    result,
    *,
    names: dict[str, str],
    scores: dict[str, float],
    title: str,
    x_title: str,
    y_title: str,
    scale: float,
) -> go.Figure:
    """A funnel plot: the organisation's value, 95% and 99.8% limits, one point per department
    (its id in customdata, for selection), coloured by its oriented verdict ``scores``
    (+2 much better ... -2 much worse, NaN too few)."""
    traces = []
    lim = result.limits
    for col, dash, label in (
        ("upper_998", "solid", "99.8% limits"),
        ("lower_998", "solid", None),
        ("upper_95", "dash", "95% limits"),
        ("lower_95", "dash", None),
    ):
        traces.append(
            go.Scatter(
                x=lim["n"],
                y=lim[col] * scale,
                mode="lines",
                name=label or "",
                showlegend=label is not None,
                line={"color": LIMIT_INK, "dash": dash, "width": 1.5},
                hoverinfo="skip",
                legendgroup=col[-3:],
            )
        )
    organisation = _reference_line(
        y=result.target * scale,
        line={"color": INK, "width": 1.5},
        text="organisation",
        below=True,
    )
    table = result.table.assign(score=result.table["group"].map(scores))
    for score, part in table.groupby(table["score"].fillna(-9), sort=True):
        name = SCORE_NAMES.get(int(score), "too few to judge")
        traces.append(
            go.Scatter(
                x=part["n"],
                y=part["value"] * scale,
                mode="markers",
                name=name,
                customdata=part["group"],
                text=[plain(names.get(g, g)) for g in part["group"]],
                marker={
                    "size": 13,
                    "color": SCORE_COLOURS.get(int(score), TOO_FEW_COLOUR),
                    "line": {"color": "white", "width": 1},
                },
                hovertemplate="<b>%{text}</b><br>n = %{x:,.0f}<br>value = %{y:.1f}<br>"
                + name
                + "<extra></extra>",
            )
        )
    return _figure(
        traces,
        title,
        y_title,
        lines=[organisation],
        xaxis={"title": {"text": x_title}, "type": "log"},
        hovermode="closest",
        height=500,
        clickmode="event+select",
    )


def verdict_heatmap(frame: pd.DataFrame, *, title: str) -> go.Figure:
    """Departments x measures coloured by the oriented funnel verdict (blue better, orange
    worse); cells with too few responses are blank. Department ids ride in customdata."""
    departments = list(dict.fromkeys(frame["department"]))
    measures = list(dict.fromkeys(frame["measure"]))
    # One cell per department and measure, laid out by hand (pivot_table costs ~20 ms here).
    row = {d: i for i, d in enumerate(departments)}
    col = {m: j for j, m in enumerate(measures)}
    z = np.full((len(departments), len(measures)), np.nan)
    labels = np.full(z.shape, "", dtype=object)
    cells = zip(frame["department"], frame["measure"], frame["value"], frame["score"], strict=True)
    for department, measure, value, score in cells:
        i, j = row[department], col[measure]
        z[i, j] = score
        labels[i, j] = "*" if score != score else f"{value:.1f}"
    ids = dict(zip(frame["department"], frame["department_id"], strict=False))
    custom = [[ids[d]] * len(measures) for d in departments]
    scale = HEAT_SCALE
    traces = [
        go.Heatmap(
            z=z,
            x=measures,
            y=[plain(d) for d in departments],
            zmin=-2,
            zmax=2,
            colorscale=scale,
            text=labels,
            texttemplate="%{text}",
            customdata=custom,
            xgap=2,
            ygap=2,
            hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
            colorbar={
                "tickvals": [-2, -1, 0, 1, 2],
                "ticktext": [
                    "worse (99.8%)",
                    "worse (95%)",
                    "within",
                    "better (95%)",
                    "better (99.8%)",
                ],
            },
        )
    ]
    return _figure(
        traces,
        title,
        "",
        height=200 + 28 * len(departments),
        hovermode="closest",
        yaxis={"autorange": "reversed"},
        xaxis={"side": "bottom", "tickangle": 0},
        margin={"l": 60, "r": 20, "t": 60, "b": 90},
    )

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


# The look of Plotly's "plotly_white", written out: naming a template makes Plotly copy and
# validate the whole of it for every figure (about 15 ms each, on every rerun).
GRID = "#EBF0F8"
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


def _figure(data=None) -> go.Figure:
    """A figure with the house layout, given at creation: setting it afterwards through
    ``update_layout`` costs ten times as much, on every rerun."""
    return go.Figure(data, layout=BASE_LAYOUT)


def _layout(fig: go.Figure, title: str, y_title: str, **layout) -> go.Figure:
    """Title the figure and apply any other layout in the same (costly) update."""
    fig.update_layout(
        title={"text": title, "font": {"size": FONT_SIZE + 4}, "x": 0.05},
        yaxis_title=y_title,
        **layout,
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
    fig = _figure()
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
    fig = _figure(
        go.Bar(
            x=frame[x],
            y=frame[y],
            marker_color=PALETTE["orange"],
            name=y_title,
            hovertemplate="%{y:,}",
        )
    )
    return _layout(fig, title, y_title)


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
    fig = _figure()
    if band is not None and band["low"].notna().any():
        fig.add_trace(
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
            fig.add_trace(
                go.Scatter(
                    x=seg["period"],
                    y=seg[col],
                    mode="lines",
                    name=name or "process limits",
                    line={
                        "color": PALETTE["grey"] if col != "mean" else "#333333",
                        "dash": dash,
                        "width": 1.5 if col != "mean" else 2,
                        "shape": "hv",
                    },
                    showlegend=first and name is not None,
                    legendgroup=col if col != "lpl" else "upl",
                    hovertemplate=f"{col}: %{{y:.1f}}<extra></extra>",
                )
            )
    fig.add_trace(
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
        fig.add_trace(
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
    if target is not None:
        fig.add_hline(
            y=target,
            line={"color": PALETTE["green"], "dash": "dot", "width": 2},
            annotation_text="target",
            annotation_position="top left",
        )
    fig = _layout(fig, title, y_title, height=460, hovermode="closest")
    return fig


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
    fig = _figure(
        go.Bar(
            y=frame[group].astype(str),
            x=frame[value],
            orientation="h",
            marker_color=PALETTE["blue"],
            error_x={
                "type": "data",
                "symmetric": False,
                "array": frame[high] - frame[value],
                "arrayminus": frame[value] - frame[low],
                "color": "#333333",
                "thickness": 2,
            },
            hovertemplate="%{y}: %{x:.1f}<extra></extra>",
        )
    )
    fig = _layout(
        fig,
        title,
        "",
        xaxis_title=x_title,
        height=80 + 45 * max(len(frame), 2),
        hovermode="closest",
    )
    return fig


def survival_curves(curves: dict[str, pd.DataFrame], *, title: str, target: int | None = None):
    """Kaplan-Meier curves (share still open by working days since receipt) as steps, the
    first with its 95% band; ``curves`` maps a label to :func:`ptx.survival.curve` output."""
    fig = _figure()
    for i, (label, curve) in enumerate(curves.items()):
        colour = SEQUENCE[i % len(SEQUENCE)]
        if i == 0:
            fig.add_trace(
                go.Scatter(
                    x=list(curve["working_days"]) + list(curve["working_days"])[::-1],
                    y=list(100 * curve["high"]) + list(100 * curve["low"])[::-1],
                    fill="toself",
                    fillcolor=_rgba(colour, 0.15),
                    line={"width": 0, "shape": "hv"},
                    hoverinfo="skip",
                    name=f"{label}: 95% interval",
                )
            )
        fig.add_trace(
            go.Scatter(
                x=curve["working_days"],
                y=100 * curve["survival"],
                mode="lines",
                name=label,
                line={"color": colour, "width": 3 if i == 0 else 2, "shape": "hv"},
                hovertemplate="%{x} working days: %{y:.1f}% still open<extra>" + label + "</extra>",
            )
        )
    if target is not None:
        fig.add_vline(
            x=target,
            line={"color": PALETTE["grey"], "dash": "dot"},
            annotation_text=f"target {target}",
            annotation_position="top right",
        )
    fig = _layout(
        fig,
        title,
        "% still open",
        xaxis_title="working days since receipt",
        hovermode="closest",
        height=460,
    )
    return fig


def share_bars(
    frame: pd.DataFrame, *, group: str, value: str, title: str, x_title: str
) -> go.Figure:
    """Horizontal bars of a share per group, largest at the top."""
    fig = _figure(
        go.Bar(
            y=frame[group].astype(str),
            x=frame[value],
            orientation="h",
            marker_color=PALETTE["orange"],
            hovertemplate="%{y}: %{x:.1f}<extra></extra>",
        )
    )
    fig = _layout(
        fig,
        title,
        "",
        xaxis_title=x_title,
        height=80 + 40 * max(len(frame), 2),
        hovermode="closest",
        yaxis={"autorange": "reversed"},
    )
    return fig


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
    fig = _figure()
    lim = result.limits
    for col, dash, label in (
        ("upper_998", "solid", "99.8% limits"),
        ("lower_998", "solid", None),
        ("upper_95", "dash", "95% limits"),
        ("lower_95", "dash", None),
    ):
        fig.add_trace(
            go.Scatter(
                x=lim["n"],
                y=lim[col] * scale,
                mode="lines",
                name=label or "",
                showlegend=label is not None,
                line={"color": "#555555", "dash": dash, "width": 1.5},
                hoverinfo="skip",
                legendgroup=col[-3:],
            )
        )
    fig.add_hline(
        y=result.target * scale,
        line={"color": "#333333", "width": 1.5},
        annotation_text="organisation",
        annotation_position="bottom right",
    )
    table = result.table.assign(score=result.table["group"].map(scores))
    for score, part in table.groupby(table["score"].fillna(-9), sort=True):
        name = SCORE_NAMES.get(int(score), "too few to judge")
        fig.add_trace(
            go.Scatter(
                x=part["n"],
                y=part["value"] * scale,
                mode="markers",
                name=name,
                customdata=part["group"],
                text=[names.get(g, g) for g in part["group"]],
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
    fig = _layout(
        fig,
        title,
        y_title,
        xaxis_title=x_title,
        xaxis_type="log",
        hovermode="closest",
        height=500,
        clickmode="event+select",
    )
    return fig


def verdict_heatmap(frame: pd.DataFrame, *, title: str) -> go.Figure:
    """Departments x measures coloured by the oriented funnel verdict (blue better, orange
    worse); cells with too few responses are blank. Department ids ride in customdata."""
    departments = list(dict.fromkeys(frame["department"]))
    measures = list(dict.fromkeys(frame["measure"]))
    pivot = frame.pivot_table(
        index="department", columns="measure", values="score", aggfunc="first"
    ).reindex(index=departments, columns=measures)
    text = frame.assign(
        label=[
            "*" if s != s else f"{v:.1f}"
            for v, s in zip(frame["value"], frame["score"], strict=True)
        ]
    ).pivot_table(index="department", columns="measure", values="label", aggfunc="first")
    text = text.reindex(index=departments, columns=measures).fillna("")
    ids = dict(zip(frame["department"], frame["department_id"], strict=False))
    custom = [[ids[d]] * len(measures) for d in departments]
    scale = [
        [0.0, PALETTE["orange"]],
        [0.25, "#F5C77E"],
        [0.5, "#EEEEEE"],
        [0.75, "#9CC9E6"],
        [1.0, PALETTE["blue"]],
    ]
    fig = _figure(
        go.Heatmap(
            z=pivot.to_numpy(),
            x=measures,
            y=departments,
            zmin=-2,
            zmax=2,
            colorscale=scale,
            text=text.to_numpy(),
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
    )
    fig = _layout(
        fig,
        title,
        "",
        height=200 + 28 * len(departments),
        hovermode="closest",
        yaxis={"autorange": "reversed"},
        xaxis={"side": "bottom", "tickangle": 0},
        margin={"l": 60, "r": 20, "t": 60, "b": 90},
    )
    return fig

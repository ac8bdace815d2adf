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
    # Below everything, measured from the figure's bottom edge: a legend placed in the plot's
    # own coordinates (y = -0.15) lands on rotated tick labels and axis titles whenever they
    # take more room than it guessed; one at the container's edge pushes the margin instead.
    "legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0},
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
    if lines:
        merged["shapes"] = [line["shape"] for line in lines]
        merged["annotations"] = [line["annotation"] for line in lines] + list(
            layout.get("annotations", ())
        )
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
            mode="lines",  # a band: no marker at its vertices, nor in its legend swatch
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


def _within(
    values: pd.Series, bounds: tuple[float, float] | None, name: str, notes: list[str]
) -> pd.Series:
    """``values`` drawn within ``bounds`` (a percentage within 0-100); a value beyond them is
    drawn at the bound and said in ``notes``, with the value it has."""
    if bounds is None:
        return values
    low, high = bounds
    numbers = pd.to_numeric(values, errors="coerce")
    for side, beyond, bound, word in (
        ("upper", numbers > high, high, "above"),
        ("lower", numbers < low, low, "below"),
    ):
        if beyond.any():
            worst = numbers[beyond].max() if side == "upper" else numbers[beyond].min()
            notes.append(
                f"{name.capitalize()} {worst:.1f} lies {word} {bound:g}: drawn at {bound:g}."
            )
    return numbers.clip(low, high)


def _note(text: str) -> dict:
    """A sentence in small type above the plot's right end (what the drawing leaves out)."""
    return {
        "xref": "paper",
        "x": 1,
        "xanchor": "right",
        "yref": "paper",
        "y": 1.02,
        "yanchor": "bottom",
        "text": plain(text),
        "showarrow": False,
        "font": {"size": FONT_SIZE - 2},
    }


def _zoomed(values: Sequence[float], bounds: tuple[float, float] | None) -> list[float] | None:
    """An axis range that holds ``values`` with a margin of a twentieth of their spread (at
    least one unit), kept within ``bounds``; None when there is nothing to hold."""
    finite = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    if finite.size == 0:
        return None
    low, high = float(finite.min()), float(finite.max())
    pad = max((high - low) / 20, 1.0)
    low, high = low - pad, high + pad
    if bounds is not None:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return [low, high]


def spc_chart(
    chart: pd.DataFrame,
    *,
    title: str,
    y_title: str,
    band: pd.DataFrame | None = None,
    target: float | None = None,
    bounds: tuple[float, float] | None = None,
) -> go.Figure:
    """An SPC chart: the values, mean and process limits per segment, special-cause points in
    MDC colours, and (for proportions) each point's 95% interval as a band.

    ``bounds`` are the values a measure can take (0-100 for a percentage): a process limit or
    interval beyond them is drawn at the bound, the axis stays within them, and a note above
    the plot says which limit lies outside and its value (the table keeps it)."""
    traces = []
    notes: list[str] = []
    drawn: list[float] = list(chart["value"])
    if band is not None and band["low"].notna().any():
        high = _within(band["high"], bounds, "an interval's upper end", [])
        low = _within(band["low"], bounds, "an interval's lower end", [])
        drawn += list(high) + list(low)
        traces.append(
            go.Scatter(
                x=list(band["period"]) + list(band["period"])[::-1],
                y=list(high) + list(low)[::-1],
                fill="toself",
                mode="lines",
                fillcolor=_rgba(PALETTE["sky"], 0.15),
                line={"width": 0},
                hoverinfo="skip",
                name="95% interval",
            )
        )
    limit_names = {"upl": "the upper process limit", "lpl": "the lower process limit"}
    for i, (_, seg) in enumerate(chart.groupby("segment")):
        first = i == 0
        trial = " (trial)" if seg["trial_limits"].iloc[0] else ""
        for col, name, dash in (
            ("upl", "process limits" + trial, "dash"),
            ("lpl", None, "dash"),
            ("mean", "mean" + trial, "solid"),
        ):
            y = _within(seg[col], bounds, limit_names.get(col, col), notes)
            drawn += list(y)
            traces.append(
                go.Scatter(
                    x=seg["period"],
                    y=y,
                    customdata=seg[col],  # the limit as computed, where it is drawn at a bound
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
                    hovertemplate=f"{col}: %{{customdata:.1f}}<extra></extra>",
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
                cliponaxis=False,
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
        drawn.append(target)
        lines.append(
            _reference_line(
                y=target, line={"color": PALETTE["green"], "dash": "dot", "width": 2}, text="target"
            )
        )
    layout: dict = {"height": 460, "hovermode": "closest"}
    if bounds is not None:
        y_range = _zoomed(drawn, bounds)
        if y_range is not None:
            layout["yaxis"] = {"range": y_range}
    if notes:
        layout["annotations"] = [_note(" ".join(dict.fromkeys(notes)))]
    return _figure(traces, title, y_title, lines=lines, **layout)


def breakdown_dots(
    frame: pd.DataFrame,
    *,
    group: str,
    value: str,
    low: str,
    high: str,
    title: str,
    x_title: str,
    bounds: tuple[float, float] | None = None,
) -> go.Figure:
    """A dot per group with its 95% interval as whiskers, on an axis zoomed to the intervals
    (bars from 0 would make groups near 89% look alike); groups without a value (too few
    responses to show) keep their row, empty. ``bounds``: the values the measure can take."""
    labels = [plain(g) for g in frame[group]]
    whiskers = {
        "type": "data",
        "symmetric": False,
        "array": frame[high] - frame[value],
        "arrayminus": frame[value] - frame[low],
        "color": INK,
        "thickness": 2,
        "width": 6,
    }
    dots = go.Scatter(
        y=labels,
        x=frame[value],
        mode="markers",
        cliponaxis=False,  # a dot at 100% is drawn whole, not cut by the plot's edge
        marker={"color": PALETTE["blue"], "size": 13, "line": {"color": "white", "width": 1}},
        error_x=whiskers,
        customdata=np.column_stack([frame[low], frame[high]]) if len(frame) else None,
        hovertemplate="%{y}: %{x:.1f} (95% interval %{customdata[0]:.1f} to "
        "%{customdata[1]:.1f})<extra></extra>",
    )
    x_range = _zoomed([*frame[low], *frame[high], *frame[value]], bounds)
    return _figure(
        [dots],
        title,
        "",
        xaxis={"title": {"text": x_title}, **({"range": x_range} if x_range else {})},
        # Every group keeps its row, in the order given, the first at the top.
        yaxis={"type": "category", "categoryarray": labels, "autorange": "reversed"},
        height=80 + 45 * max(len(frame), 2),
        hovermode="closest",
        showlegend=False,
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
                    mode="lines",
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
    """Horizontal bars of a share per group, the first group at the top, 40 pixels a row."""
    bar = go.Bar(
        y=frame[group].map(plain),
        x=frame[value],
        orientation="h",
        marker_color=PALETTE["orange"],
        hovertemplate="%{y}: %{x:.1f}<extra></extra>",
    )
    return _figure(
        [bar],
        title,
        "",
        xaxis={"title": {"text": x_title}},
        yaxis={"autorange": "reversed"},
        height=80 + 40 * max(len(frame), 2),
        hovermode="closest",
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
    selected: str | None = None,
    bounds: tuple[float, float] | None = None,
) -> go.Figure:
    """A funnel plot: the organisation's value, 95% and 99.8% limits, one point per department
    (``[id, name]`` in customdata, for selection), coloured by its oriented verdict ``scores``
    (+2 much better ... -2 much worse, NaN too few).

    The axes hold the departments and the limits over their sizes, not the whole range the
    measure could take: the limits are drawn from the smallest department judged to the
    largest. Every department outside the 95% limits and the ``selected`` one are named
    beside their point; the selected one is ringed. ``bounds``: the values the measure can
    take (0-100 for a percentage)."""
    traces = []
    table = result.table.assign(score=result.table["group"].map(scores))
    sizes = table["n"].astype(float)
    judged = table.loc[table["score"].notna(), "n"].astype(float)
    smallest = float(judged.min() if len(judged) else sizes.min() if len(sizes) else 1.0)
    largest = float(sizes.max()) if len(sizes) else 10.0
    lim = result.limits
    lim = lim[(lim["n"] >= smallest / 1.25) & (lim["n"] <= largest * 1.25)]
    shown_values: list[float] = list(table["value"] * scale) + [result.target * scale]
    for col, dash, label in (
        ("upper_998", "solid", "99.8% limits"),
        ("lower_998", "solid", None),
        ("upper_95", "dash", "95% limits"),
        ("lower_95", "dash", None),
    ):
        shown_values += list(lim[col] * scale)
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
    for score, part in table.groupby(table["score"].fillna(-9), sort=True):
        name = SCORE_NAMES.get(int(score), "too few to judge")
        labels = [plain(names.get(g, g)) for g in part["group"]]
        traces.append(
            go.Scatter(
                x=part["n"],
                y=part["value"] * scale,
                mode="markers",
                name=name,
                customdata=[[g, label] for g, label in zip(part["group"], labels, strict=True)],
                cliponaxis=False,
                marker={
                    "size": 13,
                    "color": SCORE_COLOURS.get(int(score), TOO_FEW_COLOUR),
                    "line": {"color": "white", "width": 1},
                },
                hovertemplate="<b>%{customdata[1]}</b><br>n = %{x:,.0f}<br>value = %{y:.1f}<br>"
                + name
                + "<extra></extra>",
            )
        )
    # Names beside the points worth a look: every one outside the 95% limits, and the chosen.
    named = table[table["score"].fillna(0).ne(0) | (table["group"] == selected)]
    if len(named):
        texts = [plain(names.get(g, g)) for g in named["group"]]
        traces.append(
            go.Scatter(
                x=named["n"],
                y=named["value"] * scale,
                mode="text",
                name="names",
                text=texts,
                customdata=[[g, t] for g, t in zip(named["group"], texts, strict=True)],
                textposition="top center",
                textfont={"size": FONT_SIZE - 2, "color": INK},
                cliponaxis=False,
                showlegend=False,
                hoverinfo="skip",
            )
        )
    chosen = table[table["group"] == selected] if selected is not None else table.iloc[0:0]
    if len(chosen):
        traces.append(
            go.Scatter(
                x=chosen["n"],
                y=chosen["value"] * scale,
                mode="markers",
                name=f"selected: {plain(names.get(selected, selected))}",
                marker={
                    "size": 24,
                    "symbol": "circle-open",
                    "color": PALETTE["vermillion"],
                    "line": {"color": PALETTE["vermillion"], "width": 3},
                },
                hoverinfo="skip",
            )
        )
    x_axis: dict = {"title": {"text": x_title}, "type": "log"}
    if len(sizes):
        low, high = sizes.min() / 1.5, largest * 1.5
        # Ticks at 1, 2 and 5 of each power of ten: Plotly's own log ticks label 8, 9, 100...
        # close enough to run into each other in a narrow column.
        ticks = [
            t * 10**power
            for power in range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)
            for t in (1, 2, 5)
            if low <= t * 10**power <= high
        ]
        x_axis |= {
            "range": [np.log10(low), np.log10(high)],
            "tickvals": ticks,
            "ticktext": [f"{t:,.0f}" for t in ticks],
        }
    return _figure(
        traces,
        title,
        y_title,
        lines=[organisation],
        xaxis=x_axis,
        yaxis={"range": _zoomed(shown_values, bounds)} if len(table) else {},
        hovermode="closest",
        # The tooltip of a point at either edge opens towards the middle, inside the figure.
        hoverlabel={"align": "left"},
        height=520,
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
        # Plotly turns the measures' names when they would collide in a narrow column.
        xaxis={"side": "bottom"},
        margin={"l": 60, "r": 20, "t": 60, "b": 90},
    )


# The dark theme: light ink on the page's own dark background (the figure is transparent).
DARK_INK = "#E8E8E8"  # text, mean lines, the organisation's line
DARK_LIMIT_INK = "#B8B8B8"  # funnel limits
DARK_GRID = "#3C4150"
# Meeting mode: text readable across a room, lines and markers seen from the back of it.
MEETING_FONT_SIZE = 22
MEETING_LINE_WIDTH = 4
MEETING_MARKER_SIZE = 14
MEETING_INK = "#111111"  # near black: the highest contrast on white
TRANSPARENT = "rgba(0,0,0,0)"


def _restyle_line(line, *, ink: dict[str, str], width: float | None) -> None:
    """A trace's line (or error bar) recoloured by ``ink`` and made at least ``width`` wide; a
    line of width 0 (a band's edge) stays undrawn."""
    if line is None:
        return
    if isinstance(line.color, str) and line.color.upper() in ink:
        line.color = ink[line.color.upper()]
    attribute = "thickness" if hasattr(line, "thickness") else "width"
    current = getattr(line, attribute, None)
    if width is not None and current != 0:
        setattr(line, attribute, max(current or 2, width))


def presentation(figure: go.Figure, *, dark: bool = False, meeting: bool = False) -> go.Figure:
    """A copy of ``figure`` restyled for where it is shown.

    ``dark``: for a dark page: a transparent background, light text, grid and reference lines.
    ``meeting``: for a shared screen seen across a room: every text at least
    ``MEETING_FONT_SIZE`` pixels, every drawn line at least ``MEETING_LINE_WIDTH`` wide, markers
    at least ``MEETING_MARKER_SIZE``, and near-black ink on white (light ink when ``dark``).
    The figure given is left as it is.

    >>> charts.presentation(trend.figure(), dark=True, meeting=True)  # doctest: +SKIP
    """
    out = go.Figure(figure)
    if not (dark or meeting):
        return out
    text = DARK_INK if dark else MEETING_INK if meeting else INK
    ink = {INK: DARK_INK, LIMIT_INK: DARK_LIMIT_INK} if dark else {INK: MEETING_INK}
    size = MEETING_FONT_SIZE if meeting else None
    axis = {"tickfont": {"color": text}, "title": {"font": {"color": text}}}
    if dark:
        axis |= {"gridcolor": DARK_GRID, "linecolor": DARK_GRID, "zerolinecolor": DARK_GRID}
    if size:
        axis["tickfont"]["size"] = size
        axis["title"]["font"]["size"] = size
    layout: dict = {
        "font": {"color": text, **({"size": size} if size else {})},
        "title": {"font": {"color": text, **({"size": size + 4} if size else {})}},
        "legend": {"font": {"color": text, **({"size": size} if size else {})}},
        "hoverlabel": {"font": {"size": size}} if size else {},
        "xaxis": axis,
        "yaxis": axis,
    }
    if dark:
        layout |= {"paper_bgcolor": TRANSPARENT, "plot_bgcolor": TRANSPARENT}
    if meeting and out.layout.height:  # rows of bars and heatmap cells grow with their text
        layout["height"] = round(out.layout.height * MEETING_FONT_SIZE / FONT_SIZE)
    out.update_layout(layout)
    width = MEETING_LINE_WIDTH if meeting else None
    for trace in out.data:
        _restyle_line(getattr(trace, "line", None), ink=ink, width=width)
        for bar in ("error_x", "error_y"):
            _restyle_line(getattr(trace, bar, None), ink=ink, width=width)
        marker = getattr(trace, "marker", None)
        if meeting and trace.type == "scatter" and not isinstance(marker.size, tuple):
            marker.size = max(marker.size or 6, MEETING_MARKER_SIZE)
        textfont = getattr(trace, "textfont", None)
        if textfont is not None:
            if isinstance(textfont.color, str) and textfont.color.upper() in ink:
                textfont.color = ink[textfont.color.upper()]
            if size:
                textfont.size = size
        colorbar = getattr(trace, "colorbar", None)
        if colorbar is not None and trace.type == "heatmap":
            colorbar.tickfont = {"color": text, **({"size": size} if size else {})}
    for shape in out.layout.shapes:
        _restyle_line(shape.line, ink=ink, width=width)
    for note in out.layout.annotations:
        note.font = {"color": text, **({"size": size} if size else {})}
    return out

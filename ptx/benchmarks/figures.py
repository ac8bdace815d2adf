"""Plotly figures of a :class:`~ptx.benchmarks.api.Benchmark`: the peers as a sorted dot
plot, the funnel against completed surveys, and the trend across releases. They draw the
result; they compute nothing."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ptx.charts import INK, LIMIT_INK, PALETTE, _figure, _reference_line, plain

PEER = "#BBBBBB"
PARENT = PALETTE["sky"]
YOURS = PALETTE["vermillion"]


def _lines(result) -> list[dict]:
    lines = []
    if np.isfinite(result.national):
        lines.append(
            _reference_line(y=result.national, line={"color": INK, "width": 1.5}, text="national")
        )
    if np.isfinite(result.parent_value):
        lines.append(
            _reference_line(
                y=result.parent_value,
                line={"color": PARENT, "width": 1.5, "dash": "dash"},
                text=plain(result.parent_name or result.parent_id),
                below=True,
            )
        )
    return lines


def dot_plot(result) -> go.Figure:
    """Every peer's value, lowest to highest, yours highlighted."""
    peers = result.peers.dropna(subset=["value"]).sort_values("value").reset_index(drop=True)
    peers = peers.assign(position=np.arange(len(peers)) / max(len(peers) - 1, 1) * 100)
    traces = []
    for name, part, colour, size in (
        ("other units", peers[~peers["in_parent"] & ~peers["is_unit"]], PEER, 7),
        (
            f"in {result.parent_name or result.parent_id}",
            peers[peers["in_parent"] & ~peers["is_unit"]],
            PARENT,
            9,
        ),
        ("yours", peers[peers["is_unit"]], YOURS, 16),
    ):
        if part.empty:
            continue
        traces.append(
            go.Scatter(
                x=part["position"],
                y=part["value"],
                mode="markers",
                name=plain(name),
                text=[plain(u) for u in part["unit"]],
                marker={"color": colour, "size": size, "line": {"color": "white", "width": 1}},
                hovertemplate="<b>%{text}</b><br>%{y:.0f}<extra></extra>",
            )
        )
    return _figure(
        traces,
        f"{result.measure_label} ({result.category}), {result.release}: every unit",
        f"{result.category} ({result.unit_of_value})",
        lines=_lines(result),
        xaxis={"title": {"text": "units, lowest to highest (position in %)"}},
        hovermode="closest",
        height=440,
    )


def funnel(result) -> go.Figure:
    """Peers' percentages against completed surveys, with 95% and 99.8% limits around the
    national value; units whose n is a band drawn at its lower bound, as open circles."""
    f = result.funnel
    traces = []
    for col, dash, label in (
        ("upper_998", "solid", "99.8% limits"),
        ("lower_998", "solid", None),
        ("upper_95", "dash", "95% limits"),
        ("lower_95", "dash", None),
    ):
        traces.append(
            go.Scatter(
                x=f.limits["n"],
                y=f.limits[col] * 100,
                mode="lines",
                name=label or "",
                showlegend=label is not None,
                line={"color": LIMIT_INK, "dash": dash, "width": 1.5},
                hoverinfo="skip",
            )
        )
    peers = result.peers.dropna(subset=["value", "n"])
    peers = peers[peers["n"] > 0]
    for name, part, colour, size in (
        ("units", peers[~peers["is_unit"] & ~peers["banded"]], PEER, 7),
        (
            "units (n is a band: its lower bound)",
            peers[~peers["is_unit"] & peers["banded"]],
            PEER,
            7,
        ),
        ("yours", peers[peers["is_unit"]], YOURS, 16),
    ):
        if part.empty:
            continue
        open_circle = part["banded"].any() and name != "yours"
        traces.append(
            go.Scatter(
                x=part["n"],
                y=part["value"],
                mode="markers",
                name=name,
                text=[plain(u) for u in part["unit"]],
                marker={
                    "color": colour,
                    "size": size,
                    "symbol": "circle-open" if open_circle else "circle",
                    "line": {"color": colour if open_circle else "white", "width": 1},
                },
                hovertemplate="<b>%{text}</b><br>n = %{x:,.0f}<br>%{y:.0f}%<extra></extra>",
            )
        )
    centre = _reference_line(
        y=f.target * 100, line={"color": INK, "width": 1.5}, text="national", below=True
    )
    return _figure(
        traces,
        f"{result.measure_label} ({result.category}): funnel plot",
        f"{result.category} (%)",
        lines=[centre],
        xaxis={"title": {"text": "completed surveys (log scale)"}, "type": "log"},
        hovermode="closest",
        height=480,
    )


def trend(result) -> go.Figure:
    """Yours, your state's or region's and the national value in every release."""
    traces = []
    colours = {"Yours": YOURS, "National": INK}
    for series, part in result.trend.groupby("series", sort=False):
        traces.append(
            go.Scatter(
                x=[plain(r) for r in part["release"]],
                y=part["value"],
                mode="lines+markers",
                name=plain(series),
                line={"color": colours.get(series, PARENT), "width": 3 if series == "Yours" else 2},
            )
        )
    return _figure(
        traces,
        f"{result.measure_label} ({result.category}) across releases",
        f"{result.category} ({result.unit_of_value})",
        xaxis={"title": {"text": "release"}, "type": "category"},
    )

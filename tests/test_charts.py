"""The figure builders of ptx.charts on small hand-made frames.

Each figure is read as the browser receives it (``fig.to_json()``): the traces carry the input
numbers, the titles are the ones given, every colour is one of the module's constants, empty
frames draw without error where a page may pass one, and a missing value is sent as a gap,
never as a number or the text "nan".
"""

from __future__ import annotations

import base64
import json
import re
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from ptx import charts, compare, spc, survival

MONTHS = list(pd.date_range("2025-01-01", periods=3, freq="MS").date)
ISO_MONTHS = [m.isoformat() for m in MONTHS]


# --- reading a figure as the browser gets it ----------------------------------------------------


def sent(fig: go.Figure) -> dict:
    return json.loads(fig.to_json())


def numbers(value) -> np.ndarray:
    """A JSON array as floats, NaN where nothing is drawn (null, or NaN in a typed array)."""
    if isinstance(value, dict):  # plotly's typed array: base64 of the raw values
        raw = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        if shape:
            raw = raw.reshape([int(s) for s in str(shape).split(",")])
        return raw.astype(float)
    return np.array([np.nan if v is None else v for v in value], dtype=float)


def same(value, expected) -> None:
    """``value`` (sent) equals ``expected`` number for number, with NaN exactly where it is."""
    np.testing.assert_allclose(numbers(value), np.asarray(expected, dtype=float), rtol=1e-12)


def _hex(colour: str) -> str:
    found = re.fullmatch(r"rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*[\d.]+)?\)", colour)
    if found:
        return "#" + "".join(f"{int(c):02X}" for c in found.groups())
    return colour.upper()


def colours_in(node, key: str = "") -> set[str]:
    """Every colour under a key naming one (color, fillcolor, colorscale, colorway...)."""
    if isinstance(node, dict):
        return set().union(*(colours_in(v, k) for k, v in node.items()))
    if isinstance(node, list | tuple):
        return set().union(*(colours_in(v, key) for v in node))
    if isinstance(node, str) and "color" in key.lower():
        return {_hex(node)}
    return set()


def strings_in(node) -> list[str]:
    """Every string sent, leaving out typed arrays' base64 (numbers, not text)."""
    if isinstance(node, dict):
        if "bdata" in node:
            return []
        return [s for v in node.values() for s in strings_in(v)]
    if isinstance(node, list | tuple):
        return [s for v in node for s in strings_in(v)]
    return [node] if isinstance(node, str) else []


def _constant_colours() -> set[str]:
    """The colours ptx.charts names at module level (PALETTE, SEQUENCE, POINT_COLOURS...)."""
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list | tuple):
            for v in node:
                walk(v)
        elif isinstance(node, str) and re.fullmatch(r"#[0-9A-Fa-f]{6}|white", node):
            found.add(node.upper())

    for name in dir(charts):
        if name.isupper():
            walk(getattr(charts, name))
    return found


CONSTANT_COLOURS = _constant_colours()


def test_the_constants_hold_the_palette():
    # Okabe & Ito (2008): their eight colours, with black left out (a grey stands for neutral).
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}
    assert set(charts.PALETTE.values()) - {charts.PALETTE["grey"]} == okabe_ito
    assert set(charts.SEQUENCE) <= set(charts.PALETTE.values())
    assert {c.upper() for c in charts.PALETTE.values()} <= CONSTANT_COLOURS


# --- small inputs, made by the real KPI functions where a builder takes their output ------------


def trend_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month": MONTHS,
            "pct": [80.0, np.nan, 90.0],  # February: too few responses to show
            "low": [70.0, np.nan, 84.0],
            "high": [88.0, np.nan, 94.0],
        }
    )


def interval_figure(frame: pd.DataFrame | None = None) -> go.Figure:
    return charts.interval_trend(
        trend_frame() if frame is None else frame,
        x="month",
        y="pct",
        low="low",
        high="high",
        title="FFT % positive by month",
        y_title="% positive",
        name="% positive",
    )


def count_figure(frame: pd.DataFrame | None = None) -> go.Figure:
    frame = pd.DataFrame({"month": MONTHS, "received": [12, 0, 7]}) if frame is None else frame
    return charts.count_bars(
        frame, x="month", y="received", title="Complaints by month", y_title="complaints"
    )


BASELINE = [-1.0, 1.0] * 10  # mean 0, moving range 2: process limits about -5.32 and 5.32


def spc_input() -> pd.DataFrame:
    values = BASELINE + [6.0, -6.0]  # one point above the upper limit, one below the lower
    series = pd.DataFrame(
        {
            "period": pd.date_range("2023-01-01", periods=len(values), freq="MS").date,
            "value": values,
        }
    )
    return spc.xmr(series, spc.SpcOptions(fix_after_n_points=len(BASELINE)))


def spc_figure(**kwargs) -> go.Figure:
    return charts.spc_chart(spc_input(), title="Score by month", y_title="score", **kwargs)


def breakdown_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": ["18-34", "35-64", "65+"],
            "value": [82.5, np.nan, 91.0],  # 35-64: too few responses to show
            "low": [75.0, np.nan, 88.0],
            "high": [88.0, np.nan, 93.5],
        }
    )


def breakdown_figure(frame: pd.DataFrame | None = None, **kwargs) -> go.Figure:
    return charts.breakdown_dots(
        breakdown_frame() if frame is None else frame,
        group="group",
        value="value",
        low="low",
        high="high",
        title="% positive by age band",
        x_title="% positive",
        **kwargs,
    )


def share_figure(frame: pd.DataFrame | None = None) -> go.Figure:
    if frame is None:
        frame = pd.DataFrame(
            {"group": ["upheld", "not upheld", "withdrawn"], "pct": [50, 37.5, 12.5]}
        )
    return charts.share_bars(frame, group="group", value="pct", title="Outcome", x_title="%")


def counts(times, done, pending) -> pd.DataFrame:
    return pd.DataFrame({"working_days": times, "done": done, "pending": pending})


# Durations 1, 2, 2 (one still open), 3, 5: S = 0.8, 0.6, 0.3, 0 (see test_survival).
ALL = counts([1, 2, 3, 5], [1, 1, 1, 1], [0, 1, 0, 0])
WARD = counts([4, 9], [1, 0], [0, 1])


def survival_figure(target: int | None = 3) -> go.Figure:
    curves = {"All complaints": survival.curve(ALL), "Ward A1": survival.curve(WARD)}
    return charts.survival_curves(curves, title="Still open", target=target)


FUNNEL_INPUT = pd.DataFrame(
    {
        "group": ["A1", "A2", "B1", "B2", "C1"],
        "n": [400, 150, 60, 900, 5],
        "value": [0.90, 0.70, 0.95, 0.85, 0.20],
    }
)
SCORE_OF = {v: s for v, s in zip(compare.VERDICTS, [2, 1, 0, -1, -2], strict=True)}
NAMES = {"A1": "Ward A1", "A2": "Ward A2", "B1": "Clinic B1", "B2": "Clinic B2"}  # C1 unnamed


def funnel_parts() -> tuple[compare.Funnel, dict[str, float]]:
    result = compare.funnel(FUNNEL_INPUT, "proportion")
    scores = {
        g: float(SCORE_OF.get(v, np.nan))
        for g, v in zip(result.table["group"], result.table["verdict"], strict=True)
    }
    return result, scores


def funnel_figure() -> go.Figure:
    result, scores = funnel_parts()
    return charts.funnel_plot(
        result,
        names=NAMES,
        scores=scores,
        title="% positive: funnel plot",
        x_title="size (n, log scale)",
        y_title="% positive",
        scale=100,
    )


HEAT = pd.DataFrame(
    {
        "department_id": ["A1", "A1", "B1", "B1"],
        "department": ["Ward A1", "Ward A1", "Clinic B1", "Clinic B1"],
        "measure": ["FFT", "NPS", "FFT", "NPS"],
        "value": [91.26, -4.0, 80.0, np.nan],
        "n": [100, 100, 5, 0],
        "verdict": ["", "", "", ""],
        "score": [2.0, -1.0, np.nan, np.nan],  # B1: too few to judge, or nothing at all
    }
)


def heatmap_figure(frame: pd.DataFrame = HEAT) -> go.Figure:
    return charts.verdict_heatmap(frame, title="Verdicts")


FIGURES = {
    "interval_trend": interval_figure,
    "count_bars": count_figure,
    "spc_chart": lambda: spc_figure(target=3.0),
    "breakdown_dots": breakdown_figure,
    "survival_curves": survival_figure,
    "share_bars": share_figure,
    "funnel_plot": funnel_figure,
    "verdict_heatmap": heatmap_figure,
}


# --- what every builder shares ------------------------------------------------------------------


@pytest.mark.parametrize("builder", FIGURES)
def test_every_colour_comes_from_the_palette_constants(builder):
    drawn = sent(FIGURES[builder]())
    unnamed = (colours_in(drawn["data"]) | colours_in(drawn["layout"])) - CONSTANT_COLOURS
    assert not unnamed, f"{builder} uses {sorted(unnamed)}, not named in ptx.charts' constants"


@pytest.mark.parametrize("builder", FIGURES)
def test_house_layout(builder):
    layout = sent(FIGURES[builder]())["layout"]
    assert layout["colorway"] == charts.SEQUENCE
    assert layout["font"]["size"] == charts.FONT_SIZE
    assert layout["paper_bgcolor"] == layout["plot_bgcolor"] == "white"


@pytest.mark.parametrize("builder", FIGURES)
def test_no_nan_is_sent_as_text(builder):
    # Hover and cell labels are text: a missing value must not read "nan".
    text = strings_in(sent(FIGURES[builder]())["data"])
    assert not [s for s in text if re.search(r"\bnan\b", s, flags=re.IGNORECASE)]


# --- each builder -------------------------------------------------------------------------------


def test_interval_trend():
    fig = sent(interval_figure())
    band, line = fig["data"]
    assert fig["layout"]["title"]["text"] == "FFT % positive by month"
    assert fig["layout"]["yaxis"]["title"]["text"] == "% positive"
    assert line["name"] == "% positive" and line["x"] == ISO_MONTHS
    same(line["y"], [80.0, np.nan, 90.0])  # February is a gap
    assert band["x"] == ISO_MONTHS + ISO_MONTHS[::-1]
    same(band["y"], [88.0, np.nan, 94.0, 84.0, np.nan, 70.0])  # high, then low backwards
    assert band["fill"] == "toself" and band["name"] == "95% interval"
    assert line["line"]["color"] == charts.PALETTE["blue"]
    assert _hex(band["fillcolor"]) == charts.PALETTE["blue"]


def test_count_bars():
    fig = sent(count_figure())
    (bars,) = fig["data"]
    assert bars["type"] == "bar" and bars["x"] == ISO_MONTHS
    same(bars["y"], [12, 0, 7])
    assert bars["marker"]["color"] == charts.PALETTE["orange"]
    assert fig["layout"]["title"]["text"] == "Complaints by month"
    assert fig["layout"]["yaxis"]["title"]["text"] == "complaints" == bars["name"]


def test_count_bars_leave_a_missing_count_undrawn():
    frame = pd.DataFrame({"month": MONTHS, "received": [12, np.nan, 7]})
    same(sent(count_figure(frame))["data"][0]["y"], [12, np.nan, 7])


def test_spc_chart_draws_values_limits_and_point_types():
    chart = spc_input()
    fig = sent(spc_figure())
    traces = fig["data"]
    upl, lpl, mean, values, *points = traces
    iso = [p.isoformat() for p in chart["period"]]
    same(upl["y"], chart["upl"])
    same(lpl["y"], chart["lpl"])
    same(mean["y"], chart["mean"])
    assert upl["x"] == lpl["x"] == mean["x"] == values["x"] == iso
    same(values["y"], chart["value"])
    assert fig["layout"]["title"]["text"] == "Score by month"
    assert fig["layout"]["yaxis"]["title"]["text"] == "score"
    # The markers split the points by type, each in its Making Data Count colour.
    by_type = {t["name"]: t for t in points}
    assert set(by_type) == {"common cause", "improvement", "concern"}
    for point_type, part in chart.groupby("point_type"):
        trace = by_type[charts.POINT_NAMES[point_type]]
        assert trace["marker"]["color"] == charts.POINT_COLOURS[point_type]
        assert trace["x"] == [p.isoformat() for p in part["period"]]
        same(trace["y"], part["value"])
    same(by_type["improvement"]["y"], [6.0])
    same(by_type["concern"]["y"], [-6.0])
    assert "shapes" not in fig["layout"]  # no target given


def test_spc_chart_limits_per_segment_and_a_target_line():
    values = [10.0, 11.0] * 8 + [20.0, 21.0] * 4
    series = pd.DataFrame(
        {
            "period": pd.date_range("2024-01-01", periods=len(values), freq="MS").date,
            "value": values,
        }
    )
    chart = spc.xmr(series, spc.SpcOptions(rebase_at=(date(2025, 5, 1),)))
    fig = sent(charts.spc_chart(chart, title="t", y_title="y", target=15.0))
    means = [t for t in fig["data"] if t.get("legendgroup") == "mean"]
    assert len(means) == 2  # one mean line per segment, each on its own periods
    same(means[0]["y"], [10.5] * 16)
    same(means[1]["y"], [20.5] * 8)
    assert means[0]["name"] == "mean" and means[1]["name"] == "mean (trial)"
    assert [t["showlegend"] for t in means] == [True, False]
    (line,) = fig["layout"]["shapes"]
    assert line["y0"] == line["y1"] == 15.0 and line["line"]["color"] == charts.PALETTE["green"]
    assert fig["layout"]["annotations"][0]["text"] == "target"


def test_spc_chart_band_for_a_p_chart():
    frame = pd.DataFrame(
        {"period": MONTHS, "numerator": [80, 45, 170], "denominator": [100, 50, 200]}
    )
    chart = spc.p_chart(frame)
    band = pd.DataFrame(
        {"period": MONTHS, "low": [72.0, np.nan, 79.0], "high": [87.0, np.nan, 89.0]}
    )
    fig = sent(charts.spc_chart(chart, title="t", y_title="%", band=band))
    first = fig["data"][0]
    assert first["name"] == "95% interval" and first["x"] == ISO_MONTHS + ISO_MONTHS[::-1]
    same(first["y"], [87.0, np.nan, 89.0, 79.0, np.nan, 72.0])
    # A band with no interval at all is left out rather than drawn empty.
    nothing = band.assign(low=np.nan, high=np.nan)
    names = [
        t.get("name")
        for t in sent(charts.spc_chart(chart, title="t", y_title="%", band=nothing))["data"]
    ]
    assert "95% interval" not in names


def test_breakdown_dots():
    fig = sent(breakdown_figure())
    (dots,) = fig["data"]
    assert dots["type"] == "scatter" and dots["mode"] == "markers"
    assert dots["y"] == ["18-34", "35-64", "65+"]
    same(dots["x"], [82.5, np.nan, 91.0])  # 35-64 is an empty row, not a dot at 0
    same(dots["error_x"]["array"], [5.5, np.nan, 2.5])  # high - value
    same(dots["error_x"]["arrayminus"], [7.5, np.nan, 3.0])  # value - low
    assert dots["marker"]["color"] == charts.PALETTE["blue"]
    layout = fig["layout"]
    assert layout["title"]["text"] == "% positive by age band"
    assert layout["xaxis"]["title"]["text"] == "% positive"
    # Every group keeps its row, the empty one too, the first at the top.
    assert layout["yaxis"]["categoryarray"] == ["18-34", "35-64", "65+"]
    assert layout["yaxis"]["autorange"] == "reversed"
    assert layout["height"] == 80 + 45 * 3


def test_share_bars():
    fig = sent(share_figure())
    (bars,) = fig["data"]
    assert bars["y"] == ["upheld", "not upheld", "withdrawn"]
    same(bars["x"], [50, 37.5, 12.5])
    assert bars["marker"]["color"] == charts.PALETTE["orange"]
    assert fig["layout"]["yaxis"]["autorange"] == "reversed"  # the first group at the top
    assert fig["layout"]["title"]["text"] == "Outcome"
    assert fig["layout"]["xaxis"]["title"]["text"] == "%"


def test_share_bars_label_numeric_groups_as_text():
    fig = sent(share_figure(pd.DataFrame({"group": [1, 2], "pct": [60.0, 40.0]})))
    assert fig["data"][0]["y"] == ["1", "2"]


def test_survival_curves():
    fig = sent(survival_figure(target=3))
    band, first, second = fig["data"]
    all_curve, ward = survival.curve(ALL), survival.curve(WARD)
    assert first["name"] == "All complaints" and second["name"] == "Ward A1"
    same(first["x"], [0, 1, 2, 3, 5])
    same(first["y"], [100, 80, 60, 30, 0])
    same(second["x"], [0, 4])
    same(second["y"], [100, 50])
    # Only the first curve has its band: high along, low back.
    assert band["name"] == "All complaints: 95% interval"
    same(band["x"], [0, 1, 2, 3, 5, 5, 3, 2, 1, 0])
    same(band["y"], [*(100 * all_curve["high"]), *(100 * all_curve["low"])[::-1]])
    assert len(ward) == 2
    assert first["line"]["color"] == charts.SEQUENCE[0]
    assert second["line"]["color"] == charts.SEQUENCE[1]
    assert first["line"]["shape"] == "hv"  # steps, as Kaplan-Meier is
    layout = fig["layout"]
    assert layout["title"]["text"] == "Still open"
    assert layout["yaxis"]["title"]["text"] == "% still open"
    assert layout["xaxis"]["title"]["text"] == "working days since receipt"
    (line,) = layout["shapes"]
    assert line["x0"] == line["x1"] == 3 and layout["annotations"][0]["text"] == "target 3"


def test_survival_curves_without_a_target_or_any_curve():
    assert "shapes" not in sent(survival_figure(target=None))["layout"]
    assert sent(charts.survival_curves({}, title="Still open"))["data"] == []


def test_survival_curve_of_nothing_resolved_stays_at_100():
    nothing = survival.curve(counts([2, 7], [0, 0], [3, 1]))
    fig = sent(charts.survival_curves({"All": nothing}, title="t"))
    same(fig["data"][1]["x"], [0])
    same(fig["data"][1]["y"], [100])


def test_funnel_plot():
    result, scores = funnel_parts()
    fig = sent(funnel_figure())
    limits = fig["data"][:4]
    # Drawn over the sizes of the departments judged (C1, n = 5, is too few): 60 to 900.
    grid = result.limits[(result.limits["n"] >= 60 / 1.25) & (result.limits["n"] <= 900 * 1.25)]
    for trace, col in zip(limits, ("upper_998", "lower_998", "upper_95", "lower_95"), strict=True):
        same(trace["x"], grid["n"])
        same(trace["y"], grid[col] * 100)
    assert [t["name"] for t in limits] == ["99.8% limits", "", "95% limits", ""]
    points = {t["name"]: t for t in fig["data"][4:] if t["mode"] == "markers"}
    table = result.table.set_index("group")
    drawn = []
    for trace in points.values():
        for (group, name), n, value in zip(
            trace["customdata"], numbers(trace["x"]), numbers(trace["y"]), strict=True
        ):
            drawn.append(group)
            assert n == table.loc[group, "n"]
            assert value == pytest.approx(100 * table.loc[group, "value"])
            assert name == NAMES.get(group, group)  # an unnamed department shows its id
    assert sorted(drawn) == sorted(FUNNEL_INPUT["group"])
    too_few = points["too few to judge"]
    assert [g for g, _ in too_few["customdata"]] == ["C1"]
    assert too_few["marker"]["color"] == charts.TOO_FEW_COLOUR
    worse = points[charts.SCORE_NAMES[-1]]
    assert [g for g, _ in worse["customdata"]] == ["A2"]
    assert worse["marker"]["color"] == charts.SCORE_COLOURS[-1]
    assert scores["A2"] == -1  # below the 95% limit, and higher is better
    (organisation,) = fig["layout"]["shapes"]
    assert organisation["y0"] == pytest.approx(100 * result.target)
    assert fig["layout"]["xaxis"]["type"] == "log"
    assert fig["layout"]["xaxis"]["title"]["text"] == "size (n, log scale)"
    assert fig["layout"]["yaxis"]["title"]["text"] == "% positive"
    assert fig["layout"]["title"]["text"] == "% positive: funnel plot"


def test_verdict_heatmap():
    fig = sent(heatmap_figure())
    (cells,) = fig["data"]
    assert cells["x"] == ["FFT", "NPS"] and cells["y"] == ["Ward A1", "Clinic B1"]
    same(cells["z"], [[2, -1], [np.nan, np.nan]])  # too few: no colour at all
    assert cells["text"] == [["91.3", "-4.0"], ["*", "*"]]
    assert cells["customdata"] == [["A1", "A1"], ["B1", "B1"]]
    assert (cells["zmin"], cells["zmax"]) == (-2, 2)
    scale = dict((position, colour) for position, colour in cells["colorscale"])
    assert scale[0.0] == charts.PALETTE["orange"] and scale[1.0] == charts.PALETTE["blue"]
    assert fig["layout"]["title"]["text"] == "Verdicts"
    assert fig["layout"]["yaxis"]["autorange"] == "reversed"


def test_verdict_heatmap_fills_cells_missing_from_the_frame():
    fig = sent(heatmap_figure(HEAT.iloc[:3]))  # Clinic B1 has no NPS row at all
    (cells,) = fig["data"]
    same(cells["z"], [[2, -1], [np.nan, np.nan]])
    assert cells["text"] == [["91.3", "-4.0"], ["*", ""]]


# --- empty frames where a page may pass one -----------------------------------------------------

EMPTY = {
    "interval_trend": lambda: interval_figure(trend_frame().iloc[:0]),
    "count_bars": lambda: count_figure(pd.DataFrame({"month": [], "received": []})),
    "breakdown_dots": lambda: breakdown_figure(breakdown_frame().iloc[:0]),
    "share_bars": lambda: share_figure(pd.DataFrame({"group": [], "pct": []})),
    "verdict_heatmap": lambda: heatmap_figure(HEAT.iloc[:0]),
}


@pytest.mark.parametrize("builder", EMPTY)
def test_empty_frame_draws_an_empty_figure(builder):
    fig = EMPTY[builder]()
    assert isinstance(fig, go.Figure)
    for trace in sent(fig)["data"]:
        for axis in ("x", "y", "z"):
            if axis in trace:
                assert numbers(trace[axis]).size == 0


# --- what the screen showed wrong, each drawn as it must be -------------------------------------


@pytest.mark.parametrize("builder", FIGURES)
def test_legend_sits_below_everything_never_on_the_ticks(builder):
    # Placed from the figure's bottom edge, so the margin grows to hold it under the tick
    # labels and the axis title (y = -0.15 in plot coordinates landed on rotated dates).
    legend = sent(FIGURES[builder]())["layout"]["legend"]
    assert legend["yref"] == "container" and legend["y"] == 0 and legend["yanchor"] == "bottom"


@pytest.mark.parametrize("builder", FIGURES)
def test_an_interval_band_has_no_markers(builder):
    # Plotly draws markers by default on a trace of fewer than 20 points: at every vertex of
    # a band of a few periods, and in its legend swatch.
    for trace in sent(FIGURES[builder]())["data"]:
        if trace.get("fill"):
            assert trace["mode"] == "lines", trace.get("name")


def test_spc_chart_draws_a_percentage_within_0_100_and_says_so():
    values = [97.0, 99.0, 96.0, 99.5, 98.0, 95.5]  # an upper process limit near 102
    series = pd.DataFrame(
        {"period": pd.date_range("2026-01-01", periods=6, freq="MS").date, "value": values}
    )
    chart = spc.xmr(series, spc.SpcOptions())
    assert chart["upl"].max() > 100
    fig = sent(charts.spc_chart(chart, title="t", y_title="%", bounds=(0.0, 100.0)))
    upl = next(t for t in fig["data"] if t.get("legendgroup") == "upl")
    assert numbers(upl["y"]).max() == 100.0
    same(upl["customdata"], chart["upl"])  # the limit as computed, for the tooltip
    low, high = fig["layout"]["yaxis"]["range"]
    assert 0 <= low < min(values) and max(values) < high <= 100
    (note,) = fig["layout"]["annotations"]
    assert f"{chart['upl'].max():.1f} lies above 100: drawn at 100" in note["text"]
    # Without bounds (a score), nothing is clipped and nothing said.
    plain_fig = sent(charts.spc_chart(chart, title="t", y_title="score"))
    assert "annotations" not in plain_fig["layout"]
    assert "range" not in plain_fig["layout"]["yaxis"]


def test_breakdown_dots_zoom_to_the_intervals():
    fig = sent(breakdown_figure())
    low, high = fig["layout"]["xaxis"]["range"]
    assert 70 <= low < 75 and 93.5 < high <= 96  # not from 0: 82.5 and 91 look different
    near_100 = pd.DataFrame({"group": ["a"], "value": [99.5], "low": [98.0], "high": [100.0]})
    bounded = sent(breakdown_figure(near_100, bounds=(0.0, 100.0)))
    assert bounded["layout"]["xaxis"]["range"][1] == 100.0


def test_funnel_zooms_to_the_departments_and_their_limits():
    result, scores = funnel_parts()
    fig = sent(funnel_figure())
    low, high = fig["layout"]["yaxis"]["range"]
    drawn = np.concatenate([numbers(t["y"]) for t in fig["data"]])
    assert low <= np.nanmin(drawn) and np.nanmax(drawn) <= high
    assert low > 0  # not the 0-100 the measure could take
    x_low, x_high = fig["layout"]["xaxis"]["range"]
    assert 10**x_low < 5 and 900 < 10**x_high < 2000  # the departments' sizes, not 1-10k
    # Limits are drawn over the judged departments' sizes only (C1 is too few to judge).
    assert numbers(fig["data"][0]["x"]).min() >= 60 / 1.25


def test_funnel_names_every_outlier_and_the_selected_department():
    result, scores = funnel_parts()
    fig = sent(
        charts.funnel_plot(
            result,
            names=NAMES,
            scores=scores,
            title="t",
            x_title="n",
            y_title="%",
            scale=100,
            selected="B2",
        )
    )
    (labels,) = [t for t in fig["data"] if t.get("mode") == "text"]
    named = {
        group: text for (group, _), text in zip(labels["customdata"], labels["text"], strict=True)
    }
    outliers = [g for g, s in scores.items() if s == s and s != 0]
    assert outliers and all(named[g] == NAMES.get(g, g) for g in outliers)
    assert named["B2"] == "Clinic B2"  # selected
    assert set(named) == {*outliers, "B2"}  # C1 (too few) and those within: unlabelled
    ring = fig["data"][-1]
    assert ring["name"] == "selected: Clinic B2"
    assert ring["marker"]["symbol"] == "circle-open"
    same(ring["x"], [900])


def _sizes(fig: dict) -> list[float]:
    """Every font size set in a figure (layout, axes, legend, annotations, traces' text)."""
    found = []

    def walk(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "size" and "font" in key and v is not None:
                    found.append(v)
                walk(v, k if "font" in k else key)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)

    walk(fig)
    return found


@pytest.mark.parametrize("builder", FIGURES)
def test_presentation_for_the_dark_theme(builder):
    figure = FIGURES[builder]()
    before = figure.to_json()
    fig = sent(charts.presentation(figure, dark=True))
    assert figure.to_json() == before  # the figure given is left as it is
    layout = fig["layout"]
    assert layout["paper_bgcolor"] == layout["plot_bgcolor"] == charts.TRANSPARENT
    assert layout["font"]["color"] == charts.DARK_INK
    assert layout["xaxis"]["gridcolor"] == charts.DARK_GRID
    # No dark ink is left to vanish on the dark page (lines, whiskers, labels, notes).
    colours = colours_in(fig["data"]) | colours_in({"shapes": layout.get("shapes", [])})
    assert not colours & {charts.INK, charts.LIMIT_INK}
    for note in layout.get("annotations", []):
        assert note["font"]["color"] == charts.DARK_INK


@pytest.mark.parametrize("builder", FIGURES)
def test_presentation_for_a_meeting(builder):
    figure = FIGURES[builder]()
    fig = sent(charts.presentation(figure, meeting=True))
    layout = fig["layout"]
    assert layout["height"] > figure.layout.height  # room for the larger text
    assert layout["font"]["size"] >= 20 and layout["font"]["color"] == charts.MEETING_INK
    assert min(_sizes(fig)) >= 20
    for trace in fig["data"]:
        line = trace.get("line", {})
        if line.get("width") not in (None, 0):
            assert line["width"] >= 4, trace.get("name")
        if trace["type"] == "scatter" and "markers" in trace.get("mode", ""):
            assert trace["marker"]["size"] >= 12, trace.get("name")
    for shape in layout.get("shapes", []):
        assert shape["line"]["width"] >= 4

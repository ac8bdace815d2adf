"""Funnel limits and overdispersion by hand, shrinkage invariants, and the demo's verdicts."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ptx
from ptx import compare, complaints, counts, departments, query
from tests.conftest import open_location


@pytest.mark.parametrize("n", [10, 100, 1000])
def test_proportion_limits_by_hand(n):
    # Arcsine-square-root scale: asin(sqrt(0.8)) +/- z / (2 sqrt(n)), then sin^2.
    centre = math.asin(math.sqrt(0.8))
    for z in (1.959963984540054, -1.959963984540054, 3.090232306167813, -3.090232306167813):
        # A limit beyond 100% is drawn at 100% (the arcsine scale stops at pi/2).
        expected = math.sin(min(centre + z / (2 * math.sqrt(n)), math.pi / 2)) ** 2
        assert compare.limits_at("proportion", 0.8, n, z) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("n", [4, 25, 400])
def test_mean_limits_by_hand(n):
    assert compare.limits_at("mean", 8.0, n, 1.959963984540054, sd=2.0) == pytest.approx(
        8 + 1.959963984540054 * 2 / math.sqrt(n), abs=1e-12
    )


@pytest.mark.parametrize("n", [1000, 10_000, 100_000])
def test_poisson_limits_by_hand(n):
    # Square-root scale for a rate per exposure: (sqrt(r0) +/- z / (2 sqrt(n)))^2.
    expected = (math.sqrt(0.003) - 3.090232306167813 / (2 * math.sqrt(n))) ** 2
    assert compare.limits_at("rate", 0.003, n, -3.090232306167813) == pytest.approx(
        max(expected, 0) if math.sqrt(0.003) > 3.090232306167813 / (2 * math.sqrt(n)) else 0,
        abs=1e-15,
    )


def _type7_quantile(values, q):
    """R's default quantile (type 7), written out."""
    v = sorted(values)
    h = (len(v) - 1) * q
    lo = math.floor(h)
    return v[lo] + (h - lo) * (v[min(lo + 1, len(v) - 1)] - v[lo])


def test_overdispersion_worked_example():
    # Ten departments, proportions spread far more than binomial noise allows.
    n = np.array([50, 80, 120, 200, 250, 300, 400, 500, 800, 1000], dtype=float)
    p = np.array([0.70, 0.95, 0.78, 0.92, 0.80, 0.90, 0.83, 0.88, 0.85, 0.86])
    frame = pd.DataFrame({"group": list("abcdefghij"), "n": n, "value": p})
    target = float((n * p).sum() / n.sum())
    result = compare.funnel(frame, "proportion", target=target)
    # Independent computation, step by step.
    y = [math.asin(math.sqrt(v)) for v in p]
    s = [1 / (2 * math.sqrt(k)) for k in n]
    y0 = math.asin(math.sqrt(target))
    z = [(a - y0) / b for a, b in zip(y, s, strict=True)]
    low, high = _type7_quantile(z, 0.1), _type7_quantile(z, 0.9)
    zw = [min(max(v, low), high) for v in z]
    phi = sum(v * v for v in zw) / len(zw)
    w = [1 / (b * b) for b in s]
    tau2 = (len(z) * phi - (len(z) - 1)) / (sum(w) - sum(x * x for x in w) / sum(w))
    assert result.phi == pytest.approx(phi, rel=1e-12)
    assert result.tau2 == pytest.approx(tau2, rel=1e-12) and result.overdispersed
    assert "widened" in result.method
    unadjusted = compare.funnel(frame, "proportion", target=target, adjust=False)
    assert unadjusted.tau2 == 0
    # Wider limits judge fewer departments outside them.
    outside = (result.table["verdict"] != "within limits").sum()
    assert outside < (unadjusted.table["verdict"] != "within limits").sum()


def test_no_overdispersion_keeps_unadjusted_limits():
    rng = np.random.default_rng(3)
    n = rng.integers(100, 1000, 30)
    x = rng.binomial(n, 0.8)
    frame = pd.DataFrame({"group": range(30), "n": n, "value": x / n})
    result = compare.funnel(frame, "proportion", target=0.8)
    if result.phi * 30 <= 29:
        assert result.tau2 == 0 and not result.overdispersed


def test_small_departments_are_not_judged():
    frame = pd.DataFrame(
        {"group": ["a", "b", "c", "d"], "n": [5, 100, 200, 300], "value": [0.0, 0.8, 0.85, 0.9]}
    )
    result = compare.funnel(frame, "proportion")
    assert result.table.set_index("group").loc["a", "verdict"] == compare.TOO_FEW


@settings(max_examples=80, deadline=None)
@given(data=st.lists(st.tuples(st.integers(10, 500), st.floats(0, 1)), min_size=3, max_size=25))
def test_shrinkage_invariants(data):
    # Rankable departments with at least one success and one failure: a proper posterior whose
    # 95% interval holds its mean (with none at all it can be skewed enough not to).
    n = np.array([k for k, _ in data])
    x = np.array([min(max(round(k * f), 1), k - 1) for k, f in data])
    frame = pd.DataFrame({"group": range(len(n)), "x": x, "n": n})
    out = compare.shrink_proportions(frame)
    fit = frame[frame["n"] >= compare.MIN_N] if (frame["n"] >= compare.MIN_N).sum() >= 2 else frame
    p0 = fit["x"].sum() / fit["n"].sum()
    lo = np.minimum(out["raw"], p0) - 1e-9
    hi = np.maximum(out["raw"], p0) + 1e-9
    assert ((out["shrunk"] >= lo) & (out["shrunk"] <= hi)).all()
    assert ((out["low"] <= out["shrunk"] + 1e-9) & (out["shrunk"] <= out["high"] + 1e-9)).all()
    # Among departments of the same size, shrinking keeps their order.
    for _, same in out.groupby("n"):
        order = same.sort_values("raw")
        assert order["shrunk"].is_monotonic_increasing


def test_demo_planted_departments_fall_on_the_right_side(demo_default):
    source = open_location(demo_default)
    as_of = query.as_of_date(source)
    f = ptx.Filters(start=date(2025, 10, 1), end=as_of)
    by = ("department_id",)
    comparisons = departments.comparisons()
    needed = {i for m in comparisons.values() for i in m.inputs}
    frames = counts.fetch(source, needed, f, as_of, by)
    frames["complaints"] = query.complaint_counts(source, f, as_of, by)
    settings = source.config.complaints
    inputs, sd = departments.measure_inputs(frames, settings)
    assert set(inputs["measure"]) == set(comparisons)
    # Each measure needs only its declared inputs, and gives the same numbers from them alone.
    for key, spec in comparisons.items():
        alone, alone_sd = departments.measure_inputs({i: frames[i] for i in spec.inputs}, settings)
        assert set(alone["measure"]) >= {key}
        pd.testing.assert_frame_equal(
            alone[alone["measure"] == key].reset_index(drop=True),
            inputs[inputs["measure"] == key].reset_index(drop=True),
        )
        if key == "ltr_mean":
            assert alone_sd == sd
    # Complaints received from the resolution stage equal those counted on their own.
    from_stage, _ = departments.measure_inputs(
        {k: frames[k] for k in ("resolved", "activity")}, settings, ["complaints_per_1000"]
    )
    pd.testing.assert_frame_equal(
        from_stage, inputs[inputs["measure"] == "complaints_per_1000"].reset_index(drop=True)
    )
    # Per-department shares equal within_target on each department's own rows.
    resolved = frames["resolved"]
    in_target = inputs[inputs["measure"] == "complaints_resolved_pct"].set_index("group")
    assert len(in_target) == resolved["department_id"].nunique()
    for dept, part in resolved.groupby("department_id"):
        share = complaints.within_target(part, 25)
        assert (in_target.loc[dept, "x"], in_target.loc[dept, "n"]) == (share.met, share.due)
    results = departments.funnels(inputs, sd)
    positive = results["fft_pct_positive"].table.set_index("group")["verdict"]
    assert positive["RVH-MED-RESP"].startswith("above")  # improved: better than expected
    assert positive["HVH-SUR-ORTH"].startswith("below")  # deteriorated: worse than expected
    assert departments.scores(results["fft_pct_negative"], "fft_pct_negative")["HVH-SUR-ORTH"] < 0
    ranking = departments.ranking(inputs, "fft_pct_positive", results["fft_pct_positive"], sd, {})
    small = ranking[ranking["n"] < compare.MIN_N]
    assert small["rank"].isna().all() and (small["verdict"] == compare.TOO_FEW).all()
    assert ranking["rank"].dropna().tolist() == list(range(1, ranking["rank"].notna().sum() + 1))
    # Every measure reaches the heatmap, oriented so that better is positive.
    heat = departments.heatmap_frame(results, {})
    assert heat["measure"].nunique() == len(comparisons)
    # The facade gives the same funnel as the steps above.
    facade = ptx.compare_departments(source, "FFT % positive", f, rule=ptx.Disclosure(False))
    pd.testing.assert_frame_equal(facade.funnel.table, results["fft_pct_positive"].table)

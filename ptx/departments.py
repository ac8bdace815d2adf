"""Department comparison: each measure per department, put through the funnel.

Inputs are the small per-department frames of :mod:`ptx.query` and :mod:`ptx.timing`; the
output is one long frame (department, measure, x, n, value) and, per measure, a
:class:`ptx.compare.Funnel` with a verdict for every department, oriented so that a heatmap can
say "better" or "worse" whatever the measure's direction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ptx import compare
from ptx.catalog import Measure, measures_for
from ptx.config import ComplaintSettings
from ptx.feedback import rated
from ptx.measures import evaluate

# Heatmap codes: +2 much better ... -2 much worse, oriented by the measure's direction.
VERDICT_SCORE = dict(zip(compare.VERDICTS, (2, 1, 0, -1, -2), strict=True))


def comparisons() -> dict[str, Measure]:
    """The catalog measures that departments are compared on."""
    return measures_for("funnel")


def pooled_sd(feedback: pd.DataFrame) -> float | None:
    """Pooled within-department standard deviation of the 0-10 answers (for mean funnels)."""
    ltr = rated(feedback, "ltr11")
    if ltr.empty:
        return None
    weights = ltr["responses"].to_numpy(float)
    ratings = ltr["rating"].to_numpy(float)
    totals = (ltr["rating"] * ltr["responses"]).groupby(ltr["department_id"]).sum()
    means = totals / ltr.groupby("department_id")["responses"].sum()
    within = ratings - ltr["department_id"].map(means).to_numpy(float)
    dof = weights.sum() - len(means)
    return float(np.sqrt((weights * within**2).sum() / dof)) if dof > 0 else None


def measure_inputs(
    frames: Mapping[str, pd.DataFrame],
    settings: ComplaintSettings,
    keys: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, float | None]:
    """Each comparison measure per department, for the measures whose inputs are in ``frames``.

    ``frames`` maps input names (see ``Measure.inputs``) to counts grouped by department_id;
    a measure is left out when one of its inputs is missing.

    Returns (frame, ltr_sd): frame columns ``measure, group, x, n, value`` (value a proportion
    0-1, a rate per episode, or a mean), and the pooled standard deviation of 0-10 answers.
    """
    parts = []
    for key, m in comparisons().items():
        if keys is not None and key not in keys:
            continue
        if not set(m.inputs) <= set(frames) | ({"complaints"} if "resolved" in frames else set()):
            continue
        v = evaluate(m, frames, ["department_id"], settings)
        v = v[v["denominator"] > 0]
        parts.append(
            pd.DataFrame(
                {
                    "measure": key,
                    "group": v["department_id"],
                    "x": v["numerator"],
                    "n": v["denominator"],
                    "value": v["numerator"] / v["denominator"],
                }
            )
        )
    columns = ["measure", "group", "x", "n", "value"]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    ltr_sd = pooled_sd(frames["feedback"]) if "feedback" in frames else None
    return frame[columns].astype({"x": "float64", "n": "float64", "value": "float64"}), ltr_sd


def funnels(
    inputs: pd.DataFrame, ltr_sd: float | None, *, adjust: bool = True, min_n: int = compare.MIN_N
) -> dict[str, compare.Funnel]:
    """A funnel per measure present in ``inputs``."""
    out = {}
    for key, part in inputs.groupby("measure"):
        spec = comparisons()[key]
        if spec.kind == "mean" and not ltr_sd:
            continue
        target = part["x"].sum() / part["n"].sum()
        out[key] = compare.funnel(
            part, spec.kind, target=target, sd=ltr_sd, adjust=adjust, min_n=min_n
        )
    return out


def oriented_score(verdict: str, better: str) -> float:
    """+2 much better ... -2 much worse; NaN for too few responses."""
    if verdict not in VERDICT_SCORE:
        return np.nan
    score = VERDICT_SCORE[verdict]
    return float(score if better == "higher" else -score)


def scores(result: compare.Funnel, key: str) -> dict[str, float]:
    """department id -> oriented verdict score for one measure."""
    better = comparisons()[key].direction
    return {
        g: oriented_score(v, better)
        for g, v in zip(result.table["group"], result.table["verdict"], strict=True)
    }


def heatmap_frame(results: dict[str, compare.Funnel], names: dict[str, str]) -> pd.DataFrame:
    """Long frame for the heatmap: department, measure (its short heading), label, value
    (display scale), n, verdict, score (oriented, NaN where too few)."""
    rows = []
    for key, result in results.items():
        spec = comparisons()[key]
        for r in result.table.itertuples():
            rows.append(
                {
                    "department_id": r.group,
                    "department": names.get(r.group, r.group),
                    "key": key,
                    "measure": spec.short,
                    "label": spec.label,
                    "value": r.value * spec.scale,
                    "n": r.n,
                    "verdict": r.verdict,
                    "score": oriented_score(r.verdict, spec.direction),
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "department_id",
            "department",
            "key",
            "measure",
            "label",
            "value",
            "n",
            "verdict",
            "score",
        ],
    )


def ranking(
    inputs: pd.DataFrame,
    key: str,
    result: compare.Funnel,
    ltr_sd: float | None,
    names: dict[str, str],
) -> pd.DataFrame:
    """Departments ranked on one measure, each rank with its 95% interval.

    Proportions are shrunk by empirical Bayes (beta-binomial); rates carry an exact Poisson
    interval and means a normal one, unshrunk. Departments under the minimum n are listed,
    unranked. Returns columns ``rank, department, department_id, n, value, estimate, low, high,
    verdict`` on the display scale (rank 1 = best).
    """
    spec = comparisons()[key]
    part = inputs[inputs["measure"] == key]
    if spec.kind == "proportion":
        est = compare.shrink_proportions(part, min_n=compare.MIN_N)
        est = est.rename(columns={"shrunk": "estimate"})
    else:
        est = part[["group", "n"]].copy()
        est["raw"] = part["value"].to_numpy()
        est["estimate"] = est["raw"]
        if spec.kind == "rate":
            x = part["x"].to_numpy()
            from scipy.stats import chi2  # imported when needed: it costs a second at start-up

            low = np.where(x > 0, chi2.ppf(0.025, 2 * x) / 2, 0.0)
            est["low"] = low / part["n"].to_numpy()
            est["high"] = chi2.ppf(0.975, 2 * (x + 1)) / 2 / part["n"].to_numpy()
        else:
            half = compare.Z_95 * (ltr_sd or np.nan) / np.sqrt(part["n"].to_numpy())
            est["low"], est["high"] = est["raw"] - half, est["raw"] + half
        est["rankable"] = est["n"] >= compare.MIN_N
    verdicts = result.table.set_index("group")["verdict"]
    out = pd.DataFrame(
        {
            "department_id": est["group"],
            "department": est["group"].map(lambda g: names.get(g, g)),
            "n": est["n"].astype("int64"),
            "value": est["raw"] * spec.scale,
            "estimate": est["estimate"] * spec.scale,
            "low": est["low"] * spec.scale,
            "high": est["high"] * spec.scale,
            "verdict": est["group"].map(verdicts).fillna(compare.TOO_FEW),
            "rankable": est["rankable"].to_numpy(),
        }
    )
    ranked = out[out["rankable"]].sort_values("estimate", ascending=spec.direction == "lower")
    ranked.insert(0, "rank", np.arange(1, len(ranked) + 1, dtype=float))
    rest = out[~out["rankable"]].assign(rank=np.nan, verdict=compare.TOO_FEW)
    rest = rest.assign(estimate=np.nan, low=np.nan, high=np.nan)
    return pd.concat([ranked, rest], ignore_index=True).drop(columns="rankable")

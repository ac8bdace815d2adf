"""Department comparison: each measure per department, put through the funnel.

Inputs are the small per-department frames of :mod:`ptx.query` and :mod:`ptx.timing`; the
output is one long frame (department, measure, x, n, value) and, per measure, a
:class:`ptx.compare.Funnel` with a verdict for every department, oriented so that a heatmap can
say "better" or "worse" whatever the measure's direction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ptx import compare
from ptx.complaints import target_counts
from ptx.feedback import fft_summary


@dataclass(frozen=True)
class Comparison:
    key: str
    label: str
    short: str  # column heading in the heatmap
    kind: str  # compare.KINDS
    better: str  # "higher" or "lower"
    scale: float  # display multiplier: 100 for percentages, 1,000 for per-1,000 rates
    unit: str
    inputs: tuple[str, ...]  # the count frames it is computed from (see INPUTS)


# The count frames behind the comparisons, each grouped by department_id: feedback_counts,
# complaint_counts, activity_totals, and stage_counts for each complaint stage.
INPUTS = ("feedback", "complaints", "activity", "acknowledged", "resolved")


COMPARISONS = {
    c.key: c
    for c in (
        Comparison(
            "fft_pct_positive",
            "FFT % positive",
            "FFT<br>% positive",
            "proportion",
            "higher",
            100,
            "%",
            ("feedback",),
        ),
        Comparison(
            "fft_pct_negative",
            "FFT % negative",
            "FFT<br>% negative",
            "proportion",
            "lower",
            100,
            "%",
            ("feedback",),
        ),
        Comparison(
            "ltr_mean",
            "Mean likelihood to recommend (0-10)",
            "Recommend<br>mean 0-10",
            "mean",
            "higher",
            1,
            "",
            ("feedback",),
        ),
        Comparison(
            "complaints_per_1000",
            "Complaints per 1,000 episodes",
            "Complaints<br>per 1,000",
            "rate",
            "lower",
            1000,
            " per 1,000",
            ("complaints", "activity"),
        ),
        Comparison(
            "ack_in_time",
            "% complaints acknowledged in time",
            "Acknowledged<br>in time",
            "proportion",
            "higher",
            100,
            "%",
            ("acknowledged",),
        ),
        Comparison(
            "resolved_in_target",
            "% complaints resolved in target",
            "Resolved<br>in target",
            "proportion",
            "higher",
            100,
            "%",
            ("resolved",),
        ),
    )
}
# Heatmap codes: +2 much better ... -2 much worse, oriented by the measure's direction.
VERDICT_SCORE = dict(zip(compare.VERDICTS, (2, 1, 0, -1, -2), strict=True))
SCORE_TEXT = {
    2: "better (99.8%)",
    1: "better (95%)",
    0: "within limits",
    -1: "worse (95%)",
    -2: "worse (99.8%)",
}


def _feedback_measures(feedback: pd.DataFrame, rows: list[tuple]) -> float | None:
    """Append the FFT and likelihood-to-recommend measures; return the pooled 0-10 SD."""
    ltr_sd = None
    fft = fft_summary(feedback, by=["department_id"])
    for r in fft.itertuples():
        if r.responses:
            rows.append(
                (
                    "fft_pct_positive",
                    r.department_id,
                    r.positive,
                    r.responses,
                    r.positive / r.responses,
                )
            )
            rows.append(
                (
                    "fft_pct_negative",
                    r.department_id,
                    r.negative,
                    r.responses,
                    r.negative / r.responses,
                )
            )
    ltr = feedback[feedback["rating_scale"] == "ltr11"]
    if len(ltr):
        weights = ltr["responses"].to_numpy(float)
        ratings = ltr["rating"].to_numpy(float)
        # Pooled within-department standard deviation of the individual answers.
        means = ltr.groupby("department_id").apply(
            lambda g: np.average(g["rating"], weights=g["responses"]), include_groups=False
        )
        within = ratings - ltr["department_id"].map(means).to_numpy(float)
        dof = weights.sum() - len(means)
        ltr_sd = float(np.sqrt((weights * within**2).sum() / dof)) if dof > 0 else None
        for dept, g in ltr.groupby("department_id"):
            n = g["responses"].sum()
            total = (g["rating"] * g["responses"]).sum()
            rows.append(("ltr_mean", dept, total, n, total / n))
    return ltr_sd


def measure_inputs(
    frames: Mapping[str, pd.DataFrame], ack_target: int, resolve_target: int
) -> tuple[pd.DataFrame, float | None]:
    """Each comparison measure per department, for the measures whose inputs are in ``frames``.

    ``frames`` maps names in :data:`INPUTS` to those counts grouped by department_id; a
    measure is left out when one of its inputs is missing (see ``Comparison.inputs``).

    Returns (frame, ltr_sd): frame columns ``measure, group, x, n, value`` (value a proportion
    0-1, a rate per episode, or a mean), and the pooled standard deviation of 0-10 answers.
    """
    rows: list[tuple] = []
    ltr_sd = None
    if "feedback" in frames:
        ltr_sd = _feedback_measures(frames["feedback"], rows)
    if "complaints" in frames and "activity" in frames:
        episodes = frames["activity"].set_index("department_id")["episodes"]
        for r in frames["complaints"].itertuples():
            n = episodes.get(r.department_id, 0)
            if n:
                rows.append(("complaints_per_1000", r.department_id, r.received, n, r.received / n))
    for key, stage, target in (
        ("ack_in_time", "acknowledged", ack_target),
        ("resolved_in_target", "resolved", resolve_target),
    ):
        if stage in frames:
            counts = target_counts(frames[stage], target, "department_id")
            counts = counts[counts["due"] > 0]
            rows += [(key, d, r.met, r.due, r.met / r.due) for d, r in counts.iterrows()]
    frame = pd.DataFrame(rows, columns=["measure", "group", "x", "n", "value"])
    return frame.astype({"x": "float64", "n": "float64", "value": "float64"}), ltr_sd


def funnels(
    inputs: pd.DataFrame, ltr_sd: float | None, *, adjust: bool = True, min_n: int = compare.MIN_N
) -> dict[str, compare.Funnel]:
    """A funnel per measure present in ``inputs``."""
    out = {}
    for key, part in inputs.groupby("measure"):
        spec = COMPARISONS[key]
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
    better = COMPARISONS[key].better
    return {
        g: oriented_score(v, better)
        for g, v in zip(result.table["group"], result.table["verdict"], strict=True)
    }


def heatmap_frame(results: dict[str, compare.Funnel], names: dict[str, str]) -> pd.DataFrame:
    """Long frame for the heatmap: department, measure, value (display scale), n, verdict,
    score (oriented, NaN where too few)."""
    rows = []
    for key, result in results.items():
        spec = COMPARISONS[key]
        for r in result.table.itertuples():
            rows.append(
                {
                    "department_id": r.group,
                    "department": names.get(r.group, r.group),
                    "measure": spec.short,
                    "value": r.value * spec.scale,
                    "n": r.n,
                    "verdict": r.verdict,
                    "score": oriented_score(r.verdict, spec.better),
                }
            )
    return pd.DataFrame(
        rows, columns=["department_id", "department", "measure", "value", "n", "verdict", "score"]
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
    spec = COMPARISONS[key]
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
            low = np.where(x > 0, stats.chi2.ppf(0.025, 2 * x) / 2, 0.0)
            est["low"] = low / part["n"].to_numpy()
            est["high"] = stats.chi2.ppf(0.975, 2 * (x + 1)) / 2 / part["n"].to_numpy()
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
    ranked = out[out["rankable"]].sort_values("estimate", ascending=spec.better == "lower")
    ranked.insert(0, "rank", np.arange(1, len(ranked) + 1, dtype=float))
    rest = out[~out["rankable"]].assign(rank=np.nan, verdict=compare.TOO_FEW)
    rest = rest.assign(estimate=np.nan, low=np.nan, high=np.nan)
    return pd.concat([ranked, rest], ignore_index=True).drop(columns="rankable")

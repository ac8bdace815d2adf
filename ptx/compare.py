"""Fair comparison of departments of different sizes: funnel plots and shrunk rankings.

Funnel plots follow Spiegelhalter (2005), "Funnel plots for comparing institutional
performance" (Statistics in Medicine 24:1185-1202), as the R package FunnelPlotR implements it:

- each department's value is put on a variance-stabilising scale with its standard error s_i:
  proportions: y = arcsin(sqrt(p)), s = 1 / (2 sqrt(n)); rates per exposure (Poisson):
  y = sqrt(rate), s = sqrt(1 / (4 n)) on the per-unit scale; means: y = mean,
  s = sd / sqrt(n) with the pooled standard deviation;
- z-scores against the organisation's value y0: z_i = (y_i - y0) / s_i;
- overdispersion: the z-scores are Winsorised at their 10th and 90th percentiles, and
  phi = mean(z_w^2); when I x phi exceeds I - 1 the between-department variance
  tau^2 = (I phi - (I - 1)) / (sum w_i - sum w_i^2 / sum w_i), with w_i = 1 / s_i^2
  (the DerSimonian-Laird additive random-effects estimate), else tau^2 = 0;
- limits: y0 +/- z_alpha sqrt(s^2 + tau^2), back on the measure's scale, for z_alpha = 1.960
  (95%) and 3.090 (99.8%).

Ranking shrinks each proportion towards the organisation's value by empirical Bayes with a
beta-binomial model: a Beta prior with the organisation's mean and a strength fitted by the
method of moments from the between-department variance; the estimate is the posterior mean
(x + a) / (n + a + b) with a 95% equal-tailed posterior interval (for a department with no
successes, or no failures, at all the posterior can be skewed enough that its mean lies outside
it). Departments with fewer than the minimum n (10 by default) are listed as too few to rank.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ptx.errors import PtxError
from ptx.stats import Z_95  # the standard normal's 97.5th percentile: two-sided 95% limits

Z_998 = 3.090232306167813  # the standard normal's 99.9th percentile: two-sided 99.8% limits
WINSORISE = 0.10
MIN_N = 10
VERDICTS = (
    "above 99.8% limit",
    "above 95% limit",
    "within limits",
    "below 95% limit",
    "below 99.8% limit",
)
TOO_FEW = "too few responses"
KINDS = ("proportion", "rate", "mean")


@dataclass(frozen=True)
class Funnel:
    """Funnel limits and the verdict per department.

    ``table`` columns: group, n, value, z, verdict; ``target`` is the organisation's value;
    ``limits`` columns: n, lower_998, lower_95, upper_95, upper_998 on a grid of n for drawing.
    """

    kind: str
    target: float
    phi: float
    tau2: float
    overdispersed: bool
    table: pd.DataFrame
    limits: pd.DataFrame

    @property
    def method(self) -> str:
        if self.overdispersed:
            return (
                f"limits widened for overdispersion (phi = {self.phi:.2f}, "
                f"tau² = {self.tau2:.3g}, additive random effects)"
            )
        return f"no overdispersion found (phi = {self.phi:.2f}): unadjusted limits"


def _transform(kind: str, value: np.ndarray, n: np.ndarray, sd: float | None):
    """(y, s): the value on the variance-stabilising scale and its standard error."""
    if kind == "proportion":
        return np.arcsin(np.sqrt(np.clip(value, 0, 1))), 1 / (2 * np.sqrt(n))
    if kind == "rate":
        return np.sqrt(np.clip(value, 0, None)), np.sqrt(1 / (4 * n))
    return value, sd / np.sqrt(n)


def _back(kind: str, y: np.ndarray) -> np.ndarray:
    if kind == "proportion":
        return np.sin(np.clip(y, 0, np.pi / 2)) ** 2
    if kind == "rate":
        return np.clip(y, 0, None) ** 2
    return y


def limits_at(
    kind: str, target: float, n, z: float, *, sd: float | None = None, tau2: float = 0.0
) -> np.ndarray:
    """The funnel limit at size ``n`` for a normal quantile ``z`` (negative for the lower),
    on the measure's own scale."""
    n = np.asarray(n, dtype=float)
    y0 = _transform(kind, np.array([target]), np.array([1.0]), sd)[0][0]
    _, s = _transform(kind, np.full(n.shape, target), n, sd)
    return _back(kind, y0 + z * np.sqrt(s**2 + tau2))


def winsorise(z: np.ndarray, share: float = WINSORISE) -> np.ndarray:
    """Values below the share-quantile or above the (1 - share)-quantile are set to them."""
    low, high = np.quantile(z, [share, 1 - share])
    return np.clip(z, low, high)


def overdispersion(z: np.ndarray, s: np.ndarray) -> tuple[float, float]:
    """(phi, tau^2) from z-scores and standard errors (Spiegelhalter 2005, DerSimonian-Laird)."""
    count = len(z)
    phi = float(np.mean(winsorise(z) ** 2))
    w = 1 / s**2
    if count * phi <= count - 1:
        return phi, 0.0
    tau2 = (count * phi - (count - 1)) / (w.sum() - (w**2).sum() / w.sum())
    return phi, float(max(tau2, 0.0))


def funnel(
    frame: pd.DataFrame,
    kind: str,
    *,
    target: float | None = None,
    sd: float | None = None,
    adjust: bool = True,
    min_n: int = MIN_N,
) -> Funnel:
    """Funnel limits and verdicts.

    Parameters
    ----------
    frame
        Columns ``group``, ``n`` (denominator: responses, complaints due, episodes per unit of
        the rate) and ``value`` (a proportion 0-1, a rate per unit, or a mean).
    kind
        "proportion", "rate" or "mean".
    target
        The organisation's value; default the n-weighted mean of the values.
    sd
        For means: the pooled standard deviation of individual answers (required).
    adjust
        Widen the limits for overdispersion when the data show it.
    min_n
        Departments below this n get the verdict "too few responses" and do not count towards
        the overdispersion estimate.
    """
    if kind not in KINDS:
        raise PtxError(f"kind must be one of {', '.join(KINDS)}.")
    if kind == "mean" and not sd:
        raise PtxError("A funnel of means needs the pooled standard deviation (sd).")
    data = frame[["group", "n", "value"]].copy()
    data = data[data["n"] > 0].reset_index(drop=True)
    if target is None:
        target = float(np.average(data["value"], weights=data["n"])) if len(data) else np.nan
    enough = data["n"] >= min_n
    y, s = _transform(kind, data["value"].to_numpy(float), data["n"].to_numpy(float), sd)
    y0 = float(_transform(kind, np.array([target]), np.array([1.0]), sd)[0][0])
    z = (y - y0) / s
    phi, tau2 = (np.nan, 0.0)
    if enough.sum() >= 3:
        phi, tau2 = overdispersion(z[enough], s[enough])
    tau2_used = tau2 if adjust else 0.0
    spread = np.sqrt(s**2 + tau2_used)
    z_adj = (y - y0) / spread
    verdict = np.select(
        [z_adj > Z_998, z_adj > Z_95, z_adj < -Z_998, z_adj < -Z_95],
        [VERDICTS[0], VERDICTS[1], VERDICTS[4], VERDICTS[3]],
        default=VERDICTS[2],
    )
    data["z"] = z_adj
    data["verdict"] = np.where(enough, verdict, TOO_FEW)
    n_max = max(float(data["n"].max()) if len(data) else 10.0, 10.0)
    grid = np.unique(np.geomspace(1, n_max * 1.1, 200))
    limits = pd.DataFrame({"n": grid})
    for name, zq in (
        ("lower_998", -Z_998),
        ("lower_95", -Z_95),
        ("upper_95", Z_95),
        ("upper_998", Z_998),
    ):
        limits[name] = limits_at(kind, target, grid, zq, sd=sd, tau2=tau2_used)
    return Funnel(
        kind=kind,
        target=float(target),
        phi=float(phi),
        tau2=float(tau2_used),
        overdispersed=bool(adjust and tau2 > 0),
        table=data,
        limits=limits,
    )


def shrink_proportions(frame: pd.DataFrame, *, min_n: int = MIN_N) -> pd.DataFrame:
    """Empirical-Bayes beta-binomial estimates for proportions.

    ``frame``: columns ``group``, ``x`` (successes) and ``n``. Returns ``group, n, raw,
    shrunk, low, high, rankable`` (proportions 0-1), ``rankable`` False below ``min_n``. The
    prior is fitted on the rankable departments.
    """
    from scipy.stats import beta  # imported when needed: it costs a second at start-up

    data = frame[["group", "x", "n"]].copy()
    data = data[data["n"] > 0].reset_index(drop=True)
    rankable = data["n"] >= min_n
    fit = data[rankable] if rankable.sum() >= 2 else data
    p0 = fit["x"].sum() / fit["n"].sum()
    raw = fit["x"] / fit["n"]
    weighted_var = float((fit["n"] * (raw - p0) ** 2).sum() / fit["n"].sum())
    sampling = len(fit) * p0 * (1 - p0) / fit["n"].sum()
    tau2 = max(weighted_var - sampling, 0.0)
    # Prior strength M = a + b from Var(p) = p0 (1 - p0) / (M + 1); no spread: pool completely.
    strength = p0 * (1 - p0) / tau2 - 1 if tau2 > 0 else 1e9
    strength = max(strength, 1e-6)
    # All successes or none: keep the prior proper (a, b > 0) so the posterior exists.
    p0 = min(max(p0, 1e-9), 1 - 1e-9)
    a, b = p0 * strength, (1 - p0) * strength
    post_a = data["x"] + a
    post_b = data["n"] - data["x"] + b
    return pd.DataFrame(
        {
            "group": data["group"],
            "n": data["n"],
            "raw": data["x"] / data["n"],
            "shrunk": post_a / (post_a + post_b),
            "low": beta.ppf(0.025, post_a, post_b),
            "high": beta.ppf(0.975, post_a, post_b),
            "rankable": rankable,
        }
    )

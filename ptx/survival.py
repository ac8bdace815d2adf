"""Time to resolution that counts the complaints still open: Kaplan-Meier from counts.

A complaint still open at the as-of date is *censored*: we know it has taken at least so many
working days, not how many it will take. Dropping open complaints (the naive median of closed
ones) leaves out exactly the slow ones, so it flatters. The Kaplan-Meier estimator uses them.

Input is counts per whole working day (``working_days, done, pending``: resolved by then, and
still open after that many working days at the as-of date), as the database returns them
(:func:`ptx.timing.stage_counts`), so the curves are exact at any data size.

- Survival S(t) = product over event times u <= t of (1 - d_u / n_u), where n_u counts the
  complaints still open just before u (those censored at u are still at risk at u).
- Greenwood's variance: Var S(t) = S(t)^2 x sum over u <= t of d_u / (n_u (n_u - d_u)).
- Pointwise 95% interval on the complementary log-log scale.
- The p-quantile (median p = 0.5, 90th percentile p = 0.9) is the first event time at which
  S(t) < 1 - p, and its 95% interval inverts the z-test of S(t) = 1 - p on the complementary
  log-log scale (Brookmeyer & Crowley 1982; the method of SAS PROC LIFETEST), so its limits are
  observed event times and the upper one may be unbounded.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ptx.stats import Z_95

TIE_TOLERANCE = 1e-12
KM_COLUMNS = ["working_days", "at_risk", "events", "censored", "survival", "se", "low", "high"]


def kaplan_meier(counts: pd.DataFrame) -> pd.DataFrame:
    """The Kaplan-Meier table at each event time.

    Parameters
    ----------
    counts
        Columns ``working_days`` (whole working days, >= 0), ``done`` (events: resolved after
        that many days) and ``pending`` (censored: still open at that age); several rows per
        duration are summed.

    Returns
    -------
    DataFrame with columns :data:`KM_COLUMNS`, one row per duration with at least one event
    (empty when nothing has been resolved). ``survival`` is the share still open after that
    many working days.
    """
    if counts.empty:
        return pd.DataFrame(columns=KM_COLUMNS)
    g = counts.groupby("working_days", as_index=False)[["done", "pending"]].sum()
    g = g.sort_values("working_days")
    total = g["done"].sum() + g["pending"].sum()
    leaving_before = (g["done"] + g["pending"]).cumsum().shift(fill_value=0)
    at_risk = (total - leaving_before).to_numpy(float)
    events = g["done"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(at_risk > 0, 1 - events / at_risk, 1.0)
        survival = np.cumprod(factor)
        term = np.where(at_risk > events, events / (at_risk * (at_risk - events)), np.inf)
        term = np.where(events == 0, 0.0, term)
        se = survival * np.sqrt(np.cumsum(term))
    out = pd.DataFrame(
        {
            "working_days": g["working_days"].to_numpy(),
            "at_risk": at_risk.astype("int64"),
            "events": events.astype("int64"),
            "censored": g["pending"].to_numpy().astype("int64"),
            "survival": survival,
            "se": se,
        }
    )
    out["low"], out["high"] = _cloglog_band(out["survival"].to_numpy(), out["se"].to_numpy())
    return out[out["events"] > 0].reset_index(drop=True)[KM_COLUMNS]


def _cloglog_band(s: np.ndarray, se: np.ndarray, z: float = Z_95):
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = np.log(-np.log(s))
        half = z * se / (s * np.abs(np.log(s)))
        low = np.exp(-np.exp(theta + half))
        high = np.exp(-np.exp(theta - half))
    low = np.where((s > 0) & (s < 1), low, s)
    high = np.where((s > 0) & (s < 1), high, s)
    return low, high


def quantile(table: pd.DataFrame, p: float) -> float:
    """The first event time at which S(t) < 1 - p; NaN when the curve never gets there.

    S(t) exactly at 1 - p (say half of 100 resolved) is not below it: a tolerance keeps
    rounding in the running product from deciding that tie."""
    hit = np.flatnonzero(table["survival"].to_numpy() < 1 - p - TIE_TOLERANCE)
    return float(table["working_days"].iloc[hit[0]]) if len(hit) else np.nan


def quantile_ci(table: pd.DataFrame, p: float, z: float = Z_95) -> tuple[float, float]:
    """95% interval of the p-quantile (Brookmeyer-Crowley, complementary log-log).

    Returns (lower, upper); upper is inf when the data cannot bound it, both NaN when no time
    is consistent with S(t) = 1 - p.
    """
    s = table["survival"].to_numpy(float)
    se = table["se"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.log(-np.log(s))
        g0 = np.log(-np.log(1 - p))
        gprime = -1 / (s * np.log(s))
        r = (g - g0) / (gprime * se)
    inside = np.flatnonzero(np.abs(r) <= z)
    if not len(inside):
        return np.nan, np.nan
    times = table["working_days"].to_numpy(float)
    upper = np.inf if inside[-1] == len(times) - 1 else times[inside[-1] + 1]
    return float(times[inside[0]]), float(upper)


def summary(counts: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Median and 90th percentile working days to resolve, censored and naive, per group.

    Returns columns ``*by, complaints, resolved, open, median, median_low, median_high, p90,
    p90_low, p90_high, naive_median`` where ``naive_median`` is the median of resolved
    complaints only (what a report that drops open complaints would show).
    """
    groups = counts.groupby(list(by), dropna=False) if by else [((), counts)]
    rows = []
    for key, part in groups:
        table = kaplan_meier(part)
        resolved = part[part["done"] > 0]
        durations = np.repeat(resolved["working_days"].to_numpy(), resolved["done"].to_numpy())
        row = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True))
        row.update(
            complaints=int(part["done"].sum() + part["pending"].sum()),
            resolved=int(part["done"].sum()),
            open=int(part["pending"].sum()),
            naive_median=float(np.median(durations)) if len(durations) else np.nan,
        )
        for name, p in (("median", 0.5), ("p90", 0.9)):
            low, high = quantile_ci(table, p) if len(table) else (np.nan, np.nan)
            row.update(
                {
                    name: quantile(table, p) if len(table) else np.nan,
                    f"{name}_low": low,
                    f"{name}_high": high,
                }
            )
        rows.append(row)
    cols = [
        *by,
        "complaints",
        "resolved",
        "open",
        "median",
        "median_low",
        "median_high",
        "p90",
        "p90_low",
        "p90_high",
        "naive_median",
    ]
    return pd.DataFrame(rows, columns=cols)


def curve(counts: pd.DataFrame) -> pd.DataFrame:
    """A step curve for drawing: S(0) = 1, then S(t) at each event time with its band."""
    table = kaplan_meier(counts)
    start = pd.DataFrame({"working_days": [0], "survival": [1.0], "low": [1.0], "high": [1.0]})
    return pd.concat([start, table[["working_days", "survival", "low", "high"]]], ignore_index=True)

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
# The columns of summary() after the grouping: counts of complaints, then working days.
SUMMARY_COUNTS = ("complaints", "resolved", "open")
SUMMARY_DAYS = (
    "median",
    "median_low",
    "median_high",
    "p90",
    "p90_low",
    "p90_high",
    "naive_median",
)


def _km_arrays(days: np.ndarray, done: np.ndarray, pending: np.ndarray) -> dict[str, np.ndarray]:
    """The Kaplan-Meier columns (see :data:`KM_COLUMNS`) at every duration, as arrays.

    Rows with the same duration are summed; the work is numpy only, as it runs per group on
    every rerun of the Complaints page."""
    times, where = np.unique(days, return_inverse=True)
    events = np.bincount(where, weights=done, minlength=len(times))
    censored = np.bincount(where, weights=pending, minlength=len(times))
    leaving = events + censored
    at_risk = leaving.sum() - np.concatenate(([0.0], np.cumsum(leaving)[:-1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(at_risk > 0, 1 - events / at_risk, 1.0)
        survival = np.cumprod(factor)
        term = np.where(at_risk > events, events / (at_risk * (at_risk - events)), np.inf)
        term = np.where(events == 0, 0.0, term)
        se = survival * np.sqrt(np.cumsum(term))
    low, high = _cloglog_band(survival, se)
    return {
        "working_days": times,
        "at_risk": at_risk,
        "events": events,
        "censored": censored,
        "survival": survival,
        "se": se,
        "low": low,
        "high": high,
    }


def _event_rows(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    keep = arrays["events"] > 0
    return {k: v[keep] for k, v in arrays.items()}


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
    arrays = _event_rows(
        _km_arrays(
            counts["working_days"].to_numpy(),
            counts["done"].to_numpy(float),
            counts["pending"].to_numpy(float),
        )
    )
    out = pd.DataFrame(arrays)[KM_COLUMNS]
    return out.astype({c: "int64" for c in ("working_days", "at_risk", "events", "censored")})


def _cloglog_band(s: np.ndarray, se: np.ndarray, z: float = Z_95):
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = np.log(-np.log(s))
        half = z * se / (s * np.abs(np.log(s)))
        low = np.exp(-np.exp(theta + half))
        high = np.exp(-np.exp(theta - half))
    low = np.where((s > 0) & (s < 1), low, s)
    high = np.where((s > 0) & (s < 1), high, s)
    return low, high


def _quantile(times: np.ndarray, s: np.ndarray, p: float) -> float:
    hit = np.flatnonzero(s < 1 - p - TIE_TOLERANCE)
    return float(times[hit[0]]) if len(hit) else np.nan


def quantile(table: pd.DataFrame, p: float) -> float:
    """The first event time at which S(t) < 1 - p; NaN when the curve never gets there.

    S(t) exactly at 1 - p (say half of 100 resolved) is not below it: a tolerance keeps
    rounding in the running product from deciding that tie."""
    return _quantile(table["working_days"].to_numpy(), table["survival"].to_numpy(float), p)


def _quantile_ci(
    times: np.ndarray, s: np.ndarray, se: np.ndarray, p: float, z: float = Z_95
) -> tuple[float, float]:
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.log(-np.log(s))
        g0 = np.log(-np.log(1 - p))
        gprime = -1 / (s * np.log(s))
        r = (g - g0) / (gprime * se)
    inside = np.flatnonzero(np.abs(r) <= z)
    if not len(inside):
        return np.nan, np.nan
    times = times.astype(float)
    upper = np.inf if inside[-1] == len(times) - 1 else times[inside[-1] + 1]
    return float(times[inside[0]]), float(upper)


def quantile_ci(table: pd.DataFrame, p: float, z: float = Z_95) -> tuple[float, float]:
    """95% interval of the p-quantile (Brookmeyer-Crowley, complementary log-log).

    Returns (lower, upper); upper is inf when the data cannot bound it, both NaN when no time
    is consistent with S(t) = 1 - p.
    """
    return _quantile_ci(
        table["working_days"].to_numpy(),
        table["survival"].to_numpy(float),
        table["se"].to_numpy(float),
        p,
        z,
    )


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The median of ``values`` each repeated ``weights`` times (values sorted ascending)."""
    total = weights.sum()
    if total == 0:
        return np.nan
    cumulative = np.cumsum(weights)
    low = values[np.searchsorted(cumulative, (total + 1) // 2)]
    if total % 2:
        return float(low)
    return float((low + values[np.searchsorted(cumulative, total // 2 + 1)]) / 2)


def summary(counts: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Median and 90th percentile working days to resolve, censored and naive, per group.

    Returns columns ``*by, complaints, resolved, open, median, median_low, median_high, p90,
    p90_low, p90_high, naive_median`` where ``naive_median`` is the median of resolved
    complaints only (what a report that drops open complaints would show).
    """
    days = counts["working_days"].to_numpy()
    done = counts["done"].to_numpy(float)
    pending = counts["pending"].to_numpy(float)
    groups = (
        counts.groupby(list(by), dropna=False).indices.items()
        if by
        else [((), np.arange(len(counts)))]
    )
    rows = []
    for key, at in groups:
        row = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True))
        arrays = _km_arrays(days[at], done[at], pending[at])
        events = _event_rows(arrays)
        row.update(
            complaints=int(done[at].sum() + pending[at].sum()),
            resolved=int(done[at].sum()),
            open=int(pending[at].sum()),
            naive_median=_weighted_median(arrays["working_days"], arrays["events"]),
        )
        times, s, se = events["working_days"], events["survival"], events["se"]
        for name, p in (("median", 0.5), ("p90", 0.9)):
            low, high = _quantile_ci(times, s, se, p) if len(times) else (np.nan, np.nan)
            row.update(
                {
                    name: _quantile(times, s, p) if len(times) else np.nan,
                    f"{name}_low": low,
                    f"{name}_high": high,
                }
            )
        rows.append(row)
    return pd.DataFrame(rows, columns=[*by, *SUMMARY_COUNTS, *SUMMARY_DAYS])


def curve(counts: pd.DataFrame) -> pd.DataFrame:
    """A step curve for drawing: S(0) = 1, then S(t) at each event time with its band."""
    table = kaplan_meier(counts)
    start = pd.DataFrame({"working_days": [0], "survival": [1.0], "low": [1.0], "high": [1.0]})
    return pd.concat([start, table[["working_days", "survival", "low", "high"]]], ignore_index=True)

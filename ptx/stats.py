"""Small statistical helpers shared by the KPI modules."""

from __future__ import annotations

import numpy as np
import pandas as pd

# Two-sided 95% normal quantile, Phi^-1(0.975).
Z_95 = 1.959963984540054


def wilson_interval(successes, n, z: float = Z_95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion (Wilson 1927), as proportions 0-1.

    Works element-wise on arrays; where ``n`` is 0 both bounds are NaN.

    >>> low, high = wilson_interval(8, 10)
    >>> round(float(low), 4), round(float(high), 4)
    (0.4902, 0.9433)
    """
    x = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
        low, high = centre - half, centre + half
    # The bounds are exactly 0 at x = 0 and 1 at x = n; rounding would leave them a hair off.
    low = np.where(n > 0, np.where(x == 0, 0.0, np.clip(low, 0, 1)), np.nan)
    high = np.where(n > 0, np.where(x == n, 1.0, np.clip(high, 0, 1)), np.nan)
    return low, high


def percent(part, whole) -> pd.Series | float:
    """100 * part / whole, NaN where whole is 0."""
    part = np.asarray(part, dtype=float)
    whole = np.asarray(whole, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(whole > 0, 100 * part / whole, np.nan)
    return out

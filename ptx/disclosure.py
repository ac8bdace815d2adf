"""Small-number suppression (statistical disclosure control), on by default.

Follows NHS Digital's disclosure-control practice for published patient-level counts:

- counts of 1 to 7 are shown as "*";
- in exported tables, other counts are rounded to the nearest 5;
- no rate or percentage is shown for fewer than 10 responses.

The same rule object is applied to charts, on-screen tables and exports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ptx.errors import PtxError

SUPPRESSED = "*"


@dataclass(frozen=True)
class Disclosure:
    """The suppression rule; ``enabled=False`` shows every number as it is."""

    enabled: bool = True
    suppress_max: int = 7  # counts 1..suppress_max are shown as "*"
    round_to: int = 5  # exported counts are rounded to a multiple of this
    min_rate_n: int = 10  # no rate or percentage below this many responses

    def __post_init__(self) -> None:
        if self.suppress_max < 0 or self.round_to < 1 or self.min_rate_n < 0:
            raise PtxError("Disclosure settings must be non-negative (round_to at least 1).")


def hide_small_rates(
    frame: pd.DataFrame, n_col: str, rate_cols: Sequence[str], rule: Disclosure
) -> pd.DataFrame:
    """Blank (NaN) the rate columns of rows with fewer than ``rule.min_rate_n`` in ``n_col``."""
    out = frame.copy()
    if rule.enabled and len(out):
        small = out[n_col] < rule.min_rate_n
        for col in rate_cols:
            out[col] = out[col].astype("float64").mask(small)
    return out


def count_text(value: float, rule: Disclosure) -> str:
    """One count for display: "*" for 1..suppress_max under the rule, else with separators."""
    if value != value:  # NaN
        return "–"
    if rule.enabled and 1 <= value <= rule.suppress_max:
        return SUPPRESSED
    return f"{value:,.0f}"


def _count_text(values: pd.Series, rule: Disclosure, export: bool) -> pd.Series:
    v = values.astype("float64")
    if not rule.enabled:
        return v.map(lambda x: "" if np.isnan(x) else f"{x:,.0f}")
    small = (v >= 1) & (v <= rule.suppress_max)
    shown = (np.round(v / rule.round_to) * rule.round_to) if export else v
    text = shown.map(lambda x: "" if np.isnan(x) else f"{x:,.0f}")
    return text.mask(small, SUPPRESSED)


def disclosure_table(
    frame: pd.DataFrame,
    *,
    count_cols: Sequence[str],
    rate_cols: Sequence[str],
    n_col: str,
    rule: Disclosure,
    export: bool = False,
    decimals: int = 1,
) -> pd.DataFrame:
    """A copy for display or export: counts as text with suppression (and rounding when
    ``export``), rates blanked below the minimum n and rounded to ``decimals``."""
    out = hide_small_rates(frame, n_col, rate_cols, rule)
    for col in rate_cols:
        out[col] = out[col].round(decimals)
    for col in count_cols:
        out[col] = _count_text(frame[col], rule, export)
    return out

"""Small-number suppression (statistical disclosure control), on by default.

Follows NHS Digital's disclosure-control practice for published patient-level counts:

- counts of 1 to 7 are shown as "*";
- in exported tables, other counts are rounded to the nearest 5;
- no rate or percentage is shown for fewer than 10 responses.

The rule is applied in one place, :func:`hidden`, on the frames every result of the facade
(:mod:`ptx.api`) holds; its tiles, tables, downloads and figures are all drawn from those
frames, so nothing a page or an export shows can bypass it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ptx.errors import PtxError
from ptx.safety import neutralise_formulas

SUPPRESSED = "*"
NOT_AVAILABLE = "–"


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

    def too_few(self, n):
        """True where ``n`` (a number, or an array of them) is too few for a rate or a curve
        under the rule."""
        return (n < self.min_rate_n) & self.enabled

    def small_count(self, n):
        """True where ``n`` is a count the rule hides (1..suppress_max)."""
        return (n >= 1) & (n <= self.suppress_max) & self.enabled

    def describe(self) -> str:
        if not self.enabled:
            return "Small-number suppression is off: every count is shown as it is."
        return (
            f"Counts of 1-{self.suppress_max} shown as {SUPPRESSED}, exported counts rounded to "
            f"{self.round_to}, no rate for fewer than {self.min_rate_n} (NHS Digital practice)."
        )


@dataclass(frozen=True)
class Roles:
    """What the columns of a frame are, for the rule.

    ``counts`` are patient-level counts (1..suppress_max hidden); ``rates`` are values computed
    from ``n`` people or events (hidden when ``n`` is below ``min_rate_n``).
    """

    counts: tuple[str, ...] = ()
    rates: tuple[str, ...] = ()
    n: str | None = None


def _numbers(column: pd.Series) -> np.ndarray:
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def hidden(frame: pd.DataFrame, roles: Roles, rule: Disclosure) -> pd.DataFrame:
    """The small-number rule: a boolean frame, True for each cell the rule hides.

    This is the only place the rule is decided; every result applies it through here.
    """
    rows = len(frame)
    masks: dict[str, np.ndarray] = {}
    if rule.enabled and rows:
        for col in roles.counts:
            if col in frame:
                masks[col] = rule.small_count(_numbers(frame[col]))
        if roles.n is not None and roles.n in frame:
            small = rule.too_few(_numbers(frame[roles.n]))
            for col in roles.rates:
                if col in frame:
                    masks[col] = masks.get(col, np.zeros(rows, dtype=bool)) | small
    none = np.zeros(rows, dtype=bool)
    return pd.DataFrame({c: masks.get(c, none) for c in frame.columns}, index=frame.index)


def apply(
    frame: pd.DataFrame, roles: Roles, rule: Disclosure, mask: pd.DataFrame | None = None
) -> pd.DataFrame:
    """A copy with every hidden cell set to NaN (for figures and numeric exports); ``mask`` is
    :func:`hidden`'s answer when the caller has it already."""
    mask = hidden(frame, roles, rule) if mask is None else mask
    out = frame.copy()
    for col in frame.columns:
        if mask[col].any():
            out[col] = out[col].astype("float64").mask(mask[col])
    return out


def _count_text(values: pd.Series, hide: pd.Series, rule: Disclosure, export: bool) -> pd.Series:
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    if export and rule.enabled:
        v = np.round(v / rule.round_to) * rule.round_to
    text = v.map(lambda x: "" if np.isnan(x) else f"{x:,.0f}")
    return text.mask(hide.to_numpy(), SUPPRESSED)


def as_table(
    frame: pd.DataFrame,
    roles: Roles,
    rule: Disclosure,
    *,
    export: bool = False,
    decimals: int | dict[str, int] = 1,
) -> pd.DataFrame:
    """A copy for a reader: counts as text ("*" where hidden, rounded to ``round_to`` when
    ``export``), rates rounded to ``decimals`` and empty where hidden. An ``export`` copy is
    also safe to open in a spreadsheet: text that would be read as a formula is prefixed with
    ``'`` (:func:`ptx.safety.neutralise_formulas`)."""
    mask = hidden(frame, roles, rule)
    out = frame.copy()
    for col in roles.rates:
        if col in out:
            places = decimals.get(col, 1) if isinstance(decimals, dict) else decimals
            out[col] = out[col].astype("float64").mask(mask[col]).round(places)
    for col in roles.counts:
        if col in out:
            out[col] = _count_text(frame[col], mask[col], rule, export)
    return neutralise_formulas(out) if export else out


def count_text(value: float, rule: Disclosure) -> str:
    """One count for a tile or a sentence: "*" for 1..suppress_max under the rule."""
    frame = pd.DataFrame({"n": [value]})
    if pd.isna(value):
        return NOT_AVAILABLE
    return as_table(frame, Roles(counts=("n",)), rule)["n"].iloc[0]

"""Where one unit stands among published peers: percentile ranks with intervals, and funnels.

- Percentile rank (the "mean" definition, as ``scipy.stats.percentileofscore(kind="mean")``):
  100 x (peers below + half the peers equal) / peers; the unit itself is not among its peers.
- Its 95% interval, where the unit's number of completed surveys is known: the percentile ranks
  of the ends of the Wilson interval of its percentage at that n (Wilson 1927). A band of
  completed surveys (``300 or more``, ``FEWER THAN 50``) is taken at its lower bound, which
  widens the interval rather than narrowing it; the result says so. Published percentages are
  whole numbers, so the rank is as coarse as they are.
- Funnel against completed surveys: :func:`ptx.compare.funnel` (Spiegelhalter 2005, arcsine
  scale, limits widened for overdispersion), centred on the national value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ptx import compare
from ptx.stats import wilson_interval

MIN_PEERS = 5  # fewer peers than this: no percentile rank


def percentile_rank(value: float, peers) -> float:
    """Percentile rank of ``value`` among ``peers`` (0-100); NaN without value or peers."""
    peers = np.asarray(peers, dtype=float)
    peers = peers[np.isfinite(peers)]
    if not np.isfinite(value) or len(peers) == 0:
        return np.nan
    below = np.sum(peers < value)
    equal = np.sum(peers == value)
    return float(100 * (below + 0.5 * equal) / len(peers))


def rank_interval(percent: float, n: float | None, peers) -> tuple[float, float]:
    """95% interval of the percentile rank: the ranks of the Wilson interval's ends of a
    percentage at ``n`` completed surveys; NaN where n is not known."""
    if n is None or not np.isfinite(n) or n < 1 or not np.isfinite(percent):
        return np.nan, np.nan
    low, high = wilson_interval(round(percent / 100 * n), n)
    return percentile_rank(float(low) * 100, peers), percentile_rank(float(high) * 100, peers)


def survey_n(completed, low) -> tuple[pd.Series, pd.Series]:
    """(n used, banded): the completed surveys, or a band's lower bound (banded True)."""
    completed = pd.to_numeric(completed, errors="coerce")
    low = pd.to_numeric(low, errors="coerce")
    banded = completed.isna() & low.notna()
    return completed.fillna(low).astype("float64"), banded


def peer_funnel(peers: pd.DataFrame, target_percent: float) -> compare.Funnel | None:
    """A funnel of the peers' percentages (``unit_id``, ``n``, ``value`` in %) against
    completed surveys, centred on ``target_percent``; None with fewer than 3 peers with an n."""
    frame = peers.dropna(subset=["n", "value"])
    frame = frame[frame["n"] > 0]
    if len(frame) < 3 or not np.isfinite(target_percent):
        return None
    data = pd.DataFrame({"group": frame["unit_id"], "n": frame["n"], "value": frame["value"] / 100})
    return compare.funnel(data, "proportion", target=target_percent / 100, adjust=True)

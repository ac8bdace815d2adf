"""Complaint shares, backlog, ageing and mix over the counts of :mod:`ptx.query` and
:mod:`ptx.timing`; the measures built on them are defined in :mod:`ptx.catalog`.

- A complaint is *due* at a stage (acknowledgement: 3 working days under the Local Authority
  Social Services and National Health Service Complaints (England) Regulations 2009, reg. 13;
  resolution: the organisation's target) once it is done, or once it has waited longer than the
  target; it *meets* the target when done within it. A complaint received yesterday is not yet
  late, so it is in neither count.
- The backstop: done within six calendar months of receipt (reg. 14), of those due.
- Times are in working days from receipt (day 0); see :mod:`ptx.survival` for why the median
  counts open complaints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ptx import survival
from ptx.stats import percent, wilson_interval

AGE_BUCKETS = ((0, 10), (11, 25), (26, 40), (41, 65), (66, None))  # working days open
OUTCOME_ORDER = ("upheld", "partially upheld", "not upheld", "withdrawn")


@dataclass(frozen=True)
class Share:
    """A proportion with its 95% Wilson interval, in percent."""

    met: int
    due: int
    pct: float
    low: float
    high: float


def _share(met: int, due: int) -> Share:
    low, high = wilson_interval(met, due)
    return Share(int(met), int(due), float(percent(met, due)), float(100 * low), float(100 * high))


def target_counts(stage: pd.DataFrame, target_days: int, by: str | None = None) -> pd.DataFrame:
    """Complaints due and done within ``target_days`` working days, per group of ``by``.

    A complaint is due once it is done, or once it has waited longer than the target; it meets
    the target when done within it. Returns columns ``met, due`` indexed by ``by`` (one row,
    index 0, without it). ``stage``: output of :func:`ptx.timing.stage_counts`.
    """
    on_time = stage["working_days"] <= target_days
    keys = stage[by] if by else pd.Series(0, index=stage.index)
    met = stage["done"].where(on_time, 0).groupby(keys).sum()
    due = (stage["done"] + stage["pending"].where(~on_time, 0)).groupby(keys).sum()
    return pd.DataFrame({"met": met, "due": due})


def within_target(stage: pd.DataFrame, target_days: int) -> Share:
    """Share of due complaints done within ``target_days`` working days.

    ``stage``: output of :func:`ptx.timing.stage_counts` (any grouping; it is summed).
    """
    counts = target_counts(stage, target_days).sum()
    return _share(counts["met"], counts["due"])


def within_backstop(stage: pd.DataFrame) -> Share:
    """Share of due complaints resolved within the backstop (six calendar months)."""
    inside = stage["beyond_backstop"] == 0
    met = stage.loc[inside, "done"].sum()
    due = stage["done"].sum() + stage.loc[~inside, "pending"].sum()
    return _share(met, due)


def ageing(stage: pd.DataFrame) -> pd.DataFrame:
    """Open complaints by working days open: columns ``bucket, open`` (they add up to the
    open count)."""
    rows = []
    for low, high in AGE_BUCKETS:
        days = stage["working_days"]
        inside = (days >= low) & (days <= high if high is not None else True)
        label = f"{low}-{high}" if high is not None else f"over {low - 1}"
        rows.append((label, int(stage.loc[inside, "pending"].sum())))
    return pd.DataFrame(rows, columns=["bucket", "open"])


def backlog(received: pd.DataFrame, resolved: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Open complaints at each month end (or ``as_of`` for its month).

    ``received``: complaints received per ``month``; ``resolved``: resolved per ``month``, both
    over the whole history so that the running difference is the open count. Returns columns
    ``month, month_end, received, resolved, open``.
    """
    seen = set(received["month"]) | set(resolved["month"])
    if not seen:
        return pd.DataFrame(columns=["month", "month_end", "received", "resolved", "open"])
    # Every month from the first to the as-of date's: a month with nothing received or resolved
    # still ends with complaints open.
    span = pd.date_range(min(seen), max(max(seen), as_of.replace(day=1)), freq="MS").date
    months = pd.Index(span, name="month")
    got = received.set_index("month")["received"].reindex(months, fill_value=0)
    done = resolved.set_index("month")["resolved"].reindex(months, fill_value=0)
    out = pd.DataFrame({"received": got, "resolved": done}).reset_index()
    out["open"] = (out["received"].cumsum() - out["resolved"].cumsum()).astype("int64")
    ends = (pd.to_datetime(out["month"]) + pd.offsets.MonthEnd(0)).dt.date
    out.insert(1, "month_end", [min(e, as_of) for e in ends])
    return out


def mix(counts: pd.DataFrame, column: str, order: tuple[str, ...] = ()) -> pd.DataFrame:
    """Shares of a category (outcome, subject, severity) among the rows of ``counts``
    (``complaint_counts`` grouped by ``column``, and by others, which are summed over): columns
    ``group, complaints, pct``."""
    frame = counts[[column, "received"]].rename(columns={column: "group", "received": "complaints"})
    frame = frame.assign(group=frame["group"].fillna("not recorded"))
    frame = frame.groupby("group", as_index=False)["complaints"].sum()
    frame["pct"] = percent(frame["complaints"], frame["complaints"].sum())
    if order:
        rank = {g: i for i, g in enumerate(order)}
        frame = frame.sort_values("group", key=lambda s: s.map(lambda g: rank.get(g, len(rank))))
    else:
        frame = frame.sort_values("complaints", ascending=False)
    return frame.reset_index(drop=True)


def resolution_summary(stage: pd.DataFrame, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Kaplan-Meier median and 90th percentile (with 95% intervals) beside the naive median of
    resolved complaints, per group; see :func:`ptx.survival.summary`."""
    grouped = stage.groupby([*by, "working_days"], as_index=False, dropna=False)[
        ["done", "pending"]
    ].sum()
    return survival.summary(grouped, by)


def why_medians_differ(row: pd.Series, count: Callable[[float], str] = "{:,.0f}".format) -> str:
    """One sentence on the censored and naive medians; ``count`` writes a count (so that a
    small-number rule can hide it)."""
    if np.isnan(row["median"]):
        return (
            f"Fewer than half of the {count(row['complaints'])} complaints are resolved yet, so "
            "the median time to resolve cannot be estimated; the naive median of resolved ones "
            "would only describe the quick ones."
        )
    if row["open"] == 0:
        return "Every complaint here is resolved, so both medians agree."
    gap = row["median"] - row["naive_median"]
    return (
        f"The median of {row['median']:.0f} working days counts the {count(row['open'])} "
        "complaints "
        f"still open (they have taken at least their age so far); the median of resolved "
        f"complaints alone, {row['naive_median']:.0f}, leaves them out and so "
        + ("understates the time to resolve." if gap > 0 else "happens to agree here.")
    )

"""Which aggregate statements serve which inputs of the measure catalog.

A catalog measure names the count frames it is computed from (``Measure.inputs``);
:func:`fetch` runs one statement per input needed, all with the same filters and grouping, and
nothing else. Complaints received come from the resolution stage when that is fetched anyway
(every complaint is resolved or still pending), saving a statement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from functools import partial

import pandas as pd

from ptx import query, timing
from ptx.query import Filters, previous_window
from ptx.sources import Source

PARALLEL_STATEMENTS = 3  # at most this many of a call's statements at once (2 cores here)


def _activity(source: Source, filters: Filters, by: Sequence[str]) -> pd.DataFrame:
    """Episodes per group; with "period" in ``by``, the months overlapping each window count
    for it (a month split by the windows counts for both, as the definition says)."""
    if "period" not in by:
        return query.activity_totals(source, filters, by)
    rest = [b for b in by if b != "period"]
    months = query.activity_totals(source, filters, [*dict.fromkeys([*rest, "month"])])
    windows = {"current": (filters.current_from or filters.start, filters.end)}
    if filters.current_from is not None:
        windows["previous"] = previous_window(filters.current_from, filters.end)
    parts = []
    for name, (start, end) in windows.items():
        inside = (months["month"] >= start.replace(day=1)) & (months["month"] <= end)
        parts.append(months[inside].assign(period=name))
    out = pd.concat(parts, ignore_index=True)
    if "month" not in rest:
        out = out.groupby(["period", *rest], as_index=False, dropna=False)["episodes"].sum()
    return out


def fetch(
    source: Source,
    inputs: Iterable[str],
    filters: Filters,
    as_of: date,
    by: Sequence[str] = (),
    by_input: dict[str, Sequence[str]] | None = None,
) -> dict[str, pd.DataFrame]:
    """The count frames named in ``inputs``, each grouped by ``by`` (or by ``by_input[name]``
    for the feedback counts or a complaint stage, when given).

    ``open`` is every complaint received by ``as_of`` still open then, whatever the dates
    (grouped by ``by`` less "period" and the date groupings).
    """
    inputs = set(inputs)
    by_input = by_input or {}
    static = [b for b in by if b not in ("period", "day", "month")]
    statements: dict[str, Callable[[], pd.DataFrame]] = {}
    if "feedback" in inputs:
        grouping = by_input.get("feedback", by)
        statements["feedback"] = partial(query.feedback_counts, source, filters, grouping)
    if "answers" in inputs:
        statements["answers"] = partial(query.answer_counts, source, filters, by)
    for stage in timing.STAGES:
        if stage in inputs:
            grouping = by_input.get(stage, by)
            statements[stage] = partial(
                timing.stage_counts, source, filters, as_of, stage, grouping
            )
    if "complaints" in inputs and "resolved" not in statements:
        statements["complaints"] = partial(query.complaint_counts, source, filters, as_of, by)
    if "activity" in inputs:
        statements["activity"] = partial(_activity, source, filters, by)
    if "open" in inputs:
        history = filters.between(None, as_of)
        statements["open"] = partial(query.complaint_counts, source, history, as_of, static)
    if len(statements) < 2:
        return {name: run() for name, run in statements.items()}
    # The statements are independent: the database runs them side by side, each on its own
    # pooled connection (the engine waits in C, so the threads do not hold each other up).
    workers = min(len(statements), PARALLEL_STATEMENTS)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ptx-fetch") as pool:
        futures = {name: pool.submit(run) for name, run in statements.items()}
        return {name: future.result() for name, future in futures.items()}

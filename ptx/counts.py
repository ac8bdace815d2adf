"""Which aggregate statements serve which inputs of the measure catalog, and what a source
must hold for each.

A catalog measure names the count frames it is computed from (``Measure.inputs``);
:func:`fetch` runs one statement per input needed, all with the same filters and grouping, and
nothing else. Complaints received come from the resolution stage when that is fetched anyway
(every complaint is resolved or still pending), saving a statement.

An input needs a model table with rows, and the FFT response rate's an eligible count too;
:func:`missing` says, in a sentence for the reader, why a source cannot give a measure's inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, timedelta
from functools import partial

import pandas as pd

from ptx import query, timing
from ptx.catalog import Measure
from ptx.query import Filters, previous_window
from ptx.sources import Source

PARALLEL_STATEMENTS = 3  # at most this many of a call's statements at once (2 cores here)

NO_COMPLAINTS = "No complaints data in this source."
NO_ACTIVITY = "No activity data in this source: rates per 1,000 episodes need it."
NO_ELIGIBLE = "No eligible-patient counts in this source: the FFT response rate needs them."
NO_ANSWERS = "No question-level answers in this source."
NO_FEEDBACK = "No feedback in this source."
# input -> (the model table it is counted from, a column that must have values, or None, and
# what a source without them is told)
NEEDS: dict[str, tuple[str, str | None, str]] = {
    "feedback": ("feedback", None, NO_FEEDBACK),
    "answers": ("feedback_answers", None, NO_ANSWERS),
    "complaints": ("complaints", None, NO_COMPLAINTS),
    "acknowledged": ("complaints", None, NO_COMPLAINTS),
    "resolved": ("complaints", None, NO_COMPLAINTS),
    "open": ("complaints", None, NO_COMPLAINTS),
    "activity": ("activity", None, NO_ACTIVITY),
    "eligible": ("activity", "eligible", NO_ELIGIBLE),
    "eligible_responses": ("activity", "eligible", NO_ELIGIBLE),
}
# What a model table's absence is called (the Complaints page says it and nothing else).
NO_TABLE = {
    "complaints": NO_COMPLAINTS,
    "activity": NO_ACTIVITY,
    "feedback_answers": NO_ANSWERS,
    "feedback": NO_FEEDBACK,
}


def missing(source: Source, measure: Measure | Iterable[str]) -> str | None:
    """Why the source cannot give a measure (or these inputs), as a sentence; None if it can.

    An input is missing when its model table is absent or empty (see ``Source.absent``), or a
    column it needs has no value in any row (the FFT eligible counts)."""
    inputs = measure.inputs if isinstance(measure, Measure) else tuple(measure)
    for name in inputs:
        table, column, sentence = NEEDS[name]
        if table in source.absent or (column and not source.filled(table, column)):
            return sentence
    return None


def _activity(source: Source, filters: Filters, by: Sequence[str]) -> pd.DataFrame:
    """Episodes and eligible patients per group; with "period" in ``by``, the months
    overlapping each window count for it (a month split by the windows counts for both, as the
    definition says)."""
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
        totals = ["episodes", "eligible"]
        out = out.groupby(["period", *rest], as_index=False, dropna=False)[totals].sum()
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
    (grouped by ``by`` less "period" and the date groupings). ``activity`` and ``eligible``
    are one statement's frame (episodes and eligible patients).
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
    if inputs & {"eligible", "eligible_responses"}:
        # The response rate counts whole months on both sides: eligible patients are counted
        # per month, so the responses must be too.
        months = whole_months(filters)
        statements["eligible_responses"] = partial(
            query.eligible_feedback_counts, source, months, by
        )
        statements["eligible"] = partial(_activity, source, months, by)
    # Over whole months the episodes are the eligible counts' statement: asked once.
    same_activity = "eligible" in statements and whole_months(filters) == filters
    if "activity" in inputs and not same_activity:
        statements["activity"] = partial(_activity, source, filters, by)
    if "open" in inputs:
        history = filters.between(None, as_of)
        statements["open"] = partial(query.complaint_counts, source, history, as_of, static)
    if len(statements) < 2:
        frames = {name: run() for name, run in statements.items()}
    else:
        # The statements are independent: the database runs them side by side, each on its own
        # pooled connection (the engine waits in C, so the threads do not hold each other up).
        workers = min(len(statements), PARALLEL_STATEMENTS)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ptx-fetch") as pool:
            futures = {name: pool.submit(run) for name, run in statements.items()}
            frames = {name: future.result() for name, future in futures.items()}
    if "activity" in inputs and same_activity:
        frames["activity"] = frames["eligible"]
    return frames


def whole_months(filters: Filters) -> Filters:
    """The filters with their dates narrowed to the whole calendar months inside them.

    A rate whose denominator is counted per month (patients eligible for the FFT) is only
    right over whole months: a window from 16 March to 15 March would count 12 months of
    responses against 13 months of eligible patients. The current window keeps its whole
    months; the previous one (with ``current_from``) is as many days before, from the first of
    the month it starts in. A window without a whole month is kept as it is.
    """
    if filters.start is None or filters.end is None:
        return filters
    current = filters.current_from or filters.start
    first = current if current.day == 1 else _next_month(current)
    last = _next_month(filters.end) - timedelta(days=1)
    if last != filters.end:
        last = filters.end.replace(day=1) - timedelta(days=1)
    if first > last:
        return filters
    if filters.current_from is None:
        return replace(filters, start=first, end=last)
    before, _ = previous_window(first, last)
    return replace(filters, start=before.replace(day=1), end=last, current_from=first)


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)

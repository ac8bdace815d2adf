"""Departments compared fairly: a funnel and ranking per measure, and the heatmap."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd

from ptx import charts, compare, counts, departments
from ptx.api._common import bounds, dates, department_names, readable, rule_for
from ptx.catalog import Measure, measure
from ptx.disclosure import Disclosure, Roles, apply, as_table
from ptx.errors import PtxError
from ptx.query import Filters
from ptx.sources import Source


@dataclass(frozen=True)
class Comparison:
    """Departments compared on one measure: a funnel plot and a ranking with intervals."""

    measure: Measure
    funnel: compare.Funnel | None
    ranking: pd.DataFrame  # departments.ranking columns, and events: what the rule judges
    names: dict[str, str] = field(repr=False, default_factory=dict)
    rule: Disclosure = Disclosure()
    hidden: int = 0  # departments whose point the small-number rule hides
    unavailable: str | None = None  # why there is nothing to compare: the source lacks the data
    selected: str | None = None  # the department the filters chose: highlighted among the rest

    @property
    def suppressed(self) -> int:
        return self.hidden

    @property
    def organisation(self) -> float:
        """The organisation's value on the measure's display scale."""
        return np.nan if self.funnel is None else self.funnel.target * self.measure.scale

    @property
    def method(self) -> str:
        if self.funnel is None:
            return self.unavailable or "no data"
        ranked = (
            "Estimates shrunk towards the organisation's value (empirical-Bayes beta-binomial) "
            "with 95% posterior intervals."
            if self.measure.kind == "proportion"
            else "Estimates with 95% intervals (exact Poisson for rates, normal for means)."
        )
        return (
            f"Funnel plot (Spiegelhalter 2005) with 95% and 99.8% limits on the "
            f"{self.funnel.kind} scale; {self.funnel.method}. {ranked}"
        )

    @property
    def ROLES(self) -> Roles:  # noqa: N802 - the same name as the other results' roles
        return _comparison_roles(self.measure, ("value", "estimate", "low", "high"))

    def to_frame(self) -> pd.DataFrame:
        return apply(self.ranking, self.ROLES, self.rule)

    def table(self, *, export: bool = False) -> pd.DataFrame:
        shown = as_table(self.ranking, self.ROLES, self.rule, export=export)
        return readable(
            shown,
            {
                "rank": "Rank",
                "department": "Department",
                "n": "n",
                "value": self.measure.label,
                "estimate": "Estimate",
                "low": "95% low",
                "high": "95% high",
                "verdict": "Funnel verdict",
            },
            decimals={"rank": 0},
        )

    def figure(self):
        if self.funnel is None:
            return None
        key = self.measure.key
        table = self.funnel.table
        table = table[~self.rule.too_few(_events(self.measure, table["n"], table["value"]))]
        shown = replace(self.funnel, table=table.reset_index(drop=True))
        return charts.funnel_plot(
            shown,
            names=self.names,
            scores=departments.scores(shown, key),
            title=f"{self.measure.label}: funnel plot",
            x_title="size (n, log scale)",
            y_title=self.measure.label,
            scale=self.measure.scale,
            selected=self.selected,
            bounds=bounds(self.measure),
        )


def _scope(filters: Filters) -> Filters:
    """Every department in the chosen site or division: a comparison ignores the department."""
    return replace(filters, departments=())


def compare_departments(
    source: Source,
    measure_key: str,
    filters: Filters = Filters(),
    *,
    adjust: bool = True,
    rule: Disclosure = Disclosure(),
    as_of: date | None = None,
) -> Comparison:
    """Every department in the filters' site or division compared on one measure. Where the
    source has no data for the measure, no funnel, and ``unavailable`` says why.

    Under a restricted access (``filters.access``), only the departments it allows are
    compared, against the organisation they make up."""
    m = measure(measure_key)
    rule = rule_for(rule, filters)
    selected = filters.departments[0] if len(filters.departments) == 1 else None
    if not m.applies("funnel"):
        raise PtxError(
            f"{m.label} is not compared across departments; "
            f"choose one of {', '.join(departments.comparisons())}."
        )
    missing = counts.missing(source, m)
    if missing:
        names = department_names(source, filters.access)
        return Comparison(m, None, pd.DataFrame(), names, rule, 0, missing, selected)
    filters, end_of_data = dates(source, _scope(filters), whole_history=False, as_of=as_of)
    frames = counts.fetch(source, m.inputs, filters, end_of_data, ("department_id",))
    inputs, ltr_sd = departments.measure_inputs(frames, source.config.complaints, [m.key])
    funnels = departments.funnels(inputs, ltr_sd, adjust=adjust)
    names = department_names(source, filters.access)
    if m.key not in funnels:
        return Comparison(m, None, pd.DataFrame(), names, rule, selected=selected)
    funnel = funnels[m.key]
    ranking = departments.ranking(inputs, m.key, funnel, ltr_sd, names)
    events = inputs[inputs["measure"] == m.key].set_index("group")["x"]
    ranking = ranking.assign(events=ranking["department_id"].map(events))
    hidden = int(rule.too_few(_events(m, funnel.table["n"], funnel.table["value"])).sum())
    ranking = ranking.drop(columns=["department_id"])
    return Comparison(m, funnel, ranking, names, rule, hidden, selected=selected)


def _events(m: Measure, n: pd.Series, value: pd.Series) -> pd.Series:
    """What the small-number rule judges a department's value on: its responses or complaints
    due (n); for a rate per episode its complaints (value x episodes), not its episodes; for a
    response rate its responses (value x eligible patients)."""
    return (n * value).round() if m.judged_on_events else n


def _comparison_roles(m: Measure, rates: tuple[str, ...]) -> Roles:
    if m.judged_on_events:  # n counts episodes or eligible patients: the events decide
        return Roles(counts=("n", "events"), rates=rates, n="events")
    return Roles(counts=("n",), rates=rates, n="n")


@dataclass(frozen=True)
class Heatmap:
    """Every department against every comparison measure: the funnel verdict, oriented."""

    cells: pd.DataFrame  # departments.heatmap_frame: value and score hidden where too few
    rule: Disclosure
    method: str = "funnel verdict per measure (95% and 99.8% limits), blue better, orange worse"
    notes: tuple[str, ...] = ()  # what the source lacks: the measures left out, in sentences

    ROLES = Roles(counts=("n",), rates=("value",), n="events")

    @property
    def suppressed(self) -> int:
        return int(self.cells["score"].isna().sum())

    def to_frame(self) -> pd.DataFrame:
        return apply(self.cells, self.ROLES, self.rule)

    def table(self, *, export: bool = False) -> pd.DataFrame:
        return readable(
            as_table(self.cells, self.ROLES, self.rule, export=export),
            {
                "department": "Department",
                "label": "Measure",
                "value": "Value",
                "n": "n",
                "verdict": "Funnel verdict",
            },
        )

    def figure(self):
        return charts.verdict_heatmap(self.cells, title="Funnel verdict by department and measure")


def department_heatmap(
    source: Source,
    filters: Filters = Filters(),
    *,
    adjust: bool = True,
    rule: Disclosure = Disclosure(),
    as_of: date | None = None,
) -> Heatmap:
    """Every department in scope on every comparison measure the source has the data for at
    once; ``notes`` says what it lacks for the others (only the departments the access
    allows)."""
    rule = rule_for(rule, filters)
    filters, end_of_data = dates(source, _scope(filters), whole_history=False, as_of=as_of)
    missing = {k: counts.missing(source, m) for k, m in departments.comparisons().items()}
    shown = {k: m for k, m in departments.comparisons().items() if not missing[k]}
    inputs_needed = {i for m in shown.values() for i in m.inputs}
    frames = counts.fetch(source, inputs_needed, filters, end_of_data, ("department_id",))
    inputs, ltr_sd = departments.measure_inputs(frames, source.config.complaints, list(shown))
    results = departments.funnels(inputs, ltr_sd, adjust=adjust)
    cells = departments.heatmap_frame(results, department_names(source, filters.access))
    on_events = cells["key"].map(lambda k: shown[k].judged_on_events).astype(bool).to_numpy()
    scale = cells["key"].map(lambda k: shown[k].scale).astype("float64")
    events = np.where(on_events, (cells["n"] * cells["value"] / scale).round(), cells["n"])
    cells = cells.assign(events=events)
    small = rule.too_few(cells["events"])
    cells = cells.assign(score=cells["score"].mask(small), value=cells["value"].mask(small))
    notes = tuple(dict.fromkeys(why for why in missing.values() if why))
    return Heatmap(cells, rule, notes=notes)

"""The measure catalog: every measure ptx shows, defined once.

A :class:`Measure` says what it is called, its unit, which direction is better, what it is
computed from, where it applies (tiles, SPC trends, breakdowns, the department funnel and
heatmap), its small-number rule and the published definition it follows. Tiles, trends,
funnels, the heatmap, ``ptx kpis`` and every export read this catalog; the arithmetic for each
measure lives in :func:`ptx.measures.evaluate`.

Survey questions (``feedback_answers``) add two measures each, a top-box percentage and a mean
answer, named ``top_box:<question_id>`` and ``mean_answer:<question_id>``
(:func:`question_measures`).
"""

from __future__ import annotations

import difflib
import html
from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType

from ptx.benchmarks.model import LOWER_IS_BETTER, PERCENT_CATEGORIES
from ptx.disclosure import Roles
from ptx.errors import PtxError

# Which way is better. One vocabulary for the catalog, the SPC engine and the comparisons.
DIRECTIONS = ("higher", "lower", "neither")
# Where a measure can be shown.
VIEWS = ("tile", "trend", "breakdown", "funnel")
# How a measure is built from its numerator and denominator.
KINDS = ("count", "proportion", "score", "mean", "rate", "time")
# The count frames a measure is computed from (see ptx.counts.fetch, which also says what a
# source without one of them is told).
INPUTS = (
    "feedback",
    "answers",
    "complaints",
    "activity",
    "acknowledged",
    "resolved",
    "open",
    "eligible",  # FFT-eligible patients per department-month (activity.eligible)
    "eligible_responses",  # feedback in the department-months with an eligible count
    # Rows of benchmark_results: a result someone published for a whole unit (a hospital, a
    # trust), never a response. A measure on them reads nothing else (see published_measure).
    "published",
)
FEEDBACK_INPUTS = frozenset({"feedback", "answers", "eligible", "eligible_responses"})
FEEDBACK_PERIODS = ("week", "month", "quarter")
MONTHLY_PERIODS = ("month", "quarter")  # measures whose denominator is counted by month
COMPLAINT_PERIODS = MONTHLY_PERIODS

NHS_FFT = "NHS England, Friends and Family Test guidance (2019)"
WILSON = "95% Wilson score interval"
COMPLAINTS_REGS = "Local Authority Social Services and NHS Complaints (England) Regulations 2009"


@dataclass(frozen=True)
class Measure:
    """One measure.

    ``kind`` decides the arithmetic and the small-number rule: counts are hidden at 1-7;
    proportions, scores, means and times have no value below the minimum n (their
    ``denominator``); a rate per 1,000 episodes has none below the minimum number of events.
    A proportion of people who did something (a response rate) is judged on them, its
    ``numerator``, as ``small_n`` says.
    """

    key: str
    label: str
    short: str  # a column heading (the heatmap's), <br> for a line break
    unit: str  # "%", "score", "count", "per 1,000", "days" or "mean"
    direction: str  # DIRECTIONS: which way is better
    kind: str  # KINDS
    inputs: tuple[str, ...]  # INPUTS it is computed from
    views: frozenset[str]
    definition: str
    method: str  # the published method and interval it follows
    periods: tuple[str, ...] = FEEDBACK_PERIODS
    question: str | None = None  # for survey-question measures
    # The arithmetic (see ptx.measures.FORMULAS); by default the one named like the key. A
    # measure that reuses a formula on other inputs or with another label names it here.
    formula: str = ""
    # The column the small-number rule judges a value on: "" for the kind's own (above).
    small_n: str = ""

    def __post_init__(self) -> None:
        if not self.formula:
            object.__setattr__(self, "formula", self.key.partition(":")[0])
        if self.direction not in DIRECTIONS:
            raise PtxError(f"{self.key}: direction must be one of {DIRECTIONS}.")
        if self.kind not in KINDS or not set(self.views) <= set(VIEWS):
            raise PtxError(f"{self.key}: unknown kind or view.")
        if not set(self.inputs) <= set(INPUTS):
            raise PtxError(f"{self.key}: unknown input in {self.inputs}.")
        if "published" in self.inputs and len(self.inputs) > 1:
            raise PtxError(
                f"{self.key}: published results are a measure of their own, never combined "
                "with responses or complaints: no feedback measure is computed from them."
            )
        if self.small_n not in ("", "numerator", "denominator"):
            raise PtxError(f"{self.key}: small_n must be numerator or denominator.")

    @property
    def proportion(self) -> bool:
        """A numerator out of a denominator: Wilson intervals and a p-chart apply."""
        return self.kind == "proportion"

    @property
    def scale(self) -> float:
        """Display multiplier from the 0-1 (or per-episode) scale the funnel works on."""
        return {"proportion": 100.0, "rate": 1000.0}.get(self.kind, 1.0)

    @property
    def roles(self) -> Roles:
        """The small-number rule on a frame of this measure's values (see ptx.measures)."""
        if self.kind == "count":
            return Roles(counts=("value", "numerator", "denominator"))
        if self.kind == "rate":
            return Roles(counts=("numerator",), rates=("value", "low", "high"), n="numerator")
        counts = ("numerator", "denominator") if self.kind == "proportion" else ("denominator",)
        return Roles(counts=counts, rates=("value", "low", "high"), n=self.small_n or "denominator")

    @property
    def judged_on_events(self) -> bool:
        """Whether the rule judges the value on its numerator (complaints, responses), not on
        its denominator (episodes, eligible patients)."""
        return self.roles.n == "numerator"

    @property
    def subject(self) -> str:
        """ "feedback", "complaints" or "published": what the measure is about."""
        if self.inputs == ("published",):
            return "published"
        return "feedback" if set(self.inputs) <= FEEDBACK_INPUTS else "complaints"

    def applies(self, view: str) -> bool:
        return view in self.views


def _m(*args, **kwargs) -> Measure:
    return Measure(*args, **kwargs)


_FIXED = (
    _m(
        "responses",
        "Feedback responses",
        "Responses",
        "count",
        "neither",
        "count",
        ("feedback",),
        frozenset({"tile", "trend"}),
        "feedback responses received, rated or not",
        "count of responses",
    ),
    _m(
        "fft_pct_positive",
        "FFT % positive",
        "FFT<br>% positive",
        "%",
        "higher",
        "proportion",
        ("feedback",),
        frozenset({"tile", "trend", "breakdown", "funnel"}),
        "(very good + good) / all FFT responses, don't know included",
        f"{NHS_FFT}; {WILSON}",
    ),
    _m(
        "fft_pct_negative",
        "FFT % negative",
        "FFT<br>% negative",
        "%",
        "lower",
        "proportion",
        ("feedback",),
        frozenset({"tile", "trend", "breakdown", "funnel"}),
        "(poor + very poor) / all FFT responses, don't know included",
        f"{NHS_FFT}; {WILSON}",
    ),
    _m(
        "nps",
        "Net Promoter Score",
        "NPS",
        "score",
        "higher",
        "score",
        ("feedback",),
        frozenset({"tile", "trend", "breakdown"}),
        "% promoters (9-10) - % detractors (0-6) of 0-10 likelihood-to-recommend answers",
        "Reichheld (2003), Net Promoter Score",
    ),
    _m(
        "fft_response_rate",
        "FFT response rate",
        "FFT<br>response rate",
        "%",
        "higher",
        "proportion",
        ("eligible", "eligible_responses"),
        frozenset({"tile", "trend", "funnel"}),
        "FFT responses / patients eligible to respond, over the whole months of the dates "
        "chosen and the department-months that have an eligible count",
        f"{NHS_FFT}: response rate = FFT responses / patients eligible to respond, the figure "
        "NHS England publishes beside % positive in its FFT data for inpatients and A&E; "
        f"{WILSON}",
        MONTHLY_PERIODS,
        small_n="numerator",
    ),
    _m(
        "ltr_mean",
        "Mean likelihood to recommend (0-10)",
        "Recommend<br>mean 0-10",
        "mean",
        "higher",
        "mean",
        ("feedback",),
        frozenset({"funnel"}),
        "mean of 0-10 likelihood-to-recommend answers",
        "mean with a normal interval from the pooled within-department standard deviation",
    ),
    _m(
        "complaints_received",
        "Complaints received",
        "Complaints<br>received",
        "count",
        "lower",
        "count",
        ("complaints",),
        frozenset({"tile", "trend"}),
        "complaints received in the dates (by received date)",
        "count of complaints",
        COMPLAINT_PERIODS,
    ),
    _m(
        "complaints_per_1000",
        "Complaints per 1,000 episodes",
        "Complaints<br>per 1,000",
        "per 1,000",
        "lower",
        "rate",
        ("complaints", "activity"),
        frozenset({"tile", "trend", "funnel"}),
        "complaints received / patient episodes in the months overlapping the dates x 1,000",
        "rate per 1,000 episodes; exact Poisson interval in rankings",
        COMPLAINT_PERIODS,
    ),
    _m(
        "complaints_open",
        "Complaints open at as-of date",
        "Open",
        "count",
        "lower",
        "count",
        ("open",),
        frozenset({"tile"}),
        "received on or before the as-of date and not resolved by it",
        "count of complaints",
        COMPLAINT_PERIODS,
    ),
    _m(
        "complaints_ack_pct",
        "% acknowledged in time",
        "Acknowledged<br>in time",
        "%",
        "higher",
        "proportion",
        ("acknowledged",),
        frozenset({"tile", "trend", "funnel"}),
        "acknowledged within the target in working days, of the complaints due "
        "(done, or pending past the target)",
        f"{COMPLAINTS_REGS}, reg. 13 (3 working days); {WILSON}",
        COMPLAINT_PERIODS,
    ),
    _m(
        "complaints_resolved_pct",
        "% resolved in target",
        "Resolved<br>in target",
        "%",
        "higher",
        "proportion",
        ("resolved",),
        frozenset({"tile", "trend", "funnel"}),
        "resolved within the organisation's target in working days, of the complaints due "
        "(done, or pending past the target)",
        f"the organisation's target (25 working days by default); {WILSON}",
        COMPLAINT_PERIODS,
    ),
    _m(
        "complaints_median_days",
        "Median working days to resolve",
        "Median days<br>to resolve",
        "days",
        "lower",
        "time",
        ("resolved",),
        frozenset({"tile"}),
        "Kaplan-Meier median of working days from receipt to resolution, open complaints "
        "censored at their age",
        "Kaplan-Meier with a Brookmeyer-Crowley 95% interval (cloglog, Greenwood)",
        COMPLAINT_PERIODS,
    ),
)
CATALOG: MappingProxyType[str, Measure] = MappingProxyType({m.key: m for m in _FIXED})

ANSWER_MEASURES = ("top_box", "mean_answer")


def question_measures(questions: Iterable[str]) -> dict[str, Measure]:
    """A top-box % and a mean answer for each survey question."""
    out: dict[str, Measure] = {}
    for question in sorted(set(questions)):
        name = question.replace("_", " ")
        out[f"top_box:{question}"] = _m(
            f"top_box:{question}",
            f"Top box % · {name}",
            f"Top box<br>{html.escape(name)}",  # short labels are plotly HTML
            "%",
            "higher",
            "proportion",
            ("answers",),
            frozenset({"trend"}),
            "share giving the best answer ('Always', 'Yes', 9-10)",
            f"HCAHPS top-box convention; {WILSON}",
            question=question,
        )
        out[f"mean_answer:{question}"] = _m(
            f"mean_answer:{question}",
            f"Mean answer · {name}",
            f"Mean<br>{html.escape(name)}",
            "mean",
            "higher",
            "mean",
            ("answers",),
            frozenset({"trend"}),
            "mean answer value on the question's scale",
            "mean of answer values",
            question=question,
        )
    return out


PUBLISHED = "published"  # published:<measure id>:<answer category>
PUBLISHERS = {"FFT": "NHS England, Friends and Family Test data"}  # by measure id prefix
DEFAULT_PUBLISHER = "CMS HCAHPS (Care Compare)"


def publisher(measure_id: str) -> str:
    """Who publishes a published measure, from its id (FFT_... NHS England, else CMS)."""
    prefix = measure_id.partition("_")[0]
    return PUBLISHERS.get(prefix, DEFAULT_PUBLISHER)


def published_measure(measure_id: str, category: str, label: str = "") -> Measure:
    """A published result as a measure: ``published:<measure id>:<category>``, read from
    ``benchmark_results`` (see :func:`ptx.benchmarks.summary.published_results`), labelled as
    published, and in no view of the organisation's own measures."""
    percent = category in PERCENT_CATEGORIES
    name = label or measure_id
    return _m(
        f"{PUBLISHED}:{measure_id}:{category}",
        f"{name} · {category} (published)",
        f"Published<br>{html.escape(name)}",
        "%" if percent else "score",
        "lower" if category in LOWER_IS_BETTER else "higher",
        "proportion" if percent else "score",
        (PUBLISHED,),
        frozenset(),
        f"the {category} result of {measure_id} as its publisher released it for a whole unit",
        f"{publisher(measure_id)}; percentile rank among peers at the unit's level",
        (),
    )


def measures_for(view: str, questions: Iterable[str] = ()) -> dict[str, Measure]:
    """Every measure that applies to a view (tile, trend, breakdown, funnel), in catalog order."""
    if view not in VIEWS:
        raise PtxError(f"view must be one of {', '.join(VIEWS)}, not {view!r}.")
    every = {**CATALOG, **question_measures(questions)}
    return {k: m for k, m in every.items() if m.applies(view)}


def measure(key_or_label: str | Measure) -> Measure:
    """A measure by key (``fft_pct_positive``, ``top_box:Q``) or label (``FFT % positive``).

    Raises PtxError naming the close matches when there is none.
    """
    if isinstance(key_or_label, Measure):
        return key_or_label
    text = str(key_or_label)
    if text in CATALOG:
        return CATALOG[text]
    kind, _, question = text.partition(":")
    if kind == PUBLISHED and question.count(":") == 1:
        measure_id, _, category = question.partition(":")
        return published_measure(measure_id, category)
    if kind in ANSWER_MEASURES and question:
        return question_measures([question])[text]
    by_label = {m.label.casefold(): m for m in CATALOG.values()}
    if text.casefold() in by_label:
        return by_label[text.casefold()]
    names = [*CATALOG, *(m.label for m in CATALOG.values())]
    close = difflib.get_close_matches(text, names, n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise PtxError(
        f"Unknown measure {text!r}.{hint} Measures: {', '.join(CATALOG)}, and "
        "top_box:<question> / mean_answer:<question> for survey questions."
    )


def catalog_markdown() -> str:
    """The catalog as a Markdown table (``ptx measures`` prints it; the README holds it)."""
    lines = [
        "| measure | key | unit | better | shown as | definition |",
        "|---|---|---|---|---|---|",
    ]
    for m in [*CATALOG.values(), *question_measures(["<question>"]).values()]:
        shown = ", ".join(v for v in VIEWS if v in m.views)
        lines.append(
            f"| {m.label} | `{m.key}` | {m.unit} | {m.direction} | {shown} | {m.definition} |"
        )
    return "\n".join(lines)

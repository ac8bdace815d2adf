"""The ptx data model: the tables every source is mapped onto.

Departments are required (an import makes them from the other files when there is none); the
others are optional, and a source needs feedback, complaints or both, so that an export of survey
responses alone, or of complaints alone, is a source. A measure whose table a
source lacks is not shown there, and the dashboard says why (see :mod:`ptx.counts`).

The README's "Data model" section is generated from these specifications (``ptx schema``), so
the documentation and the validation rules cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

# NHS Friends and Family Test answer codes, as NHS England codes them in its returns
# (1 = very good ... 5 = very poor, 6 = don't know).
FFT_VERY_GOOD, FFT_GOOD, FFT_NEITHER, FFT_POOR, FFT_VERY_POOR, FFT_DONT_KNOW = 1, 2, 3, 4, 5, 6
FFT_LABELS = {
    FFT_VERY_GOOD: "Very good",
    FFT_GOOD: "Good",
    FFT_NEITHER: "Neither good nor poor",
    FFT_POOR: "Poor",
    FFT_VERY_POOR: "Very poor",
    FFT_DONT_KNOW: "Don't know",
}

# Rating scales a feedback row may carry, with the whole-number values each admits.
RATING_SCALES: dict[str, tuple[int, int]] = {
    "fft5": (1, 6),  # FFT 5-point scale plus 6 = don't know
    "ltr11": (0, 10),  # 0-10 likelihood to recommend (NPS)
}

# Question-level answer scales (HCAHPS-style). The best answer is the highest value.
ANSWER_SCALES: dict[str, tuple[int, int]] = {
    "never_always4": (1, 4),  # 1 Never, 2 Sometimes, 3 Usually, 4 Always
    "yes_no2": (1, 2),  # 1 No, 2 Yes
    "rating0_10": (0, 10),
    "agree5": (1, 5),  # 1 Strongly disagree ... 5 Strongly agree (Likert)
}

FEEDBACK_CHANNELS = (
    "FFT card",
    "FFT SMS",
    "Online survey",
    "Inpatient survey",
    "Suggestion box",
    "Online review",
    "Direct",
)

# NHS Digital KO41a "Data on Written Complaints in the NHS": subject areas of complaints.
KO41A_SUBJECTS = (
    "Access to treatment or drugs",
    "Admissions and discharges",
    "Appointments",
    "Clinical treatment",
    "Commissioning",
    "Communications",
    "Consent",
    "End of life care",
    "Facilities",
    "Integrated care",
    "Mortuary",
    "Patient care",
    "Prescribing",
    "Privacy, dignity and wellbeing",
    "Restraint",
    "Staff numbers",
    "Transport",
    "Trust administration",
    "Values and behaviours",
    "Waiting times",
    "Other",
)

COMPLAINT_OUTCOMES = ("upheld", "partially upheld", "not upheld", "withdrawn")
COMPLAINT_SEVERITIES = ("low", "moderate", "high", "extreme")
COMPLAINT_CHANNELS = ("letter", "email", "telephone", "in person", "online form")


@dataclass(frozen=True)
class Column:
    """One column of the model: name, logical type, whether required, and its meaning."""

    name: str
    type: str  # "string", "date", "integer" or "boolean"
    required: bool
    description: str
    allowed: tuple[str, ...] | None = None  # closed vocabulary, where the model has one


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required: bool = True

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


DEPARTMENTS = Table(
    "departments",
    "The organisation's hierarchy: site > division > department (> optional unit).",
    (
        Column("department_id", "string", True, "Stable identifier of the department."),
        Column("department_name", "string", True, "Name shown in the dashboard."),
        Column(
            "division",
            "string",
            False,
            "Clinical division the department belongs to; where empty or absent, one division "
            'for all ("All divisions", or [hierarchy] division in ptx.toml).',
        ),
        Column(
            "site",
            "string",
            False,
            "Hospital site or location; where empty or absent, one site for all "
            '("All sites", or [hierarchy] site in ptx.toml).',
        ),
        Column("unit", "string", False, "Optional finer level (ward, clinic, team)."),
    ),
    key=("department_id",),
)

FEEDBACK = Table(
    "feedback",
    "One row per patient response (survey, FFT card or SMS, suggestion box, review...).",
    (
        Column("feedback_id", "string", True, "Identifier of the response."),
        Column("received_date", "date", True, "Date the response was given or received."),
        Column("department_id", "string", True, "Department the response is about."),
        Column(
            "channel",
            "string",
            True,
            "How the response arrived: " + ", ".join(FEEDBACK_CHANNELS) + " (any label is kept).",
        ),
        Column(
            "rating",
            "integer",
            False,
            "Overall rating, on the scale in rating_scale; empty where the channel has none.",
        ),
        Column(
            "rating_scale",
            "string",
            False,
            "fft5: NHS FFT (1 very good, 2 good, 3 neither, 4 poor, 5 very poor, 6 don't know); "
            "ltr11: 0-10 likelihood to recommend. Required when rating is given.",
            allowed=tuple(RATING_SCALES),
        ),
        Column("comment", "string", False, "Free-text comment, if any."),
        Column("age_band", "string", False, "Age band of the patient, e.g. 18-34."),
        Column("sex", "string", False, "Sex of the patient as recorded."),
        Column("ethnicity", "string", False, "Ethnic group as recorded (e.g. ONS 5 groups)."),
    ),
    key=("feedback_id",),
    required=False,
)

FEEDBACK_ANSWERS = Table(
    "feedback_answers",
    "Optional question-level answers belonging to a feedback response (HCAHPS-style).",
    (
        Column("feedback_id", "string", True, "The response the answer belongs to."),
        Column("question_id", "string", True, "Short code of the question."),
        Column("answer", "integer", True, "Answer value on answer_scale; higher is better."),
        Column(
            "answer_scale",
            "string",
            True,
            "never_always4 (1 Never ... 4 Always), yes_no2 (1 No, 2 Yes) or rating0_10.",
            allowed=tuple(ANSWER_SCALES),
        ),
    ),
    key=("feedback_id", "question_id"),
    required=False,
)

COMPLAINTS = Table(
    "complaints",
    "One row per complaint, open or closed. Without it (or with no rows), the dashboard shows "
    "feedback only and says there is no complaints data.",
    (
        Column("complaint_id", "string", True, "Identifier of the complaint."),
        Column("department_id", "string", True, "Department the complaint is about."),
        Column("received_date", "date", True, "Date the complaint was received."),
        Column("acknowledged_date", "date", False, "Date it was acknowledged; empty if not yet."),
        Column("resolved_date", "date", False, "Date it was closed; empty while open."),
        Column(
            "subject",
            "string",
            True,
            "Main subject; the NHS KO41a subject list is the default vocabulary.",
        ),
        Column(
            "severity",
            "string",
            False,
            "Severity: " + ", ".join(COMPLAINT_SEVERITIES) + ".",
            allowed=COMPLAINT_SEVERITIES,
        ),
        Column(
            "outcome",
            "string",
            False,
            "Outcome once closed: " + ", ".join(COMPLAINT_OUTCOMES) + ".",
            allowed=COMPLAINT_OUTCOMES,
        ),
        Column("reopened", "boolean", False, "True if the complaint was reopened after closure."),
        Column("channel", "string", False, "How it arrived, e.g. " + ", ".join(COMPLAINT_CHANNELS)),
    ),
    key=("complaint_id",),
    required=False,
)

ACTIVITY = Table(
    "activity",
    "Patient episodes per department per month: the denominator for rates per 1,000 episodes "
    "and for the FFT response rate.",
    (
        Column("department_id", "string", True, "Department."),
        Column("month", "date", True, "First day of the month counted."),
        Column(
            "episodes", "integer", True, "Patient episodes (attendances, admissions, contacts)."
        ),
        Column(
            "eligible",
            "integer",
            False,
            "Patients eligible to respond to the FFT in that department and month (the FFT "
            "response rate's denominator); empty where not counted.",
        ),
    ),
    key=("department_id", "month"),
    required=False,
)

TABLES: dict[str, Table] = {
    t.name: t for t in (DEPARTMENTS, FEEDBACK, FEEDBACK_ANSWERS, COMPLAINTS, ACTIVITY)
}


def schema_markdown() -> str:
    """Render the data model as Markdown tables (used for the README)."""
    # Published results (ptx.benchmarks) are a table of their own beside the model's: keyed by
    # published units, not departments, so outside TABLES and the loops over it.
    from ptx.benchmarks.model import BENCHMARK_RESULTS

    out: list[str] = []
    for table in (*TABLES.values(), BENCHMARK_RESULTS):
        need = "required" if table.required else "optional"
        out.append(f"### `{table.name}` ({need})\n\n{table.description}\n")
        out.append("| column | type | required | meaning |\n|---|---|---|---|")
        for col in table.columns:
            out.append(
                f"| `{col.name}` | {col.type} | {'yes' if col.required else 'no'} | "
                f"{col.description} |"
            )
        out.append("")
    return "\n".join(out)


# The SQL type of each model type, as ptx writes and reads it.
SQL_TYPES = {
    "string": sa.Text,
    "date": sa.Date,
    "integer": sa.BigInteger,
    "boolean": sa.Boolean,
}

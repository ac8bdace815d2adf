"""A deterministic, realistic demo source: three years of a two-site NHS trust.

What it plants, so that the dashboard has real signal to find:

- department sizes that differ by a factor of fifty (small departments test suppression);
- winter pressure: FFT % positive dips in December-February, most in urgent care;
- :data:`IMPROVING` gets better from the date of a dated improvement action;
- :data:`DETERIORATING` gets worse from a date on, and resolves complaints more slowly;
- complaints acknowledged and resolved in working days (England and Wales bank holidays), about
  5% still open at the as-of date, KO41a subjects, outcomes and reopenings;
- patients eligible for the FFT in the inpatient wards and urgent care (FFT response rates of
  about 15-30%), as NHS England's inpatient and A&E returns count them; clinics and day units
  count none;
- comments with recognisable themes whose tone follows the rating.

The same seed and size always give the same rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ptx.schema import KO41A_SUBJECTS
from ptx.store import Writer, is_spark
from ptx.workdays import WorkingCalendar

DEMO_START = date(2023, 10, 1)
DEMO_AS_OF = date(2026, 9, 30)
DEFAULT_ROWS = 150_000
CHUNK_ROWS = 1_000_000


@dataclass(frozen=True)
class PlantedChange:
    department_id: str
    since: date
    description: str


IMPROVING = PlantedChange(
    "RVH-MED-RESP", date(2025, 6, 2), "Respiratory ward: new discharge-lounge and ward-round action"
)
DETERIORATING = PlantedChange(
    "HVH-SUR-ORTH", date(2025, 3, 3), "Trauma & orthopaedics: staffing gaps after a ward closure"
)

# (department_id, name, division, site, relative size, logit offset of % positive)
DEPARTMENTS = [
    (
        "RVH-UEC-ED",
        "Emergency Department",
        "Urgent & Emergency Care",
        "Riverside Hospital",
        9.0,
        -1.2,
    ),
    (
        "RVH-UEC-AMU",
        "Acute Medical Unit",
        "Urgent & Emergency Care",
        "Riverside Hospital",
        4.0,
        -0.6,
    ),
    (
        "RVH-UEC-UTC",
        "Urgent Treatment Centre",
        "Urgent & Emergency Care",
        "Riverside Hospital",
        5.0,
        -0.5,
    ),
    (
        "RVH-UEC-SDEC",
        "Same Day Emergency Care",
        "Urgent & Emergency Care",
        "Riverside Hospital",
        2.0,
        -0.1,
    ),
    ("RVH-UEC-AMB", "Ambulatory Care", "Urgent & Emergency Care", "Riverside Hospital", 0.25, 0.4),
    ("RVH-MED-RESP", "Respiratory Ward", "Medicine", "Riverside Hospital", 2.5, -0.9),
    ("RVH-MED-CARD", "Cardiology", "Medicine", "Riverside Hospital", 3.0, 0.3),
    ("RVH-MED-GAST", "Gastroenterology", "Medicine", "Riverside Hospital", 2.0, 0.0),
    ("RVH-MED-ELD", "Elderly Care", "Medicine", "Riverside Hospital", 3.0, -0.3),
    ("RVH-MED-STR", "Stroke Unit", "Medicine", "Riverside Hospital", 1.5, 0.2),
    ("RVH-MED-DIAB", "Diabetes Clinic", "Medicine", "Riverside Hospital", 1.0, 0.6),
    ("RVH-MED-DERM", "Dermatology", "Medicine", "Riverside Hospital", 0.18, 0.8),
    ("RVH-MED-ONC", "Oncology Day Unit", "Medicine", "Riverside Hospital", 1.5, 1.0),
    ("HVH-SUR-ORTH", "Trauma & Orthopaedics", "Surgery", "Hillview Hospital", 3.5, 0.5),
    ("HVH-SUR-GEN", "General Surgery", "Surgery", "Hillview Hospital", 3.0, 0.1),
    ("HVH-SUR-URO", "Urology", "Surgery", "Hillview Hospital", 1.5, 0.3),
    ("HVH-SUR-OPH", "Ophthalmology", "Surgery", "Hillview Hospital", 4.0, 0.7),
    ("HVH-SUR-ENT", "Ear, Nose & Throat", "Surgery", "Hillview Hospital", 1.2, 0.4),
    ("HVH-SUR-DSU", "Day Surgery Unit", "Surgery", "Hillview Hospital", 3.5, 0.9),
    ("HVH-SUR-PAIN", "Pain Clinic", "Surgery", "Hillview Hospital", 0.15, -0.2),
    ("HVH-WAC-MAT", "Maternity", "Women's & Children's", "Hillview Hospital", 3.5, 0.2),
    ("HVH-WAC-NNU", "Neonatal Unit", "Women's & Children's", "Hillview Hospital", 0.8, 1.2),
    ("HVH-WAC-PAED", "Children's Ward", "Women's & Children's", "Hillview Hospital", 2.0, 0.6),
    ("HVH-WAC-GYN", "Gynaecology", "Women's & Children's", "Hillview Hospital", 1.5, 0.3),
    (
        "HVH-WAC-CAMHS",
        "Children's Mental Health",
        "Women's & Children's",
        "Hillview Hospital",
        0.3,
        -0.4,
    ),
]
# The departments that count the patients eligible to respond to the FFT, as NHS England's
# inpatient and A&E returns do (its published response rates cover those two settings only).
ELIGIBLE_COUNTED = frozenset(
    {
        "RVH-UEC-ED",
        "RVH-UEC-AMU",
        "RVH-UEC-UTC",
        "RVH-MED-RESP",
        "RVH-MED-CARD",
        "RVH-MED-GAST",
        "RVH-MED-ELD",
        "RVH-MED-STR",
        "HVH-SUR-ORTH",
        "HVH-SUR-GEN",
        "HVH-SUR-URO",
        "HVH-WAC-MAT",
        "HVH-WAC-PAED",
        "HVH-WAC-GYN",
    }
)
ELIGIBLE_SHARE = (0.35, 0.6)  # eligible patients per episode, drawn once per department
BASE_LOGIT = 2.6  # about 93% positive, near the national FFT inpatient figure
WINTER_LOGIT = -0.35  # extra dip for urgent care, December-February

# channel -> (share of responses, rating scale or None)
CHANNELS = {
    "FFT card": (0.34, "fft5"),
    "FFT SMS": (0.40, "fft5"),
    "Online survey": (0.10, "ltr11"),
    "Inpatient survey": (0.08, "ltr11"),
    "Suggestion box": (0.03, None),
    "Online review": (0.03, "fft5"),
    "Direct": (0.02, None),
}
AGE_BANDS = ("0-17", "18-34", "35-54", "55-74", "75+")
SEXES = ("Female", "Male")
ETHNICITIES = ("White", "Asian", "Black", "Mixed", "Other")
INPATIENT_QUESTIONS = ("nurses_listened", "doctors_explained", "room_clean")

POSITIVE_PHRASES = (
    "Staff were kind and caring throughout.",
    "The nurses were wonderful and explained everything.",
    "Seen quickly, very efficient service.",
    "The ward was spotless and calm.",
    "The doctor took time to listen to me.",
    "Great communication from the whole team.",
    "Friendly reception staff made me feel at ease.",
)
NEGATIVE_PHRASES = (
    "Waited over four hours to be seen.",
    "Nobody explained what was happening to my mum.",
    "The food was cold and late.",
    "Parking was impossible and expensive.",
    "Reception staff were rude and dismissive.",
    "The ward was noisy at night and I could not sleep.",
    "My appointment was cancelled twice without notice.",
    "Discharge took all day waiting for medication.",
)
NEUTRAL_PHRASES = (
    "It was okay.",
    "Care was fine but the waiting area was crowded.",
    "Some staff were lovely, others seemed too busy.",
)

# KO41a subjects with their rough shares in NHS returns (clinical treatment dominates).
SUBJECT_WEIGHTS = {
    "Clinical treatment": 30,
    "Communications": 14,
    "Values and behaviours": 11,
    "Patient care": 9,
    "Appointments": 7,
    "Waiting times": 6,
    "Admissions and discharges": 6,
    "Access to treatment or drugs": 3,
    "Trust administration": 3,
    "Facilities": 2,
    "Prescribing": 2,
    "Privacy, dignity and wellbeing": 2,
    "End of life care": 1,
    "Staff numbers": 1,
    "Transport": 1,
    "Consent": 0.5,
    "Integrated care": 0.5,
    "Commissioning": 0.3,
    "Mortuary": 0.1,
    "Restraint": 0.1,
    "Other": 0.5,
}
assert set(SUBJECT_WEIGHTS) == set(KO41A_SUBJECTS)


def bank_holidays(start: date, end: date) -> list[date]:
    """England and Wales bank holidays from ``start`` to a year after ``end``."""
    return WorkingCalendar().holidays_between(start, end.replace(year=end.year + 1))


def _days() -> pd.DatetimeIndex:
    return pd.date_range(DEMO_START, DEMO_AS_OF, freq="D")


def departments_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [d[:4] for d in DEPARTMENTS],
        columns=["department_id", "department_name", "division", "site"],
    ).assign(unit=None)


def _probabilities(dept_idx: np.ndarray, when: pd.DatetimeIndex) -> np.ndarray:
    """Probability that a response is positive, per row."""
    offsets = np.array([d[5] for d in DEPARTMENTS])
    logit = BASE_LOGIT + offsets[dept_idx]
    winter = np.isin(when.month, (12, 1, 2))
    urgent = np.array([d[2] == "Urgent & Emergency Care" for d in DEPARTMENTS])[dept_idx]
    logit = logit + winter * (WINTER_LOGIT + urgent * WINTER_LOGIT)
    ids = np.array([d[0] for d in DEPARTMENTS])[dept_idx]
    improved = (ids == IMPROVING.department_id) & (when >= pd.Timestamp(IMPROVING.since))
    logit = logit + improved * 2.3
    worse = (ids == DETERIORATING.department_id) & (when >= pd.Timestamp(DETERIORATING.since))
    logit = logit - worse * 2.2
    return 1 / (1 + np.exp(-logit))


def _comments(rng: np.random.Generator, sentiment: np.ndarray) -> np.ndarray:
    """One or two phrases whose tone follows the sentiment (1 positive, 0 neutral, -1 negative)."""
    out = np.empty(len(sentiment), dtype=object)
    for value, phrases in ((1, POSITIVE_PHRASES), (0, NEUTRAL_PHRASES), (-1, NEGATIVE_PHRASES)):
        rows = np.flatnonzero(sentiment == value)
        first = rng.choice(np.array(phrases, dtype=object), size=len(rows))
        second = rng.choice(np.array(phrases, dtype=object), size=len(rows))
        two = rng.random(len(rows)) < 0.3
        out[rows] = np.where(two & (first != second), first + " " + second, first)
    return out


def feedback_chunk(
    seed: int, chunk: int, rows: int, first_id: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One chunk of feedback rows and their question-level answers."""
    rng = np.random.default_rng([seed, 1, chunk])
    days = _days()
    # Fewer responses at weekends; a steady growth in volume over the three years.
    weight = np.where(days.day_of_week >= 5, 0.6, 1.0) * np.linspace(0.85, 1.15, len(days))
    day_idx = rng.choice(len(days), size=rows, p=weight / weight.sum())
    sizes = np.array([d[4] for d in DEPARTMENTS])
    dept_idx = rng.choice(len(DEPARTMENTS), size=rows, p=sizes / sizes.sum())
    when = days[day_idx]
    names = list(CHANNELS)
    shares = np.array([CHANNELS[c][0] for c in names])
    channel_idx = rng.choice(len(names), size=rows, p=shares / shares.sum())
    scale = np.array([CHANNELS[c][1] for c in names], dtype=object)[channel_idx]

    positive = rng.random(rows) < _probabilities(dept_idx, when)
    # Among positives: very good 75%, good 25%; the rest: neither, poor, very poor, don't know.
    fft = np.where(
        positive,
        np.where(rng.random(rows) < 0.75, 1, 2),
        rng.choice([3, 4, 5, 6], size=rows, p=[0.42, 0.25, 0.23, 0.10]),
    )
    ltr = np.where(
        positive,
        rng.choice([10, 9, 8, 7], size=rows, p=[0.5, 0.3, 0.15, 0.05]),
        rng.choice(
            [8, 7, 6, 5, 4, 3, 2, 1, 0],
            size=rows,
            p=[0.05, 0.1, 0.15, 0.15, 0.12, 0.12, 0.1, 0.1, 0.11],
        ),
    )
    rating = np.where(scale == "fft5", fft, np.where(scale == "ltr11", ltr, -1)).astype("int64")
    sentiment = np.where(positive, 1, np.where(rng.random(rows) < 0.3, 0, -1))
    comment = np.where(rng.random(rows) < 0.35, _comments(rng, sentiment), None)

    def maybe(values, missing: float) -> np.ndarray:
        picked = rng.choice(np.array(values, dtype=object), size=rows)
        return np.where(rng.random(rows) < missing, None, picked)

    ids = pd.Series(np.arange(first_id, first_id + rows)).map("F{:08d}".format)
    frame = pd.DataFrame(
        {
            "feedback_id": ids.to_numpy(),
            "received_date": when.date,
            "department_id": np.array([d[0] for d in DEPARTMENTS])[dept_idx],
            "channel": np.array(names, dtype=object)[channel_idx],
            "rating": pd.array(np.where(rating < 0, None, rating), dtype="Int64"),
            "rating_scale": scale,
            "comment": comment,
            "age_band": maybe(AGE_BANDS, 0.15),
            "sex": maybe(SEXES, 0.1),
            "ethnicity": maybe(ETHNICITIES, 0.25),
        }
    )
    inpatient = np.flatnonzero(frame["channel"].to_numpy() == "Inpatient survey")
    answers = []
    for q, question in enumerate(INPATIENT_QUESTIONS):
        good = positive[inpatient] ^ (rng.random(len(inpatient)) < 0.1 + 0.05 * q)
        answer = np.where(
            good,
            rng.choice([4, 3], size=len(inpatient), p=[0.75, 0.25]),
            rng.choice([1, 2, 3], size=len(inpatient), p=[0.2, 0.5, 0.3]),
        )
        answers.append(
            pd.DataFrame(
                {
                    "feedback_id": frame["feedback_id"].to_numpy()[inpatient],
                    "question_id": question,
                    "answer": answer.astype("int64"),
                    "answer_scale": "never_always4",
                }
            )
        )
    return frame, pd.concat(answers, ignore_index=True)


def complaints_frame(seed: int, rows: int) -> pd.DataFrame:
    """Complaints with working-day acknowledgement and resolution, open ones censored at as-of."""
    rng = np.random.default_rng([seed, 2])
    days = _days()
    weekday = days.day_of_week < 5
    weight = np.where(weekday, 1.0, 0.15)
    day_idx = rng.choice(len(days), size=rows, p=weight / weight.sum())
    received = days[day_idx].values.astype("datetime64[D]")
    sizes = np.array([d[4] for d in DEPARTMENTS])
    risk = sizes * np.exp(
        -0.5 * np.array([d[5] for d in DEPARTMENTS])
    )  # worse care, more complaints
    dept_idx = rng.choice(len(DEPARTMENTS), size=rows, p=risk / risk.sum())
    ids = np.array([d[0] for d in DEPARTMENTS])[dept_idx]
    hol = np.array(bank_holidays(DEMO_START, DEMO_AS_OF), dtype="datetime64[D]")

    ack_days = np.where(rng.random(rows) < 0.9, rng.integers(0, 4, rows), rng.integers(4, 9, rows))
    acknowledged = np.busday_offset(received, ack_days, roll="forward", holidays=hol)
    slow = (ids == DETERIORATING.department_id) & (received >= np.datetime64(DETERIORATING.since))
    resolve_days = np.rint(rng.lognormal(np.log(24), 0.6, rows) * np.where(slow, 1.8, 1.0))
    stuck = rng.random(rows) < 0.05  # a few complaints that drag on for months
    resolve_days = np.where(stuck, resolve_days + rng.integers(60, 260, rows), resolve_days)
    resolved = np.busday_offset(received, resolve_days.astype(int), roll="forward", holidays=hol)
    as_of = np.datetime64(DEMO_AS_OF)
    acknowledged_out = np.where(acknowledged <= as_of, acknowledged, np.datetime64("NaT"))
    is_open = resolved > as_of
    resolved_out = np.where(is_open, np.datetime64("NaT"), resolved)

    outcome = rng.choice(
        ["upheld", "partially upheld", "not upheld", "withdrawn"],
        size=rows,
        p=[0.25, 0.35, 0.35, 0.05],
    ).astype(object)
    outcome[is_open] = None
    reopened = (~is_open) & (rng.random(rows) < 0.04)
    subjects = list(SUBJECT_WEIGHTS)
    sw = np.array([SUBJECT_WEIGHTS[s] for s in subjects])
    order = np.argsort(received, kind="stable")
    frame = (
        pd.DataFrame(
            {
                "department_id": ids,
                "received_date": pd.to_datetime(received).date,
                "acknowledged_date": pd.to_datetime(acknowledged_out).date,
                "resolved_date": pd.to_datetime(resolved_out).date,
                "subject": rng.choice(np.array(subjects, dtype=object), size=rows, p=sw / sw.sum()),
                "severity": rng.choice(
                    ["low", "moderate", "high", "extreme"], size=rows, p=[0.5, 0.35, 0.12, 0.03]
                ),
                "outcome": outcome,
                "reopened": reopened,
                "channel": rng.choice(
                    ["letter", "email", "telephone", "in person", "online form"],
                    size=rows,
                    p=[0.15, 0.45, 0.2, 0.05, 0.15],
                ),
            }
        )
        .iloc[order]
        .reset_index(drop=True)
    )
    frame.insert(0, "complaint_id", [f"C{i:07d}" for i in range(1, rows + 1)])
    for col in ("acknowledged_date", "resolved_date"):
        frame[col] = frame[col].where(pd.notna(frame[col]), None)
    return frame


def activity_frame(seed: int, rows: int) -> pd.DataFrame:
    """Monthly patient episodes per department, about eight per feedback response, and in the
    departments of :data:`ELIGIBLE_COUNTED` the patients eligible for the FFT: a share of the
    episodes (:data:`ELIGIBLE_SHARE`, fixed per department) that gives response rates of about
    15-30%, since about 77% of responses are FFT answers."""
    rng = np.random.default_rng([seed, 3])
    # Its own stream, so that the episodes (and every rate per 1,000) stay as they were.
    eligible_rng = np.random.default_rng([seed, 4])
    months = pd.date_range(DEMO_START, DEMO_AS_OF, freq="MS")
    sizes = np.array([d[4] for d in DEPARTMENTS])
    per_month = rows / len(months) * 8 * sizes / sizes.sum()
    out = []
    for i, dep in enumerate(DEPARTMENTS):
        episodes = np.maximum(rng.poisson(per_month[i] * rng.uniform(0.9, 1.1, len(months))), 1)
        share = eligible_rng.uniform(*ELIGIBLE_SHARE)
        eligible = eligible_rng.binomial(episodes, share)
        counted = dep[0] in ELIGIBLE_COUNTED
        out.append(
            pd.DataFrame(
                {
                    "department_id": dep[0],
                    "month": months.date,
                    "episodes": episodes,
                    "eligible": pd.array(eligible if counted else [None] * len(months), "Int64"),
                }
            )
        )
    return pd.concat(out, ignore_index=True)


def write_demo(
    target: str | Path,
    *,
    rows: int = DEFAULT_ROWS,
    complaints: int | None = None,
    seed: int = 2026,
    fmt: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    status: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Write the demo source to a .duckdb/.sqlite file, a SQLAlchemy URL or a folder.

    ``complaints`` defaults to one per 40 responses. ``progress(done, total)`` is called after
    each chunk of feedback rows, ``status(text)`` before each later step. Returns the number of
    rows written per table.
    """
    say = status or (lambda text: None)
    if rows < 1:
        raise ValueError("rows must be at least 1")
    if is_spark(target):  # written into DuckDB, then published as Parquet (see ptx.spark)
        from ptx.spark import staged

        with staged(str(target)) as staging:
            written = write_demo(
                staging, rows=rows, complaints=complaints, seed=seed, progress=progress, status=say
            )
            say("publishing the tables to Spark as Parquet")
        return written
    n_complaints = max(1, rows // 40) if complaints is None else complaints
    writer = Writer(
        target, ("departments", "feedback", "feedback_answers", "complaints", "activity"), fmt=fmt
    )
    written = {"feedback_answers": 0}
    try:
        writer.append("departments", departments_frame())
        done = 0
        for chunk, start in enumerate(range(0, rows, CHUNK_ROWS)):
            size = min(CHUNK_ROWS, rows - start)
            feedback, answers = feedback_chunk(seed, chunk, size, start + 1)
            writer.append("feedback", feedback)
            writer.append("feedback_answers", answers)
            written["feedback_answers"] += len(answers)
            done += size
            if progress:
                progress(done, rows)
        say(f"writing {n_complaints:,} complaints and the activity")
        writer.append("complaints", complaints_frame(seed, n_complaints))
        activity = activity_frame(seed, rows)
        writer.append("activity", activity)
        say("storing rows in order, each row's validation verdict, and the daily summaries")
    finally:
        writer.close()
    say("writing the synthetic published benchmark results")
    if writer.kind not in ("csv", "parquet"):  # published results beside the model's tables
        from ptx.benchmarks.demo import write_benchmarks

        written["benchmark_results"] = write_benchmarks(target, seed)
    else:  # a file beside the tables' files, read back by a folder source
        from ptx.benchmarks.demo import benchmark_frame

        frame = benchmark_frame(seed)
        path = Path(target) / f"benchmark_results.{writer.kind}"
        if writer.kind == "csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_parquet(path, index=False)
        written["benchmark_results"] = len(frame)
    written.update(
        departments=len(DEPARTMENTS), feedback=rows, complaints=n_complaints, activity=len(activity)
    )
    return written

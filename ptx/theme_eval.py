"""How well ptx's themes and sentiment agree with people who coded real NHS comments.

``ptx themes evaluate`` scores, against human labels, the keyword taxonomy, VADER (as shipped,
and with the taxonomy's health-care lexicon) and a classifier trained as ``ptx themes train``
trains one. Two public labelled sets are read in place, never copied (see
``../shared/data/real/SOURCES.md``):

- ``nhs_fft_comments_v6.csv``: NHS Friends and Family Test comments from two trusts, 2021-2022,
  coded with sentiment 1 (very positive) to 5 (very negative) and 50 framework themes. Split by
  date: the classifier is trained on the comments before the cut (the first 70% of dates) and
  scored on those after it, so nothing it is scored on was seen, nor came earlier than what it
  learnt from.
- ``nhs_comments_labelled_phase1.csv``: comments from three trusts (no dates), coded with one
  of nine themes and a criticality from -5 to 5. Split by trust: trained on Trusts A and B,
  scored on Trust C.

Sentiment is read as three classes (v6: 1-2 positive, 3 neutral, 4-5 negative; phase 1:
criticality above 0 positive, 0 neutral, below 0 negative). Theme labels are mapped to the
taxonomy by :data:`V6_THEMES` and :data:`PHASE1_THEMES`; labels with no counterpart ("Labelling
not possible", "Mental Health Act", "Miscellaneous"...) map to none. Themes are scored as one
yes/no question per theme (precision, recall, F1 each; macro-F1 their mean; accuracy the share
of comments whose set of themes is exactly right).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ptx.errors import PtxError
from ptx.theme_model import fit, pipeline
from ptx.themes import SENTIMENTS, Taxonomy, sentiment_labels, sentiment_scores

V6_FILE = "nhs_fft_comments_v6.csv"
PHASE1_FILE = "nhs_comments_labelled_phase1.csv"
TRAIN_SHARE = 0.7  # of the v6 comments' dates: the first 70% train, the rest test
PHASE1_TRAIN_TRUSTS = ("Trust A", "Trust B")

# The v6 framework's labels -> the taxonomy's themes (keys of ptx/themes.toml).
V6_THEMES = {
    "Staff manner & personal attributes": "staff_attitude",
    "Staff responsiveness": "staff_attitude",
    "Number & deployment of staff": "staffing",
    "Competence & training": "clinical_care",
    "Diagnosis & triage": "clinical_care",
    "Impact of treatment/ care": "clinical_care",
    "Timeliness of care": "access_waiting",
    "Contacting services": "access_waiting",
    "Appointment arrangements": "access_waiting",
    "Appointment method": "access_waiting",
    "Admission": "access_waiting",
    "Service location": "access_waiting",
    "Unspecified communication": "communication",
    "Staff listening, understanding & involving patients": "communication",
    "Information directly from staff during care": "communication",
    "Information provision & guidance": "communication",
    "Being kept informed, clarity & consistency of information": "communication",
    "Interaction with family/ carers": "communication",
    "Referals & continuity of care": "continuity",
    "Discharge": "continuity",
    "Care plans": "continuity",
    "Staff continuity": "continuity",
    "Patient records": "continuity",
    "Organisation & efficiency": "continuity",
    "Supplying & understanding medication": "medication_pain",
    "Pain management": "medication_pain",
    "Cleanliness, tidiness & infection control": "environment",
    "Environment & Facilities": "environment",
    "Food & drink provision & facilities": "environment",
    "Provision of medical equipment": "environment",
    "Electronic entertainment": "environment",
    "Sensory experience": "environment",
    "Activities & access to fresh air": "environment",
    "Transport to/ from services": "transport_parking",
    "Parking": "transport_parking",
    "Equality, Diversity & Inclusion": "privacy_dignity",
    "Feeling safe": "privacy_dignity",
    "Patient appearance & grooming": "privacy_dignity",
    "Safeguarding concerns?": "privacy_dignity",
    "Positive experience & gratitude": "positive_overall",
    "Negative experience & dissatisfaction": "negative_overall",
}
# Labels that mark a comment as coded but in no theme of the taxonomy.
V6_UNMAPPED = (
    "Not assigned",
    "Labelling not possible",
    "Funding & use of financial resources",
    "Mental Health Act",
    "Learning organisation",
    "Psychological therapy arrangements",
    "Existence of services",
    "Choice of services",
    "Out of hours support (community services)",
)
# Phase 1's nine labels -> the taxonomy's themes.
PHASE1_THEMES = {
    "Care received": "clinical_care",
    "Staff": "staff_attitude",
    "Couldn't be improved": "positive_overall",
    "Communication": "communication",
    "Environment/ facilities": "environment",
    "Access": "access_waiting",
    "Transition/coordination": "continuity",
    "Dignity": "privacy_dignity",
    "Miscellaneous": None,
}
SEE_AND_CONVEY = "See and Convey"  # its dates are written month first (SOURCES.md)


@dataclass(frozen=True)
class Labelled:
    """A labelled set split for training and testing."""

    name: str
    split: str  # how it was split, in words
    train_texts: list[str]
    train_themes: list[tuple[str, ...]]
    train_sentiment: list[str | None]
    test_texts: list[str]
    test_themes: list[tuple[str, ...]]
    test_sentiment: list[str | None]
    train_dates: tuple = ()  # where the split is by date: each comment's, to check the split
    test_dates: tuple = ()


def _labelled(name: str, split: str, train: pd.DataFrame, test: pd.DataFrame) -> Labelled:
    """A Labelled from the two parts' text, themes, sentiment (and date, where there is one)."""

    def dates(frame: pd.DataFrame) -> tuple:
        return tuple(frame["date"].dt.date) if "date" in frame else ()

    parts = [list(part[c]) for part in (train, test) for c in ("text", "themes", "sentiment")]
    return Labelled(name, split, *parts, dates(train), dates(test))


def _v6_dates(frame: pd.DataFrame) -> pd.Series:
    month_first = frame["Service type 1"].eq(SEE_AND_CONVEY)
    day_first = pd.to_datetime(frame["Date"], format="%d/%m/%Y", errors="coerce")
    other = pd.to_datetime(frame["Date"], format="%m/%d/%Y", errors="coerce")
    return day_first.where(~month_first, other).fillna(other).fillna(day_first)


def read_v6(folder: Path) -> Labelled:
    """The v6 FFT comments, split by date (see the module's note)."""
    frame = pd.read_csv(folder / V6_FILE)
    text = frame["FFT answer"].astype("string").str.strip()
    frame = frame[text.notna() & (text != "") & (text != "Did not answer")].copy()
    frame["text"] = frame["FFT answer"].astype(str).str.strip()
    frame["date"] = _v6_dates(frame)
    frame = frame[frame["date"].notna()]
    coded = frame[[*V6_THEMES, *V6_UNMAPPED]].eq(1).any(axis=1)
    themes = [
        tuple(dict.fromkeys(V6_THEMES[c] for c in V6_THEMES if row[c] == 1))
        for _, row in frame[list(V6_THEMES)].iterrows()
    ]
    frame["themes"] = [t if ok else None for t, ok in zip(themes, coded, strict=True)]
    score = frame["Comment sentiment"]
    frame["sentiment"] = np.select(
        [score.isin([1, 2]), score.eq(3), score.isin([4, 5])],
        ["positive", "neutral", "negative"],
        default="",
    )
    cut = frame["date"].quantile(TRAIN_SHARE, interpolation="lower")
    train, test = frame[frame["date"] <= cut], frame[frame["date"] > cut]
    return _labelled(
        "NHS FFT comments (v6 framework)",
        f"by date: trained on comments up to {cut:%d %b %Y} ({len(train):,}), "
        f"scored on those after ({len(test):,})",
        train,
        test,
    )


def read_phase1(folder: Path) -> Labelled:
    """The phase-1 comments, split by trust (see the module's note)."""
    frame = pd.read_csv(folder / PHASE1_FILE, dtype=str)
    frame = frame[frame["feedback"].fillna("").str.strip() != ""].copy()
    frame["text"] = frame["feedback"].str.strip()
    frame["themes"] = [
        (PHASE1_THEMES[label],) if PHASE1_THEMES.get(label) else () for label in frame["label"]
    ]
    value = pd.to_numeric(frame["criticality"], errors="coerce")
    frame["sentiment"] = np.select(
        [value > 0, value == 0, value < 0], ["positive", "neutral", "negative"], default=""
    )
    train = frame[frame["organization"].isin(PHASE1_TRAIN_TRUSTS)]
    test = frame[~frame["organization"].isin(PHASE1_TRAIN_TRUSTS)]
    return _labelled(
        "NHS patient comments (phase 1)",
        f"by trust: trained on {' and '.join(PHASE1_TRAIN_TRUSTS)} ({len(train):,}), "
        f"scored on Trust C ({len(test):,})",
        train,
        test,
    )


@dataclass(frozen=True)
class Score:
    """One method's agreement with the human labels."""

    method: str
    task: str  # sentiment or themes
    n: int
    accuracy: float
    macro_f1: float
    per_class: pd.DataFrame  # class, precision, recall, f1, support


def score_classes(method: str, truth: Sequence[str], predicted: Sequence[str]) -> Score:
    """Accuracy, macro-F1 and per-class precision and recall of single labels."""
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    labels = list(SENTIMENTS)
    p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    per_class = pd.DataFrame({"class": labels, "precision": p, "recall": r, "f1": f, "support": s})
    return Score(
        method,
        "sentiment",
        len(truth),
        float(accuracy_score(truth, predicted)),
        float(np.mean(f)),
        per_class,
    )


def score_themes(
    method: str,
    truth: Sequence[tuple[str, ...]],
    predicted: Sequence[tuple[str, ...]],
    themes: Sequence[str],
) -> Score:
    """Per-theme precision, recall and F1 (themes with a labelled example only), macro-F1 their
    mean, and accuracy as the share of comments whose themes are exactly right."""
    from sklearn.metrics import precision_recall_fscore_support

    y = np.array([[t in set(row) for t in themes] for row in truth], dtype=int)
    yhat = np.array([[t in set(row) for t in themes] for row in predicted], dtype=int)
    present = y.sum(axis=0) > 0
    p, r, f, s = precision_recall_fscore_support(y, yhat, average=None, zero_division=0)
    per_class = pd.DataFrame({"class": list(themes), "precision": p, "recall": r, "f1": f})
    per_class["support"] = s
    per_class = per_class[present].reset_index(drop=True)
    exact = float((y == yhat).all(axis=1).mean()) if len(y) else float("nan")
    return Score(method, "themes", len(truth), exact, float(per_class["f1"].mean()), per_class)


def _sentiment_model(texts, labels):
    """The classifier ``ptx themes train`` fits, fitted to sentiment classes instead."""
    return pipeline().fit(texts, labels)


def evaluate(data: Labelled, taxonomy: Taxonomy) -> list[Score]:
    """Every method's scores on one labelled set's test part."""
    scores = []
    # Sentiment: the comments with a human sentiment
    train = [(t, s) for t, s in zip(data.train_texts, data.train_sentiment, strict=True) if s]
    test = [(t, s) for t, s in zip(data.test_texts, data.test_sentiment, strict=True) if s]
    if test:
        texts, truth = [t for t, _ in test], [s for _, s in test]
        plain = sentiment_labels(sentiment_scores(texts))
        tuned = sentiment_labels(sentiment_scores(texts, taxonomy), taxonomy)
        scores.append(score_classes("VADER (as shipped)", truth, list(plain)))
        scores.append(score_classes("VADER + health-care lexicon", truth, list(tuned)))
        model = _sentiment_model([t for t, _ in train], [s for _, s in train])
        scores.append(
            score_classes("Trained (TF-IDF + logistic)", truth, list(model.predict(texts)))
        )
    # Themes: the coded comments
    keys = list(taxonomy.labels)
    train = [
        (t, k) for t, k in zip(data.train_texts, data.train_themes, strict=True) if k is not None
    ]
    test = [(t, k) for t, k in zip(data.test_texts, data.test_themes, strict=True) if k is not None]
    if test:
        texts, truth = [t for t, _ in test], [k for _, k in test]
        keywords = [taxonomy.themes_of(t) for t in texts]
        scores.append(score_themes("Keyword taxonomy", truth, keywords, keys))
        model = fit([t for t, _ in train], [k for _, k in train], keys)
        scores.append(
            score_themes("Trained (TF-IDF + logistic)", truth, model.predict(texts), keys)
        )
    return scores


def evaluate_folder(folder: Path, taxonomy: Taxonomy) -> dict[str, tuple[Labelled, list[Score]]]:
    """Both labelled sets of ``folder``, read and scored."""
    missing = [name for name in (V6_FILE, PHASE1_FILE) if not (folder / name).is_file()]
    if missing:
        raise PtxError(
            f"{folder} lacks {', '.join(missing)}: give --data the folder that holds the "
            "labelled NHS comment files (see docs/COMMENTS.md)."
        )
    out = {}
    for reader in (read_v6, read_phase1):
        data = reader(folder)
        out[data.name] = (data, evaluate(data, taxonomy))
    return out


def report_markdown(results: dict[str, tuple[Labelled, list[Score]]], labels: dict) -> str:
    """The scores as Markdown: a summary table per set, then per-class precision and recall."""
    lines = []
    for name, (data, scores) in results.items():
        lines += [f"### {name}", "", f"Split {data.split}.", ""]
        lines += ["| task | method | comments | accuracy | macro-F1 |", "|---|---|---:|---:|---:|"]
        for s in scores:
            lines.append(
                f"| {s.task} | {s.method} | {s.n:,} | {s.accuracy:.3f} | {s.macro_f1:.3f} |"
            )
        lines.append("")
        for s in scores:
            lines += [
                f"{s.task.capitalize()}, {s.method}: precision / recall / F1 (support)",
                "",
                "| class | precision | recall | F1 | support |",
                "|---|---:|---:|---:|---:|",
            ]
            for row in s.per_class.itertuples():
                label = labels.get(row._1, row._1)
                lines.append(
                    f"| {label} | {row.precision:.2f} | {row.recall:.2f} | {row.f1:.2f} | "
                    f"{int(row.support):,} |"
                )
            lines.append("")
    return "\n".join(lines)

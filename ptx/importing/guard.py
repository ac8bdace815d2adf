"""A plain check that a source's answers are not read upside down.

Codes that run the other way (5 = best where the model has 1 = very good) load without any error
and invert every figure. Where responses carry comments, their tone tells: comments on answers
read as the best should sound more positive than comments on answers read as the worst. This
module compares the two with VADER (see :mod:`ptx.sentiment`) and warns when the best-rated
comments read clearly more negatively (Welch's z above 2), showing the most frequent words of each
side so a person can judge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from ptx.sentiment import compound, frequent_words

SAMPLE = 1_000  # comments read per side
MIN_COMMENTS = 20  # fewer on either side: nothing is said
Z_REVERSED = 2.0

# (scale, its best answers, its worst answers, words for each side)
SIDES = (
    ("fft5", (1, 2), (4, 5), "Very good or Good", "Poor or Very poor"),
    ("ltr11", (9, 10), tuple(range(7)), "9-10 (promoters)", "0-6 (detractors)"),
)


@dataclass(frozen=True)
class Side:
    label: str
    comments: int
    mean: float
    words: tuple[str, ...]

    def text(self) -> str:
        return (
            f"{self.label}: mean sentiment {self.mean:+.2f} over {self.comments:,} comments; "
            f"frequent words {', '.join(self.words) or 'none'}"
        )


def _side(conn, t, valid, scale: str, codes: tuple, label: str) -> tuple[Side, np.ndarray]:
    texts = [
        r[0]
        for r in conn.execute(
            sa.select(t.comment)
            .where(valid, t.rating_scale == scale, t.rating.in_(codes), t.comment.is_not(None))
            .order_by(t.feedback_id)
            .limit(SAMPLE)
        )
    ]
    scores = compound(texts)
    mean = float(scores.mean()) if len(scores) else float("nan")
    return Side(label, len(texts), mean, tuple(frequent_words(texts))), scores


def comment_checks(source, valid) -> tuple[list[str], list[str]]:
    """(notes, warnings): per rating scale with comments on both sides, what the comments on the
    best and the worst answers sound like, and a warning when that looks reversed."""
    if not source.has("feedback"):
        return [], []
    t = source.table("feedback").c
    notes, warnings = [], []
    with source.engine.connect() as conn:
        for scale, best, worst, best_label, worst_label in SIDES:
            good, good_scores = _side(conn, t, valid, scale, best, best_label)
            bad, bad_scores = _side(conn, t, valid, scale, worst, worst_label)
            if min(good.comments, bad.comments) < MIN_COMMENTS:
                continue
            notes.append(f"{scale} comments on {good.text()}.")
            notes.append(f"{scale} comments on {bad.text()}.")
            spread = np.sqrt(
                good_scores.var(ddof=1) / len(good_scores)
                + bad_scores.var(ddof=1) / len(bad_scores)
            )
            z = (bad.mean - good.mean) / spread if spread > 0 else 0.0
            if z > Z_REVERSED:
                warnings.append(
                    f"the {scale} answers look reversed: comments on answers read as "
                    f"{best_label} sound more negative ({good.mean:+.2f}) than those on "
                    f"{worst_label} ({bad.mean:+.2f}; Welch z = {z:.1f}). Check the codes: if "
                    "the source's best answer is the highest code, set reverse = true under "
                    "[tables.feedback.values.rating] in ptx.toml."
                )
    return notes, warnings

"""What a source's cells mean: missing-value tokens, answer labels, and reversed codes.

Exports write "missing" in many ways (``NA``, ``N/A``, ``Not Available``, ``-``, ``Did not
answer``) and answers as words ("Very good", "Extremely likely") or as codes that may run the
other way (5 = best). A column's :class:`ValueMap` says how to read them; matching of words is
case- and whitespace-insensitive, and curly and straight apostrophes are the same.

Ready label sets (``labels = "..."`` in ``ptx.toml``):

- ``fft``: both wordings of the NHS Friends and Family Test in use, the current question
  ("Very good" ... "Very poor", "Don't know"; NHS England FFT guidance, 2020) and the earlier one
  ("Extremely likely" ... "Extremely unlikely", "Don't know"), onto the fft5 codes 1-6.
- ``nps``: 0-10 likelihood to recommend, as numbers or as "0 - Not at all likely" ...
  "10 - Extremely likely", onto ltr11.
- ``likert5``: "Strongly disagree" ... "Strongly agree" onto agree5 (1-5).
- ``never_always4``: "Never", "Sometimes", "Usually", "Always" (HCAHPS) onto 1-4.
- ``yes_no2``: "No", "Yes" onto 1-2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType

import pandas as pd

# Read as missing in every column unless a column or the [import] section says otherwise.
DEFAULT_MISSING = ("", "NA", "N/A", "n/a", "NULL", "Not Available", "-", "Did not answer")


def normalise(text: str) -> str:
    """The form labels are matched in: casefolded, one space between words, one apostrophe."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return re.sub(r"\s+", " ", text).strip().casefold()


def _normalised_series(text: pd.Series) -> pd.Series:
    """:func:`normalise` of each value, worked out once per distinct value."""
    return text.map({value: normalise(value) for value in text.unique()})


@dataclass(frozen=True)
class LabelSet:
    """Answer words onto the codes of one model scale."""

    name: str
    scale: str  # the model scale the codes belong to (schema.RATING_SCALES / ANSWER_SCALES)
    labels: MappingProxyType  # normalised words -> code
    description: str


def _labels(name: str, scale: str, description: str, pairs: dict[str, int]) -> LabelSet:
    return LabelSet(
        name, scale, MappingProxyType({normalise(k): v for k, v in pairs.items()}), description
    )


_DONT_KNOW = {"Don't know": 6, "Dont know": 6, "Do not know": 6}
_NPS = {str(n): n for n in range(11)}
_NPS |= {"0 - Not at all likely": 0, "Not at all likely": 0}
_NPS |= {"10 - Extremely likely": 10, "Extremely likely": 10}

LABEL_SETS: dict[str, LabelSet] = {
    s.name: s
    for s in (
        _labels(
            "fft",
            "fft5",
            "NHS FFT answers, current and earlier wording, onto fft5 (1 best ... 5 worst, 6 "
            "don't know)",
            {
                "Very good": 1,
                "Good": 2,
                "Neither good nor poor": 3,
                "Poor": 4,
                "Very poor": 5,
                "Extremely likely": 1,
                "Likely": 2,
                "Neither likely nor unlikely": 3,
                "Unlikely": 4,
                "Extremely unlikely": 5,
                **_DONT_KNOW,
            },
        ),
        _labels("nps", "ltr11", "0-10 likelihood to recommend onto ltr11", _NPS),
        _labels(
            "likert5",
            "agree5",
            "Strongly disagree (1) ... Strongly agree (5)",
            {
                "Strongly disagree": 1,
                "Disagree": 2,
                "Neither agree nor disagree": 3,
                "Agree": 4,
                "Strongly agree": 5,
            },
        ),
        _labels(
            "never_always4",
            "never_always4",
            "Never (1), Sometimes, Usually, Always (4)",
            {"Never": 1, "Sometimes": 2, "Usually": 3, "Always": 4},
        ),
        _labels("yes_no2", "yes_no2", "No (1), Yes (2)", {"No": 1, "Yes": 2}),
    )
}

# The words each scale's codes stand for, for the import report.
SCALE_LABELS: dict[str, dict[int, str]] = {
    "fft5": {
        1: "Very good",
        2: "Good",
        3: "Neither good nor poor",
        4: "Poor",
        5: "Very poor",
        6: "Don't know",
    },
    "ltr11": {0: "0 Not at all likely", 10: "10 Extremely likely"},
    "agree5": {
        1: "Strongly disagree",
        2: "Disagree",
        3: "Neither agree nor disagree",
        4: "Agree",
        5: "Strongly agree",
    },
    "never_always4": {1: "Never", 2: "Sometimes", 3: "Usually", 4: "Always"},
    "yes_no2": {1: "No", 2: "Yes"},
    "rating0_10": {0: "0 (worst)", 10: "10 (best)"},
}

# The codes ``reverse = true`` turns around, per scale: (lowest, highest) of the ordered answers
# (fft5's 6 = don't know is not on the ordered scale and stays 6).
REVERSIBLE: dict[str, tuple[int, int]] = {
    "fft5": (1, 5),
    "ltr11": (0, 10),
    "agree5": (1, 5),
    "never_always4": (1, 4),
    "yes_no2": (1, 2),
    "rating0_10": (0, 10),
}


def code_label(scale: object, code: object) -> str:
    """The word for a code on a scale, or '' when the scale gives none (e.g. 7 on ltr11)."""
    if scale is None or code is None or pd.isna(code):
        return ""
    return SCALE_LABELS.get(str(scale), {}).get(int(code), "")


@dataclass(frozen=True)
class ValueMap:
    """How one source column's values are read (``[tables.<t>.values.<column>]``).

    ``labels`` names a ready :data:`LABEL_SETS` entry; ``map`` maps further source values (words
    or codes, matched normalised) onto model values and wins over the label set; ``reverse``
    turns a numeric scale around (1 <-> 5 on fft5); ``missing`` replaces the missing-value
    tokens for this column.
    """

    labels: str | None = None
    map: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    reverse: bool = False
    missing: tuple[str, ...] | None = None

    @property
    def translations(self) -> dict[str, object]:
        """Normalised source value -> model value: the label set, then ``map`` over it."""
        out: dict[str, object] = dict(LABEL_SETS[self.labels].labels) if self.labels else {}
        out.update({normalise(str(k)): v for k, v in self.map.items()})
        return out

    @property
    def scale(self) -> str | None:
        """The scale the label set implies, if any."""
        return LABEL_SETS[self.labels].scale if self.labels else None


def missing_mask(text: pd.Series, tokens: tuple[str, ...]) -> pd.Series:
    """True where a (stripped) value is one of the missing-value tokens, matched normalised.

    Only short values can be a token, and each distinct one is normalised once: a column of
    free-text comments costs a length test, not a normalisation per cell."""
    wanted = {normalise(t) for t in tokens} | {""}
    longest = max(map(len, wanted)) * 2 + 2  # room for doubled spaces inside a token
    short = text[text.str.len() <= longest]
    candidates = pd.Series(short.unique(), dtype=object)
    return text.isin(candidates[_normalised_series(candidates).isin(wanted)])


def translate(text: pd.Series, value_map: ValueMap) -> tuple[pd.Series, pd.Series]:
    """Apply a column's translations: (text with translated values as strings, translated mask).

    Values the map does not name pass through unchanged, to be parsed as they are."""
    table = value_map.translations
    if not table:
        return text, pd.Series(False, index=text.index)
    mapped = _normalised_series(text).map(table)
    hit = mapped.notna()
    return text.where(~hit, mapped.astype(object).map(str)), hit


def reverse_codes(values: pd.Series, scales: pd.Series) -> pd.Series:
    """Turn each value around on its row's scale (codes off the ordered scale are kept)."""
    out = values.copy()
    for scale, (low, high) in REVERSIBLE.items():
        on = (scales == scale).fillna(False) & values.between(low, high).fillna(False)
        out = out.mask(on, low + high - values)
    return out


def suggest_labels(text: pd.Series) -> str | None:
    """The ready label set that reads the most of these values (at least half), if any."""
    words = set(_normalised_series(text.dropna()).unique()) - {""}
    if not words:
        return None
    best, hits = None, 0
    for name, labels in LABEL_SETS.items():
        n = len(words & set(labels.labels))
        if n > hits:
            best, hits = name, n
    return best if hits * 2 >= len(words) else None

"""Personal details kept off the screen where a row of the source is shown as it is.

The Data page lists quarantined rows so that someone can fix them, and a row of an export can
carry a patient's free text and demographics. By default ptx shows such rows with:

- **demographic and identifying columns dropped** (:func:`is_personal_column`): age, sex,
  gender, ethnicity, religion, postcode, date of birth, NHS number, patient or complainant
  name, address, email, phone;
- **personal details in the remaining text masked** (:func:`mask_personal_text`): email
  addresses, phone numbers, NHS numbers, postcodes, dates of birth and names after a title.

Masking is pattern-based: it catches the common ways these are written in English free text,
not every way. ``reveal=True`` (for a role allowed to see them) shows the rows as they are.
"""

from __future__ import annotations

import json
import re

import pandas as pd

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# NHS number: 10 digits, written 3-3-4 with spaces or hyphens, or run together.
NHS_NUMBER = re.compile(r"(?<![\w-])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\w-])")
# Phone numbers: international (+44 20 7946 0018, 0044 ...) or UK national (020 7946 0018,
# 07700 900123, (01632) 960 001), with spaces, dots or hyphens between groups.
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\d{1,3}[\s.-]?(?:\(0\)[\s.-]?)?\(?\d{1,5}\)?|\(?0\d{2,5}\)?)"
    r"(?:[\s.-]?\d{2,4}){2,3}(?!\w)"
)
# UK postcodes (outward code, optional space, inward code; inward letters never C I K M O V).
POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE
)
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)
# A date of birth is a date after a cue: "DOB 01/02/1950", "date of birth: 1 Feb 1950", "born
# on 1950-02-01". Other dates (of a visit, of a letter) are kept: they are what a fix needs.
DATE_OF_BIRTH = re.compile(
    r"(?P<cue>\b(?:d\.?\s?o\.?\s?b\b\.?|date\s+of\s+birth|birth\s?date|born(?:\s+on)?)"
    rf"\s*(?:is|was|[:=-])?\s*){_DATE}",
    re.IGNORECASE,
)
# A name after a title: "Mr Smith", "Dr. J. Patel", "Mrs Jane Smith-Jones" (up to three
# capitalised words; the title is kept so the sentence still reads).
NAME_AFTER_TITLE = re.compile(
    r"\b(?P<title>(?i:mr|mrs|ms|miss|mx|dr|prof|professor|sir|dame|rev))\b\.?\s+"
    r"[A-Z](?:[\w'’-]+|\.)(?:\s+[A-Z](?:[\w'’-]+|\.)){0,2}"
)

# Column names (of the data model or of an export) that hold demographics or identify a person.
_PERSONAL_WORDS = {
    "age",
    "ageband",
    "sex",
    "gender",
    "ethnicity",
    "ethnic",
    "religion",
    "postcode",
    "zip",
    "dob",
    "birth",
    "birthdate",
    "nhs",
    "address",
    "email",
    "phone",
    "telephone",
    "mobile",
    "surname",
    "forename",
    "firstname",
    "lastname",
}
_PERSON_WORDS = {"patient", "complainant", "first", "last", "given", "full", "family"}


def is_personal_column(name: str) -> bool:
    """True for a column of demographics or identifying details, by its name (of the data
    model or of an export): ``age_band``, ``Sex``, ``Ethnic group``, ``Post code``, ``DOB``,
    ``Date of birth``, ``NHS number``, ``Patient name``, ``Email``...; not ``department_name``.

    >>> [is_personal_column(c) for c in ("age_band", "Post code", "department_name", "comment")]
    [True, True, False, False]
    """
    words = re.findall(r"[a-z]+", str(name).lower())
    joined = "".join(words)
    if set(words) & _PERSONAL_WORDS or joined in _PERSONAL_WORDS:
        return True
    if joined in {"postcode", "agegroup", "ethnicgroup", "dateofbirth", "nhsnumber"}:
        return True
    return "name" in words and (bool(set(words) & _PERSON_WORDS) or words == ["name"])


def mask_personal_text(text: str) -> str:
    """``text`` with personal details replaced by what they were, in brackets.

    Replaced, in this order: email addresses (``[email]``), NHS numbers (``[NHS number]``),
    dates of birth after a cue such as "DOB" or "born" (``[date of birth]``), phone numbers
    (``[phone]``), UK postcodes (``[postcode]``) and names after a title (``Dr [name]``).

    >>> mask_personal_text("Dr Patel rang 07700 900123 about DOB 01/02/1950, LS1 4AP")
    'Dr [name] rang [phone] about DOB [date of birth], [postcode]'
    """
    if not isinstance(text, str) or not text:
        return text
    text = EMAIL.sub("[email]", text)
    text = NHS_NUMBER.sub("[NHS number]", text)
    text = DATE_OF_BIRTH.sub(lambda m: m.group("cue") + "[date of birth]", text)
    text = PHONE.sub("[phone]", text)
    text = POSTCODE.sub("[postcode]", text)
    return NAME_AFTER_TITLE.sub(lambda m: m.group("title") + " [name]", text)


def _mask_row_data(data: object) -> object:
    """One quarantined row's values (JSON text): personal columns dropped, text masked."""
    try:
        values = json.loads(data)
    except (TypeError, ValueError):
        return mask_personal_text(data) if isinstance(data, str) else data
    if not isinstance(values, dict):
        return mask_personal_text(str(data))
    kept = {
        key: mask_personal_text(value) if isinstance(value, str) else value
        for key, value in values.items()
        if not is_personal_column(key)
    }
    return json.dumps(kept, default=str)


# An import reason names the value: "sex: 'X' is not one of ...".
_REASON_VALUE = re.compile(r"^(?P<head>[^']*?): '(?P<value>.*)' (?P<tail>is .*)$", re.DOTALL)


def mask_reason(reason: object) -> object:
    """A quarantine reason with a personal column's value hidden and other text masked."""
    if not isinstance(reason, str):
        return reason
    found = _REASON_VALUE.match(reason)
    if found and is_personal_column(found["head"]):
        return f"{found['head']}: [hidden] {found['tail']}"
    return mask_personal_text(reason)


def mask_quarantined_rows(rows: pd.DataFrame, *, reveal: bool = False) -> pd.DataFrame:
    """Quarantined rows (``ptx.quarantined_rows``: table, row, reason, data) for the screen
    and its download: unless ``reveal``, personal columns dropped from ``data`` and personal
    details masked in ``data`` and ``reason``."""
    if reveal or not len(rows):
        return rows
    out = rows.copy()
    if "data" in out:
        out["data"] = out["data"].map(_mask_row_data)
    if "reason" in out:
        out["reason"] = out["reason"].map(mask_reason)
    return out


def mask_reasons(reasons: pd.DataFrame, *, reveal: bool = False) -> pd.DataFrame:
    """A validation report's reasons (table, reason, rows, example) with the example value
    of a personal column hidden and other examples masked, unless ``reveal``."""
    if reveal or not len(reasons) or "example" not in reasons:
        return reasons
    out = reasons.copy()
    personal = out["reason"].map(lambda r: is_personal_column(str(r).split(":", 1)[0]))
    out["example"] = out["example"].map(mask_personal_text).mask(personal, "[hidden]")
    return out

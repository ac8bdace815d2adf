"""Personal details kept off the screen where a row of the source is shown as it is.

The Data page lists quarantined rows so that someone can fix them, and a row of an export can
carry a patient's free text and demographics. By default ptx shows such rows with:

- **demographic and identifying columns dropped** (:func:`is_personal_column`): age, sex,
  gender, ethnicity, religion, postcode, date of birth, NHS number, patient or complainant
  name, address, email, phone;
- **personal details in the remaining text masked** (:func:`mask_personal_text`): email
  addresses, phone numbers (UK and North American), NHS numbers (with a valid check digit),
  social security and record numbers, postcodes and ZIP codes, dates of birth, and names after
  a title or signing off a comment.

Masking is pattern-based: it catches the common ways these are written in English free text,
not every way. ``reveal=True`` (for a role allowed to see them) shows the rows as they are.
"""

from __future__ import annotations

import json
import re

import pandas as pd

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# NHS number: 10 digits, written 3-3-4 with spaces or hyphens, or run together, whose last digit
# is the modulus-11 check digit of the first nine (NHS Data Dictionary, "NHS Number"). Ten
# digits that fail the check are left to the other patterns (a US phone number is 3-3-4 too).
NHS_NUMBER = re.compile(r"(?<![\w-])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\w-])")
NHS_CHECK_WEIGHTS = range(10, 1, -1)  # the weights of digits 1-9, from the NHS Data Dictionary
# Phone numbers: international (+44 20 7946 0018, 0044 ...) or UK national (020 7946 0018,
# 07700 900123, (01632) 960 001), with spaces, dots or hyphens between groups.
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\d{1,3}[\s.-]?(?:\(0\)[\s.-]?)?\(?\d{1,5}\)?|\(?0\d{2,5}\)?)"
    r"(?:[\s.-]?\d{2,4}){2,3}(?!\w)"
)
# North American numbers: (212) 555-0134, 212-555-0134, 212.555.0134, +1 212 555 0134. The
# last two groups must be separated, so that a run of ten digits is not taken for one.
US_PHONE = re.compile(
    r"(?<![\w+-])(?:\+?1[\s.-]?)?(?:\([2-9]\d{2}\)\s?|[2-9]\d{2}[\s.-])\d{3}[\s.-]\d{4}(?![\w-])"
)
# A US social security number, or what looks like one: 3-2-4 digits with hyphens or spaces.
SSN = re.compile(r"(?<![\w-])\d{3}[- ]\d{2}[- ]\d{4}(?![\w-])")
# Hospital and medical record numbers after a cue: "MRN 1234567", "hospital number: RX1234567",
# "patient ID #A12345", "unit no. 123456". The number has at least five characters, a digit among
# them, so "my hospital number is unknown" keeps its words.
MEDICAL_RECORD = re.compile(
    r"(?P<cue>\b(?:MRN|medical\s+record\s+(?:number|no\.?)|hospital\s+(?:number|no\.?)|"
    r"patient\s+(?:id|number|no\.?)|unit\s+(?:number|no\.?)|case\s+(?:number|no\.?))"
    r"\s*(?:is|was|[:=#-])?\s*#?\s*)(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{4,}\b",
    re.IGNORECASE,
)
# UK postcodes (outward code, optional space, inward code; inward letters never C I K M O V).
POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE
)
# US ZIP codes where they identify an address: ZIP+4 (02115-1234) anywhere, a five-digit ZIP
# after a state's abbreviation ("Boston, MA 02115") or the word ZIP. A five-digit number on its
# own (a count, a sum) is kept.
_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|"
    "NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY"
)
ZIP_CODE = re.compile(
    rf"(?<![\w-])\d{{5}}-\d{{4}}(?![\w-])|(?P<cue>\b(?:{_STATES})\s+|\b(?i:zip(?:\s*code)?)"
    r"\s*:?\s*)\d{5}(?![\w-])"
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
# Capitalised words that follow a title or a sign-off without being a name ("Nurse Practitioner",
# "Thank you Team", "Sister Ward"): kept.
_NOT_NAMES = (
    "The|This|That|These|Those|There|Then|They|She|He|We|You|It|And|But|Or|So|Was|Were|Is|Are|"
    "Has|Had|Did|Who|When|What|Which|Ward|Bay|Unit|Team|Teams|Department|Staff|Everyone|All|"
    "Practitioner|Practitioners|Specialist|Consultant|Registrar|Manager|Nurses|Doctors|Sisters|"
    "Hospital|Trust|Service|Services|Surgery|Clinic|Monday|Tuesday|Wednesday|Thursday|Friday|"
    "Saturday|Sunday|On|In|At|For|From|To|With|Very|Again|Once|Today|Yesterday|Please"
)
_NAME_WORD = rf"(?!(?:{_NOT_NAMES})\b)[A-Z](?:[a-z'’][\w'’-]*|\.)"
# A name after a title: "Mr Smith", "Dr. J. Patel", "Mrs Jane Smith-Jones", "Nurse Amy", "Sister
# O'Neill" (up to three capitalised words; the title is kept so the sentence still reads).
NAME_AFTER_TITLE = re.compile(
    r"\b(?P<title>(?i:mr|mrs|ms|miss|mx|dr|prof|professor|sir|dame|rev|nurse|sister|matron|"
    r"doctor|midwife|paramedic))\b\.?\s+"
    rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}}"
)
# A signature: a name alone after a sign-off at the end of a comment ("Many thanks, Jane
# Smith", "Regards\n- J. Patel"), or a name alone on the last line after a dash.
SIGNATURE = re.compile(
    r"(?P<cue>(?:\b(?i:many\s+thanks|thanks|thank\s+you|kind\s+regards|regards|best\s+wishes|"
    r"yours\s+sincerely|yours\s+faithfully|sincerely|cheers)[,.!]?\s*[-–—]?\s*"
    r"|\b(?i:love|from|best)\s*(?:[,.!]\s*|\n)[-–—]?\s*"
    r"|(?:^|\n)\s*[-–—]\s*))"
    rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}}(?P<end>[.!]?\s*)$"
)


def valid_nhs_number(digits: str) -> bool:
    """Whether ten digits (spaces and hyphens ignored) end in their modulus-11 check digit.

    >>> valid_nhs_number("943 476 5919"), valid_nhs_number("123 456 7890")
    (True, False)
    """
    numbers = [int(d) for d in digits if d.isdigit()]
    if len(numbers) != 10:
        return False
    check = 11 - sum(w * d for w, d in zip(NHS_CHECK_WEIGHTS, numbers, strict=False)) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == numbers[9]


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

    Replaced, in this order: email addresses (``[email]``), NHS numbers with a valid check
    digit (``[NHS number]``), hospital or medical record numbers after a cue such as "MRN"
    (``MRN [record number]``), dates of birth after a cue such as "DOB" or "born"
    (``[date of birth]``), US social security numbers (``[SSN]``), US ZIP+4 codes and ZIP
    codes after a state (``[ZIP code]``), phone numbers, UK and North American
    (``[phone]``), UK postcodes (``[postcode]``), names after a title (``Dr [name]``,
    ``Nurse [name]``) and a name signing off the text (``Thanks, [name]``). Ward and bay
    numbers, durations, scores such as 10/10 and short numbers such as 111 are kept.

    >>> mask_personal_text("Dr Patel rang 07700 900123 about DOB 01/02/1950, LS1 4AP")
    'Dr [name] rang [phone] about DOB [date of birth], [postcode]'
    """
    if not isinstance(text, str) or not text:
        return text
    text = EMAIL.sub("[email]", text)
    text = NHS_NUMBER.sub(
        lambda m: "[NHS number]" if valid_nhs_number(m.group()) else m.group(), text
    )
    text = MEDICAL_RECORD.sub(lambda m: m.group("cue") + "[record number]", text)
    text = DATE_OF_BIRTH.sub(lambda m: m.group("cue") + "[date of birth]", text)
    text = SSN.sub("[SSN]", text)
    text = ZIP_CODE.sub(lambda m: (m.group("cue") or "") + "[ZIP code]", text)
    text = US_PHONE.sub("[phone]", text)
    text = PHONE.sub("[phone]", text)
    text = POSTCODE.sub("[postcode]", text)
    text = NAME_AFTER_TITLE.sub(lambda m: m.group("title") + " [name]", text)
    return SIGNATURE.sub(lambda m: m.group("cue") + "[name]" + m.group("end"), text)


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

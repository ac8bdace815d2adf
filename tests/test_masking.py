"""Personal details masked in comment text: a corpus of what must be masked and what must not."""

from __future__ import annotations

import pytest

from ptx.privacy import mask_personal_text, valid_nhs_number

MASKED = [
    # Email addresses
    ("write to jane.doe@example.nhs.uk please", "write to [email] please"),
    ("j_smith+ward@hospital.org.uk", "[email]"),
    # UK phone numbers
    ("rang 07700 900123 twice", "rang [phone] twice"),
    ("call 020 7946 0018", "call [phone]"),
    ("on +44 (0)113 496 0000", "on [phone]"),
    ("call (01632) 960 001", "call [phone]"),
    # US phone numbers
    ("call (212) 555-0134 today", "call [phone] today"),
    ("my cell is 212-555-0134", "my cell is [phone]"),
    ("reach me at 212.555.0134", "reach me at [phone]"),
    ("+1 212 555 0134 anytime", "[phone] anytime"),
    # NHS numbers with a valid modulus-11 check digit, in every usual spelling
    ("NHS no 943 476 5919", "NHS no [NHS number]"),
    ("my number is 943-476-5919", "my number is [NHS number]"),
    ("ref 4010232137 on the letter", "ref [NHS number] on the letter"),
    # US social security numbers
    ("SSN 078-05-1120 on file", "SSN [SSN] on file"),
    ("social security 219 09 9999", "social security [SSN]"),
    # Dates of birth after a cue
    ("DOB 01/02/1950", "DOB [date of birth]"),
    ("d.o.b. 3 March 1948", "d.o.b. [date of birth]"),
    ("born on 1950-02-01 in Leeds", "born on [date of birth] in Leeds"),
    ("date of birth: Feb 1, 1950", "date of birth: [date of birth]"),
    # Hospital and medical record numbers after a cue
    ("MRN 1234567 was wrong", "MRN [record number] was wrong"),
    ("hospital number: RX1234567", "hospital number: [record number]"),
    ("patient ID #A12345 on the band", "patient ID #[record number] on the band"),
    ("medical record number is 00123456", "medical record number is [record number]"),
    # UK postcodes and US ZIP codes
    ("lives in LS1 4AP", "lives in [postcode]"),
    ("sw1a 1aa", "[postcode]"),
    ("Boston, MA 02115", "Boston, MA [ZIP code]"),
    ("zip 90210", "zip [ZIP code]"),
    ("ZIP+4 02115-1234 here", "ZIP+4 [ZIP code] here"),
    # Names after titles
    ("Dr Patel was kind", "Dr [name] was kind"),
    ("Dr. J. Patel", "Dr [name]"),
    ("Mrs Jane Smith-Jones helped", "Mrs [name] helped"),
    ("Mr. J. Smith", "Mr [name]"),
    ("Ms Brown and Miss Green", "Ms [name] and Miss [name]"),
    ("Nurse Amy was lovely", "Nurse [name] was lovely"),
    ("Sister O'Neill ran the ward", "Sister [name] ran the ward"),
    ("thank you nurse Sarah", "thank you nurse [name]"),
    ("Matron Jones came", "Matron [name] came"),
    # Signatures
    ("Lovely staff. Many thanks, Jane Smith", "Lovely staff. Many thanks, [name]"),
    ("Great care.\nRegards\nJ. Patel", "Great care.\nRegards\n[name]"),
    ("Kept me informed throughout\n- Peter", "Kept me informed throughout\n- [name]"),
    ("All good. Love,\nMary.", "All good. Love,\n[name]."),
    ("Thanks Tom", "Thanks [name]"),
]

KEPT = [
    "ward 10 was clean",
    "Ward 10 and Ward 7B",
    "waited 2 hours in A&E",
    "moved to bay 4 at night",
    "A&E was busy",
    "10/10 would recommend",
    "I called 111 and then 999",
    "rated 5/5, care 24/7",
    "1 in 10 staff, room 101",
    "seen on 2025-01-05 at 10:30, 1st floor",
    "on 12/03/2024 I visited",
    "COVID-19 rules, £50 parking for 3 days",
    "The doctors were kind",
    "the nurse I saw was kind",
    "Staff Nurse on Ward 3 was kind",
    "Thank you NHS",
    "Thank you to the Team",
    "Thank you Ward 10",
    "the best A&E I have been to",
    "Great care from all the staff",
    "my hospital number is unknown",
    "year 2023, 12345 steps, 3 weeks",
    "Dr was late",
    "1234567890",  # ten digits with no valid NHS check digit, no separators: not a phone
    "ICU and HDU",
    "doctor Who was on TV",
    "nurse Practitioner saw me",
]


@pytest.mark.parametrize(("text", "masked"), MASKED)
def test_masked(text, masked):
    assert mask_personal_text(text) == masked


@pytest.mark.parametrize("text", KEPT)
def test_kept(text):
    assert mask_personal_text(text) == text


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("9434765919", True),
        ("943 476 5919", True),
        ("4010232137", True),
        ("4505577104", True),
        ("1234567890", False),
        ("9434765918", False),  # wrong check digit
        ("943476591", False),  # nine digits
    ],
)
def test_nhs_number_check_digit(digits, valid):
    assert valid_nhs_number(digits) is valid


def test_invalid_nhs_number_written_as_a_phone_is_still_masked():
    # 123 456 7890 fails the NHS check but is a North American phone number's shape.
    assert mask_personal_text("call 123-456-7890") == "call 123-456-7890"  # area code 1xx
    assert mask_personal_text("call 415-456-7890") == "call [phone]"


def test_empty_and_missing_pass_through():
    assert mask_personal_text("") == ""
    assert mask_personal_text(None) is None

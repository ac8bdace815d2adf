"""Working-day arithmetic against a hand-made calendar."""

from datetime import date

import pytest

from ptx.errors import PtxError
from ptx.workdays import WorkingCalendar

ENGLAND = WorkingCalendar()


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2025, 3, 3), date(2025, 3, 3), 0),  # same day
        (date(2025, 3, 3), date(2025, 3, 4), 1),  # Monday -> Tuesday
        (date(2025, 3, 7), date(2025, 3, 10), 1),  # Friday -> Monday: the weekend is skipped
        (date(2025, 3, 8), date(2025, 3, 10), 1),  # received Saturday: the clock starts Monday
        (date(2025, 3, 8), date(2025, 3, 9), 0),  # Saturday -> Sunday
        (date(2025, 4, 17), date(2025, 4, 22), 1),  # Thursday -> Tuesday over Easter (Fri, Mon)
        # Year end: 25, 26 Dec and 1 Jan are holidays, so 27, 30, 31 Dec and 2 Jan count.
        (date(2024, 12, 24), date(2025, 1, 2), 4),
        (date(2025, 3, 3), date(2025, 4, 7), 25),  # five whole weeks
    ],
)
def test_working_days_between(start, end, expected):
    assert ENGLAND.working_days_between(start, end) == expected


def test_hand_made_calendar_with_a_closure():
    # Dec 2024: 24 Tue, 25 Wed (Christmas), 26 Thu (Boxing Day), 27 Fri closed locally.
    closed = WorkingCalendar(closures=(date(2024, 12, 27),))
    frame = closed.frame(date(2024, 12, 23), date(2024, 12, 31))
    assert frame["is_working"].tolist() == [
        True,
        True,
        False,
        False,
        False,
        False,
        False,
        True,
        True,
    ]
    assert frame["working_day_number"].tolist() == [1, 2, 2, 2, 2, 2, 2, 3, 4]
    assert closed.working_days_between(date(2024, 12, 24), date(2024, 12, 30)) == 1


def test_other_countries_and_bad_ones():
    scotland = WorkingCalendar(subdivision="SCT")  # 2 January is a holiday in Scotland
    assert scotland.working_days_between(date(2025, 1, 1), date(2025, 1, 3)) == 1
    assert ENGLAND.working_days_between(date(2025, 1, 1), date(2025, 1, 3)) == 2
    with pytest.raises(PtxError, match="No public-holiday calendar"):
        WorkingCalendar(country="XX")
    with pytest.raises(PtxError, match="before"):
        ENGLAND.working_days_between(date(2025, 1, 3), date(2025, 1, 1))

"""Complaint shares, backlog and sentences, by hand."""

from datetime import date

import pandas as pd

from ptx import complaints


def test_backlog_has_every_month_even_one_with_nothing_received_or_resolved():
    received = pd.DataFrame({"month": [date(2026, 1, 1), date(2026, 3, 1)], "received": [1, 2]})
    resolved = pd.DataFrame({"month": [date(2026, 3, 1)], "resolved": [1]})
    out = complaints.backlog(received, resolved, date(2026, 4, 15))
    assert out["month"].tolist() == [date(2026, m, 1) for m in (1, 2, 3, 4)]
    # February: nothing happened, and the January complaint was still open at its end.
    assert out["open"].tolist() == [1, 1, 2, 2]
    assert out["month_end"].iloc[-1] == date(2026, 4, 15)  # the as-of date ends its month
    empty = pd.DataFrame({"month": [], "received": []})
    assert complaints.backlog(
        empty, empty.rename(columns={"received": "resolved"}), date.today()
    ).empty


def test_the_median_sentence_writes_counts_as_it_is_told():
    row = pd.Series({"median": 29.0, "naive_median": 25.0, "open": 3, "complaints": 59})
    assert "counts the 3 complaints still open" in complaints.why_medians_differ(row)
    hidden = complaints.why_medians_differ(row, count=lambda n: "*")
    assert "counts the * complaints still open" in hidden and " 3 " not in hidden


def test_ageing_adds_up_to_the_open_count():
    stage = pd.DataFrame(
        {"working_days": [0, 10, 11, 40, 66, 200], "pending": [1, 2, 3, 4, 5, 6], "done": 0}
    )
    ageing = complaints.ageing(stage)
    assert ageing["open"].sum() == stage["pending"].sum()
    # 0-10: 1 + 2; 11-25: 3; 26-40: 4; 41-65: none; over 65: 5 + 6
    assert ageing["open"].tolist() == [3, 3, 4, 0, 11]

from datetime import date

import numpy as np
import pytest

import ptx
from ptx import kpis, query
from ptx.disclosure import Disclosure
from tests.builders import write_source
from tests.conftest import open_location


def test_windows():
    assert kpis.default_window(date(2026, 9, 30)) == (date(2025, 10, 1), date(2026, 9, 30))
    assert query.previous_window(date(2025, 1, 11), date(2025, 1, 20)) == (
        date(2025, 1, 1),
        date(2025, 1, 10),
    )


def test_headline_on_the_tiny_source(tmp_path):
    source = open_location(write_source(tmp_path / "s.duckdb"))
    f = ptx.Filters(start=date(2025, 1, 1), end=date(2025, 1, 31))
    table = kpis.headline_kpis(source, f, date(2025, 1, 31), Disclosure(enabled=False))
    table = table.set_index("kpi")
    assert table.loc["responses", "value"] == 7
    # FFT: 1, 2, 4, 6 -> 2 positive of 4 responses; don't know stays in the denominator.
    assert table.loc["fft_pct_positive", "value"] == 50
    assert table.loc["fft_pct_negative", "value"] == 25
    assert table.loc["fft_pct_positive", "n"] == 4
    # NPS: one promoter (10), one detractor (3).
    assert table.loc["nps", "value"] == 0
    assert table.loc["complaints_received", "value"] == 3
    assert table.loc["complaints_per_1000", "value"] == pytest.approx(1000 * 3 / 1750)
    assert table.loc["complaints_open", "value"] == 2
    # Open at the as-of date has no previous period: no change to show (not "up 2").
    assert np.isnan(table.loc["complaints_open", "previous"])
    assert np.isnan(table.loc["complaints_open", "change"])
    assert table.loc["responses", "previous"] == 0  # December 2024 had none
    # Under the default disclosure rule, 4 responses are too few for a percentage.
    hidden = kpis.headline_kpis(source, f, date(2025, 1, 31)).set_index("kpi")
    assert np.isnan(hidden.loc["fft_pct_positive", "value"])
    assert np.isnan(hidden.loc["nps", "value"])
    # 7 responses is a count of 1-7: hidden too (it was shown before the rule was applied once).
    assert np.isnan(hidden.loc["responses", "value"]) and hidden.loc["responses", "suppressed"]


def test_filters_change_the_numbers(demo_duckdb):
    source = open_location(demo_duckdb)
    as_of = query.as_of_date(source)
    window = kpis.default_window(as_of)
    whole = kpis.headline_kpis(source, ptx.Filters(*window), as_of).set_index("kpi")
    one = kpis.headline_kpis(
        source, ptx.Filters(*window, departments=("RVH-UEC-ED",)), as_of
    ).set_index("kpi")
    assert one.loc["responses", "value"] < whole.loc["responses", "value"]
    assert one.loc["fft_pct_positive", "value"] != whole.loc["fft_pct_positive", "value"]
    # Every tile measure of the catalog, and nothing else, in catalog order.
    assert list(whole.index) == list(ptx.measures_for("tile"))
    assert 0 < whole.loc["complaints_ack_pct", "value"] <= 100
    assert (
        whole.loc["complaints_median_days", "low"] <= whole.loc["complaints_median_days", "value"]
    )


def test_headline_counts_serve_the_monthly_charts_and_each_period(demo_duckdb):
    """The Overview draws its monthly charts from the headline's statements: they must equal
    the monthly counts queried on their own, and the previous period the previous window's."""
    import pandas as pd

    source = open_location(demo_duckdb)
    as_of = query.as_of_date(source)
    f = ptx.Filters(date(2025, 6, 10), date(2026, 5, 20), divisions=("Surgery",))
    counts = kpis.headline_counts(source, f, as_of)
    pd.testing.assert_frame_equal(
        counts.current("feedback"), query.feedback_counts(source, f, ("month",))
    )
    head = ptx.headline(source, f, rule=Disclosure(enabled=False))
    alone = query.complaint_counts(source, f, as_of, ("month",))
    assert head.complaints_by_month["month"].tolist() == alone["month"].tolist()
    assert head.complaints_by_month["value"].tolist() == alone["received"].tolist()
    before = f.between(*query.previous_window(f.start, f.end))
    previous = counts.frames["feedback"].query("period == 'previous'")
    assert (
        previous["responses"].sum() == query.feedback_counts(source, before, ())["responses"].sum()
    )
    table = head.to_frame().set_index("kpi")
    assert table.loc["responses", "previous"] == previous["responses"].sum()


def test_small_counts_on_tiles_are_suppressed(tmp_path):
    source = open_location(write_source(tmp_path / "s.duckdb"))
    f = ptx.Filters(start=date(2025, 1, 1), end=date(2025, 1, 31))
    head = ptx.headline(source, f)
    assert head.value_text("responses") == "*"  # 7 responses
    assert head.value_text("complaints_received") == "*"  # 3 complaints
    assert head.value_text("fft_pct_positive") == "–"  # 4 responses: no percentage
    shown = head.table()
    assert "7" not in shown["Value"].tolist() and "3" not in shown["Value"].tolist()
    assert head.suppressed >= 3
    off = ptx.headline(source, f, rule=Disclosure(enabled=False))
    assert off.value_text("responses") == "7" and off.value_text("complaints_received") == "3"


def test_the_exported_headline_rounds_counts_to_five(demo_duckdb):
    head = ptx.headline(open_location(demo_duckdb))
    shown = head.table().set_index("Measure")
    exported = head.table(export=True).set_index("Measure")
    responses = int(shown.loc["Feedback responses", "Value"].replace(",", ""))
    assert exported.loc["Feedback responses", "Value"] == f"{5 * round(responses / 5):,}"
    assert exported.loc["FFT % positive", "Value"] == shown.loc["FFT % positive", "Value"]

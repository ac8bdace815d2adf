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
    assert table.loc["responses", "previous"] == 0  # December 2024 had none
    # Under the default disclosure rule, 4 responses are too few for a percentage.
    hidden = kpis.headline_kpis(source, f, date(2025, 1, 31)).set_index("kpi")
    assert np.isnan(hidden.loc["fft_pct_positive", "value"])
    assert np.isnan(hidden.loc["nps", "value"]) and hidden.loc["responses", "value"] == 7


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
    assert set(kpis.FEEDBACK_TILES + kpis.COMPLAINT_TILES) <= set(whole.index) == set(kpis.HEADLINE)
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
    pd.testing.assert_frame_equal(
        counts.complaints_by_month(),
        query.complaint_counts(source, f, as_of, ("month",))[["month", "received"]],
    )
    before = f.between(*query.previous_window(f.start, f.end))
    previous = counts.frames["feedback"].query("period == 'previous'")
    assert (
        previous["responses"].sum() == query.feedback_counts(source, before, ())["responses"].sum()
    )


def test_without_the_acknowledgement_stage_only_its_kpi_goes(demo_duckdb):
    import pandas as pd

    source = open_location(demo_duckdb)
    as_of = query.as_of_date(source)
    f = ptx.Filters(date(2025, 10, 1), as_of)
    settings = source.config.complaints
    full = kpis.headline_table(kpis.headline_counts(source, f, as_of), settings)
    part = kpis.headline_table(kpis.headline_counts(source, f, as_of, ("resolved",)), settings)
    assert set(full["kpi"]) - set(part["kpi"]) == {"complaints_ack_pct"}
    pd.testing.assert_frame_equal(
        full[full["kpi"] != "complaints_ack_pct"].reset_index(drop=True), part
    )

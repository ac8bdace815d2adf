"""Published results (CMS HCAHPS, NHS England FFT): import, report, percentile ranks, funnels,
trends, and the refusal to read them as patient responses."""

from __future__ import annotations

import csv
import shutil

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as scipy_stats

import ptx
from ptx.benchmarks import stats
from ptx.benchmarks.choices import record_own_unit
from ptx.benchmarks.cms import split_measure
from ptx.benchmarks.imports import read_results
from ptx.benchmarks.model import survey_band
from ptx.cli import main
from tests.conftest import ROOT

FILES = ROOT / "tests" / "benchmark_files"
LONG = FILES / "hcahps_hospital_long.csv"


@pytest.fixture(scope="module")
def hcahps(shared_data):
    rows, report = read_results([shared_data / "hcahps"])
    return rows, report


@pytest.fixture(scope="module")
def hcahps_db(shared_data, tmp_path_factory):
    """The shared HCAHPS files in the benchmark table beside a small demo source."""
    from ptx.demo import write_demo

    path = tmp_path_factory.mktemp("hcahps") / "source.duckdb"
    write_demo(path, rows=1000, complaints=50)
    ptx.import_benchmarks([shared_data / "hcahps"], path, replace=True)
    return path


def _csv(path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


# --- the shared real files ---------------------------------------------------------------


def test_every_national_percentage_comes_through_exactly(hcahps, shared_data):
    rows, _ = hcahps
    nation = rows[rows["unit_level"] == "nation"].set_index(["release", "measure_id", "category"])
    published = _csv(shared_data / "hcahps" / "national_results.csv")
    assert len(published) == 90
    for r in published:
        boxes = (("Top-box Percentage", "top"), ("Bottom-box Percentage", "bottom"))
        for column, category in boxes:
            got = nation.loc[(r["Release Period"], r["Measure ID"], category), "percent"]
            assert got == float(r[column]), (r, category)
        if r["Measure ID"] != "H_COMP_6":
            got = nation.loc[(r["Release Period"], r["Measure ID"], "middle"), "percent"]
            assert got == float(r["Middle-box Percentage"])
    windows = {r["Release Period"]: r for r in _csv(shared_data / "hcahps" / "reports.csv")}
    first = nation.loc[("07_2015", "H_COMP_1", "top")]
    assert str(first["period_start"]) == "2013-10-01" and str(first["period_end"]) == "2014-09-30"
    assert set(rows["release"]) == set(windows)


def test_state_results_for_a_sample_of_states_and_releases(hcahps, shared_data):
    rows, _ = hcahps
    state = rows[rows["unit_level"] == "state"].set_index(
        ["release", "unit_id", "measure_id", "category"]
    )
    published = _csv(shared_data / "hcahps" / "state_results.csv")
    sample = [
        r
        for r in published
        if r["State"] in ("AL", "CA", "NY", "TX", "WY")
        and r["Release Period"] in ("07_2015", "07_2023")
    ]
    assert len(sample) >= 90
    for r in sample:
        key = (r["Release Period"], r["State"], r["Measure ID"], "top")
        assert state.loc[key, "percent"] == float(r["Top-box Percentage"])
        assert state.loc[key[:3] + ("bottom",), "percent"] == float(r["Bottom-box Percentage"])
    alabama = state.loc[("07_2015", "AL", "H_COMP_1", "top")]
    assert alabama["unit_name"] == "Alabama" and alabama["parent_id"] == "East South Central"


def test_facility_completed_survey_bands_are_parsed_to_their_bounds(hcahps):
    rows, report = hcahps
    facility = rows[rows["unit_level"] == "facility"]
    assert len(facility) == 43_219
    bounds = facility.groupby("surveys_text")[["surveys_low", "surveys_high"]].first()
    assert tuple(bounds.loc["300 or more"]) == (300, pd.NA) or (
        bounds.loc["300 or more", "surveys_low"] == 300
        and pd.isna(bounds.loc["300 or more", "surveys_high"])
    )
    assert tuple(bounds.loc["Between 100 and 299"]) == (100, 299)
    assert tuple(bounds.loc["FEWER THAN 50"]) == (1, 49)
    assert tuple(bounds.loc["Fewer than 100"]) == (1, 99)
    banded = facility["surveys_text"].isin(
        ["300 or more", "Between 100 and 299", "FEWER THAN 50", "Fewer than 100"]
    )
    assert facility.loc[banded, "completed_surveys"].isna().all()
    numbers = facility[facility["surveys_text"].str.fullmatch(r"\d+")]
    assert (numbers["completed_surveys"] == numbers["surveys_text"].astype(int)).all()
    assert (numbers["surveys_low"] == numbers["completed_surveys"]).all()
    # Not Available is a data-quality fact, stored as published, not an error.
    missing = facility[facility["surveys_text"] == "Not Available"]
    assert len(missing) == 5772 and missing["surveys_low"].isna().all()
    assert "01014F" in set(facility["unit_id"])  # alphanumeric ids kept as text
    assert report.rejected == 0


@pytest.mark.parametrize(
    "text, expected",
    [
        ("300 or more", (None, 300, None)),
        ("Between 100 and 299", (None, 100, 299)),
        ("FEWER THAN 50", (None, 1, 49)),
        ("1,194", (1194, 1194, 1194)),
        ("1194.0", (1194, 1194, 1194)),
        ("Not Available", (None, None, None)),
    ],
)
def test_survey_band(text, expected):
    assert survey_band(text) == expected


@pytest.mark.parametrize(
    "measure_id, expected",
    [
        ("H_COMP_1_A_P", ("H_COMP_1", "top", "Always")),
        ("H_COMP_1_SN_P", ("H_COMP_1", "bottom", "Sometimes or never")),
        ("H_COMP_6_N_P", ("H_COMP_6", "bottom", "No")),
        ("H_HSP_RATING_7_8", ("H_HSP_RATING", "middle", "7 or 8")),
        ("H_RECMND_DY", ("H_RECMND", "top", "Definitely yes")),
        ("H_COMP_7_A", ("H_COMP_7", "middle", "Agree")),
        ("H_CLEAN_LINEAR_SCORE", ("H_CLEAN_HSP", "linear mean", "Linear mean score")),
        ("H_QUIET_STAR_RATING", ("H_QUIET_HSP", "star rating", "Star rating")),
        ("H_STAR_RATING", ("H_STAR_RATING", "star rating", "Summary star rating")),
        ("H_COMP_9_Z", None),
    ],
)
def test_measure_and_box_come_from_the_measure_id(measure_id, expected):
    assert split_measure(measure_id) == expected


# --- hand-made files in the CMS and NHS layouts --------------------------------------------


@pytest.fixture(scope="module")
def hand_made():
    return read_results([FILES])


def _report(result, name):
    return next(f for f in result.files if f.file.name == name)


def test_the_long_layout_loads_with_its_report(hand_made):
    rows, result = hand_made
    report = _report(result, "hcahps_hospital_long.csv")
    assert report.layout == "hcahps long" and report.encoding.startswith("cp1252")
    assert (report.rows_read, report.rows_stored, len(report.rejected)) == (33, 32, 1)
    assert "H_COMP_9_Z" in report.rejected[0][1] and report.rejected[0][0] == 33
    notes = " ".join(report.notes)
    assert "3 percentage(s) written with a % sign" in notes
    assert "'########'" in notes and "01 Jan 2022 to 31 Dec 2022" in notes
    assert "'Not Available' 8" in notes and "Telephone Number" in notes
    long = rows[rows["source_file"] == "hcahps_hospital_long.csv"].set_index(
        ["unit_id", "measure_id", "category"]
    )
    assert long.loc[("010001", "H_COMP_1", "top"), "percent"] == 78
    assert long.loc[("010001", "H_COMP_1", "linear mean"), "score"] == 91
    assert long.loc[("010001", "H_COMP_1", "star rating"), "score"] == 3
    assert long.loc[("010001", "H_COMP_1", "top"), "completed_surveys"] == 1194
    assert long.loc[("010005", "H_COMP_2", "top"), "surveys_low"] == 300
    assert str(long.loc[("010005", "H_COMP_2", "top"), "period_start"]) == "2022-01-01"
    french = long.loc[("01014F", "H_COMP_1", "top")]
    assert french["unit_name"] == "HÔPITAL SAINT-JÉRÔME"
    assert np.isnan(french["percent"]) and french["value_text"] == "Not Available"
    assert french["footnote_codes"] == "1" and "too few" in french["footnote_text"]
    marshall = long.loc[("010005", "H_COMP_1", "top"), "unit_name"]
    assert marshall == "MARSHALL MEDICAL CENTERS – SOUTH"  # an en dash in Windows-1252
    assert (rows["release"] == "Jan 2022 to Dec 2022").sum() > 0


def test_older_column_names_state_and_national_layouts(hand_made):
    rows, result = hand_made
    assert _report(result, "hcahps_hospital_long_2013.csv").rows_stored == 5
    old = rows[rows["source_file"] == "hcahps_hospital_long_2013.csv"]
    assert set(old["unit_name"]) == {"SOUTHEAST ALABAMA MEDICAL CENTER"}
    assert set(old["release"]) == {"Jan 2013 to Dec 2013"}
    state = rows[rows["source_file"] == "hcahps_state.csv"].set_index(["unit_id", "category"])
    assert state.loc[("TX", "top"), "percent"] == 78
    assert state.loc[("TX", "top"), "unit_level"] == "state"
    assert _report(result, "hcahps_state.csv").layout == "hcahps state"
    nation = rows[rows["source_file"] == "hcahps_national.csv"]
    assert set(nation["unit_level"]) == {"nation"} and set(nation["unit_id"]) == {"US"}


def test_the_wide_layout_is_unpivoted_and_imputed_duplicates_are_reported(hand_made):
    rows, result = hand_made
    report = _report(result, "hcahps_wide.csv")
    assert report.layout == "hcahps wide" and (report.rows_read, report.rows_stored) == (8, 72)
    wide = rows[rows["source_file"] == "hcahps_wide.csv"]
    assert set(wide.loc[wide["imputed"], "unit_id"]) == {"100003", "100004", "100005"}
    assert result.imputed_units == ("100003", "100004", "100005")
    notes = " ".join(result.notes)
    assert "3 unit-release(s) share an identical score set" in notes
    # Boxes that do not add to 100 beyond rounding: 74 + 16 + 0 and 70 + 20 + 12.
    assert result.box_problems == 2 and "100008 H_COMP_1" in notes and "450001 H_COMP_1" in notes


def test_the_nhs_fft_provider_layout(hand_made):
    rows, result = hand_made
    report = _report(result, "nhs_fft_inpatient_provider.csv")
    assert report.layout == "nhs fft provider"
    assert len(report.rejected) == 1 and "organisation code" in report.rejected[0][1]
    fft = rows[rows["source_file"] == "nhs_fft_inpatient_provider.csv"].set_index(
        ["unit_id", "category"]
    )
    assert fft.loc[("R1A", "positive"), "percent"] == 94
    assert fft.loc[("R1A", "positive"), "denominator"] == 1200
    assert fft.loc[("R1A", "positive"), "numerator"] == 1128
    assert fft.loc[("R1A", "positive"), "parent_id"] == "Y56"
    assert str(fft.loc[("R1A", "positive"), "period_end"]) == "2024-09-30"
    assert fft.loc[("R1E", "positive"), "value_text"] == "*"


def test_an_unknown_file_is_refused_with_what_ptx_reads(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ptx.SchemaError, match="not a published results layout"):
        read_results([path])


# --- the statistics, against independent computations --------------------------------------


def test_percentile_rank_matches_scipy():
    rng = np.random.default_rng(3)
    peers = rng.integers(60, 90, 200).astype(float)
    for value in (59, 60, 71, 75.0, 89, 95):
        expected = scipy_stats.percentileofscore(peers, value, kind="mean")
        assert stats.percentile_rank(value, peers) == pytest.approx(expected)


def test_rank_interval_is_the_ranks_of_the_wilson_ends():
    peers = np.arange(50, 100, dtype=float)
    low, high = stats.rank_interval(80, 200, peers)
    # Wilson (1927) for 160 of 200, written out.
    p, n, z = 0.8, 200, 1.959963984540054
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    rank = scipy_stats.percentileofscore
    assert low == pytest.approx(rank(peers, 100 * (centre - half), "mean"))
    assert high == pytest.approx(rank(peers, 100 * (centre + half), "mean"))
    assert stats.rank_interval(80, None, peers) == (pytest.approx(np.nan, nan_ok=True),) * 2


def test_funnel_limits_match_an_independent_computation():
    rng = np.random.default_rng(5)
    n = rng.integers(50, 2000, 120).astype(float)
    value = np.clip(rng.normal(80, 4, 120), 50, 99).round()
    peers = pd.DataFrame({"unit_id": [f"u{i}" for i in range(120)], "n": n, "value": value})
    funnel = stats.peer_funnel(peers, 79.0)
    # Spiegelhalter (2005) on the arcsine scale, with the funnel's own tau^2.
    y0 = np.arcsin(np.sqrt(0.79))
    grid = funnel.limits["n"].to_numpy()
    for column, z in (("upper_95", 1.959963984540054), ("lower_998", -3.090232306167813)):
        angle = y0 + z * np.sqrt(1 / (4 * grid) + funnel.tau2)
        expected = np.sin(np.clip(angle, 0, np.pi / 2)) ** 2  # a proportion stays in 0-1
        assert funnel.limits[column].to_numpy() == pytest.approx(expected)
    # The DerSimonian-Laird tau^2 from Winsorised z-scores, written out.
    y, s = np.arcsin(np.sqrt(value / 100)), 1 / (2 * np.sqrt(n))
    zs = (y - y0) / s
    lo, hi = np.quantile(zs, [0.1, 0.9])
    phi = np.mean(np.clip(zs, lo, hi) ** 2)
    w = 1 / s**2
    tau2 = (120 * phi - 119) / (w.sum() - (w**2).sum() / w.sum())
    assert funnel.tau2 == pytest.approx(max(tau2, 0))


# --- the facade ------------------------------------------------------------------------------


def test_a_state_among_states_on_the_shared_data(hcahps_db, shared_data):
    source = ptx.open_source(hcahps_db)
    result = ptx.benchmark(source, "H_COMP_1", release="07_2023", unit="CA")
    published = [
        r
        for r in _csv(shared_data / "hcahps" / "state_results.csv")
        if r["Release Period"] == "07_2023" and r["Measure ID"] == "H_COMP_1"
    ]
    mine = next(float(r["Top-box Percentage"]) for r in published if r["State"] == "CA")
    others = [float(r["Top-box Percentage"]) for r in published if r["State"] != "CA"]
    national = next(
        float(r["Top-box Percentage"])
        for r in _csv(shared_data / "hcahps" / "national_results.csv")
        if r["Release Period"] == "07_2023" and r["Measure ID"] == "H_COMP_1"
    )
    assert result.value == mine and result.national == national
    assert result.rank == pytest.approx(scipy_stats.percentileofscore(others, mine, "mean"))
    assert result.peers_counted == len(others) and result.parent_name == "Pacific"
    assert list(result.trend["series"].unique()) == ["National", "Yours"]
    assert len(result.trend) == 18  # nine releases, the state and the nation
    assert result.figure() is not None and result.trend_figure() is not None
    table = result.table()
    assert "None" not in table.to_csv() and "nan" not in table.to_csv()
    assert "California" in set(table["Unit"])


def test_a_facility_response_rate_with_banded_n_among_its_state(hcahps_db):
    source = ptx.open_source(hcahps_db)
    result = ptx.benchmark(source, "RESPONSE_RATE", release="07_2015", unit="10005")
    assert result.unit_level == "facility" and result.parent_id == "AL"
    assert result.value == 37 and result.surveys == "300 or more"
    assert result.banded and result.n == 300
    assert any("lower bound" in note for note in result.notes)
    assert np.isfinite(result.rank_low) and result.rank_low <= result.rank <= result.rank_high
    assert np.isfinite(result.rank_in_parent) and result.funnel is not None


def test_imputed_units_are_left_out_of_percentiles_unless_asked(tmp_path):
    target = tmp_path / "wide.duckdb"
    from ptx.demo import write_demo

    write_demo(target, rows=500, complaints=20)
    ptx.import_benchmarks([FILES / "hcahps_wide.csv"], target, replace=True)
    record_own_unit(target, "100001")
    source = ptx.open_source(target)
    without = ptx.benchmark(source, "H_COMP_1")
    with_imputed = ptx.benchmark(source, "H_COMP_1", include_imputed=True)
    assert without.unit_id == "100001"
    assert without.peers_counted == 4 and with_imputed.peers_counted == 7
    assert np.isnan(without.rank)  # fewer than five peers: no rank
    assert with_imputed.rank == pytest.approx(
        scipy_stats.percentileofscore([76, 72, 72, 72, 70, 85, 74], 80, "mean")
    )


def test_the_demo_places_the_demo_trust_out_of_the_box(demo_duckdb):
    source = ptx.open_source(demo_duckdb)
    choices = ptx.benchmark_choices(source)
    assert choices.own_unit == "R0X" and "FFT_INPATIENT" in choices.measures
    assert list(choices.releases) == ["2024", "2025", "2026"]
    result = ptx.benchmark(source, "FFT_INPATIENT", category="positive")
    assert result.funnel is not None and result.peers_counted == 300
    assert result.parent_name == "South East" and np.isfinite(result.parent_value)
    hcahps = ptx.benchmark(source, "H_COMP_1", release="2024")
    assert hcahps.banded and np.isfinite(hcahps.star_rating)
    latest = ptx.benchmark(source, "H_COMP_1")
    assert any("imputed" in note for note in latest.notes)


def test_a_source_without_published_results_says_how_to_add_them(tmp_path):
    from ptx.demo import write_demo

    path = tmp_path / "plain.sqlite"
    write_demo(path, rows=300, complaints=10)
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE benchmark_results"))
    engine.dispose()
    result = ptx.benchmark(ptx.open_source(path))
    assert result.unavailable and "ptx benchmarks import" in result.unavailable


def test_a_benchmarks_database_named_in_the_config(tmp_path, hcahps_db):
    from ptx.demo import write_demo

    plain = tmp_path / "own.duckdb"
    write_demo(plain, rows=300, complaints=10)
    config = tmp_path / "ptx.toml"
    config.write_text(f'[benchmarks]\nlocation = "{hcahps_db}"\nunit = "NY"\n')
    source = ptx.open_source(ptx.load_config(config, location=str(plain)))
    result = ptx.benchmark(source, "H_HSP_RATING")
    assert result.unit_id == "NY" and result.release == "07_2023"


def test_the_benchmarks_database_is_closed_with_the_source(tmp_path, hcahps_db):
    import duckdb

    from ptx.demo import write_demo

    plain = tmp_path / "own.sqlite"
    write_demo(plain, rows=300, complaints=10)
    location = tmp_path / "published.duckdb"
    shutil.copy(hcahps_db, location)
    config = tmp_path / "ptx.toml"
    config.write_text(f'[benchmarks]\nlocation = "{location}"\nunit = "NY"\n')
    source = ptx.open_source(ptx.load_config(config, location=str(plain)))
    assert ptx.benchmark(source, "H_HSP_RATING").unit_id == "NY"
    # Held open read-only by the source: this process cannot open it to write.
    with pytest.raises(duckdb.ConnectionException):
        duckdb.connect(str(location)).close()
    source.dispose()
    duckdb.connect(str(location)).close()  # released


# --- never read as patient responses ---------------------------------------------------------

FORCED = """
[tables.feedback]
name = "{name}"
id = "generate"
[tables.feedback.columns]
received_date = "Start Date"
department_id = "Facility ID"
rating = "Patient Survey Star Rating"
[tables.feedback.constants]
channel = "Inpatient survey"
rating_scale = "fft5"
[tables.feedback.values.rating]
reverse = true
"""


@pytest.mark.parametrize("name", ["hcahps_hospital_long.csv", "hcahps_wide.csv"])
def test_the_old_forced_mapping_as_feedback_gets_a_clear_error(tmp_path, name):
    shutil.copy(FILES / name, tmp_path / name)
    config = tmp_path / "ptx.toml"
    config.write_text(FORCED.format(name=name))
    with pytest.raises(ptx.SchemaError, match="published results file") as error:
        ptx.import_exports(tmp_path / name, tmp_path / "out.duckdb", config=config)
    assert "ptx benchmarks import" in str(error.value)
    assert not (tmp_path / "out.duckdb").exists()
    # Opened as a folder source, the same.
    with pytest.raises(ptx.SchemaError, match="not a patient's response"):
        ptx.open_source(ptx.load_config(config, location=str(tmp_path)))


def test_a_database_table_of_published_results_is_not_read_as_feedback(tmp_path):
    path = tmp_path / "cms.sqlite"
    engine = sa.create_engine(f"sqlite:///{path}")
    raw = pd.read_csv(FILES / "hcahps_state.csv", dtype=str)
    with engine.begin() as conn:
        raw.to_sql("feedback", conn, index=False)
        pd.DataFrame({"department_id": ["AL"], "department_name": ["AL"]}).to_sql(
            "departments", conn, index=False
        )
    engine.dispose()
    with pytest.raises(ptx.SchemaError, match="published results file"):
        ptx.open_source(path)


def test_the_command_imports_and_reports(tmp_path, capsys):
    target = tmp_path / "b.duckdb"
    status = main(["benchmarks", "import", str(FILES), "--to", str(target), "--unit", "010001"])
    out = capsys.readouterr().out
    assert status == 1  # rows were rejected, and said so
    assert "hcahps_hospital_long.csv (hcahps long, cp1252" in out and "H_COMP_9_Z" in out
    assert "identical score set" in out
    status = main(["benchmarks", "import", str(FILES / "hcahps_state.csv"), "--to", str(target)])
    assert status == 0
    engine = sa.create_engine(f"duckdb:///{target}")
    with engine.connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM benchmark_results")).scalar()
    engine.dispose()
    assert count == 134  # the state file's rows replaced by themselves, nothing doubled


def test_a_measure_not_published_for_the_units_level_says_so(hcahps_db):
    source = ptx.open_source(hcahps_db)
    result = ptx.benchmark(source, "RESPONSE_RATE", unit="AL")
    assert "not published for state units" in result.unavailable
    assert "facility" in result.unavailable


def assert_same_benchmarks(one, other, chosen) -> None:
    """Two sources give the same choices, and the same numbers, peers and trend for each
    (measure, category, release) chosen."""
    assert ptx.benchmark_choices(one) == ptx.benchmark_choices(other)
    for measure, category, release in chosen:
        a = ptx.benchmark(one, measure, category=category, release=release)
        b = ptx.benchmark(other, measure, category=category, release=release)
        assert a.unavailable is None and b.unavailable is None, a.unavailable
        assert (a.value, a.national, a.parent_value, a.star_rating) == pytest.approx(
            (b.value, b.national, b.parent_value, b.star_rating), nan_ok=True
        )
        assert (a.rank, a.rank_low, a.rank_high) == pytest.approx(
            (b.rank, b.rank_low, b.rank_high), nan_ok=True
        )
        pd.testing.assert_frame_equal(a.table(), b.table())
        pd.testing.assert_frame_equal(a.trend, b.trend)


def test_duckdb_and_sqlite_give_identical_benchmarks(demo_duckdb, demo_sqlite):
    duck, lite = ptx.open_source(demo_duckdb), ptx.open_source(demo_sqlite)
    assert_same_benchmarks(
        duck,
        lite,
        (
            ("H_COMP_1", "top", "2024"),
            ("FFT_INPATIENT", "negative", "2026"),
            ("H_HSP_RATING", "star rating", "2025"),
        ),
    )


def test_a_demo_folder_carries_its_benchmark_set(demo_csv, demo_duckdb):
    from ptx.benchmarks.demo import DEMO_UNIT

    assert (demo_csv / "benchmark_results.csv").is_file()
    folder, duck = ptx.open_source(demo_csv), ptx.open_source(demo_duckdb)
    assert ptx.benchmark_choices(folder).measures == ptx.benchmark_choices(duck).measures
    assert ptx.benchmark_choices(folder).own_unit is None  # the page asks for it
    a = ptx.benchmark(folder, "H_COMP_1", category="top", release="2024", unit=DEMO_UNIT)
    b = ptx.benchmark(duck, "H_COMP_1", category="top", release="2024", unit=DEMO_UNIT)
    assert (a.value, a.national, a.rank, a.rank_low) == pytest.approx(
        (b.value, b.national, b.rank, b.rank_low)
    )
    pd.testing.assert_frame_equal(a.table(), b.table())
    pd.testing.assert_frame_equal(a.trend, b.trend)


def test_published_files_in_a_folder_go_to_benchmark_results_with_the_import_report(
    tmp_path, demo_csv
):
    folder = tmp_path / "exports"
    folder.mkdir()
    for table in ("departments", "feedback", "complaints", "activity"):
        shutil.copy(demo_csv / f"{table}.csv", folder)
    for name in ("hcahps_hospital_long.csv", "nhs_fft_inpatient_provider.csv"):
        shutil.copy(FILES / name, folder)
    (folder / "notes.xlsx").write_bytes(b"not a workbook")  # not a table: left alone
    (folder / "empty.csv").write_bytes(b"")
    target = tmp_path / "out.duckdb"
    (tmp_path / "ptx.toml").write_text("")
    report = ptx.import_exports(folder, target, config=tmp_path / "ptx.toml")
    row = report.tables.set_index("table").loc["benchmark_results"]
    assert row["rows_read"] == row["rows_loaded"] + row["rows_quarantined"]
    assert row["rows_quarantined"] > 0  # the long file's unknown measure ids, with reasons
    reasons = report.reasons[report.reasons["table"] == "benchmark_results"]
    assert reasons["reason"].str.startswith("HCAHPS Measure ID: value is not").any()
    assert reasons["reason"].str.startswith("organisation code: required").any()
    assert reasons["rows"].sum() == row["rows_quarantined"]
    # The same rows as `ptx benchmarks import` writes from the same files: one code path.
    alone = tmp_path / "alone.duckdb"
    ptx.import_benchmarks(
        [FILES / "hcahps_hospital_long.csv", FILES / "nhs_fft_inpatient_provider.csv"], alone
    )
    engines = [sa.create_engine(f"duckdb:///{p}") for p in (target, alone)]
    frames = []
    for engine in engines:
        with engine.connect() as conn:
            frames.append(
                pd.read_sql("SELECT * FROM benchmark_results ORDER BY ALL", conn).drop(
                    columns="source_file"
                )
            )
        engine.dispose()
    assert row["records"] == len(frames[0]) > 0
    pd.testing.assert_frame_equal(frames[0], frames[1])
    source = ptx.open_source(target)
    assert ptx.benchmark(source, "H_COMP_1", unit="010001").unit_id == "010001"
    assert "feedback" in source.tables  # the patients' responses beside them, as before
    source.dispose()


def test_a_published_results_file_named_as_the_feedback_table_is_still_refused(tmp_path):
    shutil.copy(FILES / "hcahps_state.csv", tmp_path / "feedback.csv")
    (tmp_path / "ptx.toml").write_text("")
    with pytest.raises(ptx.SchemaError, match="published results file"):
        ptx.import_exports(tmp_path, tmp_path / "out.duckdb", config=tmp_path / "ptx.toml")


def test_ptx_own_layout_rejects_a_row_without_its_key(tmp_path):
    from ptx.benchmarks.demo import benchmark_frame

    frame = benchmark_frame().head(20).copy()
    frame.loc[3, "measure_id"] = None
    frame.to_csv(tmp_path / "benchmark_results.csv", index=False)
    rows, report = read_results([tmp_path / "benchmark_results.csv"])
    (file,) = report.files
    assert (file.rows_read, len(rows), len(file.rejected)) == (20, 19, 1)
    assert file.rejected[0][:2] == (4, "no measure_id")  # the fourth data row


@pytest.mark.postgres
def test_postgresql_gives_the_same_benchmarks_as_duckdb(postgres_url, tmp_path):
    """Imported into PostgreSQL and into DuckDB, the same files give the same numbers (skipped
    without PTX_TEST_POSTGRES_URL; required in CI)."""
    from ptx.demo import write_demo

    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    name = f"{sa.engine.make_url(postgres_url).database}_bench"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(postgres_url).set(database=name).render_as_string(False)
    try:
        duck = tmp_path / "duck.duckdb"
        for target in (url, duck):
            write_demo(target, rows=300, complaints=10)
            ptx.import_benchmarks([FILES], target, replace=True)
            record_own_unit(target, "010001")
        pg, dk = ptx.open_source(url), ptx.open_source(duck)
        assert_same_benchmarks(
            pg,
            dk,
            (
                ("H_COMP_1", "top", "Jan 2022 to Dec 2022"),
                ("H_COMP_2", "bottom", "Jan 2022 to Dec 2022"),
                ("H_COMP_1", "linear mean", "Jan 2013 to Dec 2013"),
            ),
        )
        pg.dispose()
        dk.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_published_results_are_catalog_measures_read_from_the_published_rows(demo_duckdb):
    source = ptx.open_source(demo_duckdb)
    result = ptx.published_results(source)
    assert result.unavailable is None and "R0X" in result.unit
    assert set(result.rows["publisher"]) == {
        "NHS England, Friends and Family Test data",
        "CMS HCAHPS (Care Compare)",
    }
    for row in result.rows.itertuples():
        m = result.measures[row.key]
        assert m.subject == "published" and m.inputs == ("published",)
        assert m.label.endswith("(published)") and ptx.measure(row.key).key == row.key
        _, measure_id, category = row.key.split(":")
        latest = list(ptx.benchmark_choices(source).releases)[-1]
        same = ptx.benchmark(source, measure_id, category=category, release=latest)
        assert (row.value, row.national, row.rank) == pytest.approx(
            (same.value, same.national, same.rank)
        )
    table = result.table(export=True)
    assert list(table.columns) == [
        "Published measure",
        "Answer",
        "Release",
        "Published by",
        "Yours",
        "National",
        "Percentile rank",
    ]
    assert not table.isin(["None", "nan", "inf"]).any().any()
    # The Excel export: the same rows, numbers as numbers.
    import io

    book = pd.read_excel(io.BytesIO(ptx.excel_bytes({"Published": table})), sheet_name="Published")
    assert list(book.columns) == list(table.columns) and len(book) == len(result.rows)
    assert book["Yours"].tolist() == [round(v) for v in result.rows["value"]]


def test_ptx_kpis_lists_the_published_results_apart(demo_duckdb, capsys):
    import json

    assert main(["kpis", str(demo_duckdb), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    published = {r["key"]: r for r in out["published"]}
    assert "published:FFT_INPATIENT:positive" in published
    assert not any(k["kpi"].startswith("published:") for k in out["kpis"])  # not a tile
    expected = ptx.published_results(ptx.open_source(demo_duckdb)).rows.set_index("key")
    for key, row in published.items():
        assert row["value"] == expected.at[key, "value"] and row["release"]
    assert main(["kpis", str(demo_duckdb)]) == 0
    text = capsys.readouterr().out
    assert "Published results of Riverside" in text and "Percentile rank" in text


def test_an_aggregate_row_can_never_feed_a_feedback_measure():
    from ptx.catalog import CATALOG, Measure, measures_for, question_measures

    mixed = dict(
        key="fft_from_published",
        label="FFT % positive",
        short="FFT",
        unit="%",
        direction="higher",
        kind="proportion",
        views=frozenset({"tile"}),
        definition="",
        method="",
    )
    with pytest.raises(ptx.PtxError, match="never combined with responses"):
        Measure(inputs=("feedback", "published"), **mixed)
    own = [*CATALOG.values(), *question_measures(["q"]).values()]
    assert all("published" not in m.inputs for m in own)
    published = ptx.measure("published:H_COMP_1:top")
    assert published.subject == "published" and not published.views
    for view in ("tile", "trend", "breakdown", "funnel"):  # never among the organisation's own
        assert all(m.subject != "published" for m in measures_for(view, ["q"]).values())


# --- invariants ------------------------------------------------------------------------------

PERCENTS = st.lists(st.integers(0, 100).map(float), min_size=1, max_size=60)


@given(PERCENTS, st.integers(0, 100).map(float), st.randoms())
def test_percentile_rank_is_within_0_100_and_ignores_order(peers, value, random):
    rank = stats.percentile_rank(value, peers)
    shuffled = list(peers)
    random.shuffle(shuffled)
    assert 0 <= rank <= 100 and stats.percentile_rank(value, shuffled) == rank
    assert stats.percentile_rank(value + 1, peers) >= rank


@given(PERCENTS, st.integers(0, 100).map(float), st.integers(1, 5000))
def test_the_rank_interval_holds_the_rank(peers, value, n):
    low, high = stats.rank_interval(value, n, peers)
    assert low <= stats.percentile_rank(value, peers) <= high

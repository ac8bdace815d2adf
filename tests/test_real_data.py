"""Real public NHS Friends and Family Test data, read in place from ../shared/data/real/.

The file is imported with the ready mapping in examples/nhs-fft-comments/ptx.toml, as a user
would (`ptx import FILE --config ...`): no code changes, no hand-made departments file. Its
hazards (see SOURCES.md): a block of month-first dates among day-first ones, up to three rows
per respondent, a code 7 outside the FFT scale, "Did not answer" for an empty comment.
"""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

import ptx
from ptx import query
from ptx.feedback import fft_summary
from tests.conftest import ROOT
from tests.test_app import run_app

FFT_FILE = "nhs_fft_comments_v6.csv"
MAPPING = ROOT / "examples" / "nhs-fft-comments" / "ptx.toml"


@pytest.fixture(scope="module")
def fft_source(shared_data, tmp_path_factory):
    target = tmp_path_factory.mktemp("fft") / "fft.duckdb"
    report = ptx.import_exports(shared_data / FFT_FILE, target, config=MAPPING)
    raw = pd.read_csv(shared_data / FFT_FILE, dtype=str, keep_default_na=False)
    source = ptx.open_source(target)
    yield source, raw, report, target
    source.dispose()


def _readings(raw: pd.DataFrame) -> pd.DataFrame:
    """Both readings of every d/m/Y or m/d/Y date, worked out here with pandas alone."""
    parts = raw["Date"].str.split("/", expand=True).astype(int)
    first, second, year = parts[0], parts[1], parts[2]
    day_first = pd.to_datetime({"year": year, "month": second, "day": first}, errors="coerce")
    month_first = pd.to_datetime({"year": year, "month": first, "day": second}, errors="coerce")
    return pd.DataFrame({"day_first": day_first, "month_first": month_first})


def test_every_row_is_loaded_or_quarantined(fft_source):
    source, raw, report, _ = fft_source
    fb = report.tables.set_index("table").loc["feedback"]
    assert fb.rows_read == len(raw) == 7908
    assert fb.rows_read == fb.rows_loaded + fb.rows_quarantined
    # Quarantined: only the rows with no service (their department is unknown).
    no_service = (raw["Service type 1"].str.strip() == "").sum()
    assert fb.rows_quarantined == no_service
    reasons = report.reasons.set_index("reason")["rows"]
    assert reasons["department_id: required value is empty"] == no_service
    # One record per respondent with a service.
    with_service = raw[raw["Service type 1"].str.strip() != ""]
    assert fb.records == with_service["Respondent ID"].nunique()
    # The value table shows how each code was read; 7 is read as no rating, as the mapping says.
    values = report.values.set_index("source_value")
    assert values.at["1", "label"] == "Very good" and values.at["5", "label"] == "Very poor"
    assert values.at["7", "label"] == "(missing)"


def test_every_date_is_read_as_the_export_meant(fft_source):
    source, raw, _, _ = fft_source
    with source.engine.connect() as conn:
        t = source.table("feedback")
        stored = dict(
            conn.execute(t.select().with_only_columns(t.c.feedback_id, t.c.received_date)).all()
        )
    rows = pd.concat([raw, _readings(raw)], axis=1)
    rows = rows[rows["Respondent ID"].isin(stored)]
    rows["stored"] = pd.to_datetime(rows["Respondent ID"].map(stored))
    only_df = rows["month_first"].isna() & rows["day_first"].notna()
    only_mf = rows["day_first"].isna() & rows["month_first"].notna()
    # 1. A value with one possible reading is read that way (and so is its respondent).
    assert (rows.loc[only_df, "stored"] == rows.loc[only_df, "day_first"]).all()
    assert (rows.loc[only_mf, "stored"] == rows.loc[only_mf, "month_first"]).all()
    assert only_mf.sum() == 289
    # 2. Every row of a respondent agrees with its one date under one of its readings.
    either = (rows["stored"] == rows["day_first"]) | (rows["stored"] == rows["month_first"])
    assert either.all()
    # 3. NEAS numbers its respondents in date order within each service (checked here on the
    # unambiguous ones): an ambiguous respondent's date lies between its numbered neighbours'.
    # Where only one reading fits between them, it must be the stored one.
    rows["prefix"] = rows["Respondent ID"].str.extract(r"^(NEAS \S+)")[0]
    rows["number"] = rows["Respondent ID"].str.extract(r"(\d+)$")[0].astype(int)
    neas = rows[rows["prefix"].notna()]
    people = neas.groupby(["prefix", "number"]).agg(
        stored=("stored", "first"),
        known=("stored", lambda s: bool((only_df | only_mf)[s.index].any())),
        day_first=("day_first", "first"),
        month_first=("month_first", "first"),
    )
    decided = 0
    for _, group in people.groupby(level="prefix"):
        known = group[group["known"]]
        assert known["stored"].is_monotonic_increasing  # the numbering follows the dates
        numbers = group.index.get_level_values("number").to_numpy()
        known_numbers = known.index.get_level_values("number").to_numpy()
        after = np.searchsorted(known_numbers, numbers)
        for i, (_, person) in enumerate(group.iterrows()):
            if person["known"] or after[i] == 0 or after[i] == len(known):
                continue
            low, high = known["stored"].iloc[after[i] - 1], known["stored"].iloc[after[i]]
            fits = [d for d in (person["day_first"], person["month_first"]) if low <= d <= high]
            if len(set(fits)) == 1:
                decided += 1
                assert person["stored"] == fits[0]
    assert decided > 100  # the check reaches the ambiguous respondents
    # 4. NHFT writes every date day-first (no month-first value anywhere in its rows).
    nhft = rows[rows["Trust"] == "NHFT"]
    assert nhft.loc[only_mf[nhft.index]].empty
    assert (nhft["stored"] == nhft["day_first"]).all()


def test_real_fft_kpis_follow_the_nhs_definition(fft_source):
    source, raw, _, _ = fft_source
    counts = query.feedback_counts(source, ptx.Filters(), by=("department_id",))
    ours = fft_summary(counts, by=["department_id"]).set_index("department_id")
    # Independent recount with pandas: one answer per respondent, codes 1-6 only (7 and blank
    # are not FFT answers), rows with a service.
    raw = raw.assign(service=raw["Service type 1"].str.strip())
    people = raw[raw["service"] != ""].drop_duplicates("Respondent ID")
    rated = people[people["FFT categorical answer"].isin(list("123456"))]
    expected = rated.groupby("service")["FFT categorical answer"].agg(
        lambda s: 100 * s.isin(["1", "2"]).sum() / len(s)
    )
    pd.testing.assert_series_equal(
        ours.loc[expected.index, "pct_positive"], expected, check_names=False
    )
    assert ours.loc[expected.index, "responses"].sum() == len(rated)


def test_monthly_fft_trend_per_trust_and_service(fft_source):
    source, _, _, _ = fft_source
    deps = query.departments(source)
    assert set(deps["site"]) == {"NEAS", "NHFT"}
    for site in ("NEAS", "NHFT"):
        f = ptx.Filters(start=date(2021, 1, 1), end=date(2022, 12, 31), sites=(site,))
        t = ptx.trend(source, "fft_pct_positive", f)
        assert len(t.chart) >= 12 and t.chart["value"].between(0, 100).all()


def test_feedback_page_on_the_real_fft_file(fft_source, monkeypatch):
    _, _, _, target = fft_source
    monkeypatch.setenv("PTX_SOURCE", str(target))
    at = run_app(
        None,
        page="pages/feedback.py",
        site="NEAS",
        dept="See and Convey",
        dates=["2021-01-01", "2022-12-31"],
    )
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["title"]["text"] == "FFT % positive by month"
    months = at.dataframe[-1].value
    assert len(months) >= 12

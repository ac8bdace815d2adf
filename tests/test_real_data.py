"""Real public NHS Friends and Family Test data, read in place from ../shared/data/real/.

The file is mapped onto the model through a config file, as a user would: no code changes.
"""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

import ptx
from ptx import query
from ptx.feedback import fft_summary
from tests.test_app import run_app

FFT_FILE = "nhs_fft_comments_v6.csv"


@pytest.fixture
def fft_source(shared_data, tmp_path):
    raw = pd.read_csv(shared_data / FFT_FILE, dtype=str, keep_default_na=False)
    services = raw.loc[raw["Service type 1"].str.strip() != "", ["Trust", "Service type 1"]]
    services = services.assign(**{"Service type 1": services["Service type 1"].str.strip()})
    departments = services.drop_duplicates("Service type 1").rename(
        columns={"Service type 1": "department_id", "Trust": "site"}
    )
    departments["department_name"] = departments["department_id"]
    departments["division"] = departments["site"]
    folder = tmp_path / "fft"
    folder.mkdir()
    departments.to_csv(folder / "departments.csv", index=False)
    pd.DataFrame(columns=[c.name for c in ptx.schema.COMPLAINTS.columns]).to_csv(
        folder / "complaints.csv", index=False
    )
    pd.DataFrame(columns=["department_id", "month", "episodes"]).to_csv(
        folder / "activity.csv", index=False
    )
    config = tmp_path / "ptx.toml"
    config.write_text(
        f"""
[source]
location = "{folder}"

[tables.feedback]
name = "{(shared_data / FFT_FILE).as_posix()}"
date_format = "%d/%m/%Y"

[tables.feedback.columns]
feedback_id = "Comment ID"
received_date = "Date"
department_id = "Service type 1"
rating = "FFT categorical answer"
comment = "FFT answer"

[tables.feedback.constants]
channel = "FFT"
rating_scale = "fft5"
"""
    )
    return ptx.open_source(ptx.load_config(config)), raw, config


def test_real_fft_file_loads_through_the_mapping(fft_source):
    source, raw, _ = fft_source
    report = ptx.validation_report(source)
    fb = report.tables.set_index("table").loc["feedback"]
    assert fb.rows_read == len(raw) == 7908
    assert fb.rows_read == fb.rows_loaded + fb.rows_quarantined
    reasons = report.reasons[report.reasons["table"] == "feedback"].set_index("reason")["rows"]
    # Each row is reported once, under its first problem, in column order.
    date_ok = pd.to_datetime(raw["Date"], format="%d/%m/%Y", errors="coerce").notna()
    service_ok = raw["Service type 1"].str.strip() != ""
    # Code 7 is outside the FFT scale (6 = don't know is inside it): quarantined, not dropped.
    assert (
        reasons["rating outside the fft5 scale (1-6)"]
        == ((raw["FFT categorical answer"] == "7") & date_ok & service_ok).sum()
    )
    assert reasons["department_id: required value is empty"] == (date_ok & ~service_ok).sum()
    # Month-first dates such as 5/31/2022 do not parse as day-first: quarantined with a reason.
    assert reasons["Date: value is not a date as %d/%m/%Y"] > 0


def test_real_fft_kpis_follow_the_nhs_definition(fft_source):
    source, raw, _ = fft_source
    counts = query.feedback_counts(source, ptx.Filters(), by=("department_id",))
    ours = fft_summary(counts, by=["department_id"]).set_index("department_id")
    # Independent recount with pandas from the raw file, over the rows that were loaded.
    loaded = query.feedback_counts(source, ptx.Filters(), by=())
    assert ours["responses"].sum() == loaded["responses"].sum()
    parsed = pd.to_datetime(raw["Date"], format="%d/%m/%Y", errors="coerce")
    ok = raw[
        (raw["FFT categorical answer"].isin(list("123456")))
        & parsed.notna()
        & (raw["Service type 1"].str.strip() != "")
    ]
    ok = ok.assign(service=ok["Service type 1"].str.strip())
    expected = ok.groupby("service")["FFT categorical answer"].apply(
        lambda s: 100 * s.isin(["1", "2"]).sum() / len(s)
    )
    pd.testing.assert_series_equal(
        ours.loc[expected.index, "pct_positive"], expected, check_names=False
    )


def test_monthly_fft_trend_per_trust_and_service(fft_source):
    source, raw, _ = fft_source
    deps = query.departments(source)
    assert set(deps["site"]) == {"NEAS", "NHFT"}
    for site in ("NEAS", "NHFT"):
        f = ptx.Filters(start=date(2021, 1, 1), end=date(2022, 12, 31), sites=(site,))
        t = ptx.trend(source, "fft_pct_positive", f)
        assert len(t.chart) >= 12 and t.chart["value"].between(0, 100).all()


def test_feedback_page_on_the_real_fft_file(fft_source, monkeypatch):
    source, raw, config = fft_source
    monkeypatch.setenv("PTX_CONFIG", str(config))
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

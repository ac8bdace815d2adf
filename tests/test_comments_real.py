"""The Comments page and calls on the real NHS FFT file, imported with its ready mapping (read in
place from ../shared/data/real/; nothing of it is copied here)."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

import ptx
from ptx.comments import comment_index
from tests.conftest import ROOT
from tests.test_app import run_app

FFT_FILE = "nhs_fft_comments_v6.csv"
MAPPING = ROOT / "examples" / "nhs-fft-comments" / "ptx.toml"
WHOLE = ptx.Filters(start="2021-01-01", end="2022-12-31")


@pytest.fixture(scope="module")
def fft(shared_data, tmp_path_factory):
    target = tmp_path_factory.mktemp("fft-comments") / "fft.duckdb"
    ptx.import_exports(shared_data / FFT_FILE, target, config=MAPPING)
    source = ptx.open_source(target)
    yield source, target
    source.dispose()


def test_the_import_tagged_every_comment_once(fft):
    source, _ = fft
    assert comment_index(source).in_source
    with source.engine.connect() as conn:
        commented = conn.execute(
            sa.text(
                "SELECT count(*) FROM feedback WHERE _ptx_reason = '' AND comment IS NOT NULL "
                "AND trim(comment) <> ''"
            )
        ).scalar()
    found = ptx.comments(source, WHOLE)
    assert found.total == commented > 4000
    assert sum(found.by_sentiment.values()) == found.total
    assert "Did not answer" not in set(found.rows["comment"])
    trends = ptx.theme_trends(source, WHOLE)
    assert len(trends.months["month"].unique()) == 18  # Apr 2021 to Sep 2022
    top = trends.top_themes(3)
    assert "staff_attitude" in top or "access_waiting" in top


def test_the_comments_page_on_the_real_file(fft, monkeypatch):
    _, target = fft
    monkeypatch.setenv("PTX_SOURCE", str(target))
    at = run_app(None, page="pages/comments.py", dates=["2021-01-01", "2022-12-31"])
    texts = [m.value for m in at.main.markdown]
    assert "comments match" in texts[0]
    details = [c.value for c in at.main.caption][1:]
    assert len(details) >= 25 and not any("None" in d or "nan" in d for d in details)
    at = run_app(
        None,
        page="pages/comments.py",
        dates=["2021-01-01", "2022-12-31"],
        comments_tab="Themes by department",
    )
    table = at.dataframe[0].value
    assert isinstance(table, pd.DataFrame) and len(table) > 12
    assert not table.isna().any().any()

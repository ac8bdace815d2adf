"""Comments flagged for follow-up: ptx's own SQLite file beside the config, never the source."""

from __future__ import annotations

import hashlib

import pytest

import ptx
from ptx.flags import flags_path
from tests.test_app import run_app


@pytest.fixture
def configured(tmp_path, monkeypatch, demo_duckdb):
    """A config beside which the flags are kept, naming the demo source."""
    config = tmp_path / "ptx.toml"
    config.write_text(f'[source]\nlocation = "{demo_duckdb}"\n')
    monkeypatch.setenv("PTX_CONFIG", str(config))
    return config


def _open():
    return ptx.open_source(ptx.load_config())


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_flag_survives_a_restart_and_exports_masked(configured, demo_duckdb):
    before = _digest(demo_duckdb)
    source = _open()
    first = ptx.comments(source, page_size=3).rows
    fid = first["feedback_id"].iloc[0]
    ptx.flag_comment(source, fid, "Call back: Dr Patel on 07700 900123", user="ann@example.org")
    ptx.flag_comment(source, first["feedback_id"].iloc[1], "second")
    source.dispose()

    again = _open()  # a new process would open it the same way
    listed = ptx.flags(again)
    assert flags_path(again) == configured.parent / "ptx-flags.sqlite"
    assert set(listed.ids) == set(first["feedback_id"].iloc[:2])
    row = listed.rows.set_index("feedback_id").loc[fid]
    assert row["flagged_by"] == "ann@example.org"
    assert row["comment"] == first.set_index("feedback_id").loc[fid, "comment"]
    csv = ptx.csv_bytes(listed.table(export=True)).decode()
    assert csv.splitlines()[0] == "Flagged (UTC),Flagged by,Note,Date,Department,Comment"
    assert "Call back" in csv
    ptx.unflag_comment(again, fid)
    assert ptx.flags(again).ids == {first["feedback_id"].iloc[1]}
    assert _digest(demo_duckdb) == before  # the hospital's source is never written


def test_flags_follow_the_viewers_access(configured):
    source = _open()
    rows = ptx.comments(source, page_size=200).rows
    mine, other = rows["department"].iloc[0], None
    other = rows.loc[rows["department"] != mine].iloc[0]
    ptx.flag_comment(source, other["feedback_id"], "not theirs")
    lead = ptx.Access(every_department=False, departments=(mine,), role="team lead")
    assert other["feedback_id"] not in ptx.flags(source, ptx.Filters(access=lead)).ids
    with pytest.raises(ptx.PtxError, match="among the comments you may see"):
        ptx.flag_comment(source, other["feedback_id"], "x", filters=ptx.Filters(access=lead))
    executive = ptx.Access(may_see_row_level=False, may_switch_suppression=False, role="executive")
    with pytest.raises(ptx.PtxError, match="executive role cannot flag"):
        ptx.flag_comment(source, other["feedback_id"], "x", filters=ptx.Filters(access=executive))
    assert ptx.flags(source, ptx.Filters(access=executive)).withheld


def test_the_page_flags_a_comment_and_lists_it(configured, demo_duckdb, monkeypatch):
    monkeypatch.setenv("PTX_SOURCE", str(demo_duckdb))
    at = run_app(demo_duckdb, "pages/comments.py")
    at.text_input(key="flag_note").set_value("Ask the ward manager").run()
    at.button(key="flag_button").click().run()
    assert not at.exception
    assert any("Flagged" in s.value for s in at.success)
    assert any("flagged for follow-up" in c.value for c in at.main.caption)
    at = run_app(demo_duckdb, "pages/comments.py", comments_tab="Flagged for follow-up")
    table = at.dataframe[0].value
    assert table["Note"].tolist() == ["Ask the ward manager"]
    assert not table.isna().any().any()
    at.button(key="unflag_button").click().run()
    assert not at.exception
    assert [i.value for i in at.main.info] == [
        "No comment is flagged. Flag one from the Comments tab."
    ]

"""The executive's Overview: Making Data Count icons on the tiles, targets from ptx.toml, the
ranked "what changed" signals and the views they open; meeting mode and its slideshow."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import ptx
from ptx import spc
from ptx.api.changes import chart_type
from ptx.errors import ConfigError
from ptx.meeting import Meeting, Slide
from ptx.targets import Targets
from tests.test_app import DASHBOARD, TIMEOUT, run_app

DEPARTMENT_TARGET = 50.0  # far below any ward's FFT % positive: it will consistently pass


@pytest.fixture(autouse=True)
def _demo_source(monkeypatch, demo_duckdb):
    monkeypatch.setenv("PTX_SOURCE", str(demo_duckdb))


def _config(tmp_path, location, text: str) -> ptx.Config:
    path = tmp_path / "ptx.toml"
    path.write_text(f'[source]\nlocation = "{location}"\n{text}')
    return ptx.load_config(path)


@pytest.fixture()
def targeted(tmp_path, demo_duckdb, monkeypatch):
    """The demo with an organisation target no process meets and a ward's own target."""
    text = (
        "[targets]\nfft_pct_positive = 99.5\ncomplaints_ack_pct = 95\n"
        f'[targets.departments."Respiratory Ward"]\nfft_pct_positive = {DEPARTMENT_TARGET}\n'
    )
    config = _config(tmp_path, demo_duckdb, text)
    monkeypatch.setenv("PTX_CONFIG", str(config.path))
    return ptx.open_source(config)


# --- targets and meeting settings -------------------------------------------------------------


def test_targets_are_read_and_a_department_overrides_only_its_own_view(tmp_path, demo_duckdb):
    config = _config(
        tmp_path,
        demo_duckdb,
        '[targets]\nfft_pct_positive = 90\n[targets.departments."Ward A"]\nfft_pct_positive = 85\n',
    )
    targets = config.targets
    assert targets.for_view("fft_pct_positive") == 90
    assert targets.for_view("fft_pct_positive", ("Ward A",)) == 85
    assert targets.for_view("fft_pct_positive", ("Ward A", "Ward B")) == 90  # several: the org's
    assert targets.for_view("nps") is None


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[targets]\nfft_positive = 90\n", "'fft_positive' is not a measure with a trend"),
        ("[targets]\nfft_pct_positive = 120\n", "outside 0 to 100"),
        ("[targets]\nnps = -101\n", "outside -100 to 100"),
        ('[targets]\nfft_pct_positive = "90%"\n', "must be a number"),
        ('[targets.departments."A"]\ncomplaints_open = 3\n', "not a measure with a trend"),
        ("[meeting]\nslide_seconds = 2\n", "slide_seconds must be 10 or more"),
        ('[meeting]\nslides = ["https://example.org/x"]\n', "is not a dashboard address"),
        ("[meeting]\nspeed = 3\n", "unknown setting(s) ['speed']"),
    ],
)
def test_bad_targets_and_meeting_settings_say_what_is_wrong(tmp_path, demo_duckdb, text, said):
    with pytest.raises(ConfigError, match=None) as raised:
        _config(tmp_path, demo_duckdb, text)
    assert said in str(raised.value)
    assert "ptx.toml" in str(raised.value)


def test_meeting_slides_are_addresses_and_wrap_around():
    meeting = Meeting(
        (Slide.parse("/"), Slide.parse("/feedback?measure=Net+Promoter+Score&dates=a&dates=b"))
    )
    assert meeting.slides[0] == Slide("", ())
    assert meeting.slides[1].page == "feedback"
    assert meeting.slides[1].params == (
        ("measure", "Net Promoter Score"),
        ("dates", "a"),
        ("dates", "b"),
    )
    assert meeting.slides[1].query == {"measure": "Net Promoter Score", "dates": ["a", "b"]}
    assert [meeting.next_slide(i) for i in range(2)] == [1, 0]
    assert Meeting().next_slide(0) == 0
    assert not Targets()


# --- the SPC readings behind the icons and signals -----------------------------------------------


def test_signal_runs_say_what_the_sentences_say_with_rule_and_side():
    values = [50.0] * 6 + [51, 49, 50, 50.5, 49.5, 50] + [58.0] * 8
    chart = spc.xmr(
        pd.DataFrame(
            {"period": pd.date_range("2024-01-01", periods=20, freq="MS"), "value": values}
        ),
        spc.SpcOptions(improvement="higher"),
    )
    runs = spc.signal_runs(chart, spc.SpcOptions(improvement="higher"))
    assert [r.text for r in runs] == spc.signal_sentences(chart, spc.SpcOptions("higher"))
    shift = next(r for r in runs if r.rule == "shift")
    assert (shift.first, shift.last, shift.side, shift.verdict) == (12, 19, 1, "improvement")


def test_a_rare_event_chart_keeps_its_variation_when_screening_would_leave_none():
    """Mostly 0% with a few jumps: screening out the jumps left a mean moving range of 0, put the
    limits on the mean and flagged every month at 0% "below the lower process limit"."""
    values = [0.0] * 5 + [6.7] + [0.0] * 8 + [5.0] + [0.0] * 5
    periods = pd.date_range("2024-01-01", periods=len(values), freq="MS")
    chart = spc.xmr(pd.DataFrame({"period": periods, "value": values}), spc.SpcOptions("lower"))
    assert (chart["upl"] > chart["mean"]).all()
    assert not chart.loc[np.asarray(values) == 0, "outside_limits"].any()


def test_tile_icons_are_the_trend_calls_own(demo_duckdb):
    """Each tile's icon is what ptx.trend says for the same measure, dates and chart."""
    source = ptx.open_source(demo_duckdb)
    changes = ptx.what_changed(source)
    assert set(changes.trends) == {
        k for k, m in ptx.measures_for("trend").items() if "tile" in m.views
    }
    for key, reading in changes.trends.items():
        m = ptx.measure(key)
        trend = ptx.trend(
            source, key, ptx.Filters(start=changes.start, end=changes.end), chart=chart_type(m)
        )
        assert reading.variation.kind == trend.variation, key
        assert reading.assurance is None  # no targets configured
        values = trend.chart["value"].tail(12).to_numpy(float)
        assert np.allclose(reading.recent, values), key
        assert reading.colour == reading.variation.colour


def test_every_signal_is_what_its_view_shows(demo_duckdb):
    """The view a signal opens (its measure, department, months and chart) shows that signal."""
    source = ptx.open_source(demo_duckdb)
    changes = ptx.what_changed(source)
    assert changes.signals, "the demo has recent signals"
    for signal in changes.signals:
        filters = ptx.Filters(
            start=signal.start,
            end=signal.end,
            departments=(signal.department,) if signal.department else (),
        )
        shown = ptx.trend(source, signal.measure.key, filters, chart=signal.chart)
        assert signal.run.text in shown.signals, signal.text
        assert signal.month >= changes.since


def test_signals_are_ranked_concerns_first_and_counted_in_words(demo_duckdb):
    source = ptx.open_source(demo_duckdb)
    changes = ptx.what_changed(source)
    order = [s.run.verdict for s in changes.signals]
    ranks = [{"concern": 0, "improvement": 1, "neutral": 2}[v] for v in order]
    assert ranks == sorted(ranks)
    counted = changes.counts()
    assert sum(counted.values()) == len(changes.signals)
    assert changes.summary().endswith(f"since {changes.since:%b %Y}.")
    table = changes.table()
    assert list(table.columns) == [
        "Verdict",
        "Where",
        "Measure",
        "Signal",
        "Latest month",
        "Sigma from mean",
    ]
    assert not table.isin(["None", "nan", "inf"]).any().any()


def test_since_narrows_the_signals_to_those_that_end_after_it(demo_duckdb):
    source = ptx.open_source(demo_duckdb)
    everything = ptx.what_changed(source, since=date(2020, 1, 1))
    recent = ptx.what_changed(source, since=date(2026, 9, 1))
    # one signal per place and measure: the rarest rule among those since the date
    assert {(s.place, s.measure.key) for s in recent.signals} <= {
        (s.place, s.measure.key) for s in everything.signals
    }
    assert all(s.month >= date(2026, 9, 1) for s in recent.signals)
    assert len(everything.signals) > len(recent.signals)


def test_targets_from_config_reach_the_assurance_icon(targeted):
    organisation = ptx.what_changed(targeted)
    assert organisation.trends["fft_pct_positive"].target == 99.5
    assert organisation.trends["fft_pct_positive"].assurance.kind == "consistent_fail"
    assert organisation.trends["complaints_ack_pct"].assurance is not None
    assert organisation.trends["nps"].assurance is None  # no target for it
    ward = ptx.what_changed(targeted, ptx.Filters(departments=["Respiratory Ward"]))
    assert ward.trends["fft_pct_positive"].target == DEPARTMENT_TARGET
    assert ward.trends["fft_pct_positive"].assurance.kind == "consistent_pass"


def test_a_restricted_viewer_gets_signals_only_from_their_departments(demo_duckdb):
    source = ptx.open_source(demo_duckdb)
    tree = ptx.hierarchy(source)
    ward = next(d for d in tree.departments if d.label == "Respiratory Ward")
    access = ptx.Access(every_department=False, departments=(ward.department_id,))
    changes = ptx.what_changed(source, ptx.Filters(access=access), since=date(2020, 1, 1))
    assert {s.place for s in changes.signals} <= {"Respiratory Ward"}


# --- the page ----------------------------------------------------------------------------------


def _icon_alts(at) -> list[str]:
    return [image.proto.imgs[0].alt for image in at.get("image")]


def test_the_overview_draws_the_icons_ptx_computed(targeted):
    at = run_app(targeted.config.location)
    changes = ptx.what_changed(targeted, scope="Whole organisation")
    expected = [
        icon.label
        for row in ptx.headline(targeted).tile_rows(6)
        for tile in row
        if tile.key in changes.trends
        for icon in (changes.trends[tile.key].variation, changes.trends[tile.key].assurance)
        if icon is not None
    ]
    assert _icon_alts(at) == expected
    assert "Will consistently miss the target" in _icon_alts(at)
    fft = next(m for m in at.metric if m.label == "FFT % positive")
    assert ptx.escape_markdown("Target: 99.5%.") in fft.proto.help


def test_each_what_changed_button_opens_the_view_it_names(demo_duckdb):
    source = ptx.open_source(demo_duckdb)
    changes = ptx.what_changed(source, scope="Whole organisation")
    at = run_app(demo_duckdb)
    buttons = [b for b in at.button if b.key and b.key.startswith("signal_")]
    assert len(buttons) == min(8, len(changes.signals))
    for signal in changes.signals[:3]:
        at = run_app(demo_duckdb)
        at.button(key=f"signal_{signal.measure.key}_{signal.department_id}").click().run()
        assert not at.exception, at.exception
        page_text = "\n".join(m.value for m in at.markdown)
        assert ptx.escape_markdown(signal.run.text) in page_text, signal.text
        assert at.session_state["dates"] == (signal.start, signal.end)
        if signal.department_id:
            assert at.session_state["dept"] == signal.department_id


def test_every_signal_is_tabled_once_its_expander_is_opened(demo_duckdb):
    changes = ptx.what_changed(ptx.open_source(demo_duckdb), scope="Whole organisation")
    assert len(changes.signals) > 8  # more than the buttons list: the expander is there
    at = run_app(demo_duckdb)
    (folded,) = [e for e in at.expander if e.label == f"All {len(changes.signals)} signals"]
    assert not folded.proto.expanded and not at.dataframe  # folded: no table, none to load
    opened = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    opened.session_state["all_signals"] = True  # as a click on it leaves it, and reruns
    opened.run()
    assert not opened.exception, opened.exception
    (shown,) = opened.dataframe
    assert len(shown.value) == len(changes.signals)


def test_meeting_mode_hides_the_sidebar_and_leaves_on_request(demo_duckdb):
    at = run_app(demo_duckdb, mode="meeting")
    styles = "\n".join(h.proto.body for h in at.get("html"))
    assert '[data-testid="stSidebar"]' in styles and "display: none" in styles
    assert "font-size: 28px" in styles
    leave = next(b for b in at.button if b.label == "Leave meeting mode")
    leave.click().run()
    assert "mode" not in at.query_params
    assert not any("font-size: 28px" in h.proto.body for h in at.get("html"))


def test_the_slideshow_steps_through_the_configured_views(tmp_path, demo_duckdb, monkeypatch):
    config = _config(
        tmp_path,
        demo_duckdb,
        '[meeting]\nslides = ["/", "/complaints?section=Backlog"]\nslide_seconds = 30\n',
    )
    monkeypatch.setenv("PTX_CONFIG", str(config.path))
    at = run_app(demo_duckdb, mode="meeting")
    assert any("View 1 of 2" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "Next").click().run()
    assert not at.exception, at.exception
    # the Complaints page, its Backlog section open (only the open section is computed)
    assert "download_complaints_backlog_table" in [b.key for b in at.get("download_button")]
    assert "download_complaints_mix_table" not in [b.key for b in at.get("download_button")]
    assert any("View 2 of 2" in c.value for c in at.caption)


def test_a_rising_theme_is_in_what_changed_and_opens_the_comments_page(tmp_path, monkeypatch):
    from tests.builders import write_source
    from tests.test_comments import _months_of_comments
    from tests.test_comments_app import _markdown

    location = write_source(tmp_path / "rising.duckdb", feedback=_months_of_comments())
    monkeypatch.setenv("PTX_SOURCE", location)
    dates = ["2024-01-01", "2025-06-30"]
    filters = ptx.Filters(start=date(2024, 1, 1), end=date(2025, 6, 30))
    rising = ptx.theme_trends(ptx.open_source(location), filters).rising
    assert rising
    at = run_app(location, dates=dates)
    at.button(key=f"theme_{rising[0].theme}").click().run()
    assert not at.exception, at.exception
    assert at.selectbox(key="trend_theme").value == rising[0].theme
    assert f"- {ptx.escape_markdown(rising[0].sentence)}" in _markdown(at)

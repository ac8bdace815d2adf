"""The measure catalog: one definition per measure, self-consistent, and found by key or label."""

import re

import pytest

import ptx
from ptx import catalog
from tests.conftest import ROOT


def test_every_measure_is_well_formed_and_defined_once():
    keys = list(ptx.CATALOG)
    assert len(keys) == len(set(keys))
    labels = [m.label for m in ptx.CATALOG.values()]
    assert len(labels) == len(set(labels))
    for m in ptx.CATALOG.values():
        assert m.direction in catalog.DIRECTIONS and m.kind in catalog.KINDS
        assert m.views and m.inputs and m.definition and m.method
        assert set(m.periods) <= {"week", "month", "quarter"}


def test_a_definition_is_written_once_in_the_code():
    """grep finds each measure's definition once: its label appears in ptx/catalog.py and in no
    other library module or page (they read it from the catalog)."""
    sources = {
        p: p.read_text()
        for p in [
            *(ROOT / "ptx").glob("*.py"),
            *(ROOT / "pages").glob("*.py"),
            ROOT / "dashboard.py",
        ]
    }
    for m in ptx.CATALOG.values():
        quoted = re.compile(r"[\"']" + re.escape(m.label) + r"[\"']")
        found = [p.name for p, text in sources.items() if quoted.search(text)]
        assert found == ["catalog.py"], (m.label, found)
        definition = [p.name for p, text in sources.items() if m.definition[:40] in text]
        assert definition == ["catalog.py"], (m.key, definition)


def test_views_list_the_measures_that_apply():
    tiles = ptx.measures_for("tile")
    assert list(tiles)[:5] == [
        "responses",
        "fft_pct_positive",
        "fft_pct_negative",
        "nps",
        "fft_response_rate",
    ]
    assert "complaints_ack_pct" in tiles and "complaints_median_days" in tiles
    funnel = ptx.measures_for("funnel")
    assert set(funnel) == {
        "fft_pct_positive",
        "fft_pct_negative",
        "fft_response_rate",
        "ltr_mean",
        "complaints_per_1000",
        "complaints_ack_pct",
        "complaints_resolved_pct",
    }
    trend = ptx.measures_for("trend", ["q1"])
    assert {"top_box:q1", "mean_answer:q1", "complaints_resolved_pct"} <= set(trend)
    assert set(ptx.measures_for("breakdown")) == {"fft_pct_positive", "fft_pct_negative", "nps"}
    with pytest.raises(ptx.PtxError, match="view must be one of"):
        ptx.measures_for("pie")


def test_a_measure_by_key_or_label_and_a_clear_error_otherwise():
    assert ptx.measure("FFT % positive") is ptx.CATALOG["fft_pct_positive"]
    assert ptx.measure("fft % POSITIVE").key == "fft_pct_positive"
    assert ptx.measure("top_box:comms_nurses").question == "comms_nurses"
    with pytest.raises(ptx.PtxError, match="Did you mean 'FFT % positive'"):
        ptx.measure("FFT % positve")


def test_the_small_number_rule_follows_the_kind():
    count = ptx.CATALOG["complaints_received"].roles
    assert set(count.counts) == {"value", "numerator", "denominator"} and not count.rates
    share = ptx.CATALOG["fft_pct_positive"].roles
    assert share.n == "denominator" and "value" in share.rates and "numerator" in share.counts
    rate = ptx.CATALOG["complaints_per_1000"].roles
    assert rate.n == "numerator" and rate.counts == ("numerator",)  # episodes are not people
    assert ptx.CATALOG["nps"].roles.counts == ("denominator",)  # a net count is not a count
    # A response rate is judged on the responses, not on the patients eligible to give one.
    response_rate = ptx.CATALOG["fft_response_rate"]
    assert response_rate.roles.n == "numerator" and response_rate.judged_on_events
    assert response_rate.roles.counts == ("numerator", "denominator")
    assert response_rate.subject == "feedback" and response_rate.periods == ("month", "quarter")


def test_one_direction_vocabulary_with_the_spc_engine():
    from ptx import spc

    assert set(catalog.DIRECTIONS) == set(spc.DIRECTIONS)
    with pytest.raises(ptx.PtxError):
        catalog.Measure(
            "x",
            "X",
            "X",
            "%",
            "increase",
            "proportion",
            ("feedback",),
            frozenset({"tile"}),
            "d",
            "m",
        )

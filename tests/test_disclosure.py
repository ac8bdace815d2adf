"""The small-number rule: decided by one function, applied the same way to every frame."""

import numpy as np
import pandas as pd
import pytest

import ptx
from ptx.disclosure import SUPPRESSED, Disclosure, Roles, apply, as_table, count_text, hidden

FRAME = pd.DataFrame({"n": [0, 3, 9, 12, 23], "rate": [np.nan, 33.3, 50.0, 75.0, 60.0]})
ROLES = Roles(counts=("n",), rates=("rate",), n="n")


def test_counts_of_one_to_seven_and_rates_below_ten_are_hidden():
    mask = hidden(FRAME, ROLES, Disclosure())
    assert mask["n"].tolist() == [False, True, False, False, False]
    assert mask["rate"].tolist() == [True, True, True, False, False]
    assert not hidden(FRAME, ROLES, Disclosure(enabled=False)).to_numpy().any()


def test_tables_show_a_star_and_exports_round_to_five():
    rule = Disclosure()
    shown = as_table(FRAME, ROLES, rule)
    assert shown["n"].tolist() == ["0", SUPPRESSED, "9", "12", "23"]
    assert shown["rate"].isna().tolist() == [True, True, True, False, False]
    exported = as_table(FRAME, ROLES, rule, export=True)
    assert exported["n"].tolist() == ["0", SUPPRESSED, "10", "10", "25"]
    off = as_table(FRAME, ROLES, Disclosure(enabled=False), export=True)
    assert off["n"].tolist() == ["0", "3", "9", "12", "23"] and off["rate"].notna().sum() == 4


def test_figures_get_nan_where_the_rule_hides():
    out = apply(FRAME, ROLES, Disclosure())
    assert out["n"].isna().tolist() == [False, True, False, False, False]
    assert out["rate"].notna().sum() == 2
    assert FRAME["n"].tolist() == [0, 3, 9, 12, 23]  # the input is not changed


def test_single_values_and_checks():
    rule = Disclosure()
    assert count_text(5, rule) == SUPPRESSED and count_text(5, Disclosure(enabled=False)) == "5"
    assert count_text(0, rule) == "0" and count_text(1234, rule) == "1,234"
    assert count_text(float("nan"), rule) == "–"
    assert rule.too_few(9) and not rule.too_few(10) and not Disclosure(False).too_few(1)
    assert rule.small_count(7) and not rule.small_count(0) and not rule.small_count(8)
    with pytest.raises(ptx.PtxError):
        Disclosure(round_to=0)


def test_the_rule_is_decided_in_disclosure_only():
    """No other module reads the thresholds: every result goes through hidden()/too_few()."""
    from tests.conftest import ROOT

    for path in [*(ROOT / "ptx").glob("*.py"), *(ROOT / "pages").glob("*.py")]:
        if path.name == "disclosure.py":
            continue
        text = path.read_text()
        assert "min_rate_n" not in text and "suppress_max" not in text, path.name

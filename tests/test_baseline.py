"""trialkit.chapters.baseline: Table 1 rebuilt from the data, with standardised differences."""

from __future__ import annotations

import numpy as np
import pytest

from trialkit import data, stats
from trialkit.chapters import baseline


@pytest.fixture(scope="module")
def tower():
    return baseline.balance("tower")


def test_every_tower_arm_row_is_used_once(tower):
    frame = data.load("tower", "baseline")
    arm_rows = frame[frame.arm.isin(["blinatumomab", "chemotherapy"])]
    counts = arm_rows[arm_rows.statistic == "count"]
    # one proportion line per category of a counted characteristic (both arms on one line)
    assert (tower.summary == "proportion").sum() == len(counts) // 2
    assert set(tower[tower.summary == "mean"].characteristic) == {"Age", "Peripheral blast count in blood"}


def test_tower_standardised_differences_by_hand(tower):
    male = tower[(tower.characteristic == "Sex") & (tower.category == "Male")].iloc[0]
    assert male.experimental == pytest.approx(162 / 271)
    assert male.control == pytest.approx(77 / 134)
    assert male.std_difference == pytest.approx(stats.standardized_difference(162 / 271, 77 / 134))
    age = tower[(tower.characteristic == "Age") & (tower.summary == "mean")].iloc[0]
    assert age.std_difference == pytest.approx(-0.3 / np.sqrt((17.1 ** 2 + 17.3 ** 2) / 2))
    assert np.isnan(tower[tower.summary == "range"].std_difference).all()
    # the largest imbalance in TOWER's Table 1 is about 0.13 (salvage phase, marrow blasts)
    assert tower.std_difference.abs().max() == pytest.approx(0.1337, abs=1e-3)


def test_tower_table1_looks_as_printed():
    t = baseline.table1("tower")
    cols = list(t.columns)
    assert cols[2] == "Blinatumomab (N=271)" and cols[3].endswith("(N=134)")
    male = t[t.Category == "Male"].iloc[0]
    assert (male[cols[2]], male[cols[3]], male["Standardised difference"]) == ("162 (59.8)", "77 (57.5)", "+0.05")
    assert male["Percent recomputed"] == "✓"
    age = t[(t.Characteristic == "Age") & (t.Category == "mean ± SD")].iloc[0]
    assert age[cols[2]] == "40.8 ± 17.1"
    assert t[(t.Characteristic == "Age") & (t.Category == "range")].iloc[0][cols[3]] == "18–78"
    # a zero count without a printed percent is shown as printed and not marked
    missing = t[t.Category == "Missing data"].iloc[0]
    assert missing[cols[2]] == "0" and missing["Percent recomputed"] == ""
    assert len(t) == len(baseline.balance("tower"))


def test_other_studies_with_medians():
    pop = data.load("inovate", "baseline").population.iloc[0]
    b = baseline.balance("inovate", pop)
    assert "median" in set(b.summary)
    assert np.isnan(b[b.summary == "median"].std_difference).all()
    assert b[b.summary == "proportion"].std_difference.notna().any()


@pytest.mark.parametrize("call,message", [
    (lambda: baseline.balance("nosuch"), "study must be one of"),
    (lambda: baseline.balance("topp2021"), "two-arm study"),
    (lambda: baseline.balance("tower", "as_treated"), "population must be one of"),
    (lambda: baseline.table1("tower", decimals=-1), "decimals must be >= 0"),
])
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()

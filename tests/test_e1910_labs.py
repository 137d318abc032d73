"""The laboratories introduced with the E1910 chapter: the funnel, subgroup credibility, harms
ascertainment and transplant timing (immortal time). Expected values are derived by hand or by an
independent implementation (lifelines), not copied from the functions' output."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as st

from trialkit import labs
from trialkit.labs import transplant_timing as immortal
from trialkit.labs.subgroup import IcemanError


# --- funnel -------------------------------------------------------------------------------------------


def test_funnel_steps_shares_and_losses():
    f = labs.funnel_steps([("a", 200), ("b", 150), ("c", 60)])
    assert list(f["n"]) == [200, 150, 60]
    assert list(f["lost"]) == [0, 50, 90]
    assert f["kept_from_previous"].tolist() == pytest.approx([100.0, 75.0, 40.0])
    assert f["kept_from_start"].tolist() == pytest.approx([100.0, 75.0, 30.0])


@pytest.mark.parametrize("steps, match", [
    ([("a", 10)], "at least two"),
    ([("a", 10), ("b", 11)], r"steps\[1\] n"),
    ([("a", 0), ("b", 0)], "positive"),
    ([("", 10), ("b", 5)], "non-empty label"),
    ([("a", 10), ("b", 2.5)], r"steps\[1\] n"),
])
def test_funnel_steps_refuses_bad_input(steps, match):
    with pytest.raises(ValueError, match=match):
        labs.funnel_steps(steps)


def test_composition_shift_by_hand():
    # 100 start, 60 in the group; 40 reach the end, 10 of them in the group.
    out = labs.composition_shift(100, 60, 40, 10)
    assert out["share_start"] == pytest.approx(60.0)
    assert out["share_end"] == pytest.approx(25.0)
    assert out["reach_group"] == pytest.approx(100 * 10 / 60)
    assert out["reach_rest"] == pytest.approx(100 * 30 / 40)
    assert out["reach_ratio"] == pytest.approx((30 / 40) / (10 / 60))


def test_composition_shift_refuses_impossible_counts():
    with pytest.raises(ValueError, match="group_end"):
        labs.composition_shift(100, 10, 40, 20)
    with pytest.raises(ValueError, match="cannot exceed"):
        labs.composition_shift(100, 90, 40, 20)
    with pytest.raises(ValueError, match="n_end"):
        labs.composition_shift(100, 10, 200, 5)


def test_diagnosis_view_scales_linearly_and_validates():
    g = labs.diagnosis_view(20, reach_shares=(0, 50, 100))
    assert g["per_100_at_start"].tolist() == pytest.approx([0.0, 10.0, 20.0])
    with pytest.raises(ValueError, match="benefit_points"):
        labs.diagnosis_view(150)
    with pytest.raises(ValueError, match="reach_shares"):
        labs.diagnosis_view(10, reach_shares=(120,))


# --- subgroup credibility ---------------------------------------------------------------------------


def test_interaction_test_equal_estimates_gives_no_evidence():
    out = labs.interaction_test((0.5, 0.25, 1.0), (0.5, 0.25, 1.0))
    assert out["ratio"] == pytest.approx(1.0)
    assert out["p"] == pytest.approx(1.0)


def test_interaction_test_matches_hand_computation():
    # intervals symmetric on the log scale: se = log(2) / 1.96 for each.
    z975 = st.norm.isf(0.025)
    a = (0.5, 0.25, 1.0)
    b = (2.0, 1.0, 4.0)
    se = math.log(2) / z975
    out = labs.interaction_test(a, b)
    assert out["se_a"] == pytest.approx(se)
    assert out["ratio"] == pytest.approx(4.0)
    z = math.log(4.0) / math.sqrt(2 * se ** 2)
    assert out["z"] == pytest.approx(z)
    assert out["p"] == pytest.approx(2 * st.norm.sf(z))
    assert out["low"] == pytest.approx(math.exp(math.log(4) - z975 * math.sqrt(2) * se))


@pytest.mark.parametrize("a, match", [((0, 0.1, 1), "hazard ratio"), ((0.5, 0.6, 1.0), "lower limit"),
                                      ((0.5, 0.2, 0.4), "upper limit")])
def test_interaction_test_refuses_bad_intervals(a, match):
    with pytest.raises(ValueError, match=match):
        labs.interaction_test(a, (0.5, 0.25, 1.0))


def test_chance_of_apparent_modification_at_the_two_sided_5_percent_point():
    se = 0.3
    t = math.exp(st.norm.isf(0.025) * math.hypot(se, se))
    g = labs.chance_of_apparent_modification(se, se, thresholds=(t,), factors=(1, 3))
    assert g["p_one"].tolist() == pytest.approx([5.0, 5.0])
    assert g["p_any"].iloc[1] == pytest.approx(100 * (1 - 0.95 ** 3))


def test_chance_of_apparent_modification_validates():
    with pytest.raises(ValueError, match="thresholds"):
        labs.chance_of_apparent_modification(0.3, 0.3, thresholds=(0.5,))
    with pytest.raises(ValueError, match="se_a"):
        labs.chance_of_apparent_modification(0.0, 0.3)


def test_common_effect_draws_spread_matches_the_standard_errors():
    d = labs.common_effect_draws(0.5, 0.4, 0.3, n=20_000, seed=1)
    log_ratio = np.log(d["ratio"])
    assert abs(log_ratio.mean()) < 0.02
    assert log_ratio.std() == pytest.approx(0.5, rel=0.03)
    assert np.exp(np.log(d["hr_a"]).mean()) == pytest.approx(0.5, rel=0.02)


ICEMAN_OK = """
subgroup: test
items:
  a_priori: {answer: Probably no, reason: r}
  prior_evidence: {answer: Probably no, reason: r}
  chance: {answer: Definitely no, reason: r, quote: q}
  few_modifiers: {answer: Probably yes, reason: r}
  cut_points: {answer: Not applicable, reason: r}
overall: {rating: Low, reason: because}
"""


def test_iceman_reads_a_valid_file(tmp_path):
    path = tmp_path / "ok.yml"
    path.write_text(ICEMAN_OK)
    table, overall = labs.iceman(path)
    assert len(table) == 5 and overall["overall"] == "Low"
    assert table["quote"].tolist()[2] == "q"


@pytest.mark.parametrize("edit, match", [
    (("Definitely no", "Maybe"), "answer"),
    (("rating: Low", "rating: Medium"), "rating"),
    (("  cut_points: {answer: Not applicable, reason: r}\n", ""), "exactly"),
    (("reason: because", "reason: ''"), "overall: needs"),
])
def test_iceman_refuses_malformed_files(tmp_path, edit, match):
    path = tmp_path / "bad.yml"
    path.write_text(ICEMAN_OK.replace(*edit))
    with pytest.raises(IcemanError, match=match):
        labs.iceman(path)


# --- harms ascertainment ----------------------------------------------------------------------------


def test_extra_needed_inverts_recorded():
    extra = labs.extra_needed(23.0, 5.0)
    assert labs.recorded(5.0, extra) == pytest.approx(23.0)
    assert extra == pytest.approx(100 * 18 / 95)
    with pytest.raises(ValueError, match="at least"):
        labs.extra_needed(4.0, 5.0)


def test_ascertainment_grid_keeps_control_fixed():
    g = labs.ascertainment_grid(5.0, true_experimental=(10,), extra=(0, 10), labels=("E", "C"))
    assert g[g["group"] == "C"]["observed"].tolist() == [5.0, 5.0]
    assert g[g["group"] == "E"]["observed"].tolist() == pytest.approx([10.0, 19.0])
    with pytest.raises(ValueError, match="labels"):
        labs.ascertainment_grid(5.0, labels=("E",))


# --- transplant timing ------------------------------------------------------------------------------


def test_transplant_timing_lab_shows_immortal_time_bias_without_an_effect():
    g = immortal.transplant_timing_lab(n_patients=300, transplant_hrs=(1.0,), n_trials=60, transplant_median_months=30)
    m = g.set_index("analysis")["median"]
    assert m["naive"] < 0.7  # a large spurious benefit
    assert 0.8 < m["time_varying"] < 1.25
    assert 0.7 < m["landmark"] < 1.4


def test_transplant_timing_lab_validates():
    with pytest.raises(ValueError, match="landmark_months"):
        immortal.transplant_timing_lab(landmark_months=60, follow_up_months=48)
    with pytest.raises(ValueError, match="transplant_hrs"):
        immortal.transplant_timing_lab(transplant_hrs=())

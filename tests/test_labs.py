"""trialkit.labs: the generic bias laboratories, run with TOWER's description (the book's numbers)
and with other trials' designs (E1910, INO-VATE ALL) to show that nothing in them is TOWER's."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import stats as st

from trialkit import data, labs, survival, synth, trials
from trialkit.appraisal import esmo

TOWER = trials.describe("tower")
#: E1910 as published, plus what a simulation needs that the article does not give: looks at a
#: quarter, half and three quarters of the 94 deaths, a control median and the accrual period.
E1910 = dataclasses.replace(trials.describe("e1910"), looks=(0.25, 0.5, 0.75, 1.0), assumed_control_median=60.0,
                            control_median=60.0, accrual_months=71.0)


def test_interim_plan_reproduces_the_obrien_fleming_boundaries():
    plan = labs.interim_plan(TOWER)
    assert list(plan["deaths"]) == [165, 248, 330]
    assert plan["z"].round(3).tolist() == [2.963, 2.359, 2.014]   # gsDesign sfLDOF, one-sided 0.025
    assert plan["alpha_spent"].iloc[-1] == pytest.approx(0.025)
    assert plan["nominal_p_two_sided"].to_numpy() == pytest.approx(2 * st.norm.sf(plan["z"].to_numpy()))
    # the HR on the boundary: exp(-z / sqrt(D * 2/3 * 1/3))
    assert plan["hr_boundary"].iloc[1] == pytest.approx(math.exp(-2.359018 / math.sqrt(248 * 2 / 9)), rel=1e-5)


def test_stop_check_at_251_deaths():
    s = labs.stop_check(TOWER)
    assert s["fraction"] == pytest.approx(251 / 330)
    # a later look spends more alpha: the boundary is lower than at exactly 75 %
    assert s["z_boundary"] < labs.interim_plan(TOWER)["z"].iloc[1]
    assert s["crossed"] and s["z_observed"] > s["z_boundary"]
    assert round(s["p_from_ci"], 2) == 0.01 and s["p_published"] == "0.01"


def test_stopping_lab_overstates_the_benefit_of_early_stoppers():
    summary, hist = labs.stopping_lab(TOWER, true_hrs=(0.7, 1.0), n_trials=300, seed=5)
    assert list(summary["true_hr"]) == [0.7, 1.0]
    assert (summary["share_stopped_early"] <= summary["power"]).all()
    assert summary["power"].iloc[0] > summary["power"].iloc[1]
    row = summary.iloc[0]
    assert row["gm_hr_stopped"] < row["gm_hr_final"] and row["exaggeration"] < 0.97
    # histogram: shares of each group sum to 100 when the group has trials
    sums = hist.groupby(["true_hr", "group"])["share"].sum()
    assert sums[(0.7, labs.STOPPED)] == pytest.approx(100) and sums[(0.7, labs.ALL)] == pytest.approx(100)
    assert (hist["bin_end"] > hist["bin_start"]).all()


def test_withdrawal_lab_as_treated_biased_only_when_prognosis_differs():
    w = labs.withdrawal_lab(TOWER, true_hrs=(0.7,), withdrawal_hrs=(1.0, 3.0), withdrawal_fractions=(0.16,), n_trials=300, seed=3)
    get = {(r.withdrawal_hr, r.analysis): r for r in w.itertuples()}
    assert get[(1.0, "as_treated")].median == pytest.approx(get[(1.0, "itt")].median, abs=0.03)
    assert get[(3.0, "as_treated")].median > get[(3.0, "itt")].median + 0.04
    assert get[(3.0, "itt")].median == pytest.approx(0.7, abs=0.04)


def test_untreated_share_is_not_the_share_who_withdrew_consent():
    """25 of 134 chemotherapy patients were never treated (19 %); 16 % of the arm withdrew consent."""
    flow = data.load("tower", "flow").set_index("id")
    treated = flow.loc["treated_chemotherapy"]
    untreated = int(treated["denominator"]) - int(treated["value_num"])
    assert TOWER.never_treated[1] == pytest.approx(untreated / int(treated["denominator"]))
    assert TOWER.never_treated[1] > TOWER.withdrawn_before_treatment[1] + 0.02
    w = labs.withdrawal_lab(TOWER, true_hrs=(0.7,), withdrawal_hrs=(1.0,), n_trials=50)
    assert sorted(w["withdrawal_fraction"].unique())[1] == pytest.approx(TOWER.never_treated[1])


def test_remission_among_treated():
    r = labs.responders_by_denominator(TOWER, (119, 33)).set_index("population")
    itt, treated = r.loc["All randomised (ITT)"], r.loc["Treated only"]
    assert (itt.n_blinatumomab, itt.n_chemotherapy, treated.n_blinatumomab, treated.n_chemotherapy) == (271, 134, 267, 109)
    assert round(itt.difference, 1) == 19.3 and round(itt.difference_low, 1) == 9.9   # Table 2, as published
    assert treated.difference == pytest.approx(100 * (119 / 267 - 33 / 109))


def test_transplant_lab_censoring_is_biased_when_arms_transplant_differently():
    t = labs.transplant_lab(TOWER, non_candidate_hrs=(1.0, 4.0), n_trials=300, seed=2)
    get = {(r.non_candidate_hr, r.pattern, r.analysis): r for r in t.itertuples()}
    ref = get[(4.0, "Twice as high after blinatumomab", "no_transplant")].median
    assert get[(4.0, "Twice as high after blinatumomab", "censored_at_transplant")].median > ref + 0.02
    assert get[(4.0, "Twice as high after chemotherapy", "censored_at_transplant")].median < ref - 0.01
    # transplant unrelated to prognosis: censoring recovers the no-transplant reference
    ref1 = get[(1.0, "Equal in both arms", "no_transplant")].median
    assert get[(1.0, "Equal in both arms", "censored_at_transplant")].median == pytest.approx(ref1, abs=0.03)
    tx = get[(1.0, "Twice as high after blinatumomab", "itt")]
    assert tx.transplanted_experimental > tx.transplanted_control > 0
    assert set(t.analysis) == set(labs.ANALYSES)


def test_rmst_lab_on_synthetic_data():
    curves, table, summary = labs.rmst_lab("tower_os", horizons=(3.0, 12.0))
    assert curves[["blinatumomab", "chemotherapy"]].iloc[0].tolist() == [1.0, 1.0]
    assert (np.diff(curves["chemotherapy"]) <= 0).all()
    f = synth.frame("tower_os")
    direct = survival.rmst_difference(f["time"], f["event"], f["arm"], tau=12.0, reference="chemotherapy")
    row = table[table.tau == 12.0].iloc[0]
    assert row["difference"] == pytest.approx(direct.difference)
    assert row["rmst_blinatumomab"] - row["rmst_chemotherapy"] == pytest.approx(row["difference"])
    assert summary["hr"] == pytest.approx(0.71, abs=0.03)
    default = labs.rmst_lab("tower_os")[1]
    assert default["tau"].iloc[0] == 1.0 and default["tau"].iloc[-1] <= summary["last_common_time"]


def test_exposure_lab_and_poisson_exposure():
    e = labs.exposure_lab({"blinatumomab": 349.4, "chemotherapy": 641.9})
    pub = e[e.scenario == "Published rates"]
    assert set(pub[pub.arm == "chemotherapy"]["rate_per_100py"]) == {641.9}
    assert (e.groupby(["scenario", "arm"])["crude_percent"].apply(lambda s: (np.diff(s) > 0).all())).all()
    m = labs.poisson_exposure_months(0.618, 349.4)
    assert 100 * (1 - math.exp(-349.4 / 100 * m / 12)) == pytest.approx(61.8)
    assert labs.poisson_exposure_months(0.45, 641.9) < m


@pytest.mark.parametrize("call,message", [
    (lambda: labs.stopping_lab(TOWER, true_hrs=(), n_trials=100), "true_hrs must be a non-empty sequence"),
    (lambda: labs.stopping_lab(TOWER, true_hrs=(0.7, 0.7), n_trials=100), "must not repeat"),
    (lambda: labs.stopping_lab(TOWER, true_hrs=(0.7,), n_trials=10), "n_trials must be >= 100"),
    (lambda: labs.withdrawal_lab(TOWER, withdrawal_fractions=(1.5,)), r"withdrawal_fractions\[0\] must be in"),
    (lambda: labs.transplant_lab(TOWER, patterns={"sometimes": (0.1,)}), r"patterns\['sometimes'\] must be"),
    (lambda: labs.rmst_lab("nosuch"), "name must be one of"),
    (lambda: labs.rmst_lab("tower_os", horizons=(100.0,)), r"horizons\[0\] must be in"),
    (lambda: labs.poisson_exposure_months(1.0, 300), r"proportion must be in \(0.0, 1.0\)"),
    (lambda: labs.poisson_exposure_months(0.5, 0), "rate_per_100py must be in"),
    (lambda: labs.exposure_lab({"a": 1.0, "b": 2.0}, months="3"), "months must be a non-empty sequence"),
])
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_esmo_grade_from_the_published_inputs():
    inp = labs.esmo_inputs(TOWER)
    assert (inp["hr_lower"], inp["median_gain"], inp["control_median"]) == (0.55, 3.7, 4.0)
    g = labs.esmo_grade(TOWER)                      # lower limit 0.55 <= 0.65 and gain 3.7 >= 3 in the <=12 stratum
    assert g.preliminary == 4 and g.grade == 5
    assert labs.esmo_grade(TOWER, qol_improved=False).grade == 4
    assert labs.esmo_grade(TOWER, "value").preliminary == 1      # 0.71 > 0.70
    assert labs.esmo_grade(TOWER, median_gain=2.5).preliminary == 3


def test_esmo_grid():
    grid = labs.esmo_grid(TOWER, gains=(1.0, 3.7))
    assert len(grid) == 3 * 2 * 2
    row = grid[(grid.hr_choice == "ci_low") & (grid.gain == 3.7) & grid.qol].iloc[0]
    assert row.grade == 5 and "improved quality of life" in row.reasons
    assert (grid.groupby(["hr_choice", "gain"])["grade"].apply(lambda s: s.max() - s.min()) == 1).all()
    with pytest.raises(ValueError, match="hr_choice must be one of"):
        labs.esmo_grade(TOWER, "median")
    with pytest.raises(ValueError, match="qol_improved must be True or False"):
        labs.esmo_grade(TOWER, qol_improved="yes")


# --- the same laboratories for other trials ------------------------------------------------------


def test_e1910_plan_and_stop_at_the_third_interim_analysis():
    plan = labs.interim_plan(E1910)
    assert list(plan["deaths"]) == [24, 47, 71, 94]
    assert plan["alpha_spent"].iloc[-1] == pytest.approx(0.025)
    assert (np.diff(plan["z"]) < 0).all()  # O'Brien-Fleming: the boundary falls at each look
    stop = labs.stop_check(E1910, look=3)
    assert stop["fraction"] == pytest.approx(57 / 94) and stop["look"] == 3
    # HR 0.41 (0.23 to 0.73): z about 3, beyond the boundary; P from the interval below E1910's 0.007 boundary
    se = (math.log(0.73) - math.log(0.23)) / (2 * st.norm.ppf(0.975))
    assert stop["crossed"] and stop["z_observed"] == pytest.approx(-math.log(0.41) / se, rel=1e-3)
    assert stop["p_from_ci"] < 0.007 and stop["p_published"] == "0.002"


def test_stopping_lab_with_e1910s_design():
    summary, hist = labs.stopping_lab(E1910, true_hrs=(0.55, 1.0), n_trials=400, seed=11)
    at = summary.set_index("true_hr")
    null, assumed = at.loc[1.0], at.loc[0.55]
    # under no effect a one-sided 0.025 design crosses rarely (about 3.3 binomial SDs above 0.025)
    assert null["power"] <= 0.025 + 3.3 * math.sqrt(0.025 * 0.975 / 400)
    assert assumed["power"] > 0.6 and assumed["share_stopped_early"] <= assumed["power"]
    assert assumed["gm_hr_stopped"] < assumed["gm_hr_final"] and assumed["exaggeration"] < 1
    r = labs.stopping_readings(summary, 0.55)
    assert r["rrr_true"] == pytest.approx(45) and r["n_trials_stop"] == 400


def test_withdrawal_lab_needs_a_share_when_the_trial_reports_none():
    with pytest.raises(ValueError, match="E1910 reports no count of treated patients"):
        labs.withdrawal_lab(E1910, n_trials=60)
    w = labs.withdrawal_lab(E1910, true_hrs=(0.55,), withdrawal_hrs=(1.0, 3.0), withdrawal_fractions=(0.2,),
                            withdrawal_arm="experimental", n_trials=200, seed=4, follow_up_months=36.0)
    get = {(r.withdrawal_hr, r.analysis): r.median for r in w.itertuples()}
    # frail patients leaving the experimental arm flatter it when they are excluded
    assert get[(3.0, "as_treated")] < get[(3.0, "itt")] - 0.02


def test_transplant_patterns_are_named_after_the_trials_arms():
    names = list(labs.transplant_patterns(E1910))
    assert names[1] == "Twice as high after blinatumomab + chemotherapy" and names[2] == "Twice as high after chemotherapy"
    t = labs.transplant_lab(E1910, non_candidate_hrs=(1.0,), n_trials=100, seed=1, follow_up_months=24.0)
    assert set(t["pattern"]) == set(names)
    r = t[(t.pattern == names[0])].set_index("analysis")["median"]
    assert r["censored_at_transplant"] == pytest.approx(r["no_transplant"], abs=0.05)


def test_rmst_lab_on_another_trials_synthetic_data():
    curves, table, summary = labs.rmst_lab("inovate_os", horizons=(6.0, 12.0))
    assert list(curves.columns) == ["time", "inotuzumab", "standard"]
    f = synth.frame("inovate_os")
    direct = survival.rmst_difference(f["time"], f["event"], f["arm"], tau=12.0, reference="standard")
    assert table.set_index("tau").loc[12.0, "difference"] == pytest.approx(direct.difference)
    assert labs.rmst_readings(table, summary, horizons=(6.0, 12.0))["tau_max"] == 12


def test_exposure_lab_with_other_arm_names():
    e = labs.exposure_lab({"inotuzumab": 100.0, "standard": 300.0}, months=(1.0, 2.0))
    equal = e[e.scenario == labs.RATE_SCENARIOS[1]]
    assert set(equal["rate_per_100py"]) == {100.0}
    one = e[(e.scenario == labs.RATE_SCENARIOS[0]) & (e.arm == "standard") & (e.months == 2.0)].iloc[0]
    assert one.crude_percent == pytest.approx(100 * (1 - math.exp(-3.0 * 2 / 12)))
    implied, defaults = labs.exposure_readings(e, {"inotuzumab": 100 * (1 - math.exp(-1.0 / 12)), "standard": 40.0})
    assert implied["implied_inotuzumab"] == pytest.approx(1.0) and defaults["inotuzumab"] == 1.0


def test_esmo_for_inovate_matches_form_2a_directly():
    inovate = dataclasses.replace(trials.describe("inovate"), primary_median_gain=1.0)
    grid = labs.esmo_grid(inovate, gains=(1.0, 3.0))
    direct = esmo.form_2a(0.58, 3.0, 6.7, qol_improved=False)
    row = grid[(grid.hr_choice == "ci_low") & (grid.gain == 3.0) & ~grid.qol & ~grid["tail"]].iloc[0]
    assert (row.preliminary, row.grade) == (direct.preliminary, direct.grade)
    # the printed 97.5 % interval (0.58 to 1.03) re-expressed at 95 %: its upper limit, 0.99, is below 1
    assert set(grid.hr_choice) == {"ci_low", "value", "ci_high"}
    with pytest.raises(ValueError, match="needs primary_median_gain"):
        labs.esmo_grid(trials.describe("e1910"))


def test_readings_name_what_the_chapters_glue():
    summary, _ = labs.stopping_lab(TOWER, true_hrs=(0.7, 1.0), n_trials=100, seed=1)
    r = labs.stopping_readings(summary, 0.7)
    assert r["p_stop_assumed"] == pytest.approx(100 * summary.iloc[0]["share_stopped_early"])
    with pytest.raises(ValueError, match="assumed_hr must be one of"):
        labs.stopping_readings(summary, 0.8)
    rem = labs.responders_readings(TOWER, labs.responders_by_denominator(TOWER, (119, 33)))
    assert rem["rem_b_treated"] == pytest.approx(100 * 119 / 267) and rem["rem_c_itt"] == pytest.approx(100 * 33 / 134)
    p = labs.plan_readings(TOWER)
    assert p["look2_deaths"] == 248 and p["stop_deaths"] == 251 and p["power_fixed_11"] > p["power_fixed"]

"""trialkit.labs: the TOWER chapter's plan and the grids of its bias laboratories."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as st

from trialkit import data, labs, survival, synth


def test_tower_inputs_come_from_the_data():
    inp = labs.tower_inputs()
    assert inp["n_per_arm"] == (271, 134)
    assert inp["planned_deaths"] == 330 and inp["deaths_at_stop"] == 251
    assert inp["fractions"] == (0.5, 0.75, 1.0)
    assert inp["assumed_hr"] == 0.70 and inp["control_median_months"] == 4.2 and inp["alpha_two_sided"] == 0.05


def test_interim_plan_reproduces_the_obrien_fleming_boundaries():
    plan = labs.interim_plan()
    assert list(plan["deaths"]) == [165, 248, 330]
    assert plan["z"].round(3).tolist() == [2.963, 2.359, 2.014]   # gsDesign sfLDOF, one-sided 0.025
    assert plan["alpha_spent"].iloc[-1] == pytest.approx(0.025)
    assert plan["nominal_p_two_sided"].to_numpy() == pytest.approx(2 * st.norm.sf(plan["z"].to_numpy()))
    # the HR on the boundary: exp(-z / sqrt(D * 2/3 * 1/3))
    assert plan["hr_boundary"].iloc[1] == pytest.approx(math.exp(-2.359018 / math.sqrt(248 * 2 / 9)), rel=1e-5)


def test_stop_check_at_251_deaths():
    s = labs.stop_check()
    assert s["fraction"] == pytest.approx(251 / 330)
    # a later look spends more alpha: the boundary is lower than at exactly 75 %
    assert s["z_boundary"] < labs.interim_plan()["z"].iloc[1]
    assert s["crossed"] and s["z_observed"] > s["z_boundary"]
    assert round(s["p_from_ci"], 2) == 0.01 and s["p_published"] == "0.01"


def test_stopping_lab_overstates_the_benefit_of_early_stoppers():
    summary, hist = labs.stopping_lab(true_hrs=(0.7, 1.0), n_trials=300, seed=5)
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
    w = labs.withdrawal_lab(true_hrs=(0.7,), withdrawal_hrs=(1.0, 3.0), withdrawal_fractions=(0.16,), n_trials=300, seed=3)
    get = {(r.withdrawal_hr, r.analysis): r for r in w.itertuples()}
    assert get[(1.0, "as_treated")].median == pytest.approx(get[(1.0, "itt")].median, abs=0.03)
    assert get[(3.0, "as_treated")].median > get[(3.0, "itt")].median + 0.04
    assert get[(3.0, "itt")].median == pytest.approx(0.7, abs=0.04)
    assert labs.withdrawal_fraction_published() == pytest.approx(0.16)


def test_untreated_share_is_not_the_share_who_withdrew_consent():
    """25 of 134 chemotherapy patients were never treated (19 %); 16 % of the arm withdrew consent."""
    flow = data.load("tower", "flow").set_index("id")
    treated = flow.loc["treated_chemotherapy"]
    untreated = int(treated["denominator"]) - int(treated["value_num"])
    assert labs.untreated_fraction_published() == pytest.approx(untreated / int(treated["denominator"]))
    assert labs.untreated_fraction_published() > labs.withdrawal_fraction_published() + 0.02


def test_remission_among_treated():
    r = labs.remission_among_treated().set_index("population")
    itt, treated = r.loc["All randomised (ITT)"], r.loc["Treated only"]
    assert (itt.n_blinatumomab, itt.n_chemotherapy, treated.n_blinatumomab, treated.n_chemotherapy) == (271, 134, 267, 109)
    assert round(itt.difference, 1) == 19.3 and round(itt.difference_low, 1) == 9.9   # Table 2, as published
    assert treated.difference == pytest.approx(100 * (119 / 267 - 33 / 109))


def test_transplant_lab_censoring_is_biased_when_arms_transplant_differently():
    t = labs.transplant_lab(non_candidate_hrs=(1.0, 4.0), n_trials=300, seed=2)
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
    curves, table, summary = labs.rmst_lab(horizons=(3.0, 12.0))
    assert curves[["blinatumomab", "chemotherapy"]].iloc[0].tolist() == [1.0, 1.0]
    assert (np.diff(curves["chemotherapy"]) <= 0).all()
    f = synth.frame("tower_os")
    direct = survival.rmst_difference(f["time"], f["event"], f["arm"], tau=12.0, reference="chemotherapy")
    row = table[table.tau == 12.0].iloc[0]
    assert row["difference"] == pytest.approx(direct.difference)
    assert row["rmst_blinatumomab"] - row["rmst_chemotherapy"] == pytest.approx(row["difference"])
    assert summary["hr"] == pytest.approx(0.71, abs=0.03)
    default = labs.rmst_lab()[1]
    assert default["tau"].iloc[0] == 1.0 and default["tau"].iloc[-1] <= summary["last_common_time"]


def test_exposure_lab_and_poisson_exposure():
    e = labs.exposure_lab()
    pub = e[e.scenario == "Published rates"]
    assert set(pub[pub.arm == "chemotherapy"]["rate_per_100py"]) == {641.9}
    assert (e.groupby(["scenario", "arm"])["crude_percent"].apply(lambda s: (np.diff(s) > 0).all())).all()
    m = labs.poisson_exposure_months(0.618, 349.4)
    assert 100 * (1 - math.exp(-349.4 / 100 * m / 12)) == pytest.approx(61.8)
    assert labs.poisson_exposure_months(0.45, 641.9) < m


@pytest.mark.parametrize("call,message", [
    (lambda: labs.stopping_lab(true_hrs=(), n_trials=100), "true_hrs must be a non-empty sequence"),
    (lambda: labs.stopping_lab(true_hrs=(0.7, 0.7), n_trials=100), "must not repeat"),
    (lambda: labs.stopping_lab(true_hrs=(0.7,), n_trials=10), "n_trials must be >= 100"),
    (lambda: labs.withdrawal_lab(withdrawal_fractions=(1.5,)), r"withdrawal_fractions\[0\] must be in"),
    (lambda: labs.transplant_lab(patterns=["sometimes"]), "patterns must be one of"),
    (lambda: labs.rmst_lab(name="nosuch"), "name must be one of"),
    (lambda: labs.rmst_lab(horizons=(100.0,)), r"horizons\[0\] must be in"),
    (lambda: labs.poisson_exposure_months(1.0, 300), r"proportion must be in \(0.0, 1.0\)"),
    (lambda: labs.poisson_exposure_months(0.5, 0), "rate_per_100py must be in"),
    (lambda: labs.exposure_lab(months="3"), "months must be a non-empty sequence"),
])
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_esmo_grade_from_the_published_inputs():
    inp = labs.esmo_inputs()
    assert (inp["hr_lower"], inp["median_gain"], inp["control_median"]) == (0.55, 3.7, 4.0)
    g = labs.esmo_grade()                      # lower limit 0.55 <= 0.65 and gain 3.7 >= 3 in the <=12 stratum
    assert g.preliminary == 4 and g.grade == 5
    assert labs.esmo_grade(qol_improved=False).grade == 4
    assert labs.esmo_grade("value").preliminary == 1      # 0.71 > 0.70
    assert labs.esmo_grade(median_gain=2.5).preliminary == 3


def test_esmo_grid():
    grid = labs.esmo_grid(gains=(1.0, 3.7))
    assert len(grid) == 3 * 2 * 2
    row = grid[(grid.hr_choice == "ci_low") & (grid.gain == 3.7) & grid.qol].iloc[0]
    assert row.grade == 5 and "improved quality of life" in row.reasons
    assert (grid.groupby(["hr_choice", "gain"])["grade"].apply(lambda s: s.max() - s.min()) == 1).all()
    with pytest.raises(ValueError, match="hr_choice must be one of"):
        labs.esmo_grade("median")
    with pytest.raises(ValueError, match="qol_improved must be True or False"):
        labs.esmo_grade(qol_improved="yes")

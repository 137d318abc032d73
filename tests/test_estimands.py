"""Exact summaries of piecewise-exponential curves, the Cox limit under non-proportional hazards, the
summaries of observed data and the endpoints table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate

from trialkit import survival, synth
from trialkit.chapters import estimands


# --- curves ---------------------------------------------------------------------------------------


def test_exponential_closed_forms():
    c = estimands.piecewise([0.1])
    assert c.median() == pytest.approx(math.log(2) / 0.1, rel=1e-12)
    assert float(c.landmark(6)) == pytest.approx(math.exp(-0.6), rel=1e-12)
    assert c.rmst(12) == pytest.approx((1 - math.exp(-1.2)) / 0.1, rel=1e-12)
    assert c.quantile(0.25) == pytest.approx(math.log(4) / 0.1, rel=1e-12)


def test_piecewise_values_by_hand():
    c = estimands.piecewise([0.2, 0.05], [0, 3])
    # S(3) = exp(-0.6); the median lies in the second piece: 3 + (ln 2 - 0.6) / 0.05
    assert float(c.survival(3)) == pytest.approx(math.exp(-0.6))
    assert float(c.survival(10)) == pytest.approx(math.exp(-0.6 - 0.35))
    assert c.median() == pytest.approx(3 + (math.log(2) - 0.6) / 0.05)
    assert float(c.hazard(2.999)) == 0.2 and float(c.hazard(3)) == 0.05
    # a median inside the first piece
    assert estimands.piecewise([0.5, 0.01], [0, 6]).median() == pytest.approx(math.log(2) / 0.5)


@pytest.mark.parametrize("tau", [0.5, 3, 7.25, 24, 60])
def test_rmst_equals_numerical_integral(tau):
    c = estimands.piecewise([0.3, 0.02, 0.1], [0, 2, 9])
    expected, _ = integrate.quad(lambda t: float(c.survival(t)), 0, tau, points=[p for p in (2, 9) if p < tau], epsabs=1e-12)
    assert c.rmst(tau) == pytest.approx(expected, rel=1e-10)


def test_zero_hazard_pieces():
    c = estimands.piecewise([0.2, 0.0], [0, 1])  # a plateau above 0.5: median never reached
    assert math.isinf(c.median())
    assert c.rmst(10) == pytest.approx((1 - math.exp(-0.2)) / 0.2 + 9 * math.exp(-0.2))
    flat_start = estimands.piecewise([0.0, 0.1], [0, 5])  # nobody fails before month 5
    assert flat_start.median() == pytest.approx(5 + math.log(2) / 0.1)


def test_sampling_reproduces_the_curve():
    c = estimands.piecewise([0.25, 0.04], [0, 4])
    t = c.sample(np.random.default_rng(1).random(200_000))
    assert np.median(t) == pytest.approx(c.median(), rel=0.02)
    assert np.mean(t > 12) == pytest.approx(float(c.survival(12)), abs=0.005)


@pytest.mark.parametrize("kwargs, match", [
    ({"hazards": [-0.1]}, "hazards"),
    ({"hazards": [0.1, 0.2], "breaks": [0]}, "breaks must have one value per hazard"),
    ({"hazards": [0.1, 0.2], "breaks": [1, 2]}, "breaks\\[0\\] must be 0"),
    ({"hazards": [0.1, 0.2, 0.3], "breaks": [0, 2, 2]}, "strictly increasing"),
    ({"hazards": [float("nan")]}, "finite"),
    ({"hazards": []}, "at least one"),
])
def test_piecewise_validates(kwargs, match):
    with pytest.raises(ValueError, match=match):
        estimands.piecewise(**kwargs)


def test_two_arms_and_its_validation():
    control, experimental = estimands.two_arms(0.1, 0.05, 0.5, 2.0, 6)
    assert experimental.hazards == pytest.approx((0.05, 0.1))
    assert control.breaks == (0.0, 6.0)
    with pytest.raises(ValueError, match="hr_late"):
        estimands.two_arms(0.1, 0.05, 0.5, 0.0, 6)
    with pytest.raises(ValueError, match="change"):
        estimands.two_arms(0.1, 0.05, 0.5, 1.0, -1)
    with pytest.raises(ValueError, match="tau"):
        control.rmst(-1)
    with pytest.raises(ValueError, match="p must be in"):
        control.quantile(1.0)


# --- average hazard ratios -----------------------------------------------------------------------


@pytest.mark.parametrize("accrual, allocation", [(0, (1, 1)), (12, (2, 1)), (30, (1, 3))])
def test_cox_limit_is_the_hazard_ratio_under_proportional_hazards(accrual, allocation):
    control, experimental = estimands.two_arms(0.2, 0.03, 0.6, 0.6, 4)
    assert estimands.cox_limit_hr(control, experimental, 24, accrual, allocation) == pytest.approx(0.6, rel=1e-9)
    assert estimands.cumulative_hazard_ratio(control, experimental, 24) == pytest.approx(0.6, rel=1e-12)


def test_cox_limit_matches_a_large_simulated_trial():
    """Crossing hazards (early harm, late benefit), administrative censoring at 18 months."""
    control, experimental = estimands.two_arms(0.12, 0.08, 1.6, 0.4, 4)
    rng = np.random.default_rng(20240725)
    n = 20_000
    t0, t1 = control.sample(rng.random(n)), experimental.sample(rng.random(n))
    time = np.minimum(np.concatenate([t0, t1]), 18.0)
    event = (np.concatenate([t0, t1]) <= 18.0).astype(int)
    frame = pd.DataFrame({"time": time, "event": event, "x": np.repeat([0, 1], n)})
    fitted = survival.cox(frame, "time", "event", ["x"]).hr("x")[0]
    limit = estimands.cox_limit_hr(control, experimental, 18)
    assert abs(math.log(fitted) - math.log(limit)) < 0.04  # about 3 standard errors of the log HR
    assert limit != pytest.approx(estimands.cumulative_hazard_ratio(control, experimental, 18), abs=0.02)


def test_cox_limit_depends_on_follow_up_when_hazards_are_not_proportional():
    control, experimental = estimands.two_arms(0.15, 0.05, 0.5, 1.5, 6)  # benefit early, harm late
    short, long_ = (estimands.cox_limit_hr(control, experimental, f) for f in (6, 36))
    assert short == pytest.approx(0.5, rel=1e-9)  # only the early period is observed
    assert long_ > short + 0.1
    # staggered entry shortens follow-up on average: the average moves back towards the early HR
    assert estimands.cox_limit_hr(control, experimental, 12, accrual=24) < long_


def test_cox_limit_validates():
    control, experimental = estimands.two_arms(0.1, 0.1, 0.7, 0.7, 6)
    with pytest.raises(ValueError, match="follow_up"):
        estimands.cox_limit_hr(control, experimental, 0)
    with pytest.raises(ValueError, match="accrual"):
        estimands.cox_limit_hr(control, experimental, 12, accrual=-1)
    with pytest.raises(ValueError, match="allocation"):
        estimands.cox_limit_hr(control, experimental, 12, allocation=(1, 0))
    with pytest.raises(ValueError, match="allocation must be a pair"):
        estimands.cox_limit_hr(control, experimental, 12, allocation=3)
    none = estimands.piecewise([0.0, 0.1], [0, 20])
    with pytest.raises(ValueError, match="events in both arms"):
        estimands.cox_limit_hr(none, experimental, 12)
    with pytest.raises(ValueError, match="t must be"):
        estimands.cumulative_hazard_ratio(none, experimental, 5)


# --- the four summaries and the grid ---------------------------------------------------------------


def test_summaries_can_disagree_in_direction():
    """Crossing curves (benefit early, harm late): median and RMST favour the experimental arm, the
    landmark rate at 48 months favours the control arm (at 36 months the curves cross)."""
    control, experimental = estimands.two_arms(0.2, 0.04, 0.4, 1.6, 6)
    s = estimands.summaries(control, experimental, landmark=48, horizon=12)
    assert estimands.summaries(control, experimental, 36, 12)["landmark_difference"] == pytest.approx(0, abs=1e-12)
    assert s["median_difference"] > 0 and s["rmst_difference"] > 0
    assert s["landmark_difference"] < 0
    assert s["median_difference"] == pytest.approx(experimental.median() - control.median())
    assert set(s) >= {"hr_cox", "hr_cumulative", "rmst_control", "landmark_experimental"}


def test_scenario_grid_matches_the_summaries():
    grid = estimands.scenario_grid([0.1, 0.2], [0.05], [0.5, 1.0], [1.5], [6], [12, 24], curve_times=[0, 12], decimals=6)
    assert len(grid) == 4
    assert {"lm0_12", "rmst1_24", "hr_24", "s1_12", "median0"} <= set(grid.columns)
    row = grid[(grid.control_early == 0.2) & (grid.hr_early == 0.5)].iloc[0]
    control, experimental = estimands.two_arms(0.2, 0.05, 0.5, 1.5, 6)
    assert row["rmst1_24"] == pytest.approx(experimental.rmst(24), abs=1e-6)
    assert row["hr_12"] == pytest.approx(estimands.cox_limit_hr(control, experimental, 12), abs=1e-6)
    assert row["s0_0"] == 1.0 and row["lm1_12"] == row["s1_12"]
    with pytest.raises(ValueError, match="hr_late"):
        estimands.scenario_grid([0.1], [0.1], [1], [], [6], [12])
    with pytest.raises(ValueError, match="times\\[0\\]"):
        estimands.scenario_grid([0.1], [0.1], [1], [1], [6], [0])


# --- observed (SYNTHETIC) data ----------------------------------------------------------------------


def test_observed_summaries_on_synthetic_tower():
    frame = synth.frame("tower_os")
    out = estimands.observed_summaries(frame, "blinatumomab", "chemotherapy", landmark=6, horizon=12).set_index("summary")
    hr = out.loc["hazard ratio"]
    assert hr["contrast"] == pytest.approx(0.71, abs=0.03) and hr["ci_low"] < hr["contrast"] < hr["ci_high"]
    chemo = frame[frame.arm == "chemotherapy"]
    assert out.loc["median", "control"] == pytest.approx(survival.median_survival(chemo["time"], chemo["event"]).median)
    km = survival.kaplan_meier(chemo["time"], chemo["event"])
    assert out.loc["landmark", "control"] == pytest.approx(float(km[km.time <= 6]["survival"].iloc[-1]))
    rd = survival.rmst_difference(frame["time"], frame["event"], frame["arm"], tau=12, reference="chemotherapy")
    assert out.loc["rmst", "contrast"] == pytest.approx(rd.difference)
    lm = out.loc["landmark"]
    assert lm["ci_low"] < lm["contrast"] < lm["ci_high"]


def test_observed_summaries_validates():
    frame = synth.frame("tower_os")
    with pytest.raises(ValueError, match="missing 'arm'"):
        estimands.observed_summaries(frame.drop(columns="arm"), "blinatumomab", "chemotherapy", 6, 12)
    with pytest.raises(ValueError, match="experimental must be one of"):
        estimands.observed_summaries(frame, "placebo", "chemotherapy", 6, 12)
    with pytest.raises(ValueError, match="landmark must not exceed"):
        estimands.observed_summaries(frame, "blinatumomab", "chemotherapy", 600, 12)


# --- the endpoints table --------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("time from randomisation until death from any cause", "Randomisation"),
    ("Time between randomization and relapse", "Randomisation"),
    ("from the first blinatumomab dose to death", "First dose of treatment"),
    ("from the first CR or CRh reached within 2 cycles to relapse or death", "Remission (responders only)"),
    ("among patients with investigator-assessed CR/CRi, events were progression or death", "Not stated in the main text (responders only)"),
    ("event is death", "Not stated in the main text"),
])
def test_time_zero(text, expected):
    assert estimands.time_zero(text) == expected


def test_endpoint_definitions_from_the_data():
    table = estimands.endpoint_definitions()
    assert list(table.columns) == ["study", "trial", "endpoint", "role", "time_zero", "definition", "location"]
    got = {(r.study, r.endpoint): (r.role, r.time_zero) for r in table.itertuples()}
    assert got[("tower", "Overall survival")] == ("Primary", "Randomisation")
    assert got[("tower", "Event-free survival")] == ("Key secondary", "Randomisation")
    assert got[("tower", "Duration of remission")] == ("Secondary", "Not stated in the main text")
    assert got[("e1910", "Relapse-free survival")] == ("Secondary", "Randomisation")
    assert got[("topp2021", "Overall survival")] == ("Main outcome (no primary endpoint named)", "First dose of treatment")
    assert got[("topp2021", "Relapse-free survival")][1] == "Remission (responders only)"
    assert got[("inovate", "Duration of remission")][1] == "Not stated in the main text (responders only)"
    sens = table[table.role == "Sensitivity analysis"]
    assert list(sens.study) == ["tower"] and sens.time_zero.iloc[0] == "Randomisation"
    efs = table[(table.study == "tower") & (table.endpoint == "Event-free survival")].iloc[0]
    assert "1 day" in efs.definition  # the non-responder rule is merged into the definition
    assert estimands.endpoint_definitions(["e1910"]).study.unique().tolist() == ["e1910"]


# --- named shapes -----------------------------------------------------------------------------------


def test_converging_preset_never_crosses_and_its_difference_shrinks():
    control, experimental = estimands.preset("converging")
    t = np.linspace(0.01, 240, 24_000)
    diff = experimental.survival(t) - control.survival(t)
    assert (diff > 0).all()                                   # never crosses, never touches
    after = t >= estimands.PRESETS["converging"].change
    assert (np.diff(diff[after]) < 0).all()                   # shrinks towards 0 after the change point
    assert diff[-1] < 0.01 * diff.max()
    assert estimands.crossing_time(control, experimental, 240) is None


@pytest.mark.parametrize("name", ["crossing", "early_harm"])
def test_crossing_presets_cross(name):
    p = estimands.PRESETS[name]
    control, experimental = estimands.preset(name)
    t_cross = estimands.crossing_time(control, experimental, 120)
    assert t_cross is not None and p.change < t_cross < 120
    # the cumulative hazards are equal where the curves cross: (hr_e - 1) H0(c) + (hr_l - 1)(H0(t) - H0(c)) = 0
    h_change = p.control_early * p.change
    expected = p.change + (1 - p.hr_early) * h_change / ((p.hr_late - 1) * p.control_late)
    assert t_cross == pytest.approx(expected, abs=1e-6)
    before, after = (float(experimental.survival(x) - control.survival(x)) for x in (t_cross - 1, t_cross + 1))
    assert before * after < 0


def test_crossing_time_ignores_touching_and_validates():
    control, experimental = estimands.preset("delayed")        # equal until the change point, then apart
    assert estimands.crossing_time(control, experimental, 60) is None
    same = estimands.two_arms(0.1, 0.1, 1.0, 1.0, 6)
    assert estimands.crossing_time(*same, 60) is None
    with pytest.raises(ValueError, match="horizon"):
        estimands.crossing_time(control, experimental, 0)
    with pytest.raises(ValueError, match="name"):
        estimands.preset("wiggly")

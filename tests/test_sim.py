"""trialkit.sim: vectorised log-rank (against lifelines and statsmodels), the trial simulator (against
patient-level data analysed by lifelines), and the qualitative behaviour and invariants of the bias
laboratories. Performance is measured by ``python -m trialkit.sim bench``, not here."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from lifelines.statistics import logrank_test
from scipy.stats import norm
from statsmodels.duration.hazard_regression import PHReg

from trialkit import sim

LN2 = math.log(2)
BASE = dict(n_per_arm=(60, 40), hazards_experimental=0.7 * LN2 / 12, hazards_control=LN2 / 12,
            accrual_months=18.0, total_events=70, event_fractions=(0.3, 0.6, 1.0))


def lifelines_chi2(t, e, g):
    """lifelines' log-rank chi-square, trial by trial (the reference implementation)."""
    return np.array([logrank_test(t[i][g[i]], t[i][~g[i]], e[i][g[i]], e[i][~g[i]]).test_statistic
                     for i in range(t.shape[0])])


def random_trials(rng, n_trials, n_patients, tied):
    t = rng.integers(1, 6, (n_trials, n_patients)).astype(float) if tied else rng.exponential(10, (n_trials, n_patients))
    e = rng.random((n_trials, n_patients)) < rng.uniform(0.3, 0.95, (n_trials, 1))
    g = rng.random((n_trials, n_patients)) < rng.uniform(0.2, 0.8, (n_trials, 1))
    g[:, 0], g[:, 1] = True, False                            # both groups present in every trial
    return t, e, g


# --------------------------------------------------------------------------------------------------
# logrank_many
# --------------------------------------------------------------------------------------------------


def test_logrank_hand_computed_example_with_ties():
    # Group 1: times 1, 2, 3+ ; group 0: times 2, 4 (+ = censored). By hand:
    #   t=1: n=5, n1=3, d=1          -> E1 = 3/5,  V = (3/5)(2/5)        = 0.24
    #   t=2: n=4, n1=2, d=2 (tied)   -> E1 = 2*2/4, V = 2 (1/2)(1/2)(2/3) = 1/3
    #   t=4: n=1, n1=0, d=1          -> E1 = 0,    V = 0
    # O1 = 2, E1 = 1.6, V = 0.24 + 1/3; O0 = 2, E0 = 2.4.
    res = sim.logrank_many([1, 2, 3, 2, 4], [1, 1, 0, 1, 1], [1, 1, 1, 0, 0])
    v = 0.24 + 1 / 3
    assert res.observed[0] == 2
    assert res.expected[0] == pytest.approx(1.6, abs=1e-14)
    assert res.variance[0] == pytest.approx(v, abs=1e-14)
    assert res.z[0] == pytest.approx(0.4 / math.sqrt(v), abs=1e-14)
    assert res.log_hr[0] == pytest.approx(0.4 / v, abs=1e-14)
    assert res.log_hr_pike[0] == pytest.approx(math.log((2 / 1.6) / (2 / 2.4)), abs=1e-14)
    assert res.events[0] == 4


@pytest.mark.parametrize("tied", [False, True], ids=["continuous", "integer-times-1-to-5"])
def test_logrank_equals_lifelines_on_many_trials(tied):
    rng = np.random.default_rng(20240 + tied)
    t, e, g = random_trials(rng, 250, 50, tied)
    res = sim.logrank_many(t, e, g)
    ref = lifelines_chi2(t, e, g)
    np.testing.assert_allclose(res.chi_square, ref, rtol=0, atol=1e-9)
    np.testing.assert_allclose(res.z ** 2, ref, rtol=0, atol=1e-9)
    p_ref = [logrank_test(t[i][g[i]], t[i][~g[i]], e[i][g[i]], e[i][~g[i]]).p_value for i in range(20)]
    np.testing.assert_allclose(res.p_value[:20], p_ref, rtol=1e-9, atol=1e-15)


def test_logrank_equals_lifelines_when_censoring_ties_events_and_groups_are_tiny():
    # censored observations at event times count as at risk; groups of size 1; a single event
    rng = np.random.default_rng(7)
    t = rng.integers(1, 3, (300, 6)).astype(float)
    e = rng.random((300, 6)) < 0.5
    e[:, 0] = True
    g = np.arange(6) < rng.integers(1, 6, (300, 1))                 # 1 to 5 patients in group 1
    res = sim.logrank_many(t, e, g)
    ok = res.variance > 0
    assert ok.sum() > 200
    np.testing.assert_allclose(res.chi_square[ok], lifelines_chi2(t[ok], e[ok], g[ok]), rtol=0, atol=1e-9)


def test_fast_path_agrees_with_tie_grouping_on_untied_data():
    rng = np.random.default_rng(3)
    t, e, g = random_trials(rng, 40, 30, tied=False)
    res = sim.logrank_many(t, e, g)
    order = np.argsort(t, axis=1)
    ts, es, gs = (np.take_along_axis(a, order, 1) for a in (t, e, g))
    d, n1, n = sim._tied_terms(ts, es, gs, g.sum(axis=1))
    p = n1 / n
    np.testing.assert_allclose(res.expected, (d * p).sum(axis=1), rtol=1e-13)
    np.testing.assert_allclose(res.variance, (d * p * (1 - p) * (n - d) / np.maximum(n - 1, 1)).sum(axis=1), rtol=1e-13)


def test_logrank_sign_symmetry_and_row_independence():
    rng = np.random.default_rng(11)
    t, e, g = random_trials(rng, 30, 40, tied=True)
    res = sim.logrank_many(t, e, g)
    swapped = sim.logrank_many(t, e, ~g)
    np.testing.assert_allclose(swapped.z, -res.z, atol=1e-12)
    perm = rng.permutation(40)
    shuffled = sim.logrank_many(t[:, perm], e[:, perm], g[:, perm])
    np.testing.assert_allclose(shuffled.z, res.z, atol=1e-12)
    one = sim.logrank_many(t[5], e[5].astype(int), g[5].astype(int))   # 1-D input: one trial, 0/1 ints
    assert one.z.shape == (1,) and one.z[0] == pytest.approx(res.z[5], abs=1e-12)


def test_logrank_negative_z_favours_group_one():
    rng = np.random.default_rng(5)
    g = np.broadcast_to(np.arange(400) < 200, (50, 400))
    t = rng.exponential(1.0, (50, 400)) / np.where(g, 0.5, 1.0)       # group 1 hazard halved
    res = sim.logrank_many(t, np.ones_like(g), g)
    assert (res.z < 0).all() and (res.log_hr < 0).all()
    assert np.mean(res.log_hr) == pytest.approx(math.log(0.5), abs=0.06)


def test_logrank_internal_chunks_do_not_change_results():
    rng = np.random.default_rng(9)
    t, e, g = random_trials(rng, 1200, 400, tied=False)            # 1200 rows > one default chunk (500)
    whole = sim.logrank_many(t, e, g)
    part = sim.logrank_many(t[700:720], e[700:720], g[700:720])
    np.testing.assert_array_equal(whole.z[700:720], part.z)
    assert whole.z.shape == (1200,)


def test_logrank_undefined_when_one_group_is_empty():
    res = sim.logrank_many([[1, 2, 3]], [[1, 1, 0]], [[1, 1, 1]], cox=True)
    assert np.isnan(res.z[0]) and np.isnan(res.log_hr[0]) and np.isnan(res.cox_log_hr[0])
    assert res.variance[0] == 0


@pytest.mark.parametrize("tied", [False, True], ids=["continuous", "integer-times-1-to-5"])
def test_cox_estimate_equals_statsmodels_breslow(tied):
    rng = np.random.default_rng(42 + tied)
    t, e, g = random_trials(rng, 40, 60, tied)
    if not tied:
        t = np.where(g, 1.8 * t, t)                                 # a real effect
    res = sim.logrank_many(t, e, g, cox=True)
    ref = [PHReg(t[i], g[i].astype(float)[:, None], status=e[i].astype(int), ties="breslow").fit(tol=1e-12).params[0]
           for i in range(t.shape[0])]
    np.testing.assert_allclose(res.cox_log_hr, ref, rtol=0, atol=1e-8)


def test_cox_estimate_is_nan_when_infinite():
    # all events in group 1 (+inf) / the only group-1 event happens when group 0 has left (-inf)
    res = sim.logrank_many([[1, 2, 3, 4], [1, 2, 3, 4]], [[1, 1, 0, 0], [1, 1, 0, 1]], [[1, 1, 0, 0], [0, 0, 1, 1]], cox=True)
    assert np.isnan(res.cox_log_hr).all()
    assert np.isfinite(res.z).all()


def test_logrank_frame():
    rng = np.random.default_rng(1)
    t, e, g = random_trials(rng, 5, 20, tied=False)
    df = sim.logrank_many(t, e, g, cox=True).to_frame()
    assert list(df.columns) == ["trial", "observed", "expected", "variance", "events", "z", "chi_square", "p_value",
                                "log_hr", "hr", "log_hr_pike", "cox_log_hr", "cox_hr"]
    assert len(df) == 5
    np.testing.assert_allclose(df.hr, np.exp(df.log_hr))


@pytest.mark.parametrize("args,message", [
    (([[1, 2]], [[1, 0]], [[1, 0, 1]]), "events and groups must have the shape of times"),
    (([[1, -2]], [[1, 0]], [[1, 0]]), r"times must be finite real numbers in \[0, inf\)"),
    (([[1, np.nan]], [[1, 0]], [[1, 0]]), r"times must be finite real numbers in \[0, inf\)"),
    (([["a", "b"]], [[1, 0]], [[1, 0]]), r"times must be real numbers in \[0, inf\)"),
    (([[1, 2]], [[2, 0]], [[1, 0]]), "events must contain only 0 and 1"),
    (([[1, 2]], [[1, 0]], [[1, 0.5]]), "groups must contain only 0 and 1"),
    ((np.ones((2, 2, 2)), np.ones((2, 2, 2)), np.ones((2, 2, 2))), r"times must be a 2-D array"),
    (([], [], []), r"times must be a 2-D array"),
])
def test_logrank_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        sim.logrank_many(*args)


def test_logrank_rejects_non_boolean_cox():
    with pytest.raises(ValueError, match="cox must be True or False"):
        sim.logrank_many([1, 2], [1, 1], [1, 0], cox="yes")


# --------------------------------------------------------------------------------------------------
# simulate_trials / simulate_patients
# --------------------------------------------------------------------------------------------------


def analyse_look(df: pd.DataFrame, target: int):
    """Independent pandas/lifelines analysis of one trial's patient data at the look with `target` events."""
    observed = df.event_month <= df.dropout_month
    calendar = np.where(observed, df.entry_month + df.event_month, np.inf)
    look = np.sort(calendar)[target - 1]
    enrolled = df.entry_month <= look
    event = calendar <= look
    time = np.where(event, df.event_month, np.minimum(df.dropout_month, look - df.entry_month))
    exp = (df.arm == "experimental").to_numpy()
    a, b = enrolled & exp, enrolled & ~exp
    chi2 = logrank_test(time[a], time[b], event[a], event[b]).test_statistic
    return look, int(event.sum()), chi2


@pytest.mark.parametrize("extra,targets", [
    ({}, [21, 42, 70]),
    ({"dropout_hazard": 0.01, "breakpoints": (4.0, 10.0), "hazards_experimental": (0.02, 0.05, 0.03),
      "hazards_control": (0.08, 0.05, 0.04), "total_events": 45}, [14, 27, 45]),   # 13.5 rounds up to 14
], ids=["exponential", "piecewise-with-dropout"])
def test_simulated_looks_match_lifelines_on_the_patient_data(extra, targets):
    kw = {**BASE, **extra}
    res = sim.simulate_trials(6, seed=123, **kw)
    pats = sim.simulate_patients(6, seed=123, **{k: v for k, v in kw.items() if k not in ("total_events", "event_fractions")})
    assert list(res.target_events) == targets
    for i, df in pats.groupby("trial"):
        for j, target in enumerate(res.target_events):
            look, events, chi2 = analyse_look(df, target)
            assert res.time[i, j] == look
            assert res.events[i, j] == events == target
            assert res.z[i, j] ** 2 == pytest.approx(chi2, abs=1e-9)
    np.testing.assert_allclose(res.log_hr * np.sqrt(res.variance), res.z, rtol=1e-12)
    assert (np.diff(res.time, axis=1) > 0).all()


def test_results_do_not_depend_on_chunk_size_and_seed_reproduces():
    a = sim.simulate_trials(23, seed=5, **BASE)
    b = sim.simulate_trials(23, seed=5, chunk_size=4, **BASE)
    c = sim.simulate_trials(23, seed=np.random.default_rng(5), chunk_size=1, **BASE)
    d = sim.simulate_trials(23, seed=6, **BASE)
    for x in (b, c):
        for key in ("events", "time", "z", "log_hr", "variance"):
            np.testing.assert_array_equal(getattr(a, key), getattr(x, key))
    assert not np.array_equal(a.z, d.z)


def test_frame_is_tidy():
    res = sim.simulate_trials(4, seed=1, **BASE)
    df = res.to_frame()
    assert list(df.columns) == ["trial", "look", "fraction", "events", "time", "z", "log_hr", "hr", "variance"]
    assert len(df) == 12
    assert df.look.tolist() == [1, 2, 3] * 4
    np.testing.assert_allclose(df.hr, np.exp(df.log_hr))
    cox = sim.simulate_trials(4, seed=1, cox=True, **BASE)
    assert {"cox_log_hr", "cox_hr"} <= set(cox.to_frame().columns)
    np.testing.assert_array_equal(cox.z, res.z)


def test_piecewise_exponential_event_times_follow_the_cumulative_hazard():
    hazards, breaks = np.array([0.2, 0.05, 0.1]), np.array([3.0, 9.0])
    pats = sim.simulate_patients(100, seed=8, n_per_arm=(1000, 1000), hazards_experimental=hazards,
                                 hazards_control=hazards / 2, breakpoints=breaks)
    for arm, h in (("experimental", hazards), ("control", hazards / 2)):
        t = pats.loc[pats.arm == arm, "event_month"].to_numpy()
        for x in (1.0, 3.0, 6.0, 9.0, 15.0):
            cum = h[0] * min(x, 3) + h[1] * min(max(x - 3, 0), 6) + h[2] * max(x - 9, 0)
            s = math.exp(-cum)
            se = math.sqrt(s * (1 - s) / t.size)
            assert np.mean(t > x) == pytest.approx(s, abs=4.5 * se), (arm, x)


def test_accrual_dropout_and_allocation():
    pats = sim.simulate_patients(200, seed=4, n=300, allocation=(2, 1), hazards_experimental=0.05,
                                 hazards_control=0.05, accrual_months=30.0, dropout_hazard=0.05)
    counts = pats[pats.trial == 0].arm.value_counts()
    assert counts["experimental"] == 200 and counts["control"] == 100
    assert pats.entry_month.between(0, 30).all()
    assert pats.entry_month.mean() == pytest.approx(15.0, abs=0.15)
    # competing exponentials: P(dropout first) = 0.05 / (0.05 + 0.05)
    assert np.mean(pats.dropout_month < pats.event_month) == pytest.approx(0.5, abs=0.01)
    assert np.isinf(sim.simulate_patients(1, seed=4, hazards_experimental=0.1, hazards_control=0.1).dropout_month).all()


def test_null_z_is_standard_normal_and_information_is_a_quarter_of_the_events():
    res = sim.simulate_trials(4000, seed=10, n_per_arm=(150, 150), hazards_experimental=0.05, hazards_control=0.05,
                              total_events=200, event_fractions=(0.5, 1.0))
    assert res.z.mean(axis=0) == pytest.approx([0, 0], abs=0.07)
    assert res.z.std(axis=0) == pytest.approx([1, 1], abs=0.05)
    # 1:1 randomisation: V ~ D/4 (Schoenfeld, Biometrika 1981), slightly less as the arms drift apart
    assert (res.variance.mean(axis=0) / res.events.mean(axis=0)) == pytest.approx([0.25, 0.25], abs=0.005)
    assert np.corrcoef(res.z[:, 0], res.z[:, 1])[0, 1] == pytest.approx(math.sqrt(0.5), abs=0.04)


def test_estimates_centre_on_the_true_hazard_ratio():
    res = sim.simulate_trials(2000, seed=12, cox=True, **{**BASE, "n_per_arm": (200, 200), "total_events": 300})
    for est in (res.log_hr, res.cox_log_hr):
        assert est[:, -1].mean() == pytest.approx(math.log(0.7), abs=0.02)
    # power with 300 events (Schoenfeld, Biometrika 1981): Phi(sqrt(300/4) |log 0.7| - 1.96) = 0.87
    power = norm.cdf(math.sqrt(300 / 4) * abs(math.log(0.7)) - 1.96)
    assert (res.z[:, -1] < -1.96).mean() == pytest.approx(power, abs=0.03)


def test_unreachable_target_is_reported_with_the_events_seen():
    kw = dict(n_per_arm=(10, 10), hazards_experimental=0.05, hazards_control=0.05, dropout_hazard=0.2,
              total_events=20, event_fractions=(0.5, 1.0))
    res = sim.simulate_trials(5, seed=2, **kw)
    pats = sim.simulate_patients(5, seed=2, **{k: v for k, v in kw.items() if k not in ("total_events", "event_fractions")})
    for i, df in pats.groupby("trial"):
        observed = df.event_month <= df.dropout_month
        assert res.events[i, 0] == min(10, observed.sum())
        assert res.events[i, 1] == observed.sum() < 20
        if observed.any():
            assert res.time[i, 1] == (df.entry_month + df.event_month)[observed].max()
        else:
            assert np.isnan(res.time[i, 1]) and np.isnan(res.z[i, 1])


@pytest.mark.parametrize("kwargs,message", [
    ({"n_trials": 0}, "n_trials must be >= 1"),
    ({"n_trials": 2.5}, "n_trials must be an integer"),
    ({"hazards_experimental": 0}, r"hazards_experimental must be in \(0, inf\)"),
    ({"hazards_control": -0.1}, r"hazards_control must be in \(0, inf\)"),
    ({"hazards_control": (0.1, 0.2)}, r"hazards_control must have 1 value\(s\)"),
    ({"hazards_control": "0.1"}, "hazards_control must be a number"),
    ({"breakpoints": (5, 3), "hazards_control": (0.1, 0.1, 0.1)}, "breakpoints must be strictly increasing"),
    ({"breakpoints": (0, 3)}, r"breakpoints must be in \(0, inf\)"),
    ({"event_fractions": (0.5, 0.3)}, "event_fractions must be strictly increasing"),
    ({"event_fractions": (0.5, 1.2)}, r"event_fractions must be in \(0.0, 1.0\]"),
    ({"event_fractions": (0.001, 1.0)}, "must round to >= 1 event"),
    ({"total_events": 101}, "total_events must be <= 100"),
    ({"total_events": 0}, "total_events must be >= 1"),
    ({"accrual_months": -1}, r"accrual_months must be in \[0.0, inf\]"),
    ({"dropout_hazard": -0.1}, r"dropout_hazard must be in \[0.0, inf\]"),
    ({"seed": -1}, "seed must be an integer >= 0 or a numpy Generator"),
    ({"seed": 1.5}, "seed must be an integer >= 0 or a numpy Generator"),
    ({"chunk_size": 0}, "chunk_size must be >= 1"),
    ({"n_per_arm": (60,)}, r"n_per_arm must be a pair"),
    ({"n_per_arm": (60, 0)}, "n_per_arm must be >= 1"),
    ({"n_per_arm": None, "n": 1}, "n must be >= 2"),
    ({"n_per_arm": None, "n": 100, "allocation": 0.5}, r"allocation must be a pair \(experimental, control\)"),
    ({"n_per_arm": None, "n": 100, "allocation": (2, 0)}, r"allocation\[1\] must be in \(0.0, inf\]"),
    ({"n_per_arm": None, "n": 100, "allocation": (1, 1, 1)}, r"allocation must be a pair"),
    ({"n_per_arm": None, "n": 3, "allocation": (1, 100)}, "allocation must leave at least one patient per arm"),
    ({"n": 100}, "n_per_arm must be None when n is given"),
    ({"cox": 1}, "cox must be True or False"),
])
def test_simulate_trials_rejects_bad_arguments(kwargs, message):
    args = {"n_trials": 2, "seed": 1, **BASE}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        sim.simulate_trials(**args)


def test_simulate_patients_validates_too():
    with pytest.raises(ValueError, match="n_trials must be >= 1"):
        sim.simulate_patients(0, seed=1, hazards_experimental=0.1, hazards_control=0.1)
    with pytest.raises(ValueError, match=r"hazards_experimental must be in \(0, inf\)"):
        sim.simulate_patients(1, seed=1, hazards_experimental=-1, hazards_control=0.1)


# --------------------------------------------------------------------------------------------------
# bias laboratories
# --------------------------------------------------------------------------------------------------

# Lan-DeMets O'Brien-Fleming-type efficacy boundaries (z) for 4 equally spaced looks, two-sided 0.05
# (as printed by group-sequential software such as gsDesign or rpact); only inputs here.
OBF4 = [4.33, 2.96, 2.36, 2.01]


def test_stopping_bias_exaggerates_the_effect_in_early_stoppers():
    df = sim.stopping_bias(0.7, [0.25, 0.5, 0.75, 1.0], OBF4, seed=1, n_trials=3000)
    early = df[df.stopped_early]
    assert 0.3 < df.stopped_early.mean() < 0.9
    assert early.cox_log_hr.mean() < math.log(0.7) - 0.05           # exaggerated: HR further below 0.7
    assert df.final_cox_log_hr.mean() == pytest.approx(math.log(0.7), abs=0.015)   # no stopping: unbiased
    assert df.log_hr.mean() < df.final_log_hr.mean()
    by_look = early.groupby("stop_look").cox_log_hr.mean()
    assert by_look.is_monotonic_increasing                          # the earlier the stop, the larger the bias


def test_stopping_bias_invariants():
    fr, b = [0.25, 0.5, 0.75, 1.0], OBF4
    df = sim.stopping_bias(0.8, fr, b, seed=2, n_trials=400, total_events=200)
    res = sim.simulate_trials(400, seed=2, n_per_arm=(200, 200), hazards_experimental=0.8 * LN2 / 12,
                              hazards_control=LN2 / 12, total_events=200, accrual_months=24.0, event_fractions=fr)
    crosses = res.z <= -np.array(b)
    for row in df.itertuples():
        k = row.stop_look - 1
        assert not crosses[row.trial, :k].any()
        assert row.crossed == crosses[row.trial, k]
        assert row.stopped_early == (k < 3) and (row.crossed or k == 3)
        assert row.z == res.z[row.trial, k] and row.events == res.events[row.trial, k]
    assert df.stop_fraction.isin(fr).all()
    never = sim.stopping_bias(0.8, fr, [50, 50, 50, 2.0], seed=2, n_trials=400, total_events=200)
    assert (never.stop_look == 4).all() and not never.stopped_early.any()
    np.testing.assert_array_equal(never.final_log_hr, df.final_log_hr)


@pytest.mark.parametrize("kwargs,message", [
    ({"true_hr": 0}, r"true_hr must be in \(0.0, inf\]"),
    ({"boundaries_z": [2.0]}, r"boundaries_z must have one value per look \(2\)"),
    ({"boundaries_z": [2.0, -1.0]}, r"boundaries_z must be in \(0, inf\)"),
    ({"fractions": [0.5, 0.5]}, "fractions must be strictly increasing"),
    ({"control_hazard": 0}, r"control_hazard must be in \(0.0, inf\]"),
    ({"n_trials": 0}, "n_trials must be >= 1"),
])
def test_stopping_bias_rejects_bad_arguments(kwargs, message):
    args = {"true_hr": 0.7, "fractions": [0.5, 1.0], "boundaries_z": [2.8, 1.97], "seed": 1, "n_trials": 10}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        sim.stopping_bias(**args)


def test_naive_looks_reproduce_armitage_mcpherson_rowe():
    # Repeated two-sided testing at |Z| >= 1.96 after each of K equal groups: overall type I error
    # 0.083 (K=2), 0.107 (K=3), 0.142 (K=5) (Armitage, McPherson and Rowe, JRSS A 1969; Jennison and
    # Turnbull, Group Sequential Methods 2000, Table 1.1).
    df = sim.naive_looks_type1([0.2, 0.4, 0.6, 0.8, 1.0], seed=3, n_trials=20_000)
    assert df.cumulative_type1.iloc[-1] == pytest.approx(0.142, abs=4 * df.mc_se.iloc[-1])
    assert df.cumulative_type1.iloc[0] == pytest.approx(0.05, abs=4 * df.mc_se.iloc[0])
    assert df.reject_at_look.to_numpy() == pytest.approx(0.05, abs=0.008)   # each look alone is a 5 % test
    assert df.cumulative_type1.is_monotonic_increasing
    np.testing.assert_allclose(df.first_reject_at_look.cumsum(), df.cumulative_type1)
    two = sim.naive_looks_type1([0.5, 1.0], seed=3, n_trials=20_000)
    assert two.cumulative_type1.iloc[-1] == pytest.approx(0.083, abs=4 * two.mc_se.iloc[-1])


def test_naive_looks_one_sided_is_half():
    two = sim.naive_looks_type1([0.5, 1.0], seed=4, n_trials=4000)
    one = sim.naive_looks_type1([0.5, 1.0], seed=4, n_trials=4000, sided=1)
    assert (one.cumulative_type1 <= two.cumulative_type1).all()
    assert one.cumulative_type1.iloc[-1] == pytest.approx(0.0415, abs=0.012)   # half of 0.083


@pytest.mark.parametrize("kwargs,message", [
    ({"z": 0}, r"z must be in \(0.0, inf\]"),
    ({"sided": 3}, "sided must be 1 or 2"),
    ({"sided": True}, "sided must be 1 or 2"),
    ({"fractions": [0.0, 1.0]}, r"fractions must be in \(0.0, 1.0\]"),
    ({"seed": "1"}, "seed must be an integer"),
])
def test_naive_looks_rejects_bad_arguments(kwargs, message):
    args = {"fractions": [0.5, 1.0], "seed": 1, "n_trials": 10}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        sim.naive_looks_type1(**args)


def test_immortal_time_naive_is_biased_and_landmark_is_not():
    df = sim.immortal_time(seed=5, n_trials=400)
    naive = df[df.analysis == "naive"]
    land = df[df.analysis == "landmark"]
    assert naive.cox_hr.notna().all() and naive.cox_hr.max() < 0.5   # strong spurious "benefit" of response
    # a response counts only before death and within follow-up: P = r/(r+h) (1 - exp(-(r+h) 36))
    r, h = LN2 / 2, LN2 / 8
    share = r / (r + h) * (1 - math.exp(-(r + h) * 36))
    assert naive.n_responders.mean() / 400 == pytest.approx(share, abs=0.01)
    se = land.cox_log_hr.std() / math.sqrt(len(land))
    assert abs(land.cox_log_hr.mean()) < 4 * se                       # no effect after the landmark
    assert (naive.n == 400).all() and (land.n < 400).all() and (land.n > 0).all()
    assert (land.n_responders.to_numpy() <= naive.n_responders.to_numpy()).all()
    assert (land.events.to_numpy() <= naive.events.to_numpy()).all()
    assert list(df.columns) == ["trial", "analysis", "n", "n_responders", "events", "z", "log_hr", "hr",
                                "cox_log_hr", "cox_hr"]
    assert df.analysis.tolist()[:4] == ["naive", "landmark", "naive", "landmark"]


@pytest.mark.parametrize("kwargs,message", [
    ({"landmark_months": 40.0}, r"landmark_months must be in \(0.0, 36.0\)"),
    ({"death_hazard": 0}, r"death_hazard must be in \(0.0, inf\]"),
    ({"response_hazard": -1}, r"response_hazard must be in \(0.0, inf\]"),
    ({"n_patients": 1}, "n_patients must be >= 2"),
    ({"follow_up_months": 0}, r"follow_up_months must be in \(0.0, inf\]"),
])
def test_immortal_time_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sim.immortal_time(seed=1, n_trials=5, **kwargs)


def paired(df, a, b, col="cox_log_hr"):
    wide = df.pivot(index="trial", columns="analysis", values=col)
    diff = wide[b] - wide[a]
    return diff.mean(), diff.std() / math.sqrt(len(diff))


def test_censoring_at_transplant_removes_the_effect_through_transplant():
    df = sim.censor_at_transplant(seed=7, n_trials=400, true_hr=1.0, post_transplant_hr=0.4,
                                  transplant_hazard_experimental=0.08, transplant_hazard_control=0.02)
    itt = df[df.analysis == "itt"]
    cens = df[df.analysis == "censored_at_transplant"]
    assert itt.cox_log_hr.mean() < -0.1                               # more transplants help the ITT arm
    assert abs(cens.cox_log_hr.mean()) < 4 * cens.cox_log_hr.std() / math.sqrt(len(cens))
    assert (cens.events.to_numpy() <= itt.events.to_numpy()).all()
    # transplanted while alive within 24 months: P = x/(x+h) (1 - exp(-(x+h) 24)), h = log(2)/8
    for col, x in (("transplanted_experimental", 0.08), ("transplanted_control", 0.02)):
        rate = x + LN2 / 8
        assert itt[col].mean() == pytest.approx(x / rate * (1 - math.exp(-rate * 24)), abs=0.01)


def test_censoring_at_transplant_is_biased_when_transplant_selects_fitter_patients():
    df = sim.censor_at_transplant(seed=8, n_trials=400, true_hr=1.0, post_transplant_hr=1.0,
                                  candidate_fraction=0.5, non_candidate_hr=4.0,
                                  transplant_hazard_experimental=0.15, transplant_hazard_control=0.03)
    itt = df[df.analysis == "itt"]
    assert abs(itt.cox_log_hr.mean()) < 4 * itt.cox_log_hr.std() / math.sqrt(len(itt))
    mean, se = paired(df, "itt", "censored_at_transplant")
    assert mean > 0.05 and mean > 6 * se                              # biased against the arm transplanting more


def test_transplant_that_changes_nothing_leaves_itt_untouched():
    common = dict(seed=9, n_trials=50, true_hr=0.7, post_transplant_hr=1.0)
    a = sim.censor_at_transplant(transplant_hazard_experimental=0.3, **common)
    b = sim.censor_at_transplant(transplant_hazard_experimental=0.01, **common)
    np.testing.assert_allclose(a[a.analysis == "itt"].z, b[b.analysis == "itt"].z, atol=1e-9)
    assert a.transplanted_experimental.between(0, 1).all()


@pytest.mark.parametrize("kwargs,message", [
    ({"true_hr": -1}, r"true_hr must be in \(0.0, inf\]"),
    ({"transplant_hazard_experimental": 0}, r"transplant_hazard_experimental must be in \(0.0, inf\]"),
    ({"post_transplant_hr": 0}, r"post_transplant_hr must be in \(0.0, inf\]"),
    ({"candidate_fraction": 0}, r"candidate_fraction must be in \(0.0, 1.0\]"),
    ({"candidate_fraction": 1.5}, r"candidate_fraction must be in \(0.0, 1.0\]"),
    ({"non_candidate_hr": 0}, r"non_candidate_hr must be in \(0.0, inf\]"),
    ({"n_per_arm": (0, 10)}, "n_per_arm must be >= 1"),
])
def test_censor_at_transplant_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sim.censor_at_transplant(seed=1, n_trials=5, **kwargs)


def test_excluding_frail_withdrawals_fakes_a_benefit():
    df = sim.exclude_withdrawals(seed=10, n_trials=400, true_hr=1.0, withdrawal_fraction=0.15, withdrawal_hr=2.5)
    itt = df[df.analysis == "itt"]
    assert abs(itt.cox_log_hr.mean()) < 4 * itt.cox_log_hr.std() / math.sqrt(len(itt))
    mean, se = paired(df, "itt", "as_treated")
    assert mean < -0.05 and mean < -6 * se
    at = df[df.analysis == "as_treated"]
    assert (at.n.to_numpy() == 400 - at.n_withdrawn.to_numpy()).all()
    assert at.n_withdrawn.mean() == pytest.approx(0.15 * 200, abs=1.5)


def test_withdrawals_without_prognostic_difference_only_dilute_itt():
    df = sim.exclude_withdrawals(seed=11, n_trials=400, true_hr=0.6, withdrawal_fraction=0.2, withdrawal_hr=1.0)
    itt = df[df.analysis == "itt"].cox_log_hr.mean()
    at = df[df.analysis == "as_treated"].cox_log_hr.mean()
    assert at == pytest.approx(math.log(0.6), abs=0.03)              # treated vs control: the true effect
    assert math.log(0.6) + 0.03 < itt < 0                             # diluted towards 1 by untreated patients


def test_withdrawal_arm_sets_the_direction_of_the_bias():
    common = dict(seed=12, n_trials=300, true_hr=1.0, withdrawal_fraction=0.15, withdrawal_hr=2.5)
    exp = sim.exclude_withdrawals(withdrawal_arm="experimental", **common)
    ctl = sim.exclude_withdrawals(withdrawal_arm="control", **common)
    assert paired(exp, "itt", "as_treated")[0] < 0 < paired(ctl, "itt", "as_treated")[0]
    np.testing.assert_array_equal(exp[exp.analysis == "itt"].z, ctl[ctl.analysis == "itt"].z)


@pytest.mark.parametrize("kwargs,message", [
    ({"withdrawal_fraction": 0}, r"withdrawal_fraction must be in \(0.0, 1.0\)"),
    ({"withdrawal_hr": 0}, r"withdrawal_hr must be in \(0.0, inf\]"),
    ({"withdrawal_arm": "both"}, r"withdrawal_arm must be one of \['control', 'experimental'\]"),
    ({"follow_up_months": -2}, r"follow_up_months must be in \(0.0, inf\]"),
    ({"chunk_size": 0}, "chunk_size must be >= 1"),
])
def test_exclude_withdrawals_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sim.exclude_withdrawals(seed=1, n_trials=5, **kwargs)


def test_bench_command_parses():
    with pytest.raises(SystemExit):
        sim.main(["--help"])
    with pytest.raises(SystemExit):
        sim.main([])

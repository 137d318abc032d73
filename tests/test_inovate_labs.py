"""The generic laboratories introduced with the INO-VATE ALL chapter: two primary endpoints, choosing a
horizon, the early-randomised subset and conditioning on response; and the chapter's computations."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from trialkit import survival
from trialkit.labs import early_subset, horizon, responders, two_endpoints


# --- two primary endpoints ----------------------------------------------------------------------------


def test_drift_from_power_inverts_the_one_sided_power():
    d = two_endpoints.drift_from_power(0.0125, 0.885)
    assert stats.norm.sf(stats.norm.isf(0.0125) - d) == pytest.approx(0.885, abs=1e-12)


def test_split_alpha_keeps_familywise_error_below_the_total_and_bonferroni_is_exact_at_zero_correlation():
    for rho in (0.0, 0.5, 0.9):
        r = two_endpoints.rejection_probabilities("split", 0.025, 0.0, 0.0, rho)
        assert r["any"] <= 0.025 + 1e-9
    r0 = two_endpoints.rejection_probabilities("split", 0.025, 0.0, 0.0, 0.0)
    assert r0["any"] == pytest.approx(1 - (1 - 0.0125) ** 2, abs=1e-6)


def test_unadjusted_testing_nearly_doubles_the_error_with_independent_endpoints():
    r = two_endpoints.rejection_probabilities("unadjusted", 0.025, 0.0, 0.0, 0.0)
    assert r["any"] == pytest.approx(1 - 0.975 ** 2, abs=1e-6)


def test_fixed_sequence_controls_error_and_second_claim_needs_the_first():
    g = two_endpoints.two_endpoints_lab(0.025, 2.5, 2.0, correlations=[0.0, 0.6])
    null = g[(g["scenario"] == "neither") & (g["strategy"] == "first_a")]
    assert (null["false_claim"] <= 0.025 + 1e-9).all()
    both = g[(g["scenario"] == "both") & (g["strategy"] == "first_a")]
    assert (both["claim_b"] <= both["claim_a"] + 1e-12).all()
    # the second endpoint's power under the sequence rises with the correlation
    assert both.sort_values("rho")["claim_b"].is_monotonic_increasing


def test_a_false_claim_on_the_null_endpoint_is_counted_when_the_other_has_an_effect():
    g = two_endpoints.two_endpoints_lab(0.025, 3.0, 0.0, correlations=[0.0])
    row = g[(g["scenario"] == "a_only") & (g["strategy"] == "split")].iloc[0]
    assert row["false_claim"] == pytest.approx(0.0125, abs=1e-9)
    assert row["true_claim"] == pytest.approx(stats.norm.sf(stats.norm.isf(0.0125) - 3.0), abs=1e-9)


def test_two_endpoints_bad_input():
    with pytest.raises(ValueError, match="strategy"):
        two_endpoints.rejection_probabilities("holm", 0.025, 0, 0, 0)
    with pytest.raises(ValueError, match="rho"):
        two_endpoints.rejection_probabilities("split", 0.025, 0, 0, 1.5)
    with pytest.raises(ValueError, match="power"):
        two_endpoints.drift_from_power(0.0125, 1.0)
    g = two_endpoints.two_endpoints_lab(0.025, 2.0, 2.0, correlations=[0.0])
    with pytest.raises(ValueError, match="rho must be one of"):
        two_endpoints.two_endpoints_readings(g, rho=0.5)


# --- choosing the horizon -----------------------------------------------------------------------------


def _exp_frame(n=120, seed=1):
    rng = np.random.default_rng(seed)
    t = rng.exponential(10.0, 2 * n)
    c = rng.uniform(5, 40, 2 * n)
    return pd.DataFrame({"time": np.minimum(t, c), "event": (t <= c).astype(int), "arm": ["a"] * n + ["b"] * n})


def test_km_summaries_agree_with_the_package_kaplan_meier_and_rmst():
    f = _exp_frame()
    g = f[f["arm"] == "a"]
    s, vs, r, vr = horizon.km_summaries(g["time"], g["event"], [6.0, 12.0])
    ref = survival.rmst(g["time"], g["event"], tau=12.0)
    assert r[1] == pytest.approx(ref.rmst, rel=1e-10)
    assert math.sqrt(vr[1]) == pytest.approx(ref.se, rel=1e-8)
    km = survival.kaplan_meier(g["time"], g["event"])
    assert s[0] == pytest.approx(float(km[km["time"] <= 6.0]["survival"].iloc[-1]), rel=1e-12)


def test_horizon_search_inflates_false_positives_and_never_lowers_them():
    by_h, by_k = horizon.horizon_lab(_exp_frame(), [3, 6, 9, 12, 15, 18, 21, 24], n_shuffles=300)
    for stat in ("rmst", "landmark", "either"):
        s = by_k[by_k["statistic"] == stat].sort_values("k")["significant"]
        assert s.is_monotonic_increasing
    first = by_k[(by_k["k"] == 1) & (by_k["statistic"] == "rmst")]["significant"].iloc[0]
    last = by_k[(by_k["k"] == 8) & (by_k["statistic"] == "either")]["significant"].iloc[0]
    assert first < 0.06 and last > first
    assert set(by_h["statistic"]) == {"rmst", "landmark"}


def test_horizon_bad_input():
    f = _exp_frame()
    with pytest.raises(ValueError, match="horizons"):
        horizon.horizon_lab(f, [3, 500], n_shuffles=30)
    with pytest.raises(ValueError, match="two arms"):
        horizon.horizon_lab(f.assign(arm="a"), [3], n_shuffles=30)
    with pytest.raises(ValueError, match="n_shuffles"):
        horizon.horizon_lab(f, [3], n_shuffles=5)
    with pytest.raises(ValueError, match="event"):
        horizon.km_summaries([1.0, 2.0], [0, 2], [1.0])


# --- the early-randomised subset ---------------------------------------------------------------------


def test_without_drift_the_subset_estimates_the_same_effect_with_a_wider_interval():
    a = early_subset.subset_estimate(326, 218, 0.3, 0.5)
    b = early_subset.subset_estimate(326, 326, 0.3, 0.5)
    assert a["estimate"] == pytest.approx(b["estimate"]) == pytest.approx(50.0)
    assert a["se"] / b["se"] == pytest.approx(math.sqrt(326 / 218), rel=1e-9)


def test_a_drifting_effect_biases_the_early_subset_against_everyone_but_a_drifting_control_rate_does_not():
    d = early_subset.subset_estimate(300, 150, 0.3, 0.4, control_drift=0.0, effect_drift=0.2)
    assert d["estimate"] - d["target"] == pytest.approx(5.0, abs=1e-9)  # mean of the first half: +0.05
    c = early_subset.subset_estimate(300, 150, 0.3, 0.4, control_drift=0.2, effect_drift=0.0)
    assert c["estimate"] == pytest.approx(c["target"])
    assert c["control_rate"] == pytest.approx(35.0)


def test_early_subset_bad_input():
    with pytest.raises(ValueError, match="k"):
        early_subset.subset_estimate(100, 200, 0.3, 0.4)
    with pytest.raises(ValueError, match="outside"):
        early_subset.subset_estimate(100, 50, 0.3, 0.6, effect_drift=0.5)


# --- conditioning on response --------------------------------------------------------------------------


def test_responders_calibration_and_the_paradox():
    curves, summary = responders.responders_lab((0.8, 0.3), 3.0, betas=[0.0, 1.0], thetas=[1.0])
    assert (summary["median_control"] - 3.0).abs().max() < 1e-6
    no_link = summary[summary["beta"] == 0.0].iloc[0]
    # without a link between resistance and relapse and no drug effect on relapse, responders look alike
    assert no_link["median_experimental"] == pytest.approx(no_link["median_control"], rel=1e-6)
    link = summary[summary["beta"] == 1.0].iloc[0]
    assert link["median_experimental"] < link["median_control"]
    assert link["per_randomised_mid_experimental"] > 0  # computed
    # per randomised patient at time 0, the share in remission is the remission rate
    c0 = curves[(curves["time"] == 0) & (curves["beta"] == 1.0)].set_index("arm")["per_randomised"]
    assert c0["experimental"] == pytest.approx(80.0, abs=0.05) and c0["control"] == pytest.approx(30.0, abs=0.05)


def test_responders_bad_input():
    with pytest.raises(ValueError, match="response_rates"):
        responders.responders_lab((0.8, 1.2), 3.0)
    with pytest.raises(ValueError, match="control_median"):
        responders.responders_lab((0.8, 0.3), -1.0)


# --- transplant after response -------------------------------------------------------------------------

from trialkit.labs import transplant_response  # noqa: E402


def test_naive_transplant_comparison_shows_a_benefit_that_does_not_exist_and_time_varying_does_not():
    g = transplant_response.transplant_response_lab(3000, 6.0, 0.5, transplant_hrs=(1.0,), responder_hrs=(1.0,), seed=7)
    by = g.set_index("analysis")
    assert by.loc["naive", "high"] < 0.85  # immortal time: a clear spurious benefit
    assert by.loc["time_varying", "low"] < 1.0 < by.loc["time_varying", "high"] + 0.05
    assert by.loc["naive", "hr"] < by.loc["time_varying", "hr"]


def test_cohort_transplants_only_living_responders_within_the_window():
    f = transplant_response.simulate_cohort(500, 6.0, 0.5, (1.0, 4.0), 1.0, seed=3)
    tx = f.dropna(subset=["transplant_time"])
    assert (tx["responder"] == 1).all()
    assert ((tx["transplant_time"] >= 1.0) & (tx["transplant_time"] <= 4.0)).all()
    assert (tx["transplant_time"] < tx["time"]).all()
    with pytest.raises(ValueError, match="responder_share"):
        transplant_response.simulate_cohort(500, 6.0, 1.5, (1.0, 4.0), 1.0)

"""trialkit.design: events and power for log-rank designs, two-proportion power and sample size,
group-sequential spending boundaries, and the type I error of naive repeated looks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from lifelines.statistics import power_under_cph
from scipy import stats
from statsmodels.stats.power import NormalIndPower, normal_power_het, normal_sample_size_one_tail
from statsmodels.stats.proportion import (
    power_proportions_2indep,
    proportion_effectsize,
    samplesize_proportions_2indep_onetail,
)

from trialkit import design

# --- helpers for independent checks of the group-sequential machinery ---------------------------


def _mvn_cumulative_crossing(fractions, z):
    """P(Z_j >= z_j for some j <= k), k = 1..K, from scipy's multivariate normal CDF (Genz's
    quasi-Monte Carlo, seeded) under the canonical joint distribution corr = sqrt(t_i / t_j)."""
    t = np.asarray(fractions, dtype=float)
    cov = np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t))
    out = [float(stats.norm.sf(z[0]))]
    for k in range(2, t.size + 1):
        inside = stats.multivariate_normal.cdf(np.asarray(z[:k]), np.zeros(k), cov[:k, :k], abseps=1e-7,
                                               releps=1e-7, maxpts=2_000_000, rng=np.random.default_rng(7))
        out.append(1.0 - float(inside))
    return np.array(out)


def _brownian_z(fractions, draws, seed):
    """Z statistics at the looks, simulated from independent Brownian increments (draws x looks)."""
    t = np.asarray(fractions, dtype=float)
    rng = np.random.default_rng(seed)
    increments = rng.standard_normal((draws, t.size)) * np.sqrt(np.diff(t, prepend=0.0))
    return np.cumsum(increments, axis=1) / np.sqrt(t)


# --- events for a log-rank comparison -----------------------------------------------------------


def test_schoenfeld_events_textbook_value():
    # HR 0.70, 1:1, two-sided 0.05, 80 % power: 4 (z_.975 + z_.8)^2 / log(0.7)^2 = 246.8, the familiar
    # "247 events" (also gsDesign::nEvents(hr = 0.7, alpha = 0.025, beta = 0.2) = 246.79).
    assert design.events_needed(0.70) == pytest.approx(246.787, abs=1e-3)
    # Freedman's formula for the same design: (1.7 / 0.3)^2 (z_.975 + z_.8)^2 = 252.04.
    assert design.events_needed(0.70, method="freedman") == pytest.approx(252.036, abs=1e-3)


@pytest.mark.parametrize("n_exp,n_con,hr,alpha", [(165, 165, 0.7, 0.05), (220, 110, 0.7, 0.05),
                                                   (124, 124, 0.67, 0.025), (90, 180, 1.4, 0.01)])
def test_freedman_power_matches_lifelines(n_exp, n_con, hr, alpha):
    # lifelines.power_under_cph is Freedman's formula with k = n_exp / n_con and events = the number of
    # patients when every patient has an event (p_exp = p_con = 1); two-sided, far tail ignored.
    expected = power_under_cph(n_exp, n_con, 1.0, 1.0, hr, alpha)
    got = design.events_power(n_exp + n_con, hr, (n_exp, n_con), alpha, sided=2, method="freedman")
    assert got == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("method", design.EVENTS_METHODS)
@pytest.mark.parametrize("hr,allocation,alpha,sided,power", [
    (0.70, (2, 1), 0.05, 2, 0.85), (0.67, (1, 1), 0.0125, 1, 0.80), (1.5, (1, 3), 0.01, 2, 0.9),
    (0.5, (1, 1), 0.2, 1, 0.25),
])
def test_events_needed_inverts_events_power(method, hr, allocation, alpha, sided, power):
    d = design.events_needed(hr, power, allocation, alpha, sided, method)
    assert design.events_power(d, hr, allocation, alpha, sided, method) == pytest.approx(power, abs=1e-12)


def test_events_conventions():
    # One-sided 0.025 is the upper tail of two-sided 0.05.
    assert design.events_power(300, 0.7, sided=1, alpha=0.025) == pytest.approx(design.events_power(300, 0.7), abs=1e-15)
    # Schoenfeld: labelling of the arms and direction of the effect do not matter; 2:1 costs 9/8 of 1:1.
    assert design.events_needed(0.7, allocation=(1, 2)) == pytest.approx(design.events_needed(0.7, allocation=(2, 1)))
    assert design.events_needed(1 / 0.7) == pytest.approx(design.events_needed(0.7))
    assert design.events_needed(0.7, allocation=(2, 1)) == pytest.approx(9 / 8 * design.events_needed(0.7))
    # Freedman is not symmetric in the labelling of the arms.
    assert design.events_needed(0.7, allocation=(2, 1), method="freedman") != pytest.approx(
        design.events_needed(0.7, allocation=(1, 2), method="freedman"))
    # More events, more power.
    assert design.events_power(200, 0.7) < design.events_power(300, 0.7)


def test_tower_and_inovate_design_statements():
    # TOWER: ~330 deaths, 2:1, HR 0.70, two-sided 0.05 -> "85 % power" (Schoenfeld gives 0.863).
    assert design.events_power(330, 0.70, (2, 1)) == pytest.approx(0.8631, abs=1e-4)
    # INO-VATE OS: 248 events, HR 0.67, 1:1, one-sided 0.0125 -> "80 % power" (Schoenfeld gives 0.819).
    assert design.events_power(248, 0.67, alpha=0.0125, sided=1) == pytest.approx(0.8191, abs=1e-4)


@pytest.mark.parametrize("kwargs,message", [
    ({"events": 0, "hr": 0.7}, r"events must be in \(0.0, inf\]"),
    ({"events": "300", "hr": 0.7}, "events must be a real number"),
    ({"events": 300, "hr": 0.0}, r"hr must be in \(0.0, inf\]"),
    ({"events": 300, "hr": 1}, r"hr must be in \(0, inf\) and differ from 1"),
    ({"events": 300, "hr": float("nan")}, "hr must be finite"),
    ({"events": 300, "hr": 0.7, "allocation": (2, 1, 1)}, "allocation must be a pair"),
    ({"events": 300, "hr": 0.7, "allocation": "2:1"}, "allocation must be a pair"),
    ({"events": 300, "hr": 0.7, "allocation": 2}, "allocation must be a pair"),
    ({"events": 300, "hr": 0.7, "allocation": (2, 0)}, r"allocation\[1\] must be in \(0.0, inf\]"),
    ({"events": 300, "hr": 0.7, "allocation": (-1, 1)}, r"allocation\[0\] must be in \(0.0, inf\]"),
    ({"events": 300, "hr": 0.7, "alpha": 0.0}, r"alpha must be in \(0.0, 1.0\)"),
    ({"events": 300, "hr": 0.7, "alpha": 1.5}, r"alpha must be in \(0.0, 1.0\)"),
    ({"events": 300, "hr": 0.7, "sided": 3}, r"sided must be one of \[1, 2\]"),
    ({"events": 300, "hr": 0.7, "sided": 2.0}, "sided must be an integer"),
    ({"events": 300, "hr": 0.7, "method": "lakatos"}, "method must be one of"),
])
def test_events_power_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        design.events_power(**kwargs)


@pytest.mark.parametrize("kwargs,message", [
    ({"hr": 1.0}, "hr must be in"),
    ({"hr": 0.7, "power": 1.0}, r"power must be in \(0.025, 1.0\)"),
    ({"hr": 0.7, "power": 0.025}, r"power must be in \(0.025, 1.0\)"),
    ({"hr": 0.7, "power": 0.04, "alpha": 0.05, "sided": 1}, r"power must be in \(0.05, 1.0\)"),
    ({"hr": 0.7, "allocation": (1,)}, "allocation must be a pair"),
    ({"hr": 0.7, "alpha": -0.1}, "alpha must be in"),
    ({"hr": 0.7, "sided": 0}, "sided must be one of"),
    ({"hr": 0.7, "method": "Schoenfeld"}, "method must be one of"),
])
def test_events_needed_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        design.events_needed(**kwargs)


# --- two proportions ----------------------------------------------------------------------------

PROPORTION_CASES = [(0.61, 0.37, 109, 109, 0.0125), (0.30, 0.20, 150, 300, 0.025), (0.10, 0.25, 80, 60, 0.05),
                    (0.85, 0.60, 40, 40, 0.025)]


@pytest.mark.parametrize("p1,p2,n1,n2,alpha", PROPORTION_CASES)
def test_arcsine_power_matches_statsmodels(p1, p2, n1, n2, alpha):
    h = proportion_effectsize(p1, p2)
    alt = "larger" if h > 0 else "smaller"
    one = NormalIndPower().power(h, n1, alpha, ratio=n2 / n1, alternative=alt)
    assert design.two_proportion_power(p1, p2, n1, n2, alpha, sided=1, method="arcsine") == pytest.approx(one, abs=1e-12)
    # statsmodels' two-sided power adds the far tail, which this module ignores by design.
    two = NormalIndPower().power(h, n1, alpha, ratio=n2 / n1, alternative="two-sided")
    far = stats.norm.cdf(-abs(h) * math.sqrt(n1 * n2 / (n1 + n2)) - stats.norm.isf(alpha / 2))
    assert design.two_proportion_power(p1, p2, n1, n2, alpha, method="arcsine") == pytest.approx(two - far, abs=1e-12)


@pytest.mark.parametrize("p1,p2,n1,n2,alpha", PROPORTION_CASES)
def test_pooled_and_normal_power_match_statsmodels(p1, p2, n1, n2, alpha):
    alt = "larger" if p1 > p2 else "smaller"
    pooled = power_proportions_2indep(p1 - p2, p2, n1, ratio=n2 / n1, alpha=alpha, alternative=alt, return_results=False)
    assert design.two_proportion_power(p1, p2, n1, n2, alpha, 1, "pooled") == pytest.approx(pooled, abs=1e-12)
    sd = math.sqrt(p1 * (1 - p1) + p2 * (1 - p2) * n1 / n2)  # unpooled, per sqrt(n1)
    unpooled = normal_power_het(p1 - p2, n1, alpha, std_null=sd, std_alternative=sd, alternative=alt)
    assert design.two_proportion_power(p1, p2, n1, n2, alpha, 1, "normal") == pytest.approx(unpooled, abs=1e-12)


@pytest.mark.parametrize("p1,p2,ratio,power,alpha", [(0.61, 0.37, 1, 0.885, 0.0125), (0.2, 0.3, 2, 0.8, 0.025),
                                                     (0.5, 0.75, 0.5, 0.9, 0.05)])
def test_sample_sizes_match_statsmodels(p1, p2, ratio, power, alpha):
    d = p1 - p2
    pooled = samplesize_proportions_2indep_onetail(d, p2, power, ratio=ratio, alpha=alpha, alternative="larger")
    assert design.two_proportion_n(p1, p2, power, ratio, alpha, 1, "pooled") == pytest.approx(pooled, rel=1e-12)
    alt = "larger" if d > 0 else "smaller"
    arcsine = NormalIndPower().solve_power(proportion_effectsize(p1, p2), None, alpha, power, ratio, alternative=alt)
    assert design.two_proportion_n(p1, p2, power, ratio, alpha, 1, "arcsine") == pytest.approx(arcsine, rel=1e-6)
    sd = math.sqrt(p1 * (1 - p1) + p2 * (1 - p2) / ratio)
    normal = normal_sample_size_one_tail(abs(d), power, alpha, std_null=sd, std_alternative=sd)
    assert design.two_proportion_n(p1, p2, power, ratio, alpha, 1, "normal") == pytest.approx(normal, rel=1e-12)


def test_pooled_sample_size_matches_r_power_prop_test():
    # R documentation example: power.prop.test(p1 = .50, p2 = .75, power = .90)  =>  n = 76.7
    assert design.two_proportion_n(0.50, 0.75, 0.90, method="pooled") == pytest.approx(76.7, abs=0.05)


@pytest.mark.parametrize("p1,p2,n", [(0.10, 0.20, 219), (0.05, 0.10, 474)])
def test_continuity_sample_size_matches_fleiss_table(p1, p2, n):
    # Fleiss, Statistical Methods for Rates and Proportions (2nd ed. 1981, Table A.3; 3rd ed. with Levin
    # and Paik 2003, Table A.4): per-group n for two-sided alpha 0.05, power 0.80, continuity corrected.
    assert math.ceil(design.two_proportion_n(p1, p2, 0.80, method="continuity")) == n


@pytest.mark.parametrize("p1,p2,ratio", [(0.10, 0.20, 1), (0.61, 0.37, 1), (0.3, 0.45, 2), (0.3, 0.45, 0.5)])
def test_continuity_correction_adds_about_r_plus_1_over_r_d(p1, p2, ratio):
    # Fleiss, Tytun and Ury (Biometrics 1980): n ~ n' + (r + 1) / (r |d|) to within a fraction of a patient.
    n_cc = design.two_proportion_n(p1, p2, 0.8, ratio, method="continuity")
    n_pooled = design.two_proportion_n(p1, p2, 0.8, ratio, method="pooled")
    assert n_cc - n_pooled == pytest.approx((ratio + 1) / (ratio * abs(p1 - p2)), abs=0.5)


@pytest.mark.parametrize("method", design.PROPORTION_METHODS)
@pytest.mark.parametrize("p1,p2,power,ratio,alpha,sided", [(0.61, 0.37, 0.885, 1, 0.0125, 1), (0.2, 0.35, 0.8, 2, 0.05, 2),
                                                           (0.9, 0.7, 0.95, 0.5, 0.01, 2)])
def test_two_proportion_n_inverts_power(method, p1, p2, power, ratio, alpha, sided):
    n1 = design.two_proportion_n(p1, p2, power, ratio, alpha, sided, method)
    got = design.two_proportion_power(p1, p2, n1, ratio * n1, alpha, sided, method)
    assert got == pytest.approx(power, abs=1e-10)


def test_inovate_cr_design_statement():
    # INO-VATE: 218 patients (109 per arm) give >= 88.5 % power for CR 61 % vs 37 % at one-sided 0.0125.
    # The continuity-corrected formula reproduces the protocol's figure; the others are more generous.
    powers = {m: design.two_proportion_power(0.61, 0.37, 109, 109, 0.0125, 1, m) for m in design.PROPORTION_METHODS}
    assert powers["continuity"] == pytest.approx(0.885, abs=5e-4)
    assert powers["continuity"] < powers["pooled"] < powers["normal"]
    assert math.ceil(design.two_proportion_n(0.61, 0.37, 0.885, 1, 0.0125, 1, "continuity")) == 109


@pytest.mark.parametrize("kwargs,message", [
    ({"p1": 0.0, "p2": 0.3}, r"p1 must be in \(0.0, 1.0\)"),
    ({"p1": 0.3, "p2": 1.0}, r"p2 must be in \(0.0, 1.0\)"),
    ({"p1": 0.3, "p2": 0.3}, r"p2 must differ from p1 \(0.3\)"),
    ({"p1": 0.6, "p2": 0.4, "n1": 0}, r"n1 must be in \(0.0, inf\]"),
    ({"p1": 0.6, "p2": 0.4, "n2": -5}, r"n2 must be in \(0.0, inf\]"),
    ({"p1": 0.6, "p2": 0.4, "n2": None}, "n2 must be a real number"),
    ({"p1": 0.6, "p2": 0.4, "alpha": 1.0}, r"alpha must be in \(0.0, 1.0\)"),
    ({"p1": 0.6, "p2": 0.4, "sided": 3}, "sided must be one of"),
    ({"p1": 0.6, "p2": 0.4, "method": "wilson"}, "method must be one of"),
])
def test_two_proportion_power_rejects_bad_input(kwargs, message):
    kwargs = {"n1": 100, "n2": 100, **kwargs}
    with pytest.raises(ValueError, match=message):
        design.two_proportion_power(**kwargs)


@pytest.mark.parametrize("kwargs,message", [
    ({"p1": 1.2, "p2": 0.3}, "p1 must be in"),
    ({"p1": 0.6, "p2": 0.6}, "p2 must differ from p1"),
    ({"p1": 0.6, "p2": 0.4, "power": 1.0}, r"power must be in \(0.025, 1.0\)"),
    ({"p1": 0.6, "p2": 0.4, "power": 0.02}, r"power must be in \(0.025, 1.0\)"),
    # pooled: the lower limit is Phi(-z_a s0 / s1) = 0.0066 here, not alpha / 2
    ({"p1": 0.9, "p2": 0.3, "power": 0.005, "method": "pooled"}, r"power must be in \(0.006\d*, 1.0\)"),
    ({"p1": 0.6, "p2": 0.4, "ratio": 0}, r"ratio must be in \(0.0, inf\]"),
    ({"p1": 0.6, "p2": 0.4, "alpha": 0}, "alpha must be in"),
    ({"p1": 0.6, "p2": 0.4, "sided": True}, "sided must be an integer"),
    ({"p1": 0.6, "p2": 0.4, "method": "exact"}, "method must be one of"),
])
def test_two_proportion_n_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        design.two_proportion_n(**kwargs)


# --- group-sequential boundaries ----------------------------------------------------------------

# Published Lan-DeMets O'Brien-Fleming-type boundaries, one-sided alpha 0.025:
# - 3 equal looks: gsDesign(k = 3, test.type = 1, sfu = sfLDOF)$upper$bound = 3.710303 2.511427 1.993048
#   (printed in the FastSurvival "group sequential design" vignette, gosukehommaEX/FastSurvival);
# - looks at 0.5, 0.75, 1 (the TOWER design): 2.9626, 2.3590, 2.0141 (gsDesign, timing = c(.5, .75)).
PUBLISHED_OBF = [((1 / 3, 2 / 3, 1.0), (3.710303, 2.511427, 1.993048), 1e-6),
                 ((0.5, 0.75, 1.0), (2.9626, 2.3590, 2.0141), 1e-4)]


@pytest.mark.parametrize("fractions,published,tol", PUBLISHED_OBF)
def test_obrien_fleming_boundaries_match_gsdesign(fractions, published, tol):
    table = design.spending_boundaries(fractions, 0.025, "obrien-fleming", sided=1)
    assert table["z"].to_numpy() == pytest.approx(published, abs=tol)


def test_two_look_boundaries_match_direct_integration():
    # Looks at 0.5 and 1: c1 = z_{1 - alpha(1/2)}, and c2 from a one-dimensional integral (computed
    # independently with Maxima's quad_qags + find_root, as quoted in another project's test suite).
    table = design.spending_boundaries([0.5, 1.0], 0.025, sided=1)
    assert table["z"].to_numpy() == pytest.approx([2.9625880427275764, 1.9685956406374354], abs=1e-8)


@pytest.mark.parametrize("spending", design.SPENDING_FUNCTIONS)
def test_first_boundary_is_closed_form(spending):
    # Nothing precedes look 1, so z_1 = z_{1 - f(t_1)} exactly. For the Pocock-type function with three
    # equal looks this is 2.2794: the 2.2894 quoted in the brief for this design is a typo.
    t1, alpha = 1 / 3, 0.025
    spent = (2 * stats.norm.sf(stats.norm.isf(alpha / 2) / math.sqrt(t1)) if spending == "obrien-fleming"
             else alpha * math.log(1 + (math.e - 1) * t1))
    table = design.spending_boundaries([t1, 2 / 3, 1.0], alpha, spending, sided=1)
    assert table["z"].iloc[0] == pytest.approx(stats.norm.isf(spent), abs=1e-12)
    if spending == "pocock":
        assert table["z"].iloc[0] == pytest.approx(2.2794, abs=1e-4)


@pytest.mark.parametrize("fractions,alpha,spending", [
    ((1 / 3, 2 / 3, 1.0), 0.025, "obrien-fleming"), ((0.5, 0.75, 1.0), 0.025, "obrien-fleming"),
    ((1 / 3, 2 / 3, 1.0), 0.025, "pocock"), ((0.2, 0.4, 0.6, 0.8, 1.0), 0.025, "pocock"),
    ((0.25, 0.5, 0.52, 0.9), 0.05, "obrien-fleming"), ((0.3, 0.7, 1.0), 0.005, "pocock"),
])
def test_boundaries_spend_alpha_exactly_by_multivariate_normal_cdf(fractions, alpha, spending):
    # Independent check: the crossing probabilities at the computed boundaries, from scipy's multivariate
    # normal CDF, equal the spending function at every look (1e-6 in probability ~ 2e-5 in z).
    table = design.spending_boundaries(fractions, alpha, spending, sided=1)
    crossing = _mvn_cumulative_crossing(fractions, table["z"].to_numpy())
    assert crossing == pytest.approx(table["alpha_spent"].to_numpy(), abs=1e-6)


@pytest.mark.parametrize("fractions,z,spending", [
    ((1 / 3, 2 / 3, 1.0), (3.7103, 2.5114, 1.9930), "obrien-fleming"),
    ((0.5, 0.75, 1.0), (2.9626, 2.3590, 2.0141), "obrien-fleming"),
    ((1 / 3, 2 / 3, 1.0), (2.2794, 2.2949, 2.2959), "pocock"),
])
def test_published_boundaries_spend_alpha_by_monte_carlo(fractions, z, spending):
    # Monte Carlo (2e6 Brownian paths, fixed seed): the 4-decimal boundaries spend the Lan-DeMets alpha
    # at every look to within 4.5 standard errors.
    draws = 2_000_000
    paths = _brownian_z(fractions, draws, seed=20240917)
    crossed = np.logical_or.accumulate(paths >= np.asarray(z), axis=1).mean(axis=0)
    spent = design.spending_boundaries(fractions, 0.025, spending, sided=1)["alpha_spent"].to_numpy()
    se = np.sqrt(spent * (1 - spent) / draws)
    assert np.all(np.abs(crossed - spent) < 4.5 * se)


def test_boundary_table_shape_and_meaning():
    table = design.spending_boundaries([0.5, 0.75, 1.0], 0.025, sided=1)
    assert list(table.columns) == ["look", "fraction", "alpha_spent", "alpha_increment", "z", "nominal_p"]
    assert table["look"].tolist() == [1, 2, 3]
    assert table["alpha_spent"].iloc[-1] == pytest.approx(0.025, abs=1e-15)
    assert table["alpha_increment"].sum() == pytest.approx(0.025, abs=1e-15)
    assert table["nominal_p"].to_numpy() == pytest.approx(stats.norm.sf(table["z"].to_numpy()), abs=1e-15)
    # O'Brien-Fleming type: strict early, close to 1.96 at the end; nominal P at the end above 0.02.
    assert table["z"].is_monotonic_decreasing
    assert table["nominal_p"].iloc[-1] == pytest.approx(0.0220, abs=1e-4)


def test_a_single_final_look_is_the_fixed_design():
    for spending in design.SPENDING_FUNCTIONS:
        table = design.spending_boundaries([1.0], 0.025, spending, sided=1)
        assert table["z"].iloc[0] == pytest.approx(stats.norm.isf(0.025), abs=1e-12)


def test_look_that_spends_nothing_has_an_infinite_boundary():
    # O'Brien-Fleming-type spending at t = 1e-4 underflows to 0: no chance to stop, all alpha left.
    table = design.spending_boundaries([1e-4, 1.0], 0.025, sided=1)
    assert math.isinf(table["z"].iloc[0]) and table["nominal_p"].iloc[0] == 0.0
    assert table["z"].iloc[1] == pytest.approx(stats.norm.isf(0.025), abs=1e-7)


def test_accepts_numpy_fractions_and_partial_information():
    table = design.spending_boundaries(np.array([0.5, 0.8]), 0.025, "pocock", sided=1)
    assert table["alpha_spent"].iloc[-1] == pytest.approx(0.025 * math.log(1 + (math.e - 1) * 0.8))


@pytest.mark.parametrize("kwargs,message", [
    ({"fractions": []}, "fractions must be a non-empty sequence"),
    ({"fractions": 0.5}, "fractions must be a non-empty sequence"),
    ({"fractions": "0.5"}, "fractions must be a non-empty sequence"),
    ({"fractions": [0.0, 1.0]}, r"fractions\[0\] must be in \(0.0, 1.0\]"),
    ({"fractions": [0.5, 1.2]}, r"fractions\[1\] must be in \(0.0, 1.0\]"),
    ({"fractions": [0.5, "1"]}, r"fractions\[1\] must be a real number"),
    ({"fractions": [0.75, 0.5, 1.0]}, "fractions must be strictly increasing"),
    ({"fractions": [0.5, 0.5, 1.0]}, "fractions must be strictly increasing"),
    ({"fractions": [0.5, 1.0], "alpha": 0.0}, r"alpha must be in \(0.0, 1.0\)"),
    ({"fractions": [0.5, 1.0], "alpha": 1.0}, r"alpha must be in \(0.0, 1.0\)"),
    ({"fractions": [0.5, 1.0], "spending": "haybittle-peto"}, "spending must be one of"),
    ({"fractions": [0.5, 1.0], "sided": 3}, r"sided must be one of \[1, 2\]"),
    ({"fractions": [0.5, 1.0], "sided": "2"}, "sided must be"),
])
def test_spending_boundaries_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        design.spending_boundaries(**{"alpha": 0.025, "sided": 1, **kwargs})


def test_alpha_always_comes_with_sided():
    # a boundary or a group-sequential power at "0.025" is ambiguous: there is no default for sided
    with pytest.raises(TypeError, match="sided"):
        design.spending_boundaries([0.5, 1.0], 0.025)
    with pytest.raises(TypeError, match="sided"):
        design.group_sequential_power([0.5, 1.0], 300, 0.7, (1, 1), alpha=0.025)


@pytest.mark.parametrize("fractions,alpha,spending", [
    ((0.5, 0.75, 1.0), 0.05, "obrien-fleming"), ((1 / 3, 2 / 3, 1.0), 0.05, "pocock"),
    ((0.25, 0.5, 0.9), 0.01, "obrien-fleming"),
])
def test_two_sided_boundaries_spend_alpha_over_both_tails(fractions, alpha, spending):
    # Independent check by scipy's multivariate normal CDF: P(|Z_j| >= z_j for some j <= k) equals the
    # spending function of the two-sided alpha at every look.
    table = design.spending_boundaries(fractions, alpha, spending, sided=2)
    t = np.asarray(fractions)
    z = table["z"].to_numpy()
    cov = np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t))
    crossing = [1 - float(stats.multivariate_normal.cdf(z[:k], np.zeros(k), cov[:k, :k], lower_limit=-z[:k], abseps=1e-8,
                                                        releps=1e-8, maxpts=2_000_000, rng=np.random.default_rng(11)))
                if k > 1 else float(2 * stats.norm.sf(z[0])) for k in range(1, t.size + 1)]
    assert crossing == pytest.approx(table["alpha_spent"].to_numpy(), abs=2e-6)
    spent = (2 * stats.norm.sf(stats.norm.isf(alpha / 2) / np.sqrt(t)) if spending == "obrien-fleming"
             else alpha * np.log(1 + (np.e - 1) * t))
    assert table["alpha_spent"].to_numpy() == pytest.approx(spent, abs=1e-12)


def test_one_and_two_sided_conventions_differ_for_tower():
    # TOWER's "two-sided 0.05": one-sided 0.025 boundaries (2.963, 2.359, 2.014, as gsDesign) are not the
    # two-sided Lan-DeMets boundaries of 0.05, whose interim looks spend more (lower z early)
    one = design.spending_boundaries([0.5, 0.75, 1.0], 0.025, sided=1)["z"].to_numpy()
    two = design.spending_boundaries([0.5, 0.75, 1.0], 0.05, sided=2)["z"].to_numpy()
    assert two[0] < one[0] and two[1] < one[1] and two[2] > one[2]
    # a single look is the fixed two-sided test either way
    assert design.spending_boundaries([1.0], 0.05, sided=2)["z"].iloc[0] == pytest.approx(stats.norm.isf(0.025), abs=1e-9)


def test_two_sided_group_sequential_power():
    # a single look: the fixed two-sided design exactly (the far tail is not a success)
    assert design.group_sequential_power([1.0], 330, 0.70, (2, 1), alpha=0.05, sided=2) == pytest.approx(
        design.events_power(330, 0.70, (2, 1), alpha=0.05, sided=2), abs=1e-9)
    # with looks: the opposite boundary only removes paths, so power is at most the upper-only power
    b = design.spending_boundaries([0.5, 0.75, 1.0], 0.05, sided=2)
    drift = math.sqrt(330 * 2 / 9) * abs(math.log(0.70))
    upper_only = design.crossing_probabilities(b["fraction"], b["z"], drift, sided=1)["cumulative"].iloc[-1]
    power = design.group_sequential_power([0.5, 0.75, 1.0], 330, 0.70, (2, 1), alpha=0.05, sided=2)
    assert power <= upper_only and upper_only - power < 1e-6


# --- naive repeated looks -----------------------------------------------------------------------


@pytest.mark.parametrize("looks,published", [(1, 0.050), (2, 0.083), (3, 0.107), (4, 0.126), (5, 0.142),
                                             (10, 0.193), (20, 0.248), (50, 0.320), (100, 0.374)])
def test_naive_repeated_looks_match_armitage_mcpherson_rowe(looks, published):
    # Armitage, McPherson and Rowe (JRSS A 1969), reproduced in Jennison and Turnbull (2000) Table 1.1:
    # overall type I error of two-sided tests at nominal 5 % after K equally spaced looks.
    fractions = np.arange(1, looks + 1) / looks
    assert design.naive_repeated_looks_alpha(fractions) == pytest.approx(published, abs=5e-4)


def test_naive_repeated_looks_independent_checks():
    fractions = [0.2, 0.4, 0.6, 0.8, 1.0]
    # one-sided, by the multivariate normal CDF
    one = design.naive_repeated_looks_alpha(fractions, 1.96, sided=1)
    assert one == pytest.approx(_mvn_cumulative_crossing(fractions, [1.96] * 5)[-1], abs=1e-6)
    # two-sided, by Monte Carlo (2e6 paths, fixed seed)
    paths = _brownian_z(fractions, 2_000_000, seed=11)
    mc = np.mean(np.any(np.abs(paths) >= 1.96, axis=1))
    two = design.naive_repeated_looks_alpha(fractions, 1.96)
    assert abs(two - mc) < 4.5 * math.sqrt(two * (1 - two) / 2_000_000)
    # the TOWER look schedule tested naively at |Z| >= 1.96 each time, by the CDF over the box [-z, z]^3
    t = np.array([0.5, 0.75, 1.0])
    cov = np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t))
    inside = stats.multivariate_normal.cdf([1.96] * 3, np.zeros(3), cov, lower_limit=[-1.96] * 3, abseps=1e-7,
                                           releps=1e-7, maxpts=2_000_000, rng=np.random.default_rng(3))
    assert design.naive_repeated_looks_alpha(t) == pytest.approx(1 - inside, abs=1e-6)


@pytest.mark.parametrize("kwargs,message", [
    ({"fractions": [1.0, 0.5]}, "fractions must be strictly increasing"),
    ({"fractions": None}, "fractions must be a non-empty sequence"),
    ({"fractions": [0.5, 1.0], "z": 0}, r"z must be in \(0.0, inf\]"),
    ({"fractions": [0.5, 1.0], "z": "1.96"}, "z must be a real number"),
    ({"fractions": [0.5, 1.0], "sided": 4}, "sided must be one of"),
])
def test_naive_repeated_looks_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        design.naive_repeated_looks_alpha(**kwargs)


# --- group-sequential power (added with the ledger) -----------------------------------------------

def test_group_sequential_power_single_look_equals_fixed_design():
    fixed = design.events_power(330, 0.70, (2, 1), alpha=0.05, sided=2)
    gs = design.group_sequential_power([1.0], 330, 0.70, (2, 1), alpha=0.025, sided=1)
    assert gs == pytest.approx(fixed, abs=1e-6)


def test_group_sequential_power_below_fixed_and_tower_statement():
    gs = design.group_sequential_power([0.5, 0.75, 1.0], 330, 0.70, (2, 1), alpha=0.025, sided=1)
    fixed = design.events_power(330, 0.70, (2, 1), alpha=0.05, sided=2)
    assert gs < fixed
    # TOWER's Methods state 85 % power for 330 deaths with two interim looks; the formula gives 85.7 %.
    assert 0.85 <= gs < 0.86


def test_crossing_probabilities_under_null_spend_alpha():
    b = design.spending_boundaries([0.5, 0.75, 1.0], alpha=0.025, sided=1)
    cp = design.crossing_probabilities(b["fraction"], b["z"], 0.0)
    assert cp["cumulative"].iloc[-1] == pytest.approx(0.025, abs=1e-6)
    assert np.allclose(cp["crossing"], b["alpha_increment"], atol=1e-6)


def test_group_sequential_power_monte_carlo():
    rng = np.random.default_rng(7)
    t = np.array([0.5, 0.75, 1.0])
    b = design.spending_boundaries(t, alpha=0.025, sided=1)["z"].to_numpy()
    drift = 2.5
    inc = rng.standard_normal((400_000, 3)) * np.sqrt(np.diff(np.concatenate([[0], t])))
    w = np.cumsum(inc, axis=1) + drift * t
    z = w / np.sqrt(t)
    mc = (z >= b).any(axis=1).mean()
    exact = design.crossing_probabilities(t, b, drift)["cumulative"].iloc[-1]
    assert mc == pytest.approx(exact, abs=4 * np.sqrt(exact * (1 - exact) / 400_000))


def test_crossing_probabilities_validates():
    with pytest.raises(ValueError, match="boundaries must have one value per fraction"):
        design.crossing_probabilities([0.5, 1.0], [2.0], 0.0)
    with pytest.raises(ValueError, match="drift must be a real number"):
        design.crossing_probabilities([1.0], [2.0], "x")


def test_boundary_hazard_ratio_is_where_fixed_power_is_one_half():
    # an observed HR exactly on the boundary: a true HR equal to it gives 50 % power (fixed design)
    for z, d, alloc in [(1.959963984540054, 200, (1, 1)), (2.359, 248, (2, 1)), (2.963, 165, (2, 1))]:
        hr = design.boundary_hazard_ratio(z, d, alloc)
        alpha = 2 * stats.norm.sf(z)
        assert design.events_power(d, hr, alloc, alpha=alpha) == pytest.approx(0.5, abs=1e-12)
    # by hand: 1:1, 100 events, z = 2 -> exp(-2 / 5)
    assert design.boundary_hazard_ratio(2.0, 100) == pytest.approx(math.exp(-0.4), rel=1e-12)
    # more events, a boundary closer to 1
    assert design.boundary_hazard_ratio(2.0, 400) > design.boundary_hazard_ratio(2.0, 100)


@pytest.mark.parametrize("kwargs,message", [
    ({"z": 0.0, "events": 100}, r"z must be in \(0.0, inf\]"),
    ({"z": 2.0, "events": -1}, r"events must be in \(0.0, inf\]"),
    ({"z": 2.0, "events": 100, "allocation": (2,)}, "allocation must be a pair"),
])
def test_boundary_hazard_ratio_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        design.boundary_hazard_ratio(**kwargs)

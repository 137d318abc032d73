"""trialkit.stats: intervals and conversions that reproduce published statistics."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint

from trialkit import stats


@pytest.mark.parametrize("x,n", [(0, 10), (1, 10), (5, 10), (10, 10), (91, 271), (21, 134), (88, 109)])
@pytest.mark.parametrize("level", [0.95, 0.975])
def test_clopper_pearson_matches_statsmodels(x, n, level):
    ci = stats.clopper_pearson(x, n, level)
    low, high = proportion_confint(x, n, alpha=1 - level, method="beta")
    assert ci.low == pytest.approx(low, abs=1e-12)
    assert ci.high == pytest.approx(high, abs=1e-12)
    assert ci.estimate == x / n


def test_clopper_pearson_published_value():
    # A textbook value: 0 events in 10 trials, upper 95 % limit 0.3085 ("rule of three" neighbourhood).
    assert stats.clopper_pearson(0, 10).high == pytest.approx(0.30850, abs=1e-5)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"x": -1, "n": 10}, "x must be >= 0"),
        ({"x": 11, "n": 10}, r"x must be <= n \(10\)"),
        ({"x": 1, "n": 0}, "n must be >= 1"),
        ({"x": 1.5, "n": 10}, "x must be an integer"),
        ({"x": 1, "n": 10, "level": 1.0}, r"level must be in \(0.0, 1.0\)"),
        ({"x": 1, "n": 10, "level": "0.95"}, "level must be a real number"),
    ],
)
def test_clopper_pearson_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        stats.clopper_pearson(**kwargs)


def test_grid_shape_and_bounds():
    grid = stats.clopper_pearson_grid([10, 100], [0.1, 0.5])
    assert len(grid) == 4
    assert ((grid["low"] <= grid["estimate"]) & (grid["estimate"] <= grid["high"])).all()


# --- differences, ratios, NNT, rates, conversions --------------------------------------------------

from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint as _pc  # noqa: E402


def test_wilson_matches_statsmodels():
    for x, n in [(0, 10), (3, 17), (91, 271)]:
        ci = stats.wilson(x, n)
        low, high = _pc(x, n, method="wilson")
        assert (ci.low, ci.high) == pytest.approx((low, high), abs=1e-12)


@pytest.mark.parametrize("method,sm", [("wald", "wald"), ("newcombe", "newcomb"), ("agresti-caffo", "agresti-caffo")])
def test_risk_difference_matches_statsmodels(method, sm):
    ci = stats.risk_difference(88, 109, 32, 109, 0.975, method)
    low, high = confint_proportions_2indep(88, 109, 32, 109, method=sm, compare="diff", alpha=0.025)
    assert (ci.low, ci.high) == pytest.approx((low, high), abs=1e-9)


def test_tower_remission_difference_reproduced():
    # TOWER Table 2: CR 91/271 vs 21/134, difference 17.9 (95 % CI 9.6 to 26.2) percentage points.
    ci = stats.risk_difference(91, 271, 21, 134)
    assert [round(100 * v, 1) for v in ci.as_tuple()] == [17.9, 9.6, 26.2]


def test_nnt_and_its_interval():
    res = stats.nnt(91, 271, 21, 134, outcome="good")
    rd = stats.risk_difference(91, 271, 21, 134)
    assert res.nnt == pytest.approx(1 / rd.estimate) and res.kind == "benefit"
    assert (res.low, res.high) == pytest.approx((1 / rd.high, 1 / rd.low))
    assert not res.crosses_zero and res.describe().startswith("NNTB 5.6 (95% CI 3.8 to 10.4)")
    crossing = stats.nnt(10, 50, 8, 50, outcome="good")
    assert crossing.crosses_zero and "infinity" in crossing.describe()
    assert crossing.low > 0 > crossing.high
    with pytest.raises(ValueError, match="risk difference is 0"):
        stats.nnt(5, 10, 5, 10, outcome="good")


def test_nnt_direction_follows_the_outcome():
    # E1910 deaths, 17/112 with blinatumomab vs 40/112: fewer deaths is benefit, not harm
    deaths = stats.nnt(17, 112, 40, 112, outcome="bad")
    rd = stats.risk_difference(17, 112, 40, 112)
    assert deaths.kind == "benefit" and deaths.nnt == pytest.approx(-1 / rd.estimate) == pytest.approx(112 / 23)
    assert deaths.describe().startswith("NNTB 4.9")
    assert (deaths.low, deaths.high) == pytest.approx(sorted((-1 / rd.low, -1 / rd.high)))
    # the same counts read as good outcomes are harm, with the same magnitudes
    as_good = stats.nnt(17, 112, 40, 112, outcome="good")
    assert as_good.kind == "harm" and as_good.describe().startswith("NNTH 4.9")
    assert as_good.nnt == pytest.approx(-deaths.nnt)
    # more serious adverse events with the experimental arm: harm
    sae = stats.nnt(165, 267, 49, 109, outcome="bad")
    assert sae.kind == "harm" and sae.nnt < 0 and sae.low < sae.high < 0
    # a crossing interval of a bad outcome: NNTB bound first, NNTH bound second
    cross = stats.nnt(8, 50, 10, 50, outcome="bad")
    assert cross.crosses_zero and cross.low > 0 > cross.high and cross.kind == "benefit"


@pytest.mark.parametrize("kwargs,message", [
    ({}, "outcome"),
    ({"outcome": "benefit"}, r"outcome must be one of \['bad', 'good'\], got 'benefit'"),
    ({"outcome": None}, "outcome must be one of"),
])
def test_nnt_requires_the_direction(kwargs, message):
    with pytest.raises((TypeError, ValueError), match=message):
        stats.nnt(91, 271, 21, 134, **kwargs)


def test_risk_ratio_log_interval():
    rr = stats.risk_ratio(69, 88, 9, 32)
    assert rr.estimate == pytest.approx((69 / 88) / (9 / 32))
    assert rr.low < rr.estimate < rr.high
    with pytest.raises(ValueError, match="x1 and x2 must be >= 1"):
        stats.risk_ratio(0, 10, 3, 10)


def test_poisson_rate_exact_interval():
    ci = stats.poisson_rate(10, 200.0, per=100)
    assert ci.estimate == pytest.approx(5.0)
    # exact 95 % limits for 10 events: 4.7954 and 18.3904 (Garwood)
    assert (ci.low, ci.high) == pytest.approx((4.7954 / 2, 18.3904 / 2), abs=1e-3)
    assert stats.poisson_rate(0, 10.0).low == 0.0
    assert stats.implied_exposure(165, 349.4) == pytest.approx(165 * 100 / 349.4)


def test_hr_conversions_round_trip():
    se = stats.se_from_ci(0.71, 0.55, 0.93)
    ci = stats.ci_from_se(0.71, se)
    assert ci.low == pytest.approx(0.71 * (0.55 / 0.93) ** 0.5, rel=1e-9)
    p = stats.p_from_ci(0.71, 0.55, 0.93)
    assert p == pytest.approx(stats.p_from_z(np.log(0.71) / se))
    assert stats.z_from_p(stats.p_from_z(2.3)) == pytest.approx(2.3)
    assert stats.p_from_z(1.959963984540054) == pytest.approx(0.05)
    assert stats.p_from_z(1.6448536269514722, sided=1) == pytest.approx(0.05)
    assert stats.difference_p_from_ci(17.9, 9.6, 26.2) < 0.001


def test_difference_p_from_ci_accepts_rounded_symmetric_intervals():
    # Wald intervals as printed: TOWER Table 2 (19.3, 9.9 to 28.7) and INO-VATE's 97.5 % interval
    # (51.4, 38.4 to 64.3), asymmetric by 0.1 only through rounding
    z = stats._z(0.95)
    assert stats.difference_p_from_ci(19.3, 9.9, 28.7) == pytest.approx(2 * (1 - stats._st.norm.cdf(19.3 / (18.8 / (2 * z)))))
    assert 0 < stats.difference_p_from_ci(51.4, 38.4, 64.3, 0.975) < 1e-6
    # printed as whole numbers, 28 (9 to 47) is symmetric; 2 units of asymmetry is still rounding
    assert stats.difference_p_from_ci(28, 9, 47) == stats.difference_p_from_ci(28.0, 9.0, 47.0)
    assert stats.difference_p_from_ci(28, 10, 48) > 0


@pytest.mark.parametrize("args", [
    (28, 5, 47),                    # 19 above, 23 below: beyond the 2 units rounding allows
    (0.20, 0.05, 0.31),             # a skewed interval printed to 2 decimals
    tuple(round(v, 3) for v in stats.risk_difference(3, 20, 12, 20, method="newcombe").as_tuple()),
])
def test_difference_p_from_ci_rejects_an_asymmetric_interval(args):
    with pytest.raises(ValueError, match=r"low and high must be symmetric about estimate.*rounding can explain"):
        stats.difference_p_from_ci(*args)


@pytest.mark.parametrize("call,message", [
    (lambda: stats.se_from_ci(0.71, 0.93, 0.55), "low <= estimate <= high"),
    (lambda: stats.se_from_ci(-1, 0.5, 0.9), r"estimate must be in \(0.0, inf\]"),
    (lambda: stats.p_from_z(1.0, sided=3), "sided must be one of"),
    (lambda: stats.z_from_p(0.0), r"p must be in \(0.0, 1.0\)"),
    (lambda: stats.poisson_rate(3, 0.0), "exposure must be in"),
    (lambda: stats.poisson_rate(-1, 1.0), "events must be >= 0"),
    (lambda: stats.risk_difference(1, 10, 2, 10, method="exact"), "method must be one of"),
    (lambda: stats.risk_difference(11, 10, 2, 10), r"x1 must be <= n1 \(10\)"),
    (lambda: stats.difference_p_from_ci(1, 2, 2), "low < high"),
])
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- standardised differences -----------------------------------------------------------------------


def test_standardized_difference_of_proportions_by_hand():
    p1, p2 = 162 / 271, 77 / 134
    expected = (p1 - p2) / np.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / 2)
    assert stats.standardized_difference(p1, p2) == pytest.approx(expected, rel=1e-12)
    assert stats.standardized_difference(p1, p2) == pytest.approx(0.0469, abs=5e-4)
    # antisymmetric, and 0 for equal proportions
    assert stats.standardized_difference(p2, p1) == pytest.approx(-expected)
    assert stats.standardized_difference(0.3, 0.3) == 0.0
    assert stats.standardized_difference(0.0, 0.0) == 0.0


def test_standardized_difference_of_means_matches_cohens_d_with_equal_groups():
    # with equal group sizes the pooled SD of Cohen's d is sqrt((s1^2 + s2^2) / 2)
    rng = np.random.default_rng(4)
    x, y = rng.normal(1.0, 2.0, 500), rng.normal(0.5, 3.0, 500)
    s1, s2 = x.std(ddof=1), y.std(ddof=1)
    pooled = np.sqrt(((x.size - 1) * s1 ** 2 + (y.size - 1) * s2 ** 2) / (x.size + y.size - 2))
    d = stats.standardized_difference(x.mean(), y.mean(), s1, s2, kind="mean")
    assert d == pytest.approx((x.mean() - y.mean()) / pooled, rel=1e-12)


def test_standardized_difference_tower_age():
    # TOWER Table 1: age 40.8 +/- 17.1 versus 41.1 +/- 17.3 years
    d = stats.standardized_difference(40.8, 41.1, 17.1, 17.3, kind="mean")
    assert d == pytest.approx(-0.3 / np.sqrt((17.1 ** 2 + 17.3 ** 2) / 2), rel=1e-12)
    assert -0.02 < d < -0.017


@pytest.mark.parametrize("kwargs,message", [
    ({"a1": 1.2, "a2": 0.5}, r"a1 must be in \[0.0, 1.0\]"),
    ({"a1": 0.5, "a2": -0.1}, r"a2 must be in \[0.0, 1.0\]"),
    ({"a1": 0.0, "a2": 1.0}, "a1 and a2 must not be 0 and 1"),
    ({"a1": 1.0, "a2": 2.0, "kind": "mean"}, "b1 and b2"),
    ({"a1": 1.0, "a2": 2.0, "b1": 0.0, "b2": 1.0, "kind": "mean"}, r"b1 must be in \(0.0, inf\]"),
    ({"a1": 1.0, "a2": 2.0, "b1": 1.0, "b2": 1.0, "kind": "median"}, "kind must be one of"),
])
def test_standardized_difference_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        stats.standardized_difference(**kwargs)

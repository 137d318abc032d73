"""trialkit.survival: Kaplan-Meier, medians, log-rank, Cox, RMST, competing risks, landmarks, time-varying Cox."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize

from trialkit import survival as sv

# Freireich et al. (Blood 1963) 6-MP vs placebo remission data, as tabulated by Gehan (Biometrika 1965)
# and reproduced in most survival textbooks (e.g. Klein & Moeschberger, sec. 1.2; R's MASS::gehan).
MP_TIME = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
MP_EVENT = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
PLACEBO_TIME = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]


def _gehan() -> pd.DataFrame:
    return pd.DataFrame({
        "time": MP_TIME + PLACEBO_TIME,
        "event": MP_EVENT + [1] * 21,
        "arm": ["6-MP"] * 21 + ["placebo"] * 21,
    })


def _censored_sample(seed: int, n: int = 120, rate: float = 0.1, follow: float = 25.0, rounding: int | None = None):
    rng = np.random.default_rng(seed)
    t = rng.exponential(1 / rate, n)
    c = rng.uniform(0, follow, n)
    if rounding is not None:
        t, c = np.round(t, rounding), np.round(c, rounding)
    e = (t <= c).astype(int)
    return np.minimum(t, c), e, rng


# --- Kaplan-Meier ------------------------------------------------------------------------------


def test_km_freireich_published_values():
    # 6-MP arm: S(t) at the event times 6, 7, 10, 13, 16, 22, 23 is 0.857, 0.807, 0.753, 0.690, 0.627,
    # 0.538, 0.448 (Klein & Moeschberger Table 4.1A; Kleinbaum & Klein ch. 2).
    km = sv.kaplan_meier(MP_TIME, MP_EVENT)
    at = km.set_index("time").loc[[6, 7, 10, 13, 16, 22, 23]]
    assert at["survival"].round(3).tolist() == [0.857, 0.807, 0.753, 0.690, 0.627, 0.538, 0.448]
    assert at["at_risk"].tolist() == [21, 17, 15, 12, 11, 7, 6]


def test_km_matches_lifelines_and_statsmodels_with_ties():
    from lifelines import KaplanMeierFitter
    from statsmodels.duration.survfunc import SurvfuncRight

    t, e, rng = _censored_sample(3, rounding=0)
    g = rng.choice(["A", "B"], len(t))
    km = sv.kaplan_meier(t, e, g)
    for arm in ("A", "B"):
        sel = g == arm
        ours = km[km["group"] == arm].iloc[1:].set_index("time")  # drop the start row
        fit = KaplanMeierFitter().fit(t[sel], e[sel])
        table = fit.event_table.loc[ours.index]
        assert (ours["at_risk"] == table["at_risk"]).all()
        assert (ours["events"] == table["observed"]).all()
        assert (ours["censored"] == table["censored"]).all()
        np.testing.assert_allclose(ours["survival"], fit.survival_function_.loc[ours.index].iloc[:, 0], atol=1e-12)
        # lifelines' default interval is the exponential-Greenwood = log(-log) one.
        ci = fit.confidence_interval_.loc[ours.index]
        np.testing.assert_allclose(ours["ci_low"], ci.iloc[:, 0], atol=1e-12)
        np.testing.assert_allclose(ours["ci_high"], ci.iloc[:, 1], atol=1e-12)
        # statsmodels: same estimate and Greenwood SE at the event times.
        sf = SurvfuncRight(t[sel], e[sel])
        np.testing.assert_allclose(ours.loc[sf.surv_times, "survival"], sf.surv_prob, atol=1e-12)


def test_km_table_shape_and_start_rows():
    km = sv.kaplan_meier(_gehan(), group="arm")  # DataFrame input: the group column is named
    assert list(km.columns) == ["group", "time", "at_risk", "events", "censored", "survival", "ci_low", "ci_high"]
    starts = km.groupby("group").head(1)
    assert starts["time"].tolist() == [0.0, 0.0]
    assert starts["survival"].tolist() == [1.0, 1.0]
    assert starts["at_risk"].tolist() == [21, 21]
    assert km.groupby("group")["events"].sum().to_dict() == {"6-MP": 9, "placebo": 21}
    assert km.groupby("group")["censored"].sum().to_dict() == {"6-MP": 12, "placebo": 0}
    inside = km.dropna()
    assert ((inside["ci_low"] <= inside["survival"]) & (inside["survival"] <= inside["ci_high"])).all()
    # The placebo curve reaches 0 at t = 23: the log-log band is undefined there.
    last = km[km["group"] == "placebo"].iloc[-1]
    assert last["survival"] == 0.0 and math.isnan(last["ci_low"]) and math.isnan(last["ci_high"])
    overall = sv.kaplan_meier(_gehan()[["time", "event"]])
    assert set(overall["group"]) == {"all"}


def test_km_never_splits_by_a_column_silently():
    # a DataFrame with an arm (or group) column gives one overall curve unless group is named
    df = _gehan()
    for frame in (df, df.rename(columns={"arm": "group"})):
        km = sv.kaplan_meier(frame)
        assert set(km["group"]) == {"all"} and km["at_risk"].iloc[0] == 42
    assert set(sv.median_survival_table(df)["group"]) == {"all"}
    assert set(sv.kaplan_meier(df, group="arm")["group"]) == {"6-MP", "placebo"}
    with pytest.raises(ValueError, match="group must be given"):
        sv.logrank(df)


def test_km_level_widens_band():
    narrow = sv.kaplan_meier(MP_TIME, MP_EVENT, level=0.80).dropna()
    wide = sv.kaplan_meier(MP_TIME, MP_EVENT, level=0.99).dropna()
    moved = narrow["survival"] < 1
    assert (wide["ci_low"][moved] < narrow["ci_low"][moved]).all()
    assert (wide["ci_high"][moved] > narrow["ci_high"][moved]).all()


# --- median ------------------------------------------------------------------------------------


def test_median_hand_example_flat_at_half():
    # Times 1..10, all events: S(t_k) = 1 - k/10 and Greenwood var(log S) = k / (10 (10 - k)).
    # S = 0.5 exactly on [5, 6) -> median (5 + 6) / 2 = 5.5 (midpoint rule of R and SAS).
    # Lower band S**exp(1.96 sd / |log S|) at t = 1: sd = sqrt(1/90) = 0.1054, exponent exp(1.9607) = 7.10,
    #   0.9**7.10 = 0.473 <= 0.5 -> lower limit 1.
    # Upper band S**exp(-1.96 sd / |log S|): t = 7: 0.3**exp(-0.786) = 0.578 > 0.5;
    #   t = 8: sd = sqrt(0.4), 0.2**exp(-0.770) = 0.475 <= 0.5 -> upper limit 8.
    m = sv.median_survival(np.arange(1, 11), np.ones(10))
    assert m.as_tuple() == (5.5, 1.0, 8.0)


def test_median_freireich_hand_computed():
    # 6-MP arm: S first <= 0.5 at 23 (0.448). Lower band at 13: S = 0.690, var(log S) = 0.02395,
    # 0.690**exp(1.96*0.1548/0.3711) = 0.432 <= 0.5, while at 10: 0.753**2.421 = 0.503 > 0.5 -> 13.
    # Upper band at 23 is 0.448**exp(-0.733) = 0.680 > 0.5 and no event follows -> not reached (inf).
    m = sv.median_survival(MP_TIME, MP_EVENT)
    assert (m.median, m.ci_low) == (23.0, 13.0)
    assert m.ci_high == math.inf


def test_median_matches_lifelines_on_untied_data():
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    for seed in range(5):
        t, e, _ = _censored_sample(seed, n=80)
        fit = KaplanMeierFitter().fit(t, e)
        ci = median_survival_times(fit.confidence_interval_)
        m = sv.median_survival(t, e)
        assert m.median == pytest.approx(fit.median_survival_time_, abs=0)
        # lifelines' "lower" band column gives the lower limit of the median, "upper" the upper.
        assert m.ci_low == ci.iloc[0, 0]
        assert m.ci_high == ci.iloc[0, 1]


def test_median_not_reached_and_undetermined():
    # One event of six: S = 5/6 throughout -> median and upper limit not reached; lower band at t = 1 is
    # (5/6)**exp(1.96*sqrt(1/30)/0.1823) = 0.27 -> lower limit 1.
    m = sv.median_survival([1, 2, 3, 4, 5, 6], [1, 0, 0, 0, 0, 0])
    assert m.as_tuple() == (math.inf, 1.0, math.inf)
    # Two events: S = 0.5 on [1, 2), then 0. Median 1.5; upper band 0.5**exp(-2) = 0.91 at t = 1 and
    # undefined at S = 0 -> the upper limit cannot be determined (nan), as R reports NA.
    m = sv.median_survival([1, 2], [1, 1])
    assert m.median == 1.5 and m.ci_low == 1.0 and math.isnan(m.ci_high)


def test_median_table_per_group():
    table = sv.median_survival_table(_gehan(), group="arm")
    assert table["group"].tolist() == ["6-MP", "placebo"]
    assert table["median"].tolist() == [23.0, 8.0]
    assert table["events"].tolist() == [9, 21]
    placebo = sv.median_survival(PLACEBO_TIME, [1] * 21)
    assert tuple(table.iloc[1][["median", "ci_low", "ci_high"]]) == placebo.as_tuple()


# --- log-rank ----------------------------------------------------------------------------------


def test_logrank_freireich_published():
    # R: survdiff(Surv(time, cens) ~ treat, data = MASS::gehan) prints O = 9 / 21, E = 19.3 / 10.7 and
    # "Chisq= 16.8 on 1 degrees of freedom" (16.79 to two decimals).
    res = sv.logrank(_gehan(), group="arm", reference="placebo")
    assert res.chi2 == pytest.approx(16.79, abs=0.005)
    assert res.df == 1
    assert res.observed == {"6-MP": 9.0, "placebo": 21.0}
    assert res.expected["6-MP"] == pytest.approx(19.25, abs=0.01)
    # experimental (6-MP) versus control (placebo): fewer events than expected, so z < 0, like HR < 1
    assert res.z == pytest.approx(-math.sqrt(res.chi2), rel=1e-9)
    assert sv.logrank(_gehan(), group="arm", reference="6-MP").z == pytest.approx(-res.z, rel=1e-12)
    assert math.isnan(sv.logrank(_gehan(), group="arm").z)  # no reference: no silent direction
    assert res.p < 1e-4
    table = res.table()
    assert table["o_minus_e"].sum() == pytest.approx(0, abs=1e-12)


def test_logrank_matches_lifelines_two_and_three_groups():
    from lifelines.statistics import logrank_test, multivariate_logrank_test

    t, e, rng = _censored_sample(7, n=150, rounding=0)
    g2 = rng.integers(0, 2, len(t))
    res = sv.logrank(t, e, g2, reference=0)
    ref = logrank_test(t[g2 == 0], t[g2 == 1], e[g2 == 0], e[g2 == 1])
    assert res.chi2 == pytest.approx(ref.test_statistic, rel=1e-10)
    assert res.p == pytest.approx(ref.p_value, rel=1e-10)
    assert res.z ** 2 == pytest.approx(res.chi2, rel=1e-10)
    g3 = rng.choice(["a", "b", "c"], len(t))
    res3 = sv.logrank(t, e, g3)
    ref3 = multivariate_logrank_test(t, g3, e)
    assert res3.chi2 == pytest.approx(ref3.test_statistic, rel=1e-10)
    assert res3.df == 2 and math.isnan(res3.z)
    assert sum(res3.observed.values()) == e.sum()
    assert sum(res3.expected.values()) == pytest.approx(e.sum(), rel=1e-12)


def _own_chi2(res: sv.LogrankResult, t, e, g, strata=None) -> float:
    """Chi-squared rebuilt from O - E and the summed variance, independently of the libraries."""
    levels = list(res.observed)
    codes = np.array([levels.index(x) for x in g])
    blocks = [np.ones(len(t), bool)] if strata is None else [strata == s for s in np.unique(strata)]
    oe = np.zeros(len(levels))
    var = np.zeros((len(levels), len(levels)))
    for b in blocks:
        o, x, v = sv._logrank_parts(np.asarray(t, float)[b], np.asarray(e)[b], codes[b], len(levels))
        oe += o - x
        var += v
    return float(oe[1:] @ np.linalg.solve(var[1:, 1:], oe[1:]))


def test_logrank_stratified():
    from statsmodels.duration.survfunc import survdiff

    t, e, rng = _censored_sample(11, n=200, rounding=0)
    g = rng.choice(["x", "y"], len(t))
    strata = rng.choice(["s1", "s2", "s3"], len(t))
    # One stratum only: identical to the unstratified test (and to lifelines).
    one = sv.logrank(t, e, g, strata=np.full(len(t), "only"))
    plain = sv.logrank(t, e, g)
    assert one.stratified and not plain.stratified
    assert one.chi2 == pytest.approx(plain.chi2, rel=1e-10)
    assert one.observed == plain.observed
    assert one.expected == pytest.approx(plain.expected, rel=1e-12)
    # Several strata: statsmodels' statistic, reproduced from our own O, E and V.
    res = sv.logrank(t, e, g, strata=strata, reference="x")
    ref = survdiff(t, e, (g == "y").astype(int), strata=pd.factorize(strata)[0])
    assert res.chi2 == pytest.approx(ref[0], rel=1e-10)
    assert res.chi2 == pytest.approx(_own_chi2(res, t, e, g, strata), rel=1e-10)
    assert res.z ** 2 == pytest.approx(res.chi2, rel=1e-10)
    assert res.chi2 != pytest.approx(plain.chi2, rel=1e-3)  # stratification does change it here


# --- Cox and the PH test -----------------------------------------------------------------------


ROSSI_TERMS = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]


def test_cox_rossi_published():
    from lifelines.datasets import load_rossi

    # Fox & Weisberg, "Cox Proportional-Hazards Regression for Survival Data in R" (appendix to An R
    # Companion to Applied Regression), coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio):
    coef = [-0.3794, -0.0574, 0.3139, -0.1498, -0.4337, -0.0849, 0.0915]
    se = [0.1914, 0.0220, 0.3080, 0.2122, 0.3819, 0.1958, 0.0286]
    res = sv.cox(load_rossi(), "week", "arrest", ROSSI_TERMS)
    np.testing.assert_allclose(res.table["coef"], coef, atol=6e-5)
    np.testing.assert_allclose(res.table["se"], se, atol=6e-5)
    assert (res.n, res.events) == (432, 114)
    assert res.warnings == ()
    hr, low, high = res.hr("fin")
    assert hr == pytest.approx(math.exp(-0.379422), rel=1e-4)
    assert low < hr < high


def test_cox_matches_statsmodels_efron_with_ties_and_strata():
    from lifelines.datasets import load_rossi
    from statsmodels.duration.hazard_regression import PHReg

    rossi = load_rossi()  # weekly times: many ties, so Efron vs Breslow matters
    terms = ["fin", "age", "prio"]
    res = sv.cox(rossi, "week", "arrest", terms, level=0.9)
    ref = PHReg(rossi["week"], rossi[terms], status=rossi["arrest"], ties="efron").fit()
    np.testing.assert_allclose(res.table["coef"], ref.params, atol=1e-6)
    np.testing.assert_allclose(res.table["se"], ref.bse, rtol=1e-4)
    z90 = 1.6448536269514722
    np.testing.assert_allclose(res.table["ci_high"], np.exp(ref.params + z90 * ref.bse), rtol=1e-4)
    strat = sv.cox(rossi, "week", "arrest", terms, strata="wexp")
    ref_s = PHReg(rossi["week"], rossi[terms], status=rossi["arrest"], strata=rossi["wexp"], ties="efron").fit()
    np.testing.assert_allclose(strat.table["coef"], ref_s.params, atol=1e-6)


def test_cox_label_covariate_coded_against_first_level():
    df = _gehan()
    res = sv.cox(df, "time", "event", ["arm"])
    assert res.table["covariate"].tolist() == ["arm[placebo]"]
    # R: coxph(Surv(time, cens) ~ treat, data = MASS::gehan) (Efron ties): coef 1.572, HR 4.82
    # (the Breslow approximation would give 1.509).
    assert res.table["coef"].iloc[0] == pytest.approx(1.572, abs=0.001)
    df["arm"] = pd.Categorical(df["arm"], categories=["placebo", "6-MP"])
    flipped = sv.cox(df, "time", "event", ["arm"])
    assert flipped.table["covariate"].tolist() == ["arm[6-MP]"]
    assert flipped.table["coef"].iloc[0] == pytest.approx(-res.table["coef"].iloc[0], rel=1e-8)


def test_cox_keeps_lifelines_advisory_warnings_visible():
    from lifelines.datasets import load_rossi

    rossi = load_rossi().assign(age_k=lambda d: d["age"] / 1000)  # variance < 1e-4: lifelines warns
    res = sv.cox(rossi, "week", "arrest", ["fin", "age_k"])
    assert len(res.warnings) == 1 and "very low variance" in res.warnings[0]
    ref = sv.cox(rossi, "week", "arrest", ["fin", "age"])
    assert ref.warnings == ()
    assert res.table["coef"].iloc[1] == pytest.approx(1000 * ref.table["coef"].iloc[1], rel=1e-6)


def test_other_warnings_are_passed_on_not_swallowed():
    import warnings

    def noisy():
        warnings.warn("from inside a library", FutureWarning)
        return 42

    with pytest.warns(FutureWarning, match="from inside a library"):
        assert sv._passing_warnings(noisy) == 42
    with pytest.warns(FutureWarning, match="from inside a library"):
        out, notes = sv._lifelines_fit(noisy, "a model")
    assert (out, notes) == (42, ())


def test_cox_separation_is_a_clear_error():
    # Every x = 1 patient dies before every x = 0 patient is censored: the MLE is infinite.
    rng = np.random.default_rng(0)
    df = pd.DataFrame({
        "t": np.r_[rng.uniform(0, 5, 20), rng.uniform(5, 10, 20)],
        "e": np.r_[np.ones(20), np.zeros(20)],
        "x": np.r_[np.ones(20), np.zeros(20)],
    })
    with pytest.raises(ValueError, match="did not converge"):
        sv.cox(df, "t", "e", ["x"])


def test_ph_test_matches_grambsch_therneau_from_statsmodels_residuals():
    from statsmodels.duration.hazard_regression import PHReg

    rng = np.random.default_rng(2)
    n = 200
    x1, x2 = rng.normal(size=n), rng.integers(0, 2, n)
    t = rng.exponential(1 / np.exp(0.5 * x1))
    c = rng.exponential(2, n)
    df = pd.DataFrame({"t": np.minimum(t, c), "e": (t <= c).astype(int), "x1": x1, "x2": x2})
    ph = sv.ph_test(df, "t", "e", ["x1", "x2"])
    assert list(ph.columns) == ["covariate", "time_transform", "test_statistic", "df", "p"]
    # Grambsch & Therneau (1994) approximate score test, rebuilt from statsmodels' Schoenfeld residuals
    # (untied data, so Efron = Breslow): T_j = (sum_k (g_k - gbar) s*_kj)^2 / (d V_jj sum_k (g_k - gbar)^2),
    # s*_k = d V s_k, g_k = rank of the k-th event time.
    fit = PHReg(df["t"], df[["x1", "x2"]], status=df["e"], ties="efron").fit()
    sch = fit.schoenfeld_residuals
    ev = np.isfinite(sch[:, 0])
    resid = sch[ev][np.argsort(df["t"].to_numpy()[ev])]
    d, cov = ev.sum(), fit.cov_params()
    g = np.arange(1, d + 1) - (d + 1) / 2
    stat = (g @ (d * resid @ cov)) ** 2 / (d * np.diag(cov) * (g ** 2).sum())
    np.testing.assert_allclose(ph["test_statistic"], stat, rtol=1e-6)


def test_ph_test_detects_non_proportional_hazards():
    # Group 1 has hazard 3x group 0 (1.5 vs 0.5) before t = 1 and 1/3 of it after: crossing hazards.
    rng = np.random.default_rng(0)
    n = 400
    g = rng.integers(0, 2, n)
    early = rng.exponential(np.where(g == 1, 1 / 1.5, 2.0))
    late = 1 + rng.exponential(np.where(g == 1, 6.0, 2.0))
    t = np.where(early < 1, early, late)
    c = rng.uniform(0, 6, n)
    df = pd.DataFrame({"t": np.minimum(t, c), "e": (t <= c).astype(int), "g": g, "noise": rng.normal(size=n)})
    ph = sv.ph_test(df, "t", "e", ["g", "noise"]).set_index("covariate")
    assert ph.loc["g", "p"] < 1e-6
    assert ph.loc["noise", "p"] > 0.01
    km = sv.ph_test(df, "t", "e", ["g"], time_transform="km")
    assert km["time_transform"].tolist() == ["km"] and km["p"].iloc[0] < 1e-6


# --- restricted mean survival time ---------------------------------------------------------------


HAND_T = [1, 2, 2, 3, 4, 5]
HAND_E = [1, 1, 0, 1, 0, 1]


def test_rmst_hand_example():
    # Distinct times (n at risk, deaths): 1 (6, 1), 2 (5, 1; one censored), 3 (3, 1), 4 (2, 0), 5 (1, 1).
    # S = 5/6 after 1, 2/3 after 2, 4/9 after 3. tau = 4.5:
    #   RMST = 1*1 + 1*5/6 + 1*2/3 + 1.5*4/9 = 19/6.
    #   Areas to tau: A(1) = 5/6 + 2/3 + 2/3 = 13/6, A(2) = 4/3, A(3) = 2/3;
    #   var = (13/6)^2/(6*5) + (4/3)^2/(5*4) + (2/3)^2/(3*2) = 169/1080 + 96/1080 + 80/1080 = 23/72.
    r = sv.rmst(HAND_T, HAND_E, 4.5)
    assert r.rmst == pytest.approx(19 / 6, rel=1e-12)
    assert r.se == pytest.approx(math.sqrt(23 / 72), rel=1e-12)
    assert r.ci_low == pytest.approx(19 / 6 - 1.959963984540054 * math.sqrt(23 / 72), rel=1e-12)
    assert r.tau == 4.5


def test_rmst_without_censoring_is_the_sample_mean():
    # With no censoring the KM curve is the empirical survival function: RMST = mean(min(T, tau)) and the
    # variance formula reduces to the (1/n) variance of min(T, tau) divided by n.
    rng = np.random.default_rng(8)
    t = rng.exponential(5, 40)
    r = sv.rmst(t, np.ones(40), 6.0)
    capped = np.minimum(t, 6.0)
    assert r.rmst == pytest.approx(capped.mean(), rel=1e-12)
    assert r.se ** 2 == pytest.approx(capped.var(ddof=0) / 40, rel=1e-10)


def test_rmst_point_estimate_matches_lifelines_but_not_its_variance():
    from lifelines import KaplanMeierFitter
    from lifelines.utils import restricted_mean_survival_time

    fit = KaplanMeierFitter().fit(HAND_T, HAND_E)
    mean, var = restricted_mean_survival_time(fit, t=4.5, return_variance=True)
    r = sv.rmst(HAND_T, HAND_E, 4.5)
    assert r.rmst == pytest.approx(mean, rel=1e-9)
    # lifelines' "variance" is that of min(T, tau) under the KM distribution (1.806), not of the estimator
    # (23/72 = 0.319): the reason this module computes its own.
    assert var == pytest.approx(1.80556, abs=1e-4)
    assert r.se ** 2 < var / 5


def test_rmst_se_matches_simulated_sd():
    # 2000 trials of n = 150, exponential(mean 10) times, uniform(0, 30) censoring, tau = 12: the mean
    # SE agrees with the empirical SD of the estimates within 10 % (observed: within 1 %).
    rng = np.random.default_rng(20240601)
    estimates, ses = [], []
    for _ in range(2000):
        t = rng.exponential(10, 150)
        c = rng.uniform(0, 30, 150)
        r = sv.rmst(np.minimum(t, c), (t <= c).astype(int), 12.0)
        estimates.append(r.rmst)
        ses.append(r.se)
    assert np.mean(ses) == pytest.approx(np.std(estimates, ddof=1), rel=0.10)
    # And the estimator is centred on the true RMST, 10 (1 - exp(-1.2)) = 6.988.
    assert np.mean(estimates) == pytest.approx(10 * (1 - math.exp(-1.2)), abs=0.05)


def test_rmst_difference():
    df = _gehan()
    res = sv.rmst_difference(df, group="arm", tau=23, reference="6-MP")
    mp = sv.rmst(MP_TIME, MP_EVENT, 23)
    pl = sv.rmst(PLACEBO_TIME, [1] * 21, 23)
    assert (res.reference, res.comparator) == ("6-MP", "placebo")
    assert res.difference == pytest.approx(pl.rmst - mp.rmst, rel=1e-12)
    assert res.se == pytest.approx(math.hypot(mp.se, pl.se), rel=1e-12)
    assert res.p == pytest.approx(2 * (1 - 0.5 * math.erfc(-abs(res.difference / res.se) / math.sqrt(2))), rel=1e-9)
    assert res.rmst["6-MP"] == mp
    assert res.ci_low < res.difference < res.ci_high < 0
    swapped = sv.rmst_difference(df, group="arm", tau=23, reference="placebo")
    with pytest.raises(ValueError, match=r"reference must be given: the control group, one of \['6-MP', 'placebo'\]"):
        sv.rmst_difference(df, group="arm", tau=23)
    assert swapped.difference == pytest.approx(-res.difference, rel=1e-12)
    # The placebo curve reaches 0 at 23, so a later tau is allowed for it but not for 6-MP (last follow-up 35).
    assert sv.rmst(PLACEBO_TIME, [1] * 21, 30).rmst == pytest.approx(pl.rmst, rel=1e-12)


# --- competing risks ---------------------------------------------------------------------------


def test_cif_tied_hand_example():
    # t: 1 (cause 1), 2 (cause 1), 2 (cause 2), 2 (censored), 3 (cause 1), 4 (censored), 5 (cause 2).
    # At 2 all three leave together: the two events are processed jointly and the censoring after them.
    #   n: 7, 6, 3, 2, 1. S (all causes): 6/7, 6/7 * 4/6 = 4/7, 4/7 * 2/3 = 8/21, 8/21, 0.
    #   F1 = 1/7; 1/7 + (6/7)(1/6) = 2/7; 2/7 + (4/7)(1/3) = 10/21; 10/21; 10/21.
    #   F2 = 0; (6/7)(1/6) = 1/7; 1/7; 1/7; 1/7 + 8/21 = 11/21.
    t = [1, 2, 2, 2, 3, 4, 5]
    et = [1, 1, 2, 0, 1, 0, 2]
    cif = sv.cumulative_incidence(t, et, cause=None)
    f1 = cif[cif["cause"] == 1]
    f2 = cif[cif["cause"] == 2]
    np.testing.assert_allclose(f1["cif"], [0, 1 / 7, 2 / 7, 10 / 21, 10 / 21, 10 / 21], rtol=1e-12)
    np.testing.assert_allclose(f2["cif"], [0, 0, 1 / 7, 1 / 7, 1 / 7, 11 / 21], rtol=1e-12)
    assert f1["at_risk"].tolist() == [7, 7, 6, 3, 2, 1]
    assert f1.iloc[2][["events", "competing", "censored"]].tolist() == [1, 1, 1]
    # F1 + F2 + S = 1 at every time.
    km = sv.kaplan_meier(t, (np.array(et) > 0).astype(int))
    np.testing.assert_allclose(f1["cif"].to_numpy() + f2["cif"].to_numpy() + km["survival"].to_numpy(), 1, atol=1e-12)


def test_cif_matches_lifelines_on_untied_data():
    from lifelines import AalenJohansenFitter

    rng = np.random.default_rng(5)
    t = rng.exponential(5, 60)
    et = rng.choice([0, 1, 2], 60, p=[0.3, 0.4, 0.3])
    et[np.argmax(t)] = 0  # last time censored: lifelines' variance divides by n - d there otherwise
    ours = sv.cumulative_incidence(t, et, level=0.9).iloc[1:].set_index("time")
    aj = AalenJohansenFitter(alpha=0.1).fit(t, et, event_of_interest=1)
    np.testing.assert_allclose(ours["cif"], aj.cumulative_density_.loc[ours.index].iloc[:, 0], atol=1e-12)
    var = aj.variance_.set_axis(aj.cumulative_density_.index).loc[ours.index]
    np.testing.assert_allclose(ours["se"] ** 2, var, atol=1e-12)
    # lifelines labels its two bound columns the other way round; compare as (smaller, larger).
    bounds = aj.confidence_interval_.loc[ours.index].to_numpy()
    positive = (ours["cif"] > 0).to_numpy()
    np.testing.assert_allclose(ours["ci_low"][positive], bounds[positive].min(axis=1), atol=1e-12)
    np.testing.assert_allclose(ours["ci_high"][positive], bounds[positive].max(axis=1), atol=1e-12)


def test_cif_matches_statsmodels_with_ties_and_groups():
    from statsmodels.duration.survfunc import CumIncidenceRight

    rng = np.random.default_rng(9)
    t = np.round(rng.exponential(5, 150))  # many tied times, mixed event types at the same time
    et = rng.choice([0, 1, 2], 150, p=[0.3, 0.4, 0.3])
    g = rng.choice(["a", "b"], 150)
    for arm in ("a", "b"):  # each arm's last time censored: statsmodels' SE is nan where n = d
        et[(g == arm) & (t == t[g == arm].max())] = 0
    cif = sv.cumulative_incidence(pd.DataFrame({"time": t, "event_type": et, "group": g}), cause=None, group="group")
    for arm in ("a", "b"):
        ref = CumIncidenceRight(t[g == arm], et[g == arm])
        for cause in (1, 2):
            ours = cif[(cif["group"] == arm) & (cif["cause"] == cause)].iloc[1:]
            np.testing.assert_allclose(ours["time"], ref.times)
            np.testing.assert_allclose(ours["cif"], ref.cinc[cause - 1], atol=1e-12)
            np.testing.assert_allclose(ours["se"], ref.cinc_se[cause - 1], atol=1e-12)
    inside = cif[(cif["cif"] > 0) & (cif["cif"] < 1)]
    assert ((inside["ci_low"] < inside["cif"]) & (inside["cif"] < inside["ci_high"])).all()


# --- landmark ----------------------------------------------------------------------------------


def test_landmark_subset_and_clock_reset():
    df = _gehan()
    lm = sv.landmark(df, group="arm", landmark_time=10)
    kept = df[df["time"] > 10]
    assert list(lm.index) == list(kept.index)  # the original rows, traceable
    np.testing.assert_array_equal(lm["time"], kept["time"] - 10)
    np.testing.assert_array_equal(lm["original_time"], kept["time"])
    assert lm["group"].tolist() == kept["arm"].tolist()
    # Patients with an event or censoring exactly at the landmark are not at risk after it.
    assert not (df.loc[lm.index, "time"] == 10).any()
    arrays = sv.landmark(MP_TIME, MP_EVENT, None, 10)
    assert "group" not in arrays.columns and len(arrays) == sum(x > 10 for x in MP_TIME)


def test_landmark_cox_equals_cox_on_the_landmark_set():
    df = _gehan()
    res = sv.landmark_cox(df, group="arm", landmark_time=8, reference="6-MP")
    sub = df[df["time"] > 8].assign(time=lambda d: d["time"] - 8)
    direct = sv.cox(sub, "time", "event", ["arm"])
    assert res.table["covariate"].tolist() == ["group[placebo]"]
    flipped = sv.landmark_cox(df, group="arm", landmark_time=8, reference="placebo")
    assert flipped.table["covariate"].tolist() == ["group[6-MP]"]
    assert flipped.table["coef"].iloc[0] == pytest.approx(-res.table["coef"].iloc[0], rel=1e-6)
    assert res.table["coef"].iloc[0] == pytest.approx(direct.table["coef"].iloc[0], rel=1e-10)
    assert res.n == len(sub)


# --- time-varying Cox --------------------------------------------------------------------------


def _stanford_per_patient() -> pd.DataFrame:
    from lifelines.datasets import load_stanford_heart_transplants

    rows = load_stanford_heart_transplants().sort_values(["id", "start"])
    tx_start = rows[rows["transplant"] == 1].groupby("id")["start"].min()
    per = rows.groupby("id").agg(time=("stop", "max"), event=("event", "last"), age=("age", "first"),
                                 year=("year", "first"), surgery=("surgery", "first"))
    per["tx"] = tx_start.reindex(per.index)
    return per.reset_index()


def test_split_at_event_rebuilds_stanford_counting_process_data():
    from lifelines.datasets import load_stanford_heart_transplants

    per = _stanford_per_patient()  # 103 patients, 69 transplanted
    assert len(per) == 103 and per["tx"].notna().sum() == 69
    rows = sv.split_at_event(per["time"], per["event"], per["tx"], id=per["id"],
                             baseline=per[["age", "year", "surgery"]])
    ref = load_stanford_heart_transplants().sort_values(["id", "start"]).reset_index(drop=True)
    assert list(rows.columns) == ["id", "start", "stop", "event", "transplanted", "age", "year", "surgery"]
    pd.testing.assert_frame_equal(
        rows.rename(columns={"transplanted": "transplant"})[list(ref.columns)], ref, check_dtype=False)


def test_split_at_event_rules():
    rows = sv.split_at_event([5, 5, 5, 5], [1, 0, 1, 1], [np.nan, 2, 0, 5], name="tx")
    assert rows[["id", "start", "stop", "event", "tx"]].values.tolist() == [
        [0, 0, 5, 1, 0],   # never switched
        [1, 0, 2, 0, 0],   # switched at 2: before ...
        [1, 2, 5, 0, 1],   # ... and after, carrying the censoring
        [2, 0, 5, 1, 1],   # switched at 0: exposed throughout
        [3, 0, 5, 1, 0],   # switch at the event time cannot affect it: one unexposed row
    ]


def _efron_fit(data: pd.DataFrame, terms: list[str]) -> np.ndarray:
    """Maximise the Efron partial likelihood of counting-process rows (risk set: start < t <= stop)."""
    x = data[terms].to_numpy(float)
    start, stop, ev = (data[c].to_numpy() for c in ("start", "stop", "event"))
    times = np.unique(stop[ev == 1])

    def nll(beta):
        eta = x @ beta
        w = np.exp(eta)
        total = 0.0
        for t in times:
            dead = (stop == t) & (ev == 1)
            risk = (start < t) & (stop >= t)
            d = dead.sum()
            total += eta[dead].sum() - sum(np.log(w[risk].sum() - k / d * w[dead].sum()) for k in range(d))
        return -total

    return minimize(nll, np.zeros(len(terms)), method="BFGS", options={"gtol": 1e-9}).x


def test_cox_time_varying_stanford_matches_own_efron_likelihood():
    per = _stanford_per_patient()
    rows = sv.split_at_event(per["time"], per["event"], per["tx"], id=per["id"],
                             baseline=per[["age", "year", "surgery"]])
    terms = ["age", "year", "surgery", "transplanted"]
    res = sv.cox_time_varying(rows, "id", "start", "stop", "event", terms)
    # Independent check: our own Efron partial likelihood. (statsmodels' PHReg with entry= is not used:
    # it keeps rows whose start equals an event time in that risk set, which changes the transplant
    # coefficient from -0.010 to -0.055 on these data.)
    np.testing.assert_allclose(res.table["coef"], _efron_fit(rows, terms), atol=2e-4)
    assert res.table.set_index("covariate").loc["transplanted", "coef"] == pytest.approx(-0.0103, abs=1e-4)
    assert (res.n, res.events) == (103, 75)
    assert math.isnan(res.concordance)


def test_cox_time_varying_matches_statsmodels_without_ties():
    from statsmodels.duration.hazard_regression import PHReg

    t, e, rng = _censored_sample(4, n=150, follow=20)
    tx = np.where(rng.uniform(size=150) < 0.6, rng.uniform(size=150) * t, np.nan)
    rows = sv.split_at_event(t, e, tx, baseline=pd.DataFrame({"z": rng.normal(size=150)}))
    res = sv.cox_time_varying(rows, "id", "start", "stop", "event", ["z", "transplanted"])
    ref = PHReg(rows["stop"], rows[["z", "transplanted"]], status=rows["event"], entry=rows["start"]).fit()
    np.testing.assert_allclose(res.table["coef"], ref.params, atol=1e-6)
    np.testing.assert_allclose(res.table["se"], ref.bse, rtol=1e-4)


# --- validation --------------------------------------------------------------------------------


T3, E3 = [1.0, 2.0, 3.0], [1, 0, 1]


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"time": [1, -1, 3], "event": E3}, r"time must be finite and in \[0, inf\), got -1.0 at position 1"),
        ({"time": [1, np.nan, 3], "event": E3}, r"time must be finite and in \[0, inf\)"),
        ({"time": [1, np.inf, 3], "event": E3}, r"time must be finite"),
        ({"time": ["a", "b", "c"], "event": E3}, "time must be numeric"),
        ({"time": 3.0, "event": E3}, "time must be a one-dimensional array"),
        ({"time": [[1, 2, 3]], "event": E3}, "time must be one-dimensional"),
        ({"time": [], "event": []}, "time must have at least 1 value"),
        ({"time": T3, "event": [1, 2, 0]}, r"event must be 0 \(censored\) or 1 \(event\), got 2.0 at position 1"),
        ({"time": T3, "event": [1, np.nan, 0]}, r"event must be 0 \(censored\) or 1"),
        ({"time": T3, "event": None}, "event must be a one-dimensional array"),
        ({"time": T3, "event": [1, 0]}, "must have the same length; time has 3, event has 2"),
        ({"time": T3, "event": [0, 0, 0]}, "event must contain at least one event"),
        ({"time": T3, "event": E3, "group": ["a", None, "b"]}, "group must not have missing values"),
        ({"time": T3, "event": E3, "group": ["a", "b"]}, "group has 2"),
        ({"time": T3, "event": E3, "level": 1.2}, r"level must be in \(0.0, 1.0\)"),
        ({"time": pd.DataFrame({"t": T3, "event": E3})}, "a DataFrame must have a 'time' column"),
        ({"time": pd.DataFrame({"time": T3, "status": E3})}, "the DataFrame has no column 'event'"),
        ({"time": pd.DataFrame({"time": T3, "event": E3}), "group": "arm"}, "group must name a column"),
    ],
)
def test_kaplan_meier_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sv.kaplan_meier(**kwargs)


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: sv.median_survival(T3, [0, 0, 0]), "event must contain at least one event"),
        (lambda: sv.median_survival(T3, E3, level=0), r"level must be in \(0.0, 1.0\)"),
        (lambda: sv.median_survival_table(T3, E3, ["a", "b", None]), "group must not have missing values"),
        (lambda: sv.logrank(T3, E3), "group must be given"),
        (lambda: sv.logrank(T3, E3, ["a", "a", "a"]), "group must have at least 2 levels"),
        (lambda: sv.logrank(T3, E3, ["a", "b", "a"], strata=["s", None, "s"]), "strata must not have missing"),
        # Group b is censored before the first event: nobody of b is ever at risk at an event time.
        (lambda: sv.logrank([0.5, 1, 2], [0, 1, 1], ["b", "a", "a"]), "log-rank variance is singular"),
    ],
)
def test_median_and_logrank_reject_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


_DF = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6.0], "e": [1, 0, 1, 1, 0, 1], "x": [0.1, 0.5, 0.2, 0.9, 0.4, 0.3],
                    "k": [1, 1, 1, 1, 1, 1], "s": list("ababab"), "d": pd.date_range("2020-01-01", periods=6)})


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"df": [1, 2]}, "df must be a pandas DataFrame"),
        ({"duration_col": "time"}, "duration_col must name a column"),
        ({"event_col": "status"}, "event_col must name a column"),
        ({"covariates": []}, "covariates must list at least one column"),
        ({"covariates": ["x", "x"]}, "covariates must not repeat"),
        ({"covariates": ["nope"]}, "covariates must name columns"),
        ({"covariates": ["x", "t"]}, "covariates must not include the duration"),
        ({"covariates": ["k"]}, "column 'k' must vary"),
        ({"covariates": ["d"]}, "must be numeric, boolean or categorical"),
        ({"df": _DF.assign(x=[0.1, np.nan, 0.2, 0.9, 0.4, 0.3])}, "column 'x' must not have missing values"),
        ({"df": _DF.assign(t=[1, 2, -3, 4, 5, 6])}, r"t must be finite and in \[0, inf\)"),
        ({"df": _DF.assign(e=0)}, "e must contain at least one event"),
        ({"strata": ["x"]}, "covariates must not include the duration, event or strata"),
        ({"level": 0.0}, r"level must be in \(0.0, 1.0\)"),
    ],
)
def test_cox_rejects_bad_input(kwargs, message):
    args = {"df": _DF, "duration_col": "t", "event_col": "e", "covariates": ["x"]} | kwargs
    with pytest.raises(ValueError, match=message):
        sv.cox(**args)


def test_ph_test_rejects_bad_input():
    with pytest.raises(ValueError, match="time_transform must be one of"):
        sv.ph_test(_DF, "t", "e", ["x"], time_transform="sqrt")
    with pytest.raises(ValueError, match="time_transform 'log' needs every duration in"):
        sv.ph_test(_DF.assign(t=[0, 2, 3, 4, 5, 6.0]), "t", "e", ["x"], time_transform="log")
    with pytest.raises(ValueError, match="covariates must name columns"):
        sv.ph_test(_DF, "t", "e", ["nope"])


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: sv.rmst(HAND_T, HAND_E), "tau must be given"),
        (lambda: sv.rmst(HAND_T, HAND_E, 0), r"tau must be in \(0.0, inf\]"),
        (lambda: sv.rmst(HAND_T, HAND_E, "4"), "tau must be a real number"),
        # The last observation (5) is an event, so the curve is 0 from there: any tau is fine; not so here:
        (lambda: sv.rmst([1, 2, 3], [1, 0, 0], 4), r"tau must be in \(0, 3\]"),
        (lambda: sv.rmst(HAND_T, HAND_E, 4, level=2), r"level must be in \(0.0, 1.0\)"),
        (lambda: sv.rmst_difference(HAND_T, HAND_E, None, 3), "group must be given"),
        (lambda: sv.rmst_difference(HAND_T, HAND_E, list("aabbcc"), 3), "group must have exactly 2 levels"),
        (lambda: sv.rmst_difference(HAND_T, HAND_E, list("ababab"), 3, reference="c"), "reference must be one of"),
        (lambda: sv.rmst_difference(HAND_T, HAND_E, list("ababab"), None, reference="a"), "tau must be given"),
        (lambda: sv.rmst_difference(HAND_T, [1, 0, 1, 0, 1, 0], list("ababab"), 3, reference="a"), "event in group 'b' must contain"),
        (lambda: sv.rmst_difference([1, 2, 3, 4, 5, 6], [1, 1, 0, 1, 0, 1], list("ababab"), 5.5, reference="a"),
         r"tau must be in \(0, 5\] \(the largest follow-up time in group 'a'"),
    ],
)
def test_rmst_rejects_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: sv.cumulative_incidence(T3, [1, -1, 0]), r"event_type must be an integer code in \[0, inf\)"),
        (lambda: sv.cumulative_incidence(T3, [1, 1.5, 0]), "event_type must be an integer code"),
        (lambda: sv.cumulative_incidence(T3, [1, 0]), "event_type has 2"),
        (lambda: sv.cumulative_incidence(pd.DataFrame({"time": T3})), "event_type: the DataFrame has no column"),
        (lambda: sv.cumulative_incidence(T3, [0, 0, 0]), "event_type must contain at least one event"),
        (lambda: sv.cumulative_incidence(T3, [1, 2, 0], cause=3), r"cause must be one of the event types present \[1, 2\]"),
        (lambda: sv.cumulative_incidence(T3, [1, 2, 0], cause=0), "cause must be >= 1"),
        (lambda: sv.cumulative_incidence(T3, [1, 2, 0], level=1), r"level must be in \(0.0, 1.0\)"),
    ],
)
def test_cumulative_incidence_rejects_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: sv.landmark(T3, E3, None, -1), r"landmark_time must be in \[0.0, inf\]"),
        (lambda: sv.landmark(T3, E3, None, 3), r"landmark_time must be below the largest follow-up time \(3\)"),
        (lambda: sv.landmark_cox(T3, E3, None, 1), "group must be given"),
        (lambda: sv.landmark_cox([1, 2, 3, 4], [1, 0, 1, 0], list("abab"), 0.5), "reference must be given: the control group"),
        (lambda: sv.landmark_cox([1, 2, 3, 4], [1, 0, 1, 0], list("abab"), 0.5, reference="c"), "reference must be one of"),
        (lambda: sv.logrank(T3, E3, ["a", "b", "c"], reference="a"), "reference is only for two groups"),
        (lambda: sv.logrank(T3, E3, ["a", "b", "b"], reference="c"), "reference must be one of"),
        (lambda: sv.landmark_cox([1, 2, 3, 4], [1, 1, 1, 1], list("aabb"), 2.5), "group must keep at least 2 levels"),
        (lambda: sv.landmark_cox([1, 2, 3, 4], [1, 0, 1, 0], list("abab"), 3.5), "event after the landmark must contain"),
    ],
)
def test_landmark_rejects_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"time": [0, 2, 3]}, r"time must be finite and in \(0, inf\)"),
        ({"covariate_time": [np.nan, 2.5, 1]}, r"covariate_time must be nan \(never\) or in \[0, time\]"),
        ({"covariate_time": [np.nan, -1, 1]}, "covariate_time must be nan"),
        ({"covariate_time": [np.nan, 1]}, "covariate_time has 2"),
        ({"name": "stop"}, "name must not be one of"),
        ({"name": ""}, "name must be a non-empty string"),
        ({"id": [1, 1, 2]}, "id must be unique"),
        ({"id": [1, 2]}, "id must have the same length as time"),
        ({"baseline": pd.DataFrame({"age": [1, 2]})}, "baseline must be a DataFrame with 3 rows"),
        ({"baseline": pd.DataFrame({"event": [1, 2, 3]})}, "baseline must not have columns named"),
    ],
)
def test_split_at_event_rejects_bad_input(kwargs, message):
    args = {"time": T3, "event": E3, "covariate_time": [np.nan, 1.0, 2.0]} | kwargs
    with pytest.raises(ValueError, match=message):
        sv.split_at_event(**args)


_TV = pd.DataFrame({"id": [1, 1, 2, 3], "start": [0, 2, 0, 0.0], "stop": [2, 5, 4, 3.0], "event": [0, 1, 1, 0],
                    "x": [0, 1, 0, 1]})


@pytest.mark.parametrize(
    "df,kwargs,message",
    [
        (_TV, {"id_col": "patient"}, "id_col must name a column"),
        (_TV.assign(stop=[2, 5, 0, 3.0]), {}, r"stop must be > start on every row, got \(0.0, 0.0\] at row 2"),
        (_TV.assign(start=[0, 1, 0, 0.0]), {}, "intervals of patient 1 overlap"),
        (_TV.assign(id=[1, 1, None, 3]), {}, "id must not have missing values"),
        (_TV.assign(event=0), {}, "event must contain at least one event"),
        (_TV, {"covariates": ["stop"]}, "covariates must not include the id, start, stop"),
        (_TV, {"level": -0.5}, r"level must be in \(0.0, 1.0\)"),
        ([1], {}, "df must be a pandas DataFrame"),
    ],
)
def test_cox_time_varying_rejects_bad_input(df, kwargs, message):
    args = {"df": df, "id_col": "id", "start_col": "start", "stop_col": "stop", "event_col": "event",
            "covariates": ["x"]} | kwargs
    with pytest.raises(ValueError, match=message):
        sv.cox_time_varying(**args)


def test_cox_result_hr_rejects_unknown_term():
    res = sv.cox(_gehan(), "time", "event", ["arm"])
    with pytest.raises(ValueError, match=r"term must be one of \['arm\[placebo\]'\]"):
        res.hr("arm")


# --- the bias laboratories' Cox kernel: one binary covariate that switches on -----------------------


def _switch_cohort(seed=3, n=300):
    rng = np.random.default_rng(seed)
    time = rng.exponential(20, n)
    event = rng.random(n) < 0.8
    x = rng.random(n) < 0.4
    switch = rng.uniform(0, 15, n)
    return time, event, x, switch


def test_cox_switch_matches_lifelines_for_a_fixed_covariate():
    time, event, x, _ = _switch_cohort()
    time = time * np.where(x, 0.6, 1.0)  # a real effect
    beta = sv.cox_switch_log_hr(time, event, np.where(x, 0.0, np.inf))
    ref = sv.cox(pd.DataFrame({"t": time, "e": event.astype(int), "x": x.astype(int)}), "t", "e", ["x"])
    assert beta == pytest.approx(float(ref.table["coef"].iloc[0]), rel=1e-5)


def test_cox_switch_matches_the_counting_process_model_for_a_time_varying_covariate():
    time, event, _, switch = _switch_cohort(seed=5)
    start = np.where(switch < time, switch, np.inf)
    rows = []
    for i, (t, e, s) in enumerate(zip(time, event, start)):
        rows += [(i, 0.0, s, 0, 0), (i, s, t, int(e), 1)] if np.isfinite(s) else [(i, 0.0, t, int(e), 0)]
    long = pd.DataFrame(rows, columns=["id", "start", "stop", "e", "x"])
    ref = sv.cox_time_varying(long, "id", "start", "stop", "e", ["x"])
    assert sv.cox_switch_log_hr(time, event, start) == pytest.approx(float(ref.table["coef"].iloc[0]), rel=1e-4)


def test_cox_switch_has_no_estimate_when_every_event_is_in_one_state():
    assert math.isnan(sv.cox_switch_log_hr([1.0, 2.0, 3.0], [0, 0, 0], [0.0, np.inf, 0.0]))
    assert math.isnan(sv.cox_switch_log_hr([1.0, 2.0, 3.0], [1, 0, 1], [np.inf, 0.0, np.inf]))


@pytest.mark.parametrize("time, event, start, message", [
    ([1.0, 2.0], [1], [0.0, 0.0], "same length"),
    ([1.0, -2.0], [1, 1], [0.0, 0.0], "not negative"),
    ([1.0, 2.0], [1, 1], [0.0, np.nan], "not negative"),
    ([1.0, 2.0], [1, 1], [3.0, np.inf], "at most time"),
])
def test_cox_switch_rejects_bad_input(time, event, start, message):
    with pytest.raises(ValueError, match=message):
        sv.cox_switch_log_hr(time, event, start)

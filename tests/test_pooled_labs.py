"""The laboratories of the pooled chapter: immortal time, competing risks, plateaus, prognostic screens
and case-mix comparisons (general methods, checked against theory)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from trialkit.labs import competing, epv, historical, immortal, plateau


def test_event_rate_inverts_reach_share():
    d = math.log(2) / 7.5
    r = immortal.event_rate(0.475, d, 2.76)
    assert immortal.reach_share(r, d, 2.76) == pytest.approx(0.475, abs=1e-9)
    with pytest.raises(ValueError, match="share"):
        immortal.event_rate(1.2, d, 2.76)


def test_reach_share_by_simulation():
    rng = np.random.default_rng(3)
    d = 0.1
    r = immortal.event_rate(0.3, d, 6.0)
    _, _, reach = immortal.simulate(200_000, d, r, 6.0, 1.0, 60.0, rng)
    assert np.isfinite(reach).mean() == pytest.approx(0.3, abs=0.005)


def test_immortal_lab_shows_the_bias_and_its_cure():
    g = immortal.immortal_lab(n_patients=259, median_months=7.5, share=0.31, window=12.0, landmarks=(12.0,),
                              effect_hrs=(1.0,), n_trials=100)
    med = g.set_index("analysis")["median"]
    assert med["naive"] < 0.75          # transplanted look better although transplant does nothing
    assert 0.85 < med["time_varying"] < 1.15
    assert 0.8 < med["landmark"] < 1.25
    with pytest.raises(ValueError, match="landmarks"):
        immortal.immortal_lab(n_patients=259, median_months=7.5, share=0.3, window=2.0, landmarks=(), n_trials=20)


def test_competing_curves_theory_and_ordering():
    c = competing.curves(0.1, 0.0, 0.2, [0.0, 12.0, 1e4])
    assert np.allclose(c["cif"], c["one_minus_km"])  # no competing deaths: the two agree
    assert c["cif"].iloc[-1] == pytest.approx(0.8)
    c = competing.curves(0.1, 0.05, 0.2, [24.0, 1e4])
    assert (c["one_minus_km"] > c["cif"]).all()
    assert c["cif"].iloc[-1] == pytest.approx(0.8 * 0.1 / 0.15)
    assert (c["cif"] + c["death_first"]).iloc[-1] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="cured"):
        competing.curves(0.1, 0.0, 1.0, [1.0])


def test_competing_on_data_against_hand_computation():
    f = pd.DataFrame({"time": [1.0, 2.0, 3.0, 4.0], "cause": ["relapse", "death", "relapse", ""]})
    r = competing.on_data(f, [5.0]).iloc[0]
    # KM with deaths censored: 1 - (3/4)(1/2) = 0.625; Aalen-Johansen: 1/4 + (3/4)(1/3)(1/2)... = 0.25 + 0.25 = 0.5
    assert r["one_minus_km"] == pytest.approx(0.625)
    assert r["cif"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="cause"):
        competing.on_data(pd.DataFrame({"time": [1.0], "cause": ["progression"]}), [1.0])


def test_plateau_probabilities():
    assert plateau.flat_probability(11, 0.10, 1.0) == pytest.approx(0.9 ** 11)
    u = plateau.upper_rate(11, 1.0)
    assert plateau.flat_probability(11, u, 1.0) == pytest.approx(0.05)
    assert plateau.upper_rate(100, 1.0) < u  # more patients, a tighter bound
    tail = plateau.tail_support([1.0, 2.0, 3.0, 4.0], [1, 0, 1, 0], [0.0, 2.5])
    assert list(tail["at_risk"]) == [4, 2]
    assert tail["survival"].iloc[1] == pytest.approx(0.75)
    with pytest.raises(ValueError, match="rate"):
        plateau.flat_probability(5, 1.0, 1.0)


def test_screen_of_null_factors_follows_theory():
    g = epv.screen_lab(n_patients=200, n_events=150, candidates=(1, 10), n_trials=600, seed=7).set_index("candidates")
    assert g.loc[10, "mean_false"] / 10 == pytest.approx(0.05, abs=0.015)   # each null factor passes ~5 %
    assert g.loc[10, "p_any"] == pytest.approx(1 - 0.95 ** 10, abs=0.06)
    assert g.loc[10, "median_selected_hr"] > 1.2                            # the winner's curse
    assert g.loc[10, "epv"] == pytest.approx(15.0)
    with pytest.raises(ValueError, match="n_events"):
        epv.screen_lab(n_patients=10, n_events=20)


def test_case_mix_reproduces_the_external_median_and_moves_with_mix():
    g = historical.case_mix_lab(4.0, 0.5, (3.0,), (0.0, 0.5, 1.0)).set_index("poor_share")["median"]
    assert g[0.5] == pytest.approx(4.0, abs=1e-6)
    assert g[0.0] > 4.0 > g[1.0]
    # an all-good-risk population: exponential median ln2 / h0
    h0 = historical.base_hazard(4.0, 3.0, 0.5)
    assert g[0.0] == pytest.approx(math.log(2) / h0, rel=1e-6)
    with pytest.raises(ValueError, match="poor_share"):
        historical.mixture_survival(1.0, 0.1, 2.0, 1.5)

"""trialkit.chapters.tower: TOWER's published results as printed, with the ledger's verdict."""

from __future__ import annotations

import pytest

from trialkit.chapters import tower


def test_printed_formats():
    assert tower.printed("responses", "cr_count_blinatumomab") == "91 (33.6 %; 95 % CI 28.0–39.5)"
    assert tower.printed("survival", "os_hr") == "0.71 (0.55–0.93)"
    assert tower.printed("survival", "os_median_blinatumomab") == "7.7 months (5.6–9.6)"
    assert tower.printed("survival", "os_median_blinatumomab", units=False) == "7.7 (5.6–9.6)"
    assert tower.printed("transplant", "allo_sct_blinatumomab") == "24 %"
    assert tower.printed("adverse_events", "ae_g3_cytokine_release_syndrome_chemotherapy") == "0"


def test_line_mark():
    assert tower.line_mark(["cr_count_blinatumomab", "cr_count_chemotherapy", "cr_difference"]) == "✓ 5 recomputed numbers match"
    assert tower.line_mark(["os_p"]) == "✓ 1 recomputed number matches"
    assert tower.line_mark(["sae_rate_exposure_adjusted_blinatumomab"]) == "– not recomputable (see the ledger)"
    assert tower.line_mark(["os_median_blinatumomab"]) == ""
    assert tower.line_mark([]) == ""
    assert tower.line_mark(["os_p", "sae_rate_exposure_adjusted_blinatumomab"]).endswith("some not recomputable")
    # the MRD difference is recomputed once its denominators are assumed: a match, labelled as such
    assert tower.line_mark(["mrd_neg_difference"]) == ("✓ 1 recomputed number matches; some under a stated assumption "
                                                       "(see the ledger)")


def test_tables_carry_the_published_numbers():
    rem = tower.remission_table()
    assert rem.iloc[0]["Difference, points (95 % CI)"] == "17.9 (9.6–26.2)" and rem.iloc[0]["P"] == "<0.001"
    surv = tower.survival_table()
    assert surv.iloc[0]["Hazard ratio (95 % CI)"] == "0.71 (0.55–0.93)"
    assert surv.iloc[1]["Blinatumomab"] == "54 %"
    tx = tower.transplant_table()
    assert tx.iloc[0].tolist() == ["Any", "24 %", "24 %"]
    assert tx.iloc[-1]["Blinatumomab (% of 271)"].startswith("10 of 38 (26 %) ✓")
    ae = tower.adverse_event_table()
    assert ae[ae.iloc[:, 0] == "Serious adverse event"].iloc[0, 1] == "165 (61.8 %)"
    assert len(tower.regimen_table()) == 4


def test_chart_frames():
    rates = tower.remission_rates()
    assert len(rates) == 4 and rates.percent.max() == 43.9
    ae = tower.adverse_event_rates()
    assert ae[(ae.event == "Neutropenia") & (ae.arm == "blinatumomab")].percent.iloc[0] == pytest.approx(100 * 101 / 267)
    efs = tower.efs_ceiling()
    for arm, resp, six in (("blinatumomab", 43.9, 31.0), ("chemotherapy", 24.6, 12.0)):
        sub = efs[efs.arm == arm]
        assert sub.efs.iloc[0] == 100 and resp in set(sub.efs) and sub.efs.iloc[-1] == six
        assert six <= resp   # event-free survival cannot exceed the share who ever reached remission


def test_tower_appraisal_files_load_and_are_judged_by_the_module():
    from trialkit.appraisal import consort, rob2

    os_ = rob2.assess(rob2.load("tower_os_rob2.yml")).set_index("domain")["judgment"]
    rem = rob2.assess(rob2.load("tower_remission_rob2.yml")).set_index("domain")["judgment"]
    assert os_["Overall"] == rob2.SOME and rem["Overall"] == rob2.HIGH
    assert rem["D2"] == rob2.HIGH and os_["D1"] == rob2.LOW
    for name in ("tower_os_rob2.yml", "tower_remission_rob2.yml"):
        answers = rob2.answers(rob2.load(name))
        assert (answers["rationale"].str.len() > 20).all()
        assert ((answers["quote"] == "") | (answers["location"] != "")).all()  # every quote says where it is
    checklist = consort.load("tower_consort.yml")
    assert len(checklist.entries) == len(consort.items())    # every item answered


# --- boundaries under two conventions; key secondaries after the stop -------------------------------

import numpy as np  # noqa: E402
from scipy import stats as st  # noqa: E402


def _mvn_continue(t, bounds):
    """P(|Z_1| < b_1, ..., |Z_k| < b_k) under H0, canonical correlation sqrt(t_i / t_j), by scipy."""
    t = np.asarray(t, float)
    cov = np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t))
    b = np.asarray(bounds, float)
    return float(st.multivariate_normal(mean=np.zeros(t.size), cov=cov).cdf(b, lower_limit=-b))


def test_two_sided_convention_spends_the_two_sided_lan_demets_function():
    t = [0.5, 0.75, 1.0]
    out = tower.boundaries_by_convention(t, 0.05)
    two = out[out["convention"] == "two-sided"]["z"].to_numpy()
    spent = 2 - 2 * st.norm.cdf(st.norm.isf(0.025) / np.sqrt(t))
    # first look in closed form: P(|Z| >= b1) = spent(t1)
    assert two[0] == pytest.approx(st.norm.isf(spent[0] / 2), abs=1e-8)
    # later looks, independently of the package's recursion: 1 - P(continue through look k) = spent(t_k)
    for k in (2, 3):
        assert 1 - _mvn_continue(t[:k], two[:k]) == pytest.approx(spent[k - 1], abs=2e-5)
    assert spent[-1] == pytest.approx(0.05)


def test_one_sided_convention_is_gsdesign_sfldof():
    out = tower.boundaries_by_convention([0.5, 0.75, 1.0], 0.05)
    one = out[out["convention"] == "one-sided"]
    # gsDesign::gsDesign(k = 3, timing = c(.5, .75), test.type = 1, alpha = .025, sfu = sfLDOF)
    assert one["z"].round(3).tolist() == [2.963, 2.359, 2.014]
    assert one["alpha_spent_two_sided"].iloc[-1] == pytest.approx(0.05)
    # the two conventions differ most at the first look: the two-sided form spends more early
    two = out[out["convention"] == "two-sided"]
    assert two["z"].iloc[0] < one["z"].iloc[0] - 0.1


def test_stop_boundaries_both_conventions_cross():
    out = tower.stop_boundaries()
    assert len(out) == 6 and set(out["convention"]) == set(tower.CONVENTIONS)
    second = out[out["look"] == 2].set_index("convention")
    assert second.loc["one-sided", "fraction"] == pytest.approx(251 / 330)
    assert second.loc["one-sided", "z"] > second.loc["two-sided", "z"]
    assert second["crossed"].all()           # P = 0.01 crosses at the stop under either convention
    assert not out[out["look"] == 1]["crossed"].any()


def test_secondary_min_fraction_inverts_the_first_look_boundary():
    for p in (0.001, 0.01):
        t = tower.secondary_min_fraction(p, 0.05)
        # first-look boundary b at fraction t: 1 - Phi(b) = 2 - 2 Phi(z_{1 - 0.0125} / sqrt(t))
        b = st.norm.isf(p / 2)
        expected = (st.norm.isf(0.0125) / st.norm.isf(st.norm.sf(b) / 2)) ** 2
        assert t == pytest.approx(expected, rel=1e-6)
    assert tower.secondary_min_fraction(0.001) < tower.secondary_min_fraction(0.01) < 1
    with pytest.raises(ValueError, match="p_two_sided"):
        tower.secondary_min_fraction(0.06)


def test_secondary_boundaries_published_p_values_survive_from_a_modest_fraction():
    out = tower.secondary_boundaries()
    assert set(out["endpoint"]) == set(tower.KEY_SECONDARY_P)
    assert (out["p_bound"] == 0.001).all()
    first = out[out["looks"] == "first look"]
    for f, clears in zip(first["fraction"], first["clears"]):
        assert clears == (f >= first["min_fraction"].iloc[0])
    assert not first[first["fraction"] == 0.25]["clears"].any()
    as_os = out[out["looks"] == "looks as overall survival"]
    stop = tower.stop_boundaries()
    assert as_os["z"].iloc[0] == pytest.approx(stop[(stop.convention == "one-sided") & (stop.look == 2)]["z"].iloc[0])
    assert as_os["clears"].all()

"""The INO-VATE ALL chapter's computations (trialkit.chapters.inovate) and figures (trialkit.charts.inovate)."""

import math

import pytest
from scipy import stats

from trialkit import data, design, synth, trials
from trialkit.chapters import inovate


def test_design_readings_reproduce_the_published_remission_power_only_with_continuity_correction():
    r = inovate.design_readings()
    published = float(data.row("inovate", "planning", "power_cr")["value_num"])
    assert round(r["cr_power_continuity"], 1) == published
    for m in ("normal", "pooled", "arcsine"):
        assert r[f"cr_power_{m}"] > published + 1.5
    assert round(r["os_power_fixed"]) in (80, 81, 82)


def test_implied_interim_fraction_leaves_the_published_final_boundary():
    r = inovate.design_readings()
    t = r["implied_fraction"] / 100
    b = design.spending_boundaries([t, 1.0], 0.0125, sided=1)
    assert 2 * b["nominal_p"].iloc[-1] == pytest.approx(0.0208, abs=1e-5)
    assert 0.5 < t < 0.99


def test_interim_fraction_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="final_p_two_sided"):
        inovate.interim_fraction_for_boundary(0.03, 0.0125)
    with pytest.raises(ValueError, match="not reached"):
        inovate.interim_fraction_for_boundary(0.001, 0.0125)


def test_hr_interval_at_returns_the_printed_interval_at_its_own_level_and_narrows_at_95():
    hr, lo, hi = inovate.hr_interval_at("os_hr", 0.975)
    assert (round(lo, 2), round(hi, 2)) == (0.58, 1.03)
    _, lo95, hi95 = inovate.hr_interval_at("os_hr", 0.95)
    assert lo < lo95 < hr < hi95 < hi
    # symmetric on the log scale around the estimate
    assert math.log(hr) - math.log(lo95) == pytest.approx(math.log(hi95) - math.log(hr), rel=1e-9)


def test_esmo_table_refuses_to_grade_survival_strictly_and_shows_the_sensitivity():
    table, r = inovate.esmo_table()
    assert table.iloc[0]["Grade"] == "not graded"
    assert r["esmo_2a_median"] < r["esmo_2a_tail"]  # the 2-year route lifts the grade
    assert r["esmo_2b_tox"] == r["esmo_2b"] - 1


def test_per_randomised_mrd_uses_the_published_counts():
    r = inovate.per_randomised_readings()
    assert r["mrd_itt_inotuzumab"] == pytest.approx(100 * 69 / 109)
    assert r["mrd_itt_standard"] == pytest.approx(100 * 9 / 109)


def test_rmst_published_difference_and_p_are_consistent():
    r = inovate.rmst_published_readings()
    se = (r["rmst_diff_hi"] - r["rmst_diff_lo"]) / (2 * stats.norm.isf(0.025))
    p = 2 * stats.norm.sf(r["rmst_diff"] / se)
    assert p < 0.01  # the article prints P = 0.005
    assert r["os2y_diff"] == 13


def test_tables_cover_every_remission_line_and_survival_endpoint():
    assert len(inovate.remission_table()) == 6
    s = inovate.survival_table()
    assert list(s["Endpoint"]) == ["Overall survival", "Progression-free survival", "Duration of remission"]
    assert "97.5 % CI" in s.iloc[0]["Hazard ratio (CI)"] and "95 % CI" in s.iloc[2]["Hazard ratio (CI)"]


def test_numbers_at_risk_start_at_the_arm_sizes_and_never_rise():
    risk = inovate.at_risk("inovate_os", [0, 6, 12, 24])
    t = trials.describe("inovate")
    for arm, n in zip(t.arms, t.n_per_arm):
        r = risk[risk["arm"] == arm]["n"].tolist()
        assert r[0] == n and r == sorted(r, reverse=True)


def test_apply_readings():
    r = inovate.apply_readings()
    assert r["nnt_cr"] == pytest.approx(1 / (88 / 109 - 32 / 109))
    assert r["extra_sct_per100"] == pytest.approx(100 * (45 - 12) / 109)


def test_charts_bind_their_controls():
    from trialkit import labs
    from trialkit.charts import inovate as charts

    g = labs.two_endpoints_lab(0.025, 2.5, 2.0, correlations=[0.0, 0.5])
    spec = charts.two_endpoints_chart(g, "remission", "survival").to_dict()
    names = {p["name"] for p in spec["params"]}
    assert {"te_rho", "te_truth"} <= names
    t = trials.describe("inovate")
    km = charts.km_at_risk_chart(t, synth.km_curves(["inovate_os"]), synth.published_anchors("inovate_os"),
                                 inovate.at_risk("inovate_os", [0, 12]), "OS", "Alive (%)", "note").to_dict()
    assert "SYNTHETIC" in str(km)


def test_a_named_table_resolves_ids_that_other_tables_share():
    from trialkit import book

    entries = book._entries("inovate", None, {"planning": "power_cr"})
    assert entries == [("planning", "", "power_cr", None)]
    assert ("design", "", "power_cr", None) in book._entries("inovate", None, {"design": "*"})
    with pytest.raises(ValueError, match="give the table"):
        book._entries("inovate", None, "power_cr")


def test_consort_checklist_answers_every_item_and_the_gaps_the_appraisal_page_names():
    """Every CONSORT 2025 item is judged, and the items the appraisal page lists as gaps (16b, 17a, 18, 19,
    22a, 25, 29) are scored as not fully reported, while blinded adjudication (20a) is scored reported."""
    from trialkit.appraisal import consort
    from trialkit.chapters import assessments

    checklist = consort.load("inovate_consort.yml")
    assert checklist.study == "inovate"
    assert set(checklist.entries) == set(consort.items()["number"])
    status = consort.report(checklist).set_index("number")["reported"]
    assert all(status[n] in ("partly", "no") for n in ("16b", "17a", "18", "19", "22a", "25", "29"))
    assert status["20a"] == "yes"
    gaps = assessments.consort_gaps(checklist)
    assert len(gaps) == int((status != "yes").sum())
    readings = assessments.consort_readings(checklist)
    assert readings["c_total"] == len(consort.items())

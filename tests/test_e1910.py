"""The E1910 chapter's computations, checked against the article's own arithmetic (sums and
differences printed in N Engl J Med 2024) and its appraisal data files."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from trialkit import course, data, labs, quiz
from trialkit.appraisal import consort, flow, rob2
from trialkit.chapters import e1910

BOOK = Path(__file__).resolve().parents[1] / "book"


def _n(table, row_id):
    return int(data.row("e1910", table, row_id)["value_num"])


def test_funnel_follows_the_article_counts():
    f = labs.funnel_steps(e1910.funnel_counts())
    assert f["n"].is_monotonic_decreasing
    assert f["n"].iloc[0] == _n("flow", "screened") and f["n"].iloc[-1] == _n("flow", "randomized_mrd_neg")
    # the Results: 109 of the 395 in remission did not reach step 3
    assert _n("responses", "cr_cri_induction") - _n("flow", "step3_registered") == _n("flow", "remission_not_reaching_step3")
    assert f["lost"].sum() == f["n"].iloc[0] - f["n"].iloc[-1]


def test_mrd_positive_cohort_completes_step_3():
    mp = e1910.mrd_positive()
    assert mp["total"] + _n("flow", "randomized_mrd_neg") == _n("flow", "step3_registered")


def test_risk_shift_uses_enrolled_and_randomised_counts():
    rs = labs.composition_shift(*e1910.risk_counts())
    assert rs["share_start"] == pytest.approx(100 * _n("baseline", "high_risk_enrolled") / _n("flow", "enrolled"))
    assert rs["share_end"] == pytest.approx(100 * _n("baseline", "risk_unfavorable_total") / _n("flow", "randomized_mrd_neg"))
    assert rs["share_end"] < rs["share_start"]


def test_age_interaction_ratio_is_the_ratio_of_the_published_hazard_ratios():
    ia = labs.interaction_test(*e1910.age_hrs("os"))
    assert ia["ratio"] == pytest.approx(float(data.row("e1910", "subgroups", "os_hr_ge55")["value_num"])
                                        / float(data.row("e1910", "subgroups", "os_hr_lt55")["value_num"]))
    assert ia["low"] > 1.0 > 0.05 > ia["p"] > 0.01  # the intervals barely separate
    with pytest.raises(ValueError, match="endpoint"):
        e1910.age_hrs("efs")


def test_stopping_trial_places_the_third_look_at_the_reported_deaths():
    t = e1910.stopping_trial()
    deaths = _n("survival", "deaths_blinatumomab") + _n("survival", "deaths_chemotherapy")
    assert t.looks[2] == pytest.approx(deaths / _n("planning", "planned_deaths"))
    assert t.looks[0] == pytest.approx(t.looks[2] / 3)
    # exponential through the published 3-year control survival
    assert math.exp(-math.log(2) / t.assumed_control_median * 36) == pytest.approx(_n("survival", "os_3y_chemotherapy") / 100)


def test_deaths_table_adds_up_to_the_reported_deaths():
    d = e1910.deaths_table()
    for arm, row in (("blinatumomab_chemotherapy", "deaths_blinatumomab"), ("chemotherapy", "deaths_chemotherapy")):
        assert d[d["arm"] == arm]["deaths"].sum() == _n("survival", row)


def test_transplant_totals_are_the_sum_of_the_routes():
    frame = data.load("e1910", "transplant").set_index("id")["value_num"]
    for arm in ("blinatumomab", "chemotherapy"):
        assert frame[f"allo_on_trial_{arm}"] + frame[f"allo_after_offstudy_{arm}"] == frame[f"allo_total_{arm}"]
    assert len(e1910.transplant_table()) == 3


def test_toxicity_table_holds_only_table_2_rows():
    t = e1910.toxicity_table()
    assert "Neutropenia" in set(t["Event"]) and not t["Event"].str.contains("neurologic").any()
    assert len(e1910.toxicity_table(min_percent=50)) < len(t)


def test_at_risk_starts_with_every_patient_and_never_rises():
    r = e1910.at_risk()
    for _, g in r.groupby("arm"):
        assert g["at_risk"].iloc[0] == 112 and g["at_risk"].is_monotonic_decreasing
    with pytest.raises(ValueError, match="dataset"):
        e1910.at_risk("tower_os")


def test_readings_are_consistent():
    r = e1910.readings()
    assert r["os_3y_diff"] == _n("survival", "os_3y_blinatumomab") - _n("survival", "os_3y_chemotherapy")
    assert r["benefit_at_diagnosis"] == pytest.approx(r["os_3y_diff"] * r["randomised_of_enrolled"] / 100)
    assert r["n_factors"] == len(e1910.SUBGROUP_VARIABLES)


def test_esmo_form_1_grade():
    e = e1910.esmo_readings()
    assert e["esmo_grade"] == "A" and e["esmo_grade_ge55"] == "B"


def test_appraisal_files_load():
    a = rob2.load("e1910_os_rob2.yml")
    judged = rob2.assess(a).set_index("domain")["judgment"]
    assert judged["D1"] == rob2.SOME and judged["Overall"] == rob2.SOME
    from trialkit.chapters import assessments
    assert assessments.consort_readings(consort.load("e1910_consort.yml"))["c_total"] > 30
    spec = flow.load("data/appraisal/e1910_flow.yml")
    shown = flow.table(spec)
    assert "n\u00a0=\u00a0224" in set(shown["shown"])
    table, overall = labs.iceman(e1910.iceman_path())
    assert overall["overall"] == "Low" and len(table) == 5


def test_objectives_and_quizzes_load():
    pages = course.load(BOOK / "objectives" / "e1910.yml")
    assert set(pages) == {f"book/e1910/{p}" for p in ("index", "design", "results", "biases", "appraisal")}
    for name in ("e1910", "e1910-design", "e1910-results", "e1910-appraisal", "e1910-predict-funnel",
                 "e1910-predict-stopping", "e1910-predict-subgroup", "e1910-predict-transplant",
                 "e1910-predict-harms", "e1910-predict-rob2", "e1910-predict-esmo"):
        assert quiz.load(name)

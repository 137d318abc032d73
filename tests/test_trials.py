"""trialkit.trials: trial descriptions built from the data, and their validation."""

from __future__ import annotations

import dataclasses

import pytest

from trialkit import data, trials


def test_tower_description_comes_from_its_rows():
    t = trials.describe("tower")
    pops = data.load("tower", "populations").query("population == 'itt'").set_index("arm")["n"]
    assert t.n_per_arm == (pops["blinatumomab"], pops["chemotherapy"]) and t.allocation == (2, 1)
    assert (t.name, t.arms) == ("TOWER", ("blinatumomab", "chemotherapy"))
    assert t.planned_events == data.row("tower", "planning", "plan_deaths")["value_num"]
    assert t.looks == (0.5, 0.75, 1.0) and t.alpha_two_sided == 0.05 and t.accrual_months == 21.0
    assert t.treated == (267, 109) and t.withdrawn_before_treatment == (None, 0.16)
    assert t.primary_hr == (0.71, 0.55, 0.93) and t.events_at_stop == 251


def test_other_trials_one_sided_alpha_and_risk_reduction():
    e = trials.describe("e1910")
    assert e.population == "mrd_neg_randomized" and e.n_per_arm == (112, 112)
    assert e.assumed_hr == pytest.approx(0.55) and e.alpha_two_sided == pytest.approx(0.05)  # one-sided 0.025
    assert e.events_at_stop == 17 + 40 and e.looks is None
    i = trials.describe("inovate")
    assert i.alpha_two_sided == pytest.approx(0.025) and i.assumed_control_median == 4.3


@pytest.mark.parametrize("text,months", [("January 2014 to September 2015", 21.0),
                                         ("December 2013 to October 2019 (goal reached)", 71.0),
                                         ("from 27 August 2012 to 2 October 2014", 27.0)])
def test_enrolment_months_counts_both_ends(text, months):
    assert trials.enrolment_months(text) == months


def test_errors_name_what_is_wrong():
    with pytest.raises(ValueError, match="study must be one of"):
        trials.describe("topp2021")  # single-arm: no randomised comparison to describe
    with pytest.raises(ValueError, match="looks must increase and end at 1.0"):
        dataclasses.replace(trials.describe("tower"), looks=(0.5, 0.9))
    with pytest.raises(ValueError, match=r"n_per_arm\[1\] must be"):
        dataclasses.replace(trials.describe("tower"), n_per_arm=(10, 0))
    with pytest.raises(ValueError, match="an enrolment period must read"):
        trials.enrolment_months("2014 to 2015")
    with pytest.raises(ValueError, match="stopping_lab needs looks, assumed_control_median"):
        trials.describe("e1910").need("looks", "assumed_control_median", by="stopping_lab")

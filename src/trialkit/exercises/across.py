"""Scenarios and expected answers of the exercise set ``across`` (Part III: an anchored indirect
comparison from printed intervals, a control arm that is not the same treatment, a comparability
judgment, the size of a head-to-head trial, the appraisals side by side, and a recommendation graded
by hand).

The questions (parts, points, tolerances) are registered in :mod:`trialkit.exercises.problems`
(``QUESTIONS["across"]``, ``MANUAL["across"]``); :func:`trialkit.exercises.problems.scenario` and
:func:`~trialkit.exercises.problems.expected` hand this set to :func:`scenario` and :func:`expected`.
Every number of a scenario is drawn from the student's variant code; the published hazard ratios of
TOWER and INO-VATE ALL appear only in the worked examples of the prompts (read from the data).
"""

from __future__ import annotations

import math

import numpy as np

from trialkit.exercises import variants

SET = "across"
KINDS = ("prognostic", "effect modifier", "anchor", "definition")


def _r(code: str, q: str) -> np.random.Generator:
    return variants.rng(SET, code, q)


def _trial(g: np.random.Generator, level: float) -> dict:
    """A printed hazard ratio with its interval at ``level``, rounded to 2 decimals as articles print it."""
    from scipy import stats as st

    hr = float(g.uniform(0.55, 0.90))
    se = float(g.uniform(0.10, 0.20))
    z = float(st.norm.ppf(0.5 + level / 2))
    return {"hr": round(hr, 2), "low": round(hr * math.exp(-z * se), 2), "high": round(hr * math.exp(z * se), 2),
            "level": level}


def scenario(code: str) -> dict:
    """The scenario of every question of the set for the variant ``code`` (plain Python values)."""
    code = variants.normalise_code(code)
    s: dict = {}
    g = _r(code, "q1")
    s["q1"] = {"trial_1": {"treatment": "drug A", "control": "chemotherapy 1", **_trial(g, 0.95)},
               "trial_2": {"treatment": "drug B", "control": "chemotherapy 2",
                           **_trial(g, float([0.95, 0.975][int(g.integers(0, 2))]))}}
    g = _r(code, "q2")
    better = bool(g.integers(0, 2))
    k = round(float(g.uniform(0.70, 0.90)) if better else float(g.uniform(1.12, 1.40)), 2)
    s["q2"] = {"anchor_shift": k}
    s["q3"] = {"evidence": "the comparability table of Part III (across.comparability_table())"}
    g = _r(code, "q4")
    s["q4"] = {"hr": round(float(g.uniform(0.70, 0.85)), 3), "power": float([0.8, 0.9][int(g.integers(0, 2))]),
               "alpha_two_sided": 0.05, "allocation": list([(1, 1), (2, 1)][int(g.integers(0, 2))])}
    s["q5"] = {"evidence": "the four studies of the book"}
    return s


def _hrs(s: dict):
    from trialkit.stats import HazardRatio

    out = []
    for key in ("trial_1", "trial_2"):
        t = s["q1"][key]
        out.append(HazardRatio(t["hr"], t["low"], t["high"], t["level"], t["treatment"], t["control"]))
    return tuple(out)


def expected(code: str, s: dict | None = None) -> dict:
    """Expected answers of every part of the variant ``code`` (computed from its scenario)."""
    from trialkit import design
    from trialkit.exercises.problems import Expected
    from trialkit.labs import indirect
    from trialkit.stats import HazardRatio

    s = scenario(code) if s is None else s
    out: dict = {}
    first, second = _hrs(s)
    res = indirect.bucher(first, second)
    se95 = second.se_if_level(0.95)
    se_hints = [(math.log(second.high) - math.log(second.low), "this is the width of the interval on the log scale; "
                 "divide it by twice the z of the interval's level")]
    if second.level != 0.95:
        se_hints.append((se95, "you read the interval as a 95 % one; trial 2 prints it at its own level"))
    out["q1_se_second"] = Expected(second.se, hints=se_hints)
    misread = indirect.bucher(first, HazardRatio(second.estimate, second.low, second.high, 0.95))
    out["q1_hr"] = Expected(res.estimate, hints=[
        (1 / res.estimate, "the ratio is inverted: drug A versus drug B is HR(A vs C) / HR(B vs C)"),
        (first.estimate * second.estimate, "multiply the log hazard ratios' differences, not the ratios: divide "
                                           "trial 1's hazard ratio by trial 2's")])
    low_hints = [(1 / res.high, "the ratio is inverted: drug A versus drug B")]
    high_hints = [(1 / res.low, "the ratio is inverted: drug A versus drug B")]
    if second.level != 0.95:
        low_hints.append((misread.low, "you read trial 2's interval as a 95 % one; use its own level"))
        high_hints.append((misread.high, "you read trial 2's interval as a 95 % one; use its own level"))
    out["q1_low"] = Expected(res.low, hints=low_hints)
    out["q1_high"] = Expected(res.high, hints=high_hints)
    out["q1_naive"] = Expected(accepted=("b",), word_hints={
        "a": "equal medians on the new drugs say nothing about how each trial's patients would have done on the "
             "same treatment",
        "c": "a longer follow-up would not make patients of two trials comparable",
        "d": "a test between arms of different trials compares populations and control-free results, not the drugs"})
    k = s["q2"]["anchor_shift"]
    shifted = indirect.bucher(first, second, anchor_shift=k)
    wrong = indirect.bucher(first, second, anchor_shift=1 / k)
    out["q2_hr"] = Expected(shifted.estimate, hints=[
        (wrong.estimate, "the shift goes the other way: if trial 2's control did better (k < 1), drug B's effect "
                         "against trial 1's control is HR(B vs C2) x k"),
        (res.estimate, "this is the estimate under the method's assumption (k = 1); apply the shift")])
    out["q2_high"] = Expected(shifted.high, hints=[(wrong.high, "the shift goes the other way"),
                                                   (res.high, "this is the limit with k = 1; apply the shift")])
    out["q2_assumption"] = Expected(accepted=("c",), word_hints={
        "a": "randomisation protects each trial's own comparison, not the claim that the two control arms are "
             "the same treatment",
        "b": "the interval of the indirect estimate carries sampling error only; a biased anchor moves its centre",
        "d": "a shift of the anchor changes the estimate, not only its precision"})
    out["q3_age"] = Expected(accepted=("prognostic",), word_hints={
        "effect modifier": "the question says the effect is the same at every age: age changes the risk, not the "
                           "effect"})
    out["q3_ph"] = Expected(accepted=("effect modifier",), word_hints={
        "prognostic": "if the drug's effect may differ by Ph status, a different mix of Ph status changes the "
                      "effect each trial estimates, which the anchor does not absorb"})
    out["q3_control"] = Expected(accepted=("anchor",), word_hints={
        "definition": "the control arms are treatments, not definitions: the common comparator is the anchor"})
    out["q3_remission"] = Expected(accepted=("definition",), word_hints={
        "anchor": "a remission definition is how an end point is counted, not the comparator"})
    out["q3_maic"] = Expected(accepted=("d",), word_hints={
        "a": "reweighting uses only the covariates both trials report; it cannot balance unreported ones",
        "b": "weighting cannot create patients a trial did not enrol",
        "c": "strong weights shrink the effective sample size: precision falls, it does not rise"})
    q = s["q4"]
    alloc = tuple(q["allocation"])
    need = design.events_needed(q["hr"], q["power"], alloc, q["alpha_two_sided"], 2)
    one_sided = design.events_needed(q["hr"], q["power"], alloc, q["alpha_two_sided"], 1)
    equal = design.events_needed(q["hr"], q["power"], (1, 1), q["alpha_two_sided"], 2)
    hints = [(float(math.floor(need)), "round up: a fraction of an event is not enough"),
             (float(math.ceil(one_sided)), "this is for a one-sided alpha of 0.05; the question asks for two-sided")]
    if alloc != (1, 1):
        hints.append((float(math.ceil(equal)), "this is for 1:1 allocation; use your variant's allocation"))
    out["q4_events"] = Expected(float(math.ceil(need)), hints=[h for h in hints if h[0] != math.ceil(need)])
    out["q4_start"] = Expected(accepted=("a",), word_hints={
        "b": "the indirect estimate is uncertain and may rest on a biased anchor: powering on it alone may size "
             "a trial for an effect that is not there",
        "c": "a head-to-head trial needs its own assumed effect, stated and defended; there is no default",
        "d": "the indirect interval is wide; its limit is not a plausible planning effect by itself"})
    out["q5_first_remission"] = Expected(accepted=("e1910",), word_hints={
        "tower": "TOWER randomised patients with relapsed or refractory disease (salvage)",
        "inovate": "INO-VATE ALL randomised patients with relapsed or refractory disease (salvage)",
        "pooled": "the pooled analysis follows patients treated for relapsed or refractory disease"})
    out["q5_form_e1910"] = Expected(accepted=("1",), word_hints={
        "2a": "form 2a is for non-curative settings; E1910 treats patients in first remission with curative intent",
        "3": "form 3 is for single-arm studies; E1910 is randomised"})
    out["q5_form_pooled"] = Expected(accepted=("3",), word_hints={
        "2a": "form 2a needs a randomised comparison with a control arm",
        "1": "form 1 needs a randomised comparison in a curative setting"})
    out["q5_rob"] = Expected(accepted=("a",), word_hints={
        "b": "both results come from the same randomised patients: randomisation (domain 1) is shared",
        "c": "chance is not a risk of bias; RoB 2 judges how the result could be systematically off",
        "d": "RoB 2 judges the result, whatever its size or significance"})
    return out

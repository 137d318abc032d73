"""Scenarios and expected answers of the exercise set ``pooled`` (the pooled phase 2 blinatumomab
analysis: single-arm evidence, responder and survivor analyses, competing risks, a plateau, a
prognostic screen, ESMO-MCBS form 3).

The questions (parts, points, tolerances) are registered in :mod:`trialkit.exercises.problems`
(``QUESTIONS["pooled"]``, ``MANUAL["pooled"]``); :func:`trialkit.exercises.problems.scenario` and
:func:`~trialkit.exercises.problems.expected` hand this set to :func:`scenario` and :func:`expected`.
Every number of a scenario is drawn from the student's variant code; the SYNTHETIC (questions 4 and 6)
and SIMULATED (question 5) patients are lists in the scenario, so the scenario stays plain JSON data.
The published article's numbers appear only in the worked examples of the prompts.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from trialkit.exercises import variants

SET = "pooled"
LANDMARK_Q5 = 3.0   # months: the end of the response window of question 5 (two 6-week cycles)
TIME_Q6 = 24.0      # months since remission at which question 6 reads relapse


def _r(code: str, q: str) -> np.random.Generator:
    return variants.rng(SET, code, q)


def _survival_q4(g: np.random.Generator) -> dict:
    """A SYNTHETIC single-arm cohort with a cured fraction: time (months since first dose), event."""
    n = int(g.integers(150, 261))
    cured = float(g.uniform(0.10, 0.22))
    median = float(g.uniform(4.0, 8.0))
    hazard = math.log(2) / median
    is_cured = g.uniform(0, 1, n) < cured
    death = np.where(is_cured, g.exponential(1 / 0.01, n), g.exponential(1 / hazard, n))
    entry = g.uniform(0, 24, n)
    follow = np.minimum(60 - entry, g.exponential(400, n))
    time = np.maximum(np.round(np.minimum(death, follow), 2), 0.01)
    event = (death <= follow).astype(int)
    return {"dataset": "SYNTHETIC", "time": [float(x) for x in time], "event": [int(x) for x in event],
            "landmark_months": 36.0}


def _cohort_q5(g: np.random.Generator) -> dict:
    """A SIMULATED cohort in which responding changes nothing about survival (effect 1)."""
    from trialkit.labs import immortal

    n = int(g.integers(180, 261))
    median = float(g.uniform(4.0, 8.0))
    rate = float(g.uniform(0.15, 0.30))  # responses per month during the window
    time, dead, reach = immortal.simulate(n, math.log(2) / median, rate, LANDMARK_Q5, 1.0, 36.0, g)
    time = np.maximum(np.round(time, 2), 0.01)
    reach = np.where(np.isfinite(reach), np.minimum(np.round(reach, 2), time), np.inf)
    return {"dataset": "SIMULATED", "time": [float(x) for x in time], "died": [int(x) for x in dead],
            "response_time": [float(x) if math.isfinite(x) else None for x in reach],
            "landmark_months": LANDMARK_Q5}


def _relapse_q6(g: np.random.Generator) -> dict:
    """SYNTHETIC patients in remission: time (months since remission), event_type (0 censored,
    1 relapse, 2 death without relapse)."""
    n = int(g.integers(100, 161))
    cured = float(g.uniform(0.15, 0.30))
    relapse_hazard = math.log(2) / float(g.uniform(5.0, 9.0))
    death_hazard = math.log(2) / float(g.uniform(12.0, 30.0))
    relapse = np.where(g.uniform(0, 1, n) < cured, np.inf, g.exponential(1 / relapse_hazard, n))
    death = g.exponential(1 / death_hazard, n)
    follow = g.uniform(10.0, 60.0, n)
    first = np.minimum(np.minimum(relapse, death), follow)
    kind = np.where(first == follow, 0, np.where(relapse <= death, 1, 2))
    time = np.maximum(np.round(first, 2), 0.01)
    return {"dataset": "SYNTHETIC", "time": [float(x) for x in time], "event_type": [int(x) for x in kind],
            "at_months": TIME_Q6}


def scenario(code: str) -> dict:
    """The scenario of every question of the set for the variant ``code`` (plain Python values)."""
    code = variants.normalise_code(code)
    s: dict = {}
    g = _r(code, "q1")
    n1, n2 = int(g.integers(30, 61)), int(g.integers(150, 231))
    x1, x2 = int(round(float(g.uniform(0.30, 0.55)) * n1)), int(round(float(g.uniform(0.35, 0.50)) * n2))
    s["q1"] = {"responders_study_1": x1, "patients_study_1": n1, "responders_study_2": x2, "patients_study_2": n2}
    s["q2"] = {"evidence": "the pooled analysis (quoted in the notebook)"}
    g = _r(code, "q3")
    total = int(g.integers(220, 321))
    long_term = int(round(float(g.uniform(0.12, 0.22)) * total))
    short = total - long_term
    s["q3"] = {"long_term_survivors": long_term, "mrd_long_term": int(round(float(g.uniform(0.70, 0.90)) * long_term)),
               "short_term": short, "mrd_short_term": int(round(float(g.uniform(0.25, 0.40)) * short))}
    s["q4"] = _survival_q4(_r(code, "q4"))
    s["q5"] = _cohort_q5(_r(code, "q5"))
    s["q6"] = _relapse_q6(_r(code, "q6"))
    g = _r(code, "q7")
    patients = int(g.integers(100, 301))
    s["q7"] = {"patients": patients, "events": int(round(float(g.uniform(0.35, 0.85)) * patients)),
               "candidate_factors": int(g.integers(8, 21)), "alpha": float([0.05, 0.10][int(g.integers(0, 2))])}
    g = _r(code, "q8")
    treated = int(g.integers(40, 201))
    s["q8"] = {"responders": int(round(float(g.uniform(0.22, 0.65)) * treated)), "patients": treated, "dor_months": round(float(g.uniform(3.0, 14.0)), 1),
               "toxicity_percent": round(float(g.uniform(10.0, 45.0)), 1), "qol_improved": bool(g.integers(0, 2))}
    return s


def frame(s: dict, q: str) -> pd.DataFrame:
    """The patients of question ``q`` ("q4", "q5" or "q6") of a scenario as a DataFrame."""
    if q not in ("q4", "q5", "q6"):
        raise ValueError(f"q must be 'q4', 'q5' or 'q6' (the questions with patients), got {q!r}")
    d = s[q]
    cols = {"q4": ("time", "event"), "q5": ("time", "died", "response_time"), "q6": ("time", "event_type")}[q]
    return pd.DataFrame({c: d[c] for c in cols})


def _at(table: pd.DataFrame, column: str, t: float) -> float:
    return float(table.loc[table["time"] <= t, column].iloc[-1])


def expected(code: str, s: dict | None = None) -> dict:
    """Expected answers of every part of the variant ``code`` (computed from its scenario)."""
    from trialkit import stats, survival
    from trialkit.appraisal import esmo
    from trialkit.exercises.problems import Expected
    from trialkit.labs import plateau

    s = scenario(code) if s is None else s
    out: dict = {}
    q = s["q1"]
    x, n = q["responders_study_1"] + q["responders_study_2"], q["patients_study_1"] + q["patients_study_2"]
    ci = stats.clopper_pearson(x, n)
    mean_of_two = 100 * (q["responders_study_1"] / q["patients_study_1"] + q["responders_study_2"] / q["patients_study_2"]) / 2
    out["q1_rate"] = Expected(100 * x / n, hints=[(x / n, "give a percent, not a proportion"),
                                                  (mean_of_two, "this is the average of the two studies' percentages; "
                                                                "pool the patients: all responders over all patients")])
    out["q1_low"] = Expected(100 * ci.low, hints=[(ci.low, "give a percent, not a proportion")])
    out["q1_high"] = Expected(100 * ci.high, hints=[(ci.high, "give a percent, not a proportion")])
    out["q1_claim"] = Expected(accepted=("c",), word_hints={
        "a": "without a comparator, nothing in a single-arm analysis estimates how patients would have done otherwise",
        "b": "pooling adds patients and follow-up, not a control group",
        "d": "a narrower interval describes the treated patients more precisely; it does not turn a description "
             "into a comparison"})
    out["q2_os_start"] = Expected(accepted=("a",), word_hints={"b": "that is the start of relapse-free survival"})
    out["q2_rfs_start"] = Expected(accepted=("b",), word_hints={"a": "that is the start of overall survival"})
    out["q2_rfs_population"] = Expected(accepted=("responders",), word_hints={
        "all treated": "relapse needs a remission first: only patients in CR/CRh can relapse"})
    out["q2_compare"] = Expected(accepted=("d",))
    q = s["q3"]
    lt, a, st, b = q["long_term_survivors"], q["mrd_long_term"], q["short_term"], q["mrd_short_term"]
    out["q3_mrd_share"] = Expected(100 * a / lt, hints=[(a / lt, "give a percent, not a proportion"),
                                                         (100 * a / (a + b), "this is the share of MRD responders who were "
                                                                             "alive; the question reads the table by column")])
    out["q3_alive_mrd"] = Expected(100 * a / (a + b), hints=[
        ((a / (a + b)), "give a percent, not a proportion"),
        (100 * a / lt, "this is the share of long-term survivors who were MRD responders (the column); read the "
                       "table the other way: long-term survivors among all MRD responders"),
        (100 * a / (lt + st), "wrong denominator: divide by all MRD responders, not by all patients")])
    non_lt, non = lt - a, (lt - a) + (st - b)
    out["q3_alive_non"] = Expected(100 * non_lt / non, hints=[
        ((non_lt / non), "give a percent, not a proportion"),
        (100 * non_lt / lt, "this is the share of long-term survivors without an MRD response; the question asks "
                            "among all patients without one")])
    out["q3_why"] = Expected(accepted=("b",), word_hints={
        "a": "the difference is large, but the groups are formed by what happened after treatment began",
        "c": "an MRD response cannot be assigned at random, and conditioning on it is the problem, not chance"})
    f = frame(s, "q4")
    tail = plateau.tail_support(f["time"], f["event"], [36.0, 48.0])
    at36 = int(tail["at_risk"].iloc[0])
    out["q4_at_risk"] = Expected(float(at36), hints=[(float(int(tail["at_risk"].iloc[1])), "this is the number at 48 "
                                                                                            "months; read it at 36")])
    s36 = float(tail["survival"].iloc[0])
    out["q4_s36"] = Expected(s36, hints=[(100 * s36, "give a proportion, not a percent"),
                                         (float((f["time"] > 36).mean()), "this is the share of patients followed "
                                          "beyond 36 months; censored patients are not deaths: use Kaplan-Meier")])
    up = plateau.upper_rate(at36, 1.0)
    out["q4_upper"] = Expected(up, hints=[(100 * up, "give a proportion, not a percent"),
                                          (plateau.upper_rate(at36, 1.0, 0.975), "this is a 97.5 % bound; use 95 %")])
    out["q4_cure"] = Expected(accepted=("b",), word_hints={
        "a": "a flat stretch with few patients at risk is compatible with a steady rate of death",
        "c": "follow-up longer than the median says little about the tail",
        "d": "there is no test of 'a plateau' in the article, and a p-value would not show a cure"})
    f = frame(s, "q5")
    responder = f["response_time"].notna().astype(int)
    naive = survival.cox(pd.DataFrame({"time": f["time"], "died": f["died"], "responder": responder}),
                         "time", "died", ["responder"]).hr("responder")[0]
    lm = s["q5"]["landmark_months"]
    alive = f[f["time"] > lm]
    by = (alive["response_time"].notna() & (alive["response_time"] <= lm)).astype(int)
    land = survival.cox(pd.DataFrame({"time": alive["time"] - lm, "died": alive["died"], "responder": by}),
                        "time", "died", ["responder"]).hr("responder")[0]
    out["q5_naive_hr"] = Expected(naive, hints=[(1 / naive, "the ratio is inverted: responders / non-responders")])
    no_shift = survival.cox(pd.DataFrame({"time": alive["time"], "died": alive["died"], "responder": by}),
                            "time", "died", ["responder"]).hr("responder")[0]
    out["q5_landmark_hr"] = Expected(land, hints=[(1 / land, "the ratio is inverted: responders / non-responders"),
                                                  (naive, "this is the analysis from the first dose; keep only the "
                                                          "patients alive at the landmark"),
                                                  (no_shift, "count time from the landmark (time minus the landmark)")])
    out["q5_reading"] = Expected(accepted=("c",), word_hints={
        "a": "the cohort was simulated so that responding changes nothing about survival",
        "b": "a landmark removes the guaranteed survival of the responders; it does not show an effect either",
        "d": "the naive analysis counts the time before a response as the responders' time without any risk of "
             "dying as a non-responder"})
    f = frame(s, "q6")
    at = s["q6"]["at_months"]
    km = survival.kaplan_meier(f["time"], (f["event_type"] == 1).astype(int))
    naive6 = 1 - _at(km, "survival", at)
    cif = survival.cumulative_incidence(f["time"], f["event_type"], cause=1)
    cif6 = _at(cif, "cif", at)
    km_any = survival.kaplan_meier(f["time"], (f["event_type"] > 0).astype(int))
    out["q6_naive"] = Expected(naive6, hints=[(100 * naive6, "give a proportion, not a percent"),
                                              (1 - naive6, "this is the Kaplan-Meier 'survival' itself; relapse is one "
                                                           "minus it"),
                                              (1 - _at(km_any, "survival", at), "this counts deaths as events too")])
    out["q6_cif"] = Expected(cif6, hints=[(100 * cif6, "give a proportion, not a percent"),
                                          (naive6, "this is one minus Kaplan-Meier, which censors the deaths")])
    out["q6_why"] = Expected(accepted=("a",), word_hints={
        "b": "the two estimates differ even without any censoring for loss to follow-up",
        "c": "the overstatement grows with the deaths without relapse, whatever the sample size"})
    q = s["q7"]
    epv = q["events"] / q["candidate_factors"]
    out["q7_epv"] = Expected(epv, hints=[(q["patients"] / q["candidate_factors"], "divide the events, not the patients"),
                                         (q["candidate_factors"] / q["events"], "the ratio is inverted: events / factors")])
    out["q7_supported"] = Expected(float(q["events"] // 10), hints=[
        (float(q["patients"] // 10), "count events, not patients"),
        (float(round(q["events"] / 10)), "a factor is supported only by 10 whole events: round down")])
    anyp = 1 - (1 - q["alpha"]) ** q["candidate_factors"]
    out["q7_any"] = Expected(anyp, hints=[(100 * anyp, "give a proportion, not a percent"),
                                          ((1 - q["alpha"]) ** q["candidate_factors"],
                                           "this is the probability that none is significant"),
                                          (min(1.0, q["candidate_factors"] * q["alpha"]), "this is the expected "
                                           "number (or its Bonferroni bound), not the probability")])
    out["q7_reading"] = Expected(accepted=("d",), word_hints={
        "a": "a small p-value after a screen is exactly what chance produces some of the time",
        "b": "selection by significance inflates the hazard ratios it keeps",
        "c": "a multivariable model after a screen does not undo the screen"})
    q = s["q8"]
    orr = 100 * q["responders"] / q["patients"]
    out["q8_orr"] = Expected(orr, hints=[(orr / 100, "give a percent, not a proportion")])
    g = esmo.form_3(orr=orr, dor=q["dor_months"], toxicity_pct=q["toxicity_percent"],
                    qol_improved=q["qol_improved"])
    out["q8_form"] = Expected(accepted=("3",), word_hints={
        "2a": "form 2a grades a comparison of overall survival with a control arm; there is none here",
        "2b": "form 2b grades a comparison with a control arm too", "1": "form 1 is for curative settings in "
        "randomised trials (adjuvant, or overall survival with long follow-up)"})
    out["q8_preliminary"] = Expected(float(g.preliminary))
    out["q8_grade"] = Expected(float(g.grade), hints=[(float(g.preliminary), "this is the preliminary grade; apply the "
                                                                             "toxicity and quality-of-life adjustments")]
                               if g.grade != g.preliminary else [])
    return out

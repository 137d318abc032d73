"""The INO-VATE ALL exercise set: questions, per-student scenarios and expected answers.

Registered in :mod:`trialkit.exercises.problems` (``SETS``, ``QUESTIONS``, ``MANUAL``), which dispatches
:func:`problems.scenario` and :func:`problems.expected` for the set ``"inovate"`` to :func:`scenario` and
:func:`expected` here. Every number a student computes is drawn from the variant code; INO-VATE's own
numbers appear only in the worked examples of the prompts (read from ``data/inovate``). The SYNTHETIC
patients of questions 4 and 6 are lists in the scenario (plain JSON data), made up for the exercise.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from trialkit.exercises import problems, variants
from trialkit.exercises.problems import LETTERS, Expected, Manual, Question, _choice, _num

SET = "inovate"
METHODS = ("normal", "pooled", "continuity", "arcsine")  # design.PROPORTION_METHODS, in the notebook's words
HORIZONS_Q4 = [6.0, 9.0, 12.0, 15.0, 18.0, 21.0, 24.0, 30.0]  # months: the candidate horizons of question 4
SHUFFLES_Q4 = 200

QUESTIONS = (
    Question("q1", "Two primary endpoints and one alpha", (
        _num("q1_level_b", 0.5, "a percent", 0.006), _num("q1_fwer_unadjusted", 1, "a proportion", 0.00006),
        _num("q1_fwer_split", 0.5, "a proportion", 0.00006), _choice("q1_claim", 1, "a letter", LETTERS))),
    Question("q2", "Two power calculations", (
        _num("q2_power_cr", 1, "a proportion", 0.0011), _choice("q2_method", 0.5, "a method", METHODS),
        _num("q2_power_os", 1, "a proportion", 0.0011), _num("q2_hr", 0.5, "a hazard ratio", 0.0011))),
    Question("q3", "A survival result against its boundary", (
        _num("q3_p", 1, "a two-sided P value", 0.0006), _choice("q3_crossed", 0.5, "yes or no", ("yes", "no")),
        _num("q3_low95", 0.5, "a hazard ratio", 0.006), _num("q3_fraction", 1, "a proportion", 0.006),
        _choice("q3_reading", 1, "a letter", LETTERS))),
    Question("q4", "Choosing the horizon after seeing the curves", (
        _num("q4_rmst_diff", 1, "months", 0.06), _num("q4_landmark_diff", 0.5, "percentage points", 0.06),
        _num("q4_fp_fixed", 0.5, "a proportion", 0.0006), _num("q4_fp_best", 1, "a proportion", 0.0006),
        _choice("q4_reading", 1, "a letter", LETTERS))),
    Question("q5", "The first patients randomised", (
        _num("q5_width_ratio", 1, "a ratio", 0.006), _num("q5_bias", 1, "percentage points", 0.06),
        _choice("q5_reading", 1, "a letter", LETTERS))),
    Question("q6", "Transplant after response", (
        _num("q6_naive", 0.5, "a hazard ratio", 0.006), _num("q6_landmark", 0.5, "a hazard ratio", 0.006),
        _num("q6_time_varying", 1, "a hazard ratio", 0.006), _choice("q6_itt", 1, "a letter", LETTERS))),
    Question("q7", "Among responders or per randomised patient", (
        _num("q7_mrd_responders", 1, "percentage points", 0.06), _num("q7_mrd_randomised", 1, "percentage points", 0.06),
        _num("q7_median_new", 1, "months", 0.06), _choice("q7_reading", 0.5, "a letter", LETTERS),
        _choice("q7_pfs", 0.5, "a letter", LETTERS))),
)

MANUAL = (Manual("q8_answer", 6, "Does inotuzumab prolong survival? A structured appraisal"),)

# Registered here, not in problems.py, so that the set is complete whichever module is imported first.
problems.QUESTIONS[SET] = QUESTIONS
problems.MANUAL[SET] = MANUAL


def _r(code: str, q: str) -> np.random.Generator:
    return variants.rng(SET, code, q)


def _powers(q: dict) -> dict[str, float]:
    from trialkit import design

    n = q["patients_per_arm"]
    return {m: design.two_proportion_power(q["rate_new_percent"] / 100, q["rate_control_percent"] / 100, n, n,
                                           alpha=q["alpha_cr_one_sided"], sided=1, method=m) for m in METHODS}


def _synthetic_q4(g: np.random.Generator) -> dict:
    """SYNTHETIC two-arm survival whose curves separate late: the same hazard in both arms (times a
    factor near 1) until ``separation`` months, a much lower hazard in the new arm afterwards."""
    n = int(g.integers(130, 171))
    median = float(g.uniform(5.5, 8.5))
    lam = math.log(2) / median
    sep = float(g.uniform(8.0, 14.0))
    early, late = float(g.uniform(0.85, 1.05)), float(g.uniform(0.30, 0.55))
    for _ in range(50):  # both arms must be followed beyond the last candidate horizon
        rows = _arms_q4(g, n, lam, sep, early, late)
        if all(max(t for a, t in zip(rows["arm"], rows["time"]) if a == arm) > HORIZONS_Q4[-1] + 1
               for arm in ("new", "standard")):
            return rows
    raise RuntimeError("no SYNTHETIC cohort followed long enough in 50 draws")  # pragma: no cover


def _arms_q4(g: np.random.Generator, n: int, lam: float, sep: float, early: float, late: float) -> dict:
    rows = {"arm": [], "time": [], "event": []}
    for arm in ("new", "standard"):
        u = g.exponential(1.0, n)  # cumulative hazard at death
        if arm == "standard":
            death = u / lam
        else:
            h1 = lam * early
            death = np.where(u <= h1 * sep, u / h1, sep + (u - h1 * sep) / (lam * late))
        entry = g.uniform(0.0, 24.0, n)
        follow = np.minimum(44.0 - entry, g.exponential(300.0, n))
        time = np.maximum(np.round(np.minimum(death, follow), 2), 0.01)
        rows["arm"] += [arm] * n
        rows["time"] += [float(x) for x in time]
        rows["event"] += [int(x) for x in (death <= follow)]
    return rows


def _cohort_q6(g: np.random.Generator) -> dict:
    """A SYNTHETIC cohort of :func:`trialkit.labs.transplant_response.simulate_cohort`, rounded."""
    from trialkit.labs import transplant_response

    window = (1.0, float(round(g.uniform(3.0, 5.0), 1)))
    params = {"n": int(g.integers(300, 451)), "median": round(float(g.uniform(5.0, 9.0)), 1),
              "responder_share": round(float(g.uniform(0.35, 0.60)), 2), "window": window,
              "transplant_hr": round(float(g.uniform(0.7, 1.0)), 2), "responder_hr": round(float(g.uniform(0.5, 0.8)), 2)}
    f = transplant_response.simulate_cohort(params["n"], params["median"], params["responder_share"], window,
                                            params["transplant_hr"], params["responder_hr"], follow_up=36.0,
                                            seed=int(g.integers(0, 2**31 - 1)))
    time = np.maximum(np.round(f["time"].to_numpy(), 3), 0.001)
    tx = np.round(f["transplant_time"].to_numpy(), 3)
    tx = [float(x) if np.isfinite(x) and x < t else None for x, t in zip(tx, time)]
    return {"patients": {"time": [float(x) for x in time], "event": [int(x) for x in f["event"]],
                         "responder": [int(x) for x in f["responder"]], "transplant_time": tx},
            "landmark_months": window[1], "dataset": "SYNTHETIC"}


def scenario(code: str) -> dict:
    """The scenario of every question for the (normalised) variant ``code`` (plain Python values)."""
    from scipy import stats as st

    from trialkit import design, stats

    s: dict = {}
    g = _r(code, "q1")
    total = float((0.025, 0.05)[int(g.integers(0, 2))])
    s["q1"] = {"alpha_total_one_sided": total,
               "alpha_a_one_sided": round(float(g.uniform(0.2, 0.8)) * total, 4),
               "correlation": round(float(g.uniform(0.3, 0.8)), 2)}  # from 0.3: ignoring rho is a visible mistake
    g = _r(code, "q2")
    control = round(float(g.uniform(25.0, 45.0)), 1)
    new = round(control + float(g.uniform(15.0, 30.0)), 1)
    target = float(g.uniform(0.75, 0.92))  # the arms' size gives a power in a range where the methods differ
    n = math.ceil(design.two_proportion_n(new / 100, control / 100, target, 1, alpha=0.0125, sided=1, method="continuity"))
    q2 = {"rate_new_percent": new, "rate_control_percent": control, "patients_per_arm": n, "alpha_cr_one_sided": 0.0125,
          "os_events": int(g.integers(180, 321)), "os_median_new": 0.0, "os_median_control": round(float(g.uniform(4.0, 8.0)), 2),
          "alpha_os_one_sided": 0.0125}
    q2["os_median_new"] = round(q2["os_median_control"] * float(g.uniform(1.35, 1.7)), 2)
    method = METHODS[int(g.integers(0, len(METHODS)))]
    q2["reported_power_percent"] = round(100 * _powers(q2)[method], 1)
    s["q2"] = q2
    g = _r(code, "q3")
    alpha = 0.0125
    t = float(g.uniform(0.45, 0.9))
    b = design.spending_boundaries([t, 1.0], alpha, "obrien-fleming", sided=1)
    boundary = round(2 * float(b["nominal_p"].iloc[-1]), 4)
    # a log hazard ratio whose two-sided P lands on either side of the boundary, never on it
    while True:
        se = float(g.uniform(0.11, 0.16))
        z = float(st.norm.isf(boundary / 2)) + float(g.uniform(-0.7, 0.7))
        hr = round(math.exp(-z * se), 2)
        z975 = float(st.norm.isf(0.0125))
        low, high = round(hr * math.exp(-z975 * se), 2), round(hr * math.exp(z975 * se), 2)
        p = stats.p_from_ci(hr, low, high, level=0.975)
        if low < hr < high and abs(p - boundary) > 0.002:
            break
    s["q3"] = {"hr": hr, "ci_low": low, "ci_high": high, "ci_level": 0.975, "boundary_two_sided": boundary,
               "alpha_one_sided": alpha, "spending": "obrien-fleming"}
    g = _r(code, "q4")
    s["q4"] = {"patients": _synthetic_q4(g), "dataset": "SYNTHETIC", "tau": float((12.0, 15.0, 18.0)[int(g.integers(0, 3))]),
               "landmark_months": 24.0, "horizons": list(HORIZONS_Q4), "shuffles": SHUFFLES_Q4,
               "seed": int(g.integers(1, 100_000)), "alpha_two_sided": 0.05}
    g = _r(code, "q5")
    n = int(g.integers(140, 201)) * 2
    k = int(round(n * float(g.uniform(0.55, 0.75)) / 2)) * 2
    s["q5"] = {"randomised": n, "analysed_first": k, "control_rate": round(float(g.uniform(0.2, 0.35)), 2),
               "difference": round(float(g.uniform(0.2, 0.4)), 2),
               "effect_drift": round(float(g.uniform(0.08, 0.3)) * (1 if g.integers(0, 2) else -1), 2)}
    s["q6"] = _cohort_q6(_r(code, "q6"))
    g = _r(code, "q7")
    n1, n2 = int(g.integers(100, 171)), int(g.integers(100, 171))
    r1, r2 = int(round(float(g.uniform(0.6, 0.85)) * n1)), int(round(float(g.uniform(0.2, 0.4)) * n2))
    s["q7"] = {"randomised_new": n1, "responders_new": r1, "mrd_negative_new": int(round(float(g.uniform(0.6, 0.85)) * r1)),
               "randomised_control": n2, "responders_control": r2,
               "mrd_negative_control": int(round(float(g.uniform(0.2, 0.45)) * r2)),
               "control_median_duration": round(float(g.uniform(2.5, 6.0)), 1), "beta": float((0.5, 0.75, 1.0)[int(g.integers(0, 3))])}
    s["q8"] = {"evidence": "the INO-VATE ALL article and the chapter"}
    return s


def frame(s: dict, q: str) -> pd.DataFrame:
    """The SYNTHETIC patients of question ``q`` ("q4" or "q6") of a scenario as a DataFrame."""
    if q not in ("q4", "q6"):
        raise ValueError(f"q must be 'q4' or 'q6' (the questions with patients), got {q!r}")
    return pd.DataFrame(s[q]["patients"])


def _km_at(f: pd.DataFrame, arm: str, t: float) -> float:
    from trialkit import survival

    km = survival.kaplan_meier(f.loc[f["arm"] == arm, "time"], f.loc[f["arm"] == arm, "event"])
    k = km[km["time"] <= t]
    return float(k["survival"].iloc[-1]) if len(k) else 1.0


def expected(code: str, s: dict) -> dict[str, Expected]:
    """Expected answers of every part, computed from the scenario ``s`` with the package's functions."""
    from trialkit import design, stats, survival
    from trialkit.chapters import inovate as chapter
    from trialkit.labs import early_subset, horizon, responders, two_endpoints

    out: dict[str, Expected] = {}
    q = s["q1"]
    total, a = q["alpha_total_one_sided"], q["alpha_a_one_sided"]
    b = total - a
    level = 100 * (1 - 2 * b)
    out["q1_level_b"] = Expected(level, hints=[(100 * (1 - b), "a two-sided interval that matches a one-sided level "
                                                               "alpha leaves alpha in each tail: 1 - 2 alpha"),
                                               (100 * (1 - 2 * a), "this is endpoint A's level; the question asks about B"),
                                               (level / 100, "give a percent, not a proportion")])
    unadj = two_endpoints.rejection_probabilities("unadjusted", total, 0.0, 0.0, q["correlation"])["any"]
    independent = 1 - (1 - total) ** 2
    out["q1_fwer_unadjusted"] = Expected(unadj, hints=[
        (independent, "this assumes independent endpoints; use the correlation (rho) of your variant"),
        (2 * total, "this is the Bonferroni bound, not the probability under the correlation"),
        (100 * unadj, "give a proportion, not a percent")])
    # the split of the scenario is uneven: A at a, B at total - a
    from scipy import stats as st

    ca, cb = float(st.norm.isf(a)), float(st.norm.isf(b))
    both = two_endpoints._both(ca, cb, 0.0, 0.0, q["correlation"])
    split = float(st.norm.sf(ca) + st.norm.sf(cb) - both)
    even = two_endpoints.rejection_probabilities("split", total, 0.0, 0.0, q["correlation"])["any"]
    out["q1_fwer_split"] = Expected(split, hints=[(unadj, "this is the error without any adjustment"),
                                                  (even, "this splits the alpha evenly; your variant gives A and B "
                                                         "different shares"),
                                                  (100 * split, "give a proportion, not a percent")])
    out["q1_claim"] = Expected(accepted=("b",), word_hints={
        "a": "the split gave each endpoint its own share of alpha; a success on one does not pass its share to "
             "the other unless the protocol said so in advance",
        "c": "the level of each test was fixed in the protocol; a correlation judged afterwards does not change it",
        "d": "splitting alpha is what keeps each claim valid at its own level"})

    q = s["q2"]
    powers = _powers(q)
    cc = powers["continuity"]
    out["q2_power_cr"] = Expected(cc, hints=[(powers[m], f"this is the {m!r} method; the question asks for the "
                                                         "continuity-corrected one") for m in METHODS if m != "continuity"]
                                  + [(100 * cc, "give a proportion, not a percent")])
    reported = q["reported_power_percent"] / 100
    match = tuple(m for m in METHODS if abs(powers[m] - reported) <= 0.0005 + 1e-12)
    out["q2_method"] = Expected(accepted=match)
    hr = q["os_median_control"] / q["os_median_new"]
    out["q2_hr"] = Expected(hr, hints=[(1 / hr, "the ratio is inverted: under exponential survival the hazard ratio "
                                                "is the control median over the new median")])
    pos = design.events_power(q["os_events"], hr, (1, 1), alpha=q["alpha_os_one_sided"], sided=1)
    out["q2_power_os"] = Expected(pos, hints=[
        (design.events_power(q["os_events"], hr, (1, 1), alpha=q["alpha_os_one_sided"], sided=2),
         "wrong sidedness: the alpha is one-sided"),
        (design.events_power(q["os_events"], hr, (1, 1), alpha=0.025, sided=1),
         "this spends the whole 0.025; survival has only its share of the alpha"),
        (100 * pos, "give a proportion, not a percent")])

    q = s["q3"]
    p = stats.p_from_ci(q["hr"], q["ci_low"], q["ci_high"], level=q["ci_level"])
    out["q3_p"] = Expected(p, hints=[(stats.p_from_ci(q["hr"], q["ci_low"], q["ci_high"], level=0.95),
                                      "the printed interval is a 97.5 % interval: pass its level"),
                                     (p / 2, "this is one-sided; the boundary is two-sided")])
    out["q3_crossed"] = Expected(accepted=("yes" if p < q["boundary_two_sided"] else "no",))
    se = stats.se_from_ci(q["hr"], q["ci_low"], q["ci_high"], level=q["ci_level"])
    low95 = stats.ci_from_se(q["hr"], se, 0.95).low
    out["q3_low95"] = Expected(low95, hints=[(q["ci_low"], "this is the printed 97.5 % limit; a 95 % interval is "
                                                          "narrower")])
    frac = chapter.interim_fraction_for_boundary(q["boundary_two_sided"], q["alpha_one_sided"], q["spending"])
    try:
        halved = chapter.interim_fraction_for_boundary(q["boundary_two_sided"] / 2, q["alpha_one_sided"], q["spending"])
    except ValueError:  # half the boundary is reached by no single look: no such mistake to recognise
        halved = None
    out["q3_fraction"] = Expected(frac, hints=[(100 * frac, "give a proportion, not a percent"),
                                               (halved, "the boundary is two-sided: pass it as it is printed")])
    out["q3_reading"] = Expected(accepted=("c",), word_hints={
        "a": "a landmark difference chosen among many is not the prespecified test of the survival objective",
        "b": "an analysis chosen after seeing the curves cannot replace the prespecified one",
        "d": "the survival test had its own, stricter boundary: 0.05 was never its level"})

    q = s["q4"]
    f = frame(s, "q4")
    r = survival.rmst_difference(f["time"], f["event"], f["arm"], tau=q["tau"], reference="standard")
    r24 = survival.rmst_difference(f["time"], f["event"], f["arm"], tau=q["landmark_months"], reference="standard")
    out["q4_rmst_diff"] = Expected(r.difference, hints=[(-r.difference, "the sign is inverted: new minus standard"),
                                                         (r24.difference, "this is the RMST at 24 months; use your "
                                                                          "prespecified horizon tau")])
    lm = 100 * (_km_at(f, "new", q["landmark_months"]) - _km_at(f, "standard", q["landmark_months"]))
    out["q4_landmark_diff"] = Expected(lm, hints=[(lm / 100, "give percentage points, not a proportion"),
                                                  (-lm, "the sign is inverted: new minus standard")])
    by_h, by_c = horizon.horizon_lab(f, q["horizons"], n_shuffles=q["shuffles"], alpha_two_sided=q["alpha_two_sided"],
                                     seed=q["seed"])
    fixed = float(by_h[(by_h["statistic"] == "rmst") & np.isclose(by_h["tau"], q["tau"])]["significant"].iloc[0])
    kmax = int(by_c["k"].max())
    best = float(by_c[(by_c["k"] == kmax) & (by_c["statistic"] == "either")]["significant"].iloc[0])
    best_rmst = float(by_c[(by_c["k"] == kmax) & (by_c["statistic"] == "rmst")]["significant"].iloc[0])
    out["q4_fp_fixed"] = Expected(fixed, hints=[(100 * fixed, "give a proportion, not a percent")])
    out["q4_fp_best"] = Expected(best, hints=[(best_rmst, "this picks among RMST horizons only; the question lets the "
                                                          "analyst pick the RMST or the landmark, whichever is better"),
                                              (100 * best, "give a proportion, not a percent")])
    out["q4_reading"] = Expected(accepted=("b",), word_hints={
        "a": "the horizon where the curves differ most is where chance helps most: its estimate is too favourable",
        "c": "shuffling the arms builds the no-effect world; it does not invalidate the test",
        "d": "a non-constant hazard ratio is a reason to prespecify another summary, not to choose one afterwards"})

    q = s["q5"]
    a5 = early_subset.subset_estimate(q["randomised"], q["analysed_first"], q["control_rate"], q["difference"])
    b5 = early_subset.subset_estimate(q["randomised"], q["randomised"], q["control_rate"], q["difference"])
    ratio = a5["se"] / b5["se"]
    out["q5_width_ratio"] = Expected(ratio, hints=[(1 / ratio, "the ratio is inverted: the first patients' width over "
                                                               "everyone's"),
                                                   (q["randomised"] / q["analysed_first"], "a width grows with the square "
                                                                                         "root of the sample-size ratio")])
    d5 = early_subset.subset_estimate(q["randomised"], q["analysed_first"], q["control_rate"], q["difference"], 0.0,
                                      q["effect_drift"])
    bias = d5["estimate"] - d5["target"]
    out["q5_bias"] = Expected(bias, hints=[(-bias, "the sign is inverted: first patients' estimate minus the target"),
                                           (bias / 100, "give percentage points, not a proportion")])
    out["q5_reading"] = Expected(accepted=("b",), word_hints={
        "a": "randomisation happened patient by patient: the first patients form a randomised comparison of their own",
        "c": "a subset changes the effect only if patients or the effect changed over accrual, in either direction",
        "d": "fewer patients also mean a wider interval and less power, not only a different P value"})

    q = s["q6"]
    f = frame(s, "q6")
    ever = f["transplant_time"].notna().astype(int)
    naive = survival.cox(pd.DataFrame({"time": f["time"], "event": f["event"], "tx": ever}), "time", "event",
                         ["tx"]).hr("tx")[0]
    lmk = q["landmark_months"]
    alive = f[f["time"] > lmk]
    by = (alive["transplant_time"].notna() & (alive["transplant_time"] <= lmk)).astype(int)
    land = survival.cox(pd.DataFrame({"time": alive["time"] - lmk, "event": alive["event"], "tx": by}), "time", "event",
                        ["tx"]).hr("tx")[0]
    rows = survival.split_at_event(f["time"], f["event"], f["transplant_time"], name="tx")
    tv = survival.cox_time_varying(rows, "id", "start", "stop", "event", ["tx"]).hr("tx")[0]
    out["q6_naive"] = Expected(float(naive), hints=[(1 / float(naive), "the ratio is inverted: transplanted / not")])
    out["q6_landmark"] = Expected(float(land), hints=[(1 / float(land), "the ratio is inverted: transplanted / not"),
                                                      (float(naive), "this is the analysis from time 0; keep only the "
                                                                     "patients alive at the landmark")])
    out["q6_time_varying"] = Expected(float(tv), hints=[(1 / float(tv), "the ratio is inverted: transplanted / not"),
                                                        (float(naive), "this fixes transplant at time 0; let it switch "
                                                                       "on at its date (split_at_event)")])
    out["q6_itt"] = Expected(accepted=("b",), word_hints={
        "a": "the randomised arms differ in everything assignment led to, transplants included",
        "c": "the arms were randomised, not the transplants",
        "d": "what happened after randomisation is part of the assigned strategy; the comparison stays valid for it"})

    q = s["q7"]
    n1, r1, m1 = q["randomised_new"], q["responders_new"], q["mrd_negative_new"]
    n2, r2, m2 = q["randomised_control"], q["responders_control"], q["mrd_negative_control"]
    among = 100 * (m1 / r1 - m2 / r2)
    per = 100 * (m1 / n1 - m2 / n2)
    out["q7_mrd_responders"] = Expected(among, hints=[(per, "this divides by the randomised patients; the question "
                                                            "asks among responders"),
                                                      (among / 100, "give percentage points, not a proportion")])
    out["q7_mrd_randomised"] = Expected(per, hints=[(among, "this divides by the responders; divide by the patients "
                                                            "randomised to each arm"),
                                                    (per / 100, "give percentage points, not a proportion")])
    _, summary = responders.responders_lab((r1 / n1, r2 / n2), q["control_median_duration"], betas=(q["beta"],),
                                           thetas=(1.0,))
    med = float(summary["median_experimental"].iloc[0])
    out["q7_median_new"] = Expected(med, hints=[(float(summary["median_control"].iloc[0]), "this is the control "
                                                                                           "responders' median")])
    out["q7_reading"] = Expected(accepted=("c",), word_hints={
        "a": "in this model the drug changes no one's remission (theta = 1): a shorter median among its responders "
             "comes from who responded",
        "b": "the responders of the two arms are not comparable groups: the drug brought harder-to-treat patients "
             "into remission",
        "d": "randomisation formed the arms, not the responders"})
    out["q7_pfs"] = Expected(accepted=("d",), word_hints={
        "a": "the definition also counts new induction therapy or transplant without remission as an event",
        "b": "starting new therapy is an event only without a remission; a transplant after remission is not an event",
        "c": "the definition does not make PFS a measure of survival; it is tied to the remission result"})
    for e in out.values():  # plain floats: shown and compared as numbers, never as numpy objects
        if e.value is not None:
            e.value = float(e.value)
    return out

"""The E1910 exercise set: questions, per-student scenarios and expected answers.

Registered in :mod:`trialkit.exercises.problems` (``SETS``, ``QUESTIONS``, ``MANUAL``), which dispatches
:func:`problems.scenario` and :func:`problems.expected` for the set ``"e1910"`` to :func:`scenario` and
:func:`expected` here. Every number a student computes is drawn from the variant code; E1910's own
numbers appear only in the worked examples of the prompts (read from ``data/e1910``).
"""

from __future__ import annotations

import math

from trialkit.exercises import problems, variants
from trialkit.exercises.problems import LETTERS, Expected, Manual, Question, _choice, _num, _whole

SET = "e1910"

QUESTIONS = (
    Question("q1", "The funnel before randomisation", (
        _num("q1_share_enrolled", 1, "a percent", 0.06), _num("q1_share_remission", 1, "a percent", 0.06),
        _choice("q1_patient", 1, "a letter", LETTERS))),
    Question("q2", "The planned power", (
        _num("q2_hr", 0.5, "a hazard ratio", 0.0011), _num("q2_power", 1, "a proportion", 0.006),
        _whole("q2_deaths", 1, "a whole number of deaths"))),
    Question("q3", "An interim efficacy boundary", (
        _num("q3_z", 1, "a z value", 0.006), _num("q3_p", 0.5, "a two-sided P value", 0.0003),
        _num("q3_hr", 1, "a hazard ratio", 0.006), _choice("q3_estimate", 0.5, "a letter", LETTERS))),
    Question("q4", "From a hazard ratio to an absolute benefit", (
        _num("q4_new", 0.5, "a percent", 0.06), _num("q4_diff", 0.5, "percentage points", 0.06), _num("q4_nnt", 0.5, "a number of patients (unrounded)", 0.06),
        _whole("q4_patients", 0.5, "a whole number of patients"))),
    Question("q5", "A test of interaction from published intervals", (
        _num("q5_ratio", 1, "a ratio of hazard ratios", 0.011), _num("q5_p", 1, "a two-sided P value", 0.003),
        _num("q5_chance", 1, "a percent", 0.11))),
    Question("q6", "Harms in an open-label trial", (
        _num("q6_diff", 1, "percentage points", 0.06), _num("q6_rr", 1, "a risk ratio", 0.011),
        _choice("q6_open", 0.5, "a letter", LETTERS), _choice("q6_exposure", 0.5, "a letter", LETTERS))),
    Question("q7", "Transplantation after randomisation", (
        _choice("q7_bias", 0.5, "a letter", LETTERS), _choice("q7_method", 0.5, "a letter", LETTERS))),
)

MANUAL = (Manual("q8_answer", 6, "How credible is the age subgroup?"),)

# Registered here, not in problems.py, so that the set is complete whichever module is imported first.
problems.QUESTIONS[SET] = QUESTIONS
problems.MANUAL[SET] = MANUAL


def _r(code: str, q: str):
    return variants.rng(SET, code, q)


def _sym_ci(hr: float, se: float) -> list[float]:
    """A hazard ratio with its 95 % interval, each rounded to 2 decimals as an article prints them."""
    z = 1.959963984540054
    return [round(hr, 2), round(hr * math.exp(-z * se), 2), round(hr * math.exp(z * se), 2)]


def scenario(code: str) -> dict:
    """The scenario of every question for the (normalised) variant ``code`` (plain Python values)."""
    s: dict = {}
    g = _r(code, "q1")
    registered = int(g.integers(600, 901))
    enrolled = int(round(registered * float(g.uniform(0.55, 0.75))))
    remission = int(round(enrolled * float(g.uniform(0.72, 0.88))))
    step3 = int(round(remission * float(g.uniform(0.62, 0.80))))
    randomised = int(round(step3 * float(g.uniform(0.70, 0.85))))
    s["q1"] = {"registered": registered, "enrolled": enrolled, "in_remission": remission,
               "reached_randomisation_step": step3, "randomised": randomised}
    g = _r(code, "q2")
    s["q2"] = {"planned_deaths": int(g.integers(50, 131)), "risk_reduction_percent": round(float(g.uniform(30, 50)), 1),
               "alpha_one_sided": float((0.025, 0.02, 0.01)[int(g.integers(0, 3))]), "allocation": [1, 1],
               "target_power": 0.8}
    g = _r(code, "q3")
    interims = int(g.integers(2, 4))
    cuts = sorted(round(float(x), 2) for x in g.uniform(0.2, 0.85, interims))
    while len(set(cuts)) < len(cuts):  # two looks at the same fraction: spread them
        cuts = sorted(round(c + 0.01 * i, 2) for i, c in enumerate(cuts))
    planned = int(g.integers(90, 201))
    s["q3"] = {"fractions": cuts + [1.0], "alpha_one_sided": 0.025, "spending": "obrien-fleming",
               "planned_deaths": planned, "look": interims, "deaths_at_look": int(round(planned * cuts[-1])),
               "allocation": [1, 1]}
    g = _r(code, "q4")
    s["q4"] = {"survival_3y_control_percent": round(float(g.uniform(55, 80)), 1),
               "hr": round(float(g.uniform(0.35, 0.75)), 2), "years": 3}
    g = _r(code, "q5")
    young = _sym_ci(float(g.uniform(0.12, 0.35)), float(g.uniform(0.45, 0.65)))
    old = _sym_ci(float(g.uniform(0.50, 0.90)), float(g.uniform(0.30, 0.45)))
    s["q5"] = {"younger_hr_ci": young, "older_hr_ci": old, "level": 0.95,
               "threshold": float((2.0, 3.0)[int(g.integers(0, 2))])}
    g = _r(code, "q6")
    n1, n2 = int(g.integers(100, 161)), int(g.integers(100, 161))
    s["q6"] = {"treated_new": n1, "patients_with_event_new": int(round(float(g.uniform(0.15, 0.30)) * n1)),
               "treated_control": n2, "patients_with_event_control": int(round(float(g.uniform(0.03, 0.09)) * n2))}
    s["q7"] = {"evidence": "the transplant rows of E1910 (quoted in the notebook)"}
    return s


def expected(code: str, s: dict) -> dict[str, Expected]:
    """Expected answers of every part, computed from the scenario ``s`` with the package's functions."""
    from trialkit import design, stats
    from trialkit.labs import subgroup

    out: dict[str, Expected] = {}
    q = s["q1"]
    share = 100 * q["randomised"] / q["enrolled"]
    out["q1_share_enrolled"] = Expected(share, hints=[
        (share / 100, "give a percent, not a proportion"),
        (100 * q["randomised"] / q["registered"], "wrong denominator: the question asks about enrolled patients, "
                                                  "not registered ones"),
        (100 * q["reached_randomisation_step"] / q["enrolled"], "wrong numerator: count the patients randomised, "
                                                                 "not those who reached the randomisation step")])
    rem = 100 * q["randomised"] / q["in_remission"]
    out["q1_share_remission"] = Expected(rem, hints=[
        (rem / 100, "give a percent, not a proportion"),
        (100 * q["randomised"] / q["reached_randomisation_step"], "wrong denominator: divide by the patients in "
                                                                   "remission after induction")])
    out["q1_patient"] = Expected(accepted=("c",), word_hints={
        "a": "randomisation protects the comparison between the arms, not the match between the randomised "
             "patients and the patients at diagnosis",
        "b": "losses before randomisation change whom the result applies to; they cannot favour one arm",
        "d": "reaching MRD-negative remission selects patients with a better prognosis, not a worse one"})

    q = s["q2"]
    hr = 1 - q["risk_reduction_percent"] / 100
    a = q["alpha_one_sided"]
    out["q2_hr"] = Expected(hr, hints=[(q["risk_reduction_percent"] / 100, "a risk reduction of r % is a hazard "
                                                                           "ratio of 1 - r / 100"),
                                       (1 / hr, "the ratio is inverted: blinatumomab / control")])
    power = design.events_power(q["planned_deaths"], hr, (1, 1), alpha=a, sided=1)
    out["q2_power"] = Expected(power, hints=[
        (design.events_power(q["planned_deaths"], hr, (1, 1), alpha=a, sided=2), "wrong sidedness: the alpha is one-sided"),
        (design.events_power(q["planned_deaths"], 1 - hr, (1, 1), alpha=a, sided=1), "the hazard ratio is 1 minus "
                                                                                      "the risk reduction"),
        (100 * power, "give a proportion, not a percent")])
    raw = design.events_needed(hr, q["target_power"], (1, 1), alpha=a, sided=1)
    out["q2_deaths"] = Expected(float(math.ceil(raw)), hints=[
        (float(math.floor(raw)), "round the number of deaths up"),
        (float(math.ceil(design.events_needed(hr, q["target_power"], (1, 1), alpha=a, sided=2))),
         "wrong sidedness: the alpha is one-sided")])

    q = s["q3"]
    b = design.spending_boundaries(q["fractions"], q["alpha_one_sided"], q["spending"], sided=1)
    k = q["look"] - 1
    z = float(b["z"].iloc[k])
    two = design.spending_boundaries(q["fractions"], q["alpha_one_sided"], q["spending"], sided=2)
    fixed = float(stats.z_from_p(q["alpha_one_sided"], sided=1))
    out["q3_z"] = Expected(z, hints=[(float(two["z"].iloc[k]), "wrong sidedness: spend the one-sided alpha with sided=1"),
                                     (fixed, "this is the fixed-design z; an interim look spends only part of the alpha"),
                                     (float(b["z"].iloc[-1]), "this is the boundary of the final analysis")])
    p = 2 * float(b["nominal_p"].iloc[k])
    out["q3_p"] = Expected(p, hints=[(p / 2, "this is the one-sided nominal P value; the question asks for two-sided")])
    hr_b = design.boundary_hazard_ratio(z, q["deaths_at_look"], (1, 1))
    out["q3_hr"] = Expected(hr_b, hints=[
        (design.boundary_hazard_ratio(z, q["planned_deaths"], (1, 1)), "use the deaths at the look, not the planned deaths"),
        (1 / hr_b, "the ratio is inverted: the boundary is a hazard ratio below 1")])
    out["q3_estimate"] = Expected(accepted=("b",), word_hints={
        "d": "a strict boundary limits false positives; it does not remove the overestimation of trials that stop early",
        "c": "a stop ends follow-up early: fewer events, so less precise late estimates, not the planned precision",
        "a": "a crossed boundary says the effect is unlikely to be zero, not that it is as large as observed"})

    q = s["q4"]
    sc = q["survival_3y_control_percent"] / 100
    new = 100 * sc ** q["hr"]
    out["q4_new"] = Expected(new, hints=[(new / 100, "give a percent, not a proportion"),
                                         (100 * sc * q["hr"], "under proportional hazards survival is raised to the "
                                                              "power of the hazard ratio, not multiplied by it"),
                                         (100 * (1 - (1 - sc) * q["hr"]), "the hazard ratio is not a ratio of the "
                                                                          "proportions who died: raise survival to "
                                                                          "the power of the hazard ratio")])
    d = new - q["survival_3y_control_percent"]
    out["q4_diff"] = Expected(d, hints=[(d / 100, "give percentage points, not a proportion"),
                                        (-d, "the sign is inverted: new minus control")])
    nnt = 100 / d
    out["q4_nnt"] = Expected(nnt, hints=[(1 / d, "divide 100 by percentage points (or 1 by a proportion)"),
                                         (-nnt, "the sign is inverted: the difference is new minus control")])
    out["q4_patients"] = Expected(float(math.ceil(nnt)), hints=[(float(math.floor(nnt)), "an NNT is rounded up, never down"),
                                                                (float(round(nnt)), "an NNT is rounded up, never to the nearest")])

    q = s["q5"]
    t = subgroup.interaction_test(tuple(q["younger_hr_ci"]), tuple(q["older_hr_ci"]), level=q["level"])
    out["q5_ratio"] = Expected(t["ratio"], hints=[(1 / t["ratio"], "the ratio is inverted: older / younger")])
    out["q5_p"] = Expected(t["p"], hints=[(t["p"] / 2, "this is one-sided; the test of interaction is two-sided")])
    ch = subgroup.chance_of_apparent_modification(t["se_a"], t["se_b"], thresholds=(q["threshold"],), factors=(1,))
    c = float(ch["p_one"].iloc[0])
    out["q5_chance"] = Expected(c, hints=[(c / 100, "give a percent, not a proportion"),
                                          (c / 2, "count a ratio this large in either direction, not only one")])

    q = s["q6"]
    rd = stats.risk_difference(q["patients_with_event_new"], q["treated_new"], q["patients_with_event_control"],
                               q["treated_control"])
    out["q6_diff"] = Expected(100 * rd.estimate, hints=[(rd.estimate, "give percentage points, not a proportion"),
                                                        (-100 * rd.estimate, "the sign is inverted: new minus control")])
    rr = stats.risk_ratio(q["patients_with_event_new"], q["treated_new"], q["patients_with_event_control"],
                          q["treated_control"]).estimate
    out["q6_rr"] = Expected(rr, hints=[(1 / rr, "the ratio is inverted: new / control"),
                                       (q["patients_with_event_new"] / q["patients_with_event_control"],
                                        "divide each count by the treated patients of its own arm")])
    out["q6_open"] = Expected(accepted=("d",), word_hints={
        "a": "a common grading scale does not stop knowledge of the arm from changing what is looked for and attributed",
        "b": "harms are measured outcomes too: their ascertainment can depend on knowing the assignment",
        "c": "knowing the arm can make events more likely to be recorded and attributed in the new-drug arm"})
    out["q6_exposure"] = Expected(accepted=("c",), word_hints={
        "a": "a comparison of strategies is valid; it answers a question about the whole strategy",
        "b": "a proportion of patients with an event grows with the time at risk on treatment",
        "d": "more time on treatment makes events more likely to be counted, not less"})
    out["q7_bias"] = Expected(accepted=("b",), word_hints={
        "a": "lead time is about earlier diagnosis; here the problem is the time before the transplant",
        "c": "the problem is not loss to follow-up but the time transplanted patients had to survive",
        "d": "randomisation protects the assigned arms, not a comparison by a treatment received later"})
    out["q7_method"] = Expected(accepted=("d",), word_hints={
        "a": "leaving out the transplanted patients removes a group chosen after randomisation: it breaks the "
             "randomised comparison",
        "b": "classifying patients at time zero by a later event is exactly the immortal-time error",
        "c": "a per-protocol population selects patients after randomisation too"})
    return out

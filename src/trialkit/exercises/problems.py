"""The questions of the exercise sets: per-student scenarios, expected answers, judging and hints.

Public by design (the method is what the course teaches): :func:`scenario` draws a student's scenario
from their variant code (see :mod:`trialkit.exercises.variants`), :func:`expected` computes the
answers of that scenario with the same ``trialkit`` functions a student uses, and :func:`judge`
compares a student's answers with them, part by part, with a hint for the common wrong answers
(inverted ratio, wrong sidedness, percent instead of proportion, wrong denominator ...).

The grader calls :func:`judge` in its own process with the answers read out of the executed
notebook and the scenario of the code it derived from its secret salt; the formative check a student
runs (:func:`trialkit.exercises.student.check`) calls the same function in the student's kernel for
the student's own variant. Published-trial numbers appear only in the worked examples of the prompts.

Answers arrive as JSON-safe records made by :func:`encode` (in the kernel): ``{"t": "num", "v": x}``,
``{"t": "str", "v": s}``, ``{"t": "bool"}``, ``{"t": "none"}``, ``{"t": "other", "type": name}``;
a missing variable is simply absent. Anything else is treated as a wrong form.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from trialkit.exercises import variants

SETS = ("foundations", "tower", "pooled", "e1910", "across", "inovate", "capstone")
CODES = ("y", "py", "pn", "n", "ni")
CODES_NA = CODES + ("na",)
LEVELS = ("low", "some concerns", "high")
LETTERS = ("a", "b", "c", "d")


# --- what a question is ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One auto-graded answer: a variable the student assigns."""

    name: str
    kind: str            # "number", "whole", "choice"
    points: float
    what: str            # how the answer is given ("a proportion", "percentage points", ...)
    tol: float = 0.0     # absolute tolerance of a number
    options: tuple = ()  # allowed words of a choice


@dataclass(frozen=True)
class Question:
    qid: str
    title: str
    parts: tuple[Part, ...]
    figure: bool = False  # the question shows a figure of the variant (drawn again in the feedback)

    @property
    def points(self) -> float:
        return sum(p.points for p in self.parts)


@dataclass(frozen=True)
class Manual:
    """An answer graded by hand (free text in a Markdown cell)."""

    item: str
    points: float
    title: str


@dataclass
class Expected:
    value: float | None = None            # a number (number, whole)
    accepted: tuple[str, ...] = ()        # accepted words (choice)
    hints: list[tuple[float, str]] = field(default_factory=list)      # (wrong value, message)
    word_hints: dict[str, str] = field(default_factory=dict)          # wrong word -> message
    consistent: tuple | None = None       # (domain, variant, {question: part name}, key answers)
    shown: str = ""                       # how the expected answer is shown in feedback


@dataclass
class Verdict:
    part: str
    question: str
    points: float
    max_points: float
    correct: bool
    message: str
    answer: str
    expected: str


def _num(name, points, what, tol):
    return Part(name, "number", points, what, tol)


def _whole(name, points, what):
    return Part(name, "whole", points, what)


def _choice(name, points, what, options):
    return Part(name, "choice", points, what, options=tuple(options))


QUESTIONS: dict[str, tuple[Question, ...]] = {
    "foundations": (
        Question("q1", "An exact confidence interval", (
            _num("q1_low", 1, "a proportion", 0.0006), _num("q1_high", 1, "a proportion", 0.0006))),
        Question("q2", "A risk difference and its interval", (
            _num("q2_diff", 1, "percentage points", 0.06), _num("q2_low", 1, "percentage points", 0.06),
            _num("q2_high", 1, "percentage points", 0.06))),
        Question("q3", "Number needed to treat", (
            _num("q3_nnt", 1, "a number of patients (unrounded)", 0.06),
            _whole("q3_patients", 1, "a whole number of patients"))),
        Question("q4", "Reading a Kaplan-Meier curve", (
            _num("q4_median_new", 0.5, "months", 1.0), _num("q4_median_std", 0.5, "months", 1.0),
            _num("q4_s12_new", 0.5, "a proportion", 0.05), _num("q4_s12_std", 0.5, "a proportion", 0.05)),
            figure=True),
        Question("q5", "A hazard ratio", (
            _num("q5_hr", 1, "a hazard ratio", 0.006), _choice("q5_meaning", 1, "a letter", LETTERS))),
        Question("q6", "Power of an event-driven trial", (
            _num("q6_power", 1, "a proportion", 0.006), _whole("q6_events", 1, "a whole number of deaths"))),
        Question("q7", "RoB 2 domain 1 from quoted evidence", (
            _choice("q7_11", 0.5, "an answer code", CODES), _choice("q7_12", 0.5, "an answer code", CODES),
            _choice("q7_13", 0.5, "an answer code", CODES), _choice("q7_d1", 0.5, "a judgment", LEVELS))),
    ),
    "tower": (
        Question("q1", "A remission comparison", (
            _num("q1_diff", 1, "percentage points", 0.06), _num("q1_low", 1, "percentage points", 0.06),
            _num("q1_high", 1, "percentage points", 0.06))),
        Question("q2", "Serious adverse events: risks and rates", (
            _num("q2_risk_ratio", 1, "a ratio", 0.006), _num("q2_rate_ratio", 1, "a ratio", 0.006),
            _choice("q2_cannot", 0.5, "a letter", LETTERS), _choice("q2_why", 0.5, "a letter", LETTERS))),
        Question("q3", "The planned power", (
            _num("q3_power", 1, "a proportion", 0.006), _num("q3_power_interim", 1, "a proportion", 0.006))),
        Question("q4", "Patients who were never treated: choosing the analysis population", (
            _num("q4_untreated", 1, "a percent", 0.06), _num("q4_diff_treated", 1, "percentage points", 0.06),
            _choice("q4_population", 0.5, "a population", ("all randomised", "treated", "per protocol")),
            _choice("q4_effect", 0.5, "a letter", LETTERS))),
        Question("q5", "RoB 2 domain 2 from quoted evidence", (
            _choice("q5_21", 0.25, "an answer code", CODES), _choice("q5_22", 0.25, "an answer code", CODES),
            _choice("q5_23", 0.25, "an answer code", CODES_NA), _choice("q5_24", 0.25, "an answer code", CODES_NA),
            _choice("q5_25", 0.25, "an answer code", CODES_NA), _choice("q5_26", 0.25, "an answer code", CODES),
            _choice("q5_d2", 0.5, "a judgment", LEVELS))),
        Question("q6", "RoB 2 domain 4 from quoted evidence", (
            _choice("q6_41", 0.25, "an answer code", CODES), _choice("q6_42", 0.25, "an answer code", CODES),
            _choice("q6_43", 0.25, "an answer code", CODES_NA), _choice("q6_44", 0.25, "an answer code", CODES_NA),
            _choice("q6_45", 0.25, "an answer code", CODES_NA), _choice("q6_d4", 0.5, "a judgment", LEVELS))),
        Question("q7", "ESMO-MCBS grade", (
            _num("q7_gain", 0.5, "months", 0.06), _whole("q7_preliminary", 1, "a grade from 1 to 5"),
            _whole("q7_grade", 1, "a grade from 1 to 5"), _choice("q7_substantial", 0.5, "yes or no", ("yes", "no")))),
    ),
    "pooled": (
        Question("q1", "What a pooled single-arm analysis can describe", (
            _num("q1_rate", 1, "a percent", 0.06), _num("q1_low", 0.5, "a percent", 0.06),
            _num("q1_high", 0.5, "a percent", 0.06), _choice("q1_claim", 1, "a letter", LETTERS))),
        Question("q2", "Time zero and population of each result", (
            _choice("q2_os_start", 0.5, "a letter", LETTERS), _choice("q2_rfs_start", 0.5, "a letter", LETTERS),
            _choice("q2_rfs_population", 0.5, "a population", ("all treated", "responders", "long term survivors")),
            _choice("q2_compare", 0.5, "a letter", LETTERS))),
        Question("q3", "A table of long-term survivors, read the other way", (
            _num("q3_mrd_share", 1, "a percent", 0.06), _num("q3_alive_mrd", 1, "a percent", 0.06),
            _num("q3_alive_non", 1, "a percent", 0.06), _choice("q3_why", 0.5, "a letter", LETTERS))),
        Question("q4", "Who carries the plateau", (
            _whole("q4_at_risk", 1, "a whole number of patients"), _num("q4_s36", 1, "a proportion", 0.005),
            _num("q4_upper", 1, "a proportion", 0.002), _choice("q4_cure", 0.5, "a letter", LETTERS))),
        Question("q5", "Responders and non-responders: from the first dose and from a landmark", (
            _num("q5_naive_hr", 1, "a hazard ratio", 0.01), _num("q5_landmark_hr", 1, "a hazard ratio", 0.01),
            _choice("q5_reading", 1, "a letter", LETTERS))),
        Question("q6", "Relapse with death as a competing event", (
            _num("q6_naive", 1, "a proportion", 0.005), _num("q6_cif", 1, "a proportion", 0.005),
            _choice("q6_why", 1, "a letter", LETTERS))),
        Question("q7", "Too many factors for the events", (
            _num("q7_epv", 0.5, "events per candidate factor", 0.06), _whole("q7_supported", 0.5, "a whole number of factors"),
            _num("q7_any", 1, "a proportion", 0.006), _choice("q7_reading", 1, "a letter", LETTERS))),
        Question("q8", "ESMO-MCBS for a single-arm study", (
            _choice("q8_form", 0.5, "a form", ("1", "2a", "2b", "3")), _num("q8_orr", 0.5, "a percent", 0.06),
            _whole("q8_preliminary", 0.5, "a grade from 1 to 3"), _whole("q8_grade", 0.5, "a grade from 1 to 5"))),
    ),
    "across": (
        Question("q1", "An anchored indirect comparison from printed intervals", (
            _num("q1_se_second", 0.5, "a standard error of log HR", 0.002), _num("q1_hr", 1, "a hazard ratio", 0.006),
            _num("q1_low", 0.5, "a hazard ratio", 0.006), _num("q1_high", 0.5, "a hazard ratio", 0.006),
            _choice("q1_naive", 1, "a letter", LETTERS))),
        Question("q2", "When the two control arms are not the same treatment", (
            _num("q2_hr", 1, "a hazard ratio", 0.006), _num("q2_high", 1, "a hazard ratio", 0.006),
            _choice("q2_assumption", 1, "a letter", LETTERS))),
        Question("q3", "A comparability judgment", (
            _choice("q3_age", 0.5, "a kind of difference", ("prognostic", "effect modifier", "anchor", "definition")),
            _choice("q3_ph", 0.5, "a kind of difference", ("prognostic", "effect modifier", "anchor", "definition")),
            _choice("q3_control", 0.5, "a kind of difference", ("prognostic", "effect modifier", "anchor", "definition")),
            _choice("q3_remission", 0.5, "a kind of difference", ("prognostic", "effect modifier", "anchor", "definition")),
            _choice("q3_maic", 1, "a letter", LETTERS))),
        Question("q4", "The head-to-head trial that would settle it", (
            _whole("q4_events", 1.5, "a whole number of deaths"), _choice("q4_start", 1, "a letter", LETTERS))),
        Question("q5", "The evidence and the appraisals side by side", (
            _choice("q5_first_remission", 0.5, "a study", ("tower", "inovate", "e1910", "pooled")),
            _choice("q5_form_e1910", 0.5, "a form", ("1", "2a", "2b", "3")),
            _choice("q5_form_pooled", 0.5, "a form", ("1", "2a", "2b", "3")),
            _choice("q5_rob", 1, "a letter", LETTERS))),
    ),
}

MANUAL: dict[str, tuple[Manual, ...]] = {
    "foundations": (Manual("q7_rationale", 2, "RoB 2 domain 1: your rationale"),
                    Manual("q8_answer", 4, "Explain it to a colleague"),
                    Manual("q9_answer", 4, "Audit a report: definitions, MRD and reporting"),
                    Manual("q10_answer", 4, "Transplant after salvage therapy")),
    "tower": (Manual("q5_rationale", 2, "RoB 2 domain 2: your rationale"),
              Manual("q6_rationale", 2, "RoB 2 domain 4: your rationale"),
              Manual("q8_answer", 5, "Appraise the early stop")),
    "pooled": (Manual("q9_answer", 5, "What the long-term survivors show"),),
    "across": (Manual("q6_answer", 6, "Blinatumomab or inotuzumab: a recommendation and its uncertainty"),),
}


#: What a set's feedback page says after submission (a set registers its own; see grading.feedback).
AFTER_SUBMISSION: dict[str, str] = {}


def _set(set_name: str) -> str:
    if set_name not in SETS:
        raise ValueError(f"set must be one of {list(SETS)}, got {set_name!r}")
    return set_name


def questions(set_name: str) -> tuple[Question, ...]:
    return QUESTIONS[_set(set_name)]


def manual(set_name: str) -> tuple[Manual, ...]:
    return MANUAL[_set(set_name)]


def parts(set_name: str) -> dict[str, Part]:
    return {p.name: p for q in questions(set_name) for p in q.parts}


def question_ids() -> dict[str, list[str]]:
    """Every set's question ids, graded automatically or by hand (``q8_answer`` is question ``q8``), in
    order: what the book's objectives must link to (see :func:`trialkit.course.check_alignment`)."""
    out = {}
    for name in SETS:
        ids = [q.qid for q in QUESTIONS.get(name, ())]
        ids += [m.item.split("_", 1)[0] for m in MANUAL.get(name, ())]
        out[name] = sorted(set(ids), key=lambda qid: int(qid[1:]) if qid[1:].isdigit() else 0)
    return out


def answer_names(set_name: str) -> list[str]:
    """The variables the grader reads out of an executed notebook (every part, plus optional extras)."""
    extra = {"tower": ["q5_27"]}.get(set_name, [])
    return list(parts(set_name)) + extra


def max_points(set_name: str) -> tuple[float, float]:
    """(automatic points, points graded by hand) of a set."""
    return (sum(q.points for q in questions(set_name)), sum(m.points for m in manual(set_name)))


# --- scenarios ---------------------------------------------------------------------------------------


def _r(set_name, code, q):
    return variants.rng(set_name, code, q)


def survival_frame(set_name: str, code: str) -> pd.DataFrame:
    """The SYNTHETIC patients of foundations question 4/5: columns arm ("new", "standard"), time
    (months), event (1 death, 0 censored). Exponential survival with the variant's control median and
    hazard ratio, uniform accrual over 18 months, analysis 18 months after the last patient."""
    g = _r(set_name, code, "q4")
    n = int(g.integers(90, 151))
    median_std = float(g.uniform(4.5, 9.0))
    hr = float(g.uniform(0.55, 0.85))
    rows = []
    for arm, median in (("new", median_std / hr), ("standard", median_std)):
        t = g.exponential(median / math.log(2), n)
        entry = g.uniform(0, 18, n)
        censor = 36 - entry
        dropout = g.exponential(120, n)
        follow = np.minimum(censor, dropout)
        time = np.minimum(t, follow)
        event = (t <= follow).astype(int)
        time = np.maximum(np.round(time, 2), 0.01)
        rows.append(pd.DataFrame({"arm": arm, "time": time, "event": event}))
    return pd.concat(rows, ignore_index=True)


# Quoted evidence for foundations question 7 (invented trial reports, written for the exercise):
# (quote, accepted answers, the course's answer)
EVIDENCE_D1 = {
    "1.1": [
        ("A computer-generated list of random numbers, in permuted blocks of varying size, was prepared by a "
         "statistician with no role in recruitment.", ("y", "py")),
        ("Patients were allocated alternately to the two treatments in the order in which they were admitted.", ("n",)),
        ("Patients were randomly assigned to the two groups.", ("py", "ni")),
    ],
    "1.2": [
        ("After a patient had been enrolled, the investigator telephoned a central randomisation office to "
         "obtain the assignment.", ("y", "py")),
        ("Assignments were kept in sequentially numbered, sealed, opaque envelopes, opened by the pharmacist "
         "after enrolment.", ("py", "y")),
        ("The allocation schedule was pinned to the notice board of the ward where patients were enrolled.", ("n", "pn")),
        ("The report does not describe how the assignments were concealed.", ("ni",)),
    ],
    "1.3": [
        ("Table 1 shows similar baseline characteristics in the two groups; no difference exceeds what chance "
         "would produce.", ("n", "pn")),
        ("Patients in the experimental group were on average 9 years younger, and twice as many of them had a "
         "good performance status, as in the control group (groups of about 100).", ("y", "py")),
    ],
}


def _pick(g, seq):
    return seq[int(g.integers(0, len(seq)))]


def scenario(set_name: str, code: str) -> dict:
    """The scenario of every question of ``set_name`` for the variant ``code`` (plain Python values)."""
    _set(set_name)
    code = variants.normalise_code(code)
    if set_name == "pooled":
        from trialkit.exercises import pooled

        return pooled.scenario(code)
    if set_name == "e1910":
        from trialkit.exercises import e1910

        return e1910.scenario(code)
    if set_name == "across":
        from trialkit.exercises import across

        return across.scenario(code)
    if set_name == "inovate":
        from trialkit.exercises import inovate

        return inovate.scenario(code)
    if set_name == "capstone":
        from trialkit.exercises import capstone

        return capstone.scenario(code)
    s: dict = {}
    if set_name == "foundations":
        g = _r(set_name, code, "q1")
        n = int(g.integers(60, 221))
        x = int(np.clip(round(float(g.uniform(0.25, 0.8)) * n), 5, n - 5))
        s["q1"] = {"responders": x, "patients": n}
        g = _r(set_name, code, "q2")
        n1, n2 = int(g.integers(80, 161)), int(g.integers(80, 161))
        x1 = int(round(float(g.uniform(0.45, 0.85)) * n1))
        x2 = int(round(float(g.uniform(0.15, 0.42)) * n2))
        s["q2"] = {"responders_new": x1, "patients_new": n1, "responders_std": x2, "patients_std": n2, "level": 0.975}
        s["q3"] = dict(s["q2"])
        s["q4"] = {"dataset": "SYNTHETIC", "landmark_months": 12}
        s["q5"] = {"dataset": "SYNTHETIC"}
        g = _r(set_name, code, "q6")
        s["q6"] = {"deaths": int(g.integers(180, 421)), "hr": round(float(g.uniform(0.60, 0.80)), 3),
                   "alpha_one_sided": float(_pick(g, (0.025, 0.02, 0.01))),
                   "allocation": list(_pick(g, ((1, 1), (2, 1), (3, 2)))), "target_power": 0.9}
        g = _r(set_name, code, "q7")
        s["q7"] = {q: _pick(g, EVIDENCE_D1[q])[0] for q in ("1.1", "1.2", "1.3")}
    else:
        g = _r(set_name, code, "q1")
        n1 = int(g.integers(200, 301))
        n2 = int(round(n1 / 2 + float(g.integers(-5, 6))))
        x1 = int(round(float(g.uniform(0.25, 0.45)) * n1))
        x2 = int(round(float(g.uniform(0.10, 0.25)) * n2))
        s["q1"] = {"cr_new": x1, "randomised_new": n1, "cr_control": x2, "randomised_control": n2}
        g = _r(set_name, code, "q2")
        t1, t2 = int(g.integers(180, 290)), int(g.integers(80, 130))
        p1, p2 = int(round(float(g.uniform(0.55, 0.70)) * t1)), int(round(float(g.uniform(0.35, 0.52)) * t2))
        py1, py2 = round(float(g.uniform(0.25, 0.40)) * t1, 1), round(float(g.uniform(0.08, 0.15)) * t2, 1)
        e1 = int(round(py1 * float(g.uniform(2.5, 4.0)))), int(round(py2 * float(g.uniform(5.5, 8.0))))
        s["q2"] = {"treated_new": t1, "patients_with_sae_new": p1, "sae_events_new": e1[0], "patient_years_new": py1,
                   "treated_control": t2, "patients_with_sae_control": p2, "sae_events_control": e1[1],
                   "patient_years_control": py2}
        g = _r(set_name, code, "q3")
        deaths = int(g.integers(280, 401))
        s["q3"] = {"planned_deaths": deaths, "hr": round(float(g.uniform(0.65, 0.78)), 3), "alpha_two_sided": 0.05,
                   "allocation": [2, 1], "deaths_at_interim": int(round(deaths * float(g.uniform(0.6, 0.8))))}
        g = _r(set_name, code, "q4")
        r1 = int(g.integers(200, 301))
        r2 = int(round(r1 / 2 + float(g.integers(-5, 6))))
        u1, u2 = int(g.integers(1, 6)), int(round(r2 * float(g.uniform(0.10, 0.22))))
        cr1 = int(round(float(g.uniform(0.30, 0.45)) * (r1 - u1)))
        cr2 = int(round(float(g.uniform(0.18, 0.32)) * (r2 - u2)))
        s["q4"] = {"randomised_new": r1, "treated_new": r1 - u1, "cr_new": cr1,
                   "randomised_control": r2, "treated_control": r2 - u2, "cr_control": cr2}
        s["q5"] = {"evidence": "TOWER (quoted in the notebook)"}
        s["q6"] = {"evidence": "TOWER (quoted in the notebook)"}
        g = _r(set_name, code, "q7")
        control = round(float(g.uniform(3.0, 11.5)), 1)
        s["q7"] = {"control_median": control, "new_median": round(control + float(g.uniform(1.0, 4.5)), 2),
                   "hr": round(float(g.uniform(0.55, 0.80)), 2)}
        s["q7"]["hr_low"] = round(s["q7"]["hr"] * float(g.uniform(0.72, 0.85)), 2)
        s["q7"]["hr_high"] = round(min(s["q7"]["hr"] / float(g.uniform(0.72, 0.85)), 0.98), 2)
        s["q7"]["qol_improved"] = bool(g.integers(0, 2))
    return s


# --- expected answers ----------------------------------------------------------------------------------


def _rd(x1, n1, x2, n2, level=0.95):
    from trialkit import stats

    return stats.risk_difference(int(x1), int(n1), int(x2), int(n2), level=level)


def _pct_hints(e, unit="percentage points"):
    return [(e / 100, f"you gave a proportion; give {unit} (0.25 is 25)"), (-e, "the sign is inverted: take the "
            "experimental arm minus the control arm")]


def _km_at(frame: pd.DataFrame, arm: str, t: float) -> float:
    from trialkit import survival

    km = survival.kaplan_meier(frame[frame["arm"] == arm][["time", "event"]])
    return float(km.loc[km["time"] <= t, "survival"].iloc[-1])


def expected(set_name: str, code: str, s: dict | None = None) -> dict[str, Expected]:
    """Expected answers of every part of the variant ``code`` (computed from its scenario)."""
    from trialkit import design, survival, stats
    from trialkit.appraisal import esmo

    s = scenario(set_name, code) if s is None else s
    out: dict[str, Expected] = {}
    if set_name == "pooled":
        from trialkit.exercises import pooled

        out = pooled.expected(code, s)
    elif set_name == "e1910":
        from trialkit.exercises import e1910

        out = e1910.expected(code, s)
    elif set_name == "across":
        from trialkit.exercises import across

        out = across.expected(code, s)
    elif set_name == "inovate":
        from trialkit.exercises import inovate

        out = inovate.expected(code, s)
    elif set_name == "capstone":
        from trialkit.exercises import capstone

        out = capstone.expected(code, s)
    elif set_name == "foundations":
        q = s["q1"]
        ci = stats.clopper_pearson(q["responders"], q["patients"])
        p = q["responders"] / q["patients"]
        z = 1.959963984540054
        w = (p - z * math.sqrt(p * (1 - p) / q["patients"]), p + z * math.sqrt(p * (1 - p) / q["patients"]))
        for name, e, wv in (("q1_low", ci.low, w[0]), ("q1_high", ci.high, w[1])):
            out[name] = Expected(e, hints=[(100 * e, "you gave a percent; give a proportion (25 % is 0.25)"),
                                           (wv, "this is the normal-approximation (Wald) limit; the question asks "
                                                "for the exact Clopper-Pearson interval")])
        q = s["q2"]
        rd = _rd(q["responders_new"], q["patients_new"], q["responders_std"], q["patients_std"], q["level"])
        rd95 = _rd(q["responders_new"], q["patients_new"], q["responders_std"], q["patients_std"], 0.95)
        pooled = q["patients_new"] + q["patients_std"]
        wrong_den = 100 * (q["responders_new"] - q["responders_std"]) / pooled
        out["q2_diff"] = Expected(100 * rd.estimate, hints=_pct_hints(100 * rd.estimate) + [
            (wrong_den, "wrong denominator: each proportion is divided by the patients of its own arm")])
        out["q2_low"] = Expected(100 * rd.low, hints=_pct_hints(100 * rd.low) + [
            (100 * rd95.low, "this is a 95 % limit; the question asks for a 97.5 % interval"),
            (-100 * rd.high, "the sign is inverted: take the experimental arm minus the control arm")])
        out["q2_high"] = Expected(100 * rd.high, hints=_pct_hints(100 * rd.high) + [
            (100 * rd95.high, "this is a 95 % limit; the question asks for a 97.5 % interval"),
            (-100 * rd.low, "the sign is inverted: take the experimental arm minus the control arm")])
        nnt = 1 / rd.estimate
        out["q3_nnt"] = Expected(nnt, hints=[(1 / (100 * rd.estimate), "you divided 1 by percentage points: divide "
                                              "1 by the difference as a proportion (or 100 by percentage points)"),
                                             (-nnt, "the sign is inverted: the difference is experimental minus control"),
                                             (1 / (q["responders_new"] / q["patients_new"]),
                                              "you used one arm's proportion; an NNT is 1 / (difference of proportions)")])
        out["q3_patients"] = Expected(float(math.ceil(nnt)), hints=[
            (float(math.floor(nnt)), "an NNT is rounded up, never down"),
            (float(round(nnt)), "an NNT is rounded up, never to the nearest")])
        frame = survival_frame(set_name, code)
        med = survival.median_survival_table(frame[["time", "event"]], group=frame["arm"]).set_index("group")["median"]
        s12 = {arm: _km_at(frame, arm, 12.0) for arm in ("new", "standard")}
        out["q4_median_new"] = Expected(float(med["new"]), hints=[(float(med["standard"]), "this is the other arm's median")])
        out["q4_median_std"] = Expected(float(med["standard"]), hints=[(float(med["new"]), "this is the other arm's median")])
        out["q4_s12_new"] = Expected(s12["new"], hints=[(100 * s12["new"], "give a proportion, not a percent"),
                                                        (s12["standard"], "this is the other arm")])
        out["q4_s12_std"] = Expected(s12["standard"], hints=[(100 * s12["standard"], "give a proportion, not a percent"),
                                                             (s12["new"], "this is the other arm")])
        f = frame.assign(new=(frame["arm"] == "new").astype(int))
        hr = float(survival.cox(f, "time", "event", ["new"]).hr("new")[0])
        out["q5_hr"] = Expected(hr, hints=[(1 / hr, "the ratio is inverted: the hazard ratio is new / standard "
                                                    "(the covariate is 1 for the new treatment)")])
        out["q5_meaning"] = Expected(accepted=("a",), word_hints={
            "b": "a hazard ratio compares rates of death among patients still alive, not proportions alive",
            "c": "a hazard ratio is not a ratio of medians", "d": "a hazard ratio is a ratio of rates, not of deaths prevented"})
        q = s["q6"]
        alloc = tuple(q["allocation"])
        power = design.events_power(q["deaths"], q["hr"], alloc, alpha=q["alpha_one_sided"], sided=1)
        need = math.ceil(design.events_needed(q["hr"], q["target_power"], alloc, alpha=q["alpha_one_sided"], sided=1))
        two = design.events_power(q["deaths"], q["hr"], alloc, alpha=q["alpha_one_sided"], sided=2)
        even = design.events_power(q["deaths"], q["hr"], (1, 1), alpha=q["alpha_one_sided"], sided=1)
        hints = [(two, "wrong sidedness: the alpha given is one-sided (sided=1)"),
                 (100 * power, "give a proportion, not a percent")]
        if alloc != (1, 1):
            hints.append((even, "the randomisation is not 1:1: pass the allocation"))
        out["q6_power"] = Expected(power, hints=hints)
        need_two = math.ceil(design.events_needed(q["hr"], q["target_power"], alloc, alpha=q["alpha_one_sided"], sided=2))
        raw = design.events_needed(q["hr"], q["target_power"], alloc, alpha=q["alpha_one_sided"], sided=1)
        out["q6_events"] = Expected(float(need), hints=[(float(need_two), "wrong sidedness: the alpha given is one-sided"),
                                                        (float(math.floor(raw)), "round the number of deaths up")])
        key = {}
        for qq, part in (("1.1", "q7_11"), ("1.2", "q7_12"), ("1.3", "q7_13")):
            accepted = next(a for text, a in EVIDENCE_D1[qq] if text == s["q7"][qq])
            out[part] = Expected(accepted=accepted)
            key[qq] = accepted[0]
        out["q7_d1"] = Expected(consistent=("D1", None, {"1.1": "q7_11", "1.2": "q7_12", "1.3": "q7_13"}, key))
    elif set_name == "tower":
        q = s["q1"]
        rd = _rd(q["cr_new"], q["randomised_new"], q["cr_control"], q["randomised_control"])
        pooled = 100 * (q["cr_new"] - q["cr_control"]) / (q["randomised_new"] + q["randomised_control"])
        out["q1_diff"] = Expected(100 * rd.estimate, hints=_pct_hints(100 * rd.estimate) + [
            (pooled, "wrong denominator: each proportion is divided by the patients randomised to its own arm")])
        out["q1_low"] = Expected(100 * rd.low, hints=_pct_hints(100 * rd.low) + [
            (-100 * rd.high, "the sign is inverted: take the experimental arm minus the control arm")])
        out["q1_high"] = Expected(100 * rd.high, hints=_pct_hints(100 * rd.high) + [
            (-100 * rd.low, "the sign is inverted: take the experimental arm minus the control arm")])
        q = s["q2"]
        risk = (q["patients_with_sae_new"] / q["treated_new"]) / (q["patients_with_sae_control"] / q["treated_control"])
        rate = (q["sae_events_new"] / q["patient_years_new"]) / (q["sae_events_control"] / q["patient_years_control"])
        wrong_rate = (q["patients_with_sae_new"] / q["patient_years_new"]) / (q["patients_with_sae_control"] / q["patient_years_control"])
        out["q2_risk_ratio"] = Expected(risk, hints=[(1 / risk, "the ratio is inverted: new / control"),
                                                     (q["patients_with_sae_new"] / q["patients_with_sae_control"],
                                                      "wrong denominator: divide each count by the treated patients of its arm")])
        out["q2_rate_ratio"] = Expected(rate, hints=[(1 / rate, "the ratio is inverted: new / control"),
                                                     (wrong_rate, "a rate counts events (all serious events), not "
                                                                  "patients with at least one event, per patient-year")])
        out["q2_cannot"] = Expected(accepted=("b",))
        out["q2_why"] = Expected(accepted=("a",))
        q = s["q3"]
        p = design.events_power(q["planned_deaths"], q["hr"], (2, 1), alpha=q["alpha_two_sided"], sided=2)
        pi = design.events_power(q["deaths_at_interim"], q["hr"], (2, 1), alpha=q["alpha_two_sided"], sided=2)
        for name, e, d in (("q3_power", p, q["planned_deaths"]), ("q3_power_interim", pi, q["deaths_at_interim"])):
            out[name] = Expected(e, hints=[
                (design.events_power(d, q["hr"], (1, 1), alpha=0.05, sided=2), "the randomisation was 2:1, not 1:1"),
                (design.events_power(d, q["hr"], (2, 1), alpha=0.05, sided=1), "wrong sidedness: the alpha is two-sided"),
                (100 * e, "give a proportion, not a percent")])
        q = s["q4"]
        untreated = q["randomised_control"] - q["treated_control"]
        out["q4_untreated"] = Expected(100 * untreated / q["randomised_control"], hints=[
            (untreated / q["randomised_control"], "give a percent, not a proportion"),
            (100 * untreated / q["treated_control"], "wrong denominator: divide by the patients randomised to the arm"),
            (float(untreated), "give a percent of the randomised patients, not a count")])
        dt = 100 * (q["cr_new"] / q["treated_new"] - q["cr_control"] / q["treated_control"])
        ditt = 100 * (q["cr_new"] / q["randomised_new"] - q["cr_control"] / q["randomised_control"])
        out["q4_diff_treated"] = Expected(dt, hints=_pct_hints(dt) + [
            (ditt, "this is the difference among all randomised patients; the question asks among treated patients")])
        out["q4_population"] = Expected(accepted=("all randomised",), word_hints={
            "treated": "leaving out patients who were never treated breaks the randomisation: the arms lost different patients",
            "per protocol": "a per-protocol population estimates the effect of adhering, not of assignment"})
        out["q4_effect"] = Expected(accepted=("a",))
        key5 = {"2.1": "y", "2.2": "y", "2.3": "py", "2.4": "y", "2.5": "n", "2.6": "y"}
        acc5 = {"2.1": ("y", "py"), "2.2": ("y", "py"), "2.3": ("py", "y"), "2.4": ("y", "py"), "2.5": ("n", "pn"),
                "2.6": ("y", "py")}
        for qq, a in acc5.items():
            out["q5_" + qq.replace(".", "")] = Expected(accepted=a)
        out["q5_d2"] = Expected(consistent=("D2", "assignment", {qq: "q5_" + qq.replace(".", "") for qq in
                                                                 list(acc5) + ["2.7"]}, key5))
        key6 = {"4.1": "n", "4.2": "ni", "4.3": "y", "4.4": "py", "4.5": "pn"}
        acc6 = {"4.1": ("n", "pn"), "4.2": ("ni", "pn"), "4.3": ("y", "py"), "4.4": ("py", "y"), "4.5": ("pn", "py")}
        for qq, a in acc6.items():
            out["q6_" + qq.replace(".", "")] = Expected(accepted=a)
        out["q6_d4"] = Expected(consistent=("D4", None, {qq: "q6_" + qq.replace(".", "") for qq in acc6}, key6))
        q = s["q7"]
        gain = q["new_median"] - q["control_median"]
        g0 = esmo.form_2a(q["hr_low"], gain, q["control_median"], hr=q["hr"], hr_upper=q["hr_high"])
        g1 = esmo.form_2a(q["hr_low"], gain, q["control_median"], hr=q["hr"], hr_upper=q["hr_high"],
                          qol_improved=q["qol_improved"])
        out["q7_gain"] = Expected(gain, hints=[(-gain, "the gain is the new median minus the control median")])
        out["q7_preliminary"] = Expected(float(g0.preliminary))
        out["q7_grade"] = Expected(float(g1.grade))
        out["q7_substantial"] = Expected(accepted=("yes" if g1.substantial else "no",))
    for name, e in out.items():
        if e.consistent is None and not e.shown:
            e.shown = (f"{e.value:.4g}" if e.value is not None else " or ".join(repr(a) for a in e.accepted))
        elif e.consistent is not None:
            e.shown = "the RoB 2 algorithm applied to your answers"
    return out


# --- encoding answers (in the kernel) and judging them (anywhere) -------------------------------------------


_NUMBER_TYPES = (int, float, np.float64, np.float32, np.float16, np.int64, np.int32, np.int16, np.int8,
                 np.uint64, np.uint32, np.uint16, np.uint8)


def encode(value) -> dict:
    """A JSON-safe record of one answer: exact plain types only (no subclass, no look-alike)."""
    kind = type(value)
    if value is None:
        return {"t": "none"}
    if kind is bool or kind is np.bool_:
        return {"t": "bool"}
    if any(kind is t for t in _NUMBER_TYPES):
        x = float(value)
        return {"t": "num", "v": x} if math.isfinite(x) else {"t": "nonfinite"}
    if kind is str:
        return {"t": "str", "v": value[:300]}
    return {"t": "other", "type": str(kind.__name__)[:60]}


def _norm(text: str) -> str:
    return " ".join(text.strip().lower().replace("-", " ").split())


def _show(rec) -> str:
    if not isinstance(rec, dict):
        return "(not assigned)"
    t = rec.get("t")
    if t == "num" and isinstance(rec.get("v"), (int, float)):
        return f"{rec['v']:.6g}"
    if t == "str" and isinstance(rec.get("v"), str):
        return repr(rec["v"][:80])
    return {"none": "None", "bool": "True/False", "nonfinite": "not finite"}.get(t, f"an object of type {rec.get('type', '?')}")


def _form_error(rec, part: Part) -> str | None:
    """Why a record is not an answer of the right form (None when it is)."""
    if not isinstance(rec, dict) or rec.get("t") not in ("num", "str", "none", "bool", "nonfinite", "other"):
        return f"{part.name} was not assigned: assign it in the answer cell and run the cell"
    t = rec["t"]
    if t == "none":
        return f"{part.name} is still None: replace it with your answer"
    if part.kind in ("number", "whole"):
        if t == "num" and isinstance(rec.get("v"), (int, float)) and not isinstance(rec.get("v"), bool) \
                and math.isfinite(rec["v"]):
            if part.kind == "whole" and rec["v"] != math.floor(rec["v"]):
                return f"{part.name} must be {part.what}: round it as the question says"
            return None
        if t == "str":
            return f"{part.name} must be a number ({part.what}); write it without quotes"
        if t == "bool":
            return f"{part.name} must be a number, not True/False"
        if t == "nonfinite":
            return f"{part.name} must be a finite number"
        return f"{part.name} must be a plain number ({part.what}), got {_show(rec)}; pick the single value (float(...))"
    if t != "str" or not isinstance(rec.get("v"), str):
        return f"{part.name} must be a string, one of {', '.join(repr(o) for o in part.options)}; got {_show(rec)}"
    if _norm(rec["v"]) not in part.options:
        return f"{part.name} must be one of {', '.join(repr(o) for o in part.options)}; got {rec['v'][:40]!r}"
    return None


def _consistent_level(e: Expected, answers: dict) -> tuple[str, str]:
    from trialkit.appraisal import rob2

    domain, variant, mapping, key = e.consistent
    mine = {}
    for qq, name in mapping.items():
        rec = answers.get(name)
        if isinstance(rec, dict) and rec.get("t") == "str" and isinstance(rec.get("v"), str) and _norm(rec["v"]) in CODES_NA:
            mine[qq] = _norm(rec["v"]).upper()
    try:
        level = rob2.judge_domain(domain, mine, variant).level.lower()
        return level, "the judgment the RoB 2 algorithm gives for your signalling answers"
    except Exception:  # incomplete or inconsistent answers: fall back to the course's answers
        level = rob2.judge_domain(domain, {k: v.upper() for k, v in key.items()}, variant).level.lower()
        return level, "your signalling answers are incomplete, so the judgment is compared with the course's answers"


def judge(set_name: str, code: str, answers: dict, s: dict | None = None,
          exp: dict[str, Expected] | None = None) -> list[Verdict]:
    """Compare ``answers`` ({variable: record from :func:`encode`}) with the expected answers of the
    variant ``code``: one Verdict per part, with partial credit per part and a hint when the answer
    matches a common mistake. Never raises for a hostile record: it is a wrong answer."""
    if not isinstance(answers, dict):
        answers = {}
    exp = expected(set_name, code, s) if exp is None else exp
    out = []
    for q in questions(set_name):
        for part in q.parts:
            rec = answers.get(part.name)
            e = exp[part.name]
            problem = _form_error(rec, part)
            shown = _show(rec)
            if problem:
                out.append(Verdict(part.name, q.qid, 0.0, part.points, False, problem, shown, e.shown))
                continue
            if part.kind in ("number", "whole"):
                x = float(rec["v"])
                tol = part.tol if part.kind == "number" else 0.0
                ok = abs(x - e.value) <= tol + 1e-12
                msg = "right" if ok else ""
                if not ok:
                    for wrong, hint in e.hints:
                        if wrong is not None and math.isfinite(wrong) and abs(x - wrong) <= max(tol, 1e-9) + 1e-12 \
                                and abs(wrong - e.value) > tol:
                            msg = hint
                            break
                    msg = msg or "not correct"
                out.append(Verdict(part.name, q.qid, part.points if ok else 0.0, part.points, ok, msg, shown, e.shown))
                continue
            word = _norm(rec["v"])
            if e.consistent is not None:
                level, why = _consistent_level(e, answers)
                ok = word == level
                out.append(Verdict(part.name, q.qid, part.points if ok else 0.0, part.points, ok,
                                   "right" if ok else f"not consistent: compare with {why}", shown, repr(level)))
                continue
            ok = word in e.accepted
            msg = "right" if ok else e.word_hints.get(word, "not the answer the evidence supports" if part.what ==
                                                      "an answer code" else "not correct")
            out.append(Verdict(part.name, q.qid, part.points if ok else 0.0, part.points, ok, msg, shown, e.shown))
    return out


# --- sets defined in their own modules (registered last: they build on the definitions above) ----------

from trialkit.exercises import e1910 as _e1910  # noqa: E402,F401  (registers itself in QUESTIONS and MANUAL)
from trialkit.exercises import inovate as _inovate  # noqa: E402,F401  (registers itself in QUESTIONS and MANUAL)
from trialkit.exercises import capstone as _capstone  # noqa: E402,F401  (registers itself in QUESTIONS and MANUAL)

"""The capstone exercise set: an appraisal of E1910 (Litzow et al., N Engl J Med 2024) done before the
book's own appraisal is read, answered with the appraisal routine (book/routine).

Registered in :mod:`trialkit.exercises.problems` (``SETS``, ``QUESTIONS``, ``MANUAL``), which dispatches
:func:`problems.scenario` and :func:`problems.expected` for the set ``"capstone"`` to :func:`scenario`
and :func:`expected` here.

Most points are graded by hand (the RoB 2 judgments for overall survival with a quote and a reason per
domain, three concerns ranked, a bottom line with its main uncertainty, the routine's questions). The
few automatic parts are **facts read from the report** (time zero, the analysed population, the share
of patients randomised, the analysis at which the trial was reported and the boundary, the absolute
3-year survival difference); their answers are derived from ``data/e1910`` here, never typed. A real
report's facts are the same for every student, so, as for the real-trial questions of the ``across``
set, the automatic parts are choices (a word or a letter), the same for every variant; no part hands
the learner a judgment the set asks them to make.

:data:`RUBRIC` is the public rubric shown on the capstone page (book/capstone): what each hand-graded
answer is judged on, the level descriptors and the points of each level. The instructor's model
answers stay private (exercises/README.md).
"""

from __future__ import annotations

import re

from trialkit.exercises import problems
from trialkit.exercises.problems import LETTERS, Expected, Manual, Question, _choice

SET = "capstone"
TIME_ZERO = ("diagnosis", "enrolment", "randomisation", "first blinatumomab dose")
POPULATIONS = ("enrolled", "eligible", "mrd negative randomised", "treated")
ANALYSES = ("first interim", "second interim", "third interim", "final")
#: The bins of the letter answers: a share of patients (percent) and an absolute difference (percentage
#: points) fall in a [low, high) band; a number needed to treat too.
SHARE_BANDS = ((0, 25), (25, 50), (50, 75), (75, 100.01))
DIFF_BANDS = ((0, 5), (5, 10), (10, 20), (20, 100.01))
NNT_BANDS = ((0, 5), (5, 10), (10, 20), (20, float("inf")))

QUESTIONS = (
    Question("q1", "Time zero and the analysed population of overall survival", (
        _choice("q1_time_zero", 0.5, "a starting point", TIME_ZERO),
        _choice("q1_population", 0.5, "a population", POPULATIONS))),
    Question("q2", "How many reached randomisation", (
        _choice("q2_share_enrolled", 0.5, "a letter", LETTERS),
        _choice("q2_share_remission", 0.5, "a letter", LETTERS))),
    Question("q3", "The analysis that was reported", (
        _choice("q3_analysis", 0.5, "an analysis", ANALYSES),
        _choice("q3_boundary", 0.5, "a letter", LETTERS))),
    Question("q4", "The 3-year survival difference in absolute terms", (
        _choice("q4_diff", 0.5, "a letter", LETTERS),
        _choice("q4_nnt", 0.5, "a letter", LETTERS))),
)

MANUAL = (Manual("q5_answer", 10, "RoB 2 for overall survival: five domains, each with a judgment, a quote and a reason"),
          Manual("q6_answer", 6, "Three concerns, ranked"),
          Manual("q7_answer", 4, "The bottom line and its main uncertainty"),
          Manual("q8_answer", 2, "The routine's questions you used"))

# Registered here, not in problems.py, so that the set is complete whichever module is imported first.
problems.QUESTIONS[SET] = QUESTIONS
problems.MANUAL[SET] = MANUAL
problems.AFTER_SUBMISSION[SET] = (
    "Now compare your appraisal with the course's own: the appraisal page of the E1910 chapter "
    "(book/e1910/appraisal in the book). Where your judgments differ, check which quote each rests on.")

#: The public rubric: (item, element, what is judged, strong, adequate, weak, (strong, adequate, weak) points).
RUBRIC = (
    ("q5_answer", "RoB 2 judgments for overall survival",
     "The five domains for the effect of assignment to blinatumomab, each with a judgment, a quote of the "
     "report that supports it (with its place: section, table or figure) and a reason; an overall judgment "
     "that follows the tool's algorithm.",
     "All five domains judged, each judgment defensible from its own quote and reason; silences written as "
     "'no information' rather than guessed; the overall judgment follows from the domains; what a domain "
     "cannot see (the selection before randomisation, an early stop) is named as outside RoB 2.",
     "All five domains judged and mostly defensible, but one or two quotes are missing, vague or do not "
     "support the judgment, or the overall judgment is not derived from the domains.",
     "Domains missing, judgments without quotes, or judgments that copy a general impression ('randomised, "
     "so low risk') instead of the report's evidence.",
     (10, 6, 2)),
    ("q6_answer", "Three concerns, ranked",
     "The three problems that most limit what the result means for a patient, most important first, each "
     "tied to the report's evidence and to what it changes (the size, the certainty or the reach of the "
     "result).",
     "Three distinct concerns ranked with a reason for the order; each cites the report and says which way "
     "and roughly how much it could move the conclusion; at least one is about whom the result applies to.",
     "Three concerns with evidence, but the ranking is unexplained or one concern is generic (could be said "
     "of any trial).",
     "Fewer than three concerns, no evidence from the report, or concerns that restate the RoB 2 answers "
     "without saying what they change.",
     (6, 4, 1)),
    ("q7_answer", "Bottom line and its main uncertainty",
     "Two or three sentences a clinician could use: what the trial shows, for whom, in absolute terms, and "
     "the one uncertainty that matters most.",
     "The benefit stated in absolute terms with its time point and population (who reached randomisation, "
     "not every patient at diagnosis); one main uncertainty named and tied to a concern; no claim beyond "
     "the evidence.",
     "A correct bottom line in relative terms only, or the uncertainty is named but not linked to the "
     "evidence.",
     "A bottom line that overstates the result (for every adult at diagnosis, or as settled) or gives no "
     "uncertainty.",
     (4, 2, 1)),
    ("q8_answer", "Use of the routine",
     "The routine's questions answered for this report, by number, each with what the report says or "
     "'not reported'.",
     "At least eight of the routine's questions answered by number, silences marked 'not reported', and "
     "the answers visibly feed the RoB 2 judgments and the concerns.",
     "The routine used for some questions, or answered without the report's evidence.",
     "The routine not used, or questions named without answers.",
     (2, 1, 0)),
)


def _rubric_rows():
    points = {m.item: m.points for m in MANUAL}
    for item, element, what, strong, adequate, weak, (ps, pa, pw) in RUBRIC:
        if ps != points[item]:
            raise ValueError(f"RUBRIC: the strong level of {item} must carry the item's {points[item]:g} points, got {ps:g}")
        if not ps > pa > pw >= 0:
            raise ValueError(f"RUBRIC: the points of {item} must fall from strong to weak, got {(ps, pa, pw)}")
        yield item, element, what, (("Strong", strong, ps), ("Adequate", adequate, pa), ("Weak", weak, pw))


def rubric():
    """The public rubric's summary: one row per hand-graded answer (question, element, what is judged,
    points), in the order of the set's questions."""
    import pandas as pd

    points = {m.item: m.points for m in MANUAL}
    rows = [{"Question": item.split("_", 1)[0].replace("q", "Question "), "Element": element,
             "What is judged": what, "Points": points[item]} for item, element, what, _levels in _rubric_rows()]
    return pd.DataFrame(rows)


def rubric_levels(item: str):
    """The three levels of one hand-graded answer (``"q5_answer"`` ...): level, what earns it, points."""
    import pandas as pd

    found = {i: levels for i, _e, _w, levels in _rubric_rows()}
    if item not in found:
        raise ValueError(f"item must be one of {list(found)}, got {item!r}")
    return pd.DataFrame([{"Level": level, "What earns it": text, "Points": pts} for level, text, pts in found[item]])


def _band(value: float, bands) -> str:
    for letter, (low, high) in zip(LETTERS, bands):
        if low <= value < high:
            return letter
    raise ValueError(f"value must lie in one of the bands {bands}, got {value}")


def facts() -> dict:
    """The facts the automatic parts ask for, read from ``data/e1910`` (rows named in each entry)."""
    from trialkit import data

    def text(table, rid):
        return str(data.row("e1910", table, rid)["value"])

    def num(table, rid):
        return float(data.row("e1910", table, rid)["value"])

    os_def = text("design", "endpoint_definition_1")
    m = re.search(r"from (\w+)", os_def)
    if not m or m.group(1) != "randomisation":
        raise ValueError(f"data/e1910 design.csv endpoint_definition_1: expected 'from randomisation', got {os_def!r}")
    population = text("design", "analysis_population_1")
    if "MRD-negative patients randomised" not in population:
        raise ValueError(f"data/e1910 design.csv analysis_population_1: unexpected text {population!r}")
    interim = text("design", "interim_analysis_1")
    m = re.search(r"(first|second|third|fourth) efficacy interim", interim)
    if not m:
        raise ValueError(f"data/e1910 design.csv interim_analysis_1: no 'nth efficacy interim' in {interim!r}")
    rule = text("design", "stopping_rule_1")
    b = re.search(r"two-sided P value of ([0-9.]+)", rule)
    if not b:
        raise ValueError(f"data/e1910 design.csv stopping_rule_1: no boundary P value in {rule!r}")
    randomised, enrolled = num("flow", "randomized_mrd_neg"), num("flow", "enrolled")
    remission = num("responses", "cr_cri_induction")
    s_new, s_ctl = num("survival", "os_3y_blinatumomab"), num("survival", "os_3y_chemotherapy")
    return {"time_zero": "randomisation", "population": "mrd negative randomised",
            "analysis": f"{m.group(1)} interim", "boundary_p": float(b.group(1)), "p": num("survival", "os_p"),
            "randomised": randomised, "enrolled": enrolled, "in_remission": remission,
            "share_enrolled": 100 * randomised / enrolled, "share_remission": 100 * randomised / remission,
            "os3_new": s_new, "os3_control": s_ctl, "diff": s_new - s_ctl, "nnt": 100 / (s_new - s_ctl)}


def scenario(code: str) -> dict:
    """The same real report for every variant (the code is accepted for the common interface)."""
    ev = "E1910 (Litzow et al., N Engl J Med 2024): read the article and data.row('e1910', table, id)"
    return {f"q{i}": {"evidence": ev} for i in range(1, 5)}


def expected(code: str, s: dict | None = None) -> dict[str, Expected]:
    """Expected answers of the automatic parts, derived from the report's data."""
    f = facts()
    out: dict[str, Expected] = {}
    out["q1_time_zero"] = Expected(accepted=(f["time_zero"],), word_hints={
        "enrolment": "enrolment came before induction; the survival comparison starts when the arms were assigned",
        "diagnosis": "the clock of the randomised comparison starts at assignment, months after diagnosis",
        "first blinatumomab dose": "a clock started at the first dose would exist in one arm only"})
    out["q1_population"] = Expected(accepted=(f["population"],), word_hints={
        "enrolled": "the enrolled cohort includes patients who never reached randomisation: no comparison between arms",
        "eligible": "eligible patients were not all randomised; the primary comparison is between the randomised arms",
        "treated": "the primary comparison keeps every randomised patient in their assigned arm"})
    out["q2_share_enrolled"] = Expected(accepted=(_band(f["share_enrolled"], SHARE_BANDS),), word_hints={
        _band(f["share_remission"], SHARE_BANDS): "this is the share of the patients in remission after induction; "
                                                   "divide by the patients enrolled"})
    out["q2_share_remission"] = Expected(accepted=(_band(f["share_remission"], SHARE_BANDS),), word_hints={
        _band(f["share_enrolled"], SHARE_BANDS): "this is the share of the enrolled patients; divide by the "
                                                  "patients in remission after induction"})
    out["q3_analysis"] = Expected(accepted=(f["analysis"],), word_hints={
        "final": "the report is an interim analysis; the results were released when a boundary was crossed"})
    crossed = "a" if f["p"] < f["boundary_p"] else "b"
    out["q3_boundary"] = Expected(accepted=(crossed,), word_hints={
        "b" if crossed == "a" else "a": "compare the observed two-sided P value of overall survival with the "
                                        "boundary's P value at that look",
        "c": "the stop was for efficacy, not futility",
        "d": "the report states a boundary at that interim look"})
    out["q4_diff"] = Expected(accepted=(_band(f["diff"], DIFF_BANDS),), word_hints={})
    out["q4_nnt"] = Expected(accepted=(_band(f["nnt"], NNT_BANDS),), word_hints={})
    return out


#: The shortest time the capstone should take (the set's notebook states the longest, in its metadata).
MINUTES_LOW = 60


def readings() -> dict:
    """Values the capstone page glues: the time, the points of the set and of each rubric level."""
    from trialkit.exercises import authoring

    def whole(x):
        return int(x) if float(x).is_integer() else float(x)

    auto, manual = (whole(x) for x in problems.max_points(SET))
    out = {"cap_minutes_low": MINUTES_LOW,
           "cap_minutes_high": int(authoring.source_notebook(SET).metadata["trialkit"]["minutes"]),
           "cap_auto": auto, "cap_manual": manual, "cap_total": auto + manual,
           "cap_questions": len(QUESTIONS) + len(MANUAL)}
    for item, *_text, (strong, adequate, weak) in RUBRIC:
        q = item.split("_", 1)[0]
        out.update({f"cap_{q}_strong": strong, f"cap_{q}_adequate": adequate, f"cap_{q}_weak": weak})
    out["cap_strong_total"] = sum(r[-1][0] for r in RUBRIC)
    out["cap_adequate_total"] = sum(r[-1][1] for r in RUBRIC)
    out["cap_weak_total"] = sum(r[-1][2] for r in RUBRIC)
    return out

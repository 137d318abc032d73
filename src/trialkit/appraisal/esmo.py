"""ESMO-MCBS v1.1: the magnitude of clinical benefit of a cancer treatment, graded from a trial result.

The ESMO Magnitude of Clinical Benefit Scale, version 1.1 (Cherny et al., Ann Oncol 2017;28:2340-66),
grades a statistically significant benefit with one of five evaluation forms. This module implements
four of them; every threshold lives in the tables ``FORM_1``, ``FORM_2A``, ``FORM_2B`` and ``FORM_3``
below, so a correction is made in one place.

Form 1 — curative setting (adjuvant or potentially curative therapy): grade A, B or C.
    Survival gain at ≥3 years of follow-up (percentage points): > 5 → A; 3 to 5 → B; < 3 → C.
    Without mature survival data, disease-free survival as primary endpoint, on the lower limit of
    the 95 % CI of its hazard ratio: < 0.65 → A; 0.65 to 0.80 → B; > 0.80 → C. When both are given,
    the survival data prevail. (The form's non-inferiority and pathological-complete-response routes
    are not implemented.)

Form 2a — not likely curative, primary endpoint overall survival: grade 1 to 4, adjusted to 5.
    The stratum is set by the control arm's median OS: ≤ 12 months, > 12 to ≤ 24, > 24. With ``HR``
    the lower limit of the 95 % CI of the hazard ratio and ``gain`` the gain in median OS (months):

    ============  ===========================  =================  ==================
    stratum       grade 4                      grade 3            grade 2 also when
    ============  ===========================  =================  ==================
    ≤ 12 months   HR ≤ 0.65 and gain ≥ 3       HR ≤ 0.65, 2–<3     0.65 < HR ≤ 0.70
    12–24 months  HR ≤ 0.70 and gain ≥ 5       HR ≤ 0.70, 3–<5     0.70 < HR ≤ 0.75
    > 24 months   HR ≤ 0.70 and gain ≥ 9       HR ≤ 0.70, 6–<9     0.70 < HR ≤ 0.75
    ============  ===========================  =================  ==================

    Grade 2 needs a gain of at least 1.5, 1.5 and 4 months respectively (with HR at or below the grade 3
    threshold, or between the two HR thresholds); otherwise grade 1 (HR above the second threshold, or
    a smaller gain). Equivalently: the grade is the smaller of an HR grade (4, 2 or 1) and a gain grade
    (4, 3, 2 or 1). The "tail of the curve": an increase of ≥ 10 percentage points in survival at 2, 3
    or 5 years (for the three strata) gives grade 4 on its own; the preliminary grade is the higher of
    the two routes. Adjustment: one level up if quality of life improved, or grade 3–4 toxicities that
    affect daily well-being were significantly fewer (one level in all); final grades 1 to 5.

Form 2b — not likely curative, primary endpoint PFS (or TTP): grade 1 to 3, adjusted to 4.
    Control median PFS ≤ 6 months: HR ≤ 0.65 and gain ≥ 1.5 months → 3; > 6 months: HR ≤ 0.65 and gain
    ≥ 3 months → 3. Grade 2 and 1 boundaries: HR 0.65–0.75 (above 0.75 → 1), gains 1.0 and 1.5 months
    (below them → 1). Adjustments: up one level for improved (or later deteriorating) quality of life or
    fewer grade 3–4 toxicities that affect daily well-being; down one level for one or more significant
    incremental toxicities; down one level when PFS is the only benefit and quality of life was
    assessed without improvement. When overall survival also improved, score the OS result with form 2a.

Form 3 — single-arm studies in orphan diseases or high unmet need (ORR or PFS): grade 1 to 3.
    PFS ≥ 6 months → 3; 3–<6 → 2; 2–<3 → 1. ORR ≥ 60 % → 3; ORR 20–<60 % with duration of response
    ≥ 9 months → 3; ORR 40–<60 % → 2; ORR 20–<40 % with response lasting 6–<9 months → 2; ORR 20–<40 %
    with response < 6 months → 1; ORR 10–<20 % with response ≥ 6 months → 1. The best route counts.
    Adjustments: down one level for ≥ 30 % grade 3–4 toxicities affecting daily well-being; up one level
    for improved quality of life; up one level for a confirmatory, adequately sized phase 4 experience.

Sources and certainty. The form 2a thresholds (all three strata, the 2/3/5-year landmarks) and the
grade 3 thresholds of form 2b agree with published re-implementations and summary tables of v1.1;
the form 3 table and adjustments with a published reproduction of the form. The grade 2/1 boundaries
of form 2b are those of the v1.0 form, which we understand v1.1 kept; the v1.1 form 2b credit for a
long-term plateau of the PFS curve is not implemented (we could not verify its exact criterion) — the
tail of the curve is implemented for form 2a. Check the published forms before relying on a grade.

Every function returns ``Grade(grade, preliminary, adjustments, reasons, form)``: ``grade`` is the
final grade (an int, or "A"/"B"/"C" for form 1, or None when no criterion of the form is met),
``preliminary`` the grade before adjustments, ``adjustments`` and ``reasons`` short texts. Inputs are
validated: a hazard ratio limit must be in (0, 1) (the scale grades statistically significant
benefits only), the point estimate must not lie below its lower limit, medians and gains must not be
negative; errors are ``ValueError`` naming the argument.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from trialkit import _check

# --- thresholds (one place) ---------------------------------------------------------------------------

FORM_1 = {
    "survival_gain": {"A": 5.0, "B": 3.0},  # > 5 → A; ≥ 3 and ≤ 5 → B; < 3 → C
    "dfs_hr": {"A": 0.65, "B": 0.80},  # < 0.65 → A; 0.65–0.80 → B; > 0.80 → C
    "min_followup_years": 3.0,
}

FORM_2A = {
    # stratum: control-arm median OS upper bound (months), HR thresholds, gain thresholds, landmark
    "≤12": {"upper": 12.0, "hr_main": 0.65, "hr_second": 0.70, "gain": {4: 3.0, 3: 2.0, 2: 1.5}, "landmark_years": 2},
    "12–24": {"upper": 24.0, "hr_main": 0.70, "hr_second": 0.75, "gain": {4: 5.0, 3: 3.0, 2: 1.5}, "landmark_years": 3},
    ">24": {"upper": math.inf, "hr_main": 0.70, "hr_second": 0.75, "gain": {4: 9.0, 3: 6.0, 2: 4.0}, "landmark_years": 5},
}
FORM_2A_LANDMARK_GAIN = 10.0  # percentage points → grade 4
FORM_2A_MAX = 5

FORM_2B = {
    "≤6": {"upper": 6.0, "hr_main": 0.65, "hr_second": 0.75, "gain": {3: 1.5, 2: 1.0}},
    ">6": {"upper": math.inf, "hr_main": 0.65, "hr_second": 0.75, "gain": {3: 3.0, 2: 1.5}},
}
FORM_2B_MAX = 4

FORM_3 = {
    "pfs": {3: 6.0, 2: 3.0, 1: 2.0},  # months
    "orr_alone": {3: 60.0, 2: 40.0},  # ORR ≥ 60 → 3; 40–<60 → 2 (any duration)
    "orr_20_dor": {3: 9.0, 2: 6.0, 1: 0.0},  # ORR 20–<60 (grade 3 route) or 20–<40: duration (months)
    "orr_10_dor": 6.0,  # ORR 10–<20 with duration ≥ 6 → 1
    "toxicity_pct": 30.0,
}
FORM_3_MAX = 5

_EPS = 1e-9


@dataclass(frozen=True)
class Grade:
    grade: int | str | None
    preliminary: int | str | None
    adjustments: tuple[str, ...]
    reasons: tuple[str, ...]
    form: str = ""

    @property
    def substantial(self) -> bool:
        """ESMO calls grades A and B (curative) and 4 and 5 (non-curative) a substantial benefit."""
        return self.grade in ("A", "B", 4, 5)


def _hr_args(hr_lower, hr, hr_upper, name="hr_lower") -> float:
    low = _check.real(name, hr_lower, low=0.0, high=1.0, low_open=True, high_open=True)
    if hr is not None:
        point = _check.real("hr", hr, low=0.0, low_open=True)
        if low > point + _EPS:
            raise ValueError(f"{name} ({low}) must not exceed the hazard ratio hr ({point}): "
                             "the lower limit of a confidence interval lies at or below its estimate")
        if hr_upper is not None:
            up = _check.real("hr_upper", hr_upper, low=0.0, low_open=True)
            if up < point - _EPS:
                raise ValueError(f"hr_upper ({up}) must not be below the hazard ratio hr ({point})")
    if hr_upper is not None:
        up = _check.real("hr_upper", hr_upper, low=0.0, low_open=True)
        if up < low - _EPS:
            raise ValueError(f"hr_upper ({up}) must not be below {name} ({low})")
        if up >= 1.0:
            raise ValueError(f"hr_upper must be < 1 (a statistically significant benefit), got {up}: "
                             "ESMO-MCBS grades significant benefits only")
    return low


def _le(x: float, t: float) -> bool:
    return x <= t + _EPS


def _ge(x: float, t: float) -> bool:
    return x >= t - _EPS


def stratum_2a(control_median) -> str:
    """The form 2a stratum of a control-arm median OS (months): '≤12', '12–24' or '>24'."""
    m = _check.real("control_median", control_median, low=0.0, low_open=True)
    for name, row in FORM_2A.items():
        if _le(m, row["upper"]):
            return name
    return ">24"  # pragma: no cover - the last stratum has an infinite upper bound


def _adjust(prelim: int | None, ups: list[str], downs: list[str], top: int) -> tuple[int | None, tuple[str, ...]]:
    if prelim is None:
        return None, ()
    adjustments = tuple([f"+1: {u}" for u in ups] + [f"−1: {d}" for d in downs])
    return max(1, min(top, prelim + len(ups) - len(downs))), adjustments


def form_2a(hr_lower, median_gain, control_median, *, hr=None, hr_upper=None, landmark_gain=None,
            landmark_years=None, qol_improved: bool = False, less_toxicity: bool = False) -> Grade:
    """Form 2a (primary endpoint OS, non-curative). ``median_gain`` may be None when medians were not
    reached, if ``landmark_gain`` (percentage points at ``landmark_years``) is given."""
    low = _hr_args(hr_lower, hr, hr_upper)
    stratum = stratum_2a(control_median)
    row = FORM_2A[stratum]
    reasons = [f"control median {float(control_median):g} months → stratum {stratum} months"]
    routes = []
    if median_gain is not None:
        gain = _check.real("median_gain", median_gain, low=0.0)
        hr_grade = 4 if _le(low, row["hr_main"]) else 2 if _le(low, row["hr_second"]) else 1
        gain_grade = next((g for g, t in row["gain"].items() if _ge(gain, t)), 1)
        routes.append(min(hr_grade, gain_grade))
        hr_text = (f"≤ {row['hr_main']}" if hr_grade == 4 else
                   f"in ({row['hr_main']}, {row['hr_second']}]" if hr_grade == 2 else f"> {row['hr_second']}")
        reasons.append(f"HR lower limit {low:g} {hr_text} and median gain {gain:g} months → grade {routes[-1]}")
    if landmark_gain is not None or landmark_years is not None:
        if landmark_gain is None or landmark_years is None:
            raise ValueError("landmark_gain and landmark_years must be given together")
        lg = _check.real("landmark_gain", landmark_gain, low=0.0, high=100.0)
        years = _check.choice("landmark_years", landmark_years, {2, 3, 5})
        if years != row["landmark_years"]:
            raise ValueError(f"landmark_years must be {row['landmark_years']} for stratum {stratum} months, got {years}")
        if _ge(lg, FORM_2A_LANDMARK_GAIN):
            routes.append(4)
            reasons.append(f"survival at {years} years increased by {lg:g} points (≥ {FORM_2A_LANDMARK_GAIN:g}) → grade 4")
        else:
            reasons.append(f"survival at {years} years increased by {lg:g} points (< {FORM_2A_LANDMARK_GAIN:g}): no credit")
    if median_gain is None and landmark_gain is None:
        raise ValueError("form_2a needs median_gain, or landmark_gain with landmark_years")
    prelim = max(routes) if routes else None
    ups = []
    if qol_improved or less_toxicity:
        ups.append("improved quality of life" if qol_improved else "fewer grade 3–4 toxicities affecting daily well-being")
    grade, adjustments = _adjust(prelim, ups, [], FORM_2A_MAX)
    return Grade(grade, prelim, adjustments, tuple(reasons), "2a")


def form_2b(hr_lower, median_gain, control_median, *, hr=None, hr_upper=None, qol_improved: bool = False,
            less_toxicity: bool = False, more_toxicity: bool = False, pfs_only_no_qol_gain: bool = False) -> Grade:
    """Form 2b (primary endpoint PFS or TTP, non-curative)."""
    low = _hr_args(hr_lower, hr, hr_upper)
    gain = _check.real("median_gain", median_gain, low=0.0)
    m = _check.real("control_median", control_median, low=0.0, low_open=True)
    stratum = "≤6" if _le(m, FORM_2B["≤6"]["upper"]) else ">6"
    row = FORM_2B[stratum]
    hr_grade = 3 if _le(low, row["hr_main"]) else 2 if _le(low, row["hr_second"]) else 1
    gain_grade = next((g for g, t in row["gain"].items() if _ge(gain, t)), 1)
    prelim = min(hr_grade, gain_grade)
    reasons = [f"control median PFS {m:g} months → stratum {stratum} months",
               f"HR lower limit {low:g} and median gain {gain:g} months → grade {prelim}"]
    if qol_improved and pfs_only_no_qol_gain:
        raise ValueError("qol_improved and pfs_only_no_qol_gain contradict each other")
    if less_toxicity and more_toxicity:
        raise ValueError("less_toxicity and more_toxicity contradict each other")
    ups, downs = [], []
    if qol_improved or less_toxicity:
        ups.append("improved or later-deteriorating quality of life" if qol_improved
                   else "fewer grade 3–4 toxicities affecting daily well-being")
    if more_toxicity:
        downs.append("significant incremental toxicity")
    if pfs_only_no_qol_gain:
        downs.append("PFS is the only benefit; quality of life assessed without improvement")
    grade, adjustments = _adjust(prelim, ups, downs, FORM_2B_MAX)
    return Grade(grade, prelim, adjustments, tuple(reasons), "2b")


def form_1(*, survival_gain=None, followup_years=None, dfs_hr_lower=None) -> Grade:
    """Form 1 (curative setting): survival gain (percentage points) at ≥ 3 years, or the lower limit
    of the DFS hazard ratio's 95 % CI when survival data are not mature."""
    reasons = []
    if survival_gain is not None:
        g = _check.real("survival_gain", survival_gain, low=0.0, high=100.0)
        fu = _check.real("followup_years", followup_years, low=0.0, low_open=True) if followup_years is not None else None
        if fu is None or fu < FORM_1["min_followup_years"] - _EPS:
            raise ValueError(f"followup_years must be >= {FORM_1['min_followup_years']:g} for a survival gain "
                             f"(form 1 reads survival at ≥ 3 years), got {followup_years!r}")
        t = FORM_1["survival_gain"]
        grade = "A" if g > t["A"] + _EPS else "B" if _ge(g, t["B"]) else "C"
        reasons.append(f"survival gain {g:g} points at {fu:g} years → {grade}")
        if dfs_hr_lower is not None:
            _check.real("dfs_hr_lower", dfs_hr_lower, low=0.0, high=1.0, low_open=True, high_open=True)
            reasons.append("mature survival data prevail over disease-free survival")
    elif dfs_hr_lower is not None:
        low = _check.real("dfs_hr_lower", dfs_hr_lower, low=0.0, high=1.0, low_open=True, high_open=True)
        t = FORM_1["dfs_hr"]
        grade = "A" if low < t["A"] - _EPS else "B" if _le(low, t["B"]) else "C"
        reasons.append(f"DFS HR lower limit {low:g} (survival not mature) → {grade}")
    else:
        raise ValueError("form_1 needs survival_gain (with followup_years) or dfs_hr_lower")
    return Grade(grade, grade, (), tuple(reasons), "1")


def form_3(*, orr=None, dor=None, pfs=None, toxicity_pct=None, qol_improved: bool = False,
           phase4_confirmed: bool = False) -> Grade:
    """Form 3 (single-arm study): objective response rate ``orr`` (%), with the median duration of
    response ``dor`` (months), and/or median ``pfs`` (months); ``toxicity_pct`` is the percentage of
    patients with grade 3–4 toxicities affecting daily well-being."""
    routes, reasons = [], []
    if pfs is not None:
        p = _check.real("pfs", pfs, low=0.0)
        g = next((gr for gr, t in FORM_3["pfs"].items() if _ge(p, t)), None)
        reasons.append(f"median PFS {p:g} months → " + (f"grade {g}" if g else "below grade 1"))
        routes.append(g)
    if orr is not None:
        r = _check.real("orr", orr, low=0.0, high=100.0)
        d = _check.real("dor", dor, low=0.0) if dor is not None else None
        g = None
        if _ge(r, FORM_3["orr_alone"][3]):
            g = 3
        elif _ge(r, 20.0):
            if d is None:
                if not _ge(r, FORM_3["orr_alone"][2]):
                    raise ValueError(f"dor (duration of response, months) is needed to grade an ORR of {r:g} %")
                g = 2
            elif _ge(d, FORM_3["orr_20_dor"][3]):
                g = 3
            elif _ge(r, FORM_3["orr_alone"][2]):
                g = 2
            elif _ge(d, FORM_3["orr_20_dor"][2]):
                g = 2
            else:
                g = 1
        elif _ge(r, 10.0):
            if d is None:
                raise ValueError(f"dor (duration of response, months) is needed to grade an ORR of {r:g} %")
            g = 1 if _ge(d, FORM_3["orr_10_dor"]) else None
        dtext = "" if d is None else f", duration of response {d:g} months"
        reasons.append(f"ORR {r:g} %{dtext} → " + (f"grade {g}" if g else "below grade 1"))
        routes.append(g)
    elif dor is not None:
        raise ValueError("dor is given without orr")
    if not routes:
        raise ValueError("form_3 needs orr (with dor) or pfs")
    graded = [g for g in routes if g is not None]
    prelim = max(graded) if graded else None
    ups, downs = [], []
    if toxicity_pct is not None:
        tox = _check.real("toxicity_pct", toxicity_pct, low=0.0, high=100.0)
        if _ge(tox, FORM_3["toxicity_pct"]):
            downs.append(f"{tox:g} % grade 3–4 toxicities affecting daily well-being (≥ {FORM_3['toxicity_pct']:g} %)")
    if qol_improved:
        ups.append("improved quality of life")
    if phase4_confirmed:
        ups.append("confirmatory, adequately sized phase 4 experience")
    grade, adjustments = _adjust(prelim, ups, downs, FORM_3_MAX)
    return Grade(grade, prelim, adjustments, tuple(reasons), "3")


def form_2a_grid(hr_values, gain_values, control_medians) -> pd.DataFrame:
    """Preliminary form 2a grade over a grid (for interactive figures): hr_lower, gain,
    control_median, stratum, grade."""
    rows = []
    for m in control_medians:
        stratum = stratum_2a(m)
        for h in hr_values:
            for g in gain_values:
                rows.append({"hr_lower": float(h), "gain": float(g), "control_median": float(m),
                             "stratum": stratum, "grade": form_2a(h, g, m).grade})
    return pd.DataFrame(rows, columns=["hr_lower", "gain", "control_median", "stratum", "grade"])


def thresholds_2a() -> pd.DataFrame:
    """The form 2a thresholds as a table (one row per stratum), for display."""
    rows = []
    for name, row in FORM_2A.items():
        rows.append({"control median OS (months)": name, "HR lower limit for grade 3–4": f"≤ {row['hr_main']:.2f}",
                     "HR lower limit for grade 2": f"≤ {row['hr_second']:.2f}",
                     "gain for grade 4 (months)": f"≥ {row['gain'][4]:g}",
                     "gain for grade 3": f"≥ {row['gain'][3]:g}", "gain for grade 2": f"≥ {row['gain'][2]:g}",
                     "landmark for grade 4": f"+{FORM_2A_LANDMARK_GAIN:g} points at {row['landmark_years']} years"})
    return pd.DataFrame(rows)

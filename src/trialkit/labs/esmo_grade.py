"""ESMO-MCBS v1.1 (form 2a) of a trial's overall survival and its sensitivity to the inputs: which
number of the hazard ratio enters, the gain in median survival, the quality-of-life credit and, when the
trial prints a landmark survival rate at the time its stratum reads, the "tail of the curve" route.

A hazard ratio printed with another interval than 95 % (INO-VATE ALL prints 97.5 %) is re-expressed at
95 % on the log scale (symmetric interval) and rounded to two decimals, the precision of the printed one."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scipy import stats

from trialkit import _check
from trialkit.appraisal import esmo
from trialkit.trials import Trial

#: Which number of the hazard ratio's 95 % interval enters form 2a (the form uses the lower limit).
ESMO_HR_CHOICES = {"ci_low": "Lower 95 % limit (as the form requires)", "value": "Point estimate",
                   "ci_high": "Upper 95 % limit"}


def interval_at_95(hr: float, low: float, high: float, level: float) -> tuple[float, float]:
    """The limits of a hazard ratio's interval printed at ``level`` re-expressed at 95 % (symmetric on
    the log scale), rounded to two decimals; at ``level`` 0.95 the printed limits unchanged."""
    level = _check.real("level", level, low=0.5, high=1.0, high_open=True)
    hr = _check.real("hr", hr, low=0.0, low_open=True)
    low = _check.real("low", low, low=0.0, high=hr, low_open=True)
    high = _check.real("high", high, low=hr)
    if abs(level - 0.95) < 1e-12:
        return low, high
    se = (np.log(high) - np.log(low)) / (2 * stats.norm.isf((1 - level) / 2))
    z = stats.norm.isf(0.025)
    return round(float(np.exp(np.log(hr) - z * se)), 2), round(float(np.exp(np.log(hr) + z * se)), 2)


def esmo_inputs(trial: Trial) -> dict:
    """The inputs of form 2a from the trial description: hr, hr_lower, hr_upper (the primary hazard
    ratio and its 95 % interval, re-expressed by :func:`interval_at_95` when printed at another level),
    hr_level (the printed level), median_gain (the gain in median), control_median, and, when the trial
    prints a landmark rate, landmark_gain (percentage points) and landmark_years (else None)."""
    trial.need("primary_hr", "primary_median_gain", "control_median", by="esmo_inputs")
    hr, low, high = trial.primary_hr
    low, high = interval_at_95(hr, low, high, trial.primary_hr_level)
    tail = None if trial.landmark_survival is None else round(trial.landmark_survival[0] - trial.landmark_survival[1], 10)
    return {"hr": hr, "hr_lower": low, "hr_upper": high, "hr_level": trial.primary_hr_level,
            "median_gain": trial.primary_median_gain, "control_median": trial.control_median,
            "landmark_gain": tail, "landmark_years": trial.landmark_years}


def tail_route_applies(trial: Trial) -> bool:
    """Whether form 2a's tail-of-the-curve route can be read from the trial: a printed landmark rate at
    the time the trial's stratum reads (2, 3 or 5 years) with a gain that is not negative."""
    inp = esmo_inputs(trial)
    if inp["landmark_gain"] is None or inp["landmark_gain"] < 0:
        return False
    years = esmo.FORM_2A[esmo.stratum_2a(inp["control_median"])]["landmark_years"]
    return abs(inp["landmark_years"] - years) < 1e-9


def esmo_grade(trial: Trial, hr_choice: str = "ci_low", median_gain: float | None = None, qol_improved: bool = True,
               tail: bool = False):
    """ESMO-MCBS v1.1 form 2a (:func:`trialkit.appraisal.esmo.form_2a`) with the trial's inputs unless
    overridden: ``hr_choice`` picks which number of the hazard ratio enters as the "lower limit"
    (:data:`ESMO_HR_CHOICES`), ``median_gain`` replaces the gain in median OS, ``qol_improved``
    credits an improvement in quality of life (one level up), and ``tail`` adds the tail-of-the-curve
    route from the trial's landmark rates (:func:`tail_route_applies` must hold)."""
    _check.choice("hr_choice", hr_choice, set(ESMO_HR_CHOICES))
    inp = esmo_inputs(trial)
    gain = inp["median_gain"] if median_gain is None else _check.real("median_gain", median_gain, low=0.0)
    for name, flag in (("qol_improved", qol_improved), ("tail", tail)):
        if not isinstance(flag, (bool, np.bool_)):
            raise ValueError(f"{name} must be True or False, got {flag!r}")
    landmark = {}
    if tail:
        trial.need("landmark_survival", by="esmo_grade(tail=True)")
        if not tail_route_applies(trial):
            years = esmo.FORM_2A[esmo.stratum_2a(inp["control_median"])]["landmark_years"]
            raise ValueError(f"tail=True needs a landmark gain >= 0 at {years} years (the stratum's landmark); "
                             f"{trial.name} prints {inp['landmark_gain']:g} points at {inp['landmark_years']:g} years")
        landmark = {"landmark_gain": inp["landmark_gain"], "landmark_years": int(round(inp["landmark_years"]))}
    lower = {"ci_low": inp["hr_lower"], "value": inp["hr"], "ci_high": inp["hr_upper"]}[hr_choice]
    return esmo.form_2a(lower, gain, inp["control_median"], qol_improved=bool(qol_improved), **landmark)


def esmo_grid(trial: Trial, gains=None) -> pd.DataFrame:
    """The form 2a grade over the reader's alternatives: every :data:`ESMO_HR_CHOICES` below 1, gains in
    median OS (``gains``, default 0 to 6 months by 0.1), with or without the quality-of-life credit and,
    when :func:`tail_route_applies`, with or without the tail-of-the-curve route.
    Columns: hr_choice, hr_label, hr_used, gain, qol, tail, preliminary, grade, reasons (the module's
    reasons and adjustments, joined)."""
    gains = tuple(round(float(g), 1) for g in np.arange(0.0, 6.0 + 1e-9, 0.1)) if gains is None else tuple(
        _check.real(f"gains[{i}]", g, low=0.0) for i, g in enumerate(gains))
    if not gains:
        raise ValueError("gains must be a non-empty sequence of numbers >= 0")
    inp = esmo_inputs(trial)
    used = {"ci_low": inp["hr_lower"], "value": inp["hr"], "ci_high": inp["hr_upper"]}
    tails = (False, True) if tail_route_applies(trial) else (False,)
    rows = []
    for choice, label in ESMO_HR_CHOICES.items():
        if used[choice] >= 1:  # form 2a grades a benefit: a limit at or above 1 has no grade
            continue
        for gain in gains:
            for qol in (False, True):
                for tail in tails:
                    g = esmo_grade(trial, choice, gain, qol, tail)
                    rows.append({"hr_choice": choice, "hr_label": label, "hr_used": used[choice], "gain": gain, "qol": qol,
                                 "tail": tail, "preliminary": g.preliminary, "grade": g.grade,
                                 "reasons": "; ".join(g.reasons + g.adjustments)})
    return pd.DataFrame(rows)


def esmo_readings(trial: Trial) -> dict:
    """The grade as the form requires (``esmo_grade``, ``esmo_prelim``, ``esmo_reasons``), without the
    quality-of-life credit (``esmo_grade_no_qol``), with the point estimate instead of the lower limit
    and no credit (``esmo_grade_point``), and the inputs (``esmo_<input>``)."""
    grade = esmo_grade(trial)
    out = {f"esmo_{k}": float(v) for k, v in esmo_inputs(trial).items() if v is not None}
    out.update({"esmo_grade": grade.grade, "esmo_prelim": grade.preliminary,
                "esmo_grade_no_qol": esmo_grade(trial, qol_improved=False).grade,
                "esmo_grade_point": esmo_grade(trial, "value", qol_improved=False).grade,
                "esmo_reasons": "; ".join(grade.reasons + grade.adjustments)})
    return out


def esmo_sensitivity_readings(trial: Trial, qol_improved: bool = False, tail: bool = True) -> dict:
    """What the sensitivity figure shows for ``trial``, for the page's prose (prefix ``esmo_lab_``):
    the grade with the form's inputs and the given credits (``grade``), without the tail route
    (``no_tail``), with the point estimate instead of the lower limit (``point``), with the
    quality-of-life credit switched (``qol_switched``), the smallest gain in median OS (0.1-month grid,
    up to 12 months) at which the median route alone gives the form's top preliminary grade with the
    lower limit (``gain_top``, None if none does), and the inputs (``hr_lower``, ``gain``,
    ``tail_gain``, ``tail_years``). ``tail=True`` needs :func:`tail_route_applies`."""
    for name, flag in (("qol_improved", qol_improved), ("tail", tail)):
        if not isinstance(flag, (bool, np.bool_)):
            raise ValueError(f"{name} must be True or False, got {flag!r}")
    inp = esmo_inputs(trial)
    grade = esmo_grade(trial, qol_improved=qol_improved, tail=tail)
    top = 4  # form 2a's top preliminary grade (5 only with an adjustment)
    gain_top = next((g / 10 for g in range(0, 121)
                     if esmo_grade(trial, median_gain=g / 10, qol_improved=False).preliminary == top), None)
    out = {"grade": grade.grade, "preliminary": grade.preliminary,
           "no_tail": esmo_grade(trial, qol_improved=qol_improved).grade,
           "point": esmo_grade(trial, "value", qol_improved=qol_improved, tail=tail).grade,
           "qol_switched": esmo_grade(trial, qol_improved=not qol_improved, tail=tail).grade,
           "gain_top": gain_top, "hr_lower": inp["hr_lower"], "gain": inp["median_gain"],
           "tail_gain": inp["landmark_gain"], "tail_years": inp["landmark_years"]}
    return {f"esmo_lab_{k}": v for k, v in out.items()}

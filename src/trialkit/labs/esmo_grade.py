"""ESMO-MCBS v1.1 (form 2a) of a trial's overall survival and its sensitivity to the inputs: which
number of the hazard ratio enters, the gain in median survival, and the quality-of-life credit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from trialkit import _check
from trialkit.appraisal import esmo
from trialkit.trials import Trial

#: Which number of the hazard ratio's 95 % interval enters form 2a (the form uses the lower limit).
ESMO_HR_CHOICES = {"ci_low": "Lower 95 % limit (as the form requires)", "value": "Point estimate",
                   "ci_high": "Upper 95 % limit"}


def esmo_inputs(trial: Trial) -> dict:
    """The inputs of form 2a from the trial description: hr, hr_lower, hr_upper (the primary hazard
    ratio and its interval), median_gain (the printed gain in median) and control_median."""
    trial.need("primary_hr", "primary_median_gain", "control_median", by="esmo_inputs")
    hr, low, high = trial.primary_hr
    return {"hr": hr, "hr_lower": low, "hr_upper": high, "median_gain": trial.primary_median_gain,
            "control_median": trial.control_median}


def esmo_grade(trial: Trial, hr_choice: str = "ci_low", median_gain: float | None = None, qol_improved: bool = True):
    """ESMO-MCBS v1.1 form 2a (:func:`trialkit.appraisal.esmo.form_2a`) with the trial's inputs unless
    overridden: ``hr_choice`` picks which number of the hazard ratio enters as the "lower limit"
    (:data:`ESMO_HR_CHOICES`), ``median_gain`` replaces the gain in median OS, and ``qol_improved``
    credits an improvement in quality of life (one level up)."""
    _check.choice("hr_choice", hr_choice, set(ESMO_HR_CHOICES))
    inp = esmo_inputs(trial)
    gain = inp["median_gain"] if median_gain is None else _check.real("median_gain", median_gain, low=0.0)
    if not isinstance(qol_improved, (bool, np.bool_)):
        raise ValueError(f"qol_improved must be True or False, got {qol_improved!r}")
    lower = {"ci_low": inp["hr_lower"], "value": inp["hr"], "ci_high": inp["hr_upper"]}[hr_choice]
    return esmo.form_2a(lower, gain, inp["control_median"], qol_improved=bool(qol_improved))


def esmo_grid(trial: Trial, gains=None) -> pd.DataFrame:
    """The form 2a grade over the reader's alternatives: every :data:`ESMO_HR_CHOICES`, gains in median
    OS (``gains``, default 0 to 6 months by 0.1) and with or without the quality-of-life credit.
    Columns: hr_choice, hr_label, hr_used, gain, qol, preliminary, grade, reasons (the module's reasons
    and adjustments, joined)."""
    gains = tuple(round(float(g), 1) for g in np.arange(0.0, 6.0 + 1e-9, 0.1)) if gains is None else tuple(
        _check.real(f"gains[{i}]", g, low=0.0) for i, g in enumerate(gains))
    if not gains:
        raise ValueError("gains must be a non-empty sequence of numbers >= 0")
    inp = esmo_inputs(trial)
    used = {"ci_low": inp["hr_lower"], "value": inp["hr"], "ci_high": inp["hr_upper"]}
    rows = []
    for choice, label in ESMO_HR_CHOICES.items():
        if used[choice] >= 1:  # form 2a grades a benefit: a limit at or above 1 has no grade
            continue
        for gain in gains:
            for qol in (False, True):
                g = esmo_grade(trial, choice, gain, qol)
                rows.append({"hr_choice": choice, "hr_label": label, "hr_used": used[choice], "gain": gain, "qol": qol,
                             "preliminary": g.preliminary, "grade": g.grade,
                             "reasons": "; ".join(g.reasons + g.adjustments)})
    return pd.DataFrame(rows)


def esmo_readings(trial: Trial) -> dict:
    """The grade as the form requires (``esmo_grade``, ``esmo_prelim``, ``esmo_reasons``), without the
    quality-of-life credit (``esmo_grade_no_qol``), with the point estimate instead of the lower limit
    and no credit (``esmo_grade_point``), and the inputs (``esmo_<input>``)."""
    grade = esmo_grade(trial)
    out = {f"esmo_{k}": float(v) for k, v in esmo_inputs(trial).items()}
    out.update({"esmo_grade": grade.grade, "esmo_prelim": grade.preliminary,
                "esmo_grade_no_qol": esmo_grade(trial, qol_improved=False).grade,
                "esmo_grade_point": esmo_grade(trial, "value", qol_improved=False).grade,
                "esmo_reasons": "; ".join(grade.reasons + grade.adjustments)})
    return out

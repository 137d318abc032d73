"""Anchored indirect comparison of two treatments through a common comparator (Bucher et al., J Clin
Epidemiol 1997), from published hazard ratios and their intervals, and its sensitivity to a
non-shared anchor.

Two randomised trials compare A with C and B with C. On the log scale the anchored estimate of A
versus B is ``log HR_AC - log HR_BC``; its variance is the sum of the two variances, because the
trials are independent. Each variance is recovered from the printed interval at the level the
article states (a 97.5 % interval is wider than a 95 % one for the same precision: reading it as a
95 % interval overstates the standard error). The method keeps randomisation within each trial; it
assumes that the relative effects would be the same in the other trial's population (no difference in
effect modifiers between the trials) and that the two "C" arms are the same treatment.

:func:`anchor_shift_grid` relaxes the second assumption: if one trial's control arm did better (or
worse) than the other's would have in the same patients, by a hazard ratio ``k`` that randomisation
cannot remove, the anchored estimate is off by the factor ``k``. The grid is what a figure filters
in the browser.

Functions take :class:`HazardRatio` values written from the data (``trialkit.chapters.across``
reads them from each study's ``survival.csv``); none reads data rows itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as _st

from trialkit import _check
from trialkit.stats import HazardRatio  # noqa: F401  (re-exported: the input of every function here)


def _z(level: float) -> float:
    return float(_st.norm.ppf(0.5 + level / 2))


@dataclass(frozen=True)
class Indirect:
    """An anchored indirect hazard ratio of ``treatment`` versus ``other`` with its interval."""

    estimate: float
    low: float
    high: float
    level: float
    se: float
    treatment: str
    other: str
    anchor: str

    @property
    def p_two_sided(self) -> float:
        return float(2 * _st.norm.sf(abs(math.log(self.estimate)) / self.se))


def bucher(first: HazardRatio, second: HazardRatio, level: float = 0.95, anchor_shift: float = 1.0) -> Indirect:
    """The anchored indirect hazard ratio of ``first.treatment`` versus ``second.treatment`` through
    their controls: HR_first / HR_second, with log-scale variance se_first^2 + se_second^2 and a Wald
    interval at ``level``.

    ``anchor_shift`` (default 1, the method's assumption) is the hazard ratio of the second trial's
    control arm relative to the first trial's, for the same patients: a value below 1 means the
    second trial's control did better, so its hazard ratio flatters the control comparison less, and
    the second treatment's effect against the first trial's control is HR_second x shift. Taken as
    known (no added uncertainty): a sensitivity analysis, not an estimate."""
    if not isinstance(first, HazardRatio) or not isinstance(second, HazardRatio):
        raise ValueError("first and second must be HazardRatio values (estimate, low, high, level)")
    level = _check.level("level", level)
    shift = _check.real("anchor_shift", anchor_shift, low=0.0, low_open=True)
    log_hr = first.log - (second.log + math.log(shift))
    se = math.sqrt(first.se ** 2 + second.se ** 2)
    z = _z(level)
    return Indirect(math.exp(log_hr), math.exp(log_hr - z * se), math.exp(log_hr + z * se), level, se,
                    first.treatment, second.treatment, f"{first.control} / {second.control}")


def anchor_shift_grid(first: HazardRatio, second: HazardRatio, shifts=None, level: float = 0.95) -> pd.DataFrame:
    """The indirect estimate when one trial's control arm is assumed to have done better or worse
    than the other's would have, in the same patients.

    ``shifts``: hazard ratios k of the shifted control arm relative to the other trial's control
    (default 0.60 to 1.60 by 0.05; 1 is the method's assumption). ``which`` says whose control is
    shifted: in ``"second"`` rows the second trial's control did better when k < 1 (its treatment's
    effect against the first trial's control is HR_second x k); in ``"first"`` rows the same of the
    first trial (HR_first x k). Columns: which, shift, estimate, low, high, crosses_one (the interval
    contains 1), favours (which treatment the point estimate favours)."""
    if shifts is None:
        shifts = tuple(round(float(s), 2) for s in np.arange(0.60, 1.60 + 1e-9, 0.05))
    shifts = tuple(_check.real(f"shifts[{i}]", s, low=0.0, low_open=True) for i, s in enumerate(shifts))
    if not shifts:
        raise ValueError("shifts must be a non-empty sequence of positive hazard ratios")
    rows = []
    for which in ("first", "second"):
        for k in shifts:
            if which == "second":
                res = bucher(first, second, level, anchor_shift=k)
            else:  # the first trial's control shifted by k: HR_first x k against the second's control
                res = bucher(first, second, level, anchor_shift=1.0 / k)
            rows.append({"which": which, "shift": k, "estimate": res.estimate, "low": res.low, "high": res.high,
                         "crosses_one": bool(res.low <= 1.0 <= res.high),
                         "favours": first.treatment if res.estimate < 1 else (second.treatment if res.estimate > 1 else "neither")})
    return pd.DataFrame(rows)


def shift_to_cross(first: HazardRatio, second: HazardRatio, level: float = 0.95) -> dict:
    """The anchor shifts (hazard ratio of the second trial's control relative to the first's) at which
    the indirect interval's upper limit reaches 1 (``favour_first``: at a larger shift, the second
    trial's control having done worse than that, the interval excludes 1 in favour of the first
    treatment) and its lower limit reaches 1 (``favour_second``: at a smaller shift, the second
    trial's control having done that much better, it excludes 1 in favour of the second)."""
    base = bucher(first, second, level)
    # log estimate moves by -log k: the upper limit exp(log hr - log k + z se) = 1  =>  k = high
    return {"favour_first": base.high, "favour_second": base.low}


def naive_ratio(value_a: float, value_b: float) -> float:
    """The ratio of two single-arm summaries from different trials (a naive, unanchored comparison):
    kept only to show what it ignores."""
    a = _check.real("value_a", value_a, low=0.0, low_open=True)
    b = _check.real("value_b", value_b, low=0.0, low_open=True)
    return a / b


def indirect_readings(first: HazardRatio, second: HazardRatio, level: float = 0.95) -> dict:
    """The values a page quotes: each trial's log-scale standard error and implied P (at its stated
    level and, for a 97.5 % interval, misread as 95 %), the indirect hazard ratio with its interval
    and P, and the anchor shifts at which the interval would exclude 1."""
    res = bucher(first, second, level)
    cross = shift_to_cross(first, second, level)
    out = {"ind_hr": res.estimate, "ind_low": res.low, "ind_high": res.high, "ind_se": res.se, "ind_p": res.p_two_sided,
           "ind_level_pct": 100 * level, "shift_favour_first": cross["favour_first"],
           "shift_favour_second": cross["favour_second"]}
    for tag, hr in (("first", first), ("second", second)):
        out.update({f"{tag}_se": hr.se, f"{tag}_p": hr.p_two_sided(), f"{tag}_level_pct": 100 * hr.level,
                    f"{tag}_se_at95": hr.se_if_level(0.95), f"{tag}_p_at95": hr.p_two_sided(0.95)})
        lo95, hi95 = hr.interval(0.95)
        out.update({f"{tag}_low95": lo95, f"{tag}_high95": hi95})
    misread = bucher(first, HazardRatio(second.estimate, second.low, second.high, 0.95, second.treatment, second.control), level)
    out.update({"ind_low_misread": misread.low, "ind_high_misread": misread.high})
    return out

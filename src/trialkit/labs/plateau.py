"""A plateau and a cure: how much a flat tail of a survival curve can carry.

A Kaplan–Meier curve is flat wherever no event happens. With few patients at risk that is likely even
if deaths continue at a modest rate, so a plateau is consistent with cure without proving it (Othus
et al., Clin Cancer Res 2012, on cure models).

* :func:`tail_support` -- numbers at risk, Kaplan–Meier estimate and its 95 % interval at chosen
  times, for a dataset;
* :func:`flat_probability` -- the chance of seeing no death in a window among patients at risk if the
  true death rate were ``rate`` per year (constant, no censoring in the window);
* :func:`upper_rate` -- the largest yearly death rate compatible (one-sided 95 %) with no death seen
  in the person-time of the window (the "rule of three" when exact);
* :func:`plateau_lab` -- a grid of :func:`flat_probability` for a chart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trialkit import _check, survival
from trialkit.labs._common import grid


def tail_support(time, event, times) -> pd.DataFrame:
    """time, at_risk, survival, low, high (95 % log-log interval) of the Kaplan–Meier estimate at each
    of ``times``."""
    t = np.asarray(time, float)
    km = survival.kaplan_meier(t, event)
    rows = []
    for x in times:
        x = _check.real("times", x, low=0.0)
        k = km[km["time"] <= x]
        last = k.iloc[-1] if len(k) else None
        rows.append({"time": x, "at_risk": int(np.sum(t >= x)),
                     "survival": 1.0 if last is None else float(last["survival"]),
                     "low": 1.0 if last is None else float(last["ci_low"]),
                     "high": 1.0 if last is None else float(last["ci_high"])})
    return pd.DataFrame(rows)


def flat_probability(at_risk: int, rate: float, years: float) -> float:
    """P(no death among ``at_risk`` patients over ``years``) at a constant yearly death ``rate``
    (a proportion dying per year, 0-1): (1 − rate) ** (at_risk × years)."""
    n = _check.integer("at_risk", at_risk, low=0)
    r = _check.real("rate", rate, low=0.0, high=1.0, high_open=True)
    y = _check.real("years", years, low=0.0)
    return (1.0 - r) ** (n * y)


def upper_rate(at_risk: int, years: float, level: float = 0.95) -> float:
    """The yearly death proportion at which no death in ``at_risk`` × ``years`` patient-years has
    probability 1 − ``level``: the one-sided upper limit compatible with a flat tail."""
    n = _check.integer("at_risk", at_risk, low=1)
    y = _check.real("years", years, low=0.0, low_open=True)
    lv = _check.real("level", level, low=0.0, high=1.0, low_open=True, high_open=True)
    return 1.0 - (1.0 - lv) ** (1.0 / (n * y))


def plateau_lab(at_risk_values, rates, years: float = 1.0) -> pd.DataFrame:
    """at_risk, rate, probability (of a flat tail over ``years``) for every pair, and upper (the upper
    rate for that number at risk)."""
    ns = grid("at_risk_values", at_risk_values)
    rs = grid("rates", rates, high=0.99)
    rows = [{"at_risk": int(n), "rate": r, "probability": flat_probability(int(n), r, years),
             "upper": upper_rate(int(n), years)} for n in ns for r in rs]
    return pd.DataFrame(rows)


def cure_fraction_bound(survival_late: float, rate_after: float, years_after: float) -> float:
    """What a curve at ``survival_late`` would become after ``years_after`` more years if deaths went on
    at ``rate_after`` a year: the cure-fraction reading assumes this rate is (close to) that of the
    general population."""
    s = _check.real("survival_late", survival_late, low=0.0, high=1.0)
    r = _check.real("rate_after", rate_after, low=0.0, high=1.0)
    y = _check.real("years_after", years_after, low=0.0)
    return s * (1.0 - r) ** y

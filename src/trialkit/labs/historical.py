"""A historical comparison: how much of a difference between a single-arm study and an external group
case mix alone can produce.

Two populations receive the *same* treatment. Each is a mixture of good-risk patients (death hazard
``h0``) and poor-risk patients (hazard ``hr_poor`` × ``h0``); they differ only in the share of poor-risk
patients. :func:`mixture_median` gives the median survival of a mixture; :func:`case_mix_lab` fixes
``h0`` so that the external group's median is the published one and returns the median the other
population would show with no treatment effect at all. Differences in era, supportive care, definitions
of time zero and follow-up add to this and are not modelled.
"""

from __future__ import annotations

import math

import pandas as pd
from scipy import optimize

from trialkit import _check
from trialkit.labs._common import grid


def mixture_survival(t: float, h0: float, hr_poor: float, poor_share: float) -> float:
    """S(t) of a mixture of exponentials: (1 − p) e^(−h0 t) + p e^(−hr h0 t)."""
    t = _check.real("t", t, low=0.0)
    h0 = _check.real("h0", h0, low=0.0, low_open=True)
    hr = _check.real("hr_poor", hr_poor, low=0.0, low_open=True)
    p = _check.real("poor_share", poor_share, low=0.0, high=1.0)
    return (1 - p) * math.exp(-h0 * t) + p * math.exp(-hr * h0 * t)


def mixture_median(h0: float, hr_poor: float, poor_share: float) -> float:
    """The median survival (months) of the mixture."""
    h0 = _check.real("h0", h0, low=0.0, low_open=True)
    hi = 1.0
    while mixture_survival(hi, h0, hr_poor, poor_share) > 0.5:
        hi *= 2
    return float(optimize.brentq(lambda t: mixture_survival(t, h0, hr_poor, poor_share) - 0.5, 0.0, hi, xtol=1e-10))


def base_hazard(median: float, hr_poor: float, poor_share: float) -> float:
    """The good-risk hazard ``h0`` that gives a mixture with this ``median``."""
    m = _check.real("median", median, low=0.0, low_open=True)
    lo, hi = 1e-6, 50.0
    return float(optimize.brentq(lambda h: mixture_median(h, hr_poor, poor_share) - m, lo, hi, xtol=1e-12))


def case_mix_lab(external_median: float, external_poor_share: float, hr_values, share_values) -> pd.DataFrame:
    """hr_poor, poor_share (of the study population), median (with no treatment effect), ratio
    (median / external median), for every pair; the external group (median ``external_median``) has a
    poor-risk share ``external_poor_share``."""
    em = _check.real("external_median", external_median, low=0.0, low_open=True)
    ep = _check.real("external_poor_share", external_poor_share, low=0.0, high=1.0)
    hrs = grid("hr_values", hr_values, high=20.0)
    shares = grid("share_values", share_values, low=-1e-12, high=1.0)
    rows = []
    for hr in hrs:
        h0 = base_hazard(em, hr, ep)
        for p in shares:
            m = mixture_median(h0, hr, p)
            rows.append({"hr_poor": hr, "poor_share": p, "median": m, "ratio": m / em})
    return pd.DataFrame(rows)

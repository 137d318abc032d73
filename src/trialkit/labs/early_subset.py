"""Analysing the first patients randomised: a binary endpoint (remission) compared in the first ``k`` of
``n`` randomised patients instead of all ``n``.

Randomisation is done in order of entry, so the first ``k`` patients form a randomised comparison of
their own: the two arms stay comparable. What changes is (1) precision (a smaller sample) and (2) *what
is estimated*: the effect among early entrants, which differs from the effect in everyone randomised
only if the population or the treatment effect drifts over accrual. The model lets the control
remission rate and the difference between the arms change linearly with the order of entry (the first
patient at ``mean + drift/2``, the last at ``mean - drift/2``), and gives the exact expected estimate and
its standard error for any subset (binomial variances, equal allocation).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from trialkit import _check


def _rates(n: int, control: float, difference: float, control_drift: float, effect_drift: float):
    pos = (np.arange(n) + 0.5) / n  # 0 = first entrant, 1 = last
    pc = control + control_drift * (0.5 - pos)
    d = difference + effect_drift * (0.5 - pos)
    pe = pc + d
    if np.any(pc <= 0) or np.any(pc >= 1) or np.any(pe <= 0) or np.any(pe >= 1):
        raise ValueError("the drifts push a remission rate outside (0, 1): make control_drift or effect_drift smaller")
    return pc, pe


def subset_estimate(n: int, k: int, control: float, difference: float, control_drift: float = 0.0,
                    effect_drift: float = 0.0) -> dict:
    """The expected difference in remission rates (percentage points) and its standard error when the
    first ``k`` of ``n`` patients are analysed, with the target (the mean effect over all ``n``)."""
    n = _check.integer("n", n, low=4)
    k = _check.integer("k", k, low=4, high=n)
    control = _check.real("control", control, low=0.0, high=1.0, low_open=True, high_open=True)
    difference = _check.real("difference", difference, low=-1.0, high=1.0, low_open=True, high_open=True)
    cd = _check.real("control_drift", control_drift, low=-1.0, high=1.0)
    ed = _check.real("effect_drift", effect_drift, low=-1.0, high=1.0)
    pc, pe = _rates(n, control, difference, cd, ed)
    mc, me = pc[:k].mean(), pe[:k].mean()
    # each arm holds k/2 patients drawn from the first k entrants; the binomial variance of a mixture
    se = np.sqrt(me * (1 - me) / (k / 2) + mc * (1 - mc) / (k / 2))
    return {"estimate": 100 * float(me - mc), "se": 100 * float(se), "target": 100 * float((pe - pc).mean()),
            "control_rate": 100 * float(mc)}


def early_subset_lab(n: int, k: int, control: float, difference: float, control_drifts=None, effect_drifts=None) -> pd.DataFrame:
    """The first ``k`` versus all ``n`` for each pair of drifts: expected estimate, 95 % interval
    half-width, the target (everyone randomised), the bias against it, and the power of a two-sided
    0.05 test of no difference."""
    control_drifts = control_drifts if control_drifts is not None else np.round(np.arange(-0.1, 0.101, 0.05), 2)
    effect_drifts = effect_drifts if effect_drifts is not None else np.round(np.arange(-0.2, 0.201, 0.05), 2)
    z = stats.norm.isf(0.025)
    rows = []
    for cd in control_drifts:
        for ed in effect_drifts:
            for label, m in (("First patients only", k), ("Everyone randomised", n)):
                r = subset_estimate(n, m, control, difference, cd, ed)
                rows.append({"control_drift": 100 * float(cd), "effect_drift": 100 * float(ed), "analysis": label,
                             "patients": m, "estimate": r["estimate"], "low": r["estimate"] - z * r["se"],
                             "high": r["estimate"] + z * r["se"], "target": r["target"],
                             "bias": r["estimate"] - r["target"],
                             "power": 100 * float(stats.norm.sf(z - abs(r["estimate"]) / r["se"]))})
    return pd.DataFrame(rows)


def early_subset_readings(n: int, k: int, control: float, difference: float, effect_drift: float) -> dict:
    """The precision cost (interval width ratio) with no drift, and the bias of the first-``k`` estimate
    with an effect drift of ``effect_drift`` (percentage points)."""
    a = subset_estimate(n, k, control, difference)
    b = subset_estimate(n, n, control, difference)
    d = subset_estimate(n, k, control, difference, 0.0, effect_drift)
    return {"es_width_ratio": a["se"] / b["se"], "es_bias": d["estimate"] - d["target"], "es_drift": 100 * effect_drift,
            "es_target": d["target"], "es_estimate": d["estimate"]}

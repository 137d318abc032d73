"""Converging curves: median, hazard ratio and restricted mean survival time (RMST) of a two-arm
SYNTHETIC dataset (:mod:`trialkit.synth`) for a grid of horizons."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from trialkit import _check, survival, synth
from trialkit.labs._common import grid


def rmst_lab(name: str, horizons=None, step: float = 0.25) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Restricted mean survival time of the SYNTHETIC dataset ``name`` (two arms, the first the
    experimental one) at each horizon.

    ``horizons`` (months) default to 1, 2, ..., the last whole month at which both arms still have
    follow-up. Returns ``(curves, table, summary)``: ``curves`` has the two Kaplan-Meier curves on a
    regular grid of ``step`` months (time, then one column of survival probabilities per arm);
    ``table`` one row per horizon: tau, rmst_<arm> per arm, difference, low, high (95 % Wald interval),
    p; ``summary`` the synthetic medians, their difference and the Cox HR.
    """
    if name not in synth.datasets():
        raise ValueError(f"name must be one of {synth.datasets()}, got {name!r}")
    step = _check.real("step", step, low=0.0, high=3.0, low_open=True)
    f = synth.frame(name)
    arms = list(dict.fromkeys(f["arm"]))
    if len(arms) != 2:
        raise ValueError(f"name must be a two-arm dataset, {name!r} has arms {arms}")
    exp, ctl = arms
    last = float(min(f[f["arm"] == a]["time"].max() for a in arms))
    if horizons is None:
        horizons = tuple(float(h) for h in range(1, int(math.floor(last)) + 1))
    horizons = grid("horizons", horizons, high=last)
    km = survival.kaplan_meier(f["time"], f["event"], f["arm"])
    times = np.round(np.arange(0.0, last + 1e-9, step), 6)
    curves = pd.DataFrame({"time": times})
    for arm in arms:
        k = km[km["group"] == arm].sort_values("time")
        idx = np.searchsorted(k["time"].to_numpy(), times, side="right") - 1
        curves[arm] = k["survival"].to_numpy()[np.clip(idx, 0, None)]
    rows = []
    for tau in horizons:
        r = survival.rmst_difference(f["time"], f["event"], f["arm"], tau=tau, reference=ctl)
        rows.append({"tau": tau, f"rmst_{exp}": r.rmst[exp].rmst, f"rmst_{ctl}": r.rmst[ctl].rmst,
                     "difference": r.difference, "low": r.ci_low, "high": r.ci_high, "p": r.p})
    medians = {arm: survival.median_survival(f[f["arm"] == arm]["time"], f[f["arm"] == arm]["event"]).median for arm in arms}
    cox = survival.cox(f.assign(experimental=(f["arm"] == exp).astype(int)), "time", "event", ["experimental"])
    hr, lo, hi = cox.hr("experimental")
    summary = {f"median_{a}": m for a, m in medians.items()}
    summary.update({"median_difference": medians[exp] - medians[ctl], "hr": hr, "hr_low": lo, "hr_high": hi,
                    "last_common_time": last})
    return curves, pd.DataFrame(rows), summary


def rmst_readings(table: pd.DataFrame, summary: dict, horizons=(6.0, 12.0)) -> dict:
    """RMST differences (with 95 % limits) at two horizons (``rmst_a``, ``rmst_b``; ``tau_a``,
    ``tau_b``) and at the last one (``rmst_max``, ``tau_max``), with the synthetic HR and median
    difference."""
    rt = table.set_index("tau")
    out = {}
    for i, (name, tau) in enumerate((("rmst_a", horizons[0]), ("rmst_b", horizons[1]), ("rmst_max", float(rt.index.max())))):
        if tau not in rt.index:
            raise ValueError(f"horizons must be on the table's grid {list(rt.index)}, got {tau!r}")
        out[name] = float(rt.loc[tau, "difference"])
        out[name + "_lo"] = float(rt.loc[tau, "low"])
        out[name + "_hi"] = float(rt.loc[tau, "high"])
    out.update({"tau_a": int(horizons[0]), "tau_b": int(horizons[1]), "tau_max": int(rt.index.max()),
                "syn_hr": float(summary["hr"]), "syn_median_diff": float(summary["median_difference"])})
    return out

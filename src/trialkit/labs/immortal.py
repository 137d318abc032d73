"""Immortal time: survival compared by a state reached after time zero (a response, a transplant).

A general laboratory for single-arm studies. Patients die at a constant hazard; some reach a
post-baseline state (respond, are transplanted) at a constant hazard within a window after the first
dose, if still alive; reaching it multiplies the death hazard by ``effect_hr`` (1: the state has no
effect at all). Three analyses of the same SIMULATED patients (Anderson, Cain and Gelber, J Clin Oncol
1983; Mantel and Byar, JASA 1974; Suissa, Am J Epidemiol 2008):

* ``naive``: ever against never reached the state, both counted from the first dose;
* ``landmark``: patients alive at the landmark, grouped by whether they had reached the state by then,
  followed from the landmark;
* ``time_varying``: a Cox model with the state as a time-varying covariate (each patient counts as
  "not yet" until the day the state is reached).

:func:`event_rate` solves the hazard of reaching the state from the share of patients who reach it
(printed by a study); :func:`immortal_lab` runs the grid; :func:`immortal_readings` picks the numbers
a page quotes.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import optimize

from trialkit import _check
from trialkit.survival import cox_switch_log_hr
from trialkit.labs._common import SEED, grid, hazard, spread

ANALYSES = {
    "naive": "Naive, from first dose",
    "landmark": "Landmark",
    "time_varying": "Time-varying Cox",
}


def reach_share(rate: float, death_hazard: float, window: float) -> float:
    """Share of patients who reach the state: P(state time < min(death, window)) with exponential
    times, ``rate / (rate + death_hazard) * (1 - exp(-(rate + death_hazard) * window))``."""
    rate = _check.real("rate", rate, low=0.0)
    death_hazard = _check.real("death_hazard", death_hazard, low=0.0, low_open=True)
    window = _check.real("window", window, low=0.0, low_open=True)
    total = rate + death_hazard
    return rate / total * (1.0 - math.exp(-total * window))


def event_rate(share: float, death_hazard: float, window: float) -> float:
    """The hazard (per month) of reaching the state that makes :func:`reach_share` equal ``share``."""
    death_hazard = _check.real("death_hazard", death_hazard, low=0.0, low_open=True)
    window = _check.real("window", window, low=0.0, low_open=True)
    share = _check.real("share", share, low=0.0, high=1.0, low_open=True, high_open=True)
    hi = 1.0
    while reach_share(hi, death_hazard, window) < share:
        hi *= 2.0
        if hi > 1e6:
            raise ValueError(f"share {share} cannot be reached within a window of {window} months")
    return float(optimize.brentq(lambda r: reach_share(r, death_hazard, window) - share, 0.0, hi, xtol=1e-12))


def simulate(n_patients: int, death_hazard: float, rate: float, window: float, effect_hr: float, follow_up: float,
             rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One SIMULATED cohort: observed time, death indicator, time the state was reached (inf: never)."""
    base = rng.exponential(1.0 / death_hazard, n_patients)
    reach = rng.exponential(1.0 / rate, n_patients) if rate > 0 else np.full(n_patients, np.inf)
    reached = (reach < base) & (reach < window) & (reach < follow_up)
    after = rng.exponential(1.0 / (death_hazard * effect_hr), n_patients)
    death = np.where(reached, reach + after, base)
    time = np.minimum(death, follow_up)
    dead = death <= follow_up
    return time, dead, np.where(reached, reach, np.inf)


def analyse(time, dead, reach, landmark: float) -> dict:
    """Hazard ratios (reached vs not) of the three analyses of one cohort."""
    ever = np.where(np.isfinite(reach), 0.0, np.inf)
    out = {"naive": cox_switch_log_hr(time, dead, ever)}
    alive = time > landmark
    by = np.where(reach[alive] <= landmark, 0.0, np.inf)
    out["landmark"] = cox_switch_log_hr(time[alive] - landmark, dead[alive], by)
    out["time_varying"] = cox_switch_log_hr(time, dead, reach)
    return {k: math.exp(v) if np.isfinite(v) else float("nan") for k, v in out.items()}


def immortal_lab(*, n_patients: int, median_months: float, share: float, window: float, landmarks,
                 effect_hrs=(1.0, 0.7, 0.5), follow_up: float = 60.0, n_trials: int = 300, seed: int = SEED) -> pd.DataFrame:
    """The three analyses on ``n_trials`` SIMULATED cohorts per (effect, landmark).

    ``n_patients``, ``median_months`` (median survival without the state) and ``share`` (share of
    patients who reach the state within ``window`` months) come from a study's data. Returns one row
    per (effect_hr, landmark, analysis): median, low, high, geometric_mean of the estimated hazard
    ratio (trials where an analysis has no event in one group are left out), and ``share_reached``
    (mean share reaching the state).
    """
    n_patients = _check.integer("n_patients", n_patients, low=20)
    median_months = _check.real("median_months", median_months, low=0.0, low_open=True)
    window = _check.real("window", window, low=0.0, low_open=True)
    follow_up = _check.real("follow_up", follow_up, low=window, low_open=True)
    lms = grid("landmarks", landmarks, high=follow_up)
    effects = grid("effect_hrs", effect_hrs, high=10.0)
    n_trials = _check.integer("n_trials", n_trials, low=20, high=100_000)
    seed = _check.integer("seed", seed, low=0)
    d = hazard(median_months)
    r = event_rate(share, d, window)
    rows = []
    for i, eff in enumerate(effects):
        rng = np.random.default_rng(seed + i)
        cohorts = [simulate(n_patients, d, r, window, eff, follow_up, rng) for _ in range(n_trials)]
        reached = float(np.mean([np.isfinite(c[2]).mean() for c in cohorts]))
        for lm in lms:
            res = pd.DataFrame([analyse(*c, landmark=lm) for c in cohorts])
            for a in ANALYSES:
                v = res[a].dropna()
                if v.empty:
                    raise ValueError(f"no simulated cohort could be analysed by {a!r} at landmark {lm} (too few events)")
                rows.append({"effect_hr": eff, "landmark": lm, "analysis": a, **spread(v), "share_reached": reached})
    return pd.DataFrame(rows)


def immortal_readings(grid_: pd.DataFrame, prefix: str, effect_hr: float = 1.0, landmark: float | None = None) -> dict:
    """Median hazard ratios of the three analyses at ``effect_hr`` and ``landmark`` (default: the
    smallest), as ``<prefix>_naive``, ``<prefix>_landmark``, ``<prefix>_tv``, and the landmark as
    ``<prefix>_lm``."""
    g = grid_[np.isclose(grid_["effect_hr"], effect_hr)]
    if g.empty:
        raise ValueError(f"effect_hr {effect_hr} is not in the grid (has {sorted(grid_['effect_hr'].unique())})")
    lm = float(g["landmark"].min()) if landmark is None else float(landmark)
    g = g[np.isclose(g["landmark"], lm)].set_index("analysis")["median"]
    if g.empty:
        raise ValueError(f"landmark {landmark} is not in the grid")
    return {f"{prefix}_naive": float(g["naive"]), f"{prefix}_landmark": float(g["landmark"]),
            f"{prefix}_tv": float(g["time_varying"]), f"{prefix}_lm": lm}

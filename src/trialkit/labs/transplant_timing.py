"""Transplant after randomisation: comparing transplanted with non-transplanted patients.

A patient must survive until the transplant to be transplanted, so counting transplanted patients as
"transplanted" from time zero credits them with months in which they could not have died as
transplanted patients (immortal time; Anderson, Cain and Gelber, J Clin Oncol 1983; Suissa, Am J
Epidemiol 2008). Three analyses of the same SYNTHETIC patients (:func:`transplant_timing_lab`):

* ``naive`` -- ever transplanted against never, from time zero (biased towards benefit);
* ``landmark`` -- patients alive and followed at a landmark, grouped by transplant before it, followed
  from the landmark (unbiased for the landmark question, but later transplants are counted as
  "not transplanted");
* ``time_varying`` -- a Cox model in which each patient counts as not transplanted until the day of the
  transplant and transplanted afterwards (the approach of E1910's sensitivity analysis).

Patients die at a constant hazard before transplant and at ``transplant_hr`` times that hazard after
it; transplants happen at a constant hazard among the living. The Cox fits use one binary covariate,
fitted by :func:`trialkit.survival.cox_switch_log_hr` (Newton's method on the partial likelihood).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trialkit import _check
from trialkit.survival import cox_switch_log_hr
from trialkit.labs._common import SEED, hazard

ANALYSES = {"naive": "From time zero",
            "landmark": "Landmark",
            "time_varying": "Time-varying"}


def _hr(time, event, start) -> float:
    beta = cox_switch_log_hr(time, event, start)
    return float(np.exp(beta)) if np.isfinite(beta) else float("nan")


def _one_trial(rng, n, h_death, h_tx, hr_tx, follow_up, landmark):
    d0 = rng.exponential(1 / h_death, n)
    tx = rng.exponential(1 / h_tx, n)
    after = rng.exponential(1 / (h_death * hr_tx), n)
    transplanted_before_death = tx < d0
    death = np.where(transplanted_before_death, tx + after, d0)
    obs = np.minimum(death, follow_up)
    dead = death <= follow_up
    tx_seen = np.where(transplanted_before_death & (tx < obs), tx, np.inf)
    ever = np.isfinite(tx_seen)
    naive = _hr(obs, dead, np.where(ever, 0.0, np.inf))
    keep = obs > landmark
    early = (tx_seen <= landmark)[keep]
    land = _hr(obs[keep] - landmark, dead[keep], np.where(early, 0.0, np.inf))
    tv = _hr(obs, dead, tx_seen)
    return naive, land, tv, float(ever.mean())


def transplant_timing_lab(n_patients: int = 224, death_median_months: float = 60.0, transplant_median_months: float = 24.0,
                          transplant_hrs=(0.5, 0.7, 1.0, 1.4), landmark_months: float = 6.0,
                          follow_up_months: float = 48.0, n_trials: int = 200, seed: int = SEED) -> pd.DataFrame:
    """SIMULATED cohorts of ``n_patients`` in which transplant multiplies the death hazard by each of
    ``transplant_hrs``; three analyses per cohort (:data:`ANALYSES`).

    Returns one row per true transplant HR and analysis: transplant_hr, analysis, label, median, low,
    high (2.5th and 97.5th percentiles of the estimates), transplanted (mean share ever transplanted).
    """
    n = _check.integer("n_patients", n_patients, low=20, high=100_000)
    h_death = hazard(_check.real("death_median_months", death_median_months, low=0.0, low_open=True))
    h_tx = hazard(_check.real("transplant_median_months", transplant_median_months, low=0.0, low_open=True))
    fu = _check.real("follow_up_months", follow_up_months, low=0.0, low_open=True)
    lm = _check.real("landmark_months", landmark_months, low=0.0, high=fu, low_open=True, high_open=True)
    n_trials = _check.integer("n_trials", n_trials, low=10, high=100_000)
    hrs = [_check.real(f"transplant_hrs[{i}]", h, low=0.0, low_open=True, high=20.0) for i, h in enumerate(transplant_hrs)]
    if not hrs:
        raise ValueError("transplant_hrs must list at least one hazard ratio")
    rows = []
    for i, hr in enumerate(hrs):
        rng = np.random.default_rng(_check.integer("seed", seed, low=0) + i)
        est = np.array([_one_trial(rng, n, h_death, h_tx, hr, fu, lm) for _ in range(n_trials)])
        for j, (key, label) in enumerate(ANALYSES.items()):
            v = est[:, j]
            v = v[np.isfinite(v)]
            rows.append({"transplant_hr": hr, "analysis": key, "label": label, "median": float(np.median(v)),
                         "low": float(np.quantile(v, 0.025)), "high": float(np.quantile(v, 0.975)),
                         "transplanted": float(est[:, 3].mean())})
    return pd.DataFrame(rows)

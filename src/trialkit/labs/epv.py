"""Too many factors for the events: false "significant" prognostic factors and events per variable.

A univariate screen of many candidate factors at P < .05, followed by stepwise selection, finds
factors by chance, and the hazard ratios of the factors it keeps are exaggerated (the winner's curse).
The rule of thumb of about ten events per candidate variable (Peduzzi et al., J Clin Epidemiol 1995)
guards against unstable estimates, not against selection.

:func:`screen_lab` simulates a study of a given size and event count with ``k`` binary candidate
factors of no effect at all, screens each with a Cox model (score test), and counts the factors that
pass; :func:`screen_readings` picks what a page quotes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from trialkit import _check, sim
from trialkit.labs._common import SEED


def screen_lab(*, n_patients: int, n_events: int, candidates=(1, 3, 6, 9, 12, 15, 20), prevalence: float = 0.3,
               alpha: float = 0.05, n_trials: int = 500, seed: int = SEED) -> pd.DataFrame:
    """For each number of null candidate factors ``k``: epv (events per candidate), mean_false (mean
    number passing the screen), p_any (share of studies with at least one), and median_selected_hr
    (median of the hazard ratios, folded away from 1, of the factors that passed).

    Patients have exponential times; ``n_events`` of the ``n_patients`` have an event (the others are
    censored at random earlier times), as in a study with that many events. Factors are independent
    binary variables with the given ``prevalence``, unrelated to survival."""
    n = _check.integer("n_patients", n_patients, low=10)
    d = _check.integer("n_events", n_events, low=2, high=n)
    ks = sorted({_check.integer("candidates", k, low=1, high=200) for k in candidates})
    if not ks:
        raise ValueError("candidates must list at least one number of factors")
    prev = _check.real("prevalence", prevalence, low=0.0, high=1.0, low_open=True, high_open=True)
    a = _check.real("alpha", alpha, low=0.0, high=1.0, low_open=True, high_open=True)
    n_trials = _check.integer("n_trials", n_trials, low=20, high=100_000)
    seed = _check.integer("seed", seed, low=0)
    rng = np.random.default_rng(seed)
    kmax = max(ks)
    z_crit = float(abs(norm.ppf(a / 2)))
    passed = np.zeros((n_trials, kmax), bool)
    hrs = np.full((n_trials, kmax), np.nan)
    for i in range(n_trials):
        t = rng.exponential(1.0, n)
        ev = np.zeros(n, bool)
        ev[rng.choice(n, d, replace=False)] = True
        t = np.where(ev, t, t * rng.random(n))
        x = rng.random((kmax, n)) < prev
        res = sim.logrank_many(np.tile(t, (kmax, 1)), np.tile(ev, (kmax, 1)), x, cox=True)
        z = np.asarray(res.z, float)
        hr = np.exp(np.asarray(res.cox_log_hr, float))
        passed[i] = np.abs(z) > z_crit
        hrs[i] = hr
    rows = []
    for k in ks:
        p = passed[:, :k]
        sel = hrs[:, :k][p]
        folded = np.where(sel < 1, 1 / sel, sel)
        rows.append({"candidates": k, "epv": d / k, "mean_false": float(p.sum(axis=1).mean()),
                     "p_any": float((p.sum(axis=1) > 0).mean()), "theory_any": 1 - (1 - a) ** k,
                     "median_selected_hr": float(np.median(folded)) if folded.size else float("nan")})
    return pd.DataFrame(rows)


def screen_readings(grid_: pd.DataFrame, k: int, prefix: str) -> dict:
    """The row for ``k`` candidates as ``<prefix>_epv``, ``_any`` (percent), ``_mean``, ``_hr``."""
    row = grid_[grid_["candidates"] == k]
    if row.empty:
        raise ValueError(f"k must be one of {list(grid_['candidates'])}, got {k}")
    r = row.iloc[0]
    return {f"{prefix}_epv": float(r["epv"]), f"{prefix}_any": 100 * float(r["p_any"]),
            f"{prefix}_mean": float(r["mean_false"]), f"{prefix}_hr": float(r["median_selected_hr"])}

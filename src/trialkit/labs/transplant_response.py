"""Transplant after response: the effect of a transplant that happens *during* follow-up, estimated three
ways on one SYNTHETIC cohort whose truth is known.

Patients die at an exponential rate with a given median. A share of them respond and, if still alive,
receive a transplant at a time drawn uniformly in a window; from then on their death rate is multiplied
by the true transplant hazard ratio. Responders may also have a better prognosis from the start
(``responder_hr``), which is what makes transplant look good even when it does nothing. Three analyses:

* ``naive``: transplanted (ever) versus not, clock from time 0 — patients must survive until their
  transplant to be counted as transplanted (immortal time), so transplant looks protective;
* ``landmark``: among patients alive at the end of the transplant window, transplanted by then versus
  not, clock restarted there (Anderson, Cain and Gelber 1983);
* ``time_varying``: a Cox model in which transplant switches on at its date.

The landmark and time-varying analyses recover the true hazard ratio (in this model every transplant
falls within the window), but only when responders' prognosis does not otherwise differ; none of them
is what a randomised comparison of the two arms estimates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trialkit import _check, survival
from trialkit.labs._common import SEED, grid as _grid, hazard

ANALYSES = {"naive": "Ever vs never transplanted (from day 0)", "landmark": "Landmark at the end of the window",
            "time_varying": "Transplant as a time-varying covariate"}


def simulate_cohort(n: int, median: float, responder_share: float, window: tuple[float, float], transplant_hr: float,
                    responder_hr: float = 1.0, follow_up: float = 36.0, seed: int = SEED) -> pd.DataFrame:
    """One SYNTHETIC cohort: columns time, event, responder, transplant_time (nan if never)."""
    n = _check.integer("n", n, low=50, high=200_000)
    median = _check.real("median", median, low=0.0, high=600.0, low_open=True)
    share = _check.real("responder_share", responder_share, low=0.0, high=1.0, low_open=True, high_open=True)
    w0 = _check.real("window[0]", window[0], low=0.0)
    w1 = _check.real("window[1]", window[1], low=w0, low_open=True)
    thr = _check.real("transplant_hr", transplant_hr, low=0.0, high=10.0, low_open=True)
    rhr = _check.real("responder_hr", responder_hr, low=0.0, high=10.0, low_open=True)
    fu = _check.real("follow_up", follow_up, low=w1, low_open=True)
    rng = np.random.default_rng(seed)
    lam = hazard(median)
    responder = rng.random(n) < share
    rate0 = lam * np.where(responder, rhr, 1.0)
    planned = np.where(responder, rng.uniform(w0, w1, n), np.nan)
    first = rng.exponential(1.0, n) / rate0  # death time without transplant
    # with transplant at c (if alive then): after c the rate is multiplied by transplant_hr
    extra = rng.exponential(1.0, n)
    transplanted = responder & (first > planned)
    death = np.where(transplanted, planned + extra / (rate0 * thr), first)
    time = np.minimum(death, fu)
    event = (death <= fu).astype(int)
    tx = np.where(transplanted & (planned < time), planned, np.nan)
    return pd.DataFrame({"time": time, "event": event, "responder": responder.astype(int), "transplant_time": tx})


def transplant_response_lab(n: int, median: float, responder_share: float, window=(1.0, 4.0), transplant_hrs=None,
                          responder_hrs=(1.0, 0.6), seed: int = SEED) -> pd.DataFrame:
    """The hazard ratio of transplant estimated by the three :data:`ANALYSES` for every true transplant
    hazard ratio and responder prognosis, on SYNTHETIC cohorts of ``n`` patients."""
    transplant_hrs = _grid("transplant_hrs", transplant_hrs if transplant_hrs is not None else (0.5, 0.75, 1.0, 1.25, 1.5), high=10.0)
    responder_hrs = _grid("responder_hrs", responder_hrs, high=10.0)
    rows = []
    for rhr in responder_hrs:
        for thr in transplant_hrs:
            f = simulate_cohort(n, median, responder_share, window, thr, rhr, seed=seed)
            ever = f["transplant_time"].notna().astype(int)
            naive = survival.cox(f.assign(tx=ever), "time", "event", ["tx"]).hr("tx")
            lm = float(window[1])
            alive = f[f["time"] > lm].copy()
            alive["tx"] = (alive["transplant_time"] <= lm).astype(int)
            alive["time"] = alive["time"] - lm
            land = survival.cox(alive, "time", "event", ["tx"]).hr("tx")
            rows_tv = survival.split_at_event(f["time"], f["event"], f["transplant_time"], name="tx")
            tv = survival.cox_time_varying(rows_tv, "id", "start", "stop", "event", ["tx"]).hr("tx")
            for key, (hr, lo, hi) in (("naive", naive), ("landmark", land), ("time_varying", tv)):
                rows.append({"responder_hr": float(rhr), "transplant_hr": float(thr), "analysis": key,
                             "analysis_label": ANALYSES[key], "hr": float(hr), "low": float(lo), "high": float(hi),
                             "transplanted": float(ever.mean())})
    return pd.DataFrame(rows)


def transplant_response_readings(grid: pd.DataFrame) -> dict:
    """The estimates when transplant does nothing (true HR 1) and responders are not otherwise different
    (``tt_<analysis>``), and when responders are fitter (``tt_<analysis>_fit``)."""
    out = {}
    rhrs = sorted(grid["responder_hr"].unique())
    for key in ANALYSES:
        for suffix, rhr in (("", max(rhrs)), ("_fit", min(rhrs))):
            r = grid[(grid["analysis"] == key) & np.isclose(grid["transplant_hr"], 1.0) & np.isclose(grid["responder_hr"], rhr)]
            if r.empty:
                raise ValueError("the grid must include a true transplant hazard ratio of 1")
            out[f"tt_{key}{suffix}"] = float(r["hr"].iloc[0])
    return out

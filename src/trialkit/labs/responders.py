"""Conditioning on response: a remission duration (or any outcome) reported *among responders* compares
groups that randomisation did not form. A more effective drug brings harder-to-treat patients into
remission, so its responders can do worse than the other arm's even when the drug shortens no one's
remission; per randomised patient the picture is the opposite.

Model (a deliberately simple latent-variable model, not the trial's data): each randomised patient has
a resistance ``L`` ~ N(0, 1), the same in both arms (randomisation). A patient reaches remission in an
arm when ``L`` is below that arm's threshold, set so that the arm's remission rate is the published
one. Once in remission, the patient relapses (or dies) with hazard ``h0 * exp(beta * L) * theta_arm``:
``beta`` says how strongly the resistance that decides remission also decides its durability, and
``theta`` is the experimental drug's own effect on durability within a patient (1: none). ``h0`` is
calibrated so that the control responders' median duration is the published one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, stats

from trialkit import _check
from trialkit.labs._common import grid as _grid

_L = np.linspace(-7.0, 7.0, 4001)
_W = stats.norm.pdf(_L) * (_L[1] - _L[0])


def _in_remission(t: np.ndarray, threshold: float, h0: float, beta: float, theta: float) -> tuple[np.ndarray, float]:
    """P(in remission at each t | responder) and P(response), by integration over L."""
    resp = _L < threshold
    w = _W * resp
    p_resp = float(w.sum())
    h = h0 * np.exp(beta * _L) * theta
    s = np.exp(-np.outer(t, h))  # t x L
    return (s @ w) / p_resp, p_resp


def _median(threshold: float, h0: float, beta: float, theta: float) -> float:
    f = lambda t: float(_in_remission(np.array([t]), threshold, h0, beta, theta)[0][0]) - 0.5
    hi = 1.0
    while f(hi) > 0:
        hi *= 4.0
        if hi > 1e9:
            raise ValueError("the median remission duration is beyond any finite horizon for these parameters")
    return float(optimize.brentq(f, 0.0, hi))


def responders_lab(response_rates, control_median: float, betas=None, thetas=None, times=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For each ``beta`` and ``theta``: the share still in remission over ``times`` (months) in each arm,
    among responders and per randomised patient (``curves``), and a summary per (beta, theta) with the
    medians among responders and the share in remission at the middle time per randomised patient.

    ``response_rates``: (experimental, control) remission rates as proportions in (0, 1);
    ``control_median``: the control responders' median duration (months), used to calibrate ``h0``."""
    if len(response_rates) != 2:
        raise ValueError(f"response_rates must be (experimental, control), got {response_rates!r}")
    rates = [_check.real(f"response_rates[{i}]", r, low=0.0, high=1.0, low_open=True, high_open=True) for i, r in enumerate(response_rates)]
    med_c = _check.real("control_median", control_median, low=0.0, high=600.0, low_open=True)
    betas = _grid("betas", betas if betas is not None else np.round(np.arange(0.25, 1.51, 0.25), 2), low=-0.001, high=3.0)
    thetas = _grid("thetas", thetas if thetas is not None else np.round(np.arange(0.5, 1.01, 0.1), 2), high=2.0)
    times = np.asarray(times if times is not None else np.arange(0.0, 12.01, 0.5), dtype=float)
    if times.ndim != 1 or times.size < 2 or np.any(times < 0):
        raise ValueError("times must list at least two non-negative months")
    thr = [float(stats.norm.ppf(r)) for r in rates]
    curves, summary = [], []
    mid = float(times[len(times) // 2])
    for beta in betas:
        # calibrate h0 on the control arm (theta 1): h0 rescales time, so the median scales as 1 / h0
        h0 = _median(thr[1], 1.0, beta, 1.0) / med_c
        for theta in thetas:
            row = {"beta": beta, "theta": theta}
            for arm, th, tt, rate in (("experimental", thr[0], theta, rates[0]), ("control", thr[1], 1.0, rates[1])):
                s, p = _in_remission(times, th, h0, beta, tt)
                for t, v in zip(times, s):
                    curves.append({"beta": beta, "theta": theta, "arm": arm, "time": float(t),
                                   "among_responders": 100 * float(v), "per_randomised": 100 * float(v) * p})
                row[f"median_{arm}"] = _median(th, h0, beta, tt)
                row[f"per_randomised_mid_{arm}"] = 100 * p * float(np.interp(mid, times, s))
            row["mid_time"] = mid
            summary.append(row)
    return pd.DataFrame(curves), pd.DataFrame(summary)


def responders_lab_readings(summary: pd.DataFrame, beta: float, theta: float = 1.0) -> dict:
    """The medians among responders and the per-randomised shares at the middle time for one setting."""
    r = summary[np.isclose(summary["beta"], beta) & np.isclose(summary["theta"], theta)]
    if r.empty:
        raise ValueError(f"beta={beta!r}, theta={theta!r} is not on the grid")
    r = r.iloc[0]
    return {"rl_median_e": float(r["median_experimental"]), "rl_median_c": float(r["median_control"]),
            "rl_mid_e": float(r["per_randomised_mid_experimental"]), "rl_mid_c": float(r["per_randomised_mid_control"]),
            "rl_mid_time": float(r["mid_time"]), "rl_beta": float(beta), "rl_theta": float(theta)}

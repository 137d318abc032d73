"""Competing risks: one minus Kaplan–Meier against the cumulative incidence of relapse.

When patients can die before they relapse, "1 − Kaplan–Meier" with deaths censored estimates the
probability of relapse in a world where nobody could die first (and only if deaths are independent of
relapse); the cumulative incidence function (Aalen–Johansen) estimates the probability of relapsing
first in the real world (Putter, Fiocco and Geskus, Stat Med 2007). The gap grows with the rate of
deaths without relapse.

* :func:`curves` -- both quantities in closed form for constant cause-specific hazards and a cured
  fraction that never relapses (but can die);
* :func:`competing_lab` -- a grid over the death hazard for a chart;
* :func:`on_data` -- both estimates on a dataset with a ``cause`` column (e.g. a SYNTHETIC one).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trialkit import _check, survival
from trialkit.labs._common import grid


def curves(relapse_hazard: float, death_hazard: float, cured: float, times) -> pd.DataFrame:
    """time, cif (probability of relapsing first), one_minus_km (what 1 − KM with deaths censored
    estimates), death_first (probability of dying without relapse), for constant hazards (per month)
    and a cured fraction ``cured`` that cannot relapse."""
    lr = _check.real("relapse_hazard", relapse_hazard, low=0.0, low_open=True)
    ld = _check.real("death_hazard", death_hazard, low=0.0)
    pi = _check.real("cured", cured, low=0.0, high=1.0, high_open=True)
    t = np.asarray([_check.real(f"times[{i}]", x, low=0.0) for i, x in enumerate(times)], float)
    total = lr + ld
    cif = (1 - pi) * lr / total * (1 - np.exp(-total * t))
    naive = (1 - pi) * (1 - np.exp(-lr * t))
    death_first = (1 - pi) * (ld / total * (1 - np.exp(-total * t))) + pi * (1 - np.exp(-ld * t))
    return pd.DataFrame({"time": t, "cif": cif, "one_minus_km": naive, "death_first": death_first})


def competing_lab(relapse_hazard: float, cured: float, death_hazards, times) -> pd.DataFrame:
    """:func:`curves` stacked for each death hazard: death_hazard, time, cif, one_minus_km,
    death_first, overstatement (one_minus_km − cif, in probability)."""
    hs = grid("death_hazards", death_hazards, low=-1e-12, high=10.0)
    frames = [curves(relapse_hazard, h, cured, times).assign(death_hazard=h) for h in hs]
    out = pd.concat(frames, ignore_index=True)
    out["overstatement"] = out["one_minus_km"] - out["cif"]
    return out


def on_data(frame: pd.DataFrame, times) -> pd.DataFrame:
    """time, one_minus_km, cif on a dataset with columns ``time`` and ``cause`` ("relapse", "death" or
    empty for censored): 1 − Kaplan–Meier with deaths censored, and the Aalen–Johansen estimate."""
    for c in ("time", "cause"):
        if c not in frame.columns:
            raise ValueError(f"frame lacks column {c!r} (a competing-risk dataset has time and cause)")
    causes = set(frame["cause"].fillna("").unique()) - {"", "relapse", "death"}
    if causes:
        raise ValueError(f"cause must be 'relapse', 'death' or empty, got {sorted(causes)}")
    etype = np.where(frame["cause"] == "relapse", 1, np.where(frame["cause"] == "death", 2, 0))
    km = survival.kaplan_meier(frame["time"], (etype == 1).astype(int))
    cif = survival.cumulative_incidence(frame["time"], etype, cause=1)
    rows = []
    for t in times:
        t = _check.real("times", t, low=0.0)
        s = km[km["time"] <= t]["survival"]
        c = cif[cif["time"] <= t]["cif"]
        rows.append({"time": t, "one_minus_km": 1 - (float(s.iloc[-1]) if len(s) else 1.0),
                     "cif": float(c.iloc[-1]) if len(c) else 0.0})
    return pd.DataFrame(rows)

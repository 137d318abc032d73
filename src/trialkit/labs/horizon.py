"""Choosing the horizon after seeing the curves: how often a restricted-mean or landmark comparison
looks "significant" when there is no effect at all, if the analyst may pick the horizon.

The null is built by permutation: the arm labels of a two-arm dataset (for instance a SYNTHETIC
reconstruction, :mod:`trialkit.synth`) are shuffled, which keeps the shape of survival, the censoring
and the arm sizes but removes any difference between the arms by construction. For every shuffle
:func:`horizon_stats` computes, at each candidate horizon, the z statistic of the difference in
restricted mean survival time (RMST) and of the difference in the Kaplan-Meier survival at that time
(landmark), with Greenwood-type variances. :func:`horizon_lab` then reports the share of shuffles in
which the *chosen* comparison is significant: one horizon fixed in advance, or the most favourable of
the first ``k`` candidates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from trialkit import _check
from trialkit.labs._common import SEED, grid as _grid

STATISTICS = {"rmst": "RMST difference", "landmark": "Landmark survival difference", "either": "Either, whichever is better"}


def km_summaries(time, event, horizons) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Kaplan-Meier survival S(τ) with its Greenwood variance, and RMST(τ) with its variance, at each
    horizon τ of ``horizons`` (one group). Returns ``(surv, var_surv, rmst, var_rmst)``, arrays of the
    horizons' length."""
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=int)
    if t.ndim != 1 or t.shape != e.shape or t.size == 0:
        raise ValueError("time and event must be non-empty one-dimensional arrays of the same length")
    if np.any(~np.isfinite(t)) or np.any(t < 0):
        raise ValueError("time must be finite and non-negative")
    if np.any((e != 0) & (e != 1)):
        raise ValueError("event must be 0 (censored) or 1 (event)")
    taus = np.asarray(horizons, dtype=float)
    order = np.argsort(t, kind="mergesort")
    t, e = t[order], e[order]
    n = t.size
    at_risk = n - np.arange(n)
    ut, first = np.unique(t, return_index=True)
    d = np.add.reduceat(e, first)
    r = at_risk[first]
    keep = d > 0
    ut, d, r = ut[keep], d[keep], r[keep]
    s = np.cumprod(1.0 - d / r)
    with np.errstate(divide="ignore", invalid="ignore"):
        g_terms = np.where(r > d, d / (r * (r - d)), 0.0)
    g = np.cumsum(g_terms)
    # S on each interval [ut_j, ut_{j+1}); before the first event S = 1
    knots = np.concatenate([[0.0], ut])
    s_left = np.concatenate([[1.0], s])  # value from knots[j] on
    surv = np.empty(taus.size)
    var_s = np.empty(taus.size)
    rm = np.empty(taus.size)
    var_rm = np.empty(taus.size)
    for i, tau in enumerate(taus):
        j = np.searchsorted(ut, tau, side="right")  # events at or before tau
        surv[i] = s_left[j]
        var_s[i] = s_left[j] ** 2 * (g[j - 1] if j > 0 else 0.0)
        edges = np.concatenate([knots[: j + 1], [tau]])
        widths = np.diff(edges)
        areas = s_left[: j + 1] * widths
        rm[i] = areas.sum()
        if j > 0:
            # area from each event time to tau
            tail = np.cumsum(areas[::-1])[::-1][1:]  # tail[k] = area from ut[k] to tau
            var_rm[i] = float(np.sum(tail ** 2 * g_terms[:j]))
        else:
            var_rm[i] = 0.0
    return surv, var_s, rm, var_rm


def horizon_stats(time, event, experimental, horizons) -> tuple[np.ndarray, np.ndarray]:
    """z statistics (experimental minus control, positive favours the experimental arm) of the RMST
    difference and of the landmark survival difference at each horizon."""
    x = np.asarray(experimental, dtype=bool)
    t, e = np.asarray(time, dtype=float), np.asarray(event, dtype=int)
    if x.shape != t.shape:
        raise ValueError("experimental must be a boolean array as long as time")
    if x.all() or not x.any():
        raise ValueError("experimental must mark some but not all patients")
    s1, vs1, r1, vr1 = km_summaries(t[x], e[x], horizons)
    s0, vs0, r0, vr0 = km_summaries(t[~x], e[~x], horizons)
    with np.errstate(divide="ignore", invalid="ignore"):
        z_r = np.where(vr1 + vr0 > 0, (r1 - r0) / np.sqrt(vr1 + vr0), 0.0)
        z_s = np.where(vs1 + vs0 > 0, (s1 - s0) / np.sqrt(vs1 + vs0), 0.0)
    return z_r, z_s


def horizon_lab(frame: pd.DataFrame, horizons, n_shuffles: int = 1000, alpha_two_sided: float = 0.05,
                seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The false-positive rate of choosing a horizon after seeing the data, under a permutation null of
    ``frame`` (columns time, event, arm; two arms, the first to appear is the experimental one).

    Returns ``(by_horizon, by_choice)``: ``by_horizon`` has, for each horizon and statistic
    (``rmst``, ``landmark``), the share of shuffles significant in favour of the experimental arm at
    that one prespecified horizon (about ``alpha_two_sided``/2 each); ``by_choice`` has, for ``k`` = 1
    ... number of horizons and each statistic of :data:`STATISTICS`, the share of shuffles in which the
    most favourable of the first ``k`` horizons is significant in favour of the experimental arm."""
    for col in ("time", "event", "arm"):
        if col not in frame.columns:
            raise ValueError(f"frame must have columns time, event, arm; {col!r} is missing")
    arms = list(dict.fromkeys(frame["arm"]))
    if len(arms) != 2:
        raise ValueError(f"frame must have exactly two arms, got {arms}")
    last = float(min(frame.loc[frame["arm"] == a, "time"].max() for a in arms))
    taus = np.asarray(sorted(_grid("horizons", horizons, high=last)))
    n_shuffles = _check.integer("n_shuffles", n_shuffles, low=20, high=100_000)
    alpha = _check.real("alpha_two_sided", alpha_two_sided, low=0.0, high=0.5, low_open=True)
    crit = float(stats.norm.isf(alpha / 2))
    t, e = frame["time"].to_numpy(float), frame["event"].to_numpy(int)
    x = (frame["arm"] == arms[0]).to_numpy()
    rng = np.random.default_rng(seed)
    zr = np.empty((n_shuffles, taus.size))
    zs = np.empty((n_shuffles, taus.size))
    for b in range(n_shuffles):
        perm = rng.permutation(x)
        zr[b], zs[b] = horizon_stats(t, e, perm, taus)
    by_horizon = pd.DataFrame(
        [{"tau": float(tau), "statistic": s, "significant": float(np.mean(z[:, i] > crit))}
         for i, tau in enumerate(taus) for s, z in (("rmst", zr), ("landmark", zs))])
    rows = []
    for k in range(1, taus.size + 1):
        best_r = zr[:, :k].max(axis=1)
        best_s = zs[:, :k].max(axis=1)
        for s, best in (("rmst", best_r), ("landmark", best_s), ("either", np.maximum(best_r, best_s))):
            rows.append({"k": k, "last_tau": float(taus[k - 1]), "statistic": s, "statistic_label": STATISTICS[s],
                         "significant": float(np.mean(best > crit))})
    return by_horizon, pd.DataFrame(rows)


def horizon_readings(by_horizon: pd.DataFrame, by_choice: pd.DataFrame) -> dict:
    """The chapter's numbers: the false-positive share at one prespecified horizon (mean over horizons,
    RMST), and with every horizon available, for RMST and for either statistic (percent)."""
    kmax = int(by_choice["k"].max())
    top = by_choice[by_choice["k"] == kmax].set_index("statistic")["significant"]
    one = by_horizon[by_horizon["statistic"] == "rmst"]["significant"].mean()
    return {"hz_fixed": 100 * float(one), "hz_any_rmst": 100 * float(top["rmst"]), "hz_any_either": 100 * float(top["either"]),
            "hz_k": kmax}

"""Two primary endpoints: the chance of a false claim and the power of each claim when a trial's
one-sided alpha is split between two endpoints, spent twice without adjustment, or passed down a fixed
sequence, as a function of the correlation between the two test statistics.

The two test statistics are taken as bivariate normal with unit variances, correlation ``rho`` and
means (drifts) 0 under no effect and ``drift`` under the effect a trial was planned for. A drift is
recovered from a published power: a one-sided test at level ``alpha`` with power ``power`` has drift
``z(1 - alpha) + z(power)`` (:func:`drift_from_power`). Everything is computed exactly (no
simulation) with the bivariate normal distribution function.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from trialkit import _check

#: Testing strategies, key -> label.
STRATEGIES = {
    "split": "Alpha split evenly",
    "first_a": "Fixed sequence, endpoint A first",
    "first_b": "Fixed sequence, endpoint B first",
    "unadjusted": "Full alpha for each (no adjustment)",
}

#: Truth scenarios, key -> (A has an effect, B has an effect).
SCENARIOS = {"neither": (False, False), "a_only": (True, False), "b_only": (False, True), "both": (True, True)}


def drift_from_power(alpha_one_sided: float, power: float) -> float:
    """The mean of a test statistic that gives ``power`` in a one-sided test at ``alpha_one_sided``."""
    a = _check.real("alpha_one_sided", alpha_one_sided, low=0.0, high=0.5, low_open=True)
    p = _check.real("power", power, low=0.0, high=1.0, low_open=True, high_open=True)
    return float(stats.norm.isf(a) + stats.norm.ppf(p))


def _upper(c: float, mean: float) -> float:
    """P(Z > c) for Z ~ N(mean, 1)."""
    return float(stats.norm.sf(c - mean))


def _both(ca: float, cb: float, ma: float, mb: float, rho: float) -> float:
    """P(Z_A > ca and Z_B > cb) for a standard bivariate normal shifted by (ma, mb), correlation rho."""
    if abs(rho) > 1 - 1e-9:
        rho = np.sign(rho) * (1 - 1e-9)
    mvn = stats.multivariate_normal(mean=[0.0, 0.0], cov=[[1.0, rho], [rho, 1.0]])
    return float(mvn.cdf([ma - ca, mb - cb]))


def rejection_probabilities(strategy: str, alpha_one_sided: float, drift_a: float, drift_b: float, rho: float,
                            share_a: float = 0.5) -> dict:
    """P(claim A), P(claim B) and P(at least one claim) under ``strategy`` (a key of :data:`STRATEGIES`)
    when the two statistics have means ``drift_a``, ``drift_b`` and correlation ``rho``. ``share_a`` is the
    share of the alpha that the ``split`` strategy gives endpoint A (B gets the rest; 0.5: an even split)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {list(STRATEGIES)}, got {strategy!r}")
    alpha = _check.real("alpha_one_sided", alpha_one_sided, low=0.0, high=0.5, low_open=True)
    rho = _check.real("rho", rho, low=-1.0, high=1.0)
    ma = _check.real("drift_a", drift_a, low=-10.0, high=20.0)
    mb = _check.real("drift_b", drift_b, low=-10.0, high=20.0)
    share = _check.real("share_a", share_a, low=0.0, high=1.0, low_open=True, high_open=True)
    full = float(stats.norm.isf(alpha))
    if strategy in ("split", "unadjusted"):
        ca, cb = ((float(stats.norm.isf(alpha * share)), float(stats.norm.isf(alpha * (1 - share))))
                  if strategy == "split" else (full, full))
        pa, pb, both = _upper(ca, ma), _upper(cb, mb), _both(ca, cb, ma, mb, rho)
        return {"claim_a": pa, "claim_b": pb, "any": pa + pb - both}
    both = _both(full, full, ma, mb, rho)
    if strategy == "first_a":
        pa = _upper(full, ma)
        return {"claim_a": pa, "claim_b": both, "any": pa}
    pb = _upper(full, mb)
    return {"claim_a": both, "claim_b": pb, "any": pb}


def two_endpoints_lab(alpha_one_sided: float, drift_a: float, drift_b: float, correlations=None,
                      share_a: float = 0.5) -> pd.DataFrame:
    """For every correlation, truth scenario (:data:`SCENARIOS`) and strategy (:data:`STRATEGIES`): the
    probability of each claim, of a *false* claim (a claim for an endpoint without an effect, the
    familywise error) and of at least one *true* claim. ``alpha_one_sided`` is the trial's whole
    one-sided level; ``drift_a``/``drift_b`` the means of the statistics under the planned effects;
    ``share_a`` the share of the alpha the split gives endpoint A (0.5: even)."""
    alpha = _check.real("alpha_one_sided", alpha_one_sided, low=0.0, high=0.5, low_open=True)
    if correlations is None:
        correlations = np.round(np.arange(0.0, 0.91, 0.1), 2)
    rhos = [_check.real(f"correlations[{i}]", r, low=-1.0, high=1.0) for i, r in enumerate(correlations)]
    if not rhos:
        raise ValueError("correlations must list at least one correlation in [-1, 1]")
    rows = []
    for rho in rhos:
        for scen, (ea, eb) in SCENARIOS.items():
            ma, mb = (drift_a if ea else 0.0), (drift_b if eb else 0.0)
            for strat, label in STRATEGIES.items():
                r = rejection_probabilities(strat, alpha, ma, mb, rho, share_a)
                if not ea and not eb:
                    false_claim, true_claim = r["any"], 0.0
                elif ea and not eb:
                    false_claim, true_claim = r["claim_b"], r["claim_a"]
                elif eb and not ea:
                    false_claim, true_claim = r["claim_a"], r["claim_b"]
                else:
                    false_claim, true_claim = 0.0, r["any"]
                rows.append({"rho": float(rho), "scenario": scen, "strategy": strat, "strategy_label": label,
                             "claim_a": r["claim_a"], "claim_b": r["claim_b"], "any_claim": r["any"],
                             "false_claim": false_claim, "true_claim": true_claim})
    return pd.DataFrame(rows)


def two_endpoints_readings(grid: pd.DataFrame, rho: float = 0.0) -> dict:
    """Percentages the chapter quotes at correlation ``rho``: familywise error with no effect under each
    strategy (``fwer_<strategy>``) and the power of each claim when both effects are as planned
    (``power_a_<strategy>``, ``power_b_<strategy>``)."""
    g = grid[np.isclose(grid["rho"], rho)]
    if g.empty:
        raise ValueError(f"rho must be one of the grid's correlations {sorted(grid['rho'].unique())}, got {rho!r}")
    out = {}
    for strat in STRATEGIES:
        null = g[(g["scenario"] == "neither") & (g["strategy"] == strat)].iloc[0]
        both = g[(g["scenario"] == "both") & (g["strategy"] == strat)].iloc[0]
        out[f"fwer_{strat}"] = 100 * float(null["false_claim"])
        out[f"power_a_{strat}"] = 100 * float(both["claim_a"])
        out[f"power_b_{strat}"] = 100 * float(both["claim_b"])
    return out

"""Post-randomisation exclusion: intention to treat versus as treated when part of one arm withdraws
before treatment (:func:`trialkit.sim.exclude_withdrawals`), and a response rate with two
denominators (everyone randomised, only the treated)."""

from __future__ import annotations

import pandas as pd

from trialkit import _check, sim, stats
from trialkit.labs._common import SEED, grid, hazard, spread
from trialkit.trials import Trial


def withdrawal_lab(trial: Trial, true_hrs=(0.6, 0.7, 0.8, 0.9, 1.0), withdrawal_hrs=(0.5, 0.67, 1.0, 1.5, 2.0, 3.0),
                   withdrawal_fractions=None, withdrawal_arm: str = "control", n_trials: int = 400,
                   follow_up_months: float = 12.0, seed: int = SEED) -> pd.DataFrame:
    """Intention-to-treat versus as-treated hazard ratios when a share of one arm (``withdrawal_arm``,
    "control" or "experimental") never starts treatment (withdraws before it), on a grid of the reader's
    assumptions.

    Trials of ``trial.n_per_arm`` patients, control median ``trial.control_median`` (the observed one),
    follow-up ``follow_up_months`` for everyone. ``withdrawal_fractions`` defaults to 5 %, the trial's
    published share of that arm never treated (``trial.never_treated``: the as-treated analysis
    excludes every untreated patient, not only those who withdrew consent) and 30 %. ``withdrawal_hrs`` is
    the death hazard of the patients who would withdraw relative to the others (above 1: frailer; below
    1: fitter, e.g. leaving to be treated elsewhere).

    Returns one row per (true_hr, withdrawal_fraction, withdrawal_hr, analysis): median, low, high (2.5th
    and 97.5th percentiles) and geometric_mean of the Cox hazard ratio over ``n_trials`` trials.
    """
    _check.choice("withdrawal_arm", withdrawal_arm, {"control", "experimental"})
    hrs = grid("true_hrs", true_hrs, high=2.0)
    whrs = grid("withdrawal_hrs", withdrawal_hrs, high=20.0)
    if withdrawal_fractions is None:
        if trial.never_treated is None:
            raise ValueError(f"withdrawal_fractions must be given: {trial.name} reports no count of treated "
                             f"patients per arm")
        published = trial.never_treated[0 if withdrawal_arm == "experimental" else 1]
        withdrawal_fractions = (0.05, published, 0.30)
    fractions = grid("withdrawal_fractions", withdrawal_fractions, high=0.9)
    n_trials = _check.integer("n_trials", n_trials, low=50, high=100_000)
    follow_up_months = _check.real("follow_up_months", follow_up_months, low=0.0, low_open=True)
    seed = _check.integer("seed", seed, low=0)
    trial.need("control_median", by="withdrawal_lab")
    rows = []
    k = 0
    for hr in hrs:
        for f in fractions:
            for w in whrs:
                res = sim.exclude_withdrawals(seed=seed + k, true_hr=hr, withdrawal_fraction=f, withdrawal_hr=w,
                                              withdrawal_arm=withdrawal_arm, control_hazard=hazard(trial.control_median),
                                              n_per_arm=trial.n_per_arm, follow_up_months=follow_up_months,
                                              n_trials=n_trials)
                k += 1
                for analysis, g in res.groupby("analysis", observed=True):
                    rows.append({"true_hr": hr, "withdrawal_fraction": f, "withdrawal_hr": w,
                                 "analysis": str(analysis), **spread(g["cox_hr"])})
    return pd.DataFrame(rows)


def withdrawal_readings(grid_: pd.DataFrame, fraction: float, true_hr: float, frail: float = 3.0,
                        fit: float = 0.5) -> dict:
    """Median hazard ratios of :func:`withdrawal_lab` at one share never treated (``fraction``, also
    returned as ``untreated_pct``) and one true HR, when the untreated patients die ``frail`` times as
    fast (as treated, ITT) and ``fit`` times as fast (as treated)."""
    sel = grid_[((grid_["withdrawal_fraction"] - fraction).abs() < 1e-9) & ((grid_["true_hr"] - true_hr).abs() < 1e-9)]
    if sel.empty:
        raise ValueError(f"fraction {fraction!r} and true_hr {true_hr!r} must be on the laboratory's grid")
    sel = sel.set_index(["withdrawal_hr", "analysis"])["median"]
    return {"untreated_pct": 100 * fraction, "wd_frail_at": float(sel.loc[(frail, "as_treated")]), "wd_frail_itt": float(sel.loc[(frail, "itt")]),
            "wd_fit_at": float(sel.loc[(fit, "as_treated")])}


def responders_by_denominator(trial: Trial, responders) -> pd.DataFrame:
    """A response rate with two denominators: everyone randomised (ITT, as published) and only the
    patients who received trial treatment (assuming every responder was treated).

    ``responders``: responders per arm (experimental, control). One row per population ("All
    randomised (ITT)", "Treated only"): responders and patients per arm, percents, and the difference
    experimental minus control with its Wald 95 % interval (percentage points).
    """
    trial.need("treated", by="responders_by_denominator")
    if len(responders) != 2:
        raise ValueError(f"responders must give two counts (experimental, control), got {responders!r}")
    resp = {arm: _check.integer(f"responders[{i}]", r, low=0) for i, (arm, r) in enumerate(zip(trial.arms, responders))}
    exp, ctl = trial.arms
    rows = []
    for label, counts in (("All randomised (ITT)", trial.n_per_arm), ("Treated only", trial.treated)):
        n = dict(zip(trial.arms, counts))
        for arm in trial.arms:
            if resp[arm] > n[arm]:
                raise ValueError(f"responders in {arm} ({resp[arm]}) exceed the {label} denominator ({n[arm]})")
        rd = stats.risk_difference(resp[exp], n[exp], resp[ctl], n[ctl])
        rows.append({"population": label,
                     f"responders_{exp}": resp[exp], f"n_{exp}": n[exp], f"percent_{exp}": 100 * resp[exp] / n[exp],
                     f"responders_{ctl}": resp[ctl], f"n_{ctl}": n[ctl], f"percent_{ctl}": 100 * resp[ctl] / n[ctl],
                     "difference": 100 * rd.estimate, "difference_low": 100 * rd.low, "difference_high": 100 * rd.high})
    return pd.DataFrame(rows)


def responders_readings(trial: Trial, table: pd.DataFrame) -> dict:
    """Percents and differences of :func:`responders_by_denominator` under the names the chapters use:
    ``rem_<e|c|d>_<itt|treated>`` (experimental, control, difference; ``e``/``c`` are the arm keys'
    initials)."""
    exp, ctl = trial.arms
    if exp[0] == ctl[0] or "d" in (exp[0], ctl[0]):
        raise ValueError(f"the arm keys {trial.arms} need distinct initials other than 'd' for these names")
    out = {}
    for i, key in enumerate(("itt", "treated")):
        r = table.iloc[i]
        out[f"rem_{ctl[0]}_{key}"] = float(r[f"percent_{ctl}"])
        out[f"rem_{exp[0]}_{key}"] = float(r[f"percent_{exp}"])
        out[f"rem_d_{key}"] = float(r["difference"])
    return out

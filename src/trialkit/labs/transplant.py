"""Censoring at transplant: overall survival analysed as randomised versus censored at allogeneic
transplant (:func:`trialkit.sim.censor_at_transplant`), with a world without transplant as the
reference (the hypothetical estimand that censoring targets)."""

from __future__ import annotations

import pandas as pd

from trialkit import _check, sim
from trialkit.labs._common import SEED, grid, hazard, spread
from trialkit.trials import Trial

ANALYSES = {
    "no_transplant": "Reference: no transplant available",
    "itt": "All deaths counted (ITT)",
    "censored_at_transplant": "Censored at transplant",
}


def transplant_patterns(trial: Trial, rate: float = 0.10) -> dict[str, tuple[float, float]]:
    """Monthly transplant rates among candidates (experimental, control), by scenario: equal in both
    arms (``rate``), or twice as high in one arm (1.4 ``rate`` against 0.7 ``rate``)."""
    rate = _check.real("rate", rate, low=0.0, high=1.0, low_open=True)
    exp, ctl = (label.lower() for label in trial.arm_labels)
    return {"Equal in both arms": (rate, rate),
            f"Twice as high after {exp}": (round(1.4 * rate, 10), round(0.7 * rate, 10)),
            f"Twice as high after {ctl}": (round(0.7 * rate, 10), round(1.4 * rate, 10))}


def transplant_lab(trial: Trial, non_candidate_hrs=(1.0, 1.5, 2.0, 3.0, 4.0), patterns=None, true_hr: float = 0.7,
                   candidate_fraction: float = 0.5, post_transplant_hr: float = 0.6, n_trials: int = 400,
                   follow_up_months: float = 12.0, seed: int = SEED) -> pd.DataFrame:
    """Overall survival analysed as randomised versus censored at transplant, on SYNTHETIC (simulated)
    trials of ``trial``'s size, for each prognosis gap and transplant pattern.

    A share ``candidate_fraction`` of each arm are transplant candidates; the others have a death hazard
    ``non_candidate_hr`` times higher (``non_candidate_hrs``: 1 means transplant is unrelated to
    prognosis). Candidates are transplanted at the monthly rates of ``patterns`` (a dict name ->
    (experimental, control) rates; default :func:`transplant_patterns`); transplant multiplies the death
    hazard by ``post_transplant_hr``. Control median ``trial.control_median`` before transplant,
    experimental hazard ``true_hr`` times the control's. The reference analysis runs the same trials with
    transplant made (practically) impossible.

    Returns one row per (non_candidate_hr, pattern, analysis): median, low, high, geometric_mean of the
    Cox hazard ratio, and the mean shares transplanted in each arm (transplanted_experimental,
    transplanted_control; 0 for the reference).
    """
    ncs = grid("non_candidate_hrs", non_candidate_hrs, high=20.0)
    patterns = transplant_patterns(trial) if patterns is None else dict(patterns)
    if not patterns:
        raise ValueError("patterns must name at least one transplant pattern (name -> (experimental, control) rates)")
    for name, rates in patterns.items():
        if len(rates) != 2:
            raise ValueError(f"patterns[{name!r}] must be (experimental, control) monthly rates, got {rates!r}")
        for i, r in enumerate(rates):
            _check.real(f"patterns[{name!r}][{i}]", r, low=0.0, high=1.0, low_open=True)
    true_hr = _check.real("true_hr", true_hr, low=0.0, low_open=True)
    n_trials = _check.integer("n_trials", n_trials, low=50, high=100_000)
    seed = _check.integer("seed", seed, low=0)
    trial.need("control_median", by="transplant_lab")
    common = dict(true_hr=true_hr, post_transplant_hr=post_transplant_hr, control_hazard=hazard(trial.control_median),
                  candidate_fraction=candidate_fraction, n_per_arm=trial.n_per_arm,
                  follow_up_months=follow_up_months, n_trials=n_trials)
    rows = []
    for i, nc in enumerate(ncs):
        ref = sim.censor_at_transplant(seed=seed + i, transplant_hazard_experimental=1e-12,
                                       transplant_hazard_control=1e-12, non_candidate_hr=nc, **common)
        ref_row = spread(ref[ref["analysis"] == "itt"]["cox_hr"])
        for pattern, (h_e, h_c) in patterns.items():
            # the same seed: the same patients and the same deaths before any transplant
            res = sim.censor_at_transplant(seed=seed + i, transplant_hazard_experimental=h_e,
                                           transplant_hazard_control=h_c, non_candidate_hr=nc, **common)
            rows.append({"non_candidate_hr": nc, "pattern": pattern, "analysis": "no_transplant", **ref_row,
                         "transplanted_experimental": 0.0, "transplanted_control": 0.0})
            for analysis, g in res.groupby("analysis", observed=True):
                rows.append({"non_candidate_hr": nc, "pattern": pattern, "analysis": str(analysis),
                             **spread(g["cox_hr"]),
                             "transplanted_experimental": float(g["transplanted_experimental"].mean()),
                             "transplanted_control": float(g["transplanted_control"].mean())})
    return pd.DataFrame(rows)


def transplant_readings(grid_: pd.DataFrame, gap: float = 3.0) -> dict:
    """Median hazard ratios of :func:`transplant_lab` that a chapter reports, with the patterns in the
    order of :func:`transplant_patterns` (equal, more transplants after the experimental arm, after the
    control arm): at a prognosis gap ``gap`` the reference, censored (both unequal patterns) and ITT
    estimates; at no gap (1) the censored estimate and the reference."""
    patterns = list(dict.fromkeys(grid_["pattern"]))
    if len(patterns) != 3:
        raise ValueError(f"the grid must hold three transplant patterns (equal, more after each arm), got {patterns}")
    g = grid_.set_index(["non_candidate_hr", "pattern", "analysis"])["median"]
    _, more_e, more_c = patterns
    return {"tx_ref": float(g[(gap, more_e, "no_transplant")]),
            "tx_cens_b": float(g[(gap, more_e, "censored_at_transplant")]),
            "tx_cens_c": float(g[(gap, more_c, "censored_at_transplant")]),
            "tx_itt_b": float(g[(gap, more_e, "itt")]),
            "tx_cens_1": float(g[(1.0, more_e, "censored_at_transplant")]),
            "tx_ref_1": float(g[(1.0, more_e, "no_transplant")])}

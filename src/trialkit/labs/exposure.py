"""Counting adverse events: the crude share of patients with an event against the exposure-adjusted
event rate, under a constant rate (Poisson) with equal exposure for every patient."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from trialkit import _check
from trialkit.labs._common import grid

RATE_SCENARIOS = ("Published rates", "Equal rates in both arms")


def poisson_exposure_months(proportion: float, rate_per_100py: float) -> float:
    """The mean exposure (months) at which a constant event rate ``rate_per_100py`` (events per 100
    patient-years) gives a share ``proportion`` of patients with at least one event, if every patient
    had the same exposure and events followed a Poisson process: T = -log(1 - p) / rate.

    A back-of-the-envelope reconciliation of a crude proportion and an exposure-adjusted rate, not a
    recomputation: real exposure varies between patients and events cluster in some of them.
    """
    p = _check.probability("proportion", proportion)
    rate = _check.real("rate_per_100py", rate_per_100py, low=0.0, low_open=True)
    return float(-math.log1p(-p) / (rate / 100) * 12)


def exposure_lab(rates: dict, months=None) -> pd.DataFrame:
    """Crude percent of patients with at least one event against the exposure-adjusted event rate, for
    each arm and a grid of mean exposures (``months``, default 0.1 to 8 by 0.1).

    ``rates``: arm -> published events per 100 patient-years, experimental arm first. Scenarios
    (:data:`RATE_SCENARIOS`): the published rates, or both arms at the experimental arm's rate. Under
    a constant rate (Poisson, equal exposure for every patient) the crude percent is
    100 (1 - exp(-rate T)); the rate does not depend on T.

    Returns one row per (scenario, arm, months): rate_per_100py, crude_percent.
    """
    if not isinstance(rates, dict) or len(rates) != 2:
        raise ValueError(f"rates must map two arms (experimental first) to events per 100 patient-years, got {rates!r}")
    rates = {arm: _check.real(f"rates[{arm!r}]", r, low=0.0, low_open=True) for arm, r in rates.items()}
    months = tuple(round(float(m), 1) for m in np.arange(0.1, 8.0 + 1e-9, 0.1)) if months is None else grid("months", months, high=120.0)
    first = next(iter(rates.values()))
    rows = []
    for scenario in RATE_SCENARIOS:
        for arm, published in rates.items():
            rate = published if scenario == RATE_SCENARIOS[0] else first
            for m in months:
                rows.append({"scenario": scenario, "arm": arm, "months": m, "rate_per_100py": rate,
                             "crude_percent": 100 * (1 - math.exp(-rate / 100 * m / 12))})
    return pd.DataFrame(rows)


def exposure_readings(grid_: pd.DataFrame, percents: dict) -> tuple[dict, dict]:
    """The mean exposure per arm that reconciles each published crude percent (``percents``: arm ->
    percent) with its published rate (:func:`poisson_exposure_months`), as ``implied_<arm>``, and the
    grid's nearest months to start the sliders at."""
    rates = grid_[grid_["scenario"] == RATE_SCENARIOS[0]].groupby("arm", sort=False)["rate_per_100py"].first()
    months = sorted(grid_["months"].unique())
    implied = {arm: poisson_exposure_months(percents[arm] / 100, rates[arm]) for arm in rates.index}
    defaults = {arm: min(months, key=lambda m: abs(m - implied[arm])) for arm in implied}
    return {f"implied_{arm}": v for arm, v in implied.items()}, defaults

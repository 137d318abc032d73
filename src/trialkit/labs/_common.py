"""What every laboratory shares: the fixed seed, grid validation and the spread of simulated estimates."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from trialkit import _check

#: The course's fixed seed (20170302): every laboratory is reproducible.
SEED = 20170302
LN2 = math.log(2.0)


def grid(name: str, values, *, low: float = 0.0, high: float | None = None) -> tuple[float, ...]:
    """A non-empty sequence of distinct positive numbers (a laboratory's grid)."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise ValueError(f"{name} must be a non-empty sequence of numbers in ({low}, {high or 'inf'}], got {values!r}")
    out = tuple(_check.real(f"{name}[{i}]", v, low=low, high=high, low_open=True) for i, v in enumerate(values))
    if not out:
        raise ValueError(f"{name} must be a non-empty sequence of numbers in ({low}, {high or 'inf'}], got {values!r}")
    if len(set(out)) != len(out):
        raise ValueError(f"{name} must not repeat a value, got {list(out)}")
    return out


def spread(values: pd.Series) -> dict:
    """Median, 2.5th and 97.5th percentiles and geometric mean of simulated hazard ratios."""
    v = values.to_numpy(dtype=float)
    return {"median": float(np.median(v)), "low": float(np.quantile(v, 0.025)), "high": float(np.quantile(v, 0.975)),
            "geometric_mean": float(np.exp(np.mean(np.log(v))))}


def hazard(median_months: float) -> float:
    """The exponential hazard (per month) with this median."""
    return LN2 / median_months

"""Statistics that reproduce what the publications print: intervals for proportions, differences,
numbers needed to treat, event rates, and conversions between a hazard ratio's interval, its
standard error and its P value.

Each function states its method and validates its arguments (``ValueError`` naming the argument).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats as _st

from trialkit import _check


@dataclass(frozen=True)
class Interval:
    """An estimate with a two-sided confidence interval."""

    estimate: float
    low: float
    high: float
    level: float
    method: str

    def as_tuple(self) -> tuple[float, float, float]:
        return (self.estimate, self.low, self.high)


def _z(level: float) -> float:
    return float(_st.norm.ppf(0.5 + level / 2))


def clopper_pearson(x: int, n: int, level: float = 0.95) -> Interval:
    """Exact (Clopper-Pearson) confidence interval for a binomial proportion x/n.

    The limits are beta quantiles: ``Beta(a/2; x, n-x+1)`` and ``Beta(1-a/2; x+1, n-x)``, with the
    lower limit 0 when x = 0 and the upper limit 1 when x = n (Clopper and Pearson, Biometrika 1934).
    """
    x, n = _check.count_pair("x", x, "n", n)
    level = _check.level("level", level)
    a = 1 - level
    low = 0.0 if x == 0 else float(_st.beta.ppf(a / 2, x, n - x + 1))
    high = 1.0 if x == n else float(_st.beta.ppf(1 - a / 2, x + 1, n - x))
    return Interval(x / n, low, high, level, "Clopper-Pearson exact")


def clopper_pearson_grid(ns, ps, level: float = 0.95):
    """Clopper-Pearson limits on a grid of sample sizes and observed proportions (x = round(p*n)).

    Returns a pandas DataFrame with columns n, p, x, estimate, low, high: one row per (n, p).
    """
    import pandas as pd

    level = _check.level("level", level)
    rows = []
    for n in ns:
        for p in ps:
            p = _check.probability("ps", p, closed=True)
            x = int(round(p * int(n)))
            ci = clopper_pearson(x, int(n), level)
            rows.append({"n": int(n), "p": round(p, 6), "x": x, "estimate": ci.estimate, "low": ci.low, "high": ci.high})
    return pd.DataFrame(rows)

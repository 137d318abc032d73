"""Computations behind the Part I pages "Randomised trials and their biases" and "Interim looks, power and
historical controls": grids of group-sequential
boundaries and of event-driven power for its interactive figures, the familywise error of several
tests, and the test of interaction between two subgroup hazard ratios.

Everything statistical is delegated to :mod:`trialkit.design` (Lan-DeMets spending boundaries,
exact type I error of naive repeated looks, Schoenfeld's events formula) and :mod:`trialkit.stats`;
this module assembles the grids the charts filter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as _st

from trialkit import _check, design, stats


def look_fractions(looks: int, first: float = 0.5) -> tuple[float, ...]:
    """Information fractions of ``looks`` analyses: the first at ``first``, the others equally spaced
    up to the final analysis at 1. One look is the fixed design (1.0,)."""
    looks = _check.integer("looks", looks, low=1, high=20)
    first = _check.real("first", first, low=0.0, high=1.0, low_open=True, high_open=True)
    if looks == 1:
        return (1.0,)
    return tuple(float(first + (1 - first) * k / (looks - 1)) for k in range(looks))


def boundary_grid(looks=range(1, 6), firsts=(0.25, 0.5, 0.75), alpha: float = 0.025,
                  spendings=design.SPENDING_FUNCTIONS) -> pd.DataFrame:
    """Efficacy boundaries of every design in the grid (number of looks x first-look fraction x
    spending function), from :func:`trialkit.design.spending_boundaries` at one-sided ``alpha``
    (a two-sided symmetric test at 2 alpha uses the same |z|).

    One row per design and look: looks, first, spending, look, fraction, z (boundary), nominal_p
    (the two-sided nominal P value that stops the trial at that look: 2 (1 - Phi(z))), alpha_spent
    (cumulative, two-sided), and naive_alpha: the overall two-sided type I error if every look were
    tested at the unadjusted z_{1 - alpha} (1.96 for alpha 0.025), from
    :func:`trialkit.design.naive_repeated_looks_alpha`.
    """
    alpha = _check.probability("alpha", alpha)
    looks = [_check.integer(f"looks[{i}]", k, low=1, high=20) for i, k in enumerate(looks)]
    firsts = [_check.real(f"firsts[{i}]", f, low=0.0, high=1.0, low_open=True, high_open=True) for i, f in enumerate(firsts)]
    spendings = [_check.choice("spendings", s, design.SPENDING_FUNCTIONS) for s in spendings]
    if not looks or not firsts or not spendings:
        raise ValueError("looks, firsts and spendings must each hold at least one value")
    z_naive = float(_st.norm.isf(alpha))
    frames = []
    for k in looks:
        for f in firsts:
            fr = look_fractions(k, f)
            naive = design.naive_repeated_looks_alpha(fr, z=z_naive, sided=2)
            for s in spendings:
                b = design.spending_boundaries(fr, alpha=alpha, spending=s, sided=1)
                frames.append(pd.DataFrame({
                    "looks": k, "first": f, "spending": s, "look": b["look"], "fraction": b["fraction"],
                    "z": b["z"], "nominal_p": 2 * b["nominal_p"], "alpha_spent": 2 * b["alpha_spent"],
                    "naive_alpha": naive,
                }))
    return pd.concat(frames, ignore_index=True)


def allocation_label(allocation) -> str:
    """"2:1" for (2, 1)."""
    e, c = allocation
    return f"{e:g}:{c:g}"


def power_grid(events, hrs, allocations=((1, 1), (2, 1), (3, 1)), alpha: float = 0.05, sided: int = 2,
               targets=(0.8, 0.9)) -> pd.DataFrame:
    """Power of the log-rank test (Schoenfeld's formula, :func:`trialkit.design.events_power`) for
    every number of ``events``, hazard ratio and allocation (experimental:control).

    One row per combination: events, hr, allocation (label such as "2:1"), power, and for each target
    power p the events it needs, ``events_<100 p>`` (:func:`trialkit.design.events_needed`, rounded up).
    """
    events = [_check.real(f"events[{i}]", e, low=0.0, low_open=True) for i, e in enumerate(events)]
    hrs = [_check.real(f"hrs[{i}]", h, low=0.0, low_open=True) for i, h in enumerate(hrs)]
    if not events or not hrs:
        raise ValueError("events and hrs must each hold at least one value")
    rows = []
    for alloc in allocations:
        label = allocation_label(alloc)
        for hr in hrs:
            needed = {f"events_{round(100 * p)}": math.ceil(design.events_needed(hr, p, alloc, alpha, sided)) for p in targets}
            for e in events:
                rows.append({"events": e, "hr": hr, "allocation": label,
                             "power": design.events_power(e, hr, alloc, alpha, sided), **needed})
    return pd.DataFrame(rows)


def familywise_error(k: int, alpha: float = 0.05) -> float:
    """The probability of at least one false-positive result among ``k`` independent tests, each at
    level ``alpha``, when every null hypothesis is true: 1 - (1 - alpha)^k. (Correlated tests give
    less; Bonferroni's alpha / k per test keeps it below alpha whatever the correlation.)"""
    k = _check.integer("k", k, low=1)
    alpha = _check.probability("alpha", alpha)
    return float(1 - (1 - alpha) ** k)


@dataclass(frozen=True)
class Interaction:
    """The ratio of two subgroup hazard ratios (a over b) with its interval and the P value of the
    test of interaction."""

    ratio: float
    ci_low: float
    ci_high: float
    z: float
    p: float
    level: float
    method: str = "difference of log hazard ratios, standard errors from the intervals (Altman and Bland 2003)"


def interaction_test(hr_a: float, low_a: float, high_a: float, hr_b: float, low_b: float, high_b: float,
                     level: float = 0.95) -> Interaction:
    """Test of interaction between two independent subgroups from their published hazard ratios and
    intervals (Altman and Bland, BMJ 2003): log(HR_a / HR_b) with standard error
    sqrt(se_a^2 + se_b^2), each se recovered from its interval (:func:`trialkit.stats.se_from_ci`)."""
    se_a = stats.se_from_ci(hr_a, low_a, high_a, level)
    se_b = stats.se_from_ci(hr_b, low_b, high_b, level)
    d = math.log(hr_a) - math.log(hr_b)
    se = math.hypot(se_a, se_b)
    z = d / se
    zq = float(_st.norm.isf((1 - level) / 2))
    return Interaction(float(np.exp(d)), float(np.exp(d - zq * se)), float(np.exp(d + zq * se)), z,
                       stats.p_from_z(z, sided=2), level)

"""Statistics that reproduce what the publications print: intervals for proportions, differences,
numbers needed to treat, event rates, and conversions between a hazard ratio's interval, its
standard error and its P value.

Each function states its method and validates its arguments (``ValueError`` naming the argument).
"""

from __future__ import annotations

import math
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


def wilson(x: int, n: int, level: float = 0.95) -> Interval:
    """Wilson score interval for a binomial proportion (Wilson, JASA 1927)."""
    x, n = _check.count_pair("x", x, "n", n)
    level = _check.level("level", level)
    z = _z(level)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half), level, "Wilson score")


RISK_DIFFERENCE_METHODS = ("wald", "newcombe", "agresti-caffo")


def risk_difference(x1: int, n1: int, x2: int, n2: int, level: float = 0.95, method: str = "wald") -> Interval:
    """Difference of two proportions, x1/n1 - x2/n2, with a two-sided confidence interval.

    Methods: ``"wald"`` (unpooled normal approximation), ``"newcombe"`` (hybrid score interval from
    two Wilson intervals, Newcombe, Stat Med 1998, method 10), ``"agresti-caffo"`` (Wald after adding
    one success and one failure to each group, Agresti and Caffo, Am Stat 2000).
    """
    x1, n1 = _check.count_pair("x1", x1, "n1", n1)
    x2, n2 = _check.count_pair("x2", x2, "n2", n2)
    level = _check.level("level", level)
    _check.choice("method", method, RISK_DIFFERENCE_METHODS)
    p1, p2 = x1 / n1, x2 / n2
    d = p1 - p2
    z = _z(level)
    if method == "wald":
        se = np.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
        return Interval(d, d - z * se, d + z * se, level, "Wald (unpooled)")
    if method == "agresti-caffo":
        a1, a2 = (x1 + 1) / (n1 + 2), (x2 + 1) / (n2 + 2)
        se = np.sqrt(a1 * (1 - a1) / (n1 + 2) + a2 * (1 - a2) / (n2 + 2))
        return Interval(d, (a1 - a2) - z * se, (a1 - a2) + z * se, level, "Agresti-Caffo")
    w1, w2 = wilson(x1, n1, level), wilson(x2, n2, level)
    low = d - np.sqrt((p1 - w1.low) ** 2 + (w2.high - p2) ** 2)
    high = d + np.sqrt((w1.high - p1) ** 2 + (p2 - w2.low) ** 2)
    return Interval(d, low, high, level, "Newcombe hybrid score")


def risk_ratio(x1: int, n1: int, x2: int, n2: int, level: float = 0.95) -> Interval:
    """Ratio of two proportions with the log (Katz) interval; needs x1, x2 > 0."""
    x1, n1 = _check.count_pair("x1", x1, "n1", n1)
    x2, n2 = _check.count_pair("x2", x2, "n2", n2)
    level = _check.level("level", level)
    if x1 == 0 or x2 == 0:
        raise ValueError("x1 and x2 must be >= 1 for a risk ratio interval (log scale)")
    rr = (x1 / n1) / (x2 / n2)
    se = np.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
    z = _z(level)
    return Interval(rr, rr * np.exp(-z * se), rr * np.exp(z * se), level, "log (Katz)")


NNT_OUTCOMES = ("good", "bad")


@dataclass(frozen=True)
class NNT:
    """Number needed to treat, from a risk difference and its interval (Altman, BMJ 1998).

    Sign convention: ``nnt`` is positive for benefit (NNTB: patients to treat with the experimental
    arm for one more patient to be better off) and negative for harm (NNTH: for one more patient to be
    worse off), whichever way the counted outcome points (see :func:`nnt`'s ``outcome``). ``low`` and
    ``high`` follow the same sign convention. When the interval of the difference includes 0, the
    interval of the NNT runs from NNTB ``low`` (> 0) through infinity to NNTH ``|high|`` (``high`` < 0;
    ``crosses_zero`` is True).
    """

    nnt: float
    low: float
    high: float
    crosses_zero: bool
    level: float
    outcome: str

    @property
    def kind(self) -> str:
        """``"benefit"`` (NNTB) or ``"harm"`` (NNTH): the direction of the point estimate."""
        return "benefit" if self.nnt > 0 else "harm"

    def describe(self) -> str:
        label = "NNTB" if self.nnt > 0 else "NNTH"
        if self.crosses_zero:
            return (f"{label} {abs(self.nnt):.1f} ({self.level:.0%} CI: NNTB {self.low:.1f} to infinity "
                    f"to NNTH {abs(self.high):.1f})")
        return f"{label} {abs(self.nnt):.1f} ({self.level:.0%} CI {abs(self.low):.1f} to {abs(self.high):.1f})"


def nnt(x1: int, n1: int, x2: int, n2: int, *, outcome: str, level: float = 0.95, method: str = "wald") -> NNT:
    """Number needed to treat with the experimental arm (x1 of n1 patients had the counted outcome)
    instead of the control arm (x2 of n2): 1 / risk difference, interval from the inverted limits of
    the difference (:func:`risk_difference` with ``method``).

    ``outcome`` (required, no default) says which way the counted outcome points: ``"good"`` (e.g.
    remission: more of it is benefit) or ``"bad"`` (e.g. death or a serious adverse event: more of it
    is harm). The result is positive for benefit (NNTB) and negative for harm (NNTH), see :class:`NNT`.
    Example: 88/109 vs 32/109 remissions is an NNTB of 1.9 (``outcome="good"``); 17/112 vs 40/112
    deaths is an NNTB of 4.9 (``outcome="bad"``), the same counts read as good outcomes an NNTH.
    """
    _check.choice("outcome", outcome, NNT_OUTCOMES)
    rd = risk_difference(x1, n1, x2, n2, level, method)
    if rd.estimate == 0:
        raise ValueError("the risk difference is 0: the number needed to treat is infinite")
    sign = 1.0 if outcome == "good" else -1.0
    est, lo, hi = sign * rd.estimate, *sorted((sign * rd.low, sign * rd.high))  # benefit difference and its interval
    crosses = lo < 0 < hi
    if crosses:
        return NNT(1 / est, 1 / hi, 1 / lo, True, rd.level, outcome)
    a, b = sorted((1 / lo, 1 / hi))
    return NNT(1 / est, a, b, False, rd.level, outcome)


def poisson_rate(events: int, exposure: float, per: float = 100.0, level: float = 0.95) -> Interval:
    """Event rate per ``per`` units of exposure (e.g. per 100 patient-years) with the exact
    (Garwood, Biometrika 1936) chi-square interval for a Poisson count."""
    events = _check.integer("events", events, low=0)
    exposure = _check.real("exposure", exposure, low=0.0, low_open=True)
    per = _check.real("per", per, low=0.0, low_open=True)
    level = _check.level("level", level)
    a = 1 - level
    low = 0.0 if events == 0 else _st.chi2.ppf(a / 2, 2 * events) / 2
    high = _st.chi2.ppf(1 - a / 2, 2 * events + 2) / 2
    scale = per / exposure
    return Interval(events * scale, low * scale, high * scale, level, "exact Poisson (Garwood)")


def implied_exposure(events: float, rate: float, per: float = 100.0) -> float:
    """The exposure that turns ``events`` into the printed ``rate`` per ``per`` units: events * per / rate."""
    events = _check.real("events", events, low=0.0)
    rate = _check.real("rate", rate, low=0.0, low_open=True)
    per = _check.real("per", per, low=0.0, low_open=True)
    return events * per / rate


# --- hazard ratios: CI <-> SE <-> P --------------------------------------------------------------


def se_from_ci(estimate: float, low: float, high: float, level: float = 0.95) -> float:
    """Standard error of log(estimate) from a ratio's interval: (log high - log low) / (2 z)."""
    estimate = _check.real("estimate", estimate, low=0.0, low_open=True)
    low = _check.real("low", low, low=0.0, low_open=True)
    high = _check.real("high", high, low=0.0, low_open=True)
    level = _check.level("level", level)
    if not low <= estimate <= high:
        raise ValueError(f"low <= estimate <= high is required, got {low}, {estimate}, {high}")
    if low == high:
        raise ValueError("low and high must differ")
    return float((np.log(high) - np.log(low)) / (2 * _z(level)))


def ci_from_se(estimate: float, se: float, level: float = 0.95) -> Interval:
    """Interval of a ratio from the standard error of its logarithm."""
    estimate = _check.real("estimate", estimate, low=0.0, low_open=True)
    se = _check.real("se", se, low=0.0, low_open=True)
    level = _check.level("level", level)
    z = _z(level)
    return Interval(estimate, estimate * np.exp(-z * se), estimate * np.exp(z * se), level, "Wald on log scale")


def p_from_z(z: float, sided: int = 2) -> float:
    """P value of a standard normal statistic: two-sided 2(1 - Φ(|z|)), one-sided 1 - Φ(z) (the upper
    tail). Under the package's sign convention (a negative log-rank z favours the experimental arm,
    see :mod:`trialkit`) the one-sided P value for benefit is ``p_from_z(-z, sided=1)``."""
    z = _check.real("z", z)
    _check.choice("sided", sided, (1, 2))
    return float(2 * _st.norm.sf(abs(z))) if sided == 2 else float(_st.norm.sf(z))


def z_from_p(p: float, sided: int = 2) -> float:
    """The |z| whose P value is ``p`` (two-sided by default)."""
    p = _check.probability("p", p)
    _check.choice("sided", sided, (1, 2))
    return float(_st.norm.isf(p / 2 if sided == 2 else p))


def p_from_ci(estimate: float, low: float, high: float, level: float = 0.95) -> float:
    """Two-sided Wald P value implied by a ratio and its interval (Altman and Bland, BMJ 2011)."""
    se = se_from_ci(estimate, low, high, level)
    return p_from_z(float(np.log(estimate)) / se, sided=2)


def _printed_decimals(x: float) -> int:
    """Decimals of the shortest representation of ``x`` (17.9 -> 1, 9.65 -> 2, 28.0 -> 0)."""
    text = repr(float(x))
    if "e" in text or "E" in text:
        mantissa, exponent = text.lower().split("e")
        return max(0, len(mantissa.split(".")[1].rstrip("0")) - int(exponent) if "." in mantissa else -int(exponent))
    return len(text.split(".")[1].rstrip("0")) if "." in text else 0


def difference_p_from_ci(estimate: float, low: float, high: float, level: float = 0.95) -> float:
    """Two-sided P value implied by a difference and its symmetric (Wald) interval:
    se = (high - low) / (2 z), P = 2 (1 - Φ(|estimate| / se)).

    Only a symmetric interval (estimate in the middle) has this meaning: an asymmetric one (a Newcombe
    or exact interval, or a ratio's interval on the ratio scale) is rejected. The numbers are taken
    as printed, so the tolerance is what rounding can explain: with u one unit of the last decimal
    printed (the most decimals among the three numbers), the asymmetry (high - estimate) -
    (estimate - low) = high + low - 2 estimate can be off by at most u/2 + u/2 + 2 (u/2) = 2u.
    """
    estimate, low, high = (_check.real(n, v) for n, v in (("estimate", estimate), ("low", low), ("high", high)))
    level = _check.level("level", level)
    if not low < high:
        raise ValueError(f"low < high is required, got {low}, {high}")
    unit = 10.0 ** -max(_printed_decimals(v) for v in (estimate, low, high))
    asymmetry = (high - estimate) - (estimate - low)
    if abs(asymmetry) > 2 * unit * (1 + 1e-9):
        raise ValueError(f"low and high must be symmetric about estimate (a Wald interval): high - estimate = "
                         f"{high - estimate:g} but estimate - low = {estimate - low:g}; the difference {asymmetry:g} is "
                         f"more than the {2 * unit:g} (2 units of the last printed decimal) that rounding can explain")
    se = (high - low) / (2 * _z(level))
    return p_from_z(estimate / se, sided=2)


# --- balance of baseline characteristics -----------------------------------------------------------


STANDARDIZED_DIFFERENCE_KINDS = ("proportion", "mean")


def standardized_difference(a1: float, a2: float, b1: float | None = None, b2: float | None = None,
                            kind: str = "proportion") -> float:
    """Standardised difference of a baseline characteristic between two groups (group 1 minus group 2),
    in units of a pooled standard deviation (Austin, Stat Med 2009; Flury and Riedwyl, Am Stat 1986).

    * ``kind="proportion"``: ``a1``, ``a2`` are the two proportions in [0, 1] (``b1``, ``b2`` unused):
      d = (p1 - p2) / sqrt((p1 (1 - p1) + p2 (1 - p2)) / 2).
    * ``kind="mean"``: ``a1``, ``a2`` are the means and ``b1``, ``b2`` the standard deviations (> 0):
      d = (m1 - m2) / sqrt((s1^2 + s2^2) / 2).

    Unlike a P value it does not grow with the sample size: it describes the size of an imbalance. A
    common rule of thumb calls |d| < 0.1 negligible. Returns 0 for two proportions both equal to 0 or
    both equal to 1 (no variation, no difference).
    Example: 162/271 men versus 77/134, ``standardized_difference(162 / 271, 77 / 134)`` is 0.047.
    """
    _check.choice("kind", kind, STANDARDIZED_DIFFERENCE_KINDS)
    if kind == "proportion":
        p1 = _check.probability("a1", a1, closed=True)
        p2 = _check.probability("a2", a2, closed=True)
        var = (p1 * (1 - p1) + p2 * (1 - p2)) / 2
        if var == 0:
            if p1 != p2:  # one group all 0, the other all 1: the difference is unbounded
                raise ValueError(f"a1 and a2 must not be 0 and 1 (no variation in either group), got {p1}, {p2}")
            return 0.0
        return float((p1 - p2) / np.sqrt(var))
    m1 = _check.real("a1", a1)
    m2 = _check.real("a2", a2)
    if b1 is None or b2 is None:
        raise ValueError("b1 and b2 (the standard deviations) must be given when kind='mean'")
    s1 = _check.real("b1", b1, low=0.0, low_open=True)
    s2 = _check.real("b2", b2, low=0.0, low_open=True)
    return float((m1 - m2) / np.sqrt((s1 ** 2 + s2 ** 2) / 2))


@dataclass(frozen=True)
class HazardRatio:
    """A published hazard ratio (``treatment`` versus ``control``) with its interval at ``level``."""

    estimate: float
    low: float
    high: float
    level: float = 0.95
    treatment: str = "A"
    control: str = "C"
    label: str = ""

    def __post_init__(self):
        for name in ("estimate", "low", "high"):
            _check.real(name, getattr(self, name), low=0.0, low_open=True)
        _check.level("level", self.level)
        if not self.low < self.estimate < self.high:
            raise ValueError(f"a hazard ratio needs low < estimate < high, got {self.low}, {self.estimate}, {self.high}"
                             + (f" ({self.label})" if self.label else ""))

    @property
    def log(self) -> float:
        return math.log(self.estimate)

    @property
    def se(self) -> float:
        """Standard error of log HR from the interval at its stated level (the interval's two halves
        are averaged on the log scale, which absorbs the rounding of the printed limits)."""
        return (math.log(self.high) - math.log(self.low)) / (2 * _z(self.level))

    def se_if_level(self, level: float) -> float:
        """The standard error the same interval would imply if it were read at ``level`` (to show
        what misreading a 97.5 % interval as a 95 % one does)."""
        level = _check.level("level", level)
        return (math.log(self.high) - math.log(self.low)) / (2 * _z(level))

    def p_two_sided(self, level: float | None = None) -> float:
        """The two-sided P value the interval implies (Wald, log scale), read at ``level`` (default the
        stated one): a check that the level was read right, against the printed P."""
        se = self.se if level is None else self.se_if_level(level)
        return float(2 * _st.norm.sf(abs(self.log) / se))

    def interval(self, level: float = 0.95) -> tuple[float, float]:
        """The interval at another ``level``, from the same standard error."""
        level = _check.level("level", level)
        z = _z(level)
        return (math.exp(self.log - z * self.se), math.exp(self.log + z * self.se))

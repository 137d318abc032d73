"""Trial design: power and events for a log-rank comparison, power and sample size for two
proportions, and group-sequential efficacy boundaries from Lan-DeMets alpha-spending functions.

Conventions used throughout the module:

* ``alpha`` is always the total type I error and always comes with ``sided``: a two-sided test
  (``sided=2``) puts ``alpha / 2`` in each tail, a one-sided test (``sided=1``) all of it in the tail
  of the assumed effect. The group-sequential functions have no default for ``sided``: a boundary at
  "0.025" means different things one- and two-sided.
* Hazard ratios are experimental / control; efficacy boundaries are given as positive magnitudes z,
  and a trial crosses for efficacy when its log-rank Z (negative favours the experimental arm, see
  :mod:`trialkit`) is at or below -z.
* ``allocation`` is the ratio experimental:control as a pair of positive numbers, e.g. ``(2, 1)``.
* Power counts only the tail in the direction of the assumed effect. For a two-sided test the far
  tail (rejecting in the wrong direction) is ignored: it is Phi(-2 z_a - z_b), about 1e-6 at two-sided
  0.05 and 80 % power, and ignoring it makes the sample-size functions exact inverses of the power
  functions (statsmodels' two-sided power includes it; R's power.prop.test does not). A one-sided
  test is taken to be in the direction of the assumed effect.
* Sample sizes and event counts are returned unrounded (round each arm up with ``math.ceil``).

Each function states its method and validates its arguments (``ValueError`` naming the argument and
the allowed range).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize as _opt
from scipy import stats as _st
from scipy.special import ndtr as _ndtr  # the standard normal CDF (norm.cdf without its per-call overhead)

from trialkit import _check

EVENTS_METHODS = ("schoenfeld", "freedman")
PROPORTION_METHODS = ("normal", "pooled", "continuity", "arcsine")
SPENDING_FUNCTIONS = ("obrien-fleming", "pocock")


# --- argument helpers ---------------------------------------------------------------------------


def _sided(sided) -> int:
    return _check.choice("sided", _check.integer("sided", sided), (1, 2))


def _z_alpha(alpha: float, sided: int) -> float:
    return float(_st.norm.isf(alpha / sided))


def _hazard_ratio(hr) -> float:
    hr = _check.real("hr", hr, low=0.0, low_open=True)
    if hr == 1.0:
        raise ValueError("hr must be in (0, inf) and differ from 1, got 1.0")
    return hr


def _as_tuple(value) -> tuple | None:
    """The items of a list, tuple or 1-d array; None for a string, a scalar or anything else."""
    if isinstance(value, (str, bytes, dict)):
        return None
    try:
        return tuple(value)
    except TypeError:
        return None


def _allocation(allocation) -> tuple[float, float]:
    """A ratio experimental:control given as two positive numbers, e.g. (2, 1)."""
    items = _as_tuple(allocation)
    if items is None or len(items) != 2:
        raise ValueError(f"allocation must be a pair (experimental, control) of numbers in (0, inf), got {allocation!r}")
    e = _check.real("allocation[0]", items[0], low=0.0, low_open=True)
    c = _check.real("allocation[1]", items[1], low=0.0, low_open=True)
    return e, c


def _power(power, low: float) -> float:
    """A target power in (low, 1): below ``low`` the sample-size equation has no positive root."""
    return _check.real("power", power, low=low, high=1.0, low_open=True, high_open=True)


def _fractions(fractions) -> np.ndarray:
    """Information fractions: a non-empty, strictly increasing sequence of numbers in (0, 1]."""
    items = _as_tuple(fractions)
    if not items:
        raise ValueError(f"fractions must be a non-empty sequence of numbers in (0, 1], got {fractions!r}")
    t = np.array([_check.real(f"fractions[{i}]", f, low=0.0, high=1.0, low_open=True) for i, f in enumerate(items)])
    if np.any(np.diff(t) <= 0):
        raise ValueError(f"fractions must be strictly increasing, got {t.tolist()}")
    return t


# --- events for a log-rank / Cox comparison ------------------------------------------------------


def _events_drift(hr: float, allocation: tuple[float, float], method: str) -> float:
    """The standardized effect per event: power = Phi(sqrt(D) * drift - z_alpha)."""
    e, c = allocation
    if method == "schoenfeld":
        p1, p2 = e / (e + c), c / (e + c)
        return float(np.sqrt(p1 * p2) * abs(np.log(hr)))
    k = e / c
    return float(np.sqrt(k) * abs(1 - hr) / (1 + k * hr))


def events_power(events: float, hr: float, allocation=(1, 1), alpha: float = 0.05, sided: int = 2,
                 method: str = "schoenfeld") -> float:
    """Power of the log-rank test after ``events`` events when the true hazard ratio
    (experimental / control) is ``hr`` and patients are randomized ``allocation`` = experimental:control.

    Methods invert the events formulas:

    * ``"schoenfeld"``: D = (z_a + z_b)^2 / (p1 p2 (log HR)^2), p1, p2 the allocation fractions
      (Schoenfeld, Biometrika 1981; Biometrics 1983).
    * ``"freedman"``: D = (z_a + z_b)^2 (1 + k HR)^2 / (k (1 - HR)^2), k = experimental/control
      (Freedman, Stat Med 1982); not symmetric in the labelling of the arms.

    z_a = z_{1 - alpha/sided}; the far tail of a two-sided test is ignored (see the module notes).
    Example: TOWER planned about 330 deaths with 2:1 allocation for HR 0.70 at two-sided 0.05,
    ``events_power(330, 0.70, (2, 1))`` gives about 0.86 (the protocol states 85 %).
    """
    events = _check.real("events", events, low=0.0, low_open=True)
    hr = _hazard_ratio(hr)
    allocation = _allocation(allocation)
    alpha = _check.probability("alpha", alpha)
    sided = _sided(sided)
    _check.choice("method", method, EVENTS_METHODS)
    drift = _events_drift(hr, allocation, method)
    return float(_st.norm.cdf(np.sqrt(events) * drift - _z_alpha(alpha, sided)))


def events_needed(hr: float, power: float = 0.8, allocation=(1, 1), alpha: float = 0.05, sided: int = 2,
                  method: str = "schoenfeld") -> float:
    """Number of events needed for ``power``, the exact inverse of :func:`events_power`
    (Schoenfeld 1981/1983 or Freedman 1982). Unrounded: a protocol rounds it up.

    ``power`` must exceed the one-sided alpha (alpha / sided). Example: HR 0.70, 1:1, two-sided 0.05,
    80 % power needs 246.8 events by Schoenfeld's formula (the familiar "247 deaths").
    """
    hr = _hazard_ratio(hr)
    allocation = _allocation(allocation)
    alpha = _check.probability("alpha", alpha)
    sided = _sided(sided)
    power = _power(power, alpha / sided)
    _check.choice("method", method, EVENTS_METHODS)
    drift = _events_drift(hr, allocation, method)
    return float(((_z_alpha(alpha, sided) + _st.norm.ppf(power)) / drift) ** 2)


# --- two proportions -----------------------------------------------------------------------------


def _prop_pair(p1, p2) -> tuple[float, float]:
    p1 = _check.probability("p1", p1)
    p2 = _check.probability("p2", p2)
    if p1 == p2:
        raise ValueError(f"p2 must differ from p1 ({p1}), got {p2}")
    return p1, p2


def _arcsine_h(p1: float, p2: float) -> float:
    """Cohen's h = 2 asin(sqrt p1) - 2 asin(sqrt p2) (Cohen 1988, ch. 6)."""
    return float(2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p2)))


def _prop_sds(p1: float, p2: float, r: float, method: str) -> tuple[float, float, float]:
    """(effect, sd under H0, sd under H1) per sqrt(n1), for n2 = r * n1."""
    if method == "arcsine":
        return abs(_arcsine_h(p1, p2)), np.sqrt(1 + 1 / r), np.sqrt(1 + 1 / r)
    sd1 = np.sqrt(p1 * (1 - p1) + p2 * (1 - p2) / r)
    if method == "normal":
        return abs(p1 - p2), sd1, sd1
    pbar = (p1 + r * p2) / (1 + r)
    return abs(p1 - p2), np.sqrt(pbar * (1 - pbar) * (1 + 1 / r)), sd1


def two_proportion_power(p1: float, p2: float, n1: float, n2: float, alpha: float = 0.05, sided: int = 2,
                         method: str = "normal") -> float:
    """Power of a z test comparing two proportions, true values ``p1`` (n1 patients) and ``p2`` (n2).

    Methods (d = |p1 - p2|, z_a = z_{1 - alpha/sided}, far tail ignored):

    * ``"normal"``: Wald z with the unpooled variance, power = Phi(d / s1 - z_a),
      s1^2 = p1 q1 / n1 + p2 q2 / n2; no continuity correction.
    * ``"pooled"``: the classic test with the pooled variance under H0 (Fleiss, Levin and Paik 2003,
      section 4.2): power = Phi((d - z_a s0) / s1), s0^2 = pbar qbar (1/n1 + 1/n2),
      pbar = (n1 p1 + n2 p2) / (n1 + n2). This is R's ``power.prop.test`` (strict = FALSE) and
      statsmodels' ``power_proportions_2indep`` without the far tail.
    * ``"continuity"``: the pooled test with Yates's continuity correction, whose numerator is
      d - (1/n1 + 1/n2) / 2: power = Phi((d - (1/n1 + 1/n2)/2 - z_a s0) / s1). Its inverse is the
      Fleiss, Levin and Paik (2003) continuity-corrected sample size (their eq. 4.19-4.20).
    * ``"arcsine"``: Cohen's h on the arcsine scale, power = Phi(|h| sqrt(n1 n2 / (n1 + n2)) - z_a)
      (Cohen 1988; statsmodels ``NormalIndPower`` with ``proportion_effectsize``).

    Example: INO-VATE's CR comparison, 61 % vs 37 % with 109 patients per arm at one-sided 0.0125,
    has power 0.885 with ``"continuity"`` (the protocol's "88.5 %") and 0.91-0.92 with the others.
    """
    p1, p2 = _prop_pair(p1, p2)
    n1 = _check.real("n1", n1, low=0.0, low_open=True)
    n2 = _check.real("n2", n2, low=0.0, low_open=True)
    alpha = _check.probability("alpha", alpha)
    sided = _sided(sided)
    _check.choice("method", method, PROPORTION_METHODS)
    effect, sd0, sd1 = _prop_sds(p1, p2, n2 / n1, method)
    se0, se1 = sd0 / np.sqrt(n1), sd1 / np.sqrt(n1)
    if method == "continuity":
        effect = effect - (1 / n1 + 1 / n2) / 2
    return float(_st.norm.cdf((effect - _z_alpha(alpha, sided) * se0) / se1))


def two_proportion_n(p1: float, p2: float, power: float = 0.8, ratio: float = 1, alpha: float = 0.05,
                     sided: int = 2, method: str = "normal") -> float:
    """Sample size n1 of the first arm (the second has n2 = ratio * n1) for ``power`` — the exact
    inverse of :func:`two_proportion_power` with the same ``method``. Unrounded: round each arm up.

    * ``"normal"``: n1 = (z_a + z_b)^2 (p1 q1 + p2 q2 / r) / d^2.
    * ``"pooled"``: n1' = (z_a sqrt(pbar qbar (1 + 1/r)) + z_b sqrt(p1 q1 + p2 q2 / r))^2 / d^2,
      pbar = (p1 + r p2) / (1 + r) (Fleiss, Levin and Paik 2003, eq. 4.14 generalized to r).
    * ``"continuity"``: n1 = n1'/4 (1 + sqrt(1 + 2 (r + 1) / (r n1' d)))^2 (Fleiss, Levin and Paik
      2003, section 4.3; Fleiss, Tytun and Ury, Biometrics 1980).
    * ``"arcsine"``: n1 = (z_a + z_b)^2 (1 + 1/r) / h^2, h Cohen's h.

    ``power`` must exceed Phi(-z_a s0 / s1) (alpha / sided for the methods with one variance):
    below it the equation has no positive root.
    Example: R's ``power.prop.test(p1 = .50, p2 = .75, power = .90)`` gives n = 76.7, as does
    ``two_proportion_n(0.5, 0.75, 0.9, method="pooled")``.
    """
    p1, p2 = _prop_pair(p1, p2)
    ratio = _check.real("ratio", ratio, low=0.0, low_open=True)
    alpha = _check.probability("alpha", alpha)
    sided = _sided(sided)
    _check.choice("method", method, PROPORTION_METHODS)
    effect, sd0, sd1 = _prop_sds(p1, p2, ratio, method)
    z_a = _z_alpha(alpha, sided)
    low = alpha / sided if sd0 == sd1 else float(_st.norm.cdf(-z_a * sd0 / sd1))
    power = _power(power, low)
    n = ((z_a * sd0 + _st.norm.ppf(power) * sd1) / effect) ** 2
    if method == "continuity":
        n = n / 4 * (1 + np.sqrt(1 + 2 * (ratio + 1) / (ratio * n * effect))) ** 2
    return float(n)


# --- group-sequential boundaries ----------------------------------------------------------------
#
# The Z statistics Z_1..Z_K at information fractions t_1 < ... < t_K follow the canonical joint
# distribution: multivariate normal, mean 0 under H0, corr(Z_i, Z_j) = sqrt(t_i / t_j) (i < j).
# Exit probabilities are computed by the recursive numerical integration of Armitage, McPherson and
# Rowe (1969) on the grid of Jennison and Turnbull (2000, ch. 19): density of the continuation
# region carried from look to look, Simpson's rule on a grid of 12r - 3 points at most.

_GRID_R = 32  # J&T recommend r = 16 for ~1e-6 accuracy in probabilities; 32 is cheap and safer.
_Z_MAX = 40.0  # |z| beyond this is infinite for every purpose here


def _grid(lower: float, upper: float, r: int = _GRID_R) -> tuple[np.ndarray, np.ndarray]:
    """Jennison & Turnbull (2000, section 19.2) grid on (lower, upper) for a N(0, 1) variable and its
    Simpson weights: odd points from the 6r - 1 point base grid (clipped to the region, with the
    region's finite ends added), even points at the midpoints."""
    i = np.arange(1, 6 * r, dtype=float)
    x = np.where(i < r, -3 - 4 * np.log(r / i),
                 np.where(i <= 5 * r, -3 + 3 * (i - r) / (2 * r), 3 + 4 * np.log(r / np.maximum(6 * r - i, 1))))
    pts = np.unique(np.clip(x, lower, upper))
    if pts.size < 2:
        return np.empty(0), np.empty(0)
    z = np.empty(2 * pts.size - 1)
    z[0::2] = pts
    z[1::2] = (pts[:-1] + pts[1:]) / 2
    width = np.diff(pts)
    w = np.zeros_like(z)
    w[0:-1:2] += width / 6
    w[2::2] += width / 6
    w[1::2] = 4 * width / 6
    return z, w


def _phi(x):
    """The standard normal density (``scipy.stats.norm.pdf`` without its per-call overhead, which
    dominated the recursion: it is called thousands of times on small grids)."""
    return np.exp(-0.5 * np.square(x)) / np.sqrt(2 * np.pi)


class _Recursion:
    """Carries the (weighted) sub-density of Z_k on the continuation region from look to look."""

    def __init__(self):
        self.t = None  # information fraction of the last look
        self.z = None  # grid points at the last look
        self.g = None  # Simpson weight * sub-density at the grid points

    def exit_probs(self, t: float, lower: float, upper: float) -> tuple[float, float]:
        """P(continue to the previous look and then Z(t) >= upper) and P(... and Z(t) <= lower)."""
        if self.t is None:
            return float(_ndtr(-upper)), float(_ndtr(lower))
        s, sp, sd = np.sqrt(t), np.sqrt(self.t), np.sqrt(t - self.t)
        up = float(np.sum(self.g * _ndtr(-(upper * s - self.z * sp) / sd))) if self.g.size else 0.0
        lo = float(np.sum(self.g * _ndtr((lower * s - self.z * sp) / sd))) if self.g.size else 0.0
        return up, lo

    def advance(self, t: float, lower: float, upper: float) -> None:
        """Move the density to look ``t``, keeping only the continuation region (lower, upper)."""
        z, w = _grid(lower, upper)
        if self.t is None:
            g = w * _phi(z)
        elif self.g.size == 0 or z.size == 0:
            g = np.zeros_like(z)
        else:
            s, sp, sd = np.sqrt(t), np.sqrt(self.t), np.sqrt(t - self.t)
            kernel = (s / sd) * _phi((z[:, None] * s - self.z[None, :] * sp) / sd)
            g = w * (kernel @ self.g)
        self.t, self.z, self.g = t, z, g


def _exit_probabilities(fractions: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per look, P(first exit above ``upper``) and P(first exit below ``lower``) under H0."""
    rec = _Recursion()
    ups, los = [], []
    for t, a, b in zip(fractions, lower, upper):
        up, lo = rec.exit_probs(float(t), float(a), float(b))
        ups.append(up)
        los.append(lo)
        rec.advance(float(t), float(a), float(b))
    return np.array(ups), np.array(los)


def _spent(t: np.ndarray, alpha: float, spending: str) -> np.ndarray:
    if spending == "obrien-fleming":
        return 2 * _st.norm.sf(_st.norm.isf(alpha / 2) / np.sqrt(t))
    return alpha * np.log(1 + (np.e - 1) * t)


def spending_boundaries(fractions, alpha: float, spending: str = "obrien-fleming", *, sided: int) -> pd.DataFrame:
    """Efficacy boundaries for looks at information ``fractions`` from a Lan-DeMets alpha-spending
    function (Lan and DeMets, Biometrika 1983), no futility boundary.

    ``sided=1``: one-sided boundaries spending the one-sided ``alpha`` in the tail of the effect.
    ``sided=2``: symmetric two-sided boundaries +/- z spending the two-sided ``alpha`` over both tails
    (the original two-sided Lan-DeMets form): at each look the probability of first crossing either
    boundary equals the increment of the spending function of ``alpha``. The two conventions give
    slightly different boundaries for the same nominal level (one-sided 0.025 vs two-sided 0.05),
    because the spending functions of 0.025 and 0.05 are not proportional.

    Spending functions of ``alpha`` (cumulative alpha spent by fraction t):

    * ``"obrien-fleming"``: 2 - 2 Phi(z_{1-alpha/2} / sqrt(t)), the O'Brien-Fleming-type function
      (gsDesign ``sfLDOF``);
    * ``"pocock"``: alpha log(1 + (e - 1) t), the Pocock-type function (gsDesign ``sfLDPocock``).

    Boundary z_k solves P(Z_1 < z_1, ..., Z_{k-1} < z_{k-1}, Z_k >= z_k) = alpha increment at look k
    under the canonical joint distribution (corr(Z_i, Z_j) = sqrt(t_i / t_j)), by recursive numerical
    integration (Armitage, McPherson and Rowe 1969; Jennison and Turnbull 2000, ch. 19) and Brent's
    root finder; the boundaries agree with scipy's multivariate normal CDF to better than 1e-6 in z,
    also for looks only 0.01 apart. If the last fraction is
    below 1 only alpha * f(t_K) is spent. A boundary whose increment is below about 1e-300 is
    returned as ``inf`` (nominal P 0).

    Example: TOWER (two-sided 0.05, looks at 50 % and 75 % of deaths, O'Brien-Fleming type):
    ``spending_boundaries([0.5, 0.75, 1.0], 0.025, sided=1)`` gives z = 2.963, 2.359, 2.014;
    ``spending_boundaries([0.5, 0.75, 1.0], 0.05, sided=2)`` gives +/- z = 2.772, 2.298, 2.043.

    Returns one row per look: look, fraction, alpha_spent (cumulative), alpha_increment,
    z (efficacy boundary magnitude), nominal_p (the one-sided nominal P value of z; the two-sided
    nominal P value is twice it).
    """
    t = _fractions(fractions)
    alpha = _check.probability("alpha", alpha)
    sided = _sided(sided)
    _check.choice("spending", spending, SPENDING_FUNCTIONS)
    spent = _spent(t, alpha, spending)
    increments = np.diff(spent, prepend=0.0)
    rec = _Recursion()
    bounds = []
    for tk, inc in zip(t, increments):
        tk = float(tk)

        def excess(b, tk=tk, inc=inc):
            up, lo = rec.exit_probs(tk, -b if sided == 2 else -np.inf, b)
            return (up + lo if sided == 2 else up) - inc

        if inc <= 0 or excess(_Z_MAX) > 0:
            b = np.inf
        else:
            b = _opt.brentq(excess, 0.0 if sided == 2 else -_Z_MAX, _Z_MAX, xtol=1e-10, rtol=1e-12, maxiter=500)
        bounds.append(b)
        rec.advance(tk, -b if sided == 2 else -np.inf, b)
    z = np.array(bounds, dtype=float)
    return pd.DataFrame({
        "look": np.arange(1, t.size + 1),
        "fraction": t,
        "alpha_spent": spent,
        "alpha_increment": increments,
        "z": z,
        "nominal_p": _st.norm.sf(z),
    })


def naive_repeated_looks_alpha(fractions, z: float = 1.96, sided: int = 2) -> float:
    """The actual overall type I error when the same nominal critical value ``z`` is used at every
    look at information ``fractions`` (exact under the canonical joint distribution, by the same
    recursive integration as :func:`spending_boundaries`).

    ``sided=2`` (default) rejects when |Z_k| >= z at any look; ``sided=1`` when Z_k >= z.
    Example: five equally spaced two-sided looks at z = 1.96 give 0.142, not 0.05 (Armitage,
    McPherson and Rowe, JRSS A 1969; Pocock, Biometrika 1977).
    """
    t = _fractions(fractions)
    z = _check.real("z", z, low=0.0, low_open=True)
    sided = _sided(sided)
    upper = np.full(t.size, z)
    lower = np.full(t.size, -z if sided == 2 else -np.inf)
    ups, los = _exit_probabilities(t, lower, upper)
    return float(ups.sum() + los.sum())


def crossing_probabilities(fractions, boundaries, drift: float = 0.0, *, sided: int = 1) -> pd.DataFrame:
    """Probability of first crossing each efficacy boundary when the final standardized statistic has
    mean ``drift`` (Z_k ~ N(drift * sqrt(t_k), 1) on the canonical joint distribution; Jennison and
    Turnbull 2000, ch. 3). Crossing Z_k >= b_k is crossing the null process at b_k - drift sqrt(t_k).
    With ``sided=2`` the trial also stops when Z_k <= -b_k (the symmetric boundary of a two-sided
    design); ``crossing`` is still the probability of stopping by crossing the upper boundary.

    Returns a DataFrame: look, fraction, z, crossing (probability of stopping at that look),
    cumulative.
    """
    t = _fractions(fractions)
    b = np.asarray([_check.real("boundaries", v) for v in np.atleast_1d(boundaries)], float)
    if b.shape != t.shape:
        raise ValueError(f"boundaries must have one value per fraction ({t.size}), got {b.size}")
    drift = _check.real("drift", drift)
    sided = _sided(sided)
    upper = np.clip(b - drift * np.sqrt(t), -_Z_MAX, _Z_MAX)
    lower = np.clip(-b - drift * np.sqrt(t), -_Z_MAX, _Z_MAX) if sided == 2 else np.full(t.shape, -_Z_MAX)
    up, _ = _exit_probabilities(t, lower, upper)
    return pd.DataFrame({"look": np.arange(1, t.size + 1), "fraction": t, "z": b, "crossing": up, "cumulative": np.cumsum(up)})


def group_sequential_power(fractions, events: float, hr: float, allocation=(1, 1), alpha: float = 0.05, *,
                           sided: int, spending: str = "obrien-fleming", method: str = "schoenfeld") -> float:
    """Power of a group-sequential log-rank design: the probability of crossing an efficacy boundary
    of :func:`spending_boundaries` (``alpha`` with ``sided``, no default: see the module notes) in the
    direction of the effect, when the true hazard ratio is ``hr`` and the final analysis has
    ``events`` events (drift = sqrt(events) × the per-event effect of ``method``). With ``sided=2``
    the trial also stops at the opposite boundary, which is counted as no success.

    Example: TOWER (330 deaths, HR 0.70, 2:1, looks at 50 %, 75 %, 100 %):
    ``group_sequential_power([0.5, 0.75, 1], 330, 0.70, (2, 1), alpha=0.025, sided=1)`` is 0.857.
    """
    events = _check.real("events", events, low=0.0, low_open=True)
    hr = _hazard_ratio(hr)
    allocation = _allocation(allocation)
    _check.choice("method", method, EVENTS_METHODS)
    bounds = spending_boundaries(fractions, alpha=alpha, spending=spending, sided=sided)
    drift = float(np.sqrt(events) * _events_drift(hr, allocation, method))
    return float(crossing_probabilities(bounds["fraction"], bounds["z"], drift, sided=sided)["cumulative"].iloc[-1])


def boundary_hazard_ratio(z: float, events: float, allocation=(1, 1)) -> float:
    """The observed hazard ratio (experimental / control) that lies exactly on an efficacy boundary
    ``z`` after ``events`` events: exp(-z / sqrt(events p1 p2)), with p1, p2 the allocation fractions.

    This uses Schoenfeld's approximation to the variance of the log hazard ratio, 1 / (D p1 p2), the
    same approximation as :func:`events_power`; an observed HR below the returned value crosses the
    boundary. Example: TOWER's second-look boundary z = 2.359 with 248 deaths and 2:1 allocation
    corresponds to an observed HR of about 0.73.
    """
    z = _check.real("z", z, low=0.0, low_open=True)
    events = _check.real("events", events, low=0.0, low_open=True)
    e, c = _allocation(allocation)
    p1, p2 = e / (e + c), c / (e + c)
    return float(np.exp(-z / np.sqrt(events * p1 * p2)))

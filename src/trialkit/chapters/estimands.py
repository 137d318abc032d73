"""What a median, a landmark rate, a hazard ratio and an RMST summarise: exact values for
piecewise-exponential survival curves, the summaries of observed (or SYNTHETIC) data, and the table of
the trials' time-to-event endpoints.

Curves
------
:class:`PiecewiseExponential` is a survival curve whose hazard is constant between break points. Its
survival function, median, landmark values and restricted mean survival time (RMST) are computed
exactly (closed forms; the RMST integrates exp(-H(t)) piece by piece), so a chapter can show what each
summary *is* before any estimation noise.

The "average hazard ratio" of two curves whose hazards are not proportional
----------------------------------------------------------------------------
:func:`cox_limit_hr` returns the value that the Cox model's hazard ratio converges to in a large trial
when the hazards are not proportional (Struthers and Kalbfleisch, Biometrika 1986; Xu and O'Quigley,
Biostatistics 2000). With allocation fractions p1 (experimental) and p0 (control), survival curves
S1, S0, hazards h1, h0 and a censoring survival function G common to both arms, the limit
beta* = log HR* is the root of the expected partial-likelihood score

    u(beta) = integral_0^end  y1(t) y0(t) (h1(t) - exp(beta) h0(t)) / (exp(beta) y1(t) + y0(t)) dt,

with y_j(t) = p_j S_j(t) G(t) the expected proportion of patients at risk in arm j. It is a weighted
average of the log hazard ratio over time, the weights being the events and the numbers at risk, so
it depends on the censoring (here: the length of follow-up and the accrual period) and on the
allocation ratio. Under proportional hazards it equals the common hazard ratio whatever G. The
integral is evaluated by Gauss-Legendre quadrature on each piece where the integrand is smooth and
the root by Brent's method. :func:`cumulative_hazard_ratio` (H1(t) / H0(t)) is the simpler average
that some texts use; it ignores censoring and weights every time equally on the cumulative scale.

Observed data
-------------
:func:`observed_summaries` computes the four summaries from patient-level data (the SYNTHETIC
datasets of :mod:`trialkit.synth` in the book): Kaplan-Meier medians and landmark values, the Cox
hazard ratio and the Kaplan-Meier RMST difference, all through :mod:`trialkit.survival`.

Endpoints table
---------------
:func:`endpoint_definitions` reads ``design.csv`` of every study and returns one row per
time-to-event endpoint (overall, event-free, progression-free, relapse-free survival, duration of
remission) with its role (primary, secondary ...) and its time zero (randomisation, first dose,
remission) as the definition states it, or "not stated in the main text".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import optimize as _opt

from trialkit import _check

LN2 = math.log(2.0)
_GL_NODES = 48  # Gauss-Legendre nodes per smooth piece: exact to ~1e-12 for these integrands


# --- curves -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PiecewiseExponential:
    """A survival curve with hazard ``hazards[i]`` (per unit of time, e.g. per month) on
    ``[breaks[i], breaks[i + 1])``; the last piece is open-ended. ``breaks[0]`` is 0.

    Build it with :func:`piecewise` (which validates); the methods assume a valid curve.
    """

    breaks: tuple[float, ...]
    hazards: tuple[float, ...]

    # cumulative hazard at each break point
    def _h_at_breaks(self) -> np.ndarray:
        b = np.asarray(self.breaks, float)
        h = np.asarray(self.hazards, float)
        return np.concatenate([[0.0], np.cumsum(np.diff(b) * h[:-1])])

    def hazard(self, t) -> np.ndarray:
        """The hazard at time(s) ``t``."""
        t = np.asarray(t, float)
        idx = np.searchsorted(np.asarray(self.breaks), t, side="right") - 1
        return np.asarray(self.hazards, float)[np.clip(idx, 0, None)]

    def cumhaz(self, t) -> np.ndarray:
        """The cumulative hazard H(t) = integral of the hazard from 0 to t."""
        t = np.asarray(t, float)
        b = np.asarray(self.breaks, float)
        idx = np.clip(np.searchsorted(b, t, side="right") - 1, 0, None)
        return self._h_at_breaks()[idx] + (t - b[idx]) * np.asarray(self.hazards, float)[idx]

    def survival(self, t) -> np.ndarray:
        """S(t) = exp(-H(t))."""
        return np.exp(-self.cumhaz(t))

    def quantile(self, p: float) -> float:
        """The time at which S(t) falls to ``p`` (the median for p = 0.5); ``inf`` if never."""
        p = _check.probability("p", p)
        target = -math.log(p)
        cum = self._h_at_breaks()
        b, h = self.breaks, self.hazards
        for i in range(len(b)):
            end = cum[i + 1] if i + 1 < len(b) else math.inf
            if target <= end:
                if h[i] == 0:  # flat piece: reached only at its end (never for the last piece)
                    continue
                return float(b[i] + (target - cum[i]) / h[i])
        return math.inf

    def median(self) -> float:
        """The median: the time at which half the patients have had the event (``inf`` if never)."""
        return self.quantile(0.5)

    def landmark(self, t) -> np.ndarray:
        """The landmark rate S(t): the proportion still event-free at time ``t``."""
        return self.survival(t)

    def rmst(self, tau: float) -> float:
        """Restricted mean survival time: the area under S from 0 to ``tau``, integrated exactly
        (on a piece [a, b) with hazard h, S(a) (1 - exp(-h (b - a))) / h, or S(a) (b - a) if h = 0)."""
        tau = _check.real("tau", tau, low=0.0)
        b = np.asarray(self.breaks, float)
        h = np.asarray(self.hazards, float)
        start = b[b < tau]
        end = np.minimum(np.append(b[1:], np.inf)[: start.size], tau)
        width = end - start
        s_start = np.exp(-self._h_at_breaks()[: start.size])
        hs = h[: start.size]
        with np.errstate(divide="ignore", invalid="ignore"):
            pieces = np.where(hs > 0, s_start * -np.expm1(-hs * width) / np.where(hs > 0, hs, 1.0), s_start * width)
        return float(pieces.sum())

    def sample(self, u) -> np.ndarray:
        """Event times by inversion from uniforms ``u`` in (0, 1): T = H^-1(-log u); ``inf`` when the
        curve never reaches that level (last hazard 0)."""
        u = np.asarray(u, float)
        target = -np.log(u)
        cum = self._h_at_breaks()
        b = np.asarray(self.breaks, float)
        h = np.asarray(self.hazards, float)
        idx = np.searchsorted(cum, target, side="right") - 1
        # a flat piece (h = 0) cannot hold the target: move to the next piece with the same cum
        hi = h[idx]
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(hi > 0, b[idx] + (target - cum[idx]) / np.where(hi > 0, hi, 1.0), np.inf)
        return t


def piecewise(hazards, breaks=(0.0,)) -> PiecewiseExponential:
    """A validated :class:`PiecewiseExponential`: ``hazards`` (one per piece, finite, >= 0) and
    ``breaks`` (the start of each piece: starts at 0, strictly increasing, same length)."""
    h = tuple(_check.real(f"hazards[{i}]", x, low=0.0) for i, x in enumerate(np.atleast_1d(hazards)))
    b = tuple(_check.real(f"breaks[{i}]", x, low=0.0) for i, x in enumerate(np.atleast_1d(breaks)))
    if not h:
        raise ValueError("hazards must hold at least one value in [0, inf)")
    if len(b) != len(h):
        raise ValueError(f"breaks must have one value per hazard ({len(h)}), got {len(b)}")
    if b[0] != 0.0:
        raise ValueError(f"breaks[0] must be 0, got {b[0]}")
    if any(y <= x for x, y in zip(b, b[1:])):
        raise ValueError(f"breaks must be strictly increasing, got {list(b)}")
    return PiecewiseExponential(b, h)


def two_arms(control_early: float, control_late: float, hr_early: float, hr_late: float,
             change: float) -> tuple[PiecewiseExponential, PiecewiseExponential]:
    """Control and experimental curves with one change point: the control hazard is
    ``control_early`` before ``change`` and ``control_late`` after; the experimental hazard is the
    control hazard times ``hr_early`` before and ``hr_late`` after. Returns (control, experimental)."""
    control_early = _check.real("control_early", control_early, low=0.0, low_open=True)
    control_late = _check.real("control_late", control_late, low=0.0, low_open=True)
    hr_early = _check.real("hr_early", hr_early, low=0.0, low_open=True)
    hr_late = _check.real("hr_late", hr_late, low=0.0, low_open=True)
    change = _check.real("change", change, low=0.0, low_open=True)
    control = piecewise([control_early, control_late], [0.0, change])
    experimental = piecewise([control_early * hr_early, control_late * hr_late], [0.0, change])
    return control, experimental


# --- named shapes (presets of the explorer) ------------------------------------------------------


@dataclass(frozen=True)
class Preset:
    """A named pair of curves for :func:`two_arms`: the hazard ratio before and after the change point,
    with the explorer's default control hazards (per month) and change point (months)."""

    label: str
    hr_early: float
    hr_late: float
    control_early: float = 0.12
    control_late: float = 0.05
    change: float = 6.0


# "converging" and "crossing" are different shapes: converging curves approach each other and never
# cross (the difference shrinks towards 0 but keeps its sign; here the benefit simply stops at the
# change point), crossing curves change order (the experimental arm ends up worse, or better).
PRESETS = {
    "proportional": Preset("Proportional hazards", 0.7, 0.7),
    "converging": Preset("Converging: benefit early, none later (the curves approach, never cross)", 0.4, 1.0),
    "crossing": Preset("Crossing: benefit early, harm later (the curves change order)", 0.4, 1.6),
    "delayed": Preset("Delayed effect: no difference until the change point", 1.0, 0.4),
    "early_harm": Preset("Crossing: harm early, benefit later", 1.6, 0.4),
}


def preset(name: str) -> tuple[PiecewiseExponential, PiecewiseExponential]:
    """The (control, experimental) curves of the named shape in :data:`PRESETS`."""
    p = PRESETS[_check.choice("name", name, tuple(PRESETS))]
    return two_arms(p.control_early, p.control_late, p.hr_early, p.hr_late, p.change)


def crossing_time(control: PiecewiseExponential, experimental: PiecewiseExponential, horizon: float,
                  step: float = 0.05) -> float | None:
    """The first time in (0, ``horizon``] at which the two survival curves change order (the difference
    experimental minus control changes sign, found on a grid of ``step`` months and refined by Brent's
    method), or None when they do not cross before ``horizon``. Touching without changing order is not
    a crossing."""
    horizon = _check.real("horizon", horizon, low=0.0, low_open=True)
    step = _check.real("step", step, low=0.0, low_open=True, high=horizon)

    def diff(t):
        return float(experimental.survival(t) - control.survival(t))

    grid = np.arange(step, horizon + step / 2, step)
    d = np.array([diff(t) for t in grid])
    signs = np.sign(np.where(np.abs(d) <= 1e-12, 0.0, d))
    first, last = 0.0, None  # the first sign seen, and the last grid index with that sign
    for i, sign in enumerate(signs):
        if sign == 0:
            continue
        if first == 0:
            first = sign
        if sign == first:
            last = i
        else:
            return float(_opt.brentq(diff, grid[last], grid[i], xtol=1e-10))
    return None


# --- average hazard ratios -----------------------------------------------------------------------


def cumulative_hazard_ratio(control: PiecewiseExponential, experimental: PiecewiseExponential, t: float) -> float:
    """H_experimental(t) / H_control(t): the ratio of cumulative hazards at ``t``."""
    t = _check.real("t", t, low=0.0, low_open=True)
    h0 = float(control.cumhaz(t))
    if h0 <= 0:
        raise ValueError(f"t must be a time at which the control cumulative hazard is positive, got {t}")
    return float(experimental.cumhaz(t)) / h0


def _censoring_survival(t: np.ndarray, follow_up: float, accrual: float) -> np.ndarray:
    """G(t) for uniform entry over ``accrual`` and analysis ``follow_up`` after the last entry: every
    patient is followed at least ``follow_up`` and at most ``follow_up + accrual``."""
    if accrual == 0:
        return np.where(t < follow_up, 1.0, 0.0)
    return np.clip((follow_up + accrual - t) / accrual, 0.0, 1.0)


@lru_cache(maxsize=64)
def _gauss_legendre(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(n)


def _nodes(edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Quadrature nodes and weights on each interval between consecutive ``edges``."""
    x, w = _gauss_legendre(_GL_NODES)
    a, b = edges[:-1, None], edges[1:, None]
    nodes = (a + b) / 2 + (b - a) / 2 * x[None, :]
    weights = (b - a) / 2 * w[None, :]
    return nodes.ravel(), weights.ravel()


def _allocation_fractions(allocation) -> tuple[float, float]:
    try:
        e, c = allocation
    except (TypeError, ValueError):
        raise ValueError(f"allocation must be a pair (experimental, control) of numbers in (0, inf), got {allocation!r}") from None
    e = _check.real("allocation[0]", e, low=0.0, low_open=True)
    c = _check.real("allocation[1]", c, low=0.0, low_open=True)
    return e / (e + c), c / (e + c)


def cox_limit_hr(control: PiecewiseExponential, experimental: PiecewiseExponential, follow_up: float,
                 accrual: float = 0.0, allocation=(1, 1)) -> float:
    """The large-sample limit of the Cox hazard ratio (experimental / control) when the hazards may
    not be proportional (Struthers and Kalbfleisch 1986; Xu and O'Quigley 2000): the root of the
    expected partial-likelihood score given in the module notes.

    Censoring is administrative: uniform entry over ``accrual`` (0 = everybody enters together) and
    the analysis ``follow_up`` after the last entry, the same in both arms. ``allocation`` is
    experimental:control. Under proportional hazards the result is the common hazard ratio.
    """
    follow_up = _check.real("follow_up", follow_up, low=0.0, low_open=True)
    accrual = _check.real("accrual", accrual, low=0.0)
    p1, p0 = _allocation_fractions(allocation)
    end = follow_up + accrual
    edges = np.unique(np.concatenate([[0.0, follow_up, end], [b for b in control.breaks + experimental.breaks if b < end]]))
    t, w = _nodes(edges)
    g = _censoring_survival(t, follow_up, accrual)
    y1 = p1 * experimental.survival(t) * g
    y0 = p0 * control.survival(t) * g
    h1, h0 = experimental.hazard(t), control.hazard(t)
    events1, events0 = float(np.sum(w * y1 * h1)), float(np.sum(w * y0 * h0))
    if events1 <= 0 or events0 <= 0:
        raise ValueError("follow_up must allow events in both arms (a hazard is 0 over the whole follow-up)")

    def score(beta):
        eb = math.exp(beta)
        return float(np.sum(w * y1 * y0 * (h1 - eb * h0) / (eb * y1 + y0)))

    return float(math.exp(_opt.brentq(score, -30.0, 30.0, xtol=1e-12, rtol=1e-12, maxiter=500)))


# --- the four summaries, exactly -----------------------------------------------------------------


def summaries(control: PiecewiseExponential, experimental: PiecewiseExponential, landmark: float,
              horizon: float, accrual: float = 0.0, allocation=(1, 1)) -> dict:
    """The four summaries of two curves, exactly: medians and their difference, landmark values at
    ``landmark`` and their difference, RMST up to ``horizon`` and their difference, and the average
    hazard ratio (:func:`cox_limit_hr` with follow-up ``horizon``, and the cumulative hazard ratio at
    ``horizon``). Differences are experimental minus control."""
    landmark = _check.real("landmark", landmark, low=0.0, low_open=True)
    horizon = _check.real("horizon", horizon, low=0.0, low_open=True)
    m0, m1 = control.median(), experimental.median()
    l0, l1 = float(control.landmark(landmark)), float(experimental.landmark(landmark))
    r0, r1 = control.rmst(horizon), experimental.rmst(horizon)
    return {
        "median_control": m0, "median_experimental": m1, "median_difference": m1 - m0,
        "landmark_control": l0, "landmark_experimental": l1, "landmark_difference": l1 - l0,
        "rmst_control": r0, "rmst_experimental": r1, "rmst_difference": r1 - r0,
        "hr_cox": cox_limit_hr(control, experimental, horizon, accrual, allocation),
        "hr_cumulative": cumulative_hazard_ratio(control, experimental, horizon),
    }


def _values(name: str, values, *, low: float = 0.0) -> list[float]:
    items = list(np.atleast_1d(values))
    if not items:
        raise ValueError(f"{name} must hold at least one number in ({low}, inf)")
    return [_check.real(f"{name}[{i}]", v, low=low, low_open=True) for i, v in enumerate(items)]


def scenario_grid(control_early, control_late, hr_early, hr_late, change, times, curve_times=None,
                  accrual: float = 0.0, allocation=(1, 1), decimals: int = 4) -> pd.DataFrame:
    """Every combination of the parameters of :func:`two_arms`, one row per scenario, wide, for an
    interactive figure that filters it.

    Columns: ``control_early, control_late, hr_early, hr_late, change`` (the parameters, as given);
    ``median0, median1`` (exact medians, ``inf`` when never reached); for each ``T`` in ``times``:
    ``lm0_T, lm1_T`` (survival at T), ``rmst0_T, rmst1_T`` (RMST up to T) and ``hr_T``
    (:func:`cox_limit_hr` with follow-up T); for each time ``u`` in ``curve_times``: ``s0_u, s1_u``
    (the curves, for drawing). Column suffixes are the times formatted with ``:g``. Arm 0 is the
    control, arm 1 the experimental arm. Values rounded to ``decimals``.
    """
    ce = _values("control_early", control_early)
    cl = _values("control_late", control_late)
    he = _values("hr_early", hr_early)
    hl = _values("hr_late", hr_late)
    ch = _values("change", change)
    ts = _values("times", times)
    cts = [] if curve_times is None else [_check.real(f"curve_times[{i}]", v, low=0.0) for i, v in enumerate(np.atleast_1d(curve_times))]
    decimals = _check.integer("decimals", decimals, low=0, high=12)
    rows = []
    for a in ce:
        for b in cl:
            for c in he:
                for d in hl:
                    for e in ch:
                        control, experimental = two_arms(a, b, c, d, e)
                        row = {"control_early": a, "control_late": b, "hr_early": c, "hr_late": d, "change": e,
                               "median0": control.median(), "median1": experimental.median()}
                        for t in ts:
                            k = f"{t:g}"
                            row[f"lm0_{k}"] = float(control.landmark(t))
                            row[f"lm1_{k}"] = float(experimental.landmark(t))
                            row[f"rmst0_{k}"] = control.rmst(t)
                            row[f"rmst1_{k}"] = experimental.rmst(t)
                            row[f"hr_{k}"] = cox_limit_hr(control, experimental, t, accrual, allocation)
                        for u in cts:
                            row[f"s0_{u:g}"] = float(control.survival(u))
                            row[f"s1_{u:g}"] = float(experimental.survival(u))
                        rows.append(row)
    frame = pd.DataFrame(rows)
    keys = ["control_early", "control_late", "hr_early", "hr_late", "change"]
    values = [c for c in frame.columns if c not in keys]
    frame[values] = frame[values].round(decimals)
    return frame


# --- observed (or SYNTHETIC) data ------------------------------------------------------------------


def observed_summaries(frame: pd.DataFrame, experimental: str, control: str, landmark: float,
                       horizon: float, level: float = 0.95) -> pd.DataFrame:
    """The four summaries estimated from patient-level data with columns ``time``, ``event``, ``arm``.

    One row per summary (``median``, ``landmark``, ``hazard ratio``, ``rmst``) with the control and
    experimental values and the contrast (difference, or ratio for the hazard ratio) with its
    confidence interval where the method gives one: Kaplan-Meier medians (no interval for their
    difference), Kaplan-Meier survival at ``landmark`` (difference with a Greenwood-variance Wald
    interval), Cox hazard ratio (Wald interval), Kaplan-Meier RMST difference up to ``horizon``.
    """
    from trialkit import survival

    level = _check.level("level", level)
    for col in ("time", "event", "arm"):
        if col not in frame.columns:
            raise ValueError(f"frame must have columns time, event and arm; missing {col!r}")
    arms = set(frame["arm"].unique())
    _check.choice("experimental", experimental, arms)
    _check.choice("control", control, arms)
    if experimental == control:
        raise ValueError("control must differ from experimental")
    landmark = _check.real("landmark", landmark, low=0.0, low_open=True)
    horizon = _check.real("horizon", horizon, low=0.0, low_open=True)
    sub = frame[frame["arm"].isin([experimental, control])]
    z = float(_norm_isf((1 - level) / 2))

    meds = {}
    lms = {}
    for arm in (control, experimental):
        part = sub[sub["arm"] == arm]
        meds[arm] = survival.median_survival(part["time"], part["event"], level).median
        km = survival.kaplan_meier(part["time"], part["event"], level=level)
        if landmark > part["time"].max():
            raise ValueError(f"landmark must not exceed the longest follow-up in arm {arm!r} ({part['time'].max():g}), got {landmark:g}")
        upto = km[km["time"] <= landmark]
        n, d = upto["at_risk"].to_numpy(float), upto["events"].to_numpy(float)
        s = float(upto["survival"].iloc[-1])
        safe = n > d
        var_log = float(np.sum(np.divide(d, n * (n - d), out=np.zeros_like(d), where=safe)))
        lms[arm] = (s, s * math.sqrt(var_log))  # Greenwood standard error of S(landmark)
    cox = survival.cox(sub.assign(x=(sub["arm"] == experimental).astype(int)), "time", "event", ["x"], level=level)
    hr, hr_low, hr_high = cox.hr("x")
    rd = survival.rmst_difference(sub["time"], sub["event"], sub["arm"], tau=horizon, level=level, reference=control)
    lm_diff = lms[experimental][0] - lms[control][0]
    lm_se = math.hypot(lms[experimental][1], lms[control][1])
    return pd.DataFrame([
        {"summary": "median", "control": meds[control], "experimental": meds[experimental],
         "contrast": meds[experimental] - meds[control], "ci_low": math.nan, "ci_high": math.nan},
        {"summary": "landmark", "control": lms[control][0], "experimental": lms[experimental][0],
         "contrast": lm_diff, "ci_low": lm_diff - z * lm_se, "ci_high": lm_diff + z * lm_se},
        {"summary": "hazard ratio", "control": math.nan, "experimental": math.nan,
         "contrast": hr, "ci_low": hr_low, "ci_high": hr_high},
        {"summary": "rmst", "control": rd.rmst[control].rmst, "experimental": rd.rmst[experimental].rmst,
         "contrast": rd.difference, "ci_low": rd.ci_low, "ci_high": rd.ci_high},
    ])


def _norm_isf(p: float) -> float:
    from scipy import stats as _st

    return float(_st.norm.isf(p))


# --- the trials' time-to-event endpoints ------------------------------------------------------------

#: Canonical endpoint names and the phrases (lower case) that name them in design.csv.
ENDPOINTS = {
    "Overall survival": ("overall survival",),
    "Event-free survival": ("event-free survival",),
    "Progression-free survival": ("progression-free survival",),
    "Relapse-free survival": ("relapse-free survival",),
    "Duration of remission": ("duration of remission", "duration of complete remission"),
}

#: Time zero as a definition states it: (regular expression on the lower-case text, label), in order.
TIME_ZERO = (
    (r"from (the )?first (cr|complete remission)|from remission", "Remission (responders only)"),
    (r"first (\w+ )?dose", "First dose of treatment"),
    (r"randomi[sz]ation", "Randomisation"),
)
#: Abbreviations that name an endpoint in the list of endpoints (matched as whole words, any case).
ABBREVIATIONS = {"OS": "Overall survival", "EFS": "Event-free survival", "PFS": "Progression-free survival",
                 "RFS": "Relapse-free survival", "DoR": "Duration of remission"}
NOT_STATED = "Not stated in the main text"


def _canonical(label: str) -> str | None:
    low = label.lower()
    for name, phrases in ENDPOINTS.items():
        if any(low.startswith(p) for p in phrases):
            return name
    return None


def time_zero(definition: str) -> str:
    """The time zero a definition states (see :data:`TIME_ZERO`), or "Not stated in the main text".
    A definition restricted to responders ("among patients with ... CR") says so."""
    low = definition.lower()
    for pattern, label in TIME_ZERO:
        if re.search(pattern, low):
            return label
    if re.search(r"among patients with[^;.]*\b(cr|remission)", low):
        return f"{NOT_STATED} (responders only)"
    return NOT_STATED


def _roles(design: pd.DataFrame) -> dict[str, str]:
    """Canonical endpoint -> role, from the primary_endpoint and secondary_endpoint rows."""
    roles: dict[str, str] = {}
    for _, r in design[design["item"].isin(["primary_endpoint", "secondary_endpoint"])].iterrows():
        text = r["value"].lower()
        if r["item"] == "primary_endpoint":
            role = "Main outcome (no primary endpoint named)" if ("no formal primary" in text or "names no primary endpoint" in text) else "Primary"
        else:
            role = "Key secondary" if text.startswith("key secondary") else "Secondary"
        named = [n for n, phrases in ENDPOINTS.items() if any(p in text for p in phrases)]
        named += [n for a, n in ABBREVIATIONS.items() if re.search(rf"\b{a}\b", r["value"], re.I)]
        for name in named:
            roles.setdefault(name, role)
    return roles


def endpoint_definitions(studies=None) -> pd.DataFrame:
    """One row per time-to-event endpoint of each study, from ``design.csv``.

    Columns: study, trial (label), endpoint, role, time_zero, definition (the course's paraphrase,
    several definition rows of one endpoint joined with "; "), location (where the publication
    defines it). An endpoint named among the primary or secondary endpoints but never defined in
    the main text is listed with the definition "not defined in the main text". An analysis variant
    of an endpoint (e.g. "censored at transplant (sensitivity analysis)") is its own row, with role
    "Sensitivity analysis".
    """
    from trialkit import data

    studies = data.studies() if studies is None else list(studies)
    rows = []
    for study in studies:
        design = data.load(study, "design")
        label = data.study_info(study)["label"]
        roles = _roles(design)
        entries: dict[str, dict] = {}
        for _, r in design[design["item"] == "endpoint_definition"].iterrows():
            head, _, body = r["value"].partition(":")
            name = _canonical(head.strip())
            if name is None:
                continue
            variant = head.strip()[len(name):].strip()
            sensitivity = "sensitivity" in variant.lower()
            key = head.strip() if sensitivity else name
            shown = re.sub(r"\s*\(sensitivity analysis\)", "", key)
            entry = entries.setdefault(key, {"study": study, "trial": label, "endpoint": shown if sensitivity else name,
                                             "role": "Sensitivity analysis" if sensitivity else roles.get(name, "Not listed as an endpoint"),
                                             "parts": [], "locations": []})
            entry["parts"].append(body.strip() if not variant or sensitivity else f"{variant.strip('()')}: {body.strip()}")
            if r["location"] not in entry["locations"]:
                entry["locations"].append(r["location"])
        for key, entry in entries.items():  # a variant "with the same definition" keeps its time zero
            if key in ENDPOINTS or not any(p.lower().startswith("same definition") for p in entry["parts"]):
                continue
            main = entries.get(_canonical(key))
            if main is not None:
                entry["inherit"] = time_zero("; ".join(main["parts"]))
        for name, role in roles.items():
            if name not in entries:
                entries[name] = {"study": study, "trial": label, "endpoint": name, "role": role,
                                 "parts": ["not defined in the main text"], "locations": []}
        order = list(ENDPOINTS)
        for e in sorted(entries.values(), key=lambda e: (order.index(_canonical(e["endpoint"])), e["endpoint"])):
            definition = "; ".join(e["parts"])
            rows.append({"study": e["study"], "trial": e["trial"], "endpoint": e["endpoint"], "role": e["role"],
                         "time_zero": e.get("inherit") or time_zero(definition), "definition": definition,
                         "location": "; ".join(e["locations"])})
    return pd.DataFrame(rows, columns=["study", "trial", "endpoint", "role", "time_zero", "definition", "location"])


def scenario_readings(name: str, preset_name: str, horizon: float = 120) -> dict:
    """The summaries a chapter quotes for the named shape of :data:`PRESETS`, named
    ``<name>_<summary>``: the early and late hazard ratios, median difference, 24-month landmark
    difference (points), RMST difference to 24 months, Cox and cumulative HR at 24 months, Cox HR at 12
    and 36 months, 36-month landmark difference (points), the control median and the time at which the
    curves change order within ``horizon`` months (``<name>_time``, left out when they never do)."""
    p = PRESETS[_check.choice("preset_name", preset_name, tuple(PRESETS))]
    control, experimental = preset(preset_name)
    s = summaries(control, experimental, landmark=24, horizon=24)
    out = {f"{name}_hr_early": p.hr_early, f"{name}_hr_late": p.hr_late,
            f"{name}_median_d": s["median_difference"], f"{name}_lm24_d": 100 * s["landmark_difference"],
            f"{name}_rmst24_d": s["rmst_difference"], f"{name}_hr24": s["hr_cox"], f"{name}_hrcum24": s["hr_cumulative"],
            f"{name}_hr12": cox_limit_hr(control, experimental, 12), f"{name}_hr36": cox_limit_hr(control, experimental, 36),
            f"{name}_lm36_d": 100 * float(experimental.landmark(36) - control.landmark(36)),
            f"{name}_median_c": control.median()}
    when = crossing_time(control, experimental, horizon)
    return out if when is None else {**out, f"{name}_time": when}

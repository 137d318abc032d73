"""Fast two-arm survival-trial simulation and the course's bias laboratories.

Everything is vectorised over trials with numpy (no Python loop over trials): patients are arrays of
shape ``(trials in the chunk, patients)`` and the trials are processed in chunks so that memory stays
bounded whatever the number of trials.

* :func:`logrank_many` -- the two-sample log-rank test for many trials at once, exact with ties.
* :func:`simulate_trials` -- group-sequential trials: piecewise-exponential event times, uniform
  staggered accrual, exponential dropout, looks at pre-set fractions of the target number of events.
* :func:`simulate_patients` -- the patient-level data behind :func:`simulate_trials` (same stream).
* Bias laboratories: :func:`stopping_bias`, :func:`naive_looks_type1`, :func:`immortal_time`,
  :func:`censor_at_transplant`, :func:`exclude_withdrawals`.

Conventions (all functions):

* Group 1 is the **experimental** arm, group 0 the control arm.
* ``z = (O1 - E1) / sqrt(V)``: **negative z favours the experimental arm** (fewer events than
  expected under the null), so a hazard ratio below 1 goes with a negative z.
* ``log_hr = (O1 - E1) / V`` is the one-step (Peto) log-rank estimate of the log hazard ratio,
  experimental versus control. Note ``z = log_hr * sqrt(V)``: V is the statistical information.
  (It is sometimes loosely called the Pike estimate; in the literature Pike's estimate is
  log[(O1/E1)/(O0/E0)], available as ``LogRankResult.log_hr_pike``. The one-step estimate
  exaggerates large effects, so the laboratories also report the Cox estimate ``cox_log_hr``.)
* Times are in months.

Benchmark (a measurement, not a test): ``python -m trialkit.sim bench``.
"""

from __future__ import annotations

import argparse
import math
import sys
import time as _time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as _st

from trialkit import _check

LN2 = math.log(2.0)

#: Number of patient cells (trials x patients) processed at once when ``chunk_size`` is not given.
#: 2e5 cells keep each working array near 1.6 MB, inside the L2 cache (measured fastest here: 500
#: trials of 400 patients per chunk), and the whole working set to a few tens of MB.
CHUNK_CELLS = 200_000

__all__ = [
    "LogRankResult",
    "TrialSimulation",
    "logrank_many",
    "simulate_trials",
    "simulate_patients",
    "stopping_bias",
    "naive_looks_type1",
    "immortal_time",
    "censor_at_transplant",
    "exclude_withdrawals",
    "main",
]


# --------------------------------------------------------------------------------------------------
# validation helpers (private; every error is a ValueError naming the argument and the allowed range)
# --------------------------------------------------------------------------------------------------


def _positive(name: str, value) -> float:
    """A finite real number > 0."""
    return _check.real(name, value, low=0.0, low_open=True)


def _rng(seed) -> np.random.Generator:
    """``seed`` is an integer >= 0 or a numpy Generator (used, and advanced, as given)."""
    if isinstance(seed, np.random.Generator):
        return seed
    try:
        seed = _check.integer("seed", seed, low=0)
    except ValueError:
        raise ValueError(f"seed must be an integer >= 0 or a numpy Generator, got {seed!r}") from None
    return np.random.default_rng(seed)


def _real_vector(name: str, value, *, allow_empty: bool = False) -> np.ndarray:
    """A scalar or 1-D sequence of finite real numbers, as a float array."""
    if isinstance(value, (str, bytes)):
        raise ValueError(f"{name} must be a number or a 1-D sequence of numbers, got {value!r}")
    arr = np.atleast_1d(np.asarray(value, dtype=object))
    if arr.ndim != 1 or (arr.size == 0 and not allow_empty):
        raise ValueError(f"{name} must be a number or a non-empty 1-D sequence of numbers, got {value!r}")
    return np.array([_check.real(name, v) for v in arr], dtype=float)


def _hazards(name: str, value, n_pieces: int) -> np.ndarray:
    """Hazards (per month) of a piecewise-exponential distribution: all > 0, one per piece."""
    arr = _real_vector(name, value)
    if np.any(arr <= 0):
        raise ValueError(f"{name} must be in (0, inf) (every hazard > 0), got {value!r}")
    if arr.size == 1 and n_pieces > 1:
        arr = np.repeat(arr, n_pieces)
    if arr.size != n_pieces:
        raise ValueError(f"{name} must have {n_pieces} value(s) (one per piece: len(breakpoints) + 1), "
                         f"got {arr.size}")
    return arr


def _breakpoints(value) -> np.ndarray:
    """Interior cut points (months) of the piecewise hazard: > 0 and strictly increasing."""
    arr = _real_vector("breakpoints", value, allow_empty=True)
    if np.any(arr <= 0):
        raise ValueError(f"breakpoints must be in (0, inf), got {value!r}")
    if np.any(np.diff(arr) <= 0):
        raise ValueError(f"breakpoints must be strictly increasing, got {value!r}")
    return arr


def _fractions(name: str, value) -> np.ndarray:
    """Information (event) fractions: strictly increasing, each in (0, 1]."""
    arr = _real_vector(name, value)
    if np.any(arr <= 0) or np.any(arr > 1):
        raise ValueError(f"{name} must be in (0.0, 1.0] (each fraction), got {value!r}")
    if np.any(np.diff(arr) <= 0):
        raise ValueError(f"{name} must be strictly increasing, got {value!r}")
    return arr


def _allocation(allocation) -> tuple[float, float]:
    """The ratio experimental:control as a pair of positive numbers, e.g. (2, 1) (as in :mod:`trialkit.design`)."""
    if isinstance(allocation, (str, bytes, dict)) or not hasattr(allocation, "__len__") or len(allocation) != 2:
        raise ValueError(f"allocation must be a pair (experimental, control) of numbers in (0, inf), e.g. (2, 1), "
                         f"got {allocation!r}")
    return (_check.real("allocation[0]", allocation[0], low=0.0, low_open=True),
            _check.real("allocation[1]", allocation[1], low=0.0, low_open=True))


def _arms(n_per_arm, n, allocation) -> tuple[int, int]:
    """Patients per arm (experimental, control) from ``n_per_arm`` or from ``n`` and ``allocation``."""
    if n is not None:
        if n_per_arm is not None:
            raise ValueError("n_per_arm must be None when n is given (give either n_per_arm or n and allocation)")
        n = _check.integer("n", n, low=2)
        e, c = _allocation(allocation)
        n1 = int(math.floor(n * e / (e + c) + 0.5))
        if n1 < 1 or n1 > n - 1:
            raise ValueError(f"allocation must leave at least one patient per arm: n={n}, allocation={allocation} "
                             f"gives {n1} experimental and {n - n1} control")
        return n1, n - n1
    if n_per_arm is None:
        n_per_arm = (200, 200)
    if isinstance(n_per_arm, (str, bytes)) or not hasattr(n_per_arm, "__len__") or len(n_per_arm) != 2:
        raise ValueError(f"n_per_arm must be a pair (experimental, control) of integers >= 1, got {n_per_arm!r}")
    return (_check.integer("n_per_arm", n_per_arm[0], low=1), _check.integer("n_per_arm", n_per_arm[1], low=1))


def _flag(name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _chunk_size(chunk_size, n_patients: int) -> int:
    if chunk_size is None:
        return max(1, CHUNK_CELLS // n_patients)
    return _check.integer("chunk_size", chunk_size, low=1)


def _chunks(n_trials: int, size: int):
    for start in range(0, n_trials, size):
        yield start, min(n_trials, start + size)


# --------------------------------------------------------------------------------------------------
# log-rank for many trials at once
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class LogRankResult:
    """Two-sample log-rank statistics, one value per trial (numpy arrays of length n_trials).

    ``observed``/``expected``: events in group 1 (experimental) and their null expectation O1, E1;
    ``variance``: hypergeometric variance V of O1 - E1; ``events``: total events; ``cox_log_hr``: Cox
    maximum partial-likelihood log HR (Breslow ties) when requested, else None.
    """

    observed: np.ndarray
    expected: np.ndarray
    variance: np.ndarray
    events: np.ndarray
    cox_log_hr: np.ndarray | None = None

    @property
    def z(self) -> np.ndarray:
        """(O1 - E1) / sqrt(V); negative favours group 1. NaN where V = 0."""
        return _safe_div(self.observed - self.expected, np.sqrt(self.variance))

    @property
    def chi_square(self) -> np.ndarray:
        """(O1 - E1)^2 / V, the statistic lifelines reports as ``test_statistic``."""
        return _safe_div((self.observed - self.expected) ** 2, self.variance)

    @property
    def p_value(self) -> np.ndarray:
        """Two-sided P value, chi-square with 1 degree of freedom."""
        return _st.chi2.sf(self.chi_square, 1)

    @property
    def log_hr(self) -> np.ndarray:
        """One-step (Peto) estimate (O1 - E1) / V of the log hazard ratio, group 1 vs group 0.

        Good for hazard ratios near 1; it exaggerates large effects (Berry, Kitchin and Mock, Stat Med
        1991), where ``cox_log_hr`` or ``log_hr_pike`` are better."""
        return _safe_div(self.observed - self.expected, self.variance)

    @property
    def log_hr_pike(self) -> np.ndarray:
        """Pike's estimate log[(O1/E1)/(O0/E0)] (found less biased than the one-step estimate by Berry,
        Kitchin and Mock, Stat Med 1991). NaN when any of the four terms is 0."""
        o1, e1 = self.observed, self.expected
        o0, e0 = self.events - o1, self.events - e1
        ok = (o1 > 0) & (o0 > 0) & (e1 > 0) & (e0 > 0)
        out = np.full(o1.shape, np.nan)
        np.log((o1 * e0) / np.where(ok, e1 * o0, 1.0), out=out, where=ok)
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per trial: trial, observed, expected, variance, events, z, chi_square, p_value, log_hr,
        hr, log_hr_pike (and cox_log_hr, cox_hr when computed)."""
        log_hr = self.log_hr
        df = pd.DataFrame({
            "trial": np.arange(self.observed.size), "observed": self.observed, "expected": self.expected,
            "variance": self.variance, "events": self.events, "z": self.z, "chi_square": self.chi_square,
            "p_value": self.p_value, "log_hr": log_hr, "hr": np.exp(log_hr), "log_hr_pike": self.log_hr_pike})
        if self.cox_log_hr is not None:
            df["cox_log_hr"] = self.cox_log_hr
            df["cox_hr"] = np.exp(self.cox_log_hr)
        return df


def _safe_div(num, den):
    out = np.full(np.shape(num), np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _tie_rows(t, e):
    """Rows in which an event time is shared with another observation (sorted rows)."""
    tie = t[:, 1:] == t[:, :-1]
    tie &= e[:, 1:] | e[:, :-1]
    return np.flatnonzero(tie.any(axis=1))


def _tied_terms(t, e, g, n1_total):
    """Risk-set terms with tied times grouped (sorted rows): at the last position of each block of equal
    times, d (events in the block), n1 and n (group 1 and all at risk: time >= this time); d = 0
    elsewhere."""
    n = t.shape[1]
    last = np.ones(t.shape, dtype=bool)                      # last observation of each tied-time block
    last[:, :-1] = t[:, 1:] != t[:, :-1]

    def before_block(cum):
        # cumulative count up to the end of the previous block, at every block end (cum nondecreasing)
        m = np.where(last, cum, 0)
        np.maximum.accumulate(m, axis=1, out=m)
        out = np.zeros_like(m)
        out[:, 1:] = m[:, :-1]
        return out

    ce = np.cumsum(e, axis=1)
    d = np.where(last, ce - before_block(ce), 0)
    at_risk = n - before_block(np.broadcast_to(np.arange(1, n + 1), t.shape))
    n1 = n1_total[:, None] - before_block(np.cumsum(g, axis=1))
    return d, n1, at_risk


def _logrank_sorted(t, e, g, n1_total, cox=False):
    """Log-rank sums from rows already sorted by time.

    ``t`` times (sorted along each row), ``e`` event indicators (bool), ``g`` group-1 indicators
    (bool), ``n1_total`` the group-1 size of each row. Returns (O1, E1, V, D, cox log HR or None).

    Fast path: when no event shares its time with another observation, the risk set at the event in
    position i (0-based) is the N - i observations from position i on, with d = 1. Rows where an event
    time is tied are recomputed with tied times grouped: at each distinct event time, d events among n
    at risk (n1 in group 1) add E1 += d n1/n and V += d (n1/n)(1 - n1/n)(n - d)/(n - 1) (Mantel,
    Cancer Chemother Rep 1966).
    """
    n = t.shape[1]
    cg = np.cumsum(g, axis=1, dtype=np.int32)
    cg -= g                                                  # group-1 observations before position i
    n1 = n1_total[:, None] - cg                              # group 1 at risk at position i
    inv_n = 1.0 / np.arange(n, 0, -1, dtype=float)           # 1 / n with n = N - i at risk
    p = n1 * inv_n
    ef = e.astype(float)
    expected = np.einsum("ij,ij->i", ef, p)
    p *= 1.0 - p
    variance = np.einsum("ij,ij->i", ef, p)
    observed = np.count_nonzero(e & g, axis=1).astype(float)
    events = np.count_nonzero(e, axis=1).astype(float)
    rows = _tie_rows(t, e)
    if rows.size:
        d, n1r, nr = _tied_terms(t[rows], e[rows], g[rows], n1_total[rows])
        pr = n1r / nr
        expected[rows] = (d * pr).sum(axis=1)
        variance[rows] = (d * pr * (1.0 - pr) * (nr - d) / np.maximum(nr - 1, 1)).sum(axis=1)
    cox_log_hr = None
    if cox:
        d_all, n_all = ef, np.broadcast_to(np.arange(n, 0, -1, dtype=float), t.shape)
        n1_all = n1.astype(float)
        if rows.size:
            d_all, n_all = d_all.copy(), n_all.copy()
            d_all[rows], n1_all[rows], n_all[rows] = d, n1r, nr
        cox_log_hr = _cox_newton(observed, d_all, n1_all, n_all)
    return observed, expected, variance, events, cox_log_hr


def _cox_newton(observed, d, n1, n, max_iter=60, tol=1e-10):
    """Maximum partial-likelihood log HR of a binary covariate, Breslow's ties (Cox, JRSS B 1972;
    Breslow, Biometrics 1974), by Newton-Raphson from 0 with steps capped at 1 (the log-likelihood is
    concave). Score U = O1 - sum d n1 w/(n0 + n1 w), information sum d n1 n0 w/(n0 + n1 w)^2, w = e^b.
    NaN where the estimate is infinite (e.g. all events in one group) or undefined (one group empty)."""
    keep = d > 0
    rows = np.broadcast_to(np.arange(d.shape[0])[:, None], d.shape)[keep]
    d, n1, n0 = d[keep], n1[keep], (n - n1)[keep]
    m = observed.size
    beta = np.zeros(m)
    step = np.zeros(m)
    info = np.zeros(m)
    for _ in range(max_iter):
        w = np.exp(beta)[rows]
        p = n1 * w / (n0 + n1 * w)
        score = observed - np.bincount(rows, d * p, minlength=m)
        info = np.bincount(rows, d * p * (1.0 - p), minlength=m)
        step = np.clip(_safe_div(score, info), -1.0, 1.0)
        step[info <= 0] = 0.0
        beta += step
        if np.all(np.abs(step) < tol):
            break
    # finite MLE iff the score changes sign: it tends to O1 - (events with no group 0 at risk) as
    # b -> -inf and to O1 - (events with group 1 at risk) as b -> +inf
    low = np.bincount(rows, d * (n0 == 0), minlength=m)
    high = np.bincount(rows, d * (n1 > 0), minlength=m)
    bad = (observed <= low) | (observed >= high) | (np.abs(step) >= 1e-6)
    beta[bad] = np.nan
    return beta


def _logrank_core(times, events, groups, cox=False) -> LogRankResult:
    """Unvalidated log-rank on 2-D arrays (times float, events bool, groups bool)."""
    order = np.argsort(times, axis=1)
    t = np.take_along_axis(times, order, axis=1)
    e = np.take_along_axis(events, order, axis=1)
    g = np.take_along_axis(groups, order, axis=1)
    n1_total = np.count_nonzero(groups, axis=1)
    return LogRankResult(*_logrank_sorted(t, e, g, n1_total, cox))


def _logrank_fixed_groups(times, events, n1: int, cox=False) -> LogRankResult:
    """Unvalidated log-rank when the first ``n1`` columns are group 1 in every row (the simulator's
    layout): the sorted group indicator is then simply ``order < n1``."""
    order = np.argsort(times, axis=1)
    t = np.take_along_axis(times, order, axis=1)
    e = np.take_along_axis(events, order, axis=1)
    g = order < n1
    n1_total = np.full(times.shape[0], n1)
    return LogRankResult(*_logrank_sorted(t, e, g, n1_total, cox))


def _logrank_subset(times, events, groups, include, cox=False) -> LogRankResult:
    """Log-rank restricted to ``include``: excluded patients get time -1 and no event, so they come
    first in the sort and are never at risk at an event time (all event times are >= 0)."""
    times = np.where(include, times, -1.0)
    return _logrank_core(times, events & include, groups & include, cox)


def _as_2d(name: str, value) -> np.ndarray:
    arr = np.asarray(value)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise ValueError(f"{name} must be a 2-D array (n_trials, n_patients) with n_patients >= 1 "
                         f"(or 1-D for one trial), got shape {arr.shape}")
    return arr


def _indicator(name: str, value) -> np.ndarray:
    arr = _as_2d(name, value)
    if arr.dtype == bool:
        return arr
    if not np.issubdtype(arr.dtype, np.number):
        raise ValueError(f"{name} must contain only 0 and 1 (or booleans), got dtype {arr.dtype}")
    if not np.all((arr == 0) | (arr == 1)):
        raise ValueError(f"{name} must contain only 0 and 1 (or booleans)")
    return arr == 1


def logrank_many(times, events, groups, *, cox: bool = False) -> LogRankResult:
    """Two-sample log-rank test for many trials at once (one trial per row).

    ``times`` (months, finite, >= 0), ``events`` (1 = event, 0 = censored) and ``groups`` (1 =
    experimental, 0 = control) are arrays of shape ``(n_trials, n_patients)`` (a 1-D array is one
    trial). Each row is sorted once; tied times are handled as in the standard log-rank test: at each
    distinct event time with d events among n at risk (n1 of them in group 1),
    ``E1 += d n1/n`` and ``V += d (n1/n)(1 - n1/n)(n - d)/(n - 1)`` (hypergeometric variance; Mantel,
    Cancer Chemother Rep 1966; Peto and Peto, JRSS A 1972). A patient censored at an event time is
    counted at risk at that time. The result equals ``lifelines.statistics.logrank_test`` (whose
    ``test_statistic`` is ``z**2``). Trials with V = 0 (e.g. one group empty) give NaN z and log HR.

    With ``cox=True`` the result also holds the Cox maximum partial-likelihood log hazard ratio
    (Breslow's handling of ties; identical to Efron's when no event times are tied), fitted for all
    trials at once by Newton-Raphson.

    Returns a :class:`LogRankResult` (``z`` negative favours group 1, ``log_hr`` = (O1 - E1)/V).
    """
    times = _as_2d("times", times)
    if times.dtype == bool or not np.issubdtype(times.dtype, np.number):
        raise ValueError(f"times must be real numbers in [0, inf), got dtype {times.dtype}")
    times = times.astype(float)
    if not np.all(np.isfinite(times)) or np.any(times < 0):
        raise ValueError("times must be finite real numbers in [0, inf)")
    events = _indicator("events", events)
    groups = _indicator("groups", groups)
    if events.shape != times.shape or groups.shape != times.shape:
        raise ValueError(f"events and groups must have the shape of times {times.shape}, "
                         f"got {events.shape} and {groups.shape}")
    cox = _flag("cox", cox)
    size = _chunk_size(None, times.shape[1])
    parts = [_logrank_core(times[a:b], events[a:b], groups[a:b], cox) for a, b in _chunks(times.shape[0], size)]
    if len(parts) == 1:
        return parts[0]
    fields = ("observed", "expected", "variance", "events") + (("cox_log_hr",) if cox else ())
    return LogRankResult(**{f: np.concatenate([getattr(p, f) for p in parts]) for f in fields})


# --------------------------------------------------------------------------------------------------
# trial simulation
# --------------------------------------------------------------------------------------------------


def _pwexp_inverse(e, hazards, breakpoints):
    """Event times with cumulative hazard H(t) = e (e ~ Exp(1)) under a piecewise-constant hazard."""
    if hazards.size == 1:
        return e / hazards[0]
    starts = np.concatenate(([0.0], breakpoints))
    h_start = np.concatenate(([0.0], np.cumsum(hazards[:-1] * np.diff(starts))))
    k = np.searchsorted(h_start, e, side="right") - 1
    return starts[k] + (e - h_start[k]) / hazards[k]


@dataclass(frozen=True)
class _Design:
    n1: int
    n0: int
    hazards_experimental: np.ndarray
    hazards_control: np.ndarray
    breakpoints: np.ndarray
    accrual_months: float
    dropout_hazard: float

    @property
    def n(self) -> int:
        return self.n1 + self.n0


def _design(n_per_arm, n, allocation, hazards_experimental, hazards_control, breakpoints,
            accrual_months, dropout_hazard) -> _Design:
    n1, n0 = _arms(n_per_arm, n, allocation)
    bp = _breakpoints(breakpoints)
    return _Design(n1, n0,
                   _hazards("hazards_experimental", hazards_experimental, bp.size + 1),
                   _hazards("hazards_control", hazards_control, bp.size + 1),
                   bp,
                   _check.real("accrual_months", accrual_months, low=0.0),
                   _check.real("dropout_hazard", dropout_hazard, low=0.0))


def _draw(rng: np.random.Generator, n_trials: int, d: _Design):
    """Latent patient times for ``n_trials`` trials: entry (calendar months), event time and dropout time
    (months from randomisation). Columns 0..n1-1 are the experimental arm.

    The uniforms are drawn trial by trial (shape (trials, 3, patients), C order), so trial i gets the
    same numbers whatever the chunking."""
    u = rng.random((n_trials, 3, d.n))
    entry = d.accrual_months * u[:, 0, :]
    e = -np.log1p(-u[:, 1, :])                               # Exp(1): cumulative hazard at the event
    event = np.empty_like(entry)
    event[:, :d.n1] = _pwexp_inverse(e[:, :d.n1], d.hazards_experimental, d.breakpoints)
    event[:, d.n1:] = _pwexp_inverse(e[:, d.n1:], d.hazards_control, d.breakpoints)
    if d.dropout_hazard > 0:
        dropout = -np.log1p(-u[:, 2, :]) / d.dropout_hazard
    else:
        dropout = np.full_like(entry, np.inf)
    return entry, event, dropout


def _target_events(fractions: np.ndarray, total_events: int) -> np.ndarray:
    """round(fraction * total_events), halves rounded up."""
    return np.floor(fractions * total_events + 0.5 + 1e-9).astype(int)


def _simulate_chunk(entry, event, dropout, n1, targets, cox=False):
    """Look times, events and log-rank statistics for one chunk (arrays (trials, looks))."""
    n_rows, n = entry.shape
    observed_event = event <= dropout
    calendar = np.where(observed_event, entry + event, np.inf)   # calendar time of each observed event
    kth = np.unique(targets - 1)
    part = np.partition(calendar, kth, axis=1)
    look_time = part[:, targets - 1]
    n_events_ever = np.count_nonzero(observed_event, axis=1)
    short = ~np.isfinite(look_time)
    if short.any():
        # target not reachable (dropout): the look is taken at the trial's last event
        last_event = np.where(observed_event, calendar, -np.inf).max(axis=1)
        last_event = np.where(n_events_ever > 0, last_event, np.nan)
        look_time = np.where(short, last_event[:, None], look_time)
    k = targets.size
    keys = ("time", "z", "log_hr", "variance") + (("cox_log_hr",) if cox else ())
    out = {key: np.empty((n_rows, k)) for key in keys}
    out["events"] = np.minimum(targets[None, :], n_events_ever[:, None])
    out["time"][:] = look_time
    for j in range(k):
        c = look_time[:, j:j + 1]
        is_event = calendar <= c
        obs = np.where(is_event, event, np.minimum(dropout, c - entry))
        np.maximum(obs, 0.0, out=obs)                          # not yet enrolled: time 0, censored, never at risk
        np.nan_to_num(obs, copy=False, nan=0.0)                # trials without any event (c = NaN)
        res = _logrank_fixed_groups(obs, is_event, n1, cox)
        out["z"][:, j] = res.z
        out["log_hr"][:, j] = res.log_hr
        out["variance"][:, j] = res.variance
        if cox:
            out["cox_log_hr"][:, j] = res.cox_log_hr
    return out


@dataclass(frozen=True, eq=False)
class TrialSimulation:
    """Results of :func:`simulate_trials`: arrays of shape (n_trials, n_looks).

    ``events``: events at each look; ``time``: calendar month of the look; ``z``: log-rank Z (negative
    favours experimental); ``log_hr``: one-step (Peto) estimate (O1 - E1)/V; ``variance``: V, the
    information; ``cox_log_hr``: Cox estimate (only with ``cox=True``, else None). ``fractions`` and
    ``target_events`` describe the looks.
    """

    fractions: np.ndarray
    target_events: np.ndarray
    events: np.ndarray
    time: np.ndarray
    z: np.ndarray
    log_hr: np.ndarray
    variance: np.ndarray
    cox_log_hr: np.ndarray | None = None

    @property
    def hr(self) -> np.ndarray:
        return np.exp(self.log_hr)

    @property
    def n_trials(self) -> int:
        return self.z.shape[0]

    @property
    def n_looks(self) -> int:
        return self.z.shape[1]

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame, one row per trial and look: trial, look (1-based), fraction, events, time, z,
        log_hr, hr, variance (and cox_log_hr, cox_hr when computed)."""
        n, k = self.z.shape
        df = pd.DataFrame({
            "trial": np.repeat(np.arange(n), k),
            "look": np.tile(np.arange(1, k + 1), n),
            "fraction": np.tile(self.fractions, n),
            "events": self.events.ravel(),
            "time": self.time.ravel(),
            "z": self.z.ravel(),
            "log_hr": self.log_hr.ravel(),
            "hr": self.hr.ravel(),
            "variance": self.variance.ravel(),
        })
        if self.cox_log_hr is not None:
            df["cox_log_hr"] = self.cox_log_hr.ravel()
            df["cox_hr"] = np.exp(df["cox_log_hr"])
        return df


def simulate_trials(n_trials: int, *, hazards_experimental, hazards_control, total_events: int, seed,
                    n_per_arm=None, n: int | None = None, allocation=(1, 1), breakpoints=(),
                    accrual_months: float = 12.0, dropout_hazard: float = 0.0, event_fractions=(1.0,),
                    cox: bool = False, chunk_size: int | None = None) -> TrialSimulation:
    """Simulate ``n_trials`` two-arm survival trials with event-driven looks (vectorised over trials).

    Patients: ``n_per_arm = (experimental, control)`` (default (200, 200)), or ``n`` patients split by
    ``allocation``, the ratio experimental:control as a pair (e.g. ``(2, 1)``), of whom
    ``round(n * e / (e + c))`` are experimental (fixed allocation, as with permuted blocks). Each
    patient enters at a uniform time in [0, ``accrual_months``]; the event time from randomisation is
    piecewise exponential with hazards (per month) ``hazards_experimental``/``hazards_control`` on the
    pieces cut at ``breakpoints`` (months; a single hazard means exponential), drawn by inversion of the
    cumulative hazard; an independent exponential dropout (``dropout_hazard`` per month, 0 = none)
    censors follow-up.

    Looks: look k happens at the calendar time when the cumulative number of observed events reaches
    ``round(event_fractions[k] * total_events)`` (halves rounded up). Every patient enrolled by then is
    censored administratively at that time; patients not yet enrolled are not analysed. If dropout
    prevents a trial from ever reaching a target, that look is taken at the trial's last event
    (``events`` then reports the smaller count).

    At each look: the log-rank Z (negative favours experimental), the one-step log hazard ratio
    (O1 - E1)/V (Peto's estimate, Yusuf et al., Prog Cardiovasc Dis 1985; without tied event times it
    is exactly one Newton step from 0 of the Cox partial likelihood) and its information V (see :func:`logrank_many`); with
    ``cox=True`` also the Cox estimate of the log hazard ratio (slower: about twice the time).

    Trials are processed ``chunk_size`` at a time (default: about 2e5 patient cells per chunk), which
    bounds memory; results do not depend on ``chunk_size``. Returns a :class:`TrialSimulation` (use
    ``.to_frame()`` for a tidy DataFrame).
    """
    n_trials = _check.integer("n_trials", n_trials, low=1)
    d = _design(n_per_arm, n, allocation, hazards_experimental, hazards_control, breakpoints,
                accrual_months, dropout_hazard)
    fractions = _fractions("event_fractions", event_fractions)
    total_events = _check.integer("total_events", total_events, low=1, high=d.n)
    targets = _target_events(fractions, total_events)
    if targets[0] < 1:
        raise ValueError(f"event_fractions[0] * total_events must round to >= 1 event, "
                         f"got {fractions[0]} * {total_events}")
    cox = _flag("cox", cox)
    rng = _rng(seed)
    size = _chunk_size(chunk_size, d.n)
    k = fractions.size
    keys = ("time", "z", "log_hr", "variance") + (("cox_log_hr",) if cox else ())
    res = {key: np.empty((n_trials, k)) for key in keys}
    res["events"] = np.empty((n_trials, k), dtype=int)
    for a, b in _chunks(n_trials, size):
        entry, event, dropout = _draw(rng, b - a, d)
        out = _simulate_chunk(entry, event, dropout, d.n1, targets, cox)
        for key in res:
            res[key][a:b] = out[key]
    return TrialSimulation(fractions=fractions, target_events=targets, **res)


def simulate_patients(n_trials: int, *, hazards_experimental, hazards_control, seed, n_per_arm=None,
                      n: int | None = None, allocation=(1, 1), breakpoints=(),
                      accrual_months: float = 12.0, dropout_hazard: float = 0.0) -> pd.DataFrame:
    """The latent patient-level data of the first ``n_trials`` trials that :func:`simulate_trials`
    analyses with the same arguments and seed (same random stream, trial by trial).

    One row per patient: trial, patient, arm ("experimental"/"control"), entry_month (calendar),
    event_month and dropout_month (months from randomisation; ``inf`` = no dropout). The event is
    observed at calendar time entry_month + event_month if event_month <= dropout_month.
    """
    n_trials = _check.integer("n_trials", n_trials, low=1)
    d = _design(n_per_arm, n, allocation, hazards_experimental, hazards_control, breakpoints,
                accrual_months, dropout_hazard)
    entry, event, dropout = _draw(_rng(seed), n_trials, d)
    arm = np.where(np.arange(d.n) < d.n1, "experimental", "control")
    return pd.DataFrame({
        "trial": np.repeat(np.arange(n_trials), d.n),
        "patient": np.tile(np.arange(d.n), n_trials),
        "arm": np.tile(arm, n_trials),
        "entry_month": entry.ravel(),
        "event_month": event.ravel(),
        "dropout_month": dropout.ravel(),
    })


# --------------------------------------------------------------------------------------------------
# bias laboratories
# --------------------------------------------------------------------------------------------------


def _frame_rows(trial_offset: int, analysis: str, res: LogRankResult, **extra) -> dict:
    log_hr = res.log_hr
    cols = {"trial": trial_offset + np.arange(log_hr.size), "analysis": np.full(log_hr.size, analysis, dtype=object)}
    cols.update(extra)
    cols.update({"events": res.events.astype(int), "z": res.z, "log_hr": log_hr, "hr": np.exp(log_hr),
                 "cox_log_hr": res.cox_log_hr, "cox_hr": np.exp(res.cox_log_hr)})
    return cols


def _long_frame(parts: list[dict], order: list[str]) -> pd.DataFrame:
    df = pd.concat([pd.DataFrame(p) for p in parts], ignore_index=True)
    df["analysis"] = pd.Categorical(df["analysis"], categories=order)
    return df.sort_values(["trial", "analysis"], kind="stable").reset_index(drop=True)


def stopping_bias(true_hr: float, fractions, boundaries_z, *, seed, n_trials: int = 2000,
                  n_per_arm=(200, 200), control_hazard: float = LN2 / 12, total_events: int = 300,
                  accrual_months: float = 24.0, dropout_hazard: float = 0.0,
                  chunk_size: int | None = None) -> pd.DataFrame:
    """Bias of the hazard ratio estimated in trials stopped early for benefit.

    Trials (exponential hazards ``control_hazard`` and ``true_hr * control_hazard``, see
    :func:`simulate_trials`) are looked at when ``fractions`` of ``total_events`` have occurred; a
    trial stops at the first look k with ``z <= -boundaries_z[k]`` (efficacy for the experimental
    arm; the boundaries are positive z values, e.g. from a group-sequential design), otherwise it runs
    to the last look. Truncating at a random high point exaggerates the effect in trials that stop
    early (Pocock and Hughes, Control Clin Trials 1989; Bassler et al., JAMA 2010).

    Returns one row per trial: trial, stop_look (1-based), stop_fraction, stopped_early, crossed (the
    boundary was crossed at stop_look, which may be the last look), events, z, log_hr, hr (one-step
    estimate) and cox_log_hr, cox_hr (Cox estimate) at stopping, final_log_hr, final_hr,
    final_cox_log_hr (the estimates had the trial run to its last look), true_hr.
    """
    true_hr = _positive("true_hr", true_hr)
    fr = _fractions("fractions", fractions)
    b = _real_vector("boundaries_z", boundaries_z)
    if b.size != fr.size:
        raise ValueError(f"boundaries_z must have one value per look ({fr.size}), got {b.size}")
    if np.any(b <= 0):
        raise ValueError(f"boundaries_z must be in (0, inf) (efficacy boundaries as positive z), got {boundaries_z!r}")
    control_hazard = _positive("control_hazard", control_hazard)
    sim = simulate_trials(n_trials, hazards_experimental=true_hr * control_hazard,
                          hazards_control=control_hazard, total_events=total_events, seed=seed,
                          n_per_arm=n_per_arm, accrual_months=accrual_months,
                          dropout_hazard=dropout_hazard, event_fractions=fr, cox=True, chunk_size=chunk_size)
    k = fr.size
    crosses = sim.z <= -b[None, :]
    any_cross = crosses.any(axis=1)
    stop = np.where(any_cross, crosses.argmax(axis=1), k - 1)
    rows = np.arange(sim.n_trials)
    log_hr = sim.log_hr[rows, stop]
    return pd.DataFrame({
        "trial": rows,
        "stop_look": stop + 1,
        "stop_fraction": fr[stop],
        "stopped_early": stop < k - 1,
        "crossed": any_cross,
        "events": sim.events[rows, stop],
        "z": sim.z[rows, stop],
        "log_hr": log_hr,
        "hr": np.exp(log_hr),
        "cox_log_hr": sim.cox_log_hr[rows, stop],
        "cox_hr": np.exp(sim.cox_log_hr[rows, stop]),
        "final_log_hr": sim.log_hr[:, -1],
        "final_hr": sim.hr[:, -1],
        "final_cox_log_hr": sim.cox_log_hr[:, -1],
        "true_hr": true_hr,
    })


def naive_looks_type1(fractions, z: float = 1.96, n_trials: int = 10_000, *, seed, sided: int = 2,
                      n_per_arm=(200, 200), control_hazard: float = LN2 / 12, total_events: int = 300,
                      accrual_months: float = 24.0, dropout_hazard: float = 0.0,
                      chunk_size: int | None = None) -> pd.DataFrame:
    """Empirical type I error of testing at the unadjusted critical value ``z`` at every look.

    Trials are simulated under HR = 1 (both arms ``control_hazard``) with looks at ``fractions`` of
    ``total_events``; a trial "rejects" at the first look with ``|Z| >= z`` (``sided=2``) or with
    ``Z <= -z`` (``sided=1``: in favour of the experimental arm), as
    :func:`trialkit.design.naive_repeated_looks_alpha`. With z = 1.96 and 5 equally spaced looks the error is about 0.14, not
    0.05 (Armitage, McPherson and Rowe, JRSS A 1969).

    Returns one row per look: look, fraction, target_events, reject_at_look (share rejecting at that
    look, ignoring earlier ones), first_reject_at_look, cumulative_type1 (rejected at this or an
    earlier look) and its Monte Carlo standard error mc_se.
    """
    fr = _fractions("fractions", fractions)
    z = _positive("z", z)
    if isinstance(sided, (bool, np.bool_)) or sided not in (1, 2):
        raise ValueError(f"sided must be 1 or 2, got {sided!r}")
    control_hazard = _positive("control_hazard", control_hazard)
    sim = simulate_trials(n_trials, hazards_experimental=control_hazard, hazards_control=control_hazard,
                          total_events=total_events, seed=seed, n_per_arm=n_per_arm,
                          accrual_months=accrual_months, dropout_hazard=dropout_hazard,
                          event_fractions=fr, chunk_size=chunk_size)
    reject = (np.abs(sim.z) >= z) if sided == 2 else (sim.z <= -z)
    cumulative = np.logical_or.accumulate(reject, axis=1)
    first = np.diff(np.concatenate([np.zeros((sim.n_trials, 1), bool), cumulative], axis=1).astype(int), axis=1)
    cum_rate = cumulative.mean(axis=0)
    return pd.DataFrame({
        "look": np.arange(1, fr.size + 1),
        "fraction": fr,
        "target_events": sim.target_events,
        "reject_at_look": reject.mean(axis=0),
        "first_reject_at_look": first.mean(axis=0),
        "cumulative_type1": cum_rate,
        "mc_se": np.sqrt(cum_rate * (1 - cum_rate) / sim.n_trials),
    })


def immortal_time(*, seed, n_patients: int = 400, death_hazard: float = LN2 / 8,
                  response_hazard: float = LN2 / 2, landmark_months: float = 3.0,
                  follow_up_months: float = 36.0, n_trials: int = 1000,
                  chunk_size: int | None = None) -> pd.DataFrame:
    """Immortal-time bias of a responder-versus-non-responder survival comparison.

    No treatment and no effect of response: every patient dies at rate ``death_hazard`` (per month)
    and would respond at rate ``response_hazard``; a response counts only if it happens before death
    and within ``follow_up_months`` (administrative censoring). Two analyses (group 1 = responders):

    * ``naive``: responders versus non-responders from time 0. Responders must survive until they
      respond, so their time before response is "immortal" and the HR is biased far below 1
      (Anderson, Cain and Gelber, J Clin Oncol 1983; Suissa, Am J Epidemiol 2008).
    * ``landmark``: patients alive and followed at ``landmark_months``, classified by response by the
      landmark, followed from the landmark (Anderson et al. 1983): HR close to the true value 1.

    Returns one row per trial and analysis: trial, analysis, n (patients analysed), n_responders,
    events, z, log_hr, hr (one-step estimate), cox_log_hr, cox_hr (Cox estimate: prefer it here, the
    naive hazard ratio is far from 1 where the one-step estimate exaggerates).
    """
    n_patients = _check.integer("n_patients", n_patients, low=2)
    death_hazard = _positive("death_hazard", death_hazard)
    response_hazard = _positive("response_hazard", response_hazard)
    follow_up_months = _positive("follow_up_months", follow_up_months)
    landmark_months = _check.real("landmark_months", landmark_months, low=0.0, high=follow_up_months,
                                  low_open=True, high_open=True)
    n_trials = _check.integer("n_trials", n_trials, low=1)
    rng = _rng(seed)
    parts = []
    for a, b in _chunks(n_trials, _chunk_size(chunk_size, n_patients)):
        u = rng.random((b - a, 2, n_patients))
        death = -np.log1p(-u[:, 0, :]) / death_hazard
        response = -np.log1p(-u[:, 1, :]) / response_hazard
        obs = np.minimum(death, follow_up_months)
        dead = death <= follow_up_months
        responder = response < obs
        naive = _logrank_core(obs, dead, responder, cox=True)
        parts.append(_frame_rows(a, "naive", naive, n=np.full(b - a, n_patients),
                                 n_responders=responder.sum(axis=1)))
        at_landmark = obs > landmark_months
        early = responder & (response <= landmark_months) & at_landmark
        land = _logrank_subset(obs - landmark_months, dead, early, at_landmark, cox=True)
        parts.append(_frame_rows(a, "landmark", land, n=at_landmark.sum(axis=1), n_responders=early.sum(axis=1)))
    return _long_frame(parts, ["naive", "landmark"])


def censor_at_transplant(*, seed, true_hr: float = 1.0, transplant_hazard_experimental: float = 0.06,
                         transplant_hazard_control: float = 0.02, post_transplant_hr: float = 0.5,
                         control_hazard: float = LN2 / 8, candidate_fraction: float = 1.0,
                         non_candidate_hr: float = 1.0, n_per_arm=(200, 200),
                         follow_up_months: float = 24.0, n_trials: int = 1000,
                         chunk_size: int | None = None) -> pd.DataFrame:
    """Intention-to-treat HR versus the HR with patients censored at transplant (a post-randomisation
    event).

    Death hazard before transplant: ``control_hazard`` (control) and ``true_hr * control_hazard``
    (experimental), multiplied by ``non_candidate_hr`` for patients who are not transplant candidates
    (a share ``1 - candidate_fraction`` of each arm). Candidates are transplanted at rate
    ``transplant_hazard_experimental``/``transplant_hazard_control`` (per month) if still alive; after
    transplant the death hazard is multiplied by ``post_transplant_hr``. Follow-up is
    ``follow_up_months`` for everyone.

    * ``itt``: all deaths, whatever happened after randomisation: answers "what does assigning the
      experimental treatment do", including its effect through more transplants.
    * ``censored_at_transplant``: follow-up stops at transplant. With transplant independent of
      prognosis (``candidate_fraction`` = 1 or ``non_candidate_hr`` = 1) this estimates ``true_hr``,
      the pre-transplant effect only; when fitter patients are the ones transplanted
      (``non_candidate_hr`` > 1) the censoring is informative and biased against the arm that
      transplants more (Latimer et al., Med Decis Making 2014 describe the same problem for
      treatment switching).

    Returns one row per trial and analysis: trial, analysis, transplanted_experimental,
    transplanted_control (shares transplanted during follow-up), events, z, log_hr, hr (one-step
    estimate), cox_log_hr, cox_hr (Cox estimate).
    """
    true_hr = _positive("true_hr", true_hr)
    h_tx_e = _positive("transplant_hazard_experimental", transplant_hazard_experimental)
    h_tx_c = _positive("transplant_hazard_control", transplant_hazard_control)
    post_transplant_hr = _positive("post_transplant_hr", post_transplant_hr)
    control_hazard = _positive("control_hazard", control_hazard)
    candidate_fraction = _check.real("candidate_fraction", candidate_fraction, low=0.0, high=1.0, low_open=True)
    non_candidate_hr = _positive("non_candidate_hr", non_candidate_hr)
    n1, n0 = _arms(n_per_arm, None, 0.5)
    follow_up_months = _positive("follow_up_months", follow_up_months)
    n_trials = _check.integer("n_trials", n_trials, low=1)
    rng = _rng(seed)
    n = n1 + n0
    experimental = np.arange(n) < n1
    parts = []
    for a, b in _chunks(n_trials, _chunk_size(chunk_size, n)):
        u = rng.random((b - a, 3, n))
        candidate = u[:, 0, :] < candidate_fraction
        hazard = np.where(experimental, true_hr * control_hazard, control_hazard)
        hazard = np.where(candidate, hazard, hazard * non_candidate_hr)
        e = -np.log1p(-u[:, 1, :])                           # cumulative hazard at death
        tx = -np.log1p(-u[:, 2, :]) / np.where(experimental, h_tx_e, h_tx_c)
        tx = np.where(candidate, tx, np.inf)
        death = e / hazard
        after = death > tx                                   # alive at transplant: hazard changes
        death[after] = tx[after] + (e[after] - hazard[after] * tx[after]) / (hazard[after] * post_transplant_hr)
        dead = death <= follow_up_months
        obs = np.minimum(death, follow_up_months)
        groups = np.broadcast_to(experimental, obs.shape)
        transplanted = after & (tx <= follow_up_months)
        shares = {"transplanted_experimental": transplanted[:, :n1].mean(axis=1),
                  "transplanted_control": transplanted[:, n1:].mean(axis=1)}
        parts.append(_frame_rows(a, "itt", _logrank_core(obs, dead, groups, cox=True), **shares))
        cens = _logrank_core(np.minimum(obs, tx), dead & ~after, groups, cox=True)
        parts.append(_frame_rows(a, "censored_at_transplant", cens, **shares))
    return _long_frame(parts, ["itt", "censored_at_transplant"])


def exclude_withdrawals(*, seed, true_hr: float = 1.0, withdrawal_fraction: float = 0.1,
                        withdrawal_hr: float = 2.0, withdrawal_arm: str = "experimental",
                        control_hazard: float = LN2 / 8, n_per_arm=(200, 200),
                        follow_up_months: float = 24.0, n_trials: int = 1000,
                        chunk_size: int | None = None) -> pd.DataFrame:
    """Intention-to-treat HR versus an "as-treated" HR that excludes patients who withdrew before
    treatment in one arm.

    Randomisation makes the arms alike: in both arms a share ``withdrawal_fraction`` of patients are
    the kind who would withdraw if assigned to ``withdrawal_arm``, and their death hazard is
    ``withdrawal_hr`` times that of the others (e.g. > 1: frailer patients withdraw). Only in
    ``withdrawal_arm`` do they actually withdraw; withdrawn patients receive no trial treatment (hazard
    ``withdrawal_hr * control_hazard``). Treated experimental patients have ``true_hr`` times the
    control hazard. Follow-up is ``follow_up_months`` for everyone.

    * ``itt``: everyone as randomised (a valid, possibly diluted, comparison).
    * ``as_treated``: withdrawn patients excluded, which removes prognostically different patients
      from one arm only: biased whenever ``withdrawal_hr`` != 1 (Fergusson et al., BMJ 2002; ICH E9).

    Returns one row per trial and analysis: trial, analysis, n (patients analysed), n_withdrawn,
    events, z, log_hr, hr (one-step estimate), cox_log_hr, cox_hr (Cox estimate).
    """
    true_hr = _positive("true_hr", true_hr)
    withdrawal_fraction = _check.probability("withdrawal_fraction", withdrawal_fraction)
    withdrawal_hr = _positive("withdrawal_hr", withdrawal_hr)
    withdrawal_arm = _check.choice("withdrawal_arm", withdrawal_arm, {"experimental", "control"})
    control_hazard = _positive("control_hazard", control_hazard)
    n1, n0 = _arms(n_per_arm, None, 0.5)
    follow_up_months = _positive("follow_up_months", follow_up_months)
    n_trials = _check.integer("n_trials", n_trials, low=1)
    rng = _rng(seed)
    n = n1 + n0
    experimental = np.arange(n) < n1
    in_withdrawal_arm = experimental if withdrawal_arm == "experimental" else ~experimental
    parts = []
    for a, b in _chunks(n_trials, _chunk_size(chunk_size, n)):
        u = rng.random((b - a, 2, n))
        kind = u[:, 0, :] < withdrawal_fraction               # would withdraw if in withdrawal_arm
        withdrawn = kind & in_withdrawal_arm
        treated_hazard = np.where(experimental, true_hr * control_hazard, control_hazard)
        hazard = np.where(kind, withdrawal_hr, 1.0) * np.where(withdrawn, control_hazard, treated_hazard)
        death = -np.log1p(-u[:, 1, :]) / hazard
        dead = death <= follow_up_months
        obs = np.minimum(death, follow_up_months)
        groups = np.broadcast_to(experimental, obs.shape)
        n_w = withdrawn.sum(axis=1)
        parts.append(_frame_rows(a, "itt", _logrank_core(obs, dead, groups, cox=True), n=np.full(b - a, n),
                                n_withdrawn=n_w))
        kept = ~withdrawn
        parts.append(_frame_rows(a, "as_treated", _logrank_subset(obs, dead, groups, kept, cox=True), n=n - n_w,
                                n_withdrawn=n_w))
    return _long_frame(parts, ["itt", "as_treated"])


# --------------------------------------------------------------------------------------------------
# benchmark
# --------------------------------------------------------------------------------------------------

_MEMORY_CHILD = """
import resource, time
from pathlib import Path
from trialkit import sim
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
res = sim.simulate_trials({n_trials}, n_per_arm=({half}, {half}), hazards_experimental=0.7 * sim.LN2 / 12,
                          hazards_control=sim.LN2 / 12, accrual_months=24.0, total_events={events},
                          event_fractions=(1/3, 2/3, 1.0), seed=3)
seconds = time.perf_counter() - t0
hwm = [int(x.split()[1]) for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("VmHWM")]
print(seconds, base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, hwm[0] if hwm else -1)
"""


def _bench(n_trials: int, n_patients: int, n_lifelines: int, memory_trials: int) -> list[str]:
    import resource
    import subprocess

    from lifelines.statistics import logrank_test

    half = n_patients // 2
    events = int(0.75 * 2 * half)
    kwargs = dict(n_per_arm=(half, half), hazards_experimental=0.7 * LN2 / 12, hazards_control=LN2 / 12,
                  accrual_months=24.0, total_events=events, event_fractions=(1 / 3, 2 / 3, 1.0))
    lines = [f"# trialkit.sim benchmark (Python {sys.version.split()[0]}, numpy {np.__version__})", ""]

    # peak memory first, in a fresh process, while this process is still small
    child = _MEMORY_CHILD.format(n_trials=memory_trials, half=half, events=events)
    out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=True)
    seconds, base_kb, peak_kb, hwm_kb = (float(x) for x in out.stdout.split())
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    lines.append(f"- {memory_trials:,} trials x {2 * half} patients x 3 looks in a fresh process: {seconds:.1f} s; "
                 f"peak RSS {peak_kb / 1024:,.0f} MB by getrusage in the child ({base_kb / 1024:,.0f} MB after "
                 f"imports; VmHWM {hwm_kb / 1024:,.0f} MB; RUSAGE_CHILDREN {children_kb / 1024:,.0f} MB); "
                 f"target < 2,048 MB; default chunk {max(1, CHUNK_CELLS // (2 * half)):,} trials")

    simulate_trials(200, seed=0, **kwargs)                  # warm-up
    runs = []
    for rep in range(3):
        t0 = _time.perf_counter()
        simulate_trials(n_trials, seed=rep, **kwargs)
        runs.append(_time.perf_counter() - t0)
    lines.append(f"- simulate_trials: {n_trials:,} trials x {2 * half} patients x 3 looks: "
                 f"best {min(runs):.2f} s, runs " + ", ".join(f"{r:.2f}" for r in runs) + " s (target < 2 s)")

    # one look's analysis data for n_trials trials (the final look), then log-rank both ways
    d = _design((half, half), None, (1, 1), kwargs["hazards_experimental"], kwargs["hazards_control"], (),
                kwargs["accrual_months"], 0.0)
    entry, event, dropout = _draw(np.random.default_rng(11), n_trials, d)
    calendar = entry + event
    c = np.partition(calendar, events - 1, axis=1)[:, events - 1:events]
    is_event = calendar <= c
    obs = np.maximum(np.where(is_event, event, c - entry), 0.0)
    groups = np.broadcast_to(np.arange(d.n) < d.n1, obs.shape)
    t0 = _time.perf_counter()
    ours = logrank_many(obs, is_event, groups)
    t_ours = (_time.perf_counter() - t0) / n_trials
    m = min(n_lifelines, n_trials)
    t0 = _time.perf_counter()
    ll = np.array([logrank_test(obs[i][groups[i]], obs[i][~groups[i]], is_event[i][groups[i]],
                                is_event[i][~groups[i]]).test_statistic for i in range(m)])
    t_ll = (_time.perf_counter() - t0) / m
    diff = float(np.max(np.abs(ll - ours.chi_square[:m])))
    lines.append(f"- logrank_many on {n_trials:,} trials x {d.n} patients: {t_ours * 1e6:.1f} us per trial; "
                 f"lifelines logrank_test loop on {m} trials: {t_ll * 1e3:.2f} ms per trial; "
                 f"speed-up {t_ll / t_ours:,.0f}x (target >= 50x); max |chi-square difference| {diff:.1e}")
    per_look = min(runs) / (n_trials * 3)
    lines.append(f"- whole simulation (draw + 3 looks) per trial-look: {per_look * 1e6:.1f} us, "
                 f"{t_ll / per_look:,.0f}x faster than one lifelines logrank_test call")
    # the last trials of the same seed also agree with lifelines through the simulator itself
    pat = simulate_patients(3, seed=0, **{k: v for k, v in kwargs.items() if k not in ("total_events", "event_fractions")})
    sim3 = simulate_trials(3, seed=0, **kwargs)
    worst = 0.0
    for i, df in pat.groupby("trial"):
        cal = (df.entry_month + df.event_month).to_numpy()
        for j, target in enumerate(sim3.target_events):
            cj = np.sort(cal)[target - 1]
            ev = cal <= cj
            t = np.maximum(np.where(ev, df.event_month, cj - df.entry_month), 0)
            exp = (df.arm == "experimental").to_numpy()
            stat = logrank_test(t[exp], t[~exp], ev[exp], ev[~exp]).test_statistic
            worst = max(worst, abs(stat - sim3.z[i, j] ** 2))
    lines.append(f"- simulate_trials z^2 versus lifelines on the rebuilt patient data (3 trials x 3 looks): "
                 f"max difference {worst:.1e}")
    return lines


def main(argv=None) -> int:
    """``python -m trialkit.sim bench``: timing and memory figures (a measurement, not a test)."""
    parser = argparse.ArgumentParser(prog="python -m trialkit.sim", description="trialkit.sim utilities")
    sub = parser.add_subparsers(dest="command", required=True)
    bench = sub.add_parser("bench", help="time the simulator against lifelines and measure peak memory")
    bench.add_argument("--trials", type=int, default=10_000, help="trials for the timing runs")
    bench.add_argument("--patients", type=int, default=400, help="patients per trial (split 1:1)")
    bench.add_argument("--lifelines-trials", type=int, default=200, help="trials for the lifelines loop")
    bench.add_argument("--memory-trials", type=int, default=100_000, help="trials for the peak-memory run")
    args = parser.parse_args(argv)
    for line in _bench(args.trials, args.patients, args.lifelines_trials, args.memory_trials):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

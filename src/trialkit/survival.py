"""Survival analysis helpers that return tidy tables for charts and small results for the text.

Inputs are arrays (``time``, ``event`` 0/1, optionally ``group``/``strata``) or a DataFrame passed as
``time`` whose columns are named ``time`` and ``event``; with a DataFrame the other arguments may
name columns instead. Nothing is split or stratified silently: a curve per arm, a stratified test
or a between-group comparison needs ``group`` (and ``strata``) given explicitly, as an array or as
a column name. Everything is validated: times finite and >= 0, events 0 or 1, equal lengths, no
missing labels, at least one event.

Sign convention (the package's, see :mod:`trialkit`): comparisons are experimental versus control.
The control arm is named by ``reference``; the log-rank ``z`` is (O - E) / sqrt(V) of the other
(experimental) group, so a negative z, like a hazard ratio below 1, favours the experimental arm;
an RMST difference is experimental minus control.

Where a library is right it is used: lifelines for the unstratified log-rank test, the Cox models and
the proportional-hazards test, statsmodels for the stratified log-rank test. Own code where the
libraries are missing something or wrong:

* the Kaplan-Meier table (a few lines of numpy; lifelines gives no tidy per-group table with a start
  row and censoring counts, and reports the band as (0, 0) where the curve is 0 and R reports NA);
* the median and its Brookmeyer-Crowley interval with R's midpoint rule for flat stretches at 0.5;
* the variance of the restricted mean survival time (lifelines' ``return_variance`` is the variance
  of ``min(T, tau)``, not of the estimator);
* the Aalen-Johansen cumulative incidence with exact handling of tied times (lifelines jitters ties).

Warnings raised inside lifelines are never silenced: a failed fit raises ``ValueError``; lifelines'
advisory convergence warnings are kept in ``CoxResult.warnings``; any other warning is passed on.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as _st

from trialkit import _check

_TOL = float(np.sqrt(np.finfo(float).eps))  # R survival's tolerance for "exactly 0.5" in quantiles
_FAILED_FIT = ("failed to converge", "suspiciously close to 0", "norm(delta) is still high")


# --- result types --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MedianSurvival:
    """A Kaplan-Meier median with its confidence interval.

    ``inf`` means "not reached within follow-up" (the curve, or the band that gives that limit,
    never falls to 0.5); ``nan`` means undetermined (the band is undefined where the curve reaches 0).
    """

    median: float
    ci_low: float
    ci_high: float
    level: float
    method: str = "Kaplan-Meier; Brookmeyer-Crowley interval from the log-log band"

    def as_tuple(self) -> tuple[float, float, float]:
        return (self.median, self.ci_low, self.ci_high)


@dataclass(frozen=True)
class LogrankResult:
    """A (possibly stratified) log-rank test with observed and expected events per group.

    ``z`` is given for two groups with a ``reference`` (control) group only: ``(O - E) / sqrt(V)`` of
    the other (experimental) group, so ``z < 0`` (fewer events than expected) favours it;
    ``z**2 == chi2``. Without a reference, or with more groups, ``z`` is nan (no silent direction).
    """

    chi2: float
    df: int
    z: float
    p: float
    observed: dict
    expected: dict
    n: dict
    stratified: bool

    def table(self) -> pd.DataFrame:
        """One row per group: n, observed, expected, O - E and O / E."""
        groups = list(self.observed)
        obs = np.array([self.observed[g] for g in groups], dtype=float)
        exp = np.array([self.expected[g] for g in groups], dtype=float)
        return pd.DataFrame({
            "group": groups,
            "n": [self.n[g] for g in groups],
            "observed": obs,
            "expected": exp,
            "o_minus_e": obs - exp,
            "o_over_e": np.divide(obs, exp, out=np.full_like(obs, np.nan), where=exp > 0),
        })


@dataclass(frozen=True)
class CoxResult:
    """A fitted Cox model: ``table`` has one row per term (covariate, coef, se, hr, ci_low, ci_high, z, p).

    ``warnings`` holds lifelines' advisory convergence messages for a fit that did converge (for
    example "very low variance"), so they are visible without interrupting the caller.
    """

    table: pd.DataFrame
    n: int
    events: int
    log_likelihood: float
    concordance: float
    level: float
    method: str
    warnings: tuple[str, ...] = field(default=())

    def hr(self, term: str) -> tuple[float, float, float]:
        """(hazard ratio, ci_low, ci_high) of one term."""
        rows = self.table[self.table["covariate"] == term]
        if rows.empty:
            raise ValueError(f"term must be one of {list(self.table['covariate'])}, got {term!r}")
        r = rows.iloc[0]
        return (float(r["hr"]), float(r["ci_low"]), float(r["ci_high"]))


@dataclass(frozen=True)
class RMST:
    """Restricted mean survival time up to ``tau`` with its standard error and Wald interval."""

    rmst: float
    se: float
    ci_low: float
    ci_high: float
    tau: float
    level: float
    method: str = "area under the Kaplan-Meier curve; Greenwood-type variance (Klein & Moeschberger)"


@dataclass(frozen=True)
class RMSTDifference:
    """Difference in RMST, ``comparator - reference``, with SE, Wald interval, P value and each arm's RMST."""

    difference: float
    se: float
    ci_low: float
    ci_high: float
    p: float
    reference: object
    comparator: object
    rmst: dict
    tau: float
    level: float


# --- argument validation -------------------------------------------------------------------------


def _z(level: float) -> float:
    return float(_st.norm.ppf(0.5 + level / 2))


def _vector(name: str, value) -> np.ndarray:
    """A one-dimensional array (list, tuple, ndarray, Series, Index); strings and scalars rejected."""
    if value is None or isinstance(value, (str, bytes, numbers.Number, pd.DataFrame)):
        raise ValueError(f"{name} must be a one-dimensional array of values, got {type(value).__name__}")
    arr = value.to_numpy() if isinstance(value, (pd.Series, pd.Index)) else np.asarray(value)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got an array of shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must have at least 1 value, got none")
    return arr


def _numeric(name: str, value) -> np.ndarray:
    """A float array; missing values become nan (callers decide whether nan is allowed)."""
    if isinstance(value, pd.Series) and pd.api.types.is_numeric_dtype(value) and not pd.api.types.is_bool_dtype(value):
        value = value.to_numpy(dtype=float, na_value=np.nan)
    arr = _vector(name, value)
    if arr.dtype.kind == "O":
        if any(isinstance(v, (str, bytes, bool, np.bool_)) for v in arr):
            raise ValueError(f"{name} must be numeric, got non-numeric values")
        try:
            arr = np.array([np.nan if v is None or v is pd.NA or v is pd.NaT else v for v in arr], dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be numeric, got non-numeric values") from None
    if arr.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be numeric, got values of type {arr.dtype}")
    return arr.astype(float)


def _times(name: str, value, *, positive: bool = False) -> np.ndarray:
    """Finite times >= 0 (> 0 when ``positive``)."""
    t = _numeric(name, value)
    bad = ~np.isfinite(t) | ((t <= 0) if positive else (t < 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        rng = "(0, inf)" if positive else "[0, inf)"
        raise ValueError(f"{name} must be finite and in {rng}, got {t[i]} at position {i}")
    return t


def _events(name: str, value) -> np.ndarray:
    """Event indicators: 0 (censored) or 1 (event); booleans allowed."""
    arr = _vector(name, value)
    if arr.dtype.kind == "b":
        return arr.astype(int)
    e = _numeric(name, arr)
    bad = ~np.isin(e, (0.0, 1.0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name} must be 0 (censored) or 1 (event), got {e[i]} at position {i}")
    return e.astype(int)


def _event_types(name: str, value) -> np.ndarray:
    """Event types: 0 censored, 1 event of interest, 2, 3, ... competing events."""
    arr = _vector(name, value)
    e = _numeric(name, arr.astype(int) if arr.dtype.kind == "b" else arr)
    bad = ~np.isfinite(e) | (e < 0) | (e != np.round(e))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name} must be an integer code in [0, inf) (0 = censored), got {e[i]} at position {i}")
    return e.astype(int)


def _labels(name: str, value) -> np.ndarray:
    arr = _vector(name, value)
    missing = pd.isna(arr)
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise ValueError(f"{name} must not have missing values, got one at position {i}")
    return arr


def _levels(name: str, value, labels: np.ndarray) -> list:
    """Group levels in a stable order: a Categorical's category order, else sorted, else first appearance."""
    present = [x.item() if isinstance(x, np.generic) else x for x in pd.unique(labels)]
    if isinstance(getattr(value, "dtype", None), pd.CategoricalDtype):
        cats = value.cat.categories if isinstance(value, pd.Series) else value.categories
        return [c for c in cats if c in set(present)]
    try:
        return sorted(present)
    except TypeError:
        return list(present)


def _same_length(**arrays) -> int:
    lengths = {k: len(v) for k, v in arrays.items() if v is not None}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{k} has {n}" for k, n in lengths.items())
        raise ValueError(f"time, event and the other inputs must have the same length; {detail}")
    return next(iter(lengths.values()))


def _need_events(e: np.ndarray, name: str = "event") -> None:
    if not (e > 0).any():
        raise ValueError(f"{name} must contain at least one event, got none")


_ABSENT = object()


def _pick(frame: pd.DataFrame, name: str, value, defaults: tuple[str, ...]):
    """Resolve an argument against a DataFrame: None -> first default column present; str -> that column."""
    if value is None:
        for col in defaults:
            if col in frame.columns:
                return frame[col]
        return None
    if isinstance(value, str):
        if value not in frame.columns:
            raise ValueError(f"{name} must name a column of the DataFrame {list(frame.columns)}, got {value!r}")
        return frame[value]
    return value


def _inputs(time, event, group=_ABSENT, strata=_ABSENT, *, event_columns=("event",), event_kind="binary",
            event_name="event"):
    """Validated arrays: (t, e, group labels or None, group levels or None, strata or None, index)."""
    index = None
    if isinstance(time, pd.DataFrame):
        frame = time
        if "time" not in frame.columns:
            raise ValueError(f"time: a DataFrame must have a 'time' column, got columns {list(frame.columns)}")
        time = frame["time"]
        event = _pick(frame, event_name, event, event_columns)
        if event is None:
            raise ValueError(f"{event_name}: the DataFrame has no column {' or '.join(map(repr, event_columns))}")
        if group is not _ABSENT:  # never picked from the columns by default: splitting is explicit
            group = _pick(frame, "group", group, ())
        if strata is not _ABSENT:
            strata = _pick(frame, "strata", strata, ())
        index = frame.index
    elif isinstance(time, pd.Series):
        index = time.index
    t = _times("time", time)
    e = _event_types(event_name, event) if event_kind == "types" else _events(event_name, event)
    g = None if group is _ABSENT or group is None else _labels("group", group)
    s = None if strata is _ABSENT or strata is None else _labels("strata", strata)
    _same_length(time=t, **{event_name: e}, group=g, strata=s)
    levels = None if g is None else _levels("group", group, g)
    if index is None:
        index = pd.RangeIndex(len(t))
    return t, e, g, levels, s, index


# --- Kaplan-Meier --------------------------------------------------------------------------------


def _km(t: np.ndarray, e: np.ndarray, level: float) -> dict:
    """Kaplan-Meier at every distinct time, Greenwood variance of log S, log-log band."""
    ut, inv = np.unique(t, return_inverse=True)
    d = np.bincount(inv, weights=e, minlength=len(ut))
    m = np.bincount(inv, minlength=len(ut)).astype(float)
    n = np.cumsum(m[::-1])[::-1]
    surv = np.cumprod(1.0 - d / n)
    surv[n == d] = 0.0  # exact zero once everyone at risk has died
    # Greenwood: var(log S) = sum d / (n (n - d)); infinite once S = 0 (no longer used there).
    safe = n > d
    term = np.zeros_like(d)
    np.divide(d, n * (n - d), out=term, where=safe)
    var_log = np.cumsum(term)
    low, high = _loglog_band(surv, var_log, level)
    return {"time": ut, "at_risk": n.astype(int), "events": d.astype(int), "censored": (m - d).astype(int),
            "survival": surv, "var_log": var_log, "ci_low": low, "ci_high": high}


def _loglog_band(surv: np.ndarray, var_log: np.ndarray, level: float):
    """Kalbfleisch-Prentice log(-log) interval: S**exp(+-z se / log S); (1, 1) at S = 1, nan at S = 0."""
    z = _z(level)
    low = np.where(surv >= 1.0, 1.0, np.nan)
    high = low.copy()
    inside = (surv > 0.0) & (surv < 1.0)
    if inside.any():
        s = surv[inside]
        log_s = np.log(s)
        c = z * np.sqrt(var_log[inside]) / log_s  # negative
        low[inside] = np.exp(-np.exp(np.log(-log_s) - c))
        high[inside] = np.exp(-np.exp(np.log(-log_s) + c))
    return low, high


def kaplan_meier(time, event=None, group=None, level: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier estimate per group as a tidy table for step charts.

    Columns: group, time, at_risk, events, censored, survival, ci_low, ci_high. Each group starts with
    a row at time 0 (survival 1, nothing at risk removed), then one row per distinct observed time,
    censoring-only times included (for censoring ticks). The pointwise interval is the log(-log)
    transformed one of Kalbfleisch and Prentice (1980) with Greenwood's variance (Greenwood 1926;
    ``conf.type="log-log"`` in R survival, ``CONFTYPE=LOGLOG`` in SAS PROC LIFETEST); it is (1, 1)
    before the first event and nan where the curve has reached 0 (Kaplan & Meier, JASA 1958).
    Without ``group`` there is one curve (the group column holds "all"), also for a DataFrame that
    has an arm column: a curve per arm needs ``group`` (an array, or the column's name, e.g. ``"arm"``).
    """
    level = _check.level("level", level)
    t, e, g, levels, _, _ = _inputs(time, event, group)
    _need_events(e)
    parts = []
    for label, mask in _groups(g, levels, len(t)):
        k = _km(t[mask], e[mask], level)
        start = pd.DataFrame({"time": [0.0], "at_risk": [int(mask.sum())], "events": [0], "censored": [0],
                              "survival": [1.0], "ci_low": [1.0], "ci_high": [1.0]})
        rows = pd.DataFrame({c: k[c] for c in ("time", "at_risk", "events", "censored", "survival", "ci_low", "ci_high")})
        part = pd.concat([start, rows], ignore_index=True)
        part.insert(0, "group", label)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _groups(g, levels, n):
    if g is None:
        yield "all", np.ones(n, dtype=bool)
        return
    for label in levels:
        yield label, g == label


# --- median --------------------------------------------------------------------------------------


def _first_time_at_or_below(times, curve, p: float = 0.5, *, last_time: float) -> float:
    """The time a step curve first falls to <= p, with R survival's rules (quantile.survfit).

    If the curve is flat at exactly p (within sqrt(machine eps)) from t_i until the next drop at
    t_j, the answer is (t_i + t_j) / 2; if it stays at p to the end, (t_i + last follow-up) / 2.
    inf when the curve never falls to p; nan when it never does but is undefined at its end.
    """
    ok = ~np.isnan(curve)
    x, y = times[ok], curve[ok]
    if y.size == 0 or y.min() > p:
        return np.nan if (~ok).any() else np.inf
    i1 = int(np.flatnonzero(y <= p + _TOL)[0])
    if y[i1] > p - _TOL:  # flat at p: midpoint to the next drop below p
        below = np.flatnonzero(y <= p - _TOL)
        t2 = float(x[below[0]]) if below.size else float(last_time)
        return (float(x[i1]) + t2) / 2
    return float(x[i1])


def _median_from_km(k: dict, level: float) -> MedianSurvival:
    last = float(k["time"][-1])
    med = _first_time_at_or_below(k["time"], k["survival"], last_time=last)
    low = _first_time_at_or_below(k["time"], k["ci_low"], last_time=last)
    high = _first_time_at_or_below(k["time"], k["ci_high"], last_time=last)
    return MedianSurvival(med, low, high, level)


def median_survival(time, event=None, level: float = 0.95) -> MedianSurvival:
    """Kaplan-Meier median survival with the Brookmeyer-Crowley confidence interval.

    The interval is the set of times whose log(-log) pointwise interval for S(t) contains 0.5
    (Brookmeyer & Crowley, Biometrics 1982): the lower limit is where the lower band first falls to
    0.5, the upper limit where the upper band does. A curve flat at exactly 0.5 gives the midpoint of
    the flat stretch. This is R survival's ``quantile(survfit(..., conf.type="log-log"))`` and SAS PROC
    LIFETEST's default. ``inf`` = not reached; ``nan`` = undetermined (see :class:`MedianSurvival`).
    """
    level = _check.level("level", level)
    t, e, _, _, _, _ = _inputs(time, event)
    _need_events(e)
    return _median_from_km(_km(t, e, level), level)


def median_survival_table(time, event=None, group=None, level: float = 0.95) -> pd.DataFrame:
    """:func:`median_survival` per group: columns group, n, events, median, ci_low, ci_high."""
    level = _check.level("level", level)
    t, e, g, levels, _, _ = _inputs(time, event, group)
    _need_events(e)
    rows = []
    for label, mask in _groups(g, levels, len(t)):
        m = _median_from_km(_km(t[mask], e[mask], level), level)
        rows.append({"group": label, "n": int(mask.sum()), "events": int(e[mask].sum()),
                     "median": m.median, "ci_low": m.ci_low, "ci_high": m.ci_high})
    return pd.DataFrame(rows)


# --- log-rank ------------------------------------------------------------------------------------


def _logrank_parts(t, e, codes, k):
    """Observed, expected and the hypergeometric covariance matrix for one stratum."""
    ut, inv = np.unique(t, return_inverse=True)
    m = len(ut)
    n_g = np.empty((k, m))
    d_g = np.empty((k, m))
    for j in range(k):
        sel = codes == j
        n_g[j] = np.cumsum(np.bincount(inv[sel], minlength=m)[::-1])[::-1]
        d_g[j] = np.bincount(inv[sel], weights=e[sel], minlength=m)
    n = n_g.sum(0)
    d = d_g.sum(0)
    frac = n_g / n
    expected = (frac * d).sum(1)
    w = np.zeros(m)
    np.divide(d * (n - d), n - 1, out=w, where=n > 1)
    var = np.einsum("t,it,jt->ij", w, frac, -frac)
    var[np.diag_indices(k)] += (w * frac).sum(1)
    return d_g.sum(1), expected, var


def logrank(time, event=None, group=None, strata=None, *, reference=None) -> LogrankResult:
    """Log-rank test of equal survival across groups, optionally stratified.

    ``reference`` names the control group (two groups only): then ``z`` is (O - E) / sqrt(V) of the
    other group, negative when it has fewer events than expected (favouring it).

    Unstratified: lifelines' ``multivariate_logrank_test`` (Mantel 1966; Peto & Peto 1972).
    Stratified: statsmodels' ``survdiff(..., strata=)``, which sums O - E and the variance over strata
    before forming the chi-squared statistic. Observed and expected events per group (summed over
    strata) are computed here; they reproduce the library's statistic. df = number of groups - 1.
    """
    from lifelines.statistics import multivariate_logrank_test
    from statsmodels.duration.survfunc import survdiff

    t, e, g, levels, s, _ = _inputs(time, event, group, strata)
    if g is None:
        raise ValueError("group must be given (an array, or the name of a column of the DataFrame)")
    _need_events(e)
    k = len(levels)
    if k < 2:
        raise ValueError(f"group must have at least 2 levels, got {k} ({levels})")
    codes = np.empty(len(g), dtype=int)
    for j, label in enumerate(levels):
        codes[g == label] = j
    if s is None:
        observed, expected, var = _logrank_parts(t, e, codes, k)
    else:
        observed, expected, var = np.zeros(k), np.zeros(k), np.zeros((k, k))
        for stratum in pd.unique(s):
            sel = s == stratum
            o1, e1, v1 = _logrank_parts(t[sel], e[sel], codes[sel], k)
            observed, expected, var = observed + o1, expected + e1, var + v1
    sub = var[1:, 1:]
    if np.linalg.matrix_rank(sub) < k - 1:
        raise ValueError("group: the log-rank variance is singular; every group needs subjects at risk "
                         "at event times shared with other groups")
    if s is None:
        res = _passing_warnings(lambda: multivariate_logrank_test(t, codes, e))
        chi2, p = float(res.test_statistic), float(res.p_value)
    else:
        s_codes = pd.factorize(s)[0]
        chi2, p = _passing_warnings(lambda: survdiff(t, e, codes, strata=s_codes))
        chi2, p = float(chi2), float(p)
    z = float("nan")
    if reference is not None:
        if k != 2:
            raise ValueError(f"reference is only for two groups (it fixes the sign of z), got {k} groups ({levels})")
        _check.choice("reference", reference, set(levels))
        j = 1 - levels.index(reference)  # the experimental group
        z = float((observed[j] - expected[j]) / np.sqrt(var[j, j]))
    return LogrankResult(
        chi2=chi2, df=k - 1, z=z, p=p,
        observed={lv: float(o) for lv, o in zip(levels, observed)},
        expected={lv: float(x) for lv, x in zip(levels, expected)},
        n={lv: int((codes == j).sum()) for j, lv in enumerate(levels)},
        stratified=s is not None,
    )


# --- lifelines plumbing ---------------------------------------------------------------------------


def _passing_warnings(fn):
    """Run ``fn``; re-emit any warning it raised unchanged (nothing is swallowed)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn()
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return out


def _lifelines_fit(fn, what: str):
    """Run a lifelines fit: failures -> ValueError, advisory ConvergenceWarnings -> returned, others re-emitted."""
    from lifelines.exceptions import ConvergenceError, ConvergenceWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = fn()
        except ConvergenceError as err:
            raise ValueError(f"{what} could not be fitted (lifelines: {' '.join(str(err).split())})") from err
    notes = []
    for w in caught:
        if issubclass(w.category, ConvergenceWarning):
            text = " ".join(str(w.message).split())
            if any(key in text for key in _FAILED_FIT):
                raise ValueError(f"{what} did not converge; check for complete separation or collinear "
                                 f"covariates (lifelines: {text})")
            notes.append(text)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return out, tuple(notes)


def _column_names(name: str, value, frame: pd.DataFrame, *, allow_empty: bool = False) -> list[str]:
    if value is None:
        cols = []
    elif isinstance(value, str):
        cols = [value]
    else:
        try:
            cols = list(value)
        except TypeError:
            raise ValueError(f"{name} must be a column name or a list of column names, got {value!r}") from None
    if not cols and not allow_empty:
        raise ValueError(f"{name} must list at least one column, got none")
    for c in cols:
        if c not in frame.columns:
            raise ValueError(f"{name} must name columns of the DataFrame {list(frame.columns)}, got {c!r}")
    if len(set(cols)) != len(cols):
        raise ValueError(f"{name} must not repeat a column, got {cols}")
    return cols


def _design(frame: pd.DataFrame, covariates: list[str]) -> pd.DataFrame:
    """Numeric design matrix: numbers and booleans as they are; labels -> indicators vs the first level."""
    out = {}
    for col in covariates:
        x = frame[col]
        if x.isna().any():
            i = int(np.flatnonzero(x.isna().to_numpy())[0])
            raise ValueError(f"covariates: column {col!r} must not have missing values, got one at row {i}")
        kind = x.dtype.kind
        if kind in "mM":
            raise ValueError(f"covariates: column {col!r} must be numeric, boolean or categorical, got {x.dtype}")
        if kind == "b":
            out[col] = x.astype(float)
        elif kind in "iuf":
            v = x.astype(float)
            if not np.isfinite(v).all():
                raise ValueError(f"covariates: column {col!r} must be finite")
            out[col] = v
        else:
            levels = _levels(col, x, x.to_numpy())
            if len(levels) < 2:
                raise ValueError(f"covariates: column {col!r} must have at least 2 levels, got {levels}")
            for lv in levels[1:]:
                out[f"{col}[{lv}]"] = (x == lv).astype(float)
    design = pd.DataFrame(out, index=frame.index)
    for col in design.columns:
        if design[col].nunique() < 2:
            raise ValueError(f"covariates: column {col!r} must vary, got a constant")
    return design


def _cox_table(params, se, level: float) -> pd.DataFrame:
    z = _z(level)
    coef = params.to_numpy(dtype=float)
    s = se.to_numpy(dtype=float)
    zstat = coef / s
    return pd.DataFrame({
        "covariate": list(params.index), "coef": coef, "se": s, "hr": np.exp(coef),
        "ci_low": np.exp(coef - z * s), "ci_high": np.exp(coef + z * s),
        "z": zstat, "p": 2 * _st.norm.sf(np.abs(zstat)),
    })


# --- Cox -----------------------------------------------------------------------------------------


def _cox_data(df, duration_col, event_col, covariates, strata):
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    for name, col in (("duration_col", duration_col), ("event_col", event_col)):
        if not isinstance(col, str) or col not in df.columns:
            raise ValueError(f"{name} must name a column of df {list(df.columns)}, got {col!r}")
    covs = _column_names("covariates", covariates, df)
    strata_cols = _column_names("strata", strata, df, allow_empty=True)
    clash = set(covs) & ({duration_col, event_col} | set(strata_cols))
    if clash:
        raise ValueError(f"covariates must not include the duration, event or strata columns, got {sorted(clash)}")
    t = _times(duration_col, df[duration_col])
    e = _events(event_col, df[event_col])
    _need_events(e, event_col)
    design = _design(df, covs)
    data = design.copy()
    data["__time"] = t
    data["__event"] = e
    for c in strata_cols:
        _labels(c, df[c])
        data[c] = df[c].to_numpy()
    return data.reset_index(drop=True), list(design.columns), strata_cols or None


def cox(df, duration_col: str, event_col: str, covariates, strata=None, level: float = 0.95) -> CoxResult:
    """Cox proportional-hazards model (Cox, JRSS B 1972) fitted by lifelines' CoxPHFitter with Efron's
    handling of tied event times (Efron, JASA 1977), optionally stratified.

    ``covariates`` are column names: numbers and booleans enter as they are; text or categorical
    columns become indicators against their first level (category order, else sorted), named
    ``col[level]``. The table gives coef, se, hazard ratio, Wald interval at ``level``, z and P.
    """
    from lifelines import CoxPHFitter

    level = _check.level("level", level)
    data, _, strata_cols = _cox_data(df, duration_col, event_col, covariates, strata)
    fitter = CoxPHFitter(alpha=1 - level)
    fitter, notes = _lifelines_fit(
        lambda: fitter.fit(data, duration_col="__time", event_col="__event", strata=strata_cols),
        "the Cox model")
    return _cox_result(fitter, data, level, "Cox PH (lifelines CoxPHFitter), Efron ties", notes,
                       float(fitter.concordance_index_))


def _cox_result(fitter, data, level, method, notes, concordance) -> CoxResult:
    table = _cox_table(fitter.params_, fitter.standard_errors_, level)
    if not np.isfinite(table[["coef", "se"]].to_numpy()).all():
        raise ValueError("the Cox model gave non-finite estimates; check for complete separation")
    return CoxResult(table=table, n=int(len(data)), events=int(data["__event"].sum()),
                     log_likelihood=float(fitter.log_likelihood_), concordance=concordance,
                     level=level, method=method, warnings=notes)


_TRANSFORMS = ("rank", "km", "identity", "log")


def ph_test(df, duration_col: str, event_col: str, covariates, strata=None, time_transform: str = "rank") -> pd.DataFrame:
    """Proportional-hazards diagnostic per term (Grambsch & Therneau, Biometrika 1994).

    Fits :func:`cox` and applies lifelines' ``proportional_hazard_test``: a 1-df chi-squared test of
    zero slope of the scaled Schoenfeld residuals against transformed time ("rank" by default; "km",
    "identity", "log"). This is the approximate form R's ``cox.zph`` used before survival 3.0.
    Columns: covariate, time_transform, test_statistic, df, p.
    """
    from lifelines import CoxPHFitter
    from lifelines.statistics import proportional_hazard_test

    _check.choice("time_transform", time_transform, set(_TRANSFORMS))
    data, _, strata_cols = _cox_data(df, duration_col, event_col, covariates, strata)
    if time_transform == "log" and (data["__time"] <= 0).any():
        raise ValueError("time_transform 'log' needs every duration in (0, inf)")
    fitter = CoxPHFitter()
    fitter, _ = _lifelines_fit(
        lambda: fitter.fit(data, duration_col="__time", event_col="__event", strata=strata_cols),
        "the Cox model")
    res = _passing_warnings(lambda: proportional_hazard_test(fitter, data, time_transform=time_transform))
    summary = res.summary
    return pd.DataFrame({
        "covariate": list(summary.index), "time_transform": time_transform,
        "test_statistic": summary["test_statistic"].to_numpy(dtype=float), "df": 1,
        "p": summary["p"].to_numpy(dtype=float),
    })


# --- restricted mean survival time ---------------------------------------------------------------


def _rmst_core(t: np.ndarray, e: np.ndarray, tau: float) -> tuple[float, float]:
    """RMST up to tau and its variance: sum over event times t_j <= tau of A_j^2 d_j / (n_j (n_j - d_j)),
    A_j = area under the KM curve from t_j to tau (a term is 0 where n_j = d_j, as A_j = 0 there)."""
    k = _km(t, e, 0.95)
    ev = (k["events"] > 0) & (k["time"] <= tau)
    tj, sj = k["time"][ev], k["survival"][ev]
    n, d = k["at_risk"][ev].astype(float), k["events"][ev].astype(float)
    edges = np.concatenate(([0.0], tj, [tau]))
    heights = np.concatenate(([1.0], sj))
    areas = np.diff(edges) * heights
    rmst = float(areas.sum())
    a_after = np.cumsum(areas[::-1])[::-1][1:]  # area from t_j to tau
    term = np.zeros_like(d)
    np.divide(d, n * (n - d), out=term, where=n > d)
    return rmst, float((a_after ** 2 * term).sum())


def _check_tau(tau, t, e, label: str = "") -> float:
    tau = _check.real("tau", tau, low=0.0, low_open=True)
    k = _km(t, e, 0.95)
    reaches_zero = k["survival"][-1] == 0.0
    if tau > t.max() and not reaches_zero:
        where = f" in group {label!r}" if label else ""
        raise ValueError(f"tau must be in (0, {t.max():g}] (the largest follow-up time{where}, where the "
                         f"Kaplan-Meier curve is still defined), got {tau:g}")
    return tau


def rmst(time, event=None, tau: float | None = None, level: float = 0.95) -> RMST:
    """Restricted mean survival time: the area under the Kaplan-Meier curve from 0 to ``tau``.

    Standard error from the delta-method (Greenwood-type) variance
    ``sum_{t_j <= tau} A_j^2 d_j / (n_j (n_j - d_j))`` with ``A_j`` the area under the curve from
    ``t_j`` to ``tau`` (Klein & Moeschberger, Survival Analysis 2003, sec. 4.5; R package survRM2,
    Uno et al., JCO 2014); the interval is Wald, ``rmst +- z se``. ``tau`` must not exceed the
    largest follow-up time unless the curve has already reached 0. (lifelines'
    ``restricted_mean_survival_time(..., return_variance=True)`` returns the variance of
    ``min(T, tau)``, not of this estimator, so it is not used.)
    """
    level = _check.level("level", level)
    t, e, _, _, _, _ = _inputs(time, event)
    _need_events(e)
    if tau is None:
        raise ValueError("tau must be given: a time in (0, largest follow-up]")
    tau = _check_tau(tau, t, e)
    est, var = _rmst_core(t, e, tau)
    se = float(np.sqrt(var))
    z = _z(level)
    return RMST(est, se, est - z * se, est + z * se, tau, level)


def rmst_difference(time, event=None, group=None, tau: float | None = None, level: float = 0.95,
                    reference=None) -> RMSTDifference:
    """Difference in RMST between two groups, ``comparator - reference``, as in survRM2's ``rmst2``.

    The arms are independent, so ``se = sqrt(se_1^2 + se_0^2)``; Wald interval and two-sided normal
    P value. ``reference`` (required: the control arm) fixes the sign: experimental minus control.
    """
    level = _check.level("level", level)
    t, e, g, levels, _, _ = _inputs(time, event, group)
    if g is None:
        raise ValueError("group must be given (an array, or the name of a column of the DataFrame)")
    if len(levels) != 2:
        raise ValueError(f"group must have exactly 2 levels, got {len(levels)} ({levels})")
    if reference is None:
        raise ValueError(f"reference must be given: the control group, one of {levels} (it fixes the sign)")
    _check.choice("reference", reference, set(levels))
    comparator = levels[1] if reference == levels[0] else levels[0]
    if tau is None:
        raise ValueError("tau must be given: a time in (0, smallest of the arms' largest follow-up]")
    arms = {}
    for label in (reference, comparator):
        sel = g == label
        _need_events(e[sel], f"event in group {label!r}")
        arms[label] = rmst(t[sel], e[sel], _check_tau(tau, t[sel], e[sel], str(label)), level)
    tau = arms[reference].tau
    diff = arms[comparator].rmst - arms[reference].rmst
    se = float(np.hypot(arms[comparator].se, arms[reference].se))
    z = _z(level)
    p = float(2 * _st.norm.sf(abs(diff / se))) if se > 0 else float("nan")
    return RMSTDifference(diff, se, diff - z * se, diff + z * se, p, reference, comparator, arms, tau, level)


# --- competing risks -----------------------------------------------------------------------------


def _aalen_johansen(t: np.ndarray, etype: np.ndarray, cause: int, level: float) -> pd.DataFrame:
    """Aalen-Johansen CIF for one cause at every distinct time, with all tied events processed together."""
    ut, inv = np.unique(t, return_inverse=True)
    m = len(ut)
    counts = np.bincount(inv, minlength=m).astype(float)
    n = np.cumsum(counts[::-1])[::-1]
    d_all = np.bincount(inv, weights=(etype > 0).astype(float), minlength=m)
    d_k = np.bincount(inv, weights=(etype == cause).astype(float), minlength=m)
    surv = np.cumprod(1.0 - d_all / n)
    surv[n == d_all] = 0.0
    s_prev = np.concatenate(([1.0], surv[:-1]))
    cif = np.cumsum(s_prev * d_k / n)
    # Delta-method variance (Marubini & Valsecchi 1995; Collett 2015; as lifelines and statsmodels):
    # Var F(t) = sum_{t_j<=t} [F(t)-F(t_j)]^2 d_j/(n_j(n_j-d_j)) + S(t_j-)^2 d_kj (n_j-d_kj)/n_j^3
    #            - 2 [F(t)-F(t_j)] S(t_j-) d_kj / n_j^2
    a = np.zeros(m)
    np.divide(d_all, n * (n - d_all), out=a, where=n > d_all)  # n = d only at the last time, where F(t)-F(t_j)=0
    b = s_prev ** 2 * d_k * (n - d_k) / n ** 3
    c = s_prev * d_k / n ** 2
    ca, cfa, cf2a = np.cumsum(a), np.cumsum(cif * a), np.cumsum(cif ** 2 * a)
    var = cif ** 2 * ca - 2 * cif * cfa + cf2a + np.cumsum(b) - 2 * (cif * np.cumsum(c) - np.cumsum(cif * c))
    var = np.clip(var, 0.0, None)  # rounding can leave -1e-18
    se = np.sqrt(var)
    low, high = _cif_band(cif, se, level)
    return pd.DataFrame({"time": ut, "at_risk": n.astype(int), "events": d_k.astype(int),
                         "competing": (d_all - d_k).astype(int), "censored": (counts - d_all).astype(int),
                         "cif": cif, "se": se, "ci_low": low, "ci_high": high})


def _cif_band(cif, se, level):
    """log(-log) interval F**exp(+-z se / (F log F)): (0, 0) while F = 0, nan at F = 1."""
    z = _z(level)
    low = np.where(cif <= 0.0, 0.0, np.nan)
    high = low.copy()
    inside = (cif > 0.0) & (cif < 1.0)
    if inside.any():
        f = cif[inside]
        log_f = np.log(f)
        s = z * se[inside] / (f * np.abs(log_f))
        low[inside] = np.exp(-np.exp(np.log(-log_f) + s))
        high[inside] = np.exp(-np.exp(np.log(-log_f) - s))
    return low, high


def cumulative_incidence(time, event_type=None, level: float = 0.95, cause: int | None = 1, group=None) -> pd.DataFrame:
    """Cumulative incidence with competing risks, Aalen-Johansen estimator (Aalen & Johansen, Scand J
    Stat 1978), ``F_k(t) = sum_{t_j <= t} S(t_j-) d_kj / n_j`` with S the all-cause Kaplan-Meier.

    ``event_type``: 0 censored, 1 the event of interest, 2, 3, ... competing events. Tied times are
    handled exactly: all events at a time enter together and censorings at that time are still at
    risk (censored after the events); lifelines' AalenJohansenFitter instead jitters tied times.
    Pointwise interval: delta-method variance with the log(-log) transform (as SAS PROC LIFETEST and
    lifelines). ``cause=None`` returns every cause present. Columns: group, cause, time, at_risk,
    events (of this cause), competing, censored, cif, se, ci_low, ci_high; a row at time 0 (cif 0)
    starts each curve.
    """
    level = _check.level("level", level)
    t, et, g, levels, _, _ = _inputs(time, event_type, group, event_columns=("event_type", "event"),
                                     event_kind="types", event_name="event_type")
    _need_events(et, "event_type")
    present = sorted(int(c) for c in np.unique(et[et > 0]))
    if cause is None:
        causes = present
    else:
        cause = _check.integer("cause", cause, low=1)
        if cause not in present:
            raise ValueError(f"cause must be one of the event types present {present}, got {cause}")
        causes = [cause]
    parts = []
    for label, mask in _groups(g, levels, len(t)):
        for k in causes:
            body = _aalen_johansen(t[mask], et[mask], k, level)
            start = pd.DataFrame({"time": [0.0], "at_risk": [int(mask.sum())], "events": [0], "competing": [0],
                                  "censored": [0], "cif": [0.0], "se": [0.0], "ci_low": [0.0], "ci_high": [0.0]})
            part = pd.concat([start, body], ignore_index=True)
            part.insert(0, "cause", k)
            part.insert(0, "group", label)
            parts.append(part)
    return pd.concat(parts, ignore_index=True)


# --- landmark ------------------------------------------------------------------------------------


def landmark(time, event=None, group=None, landmark_time: float = 0.0) -> pd.DataFrame:
    """Landmark analysis data set (Anderson, Cain & Gelber, JCO 1983).

    Keeps the patients still alive and under follow-up at the landmark (``time > landmark_time``;
    an event or censoring exactly at the landmark excludes the patient) and restarts the clock there.
    Returns a frame indexed like the input (row positions for arrays) with columns time (since the
    landmark), event, original_time and, when given, group.
    """
    t, e, g, _, _, index = _inputs(time, event, group)
    lm = _check.real("landmark_time", landmark_time, low=0.0)
    keep = t > lm
    if not keep.any():
        raise ValueError(f"landmark_time must be below the largest follow-up time ({t.max():g}) so that "
                         f"someone is still at risk, got {lm:g}")
    out = pd.DataFrame({"time": t[keep] - lm, "event": e[keep], "original_time": t[keep]}, index=index[keep])
    if g is not None:
        out["group"] = g[keep]
    return out


def landmark_cox(time, event=None, group=None, landmark_time: float = 0.0, level: float = 0.95, *,
                 reference=None) -> CoxResult:
    """Cox hazard ratio(s) for ``group`` among patients at risk at the landmark, clock reset there.

    ``group`` enters as labels: indicators against ``reference`` (required: the control group), so the
    hazard ratio is experimental versus control.
    """
    level = _check.level("level", level)
    if group is None and not isinstance(time, pd.DataFrame):
        raise ValueError("group must be given (an array, or the name of a column of the DataFrame)")
    t, e, g, levels, _, _ = _inputs(time, event, group)
    if g is None:
        raise ValueError("group must be given (an array, or the name of a column of the DataFrame)")
    data = landmark(t, e, g, landmark_time)
    _need_events(data["event"].to_numpy(), "event after the landmark")
    remaining = [lv for lv in levels if (data["group"] == lv).any()]
    if len(remaining) < 2:
        raise ValueError(f"group must keep at least 2 levels after the landmark, got {remaining}")
    if reference is None:
        raise ValueError(f"reference must be given: the control group, one of {levels} (it fixes the direction of the HR)")
    _check.choice("reference", reference, set(levels))
    if reference not in remaining:
        raise ValueError(f"reference {reference!r} has nobody at risk after the landmark")
    data["group"] = pd.Categorical(data["group"], categories=[reference] + [lv for lv in remaining if lv != reference])
    return cox(data.reset_index(drop=True), "time", "event", ["group"], level=level)


# --- time-varying covariates ---------------------------------------------------------------------


def split_at_event(time, event, covariate_time, *, id=None, name: str = "transplanted", baseline=None) -> pd.DataFrame:
    """Counting-process rows for a covariate that switches from 0 to 1 at ``covariate_time``.

    For a patient with follow-up ``time`` (> 0) and an event indicator, and a switch time (e.g.
    transplant; nan = never): no switch -> one row (0, time, event, 0); switch at 0 -> one row
    (0, time, event, 1); switch at c in (0, time) -> rows (0, c, 0, 0) and (c, time, event, 1).
    Intervals are (start, stop], so a switch exactly at ``time`` cannot affect that event and is
    ignored (the Stanford heart data instead move a transplant on the day of death 0.5 day earlier;
    do the same beforehand if wanted). A switch after ``time`` is an error. ``baseline`` (a DataFrame
    with one row per patient) is copied onto each row. Columns: id, start, stop, event, ``name``, ...
    """
    t = _times("time", time, positive=True)
    e = _events("event", event)
    c = _numeric("covariate_time", covariate_time)
    n = _same_length(time=t, event=e, covariate_time=c)
    given = ~np.isnan(c)
    bad = given & (~np.isfinite(c) | (c < 0) | (c > t))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"covariate_time must be nan (never) or in [0, time] for each patient, got {c[i]} "
                         f"with time {t[i]} at position {i}")
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string, got {name!r}")
    ids = np.arange(n) if id is None else _labels("id", id)
    if len(ids) != n:
        raise ValueError(f"id must have the same length as time ({n}), got {len(ids)}")
    if pd.Series(ids).duplicated().any():
        raise ValueError("id must be unique (one entry per patient)")
    reserved = {"id", "start", "stop", "event", name}
    if name in {"id", "start", "stop", "event"}:
        raise ValueError(f"name must not be one of {sorted(reserved - {name})}, got {name!r}")
    if baseline is not None:
        if not isinstance(baseline, pd.DataFrame) or len(baseline) != n:
            raise ValueError(f"baseline must be a DataFrame with {n} rows (one per patient)")
        clash = reserved & set(baseline.columns)
        if clash:
            raise ValueError(f"baseline must not have columns named {sorted(clash)}")
    switch = given & (c > 0) & (c < t)
    at_zero = given & (c == 0)
    first = pd.DataFrame({"row": np.arange(n), "start": 0.0, "stop": np.where(switch, c, t),
                          "event": np.where(switch, 0, e), name: at_zero.astype(int)})
    second = pd.DataFrame({"row": np.flatnonzero(switch), "start": c[switch], "stop": t[switch],
                           "event": e[switch], name: 1})
    rows = pd.concat([first, second], ignore_index=True).sort_values(["row", "start"], kind="stable")
    rows.insert(0, "id", ids[rows["row"].to_numpy()])
    if baseline is not None:
        extra = baseline.reset_index(drop=True).iloc[rows["row"].to_numpy()].reset_index(drop=True)
        rows = pd.concat([rows.reset_index(drop=True), extra], axis=1)
    return rows.drop(columns="row").reset_index(drop=True)


def cox_time_varying(df, id_col: str, start_col: str, stop_col: str, event_col: str, covariates,
                     strata=None, level: float = 0.95) -> CoxResult:
    """Cox model with time-varying covariates on counting-process rows (start, stop], fitted by
    lifelines' CoxTimeVaryingFitter (Efron ties; Andersen & Gill, Ann Stat 1982).

    Each row must have 0 <= start < stop; a patient's intervals must not overlap. ``concordance`` is
    nan (lifelines does not compute it for this model).
    """
    from lifelines import CoxTimeVaryingFitter

    level = _check.level("level", level)
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    for arg, col in (("id_col", id_col), ("start_col", start_col), ("stop_col", stop_col), ("event_col", event_col)):
        if not isinstance(col, str) or col not in df.columns:
            raise ValueError(f"{arg} must name a column of df {list(df.columns)}, got {col!r}")
    covs = _column_names("covariates", covariates, df)
    strata_cols = _column_names("strata", strata, df, allow_empty=True)
    clash = set(covs) & {id_col, start_col, stop_col, event_col, *strata_cols}
    if clash:
        raise ValueError(f"covariates must not include the id, start, stop, event or strata columns, got {sorted(clash)}")
    start = _times(start_col, df[start_col])
    stop = _times(stop_col, df[stop_col])
    bad = stop <= start
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{stop_col} must be > {start_col} on every row, got ({start[i]}, {stop[i]}] at row {i}")
    e = _events(event_col, df[event_col])
    _need_events(e, event_col)
    ids = _labels(id_col, df[id_col])
    order = np.lexsort((start, pd.factorize(ids)[0]))
    same = pd.factorize(ids)[0][order]
    overlap = (same[1:] == same[:-1]) & (start[order][1:] < stop[order][:-1])
    if overlap.any():
        i = int(order[1:][overlap][0])
        who = ids[i].item() if isinstance(ids[i], np.generic) else ids[i]
        raise ValueError(f"{id_col}: intervals of patient {who!r} overlap; each patient's (start, stop] "
                         "intervals must be disjoint")
    design = _design(df, covs)
    data = design.reset_index(drop=True)
    data["__id"] = pd.factorize(ids)[0]
    data["__start"], data["__stop"], data["__event"] = start, stop, e
    for c in strata_cols:
        _labels(c, df[c])
        data[c] = df[c].to_numpy()
    fitter = CoxTimeVaryingFitter(alpha=1 - level)
    fitter, notes = _lifelines_fit(
        lambda: fitter.fit(data, event_col="__event", start_col="__start", stop_col="__stop",
                           id_col="__id", strata=strata_cols or None),
        "the time-varying Cox model")
    result = _cox_result(fitter, data, level, "time-varying Cox (lifelines CoxTimeVaryingFitter), Efron ties",
                         notes, float("nan"))
    return CoxResult(table=result.table, n=int(data["__id"].nunique()), events=result.events,
                     log_likelihood=result.log_likelihood, concordance=result.concordance, level=level,
                     method=result.method, warnings=notes)


def cox_switch_log_hr(time, event, start) -> float:
    """Cox log hazard ratio of one binary covariate that switches on at ``start`` and stays on: ``0`` for a
    patient exposed from time zero (a fixed covariate), ``inf`` for one never exposed, otherwise the time
    of the switch (at most ``time``). A patient counts as exposed at event time ``u`` when
    ``start < u <= time``.

    The partial likelihood (Cox, J R Stat Soc B 1972) with Breslow's handling of ties is maximised by
    Newton-Raphson, from sorted counts of exposed and unexposed patients at risk at each event time, so a
    cohort of n patients costs O(n log n): the kernel the bias laboratories call in every simulated
    cohort, where a general fitter (:func:`cox_time_varying`, on counting-process rows) would be too slow.
    Returns ``nan`` when every event happens in one state (no finite maximum)."""
    t = np.asarray(time, float)
    e = np.asarray(event, bool)
    s = np.asarray(start, float)
    if not (t.shape == e.shape == s.shape) or t.ndim != 1:
        raise ValueError(f"time, event and start must be 1-D and of the same length, got shapes {t.shape}, "
                         f"{e.shape} and {s.shape}")
    if np.any(~np.isfinite(t)) or np.any(t < 0) or np.any(s < 0) or np.any(np.isnan(s)):
        raise ValueError("time must be finite and not negative, and start not negative (inf: never exposed)")
    if np.any(np.isfinite(s) & (s > t)):
        raise ValueError("start must be at most time; a switch after the end of follow-up is inf (never exposed)")
    order = np.argsort(t[e], kind="stable")
    death_t = t[e][order]
    if death_t.size == 0:
        return float("nan")
    x = (s < t)[e][order]  # the state of each patient who has the event, at that event
    if x.sum() == 0 or x.sum() == x.size:
        return float("nan")
    n = t.size - np.searchsorted(np.sort(t), death_t, side="left")  # at risk: time >= u
    switchers = np.isfinite(s)
    # exposed at risk at u: start < u <= time, i.e. (start < u) minus (time < u), among switchers
    n1 = (np.searchsorted(np.sort(s[switchers]), death_t, side="left")
          - np.searchsorted(np.sort(t[switchers]), death_t, side="left"))
    n1 = np.clip(n1, 0, n)
    n0 = n - n1
    beta = 0.0
    for _ in range(100):
        w = n1 * np.exp(beta)
        p = w / (n0 + w)
        info = float(np.sum(p * (1 - p)))
        if info <= 0:
            return float("nan")
        step = float(np.sum(x - p)) / info
        beta += max(min(step, 2.0), -2.0)
        if abs(step) < 1e-10:
            break
    return float(beta)

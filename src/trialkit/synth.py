"""SYNTHETIC pseudo-individual patient data reconstructed from published summaries.

No patient-level data from these trials are public. For teaching, :func:`generate` builds synthetic
patients whose summaries reproduce a publication's: per arm a piecewise-exponential survival curve
through the published anchors (S = 0.5 at the median, the landmark rates, and, for event-free
survival, the immediate events of non-responders), uniform staggered accrual, and an event-driven
data cut-off placed where the published number of events has occurred. One free parameter, the
experimental arm's hazard after its last anchor, is tuned so that the Cox hazard ratio of the
synthetic trial equals the published one. Seeded and deterministic.

Every dataset carries ``SYNTHETIC`` in its ``label`` column and comes with a fidelity report
(:func:`fidelity`): published versus synthetic median (with CI), landmark rates, hazard ratio (with
CI), events and median follow-up. What synthetic data can and cannot show is explained in the book's
page on the method.

Limits: the curves between anchors are guesses (exponential pieces); covariates, strata, crossovers
and the true censoring pattern are unknown; a re-analysis of synthetic patients shows how a method
behaves on data shaped like the trial's, never what the trial's own patients would show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import optimize

from trialkit import _check, data

LABEL = "SYNTHETIC"
EFS_FAILURE_TIME = 1 / 30.4375  # one day in months: TOWER and INO-VATE count non-responders as failing on day 1


@dataclass(frozen=True)
class ArmSpec:
    """Where an arm's anchors come from: row ids in the study's tables."""

    arm: str
    population: str
    median: str | None = None                  # survival row id of the median
    landmarks: tuple[str, ...] = ()            # survival/subgroup row ids of landmark rates
    responders: str | None = None              # responses row id: non-responders fail at day 1 (EFS)
    table: str = "survival"


@dataclass(frozen=True)
class Spec:
    study: str
    endpoint: str
    arms: tuple[ArmSpec, ...]
    hr: str | None = None                      # survival row id of the hazard ratio
    events: tuple[str, ...] = ()               # row ids whose counts sum to the number of events
    followup: tuple[str, ...] = ()             # row ids of the median follow-up (per arm or overall)
    followup_max: str | None = None            # row id of the longest follow-up (single-arm studies)
    accrual_months: float | None = None        # when neither events nor follow-up pin the accrual down
    accrual_like: str | None = None            # borrow the fitted accrual of another dataset of the trial
    note: str = ""
    tables: dict = field(default_factory=dict)


SPECS: dict[str, Spec] = {
    "tower_os": Spec(
        "tower", "Overall survival",
        (ArmSpec("blinatumomab", "itt", "os_median_blinatumomab", ("os_landmark_6m_blinatumomab",)),
         ArmSpec("chemotherapy", "itt", "os_median_chemotherapy", ("os_landmark_6m_chemotherapy",))),
        hr="os_hr", events=("os_deaths_overall",),
        followup=("os_followup_median_blinatumomab", "os_followup_median_chemotherapy")),
    "inovate_os": Spec(
        "inovate", "Overall survival",
        (ArmSpec("inotuzumab", "itt", "os_median_inotuzumab", ("os_2y_inotuzumab",)),
         ArmSpec("standard", "itt", "os_median_standard", ("os_2y_standard",))),
        hr="os_hr", events=("os_events_overall",), accrual_months=30.0,
        note="Accrual assumed uniform over 30 months (randomisation began in August 2012; 279 of 326 "
             "patients had been randomised 25 months later)."),
    "inovate_pfs": Spec(
        "inovate", "Progression-free survival",
        (ArmSpec("inotuzumab", "itt", "pfs_median_inotuzumab"), ArmSpec("standard", "itt", "pfs_median_standard")),
        hr="pfs_hr", accrual_like="inovate_os",
        note="Accrual as for overall survival."),
    "e1910_os": Spec(
        "e1910", "Overall survival",
        (ArmSpec("blinatumomab_chemotherapy", "mrd_neg_randomized", None, ("os_3y_blinatumomab",)),
         ArmSpec("chemotherapy", "mrd_neg_randomized", None, ("os_3y_chemotherapy",))),
        hr="os_hr", events=("deaths_blinatumomab", "deaths_chemotherapy"), followup=("followup_median",)),
    "e1910_rfs": Spec(
        "e1910", "Relapse-free survival",
        (ArmSpec("blinatumomab_chemotherapy", "mrd_neg_randomized", None, ("rfs_3y_blinatumomab",)),
         ArmSpec("chemotherapy", "mrd_neg_randomized", None, ("rfs_3y_chemotherapy",))),
        hr="rfs_hr", followup=("followup_median",), accrual_like="e1910_os"),
    "topp2021_os": Spec(
        "topp2021", "Overall survival",
        (ArmSpec("overall", "all_treated", "os_median_all",
                 ("os_landmark_2y_all", "os_landmark_3y_all", "os_landmark_4y_all", "os_landmark_5y_all")),),
        followup=("os_followup_median_all",), followup_max="os_followup_max_all"),
    "topp2021_rfs": Spec(
        "topp2021", "Relapse-free survival",
        (ArmSpec("overall", "cr_crh_2cycles", "rfs_median_crcrh",
                 ("rfs_landmark_2y_crcrh", "rfs_landmark_3y_crcrh", "rfs_landmark_4y_crcrh")),),
        followup=("rfs_followup_median_crcrh",), followup_max="rfs_followup_max_crcrh"),
}


def datasets() -> list[str]:
    """Names of the synthetic datasets (``<study>_<endpoint>``)."""
    return list(SPECS)


# --- piecewise-exponential curves through published anchors ---------------------------------------


@dataclass(frozen=True)
class Curve:
    """Piecewise-constant hazard: ``hazards[i]`` applies on [breaks[i], breaks[i+1]) (last piece open),
    with an optional immediate failure probability ``p0`` at ``t0`` (EFS non-responders)."""

    breaks: tuple[float, ...]
    hazards: tuple[float, ...]
    p0: float = 0.0
    t0: float = 0.0

    def cumhaz(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, float)
        b = np.asarray(self.breaks)
        h = np.asarray(self.hazards)
        widths = np.clip(t[..., None] - b, 0, None)
        upper = np.append(np.diff(b), np.inf)
        return (np.minimum(widths, upper) * h).sum(axis=-1)

    def survival(self, t) -> np.ndarray:
        t = np.asarray(t, float)
        s = np.exp(-self.cumhaz(t))
        return np.where(t >= self.t0, (1 - self.p0) * s, s) if self.p0 else s

    def sample(self, u_event: np.ndarray, u_immediate: np.ndarray) -> np.ndarray:
        """Inverse-CDF draws from uniforms (common random numbers make calibration smooth)."""
        target = -np.log(u_event)  # cumulative hazard to reach
        b = np.asarray(self.breaks)
        h = np.asarray(self.hazards)
        cum = np.concatenate([[0.0], np.cumsum(np.diff(b) * h[:-1])])
        idx = np.searchsorted(cum, target, side="right") - 1
        with np.errstate(divide="ignore"):
            times = np.where(h[idx] > 0, b[idx] + (target - cum[idx]) / np.where(h[idx] > 0, h[idx], 1), np.inf)
        if self.p0:
            times = np.where(u_immediate < self.p0, self.t0, times)
        return times


def curve_through(anchors: list[tuple[float, float]], p0: float = 0.0, t0: float = 0.0) -> Curve:
    """The piecewise-exponential curve through (time, survival) anchors, S(0) = 1 (or 1 - p0 after t0)."""
    pts = sorted(anchors)
    for t, s in pts:
        _check.real("anchor time", t, low=0.0, low_open=True)
        _check.probability("anchor survival", s)
    level, last_t, breaks, hazards = 1.0 - p0, 0.0, [0.0], []
    for t, s in pts:
        if s > level + 1e-12:
            raise ValueError(f"anchors must not increase: S({t}) = {s} after S = {level}")
        hazards.append(math.log(level / s) / (t - last_t))
        breaks.append(t)
        level, last_t = s, t
    hazards.append(hazards[-1])  # continue the last piece's hazard beyond the last anchor
    return Curve(tuple(breaks), tuple(hazards), p0, t0)


def _months(value: float, unit: str) -> float:
    return {"months": 1.0, "years": 12.0, "weeks": 12 / 52.1775, "days": 1 / 30.4375}[unit] * value


def _anchor(study: str, table: str, id_: str) -> tuple[float, float]:
    r = data.row(study, table, id_)
    if r["statistic"] == "median":
        return float(r["value_num"]), 0.5
    if r["statistic"] == "landmark":
        return _months(float(r["time"]), r["time_unit"]), float(r["value_num"]) / 100
    raise ValueError(f"{study}/{table}/{id_} is neither a median nor a landmark")


def arm_curve(study: str, arm: ArmSpec) -> Curve:
    anchors = []
    if arm.median:
        anchors.append(_anchor(study, arm.table, arm.median))
    anchors += [_anchor(study, arm.table, i) for i in arm.landmarks]
    p0 = 0.0
    if arm.responders:
        r = data.row(study, "responses", arm.responders)
        p0 = 1 - float(r["value_num"]) / int(r["denominator"])
    return curve_through(anchors, p0, EFS_FAILURE_TIME if p0 else 0.0)


def _n(study: str, population: str, arm: str) -> int:
    pops = data.load(study, "populations")
    match = pops[(pops.population == population) & (pops.arm == arm)]
    if match.empty or pd.isna(match["n"].iloc[0]):
        raise ValueError(f"{study}: no size for population {population!r}, arm {arm!r}")
    return int(match["n"].iloc[0])


def _printed_num(study: str, id_: str, tables=("survival", "subgroups", "flow")) -> float:
    for t in tables:
        if t in data.tables(study):
            f = data.load(study, t)
            if (f.id == id_).any():
                return float(f[f.id == id_]["value_num"].iloc[0])
    raise ValueError(f"{study}: no row {id_!r} in {tables}")


# --- generation -----------------------------------------------------------------------------------


@dataclass
class Synthetic:
    """A synthetic dataset, its curves and the settings that produced it."""

    name: str
    spec: Spec
    frame: pd.DataFrame
    curves: dict
    accrual_months: float
    cutoff_months: float
    tail_multiplier: float
    seed: int


def _stratified(rng: np.random.Generator, n: int) -> np.ndarray:
    """n uniforms, one in each of n equal strata of (0, 1), in random order (Latin hypercube sampling):
    a small synthetic arm then follows its curve closely instead of wandering as a plain sample would."""
    return (rng.permutation(n) + rng.random(n)) / n


def _uniforms(sizes: list[int], seed: int):
    """Entry, event and immediate-failure uniforms, stratified within each arm."""
    rng = np.random.default_rng(seed)
    parts = [(_stratified(rng, n), _stratified(rng, n), _stratified(rng, n)) for n in sizes]
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(3))


def _simulate(spec: Spec, curves: dict, sizes: dict, accrual: float, multiplier: float, u, events_target: int | None,
              cutoff: float | None) -> tuple[pd.DataFrame, float]:
    u_entry, u_event, u_imm = u
    rows, start = [], 0
    for arm in spec.arms:
        n = sizes[arm.arm]
        curve = curves[arm.arm]
        if multiplier != 1.0 and arm is spec.arms[0]:
            curve = Curve(curve.breaks, curve.hazards[:-1] + (curve.hazards[-1] * multiplier,), curve.p0, curve.t0)
        sl = slice(start, start + n)
        start += n
        entry = u_entry[sl] * accrual
        t = curve.sample(u_event[sl], u_imm[sl])
        rows.append(pd.DataFrame({"arm": arm.arm, "entry": entry, "event_time": t}))
    frame = pd.concat(rows, ignore_index=True)
    calendar = frame["entry"] + frame["event_time"]
    if events_target is not None:
        finite = np.sort(calendar[np.isfinite(calendar)].to_numpy())
        if events_target > len(finite):
            raise ValueError(f"only {len(finite)} events can occur, {events_target} requested")
        cutoff = float(finite[events_target - 1]) + 1e-9
    frame["time"] = np.minimum(frame["event_time"], cutoff - frame["entry"]).clip(lower=0.0)
    frame["event"] = (frame["event_time"] <= cutoff - frame["entry"]).astype(int)
    return frame, cutoff


def _followup_target(spec: Spec) -> float | None:
    if not spec.followup:
        return None
    return float(np.mean([_printed_num(spec.study, i) for i in spec.followup]))


def _cox_hr(frame: pd.DataFrame, experimental: str) -> tuple[float, float, float]:
    from trialkit import survival

    res = survival.cox(frame.assign(x=(frame["arm"] == experimental).astype(int)), "time", "event", ["x"])
    return res.hr("x")


def _reverse_km_median(time: np.ndarray, event: np.ndarray) -> float:
    from trialkit import survival

    return float(survival.median_survival(time, 1 - event).median)


@lru_cache(maxsize=32)
def generate(name: str, seed: int = 20240725) -> Synthetic:
    """The synthetic dataset ``name`` (see :func:`datasets`), deterministic for a given seed.

    Columns: ``patient`` (id), ``arm``, ``entry`` (months from the first randomisation), ``time``
    (months from randomisation to event or censoring), ``event`` (1 = event), ``label`` = SYNTHETIC.
    """
    if name not in SPECS:
        raise ValueError(f"name must be one of {sorted(SPECS)}, got {name!r}")
    seed = _check.integer("seed", seed, low=0)
    spec = SPECS[name]
    curves = {a.arm: arm_curve(spec.study, a) for a in spec.arms}
    sizes = {a.arm: _n(spec.study, a.population, a.arm) for a in spec.arms}
    u = _uniforms([sizes[a.arm] for a in spec.arms], seed)
    events_target = int(sum(_printed_num(spec.study, i) for i in spec.events)) if spec.events else None
    followup = _followup_target(spec)
    fmax = _printed_num(spec.study, spec.followup_max) if spec.followup_max else None

    def run(accrual, multiplier):
        if events_target is not None:
            return _simulate(spec, curves, sizes, accrual, multiplier, u, events_target, None)
        if fmax is not None:  # single-arm: the longest follow-up fixes the cut-off
            return _simulate(spec, curves, sizes, accrual, multiplier, u, None, fmax)
        # no events, no maximum: cut-off so that median potential follow-up equals the published one
        return _simulate(spec, curves, sizes, accrual, multiplier, u, None, (followup or accrual) + accrual / 2)

    def accrual_for(multiplier):
        if spec.accrual_months is not None:
            return spec.accrual_months
        if spec.accrual_like is not None:
            return generate(spec.accrual_like, seed).accrual_months
        if followup is None:
            raise ValueError(f"{name}: needs either accrual_months or a published follow-up")

        def gap(a):
            frame, cutoff = run(a, multiplier)
            return _reverse_km_median(frame["time"].to_numpy(), frame["event"].to_numpy()) - followup
        lo, hi = 0.5, 120.0
        if fmax is not None:
            hi = min(hi, 2 * fmax - 1e-6)
        if gap(lo) * gap(hi) > 0:
            return lo if abs(gap(lo)) < abs(gap(hi)) else hi
        return optimize.brentq(gap, lo, hi, xtol=1e-3)

    multiplier = 1.0
    if spec.hr and len(spec.arms) == 2:
        target = _printed_num(spec.study, spec.hr)

        def hr_gap(log_m):
            frame, _ = run(accrual_for(math.exp(log_m)), math.exp(log_m))
            return math.log(_cox_hr(frame, spec.arms[0].arm)[0]) - math.log(target)
        lo, hi = math.log(0.05), math.log(20.0)
        g_lo, g_hi = hr_gap(lo), hr_gap(hi)
        if g_lo * g_hi < 0:
            multiplier = math.exp(optimize.brentq(hr_gap, lo, hi, xtol=1e-3))
        else:
            multiplier = math.exp(lo if abs(g_lo) < abs(g_hi) else hi)
    accrual = accrual_for(multiplier)
    frame, cutoff = run(accrual, multiplier)
    out = pd.DataFrame({
        "patient": np.arange(1, len(frame) + 1),
        "arm": frame["arm"],
        "entry": frame["entry"].round(4),
        "time": frame["time"].round(4),
        "event": frame["event"],
        "label": LABEL,
    })
    return Synthetic(name, spec, out, curves, accrual, cutoff, multiplier, seed)


def frame(name: str, seed: int = 20240725) -> pd.DataFrame:
    """Just the patients of :func:`generate` (a copy)."""
    return generate(name, seed).frame.copy()


# --- fidelity -------------------------------------------------------------------------------------

TOLERANCES = {
    "median": "within the published 95 % CI, or within 10 % when no CI is printed",
    "landmark": "within 5 percentage points",
    "hazard_ratio": "within 0.03 of the published HR",
    "events": "equal to the published number",
    "follow_up": "within 1.5 months of the published median follow-up",
}


def fidelity(name: str, seed: int = 20240725) -> pd.DataFrame:
    """Published versus synthetic summaries of one dataset, each with its tolerance and verdict.

    Columns: dataset, quantity, arm, published, synthetic, tolerance, ok.
    """
    from trialkit import survival

    syn = generate(name, seed)
    spec, f = syn.spec, syn.frame
    rows = []

    def add(quantity, arm, published, synthetic, ok, tolerance):
        rows.append({"dataset": name, "quantity": quantity, "arm": arm, "published": published,
                     "synthetic": synthetic, "tolerance": tolerance, "ok": bool(ok)})

    for a in spec.arms:
        sub = f[f.arm == a.arm]
        t, e = sub["time"].to_numpy(), sub["event"].to_numpy()
        if a.median:
            r = data.row(spec.study, a.table, a.median)
            med = survival.median_survival(t, e)
            if r["ci_low"] and r["ci_high"] != "NR":
                ok = r["ci_low_num"] <= med.median <= r["ci_high_num"]
                pub = f"{r['value']} ({r['ci_low']} to {r['ci_high']})"
            else:
                ok = abs(med.median - r["value_num"]) <= 0.1 * r["value_num"]
                pub = r["value"]
            add("median (months)", a.arm, pub, f"{med.median:.1f} ({med.ci_low:.1f} to {med.ci_high:.1f})", ok, TOLERANCES["median"])
        for lid in a.landmarks:
            r = data.row(spec.study, a.table, lid)
            tm = _months(float(r["time"]), r["time_unit"])
            km = survival.kaplan_meier(t, e)
            s = 100 * float(km[km.time <= tm]["survival"].iloc[-1])
            add(f"survival at {r['time']:g} {r['time_unit']} (%)", a.arm, r["value"], f"{s:.1f}",
                abs(s - r["value_num"]) <= 5, TOLERANCES["landmark"])
        if a.responders:
            r = data.row(spec.study, "responses", a.responders)
            early = 100 * float(((sub["time"] <= EFS_FAILURE_TIME + 1e-3) & (sub["event"] == 1)).mean())
            add("events on day 1 = no remission (%)", a.arm, f"{100 - r['percent_num']:.1f}", f"{early:.1f}",
                abs(early - (100 - r["percent_num"])) <= 5, TOLERANCES["landmark"])
    if spec.hr and len(spec.arms) == 2:
        r = data.row(spec.study, "survival", spec.hr)
        hr, lo, hi = _cox_hr(f, spec.arms[0].arm)
        add("hazard ratio (Cox)", "comparison", f"{r['value']} ({r['ci_low']} to {r['ci_high']})",
            f"{hr:.2f} ({lo:.2f} to {hi:.2f})", abs(hr - r["value_num"]) <= 0.03, TOLERANCES["hazard_ratio"])
    if spec.events:
        published = int(sum(_printed_num(spec.study, i) for i in spec.events))
        add("events", "overall", str(published), str(int(f["event"].sum())), int(f["event"].sum()) == published, TOLERANCES["events"])
    if spec.followup:
        target = _followup_target(spec)
        fu = _reverse_km_median(f["time"].to_numpy(), f["event"].to_numpy())
        add("median follow-up (months, reverse KM)", "overall", f"{target:.1f}", f"{fu:.1f}", abs(fu - target) <= 1.5, TOLERANCES["follow_up"])
    return pd.DataFrame(rows)


def fidelity_all(seed: int = 20240725) -> pd.DataFrame:
    """The fidelity reports of every synthetic dataset."""
    return pd.concat([fidelity(n, seed) for n in datasets()], ignore_index=True)


def published_anchors(name: str) -> pd.DataFrame:
    """The published points a dataset was built through: arm, time (months), survival, what."""
    spec = SPECS[name] if name in SPECS else None
    if spec is None:
        raise ValueError(f"name must be one of {sorted(SPECS)}, got {name!r}")
    rows = []
    for a in spec.arms:
        if a.median:
            t, s = _anchor(spec.study, a.table, a.median)
            rows.append({"arm": a.arm, "time": t, "survival": s, "what": "published median"})
        for lid in a.landmarks:
            t, s = _anchor(spec.study, a.table, lid)
            rows.append({"arm": a.arm, "time": t, "survival": s, "what": "published landmark rate"})
    return pd.DataFrame(rows)


def km_curves(names: list[str] | None = None, seed: int = 20240725) -> pd.DataFrame:
    """Kaplan-Meier curves of synthetic datasets, stacked: dataset, arm, time, survival."""
    from trialkit import survival

    names = datasets() if names is None else names
    frames = []
    for name in names:
        f = frame(name, seed)
        km = survival.kaplan_meier(f["time"], f["event"], f["arm"])
        frames.append(km.rename(columns={"group": "arm"})[["arm", "time", "survival"]].assign(dataset=name))
    return pd.concat(frames, ignore_index=True)

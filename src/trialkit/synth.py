"""SYNTHETIC pseudo-individual patient data reconstructed from published summaries.

No patient-level data from these trials are public. For teaching, :func:`generate` builds synthetic
patients whose summaries reproduce a publication's, in the spirit of the reconstruction methods that
work from published curves (Guyot et al., BMC Med Res Methodol 2012; IPDfromKM; kmdata):

1. **Calendar.** Entry dates follow the published dates (first randomisation, enrolment period,
   interim counts) and the data cut-off is the published one; where a date is missing, the accrual
   shape or the cut-off is solved from the published median follow-up (reverse Kaplan-Meier). Each
   patient's potential follow-up is then fixed before any event is placed.
2. **A target curve per arm** through the published anchors (medians, landmark rates, the day-1
   failures of non-responders for event-free survival): piecewise exponential, with a few shape
   parameters between and after the anchors (a *bend* moves part of a segment's fall earlier or later;
   the *tail* is the hazard after the last anchor). Shapes are constrained by what the text says
   (:data:`SHAPES`): curves separate, converge or plateau only where the paper says so.
3. **Deterministic quantile placement.** Events are placed one at a time, in time order, where the
   target curve is halfway between the Kaplan-Meier levels before and after the event, with the
   number at risk that the fixed censoring pattern leaves at that time. The Kaplan-Meier estimate of
   the synthetic arm therefore steps around the target curve and, at every anchor, takes the
   achievable level nearest to the published one; the event that crosses 50 % is put at the
   published median. Which patient fails is decided by a seeded priority order (the only randomness).
4. **Shape parameters solved** so that the numbers the curves alone do not fix are reproduced: the
   number of events at the cut-off (exactly), the Cox hazard ratio, and the restricted mean survival
   time where printed.

Every dataset carries ``SYNTHETIC`` in its ``label`` column and comes with a fidelity scorecard
(:func:`scorecard`): each anchor with its published and synthetic value, the error, the tolerance of
its type (:data:`TOLERANCES`, derived from the printed precision) and a verdict, and a grade per arm.

Limits: the curves between anchors are guesses; covariates, strata, crossovers and the true censoring
pattern are unknown; a re-analysis of synthetic patients shows how a method behaves on data shaped
like the trial's, never what the trial's own patients would show.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import math
import time as _time
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import optimize

from trialkit import _check, data

LABEL = "SYNTHETIC"
DAYS_PER_MONTH = 30.4375
EFS_FAILURE_TIME = 1 / DAYS_PER_MONTH  # one day in months: TOWER counts non-responders as failing on day 1
DEFAULT_SEED = 20240725

# --- tolerances: one place, each justified by the printed precision ---------------------------------

TOLERANCES = {
    "median": "equal to the printed median at its printed precision (7.7 months: 7.65 to 7.75)",
    "landmark": ("equal to the printed rate at its printed precision (54 %: 53.5 to 54.5), or the nearest "
                 "level a Kaplan-Meier curve of this size can take when its step there is larger "
                 "(within half a step)"),
    "hazard_ratio": "equal to the printed hazard ratio at its printed precision (0.71: 0.705 to 0.715)",
    "events": "equal to the published number",
    "rmst": ("within half the published standard error of the printed value (13.9 months, SE 1.10: 13.35 to "
             "14.45): the RMST is an area that depends on the shape between the anchors, which is not printed"),
    "follow_up": ("within half a month of the printed median follow-up (reverse Kaplan-Meier): with few patients "
                  "at risk there, the reverse Kaplan-Meier median of a synthetic arm moves in jumps of that size"),
    "calendar": "equal to the published date or count (the calendar is built from them)",
    "cumulative_incidence": "as for landmark rates (Aalen-Johansen estimate at the printed time)",
}
"""Rules of the fidelity scorecard, per anchor type. A printed number stands for an interval half a
unit of its last digit wide on each side, so a synthetic value inside that interval is printed the same
and passes. Two exceptions, both for reasons of arithmetic: a Kaplan-Meier curve of n patients moves in
steps of S/n at risk, so when a step is wider than the printed unit the nearest reachable level passes;
RMST and median follow-up are areas and censoring summaries that the placement reaches only
approximately, so one printed unit is allowed."""

_KIND_RULE = {"median": "half", "landmark": "half_or_step", "hazard_ratio": "half", "events": "exact",
              "rmst": "half_se", "follow_up": "half_month", "calendar": "exact", "cumulative_incidence": "half_or_step"}


def _decimals(printed: str) -> int:
    s = str(printed).strip().lstrip("<>")
    return len(s.split(".")[1]) if "." in s else 0


def _months_between(a: str, b: str) -> float:
    d = _dt.date.fromisoformat(b) - _dt.date.fromisoformat(a)
    return d.days / DAYS_PER_MONTH


def _months(value: float, unit: str) -> float:
    return {"months": 1.0, "years": 12.0, "weeks": 12 / 52.1775, "days": 1 / DAYS_PER_MONTH}[unit] * value


# --- specifications ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArmSpec:
    """Where an arm's anchors come from: row ids in the study's tables."""

    arm: str
    population: str
    median: str | None = None                  # survival row id of the median
    landmarks: tuple[str, ...] = ()            # survival row ids of landmark rates
    responders: str | None = None              # responses row id: non-responders fail at day 1 (EFS)
    events: str | None = None                  # row id of this arm's event count
    rmst: str | None = None                    # row id of this arm's RMST
    rmst_se: str | None = None
    followup: str | None = None                # row id of this arm's median follow-up
    cif: tuple[str, ...] = ()                  # cumulative-incidence landmark row ids (competing risks)
    table: str = "survival"


@dataclass(frozen=True)
class Calendar:
    """Entry and cut-off in months from the first randomisation (or first dose)."""

    kind: str                                  # "dates_power", "dates_interim", "dates_followup", "max_followup"
    first: str | None = None                   # ISO dates
    last: str | None = None
    cutoff: str | None = None
    interim: str | None = None                 # date of an interim count of randomised patients
    interim_population: str | None = None      # population key holding those counts per arm
    followup: tuple[str, ...] = ()             # row ids of the median follow-up used to shape the calendar
    followup_max: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Spec:
    study: str
    endpoint: str
    arms: tuple[ArmSpec, ...]
    calendar: Calendar
    hr: str | None = None                      # survival row id of the hazard ratio
    events: str | None = None                  # row id of the overall number of events
    fit: str = "none"                          # which shape parameters are solved (see _FITS)
    shape: dict = field(default_factory=dict)  # fixed shape settings per arm: {"arm": {"tail": h, "bends": {...}}}
    base: str | None = None                    # competing-risk dataset built on another dataset's patients
    followup_check: tuple[str, ...] = ()       # follow-up rows reported but not targeted
    gives: dict = field(default_factory=dict)  # row id -> why this published number is not reproduced
    note: str = ""


_TOWER_CAL = Calendar("dates_power", first="2014-01-01", last="2015-09-30", cutoff="2016-01-04",
                      followup=("os_followup_median_blinatumomab", "os_followup_median_chemotherapy"),
                      note="Enrolment January 2014 to September 2015 (first and last day of those months "
                           "assumed), data cut-off 4 January 2016; accrual rate rising over time (entry "
                           "distribution F(e) = (e / A)^p, p solved from the median follow-up for overall "
                           "survival).")
_INOVATE_CAL = Calendar("dates_interim", first="2012-08-27", interim="2014-10-02",
                        interim_population="randomized2014", cutoff="2016-03-08",
                        note="Randomisation from 27 August 2012; 279 patients (141 and 138) by 2 October "
                             "2014 and the other 47 at the same rate afterwards; survival cut-off 8 March "
                             "2016. The median follow-up is not printed.")
_E1910_CAL = Calendar("dates_followup", first="2013-12-01", last="2019-10-31", followup=("followup_median",),
                      note="Uniform randomisation over the enrolment period (December 2013 to October 2019); "
                           "the data cut-off is not printed and is placed where the median follow-up "
                           "(reverse Kaplan-Meier) is the published 43 months.")

SPECS: dict[str, Spec] = {
    "tower_os": Spec(
        "tower", "Overall survival",
        (ArmSpec("blinatumomab", "itt", "os_median_blinatumomab", ("os_landmark_6m_blinatumomab",),
                 followup="os_followup_median_blinatumomab"),
         ArmSpec("chemotherapy", "itt", "os_median_chemotherapy", ("os_landmark_6m_chemotherapy",),
                 followup="os_followup_median_chemotherapy")),
        _TOWER_CAL, hr="os_hr", events="os_deaths_overall", fit="tower_os"),
    "tower_efs": Spec(
        "tower", "Event-free survival",
        (ArmSpec("blinatumomab", "itt", None, ("efs_landmark_6m_blinatumomab",),
                 responders="cr_crh_cri_count_blinatumomab"),
         ArmSpec("chemotherapy", "itt", None, ("efs_landmark_6m_chemotherapy",),
                 responders="cr_crh_cri_count_chemotherapy")),
        _TOWER_CAL, hr="efs_hr", fit="mirror_bend_hr",
        gives={"efs_hr": "253 of 405 patients fail on day 1 (no remission), one large tie; the Cox estimate then "
                         "depends on how ties and strata are handled (Efron here; the article's stratified model "
                         "is not specified further). Within the shapes allowed (the fall between day 1 and 6 months "
                         "at most 80 % in either half) the ratio stays above 0.55. The hazard ratio gives."},
        followup_check=("efs_followup_median_blinatumomab", "efs_followup_median_chemotherapy"),
        note="Patients without CR/CRh/CRi within 12 weeks fail on day 1 (the article's definition)."),
    "inovate_os": Spec(
        "inovate", "Overall survival",
        (ArmSpec("inotuzumab", "itt", "os_median_inotuzumab", ("os_2y_inotuzumab",),
                 rmst="os_rmst_inotuzumab", rmst_se="os_rmst_se_inotuzumab"),
         ArmSpec("standard", "itt", "os_median_standard", ("os_2y_standard",),
                 rmst="os_rmst_standard", rmst_se="os_rmst_se_standard")),
        _INOVATE_CAL, hr="os_hr", events="os_events_overall", fit="inovate_os",
        gives={"os_hr": "The article itself says overall survival departs from proportional hazards and gives a "
                        "stratified estimate; with the medians, 2-year rates, deaths, the inotuzumab RMST and curves "
                        "that stay together until about 14 months, an unstratified Cox model cannot reach 0.77. The "
                        "hazard ratio is the anchor that gives."}),
    "inovate_pfs": Spec(
        "inovate", "Progression-free survival",
        (ArmSpec("inotuzumab", "itt", "pfs_median_inotuzumab"), ArmSpec("standard", "itt", "pfs_median_standard")),
        _INOVATE_CAL, hr="pfs_hr", fit="mirror_bend_hr"),
    "e1910_os": Spec(
        "e1910", "Overall survival",
        (ArmSpec("blinatumomab_chemotherapy", "mrd_neg_randomized", None, ("os_3y_blinatumomab",),
                 events="deaths_blinatumomab"),
         ArmSpec("chemotherapy", "mrd_neg_randomized", None, ("os_3y_chemotherapy",), events="deaths_chemotherapy")),
        _E1910_CAL, hr="os_hr", fit="mirror_bend_hr", shape={"_m_range": (0.0, 0.0)},
        gives={"os_hr": "The published estimate is stratified (age, CD20, rituximab, intended transplant) and the "
                        "benefit differed by age; with the printed deaths per arm (17 and 40) and 3-year rates on "
                        "curves with proportional hazards (as the article found), an unstratified Cox model gives "
                        "a smaller ratio. Reaching 0.41 would need curves that cross. The hazard ratio gives."}),
    "e1910_rfs": Spec(
        "e1910", "Relapse-free survival",
        (ArmSpec("blinatumomab_chemotherapy", "mrd_neg_randomized", None, ("rfs_3y_blinatumomab",)),
         ArmSpec("chemotherapy", "mrd_neg_randomized", None, ("rfs_3y_chemotherapy",))),
        _E1910_CAL, hr="rfs_hr", fit="mirror_bend_hr"),
    "topp2021_os": Spec(
        "topp2021", "Overall survival",
        (ArmSpec("overall", "all_treated", "os_median_all",
                 ("os_landmark_2y_all", "os_landmark_3y_all", "os_landmark_4y_all", "os_landmark_5y_all"),
                 followup="os_followup_median_all"),),
        Calendar("max_followup", followup=("os_followup_median_all",), followup_max="os_followup_max_all",
                 note="Time from the first blinatumomab dose. The cut-off is the longest follow-up after "
                      "the first patient's entry; the entry period is solved from the median follow-up."),
        shape={"overall": {"tail": 0.0}}),
    "topp2021_rfs": Spec(
        "topp2021", "Relapse-free survival (responders)",
        (ArmSpec("overall", "cr_crh_2cycles", "rfs_median_crcrh",
                 ("rfs_landmark_2y_crcrh", "rfs_landmark_3y_crcrh", "rfs_landmark_4y_crcrh"),
                 followup="rfs_followup_median_crcrh"),),
        Calendar("max_followup", followup=("rfs_followup_median_crcrh",), followup_max="rfs_followup_max_crcrh",
                 note="Time from the first CR/CRh within 2 cycles; calendar as for overall survival."),
        fit="late_relapse", shape={"overall": {"tail": 0.0}},
        followup_check=("rfs_followup_min_crcrh",)),
    "topp2021_cir": Spec(
        "topp2021", "Cumulative incidence of relapse (responders)",
        (ArmSpec("overall", "cr_crh_2cycles",
                 cif=("cir_relapse_2y_crcrh", "cir_relapse_3y_crcrh", "cir_relapse_4y_crcrh", "cir_relapse_5y_crcrh")),),
        Calendar("max_followup"), base="topp2021_rfs", fit="causes",
        note="The relapse-free survival patients, each event labelled relapse or death without relapse."),
}

SHAPES: dict[str, list[dict]] = {
    "tower_os": [
        {"kind": "separated", "from": 3.0, "to": 12.0, "min_gap": 0.03,
         "text": "curves separate within 3 months (Results, Overall survival): at least 3 points apart from 3 to 12 months"},
        {"kind": "converge", "from": 15.0, "to": 18.0, "max_gap": 0.02,
         "text": "curves come together again between 15 and 18 months"},
        {"kind": "no_crossing", "from": 0.0, "to": 15.0, "slack": 0.0,
         "text": "blinatumomab above chemotherapy until they converge"},
    ],
    "tower_efs": [{"kind": "no_crossing", "from": 0.0, "to": None, "slack": 0.0,
                   "text": "no crossing described (Figure 1C)"}],
    "inovate_os": [
        {"kind": "separated", "from": 14.0, "to": 37.7, "min_gap": 0.04,
         "text": "curves separate after about 14 months and stay apart (Discussion): at least 4 points from 14 months on"},
        {"kind": "no_crossing", "from": 0.0, "to": None, "slack": 0.0, "text": "no crossing described"},
    ],
    "inovate_pfs": [{"kind": "no_crossing", "from": 0.0, "to": None, "slack": 0.0, "text": "no crossing described"}],
    "e1910_os": [{"kind": "no_crossing", "from": 0.0, "to": None, "slack": 0.0,
                  "text": "proportional hazards tested and found to hold (Methods): no crossing"}],
    "e1910_rfs": [{"kind": "no_crossing", "from": 0.0, "to": None, "slack": 0.0,
                   "text": "proportional hazards tested and found to hold (Methods): no crossing"}],
    "topp2021_os": [{"kind": "plateau", "from": 48.0, "to": 60.0,
                     "text": "overall survival plateaus after 3 years (4- and 5-year rates equal)"}],
    "topp2021_rfs": [{"kind": "plateau", "from": 36.0, "to": 48.0,
                      "text": "relapse-free survival plateaus after 3 years (3- and 4-year rates equal)"}],
    "topp2021_cir": [],
}
"""Shape constraints stated by each paper (tested in tests/test_synth.py). Besides these, no tail may
collapse: after its last anchor an arm's hazard never exceeds the steepest hazard of its anchored part."""


def datasets() -> list[str]:
    """Names of the synthetic datasets (``<study>_<endpoint>``)."""
    return list(SPECS)


def _spec(name: str) -> Spec:
    if name not in SPECS:
        raise ValueError(f"name must be one of {sorted(SPECS)}, got {name!r}")
    return SPECS[name]


# --- curves -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Curve:
    """A survival curve with piecewise-linear cumulative hazard through ``(times[i], cumhaz[i])``, hazard
    ``tail`` after the last knot, and (event-free survival) an immediate failure probability ``p0`` at
    ``t0``: S(t) = exp(-H(t)) before t0, (1 - p0) exp(-H(t)) from t0 on."""

    times: tuple[float, ...]
    cumhaz: tuple[float, ...]
    tail: float
    p0: float = 0.0
    t0: float = 0.0

    def hazard_pieces(self) -> list[tuple[float, float, float]]:
        t, h = self.times, self.cumhaz
        return [(t[i], t[i + 1], (h[i + 1] - h[i]) / (t[i + 1] - t[i])) for i in range(len(t) - 1)]

    def cumhaz_at(self, t) -> np.ndarray:
        t = np.asarray(t, float)
        tk, hk = np.asarray(self.times), np.asarray(self.cumhaz)
        inside = np.interp(t, tk, hk)
        return np.where(t > tk[-1], hk[-1] + self.tail * (t - tk[-1]), np.where(t < tk[0], 0.0, inside))

    def survival(self, t) -> np.ndarray:
        t = np.asarray(t, float)
        s = np.exp(-self.cumhaz_at(t))
        return np.where(t >= self.t0, (1 - self.p0) * s, s) if self.p0 else s

    def time_at(self, s: float) -> float:
        """The first time the curve is at or below ``s`` (inf if never)."""
        if self.p0 and s >= 1 - self.p0:
            return self.t0
        target = -math.log(s / (1 - self.p0))
        hk, tk = self.cumhaz, self.times
        if target <= hk[0]:
            return tk[0]
        i = bisect.bisect_left(hk, target)
        if i < len(hk):
            return tk[i - 1] + (target - hk[i - 1]) / (hk[i] - hk[i - 1]) * (tk[i] - tk[i - 1])
        return tk[-1] + (target - hk[-1]) / self.tail if self.tail > 0 else math.inf

    def area(self, tau: float, n: int = 4001) -> float:
        """Area under the curve from 0 to ``tau`` (restricted mean)."""
        grid = np.linspace(0.0, tau, n)
        return float(np.trapezoid(self.survival(grid), grid))


def curve_through(anchors: list[tuple[float, float]], p0: float = 0.0, t0: float = 0.0,
                  bends: dict | None = None, tail: float | None = None) -> Curve:
    """The piecewise-exponential curve through (time, survival) anchors, S(0) = 1 (1 - p0 from t0 on).

    ``bends`` maps a segment index (0 = start to first anchor) to the share w of the segment's
    cumulative hazard reached at its midpoint (0.5 = constant hazard; above 0.5 the fall comes early).
    ``tail`` is the hazard after the last anchor (default: that of the last segment).
    """
    pts = sorted(anchors)
    for t, s in pts:
        _check.real("anchor time", t, low=0.0, low_open=True)
        _check.probability("anchor survival", s)
    bends = bends or {}
    start = t0 if p0 else 0.0
    times, cum = [start], [0.0]
    level = 1.0 - p0
    for i, (t, s) in enumerate(pts):
        if s > level + 1e-12:
            raise ValueError(f"anchors must not increase: S({t}) = {s} after S = {level}")
        if t <= times[-1]:
            raise ValueError(f"anchor times must increase: {t} after {times[-1]}")
        h = -math.log(s / (1 - p0))
        if i in bends:
            w = _check.real(f"bend of segment {i}", bends[i], low=0.0, high=1.0, low_open=True, high_open=True)
            times.append((times[-1] + t) / 2)
            cum.append(cum[-1] + w * (h - cum[-1]))
        times.append(t)
        cum.append(h)
        level = s
    if tail is None:
        tail = (cum[-1] - cum[-2]) / (times[-1] - times[-2]) if len(times) > 1 else 0.0
    _check.real("tail hazard", tail, low=0.0)
    return Curve(tuple(times), tuple(cum), float(tail), p0, t0)


@lru_cache(maxsize=None)
def _anchor(study: str, table: str, id_: str) -> tuple[float, float]:
    r = data.row(study, table, id_)
    if r["statistic"] == "median":
        return float(r["value_num"]), 0.5
    if r["statistic"] == "landmark":
        return _months(float(r["time"]), r["time_unit"]), float(r["value_num"]) / 100
    raise ValueError(f"{study}/{table}/{id_} is neither a median nor a landmark")


def _arm_anchors(study: str, arm: ArmSpec) -> list[tuple[float, float]]:
    out = []
    if arm.median:
        out.append(_anchor(study, arm.table, arm.median))
    out += [_anchor(study, arm.table, i) for i in arm.landmarks]
    return sorted(out)


@lru_cache(maxsize=None)
def _responders(study: str, arm: ArmSpec) -> tuple[int, int] | None:
    if not arm.responders:
        return None
    r = data.row(study, "responses", arm.responders)
    return int(r["value_num"]), int(r["denominator"])


def arm_curve(study: str, arm: ArmSpec, bends: dict | None = None, tail: float | None = None,
              extra: list[tuple[float, float]] = ()) -> Curve:
    """The target curve of one arm: through its published anchors (plus ``extra`` derived points)."""
    anchors = sorted(_arm_anchors(study, arm) + list(extra))
    resp = _responders(study, arm)
    p0 = 1 - resp[0] / resp[1] if resp else 0.0
    return curve_through(anchors, p0, EFS_FAILURE_TIME if p0 else 0.0, bends, tail)


@lru_cache(maxsize=None)
def _n(study: str, population: str, arm: str) -> int:
    pops = data.load(study, "populations")
    match = pops[(pops.population == population) & (pops.arm == arm)]
    if match.empty or pd.isna(match["n"].iloc[0]):
        raise ValueError(f"{study}: no size for population {population!r}, arm {arm!r}")
    return int(match["n"].iloc[0])


def _printed(study: str, id_: str, tables=("survival", "subgroups", "flow", "responses")) -> pd.Series:
    for t in tables:
        if t in data.tables(study):
            f = data.load(study, t)
            if (f.id == id_).any():
                return f[f.id == id_].iloc[0]
    raise ValueError(f"{study}: no row {id_!r} in {tables}")


@lru_cache(maxsize=None)
def _printed_num(study: str, id_: str) -> float:
    return float(_printed(study, id_)["value_num"])


# --- calendar ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    entries: dict            # arm -> entry times (months), sorted
    cutoff: float
    accrual: float           # months from first to last entry
    power: float             # entry distribution exponent (1 = uniform)
    facts: tuple             # (label, published, synthetic) rows for the scorecard


def _quantile_entries(n: int, accrual: float, power: float) -> np.ndarray:
    u = (np.arange(n) + 0.5) / n
    return accrual * u ** (1.0 / power)


def _fu_targets(spec: Spec) -> dict:
    """Published median follow-up per arm (when printed per arm) or overall (key None)."""
    cal = spec.calendar
    if len(cal.followup) == len(spec.arms) > 1:
        return {a.arm: _printed_num(spec.study, i) for a, i in zip(spec.arms, cal.followup)}
    if cal.followup:
        return {None: float(np.mean([_printed_num(spec.study, i) for i in cal.followup]))}
    return {}


def _fit_followup(spec: Spec, sizes: dict, prio: dict, params: dict, extra: dict, power: float) -> dict:
    """Shifts of the calendar's follow-up targets (per arm or overall) that bring the reverse Kaplan-Meier
    median follow-up of the placed patients nearest the published one. The reverse Kaplan-Meier median
    moves in jumps as single patients change places, so a grid is searched (0.25 months apart, then 0.05
    around the best)."""
    shift: dict = {}
    for key, target in _fu_targets(spec).items():
        arms_ = [a for a in spec.arms if key in (None, a.arm)]

        def miss(g):
            sched = _schedule(spec, sizes, {**shift, key: g}, power)
            placed = [_place_arm(spec, sched, prio, params, extra, a) for a in arms_]
            got = _reverse_km_median(np.concatenate([p[0] for p in placed]), np.concatenate([p[1] for p in placed]))
            return abs(got - target)
        coarse = min(np.arange(-4.0, 4.0001, 0.25), key=lambda g: miss(float(g)))
        shift[key] = float(min(np.arange(coarse - 0.2, coarse + 0.2001, 0.05), key=lambda g: miss(float(g))))
    return shift


def _schedule(spec: Spec, sizes: dict, shift: dict | None = None, power: float = 1.0) -> Schedule:
    """Entry times per arm and the cut-off. ``shift`` corrects the follow-up targets (per arm or overall,
    key None) for the difference between potential and reverse Kaplan-Meier follow-up; ``power`` shapes
    accrual where only dates are known before an interim count (INO-VATE)."""
    cal = spec.calendar
    shift = shift or {}
    targets = {k: v + shift.get(k, 0.0) for k, v in _fu_targets(spec).items()}
    if cal.kind == "dates_power":
        accrual = _months_between(cal.first, cal.last)
        cutoff = _months_between(cal.first, cal.cutoff)
        entries, powers = {}, []
        for a, n in sizes.items():
            fu = targets.get(a, targets.get(None))
            ratio = (cutoff - fu) / accrual
            if not 0 < ratio < 1:
                raise ValueError(f"{spec.study}: median follow-up {fu} cannot be reached with these dates")
            powers.append(math.log(0.5) / math.log(ratio))
            entries[a] = _quantile_entries(n, accrual, powers[-1])
        facts = (("first randomisation", cal.first, "month 0"), ("last randomisation", cal.last, f"month {accrual:.1f}"),
                 ("data cut-off", cal.cutoff, f"month {cutoff:.1f}"))
        return Schedule(entries, cutoff, accrual, float(np.mean(powers)), facts)
    if cal.kind == "dates_interim":
        t1 = _months_between(cal.first, cal.interim)
        cutoff = _months_between(cal.first, cal.cutoff)
        by_t1 = {a: _n(spec.study, cal.interim_population, a) for a in sizes}
        accrual = t1 * sum(sizes.values()) / sum(by_t1.values())
        entries = {}
        for a, n in sizes.items():
            k = by_t1[a]
            u = (np.arange(n) + 0.5) / n
            f1 = k / n
            entries[a] = np.where(u <= f1, t1 * np.clip(u / f1, 0, 1) ** (1 / power),
                                  t1 + (accrual - t1) * (u - f1) / (1 - f1))
        facts = (("first randomisation", cal.first, "month 0"),
                 (f"randomised by {cal.interim}", str(sum(by_t1.values())),
                  str(int(sum((entries[a] <= t1).sum() for a in sizes)))),
                 ("data cut-off", cal.cutoff, f"month {cutoff:.1f}"))
        return Schedule(entries, cutoff, accrual, power, facts)
    if cal.kind == "dates_followup":
        accrual = _months_between(cal.first, cal.last)
        cutoff = targets[None] + accrual / 2
        entries = {a: _quantile_entries(n, accrual, 1.0) for a, n in sizes.items()}
        date = _dt.date.fromisoformat(cal.first) + _dt.timedelta(days=round(cutoff * DAYS_PER_MONTH))
        facts = (("first randomisation", cal.first, "month 0"), ("last randomisation", cal.last, f"month {accrual:.1f}"),
                 ("data cut-off (not printed)", "-", f"month {cutoff:.1f} ({date:%B %Y})"))
        return Schedule(entries, cutoff, accrual, 1.0, facts)
    if cal.kind == "max_followup":
        fmax = _printed_num(spec.study, cal.followup_max)
        n = sum(sizes.values())
        # cut-off = longest follow-up + first entry; median potential follow-up = cut-off - accrual / 2
        accrual = 2 * (fmax - targets[None]) * n / (n - 1)
        cutoff = fmax + accrual * 0.5 / n
        entries = {a: _quantile_entries(m, accrual, 1.0) for a, m in sizes.items()}
        facts = (("longest follow-up (months)", _printed(spec.study, cal.followup_max)["value"], f"{fmax:.1f}"),)
        return Schedule(entries, cutoff, accrual, 1.0, facts)
    raise ValueError(f"unknown calendar kind {cal.kind!r}")


# --- deterministic placement ---------------------------------------------------------------------------


def place(curve: Curve, potential: np.ndarray, priority: np.ndarray, median: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Event times that make the Kaplan-Meier estimate step around ``curve``.

    ``potential``: each patient's potential follow-up (censoring time); ``priority``: the order in which
    patients are chosen to fail (a permutation); ``median``: put the event that crosses 50 % there.
    Each event goes where the curve equals the midpoint of the Kaplan-Meier levels before and after it,
    with the number at risk the censoring leaves at that time (a fixed point, found by iteration).
    Returns ``(time, event)``.
    """
    c = np.asarray(potential, float)
    n = len(c)
    time = c.copy()
    event = np.zeros(n, int)
    failed = np.zeros(n, bool)
    alive = sorted(c.tolist())
    order = [int(i) for i in priority]
    ptr = 0
    s_km = 1.0
    t_last = 0.0
    forced = None

    def at_risk(t):
        return len(alive) - bisect.bisect_left(alive, t)

    def fail(t):
        nonlocal ptr
        while ptr < n and (failed[order[ptr]] or c[order[ptr]] < t):
            ptr += 1
        if ptr == n:
            return False
        p = order[ptr]
        ptr += 1
        time[p], event[p], failed[p] = t, 1, True
        alive.pop(bisect.bisect_left(alive, c[p]))
        return True

    if curve.p0:  # immediate failures (non-responders): exactly round(p0 * n) events at t0
        k0 = int(round(curve.p0 * n))
        r = at_risk(curve.t0)
        for _ in range(k0):
            fail(curve.t0)
        s_km *= 1 - k0 / r
        t_last = curve.t0
    while alive:
        r = at_risk(t_last)
        if r == 0:
            break
        if forced is not None:
            t, forced = forced, None
            r = at_risk(t)
        else:
            t = t_last
            for _ in range(200):
                t = max(curve.time_at(s_km * (1 - 0.5 / r)), t_last)
                if not math.isfinite(t) or t > alive[-1]:
                    t = math.inf
                    break
                r2 = at_risk(t)
                if r2 == r:
                    break
                r = r2
                if r == 0:
                    break
            if not math.isfinite(t) or r == 0:
                break
            after = s_km * (1 - 1 / r)
            if median is not None and s_km > 0.5 + 1e-9 and after <= 0.5 + 1e-9 and median >= t_last:
                rm = at_risk(median)
                if rm > 0 and abs(s_km * (1 - 1 / rm) - 0.5) <= 1e-9:   # the curve will sit at exactly 50 %
                    t, r, forced = median - 0.005, at_risk(median - 0.005), median + 0.005
                elif rm > 0 and s_km * (1 - 1 / rm) < 0.5:
                    t, r = median, rm
        if not fail(t):
            break
        s_km *= 1 - 1 / r
        t_last = t
    return time, event


# --- fast two-group Cox (Efron ties), for the solver ----------------------------------------------------


def _cox_hr_fast(time: np.ndarray, event: np.ndarray, x: np.ndarray) -> float:
    order = np.argsort(time, kind="stable")
    t, e, g = time[order], event[order], x[order].astype(float)
    ut, first = np.unique(t, return_index=True)
    n = len(t)
    cg = np.cumsum(g[::-1])[::-1]
    r1 = cg[first]
    r0 = (n - first) - r1
    d1 = np.add.reduceat(e * g, first)
    d0 = np.add.reduceat(e * (1 - g), first)
    keep = (d1 + d0) > 0
    r1, r0, d1, d0 = r1[keep], r0[keep], d1[keep], d0[keep]
    d = (d1 + d0).astype(int)
    maxd = int(d.max())
    frac = np.arange(maxd)[None, :] / np.maximum(d[:, None], 1)
    mask = np.arange(maxd)[None, :] < d[:, None]

    def score_info(beta):
        eb = math.exp(max(min(beta, 30.0), -30.0))
        num1 = r1[:, None] * eb - frac * d1[:, None] * eb
        den = num1 + r0[:, None] - frac * d0[:, None]
        p = np.where(mask, num1 / den, 0.0)
        return float(d1.sum() - p.sum()), float((p * (1 - p)).sum())

    beta = 0.0
    for _ in range(50):
        with np.errstate(divide="ignore", invalid="ignore"):
            u, i = score_info(beta)
        step = max(min(u / i, 2.0), -2.0) if i > 0 else 0.0
        beta += step
        if abs(step) < 1e-10:
            break
    return math.exp(beta)


def _reverse_km_median(time: np.ndarray, event: np.ndarray) -> float:
    from trialkit import survival

    return float(survival.median_survival(time, 1 - event).median)


# --- generation ------------------------------------------------------------------------------------------


@dataclass
class Synthetic:
    """A synthetic dataset, its curves and the settings that produced it."""

    name: str
    spec: Spec
    frame: pd.DataFrame
    curves: dict
    accrual_months: float
    cutoff_months: float
    accrual_power: float
    parameters: dict
    seed: int
    calendar_facts: tuple = ()
    extra_anchors: dict = field(default_factory=dict)


_GOLDEN = (math.sqrt(5) - 1) / 2


def _priorities(sizes: dict, seed: int, protect_first: bool) -> dict:
    """The order in which each arm's patients (numbered by entry) are chosen to fail: a golden-ratio
    sequence started at a seeded point, so that at every stage the failed patients are spread evenly
    over the entry period (censoring stays independent of the event times and the reverse Kaplan-Meier
    follow-up matches the calendar's)."""
    rng = np.random.default_rng(seed)
    out = {}
    for a, n in sizes.items():
        u = (rng.random() + _GOLDEN * np.arange(n)) % 1.0
        p = np.argsort(u, kind="stable")
        if protect_first:  # the first entrant survives: the longest follow-up is the published one
            p = np.concatenate([p[p != 0], [0]])
        out[a] = p
    return out


SEPARATION_INOVATE = 14.0  # Discussion: the curves appear to separate after about 14 months
WITHDRAWAL_MONTHS = 1.0  # withdrawn patients leave follow-up within the first month after randomisation


def _potential(spec: Spec, schedule: Schedule, arm: str, n_lost: int) -> np.ndarray:
    """Potential follow-up of each patient of ``arm``: to the cut-off, except ``n_lost`` patients (spread
    evenly over the entry order) who withdraw within the first month after randomisation."""
    entry = schedule.entries[arm]
    pot = schedule.cutoff - entry
    if n_lost:
        n = len(entry)
        idx = ((np.arange(n_lost) + 0.5) * n / n_lost).astype(int)
        pot = pot.copy()
        pot[idx] = np.minimum(pot[idx], WITHDRAWAL_MONTHS * (np.arange(n_lost) + 0.5) / n_lost)
    return pot


def _arm_curve_with(spec: Spec, a: ArmSpec, params: dict, extra: dict) -> Curve:
    pa = params.get(a.arm, {})
    return arm_curve(spec.study, a, pa.get("bends"), pa.get("tail"), tuple(extra.get(a.arm, ())))


def _place_arm(spec: Spec, schedule: Schedule, prio: dict, params: dict, extra: dict, a: ArmSpec):
    curve = _arm_curve_with(spec, a, params, extra)
    med = _anchor(spec.study, a.table, a.median)[0] if a.median else None
    lost = int(params.get("_lost", {}).get(a.arm, 0))
    return place(curve, _potential(spec, schedule, a.arm, lost), prio[a.arm], med)


def _build(spec: Spec, schedule: Schedule, prio: dict, params: dict, extra: dict) -> tuple[dict, pd.DataFrame]:
    curves, parts = {}, []
    for a in spec.arms:
        curves[a.arm] = _arm_curve_with(spec, a, params, extra)
        t, e = _place_arm(spec, schedule, prio, params, extra, a)
        parts.append(pd.DataFrame({"arm": a.arm, "entry": schedule.entries[a.arm], "time": t, "event": e}))
    return curves, pd.concat(parts, ignore_index=True)


def _hr(frame: pd.DataFrame, experimental: str) -> float:
    return _cox_hr_fast(frame["time"].to_numpy(), frame["event"].to_numpy(),
                        (frame["arm"] == experimental).to_numpy().astype(int))


def _steepest(study: str, arm: ArmSpec, extra=()) -> float:
    c = arm_curve(study, arm, extra=extra)
    return max(h for _, _, h in c.hazard_pieces()) if c.hazard_pieces() else 0.0


def _count_bisect(count, want: int, lo: float, hi: float, tol: float = 1e-3) -> float:
    """The smallest x in [lo, hi] (to ``tol``) with ``count(x) >= want``, for a count that grows with x."""
    if count(hi) < want:
        return hi
    for _ in range(40):
        mid = (lo + hi) / 2
        if count(mid) < want:
            lo = mid
        else:
            hi = mid
        if hi - lo < tol:
            break
    return hi


def _events_solve(make, spec: Spec, schedule: Schedule, prio: dict, extra: dict, want: int, lo: float, hi: float,
                  arm: str | None = None) -> float:
    """The parameter x in [lo, hi] at which ``make(x)`` (shape parameters) gives exactly ``want`` events
    (in ``arm``, or in all arms): solved on the expected count of the target curves (smooth), then the
    target is moved by the difference to the placed count until the two agree; integer bisection last."""
    def curves(p):
        return {a.arm: arm_curve(spec.study, a, p.get(a.arm, {}).get("bends"), p.get(a.arm, {}).get("tail"),
                                 tuple(extra.get(a.arm, ()))) for a in spec.arms}

    pots = {a.arm: _potential(spec, schedule, a.arm, 0) for a in spec.arms}

    def expected(x):
        c = curves(make(x))
        return sum(float((1 - c[a].survival(pots[a])).sum()) for a in c if arm in (None, a))

    def realized(x):
        f = _build(spec, schedule, prio, make(x), extra)[1]
        return int((f["event"] if arm is None else f.loc[f.arm == arm, "event"]).sum())

    target = float(want)
    for _ in range(6):
        g_lo, g_hi = expected(lo) - target, expected(hi) - target
        x = optimize.brentq(lambda x: expected(x) - target, lo, hi, xtol=1e-7) if g_lo * g_hi < 0 else (lo if abs(g_lo) < abs(g_hi) else hi)
        got = realized(x)
        if got == want:
            return x
        target += want - got
    return _count_bisect(realized, want, lo, hi, (hi - lo) * 1e-5)


def _root(f, lo: float, hi: float, what: str, xtol: float = 1e-4) -> float:
    f_lo, f_hi = f(lo), f(hi)
    if f_lo * f_hi > 0:
        raise ValueError(f"{what}: no solution in [{lo}, {hi}] (gaps {f_lo:.4f}, {f_hi:.4f})")
    return optimize.brentq(f, lo, hi, xtol=xtol)


def _solve(spec: Spec, schedule: Schedule, prio: dict, sizes: dict) -> tuple[dict, dict]:
    """Shape parameters per arm and extra (derived) anchors, by the dataset's fit rule."""
    params = {a: dict(v) for a, v in spec.shape.items() if not a.startswith("_")}
    extra: dict = {}
    arms = [a.arm for a in spec.arms]
    exp_arm = arms[0]
    target_hr = _printed_num(spec.study, spec.hr) if spec.hr else None
    what = f"{spec.study} {spec.endpoint}"

    def run(p, sched=schedule):
        return _build(spec, sched, prio, p, extra)[1]

    def hr_gap(p, sched=schedule):
        return math.log(_hr(run(p, sched), exp_arm)) - math.log(target_hr)

    if spec.fit == "tower_os":
        # the curves meet between 15 and 18 months (Results): the target curves are made equal at
        # 17.5 months, which ties the experimental tail to the control tail; the control tail
        # fixes the number of deaths and a bend of the experimental arm's first segment the hazard ratio
        meet = 17.5
        target_events = int(_printed_num(spec.study, spec.events))
        a_e, a_c = spec.arms

        def with_(bend, h_c):
            ce = arm_curve(spec.study, a_e, {0: bend})
            cc = arm_curve(spec.study, a_c, tail=h_c)
            te, he = ce.times[-1], ce.cumhaz[-1]
            h_e = (float(cc.cumhaz_at(meet)) - he) / (meet - te)
            return {exp_arm: {"bends": {0: bend}, "tail": max(h_e, 0.0)}, arms[1]: {"tail": h_c}}

        def solve_events(bend):
            h_c = _events_solve(lambda h: with_(bend, h), spec, schedule, prio, extra, target_events, 0.0, 0.3)
            return with_(bend, h_c)
        bend = _root(lambda b: hr_gap(solve_events(b)), 0.2, 0.8, what)
        params = solve_events(bend)
    elif spec.fit == "mirror_bend_hr":
        # the first segments of the two arms bend in opposite directions by m (experimental 0.5 - m,
        # control 0.5 + m; m = 0 is a constant hazard); per-arm tails fix per-arm event counts when printed
        one_sided = spec.shape.get("_control_only", False)

        def with_(m):
            p = {exp_arm: {"bends": {0: 0.5 if one_sided else 0.5 - m}}, arms[1]: {"bends": {0: 0.5 + m}}}
            for a in spec.arms:
                if a.events:
                    want = int(_printed_num(spec.study, a.events))
                    cap = max(h for _, _, h in arm_curve(spec.study, a, p[a.arm]["bends"]).hazard_pieces())

                    def make(h, a=a, p=p):
                        q = {k: dict(v) for k, v in p.items()}
                        q[a.arm]["tail"] = h
                        return q
                    p[a.arm]["tail"] = _events_solve(make, spec, schedule, prio, extra, want, 0.0, cap, a.arm)
                    if int(run(p).query("arm == @a.arm")["event"].sum()) < want:
                        # even a tail as steep as the anchored part leaves too few events: move the fall
                        # of the first segment later instead, with the tail continuing its steeper second half
                        def make_w(w, a=a, p=p):
                            q = {k: dict(v) for k, v in p.items()}
                            q[a.arm]["bends"] = {0: w}
                            q[a.arm]["tail"] = None
                            return q
                        w = _events_solve(make_w, spec, schedule, prio, extra, want, 0.15, p[a.arm]["bends"][0], a.arm)
                        p = make_w(w)
            return p
        lo, hi = spec.shape.get("_m_range", (-0.3, 0.3))
        if lo == hi:
            m = lo
        elif spec.hr in spec.gives:  # the hazard ratio gives: the nearest value the allowed shapes reach
            g_lo, g_hi = hr_gap(with_(lo)), hr_gap(with_(hi))
            m = _root(lambda m: hr_gap(with_(m)), lo, hi, what) if g_lo * g_hi < 0 else (lo if abs(g_lo) < abs(g_hi) else hi)
        else:
            m = _root(lambda m: hr_gap(with_(m)), lo, hi, what)
        params = with_(m)
    elif spec.fit == "inovate_os":
        params = _solve_inovate(spec, sizes, prio, extra)
    elif spec.fit == "late_relapse":
        # the 5-year cumulative incidence of relapse (published with the relapse-free rates) implies
        # relapses between 4 and 5 years after the plateau: one anchor derived from it
        a = spec.arms[0]
        rfs4 = _anchor(spec.study, a.table, a.landmarks[-1])[1]
        cir4 = _printed_num(spec.study, "cir_relapse_4y_crcrh") / 100
        cir5 = _printed_num(spec.study, "cir_relapse_5y_crcrh") / 100
        fmax = _printed_num(spec.study, spec.calendar.followup_max)
        extra[a.arm] = [(fmax - 0.5, rfs4 - (cir5 - cir4))]
    return params, extra


def _solve_inovate(spec: Spec, sizes: dict, prio: dict, extra: dict) -> dict:
    """INO-VATE overall survival. Per arm: a constant hazard to the median, a bend of the segment from
    the median to 2 years (opposite directions in the two arms, m: with m > 0 the inotuzumab curve falls
    early in that segment and the standard curve late, so the two stay close until they separate after
    about 14 months, as the Discussion describes), and after 2 years a tail hazard solved so that the
    curve's restricted mean at the printed horizon equals the printed RMST, capped at the arm's steepest
    anchored hazard (no collapse): the standard arm's RMST of 9.9 months would need a steeper fall after
    2 years than anywhere before, so it stays above the printed value (reported in the scorecard). The hazard ratio fixes m. The anchors and administrative censoring at the
    cut-off leave about 270 deaths, not the 252 printed: the smallest number of standard-arm patients who
    withdraw within a month of randomisation (the article reports patients who never started standard
    therapy) that brings the deaths to 252 is added."""
    arms = [a.arm for a in spec.arms]
    tau = _printed_num(spec.study, "os_rmst_truncation")
    target_rmst = {a.arm: _printed_num(spec.study, a.rmst) for a in spec.arms}
    target_events = int(_printed_num(spec.study, spec.events))
    target_hr = _printed_num(spec.study, spec.hr)
    offset = {a: 0.0 for a in arms}

    def arm_params(a, b1):
        def area(h):
            return arm_curve(spec.study, a, {1: b1}, h).area(tau, 801) - target_rmst[a.arm] - offset[a.arm]
        cap = max(h for _, _, h in arm_curve(spec.study, a, {1: b1}).hazard_pieces())
        if area(0.0) * area(cap) < 0:
            return {"bends": {1: b1}, "tail": optimize.brentq(area, 0.0, cap, xtol=1e-7)}
        # not reachable without a tail steeper than the anchored part (a collapse): the bound nearest
        return {"bends": {1: b1}, "tail": 0.0 if abs(area(0.0)) < abs(area(cap)) else cap}

    def params_for(m):
        return {a.arm: arm_params(a, 0.5 + sign * m) for a, sign in zip(spec.arms, (1, -1))}

    def run(p, power):
        return _build(spec, _schedule(spec, sizes, None, power), prio, p, extra)[1]

    def lost_for(p):
        # each early withdrawal from the standard arm removes about one death from the count; a slightly
        # earlier accrual (power below 1 before the October 2014 count) then adds the last one if needed
        def events(k, power=1.0):
            return int(run(dict(p, _lost={arms[1]: k}), power)["event"].sum())
        lo, hi = 0, 80
        while lo < hi:
            mid = (lo + hi) // 2
            if events(mid) <= target_events:
                hi = mid
            else:
                lo = mid + 1
        q = dict(p, _lost={arms[1]: lo})
        if events(lo) < target_events:
            q["_power"] = 1 / _count_bisect(lambda x: events(lo, 1 / x), target_events, 1.0, 1.3, 1e-4)
        return q

    def close_at_14(m):
        # the curves come apart after about 14 months: the target curves are 5 points apart there
        p = params_for(m)
        c = {a.arm: arm_curve(spec.study, a, p[a.arm]["bends"], p[a.arm]["tail"]) for a in spec.arms}
        return float(c[arms[0]].survival(SEPARATION_INOVATE)[()] - c[arms[1]].survival(SEPARATION_INOVATE)[()]) - 0.05

    from trialkit import survival
    for _ in range(2):  # the second pass corrects the curve areas for the Kaplan-Meier steps
        m = _root(close_at_14, -0.3, 0.3, "INO-VATE separation")
        q = lost_for(params_for(m))
        f = run(q, q.get("_power", 1.0))
        for a in arms:
            sub = f[f.arm == a]
            offset[a] += target_rmst[a] - survival.rmst(sub["time"], sub["event"], tau=tau).rmst
    return lost_for(params_for(m))


def _assign_causes(spec: Spec, frame: pd.DataFrame) -> pd.Series:
    """Label each relapse-free-survival event relapse or death so that the Aalen-Johansen cumulative
    incidence of relapse passes the published points: between two published times the share of events
    that are relapses is the share the two points imply (their rise in incidence over the fall in
    relapse-free survival); each event is labelled relapse when that brings the incidence nearer its
    target."""
    base = SPECS[spec.base]
    a = spec.arms[0]
    rfs_pts = [(0.0, 1.0)] + _arm_anchors(base.study, base.arms[0])
    cif_pts = [(0.0, 0.0)] + [_anchor(spec.study, "survival", i) for i in a.cif]
    rfs_t = np.array([t for t, _ in rfs_pts])
    rfs_s = np.array([v for _, v in rfs_pts])
    shares = []
    for (t0, c0), (t1, c1) in zip(cif_pts[:-1], cif_pts[1:]):
        s0 = float(np.interp(t0, rfs_t, rfs_s))
        s1 = float(np.interp(t1, rfs_t, rfs_s)) if t1 <= rfs_t[-1] else s0 - (c1 - c0)
        shares.append(min(max((c1 - c0) / (s0 - s1), 0.0), 1.0) if s0 > s1 else 1.0)
    knots = [t for t, _ in cif_pts]
    f = frame.sort_values("time", kind="stable")
    n_risk, s, cif = len(f), 1.0, 0.0
    k = 0
    s_knot, c_knot = 1.0, 0.0
    cause = pd.Series("", index=frame.index, dtype=object)
    for idx, t, e in zip(f.index, f["time"].to_numpy(), f["event"].to_numpy()):
        while k + 1 < len(knots) and t > knots[k + 1]:  # passing a published time: restart from its value
            k += 1
            s_knot, c_knot = s, cif_pts[k][1]
        if e == 1:
            inc = s / n_risk
            s_after = s - inc
            want = c_knot + shares[min(k, len(shares) - 1)] * (s_knot - s_after)
            if abs(cif + inc - want) < abs(cif - want):
                cause[idx] = "relapse"
                cif += inc
            else:
                cause[idx] = "death"
            s = s_after
        n_risk -= 1
    return cause


@lru_cache(maxsize=64)
def generate(name: str, seed: int = DEFAULT_SEED) -> Synthetic:
    """The synthetic dataset ``name`` (see :func:`datasets`), deterministic for a given seed.

    Columns: ``patient`` (id), ``arm``, ``entry`` (months from the first randomisation), ``time``
    (months from randomisation to event or censoring), ``event`` (1 = event), ``label`` = SYNTHETIC;
    competing-risk datasets add ``cause`` (``relapse``, ``death`` or empty when censored).
    """
    spec = _spec(name)
    seed = _check.integer("seed", seed, low=0)
    if spec.base:
        base = generate(spec.base, seed)
        f = base.frame.copy()
        f.insert(5, "cause", _assign_causes(spec, f).to_numpy())
        return Synthetic(name, spec, f, base.curves, base.accrual_months, base.cutoff_months, base.accrual_power,
                         base.parameters, seed, base.calendar_facts, base.extra_anchors)
    sizes = {a.arm: _n(spec.study, a.population, a.arm) for a in spec.arms}
    prio = _priorities(sizes, seed, protect_first=spec.calendar.kind == "max_followup")
    shift = None
    if _fu_targets(spec):  # first the calendar that matches the published median follow-up (default shapes)
        shift = _fit_followup(spec, sizes, prio, {a: dict(v) for a, v in spec.shape.items() if not a.startswith("_")},
                              {}, 1.0)
    schedule = _schedule(spec, sizes, shift)
    params, extra = _solve(spec, schedule, prio, sizes)
    power = params.pop("_power", 1.0)
    schedule = _schedule(spec, sizes, shift, power)
    curves, frame = _build(spec, schedule, prio, params, extra)
    out = pd.DataFrame({
        "patient": np.arange(1, len(frame) + 1),
        "arm": frame["arm"],
        "entry": frame["entry"].round(4),
        "time": frame["time"].round(4),
        "event": frame["event"].astype(int),
        "label": LABEL,
    })
    return Synthetic(name, spec, out, curves, schedule.accrual, schedule.cutoff, schedule.power, params, seed,
                     schedule.facts, extra)


def frame(name: str, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Just the patients of :func:`generate` (a copy)."""
    return generate(name, seed).frame.copy()


def generate_all(seed: int = DEFAULT_SEED) -> dict:
    """Every dataset (cached), e.g. to time the whole generation."""
    return {n: generate(n, seed) for n in datasets()}


# --- fidelity scorecard ----------------------------------------------------------------------------------


def _fmt(x: float, decimals: int) -> str:
    return f"{x:.{decimals}f}"


def _km_at(t: np.ndarray, e: np.ndarray, at: float) -> tuple[float, float]:
    """Kaplan-Meier value at ``at`` and the size of a step there (S / number at risk)."""
    from trialkit import survival

    km = survival.kaplan_meier(t, e)
    before = km[km.time <= at]
    s = float(before["survival"].iloc[-1])
    n_risk = int((t >= min(at, float(t.max()))).sum())
    return s, (s / n_risk if n_risk else math.inf)


def scorecard(name: str | None = None, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """The fidelity scorecard: one row per published anchor of a dataset (all datasets if ``name`` is None).

    Columns: dataset, arm, anchor (type, a key of :data:`TOLERANCES`), quantity, published (as printed),
    synthetic (at the printed precision), error (synthetic - published, unrounded), tolerance (half-width
    allowed), targeted (False for a published number the reconstruction reports but cannot honour, with
    the reason in ``note``), ok, note.
    """
    if name is None:
        return pd.concat([scorecard(n, seed) for n in datasets()], ignore_index=True)
    from trialkit import survival

    syn = generate(name, seed)
    spec, f = syn.spec, syn.frame
    rows = []

    def add(anchor, arm, quantity, printed, value, synthetic_value, *, step=0.0, targeted=True, note="", se=0.0, row=None):
        dec = _decimals(printed)
        unit = 10.0 ** (-dec)
        rule = _KIND_RULE[anchor]
        tol = {"half": unit / 2, "unit": unit, "exact": 0.0, "half_or_step": max(unit / 2, step / 2),
               "half_se": max(se / 2, unit / 2), "half_month": max(0.5, unit / 2)}[rule]
        if row is not None and row in spec.gives:
            targeted, note = False, spec.gives[row]
        err = synthetic_value - value
        ok = abs(err) <= tol + 1e-9
        rows.append({"dataset": name, "arm": arm, "anchor": anchor, "quantity": quantity, "published": str(printed),
                     "synthetic": _fmt(synthetic_value, dec), "error": err, "tolerance": tol,
                     "targeted": targeted, "ok": bool(ok) if targeted else bool(ok), "note": note})

    for a in spec.arms:
        sub = f[f.arm == a.arm]
        t, e = sub["time"].to_numpy(), sub["event"].to_numpy()
        if a.median:
            r = data.row(spec.study, a.table, a.median)
            add("median", a.arm, "median (months)", r["value"], float(r["value_num"]),
                survival.median_survival(t, e).median)
        for lid in a.landmarks:
            r = data.row(spec.study, a.table, lid)
            tm = _months(float(r["time"]), r["time_unit"])
            s, step = _km_at(t, e, tm)
            add("landmark", a.arm, f"survival at {r['time']:g} {r['time_unit']} (%)", r["value"],
                float(r["value_num"]), 100 * s, step=100 * step)
        if a.responders:
            k, n = _responders(spec.study, a)
            early = int(((sub["time"] <= EFS_FAILURE_TIME + 1e-4) & (sub["event"] == 1)).sum())
            add("events", a.arm, "events on day 1 (patients without CR/CRh/CRi)", str(n - k), n - k, early)
        if a.events:
            r = _printed(spec.study, a.events)
            add("events", a.arm, "events", r["value"], float(r["value_num"]), float(e.sum()))
        if a.rmst:
            r = data.row(spec.study, a.table, a.rmst)
            tau = _months(float(r["time"]), r["time_unit"])
            res = survival.rmst(t, e, tau=tau)
            se = float(data.row(spec.study, a.table, a.rmst_se)["value_num"]) if a.rmst_se else 0.0
            add("rmst", a.arm, f"RMST to {r['time']:g} months (months)", r["value"], float(r["value_num"]), res.rmst,
                se=se, row=a.rmst)
        if a.followup:
            r = _printed(spec.study, a.followup)
            add("follow_up", a.arm, "median follow-up (months, reverse KM)", r["value"], float(r["value_num"]),
                _reverse_km_median(t, e))
        if a.cif:
            ev = np.where(f.loc[sub.index, "cause"] == "relapse", 1, np.where(f.loc[sub.index, "cause"] == "death", 2, 0))
            cif = survival.cumulative_incidence(t, ev, cause=1)
            for cid in a.cif:
                r = data.row(spec.study, "survival", cid)
                tm = _months(float(r["time"]), r["time_unit"])
                val = float(cif[cif.time <= tm]["cif"].iloc[-1])
                at = cif[cif.time <= tm]
                s_before, step = _km_at(t, e, tm)
                add("cumulative_incidence", a.arm, f"cumulative incidence of relapse at {r['time']:g} {r['time_unit']} (%)",
                    r["value"], float(r["value_num"]), 100 * val, step=100 * max(step, s_before / max(int((t >= tm - 12).sum()), 1)))
    if spec.hr and len(spec.arms) == 2:
        r = data.row(spec.study, "survival", spec.hr)
        res = survival.cox(f.assign(x=(f["arm"] == spec.arms[0].arm).astype(int)), "time", "event", ["x"])
        add("hazard_ratio", "comparison", "hazard ratio (Cox)", r["value"], float(r["value_num"]), res.hr("x")[0],
            row=spec.hr)
    if spec.events:
        r = _printed(spec.study, spec.events)
        add("events", "overall", "events at the cut-off", r["value"], float(r["value_num"]), float(f["event"].sum()))
    for fid in spec.followup_check:
        r = _printed(spec.study, fid)
        arm = r["arm"]
        sub = f if arm == "overall" else f[f.arm == arm]
        if r["statistic"] == "min":
            val = float((sub["entry"].max() * 0 + syn.cutoff_months - sub["entry"].max()))
            add("follow_up", arm, "shortest potential follow-up (months)", r["value"], float(r["value_num"]), val,
                targeted=False, note="the entry period is set by the median and longest follow-up; the shortest then follows")
        else:
            add("follow_up", arm, "median follow-up (months, reverse KM)", r["value"], float(r["value_num"]),
                _reverse_km_median(sub["time"].to_numpy(), sub["event"].to_numpy()), targeted=False,
                note="the article's event-free follow-up is shorter than its overall-survival follow-up for the same "
                     "patients and cut-off, so event-free censoring came before the cut-off (e.g. at the last disease "
                     "assessment); synthetic censoring is at the cut-off only")
    out = pd.DataFrame(rows)
    return out


def grades(card: pd.DataFrame | None = None) -> pd.DataFrame:
    """One grade per dataset and arm: A = every targeted anchor within printed precision, B = every one
    within tolerance with at least one needing the Kaplan-Meier step allowance or an untargeted number
    outside its printed precision (explained in the scorecard), F = a targeted anchor missed."""
    card = scorecard() if card is None else card
    rows = []
    for (ds, arm), g in card.groupby(["dataset", "arm"], sort=False):
        tg = g[g.targeted]
        if not tg["ok"].all():
            grade = "F"
        else:
            dec_ok = all(abs(r.error) <= (0.5 * 10 ** (-_decimals(r.published)) if r.anchor not in ("events", "calendar") else 0) + 1e-9
                         for r in tg.itertuples())
            grade = "A" if dec_ok and g["ok"].all() else "B"
        rows.append({"dataset": ds, "arm": arm, "anchors": len(g), "passed": int(g["ok"].sum()), "grade": grade})
    return pd.DataFrame(rows)


def fidelity(name: str, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """The scorecard of one dataset (kept under its older name)."""
    _spec(name)
    return scorecard(name, seed)


def fidelity_all(seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """The scorecards of every synthetic dataset."""
    return scorecard(None, seed)


def published_anchors(name: str) -> pd.DataFrame:
    """The published points a dataset was built through: arm, time (months), survival, what."""
    spec = _spec(name)
    rows = []
    for a in spec.arms:
        if a.median:
            t, s = _anchor(spec.study, a.table, a.median)
            rows.append({"arm": a.arm, "time": t, "survival": s, "what": "published median"})
        for lid in a.landmarks:
            t, s = _anchor(spec.study, a.table, lid)
            rows.append({"arm": a.arm, "time": t, "survival": s, "what": "published landmark rate"})
        resp = _responders(spec.study, a)
        if resp:
            rows.append({"arm": a.arm, "time": EFS_FAILURE_TIME, "survival": resp[0] / resp[1],
                         "what": "published remission rate (non-responders fail on day 1)"})
        for cid in a.cif:
            t, s = _anchor(spec.study, "survival", cid)
            rows.append({"arm": a.arm, "time": t, "survival": 1 - s, "what": "published cumulative incidence of relapse (1 - CIR)"})
    return pd.DataFrame(rows, columns=["arm", "time", "survival", "what"])


def km_curves(names: list[str] | None = None, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Kaplan-Meier curves of synthetic datasets, stacked: dataset, arm, time, survival (for a
    competing-risk dataset, 1 - the cumulative incidence of relapse)."""
    from trialkit import survival

    names = datasets() if names is None else names
    frames = []
    for name in names:
        f = frame(name, seed)
        if "cause" in f:
            ev = np.where(f["cause"] == "relapse", 1, np.where(f["cause"] == "death", 2, 0))
            cif = survival.cumulative_incidence(f["time"], ev, cause=1)
            frames.append(pd.DataFrame({"arm": f["arm"].iloc[0], "time": cif["time"], "survival": 1 - cif["cif"],
                                        "dataset": name}))
            continue
        km = survival.kaplan_meier(f["time"], f["event"], f["arm"])
        frames.append(km.rename(columns={"group": "arm"})[["arm", "time", "survival"]].assign(dataset=name))
    return pd.concat(frames, ignore_index=True)


def shape_checks(name: str, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Each shape constraint of :data:`SHAPES` and the no-collapse rule, checked on the Kaplan-Meier
    curves of the synthetic data: dataset, constraint, text, value, ok."""
    from trialkit import survival

    spec = _spec(name)
    syn = generate(name, seed)
    f = syn.frame
    rows = []
    arms = [a.arm for a in spec.arms]
    grid_end = float(f["time"].max())

    def km_on(arm, grid):
        sub = f[f.arm == arm]
        km = survival.kaplan_meier(sub["time"], sub["event"]).sort_values("time")
        idx = np.searchsorted(km["time"].to_numpy(), grid, side="right") - 1
        return km["survival"].to_numpy()[np.clip(idx, 0, None)]

    for c in SHAPES[name]:
        lo = c["from"]
        hi = min(c["to"] if c.get("to") is not None else grid_end, grid_end)
        grid = np.linspace(lo, hi, 400)
        if c["kind"] in ("separated", "converge", "no_crossing"):
            last_common = min(f[f.arm == a]["time"].max() for a in arms)
            grid = grid[grid <= last_common]
            gap = km_on(arms[0], grid) - km_on(arms[1], grid)
            if c["kind"] == "separated":
                value, ok = float(gap.min()), bool(gap.min() >= c["min_gap"])
            elif c["kind"] == "converge":
                value, ok = float(np.abs(gap).min()), bool(np.abs(gap).min() <= c["max_gap"])
            else:
                value, ok = float(gap.min()), bool(gap.min() >= -c["slack"] - 1e-12)
        else:  # plateau: no event in the window
            sub = f[(f.time > lo) & (f.time < hi) & (f.event == 1)]
            value, ok = float(len(sub)), len(sub) == 0
        rows.append({"dataset": name, "constraint": c["kind"], "text": c["text"], "value": value, "ok": ok})
    for a in spec.arms:
        curve = syn.curves[a.arm]
        anchored = max(h for _, _, h in curve.hazard_pieces()) if curve.hazard_pieces() else 0.0
        rows.append({"dataset": name, "constraint": "no_collapse", "text": f"{a.arm}: tail hazard not above the steepest anchored hazard",
                     "value": curve.tail / anchored if anchored else 0.0, "ok": curve.tail <= anchored + 1e-12})
    return pd.DataFrame(rows)


def bench(seed: int = DEFAULT_SEED) -> dict:
    """Seconds to generate every dataset from scratch (cache cleared), per dataset and in total."""
    for cached in (generate, _anchor, _printed_num, _n, _responders):
        cached.cache_clear()
    times = {}
    start = _time.perf_counter()
    for n in datasets():
        t0 = _time.perf_counter()
        generate(n, seed)
        times[n] = _time.perf_counter() - t0
    times["total"] = _time.perf_counter() - start
    return times


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m trialkit.synth", description="SYNTHETIC datasets")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("bench", help="time the generation of every dataset (budget: 10 s in total)")
    sub.add_parser("scorecard", help="print the fidelity scorecard and grades")
    args = ap.parse_args(argv)
    if args.cmd == "bench":
        times = bench()
        print("| dataset | seconds |\n| --- | --- |")
        for k, v in times.items():
            print(f"| {k} | {v:.2f} |")
        print(f"\nbudget 10 s: {'met' if times['total'] < 10 else 'EXCEEDED'}")
        return 0
    card = scorecard()
    with pd.option_context("display.width", 200, "display.max_rows", 500, "display.max_colwidth", 60):
        print(card.drop(columns=["note"]).to_string())
        print(grades(card).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def anchor_readings(name: str, prefix: str) -> dict:
    """The synthetic values of dataset ``name`` at its published medians and hazard ratio, as a chapter
    quotes them: ``<prefix>_median_<arm>`` (months) for each arm and ``<prefix>_hr`` (Cox, experimental
    versus control), from :func:`scorecard`."""
    card = scorecard(name)
    out = {f"{prefix}_median_{r.arm}": float(r.synthetic) for r in card[card["anchor"] == "median"].itertuples()}
    hr = card[card["anchor"] == "hazard_ratio"]
    if len(hr) != 1:
        raise ValueError(f"name {name!r}: expected one hazard-ratio anchor in its scorecard, found {len(hr)}")
    out[f"{prefix}_hr"] = float(hr["synthetic"].iloc[0])
    return out


def at_risk(name: str, times, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Numbers at risk of SYNTHETIC dataset ``name`` at each of ``times`` (months), by arm: arm, time,
    n (patients whose follow-up is at least that time). They describe the SYNTHETIC patients, not the
    trial's; a chart that shows them says so."""
    times = np.asarray(list(times), dtype=float)
    if times.size == 0 or not np.all(np.isfinite(times)) or np.any(times < 0):
        raise ValueError(f"times must be a non-empty list of months >= 0, got {list(times)!r}")
    f = frame(name, seed)
    rows = [(arm, float(t), int((g["time"] >= t).sum())) for arm, g in f.groupby("arm", sort=False) for t in times]
    return pd.DataFrame(rows, columns=["arm", "time", "n"])

"""Trial descriptions: the few numbers of a randomised trial that a bias laboratory needs, typed.

:func:`describe` builds a :class:`Trial` from a study's extracted tables (``design.csv``,
``planning.csv``, ``populations.csv``, ``flow.csv``, and the headline result in ``survival.csv``)
through :mod:`trialkit.data`. Each study's tables name things in the publication's own words, so
:data:`SOURCES` says, once per study, which row holds which parameter; nothing else in the package
reads a trial's rows to feed a laboratory. A :class:`Trial` can equally be written by hand with plain
numbers (a hypothetical trial, or a published one with assumptions added)::

    tower = trials.describe("tower")
    what_if = dataclasses.replace(tower, looks=(0.5, 1.0))

Conventions: arms are ``(experimental, control)`` as data keys; times in months; ``alpha_two_sided``
is the two-sided significance level of the primary comparison (a one-sided 0.025 is 0.05).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trialkit import _check, data

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
_MONTH_YEAR = re.compile(r"(?:\b\d{1,2}\s+)?\b(" + "|".join(MONTHS) + r")\s+((?:19|20)\d\d)\b")


def month_years(text: str) -> list[tuple[int, int]]:
    """Every 'Month YYYY' (optionally preceded by a day) in ``text``, as (year, month) pairs in order."""
    return [(int(y), MONTHS.index(m) + 1) for m, y in _MONTH_YEAR.findall(text)]


@dataclass(frozen=True)
class Trial:
    """A two-arm randomised trial, as a bias laboratory sees it. Only ``study``, ``name``, ``arms``,
    ``arm_labels`` and ``n_per_arm`` are required; a laboratory that needs a missing field says so.

    * ``n_per_arm``: patients randomised to each arm (the comparison population ``population``);
      ``allocation``: the randomisation ratio.
    * The plan: ``planned_events`` for the final analysis, ``assumed_hr``, ``alpha_two_sided``, the
      ``assumed_control_median`` (months), ``looks`` (information fractions of the planned analyses,
      the last 1.0) and ``accrual_months``.
    * What happened: ``control_median`` (months, observed), ``treated`` (patients per arm who received
      any trial treatment), ``withdrawn_before_treatment`` (share of each arm, ``None`` when not
      reported), ``events_at_stop`` (events at the analysis that ended the trial early, ``None`` if it
      did not stop early), the primary endpoint's hazard ratio ``primary_hr`` (estimate, lower, upper
      95 % limit), its printed ``primary_p`` and the printed gain in median ``primary_median_gain``
      (or the difference of the two printed medians when the gain itself is not printed).
    * ``primary_hr_level``: the confidence level of the printed interval of ``primary_hr`` (0.95 unless
      the publication prints another, e.g. 0.975 for a one-sided 0.0125 test); a consumer that needs a
      95 % interval re-expresses it.
    * ``landmark_survival``: percent alive in each arm at ``landmark_years`` (a printed landmark rate of
      the primary endpoint), ``None`` when not printed.
    """

    study: str
    name: str
    arms: tuple[str, str]
    arm_labels: tuple[str, str]
    n_per_arm: tuple[int, int]
    allocation: tuple[int, int] = (1, 1)
    population: str = "itt"
    planned_events: int | None = None
    assumed_hr: float | None = None
    alpha_two_sided: float | None = None
    assumed_control_median: float | None = None
    looks: tuple[float, ...] | None = None
    accrual_months: float | None = None
    control_median: float | None = None
    treated: tuple[int, int] | None = None
    withdrawn_before_treatment: tuple[float | None, float | None] = (None, None)
    events_at_stop: int | None = None
    primary_hr: tuple[float, float, float] | None = None
    primary_p: str | None = None
    primary_median_gain: float | None = None
    primary_hr_level: float = 0.95
    landmark_survival: tuple[float, float] | None = None
    landmark_years: float | None = None

    @property
    def never_treated(self) -> tuple[float, float] | None:
        """The share of each arm who received no trial treatment, 1 - ``treated`` / ``n_per_arm`` (``None``
        when the treated counts are not reported). It includes, and can exceed,
        ``withdrawn_before_treatment``: an as-treated analysis excludes every untreated patient."""
        if self.treated is None:
            return None
        return tuple(1.0 - t / n for t, n in zip(self.treated, self.n_per_arm))

    def __post_init__(self):
        for name in ("arms", "arm_labels"):
            v = getattr(self, name)
            if not (isinstance(v, tuple) and len(v) == 2 and all(isinstance(x, str) and x for x in v)):
                raise ValueError(f"{name} must be a pair of non-empty strings (experimental, control), got {v!r}")
        for name in ("n_per_arm", "allocation"):
            v = getattr(self, name)
            if not (isinstance(v, tuple) and len(v) == 2):
                raise ValueError(f"{name} must be a pair (experimental, control), got {v!r}")
            for i, x in enumerate(v):
                _check.integer(f"{name}[{i}]", x, low=1)
        _check.real("primary_hr_level", self.primary_hr_level, low=0.5, high=1.0, high_open=True)
        if (self.landmark_survival is None) != (self.landmark_years is None):
            raise ValueError("landmark_survival and landmark_years must be given together")
        if self.landmark_survival is not None:
            if not (isinstance(self.landmark_survival, tuple) and len(self.landmark_survival) == 2):
                raise ValueError(f"landmark_survival must be a pair (experimental, control) of percents, got {self.landmark_survival!r}")
            for i, x in enumerate(self.landmark_survival):
                _check.real(f"landmark_survival[{i}]", x, low=0.0, high=100.0)
            _check.real("landmark_years", self.landmark_years, low=0.0, low_open=True)
        if self.looks is not None:
            looks = tuple(_check.real(f"looks[{i}]", f, low=0.0, high=1.0, low_open=True) for i, f in enumerate(self.looks))
            if not looks or looks[-1] != 1.0 or any(b <= a for a, b in zip(looks, looks[1:])):
                raise ValueError(f"looks must increase and end at 1.0 (the final analysis), got {self.looks!r}")

    @property
    def experimental(self) -> str:
        return self.arms[0]

    @property
    def control(self) -> str:
        return self.arms[1]

    @property
    def labels(self) -> dict[str, str]:
        """Arm key -> label, experimental first."""
        return dict(zip(self.arms, self.arm_labels))

    def need(self, *fields: str, by: str) -> None:
        """Raise a clear error if a field that ``by`` needs is missing."""
        missing = [f for f in fields if getattr(self, f) is None]
        if missing:
            raise ValueError(f"{by} needs {', '.join(missing)} of the trial description of {self.name!r}, "
                             f"which {'is' if len(missing) == 1 else 'are'} not known; give "
                             f"{'it' if len(missing) == 1 else 'them'} with dataclasses.replace(trial, ...)")


@dataclass(frozen=True)
class Source:
    """Where :func:`describe` finds a study's parameters: ``"table/id"`` references to data rows.
    A tuple of references is summed (events of two arms); ``{arm}`` is replaced by each arm key. The
    trial's name and its arms (experimental, control) come from ``datapackage.json``; ``arm_labels``
    are the short labels of the figures."""

    arm_labels: tuple[str, str]
    population: str = "itt"
    allocation: str | None = None
    planned_events: str | None = None
    assumed_hr: str | None = None
    #: the assumed hazard ratio printed as a percent reduction in the risk of death
    assumed_risk_reduction: str | None = None
    alpha: str | None = None
    alpha_sides: int = 2
    assumed_control_median: str | None = None
    interim_fractions: tuple[str, ...] = ()
    enrolment_period: str | None = None
    control_median: str | None = None
    treated: str | None = None
    withdrawn_before_treatment: tuple[str | None, str | None] = (None, None)
    events_at_stop: str | tuple[str, ...] | None = None
    primary_hr: str | None = None
    primary_p: str | None = None
    primary_median_gain: str | None = None
    #: the experimental arm's median, when the gain is not printed (gain = this - control_median)
    experimental_median: str | None = None
    #: a printed landmark rate (percent alive) of the primary endpoint, with ``{arm}``; its time from the row
    landmark_survival: str | None = None


#: One entry per randomised study in ``data/``: which rows describe it (see :class:`Source`).
SOURCES: dict[str, Source] = {
    "tower": Source(
        arm_labels=("Blinatumomab", "Chemotherapy"),
        allocation="design/allocation_ratio", planned_events="planning/plan_deaths", assumed_hr="planning/plan_hr",
        alpha="planning/plan_alpha", assumed_control_median="planning/plan_median_os_chemo",
        interim_fractions=("planning/plan_interim1_fraction", "planning/plan_interim2_fraction"),
        enrolment_period="design/enrolment_period", control_median="survival/os_median_chemotherapy",
        treated="flow/treated_{arm}", withdrawn_before_treatment=(None, "flow/withdrew_consent_pretreatment_chemotherapy"),
        events_at_stop="survival/os_deaths_overall", primary_hr="survival/os_hr", primary_p="survival/os_p",
        primary_median_gain="survival/os_median_difference"),
    "e1910": Source(
        arm_labels=("Blinatumomab + chemotherapy", "Chemotherapy"), population="mrd_neg_randomized",
        allocation="design/allocation_ratio_1", planned_events="planning/planned_deaths",
        assumed_risk_reduction="planning/assumed_risk_reduction", alpha="planning/alpha", alpha_sides=1,
        enrolment_period="design/enrolment_period_1",
        events_at_stop=("survival/deaths_blinatumomab", "survival/deaths_chemotherapy"),
        primary_hr="survival/os_hr", primary_p="survival/os_p"),
    "inovate": Source(
        arm_labels=("Inotuzumab ozogamicin", "Standard therapy"),
        allocation="design/allocation", planned_events="planning/events_os", assumed_hr="planning/os_hr_assumed",
        alpha="planning/alpha_os_one_sided", alpha_sides=1, assumed_control_median="planning/os_median_assumed_standard",
        control_median="survival/os_median_standard", primary_hr="survival/os_hr", primary_p="survival/os_p",
        experimental_median="survival/os_median_inotuzumab", landmark_survival="survival/os_2y_{arm}"),
}


def _row(study: str, ref: str):
    table, _, row_id = ref.partition("/")
    if not row_id:
        raise ValueError(f"SOURCES[{study!r}]: a reference must be 'table/id', got {ref!r}")
    return data.row(study, table, row_id)


def _num(study: str, ref) -> float | None:
    if ref is None:
        return None
    if isinstance(ref, tuple):
        return sum(_num(study, r) for r in ref)
    value = _row(study, ref)["value_num"]
    if value != value:  # NaN
        raise ValueError(f"data/{study}/{ref}: the row has no number, but the trial description needs one")
    return float(value)


def _ratio(study: str, ref: str) -> tuple[int, int]:
    text = _row(study, ref)["value"]
    m = re.match(r"\s*(\d+)\s*:\s*(\d+)", text)
    if not m:
        raise ValueError(f"data/{study}/{ref}: an allocation ratio must start 'a:b', got {text!r}")
    return int(m.group(1)), int(m.group(2))


def enrolment_months(text: str) -> float:
    """Calendar months of an enrolment period printed as 'Month YYYY to Month YYYY' (both months
    counted: 'January 2014 to September 2015' is 21 months)."""
    dates = month_years(text)
    if len(dates) < 2:
        raise ValueError(f"an enrolment period must read 'Month YYYY to Month YYYY', got {text!r}")
    (y0, m0), (y1, m1) = min(dates), max(dates)
    months = (y1 - y0) * 12 + m1 - m0 + 1
    return float(months)


def studies() -> list[str]:
    """Studies that :func:`describe` knows."""
    return sorted(SOURCES)


def describe(study: str) -> Trial:
    """The :class:`Trial` of ``study`` from its data tables (rows named in :data:`SOURCES`)."""
    if study not in SOURCES:
        raise ValueError(f"study must be one of {studies()} (a study with two randomised arms described in "
                         f"trialkit.trials.SOURCES), got {study!r}")
    s = SOURCES[study]
    info = data.study_info(study)
    arms = (info["experimental"], info["control"])
    pops = data.load(study, "populations")
    n = []
    for arm in arms:
        hit = pops[(pops["population"] == s.population) & (pops["arm"] == arm)]
        if len(hit) != 1:
            raise ValueError(f"data/{study}/populations.csv: expected one row for population {s.population!r}, "
                             f"arm {arm!r}, found {len(hit)}")
        n.append(int(hit["n"].iloc[0]))
    if s.assumed_hr and s.assumed_risk_reduction:
        raise ValueError(f"SOURCES[{study!r}]: give assumed_hr or assumed_risk_reduction, not both")
    assumed_hr = _num(study, s.assumed_hr)
    if s.assumed_risk_reduction:
        assumed_hr = round(1 - _num(study, s.assumed_risk_reduction) / 100, 10)
    alpha = _num(study, s.alpha)
    looks = None
    if s.interim_fractions:
        looks = tuple(_num(study, r) / 100 for r in s.interim_fractions) + (1.0,)
    hr = _row(study, s.primary_hr) if s.primary_hr else None
    gain = _num(study, s.primary_median_gain)
    if gain is None and s.experimental_median:
        if s.control_median is None:
            raise ValueError(f"SOURCES[{study!r}]: experimental_median needs control_median to give the gain")
        gain = round(_num(study, s.experimental_median) - _num(study, s.control_median), 10)
    return Trial(
        study=study, name=info["label"], arms=arms, arm_labels=s.arm_labels, n_per_arm=tuple(n),
        allocation=_ratio(study, s.allocation) if s.allocation else (1, 1), population=s.population,
        planned_events=None if s.planned_events is None else int(_num(study, s.planned_events)),
        assumed_hr=assumed_hr, alpha_two_sided=None if alpha is None else alpha * (2 / s.alpha_sides),
        assumed_control_median=_num(study, s.assumed_control_median), looks=looks,
        accrual_months=enrolment_months(_row(study, s.enrolment_period)["value"]) if s.enrolment_period else None,
        control_median=_num(study, s.control_median),
        treated=tuple(int(_num(study, s.treated.format(arm=a))) for a in arms) if s.treated else None,
        withdrawn_before_treatment=tuple(None if r is None else _num(study, r) / 100 for r in s.withdrawn_before_treatment),
        events_at_stop=None if s.events_at_stop is None else int(_num(study, s.events_at_stop)),
        primary_hr=None if hr is None else (float(hr["value_num"]), float(hr["ci_low_num"]), float(hr["ci_high_num"])),
        primary_p=_row(study, s.primary_p)["value"] if s.primary_p else None,
        primary_median_gain=gain,
        primary_hr_level=0.95 if hr is None else _ci_level(study, s.primary_hr, hr),
        **_landmark(study, s, arms),
    )


def _ci_level(study: str, ref: str, row) -> float:
    level = row["ci_level"]
    if level != level:  # NaN
        raise ValueError(f"data/{study}/{ref}: column ci_level is empty, but the interval of the hazard ratio needs its level")
    return _check.real(f"data/{study}/{ref} ci_level", level, low=0.5, high=1.0, high_open=True)


def _landmark(study: str, s: Source, arms) -> dict:
    if s.landmark_survival is None:
        return {}
    rows = [_row(study, s.landmark_survival.format(arm=a)) for a in arms]
    times = set()
    for a, r in zip(arms, rows):
        unit = r["time_unit"]
        if unit not in ("years", "months") or r["time"] != r["time"]:
            raise ValueError(f"data/{study}/{s.landmark_survival.format(arm=a)}: a landmark needs a time in years or "
                             f"months (columns time, time_unit), got {r['time']!r} {unit!r}")
        times.add(float(r["time"]) / (12.0 if unit == "months" else 1.0))
    if len(times) != 1:
        raise ValueError(f"SOURCES[{study!r}]: the landmark rates of the two arms are at different times {sorted(times)}")
    return {"landmark_survival": tuple(_num(study, s.landmark_survival.format(arm=a)) for a in arms),
            "landmark_years": times.pop()}

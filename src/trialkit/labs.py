"""The TOWER chapter's computations: its group-sequential plan and the grids behind its bias
laboratories.

Every laboratory is precomputed here over a small grid of the reader's choices, so that the book's
figures can filter the grid in the browser (no kernel). Trial sizes, the allocation, the planned
deaths and the assumed control median come from ``data/tower`` (the published numbers); everything
else a simulation needs is an explicit, documented assumption of the course.

* :func:`interim_plan`, :func:`stop_check` -- the O'Brien-Fleming-type boundaries of the plan,
  recomputed, and the second interim analysis at which the trial stopped.
* :func:`stopping_lab` -- estimated hazard ratios of simulated trials that stopped early for benefit
  versus all trials (:func:`trialkit.sim.stopping_bias`).
* :func:`withdrawal_lab`, :func:`remission_among_treated` -- intention-to-treat versus as-treated when
  control patients withdraw before treatment (:func:`trialkit.sim.exclude_withdrawals`).
* :func:`transplant_lab` -- intention-to-treat versus censoring at transplant
  (:func:`trialkit.sim.censor_at_transplant`), with the "no transplant" world as the reference.
* :func:`rmst_lab` -- median, hazard ratio and restricted mean survival time on the SYNTHETIC
  TOWER overall-survival data, for a grid of horizons.
* :func:`exposure_lab`, :func:`poisson_exposure_months` -- crude proportions of patients with an event
  versus exposure-adjusted event rates.

Simulation conventions are :mod:`trialkit.sim`'s: times in months, exponential hazards, group 1 the
experimental arm, hazard ratios experimental / control estimated by Cox regression.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from trialkit import _check, data, design, sim, stats, survival, synth

SEED = 20170302  # the publication date of TOWER; every laboratory is reproducible
LN2 = math.log(2.0)
#: Enrolment ran from January 2014 to September 2015 (about 21 months): the simulations' accrual.
ACCRUAL_MONTHS = 21.0


# --- published inputs -----------------------------------------------------------------------------


def _planning(row_id: str) -> float:
    return float(data.row("tower", "planning", row_id)["value_num"])


def tower_inputs() -> dict:
    """The published numbers the laboratories use: patients per arm (ITT), planned deaths, assumed
    hazard ratio and control median, two-sided alpha, interim fractions, and the deaths at the stop."""
    pops = data.load("tower", "populations")
    itt = {r["arm"]: int(r["n"]) for _, r in pops[pops["population"] == "itt"].iterrows()}
    return {
        "n_per_arm": (itt["blinatumomab"], itt["chemotherapy"]),
        "allocation": (2, 1),
        "planned_deaths": int(_planning("plan_deaths")),
        "assumed_hr": _planning("plan_hr"),
        "control_median_months": _planning("plan_median_os_chemo"),
        "alpha_two_sided": _planning("plan_alpha"),
        "fractions": (_planning("plan_interim1_fraction") / 100, _planning("plan_interim2_fraction") / 100, 1.0),
        "deaths_at_stop": int(data.row("tower", "survival", "os_deaths_overall")["value_num"]),
    }


# --- the group-sequential plan --------------------------------------------------------------------


def interim_plan() -> pd.DataFrame:
    """TOWER's efficacy boundaries recomputed from the plan: looks at 50 %, 75 % and 100 % of about 330
    deaths, Lan-DeMets O'Brien-Fleming-type spending of a one-sided 0.025 (two-sided 0.05).

    Columns: look, fraction, deaths (planned, rounded), alpha_spent (cumulative, one-sided), z (the
    boundary), nominal_p_two_sided (the two-sided P value that crosses it), hr_boundary (the observed
    hazard ratio on the boundary, Schoenfeld's approximation, :func:`trialkit.design.boundary_hazard_ratio`).
    """
    inp = tower_inputs()
    b = design.spending_boundaries(inp["fractions"], alpha=inp["alpha_two_sided"] / 2, sided=1)
    deaths = np.floor(b["fraction"] * inp["planned_deaths"] + 0.5).astype(int)
    return pd.DataFrame({
        "look": b["look"],
        "fraction": b["fraction"],
        "deaths": deaths,
        "alpha_spent": b["alpha_spent"],
        "z": b["z"],
        "nominal_p_two_sided": 2 * b["nominal_p"],
        "hr_boundary": [design.boundary_hazard_ratio(z, d, inp["allocation"]) for z, d in zip(b["z"], deaths)],
    })


def stop_check() -> dict:
    """The second interim analysis as it happened: 251 deaths, so an information fraction of 251/330.

    The Lan-DeMets boundary is recomputed at that fraction (the first look taken at the planned 50 %:
    its actual timing is not published) and compared with the z statistic implied by the published
    hazard ratio and its 95 % interval (a Wald approximation to the stratified log-rank test) and with
    the published P value. Returns a dict: deaths, fraction, z_boundary, nominal_p_two_sided,
    hr_boundary, z_observed, p_from_ci, p_published, crossed.
    """
    inp = tower_inputs()
    d = inp["deaths_at_stop"]
    fraction = d / inp["planned_deaths"]
    b = design.spending_boundaries([inp["fractions"][0], fraction, 1.0], alpha=inp["alpha_two_sided"] / 2, sided=1)
    z_b = float(b["z"].iloc[1])
    hr = data.row("tower", "survival", "os_hr")
    se = stats.se_from_ci(hr["value_num"], hr["ci_low_num"], hr["ci_high_num"])
    z_obs = float(-np.log(hr["value_num"]) / se)
    return {
        "deaths": d,
        "fraction": fraction,
        "z_boundary": z_b,
        "nominal_p_two_sided": float(2 * b["nominal_p"].iloc[1]),
        "hr_boundary": design.boundary_hazard_ratio(z_b, d, inp["allocation"]),
        "z_observed": z_obs,
        "p_from_ci": stats.p_from_z(z_obs),
        "p_published": data.row("tower", "survival", "os_p")["value"],
        "crossed": z_obs >= z_b,
    }


# --- helpers ---------------------------------------------------------------------------------------


def _grid(name: str, values, *, low: float = 0.0, high: float | None = None) -> tuple[float, ...]:
    """A non-empty sequence of distinct positive numbers (a laboratory's grid)."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise ValueError(f"{name} must be a non-empty sequence of numbers in ({low}, {high or 'inf'}], got {values!r}")
    out = tuple(_check.real(f"{name}[{i}]", v, low=low, high=high, low_open=True) for i, v in enumerate(values))
    if not out:
        raise ValueError(f"{name} must be a non-empty sequence of numbers in ({low}, {high or 'inf'}], got {values!r}")
    if len(set(out)) != len(out):
        raise ValueError(f"{name} must not repeat a value, got {list(out)}")
    return out


def _spread(values: pd.Series) -> dict:
    v = values.to_numpy(dtype=float)
    return {"median": float(np.median(v)), "low": float(np.quantile(v, 0.025)), "high": float(np.quantile(v, 0.975)),
            "geometric_mean": float(np.exp(np.mean(np.log(v))))}


# --- stopping early for benefit --------------------------------------------------------------------

STOPPED = "Stopped early at an interim analysis"
ALL = "All trials, as reported at the look where each ended"


def stopping_lab(true_hrs=(0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0), n_trials: int = 2000,
                 seed: int = SEED, bins: int = 30) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Trials like TOWER (271 vs 134 patients, about 330 deaths, exponential survival with the assumed
    4.2-month control median, uniform accrual over 21 months) monitored with the recomputed boundaries
    of :func:`interim_plan`, for each true hazard ratio in ``true_hrs``.

    Returns ``(summary, histogram)``. ``summary``, one row per true HR: share_stopped_early (crossed at
    the first or second interim), power (crossed at any look), n_stopped_early, gm_hr_stopped (geometric
    mean of the Cox HR among trials that stopped early), gm_hr_all (all trials, each at the look where it
    ended), gm_hr_final (all trials had they run to the final analysis), exaggeration (gm_hr_stopped /
    true_hr: below 1 means the benefit is overstated). ``histogram``: true_hr, group (:data:`STOPPED`
    or :data:`ALL`), bin_start, bin_end, share (percent of that group's trials), on ``bins`` bins of
    equal width on the log scale from 0.35 to 1.45 (estimates outside are counted in the end bins).
    """
    hrs = _grid("true_hrs", true_hrs, high=2.0)
    n_trials = _check.integer("n_trials", n_trials, low=100, high=100_000)
    seed = _check.integer("seed", seed, low=0)
    bins = _check.integer("bins", bins, low=5, high=200)
    inp = tower_inputs()
    bounds = design.spending_boundaries(inp["fractions"], alpha=inp["alpha_two_sided"] / 2, sided=1)["z"].to_numpy()
    edges = np.exp(np.linspace(np.log(0.35), np.log(1.45), bins + 1))
    control_hazard = LN2 / inp["control_median_months"]
    rows, hist = [], []
    for i, hr in enumerate(hrs):
        res = sim.stopping_bias(hr, inp["fractions"], bounds, seed=seed + i, n_trials=n_trials,
                                n_per_arm=inp["n_per_arm"], control_hazard=control_hazard,
                                total_events=inp["planned_deaths"], accrual_months=ACCRUAL_MONTHS)
        early = res[res["stopped_early"]]
        rows.append({
            "true_hr": hr,
            "share_stopped_early": float(res["stopped_early"].mean()),
            "power": float(res["crossed"].mean()),
            "n_stopped_early": int(len(early)),
            "gm_hr_stopped": float(np.exp(early["cox_log_hr"].mean())) if len(early) else float("nan"),
            "gm_hr_all": float(np.exp(res["cox_log_hr"].mean())),
            "gm_hr_final": float(np.exp(res["final_cox_log_hr"].mean())),
        })
        for group, sel in ((STOPPED, early), (ALL, res)):
            clipped = np.clip(sel["cox_hr"].to_numpy(), edges[0] * 1.0001, edges[-1] * 0.9999)
            counts, _ = np.histogram(clipped, edges)
            share = 100 * counts / max(len(sel), 1)
            hist.append(pd.DataFrame({"true_hr": hr, "group": group, "bin_start": edges[:-1], "bin_end": edges[1:],
                                      "share": share}))
    summary = pd.DataFrame(rows)
    summary["exaggeration"] = summary["gm_hr_stopped"] / summary["true_hr"]
    return summary, pd.concat(hist, ignore_index=True)


# --- who never started treatment ------------------------------------------------------------------


def withdrawal_fraction_published() -> float:
    """The share of the chemotherapy arm who withdrew consent before any treatment (16 %, printed as a
    percent). Not the same as the share never treated (:func:`untreated_fraction_published`)."""
    return float(data.row("tower", "flow", "withdrew_consent_pretreatment_chemotherapy")["value_num"]) / 100


def untreated_fraction_published() -> float:
    """The share of the chemotherapy arm who never received trial treatment: 1 - 109/134 (25 patients,
    19 %). It includes the 16 % who withdrew consent before treatment and the others not treated; an
    as-treated analysis excludes all of them."""
    r = data.row("tower", "flow", "treated_chemotherapy")
    return 1.0 - float(r["value_num"]) / float(r["denominator"])


def withdrawal_lab(true_hrs=(0.6, 0.7, 0.8, 0.9, 1.0), withdrawal_hrs=(0.5, 0.67, 1.0, 1.5, 2.0, 3.0),
                   withdrawal_fractions=None, n_trials: int = 400, follow_up_months: float = 12.0,
                   seed: int = SEED) -> pd.DataFrame:
    """Intention-to-treat versus as-treated hazard ratios when a share of the control arm never starts
    treatment (withdraws before it), on a grid of the reader's assumptions.

    ``withdrawal_fractions`` defaults to (0.05, the published share never treated, 19 % (of whom 16 % of
    the arm withdrew consent), 0.30): the as-treated analysis excludes every untreated patient. ``withdrawal_hrs`` is the
    death hazard of the patients who would withdraw relative to the others (above 1: they are frailer;
    below 1: fitter, e.g. leaving to be treated elsewhere). Patients per arm 271 and 134, control median
    4.0 months (the published median of the chemotherapy arm), follow-up ``follow_up_months`` for
    everyone. See :func:`trialkit.sim.exclude_withdrawals`.

    Returns one row per (true_hr, withdrawal_fraction, withdrawal_hr, analysis): median, low, high (2.5th
    and 97.5th percentiles) and geometric_mean of the Cox hazard ratio over ``n_trials`` trials.
    """
    hrs = _grid("true_hrs", true_hrs, high=2.0)
    whrs = _grid("withdrawal_hrs", withdrawal_hrs, high=20.0)
    fractions = _grid("withdrawal_fractions",
                      (0.05, untreated_fraction_published(), 0.30) if withdrawal_fractions is None else withdrawal_fractions,
                      high=0.9)
    n_trials = _check.integer("n_trials", n_trials, low=50, high=100_000)
    follow_up_months = _check.real("follow_up_months", follow_up_months, low=0.0, low_open=True)
    seed = _check.integer("seed", seed, low=0)
    inp = tower_inputs()
    control_hazard = LN2 / float(data.row("tower", "survival", "os_median_chemotherapy")["value_num"])
    rows = []
    k = 0
    for hr in hrs:
        for f in fractions:
            for w in whrs:
                res = sim.exclude_withdrawals(seed=seed + k, true_hr=hr, withdrawal_fraction=f, withdrawal_hr=w,
                                              withdrawal_arm="control", control_hazard=control_hazard,
                                              n_per_arm=inp["n_per_arm"], follow_up_months=follow_up_months,
                                              n_trials=n_trials)
                k += 1
                for analysis, g in res.groupby("analysis", observed=True):
                    rows.append({"true_hr": hr, "withdrawal_fraction": f, "withdrawal_hr": w,
                                 "analysis": str(analysis), **_spread(g["cox_hr"])})
    return pd.DataFrame(rows)


def remission_among_treated() -> pd.DataFrame:
    """CR/CRh/CRi within 12 weeks with two denominators: everyone randomised (ITT, as published) and
    only the patients who received trial treatment (every responder was treated).

    One row per population ("All randomised (ITT)", "Treated only"): responders and patients per arm,
    percents, and the difference blinatumomab minus chemotherapy with its Wald 95 % interval
    (percentage points).
    """
    resp = {arm: int(data.row("tower", "responses", f"cr_crh_cri_count_{arm}")["value_num"]) for arm in ("blinatumomab", "chemotherapy")}
    itt = {arm: int(data.row("tower", "flow", f"randomised_{arm}")["value_num"]) for arm in resp}
    treated = {arm: int(data.row("tower", "flow", f"treated_{arm}")["value_num"]) for arm in resp}
    rows = []
    for label, n in (("All randomised (ITT)", itt), ("Treated only", treated)):
        rd = stats.risk_difference(resp["blinatumomab"], n["blinatumomab"], resp["chemotherapy"], n["chemotherapy"])
        rows.append({"population": label,
                     "responders_blinatumomab": resp["blinatumomab"], "n_blinatumomab": n["blinatumomab"],
                     "percent_blinatumomab": 100 * resp["blinatumomab"] / n["blinatumomab"],
                     "responders_chemotherapy": resp["chemotherapy"], "n_chemotherapy": n["chemotherapy"],
                     "percent_chemotherapy": 100 * resp["chemotherapy"] / n["chemotherapy"],
                     "difference": 100 * rd.estimate, "difference_low": 100 * rd.low, "difference_high": 100 * rd.high})
    return pd.DataFrame(rows)


# --- censoring at transplant -----------------------------------------------------------------------

#: Transplant rates per month among transplant candidates (experimental, control), by scenario.
TRANSPLANT_PATTERNS = {
    "Equal in both arms": (0.10, 0.10),
    "Twice as high after blinatumomab": (0.14, 0.07),
    "Twice as high after chemotherapy": (0.07, 0.14),
}
ANALYSES = {
    "no_transplant": "Reference: no transplant available",
    "itt": "All deaths counted (ITT)",
    "censored_at_transplant": "Censored at transplant",
}


def transplant_lab(non_candidate_hrs=(1.0, 1.5, 2.0, 3.0, 4.0), patterns=None, true_hr: float = 0.7,
                   candidate_fraction: float = 0.5, post_transplant_hr: float = 0.6, n_trials: int = 400,
                   follow_up_months: float = 12.0, seed: int = SEED) -> pd.DataFrame:
    """Overall survival analysed as randomised versus censored at allogeneic transplant, on SYNTHETIC
    (simulated) trials of TOWER's size, for each prognosis gap and transplant pattern.

    A share ``candidate_fraction`` of each arm are transplant candidates; the others have a death hazard
    ``non_candidate_hr`` times higher (``non_candidate_hrs``: 1 means transplant is unrelated to
    prognosis). Candidates are transplanted at the monthly rates of ``patterns`` (names from
    :data:`TRANSPLANT_PATTERNS`, default all); transplant multiplies the death hazard by
    ``post_transplant_hr``. Control median 4.0 months before transplant, experimental hazard
    ``true_hr`` times the control's. The reference analysis runs the same trials with transplant made
    (practically) impossible: the hypothetical estimand that censoring at transplant targets.

    Returns one row per (non_candidate_hr, pattern, analysis): median, low, high, geometric_mean of the
    Cox hazard ratio, and the mean shares transplanted in each arm (transplanted_experimental,
    transplanted_control; 0 for the reference).
    """
    ncs = _grid("non_candidate_hrs", non_candidate_hrs, high=20.0)
    patterns = list(TRANSPLANT_PATTERNS) if patterns is None else list(patterns)
    if not patterns:
        raise ValueError(f"patterns must name at least one of {list(TRANSPLANT_PATTERNS)}")
    for p in patterns:
        _check.choice("patterns", p, set(TRANSPLANT_PATTERNS))
    true_hr = _check.real("true_hr", true_hr, low=0.0, low_open=True)
    n_trials = _check.integer("n_trials", n_trials, low=50, high=100_000)
    seed = _check.integer("seed", seed, low=0)
    inp = tower_inputs()
    common = dict(true_hr=true_hr, post_transplant_hr=post_transplant_hr,
                  control_hazard=LN2 / float(data.row("tower", "survival", "os_median_chemotherapy")["value_num"]),
                  candidate_fraction=candidate_fraction, n_per_arm=inp["n_per_arm"],
                  follow_up_months=follow_up_months, n_trials=n_trials)
    rows = []
    for i, nc in enumerate(ncs):
        ref = sim.censor_at_transplant(seed=seed + i, transplant_hazard_experimental=1e-12,
                                       transplant_hazard_control=1e-12, non_candidate_hr=nc, **common)
        ref_row = _spread(ref[ref["analysis"] == "itt"]["cox_hr"])
        for pattern in patterns:
            h_e, h_c = TRANSPLANT_PATTERNS[pattern]
            # the same seed: the same patients and the same deaths before any transplant
            res = sim.censor_at_transplant(seed=seed + i, transplant_hazard_experimental=h_e,
                                           transplant_hazard_control=h_c, non_candidate_hr=nc, **common)
            rows.append({"non_candidate_hr": nc, "pattern": pattern, "analysis": "no_transplant", **ref_row,
                         "transplanted_experimental": 0.0, "transplanted_control": 0.0})
            for analysis, g in res.groupby("analysis", observed=True):
                rows.append({"non_candidate_hr": nc, "pattern": pattern, "analysis": str(analysis),
                             **_spread(g["cox_hr"]),
                             "transplanted_experimental": float(g["transplanted_experimental"].mean()),
                             "transplanted_control": float(g["transplanted_control"].mean())})
    return pd.DataFrame(rows)


# --- converging curves: median, HR and RMST --------------------------------------------------------


def rmst_lab(horizons=None, name: str = "tower_os", step: float = 0.25) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Restricted mean survival time of the SYNTHETIC TOWER overall-survival data at each horizon.

    ``horizons`` (months) default to 1, 2, ..., the last whole month at which both arms still have
    follow-up. Returns ``(curves, table, summary)``: ``curves`` has the two Kaplan-Meier curves on a
    regular grid of ``step`` months (time, blinatumomab, chemotherapy: survival probabilities);
    ``table`` one row per horizon: tau, rmst_blinatumomab, rmst_chemotherapy, difference, low, high
    (95 % Wald interval), p; ``summary`` the synthetic medians, their difference and the Cox HR.
    """
    if name not in synth.datasets():
        raise ValueError(f"name must be one of {synth.datasets()}, got {name!r}")
    step = _check.real("step", step, low=0.0, high=3.0, low_open=True)
    f = synth.frame(name)
    arms = list(dict.fromkeys(f["arm"]))
    if len(arms) != 2:
        raise ValueError(f"name must be a two-arm dataset, {name!r} has arms {arms}")
    exp, ctl = arms
    last = float(min(f[f["arm"] == a]["time"].max() for a in arms))
    if horizons is None:
        horizons = tuple(float(h) for h in range(1, int(math.floor(last)) + 1))
    horizons = _grid("horizons", horizons, high=last)
    km = survival.kaplan_meier(f["time"], f["event"], f["arm"])
    grid = np.round(np.arange(0.0, last + 1e-9, step), 6)
    curves = pd.DataFrame({"time": grid})
    for arm in arms:
        k = km[km["group"] == arm].sort_values("time")
        idx = np.searchsorted(k["time"].to_numpy(), grid, side="right") - 1
        curves[arm] = k["survival"].to_numpy()[np.clip(idx, 0, None)]
    rows = []
    for tau in horizons:
        r = survival.rmst_difference(f["time"], f["event"], f["arm"], tau=tau, reference=ctl)
        rows.append({"tau": tau, f"rmst_{exp}": r.rmst[exp].rmst, f"rmst_{ctl}": r.rmst[ctl].rmst,
                     "difference": r.difference, "low": r.ci_low, "high": r.ci_high, "p": r.p})
    medians = {arm: survival.median_survival(f[f["arm"] == arm]["time"], f[f["arm"] == arm]["event"]).median for arm in arms}
    cox = survival.cox(f.assign(experimental=(f["arm"] == exp).astype(int)), "time", "event", ["experimental"])
    hr, lo, hi = cox.hr("experimental")
    summary = {f"median_{a}": m for a, m in medians.items()}
    summary.update({"median_difference": medians[exp] - medians[ctl], "hr": hr, "hr_low": lo, "hr_high": hi,
                    "last_common_time": last})
    return curves, pd.DataFrame(rows), summary


# --- counting adverse events -----------------------------------------------------------------------


def poisson_exposure_months(proportion: float, rate_per_100py: float) -> float:
    """The mean exposure (months) at which a constant event rate ``rate_per_100py`` (events per 100
    patient-years) gives a share ``proportion`` of patients with at least one event, if every patient
    had the same exposure and events followed a Poisson process: T = -log(1 - p) / rate.

    A back-of-the-envelope reconciliation of a crude proportion and an exposure-adjusted rate, not a
    recomputation: real exposure varies between patients and events cluster in some of them.
    """
    p = _check.probability("proportion", proportion)
    rate = _check.real("rate_per_100py", rate_per_100py, low=0.0, low_open=True)
    return float(-math.log1p(-p) / (rate / 100) * 12)


RATE_SCENARIOS = ("Published rates", "Equal rates in both arms")


def exposure_lab(months=None) -> pd.DataFrame:
    """Crude percent of patients with at least one serious adverse event against the exposure-adjusted
    event rate, for each arm and a grid of mean exposures (``months``, default 0.1 to 8 by 0.1).

    Scenarios (:data:`RATE_SCENARIOS`): the published rates (349.4 and 641.9 per 100 patient-years), or
    both arms at the blinatumomab rate. Under a constant rate (Poisson, equal exposure for every
    patient) the crude percent is 100 (1 - exp(-rate T)); the rate does not depend on T.

    Returns one row per (scenario, arm, months): rate_per_100py, crude_percent.
    """
    months = tuple(round(float(m), 1) for m in np.arange(0.1, 8.0 + 1e-9, 0.1)) if months is None else _grid("months", months, high=120.0)
    rates = {arm: float(data.row("tower", "adverse_events", f"sae_rate_exposure_adjusted_{arm}")["value_num"])
             for arm in ("blinatumomab", "chemotherapy")}
    rows = []
    for scenario in RATE_SCENARIOS:
        for arm, published in rates.items():
            rate = published if scenario == RATE_SCENARIOS[0] else rates["blinatumomab"]
            for m in months:
                rows.append({"scenario": scenario, "arm": arm, "months": m, "rate_per_100py": rate,
                             "crude_percent": 100 * (1 - math.exp(-rate / 100 * m / 12))})
    return pd.DataFrame(rows)


# --- ESMO-MCBS: the grade and its sensitivity to the inputs ------------------------------------------

#: Which limit of the hazard ratio's 95 % interval enters form 2a (the form uses the lower limit).
ESMO_HR_CHOICES = {"ci_low": "Lower 95 % limit (as the form requires)", "value": "Point estimate",
                   "ci_high": "Upper 95 % limit"}


def esmo_inputs() -> dict:
    """The published inputs of ESMO-MCBS form 2a for TOWER's overall survival: hr, hr_lower, hr_upper,
    median_gain (the printed difference of medians), control_median, and the quality-of-life hazard
    ratio for deterioration with its upper limit (reported separately, quoted in the Discussion)."""
    hr = data.row("tower", "survival", "os_hr")
    qol = data.row("tower", "survival", "qol_ghs_deterioration_hr")
    return {"hr": hr["value_num"], "hr_lower": hr["ci_low_num"], "hr_upper": hr["ci_high_num"],
            "median_gain": data.row("tower", "survival", "os_median_difference")["value_num"],
            "control_median": data.row("tower", "survival", "os_median_chemotherapy")["value_num"],
            "qol_hr": qol["value_num"], "qol_hr_upper": qol["ci_high_num"]}


def esmo_grade(hr_choice: str = "ci_low", median_gain: float | None = None, qol_improved: bool = True):
    """ESMO-MCBS v1.1 form 2a for TOWER (:func:`trialkit.appraisal.esmo.form_2a`), with the published
    inputs unless overridden: ``hr_choice`` picks which number of the hazard ratio enters as the "lower
    limit" (:data:`ESMO_HR_CHOICES`), ``median_gain`` replaces the gain in median OS, and
    ``qol_improved`` credits the improvement in quality of life (one level up)."""
    from trialkit.appraisal import esmo

    _check.choice("hr_choice", hr_choice, set(ESMO_HR_CHOICES))
    inp = esmo_inputs()
    gain = inp["median_gain"] if median_gain is None else _check.real("median_gain", median_gain, low=0.0)
    if not isinstance(qol_improved, (bool, np.bool_)):
        raise ValueError(f"qol_improved must be True or False, got {qol_improved!r}")
    lower = {"ci_low": inp["hr_lower"], "value": inp["hr"], "ci_high": inp["hr_upper"]}[hr_choice]
    return esmo.form_2a(lower, gain, inp["control_median"], qol_improved=bool(qol_improved))


def esmo_grid(gains=None) -> pd.DataFrame:
    """The form 2a grade of TOWER's overall survival over the reader's alternatives: every
    :data:`ESMO_HR_CHOICES`, gains in median OS (``gains``, default 0 to 6 months by 0.1) and with or
    without the quality-of-life credit. Columns: hr_choice, hr_label, hr_used, gain, qol, preliminary,
    grade, reasons (the module's reasons and adjustments, joined)."""
    gains = tuple(round(float(g), 1) for g in np.arange(0.0, 6.0 + 1e-9, 0.1)) if gains is None else tuple(
        _check.real(f"gains[{i}]", g, low=0.0) for i, g in enumerate(gains))
    if not gains:
        raise ValueError("gains must be a non-empty sequence of numbers >= 0")
    inp = esmo_inputs()
    used = {"ci_low": inp["hr_lower"], "value": inp["hr"], "ci_high": inp["hr_upper"]}
    rows = []
    for choice, label in ESMO_HR_CHOICES.items():
        for gain in gains:
            for qol in (False, True):
                g = esmo_grade(choice, gain, qol)
                rows.append({"hr_choice": choice, "hr_label": label, "hr_used": used[choice], "gain": gain, "qol": qol,
                             "preliminary": g.preliminary, "grade": g.grade,
                             "reasons": "; ".join(g.reasons + g.adjustments)})
    return pd.DataFrame(rows)

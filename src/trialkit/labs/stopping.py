"""Stopping early for benefit: a trial's group-sequential plan, the analysis at which it stopped, and
the estimates of simulated trials that stop early (:func:`trialkit.sim.stopping_bias`).

Every function takes a :class:`trialkit.trials.Trial`: patients per arm and allocation, planned
events, the looks (information fractions), two-sided alpha, the assumed control median and the
accrual period; :func:`stop_check` also the events and hazard ratio at the stop.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trialkit import _check, design, sim, stats
from trialkit.labs._common import SEED, grid, hazard
from trialkit.trials import Trial

STOPPED = "Stopped early at an interim analysis"
ALL = "All trials, as reported at the look where each ended"


def interim_plan(trial: Trial) -> pd.DataFrame:
    """The trial's efficacy boundaries recomputed from its plan: Lan-DeMets O'Brien-Fleming-type
    spending of a one-sided alpha/2 at ``trial.looks`` of ``trial.planned_events``.

    Columns: look, fraction, deaths (planned, rounded), alpha_spent (cumulative, one-sided), z (the
    boundary), nominal_p_two_sided (the two-sided P value that crosses it), hr_boundary (the observed
    hazard ratio on the boundary, Schoenfeld's approximation, :func:`trialkit.design.boundary_hazard_ratio`).
    """
    trial.need("looks", "planned_events", "alpha_two_sided", by="interim_plan")
    b = design.spending_boundaries(trial.looks, alpha=trial.alpha_two_sided / 2, sided=1)
    deaths = np.floor(b["fraction"] * trial.planned_events + 0.5).astype(int)
    return pd.DataFrame({
        "look": b["look"],
        "fraction": b["fraction"],
        "deaths": deaths,
        "alpha_spent": b["alpha_spent"],
        "z": b["z"],
        "nominal_p_two_sided": 2 * b["nominal_p"],
        "hr_boundary": [design.boundary_hazard_ratio(z, d, trial.allocation) for z, d in zip(b["z"], deaths)],
    })


def stop_check(trial: Trial, look: int = 2) -> dict:
    """The interim analysis that stopped the trial (``look``, counted from 1), as it happened: the
    boundary recomputed at the information fraction ``trial.events_at_stop / trial.planned_events``
    (earlier looks taken at their planned fractions, since their actual timing is rarely published),
    compared with the z statistic implied by the published hazard ratio and its 95 % interval (a Wald
    approximation to the log-rank test) and with the published P value.

    Returns a dict: deaths, fraction, z_boundary, nominal_p_two_sided, hr_boundary, z_observed,
    p_from_ci, p_published, crossed, look.
    """
    trial.need("looks", "planned_events", "alpha_two_sided", "events_at_stop", "primary_hr", by="stop_check")
    look = _check.integer("look", look, low=1, high=len(trial.looks) - 1)
    d = trial.events_at_stop
    fraction = d / trial.planned_events
    looks = list(trial.looks[:look - 1]) + [fraction, 1.0]
    b = design.spending_boundaries(looks, alpha=trial.alpha_two_sided / 2, sided=1)
    z_b = float(b["z"].iloc[look - 1])
    hr, low, high = trial.primary_hr
    se = stats.se_from_ci(hr, low, high)
    z_obs = float(-np.log(hr) / se)
    return {
        "deaths": d,
        "fraction": fraction,
        "z_boundary": z_b,
        "nominal_p_two_sided": float(2 * b["nominal_p"].iloc[look - 1]),
        "hr_boundary": design.boundary_hazard_ratio(z_b, d, trial.allocation),
        "z_observed": z_obs,
        "p_from_ci": stats.p_from_z(z_obs),
        "p_published": trial.primary_p,
        "crossed": z_obs >= z_b,
        "look": look,
    }


def stopping_lab(trial: Trial, true_hrs=(0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0), n_trials: int = 2000,
                 seed: int = SEED, bins: int = 30) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Trials like ``trial`` (its arm sizes and planned events, exponential survival with the assumed
    control median, uniform accrual over ``trial.accrual_months``) monitored with the boundaries of
    :func:`interim_plan`, for each true hazard ratio in ``true_hrs``.

    Returns ``(summary, histogram)``. ``summary``, one row per true HR: share_stopped_early (crossed at
    an interim look), power (crossed at any look), n_stopped_early, gm_hr_stopped (geometric mean of the
    Cox HR among trials that stopped early), gm_hr_all (all trials, each at the look where it ended),
    gm_hr_final (all trials had they run to the final analysis), exaggeration (gm_hr_stopped / true_hr:
    below 1 means the benefit is overstated). ``histogram``: true_hr, group (:data:`STOPPED` or
    :data:`ALL`), bin_start, bin_end, share (percent of that group's trials), on ``bins`` bins of equal
    width on the log scale from 0.35 to 1.45 (estimates outside are counted in the end bins).
    """
    hrs = grid("true_hrs", true_hrs, high=2.0)
    n_trials = _check.integer("n_trials", n_trials, low=100, high=100_000)
    seed = _check.integer("seed", seed, low=0)
    bins = _check.integer("bins", bins, low=5, high=200)
    trial.need("looks", "planned_events", "alpha_two_sided", "assumed_control_median", "accrual_months", by="stopping_lab")
    bounds = design.spending_boundaries(trial.looks, alpha=trial.alpha_two_sided / 2, sided=1)["z"].to_numpy()
    edges = np.exp(np.linspace(np.log(0.35), np.log(1.45), bins + 1))
    rows, hist = [], []
    for i, hr in enumerate(hrs):
        res = sim.stopping_bias(hr, trial.looks, bounds, seed=seed + i, n_trials=n_trials,
                                n_per_arm=trial.n_per_arm, control_hazard=hazard(trial.assumed_control_median),
                                total_events=trial.planned_events, accrual_months=trial.accrual_months)
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


def stopping_readings(summary: pd.DataFrame, assumed_hr: float, null_hr: float = 1.0) -> dict:
    """What a chapter reports from :func:`stopping_lab` at the design's hazard ratio (``_assumed``) and
    at no effect (``_null``): percent stopping early, geometric means, relative risk reductions, and
    the number of simulated trials per true HR."""
    at = summary.set_index("true_hr")
    for name, hr in (("assumed_hr", assumed_hr), ("null_hr", null_hr)):
        if hr not in at.index:
            raise ValueError(f"{name} must be one of the summary's true hazard ratios {list(at.index)}, got {hr!r}")
    a, n = at.loc[assumed_hr], at.loc[null_hr]
    return {
        "assumed_hr": float(assumed_hr),
        "p_stop_assumed": float(100 * a["share_stopped_early"]),
        "gm_stop_assumed": float(a["gm_hr_stopped"]),
        "gm_all_assumed": float(a["gm_hr_all"]),
        "rrr_true": float(100 * (1 - assumed_hr)),
        "rrr_stopped": float(100 * (1 - a["gm_hr_stopped"])),
        "p_stop_null": float(100 * n["share_stopped_early"]),
        "gm_stop_null": float(n["gm_hr_stopped"]),
        "n_trials_stop": int(round(a["n_stopped_early"] / a["share_stopped_early"])),
    }


def plan_readings(trial: Trial) -> dict:
    """What a chapter quotes about the trial's plan and its stop: fixed-design power with the trial's
    allocation and with 1:1 (``power_fixed``, ``power_fixed_11``, percent), the events 1:1 allocation
    would need for the same power (``events_11``), group-sequential power (``power_gs``), each planned
    look's deaths, z, two-sided nominal P, boundary HR and cumulative two-sided alpha
    (``look<k>_deaths`` ...), and :func:`stop_check` as ``stop_<key>`` (when the trial stopped early)."""
    trial.need("planned_events", "assumed_hr", "alpha_two_sided", "looks", by="plan_readings")
    d, hr, alpha = trial.planned_events, trial.assumed_hr, trial.alpha_two_sided
    power = design.events_power(d, hr, trial.allocation, alpha=alpha)
    out = {"power_fixed": 100 * power, "power_fixed_11": 100 * design.events_power(d, hr, (1, 1), alpha=alpha),
           "events_11": design.events_needed(hr, power, (1, 1), alpha=alpha),
           "power_gs": 100 * design.group_sequential_power(trial.looks, d, hr, trial.allocation, alpha=alpha / 2, sided=1)}
    plan = interim_plan(trial)
    for k in range(len(plan)):
        out.update({f"look{k + 1}_deaths": int(plan["deaths"].iloc[k]), f"look{k + 1}_z": float(plan["z"].iloc[k]),
                    f"look{k + 1}_p": float(plan["nominal_p_two_sided"].iloc[k]),
                    f"look{k + 1}_hr": float(plan["hr_boundary"].iloc[k]),
                    f"look{k + 1}_alpha": float(2 * plan["alpha_spent"].iloc[k])})
    if trial.events_at_stop is not None:
        stop = stop_check(trial)
        out.update({"stop_deaths": stop["deaths"], "stop_fraction": 100 * stop["fraction"], "stop_z": stop["z_boundary"],
                    "stop_p": stop["nominal_p_two_sided"], "stop_hr": stop["hr_boundary"], "stop_z_obs": stop["z_observed"],
                    "stop_p_ci": stop["p_from_ci"], "stop_p_published": stop["p_published"]})
    return out

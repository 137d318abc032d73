"""Live laboratories: in JupyterLab, each bias laboratory re-runs its simulation with the reader's own
parameters (ipywidgets), and draws the result with the book's chart function.

The static book filters grids precomputed at build time; a kernel can go past the grid. Each laboratory
has two layers:

* a *run* function (:func:`run_stopping`, :func:`run_withdrawal`, :func:`run_transplant`,
  :func:`run_rmst`, :func:`run_exposure`; for E1910 and the pooled analysis :func:`run_transplant_timing`,
  :func:`run_immortal`, :func:`run_epv`, :func:`run_subgroup`; for INO-VATE ALL :func:`run_two_endpoints`,
  :func:`run_horizon`, :func:`run_early_subset`, :func:`run_transplant_response`, :func:`run_responders`): plain parameters in, the laboratory's result and its chart
  out. It checks every parameter against :data:`RANGES` (the ranges the method supports; an error names
  the argument and its range) and reports progress through an optional callback ``progress(done,
  total)``, once per simulated grid point (or chunk of shuffles).
* a *widget* function (:func:`stopping`, :func:`withdrawal`, :func:`transplant`, :func:`rmst`,
  :func:`exposure`, :func:`transplant_timing`, :func:`immortal`, :func:`epv`, :func:`subgroup`,
  :func:`two_endpoints`, :func:`horizon`, :func:`early_subset`, :func:`transplant_response`, :func:`responders`): sliders and menus that call the run function when they change, with a progress
  bar while it runs. During the book build (:func:`trialkit.book.in_book_build`) it returns ``None``
  (the cell shows nothing; the page's text says once that the laboratories are live when the chapter
  runs locally): the static book never shows a control that does nothing.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pandas as pd

from trialkit import _check, labs, synth
from trialkit.book import in_book_build
from trialkit.charts import labs as lab_charts
from trialkit.labs._common import grid
from trialkit.trials import Trial

#: The ranges each live parameter accepts (inclusive): what the simulator supports and a reader can wait for.
RANGES = {
    "true_hr": (0.3, 1.5),
    "n_per_arm": (20, 2000),
    "planned_events": (20, 3000),
    "control_median": (0.5, 60.0),
    "accrual_months": (1.0, 120.0),
    "n_trials_stopping": (100, 20_000),
    "n_trials": (50, 5000),
    "withdrawal_fraction": (0.01, 0.6),
    "follow_up_months": (1.0, 120.0),
    "candidate_fraction": (0.05, 0.95),
    "post_transplant_hr": (0.1, 2.0),
    "transplant_rate": (0.01, 0.5),
    "rate_per_100py": (1.0, 5000.0),
    "max_months": (1.0, 60.0),
    "n_patients": (20, 5000),
    "median_months": (0.5, 240.0),
    "landmark_months": (0.25, 60.0),
    "share": (0.01, 0.95),
    "window_months": (0.25, 24.0),
    "n_cohorts": (20, 2000),
    "n_events": (2, 5000),
    "prevalence": (0.05, 0.95),
    "se_log_hr": (0.02, 2.0),
    "n_draws": (100, 20_000),
    "alpha_one_sided": (0.001, 0.1),
    "alpha_share": (0.05, 0.95),
    "expected_z": (0.0, 8.0),
    "correlation": (-0.95, 0.95),
    "horizon_months": (0.5, 120.0),
    "horizon_step_months": (0.25, 24.0),
    "n_shuffles": (100, 5000),
    "alpha_two_sided": (0.01, 0.2),
    "remission_rate": (0.02, 0.98),
    "rate_difference": (-0.9, 0.9),
    "max_drift": (0.01, 0.5),
    "cohort_patients": (100, 5000),
    "responder_hr": (0.1, 0.95),
}


def _in(name: str, value, key: str | None = None, integer: bool = False):
    low, high = RANGES[key or name]
    if integer:
        value = _check.integer(name, value)
        if not low <= value <= high:
            raise ValueError(f"{name} must be in [{low}, {high}], got {value}")
        return value
    return _check.real(name, value, low=low, high=high)


def _pair(name: str, value, key: str, integer: bool = False) -> tuple:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise ValueError(f"{name} must be a pair (experimental, control), got {value!r}")
    return tuple(_in(f"{name}[{i}]", v, key, integer) for i, v in enumerate(value))


def _progress(progress, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def unbind_single_valued(chart):
    """Drop the input binding of every chart parameter whose slider would span a single value (the live
    grid holds one value of what the reader set with a widget), so no control in the figure is dead."""
    for p in getattr(chart, "params", None) or []:
        bind = getattr(p, "bind", None)
        if bind is None or bind is alt_undefined():
            continue
        spec = bind.to_dict() if hasattr(bind, "to_dict") else bind
        if spec.get("input") == "range" and spec.get("min") == spec.get("max"):
            p.bind = alt_undefined()
        elif spec.get("input") == "radio" and len(spec.get("options", [])) == 1:
            p.bind = alt_undefined()
    return chart


def alt_undefined():
    import altair as alt

    return alt.Undefined


# --- run functions: parameters in, result and chart out ----------------------------------------------


def run_stopping(trial: Trial, true_hr: float, *, n_per_arm=None, planned_events: int | None = None,
                 control_median: float | None = None, accrual_months: float | None = None, n_trials: int = 2000,
                 seed: int = labs.SEED, progress=None):
    """Laboratory 1 live: ``n_trials`` trials like ``trial`` with the reader's true hazard ratio, arm
    sizes, planned events, assumed control median (months) and accrual period (months), each defaulting
    to the trial's, monitored with the trial's recomputed boundaries (:func:`trialkit.labs.stopping_lab`).

    Returns ``(summary, histogram, chart)``; ``summary`` has one row (the reader's true HR)."""
    true_hr = _in("true_hr", true_hr)
    n_trials = _in("n_trials", n_trials, "n_trials_stopping", integer=True)
    n = _pair("n_per_arm", trial.n_per_arm if n_per_arm is None else n_per_arm, "n_per_arm", integer=True)
    d = _in("planned_events", trial.planned_events if planned_events is None else planned_events, integer=True)
    if d > sum(n):
        raise ValueError(f"planned_events must be at most the number of patients ({sum(n)}), got {d}")
    med = _in("control_median", trial.assumed_control_median if control_median is None else control_median)
    acc = _in("accrual_months", trial.accrual_months if accrual_months is None else accrual_months)
    live = dataclasses.replace(trial, n_per_arm=n, planned_events=d, assumed_control_median=med, accrual_months=acc)
    _progress(progress, 0, 1)
    summary, hist = labs.stopping_lab(live, true_hrs=(true_hr,), n_trials=n_trials, seed=seed)
    _progress(progress, 1, 1)
    return summary, hist, unbind_single_valued(lab_charts.stopping_lab_chart(live, summary, hist))


def run_withdrawal(trial: Trial, true_hr: float, withdrawal_fraction: float, *, withdrawal_arm: str = "control",
                   n_per_arm=None, control_median: float | None = None, follow_up_months: float = 12.0,
                   n_trials: int = 400, withdrawal_hrs=(0.5, 0.67, 1.0, 1.5, 2.0, 3.0), seed: int = labs.SEED,
                   progress=None):
    """Laboratory 2 live: intention to treat versus as treated (:func:`trialkit.labs.withdrawal_lab`)
    with the reader's true HR, share of ``withdrawal_arm`` never treated, arm sizes, control median and
    follow-up, over the book's prognosis grid ``withdrawal_hrs`` (one progress step per value).

    Returns ``(grid, chart)``."""
    true_hr = _in("true_hr", true_hr)
    f = _in("withdrawal_fraction", withdrawal_fraction)
    _check.choice("withdrawal_arm", withdrawal_arm, {"control", "experimental"})
    n = _pair("n_per_arm", trial.n_per_arm if n_per_arm is None else n_per_arm, "n_per_arm", integer=True)
    med = _in("control_median", trial.control_median if control_median is None else control_median)
    fu = _in("follow_up_months", follow_up_months)
    n_trials = _in("n_trials", n_trials, integer=True)
    whrs = grid("withdrawal_hrs", withdrawal_hrs, high=20.0)
    live = dataclasses.replace(trial, n_per_arm=n, control_median=med)
    parts = []
    for k, w in enumerate(whrs):
        _progress(progress, k, len(whrs))
        parts.append(labs.withdrawal_lab(live, true_hrs=(true_hr,), withdrawal_hrs=(w,), withdrawal_fractions=(f,),
                                         withdrawal_arm=withdrawal_arm, n_trials=n_trials,
                                         follow_up_months=fu, seed=seed + k))
    _progress(progress, len(whrs), len(whrs))
    frame = pd.concat(parts, ignore_index=True)
    return frame, unbind_single_valued(lab_charts.withdrawal_lab_chart(live, frame, withdrawal_arm))


def run_transplant(trial: Trial, true_hr: float = 0.7, *, candidate_fraction: float = 0.5,
                   post_transplant_hr: float = 0.6, transplant_rate: float = 0.10, n_per_arm=None,
                   control_median: float | None = None, follow_up_months: float = 12.0, n_trials: int = 400,
                   non_candidate_hrs=(1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0), seed: int = labs.SEED, progress=None):
    """Laboratory 3 live: censoring at transplant (:func:`trialkit.labs.transplant_lab`) with the
    reader's true HR, share of transplant candidates, effect of transplant on the death rate, monthly
    transplant rate among candidates, arm sizes, control median and follow-up, over the book's
    prognosis-gap grid ``non_candidate_hrs`` (one progress step per value).

    Returns ``(grid, chart)``."""
    true_hr = _in("true_hr", true_hr)
    cf = _in("candidate_fraction", candidate_fraction)
    pt = _in("post_transplant_hr", post_transplant_hr)
    rate = _in("transplant_rate", transplant_rate)
    n = _pair("n_per_arm", trial.n_per_arm if n_per_arm is None else n_per_arm, "n_per_arm", integer=True)
    med = _in("control_median", trial.control_median if control_median is None else control_median)
    fu = _in("follow_up_months", follow_up_months)
    n_trials = _in("n_trials", n_trials, integer=True)
    gaps = grid("non_candidate_hrs", non_candidate_hrs, high=20.0)
    live = dataclasses.replace(trial, n_per_arm=n, control_median=med)
    patterns = labs.transplant_patterns(live, rate)
    parts = []
    for k, gap in enumerate(gaps):
        _progress(progress, k, len(gaps))
        parts.append(labs.transplant_lab(live, non_candidate_hrs=(gap,), patterns=patterns, true_hr=true_hr,
                                         candidate_fraction=cf, post_transplant_hr=pt, n_trials=n_trials,
                                         follow_up_months=fu, seed=seed + k))
    _progress(progress, len(gaps), len(gaps))
    frame = pd.concat(parts, ignore_index=True)
    return frame, unbind_single_valued(lab_charts.transplant_lab_chart(live, frame))


def rmst_datasets(trial: Trial) -> list[str]:
    """The SYNTHETIC datasets of ``trial``'s study with its two arms (what :func:`run_rmst` accepts)."""
    out = []
    for name in synth.datasets():
        if name.startswith(f"{trial.study}_"):
            arms = list(dict.fromkeys(synth.frame(name)["arm"]))
            if arms == list(trial.arms):
                out.append(name)
    return out


def run_rmst(trial: Trial, dataset: str, *, step: float = 0.25, progress=None):
    """Laboratory 4 live: RMST by horizon (:func:`trialkit.labs.rmst_lab`) on any two-arm SYNTHETIC
    dataset of the trial (:func:`rmst_datasets`). Returns ``(curves, table, summary, chart)``."""
    allowed = rmst_datasets(trial)
    if dataset not in allowed:
        raise ValueError(f"dataset must be one of {allowed} (SYNTHETIC datasets with {trial.name}'s two arms), got {dataset!r}")
    _progress(progress, 0, 1)
    curves, table, summary = labs.rmst_lab(dataset, step=step)
    _progress(progress, 1, 1)
    return curves, table, summary, lab_charts.rmst_lab_chart(trial, curves, table, summary)


def run_exposure(trial: Trial, rates: dict, published_percent: dict, *, max_months: float = 8.0, progress=None):
    """Laboratory 5 live: crude percent against exposure-adjusted rate (:func:`trialkit.labs.exposure_lab`)
    with the reader's event rates per arm (events per 100 patient-years) and exposures up to
    ``max_months``; the sliders start at the exposure reconciling each published percent with its rate.

    Returns ``(grid, chart)``."""
    if not isinstance(rates, dict) or list(rates) != list(trial.arms):
        raise ValueError(f"rates must map {list(trial.arms)} (in that order) to events per 100 patient-years, got {rates!r}")
    rates = {arm: _in(f"rates[{arm!r}]", r, "rate_per_100py") for arm, r in rates.items()}
    top = _in("max_months", max_months)
    months = tuple(round(0.1 * k, 1) for k in range(1, int(round(top * 10)) + 1))
    _progress(progress, 0, 1)
    frame = labs.exposure_lab(rates, months=months)
    _, defaults = labs.exposure_readings(frame, published_percent)
    _progress(progress, 1, 1)
    return frame, lab_charts.exposure_lab_chart(trial, frame, defaults, published_percent)


# --- widgets -----------------------------------------------------------------------------------------


class Live:
    """A live laboratory: ``controls`` (name -> widget), a status line, a progress bar shown while a run
    lasts (advancing once per simulated grid point), and an output area with the chart. Changing a
    control re-runs."""

    def __init__(self, title: str, controls: dict, run, note: str = ""):
        import ipywidgets as w

        self.controls, self._run = controls, run
        self.status = w.HTML()
        self.bar = w.IntProgress(min=0, max=1, value=0, description="Running", layout=w.Layout(visibility="hidden"))
        self.output = w.Output()
        self.runs = 0
        header = w.HTML(f"<b>{title}</b> (live: re-runs in this kernel){' — ' + note if note else ''}")
        for c in controls.values():
            c.observe(lambda change: self.refresh(), names="value")
        self.widget = w.VBox([header, w.Box(list(controls.values()), layout=w.Layout(flex_flow="row wrap")),
                              w.HBox([self.bar, self.status]), self.output])
        self.widget.add_class("trialkit-live")

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
        if self.runs == 0:
            self.refresh()

    def values(self) -> dict:
        return {name: c.value for name, c in self.controls.items()}

    def _tick(self, done: int, total: int) -> None:
        self.bar.max = max(total, 1)
        self.bar.value = done

    def refresh(self) -> None:
        """Re-run with the controls' values and redraw; a bad combination shows its error, not a stale chart."""
        from IPython.display import display

        self._started = time.perf_counter()
        self.status.value = "running…"
        self.bar.value, self.bar.layout.visibility = 0, "visible"
        try:
            chart = self._run(progress=self._tick, **self.values())
        except ValueError as err:
            self.status.value = f"<span style='color:#b00020'>{err}</span>"
            self.output.clear_output()
            return
        finally:
            self.bar.layout.visibility = "hidden"
        elapsed = time.perf_counter() - self._started
        self.runs += 1
        self.output.clear_output(wait=True)
        with self.output:
            display(chart)
        self.status.value = f"run {self.runs}: {elapsed:.1f} s"


def _slider(kind: str, description: str, value, key: str, step, fmt: str | None = None):
    import ipywidgets as w

    low, high = RANGES[key]
    cls = w.IntSlider if kind == "int" else w.FloatSlider
    kw = {"readout_format": fmt} if fmt else {}
    return cls(value=value, min=low, max=high, step=step, description=description, continuous_update=False,
               style={"description_width": "initial"}, layout=w.Layout(width="340px"), **kw)


def stopping(trial: Trial, n_trials: int = 2000):
    """Laboratory 1, live: true HR, arm sizes, planned deaths and control median."""
    if in_book_build():
        return None

    def run(progress, true_hr, n_experimental, n_control, planned_events, control_median, n_trials):
        return run_stopping(trial, true_hr, n_per_arm=(n_experimental, n_control), planned_events=planned_events,
                            control_median=control_median, n_trials=n_trials, progress=progress)[2]

    exp, ctl = trial.arm_labels
    return Live("Stopping early for benefit", {
        "true_hr": _slider("float", "True hazard ratio", trial.assumed_hr, "true_hr", 0.01, ".2f"),
        "n_experimental": _slider("int", f"Patients, {exp.lower()}", trial.n_per_arm[0], "n_per_arm", 1),
        "n_control": _slider("int", f"Patients, {ctl.lower()}", trial.n_per_arm[1], "n_per_arm", 1),
        "planned_events": _slider("int", "Planned deaths", trial.planned_events, "planned_events", 1),
        "control_median": _slider("float", "Control median (months)", trial.assumed_control_median, "control_median", 0.1, ".1f"),
        "n_trials": _slider("int", "Simulated trials", n_trials, "n_trials_stopping", 100),
    }, run, note="SIMULATED trials")


def withdrawal(trial: Trial, withdrawal_arm: str = "control"):
    """Laboratory 2, live: true HR, share never treated, arm sizes, control median, follow-up."""
    if in_book_build():
        return None
    import ipywidgets as w

    which = 1 if withdrawal_arm == "control" else 0
    share = trial.never_treated[which] if trial.never_treated is not None else 0.1

    def run(progress, true_hr, withdrawal_fraction, n_experimental, n_control, control_median, follow_up_months, n_trials):
        return run_withdrawal(trial, true_hr, withdrawal_fraction, withdrawal_arm=withdrawal_arm,
                              n_per_arm=(n_experimental, n_control), control_median=control_median,
                              follow_up_months=follow_up_months, n_trials=n_trials, progress=progress)[1]

    exp, ctl = trial.arm_labels
    return Live("Who never started treatment", {
        "true_hr": _slider("float", "True hazard ratio", trial.assumed_hr, "true_hr", 0.01, ".2f"),
        "withdrawal_fraction": _slider("float", f"Share of the {trial.arm_labels[which].lower()} arm never treated",
                                       round(share, 2), "withdrawal_fraction", 0.01, ".2f"),
        "n_experimental": _slider("int", f"Patients, {exp.lower()}", trial.n_per_arm[0], "n_per_arm", 1),
        "n_control": _slider("int", f"Patients, {ctl.lower()}", trial.n_per_arm[1], "n_per_arm", 1),
        "control_median": _slider("float", "Control median (months)", trial.control_median, "control_median", 0.1, ".1f"),
        "follow_up_months": _slider("float", "Follow-up (months)", 12.0, "follow_up_months", 1.0, ".0f"),
        "n_trials": w.IntSlider(value=400, min=50, max=2000, step=50, description="Simulated trials",
                                continuous_update=False, style={"description_width": "initial"}),
    }, run, note="SIMULATED trials, SYNTHETIC patients")


def transplant(trial: Trial, true_hr: float = 0.7):
    """Laboratory 3, live: true HR, candidates, effect of transplant, transplant rate, follow-up."""
    if in_book_build():
        return None
    import ipywidgets as w

    def run(progress, true_hr, candidate_fraction, post_transplant_hr, transplant_rate, follow_up_months, n_trials):
        return run_transplant(trial, true_hr, candidate_fraction=candidate_fraction, post_transplant_hr=post_transplant_hr,
                              transplant_rate=transplant_rate, follow_up_months=follow_up_months, n_trials=n_trials,
                              progress=progress)[1]

    return Live("Censoring at transplant", {
        "true_hr": _slider("float", "True hazard ratio", true_hr, "true_hr", 0.01, ".2f"),
        "candidate_fraction": _slider("float", "Share of transplant candidates", 0.5, "candidate_fraction", 0.05, ".2f"),
        "post_transplant_hr": _slider("float", "Death rate after transplant (×)", 0.6, "post_transplant_hr", 0.05, ".2f"),
        "transplant_rate": _slider("float", "Monthly transplant rate", 0.10, "transplant_rate", 0.01, ".2f"),
        "follow_up_months": _slider("float", "Follow-up (months)", 12.0, "follow_up_months", 1.0, ".0f"),
        "n_trials": w.IntSlider(value=400, min=50, max=2000, step=50, description="Simulated trials",
                                continuous_update=False, style={"description_width": "initial"}),
    }, run, note="SIMULATED trials, SYNTHETIC patients")


def rmst(trial: Trial):
    """Laboratory 4, live: the SYNTHETIC dataset (endpoint) whose RMST is computed."""
    if in_book_build():
        return None
    import ipywidgets as w

    names = rmst_datasets(trial)

    def run(progress, dataset):
        return run_rmst(trial, dataset, progress=progress)[3]

    return Live("Restricted mean survival time", {
        "dataset": w.Dropdown(options=names, value=names[0], description="SYNTHETIC dataset"),
    }, run, note="SYNTHETIC patients")


def exposure(trial: Trial, rates: dict, published_percent: dict):
    """Laboratory 5, live: the event rate of each arm and the longest exposure."""
    if in_book_build():
        return None

    def run(progress, max_months, **by_arm):
        return run_exposure(trial, {a: by_arm[f"rate_{a}"] for a in trial.arms}, published_percent,
                            max_months=max_months, progress=progress)[1]

    controls = {f"rate_{a}": _slider("float", f"Events per 100 patient-years, {trial.labels[a].lower()}",
                                     round(float(rates[a]), 1), "rate_per_100py", 1.0, ".0f") for a in trial.arms}
    controls["max_months"] = _slider("float", "Longest exposure (months)", 8.0, "max_months", 1.0, ".0f")
    return Live("Counting adverse events", controls, run)


# --- E1910 and the pooled analysis: immortal time (transplant after randomisation, response, transplant) --


def run_transplant_timing(n_patients: int, death_median_months: float, transplant_median_months: float, *,
                          landmark_months: float = 6.0, follow_up_months: float = 48.0, n_trials: int = 200,
                          transplant_hrs=(0.5, 0.7, 1.0, 1.4), seed: int = labs.SEED, progress=None):
    """Transplant after randomisation, live (:func:`trialkit.labs.transplant_timing.transplant_timing_lab`)
    with the reader's cohort size, median survival without transplant, median time to transplant,
    landmark and follow-up (months), over the book's grid of true transplant effects ``transplant_hrs``
    (one progress step per value; the figure's menu chooses among them).

    Returns ``(grid, chart)``."""
    from trialkit.charts import e1910 as e1910_charts
    from trialkit.labs import transplant_timing

    n = _in("n_patients", n_patients, integer=True)
    death = _in("death_median_months", death_median_months, "median_months")
    tx = _in("transplant_median_months", transplant_median_months, "median_months")
    fu = _in("follow_up_months", follow_up_months)
    lm = _in("landmark_months", landmark_months)
    if lm >= fu:
        raise ValueError(f"landmark_months must be shorter than follow_up_months ({fu}), got {lm}")
    n_trials = _in("n_trials", n_trials, "n_cohorts", integer=True)
    hrs = grid("transplant_hrs", transplant_hrs, high=20.0)
    parts = []
    for k, hr in enumerate(hrs):
        _progress(progress, k, len(hrs))
        parts.append(transplant_timing.transplant_timing_lab(
            n_patients=n, death_median_months=death, transplant_median_months=tx, transplant_hrs=(hr,),
            landmark_months=lm, follow_up_months=fu, n_trials=n_trials, seed=seed + k))
    _progress(progress, len(hrs), len(hrs))
    frame = pd.concat(parts, ignore_index=True)
    return frame, e1910_charts.transplant_timing_chart(frame)


def run_immortal(n_patients: int, median_months: float, share: float, window: float, *, landmarks,
                 state: str, title: str, landmark: float | None = None, effect_hrs=(1.0, 0.7, 0.5),
                 follow_up: float = 60.0, n_trials: int = 300, seed: int = labs.SEED, progress=None):
    """A state reached after time zero (response, transplant), live (:func:`trialkit.labs.immortal.immortal_lab`)
    with the reader's cohort size, median survival without the state, share reaching it and the window
    (months) in which it is reached, over the book's ``landmarks`` and true effects ``effect_hrs`` (one
    progress step per effect; the figure's controls choose among them).

    Returns ``(grid, chart)``."""
    from trialkit.charts import pooled as pooled_charts
    from trialkit.labs import immortal

    n = _in("n_patients", n_patients, integer=True)
    med = _in("median_months", median_months)
    sh = _in("share", share)
    win = _in("window", window, "window_months")
    fu = _in("follow_up", follow_up, "follow_up_months")
    if win >= fu:
        raise ValueError(f"window must be shorter than follow_up ({fu}), got {win}")
    n_trials = _in("n_trials", n_trials, "n_cohorts", integer=True)
    effects = grid("effect_hrs", effect_hrs, high=10.0)
    parts = []
    for k, eff in enumerate(effects):
        _progress(progress, k, len(effects))
        parts.append(immortal.immortal_lab(n_patients=n, median_months=med, share=sh, window=win, landmarks=landmarks,
                                           effect_hrs=(eff,), follow_up=fu, n_trials=n_trials, seed=seed + k))
    _progress(progress, len(effects), len(effects))
    frame = pd.concat(parts, ignore_index=True)
    return frame, pooled_charts.immortal_chart(frame, state=state, landmark_name="Landmark", title=title, landmark=landmark)


def transplant_timing(n_patients: int, death_median_months: float, transplant_median_months: float,
                      follow_up_months: float = 48.0):
    """Transplant after randomisation, live: cohort size, median survival, median time to transplant,
    landmark, follow-up, number of cohorts."""
    if in_book_build():
        return None

    def run(progress, n_patients, death_median_months, transplant_median_months, landmark_months, follow_up_months, n_trials):
        return run_transplant_timing(n_patients, death_median_months, transplant_median_months,
                                     landmark_months=landmark_months, follow_up_months=follow_up_months,
                                     n_trials=n_trials, progress=progress)[1]

    return Live("Transplant after randomisation", {
        "n_patients": _slider("int", "Patients", int(n_patients), "n_patients", 1),
        "death_median_months": _slider("float", "Median survival without transplant (months)", float(death_median_months),
                                       "median_months", 1.0, ".0f"),
        "transplant_median_months": _slider("float", "Median time to transplant (months)", float(transplant_median_months),
                                            "median_months", 1.0, ".0f"),
        "landmark_months": _slider("float", "Landmark (months)", 6.0, "landmark_months", 0.5, ".1f"),
        "follow_up_months": _slider("float", "Follow-up (months)", float(follow_up_months), "follow_up_months", 1.0, ".0f"),
        "n_trials": _slider("int", "Simulated cohorts", 200, "n_cohorts", 20),
    }, run, note="SIMULATED cohorts")


def immortal(n_patients: int, median_months: float, share: float, window: float, *, landmarks, state: str,
             title: str, landmark: float | None = None):
    """A state reached after time zero, live: cohort size, median survival without the state, share
    reaching it, the window in which it is reached, number of cohorts."""
    if in_book_build():
        return None

    def run(progress, n_patients, median_months, share, window, n_trials):
        return run_immortal(n_patients, median_months, share, window, landmarks=landmarks, state=state, title=title,
                            landmark=landmark, n_trials=n_trials, progress=progress)[1]

    return Live(f"Immortal time: {state}", {
        "n_patients": _slider("int", "Patients", int(n_patients), "n_patients", 1),
        "median_months": _slider("float", f"Median survival without {state} (months)", round(float(median_months), 1),
                                 "median_months", 0.1, ".1f"),
        "share": _slider("float", f"Share reaching {state}", round(float(share), 2), "share", 0.01, ".2f"),
        "window": _slider("float", f"Months in which {state} is reached", round(float(window), 2), "window_months", 0.25, ".2f"),
        "n_trials": _slider("int", "Simulated cohorts", 300, "n_cohorts", 20),
    }, run, note="SIMULATED cohorts")


def run_epv(n_patients: int, n_events: int, *, prevalence: float = 0.3, candidates=(1, 3, 6, 9, 11, 15, 20),
            n_trials: int = 1000, seed: int = labs.SEED, progress=None):
    """Screening null prognostic factors, live (:func:`trialkit.labs.epv.screen_lab`) with the reader's
    number of patients and events and the factors' prevalence, over the book's numbers of ``candidates``
    (screened at P < .05, as in the figure). Returns ``(grid, chart)``."""
    from trialkit.charts import pooled as pooled_charts
    from trialkit.labs import epv

    n = _in("n_patients", n_patients, integer=True)
    d = _in("n_events", n_events, integer=True)
    if d > n:
        raise ValueError(f"n_events must be at most n_patients ({n}), got {d}")
    prev = _in("prevalence", prevalence)
    n_trials = _in("n_trials", n_trials, integer=True)
    _progress(progress, 0, 1)
    frame = epv.screen_lab(n_patients=n, n_events=d, candidates=candidates, prevalence=prev, n_trials=n_trials, seed=seed)
    _progress(progress, 1, 1)
    return frame, pooled_charts.epv_chart(frame)


def epv(n_patients: int, n_events: int):
    """Screening null prognostic factors, live: patients, events, prevalence of the factors, studies."""
    if in_book_build():
        return None

    def run(progress, n_patients, n_events, prevalence, n_trials):
        return run_epv(n_patients, n_events, prevalence=prevalence, n_trials=n_trials, progress=progress)[1]

    return Live("Screening prognostic factors", {
        "n_patients": _slider("int", "Patients", int(n_patients), "n_patients", 1),
        "n_events": _slider("int", "Events", int(n_events), "n_events", 1),
        "prevalence": _slider("float", "Share of patients with each factor", 0.3, "prevalence", 0.05, ".2f"),
        "n_trials": _slider("int", "Simulated studies", 1000, "n_trials", 50),
    }, run, note="SIMULATED studies")


def run_subgroup(true_hr: float, se_a: float, se_b: float, observed: tuple, *, n: int = 1000, seed: int = labs.SEED,
                 progress=None):
    """Two subgroups with one common effect, live (:func:`trialkit.labs.common_effect_draws`) with the
    reader's true hazard ratio, the standard errors of the two subgroups' log hazard ratios (smaller
    subgroups, larger errors) and number of simulated trials; ``observed`` is the published pair
    (hr_a, hr_b), marked in the figure. Returns ``(draws, chart)``."""
    from trialkit.charts import e1910 as e1910_charts

    true_hr = _in("true_hr", true_hr)
    a = _in("se_a", se_a, "se_log_hr")
    b = _in("se_b", se_b, "se_log_hr")
    n = _in("n", n, "n_draws", integer=True)
    if isinstance(observed, (str, bytes)) or len(observed) != 2 or not all(float(x) > 0 for x in observed):
        raise ValueError(f"observed must be the published pair of positive hazard ratios (hr_a, hr_b), got {observed!r}")
    _progress(progress, 0, 1)
    draws = labs.common_effect_draws(true_hr, a, b, n=n, seed=seed)
    _progress(progress, 1, 1)
    return draws, e1910_charts.common_effect_scatter(draws, true_hr, (float(observed[0]), float(observed[1])))


def subgroup(true_hr: float, se_a: float, se_b: float, observed: tuple):
    """Two subgroups with one common effect, live: true HR, the subgroups' standard errors, trials."""
    if in_book_build():
        return None

    def run(progress, true_hr, se_a, se_b, n):
        return run_subgroup(true_hr, se_a, se_b, observed, n=n, progress=progress)[1]

    return Live("One true effect, two subgroups", {
        "true_hr": _slider("float", "Common true hazard ratio", round(float(true_hr), 2), "true_hr", 0.01, ".2f"),
        "se_a": _slider("float", "Standard error of log HR, first subgroup", round(float(se_a), 2), "se_log_hr", 0.01, ".2f"),
        "se_b": _slider("float", "Standard error of log HR, second subgroup", round(float(se_b), 2), "se_log_hr", 0.01, ".2f"),
        "n": _slider("int", "Simulated trials", 1000, "n_draws", 100),
    }, run, note="SIMULATED trials")


# --- INO-VATE ALL: two endpoints, the horizon, the early subset, transplant after response, responders ---


def _prop(obj, name: str):
    """A schema property of an Altair object (``None`` when unset); Altair's attribute access returns
    setter methods for some properties (``X.scale``, ``X.sort``), item access the value."""
    if obj is None:
        return None
    try:
        value = obj[name]
    except (KeyError, TypeError, AttributeError):
        return None
    return None if value is alt_undefined() else value


def _rename_category(chart, fields, old: str, new: str):
    """Rename one category of each of ``fields`` in the chart's and every layer's data and in the sort
    lists of the encodings (a row label the chart function writes, which the reader's parameters make
    untrue)."""
    for layer in [chart, *(getattr(chart, "layer", None) or [])]:
        frame = getattr(layer, "data", None)
        if isinstance(frame, pd.DataFrame):
            layer.data = frame.assign(**{f: frame[f].replace(old, new) for f in fields if f in frame.columns})
        encoding = _prop(layer, "encoding")
        for channel in ("x", "y", "color", "yOffset"):
            ch = _prop(encoding, channel)
            sort = _prop(ch, "sort")
            if isinstance(sort, list) and old in sort:
                ch["sort"] = [new if s == old else s for s in sort]
    return chart


def _widen_domain(chart, channel: str, values, step: float | None = None):
    """Widen the fixed scale domain of ``channel`` in every layer to hold ``values`` (rounded outwards to
    ``step``), so that the reader's parameters never draw marks outside the plot."""
    import math

    v = [float(x) for x in values if x == x and math.isfinite(float(x))]
    if not v:
        return chart
    lo, hi = min(v), max(v)
    if step:
        lo, hi = step * math.floor(lo / step), step * math.ceil(hi / step)
    for layer in [chart, *(getattr(chart, "layer", None) or [])]:
        scale = _prop(_prop(_prop(layer, "encoding"), channel), "scale")
        domain = _prop(scale, "domain")
        if isinstance(domain, list) and len(domain) == 2:
            scale["domain"] = [min(domain[0], lo), max(domain[1], hi)]
    return chart


#: The correlations between the two test statistics that the live two-endpoint laboratory computes (the
#: figure's slider chooses among them): wider and finer than the book's grid, including negative values.
LIVE_CORRELATIONS = tuple(float(r) for r in np.round(np.arange(-0.5, 0.951, 0.05), 2))


def run_two_endpoints(alpha_one_sided: float, expected_z_a: float, expected_z_b: float, *, alpha_share_a: float = 0.5,
                      correlations=LIVE_CORRELATIONS, names=("endpoint A", "endpoint B"), progress=None):
    """Two primary endpoints, live (:func:`trialkit.labs.two_endpoints_lab`) with the reader's whole
    one-sided alpha, the share of it the split gives endpoint A, and the expected z statistic of each
    endpoint under its planned effect (the book derives them from the published powers with
    :func:`trialkit.labs.drift_from_power`), over ``correlations`` (one progress step per correlation;
    the figure's slider chooses among them). ``names``: the endpoints' names in the figure.

    Returns ``(grid, chart)``."""
    from trialkit.charts import inovate as inovate_charts

    alpha = _in("alpha_one_sided", alpha_one_sided)
    za = _in("expected_z_a", expected_z_a, "expected_z")
    zb = _in("expected_z_b", expected_z_b, "expected_z")
    share = _in("alpha_share_a", alpha_share_a, "alpha_share")
    if isinstance(correlations, (str, bytes)) or not hasattr(correlations, "__len__") or len(correlations) < 2:
        raise ValueError(f"correlations must list at least two correlations in {list(RANGES['correlation'])}, got {correlations!r}")
    rhos = [_in(f"correlations[{i}]", r, "correlation") for i, r in enumerate(correlations)]
    if len(set(rhos)) != len(rhos):
        raise ValueError(f"correlations must not repeat a value, got {rhos}")
    if isinstance(names, (str, bytes)) or len(names) != 2:
        raise ValueError(f"names must be the two endpoints' names (A, B), got {names!r}")
    parts = []
    for k, rho in enumerate(rhos):
        _progress(progress, k, len(rhos))
        parts.append(labs.two_endpoints_lab(alpha, za, zb, correlations=(rho,), share_a=share))
    _progress(progress, len(rhos), len(rhos))
    frame = pd.concat(parts, ignore_index=True)
    chart = inovate_charts.two_endpoints_chart(frame, names[0], names[1])
    if not np.isclose(share, 0.5):
        # the figure's row says "evenly": name the reader's split instead (percent of the alpha to A and to B)
        chart = _rename_category(chart, ("strategy_short", "strategy_label"), labs.two_endpoints.STRATEGIES["split"],
                                 f"Alpha split {100 * share:.0f}:{100 * (1 - share):.0f}")
    return frame, chart


def run_horizon(trial: Trial, dataset: str, *, first_horizon: float = 3.0, last_horizon: float = 36.0,
                horizon_step: float = 3.0, n_shuffles: int = 1000, alpha_two_sided: float = 0.05, chunk: int = 250,
                seed: int = labs.SEED, progress=None):
    """Choosing the horizon after looking, live (:func:`trialkit.labs.horizon_lab`) on any two-arm
    SYNTHETIC dataset of the trial (:func:`rmst_datasets`), with the reader's candidate horizons (from
    ``first_horizon`` to ``last_horizon`` every ``horizon_step`` months), number of shuffles and
    two-sided level. The shuffles run in chunks of at most ``chunk`` (one progress step each; chunk
    ``k`` is the laboratory with seed ``seed + k``) and the shares are pooled over chunks.

    Returns ``(by_horizon, by_choice, chart)``."""
    from trialkit.charts import inovate as inovate_charts

    allowed = rmst_datasets(trial)
    if dataset not in allowed:
        raise ValueError(f"dataset must be one of {allowed} (SYNTHETIC datasets with {trial.name}'s two arms), got {dataset!r}")
    first = _in("first_horizon", first_horizon, "horizon_months")
    last = _in("last_horizon", last_horizon, "horizon_months")
    step = _in("horizon_step", horizon_step, "horizon_step_months")
    n = _in("n_shuffles", n_shuffles, integer=True)
    alpha = _in("alpha_two_sided", alpha_two_sided)
    chunk = _check.integer("chunk", chunk, low=20, high=100_000)
    frame = synth.frame(dataset)
    end = float(min(frame.loc[frame["arm"] == a, "time"].max() for a in trial.arms))
    if last > end:
        raise ValueError(f"last_horizon must be at most {end:.1f} months (the last follow-up of the shorter arm "
                         f"in {dataset}), got {last}")
    horizons = tuple(float(h) for h in np.round(np.arange(first, last + 1e-9, step), 6))
    if len(horizons) < 2:
        raise ValueError(f"first_horizon ({first}), last_horizon ({last}) and horizon_step ({step}) must give at "
                         "least two horizons")
    n_chunks = -(-n // chunk)
    sizes = [n // n_chunks + (1 if k < n % n_chunks else 0) for k in range(n_chunks)]
    by_h, by_c = [], []
    for k, size in enumerate(sizes):
        _progress(progress, k, n_chunks)
        h, c = labs.horizon_lab(frame, horizons, n_shuffles=size, alpha_two_sided=alpha, seed=seed + k)
        by_h.append(h)
        by_c.append(c)
    _progress(progress, n_chunks, n_chunks)
    pooled = []
    for parts in (by_h, by_c):
        out = parts[0].copy()
        out["significant"] = sum(size * p["significant"].to_numpy() for size, p in zip(sizes, parts)) / n
        pooled.append(out)
    by_horizon, by_choice = pooled
    return by_horizon, by_choice, inovate_charts.horizon_chart(by_choice, alpha / 2)


def run_early_subset(n_total: int, n_subset: int, control_rate: float, difference: float, *,
                     max_control_drift: float = 0.10, max_effect_drift: float = 0.20, progress=None):
    """The first patients randomised, live (:func:`trialkit.labs.early_subset_lab`) with the reader's
    numbers randomised and analysed, average control remission rate and difference between the arms
    (proportions), and the largest drift over accrual of the control rate and of the effect (the
    figure's sliders run from minus to plus each, 5 and 9 values; one progress step per control drift).

    Returns ``(grid, chart)``."""
    from trialkit.charts import inovate as inovate_charts

    n = _in("n_total", n_total, "n_patients", integer=True)
    k = _in("n_subset", n_subset, "n_patients", integer=True)
    if k > n:
        raise ValueError(f"n_subset must be at most n_total ({n}), got {k}")
    c = _in("control_rate", control_rate, "remission_rate")
    d = _in("difference", difference, "rate_difference")
    if not 0 < c + d < 1:
        raise ValueError(f"difference must keep the experimental rate control_rate + difference in (0, 1), got {c} + {d}")
    mcd = _in("max_control_drift", max_control_drift, "max_drift")
    med = _in("max_effect_drift", max_effect_drift, "max_drift")
    if not (0 < c - mcd / 2 and c + mcd / 2 < 1 and 0 < c + d - (mcd + med) / 2 and c + d + (mcd + med) / 2 < 1):
        raise ValueError(f"max_control_drift ({mcd}) and max_effect_drift ({med}) push a remission rate outside (0, 1) "
                         f"with control_rate {c} and difference {d}: make them smaller")
    cds = tuple(float(x) for x in np.round(np.linspace(-mcd, mcd, 5), 6))
    eds = tuple(float(x) for x in np.round(np.linspace(-med, med, 9), 6))
    parts = []
    for i, cd in enumerate(cds):
        _progress(progress, i, len(cds))
        parts.append(labs.early_subset_lab(n, k, c, d, control_drifts=(cd,), effect_drifts=eds))
    _progress(progress, len(cds), len(cds))
    frame = pd.concat(parts, ignore_index=True)
    chart = inovate_charts.early_subset_chart(frame)
    return frame, _widen_domain(chart, "x", pd.concat([frame["low"], frame["high"], frame["target"]]), step=10.0)


def run_transplant_response(n_patients: int, median_months: float, transplanted_share: float, *, window=(1.0, 4.0),
                            responder_hr: float = 0.6, transplant_hrs=(0.5, 0.75, 1.0, 1.25, 1.5), seed: int = labs.SEED,
                            progress=None):
    """Transplant after response, live (:func:`trialkit.labs.transplant_response_lab`) with the reader's
    cohort size, median survival without transplant (months), share of patients transplanted, window
    (start, end) in months in which transplants happen, and the death rate of responders relative to
    the others in the "fitter anyway" setting, over the book's true transplant effects
    ``transplant_hrs`` (the figure's menu chooses among them; one progress step per cohort, each with
    ``seed`` as in the laboratory).

    Returns ``(grid, chart)``."""
    from trialkit.charts import inovate as inovate_charts

    n = _in("n_patients", n_patients, "cohort_patients", integer=True)
    med = _in("median_months", median_months)
    share = _in("transplanted_share", transplanted_share, "share")
    if isinstance(window, (str, bytes)) or not hasattr(window, "__len__") or len(window) != 2:
        raise ValueError(f"window must be a pair (start, end) in months, got {window!r}")
    w0, w1 = (_in(f"window[{i}]", v, "window_months") for i, v in enumerate(window))
    if w0 >= w1:
        raise ValueError(f"window[0] must be before window[1] ({w1}), got {w0}")
    rhr = _in("responder_hr", responder_hr)
    hrs = grid("transplant_hrs", transplant_hrs, high=10.0)
    cells = [(r, h) for r in (1.0, rhr) for h in hrs]
    parts = []
    for k, (r, h) in enumerate(cells):
        _progress(progress, k, len(cells))
        parts.append(labs.transplant_response_lab(n, med, share, window=(w0, w1), transplant_hrs=(h,), responder_hrs=(r,),
                                                  seed=seed))
    _progress(progress, len(cells), len(cells))
    frame = pd.concat(parts, ignore_index=True)
    chart = inovate_charts.transplant_response_chart(frame)
    return frame, _widen_domain(chart, "x", pd.concat([frame["low"], frame["high"]]))


def run_responders(trial: Trial, response_rates, control_median: float, *, max_months: float = 12.0,
                   betas=(0.25, 0.5, 0.75, 1.0, 1.25, 1.5), thetas=(0.5, 0.6, 0.7, 0.8, 0.9, 1.0), progress=None):
    """Conditioning on response, live (:func:`trialkit.labs.responders_lab`) with the reader's remission
    rates (experimental, control; proportions), the control responders' median remission (months) and
    the months the curves run to (25 times, the middle one quoted), over the book's links between
    resistance and relapse ``betas`` and drug effects on relapse ``thetas`` (the figure's sliders; one
    progress step per beta). Returns ``(curves, summary, chart)``."""
    from trialkit.charts import inovate as inovate_charts

    rates = _pair("response_rates", response_rates, "remission_rate")
    med = _in("control_median", control_median)
    top = _in("max_months", max_months)
    times = np.round(np.linspace(0.0, top, 25), 6)
    bs = grid("betas", betas, low=-0.001, high=3.0)
    parts = []
    for k, b in enumerate(bs):
        _progress(progress, k, len(bs))
        parts.append(labs.responders_lab(rates, med, betas=(b,), thetas=thetas, times=times))
    _progress(progress, len(bs), len(bs))
    curves = pd.concat([p[0] for p in parts], ignore_index=True)
    summary = pd.concat([p[1] for p in parts], ignore_index=True)
    labels = {"experimental": trial.arm_labels[0], "control": trial.arm_labels[1]}
    return curves, summary, inovate_charts.responders_chart(curves, labels)


def two_endpoints(alpha_one_sided: float, expected_z_a: float, expected_z_b: float, names=("endpoint A", "endpoint B")):
    """Two primary endpoints, live: the whole alpha, its split, the expected z statistic of each endpoint."""
    if in_book_build():
        return None
    a, b = names

    def run(progress, alpha_one_sided, alpha_share_a, expected_z_a, expected_z_b):
        return run_two_endpoints(alpha_one_sided, expected_z_a, expected_z_b, alpha_share_a=alpha_share_a, names=names,
                                 progress=progress)[1]

    return Live("Two primary endpoints", {
        "alpha_one_sided": _slider("float", "Whole one-sided alpha", float(alpha_one_sided), "alpha_one_sided", 0.001, ".3f"),
        "alpha_share_a": _slider("float", f"Share of the alpha for {a}", 0.5, "alpha_share", 0.05, ".2f"),
        "expected_z_a": _slider("float", f"Expected z, {a} (planned effect)", round(float(expected_z_a), 2), "expected_z", 0.05, ".2f"),
        "expected_z_b": _slider("float", f"Expected z, {b} (planned effect)", round(float(expected_z_b), 2), "expected_z", 0.05, ".2f"),
    }, run, note="exact calculation")


def horizon(trial: Trial, first_horizon: float = 3.0, last_horizon: float = 36.0, horizon_step: float = 3.0,
            n_shuffles: int = 1000):
    """Choosing the horizon after looking, live: the SYNTHETIC dataset, the candidate horizons, shuffles, level."""
    if in_book_build():
        return None
    import ipywidgets as w

    names = rmst_datasets(trial)

    def run(progress, dataset, first_horizon, last_horizon, horizon_step, n_shuffles, alpha_two_sided):
        return run_horizon(trial, dataset, first_horizon=first_horizon, last_horizon=last_horizon,
                           horizon_step=horizon_step, n_shuffles=n_shuffles, alpha_two_sided=alpha_two_sided,
                           progress=progress)[2]

    return Live("Choosing the horizon after looking", {
        "dataset": w.Dropdown(options=names, value=names[0], description="SYNTHETIC dataset",
                              style={"description_width": "initial"}),
        "first_horizon": _slider("float", "First horizon (months)", float(first_horizon), "horizon_months", 0.5, ".1f"),
        "last_horizon": _slider("float", "Last horizon (months)", float(last_horizon), "horizon_months", 0.5, ".1f"),
        "horizon_step": _slider("float", "Months between horizons", float(horizon_step), "horizon_step_months", 0.25, ".2f"),
        "n_shuffles": _slider("int", "Shuffles", int(n_shuffles), "n_shuffles", 100),
        "alpha_two_sided": _slider("float", "Two-sided level", 0.05, "alpha_two_sided", 0.01, ".2f"),
    }, run, note="shuffled SYNTHETIC patients")


def early_subset(n_total: int, n_subset: int, control_rate: float, difference: float):
    """The first patients randomised, live: numbers randomised and analysed, the rates, the largest drifts."""
    if in_book_build():
        return None

    def run(progress, n_total, n_subset, control_rate, difference, max_control_drift, max_effect_drift):
        return run_early_subset(n_total, n_subset, control_rate, difference, max_control_drift=max_control_drift,
                                max_effect_drift=max_effect_drift, progress=progress)[1]

    return Live("The first patients randomised", {
        "n_total": _slider("int", "Patients randomised", int(n_total), "n_patients", 1),
        "n_subset": _slider("int", "First patients analysed", int(n_subset), "n_patients", 1),
        "control_rate": _slider("float", "Control remission rate", round(float(control_rate), 2), "remission_rate", 0.01, ".2f"),
        "difference": _slider("float", "Difference in remission (proportion)", round(float(difference), 2), "rate_difference", 0.01, ".2f"),
        "max_control_drift": _slider("float", "Largest control-rate drift", 0.10, "max_drift", 0.01, ".2f"),
        "max_effect_drift": _slider("float", "Largest effect drift", 0.20, "max_drift", 0.01, ".2f"),
    }, run, note="exact model calculation")


def transplant_response(n_patients: int, median_months: float, transplanted_share: float, window=(1.0, 4.0)):
    """Transplant after response, live: cohort size, median survival, share transplanted, window, fitness."""
    if in_book_build():
        return None

    def run(progress, n_patients, median_months, transplanted_share, window_start, window_end, responder_hr):
        return run_transplant_response(n_patients, median_months, transplanted_share, window=(window_start, window_end),
                                       responder_hr=responder_hr, progress=progress)[1]

    return Live("Transplant after response", {
        "n_patients": _slider("int", "Patients in the cohort", int(n_patients), "cohort_patients", 50),
        "median_months": _slider("float", "Median survival without transplant (months)", round(float(median_months), 1),
                                 "median_months", 0.1, ".1f"),
        "transplanted_share": _slider("float", "Share who respond and are transplanted if alive", round(float(transplanted_share), 2),
                                      "share", 0.01, ".2f"),
        "window_start": _slider("float", "Transplants from month", float(window[0]), "window_months", 0.25, ".2f"),
        "window_end": _slider("float", "Transplants until month", float(window[1]), "window_months", 0.25, ".2f"),
        "responder_hr": _slider("float", "Death rate of fitter responders (×)", 0.6, "responder_hr", 0.05, ".2f"),
    }, run, note="SYNTHETIC cohorts")


def responders(trial: Trial, response_rates, control_median: float):
    """Conditioning on response, live: each arm's remission rate, the control median remission, the time span."""
    if in_book_build():
        return None
    exp, ctl = trial.arm_labels

    def run(progress, rate_experimental, rate_control, control_median, max_months):
        return run_responders(trial, (rate_experimental, rate_control), control_median, max_months=max_months,
                              progress=progress)[2]

    return Live("Conditioning on response", {
        "rate_experimental": _slider("float", f"Remission rate, {exp.lower()}", round(float(response_rates[0]), 2),
                                     "remission_rate", 0.01, ".2f"),
        "rate_control": _slider("float", f"Remission rate, {ctl.lower()}", round(float(response_rates[1]), 2),
                                "remission_rate", 0.01, ".2f"),
        "control_median": _slider("float", "Median remission, control responders (months)", round(float(control_median), 1),
                                  "control_median", 0.1, ".1f"),
        "max_months": _slider("float", "Curves up to (months)", 12.0, "max_months", 1.0, ".0f"),
    }, run, note="model calculation, not the trial's data")

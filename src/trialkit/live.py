"""Live laboratories: in JupyterLab, each bias laboratory re-runs its simulation with the reader's own
parameters (ipywidgets), and draws the result with the book's chart function.

The static book filters grids precomputed at build time; a kernel can go past the grid. Each laboratory
has two layers:

* a *run* function (:func:`run_stopping`, :func:`run_withdrawal`, :func:`run_transplant`,
  :func:`run_rmst`, :func:`run_exposure`; for E1910 and the pooled analysis :func:`run_transplant_timing`,
  :func:`run_immortal`, :func:`run_epv`, :func:`run_subgroup`): plain parameters in, the laboratory's result and its chart
  out. It checks every parameter against :data:`RANGES` (the ranges the method supports; an error names
  the argument and its range) and reports progress through an optional callback ``progress(done,
  total)``, once per simulated grid point.
* a *widget* function (:func:`stopping`, :func:`withdrawal`, :func:`transplant`, :func:`rmst`,
  :func:`exposure`, :func:`transplant_timing`, :func:`immortal`, :func:`epv`, :func:`subgroup`): sliders and menus that call the run function when they change, with a progress
  bar while it runs. During the book build (:func:`trialkit.book.in_book_build`) it returns ``None``
  (the cell shows nothing; the page's text says once that the laboratories are live when the chapter
  runs locally): the static book never shows a control that does nothing.
"""

from __future__ import annotations

import dataclasses
import time

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

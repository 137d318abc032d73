"""Live laboratories (trialkit.live): the run functions re-run the laboratories with the reader's
parameters, check their ranges, report progress and draw with the book's charts; the widgets re-run
when a control moves, and are absent from the book build."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from trialkit import book, data, labs, live, trials


@pytest.fixture(scope="module")
def tower():
    return trials.describe("tower")


@pytest.fixture(scope="module")
def inovate():
    return trials.describe("inovate")


def test_stopping_with_the_trials_own_parameters_is_the_books_laboratory(tower):
    summary, hist, _ = live.run_stopping(tower, tower.assumed_hr, n_trials=500)
    book_summary, book_hist = labs.stopping_lab(tower, true_hrs=(tower.assumed_hr,), n_trials=500)
    assert summary.equals(book_summary)
    assert hist.equals(book_hist)


def test_stopping_uses_the_readers_parameters(tower):
    small, _, _ = live.run_stopping(tower, 0.7, n_per_arm=(120, 60), planned_events=150, n_trials=1000)
    big, _, _ = live.run_stopping(tower, 0.7, n_per_arm=(271, 134), n_trials=1000)
    # fewer events, less information: fewer trials cross an early boundary
    assert small["share_stopped_early"].iloc[0] < big["share_stopped_early"].iloc[0]
    null, _, _ = live.run_stopping(tower, 1.0, n_trials=4000)
    # with no effect, stopping early is a type I error: below the one-sided alpha (2.5 %) plus sampling error
    assert null["share_stopped_early"].iloc[0] < 0.025 + 3 * np.sqrt(0.025 * 0.975 / 4000)


def test_stopping_works_for_another_trials_design(inovate):
    trial = dataclasses.replace(inovate, looks=(0.5, 1.0)) if inovate.looks is None else inovate
    trial = trial if trial.accrual_months else dataclasses.replace(trial, accrual_months=24.0)
    trial = trial if trial.assumed_control_median else dataclasses.replace(trial, assumed_control_median=6.0)
    summary, _, chart = live.run_stopping(trial, 0.6, n_trials=300)
    assert 0 < summary["power"].iloc[0] <= 1
    assert "SIMULATED" in str(chart.to_dict()["title"])


@pytest.mark.parametrize("kwargs, message", [
    (dict(true_hr=2.0), r"true_hr must be in \[0.3, 1.5\], got 2.0"),
    (dict(true_hr=0.7, n_trials=50), r"n_trials must be in \[100, 20000\]"),
    (dict(true_hr=0.7, n_per_arm=(10, 100)), r"n_per_arm\[0\] must be in \[20, 2000\]"),
    (dict(true_hr=0.7, n_per_arm=(100,)), r"n_per_arm must be a pair \(experimental, control\)"),
    (dict(true_hr=0.7, n_per_arm=(100, 50), planned_events=200), r"planned_events must be at most the number of patients \(150\), got 200"),
    (dict(true_hr=0.7, control_median=0.1), r"control_median must be in \[0.5, 60.0\]"),
])
def test_stopping_errors_name_the_argument_and_range(tower, kwargs, message):
    with pytest.raises(ValueError, match=message):
        live.run_stopping(tower, **kwargs)


def test_withdrawal_follows_the_readers_share_and_reports_progress(tower):
    ticks = []
    grid, chart = live.run_withdrawal(tower, 0.7, 0.3, n_trials=200, progress=lambda done, total: ticks.append((done, total)))
    assert ticks == [(k, 6) for k in range(7)]
    assert set(grid["withdrawal_fraction"]) == {0.3} and set(grid["true_hr"]) == {0.7}
    med = grid.set_index(["withdrawal_hr", "analysis"])["median"]
    # frail control patients leave: the as-treated control arm looks better, the HR rises; fit ones leave: it falls
    assert med[(3.0, "as_treated")] > med[(3.0, "itt")]
    assert med[(0.5, "as_treated")] < med[(0.5, "itt")]
    # the true HR and the share are set by widgets: the figure keeps no slider or radio of a single value
    assert all("bind" not in p for p in chart.to_dict()["params"])


def test_withdrawal_errors(tower):
    with pytest.raises(ValueError, match=r"withdrawal_fraction must be in \[0.01, 0.6\], got 0.9"):
        live.run_withdrawal(tower, 0.7, 0.9)
    with pytest.raises(ValueError, match="withdrawal_arm"):
        live.run_withdrawal(tower, 0.7, 0.2, withdrawal_arm="both")
    with pytest.raises(ValueError, match=r"follow_up_months must be in \[1.0, 120.0\]"):
        live.run_withdrawal(tower, 0.7, 0.2, follow_up_months=0.5)


def test_transplant_uses_the_readers_rate_and_keeps_the_gap_slider(tower):
    ticks = []
    grid, chart = live.run_transplant(tower, 0.7, transplant_rate=0.3, n_trials=100, non_candidate_hrs=(1.0, 3.0),
                                      progress=lambda d, t: ticks.append(d))
    assert ticks == [0, 1, 2]
    cens = grid[(grid["analysis"] == "censored_at_transplant") & (grid["pattern"] == "Equal in both arms")]
    low, _ = live.run_transplant(tower, 0.7, transplant_rate=0.02, n_trials=100, non_candidate_hrs=(1.0, 3.0))
    low_cens = low[(low["analysis"] == "censored_at_transplant") & (low["pattern"] == "Equal in both arms")]
    assert (cens["transplanted_control"].to_numpy() > low_cens["transplanted_control"].to_numpy()).all()
    binds = [p.get("bind", {}).get("input") for p in chart.to_dict()["params"]]
    assert binds == ["range", "radio"]
    with pytest.raises(ValueError, match=r"transplant_rate must be in \[0.01, 0.5\]"):
        live.run_transplant(tower, 0.7, transplant_rate=0.9)
    with pytest.raises(ValueError, match=r"candidate_fraction must be in \[0.05, 0.95\]"):
        live.run_transplant(tower, 0.7, candidate_fraction=1.0)


def test_rmst_runs_on_each_of_the_trials_datasets(tower):
    names = live.rmst_datasets(tower)
    assert names and all(n.startswith("tower_") for n in names)
    out = {n: live.run_rmst(tower, n)[1] for n in names}
    if len(names) > 1:
        assert not out[names[0]]["difference"].equals(out[names[1]]["difference"])
    with pytest.raises(ValueError, match="dataset must be one of"):
        live.run_rmst(tower, "inovate_os")


def test_exposure_uses_the_readers_rates(tower):
    rates = {a: data.row("tower", "adverse_events", f"sae_rate_exposure_adjusted_{a}")["value_num"] for a in tower.arms}
    pct = {a: data.row("tower", "adverse_events", f"ae_serious_{a}")["percent_num"] for a in tower.arms}
    grid, _ = live.run_exposure(tower, {a: 100.0 for a in tower.arms}, pct, max_months=12.0)
    assert grid["months"].max() == 12.0
    row = grid[(grid["scenario"] == labs.RATE_SCENARIOS[0]) & (grid["months"] == 12.0)]
    # 100 events per 100 patient-years for a year: 1 - exp(-1) of patients have at least one
    assert np.allclose(row["crude_percent"], 100 * (1 - np.exp(-1.0)))
    with pytest.raises(ValueError, match=r"rates\['blinatumomab'\] must be in \[1.0, 5000.0\]"):
        live.run_exposure(tower, {a: 0.0 for a in tower.arms}, pct)
    with pytest.raises(ValueError, match="rates must map"):
        live.run_exposure(tower, {"chemotherapy": 1.0, "blinatumomab": 2.0}, pct)
    assert rates  # the published rates exist for the page's widget


def test_widgets_are_absent_from_the_book_build(tower, monkeypatch):
    monkeypatch.setenv(book.BOOK_BUILD_ENV, "1")
    for made in (live.stopping(tower), live.withdrawal(tower), live.transplant(tower), live.rmst(tower),
                 live.exposure(tower, {}, {})):
        assert made is None


def test_moving_a_control_reruns_the_laboratory(tower, monkeypatch):
    monkeypatch.delenv(book.BOOK_BUILD_ENV, raising=False)
    lab = live.stopping(tower, n_trials=200)
    assert isinstance(lab, live.Live)
    lab.refresh()
    assert lab.runs == 1 and lab.status.value.startswith("run 1:")
    lab.controls["true_hr"].value = 0.9
    assert lab.runs == 2
    lab.controls["planned_events"].value = 20
    lab.controls["n_experimental"].value = 20
    lab.controls["n_control"].value = 20
    assert lab.runs == 5 and lab.bar.layout.visibility == "hidden"
    lab.controls["planned_events"].value = 45  # more deaths than the 40 patients: an error, shown in place of a chart
    assert lab.runs == 5 and "planned_events must be at most the number of patients (40)" in lab.status.value


def test_lab_settings_open_chapters_as_notebooks_and_keep_the_readers_own(tmp_path):
    import json

    from trialkit.tooling import lab

    own = tmp_path / "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings"
    own.parent.mkdir(parents=True)
    own.write_text(json.dumps({"autosaveInterval": 30}))
    lab.write_settings(tmp_path)
    settings = json.loads(own.read_text())
    assert settings["autosaveInterval"] == 30
    assert settings["defaultViewers"]["markdown"] == "Jupytext Notebook"
    cmd = lab.command(tmp_path, 8123, "abc", open_browser=False)
    assert "--ServerApp.port=8123" in cmd and "--IdentityProvider.token=abc" in cmd
    assert "--ServerApp.default_url=/lab/tree/book" in cmd


# --- E1910 and the pooled analysis: immortal time ------------------------------------------------------


def test_transplant_timing_with_the_books_parameters_is_the_books_laboratory():
    from trialkit.labs import transplant_timing

    grid, chart = live.run_transplant_timing(300, 60.0, 96.0, n_trials=20)
    book_grid = transplant_timing.transplant_timing_lab(n_patients=300, death_median_months=60.0,
                                                        transplant_median_months=96.0, follow_up_months=48.0, n_trials=20)
    assert grid.equals(book_grid)
    assert "SIMULATED" in str(chart.to_dict()["title"])


def test_transplant_timing_follows_the_readers_timing_and_reports_progress():
    steps = []
    late, _ = live.run_transplant_timing(300, 60.0, 96.0, n_trials=60, transplant_hrs=(1.0,), progress=lambda d, t: steps.append((d, t)))
    early, _ = live.run_transplant_timing(300, 60.0, 3.0, landmark_months=1.0, n_trials=60, transplant_hrs=(1.0,))
    assert steps == [(0, 1), (1, 1)]
    # the reader's timing decides how many are transplanted within follow-up
    assert early["transplanted"].iloc[0] > 0.8 > 0.4 > late["transplanted"].iloc[0]
    for g in (early, late):
        est = g.set_index("analysis")["median"]
        # transplant does nothing: from time zero it seems to help; the time-varying model finds no effect
        assert est["naive"] < 0.8 and 0.8 < est["time_varying"] < 1.25


@pytest.mark.parametrize("args, kwargs, message", [
    ((10, 60.0, 96.0), {}, r"n_patients must be in \[20, 5000\], got 10"),
    ((300, 300.0, 96.0), {}, r"death_median_months must be in \[0.5, 240.0\]"),
    ((300, 60.0, 96.0), dict(landmark_months=48.0), r"landmark_months must be shorter than follow_up_months \(48.0\), got 48.0"),
    ((300, 60.0, 96.0), dict(n_trials=5), r"n_trials must be in \[20, 2000\]"),
])
def test_transplant_timing_errors_name_the_argument_and_range(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        live.run_transplant_timing(*args, **kwargs)


def test_immortal_with_the_books_parameters_is_the_books_laboratory():
    from trialkit.labs import immortal

    grid, chart = live.run_immortal(200, 6.0, 0.4, 1.5, landmarks=(0.75, 1.5), state="response", title="Responders",
                                    n_trials=20)
    book_grid = immortal.immortal_lab(n_patients=200, median_months=6.0, share=0.4, window=1.5, landmarks=(0.75, 1.5),
                                      n_trials=20)
    assert grid.equals(book_grid)
    assert chart.to_dict()["title"]["text"] == "Responders"


def test_immortal_follows_the_readers_window_and_reports_progress():
    steps = []
    short, _ = live.run_immortal(300, 6.0, 0.4, 0.5, landmarks=(6.0,), state="response", title="t", effect_hrs=(1.0,),
                                 n_trials=60, progress=lambda d, t: steps.append((d, t)))
    long_, _ = live.run_immortal(300, 6.0, 0.4, 6.0, landmarks=(6.0,), state="response", title="t", effect_hrs=(1.0,),
                                 n_trials=60)
    assert steps == [(0, 1), (1, 1)]
    naive = lambda g: g.set_index("analysis").loc["naive", "median"]  # noqa: E731
    # the state does nothing: the longer patients must survive to reach it, the more it seems to help
    assert naive(long_) < naive(short) < 1.0


@pytest.mark.parametrize("kwargs, message", [
    (dict(share=0.99), r"share must be in \[0.01, 0.95\]"),
    (dict(window=30.0), r"window must be in \[0.25, 24.0\]"),
    (dict(window=12.0, follow_up=12.0), r"window must be shorter than follow_up \(12.0\), got 12.0"),
    (dict(median_months=0.1), r"median_months must be in \[0.5, 240.0\]"),
])
def test_immortal_errors_name_the_argument_and_range(kwargs, message):
    args = dict(n_patients=200, median_months=6.0, share=0.4, window=1.5, landmarks=(1.5,), state="response", title="t")
    with pytest.raises(ValueError, match=message):
        live.run_immortal(**{**args, **kwargs})


def test_new_widgets_are_absent_from_the_book_build_and_rerun_locally(monkeypatch):
    monkeypatch.setenv(book.BOOK_BUILD_ENV, "1")
    assert live.transplant_timing(300, 60.0, 96.0) is None
    assert live.immortal(200, 6.0, 0.4, 1.5, landmarks=(1.5,), state="response", title="t") is None
    monkeypatch.delenv(book.BOOK_BUILD_ENV)
    lab = live.immortal(200, 6.0, 0.4, 1.5, landmarks=(0.75, 1.5), state="response", title="t")
    lab.controls["n_trials"].value = 20
    assert lab.runs == 1 and lab.status.value.startswith("run 1:")
    lab.controls["share"].value = 0.5
    assert lab.runs == 2
    tx = live.transplant_timing(300, 60.0, 96.0)
    tx.controls["n_trials"].value = 20
    assert tx.runs == 1
    tx.controls["landmark_months"].value = 50.0  # past the 48-month follow-up: the error, not a stale chart
    assert tx.runs == 1 and "landmark_months must be shorter than follow_up_months" in tx.status.value


def test_epv_with_the_books_parameters_is_the_books_laboratory_and_follows_the_readers_events():
    from trialkit.labs import epv

    steps = []
    many, chart = live.run_epv(123, 90, n_trials=200, progress=lambda d, t: steps.append((d, t)))
    assert many.equals(epv.screen_lab(n_patients=123, n_events=90, candidates=(1, 3, 6, 9, 11, 15, 20), n_trials=200))
    assert steps == [(0, 1), (1, 1)] and "SIMULATED" in str(chart.to_dict()["title"])
    few, _ = live.run_epv(123, 20, n_trials=200)
    # fewer events per variable: the factor that passes the screen looks stronger than with more events
    assert few["median_selected_hr"].iloc[0] > many["median_selected_hr"].iloc[0]


@pytest.mark.parametrize("args, kwargs, message", [
    ((123, 200), {}, r"n_events must be at most n_patients \(123\), got 200"),
    ((123, 1), {}, r"n_events must be in \[2, 5000\]"),
    ((123, 90), dict(prevalence=0.0), r"prevalence must be in \[0.05, 0.95\]"),
])
def test_epv_errors_name_the_argument_and_range(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        live.run_epv(*args, **kwargs)


def test_epv_widget_is_absent_from_the_book_build(monkeypatch):
    monkeypatch.setenv(book.BOOK_BUILD_ENV, "1")
    assert live.epv(123, 90) is None


def test_subgroup_with_the_books_parameters_is_the_books_laboratory_and_follows_the_readers_errors():
    steps = []
    draws, chart = live.run_subgroup(0.42, 0.3, 0.35, (0.3, 0.6), n=2000, progress=lambda d, t: steps.append((d, t)))
    assert draws.equals(labs.common_effect_draws(0.42, 0.3, 0.35, n=2000))
    assert steps == [(0, 1), (1, 1)] and "SIMULATED" in str(chart.to_dict()["title"])
    precise, _ = live.run_subgroup(0.42, 0.1, 0.1, (0.3, 0.6), n=2000)
    spread = lambda d: float(np.log(d["ratio"]).std())  # noqa: E731
    # smaller standard errors (larger subgroups): the two estimates of one common effect differ less
    assert spread(precise) < spread(draws) / 2
    assert abs(float(np.median(precise["hr_a"])) - 0.42) < 0.02


@pytest.mark.parametrize("args, kwargs, message", [
    ((0.42, 0.0, 0.3, (0.3, 0.6)), {}, r"se_a must be in \[0.02, 2.0\]"),
    ((0.42, 0.3, 0.3, (0.3,)), {}, r"observed must be the published pair"),
    ((0.42, 0.3, 0.3, (0.3, 0.6)), dict(n=50), r"n must be in \[100, 20000\]"),
])
def test_subgroup_errors_name_the_argument_and_range(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        live.run_subgroup(*args, **kwargs)


def test_subgroup_widget_is_absent_from_the_book_build_and_reruns_locally(monkeypatch):
    monkeypatch.setenv(book.BOOK_BUILD_ENV, "1")
    assert live.subgroup(0.42, 0.3, 0.35, (0.3, 0.6)) is None
    monkeypatch.delenv(book.BOOK_BUILD_ENV)
    lab = live.subgroup(0.42, 0.3, 0.35, (0.3, 0.6))
    lab.refresh()
    lab.controls["se_a"].value = 0.1
    assert lab.runs == 2 and lab.status.value.startswith("run 2:")

"""Live laboratories of the INO-VATE ALL chapter (trialkit.live): each run function gives the laboratory
it wraps for the same parameters, follows the reader's parameters, rejects out-of-range ones with an
error naming the argument, reports progress and draws with the book's chart; each widget is absent from
the book build and re-runs when a control moves."""

from __future__ import annotations

import json

import numpy as np
import pytest

from trialkit import book, labs, live, synth, trials
from trialkit.chapters import inovate
from trialkit.labs import two_endpoints as te


@pytest.fixture(scope="module")
def trial():
    return trials.describe("inovate")


@pytest.fixture(scope="module")
def p(trial):
    """The laboratories' parameters as the chapter derives them from the trial's data."""
    row = inovate.value
    remission = {a: row("responses", f"cr_cri_{a}") / row("flow", f"remission_analysis_{a}") for a in trial.arms}
    exp, ctl = trial.arms
    return {
        "alpha": row("planning", "alpha_total_one_sided"),
        "z_cr": labs.drift_from_power(row("planning", "alpha_cr_one_sided"), row("planning", "power_cr") / 100),
        "z_os": labs.drift_from_power(row("planning", "alpha_os_one_sided"), row("planning", "power_os") / 100),
        "n_all": int(row("flow", "randomized_total_overall")),
        "n_early": int(row("flow", "remission_analysis_overall")),
        "p_c": remission[ctl], "diff": remission[exp] - remission[ctl],
        "rates": (remission[exp], remission[ctl]),
        "os_median_c": row("survival", "os_median_standard"),
        "dor_median_c": row("survival", "dor_median_standard"),
        "tx_share": row("transplant", "sct_inotuzumab") / row("flow", "remission_analysis_inotuzumab"),
    }


def ticker():
    ticks = []
    return ticks, lambda done, total: ticks.append((done, total))


def chart_json(chart) -> str:
    return json.dumps(chart.to_dict())


# --- two primary endpoints -----------------------------------------------------------------------------


def test_an_uneven_split_spends_each_share_of_the_alpha_on_its_endpoint():
    # with no effect, endpoint A is claimed with exactly its share of the alpha (its own one-sided test)
    for share in (0.2, 0.5, 0.8):
        r = te.rejection_probabilities("split", 0.025, 0.0, 0.0, 0.4, share_a=share)
        assert np.isclose(r["claim_a"], 0.025 * share) and np.isclose(r["claim_b"], 0.025 * (1 - share))
        assert r["any"] <= 0.025 + 1e-12  # Bonferroni: any split keeps the familywise error at the level
    even = te.two_endpoints_lab(0.025, 3.0, 2.5)
    assert even.equals(te.two_endpoints_lab(0.025, 3.0, 2.5, share_a=0.5))
    with pytest.raises(ValueError, match="share_a"):
        te.rejection_probabilities("split", 0.025, 0.0, 0.0, 0.4, share_a=1.0)


def test_two_endpoints_with_the_books_parameters_is_the_books_laboratory(p):
    ticks, tick = ticker()
    book_rhos = tuple(float(r) for r in np.round(np.arange(0.0, 0.91, 0.1), 2))
    grid, chart = live.run_two_endpoints(p["alpha"], p["z_cr"], p["z_os"], correlations=book_rhos,
                                         names=("remission", "survival"), progress=tick)
    assert grid.equals(labs.two_endpoints_lab(p["alpha"], p["z_cr"], p["z_os"]))
    assert ticks == [(k, len(book_rhos)) for k in range(len(book_rhos) + 1)]
    assert "Alpha split evenly" in chart_json(chart)


def test_two_endpoints_follows_the_readers_split_and_correlations(p):
    even, _ = live.run_two_endpoints(p["alpha"], p["z_cr"], p["z_os"])
    uneven, chart = live.run_two_endpoints(p["alpha"], p["z_cr"], p["z_os"], alpha_share_a=0.8,
                                           names=("remission", "survival"))
    assert min(even["rho"]) < 0 < max(even["rho"])  # past the book's grid: negative correlations too
    pick = lambda g, scen: g[(g["strategy"] == "split") & (g["scenario"] == scen) & np.isclose(g["rho"], 0.3)].iloc[0]  # noqa: E731
    # more of the alpha to remission: its power rises, survival's falls
    assert pick(uneven, "both")["claim_a"] > pick(even, "both")["claim_a"]
    assert pick(uneven, "both")["claim_b"] < pick(even, "both")["claim_b"]
    # the figure names the reader's split, not "evenly"
    text = chart_json(chart)
    assert "Alpha split 80:20" in text and "Alpha split evenly" not in text


@pytest.mark.parametrize("kwargs, message", [
    (dict(alpha_one_sided=0.3), r"alpha_one_sided must be in \[0.001, 0.1\]"),
    (dict(expected_z_a=-1.0), r"expected_z_a must be in \[0.0, 8.0\]"),
    (dict(alpha_share_a=0.99), r"alpha_share_a must be in \[0.05, 0.95\]"),
    (dict(correlations=(0.2, 0.99)), r"correlations\[1\] must be in \[-0.95, 0.95\]"),
    (dict(correlations=(0.2,)), r"correlations must list at least two correlations"),
])
def test_two_endpoints_errors_name_the_argument_and_range(kwargs, message):
    args = dict(alpha_one_sided=0.025, expected_z_a=3.0, expected_z_b=3.0)
    with pytest.raises(ValueError, match=message):
        live.run_two_endpoints(**{**args, **kwargs})


# --- choosing the horizon ------------------------------------------------------------------------------


def test_horizon_with_one_chunk_is_the_laboratory_and_chunks_pool_the_laboratorys_runs(trial):
    frame = synth.frame("inovate_os")
    taus = (3.0, 6.0, 9.0, 12.0)
    by_h, by_c, chart = live.run_horizon(trial, "inovate_os", first_horizon=3.0, last_horizon=12.0, n_shuffles=200)
    book_h, book_c = labs.horizon_lab(frame, taus, n_shuffles=200)
    assert by_h.equals(book_h) and by_c.equals(book_c)
    assert "SYNTHETIC" in chart_json(chart)
    ticks, tick = ticker()
    _, pooled, _ = live.run_horizon(trial, "inovate_os", first_horizon=3.0, last_horizon=12.0, n_shuffles=300, chunk=150,
                                    progress=tick)
    assert ticks == [(0, 2), (1, 2), (2, 2)]
    parts = [labs.horizon_lab(frame, taus, n_shuffles=150, seed=labs.SEED + k)[1] for k in range(2)]
    assert np.allclose(pooled["significant"], (parts[0]["significant"] + parts[1]["significant"]) / 2)


def test_horizon_follows_the_readers_horizons_and_level(trial):
    _, few, _ = live.run_horizon(trial, "inovate_pfs", first_horizon=2.0, last_horizon=8.0, horizon_step=2.0,
                                 n_shuffles=200)
    assert sorted(few["last_tau"].unique()) == [2.0, 4.0, 6.0, 8.0]
    _, loose, _ = live.run_horizon(trial, "inovate_pfs", first_horizon=2.0, last_horizon=8.0, horizon_step=2.0,
                                   n_shuffles=200, alpha_two_sided=0.2)
    # a looser level: more shuffles look significant at every number of horizons
    assert (loose["significant"].to_numpy() >= few["significant"].to_numpy()).all()
    assert loose["significant"].sum() > few["significant"].sum()


def test_horizon_errors_name_the_argument_and_range(trial):
    end = min(synth.frame("inovate_os").query("arm == @a")["time"].max() for a in trial.arms)
    with pytest.raises(ValueError, match=rf"last_horizon must be at most {end:.1f} months"):
        live.run_horizon(trial, "inovate_os", last_horizon=100.0)
    with pytest.raises(ValueError, match="dataset must be one of"):
        live.run_horizon(trial, "tower_os")
    with pytest.raises(ValueError, match=r"n_shuffles must be in \[100, 5000\]"):
        live.run_horizon(trial, "inovate_os", n_shuffles=50)
    with pytest.raises(ValueError, match="must give at least two horizons"):
        live.run_horizon(trial, "inovate_os", first_horizon=12.0, last_horizon=6.0)


# --- the early-randomised subset -----------------------------------------------------------------------


def test_early_subset_with_the_books_parameters_is_the_books_laboratory(p):
    ticks, tick = ticker()
    grid, _ = live.run_early_subset(p["n_all"], p["n_early"], p["p_c"], p["diff"], progress=tick)
    book_grid = labs.early_subset_lab(p["n_all"], p["n_early"], p["p_c"], p["diff"])
    assert np.allclose(grid.select_dtypes("number"), book_grid.select_dtypes("number"))
    assert (grid["analysis"] == book_grid["analysis"]).all()
    assert ticks == [(k, 5) for k in range(6)]


def test_early_subset_follows_the_readers_numbers_and_keeps_the_marks_in_the_plot(p):
    small, chart = live.run_early_subset(p["n_all"], 60, 0.3, 0.05, max_effect_drift=0.3)
    assert set(small["patients"]) == {60, p["n_all"]} and np.isclose(small["effect_drift"].max(), 30.0)
    first = small[small["analysis"] == "First patients only"]
    # with the effect larger in the first entrants, the early subset overestimates it
    assert (first.loc[first["effect_drift"] > 0, "bias"] > 0).all()
    domain = chart.to_dict()["layer"][0]["encoding"]["x"]["scale"]["domain"]
    assert domain[0] <= small["low"].min() and domain[1] >= small["high"].max()


@pytest.mark.parametrize("args, kwargs, message", [
    ((326, 400, 0.3, 0.5), {}, r"n_subset must be at most n_total \(326\), got 400"),
    ((326, 218, 0.0, 0.5), {}, r"control_rate must be in \[0.02, 0.98\]"),
    ((326, 218, 0.3, 0.8), {}, r"difference must keep the experimental rate"),
    ((326, 218, 0.3, 0.5), dict(max_effect_drift=0.6), r"max_effect_drift must be in \[0.01, 0.5\]"),
    ((326, 218, 0.3, 0.6), dict(max_effect_drift=0.3), r"max_control_drift \(0.1\) and max_effect_drift \(0.3\) push"),
])
def test_early_subset_errors_name_the_argument_and_range(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        live.run_early_subset(*args, **kwargs)


# --- transplant after response -------------------------------------------------------------------------


def test_transplant_response_is_the_laboratory_and_follows_the_readers_share(p):
    ticks, tick = ticker()
    grid, chart = live.run_transplant_response(300, p["os_median_c"], p["tx_share"], transplant_hrs=(1.0, 1.5),
                                               progress=tick)
    book_grid = labs.transplant_response_lab(300, p["os_median_c"], p["tx_share"], transplant_hrs=(1.0, 1.5))
    assert grid.equals(book_grid)
    assert ticks == [(k, 4) for k in range(5)]
    more, _ = live.run_transplant_response(300, p["os_median_c"], 0.8, window=(0.5, 2.0), responder_hr=0.3,
                                           transplant_hrs=(1.0,))
    assert more["transplanted"].min() > grid["transplanted"].max()
    assert sorted(more["responder_hr"].unique()) == [0.3, 1.0]
    domain = chart.to_dict()["layer"][1]["encoding"]["x"]["scale"]["domain"]
    assert domain[0] <= grid["low"].min() and domain[1] >= grid["high"].max()


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_patients=50), r"n_patients must be in \[100, 5000\]"),
    (dict(window=(4.0, 1.0)), r"window\[0\] must be before window\[1\] \(1.0\), got 4.0"),
    (dict(window=(1.0,)), r"window must be a pair \(start, end\)"),
    (dict(responder_hr=1.0), r"responder_hr must be in \[0.1, 0.95\]"),
    (dict(transplanted_share=0.0), r"transplanted_share must be in \[0.01, 0.95\]"),
])
def test_transplant_response_errors_name_the_argument_and_range(kwargs, message):
    args = dict(n_patients=300, median_months=6.0, transplanted_share=0.4)
    with pytest.raises(ValueError, match=message):
        live.run_transplant_response(**{**args, **kwargs})


# --- conditioning on response --------------------------------------------------------------------------


def test_responders_with_the_books_parameters_is_the_books_laboratory(trial, p):
    ticks, tick = ticker()
    curves, summary, chart = live.run_responders(trial, p["rates"], p["dor_median_c"], progress=tick)
    book_curves, book_summary = labs.responders_lab(p["rates"], p["dor_median_c"])
    assert np.allclose(curves.select_dtypes("number"), book_curves.select_dtypes("number"))
    assert np.allclose(summary, book_summary)
    assert ticks == [(k, 6) for k in range(7)]
    assert trial.arm_labels[0] in chart_json(chart)


def test_responders_follow_the_readers_rates_and_time_span(trial, p):
    _, same, _ = live.run_responders(trial, (p["rates"][1], p["rates"][1]), p["dor_median_c"], max_months=24.0)
    _, better, _ = live.run_responders(trial, (0.9, p["rates"][1]), p["dor_median_c"], max_months=24.0)
    assert np.allclose(same["mid_time"], 12.0)
    at = lambda s: s[np.isclose(s["beta"], 1.0) & np.isclose(s["theta"], 1.0)].iloc[0]  # noqa: E731
    # equal remission rates: the responders are alike; a better drug's responders look worse
    assert np.isclose(at(same)["median_experimental"], at(same)["median_control"], rtol=1e-6)
    assert at(better)["median_experimental"] < at(same)["median_experimental"]
    assert at(better)["per_randomised_mid_experimental"] > at(same)["per_randomised_mid_experimental"]


@pytest.mark.parametrize("args, kwargs, message", [
    (((0.8,), 4.0), {}, r"response_rates must be a pair \(experimental, control\)"),
    (((1.0, 0.3), 4.0), {}, r"response_rates\[0\] must be in \[0.02, 0.98\]"),
    (((0.8, 0.3), 0.1), {}, r"control_median must be in \[0.5, 60.0\]"),
    (((0.8, 0.3), 4.0), dict(max_months=90.0), r"max_months must be in \[1.0, 60.0\]"),
])
def test_responders_errors_name_the_argument_and_range(trial, args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        live.run_responders(trial, *args, **kwargs)


# --- widgets -------------------------------------------------------------------------------------------


def widgets(trial, p, n_patients=2000):
    return {
        "two_endpoints": lambda: live.two_endpoints(p["alpha"], p["z_cr"], p["z_os"], names=("remission", "survival")),
        "horizon": lambda: live.horizon(trial, n_shuffles=200),
        "early_subset": lambda: live.early_subset(p["n_all"], p["n_early"], p["p_c"], p["diff"]),
        "transplant_response": lambda: live.transplant_response(n_patients, p["os_median_c"], p["tx_share"], (1.0, 4.0)),
        "responders": lambda: live.responders(trial, p["rates"], p["dor_median_c"]),
    }


def test_inovate_widgets_are_absent_from_the_book_build(trial, p, monkeypatch):
    monkeypatch.setenv(book.BOOK_BUILD_ENV, "1")
    for name, make in widgets(trial, p).items():
        assert make() is None, name


@pytest.mark.parametrize("name, control, value", [
    ("two_endpoints", "alpha_share_a", 0.7),
    ("horizon", "last_horizon", 24.0),
    ("early_subset", "max_effect_drift", 0.25),
    ("transplant_response", "responder_hr", 0.5),
    ("responders", "max_months", 24.0),
])
def test_moving_a_control_reruns_the_inovate_laboratory(trial, p, monkeypatch, name, control, value):
    monkeypatch.delenv(book.BOOK_BUILD_ENV, raising=False)
    lab = widgets(trial, p, n_patients=150)[name]()
    assert isinstance(lab, live.Live)
    drawn, run = [], lab._run
    lab._run = lambda **kw: drawn.append(run(**kw)) or drawn[-1]  # keep each figure the widget draws
    lab.refresh()
    assert lab.runs == 1 and lab.status.value.startswith("run 1:")
    lab.controls[control].value = value
    assert lab.runs == 2 and lab.bar.layout.visibility == "hidden"
    assert len(drawn) == 2 and chart_json(drawn[1]) != chart_json(drawn[0])


def test_a_bad_combination_shows_its_error_in_place_of_the_figure(trial, p, monkeypatch):
    monkeypatch.delenv(book.BOOK_BUILD_ENV, raising=False)
    lab = widgets(trial, p)["early_subset"]()
    lab.refresh()
    lab.controls["n_subset"].value = p["n_all"] + 10
    assert lab.runs == 1 and f"n_subset must be at most n_total ({p['n_all']})" in lab.status.value
    tx = widgets(trial, p, n_patients=150)["transplant_response"]()
    tx.controls["window_start"].value = 5.0  # after the window's end (4 months)
    assert tx.runs == 0 and "window[0] must be before window[1] (4.0), got 5.0" in tx.status.value

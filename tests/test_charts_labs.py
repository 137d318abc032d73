"""trialkit.charts.trial and trialkit.charts.labs: every figure builds a valid Vega-Lite specification with a title, a
description, bound inputs where it is interactive, and says SYNTHETIC/SIMULATED where it should."""

from __future__ import annotations

import pytest

import dataclasses
import json

from trialkit import labs, synth, trials
from trialkit.chapters import baseline, tower
from trialkit.charts import labs as lc
from trialkit.charts import trial as tc

from _helpers import bound_params

TOWER = trials.describe("tower")


def _spec(chart) -> dict:
    return chart.to_dict()


def _title(spec) -> str:
    t = spec.get("title", "")
    if isinstance(t, dict):
        sub = t.get("subtitle", "")
        return str(t.get("text", "")) + " " + (" ".join(sub) if isinstance(sub, list) else str(sub))
    return str(t)


def _bound_params(spec) -> list[dict]:
    return bound_params(spec)


@pytest.fixture(scope="module")
def grids():
    stop_summary, stop_hist = labs.stopping_lab(TOWER, true_hrs=(0.7, 0.8), n_trials=200)
    return {
        "stop": (stop_summary, stop_hist),
        "wd": labs.withdrawal_lab(TOWER, true_hrs=(0.7, 0.8), withdrawal_hrs=(0.5, 1.0, 2.0), withdrawal_fractions=(0.05, TOWER.never_treated[1]), n_trials=60),
        "tx": labs.transplant_lab(TOWER, non_candidate_hrs=(1.0, 2.0), n_trials=60),
        "rmst": labs.rmst_lab("tower_os", horizons=(3.0, 6.0, 12.0)),
        "exp": labs.exposure_lab({"blinatumomab": 349.4, "chemotherapy": 641.9}, months=(0.5, 1.0, 3.0)),
        "esmo": labs.esmo_grid(TOWER, gains=(1.0, 2.0, 3.7)),
    }


def _check(chart, n_inputs: int, words=()):
    spec = _spec(chart)
    assert spec.get("description"), "every chart needs a description"
    titles = " ".join([_title(spec)] + [_title(s) for s in spec.get("vconcat", []) + spec.get("hconcat", [])])
    assert titles.strip(), "every chart needs a title"
    for w in words:
        assert w in titles, f"{w!r} missing from the title/subtitle"
    params = _bound_params(spec)
    assert len(params) == n_inputs
    return spec, params


def test_static_figures():
    _check(tc.balance_plot(TOWER, baseline.balance()), 0)
    _check(lc.boundaries_chart(TOWER, labs.interim_plan(TOWER), labs.stop_check(TOWER)), 0)
    _check(tc.remission_chart(TOWER, tower.remission_rates()), 0)
    spec, _ = _check(tc.efs_ceiling_chart(TOWER, tower.efs_ceiling()), 0)
    assert "43.9" in spec["description"]
    _check(tc.synthetic_km_chart(TOWER, synth.km_curves(["tower_os"]), synth.published_anchors("tower_os"), "OS", "Alive (%)"),
           0, words=("SYNTHETIC",))
    risk = synth.at_risk("tower_os", [0, 6, 12])
    spec, _ = _check(tc.synthetic_km_chart(TOWER, synth.km_curves(["tower_os"]), synth.published_anchors("tower_os"), "OS", "Alive (%)",
                                           at_risk=risk), 0, words=("SYNTHETIC",))
    strip = spec["vconcat"][1]
    assert "Number at risk (SYNTHETIC)" in str(strip["title"]) and strip["encoding"]["text"]["field"] == "n"
    spec, _ = _check(tc.adverse_events_chart(TOWER, tower.adverse_event_rates(), {"blinatumomab": 267, "chemotherapy": 109}), 0)
    assert "267 blinatumomab" in _title(spec)


def test_laboratories_have_bound_inputs_on_their_grids(grids):
    s, h = grids["stop"]
    _, params = _check(lc.stopping_lab_chart(TOWER, s, h), 1, words=("SIMULATED", "SYNTHETIC"))
    assert params[0]["bind"]["min"] == 0.7 and params[0]["bind"]["max"] == 0.8
    _, params = _check(lc.withdrawal_lab_chart(TOWER, grids["wd"]), 2, words=("SIMULATED",))
    assert {p["bind"]["input"] for p in params} == {"range", "radio"}
    assert params[1]["bind"]["labels"][1] == "19 % (TOWER)"  # 25 of 134 never treated
    assert "never treated" in params[1]["bind"]["name"]
    _check(lc.transplant_lab_chart(TOWER, grids["tx"]), 2, words=("SIMULATED",))
    curves, table, summary = grids["rmst"]
    _check(lc.rmst_lab_chart(TOWER, curves, table, summary), 1, words=("SYNTHETIC",))
    _, params = _check(lc.exposure_lab_chart(TOWER, grids["exp"], {"blinatumomab": 3.0, "chemotherapy": 1.0},
                                             {"blinatumomab": 61.8, "chemotherapy": 45.0}), 3)
    assert sorted(p["bind"]["input"] for p in params) == ["range", "range", "select"]
    _, params = _check(lc.esmo_sensitivity_chart(TOWER, grids["esmo"]), 3)
    assert sorted(p["bind"]["input"] for p in params) == ["checkbox", "range", "select"]


def test_slider_defaults_lie_on_the_grid(grids):
    s, h = grids["stop"]
    spec = _spec(lc.stopping_lab_chart(TOWER, s, h))
    assert _bound_params(spec)[0]["value"] in set(s["true_hr"])
    spec = _spec(lc.esmo_sensitivity_chart(TOWER, grids["esmo"]))
    gain = next(p for p in _bound_params(spec) if p["bind"]["input"] == "range")
    assert gain["value"] == 3.7


def test_laboratory_charts_speak_of_the_trial_they_are_given():
    """The same chart functions for E1910 (with assumptions added): its name and arm labels appear, TOWER's never."""
    e1910 = dataclasses.replace(trials.describe("e1910"), looks=(0.5, 0.75, 1.0), assumed_control_median=60.0,
                                control_median=60.0, accrual_months=71.0, treated=(111, 112),
                                primary_median_gain=2.0)
    charts = [
        lc.boundaries_chart(e1910, labs.interim_plan(e1910), labs.stop_check(e1910)),
        lc.stopping_lab_chart(e1910, *labs.stopping_lab(e1910, true_hrs=(0.55, 1.0), n_trials=100)),
        lc.withdrawal_lab_chart(e1910, labs.withdrawal_lab(e1910, true_hrs=(0.55,), withdrawal_hrs=(1.0, 2.0),
                                                           withdrawal_arm="experimental", n_trials=50),
                                withdrawal_arm="experimental"),
        lc.transplant_lab_chart(e1910, labs.transplant_lab(e1910, non_candidate_hrs=(1.0, 2.0), n_trials=50)),
        lc.rmst_lab_chart(e1910, *labs.rmst_lab("e1910_os", horizons=(12.0, 24.0))),
        lc.exposure_lab_chart(e1910, labs.exposure_lab(dict(zip(e1910.arms, (100.0, 80.0))), months=(1.0, 2.0)),
                              dict(zip(e1910.arms, (1.0, 2.0))), dict(zip(e1910.arms, (10.0, 12.0)))),
        lc.esmo_sensitivity_chart(e1910, labs.esmo_grid(e1910, gains=(1.0, 2.0))),
    ]
    for chart in charts:
        text = json.dumps(chart.to_dict())
        assert "TOWER" not in text and ("E1910" in text or "Blinatumomab + chemotherapy" in text)
        assert "blinatumomab vs chemotherapy" not in text


def test_a_frame_with_arms_of_another_trial_is_refused():
    import pandas as pd
    import pytest

    with pytest.raises(ValueError, match="not arms of TOWER"):
        tc.remission_chart(TOWER, pd.DataFrame({"response": ["CR"], "arm": ["inotuzumab"], "percent": [1.0],
                                                "low": [0.5], "high": [2.0]}))


def test_synthetic_explorer_shows_the_scorecard_of_the_chosen_dataset():
    import pandas as pd

    from trialkit import charts

    names = synth.datasets()
    labels = {n: n for n in names}
    anchors = pd.concat([synth.published_anchors(n).assign(dataset=n) for n in names], ignore_index=True)
    spec = charts.synthetic_explorer(synth.km_curves(names), anchors, labels, synth.scorecard()).to_dict()
    assert len(spec["vconcat"]) == 2
    panel = spec["vconcat"][1]
    assert "scorecard" in panel["title"].lower()
    assert any("dataset" in str(t.get("filter", "")) for layer in panel["layer"] for t in layer.get("transform", []))
    assert spec["resolve"]["scale"]["color"] == "independent"

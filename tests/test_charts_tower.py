"""trialkit.charts.tower: every TOWER figure builds a valid Vega-Lite specification with a title, a
description, bound inputs where it is interactive, and says SYNTHETIC/SIMULATED where it should."""

from __future__ import annotations

import pytest

from trialkit import baseline, labs, synth, tower
from trialkit.charts import tower as tc


def _spec(chart) -> dict:
    return chart.to_dict()


def _title(spec) -> str:
    t = spec.get("title", "")
    if isinstance(t, dict):
        sub = t.get("subtitle", "")
        return str(t.get("text", "")) + " " + (" ".join(sub) if isinstance(sub, list) else str(sub))
    return str(t)


def _bound_params(spec) -> list[dict]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            for p in node.get("params", []) or []:
                if isinstance(p, dict) and "bind" in p:
                    found.append(p)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(spec)
    return found


@pytest.fixture(scope="module")
def grids():
    stop_summary, stop_hist = labs.stopping_lab(true_hrs=(0.7, 0.8), n_trials=200)
    return {
        "stop": (stop_summary, stop_hist),
        "wd": labs.withdrawal_lab(true_hrs=(0.7, 0.8), withdrawal_hrs=(0.5, 1.0, 2.0), withdrawal_fractions=(0.05, 0.16), n_trials=60),
        "tx": labs.transplant_lab(non_candidate_hrs=(1.0, 2.0), n_trials=60),
        "rmst": labs.rmst_lab(horizons=(3.0, 6.0, 12.0)),
        "exp": labs.exposure_lab(months=(0.5, 1.0, 3.0)),
        "esmo": labs.esmo_grid(gains=(1.0, 2.0, 3.7)),
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
    _check(tc.balance_plot(baseline.balance()), 0)
    _check(tc.boundaries_chart(labs.interim_plan(), labs.stop_check()), 0)
    _check(tc.remission_chart(tower.remission_rates()), 0)
    spec, _ = _check(tc.efs_ceiling_chart(tower.efs_ceiling()), 0)
    assert "43.9" in spec["description"]
    _check(tc.synthetic_km_chart(synth.km_curves(["tower_os"]), synth.published_anchors("tower_os"), "OS", "Alive (%)"),
           0, words=("SYNTHETIC",))
    spec, _ = _check(tc.adverse_events_chart(tower.adverse_event_rates(), {"blinatumomab": 267, "chemotherapy": 109}), 0)
    assert "267 blinatumomab" in _title(spec)


def test_laboratories_have_bound_inputs_on_their_grids(grids):
    s, h = grids["stop"]
    _, params = _check(tc.stopping_lab_chart(s, h, 0.71, (labs.STOPPED, labs.ALL)), 1, words=("SIMULATED", "SYNTHETIC"))
    assert params[0]["bind"]["min"] == 0.7 and params[0]["bind"]["max"] == 0.8
    _, params = _check(tc.withdrawal_lab_chart(grids["wd"], 0.16), 2, words=("SIMULATED",))
    assert {p["bind"]["input"] for p in params} == {"range", "radio"}
    assert params[1]["bind"]["labels"][1] == "16 % (TOWER)"
    _check(tc.transplant_lab_chart(grids["tx"], labs.ANALYSES), 2, words=("SIMULATED",))
    curves, table, summary = grids["rmst"]
    _check(tc.rmst_lab_chart(curves, table, summary), 1, words=("SYNTHETIC",))
    _, params = _check(tc.exposure_lab_chart(grids["exp"], {"blinatumomab": 3.0, "chemotherapy": 1.0},
                                             {"blinatumomab": 61.8, "chemotherapy": 45.0}), 3)
    assert sorted(p["bind"]["input"] for p in params) == ["range", "range", "select"]
    _, params = _check(tc.esmo_sensitivity_chart(grids["esmo"], 3.7), 3)
    assert sorted(p["bind"]["input"] for p in params) == ["checkbox", "range", "select"]


def test_slider_defaults_lie_on_the_grid(grids):
    s, h = grids["stop"]
    spec = _spec(tc.stopping_lab_chart(s, h, 0.71, (labs.STOPPED, labs.ALL)))
    assert _bound_params(spec)[0]["value"] in set(s["true_hr"])
    spec = _spec(tc.esmo_sensitivity_chart(grids["esmo"], 3.7))
    gain = next(p for p in _bound_params(spec) if p["bind"]["input"] == "range")
    assert gain["value"] == 3.7


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

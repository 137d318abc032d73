"""The interactive figures of the chapters on endpoints and on randomised trials: every control is
bound, its values exist in the grid the chart filters, the page weight stays small."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from trialkit import survival, synth
from trialkit.chapters import estimands, randomised
from trialkit.charts import endpoints as ep_charts
from trialkit.charts import randomised as rd_charts

TIMES = [6, 12, 24, 36]
CURVE_TIMES = list(range(0, 37, 3))


@pytest.fixture(scope="module")
def estimand_grid():
    return estimands.scenario_grid([0.04, 0.12, 0.20], [0.01, 0.05, 0.09], [0.4, 0.7, 1.0, 1.3, 1.6],
                                   [0.4, 0.7, 1.0, 1.3, 1.6], [3, 6, 12], TIMES, curve_times=CURVE_TIMES, decimals=3)


def params(spec: dict) -> dict:
    return {p["name"]: p for p in spec.get("params", [])}


def test_estimand_explorer_controls_cover_the_grid(estimand_grid):
    spec = ep_charts.estimand_explorer(estimand_grid, TIMES, CURVE_TIMES).to_dict()
    p = params(spec)
    assert set(p) == {"ctl_early", "ctl_late", "hr_early", "hr_late", "change", "landmark", "horizon"}
    assert all("bind" in v for v in p.values())
    assert spec["title"]["text"] and spec["description"]
    # every slider position and radio option is a scenario of the grid
    b = p["ctl_early"]["bind"]
    steps = range(int(b["min"]), int(b["max"]) + 1, int(b["step"]))
    assert sorted(round(100 * v) for v in estimand_grid.control_early.unique()) == list(steps)
    hr = p["hr_early"]["bind"]
    positions = [round(hr["min"] + k * hr["step"], 6) for k in range(round((hr["max"] - hr["min"]) / hr["step"]) + 1)]
    assert sorted(estimand_grid.hr_early.unique()) == pytest.approx(positions)
    assert sorted(estimand_grid.change.unique()) == sorted(p["change"]["bind"]["options"])
    for t in p["landmark"]["bind"]["options"]:
        assert {f"lm0_{t}", f"lm1_{t}", f"rmst0_{t}", f"hr_{t}"} <= set(estimand_grid.columns)
    # a radio's start value is never its first option (the browser test moves each input away from it)
    for name in ("change", "landmark", "horizon"):
        assert p[name]["value"] != p[name]["bind"]["options"][0]
    assert len(json.dumps(spec)) < 400_000


def test_estimand_explorer_embeds_the_grid_as_csv(estimand_grid):
    spec = ep_charts.estimand_explorer(estimand_grid, TIMES, CURVE_TIMES).to_dict()
    csv = [v for v in spec.get("datasets", {}).values() if isinstance(v, str)]
    assert len(csv) == 1, "the grid must be embedded once, as inline CSV"
    frame = pd.read_csv(io.StringIO(csv[0]))
    assert len(frame) == len(estimand_grid) and list(frame.columns) == list(estimand_grid.columns)


def test_boundaries_explorer(tmp_path):
    grid = randomised.boundary_grid()
    spec = rd_charts.boundaries_explorer(grid).to_dict()
    p = params(spec)
    assert set(p) == {"looks", "first_look", "show"}
    assert p["looks"]["bind"]["min"] == 1 and p["looks"]["bind"]["max"] == 5
    assert p["first_look"]["bind"]["min"] == 25 and p["first_look"]["bind"]["max"] == 75
    assert p["show"]["bind"]["options"] == ["both", "obrien-fleming", "pocock"]
    assert "description" in spec and len(json.dumps(spec)) < 100_000


def test_power_explorer():
    grid = randomised.power_grid(range(50, 501, 10), [round(0.5 + 0.05 * i, 2) for i in range(9)])
    spec = rd_charts.power_explorer(grid).to_dict()
    p = params(spec)
    assert set(p) == {"events", "hr", "allocation"}
    assert p["allocation"]["bind"]["options"] == ["1:1", "2:1", "3:1"]
    assert p["hr"]["value"] in grid.hr.values and p["events"]["value"] in grid.events.values
    assert len(json.dumps(spec)) < 100_000


def test_synthetic_km_is_labelled():
    frame = synth.frame("tower_os")
    km = survival.kaplan_meier(frame["time"], frame["event"], frame["arm"])
    spec = ep_charts.synthetic_km(km, {"blinatumomab": "Blinatumomab", "chemotherapy": "Chemotherapy"}, 6,
                                  {"blinatumomab": 7.3, "chemotherapy": 4.3}, "SYNTHETIC TOWER-like trial").to_dict()
    assert "SYNTHETIC" in spec["title"]["text"] and "SYNTHETIC" in " ".join(spec["title"]["subtitle"])
    assert spec["description"]


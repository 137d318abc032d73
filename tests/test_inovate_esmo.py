"""INO-VATE ALL's ESMO-MCBS sensitivity: the generic laboratory (trialkit.labs.esmo_grade) fed from the
trial's data agrees with trialkit.appraisal.esmo applied by hand to the published numbers, and its chart
has bound inputs whose values change the grade it marks."""

from __future__ import annotations

import dataclasses
import math

import pytest
from scipy import stats

from trialkit import data, labs, trials
from trialkit.appraisal import esmo
from trialkit.chapters import inovate
from trialkit.charts import appraisal as appraisal_charts
from trialkit.charts import labs as lc
from _helpers import bound_params

INOVATE = trials.describe("inovate")


def _published(row_id: str) -> float:
    return float(data.row("inovate", "survival", row_id)["value_num"])


def test_the_description_reads_the_published_survival_result():
    hr = data.row("inovate", "survival", "os_hr")
    assert INOVATE.primary_hr == (float(hr["value_num"]), float(hr["ci_low_num"]), float(hr["ci_high_num"]))
    assert INOVATE.primary_hr_level == float(hr["ci_level"]) == 0.975   # printed as a 97.5 % interval
    assert INOVATE.primary_median_gain == pytest.approx(_published("os_median_inotuzumab") - _published("os_median_standard"))
    assert INOVATE.landmark_survival == (_published("os_2y_inotuzumab"), _published("os_2y_standard"))
    assert INOVATE.landmark_years == 2.0
    # TOWER prints a 95 % interval and no landmark: nothing changes for it
    tower = trials.describe("tower")
    assert tower.primary_hr_level == 0.95 and tower.landmark_survival is None


def test_the_interval_is_re_expressed_at_95_percent():
    hr, lo, hi = INOVATE.primary_hr
    se = (math.log(hi) - math.log(lo)) / (2 * stats.norm.ppf(1 - 0.025 / 2))
    expected = (round(math.exp(math.log(hr) - 1.959964 * se), 2), round(math.exp(math.log(hr) + 1.959964 * se), 2))
    assert labs.interval_at_95(hr, lo, hi, 0.975) == expected
    inp = labs.esmo_inputs(INOVATE)
    assert (inp["hr_lower"], inp["hr_upper"]) == expected
    # the chapter's own re-expression (used by its table of five readings) gives the same limits
    _, readings = inovate.esmo_table()
    assert (readings["esmo_os_lo95"], readings["esmo_os_hi95"]) == expected
    assert labs.interval_at_95(0.71, 0.55, 0.93, 0.95) == (0.55, 0.93)   # a 95 % interval is left as printed
    with pytest.raises(ValueError, match="level must be"):
        labs.interval_at_95(0.77, 0.58, 1.03, 1.2)


def test_the_grid_matches_form_2a_applied_to_the_published_values():
    grid = labs.esmo_grid(INOVATE)
    inp = labs.esmo_inputs(INOVATE)
    used = {"ci_low": inp["hr_lower"], "value": inp["hr"], "ci_high": inp["hr_upper"]}
    assert set(grid["hr_choice"]) == set(used) and set(grid["tail"]) == {False, True}
    tail_gain = _published("os_2y_inotuzumab") - _published("os_2y_standard")
    control = _published("os_median_standard")
    for row in grid.sample(120, random_state=1).itertuples():
        landmark = {"landmark_gain": tail_gain, "landmark_years": 2} if row.tail else {}
        direct = esmo.form_2a(used[row.hr_choice], row.gain, control, qol_improved=bool(row.qol), **landmark)
        assert (row.preliminary, row.grade) == (direct.preliminary, direct.grade), row
    # at the published gain, the chapter's two form 2a readings are the grid's
    _, readings = inovate.esmo_table()
    at = grid[(grid.hr_choice == "ci_low") & (grid.gain == round(INOVATE.primary_median_gain, 1)) & ~grid.qol]
    assert at.set_index("tail")["grade"].to_dict() == {False: readings["esmo_2a_median"], True: readings["esmo_2a_tail"]}


def test_the_tail_route_is_offered_only_where_the_form_reads_it():
    assert labs.tail_route_applies(INOVATE)
    assert not labs.tail_route_applies(trials.describe("tower"))
    three_years = dataclasses.replace(INOVATE, landmark_years=3.0)       # the <=12-month stratum reads 2 years
    assert not labs.tail_route_applies(three_years)
    assert set(labs.esmo_grid(three_years, gains=(1.0,))["tail"]) == {False}
    with pytest.raises(ValueError, match="at 2 years"):
        labs.esmo_grade(three_years, tail=True)
    with pytest.raises(ValueError, match="needs landmark_survival"):
        labs.esmo_grade(trials.describe("tower"), tail=True)
    with pytest.raises(ValueError, match="tail must be True or False"):
        labs.esmo_grade(INOVATE, tail="yes")
    with pytest.raises(ValueError, match="landmark_survival and landmark_years must be given together"):
        dataclasses.replace(INOVATE, landmark_years=None)


def test_sensitivity_readings():
    r = labs.esmo_sensitivity_readings(INOVATE, qol_improved=False, tail=True)
    # the 2-year route (13 points >= 10) gives 4, and ignores the hazard ratio; the median route gives 1
    assert (r["esmo_lab_grade"], r["esmo_lab_no_tail"], r["esmo_lab_point"], r["esmo_lab_qol_switched"]) == (4, 1, 4, 5)
    # with the lower limit (<= 0.65) the median route needs the stratum's grade 4 gain
    assert r["esmo_lab_gain_top"] == esmo.FORM_2A["≤12"]["gain"][4]
    tower = labs.esmo_sensitivity_readings(trials.describe("tower"), qol_improved=True, tail=False)
    assert tower["esmo_lab_grade"] == labs.esmo_readings(trials.describe("tower"))["esmo_grade"]


def _bound(spec) -> dict:
    return {p["name"]: p for p in bound_params(spec)}


def _marked_grade(grid, params: dict):
    """The grade the chart's marker shows for the given parameter values, by the chart's own filters."""
    hit = grid[(grid.hr_label == params["esmo_hr"]) & (grid.qol == params["esmo_qol"])
               & (grid["tail"] == params.get("esmo_tail", False)) & ((grid.gain - params["esmo_gain"]).abs() < 1e-6)]
    assert len(hit) == 1
    return int(hit["grade"].iloc[0])


def test_the_chart_binds_four_inputs_whose_values_change_the_marked_grade():
    grid = labs.esmo_grid(INOVATE)
    spec = lc.esmo_sensitivity_chart(INOVATE, grid, qol_credit=False, tail_route=True).to_dict()
    params = _bound(spec)
    assert set(params) == {"esmo_hr", "esmo_gain", "esmo_qol", "esmo_tail"}
    assert params["esmo_tail"]["bind"]["input"] == "checkbox" and "2-year" in params["esmo_tail"]["bind"]["name"]
    start = {k: p["value"] for k, p in params.items()}
    assert start["esmo_qol"] is False and start["esmo_tail"] is True and start["esmo_gain"] == 1.0
    assert _marked_grade(grid, start) == 4
    assert _marked_grade(grid, {**start, "esmo_tail": False}) == 1
    assert _marked_grade(grid, {**start, "esmo_qol": True}) == 5
    assert _marked_grade(grid, {**start, "esmo_tail": False, "esmo_gain": 3.0}) == 4
    assert _marked_grade(grid, {**start, "esmo_tail": False, "esmo_gain": 3.0, "esmo_hr": "Point estimate"}) == 1
    # the marker (the point layer) is filtered by every bound parameter, so each input moves it
    point = next(layer for layer in spec["vconcat"][1]["layer"] if (layer["mark"]["type"] if isinstance(layer["mark"], dict)
                                                                     else layer["mark"]) == "point")
    filters = " ".join(str(t["filter"]) for t in point["transform"] if "filter" in t)
    for name in params:
        assert name in filters, f"the marker does not depend on {name}"
    assert "re-expressed from the printed 97.5 %" in str(spec["title"]["subtitle"])
    # the read-out lines fit a phone column
    data_rows = next(iter(spec["datasets"].values()))
    assert max(len(line) for r in data_rows for line in r["readout"].split("|")) <= lc.READOUT_CHARS


def test_towers_chart_is_unchanged_in_its_inputs():
    tower = trials.describe("tower")
    params = _bound(lc.esmo_sensitivity_chart(tower, labs.esmo_grid(tower, gains=(1.0, 3.7))).to_dict())
    assert set(params) == {"esmo_hr", "esmo_gain", "esmo_qol"} and params["esmo_qol"]["value"] is True
    with pytest.raises(ValueError, match="qol_credit must be True or False"):
        lc.esmo_sensitivity_chart(tower, labs.esmo_grid(tower, gains=(1.0,)), qol_credit="no")


# --- the two phone fixes in shared chart functions --------------------------------------------------

def test_traffic_light_row_labels_are_wrapped_for_a_phone_column():
    assert appraisal_charts.wrap_label("INOVATE: CR or CRi (first 218 randomised)") == ["INOVATE", "CR or CRi (first", "218 randomised)"]
    assert appraisal_charts.wrap_label("TOWER: Overall survival") == ["TOWER", "Overall survival"]
    with pytest.raises(ValueError, match="width must be"):
        appraisal_charts.wrap_label("x", width=2)
    from trialkit.appraisal import rob2
    spec = appraisal_charts.traffic_light([rob2.load("inovate_os_rob2.yml"), rob2.load("inovate_remission_rob2.yml")]).to_dict()
    rows = {r["row"] for r in next(iter(spec["datasets"].values()))}
    assert all(len(line) <= appraisal_charts.ROW_LABEL_CHARS for r in rows for line in r.split("|"))
    assert spec["layer"][0]["encoding"]["y"]["axis"]["labelExpr"] == "split(datum.label, '|')"


def test_rmst_chart_keeps_text_out_of_the_plot_of_the_curves():
    curves, table, summary = labs.rmst_lab("inovate_os", horizons=(6.0, 12.0, 24.0))
    spec = lc.rmst_lab_chart(INOVATE, curves, table, summary).to_dict()
    panel, plot, _ = spec["vconcat"]
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in plot["layer"]]
    assert "text" not in marks                                   # no label drawn where the curves are
    panel_text = str(panel)
    assert all(mark == "text" for mark in [(layer["mark"]["type"]) for layer in panel["layer"]])
    assert "Inotuzumab ozogamicin" in panel_text and "Standard therapy" in panel_text and "SYNTHETIC" in panel_text

"""ESMO-MCBS v1.1: worked examples on both sides of every threshold of forms 1, 2a, 2b and 3, the
adjustments, input validation, and the form 2a explorer."""

from __future__ import annotations

import pytest

from trialkit.appraisal import esmo
from trialkit.charts import appraisal as charts

# (hr_lower, median_gain, control_median) -> preliminary grade; pairs sit just on and just past an edge.
FORM_2A_EDGES = [
    # control median <= 12 months: HR 0.65 / 0.70; gains 3 / 2 / 1.5
    (0.65, 3.0, 4, 4), (0.66, 3.0, 4, 2), (0.65, 2.99, 4, 3),
    (0.50, 2.0, 4, 3), (0.50, 1.99, 4, 2),
    (0.50, 1.5, 4, 2), (0.50, 1.49, 4, 1),
    (0.70, 5.0, 4, 2), (0.71, 5.0, 4, 1), (0.70, 1.49, 4, 1),
    # control median > 12 to <= 24: HR 0.70 / 0.75; gains 5 / 3 / 1.5
    (0.70, 5.0, 18, 4), (0.71, 5.0, 18, 2), (0.70, 4.99, 18, 3),
    (0.60, 3.0, 18, 3), (0.60, 2.99, 18, 2),
    (0.60, 1.5, 18, 2), (0.60, 1.49, 18, 1),
    (0.75, 6.0, 18, 2), (0.76, 6.0, 18, 1),
    # control median > 24: HR 0.70 / 0.75; gains 9 / 6 / 4
    (0.70, 9.0, 30, 4), (0.71, 9.0, 30, 2), (0.70, 8.99, 30, 3),
    (0.60, 6.0, 30, 3), (0.60, 5.99, 30, 2),
    (0.60, 4.0, 30, 2), (0.60, 3.99, 30, 1),
    (0.75, 9.0, 30, 2), (0.76, 9.0, 30, 1),
    # the strata edges: 12 and 24 months of control median
    (0.68, 3.0, 12.0, 2), (0.68, 3.0, 12.01, 3),
    (0.68, 5.0, 24.0, 4), (0.68, 5.0, 24.01, 2),
]


@pytest.mark.parametrize("hr,gain,control,expected", FORM_2A_EDGES)
def test_form_2a_threshold_edges(hr, gain, control, expected):
    g = esmo.form_2a(hr, gain, control)
    assert (g.preliminary, g.grade, g.adjustments, g.form) == (expected, expected, (), "2a")
    assert any("stratum" in r for r in g.reasons)


def test_form_2a_strata():
    assert [esmo.stratum_2a(m) for m in (0.5, 12, 12.5, 24, 24.5, 120)] == ["≤12", "≤12", "12–24", "12–24", ">24", ">24"]


@pytest.mark.parametrize("control,years", [(4, 2), (18, 3), (30, 5)])
def test_form_2a_tail_of_the_curve(control, years):
    assert esmo.form_2a(0.80, 0.5, control, landmark_gain=10, landmark_years=years).preliminary == 4
    below = esmo.form_2a(0.80, 0.5, control, landmark_gain=9.99, landmark_years=years)
    assert below.preliminary == 1 and "no credit" in below.reasons[-1]
    only_landmark = esmo.form_2a(0.80, None, control, landmark_gain=12, landmark_years=years)
    assert only_landmark.preliminary == 4
    with pytest.raises(ValueError, match=f"landmark_years must be {years}"):
        esmo.form_2a(0.5, 3, control, landmark_gain=12, landmark_years={2: 3, 3: 5, 5: 2}[years])


def test_form_2a_adjustments():
    up = esmo.form_2a(0.5, 3, 4, qol_improved=True)
    assert (up.preliminary, up.grade) == (4, 5) and up.adjustments == ("+1: improved quality of life",)
    both = esmo.form_2a(0.5, 2, 4, qol_improved=True, less_toxicity=True)
    assert (both.preliminary, both.grade) == (3, 4) and len(both.adjustments) == 1
    tox = esmo.form_2a(0.72, 3, 4, less_toxicity=True)
    assert (tox.preliminary, tox.grade) == (1, 2) and "toxicities" in tox.adjustments[0]
    assert up.substantial and not esmo.form_2a(0.5, 2, 4).substantial


FORM_2B_EDGES = [
    # control median PFS <= 6 months: HR 0.65 / 0.75; gains 1.5 / 1.0
    (0.65, 1.5, 3, 3), (0.66, 1.5, 3, 2), (0.65, 1.49, 3, 2),
    (0.50, 1.0, 3, 2), (0.50, 0.99, 3, 1),
    (0.75, 2.0, 3, 2), (0.76, 2.0, 3, 1),
    # control median PFS > 6 months: gains 3 / 1.5
    (0.65, 3.0, 8, 3), (0.65, 2.99, 8, 2), (0.60, 1.5, 8, 2), (0.60, 1.49, 8, 1),
    (0.75, 4.0, 8, 2), (0.76, 4.0, 8, 1),
    # stratum edge at 6 months
    (0.60, 1.5, 6.0, 3), (0.60, 1.5, 6.01, 2),
]


@pytest.mark.parametrize("hr,gain,control,expected", FORM_2B_EDGES)
def test_form_2b_threshold_edges(hr, gain, control, expected):
    g = esmo.form_2b(hr, gain, control)
    assert (g.preliminary, g.grade, g.form) == (expected, expected, "2b")


def test_form_2b_adjustments():
    assert esmo.form_2b(0.5, 2, 3, qol_improved=True).grade == 4
    assert esmo.form_2b(0.5, 2, 3, qol_improved=True, less_toxicity=True).grade == 4  # one level, maximum 4
    down = esmo.form_2b(0.5, 2, 3, more_toxicity=True, pfs_only_no_qol_gain=True)
    assert (down.preliminary, down.grade) == (3, 1) and len(down.adjustments) == 2
    assert esmo.form_2b(0.7, 2, 3, more_toxicity=True).grade == 1  # never below 1
    with pytest.raises(ValueError, match="contradict"):
        esmo.form_2b(0.5, 2, 3, qol_improved=True, pfs_only_no_qol_gain=True)
    with pytest.raises(ValueError, match="contradict"):
        esmo.form_2b(0.5, 2, 3, less_toxicity=True, more_toxicity=True)


@pytest.mark.parametrize("kwargs,expected", [
    (dict(survival_gain=5.01, followup_years=3), "A"), (dict(survival_gain=5.0, followup_years=3), "B"),
    (dict(survival_gain=3.0, followup_years=4), "B"), (dict(survival_gain=2.99, followup_years=4), "C"),
    (dict(dfs_hr_lower=0.64), "A"), (dict(dfs_hr_lower=0.65), "B"),
    (dict(dfs_hr_lower=0.80), "B"), (dict(dfs_hr_lower=0.81), "C"),
    (dict(survival_gain=2.0, followup_years=3, dfs_hr_lower=0.5), "C"),  # mature survival prevails
])
def test_form_1_threshold_edges(kwargs, expected):
    g = esmo.form_1(**kwargs)
    assert (g.grade, g.preliminary, g.form) == (expected, expected, "1")
    assert g.substantial == (expected in "AB")


FORM_3_EDGES = [
    (dict(pfs=6.0), 3), (dict(pfs=5.99), 2), (dict(pfs=3.0), 2), (dict(pfs=2.99), 1), (dict(pfs=2.0), 1),
    (dict(pfs=1.99), None),
    (dict(orr=60), 3), (dict(orr=59.9, dor=9), 3), (dict(orr=59.9, dor=8.99), 2), (dict(orr=40, dor=1), 2),
    (dict(orr=39.9, dor=9), 3), (dict(orr=39.9, dor=6), 2), (dict(orr=39.9, dor=5.99), 1), (dict(orr=20, dor=2), 1),
    (dict(orr=19.9, dor=6), 1), (dict(orr=19.9, dor=5.99), None), (dict(orr=10, dor=6), 1), (dict(orr=9.9, dor=12), None),
    (dict(orr=45), 2), (dict(orr=30, dor=3, pfs=6), 3),
]


@pytest.mark.parametrize("kwargs,expected", FORM_3_EDGES)
def test_form_3_threshold_edges(kwargs, expected):
    g = esmo.form_3(**kwargs)
    assert (g.preliminary, g.grade, g.form) == (expected, expected, "3")


def test_form_3_adjustments():
    assert esmo.form_3(orr=60, toxicity_pct=30).grade == 2
    assert esmo.form_3(orr=60, toxicity_pct=29.9).grade == 3
    assert esmo.form_3(orr=60, qol_improved=True, phase4_confirmed=True).grade == 5
    assert esmo.form_3(pfs=1, qol_improved=True).grade is None
    with pytest.raises(ValueError, match="dor"):
        esmo.form_3(orr=30)
    with pytest.raises(ValueError, match="dor is given without orr"):
        esmo.form_3(dor=5, pfs=4)
    with pytest.raises(ValueError, match="needs orr"):
        esmo.form_3()


@pytest.mark.parametrize("call,message", [
    (lambda: esmo.form_2a(0, 3, 4), r"hr_lower must be in \(0.0, 1.0\)"),
    (lambda: esmo.form_2a(-0.2, 3, 4), "hr_lower"),
    (lambda: esmo.form_2a(1.0, 3, 4), "hr_lower"),
    (lambda: esmo.form_2a(0.6, 3, 4, hr=0.55), r"hr_lower \(0.6\) must not exceed the hazard ratio hr \(0.55\)"),
    (lambda: esmo.form_2a(0.5, 3, 4, hr=0.7, hr_upper=1.02), "hr_upper must be < 1"),
    (lambda: esmo.form_2a(0.5, 3, 4, hr=0.7, hr_upper=0.6), r"hr_upper \(0.6\) must not be below the hazard ratio"),
    (lambda: esmo.form_2a(0.5, -1, 4), r"median_gain must be in \[0.0, inf\]"),
    (lambda: esmo.form_2a(0.5, 3, -4), r"control_median must be in \(0.0, inf"),
    (lambda: esmo.form_2a(0.5, 3, 0), "control_median"),
    (lambda: esmo.form_2a(0.5, 3, "4"), "control_median must be a real number"),
    (lambda: esmo.form_2a(0.5, None, 4), "needs median_gain"),
    (lambda: esmo.form_2a(0.5, 3, 4, landmark_gain=12), "given together"),
    (lambda: esmo.form_2a(0.5, 3, 4, landmark_gain=120, landmark_years=2), "landmark_gain"),
    (lambda: esmo.form_2b(0.5, 2, -3), "control_median"),
    (lambda: esmo.form_2b(0.5, float("nan"), 3), "median_gain must be finite"),
    (lambda: esmo.form_1(survival_gain=6, followup_years=2), "followup_years must be >= 3"),
    (lambda: esmo.form_1(survival_gain=6), "followup_years"),
    (lambda: esmo.form_1(), "needs survival_gain"),
    (lambda: esmo.form_1(dfs_hr_lower=1.2), "dfs_hr_lower"),
    (lambda: esmo.form_3(orr=120), "orr"),
    (lambda: esmo.form_3(pfs=-1), "pfs"),
])
def test_invalid_inputs_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_grid_and_thresholds_table():
    grid = esmo.form_2a_grid([0.6, 0.7], [1.0, 5.0], [6, 18, 30])
    assert len(grid) == 12 and set(grid["stratum"]) == {"≤12", "12–24", ">24"}
    lookup = grid.set_index(["stratum", "hr_lower", "gain"])["grade"]
    assert lookup[("≤12", 0.6, 5.0)] == 4 and lookup[("12–24", 0.7, 5.0)] == 4 and lookup[(">24", 0.6, 5.0)] == 2
    table = esmo.thresholds_2a()
    assert len(table) == 3 and table.iloc[0, 1] == "≤ 0.65"


def test_explorer_binds_three_sliders_and_filters_by_stratum():
    spec = charts.esmo_explorer().to_dict()
    params = {p["name"]: p for p in spec["params"]}
    assert set(params) == {"hr_low", "gain", "control"} and all("bind" in p for p in params.values())
    assert params["control"]["bind"]["max"] >= 25  # the slider reaches every stratum
    grid = next(iter(spec["datasets"].values()))
    assert {r["stratum"] for r in grid} == {"≤12", "12–24", ">24"} and len(grid) == 14 * 25 * 3
    assert spec["title"]["text"] and spec["description"]


def test_quiz_grade_question_agrees_with_form_2a():
    from trialkit import quiz

    question = quiz.load("benefit")[0]
    assert question["answer"] == esmo.form_2a(0.58, 2.4, 10, hr=0.71, hr_upper=0.86).grade

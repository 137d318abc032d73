"""The E1910 exercise set: linked from the chapter's objectives, scenarios in range, and the worked
examples' rows exist in the data."""

from __future__ import annotations

import re

import pytest

from trialkit import course, data
from trialkit.exercises import authoring, problems, variants

SET = "e1910"
SALT = b"e" * 32


def _refs() -> set[str]:
    refs = set()
    for items in course.load(course.OBJECTIVES_DIR / "e1910.yml").values():
        for item in items:
            refs.update(r for r in item["assessed"] if r.startswith("exercise:"))
    return refs


def test_every_question_is_assessed_by_an_objective_and_every_reference_is_a_real_question():
    ids = {q.qid for q in problems.questions(SET)} | {m.item.split("_")[0] for m in problems.manual(SET)}
    refs = _refs()
    assert {r.split("/", 1)[1] for r in refs if r.startswith(f"exercise:{SET}/")} == ids
    assert all(r.startswith(f"exercise:{SET}/") for r in refs), refs


def test_the_hand_graded_question_is_the_age_subgroup():
    (item,) = problems.manual(SET)
    assert item.item == "q8_answer" and "age subgroup" in item.title
    text = authoring.source_path(SET).read_text()
    prompt = text[text.index("## Question 8."):]
    for must in ("os_hr_lt55", "os_hr_ge55", "ICEMAN", "interaction"):
        assert must in prompt, must


def test_worked_examples_name_rows_that_exist():
    text = authoring.source_path(SET).read_text()
    named = set(re.findall(r"`(\w+)` rows? `(\w+)`(?: and `(\w+)`)?", text))
    assert len(named) >= 6
    for table, *ids in named:
        for row_id in filter(None, ids):
            assert data.row(SET, table, row_id) is not None, (table, row_id)


@pytest.mark.parametrize("student", [f"s{i}" for i in range(40)])
def test_scenarios_are_coherent(student):
    s = problems.scenario(SET, variants.variant_code(SALT, SET, student))
    f = s["q1"]
    assert f["registered"] > f["enrolled"] > f["in_remission"] > f["reached_randomisation_step"] > f["randomised"] > 0
    fr = s["q3"]["fractions"]
    assert fr == sorted(fr) and len(set(fr)) == len(fr) and fr[-1] == 1.0 and 0 < fr[0]
    assert 1 <= s["q3"]["look"] < len(fr) and s["q3"]["deaths_at_look"] < s["q3"]["planned_deaths"]
    for hr, low, high in (s["q5"]["younger_hr_ci"], s["q5"]["older_hr_ci"]):
        assert 0 < low < hr < high
    q = s["q6"]
    assert 0 < q["patients_with_event_control"] < q["patients_with_event_new"] <= q["treated_new"]
    exp = problems.expected(SET, variants.variant_code(SALT, SET, student))
    assert 0 < exp["q2_power"].value < 1 and 0 < exp["q4_diff"].value < 100 - s["q4"]["survival_3y_control_percent"]

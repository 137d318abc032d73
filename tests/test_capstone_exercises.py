"""The capstone set: its automatic parts are facts of the E1910 report derived from data/e1910, never a
judgment; most points are graded by hand; the public rubric matches the hand-graded points."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from trialkit import data
from trialkit.exercises import authoring, capstone, problems, variants

CODE = variants.variant_code(b"s" * 32, "capstone", "ana")


def _prompt_bands(text: str, part: str) -> dict[str, tuple[float, float]]:
    """The letter bands the prompt of ``part`` states (under X; X up to Y; Y or more)."""
    para = text.split(f"`{part}`")[0].rsplit("* ", 1)[1] + text.split(f"`{part}`")[1].split("\n*")[0]
    bands = {}
    for letter, body in re.findall(r"\*\*([a-d])\*\* ([^;*]+)", para):
        nums = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", body)]
        if "under" in body:
            bands[letter] = (0.0, nums[0])
        elif "or more" in body:
            bands[letter] = (nums[0], float("inf"))
        else:
            bands[letter] = (nums[0], nums[1])
    return bands


def test_most_points_are_graded_by_hand_and_no_automatic_part_asks_for_a_judgment():
    auto, manual = problems.max_points("capstone")
    assert 0 < auto < manual
    for part in problems.parts("capstone").values():
        assert not set(part.options) & set(problems.LEVELS) and part.what != "an answer code", part.name
    assert [m.item for m in problems.manual("capstone")] == ["q5_answer", "q6_answer", "q7_answer", "q8_answer"]


def test_the_expected_letters_fall_in_the_bands_the_prompts_state():
    text = (authoring.SOURCE_DIR / "capstone" / "capstone.md").read_text()
    exp = problems.expected("capstone", CODE)
    randomised = data.row("e1910", "flow", "randomized_mrd_neg")["value_num"]
    values = {"q2_share_enrolled": 100 * randomised / data.row("e1910", "flow", "enrolled")["value_num"],
              "q2_share_remission": 100 * randomised / data.row("e1910", "responses", "cr_cri_induction")["value_num"]}
    diff = (data.row("e1910", "survival", "os_3y_blinatumomab")["value_num"]
            - data.row("e1910", "survival", "os_3y_chemotherapy")["value_num"])
    values.update(q4_diff=diff, q4_nnt=100 / diff)
    for part, value in values.items():
        bands = _prompt_bands(text, part if part != "q2_share_remission" else "q2_share_enrolled")
        low, high = bands[exp[part].accepted[0]]
        assert low <= value < high, (part, value, bands)
    assert values["q2_share_enrolled"] < values["q2_share_remission"]   # the two denominators differ


def test_the_facts_follow_the_reports_rows():
    exp = problems.expected("capstone", CODE)
    assert "randomization" in data.row("e1910", "design", "endpoint_definition_1")["quote"].lower() or \
        "randomisation" in data.row("e1910", "design", "endpoint_definition_1")["value"]
    assert exp["q1_time_zero"].accepted == ("randomisation",)
    assert exp["q3_analysis"].accepted == ("third interim",)
    assert data.row("e1910", "survival", "os_p")["value_num"] < capstone.facts()["boundary_p"]
    assert exp["q3_boundary"].accepted == ("a",)


def test_a_changed_data_row_is_named_not_silently_answered(monkeypatch):
    real = data.row

    def fake(study, table, rid, *a, **k):
        r = real(study, table, rid, *a, **k).copy()
        if rid == "interim_analysis_1":
            r["value"] = "Sequential efficacy monitoring."
        return r

    monkeypatch.setattr(data, "row", fake)
    with pytest.raises(ValueError, match="interim_analysis_1"):
        capstone.facts()


def test_wrong_readings_get_a_hint_and_the_right_ones_full_points():
    exp = problems.expected("capstone", CODE)
    right = {k: problems.encode(e.accepted[0]) for k, e in exp.items()}
    right["q1_population"] = problems.encode("MRD-negative randomised")
    assert sum(v.points for v in problems.judge("capstone", CODE, right, exp=exp)) == problems.max_points("capstone")[0]
    wrong = dict(right, q1_time_zero=problems.encode("enrolment"),
                 q2_share_enrolled=problems.encode(exp["q2_share_remission"].accepted[0]))
    by = {v.part: v for v in problems.judge("capstone", CODE, wrong, exp=exp)}
    assert not by["q1_time_zero"].correct and "assigned" in by["q1_time_zero"].message
    assert not by["q2_share_enrolled"].correct and "enrolled" in by["q2_share_enrolled"].message


def test_the_rubric_gives_three_levels_per_hand_graded_item_with_the_items_points(monkeypatch):
    table = capstone.rubric()
    assert isinstance(table, pd.DataFrame) and len(table) == len(problems.manual("capstone"))
    assert list(table["Points"]) == [m.points for m in problems.manual("capstone")]
    for m in problems.manual("capstone"):
        levels = capstone.rubric_levels(m.item)
        assert list(levels["Level"]) == ["Strong", "Adequate", "Weak"]
        assert levels["Points"].iloc[0] == m.points and levels["Points"].is_monotonic_decreasing
    with pytest.raises(ValueError, match="item must be one of"):
        capstone.rubric_levels("q1_answer")
    broken = list(capstone.RUBRIC)
    broken[0] = broken[0][:-1] + ((9, 6, 2),)
    monkeypatch.setattr(capstone, "RUBRIC", tuple(broken))
    with pytest.raises(ValueError, match="q5_answer"):
        capstone.rubric()
    broken[0] = broken[0][:-1] + ((10, 10, 2),)
    monkeypatch.setattr(capstone, "RUBRIC", tuple(broken))
    with pytest.raises(ValueError, match="fall from strong to weak"):
        capstone.rubric_levels("q5_answer")


def test_the_feedback_page_points_to_the_courses_appraisal_after_submission(tmp_path):
    """Without the sandbox: a graded capstone result recorded in a gradebook, then its feedback page."""
    from trialkit.exercises import grading

    course = grading.Course(tmp_path / "course")
    course.create()
    code = course.code("capstone", "ana")
    exp = problems.expected("capstone", code)
    answers = {k: problems.encode(e.accepted[0]) for k, e in exp.items()}
    verdicts = problems.judge("capstone", code, answers, exp=exp)
    auto, manual = problems.max_points("capstone")
    grading.record(course, grading.Result("ana", "capstone", "graded", score=sum(v.points for v in verdicts),
                                          max_score=auto + manual, verdicts=verdicts,
                                          manual={"q5_answer": "My RoB 2 answers."}))
    page = grading.feedback(course, tmp_path / "fb", ["capstone"], ["ana"])[0].read_text()
    assert "book/e1910/appraisal" in page and "awaiting your instructor" in page
    other = tmp_path / "course2"
    course2 = grading.Course(other)
    course2.create()
    code2 = course2.code("tower", "ana")
    exp2 = problems.expected("tower", code2)
    grading.record(course2, grading.Result("ana", "tower", "graded", score=0, max_score=1,
                                           verdicts=problems.judge("tower", code2, {}, exp=exp2)))
    assert "book/e1910/appraisal" not in grading.feedback(course2, tmp_path / "fb2", ["tower"], ["ana"])[0].read_text()

"""The across exercise set (Part III): its expected answers recomputed independently from the printed
intervals, the hints for the common mistakes, and the objectives of Part III pointing at its questions
(every question assessed by some objective)."""

from __future__ import annotations

import math

import pytest
from scipy import stats as st

from trialkit import course, design
from trialkit.exercises import problems, variants

SALT = b"s" * 32
WHO = ("ana", "li", "bo", "kim", "eva", "sam")


def _code(who: str) -> str:
    return variants.variant_code(SALT, "across", who)


def _se(t: dict) -> float:
    return (math.log(t["high"]) - math.log(t["low"])) / (2 * st.norm.ppf(0.5 + t["level"] / 2))


def test_the_indirect_answers_are_the_bucher_formula_on_the_printed_intervals():
    levels = set()
    for who in WHO:
        s = problems.scenario("across", _code(who))
        e = problems.expected("across", _code(who), s)
        t1, t2 = s["q1"]["trial_1"], s["q1"]["trial_2"]
        levels.add(t2["level"])
        assert t1["low"] < t1["hr"] < t1["high"] and t2["low"] < t2["hr"] < t2["high"]
        log_hr = math.log(t1["hr"]) - math.log(t2["hr"])
        se = math.hypot(_se(t1), _se(t2))
        assert e["q1_se_second"].value == pytest.approx(_se(t2), rel=1e-12)
        assert e["q1_hr"].value == pytest.approx(t1["hr"] / t2["hr"], rel=1e-12)
        assert e["q1_low"].value == pytest.approx(math.exp(log_hr - 1.959963984540054 * se), rel=1e-9)
        assert e["q1_high"].value == pytest.approx(math.exp(log_hr + 1.959963984540054 * se), rel=1e-9)
        k = s["q2"]["anchor_shift"]
        assert k != 1
        # drug B against trial 1's control is HR_B x k, so A versus B is HR_A / (HR_B x k)
        assert e["q2_hr"].value == pytest.approx(t1["hr"] / (t2["hr"] * k), rel=1e-12)
        assert e["q2_high"].value == pytest.approx(math.exp(log_hr - math.log(k) + 1.959963984540054 * se), rel=1e-9)
    assert levels == {0.95, 0.975}, "the variants never print trial 2's interval at 97.5 %"


def test_the_events_answer_is_rounded_up_from_schoenfeld():
    for who in WHO:
        s = problems.scenario("across", _code(who))["q4"]
        a, b = s["allocation"]
        z = st.norm.ppf(1 - s["alpha_two_sided"] / 2) + st.norm.ppf(s["power"])
        d = z ** 2 * (a + b) ** 2 / (a * b * math.log(s["hr"]) ** 2)
        assert problems.expected("across", _code(who))["q4_events"].value == math.ceil(d)
        assert math.ceil(d) == math.ceil(design.events_needed(s["hr"], s["power"], (a, b), s["alpha_two_sided"], 2))


def test_common_mistakes_get_their_hint_and_lose_only_their_points():
    who = next(w for w in ("ana", "li", "bo", "kim", "eva", "sam", "tom", "zoe")
               if problems.scenario("across", _code(w))["q1"]["trial_2"]["level"] == 0.975)
    code = _code(who)
    exp = problems.expected("across", code)
    enc = {k: problems.encode(e.value if e.value is not None else e.accepted[0]) for k, e in exp.items()}
    assert sum(v.points for v in problems.judge("across", code, enc, exp=exp)) == problems.max_points("across")[0]
    s = problems.scenario("across", code)
    t2 = s["q1"]["trial_2"]
    misread = (math.log(t2["high"]) - math.log(t2["low"])) / (2 * 1.959963984540054)
    wrong = dict(enc, q1_se_second=problems.encode(misread), q1_hr=problems.encode(1 / exp["q1_hr"].value),
                 q2_hr=problems.encode(exp["q1_hr"].value), q4_events=problems.encode(exp["q4_events"].value - 1),
                 q3_ph=problems.encode("prognostic"))
    by = {v.part: v for v in problems.judge("across", code, wrong, exp=exp)}
    assert "95 %" in by["q1_se_second"].message and "inverted" in by["q1_hr"].message
    assert "k = 1" in by["q2_hr"].message and "anchor does not absorb" in by["q3_ph"].message
    assert not by["q4_events"].correct and by["q1_low"].correct
    lost = ("q1_se_second", "q1_hr", "q2_hr", "q4_events", "q3_ph")
    assert sum(v.points for v in by.values()) == pytest.approx(
        problems.max_points("across")[0] - sum(problems.parts("across")[p].points for p in lost))


def test_two_students_get_different_trials():
    a, b = (problems.scenario("across", _code(w)) for w in ("ana", "li"))
    assert a["q1"] != b["q1"]


def _question_ids(set_name: str) -> set[str]:
    return {q.qid for q in problems.questions(set_name)} | {m.item.split("_", 1)[0] for m in problems.manual(set_name)}


def test_part_iii_objectives_name_real_questions_and_every_question_is_assessed():
    pages = {page: items for page, items in course.load_all().items() if page.startswith("book/across/")}
    refs = [(item["id"], *ref.split(":", 1)[1].split("/", 1)) for items in pages.values() for item in items
            for ref in item.get("assessed", []) if ref.startswith("exercise:")]
    assert {objective for objective, _, _ in refs} == {item["id"] for items in pages.values() for item in items}
    qids = _question_ids("across")
    for objective, set_name, qid in refs:
        assert set_name == "across" and qid in qids, (objective, set_name, qid)
    assert {qid for _, _, qid in refs} == qids
    assert "q6" in qids and "q6" not in {q.qid for q in problems.questions("across")}
    assert problems.max_points("across")[1] > 0

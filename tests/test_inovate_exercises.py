"""The INO-VATE exercise set: linked from the chapter's objectives, the worked examples' rows exist,
scenarios are coherent, several expected answers recomputed independently of the package's functions,
the biases the set teaches show in every variant, and the common mistakes get their hint."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from scipy import stats as st
from scipy.integrate import quad

from trialkit import course, data
from trialkit.exercises import authoring, inovate, problems, variants

SET = "inovate"
SALT = b"i" * 32
WHO = [f"s{i}" for i in range(24)]


def _code(who: str) -> str:
    return variants.variant_code(SALT, SET, who)


@pytest.fixture(scope="module")
def cases():
    out = []
    for who in WHO:
        s = problems.scenario(SET, _code(who))
        out.append((who, s, problems.expected(SET, _code(who), s)))
    return out


def _refs() -> set[str]:
    refs = set()
    for items in course.load(course.OBJECTIVES_DIR / "inovate.yml").values():
        for item in items:
            refs.update(r for r in item["assessed"] if r.startswith("exercise:"))
    return refs


def test_every_question_is_assessed_by_an_objective_and_every_reference_is_a_real_question():
    ids = {q.qid for q in problems.questions(SET)} | {m.item.split("_")[0] for m in problems.manual(SET)}
    refs = _refs()
    assert all(r.startswith(f"exercise:{SET}/") for r in refs), refs
    assert {r.split("/", 1)[1] for r in refs} == ids
    for items in course.load(course.OBJECTIVES_DIR / "inovate.yml").values():
        assert all(item["assessed"] for item in items), items


def test_the_hand_graded_question_is_a_structured_survival_appraisal_with_its_rubric():
    (item,) = problems.manual(SET)
    assert item.item == "q8_answer" and item.points == 6
    text = authoring.source_path(SET).read_text()
    prompt = text[text.index("## Question 8."):]
    for must in ("os_hr", "os_boundary_two_sided", "RoB 2", "ESMO-MCBS", "veno-occlusive", "How it is graded"):
        assert must in prompt, must
    rubric = prompt[prompt.index("How it is graded"):]
    assert sum(int(x) for x in re.findall(r"\((\d)\)", rubric)) == item.points


def test_worked_examples_name_rows_that_exist():
    text = authoring.source_path(SET).read_text()
    named = set(re.findall(r"`(\w+)` rows? `(\w+)`(?: and `(\w+)`)?", text))
    assert len(named) >= 12
    for table, *ids in named:
        for row_id in filter(None, ids):
            assert data.row(SET, table, row_id) is not None, (table, row_id)


def test_scenarios_are_coherent(cases):
    crossed = set()
    for _, s, exp in cases:
        q1 = s["q1"]
        assert 0 < q1["alpha_a_one_sided"] < q1["alpha_total_one_sided"] and 0 < q1["correlation"] < 1
        assert exp["q2_method"].accepted, s["q2"]           # the stated power is reproduced by some method
        q3 = s["q3"]
        assert q3["ci_low"] < q3["hr"] < q3["ci_high"] < 2
        p = exp["q3_p"].value
        assert abs(p - q3["boundary_two_sided"]) > 0.002     # never on the boundary
        crossed.add(exp["q3_crossed"].accepted)
        f = inovate.frame(s, "q4")
        for arm in ("new", "standard"):
            assert f.loc[f["arm"] == arm, "time"].max() > max(s["q4"]["horizons"])
        assert s["q4"]["tau"] in s["q4"]["horizons"]
        q5 = s["q5"]
        assert q5["analysed_first"] < q5["randomised"] and q5["analysed_first"] % 2 == 0
        f6 = inovate.frame(s, "q6")
        tx = f6["transplant_time"].dropna()
        assert 0 < len(tx) < len(f6) and (tx < f6.loc[tx.index, "time"]).all()
        assert (tx <= s["q6"]["landmark_months"]).all() and (f6.loc[tx.index, "responder"] == 1).all()
        q7 = s["q7"]
        for arm in ("new", "control"):
            assert 0 < q7[f"mrd_negative_{arm}"] <= q7[f"responders_{arm}"] < q7[f"randomised_{arm}"]
    assert crossed == {("yes",), ("no",)}, "the variants never (or always) cross their boundary"
    with pytest.raises(ValueError, match="q must be"):
        inovate.frame(cases[0][1], "q1")


def test_answers_recomputed_without_the_package(cases):
    """Fleiss's continuity-corrected power, the Wald P value from a printed interval, the familywise
    error of a split level, and the width ratio of a subset, each from its textbook formula."""
    for _, s, exp in cases:
        q = s["q1"]
        a, b, rho = q["alpha_a_one_sided"], q["alpha_total_one_sided"] - q["alpha_a_one_sided"], q["correlation"]
        ca, cb = st.norm.isf(a), st.norm.isf(b)
        # P(Z_A > ca and Z_B > cb) = integral over x > ca of phi(x) P(Z_B > cb | x)
        both, _ = quad(lambda x: st.norm.pdf(x) * st.norm.sf((cb - rho * x) / math.sqrt(1 - rho ** 2)), ca, np.inf)
        assert exp["q1_fwer_split"].value == pytest.approx(a + b - both, abs=2e-5)
        assert exp["q1_level_b"].value == pytest.approx(100 * (1 - 2 * b), abs=1e-9)
        q = s["q2"]
        p1, p2, n = q["rate_new_percent"] / 100, q["rate_control_percent"] / 100, q["patients_per_arm"]
        pbar = (p1 + p2) / 2
        s0, s1 = math.sqrt(2 * pbar * (1 - pbar) / n), math.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / n)
        fleiss = st.norm.cdf((abs(p1 - p2) - 1 / n - st.norm.isf(q["alpha_cr_one_sided"]) * s0) / s1)
        assert exp["q2_power_cr"].value == pytest.approx(fleiss, abs=1e-9)
        q = s["q3"]
        se = (math.log(q["ci_high"]) - math.log(q["ci_low"])) / (2 * st.norm.isf(0.0125))
        assert exp["q3_p"].value == pytest.approx(2 * st.norm.sf(abs(math.log(q["hr"])) / se), rel=1e-9)
        assert exp["q3_low95"].value == pytest.approx(q["hr"] * math.exp(-st.norm.isf(0.025) * se), rel=1e-9)
        q = s["q5"]  # with no drift both arms keep their rates: the width shrinks as the square root of n
        assert exp["q5_width_ratio"].value == pytest.approx(math.sqrt(q["randomised"] / q["analysed_first"]), rel=1e-9)
        q = s["q7"]
        assert exp["q7_mrd_randomised"].value == pytest.approx(
            100 * (q["mrd_negative_new"] / q["randomised_new"] - q["mrd_negative_control"] / q["randomised_control"]))


def test_the_biases_the_set_teaches_show_in_every_variant(cases):
    for who, s, exp in cases:
        v = {k: e.value for k, e in exp.items()}
        total = s["q1"]["alpha_total_one_sided"]
        assert v["q1_fwer_split"] <= total < v["q1_fwer_unadjusted"] < 2 * total, who
        assert v["q4_fp_best"] > v["q4_fp_fixed"] and v["q4_fp_best"] > s["q4"]["alpha_two_sided"] / 2, who
        assert v["q5_width_ratio"] > 1 and np.sign(v["q5_bias"]) == np.sign(s["q5"]["effect_drift"]), who
        assert v["q6_naive"] < v["q6_landmark"] and v["q6_naive"] < v["q6_time_varying"], who  # immortal time
        assert v["q7_median_new"] < s["q7"]["control_median_duration"], who  # selection among responders
        # the interim look the boundary implies spends what the final boundary leaves out
        assert 0.4 < v["q3_fraction"] < 0.95, who


def test_common_mistakes_get_their_hint_and_lose_only_their_points(cases):
    who, s, exp = cases[0]
    code = _code(who)
    enc = {k: problems.encode(e.value if e.value is not None else e.accepted[0]) for k, e in exp.items()}
    assert sum(v.points for v in problems.judge(SET, code, enc, exp=exp)) == problems.max_points(SET)[0]
    se = math.log(s["q3"]["ci_high"] / s["q3"]["ci_low"]) / (2 * st.norm.isf(0.025))
    wrong = dict(enc,
                 q1_fwer_unadjusted=problems.encode(1 - (1 - s["q1"]["alpha_total_one_sided"]) ** 2),
                 q3_p=problems.encode(2 * st.norm.sf(abs(math.log(s["q3"]["hr"])) / se)),
                 q3_low95=problems.encode(s["q3"]["ci_low"]),
                 q4_rmst_diff=problems.encode(-exp["q4_rmst_diff"].value),
                 q6_time_varying=problems.encode(exp["q6_naive"].value),
                 q7_mrd_randomised=problems.encode(exp["q7_mrd_responders"].value),
                 q3_reading=problems.encode("d"), q2_method=problems.encode("median"))
    by = {v.part: v for v in problems.judge(SET, code, wrong, exp=exp)}
    assert "independent" in by["q1_fwer_unadjusted"].message
    assert "97.5 %" in by["q3_p"].message and "97.5 %" in by["q3_low95"].message
    assert "inverted" in by["q4_rmst_diff"].message and "split_at_event" in by["q6_time_varying"].message
    assert "responders" in by["q7_mrd_randomised"].message and "0.05 was never its level" in by["q3_reading"].message
    assert "must be one of" in by["q2_method"].message
    lost = ("q1_fwer_unadjusted", "q3_p", "q3_low95", "q4_rmst_diff", "q6_time_varying", "q7_mrd_randomised",
            "q3_reading", "q2_method")
    parts = problems.parts(SET)
    assert sum(v.points for v in by.values()) == problems.max_points(SET)[0] - sum(parts[p].points for p in lost)
    assert all(by[p].correct for p in parts if p not in lost)


def test_the_method_question_accepts_every_method_that_reproduces_the_stated_power(cases):
    seen = set()
    for _, s, exp in cases:
        powers = inovate._powers(s["q2"])
        stated = s["q2"]["reported_power_percent"]
        assert set(exp["q2_method"].accepted) == {m for m, p in powers.items() if abs(100 * p - stated) <= 0.05 + 1e-9}
        seen.update(exp["q2_method"].accepted)
    assert len(seen) >= 3, seen  # the variants do not all point to the same method

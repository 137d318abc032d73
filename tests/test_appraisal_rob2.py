"""RoB 2: the questions, every path of every domain's algorithm, the overall rule, filled assessments
and their errors, and the robvis-style charts."""

from __future__ import annotations

import itertools
import textwrap

import pytest

from trialkit.appraisal import AppraisalError, rob2
from trialkit.charts import appraisal as charts

ALL5 = "Y/PY/PN/N/NI"


def expand(row: dict) -> list[dict]:
    """Every answer combination of a path row: {"1.2": "Y/PY", ...} -> [{"1.2": "Y"}, {"1.2": "PY"}, ...]."""
    keys = list(row)
    return [dict(zip(keys, combo)) for combo in itertools.product(*(row[k].split("/") for k in keys))]


# Path tables written from the guidance's decision figures (22 August 2019), one row per leaf.
D1_PATHS = [
    ({"1.2": "N/PN", "1.1": ALL5, "1.3": ALL5}, "High"),
    ({"1.2": "NI", "1.1": ALL5, "1.3": "Y/PY"}, "High"),
    ({"1.2": "NI", "1.1": ALL5, "1.3": "N/PN/NI"}, "Some concerns"),
    ({"1.2": "Y/PY", "1.1": "N/PN", "1.3": ALL5}, "Some concerns"),
    ({"1.2": "Y/PY", "1.1": "Y/PY/NI", "1.3": "Y/PY"}, "Some concerns"),
    ({"1.2": "Y/PY", "1.1": "Y/PY/NI", "1.3": "N/PN/NI"}, "Low"),
]

# Domain 2, effect of assignment: part 1 (deviations) and part 2 (analysis), combined.
AWARE = [{"2.1": "Y/PY/NI", "2.2": ALL5}, {"2.1": "N/PN", "2.2": "Y/PY/NI"}]
D2A_PART1 = [([{"2.1": "N/PN", "2.2": "N/PN"}], {}, "Low")] + [
    (AWARE, {"2.3": "N/PN"}, "Low"),
    (AWARE, {"2.3": "NI"}, "Some concerns"),
    (AWARE, {"2.3": "Y/PY", "2.4": "N/PN"}, "Some concerns"),
    (AWARE, {"2.3": "Y/PY", "2.4": "Y/PY/NI", "2.5": "Y/PY"}, "Some concerns"),
    (AWARE, {"2.3": "Y/PY", "2.4": "Y/PY/NI", "2.5": "N/PN/NI"}, "High"),
]
D2A_PART2 = [
    ({"2.6": "Y/PY"}, "Low"),
    ({"2.6": "N/PN/NI", "2.7": "N/PN"}, "Some concerns"),
    ({"2.6": "N/PN/NI", "2.7": "Y/PY/NI"}, "High"),
]


def combine(a: str, b: str) -> str:
    return "High" if "High" in (a, b) else "Low" if (a, b) == ("Low", "Low") else "Some concerns"


D2A_PATHS = [({**aw, **p1, **p2}, combine(l1, l2))
             for awares, p1, l1 in D2A_PART1 for aw in awares for p2, l2 in D2A_PART2]

UNAWARE = {"2.1": "N/PN", "2.2": "N/PN"}
TRIGGERS = [{"2.4": "Y/PY/NI", "2.5": "Y/PY/PN/N/NI/NA"}, {"2.4": "N/PN/NA", "2.5": "Y/PY/NI"}]
D2B_PATHS = (
    [({**UNAWARE, "2.4": "N/PN/NA", "2.5": "N/PN/NA"}, "Low")]
    + [({**UNAWARE, **t, "2.6": "Y/PY"}, "Some concerns") for t in TRIGGERS]
    + [({**UNAWARE, **t, "2.6": "N/PN/NI"}, "High") for t in TRIGGERS]
    + [({**aw, "2.3": "Y/PY/NA", "2.4": "N/PN/NA", "2.5": "N/PN/NA"}, "Low") for aw in AWARE]
    + [({**aw, "2.3": "Y/PY/NA", **t, "2.6": "Y/PY"}, "Some concerns") for aw in AWARE for t in TRIGGERS]
    + [({**aw, "2.3": "Y/PY/NA", **t, "2.6": "N/PN/NI"}, "High") for aw in AWARE for t in TRIGGERS]
    + [({**aw, "2.3": "N/PN/NI", "2.6": "Y/PY"}, "Some concerns") for aw in AWARE]
    + [({**aw, "2.3": "N/PN/NI", "2.6": "N/PN/NI"}, "High") for aw in AWARE]
)

D3_PATHS = [
    ({"3.1": "Y/PY"}, "Low"),
    ({"3.1": "N/PN/NI", "3.2": "Y/PY"}, "Low"),
    ({"3.1": "N/PN/NI", "3.2": "N/PN", "3.3": "N/PN"}, "Low"),
    ({"3.1": "N/PN/NI", "3.2": "N/PN", "3.3": "Y/PY/NI", "3.4": "N/PN"}, "Some concerns"),
    ({"3.1": "N/PN/NI", "3.2": "N/PN", "3.3": "Y/PY/NI", "3.4": "Y/PY/NI"}, "High"),
]

D4_PATHS = [
    ({"4.1": "Y/PY", "4.2": ALL5}, "High"),
    ({"4.1": "N/PN/NI", "4.2": "Y/PY"}, "High"),
    ({"4.1": "N/PN/NI", "4.2": "N/PN", "4.3": "N/PN"}, "Low"),
    ({"4.1": "N/PN/NI", "4.2": "N/PN", "4.3": "Y/PY/NI", "4.4": "N/PN"}, "Low"),
    ({"4.1": "N/PN/NI", "4.2": "N/PN", "4.3": "Y/PY/NI", "4.4": "Y/PY/NI", "4.5": "N/PN"}, "Some concerns"),
    ({"4.1": "N/PN/NI", "4.2": "N/PN", "4.3": "Y/PY/NI", "4.4": "Y/PY/NI", "4.5": "Y/PY/NI"}, "High"),
    ({"4.1": "N/PN/NI", "4.2": "NI", "4.3": "N/PN"}, "Some concerns"),
    ({"4.1": "N/PN/NI", "4.2": "NI", "4.3": "Y/PY/NI", "4.4": "N/PN"}, "Some concerns"),
    ({"4.1": "N/PN/NI", "4.2": "NI", "4.3": "Y/PY/NI", "4.4": "Y/PY/NI", "4.5": "N/PN"}, "Some concerns"),
    ({"4.1": "N/PN/NI", "4.2": "NI", "4.3": "Y/PY/NI", "4.4": "Y/PY/NI", "4.5": "Y/PY/NI"}, "High"),
]

D5_PATHS = [
    ({"5.2": "Y/PY", "5.3": ALL5, "5.1": ALL5}, "High"),
    ({"5.2": "N/PN/NI", "5.3": "Y/PY", "5.1": ALL5}, "High"),
    ({"5.2": "N/PN", "5.3": "N/PN", "5.1": "Y/PY"}, "Low"),
    ({"5.2": "N/PN", "5.3": "N/PN", "5.1": "N/PN/NI"}, "Some concerns"),
    ({"5.2": "NI", "5.3": "N/PN/NI", "5.1": ALL5}, "Some concerns"),
    ({"5.2": "N/PN", "5.3": "NI", "5.1": ALL5}, "Some concerns"),
]

CASES = ([("D1", None, row, lv) for row, lv in D1_PATHS]
         + [("D2", "assignment", row, lv) for row, lv in D2A_PATHS]
         + [("D2", "adherence", row, lv) for row, lv in D2B_PATHS]
         + [("D3", None, row, lv) for row, lv in D3_PATHS]
         + [("D4", None, row, lv) for row, lv in D4_PATHS]
         + [("D5", None, row, lv) for row, lv in D5_PATHS])


@pytest.mark.parametrize("domain,variant,row,expected", CASES,
                         ids=[f"{d}-{v or ''}-{i}" for i, (d, v, _, _) in enumerate(CASES)])
def test_every_path_of_every_domain(domain, variant, row, expected):
    combos = expand(row)
    assert combos
    for answers in combos:
        j = rob2.judge_domain(domain, answers, variant)
        assert j.level == expected, f"{domain} {variant} {answers}: {j.level} ({j.reason})"
        assert j.reason.endswith(expected)


@pytest.mark.parametrize("domain,paths,asked", [
    ("D1", D1_PATHS, ["1.1", "1.2", "1.3"]),
    ("D3", D3_PATHS, ["3.1", "3.2", "3.3", "3.4"]),
    ("D4", D4_PATHS, ["4.1", "4.2", "4.3", "4.4", "4.5"]),
    ("D5", D5_PATHS, ["5.1", "5.2", "5.3"]),
])
def test_path_tables_partition_every_answer_combination(domain, paths, asked):
    """Every combination of the non-NA answers falls on exactly one path of the table (the tables are
    complete), and the algorithm agrees with it."""
    options = {q.id: [a for a in q.allowed if a != "NA"] for q in rob2.QUESTIONS if q.domain == domain}
    for combo in itertools.product(*(options[q] for q in asked)):
        answers = dict(zip(asked, combo))
        hits = [lv for row, lv in paths if all(answers[q] in row[q].split("/") for q in row)]
        assert len(hits) == 1, f"{domain} {answers} matches {len(hits)} paths"
        assert rob2.judge_domain(domain, answers).level == hits[0]


def test_assignment_paths_cover_each_leaf_of_both_parts():
    levels = {(l1, l2) for _, _, l1 in D2A_PART1 for _, l2 in D2A_PART2}
    assert levels == {(a, b) for a in ("Low", "Some concerns", "High") for b in ("Low", "Some concerns", "High")}


def test_questions_structure():
    counts = {}
    for q in rob2.QUESTIONS:
        counts[(q.domain, q.variant)] = counts.get((q.domain, q.variant), 0) + 1
    assert counts == {("D1", None): 3, ("D2", "assignment"): 7, ("D2", "adherence"): 6, ("D3", None): 4,
                      ("D4", None): 5, ("D5", None): 3}
    for q in rob2.QUESTIONS:
        assert set(q.allowed) <= set(rob2.ANSWERS) and q.text.endswith("?")
        if q.condition:
            same = {p.id for p in rob2.QUESTIONS if p.domain == q.domain and p.variant in (None, q.variant)}
            for dep, _ in q.condition.terms:
                assert dep in same and dep < q.id, f"{q.domain} {q.id} depends on {dep}"
            assert "NA" in q.allowed
    no_ni = [q.id for q in rob2.QUESTIONS if "NI" not in q.allowed]
    assert no_ni == ["3.2"]
    table = rob2.questions("D2", "adherence")
    assert list(table["id"]) == ["2.1", "2.2", "2.3", "2.4", "2.5", "2.6"]
    assert table.loc[table["id"] == "2.6", "asked_if"].item().startswith("2.3 is PN/N/NI or 2.4")


def test_conditional_questions_may_be_left_out_when_not_reached():
    assert rob2.judge_domain("D3", {"3.1": "Y"}).level == "Low"
    assert rob2.judge_domain("D2", {"2.1": "N", "2.2": "PN", "2.6": "Y"}, "assignment").level == "Low"
    # answered NA where the condition is not met is also accepted
    assert rob2.judge_domain("D2", {"2.1": "N", "2.2": "N", "2.3": "NA", "2.6": "Y", "2.7": "NA"}, "assignment").level == "Low"


@pytest.mark.parametrize("domain,variant,answers,message", [
    ("D1", None, {"1.1": "Y", "1.2": "YES", "1.3": "N"}, r"D1 1\.2: unknown answer code 'YES'"),
    ("D1", None, {"1.1": "Y", "1.2": True, "1.3": "N"}, r"D1 1\.2: .*boolean"),
    ("D3", None, {"3.1": "N", "3.2": "NI"}, r"D3 3\.2: answer 'NI' is not allowed"),
    ("D1", None, {"1.1": "Y", "1.3": "N"}, r"D1 needs an answer to signalling question 1\.2"),
    ("D3", None, {"3.1": "N"}, r"D3 needs an answer to signalling question 3\.2 .*asked when 3\.1 is PN/N/NI"),
    ("D2", "assignment", {"2.1": "Y", "2.2": "Y", "2.3": "Y", "2.4": "Y", "2.6": "Y"}, r"needs an answer to signalling question 2\.5"),
    ("D2", "assignment", {"2.1": "Y", "2.2": "Y", "2.3": "NA", "2.6": "Y"}, r"D2 2\.3 is answered NA, but the algorithm needs it"),
    ("D2", "adherence", {"2.1": "N", "2.2": "N", "2.4": "Y", "2.5": "N", "2.6": "NA"}, r"2\.6 is answered NA"),
    ("D1", None, {"1.1": "Y", "1.2": "Y", "1.3": "N", "1.4": "N"}, r"D1 has no signalling question '1\.4'"),
    ("D2", "adherence", {"2.7": "N"}, r"D2 has no signalling question '2\.7' in the adherence variant"),
    ("D2", None, {"2.1": "N"}, r"D2 needs variant"),
    ("D1", "assignment", {"1.1": "Y"}, r"variant applies only to D2"),
    ("D6", None, {}, r"unknown domain 'D6'"),
])
def test_judge_domain_errors_name_the_item(domain, variant, answers, message):
    with pytest.raises(AppraisalError, match=message):
        rob2.judge_domain(domain, answers, variant)


def test_answers_may_be_records_with_rationale():
    answers = {"1.1": {"answer": "Y", "rationale": "computer"}, "1.2": {"answer": "PY"}, "1.3": {"answer": "NI"}}
    assert rob2.judge_domain("D1", answers).level == "Low"


def test_overall_rule_and_optional_escalation():
    L, S, H = rob2.LEVELS
    assert rob2.overall([L] * 5).level == L
    assert rob2.overall([L, S, L, L, L]).level == S
    assert rob2.overall([S, S, S, S, H]).level == H
    escalated = rob2.overall([L, S, S, L, L], escalate=True, rationale="both concerns push the same way")
    assert escalated.level == H and "assessor" in escalated.reason and "same way" in escalated.reason
    with pytest.raises(AppraisalError, match="at least two domains"):
        rob2.overall([L, S, L, L, L], escalate=True)
    with pytest.raises(AppraisalError, match="one level per domain"):
        rob2.overall([L, L, L])


def test_example_assessment_loads_and_is_judged():
    a = rob2.load("example_rob2.yml")
    assert a.is_example and a.effect == "assignment" and "hypothetical" in a.label.lower()
    out = rob2.assess(a)
    assert list(out["domain"]) == ["D1", "D2", "D3", "D4", "D5", "Overall"]
    assert list(out["judgment"]) == ["Low", "Low", "Low", "Low", "Some concerns", "Some concerns"]
    qol = rob2.assess(rob2.load("example_rob2_qol.yml"))
    assert qol.set_index("domain").loc[["D3", "D4", "D5", "Overall"], "judgment"].tolist() == ["High"] * 4
    table = rob2.answers(a)
    assert {"domain", "id", "question", "answer", "rationale"} <= set(table.columns) and (table["rationale"] != "").all()


def write(tmp_path, text: str, name: str = "a.yml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


VALID_DOMAINS = """
domains:
  D1: {"1.1": {answer: Y, rationale: r}, "1.2": {answer: Y, rationale: r}, "1.3": {answer: N, rationale: r}}
  D2: {"2.1": {answer: Y, rationale: r}, "2.2": {answer: Y, rationale: r}, "2.3": {answer: PN, rationale: r}, "2.6": {answer: Y, rationale: r}}
  D3: {"3.1": {answer: Y, rationale: r}}
  D4: {"4.1": {answer: N, rationale: r}, "4.2": {answer: N, rationale: r}, "4.3": {answer: N, rationale: r}}
  D5: {"5.1": {answer: Y, rationale: r}, "5.2": {answer: N, rationale: r}, "5.3": {answer: N, rationale: r}}
"""


def test_assessment_of_a_real_result_checks_the_reference(tmp_path):
    head = "study: tower\noutcome: Overall survival\neffect: assignment\n"
    good = write(tmp_path, head + "result: survival:os_hr\n" + VALID_DOMAINS)
    assert rob2.assess(rob2.load(good))["judgment"].tolist() == ["Low"] * 6
    missing = write(tmp_path, head + "result: survival:os_hr_nope\n" + VALID_DOMAINS, "b.yml")
    with pytest.raises(AppraisalError, match="reference 'survival:os_hr_nope': no row with id 'os_hr_nope' in tower/survival.csv"):
        rob2.load(missing)
    no_table = write(tmp_path, head + "result: kaplan:os_hr\n" + VALID_DOMAINS, "c.yml")
    with pytest.raises(AppraisalError, match="has no table 'kaplan'"):
        rob2.load(no_table)
    malformed = write(tmp_path, head + "result: os_hr\n" + VALID_DOMAINS, "d.yml")
    with pytest.raises(AppraisalError, match="must look like 'table:id'"):
        rob2.load(malformed)


@pytest.mark.parametrize("edit,message", [
    (("study: example", "study: tower2017"), "unknown study 'tower2017'"),
    (("effect: assignment", "effect: itt"), "'effect' must be 'assignment' or 'adherence'"),
    (('"1.2": {answer: Y, rationale: r}', '"1.2": {answer: yes, rationale: r}'), r"D1 1\.2: answer True was read as a yes/no boolean"),
    (('"1.2": {answer: Y, rationale: r}', '"1.2": {answer: Q, rationale: r}'), r"D1 1\.2: unknown answer code 'Q'"),
    (('"1.2": {answer: Y, rationale: r}', '"1.2": {answer: Y}'), r"D1 1\.2: missing key\(s\) \['rationale'\]"),
    (('"1.2": {answer: Y, rationale: r}', '"1.2": {answer: Y, rationale: r, page: 3}'), r"unknown key\(s\) \['page'\]"),
    (('  D5: {', '  D9: {'), r"unknown domain\(s\) \['D9'\]"),
    (('"2.3": {answer: PN, rationale: r}, ', ''), r"needs an answer to signalling question 2\.3"),
])
def test_load_errors_name_file_and_item(tmp_path, edit, message):
    text = "study: example\noutcome: OS\nresult: a hypothetical result\neffect: assignment\n" + VALID_DOMAINS
    assert edit[0] in text
    path = write(tmp_path, text.replace(edit[0], edit[1]))
    with pytest.raises(AppraisalError, match=message) as err:
        rob2.assess(rob2.load(path))
    assert str(path) in str(err.value)


def test_missing_domain_and_missing_file(tmp_path):
    text = "study: example\noutcome: OS\nresult: r\neffect: assignment\n" + VALID_DOMAINS
    cut = "\n".join(line for line in text.splitlines() if not line.startswith("  D4"))
    with pytest.raises(AppraisalError, match=r"domain D4 \(Bias in measurement of the outcome\) is missing"):
        rob2.load(write(tmp_path, cut))
    with pytest.raises(AppraisalError, match="no such file"):
        rob2.load(tmp_path / "absent.yml")


def test_escalation_from_the_file(tmp_path):
    text = ("study: example\noutcome: OS\nresult: r\neffect: assignment\n"
            "overall: {escalate: true, rationale: two concerns}\n" + VALID_DOMAINS)
    text = text.replace('"1.3": {answer: N, rationale: r}', '"1.3": {answer: Y, rationale: r}')
    text = text.replace('"5.1": {answer: Y, rationale: r}', '"5.1": {answer: NI, rationale: r}')
    out = rob2.assess(rob2.load(write(tmp_path, text)))
    assert out.set_index("domain")["judgment"].to_dict() == {"D1": "Some concerns", "D2": "Low", "D3": "Low", "D4": "Low",
                                                             "D5": "Some concerns", "Overall": "High"}


def test_traffic_light_and_summary_bars_use_symbols_and_robvis_colours():
    assessments = [rob2.load("example_rob2.yml"), rob2.load("example_rob2_qol.yml")]
    tl = charts.traffic_light(assessments).to_dict()
    assert tl["title"]["text"] and "+ for low risk" in tl["description"]
    data = next(iter(tl["datasets"].values()))
    assert {r["symbol"] for r in data} == {"+", "−", "×"}
    assert {r["domain"] for r in data} == {"D1", "D2", "D3", "D4", "D5", "Overall"}
    colour = tl["layer"][0]["encoding"]["color"]["scale"]
    assert colour["range"] == ["#02C100", "#E2DF07", "#BF0000"] and colour["domain"][0].startswith("+")
    sb = charts.summary_bars(assessments).to_dict()
    bars = next(iter(sb["datasets"].values()))
    overall = {r["judgment"]: r["share"] for r in bars if r["domain"] == "Overall"}
    assert overall == {"Some concerns": 50.0, "High": 50.0}
    assert any(r["label"] == "× 50 %" for r in bars) and sb["description"]
    single = charts.traffic_light(assessments[0]).to_dict()
    assert len(next(iter(single["datasets"].values()))) == 6
    with pytest.raises(ValueError, match="rob2.Assessment"):
        charts.traffic_light([])


def test_quiz_answers_agree_with_the_algorithms():
    from trialkit import quiz

    questions = quiz.load("toolkit")
    levels = list(rob2.LEVELS)
    assert levels[questions[1]["answer"]] == rob2.judge_domain("D1", {"1.1": "Y", "1.2": "NI", "1.3": "N"}).level
    d2 = rob2.judge_domain("D2", {"2.1": "Y", "2.2": "Y", "2.3": "N", "2.6": "Y"}, "assignment")
    assert levels[questions[2]["answer"]] == d2.level
    L, S, H = levels
    assert levels[questions[3]["answer"]] == rob2.overall([L, S, L, H, L]).level


def test_references_resolve_or_fail_clearly():
    from trialkit.appraisal import resolve

    v = resolve("tower", "flow:treated_chemotherapy")
    assert (v.value, v.statistic, v.denominator, v.percent) == (109.0, "count", 134.0, "81")
    assert resolve("tower", "populations:itt/overall").value == 405.0
    with pytest.raises(AppraisalError, match="teaching illustration with no data"):
        resolve("example", "flow:treated_chemotherapy")
    with pytest.raises(AppraisalError, match="needs 'populations:<population>/<arm>'"):
        resolve("tower", "populations:itt")
    with pytest.raises(AppraisalError, match="only populations take"):
        resolve("tower", "flow:treated/chemotherapy")

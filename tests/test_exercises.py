"""Exercise sets: the checks students run, the sources, the committed release (up to date, no solution
or hidden test in it), sanitising of submissions, and a student working through a set in a kernel.

Grading itself (nbgrader, hostile submissions, the gradebook) is tested in test_exercises_grading.py.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from trialkit.exercises import authoring, grading, overview, problems, student, variants

SETS = ["across", "capstone", "e1910", "foundations", "inovate", "pooled", "tower"]  # as authoring.sets() lists them
SALT = b"s" * 32


def committed(name: str) -> nbformat.NotebookNode:
    return nbformat.read(authoring.RELEASE_DIR / name / f"{name}.ipynb", as_version=4)


# --- variants ---------------------------------------------------------------------------------------


def test_variant_codes_depend_on_salt_set_and_student_and_catch_typos():
    a = variants.variant_code(SALT, "tower", "ana")
    assert variants.valid_code(a) and variants.normalise_code(variants.pretty(a).lower()) == a
    assert len({a, variants.variant_code(SALT, "tower", "li"), variants.variant_code(SALT, "foundations", "ana"),
                variants.variant_code(b"t" * 32, "tower", "ana")}) == 4
    typo = ("B" if a[3] != "B" else "C").join([a[:3], a[4:]])
    with pytest.raises(ValueError, match="typing mistake"):
        variants.normalise_code(typo)
    with pytest.raises(ValueError, match="12 letters"):
        variants.normalise_code("hello")
    with pytest.raises(ValueError, match="salt must be at least 16 bytes"):
        variants.variant_code(b"short", "tower", "ana")


@pytest.mark.parametrize("name", SETS)
def test_two_students_have_different_expected_answers_for_every_numeric_question(name):
    """For any two of 12 students, every question with a numeric part has a different answer vector, and
    most real-valued parts differ too (counts are whole numbers, so a single part may coincide)."""
    students = [f"student{i}" for i in range(12)]
    exp = {s: problems.expected(name, variants.variant_code(SALT, name, s)) for s in students}
    parts = problems.parts(name)
    for i, s1 in enumerate(students):
        for s2 in students[i + 1:]:
            for q in problems.questions(name):
                nums = [p.name for p in q.parts if p.kind != "choice"]
                if nums:
                    assert [exp[s1][p].value for p in nums] != [exp[s2][p].value for p in nums], (q.qid, s1, s2)
                same = [p for p in nums if parts[p].kind == "number" and exp[s1][p].value == exp[s2][p].value]
                assert len(same) <= 1, (q.qid, s1, s2, same)


def test_scenarios_are_deterministic_and_plain():
    code = variants.variant_code(SALT, "foundations", "ana")
    assert problems.scenario("foundations", code) == problems.scenario("foundations", code)
    json.dumps(problems.scenario("tower", variants.variant_code(SALT, "tower", "ana")))
    f1, f2 = problems.survival_frame("foundations", code), problems.survival_frame("foundations", code)
    assert f1.equals(f2) and set(f1["arm"]) == {"new", "standard"}


# --- judging ---------------------------------------------------------------------------------------


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __float__(self):
        return 0.5

    __hash__ = object.__hash__


class EqFloat(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


def test_encode_keeps_only_plain_types():
    assert problems.encode(0.5) == {"t": "num", "v": 0.5}
    assert problems.encode(np.int64(3)) == {"t": "num", "v": 3.0}
    assert problems.encode(True) == {"t": "bool"} and problems.encode(None) == {"t": "none"}
    assert problems.encode(float("nan")) == {"t": "nonfinite"}
    assert problems.encode(" Low ") == {"t": "str", "v": " Low "}
    for hostile in (AlwaysEqual(), EqFloat(0.5), np.array(0.5), [0.5]):
        assert problems.encode(hostile)["t"] == "other"


def test_judge_gives_partial_credit_hints_and_never_raises():
    code = variants.variant_code(SALT, "foundations", "ana")
    exp = problems.expected("foundations", code)
    enc = {k: problems.encode(e.value if e.value is not None else (e.accepted or ("low",))[0]) for k, e in exp.items()}
    q7 = {k: v for k, v in enc.items() if k.startswith("q7")}
    level, _ = problems._consistent_level(exp["q7_d1"], q7)
    enc["q7_d1"] = problems.encode(level)
    full = problems.judge("foundations", code, enc, exp=exp)
    assert sum(v.points for v in full) == problems.max_points("foundations")[0]
    wrong = dict(enc, q1_low=problems.encode(100 * exp["q1_low"].value), q2_diff=problems.encode(-exp["q2_diff"].value),
                 q3_patients=problems.encode(exp["q3_patients"].value - 1), q5_hr=problems.encode(1 / exp["q5_hr"].value),
                 q5_meaning=problems.encode("c"), q6_power=problems.encode(exp["q6_power"].hints[0][0]))
    by = {v.part: v for v in problems.judge("foundations", code, wrong, exp=exp)}
    assert "percent" in by["q1_low"].message and by["q1_high"].correct
    assert "inverted" in by["q2_diff"].message and by["q2_low"].correct
    assert "rounded up" in by["q3_patients"].message and "inverted" in by["q5_hr"].message
    assert "medians" in by["q5_meaning"].message and "sidedness" in by["q6_power"].message
    hostile = {"q1_low": {"t": "num", "v": "0.5"}, "q1_high": [1], "q2_diff": {"t": "other", "type": "X"}, "q3_nnt": None}
    verdicts = problems.judge("foundations", code, hostile, exp=exp)
    assert sum(v.points for v in verdicts) == 0
    assert sum(v.points for v in problems.judge("foundations", code, "not a dict", exp=exp)) == 0


def test_rob2_judgment_is_graded_for_consistency_with_the_students_own_answers():
    code = variants.variant_code(SALT, "tower", "ana")
    exp = problems.expected("tower", code)
    mine = {"q5_21": "y", "q5_22": "y", "q5_23": "n", "q5_24": "na", "q5_25": "na", "q5_26": "y"}
    enc = {k: problems.encode(v) for k, v in mine.items()}
    level, why = problems._consistent_level(exp["q5_d2"], enc)
    assert level == "low" and "your signalling answers" in why
    enc["q5_d2"] = problems.encode("low")
    by = {v.part: v for v in problems.judge("tower", code, enc, exp=exp)}
    assert by["q5_d2"].correct and not by["q5_23"].correct and by["q5_21"].correct


def test_the_formative_check_reports_per_part_for_the_students_variant(capsys):
    code = variants.variant_code(SALT, "tower", "ana")
    student.start("tower", code)
    q = problems.scenario("tower", code)["q1"]
    rd = __import__("trialkit.stats", fromlist=["stats"]).risk_difference(
        q["cr_new"], q["randomised_new"], q["cr_control"], q["randomised_control"])
    ns = {"q1_diff": 100 * rd.estimate, "q1_low": rd.low, "q1_high": 100 * rd.high}
    assert student.check("q1", ns) == 2
    out = capsys.readouterr().out
    assert "q1_low" in out and "proportion" in out and "2 of 3 points" in out
    with pytest.raises(ValueError, match="variant code"):
        student.start("tower", "PASTE-YOUR-CODE-HERE")


# --- the sources ----------------------------------------------------------------------------------


def test_each_set_has_six_to_ten_questions_and_fits_45_to_90_minutes():
    table = overview()
    assert sorted(table["set"]) == sorted(SETS)
    for row in table.itertuples():
        assert 6 <= row.questions <= 10, row
        assert 45 <= row.minutes <= 90, row
        assert row.auto_points > 0 and row.manual_points > 0, row


def test_free_text_answers_are_graded_by_hand_and_no_rubric_or_model_answer_is_in_the_repository():
    for name in SETS:
        nb = authoring.source_notebook(name)
        assert authoring.manual_cells(nb) == [m.item for m in problems.manual(name)]
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") in authoring.manual_cells(nb):
                assert cell.source.strip() == grading.STUB  # the model answer stays with the instructor
        assert not list((authoring.SOURCE_DIR / name).glob("rubric*"))
        assert sorted(p.name for p in (authoring.RELEASE_DIR / name).iterdir()) == [f"{name}.ipynb"]


def test_every_question_has_an_answer_cell_and_a_formative_check_cell():
    for name in SETS:
        nb = authoring.source_notebook(name)
        ids = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
        for q in problems.questions(name):
            assert ids[f"{q.qid}_answer"].metadata["nbgrader"]["solution"]
            assert ids[f"{q.qid}_check"].source.strip() == f'student.check("{q.qid}")'
            assert ids[f"{q.qid}_check"].metadata["nbgrader"]["locked"]
        assert 'student.start("' in ids["setup"].source


def test_data_are_read_from_trialkit_data_not_typed():
    """No number is typed into a solution: solutions read the variant's scenario (V.q1 ...), worked
    examples name the data rows of the published trial."""
    for name in SETS:
        text = (authoring.SOURCE_DIR / name / f"{name}.md").read_text()
        for typed in ("271", "134", "109", "267", "349.4", "641.9", "0.71", "330", "7.7", "4.0)"):
            solutions = "\n".join(re.findall(r"### BEGIN SOLUTION(.*?)### END SOLUTION", text, re.S))
            assert typed not in solutions, (name, typed)
        assert "V.q" in solutions and ("data.row(" in text or "`inovate`" in text)


@pytest.mark.parametrize("edit,message", [
    (lambda s: s.replace("student.check(\"q1\")", "student.check(\"q1\")\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS", 1),
     "hidden tests are gone"),
    (lambda s: s.replace("  grade_id: q1_check", "  grade_id: q1_answer"), "already used"),
    (lambda s: s.replace('"points": 4}', '"points": 3}', 1), "problems.MANUAL says"),
    (lambda s: s.replace("  grade_id: q2_check\n", "  grade_id: q2_other\n", 1), "needs a cell q2_check"),
    (lambda s: s.replace("trialkit:\n", "other:\n", 1), "trialkit: {title"),
    (lambda s: s.replace("  grade_id: q1_answer\n  solution: true\n", "  grade_id: q1_answer\n  locked: true\n"),
     "solution markers in a cell that is not an answer"),
])
def test_a_broken_source_is_refused_with_its_cell_named(tmp_path, edit, message):
    folder = tmp_path / "foundations"
    folder.mkdir()
    text = (authoring.SOURCE_DIR / "foundations" / "foundations.md").read_text()
    (folder / "foundations.md").write_text(edit(text))
    with pytest.raises(authoring.AuthoringError, match=re.escape(message)):
        authoring.source_notebook("foundations", tmp_path)


def test_unknown_set_is_refused():
    with pytest.raises(ValueError, match="set must be one of"):
        authoring.source_path("nosuchset")
    with pytest.raises(ValueError, match="lowercase name"):
        authoring.source_path("../tower")


# --- the release ------------------------------------------------------------------------------------


def test_committed_release_is_up_to_date_and_deterministic():
    """Releasing again (into a temporary folder) reproduces the committed files byte for byte: the command
    `release --check` does exactly that, and exits 1 naming any file that differs."""
    cli = subprocess.run([sys.executable, "-m", "trialkit.exercises", "release", "--check"],
                         capture_output=True, text=True)
    assert cli.returncode == 0, f"run `python -m trialkit.exercises release`:\n{cli.stdout}{cli.stderr}"
    assert "release is up to date" in cli.stdout


@pytest.mark.parametrize("name", SETS)
def test_release_contains_no_solution_and_no_judgment_handed_to_the_student(name):
    text = (authoring.RELEASE_DIR / name / f"{name}.ipynb").read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "EVIDENCE_D1",
                   "course's answers", "judge_domain(\"D"):
        assert marker not in text, marker
    sources = "\n".join(c.source for c in committed(name).cells)
    secrets = authoring.hidden_lines(authoring.source_notebook(name))
    assert len(secrets) > 10
    for line in secrets:
        assert line not in sources, line
    for cell in committed(name).cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            assert "NotImplementedError" in cell.source or cell.source == grading.STUB
        if meta.get("locked"):
            assert cell.metadata["editable"] is False and cell.metadata["deletable"] is False


def test_nbgrader_copies_only_notebooks_into_a_release(tmp_path):
    """The course configuration keeps Markdown sources, rubrics and other files out of a release."""
    folder = tmp_path / "source" / "foundations"
    folder.mkdir(parents=True)
    for extra in ("foundations.md", "rubric.md", "notes.py", "answers.txt", "key.json"):
        (folder / extra).write_text("instructor-only text")
    authoring.generate(tmp_path, "foundations")
    assert sorted(p.name for p in (tmp_path / "release" / "foundations").iterdir()) == ["foundations.ipynb"]


# --- sanitising a submission ----------------------------------------------------------------------------


def _by_id(nb, gid):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid)


def test_prepare_runs_the_released_setup_and_the_students_cells_only():
    released = committed("foundations")
    nb = authoring.completed("foundations", released, code="X")
    _by_id(nb, "setup").source = "import trialkit.exercises.problems as P\nP.judge = None"
    _by_id(nb, "q1_check").source = "print('checks passed')"
    nb.cells.append(nbformat.v4.new_code_cell("extra = 1"))
    prep = grading.prepare(nb, released, "foundations")
    assert prep.cells[1] == _by_id(released, "setup").source and "P.judge" not in "".join(prep.cells)
    assert "checks passed" not in "".join(prep.cells) and "student.check(" not in "".join(prep.cells[2:])
    assert prep.cells[-1] == "extra = 1" and prep.typed_code == "X"
    assert any("locked cell(s) were edited" in n for n in prep.notes)
    assert prep.manual["q8_answer"].startswith("My answer")
    bare = nbformat.v4.new_notebook(cells=[
        (nbformat.v4.new_code_cell if c.cell_type == "code" else nbformat.v4.new_markdown_cell)(c.source)
        for c in authoring.completed("foundations", released).cells])
    prep2 = grading.prepare(bare, released, "foundations")
    assert any("no nbgrader metadata" in n for n in prep2.notes)
    assert prep2.manual == {k: v for k, v in grading.prepare(authoring.completed("foundations", released), released,
                                                             "foundations").manual.items()}
    assert len(prep2.cells) == len([c for c in prep.cells if c != "extra = 1"])


def test_read_submission_reports_broken_files_by_name(tmp_path):
    cases = {"broken.ipynb": "{not json", "list.ipynb": "[1, 2]", "v3.ipynb": json.dumps({"nbformat": 3, "cells": []}),
             "latin.ipynb": b"\xff\xfe\x00"}
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        with pytest.raises(grading.SubmissionError, match=re.escape(str(path))):
            grading.read_submission(path)
    big = tmp_path / "big.ipynb"
    big.write_text(" " * 200)
    with pytest.raises(grading.SubmissionError, match="more than the limit"):
        grading.read_submission(big, max_bytes=100)


def test_course_folder_inside_the_repository_is_refused():
    with pytest.raises(grading.GradingError, match="outside the repository"):
        grading.Course(authoring.ROOT / "exercises" / "course")


# --- a student in a kernel --------------------------------------------------------------------------------


def _run(nb, cwd):
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


def _text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}")
    return "\n".join(parts)


@pytest.mark.parametrize("name", SETS)
def test_a_student_who_answers_everything_sees_every_check_right(name, tmp_path):
    code = variants.pretty(variants.variant_code(SALT, name, "ana"))
    nb = _run(authoring.completed(name, committed(name), code=code), tmp_path)
    checks = [c for c in nb.cells if (c.metadata.get("nbgrader", {}).get("grade_id") or "").endswith("_check")]
    assert len(checks) == len(problems.questions(name))
    for cell in nb.cells:
        assert not any(o.output_type == "error" for o in cell.get("outputs", [])), _text(cell)
    for cell, q in zip(checks, problems.questions(name)):
        assert f"{q.points:g} of {q.points:g} points" in _text(cell) and "not yet" not in _text(cell)


def test_a_student_without_a_code_is_told_what_to_do(tmp_path):
    untouched = _run(copy.deepcopy(committed("foundations")), tmp_path)
    assert "variant code your instructor sent you" in _text(_by_id(untouched, "setup"))


def test_km_figure_is_labelled_synthetic_and_renders_as_vega_lite():
    from trialkit.exercises import figures

    fig = figures.km_chart("inovate_os", title="Overall survival", arm_labels={"inotuzumab": "Inotuzumab"})
    bundle = fig._repr_mimebundle_()
    spec = bundle[figures.VEGA_LITE]
    assert spec["title"]["text"] == "SYNTHETIC: Overall survival" and "SYNTHETIC" in spec["description"]
    arms = {v["Arm"] for v in spec["layer"][0]["data"]["values"]}
    assert arms == {"Inotuzumab", "standard"}
    json.dumps(spec)  # plain JSON, as JupyterLab needs
    assert spec["width"] == "container"
    with pytest.raises(ValueError, match="name must be one of"):
        figures.km_chart("nope", title="x")
    with pytest.raises(ValueError, match="step must be"):
        figures.km_chart("inovate_os", title="x", step=0)
    with pytest.raises(ValueError, match="title must be"):
        figures.km_chart("inovate_os", title=" ")


# --- the pooled set ------------------------------------------------------------------------------------


def test_pooled_patients_are_labelled_plain_and_the_responder_cohort_respects_its_window():
    from trialkit.exercises import pooled

    s = problems.scenario("pooled", variants.variant_code(SALT, "pooled", "ana"))
    json.dumps(s)
    assert s["q4"]["dataset"] == "SYNTHETIC" and s["q6"]["dataset"] == "SYNTHETIC" and s["q5"]["dataset"] == "SIMULATED"
    f5 = pooled.frame(s, "q5")
    reached = f5["response_time"].dropna()
    assert 0 < len(reached) < len(f5) and (reached <= s["q5"]["landmark_months"]).all()
    assert (reached <= f5.loc[reached.index, "time"]).all()          # nobody responds after death or censoring
    assert set(pooled.frame(s, "q6")["event_type"]) == {0, 1, 2}
    q3, q7 = s["q3"], s["q7"]
    assert q3["mrd_long_term"] <= q3["long_term_survivors"] and q3["mrd_short_term"] <= q3["short_term"]
    assert q7["events"] <= q7["patients"] and s["q8"]["responders"] <= s["q8"]["patients"]
    with pytest.raises(ValueError, match="q must be"):
        pooled.frame(s, "q1")


def test_pooled_expected_answers_show_the_biases_the_set_teaches():
    """Over several variants: responders look better from the first dose than from the landmark (immortal
    time), one minus Kaplan-Meier overstates relapse, and reading the survivor table the other way gives
    a smaller share than its column percentage."""
    for who in ("ana", "li", "bo", "kim"):
        e = problems.expected("pooled", variants.variant_code(SALT, "pooled", who))
        assert e["q5_naive_hr"].value < e["q5_landmark_hr"].value
        assert e["q6_naive"].value > e["q6_cif"].value
        assert e["q3_alive_mrd"].value < e["q3_mrd_share"].value and e["q3_alive_non"].value < e["q3_alive_mrd"].value
        assert e["q1_low"].value < e["q1_rate"].value < e["q1_high"].value


def test_pooled_common_mistakes_get_their_hint():
    code = variants.variant_code(SALT, "pooled", "ana")
    exp = problems.expected("pooled", code)
    enc = {k: problems.encode(e.value if e.value is not None else e.accepted[0]) for k, e in exp.items()}
    assert sum(v.points for v in problems.judge("pooled", code, enc, exp=exp)) == problems.max_points("pooled")[0]
    wrong = dict(enc, q3_alive_mrd=problems.encode(exp["q3_mrd_share"].value),
                 q6_cif=problems.encode(exp["q6_naive"].value), q5_landmark_hr=problems.encode(exp["q5_naive_hr"].value),
                 q2_rfs_population=problems.encode("All treated"), q7_supported=problems.encode(1.5))
    by = {v.part: v for v in problems.judge("pooled", code, wrong, exp=exp)}
    assert "other way" in by["q3_alive_mrd"].message and "censors the deaths" in by["q6_cif"].message
    assert "landmark" in by["q5_landmark_hr"].message and "only patients in CR/CRh" in by["q2_rfs_population"].message
    assert "round it" in by["q7_supported"].message and by["q3_alive_non"].correct
    assert sum(v.points for v in by.values()) == problems.max_points("pooled")[0] - sum(
        problems.parts("pooled")[p].points for p in ("q3_alive_mrd", "q6_cif", "q5_landmark_hr", "q2_rfs_population",
                                                    "q7_supported"))


def test_the_practice_page_offers_every_sets_notebook():
    page = (Path(__file__).resolve().parents[1] / "book" / "exercises.md").read_text(encoding="utf-8")
    missing = [s for s in problems.SETS if f"_static/exercise-notebooks/{s}/{s}.ipynb" not in page]
    assert not missing, f"book/exercises.md does not link the notebooks of {missing}"

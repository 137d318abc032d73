"""Exercise sets: the checks students run, the sources, the committed release (up to date, no solution
or hidden test in it), sanitising of submissions, and a student working through a set in a kernel.

Grading itself (nbgrader, hostile submissions, the gradebook) is tested in test_exercises_grading.py.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from trialkit.exercises import authoring, check, grading, overview

SETS = ["foundations", "tower"]


def committed(name: str) -> nbformat.NotebookNode:
    return nbformat.read(authoring.RELEASE_DIR / name / f"{name}.ipynb", as_version=4)


# --- the checks -------------------------------------------------------------------------------------


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


class EqStr(str):
    def __eq__(self, other):
        return True

    def strip(self, *a):
        return "a"

    __hash__ = str.__hash__


@pytest.mark.parametrize("value", [0.5, 1, np.float64(0.5), np.int64(1), np.float32(0.25)])
def test_number_accepts_plain_numbers(value):
    assert check.proportion("x", value) == float(value)


@pytest.mark.parametrize("value,message", [
    (None, "x is still None"),
    (True, "not True/False"),
    ("0.5", "without quotes"),
    ([0.5], "collection"),
    (np.array(0.5), "collection"),
    (AlwaysEqual(), "an object of type AlwaysEqual"),
    (EqFloat(0.5), "an object of type EqFloat"),
    (float("nan"), "finite"),
    (33.6, "not a percent"),
])
def test_number_rejects_everything_else_with_a_clear_message(value, message):
    with pytest.raises(check.AnswerError, match=re.escape(message)):
        check.proportion("x", value)


def test_hidden_close_uses_the_tolerance_and_never_reveals_the_answer():
    check.close("x", 0.721, 0.72070, abs_tol=0.0006)  # rounded to 3 decimals: accepted
    check.close("x", 72, 72.0, abs_tol=0)
    with pytest.raises(check.AnswerError) as err:
        check.close("x", 0.722, 0.72070, abs_tol=0.0006)
    assert str(err.value) == "x is not correct." and "0.72" not in str(err.value)
    for hostile in (AlwaysEqual(), EqFloat(0.7207)):
        with pytest.raises(check.AnswerError):
            check.close("x", hostile, 0.72070, abs_tol=0.0006)


def test_choices_are_normalised_and_type_strict():
    assert check.choice("x", "  Some   Concerns ", ["low", "some concerns", "high"]) == "some concerns"
    check.same_choice("x", " HIGH", "high", ["low", "some concerns", "high"])
    check.one_of("x", "py", ["y", "py"], ["y", "py", "pn", "n", "ni"])
    with pytest.raises(check.AnswerError, match="is not correct"):
        check.same_choice("x", "low", "high", ["low", "some concerns", "high"])
    with pytest.raises(check.AnswerError, match="must be one of"):
        check.choice("x", "medium", ["low", "some concerns", "high"])
    for hostile in (EqStr("b"), AlwaysEqual(), 1):
        with pytest.raises(check.AnswerError, match="must be a string"):
            check.same_choice("x", hostile, "a", ["a", "b"])


def test_whole_percent_and_ordered():
    assert check.whole("n", 310.0) == 310
    with pytest.raises(check.AnswerError, match="round it"):
        check.whole("n", 309.5)
    with pytest.raises(check.AnswerError, match="looks like a proportion"):
        check.percent("d", 0.179, low=-100, high=100)
    check.ordered(("lo", 9.6), ("d", 17.9), ("hi", 26.2))
    with pytest.raises(check.AnswerError, match="lo must be smaller than d"):
        check.ordered(("lo", 18.0), ("d", 17.9))


def test_checks_survive_rebinding_of_math_and_builtins(monkeypatch):
    import builtins
    import math

    monkeypatch.setattr(math, "isclose", lambda *a, **k: True)
    monkeypatch.setattr(builtins, "float", lambda *a: 0.7207)
    with pytest.raises(check.AnswerError, match="not correct"):
        check.close("x", 0.1, 0.7207, abs_tol=0.0006)


# --- the sources ----------------------------------------------------------------------------------


def test_each_set_has_six_to_ten_questions_and_fits_45_to_90_minutes():
    table = overview()
    assert list(table["set"]) == SETS
    for row in table.itertuples():
        assert 6 <= row.questions <= 10, row
        assert 45 <= row.minutes <= 90, row
        assert row.auto_points > 0 and row.manual_points > 0, row


def test_each_set_has_one_manually_graded_answer_and_a_rubric_outside_the_release():
    for name in SETS:
        nb = authoring.source_notebook(name)
        assert len(authoring.manual_cells(nb)) == 1
        rubric = authoring.SOURCE_DIR / name / "rubric.md"
        assert rubric.exists() and authoring.manual_cells(nb)[0] in rubric.read_text()
        assert sorted(p.name for p in (authoring.RELEASE_DIR / name).iterdir()) == [f"{name}.ipynb"]


def test_every_test_cell_has_visible_and_hidden_checks():
    for name in SETS:
        for cell in authoring.source_notebook(name).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and not meta.get("solution"):
                visible, hidden = authoring._split_hidden(cell.source, name)
                assert "check." in visible and ("check.close" in hidden or "check.same_choice" in hidden
                                                or "check.one_of" in hidden)


def test_data_are_read_from_trialkit_data_not_typed():
    """No number printed in the publication is typed into a set: prompts and solutions name data rows."""
    for name in SETS:
        text = (authoring.SOURCE_DIR / name / f"{name}.md").read_text()
        for typed in ("271", "134", "109", "267", "349.4", "641.9", "0.71", "330", "7.7", "4.0)"):
            solutions = "\n".join(re.findall(r"### BEGIN SOLUTION(.*?)### END SOLUTION", text, re.S))
            assert typed not in solutions, (name, typed)
        assert 'data.row("' in text


@pytest.mark.parametrize("edit,message", [
    (lambda s: s.replace("### BEGIN HIDDEN TESTS", "", 1), "exactly one"),
    (lambda s: s.replace("  grade_id: q1_test", "  grade_id: q1_answer"), "already used"),
    (lambda s: s.replace("  points: 2\n", "  points: 0\n", 1), "points > 0"),
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


def _expected_literals(name: str) -> list[float]:
    nb = authoring.source_notebook(name)
    found = []
    for cell in nb.cells:
        _, hidden = (authoring._split_hidden(cell.source, name) if authoring.BEGIN_HIDDEN in cell.source else ("", ""))
        found += [float(x) for x in re.findall(r"check\.close\(\"\w+\", \w+, ([-0-9.]+),", hidden)]
    return found


@pytest.mark.parametrize("name", SETS)
def test_release_contains_no_solution_no_hidden_test_and_no_answer(name):
    text = (authoring.RELEASE_DIR / name / f"{name}.ipynb").read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "same_choice",
                   "one_of(", "check.close"):
        assert marker not in text
    sources = "\n".join(c.source for c in committed(name).cells)
    secrets = authoring.hidden_lines(authoring.source_notebook(name))
    assert len(secrets) > 20
    for line in secrets:
        assert line not in sources, line
    literals = _expected_literals(name)
    assert len(literals) >= 8
    for x in literals:
        if x == int(x):
            continue  # whole numbers (grades, counts) appear in any text
        for shown in {repr(x), f"{x:.3f}", f"{x:.4f}"}:
            assert shown not in text, (name, shown)
    model = [c for c in authoring.source_notebook(name).cells if c.metadata.get("nbgrader", {}).get("solution")
             and c.cell_type == "markdown"][0].source
    assert model[:60] not in text
    # every answer cell is a stub and every test cell is locked
    for cell in committed(name).cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            assert "NotImplementedError" in cell.source or cell.source == "YOUR ANSWER HERE"
        if meta.get("grade") and not meta.get("solution"):
            assert meta["locked"] and cell.metadata["editable"] is False and cell.metadata["deletable"] is False


def test_nbgrader_copies_only_notebooks_into_a_release(tmp_path):
    """The course configuration keeps Markdown sources, rubrics and other files out of a release."""
    folder = tmp_path / "source" / "foundations"
    folder.mkdir(parents=True)
    for extra in ("foundations.md", "rubric.md", "notes.py", "answers.txt", "key.json"):
        shutil.copyfile(authoring.SOURCE_DIR / "foundations" / "rubric.md", folder / extra)
    authoring.generate(tmp_path, "foundations")
    assert sorted(p.name for p in (tmp_path / "release" / "foundations").iterdir()) == ["foundations.ipynb"]


# --- sanitising a submission ----------------------------------------------------------------------------


def _by_id(nb, gid):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid)


def test_sanitise_resets_metadata_drops_unknown_cells_and_restores_missing_tests():
    released = committed("foundations")
    nb = copy.deepcopy(released)
    _by_id(nb, "q1_test").metadata["nbgrader"]["points"] = 100
    _by_id(nb, "q2_test").metadata["nbgrader"].update(solution=True, locked=False, grade=False)
    fake = nbformat.v4.new_code_cell("pass")
    fake.metadata["nbgrader"] = {"grade": True, "grade_id": "bonus", "points": 1000, "solution": False,
                                 "locked": False, "schema_version": 3}
    nb.cells.append(fake)
    nb.cells.append(copy.deepcopy(_by_id(nb, "q1_test")))
    weird = nbformat.v4.new_code_cell("pass")
    weird.metadata["nbgrader"] = "not a dict"
    nb.cells.append(weird)
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}) == "not a dict"
                or c.metadata.get("nbgrader", {}).get("grade_id") not in ("q3_test", "q4_test")]
    clean, notes = grading.sanitise(nb, released)
    ids = [c.metadata["nbgrader"]["grade_id"] for c in clean.cells if "nbgrader" in c.metadata]
    assert ids == [c.metadata["nbgrader"]["grade_id"] for c in released.cells if "nbgrader" in c.metadata]
    assert _by_id(clean, "q1_test").metadata["nbgrader"]["points"] == 2
    assert _by_id(clean, "q2_test").metadata["nbgrader"] == _by_id(released, "q2_test").metadata["nbgrader"]
    assert _by_id(clean, "q3_test").source == _by_id(released, "q3_test").source
    assert ids.index("q4_test") == ids.index("q4_answer") + 1
    assert any("put back the missing cell q3_test" in n for n in notes)
    assert any("duplicate of q1_test" in n for n in notes) and any("unknown cell" in n for n in notes)
    assert len({c.id for c in clean.cells}) == len(clean.cells)


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


def test_suspicious_code_is_flagged_for_review():
    released = committed("foundations")
    nb = copy.deepcopy(released)
    _by_id(nb, "q1_answer").source = "import sqlite3\ncheck.close = lambda *a, **k: None\nget_ipython().input_transformers_cleanup.append(f)"
    flags = grading.suspicious(nb, released)
    assert {"sqlite", "check.close", "get_ipython", "input_transformers"} <= set(flags)
    assert grading.suspicious(authoring.completed("foundations", released), released) == []


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
def test_a_student_who_answers_everything_sees_every_check_pass(name, tmp_path):
    nb = _run(authoring.completed(name, committed(name)), tmp_path)
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    assert len(tests) >= 6
    for cell in nb.cells:
        assert not any(o.output_type == "error" for o in cell.get("outputs", [])), _text(cell)
    for cell in tests:
        assert "Checks passed" in _text(cell)


def test_a_student_gets_clear_messages_that_never_give_the_answer(tmp_path):
    released = committed("foundations")
    nb = authoring.completed("foundations", released)
    _by_id(nb, "q1_answer").source = "q1_low, q1_high = 72.07, 87.66"            # percent, not proportion
    _by_id(nb, "q2_answer").source = "q2_diff, q2_low, q2_high = 0.514, 0.384, 0.643"  # proportion, not percent
    _by_id(nb, "q5_answer").source = "q5_hr, q5_meaning = '0.76', 'e'"
    _by_id(nb, "q7_answer").source = "q7_d1, q7_d2 = 'medium', None"
    nb = _run(nb, tmp_path)
    messages = {gid: _text(_by_id(nb, gid)) for gid in ("q1_test", "q2_test", "q5_test", "q7_test")}
    assert "AnswerError: q1_low must be a proportion" in messages["q1_test"]
    assert "looks like a proportion" in messages["q2_test"]
    assert "q5_hr must be a hazard ratio" in messages["q5_test"] and "without quotes" in messages["q5_test"]
    assert "q7_d1 must be one of 'low', 'some concerns', 'high'" in messages["q7_test"]
    for gid, text in messages.items():
        for secret in ("0.7207", "51.37", "0.7255", "'high'" if gid != "q7_test" else "0.8191"):
            assert secret not in text, (gid, secret)
    untouched = _run(copy.deepcopy(released), tmp_path)
    assert "NotImplementedError" in _text(_by_id(untouched, "q1_answer"))
    assert "NameError" in _text(_by_id(untouched, "q1_test"))


def test_km_figure_is_labelled_synthetic_and_renders_as_vega_lite():
    from trialkit.exercises import figures

    fig = figures.km_chart("inovate_os", title="Overall survival", arm_labels={"inotuzumab": "Inotuzumab"})
    bundle = fig._repr_mimebundle_()
    spec = bundle[figures.VEGA_LITE]
    assert spec["title"]["text"] == "SYNTHETIC: Overall survival" and "SYNTHETIC" in spec["description"]
    arms = {v["Arm"] for v in spec["layer"][0]["data"]["values"]}
    assert arms == {"Inotuzumab", "standard"}
    json.dumps(spec)  # plain JSON, as JupyterLab needs
    with pytest.raises(ValueError, match="name must be one of"):
        figures.km_chart("nope", title="x")
    with pytest.raises(ValueError, match="step must be"):
        figures.km_chart("inovate_os", title="x", step=0)
    with pytest.raises(ValueError, match="title must be"):
        figures.km_chart("inovate_os", title=" ")

"""Grading with nbgrader: one folder of real, wrong and hostile submissions is graded once (module
fixture) and every test reads the outcome: scores, statuses, the gradebook and the graded notebooks.

The per-cell timeout is lowered for the tests (the whole-submission limit is tested separately)."""

from __future__ import annotations

import copy
import csv
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import nbformat
import psutil
import pytest

from trialkit.exercises import authoring, grading

CELL_TIMEOUT = 10
POINTS = authoring.points(authoring.source_notebook("foundations"))
AUTO_MAX = sum(v for k, v in POINTS.items() if k != "q8_answer")


def committed(name):
    return nbformat.read(authoring.RELEASE_DIR / name / f"{name}.ipynb", as_version=4)


def _cell(nb, gid):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid)


def _answer(nb, gid, source):
    _cell(nb, gid).source = source
    return nb


def _write(folder: Path, student: str, name: str, nb) -> None:
    (folder / student).mkdir(parents=True, exist_ok=True)
    (folder / student / f"{name}.ipynb").write_text(json.dumps(nb, indent=1))  # as is: no repair by nbformat


def _csv(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _tests(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]


def submissions(folder: Path) -> dict[str, int | None]:
    """Write the folder; returns the expected automatic score of each foundations submission."""
    released = committed("foundations")
    ref = authoring.completed("foundations", released)
    expected = {}

    _write(folder, "a_ref", "foundations", ref)
    expected["a_ref"] = AUTO_MAX
    _write(folder, "a_ref", "tower", authoring.completed("tower", committed("tower")))
    _write(folder, "b_blank", "foundations", released)
    _write(folder, "b_blank", "tower", committed("tower"))
    expected["b_blank"] = 0

    nb = copy.deepcopy(ref)  # wrong answers, and sensible rounding that must be accepted
    _answer(nb, "q1_answer", "q1_low, q1_high = 72.07, 87.66")                 # percent: wrong form
    _answer(nb, "q2_answer", "q2_diff, q2_low, q2_high = 51.4, 38.4, 64.5")    # upper limit wrong
    _answer(nb, "q5_answer", "q5_hr, q5_meaning = 0.76, 'b'")                  # wrong statement
    _answer(nb, "q6_answer", "q6_power, q6_events = 0.82, 310")                # rounded: right
    _answer(nb, "q7_answer", "q7_d1, q7_d2 = ' Some Concerns', 'some concerns'")  # d1 wrong
    _write(folder, "c_wrong", "foundations", nb)
    expected["c_wrong"] = POINTS["q3_test"] + POINTS["q4_test"] + POINTS["q6_test"]

    nb = copy.deepcopy(ref)  # exceptions and a syntax error in answers
    _answer(nb, "q1_answer", "raise ValueError('stuck')")
    _answer(nb, "q2_answer", "q2_diff = (")
    _write(folder, "d_raises", "foundations", nb)
    expected["d_raises"] = AUTO_MAX - POINTS["q1_test"] - POINTS["q2_test"]

    nb = copy.deepcopy(ref)  # an endless loop: cut by the per-cell timeout
    _answer(nb, "q3_answer", "while True:\n    pass")
    _write(folder, "e_loop", "foundations", nb)
    expected["e_loop"] = AUTO_MAX - POINTS["q3_test"]

    nb = copy.deepcopy(ref)  # a million lines of output, and active HTML in an output
    nb.cells.insert(2, nbformat.v4.new_code_cell("for i in range(1_000_000):\n    print(i)"))
    nb.cells.insert(3, nbformat.v4.new_code_cell(
        "from IPython.display import HTML\nHTML('<script>window.trialkitPwned = 1</script><b>student html</b>')"))
    _write(folder, "f_spam", "foundations", nb)
    expected["f_spam"] = AUTO_MAX

    nb = copy.deepcopy(released)  # tests edited to pass, answers wrong
    for cell in _tests(nb):
        cell.source = 'print("Checks passed")'
    for gid in ("q1", "q2", "q3", "q4", "q5", "q6", "q7"):
        _answer(nb, f"{gid}_answer", "pass")
    _write(folder, "g_edit_tests", "foundations", nb)
    expected["g_edit_tests"] = 0

    nb = copy.deepcopy(ref)  # every test cell deleted, answers right: tests are put back and run
    nb.cells = [c for c in nb.cells if c not in _tests(nb) or c.metadata["nbgrader"]["solution"]]
    _write(folder, "h_delete_tests", "foundations", nb)
    expected["h_delete_tests"] = AUTO_MAX

    nb = copy.deepcopy(released)  # metadata and points changed; only question 1 answered
    _answer(nb, "q1_answer", _cell(ref, "q1_answer").source)
    _cell(nb, "q1_test").metadata["nbgrader"]["points"] = 100
    _cell(nb, "q2_test").metadata["nbgrader"].update(solution=True, grade=False, locked=False)
    _cell(nb, "q2_test").source = "pass"
    _cell(nb, "q3_test").cell_type = "markdown"
    del _cell(nb, "q3_test")["outputs"], _cell(nb, "q3_test")["execution_count"]
    _cell(nb, "q4_test").metadata["nbgrader"]["schema_version"] = 1
    fake = nbformat.v4.new_code_cell("pass")
    fake.metadata["nbgrader"] = {"grade": True, "grade_id": "bonus", "points": 1000, "solution": False,
                                 "locked": False, "schema_version": 3}
    nb.cells.append(fake)
    nb.cells.append(copy.deepcopy(_cell(nb, "q1_test")))
    _write(folder, "i_metadata", "foundations", nb)
    expected["i_metadata"] = POINTS["q1_test"]

    nb = copy.deepcopy(released)  # objects that claim to equal anything, patched comparisons
    always = ("class Always:\n    def __eq__(self, other): return True\n    def __float__(self): return 0.5\n"
              "    __hash__ = object.__hash__\n")
    _answer(nb, "q1_answer", always + "q1_low = q1_high = Always()")
    _answer(nb, "q2_answer", "class F(float):\n    def __eq__(self, o): return True\n    __hash__ = float.__hash__\n"
                             "q2_diff, q2_low, q2_high = F(1), F(0), F(2)")
    _answer(nb, "q3_answer", "q3_nnt, q3_patients = '1.9464', '2'")
    _answer(nb, "q4_answer", "import numpy as np\nq4_median_ino = q4_median_std = np.array(8.6)\n"
                             "q4_s12_ino = q4_s12_std = [0.43]")
    _answer(nb, "q5_answer", "class S(str):\n    def __eq__(self, o): return True\n    def strip(self, *a): return 'a'\n"
                             "    def lower(self): return 'a'\n    __hash__ = str.__hash__\n"
                             "q5_hr, q5_meaning = 0.5, S('z')")
    _answer(nb, "q6_answer", "import math\nmath.isclose = lambda *a, **k: True\nfloat = lambda *a: 0.8191\n"
                             "q6_power, q6_events = 0.1, 1")
    _answer(nb, "q7_answer", always + "q7_d1 = q7_d2 = Always()")
    _write(folder, "j_cheat", "foundations", nb)
    expected["j_cheat"] = 0

    nb = copy.deepcopy(ref)  # attacks the gradebook and the course folder from the kernel
    nb.cells.insert(2, nbformat.v4.new_code_cell(
        "import pathlib\nroot = pathlib.Path.cwd().parents[2]\n"
        "(root / 'gradebook.db').unlink()\n"
        "(root / 'source' / 'foundations' / 'trialkit.py').write_text('raise SystemExit')\n"
        "(root / 'nbgrader_config.py').write_text('c = get_config()\\nc.Execute.timeout = 1\\n')"))
    _write(folder, "m_attacker", "foundations", nb)
    expected["m_attacker"] = 0

    _write(folder, "n_after", "foundations", ref)  # graded after the attacker: must be unaffected
    expected["n_after"] = AUTO_MAX

    nb = copy.deepcopy(ref)  # kills its own kernel
    _answer(nb, "q2_answer", "import os\nos._exit(1)")
    _write(folder, "o_killer", "foundations", nb)
    expected["o_killer"] = 0

    (folder / "p_corrupt").mkdir()
    (folder / "p_corrupt" / "foundations.ipynb").write_text(nbformat.writes(ref)[:-200])
    expected["p_corrupt"] = None
    (folder / "q_notnb").mkdir()
    (folder / "q_notnb" / "foundations.ipynb").write_text('{"hello": "world"}')
    expected["q_notnb"] = None
    (folder / "README.txt").write_text("not a submission")
    (folder / "bad id!").mkdir()
    (folder / "bad id!" / "foundations.ipynb").write_text(nbformat.writes(ref))
    (folder / "r_other").mkdir()
    (folder / "r_other" / "homework.ipynb").write_text(nbformat.writes(ref))
    return expected


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("exercises")
    folder = base / "submissions"
    expected = submissions(folder)
    course = grading.Course(base / "course")
    results = grading.grade(folder, course, cell_timeout=CELL_TIMEOUT, timeout=240)
    records = {(r["set"], r["student"]): r for r in grading.scores(course)}
    return {"course": course, "folder": folder, "expected": expected, "results": results, "records": records,
            "by_student": {(r.set, r.student): r for r in results if r.status != "skipped"}}


def _autograded(course, student, name="foundations"):
    return nbformat.read(course.root / "autograded" / student / name / f"{name}.ipynb", as_version=4)


# --- scores -----------------------------------------------------------------------------------------


def test_every_submission_gets_exactly_the_points_it_earned(graded):
    for student, want in graded["expected"].items():
        rec = graded["records"].get(("foundations", student))
        if want is None:  # an invalid file leaves the gradebook alone: no score, the status says why
            assert rec["status"] == "invalid" and rec["score"] is None, (student, rec)
            continue
        assert rec["auto_score"] == want, (student, rec)
        assert rec["max_score"] == AUTO_MAX + POINTS["q8_answer"], (student, rec)


def test_reference_solutions_score_full_marks_and_untouched_releases_score_zero(graded):
    for name in ("foundations", "tower"):
        pts = authoring.points(authoring.source_notebook(name))
        auto = sum(v for k, v in pts.items() if k not in authoring.manual_cells(authoring.source_notebook(name)))
        ref, blank = graded["records"][(name, "a_ref")], graded["records"][(name, "b_blank")]
        assert ref["status"] == blank["status"] == "graded"
        assert ref["auto_score"] == auto and ref["needs_manual"] == 1  # the free-text answer awaits a grader
        assert blank["score"] == 0 and blank["needs_manual"] == 0     # an untouched answer scores 0 at once


def test_statuses_name_what_went_wrong(graded):
    status = {s: r.status for (n, s), r in graded["by_student"].items() if n == "foundations"}
    assert status["m_attacker"] == "tampered"
    assert status["o_killer"] == "error"
    assert status["p_corrupt"] == status["q_notnb"] == "invalid"
    ok = set(graded["expected"]) - {"m_attacker", "o_killer", "p_corrupt", "q_notnb"}
    assert {status[s] for s in ok} == {"graded"}
    corrupt = graded["by_student"][("foundations", "p_corrupt")].detail
    assert "p_corrupt/foundations.ipynb" in corrupt and "not valid JSON" in corrupt
    skipped = " | ".join(r.detail for r in graded["results"] if r.status == "skipped")
    assert "README.txt: not a student folder" in skipped
    assert "bad id!: not a valid student id" in skipped
    assert "r_other/homework.ipynb: not a set notebook" in skipped


def test_grades_csv_has_one_row_per_submission_and_the_cell_scores(graded, tmp_path):
    out = grading.export(graded["course"], tmp_path / "grades.csv")
    rows = _csv(out)
    by = {(r["set"], r["student"]): r for r in rows}
    assert by[("foundations", "c_wrong")]["foundations.q1_test"] == "0"
    assert by[("foundations", "c_wrong")]["foundations.q6_test"] == "2"
    assert by[("foundations", "m_attacker")]["status"] == "tampered"
    assert by[("foundations", "m_attacker")]["score"] == "0"
    assert by[("tower", "a_ref")]["tower.q1_test"] == "3" and by[("tower", "a_ref")]["foundations.q1_test"] == ""
    assert ("foundations", "p_corrupt") in by and by[("foundations", "p_corrupt")]["score"] == ""


# --- hostile submissions, one by one -------------------------------------------------------------------


def test_endless_loop_is_cut_by_the_cell_timeout_and_the_rest_is_graded(graded):
    nb = _autograded(graded["course"], "e_loop")
    outputs = " ".join(o.get("ename", "") for o in _cell(nb, "q3_answer").outputs)
    assert "CellTimeoutError" in outputs
    assert graded["records"][("foundations", "e_loop")]["cells"]["q4_test"] == POINTS["q4_test"]


def test_millions_of_lines_are_cut_to_a_readable_length(graded):
    nb = _autograded(graded["course"], "f_spam")
    text = "".join(o.get("text", "") for o in nb.cells[2].outputs)
    assert 0 < text.count("\n") <= 210
    assert "Output truncated" in text or text.count("\n") < 200


def test_edited_test_cells_are_restored_with_their_hidden_tests(graded):
    nb = _autograded(graded["course"], "g_edit_tests")
    source = authoring.source_notebook("foundations")
    for gid in ("q1_test", "q5_test", "q7_test"):
        assert _cell(nb, gid).source == _cell(source, gid).source
        assert "### BEGIN HIDDEN TESTS" in _cell(nb, gid).source


def test_deleted_test_cells_are_put_back_and_run(graded):
    nb = _autograded(graded["course"], "h_delete_tests")
    for gid in POINTS:
        if gid != "q8_answer":
            assert "Checks passed" in "".join(o.get("text", "") for o in _cell(nb, gid).outputs), gid
    assert any("put back the missing cell q1_test" in n for n in graded["by_student"][("foundations", "h_delete_tests")].notes)


def test_changed_metadata_and_points_are_reset(graded):
    rec = graded["records"][("foundations", "i_metadata")]
    assert set(rec["cells"]) == set(POINTS)  # no "bonus" cell
    assert rec["cells"]["q1_test"] == POINTS["q1_test"] and rec["max_score"] == sum(POINTS.values())
    nb = _autograded(graded["course"], "i_metadata")
    assert _cell(nb, "q3_test").cell_type == "code"
    assert sum(1 for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q1_test") == 1


def test_objects_equal_to_everything_and_patched_comparisons_earn_nothing(graded):
    rec = graded["records"][("foundations", "j_cheat")]
    assert rec["status"] == "graded" and rec["auto_score"] == 0
    nb = _autograded(graded["course"], "j_cheat")
    assert "an object of type Always" in "".join(o.get("evalue", "") for o in _cell(nb, "q1_test").outputs)
    assert "an object of type F" in "".join(o.get("evalue", "") for o in _cell(nb, "q2_test").outputs)


def test_an_attack_on_the_gradebook_is_undone_and_scored_zero(graded):
    course = graded["course"]
    r = graded["by_student"][("foundations", "m_attacker")]
    assert "gradebook table grade changed outside this submission" in r.detail
    assert not (course.root / "source" / "foundations" / "trialkit.py").exists()
    assert "c.Execute.timeout = 1\n" not in (course.root / "nbgrader_config.py").read_text()
    assert graded["records"][("foundations", "n_after")]["auto_score"] == AUTO_MAX
    con = sqlite3.connect(course.db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()


def test_a_kernel_that_dies_is_reported_and_does_not_stop_the_others(graded):
    r = graded["by_student"][("foundations", "o_killer")]
    assert "the grader failed" in r.detail and "Kernel died" in r.detail
    assert graded["records"][("foundations", "o_killer")]["score"] == 0


def test_no_grading_process_outlives_its_submission(graded):
    root = str(graded["course"].root)
    for proc in psutil.process_iter():
        try:
            cwd = proc.cwd()
        except psutil.Error:
            continue
        assert not cwd.startswith(root), (proc.pid, proc.cmdline())


# --- regrading, manual marks, feedback --------------------------------------------------------------------


def test_regrading_one_student_leaves_the_others_unchanged(graded, tmp_path):
    course = graded["course"]
    before = {(r["set"], r["student"]): (r["score"], r["cells"]) for r in grading.scores(course)}
    folder = tmp_path / "resubmitted"
    _write(folder, "c_wrong", "foundations", authoring.completed("foundations", committed("foundations")))
    (result,) = grading.grade(folder, course, ["foundations"], cell_timeout=CELL_TIMEOUT, timeout=240)
    assert result.status == "graded"
    after = {(r["set"], r["student"]): (r["score"], r["cells"]) for r in grading.scores(course)}
    assert after.pop(("foundations", "c_wrong"))[0] == AUTO_MAX
    before.pop(("foundations", "c_wrong"))
    assert after == before


def test_manual_mark_and_export(graded, tmp_path):
    course = graded["course"]
    grading.mark(course, "foundations", "a_ref", "q8_answer", 3.5, "Clear; misses proportional hazards.")
    rec = {(r["set"], r["student"]): r for r in grading.scores(course)}[("foundations", "a_ref")]
    assert rec["score"] == AUTO_MAX + 3.5 and rec["needs_manual"] == 0
    with pytest.raises(grading.GradingError, match="between 0 and 4"):
        grading.mark(course, "foundations", "a_ref", "q8_answer", 9)
    with pytest.raises(grading.GradingError, match="one of the graded cells"):
        grading.mark(course, "foundations", "a_ref", "q9_answer", 1)
    with pytest.raises(grading.GradingError, match="no graded submission"):
        grading.mark(course, "foundations", "nobody", "q8_answer", 1)
    out = tmp_path / "g.csv"
    cli = subprocess.run([sys.executable, "-m", "trialkit.exercises", "export", "--course", str(course.root),
                          "--out", str(out), "--set", "foundations"], capture_output=True, text=True)
    assert cli.returncode == 0, cli.stderr
    row = next(r for r in _csv(out) if r["student"] == "a_ref")
    assert float(row["score"]) == AUTO_MAX + 3.5 and row["foundations.q8_answer"] == "3.5"


def test_feedback_pages_show_scores_and_strip_active_html(graded, tmp_path):
    course = graded["course"]
    paths = grading.feedback(course, tmp_path, ["foundations"], ["a_ref", "f_spam", "m_attacker"])
    assert sorted(p.relative_to(tmp_path).as_posix() for p in paths) == ["a_ref/foundations.html", "f_spam/foundations.html"]
    spam = (tmp_path / "f_spam" / "foundations.html").read_text()
    assert "<b>student html</b>" in spam and "<script>window.trialkitPwned" not in spam
    ref = (tmp_path / "a_ref" / "foundations.html").read_text()
    assert "q1_test" in ref and "Checks passed" in ref


# --- the whole-submission limit ------------------------------------------------------------------------


def test_a_submission_that_runs_forever_is_stopped_by_the_wall_clock_limit(graded, tmp_path):
    """Even with a per-cell timeout too long to help, the whole-submission limit stops the grading and
    kills the kernel; the next submission is graded normally."""
    nb = authoring.completed("foundations", committed("foundations"))
    _answer(nb, "q1_answer", "while True:\n    pass")
    folder = tmp_path / "slow"
    _write(folder, "s_sleeper", "foundations", nb)
    _write(folder, "t_next", "foundations", authoring.completed("foundations", committed("foundations")))
    cli = subprocess.run([sys.executable, "-m", "trialkit.exercises", "grade", str(folder), "--course",
                          str(graded["course"].root), "--set", "foundations", "--cell-timeout", "600", "--timeout", "40",
                          "--csv", str(tmp_path / "g.csv")], capture_output=True, text=True)
    assert cli.returncode == 0, cli.stderr
    assert "timeout   foundations/s_sleeper" in cli.stdout and "graded    foundations/t_next" in cli.stdout
    rows = {r["student"]: r for r in _csv(tmp_path / "g.csv")}
    assert rows["s_sleeper"]["status"] == "timeout" and rows["s_sleeper"]["score"] == "0"
    assert float(rows["t_next"]["auto_score"]) == AUTO_MAX
    test_no_grading_process_outlives_its_submission(graded)

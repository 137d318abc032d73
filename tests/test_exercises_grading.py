"""Grading: one folder of honest, wrong and hostile submissions is graded once, in parallel, in the
sandbox (module fixture); every test reads the outcome (scores, statuses, notes, the gradebook, the
feedback pages). Expected scores are computed from the questions' points, never copied from output.

Attacks: mocking or rebinding the checks; reading the answer key, the salt or the gradebook from disk
or the package; editing the package; detached (double-forked) processes writing to the gradebook;
Python and C-level endless loops; a 60 MB single line of output; lost cell metadata; objects equal to
everything; a copied classmate's answers and code; killing the process; a fork bomb; the network."""

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

from trialkit.exercises import authoring, grading, problems, sandbox, variants

CELL_TIMEOUT = 8
SET = "foundations"
AUTO, MANUAL = problems.max_points(SET)
QPTS = {q.qid: q.points for q in problems.questions(SET)}
PPTS = {p.name: p.points for p in problems.parts(SET).values()}
MARK = "trialkit-hostile-marker"


def released(name=SET):
    return nbformat.read(authoring.RELEASE_DIR / name / f"{name}.ipynb", as_version=4)


def _cell(nb, gid):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid)


def _write(folder: Path, student: str, name: str, nb) -> None:
    (folder / student).mkdir(parents=True, exist_ok=True)
    (folder / student / f"{name}.ipynb").write_text(json.dumps(nb, indent=1))


def _csv(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _literals(course, student, name=SET) -> str:
    """Answer cells that type the expected numbers of ``student``'s variant as literals (a copy)."""
    exp = problems.expected(name, course.code(name, student))
    return "\n".join(f"{k} = {e.value!r}" if e.value is not None else f"{k} = {(e.accepted or ('low',))[0]!r}"
                     for k, e in exp.items())


def submissions(folder: Path, course) -> dict:
    """Write the folder; returns the expected automatic score of each foundations submission."""
    rel = released()

    def ref(student, name=SET):
        return authoring.completed(name, released(name), code=variants.pretty(course.code(name, student)))

    exp = {}
    _write(folder, "a_ref", SET, ref("a_ref"))
    exp["a_ref"] = AUTO
    _write(folder, "a_ref", "tower", ref("a_ref", "tower"))
    _write(folder, "a_ref", "pooled", ref("a_ref", "pooled"))
    pooled_hostile(folder, course, ref)
    _write(folder, "a_ref", "across", ref("a_ref", "across"))
    across_hostile(folder, course, ref)
    _write(folder, "a_ref", "capstone", ref("a_ref", "capstone"))
    _write(folder, "b_blank", SET, rel)
    exp["b_blank"] = 0

    nb = ref("c_wrong")  # common mistakes: partial credit and hints
    _cell(nb, "q1_answer").source += "\nq1_low, q1_high = 100 * q1_low, 100 * q1_high"         # percent
    _cell(nb, "q2_answer").source += "\nq2_diff, q2_low, q2_high = -q2_diff, -q2_high, -q2_low"  # inverted
    _cell(nb, "q3_answer").source += "\nq3_patients = math.floor(q3_nnt)"                       # rounded down
    _write(folder, "c_wrong", SET, nb)
    exp["c_wrong"] = AUTO - QPTS["q1"] - QPTS["q2"] - PPTS["q3_patients"]

    nb = ref("d_copy")  # a classmate's answers typed in: numbers are worth nothing for another variant
    _cell(nb, "q7_answer").source += "\n" + _literals(course, "a_ref")
    for gid in ("q1", "q2", "q3", "q4", "q5", "q6"):
        _cell(nb, f"{gid}_answer").source = ""
    _write(folder, "d_copy", SET, nb)
    exp["d_copy"] = None  # checked part by part below

    nb = copy.deepcopy(rel)  # the MagicMock attack and rebinding every check, answers all 0
    _cell(nb, "q1_answer").source = ("from unittest.mock import MagicMock as M\ncheck = M()\nstudent.check = M()\n"
                                     "import trialkit.exercises.problems as P\nP.judge = M()\nP.expected = M()\n"
                                     + "\n".join(f"{p} = 0" for p in PPTS))
    _write(folder, "e_mock", SET, nb)
    exp["e_mock"] = 0

    nb = copy.deepcopy(rel)  # reads the key, the salt and the gradebook from disk and from the package
    _cell(nb, "q1_answer").source = (
        "import os, pathlib, glob\nfound = []\n"
        f"for p in [{str(course.root)!r}, {str(course.root / 'private' / 'salt')!r}, {str(course.db)!r},\n"
        f"          {str(authoring.SOURCE_DIR)!r}, {str(authoring.SOURCE_DIR / 'foundations' / 'foundations.md')!r},\n"
        "          str(pathlib.Path.home() / '.trialkit-course'), '/root', '/etc/shadow']:\n"
        "    try:\n        found.append((p, os.listdir(p) if os.path.isdir(p) else open(p).read()[:50]))\n"
        "    except Exception as e:\n        found.append((p, type(e).__name__))\nprint(found)\n"
        "from trialkit.exercises import problems\n"
        f"key = problems.expected('foundations', {variants.pretty(course.code(SET, 'a_ref'))!r})\n"
        "for k, e in key.items():\n    globals()[k] = e.value if e.value is not None else (e.accepted or ('low',))[0]\n")
    _write(folder, "g_readkey", SET, nb)
    exp["g_readkey"] = None

    nb = ref("h_loop")  # Python endless loop in one answer
    _cell(nb, "q3_answer").source = "while True:\n    pass"
    _write(folder, "h_loop", SET, nb)
    exp["h_loop"] = AUTO - QPTS["q3"]

    nb = ref("i_cloop")  # one long C-level call: only its question is lost
    _cell(nb, "q2_answer").source = "sum(range(10**14))\n" + _cell(nb, "q2_answer").source
    _write(folder, "i_cloop", SET, nb)
    exp["i_cloop"] = AUTO - QPTS["q2"]

    nb = ref("j_flood")  # a 60 MB single line of output, and active HTML
    nb.cells.insert(3, nbformat.v4.new_code_cell("print('x' * 60_000_000)"))
    nb.cells.insert(4, nbformat.v4.new_code_cell("from IPython.display import HTML\n"
                                                 "HTML('<script>window.pwned = 1</script>')\nraise ValueError('<script>x</script>')"))
    _write(folder, "j_flood", SET, nb)
    exp["j_flood"] = AUTO

    nb = ref("k_nometa")  # copied into a fresh notebook: every metadata lost
    fresh = nbformat.v4.new_notebook()
    for c in nb.cells:
        new = (nbformat.v4.new_code_cell if c.cell_type == "code" else nbformat.v4.new_markdown_cell)(c.source)
        fresh.cells.append(new)
    _write(folder, "k_nometa", SET, fresh)
    exp["k_nometa"] = AUTO

    nb = copy.deepcopy(rel)  # edits the package and the gradebook, answers all wrong
    pkg = Path(problems.__file__)
    _cell(nb, "q1_answer").source = (
        "import sqlite3\nfor f in [%r, %r]:\n    try:\n        open(f, 'a').write('\\nraise SystemExit\\n')\n"
        "    except Exception as e:\n        print(type(e).__name__)\n"
        "try:\n    con = sqlite3.connect(%r); con.execute('UPDATE part SET score = max'); con.commit()\n"
        "except Exception as e:\n    print(type(e).__name__)\n" % (str(pkg), str(Path(grading.__file__)), str(course.db))
        + "\n".join(f"{p} = 0" for p in PPTS))
    _write(folder, "l_tamper", SET, nb)
    exp["l_tamper"] = 0

    nb = ref("m_daemon")  # a detached double-forked process that tries to write the gradebook later
    daemon = (f"import time, sqlite3\ntime.sleep(4)  # {MARK}\n"
              f"try:\n    con = sqlite3.connect({str(course.db)!r}); con.execute('UPDATE part SET score = 0'); con.commit()\n"
              f"except Exception:\n    pass\nopen('/tmp/{MARK}', 'w').write('alive')\n")
    nb.cells.insert(3, nbformat.v4.new_code_cell(
        "import os, sys\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
        f"        os.execv(sys.executable, [sys.executable, '-c', {daemon!r}])\n    os._exit(0)\n"))
    _write(folder, "m_daemon", SET, nb)
    exp["m_daemon"] = AUTO

    _write(folder, "n_after", SET, ref("n_after"))  # graded among the attackers: unaffected
    exp["n_after"] = AUTO

    nb = ref("o_killer")  # kills its own process in one cell
    _cell(nb, "q2_answer").source = "import os\nos._exit(1)"
    _write(folder, "o_killer", SET, nb)
    exp["o_killer"] = AUTO - QPTS["q2"]

    (folder / "p_corrupt").mkdir()
    (folder / "p_corrupt" / f"{SET}.ipynb").write_text(nbformat.writes(rel)[:-200])
    exp["p_corrupt"] = "invalid"
    (folder / "q_notnb").mkdir()
    (folder / "q_notnb" / f"{SET}.ipynb").write_text('{"hello": "world"}')
    exp["q_notnb"] = "invalid"

    nb = copy.deepcopy(rel)  # objects that claim to equal anything, strings, arrays
    _cell(nb, "q1_answer").source = (
        "import numpy as np\nclass Always(float):\n    def __eq__(self, o): return True\n    __hash__ = float.__hash__\n"
        "class S(str):\n    def __eq__(self, o): return True\n    def lower(self): return 'a'\n    __hash__ = str.__hash__\n"
        "for p in " + repr([p for p, x in problems.parts(SET).items() if x.kind != 'choice']) + ":\n    globals()[p] = Always(0.5)\n"
        "for p in " + repr([p for p, x in problems.parts(SET).items() if x.kind == 'choice']) + ":\n    globals()[p] = S('a')\n"
        "q1_low = np.array([0.5])\nq1_high = '0.6'")
    _write(folder, "r_objects", SET, nb)
    exp["r_objects"] = 0

    nb = ref("s_forkbomb")  # as many processes as it can: the sandbox caps them
    nb.cells.insert(3, nbformat.v4.new_code_cell(
        "import os, time\nkids = []\nfor i in range(400):\n    try:\n        pid = os.fork()\n"
        "    except OSError:\n        break\n    if pid == 0:\n        time.sleep(30)\n        os._exit(0)\n    kids.append(pid)\n"
        "print('forked', len(kids))"))
    nb.cells.insert(4, nbformat.v4.new_code_cell(
        "import socket\ntry:\n    socket.create_connection(('1.1.1.1', 80), timeout=3); print('network: open')\n"
        "except OSError as e:\n    print('network:', type(e).__name__)"))
    _write(folder, "s_forkbomb", SET, nb)
    exp["s_forkbomb"] = AUTO

    nb = ref("u_othercode")  # uses a classmate's variant code (their scenario, their answers)
    next(c for c in nb.cells if c.source.startswith("MY_CODE")).source = \
        f"MY_CODE = {variants.pretty(course.code(SET, 'a_ref'))!r}"
    _cell(nb, "q1_answer").source = ("from trialkit.exercises import student as _s\n"
                                     f"V = _s.Variant('foundations', {course.code(SET, 'a_ref')!r})\n"
                                     + _cell(nb, "q1_answer").source)
    _write(folder, "u_othercode", SET, nb)
    exp["u_othercode"] = None  # checked part by part
    _e1910_submissions(folder, course, ref)
    _inovate_submissions(folder, course, ref)
    (folder / "README.txt").write_text("not a submission")
    (folder / "bad id!").mkdir()
    (folder / "bad id!" / f"{SET}.ipynb").write_text(nbformat.writes(rel))
    return exp


def pooled_hostile(folder: Path, course, ref) -> None:
    """Hostile submissions of the pooled set (scored in tests of their own, below)."""
    rel = released("pooled")
    nb = copy.deepcopy(rel)  # objects that claim to equal anything, a mocked check and judge
    _cell(nb, "q1_answer").source = (
        "class Always(float):\n    def __eq__(self, o): return True\n    __hash__ = float.__hash__\n"
        "class S(str):\n    def __eq__(self, o): return True\n    def lower(self): return 'c'\n    __hash__ = str.__hash__\n"
        "from unittest.mock import MagicMock as M\nimport trialkit.exercises.problems as P\nP.judge = M()\nstudent.check = M()\n"
        "for p in " + repr([p for p, x in problems.parts("pooled").items() if x.kind != "choice"]) + ":\n"
        "    globals()[p] = Always(0.5)\n"
        "for p in " + repr([p for p, x in problems.parts("pooled").items() if x.kind == "choice"]) + ":\n"
        "    globals()[p] = S('c')\n")
    _write(folder, "v_objects", "pooled", nb)
    nb = ref("w_copy", "pooled")  # a classmate's numbers typed in after the student's own work
    _cell(nb, "q8_answer").source += "\n" + _literals(course, "a_ref", "pooled")
    _write(folder, "w_copy", "pooled", nb)
    nb = ref("x_loop", "pooled")  # an endless loop in one answer: only that question is lost
    _cell(nb, "q5_answer").source = "while True:\n    pass"
    _write(folder, "x_loop", "pooled", nb)


E1910 = "e1910"
E1910_PARTS = problems.parts(E1910)


def _e1910_submissions(folder: Path, course, ref) -> None:
    """The E1910 set among the same submissions: a reference, a mocking attack, objects equal to anything,
    and a classmate's answers typed in as literals."""
    rel = released(E1910)
    _write(folder, "a_ref", E1910, ref("a_ref", E1910))
    nb = copy.deepcopy(rel)
    _cell(nb, "q1_answer").source = ("from unittest.mock import MagicMock as M\nstudent.check = M()\n"
                                     "import trialkit.exercises.problems as P\nP.judge = M()\nP.expected = M()\n"
                                     "import trialkit.exercises.e1910 as E\nE.expected = M()\n"
                                     + "\n".join(f"{p} = 0" for p in E1910_PARTS))
    _write(folder, "e_mock", E1910, nb)
    nb = copy.deepcopy(rel)
    _cell(nb, "q1_answer").source = (
        "class Always(float):\n    def __eq__(self, o): return True\n    __hash__ = float.__hash__\n"
        "class S(str):\n    def __eq__(self, o): return True\n    def lower(self): return 'c'\n    __hash__ = str.__hash__\n"
        "for p in " + repr([p for p, x in E1910_PARTS.items() if x.kind != "choice"]) + ":\n    globals()[p] = Always(0.5)\n"
        "for p in " + repr([p for p, x in E1910_PARTS.items() if x.kind == "choice"]) + ":\n    globals()[p] = S('c')\n")
    _write(folder, "r_objects", E1910, nb)
    nb = copy.deepcopy(rel)
    _cell(nb, "q7_answer").source = _literals(course, "a_ref", E1910)
    _write(folder, "d_copy", E1910, nb)


INOVATE = "inovate"
INOVATE_PARTS = problems.parts(INOVATE)


def _inovate_submissions(folder: Path, course, ref) -> None:
    """The INO-VATE set among the same submissions: a reference, a mocking attack on the set's own module,
    objects equal to anything, a classmate's answers typed in as literals, and an endless loop in one answer."""
    rel = released(INOVATE)
    _write(folder, "a_ref", INOVATE, ref("a_ref", INOVATE))
    nb = copy.deepcopy(rel)
    _cell(nb, "q1_answer").source = ("from unittest.mock import MagicMock as M\nstudent.check = M()\n"
                                     "import trialkit.exercises.problems as P\nP.judge = M()\nP.expected = M()\n"
                                     "import trialkit.exercises.inovate as I\nI.expected = M()\nI.scenario = M()\n"
                                     + "\n".join(f"{p} = 0" for p in INOVATE_PARTS))
    _write(folder, "e_mock", INOVATE, nb)
    nb = copy.deepcopy(rel)
    _cell(nb, "q1_answer").source = (
        "class Always(float):\n    def __eq__(self, o): return True\n    __hash__ = float.__hash__\n"
        "class S(str):\n    def __eq__(self, o): return True\n    def lower(self): return 'b'\n    __hash__ = str.__hash__\n"
        "for p in " + repr([p for p, x in INOVATE_PARTS.items() if x.kind != "choice"]) + ":\n    globals()[p] = Always(0.5)\n"
        "for p in " + repr([p for p, x in INOVATE_PARTS.items() if x.kind == "choice"]) + ":\n    globals()[p] = S('b')\n")
    _write(folder, "r_objects", INOVATE, nb)
    nb = copy.deepcopy(rel)
    _cell(nb, "q7_answer").source = _literals(course, "a_ref", INOVATE)
    _write(folder, "d_copy", INOVATE, nb)
    nb = ref("x_loop", INOVATE)  # an endless loop in one answer: only that question is lost
    _cell(nb, "q4_answer").source = "while True:\n    pass"
    _write(folder, "x_loop", INOVATE, nb)


def across_hostile(folder: Path, course, ref) -> None:
    """Hostile submissions of the across set (scored in a test of its own, below)."""
    rel = released("across")
    nb = copy.deepcopy(rel)  # objects that claim to equal anything, a mocked check and judge
    _cell(nb, "q1_answer").source = (
        "class Always(float):\n    def __eq__(self, o): return True\n    __hash__ = float.__hash__\n"
        "class S(str):\n    def __eq__(self, o): return True\n    def lower(self): return 'a'\n    __hash__ = str.__hash__\n"
        "from unittest.mock import MagicMock as M\nimport trialkit.exercises.problems as P\nP.judge = M()\nstudent.check = M()\n"
        "for p in " + repr([p for p, x in problems.parts("across").items() if x.kind != "choice"]) + ":\n"
        "    globals()[p] = Always(0.5)\n"
        "for p in " + repr([p for p, x in problems.parts("across").items() if x.kind == "choice"]) + ":\n"
        "    globals()[p] = S('a')\n")
    _write(folder, "v_objects", "across", nb)
    nb = ref("w_copy", "across")  # a classmate's numbers typed in after the student's own work
    _cell(nb, "q5_answer").source += "\n" + _literals(course, "a_ref", "across")
    _write(folder, "w_copy", "across", nb)
    nb = ref("x_loop", "across")  # an endless loop in one answer: only that question is lost
    _cell(nb, "q4_answer").source = "while True:\n    pass"
    _write(folder, "x_loop", "across", nb)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("exercises")
    course = grading.Course(base / "course")
    course.create()
    folder = base / "submissions"
    expected = submissions(folder, course)
    results = grading.grade(folder, course, cell_timeout=CELL_TIMEOUT, timeout=120, jobs=2)
    records = {(r["set"], r["student"]): r for r in grading.scores(course)}
    return {"course": course, "folder": folder, "expected": expected, "results": results, "records": records,
            "by": {(r.set, r.student): r for r in results if r.status != "skipped"}, "base": base}


def _parts(course, student, name=SET) -> dict:
    with course.connect() as con:
        return {p: (s, m) for p, s, m in con.execute("SELECT part, score, message FROM part WHERE set_name=? AND "
                                                     "student=?", (name, student))}


# --- scores --------------------------------------------------------------------------------------------


def test_every_submission_gets_exactly_the_points_it_earned(graded):
    for student, want in graded["expected"].items():
        rec = graded["records"][(SET, student)]
        if want == "invalid":
            assert rec["status"] == "invalid" and rec["score"] is None, (student, rec)
        elif want is not None:
            assert rec["auto_score"] == pytest.approx(want), (student, rec["auto_score"], want, rec["notes"])
            assert rec["max_score"] == AUTO + MANUAL


def test_reference_solutions_score_full_marks_and_blank_scores_zero(graded):
    for name in ("foundations", "tower", "pooled", "e1910", "across", "inovate", "capstone"):
        rec = graded["records"][(name, "a_ref")]
        assert rec["status"] == "graded" and rec["auto_score"] == problems.max_points(name)[0], rec
        assert rec["needs_manual"] == len(problems.manual(name))   # the texts await a grader
    blank = graded["records"][(SET, "b_blank")]
    assert blank["score"] == 0 and blank["needs_manual"] == 0       # no text: scored 0 at once


def test_pooled_hostile_submissions_earn_only_what_they_answered(graded):
    recs = graded["records"]
    assert recs[("pooled", "v_objects")]["status"] == "graded" and recs[("pooled", "v_objects")]["auto_score"] == 0
    course = graded["course"]
    copied = _parts(course, "w_copy", "pooled")
    parts = problems.parts("pooled")
    theirs = problems.expected("pooled", course.code("pooled", "a_ref"))
    mine = problems.expected("pooled", course.code("pooled", "w_copy"))
    candidates = ("q1_rate", "q1_low", "q3_alive_mrd", "q3_alive_non", "q5_naive_hr", "q5_landmark_hr", "q6_naive",
                  "q6_cif", "q7_any", "q8_orr")   # continuous answers of another scenario
    # two variants can share an answer within its tolerance by chance: such a part is right for both students
    differ = [p for p in candidates if abs(float(mine[p].value) - float(theirs[p].value)) > parts[p].tol]
    assert len(differ) >= len(candidates) // 2, differ  # the test keeps its teeth
    for part in differ:
        assert copied[part][0] == 0, part
    choice = sum(p.points for p in problems.parts("pooled").values() if p.kind == "choice")
    assert choice <= recs[("pooled", "w_copy")]["auto_score"] < problems.max_points("pooled")[0]
    loop = recs[("pooled", "x_loop")]
    pq = {q.qid: q.points for q in problems.questions("pooled")}
    assert loop["auto_score"] == pytest.approx(problems.max_points("pooled")[0] - pq["q5"]), loop["notes"]


def test_across_hostile_submissions_earn_only_what_they_answered(graded):
    recs = graded["records"]
    assert recs[("across", "v_objects")]["status"] == "graded" and recs[("across", "v_objects")]["auto_score"] == 0
    course = graded["course"]
    copied = _parts(course, "w_copy", "across")
    parts = problems.parts("across")
    theirs = problems.expected("across", course.code("across", "a_ref"))
    mine = problems.expected("across", course.code("across", "w_copy"))
    candidates = ("q1_se_second", "q1_hr", "q1_low", "q1_high", "q2_hr", "q2_high")  # another scenario's answers
    # two variants can share an answer within its tolerance by chance: such a part is right for both students
    differ = [p for p in candidates if abs(float(mine[p].value) - float(theirs[p].value)) > parts[p].tol]
    assert len(differ) >= len(candidates) // 2, differ  # the test keeps its teeth
    for part in differ:
        assert copied[part][0] == 0, part
    choice = sum(p.points for p in problems.parts("across").values() if p.kind == "choice")
    assert choice <= recs[("across", "w_copy")]["auto_score"] < problems.max_points("across")[0]
    loop = recs[("across", "x_loop")]
    pq = {q.qid: q.points for q in problems.questions("across")}
    assert loop["auto_score"] == pytest.approx(problems.max_points("across")[0] - pq["q4"]), loop["notes"]


def test_common_mistakes_get_partial_credit_and_a_hint(graded):
    parts = _parts(graded["course"], "c_wrong")
    assert "percent" in parts["q1_low"][1] and parts["q1_low"][0] == 0
    assert "inverted" in parts["q2_diff"][1]
    assert "rounded up" in parts["q3_patients"][1] and parts["q3_nnt"][0] == PPTS["q3_nnt"]


def test_a_classmates_answers_earn_no_numeric_point(graded):
    course = graded["course"]
    # real-valued parts (a whole number such as a rounded-up NNT may coincide between two variants)
    # and readings by eye, whose tolerance is wide, can by chance fit another variant's curve)
    numeric = {p: x.tol for p, x in problems.parts(SET).items() if x.kind == "number" and x.tol < 0.05}
    theirs = problems.expected(SET, course.code(SET, "a_ref"))
    for student in ("d_copy", "g_readkey", "u_othercode"):  # a classmate's numbers; the key read for their code
        mine = problems.expected(SET, course.code(SET, student))
        # two variants can share an answer within its tolerance by chance (a few per cent of pairs for
        # a hazard ratio or a power): such a part is right for both students and earns its point
        differ = [p for p, tol in numeric.items() if abs(float(mine[p].value) - float(theirs[p].value)) > tol]
        assert len(differ) >= len(numeric) // 2, (student, differ)  # the test keeps its teeth
        scores = _parts(course, student)
        assert all(scores[p][0] == 0 for p in differ), (student, {p: scores[p] for p in differ})
    other = graded["by"][(SET, "u_othercode")]
    assert any("not this student's" in f for f in other.flags)


def test_mocking_rebinding_and_fake_objects_earn_nothing(graded):
    for student in ("e_mock", "r_objects", "l_tamper"):
        rec = graded["records"][(SET, student)]
        assert rec["status"] == "graded" and rec["auto_score"] == 0, (student, rec)
    parts = _parts(graded["course"], "r_objects")
    assert "write it without quotes" in parts["q1_high"][1] and "plain number" in parts["q1_low"][1]


def test_the_sandbox_sees_no_key_no_salt_no_gradebook_and_cannot_write_the_package(graded):
    course = graded["course"]
    with course.connect() as con:
        out = con.execute("SELECT output FROM cell WHERE set_name=? AND student='g_readkey'", (SET,)).fetchall()
        tamper = con.execute("SELECT output FROM cell WHERE set_name=? AND student='l_tamper'", (SET,)).fetchall()
    text = " ".join(o for (o,) in out)
    assert text.count("FileNotFoundError") >= 6 and "PermissionError" in text or "FileNotFoundError" in text
    assert "salt" not in text.replace("'salt'", "") or "FileNotFoundError" in text
    assert course.salt().hex() not in text
    assert "OSError" in " ".join(o for (o,) in tamper) or "Read-only" in " ".join(o for (o,) in tamper)
    assert "raise SystemExit" not in Path(problems.__file__).read_text()
    assert "raise SystemExit" not in Path(grading.__file__).read_text()


def test_no_attack_changes_another_students_grade(graded):
    assert graded["records"][(SET, "n_after")]["auto_score"] == AUTO
    assert graded["records"][(SET, "m_daemon")]["auto_score"] == AUTO
    con = sqlite3.connect(graded["course"].db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()


def test_nothing_a_submission_started_survives(graded):
    assert not Path(f"/tmp/{MARK}").exists()
    for proc in psutil.process_iter(["cmdline"]):
        assert MARK not in " ".join(proc.info["cmdline"] or []), proc
    assert not list(sandbox.CGROUP_PIDS.glob("trialkit-*")) if sandbox.CGROUP_PIDS.exists() else True


def test_loops_crashes_and_floods_lose_only_their_question(graded):
    by = graded["by"]
    assert any("time limit" in n for n in by[(SET, "h_loop")].notes)
    assert any("time limit" in n for n in by[(SET, "i_cloop")].notes)
    assert any("died" in n for n in by[(SET, "o_killer")].notes)
    flood = by[(SET, "j_flood")]
    assert flood.status == "graded"
    with graded["course"].connect() as con:
        size = con.execute("SELECT max(length(output)) FROM cell WHERE set_name=? AND student='j_flood'", (SET,)).fetchone()[0]
    assert size <= 4000


def test_fork_bomb_is_capped_and_there_is_no_network(graded):
    with graded["course"].connect() as con:
        out = " ".join(o for (o,) in con.execute("SELECT output FROM cell WHERE set_name=? AND student='s_forkbomb'", (SET,)))
    forked = int(out.split("forked ")[1].split()[0])
    assert forked < 400
    assert "network: open" not in out and "network:" in out


def test_lost_metadata_is_graded_by_name_and_said(graded):
    r = graded["by"][(SET, "k_nometa")]
    assert r.status == "graded" and any("no nbgrader metadata" in n for n in r.notes)
    assert graded["records"][(SET, "k_nometa")]["needs_manual"] == len(problems.manual(SET))


def test_statuses_notes_and_flags_are_in_the_csv(graded, tmp_path):
    rows = {(r["set"], r["student"]): r for r in _csv(grading.export(graded["course"], tmp_path / "g.csv"))}
    assert rows[(SET, "p_corrupt")]["status"] == "invalid" and "not valid JSON" in rows[(SET, "p_corrupt")]["detail"]
    assert "time limit" in rows[(SET, "h_loop")]["notes"]
    assert "not this student's" in rows[(SET, "u_othercode")]["flags"]
    assert rows[("tower", "a_ref")]["tower.q1"] == "3" and rows[("tower", "a_ref")][f"{SET}.q1"] == ""
    skipped = " | ".join(r.detail for r in graded["results"] if r.status == "skipped")
    assert "README.txt: not a student folder" in skipped and "bad id!: not a valid student id" in skipped


# --- regrading, marks, the CSV, feedback -------------------------------------------------------------------


def test_regrade_of_one_set_keeps_the_other_sets_and_finished_manual_grading(graded, tmp_path):
    course = graded["course"]
    grading.mark(course, SET, "a_ref", "q8_answer", 3.5, "Clear.")
    folder = tmp_path / "again"
    nb = authoring.completed(SET, released(), code=course.code(SET, "a_ref"), text="A different text.")
    _write(folder, "a_ref", SET, nb)
    before = {k: (r["score"], r["cells"]) for k, r in graded["records"].items() if k != (SET, "a_ref")}
    out = tmp_path / "grades.csv"
    cli = subprocess.run([sys.executable, "-m", "trialkit.exercises", "grade", str(folder), "--course", str(course.root),
                          "--set", SET, "--csv", str(out), "--jobs", "1"], capture_output=True, text=True)
    assert cli.returncode == 0, cli.stderr
    assert f"graded    {SET}/a_ref" in cli.stdout
    rows = _csv(out)
    assert {r["set"] for r in rows} == {"foundations", "tower", "pooled", "e1910", "across", "inovate", "capstone"}  # --set did not drop the other sets
    after = {(r["set"], r["student"]): r for r in grading.scores(course)}
    a = after.pop((SET, "a_ref"))
    assert a["cells"]["q8_answer"] == 3.5 and any("changed after it was marked" in f for f in a["flags"])
    assert {k: (r["score"], r["cells"]) for k, r in after.items()} == before


def test_mark_comments_on_an_auto_graded_question_and_feedback(graded, tmp_path):
    course = graded["course"]
    cli = subprocess.run([sys.executable, "-m", "trialkit.exercises", "mark", SET, "c_wrong", "q1_test", "--comment",
                          "Proportions, not percent.", "--course", str(course.root)], capture_output=True, text=True)
    assert cli.returncode == 0, cli.stderr
    with pytest.raises(grading.GradingError, match="between 0 and"):
        grading.mark(course, SET, "c_wrong", "q8_answer", 99)
    paths = grading.feedback(course, tmp_path, [SET], ["c_wrong", "j_flood", "a_ref"])
    pages = {p.parent.name: p.read_text() for p in paths}
    assert "Proportions, not percent." in pages["c_wrong"] and "percent" in pages["c_wrong"]
    assert "data:image/png;base64," in pages["a_ref"]
    for page in pages.values():
        for secret in (str(course.root), str(authoring.ROOT), str(graded["base"]), "/tmp/"):
            assert secret not in page
        assert "<script>" not in page and len(page.encode()) < 2_000_000


def test_a_submission_that_runs_forever_is_stopped_by_the_whole_submission_limit(graded, tmp_path):
    course = graded["course"]
    nb = authoring.completed(SET, released(), code=course.code(SET, "w_slow"))
    _cell(nb, "q1_answer").source = "import time\nwhile True:\n    time.sleep(0.1)"
    _write(tmp_path, "w_slow", SET, nb)
    (r,) = grading.grade(tmp_path, course, [SET], cell_timeout=600, timeout=10, jobs=1)
    assert r.status == "timeout" and r.score == 0
    assert graded["records"][(SET, "n_after")]["auto_score"] == AUTO


def test_without_a_sandbox_grading_is_refused(monkeypatch):
    monkeypatch.setattr(sandbox, "_PROBE", {"bwrap": False})
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 1000)
    with pytest.raises(sandbox.SandboxError, match="bubblewrap"):
        sandbox.mode()
    with pytest.raises(sandbox.SandboxError, match="bubblewrap"):
        sandbox.mode("bwrap")


def _zero_is_right(course, name, student, parts) -> float:
    """Points of the numeric parts whose right answer, for this student's variant, is 0 within its
    tolerance: the mocking attack assigns 0 to every part, and a right number earns its point whoever
    typed it (variants are drawn at random, so a difference of two late-separating curves at an early
    horizon is sometimes within the tolerance of 0)."""
    key = problems.expected(name, course.code(name, student))
    return sum(x.points for p, x in parts.items()
               if x.kind == "number" and key[p].value is not None and abs(key[p].value) <= x.tol)


def test_e1910_attacks_earn_nothing_and_a_classmates_numbers_earn_no_point(graded):
    course = graded["course"]
    for student in ("e_mock", "r_objects"):
        rec = graded["records"][(E1910, student)]
        earned = _zero_is_right(course, E1910, student, E1910_PARTS) if student == "e_mock" else 0
        assert rec["status"] == "graded" and rec["auto_score"] == earned, (student, rec, earned)
    mine = problems.expected(E1910, course.code(E1910, "d_copy"))
    theirs = problems.expected(E1910, course.code(E1910, "a_ref"))
    numeric = [p for p, x in E1910_PARTS.items() if x.kind == "number"]
    differ = [p for p in numeric if abs(mine[p].value - theirs[p].value) > E1910_PARTS[p].tol]
    assert len(differ) >= len(numeric) - 2, differ  # the test keeps its teeth
    scores = _parts(course, "d_copy", E1910)
    assert all(scores[p][0] == 0 for p in differ), {p: scores[p] for p in differ}
    # the letters are the same for every variant: a copied letter scores, a copied number does not
    letters = sum(x.points for x in E1910_PARTS.values() if x.kind == "choice")
    assert graded["records"][(E1910, "d_copy")]["auto_score"] <= letters + sum(
        E1910_PARTS[p].points for p in numeric if p not in differ) + sum(
        x.points for x in E1910_PARTS.values() if x.kind == "whole")


def test_inovate_attacks_earn_nothing_a_classmates_numbers_earn_no_point_and_a_loop_loses_one_question(graded):
    recs = graded["records"]
    course = graded["course"]
    for student in ("e_mock", "r_objects"):
        rec = recs[(INOVATE, student)]
        earned = _zero_is_right(course, INOVATE, student, INOVATE_PARTS) if student == "e_mock" else 0
        assert rec["status"] == "graded" and rec["auto_score"] == earned, (student, rec, earned)
    mine = problems.expected(INOVATE, course.code(INOVATE, "d_copy"))
    theirs = problems.expected(INOVATE, course.code(INOVATE, "a_ref"))
    numeric = [p for p, x in INOVATE_PARTS.items() if x.kind == "number"]
    # two variants can share an answer within its tolerance by chance: such a part is right for both students
    differ = [p for p in numeric if abs(mine[p].value - theirs[p].value) > INOVATE_PARTS[p].tol]
    assert len(differ) >= len(numeric) - 3, differ  # the test keeps its teeth
    scores = _parts(course, "d_copy", INOVATE)
    assert all(scores[p][0] == 0 for p in differ), {p: scores[p] for p in differ}
    same = sum(INOVATE_PARTS[p].points for p in numeric if p not in differ)
    choices = sum(x.points for x in INOVATE_PARTS.values() if x.kind == "choice")
    assert recs[(INOVATE, "d_copy")]["auto_score"] <= choices + same
    loop = recs[(INOVATE, "x_loop")]
    pq = {q.qid: q.points for q in problems.questions(INOVATE)}
    assert loop["auto_score"] == pytest.approx(problems.max_points(INOVATE)[0] - pq["q4"]), loop["notes"]
    assert any("time limit" in n for n in graded["by"][(INOVATE, "x_loop")].notes)


def test_capstone_feedback_points_to_the_courses_appraisal_and_awaits_the_hand_graded_appraisal(graded, tmp_path):
    rec = graded["records"][("capstone", "a_ref")]
    assert rec["needs_manual"] == len(problems.manual("capstone")) and rec["auto_score"] == problems.max_points("capstone")[0]
    page = grading.feedback(graded["course"], tmp_path, ["capstone"], ["a_ref"])[0].read_text()
    assert "book/e1910/appraisal" in page and "awaiting your instructor" in page

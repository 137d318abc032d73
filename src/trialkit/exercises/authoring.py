"""Exercise sources (MyST Markdown) to nbgrader notebooks, and the student release.

A set lives in ``exercises/source/<set>/<set>.md``: a jupytext MyST notebook whose cells carry nbgrader
metadata. Only the keys that matter are written in the source; the rest are filled in here:

* code cells: ``nbgrader: {grade_id: q1_answer, solution: true}`` (an answer),
  ``{grade_id: q1_test, grade: true, points: 2}`` (a test, locked), ``{grade_id: setup, locked: true}``;
* markdown cells (``+++ {"nbgrader": {...}}``): ``{grade_id: q1_prompt, locked: true}`` (a question that
  cannot be edited) or ``{grade_id: q8_answer, solution: true, grade: true, points: 4}`` (a free-text
  answer graded by hand).

:func:`source_notebook` converts and validates a set (every question of
:mod:`trialkit.exercises.problems` has an answer cell and a locked check cell, free-text points match,
ids are unique, no hidden tests: answers are judged by the grader, outside the notebook ...); :func:`release` runs ``nbgrader generate_assignment``
in a scratch course and writes the student version to ``exercises/release/<set>/<set>.ipynb``. The
output is deterministic: cell ids are derived from the grade ids and positions, and the notebook is
written with sorted keys, so releasing twice gives identical files.
"""

from __future__ import annotations

import copy
import logging
import os
import re
import shutil
import sys
import tempfile
from io import StringIO
from pathlib import Path

import jupytext
import nbformat
from nbformat import NotebookNode

ROOT = Path(__file__).resolve().parents[3]
EXERCISES_DIR = ROOT / "exercises"
SOURCE_DIR = EXERCISES_DIR / "source"
RELEASE_DIR = EXERCISES_DIR / "release"
CONFIG_FILE = EXERCISES_DIR / "nbgrader_config.py"

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
_ID = re.compile(r"[a-z0-9_]{1,60}")
_SET = re.compile(r"[a-z][a-z0-9_]{0,30}")
_NB_KEYS = {"grade_id", "grade", "solution", "locked", "task", "points"}
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


class AuthoringError(ValueError):
    """An exercise source that breaks the conventions, naming the file and the cell."""


def sets(source_dir: Path | str = SOURCE_DIR) -> list[str]:
    """Names of the exercise sets (folders of ``source_dir`` holding ``<name>/<name>.md``)."""
    source_dir = Path(source_dir)
    return sorted(p.name for p in source_dir.iterdir() if p.is_dir() and (p / f"{p.name}.md").is_file())


def source_path(name: str, source_dir: Path | str = SOURCE_DIR) -> Path:
    if not isinstance(name, str) or not _SET.fullmatch(name):
        raise ValueError(f"set must be a lowercase name matching {_SET.pattern}, got {name!r}")
    path = Path(source_dir) / name / f"{name}.md"
    if not path.is_file():
        raise ValueError(f"set must be one of {sets(source_dir)}, got {name!r} (no {path})")
    return path


def _where(path: Path, i: int, cell) -> str:
    gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
    return f"{path.name}, cell {i + 1}" + (f" ({gid})" if gid else "")


def _full_metadata(meta: dict, where: str) -> dict:
    unknown = set(meta) - _NB_KEYS
    if unknown:
        raise AuthoringError(f"{where}: unknown nbgrader keys {sorted(unknown)} (allowed: {sorted(_NB_KEYS)})")
    gid = meta.get("grade_id")
    if not isinstance(gid, str) or not _ID.fullmatch(gid):
        raise AuthoringError(f"{where}: grade_id must match {_ID.pattern}, got {gid!r}")
    out = {"grade": False, "solution": False, "locked": False, "task": False, "schema_version": 3, "grade_id": gid}
    for key in ("grade", "solution", "locked", "task"):
        value = meta.get(key, False)
        if not isinstance(value, bool):
            raise AuthoringError(f"{where}: nbgrader {key} must be true or false, got {value!r}")
        out[key] = value
    if out["grade"]:
        points = meta.get("points")
        if isinstance(points, bool) or not isinstance(points, (int, float)) or not points > 0:
            raise AuthoringError(f"{where}: a graded cell needs points > 0, got {points!r}")
        out["points"] = points
    elif "points" in meta:
        raise AuthoringError(f"{where}: points are only for graded cells (grade: true)")
    if out["grade"] and not out["solution"]:
        out["locked"] = True  # tests are always locked
    return out


def source_notebook(name: str, source_dir: Path | str = SOURCE_DIR) -> NotebookNode:
    """The instructor's notebook of set ``name`` (solutions and hidden tests included), validated."""
    path = source_path(name, source_dir)
    nb = jupytext.read(path, fmt="md:myst")
    meta = nb.metadata
    info = meta.get("trialkit")
    if not isinstance(info, dict) or not str(info.get("title", "")).strip() or not isinstance(info.get("minutes"), int):
        raise AuthoringError(f"{path.name}: the front matter needs trialkit: {{title: ..., minutes: <int>}}")
    nb.metadata = NotebookNode({"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"},
                                "trialkit": {"set": name, "title": info["title"], "minutes": info["minutes"]}})
    from trialkit.exercises import problems

    seen: dict[str, int] = {}
    for i, cell in enumerate(nb.cells):
        where = _where(path, i, cell)
        for key in list(cell.metadata):
            if key not in ("nbgrader", "tags"):
                raise AuthoringError(f"{where}: unexpected cell metadata {key!r}")
        cell.metadata.pop("tags", None)
        text = cell.source
        has_solution = BEGIN_SOLUTION in text or END_SOLUTION in text
        if BEGIN_HIDDEN in text or END_HIDDEN in text:
            raise AuthoringError(f"{where}: hidden tests are gone: answers are judged by the grader "
                                 "(trialkit.exercises.problems), not by code in the notebook")
        if "nbgrader" not in cell.metadata:
            if has_solution:
                raise AuthoringError(f"{where}: solution markers in a cell without nbgrader metadata")
            cell.id = f"{name}-{i:03d}"
            continue
        nbm = _full_metadata(dict(cell.metadata["nbgrader"]), where)
        cell.metadata["nbgrader"] = nbm
        gid = nbm["grade_id"]
        if gid in seen:
            raise AuthoringError(f"{where}: grade_id {gid!r} already used by cell {seen[gid] + 1}")
        seen[gid] = i
        cell.id = gid.replace("_", "-")
        if has_solution and not nbm["solution"]:
            raise AuthoringError(f"{where}: solution markers in a cell that is not an answer (solution: true)")
        if cell.cell_type == "code" and nbm["grade"]:
            raise AuthoringError(f"{where}: code cells are never graded in the notebook; the grader judges the "
                                 "answer variables (remove grade: true)")
        if cell.cell_type == "code" and nbm["solution"]:
            if text.count(BEGIN_SOLUTION) != 1 or text.count(END_SOLUTION) != 1:
                raise AuthoringError(f"{where}: an answer cell needs one {BEGIN_SOLUTION!r} ... {END_SOLUTION!r} block")
        elif cell.cell_type == "markdown" and nbm["solution"]:
            if not nbm["grade"]:
                raise AuthoringError(f"{where}: a free-text answer must be graded (grade: true, points: ...)")
        elif not nbm["locked"]:
            raise AuthoringError(f"{where}: nbgrader metadata on a cell that is neither answer nor locked")
    if "setup" not in seen:
        raise AuthoringError(f"{path.name}: no setup cell (grade_id: setup)")
    for q in problems.questions(name):
        for gid in (f"{q.qid}_answer", f"{q.qid}_check"):
            if gid not in seen:
                raise AuthoringError(f"{path.name}: question {q.qid} needs a cell {gid}")
        check = nb.cells[seen[f"{q.qid}_check"]].source
        if f'student.check("{q.qid}")' not in check:
            raise AuthoringError(f"{path.name}: cell {q.qid}_check must run student.check(\"{q.qid}\")")
    for m in problems.manual(name):
        if m.item not in seen:
            raise AuthoringError(f"{path.name}: no free-text answer cell {m.item}")
        pts = nb.cells[seen[m.item]].metadata["nbgrader"].get("points")
        if pts != m.points:
            raise AuthoringError(f"{path.name}: {m.item} has {pts} points, problems.MANUAL says {m.points}")
    nbformat.validate(nb)
    return nb


def points(nb: NotebookNode) -> dict[str, float]:
    """Points of each graded item of a set: {question id or free-text answer id: points}."""
    from trialkit.exercises import problems

    name = nb.metadata["trialkit"]["set"]
    out = {q.qid: float(q.points) for q in problems.questions(name)}
    out.update({m.item: float(m.points) for m in problems.manual(name)})
    return out


def manual_cells(nb: NotebookNode) -> list[str]:
    """Grade ids of the answers graded by hand (free text)."""
    return [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade") and c.metadata["nbgrader"]["solution"]]


def dumps(nb: NotebookNode) -> str:
    """The notebook as written to disk (sorted keys, one-space indent, final newline)."""
    return nbformat.writes(nb) + "\n"


def load_config(course_root: Path | str, config_file: Path | str = CONFIG_FILE, **overrides):
    """The nbgrader configuration of the course rooted at ``course_root`` (a traitlets Config), from
    ``exercises/nbgrader_config.py`` plus ``overrides`` given as ``{"Section.option": value}``."""
    from traitlets.config.loader import Config, PyFileConfigLoader

    config_file = Path(config_file)
    cfg = PyFileConfigLoader(config_file.name, path=str(config_file.parent)).load_config()
    extra = Config()
    extra.CourseDirectory.root = str(Path(course_root).resolve())
    for key, value in overrides.items():
        section, option = key.split(".", 1)
        setattr(extra[section], option, value)
    cfg.merge(extra)
    return cfg


def ensure_tools_on_path() -> None:
    """nbgrader runs ``alembic`` (installed beside this Python) when it creates a gradebook: make sure
    the interpreter's folder is on PATH even when the virtual environment is not activated."""
    here = str(Path(sys.executable).parent)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if here not in parts:
        os.environ["PATH"] = os.pathsep.join([here] + [p for p in parts if p])


def run_nbgrader(converter_class, cfg, **attrs) -> str:
    """Run an nbgrader converter (GenerateAssignment, Autograde, GenerateFeedback) in this process.
    Returns its log; raises RuntimeError with the log when it fails."""
    from nbgrader.coursedir import CourseDirectory

    ensure_tools_on_path()
    coursedir = CourseDirectory(config=cfg)
    for key in ("assignment_id", "student_id"):
        if key in attrs:
            setattr(coursedir, key, attrs.pop(key))
    app = converter_class(coursedir=coursedir, config=cfg)
    for key, value in attrs.items():
        setattr(app, key, value)
    buffer = StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    app.log.addHandler(handler)
    propagate = app.log.propagate
    app.log.propagate = False
    try:
        app.start()
    except BaseException as err:  # nbgrader raises NbGraderException or lets others through
        raise RuntimeError(f"nbgrader {converter_class.__name__} failed: {err}\n{buffer.getvalue()}") from None
    finally:
        app.log.removeHandler(handler)
        app.log.propagate = propagate
    return buffer.getvalue()


def generate(course_root: Path | str, name: str, nb: NotebookNode | None = None, **overrides) -> NotebookNode:
    """Write the source of set ``name`` into the course and run ``nbgrader generate_assignment`` (which
    records the set, its cells and hidden tests in the course's gradebook). Returns the student version."""
    from nbgrader.converters import GenerateAssignment

    course_root = Path(course_root)
    nb = source_notebook(name) if nb is None else nb
    folder = course_root / "source" / name
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.ipynb"
    text = dumps(nb)
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    cfg = load_config(course_root, **overrides)
    run_nbgrader(GenerateAssignment, cfg, assignment_id=name, force=True, create_assignment=True)
    released = nbformat.read(course_root / "release" / name / f"{name}.ipynb", as_version=4)
    return normalise_release(released)


def normalise_release(nb: NotebookNode) -> NotebookNode:
    """The release as committed: outputs cleared, notebook metadata reduced to kernel and set info."""
    nb = copy.deepcopy(nb)
    keep = {k: nb.metadata[k] for k in ("kernelspec", "language_info", "trialkit") if k in nb.metadata}
    nb.metadata = NotebookNode(keep)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


def release(out_dir: Path | str = RELEASE_DIR, names: list[str] | None = None) -> list[Path]:
    """Generate the student version of each set into ``out_dir/<set>/<set>.ipynb`` (deterministic)."""
    out_dir = Path(out_dir)
    names = sets() if names is None else list(names)
    written = []
    with tempfile.TemporaryDirectory(prefix="trialkit-release-") as tmp:
        for name in names:
            released = generate(tmp, name)
            check_release(released, source_notebook(name))
            target = out_dir / name / f"{name}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            text = dumps(released)
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                target.write_text(text, encoding="utf-8")
            extra = [p for p in target.parent.iterdir() if p.name != target.name]
            for p in extra:  # a release folder holds the notebook only
                shutil.rmtree(p) if p.is_dir() else p.unlink()
            written.append(target)
    return written


def hidden_lines(nb: NotebookNode) -> list[str]:
    """The secret lines of a source notebook: the non-blank, non-comment lines of every hidden test and
    solution block, and the long lines of every model free-text answer, that appear nowhere else in it."""
    secret, visible = [], []
    for cell in nb.cells:
        text = cell.source
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and meta.get("solution"):
            secret += [ln.strip() for ln in text.splitlines() if len(ln.strip()) > 20]
            continue
        outside = []
        for begin, end in ((BEGIN_HIDDEN, END_HIDDEN), (BEGIN_SOLUTION, END_SOLUTION)):
            while begin in text and end in text:
                head, rest = text.split(begin, 1)
                block, text = rest.split(end, 1)
                outside.append(head)
                secret += [ln.strip() for ln in block.splitlines() if ln.strip() and not ln.strip().startswith("#")]
        outside.append(text)
        visible += [ln.strip() for part in outside for ln in part.splitlines()]
    shown = set(visible)
    return [ln for ln in dict.fromkeys(secret) if ln not in shown]


def check_release(released: NotebookNode, source: NotebookNode) -> None:
    """Raise AuthoringError if the student version holds a solution, a hidden test or a model answer."""
    text = dumps(released)
    for marker in (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN, "BEGIN SOLUTION", "HIDDEN TESTS"):
        if marker in text:
            raise AuthoringError(f"the release contains {marker!r}")
    sources = "\n".join(c.source for c in released.cells)
    for line in hidden_lines(source):
        if line in sources:
            raise AuthoringError(f"the release contains a line of a solution or hidden test: {line!r}")


def completed(name: str, released: NotebookNode | None = None, code: str | None = None,
              text: str = "My answer, written for the exercise.") -> NotebookNode:
    """The student version with every answer cell filled in from the source's solution (markers
    removed), ``MY_CODE`` set to ``code`` and every free-text answer set to ``text``: what a student who
    answers everything as the reference solution does would hand in."""
    source = source_notebook(name)
    released = normalise_release(generate_in_scratch(name)) if released is None else copy.deepcopy(released)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
               if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"}
    manual = set(manual_cells(source))
    for cell in released.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            lines = [ln for ln in answers[gid].splitlines() if BEGIN_SOLUTION not in ln and END_SOLUTION not in ln]
            cell.source = "\n".join(lines)
        elif gid in manual:
            cell.source = text
        elif code is not None and cell.cell_type == "code" and cell.source.startswith("MY_CODE ="):
            cell.source = f"MY_CODE = {code!r}"
    return released


def generate_in_scratch(name: str) -> NotebookNode:
    """The student version of set ``name`` generated in a throw-away course (nothing written to the repo)."""
    with tempfile.TemporaryDirectory(prefix="trialkit-release-") as tmp:
        return generate(tmp, name)

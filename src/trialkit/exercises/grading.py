"""Grading submitted notebooks: the notebook only produces answers; the grader judges them.

Layout of a folder of submissions (what ``python -m trialkit.exercises grade DIR`` reads)::

    DIR/<student>/<set>.ipynb        e.g. DIR/ana_perez/foundations.ipynb

The course folder (``~/.trialkit-course`` unless ``--course`` or ``$TRIALKIT_COURSE`` says otherwise,
never inside the repository, created mode 0700) holds what must stay private: ``private/salt`` (the
secret from which every student's variant code is derived), ``private/rubrics/`` (the instructor's
rubrics), and ``gradebook.db`` (SQLite: statuses, the score of every part, manual scores, comments).

For each submission:

1. the file is read and validated (size limit, JSON, nbformat schema); an invalid file is reported by
   name, recorded with the status ``invalid`` and no score;
2. the cells to run are assembled: the released setup cell (never the student's copy), then the
   student's own code cells in order; check cells, figure cells and any copy of a locked cell are left
   out. Cells are recognised by their nbgrader id and, when the metadata was lost (a notebook copied
   into a fresh one), by their source, so a notebook without metadata is graded the same way. The
   free-text answers are read from the Markdown cells (by id, or as the cell after their question);
3. the cells run in a sandbox (:mod:`trialkit.exercises.sandbox`: no access to the course folder, the
   repository's sources or other submissions, no network, limits on time, memory, processes and
   output bytes; nothing survives it). The sandbox reports the answer variables as plain data;
4. in this process, the student's variant code is derived from the salt and the student id (never
   read from the notebook), the expected answers of that variant are computed, and every part is
   judged (:func:`trialkit.exercises.problems.judge`) with partial credit and hints;
5. the gradebook is written by this process only (the sandbox cannot reach it). A regrade replaces
   the automatic scores of that submission and nothing else; manual scores already given are kept
   (a changed answer text is flagged, not re-opened).

Statuses: ``graded`` (possibly with cells that were stopped: see ``notes``), ``timeout`` (the whole
submission ran out of time), ``error`` (the sandbox could not produce answers), ``invalid``.
"""

from __future__ import annotations

import concurrent.futures as cf
import csv
import datetime as _dt
import hashlib
import html
import json
import os
import queue
import re
import secrets
import sqlite3
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from trialkit.exercises import authoring, problems, sandbox, variants

ROOT = authoring.ROOT
STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MAX_BYTES = 20 * 1024 * 1024
DEFAULTS = {"cell_timeout": 30, "timeout": 300, "memory_mb": 2048, "output_bytes": 2_000_000, "cell_output": 20_000}
STUB = "YOUR ANSWER HERE"


class GradingError(RuntimeError):
    """A problem with the course folder or the command's arguments (not with one submission)."""


class SubmissionError(ValueError):
    """A submitted file that cannot be graded (named in the message)."""


# --- the course folder -----------------------------------------------------------------------------------


def default_course() -> Path:
    env = os.environ.get("TRIALKIT_COURSE")
    return Path(env).expanduser() if env else Path.home() / ".trialkit-course"


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


SCHEMA = """
CREATE TABLE IF NOT EXISTS submission (set_name TEXT, student TEXT, status TEXT, detail TEXT, notes TEXT,
    flags TEXT, seconds REAL, graded_at TEXT, file TEXT, PRIMARY KEY (set_name, student));
CREATE TABLE IF NOT EXISTS part (set_name TEXT, student TEXT, question TEXT, part TEXT, score REAL, max REAL,
    correct INTEGER, message TEXT, answer TEXT, expected TEXT, PRIMARY KEY (set_name, student, part));
CREATE TABLE IF NOT EXISTS cell (set_name TEXT, student TEXT, idx INTEGER, ok INTEGER, error TEXT, output TEXT,
    PRIMARY KEY (set_name, student, idx));
CREATE TABLE IF NOT EXISTS manual (set_name TEXT, student TEXT, item TEXT, max REAL, text TEXT, text_sha TEXT,
    score REAL, comment TEXT, marked_at TEXT, changed_after_mark INTEGER DEFAULT 0,
    PRIMARY KEY (set_name, student, item));
CREATE TABLE IF NOT EXISTS adjust (set_name TEXT, student TEXT, question TEXT, score REAL, comment TEXT,
    PRIMARY KEY (set_name, student, question));
"""


class Course:
    """The instructor's private course folder (outside the repository)."""

    def __init__(self, root: Path | str | None = None):
        self.root = Path(root).expanduser().resolve() if root is not None else default_course().resolve()
        if _inside(self.root, ROOT) or _inside(ROOT, self.root):
            raise GradingError(f"course folder {self.root} must be outside the repository {ROOT} "
                               "(it holds the salt, the rubrics, students' work and grades); use --course DIR")

    def create(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        (self.root / "private" / "rubrics").mkdir(parents=True, exist_ok=True)
        os.chmod(self.root / "private", 0o700)
        with self.connect() as con:
            con.executescript(SCHEMA)

    @property
    def db(self) -> Path:
        return self.root / "gradebook.db"

    def connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.db, timeout=30)

    def salt(self) -> bytes:
        """The course's secret salt (32 random bytes, created on first use, mode 0600)."""
        path = self.root / "private" / "salt"
        if not path.exists():
            self.create()
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32) + "\n")
        text = path.read_text().strip()
        if not re.fullmatch(r"[0-9a-f]{64}", text):
            raise GradingError(f"{path}: not a salt written by this tool (64 hexadecimal characters)")
        return bytes.fromhex(text)

    def code(self, set_name: str, student: str) -> str:
        return variants.variant_code(self.salt(), set_name, student)

    def released(self, name: str) -> NotebookNode:
        path = authoring.RELEASE_DIR / name / f"{name}.ipynb"
        if not path.exists():
            raise GradingError(f"set {name!r} has no release at {path}: run `python -m trialkit.exercises release`")
        return nbformat.read(path, as_version=4)


# --- reading a submission ---------------------------------------------------------------------------------


def read_submission(path: Path, max_bytes: int = MAX_BYTES) -> NotebookNode:
    """A submitted notebook, validated; SubmissionError names the file and the problem."""
    path = Path(path)
    if path.is_symlink() or not path.is_file():
        raise SubmissionError(f"{path}: not a regular file")
    size = path.stat().st_size
    if size > max_bytes:
        raise SubmissionError(f"{path}: {size} bytes, more than the limit of {max_bytes}")
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError) as err:
        raise SubmissionError(f"{path}: cannot be read as UTF-8 text ({err})") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        raise SubmissionError(f"{path}: not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})") from None
    if not isinstance(raw, dict) or raw.get("nbformat") != 4 or not isinstance(raw.get("cells"), list):
        raise SubmissionError(f"{path}: not a Jupyter notebook (version 4)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.reads(text, as_version=4)
            nbformat.validate(nb)
    except Exception as err:  # nbformat raises several error types for broken notebooks
        raise SubmissionError(f"{path}: not a valid notebook ({str(err).splitlines()[0][:200]})") from None
    return nb


def _grade_id(cell) -> str | None:
    meta = cell.get("metadata", {}).get("nbgrader")
    if isinstance(meta, dict) and isinstance(meta.get("grade_id"), str):
        return meta["grade_id"]
    return None


def _src(cell) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else str(s)


@dataclass
class Prepared:
    cells: list[str]
    manual: dict[str, str]
    notes: list[str]
    typed_code: str | None


def prepare(nb: NotebookNode, released: NotebookNode, set_name: str) -> Prepared:
    """The code cells to run (released setup first, then the student's own cells) and the free-text
    answers, from a submission. Locked cells are never taken from the submission."""
    notes: list[str] = []
    rel_locked = {}
    setup = None
    for c in released.cells:
        gid = _grade_id(c)
        meta = c.metadata.get("nbgrader", {})
        if gid and meta.get("locked"):
            rel_locked[gid] = _src(c)
            if gid == "setup":
                setup = _src(c)
    if setup is None:
        raise GradingError(f"the release of {set_name} has no setup cell")
    locked_sources = {s.strip() for s in rel_locked.values()}
    cells = ["MY_CODE = None", setup]
    with_meta = sum(1 for c in nb.cells if _grade_id(c))
    if with_meta == 0:
        notes.append("the notebook has no nbgrader metadata (copied into a new notebook?): answers were read by name")
    changed_locked, typed = 0, None
    for c in nb.cells:
        if c.get("cell_type") != "code":
            continue
        gid, text = _grade_id(c), _src(c)
        if gid in rel_locked or text.strip() in locked_sources:
            if gid in rel_locked and text.strip() != rel_locked[gid].strip():
                changed_locked += 1
            continue
        m = re.search(r"^MY_CODE\s*=\s*['\"]([^'\"]{1,40})['\"]", text, re.M)
        if m:
            typed = m.group(1)
        cells.append(text)
    if changed_locked:
        notes.append(f"{changed_locked} locked cell(s) were edited; the released version was used (checks never count)")
    answers = {}
    manual_items = [m.item for m in problems.manual(set_name)]
    prompt_of = {}
    rel = released.cells
    for i, c in enumerate(rel):
        if _grade_id(c) in manual_items and i > 0:
            prompt_of[_grade_id(c)] = _src(rel[i - 1]).strip()
    md = [c for c in nb.cells if c.get("cell_type") == "markdown"]
    for item in manual_items:
        found = next((c for c in md if _grade_id(c) == item), None)
        if found is None:
            for k, c in enumerate(md[:-1]):
                if _src(c).strip() == prompt_of.get(item) and not _grade_id(md[k + 1]):
                    found = md[k + 1]
                    break
        text = _src(found).strip() if found is not None else ""
        answers[item] = "" if text == STUB else text[:20000]
    return Prepared(cells, answers, notes, typed)


# --- grading ---------------------------------------------------------------------------------------------


@dataclass
class Result:
    student: str
    set: str
    status: str                      # graded, invalid, timeout, error, skipped
    detail: str = ""
    seconds: float = 0.0
    file: str = ""
    notes: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    score: float | None = None
    max_score: float = 0.0
    verdicts: list = field(default_factory=list)
    cells: dict = field(default_factory=dict)
    manual: dict = field(default_factory=dict)


def discover(folder: Path, names: list[str]) -> tuple[list[tuple[str, str, Path]], list[Result]]:
    """Submissions ``folder/<student>/<set>.ipynb`` and what was skipped (with the reason)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise GradingError(f"{folder}: no such folder of submissions")
    found, skipped = [], []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if not entry.is_dir() or entry.is_symlink():
            skipped.append(Result("", "", "skipped", f"{entry.name}: not a student folder (expected DIR/<student>/<set>.ipynb)",
                                  file=str(entry)))
            continue
        if not STUDENT_ID.fullmatch(entry.name):
            skipped.append(Result(entry.name, "", "skipped", f"{entry.name}: not a valid student id ({STUDENT_ID.pattern})",
                                  file=str(entry)))
            continue
        for item in sorted(entry.iterdir()):
            if item.name.startswith("."):
                continue
            if item.suffix != ".ipynb" or item.stem not in authoring.sets():
                skipped.append(Result(entry.name, "", "skipped",
                                      f"{entry.name}/{item.name}: not a set notebook (expected one of "
                                      f"{', '.join(s + '.ipynb' for s in authoring.sets())})", file=str(item)))
                continue
            if item.stem in names:
                found.append((entry.name, item.stem, item))
    return found, skipped


def grade_one(course: Course, set_name: str, student: str, path: Path, *, released: NotebookNode, slot: int = 0,
              cell_timeout: float = DEFAULTS["cell_timeout"], timeout: float = DEFAULTS["timeout"],
              memory_mb: int = DEFAULTS["memory_mb"], output_bytes: int = DEFAULTS["output_bytes"],
              how: str = "auto") -> Result:
    """Grade one submission (runs its cells in a sandbox, judges the answers here)."""
    auto_max, manual_max = problems.max_points(set_name)
    result = Result(student, set_name, "graded", file=str(path), max_score=auto_max + manual_max)
    try:
        nb = read_submission(path)
        prep = prepare(nb, released, set_name)
    except SubmissionError as err:
        result.status, result.detail = "invalid", str(err)
        return result
    except Exception as err:  # a notebook we cannot make sense of: report it, grade the others
        result.status, result.detail = "invalid", f"{path}: cannot be prepared for grading ({type(err).__name__}: {err})"
        return result
    result.notes, result.manual = prep.notes, prep.manual
    code = course.code(set_name, student)
    if prep.typed_code and variants.valid_code(prep.typed_code) and variants.normalise_code(prep.typed_code) != code:
        result.flags.append("the variant code typed in the notebook is not this student's (copied notebook?)")
    run = sandbox.run(prep.cells, problems.answer_names(set_name), code=code, cell_timeout=cell_timeout,
                      timeout=timeout, memory_mb=memory_mb, output_bytes=output_bytes,
                      cell_output=DEFAULTS["cell_output"], slot=slot, how=how)
    result.seconds = run.seconds
    offset = 2  # the two cells the grader puts first
    result.cells = {i - offset: v for i, v in run.cells.items() if i >= offset}
    for kind, cells in (("stopped after the cell time limit", run.timeouts), ("stopped: the process died", run.crashes),
                        ("stopped: too much output", run.floods)):
        for i in cells:
            result.notes.append(f"your code cell {i - offset + 1} was {kind}; only the questions that need it lose points"
                                if i >= offset else f"the setup cell was {kind}")
    if run.status != "ok":
        result.status, result.detail = run.status, run.detail
    result.verdicts = problems.judge(set_name, code, run.answers or {})
    result.score = sum(v.points for v in result.verdicts)
    return result


_WRITE = """INSERT OR REPLACE INTO submission VALUES (?,?,?,?,?,?,?,?,?)"""


def record(course: Course, r: Result) -> None:
    """Write one result into the gradebook (this process only)."""
    now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    with course.connect() as con:
        con.execute(_WRITE, (r.set, r.student, r.status, r.detail, json.dumps(r.notes), json.dumps(r.flags),
                             round(r.seconds, 2), now, r.file))
        con.execute("DELETE FROM part WHERE set_name=? AND student=?", (r.set, r.student))
        con.execute("DELETE FROM cell WHERE set_name=? AND student=?", (r.set, r.student))
        for v in r.verdicts:
            con.execute("INSERT INTO part VALUES (?,?,?,?,?,?,?,?,?,?)",
                        (r.set, r.student, v.question, v.part, v.points, v.max_points, int(v.correct), v.message,
                         v.answer, v.expected))
        for i, c in r.cells.items():
            if c.get("skipped") and not c.get("error"):
                continue
            con.execute("INSERT INTO cell VALUES (?,?,?,?,?,?)",
                        (r.set, r.student, i, int(bool(c.get("ok"))), str(c.get("error") or "")[:2000],
                         str(c.get("output") or "")[:4000]))
        if r.status == "invalid":
            return
        for m in problems.manual(r.set):
            text = r.manual.get(m.item, "")
            sha = hashlib.sha256(text.encode()).hexdigest()
            old = con.execute("SELECT text_sha, score, marked_at FROM manual WHERE set_name=? AND student=? AND item=?",
                              (r.set, r.student, m.item)).fetchone()
            if old is None or old[2] in (None, "auto"):
                score, marked = (0.0, "auto") if not text else (None, None)
                con.execute("INSERT OR REPLACE INTO manual VALUES (?,?,?,?,?,?,?,?,?,0)",
                            (r.set, r.student, m.item, m.points, text, sha, score,
                             "no answer" if not text else None, marked))
            elif old[0] != sha:  # marked by hand: keep the mark, say that the text changed
                con.execute("UPDATE manual SET text=?, text_sha=?, changed_after_mark=1 WHERE set_name=? AND student=? "
                            "AND item=?", (text, sha, r.set, r.student, m.item))


def grade(folder: Path | str, course: Course | None = None, names: list[str] | None = None, *,
          cell_timeout: float = DEFAULTS["cell_timeout"], timeout: float = DEFAULTS["timeout"],
          memory_mb: int = DEFAULTS["memory_mb"], output_bytes: int = DEFAULTS["output_bytes"],
          jobs: int | None = None, how: str = "auto", echo=None) -> list[Result]:
    """Grade every submission in ``folder`` in parallel (``jobs`` sandboxes at a time, default: every
    core). Returns one Result per file; the gradebook is written as results arrive."""
    course = course or Course()
    course.create()
    course.salt()
    names = authoring.sets() if names is None else list(names)
    for n in names:
        authoring.source_path(n)
    sandbox.mode(how)  # fail early, with what to install, when no sandbox is available
    say = echo or (lambda *_: None)
    found, skipped = discover(Path(folder), names)
    released = {n: course.released(n) for n in names}
    results = list(skipped)
    for r in skipped:
        say(f"skipped   {r.detail}")
    jobs = max(1, int(jobs or os.cpu_count() or 1))
    slots: queue.Queue = queue.Queue()
    for k in range(jobs):
        slots.put(k)

    def work(item):
        student, set_name, path = item
        slot = slots.get()
        try:
            return grade_one(course, set_name, student, path, released=released[set_name], slot=slot,
                             cell_timeout=cell_timeout, timeout=timeout, memory_mb=memory_mb,
                             output_bytes=output_bytes, how=how)
        finally:
            slots.put(slot)

    with cf.ThreadPoolExecutor(max_workers=jobs) as pool:
        for r in pool.map(work, found):
            record(course, r)
            results.append(r)
            score = "" if r.score is None else f" {r.score:g}/{problems.max_points(r.set)[0]:g} auto"
            extra = f" ({r.detail})" if r.detail else ""
            notes = "".join(f"\n          note: {n}" for n in r.notes)
            flags = "".join(f"\n          review: {f}" for f in r.flags)
            say(f"{r.status:9s} {r.set}/{r.student} {r.seconds:5.1f} s{score}{extra}{notes}{flags}")
    return results


# --- reading the gradebook: scores, export, manual marks, feedback -------------------------------------------


def scores(course: Course, names: list[str] | None = None) -> list[dict]:
    """One record per (set, student) in the gradebook: status, totals, per-question and manual scores."""
    if not course.db.exists():
        return []
    out = []
    with course.connect() as con:
        con.executescript(SCHEMA)
        rows = con.execute("SELECT set_name, student, status, detail, notes, flags, seconds, graded_at "
                           "FROM submission ORDER BY set_name, student").fetchall()
        for set_name, student, status, detail, notes, flags, seconds, when in rows:
            if names is not None and set_name not in names:
                continue
            if set_name not in problems.SETS:
                continue
            auto_max, manual_max = problems.max_points(set_name)
            rec = {"set": set_name, "student": student, "status": status, "detail": detail,
                   "notes": json.loads(notes or "[]"), "flags": json.loads(flags or "[]"), "seconds": seconds,
                   "graded_at": when, "max_score": auto_max + manual_max, "cells": {}, "parts": {}}
            parts = con.execute("SELECT question, part, score FROM part WHERE set_name=? AND student=?",
                                (set_name, student)).fetchall()
            if status == "invalid" or not parts:
                rec.update(score=None, auto_score=None, manual_score=None, needs_manual=None)
                out.append(rec)
                continue
            per_q: dict[str, float] = {}
            for q, p, s in parts:
                per_q[q] = per_q.get(q, 0.0) + s
                rec["parts"][p] = s
            for q, s, _c in con.execute("SELECT question, score, comment FROM adjust WHERE set_name=? AND student=?",
                                        (set_name, student)):
                if s is not None:
                    per_q[q] = s
            manual = con.execute("SELECT item, score, changed_after_mark FROM manual WHERE set_name=? AND student=?",
                                 (set_name, student)).fetchall()
            rec["cells"] = dict(per_q)
            for item, s, changed in manual:
                rec["cells"][item] = s
                if changed:
                    rec["flags"].append(f"{item}: the answer changed after it was marked (mark kept)")
            auto = sum(per_q.values())
            man = sum(s for _, s, _ in manual if s is not None)
            rec.update(auto_score=auto, manual_score=man, score=auto + man,
                       needs_manual=sum(1 for _, s, _ in manual if s is None))
            out.append(rec)
    return out


def _columns(names: list[str]) -> list[str]:
    cols = []
    for n in names:
        cols += [f"{n}.{q.qid}" for q in problems.questions(n)] + [f"{n}.{m.item}" for m in problems.manual(n)]
    return cols


def export(course: Course, out: Path | str, names: list[str] | None = None) -> Path:
    """Write the grades CSV: one row per (set, student) of the gradebook (every set unless ``names``)."""
    recs = scores(course, names)
    shown = sorted({r["set"] for r in recs} | set(names or []))
    cells = _columns(shown)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    head = ["set", "student", "status", "score", "max_score", "auto_score", "manual_score", "needs_manual_grade",
            "graded_at", "flags", "notes", "detail"] + cells

    def fmt(x):
        return "" if x is None else (f"{x:g}" if isinstance(x, float) else str(x))
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        for r in recs:
            row = [r["set"], r["student"], r["status"], fmt(r["score"]), fmt(r["max_score"]), fmt(r["auto_score"]),
                   fmt(r["manual_score"]), fmt(r["needs_manual"]), r["graded_at"], "; ".join(r["flags"]),
                   "; ".join(r["notes"]), r["detail"]]
            row += [fmt(r["cells"].get(c.split(".", 1)[1])) if c.startswith(r["set"] + ".") else "" for c in cells]
            w.writerow(row)
    return out


def mark(course: Course, set_name: str, student: str, item: str, score: float | None = None,
         comment: str | None = None) -> None:
    """A manual score and/or comment: for a free-text answer (``q8_answer``), or for an automatically graded
    question (``q3``, also ``q3_test``/``q3_check``), whose score it then overrides."""
    authoring.source_path(set_name)
    item = re.sub(r"_(test|check)$", "", item) if isinstance(item, str) else item
    manual = {m.item: m.points for m in problems.manual(set_name)}
    auto = {q.qid: q.points for q in problems.questions(set_name)}
    if item not in manual and item not in auto:
        raise GradingError(f"cell must be one of the graded items of {set_name}: {sorted(manual) + sorted(auto)}, got {item!r}")
    top = manual.get(item, auto.get(item))
    if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= top):
        raise GradingError(f"score must be between 0 and {top:g} for {item}, got {score!r}")
    if score is None and comment is None:
        raise GradingError("give a score, a --comment, or both")
    with course.connect() as con:
        con.executescript(SCHEMA)
        row = con.execute("SELECT status FROM submission WHERE set_name=? AND student=?", (set_name, student)).fetchone()
        if row is None or row[0] == "invalid":
            raise GradingError(f"no graded submission of {set_name} by {student!r}")
        now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        if item in manual:
            if score is not None:
                con.execute("UPDATE manual SET score=?, marked_at=?, changed_after_mark=0 WHERE set_name=? AND student=? "
                            "AND item=?", (float(score), now, set_name, student, item))
            if comment is not None:
                con.execute("UPDATE manual SET comment=? WHERE set_name=? AND student=? AND item=?",
                            (comment, set_name, student, item))
        else:
            old = con.execute("SELECT score, comment FROM adjust WHERE set_name=? AND student=? AND question=?",
                              (set_name, student, item)).fetchone() or (None, None)
            con.execute("INSERT OR REPLACE INTO adjust VALUES (?,?,?,?,?)",
                        (set_name, student, item, float(score) if score is not None else old[0],
                         comment if comment is not None else old[1]))


_PATH = re.compile(r"(?:[A-Za-z]:)?(?:/[^\s/'\"():,]+)+/")


def strip_paths(text: str) -> str:
    """Text with every directory part of a path removed (feedback never shows where things live)."""
    return _PATH.sub("", str(text))


def _figure_png(set_name: str, code: str, qid: str) -> str | None:
    import base64

    from trialkit.exercises import figures

    if (set_name, qid) != ("foundations", "q4"):
        return None
    try:
        import vl_convert as vlc

        fig = figures.km_chart_frame(problems.survival_frame(set_name, code), title="Your SYNTHETIC curves",
                                     arm_labels={"new": "New agent", "standard": "Standard therapy"})
        spec = dict(fig.spec, width=560)
        return base64.b64encode(vlc.vegalite_to_png(spec, scale=1)).decode()
    except Exception:  # a figure that cannot be drawn must not stop the feedback
        return None


def feedback(course: Course, out: Path | str, names: list[str] | None = None,
             students: list[str] | None = None) -> list[Path]:
    """Per-student HTML feedback (``out/<student>/<set>.html``): every part with the answer, the expected
    answer of the student's variant, the points and a hint; the figures of the variant as images; the
    errors of the student's cells; the manual scores and comments. Everything is escaped; no path of
    the grader's machine appears."""
    out = Path(out)
    written = []
    titles = {n: authoring.source_notebook(n).metadata["trialkit"]["title"] for n in (names or authoring.sets())}
    with course.connect() as con:
        con.executescript(SCHEMA)
        recs = {(r["set"], r["student"]): r for r in scores(course, names)}
        for (set_name, student), rec in sorted(recs.items()):
            if students is not None and student not in students:
                continue
            if rec["status"] == "invalid":
                continue
            code = course.code(set_name, student)
            e = html.escape
            parts = con.execute("SELECT question, part, score, max, correct, message, answer, expected FROM part "
                                "WHERE set_name=? AND student=?", (set_name, student)).fetchall()
            adjust = {q: (s, c) for q, s, c in con.execute(
                "SELECT question, score, comment FROM adjust WHERE set_name=? AND student=?", (set_name, student))}
            body = [f"<h1>{e(titles.get(set_name, set_name))}</h1>",
                    f"<p>Student <b>{e(student)}</b> · variant {e(variants.pretty(code))} · status {e(rec['status'])}"
                    f" · score {'' if rec['score'] is None else format(rec['score'], 'g')} of {rec['max_score']:g}</p>"]
            for n in rec["notes"]:
                body.append(f"<p class='note'>Note: {e(strip_paths(n))}</p>")
            for q in problems.questions(set_name):
                rows = [p for p in parts if p[0] == q.qid]
                got = sum(p[2] for p in rows)
                body.append(f"<h2>Question {e(q.qid[1:])}. {e(q.title)}: {got:g} of {q.points:g}</h2>")
                if q.qid in adjust:
                    s, c = adjust[q.qid]
                    if s is not None:
                        body.append(f"<p>Score set by your instructor: {s:g}</p>")
                    if c:
                        body.append(f"<p class='comment'>Instructor: {e(c)}</p>")
                png = _figure_png(set_name, code, q.qid) if q.figure else None
                if png:
                    body.append(f"<img alt='Your variant&#39;s SYNTHETIC Kaplan-Meier curves' "
                                f"src='data:image/png;base64,{png}' style='max-width:100%'>")
                body.append("<table><tr><th>answer</th><th>yours</th><th>expected</th><th>points</th><th>feedback</th></tr>")
                for _q, part, score, mx, correct, message, answer, expected in rows:
                    body.append(f"<tr><td>{e(part)}</td><td>{e(answer)}</td><td>{e(expected)}</td>"
                                f"<td>{score:g} / {mx:g}</td><td>{e(strip_paths(message))}</td></tr>")
                body.append("</table>")
            errors = con.execute("SELECT idx, error FROM cell WHERE set_name=? AND student=? AND error != '' ORDER BY idx",
                                 (set_name, student)).fetchall()
            if errors:
                body.append("<h2>Errors in your code cells</h2><ul>")
                body += [f"<li>cell {i + 1}: {e(strip_paths(err))}</li>" for i, err in errors]
                body.append("</ul>")
            after = problems.AFTER_SUBMISSION.get(set_name)
            if after:
                body.append(f"<p class='after'>{e(after)}</p>")
            for item, mx, text, score, comment in con.execute(
                    "SELECT item, max, text, score, comment FROM manual WHERE set_name=? AND student=?", (set_name, student)):
                title = next((m.title for m in problems.manual(set_name) if m.item == item), item)
                shown = "awaiting your instructor" if score is None else f"{score:g} of {mx:g}"
                body.append(f"<h2>{e(title)} ({e(shown)})</h2><blockquote>{e(text or '(no answer)')}</blockquote>")
                if comment:
                    body.append(f"<p class='comment'>Instructor: {e(comment)}</p>")
            page = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Feedback</title>"
                    "<style>body{font-family:sans-serif;max-width:60rem;margin:auto;padding:1rem}table{border-collapse:"
                    "collapse}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left}.comment{color:#0b5394}"
                    "</style></head><body>" + "\n".join(body) + "</body></html>")
            target = out / student / f"{set_name}.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(page, encoding="utf-8")
            written.append(target)
    return written


def results_table(results: list[Result]) -> list[dict]:
    return [asdict(r) for r in results]

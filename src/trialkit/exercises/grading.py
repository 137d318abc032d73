"""Grading submitted notebooks with nbgrader, one submission at a time, each in its own process.

Layout of a folder of submissions (what ``python -m trialkit.exercises grade DIR`` reads)::

    DIR/<student>/<set>.ipynb        e.g. DIR/ana_perez/foundations.ipynb

``<student>`` is the student's id (letters, digits, ``.``, ``_``, ``-``), ``<set>`` one of the sets in
``exercises/source``. Anything else in DIR is reported and skipped.

The course folder (``~/.trialkit-course`` unless ``--course`` or ``$TRIALKIT_COURSE`` says otherwise,
never inside the repository) is an ordinary nbgrader course: ``gradebook.db`` (SQLite), ``source/``,
``release/``, ``submitted/``, ``autograded/``, ``feedback/``, ``nbgrader_config.py``, plus
``trialkit-status.json`` (the outcome of the last grading of each submission) and ``logs/``.

For each submission, in order:

1. the file is read and validated (size limit, JSON, nbformat schema); an invalid file is reported by
   name and skipped, and nothing in the gradebook changes;
2. it is sanitised against the released notebook: the nbgrader metadata of every known cell is reset
   to the released one (points, grade and lock flags cannot be changed), metadata of unknown cells is
   dropped, duplicated ids keep the first cell, and deleted test cells are put back; nbgrader then
   restores the source of every locked cell (tests, with their hidden part) from the gradebook;
3. the gradebook and the course's own files (its sources, releases, configuration and every other
   student's folders) are snapshotted in memory, and digests of the code and data the kernel imports
   (the trialkit package, ``data/``, ``exercises/``) are taken;
4. ``nbgrader autograde`` runs in a child process (own session, memory and file-size limits, a scratch
   HOME) with a per-cell timeout, under a wall-clock limit for the whole submission; on timeout the
   child and every process it started are killed;
5. the snapshot is compared with the state after grading: if the gradebook is unreadable, if anything
   in it changed outside this student's own rows (or a manual grade of theirs changed), or if a course
   file changed, the gradebook and the course files are restored and the submission gets 0 with the
   status ``tampered``. A timeout or a crash also restores the snapshot and gives 0 (status ``timeout``
   or ``error``). A change to the code or data files is reported as a flag for review but never
   undone: those files belong to the repository's authors, who may be editing them.

The kernel runs the student's code as the user who runs the grader. The guard above catches damage to
the gradebook and the course folder, not everything a hostile program could do on the machine (it
could, for example, change the installed packages or other files of that user): grade untrusted
submissions in a container or under a dedicated account. The checks a notebook's tests call live in
the student's kernel too, so a student who replaces them (``check.close = ...``) defeats them: such
code is flagged for review (``suspicious``), not prevented.
"""

from __future__ import annotations

import copy
import csv
import datetime as _dt
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from trialkit.exercises import authoring

ROOT = authoring.ROOT
STATUS_FILE = "trialkit-status.json"
STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MAX_BYTES = 20 * 1024 * 1024
DEFAULTS = {"cell_timeout": 30, "timeout": 300, "memory_mb": 4096, "file_mb": 512}
SUSPICIOUS = ("get_ipython", "input_transformers", "run_cell", "sys.modules", "__builtins__", "builtins",
              "importlib", "ctypes", "gradebook", "sqlite", "os.remove", "os.unlink", "shutil.rmtree", "subprocess",
              "os.system", "os.kill", "signal", "trialkit.exercises.check", "check.close", "check.same_choice",
              "setattr(check", "check.number =", "check.choice =", "exec(", "eval(")


class GradingError(RuntimeError):
    """A problem with the course folder or the command's arguments (not with one submission)."""


class SubmissionError(ValueError):
    """A submitted file that cannot be graded (named in the message)."""


# --- the course folder -----------------------------------------------------------------------------


def default_course() -> Path:
    env = os.environ.get("TRIALKIT_COURSE")
    return Path(env).expanduser() if env else Path.home() / ".trialkit-course"


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


class Course:
    """An nbgrader course folder outside the repository."""

    def __init__(self, root: Path | str | None = None):
        self.root = Path(root).expanduser().resolve() if root is not None else default_course().resolve()
        if _inside(self.root, ROOT) or _inside(ROOT, self.root):
            raise GradingError(f"course folder {self.root} must be outside the repository {ROOT} "
                               "(it will hold students' work and grades); use --course DIR")

    @property
    def db(self) -> Path:
        return self.root / "gradebook.db"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db}"

    def config(self, **overrides):
        return authoring.load_config(self.root, **overrides)

    def released(self, name: str) -> NotebookNode:
        path = self.root / "release" / name / f"{name}.ipynb"
        if not path.exists():
            raise GradingError(f"set {name!r} has not been prepared in {self.root}")
        return authoring.normalise_release(nbformat.read(path, as_version=4))

    def prepare(self, names: list[str]) -> list[str]:
        """Create the course folder if needed and (re)generate each set whose source changed. Returns
        warnings (e.g. the committed release differs from the one generated from the sources)."""
        self.root.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(authoring.CONFIG_FILE, self.root / "nbgrader_config.py")
        warnings = []
        stamps_path = self.root / "logs" / "sources.json"
        stamps = json.loads(stamps_path.read_text()) if stamps_path.exists() else {}
        for name in names:
            nb = authoring.source_notebook(name)
            text = authoring.dumps(nb)
            released_path = self.root / "release" / name / f"{name}.ipynb"
            if stamps.get(name) != text or not released_path.exists() or not self.db.exists():
                try:
                    authoring.generate(self.root, name, nb)
                except RuntimeError as err:
                    if "there are submissions associated with it" in str(err):
                        raise GradingError(
                            f"the source of set {name!r} gained or lost cells after submissions were graded in "
                            f"{self.root}; nbgrader cannot change the cells of a graded set. Grade it in a new "
                            "course folder (--course), or undo the change to the source") from None
                    raise GradingError(f"preparing set {name!r} in {self.root} failed: {err}") from None
                stamps[name] = text
            committed = authoring.RELEASE_DIR / name / f"{name}.ipynb"
            ours = authoring.dumps(self.released(name))
            if not committed.exists() or committed.read_text(encoding="utf-8") != ours:
                warnings.append(f"{name}: the committed release {committed.relative_to(ROOT)} is not the one generated "
                                "from the source: run `python -m trialkit.exercises release`")
        stamps_path.parent.mkdir(parents=True, exist_ok=True)
        stamps_path.write_text(json.dumps(stamps))
        return warnings

    # status of the last grading of each submission
    def load_status(self) -> dict:
        path = self.root / STATUS_FILE
        if not path.exists():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return {}
        return data if isinstance(data, dict) else {}

    def save_status(self, status: dict) -> None:
        path = self.root / STATUS_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(status, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(path)


# --- reading and sanitising a submission --------------------------------------------------------------


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
        with warnings.catch_warnings():  # duplicate or missing cell ids: nbformat repairs them, so do we
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


def sanitise(nb: NotebookNode, released: NotebookNode) -> tuple[NotebookNode, list[str]]:
    """The submission with nbgrader metadata reset to the release's, unknown metadata dropped, duplicate
    ids removed and missing test (and other locked) cells put back. Returns (notebook, notes)."""
    nb = copy.deepcopy(nb)
    notes = []
    ref = {c.metadata["nbgrader"]["grade_id"]: c for c in released.cells if "nbgrader" in c.metadata}
    order = [c.metadata["nbgrader"]["grade_id"] for c in released.cells if "nbgrader" in c.metadata]
    seen: set[str] = set()
    for cell in nb.cells:
        gid = _grade_id(cell)
        if "nbgrader" not in cell.metadata:
            continue
        if gid not in ref or gid in seen:
            notes.append(f"dropped nbgrader metadata of {'a duplicate of ' + gid if gid in seen else 'an unknown cell'}"
                         if gid else "dropped malformed nbgrader metadata")
            del cell.metadata["nbgrader"]
            for key in ("editable", "deletable"):
                cell.metadata.pop(key, None)
            continue
        seen.add(gid)
        want = ref[gid]
        if dict(cell.metadata["nbgrader"]) != {k: v for k, v in want.metadata["nbgrader"].items()}:
            notes.append(f"reset the nbgrader metadata of {gid}")
        cell.metadata["nbgrader"] = copy.deepcopy(want.metadata["nbgrader"])
        for key in ("editable", "deletable"):
            if key in want.metadata:
                cell.metadata[key] = want.metadata[key]
            else:
                cell.metadata.pop(key, None)
        if cell.cell_type != want.cell_type:
            notes.append(f"restored the cell type of {gid}")
            new = copy.deepcopy(want)
            new.source = cell.source if want.metadata["nbgrader"]["solution"] else want.source
            cell.clear()
            cell.update(new)
    # put back missing locked cells (tests, setup, questions) after the closest known cell before them
    for i, gid in enumerate(order):
        meta = ref[gid].metadata["nbgrader"]
        if gid in seen or not (meta["locked"] or meta["grade"]):
            continue
        position = 0
        for prev in reversed(order[:i]):
            idx = next((k for k, c in enumerate(nb.cells) if _grade_id(c) == prev and "nbgrader" in c.metadata), None)
            if idx is not None:
                position = idx + 1
                break
        restored = copy.deepcopy(ref[gid])
        restored.id = f"restored-{gid.replace('_', '-')}"
        nb.cells.insert(position, restored)
        seen.add(gid)
        notes.append(f"put back the missing cell {gid}")
    ids = set()
    for k, cell in enumerate(nb.cells):  # cell ids must stay unique after the insertions
        if not isinstance(cell.get("id"), str) or cell.id in ids or not re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", cell.id):
            cell.id = f"cell-{k}"
        ids.add(cell.id)
    nb.metadata["kernelspec"] = copy.deepcopy(released.metadata["kernelspec"])
    nbformat.validate(nb)
    return nb, notes


def suspicious(nb: NotebookNode, released: NotebookNode) -> list[str]:
    """Names of risky constructs in the code the student wrote (cells that are not locked), for review."""
    locked = {c.metadata["nbgrader"]["grade_id"] for c in released.cells
              if "nbgrader" in c.metadata and c.metadata["nbgrader"]["locked"]}
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code" or _grade_id(cell) in locked:
            continue
        for word in SUSPICIOUS:
            if word in cell.source and word not in found:
                found.append(word)
    return found


# --- watching the gradebook and the files the grader relies on -------------------------------------


def _rows(db: Path) -> dict[str, set[tuple]]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        if con.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("integrity check failed")
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        out = {}
        for t in tables:
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{t}")')]
            out[t] = {tuple(zip(cols, row)) for row in con.execute(f'SELECT * FROM "{t}"')}
        return out
    finally:
        con.close()


def _owned(rows: dict[str, set[tuple]], set_name: str, student: str) -> dict[str, set]:
    """Row ids belonging to this student's submission of this set (allowed to change when graded)."""
    def ids(table, pred):
        return {dict(r)["id"] for r in rows.get(table, ()) if pred(dict(r))}
    assignment = ids("assignment", lambda r: r["name"] == set_name)
    sub = ids("submitted_assignment", lambda r: r["student_id"] == student and r["assignment_id"] in assignment)
    subnb = ids("submitted_notebook", lambda r: r["assignment_id"] in sub)
    return {"student": {student}, "submitted_assignment": sub, "submitted_notebook": subnb,
            "grade": ids("grade", lambda r: r["notebook_id"] in subnb),
            "comment": ids("comment", lambda r: r["notebook_id"] in subnb)}


_MANUAL = {"grade": ("manual_score", "extra_credit"), "comment": ("manual_comment",)}


def gradebook_changes(before: dict, after: dict, set_name: str, student: str) -> list[str]:
    """What changed in the gradebook outside the rows grading may touch (empty when all is well)."""
    problems = []
    own_b, own_a = _owned(before, set_name, student), _owned(after, set_name, student)
    for table in sorted(set(before) | set(after)):
        def rest(rows, own):
            keep = own.get(table, set())
            return {r for r in rows.get(table, set()) if dict(r).get("id") not in keep}
        if rest(before, own_b) != rest(after, own_a):
            problems.append(f"gradebook table {table} changed outside this submission")
        if table in _MANUAL:
            old = {dict(r)["id"]: dict(r) for r in before.get(table, ()) if dict(r)["id"] in own_b.get(table, ())}
            new = {dict(r)["id"]: dict(r) for r in after.get(table, ()) if dict(r)["id"] in own_a.get(table, ())}
            for rid in old.keys() & new.keys():
                if any(old[rid][c] != new[rid][c] for c in _MANUAL[table]):
                    problems.append(f"gradebook: a manual grade or comment of this submission changed ({table})")
                    break
    return problems


def _files(roots: list[Path], skip: list[Path]) -> list[Path]:
    out = []
    for base in roots:
        if base.is_file():
            out.append(base)
            continue
        if not base.exists():
            continue
        for p in base.rglob("*"):
            if "__pycache__" in p.parts or ".ipynb_checkpoints" in p.parts or not p.is_file() or p.is_symlink():
                continue
            if not any(_inside(p, s) for s in skip):
                out.append(p)
    return sorted(out)


def _course_files(course: Course, set_name: str, student: str) -> dict[Path, bytes]:
    """The course files grading must not touch (restored if it does): configuration, sources, releases,
    and every other submission's folders."""
    roots = [course.root / "nbgrader_config.py", course.root / "source", course.root / "release",
             course.root / "submitted", course.root / "autograded", course.root / "feedback"]
    skip = [course.root / "submitted" / student / set_name, course.root / "autograded" / student / set_name]
    files = {}
    for p in _files(roots, skip):
        try:
            files[p] = p.read_bytes()
        except OSError:
            pass
    return files


def _code_files() -> dict[Path, str]:
    """Digests of the files the kernel imports or reads (the trialkit package, the data, the exercise
    sources). Only compared, never restored: the repository is the authors', not the grader's."""
    import hashlib

    out = {}
    for p in _files([ROOT / "src" / "trialkit", ROOT / "data", ROOT / "exercises"], []):
        try:
            out[p] = hashlib.sha256(p.read_bytes()).hexdigest()
        except OSError:
            pass
    return out


class Snapshot:
    """The gradebook (kept in memory), the course files (kept in memory) and digests of the code and data
    files, taken before one submission is graded."""

    def __init__(self, course: Course, set_name: str, student: str):
        self.course, self.set_name, self.student = course, set_name, student
        self.memory = sqlite3.connect(":memory:")
        src = sqlite3.connect(f"file:{course.db}?mode=ro", uri=True)
        try:
            src.backup(self.memory)
        finally:
            src.close()
        self.rows = _rows(course.db)
        self.files = _course_files(course, set_name, student)
        self.code = _code_files()

    def problems(self) -> list[str]:
        """What grading changed in the gradebook or the course files (restore these)."""
        out = []
        try:
            after = _rows(self.course.db)
        except (sqlite3.Error, OSError) as err:
            out.append(f"the gradebook is unreadable after grading ({err})")
        else:
            out += gradebook_changes(self.rows, after, self.set_name, self.student)
        now = _course_files(self.course, self.set_name, self.student)
        for p in sorted(set(self.files) | set(now)):
            if self.files.get(p) != now.get(p):
                what = "removed" if p not in now else "added" if p not in self.files else "changed"
                out.append(f"course file {what}: {p.relative_to(self.course.root)}")
        return out

    def code_changes(self) -> list[str]:
        """Code or data files that changed while the submission was graded (reported, never restored)."""
        now = _code_files()
        return [str(p.relative_to(ROOT)) for p in sorted(set(self.code) | set(now)) if self.code.get(p) != now.get(p)]

    def restore(self) -> None:
        """Put the gradebook and the course files back as they were (the repository is left alone)."""
        db = self.course.db
        for suffix in ("-journal", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        if db.exists() or db.is_symlink():
            db.unlink()
        dst = sqlite3.connect(db)
        try:
            self.memory.backup(dst)
        finally:
            dst.close()
        now = _course_files(self.course, self.set_name, self.student)
        for p in set(now) - set(self.files):
            p.unlink(missing_ok=True)
        for p, content in self.files.items():
            if now.get(p) != content:
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_bytes(content)

    def close(self) -> None:
        self.memory.close()


# --- running one submission in a child process ------------------------------------------------------


def _limits(memory_mb: int, file_mb: int):
    def apply():
        try:
            import resource
        except ImportError:  # not on POSIX
            return
        if memory_mb:
            limit = int(memory_mb) * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        if file_mb:
            limit = int(file_mb) * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def _kill_tree(procs: list) -> None:
    """Kill the given psutil processes (psutil refuses to signal a PID that has since been reused)."""
    import psutil

    for p in procs:
        try:
            p.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(procs, timeout=5)


def run_child(args: list[str], *, timeout: float, log: Path, memory_mb: int, file_mb: int, home: Path) -> tuple[int | None, float]:
    """Run ``python -m trialkit.exercises <args>`` with limits; returns (exit code or None on timeout,
    seconds). Every process the child starts is killed when it ends or times out."""
    import psutil

    env = dict(os.environ)
    env.update({"HOME": str(home), "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1",
                "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])})
    env.pop("TRIALKIT_COURSE", None)
    start = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "trialkit.exercises", *args], stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT, env=env, cwd=str(home),
                                start_new_session=True, preexec_fn=_limits(memory_mb, file_mb))
        seen: dict[int, psutil.Process] = {}  # every descendant met while the child ran (kernel included)
        try:
            child = psutil.Process(proc.pid)
        except psutil.Error:
            child = None
        code = None
        while True:
            try:
                for c in child.children(recursive=True) if child is not None else ():
                    seen.setdefault(c.pid, c)
            except psutil.Error:
                pass
            try:
                code = proc.wait(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                if time.monotonic() - start > timeout:
                    break
        if code is None and child is not None:
            seen[proc.pid] = child
        _kill_tree(list(seen.values()))
        if code is None:
            proc.kill()
            proc.wait()
    return code, time.monotonic() - start


def autograde_here(course_root: Path, set_name: str, student: str, cell_timeout: int) -> None:
    """The child's work: ``nbgrader autograde`` of one submission (raises on failure)."""
    from nbgrader.converters import Autograde

    warnings.filterwarnings("ignore", message=".*not in session.*")  # nbgrader's own SQLAlchemy session warnings
    course = Course(course_root)
    cfg = course.config(**{"Execute.timeout": int(cell_timeout)})
    log = authoring.run_nbgrader(Autograde, cfg, assignment_id=set_name, student_id=student, force=True, create_student=True)
    print(log)


# --- grading a folder ----------------------------------------------------------------------------


@dataclass
class Result:
    student: str
    set: str
    status: str                      # graded, invalid, timeout, error, tampered, skipped
    detail: str = ""
    seconds: float = 0.0
    file: str = ""
    notes: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


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


def _zero(course: Course, set_name: str, student: str) -> None:
    """Record a submission that could not be graded: every graded cell scores 0."""
    from nbgrader.api import Gradebook

    authoring.ensure_tools_on_path()
    with warnings.catch_warnings(), Gradebook(course.db_url) as gb:
        warnings.simplefilter("ignore")  # nbgrader's own SQLAlchemy session warnings
        gb.update_or_create_student(student)
        sub = gb.update_or_create_submission(set_name, student)
        for notebook in sub.notebooks:
            for grade in notebook.grades:
                grade.auto_score = 0.0
                grade.needs_manual_grade = False
        gb.db.commit()


def _stage(course: Course, set_name: str, student: str, nb: NotebookNode, mtime: float) -> None:
    folder = course.root / "submitted" / student / set_name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / f"{set_name}.ipynb").write_text(authoring.dumps(nb), encoding="utf-8")
    stamp = _dt.datetime.fromtimestamp(mtime, tz=_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    (folder / "timestamp.txt").write_text(stamp)


def grade_one(course: Course, set_name: str, student: str, path: Path, *, cell_timeout: int, timeout: float,
              memory_mb: int, file_mb: int, released: NotebookNode) -> Result:
    result = Result(student, set_name, "graded", file=str(path))
    try:
        nb = read_submission(path)
        clean, result.notes = sanitise(nb, released)
    except SubmissionError as err:
        result.status, result.detail = "invalid", str(err)
        return result
    except Exception as err:  # a notebook our sanitiser cannot make sense of: report it, grade the others
        result.status, result.detail = "invalid", f"{path}: cannot be prepared for grading ({err})"
        return result
    result.flags = suspicious(clean, released)
    _stage(course, set_name, student, clean, path.stat().st_mtime)
    logs = course.root / "logs" / set_name
    logs.mkdir(parents=True, exist_ok=True)
    snap = Snapshot(course, set_name, student)
    try:
        with tempfile.TemporaryDirectory(prefix="trialkit-grade-home-") as home:
            code, result.seconds = run_child(
                ["_autograde", "--course", str(course.root), "--set", set_name, "--student", student,
                 "--cell-timeout", str(int(cell_timeout))],
                timeout=timeout, log=logs / f"{student}.log", memory_mb=memory_mb, file_mb=file_mb, home=Path(home))
        problems = snap.problems()
        changed = snap.code_changes()
        if changed:
            result.flags.append("code or data files changed while grading: " + ", ".join(changed[:5]))
        if problems:
            result.status = "tampered"
            result.detail = "grading changed what it must not (restored; scored 0; review the submission): " + "; ".join(problems[:5])
        elif code is None:
            result.status = "timeout"
            result.detail = f"grading took longer than {timeout:g} s and was stopped (scored 0)"
        elif code != 0:
            result.status = "error"
            tail = _tail(logs / f"{student}.log")
            result.detail = f"the grader failed (scored 0; see {logs / (student + '.log')}): {tail}"
        if result.status != "graded":
            snap.restore()
            _zero(course, set_name, student)
    finally:
        snap.close()
    return result


def _tail(path: Path, n: int = 300) -> str:
    """The most telling line of a failed grading's log: the last exception raised inside nbgrader (for
    example ``DeadKernelError: Kernel died``), else the last lines."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    errors = [ln for ln in lines if re.match(r"^[\w.]+(Error|Exception|Exit)\b.*:", ln) and "nbgrader Autograde failed" not in ln]
    if errors:
        return errors[-1][:n]
    return " | ".join(lines[-3:])[-n:]


def grade(folder: Path | str, course: Course | None = None, names: list[str] | None = None, *,
          cell_timeout: int = DEFAULTS["cell_timeout"], timeout: float = DEFAULTS["timeout"],
          memory_mb: int = DEFAULTS["memory_mb"], file_mb: int = DEFAULTS["file_mb"], echo=None) -> list[Result]:
    """Grade every submission in ``folder`` (see the module notes). Returns one Result per file."""
    course = course or Course()
    names = authoring.sets() if names is None else list(names)
    for n in names:
        authoring.source_path(n)
    say = echo or (lambda *_: None)
    found, skipped = discover(Path(folder), names)
    for w in course.prepare(names):
        say(f"warning: {w}")
    released = {n: course.released(n) for n in names}
    status = course.load_status()
    results = list(skipped)
    for r in skipped:
        say(f"skipped   {r.detail}")
    for student, set_name, path in found:
        r = grade_one(course, set_name, student, path, cell_timeout=cell_timeout, timeout=timeout,
                      memory_mb=memory_mb, file_mb=file_mb, released=released[set_name])
        results.append(r)
        status.setdefault(set_name, {})[student] = {
            "status": r.status, "detail": r.detail, "seconds": round(r.seconds, 2), "file": r.file,
            "notes": r.notes, "flags": r.flags,
            "when": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}
        course.save_status(status)
        extra = f" ({r.detail})" if r.detail else ""
        flags = f" [review: {', '.join(r.flags)}]" if r.flags else ""
        say(f"{r.status:9s} {set_name}/{student} {r.seconds:5.1f} s{extra}{flags}")
    return results


# --- reading the gradebook: scores, export, manual marks, feedback -------------------------------------


def scores(course: Course, names: list[str] | None = None) -> list[dict]:
    """One record per (set, student) with a gradebook entry or a status: totals and per-cell scores."""
    from nbgrader.api import Gradebook, MissingEntry

    names = authoring.sets() if names is None else list(names)
    status = course.load_status()
    records = []
    if not course.db.exists():
        return records
    authoring.ensure_tools_on_path()
    with Gradebook(course.db_url) as gb:
        for name in names:
            try:
                assignment = gb.find_assignment(name)
            except MissingEntry:
                continue
            manual_ids = _manual_ids(name)
            students = {s.student.id for s in assignment.submissions} | set(status.get(name, {}))
            for student in sorted(students):
                st = status.get(name, {}).get(student, {})
                rec = {"set": name, "student": student, "status": st.get("status", "graded"),
                       "detail": st.get("detail", ""), "flags": ";".join(st.get("flags", [])), "cells": {}}
                try:
                    sub = gb.find_submission(name, student)
                except MissingEntry:
                    rec.update(score=None, max_score=assignment.max_score, auto_score=None, manual_score=None,
                               needs_manual=None, submitted="")
                    records.append(rec)
                    continue
                auto = manual = 0.0
                needs = 0
                for nbk in sub.notebooks:
                    for g in nbk.grades:
                        rec["cells"][g.name] = g.score
                        if g.name in manual_ids:
                            manual += g.score
                        else:
                            auto += g.score
                        needs += int(bool(g.needs_manual_grade))
                rec.update(score=sub.score, max_score=sub.max_score, auto_score=auto, manual_score=manual,
                           needs_manual=needs, submitted=str(sub.timestamp or ""))
                records.append(rec)
    return records


def _manual_ids(name: str) -> set[str]:
    return set(authoring.manual_cells(authoring.source_notebook(name)))


def export(course: Course, out: Path | str, names: list[str] | None = None) -> Path:
    """Write the grades CSV: one row per (set, student), totals, then one column per graded cell."""
    names = authoring.sets() if names is None else list(names)
    recs = scores(course, names)
    cells = []
    for name in names:
        cells += [f"{name}.{gid}" for gid in authoring.points(authoring.source_notebook(name))]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    head = ["set", "student", "status", "score", "max_score", "auto_score", "manual_score", "needs_manual_grade",
            "submitted", "flags", "detail"] + cells

    def fmt(x):
        return "" if x is None else (f"{x:g}" if isinstance(x, float) else str(x))
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        for r in recs:
            row = [r["set"], r["student"], r["status"], fmt(r["score"]), fmt(r["max_score"]), fmt(r["auto_score"]),
                   fmt(r["manual_score"]), fmt(r["needs_manual"]), r["submitted"], r["flags"], r["detail"]]
            row += [fmt(r["cells"].get(c.split(".", 1)[1])) if c.startswith(r["set"] + ".") else "" for c in cells]
            w.writerow(row)
    return out


def mark(course: Course, set_name: str, student: str, cell: str, score: float, comment: str | None = None) -> None:
    """Record a manual score (and comment) for a free-text answer, e.g. after reading it against the rubric."""
    from nbgrader.api import Gradebook, MissingEntry

    authoring.source_path(set_name)
    pts = authoring.points(authoring.source_notebook(set_name))
    if cell not in pts:
        raise GradingError(f"cell must be one of the graded cells of {set_name}: {sorted(pts)}, got {cell!r}")
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= pts[cell]:
        raise GradingError(f"score must be between 0 and {pts[cell]:g} for {cell}, got {score!r}")
    authoring.ensure_tools_on_path()
    with Gradebook(course.db_url) as gb:
        try:
            grade = gb.find_grade(cell, set_name, set_name, student)
        except MissingEntry:
            raise GradingError(f"no graded submission of {set_name} by {student!r}") from None
        grade.manual_score = float(score)
        grade.needs_manual_grade = False
        if comment is not None:
            gb.find_comment(cell, set_name, set_name, student).manual_comment = comment
        gb.db.commit()


def feedback(course: Course, out: Path | str, names: list[str] | None = None,
             students: list[str] | None = None) -> list[Path]:
    """Per-student HTML feedback (``out/<student>/<set>.html``) for every graded submission (or only
    those of ``students``). The page shows the student's notebook as graded, with the hidden tests, the
    scores and the instructor's comments: hand it back after the deadline."""
    from nbgrader.converters import GenerateFeedback

    names = authoring.sets() if names is None else list(names)
    status = course.load_status()
    out = Path(out)
    written = []
    cfg = course.config()
    for name in names:
        for student, st in sorted(status.get(name, {}).items()):
            if st.get("status") != "graded" or (students is not None and student not in students):
                continue
            authoring.run_nbgrader(GenerateFeedback, cfg, assignment_id=name, student_id=student, force=True)
            html = course.root / "feedback" / student / name / f"{name}.html"
            target = out / student / f"{name}.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(html, target)
            written.append(target)
    return written


def results_table(results: list[Result]) -> list[dict]:
    return [asdict(r) for r in results]

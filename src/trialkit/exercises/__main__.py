"""Command line of the exercise sets: ``python -m trialkit.exercises COMMAND`` (see ``--help``)."""

from __future__ import annotations

import argparse
import statistics
import sys

if __name__ == "__main__" and sys.argv[1:2] == ["_autograde"]:
    # The grading child imports nbformat, whose jsonschema builds an optional URI-syntax checker at import
    # (about a second); nbgrader never checks URI syntax, so the child, which runs once per submission,
    # goes without it.
    sys.modules.setdefault("rfc3987_syntax", None)
import tempfile
import time
from pathlib import Path

from trialkit.exercises import authoring, grading


def _course(args) -> grading.Course:
    return grading.Course(args.course)


def _sets(args) -> list[str] | None:
    return args.set or None


def cmd_release(args) -> int:
    names = _sets(args)
    if args.check:
        with tempfile.TemporaryDirectory(prefix="trialkit-release-check-") as tmp:
            fresh = authoring.release(tmp, names)
            stale = []
            for path in fresh:
                committed = Path(args.out) / path.parent.name / path.name
                if not committed.exists() or committed.read_bytes() != path.read_bytes():
                    stale.append(str(committed))
        for s in stale:
            print(f"out of date: {s}", file=sys.stderr)
        print("release is up to date" if not stale else "run `python -m trialkit.exercises release`")
        return 1 if stale else 0
    for path in authoring.release(args.out, names):
        print(f"released {path}")
    return 0


def cmd_grade(args) -> int:
    course = _course(args)
    print(f"course folder: {course.root}")
    results = grading.grade(args.folder, course, _sets(args), cell_timeout=args.cell_timeout, timeout=args.timeout,
                            memory_mb=args.memory_mb, echo=print)
    out = grading.export(course, args.csv or course.root / "grades.csv", _sets(args))
    counts = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    print("summary: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) if counts else "summary: nothing to grade")
    print(f"grades: {out}")
    return 0


def cmd_feedback(args) -> int:
    course = _course(args)
    out = Path(args.out) if args.out else course.root / "feedback-html"
    paths = grading.feedback(course, out, _sets(args), args.student)
    for p in paths:
        print(f"feedback {p}")
    print(f"{len(paths)} feedback files in {out}")
    return 0


def cmd_export(args) -> int:
    course = _course(args)
    out = grading.export(course, args.out or course.root / "grades.csv", _sets(args))
    print(f"grades: {out}")
    return 0


def cmd_mark(args) -> int:
    grading.mark(_course(args), args.set_name, args.student, args.cell, args.score, args.comment)
    print(f"marked {args.set_name}/{args.student} {args.cell}: {args.score:g}")
    return 0


def cmd_bench(args) -> int:
    """Grade ``n`` copies of the completed set in a scratch course and print the timings."""
    name = args.set[0] if args.set else "tower"
    with tempfile.TemporaryDirectory(prefix="trialkit-bench-") as tmp:
        tmp = Path(tmp)
        course = grading.Course(tmp / "course")
        t0 = time.monotonic()
        course.prepare([name])
        prepare = time.monotonic() - t0
        done = authoring.dumps(authoring.completed(name, course.released(name)))
        subs = tmp / "submissions"
        for i in range(args.n):
            (subs / f"student{i:02d}").mkdir(parents=True)
            (subs / f"student{i:02d}" / f"{name}.ipynb").write_text(done, encoding="utf-8")
        t1 = time.monotonic()
        results = grading.grade(subs, course, [name], cell_timeout=args.cell_timeout, timeout=args.timeout)
        total = time.monotonic() - t1
        records = {r["student"]: r for r in grading.scores(course, [name])}
    secs = [r.seconds for r in results]
    ok = [r for r in results if r.status == "graded"]
    full = [r for r in ok if records[r.student]["auto_score"] == records[r.student]["max_score"] - _manual_max(name)]
    print(f"set {name}: {len(results)} submissions, {len(ok)} graded, {len(full)} with full automatic marks")
    print(f"preparing the course (generate_assignment): {prepare:.1f} s")
    print(f"one submission (child process, kernel, notebook): median {statistics.median(secs):.1f} s, "
          f"min {min(secs):.1f} s, max {max(secs):.1f} s   (budget 10 s)")
    print(f"whole folder of {len(results)}: {total:.1f} s = {total / 60:.1f} min   (budget 5 min for 30)")
    return 0 if len(ok) == len(results) else 1


def _manual_max(name: str) -> float:
    nb = authoring.source_notebook(name)
    pts = authoring.points(nb)
    return sum(pts[g] for g in authoring.manual_cells(nb))


def cmd_autograde(args) -> int:
    grading.autograde_here(Path(args.course), args.set_name, args.student, args.cell_timeout)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trialkit.exercises",
                                     description="Release, grade and give feedback on the course's exercise sets (nbgrader).")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    course_help = "course folder (default: $TRIALKIT_COURSE or ~/.trialkit-course; never inside the repository)"

    p = sub.add_parser("release", help="write the student versions into exercises/release/<set>/<set>.ipynb")
    p.add_argument("--out", default=str(authoring.RELEASE_DIR), help="release folder (default: exercises/release)")
    p.add_argument("--set", action="append", help="only this set (repeatable)")
    p.add_argument("--check", action="store_true", help="only check that the committed release is up to date")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("grade", help="autograde DIR/<student>/<set>.ipynb and write the grades CSV")
    p.add_argument("folder", help="folder of submissions: DIR/<student>/<set>.ipynb")
    p.add_argument("--course", help=course_help)
    p.add_argument("--set", action="append", help="only this set (repeatable)")
    p.add_argument("--cell-timeout", type=int, default=grading.DEFAULTS["cell_timeout"],
                   help="seconds a cell may run before it is interrupted (default %(default)s)")
    p.add_argument("--timeout", type=float, default=grading.DEFAULTS["timeout"],
                   help="seconds one whole submission may take before it is stopped (default %(default)s)")
    p.add_argument("--memory-mb", type=int, default=grading.DEFAULTS["memory_mb"],
                   help="address-space limit of the grading process and its kernel (default %(default)s)")
    p.add_argument("--csv", help="where to write the grades CSV (default: COURSE/grades.csv)")
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("feedback", help="per-student HTML feedback: OUT/<student>/<set>.html")
    p.add_argument("--course", help=course_help)
    p.add_argument("--set", action="append", help="only this set (repeatable)")
    p.add_argument("--student", action="append", help="only this student (repeatable)")
    p.add_argument("--out", help="output folder (default: COURSE/feedback-html)")
    p.set_defaults(func=cmd_feedback)

    p = sub.add_parser("export", help="write the grades CSV")
    p.add_argument("--course", help=course_help)
    p.add_argument("--set", action="append", help="only this set (repeatable)")
    p.add_argument("--out", help="CSV file (default: COURSE/grades.csv)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("mark", help="record a manual score for a free-text answer")
    p.add_argument("set_name", metavar="SET")
    p.add_argument("student")
    p.add_argument("cell", help="grade id of the answer, e.g. q8_answer")
    p.add_argument("score", type=float)
    p.add_argument("--comment", help="comment shown in the feedback")
    p.add_argument("--course", help=course_help)
    p.set_defaults(func=cmd_mark)

    p = sub.add_parser("bench", help="grade N copies of a completed set in a scratch course and print timings")
    p.add_argument("--n", type=int, default=30)
    p.add_argument("--set", action="append", help="the set to use (default: tower)")
    p.add_argument("--cell-timeout", type=int, default=grading.DEFAULTS["cell_timeout"])
    p.add_argument("--timeout", type=float, default=grading.DEFAULTS["timeout"])
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("_autograde")  # the child process of `grade` (not listed in --help)
    p.add_argument("--course", required=True)
    p.add_argument("--set", dest="set_name", required=True)
    p.add_argument("--student", required=True)
    p.add_argument("--cell-timeout", type=int, required=True)
    p.set_defaults(func=cmd_autograde)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (grading.GradingError, authoring.AuthoringError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

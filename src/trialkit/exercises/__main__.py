"""Command line of the exercise sets: ``python -m trialkit.exercises COMMAND`` (see ``--help``)."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from trialkit.exercises import authoring, grading, problems, sandbox, variants


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
                            memory_mb=args.memory_mb, output_bytes=args.output_bytes, jobs=args.jobs,
                            how=args.sandbox, echo=print)
    out = grading.export(course, args.csv or course.root / "grades.csv")  # every set of the gradebook
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
    what = "comment" if args.score is None else f"{args.score:g}"
    print(f"marked {args.set_name}/{args.student} {args.cell}: {what}")
    return 0


def cmd_codes(args) -> int:
    """Print the variant code of each student (CSV: student,set,code) for the instructor to send."""
    course = _course(args)
    course.create()
    students = list(args.student or [])
    if args.roster:
        students += [ln.strip().split(",")[0] for ln in Path(args.roster).read_text(encoding="utf-8").splitlines()
                     if ln.strip() and not ln.startswith("#")]
    if not students:
        raise ValueError("give student ids (arguments) or --roster FILE (one id per line)")
    bad = [s for s in students if not grading.STUDENT_ID.fullmatch(s)]
    if bad:
        raise ValueError(f"student ids must match {grading.STUDENT_ID.pattern}, got {bad}")
    print("student,set,code")
    for name in _sets(args) or authoring.sets():
        authoring.source_path(name)
        for s in students:
            print(f"{s},{name},{variants.pretty(course.code(name, s))}")
    return 0


def cmd_bench(args) -> int:
    """Grade ``n`` completed submissions of one set (each student with their own variant) in a scratch
    course, in parallel on every core, and print the timings."""
    name = args.set[0] if args.set else "tower"
    jobs = args.jobs or os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="trialkit-bench-") as tmp:
        tmp = Path(tmp)
        course = grading.Course(tmp / "course")
        course.create()
        released = course.released(name)
        subs = tmp / "submissions"
        for i in range(args.n):
            student = f"student{i:03d}"
            (subs / student).mkdir(parents=True)
            nb = authoring.completed(name, released, code=variants.pretty(course.code(name, student)))
            (subs / student / f"{name}.ipynb").write_text(authoring.dumps(nb), encoding="utf-8")
        t1 = time.monotonic()
        results = grading.grade(subs, course, [name], cell_timeout=args.cell_timeout, timeout=args.timeout, jobs=jobs)
        total = time.monotonic() - t1
    auto = problems.max_points(name)[0]
    secs = [r.seconds for r in results]
    ok = [r for r in results if r.status == "graded"]
    full = [r for r in ok if r.score == auto]
    print(f"set {name}: {len(results)} submissions, {len(ok)} graded, {len(full)} with full automatic marks; "
          f"{jobs} in parallel on {os.cpu_count()} cores; sandbox {sandbox.mode()}")
    print(f"one submission (sandbox + answers + judging): median {statistics.median(secs):.2f} s, "
          f"min {min(secs):.2f} s, max {max(secs):.2f} s   (budget: median < 5 s)")
    per300 = total / len(results) * 300
    print(f"whole folder of {len(results)}: {total:.1f} s = {total / 60:.2f} min; "
          f"{per300 / 60:.1f} min per 300 submissions   (budget: 300 in < 10 min)")
    return 0 if len(full) == len(results) else 1


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
                   help="address-space limit of the sandboxed notebook (default %(default)s)")
    p.add_argument("--output-bytes", type=int, default=grading.DEFAULTS["output_bytes"],
                   help="bytes of output a submission may produce before the cell is stopped (default %(default)s)")
    p.add_argument("--jobs", type=int, help="submissions graded at once (default: every core)")
    p.add_argument("--sandbox", choices=["auto", "bwrap", "setuid"], default="auto",
                   help="isolation: bubblewrap, or an unprivileged uid when run as root without user namespaces")
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

    p = sub.add_parser("mark", help="a manual score and/or comment (free-text answer, or override of a question)")
    p.add_argument("set_name", metavar="SET")
    p.add_argument("student")
    p.add_argument("cell", help="a free-text answer (q8_answer) or a question (q3, also q3_test)")
    p.add_argument("score", type=float, nargs="?", help="the score (leave out to add only a comment)")
    p.add_argument("--comment", help="comment shown in the feedback")
    p.add_argument("--course", help=course_help)
    p.set_defaults(func=cmd_mark)

    p = sub.add_parser("codes", help="print each student's variant code (to send to them)")
    p.add_argument("student", nargs="*", help="student ids")
    p.add_argument("--roster", help="a file with one student id per line (first CSV column)")
    p.add_argument("--set", action="append", help="only this set (repeatable)")
    p.add_argument("--course", help=course_help)
    p.set_defaults(func=cmd_codes)

    p = sub.add_parser("bench", help="grade N completed submissions in a scratch course and print timings")
    p.add_argument("--n", type=int, default=30)
    p.add_argument("--set", action="append", help="the set to use (default: tower)")
    p.add_argument("--jobs", type=int, help="submissions graded at once (default: every core)")
    p.add_argument("--cell-timeout", type=int, default=grading.DEFAULTS["cell_timeout"])
    p.add_argument("--timeout", type=float, default=grading.DEFAULTS["timeout"])
    p.set_defaults(func=cmd_bench)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (grading.GradingError, authoring.AuthoringError, sandbox.SandboxError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

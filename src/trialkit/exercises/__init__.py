"""Graded exercise sets (nbgrader): authoring, release, grading, feedback and export.

Sources are MyST Markdown notebooks in ``exercises/source/<set>/<set>.md`` (public reference
solutions included; no model answer and no rubric: those stay in the instructor's private course
folder). The student versions are generated into ``exercises/release/<set>/<set>.ipynb`` and committed.
Every student works on their own variant (:mod:`~trialkit.exercises.variants`); the grader runs each
notebook in a sandbox only to read its answers and judges them itself.

Commands (``python -m trialkit.exercises --help``)::

    release                 write the student versions into exercises/release/ (deterministic)
    codes STUDENT...        each student's variant code (derived from the course's secret salt)
    grade DIR               grade DIR/<student>/<set>.ipynb (sandboxed, in parallel) into the gradebook, write grades.csv
    feedback                per-student HTML feedback (OUT/<student>/<set>.html)
    export                  the grades CSV
    mark SET STUDENT ITEM [SCORE] [--comment]   a manual score/comment (free text, or override of a question)
    bench                   grade N completed submissions in parallel and print the timings

Modules: :mod:`~trialkit.exercises.variants` (codes and seeds), :mod:`~trialkit.exercises.problems`
(scenarios, expected answers, judging with hints), :mod:`~trialkit.exercises.student` (what the
notebooks call: the variant and the formative check), :mod:`~trialkit.exercises.figures`,
:mod:`~trialkit.exercises.authoring` (sources to notebooks, release), :mod:`~trialkit.exercises.sandbox`
and :mod:`~trialkit.exercises.runner` (isolated execution), :mod:`~trialkit.exercises.grading` (course
folder, gradebook, export, marks, feedback).
"""

from __future__ import annotations


def overview():
    """One row per set: set, title, questions, points graded automatically, points graded by hand, minutes,
    and where its student version is (``exercises/release/<set>/<set>.ipynb``)."""
    import pandas as pd

    from trialkit.exercises import authoring  # not at import time: notebooks import this package's checks

    rows = []
    for name in authoring.sets():
        nb = authoring.source_notebook(name)
        pts = authoring.points(nb)
        manual = set(authoring.manual_cells(nb))
        questions = {gid.split("_", 1)[0] for gid in pts}
        info = nb.metadata["trialkit"]
        rows.append({"set": name, "title": info["title"], "questions": len(questions),
                     "auto_points": sum(v for k, v in pts.items() if k not in manual),
                     "manual_points": sum(v for k, v in pts.items() if k in manual),
                     "minutes": info["minutes"], "release": f"exercises/release/{name}/{name}.ipynb"})
    return pd.DataFrame(rows)

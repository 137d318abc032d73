"""Graded exercise sets (nbgrader): authoring, release, grading, feedback and export.

Sources are MyST Markdown notebooks in ``exercises/source/<set>/<set>.md`` (solutions and hidden
tests included) with a rubric for the free-text answer in ``exercises/source/<set>/rubric.md``. The
student versions are generated into ``exercises/release/<set>/<set>.ipynb`` and committed.

Commands (``python -m trialkit.exercises --help``)::

    release                 write the student versions into exercises/release/ (deterministic)
    grade DIR               autograde DIR/<student>/<set>.ipynb into the course folder's gradebook, write grades.csv
    feedback                per-student HTML feedback (OUT/<student>/<set>.html)
    export                  the grades CSV
    mark SET STUDENT CELL SCORE   a manual score for a free-text answer (after reading it against the rubric)
    bench                   grade 30 copies of a completed set and print the timings

Modules: :mod:`~trialkit.exercises.check` (the checks the notebooks run), :mod:`~trialkit.exercises.figures`
(figures drawn in the notebooks), :mod:`~trialkit.exercises.authoring` (sources to notebooks, release),
:mod:`~trialkit.exercises.grading` (course folder, sandboxed grading, export, feedback).
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

"""nbgrader settings of the course's exercise sets.

`python -m trialkit.exercises` loads this file for every command (release, grade, feedback) and
copies it into the course folder, so `nbgrader formgrader` (manual grading) run from the course
folder uses the same settings. The command-line options of `grade` (--cell-timeout) override the
execution timeout.
"""

c = get_config()  # noqa: F821 (provided by traitlets when the file is loaded)

c.CourseDirectory.course_id = "trialkit"

# Only notebooks travel from source to release (and from source into a student's graded folder):
# the MyST Markdown sources, the rubrics, Python files and anything else stay behind.
c.CourseDirectory.include = ["*.ipynb"]
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
    "*.md", "*.py", "*.txt", "*.yml", "*.yaml", "*.json", "*.csv", "rubric*",
]

# What replaces a solution in the released notebook.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Grading: each cell may run for this many seconds before it is interrupted (CellTimeoutError, no
# points for a test cell that times out); the kernel's output is cut to a readable length.
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True
c.Execute.startup_timeout = 60
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 60

# Missing test cells are put back by trialkit before nbgrader sees the submission.
c.OverwriteCells.add_missing_cells = False

# Feedback pages: student output is shown, but scripts and active HTML in it are removed.
c.HTMLExporter.sanitize_html = True

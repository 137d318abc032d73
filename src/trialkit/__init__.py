"""trialkit: data, statistics and charts for a critical-appraisal course on adult ALL immunotherapy trials.

Imports run one way (``tests/test_layout.py`` checks it)::

    trialkit.data                        load + validate the extracted tables
        -> the engine: stats, design, survival, sim, synth, appraisal, trials
           (fixed paths: readers' notebooks and the exercises import them)
        -> trialkit.labs                 bias laboratories, each a function of a trials.Trial
           trialkit.chapters             the book's computations (Part I, a trial's tables, the ledger)
        -> trialkit.charts               Altair figures (charts.trial, charts.labs: any trial)
        -> trialkit.book, trialkit.quiz  what a page calls (setup, publish, table; quizzes)
        -> the book's pages

    beside, imported by none of the above: trialkit.tooling (build, sphinxext, browser, bench)
    and trialkit.exercises (graded exercise sets).

Every chapter starts with :func:`trialkit.book.setup`.

Statistical conventions (one set, for ``stats``, ``design``, ``survival``, ``sim`` and the chapters):

* **Direction.** Two-arm comparisons are experimental versus control. A hazard ratio is
  hazard(experimental) / hazard(control); a log-rank z is (O - E) / sqrt(V) of the experimental arm.
  **A hazard ratio below 1 and a negative z favour the experimental arm.** Differences (of
  proportions, of RMST) are experimental minus control. Efficacy boundaries are positive magnitudes
  z: a trial crosses for efficacy when its z is at or below -z. In ``survival`` the control arm is
  named by ``reference``; in ``sim`` group 1 is experimental.
* **alpha** is always the total type I error and always comes with ``sided`` (1 or 2): two-sided
  puts alpha / 2 in each tail. Group-sequential functions have no default for ``sided``.
* **allocation** is the ratio experimental:control as a pair of positive numbers, e.g. ``(2, 1)``.
* Nothing is split silently: ``survival`` functions split or stratify only by an explicitly given
  ``group`` / ``strata``.
* The number needed to treat is positive for benefit (NNTB) and negative for harm (NNTH); the
  direction of the counted outcome is a required argument of :func:`trialkit.stats.nnt`.
"""

__version__ = "0.1.0"

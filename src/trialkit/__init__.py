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
"""

__version__ = "0.1.0"

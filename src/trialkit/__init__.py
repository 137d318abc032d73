"""trialkit: data, statistics and charts for a critical-appraisal course on adult ALL immunotherapy trials.

Data flows one way::

    trialkit.data  (load + validate the extracted tables)
        -> trialkit.stats / design / synth / survival / sim   (compute)
        -> trialkit.charts   (Altair figures)
        -> the book's chapters (tell the story)

Every chapter starts with :func:`trialkit.book.setup`.
"""

__version__ = "0.1.0"

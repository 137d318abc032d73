"""The appraiser's toolkit: structured, checkable versions of the instruments the course applies.

- :mod:`trialkit.appraisal.rob2` — RoB 2, risk of bias in one result of a randomised trial
  (signalling questions, the guidance's algorithms, filled assessments in ``data/appraisal/``);
- :mod:`trialkit.appraisal.esmo` — ESMO-MCBS v1.1, the magnitude of clinical benefit (forms 1, 2a,
  2b and 3);
- :mod:`trialkit.appraisal.consort` — the CONSORT 2025 reporting checklist, and filled checklists;
- :mod:`trialkit.appraisal.flow` — CONSORT-style flow diagrams specified in YAML and filled from
  ``data/``.

Filled forms live in ``data/appraisal/`` (YAML). Every loader validates what it reads and raises
:class:`AppraisalError` (a ``ValueError``) naming the file and the item. The study ``"example"``
is reserved for teaching illustrations about a hypothetical trial. Charts are in
:mod:`trialkit.charts.appraisal`.
"""

from trialkit.appraisal._refs import APPRAISAL_DIR, EXAMPLE_STUDY, AppraisalError, resolve  # noqa: F401
from trialkit.appraisal import consort, esmo, flow, rob2  # noqa: F401,E402

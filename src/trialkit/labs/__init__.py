"""Bias laboratories: each a function of a trial's parameters, returning a tidy grid over the reader's
choices, which a chart in :mod:`trialkit.charts.labs` filters in the browser (no kernel).

A laboratory takes a :class:`trialkit.trials.Trial` (from :func:`trialkit.trials.describe`, or written
with plain numbers) and the grid of assumptions; none reads a trial's data rows. Each has a
``*_readings`` companion: the values a chapter quotes, under the names its pages glue.

* :mod:`~trialkit.labs.stopping` -- :func:`interim_plan`, :func:`stop_check`, :func:`stopping_lab`:
  the group-sequential plan, the look that stopped the trial, and the exaggeration of trials that stop
  early for benefit (arm sizes, allocation, planned events, looks, alpha, control hazard, accrual).
* :mod:`~trialkit.labs.exclusion` -- :func:`withdrawal_lab`, :func:`responders_by_denominator`:
  intention to treat versus as treated when part of one arm withdraws before treatment.
* :mod:`~trialkit.labs.transplant` -- :func:`transplant_lab`: intention to treat versus censoring at
  transplant, against a world without transplant.
* :mod:`~trialkit.labs.rmst` -- :func:`rmst_lab`: restricted mean survival time by horizon on a
  SYNTHETIC dataset.
* :mod:`~trialkit.labs.exposure` -- :func:`exposure_lab`, :func:`poisson_exposure_months`: crude
  proportions versus exposure-adjusted event rates.
* :mod:`~trialkit.labs.esmo_grade` -- :func:`esmo_grid`: ESMO-MCBS form 2a and its sensitivity.

Laboratories for single-arm studies (used by the pooled phase 2 chapter; import them as modules, e.g.
``from trialkit.labs import immortal``), each fed with plain numbers from a study's data:

* :mod:`~trialkit.labs.immortal` -- :func:`~trialkit.labs.immortal.immortal_lab`: a state reached after
  time zero (response, transplant) analysed naively, by landmark and as a time-varying covariate.
* :mod:`~trialkit.labs.competing` -- one minus Kaplan–Meier against the cumulative incidence.
* :mod:`~trialkit.labs.plateau` -- how many patients at risk a flat survival tail rests on.
* :mod:`~trialkit.labs.epv` -- false "significant" factors when null candidates are screened.
* :mod:`~trialkit.labs.historical` -- how far case mix alone moves a median in a historical comparison.

Simulation conventions are :mod:`trialkit.sim`'s: times in months, exponential hazards, group 1 the
experimental arm, hazard ratios experimental / control estimated by Cox regression.
"""

from trialkit.labs._common import SEED  # noqa: F401
from trialkit.labs.esmo_grade import ESMO_HR_CHOICES, esmo_grade, esmo_grid, esmo_inputs, esmo_readings  # noqa: F401
from trialkit.labs.esmo_grade import esmo_sensitivity_readings, interval_at_95, tail_route_applies  # noqa: F401
from trialkit.labs.exclusion import (  # noqa: F401
    responders_by_denominator, responders_readings, withdrawal_lab, withdrawal_readings)
from trialkit.labs.exposure import RATE_SCENARIOS, exposure_lab, exposure_readings, poisson_exposure_months  # noqa: F401
from trialkit.labs.rmst import rmst_lab, rmst_readings  # noqa: F401
from trialkit.labs.stopping import (  # noqa: F401
    ALL, STOPPED, interim_plan, plan_readings, stop_check, stopping_lab, stopping_readings)
from trialkit.labs.transplant import ANALYSES, transplant_lab, transplant_patterns, transplant_readings  # noqa: F401
from trialkit.labs.ascertainment import ascertainment_grid, extra_needed, recorded  # noqa: F401,E402
from trialkit.labs.funnel import composition_shift, diagnosis_view, funnel_steps  # noqa: F401,E402
from trialkit.labs.subgroup import (  # noqa: F401,E402
    chance_of_apparent_modification, common_effect_draws, iceman, interaction_test)
from trialkit.labs.early_subset import early_subset_lab, early_subset_readings, subset_estimate  # noqa: F401,E402
from trialkit.labs.horizon import horizon_lab, horizon_readings  # noqa: F401,E402
from trialkit.labs.responders import responders_lab, responders_lab_readings  # noqa: F401,E402
from trialkit.labs.two_endpoints import drift_from_power, two_endpoints_lab, two_endpoints_readings  # noqa: F401,E402
from trialkit.labs.transplant_response import transplant_response_lab, transplant_response_readings  # noqa: F401,E402

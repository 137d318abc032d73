"""Subgroup credibility: is an apparent difference in effect between two subgroups more than chance?

* :func:`interaction_test` -- the test of interaction from two published hazard ratios and their
  confidence intervals (Altman and Bland, BMJ 2003): the ratio of the two hazard ratios, its interval
  and P value, assuming independent subgroups and normal log hazard ratios.
* :func:`chance_of_apparent_modification` -- when the true effect is the same in every subgroup, how
  often a split with these standard errors shows a ratio of subgroup hazard ratios at least as large as
  a threshold, in either direction, and how often at least one of ``k`` independent splits does.
* :func:`common_effect_draws` -- SIMULATED pairs of subgroup estimates under one common hazard ratio
  (for a scatter of what chance alone produces).
* :func:`iceman` -- a structured credibility assessment (ICEMAN, Schandelmaier et al., CMAJ 2020)
  read from YAML, validated, as a table.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as _st

from trialkit import _check, _yamlfile, stats
from trialkit.labs._common import SEED


def _hr_ci(name: str, hr, low, high) -> tuple[float, float, float]:
    hr = _check.real(f"{name} hazard ratio", hr, low=0.0, low_open=True)
    low = _check.real(f"{name} lower limit", low, low=0.0, low_open=True, high=hr)
    high = _check.real(f"{name} upper limit", high, low=hr)
    if not low < high:
        raise ValueError(f"{name}: the interval must have width, got {low} to {high}")
    return hr, low, high


def interaction_test(a: tuple, b: tuple, level: float = 0.95) -> dict:
    """Test of interaction between two subgroups from their published estimates ``a`` and ``b``, each
    ``(hazard_ratio, low, high)`` with a ``level`` interval: the ratio b / a, its interval at the same
    level, z and the two-sided P value (se of the log ratio = sqrt(se_a^2 + se_b^2)).

    Returns a dict: ratio, low, high, z, p, se_a, se_b, se_ratio.
    """
    level = _check.level("level", level)
    ha, la, ua = _hr_ci("a", *a)
    hb, lb, ub = _hr_ci("b", *b)
    se_a, se_b = stats.se_from_ci(ha, la, ua, level), stats.se_from_ci(hb, lb, ub, level)
    d = math.log(hb) - math.log(ha)
    se = math.hypot(se_a, se_b)
    zq = float(_st.norm.isf((1 - level) / 2))
    z = d / se
    return {"ratio": math.exp(d), "low": math.exp(d - zq * se), "high": math.exp(d + zq * se), "z": z,
            "p": float(2 * _st.norm.sf(abs(z))), "se_a": se_a, "se_b": se_b, "se_ratio": se}


def chance_of_apparent_modification(se_a: float, se_b: float, thresholds=(1.5, 2, 3, 4, 5, 6, 8),
                                    factors=(1, 2, 3, 4, 5, 6)) -> pd.DataFrame:
    """Under a common true effect, the chance that the ratio of two subgroup hazard ratios with standard
    errors ``se_a`` and ``se_b`` (log scale) is at least ``threshold`` in either direction:
    2 * (1 - Phi(log(threshold) / sqrt(se_a^2 + se_b^2))); and that at least one of ``k`` independent
    splits of the same size does: 1 - (1 - p)^k.

    Real subgroup variables are not independent and their splits differ in size, so the ``k`` column is
    a guide to the multiplicity, not an exact probability. Returns columns threshold, factors,
    p_one (percent), p_any (percent).
    """
    se_a = _check.real("se_a", se_a, low=0.0, low_open=True)
    se_b = _check.real("se_b", se_b, low=0.0, low_open=True)
    ts = [_check.real(f"thresholds[{i}]", t, low=1.0, low_open=True) for i, t in enumerate(thresholds)]
    ks = [_check.integer(f"factors[{i}]", k, low=1, high=100) for i, k in enumerate(factors)]
    if not ts or not ks:
        raise ValueError("thresholds and factors must each list at least one value")
    se = math.hypot(se_a, se_b)
    rows = []
    for t in ts:
        p = float(2 * _st.norm.sf(math.log(t) / se))
        for k in ks:
            rows.append({"threshold": t, "factors": k, "p_one": 100 * p, "p_any": 100 * (1 - (1 - p) ** k)})
    return pd.DataFrame(rows)


def common_effect_draws(true_hr: float, se_a: float, se_b: float, n: int = 1000, seed: int = SEED) -> pd.DataFrame:
    """``n`` SIMULATED trials in which both subgroups share the hazard ratio ``true_hr``: each subgroup's
    log estimate is normal around log(true_hr) with its standard error. Columns draw, hr_a, hr_b, ratio
    (hr_b / hr_a)."""
    true_hr = _check.real("true_hr", true_hr, low=0.0, low_open=True)
    se_a = _check.real("se_a", se_a, low=0.0, low_open=True)
    se_b = _check.real("se_b", se_b, low=0.0, low_open=True)
    n = _check.integer("n", n, low=10, high=1_000_000)
    rng = np.random.default_rng(_check.integer("seed", seed, low=0))
    la = rng.normal(math.log(true_hr), se_a, n)
    lb = rng.normal(math.log(true_hr), se_b, n)
    return pd.DataFrame({"draw": np.arange(1, n + 1), "hr_a": np.exp(la), "hr_b": np.exp(lb), "ratio": np.exp(lb - la)})


# --- ICEMAN -------------------------------------------------------------------------------------------

ICEMAN_ANSWERS = ("Definitely yes", "Probably yes", "Probably no", "Definitely no", "Not applicable")
ICEMAN_OVERALL = ("Very low", "Low", "Moderate", "High")
#: The core questions of ICEMAN for a single randomised trial, in the course's words.
ICEMAN_QUESTIONS = {
    "a_priori": "Was the direction of the effect modification hypothesised before the analysis?",
    "prior_evidence": "Is the effect modification supported by earlier evidence?",
    "chance": "Does a test of interaction suggest that chance is an unlikely explanation?",
    "few_modifiers": "Were only a few effect modifiers examined, or was their number accounted for?",
    "cut_points": "If the modifier is continuous, were arbitrary cut points avoided?",
}


class IcemanError(ValueError):
    """An ICEMAN file that breaks the format, naming the file and the item."""


def iceman(path: Path | str) -> tuple[pd.DataFrame, dict]:
    """A structured ICEMAN assessment from YAML::

        subgroup: Age < 55 versus >= 55 years
        items:
          a_priori: {answer: Probably no, reason: "...", quote: "..."}
          ...                     # one entry per key of ICEMAN_QUESTIONS
        overall: {rating: Low, reason: "..."}

    Returns (table with columns question, answer, reason, quote; dict with subgroup, overall, reason)."""
    path = Path(path)
    content = _yamlfile.read(path, IcemanError, "assessment", kind=dict, name="ICEMAN file")
    for key in ("subgroup", "items", "overall"):
        if key not in content:
            raise IcemanError(f"{path}: needs '{key}'")
    items = content["items"]
    if not isinstance(items, dict) or set(items) != set(ICEMAN_QUESTIONS):
        got = sorted(items) if isinstance(items, dict) else items
        raise IcemanError(f"{path}: 'items' must answer exactly {sorted(ICEMAN_QUESTIONS)}, got {got}")
    rows = []
    for key, question in ICEMAN_QUESTIONS.items():
        item = items[key]
        if not isinstance(item, dict) or item.get("answer") not in ICEMAN_ANSWERS:
            raise IcemanError(f"{path}, item {key}: 'answer' must be one of {list(ICEMAN_ANSWERS)}, "
                              f"got {item.get('answer') if isinstance(item, dict) else item!r}")
        if not str(item.get("reason", "")).strip():
            raise IcemanError(f"{path}, item {key}: needs a 'reason'")
        rows.append({"question": question, "answer": item["answer"], "reason": str(item["reason"]).strip(),
                     "quote": str(item.get("quote", "") or "").strip()})
    overall = content["overall"]
    if not isinstance(overall, dict) or overall.get("rating") not in ICEMAN_OVERALL:
        raise IcemanError(f"{path}, overall: 'rating' must be one of {list(ICEMAN_OVERALL)}")
    if not str(overall.get("reason", "")).strip():
        raise IcemanError(f"{path}, overall: needs a 'reason'")
    return pd.DataFrame(rows), {"subgroup": str(content["subgroup"]), "overall": overall["rating"],
                                "reason": str(overall["reason"]).strip()}

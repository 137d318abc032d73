"""The funnel before randomisation: who reaches the randomised question, and how the population a
result applies to differs from the population that started treatment.

A trial that randomises late (after induction, after a response, after an MRD test) answers a
question about the patients who got there. Three general tools:

* :func:`funnel_steps` -- the steps from registration to randomisation, with the share kept at each
  step and overall, and the patients lost between steps.
* :func:`composition_shift` -- a characteristic counted at the start and among the randomised: its
  share at each end, the implied share of each group that reached randomisation, and their ratio (how
  much more often one group reached randomisation).
* :func:`diagnosis_view` -- an absolute benefit among the randomised, translated to 100 patients at
  the start of treatment, for a grid of shares reaching randomisation (a lower bound: it assumes no
  benefit for those who never reach it, and that those who reach it benefit as the randomised did).
"""

from __future__ import annotations

import pandas as pd

from trialkit import _check


def funnel_steps(steps) -> pd.DataFrame:
    """The funnel from a sequence of ``(label, n)`` pairs in order (each ``n`` a whole number no larger
    than the one before).

    Returns one row per step: step (1-based), label, n, kept_from_previous (percent of the previous
    step), kept_from_start (percent of the first step), lost (patients lost since the previous step).
    """
    steps = list(steps)
    if len(steps) < 2:
        raise ValueError(f"steps must list at least two (label, n) pairs, got {len(steps)}")
    rows, previous = [], None
    for i, pair in enumerate(steps, start=1):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2 or not isinstance(pair[0], str) or not pair[0].strip():
            raise ValueError(f"steps[{i - 1}] must be a (label, n) pair with a non-empty label, got {pair!r}")
        label, n = pair
        n = _check.integer(f"steps[{i - 1}] n", n, low=0 if previous is None else 0, high=previous)
        if i == 1 and n == 0:
            raise ValueError("steps[0] n must be positive: the funnel starts with at least one patient")
        first = n if previous is None else rows[0]["n"]
        rows.append({"step": i, "label": label, "n": n,
                     "kept_from_previous": 100.0 if previous is None else (100.0 * n / previous if previous else 0.0),
                     "kept_from_start": 100.0 * n / first, "lost": 0 if previous is None else previous - n})
        previous = n
    return pd.DataFrame(rows)


def composition_shift(n_start: int, group_start: int, n_end: int, group_end: int) -> dict:
    """How a group's share changes between the start of a funnel (``group_start`` of ``n_start``) and
    its end (``group_end`` of ``n_end``), and what that implies about who reached the end.

    Returns a dict: share_start, share_end (percent), reach_group, reach_rest (percent of the group and
    of everyone else at the start who are counted at the end), reach_ratio (reach_rest / reach_group:
    how many times more often the others reached the end). The reach shares are exact only if no
    patient changes group between the two counts (a classification made at the start).
    """
    n_start = _check.integer("n_start", n_start, low=1)
    group_start = _check.integer("group_start", group_start, low=0, high=n_start)
    n_end = _check.integer("n_end", n_end, low=1, high=n_start)
    group_end = _check.integer("group_end", group_end, low=0, high=min(n_end, group_start))
    rest_start, rest_end = n_start - group_start, n_end - group_end
    if rest_end > rest_start:
        raise ValueError(f"n_end - group_end ({rest_end}) cannot exceed n_start - group_start ({rest_start}): "
                         "more patients outside the group at the end than at the start")
    reach_g = 100.0 * group_end / group_start if group_start else float("nan")
    reach_r = 100.0 * rest_end / rest_start if rest_start else float("nan")
    return {"share_start": 100.0 * group_start / n_start, "share_end": 100.0 * group_end / n_end,
            "reach_group": reach_g, "reach_rest": reach_r,
            "reach_ratio": reach_r / reach_g if reach_g else float("inf")}


def diagnosis_view(benefit_points: float, reach_shares=tuple(range(10, 101, 5))) -> pd.DataFrame:
    """An absolute benefit among the randomised (``benefit_points``, percentage points, e.g. a difference
    in 3-year survival) expressed per 100 patients at the start of treatment, for each share (percent)
    of them who would reach randomisation: benefit_points * share / 100.

    A bound, not an estimate: it assumes that only patients who reach randomisation can benefit, and
    that they benefit as the randomised did. Returns columns reach_share, per_100_at_start.
    """
    b = _check.real("benefit_points", benefit_points, low=-100.0, high=100.0)
    shares = [_check.real(f"reach_shares[{i}]", s, low=0.0, high=100.0) for i, s in enumerate(reach_shares)]
    if not shares:
        raise ValueError("reach_shares must list at least one percent in [0, 100]")
    return pd.DataFrame({"reach_share": shares, "per_100_at_start": [b * s / 100 for s in shares]})

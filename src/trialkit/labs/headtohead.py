"""Sizing a head-to-head trial of two treatments from assumptions the reader sets: superiority (the
log-rank test of HR = 1) or non-inferiority (HR below a margin), with :mod:`trialkit.design`.

Events come from Schoenfeld's formula (:func:`trialkit.design.events_needed`). For non-inferiority
with margin M and assumed true hazard ratio h < M, the one-sided test of HR >= M has the same drift
as a superiority test of the ratio h / M, so the events needed are ``events_needed(h / M, ...)`` at
one-sided alpha. Patients are events divided by the share of patients expected to die during the
trial (the reader's assumption; in relapsed ALL most patients die within two years).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from trialkit import _check, design

#: Non-inferiority margins offered (hazard ratio of the new treatment to the reference at most M).
MARGINS = (1.15, 1.2, 1.25, 1.3)
POWERS = (0.8, 0.9)


def superiority_events(hr: float, power: float = 0.8, alpha: float = 0.05, allocation=(1, 1)) -> float:
    """Deaths needed to detect ``hr`` with a two-sided log-rank test at ``alpha``."""
    hr = _check.real("hr", hr, low=0.0, low_open=True)
    if hr == 1:
        raise ValueError("hr must differ from 1 for a superiority design (no difference cannot be detected)")
    return design.events_needed(hr, power, allocation, alpha, sided=2)


def noninferiority_events(hr: float, margin: float, power: float = 0.8, alpha: float = 0.025, allocation=(1, 1)) -> float:
    """Deaths needed to show HR < ``margin`` with a one-sided test at ``alpha`` when the true hazard
    ratio is ``hr`` (it must be below the margin)."""
    hr = _check.real("hr", hr, low=0.0, low_open=True)
    margin = _check.real("margin", margin, low=1.0, low_open=True)
    if not hr < margin:
        raise ValueError(f"hr must be below the margin ({margin}) for a non-inferiority design, got {hr}")
    return design.events_needed(hr / margin, power, allocation, alpha, sided=1)


def fixed_margin(reference_upper: float, preserve: float = 0.5) -> dict:
    """The fixed-margin derivation of a non-inferiority margin on the hazard ratio: the reference
    drug's effect against the old standard, taken conservatively as the upper limit of its 95 %
    interval ``reference_upper`` (below 1), gives M1 = 1 / upper (the whole effect it can be trusted to
    have); keeping a share ``preserve`` of it on the log scale gives M2 = M1 ** (1 - preserve)."""
    upper = _check.real("reference_upper", reference_upper, low=0.0, high=1.0, low_open=True, high_open=True)
    keep = _check.real("preserve", preserve, low=0.0, high=1.0, high_open=True)
    m1 = 1.0 / upper
    return {"m1": m1, "m2": m1 ** (1.0 - keep), "preserve": keep}


def patients(events: float, death_share: float) -> int:
    """Patients to enrol so that ``events`` deaths are expected when ``death_share`` of them die during
    the trial (rounded up)."""
    events = _check.real("events", events, low=0.0, low_open=True)
    share = _check.real("death_share", death_share, low=0.0, high=1.0, low_open=True)
    return int(math.ceil(math.ceil(events) / share))


def design_grid(hrs=None, powers=POWERS, margins=MARGINS) -> pd.DataFrame:
    """Deaths needed over the reader's assumptions: ``design`` ("superiority" or "non-inferiority"),
    assumed true ``hr`` (default 0.50 to 1.10 by 0.01), ``power`` and, for non-inferiority, the
    ``margin`` (superiority rows carry margin 0). Rows that cannot be designed (superiority at HR 1,
    non-inferiority at or above the margin) are left out. Columns: design, hr, power, margin, events
    (rounded up)."""
    if hrs is None:
        hrs = tuple(round(float(h), 2) for h in np.arange(0.50, 1.10 + 1e-9, 0.01))
    hrs = tuple(_check.real(f"hrs[{i}]", h, low=0.0, low_open=True) for i, h in enumerate(hrs))
    powers = tuple(_check.real(f"powers[{i}]", p, low=0.5, high=1.0, high_open=True) for i, p in enumerate(powers))
    margins = tuple(_check.real(f"margins[{i}]", m, low=1.0, low_open=True) for i, m in enumerate(margins))
    if not hrs or not powers or not margins:
        raise ValueError("hrs, powers and margins must be non-empty sequences")
    rows = []
    for power in powers:
        for hr in hrs:
            if abs(hr - 1) > 1e-9:
                rows.append({"design": "superiority", "hr": hr, "power": power, "margin": 0.0,
                             "events": math.ceil(superiority_events(hr, power))})
            for m in margins:
                if hr < m - 1e-9:
                    rows.append({"design": "non-inferiority", "hr": hr, "power": power, "margin": m,
                                 "events": math.ceil(noninferiority_events(hr, m, power))})
    return pd.DataFrame(rows)


def design_readings(indirect_hr: float, indirect_low: float, indirect_high: float, death_share: float = 0.8,
                    margin: float = 1.25, reference_upper: float | None = None) -> dict:
    """Deaths (and patients at ``death_share``) for a superiority trial powered at 80 % for the
    indirect estimate and for the limit of its interval farther from 1 on the benefit side, and for a
    non-inferiority trial with ``margin`` when the two drugs are truly equal."""
    out = {}
    for tag, hr in (("sup_point", indirect_hr), ("sup_limit", indirect_low)):
        ev = math.ceil(superiority_events(hr))
        out.update({f"{tag}_hr": hr, f"{tag}_events": ev, f"{tag}_patients": patients(ev, death_share)})
    ev = math.ceil(noninferiority_events(1.0, margin))
    out.update({"ni_margin": margin, "ni_events": ev, "ni_patients": patients(ev, death_share),
                "death_share_pct": 100 * death_share, "ind_high_for_design": indirect_high})
    if reference_upper is not None:
        fm = fixed_margin(reference_upper)
        ev2 = math.ceil(noninferiority_events(1.0, fm["m2"]))
        out.update({"ni_m1": fm["m1"], "ni_m2": fm["m2"], "ni_m2_events": ev2, "ni_m2_patients": patients(ev2, death_share),
                    "ni_reference_upper": reference_upper})
    return out

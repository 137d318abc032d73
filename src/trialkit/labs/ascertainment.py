"""Harms ascertainment in an open-label trial: when everyone knows who received the new drug, events
expected with it may be looked for harder, recorded more readily or graded higher in that group.

A deliberately simple model of the recorded share of patients with an event:

* control group (exposure known not to include the drug): ``recorded = true``;
* experimental group: ``recorded = true + extra * (100 - true) / 100`` -- a share ``extra`` (percent)
  of the patients who truly had no event of that grade are nevertheless recorded with one (closer
  surveillance, lower threshold for grading, attribution to the known drug).

:func:`ascertainment_grid` computes the recorded shares over a grid; :func:`extra_needed` inverts the
model: how much extra recording in the experimental group alone would turn equal true rates into a
recorded gap as large as the published one.
"""

from __future__ import annotations

import pandas as pd

from trialkit import _check


def recorded(true_percent: float, extra: float) -> float:
    """The recorded percent for a true percent and extra recording (both percents in [0, 100])."""
    t = _check.real("true_percent", true_percent, low=0.0, high=100.0)
    e = _check.real("extra", extra, low=0.0, high=100.0)
    return t + e * (100.0 - t) / 100.0


def extra_needed(recorded_experimental: float, recorded_control: float) -> float:
    """The extra recording (percent of event-free experimental patients) that would produce
    ``recorded_experimental`` if the experimental group's true rate equalled ``recorded_control``
    (recording in the control group taken as exact)."""
    re_ = _check.real("recorded_experimental", recorded_experimental, low=0.0, high=100.0)
    rc = _check.real("recorded_control", recorded_control, low=0.0, high=100.0, high_open=True)
    if re_ < rc:
        raise ValueError(f"recorded_experimental ({re_}) must be at least recorded_control ({rc}): the model adds "
                         "reports in the experimental group only")
    return 100.0 * (re_ - rc) / (100.0 - rc)


def ascertainment_grid(true_control: float, true_experimental=(5, 10, 15, 20, 25), extra=tuple(range(0, 31, 2)),
                       labels: tuple[str, str] = ("Experimental", "Control")) -> pd.DataFrame:
    """Recorded percents in both groups for each true experimental rate and extra recording.

    Columns: true_experimental, extra_reporting, group (``labels``), observed."""
    tc = _check.real("true_control", true_control, low=0.0, high=100.0)
    tes = [_check.real(f"true_experimental[{i}]", t, low=0.0, high=100.0) for i, t in enumerate(true_experimental)]
    exs = [_check.real(f"extra[{i}]", e, low=0.0, high=100.0) for i, e in enumerate(extra)]
    if not tes or not exs:
        raise ValueError("true_experimental and extra must each list at least one percent")
    if len(labels) != 2 or not all(isinstance(x, str) and x for x in labels):
        raise ValueError(f"labels must be two non-empty strings, got {labels!r}")
    rows = []
    for te in tes:
        for e in exs:
            rows.append({"true_experimental": te, "extra_reporting": e, "group": labels[0], "observed": recorded(te, e)})
            rows.append({"true_experimental": te, "extra_reporting": e, "group": labels[1], "observed": tc})
    return pd.DataFrame(rows)

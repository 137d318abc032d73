"""Figures the exercise notebooks draw.

They are Vega-Lite specifications displayed with the ``application/vnd.vegalite.v5+json`` MIME type,
which JupyterLab renders without any extension. The specification is written here rather than with
Altair so that a notebook (and every graded copy of it) starts quickly.
"""

from __future__ import annotations

from trialkit import _check, survival, synth

PALETTE = ["#0072B2", "#D55E00"]  # the course's two arm colours (Okabe & Ito)
VEGA_LITE = "application/vnd.vegalite.v5+json"


class Figure:
    """A Vega-Lite figure for JupyterLab: ``spec`` is the specification, ``title`` its title."""

    def __init__(self, spec: dict, title: str):
        self.spec, self.title = spec, title

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {VEGA_LITE: self.spec, "text/plain": f"<Figure: {self.title}>"}

    def __repr__(self) -> str:
        return f"<Figure: {self.title}>"


def km_chart(name: str, *, title: str, arm_labels: dict[str, str] | None = None, step: float = 3.0) -> Figure:
    """Kaplan-Meier curves of the SYNTHETIC dataset ``name`` (see :func:`trialkit.synth.datasets`), with a
    grid every ``step`` months and a dashed rule at 50 % survival, for reading medians and landmark
    rates by eye. The title always starts with "SYNTHETIC"; ``arm_labels`` maps arm keys to legend labels.
    """
    if name not in synth.datasets():
        raise ValueError(f"name must be one of {synth.datasets()}, got {name!r}")
    return km_chart_frame(synth.frame(name), title=title, arm_labels=arm_labels, step=step)


def km_chart_frame(frame, *, title: str, arm_labels: dict[str, str] | None = None, step: float = 3.0) -> Figure:
    """Kaplan-Meier curves of SYNTHETIC patients given as a frame with columns arm, time, event (for
    example a student's variant, :func:`trialkit.exercises.problems.survival_frame`); as :func:`km_chart`."""
    step = _check.real("step", step, low=0.0, low_open=True)
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"title must be a non-empty string, got {title!r}")
    missing = {"arm", "time", "event"} - set(getattr(frame, "columns", []))
    if missing:
        raise ValueError(f"frame must have columns arm, time, event; missing {sorted(missing)}")
    km = survival.kaplan_meier(frame["time"], frame["event"], frame["arm"])
    labels = arm_labels or {}
    values = [{"Arm": labels.get(g, g), "time": round(float(t), 4), "survival": round(float(s), 5)}
              for g, t, s in zip(km["group"], km["time"], km["survival"])]
    order = list(dict.fromkeys(v["Arm"] for v in values))
    horizon = float(km["time"].max())
    ticks = [i * step for i in range(int(horizon // step) + 2)]
    full_title = title if title.upper().startswith("SYNTHETIC") else f"SYNTHETIC: {title}"
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": full_title,
                  "subtitle": "SYNTHETIC patients reconstructed from published summaries, not trial records"},
        "description": f"{full_title}. Kaplan-Meier curves of synthetic patients, one line per arm; "
                       "dashed line at 50 % survival.",
        "width": "container", "height": 320,
        "layer": [
            {"data": {"values": values},
             "mark": {"type": "line", "interpolate": "step-after", "strokeWidth": 2.2},
             "encoding": {
                 "x": {"field": "time", "type": "quantitative", "title": "Months since randomisation",
                       "scale": {"domain": [0, ticks[-1]], "nice": False}, "axis": {"values": ticks}},
                 "y": {"field": "survival", "type": "quantitative", "title": "Estimated probability of survival",
                       "scale": {"domain": [0, 1]}, "axis": {"format": "%", "values": [i / 10 for i in range(11)]}},
                 "color": {"field": "Arm", "type": "nominal", "sort": order,
                           "scale": {"domain": order, "range": PALETTE[:len(order)] if len(order) <= 2 else None},
                           "legend": {"orient": "top-right"}}}},
            {"data": {"values": [{"y": 0.5}]},
             "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#555555"},
             "encoding": {"y": {"field": "y", "type": "quantitative"}}},
        ],
    }
    if len(order) > 2:
        del spec["layer"][0]["encoding"]["color"]["scale"]
    return Figure(spec, full_title)

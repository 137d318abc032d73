"""Altair figures for the book, and the theme and renderer every chapter uses.

The renderer used in the built book writes a ``<div class="trialkit-chart">`` and the chart's Vega-Lite
specification as JSON; ``static/trialkit-charts.js`` draws it with the Vega bundle that
``trialkit.sphinxext`` generates at build time from ``vl-convert-python``. No script comes from a CDN.
"""

from __future__ import annotations

import hashlib
import html
import json

import altair as alt

# Okabe & Ito (2008) colour-blind-safe palette, reordered so the first two colours (the two arms of a
# trial) differ in hue *and* lightness, and both reach 3:1 contrast against white.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
ARM_COLOURS = {"experimental": PALETTE[0], "control": PALETTE[1]}
SYNTHETIC_NOTE = "SYNTHETIC data: reconstructed from published summaries, not patient records."
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"

_THEME_NAME = "trialkit"
_RENDERER_NAME = "trialkit_book"
_MAX_ROWS = 20_000


def _theme() -> dict:
    return {
        "config": {
            "background": "#ffffff",
            "font": FONT,
            "view": {"continuousWidth": 520, "continuousHeight": 300, "stroke": None},
            "range": {"category": PALETTE},
            "axis": {
                "labelFontSize": 12,
                "titleFontSize": 13,
                "labelColor": "#222222",
                "titleColor": "#222222",
                "gridColor": "#e6e6e6",
                "domainColor": "#555555",
                "tickColor": "#555555",
            },
            "legend": {"labelLimit": 0, "labelFontSize": 12, "titleFontSize": 13, "labelColor": "#222222", "titleColor": "#222222"},
            "title": {"fontSize": 15, "anchor": "start", "color": "#111111", "subtitleColor": "#333333"},
            "header": {"labelFontSize": 12, "titleFontSize": 13},
            "line": {"strokeWidth": 2.2},
            "text": {"color": "#222222", "fontSize": 12},
        }
    }


def enable_theme() -> None:
    """Register (once) and enable the course theme."""
    if _THEME_NAME not in alt.theme.names():
        alt.theme.register(_THEME_NAME, enable=False)(_theme)
    alt.theme.enable(_THEME_NAME)


def chart_html(spec: dict) -> str:
    """The static HTML for one chart: a container div and its specification as inert JSON.

    The id is derived from the specification, so re-executing a chapter gives the same HTML.
    """
    spec = {k: v for k, v in spec.items() if k != "$schema"}  # mode is given to vega-embed instead
    payload = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha1(payload.encode()).hexdigest()[:12]
    label = spec.get("description") or _title_text(spec.get("title")) or "Chart"
    safe_json = payload.replace("</", "<\\/")  # never close the <script> element early
    return (
        f'<div class="trialkit-chart" id="tk-chart-{digest}" role="figure" '
        f'aria-label="{html.escape(label, quote=True)}"></div>\n'
        f'<script type="application/json" class="trialkit-chart-spec" data-target="tk-chart-{digest}">'
        f"{safe_json}</script>"
    )


def _title_text(title) -> str:
    if isinstance(title, str):
        return title
    if isinstance(title, dict):
        text = title.get("text", "")
        return " ".join(text) if isinstance(text, list) else str(text)
    if isinstance(title, list):
        return " ".join(map(str, title))
    return ""


def _book_renderer(spec: dict, **metadata) -> dict:
    return {"text/html": chart_html(spec), "text/plain": f"<Chart: {_title_text(spec.get('title')) or 'untitled'}>"}


def enable_renderer(kind: str) -> None:
    """``"book"``: static HTML for the built book; ``"jupyter"``: Altair's native Vega-Lite output."""
    if _RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(_RENDERER_NAME, _book_renderer)
    alt.renderers.enable(_RENDERER_NAME if kind == "book" else "mimetype")
    alt.data_transformers.enable("default", max_rows=_MAX_ROWS)


def precision_explorer(ns=None, ps=None, level: float = 0.95) -> alt.Chart:
    """Clopper-Pearson interval against the number of patients, for an observed proportion the reader
    chooses with a slider (a Vega-Lite parameter, so it works in the static book)."""
    import numpy as np

    from trialkit import stats

    ns = list(range(10, 401, 10)) if ns is None else ns
    ps = [round(p, 2) for p in np.arange(0.05, 0.96, 0.05)] if ps is None else ps
    grid = stats.clopper_pearson_grid(ns, ps, level)
    grid[["estimate", "low", "high"]] *= 100
    grid["p"] = (grid["p"] * 100).round().astype(int)
    observed = alt.param(
        name="observed",
        value=40,
        bind=alt.binding_range(min=5, max=95, step=5, name="Observed remission rate (%) "),
    )
    base = alt.Chart(grid).transform_filter(alt.datum.p == observed)
    band = base.mark_area(opacity=0.35, color=PALETTE[0]).encode(
        x=alt.X("n:Q", title="Number of patients"),
        y=alt.Y("low:Q", title="Remission rate (%)", scale=alt.Scale(domain=[0, 100])),
        y2="high:Q",
        tooltip=[alt.Tooltip("n:Q", title="patients"), alt.Tooltip("x:Q", title="responders"),
                 alt.Tooltip("low:Q", format=".1f", title="lower limit (%)"),
                 alt.Tooltip("high:Q", format=".1f", title="upper limit (%)")],
    )
    line = base.mark_line(color=PALETTE[0]).encode(x="n:Q", y="estimate:Q")
    return (band + line).add_params(observed).properties(
        title={"text": f"{int(level * 100)} % exact confidence interval for a remission rate",
               "subtitle": "Shaded: Clopper-Pearson interval; line: observed rate"},
        description="Area chart of the exact confidence interval of a remission rate against the number of patients; a slider sets the observed rate.",
        width=520, height=300,
    )


def synthetic_explorer(curves, anchors, labels: dict) -> alt.Chart:
    """Kaplan-Meier curves of every SYNTHETIC dataset with the published points they were built
    through; a drop-down (a Vega-Lite parameter) chooses the dataset.

    ``curves``: dataset, arm, time, survival; ``anchors``: dataset, arm, time, survival, what;
    ``labels``: dataset -> readable name.
    """
    names = list(labels)
    curves = curves.assign(label=curves["dataset"].map(labels))
    anchors = anchors.assign(label=anchors["dataset"].map(labels))
    pick = alt.param(name="dataset", value=labels[names[0]],
                     bind=alt.binding_select(options=[labels[n] for n in names], name="SYNTHETIC dataset "))
    colour = alt.Color("arm:N", title="Arm", scale=alt.Scale(range=PALETTE))
    lines = alt.Chart(curves).mark_line(interpolate="step-after").encode(
        x=alt.X("time:Q", title="Months"),
        y=alt.Y("survival:Q", title="Probability event-free (SYNTHETIC Kaplan–Meier)", scale=alt.Scale(domain=[0, 1])),
        color=colour,
        detail="arm:N",
    ).transform_filter(alt.datum.label == pick)
    points = alt.Chart(anchors).mark_point(size=90, filled=True, shape="diamond", stroke="#000000", strokeWidth=0.8).encode(
        x="time:Q", y="survival:Q", color=colour,
        tooltip=[alt.Tooltip("arm:N"), alt.Tooltip("what:N"), alt.Tooltip("time:Q", format=".1f", title="months"),
                 alt.Tooltip("survival:Q", format=".3f")],
    ).transform_filter(alt.datum.label == pick)
    return (lines + points).add_params(pick).properties(
        title={"text": "SYNTHETIC patients against the published points they were built from",
               "subtitle": ["Lines: Kaplan–Meier curves of synthetic patients. Diamonds: published medians and landmark rates.",
                            SYNTHETIC_NOTE]},
        description="Step curves of synthetic Kaplan-Meier estimates for the chosen dataset, with diamonds at the published medians and landmark survival rates.",
        width=520, height=320,
    )

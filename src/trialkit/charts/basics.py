"""Figures of the front matter and reference pages: precision of a rate, the SYNTHETIC datasets."""

from __future__ import annotations

import altair as alt
import pandas as pd

from trialkit.charts import PALETTE, SYNTHETIC_NOTE


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


def synthetic_explorer(curves, anchors, labels: dict, scorecard=None) -> alt.Chart:
    """Kaplan-Meier curves of every SYNTHETIC dataset with the published points they were built
    through; a drop-down (a Vega-Lite parameter) chooses the dataset.

    ``curves``: dataset, arm, time, survival; ``anchors``: dataset, arm, time, survival, what;
    ``labels``: dataset -> readable name; ``scorecard`` (optional, :func:`trialkit.synth.scorecard`):
    each anchor's error as a share of its tolerance, drawn with the curves (below them) for the same dataset.
    """
    names = list(labels)
    curves = curves.assign(label=curves["dataset"].map(labels))
    anchors = anchors.assign(label=anchors["dataset"].map(labels))
    pick = alt.param(name="dataset", value=labels[names[0]],
                     bind=alt.binding_select(options=[labels[n] for n in names], name="SYNTHETIC dataset "))
    colour = alt.Color("arm:N", title="Arm", scale=alt.Scale(range=PALETTE), legend=alt.Legend(orient="bottom"))
    lines = alt.Chart(curves).mark_line(interpolate="step-after").encode(
        x=alt.X("time:Q", title="Months"),
        y=alt.Y("survival:Q", title="Kaplan–Meier estimate (SYNTHETIC)", scale=alt.Scale(domain=[0, 1])),
        color=colour,
        detail="arm:N",
    ).transform_filter(alt.datum.label == pick)
    points = alt.Chart(anchors).mark_point(size=90, filled=True, shape="diamond", stroke="#000000", strokeWidth=0.8).encode(
        x="time:Q", y="survival:Q", color=colour,
        tooltip=[alt.Tooltip("arm:N"), alt.Tooltip("what:N"), alt.Tooltip("time:Q", format=".1f", title="months"),
                 alt.Tooltip("survival:Q", format=".3f")],
    ).transform_filter(alt.datum.label == pick)
    km = (lines + points).add_params(pick).properties(
        title={"text": "SYNTHETIC patients against the published points they were built from",
               "subtitle": ["Lines: Kaplan–Meier curves of synthetic patients. Diamonds: published medians and landmark rates.",
                            SYNTHETIC_NOTE]},
        description="Step curves of synthetic Kaplan-Meier estimates for the chosen dataset, with diamonds at the published medians and landmark survival rates.",
        width=520, height=320,
    )
    if scorecard is None:
        return km
    card = scorecard.assign(label=scorecard["dataset"].map(labels),
                            share=[(e / t if t > 0 else (0.0 if e == 0 else float("inf"))) for e, t in
                                   zip(scorecard["error"], scorecard["tolerance"])],
                            row=[f"{a} · {q}" for a, q in zip(scorecard["arm"], scorecard["quantity"])],
                            verdict=[("pass" if ok else "outside") + ("" if tg else " (not targeted)")
                                     for ok, tg in zip(scorecard["ok"], scorecard["targeted"])])
    card["share"] = card["share"].clip(-3, 3)
    band = alt.Chart(pd.DataFrame({"lo": [-1.0], "hi": [1.0]})).mark_rect(color="#e6e6e6").encode(x="lo:Q", x2="hi:Q")
    dots = alt.Chart(card).mark_point(filled=True, size=80).encode(
        x=alt.X("share:Q", title="Error / tolerance (grey: passes)", scale=alt.Scale(domain=[-3, 3])),
        y=alt.Y("row:N", title=None, sort=None, axis=alt.Axis(labelLimit=240, orient="right")),
        color=alt.Color("verdict:N", title="Verdict", scale=alt.Scale(domain=["pass", "pass (not targeted)", "outside", "outside (not targeted)"],
                                                                      range=["#1b9e77", "#7570b3", "#d95f02", "#999999"]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("row:N", title="anchor"), alt.Tooltip("published:N"), alt.Tooltip("synthetic:N"),
                 alt.Tooltip("error:Q", format=".3f"), alt.Tooltip("tolerance:Q", format=".3f"), alt.Tooltip("verdict:N")],
    ).transform_filter(alt.datum.label == pick)
    panel = (band + dots).properties(title="Fidelity scorecard of the chosen dataset", width=260, height=alt.Step(18),
                                     description="Each published anchor of the chosen dataset: synthetic minus published, as a share of its tolerance.")
    # stacked rather than side by side: the page column is too narrow for both at a readable size
    return alt.vconcat(km, panel).resolve_scale(color="independent").properties(description=km.description)

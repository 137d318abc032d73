"""Figures of the pooled phase 2 chapter: SYNTHETIC single-arm curves with numbers at risk, Table 3 as a
forest plot, and Table 2 read the other way round. Every figure fits its column (``width="container"``)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from trialkit.charts import PALETTE

_MODEL_COLOURS = {"univariate": PALETTE[0], "multivariate": PALETTE[1]}
#: The strip of numbers at risk under a curve: the bottom of the y scale (%), and the heights of its two
#: rows (the "at risk:" label, then the numbers).
_RISK_FLOOR, _RISK_ROWS = -22.0, (-6.0, -15.0)


def synthetic_curve(curves: pd.DataFrame, anchors: pd.DataFrame, risk: pd.DataFrame, *, title: str, y_title: str,
                    x_title: str, description: str) -> alt.LayerChart:
    """One SYNTHETIC Kaplan-Meier (or 1 - cumulative incidence) curve with the published points it was
    built through (diamonds) and the numbers at risk printed along the bottom.

    ``curves``: time, survival (0-1); ``anchors``: time, survival (0-1), what; ``risk``: time, at_risk."""
    for name, frame, cols in (("curves", curves, ("time", "survival")), ("anchors", anchors, ("time", "survival", "what")),
                              ("risk", risk, ("time", "at_risk"))):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ValueError(f"{name} lacks column(s) {missing}")
    c = curves.assign(pct=100 * curves["survival"])
    a = anchors.assign(pct=100 * anchors["survival"])
    # The numbers at risk sit in a strip below 0 %, where no curve goes.
    r = pd.concat([pd.DataFrame({"time": [0.0], "label": ["at risk:"], "y": [_RISK_ROWS[0]]}),
                   risk.assign(label=risk["at_risk"].astype(str), y=_RISK_ROWS[1])[["time", "label", "y"]]], ignore_index=True)
    t_max = float(max(c["time"].max(), a["time"].max() if len(a) else 0.0, risk["time"].max()))
    x = alt.X("time:Q", title=x_title, scale=alt.Scale(domain=[0, t_max], nice=False), axis=alt.Axis(values=list(risk["time"])))
    ys = alt.Scale(domain=[_RISK_FLOOR, 100], nice=False)
    y = alt.Y("pct:Q", title=y_title, scale=ys, axis=alt.Axis(values=list(range(0, 101, 20))))
    line = alt.Chart(c).mark_line(interpolate="step-after", color=PALETTE[0]).encode(x=x, y=y)
    pts = alt.Chart(a).mark_point(shape="diamond", size=110, filled=True, color=PALETTE[1], stroke="#000000", strokeWidth=0.8).encode(
        x=x, y=y, tooltip=[alt.Tooltip("what:N"), alt.Tooltip("time:Q", format=".1f", title="months"),
                           alt.Tooltip("pct:Q", format=".1f", title="%")])
    text = alt.Chart(r).mark_text(fontSize=11, align="left", dx=2).encode(
        x=alt.X("time:Q", scale=alt.Scale(domain=[0, t_max], nice=False)), y=alt.Y("y:Q", scale=ys), text="label:N")
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="#bbbbbb").encode(y=alt.Y("y:Q", scale=ys))
    return alt.layer(zero, line, pts, text).properties(
        title={"text": title, "subtitle": ["Diamonds: published values", "Below 0 %: numbers at risk",
                                           "SYNTHETIC data, not patient records"]},
        description=description, width="container", height=300)


def forest(frame: pd.DataFrame) -> alt.LayerChart:
    """Table 3 as a forest plot (log scale), one endpoint at a time (radio buttons), univariate and
    multivariate hazard ratios with their 95 % intervals, from :func:`trialkit.chapters.pooled.prognostic_frame`."""
    need = {"endpoint", "label", "model", "hr", "low", "high", "printed"}
    if not need <= set(frame.columns):
        raise ValueError(f"frame lacks column(s) {sorted(need - set(frame.columns))}")
    endpoints = list(dict.fromkeys(frame["endpoint"]))
    ep = alt.param(name="pooled_endpoint", value=endpoints[0], bind=alt.binding_radio(options=endpoints, name="Endpoint "))
    order = list(dict.fromkeys(frame["label"]))
    colour = alt.Color("model:N", title=None, scale=alt.Scale(domain=list(_MODEL_COLOURS), range=list(_MODEL_COLOURS.values())),
                       legend=alt.Legend(orient="top", direction="vertical"))
    xs = alt.Scale(type="log", domain=[0.15, 8.0], nice=False)
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=190))
    yoff = alt.YOffset("model:N", scale=alt.Scale(domain=list(_MODEL_COLOURS)))
    base = alt.Chart(frame).transform_filter(alt.datum.endpoint == ep)
    tips = [alt.Tooltip("label:N", title="Factor"), alt.Tooltip("model:N"), alt.Tooltip("printed:N", title="HR (95 % CI)")]
    rule = base.mark_rule(strokeWidth=2).encode(x=alt.X("low:Q", scale=xs, title="Hazard ratio (log scale)",
                                                        axis=alt.Axis(values=[0.2, 0.5, 1, 2, 5])),
                                                x2="high:Q", y=y, yOffset=yoff, color=colour, tooltip=tips)
    point = base.mark_point(filled=True, size=60).encode(x=alt.X("hr:Q", scale=xs), y=y, yOffset=yoff, color=colour, tooltip=tips)
    one = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(color="#555555", strokeDash=[4, 3]).encode(x=alt.X("x:Q", scale=xs))
    return alt.layer(one, rule, point).add_params(ep).properties(
        title={"text": "What 'predicts' survival here is mostly response", "subtitle": "Table 3, Cancer 2021; below 1: lower hazard"},
        description=("Forest plot of the hazard ratios of Table 3 with 95 % intervals on a log scale, univariate and multivariate, "
                     "for overall or relapse-free survival chosen with radio buttons."),
        width="container", height=alt.Step(20))


def survivors_chart(shares: pd.DataFrame) -> alt.LayerChart:
    """Share of each group alive at 36 months, from :func:`trialkit.chapters.pooled.conditional_shares`."""
    need = {"group", "patients", "long_term", "share"}
    if not need <= set(shares.columns):
        raise ValueError(f"shares lacks column(s) {sorted(need - set(shares.columns))}")
    data = shares.assign(label=[f"{lt} of {n}" for lt, n in zip(shares["long_term"], shares["patients"])])
    y = alt.Y("group:N", sort=list(shares["group"]), title=None, axis=alt.Axis(labelLimit=200))
    x = alt.X("share:Q", title="Alive at 36 months (%)", scale=alt.Scale(domain=[0, 50]))
    bars = alt.Chart(data).mark_bar(color=PALETTE[0]).encode(x=x, y=y, tooltip=["group:N", "label:N", alt.Tooltip("share:Q", format=".1f")])
    text = alt.Chart(data).mark_text(align="left", dx=3, fontSize=11).encode(x=x, y=y, text="label:N")
    return alt.layer(bars, text).properties(
        title={"text": "Long-term survivors came mostly from responders", "subtitle": "Table 2 read by group (Cancer 2021)"},
        description="Bar chart of the share of patients alive at 36 months in each group: all, by response, by MRD response, by transplant.",
        width="container", height=alt.Step(28))


# --- laboratories --------------------------------------------------------------------------------------


def _need(frame: pd.DataFrame, cols, name: str) -> None:
    missing = sorted(set(cols) - set(frame.columns))
    if missing:
        raise ValueError(f"{name} lacks column(s) {missing}")


def immortal_chart(grid: pd.DataFrame, *, state: str, landmark_name: str, title: str,
                   landmark: float | None = None) -> alt.LayerChart:
    """Median and 95 % range of the hazard ratio (state reached vs not) under the three analyses of
    :func:`trialkit.labs.immortal.immortal_lab`; radio: the true effect of the state; menu: the landmark
    (initially ``landmark``, default the middle one of the grid)."""
    from trialkit.labs.immortal import ANALYSES

    _need(grid, ("effect_hr", "landmark", "analysis", "median", "low", "high"), "grid")
    effects = sorted(grid["effect_hr"].unique())  # ascending: the initial (largest, usually 1) is not the first button
    lms = sorted(grid["landmark"].unique())
    eff = alt.param(name=f"{state}_effect", value=float(effects[-1]),
                    bind=alt.binding_radio(options=[float(e) for e in effects], name=f"True HR of {state} "))
    start = float(lms[len(lms) // 2]) if landmark is None else float(landmark)
    if not any(abs(start - x) < 1e-9 for x in lms):
        raise ValueError(f"landmark must be one of the grid's landmarks {lms}, got {landmark}")
    lm = alt.param(name=f"{state}_landmark", value=start,
                   bind=alt.binding_select(options=[float(x) for x in lms], name=f"{landmark_name} (months) "))
    data = grid.assign(label=grid["analysis"].map(ANALYSES))
    order = list(ANALYSES.values())
    xs = alt.Scale(type="log", domain=[0.15, 2.0], nice=False)
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=170))
    base = alt.Chart(data).transform_filter(f"abs(datum.effect_hr - {eff.name}) < 1e-9").transform_filter(
        f"abs(datum.landmark - {lm.name}) < 1e-9")
    colour = alt.Color("label:N", scale=alt.Scale(domain=order, range=[PALETTE[1], PALETTE[0], PALETTE[2]]), legend=None)
    tips = [alt.Tooltip("label:N", title="Analysis"), alt.Tooltip("median:Q", format=".2f", title="median HR"),
            alt.Tooltip("low:Q", format=".2f"), alt.Tooltip("high:Q", format=".2f")]
    rule = base.mark_rule(strokeWidth=3).encode(x=alt.X("low:Q", scale=xs, title="Estimated HR, reached vs not (log)",
                                                        axis=alt.Axis(values=[0.2, 0.3, 0.5, 0.7, 1, 1.5])),
                                                x2="high:Q", y=y, color=colour, tooltip=tips)
    point = base.mark_point(filled=True, size=110).encode(x=alt.X("median:Q", scale=xs), y=y, color=colour, tooltip=tips)
    truth = alt.Chart(pd.DataFrame({"x": [0]})).transform_calculate(hr=eff.name).mark_rule(
        color="#000000", strokeDash=[6, 3]).encode(x=alt.X("hr:Q", scale=xs))
    return alt.layer(truth, rule, point).add_params(eff, lm).properties(
        title={"text": title, "subtitle": ["Dashed line: the true effect. SIMULATED cohorts of the study's size."]},
        description=(f"Median and 95 % range of the hazard ratio comparing patients who reached {state} with those who did not, "
                     "for three analyses, with the true effect chosen by radio buttons and the landmark by a menu."),
        width="container", height=alt.Step(46))


def competing_chart(grid: pd.DataFrame) -> alt.LayerChart:
    """1 − Kaplan–Meier and the cumulative incidence of relapse over time, for the death hazard chosen
    with a slider (:func:`trialkit.labs.competing.competing_lab`)."""
    _need(grid, ("death_hazard", "time", "cif", "one_minus_km"), "grid")
    hs = sorted(grid["death_hazard"].unique())
    step = round(hs[1] - hs[0], 6) if len(hs) > 1 else 0.01
    h = alt.param(name="cr_death", value=float(hs[len(hs) // 2]),
                  bind=alt.binding_range(min=float(hs[0]), max=float(hs[-1]), step=step, name="Death hazard without relapse (/month) "))
    long = grid.melt(id_vars=["death_hazard", "time"], value_vars=["one_minus_km", "cif"], var_name="what", value_name="p")
    names = {"one_minus_km": "1 − Kaplan–Meier", "cif": "Cumulative incidence"}
    long = long.assign(what=long["what"].map(names), pct=100 * long["p"])
    colour = alt.Color("what:N", title=None, scale=alt.Scale(domain=list(names.values()), range=[PALETTE[1], PALETTE[0]]),
                       legend=alt.Legend(orient="top"))
    line = alt.Chart(long).transform_filter(f"abs(datum.death_hazard - {h.name}) < 1e-9").mark_line().encode(
        x=alt.X("time:Q", title="Months since remission"), y=alt.Y("pct:Q", title="Relapsed (%)", scale=alt.Scale(domain=[0, 100])),
        color=colour, tooltip=[alt.Tooltip("what:N"), alt.Tooltip("time:Q", format=".0f"), alt.Tooltip("pct:Q", format=".1f")])
    return line.add_params(h).properties(
        title={"text": "Ignoring deaths inflates relapse", "subtitle": "Constant hazards with a cured share (model, not data)"},
        description="Two curves of the probability of relapse over time, one minus Kaplan-Meier and the cumulative incidence, for a death hazard chosen with a slider.",
        width="container", height=280)


def plateau_chart(grid: pd.DataFrame, years: float) -> alt.LayerChart:
    """Probability of a flat tail (no death over ``years``) against the true yearly death rate, for the
    number at risk chosen with a slider (:func:`trialkit.labs.plateau.plateau_lab`)."""
    _need(grid, ("at_risk", "rate", "probability", "upper"), "grid")
    ns = sorted(grid["at_risk"].unique())
    n = alt.param(name="pl_n", value=int(ns[len(ns) // 2]),
                  bind=alt.binding_select(options=[int(x) for x in ns], name="Patients at risk on the tail "))
    data = grid.assign(pct=100 * grid["probability"], rate_pct=100 * grid["rate"])
    base = alt.Chart(data).transform_filter(f"datum.at_risk == {n.name}")
    line = base.mark_line(point=True).encode(
        x=alt.X("rate_pct:Q", title="True death rate (% per year)"), y=alt.Y("pct:Q", title="Chance of a flat tail (%)",
                                                                               scale=alt.Scale(domain=[0, 100])),
        tooltip=[alt.Tooltip("rate_pct:Q", format=".0f", title="% per year"), alt.Tooltip("pct:Q", format=".0f", title="flat (%)")])
    five = alt.Chart(pd.DataFrame({"y": [5.0]})).mark_rule(color="#777777", strokeDash=[4, 3]).encode(y="y:Q")
    return alt.layer(line, five).add_params(n).properties(
        title={"text": "Few patients at risk make a flat tail likely", "subtitle": f"No death over {years:g} year(s); grey: 5 %"},
        description="Line chart of the probability of seeing no death on the tail against the true yearly death rate, for a number at risk chosen from a menu.",
        width="container", height=260)


def epv_chart(grid: pd.DataFrame) -> alt.LayerChart:
    """Share of SIMULATED studies with at least one falsely significant factor against the number of
    null candidates, with the events per variable in the tooltip (:func:`trialkit.labs.epv.screen_lab`)."""
    _need(grid, ("candidates", "epv", "p_any", "theory_any"), "grid")
    long = grid.melt(id_vars=["candidates", "epv"], value_vars=["p_any", "theory_any"], var_name="what", value_name="p")
    names = {"p_any": "Simulated screen", "theory_any": "1 − 0.95^k"}
    long = long.assign(what=long["what"].map(names), pct=100 * long["p"])
    colour = alt.Color("what:N", title=None, scale=alt.Scale(domain=list(names.values()), range=[PALETTE[0], "#777777"]),
                       legend=alt.Legend(orient="top"))
    sel = alt.selection_point(fields=["what"], bind="legend")
    line = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("candidates:Q", title="Candidate factors screened (none real)"),
        y=alt.Y("pct:Q", title="≥ 1 'significant' (%)", scale=alt.Scale(domain=[0, 100])), color=colour,
        opacity=alt.condition(sel, alt.value(1.0), alt.value(0.2)),
        tooltip=[alt.Tooltip("candidates:Q"), alt.Tooltip("epv:Q", format=".1f", title="events per variable"),
                 alt.Tooltip("pct:Q", format=".0f", title="%")])
    return line.add_params(sel).properties(
        title={"text": "Screen enough null factors and one 'works'", "subtitle": "SIMULATED, as many patients as responders; click legend"},
        description="Line chart of the share of simulated studies with at least one falsely significant prognostic factor, against the number of candidate factors.",
        width="container", height=260)


def historical_chart(grid: pd.DataFrame, *, study_median: float, external_median: float, external_label: str) -> alt.LayerChart:
    """Median survival a population would show with no treatment effect, against its share of
    poor-risk patients, for the poor-risk hazard ratio chosen with radio buttons
    (:func:`trialkit.labs.historical.case_mix_lab`); rules at the study's and the external medians."""
    _need(grid, ("hr_poor", "poor_share", "median"), "grid")
    hrs = sorted(grid["hr_poor"].unique())
    hr = alt.param(name="hist_hr", value=float(hrs[len(hrs) // 2]),
                   bind=alt.binding_radio(options=[float(x) for x in hrs], name="HR of poor-risk patients "))
    data = grid.assign(share_pct=100 * grid["poor_share"])
    line = alt.Chart(data).transform_filter(f"abs(datum.hr_poor - {hr.name}) < 1e-9").mark_line(point=True).encode(
        x=alt.X("share_pct:Q", title="Poor-risk share in the study (%)"),
        y=alt.Y("median:Q", title="Median survival, no drug effect (mo)", scale=alt.Scale(domain=[0, 12])),
        tooltip=[alt.Tooltip("share_pct:Q", format=".0f", title="poor-risk %"), alt.Tooltip("median:Q", format=".1f", title="months")])
    # The reference lines are named at the right end, above the line: with no drug effect every curve
    # falls below the external median past an even case mix, and stays below the study's median.
    refs = pd.DataFrame({"y": [study_median, external_median], "x": 100 * float(grid["poor_share"].max()),
                         "label": ["pooled study", external_label]})
    rules = alt.Chart(refs).mark_rule(strokeDash=[4, 3], color="#555555").encode(y="y:Q")
    text = alt.Chart(refs).mark_text(align="right", baseline="bottom", dx=-2, dy=-3, fontSize=11).encode(
        x="x:Q", y="y:Q", text="label:N")
    return alt.layer(rules, text, line).add_params(hr).properties(
        title={"text": "Case mix alone can move a median", "subtitle": "Same treatment in both groups (model); dashed: observed medians"},
        description="Line chart of the median survival with no treatment effect against the share of poor-risk patients, with reference lines at the observed medians.",
        width="container", height=260)

"""Figures of the INO-VATE ALL chapter and of the generic laboratories it introduces (two primary
endpoints, choosing a horizon, the early-randomised subset, conditioning on response). Each laboratory
figure filters a precomputed grid with Vega-Lite parameters bound to inputs (no kernel); every figure
built on SYNTHETIC or simulated patients says so.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from trialkit.charts import PALETTE, SYNTHETIC_NOTE
from trialkit.charts.trial import arm_colour, near, with_labels
from trialkit.labs.two_endpoints import STRATEGIES
from trialkit.trials import Trial


def _wrapped(label: str, width: int = 18) -> str:
    """``label`` broken into lines of at most about ``width`` characters, joined by "|" (axis labels split
    them with :data:`WRAP_EXPR`, so a long category name fits a phone column on two or three lines)."""
    lines, line = [], ""
    for word in str(label).split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "|".join(lines + [line])


#: Vega expression that turns a "|"-joined label into lines.
WRAP_EXPR = "split(datum.label, '|')"


def km_at_risk_chart(trial: Trial, curves: pd.DataFrame, anchors: pd.DataFrame, risk: pd.DataFrame, title: str,
                     y_title: str, anchor_note: str) -> alt.VConcatChart:
    """SYNTHETIC Kaplan-Meier curves with the published anchor points (diamonds) and, below, the numbers
    at risk of the SYNTHETIC data. ``curves``: arm, time, survival; ``anchors``: arm, time, survival,
    what; ``risk``: arm, time, n."""
    curves = with_labels(trial, curves).assign(survival=100 * curves["survival"])
    anchors = with_labels(trial, anchors).assign(survival=100 * anchors["survival"])
    risk = with_labels(trial, risk)
    # The first word of each arm's label names the row of numbers at risk, so the table's labels do not
    # push the plot sideways on a phone.
    short = {lab: lab.split()[0] for lab in trial.arm_labels}
    risk = risk.assign(arm_short=risk["arm_label"].map(short))
    tmax = float(max(curves["time"].max(), risk["time"].max()))
    xs = alt.Scale(domain=[0, tmax], nice=False)
    x = alt.X("time:Q", title="Months since randomisation", scale=xs)
    y = alt.Y("survival:Q", title=y_title, scale=alt.Scale(domain=[0, 100]))
    lines = alt.Chart(curves).mark_line(interpolate="step-after").encode(x=x, y=y, color=arm_colour(trial))
    points = alt.Chart(anchors).mark_point(shape="diamond", size=110, filled=True, stroke="#000000", strokeWidth=0.8).encode(
        x=x, y=y, color=arm_colour(trial),
        tooltip=[alt.Tooltip("arm_label:N", title="Arm"), alt.Tooltip("what:N"), alt.Tooltip("time:Q", format=".1f", title="months"),
                 alt.Tooltip("survival:Q", format=".1f", title="%")])
    top = alt.layer(lines, points).properties(
        width="container", height=260,
        title={"text": title, "subtitle": [anchor_note, SYNTHETIC_NOTE]})
    table = alt.Chart(risk).mark_text(fontSize=11).encode(
        x=alt.X("time:Q", scale=xs, title="Numbers at risk (SYNTHETIC)", axis=alt.Axis(labels=False, ticks=False, domain=False, grid=False)),
        y=alt.Y("arm_short:N", title=None, sort=[short[lab] for lab in trial.arm_labels],
                axis=alt.Axis(labelLimit=150, labelPadding=14, domain=False, ticks=False)),
        text="n:Q", color=arm_colour(trial, legend=False)).properties(width="container", height=44)
    return alt.vconcat(top, table, spacing=4).properties(
        description=(f"Kaplan-Meier curves of SYNTHETIC data for the two arms of {trial.name}, the published points they were "
                     "built through shown as diamonds, and the SYNTHETIC numbers at risk below."))


def two_endpoints_chart(grid: pd.DataFrame, name_a: str, name_b: str) -> alt.LayerChart:
    """Bars per strategy: the chance of a false claim, and the chance of each claim, for the
    correlation (slider) and the truth (radio) chosen; from :func:`trialkit.labs.two_endpoints_lab`."""
    rhos = sorted(grid["rho"].unique())
    rho = alt.param(name="te_rho", value=0.3 if 0.3 in rhos else rhos[0],
                    bind=alt.binding_range(min=rhos[0], max=rhos[-1], step=round(rhos[1] - rhos[0], 6), name="Correlation "))
    scen_labels = {"neither": "No effect on either", "a_only": f"Effect on {name_a} only",
                   "b_only": f"Effect on {name_b} only", "both": "Both effects as planned"}
    # Short row labels that name the endpoints, so that they fit a phone column (the tooltip keeps the long one).
    short = {"split": "Alpha split evenly", "first_a": f"{name_a.capitalize()} first",
             "first_b": f"{name_b.capitalize()} first", "unadjusted": "No adjustment"}
    data = grid.assign(truth=grid["scenario"].map(scen_labels), strategy_short=grid["strategy"].map(short))
    scen = alt.param(name="te_truth", value=scen_labels["neither"],
                     bind=alt.binding_radio(options=list(scen_labels.values()), name="Truth "))
    long = data.melt(id_vars=["rho", "truth", "strategy_label", "strategy_short"], value_vars=["false_claim", "claim_a", "claim_b"],
                     var_name="what", value_name="p")
    what = {"false_claim": "Any false claim", "claim_a": f"Claim on {name_a}", "claim_b": f"Claim on {name_b}"}
    long = long.assign(what=long["what"].map(what), pct=100 * long["p"])
    order = [short[k] for k in STRATEGIES]
    base = alt.Chart(long).transform_filter(near("rho", rho)).transform_filter(alt.datum.truth == scen)
    y = alt.Y("strategy_short:N", sort=order, title=None, axis=alt.Axis(labelLimit=200))
    bars = base.mark_bar().encode(
        x=alt.X("pct:Q", title="Probability (%)", scale=alt.Scale(domain=[0, 100])), y=y,
        yOffset=alt.YOffset("what:N", sort=list(what.values())),
        color=alt.Color("what:N", sort=list(what.values()), title=None,
                        scale=alt.Scale(domain=list(what.values()), range=["#000000", PALETTE[0], PALETTE[2]]),
                        legend=alt.Legend(orient="top", direction="horizontal")),
        tooltip=[alt.Tooltip("strategy_label:N", title="Strategy"), alt.Tooltip("what:N", title=""),
                 alt.Tooltip("pct:Q", format=".1f", title="%")])
    text = base.mark_text(align="left", dx=3, fontSize=10).encode(
        x="pct:Q", y=y, yOffset=alt.YOffset("what:N", sort=list(what.values())), text=alt.Text("pct:Q", format=".1f"))
    return alt.layer(bars, text).add_params(rho, scen).properties(
        width="container", height=alt.Step(14),
        title={"text": "Two primary endpoints: false claims and power", "subtitle": "Exact bivariate normal calculation."},
        description=("Grouped bars, one group per testing strategy: the probability of any false claim and of a claim on each "
                     "endpoint, for the correlation between the two test statistics (slider) and the true effects (radio)."))


def horizon_chart(by_choice: pd.DataFrame, nominal: float) -> alt.LayerChart:
    """False-positive share against the number of candidate horizons the analyst may choose among, per
    statistic; a slider picks the number and labels the values (from :func:`trialkit.labs.horizon_lab`)."""
    ks = sorted(by_choice["k"].unique())
    k = alt.param(name="hz_k", value=ks[-1], bind=alt.binding_range(min=ks[0], max=ks[-1], step=1,
                                                                    name="Horizons to choose from "))
    data = by_choice.assign(pct=100 * by_choice["significant"])
    order = list(dict.fromkeys(data["statistic_label"]))
    colour = alt.Color("statistic_label:N", title=None, sort=order, scale=alt.Scale(domain=order, range=[PALETTE[2], PALETTE[3], "#000000"]),
                       legend=alt.Legend(orient="top", direction="vertical"))
    taus = sorted(data["last_tau"].unique())
    step = float(taus[1] - taus[0]) if len(taus) > 1 else float(taus[0])
    x = alt.X("last_tau:Q", title=f"Analyst may pick any horizon up to (months; every {step:g})",
              scale=alt.Scale(domain=[float(data["last_tau"].min()), float(data["last_tau"].max())]))
    y = alt.Y("pct:Q", title="Trials 'significant' (%)", scale=alt.Scale(domain=[0, max(15.0, float(data["pct"].max()) + 2)]))
    line = alt.Chart(data).mark_line(point=True).encode(x=x, y=y, color=colour)
    ref = alt.Chart(pd.DataFrame({"y": [100 * nominal]})).mark_rule(strokeDash=[4, 4], color="#555555").encode(y="y:Q")
    sel = alt.Chart(data).transform_filter(near("k", k))
    pts = sel.mark_point(size=140, filled=True, color="#000000", opacity=0.25).encode(x=x, y="pct:Q")
    lab = sel.mark_text(align="left", dx=8, fontSize=11, fontWeight="bold").encode(
        x=x, y="pct:Q", text=alt.Text("pct:Q", format=".1f"), color=colour)
    return alt.layer(line, ref, pts, lab).add_params(k).properties(
        width="container", height=260,
        title={"text": "Picking the horizon after looking inflates false positives",
               "subtitle": ["No true effect (arm labels shuffled); dashed: the nominal one-sided rate.",
                            "Shuffles of SYNTHETIC data, not the trial's patients."]},
        description=("Line chart: share of shuffled datasets with no true difference that show a significant benefit when the "
                     "analyst picks the most favourable of the first k horizons, for RMST, landmark survival and either."))


def early_subset_chart(grid: pd.DataFrame) -> alt.LayerChart:
    """Expected estimate and 95 % interval of the remission difference in the first patients and in
    everyone randomised, with the target, for a drift in the control rate and in the effect (sliders)."""
    cds, eds = sorted(grid["control_drift"].unique()), sorted(grid["effect_drift"].unique())
    cd = alt.param(name="es_cd", value=0.0, bind=alt.binding_range(min=cds[0], max=cds[-1], step=cds[1] - cds[0],
                                                                  name="Control rate drift, first to last (points) "))
    ed = alt.param(name="es_ed", value=0.0, bind=alt.binding_range(min=eds[0], max=eds[-1], step=eds[1] - eds[0],
                                                                  name="Effect drift, first to last (points) "))
    data = grid.assign(label=grid["analysis"] + " (" + grid["patients"].astype(str) + ")")
    data = data.assign(row=data["label"].map(_wrapped))
    order = list(dict.fromkeys(data["row"]))
    base = alt.Chart(data).transform_filter(near("control_drift", cd)).transform_filter(near("effect_drift", ed))
    y = alt.Y("row:N", sort=order, title=None, axis=alt.Axis(labelLimit=200, labelExpr=WRAP_EXPR))
    xs = alt.Scale(domain=[20, 80])
    rule = base.mark_rule(strokeWidth=3, color=PALETTE[0]).encode(
        x=alt.X("low:Q", scale=xs, title="Difference in remission (points)"), x2="high:Q", y=y)
    point = base.mark_point(filled=True, size=110, color=PALETTE[0]).encode(
        x=alt.X("estimate:Q", scale=xs), y=y,
        tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("estimate:Q", format=".1f"), alt.Tooltip("low:Q", format=".1f"),
                 alt.Tooltip("high:Q", format=".1f"), alt.Tooltip("bias:Q", format=".1f", title="bias vs everyone")])
    val = base.mark_text(dy=-12, fontSize=11).encode(x=alt.X("estimate:Q", scale=xs), y=y, text=alt.Text("estimate:Q", format=".1f"))
    target = base.transform_filter(alt.datum.analysis == "Everyone randomised").mark_rule(strokeDash=[4, 4], color="#000000").encode(
        x=alt.X("target:Q", scale=xs))
    return alt.layer(target, rule, point, val).add_params(cd, ed).properties(
        width="container", height=alt.Step(50),
        title={"text": "The first patients: wider interval, same target unless the effect drifts",
               "subtitle": "Expected estimate and 95 % interval (model calculation); dashed: the effect in everyone randomised."},
        description=("Dot-and-interval chart of the expected difference in remission rates when only the first patients are "
                     "analysed and when everyone is, for a drift over accrual in the control rate and in the effect (sliders)."))


def responders_chart(curves: pd.DataFrame, labels: dict) -> alt.LayerChart:
    """Share in remission over time in each arm, among responders or per randomised patient (radio), for
    the strength of the link between resistance and relapse (``beta``) and the drug's own effect on
    durability (``theta``) (sliders); from :func:`trialkit.labs.responders_lab`. ``labels``: arm -> label
    for ``experimental`` and ``control``."""
    betas, thetas = sorted(curves["beta"].unique()), sorted(curves["theta"].unique())
    beta = alt.param(name="rl_beta", value=1.0 if 1.0 in betas else betas[0],
                     bind=alt.binding_range(min=betas[0], max=betas[-1], step=round(betas[1] - betas[0], 6),
                                            name="Same resistance drives relapse (β) "))
    theta = alt.param(name="rl_theta", value=thetas[-1],
                      bind=alt.binding_range(min=thetas[0], max=thetas[-1], step=round(thetas[1] - thetas[0], 6),
                                             name="Drug's own effect on relapse (HR) "))
    views = {"among_responders": "Among responders", "per_randomised": "Per randomised patient"}
    long = curves.melt(id_vars=["beta", "theta", "arm", "time"], value_vars=list(views), var_name="view", value_name="pct")
    long = long.assign(view=long["view"].map(views), arm_label=long["arm"].map(labels))
    view = alt.param(name="rl_view", value=views["among_responders"],
                     bind=alt.binding_radio(options=list(views.values()), name="Denominator "))
    order = [labels["experimental"], labels["control"]]
    base = alt.Chart(long).transform_filter(near("beta", beta)).transform_filter(near("theta", theta)).transform_filter(
        alt.datum.view == view)
    line = base.mark_line().encode(
        x=alt.X("time:Q", title="Months since remission"),
        y=alt.Y("pct:Q", title="In remission (%)", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("arm_label:N", title=None, sort=order, scale=alt.Scale(domain=order, range=[PALETTE[0], PALETTE[1]]),
                        legend=alt.Legend(orient="top", direction="horizontal")),
        tooltip=[alt.Tooltip("arm_label:N", title=""), alt.Tooltip("time:Q", title="months"), alt.Tooltip("pct:Q", format=".1f", title="%")])
    return line.add_params(beta, theta, view).properties(
        width="container", height=260,
        title={"text": "Among responders, a better drug can look worse",
               "subtitle": "A latent-resistance model fed the published remission rates; not the trial's data."},
        description=("Line chart of the share of patients in remission over time in each arm, among responders or per "
                     "randomised patient (radio), under a model in which the same resistance decides remission and relapse "
                     "(sliders for the strength of that link and for the drug's own effect on relapse)."))


def transplant_response_chart(grid: pd.DataFrame) -> alt.LayerChart:
    """The transplant hazard ratio estimated three ways with its 95 % interval, for the true transplant
    hazard ratio (slider) and whether responders are fitter anyway (radio); from
    :func:`trialkit.labs.transplant_response_lab`."""
    hrs = sorted(grid["transplant_hr"].unique())
    true = alt.param(name="tt_true", value=1.0 if 1.0 in hrs else hrs[0],
                     bind=alt.binding_select(options=hrs, name="True effect of transplant (HR) "))
    fit_labels = {r: ("Responders fitter anyway" if r < 1 else "Responders otherwise alike") for r in grid["responder_hr"].unique()}
    data = grid.assign(prognosis=grid["responder_hr"].map(fit_labels))
    fit = alt.param(name="tt_fit", value=fit_labels[max(fit_labels)],
                    bind=alt.binding_radio(options=[fit_labels[k] for k in sorted(fit_labels, reverse=True)], name="Prognosis "))
    data = data.assign(row=data["analysis_label"].map(_wrapped))
    order = list(dict.fromkeys(data["row"]))
    base = alt.Chart(data).transform_filter(near("transplant_hr", true)).transform_filter(alt.datum.prognosis == fit)
    xs = alt.Scale(type="log", domain=[0.2, 2.0], nice=False)
    y = alt.Y("row:N", sort=order, title=None, axis=alt.Axis(labelLimit=220, labelExpr=WRAP_EXPR))
    rule = base.mark_rule(strokeWidth=3, color=PALETTE[0]).encode(
        x=alt.X("low:Q", scale=xs, title="Estimated hazard ratio of transplant (log scale)",
                axis=alt.Axis(values=[0.25, 0.5, 0.75, 1.0, 1.5, 2.0])), x2="high:Q", y=y)
    point = base.mark_point(filled=True, size=110, color=PALETTE[0]).encode(
        x=alt.X("hr:Q", scale=xs), y=y, tooltip=[alt.Tooltip("analysis_label:N", title=""), alt.Tooltip("hr:Q", format=".2f"),
                                                 alt.Tooltip("low:Q", format=".2f"), alt.Tooltip("high:Q", format=".2f")])
    val = base.mark_text(dy=-12, fontSize=11).encode(x=alt.X("hr:Q", scale=xs), y=y, text=alt.Text("hr:Q", format=".2f"))
    truth = base.transform_aggregate(t="mean(transplant_hr)").mark_rule(strokeDash=[4, 4], color="#000000").encode(
        x=alt.X("t:Q", scale=xs))
    return alt.layer(truth, rule, point, val).add_params(true, fit).properties(
        width="container", height=alt.Step(50),
        title={"text": "Transplant during follow-up: three analyses, one truth",
               "subtitle": ["Dashed: the true hazard ratio of transplant.", "One SYNTHETIC cohort per setting, not the trial's patients."]},
        description=("Dot-and-interval chart of the hazard ratio of transplant estimated naively, with a landmark and as a "
                     "time-varying covariate, against the true value (dashed), for a chosen true effect and responder prognosis."))

"""Figures of the E1910 chapter and of the laboratories it introduces (the funnel and subgroup
credibility). Each takes the frames computed in :mod:`trialkit.chapters.e1910` or :mod:`trialkit.labs`;
interactive figures filter a precomputed grid with parameters bound to inputs (no kernel). Widths are
fitted to the column by the book's renderer; titles are short."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from trialkit.charts import PALETTE

_W = 520


def funnel_chart(funnel: pd.DataFrame, mrd_positive: int) -> alt.LayerChart:
    """Horizontal bars, one per step of :func:`trialkit.labs.funnel.funnel_steps`, labelled with the
    count and the percent of the first step; a note gives the MRD-positive patients of the last step."""
    f = funnel.assign(text=[f"{n} ({k:.0f} %)" for n, k in zip(funnel["n"], funnel["kept_from_start"])])
    order = list(f["label"])
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=190, labelFontSize=11))
    x = alt.X("n:Q", title="Patients", scale=alt.Scale(domain=[0, float(f["n"].max()) * 1.6]))
    bars = alt.Chart(f).mark_bar(color=PALETTE[0]).encode(
        x=x, y=y, tooltip=[alt.Tooltip("label:N", title="Step"), alt.Tooltip("n:Q", title="Patients"),
                           alt.Tooltip("kept_from_previous:Q", format=".0f", title="% of previous step"),
                           alt.Tooltip("kept_from_start:Q", format=".0f", title="% of first step")])
    text = alt.Chart(f).mark_text(align="left", dx=4, fontSize=12).encode(x=x, y=y, text="text:N")
    return alt.layer(bars, text).properties(
        title={"text": "Fewer than a third reach the randomised question",
               "subtitle": [f"Counts (percent of the first step). Step 3 also held {mrd_positive} MRD-positive patients."]},
        description=("Bar chart of the patients at each step of E1910, from registration for screening to the "
                     "randomisation of MRD-negative patients: " + "; ".join(f"{r.label}: {r.n}" for r in f.itertuples())),
        width=_W, height=alt.Step(30))


def diagnosis_chart(grid: pd.DataFrame, observed_share: float, observed_benefit: float) -> alt.LayerChart:
    """Benefit per 100 patients at the start of treatment against the share reaching randomisation
    (:func:`trialkit.labs.funnel.diagnosis_view` over several benefits, column ``benefit``), the benefit
    chosen with a slider; the trial's share marked."""
    benefits = sorted(grid["benefit"].unique())
    step = benefits[1] - benefits[0] if len(benefits) > 1 else 1
    b = alt.param(name="benefit", value=observed_benefit, bind=alt.binding_range(
        min=benefits[0], max=benefits[-1], step=step, name="Benefit among the randomised (points) "))
    base = alt.Chart(grid).transform_filter(f"abs(datum.benefit - benefit) < 1e-6")
    x = alt.X("reach_share:Q", title="Share of patients who reach randomisation (%)", scale=alt.Scale(domain=[0, 100]))
    y = alt.Y("per_100_at_start:Q", title="Benefit per 100 at diagnosis", scale=alt.Scale(domain=[0, float(max(benefits))]))
    line = base.mark_line(color=PALETTE[0], strokeWidth=3).encode(x=x, y=y, tooltip=[
        alt.Tooltip("reach_share:Q", format=".0f", title="% reaching"), alt.Tooltip("per_100_at_start:Q", format=".1f", title="per 100")])
    rule = alt.Chart(pd.DataFrame({"share": [observed_share]})).mark_rule(color=PALETTE[1], strokeDash=[4, 3], strokeWidth=2).encode(
        x=alt.X("share:Q"))
    label = alt.Chart(pd.DataFrame({"share": [observed_share], "y": [float(max(benefits)) * 0.95],
                                    "t": [f"E1910: {observed_share:.0f} % of the enrolled"]})).mark_text(
        align="left", dx=5, fontSize=12, color=PALETTE[1]).encode(x="share:Q", y="y:Q", text="t:N")
    return alt.layer(line, rule, label).add_params(b).properties(
        title={"text": "A benefit at randomisation shrinks at diagnosis",
               "subtitle": ["Lower bound: only patients who reach randomisation benefit."]},
        description=("Line chart: the absolute benefit among randomised patients, chosen with a slider, multiplied by the share "
                     "of patients who reach randomisation, gives the benefit per 100 patients at the start of treatment."),
        width=_W, height=260)


def forest_chart(rows: pd.DataFrame, interaction_p: float) -> alt.LayerChart:
    """Forest plot: columns label, hr, low, high (one row per estimate, overall first), log scale."""
    y = alt.Y("label:N", sort=list(rows["label"]), title=None, axis=alt.Axis(labelLimit=200))
    xs = alt.Scale(type="log", domain=[0.03, 2.0], nice=False)
    x = alt.X("hr:Q", scale=xs, title="Hazard ratio for death (log scale)", axis=alt.Axis(values=[0.05, 0.1, 0.25, 0.5, 1, 2]))
    ci = alt.Chart(rows).mark_rule(strokeWidth=2, color="#333333").encode(y=y, x=alt.X("low:Q", scale=xs), x2="high:Q")
    pt = alt.Chart(rows).mark_point(shape="square", filled=True, size=110, color=PALETTE[0]).encode(
        y=y, x=x, tooltip=[alt.Tooltip("label:N"), alt.Tooltip("hr:Q", format=".2f", title="HR"),
                           alt.Tooltip("low:Q", format=".2f"), alt.Tooltip("high:Q", format=".2f")])
    one = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(color="#777777", strokeDash=[3, 3]).encode(x=alt.X("x:Q", scale=xs))
    return alt.layer(one, ci, pt).properties(
        title={"text": "Overall survival by age: intervals overlap",
               "subtitle": [f"Test of interaction from the published intervals: P = {interaction_p:.2f}."]},
        description=("Forest plot of the hazard ratio for death with blinatumomab in all MRD-negative randomised patients and "
                     "in the two age subgroups, with 95 % confidence intervals on a log scale."),
        width=_W, height=alt.Step(34))


def chance_chart(grid: pd.DataFrame, observed_ratio: float) -> alt.LayerChart:
    """:func:`trialkit.labs.subgroup.chance_of_apparent_modification`: the chance that at least one of
    ``k`` splits (slider) shows a ratio of subgroup HRs at least as large as each threshold, with the
    observed ratio marked."""
    ks = sorted(grid["factors"].unique())
    k = alt.param(name="k", value=1, bind=alt.binding_range(min=int(ks[0]), max=int(ks[-1]), step=1,
                                                               name="Subgroup variables examined "))
    base = alt.Chart(grid).transform_filter("datum.factors == k")
    xs = alt.Scale(type="log", domain=[float(grid["threshold"].min()), float(grid["threshold"].max())], nice=False)
    x = alt.X("threshold:Q", scale=xs, title="Ratio of subgroup HRs at least (log scale)",
              axis=alt.Axis(values=sorted(grid["threshold"].unique().tolist())))
    y = alt.Y("p_any:Q", title="Chance with a common effect (%)", scale=alt.Scale(domain=[0, 100]))
    line = base.mark_line(point=True, color=PALETTE[0], strokeWidth=3).encode(x=x, y=y, tooltip=[
        alt.Tooltip("threshold:Q", format=".1f", title="ratio at least"), alt.Tooltip("p_any:Q", format=".1f", title="%")])
    rule = alt.Chart(pd.DataFrame({"r": [observed_ratio], "y": [92.0], "t": [f"E1910 by age: {observed_ratio:.1f}"]}))
    mark = rule.mark_rule(color=PALETTE[1], strokeDash=[4, 3], strokeWidth=2).encode(x=alt.X("r:Q", scale=xs))
    text = rule.mark_text(align="left", dx=5, fontSize=12, color=PALETTE[1]).encode(x=alt.X("r:Q", scale=xs), y="y:Q", text="t:N")
    return alt.layer(line, mark, text).add_params(k).properties(
        title={"text": "Chance alone makes large subgroup gaps",
               "subtitle": ["True effect identical in every subgroup; E1910's age-subgroup precision."]},
        description=("Line chart of the probability, when the true effect is the same in every subgroup, that at least one of "
                     "the chosen number of subgroup variables shows a ratio of subgroup hazard ratios at least as large as "
                     "each threshold, with E1910's observed ratio by age marked."),
        width=_W, height=260)


def common_effect_scatter(draws: pd.DataFrame, true_hr: float, observed: tuple[float, float]) -> alt.LayerChart:
    """SIMULATED subgroup estimates under one common HR (:func:`trialkit.labs.subgroup.common_effect_draws`,
    hr_a younger, hr_b older), with the published pair marked."""
    xs = alt.Scale(type="log", domain=[0.03, 4], nice=False)
    d = draws.assign(far=draws["ratio"].map(lambda r: "ratio ≥ observed" if max(r, 1 / r) >= observed[1] / observed[0]
                                            else "smaller gap"))
    pts = alt.Chart(d).mark_circle(size=14, opacity=0.45).encode(
        x=alt.X("hr_a:Q", scale=xs, title="HR, younger than 55 (log)"), y=alt.Y("hr_b:Q", scale=xs, title="HR, 55 or older (log)"),
        color=alt.Color("far:N", title=None, scale=alt.Scale(domain=["smaller gap", "ratio ≥ observed"], range=["#9a9a9a", PALETTE[0]]),
                        legend=alt.Legend(orient="top", direction="vertical")))
    obs = alt.Chart(pd.DataFrame({"a": [observed[0]], "b": [observed[1]], "t": ["published"]}))
    star = obs.mark_point(shape="diamond", size=160, filled=True, color=PALETTE[1], stroke="#000000").encode(
        x=alt.X("a:Q", scale=xs), y=alt.Y("b:Q", scale=xs))
    lab = obs.mark_text(align="left", dx=8, fontSize=12).encode(x=alt.X("a:Q", scale=xs), y=alt.Y("b:Q", scale=xs), text="t:N")
    return alt.layer(pts, star, lab).properties(
        title={"text": "SIMULATED trials with one true effect",
               "subtitle": [f"Both subgroups' true HR {true_hr:.2f}; spread as in the published intervals."]},
        description=("Scatter plot of simulated pairs of subgroup hazard ratios when both subgroups share one true hazard ratio; "
                     "pairs at least as far apart as the published age subgroups are highlighted."),
        width=_W, height=320)


def deaths_chart(deaths: pd.DataFrame) -> alt.Chart:
    """Stacked bars of deaths by cause per group (:func:`trialkit.chapters.e1910.deaths_table`)."""
    order = ["Relapse", "Non-relapse", "Unknown"]
    short = deaths.assign(group=deaths["arm_label"].str.split(" ").str[0])
    return alt.Chart(short).mark_bar().encode(
        y=alt.Y("group:N", title=None, sort=list(dict.fromkeys(short["group"]))),
        x=alt.X("deaths:Q", title="Deaths"),
        color=alt.Color("cause:N", sort=order, scale=alt.Scale(domain=order, range=[PALETTE[1], PALETTE[0], "#9a9a9a"]),
                        title=None, legend=alt.Legend(orient="top", direction="vertical")),
        order=alt.Order("cause_order:Q"),
        tooltip=[alt.Tooltip("arm_label:N", title="Group"), alt.Tooltip("cause:N"), alt.Tooltip("deaths:Q")],
    ).transform_calculate(cause_order="indexof(['Relapse', 'Non-relapse', 'Unknown'], datum.cause)").properties(
        title={"text": "The difference is in deaths from relapse"},
        description="Stacked bar chart of deaths by cause (relapse, non-relapse, unknown) in the two randomised groups.",
        width=_W, height=alt.Step(40))


def km_chart(curves: pd.DataFrame, labels: dict, title: str, y_title: str, t_max: float = 60.0) -> alt.Chart:
    """SYNTHETIC Kaplan-Meier curves (arm, time, survival in 0-1) up to ``t_max`` months; ``labels`` maps
    arm keys to labels (experimental first). Numbers at risk go in a table under the figure."""
    dom = list(labels.values())
    c = curves.assign(arm_label=curves["arm"].map(labels), survival=100 * curves["survival"])
    c = c[c["time"] <= t_max]
    return alt.Chart(c).mark_line(interpolate="step-after").encode(
        x=alt.X("time:Q", title="Months since randomisation", scale=alt.Scale(domain=[0, t_max]),
                axis=alt.Axis(values=list(range(0, int(t_max) + 1, 12)))),
        y=alt.Y("survival:Q", title=y_title, scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("arm_label:N", title=None, scale=alt.Scale(domain=dom, range=PALETTE[:2]),
                        legend=alt.Legend(orient="top", direction="vertical")),
    ).properties(title={"text": title, "subtitle": ["SYNTHETIC data, not patient records."]},
                 description=f"{title}: SYNTHETIC Kaplan-Meier curves of the two randomised groups.", width=_W, height=280)


def at_risk_table(at_risk: pd.DataFrame) -> pd.DataFrame:
    """Numbers at risk (arm_label, time, at_risk) as a wide table: one row per group, one column per time."""
    wide = at_risk.pivot(index="arm_label", columns="time", values="at_risk")
    wide = wide.loc[list(dict.fromkeys(at_risk["arm_label"]))]
    wide.columns = [f"{int(t)} mo" for t in wide.columns]
    return wide.reset_index().rename(columns={"arm_label": "At risk (SYNTHETIC)"})


def toxicity_gap_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """Dumbbell of grade 3 or higher percentages per group: columns event, arm_label, percent."""
    y = alt.Y("event:N", title=None, axis=alt.Axis(labelLimit=220))
    rule = alt.Chart(frame).mark_rule(color="#999999").encode(x=alt.X("min(percent):Q", title="Patients with the event (%)"),
                                                              x2="max(percent):Q", y=y)
    dom = list(dict.fromkeys(frame["arm_label"]))
    pts = alt.Chart(frame).mark_point(filled=True, size=90).encode(
        x="percent:Q", y=y, color=alt.Color("arm_label:N", title=None, scale=alt.Scale(domain=dom, range=PALETTE[:2]),
                                            legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("event:N"), alt.Tooltip("arm_label:N", title="Group"), alt.Tooltip("percent:Q", format=".0f", title="%")])
    return alt.layer(rule, pts).properties(
        title={"text": "Neuropsychiatric events: the one clear excess"},
        description="Dot plot of the percent of patients with grade 3 or higher treated-related events, by group.",
        width=_W, height=alt.Step(28))


def ascertainment_chart(grid: pd.DataFrame, published: dict) -> alt.LayerChart:
    """:func:`trialkit.labs.ascertainment.ascertainment_grid`: observed percent per group against the
    extra reporting in the unblinded experimental group (slider: true experimental rate)."""
    rates = sorted(grid["true_experimental"].unique())
    r = alt.param(name="true_rate", value=rates[-1], bind=alt.binding_select(options=rates, name="True rate with blinatumomab (%) "))
    base = alt.Chart(grid).transform_filter("datum.true_experimental == true_rate")
    x = alt.X("extra_reporting:Q", title="Extra recording, blinatumomab group (%)")
    top = 10 * math.ceil(float(grid["observed"].max()) / 10)
    y = alt.Y("observed:Q", title="Recorded grade ≥3 events (%)", scale=alt.Scale(domain=[0, top]))
    col = alt.Color("group:N", title=None, scale=alt.Scale(range=PALETTE[:2]), legend=alt.Legend(orient="top", direction="vertical"))
    line = base.mark_line(strokeWidth=3).encode(x=x, y=y, color=col)
    # The published values are named at the right end: the experimental line starts at its published
    # value on the left and rises away from it.
    pub = alt.Chart(pd.DataFrame({"y": list(published.values()), "x": float(grid["extra_reporting"].max()),
                                  "t": [f"published {k}: {v:g} %" for k, v in published.items()]}))
    rules = pub.mark_rule(strokeDash=[4, 3], color="#555555").encode(y="y:Q")
    text = pub.mark_text(align="right", dx=-2, dy=-6, fontSize=11).encode(x="x:Q", y="y:Q", text="t:N")
    return alt.layer(line, rules, text).add_params(r).properties(
        title={"text": "Reporting can add to a real excess",
               "subtitle": ["A model: extra reports in the known-exposure group only."]},
        description=("Line chart: observed percent of grade 3 or higher neuropsychiatric events in each group as the extra "
                     "reporting in the group that knows it received blinatumomab grows, for a chosen true rate."),
        width=_W, height=260)


def as_log_ticks(values) -> list[float]:
    """Nice tick values for a log axis covering ``values``."""
    lo, hi = min(values), max(values)
    ticks = [t for t in (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10) if lo / 1.5 <= t <= hi * 1.5]
    return ticks or [round(math.exp((math.log(lo) + math.log(hi)) / 2), 2)]


def transplant_timing_chart(grid: pd.DataFrame) -> alt.LayerChart:
    """:func:`trialkit.labs.transplant_timing.transplant_timing_lab`: the median and 95 % range of each analysis's
    estimate, for the true effect of transplant chosen with a slider, with the truth marked."""
    hrs = sorted(grid["transplant_hr"].unique())
    p = alt.param(name="tx_hr", value=1.0 if 1.0 in hrs else hrs[0],
                  bind=alt.binding_select(options=hrs, name="True effect of transplant (HR) "))
    base = alt.Chart(grid).transform_filter("datum.transplant_hr == tx_hr")
    xs = alt.Scale(type="log", domain=[0.08, 3], nice=False)
    y = alt.Y("label:N", title=None, sort=list(dict.fromkeys(grid["label"])), axis=alt.Axis(labelLimit=200))
    ci = base.mark_rule(strokeWidth=3, color="#777777").encode(y=y, x=alt.X("low:Q", scale=xs), x2="high:Q")
    pt = base.mark_point(filled=True, size=120, color=PALETTE[0]).encode(
        y=y, x=alt.X("median:Q", scale=xs, title="HR, transplanted vs not",
                     axis=alt.Axis(values=[0.1, 0.2, 0.5, 1, 2])),
        tooltip=[alt.Tooltip("label:N"), alt.Tooltip("median:Q", format=".2f"), alt.Tooltip("low:Q", format=".2f"),
                 alt.Tooltip("high:Q", format=".2f")])
    truth = base.mark_rule(color=PALETTE[1], strokeDash=[4, 3], strokeWidth=2).encode(x=alt.X("transplant_hr:Q", scale=xs))
    return alt.layer(ci, truth, pt).add_params(p).properties(
        title={"text": "Counting from time zero invents a benefit",
               "subtitle": ["SIMULATED cohorts; dashed: the true effect of transplant."]},
        description=("Dot plot of the median and 95 % range of the estimated hazard ratio for transplanted against "
                     "non-transplanted patients under three analyses, for a chosen true effect of transplant."),
        width=_W, height=alt.Step(40))


def stopping_chart(summary: pd.DataFrame, histogram: pd.DataFrame, published_hr: float, start_hr: float) -> alt.LayerChart:
    """A single-view version of the stopping laboratory's figure (:func:`trialkit.labs.stopping_lab`):
    the estimated HRs of simulated trials that stopped early against all trials, for the true HR chosen
    with a slider; the truth (black) and the published HR (orange, dotted) marked."""
    hrs = sorted(summary["true_hr"])
    step = round(hrs[1] - hrs[0], 6) if len(hrs) > 1 else 0.05
    p = alt.param(name="true_hr", value=start_hr, bind=alt.binding_range(min=hrs[0], max=hrs[-1], step=step,
                                                                         name="True hazard ratio "))
    xs = alt.Scale(type="log", domain=[0.35, 1.45], nice=False)
    groups = list(dict.fromkeys(histogram["group"]))
    short = {g: ("Stopped early" if "early" in g.lower() else "All trials") for g in groups}
    h = histogram.assign(group_short=histogram["group"].map(short))
    bars = alt.Chart(h).transform_filter(f"abs(datum.true_hr - true_hr) < 1e-6").mark_rect(
        opacity=0.55, stroke="#ffffff", strokeWidth=0.3).encode(
        x=alt.X("bin_start:Q", scale=xs, title="Estimated HR (log scale)", axis=alt.Axis(values=[0.4, 0.5, 0.7, 1.0, 1.4])),
        x2="bin_end:Q", y=alt.Y("share:Q", title="Share of the group's trials (%)", stack=None), y2=alt.datum(0),
        color=alt.Color("group_short:N", title=None, scale=alt.Scale(domain=["All trials", "Stopped early"], range=["#9a9a9a", PALETTE[0]]),
                        legend=alt.Legend(orient="top", direction="vertical")),
        tooltip=[alt.Tooltip("group_short:N", title="group"), alt.Tooltip("bin_start:Q", format=".2f", title="from"),
                 alt.Tooltip("share:Q", format=".1f", title="%")])
    s = summary.assign(observed=published_hr)
    sb = alt.Chart(s).transform_filter(f"abs(datum.true_hr - true_hr) < 1e-6")
    truth = sb.mark_rule(color="#000000", strokeWidth=2).encode(x=alt.X("true_hr:Q", scale=xs))
    gm = sb.mark_rule(color=PALETTE[0], strokeDash=[6, 4], strokeWidth=2).encode(
        x=alt.X("gm_hr_stopped:Q", scale=xs), tooltip=[alt.Tooltip("gm_hr_stopped:Q", format=".2f", title="mean HR, stopped early"),
                                                      alt.Tooltip("share_stopped_early:Q", format=".0%", title="share stopped early")])
    obs = sb.mark_rule(color=PALETTE[1], strokeDash=[2, 3], strokeWidth=2).encode(x=alt.X("observed:Q", scale=xs))
    return alt.layer(bars, truth, gm, obs).add_params(p).properties(
        title={"text": "Trials that stop early overstate the effect",
               "subtitle": ["SIMULATED trials. Black: truth; blue dashed: mean of early stops; orange: published."]},
        description=("Histograms of the estimated hazard ratio among simulated trials that stopped at an interim analysis and "
                     "among all trials, for a true hazard ratio chosen with a slider."),
        width=_W, height=280)


def boundary_chart(plan: pd.DataFrame, deaths: int, z_observed: float) -> alt.LayerChart:
    """The recomputed efficacy boundary (z) at each look of ``plan`` (:func:`trialkit.labs.interim_plan`)
    with the observed z at the stop."""
    b = plan.assign(what="Boundary")
    o = pd.DataFrame({"deaths": [deaths], "z": [z_observed], "what": ["Observed"]})
    x = alt.X("deaths:Q", title="Deaths", scale=alt.Scale(domain=[0, 10 * math.ceil(float(plan["deaths"].max()) * 1.1 / 10)]))
    y = alt.Y("z:Q", title="Log-rank z", scale=alt.Scale(domain=[0, math.ceil(float(max(plan["z"].max(), z_observed)) + 0.5)]))
    col = alt.Color("what:N", title=None, scale=alt.Scale(domain=["Boundary", "Observed"], range=[PALETTE[0], PALETTE[1]]),
                    legend=alt.Legend(orient="top", direction="vertical"))
    line = alt.Chart(b).mark_line(point=True).encode(x=x, y=y, color=col, tooltip=[
        alt.Tooltip("look:Q"), alt.Tooltip("deaths:Q"), alt.Tooltip("z:Q", format=".2f"),
        alt.Tooltip("nominal_p_two_sided:Q", format=".4f", title="two-sided P below")])
    pt = alt.Chart(o).mark_point(shape="diamond", size=160, filled=True).encode(x=x, y=y, color=col,
                                                                                 tooltip=[alt.Tooltip("z:Q", format=".2f")])
    return alt.layer(line, pt).properties(
        title={"text": "The third look crossed the boundary",
               "subtitle": ["Boundaries under the course's assumptions."]},
        description=("Line chart of the recomputed O'Brien-Fleming-type efficacy boundary on the z scale at each look, with the "
                     f"observed z of about {z_observed:.2f} at {deaths} deaths."),
        width=_W, height=260)

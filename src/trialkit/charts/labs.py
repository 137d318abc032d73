"""The bias laboratories' figures, for any trial: each filters a grid from :mod:`trialkit.labs` with
Vega-Lite parameters bound to inputs (no kernel), and takes the :class:`trialkit.trials.Trial` the
grid was computed for (arm labels, name, published values to mark). Every figure built on simulated
or SYNTHETIC patients says so in its title or subtitle.
"""

from __future__ import annotations

import math
import textwrap

import altair as alt
import pandas as pd

from trialkit.charts import PALETTE, SYNTHETIC_NOTE
from trialkit.charts.trial import arm_colour, arm_scale, near, simulated_note, with_labels
from trialkit.labs import ALL, ANALYSES, STOPPED
from trialkit.trials import Trial

_ORDINAL = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}


# --- the group-sequential plan ------------------------------------------------------------------------


def boundaries_chart(trial: Trial, plan: pd.DataFrame, stop: dict) -> alt.LayerChart:
    """The recomputed efficacy boundaries (z scale) at the planned looks (:func:`trialkit.labs.interim_plan`),
    and the observed z at the analysis that stopped the trial (:func:`trialkit.labs.stop_check`)."""
    deaths_max = 50 * math.ceil(1.2 * float(plan["deaths"].max()) / 50)
    z_max = max(3.6, round(1.1 * float(max(plan["z"].max(), stop["z_observed"])), 1))
    bounds = plan.assign(what="Recomputed boundary (planned looks)",
                         label=[f"look {k}: z ≥ {z:.2f}" for k, z in zip(plan["look"], plan["z"])])
    observed = pd.DataFrame({"deaths": [stop["deaths"]], "z": [stop["z_observed"]],
                             "what": [f"Observed at the {_ORDINAL.get(stop['look'], str(stop['look']))} interim analysis"],
                             "label": [f"z ≈ {stop['z_observed']:.2f}\n{stop['deaths']} deaths"]})
    colour = alt.Color("what:N", title=None, scale=alt.Scale(domain=[bounds["what"].iloc[0], observed["what"].iloc[0]],
                                                             range=[PALETTE[0], PALETTE[1]]),
                       legend=alt.Legend(orient="top", direction="horizontal"))
    x = alt.X("deaths:Q", title="Deaths observed", scale=alt.Scale(domain=[0, deaths_max]))
    y = alt.Y("z:Q", title=f"Log-rank z favouring {trial.arm_labels[0].lower()}", scale=alt.Scale(domain=[0, z_max]))
    line = alt.Chart(bounds).mark_line(point=alt.OverlayMarkDef(size=80, filled=True)).encode(
        x=x, y=y, color=colour,
        tooltip=[alt.Tooltip("look:Q"), alt.Tooltip("deaths:Q"), alt.Tooltip("z:Q", format=".3f"),
                 alt.Tooltip("nominal_p_two_sided:Q", format=".4f", title="two-sided P below"),
                 alt.Tooltip("hr_boundary:Q", format=".2f", title="HR below")])
    # The boundary falls from look to look: below and to the left of each point, and above and to the
    # right of the observed z, nothing is drawn.
    text = alt.Chart(bounds).mark_text(align="right", dx=-8, dy=14, fontSize=11).encode(x=x, y=y, text="label:N")
    obs = alt.Chart(observed).mark_point(shape="diamond", size=160, filled=True).encode(
        x=x, y=y, color=colour, tooltip=[alt.Tooltip("z:Q", format=".2f"), alt.Tooltip("deaths:Q")])
    obs_text = alt.Chart(observed).mark_text(align="left", baseline="bottom", dx=8, dy=-6, fontSize=11, lineBreak="\n").encode(
        x=x, y=y, text="label:N")
    return alt.layer(line, text, obs, obs_text).properties(
        title={"text": f"{trial.name}'s stopping boundaries, recomputed, and where the trial stopped",
               "subtitle": "Lan–DeMets O'Brien–Fleming-type spending over " + ", ".join(str(d) for d in plan["deaths"]) + " deaths"},
        description=("Line chart of the efficacy boundary on the z scale at "
                     + ", ".join(f"{d} deaths (z {z:.2f})" for d, z in zip(plan["deaths"], plan["z"]))
                     + f", and a diamond at the observed z of about {stop['z_observed']:.2f} at {stop['deaths']} deaths."),
        width=520, height=280,
    )


# --- laboratory 1: stopping early for benefit -------------------------------------------------------


def stopping_lab_chart(trial: Trial, summary: pd.DataFrame, histogram: pd.DataFrame) -> alt.VConcatChart:
    """Distribution of the estimated HR among simulated trials that stopped at an interim analysis versus
    all trials (:func:`trialkit.labs.stopping_lab`), for the true HR chosen with a slider (starting at
    the design's), with the trial's published HR marked."""
    hrs = sorted(summary["true_hr"])
    step = round(hrs[1] - hrs[0], 6) if len(hrs) > 1 else 0.05
    true_hr = alt.param(name="true_hr", value=trial.assumed_hr if trial.assumed_hr in hrs else hrs[0],
                        bind=alt.binding_range(min=hrs[0], max=hrs[-1], step=step, name="True hazard ratio "))
    stopped, everyone = STOPPED, ALL
    colour = alt.Color("group:N", title=None, scale=alt.Scale(domain=[everyone, stopped], range=["#9a9a9a", PALETTE[0]]),
                       legend=alt.Legend(orient="top", direction="vertical"))
    xs = alt.Scale(type="log", domain=[0.35, 1.45], nice=False)
    x = alt.X("bin_start:Q", title="Estimated hazard ratio (log scale)", scale=xs,
              axis=alt.Axis(values=[0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2, 1.4]))
    base = alt.Chart(histogram).transform_filter(near("true_hr", true_hr))
    bars = base.mark_rect(opacity=0.55, stroke="#ffffff", strokeWidth=0.3).encode(
        x=x, x2="bin_end:Q", y=alt.Y("share:Q", title="Share of the group's trials (%)", stack=None,
                                        scale=alt.Scale(domain=[0, 5 * -(-float(histogram["share"].max()) // 5)], nice=False)), y2=alt.datum(0),
        color=colour, tooltip=[alt.Tooltip("group:N"), alt.Tooltip("bin_start:Q", format=".2f", title="from"),
                               alt.Tooltip("bin_end:Q", format=".2f", title="to"), alt.Tooltip("share:Q", format=".1f", title="%")])
    trial.need("primary_hr", by="stopping_lab_chart")
    s = summary.assign(observed=trial.primary_hr[0])
    sbase = alt.Chart(s).transform_filter(near("true_hr", true_hr))
    truth = sbase.mark_rule(color="#000000", strokeWidth=2).encode(x=alt.X("true_hr:Q", scale=xs))
    gm = sbase.mark_rule(color=PALETTE[0], strokeDash=[6, 4], strokeWidth=2).encode(x=alt.X("gm_hr_stopped:Q", scale=xs))
    obs = sbase.mark_rule(color=PALETTE[1], strokeDash=[2, 3], strokeWidth=2).encode(x=alt.X("observed:Q", scale=xs))
    text = sbase.transform_calculate(
        line1="'Trials stopped at an interim: ' + format(datum.share_stopped_early * 100, '.0f') + ' %'",
        line2="'Their average HR: ' + format(datum.gm_hr_stopped, '.2f') + ' (true HR ' + format(datum.true_hr, '.2f') + ')'",
        line3="'Their risk reduction: ' + format((1 - datum.gm_hr_stopped) * 100, '.0f') + "
              "' % (true ' + format((1 - datum.true_hr) * 100, '.0f') + ' %)'",
    )
    t1 = text.mark_text(align="left", x=0, y=8, fontSize=12.5, fontWeight="bold").encode(text="line1:N")
    t2 = text.mark_text(align="left", x=0, y=28, fontSize=12.5).encode(text="line2:N")
    t3 = text.mark_text(align="left", x=0, y=48, fontSize=12.5).encode(text="line3:N")
    panel = alt.layer(t1, t2, t3).properties(width=520, height=56)
    plot = alt.layer(bars, truth, gm, obs).properties(width=520, height=280)
    return alt.vconcat(panel, plot, spacing=6).add_params(true_hr).properties(
        title={"text": "Stopping early for benefit: estimated HRs of SIMULATED trials",
               "subtitle": ["Black: the true HR. Blue dashed: geometric mean of the trials that stopped early.",
                            f"Orange dotted: {trial.name}'s published HR.", simulated_note(trial)]},
        description=(f"Histograms of the estimated hazard ratio among simulated {trial.name}-sized trials that stopped at an "
                     "interim analysis and among all trials, for a true hazard ratio chosen with a slider; the trials "
                     "that stopped early estimate a larger benefit than the truth."),
    )


# --- laboratory 2: who never started treatment ------------------------------------------------------


def withdrawal_lab_chart(trial: Trial, grid: pd.DataFrame, withdrawal_arm: str = "control") -> alt.LayerChart:
    """ITT versus as-treated hazard ratios against the prognosis of the patients never treated
    (:func:`trialkit.labs.withdrawal_lab`), for the true HR (slider) and the share of the arm never
    treated (radio; the trial's published share marked)."""
    which = trial.arms.index(trial.control if withdrawal_arm == "control" else trial.experimental)
    published_fraction = None if trial.never_treated is None else trial.never_treated[which]
    arm_name = trial.arm_labels[which].lower()
    hrs = sorted(grid["true_hr"].unique())
    fractions = sorted(grid["withdrawal_fraction"].unique())
    step = round(hrs[1] - hrs[0], 6) if len(hrs) > 1 else 0.1
    true_hr = alt.param(name="wd_true_hr", value=trial.assumed_hr if trial.assumed_hr in hrs else hrs[0],
                        bind=alt.binding_range(min=hrs[0], max=hrs[-1], step=step, name="True hazard ratio "))
    labels = [f"{100 * f:.0f} %" + (f" ({trial.name})" if published_fraction is not None and abs(f - published_fraction) < 1e-9
                                    else "") for f in fractions]
    start = fractions[len(fractions) // 2] if published_fraction is None else min(fractions, key=lambda f: abs(f - published_fraction))
    fraction = alt.param(name="wd_fraction", value=start,
                         bind=alt.binding_radio(options=fractions, labels=labels, name=f"Share of the {arm_name} arm never treated "))
    names = {"itt": "Intention to treat (everyone as randomised)", "as_treated": "As treated (untreated patients excluded)"}
    data = grid.assign(analysis_label=grid["analysis"].map(names))
    cscale = alt.Scale(domain=list(names.values()), range=[PALETTE[0], PALETTE[1]])
    colour = alt.Color("analysis_label:N", title=None, scale=cscale, legend=alt.Legend(orient="top", direction="vertical"))
    xs = alt.Scale(type="log", domain=[0.45, 3.3], nice=False)
    x = alt.X("withdrawal_hr:Q", scale=xs, title="Death rate of patients never treated, relative to the others (log scale)",
              axis=alt.Axis(values=sorted(grid["withdrawal_hr"].unique()), format=".2~f"))
    ys = alt.Scale(domain=[0.4, 1.4])
    base = alt.Chart(data).transform_filter(near("true_hr", true_hr)).transform_filter(near("withdrawal_fraction", fraction))
    band = base.mark_area(opacity=0.18, clip=True).encode(x=x, y=alt.Y("low:Q", scale=ys, title="Estimated hazard ratio"),
                                               y2="high:Q", color=colour)
    line = base.mark_line(point=True, clip=True).encode(
        x=x, y=alt.Y("median:Q", scale=ys), color=colour,
        tooltip=[alt.Tooltip("analysis_label:N", title="Analysis"), alt.Tooltip("withdrawal_hr:Q", format=".2f", title="relative death rate"),
                 alt.Tooltip("median:Q", format=".3f", title="median HR"), alt.Tooltip("low:Q", format=".2f"), alt.Tooltip("high:Q", format=".2f")])
    truth = alt.Chart(pd.DataFrame({"x": [0]})).transform_calculate(hr=f"{true_hr.name}").mark_rule(color="#000000", strokeDash=[6, 3]).encode(
        y=alt.Y("hr:Q", scale=ys))
    same = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(color="#777777").encode(x=alt.X("x:Q", scale=xs))
    note = alt.Chart(pd.DataFrame({"x": [1.0], "y": [1.38], "t": ["same prognosis"]})).mark_text(align="left", dx=4, fontSize=11).encode(
        x=alt.X("x:Q", scale=xs), y=alt.Y("y:Q", scale=ys), text="t:N")
    return alt.layer(band, line, truth, same, note).add_params(true_hr, fraction).properties(
        title={"text": "Who never started treatment: intention to treat versus as treated",
               "subtitle": ["Lines: median estimate; bands: 95 % of simulated trials. Dashed black line: the true hazard ratio.",
                            "Left of the grey line the untreated patients were fitter than the others, right of it frailer.",
                            simulated_note(trial)]},
        description=("Line chart of the median estimated hazard ratio, with 95 % bands, for the intention-to-treat and the "
                     f"as-treated analyses of simulated trials, against the relative death rate of the {arm_name} patients "
                     "never treated; a slider sets the true hazard ratio and radio buttons the share never treated."),
        width=520, height=300,
    )


# --- laboratory 3: censoring at transplant ----------------------------------------------------------


def transplant_lab_chart(trial: Trial, grid: pd.DataFrame, analyses: dict = ANALYSES) -> alt.LayerChart:
    """Median and 95 % range of the HR under three analyses, for the prognosis gap between transplant
    candidates and the others (slider) and the transplant pattern (radio), from
    :func:`trialkit.labs.transplant_lab`."""
    exp, ctl = (label.lower() for label in trial.arm_labels)
    ncs = sorted(grid["non_candidate_hr"].unique())
    step = round(ncs[1] - ncs[0], 6) if len(ncs) > 1 else 0.5
    gap = alt.param(name="tx_gap", value=ncs[len(ncs) // 2],
                    bind=alt.binding_range(min=ncs[0], max=ncs[-1], step=step,
                                           name="Death rate if never transplanted (× candidates') "))
    patterns = list(dict.fromkeys(grid["pattern"]))
    pattern = alt.param(name="tx_pattern", value=patterns[1] if len(patterns) > 1 else patterns[0],
                        bind=alt.binding_radio(options=patterns, name="Transplant rate among candidates "))
    data = grid.assign(analysis_label=grid["analysis"].map(analyses),
                       shares=[("" if a != "censored_at_transplant" else
                                f"transplanted: {100 * e:.0f} % {exp},\n{100 * c:.0f} % {ctl}")
                               for a, e, c in zip(grid["analysis"], grid["transplanted_experimental"], grid["transplanted_control"])])
    order = list(analyses.values())
    y = alt.Y("analysis_label:N", title=None, sort=order, axis=alt.Axis(labelLimit=330, labelFontSize=12))
    xs = alt.Scale(type="log", domain=[0.45, 1.3], nice=False)
    colour = alt.Color("analysis_label:N", scale=alt.Scale(domain=order, range=["#000000", PALETTE[0], PALETTE[1]]), legend=None)
    base = alt.Chart(data).transform_filter(near("non_candidate_hr", gap)).transform_filter(alt.datum.pattern == pattern)
    rule = base.mark_rule(strokeWidth=3).encode(
        x=alt.X("low:Q", scale=xs, title=f"Estimated hazard ratio, {exp} vs {ctl} (log scale)",
                axis=alt.Axis(values=[0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2])), x2="high:Q", y=y, color=colour)
    point = base.mark_point(filled=True, size=120).encode(
        x=alt.X("median:Q", scale=xs), y=y, color=colour,
        tooltip=[alt.Tooltip("analysis_label:N", title="Analysis"), alt.Tooltip("median:Q", format=".3f", title="median HR"),
                 alt.Tooltip("low:Q", format=".2f"), alt.Tooltip("high:Q", format=".2f"), alt.Tooltip("shares:N", title="")])
    # Each text sits on a white halo (a copy drawn under it, hidden from assistive technology), so that
    # the dashed reference line, which can run through it, never crosses the letters.
    halo = {"stroke": "#ffffff", "strokeWidth": 4, "strokeJoin": "round", "aria": False}
    value_mark = {"align": "left", "dy": -13, "fontSize": 11}
    value_enc = {"x": alt.X("median:Q", scale=xs), "y": y, "text": alt.Text("median:Q", format=".2f")}
    values = [base.mark_text(**value_mark, **halo).encode(**value_enc), base.mark_text(**value_mark).encode(**value_enc)]
    # (on two lines from just inside the plot's left edge, so that it fits beside the axis labels on a phone)
    shares_mark = {"align": "left", "baseline": "middle", "dy": 12, "fontSize": 10.5, "lineHeight": 12, "lineBreak": "\n"}
    shares_enc = {"x": alt.value(4), "y": y, "text": "shares:N"}
    shares = [base.mark_text(**shares_mark, **halo).encode(**shares_enc),
              base.mark_text(**shares_mark, color="#333333").encode(**shares_enc)]
    reference = base.transform_filter(alt.datum.analysis == "no_transplant").mark_rule(color="#000000", strokeDash=[4, 4]).encode(
        x=alt.X("median:Q", scale=xs))
    return alt.layer(reference, rule, point, *values, *shares).add_params(gap, pattern).properties(
        title={"text": "Censoring at transplant: what each analysis estimates",
               "subtitle": ["Points: median over simulated trials; lines: 95 % of trials; dashed: the no-transplant reference.",
                            simulated_note(trial)]},
        description=("Dot-and-interval chart of the hazard ratio estimated three ways in simulated trials: in a world without "
                     "transplant, with all deaths counted (intention to treat), and with follow-up censored at transplant; "
                     "a slider sets how much worse the prognosis of never-transplanted patients is and radio buttons the "
                     "transplant pattern."),
        width=400, height=alt.Step(62),
    )


# --- laboratory 4: converging curves ----------------------------------------------------------------


def rmst_lab_chart(trial: Trial, curves: pd.DataFrame, table: pd.DataFrame, summary: dict) -> alt.VConcatChart:
    """SYNTHETIC Kaplan-Meier curves with the area between them up to a horizon chosen with a slider,
    and the RMST difference (with its 95 % interval) against the horizon (:func:`trialkit.labs.rmst_lab`
    on a dataset of ``trial``'s arms). The read-out of the chosen horizon and the arm names, in the arms'
    colours, stand in a text panel above the curves, never over them: text placed inside the plot
    crossed a curve on a narrow (phone) column, where the plot shrinks but the text does not."""
    exp, ctl = trial.arms
    taus = sorted(table["tau"])
    tau = alt.param(name="tau", value=12.0 if 12.0 in taus else taus[len(taus) // 2],
                    bind=alt.binding_range(min=taus[0], max=taus[-1], step=round(taus[1] - taus[0], 6) if len(taus) > 1 else 1,
                                           name="Horizon τ (months) "))
    long = curves.melt(id_vars="time", var_name="arm", value_name="survival")
    long = with_labels(trial, long).assign(survival=100 * long["survival"])
    wide = curves.assign(b=100 * curves[exp], c=100 * curves[ctl])
    xs = alt.Scale(domain=[0, float(curves["time"].max())], nice=False)
    x = alt.X("time:Q", title="Months since randomisation", scale=xs)
    ys = alt.Scale(domain=[0, 100])
    area = alt.Chart(wide).transform_filter(f"datum.time <= {tau.name}").mark_area(
        interpolate="step-after", color=PALETTE[2], opacity=0.35).encode(x=x, y=alt.Y("c:Q", scale=ys), y2="b:Q")
    lines = alt.Chart(long).mark_line(interpolate="step-after").encode(
        x=x, y=alt.Y("survival:Q", scale=ys, title="Alive (%, SYNTHETIC Kaplan–Meier)"), color=arm_colour(trial, legend=False))
    rule = alt.Chart(pd.DataFrame({"x": [0]})).transform_calculate(t=tau.name).mark_rule(color="#000000", strokeDash=[5, 3]).encode(
        x=alt.X("t:Q", scale=xs))
    # the read-out and the arm names in a panel of their own, one line each (on a phone a fixed-position
    # line is cut at the panel's edge, never drawn over a curve)
    readout = alt.Chart(table).transform_filter(near("tau", tau)).transform_calculate(
        head="'RMST difference to ' + format(datum.tau, '.0f') + ' months'",
        ci="format(datum.difference, '.2f') + ' months (95 % CI ' + format(datum.low, '.2f') + ' to ' + format(datum.high, '.2f') + ')'")
    head = readout.mark_text(align="left", baseline="top", x=0, y=0, fontSize=12.5, fontWeight="bold").encode(text="head:N")
    ci = readout.mark_text(align="left", baseline="top", x=0, y=17, fontSize=11.5).encode(text="ci:N")
    keys = pd.DataFrame({"arm_label": [trial.labels[a] for a in (exp, ctl)], "y": [36.0, 52.0]})
    keys["key"] = "━ " + keys["arm_label"]
    names = alt.Chart(keys).mark_text(align="left", baseline="top", x=0, fontSize=12.5, fontWeight="bold").encode(
        y=alt.Y("y:Q", scale=None, axis=None), text="key:N", color=arm_colour(trial, legend=False))
    panel = alt.layer(head, ci, names).properties(
        width=520, height=66,
        title={"text": "Converging curves: the area between them up to a horizon",
               "subtitle": [f"The median difference ({summary['median_difference']:.1f} months) and the Cox HR ({summary['hr']:.2f}) "
                            "do not depend on the horizon.", "Green: the area between the curves up to τ, the RMST difference.",
                            SYNTHETIC_NOTE]})
    top = alt.layer(area, lines, rule).properties(width=520, height=260)
    txs = alt.Scale(domain=[0, float(max(taus))], nice=False)
    band = alt.Chart(table).mark_area(opacity=0.2, color=PALETTE[2]).encode(
        x=alt.X("tau:Q", scale=txs, title="Horizon τ (months)"),
        y=alt.Y("low:Q", title="RMST difference (months)"), y2="high:Q")
    diff = alt.Chart(table).mark_line(color=PALETTE[2]).encode(x=alt.X("tau:Q", scale=txs), y="difference:Q")
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="#777777").encode(y="y:Q")
    point = alt.Chart(table).transform_filter(near("tau", tau)).mark_point(filled=True, size=120, color="#000000").encode(
        x=alt.X("tau:Q", scale=txs), y="difference:Q",
        tooltip=[alt.Tooltip("tau:Q", title="τ"), alt.Tooltip("difference:Q", format=".2f"), alt.Tooltip("low:Q", format=".2f"),
                 alt.Tooltip("high:Q", format=".2f"), alt.Tooltip("p:Q", format=".3f", title="P")])
    bottom = alt.layer(band, zero, diff, point).properties(
        width=520, height=170, title={"text": f"RMST difference ({trial.arm_labels[0].lower()} − {trial.arm_labels[1].lower()}) by horizon",
                                      "subtitle": "Line: estimate; band: 95 % interval; dot: the chosen horizon", "fontSize": 13})
    return alt.vconcat(panel, top, bottom, spacing=8).add_params(tau).properties(
        description=(f"Two panels on SYNTHETIC {trial.name} overall-survival data: the Kaplan-Meier curves with the area between them "
                     "shaded up to a horizon chosen with a slider, and the restricted mean survival time difference with its "
                     "95 % interval against the horizon, the chosen horizon marked."))


# --- laboratory 5: counting adverse events -----------------------------------------------------------


def exposure_lab_chart(trial: Trial, grid: pd.DataFrame, defaults: dict, published_percent: dict) -> alt.HConcatChart:
    """Crude percent of patients with at least one serious adverse event versus the exposure-adjusted
    rate, for mean exposures chosen per arm (sliders) under a rate scenario (radio).
    ``defaults``: arm -> starting months (on the grid); ``published_percent``: arm -> crude percent."""
    months = sorted(grid["months"].unique())
    step = round(months[1] - months[0], 6)
    sliders = {arm: alt.param(name=f"months_{arm}", value=defaults[arm],
                              bind=alt.binding_range(min=months[0], max=months[-1], step=step,
                                                     name=f"Mean months on {trial.labels[arm].lower()} "))
               for arm in trial.arms}
    scenarios = list(dict.fromkeys(grid["scenario"]))
    scenario = alt.param(name="rate_scenario", value=scenarios[0], bind=alt.binding_select(options=scenarios, name="Event rates "))
    data = with_labels(trial, grid)
    rate_max = 100 * math.ceil(1.05 * float(grid["rate_per_100py"].max()) / 100)
    pick = " || ".join(f"(datum.arm == '{arm}' && abs(datum.months - {sliders[arm].name}) < 1e-6)" for arm in trial.arms)
    base = alt.Chart(data).transform_filter(alt.datum.scenario == scenario).transform_filter(pick)
    x = alt.X("arm_label:N", title=None, sort=list(trial.arm_labels), axis=alt.Axis(labelAngle=0))
    crude = base.mark_bar(size=46).encode(
        x=x, y=alt.Y("crude_percent:Q", title="Patients with ≥ 1 serious event (%)", scale=alt.Scale(domain=[0, 100])),
        color=arm_colour(trial, legend=False),
        tooltip=[alt.Tooltip("arm_label:N", title="Arm"), alt.Tooltip("months:Q", title="months"),
                 alt.Tooltip("crude_percent:Q", format=".1f", title="%")])
    crude_text = base.mark_text(baseline="top", dy=8, fontSize=12.5, fontWeight="bold", color="#ffffff").encode(
        x=x, y="crude_percent:Q", text=alt.Text("crude_percent:Q", format=".1f"))
    pub = pd.DataFrame({"arm_label": [trial.labels[a] for a in published_percent], "percent": list(published_percent.values()),
                        "what": "published"})
    ticks = alt.Chart(pub).mark_tick(color="#000000", thickness=2.5, size=60).encode(
        x=x, y="percent:Q", tooltip=[alt.Tooltip("percent:Q", title="published %")])
    left = alt.layer(crude, ticks, crude_text).properties(
        width=210, height=260, title={"text": "Crude proportion",
                                      "subtitle": "Black ticks: as published (" + ", ".join(f"{v:g} %" for v in published_percent.values()) + ")"})
    rate = base.mark_bar(size=46).encode(
        x=x, y=alt.Y("rate_per_100py:Q", title="Serious events per 100 patient-years", scale=alt.Scale(domain=[0, rate_max])),
        color=arm_colour(trial, legend=False),
        tooltip=[alt.Tooltip("arm_label:N", title="Arm"), alt.Tooltip("rate_per_100py:Q", format=".1f", title="rate")])
    rate_text = base.mark_text(baseline="top", dy=8, fontSize=12.5, fontWeight="bold", color="#ffffff").encode(
        x=x, y="rate_per_100py:Q", text=alt.Text("rate_per_100py:Q", format=".1f"))
    right = alt.layer(rate, rate_text).properties(
        width=210, height=260, title={"text": "Exposure-adjusted rate", "subtitle": "At a constant rate, does not depend on how long patients are treated"})
    return alt.hconcat(left, right).add_params(*sliders.values(), scenario).properties(
        title={"text": "Counting serious adverse events: patients or patient-years?",
               "subtitle": ["Model: serious events at a constant rate while on treatment, every patient with the same exposure.",
                            f"An illustration of the two measures, not {trial.name}'s patient data."]},
        description=("Two bar charts per arm: the percent of patients with at least one serious adverse event, which grows "
                     "with the months of exposure set by two sliders, and the exposure-adjusted event rate, which does not; "
                     "radio buttons switch between the published rates and equal rates in both arms."))


# --- appraisal: ESMO-MCBS sensitivity ---------------------------------------------------------------

#: Longest line of the ESMO read-out (characters at 11.5 px): fits a 358 px phone column beside the axis gutter.
READOUT_CHARS = 40


def esmo_sensitivity_chart(trial: Trial, grid: pd.DataFrame, qol_credit: bool = True, tail_route: bool = True) -> alt.VConcatChart:
    """ESMO-MCBS form 2a grade of the trial's overall survival against the gain in median OS, for the
    hazard ratio number the reader picks (select), the gain (slider, starting at the published gain),
    the quality-of-life credit (checkbox, ticked when ``qol_credit``) and, when ``grid`` has the
    tail-of-the-curve route (column ``tail``), that route (checkbox, ticked when ``tail_route``).
    ``grid``: :func:`trialkit.labs.esmo_grid`."""
    trial.need("primary_median_gain", by="esmo_sensitivity_chart")
    for name, flag in (("qol_credit", qol_credit), ("tail_route", tail_route)):
        if not isinstance(flag, bool):
            raise ValueError(f"{name} must be True or False, got {flag!r}")
    published_gain = trial.primary_median_gain
    labels = list(dict.fromkeys(grid["hr_label"]))
    gains = sorted(grid["gain"].unique())
    hr_pick = alt.param(name="esmo_hr", value=labels[0], bind=alt.binding_select(options=labels, name="Hazard ratio entered "))
    gain = alt.param(name="esmo_gain", value=min(gains, key=lambda g: abs(g - published_gain)),
                     bind=alt.binding_range(min=gains[0], max=gains[-1], step=round(gains[1] - gains[0], 6),
                                            name="Gain in median OS (months) "))
    qol = alt.param(name="esmo_qol", value=qol_credit, bind=alt.binding_checkbox(name="Credit the quality-of-life improvement "))
    tail_col = grid["tail"] if "tail" in grid else pd.Series(False, index=grid.index)
    has_tail = bool(tail_col.any())
    # the read-out, wrapped in Python to lines short enough for a phone column (a fixed-position line
    # is cut at the panel's edge there): the hazard ratio entered, then the module's reasons
    readout = ["|".join([f"HR entered: {h:.2f}"] + [ln for r in reasons.split("; ") for ln in textwrap.wrap(r, READOUT_CHARS)])
               for h, reasons in zip(grid["hr_used"], grid["reasons"])]
    data = grid.assign(qol_num=grid["qol"].astype(int), tail_num=tail_col.astype(int), readout=readout)
    base = alt.Chart(data).transform_filter(alt.datum.hr_label == hr_pick).transform_filter(
        f"datum.qol_num == ({qol.name} ? 1 : 0)")
    inputs = [hr_pick, gain, qol]
    if has_tail:
        trial.need("landmark_years", by="esmo_sensitivity_chart (tail route)")
        tail = alt.param(name="esmo_tail", value=tail_route,
                         bind=alt.binding_checkbox(name=f"Count the {trial.landmark_years:g}-year survival gain "))
        base = base.transform_filter(f"datum.tail_num == ({tail.name} ? 1 : 0)")
        inputs.append(tail)
    else:
        base = base.transform_filter("datum.tail_num == 0")
    xs = alt.Scale(domain=[gains[0], gains[-1]], nice=False)
    ys = alt.Scale(domain=[0.5, 5.5], nice=False)
    x = alt.X("gain:Q", title="Gain in median OS (months)", scale=xs)
    line = base.mark_line(interpolate="step-after", color=PALETTE[0]).encode(
        x=x, y=alt.Y("grade:Q", title="ESMO-MCBS grade (form 2a)", scale=ys, axis=alt.Axis(values=[1, 2, 3, 4, 5], format="d")))
    here = base.transform_filter(near("gain", gain))
    point = here.mark_point(filled=True, size=160, color=PALETTE[1], stroke="#000000").encode(
        x=x, y=alt.Y("grade:Q", scale=ys), tooltip=[alt.Tooltip("gain:Q", format=".1f"), alt.Tooltip("grade:Q"), alt.Tooltip("reasons:N")])
    pub = alt.Chart(pd.DataFrame({"g": [published_gain], "t": ["published gain"]}))
    pub_rule = pub.mark_rule(strokeDash=[5, 4], color="#555555").encode(x=alt.X("g:Q", scale=xs))
    pub_text = pub.mark_text(align="left", dx=4, y=8, fontSize=11, color="#333333").encode(x=alt.X("g:Q", scale=xs), text="t:N")
    plot = alt.layer(line, pub_rule, pub_text, point).properties(width=520, height=220)
    read = here.transform_calculate(
        head="'Grade ' + datum.grade + ' (preliminary grade ' + datum.preliminary + ')'",
        lines="split(datum.readout, '|')")
    t1 = read.mark_text(align="left", baseline="top", x=0, y=0, fontSize=14, fontWeight="bold").encode(text="head:N")
    t2 = read.mark_text(align="left", baseline="top", x=0, y=22, fontSize=11.5, lineHeight=15).encode(text="lines:N")
    n_lines = max(r.count("|") + 1 for r in readout)
    panel = alt.layer(t1, t2).properties(width=520, height=max(70, 26 + 15 * n_lines))
    # (what the form reads and how the interval was re-expressed is said in the page's text: a short
    # subtitle leaves the plot its height on a phone)
    subtitle = ["Form 2a (trialkit.appraisal.esmo); the form reads the lower 95 % limit"
                + ("" if abs(trial.primary_hr_level - 0.95) <= 1e-12
                   else f", here re-expressed from the printed {100 * trial.primary_hr_level:g} %")]
    return alt.vconcat(panel, plot, spacing=6).add_params(*inputs).properties(
        title={"text": f"ESMO-MCBS v1.1 grade of {trial.name}'s overall survival, and its inputs", "subtitle": subtitle},
        description=(f"Step chart of the ESMO-MCBS form 2a grade against the gain in median overall survival for {trial.name}, for "
                     "the hazard-ratio number chosen in a drop-down, the gain set with a slider and the quality-of-life "
                     "credit set with a checkbox" + ("; a second checkbox adds the route through the landmark survival gain"
                                                     if has_tail else "")
                     + "; a text line reads out the grade and the module's reasons."))

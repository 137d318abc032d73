"""Figures of the TOWER chapter: balance of Table 1, the interim boundaries, the results, and the five
bias laboratories (interactive through Vega-Lite parameters over grids from :mod:`trialkit.labs`).

Chapters import this module as ``from trialkit.charts import tower``. Every figure built on simulated
or SYNTHETIC patients says so in its title or subtitle.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from trialkit.charts import PALETTE, SYNTHETIC_NOTE

ARM_LABELS = {"blinatumomab": "Blinatumomab", "chemotherapy": "Chemotherapy"}
ARM_SCALE = alt.Scale(domain=list(ARM_LABELS.values()), range=[PALETTE[0], PALETTE[1]])
SIMULATED_NOTE = "SIMULATED trials (SYNTHETIC patients) of TOWER's size, not the trial's data."
#: Short labels for long Table 1 characteristics (axis labels only).
SHORT_NAMES = {
    "Race (investigator-determined)": "Race",
    "Hispanic ethnic group": "Hispanic",
    "Geographic region": "Region",
    "ECOG performance status": "ECOG",
    "Key trial inclusion criterion": "Inclusion",
    "Previous allogeneic stem-cell transplantation": "Previous allo-SCT",
    "Salvage-treatment phase": "Salvage phase",
    "Maximum central or local bone marrow blasts": "Marrow blasts",
    "Peripheral blast count in blood": "Peripheral blasts",
}


def _arm_colour(title: str | None = "Arm", legend: bool = True, orient: str = "top") -> alt.Color:
    return alt.Color("arm_label:N", title=title, scale=ARM_SCALE,
                     legend=alt.Legend(orient=orient, direction="horizontal" if orient == "top" else "vertical",
                                       fillColor="#ffffff" if orient != "top" else None) if legend else None)


def _near(field: str, param: alt.Parameter, tol: float = 1e-6):
    """A filter expression: the grid value equals the parameter's (floating-point tolerant)."""
    return f"abs(datum['{field}'] - {param.name}) < {tol}"


# --- design -----------------------------------------------------------------------------------------


def balance_plot(balance: pd.DataFrame) -> alt.LayerChart:
    """Standardised differences of every line of Table 1 (from :func:`trialkit.baseline.balance`),
    blinatumomab minus chemotherapy, with the conventional |d| < 0.1 band."""
    frame = balance.dropna(subset=["std_difference"]).copy()
    short = {k.lower(): v for k, v in SHORT_NAMES.items()}
    names = [short.get(c.lower(), c) for c in frame["characteristic"]]
    frame["line"] = [f"{c}: {k}" if k else f"{c} (mean)" for c, k in zip(names, frame["category"])]
    frame["size"] = np.where(frame["std_difference"].abs() >= 0.1, "|d| ≥ 0.1", "|d| < 0.1")
    order = list(frame["line"])
    y = alt.Y("line:N", sort=order, title=None, axis=alt.Axis(labelLimit=330))
    band = alt.Chart(pd.DataFrame({"lo": [-0.1], "hi": [0.1]})).mark_rect(color="#e8e8e8").encode(x="lo:Q", x2="hi:Q")
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#555555").encode(x="x:Q")
    points = alt.Chart(frame).mark_point(filled=True, size=70).encode(
        x=alt.X("std_difference:Q", title="Standardised difference (blinatumomab − chemotherapy)",
                scale=alt.Scale(domain=[-0.3, 0.3])),
        y=y,
        color=alt.Color("size:N", title=None, scale=alt.Scale(domain=["|d| < 0.1", "|d| ≥ 0.1"], range=[PALETTE[0], PALETTE[1]]),
                        legend=alt.Legend(orient="top", direction="horizontal")),
        shape=alt.Shape("size:N", scale=alt.Scale(domain=["|d| < 0.1", "|d| ≥ 0.1"], range=["circle", "diamond"]), legend=None),
        tooltip=[alt.Tooltip("line:N", title="Characteristic"), alt.Tooltip("std_difference:Q", format="+.3f", title="d")],
    )
    return alt.layer(band, zero, points).properties(
        title={"text": "Balance of TOWER's Table 1: standardised differences",
               "subtitle": "Grey band: |d| < 0.1, the usual threshold for a negligible difference. Source: Table 1 of the publication."},
        description=("Dot plot of the standardised difference, blinatumomab minus chemotherapy, for every line of TOWER's "
                     "Table 1; most lie within plus or minus 0.1, a few (salvage phase, marrow blasts, missing or "
                     "unspecified categories) slightly beyond."),
        width=260, height=15 * len(frame),
    )


def boundaries_chart(plan: pd.DataFrame, stop: dict) -> alt.LayerChart:
    """The recomputed efficacy boundaries (z scale) at the planned looks, and the observed z at the
    second interim analysis (from the published hazard ratio's interval)."""
    bounds = plan.assign(what="Recomputed boundary (planned looks)",
                         label=[f"look {k}: z ≥ {z:.2f}" for k, z in zip(plan["look"], plan["z"])])
    observed = pd.DataFrame({"deaths": [stop["deaths"]], "z": [stop["z_observed"]],
                             "what": ["Observed at the second interim analysis"],
                             "label": [f"observed z ≈ {stop['z_observed']:.2f} at {stop['deaths']} deaths"]})
    colour = alt.Color("what:N", title=None, scale=alt.Scale(domain=[bounds["what"].iloc[0], observed["what"].iloc[0]],
                                                             range=[PALETTE[0], PALETTE[1]]),
                       legend=alt.Legend(orient="top", direction="horizontal"))
    x = alt.X("deaths:Q", title="Deaths observed", scale=alt.Scale(domain=[0, 400]))
    y = alt.Y("z:Q", title="Log-rank z favouring blinatumomab", scale=alt.Scale(domain=[0, 3.6]))
    line = alt.Chart(bounds).mark_line(point=alt.OverlayMarkDef(size=80, filled=True)).encode(
        x=x, y=y, color=colour,
        tooltip=[alt.Tooltip("look:Q"), alt.Tooltip("deaths:Q"), alt.Tooltip("z:Q", format=".3f"),
                 alt.Tooltip("nominal_p_two_sided:Q", format=".4f", title="two-sided P below"),
                 alt.Tooltip("hr_boundary:Q", format=".2f", title="HR below")])
    text = alt.Chart(bounds).mark_text(align="center", dy=20, fontSize=11).encode(x=x, y=y, text="label:N")
    obs = alt.Chart(observed).mark_point(shape="diamond", size=160, filled=True).encode(
        x=x, y=y, color=colour, tooltip=[alt.Tooltip("z:Q", format=".2f"), alt.Tooltip("deaths:Q")])
    obs_text = alt.Chart(observed).mark_text(align="left", dx=12, dy=0, fontSize=11).encode(x=x, y=y, text="label:N")
    return alt.layer(line, text, obs, obs_text).properties(
        title={"text": "TOWER's stopping boundaries, recomputed, and where the trial stopped",
               "subtitle": "Lan–DeMets O'Brien–Fleming-type spending over " + ", ".join(str(d) for d in plan["deaths"]) + " deaths"},
        description=("Line chart of the efficacy boundary on the z scale at "
                     + ", ".join(f"{d} deaths (z {z:.2f})" for d, z in zip(plan["deaths"], plan["z"]))
                     + f", and a diamond at the observed z of about {stop['z_observed']:.2f} at {stop['deaths']} deaths."),
        width=520, height=280,
    )


# --- results ----------------------------------------------------------------------------------------


def remission_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """Remission rates with their published exact 95 % intervals. ``frame``: response, arm, percent,
    low, high (percent)."""
    frame = frame.assign(arm_label=frame["arm"].map(ARM_LABELS))
    y = alt.Y("response:N", title=None, sort=list(dict.fromkeys(frame["response"])), axis=alt.Axis(labelLimit=300))
    yoff = alt.YOffset("arm_label:N", sort=list(ARM_LABELS.values()))
    x = alt.X("percent:Q", title="Patients in remission within 12 weeks (%, 95 % CI)", scale=alt.Scale(domain=[0, 60]))
    bars = alt.Chart(frame).mark_rule(strokeWidth=2.5).encode(x=alt.X("low:Q", scale=alt.Scale(domain=[0, 60])), x2="high:Q",
                                                              y=y, yOffset=yoff, color=_arm_colour())
    points = alt.Chart(frame).mark_point(filled=True, size=90).encode(
        x=x, y=y, yOffset=yoff, color=_arm_colour(),
        tooltip=[alt.Tooltip("response:N"), alt.Tooltip("arm_label:N", title="Arm"),
                 alt.Tooltip("percent:Q", format=".1f", title="%"), alt.Tooltip("low:Q", format=".1f"),
                 alt.Tooltip("high:Q", format=".1f")])
    return alt.layer(bars, points).properties(
        title={"text": "Remission within 12 weeks, all randomised patients",
               "subtitle": "Points: percent of patients; lines: exact 95 % intervals (Table 2 of the publication, recomputed)"},
        description="Dot-and-interval chart of complete remission and of CR, CRh or CRi in each arm with exact 95 % confidence intervals.",
        width=460, height=alt.Step(26),
    )


def efs_ceiling_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """What TOWER's event-free survival rule implies: non-responders fail on day 1, so the curve drops
    at once to the remission rate; only the 6-month estimate is published after that.
    ``frame``: arm, time (months), efs (percent), kind ("known" or "unknown path")."""
    frame = frame.assign(arm_label=frame["arm"].map(ARM_LABELS))
    x = alt.X("time:Q", title="Months since randomisation", scale=alt.Scale(domain=[0, 6.5]))
    y = alt.Y("efs:Q", title="Event-free (%)", scale=alt.Scale(domain=[0, 100]))
    known = alt.Chart(frame[frame["kind"] == "known"]).mark_line(interpolate="step-after").encode(
        x=x, y=y, color=_arm_colour(), detail="arm_label:N")
    unknown = alt.Chart(frame[frame["kind"] != "known"]).mark_line(strokeDash=[5, 4]).encode(
        x=x, y=y, color=_arm_colour(), detail="arm_label:N")
    pts = alt.Chart(frame[frame["label"] != ""]).mark_point(filled=True, size=70).encode(
        x=x, y=y, color=_arm_colour(), tooltip=[alt.Tooltip("arm_label:N", title="Arm"), alt.Tooltip("label:N", title="Point")])
    lab = frame[frame["label"] != ""]
    labels = alt.layer(*[alt.Chart(lab[(lab["time"] > 1) == late]).mark_text(
        align="right" if late else "left", dx=-8 if late else 8, dy=-10, fontSize=11).encode(
        x=x, y=y, text="label:N", color=alt.Color("arm_label:N", scale=ARM_SCALE, legend=None)) for late in (False, True)])
    return alt.layer(known, unknown, pts, labels).properties(
        title={"text": "Event-free survival when non-responders fail on day 1",
               "subtitle": ["Solid: fixed by the rule and Table 2 (the drop to the remission rate on day 1).",
                            "Dashed: the path is unknown; only the 6-month estimate is published."]},
        description=("Sketch of TOWER's event-free survival: each arm drops on day 1 to its CR/CRh/CRi rate, then follows "
                     "an unknown path to the published 6-month estimate. "
                     + " ".join(f"{r.arm_label}: {r.label}." for r in frame[frame["label"] != ""].itertuples())),
        width=520, height=280,
    )


def synthetic_km_chart(curves: pd.DataFrame, anchors: pd.DataFrame, title: str, y_title: str) -> alt.LayerChart:
    """Kaplan-Meier curves of a SYNTHETIC dataset with the published points it was built through.
    ``curves``: arm, time, survival; ``anchors``: arm, time, survival, what."""
    curves = curves.assign(arm_label=curves["arm"].map(ARM_LABELS), survival=100 * curves["survival"])
    anchors = anchors.assign(arm_label=anchors["arm"].map(ARM_LABELS), survival=100 * anchors["survival"])
    x = alt.X("time:Q", title="Months since randomisation")
    y = alt.Y("survival:Q", title=y_title, scale=alt.Scale(domain=[0, 100]))
    lines = alt.Chart(curves).mark_line(interpolate="step-after").encode(x=x, y=y, color=_arm_colour())
    points = alt.Chart(anchors).mark_point(shape="diamond", size=110, filled=True, stroke="#000000", strokeWidth=0.8).encode(
        x=x, y=y, color=_arm_colour(),
        tooltip=[alt.Tooltip("arm_label:N", title="Arm"), alt.Tooltip("what:N"), alt.Tooltip("time:Q", format=".1f", title="months"),
                 alt.Tooltip("survival:Q", format=".1f", title="%")])
    return alt.layer(lines, points).properties(
        title={"text": title, "subtitle": ["Diamonds: the published medians and 6-month rates the SYNTHETIC curves were built through.",
                                           SYNTHETIC_NOTE]},
        description=("Kaplan-Meier curves of SYNTHETIC overall-survival data for the two arms of TOWER, passing through the "
                     "published medians and 6-month survival rates shown as diamonds."),
        width=520, height=300,
    )


def adverse_events_chart(frame: pd.DataFrame, treated: dict | None = None) -> alt.LayerChart:
    """Grade 3 or higher adverse events of interest (Table 3): percent of treated patients per arm.
    ``frame``: event, arm, percent; ``treated``: arm -> number of treated patients (for the subtitle)."""
    frame = frame.assign(arm_label=frame["arm"].map(ARM_LABELS))
    order = list(frame[frame["arm"] == "blinatumomab"].sort_values("percent", ascending=False)["event"])
    y = alt.Y("event:N", title=None, sort=order, axis=alt.Axis(labelLimit=260))
    rule = alt.Chart(frame).mark_rule(color="#999999").encode(
        x=alt.X("min(percent):Q", title="Treated patients with the event (%)"), x2="max(percent):Q", y=y)
    pts = alt.Chart(frame).mark_point(filled=True, size=90).encode(
        x="percent:Q", y=y, color=_arm_colour(), shape=alt.Shape("arm_label:N", scale=alt.Scale(domain=list(ARM_LABELS.values()), range=["circle", "square"]), legend=None),
        tooltip=[alt.Tooltip("event:N"), alt.Tooltip("arm_label:N", title="Arm"), alt.Tooltip("percent:Q", format=".1f", title="%")])
    return alt.layer(rule, pts).properties(
        title={"text": "Grade 3 or higher adverse events of interest",
               "subtitle": "Percent of treated patients" + (" (" + ", ".join(f"{n} {a}" for a, n in treated.items()) + ")"
                                                            if treated else "") + "; Table 3 of the publication"},
        description="Dot plot of the percent of treated patients with each grade 3 or higher adverse event of interest, by arm.",
        width=440, height=alt.Step(24),
    )


# --- laboratory 1: stopping early for benefit -------------------------------------------------------


def stopping_lab_chart(summary: pd.DataFrame, histogram: pd.DataFrame, observed_hr: float, groups: tuple[str, str]) -> alt.LayerChart:
    """Distribution of the estimated HR among simulated trials that stopped at an interim analysis versus
    all trials, for the true HR chosen with a slider. ``groups``: (stopped label, all label)."""
    hrs = sorted(summary["true_hr"])
    step = round(hrs[1] - hrs[0], 6) if len(hrs) > 1 else 0.05
    true_hr = alt.param(name="true_hr", value=0.7 if 0.7 in hrs else hrs[0],
                        bind=alt.binding_range(min=hrs[0], max=hrs[-1], step=step, name="True hazard ratio "))
    stopped, everyone = groups
    colour = alt.Color("group:N", title=None, scale=alt.Scale(domain=[everyone, stopped], range=["#9a9a9a", PALETTE[0]]),
                       legend=alt.Legend(orient="top", direction="vertical"))
    xs = alt.Scale(type="log", domain=[0.35, 1.45], nice=False)
    x = alt.X("bin_start:Q", title="Estimated hazard ratio (log scale)", scale=xs,
              axis=alt.Axis(values=[0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2, 1.4]))
    base = alt.Chart(histogram).transform_filter(_near("true_hr", true_hr))
    bars = base.mark_rect(opacity=0.55, stroke="#ffffff", strokeWidth=0.3).encode(
        x=x, x2="bin_end:Q", y=alt.Y("share:Q", title="Share of the group's trials (%)", stack=None,
                                        scale=alt.Scale(domain=[0, 5 * -(-float(histogram["share"].max()) // 5)], nice=False)), y2=alt.datum(0),
        color=colour, tooltip=[alt.Tooltip("group:N"), alt.Tooltip("bin_start:Q", format=".2f", title="from"),
                               alt.Tooltip("bin_end:Q", format=".2f", title="to"), alt.Tooltip("share:Q", format=".1f", title="%")])
    s = summary.assign(observed=observed_hr)
    sbase = alt.Chart(s).transform_filter(_near("true_hr", true_hr))
    truth = sbase.mark_rule(color="#000000", strokeWidth=2).encode(x=alt.X("true_hr:Q", scale=xs))
    gm = sbase.mark_rule(color=PALETTE[0], strokeDash=[6, 4], strokeWidth=2).encode(x=alt.X("gm_hr_stopped:Q", scale=xs))
    obs = sbase.mark_rule(color=PALETTE[1], strokeDash=[2, 3], strokeWidth=2).encode(x=alt.X("observed:Q", scale=xs))
    text = sbase.transform_calculate(
        line1="'Trials that stopped at an interim analysis: ' + format(datum.share_stopped_early * 100, '.0f') + ' %'",
        line2="'Their average estimated HR: ' + format(datum.gm_hr_stopped, '.2f') + ', against a true HR of ' + format(datum.true_hr, '.2f')",
        line3="'Reduction in the risk of death they report: ' + format((1 - datum.gm_hr_stopped) * 100, '.0f') + "
              "' %, against a true ' + format((1 - datum.true_hr) * 100, '.0f') + ' %'",
    )
    t1 = text.mark_text(align="left", x=0, y=8, fontSize=12.5, fontWeight="bold").encode(text="line1:N")
    t2 = text.mark_text(align="left", x=0, y=28, fontSize=12.5).encode(text="line2:N")
    t3 = text.mark_text(align="left", x=0, y=48, fontSize=12.5).encode(text="line3:N")
    panel = alt.layer(t1, t2, t3).properties(width=520, height=56)
    plot = alt.layer(bars, truth, gm, obs).properties(width=520, height=280)
    return alt.vconcat(panel, plot, spacing=6).add_params(true_hr).properties(
        title={"text": "Stopping early for benefit: estimated HRs of SIMULATED trials",
               "subtitle": ["Black: the true HR. Blue dashed: geometric mean of the trials that stopped early.",
                            "Orange dotted: TOWER's published HR.", SIMULATED_NOTE]},
        description=("Histograms of the estimated hazard ratio among simulated TOWER-sized trials that stopped at an "
                     "interim analysis and among all trials, for a true hazard ratio chosen with a slider; the trials "
                     "that stopped early estimate a larger benefit than the truth."),
    )


# --- laboratory 2: who never started treatment ------------------------------------------------------


def withdrawal_lab_chart(grid: pd.DataFrame, published_fraction: float) -> alt.LayerChart:
    """ITT versus as-treated hazard ratios against the prognosis of the patients who withdrew, for the
    true HR (slider) and the share of the chemotherapy arm that withdrew (radio)."""
    hrs = sorted(grid["true_hr"].unique())
    fractions = sorted(grid["withdrawal_fraction"].unique())
    step = round(hrs[1] - hrs[0], 6) if len(hrs) > 1 else 0.1
    true_hr = alt.param(name="wd_true_hr", value=0.7 if 0.7 in hrs else hrs[0],
                        bind=alt.binding_range(min=hrs[0], max=hrs[-1], step=step, name="True hazard ratio "))
    labels = [f"{100 * f:.0f} %" + (" (TOWER)" if abs(f - published_fraction) < 1e-9 else "") for f in fractions]
    fraction = alt.param(name="wd_fraction", value=min(fractions, key=lambda f: abs(f - published_fraction)),
                         bind=alt.binding_radio(options=fractions, labels=labels, name="Share who withdrew "))
    names = {"itt": "Intention to treat (everyone as randomised)", "as_treated": "As treated (withdrawn patients excluded)"}
    data = grid.assign(analysis_label=grid["analysis"].map(names))
    cscale = alt.Scale(domain=list(names.values()), range=[PALETTE[0], PALETTE[1]])
    colour = alt.Color("analysis_label:N", title=None, scale=cscale, legend=alt.Legend(orient="top", direction="vertical"))
    xs = alt.Scale(type="log", domain=[0.45, 3.3], nice=False)
    x = alt.X("withdrawal_hr:Q", scale=xs, title="Death rate of patients who withdrew, relative to the others (log scale)",
              axis=alt.Axis(values=sorted(grid["withdrawal_hr"].unique()), format=".2~f"))
    ys = alt.Scale(domain=[0.4, 1.4])
    base = alt.Chart(data).transform_filter(_near("true_hr", true_hr)).transform_filter(_near("withdrawal_fraction", fraction))
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
                            "Left of the grey line the patients who withdrew were fitter than the others, right of it frailer.",
                            SIMULATED_NOTE]},
        description=("Line chart of the median estimated hazard ratio, with 95 % bands, for the intention-to-treat and the "
                     "as-treated analyses of simulated trials, against the relative death rate of the chemotherapy patients "
                     "who withdrew before treatment; a slider sets the true hazard ratio and radio buttons the share who withdrew."),
        width=520, height=300,
    )


# --- laboratory 3: censoring at transplant ----------------------------------------------------------


def transplant_lab_chart(grid: pd.DataFrame, analyses: dict) -> alt.LayerChart:
    """Median and 95 % range of the HR under three analyses, for the prognosis gap between transplant
    candidates and the others (slider) and the transplant pattern (radio)."""
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
                                f"transplanted: {100 * e:.0f} % blinatumomab, {100 * c:.0f} % chemotherapy")
                               for a, e, c in zip(grid["analysis"], grid["transplanted_experimental"], grid["transplanted_control"])])
    order = list(analyses.values())
    y = alt.Y("analysis_label:N", title=None, sort=order, axis=alt.Axis(labelLimit=330, labelFontSize=12))
    xs = alt.Scale(type="log", domain=[0.45, 1.3], nice=False)
    colour = alt.Color("analysis_label:N", scale=alt.Scale(domain=order, range=["#000000", PALETTE[0], PALETTE[1]]), legend=None)
    base = alt.Chart(data).transform_filter(_near("non_candidate_hr", gap)).transform_filter(alt.datum.pattern == pattern)
    rule = base.mark_rule(strokeWidth=3).encode(
        x=alt.X("low:Q", scale=xs, title="Estimated hazard ratio, blinatumomab vs chemotherapy (log scale)",
                axis=alt.Axis(values=[0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2])), x2="high:Q", y=y, color=colour)
    point = base.mark_point(filled=True, size=120).encode(
        x=alt.X("median:Q", scale=xs), y=y, color=colour,
        tooltip=[alt.Tooltip("analysis_label:N", title="Analysis"), alt.Tooltip("median:Q", format=".3f", title="median HR"),
                 alt.Tooltip("low:Q", format=".2f"), alt.Tooltip("high:Q", format=".2f"), alt.Tooltip("shares:N", title="")])
    value = base.mark_text(align="left", dy=-13, fontSize=11).encode(
        x=alt.X("median:Q", scale=xs), y=y, text=alt.Text("median:Q", format=".2f"))
    shares = base.mark_text(align="left", dy=15, fontSize=10.5, color="#333333").encode(
        x=alt.X("low:Q", scale=xs), y=y, text="shares:N")
    reference = base.transform_filter(alt.datum.analysis == "no_transplant").mark_rule(color="#000000", strokeDash=[4, 4]).encode(
        x=alt.X("median:Q", scale=xs))
    return alt.layer(reference, rule, point, value, shares).add_params(gap, pattern).properties(
        title={"text": "Censoring at transplant: what each analysis estimates",
               "subtitle": ["Points: median over simulated trials; lines: 95 % of trials; dashed: the no-transplant reference.",
                            SIMULATED_NOTE]},
        description=("Dot-and-interval chart of the hazard ratio estimated three ways in simulated trials: in a world without "
                     "transplant, with all deaths counted (intention to treat), and with follow-up censored at transplant; "
                     "a slider sets how much worse the prognosis of never-transplanted patients is and radio buttons the "
                     "transplant pattern."),
        width=400, height=alt.Step(62),
    )


# --- laboratory 4: converging curves ----------------------------------------------------------------


def rmst_lab_chart(curves: pd.DataFrame, table: pd.DataFrame, summary: dict) -> alt.VConcatChart:
    """SYNTHETIC Kaplan-Meier curves with the area between them up to a horizon chosen with a slider,
    and the RMST difference (with its 95 % interval) against the horizon."""
    taus = sorted(table["tau"])
    tau = alt.param(name="tau", value=12.0 if 12.0 in taus else taus[len(taus) // 2],
                    bind=alt.binding_range(min=taus[0], max=taus[-1], step=round(taus[1] - taus[0], 6) if len(taus) > 1 else 1,
                                           name="Horizon τ (months) "))
    long = curves.melt(id_vars="time", var_name="arm", value_name="survival")
    long = long.assign(arm_label=long["arm"].map(ARM_LABELS), survival=100 * long["survival"])
    wide = curves.assign(b=100 * curves["blinatumomab"], c=100 * curves["chemotherapy"])
    xs = alt.Scale(domain=[0, float(curves["time"].max())], nice=False)
    x = alt.X("time:Q", title="Months since randomisation", scale=xs)
    ys = alt.Scale(domain=[0, 100])
    area = alt.Chart(wide).transform_filter(f"datum.time <= {tau.name}").mark_area(
        interpolate="step-after", color=PALETTE[2], opacity=0.35).encode(x=x, y=alt.Y("c:Q", scale=ys), y2="b:Q")
    lines = alt.Chart(long).mark_line(interpolate="step-after").encode(
        x=x, y=alt.Y("survival:Q", scale=ys, title="Alive (%, SYNTHETIC Kaplan–Meier)"), color=_arm_colour(legend=False))
    # direct labels instead of a legend (a concatenated chart places legends apart from their panel)
    at = {"blinatumomab": (9.0, 8.0, "left"), "chemotherapy": (4.5, -12.0, "left")}
    tags = pd.DataFrame([{"time": t, "survival": 100 * float(curves.loc[(curves["time"] - t).abs().idxmin(), arm]) + dy,
                          "arm_label": ARM_LABELS[arm], "align": al} for arm, (t, dy, al) in at.items()])
    names = alt.layer(*[alt.Chart(tags[tags["align"] == al]).mark_text(align=al, fontSize=12.5, fontWeight="bold").encode(
        x=x, y=alt.Y("survival:Q", scale=ys), text="arm_label:N", color=_arm_colour(legend=False)) for al in ("left", "right")])
    rule = alt.Chart(pd.DataFrame({"x": [0]})).transform_calculate(t=tau.name).mark_rule(color="#000000", strokeDash=[5, 3]).encode(
        x=alt.X("t:Q", scale=xs))
    label = alt.Chart(table).transform_filter(_near("tau", tau)).transform_calculate(
        text="'RMST difference to ' + format(datum.tau, '.0f') + ' months: ' + format(datum.difference, '.2f') + "
             "' months (95 % CI ' + format(datum.low, '.2f') + ' to ' + format(datum.high, '.2f') + ')'"
    ).mark_text(align="right", x=515, y=12, fontSize=12, fontWeight="bold").encode(text="text:N")
    top = alt.layer(area, lines, names, rule, label).properties(
        width=520, height=260,
        title={"text": "Converging curves: the area between them up to a horizon",
               "subtitle": [f"The median difference ({summary['median_difference']:.1f} months) and the Cox HR ({summary['hr']:.2f}) "
                            "do not depend on the horizon.", "Green: the area between the curves up to τ, the RMST difference.",
                            SYNTHETIC_NOTE]})
    txs = alt.Scale(domain=[0, float(max(taus))], nice=False)
    band = alt.Chart(table).mark_area(opacity=0.2, color=PALETTE[2]).encode(
        x=alt.X("tau:Q", scale=txs, title="Horizon τ (months)"),
        y=alt.Y("low:Q", title="RMST difference (months)"), y2="high:Q")
    diff = alt.Chart(table).mark_line(color=PALETTE[2]).encode(x=alt.X("tau:Q", scale=txs), y="difference:Q")
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="#777777").encode(y="y:Q")
    point = alt.Chart(table).transform_filter(_near("tau", tau)).mark_point(filled=True, size=120, color="#000000").encode(
        x=alt.X("tau:Q", scale=txs), y="difference:Q",
        tooltip=[alt.Tooltip("tau:Q", title="τ"), alt.Tooltip("difference:Q", format=".2f"), alt.Tooltip("low:Q", format=".2f"),
                 alt.Tooltip("high:Q", format=".2f"), alt.Tooltip("p:Q", format=".3f", title="P")])
    bottom = alt.layer(band, zero, diff, point).properties(
        width=520, height=170, title={"text": "RMST difference (blinatumomab − chemotherapy) by horizon",
                                      "subtitle": "Line: estimate; band: 95 % interval; dot: the chosen horizon", "fontSize": 13})
    return alt.vconcat(top, bottom).add_params(tau).properties(
        description=("Two panels on SYNTHETIC TOWER overall-survival data: the Kaplan-Meier curves with the area between them "
                     "shaded up to a horizon chosen with a slider, and the restricted mean survival time difference with its "
                     "95 % interval against the horizon, the chosen horizon marked."))


# --- laboratory 5: counting adverse events -----------------------------------------------------------


def exposure_lab_chart(grid: pd.DataFrame, defaults: dict, published_percent: dict) -> alt.HConcatChart:
    """Crude percent of patients with at least one serious adverse event versus the exposure-adjusted
    rate, for mean exposures chosen per arm (sliders) under a rate scenario (radio).
    ``defaults``: arm -> starting months (on the grid); ``published_percent``: arm -> crude percent."""
    months = sorted(grid["months"].unique())
    step = round(months[1] - months[0], 6)
    sliders = {arm: alt.param(name=f"months_{arm}", value=defaults[arm],
                              bind=alt.binding_range(min=months[0], max=months[-1], step=step,
                                                     name=f"Mean months on {ARM_LABELS[arm].lower()} "))
               for arm in ("blinatumomab", "chemotherapy")}
    scenarios = list(dict.fromkeys(grid["scenario"]))
    scenario = alt.param(name="rate_scenario", value=scenarios[0], bind=alt.binding_select(options=scenarios, name="Event rates "))
    data = grid.assign(arm_label=grid["arm"].map(ARM_LABELS))
    pick = (f"(datum.arm == 'blinatumomab' && abs(datum.months - {sliders['blinatumomab'].name}) < 1e-6) || "
            f"(datum.arm == 'chemotherapy' && abs(datum.months - {sliders['chemotherapy'].name}) < 1e-6)")
    base = alt.Chart(data).transform_filter(alt.datum.scenario == scenario).transform_filter(pick)
    x = alt.X("arm_label:N", title=None, sort=list(ARM_LABELS.values()), axis=alt.Axis(labelAngle=0))
    crude = base.mark_bar(size=46).encode(
        x=x, y=alt.Y("crude_percent:Q", title="Patients with ≥ 1 serious event (%)", scale=alt.Scale(domain=[0, 100])),
        color=_arm_colour(legend=False),
        tooltip=[alt.Tooltip("arm_label:N", title="Arm"), alt.Tooltip("months:Q", title="months"),
                 alt.Tooltip("crude_percent:Q", format=".1f", title="%")])
    crude_text = base.mark_text(baseline="top", dy=8, fontSize=12.5, fontWeight="bold", color="#ffffff").encode(
        x=x, y="crude_percent:Q", text=alt.Text("crude_percent:Q", format=".1f"))
    pub = pd.DataFrame({"arm_label": [ARM_LABELS[a] for a in published_percent], "percent": list(published_percent.values()),
                        "what": "published"})
    ticks = alt.Chart(pub).mark_tick(color="#000000", thickness=2.5, size=60).encode(
        x=x, y="percent:Q", tooltip=[alt.Tooltip("percent:Q", title="published %")])
    left = alt.layer(crude, ticks, crude_text).properties(
        width=210, height=260, title={"text": "Crude proportion",
                                      "subtitle": "Black ticks: as published (" + ", ".join(f"{v:g} %" for v in published_percent.values()) + ")"})
    rate = base.mark_bar(size=46).encode(
        x=x, y=alt.Y("rate_per_100py:Q", title="Serious events per 100 patient-years", scale=alt.Scale(domain=[0, 700])),
        color=_arm_colour(legend=False),
        tooltip=[alt.Tooltip("arm_label:N", title="Arm"), alt.Tooltip("rate_per_100py:Q", format=".1f", title="rate")])
    rate_text = base.mark_text(baseline="top", dy=8, fontSize=12.5, fontWeight="bold", color="#ffffff").encode(
        x=x, y="rate_per_100py:Q", text=alt.Text("rate_per_100py:Q", format=".1f"))
    right = alt.layer(rate, rate_text).properties(
        width=210, height=260, title={"text": "Exposure-adjusted rate", "subtitle": "Does not depend on how long patients are treated"})
    return alt.hconcat(left, right).add_params(sliders["blinatumomab"], sliders["chemotherapy"], scenario).properties(
        title={"text": "Counting serious adverse events: patients or patient-years?",
               "subtitle": ["Model: serious events at a constant rate while on treatment, every patient with the same exposure.",
                            "An illustration of the two measures, not TOWER's patient data."]},
        description=("Two bar charts per arm: the percent of patients with at least one serious adverse event, which grows "
                     "with the months of exposure set by two sliders, and the exposure-adjusted event rate, which does not; "
                     "radio buttons switch between the published rates and equal rates in both arms."))


# --- appraisal: ESMO-MCBS sensitivity ---------------------------------------------------------------


def esmo_sensitivity_chart(grid: pd.DataFrame, published_gain: float) -> alt.VConcatChart:
    """ESMO-MCBS form 2a grade of TOWER's overall survival against the gain in median OS, for the hazard
    ratio number the reader picks (select), the gain (slider) and the quality-of-life credit (checkbox).
    ``grid``: :func:`trialkit.labs.esmo_grid`."""
    labels = list(dict.fromkeys(grid["hr_label"]))
    gains = sorted(grid["gain"].unique())
    hr_pick = alt.param(name="esmo_hr", value=labels[0], bind=alt.binding_select(options=labels, name="Hazard ratio entered "))
    gain = alt.param(name="esmo_gain", value=min(gains, key=lambda g: abs(g - published_gain)),
                     bind=alt.binding_range(min=gains[0], max=gains[-1], step=round(gains[1] - gains[0], 6),
                                            name="Gain in median OS (months) "))
    qol = alt.param(name="esmo_qol", value=True, bind=alt.binding_checkbox(name="Credit the quality-of-life improvement "))
    data = grid.assign(qol_num=grid["qol"].astype(int))
    base = alt.Chart(data).transform_filter(alt.datum.hr_label == hr_pick).transform_filter(
        f"datum.qol_num == ({qol.name} ? 1 : 0)")
    xs = alt.Scale(domain=[gains[0], gains[-1]], nice=False)
    ys = alt.Scale(domain=[0.5, 5.5], nice=False)
    x = alt.X("gain:Q", title="Gain in median overall survival (months)", scale=xs)
    line = base.mark_line(interpolate="step-after", color=PALETTE[0]).encode(
        x=x, y=alt.Y("grade:Q", title="ESMO-MCBS grade (form 2a)", scale=ys, axis=alt.Axis(values=[1, 2, 3, 4, 5], format="d")))
    here = base.transform_filter(_near("gain", gain))
    point = here.mark_point(filled=True, size=160, color=PALETTE[1], stroke="#000000").encode(
        x=x, y=alt.Y("grade:Q", scale=ys), tooltip=[alt.Tooltip("gain:Q", format=".1f"), alt.Tooltip("grade:Q"), alt.Tooltip("reasons:N")])
    pub = alt.Chart(pd.DataFrame({"g": [published_gain], "t": [f"published gain {published_gain:g} months"]}))
    pub_rule = pub.mark_rule(strokeDash=[5, 4], color="#555555").encode(x=alt.X("g:Q", scale=xs))
    pub_text = pub.mark_text(align="left", dx=4, y=8, fontSize=11, color="#333333").encode(x=alt.X("g:Q", scale=xs), text="t:N")
    plot = alt.layer(line, pub_rule, pub_text, point).properties(width=520, height=220)
    read = here.transform_calculate(
        head="'Grade ' + datum.grade + ' (preliminary grade ' + datum.preliminary + '); HR entered: ' + format(datum.hr_used, '.2f')",
        lines="split(datum.reasons, '; ')")
    t1 = read.mark_text(align="left", baseline="top", x=0, y=0, fontSize=14, fontWeight="bold").encode(text="head:N")
    t2 = read.mark_text(align="left", baseline="top", x=0, y=22, fontSize=11.5, lineHeight=15).encode(text="lines:N")
    panel = alt.layer(t1, t2).properties(width=520, height=70)
    return alt.vconcat(panel, plot, spacing=6).add_params(hr_pick, gain, qol).properties(
        title={"text": "ESMO-MCBS v1.1 grade of TOWER's overall survival, and its inputs",
               "subtitle": ["Computed by trialkit.appraisal.esmo (form 2a; the stratum is set by the control-arm median).",
                            "The form uses the lower 95 % limit of the hazard ratio; the other choices show how much rests on it."]},
        description=("Step chart of the ESMO-MCBS form 2a grade against the gain in median overall survival for TOWER, for "
                     "the hazard-ratio number chosen in a drop-down, the gain set with a slider and the quality-of-life "
                     "credit set with a checkbox; a text line reads out the grade and the module's reasons."))

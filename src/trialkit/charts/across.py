"""Figures of Part III (across the four studies): the published and indirect hazard ratios, the
anchor-shift laboratory, the evidence over time and the head-to-head design laboratory. Interactive
figures filter a precomputed grid with Vega-Lite parameters bound to inputs (no kernel)."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from trialkit.charts import PALETTE
from trialkit.labs.indirect import HazardRatio, Indirect

_CONTAINER = "container"


def _log_axis(values=(0.25, 0.5, 0.7, 1, 1.4, 2, 4)):
    return alt.Axis(values=list(values), format=".2~f")


def hr_forest(first: HazardRatio, second: HazardRatio, first_name: str, second_name: str, indirect: Indirect) -> alt.LayerChart:
    """Each trial's hazard ratio against its own control, as printed and at 95 %, and the anchored
    indirect estimate (log scale)."""
    lo2, hi2 = second.interval(0.95)
    rows = [
        {"row": first_name, "what": f"{first.treatment} vs {first.control}", "kind": f"printed {100 * first.level:g} %",
         "est": first.estimate, "low": first.low, "high": first.high, "order": 0},
        {"row": second_name, "what": f"{second.treatment} vs {second.control}", "kind": f"printed {100 * second.level:g} %",
         "est": second.estimate, "low": second.low, "high": second.high, "order": 1},
        {"row": second_name, "what": f"{second.treatment} vs {second.control}", "kind": "at 95 %",
         "est": second.estimate, "low": lo2, "high": hi2, "order": 1},
        {"row": "Indirect", "what": f"{indirect.treatment} vs {indirect.other}", "kind": f"indirect {100 * indirect.level:g} %",
         "est": indirect.estimate, "low": indirect.low, "high": indirect.high, "order": 2},
    ]
    frame = pd.DataFrame(rows)
    order = list(dict.fromkeys(frame.sort_values("order")["row"]))
    xs = alt.Scale(type="log", domain=[0.4, 1.6], nice=False)
    kinds = list(dict.fromkeys(frame["kind"]))
    colour = alt.Color("kind:N", title=None, scale=alt.Scale(domain=kinds, range=PALETTE[:len(kinds)]),
                       legend=alt.Legend(orient="bottom", direction="horizontal", columns=2))
    y = alt.Y("row:N", sort=order, title=None, axis=alt.Axis(labelLimit=90))
    yoff = alt.YOffset("kind:N", sort=kinds)
    tip = [alt.Tooltip("row:N", title="Source"), alt.Tooltip("what:N", title="Comparison"), alt.Tooltip("kind:N", title="Interval"),
           alt.Tooltip("est:Q", format=".2f", title="HR"), alt.Tooltip("low:Q", format=".2f", title="lower"),
           alt.Tooltip("high:Q", format=".2f", title="upper")]
    base = alt.Chart(frame)
    rule = base.mark_rule(strokeWidth=2).encode(x=alt.X("low:Q", scale=xs, title="HR for death (log scale)",
                                                         axis=_log_axis((0.4, 0.5, 0.7, 1, 1.4))),
                                                x2="high:Q", y=y, yOffset=yoff, color=colour, tooltip=tip)
    point = base.mark_point(filled=True, size=70).encode(x=alt.X("est:Q", scale=xs), y=y, yOffset=yoff, color=colour,
                                                        tooltip=tip)
    one = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(color="#777777", strokeDash=[4, 3]).encode(x=alt.X("x:Q", scale=xs))
    return alt.layer(one, rule, point).properties(
        title={"text": "The indirect interval is wide and straddles 1",
               "subtitle": "Left of 1: fewer deaths with the first-named drug"},
        description=("Forest plot on a log scale: the hazard ratio for death of each trial against its own control, as "
                     "printed and, for the trial printed at 97.5 %, recomputed at 95 %; and the anchored indirect estimate "
                     "of one drug against the other, with its interval."),
        width=_CONTAINER, height=200)


def anchor_shift_chart(grid: pd.DataFrame, first_name: str, second_name: str, first_drug: str, second_drug: str) -> alt.LayerChart:
    """The indirect hazard ratio and its interval against an assumed difference between the two
    control arms (grid of :func:`trialkit.labs.indirect.anchor_shift_grid`); radio buttons choose whose
    control is shifted, a slider the shift."""
    shifts = sorted(grid["shift"].unique())
    which_labels = {"first": f"{first_name}'s control", "second": f"{second_name}'s control"}
    data = grid.assign(which_label=grid["which"].map(which_labels))
    step = round(shifts[1] - shifts[0], 6) if len(shifts) > 1 else 0.05
    k = alt.param(name="anchor_k", value=1.0 if 1.0 in shifts else shifts[len(shifts) // 2],
                  bind=alt.binding_range(min=shifts[0], max=shifts[-1], step=step,
                                         name="Its hazard relative to the other control "))
    which = alt.param(name="anchor_which", value=which_labels["second"],
                      bind=alt.binding_radio(options=list(which_labels.values()), name="Shift "))
    xs = alt.Scale(type="log", domain=[shifts[0], shifts[-1]], nice=False)
    ys = alt.Scale(type="log", domain=[0.35, 2.6], nice=False)
    x = alt.X("shift:Q", scale=xs, title="Assumed hazard of the shifted control arm (log scale)",
              axis=_log_axis((0.6, 0.7, 0.8, 1, 1.2, 1.4, 1.6)))
    base = alt.Chart(data).transform_filter(f"datum.which_label == {which.name}")
    band = base.mark_area(opacity=0.2, color=PALETTE[0]).encode(
        x=x, y=alt.Y("low:Q", scale=ys, title=f"HR, {first_drug} vs {second_drug} (log scale)",
                     axis=_log_axis((0.4, 0.5, 0.7, 1, 1.4, 2))), y2="high:Q")
    line = base.mark_line(color=PALETTE[0]).encode(x=x, y=alt.Y("estimate:Q", scale=ys))
    tip = [alt.Tooltip("shift:Q", format=".2f", title="assumed shift"), alt.Tooltip("estimate:Q", format=".2f", title="indirect HR"),
           alt.Tooltip("low:Q", format=".2f", title="lower"), alt.Tooltip("high:Q", format=".2f", title="upper")]
    chosen = base.transform_filter(f"abs(datum.shift - {k.name}) < 1e-6")
    bar = chosen.mark_rule(color=PALETTE[1], strokeWidth=3).encode(x=x, y=alt.Y("low:Q", scale=ys), y2="high:Q", tooltip=tip)
    dot = chosen.mark_point(filled=True, size=90, color=PALETTE[1]).encode(x=x, y=alt.Y("estimate:Q", scale=ys), tooltip=tip)
    text = chosen.transform_calculate(
        t="format(datum.estimate, '.2f') + ' (' + format(datum.low, '.2f') + ' to ' + format(datum.high, '.2f') + ')'"
    ).mark_text(align="left", dx=8, dy=-10, fontSize=13, color="#000000").encode(x=x, y=alt.Y("estimate:Q", scale=ys), text="t:N")
    one = alt.Chart(pd.DataFrame({"y": [1.0]})).mark_rule(color="#777777", strokeDash=[4, 3]).encode(y=alt.Y("y:Q", scale=ys))
    same = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(color="#bbbbbb").encode(x=alt.X("x:Q", scale=xs))
    return alt.layer(band, line, one, same, bar, dot, text).add_params(k, which).properties(
        title={"text": "An unequal anchor moves the indirect estimate",
               "subtitle": ["Below 1 on the x axis: the shifted control did better", "Line and band: estimate and 95 % interval"]},
        description=("Line chart with a band: the anchored indirect hazard ratio and its 95 % interval against the assumed "
                     "hazard of one trial's control arm relative to the other's; a slider sets the shift and radio buttons "
                     "choose which trial's control is shifted; the chosen value is marked and labelled."),
        width=_CONTAINER, height=280)


def timeline_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """The four studies by year of publication and stage of disease, labelled, with question, design
    and result in the tooltip."""
    stages = list(dict.fromkeys(frame.sort_values("stage_order")["stage"]))
    short = {s: s.split(" (")[0] for s in stages}
    data = frame.assign(stage_short=frame["stage"].map(short))
    xs = alt.Scale(domain=[int(frame["year"].min()) - 1, int(frame["year"].max()) + 1], nice=False)
    y = alt.Y("stage_short:N", sort=[short[s] for s in stages], title=None, axis=alt.Axis(labelLimit=140))
    tip = [alt.Tooltip("label:N", title="Study"), alt.Tooltip("year:Q", title="Published"), alt.Tooltip("stage:N", title="Stage"),
           alt.Tooltip("design:N", title="Design"), alt.Tooltip("question:N", title="Question"),
           alt.Tooltip("result:N", title="Result")]
    base = alt.Chart(data)
    point = base.mark_point(filled=True, size=160).encode(
        x=alt.X("year:Q", scale=xs, title="Year of publication", axis=alt.Axis(format="d", tickMinStep=1)), y=y,
        color=alt.Color("stage_short:N", sort=[short[s] for s in stages], legend=None,
                        scale=alt.Scale(range=[PALETTE[1], PALETTE[4], PALETTE[0]])), tooltip=tip)
    # Studies of one stage a year or two apart would have their names drawn over each other: every
    # second one in a row is named below its point instead of above.
    side = data.sort_values("year").groupby("stage_short").cumcount() % 2
    above, below = (alt.Chart(data[side == k]).mark_text(dy=-14 if k == 0 else 16, fontSize=12, color="#000000").encode(
        x=alt.X("year:Q", scale=xs), y=y, text="label:N") for k in (0, 1))
    return alt.layer(point, above, below).properties(
        title={"text": "From salvage to first remission",
               "subtitle": "Hover or tap a point for the question, design and result"},
        description=("Timeline of the four studies by year of publication (x) and stage of disease (y): the two salvage "
                     "trials, the long-term follow-up of single-arm salvage studies, and the first-remission trial; "
                     "tooltips give each study's question, design and result."),
        width=_CONTAINER, height=200)


def design_lab_chart(grid: pd.DataFrame, indirect: Indirect, death_share: float = 0.8) -> alt.LayerChart:
    """Deaths needed for a head-to-head trial against the assumed true hazard ratio
    (:func:`trialkit.labs.headtohead.design_grid`), for the design, power and margin the reader
    chooses; the indirect estimate and its interval are drawn as the starting point, and the patients
    needed at the chosen hazard ratio follow from the share of patients expected to die."""
    hrs = sorted(grid["hr"].unique())
    margins = sorted(m for m in grid["margin"].unique() if m > 0)
    design = alt.param(name="h2h_design", value="superiority",
                       bind=alt.binding_select(options=["superiority", "non-inferiority"], name="Design "))
    powers = sorted(float(p) for p in grid["power"].unique())
    power = alt.param(name="h2h_power", value=0.8 if 0.8 in powers else powers[0],
                      bind=alt.binding_select(options=powers, labels=[f"{100 * p:.0f} %" for p in powers], name="Power "))
    margin = alt.param(name="h2h_margin", value=1.25 if 1.25 in margins else margins[0],
                       bind=alt.binding_radio(options=margins, name="Non-inferiority margin (HR) "))
    share = alt.param(name="h2h_share", value=death_share,
                      bind=alt.binding_range(min=0.5, max=0.95, step=0.05, name="Share of patients who die during the trial "))
    start = min(hrs, key=lambda h: abs(h - indirect.estimate))
    hr = alt.param(name="h2h_hr", value=start, bind=alt.binding_range(min=hrs[0], max=hrs[-1], step=0.01,
                                                                      name="Assumed true HR (new vs reference) "))
    xs = alt.Scale(domain=[hrs[0], hrs[-1]], nice=False)
    ys = alt.Scale(type="log", domain=[20, 50000], nice=False)
    x = alt.X("hr:Q", scale=xs, title="Assumed true hazard ratio")
    base = alt.Chart(grid).transform_filter(f"datum.design == {design.name}").transform_filter(
        f"abs(datum.power - {power.name}) < 1e-6").transform_filter(
        f"datum.design == 'superiority' || abs(datum.margin - {margin.name}) < 1e-6")
    band = alt.Chart(pd.DataFrame({"lo": [indirect.low], "hi": [min(indirect.high, hrs[-1])]})).mark_rect(
        opacity=0.12, color=PALETTE[0]).encode(x=alt.X("lo:Q", scale=xs), x2="hi:Q")
    est = alt.Chart(pd.DataFrame({"x": [indirect.estimate]})).mark_rule(color=PALETTE[0], strokeDash=[6, 3]).encode(
        x=alt.X("x:Q", scale=xs))
    line = base.mark_line(color="#000000", clip=True).encode(x=x, y=alt.Y("events:Q", scale=ys, title="Deaths needed (log scale)",
                                                               axis=alt.Axis(values=[30, 100, 300, 1000, 3000, 10000, 30000],
                                                                             format="~s")))
    chosen = base.transform_filter(f"abs(datum.hr - {hr.name}) < 1e-6").transform_calculate(
        patients=f"ceil(datum.events / {share.name})").transform_calculate(
        t="format(datum.events, ',') + ' deaths, ' + format(datum.patients, ',') + ' patients'")
    tip = [alt.Tooltip("hr:Q", format=".2f", title="assumed HR"), alt.Tooltip("events:Q", format=",", title="deaths"),
           alt.Tooltip("patients:Q", format=",", title="patients")]
    dot = chosen.mark_point(filled=True, size=90, color=PALETTE[1]).encode(x=x, y=alt.Y("events:Q", scale=ys), tooltip=tip)
    text = chosen.mark_text(align="left", dx=8, dy=-10, fontSize=13, color="#000000").encode(
        x=alt.value(8), y=alt.value(12), text="t:N")
    return alt.layer(band, est, line, dot, text).add_params(design, power, margin, share, hr).properties(
        title={"text": "Settling it takes thousands of deaths near HR 1",
               "subtitle": ["Shaded: the indirect 95 % interval; dashed: its estimate",
                            "Superiority: two-sided 5 %; non-inferiority: one-sided 2.5 %"]},
        description=("Line chart of the deaths a head-to-head trial needs against the assumed true hazard ratio (log "
                     "scale), for the design, power and non-inferiority margin chosen with radio buttons; the indirect "
                     "estimate and its interval are shaded; sliders set the assumed hazard ratio, marked with a point, "
                     "and the share of patients expected to die, which turns deaths into patients."),
        width=_CONTAINER, height=300)



def _vertical_legend(chart):
    """The same chart with its colour legend stacked vertically (the horizontal legend of the shared
    RoB 2 figures is wider than a phone column once several studies' results are drawn)."""
    for layer in getattr(chart, "layer", []):
        colour = layer.encoding.color
        names = (getattr(colour, "field", None), getattr(colour, "shorthand", None))
        if colour is not alt.Undefined and any(str(n).split(":")[0] == "key" for n in names):
            colour.legend = alt.Legend(orient="bottom", direction="vertical", labelFontSize=13)
    return chart


def rob2_across(assessments) -> alt.LayerChart:
    """RoB 2 traffic lights of every assessed result of every study (``trialkit.charts.appraisal``),
    with a legend that fits a phone column."""
    from trialkit.charts import appraisal as appraisal_charts

    return _vertical_legend(appraisal_charts.traffic_light(list(assessments), title="Risk of bias of every assessed result"))

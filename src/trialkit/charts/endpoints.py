"""Figures of the chapter "Endpoints and their estimates": the estimand explorer (two survival curves
with piecewise-constant hazards and the four summaries that describe them) and the Kaplan-Meier curves
of a SYNTHETIC dataset with its median and landmark marked.

Both take their numbers from :mod:`trialkit.chapters.estimands`; the charts only filter and format.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from trialkit.charts import ARM_COLOURS, SYNTHETIC_NOTE

ARM_LABELS = {"0": "Control", "1": "Experimental"}
_TOL = 1e-6


def _inline_csv(frame: pd.DataFrame, text=()) -> alt.InlineData:
    """The frame as inline CSV (column names once, not once per row) with every column parsed as a
    number except those named in ``text``: a grid of hundreds of rows stays small in the page."""
    parse = {c: "number" for c in frame.columns if c not in text}
    return alt.InlineData(values=frame.to_csv(index=False), format=alt.DataFormat(type="csv", parse=parse))


def _close(field: str, param: str, scale: float = 1.0) -> str:
    return f"abs(datum['{field}'] * {scale:g} - {param}) < {_TOL}"


def estimand_explorer(grid: pd.DataFrame, times, curve_times, *, control_early=(4, 20, 8, 12),
                      control_late=(1, 9, 4, 5), hr=(0.4, 1.6, 0.3), hr_early: float = 0.7, hr_late: float = 0.7,
                      change_points=(3, 6, 12), change: float = 6, landmark: float = 12, horizon: float = 24) -> alt.VConcatChart:
    """Two survival curves with piecewise-constant hazards and their median, landmark, RMST and
    average hazard ratio, for parameters the reader sets with sliders and radio buttons.

    ``grid`` is :func:`trialkit.chapters.estimands.scenario_grid` with hazards per month; ``times`` the
    landmark times and RMST horizons it holds (``lm*_T``, ``rmst*_T``, ``hr_T``), ``curve_times`` the
    times of its ``s0_*``/``s1_*`` curve columns. ``control_early``/``control_late`` are slider
    (min, max, step, start) in events per 100 patient-months, ``hr`` the (min, max, step) of the two
    hazard-ratio sliders. The radio buttons' start values must not be their first option (a browser
    test moves each input away from its value).
    """
    times = [float(t) for t in times]
    curve_times = [float(t) for t in curve_times]
    t_max = max(curve_times)
    data = _inline_csv(grid)

    p_ce = alt.param(name="ctl_early", value=control_early[3],
                     bind=alt.binding_range(min=control_early[0], max=control_early[1], step=control_early[2],
                                            name="Control hazard before the change (events per 100 patient-months) "))
    p_cl = alt.param(name="ctl_late", value=control_late[3],
                     bind=alt.binding_range(min=control_late[0], max=control_late[1], step=control_late[2],
                                            name="Control hazard after the change (events per 100 patient-months) "))
    p_he = alt.param(name="hr_early", value=hr_early,
                     bind=alt.binding_range(min=hr[0], max=hr[1], step=hr[2], name="Hazard ratio before the change "))
    p_hl = alt.param(name="hr_late", value=hr_late,
                     bind=alt.binding_range(min=hr[0], max=hr[1], step=hr[2], name="Hazard ratio after the change "))
    p_cp = alt.param(name="change", value=change,
                     bind=alt.binding_radio(options=list(change_points), name="Change point (months) "))
    p_lm = alt.param(name="landmark", value=landmark,
                     bind=alt.binding_radio(options=[int(t) if t.is_integer() else t for t in times], name="Landmark time (months) "))
    p_hz = alt.param(name="horizon", value=horizon,
                     bind=alt.binding_radio(options=[int(t) if t.is_integer() else t for t in times], name="RMST horizon and follow-up (months) "))
    params = [p_ce, p_cl, p_he, p_hl, p_cp, p_lm, p_hz]

    scenario = " && ".join([
        _close("control_early", "ctl_early", 100), _close("control_late", "ctl_late", 100),
        _close("hr_early", "hr_early"), _close("hr_late", "hr_late"), _close("change", "change"),
    ])
    base = alt.Chart(data).transform_filter(scenario)
    colour = alt.Color("arm:N", title="Arm", scale=alt.Scale(domain=["Control", "Experimental"],
                                                            range=[ARM_COLOURS["control"], ARM_COLOURS["experimental"]]),
                       legend=alt.Legend(orient="top", direction="horizontal", title=None))
    def x_(field):
        return alt.X(f"{field}:Q", title="Months from time zero", scale=alt.Scale(domain=[0, t_max], nice=False))

    def y_(field):
        return alt.Y(f"{field}:Q", title="Proportion event-free", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format=".0%"))

    x, y = x_("t"), y_("s")

    curve_cols = [f"s{a}_{t:g}" for a in ("0", "1") for t in curve_times]
    curves = base.transform_fold(curve_cols, as_=["key", "s"]).transform_calculate(
        arm="datum.key[1] == '0' ? 'Control' : 'Experimental'", t="toNumber(slice(datum.key, 3))",
    ).mark_line(interpolate="monotone").encode(x=x, y=y, color=colour, detail="arm:N",
                                                 tooltip=[alt.Tooltip("arm:N", title="arm"), alt.Tooltip("t:Q", title="month"),
                                                          alt.Tooltip("s:Q", format=".2f", title="event-free")])
    between = base.transform_fold([f"s0_{t:g}" for t in curve_times], as_=["key", "s0"]).transform_calculate(
        t="toNumber(slice(datum.key, 3))", s1="datum['s1_' + slice(datum.key, 3)]",
    ).transform_filter("datum.t <= horizon").mark_area(interpolate="monotone", opacity=0.22, color="#555555").encode(
        x=x, y=y_("s0"), y2="s1:Q")
    horizon_rule = base.transform_calculate(h="horizon").mark_rule(strokeDash=[6, 4], color="#555555").encode(x=x_("h"))
    landmark_rule = base.transform_calculate(l="landmark").mark_rule(color="#222222").encode(x=x_("l"))
    landmark_points = base.transform_calculate(
        l="landmark", v0="datum['lm0_' + landmark]", v1="datum['lm1_' + landmark]",
    ).transform_fold(["v0", "v1"], as_=["which", "s"]).transform_calculate(
        arm="datum.which == 'v0' ? 'Control' : 'Experimental'",
    ).mark_point(filled=True, size=80, stroke="#000000", strokeWidth=0.7).encode(
        x=x_("l"), y=y, color=colour,
        tooltip=[alt.Tooltip("arm:N"), alt.Tooltip("s:Q", format=".2f", title="event-free at the landmark")])
    medians = base.transform_fold(["median0", "median1"], as_=["which", "m"]).transform_filter(f"datum.m <= {t_max:g}").transform_calculate(
        arm="datum.which == 'median0' ? 'Control' : 'Experimental'", half="0.5", zero="0",
    ).mark_rule(strokeDash=[2, 2], strokeWidth=1.6).encode(x=x_("m"), y=y_("zero"), y2="half:Q", color=colour)
    half = base.transform_calculate(half="0.5").mark_rule(color="#999999", strokeWidth=0.8).encode(y=y_("half"))
    panel = alt.layer(between, half, horizon_rule, landmark_rule, curves, medians, landmark_points).properties(
        width=560, height=300,
        title={"text": "The two curves", "fontSize": 13,
               "subtitle": "Shaded to the RMST horizon (dashed). Solid: landmark. Dotted: medians."})

    # --- the four summaries, as a small table drawn with text marks ---------------------------------
    fmt = {
        "m0": "format(datum.median0, '.1f')", "m1": "format(datum.median1, '.1f')",
        "dm": "(datum.median1 >= datum.median0 ? '+' : '') + format(datum.median1 - datum.median0, '.1f') + ' months'",
        "l0": "format(100 * datum['lm0_' + landmark], '.0f') + ' %'", "l1": "format(100 * datum['lm1_' + landmark], '.0f') + ' %'",
        "dl": "(datum['lm1_' + landmark] >= datum['lm0_' + landmark] ? '+' : '') + format(100 * (datum['lm1_' + landmark] - datum['lm0_' + landmark]), '.0f') + ' points'",
        "r0": "format(datum['rmst0_' + horizon], '.1f')", "r1": "format(datum['rmst1_' + horizon], '.1f')",
        "dr": "(datum['rmst1_' + horizon] >= datum['rmst0_' + horizon] ? '+' : '') + format(datum['rmst1_' + horizon] - datum['rmst0_' + horizon], '.1f') + ' months'",
        "hh": "format(datum['hr_' + horizon], '.2f')",
        "fm": "abs(datum.median1 - datum.median0) < 0.05 ? 'neither' : (datum.median1 > datum.median0 ? 'experimental' : 'control')",
        "fl": "abs(datum['lm1_' + landmark] - datum['lm0_' + landmark]) < 0.005 ? 'neither' : (datum['lm1_' + landmark] > datum['lm0_' + landmark] ? 'experimental' : 'control')",
        "fr": "abs(datum['rmst1_' + horizon] - datum['rmst0_' + horizon]) < 0.05 ? 'neither' : (datum['rmst1_' + horizon] > datum['rmst0_' + horizon] ? 'experimental' : 'control')",
        "fh": "abs(datum['hr_' + horizon] - 1) < 0.005 ? 'neither' : (datum['hr_' + horizon] < 1 ? 'experimental' : 'control')",
        "lab_m": "'Median (months)'", "lab_l": "'Event-free at ' + landmark + ' months'",
        "lab_r": "'RMST to ' + horizon + ' months (months)'", "lab_h": "'Average HR (Cox, follow-up ' + horizon + ' months)'",
        "dash": "'–'",
    }
    table_base = base.transform_calculate(**fmt)
    columns = [(0, "Summary"), (252, "Control"), (310, "Experimental"), (420, "Contrast"), (522, "Favours")]
    rows = [("lab_m", "m0", "m1", "dm", "fm"), ("lab_l", "l0", "l1", "dl", "fl"),
            ("lab_r", "r0", "r1", "dr", "fr"), ("lab_h", "dash", "dash", "hh", "fh")]
    layers = [alt.Chart(data).mark_text(align="left", fontWeight="bold", baseline="middle").encode(
        x=alt.value(xpos), y=alt.value(10), text=alt.value(head)).transform_filter(scenario) for xpos, head in columns]
    for i, fields in enumerate(rows):
        for (xpos, _), field in zip(columns, fields):
            layers.append(table_base.mark_text(align="left", baseline="middle").encode(
                x=alt.value(xpos), y=alt.value(34 + 22 * i), text=alt.Text(f"{field}:N")))
    table = alt.layer(*layers).properties(width=600, height=110, title={"text": "The four summaries of these curves", "fontSize": 13})

    return alt.vconcat(panel, table, spacing=18).add_params(*params).properties(
        title={"text": "Four summaries of the same two survival curves",
               "subtitle": "Contrasts: experimental minus control (hazard ratio: experimental / control)."},
        description=("Two survival curves, control and experimental, with piecewise-constant hazards set by sliders, and a "
                     "table of their medians, landmark survival, restricted mean survival time and average hazard ratio, "
                     "showing when the four summaries agree and when they disagree."),
    ).configure_view(stroke=None)


def synthetic_km(km: pd.DataFrame, arm_labels: dict, landmark: float, medians: dict, title: str) -> alt.LayerChart:
    """Kaplan-Meier step curves of a SYNTHETIC dataset (``km``: group, time, survival) with the median
    of each arm (dotted) and the landmark time (solid rule) marked. No controls."""
    km = km.assign(arm=km["group"].map(arm_labels))
    order = list(arm_labels.values())
    colour = alt.Color("arm:N", title="Arm (SYNTHETIC)", scale=alt.Scale(domain=order, range=[ARM_COLOURS["experimental"], ARM_COLOURS["control"]]),
                       legend=alt.Legend(orient="top-right", fillColor="#ffffff", padding=4))
    lines = alt.Chart(km).mark_line(interpolate="step-after").encode(
        x=alt.X("time:Q", title="Months from randomisation"),
        y=alt.Y("survival:Q", title="Proportion alive (Kaplan–Meier, SYNTHETIC)", scale=alt.Scale(domain=[0, 1])),
        color=colour, detail="arm:N")
    med = pd.DataFrame({"arm": [arm_labels[k] for k in medians], "m": list(medians.values()), "zero": 0.0, "half": 0.5})
    med_rules = alt.Chart(med).mark_rule(strokeDash=[2, 2], strokeWidth=1.6).encode(x="m:Q", y="zero:Q", y2="half:Q", color=colour)
    half = alt.Chart(pd.DataFrame({"half": [0.5]})).mark_rule(color="#999999", strokeWidth=0.8).encode(y="half:Q")
    lm = alt.Chart(pd.DataFrame({"l": [landmark]})).mark_rule(color="#222222").encode(x="l:Q")
    return alt.layer(half, lm, lines, med_rules).properties(
        width=560, height=300,
        title={"text": title, "subtitle": ["Dotted: medians. Solid vertical line: the landmark time.", SYNTHETIC_NOTE]},
        description="Kaplan-Meier curves of two synthetic arms with their medians and a landmark time marked.",
    )

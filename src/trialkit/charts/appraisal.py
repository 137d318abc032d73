"""Figures of the appraiser's toolkit: RoB 2 traffic lights and summary bars (robvis convention),
the ESMO-MCBS form 2a explorer, and CONSORT-style flow diagrams.

Risk-of-bias judgments use the colours of robvis (McGuinness & Higgins, 2021) *and* a symbol written
as text on every mark — Low "+", Some concerns "−", High "×" — so that colour is never the only cue.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from trialkit import _check
from trialkit.appraisal import esmo, flow, rob2

ROB_COLOURS = {rob2.LOW: "#02C100", rob2.SOME: "#E2DF07", rob2.HIGH: "#BF0000"}
ROB_SYMBOLS = {rob2.LOW: "+", rob2.SOME: "−", rob2.HIGH: "×"}
ROB_TEXT_COLOURS = {rob2.LOW: "#000000", rob2.SOME: "#000000", rob2.HIGH: "#ffffff"}
_ROB_KEYS = [f"{ROB_SYMBOLS[lv]}  {lv}" for lv in rob2.LEVELS]
_DOMAIN_ORDER = [*rob2.DOMAINS, "Overall"]


def _as_list(assessments) -> list:
    if isinstance(assessments, rob2.Assessment):
        return [assessments]
    items = list(assessments)
    if not items or not all(isinstance(a, rob2.Assessment) for a in items):
        raise ValueError("assessments must be a rob2.Assessment or a non-empty list of them")
    return items


def _judgments(assessments) -> pd.DataFrame:
    frames = []
    for a in _as_list(assessments):
        f = rob2.assess(a)
        f["result"] = a.label
        frames.append(f)
    out = pd.concat(frames, ignore_index=True)
    out["symbol"] = out["judgment"].map(ROB_SYMBOLS)
    out["key"] = out["judgment"].map(lambda lv: f"{ROB_SYMBOLS[lv]}  {lv}")
    out["ink"] = out["judgment"].map(ROB_TEXT_COLOURS)
    return out


def _rob_colour(title: str = "Judgment") -> alt.Color:
    return alt.Color("key:N", title=title, sort=_ROB_KEYS,
                     scale=alt.Scale(domain=_ROB_KEYS, range=[ROB_COLOURS[lv] for lv in rob2.LEVELS]),
                     legend=alt.Legend(orient="bottom", direction="horizontal", labelFontSize=13))


def _domain_note() -> list[str]:
    return ["; ".join(f"{d}: {rob2.DOMAIN_SHORT[d].lower()}" for d in list(rob2.DOMAINS)[:3]),
            "; ".join(f"{d}: {rob2.DOMAIN_SHORT[d].lower()}" for d in list(rob2.DOMAINS)[3:])]


#: Longest line of a row label of the traffic-light plot (characters): a phone column leaves the row
#: labels about 38 % of 358 px (trialkit-charts.js), some 19 characters at 13 px, and cuts the rest.
ROW_LABEL_CHARS = 16


def wrap_label(label: str, width: int = ROW_LABEL_CHARS) -> list[str]:
    """``label`` as lines of at most ``width`` characters: a line per ': '-separated part, each part
    broken between words (a single longer word keeps its own line)."""
    width = _check.integer("width", width, low=4)
    lines = []
    for part in str(label).split(": "):
        line = ""
        for word in part.split():
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        if line:
            lines.append(line)
    return lines


def traffic_light(assessments, title: str = "Risk of bias (RoB 2), domain by domain") -> alt.Chart:
    """One row per assessed result, one column per domain and the overall judgment. Row labels are
    wrapped (:func:`wrap_label`) so that they fit beside the plot on a phone column."""
    frame = _judgments(assessments)
    if frame["result"].str.contains("|", regex=False).any():
        raise ValueError("assessment labels must not contain '|' (it separates the lines of a row label)")
    frame["row"] = frame["result"].map(lambda r: "|".join(wrap_label(r)))
    rows = list(dict.fromkeys(frame["row"]))
    x = alt.X("domain:N", sort=_DOMAIN_ORDER, title=None, axis=alt.Axis(orient="top", labelAngle=0, labelFontSize=12))
    y = alt.Y("row:N", sort=rows, title=None,
              axis=alt.Axis(labelLimit=0, labelFontSize=13, labelExpr="split(datum.label, '|')"))
    tooltip = [alt.Tooltip("result:N", title="result"), alt.Tooltip("name:N", title="domain"),
               alt.Tooltip("judgment:N"), alt.Tooltip("reason:N")]
    base = alt.Chart(frame)
    dots = base.mark_circle(size=900, opacity=1, stroke="#333333", strokeWidth=0.6).encode(
        x=x, y=y, color=_rob_colour(), tooltip=tooltip)
    marks = base.mark_text(fontSize=20, fontWeight="bold", baseline="middle").encode(
        x=x, y=y, text="symbol:N", color=alt.Color("ink:N", scale=None), tooltip=tooltip)
    return (dots + marks).properties(
        title={"text": title, "subtitle": _domain_note()},
        description=("Traffic-light plot of RoB 2 judgments: rows are assessed results, columns the five "
                     "domains and the overall judgment; each cell shows + for low risk, − for some concerns, "
                     "× for high risk. " + " ".join(f"{r.result}, {r.domain}: {r.judgment}." for r in frame.itertuples())),
        width=56 * len(_DOMAIN_ORDER), height=max(70, max(64, 8 + 17 * max(r.count("|") + 1 for r in rows)) * len(rows)),
    ).configure_view(stroke=None)


def summary_bars(assessments, title: str = "Risk of bias (RoB 2) across the assessed results") -> alt.Chart:
    """For each domain, the share of assessed results at each level (unweighted)."""
    frame = _judgments(assessments)
    counts = frame.groupby(["domain", "judgment", "key"], as_index=False).size()
    totals = counts.groupby("domain")["size"].transform("sum")
    counts["share"] = 100 * counts["size"] / totals
    counts["order"] = counts["judgment"].map({lv: i for i, lv in enumerate(rob2.LEVELS)})
    counts["label"] = [f"{ROB_SYMBOLS[j]} {s:.0f} %" for j, s in zip(counts["judgment"], counts["share"])]
    counts["ink"] = counts["judgment"].map(ROB_TEXT_COLOURS)
    counts["name"] = counts["domain"].map(lambda d: f"{d} {rob2.DOMAIN_SHORT[d]}" if d != "Overall" else "Overall")
    names = [f"{d} {rob2.DOMAIN_SHORT[d]}" for d in rob2.DOMAINS] + ["Overall"]
    y = alt.Y("name:N", sort=names, title=None, axis=alt.Axis(labelLimit=0, labelFontSize=13))
    x = alt.X("share:Q", stack="zero", title="Share of assessed results (%)", scale=alt.Scale(domain=[0, 100]))
    order = alt.Order("order:Q")
    tooltip = [alt.Tooltip("name:N", title="domain"), alt.Tooltip("judgment:N"), alt.Tooltip("size:Q", title="results"),
               alt.Tooltip("share:Q", format=".0f", title="share (%)")]
    bars = alt.Chart(counts).mark_bar(stroke="#333333", strokeWidth=0.6).encode(
        x=x, y=y, color=_rob_colour(), order=order, tooltip=tooltip)
    text = alt.Chart(counts).mark_text(fontSize=13, fontWeight="bold", align="center").encode(
        x=alt.X("mid:Q"), y=y, text="label:N", color=alt.Color("ink:N", scale=None), tooltip=tooltip,
    ).transform_window(cum="sum(share)", sort=[{"field": "order"}], groupby=["domain"]
    ).transform_calculate(mid="datum.cum - datum.share / 2")
    n = frame["result"].nunique()
    return (bars + text).properties(
        title={"text": title, "subtitle": [f"{n} assessed result{'s' if n != 1 else ''}; bars show the share at each level"]},
        description=("Stacked bar chart: for each RoB 2 domain and overall, the share of assessed results judged "
                     "low risk (+), some concerns (−) or high risk (×). "
                     + " ".join(f"{r.name}: {r.judgment} {r.share:.0f} %." for r in counts.itertuples())),
        width=460, height=36 * len(names),
    ).configure_view(stroke=None)


# --- ESMO-MCBS form 2a explorer -------------------------------------------------------------------------

GRADE_COLOURS = ["#f1eef6", "#bdc9e1", "#74a9cf", "#0570b0"]  # grades 1-4, light to dark (sequential)
_STRATUM_OF = "({m} <= 12 ? '≤12' : ({m} <= 24 ? '12–24' : '>24'))"


def esmo_explorer(hr_values=None, gain_values=None) -> alt.VConcatChart:
    """Preliminary ESMO-MCBS form 2a grade as a map over the HR lower limit and the median gain, for the
    control-arm median the reader sets; a marker and a read-out follow the three sliders."""
    hr_values = [round(0.30 + 0.05 * k, 2) for k in range(14)] if hr_values is None else list(hr_values)
    gain_values = [0.5 * k for k in range(25)] if gain_values is None else list(gain_values)
    medians = {"≤12": 6.0, "12–24": 18.0, ">24": 30.0}
    grid = esmo.form_2a_grid(hr_values, gain_values, list(medians.values()))
    grid = grid.drop(columns="control_median")
    dh = (hr_values[1] - hr_values[0]) / 2 if len(hr_values) > 1 else 0.025
    dg = (gain_values[1] - gain_values[0]) / 2 if len(gain_values) > 1 else 0.25

    hr = alt.param(name="hr_low", value=0.55, bind=alt.binding_range(
        min=min(hr_values), max=max(hr_values), step=round(2 * dh, 4), name="HR, lower 95 % limit "))
    gain = alt.param(name="gain", value=3.5, bind=alt.binding_range(
        min=min(gain_values), max=max(gain_values), step=2 * dg, name="Gain in median OS (months) "))
    control = alt.param(name="control", value=4, bind=alt.binding_range(
        min=1, max=36, step=1, name="Control-arm median OS (months) "))
    stratum = _STRATUM_OF.format(m="control")
    colour = alt.Color("label:N", title="Preliminary grade", sort=[f"Grade {g}" for g in (1, 2, 3, 4)],
                       scale=alt.Scale(domain=[f"Grade {g}" for g in (1, 2, 3, 4)], range=GRADE_COLOURS),
                       legend=alt.Legend(orient="bottom", direction="horizontal"))
    xs = alt.Scale(domain=[min(gain_values) - dg, max(gain_values) + dg], nice=False, zero=False)
    ys = alt.Scale(domain=[min(hr_values) - dh, max(hr_values) + dh], nice=False, zero=False)
    cells = alt.Chart(grid).mark_rect(stroke="#ffffff", strokeWidth=0.4).encode(
        x=alt.X("g0:Q", title="Gain in median overall survival (months)", scale=xs),
        x2="g1:Q",
        y=alt.Y("h0:Q", title="Hazard ratio, lower limit of the 95 % CI", scale=ys),
        y2="h1:Q",
        color=colour,
        tooltip=[alt.Tooltip("hr_lower:Q", format=".2f", title="HR lower limit"),
                 alt.Tooltip("gain:Q", format=".1f", title="gain (months)"), alt.Tooltip("grade:Q")],
    ).transform_filter(f"datum.stratum == {stratum}").transform_calculate(
        h0=f"datum.hr_lower - {dh}", h1=f"datum.hr_lower + {dh}", g0=f"datum.gain - {dg}", g1=f"datum.gain + {dg}",
        label="'Grade ' + datum.grade")
    marker_data = pd.DataFrame({"k": [0]})
    marker = alt.Chart(marker_data).mark_point(shape="diamond", size=260, filled=True, color="#D55E00",
                                               stroke="#000000", strokeWidth=1.2).encode(
        x=alt.X("gx:Q", scale=xs), y=alt.Y("hy:Q", scale=ys),
    ).transform_calculate(gx="gain", hy="hr_low")
    heat = (cells + marker).add_params(hr, gain, control).properties(width=440, height=280)
    picked = alt.Chart(grid).transform_filter(
        f"datum.stratum == {stratum} && abs(datum.hr_lower - hr_low) < 1e-6 && abs(datum.gain - gain) < 1e-6"
    ).transform_calculate(
        grade_text="'Preliminary grade ' + datum.grade",
        detail="'HR lower limit ' + format(hr_low, '.2f') + '; gain ' + format(gain, '.1f') + ' months'",
        control_text=f"'control median ' + control + ' months (stratum ' + {stratum} + ')'",
    )
    # (short lines: the read-out must fit a phone column without being cut)
    readout = (picked.mark_text(align="left", fontSize=16, fontWeight="bold", color="#111111").encode(
        x=alt.value(0), y=alt.value(10), text="grade_text:N")
        + picked.mark_text(align="left", fontSize=12, color="#222222").encode(
        x=alt.value(0), y=alt.value(32), text="detail:N")
        + picked.mark_text(align="left", fontSize=12, color="#222222").encode(
        x=alt.value(0), y=alt.value(48), text="control_text:N")).properties(width=440, height=56)
    return alt.vconcat(readout, heat, spacing=8).properties(
        title={"text": "ESMO-MCBS v1.1, form 2a: preliminary grade of an overall-survival benefit",
               "subtitle": ["Colour: grade for each combination, in the stratum of the control-arm median.",
                            "Diamond: the values set by the sliders. Before adjustments; without the landmark route."]},
        description=("Heat map of the preliminary ESMO-MCBS form 2a grade (1 to 4) against the gain in median "
                     "overall survival (x) and the lower 95 % limit of the hazard ratio (y), for the stratum of "
                     "the control-arm median chosen with a slider; a diamond marks the slider values and a text "
                     "line reads out the grade."),
    ).configure_view(stroke=None)


# --- CONSORT-style flow diagram --------------------------------------------------------------------------


def flow_diagram(spec, width: int = flow.WIDTH) -> alt.LayerChart:
    """A CONSORT-style diagram from a flow specification (a ``flow.FlowSpec`` or a YAML path in
    ``data/appraisal/``): boxes, text, connectors and arrowheads drawn with Altair marks.

    The diagram carries a second layout for a phone's column (stage names above the boxes, text wrapped
    to the narrower boxes) in ``usermeta.trialkitNarrow``: the book's chart script draws it when the
    column is narrower than ``width`` (a diagram scaled down would shrink its boxes under text that
    keeps its size)."""
    spec = spec if isinstance(spec, flow.FlowSpec) else flow.load(spec)
    chart = _flow_chart(spec, flow.layout(spec, width))
    if width > flow.NARROW_WIDTH + 40:  # (a diagram drawn for a phone already fits one)
        # (the narrow layout takes its column's width: its coordinates are laid out for NARROW_WIDTH px
        # and the x scale stretches them to the column, the text keeping its size)
        narrow = _flow_chart(spec, flow.layout(spec, flow.NARROW_WIDTH, stages_above=True)).properties(width="container")
        chart = chart.properties(usermeta={"trialkitNarrow": {"below": width, "spec": narrow.to_dict()}})
    return chart


def _flow_chart(spec: flow.FlowSpec, geo: dict) -> alt.LayerChart:
    width = geo["width"]
    height = geo["height"]
    xs = alt.Scale(domain=[0, width], nice=False, zero=False)
    ys = alt.Scale(domain=[0, height], nice=False, zero=False, reverse=True)
    none = dict(axis=None)
    boxes = alt.Chart(geo["boxes"]).mark_rect(fill="#ffffff", stroke="#333333", strokeWidth=1.2, cornerRadius=3).encode(
        x=alt.X("x0:Q", scale=xs, **none), x2="x1:Q", y=alt.Y("y0:Q", scale=ys, **none), y2="y1:Q")
    rules = alt.Chart(geo["rules"]).mark_rule(color="#333333", strokeWidth=1.4).encode(
        x=alt.X("x:Q", scale=xs, **none), x2="x2:Q", y=alt.Y("y:Q", scale=ys, **none), y2="y2:Q")
    heads = alt.Chart(geo["heads"]).mark_point(shape="triangle-down", filled=True, size=70, color="#333333", opacity=1).encode(
        x=alt.X("x:Q", scale=xs, **none), y=alt.Y("y:Q", scale=ys, **none))
    texts = geo["texts"]
    plain = alt.Chart(texts[~texts["bold"]]).mark_text(align="left", baseline="middle", fontSize=12, color="#111111").encode(
        x=alt.X("x:Q", scale=xs, **none), y=alt.Y("y:Q", scale=ys, **none), text="text:N")
    header = alt.Chart(texts[texts["bold"]]).mark_text(align="center", baseline="middle", fontSize=13, fontWeight="bold",
                                                       color="#111111").encode(
        x=alt.X("x:Q", scale=xs, **none), y=alt.Y("y:Q", scale=ys, **none), text="text:N")
    stages = alt.Chart(geo["stages"]).mark_text(align="left", baseline="middle", fontSize=12, fontWeight="bold",
                                                color="#0b4f86").encode(
        x=alt.X("x:Q", scale=xs, **none), y=alt.Y("y:Q", scale=ys, **none), text="text:N")
    return alt.layer(rules, heads, boxes, plain, header, stages).properties(
        title={"text": spec.title, "subtitle": ["Every number is read from the extracted data; '(derived)' marks a difference of two printed counts."]},
        description=flow.describe(spec), width=width, height=height,
    ).configure_view(stroke=None)

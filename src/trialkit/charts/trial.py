"""A trial's result figures, for any two-arm trial: the balance of its Table 1, response rates with
their intervals, the event-free survival implied by a day-1 failure rule, SYNTHETIC Kaplan-Meier
curves with their published anchors, and adverse events per arm.

Every function takes a :class:`trialkit.trials.Trial` (for the arm labels and the trial's name) and a
tidy frame from the chapter's computations; arm keys in the frames are the data's arm keys. This
module also holds the arm colours and helpers the laboratory charts (:mod:`trialkit.charts.labs`) share.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from trialkit.charts import PALETTE, SYNTHETIC_NOTE
from trialkit.trials import Trial

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


def arm_scale(trial: Trial) -> alt.Scale:
    """The two arms' colours, experimental first."""
    return alt.Scale(domain=list(trial.arm_labels), range=[PALETTE[0], PALETTE[1]])


def arm_colour(trial: Trial, title: str | None = "Arm", legend: bool = True, orient: str = "top") -> alt.Color:
    """Colour by ``arm_label`` (the frame must carry it, see :func:`with_labels`)."""
    return alt.Color("arm_label:N", title=title, scale=arm_scale(trial),
                     legend=alt.Legend(orient=orient, direction="horizontal" if orient == "top" else "vertical",
                                       fillColor="#ffffff" if orient != "top" else None) if legend else None)


def with_labels(trial: Trial, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with an ``arm_label`` column from its ``arm`` column (every arm must be the trial's)."""
    unknown = sorted(set(frame["arm"]) - set(trial.arms))
    if unknown:
        raise ValueError(f"frame has arms {unknown} that are not arms of {trial.name} {list(trial.arms)}")
    return frame.assign(arm_label=frame["arm"].map(trial.labels))


def near(field: str, param: alt.Parameter, tol: float = 1e-6):
    """A filter expression: the grid value equals the parameter's (floating-point tolerant)."""
    return f"abs(datum['{field}'] - {param.name}) < {tol}"


def simulated_note(trial: Trial) -> str:
    return f"SIMULATED trials (SYNTHETIC patients) of {trial.name}'s size, not the trial's data."


# --- design -----------------------------------------------------------------------------------------


def balance_plot(trial: Trial, balance: pd.DataFrame) -> alt.LayerChart:
    """Standardised differences of every line of the trial's Table 1 (from
    :func:`trialkit.chapters.baseline.balance`), experimental minus control, with the conventional
    |d| < 0.1 band."""
    frame = balance.dropna(subset=["std_difference"]).copy()
    exp, ctl = (label.lower() for label in trial.arm_labels)
    short = {k.lower(): v for k, v in SHORT_NAMES.items()}
    names = [short.get(c.lower(), c) for c in frame["characteristic"]]
    frame["line"] = [f"{c}: {k}" if k else f"{c} (mean)" for c, k in zip(names, frame["category"])]
    frame["size"] = np.where(frame["std_difference"].abs() >= 0.1, "|d| ≥ 0.1", "|d| < 0.1")
    order = list(frame["line"])
    beyond = list(frame.loc[frame["std_difference"].abs() >= 0.1, "line"])
    y = alt.Y("line:N", sort=order, title=None, axis=alt.Axis(labelLimit=330))
    band = alt.Chart(pd.DataFrame({"lo": [-0.1], "hi": [0.1]})).mark_rect(color="#e8e8e8").encode(x="lo:Q", x2="hi:Q")
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#555555").encode(x="x:Q")
    points = alt.Chart(frame).mark_point(filled=True, size=70).encode(
        x=alt.X("std_difference:Q", title=f"Standardised difference ({exp} − {ctl})",
                scale=alt.Scale(domain=[-0.3, 0.3])),
        y=y,
        color=alt.Color("size:N", title=None, scale=alt.Scale(domain=["|d| < 0.1", "|d| ≥ 0.1"], range=[PALETTE[0], PALETTE[1]]),
                        legend=alt.Legend(orient="top", direction="horizontal")),
        shape=alt.Shape("size:N", scale=alt.Scale(domain=["|d| < 0.1", "|d| ≥ 0.1"], range=["circle", "diamond"]), legend=None),
        tooltip=[alt.Tooltip("line:N", title="Characteristic"), alt.Tooltip("std_difference:Q", format="+.3f", title="d")],
    )
    return alt.layer(band, zero, points).properties(
        title={"text": f"Balance of {trial.name}'s Table 1: standardised differences",
               "subtitle": "Grey band: |d| < 0.1, the usual threshold for a negligible difference. Source: Table 1 of the publication."},
        description=(f"Dot plot of the standardised difference, {exp} minus {ctl}, for every line of {trial.name}'s "
                     f"Table 1; {len(frame) - len(beyond)} of {len(frame)} lie within plus or minus 0.1"
                     + (f", {len(beyond)} beyond it: " + "; ".join(beyond) + "." if beyond else ".")),
        width=260, height=15 * len(frame),
    )


# --- results ----------------------------------------------------------------------------------------


def remission_chart(trial: Trial, frame: pd.DataFrame) -> alt.LayerChart:
    """Remission rates with their published exact 95 % intervals. ``frame``: response, arm, percent,
    low, high (percent)."""
    frame = with_labels(trial, frame)
    y = alt.Y("response:N", title=None, sort=list(dict.fromkeys(frame["response"])), axis=alt.Axis(labelLimit=300))
    yoff = alt.YOffset("arm_label:N", sort=list(trial.arm_labels))
    x = alt.X("percent:Q", title="Patients in remission within 12 weeks (%, 95 % CI)", scale=alt.Scale(domain=[0, 60]))
    bars = alt.Chart(frame).mark_rule(strokeWidth=2.5).encode(x=alt.X("low:Q", scale=alt.Scale(domain=[0, 60])), x2="high:Q",
                                                              y=y, yOffset=yoff, color=arm_colour(trial))
    points = alt.Chart(frame).mark_point(filled=True, size=90).encode(
        x=x, y=y, yOffset=yoff, color=arm_colour(trial),
        tooltip=[alt.Tooltip("response:N"), alt.Tooltip("arm_label:N", title="Arm"),
                 alt.Tooltip("percent:Q", format=".1f", title="%"), alt.Tooltip("low:Q", format=".1f"),
                 alt.Tooltip("high:Q", format=".1f")])
    return alt.layer(bars, points).properties(
        title={"text": "Remission within 12 weeks, all randomised patients",
               "subtitle": "Points: percent of patients; lines: exact 95 % intervals (Table 2 of the publication, recomputed)"},
        description="Dot-and-interval chart of complete remission and of CR, CRh or CRi in each arm with exact 95 % confidence intervals.",
        width=460, height=alt.Step(26),
    )


def efs_ceiling_chart(trial: Trial, frame: pd.DataFrame) -> alt.LayerChart:
    """What an event-free survival rule that counts non-responders as failing on day 1 implies: non-responders fail on day 1, so the curve drops
    at once to the remission rate; only the 6-month estimate is published after that.
    ``frame``: arm, time (months), efs (percent), kind ("known" or "unknown path")."""
    frame = with_labels(trial, frame)
    x = alt.X("time:Q", title="Months since randomisation", scale=alt.Scale(domain=[0, 6.5]))
    y = alt.Y("efs:Q", title="Event-free (%)", scale=alt.Scale(domain=[0, 100]))
    known = alt.Chart(frame[frame["kind"] == "known"]).mark_line(interpolate="step-after").encode(
        x=x, y=y, color=arm_colour(trial), detail="arm_label:N")
    unknown = alt.Chart(frame[frame["kind"] != "known"]).mark_line(strokeDash=[5, 4]).encode(
        x=x, y=y, color=arm_colour(trial), detail="arm_label:N")
    pts = alt.Chart(frame[frame["label"] != ""]).mark_point(filled=True, size=70).encode(
        x=x, y=y, color=arm_colour(trial), tooltip=[alt.Tooltip("arm_label:N", title="Arm"), alt.Tooltip("label:N", title="Point")])
    # The dashed path reaches each 6-month point from above: its label goes below and before it. The
    # day-1 labels, above their line, break before a parenthesis so that they end before the 6-month
    # labels (Vega sets the first line on the baseline: the second is lifted by a line's height).
    lab = frame[frame["label"] != ""].assign(shown=lambda f: f["label"].str.replace(" (", "\n(", regex=False))
    labels = alt.layer(*[alt.Chart(lab[(lab["time"] > 1) == late]).mark_text(
        align="right" if late else "left", baseline="middle" if late else "bottom", dx=-8 if late else 8,
        dy=12 if late else -4 - 13, fontSize=11, lineBreak="\n", lineHeight=13).encode(
        x=x, y=y, text="shown:N", color=alt.Color("arm_label:N", scale=arm_scale(trial), legend=None)) for late in (False, True)])
    return alt.layer(known, unknown, pts, labels).properties(
        title={"text": "Event-free survival when non-responders fail on day 1",
               "subtitle": ["Solid: fixed by the rule and Table 2 (the drop to the remission rate on day 1).",
                            "Dashed: the path is unknown; only the 6-month estimate is published."]},
        description=(f"Sketch of {trial.name}'s event-free survival: each arm drops on day 1 to its CR/CRh/CRi rate, then follows "
                     "an unknown path to the published 6-month estimate. "
                     + " ".join(f"{r.arm_label}: {r.label}." for r in frame[frame["label"] != ""].itertuples())),
        width=520, height=280,
    )


def synthetic_km_chart(trial: Trial, curves: pd.DataFrame, anchors: pd.DataFrame, title: str, y_title: str,
                       at_risk: pd.DataFrame | None = None, subtitle: str | None = None):
    """Kaplan-Meier curves of a SYNTHETIC dataset with the published points it was built through, the
    arms named at the end of their curves, and (``at_risk``: arm, time, n, from :func:`trialkit.synth.at_risk`)
    a strip of SYNTHETIC numbers at risk under the time axis. ``curves``: arm, time, survival;
    ``anchors``: arm, time, survival, what. ``title`` should state the finding (a message title)."""
    curves = with_labels(trial, curves).assign(survival=100 * curves["survival"])
    anchors = with_labels(trial, anchors).assign(survival=100 * anchors["survival"])
    t_max = float(curves["time"].max())
    xs = alt.Scale(domain=[0, t_max], nice=False)
    x = alt.X("time:Q", title="Months since randomisation", scale=xs)
    y = alt.Y("survival:Q", title=y_title, scale=alt.Scale(domain=[0, 100]))
    lines = alt.Chart(curves).mark_line(interpolate="step-after").encode(x=x, y=y, color=arm_colour(trial, legend=False))
    points = alt.Chart(anchors).mark_point(shape="diamond", size=110, filled=True, stroke="#000000", strokeWidth=0.8).encode(
        x=x, y=y, color=arm_colour(trial, legend=False),
        tooltip=[alt.Tooltip("arm_label:N", title="Arm"), alt.Tooltip("what:N"), alt.Tooltip("time:Q", format=".1f", title="months"),
                 alt.Tooltip("survival:Q", format=".1f", title="%")])
    # Direct labels where the curves are apart. A falling curve leaves free the space above it to the
    # right and below it to the left: the higher arm is named above and after the point, the lower
    # below and before it.
    at = curves[curves["time"] <= 0.4 * t_max].sort_values("time").groupby("arm_label", sort=False).tail(1)
    at = at.assign(dy=[-10 if v >= at["survival"].max() else 14 for v in at["survival"]])
    names = alt.layer(*[alt.Chart(at[at["dy"] == d]).mark_text(
        align="left" if d < 0 else "right", dx=4 if d < 0 else -4, dy=d, fontSize=12.5, fontWeight="bold").encode(
        x=x, y=y, text="arm_label:N", color=arm_colour(trial, legend=False)) for d in sorted(set(at["dy"]))])
    plot = alt.layer(lines, points, names).properties(
        title={"text": title, "subtitle": subtitle or [SYNTHETIC_NOTE, "Diamonds: the published points the curves pass through."]},
        width=520, height=300)
    description = (f"Kaplan-Meier curves of SYNTHETIC data for the two arms of {trial.name}, passing through the "
                   "published medians and landmark rates shown as diamonds" + (", with SYNTHETIC numbers at risk below." if at_risk is not None else "."))
    if at_risk is None:
        return plot.properties(description=description)
    risk = with_labels(trial, at_risk)
    strip = alt.Chart(risk).mark_text(fontSize=11).encode(
        x=alt.X("time:Q", scale=xs, title=None, axis=None),
        y=alt.Y("arm_label:N", title=None, sort=list(trial.arm_labels), axis=None),
        text="n:Q", color=arm_colour(trial, legend=False)).properties(
        width=520, height=alt.Step(16),
        title={"text": "Number at risk (SYNTHETIC), in each arm's colour", "fontSize": 11, "fontWeight": "normal"})
    return alt.vconcat(plot, strip, spacing=6).resolve_scale(x="shared").properties(description=description)


def adverse_events_chart(trial: Trial, frame: pd.DataFrame, treated: dict | None = None) -> alt.LayerChart:
    """Grade 3 or higher adverse events of interest (Table 3): percent of treated patients per arm.
    ``frame``: event, arm, percent; ``treated``: arm -> number of treated patients (for the subtitle)."""
    frame = with_labels(trial, frame)
    order = list(frame[frame["arm"] == trial.experimental].sort_values("percent", ascending=False)["event"])
    y = alt.Y("event:N", title=None, sort=order, axis=alt.Axis(labelLimit=260))
    rule = alt.Chart(frame).mark_rule(color="#999999").encode(
        x=alt.X("min(percent):Q", title="Treated patients with the event (%)"), x2="max(percent):Q", y=y)
    pts = alt.Chart(frame).mark_point(filled=True, size=90).encode(
        x="percent:Q", y=y, color=arm_colour(trial), shape=alt.Shape("arm_label:N", scale=alt.Scale(domain=list(trial.arm_labels), range=["circle", "square"]), legend=None),
        tooltip=[alt.Tooltip("event:N"), alt.Tooltip("arm_label:N", title="Arm"), alt.Tooltip("percent:Q", format=".1f", title="%")])
    return alt.layer(rule, pts).properties(
        title={"text": "Grade 3 or higher adverse events of interest",
               "subtitle": "Percent of treated patients" + (" (" + ", ".join(f"{n} {a}" for a, n in treated.items()) + ")"
                                                            if treated else "") + "; Table 3 of the publication"},
        description="Dot plot of the percent of treated patients with each grade 3 or higher adverse event of interest, by arm.",
        width=440, height=alt.Step(24),
    )



"""Figures of the Part I page "Interim looks, power and historical controls": group-sequential efficacy boundaries
(O'Brien-Fleming type against Pocock type) and the power of an event-driven trial.

The numbers come from :mod:`trialkit.chapters.randomised` (which calls :mod:`trialkit.design`); the charts only
filter and format.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from trialkit.charts import PALETTE
from trialkit.charts.endpoints import _inline_csv

SPENDING_LABELS = {"obrien-fleming": "O'Brien–Fleming type", "pocock": "Pocock type"}
_TOL = 1e-6


def boundaries_explorer(grid: pd.DataFrame, looks: int = 3, first: float = 0.5) -> alt.VConcatChart:
    """Efficacy boundaries (z and nominal two-sided P per look) for the design the reader chooses:
    number of looks, the information fraction of the first look, and which spending function to show.
    The first-look slider comes first among the controls: with one analysis it has nothing to move.

    ``grid`` is :func:`trialkit.chapters.randomised.boundary_grid`. The dashed line is the unadjusted 1.96; the
    line of text gives the overall type I error of testing every look at 1.96.
    """
    g = grid.assign(first_pct=(grid["first"] * 100).round().astype(int),
                    fraction_pct=grid["fraction"] * 100,
                    label=grid["spending"].map(SPENDING_LABELS))
    firsts = sorted(g["first_pct"].unique())
    step = int(firsts[1] - firsts[0]) if len(firsts) > 1 else 1
    p_looks = alt.param(name="looks", value=looks,
                        bind=alt.binding_range(min=int(g["looks"].min()), max=int(g["looks"].max()), step=1, name="Number of analyses (interim + final) "))
    p_first = alt.param(name="first_look", value=round(first * 100),
                        bind=alt.binding_range(min=int(firsts[0]), max=int(firsts[-1]), step=step, name="First interim at this % of the events "))
    p_show = alt.param(name="show", value="both",
                       bind=alt.binding_select(options=["both", "obrien-fleming", "pocock"],
                                               labels=["Both", SPENDING_LABELS["obrien-fleming"], SPENDING_LABELS["pocock"]],
                                               name="Spending function "))
    design_filter = f"datum.looks == looks && (looks == 1 || datum.first_pct == first_look)"
    shown = "show == 'both' || datum.spending == show"
    base = alt.Chart(g).transform_filter(design_filter)
    colour = alt.Color("label:N", title=None, scale=alt.Scale(domain=list(SPENDING_LABELS.values()), range=PALETTE[:2]),
                       legend=alt.Legend(orient="top", direction="horizontal"))
    x = alt.X("fraction_pct:Q", title="Information (% of the planned events)", scale=alt.Scale(domain=[0, 100]))
    tooltip = [alt.Tooltip("label:N", title="spending"), alt.Tooltip("look:O"), alt.Tooltip("fraction_pct:Q", format=".0f", title="% of events"),
               alt.Tooltip("z:Q", format=".3f", title="z boundary"), alt.Tooltip("nominal_p:Q", format=".4f", title="nominal P (two-sided)")]
    z_max = float(g["z"].max())
    zline = base.transform_filter(shown).mark_line(point=alt.OverlayMarkDef(size=70, filled=True)).encode(
        x=x, y=alt.Y("z:Q", title="z needed to stop for efficacy", scale=alt.Scale(domain=[0, round(z_max + 0.5)])),
        color=colour, tooltip=tooltip)
    naive_rule = alt.Chart(pd.DataFrame({"z": [1.96], "text": ["unadjusted 1.96 (P = 0.05)"]}))
    zrule = naive_rule.mark_rule(strokeDash=[6, 4], color="#b30000").encode(y="z:Q")
    ztext = naive_rule.mark_text(align="left", dx=4, dy=10, color="#b30000").encode(x=alt.value(0), y="z:Q", text="text:N")
    zpanel = alt.layer(zrule, ztext, zline).properties(width=245, height=250, title={"text": "Boundary on the z scale", "fontSize": 13})

    p_min = float(g["nominal_p"].min())
    ticks = [v for v in (1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.05) if v >= p_min / 2]
    pline = base.transform_filter(shown).mark_line(point=alt.OverlayMarkDef(size=70, filled=True)).encode(
        x=x, y=alt.Y("nominal_p:Q", title="Nominal two-sided P needed to stop", scale=alt.Scale(type="log", domain=[p_min / 2, 0.1]),
                     axis=alt.Axis(format="~g", values=ticks)),
        color=colour, tooltip=tooltip)
    prule = alt.Chart(pd.DataFrame({"p": [0.05]})).mark_rule(strokeDash=[6, 4], color="#b30000").encode(y="p:Q")
    ppanel = alt.layer(prule, pline).properties(width=245, height=250, title={"text": "The same boundary as a P value", "fontSize": 13})

    naive = base.transform_filter("datum.look == 1 && datum.spending == 'obrien-fleming'").transform_calculate(
        line1="datum.looks == 1 ? 'A single analysis at P < 0.05:' : datum.looks + ' analyses, each at P < 0.05 unadjusted:'",
        line2="'overall type I error ' + format(100 * datum.naive_alpha, '.1f') + ' %' + (datum.looks == 1 ? '.' : ' (not 5 %).')",
    )
    naive = alt.layer(
        naive.mark_text(align="left", fontSize=13, color="#222222").encode(x=alt.value(0), y=alt.value(8), text="line1:N"),
        naive.mark_text(align="left", fontSize=13, fontWeight="bold", color="#b30000").encode(x=alt.value(0), y=alt.value(27), text="line2:N"),
    ).properties(width=560, height=34)
    return alt.vconcat(naive, alt.hconcat(zpanel, ppanel, spacing=24), spacing=8).add_params(p_first, p_looks, p_show).properties(
        title={"text": "Stopping boundaries that keep the overall type I error at 5 % (two-sided)",
               "subtitle": "Lan–DeMets alpha-spending; efficacy boundaries only. Dashed red: the unadjusted threshold."},
        description=("Line charts of group-sequential efficacy boundaries, as z values and as nominal P values, at each analysis "
                     "for O'Brien-Fleming-type and Pocock-type spending; sliders set the number of analyses and the timing of "
                     "the first interim, and a line of text gives the type I error of unadjusted repeated testing."),
    ).configure_view(stroke=None)


def power_explorer(grid: pd.DataFrame, events: int = 250, hr: float = 0.7, allocation: str = "2:1") -> alt.VConcatChart:
    """Power of the log-rank test against the number of events, for the hazard ratio and allocation
    the reader chooses, with the chosen number of events marked and the events needed for 80 % and
    90 % power. ``grid`` is :func:`trialkit.chapters.randomised.power_grid` (two-sided alpha 0.05)."""
    g = grid.assign(power_pct=grid["power"] * 100)
    ev = sorted(g["events"].unique())
    hrs = sorted(g["hr"].unique())
    allocs = list(dict.fromkeys(g["allocation"]))
    p_events = alt.param(name="events", value=events,
                         bind=alt.binding_range(min=float(ev[0]), max=float(ev[-1]), step=float(ev[1] - ev[0]), name="Number of events (deaths) "))
    p_hr = alt.param(name="hr", value=hr,
                     bind=alt.binding_range(min=float(hrs[0]), max=float(hrs[-1]), step=round(float(hrs[1] - hrs[0]), 6), name="True hazard ratio "))
    p_alloc = alt.param(name="allocation", value=allocation,
                        bind=alt.binding_select(options=allocs, name="Allocation (experimental : control) "))
    by_hr = alt.Chart(_inline_csv(g[["events", "hr", "allocation", "power_pct", "events_80", "events_90"]].round({"power_pct": 2}),
                                  text=("allocation",))).transform_filter(f"abs(datum.hr - hr) < {_TOL}")
    x = alt.X("events:Q", title="Number of events at the analysis", scale=alt.Scale(domain=[0, float(ev[-1])]))
    y = alt.Y("power_pct:Q", title="Power (%)", scale=alt.Scale(domain=[0, 100]))
    others = by_hr.transform_filter("datum.allocation != allocation").mark_line(color="#bbbbbb", strokeWidth=1.5).encode(
        x=x, y=y, detail="allocation:N", tooltip=[alt.Tooltip("allocation:N"), alt.Tooltip("events:Q"), alt.Tooltip("power_pct:Q", format=".1f", title="power (%)")])
    chosen = by_hr.transform_filter("datum.allocation == allocation")
    line = chosen.mark_line(color=PALETTE[0], strokeWidth=2.6).encode(
        x=x, y=y, tooltip=[alt.Tooltip("events:Q"), alt.Tooltip("power_pct:Q", format=".1f", title="power (%)")])
    point = chosen.transform_filter(f"abs(datum.events - events) < {_TOL}").mark_point(
        size=140, filled=True, color=PALETTE[1], stroke="#000000", strokeWidth=0.8).encode(x=x, y=y)
    targets = alt.Chart(pd.DataFrame({"p": [80, 90]})).mark_rule(strokeDash=[4, 4], color="#777777").encode(y="p:Q")
    panel = alt.layer(targets, others, line, point).properties(width=560, height=280)
    text = chosen.transform_filter(f"abs(datum.events - events) < {_TOL}").transform_calculate(
        line1="'Power ' + format(datum.power_pct, '.0f') + ' %: ' + datum.events + ' events, HR ' + format(hr, '.2f') + ', ' + allocation",
        line2="'Events for 80 % power: ' + datum.events_80 + '; for 90 %: ' + datum.events_90",
    )
    t1 = text.mark_text(align="left", fontSize=13, fontWeight="bold").encode(x=alt.value(0), y=alt.value(8), text="line1:N")
    t2 = text.mark_text(align="left", fontSize=13).encode(x=alt.value(0), y=alt.value(28), text="line2:N")
    header = alt.layer(t1, t2).properties(width=560, height=36)
    return alt.vconcat(header, panel, spacing=6).add_params(p_events, p_hr, p_alloc).properties(
        title={"text": "Power of an event-driven trial (log-rank test, Schoenfeld's formula)",
               "subtitle": "Blue: the chosen allocation; grey: the other allocations; dashed: 80 % and 90 % power."},
        description=("Line chart of the power of a log-rank comparison against the number of events, for a hazard ratio and an "
                     "allocation ratio set by the reader, with the chosen number of events marked and the events needed for 80 "
                     "and 90 percent power stated."),
    ).configure_view(stroke=None)

"""Figures of the chapter on the setting: a timeline of the four publications and what each asked."""

from __future__ import annotations

import textwrap

import altair as alt
import pandas as pd

from trialkit.charts import PALETTE

#: Longest line of a question (characters): it must fit a phone column (some 350 px at 11.5 px).
_WRAP = 50


def timeline(frame: pd.DataFrame | None = None, first_year: int | None = None, last_year: int | None = None) -> alt.LayerChart:
    """The publications in order, one row each: the enrolment period where the article gives it (bar),
    the year of publication (diamond) and the question (text). ``frame`` is
    :func:`trialkit.chapters.overview.timeline` (the default)."""
    from trialkit.chapters import overview

    frame = overview.timeline() if frame is None else frame
    starts = frame["enrol_start"].dropna()
    first_year = int(min(starts.min() if len(starts) else frame["year"].min(), frame["year"].min())) if first_year is None else first_year
    last_year = int(frame["year"].max()) + 1 if last_year is None else last_year
    rows = frame.reset_index(drop=True).assign(row=lambda d: d.index.astype(float))
    heads = rows.assign(x=float(first_year), y=rows["row"],
                        text=rows["label"] + " — " + rows["journal"] + " " + rows["year"].astype(str))
    questions = rows.assign(x=float(first_year), y=rows["row"] + 0.34,
                            lines=[textwrap.wrap("Asked: " + q, _WRAP, break_on_hyphens=False) for q in rows["question"]])
    bars = rows.dropna(subset=["enrol_start"]).assign(y=lambda d: d["row"] + 0.2, what="Enrolment (dates the article gives)")
    pubs = rows.assign(x=rows["year"] + 0.5, y=rows["row"] + 0.2, what="Year of publication")
    colour = alt.Color("what:N", title=None, scale=alt.Scale(domain=["Enrolment (dates the article gives)", "Year of publication"],
                                                             range=[PALETTE[0], PALETTE[1]]),
                       legend=alt.Legend(orient="top", direction="horizontal"))
    scale = alt.Scale(domain=[first_year, last_year], nice=False, zero=False)
    x = alt.X("x:Q", title="Year", scale=scale, axis=alt.Axis(format="d", tickMinStep=1, grid=True, labelFlush=False))
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[-0.3, len(rows) + 0.15], reverse=True))
    head = alt.Chart(heads).mark_text(align="left", baseline="middle", fontWeight="bold", fontSize=13).encode(x=x, y=y, text="text:N")
    question = alt.Chart(questions).mark_text(align="left", baseline="top", fontSize=11.5, lineHeight=14).encode(
        x=x, y=y, text="lines:N")
    bar = alt.Chart(bars).mark_rule(strokeWidth=9, strokeCap="butt").encode(
        x=alt.X("enrol_start:Q", scale=scale, title="Year"), x2="enrol_end:Q", y=y, color=colour,
        tooltip=[alt.Tooltip("label:N", title="Trial"), alt.Tooltip("enrolment:N", title="Enrolment")])
    pub = alt.Chart(pubs).mark_point(shape="diamond", size=160, filled=True, opacity=1).encode(
        x=x, y=y, color=colour,
        tooltip=[alt.Tooltip("label:N", title="Trial"), alt.Tooltip("journal:N", title="Journal"),
                 alt.Tooltip("year:Q", title="Published", format="d")])
    return alt.layer(bar, pub, head, question).properties(
        title={"text": f"Four publications, {int(frame['year'].min())} to {int(frame['year'].max())}, and the question each asked",
               "subtitle": "Bars: enrolment, from the first to the last date the article gives; diamonds: year of publication."},
        description=("Timeline of the four publications in order of publication, each with its enrolment period where "
                     "the article gives one, its year of publication and the question it asked."),
        width=600, height=145 * len(rows),
    )

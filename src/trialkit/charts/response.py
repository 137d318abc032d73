"""Figures of the chapter on response definitions: how each trial would classify one patient.

The classifications are computed by :mod:`trialkit.chapters.response` over a grid of slider values; the chart
only filters that grid by the sliders (Vega-Lite parameters), so it works in the static book.
"""

from __future__ import annotations

import re

import altair as alt
import pandas as pd

from trialkit.chapters import response

# One letter per outcome code keeps the embedded grid small.
LETTERS = {"CR": "C", "CRh": "H", "CRi": "I", "NR_marrow": "M", "NR_disease": "D", "NR_marrow_disease": "B",
           "NR_counts": "N", "NS": "S"}
CATEGORY_COLOURS = {"CR": "#0072B2", "CRh": "#56B4E9", "CRi": "#E69F00", "No remission": "#9E9E9E", "Not stated": "#FFFFFF"}
GRID_TRIALS = ("tower", "inovate")       # the trials whose publications print their thresholds
COLUMN = {"tower": "t", "inovate": "i", "e1910": "e", "topp2021": "o"}


ANC_STEP, PLATELET_STEP = 0.25, 25        # the sliders' steps, which are the grid's
ANC_MAX, PLATELET_MAX = 2.0, 200


def threshold_side(rules) -> str:
    """Which side of a threshold its boundary value belongs to, for all count ``rules`` of a trial:
    ``"below"`` when they are '>' or '<=' (the value itself fails a '>' rule), ``"above"`` when they are
    '>=' or '<'. A map colours each grid value's cell on that side, so colour edges fall on the
    thresholds. Mixed conventions cannot be drawn that way and raise ValueError."""
    ops = {r.op for r in rules}
    if ops and ops <= {">", "<="}:
        return "below"
    if ops and ops <= {">=", "<"}:
        return "above"
    raise ValueError(f"rules mix threshold conventions {sorted(ops)}; expected all of '>'/'<=' or all of '>='/'<'")


def _compact_grid() -> pd.DataFrame:
    grid = response.classification_grid(trials=GRID_TRIALS)
    return pd.DataFrame({
        "p": grid["platelets"].round().astype(int),
        "a": grid["anc"].round(2),
        "b": grid["marrow_blasts"].round().astype(int),
        "d": grid["disease_elsewhere"].astype(int),
        **{COLUMN[t]: grid[t].map(LETTERS) for t in GRID_TRIALS},
    })


def _constant_code(trial: str) -> str:
    """The outcome of a trial whose publication prints no thresholds: the same for every patient."""
    codes = {response.classify(trial, p, a, b, d).code
             for p in (0, 200) for a in (0, 2) for b in (0, 10) for d in (False, True)}
    if len(codes) != 1:
        raise ValueError(f"{trial} does not classify every patient alike ({sorted(codes)}); add it to GRID_TRIALS")
    return codes.pop()


#: Shorter words for a reason printed under its classification (the units are on the sliders and the
#: maps' axes; "not CR" and the like follow from the order of the categories). The tooltip, the
#: figure's description and the page give the reason in full.
_SHORTER = ((" × 10⁹/L", ""), ("marrow blasts", "blasts"), ("disease outside the marrow", "disease elsewhere"),
            ("names CR, CRi but prints no thresholds", "prints no thresholds"),
            ("names CR, CRh but prints no thresholds", "prints no thresholds"),
            ("marrow clear, but counts meet no category", "counts meet no category"))


def short_reason(reason: str) -> str:
    """``reason`` (from :func:`trialkit.chapters.response.explain`) in a few words: without units, and
    without a closing "(not ...)", which the order CR, CRh, CRi implies; "(our reading)" stays."""
    text = str(reason)
    for long, short in _SHORTER:
        text = text.replace(long, short)
    return re.sub(r" \(not [^)]*\)$", "", text)


def _labels() -> pd.DataFrame:
    rows = []
    for order, trial in enumerate(response.TRIALS):
        crit = response.criteria(trial)
        for code in response.outcomes(trial):
            reason = response.explain(trial, code)
            rows.append({"key": COLUMN[trial] + LETTERS[code], "trial_label": crit.label, "order": order,
                         "category": response.CODES[code], "reason": reason, "short_reason": short_reason(reason)})
    return pd.DataFrame(rows)


def classifier(platelets: int = 75, anc: float = 0.75, blasts: int = 2) -> alt.VConcatChart:
    """A patient set with sliders (platelets, ANC, marrow blasts) and a checkbox (disease outside the
    marrow); one row per trial with the category its publication gives, and for the two trials that
    print thresholds a map of every platelet-ANC combination with the patient outlined."""
    grid = _compact_grid()
    labels = _labels()
    constants = {COLUMN[t]: LETTERS[_constant_code(t)] for t in response.TRIALS if t not in GRID_TRIALS}
    p_platelets = alt.param(name="platelets", value=platelets,
                            bind=alt.binding_range(min=0, max=PLATELET_MAX, step=PLATELET_STEP, name="Platelets (× 10⁹/L) "))
    p_anc = alt.param(name="anc", value=anc, bind=alt.binding_range(min=0, max=ANC_MAX, step=ANC_STEP, name="Neutrophils, ANC (× 10⁹/L) "))
    p_blasts = alt.param(name="blasts", value=blasts, bind=alt.binding_range(min=0, max=10, step=1, name="Marrow blasts (%) "))
    p_disease = alt.param(name="disease", value=False,
                          bind=alt.binding_checkbox(name="Disease outside the marrow (circulating blasts or extramedullary) "))
    same_marrow = "datum.b == blasts && datum.d == (disease ? 1 : 0)"
    same_counts = "datum.p == platelets && abs(datum.a - anc) < 0.01"
    colour = alt.Color("category:N", title="Classification",
                       scale=alt.Scale(domain=list(CATEGORY_COLOURS), range=list(CATEGORY_COLOURS.values())),
                       legend=alt.Legend(orient="bottom", direction="horizontal", symbolStrokeColor="#555555",
                                         symbolStrokeWidth=1, symbolType="square"))
    lookup = alt.LookupData(labels, key="key", fields=["trial_label", "order", "category", "reason", "short_reason"])

    # One row per trial: the classification in a box, and under it the reason in a few words (a line
    # of its own, so that it fits a phone column).
    fold = list(COLUMN.values())
    rows = (alt.Chart(grid).transform_filter(f"{same_counts} && {same_marrow}")
            .transform_calculate(**{k: f"'{v}'" for k, v in constants.items()})
            .transform_fold(fold, as_=["col", "code"])
            .transform_calculate(key="datum.col + datum.code")
            .transform_lookup(lookup="key", from_=lookup))
    y = alt.Y("trial_label:N", title=None, sort=[response.criteria(t).label for t in response.TRIALS],
              scale=alt.Scale(paddingInner=0.2, paddingOuter=0.05),
              axis=alt.Axis(labelFontSize=13, labelFontWeight="bold", domain=False, ticks=False, labelPadding=8))
    part = alt.Scale(domain=["box", "why"], paddingInner=0.1)
    box = rows.mark_rect(stroke="#555555", strokeWidth=1).encode(
        x=alt.value(0), x2=alt.value(110), y=y, yOffset=alt.YOffset(datum="box", scale=part), color=colour,
        tooltip=[alt.Tooltip("trial_label:N", title="Trial"), alt.Tooltip("category:N", title="Classification"),
                 alt.Tooltip("reason:N", title="Why")])
    word = rows.mark_text(fontWeight="bold", fontSize=12).encode(
        x=alt.value(55), y=y, yOffset=alt.YOffset(datum="box", scale=part), text="category:N",
        color=alt.condition("datum.category == 'CR'", alt.value("#ffffff"), alt.value("#111111")))
    why = rows.mark_text(align="left", fontSize=12).encode(
        x=alt.value(0), y=y, yOffset=alt.YOffset(datum="why", scale=part), text="short_reason:N")
    # The panel's title states the patient in words, so it changes with every control.
    patient = alt.expr("['Patient: platelets ' + platelets + ', ANC ' + format(anc, '.2f') + ' (× 10⁹/L),',"
                       " 'blasts ' + blasts + '%, disease elsewhere: ' + (disease ? 'yes' : 'no')]")
    row_panel = alt.layer(box, word, why).properties(
        width=240, height=56 * len(response.TRIALS),
        title=alt.TitleParams(text=patient, subtitle="How each publication classifies this patient, and why", fontSize=14))

    # Platelet-ANC maps for the trials that print thresholds, at the chosen marrow and disease status, on
    # continuous axes: each grid value colours the cell on the side of it that shares its classification
    # (to its left and below for '>' thresholds, to its right and above for '>='), so colour edges fall
    # exactly on the thresholds, which are drawn as labelled lines.
    a_step, p_step = ANC_STEP, PLATELET_STEP

    def heat(trial: str) -> alt.LayerChart:
        col = COLUMN[trial]
        rules = [r for r in response.criteria(trial).rules if r.measure in ("ANC", "platelets") and r.op]
        side = threshold_side(rules)
        base = (alt.Chart(grid).transform_filter(same_marrow)
                .transform_calculate(key=f"'{col}' + datum.{col}")
                .transform_lookup(lookup="key", from_=lookup))
        lo, hi = (-1, 0) if side == "below" else (0, 1)
        base = base.transform_calculate(a0=f"datum.a + {lo * a_step}", a1=f"datum.a + {hi * a_step}",
                                        p0=f"datum.p + {lo * p_step}", p1=f"datum.p + {hi * p_step}")
        xs = alt.Scale(domain=[0, ANC_MAX], nice=False)
        ys = alt.Scale(domain=[0, PLATELET_MAX], nice=False)
        cells = base.mark_rect(stroke="#ffffff", strokeWidth=0.3, clip=True).encode(
            x=alt.X("a0:Q", title="ANC (× 10⁹/L)", scale=xs, axis=alt.Axis(values=[0, 0.5, 1, 1.5, 2])),
            x2="a1:Q",
            y=alt.Y("p0:Q", title="Platelets (× 10⁹/L)", scale=ys, axis=alt.Axis(values=[0, 50, 100, 150, 200])),
            y2="p1:Q", color=colour,
            tooltip=[alt.Tooltip("p:Q", title="platelets (× 10⁹/L)"), alt.Tooltip("a:Q", title="ANC (× 10⁹/L)", format=".2f"),
                     alt.Tooltip("category:N", title="Classification"), alt.Tooltip("reason:N", title="Why")])
        sign = {">": ">", ">=": "≥", "<": "<", "<=": "≤"}
        lines = pd.DataFrame([{"measure": r.measure, "value": r.value,
                               "label": f"{sign[r.op]} {r.value:g}"} for r in rules]).drop_duplicates(["measure", "value"])
        vert = lines[lines["measure"] == "ANC"]
        horiz = lines[lines["measure"] == "platelets"]
        layers = [cells]
        if len(vert):
            layers += [alt.Chart(vert).mark_rule(color="#000000", strokeWidth=1.2, strokeDash=[4, 2]).encode(x=alt.X("value:Q", scale=xs)),
                       alt.Chart(vert).mark_text(align="center", dy=-6, fontSize=10, fontWeight="bold").encode(
                           x=alt.X("value:Q", scale=xs), y=alt.value(0), text="label:N")]
        if len(horiz):
            layers += [alt.Chart(horiz).mark_rule(color="#000000", strokeWidth=1.2, strokeDash=[4, 2]).encode(y=alt.Y("value:Q", scale=ys)),
                       alt.Chart(horiz).mark_text(align="right", dx=-3, dy=-4, fontSize=10, fontWeight="bold").encode(
                           y=alt.Y("value:Q", scale=ys), x=alt.value(210), text="label:N")]
        marker = (alt.Chart(pd.DataFrame({"x": [0]})).transform_calculate(a="anc", p="platelets")
                  .mark_point(shape="square", size=140, filled=False, stroke="#000000", strokeWidth=3)
                  .encode(x=alt.X("a:Q", scale=xs), y=alt.Y("p:Q", scale=ys)))
        layers.append(marker)
        return alt.layer(*layers).properties(width=210, height=210, title=f"{response.criteria(trial).label}: all counts")

    maps = alt.hconcat(*(heat(t) for t in GRID_TRIALS), spacing=24)
    silent = " and ".join(response.criteria(t).label for t in response.TRIALS if t not in GRID_TRIALS)
    return alt.vconcat(row_panel, maps, spacing=18).add_params(p_platelets, p_anc, p_blasts, p_disease).properties(
        title={"text": "One patient, four response definitions",
               "subtitle": ["Maps: every platelet and ANC value at the chosen marrow status; black square: the patient.",
                            f"No map for {silent}: their articles print no thresholds."]},
        description=("Interactive classifier. Sliders set platelets, neutrophils and marrow blasts and a checkbox sets disease "
                     "outside the marrow; one row per trial shows the classification its publication gives (CR, CRh, CRi, "
                     "no remission or not stated) and why; two maps show the classification of every platelet and "
                     "neutrophil combination under TOWER's and INO-VATE's definitions, with the patient outlined."),
    ).resolve_scale(color="shared")

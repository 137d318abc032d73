"""TOWER's published results as tables for the chapter: each number printed as the publication prints
it (from ``data/tower``), with the ledger's verdict on the numbers it recomputes.

* :func:`printed` -- one data row as printed: ``"91 (33.6 %; 95 % CI 28.0–39.5)"``, ``"0.71 (0.55–0.93)"``.
* :func:`line_mark` -- the ledger's verdict on a set of rows, in words.
* :func:`remission_table`, :func:`survival_table`, :func:`transplant_table`,
  :func:`adverse_event_table`, :func:`regimen_table` -- the chapter's tables.
* :func:`remission_rates`, :func:`adverse_event_rates`, :func:`efs_ceiling` -- tidy frames for charts.

Nothing is recomputed here except what the ledger recomputes; the tables only select and format.
"""

from __future__ import annotations

import pandas as pd

from trialkit import data
from trialkit.chapters import ledger

STUDY = "tower"
ARMS = ("blinatumomab", "chemotherapy")
_UNITS = {"months": " months", "days": " days", "percent": " %", "per_100_patient_years": " per 100 patient-years",
          "percentage_points": " points"}


def _row(table: str, row_id: str):
    return data.row(STUDY, table, row_id)


def printed(table: str, row_id: str, units: bool = True) -> str:
    """Data row ``row_id`` of TOWER's ``table`` as printed: a count with its percent (and interval), a
    percent, or a value with its unit and interval."""
    r = _row(table, row_id)
    unit = _UNITS.get(r["unit"], "") if units else ""
    ci = f"{r['ci_low']}–{r['ci_high']}" if r["ci_low"] else ""
    if r["statistic"] == "count":
        inner = "; ".join(p for p in ((f"{r['percent']} %" if r["percent"] else ""), (f"95 % CI {ci}" if ci else "")) if p)
        return f"{r['value']} ({inner})" if inner else r["value"]
    text = f"{r['value']}{unit}"
    return f"{text} ({ci})" if ci else text


def line_mark(table_ids) -> str:
    """The ledger's verdict on the printed numbers of some rows (``(table, id)`` pairs, or ids), in words:
    ``"✓ 5 of 5 recomputed"``, ``"✗ ..."``, ``"– not recomputable"``, or ``""`` when none is checked."""
    ids = [i[1] if isinstance(i, tuple) else i for i in table_ids]
    checks = pd.concat([ledger.checks_for(STUDY, i) for i in ids], ignore_index=True) if ids else pd.DataFrame()
    if checks.empty:
        return ""
    verdicts = [ledger.verdict(STUDY, i) for i in ids]
    verdicts = [v for v in verdicts if v is not None]
    n = len(checks)
    if "no" in verdicts:
        return f"✗ {sum(v == 'no' for v in verdicts)} not reproduced (see the ledger)"
    if all(v == "not recomputable" for v in verdicts):
        return "– not recomputable (see the ledger)"
    ok = sum(v in ("exact", "within rounding") for v in verdicts)
    extra = "; – some not recomputable" if "not recomputable" in verdicts else ""
    return f"✓ {n} recomputed number{'s' if n > 1 else ''} match{'' if n > 1 else 'es'}" + extra if ok else ""


def _table(lines, columns) -> pd.DataFrame:
    return pd.DataFrame(lines, columns=columns)


def remission_table() -> pd.DataFrame:
    """Table 2: best response within 12 weeks, all randomised patients."""
    out = []
    for label, stem in (("Complete remission, full recovery (CR)", "cr"),
                        ("CR, CRh or CRi", "cr_crh_cri"),
                        ("CR with partial recovery (CRh)", "crh"),
                        ("CR with incomplete recovery (CRi)", "cri")):
        ids = [f"{stem}_count_{arm}" for arm in ARMS]
        diff = f"{stem}_difference" if stem in ("cr", "cr_crh_cri") else None
        p = f"{stem}_p" if diff else None
        out.append([label, printed("responses", ids[0]), printed("responses", ids[1]),
                    printed("responses", diff, units=False) if diff else "", _row("responses", p)["value"] if p else "",
                    line_mark(ids + ([diff] if diff else []))])
    return _table(out, ["Response", "Blinatumomab (N=271)", "Chemotherapy (N=134)",
                        "Difference, points (95 % CI)", "P", "Ledger"])


def survival_table() -> pd.DataFrame:
    """Time-to-event results: medians (95 % CI), landmark rates, hazard ratios and P values."""
    rows = [
        ("Overall survival, median (months)", "os_median", "os_hr", "os_p"),
        ("Overall survival at 6 months", "os_landmark_6m", None, None),
        ("Overall survival censored at transplant, median (months)", "os_sct_censored_median", "os_sct_censored_hr", "os_sct_censored_p"),
        ("Event-free survival at 6 months", "efs_landmark_6m", "efs_hr", "efs_p"),
        ("Duration of remission (CR/CRh/CRi), median (months)", "dor_median", None, None),
    ]
    out = []
    for label, stem, hr, p in rows:
        ids = [f"{stem}_{arm}" for arm in ARMS]
        pct = _row("survival", ids[0])["statistic"] == "landmark"
        out.append([label, printed("survival", ids[0], units=pct), printed("survival", ids[1], units=pct),
                    printed("survival", hr, units=False) if hr else "", _row("survival", p)["value"] if p else "",
                    line_mark([p] if p else [])])
    return _table(out, ["Endpoint", "Blinatumomab", "Chemotherapy", "Hazard ratio (95 % CI)", "P", "Ledger"])


def transplant_table() -> pd.DataFrame:
    """Allogeneic stem-cell transplantation: percent of randomised patients, by route to transplant."""
    frame = data.load(STUDY, "transplant")
    sct = frame[frame["characteristic"] == "Allogeneic stem-cell transplantation"]
    out = []
    for category in dict.fromkeys(sct["category"]):
        ids = [sct[(sct["category"] == category) & (sct["arm"] == arm)]["id"].iloc[0] for arm in ARMS]
        out.append([category, printed("transplant", ids[0]), printed("transplant", ids[1])])
    ids = [f"post_sct_deaths_{arm}" for arm in ARMS]
    out.append(["Deaths after transplant among those transplanted after CR/CRh/CRi",
                f"{_row('transplant', ids[0])['value']} of {int(_row('transplant', ids[0])['denominator'])} "
                f"({_row('transplant', ids[0])['percent']} %) {line_mark([ids[0]])}",
                f"{_row('transplant', ids[1])['value']} of {int(_row('transplant', ids[1])['denominator'])} "
                f"({_row('transplant', ids[1])['percent']} %) {line_mark([ids[1]])}"])
    return _table(out, ["Allogeneic transplant", "Blinatumomab (% of 271)", "Chemotherapy (% of 134)"])


def adverse_event_table() -> pd.DataFrame:
    """Table 3: adverse events among treated patients (267 and 109), with the ledger's verdict."""
    frame = data.load(STUDY, "adverse_events")
    counted = frame[frame["statistic"] == "count"]
    out = []
    for (characteristic, category), g in counted.groupby(["characteristic", "category"], sort=False):
        ids = [g[g["arm"] == arm]["id"].iloc[0] for arm in ARMS]
        label = category if category else characteristic
        if category:
            label = f"Grade ≥3 {category[0].lower()}{category[1:]}"
        out.append([label, printed("adverse_events", ids[0]), printed("adverse_events", ids[1]), line_mark(ids)])
    return _table(out, ["Event (patients with at least one)", "Blinatumomab (N=267)", "Chemotherapy (N=109)", "Ledger"])


def regimen_table() -> pd.DataFrame:
    """The chemotherapy regimens the 109 treated control patients received."""
    frame = data.load(STUDY, "flow")
    reg = frame[frame["characteristic"] == "Chemotherapy regimen received"]
    return _table([[r["category"], printed("flow", r["id"]), line_mark([r["id"]])] for _, r in reg.iterrows()],
                  ["Regimen (investigator's choice)", "Patients (% of 109 treated)", "Ledger"])


def remission_rates() -> pd.DataFrame:
    """CR and CR/CRh/CRi per arm with the published exact intervals: response, arm, percent, low, high."""
    out = []
    for label, stem in (("CR", "cr"), ("CR, CRh or CRi", "cr_crh_cri")):
        for arm in ARMS:
            r = _row("responses", f"{stem}_count_{arm}")
            out.append({"response": label, "arm": arm, "percent": r["percent_num"], "low": r["ci_low_num"], "high": r["ci_high_num"]})
    return pd.DataFrame(out)


def adverse_event_rates() -> pd.DataFrame:
    """Grade 3 or higher adverse events of interest (Table 3): event, arm, percent (0 when none)."""
    frame = data.load(STUDY, "adverse_events")
    g3 = frame[frame["characteristic"].str.startswith("Grade 3 or higher adverse event of interest")]
    return pd.DataFrame({"event": g3["category"], "arm": g3["arm"],
                         "percent": [100 * r["value_num"] / int(r["denominator"]) for _, r in g3.iterrows()]}).reset_index(drop=True)


def efs_ceiling() -> pd.DataFrame:
    """The points that TOWER's event-free survival rule fixes, per arm: 100 % at randomisation, the
    CR/CRh/CRi rate from day 1 (non-responders fail on day 1), and the published 6-month estimate.
    Columns: arm, time (months), efs (percent), kind ("known" for the rule, "unknown" for the path to
    6 months), label."""
    day1 = 1 / 30.4375
    out = []
    for arm in ARMS:
        resp = _row("responses", f"cr_crh_cri_count_{arm}")["percent_num"]
        six = _row("survival", f"efs_landmark_6m_{arm}")["value_num"]
        out += [{"arm": arm, "time": 0.0, "efs": 100.0, "kind": "known", "label": ""},
                {"arm": arm, "time": day1, "efs": resp, "kind": "known", "label": f"day 1: {resp:g} % (remission rate)"},
                {"arm": arm, "time": 0.6, "efs": resp, "kind": "known", "label": ""},
                {"arm": arm, "time": 0.6, "efs": resp, "kind": "unknown", "label": ""},
                {"arm": arm, "time": 6.0, "efs": six, "kind": "unknown", "label": f"6 months: {six:g} %"}]
    return pd.DataFrame(out)

"""TOWER's published results as tables for the chapter: each number printed as the publication prints
it (from ``data/tower``), with the ledger's verdict on the numbers it recomputes.

* :func:`printed` -- one data row as printed: ``"91 (33.6 %; 95 % CI 28.0–39.5)"``, ``"0.71 (0.55–0.93)"``.
* :func:`line_mark` -- the ledger's verdict on a set of rows, in words.
* :func:`remission_table`, :func:`survival_table`, :func:`transplant_table`,
  :func:`adverse_event_table`, :func:`regimen_table` -- the chapter's tables.
* :func:`remission_rates`, :func:`adverse_event_rates`, :func:`efs_ceiling` -- tidy frames for charts.

The tables only select and format; the ledger recomputes the published numbers. Two design
questions are computed here, from :mod:`trialkit.design`:

* :func:`boundaries_by_convention` -- the efficacy boundaries under the two conventions for an
  O'Brien-Fleming-type Lan-DeMets spending function (one-sided 0.025, as the book uses throughout, or
  the two-sided 0.05 form with symmetric boundaries); :func:`stop_boundaries` at TOWER's actual stop.
* :func:`secondary_boundaries`, :func:`secondary_min_fraction` -- the boundaries TOWER's key secondary
  endpoints would face had they been given their own O'Brien-Fleming-type boundaries after the primary
  crossed at the interim (Hung, Wang and O'Neill 2007; Glimm, Maurer and Bretz 2010), against their
  published P values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize as _opt
from scipy import stats as _st

from trialkit import _check, data, design
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
    ok = sum(ledger.MARKS[v][0] == "✓" for v in verdicts)
    extra = "; – some not recomputable" if "not recomputable" in verdicts else ""
    if "under assumptions" in verdicts:
        extra = "; some under a stated assumption (see the ledger)" + extra
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
    The article reports remission only within 12 weeks, so the day-1 value is the ceiling only if no
    patient first reached remission later; otherwise the ceiling (the share ever in remission) is higher.
    Columns: arm, time (months), efs (percent), kind ("known" for the rule, "unknown" for the path to
    6 months), label."""
    day1 = 1 / 30.4375
    out = []
    for arm in ARMS:
        resp = _row("responses", f"cr_crh_cri_count_{arm}")["percent_num"]
        six = _row("survival", f"efs_landmark_6m_{arm}")["value_num"]
        out += [{"arm": arm, "time": 0.0, "efs": 100.0, "kind": "known", "label": ""},
                {"arm": arm, "time": day1, "efs": resp, "kind": "known", "label": f"day 1: {resp:g} % (remission by wk 12)"},
                {"arm": arm, "time": 0.6, "efs": resp, "kind": "known", "label": ""},
                {"arm": arm, "time": 0.6, "efs": resp, "kind": "unknown", "label": ""},
                {"arm": arm, "time": 6.0, "efs": six, "kind": "unknown", "label": f"6 months: {six:g} %"}]
    return pd.DataFrame(out)


# --- the interim boundary under two spending conventions ------------------------------------------

CONVENTIONS = ("one-sided", "two-sided")
KEY_SECONDARY_P = {"CR within 12 weeks": ("responses", "cr_p"),
                   "CR, CRh or CRi within 12 weeks": ("responses", "cr_crh_cri_p"),
                   "Event-free survival": ("survival", "efs_p")}


def boundaries_by_convention(fractions, alpha_two_sided: float = 0.05) -> pd.DataFrame:
    """Efficacy boundaries at information ``fractions`` for a two-sided level ``alpha_two_sided`` under
    both conventions of the O'Brien-Fleming-type Lan-DeMets spending function:

    * ``"one-sided"``: one-sided spending of ``alpha_two_sided / 2`` (2 - 2 Phi(z_{1-alpha/4} / sqrt(t)),
      gsDesign ``sfLDOF`` with a one-sided 0.025), efficacy boundary only
      (:func:`trialkit.design.spending_boundaries`);
    * ``"two-sided"``: the two-sided form of Lan and DeMets (1983), 2 - 2 Phi(z_{1-alpha/2} / sqrt(t)) of
      the two-sided ``alpha``, with symmetric boundaries +/- z.

    Returns one row per convention and look: convention, look, fraction, z, nominal_p_two_sided (the
    two-sided P value that crosses the boundary), alpha_spent_two_sided (cumulative).
    """
    alpha = _check.probability("alpha_two_sided", alpha_two_sided)
    frames = []
    for name, sided, level in (("one-sided", 1, alpha / 2), ("two-sided", 2, alpha)):
        b = design.spending_boundaries(fractions, alpha=level, sided=sided)
        z = b["z"].to_numpy()
        spent = b["alpha_spent"].to_numpy() * (2 if sided == 1 else 1)
        frames.append(pd.DataFrame({"convention": name, "look": b["look"].to_numpy(), "fraction": b["fraction"].to_numpy(),
                                    "z": z, "nominal_p_two_sided": 2 * _st.norm.sf(z), "alpha_spent_two_sided": spent}))
    return pd.concat(frames, ignore_index=True)


def _planning(row_id: str) -> float:
    return float(data.row(STUDY, "planning", row_id)["value_num"])


def stop_fractions() -> tuple[float, float, float]:
    """TOWER's looks as they happened, as far as published: the first at the planned half of the
    deaths (its actual timing is not published), the second at the deaths observed at the stop over
    the planned deaths, the final at 1."""
    deaths = float(data.row(STUDY, "survival", "os_deaths_overall")["value_num"])
    return _planning("plan_interim1_fraction") / 100, deaths / _planning("plan_deaths"), 1.0


def stop_boundaries() -> pd.DataFrame:
    """:func:`boundaries_by_convention` at TOWER's looks (:func:`stop_fractions`) and its two-sided
    alpha (0.05), with the published overall-survival P value and whether it crosses each boundary
    (``published_p``, ``crossed``: the printed P is below the nominal P of the boundary)."""
    out = boundaries_by_convention(stop_fractions(), _planning("plan_alpha"))
    printed = data.row(STUDY, "survival", "os_p")
    out["published_p"] = printed["value"]
    out["crossed"] = float(printed["value_num"]) < out["nominal_p_two_sided"]
    return out


# --- key secondary endpoints after a group-sequential stop ----------------------------------------


def _first_look_z(fraction: float, alpha_one_sided: float) -> float:
    return float(design.spending_boundaries([fraction], alpha=alpha_one_sided, sided=1)["z"].iloc[0])


def secondary_min_fraction(p_two_sided: float, alpha_two_sided: float = 0.05) -> float:
    """The smallest information fraction t at which a two-sided P value ``p_two_sided`` still crosses an
    O'Brien-Fleming-type boundary (one-sided spending of ``alpha_two_sided / 2``) at a first look at t.
    Below it, the boundary is stricter than the P value."""
    p = _check.probability("p_two_sided", p_two_sided)
    alpha = _check.probability("alpha_two_sided", alpha_two_sided)
    if p >= alpha:
        raise ValueError(f"p_two_sided must be below alpha_two_sided ({alpha}) to cross any boundary, got {p}")
    z = float(_st.norm.isf(p / 2))
    return float(_opt.brentq(lambda t: _first_look_z(t, alpha / 2) - z, 1e-3, 1.0, xtol=1e-10))


def secondary_boundaries(fractions=None) -> pd.DataFrame:
    """The boundary each key secondary endpoint of TOWER would face at the stop with its own
    O'Brien-Fleming-type boundary (one-sided 0.025), for several information fractions of the
    secondary at the stop (default: a quarter, a half, the primary's own fraction at the stop, all),
    each taken as the secondary's first look; and, for the primary's fraction, with the primary's
    first look at one half as well.

    One row per endpoint and fraction: endpoint, published_p (as printed), p_bound (its numeric
    bound), fraction, looks ("first look" or "looks as overall survival"), z, nominal_p_two_sided,
    clears (the published bound is below the boundary's nominal P), min_fraction
    (:func:`secondary_min_fraction` of the published bound).
    """
    alpha = _planning("plan_alpha")
    looks = stop_fractions()
    fractions = (0.25, 0.5, looks[1], 1.0) if fractions is None else fractions
    fr = [_check.real(f"fractions[{i}]", f, low=0.0, low_open=True, high=1.0) for i, f in enumerate(fractions)]
    rows = []
    for endpoint, (table, row_id) in KEY_SECONDARY_P.items():
        printed = data.row(STUDY, table, row_id)
        bound = float(printed["value_num"])
        z_list = [(f, "first look", _first_look_z(f, alpha / 2)) for f in fr]
        as_os = design.spending_boundaries(looks, alpha=alpha / 2, sided=1)["z"].iloc[1]
        z_list.append((looks[1], "looks as overall survival", float(as_os)))
        for f, kind, z in z_list:
            nominal = float(2 * _st.norm.sf(z))
            rows.append({"endpoint": endpoint, "published_p": printed["value"], "p_bound": bound, "fraction": f,
                         "looks": kind, "z": z, "nominal_p_two_sided": nominal, "clears": bound <= nominal,
                         "min_fraction": secondary_min_fraction(bound, alpha)})
    return pd.DataFrame(rows)


def convention_readings() -> dict:
    """What the design page quotes about the interim boundary under both spending conventions
    (:func:`stop_boundaries`: ``conv_one_z``/``conv_two_z`` and their two-sided nominal P at the look that
    stopped the trial, ``conv_*_z1`` at the first look) and about key secondary endpoints tested after
    the stop (:func:`secondary_boundaries`: the smallest information fraction at which the printed P
    values still cross, the largest such P, and first-look boundaries at a half and a quarter of the
    information)."""
    conv = stop_boundaries()
    out = {}
    for name, key in (("one-sided", "one"), ("two-sided", "two")):
        c = conv[conv["convention"] == name].set_index("look")
        out.update({f"conv_{key}_z": float(c.loc[2, "z"]), f"conv_{key}_p": float(c.loc[2, "nominal_p_two_sided"]),
                    f"conv_{key}_z1": float(c.loc[1, "z"])})
    sec = secondary_boundaries()
    first = sec[sec["looks"] == "first look"].drop_duplicates("fraction").set_index("fraction")
    out.update({"sec_min_fraction": float(100 * sec["min_fraction"].iloc[0]), "sec_p_bound": float(sec["p_bound"].max()),
                "sec_z_half": float(first.loc[0.5, "z"]), "sec_p_half": float(first.loc[0.5, "nominal_p_two_sided"]),
                "sec_z_quarter": float(first.loc[0.25, "z"]),
                "sec_p_quarter": float(first.loc[0.25, "nominal_p_two_sided"])})
    return out


def boundaries_table() -> pd.DataFrame:
    """:func:`stop_boundaries` as the design page shows it: shares and P values as text, one row per
    convention and look."""
    conv = stop_boundaries()
    both = conv.assign(fraction=[f"{100 * f:.1f} %" for f in conv["fraction"]], z=[f"{z:.3f}" for z in conv["z"]],
                       nominal_p_two_sided=[f"{p:.4f}" for p in conv["nominal_p_two_sided"]],
                       alpha_spent_two_sided=[f"{a:.4f}" for a in conv["alpha_spent_two_sided"]],
                       crossed=["yes" if c else "no" for c in conv["crossed"]])
    both = both[["convention", "look", "fraction", "alpha_spent_two_sided", "z", "nominal_p_two_sided", "published_p", "crossed"]]
    both.columns = ["Spending convention", "Look", "Share of planned deaths", "Two-sided alpha spent so far",
                    "Boundary (z)", "Two-sided P needed", "Published P (overall survival)", "Crossed"]
    return both

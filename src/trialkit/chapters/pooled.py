"""The pooled phase 2 blinatumomab analysis (Cancer 2021): the chapter's tables and computed readings.

Everything is read from ``data/topp2021`` (each number as printed) and only selected, formatted or
combined here; the ledger recomputes the printed percentages.

* :func:`printed`, :func:`line_mark` -- one data row as printed; the ledger's verdict on some rows.
* :func:`source_studies` -- the two phase 2 studies side by side.
* :func:`baseline_table`, :func:`survival_table`, :func:`survivors_table`, :func:`prognostic_table` --
  the chapter's tables (Table 1, the survival estimates, Table 2 and Table 3).
* :func:`prognostic_frame` -- Table 3 as a tidy frame for the forest plot.
* :func:`conditional_shares` -- what Table 2 says when it is read the other way round: the share of
  each group (responders, MRD responders, transplanted patients) who became long-term survivors.
* :func:`readings` -- numbers derived from the printed ones that the pages quote (sums, differences,
  shares), so that no page types a number.
* :func:`at_risk` -- numbers at risk of a SYNTHETIC dataset at chosen times.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trialkit import _check, data
from trialkit.chapters import ledger

STUDY = "topp2021"
_UNITS = {"months": " months", "percent": " %", "years": " years"}


def _row(table: str, row_id: str) -> pd.Series:
    return data.row(STUDY, table, row_id)


def printed(table: str, row_id: str, units: bool = True) -> str:
    """Row ``row_id`` of ``table`` as printed: ``"27 (62.8 %)"``, ``"7.5 months (5.5–8.5)"``, ``"0.43 (0.25–0.74)"``."""
    r = _row(table, row_id)
    unit = _UNITS.get(r["unit"], "") if units else ""
    ci = f"{r['ci_low']}–{r['ci_high']}" if r["ci_low"] else ""
    if r["statistic"] == "count":
        return f"{r['value']} ({r['percent']} %)" if r["percent"] else str(r["value"])
    text = f"{r['value']}{unit}"
    return f"{text} ({ci})" if ci else text


def line_mark(ids) -> str:
    """The ledger's verdict on the printed numbers of rows ``ids``, in words (``""`` when none is checked)."""
    ids = list(ids)
    verdicts = [v for v in (ledger.verdict(STUDY, i) for i in ids) if v is not None]
    if not verdicts:
        return ""
    if "no" in verdicts:
        return f"✗ {sum(v == 'no' for v in verdicts)} not reproduced (see the ledger)"
    n = sum(len(ledger.checks_for(STUDY, i)) for i in ids)
    return f"✓ {n} recomputed number{'s' if n > 1 else ''} match{'' if n > 1 else 'es'}"


# --- design ------------------------------------------------------------------------------------------


def source_studies() -> pd.DataFrame:
    """The two phase 2 studies side by side, from the pooled article's own description of them."""
    reg = {"exploratory": "NCT01209286", "confirmatory": "NCT01466179"}
    pops = data.load(STUDY, "populations")
    n = pops[pops["population"] == "primary_analysis"].set_index("arm")["n"]
    dose = {"exploratory": "; ".join(_row("design", f"regimen_exploratory_{k}")["value"].split(": ", 1)[-1] for k in (1, 2, 3)),
            "confirmatory": _row("design", "regimen_confirmatory")["value"].split(": ", 1)[-1]}
    fu = {a: (_row("survival", f"os_followup_median_{a}_primary")["value"], _row("survival", f"rfs_followup_median_{a}_primary")["value"])
          for a in reg}
    role = {"exploratory": "Exploratory, with a dose-finding part", "confirmatory": "Confirmatory"}
    lines = [[a.capitalize(), reg[a], role[a], str(int(n[a])), dose[a], f"{fu[a][0]} and {fu[a][1]}"] for a in reg]
    return pd.DataFrame(lines, columns=["Study", "Registration", "Role", "Patients (primary analysis)",
                                        "Blinatumomab dosing", "Median follow-up, OS and RFS (months)"])


def baseline_table() -> pd.DataFrame:
    """Table 1 of the article, as printed, with the ledger's verdict on each percentage."""
    frame = data.load(STUDY, "baseline")
    out = []
    for r in frame.itertuples():
        if r.statistic == "count":
            shown = f"{r.value} ({r.percent} %)" if r.percent else str(r.value)
        elif r.statistic == "median":
            shown = f"{r.value} (range {_row('baseline', 'age_min')['value']}–{_row('baseline', 'age_max')['value']})"
        elif r.statistic == "mean":
            shown = f"{r.value} % (SD {_row('baseline', 'bm_blasts_sd')['value']})"
        else:
            continue
        label = r.characteristic + (f": {r.category}" if r.category else "")
        out.append([label, shown, line_mark([r.id])])
    return pd.DataFrame(out, columns=["Characteristic", "All patients (N=259)", "Ledger"])


# --- results ------------------------------------------------------------------------------------------


def survival_table() -> pd.DataFrame:
    """The time-to-event estimates: medians (95 % CI), follow-up, and landmark rates."""
    lines = [
        ("Overall survival, all patients", "all_treated", "os_median_all", "os_landmark_{y}y_all", (2, 3, 4, 5), "os_followup_median_all"),
        ("Relapse-free survival, CR/CRh within 2 cycles", "cr_crh_2cycles", "rfs_median_crcrh", "rfs_landmark_{y}y_crcrh", (2, 3, 4),
         "rfs_followup_median_crcrh"),
        ("Cumulative incidence of relapse, CR/CRh within 2 cycles", "cr_crh_2cycles", None, "cir_relapse_{y}y_crcrh", (2, 3, 4, 5), None),
        ("Overall survival, transplanted in continuous CR after CR/CRh", "hsct_after_cr", "os_median_hsct_after_cr",
         "os_landmark_{y}y_hsct_after_cr", (3,), None),
    ]
    pops = data.load(STUDY, "populations").set_index("population")["n"]
    out = []
    for label, pop, median, landmark, years, fu in lines:
        n = pops.get(pop)
        rates = "; ".join(f"{y} y: {_row('survival', landmark.format(y=y))['value']} %" for y in years)
        out.append([label, "not printed" if pd.isna(n) else str(int(n)), printed("survival", median) if median else "–",
                    rates, printed("survival", fu) if fu else "–"])
    return pd.DataFrame(out, columns=["Estimate", "Patients", "Median (95 % CI)", "Rates at 2–5 years", "Median follow-up"])


_TABLE2 = [
    ("Best response CR (within 2 cycles)", "responses", "best_resp_cr"),
    ("Best response CRh (within 2 cycles)", "responses", "best_resp_crh"),
    ("Hypocellular bone marrow", "responses", "best_resp_hypocellular"),
    ("MRD response at any time", "responses", "mrd_responders"),
    ("Allogeneic HSCT after blinatumomab", "transplant", "hsct_after_blin"),
    ("… in remission after CR/CRh", "transplant", "hsct_in_remission_after_crcrh"),
    ("… after relapse from CR/CRh", "transplant", "hsct_after_relapse_from_crcrh"),
    ("… without CR/CRh within 2 cycles", "transplant", "hsct_without_crcrh"),
    ("Relapse-free survivor", "transplant", "rf_survivor"),
    ("… blinatumomab only", "transplant", "rf_survivor_blin_only"),
    ("… HSCT in continuous CR", "transplant", "rf_survivor_hsct_ccr"),
]


def survivors_table() -> pd.DataFrame:
    """Table 2 of the article: outcomes of patients who lived at least 36 months against the others."""
    out = []
    for label, table, stem in _TABLE2:
        table = "survival" if stem.startswith("rf_survivor") else table
        ids = [f"{stem}_{c}" for c in ("lts36", "st36", "all")]
        out.append([label, *(printed(table, i) for i in ids), line_mark(ids)])
    n = data.load(STUDY, "populations").set_index("population")["n"]
    return pd.DataFrame(out, columns=["Outcome", f"Alive ≥ 36 months (n={int(n['lts36'])})",
                                      f"Not known alive at 36 months (n={int(n['st36'])})",
                                      f"All (N={int(n['all_treated'])})", "Ledger"])


_FACTOR_LABELS = {"age": "Age (per year)", "sex": "Male vs female", "race": "White vs other race",
                  "prior_hsct": "Prior HSCT", "primary_refractory": "Primary refractory", "salvage_line": "First salvage vs later",
                  "bm_blasts": "Marrow blasts (per %)", "t411": "t(4;11)", "ecog": "ECOG 0 vs 1+",
                  "crcrh": "CR/CRh (time-varying)", "mrd": "MRD response (time-varying)", "hsct": "HSCT (time-varying)"}


def prognostic_frame() -> pd.DataFrame:
    """Table 3 as a tidy frame: endpoint (OS, RFS), factor, factor label, kind (baseline or post-baseline),
    model (univariate or multivariate), hr, low, high, printed (as in the article), significant (the
    interval excludes 1)."""
    frame = data.load(STUDY, "prognostic")
    out = []
    for r in frame.itertuples():
        endpoint, rest = r.id.split("_", 1)
        factor, model = rest.rsplit("_", 1)
        if factor not in _FACTOR_LABELS:
            raise ValueError(f"data/topp2021/prognostic.csv row {r.id!r}: unknown factor {factor!r} (known: {sorted(_FACTOR_LABELS)})")
        out.append({"endpoint": endpoint.upper(), "factor": factor, "label": _FACTOR_LABELS[factor],
                    "kind": "post-baseline" if "post-baseline" in r.note else "baseline", "model": model,
                    "hr": float(r.value_num), "low": float(r.ci_low_num), "high": float(r.ci_high_num),
                    "printed": f"{r.value} ({r.ci_low}–{r.ci_high})",
                    "significant": bool(r.ci_high_num < 1.0 or r.ci_low_num > 1.0)})
    return pd.DataFrame(out)


def prognostic_table() -> pd.DataFrame:
    """Table 3 as printed: one line per factor, univariate and multivariate HR for OS and RFS."""
    f = prognostic_frame()
    wide = f.pivot_table(index=["factor", "label"], columns=["endpoint", "model"], values="printed", aggfunc="first")
    order = list(_FACTOR_LABELS)
    rows = []
    for factor in order:
        hit = [k for k in wide.index if k[0] == factor]
        if not hit:
            continue
        line = wide.loc[hit[0]]
        rows.append([hit[0][1], *(line.get((e, m), "") if isinstance(line.get((e, m), ""), str) else ""
                                  for e in ("OS", "RFS") for m in ("univariate", "multivariate"))])
    return pd.DataFrame(rows, columns=["Factor", "OS univariate", "OS multivariate", "RFS univariate", "RFS multivariate"])


def candidate_counts() -> dict:
    """How many factors Table 3 screened per endpoint and how many the stepwise model kept."""
    f = prognostic_frame()
    out = {}
    for e in ("OS", "RFS"):
        g = f[f["endpoint"] == e]
        out[e] = {"candidates": int((g["model"] == "univariate").sum()),
                  "univariate_significant": int(((g["model"] == "univariate") & g["significant"]).sum()),
                  "kept": int((g["model"] == "multivariate").sum())}
    return out


def _count(table: str, row_id: str) -> int:
    return int(_row(table, row_id)["value_num"])


def conditional_shares() -> pd.DataFrame:
    """Table 2 read the other way round: of the patients in each group, how many were alive at 36 months.

    Columns: group, patients, long_term (alive at 36 months), share (%)."""
    cr = _count("responses", "best_resp_cr_all") + _count("responses", "best_resp_crh_all")
    cr_lts = _count("responses", "best_resp_cr_lts36") + _count("responses", "best_resp_crh_lts36")
    mrd, mrd_lts = _count("responses", "mrd_responders_all"), _count("responses", "mrd_responders_lts36")
    hsct, hsct_lts = _count("transplant", "hsct_after_blin_all"), _count("transplant", "hsct_after_blin_lts36")
    n, lts = _count("flow", "included_pooled"), int(data.load(STUDY, "populations").set_index("population")["n"]["lts36"])
    groups = [("All patients", n, lts), ("CR or CRh within 2 cycles", cr, cr_lts),
              ("No CR/CRh within 2 cycles", n - cr, lts - cr_lts), ("MRD responders", mrd, mrd_lts),
              ("Not MRD responders", n - mrd, lts - mrd_lts), ("HSCT after blinatumomab", hsct, hsct_lts),
              ("No HSCT after blinatumomab", n - hsct, lts - hsct_lts)]
    out = pd.DataFrame(groups, columns=["group", "patients", "long_term"])
    out["share"] = 100 * out["long_term"] / out["patients"]
    return out


def readings() -> dict:
    """Derived numbers the pages quote (each computed from printed ones)."""
    pops = data.load(STUDY, "populations")
    prim = pops[pops["population"] == "primary_analysis"].set_index("arm")["n"]
    shares = conditional_shares().set_index("group")
    cc = candidate_counts()
    cr = _count("responses", "best_resp_cr_all") + _count("responses", "best_resp_crh_all")
    n = _count("flow", "included_pooled")
    return {
        "n_primary_sum": int(prim.sum()),
        "n_unexplained": int(n - prim.sum()),
        "n_considered": int(n + _count("flow", "excluded_ph_positive")),
        "crcrh_n": cr,
        "crcrh_pct": 100 * cr / n,
        "share_lts_all": float(shares.loc["All patients", "share"]),
        "share_lts_crcrh": float(shares.loc["CR or CRh within 2 cycles", "share"]),
        "share_lts_no_crcrh": float(shares.loc["No CR/CRh within 2 cycles", "share"]),
        "share_lts_mrd": float(shares.loc["MRD responders", "share"]),
        "share_lts_no_mrd": float(shares.loc["Not MRD responders", "share"]),
        "share_lts_hsct": float(shares.loc["HSCT after blinatumomab", "share"]),
        "share_lts_no_hsct": float(shares.loc["No HSCT after blinatumomab", "share"]),
        "n_no_mrd": int(shares.loc["Not MRD responders", "patients"]),
        "lts_no_mrd": int(shares.loc["Not MRD responders", "long_term"]),
        "os_candidates": cc["OS"]["candidates"], "os_uni_sig": cc["OS"]["univariate_significant"], "os_kept": cc["OS"]["kept"],
        "rfs_candidates": cc["RFS"]["candidates"], "rfs_uni_sig": cc["RFS"]["univariate_significant"], "rfs_kept": cc["RFS"]["kept"],
        "os_plateau_drop": float(_row("survival", "os_landmark_3y_all")["value_num"] - _row("survival", "os_landmark_5y_all")["value_num"]),
        "cir_late_rise": float(_row("survival", "cir_relapse_5y_crcrh")["value_num"] - _row("survival", "cir_relapse_4y_crcrh")["value_num"]),
    }


# --- SYNTHETIC curves ------------------------------------------------------------------------------


def at_risk(frame: pd.DataFrame, times) -> pd.DataFrame:
    """Numbers at risk (time >= t) of a SYNTHETIC dataset at each of ``times`` (months): time, at_risk."""
    if "time" not in frame.columns:
        raise ValueError("frame must have a 'time' column (a SYNTHETIC dataset from trialkit.synth.frame)")
    ts = [_check.real(f"times[{i}]", t, low=0.0) for i, t in enumerate(times)]
    t = frame["time"].to_numpy(float)
    return pd.DataFrame({"time": ts, "at_risk": [int(np.sum(t >= x)) for x in ts]})


# --- inputs of the laboratories ------------------------------------------------------------------------

DAYS_PER_MONTH = 30.4375


def cycle_weeks() -> int:
    """Weeks per treatment cycle, read from the design row ("4-week ... infusion, then 2 weeks off")."""
    import re

    text = _row("design", "regimen_cycle")["value"]
    found = re.search(r"(\d+)-week continuous intravenous infusion, then (\d+) weeks off", text)
    if not found:
        raise ValueError(f"data/topp2021/design.csv row 'regimen_cycle': cannot read the cycle length from {text!r}")
    return int(found.group(1)) + int(found.group(2))


def lab_inputs() -> dict:
    """The study's parameters that feed the laboratories: n (patients), os_median and rfs_median
    (months), response_share (CR/CRh within 2 cycles), response_window (2 cycles, months),
    transplant_share (HSCT after blinatumomab), crcrh_n, rfs_4y (proportion)."""
    n = _count("flow", "included_pooled")
    cr = _count("responses", "best_resp_cr_all") + _count("responses", "best_resp_crh_all")
    return {"n": n, "os_median": float(_row("survival", "os_median_all")["value_num"]),
            "rfs_median": float(_row("survival", "rfs_median_crcrh")["value_num"]),
            "response_share": cr / n, "response_window": 2 * cycle_weeks() * 7 / DAYS_PER_MONTH,
            "transplant_share": _count("transplant", "hsct_after_blin_all") / n, "crcrh_n": cr,
            "rfs_4y": float(_row("survival", "rfs_landmark_4y_crcrh")["value_num"]) / 100}


def historical_differences() -> pd.DataFrame:
    """The pooled analysis against TOWER's two arms, item by item, from both studies' data."""
    def tw(table, i):
        return data.row("tower", table, i)["value"]

    lines = [
        ("Design", "Two single-arm phase 2 studies, pooled retrospectively", "Randomised, open-label phase 3"),
        ("Time zero", "First dose of blinatumomab", "Randomisation"),
        ("Patients", str(_count("flow", "included_pooled")), tw("flow", "randomised_overall")),
        ("Enrolment", "not printed", tw("design", "enrolment_period")),
        ("Median OS (months)", _row("survival", "os_median_all")["value"],
         f"{tw('survival', 'os_median_blinatumomab')} blinatumomab, {tw('survival', 'os_median_chemotherapy')} chemotherapy"),
        ("Median follow-up (months)", _row("survival", "os_followup_median_all")["value"],
         f"{tw('survival', 'os_followup_median_blinatumomab')} and {tw('survival', 'os_followup_median_chemotherapy')}"),
        ("Analysed", "Ph-negative patients of both studies, from their first dose", "Every randomised patient, treated or not"),
    ]
    return pd.DataFrame(lines, columns=["", "Pooled phase 2 (Cancer 2021)", "TOWER (N Engl J Med 2017)"])


# --- appraisal ---------------------------------------------------------------------------------------

REPORTED = ("yes", "partly", "no")


def reporting_table(name: str = "topp2021_minors.yml") -> pd.DataFrame:
    """The reporting items that apply to a pooled single-arm analysis, from the ``reporting`` list of the
    appraisal file: Item, Reported, Comment."""
    from trialkit import _yamlfile
    from trialkit.appraisal._refs import APPRAISAL_DIR, AppraisalError

    path = APPRAISAL_DIR / name
    content = _yamlfile.read(path, AppraisalError, "items", kind=dict, name="appraisal file")
    items = content.get("reporting")
    if not isinstance(items, list) or not items:
        raise AppraisalError(f"{path}: 'reporting' must be a non-empty list of items")
    rows = []
    for i, it in enumerate(items, start=1):
        if not isinstance(it, dict) or set(it) != {"item", "reported", "comment"}:
            raise AppraisalError(f"{path}, reporting item {i}: needs exactly item, reported, comment")
        if it["reported"] not in REPORTED:
            raise AppraisalError(f"{path}, reporting item {i}: reported must be one of {REPORTED}, got {it['reported']!r}")
        rows.append([it["item"], it["reported"], it["comment"]])
    return pd.DataFrame(rows, columns=["Item", "Reported", "Comment"])


def esmo_inputs() -> dict:
    """The inputs of ESMO-MCBS form 3 from the data: orr (CR/CRh within 2 cycles, % of all patients) and
    dor (median relapse-free survival of responders, months, standing in for the duration of response).
    The rate is rounded to one decimal, as the page shows it (the grade's reason string prints it)."""
    cr = _count("responses", "best_resp_cr_all") + _count("responses", "best_resp_crh_all")
    return {"orr": round(100 * cr / _count("flow", "included_pooled"), 1),
            "dor": float(_row("survival", "rfs_median_crcrh")["value_num"])}


def as_incidence(frame: pd.DataFrame) -> pd.DataFrame:
    """A curve or anchor frame of "1 − cumulative incidence" (as :mod:`trialkit.synth` returns for a
    competing-risk dataset) turned back into the cumulative incidence, in the same ``survival`` column."""
    if "survival" not in frame.columns:
        raise ValueError("frame must have a 'survival' column")
    return frame.assign(survival=1 - frame["survival"])

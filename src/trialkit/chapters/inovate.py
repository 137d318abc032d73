"""The INO-VATE ALL chapter's computations (Kantarjian et al., N Engl J Med 2016): the design
recomputed (the split alpha, both power calculations, the interim fraction that the final survival
boundary implies), the result tables, SYNTHETIC survival with numbers at risk, landmark and RMST
readings, and the per-randomised view of the responders-only results.

Every number comes from ``data/inovate`` through :mod:`trialkit.data`; the pages glue what these
functions return.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, stats

from trialkit import _check, data, design, survival, synth

STUDY = "inovate"
ARMS = ("inotuzumab", "standard")
LABELS = {"inotuzumab": "Inotuzumab ozogamicin", "standard": "Standard therapy"}


def _num(table: str, row_id: str) -> float:
    v = data.row(STUDY, table, row_id)["value_num"]
    if v != v:
        raise ValueError(f"data/{STUDY}/{table}.csv, row {row_id!r}: no number in 'value'")
    return float(v)


# --- design ------------------------------------------------------------------------------------------


def interim_fraction_for_boundary(final_p_two_sided: float, alpha_one_sided: float, spending: str = "obrien-fleming") -> float:
    """The information fraction of a single interim look at which a Lan-DeMets spending function of
    ``alpha_one_sided`` (one-sided) leaves a final boundary with the two-sided nominal P value
    ``final_p_two_sided``. Raises if no single look between 1 % and 99 % gives that boundary."""
    a = _check.real("alpha_one_sided", alpha_one_sided, low=0.0, high=0.5, low_open=True)
    p = _check.real("final_p_two_sided", final_p_two_sided, low=0.0, high=2 * a, low_open=True, high_open=True)

    def gap(t: float) -> float:
        b = design.spending_boundaries([t, 1.0], a, spending, sided=1)
        return float(2 * b["nominal_p"].iloc[-1] - p)

    lo, hi = 0.01, 0.99
    if gap(lo) * gap(hi) > 0:
        raise ValueError(f"final_p_two_sided={p} is not reached by one interim look between {lo} and {hi} "
                         f"with {spending!r} spending of {a}")
    return float(optimize.brentq(gap, lo, hi, xtol=1e-6))


def design_readings() -> dict:
    """The design numbers the chapter computes: the alpha per endpoint, the CR/CRi power under four
    methods and the OS power (percent), the final boundary as a one-sided level, and the single
    interim fraction that boundary implies under O'Brien-Fleming-type spending (an inference: the
    article gives only the boundary)."""
    n = _num("planning", "sample_size_cr")
    p1, p2 = _num("planning", "cr_rate_assumed_inotuzumab") / 100, _num("planning", "cr_rate_assumed_standard") / 100
    a_cr, a_os = _num("planning", "alpha_cr_one_sided"), _num("planning", "alpha_os_one_sided")
    out = {f"cr_power_{m}": 100 * design.two_proportion_power(p1, p2, n / 2, n / 2, alpha=a_cr, sided=1, method=m)
           for m in design.PROPORTION_METHODS}
    events, hr = _num("planning", "events_os"), _num("planning", "os_hr_assumed")
    out["os_power_fixed"] = 100 * design.events_power(events, hr, (1, 1), alpha=a_os, sided=1)
    boundary = _num("planning", "os_boundary_two_sided")
    out["boundary_one_sided"] = boundary / 2
    out["boundary_share"] = 100 * (boundary / 2) / a_os
    t = interim_fraction_for_boundary(boundary, a_os)
    out["implied_fraction"] = 100 * t
    out["implied_events"] = t * events
    b = design.spending_boundaries([t, 1.0], a_os, sided=1)
    out["implied_interim_p"] = 2 * float(b["nominal_p"].iloc[0])
    out["os_hr_events_needed"] = float(design.events_needed(hr, power=0.8, alpha=a_os, sided=1))
    return out


# --- results -----------------------------------------------------------------------------------------


def _pct(row) -> str:
    return f"{row['value']}/{int(row['denominator'])} ({row['percent']} %)" if row.get("denominator") == row.get("denominator") and row.get("denominator") else str(row["value"])


def _line_mark(ids) -> str:
    """The ledger's verdict on some rows in the form the book's tables summarise ("✓ N recomputed
    numbers match", "✗ ...", "– ...", or "" when none is checked)."""
    from trialkit.chapters import ledger

    checks = [ledger.checks_for(STUDY, i) for i in ids]
    n = sum(len(c) for c in checks)
    verdicts = [v for v in (ledger.verdict(STUDY, i) for i in ids) if v is not None]
    if not n or not verdicts:
        return ""
    if "no" in verdicts:
        return f"✗ {sum(v == 'no' for v in verdicts)} not reproduced (see the ledger)"
    if all(v == "not recomputable" for v in verdicts):
        return "– not recomputable (see the ledger)"
    return f"✓ {n} recomputed number{'s' if n > 1 else ''} match{'' if n > 1 else 'es'}"


def remission_table() -> pd.DataFrame:
    """Table 2 of the article (remission-analysis population, first 218 randomised): responders,
    percent with exact 95 % CI, the difference with its 97.5 % CI, and the ledger's mark."""
    rows = []
    for key, label in (("cr_cri", "CR or CRi"), ("cr", "CR"), ("cri", "CRi"),
                       ("cr_cri_mrdneg", "MRD-negative, among CR or CRi"), ("cr_mrdneg", "MRD-negative, among CR"),
                       ("cri_mrdneg", "MRD-negative, among CRi")):
        r = {a: data.row(STUDY, "responses", f"{key}_{a}") for a in ARMS}
        d = data.row(STUDY, "responses", f"{key}_difference")
        p = data.row(STUDY, "responses", f"{key}_p")
        rows.append({"Endpoint": label,
                     **{LABELS[a]: f"{r[a]['value']}/{int(r[a]['denominator'])}: {r[a]['percent']} % ({r[a]['ci_low']} to {r[a]['ci_high']})"
                        for a in ARMS},
                     "Difference, points (97.5 % CI)": f"{d['value']} ({d['ci_low']} to {d['ci_high']})",
                     "P": p["value"], "Ledger": _line_mark([f"{key}_{a}" for a in ARMS] + [f"{key}_difference"])})
    return pd.DataFrame(rows)


def survival_table() -> pd.DataFrame:
    """The time-to-event results: medians (95 % CI), hazard ratios with the interval level printed, P."""
    rows = []
    for key, label, pop in (("os", "Overall survival", "all 326 randomised"), ("pfs", "Progression-free survival", "all 326 randomised"),
                            ("dor", "Duration of remission", "investigator-assessed responders among the first 218")):
        med = {a: data.row(STUDY, "survival", f"{key}_median_{a}") for a in ARMS}
        hr = data.row(STUDY, "survival", f"{key}_hr")
        p = data.row(STUDY, "survival", f"{key}_p")
        level = f"{100 * float(hr['ci_level']):g} %"
        rows.append({"Endpoint": label, "Population": pop,
                     **{f"Median, {LABELS[a].lower()}": f"{med[a]['value']} ({med[a]['ci_low']} to {med[a]['ci_high']})" for a in ARMS},
                     "Hazard ratio (CI)": f"{hr['value']} ({level} CI {hr['ci_low']} to {hr['ci_high']})", "P": p["value"]})
    return pd.DataFrame(rows)


def at_risk(name: str, times) -> pd.DataFrame:
    """Numbers at risk of the SYNTHETIC dataset ``name`` at each time (arm, time, n)."""
    f = synth.frame(name)
    out = []
    for arm in dict.fromkeys(f["arm"]):
        t = f.loc[f["arm"] == arm, "time"].to_numpy()
        for tt in times:
            out.append({"arm": arm, "time": float(tt), "n": int(np.sum(t >= tt))})
    return pd.DataFrame(out)


def synthetic_os_readings(landmarks=(12.0, 24.0)) -> dict:
    """Medians, Cox HR, landmark survival (percent) and RMST at the published truncation time of the
    SYNTHETIC overall-survival data, as ``syn_*`` names."""
    f = synth.frame("inovate_os")
    tau = _num("survival", "os_rmst_truncation")
    last = float(min(f.loc[f["arm"] == a, "time"].max() for a in ARMS))
    tau_used = min(tau, last)
    r = survival.rmst_difference(f["time"], f["event"], f["arm"], tau=tau_used, reference="standard")
    km = survival.kaplan_meier(f["time"], f["event"], f["arm"])
    out = {"syn_tau": tau_used, "syn_rmst_inotuzumab": r.rmst["inotuzumab"].rmst, "syn_rmst_standard": r.rmst["standard"].rmst,
           "syn_rmst_diff": r.difference, "syn_rmst_p": r.p}
    for lm in landmarks:
        for a in ARMS:
            k = km[(km["group"] == a) & (km["time"] <= lm)]
            out[f"syn_os_{int(lm)}m_{a}"] = 100 * float(k["survival"].iloc[-1]) if len(k) else 100.0
    cox = survival.cox(f.assign(experimental=(f["arm"] == "inotuzumab").astype(int)), "time", "event", ["experimental"])
    out["syn_hr"] = float(cox.hr("experimental")[0])
    return out


def rmst_published_readings() -> dict:
    """The published RMST difference with a Wald interval from the two means and SEs, and the published
    2-year difference (percentage points), recomputed from the printed numbers."""
    m1, m0 = _num("survival", "os_rmst_inotuzumab"), _num("survival", "os_rmst_standard")
    s1, s0 = _num("survival", "os_rmst_se_inotuzumab"), _num("survival", "os_rmst_se_standard")
    se = float(np.hypot(s1, s0))
    z = stats.norm.isf(0.025)
    return {"rmst_diff": m1 - m0, "rmst_diff_lo": m1 - m0 - z * se, "rmst_diff_hi": m1 - m0 + z * se,
            "os2y_diff": _num("survival", "os_2y_inotuzumab") - _num("survival", "os_2y_standard")}


def per_randomised_readings() -> dict:
    """Responders-only results re-expressed per randomised patient of the remission-analysis population:
    MRD-negative remissions per 100 randomised (``mrd_itt_<arm>``) and responders who went directly
    to transplant per 100 randomised. Counts are the published ones."""
    out = {}
    for a in ARMS:
        mrd = data.row(STUDY, "responses", f"cr_cri_mrdneg_{a}")
        n = data.row(STUDY, "responses", f"cr_cri_{a}")["denominator"]
        out[f"mrd_count_{a}"] = int(mrd["value_num"])
        out[f"mrd_itt_{a}"] = 100 * float(mrd["value_num"]) / float(n)
        out[f"n218_{a}"] = int(n)
    return out


# --- appraisal: ESMO-MCBS ------------------------------------------------------------------------------


def hr_interval_at(row_id: str, level: float = 0.95) -> tuple[float, float, float]:
    """The hazard ratio of survival row ``row_id`` with its interval re-expressed at ``level`` (the
    printed interval, at its own level, taken as symmetric on the log scale)."""
    level = _check.real("level", level, low=0.5, high=1.0, high_open=True)
    r = data.row(STUDY, "survival", row_id)
    hr, lo, hi, printed = (float(r[k]) for k in ("value_num", "ci_low_num", "ci_high_num", "ci_level"))
    se = (np.log(hi) - np.log(lo)) / (2 * stats.norm.isf((1 - printed) / 2))
    z = stats.norm.isf((1 - level) / 2)
    return hr, float(np.exp(np.log(hr) - z * se)), float(np.exp(np.log(hr) + z * se))


def esmo_table() -> tuple[pd.DataFrame, dict]:
    """ESMO-MCBS v1.1 for INO-VATE's survival results under the readings a reader might take: the scale
    grades significant benefits, and overall survival missed its prespecified boundary, so form 2a is
    applied only as a sensitivity analysis (95 % interval recomputed from the printed 97.5 % one; with
    and without the 2-year tail-of-the-curve route); progression-free survival (a secondary endpoint)
    through form 2b, with and without a deduction for veno-occlusive disease. Returns the table and the
    readings (``esmo_*``)."""
    from trialkit.appraisal import esmo

    hr, lo, hi = (round(x, 2) for x in hr_interval_at("os_hr", 0.95))
    gain = _num("survival", "os_median_inotuzumab") - _num("survival", "os_median_standard")
    control = _num("survival", "os_median_standard")
    tail = _num("survival", "os_2y_inotuzumab") - _num("survival", "os_2y_standard")
    a_median = esmo.form_2a(lo, gain, control, hr=hr, hr_upper=hi)
    a_tail = esmo.form_2a(lo, gain, control, hr=hr, hr_upper=hi, landmark_gain=tail, landmark_years=2)
    phr, plo, phi = (round(x, 2) for x in hr_interval_at("pfs_hr", 0.95))
    pgain = _num("survival", "pfs_median_inotuzumab") - _num("survival", "pfs_median_standard")
    pcontrol = _num("survival", "pfs_median_standard")
    b_plain = esmo.form_2b(plo, pgain, pcontrol, hr=phr, hr_upper=phi)
    b_tox = esmo.form_2b(plo, pgain, pcontrol, hr=phr, hr_upper=phi, more_toxicity=True)
    rows = [
        ("Overall survival, as the scale requires", "not graded",
         f"the prespecified boundary was missed (P {data.row(STUDY, 'survival', 'os_p')['value']} against "
         f"{data.row(STUDY, 'planning', 'os_boundary_two_sided')['value']}): the scale grades significant benefits only"),
        ("Overall survival, form 2a, median route only", a_median.grade, "; ".join(a_median.reasons)),
        ("Overall survival, form 2a, with the 2-year route", a_tail.grade, "; ".join(a_tail.reasons)),
        ("Progression-free survival, form 2b", b_plain.grade, "; ".join(b_plain.reasons)),
        ("Progression-free survival, form 2b, minus one for liver toxicity", b_tox.grade,
         "; ".join(b_tox.reasons + b_tox.adjustments)),
    ]
    table = pd.DataFrame(rows, columns=["Reading", "Grade", "Reasoning"])
    table["Grade"] = table["Grade"].astype(str)
    readings = {"esmo_os_hr": hr, "esmo_os_lo95": lo, "esmo_os_hi95": hi, "esmo_os_gain": gain, "esmo_control": control,
                "esmo_tail": tail, "esmo_2a_median": a_median.grade, "esmo_2a_tail": a_tail.grade,
                "esmo_pfs_lo95": plo, "esmo_pfs_gain": pgain, "esmo_2b": b_plain.grade, "esmo_2b_tox": b_tox.grade}
    return table, readings


def value(table: str, row_id: str) -> float:
    """The number of data row ``row_id`` of INO-VATE's ``table`` (a clear error if it has none)."""
    return _num(table, row_id)


def _per100(rows: dict) -> float:
    return 100 * (float(rows["inotuzumab"]["value_num"]) / float(rows["inotuzumab"]["denominator"])
                  - float(rows["standard"]["value_num"]) / float(rows["standard"]["denominator"]))


def apply_readings() -> dict:
    """Absolute effects for the apply-it section: the number needed to treat for one more CR/CRi (with
    its 95 % interval), the 2-year survival difference (points), and per 100 patients treated the extra
    remissions, transplants and cases of veno-occlusive disease."""
    from trialkit import stats as _stats

    r = {a: data.row(STUDY, "responses", f"cr_cri_{a}") for a in ARMS}
    x1, n1, x2, n2 = (int(r["inotuzumab"]["value_num"]), int(r["inotuzumab"]["denominator"]),
                      int(r["standard"]["value_num"]), int(r["standard"]["denominator"]))
    nnt = _stats.nnt(x1, n1, x2, n2, outcome="good")
    sct = {a: data.row(STUDY, "transplant", f"sct_{a}") for a in ARMS}
    vod = {a: data.row(STUDY, "adverse_events", f"vod_any_{a}") for a in ARMS}
    return {"nnt_cr": nnt.nnt, "nnt_cr_lo": nnt.low, "nnt_cr_hi": nnt.high,
            "extra_cr_per100": 100 * (x1 / n1 - x2 / n2), "extra_sct_per100": _per100(sct), "extra_vod_per100": _per100(vod),
            "os2y_gain": _num("survival", "os_2y_inotuzumab") - _num("survival", "os_2y_standard")}

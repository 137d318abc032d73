"""E1910's published results and design questions for the chapter, from ``data/e1910``.

* :func:`funnel_counts` -- the steps from registration for screening to the MRD-negative
  randomisation, as (label, n) pairs for :func:`trialkit.labs.funnel.funnel_steps`;
  :func:`mrd_positive` the MRD-positive cohort outside the primary comparison.
* :func:`risk_counts` -- unfavourable-risk disease at enrolment and among the randomised, the four
  counts :func:`trialkit.labs.funnel.composition_shift` takes.
* :func:`age_hrs` -- the published hazard ratios and intervals of the two age subgroups, the inputs of
  :func:`trialkit.labs.subgroup.interaction_test`; :data:`SUBGROUP_VARIABLES` the subgroup variables of
  the Methods.

Chapter computations and laboratories are independent: the pages feed these values to the labs.
* :func:`stopping_trial` -- the trial description the stopping laboratory needs, with the assumptions
  the article leaves open stated (:data:`STOPPING_ASSUMPTIONS`).
* :func:`survival_table`, :func:`subgroup_table`, :func:`deaths_table`, :func:`transplant_table`,
  :func:`toxicity_table`, :func:`at_risk` -- the chapter's tables.
* :func:`readings` -- the computed values the pages glue.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

from trialkit import data, synth, trials

STUDY = "e1910"
ARMS = ("blinatumomab_chemotherapy", "chemotherapy")
LABELS = {"blinatumomab_chemotherapy": "Blinatumomab + chemotherapy", "chemotherapy": "Chemotherapy only"}

#: (label, table, row id) of each step of the funnel, in order.
FUNNEL = (("Registered for screening", "flow", "screened"),
          ("Enrolled (induction)", "flow", "enrolled"),
          ("Remission after induction", "responses", "cr_cri_induction"),
          ("Intensification (step 2)", "flow", "step2_intensification"),
          ("Step 3 (MRD test)", "flow", "step3_registered"),
          ("MRD-negative, randomised", "flow", "randomized_mrd_neg"))


def _num(table: str, row_id: str) -> float:
    value = data.row(STUDY, table, row_id)["value_num"]
    if value != value:
        raise ValueError(f"data/{STUDY}/{table}.csv row {row_id!r}: no number in column 'value'")
    return float(value)


def _int(table: str, row_id: str) -> int:
    return int(_num(table, row_id))


def funnel_counts() -> list[tuple[str, int]]:
    """(label, n) for each step of :data:`FUNNEL`, in order."""
    return [(label, _int(table, i)) for label, table, i in FUNNEL]


def mrd_positive() -> dict:
    """The MRD-positive cohort registered at step 3: randomised under the original protocol, assigned to
    blinatumomab after the amendment, and their total (step 3 minus the MRD-negative randomised)."""
    rand, assigned = _int("flow", "mrd_pos_randomized"), _int("flow", "mrd_pos_assigned")
    step3, neg = _int("flow", "step3_registered"), _int("flow", "randomized_mrd_neg")
    if rand + assigned != step3 - neg:
        raise ValueError(f"data/{STUDY}/flow.csv: MRD-positive counts {rand} + {assigned} do not add up to the step 3 "
                         f"registrations minus the MRD-negative randomised ({step3} - {neg})")
    return {"randomised": rand, "assigned": assigned, "total": rand + assigned}


def risk_counts() -> tuple[int, int, int, int]:
    """(enrolled, unfavourable-risk among them (Discussion), MRD-negative randomised, unfavourable-risk
    among them (Table 1)). Patients without an assigned risk group count as 'not unfavourable' at both
    ends."""
    return (_int("flow", "enrolled"), _int("baseline", "high_risk_enrolled"),
            _int("flow", "randomized_mrd_neg"), _int("baseline", "risk_unfavorable_total"))


def _hr(table: str, row_id: str) -> tuple[float, float, float]:
    r = data.row(STUDY, table, row_id)
    return float(r["value_num"]), float(r["ci_low_num"]), float(r["ci_high_num"])


#: The subgroup variables of the overall-survival subgroup analyses (Methods, End points).
SUBGROUP_VARIABLES = ("age", "combined molecular risk", "BCR::ABL1-like genotype", "intention to undergo transplantation",
                      "CD20 status", "rituximab use")


def age_hrs(endpoint: str = "os") -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """The published (hazard ratio, low, high) under 55 and at 55 or older, for ``endpoint`` ``"os"`` or
    ``"rfs"``."""
    if endpoint not in ("os", "rfs"):
        raise ValueError(f"endpoint must be 'os' or 'rfs', got {endpoint!r}")
    return _hr("subgroups", f"{endpoint}_hr_lt55"), _hr("subgroups", f"{endpoint}_hr_ge55")


#: What the stopping laboratory assumes where the article is silent.
STOPPING_ASSUMPTIONS = {
    "looks": "three interim looks equally spaced up to the third, which is placed at the deaths reported, then the final",
    "control": "exponential survival in the chemotherapy-only arm through the published 3-year overall survival",
}


def stopping_trial() -> trials.Trial:
    """E1910 as the stopping laboratory needs it (:func:`trialkit.trials.describe` plus the assumptions of
    :data:`STOPPING_ASSUMPTIONS`): looks at 1/3, 2/3 and 3/3 of the deaths at the third interim analysis
    (over the planned deaths), then 1; the control median of an exponential curve through the published
    3-year survival of the chemotherapy-only arm."""
    t = trials.describe(STUDY)
    third = t.events_at_stop / t.planned_events
    s3 = _num("survival", "os_3y_chemotherapy") / 100
    years = float(data.row(STUDY, "survival", "os_3y_chemotherapy")["time"])
    median = 12 * years * math.log(2) / -math.log(s3)
    return dataclasses.replace(t, looks=(third / 3, 2 * third / 3, third, 1.0), assumed_control_median=median)


def _printed_hr(table: str, row_id: str) -> str:
    r = data.row(STUDY, table, row_id)
    return f"{r['value']} ({r['ci_low']} to {r['ci_high']})"


def survival_table() -> pd.DataFrame:
    """3-year overall and relapse-free survival with the hazard ratios of every published analysis."""
    out = []
    for label, stem in (("Overall survival", "os"), ("Relapse-free survival", "rfs")):
        out.append([label, f"{data.row(STUDY, 'survival', f'{stem}_3y_blinatumomab')['value']} %",
                    f"{data.row(STUDY, 'survival', f'{stem}_3y_chemotherapy')['value']} %",
                    _printed_hr("survival", f"{stem}_hr"), _printed_hr("survival", f"{stem}_hr_multivariable"),
                    _printed_hr("survival", f"{stem}_hr_transplant_timevarying")])
    return pd.DataFrame(out, columns=["Endpoint", "3 years, blinatumomab + chemotherapy", "3 years, chemotherapy only",
                                      "HR (95 % CI), stratified", "HR, multivariable", "HR, transplant time-varying"])


def subgroup_table() -> pd.DataFrame:
    """The age subgroups: patients (Table 1), 3-year rates and hazard ratios for both endpoints."""
    pops = data.load(STUDY, "populations").set_index(["population", "arm"])["n"]
    out = []
    for label, key in (("Younger than 55", "lt55"), ("55 or older", "ge55")):
        n = f"{pops[(f'age_{key}', ARMS[0])]} + {pops[(f'age_{key}', ARMS[1])]}"
        for ep, stem in (("Overall survival", "os"), ("Relapse-free survival", "rfs")):
            out.append([label, n, ep, f"{data.row(STUDY, 'subgroups', f'{stem}_3y_{key}_blinatumomab')['value']} %",
                        f"{data.row(STUDY, 'subgroups', f'{stem}_3y_{key}_chemotherapy')['value']} %",
                        _printed_hr("subgroups", f"{stem}_hr_{key}")])
    return pd.DataFrame(out, columns=["Age (years)", "Patients (Table 1)", "Endpoint", "3 years, blinatumomab",
                                      "3 years, chemotherapy", "HR (95 % CI)"])


def deaths_table() -> pd.DataFrame:
    """Deaths by cause and group, long: arm, arm_label, cause, deaths, of_deaths (percent of the group's
    deaths), of_patients (percent of the group's randomised patients)."""
    frame = data.load(STUDY, "survival")
    causes = frame[frame["characteristic"] == "Cause of death"]
    pops = data.load(STUDY, "populations").set_index(["population", "arm"])["n"]
    out = []
    for arm in ARMS:
        n = int(pops[("mrd_neg_randomized", arm)])
        total = _int("survival", f"deaths_{'blinatumomab' if arm == ARMS[0] else 'chemotherapy'}")
        got = causes[causes["arm"] == arm]
        if int(got["value_num"].sum()) != total:
            raise ValueError(f"data/{STUDY}/survival.csv: causes of death for {arm} sum to {int(got['value_num'].sum())}, "
                             f"not the {total} deaths reported")
        for cause in ("Relapse", "Non-relapse", "Unknown"):
            d = int(got[got["category"] == cause]["value_num"].sum())
            out.append({"arm": arm, "arm_label": LABELS[arm], "cause": cause, "deaths": d,
                        "of_deaths": 100 * d / total, "of_patients": 100 * d / n})
    return pd.DataFrame(out)


def transplant_table() -> pd.DataFrame:
    """Allogeneic transplants among the MRD-negative randomised, by route."""
    frame = data.load(STUDY, "transplant")
    out = []
    for category in dict.fromkeys(frame["category"]):
        g = frame[frame["category"] == category].set_index("arm")
        out.append([category] + [f"{int(g.loc[a, 'value_num'])} of {int(g.loc[a, 'denominator'])}" for a in ARMS])
    return pd.DataFrame(out, columns=["Allogeneic transplant", LABELS[ARMS[0]], LABELS[ARMS[1]]])


def toxicity_table(min_percent: float = 0.0) -> pd.DataFrame:
    """Table 2 (treatment-related grade 3 to 5 toxic effects during consolidation, percent of 112 per
    group), one row per event, with grade 3-5 totals; events whose total in both groups is below
    ``min_percent`` are left out."""
    frame = data.load(STUDY, "adverse_events")
    graded = frame[frame["location"] == "Table 2"]
    out = []
    for event, g in graded.groupby("characteristic", sort=False):
        row = {"Event": event}
        for arm, short in zip(ARMS, ("blinatumomab", "chemotherapy")):
            vals = g[g["arm"] == arm].set_index("category")["value_num"]
            row[f"{short}, grade 3/4/5 (%)"] = " / ".join(f"{vals.get(f'Grade {k}', float('nan')):g}" for k in (3, 4, 5))
            row[f"_{short}"] = float(vals.sum())
        out.append(row)
    table = pd.DataFrame(out)
    table = table[(table["_blinatumomab"] >= min_percent) | (table["_chemotherapy"] >= min_percent)]
    return table.drop(columns=["_blinatumomab", "_chemotherapy"]).reset_index(drop=True)


def at_risk(dataset: str = "e1910_os", times=(0, 12, 24, 36, 48, 60)) -> pd.DataFrame:
    """Numbers at risk of a SYNTHETIC dataset (``trialkit.synth``) at ``times`` (months): arm,
    arm_label, time, at_risk."""
    if dataset not in ("e1910_os", "e1910_rfs"):
        raise ValueError(f"dataset must be 'e1910_os' or 'e1910_rfs', got {dataset!r}")
    f = synth.frame(dataset)
    rows = []
    for arm in ARMS:
        t = f[f["arm"] == arm]["time"].to_numpy()
        for x in times:
            rows.append({"arm": arm, "arm_label": LABELS[arm], "time": float(x), "at_risk": int(np.sum(t >= x))})
    return pd.DataFrame(rows)


def readings() -> dict:
    """Computed values the chapter glues: shares reaching randomisation, the MRD-positive cohort,
    absolute differences at 3 years, deaths by cause and the number of subgroup variables."""
    mp = mrd_positive()
    enrolled, randomised = _int("flow", "enrolled"), _int("flow", "randomized_mrd_neg")
    out = {
        "randomised_of_enrolled": 100 * randomised / enrolled,
        "randomised_of_remission": 100 * randomised / _int("responses", "cr_cri_induction"),
        "no_remission": enrolled - _int("responses", "cr_cri_induction"),
        "mrdpos_randomised": mp["randomised"], "mrdpos_assigned": mp["assigned"], "mrdpos_total": mp["total"],
        "deaths_total": _int("survival", "deaths_blinatumomab") + _int("survival", "deaths_chemotherapy"),
        "n_factors": len(SUBGROUP_VARIABLES),
    }
    for stem in ("os", "rfs"):
        out[f"{stem}_3y_diff"] = _num("survival", f"{stem}_3y_blinatumomab") - _num("survival", f"{stem}_3y_chemotherapy")
    out["os_3y_nnt"] = 100 / out["os_3y_diff"]
    for key in ("lt55", "ge55"):
        out[f"os_3y_diff_{key}"] = _num("subgroups", f"os_3y_{key}_blinatumomab") - _num("subgroups", f"os_3y_{key}_chemotherapy")
    d = deaths_table().set_index(["arm", "cause"])
    for arm, short in zip(ARMS, ("b", "c")):
        out[f"relapse_deaths_pct_{short}"] = float(d.loc[(arm, "Relapse"), "of_patients"])
        out[f"nonrelapse_deaths_pct_{short}"] = float(d.loc[(arm, "Non-relapse"), "of_patients"])
    out["benefit_at_diagnosis"] = out["os_3y_diff"] * out["randomised_of_enrolled"] / 100
    return out


def iceman_path():
    """Where the course's ICEMAN assessment of the age subgroup is (read it with
    :func:`trialkit.labs.subgroup.iceman`)."""
    return data.DATA_DIR / "appraisal" / "e1910_iceman.yml"


def neuro_rates() -> dict:
    """Grade 3 or higher treatment-related neuropsychiatric events, percent, by group
    (``blinatumomab``, ``chemotherapy``), as printed."""
    return {k: _num("adverse_events", f"neuropsych_g3plus_{k}") for k in ("blinatumomab", "chemotherapy")}


def esmo_readings() -> dict:
    """ESMO-MCBS form 1 (curative setting) from the published 3-year overall survival, overall and in
    each age subgroup (the subgroup grades show how the grade depends on which gain is believed):
    ``esmo_gain``, ``esmo_grade``, ``esmo_reasons``, ``esmo_grade_lt55``, ``esmo_grade_ge55``,
    ``esmo_gain_ge55``, ``esmo_years``."""
    from trialkit.appraisal import esmo

    years = float(data.row(STUDY, "survival", "os_3y_chemotherapy")["time"])
    gain = _num("survival", "os_3y_blinatumomab") - _num("survival", "os_3y_chemotherapy")
    g = esmo.form_1(survival_gain=gain, followup_years=years)
    out = {"esmo_gain": gain, "esmo_grade": str(g.grade), "esmo_reasons": "; ".join(g.reasons), "esmo_years": years}
    for key in ("lt55", "ge55"):
        sub = _num("subgroups", f"os_3y_{key}_blinatumomab") - _num("subgroups", f"os_3y_{key}_chemotherapy")
        out[f"esmo_gain_{key}"] = sub
        out[f"esmo_grade_{key}"] = str(esmo.form_1(survival_gain=max(sub, 0.0), followup_years=years).grade)
    return out

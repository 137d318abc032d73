"""Part III, across the four studies: the comparability table, the inputs of the anchored indirect
comparison, the evidence over time, the appraisals side by side and the checklist for the next trial.

Everything is read from the studies' data tables (``data/<study>/*.csv``) and the appraisal files
(``data/appraisal/<study>_*_rob2.yml``); a study whose appraisal has not been written yet is reported
as "not yet appraised", so the part completes itself as the chapters land. The judgments of which
differences matter for an indirect comparison are the course's, written here with their reasons.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from trialkit import data
from trialkit.appraisal import rob2
from trialkit.appraisal._refs import APPRAISAL_DIR
from trialkit.stats import HazardRatio

#: The studies of the book, in the order of the part (the two salvage trials first).
STUDIES = ("tower", "inovate", "e1910", "topp2021")
NOT_APPRAISED = "not yet appraised"
NOT_RANDOMISED = "RoB 2 does not apply: no randomised comparison"


def label(study: str) -> str:
    return data.study_info(study)["label"]


def _row(study: str, table: str, row_id: str) -> pd.Series:
    return data.row(study, table, row_id)


def _text(study: str, *refs: str) -> str:
    """The values of design rows (``table/id`` or an id of design.csv), joined."""
    out = []
    for ref in refs:
        table, _, row_id = ref.rpartition("/")
        out.append(str(_row(study, table or "design", row_id)["value"]))
    return "; ".join(out)


def pooled_percent(study: str, ids, table: str = "baseline") -> tuple[int, int, float]:
    """Count, denominator and percent summed over rows (both arms of a baseline category)."""
    x = n = 0
    for row_id in ids:
        r = _row(study, table, row_id)
        if pd.isna(r["denominator"]):
            raise data.DataError(f"data/{study}/{table}.csv, row {row_id!r}: no denominator to pool")
        x += int(float(r["value"]))
        n += int(r["denominator"])
    return x, n, 100.0 * x / n


def _pct(study: str, ids, table: str = "baseline") -> str:
    x, n, p = pooled_percent(study, ids, table)
    return f"{p:.0f} % ({x}/{n})"


def _arms_ids(stem: str, study: str) -> list[str]:
    info = data.study_info(study)
    return [stem.format(arm=a) for a in (info["experimental"], info["control"])]


def _range(study: str, lo: str, hi: str) -> str:
    return f"{_row(study, 'baseline', lo)['value']} to {_row(study, 'baseline', hi)['value']}"


def _hr_text(study: str, row_id: str) -> str:
    r = _row(study, "survival", row_id)
    return f"HR {r['value']} ({100 * float(r['ci_level']):g} % CI {r['ci_low']} to {r['ci_high']})"


def _cells() -> dict[str, dict[str, str]]:
    """Dimension -> study -> cell text, every value read from the data."""
    t, i, e, p = STUDIES
    first_t = _arms_ids("salvage_phase_first_{arm}", t)
    second_t = _arms_ids("salvage_phase_second_{arm}", t)
    later_t = [x for s in ("third", "fourth", "fifth_plus") for x in _arms_ids(f"salvage_phase_{s}_{{arm}}", t)]
    return {
        "Setting": {t: _text(t, "setting"), i: _text(i, "setting"), e: _text(e, "setting_1"), p: _text(p, "setting")},
        "Design": {t: _text(t, "phase"), i: _text(i, "phase"), e: _text(e, "phase_1"), p: _text(p, "phase")},
        "Ph status": {
            t: "Ph-negative only (" + _text(t, "setting").split(", ")[-1] + ")",
            i: f"Ph-positive or Ph-negative; Ph-positive karyotype in {_pct(i, _arms_ids('karyo_ph_{arm}', i))} of the first 218",
            e: _text(e, "eligibility_2"),
            p: _text(p, "eligibility_pooled")},
        "Salvage line": {
            t: f"first {_pct(t, first_t)}, second {_pct(t, second_t)}, third or later {_pct(t, later_t)}",
            i: (f"first {_pct(i, _arms_ids('salvage_first_{arm}', i))}, second {_pct(i, _arms_ids('salvage_second_{arm}', i))}"
                " (only first or second salvage eligible)"),
            e: "none: first-line treatment, randomised in first remission",
            p: (f"one prior relapse {_pct(p, ['prior_relapses_1'])}, two or more {_pct(p, ['prior_relapses_ge2'])}, "
                f"primary refractory {_pct(p, ['primary_refractory'])}")},
        "Prior allogeneic transplant": {
            t: _pct(t, _arms_ids("prior_allo_sct_yes_{arm}", t)),
            i: _pct(i, _arms_ids("prior_sct_{arm}", i)) + " of the first 218 (any stem-cell transplant)",
            e: "none: newly diagnosed",
            p: _pct(p, ["prior_hsct_yes"])},
        "Marrow blasts": {
            t: f"at least 50 % in {_pct(t, _arms_ids('marrow_blasts_50_plus_{arm}', t))}; entry: " + _text(t, "elig_blasts_ecog"),
            i: f"at least 50 % in {_pct(i, _arms_ids('bm_ge50_{arm}', i))} of the first 218; entry: at least 5 %",
            e: "in remission: " + _text(e, "eligibility_4"),
            p: f"at least 50 % in {_pct(p, ['bm_blasts_ge50'])}"},
        "Antigen selection": {
            t: "CD19-directed drug; the main text states no CD19 expression criterion",
            i: (f"CD22-positive disease required; CD22 on at least 90 % of blasts in "
                f"{_pct(i, _arms_ids('cd22_ge90_{arm}', i))} of the first 218"),
            e: "CD19-directed drug; selection by MRD status, not antigen",
            p: "CD19-directed drug; criteria in the source studies' publications"},
        "Age": {
            t: f"mean {_row(t, 'baseline', 'age_mean_blinatumomab')['value']} and "
               f"{_row(t, 'baseline', 'age_mean_chemotherapy')['value']} years; range {_range(t, 'age_min_blinatumomab', 'age_max_blinatumomab')}"
               f" and {_range(t, 'age_min_chemotherapy', 'age_max_chemotherapy')}",
            i: f"median {_row(i, 'baseline', 'age_median_inotuzumab')['value']} years in both groups; range "
               f"{_range(i, 'age_min_inotuzumab', 'age_max_inotuzumab')} and {_range(i, 'age_min_standard', 'age_max_standard')}",
            e: f"median {_row(e, 'baseline', 'age_median_enrolled')['value']} years; " + _text(e, "eligibility_1"),
            p: f"median {_row(p, 'baseline', 'age_median')['value']} years; range {_range(p, 'age_min', 'age_max')}"},
        "Remission definition and window": {
            t: _text(t, "sec_crcrhcri", "resp_crh", "resp_cri"),
            i: _text(i, "primary_cr", "def_cri", "response_criteria"),
            e: "entry condition, not an end point: " + _text(e, "response_definition_1"),
            p: _text(p, "response_definition")},
        "Control regimen": {t: _text(t, "regimen_chemo_options"), i: _text(i, "comparator"), e: _text(e, "comparator_1"),
                            p: _text(p, "blinding")},
        "Primary end point": {t: _text(t, "primary_endpoint"), i: _text(i, "primary_cr", "primary_os"),
                              e: _text(e, "primary_endpoint_1"), p: _text(p, "primary_endpoint")},
        "Overall survival result": {
            t: _hr_text(t, "os_hr") + f"; medians {_row(t, 'survival', 'os_median_blinatumomab')['value']} vs "
               f"{_row(t, 'survival', 'os_median_chemotherapy')['value']} months",
            i: _hr_text(i, "os_hr") + f"; medians {_row(i, 'survival', 'os_median_inotuzumab')['value']} vs "
               f"{_row(i, 'survival', 'os_median_standard')['value']} months; " + _text(i, "stat_rmst"),
            e: _hr_text(e, "os_hr") + f"; 3-year survival {_row(e, 'survival', 'os_3y_blinatumomab')['value']} % vs "
               f"{_row(e, 'survival', 'os_3y_chemotherapy')['value']} %",
            p: f"no comparator; median {_row(p, 'survival', 'os_median_all')['value']} months, 3-year survival "
               f"{_row(p, 'survival', 'os_landmark_3y_all')['value']} %"},
        "Analysis populations": {t: _text(t, "pop_itt", "pop_as_treated"), i: _text(i, "pop_remission", "pop_itt"),
                                 e: _text(e, "analysis_population_1"), p: _text(p, "analysis_population_os", "analysis_population_rfs")},
        "Follow-up": {t: _text(t, "follow_up"), i: _text(i, "followup", "cutoff_2016"), e: _text(e, "follow_up_1"),
                      p: _text(p, "follow_up")},
        "Stopping": {t: _text(t, "early_stop"), i: _text(i, "os_boundary"), e: _text(e, "stopping_rule_1"),
                     p: "no stopping rule: " + _text(p, "limitations")},
    }


#: For the anchored comparison of TOWER and INO-VATE: does the difference matter, and why (the
#: course's judgment). "effect modifier?" marks a difference that could change the relative effect
#: (the method's key assumption); "anchor" a difference in the common comparator; "prognostic" a
#: difference that moves both arms and cancels in an anchored comparison if it modifies neither drug's
#: effect; "definition" a difference in what is measured.
MATTERS: dict[str, tuple[str, str]] = {
    "Setting": ("prognostic", "both relapsed or refractory B-ALL; E1910 and the pooled analysis answer other questions"),
    "Design": ("", "both randomised, open-label phase 3: the anchored comparison is possible only between these two"),
    "Ph status": ("effect modifier?", "INO-VATE included Ph-positive disease, TOWER did not; Ph-positive patients may respond "
                  "differently to either drug"),
    "Salvage line": ("effect modifier?", "TOWER admitted third or later salvage, INO-VATE only first or second; "
                     "line of salvage is a plausible modifier of the effect of an immunotherapy"),
    "Prior allogeneic transplant": ("effect modifier?", "about twice as common in TOWER"),
    "Marrow blasts": ("effect modifier?", "similar shares with at least 50 % blasts; tumour burden is a suspected modifier "
                      "of T-cell-engager activity"),
    "Antigen selection": ("effect modifier?", "INO-VATE selected its drug's target (CD22), TOWER did not select on CD19"),
    "Age": ("prognostic", "similar ranges; INO-VATE's median is reported, TOWER's mean"),
    "Remission definition and window": ("definition", "CR/CRh/CRi within 12 weeks (TOWER) against adjudicated CR/CRi "
                                        "(INO-VATE): remission rates cannot be set side by side"),
    "Control regimen": ("anchor", "both investigator's choice of intensive chemotherapy, but different menus "
                        "(TOWER: four regimens including methotrexate- and clofarabine-based; INO-VATE: three)"),
    "Primary end point": ("definition", "OS in both (one of two primary end points in INO-VATE, tested at a split alpha)"),
    "Overall survival result": ("anchor", "the control medians differ: either a prognostic difference, which an anchored "
                                "comparison is built to absorb, or a difference between the anchors, which it is not; the "
                                "data cannot tell them apart; non-proportional hazards in INO-VATE make one hazard ratio a poor summary"),
    "Analysis populations": ("definition", "both intention to treat for OS; INO-VATE's baseline table covers only the "
                             "first 218 of its 326 patients"),
    "Follow-up": ("effect modifier?", "with hazards that change over time, a hazard ratio depends on how long patients were "
                  "followed: TOWER stopped at an interim analysis, INO-VATE's survival data are later"),
    "Stopping": ("anchor", "TOWER stopped early for benefit (its HR may be optimistic); INO-VATE missed its OS boundary"),
}


def comparability_table() -> pd.DataFrame:
    """One row per dimension, one column per study (labels), and the course's judgment for the
    TOWER-INO-VATE comparison ("Matters for the indirect comparison", "Why")."""
    cells = _cells()
    rows = []
    for dim, by_study in cells.items():
        kind, why = MATTERS[dim]
        rows.append({"Dimension": dim, **{label(s): by_study[s] for s in STUDIES},
                     "Matters for TOWER vs INO-VATE": kind or "no", "Why": why})
    return pd.DataFrame(rows)


def matters_summary() -> pd.DataFrame:
    """The dimensions marked, grouped by the kind of difference (for the page's summary)."""
    frame = comparability_table()
    marked = frame[frame["Matters for TOWER vs INO-VATE"] != "no"]
    return (marked.groupby("Matters for TOWER vs INO-VATE")["Dimension"].apply(lambda s: ", ".join(s))
            .reset_index().rename(columns={"Matters for TOWER vs INO-VATE": "Kind of difference", "Dimension": "Dimensions"}))


# --- the anchored indirect comparison -------------------------------------------------------------

#: The two trials of the anchored comparison and the row of each one's overall-survival hazard ratio.
INDIRECT_ROWS = (("tower", "os_hr"), ("inovate", "os_hr"))


def published_hr(study: str, row_id: str = "os_hr") -> HazardRatio:
    """A study's published hazard ratio with its interval at the level the data row records."""
    r = _row(study, "survival", row_id)
    info = data.study_info(study)
    level = float(r["ci_level"])
    return HazardRatio(float(r["value_num"]), float(r["ci_low_num"]), float(r["ci_high_num"]), level,
                       info["experimental"], info["control"], f"{info['label']} {row_id}")


def indirect_inputs() -> tuple[HazardRatio, HazardRatio]:
    return tuple(published_hr(s, r) for s, r in INDIRECT_ROWS)


def naive_readings() -> dict:
    """What a naive comparison would put side by side: the experimental arms' medians and remission
    rates, and the control arms' medians (which show why it misleads)."""
    t, i = "tower", "inovate"
    out = {"naive_median_blina": float(_row(t, "survival", "os_median_blinatumomab")["value_num"]),
           "naive_median_ino": float(_row(i, "survival", "os_median_inotuzumab")["value_num"]),
           "control_median_tower": float(_row(t, "survival", "os_median_chemotherapy")["value_num"]),
           "control_median_inovate": float(_row(i, "survival", "os_median_standard")["value_num"]),
           "rem_blina": float(_row(t, "responses", "cr_crh_cri_count_blinatumomab")["percent_num"]),
           "rem_ino": float(_row(i, "responses", "cr_cri_inotuzumab")["percent_num"]),
           "rem_tower_control": float(_row(t, "responses", "cr_crh_cri_count_chemotherapy")["percent_num"]),
           "rem_inovate_control": float(_row(i, "responses", "cr_cri_standard")["percent_num"]),
           "ino_os_boundary_p": _text(i, "os_boundary")}
    out["naive_median_ratio"] = out["naive_median_blina"] / out["naive_median_ino"]
    out["control_median_ratio"] = out["control_median_inovate"] / out["control_median_tower"]
    return out


# --- the evidence over time -----------------------------------------------------------------------

def timeline() -> pd.DataFrame:
    """One row per study: year of publication (from its citation), the stage of disease it studies,
    design, question (design.csv) and its headline result (from the data)."""
    import re

    stages = {"tower": ("Salvage (relapsed or refractory)", 1), "inovate": ("Salvage (relapsed or refractory)", 1),
              "topp2021": ("Long-term follow-up of single-arm salvage", 2), "e1910": ("First remission (MRD-negative)", 3)}
    questions = {"tower": "question", "inovate": "question", "e1910": "question_1", "topp2021": "question"}
    designs = {"tower": "phase", "inovate": "phase", "e1910": "phase_1", "topp2021": "phase"}
    results = {
        "tower": _hr_text("tower", "os_hr") + " for death",
        "inovate": _hr_text("inovate", "os_hr") + " for death; CR/CRi "
                   f"{_row('inovate', 'responses', 'cr_cri_inotuzumab')['percent']} % vs {_row('inovate', 'responses', 'cr_cri_standard')['percent']} %",
        "topp2021": f"3-year survival {_row('topp2021', 'survival', 'os_landmark_3y_all')['value']} % of all patients",
        "e1910": _hr_text("e1910", "os_hr") + " for death",
    }
    rows = []
    for s in STUDIES:
        info = data.study_info(s)
        year = int(re.search(r"\b(20\d\d)\b", info["citation"]).group(1))
        stage, order = stages[s]
        rows.append({"study": s, "label": info["label"], "year": year, "stage": stage, "stage_order": order,
                     "design": _text(s, designs[s]), "question": _text(s, questions[s]), "result": results[s]})
    return pd.DataFrame(rows).sort_values(["year", "stage_order"]).reset_index(drop=True)


# --- the appraisals side by side -----------------------------------------------------------------

def rob2_files(study: str, folder: Path | str = APPRAISAL_DIR) -> list[Path]:
    """A study's RoB 2 assessments: ``<study>_*_rob2.yml`` in ``folder``."""
    return sorted(Path(folder).glob(f"{study}_*rob2.yml"))


def rob2_assessments(folder: Path | str = APPRAISAL_DIR, studies=STUDIES) -> dict[str, list]:
    """Study -> its loaded RoB 2 assessments (an empty list: not yet appraised)."""
    return {s: [rob2.load(p) for p in rob2_files(s, folder)] for s in studies}


def rob2_overview(folder: Path | str = APPRAISAL_DIR, studies=STUDIES) -> pd.DataFrame:
    """One row per assessed result (study, result, overall judgment and the domains not at low risk),
    and one row "not yet appraised" for a study without an assessment."""
    rows = []
    for s, items in rob2_assessments(folder, studies).items():
        if not items and data.study_info(s)["control"] is None:
            rows.append({"Study": label(s), "Result": NOT_RANDOMISED, "Overall": NOT_RANDOMISED, "Domains not at low risk": ""})
            continue
        if not items:
            rows.append({"Study": label(s), "Result": NOT_APPRAISED, "Overall": NOT_APPRAISED, "Domains not at low risk": ""})
            continue
        for a in items:
            judged = rob2.assess(a).set_index("domain")["judgment"]
            weak = [d for d in rob2.DOMAINS if judged[d] != rob2.LOW]
            rows.append({"Study": label(s), "Result": a.outcome, "Overall": judged["Overall"],
                         "Domains not at low risk": ", ".join(weak) or "none"})
    return pd.DataFrame(rows)


#: Which ESMO-MCBS v1.1 form each study needs, and why (the course's reading of the scale's rules
#: applied to each design).
ESMO_FORMS = {
    "tower": ("2a", "non-curative setting, primary end point overall survival"),
    "inovate": ("2a for overall survival", "non-curative setting with two primary end points; overall survival "
                "missed its boundary, so how the scale treats the primary remission result is decided in the chapter"),
    "e1910": ("1", "curative intent (first-line consolidation): the form for adjuvant and curative settings, "
              "graded on survival gains at a landmark or on disease-free survival"),
    "topp2021": ("3 (single-arm studies)", "version 1.1 added form 3 for single-arm studies; a retrospective pooled "
                 "analysis of long-term follow-up fits it only loosely"),
}


def esmo_overview(graded: dict | None = None) -> pd.DataFrame:
    """The form each study needs and its grade where a chapter has graded it: ``graded`` maps a study
    to its final grade (a study absent from it is "not yet appraised")."""
    graded = graded or {}
    return pd.DataFrame([{"Study": label(s), "Form": ESMO_FORMS[s][0], "Why": ESMO_FORMS[s][1],
                          "Grade": str(graded[s]) if s in graded else NOT_APPRAISED} for s in STUDIES])


# --- the checklist for the next trial report ------------------------------------------------------

CHECKLIST = (
    ("Question and population", "Who was eligible, at what line of treatment, selected on which marker?",
     "Comparability table (this part); Part I: the setting", "book/across/comparability"),
    ("Randomisation and comparator", "Was the comparator the best available, and was it the same as in the trials "
     "you will compare with?", "RoB 2 domain 1; comparator rows of the comparability table", "book/tower/design"),
    ("Who was analysed", "All randomised (intention to treat), or a subset formed after randomisation?",
     "RoB 2 domains 2 and 3; the withdrawal laboratory", "book/tower/biases"),
    ("End point definitions", "Which remission (CR, CR/CRh, CR/CRi) within which window; who judged it, knowing the arm?",
     "Part I: response; RoB 2 domain 4", "book/part1/response"),
    ("Interval level and multiplicity", "At what level is each interval printed (95 %, 97.5 %), and why?",
     "Indirect comparison (this part); Part I: randomised trials", "book/across/indirect"),
    ("Stopping and follow-up", "Did the trial stop early, and how long were patients followed?",
     "The stopping laboratory; the RMST laboratory", "book/tower/design"),
    ("Survival summary", "Do the hazards look proportional, or is one hazard ratio hiding a change over time?",
     "RMST and the transplant laboratory", "book/tower/results"),
    ("Risk of bias", "For each result you will use: RoB 2, domain by domain.", "RoB 2 (trialkit.appraisal.rob2)",
     "book/across/appraisals"),
    ("Reporting", "What does the report leave out that you need (flow of patients, missing data, harms)?",
     "CONSORT 2025 (trialkit.appraisal.consort)", "book/tower/appraisal"),
    ("Clinical benefit", "Which ESMO-MCBS form applies, with which inputs?", "ESMO-MCBS (trialkit.appraisal.esmo)",
     "book/across/appraisals"),
    ("Comparison with other treatments", "Is there a shared comparator, and are effect modifiers comparable? "
     "Never set single arms side by side.", "Bucher indirect comparison (trialkit.labs.indirect)", "book/across/indirect"),
    ("What would settle it", "How many events would a trial need to answer the question that remains?",
     "Design laboratory (trialkit.design)", "book/across/design"),
)


def checklist() -> pd.DataFrame:
    return pd.DataFrame(CHECKLIST, columns=["Step", "Ask", "Instrument", "Where in the book"])

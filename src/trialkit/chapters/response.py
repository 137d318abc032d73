"""Response criteria of the four publications as tested code: complete remission (CR), its
subcategories CRh and CRi, and the minimal (measurable) residual disease thresholds.

Each publication's rule is written down as :class:`Rule` records, one per threshold. A rule holds the
threshold as printed, its value in the book's units, its status and its provenance: the ``id`` of a
row of the study's ``design.csv`` whose quotation prints it (the tests check that it does). Units:
platelets and absolute neutrophil count (ANC) in 10⁹ per litre (100,000 per µL = 100 × 10⁹/L;
1000 per µL = 1.0 × 10⁹/L), marrow blasts in percent.

Status of a rule:

``"stated"``
    printed in the article.
``"implied"``
    follows from what is printed (INO-VATE's full-recovery thresholds are the complement of its
    printed CRi definition).
``"our reading"``
    not printed in the article; the book's reading, named as such wherever it is used (INO-VATE's
    marrow threshold, taken as the complement of its eligibility criterion; its requirement of no
    disease outside the marrow).
``"not stated"``
    the article names the category but prints no threshold (E1910, the pooled analysis). The
    classifier then answers ``"Not stated"``: it does not borrow another trial's numbers.

:func:`classify` applies one trial's rules to one patient and says why; :func:`classification_grid`
applies them over a grid of values (the interactive figure filters that grid).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import product

import numpy as np
import pandas as pd

from trialkit import _check, data

TRIALS = ("tower", "inovate", "e1910", "topp2021")
CATEGORIES = ("CR", "CRh", "CRi", "No remission", "Not stated")
MEASURES = ("marrow blasts", "disease outside the marrow", "platelets", "ANC")
STATUSES = ("stated", "implied", "our reading", "not stated")
UNITS = {"marrow blasts": "%", "platelets": "× 10⁹/L", "ANC": "× 10⁹/L", "disease outside the marrow": ""}

# Outcome codes: a category, or why a patient is not in remission.
CODES = {
    "CR": "CR",
    "CRh": "CRh",
    "CRi": "CRi",
    "NR_marrow": "No remission",          # marrow blasts above the threshold
    "NR_disease": "No remission",         # disease outside the marrow
    "NR_marrow_disease": "No remission",  # both
    "NR_counts": "No remission",          # marrow clear, but counts meet no category (TOWER)
    "NS": "Not stated",                   # the article prints no thresholds
}

_OPS = {">": np.greater, ">=": np.greater_equal, "<": np.less, "<=": np.less_equal}
_SYMBOL = {">": ">", ">=": "≥", "<": "<", "<=": "≤"}


@dataclass(frozen=True)
class Rule:
    """One threshold of one trial's response definition.

    ``category`` is ``"remission"`` for the marrow and disease conditions every category shares, or
    the category (``"CR"``, ``"CRh"``, ``"CRi"``) whose count criteria it belongs to. ``op`` is one
    of ``>``, ``>=``, ``<``, ``<=`` for a number, ``"absent"`` for disease outside the marrow, or
    ``""`` when the article prints no threshold. ``combine`` says how the count rules of a category
    combine: ``"all"`` (and) or ``"any"`` (or).
    """

    trial: str
    category: str
    measure: str
    op: str
    value: float | None
    printed: str
    status: str
    source: str
    combine: str = "all"
    note: str = ""

    def holds(self, x) -> bool:
        if self.op == "absent":
            return not bool(x)
        if self.op not in _OPS or self.value is None:
            raise ValueError(f"rule {self.trial}/{self.category}/{self.measure} has no threshold (status {self.status!r})")
        return bool(_OPS[self.op](x, self.value))

    def threshold(self) -> str:
        """The threshold alone in the book's units, e.g. ``"> 100 × 10⁹/L"``."""
        if self.op == "":
            return "not printed"
        if self.op == "absent":
            return "required absent"
        unit = UNITS[self.measure]
        value = f"{self.value:.1f}" if self.measure == "ANC" else f"{self.value:g}"
        sep = "" if unit == "%" else " "
        return f"{_SYMBOL[self.op]} {value}{sep}{unit}"

    def text(self) -> str:
        """The criterion in words, e.g. ``"platelets > 100 × 10⁹/L"``."""
        if self.op == "":
            return f"{self.measure}: threshold not printed"
        if self.op == "absent":
            return "no disease outside the marrow"
        return f"{self.measure} {self.threshold()}"


@dataclass(frozen=True)
class Criteria:
    """A trial's response definition: the categories it names (best first) and their rules."""

    trial: str
    label: str
    categories: tuple[str, ...]
    rules: tuple[Rule, ...]
    note: str

    @property
    def classifiable(self) -> bool:
        """True when every threshold needed to classify a patient is known (printed, implied or read)."""
        return all(r.op != "" for r in self.rules)

    def rules_for(self, category: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.category == category)


def _tower() -> Criteria:
    t = "tower"
    return Criteria(
        trial=t, label="TOWER", categories=("CR", "CRh", "CRi"),
        note=("Methods, Assessments (and Table 2 footnote). The three categories are mutually exclusive: "
              "Table 2 counts each patient once, in the best category reached (its CR, CRh and CRi counts add up "
              "to the CR/CRh/CRi count)."),
        rules=(
            Rule(t, "remission", "marrow blasts", "<=", 5.0, "5% or less bone marrow blasts", "stated", "resp_cr"),
            Rule(t, "remission", "disease outside the marrow", "absent", None, "no evidence of disease", "stated", "resp_cr",
                 note="'No evidence of disease' excludes extramedullary disease and circulating blasts."),
            Rule(t, "CR", "platelets", ">", 100.0, "platelet count of >100,000 per microliter", "stated", "resp_cr_full"),
            Rule(t, "CR", "ANC", ">", 1.0, "absolute neutrophil count of >1000 per microliter", "stated", "resp_cr_full"),
            Rule(t, "CRh", "platelets", ">", 50.0, "platelet count of >50,000 per microliter", "stated", "resp_crh"),
            Rule(t, "CRh", "ANC", ">", 0.5, "absolute neutrophil count of >500 per microliter", "stated", "resp_crh"),
            Rule(t, "CRi", "platelets", ">", 100.0, "platelet count of >100,000 per microliter", "stated", "resp_cri", combine="any"),
            Rule(t, "CRi", "ANC", ">", 1.0, "absolute neutrophil count of >1000 per microliter", "stated", "resp_cri", combine="any"),
        ),
    )


def _inovate() -> Criteria:
    t = "inovate"
    return Criteria(
        trial=t, label="INO-VATE ALL", categories=("CR", "CRi"),
        note=("Methods, Outcomes: CR follows 'modified criteria of Cheson et al.', detailed only in the Supplementary "
              "Appendix; the article prints the CRi definition. It names no CRh category and no lower limit of the "
              "counts for CRi."),
        rules=(
            Rule(t, "remission", "marrow blasts", "<", 5.0, "≥5% bone marrow blasts", "our reading", "eligibility_main",
                 note="Not printed for remission. Relapsed or refractory disease is defined at entry as ≥5% marrow blasts; "
                      "remission is read as the complement, fewer than 5%."),
            Rule(t, "remission", "disease outside the marrow", "absent", None, "", "our reading", "response_criteria",
                 note="Not printed in the article (criteria in the Supplementary Appendix); read as required, as in every "
                      "complete-remission definition the book uses."),
            Rule(t, "CR", "platelets", ">=", 100.0, "a platelet count of less than 100,000 per microliter", "implied", "def_cri",
                 note="CRi is CR with platelets <100,000 or ANC <1000 per µL, so CR with full recovery needs both at or above."),
            Rule(t, "CR", "ANC", ">=", 1.0, "an absolute neutrophil count of less than 1000 per microliter", "implied", "def_cri",
                 note="See the platelet rule."),
            Rule(t, "CRi", "platelets", "<", 100.0, "a platelet count of less than 100,000 per microliter", "stated", "def_cri", combine="any"),
            Rule(t, "CRi", "ANC", "<", 1.0, "an absolute neutrophil count of less than 1000 per microliter", "stated", "def_cri", combine="any"),
        ),
    )


def _e1910() -> Criteria:
    t = "e1910"
    src = "response_definition_1"
    return Criteria(
        trial=t, label="E1910", categories=("CR", "CRi"),
        note=("Methods, Treatments and randomization: 'morphologic complete remission with or without complete count "
              "recovery' after induction. The article prints no blast or count threshold."),
        rules=(
            Rule(t, "remission", "marrow blasts", "", None, "", "not stated", src),
            Rule(t, "CR", "platelets", "", None, "", "not stated", src),
            Rule(t, "CR", "ANC", "", None, "", "not stated", src),
        ),
    )


def _topp2021() -> Criteria:
    t = "topp2021"
    src = "response_definition"
    return Criteria(
        trial=t, label="Pooled phase 2", categories=("CR", "CRh"),
        note=("Materials and Methods and Table 2: best response within 2 cycles as CR, CRh or hypocellular bone marrow. "
              "The thresholds are those of the two source studies and are not restated in the article."),
        rules=(
            Rule(t, "remission", "marrow blasts", "", None, "", "not stated", src),
            Rule(t, "CR", "platelets", "", None, "", "not stated", src),
            Rule(t, "CR", "ANC", "", None, "", "not stated", src),
            Rule(t, "CRh", "platelets", "", None, "", "not stated", src),
            Rule(t, "CRh", "ANC", "", None, "", "not stated", src),
        ),
    )


CRITERIA: dict[str, Criteria] = {c.trial: c for c in (_tower(), _inovate(), _e1910(), _topp2021())}


def criteria(trial: str) -> Criteria:
    """The response definition of ``trial`` (one of :data:`TRIALS`)."""
    return CRITERIA[_check.choice("trial", trial, TRIALS)]


def rule(trial: str, category: str, measure: str) -> Rule:
    """One rule, e.g. ``rule("tower", "CRh", "platelets").value == 50``."""
    crit = criteria(trial)
    _check.choice("measure", measure, MEASURES)
    found = [r for r in crit.rules if r.category == category and r.measure == measure]
    if not found:
        allowed = sorted({r.category for r in crit.rules if r.measure == measure})
        raise ValueError(f"category must be one of {allowed} for {trial} and measure {measure!r}, got {category!r}")
    return found[0]


@dataclass(frozen=True)
class Classification:
    trial: str
    category: str
    code: str
    reason: str


def _validate_patient(platelets, anc, marrow_blasts, disease_elsewhere):
    platelets = _check.real("platelets", platelets, low=0)
    anc = _check.real("anc", anc, low=0)
    marrow_blasts = _check.real("marrow_blasts", marrow_blasts, low=0, high=100)
    if not isinstance(disease_elsewhere, (bool, np.bool_)):
        raise ValueError(f"disease_elsewhere must be True or False, got {disease_elsewhere!r}")
    return platelets, anc, marrow_blasts, bool(disease_elsewhere)


def _category_holds(rules: tuple[Rule, ...], platelets: float, anc: float) -> bool:
    values = {"platelets": platelets, "ANC": anc}
    results = [r.holds(values[r.measure]) for r in rules]
    return any(results) if rules[0].combine == "any" else all(results)


def _code(crit: Criteria, platelets: float, anc: float, marrow_blasts: float, disease: bool) -> str:
    if not crit.classifiable:
        return "NS"
    marrow_ok = all(r.holds(marrow_blasts) for r in crit.rules_for("remission") if r.measure == "marrow blasts")
    disease_ok = all(r.holds(disease) for r in crit.rules_for("remission") if r.measure == "disease outside the marrow")
    if not marrow_ok and not disease_ok:
        return "NR_marrow_disease"
    if not marrow_ok:
        return "NR_marrow"
    if not disease_ok:
        return "NR_disease"
    for category in crit.categories:
        if _category_holds(crit.rules_for(category), platelets, anc):
            return category
    return "NR_counts"


def outcomes(trial: str) -> tuple[str, ...]:
    """The outcome codes ``trial``'s rules can give (``"NS"`` alone when it prints no thresholds)."""
    crit = criteria(trial)
    if not crit.classifiable:
        return ("NS",)
    return (*crit.categories, "NR_marrow", "NR_disease", "NR_marrow_disease", "NR_counts")


def explain(trial: str, code: str) -> str:
    """A short reason for outcome ``code`` of ``trial``, built from the trial's rules."""
    crit = criteria(trial)
    _check.choice("code", code, outcomes(trial))
    if code == "NS":
        named = ", ".join(crit.categories)
        return f"names {named} but prints no thresholds"
    marrow = [r for r in crit.rules_for("remission") if r.measure == "marrow blasts"][0]
    flip = {"<=": ">", "<": ">=", ">": "<=", ">=": "<"}
    read = " (our reading)" if marrow.status == "our reading" else ""
    if code == "NR_marrow":
        return f"marrow blasts {_SYMBOL[flip[marrow.op]]} {marrow.value:g}%{read}"
    if code == "NR_disease":
        disease = [r for r in crit.rules_for("remission") if r.measure == "disease outside the marrow"][0]
        return "disease outside the marrow" + (" (our reading)" if disease.status == "our reading" else "")
    if code == "NR_marrow_disease":
        return f"marrow blasts {_SYMBOL[flip[marrow.op]]} {marrow.value:g}% and disease outside the marrow"
    if code == "NR_counts":
        return "marrow clear, but counts meet no category"
    rules = crit.rules_for(code)
    joiner = " or " if rules[0].combine == "any" else " and "
    text = joiner.join(r.text() for r in rules)
    better = crit.categories[: crit.categories.index(code)]
    if better:
        text += f" (not {' or '.join(better)})"
    return text


def classify(trial: str, platelets: float, anc: float, marrow_blasts: float, disease_elsewhere: bool = False) -> Classification:
    """How ``trial``'s publication classifies a patient with these values.

    ``platelets`` and ``anc`` in 10⁹/L, ``marrow_blasts`` in percent, ``disease_elsewhere`` True when
    there is disease outside the marrow (extramedullary disease or circulating blasts). The patient
    gets the best category whose criteria hold; ``"No remission"`` when none does, ``"Not stated"``
    when the publication prints no thresholds.
    """
    crit = criteria(trial)
    platelets, anc, marrow_blasts, disease = _validate_patient(platelets, anc, marrow_blasts, disease_elsewhere)
    code = _code(crit, platelets, anc, marrow_blasts, disease)
    return Classification(trial, CODES[code], code, explain(trial, code))


# --- grids and tables for the chapter --------------------------------------------------------------

PLATELET_STEPS = tuple(range(0, 201, 25))  # every printed threshold (50, 100) is on the grid
ANC_STEPS = tuple(round(0.25 * k, 2) for k in range(9))  # includes 0.5 and 1.0
BLAST_STEPS = tuple(range(0, 11))


def _steps(name: str, values, high=None) -> list[float]:
    try:
        values = list(values)
    except TypeError:
        raise ValueError(f"{name} must be a sequence of numbers, got {values!r}") from None
    if not values:
        raise ValueError(f"{name} must not be empty")
    return [_check.real(name, v, low=0, high=high) for v in values]


def classification_grid(platelets=PLATELET_STEPS, anc=ANC_STEPS, marrow_blasts=BLAST_STEPS,
                        trials=("tower", "inovate")) -> pd.DataFrame:
    """Outcome codes of ``trials`` for every combination of the given values, with and without disease
    outside the marrow: columns ``platelets, anc, marrow_blasts, disease_elsewhere`` and one code
    column per trial (see :data:`CODES`). The default grid has 9 × 9 × 11 × 2 = 1782 rows (steps of 25 × 10⁹/L for platelets and 0.25 × 10⁹/L for the ANC keep every printed threshold on the grid and the page responsive).
    """
    plts = _steps("platelets", platelets)
    ancs = _steps("anc", anc)
    blasts = _steps("marrow_blasts", marrow_blasts, high=100)
    trials = list(trials)
    if not trials:
        raise ValueError("trials must name at least one of " + ", ".join(TRIALS))
    crits = [criteria(t) for t in trials]
    rows = []
    for p, a, b, d in product(plts, ancs, blasts, (False, True)):
        rows.append((p, a, b, d, *(_code(c, p, a, b, d) for c in crits)))
    return pd.DataFrame(rows, columns=["platelets", "anc", "marrow_blasts", "disease_elsewhere", *trials])


def examples(patients: pd.DataFrame, trials=TRIALS) -> pd.DataFrame:
    """Classify each patient (columns ``platelets, anc, marrow_blasts`` and optionally
    ``disease_elsewhere``) under each trial: one column per trial label, the category in each cell."""
    missing = [c for c in ("platelets", "anc", "marrow_blasts") if c not in patients.columns]
    if missing:
        raise ValueError(f"patients must have columns platelets, anc, marrow_blasts; missing {missing}")
    out = patients.copy()
    for t in trials:
        crit = criteria(t)
        out[crit.label] = [
            classify(t, r.platelets, r.anc, r.marrow_blasts, bool(getattr(r, "disease_elsewhere", False))).category
            for r in patients.itertuples(index=False)
        ]
    return out


def thresholds_table(trials=TRIALS) -> pd.DataFrame:
    """Every rule as a row: trial, category, criterion, threshold (book's units), as printed, status,
    and the location of the design row it comes from."""
    rows = []
    for t in trials:
        crit = criteria(t)
        design = data.load(t, "design").set_index("id")
        for r in crit.rules:
            combine = " (either count)" if r.combine == "any" else ""
            rows.append({
                "Trial": crit.label,
                "Category": ("every category" if r.category == "remission" else r.category) + combine,
                "Criterion": r.measure,
                "Threshold": r.threshold(),
                "Status": r.status,
                "As printed": r.printed,
                "Where": design.loc[r.source, "location"],
            })
    return pd.DataFrame(rows)


RESPONSE_ITEMS = ("response_definition", "mrd_definition")


def definitions_table(trials=TRIALS) -> pd.DataFrame:
    """The design rows that define response and MRD (items ``response_definition`` and
    ``mrd_definition``, plus any other row a rule cites, such as INO-VATE's CRi definition), with the
    course's paraphrase and the publication's quotation as provenance."""
    frames = []
    for t in trials:
        crit = criteria(t)
        design = data.load(t, "design")
        cited = {r.source for r in crit.rules} | {MRD[t].source, MRD[t].method_source}
        keep = design["item"].isin(RESPONSE_ITEMS) | design["id"].isin(cited)
        part = design[keep].copy()
        part["Trial"] = crit.label
        frames.append(part)
    out = pd.concat(frames, ignore_index=True)
    item = out["item"].map({"response_definition": "response", "mrd_definition": "MRD"}).fillna(out["item"].str.replace("_", " "))
    return pd.DataFrame({"Trial": out["Trial"], "Item": item, "Definition (our paraphrase)": out["value"].map(_plain),
                         "Publication's words": out["quote"].map(_plain), "Where": out["location"]})


def _plain(text: str) -> str:
    """Typesetting of the extracted text made readable: ``$<10^{-4}$`` and ``10^-4`` become ``<10⁻⁴``."""
    return text.replace("$", "").replace("^{-4}", "⁻⁴").replace("^-4", "⁻⁴")


# --- MRD ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MRDDefinition:
    """A trial's MRD threshold and how it was measured. ``fraction`` is the threshold as a fraction of
    cells (0.01 % = 10⁻⁴); ``printed`` is how the article writes it and appears in the quotation of
    the design row ``source``. Fields the article does not give say so."""

    trial: str
    term: str
    printed: str
    fraction: float
    method: str
    when: str
    among: str
    source: str
    method_source: str


MRD: dict[str, MRDDefinition] = {
    "tower": MRDDefinition(
        "tower", "minimal residual disease remission", "below 0.0001", 1e-4,
        "two central laboratories: multicolour flow cytometry (US and Canadian centres, 64 patients) or real-time "
        "quantitative PCR of clonal immunoglobulin or T-cell receptor rearrangements (all other centres, 341 patients), "
        "PCR sensitivity at least 0.0001",
        "not stated in the article", "patients with CR, CRh or CRi", "def_mrd_remission", "mrd_pcr"),
    "inovate": MRDDefinition(
        "inovate", "below the threshold for minimal residual disease", "0.01%", 1e-4,
        "multicolour, multiparameter flow cytometry at a central laboratory; bone marrow blasts",
        "not stated in the article", "patients with CR or CRi", "mrd", "mrd"),
    "e1910": MRDDefinition(
        "e1910", "measurable residual disease (MRD)-negative", "less than 0.01%", 1e-4,
        "six-colour flow cytometry (standardised Children's Oncology Group assay, different-from-normal approach), "
        "central; bone marrow; 0.01% sensitivity reached in every sample before randomisation",
        "after count recovery from intensification, before randomisation",
        "patients in morphologic remission after intensification", "eligibility_4", "mrd_definition_1"),
    "topp2021": MRDDefinition(
        "topp2021", "MRD response", "<10^{-4}", 1e-4,
        "quantitative PCR", "at any time during blinatumomab treatment", "all treated patients", "mrd_definition",
        "mrd_definition"),
}


def mrd_table(trials=TRIALS) -> pd.DataFrame:
    """The MRD definitions side by side: term, threshold as printed and as a fraction, method, timing,
    denominator, and where each is printed."""
    rows = []
    for t in trials:
        m = MRD[_check.choice("trial", t, TRIALS)]
        design = data.load(t, "design").set_index("id")
        printed = m.printed.replace("^{-4}", "⁻⁴")
        rows.append({"Trial": criteria(t).label, "Term used": m.term, "Threshold as printed": printed,
                     "One leukaemic cell in": f"{round(1 / m.fraction):,}", "Method": m.method,
                     "When": m.when, "Among": m.among, "Where": design.loc[m.source, "location"]})
    return pd.DataFrame(rows)


# Where each randomised trial reports MRD negativity among responders: the response rows (per arm),
# the population of all randomised patients of the remission analysis, and the printed difference
# between the arms when the counts are not printed (it pins them down).
_MRD_AMONG_RESPONDERS = {
    "tower": ("mrd_neg_{arm}", "itt", "mrd_neg_difference"),
    "inovate": ("cr_cri_mrdneg_{arm}", "itt218", None),
}


def _round_half_up(x: float, decimals: int = 0) -> float:
    f = 10 ** decimals
    return math.floor(x * f + 0.5) / f


def implied_counts(percent_exp: float, n_exp: int, percent_ctl: float, n_ctl: int, difference: float,
                   decimals: int = 0) -> list[tuple[int, int]]:
    """Every pair of counts (k_exp, k_ctl) that reproduces two printed percentages of ``n_exp`` and
    ``n_ctl`` patients and their printed difference (percentage points), all rounded to ``decimals``
    places (half up). A unique pair means the publication's numbers imply the counts."""
    n_exp = _check.integer("n_exp", n_exp, low=1)
    n_ctl = _check.integer("n_ctl", n_ctl, low=1)
    for name, v in (("percent_exp", percent_exp), ("percent_ctl", percent_ctl)):
        _check.real(name, v, low=0.0, high=100.0)
    difference = _check.real("difference", difference, low=-100.0, high=100.0)
    decimals = _check.integer("decimals", decimals, low=0, high=3)

    def matching(percent, n):
        return [k for k in range(n + 1) if _round_half_up(100 * k / n, decimals) == percent]

    return [(a, b) for a in matching(percent_exp, n_exp) for b in matching(percent_ctl, n_ctl)
            if _round_half_up(100 * a / n_exp - 100 * b / n_ctl, decimals) == difference]


def mrd_negative_share(study: str) -> pd.DataFrame:
    """MRD negativity as the publication reports it (among responders) and as a share of every
    patient randomised in the remission analysis, per arm.

    When the publication prints only a percent (TOWER), the number of MRD-negative patients is implied
    (``count_printed`` False): the reading is that the percent is of every responder (TOWER: "among
    the patients who had complete remission with full, partial, or incomplete hematologic recovery",
    i.e. every CR/CRh/CRi patient), and the counts are the only pair of :func:`implied_counts` that
    reproduces both percents and the printed difference (TOWER: 91 of 119 and 16 of 33). No unique pair
    is an error.
    """
    study = _check.choice("study", study, tuple(_MRD_AMONG_RESPONDERS))
    pattern, population, difference_id = _MRD_AMONG_RESPONDERS[study]
    info = data.study_info(study)
    resp = data.load(study, "responses").set_index("id")
    pops = data.load(study, "populations")
    arms = (info["experimental"], info["control"])
    implied = None
    if difference_id is not None:
        e, c = (resp.loc[pattern.format(arm=a)] for a in arms)
        pairs = implied_counts(float(e["value_num"]), int(e["denominator"]), float(c["value_num"]),
                               int(c["denominator"]), float(resp.loc[difference_id, "value_num"]))
        if len(pairs) != 1:
            raise ValueError(f"{study}: the printed MRD percents and difference imply {len(pairs)} pairs of counts "
                             f"({pairs}), not one")
        implied = dict(zip(arms, pairs[0]))
    rows = []
    for arm in arms:
        r = resp.loc[pattern.format(arm=arm)]
        responders = int(r["denominator"])
        if r["statistic"] == "count":
            negative, printed, among = float(r["value_num"]), True, float(r["percent_num"])
        else:
            among = float(r["value_num"])
            negative, printed = float(implied[arm]), False
        n = int(pops[(pops["population"] == population) & (pops["arm"] == arm)]["n"].iloc[0])
        rows.append({"arm": info["arms"][arm], "responders": responders, "mrd_negative": negative,
                     "count_printed": printed, "percent_of_responders": among, "randomised": n,
                     "percent_of_randomised": 100 * negative / n})
    return pd.DataFrame(rows)

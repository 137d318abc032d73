"""RoB 2: risk of bias in one result of an individually randomised, parallel-group trial.

Implements the revised Cochrane risk-of-bias tool (Sterne et al., BMJ 2019;366:l4898) as set out in its
detailed guidance of 22 August 2019: five domains, their signalling questions (paraphrased briefly in
``QUESTIONS``; read the guidance for the full wording and elaboration), the answers, and the guidance's
algorithms that map the answers of a domain to a proposed judgment.

Answers
    ``Y`` yes, ``PY`` probably yes, ``PN`` probably no, ``N`` no, ``NI`` no information, and ``NA``
    (not applicable) where the guidance allows it: for a conditional question whose condition is not
    met (it may then simply be left out), and, in the "effect of adhering" variant of domain 2, for
    questions 2.3 to 2.5 ("if applicable"). Question 3.2 has no ``NI`` option.

Domains (``DOMAINS``)
    ``D1`` randomisation process; ``D2`` deviations from intended interventions, in one of two
    variants chosen by the effect of interest — ``"assignment"`` (the intention-to-treat effect:
    questions 2.1–2.7) or ``"adherence"`` (the per-protocol effect: questions 2.1–2.6 of that
    variant); ``D3`` missing outcome data; ``D4`` measurement of the outcome; ``D5`` selection of the
    reported result.

Algorithms (``judge_domain``), as in the guidance's decision figures
    D1: 1.2 N/PN → High. 1.2 NI → High if 1.3 Y/PY, else Some concerns. 1.2 Y/PY → Some concerns if
    1.1 N/PN or 1.3 Y/PY, else Low.
    D2 (assignment), in two parts. Part 1: 2.1 and 2.2 both N/PN → Low; otherwise 2.3 N/PN → Low,
    2.3 NI → Some concerns, 2.3 Y/PY → (2.4 N/PN → Some concerns; 2.4 Y/PY/NI → (2.5 Y/PY → Some
    concerns; 2.5 N/PN/NI → High)). Part 2: 2.6 Y/PY → Low; 2.6 N/PN/NI → (2.7 N/PN → Some concerns;
    2.7 Y/PY/NI → High). Domain: High if either part is High, Low if both are Low, else Some concerns.
    D2 (adherence): if 2.1 or 2.2 is Y/PY/NI, 2.3 N/PN/NI sends to 2.6 directly; otherwise (both
    unaware, or 2.3 Y/PY/NA) 2.4 and 2.5 both N/PN/NA → Low, else 2.6. Then 2.6 Y/PY → Some
    concerns, 2.6 N/PN/NI → High.
    D3: 3.1 Y/PY → Low; else 3.2 Y/PY → Low; else 3.3 N/PN → Low; else 3.4 N/PN → Some concerns,
    3.4 Y/PY/NI → High.
    D4: 4.1 Y/PY → High; 4.2 Y/PY → High; 4.2 N/PN → 4.3 N/PN → Low, else 4.4 N/PN → Low, else 4.5
    N/PN → Some concerns, 4.5 Y/PY/NI → High. When 4.2 is NI the same path gives Some concerns where it
    would give Low (and still High at the end).
    D5: 5.2 or 5.3 Y/PY → High; both N/PN → Low if 5.1 Y/PY, else Some concerns; otherwise (an NI,
    no Y/PY) → Some concerns.

Overall judgment (``overall``)
    High if any domain is High; Some concerns if any domain has Some concerns; Low otherwise. The
    guidance also lets the assessor judge the result at high risk when several domains have Some
    concerns "in a way that substantially lowers confidence in the result": that is a judgment, not an
    algorithm, so it is applied only when asked (``escalate=True``, which needs at least two domains with
    Some concerns and no High) and the reason says so.

A filled assessment (``load``) is a YAML file, usually in ``data/appraisal/``::

    study: tower                      # a study of trialkit.data.studies(), or "example" (see below)
    outcome: Overall survival
    result: survival:os_hr            # the data row of the result assessed ("table:id")
    effect: assignment                # or "adherence": the variant of domain 2
    note: optional free text
    overall: {escalate: false, rationale: ""}   # optional
    domains:
      D1:
        "1.1": {answer: Y, rationale: "...", quote: "...", location: "Methods, Randomisation"}
        "1.2": {answer: PY, rationale: "..."}
        ...
      D2: {...}
      ...

Quote the question ids (``"1.1"``), and write answers as the codes above. ``rationale`` is required;
``quote`` (at most one sentence of the publication) and ``location`` are optional. Questions that the
algorithm does not reach may be left out. ``study: example`` marks a teaching illustration about a
hypothetical trial: its ``result`` is free text and is not looked up in ``data/``.

Errors (:class:`AppraisalError`, a ``ValueError``) name the file, the domain and the question: an
unknown answer code, an answer the question does not allow, a signalling question the algorithm needs
but that is missing, an unknown study, a result reference that does not exist in ``data/``.

Main API: ``QUESTIONS``, ``questions()``, ``judge_domain(domain, answers, variant=None)`` →
``Judgment(level, reason)``, ``overall(levels)``, ``load(path)`` → ``Assessment``,
``assess(assessment)`` → DataFrame (domain, judgment, reason, name), ``answers(assessment)`` →
DataFrame of every answer with its rationale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import pandas as pd

from trialkit.appraisal._refs import (
    EXAMPLE_STUDY,
    AppraisalError,
    check_keys,
    check_study,
    parse_ref,
    read_yaml,
    resolve,
)

# --- answers and levels ------------------------------------------------------------------------------

ANSWERS = ("Y", "PY", "PN", "N", "NI", "NA")
ANSWER_LABELS = {"Y": "Yes", "PY": "Probably yes", "PN": "Probably no", "N": "No", "NI": "No information",
                 "NA": "Not applicable"}
LOW, SOME, HIGH = "Low", "Some concerns", "High"
LEVELS = (LOW, SOME, HIGH)
VARIANTS = ("assignment", "adherence")

_YES = frozenset({"Y", "PY"})
_NO = frozenset({"N", "PN"})
_NI = frozenset({"NI"})
_FIVE = ("Y", "PY", "PN", "N", "NI")
_SIX = ANSWERS

DOMAINS = {
    "D1": "Bias arising from the randomisation process",
    "D2": "Bias due to deviations from intended interventions",
    "D3": "Bias due to missing outcome data",
    "D4": "Bias in measurement of the outcome",
    "D5": "Bias in selection of the reported result",
}
DOMAIN_SHORT = {"D1": "Randomisation", "D2": "Deviations", "D3": "Missing data", "D4": "Measurement",
                "D5": "Reporting", "Overall": "Overall"}


@dataclass(frozen=True)
class Condition:
    """When a signalling question is asked: ``mode`` "any" or "all" of (question id, answers)."""

    mode: str
    terms: tuple[tuple[str, frozenset], ...]

    def met(self, answers: Mapping[str, str]) -> bool:
        hits = [answers.get(q) in allowed for q, allowed in self.terms]
        return any(hits) if self.mode == "any" else all(hits)

    def text(self) -> str:
        parts = [f"{q} is {'/'.join(a for a in _SIX if a in allowed)}" for q, allowed in self.terms]
        return f" {'or' if self.mode == 'any' else 'and'} ".join(parts)


@dataclass(frozen=True)
class Question:
    domain: str
    id: str
    text: str
    short: str
    allowed: tuple[str, ...]
    variant: str | None = None
    condition: Condition | None = None
    na_is_answer: bool = False  # adherence 2.3-2.5: NA means "not applicable", a real answer

    @property
    def condition_text(self) -> str:
        return "" if self.condition is None else "asked if " + self.condition.text()


def _when(mode: str, *terms) -> Condition:
    return Condition(mode, tuple((q, frozenset(a)) for q, a in terms))


_YPYNI = _YES | _NI
_NPNNI = _NO | _NI

QUESTIONS: tuple[Question, ...] = (
    Question("D1", "1.1", "Was the allocation sequence random?", "sequence random", _FIVE),
    Question("D1", "1.2", "Was the allocation sequence concealed until participants were enrolled and assigned?",
             "allocation concealed", _FIVE),
    Question("D1", "1.3", "Did baseline differences between the groups suggest a problem with the randomisation?",
             "baseline imbalance suggests a problem", _FIVE),
    # domain 2, effect of assignment to intervention
    Question("D2", "2.1", "Were participants aware of their assigned intervention during the trial?",
             "participants aware", _FIVE, "assignment"),
    Question("D2", "2.2", "Were carers and people delivering the interventions aware of the assignment?",
             "carers aware", _FIVE, "assignment"),
    Question("D2", "2.3", "Were there deviations from the intended intervention that arose because of the trial context?",
             "deviations due to trial context", _SIX, "assignment", _when("any", ("2.1", _YPYNI), ("2.2", _YPYNI))),
    Question("D2", "2.4", "Were these deviations likely to have affected the outcome?",
             "deviations affected outcome", _SIX, "assignment", _when("any", ("2.3", _YES))),
    Question("D2", "2.5", "Were these deviations balanced between the groups?",
             "deviations balanced", _SIX, "assignment", _when("any", ("2.4", _YPYNI))),
    Question("D2", "2.6", "Was an appropriate analysis used to estimate the effect of assignment to intervention?",
             "appropriate (ITT-type) analysis", _FIVE, "assignment"),
    Question("D2", "2.7", "Could failing to analyse participants in their randomised group have had a substantial impact on the result?",
             "substantial impact of the analysis", _SIX, "assignment", _when("any", ("2.6", _NPNNI))),
    # domain 2, effect of adhering to intervention
    Question("D2", "2.1", "Were participants aware of their assigned intervention during the trial?",
             "participants aware", _FIVE, "adherence"),
    Question("D2", "2.2", "Were carers and people delivering the interventions aware of the assignment?",
             "carers aware", _FIVE, "adherence"),
    Question("D2", "2.3", "If applicable: were important non-protocol interventions balanced across the groups?",
             "non-protocol interventions balanced", _SIX, "adherence",
             _when("any", ("2.1", _YPYNI), ("2.2", _YPYNI)), na_is_answer=True),
    Question("D2", "2.4", "If applicable: were there failures in implementing the intervention that could have affected the outcome?",
             "implementation failures", _SIX, "adherence", na_is_answer=True),
    Question("D2", "2.5", "If applicable: was there non-adherence to the assigned regimen that could have affected outcomes?",
             "non-adherence", _SIX, "adherence", na_is_answer=True),
    Question("D2", "2.6", "Was an appropriate analysis used to estimate the effect of adhering to the intervention?",
             "appropriate per-protocol analysis", _SIX, "adherence",
             _when("any", ("2.3", _NPNNI), ("2.4", _YPYNI), ("2.5", _YPYNI))),
    # domain 3
    Question("D3", "3.1", "Were outcome data available for all, or nearly all, randomised participants?",
             "data nearly complete", _FIVE),
    Question("D3", "3.2", "Is there evidence that the result was not biased by missing outcome data?",
             "evidence of no bias", ("Y", "PY", "PN", "N", "NA"), condition=_when("any", ("3.1", _NPNNI))),
    Question("D3", "3.3", "Could missingness in the outcome depend on its true value?",
             "missingness could depend on outcome", _SIX, condition=_when("any", ("3.2", _NO))),
    Question("D3", "3.4", "Is it likely that missingness in the outcome depended on its true value?",
             "missingness likely depended on outcome", _SIX, condition=_when("any", ("3.3", _YPYNI))),
    # domain 4
    Question("D4", "4.1", "Was the method of measuring the outcome inappropriate?", "method inappropriate", _FIVE),
    Question("D4", "4.2", "Could measurement or ascertainment of the outcome have differed between the groups?",
             "measurement could differ", _FIVE),
    Question("D4", "4.3", "Were outcome assessors aware of the intervention received?", "assessors aware", _SIX,
             condition=_when("all", ("4.1", _NPNNI), ("4.2", _NPNNI))),
    Question("D4", "4.4", "Could knowledge of the intervention received have influenced the assessment?",
             "knowledge could influence", _SIX, condition=_when("any", ("4.3", _YPYNI))),
    Question("D4", "4.5", "Is it likely that knowledge of the intervention received influenced the assessment?",
             "knowledge likely influenced", _SIX, condition=_when("any", ("4.4", _YPYNI))),
    # domain 5
    Question("D5", "5.1", "Were the data analysed according to a prespecified plan finalised before unblinded outcome data were available?",
             "prespecified analysis plan", _FIVE),
    Question("D5", "5.2", "Was the result likely selected, on the basis of the results, from several eligible outcome measurements (scales, definitions, time points)?",
             "selected among measurements", _FIVE),
    Question("D5", "5.3", "Was the result likely selected, on the basis of the results, from several eligible analyses of the data?",
             "selected among analyses", _FIVE),
)


def _questions_of(domain: str, variant: str | None) -> dict[str, Question]:
    return {q.id: q for q in QUESTIONS if q.domain == domain and (q.variant is None or q.variant == variant)}


def questions(domain: str | None = None, variant: str | None = None) -> pd.DataFrame:
    """The signalling questions as a table: domain, variant, id, question, answers, asked_if."""
    rows = []
    for q in QUESTIONS:
        if domain is not None and q.domain != domain:
            continue
        if variant is not None and q.variant not in (None, variant):
            continue
        rows.append({"domain": q.domain, "variant": q.variant or "", "id": q.id, "question": q.text,
                     "answers": "/".join(q.allowed), "asked_if": q.condition.text() if q.condition else ""})
    return pd.DataFrame(rows, columns=["domain", "variant", "id", "question", "answers", "asked_if"])


# --- judging a domain ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Judgment:
    """A proposed risk-of-bias judgment (``level`` one of LEVELS) and the path that led to it."""

    level: str
    reason: str


class _Answers:
    """Validated answers of one domain; ``get`` records the path and fails when a needed answer is missing."""

    def __init__(self, domain: str, variant: str | None, answers: Mapping, where: str):
        self.domain, self.variant, self.where = domain, variant, where
        self.questions = _questions_of(domain, variant)
        self.codes: dict[str, str] = {}
        for qid, value in dict(answers).items():
            qid = str(qid)
            code = value.get("answer") if isinstance(value, Mapping) else value
            if qid not in self.questions:
                raise AppraisalError(f"{where}: {domain} has no signalling question {qid!r}"
                                     f"{' in the ' + variant + ' variant' if variant else ''}; "
                                     f"questions: {', '.join(self.questions)}")
            if isinstance(code, bool):
                raise AppraisalError(f"{where}: {domain} {qid}: answer {code!r} was read as a yes/no boolean; "
                                     "write the code in quotes, e.g. \"Y\" or \"N\"")
            if code not in ANSWERS:
                raise AppraisalError(f"{where}: {domain} {qid}: unknown answer code {code!r}; "
                                     f"allowed: {', '.join(ANSWERS)}")
            q = self.questions[qid]
            if code not in q.allowed:
                raise AppraisalError(f"{where}: {domain} {qid}: answer {code!r} is not allowed for this question; "
                                     f"allowed: {', '.join(q.allowed)}")
            self.codes[qid] = code
        self.path: list[str] = []

    def get(self, qid: str) -> str:
        q = self.questions[qid]
        code = self.codes.get(qid)
        if code is None:
            why = f"; it is asked when {q.condition.text()}" if q.condition else ""
            raise AppraisalError(f"{self.where}: {self.domain} needs an answer to signalling question {qid} "
                                 f"({q.text}){why}")
        if code == "NA" and not q.na_is_answer:
            raise AppraisalError(f"{self.where}: {self.domain} {qid} is answered NA, but the algorithm needs it: "
                                 f"{q.condition.text() if q.condition else 'it is always asked'}")
        self.path.append(f"{qid} {q.short}? {code}")
        return code

    def result(self, level: str, prefix: str = "") -> tuple[str, str]:
        reason = prefix + "; ".join(self.path) + f" → {level}"
        self.path = []
        return level, reason


def _d1(a: _Answers) -> tuple[str, str]:
    q12 = a.get("1.2")
    if q12 in _NO:
        return a.result(HIGH)
    if q12 in _NI:
        return a.result(HIGH if a.get("1.3") in _YES else SOME)
    if a.get("1.1") in _NO:
        return a.result(SOME)
    return a.result(SOME if a.get("1.3") in _YES else LOW)


def _d2_assignment(a: _Answers) -> tuple[str, str]:
    aware = a.get("2.1") not in _NO
    aware = (a.get("2.2") not in _NO) or aware
    if not aware:
        part1 = a.result(LOW, "deviations: ")
    else:
        q23 = a.get("2.3")
        if q23 in _NO:
            part1 = a.result(LOW, "deviations: ")
        elif q23 in _NI:
            part1 = a.result(SOME, "deviations: ")
        elif a.get("2.4") in _NO:
            part1 = a.result(SOME, "deviations: ")
        else:
            part1 = a.result(SOME if a.get("2.5") in _YES else HIGH, "deviations: ")
    if a.get("2.6") in _YES:
        part2 = a.result(LOW, "analysis: ")
    else:
        part2 = a.result(SOME if a.get("2.7") in _NO else HIGH, "analysis: ")
    levels = (part1[0], part2[0])
    level = HIGH if HIGH in levels else LOW if levels == (LOW, LOW) else SOME
    return level, f"{part1[1]} | {part2[1]} ⇒ {level}"


def _d2_adherence(a: _Answers) -> tuple[str, str]:
    aware = a.get("2.1") not in _NO
    aware = (a.get("2.2") not in _NO) or aware
    to_analysis = aware and a.get("2.3") in _NPNNI
    if not to_analysis:
        q24 = a.get("2.4")
        q25 = a.get("2.5")
        if q24 in _NO | {"NA"} and q25 in _NO | {"NA"}:
            return a.result(LOW)
    return a.result(SOME if a.get("2.6") in _YES else HIGH)


def _d3(a: _Answers) -> tuple[str, str]:
    if a.get("3.1") in _YES:
        return a.result(LOW)
    if a.get("3.2") in _YES:
        return a.result(LOW)
    if a.get("3.3") in _NO:
        return a.result(LOW)
    return a.result(SOME if a.get("3.4") in _NO else HIGH)


def _d4(a: _Answers) -> tuple[str, str]:
    if a.get("4.1") in _YES:
        return a.result(HIGH)
    q42 = a.get("4.2")
    if q42 in _YES:
        return a.result(HIGH)
    best = LOW if q42 in _NO else SOME  # 4.2 NI: "unclear whether measurement could differ"
    if a.get("4.3") in _NO:
        return a.result(best)
    if a.get("4.4") in _NO:
        return a.result(best)
    return a.result(SOME if a.get("4.5") in _NO else HIGH)


def _d5(a: _Answers) -> tuple[str, str]:
    q52, q53 = a.get("5.2"), a.get("5.3")
    if q52 in _YES or q53 in _YES:
        return a.result(HIGH)
    if q52 in _NO and q53 in _NO:
        return a.result(LOW if a.get("5.1") in _YES else SOME)
    return a.result(SOME)


_ALGORITHMS = {"D1": _d1, "D3": _d3, "D4": _d4, "D5": _d5}


def judge_domain(domain: str, answers: Mapping, variant: str | None = None, *, where: str = "answers") -> Judgment:
    """The guidance's proposed judgment for one domain.

    ``answers`` maps question ids (``"1.1"``) to codes (``"Y"``) or to mappings with an ``answer``
    key. ``variant`` is required for ``"D2"`` (``"assignment"`` or ``"adherence"``) and must be None
    otherwise. ``where`` prefixes error messages (the loader passes the file name).
    """
    if domain not in DOMAINS:
        raise AppraisalError(f"{where}: unknown domain {domain!r}; domains: {', '.join(DOMAINS)}")
    if domain == "D2":
        if variant not in VARIANTS:
            raise AppraisalError(f"{where}: D2 needs variant 'assignment' or 'adherence', got {variant!r}")
    elif variant is not None:
        raise AppraisalError(f"{where}: variant applies only to D2, got variant={variant!r} for {domain}")
    if not isinstance(answers, Mapping):
        raise AppraisalError(f"{where}: answers of {domain} must be a mapping of question id to answer")
    a = _Answers(domain, variant, answers, where)
    if domain == "D2":
        level, reason = (_d2_assignment if variant == "assignment" else _d2_adherence)(a)
    else:
        level, reason = _ALGORITHMS[domain](a)
    return Judgment(level, reason)


def overall(levels, *, escalate: bool = False, rationale: str = "") -> Judgment:
    """Overall risk of bias from the five domain levels (see the module docstring for the rule and
    the optional escalation)."""
    levels = list(levels)
    bad = [lv for lv in levels if lv not in LEVELS]
    if bad or len(levels) != len(DOMAINS):
        raise AppraisalError(f"overall needs one level per domain ({len(DOMAINS)}) from {LEVELS}, got {levels}")
    n_some = levels.count(SOME)
    if HIGH in levels:
        names = [d for d, lv in zip(DOMAINS, levels) if lv == HIGH]
        judgment = Judgment(HIGH, f"High in {', '.join(names)} → High")
    elif n_some:
        names = [d for d, lv in zip(DOMAINS, levels) if lv == SOME]
        judgment = Judgment(SOME, f"Some concerns in {', '.join(names)}, no High → Some concerns")
    else:
        judgment = Judgment(LOW, "Low in every domain → Low")
    if escalate:
        if judgment.level != SOME or n_some < 2:
            raise AppraisalError("escalation to High needs Some concerns in at least two domains and no High "
                                 f"(levels: {levels})")
        why = f": {rationale}" if rationale else ""
        judgment = Judgment(HIGH, f"Some concerns in {n_some} domains, judged by the assessor to lower confidence "
                                  f"in the result substantially (optional rule of the guidance){why} → High")
    return judgment


# --- filled assessments -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    answer: str
    rationale: str
    quote: str = ""
    location: str = ""


@dataclass(frozen=True)
class Assessment:
    """One filled RoB 2 assessment of one result (see the module docstring for the YAML format)."""

    study: str
    outcome: str
    result: str
    effect: str
    domains: dict
    note: str = ""
    escalate: bool = False
    escalate_rationale: str = ""
    path: Path | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        study = "Example (hypothetical)" if self.study == EXAMPLE_STUDY else self.study.upper()
        return f"{study}: {self.outcome}"

    @property
    def is_example(self) -> bool:
        return self.study == EXAMPLE_STUDY


def load(path) -> Assessment:
    """Read and validate a filled assessment (a path, or a file name in ``data/appraisal/``)."""
    content, path = read_yaml(path)
    where = str(path)
    check_keys(where, content, {"study", "outcome", "result", "effect", "domains"}, {"note", "overall"})
    study = check_study(content["study"], where)
    outcome = content["outcome"]
    if not isinstance(outcome, str) or not outcome.strip():
        raise AppraisalError(f"{where}: 'outcome' must be a non-empty text")
    effect = content["effect"]
    if effect not in VARIANTS:
        raise AppraisalError(f"{where}: 'effect' must be 'assignment' or 'adherence', got {effect!r}")
    result = content["result"]
    if study == EXAMPLE_STUDY:
        if not isinstance(result, str) or not result.strip():
            raise AppraisalError(f"{where}: 'result' must be a non-empty text")
    else:
        parse_ref(result, f"{where}: result")
        resolve(study, result, f"{where}: result")
    domains_in = content["domains"]
    if not isinstance(domains_in, dict):
        raise AppraisalError(f"{where}: 'domains' must map D1..D5 to their answers")
    unknown = sorted(set(map(str, domains_in)) - set(DOMAINS))
    if unknown:
        raise AppraisalError(f"{where}: unknown domain(s) {unknown}; domains: {', '.join(DOMAINS)}")
    domains = {}
    for d in DOMAINS:
        if d not in domains_in:
            raise AppraisalError(f"{where}: domain {d} ({DOMAINS[d]}) is missing")
        entries = domains_in[d]
        if not isinstance(entries, dict) or not entries:
            raise AppraisalError(f"{where}: {d} must map question ids to answers")
        answers = {}
        for qid, entry in entries.items():
            qid = str(qid)
            item = f"{where}: {d} {qid}"
            if not isinstance(entry, dict):
                raise AppraisalError(f"{item}: must be a mapping with 'answer' and 'rationale'")
            check_keys(item, entry, {"answer", "rationale"}, {"quote", "location"})
            if not isinstance(entry["rationale"], str) or not entry["rationale"].strip():
                raise AppraisalError(f"{item}: 'rationale' must be a non-empty text")
            answers[qid] = Answer(entry["answer"], entry["rationale"].strip(), str(entry.get("quote") or ""),
                                  str(entry.get("location") or ""))
        # validate codes and question ids now (judging again later is cheap)
        _Answers(d, effect if d == "D2" else None, {k: v.answer for k, v in answers.items()}, where)
        domains[d] = answers
    escalate, escalate_rationale = False, ""
    if "overall" in content:
        ov = content["overall"]
        if not isinstance(ov, dict):
            raise AppraisalError(f"{where}: 'overall' must be a mapping with 'escalate' and 'rationale'")
        check_keys(f"{where}: overall", ov, {"escalate"}, {"rationale"})
        if not isinstance(ov["escalate"], bool):
            raise AppraisalError(f"{where}: overall.escalate must be true or false")
        escalate, escalate_rationale = ov["escalate"], str(ov.get("rationale") or "")
    return Assessment(study, outcome.strip(), str(result), effect, domains, str(content.get("note") or ""),
                      escalate, escalate_rationale, path)


def assess(assessment: Assessment) -> pd.DataFrame:
    """One row per domain and an ``Overall`` row: domain, judgment, reason, name."""
    where = str(assessment.path) if assessment.path else assessment.label
    rows, levels = [], []
    for d, name in DOMAINS.items():
        codes = {qid: ans.answer for qid, ans in assessment.domains[d].items()}
        j = judge_domain(d, codes, assessment.effect if d == "D2" else None, where=where)
        levels.append(j.level)
        rows.append({"domain": d, "judgment": j.level, "reason": j.reason,
                     "name": name + (f" (effect of {assessment.effect})" if d == "D2" else "")})
    try:
        o = overall(levels, escalate=assessment.escalate, rationale=assessment.escalate_rationale)
    except AppraisalError as err:
        raise AppraisalError(f"{where}: {err}") from None
    rows.append({"domain": "Overall", "judgment": o.level, "reason": o.reason, "name": "Overall risk of bias"})
    return pd.DataFrame(rows, columns=["domain", "judgment", "reason", "name"])


def answers(assessment: Assessment) -> pd.DataFrame:
    """Every answer of an assessment: domain, id, question, answer, rationale, quote, location."""
    rows = []
    for d in DOMAINS:
        qs = _questions_of(d, assessment.effect if d == "D2" else None)
        for qid, q in qs.items():
            ans = assessment.domains[d].get(qid)
            if ans is None:
                continue
            rows.append({"domain": d, "id": qid, "question": q.text, "answer": ans.answer, "rationale": ans.rationale,
                         "quote": ans.quote, "location": ans.location})
    return pd.DataFrame(rows, columns=["domain", "id", "question", "answer", "rationale", "quote", "location"])

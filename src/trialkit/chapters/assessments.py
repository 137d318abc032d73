"""A trial's appraisal page, from its assessments (YAML in ``data/appraisal``): the RoB 2 answers and
judgments as reader-facing tables, the CONSORT items not fully reported, and the values the page
quotes. Any trial's RoB 2 assessments and CONSORT checklist work the same way."""

from __future__ import annotations

import pandas as pd

from trialkit.appraisal import consort, rob2

CONSORT_STATUSES = {"Reported": "c_yes", "Partly reported": "c_partly", "Not reported": "c_no", "Not applicable": "c_na"}


def rob2_answer_table(assessment) -> pd.DataFrame:
    """The signalling questions of one RoB 2 assessment with their answers, our rationale and the
    publication's words (quote and location)."""
    a = rob2.answers(assessment)
    a["source"] = [f"“{q}” ({loc})" if q else "" for q, loc in zip(a["quote"], a["location"])]
    a = a.rename(columns={"domain": "Domain", "id": "Question", "question": "Signalling question",
                          "answer": "Answer", "rationale": "Rationale (our appraisal)", "source": "The publication"})
    return a[["Domain", "Question", "Signalling question", "Answer", "Rationale (our appraisal)", "The publication"]]


def rob2_judgment_table(assessment) -> pd.DataFrame:
    """Domain judgments computed by :func:`trialkit.appraisal.rob2.assess`, with the algorithm's reason."""
    return rob2.assess(assessment)[["domain", "judgment", "reason"]].rename(
        columns={"domain": "Domain", "judgment": "Judgment (computed)", "reason": "How the algorithm reached it"})


def rob2_readings(assessments: dict) -> dict:
    """``<key>_overall`` and ``<key>_D1`` ... ``<key>_D5``: each assessment's judgments in lower case,
    for ``assessments`` given as key -> assessment."""
    out = {}
    for key, assessment in assessments.items():
        judged = rob2.assess(assessment).set_index("domain")
        out[f"{key}_overall"] = judged.loc["Overall", "judgment"].lower()
        for d in ("D1", "D2", "D3", "D4", "D5"):
            out[f"{key}_{d}"] = judged.loc[d, "judgment"].lower()
    return out


def consort_gaps(checklist) -> pd.DataFrame:
    """The CONSORT items a publication does not report fully, with where and our comment."""
    rep = consort.report(checklist)
    shown = rep[rep["reported"] != "yes"][["number", "topic", "paraphrase", "status", "where", "comment"]]
    shown.columns = ["Item", "Topic", "What the item asks (paraphrase)", "Status", "Where", "Comment (our appraisal)"]
    return shown


def consort_readings(checklist) -> dict:
    """Items per status (``c_yes``, ``c_partly``, ``c_no``, ``c_na``) and in all (``c_total``)."""
    counts = consort.summary(checklist).set_index("status")["items"]
    out = {name: int(counts[status]) for status, name in CONSORT_STATUSES.items()}
    out["c_total"] = int(counts.sum())
    return out


def rob2_domains() -> pd.DataFrame:
    """The five RoB 2 domains: what can go wrong, and how many signalling questions each asks (domain
    2 per variant: the effect of assignment or of adhering)."""
    q = rob2.questions()

    def count(domain):
        if domain != "D2":
            return str(int((q["domain"] == domain).sum()))
        n = {v: int(((q["domain"] == "D2") & (q["variant"] == v)).sum()) for v in rob2.VARIANTS}
        return f"{n['assignment']} (effect of assignment) or {n['adherence']} (effect of adhering)"

    return pd.DataFrame({"domain": list(rob2.DOMAINS), "what can go wrong": list(rob2.DOMAINS.values()),
                         "signalling questions": [count(d) for d in rob2.DOMAINS]})

"""What the exercise notebooks call: the student's variant and the formative check.

``V = student.start("tower", MY_CODE)`` builds the scenario of the student's variant (see
:mod:`trialkit.exercises.variants`); ``V.q1`` is the scenario of question 1 (a dict), ``V.frame()`` the
SYNTHETIC patients of a question that has them. ``student.check("q1")`` judges the answers assigned so
far for this variant, part by part, with hints, and prints the points they would earn.

The check is *formative*: it runs in the student's kernel and could be changed by the student, so it
never decides a grade. When a set is graded, the notebook runs in a sandbox only to produce the answer
variables; the grader reads them out and judges them in its own process, with the code it derives
from the student id (``TRIALKIT_VARIANT`` in the sandbox overrides the code typed in the notebook).
"""

from __future__ import annotations

import os
import sys

from trialkit.exercises import problems, variants

_current: dict = {}


class Variant:
    """The scenario of one student's variant of a set."""

    def __init__(self, set_name: str, code: str):
        self.set_name, self.code = set_name, code
        self.scenario = problems.scenario(set_name, code)

    def __getattr__(self, name):
        scenario = self.__dict__.get("scenario", {})
        if name in scenario:
            return dict(scenario[name])
        raise AttributeError(f"the variant has no question {name!r}; questions: {', '.join(scenario)}")

    def frame(self):
        """The SYNTHETIC patients of this variant (columns arm, time, event)."""
        return problems.survival_frame(self.set_name, self.code)

    def __repr__(self) -> str:
        return f"<variant {variants.pretty(self.code)} of set {self.set_name}>"


def start(set_name: str, code) -> Variant:
    """The student's variant. Raises ValueError (with what to fix) for a mistyped code."""
    graded = os.environ.get("TRIALKIT_VARIANT")
    if graded:
        code = graded  # when graded, the code comes from the grader, never from the notebook
    elif code is None or (isinstance(code, str) and "PASTE" in code.upper()):
        raise ValueError("assign MY_CODE the variant code your instructor sent you, e.g. MY_CODE = 'ABCDE-FGHIJ-KL'")
    code = variants.normalise_code(code)
    v = Variant(set_name, code)
    _current.clear()
    _current.update(variant=v)
    if not graded:
        print(f"Variant {variants.pretty(code)} of the set {set_name!r}: your scenario is ready (V.q1, V.q2, ...).")
    return v


def check(qid: str, namespace: dict | None = None) -> float:
    """Judge the answers of question ``qid`` for your variant and print what is right, what is not and a
    hint for common mistakes. Returns the points the answers would earn (the graded score is computed
    by your instructor's grader, not here)."""
    v = _current.get("variant")
    if v is None:
        raise RuntimeError("run the setup cell first (it builds your variant)")
    qs = {q.qid: q for q in problems.questions(v.set_name)}
    if qid not in qs:
        raise ValueError(f"qid must be one of {list(qs)}, got {qid!r}")
    ns = sys._getframe(1).f_globals if namespace is None else namespace
    names = [p.name for p in qs[qid].parts]
    answers = {n: problems.encode(ns[n]) for n in names + problems.answer_names(v.set_name) if n in ns}
    verdicts = [x for x in problems.judge(v.set_name, v.code, answers) if x.question == qid]
    earned = sum(x.points for x in verdicts)
    for x in verdicts:
        mark = "right" if x.correct else "not yet"
        extra = "" if x.correct else f": {x.message}"
        print(f"  {x.part:16s} {mark}{extra}")
    print(f"Question {qid[1:]}: {earned:g} of {qs[qid].points:g} points for your variant "
          "(your instructor's grading decides the grade).")
    return earned


def quotes(domain: str, assessment: str = "tower_remission_rob2") -> dict[str, str]:
    """The quoted evidence of one RoB 2 domain of a published assessment in ``data/appraisal`` ({question:
    quote}, questions without a quote left out). Only the quotes: the answers are yours to give."""
    import yaml

    from trialkit.data import DATA_DIR

    if not isinstance(assessment, str) or not assessment.replace("_", "").isalnum():
        raise ValueError(f"assessment must be the name of a file in data/appraisal, got {assessment!r}")
    path = DATA_DIR / "appraisal" / f"{assessment}.yml"
    if not path.exists():
        raise ValueError(f"assessment must be one of the files in data/appraisal, got {assessment!r}")
    doms = yaml.safe_load(path.read_text(encoding="utf-8"))["domains"]
    if domain not in doms:
        raise ValueError(f"domain must be one of {sorted(doms)}, got {domain!r}")
    return {q: f"\"{a['quote']}\" ({a.get('location', '')})" for q, a in doms[domain].items() if a.get("quote")}

"""MINORS: the Methodological Index for Non-Randomized Studies (Slim et al., ANZ J Surg 2003;73:712-6).

Twelve items, each scored 0 (not reported), 1 (reported but inadequate) or 2 (reported and adequate).
The first eight apply to every non-randomised study, including non-comparative (single-arm) ones, for
which the ideal total is 16; items 9 to 12 apply only to comparative studies (ideal total 24). The
instrument was built for surgical studies; the course uses it because it is one of the few validated
checklists for single-arm evidence, and reads its items for a drug study.

An assessment is a YAML file in ``data/appraisal``::

    study: topp2021
    publication: ...
    comparative: false
    items:
      "1": {score: 2, rationale: "...", quote: "...", where: "Introduction"}
      ...

:func:`load` validates it (every applicable item present, scores 0-2, a rationale for each, no item of
the comparative block for a non-comparative study) and :func:`table`, :func:`total` summarise it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from trialkit import _yamlfile
from trialkit.appraisal._refs import APPRAISAL_DIR, AppraisalError

ITEMS = {
    "1": "A clearly stated aim",
    "2": "Inclusion of consecutive patients",
    "3": "Prospective collection of data",
    "4": "Endpoints appropriate to the aim of the study",
    "5": "Unbiased assessment of the study endpoint",
    "6": "Follow-up period appropriate to the aim of the study",
    "7": "Loss to follow-up less than 5 %",
    "8": "Prospective calculation of the study size",
    "9": "An adequate control group",
    "10": "Contemporary groups",
    "11": "Baseline equivalence of groups",
    "12": "Adequate statistical analyses",
}
NON_COMPARATIVE = tuple(str(i) for i in range(1, 9))
SCORES = {0: "not reported", 1: "reported but inadequate", 2: "reported and adequate"}


class MinorsError(AppraisalError):
    """A MINORS file that breaks the format, naming the file and the item."""


@dataclass(frozen=True)
class Assessment:
    study: str
    publication: str
    comparative: bool
    items: dict

    def total(self) -> int:
        return sum(int(v["score"]) for v in self.items.values())

    def maximum(self) -> int:
        return 2 * len(self.items)


def load(name: str | Path, folder: Path | str = APPRAISAL_DIR) -> Assessment:
    """The validated MINORS assessment in ``folder / name``."""
    path = Path(folder) / name
    content = _yamlfile.read(path, MinorsError, "items", kind=dict, name="MINORS assessment")
    for key in ("study", "publication", "comparative", "items"):
        if key not in content:
            raise MinorsError(f"{path}: missing '{key}'")
    comparative = content["comparative"]
    if not isinstance(comparative, bool):
        raise MinorsError(f"{path}: 'comparative' must be true or false, got {comparative!r}")
    items = content["items"]
    if not isinstance(items, dict):
        raise MinorsError(f"{path}: 'items' must map item numbers to answers")
    items = {str(k): v for k, v in items.items()}
    wanted = tuple(ITEMS) if comparative else NON_COMPARATIVE
    unknown = sorted(set(items) - set(wanted), key=int)
    if unknown:
        raise MinorsError(f"{path}: item(s) {unknown} do not apply to a {'comparative' if comparative else 'non-comparative'} "
                          f"study (items {wanted[0]} to {wanted[-1]})")
    for k in wanted:
        if k not in items:
            raise MinorsError(f"{path}: item {k} ({ITEMS[k]}) is missing")
        v = items[k]
        if not isinstance(v, dict):
            raise MinorsError(f"{path}, item {k}: must be a mapping with score and rationale")
        extra = set(v) - {"score", "rationale", "quote", "where"}
        if extra:
            raise MinorsError(f"{path}, item {k}: unknown keys {sorted(extra)}")
        if v.get("score") not in SCORES or isinstance(v.get("score"), bool):
            raise MinorsError(f"{path}, item {k}: score must be 0, 1 or 2, got {v.get('score')!r}")
        if not str(v.get("rationale", "")).strip():
            raise MinorsError(f"{path}, item {k}: needs a rationale")
        if v.get("quote") and not v.get("where"):
            raise MinorsError(f"{path}, item {k}: a quote needs 'where' (section, table or figure)")
    return Assessment(str(content["study"]), str(content["publication"]), comparative, {k: items[k] for k in wanted})


def table(assessment: Assessment) -> pd.DataFrame:
    """One row per item: item, question, score, meaning, rationale, quote (with where)."""
    rows = []
    for k, v in assessment.items.items():
        quote = f"“{v['quote']}” ({v['where']})" if v.get("quote") else ""
        rows.append({"Item": k, "Question": ITEMS[k], "Score": int(v["score"]), "Meaning": SCORES[int(v["score"])],
                     "Rationale": v["rationale"], "Quote": quote})
    return pd.DataFrame(rows)

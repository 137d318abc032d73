"""CONSORT 2025: the reporting checklist of a randomised trial, as a structure a chapter can fill.

The CONSORT 2025 statement (Hopewell et al., 2025; published together in BMJ, JAMA, Lancet, Nature
Medicine and PLOS Medicine) lists 30 numbered items, several split into sub-items (1a/1b, 5a/5b, 12a/12b,
16a/16b, 17a/17b, 20a/20b, 21a-21d, 22a/22b, 23a/23b, 24a/24b): 42 rows in all. The numbering, sections
and topics of ``ITEMS`` were checked against reproductions of the published checklist table; the
``paraphrase`` column is the course's own short wording, not the official text (read the statement
for that and for its explanation and elaboration). ``ITEMS`` is the one place to correct an item.

A filled checklist is a YAML file in ``data/appraisal/``::

    study: tower                  # a study of trialkit.data.studies(), or "example"
    publication: Kantarjian et al., N Engl J Med 2017      # optional, free text
    items:
      "1a": {reported: yes, where: Title, comment: "..."}
      "17b": {reported: partly, where: "Methods, Randomisation", comment: "..."}
      "8": {reported: no, comment: "not mentioned"}

``reported`` is ``yes``, ``partly``, ``no`` or ``na`` (not applicable, for the "if applicable"
items). Quote the item numbers. ``where`` and ``comment`` are optional. Items not listed are reported as
"not assessed" by :func:`report`. Note that YAML reads an unquoted ``yes``/``no`` as true/false: the
loader accepts that and maps it back.

API: ``items()`` → DataFrame (number, section, topic, paraphrase); ``load(path)`` → ``Checklist``;
``report(checklist)`` → DataFrame of every item with its filled status; ``summary(checklist)`` →
counts by status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from trialkit.appraisal._refs import AppraisalError, check_keys, check_study, read_yaml

ITEMS: tuple[tuple[str, str, str, str], ...] = (
    ('1a', 'Title and abstract', 'Title and structured abstract',
     'The title identifies the study as a randomised trial'),
    ('1b', 'Title and abstract', 'Title and structured abstract',
     'A structured summary of design, methods, results and conclusions'),
    ('2', 'Open science', 'Trial registration',
     'Registry name, registration number (with link) and date of registration'),
    ('3', 'Open science', 'Protocol and statistical analysis plan',
     'Where the protocol and the statistical analysis plan can be read'),
    ('4', 'Open science', 'Data sharing',
     'Where and how de-identified participant data, data dictionary, code and other materials can be obtained'),
    ('5a', 'Open science', 'Funding and conflicts of interest',
     'Funding and other support (such as drug supply), and what the funders did in design, conduct, analysis and reporting'),
    ('5b', 'Open science', 'Funding and conflicts of interest',
     'Financial and other conflicts of interest of the authors'),
    ('6', 'Introduction', 'Background and rationale',
     'Scientific background and why the trial was done'),
    ('7', 'Introduction', 'Objectives',
     'Specific objectives about benefits and harms'),
    ('8', 'Methods', 'Patient and public involvement',
     'How patients or the public took part in design, conduct and reporting'),
    ('9', 'Methods', 'Trial design',
     'Type of trial (parallel group, crossover ...), allocation ratio and framework (superiority, non-inferiority ...)'),
    ('10', 'Methods', 'Changes to trial protocol',
     'Important changes after the trial started, including outcomes or analyses not prespecified, with reasons'),
    ('11', 'Methods', 'Trial setting',
     'Settings and locations (countries and sites) of the trial'),
    ('12a', 'Methods', 'Eligibility criteria',
     'Eligibility criteria for participants'),
    ('12b', 'Methods', 'Eligibility criteria',
     'If applicable, eligibility criteria for sites and for those delivering the interventions'),
    ('13', 'Methods', 'Intervention and comparator',
     'Intervention and comparator in enough detail to replicate them, and where further materials are'),
    ('14', 'Methods', 'Outcomes',
     'Prespecified primary and secondary outcomes: measurement variable, analysis metric, aggregation and time point'),
    ('15', 'Methods', 'Harms',
     'How harms were defined and assessed'),
    ('16a', 'Methods', 'Sample size',
     'How the sample size was determined'),
    ('16b', 'Methods', 'Sample size',
     'Any interim analyses and stopping guidelines'),
    ('17a', 'Methods', 'Sequence generation',
     'Who generated the random allocation sequence and by what method'),
    ('17b', 'Methods', 'Sequence generation',
     'Type of randomisation and any restriction (stratification, blocks and their size)'),
    ('18', 'Methods', 'Allocation concealment mechanism',
     'How the sequence was implemented and kept concealed until assignment'),
    ('19', 'Methods', 'Implementation',
     'Whether those who enrolled and those who assigned participants could see the sequence'),
    ('20a', 'Methods', 'Blinding',
     'Who was blinded after assignment (participants, care providers, outcome assessors, analysts)'),
    ('20b', 'Methods', 'Blinding',
     'If blinded, how, and how similar the interventions were'),
    ('21a', 'Methods', 'Statistical methods',
     'Methods comparing groups for primary and secondary outcomes, harms included'),
    ('21b', 'Methods', 'Statistical methods',
     'Who is included in each analysis and in which group'),
    ('21c', 'Methods', 'Statistical methods',
     'How missing data were handled'),
    ('21d', 'Methods', 'Statistical methods',
     'Additional analyses (subgroup, sensitivity), prespecified or post hoc'),
    ('22a', 'Results', 'Participant flow, including flow diagram',
     'Per group: numbers randomised, receiving the intended intervention, and analysed for the primary outcome'),
    ('22b', 'Results', 'Participant flow, including flow diagram',
     'Per group: losses and exclusions after randomisation, with reasons'),
    ('23a', 'Results', 'Recruitment',
     'Dates of recruitment and of follow-up for benefits and harms'),
    ('23b', 'Results', 'Recruitment',
     'If relevant, why the trial ended or was stopped'),
    ('24a', 'Results', 'Intervention and comparator delivery',
     'How intervention and comparator were actually delivered, including adherence and fidelity'),
    ('24b', 'Results', 'Intervention and comparator delivery',
     'Concomitant care received in each group'),
    ('25', 'Results', 'Baseline data',
     'A table of baseline demographic and clinical characteristics per group'),
    ('26', 'Results', 'Numbers analysed, outcomes and estimation',
     'Per outcome and group: numbers analysed and with data, results, effect estimate with its precision (absolute and relative for binary outcomes)'),
    ('27', 'Results', 'Harms',
     'All important harms or unintended effects in each group'),
    ('28', 'Results', 'Ancillary analyses',
     'Other analyses (subgroup, sensitivity), prespecified or post hoc'),
    ('29', 'Discussion', 'Interpretation',
     'Interpretation consistent with the results, weighing benefits and harms and other evidence'),
    ('30', 'Discussion', 'Limitations',
     'Limitations: bias, imprecision, generalisability and, if relevant, multiplicity'),)
"""(number, section, topic, paraphrase) of every CONSORT 2025 item, in checklist order."""

STATUSES = ("yes", "partly", "no", "na")
STATUS_LABELS = {"yes": "Reported", "partly": "Partly reported", "no": "Not reported", "na": "Not applicable",
                 "": "Not assessed"}
_NUMBERS = [n for n, *_ in ITEMS]


def items() -> pd.DataFrame:
    """The checklist: number, section, topic, paraphrase (42 rows for 30 items)."""
    return pd.DataFrame(list(ITEMS), columns=["number", "section", "topic", "paraphrase"])


@dataclass(frozen=True)
class Entry:
    reported: str
    where: str = ""
    comment: str = ""


@dataclass(frozen=True)
class Checklist:
    study: str
    entries: dict
    publication: str = ""
    path: Path | None = field(default=None, compare=False)


def _status(value, where: str) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, str) and value.strip().lower() in STATUSES:
        return value.strip().lower()
    raise AppraisalError(f"{where}: 'reported' must be one of {', '.join(STATUSES)}, got {value!r}")


def load(path) -> Checklist:
    """Read and validate a filled checklist (a path, or a file name in ``data/appraisal/``)."""
    content, path = read_yaml(path)
    where = str(path)
    check_keys(where, content, {"study", "items"}, {"publication"})
    study = check_study(content["study"], where)
    raw = content["items"]
    if not isinstance(raw, dict) or not raw:
        raise AppraisalError(f"{where}: 'items' must map item numbers (\"1a\", \"2\", ...) to entries")
    entries = {}
    for number, entry in raw.items():
        number = str(number)
        item = f"{where}: item {number}"
        if number not in _NUMBERS:
            raise AppraisalError(f"{item}: not a CONSORT 2025 item; items: {', '.join(_NUMBERS)}")
        if not isinstance(entry, dict):
            raise AppraisalError(f"{item}: must be a mapping with 'reported' (and optional 'where', 'comment')")
        check_keys(item, entry, {"reported"}, {"where", "comment"})
        entries[number] = Entry(_status(entry["reported"], item), str(entry.get("where") or ""),
                                str(entry.get("comment") or ""))
    return Checklist(study, entries, str(content.get("publication") or ""), path)


def report(checklist: Checklist) -> pd.DataFrame:
    """Every item with its filled status: number, section, topic, paraphrase, reported, status, where, comment."""
    frame = items()
    got = [checklist.entries.get(n) for n in frame["number"]]
    frame["reported"] = [e.reported if e else "" for e in got]
    frame["status"] = frame["reported"].map(STATUS_LABELS)
    frame["where"] = [e.where if e else "" for e in got]
    frame["comment"] = [e.comment if e else "" for e in got]
    return frame


def summary(checklist: Checklist) -> pd.DataFrame:
    """Number of items per status (every status listed, zeros included)."""
    counts = report(checklist)["status"].value_counts()
    labels = [STATUS_LABELS[s] for s in (*STATUSES, "")]
    return pd.DataFrame({"status": labels, "items": [int(counts.get(lb, 0)) for lb in labels]})

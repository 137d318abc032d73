"""The four studies side by side: their publications, a timeline and a table of their designs.

Everything comes from ``data/``: the citation of each study in ``datapackage.json`` (journal and
year), its ``design.csv`` rows (question, phase, setting, allocation, endpoints, blinding, sponsor,
enrolment period) and its ``populations.csv`` (the number randomised per arm). Where a publication
gives nothing for a feature the table says so rather than leaving a blank.
"""

from __future__ import annotations

import re

import pandas as pd

from trialkit import _check, data
from trialkit.trials import SOURCES, month_years

# The population whose size per arm is "the number randomised", and whether the study randomised at all.
RANDOMISED_POPULATION = {study: source.population for study, source in SOURCES.items()}
# Patients outside that comparison: randomised in another stratum (E1910's MRD-positive patients under
# the original protocol) or assigned without randomisation (after E1910's protocol amendment).
# study -> (population in populations.csv, how the table names these patients)
OTHER_RANDOMISED = {"e1910": ("mrd_pos_randomized", "MRD-positive patients randomised under the original protocol "
                                                    "(later all moved to the blinatumomab group)")}
OTHER_ASSIGNED = {"e1910": ("mrd_pos_assigned", "later MRD-positive patients assigned blinatumomab without "
                                                "randomisation after a protocol amendment")}
ANALYSED_POPULATION = {"topp2021": "all_treated"}  # a pooled analysis of single-arm studies

NOT_STATED = "not described in the article"
_CITATION = re.compile(r"\.\s+(?P<journal>[A-Z][A-Za-z ]+?)\s+(?P<year>(?:19|20)\d\d);(?P<volume>\d+):(?P<pages>[\d-]+)\.?\s*$")


def _study(study: str) -> str:
    return _check.choice("study", study, data.studies())


def publication(study: str) -> dict:
    """Journal, year, volume and pages of ``study``'s publication, parsed from its citation."""
    info = data.study_info(_study(study))
    m = _CITATION.search(info["citation"])
    if m is None:
        raise ValueError(f"citation of {study!r} does not end in 'Journal YYYY;volume:pages': {info['citation']!r}")
    return {"study": study, "label": info["label"], "journal": m["journal"], "year": int(m["year"]),
            "volume": m["volume"], "pages": m["pages"], "source": info["source"]}


def _items(study: str, item: str) -> list[str]:
    design = data.load(study, "design")
    return list(design.loc[design["item"] == item, "value"])


def _joined(study: str, item: str, default: str = NOT_STATED) -> str:
    values = _items(study, item)
    return " ".join(v if v.rstrip().endswith(".") else v + "." for v in values) if values else default


def population_n(study: str, population: str, arm: str = "overall") -> int:
    """Patients in ``population`` (an analysis population of ``study``'s populations table) and ``arm``."""
    pops = data.load(_study(study), "populations")
    hit = pops[(pops["population"] == population) & (pops["arm"] == arm)]
    if len(hit) != 1 or hit["n"].isna().iloc[0]:
        raise ValueError(f"data/{study}/populations.csv has no number of patients for population {population!r}, "
                         f"arm {arm!r}")
    return int(hit["n"].iloc[0])


def randomised_n(study: str) -> dict[str, int] | None:
    """Patients randomised per arm in the comparison the publication reports (arm label -> n), or None
    when the study randomised no one. E1910 also randomised MRD-positive patients under its original
    protocol: see :func:`outside_comparison` and :func:`total_randomised`."""
    study = _study(study)
    population = RANDOMISED_POPULATION.get(study)
    if population is None:
        return None
    info = data.study_info(study)
    pops = data.load(study, "populations")
    rows = pops[pops["population"] == population].set_index("arm")["n"]
    return {info["arms"][arm]: int(rows[arm]) for arm in (info["experimental"], info["control"])}


def _population_total(study: str, population: str) -> int:
    pops = data.load(study, "populations")
    rows = pops[pops["population"] == population]
    if rows.empty:
        raise ValueError(f"{study}/populations.csv has no row for population {population!r}")
    overall = rows[rows["arm"] == "overall"]
    return int((overall if not overall.empty else rows)["n"].sum())


def outside_comparison(study: str) -> dict[str, int]:
    """Patients outside the randomised comparison the publication reports: ``randomised`` (randomised
    in another stratum, e.g. E1910's MRD-positive patients under the original protocol) and
    ``assigned`` (assigned a treatment without randomisation); 0 when there are none."""
    study = _study(study)
    return {"randomised": _population_total(study, OTHER_RANDOMISED[study][0]) if study in OTHER_RANDOMISED else 0,
            "assigned": _population_total(study, OTHER_ASSIGNED[study][0]) if study in OTHER_ASSIGNED else 0}


def total_randomised(study: str) -> int | None:
    """Every patient randomised in the study: the reported comparison plus any patients randomised in
    another stratum (E1910: 224 MRD-negative + 44 MRD-positive); None when no one was randomised."""
    n = randomised_n(study)
    return None if n is None else sum(n.values()) + outside_comparison(study)["randomised"]


def _arms(study: str) -> str:
    info = data.study_info(study)
    n = randomised_n(study)
    if n is None:
        pops = data.load(study, "populations").set_index("population")
        total = int(pops.loc[ANALYSED_POPULATION[study], "n"])
        studies = " and ".join(info["arms"].values())
        return f"No control arm; single-arm blinatumomab in each study: {studies}; {total} patients pooled."
    text = " vs ".join(n)
    out = outside_comparison(study)
    parts = []
    if out["randomised"]:
        parts.append(f"{out['randomised']} {OTHER_RANDOMISED[study][1]}")
    if out["assigned"]:
        parts.append(f"{out['assigned']} {OTHER_ASSIGNED[study][1]}")
    if parts:
        text += ". Outside the reported comparison: " + "; ".join(parts)
    return text + "."


def design_table(studies=None) -> pd.DataFrame:
    """The designs side by side: one row per feature (publication, phase, setting, arms, allocation,
    randomised per arm, primary endpoint, blinding, sponsor), one column per study label."""
    studies = data.studies() if studies is None else [_study(s) for s in studies]
    columns = {}
    for s in studies:
        pub = publication(s)
        n = randomised_n(s)
        if n is None:
            randomised = "not randomised (single-arm studies)"
        else:
            randomised = " vs ".join(f"{v}" for v in n.values()) + f" (total {sum(n.values())})"
            other = outside_comparison(s)["randomised"]
            if other:
                randomised += (f" in the reported comparison; {other} more randomised under the original protocol, "
                               f"{total_randomised(s)} randomised in all")
        allocation = _joined(s, "allocation_ratio") if n is not None else "not applicable (no randomisation)"
        columns[pub["label"]] = {
            "Publication": f"{pub['journal']} {pub['year']}",
            "Phase and type": _joined(s, "phase"),
            "Setting": _joined(s, "setting"),
            "Arms": _arms(s),
            "Allocation": allocation,
            "Randomised per arm (reported comparison)": randomised,
            "Primary endpoint": _joined(s, "primary_endpoint"),
            "Blinding": _joined(s, "blinding"),
            "Sponsor": _joined(s, "sponsor"),
        }
    table = pd.DataFrame(columns)
    table.index.name = "Design feature"
    return table.reset_index()


def enrolment_window(study: str) -> tuple[float, float, str] | None:
    """First and last month-year the ``enrolment_period`` row gives, as decimal years (the start of
    the month), with the row's text; None when the study has no such row or it gives no dates."""
    values = _items(_study(study), "enrolment_period")
    if not values:
        return None
    dates = month_years(values[0])
    if len(dates) < 2:
        return None
    start, end = min(dates), max(dates)
    return start[0] + (start[1] - 1) / 12, end[0] + (end[1] - 1) / 12, values[0]


def timeline(studies=None) -> pd.DataFrame:
    """One row per study in order of publication: label, journal, year, question, and the enrolment
    window where the article gives one (``enrol_start``/``enrol_end`` as decimal years, else NaN)."""
    studies = data.studies() if studies is None else [_study(s) for s in studies]
    rows = []
    for s in studies:
        pub = publication(s)
        window = enrolment_window(s)
        question = _items(s, "question")
        rows.append({"study": s, "label": pub["label"], "journal": pub["journal"], "year": pub["year"],
                     "question": question[0] if question else NOT_STATED,
                     "enrol_start": window[0] if window else float("nan"),
                     "enrol_end": window[1] if window else float("nan"),
                     "enrolment": window[2] if window else "not given in the article"})
    frame = pd.DataFrame(rows)
    return frame.sort_values(["year", "label"], kind="stable").reset_index(drop=True)

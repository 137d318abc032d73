"""Shared plumbing of the appraisal tools: the error type, the folder of filled forms, YAML loading,
study checks and references to data rows.

A *reference* names one printed number of ``data/``:

- ``"<table>:<id>"`` — a row of an observation table of the study, e.g. ``"survival:os_hr"``,
  ``"flow:treated_blinatumomab"``, ``"transplant:allo_sct_chemotherapy"``;
- ``"populations:<population>/<arm>"`` — the size of an analysis population in one arm, e.g.
  ``"populations:itt/blinatumomab"``.

The study is given separately (each form belongs to one study).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from trialkit import _yamlfile, data

APPRAISAL_DIR = data.DATA_DIR / "appraisal"
EXAMPLE_STUDY = "example"
"""The study key of teaching illustrations: a hypothetical trial with no data behind it."""

_REF = re.compile(r"^(?P<table>[a-z_]+):(?P<key>[a-z0-9_]+(?:/[a-z0-9_]+)?)$")


class AppraisalError(ValueError):
    """A filled appraisal form (or a reference in it) that cannot be used; the message names the
    file, the item and what is allowed."""


def find(path: str | Path) -> Path:
    """``path`` as given if it exists, else the same name inside ``data/appraisal/``."""
    path = Path(path)
    if path.exists() or path.is_absolute():
        return path
    return APPRAISAL_DIR / path


def read_yaml(path: str | Path) -> tuple[dict, Path]:
    """The mapping stored in a YAML file (errors name the file)."""
    path = find(path)
    return _yamlfile.read(path, AppraisalError, "appraisal", kind=dict, name="file"), path


def check_keys(where: str, mapping: dict, required: set[str], optional: set[str] = frozenset()) -> None:
    missing = sorted(required - set(mapping))
    if missing:
        raise AppraisalError(f"{where}: missing key(s) {missing}")
    unknown = sorted(set(mapping) - required - set(optional))
    if unknown:
        raise AppraisalError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(required | set(optional))}")


def check_study(study, where: str, *, allow_example: bool = True) -> str:
    """``study`` must be a study of ``data/`` (or ``"example"`` for a teaching illustration)."""
    known = data.studies()
    allowed = known + ([EXAMPLE_STUDY] if allow_example else [])
    if not isinstance(study, str) or study not in allowed:
        raise AppraisalError(f"{where}: unknown study {study!r}; known studies: {', '.join(allowed)}")
    return study


@dataclass(frozen=True)
class Value:
    """One resolved reference: the number (``value``), the text as printed, and its context."""

    ref: str
    value: float
    printed: str
    statistic: str
    unit: str
    denominator: float | None = None
    percent: str = ""
    note: str = ""


def parse_ref(ref, where: str) -> tuple[str, str]:
    if not isinstance(ref, str) or not _REF.match(ref.strip()):
        raise AppraisalError(f"{where}: reference {ref!r} must look like 'table:id' (e.g. 'survival:os_hr') "
                             "or 'populations:<population>/<arm>'")
    m = _REF.match(ref.strip())
    return m["table"], m["key"]


def resolve(study: str, ref: str, where: str = "reference") -> Value:
    """The data row (or population size) that ``ref`` names in ``study``; a clear error if it does not exist."""
    table, key = parse_ref(ref, where)
    if study == EXAMPLE_STUDY:
        raise AppraisalError(f"{where}: the study {EXAMPLE_STUDY!r} is a teaching illustration with no data; "
                             f"it cannot refer to {ref!r}")
    if table not in data.tables(study):
        raise AppraisalError(f"{where}: reference {ref!r}: study {study!r} has no table {table!r} "
                             f"(tables: {', '.join(data.tables(study))})")
    if table == "populations":
        if "/" not in key:
            raise AppraisalError(f"{where}: reference {ref!r}: a population needs 'populations:<population>/<arm>'")
        population, arm = key.split("/", 1)
        frame = data.load(study, "populations")
        match = frame[(frame["population"] == population) & (frame["arm"] == arm)]
        if match.empty:
            raise AppraisalError(f"{where}: reference {ref!r}: no population {population!r} with arm {arm!r} "
                                 f"in {study}/populations.csv")
        n = match.iloc[0]["n"]
        if n is None or (isinstance(n, float) and math.isnan(n)) or str(n) == "<NA>":
            raise AppraisalError(f"{where}: reference {ref!r}: the size of this population is not printed")
        return Value(ref=ref, value=float(n), printed=str(int(n)), statistic="count", unit="patients",
                     note=str(match.iloc[0]["description"]))
    if "/" in key:
        raise AppraisalError(f"{where}: reference {ref!r}: only populations take '<population>/<arm>'")
    frame = data.load(study, table)
    match = frame[frame["id"] == key]
    if match.empty:
        raise AppraisalError(f"{where}: reference {ref!r}: no row with id {key!r} in {study}/{table}.csv")
    row = match.iloc[0]
    den = row["denominator"]
    den = None if den is None or str(den) == "<NA>" else float(den)
    return Value(ref=ref, value=float(row["value_num"]), printed=str(row["value"]), statistic=str(row["statistic"]),
                 unit=str(row["unit"]), denominator=den, percent=str(row["percent"]), note=str(row["note"]))

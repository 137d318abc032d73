"""Load and validate the extracted tables in ``data/``.

``load(study, table)`` returns a validated DataFrame; ``studies()`` and ``tables(study)`` list what
exists. Every load checks the file against its Frictionless Table Schema (``data/datapackage.json``)
and the cross-checks the schema lists (``trialkit:checks``): percents agree with count/denominator to
the printed precision, counts do not exceed denominators, intervals contain their estimates, the
categories of an exhaustive characteristic sum to the arm's size, arms and populations exist, and each
printed number appears in its quotation. A problem raises :class:`DataError` naming the file, the line
and the column; nothing is returned half-loaded.

Maintainer command::

    python -m trialkit.data check-quotes DIR   # every quote is found in the source texts in DIR
    python -m trialkit.data validate           # load every table
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
from functools import lru_cache
from pathlib import Path

import pandas as pd

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
PACKAGE = "datapackage.json"
NUMERIC_COLUMNS = ("value", "percent", "ci_low", "ci_high")
BOUNDS = ("<", ">", "≤", "≥")
SHARED_ARMS = ("overall", "comparison")


class DataError(ValueError):
    """A data file, row or column that breaks the schema or a cross-check."""


# --- the package description ---------------------------------------------------------------------


@lru_cache(maxsize=8)
def _package(data_dir: Path) -> dict:
    path = data_dir / PACKAGE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{path}: data package description not found") from None
    except json.JSONDecodeError as err:
        raise DataError(f"{path}: not valid JSON ({err})") from None


@lru_cache(maxsize=16)
def _schema(data_dir: Path, rel: str) -> dict:
    return json.loads((data_dir / rel).read_text(encoding="utf-8"))


def _resource(study: str, table: str, data_dir: Path) -> dict:
    pkg = _package(data_dir)
    if study not in pkg["studies"]:
        raise DataError(f"unknown study {study!r}; known studies: {', '.join(pkg['studies'])}")
    for res in pkg["resources"]:
        if res["trialkit:study"] == study and res["trialkit:table"] == table:
            return res
    raise DataError(f"unknown table {table!r} for study {study!r}; known tables: {', '.join(tables(study, data_dir))}")


def studies(data_dir: Path = DATA_DIR) -> list[str]:
    """The study keys, in the order of the data package."""
    return list(_package(Path(data_dir))["studies"])


def study_info(study: str, data_dir: Path = DATA_DIR) -> dict:
    """Label, citation, DOI, bib key and arms of a study."""
    pkg = _package(Path(data_dir))
    if study not in pkg["studies"]:
        raise DataError(f"unknown study {study!r}; known studies: {', '.join(pkg['studies'])}")
    return pkg["studies"][study]


def tables(study: str, data_dir: Path = DATA_DIR) -> list[str]:
    """The tables that exist for ``study``."""
    pkg = _package(Path(data_dir))
    if study not in pkg["studies"]:
        raise DataError(f"unknown study {study!r}; known studies: {', '.join(pkg['studies'])}")
    return [r["trialkit:table"] for r in pkg["resources"] if r["trialkit:study"] == study]


def schema(name: str, data_dir: Path = DATA_DIR) -> dict:
    """A Table Schema by name: observations, design, populations, copy_check."""
    return _schema(Path(data_dir), f"schemas/{name}.json")


# --- parsing helpers -----------------------------------------------------------------------------


def parse_number(text: str) -> tuple[str, float]:
    """Split a printed number into its bound and value: ``"<0.001" -> ("<", 0.001)``."""
    text = text.strip()
    bound = text[0] if text[:1] in BOUNDS else ""
    return bound, float(text[len(bound):])


def _limit(text: str | None, not_reached: float) -> float | None:
    if not text:
        return None
    return not_reached if text == "NR" else float(text)


def decimals(text: str) -> int:
    """Number of decimals printed: ``decimals("7.70") == 2``."""
    text = text.strip().lstrip("".join(BOUNDS))
    return len(text.split(".", 1)[1]) if "." in text else 0


_WS = re.compile(r"\s+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_BOUND_SPACE = re.compile(r"([<>≤≥])\s+(?=[\d.])")


def normalise_text(text: str) -> str:
    """Whitespace folded, minus signs unified, thousands separators and spaces after bounds removed."""
    text = text.replace("\u2212", "-").replace("\u2013", "-").replace("\u00a0", " ")
    text = _WS.sub(" ", text)
    text = _BOUND_SPACE.sub(r"\1", text)
    return _THOUSANDS.sub("", text).strip()


def number_in_text(number: str, text: str) -> bool:
    """Is the printed ``number`` in ``text`` as a whole number (not the inside of a longer one)?"""
    pattern = r"(?<![\d.])" + re.escape(number) + r"(?![\d]|\.\d)"
    return re.search(pattern, text) is not None


# --- validation ----------------------------------------------------------------------------------


class _Where:
    def __init__(self, path: Path, data_dir: Path):
        try:
            self.file = str(path.relative_to(data_dir.parent))
        except ValueError:
            self.file = str(path)

    def error(self, line: int | None, column: str | None, message: str) -> DataError:
        where = self.file
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column '{column}'"
        return DataError(f"{where}: {message}")


def _read_csv(path: Path, where: _Where, fields: list[str]) -> list[dict]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise where.error(None, None, "file not found") from None
    except UnicodeDecodeError as err:
        raise where.error(None, None, f"not UTF-8 ({err})") from None
    reader = csv.reader(text.splitlines())
    try:
        header = next(reader)
    except StopIteration:
        raise where.error(None, None, "empty file (no header)") from None
    missing = [f for f in fields if f not in header]
    if missing:
        raise where.error(1, missing[0], f"missing column(s) {missing}; expected header {fields}")
    extra = [h for h in header if h not in fields]
    if extra:
        raise where.error(1, extra[0], f"unexpected column(s) {extra}; expected header {fields}")
    rows = []
    for line, values in enumerate(reader, start=2):
        if len(values) != len(header):
            raise where.error(line, None, f"{len(values)} cells, header has {len(header)}")
        rows.append({"_line": line, **dict(zip(header, values))})
    return rows


def _check_field(value: str, field: dict, line: int, where: _Where):
    name, kind = field["name"], field["type"]
    c = field.get("constraints", {})
    if value == "":
        if c.get("required"):
            raise where.error(line, name, "required value is empty")
        return None
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", value):
            raise where.error(line, name, f"{value!r} is not an integer")
        out = int(value)
    elif kind == "number":
        try:
            out = float(value)
        except ValueError:
            raise where.error(line, name, f"{value!r} is not a number") from None
        if not math.isfinite(out):
            raise where.error(line, name, f"{value!r} is not a finite number")
    elif kind == "boolean":
        # trueValues / falseValues are field properties in the Table Schema specification
        true_values, false_values = field.get("trueValues", ["true"]), field.get("falseValues", ["false"])
        if value in true_values:
            out = True
        elif value in false_values:
            out = False
        else:
            raise where.error(line, name, f"{value!r} is not one of {true_values} / {false_values}")
    else:
        out = value
        if "pattern" in c and not re.fullmatch(c["pattern"], value):
            raise where.error(line, name, f"{value!r} does not match the pattern {c['pattern']}")
        if "enum" in c and value not in c["enum"]:
            raise where.error(line, name, f"{value!r} is not one of {c['enum']}")
        if "minLength" in c and len(value) < c["minLength"]:
            raise where.error(line, name, f"shorter than {c['minLength']} characters")
        if "maxLength" in c and len(value) > c["maxLength"]:
            raise where.error(line, name, f"{len(value)} characters, at most {c['maxLength']} allowed")
    if kind in ("integer", "number"):
        if "minimum" in c and out < c["minimum"]:
            raise where.error(line, name, f"{value} is below the minimum {c['minimum']}")
        if "maximum" in c and out > c["maximum"]:
            raise where.error(line, name, f"{value} is above the maximum {c['maximum']}")
    return out


def _typed_rows(path: Path, sch: dict, where: _Where) -> list[dict]:
    fields = sch["fields"]
    rows = _read_csv(path, where, [f["name"] for f in fields])
    typed = []
    seen: dict[tuple, int] = {}
    for raw in rows:
        line = raw["_line"]
        row = {"_line": line}
        for field in fields:
            row[field["name"]] = _check_field(raw[field["name"]], field, line, where)
        key = tuple(row[k] for k in sch.get("primaryKey", []))
        if key and key in seen:
            raise where.error(line, sch["primaryKey"][-1], f"duplicated key {key} (first on line {seen[key]})")
        seen[key] = line
        typed.append(row)
    return typed


def _populations(study: str, data_dir: Path) -> dict[tuple[str, str], int | None]:
    res = _resource(study, "populations", data_dir)
    path = data_dir / res["path"]
    rows = _typed_rows(path, _schema(data_dir, res["schema"]), _Where(path, data_dir))
    return {(r["population"], r["arm"]): r["n"] for r in rows}


def _check_observations(rows: list[dict], study: str, table: str, data_dir: Path, where: _Where) -> None:
    info = study_info(study, data_dir)
    arms = set(info["arms"]) | set(SHARED_ARMS)
    pops = _populations(study, data_dir) if table != "populations" else {}
    pop_names = {p for p, _ in pops}
    for r in rows:
        line = r["_line"]
        if r["study"] != study:
            raise where.error(line, "study", f"{r['study']!r} in the file of study {study!r}")
        if r["source"] != info["source"]:
            raise where.error(line, "source", f"{r['source']!r}; the source of {study} is {info['source']!r}")
        if r["arm"] not in arms:
            raise where.error(line, "arm", f"{r['arm']!r} is not an arm of {study} (allowed: {sorted(arms)})")
        if r["population"] not in pop_names:
            raise where.error(line, "population", f"{r['population']!r} is not defined in {study}/populations.csv")
        if r["arm"] not in SHARED_ARMS and (r["population"], r["arm"]) not in pops:
            raise where.error(line, "arm", f"population {r['population']!r} has no arm {r['arm']!r} in {study}/populations.csv")
        if (r["arm"] == "comparison") != bool(r["comparison"]):
            raise where.error(line, "comparison", "must be filled exactly when arm is 'comparison'")
        flags = set((r["flags"] or "").split(";")) - {""}
        normal_quote = normalise_text(r["quote"])
        for col in NUMERIC_COLUMNS:
            if r[col] == "NR":
                if "not reached" not in normal_quote.lower() and "NR" not in normal_quote:
                    raise where.error(line, col, f"'NR' (not reached) but the quote does not say so: {r['quote']!r}")
            elif r[col] and not number_in_text(normalise_text(r[col]), normal_quote):
                raise where.error(line, col, f"printed number {r[col]!r} does not appear in the quote {r['quote']!r}")
        bound, value = parse_number(r["value"])
        r["bound"], r["value_num"] = bound, value
        r["percent_num"] = parse_number(r["percent"])[1] if r["percent"] else None
        if bool(r["ci_low"]) != bool(r["ci_high"]):
            raise where.error(line, "ci_high" if r["ci_low"] else "ci_low", "an interval needs both limits ('NR' for not reached)")
        r["ci_low_num"] = _limit(r["ci_low"], -math.inf)
        r["ci_high_num"] = _limit(r["ci_high"], math.inf)
        if r["ci_low"] and r["ci_level"] is None:
            raise where.error(line, "ci_level", "an interval needs its level")
        if r["statistic"] == "count":
            if r["denominator"] is not None and not bound and value > r["denominator"]:
                raise where.error(line, "value", f"count {r['value']} is larger than its denominator {r['denominator']}")
            if r["percent"] and r["denominator"] and not bound:
                exact = 100 * value / r["denominator"]
                tolerance = 0.5 * 10 ** (-decimals(r["percent"])) + 1e-9
                agrees = abs(exact - r["percent_num"]) <= tolerance
                if not agrees and "pct_mismatch" not in flags:
                    raise where.error(line, "percent", f"{r['percent']} disagrees with {r['value']}/{r['denominator']} = {exact:.3f} %"
                                      " (if the publication prints it so, flag the row pct_mismatch)")
                if agrees and "pct_mismatch" in flags:
                    raise where.error(line, "flags", f"pct_mismatch is set but {r['percent']} agrees with {r['value']}/{r['denominator']}")
        if r["statistic"] == "count":
            centre = r["percent_num"] if r["percent"] and not r["percent"].startswith(BOUNDS) else None
        else:
            centre = None if bound else value
        if r["ci_low"] and centre is not None and not (r["ci_low_num"] <= centre <= r["ci_high_num"]):
            raise where.error(line, "ci_low", f"interval {r['ci_low']} to {r['ci_high']} does not contain {centre}")
        if r["time"] is not None and not r["time_unit"]:
            raise where.error(line, "time_unit", "a time point needs its unit")
    # Table 1 describes whole arms: there the categories must add up to the arm's size.
    _check_exhaustive(rows, pops if table == "baseline" else {}, where)


def _check_exhaustive(rows: list[dict], pops: dict, where: _Where) -> None:
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        if r["exhaustive"]:
            if r["statistic"] != "count" or r["denominator"] is None:
                raise where.error(r["_line"], "exhaustive", "only counts with a denominator can be exhaustive")
            groups.setdefault((r["characteristic"], r["arm"], r["population"]), []).append(r)
    for (characteristic, arm, population), group in groups.items():
        dens = {r["denominator"] for r in group}
        first = group[0]["_line"]
        if len(dens) > 1:
            raise where.error(first, "denominator", f"categories of {characteristic!r} ({arm}) have different denominators {sorted(dens)}")
        den = dens.pop()
        total = sum(r["value_num"] for r in group)
        flagged = any("sum_mismatch" in (r["flags"] or "") for r in group)
        if total != den and not flagged:
            raise where.error(first, "value", f"categories of {characteristic!r} ({arm}, {population}) sum to {total:g}, not {den}"
                              " (if the publication prints it so, flag the rows sum_mismatch)")
        if total == den and flagged:
            raise where.error(first, "flags", f"sum_mismatch is set but {characteristic!r} ({arm}) sums to {den}")
        size = pops.get((population, arm))
        if size is not None and den != size:
            raise where.error(first, "denominator", f"{characteristic!r} ({arm}) is out of {den}, but population {population!r} has {size} in {arm}")


def _check_populations(rows: list[dict], study: str, data_dir: Path, where: _Where) -> None:
    info = study_info(study, data_dir)
    arms = set(info["arms"]) | {"overall"}
    for r in rows:
        if r["study"] != study:
            raise where.error(r["_line"], "study", f"{r['study']!r} in the file of study {study!r}")
        if r["arm"] not in arms:
            raise where.error(r["_line"], "arm", f"{r['arm']!r} is not an arm of {study} (allowed: {sorted(arms)})")
        if r["source"] != info["source"]:
            raise where.error(r["_line"], "source", f"{r['source']!r}; the source of {study} is {info['source']!r}")
        if r["n"] is not None and not number_in_text(str(r["n"]), normalise_text(r["quote"])):
            raise where.error(r["_line"], "n", f"{r['n']} does not appear in the quote {r['quote']!r}")


def _check_design(rows: list[dict], study: str, data_dir: Path, where: _Where) -> None:
    info = study_info(study, data_dir)
    for r in rows:
        if r["study"] != study:
            raise where.error(r["_line"], "study", f"{r['study']!r} in the file of study {study!r}")
        if r["source"] != info["source"]:
            raise where.error(r["_line"], "source", f"{r['source']!r}; the source of {study} is {info['source']!r}")


def _load_uncached(study: str, table: str, data_dir: Path) -> pd.DataFrame:
    res = _resource(study, table, data_dir)
    path = data_dir / res["path"]
    where = _Where(path, data_dir)
    sch = _schema(data_dir, res["schema"])
    rows = _typed_rows(path, sch, where)
    if res["schema"].endswith("observations.json"):
        _check_observations(rows, study, table, data_dir, where)
    elif table == "populations":
        _check_populations(rows, study, data_dir, where)
    elif table == "design":
        _check_design(rows, study, data_dir, where)
    return _frame(rows, sch)


def _frame(rows: list[dict], sch: dict) -> pd.DataFrame:
    """Rows to a DataFrame with the schema's types: strings ('' when empty), Int64, float64, bool."""
    frame = pd.DataFrame(rows).drop(columns="_line", errors="ignore")
    for field in sch["fields"]:
        col, kind = field["name"], field["type"]
        if kind == "integer":
            frame[col] = frame[col].astype("Int64")
        elif kind == "number":
            frame[col] = frame[col].astype("float64")
        elif kind == "boolean":
            frame[col] = pd.Series([v is True for v in frame[col]], index=frame.index, dtype=bool)
        else:
            frame[col] = pd.Series(["" if v is None else str(v) for v in frame[col]], index=frame.index, dtype=object)
    return frame


@lru_cache(maxsize=128)
def _load_cached(study: str, table: str, data_dir: Path, stamp: float) -> pd.DataFrame:
    return _load_uncached(study, table, data_dir)


def load(study: str, table: str, data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """The validated table ``table`` of ``study`` (a copy: change it freely).

    Observation tables keep every printed number as printed (``value``, ``percent``, ``ci_low``,
    ``ci_high``, strings) and add ``bound``, ``value_num``, ``percent_num``, ``ci_low_num``,
    ``ci_high_num`` for computing.
    """
    data_dir = Path(data_dir).resolve()
    res = _resource(study, table, data_dir)
    path = data_dir / res["path"]
    stamp = path.stat().st_mtime if path.exists() else 0.0
    return _load_cached(study, table, data_dir, stamp).copy()


def load_all(table: str, data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """One table across every study that has it."""
    data_dir = Path(data_dir).resolve()
    frames = [load(s, table, data_dir) for s in studies(data_dir) if table in tables(s, data_dir)]
    if not frames:
        raise DataError(f"no study has a table {table!r}")
    records = [rec for f in frames for rec in f.to_dict("records")]
    return pd.DataFrame.from_records(records, columns=frames[0].columns).astype(frames[0].dtypes.to_dict())


def row(study: str, table: str, id: str, data_dir: Path | str = DATA_DIR) -> pd.Series:
    """One row by its id (raises DataError naming the id when absent)."""
    frame = load(study, table, data_dir)
    match = frame[frame["id"] == id]
    if match.empty:
        raise DataError(f"no row with id {id!r} in {study}/{table}.csv")
    return match.iloc[0]


def validate_all(data_dir: Path | str = DATA_DIR) -> dict[tuple[str, str], int]:
    """Load every table of every study; returns the row count of each."""
    data_dir = Path(data_dir).resolve()
    counts = {}
    for res in _package(data_dir)["resources"]:
        counts[(res["trialkit:study"], res["trialkit:table"])] = len(load(res["trialkit:study"], res["trialkit:table"], data_dir))
    listed = {str(Path(r["path"])) for r in _package(data_dir)["resources"]}
    on_disk = {str(p.relative_to(data_dir)) for p in data_dir.glob("*/*.csv") if p.parent.name != "schemas"}
    if on_disk - listed:
        raise DataError(f"{data_dir / PACKAGE}: CSV files not listed as resources: {sorted(on_disk - listed)}")
    return counts


# --- the data dictionary ---------------------------------------------------------------------------


def field_table(name: str, data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """The fields of a schema as a table: field, type, required, constraints, description."""
    sch = schema(name, Path(data_dir))
    rows = []
    for f in sch["fields"]:
        c = dict(f.get("constraints", {}))
        required = c.pop("required", False)
        parts = []
        if "enum" in c:
            parts.append("one of: " + ", ".join(c.pop("enum")))
        for key, label in (("minimum", "≥"), ("maximum", "≤"), ("minLength", "length ≥"), ("maxLength", "length ≤")):
            if key in c:
                parts.append(f"{label} {c.pop(key)}")
        if "pattern" in c:
            parts.append(f"pattern {c.pop('pattern')}")
        rows.append({"field": f["name"], "type": f["type"], "required": "yes" if required else "",
                     "constraints": "; ".join(parts), "description": f["description"]})
    return pd.DataFrame(rows)


def inventory(data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """Every table of every study with its schema and number of rows (loading, hence validating, each)."""
    data_dir = Path(data_dir).resolve()
    rows = []
    for res in _package(data_dir)["resources"]:
        study, table = res["trialkit:study"], res["trialkit:table"]
        rows.append({"study": study, "table": table, "file": f"data/{res['path']}",
                     "schema": Path(res["schema"]).stem, "rows": len(load(study, table, data_dir))})
    return pd.DataFrame(rows)


# --- quotes against the source texts ----------------------------------------------------------


def check_quotes(source_dir: Path | str, data_dir: Path | str = DATA_DIR) -> list[str]:
    """Check every row's quote against the source texts in ``source_dir``.

    A text file is taken as the source of a study when it contains the study's DOI; a quote must be
    found (whitespace-normalised) in at least one of the study's source texts. Returns the problems,
    one line each (empty when all quotes are found).
    """
    source_dir, data_dir = Path(source_dir), Path(data_dir).resolve()
    texts = {p: normalise_text(p.read_text(encoding="utf-8", errors="replace")) for p in sorted(source_dir.glob("*.txt"))}
    problems = []
    pkg = _package(data_dir)
    for study, info in pkg["studies"].items():
        sources = [t for t in texts.values() if info["doi"].lower() in t.lower()]
        if not sources:
            problems.append(f"{study}: no source text in {source_dir} contains its DOI {info['doi']}")
            continue
        for res in pkg["resources"]:
            if res["trialkit:study"] != study or "quote" not in [f["name"] for f in _schema(data_dir, res["schema"])["fields"]]:
                continue
            frame = load(study, res["trialkit:table"], data_dir)
            for i, r in frame.iterrows():
                quote = normalise_text(r["quote"])
                if not any(quote in t for t in sources):
                    key = r.get("id", r.get("population"))
                    problems.append(f"data/{res['path']}, row {key!r}: quote not found in the source text: {r['quote'][:120]!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trialkit.data", description="Maintain the extracted data.")
    sub = parser.add_subparsers(dest="command", required=True)
    q = sub.add_parser("check-quotes", help="check every quote against a folder of source texts")
    q.add_argument("source_dir", type=Path)
    sub.add_parser("validate", help="load and validate every table")
    args = parser.parse_args(argv)
    try:
        counts = validate_all()
    except DataError as err:
        print(f"INVALID: {err}", file=sys.stderr)
        return 1
    if args.command == "validate":
        for (study, table), n in counts.items():
            print(f"{study:9s} {table:16s} {n:5d} rows")
        print(f"all {len(counts)} tables valid")
        return 0
    problems = check_quotes(args.source_dir)
    for p in problems:
        print(p, file=sys.stderr)
    n_rows = sum(counts.values())
    print(f"checked the quotes of {n_rows} rows in {len(counts)} tables: {len(problems)} not found")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""trialkit.data: every table loads and validates; corrupted input fails with one clear error."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from trialkit import data
from trialkit.data import DataError


def test_all_four_studies_load():
    assert data.studies() == ["tower", "inovate", "e1910", "topp2021"]
    counts = data.validate_all()
    for study in data.studies():
        for table in ("design", "populations", "baseline", "survival"):
            assert counts[(study, table)] > 0, f"{study}/{table} is empty"


def test_every_csv_is_a_resource_and_every_resource_exists():
    pkg = json.loads((data.DATA_DIR / "datapackage.json").read_text())
    listed = {r["path"] for r in pkg["resources"]}
    on_disk = {str(p.relative_to(data.DATA_DIR)) for p in data.DATA_DIR.glob("*/*.csv")}
    assert listed == on_disk


def test_loaded_frame_keeps_printed_values_and_adds_numbers():
    os_hr = data.load("tower", "survival")
    assert {"value", "value_num", "bound", "ci_low_num", "percent_num"} <= set(os_hr.columns)
    bounds = data.load_all("survival")
    p_bounds = bounds[bounds["bound"] != ""]
    assert (p_bounds["value"].str[0].isin(["<", ">", "≤", "≥"])).all()


def test_arm_sizes_agree_between_populations_and_flow():
    """The ITT sizes in populations.csv are the randomised counts of flow.csv (TOWER, INO-VATE)."""
    for study, arms in (("tower", ("blinatumomab", "chemotherapy")), ("inovate", ("inotuzumab", "standard"))):
        pops = data.load(study, "populations")
        flow = data.load(study, "flow")
        for arm in arms:
            n = int(pops[(pops.population == "itt") & (pops.arm == arm)]["n"].iloc[0])
            randomised = flow[(flow.arm == arm) & (flow.statistic == "count") & flow.characteristic.str.contains("andomi")]
            assert n in set(randomised["value_num"].astype(int)), f"{study} {arm}: ITT {n} not among randomised counts"


def test_unknown_study_and_table_are_named():
    with pytest.raises(DataError, match="unknown study 'towr'"):
        data.load("towr", "baseline")
    with pytest.raises(DataError, match="unknown table 'baseln' for study 'tower'"):
        data.load("tower", "baseln")
    with pytest.raises(DataError, match="no row with id 'nope'"):
        data.row("tower", "survival", "nope")


# --- corrupted copies ------------------------------------------------------------------------------

@pytest.fixture()
def copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(data.DATA_DIR, target)
    return target


def edit(path: Path, fn):
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    fn(rows)
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def first_count_row(rows, need_percent=True):
    h = rows[0]
    for i, r in enumerate(rows[1:], start=1):
        if r[h.index("statistic")] == "count" and r[h.index("denominator")] and (r[h.index("percent")] or not need_percent) and not r[h.index("flags")]:
            return i
    raise AssertionError("no count row")


def test_missing_column(copy):
    edit(copy / "tower/baseline.csv", lambda rows: [r.pop(rows[0].index("unit")) for r in rows[::-1]] and None)
    with pytest.raises(DataError, match=r"data/tower/baseline.csv, line 1, column 'unit': missing column"):
        data.load("tower", "baseline", copy)


def test_text_in_numeric_column(copy):
    def corrupt(rows):
        i = first_count_row(rows)
        rows[i][rows[0].index("denominator")] = "two hundred"
    edit(copy / "tower/baseline.csv", corrupt)
    with pytest.raises(DataError, match=r"data/tower/baseline.csv, line \d+, column 'denominator': 'two hundred' is not an integer"):
        data.load("tower", "baseline", copy)


def test_count_larger_than_denominator(copy):
    def corrupt(rows):
        h = rows[0]
        i = first_count_row(rows, need_percent=False)
        rows[i][h.index("denominator")] = "1"
        rows[i][h.index("percent")] = ""
        rows[i][h.index("exhaustive")] = ""
    edit(copy / "inovate/responses.csv", corrupt)
    with pytest.raises(DataError, match=r"data/inovate/responses.csv, line \d+, column 'value': count \d+ is larger than its denominator 1"):
        data.load("inovate", "responses", copy)


def test_percent_disagrees_with_count(copy):
    def corrupt(rows):
        h = rows[0]
        i = first_count_row(rows)
        value = rows[i][h.index("percent")]
        wrong = str(round(float(value) + 7.0, 1)) if "." in value else str(int(value) + 7)
        rows[i][h.index("percent")] = wrong
        rows[i][h.index("quote")] += f" {wrong}"
    edit(copy / "e1910/baseline.csv", corrupt)
    with pytest.raises(DataError, match=r"data/e1910/baseline.csv, line \d+, column 'percent': .* disagrees with"):
        data.load("e1910", "baseline", copy)


def test_duplicated_key(copy):
    edit(copy / "topp2021/prognostic.csv", lambda rows: rows.append(list(rows[1])))
    with pytest.raises(DataError, match=r"data/topp2021/prognostic.csv, line \d+, column 'id': duplicated key"):
        data.load("topp2021", "prognostic", copy)


def test_value_not_in_quote(copy):
    def corrupt(rows):
        h = rows[0]
        rows[1][h.index("quote")] = "a sentence without the number"
    edit(copy / "tower/survival.csv", corrupt)
    with pytest.raises(DataError, match=r"data/tower/survival.csv, line 2, column '\w+': printed number .* does not appear in the quote"):
        data.load("tower", "survival", copy)


def test_exhaustive_categories_must_sum(copy):
    def corrupt(rows):
        h = rows[0]
        for r in rows[1:]:
            if r[h.index("exhaustive")] == "true" and r[h.index("percent")] == "" and not r[h.index("flags")]:
                continue
        # drop one category of the first exhaustive characteristic
        for i, r in enumerate(rows[1:], start=1):
            if r[h.index("exhaustive")] == "true":
                del rows[i]
                return
    edit(copy / "tower/baseline.csv", corrupt)
    with pytest.raises(DataError, match=r"data/tower/baseline.csv, line \d+, column 'value': categories of .* sum to"):
        data.load("tower", "baseline", copy)


def test_unknown_arm(copy):
    edit(copy / "inovate/baseline.csv", lambda rows: rows[1].__setitem__(rows[0].index("arm"), "placebo"))
    with pytest.raises(DataError, match=r"line 2, column 'arm': 'placebo' is not an arm of inovate"):
        data.load("inovate", "baseline", copy)


def test_nothing_half_loaded(copy):
    """A failing load caches nothing: after the file is repaired the next load succeeds."""
    path = copy / "tower/flow.csv"
    good = path.read_text(encoding="utf-8")
    edit(path, lambda rows: rows[1].__setitem__(rows[0].index("value"), "many"))
    with pytest.raises(DataError, match="'many' does not match"):
        data.load("tower", "flow", copy)
    path.write_text(good, encoding="utf-8")
    assert len(data.load("tower", "flow", copy)) > 0


# --- quotes against source texts -------------------------------------------------------------------

def test_check_quotes_finds_missing_quote(tmp_path, copy):
    frame = data.load("topp2021", "survival", copy)
    info = data.study_info("topp2021", copy)
    sources = tmp_path / "sources"
    sources.mkdir()
    quotes = [q for q in frame["quote"] if q != frame["quote"].iloc[0]]
    text = f"doi:{info['doi']}\n" + "\n".join(quotes)
    (sources / "paper.txt").write_text(text, encoding="utf-8")
    problems = data.check_quotes(sources, copy)
    topp = [p for p in problems if "topp2021" in p]
    assert any(frame["id"].iloc[0] in p for p in topp), topp
    assert not any("/survival.csv" in p and frame["id"].iloc[0] not in p for p in topp)
    assert any(p.startswith("tower: no source text") for p in problems)


def test_normalise_text():
    assert data.normalise_text("P\u2009<  0.001,  n = 1,234 \u22120.5") == "P <0.001, n = 1234 -0.5"
    assert data.number_in_text("0.5", "HR 0.55") is False
    assert data.number_in_text("0.55", "HR 0.55 (95% CI") is True
    assert data.decimals("7.70") == 2 and data.decimals("<0.001") == 3 and data.decimals("12") == 0


# --- the official Frictionless validator ------------------------------------------------------------


def test_package_is_valid_by_the_official_frictionless_validator():
    # frictionless-py 5 checks the descriptor (Data Package and Table Schema specifications) and every
    # table against its schema; the project's own loader adds the cross-checks it cannot express
    import frictionless

    report = frictionless.validate(str(data.DATA_DIR / "datapackage.json"))
    problems = [e.message for e in report.errors] + [f"{t.name}: {e.message}" for t in report.tasks for e in t.errors]
    assert report.valid, problems[:10]
    assert len(report.tasks) == len(json.loads((data.DATA_DIR / "datapackage.json").read_text())["resources"])


def test_frictionless_rejects_boolean_values_inside_constraints(tmp_path):
    # the specification has trueValues / falseValues as field properties: inside constraints the
    # official validator rejects the package (so the test above can fail)
    import frictionless

    copy = tmp_path / "data"
    shutil.copytree(data.DATA_DIR, copy)
    path = copy / "schemas" / "observations.json"
    sch = json.loads(path.read_text())
    field = next(f for f in sch["fields"] if f["name"] == "exhaustive")
    field["constraints"] = {"trueValues": field.pop("trueValues"), "falseValues": field.pop("falseValues")}
    path.write_text(json.dumps(sch))
    report = frictionless.validate(str(copy / "datapackage.json"))
    assert not report.valid
    assert any("trueValues" in e.message for e in report.errors)


def test_loader_reads_boolean_values_from_the_field(tmp_path):
    # the loader follows the field-level trueValues / falseValues: an unknown spelling is an error
    # naming file, line and column, and "" reads as false (empty)
    copy = tmp_path / "data"
    shutil.copytree(data.DATA_DIR, copy)
    frame = data.load("tower", "baseline", copy)
    assert frame["exhaustive"].map(lambda v: v in (True, False, None) or v != v).all()
    assert frame["exhaustive"].eq(True).any()
    path = copy / "tower" / "baseline.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    i = next(k for k, line in enumerate(lines) if ",true," in line)
    lines[i] = lines[i].replace(",true,", ",yes,", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"baseline\.csv.*exhaustive.*'yes' is not one of \['true'\] / \['false', ''\]"):
        data.load("tower", "baseline", copy)

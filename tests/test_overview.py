"""trialkit.chapters.overview: publications, design table and timeline of the four studies, from data/."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from trialkit import data
from trialkit.chapters import overview

BIB = Path(__file__).resolve().parents[1] / "book" / "references.bib"


def _bib_years() -> dict[str, int]:
    text = BIB.read_text(encoding="utf-8")
    years = {}
    for key, body in re.findall(r"@\w+\{([^,]+),(.*?)\n\}", text, re.S):
        m = re.search(r"year\s*=\s*\{(\d{4})\}", body)
        if m:
            years[key.strip()] = int(m.group(1))
    return years


@pytest.mark.parametrize("study", data.studies())
def test_publication_year_matches_the_bibliography(study):
    pub = overview.publication(study)
    assert pub["year"] == _bib_years()[pub["source"]]
    assert pub["journal"] in ("N Engl J Med", "Cancer")


def test_publication_parses_journal_volume_pages():
    assert overview.publication("tower") == {
        "study": "tower", "label": "TOWER", "journal": "N Engl J Med", "year": 2017, "volume": "376",
        "pages": "836-47", "source": "kantarjian2017tower"}


@pytest.mark.parametrize("study,expected", [
    ("tower", {"Blinatumomab": 271, "Investigator's choice of chemotherapy": 134}),
    ("inovate", {"Inotuzumab ozogamicin": 164, "Standard intensive chemotherapy": 162}),
    ("e1910", {"Blinatumomab plus consolidation chemotherapy": 112, "Consolidation chemotherapy alone": 112}),
    ("topp2021", None),
])
def test_randomised_n(study, expected):
    assert overview.randomised_n(study) == expected


def test_randomised_n_sums_to_the_overall_population():
    for study, population in overview.RANDOMISED_POPULATION.items():
        pops = data.load(study, "populations")
        overall = pops[(pops["population"] == population) & (pops["arm"] == "overall")]["n"]
        assert sum(overview.randomised_n(study).values()) == int(overall.iloc[0])


def test_design_table_rows_columns_and_gaps():
    table = overview.design_table()
    assert list(table.columns) == ["Design feature", "TOWER", "INO-VATE ALL", "E1910", "Pooled phase 2 (long-term)"]
    assert list(table["Design feature"]) == ["Publication", "Phase and type", "Setting", "Arms", "Allocation",
                                             "Randomised per arm (reported comparison)", "Primary endpoint", "Blinding",
                                             "Sponsor"]
    t = table.set_index("Design feature")
    assert t.loc["Randomised per arm (reported comparison)", "TOWER"] == "271 vs 134 (total 405)"
    assert t.loc["Allocation", "TOWER"].startswith("2:1")
    assert t.loc["Blinding", "E1910"] == overview.NOT_STATED          # E1910's article does not describe blinding
    assert t.loc["Allocation", "Pooled phase 2 (long-term)"].startswith("not applicable")
    assert "259 patients pooled" in t.loc["Arms", "Pooled phase 2 (long-term)"]
    assert "Outside the reported comparison" in t.loc["Arms", "E1910"]
    assert "not randomised" not in t.loc["Arms", "E1910"]
    assert "Overall survival" in t.loc["Primary endpoint", "INO-VATE ALL"] and "CR/CRi" in t.loc["Primary endpoint", "INO-VATE ALL"]
    assert t.loc["Publication", "Pooled phase 2 (long-term)"] == "Cancer 2021"
    assert not (t == "").any().any()


def _population(study, population):
    """The overall row of a population, or its single arm row when it has no overall row."""
    rows = data.load(study, "populations").query("population == @population")
    overall = rows[rows["arm"] == "overall"]
    return int((overall if len(overall) else rows)["n"].iloc[0])


def test_e1910_randomised_mrd_positive_patients_too():
    """E1910 randomised the MRD-negative comparison and, under the original protocol, MRD-positive
    patients; later MRD-positive patients were assigned without randomisation."""
    mrd_neg = _population("e1910", "mrd_neg_randomized")
    mrd_pos = _population("e1910", "mrd_pos_randomized")
    assigned = _population("e1910", "mrd_pos_assigned")
    assert overview.outside_comparison("e1910") == {"randomised": mrd_pos, "assigned": assigned}
    assert overview.total_randomised("e1910") == mrd_neg + mrd_pos > mrd_neg
    cell = overview.design_table(["e1910"]).set_index("Design feature").loc["Randomised per arm (reported comparison)", "E1910"]
    assert f"total {mrd_neg}" in cell and f"{mrd_neg + mrd_pos} randomised in all" in cell
    arms = overview.design_table(["e1910"]).set_index("Design feature").loc["Arms", "E1910"]
    assert f"{mrd_pos} MRD-positive patients randomised" in arms and f"{assigned} later MRD-positive" in arms
    for study in ("tower", "inovate"):
        assert overview.outside_comparison(study) == {"randomised": 0, "assigned": 0}
        assert overview.total_randomised(study) == sum(overview.randomised_n(study).values())
    assert overview.total_randomised("topp2021") is None


def test_design_table_subset():
    table = overview.design_table(["e1910"])
    assert list(table.columns) == ["Design feature", "E1910"]


def test_enrolment_window_parses_month_years():
    start, end, _ = overview.enrolment_window("tower")
    assert (start, end) == (2014.0, pytest.approx(2015 + 8 / 12))
    start, end, text = overview.enrolment_window("inovate")
    assert start == pytest.approx(2012 + 7 / 12) and end == pytest.approx(2014 + 9 / 12)
    assert "47 more" in text                                   # the row says enrolment went on after its last date
    assert overview.enrolment_window("topp2021") is None


def test_timeline_is_in_publication_order():
    tl = overview.timeline()
    assert list(tl["study"]) == ["inovate", "tower", "topp2021", "e1910"]
    assert list(tl["year"]) == sorted(tl["year"])
    assert math.isnan(tl.set_index("study").loc["topp2021", "enrol_start"])
    assert (tl["question"].str.len() > 40).all()


def test_bad_study_is_rejected():
    with pytest.raises(ValueError, match="study must be one of"):
        overview.publication("remission")
    with pytest.raises(ValueError, match="study must be one of"):
        overview.design_table(["tower", "nope"])

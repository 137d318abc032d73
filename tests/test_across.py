"""Part III computations (trialkit.chapters.across) and figures (trialkit.charts.across)."""

import json
import shutil

import pytest

from trialkit import data
from trialkit.appraisal._refs import APPRAISAL_DIR
from trialkit.chapters import across
from trialkit.charts import across as across_charts
from trialkit.labs import headtohead, indirect


def test_comparability_table_covers_every_study_and_dimension():
    table = across.comparability_table()
    for s in across.STUDIES:
        col = table[across.label(s)]
        assert col.str.len().min() > 0, f"{s} has an empty cell"
    assert set(table["Dimension"]) == set(across.MATTERS)
    assert {"Ph status", "Salvage line", "Prior allogeneic transplant", "Marrow blasts", "Antigen selection", "Age",
            "Remission definition and window", "Control regimen", "Primary end point", "Analysis populations",
            "Follow-up", "Stopping"} <= set(table["Dimension"])
    kinds = set(table["Matters for TOWER vs INO-VATE"])
    assert {"effect modifier?", "anchor", "definition"} <= kinds


def test_pooled_percent_agrees_with_the_published_overall_share():
    # TOWER prints 35 % with a previous allogeneic transplant overall; the arms' counts must give it
    x, n, p = across.pooled_percent("tower", ["prior_allo_sct_yes_blinatumomab", "prior_allo_sct_yes_chemotherapy"])
    assert n == 405 and round(p) == float(data.row("tower", "baseline", "prior_allo_sct_overall")["value"])


def test_pooled_percent_refuses_a_row_without_denominator():
    with pytest.raises(data.DataError, match="age_mean_blinatumomab"):
        across.pooled_percent("tower", ["age_mean_blinatumomab"])


def test_cells_quote_the_data():
    table = across.comparability_table().set_index("Dimension")
    assert data.row("tower", "design", "regimen_chemo_options")["value"] in table.loc["Control regimen", "TOWER"]
    assert "97.5 %" in table.loc["Overall survival result", "INO-VATE ALL"]
    assert "32/218" in table.loc["Ph status", "INO-VATE ALL"]


def test_published_hr_reads_the_level():
    hr = across.published_hr("inovate")
    assert hr.level == 0.975 and hr.treatment == "inotuzumab" and hr.control == "standard"


def test_naive_readings_show_the_coincidence_and_the_control_gap():
    r = across.naive_readings()
    assert r["naive_median_ratio"] == pytest.approx(1.0)
    assert r["control_median_inovate"] > r["control_median_tower"]


def test_timeline_is_ordered_by_year():
    frame = across.timeline()
    assert list(frame["year"]) == sorted(frame["year"])
    assert set(frame["study"]) == set(across.STUDIES)


def test_rob2_overview_with_and_without_appraisals(tmp_path):
    empty = across.rob2_overview(tmp_path)
    by_study = dict(zip(empty["Study"], empty["Overall"]))
    assert by_study["TOWER"] == across.NOT_APPRAISED
    assert by_study["INO-VATE ALL"] == across.NOT_APPRAISED
    assert by_study[across.label("topp2021")] == across.NOT_RANDOMISED
    shutil.copy(APPRAISAL_DIR / "tower_os_rob2.yml", tmp_path / "tower_os_rob2.yml")
    one = across.rob2_overview(tmp_path)
    tower = one[one["Study"] == "TOWER"]
    assert list(tower["Result"]) == ["Overall survival"]
    assert tower["Overall"].iloc[0] != across.NOT_APPRAISED
    assert (one[one["Study"] == "INO-VATE ALL"]["Overall"] == across.NOT_APPRAISED).all()


def test_rob2_overview_reads_every_file_in_the_book():
    files = sorted(APPRAISAL_DIR.glob("*_rob2.yml"))
    studied = [f for f in files if f.name.split("_")[0] in across.STUDIES]
    overview = across.rob2_overview()
    assessed = overview[~overview["Overall"].isin([across.NOT_APPRAISED, across.NOT_RANDOMISED])]
    assert len(assessed) == len(studied)


def test_esmo_overview_marks_ungraded_studies():
    frame = across.esmo_overview({"tower": 4}).set_index("Study")
    assert frame.loc["TOWER", "Grade"] == "4"
    assert frame.loc["E1910", "Grade"] == across.NOT_APPRAISED
    assert frame.loc["E1910", "Form"] == "1"


def test_checklist_points_to_pages_that_exist():
    from trialkit.tooling.build import ROOT

    for page in across.checklist()["Where in the book"]:
        assert (ROOT / f"{page}.md").exists(), page


def _spec(chart):
    return json.loads(chart.to_json())


def _no_fixed_width(spec):
    text = json.dumps(spec)
    assert '"width": 520' not in text
    return text


def test_charts_compile_with_bound_params_and_container_width():
    first, second = across.indirect_inputs()
    res = indirect.bucher(first, second)
    shift = _spec(across_charts.anchor_shift_chart(indirect.anchor_shift_grid(first, second), "TOWER", "INO-VATE",
                                                    "blinatumomab", "inotuzumab"))
    names = {p["name"] for p in shift["params"]}
    assert {"anchor_k", "anchor_which"} <= names and all("bind" in p for p in shift["params"])
    assert shift["width"] == "container"
    lab = _spec(across_charts.design_lab_chart(headtohead.design_grid(), res))
    assert {"h2h_design", "h2h_power", "h2h_margin", "h2h_share", "h2h_hr"} <= {p["name"] for p in lab["params"]}
    for chart in (across_charts.hr_forest(first, second, "TOWER", "INO-VATE", res), across_charts.timeline_chart(across.timeline())):
        _no_fixed_width(_spec(chart))

"""The pooled phase 2 chapter: tables and readings from data/topp2021, the MINORS loader and the charts."""

from __future__ import annotations

import pandas as pd
import pytest

from trialkit import data, synth
from trialkit.appraisal import esmo, minors
from trialkit.chapters import pooled
from trialkit.charts import pooled as pooled_charts


def test_table2_columns_add_up():
    # the long-term and short-term columns of every Table 2 line sum to the total column
    for _, table, stem in pooled._TABLE2:
        table = "survival" if stem.startswith("rf_survivor") else table
        a, b, tot = (int(data.row("topp2021", table, f"{stem}_{c}")["value_num"]) for c in ("lts36", "st36", "all"))
        assert a + b == tot, stem


def test_responders_add_up_to_rfs_population():
    pops = data.load("topp2021", "populations").set_index("population")["n"]
    assert pooled.readings()["crcrh_n"] == int(pops["cr_crh_2cycles"])


def test_conditional_shares_read_table2_backwards():
    s = pooled.conditional_shares().set_index("group")
    # MRD responders alive at 36 months / all MRD responders
    assert s.loc["MRD responders", "share"] == pytest.approx(100 * 35 / 107)
    # the complementary groups partition the pool and the long-term survivors
    for a, b in (("CR or CRh within 2 cycles", "No CR/CRh within 2 cycles"), ("MRD responders", "Not MRD responders"),
                 ("HSCT after blinatumomab", "No HSCT after blinatumomab")):
        assert s.loc[a, "patients"] + s.loc[b, "patients"] == s.loc["All patients", "patients"]
        assert s.loc[a, "long_term"] + s.loc[b, "long_term"] == s.loc["All patients", "long_term"]


def test_readings_flag_the_unreconciled_patients():
    r = pooled.readings()
    assert r["n_primary_sum"] == 36 + 189
    assert r["n_unexplained"] == 259 - 225
    assert r["os_candidates"] == 12 and r["rfs_candidates"] == 11
    # the article's text: ECOG, CR/CRh and MRD for OS; race, t(4;11) and MRD for RFS (univariate)
    assert r["os_uni_sig"] == 3 and r["rfs_uni_sig"] == 3
    assert r["os_kept"] == 2 and r["rfs_kept"] == 2


def test_prognostic_frame_marks_significance_from_the_interval():
    f = pooled.prognostic_frame().set_index(["endpoint", "factor", "model"])
    assert f.loc[("RFS", "t411", "multivariate"), "significant"]
    assert not f.loc[("OS", "hsct", "univariate"), "significant"]
    assert f.loc[("OS", "crcrh", "univariate"), "kind"] == "post-baseline"
    assert f.loc[("OS", "age", "univariate"), "kind"] == "baseline"


def test_tables_have_a_line_per_item():
    assert len(pooled.survivors_table()) == len(pooled._TABLE2)
    assert len(pooled.source_studies()) == 2
    assert list(pooled.prognostic_table()["Factor"])[:2] == ["Age (per year)", "Male vs female"]
    base = pooled.baseline_table()
    assert any(m.startswith("✗") for m in base["Ledger"])  # the one mismatched percentage (146/259)


def test_cycle_and_lab_inputs():
    assert pooled.cycle_weeks() == 6
    p = pooled.lab_inputs()
    assert p["response_window"] == pytest.approx(12 * 7 / 30.4375)
    assert p["response_share"] == pytest.approx(123 / 259)
    assert p["transplant_share"] == pytest.approx(80 / 259)


def test_at_risk_counts_and_rejects_bad_input():
    f = pd.DataFrame({"time": [1.0, 2.0, 3.0, 10.0]})
    assert list(pooled.at_risk(f, [0, 2, 11])["at_risk"]) == [4, 3, 0]
    with pytest.raises(ValueError, match="time"):
        pooled.at_risk(pd.DataFrame({"t": [1.0]}), [0])
    with pytest.raises(ValueError, match="times"):
        pooled.at_risk(f, [-1])


def test_minors_assessment_and_errors(tmp_path):
    a = minors.load("topp2021_minors.yml")
    assert a.maximum() == 16 and 0 <= a.total() <= 16
    assert len(minors.table(a)) == 8
    (tmp_path / "bad.yml").write_text("study: x\npublication: y\ncomparative: false\nitems:\n  '1': {score: 3, rationale: r}\n")
    with pytest.raises(minors.MinorsError, match="item 1: score"):
        minors.load("bad.yml", tmp_path)
    (tmp_path / "extra.yml").write_text("study: x\npublication: y\ncomparative: false\nitems:\n  '9': {score: 1, rationale: r}\n")
    with pytest.raises(minors.MinorsError, match=r"\['9'\] do not apply"):
        minors.load("extra.yml", tmp_path)
    (tmp_path / "missing.yml").write_text("study: x\npublication: y\ncomparative: false\nitems:\n  '1': {score: 1, rationale: r}\n")
    with pytest.raises(minors.MinorsError, match="item 2"):
        minors.load("missing.yml", tmp_path)


def test_reporting_table_and_esmo_form3():
    rep = pooled.reporting_table()
    assert set(rep["Reported"]) <= {"yes", "partly", "no"}
    g = esmo.form_3(**pooled.esmo_inputs())
    # ORR 47.5 % (40 to < 60 %) with a duration below 9 months: grade 2 on form 3
    assert g.grade == 2


def test_charts_are_container_wide():
    curve = synth.km_curves(["topp2021_os"])
    chart = pooled_charts.synthetic_curve(curve, synth.published_anchors("topp2021_os"),
                                          pooled.at_risk(synth.frame("topp2021_os"), [0, 12]), title="t", y_title="y",
                                          x_title="x", description="d")
    spec = chart.to_dict()
    assert spec["width"] == "container" and "SYNTHETIC" in str(spec["title"])
    assert pooled_charts.forest(pooled.prognostic_frame()).to_dict()["width"] == "container"
    assert pooled_charts.survivors_chart(pooled.conditional_shares()).to_dict()["width"] == "container"
    with pytest.raises(ValueError, match="lacks"):
        pooled_charts.forest(pd.DataFrame({"hr": [1.0]}))


def test_immortal_chart_starts_at_a_landmark_of_the_grid():
    from trialkit.labs import immortal

    g = immortal.immortal_lab(n_patients=120, median_months=7.5, share=0.4, window=3.0, landmarks=(1.5, 3.0, 6.0),
                              effect_hrs=(1.0,), n_trials=20)
    spec = pooled_charts.immortal_chart(g, state="response", landmark_name="Landmark", title="t").to_dict()
    assert [p["value"] for p in spec["params"] if p["name"] == "response_landmark"] == [3.0]
    with pytest.raises(ValueError, match="landmark must be one of"):
        pooled_charts.immortal_chart(g, state="response", landmark_name="Landmark", title="t", landmark=2.0)


def test_ledger_recomputes_the_counts_derived_from_table2():
    from trialkit.chapters import ledger

    for row_id in ("lts36_survived_without_hsct", "rf_survivor_all", "rf_lts36_hsct_ccr_pct"):
        checks = ledger.checks_for("topp2021", row_id)
        derived = checks[checks["check_id"] == f"derived:{row_id}"]
        assert len(derived) == 1 and derived["match"].iloc[0] == "exact", row_id


def test_flow_specification_points_to_printed_numbers():
    from trialkit.appraisal import flow

    spec = flow.load("topp2021_flow.yml")
    shown = flow.table(spec)
    assert len(shown) == 8
    assert any("best_resp_crh_all" in r for r in shown["refs"])  # CR + CRh, a derived sum

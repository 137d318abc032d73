"""trialkit.chapters.response: each trial's remission rules at every threshold edge, and their provenance."""

from __future__ import annotations

import pandas as pd
import pytest

from trialkit import data
from trialkit.chapters import response

# A patient who meets the marrow criteria of every trial that prints them.
CLEAR = 0.0


def cat(trial, platelets, anc, blasts=CLEAR, disease=False):
    return response.classify(trial, platelets, anc, blasts, disease).category


# --- TOWER: CR plt > 100 and ANC > 1.0; CRh plt > 50 and ANC > 0.5; CRi plt > 100 or ANC > 1.0 -----


@pytest.mark.parametrize(
    "platelets,anc,expected",
    [
        (101, 1.01, "CR"),
        (100, 1.01, "CRh"),       # platelets exactly 100 is not > 100
        (101, 1.0, "CRh"),        # ANC exactly 1.0 is not > 1.0
        (100, 1.0, "CRh"),
        (51, 0.51, "CRh"),
        (50, 0.51, "No remission"),   # platelets exactly 50: not CRh, and not CRi
        (51, 0.5, "No remission"),    # ANC exactly 0.5
        (101, 0.5, "CRi"),        # one count fully recovered is enough for CRi
        (100, 0.5, "No remission"),
        (0, 1.01, "CRi"),
        (0, 1.0, "No remission"),
        (200, 0.0, "CRi"),
        (0, 0, "No remission"),
    ],
)
def test_tower_count_edges(platelets, anc, expected):
    assert cat("tower", platelets, anc) == expected


def test_tower_marrow_edge_is_inclusive():
    assert cat("tower", 150, 1.5, blasts=5.0) == "CR"
    assert cat("tower", 150, 1.5, blasts=5.01) == "No remission"
    assert response.classify("tower", 150, 1.5, 5.01).code == "NR_marrow"


def test_tower_disease_outside_marrow_excludes_remission():
    c = response.classify("tower", 150, 1.5, 0, True)
    assert (c.category, c.code) == ("No remission", "NR_disease")
    assert response.classify("tower", 150, 1.5, 6, True).code == "NR_marrow_disease"


def test_tower_counts_below_every_category():
    c = response.classify("tower", 30, 0.2, 0)
    assert c.code == "NR_counts" and "no category" in c.reason


def test_tower_categories_are_mutually_exclusive_in_table_2():
    """The classifier gives each patient one category, the best; Table 2's counts add up that way."""
    resp = data.load("tower", "responses").set_index("id")
    for arm in ("blinatumomab", "chemotherapy"):
        parts = sum(resp.loc[f"{c}_count_{arm}", "value_num"] for c in ("cr", "crh", "cri"))
        assert parts == resp.loc[f"cr_crh_cri_count_{arm}", "value_num"]


# --- INO-VATE: CRi = CR with ANC < 1.0 and/or platelets < 100; marrow < 5 % (our reading) ---------


@pytest.mark.parametrize(
    "platelets,anc,expected",
    [
        (100, 1.0, "CR"),          # both at the limit: neither is "less than"
        (99.9, 1.0, "CRi"),
        (100, 0.99, "CRi"),
        (0, 0, "CRi"),             # the article prints no lower limit for CRi
        (200, 2.0, "CR"),
    ],
)
def test_inovate_count_edges(platelets, anc, expected):
    assert cat("inovate", platelets, anc) == expected


def test_inovate_marrow_edge_is_exclusive_and_marked_as_our_reading():
    assert cat("inovate", 150, 1.5, blasts=4.99) == "CR"
    c = response.classify("inovate", 150, 1.5, 5.0)
    assert c.category == "No remission" and "our reading" in c.reason
    assert response.rule("inovate", "remission", "marrow blasts").status == "our reading"


def test_inovate_disease_outside_marrow_is_our_reading():
    c = response.classify("inovate", 150, 1.5, 0, True)
    assert c.code == "NR_disease" and "our reading" in c.reason


def test_same_patient_differs_between_tower_and_inovate_at_the_edge():
    # platelets 100 and ANC 1.0: TOWER needs "more than", INO-VATE only "not less than".
    assert (cat("tower", 100, 1.0), cat("inovate", 100, 1.0)) == ("CRh", "CR")
    # marrow blasts exactly 5 %: remission in TOWER, not in INO-VATE (our reading).
    assert (cat("tower", 150, 1.5, blasts=5), cat("inovate", 150, 1.5, blasts=5)) == ("CR", "No remission")


# --- E1910 and the pooled analysis print no thresholds ---------------------------------------------


@pytest.mark.parametrize("trial", ["e1910", "topp2021"])
@pytest.mark.parametrize("values", [(0, 0, 0, False), (200, 2, 0, False), (200, 2, 50, True)])
def test_silent_publications_are_not_classified(trial, values):
    c = response.classify(trial, *values)
    assert (c.category, c.code) == ("Not stated", "NS")
    assert "prints no thresholds" in c.reason
    assert not response.criteria(trial).classifiable
    assert all(r.status == "not stated" for r in response.criteria(trial).rules)


def test_outcomes():
    assert response.outcomes("e1910") == ("NS",)
    assert response.outcomes("inovate")[:2] == ("CR", "CRi")
    for trial in ("tower", "inovate"):
        assert set(response.classification_grid(trials=[trial])[trial]) <= set(response.outcomes(trial))


def test_classifiable_trials():
    assert [t for t in response.TRIALS if response.criteria(t).classifiable] == ["tower", "inovate"]


# --- provenance: every printed threshold is in the quotation of the row it cites ------------------


@pytest.mark.parametrize("trial", response.TRIALS)
def test_rules_cite_existing_design_rows(trial):
    design = data.load(trial, "design").set_index("id")
    for r in response.criteria(trial).rules:
        assert r.source in design.index, r
        if r.printed:
            assert data.normalise_text(r.printed) in data.normalise_text(design.loc[r.source, "quote"]), r


def test_printed_thresholds_match_values():
    """100,000 per µL = 100 × 10⁹/L; 1000 per µL = 1.0 × 10⁹/L; the number printed is the value used."""
    for trial in ("tower", "inovate"):
        for r in response.criteria(trial).rules:
            if r.measure == "platelets":
                assert f"{int(r.value * 1000):,}" in r.printed
            elif r.measure == "ANC":
                assert f"{int(r.value * 1000)}" in r.printed
            elif r.measure == "marrow blasts":
                assert f"{r.value:g}%" in r.printed


def test_statuses_and_measures_are_known():
    for crit in response.CRITERIA.values():
        for r in crit.rules:
            assert r.status in response.STATUSES and r.measure in response.MEASURES
            assert r.category == "remission" or r.category in crit.categories


@pytest.mark.parametrize("trial", response.TRIALS)
def test_mrd_threshold_printed_in_its_source(trial):
    m = response.MRD[trial]
    quote = data.normalise_text(data.row(trial, "design", m.source)["quote"])
    assert data.normalise_text(m.printed) in quote
    assert m.fraction == pytest.approx(1e-4)
    data.row(trial, "design", m.method_source)  # exists


def test_mrd_methods_match_their_rows():
    for trial, words in {"tower": ["polymerase chain reaction"], "inovate": ["flow cytometry"],
                         "e1910": ["six-color", "flow cytometry"], "topp2021": ["polymerase chain reaction"]}.items():
        quote = data.row(trial, "design", response.MRD[trial].method_source)["quote"].lower()
        for w in words:
            assert w in quote, (trial, w)


# --- explanations, grid and tables ------------------------------------------------------------------


def test_reasons_name_the_thresholds():
    assert response.explain("tower", "CRh") == "platelets > 50 × 10⁹/L and ANC > 0.5 × 10⁹/L (not CR)"
    assert response.explain("tower", "CRi").startswith("platelets > 100 × 10⁹/L or ANC > 1.0 × 10⁹/L")
    assert response.explain("tower", "NR_marrow") == "marrow blasts > 5%"
    assert response.explain("inovate", "CR") == "platelets ≥ 100 × 10⁹/L and ANC ≥ 1.0 × 10⁹/L"
    assert response.explain("inovate", "NR_marrow") == "marrow blasts ≥ 5% (our reading)"


def test_grid_agrees_with_classify_and_has_the_documented_size():
    grid = response.classification_grid()
    assert len(grid) == len(response.PLATELET_STEPS) * len(response.ANC_STEPS) * 11 * 2 == 9 * 9 * 11 * 2
    assert list(grid.columns) == ["platelets", "anc", "marrow_blasts", "disease_elsewhere", "tower", "inovate"]
    sample = grid.sample(300, random_state=1)
    for r in sample.itertuples(index=False):
        for t in ("tower", "inovate"):
            assert getattr(r, t) == response.classify(t, r.platelets, r.anc, r.marrow_blasts, r.disease_elsewhere).code
    assert set(grid["tower"]) == {"CR", "CRh", "CRi", "NR_counts", "NR_marrow", "NR_disease", "NR_marrow_disease"}
    assert set(grid["inovate"]) == {"CR", "CRi", "NR_marrow", "NR_disease", "NR_marrow_disease"}


def test_grid_steps_hit_the_thresholds_exactly():
    assert {0.5, 1.0} <= set(response.ANC_STEPS)
    assert 100 in response.PLATELET_STEPS and 50 in response.PLATELET_STEPS and 5 in response.BLAST_STEPS


def test_examples_table():
    patients = pd.DataFrame({"platelets": [100, 30], "anc": [1.0, 0.2], "marrow_blasts": [3, 0]})
    out = response.examples(patients)
    assert list(out["TOWER"]) == ["CRh", "No remission"]
    assert list(out["INO-VATE ALL"]) == ["CR", "CRi"]
    assert list(out["E1910"]) == ["Not stated", "Not stated"]


def test_tables():
    th = response.thresholds_table()
    assert set(th["Status"]) == set(response.STATUSES)
    assert "> 100 × 10⁹/L" in set(th["Threshold"]) and "≤ 5%" in set(th["Threshold"])
    defs = response.definitions_table()
    assert set(defs["Trial"]) == {"TOWER", "INO-VATE ALL", "E1910", "Pooled phase 2"}
    assert "def_cri" not in defs.columns and defs["Publication's words"].str.len().gt(0).all()
    assert any("less than 1000 per microliter" in q for q in defs["Publication's words"])
    mrd = response.mrd_table()
    assert list(mrd["One leukaemic cell in"]) == ["10,000"] * 4
    assert "10⁻⁴" in mrd["Threshold as printed"].iloc[3]


# --- argument validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args,message",
    [
        (("nope", 100, 1, 0), "trial must be one of"),
        (("tower", -1, 1, 0), r"platelets must be in \[0"),
        (("tower", 100, -0.1, 0), r"anc must be in \[0"),
        (("tower", 100, 1, 101), r"marrow_blasts must be in \[0, 100\]"),
        (("tower", 100, 1, 0, "yes"), "disease_elsewhere must be True or False"),
        (("tower", "100", 1, 0), "platelets must be a real number"),
    ],
)
def test_classify_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        response.classify(*args)


def test_other_functions_reject_bad_input():
    with pytest.raises(ValueError, match="platelets must not be empty"):
        response.classification_grid(platelets=[])
    with pytest.raises(ValueError, match="trials must name"):
        response.classification_grid(trials=[])
    with pytest.raises(ValueError, match=r"marrow_blasts must be in \[0, 100\]"):
        response.classification_grid(marrow_blasts=[150])
    with pytest.raises(ValueError, match="code must be one of"):
        response.explain("tower", "XX")
    with pytest.raises(ValueError, match="code must be one of"):
        response.explain("inovate", "CRh")            # INO-VATE names no CRh
    with pytest.raises(ValueError, match="code must be one of"):
        response.explain("e1910", "CR")               # E1910 prints no thresholds
    with pytest.raises(ValueError, match="category must be one of"):
        response.rule("inovate", "CRh", "platelets")
    with pytest.raises(ValueError, match="missing"):
        response.examples(pd.DataFrame({"platelets": [1]}))


def test_mrd_negative_share_inovate_uses_printed_counts():
    share = response.mrd_negative_share("inovate")
    ino = share.iloc[0]
    assert (ino["responders"], ino["mrd_negative"], ino["randomised"]) == (88, 69, 109)
    assert ino["count_printed"] and ino["percent_of_responders"] == pytest.approx(78.4)
    assert ino["percent_of_randomised"] == pytest.approx(100 * 69 / 109)
    assert share.iloc[1]["percent_of_randomised"] == pytest.approx(100 * 9 / 109)


def test_implied_counts_are_unique_only_with_the_difference():
    # 76 % of 119 is 90 or 91 patients; 48 % of 33 is 16; only 91 and 16 give a difference of 28 points
    assert response.implied_counts(76, 119, 48, 33, 28) == [(91, 16)]
    assert response.implied_counts(76, 119, 48, 33, 27) == [(90, 16)]
    assert response.implied_counts(76, 119, 48, 33, 30) == []
    # brute force, independently: every k whose rounded percent is printed, then the difference
    brute = [(a, b) for a in range(120) for b in range(34)
             if int(100 * a / 119 + 0.5) == 76 and int(100 * b / 33 + 0.5) == 48
             and int(100 * a / 119 - 100 * b / 33 + 0.5) == 28]
    assert brute == [(91, 16)]
    with pytest.raises(ValueError, match="n_exp"):
        response.implied_counts(76, 0, 48, 33, 28)


def test_mrd_negative_share_tower_implies_counts_from_percent():
    share = response.mrd_negative_share("tower")
    blin, chemo = share.iloc[0], share.iloc[1]
    assert not blin["count_printed"] and not chemo["count_printed"]
    # the denominators are every CR/CRh/CRi patient (119 and 33), the counts 91 and 16
    assert (blin["responders"], chemo["responders"]) == (119, 33)
    assert (blin["mrd_negative"], chemo["mrd_negative"]) == (91, 16)
    assert blin["percent_of_randomised"] == pytest.approx(100 * 91 / 271)
    assert chemo["percent_of_randomised"] == pytest.approx(100 * 16 / 134)
    # Among all randomised patients the share is far below the share among responders.
    assert (share["percent_of_randomised"] < share["percent_of_responders"]).all()


def test_mrd_negative_share_rejects_other_studies():
    with pytest.raises(ValueError, match="study must be one of"):
        response.mrd_negative_share("e1910")


def test_definitions_table_typesets_powers_of_ten():
    defs = response.definitions_table(["topp2021"])
    mrd = defs[defs["Item"] == "MRD"].iloc[0]
    assert "<10⁻⁴" in mrd["Publication's words"] and "$" not in mrd["Publication's words"]
    assert "10⁻⁴" in mrd["Definition (our paraphrase)"]

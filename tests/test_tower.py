"""trialkit.chapters.tower: TOWER's published results as printed, with the ledger's verdict."""

from __future__ import annotations

import pytest

from trialkit.chapters import tower


def test_printed_formats():
    assert tower.printed("responses", "cr_count_blinatumomab") == "91 (33.6 %; 95 % CI 28.0–39.5)"
    assert tower.printed("survival", "os_hr") == "0.71 (0.55–0.93)"
    assert tower.printed("survival", "os_median_blinatumomab") == "7.7 months (5.6–9.6)"
    assert tower.printed("survival", "os_median_blinatumomab", units=False) == "7.7 (5.6–9.6)"
    assert tower.printed("transplant", "allo_sct_blinatumomab") == "24 %"
    assert tower.printed("adverse_events", "ae_g3_cytokine_release_syndrome_chemotherapy") == "0"


def test_line_mark():
    assert tower.line_mark(["cr_count_blinatumomab", "cr_count_chemotherapy", "cr_difference"]) == "✓ 5 recomputed numbers match"
    assert tower.line_mark(["os_p"]) == "✓ 1 recomputed number matches"
    assert tower.line_mark(["mrd_neg_difference"]) == "– not recomputable (see the ledger)"
    assert tower.line_mark(["os_median_blinatumomab"]) == ""
    assert tower.line_mark([]) == ""
    assert tower.line_mark(["os_p", "mrd_neg_difference"]).endswith("some not recomputable")


def test_tables_carry_the_published_numbers():
    rem = tower.remission_table()
    assert rem.iloc[0]["Difference, points (95 % CI)"] == "17.9 (9.6–26.2)" and rem.iloc[0]["P"] == "<0.001"
    surv = tower.survival_table()
    assert surv.iloc[0]["Hazard ratio (95 % CI)"] == "0.71 (0.55–0.93)"
    assert surv.iloc[1]["Blinatumomab"] == "54 %"
    tx = tower.transplant_table()
    assert tx.iloc[0].tolist() == ["Any", "24 %", "24 %"]
    assert tx.iloc[-1]["Blinatumomab (% of 271)"].startswith("10 of 38 (26 %) ✓")
    ae = tower.adverse_event_table()
    assert ae[ae.iloc[:, 0] == "Serious adverse event"].iloc[0, 1] == "165 (61.8 %)"
    assert len(tower.regimen_table()) == 4


def test_chart_frames():
    rates = tower.remission_rates()
    assert len(rates) == 4 and rates.percent.max() == 43.9
    ae = tower.adverse_event_rates()
    assert ae[(ae.event == "Neutropenia") & (ae.arm == "blinatumomab")].percent.iloc[0] == pytest.approx(100 * 101 / 267)
    efs = tower.efs_ceiling()
    for arm, resp, six in (("blinatumomab", 43.9, 31.0), ("chemotherapy", 24.6, 12.0)):
        sub = efs[efs.arm == arm]
        assert sub.efs.iloc[0] == 100 and resp in set(sub.efs) and sub.efs.iloc[-1] == six
        assert six <= resp   # event-free survival cannot exceed the share who ever reached remission


def test_tower_appraisal_files_load_and_are_judged_by_the_module():
    from trialkit.appraisal import consort, rob2

    os_ = rob2.assess(rob2.load("tower_os_rob2.yml")).set_index("domain")["judgment"]
    rem = rob2.assess(rob2.load("tower_remission_rob2.yml")).set_index("domain")["judgment"]
    assert os_["Overall"] == rob2.SOME and rem["Overall"] == rob2.HIGH
    assert rem["D2"] == rob2.HIGH and os_["D1"] == rob2.LOW
    for name in ("tower_os_rob2.yml", "tower_remission_rob2.yml"):
        answers = rob2.answers(rob2.load(name))
        assert (answers["rationale"].str.len() > 20).all()
        assert ((answers["quote"] == "") | (answers["location"] != "")).all()  # every quote says where it is
    checklist = consort.load("tower_consort.yml")
    assert len(checklist.entries) == len(consort.items())    # every item answered

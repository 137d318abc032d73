"""The ledger: generated from data/, every row matches or is explained, and the matching logic is right."""

from __future__ import annotations

import pandas as pd
import pytest

from trialkit import data
from trialkit.chapters import ledger


@pytest.fixture(scope="module")
def table():
    return ledger.ledger()


def test_every_row_matches_or_is_explained(table):
    unexplained = table[table.match.isin(["no", "not recomputable"]) & (table.explanation == "")]
    assert unexplained.empty, unexplained[["check_id", "published", "recomputed"]].to_string()


def test_no_stale_notes(table):
    notes = ledger._notes()
    keys = table.study + ":" + table.check_id
    exact = set(keys[(table.match == "exact").to_numpy()])
    assert not (set(notes) & exact), f"notes for rows that now match exactly: {set(notes) & exact}"
    assert set(notes) <= set(keys), f"notes for checks that do not exist: {set(notes) - set(keys)}"


def test_ledger_covers_every_rule_and_study(table):
    assert set(table.study) == set(data.studies())
    for rule in ("pct", "ci", "diff", "p", "derived", "design", "none"):
        assert (table.rule == rule).any(), rule


def test_every_percent_with_count_is_in_the_ledger(table):
    expected = 0
    for study in data.studies():
        for t in ledger.OBSERVATION_TABLES:
            if t in data.tables(study):
                f = data.load(study, t)
                expected += int(((f.statistic == "count") & (f.percent != "") & f.denominator.notna() & (f.bound == "")
                                 & ~f.percent.str.startswith(data.BOUNDS)).sum())
    assert (table.rule == "pct").sum() == expected


def test_tower_table2_intervals_reproduced(table):
    rows = table[(table.study == "tower") & table.check_id.str.startswith(("ci:", "diff:"))]
    assert len(rows) >= 10
    assert (rows.match == "exact").all(), rows[rows.match != "exact"].to_string()


def test_inovate_975_intervals_reproduced(table):
    rows = table[(table.study == "inovate") & table.check_id.str.startswith("diff:")]
    assert len(rows) >= 5 and (rows.match == "exact").all()
    assert rows.method.str.contains("97.5%").all()


@pytest.mark.parametrize("value,printed,expected", [
    (0.0106, "0.01", True), (0.0149, "0.01", True), (0.015, "0.01", False), (0.0004, "<0.001", True),
    (0.001, "<0.001", False), (2.5, "2", True), (2.5, "3", True), (17.5, "18", True), (33.58, "33.6", True),
    (33.66, "33.6", False),
])
def test_printed_matches(value, printed, expected):
    assert ledger.printed_matches(value, printed) is expected


def test_evaluate_within_rounding():
    # 0.705..0.715 contains 0.71: a function that is exact only off-centre is "within rounding".
    central, match = ledger.evaluate(lambda x: x * 100, ["0.71"], "70.6")
    assert central == pytest.approx(71.0) and match == "within rounding"
    assert ledger.evaluate(lambda x: x * 100, ["0.71"], "75")[1] == "no"
    assert ledger.evaluate(lambda x: x * 100, ["0.71"], "71")[1] == "exact"


def test_verdict_for_data_rows():
    # a count with a percent and an exact interval: both checks match
    assert len(ledger.checks_for("tower", "cr_count_blinatumomab")) == 2
    assert ledger.verdict("tower", "cr_count_blinatumomab") == "exact"
    # a P value recomputed from the hazard ratio's interval; the HR row itself is an input, not a target
    assert ledger.verdict("tower", "os_p") == "exact"
    assert ledger.verdict("tower", "os_hr") is None
    assert ledger.verdict("tower", "plan_power") == "within rounding"
    assert ledger.verdict("tower", "sae_rate_exposure_adjusted_chemotherapy") == "not recomputable"
    assert ledger.verdict("tower", "os_median_blinatumomab") is None


def test_verdict_combines_rules_and_methods(monkeypatch):
    # INO-VATE's CR power is checked by four methods: one reproduces it, so the claim is reproduced
    assert ledger.checks_for("inovate", "power_cr")["match"].nunique() > 1
    assert ledger.verdict("inovate", "power_cr") == "exact"
    # different rules on one row: the least favourable decides
    fake = pd.DataFrame({"study": ["tower"] * 4, "target": ["x", "x", "y", "y"], "rule": ["pct", "ci", "design", "design"],
                         "match": ["exact", "no", "no", "within rounding"], "check_id": ["a", "b", "c", "d"]})
    monkeypatch.setattr(ledger, "_cached", lambda: fake)
    assert ledger.verdict("tower", "x") == "no"
    assert ledger.verdict("tower", "y") == "within rounding"


def test_mark_texts():
    assert ledger.mark("tower", "cr_difference") == "✓ matches the publication (recomputed)"
    assert ledger.mark("tower", "cr_difference", short=True) == "✓"
    assert ledger.mark("tower", "mrd_neg_difference", short=True) == "–"
    assert ledger.mark("tower", "os_median_blinatumomab") == ""


@pytest.mark.parametrize("args,message", [
    (("nosuch", "os_p"), "study must be one of"),
    (("tower", ""), "row_id must be a non-empty string"),
    (("tower", 3), "row_id must be a non-empty string"),
])
def test_checks_for_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        ledger.checks_for(*args)

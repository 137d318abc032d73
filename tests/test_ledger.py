"""The ledger: generated from data/, every row matches or is explained, and the matching logic is right."""

from __future__ import annotations

import pytest

from trialkit import data, ledger


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

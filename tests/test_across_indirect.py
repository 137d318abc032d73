"""The anchored indirect comparison (trialkit.labs.indirect) and the head-to-head design laboratory
(trialkit.labs.headtohead), checked against the published intervals by routes that do not use them."""

import csv
import math
from pathlib import Path
from statistics import NormalDist

import pytest

from trialkit import design
from trialkit.chapters import across
from trialkit.labs import headtohead, indirect

DATA = Path(__file__).resolve().parents[1] / "data"


def published(study, row_id="os_hr"):
    """The printed hazard ratio, limits and level, read straight from the CSV (not through trialkit)."""
    with open(DATA / study / "survival.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["id"] == row_id:
                return float(row["value"]), float(row["ci_low"]), float(row["ci_high"]), float(row["ci_level"])
    raise AssertionError(f"{study}/{row_id} missing")


def test_inovate_prints_a_975_interval_and_tower_a_95_interval():
    assert published("inovate")[3] == 0.975
    assert published("tower")[3] == 0.95


def test_bucher_recomputed_from_the_published_intervals_independently():
    (ht, lt, ut, vt), (hi, li, ui, vi) = published("tower"), published("inovate")
    z = lambda level: NormalDist().inv_cdf(1 - (1 - level) / 2)  # noqa: E731
    var = ((math.log(ut) - math.log(lt)) / (2 * z(vt))) ** 2 + ((math.log(ui) - math.log(li)) / (2 * z(vi))) ** 2
    est = ht / hi
    low, high = est * math.exp(-z(0.95) * math.sqrt(var)), est * math.exp(z(0.95) * math.sqrt(var))
    res = indirect.bucher(*across.indirect_inputs())
    assert res.estimate == pytest.approx(est, rel=1e-12)
    assert (res.low, res.high) == (pytest.approx(low, rel=1e-9), pytest.approx(high, rel=1e-9))
    assert res.treatment == "blinatumomab" and res.other == "inotuzumab"
    # the indirect interval is wider than either trial's interval read at 95 %
    first, second = across.indirect_inputs()
    assert math.log(res.high / res.low) > max(math.log(h / lo) for lo, h in (first.interval(), second.interval()))


def test_reading_the_interval_at_its_level_reproduces_the_printed_p():
    """INO-VATE printed P = 0.04 and TOWER P = 0.01: the implied P rounds to them only when each
    interval is read at its stated level; reading INO-VATE's as a 95 % interval does not."""
    first, second = across.indirect_inputs()
    assert round(second.p_two_sided(), 2) == 0.04
    assert round(first.p_two_sided(), 2) == 0.01
    assert round(second.p_two_sided(0.95), 2) != 0.04
    assert second.se_if_level(0.95) > second.se


def test_a_hand_made_example():
    # HR_AC 0.5 (0.25 to 1.0 at 95 %), HR_BC 1.0 (0.5 to 2.0 at 95 %): log HR_AB = log 0.5, var = 2 se^2
    a = indirect.HazardRatio(0.5, 0.25, 1.0)
    b = indirect.HazardRatio(1.0, 0.5, 2.0)
    se = math.log(2) / NormalDist().inv_cdf(0.975)
    res = indirect.bucher(a, b)
    assert res.estimate == pytest.approx(0.5)
    assert res.se == pytest.approx(math.sqrt(2) * se)


def test_anchor_shift_moves_the_estimate_by_the_factor_and_keeps_the_width():
    first, second = across.indirect_inputs()
    base = indirect.bucher(first, second)
    grid = indirect.anchor_shift_grid(first, second, shifts=(0.8, 1.0, 1.25))
    at = grid.set_index(["which", "shift"])
    assert at.loc[("second", 1.0), "estimate"] == pytest.approx(base.estimate)
    assert at.loc[("first", 1.0), "estimate"] == pytest.approx(base.estimate)
    # the second trial's control did better (0.8): its drug's effect against the first control is
    # stronger, so the first drug looks worse by 1 / 0.8
    assert at.loc[("second", 0.8), "estimate"] == pytest.approx(base.estimate / 0.8)
    assert at.loc[("first", 0.8), "estimate"] == pytest.approx(base.estimate * 0.8)
    widths = (grid["high"] / grid["low"]).round(12).unique()
    assert len(widths) == 1


def test_shift_to_cross_is_where_the_interval_touches_one():
    first, second = across.indirect_inputs()
    cross = indirect.shift_to_cross(first, second)
    assert indirect.bucher(first, second, anchor_shift=cross["favour_first"]).high == pytest.approx(1.0)
    assert indirect.bucher(first, second, anchor_shift=cross["favour_second"]).low == pytest.approx(1.0)
    assert cross["favour_second"] < 1 < cross["favour_first"]


@pytest.mark.parametrize("args, message", [
    ((0.7, 0.8, 0.9), "low < estimate < high"),
    ((0.7, 0.5, 0.9, 97.5), "level"),
    ((-0.7, 0.5, 0.9), "estimate"),
])
def test_bad_hazard_ratios_are_refused_by_name(args, message):
    with pytest.raises(ValueError, match=message):
        indirect.HazardRatio(*args)


def test_bad_shift_is_refused():
    first, second = across.indirect_inputs()
    with pytest.raises(ValueError, match="anchor_shift"):
        indirect.bucher(first, second, anchor_shift=0)
    with pytest.raises(ValueError, match="first and second"):
        indirect.bucher((0.7, 0.5, 0.9), second)


def test_readings_match_the_computation():
    first, second = across.indirect_inputs()
    r = indirect.indirect_readings(first, second)
    res = indirect.bucher(first, second)
    assert (r["ind_hr"], r["ind_low"], r["ind_high"]) == (res.estimate, res.low, res.high)
    assert r["second_level_pct"] == pytest.approx(97.5)
    assert r["ind_high_misread"] > r["ind_high"]


# --- head-to-head design ------------------------------------------------------------------------------

def test_superiority_events_by_hand():
    z = NormalDist().inv_cdf
    by_hand = (z(0.975) + z(0.8)) ** 2 / (0.25 * math.log(0.8) ** 2)
    assert headtohead.superiority_events(0.8) == pytest.approx(by_hand)


def test_noninferiority_events_by_hand():
    z = NormalDist().inv_cdf
    by_hand = (z(0.975) + z(0.9)) ** 2 / (0.25 * (math.log(1.25) - math.log(0.95)) ** 2)
    assert headtohead.noninferiority_events(0.95, 1.25, power=0.9) == pytest.approx(by_hand)
    assert headtohead.noninferiority_events(1.0, 1.25) < headtohead.superiority_events(0.9)


def test_design_errors_name_the_argument():
    with pytest.raises(ValueError, match="hr must differ from 1"):
        headtohead.superiority_events(1.0)
    with pytest.raises(ValueError, match="below the margin"):
        headtohead.noninferiority_events(1.3, 1.25)
    with pytest.raises(ValueError, match="margin"):
        headtohead.noninferiority_events(0.9, 0.95)
    with pytest.raises(ValueError, match="death_share"):
        headtohead.patients(100, 0)


def test_fixed_margin_and_patients():
    fm = headtohead.fixed_margin(0.8, preserve=0.5)
    assert fm["m1"] == pytest.approx(1.25)
    assert fm["m2"] == pytest.approx(math.sqrt(1.25))
    assert headtohead.patients(100.2, 0.5) == 202


def test_design_grid_leaves_out_what_cannot_be_designed():
    grid = headtohead.design_grid(hrs=(0.9, 1.0, 1.2), powers=(0.8,), margins=(1.15,))
    sup = grid[grid["design"] == "superiority"]
    ni = grid[grid["design"] == "non-inferiority"]
    assert sorted(sup["hr"]) == [0.9, 1.2]
    assert sorted(ni["hr"]) == [0.9, 1.0]
    assert (sup["events"] == [math.ceil(design.events_needed(h)) for h in sup["hr"]]).all()

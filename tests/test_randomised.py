"""Grids of group-sequential boundaries and of power, familywise error, the interaction test."""

from __future__ import annotations

import math

import pytest

from trialkit import design
from trialkit.chapters import randomised


def test_look_fractions():
    assert randomised.look_fractions(1, 0.3) == (1.0,)
    assert randomised.look_fractions(3, 0.5) == pytest.approx((0.5, 0.75, 1.0))
    assert randomised.look_fractions(5, 0.2) == pytest.approx((0.2, 0.4, 0.6, 0.8, 1.0))
    with pytest.raises(ValueError, match="looks must be >= 1"):
        randomised.look_fractions(0)
    with pytest.raises(ValueError, match="first must be in"):
        randomised.look_fractions(3, 1.0)


def test_boundary_grid_reproduces_tower_and_the_fixed_design():
    g = randomised.boundary_grid(looks=[1, 3], firsts=[0.5])
    tower = g[(g.looks == 3) & (g.spending == "obrien-fleming")]
    assert tower["z"].tolist() == pytest.approx([2.963, 2.359, 2.014], abs=1e-3)  # design.spending_boundaries docstring
    assert tower["nominal_p"].tolist() == pytest.approx([2 * (1 - _phi(z)) for z in tower["z"]], rel=1e-9)
    assert tower["alpha_spent"].iloc[-1] == pytest.approx(0.05)
    fixed = g[g.looks == 1]
    assert fixed["z"].tolist() == pytest.approx([1.95996] * 2, abs=1e-4)
    assert fixed["naive_alpha"].iloc[0] == pytest.approx(0.05, abs=1e-6)
    assert tower["naive_alpha"].iloc[0] == pytest.approx(design.naive_repeated_looks_alpha([0.5, 0.75, 1.0], 1.959964, 2), rel=1e-6)
    pocock = g[(g.looks == 3) & (g.spending == "pocock")]
    assert pocock["z"].iloc[0] < tower["z"].iloc[0] and pocock["z"].iloc[-1] > tower["z"].iloc[-1]


def test_boundary_grid_shape_and_validation():
    g = randomised.boundary_grid()
    assert len(g) == 2 * 3 * sum(range(1, 6))
    assert set(g.columns) == {"looks", "first", "spending", "look", "fraction", "z", "nominal_p", "alpha_spent", "naive_alpha"}
    five = g[(g.looks == 5) & (g["first"] == 0.25)]["naive_alpha"].iloc[0]
    three = g[(g.looks == 3) & (g["first"] == 0.25)]["naive_alpha"].iloc[0]
    assert 0.05 < three < five < 0.2
    with pytest.raises(ValueError, match="spendings must be one of"):
        randomised.boundary_grid(spendings=["haybittle"])
    with pytest.raises(ValueError, match="at least one value"):
        randomised.boundary_grid(looks=[])


def test_power_grid_matches_design():
    g = randomised.power_grid([100, 330], [0.7], allocations=[(2, 1)])
    row = g[g.events == 330].iloc[0]
    assert row["power"] == pytest.approx(design.events_power(330, 0.7, (2, 1)))
    assert row["allocation"] == "2:1"
    assert row["events_80"] == math.ceil(design.events_needed(0.7, 0.8, (2, 1)))
    assert row["events_90"] > row["events_80"]
    one_to_one = randomised.power_grid([247], [0.7])
    assert one_to_one[one_to_one.allocation == "1:1"]["events_80"].iloc[0] == 247  # the familiar 247 deaths
    with pytest.raises(ValueError, match="hrs\\[0\\]"):
        randomised.power_grid([100], [0])
    with pytest.raises(ValueError, match="at least one value"):
        randomised.power_grid([], [0.7])


def test_familywise_error():
    assert randomised.familywise_error(1) == pytest.approx(0.05)
    assert randomised.familywise_error(3) == pytest.approx(1 - 0.95 ** 3)
    assert randomised.familywise_error(20, 0.01) == pytest.approx(1 - 0.99 ** 20)
    with pytest.raises(ValueError, match="k must be >= 1"):
        randomised.familywise_error(0)
    with pytest.raises(ValueError, match="alpha"):
        randomised.familywise_error(2, 1.5)


def test_interaction_test_by_hand():
    # equal hazard ratios: no interaction
    same = randomised.interaction_test(0.7, 0.5, 0.98, 0.7, 0.5, 0.98)
    assert same.ratio == pytest.approx(1.0) and same.p == pytest.approx(1.0)
    res = randomised.interaction_test(0.16, 0.05, 0.47, 0.66, 0.33, 1.35)
    se_a = (math.log(0.47) - math.log(0.05)) / (2 * 1.959964)
    se_b = (math.log(1.35) - math.log(0.33)) / (2 * 1.959964)
    z = (math.log(0.16) - math.log(0.66)) / math.hypot(se_a, se_b)
    assert res.z == pytest.approx(z, rel=1e-5)
    assert res.p == pytest.approx(2 * (1 - _phi(abs(z))), rel=1e-5)
    assert res.ci_low < res.ratio < res.ci_high
    with pytest.raises(ValueError, match="low <= estimate <= high"):
        randomised.interaction_test(0.16, 0.2, 0.47, 0.66, 0.33, 1.35)


def _phi(z):
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))

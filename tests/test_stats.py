"""trialkit.stats: intervals and conversions that reproduce published statistics."""

from __future__ import annotations

import pytest
from statsmodels.stats.proportion import proportion_confint

from trialkit import stats


@pytest.mark.parametrize("x,n", [(0, 10), (1, 10), (5, 10), (10, 10), (91, 271), (21, 134), (88, 109)])
@pytest.mark.parametrize("level", [0.95, 0.975])
def test_clopper_pearson_matches_statsmodels(x, n, level):
    ci = stats.clopper_pearson(x, n, level)
    low, high = proportion_confint(x, n, alpha=1 - level, method="beta")
    assert ci.low == pytest.approx(low, abs=1e-12)
    assert ci.high == pytest.approx(high, abs=1e-12)
    assert ci.estimate == x / n


def test_clopper_pearson_published_value():
    # A textbook value: 0 events in 10 trials, upper 95 % limit 0.3085 ("rule of three" neighbourhood).
    assert stats.clopper_pearson(0, 10).high == pytest.approx(0.30850, abs=1e-5)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"x": -1, "n": 10}, "x must be >= 0"),
        ({"x": 11, "n": 10}, r"x must be <= n \(10\)"),
        ({"x": 1, "n": 0}, "n must be >= 1"),
        ({"x": 1.5, "n": 10}, "x must be an integer"),
        ({"x": 1, "n": 10, "level": 1.0}, r"level must be in \(0.0, 1.0\)"),
        ({"x": 1, "n": 10, "level": "0.95"}, "level must be a real number"),
    ],
)
def test_clopper_pearson_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        stats.clopper_pearson(**kwargs)


def test_grid_shape_and_bounds():
    grid = stats.clopper_pearson_grid([10, 100], [0.1, 0.5])
    assert len(grid) == 4
    assert ((grid["low"] <= grid["estimate"]) & (grid["estimate"] <= grid["high"])).all()

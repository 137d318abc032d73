"""The benchmark's arithmetic (its browser measurements are exercised by running it: ``make bench``)."""

import pytest

from trialkit.tooling.bench import measure_site, median_row, over_budget


def load(first, interactive=None, shown=None, after=None, outside=(), paint=None):
    return {"charts": 2, "first_paint_ms": paint, "first_image_ms": first, "interactive_ms": interactive, "scroll_visible_ms": shown,
            "scroll_interactive_ms": after, "outside_requests": list(outside)}


def test_each_timing_is_the_median_of_the_loads_that_have_it():
    row = median_row([load(900, 2000, None, 400), load(2500, 1500, 50, None, ["https://cdn.example/x.js"]),
                      load(950, 1800, 70, 300)])
    assert row["first_image_ms"] == 950          # one slow load does not decide
    assert row["interactive_ms"] == 1800
    assert row["scroll_visible_ms"] == 60        # median of the two loads that measured it
    assert row["scroll_interactive_ms"] == 350
    assert row["outside_requests"] == ["https://cdn.example/x.js"]  # a request leaving the site in any load counts


def test_a_chart_further_down_is_over_budget_on_its_median_time_to_show_after_scrolling():
    ok = {"bytes": 10, "redraw_ms": 5, **median_row([load(None, shown=300), load(None, shown=1200), load(None, shown=250)])}
    late = {"bytes": 10, "redraw_ms": 5, **median_row([load(None, shown=1100), load(None, shown=1200), load(None, shown=250)])}
    assert ok["first_image_ms"] is None and over_budget(ok) == []
    assert over_budget(late) == ["first image"]


def test_a_page_is_over_budget_on_its_median_first_image():
    fast = {"bytes": 10, "redraw_ms": 5, **median_row([load(900), load(1400), load(950)])}
    slow = {"bytes": 10, "redraw_ms": 5, **median_row([load(1100), load(1400), load(950)])}
    assert over_budget(fast) == []
    assert over_budget(slow) == ["first image"]


def test_repeats_must_be_positive(tmp_path):
    with pytest.raises(ValueError, match="repeats must be at least 1, got 0"):
        measure_site(tmp_path, [], browser=None, repeats=0)

"""The E1910 chapter's figures: each builds, the interactive ones bind a parameter to an input, titles
stay short enough for a phone column, and no figure uses a concatenated layout (which the book's
renderer cannot narrow to a phone column)."""

from __future__ import annotations

import pandas as pd
import pytest

from trialkit import labs, synth
from trialkit.chapters import e1910
from trialkit.charts import e1910 as ch


def _charts():
    ia = labs.interaction_test(*e1910.age_hrs("os"))
    young, old = e1910.age_hrs("os")
    summary, hist = labs.stopping_lab(e1910.stopping_trial(), true_hrs=(0.5, 0.55), n_trials=100)
    plan = labs.interim_plan(e1910.stopping_trial())
    grid = pd.concat([labs.diagnosis_view(b).assign(benefit=b) for b in (10, 11)], ignore_index=True)
    rows = pd.DataFrame({"label": ["all", "a", "b"], "hr": [0.4, young[0], old[0]], "low": [0.2, young[1], old[1]],
                         "high": [0.7, young[2], old[2]]})
    return {
        "funnel": (ch.funnel_chart(labs.funnel_steps(e1910.funnel_counts()), 62), False),
        "diagnosis": (ch.diagnosis_chart(grid, 46, 10), True),
        "forest": (ch.forest_chart(rows, ia["p"]), False),
        "chance": (ch.chance_chart(labs.chance_of_apparent_modification(ia["se_a"], ia["se_b"]), ia["ratio"]), True),
        "scatter": (ch.common_effect_scatter(labs.common_effect_draws(0.41, ia["se_a"], ia["se_b"], n=50), 0.41,
                                             (young[0], old[0])), False),
        "deaths": (ch.deaths_chart(e1910.deaths_table()), False),
        "km": (ch.km_chart(synth.km_curves(["e1910_os"]), e1910.LABELS, "Overall survival (SYNTHETIC)", "Alive (%)"), False),
        "stopping": (ch.stopping_chart(summary, hist, 0.41, 0.55), True),
        "boundary": (ch.boundary_chart(plan, 57, 3.0), False),
        "ascertainment": (ch.ascertainment_chart(labs.ascertainment_grid(5, true_experimental=(5, 23)),
                                                 {"blinatumomab": 23.0, "chemotherapy": 5.0}), True),
    }


@pytest.fixture(scope="module")
def charts():
    return _charts()


def test_every_chart_builds_single_view_with_a_short_title(charts):
    for name, (chart, _) in charts.items():
        spec = chart.to_dict()
        assert not any(k in spec for k in ("vconcat", "hconcat", "concat")), name
        title = spec["title"]["text"] if isinstance(spec["title"], dict) else spec["title"]
        assert len(title) <= 48, (name, title)
        assert spec.get("description"), name


def test_interactive_charts_bind_an_input(charts):
    for name, (chart, interactive) in charts.items():
        params = chart.to_dict().get("params", [])
        bound = [p for p in params if "bind" in p]
        assert bool(bound) == interactive, name


def test_synthetic_figures_say_so(charts):
    for name in ("km",):
        spec = charts[name][0].to_dict()
        assert "SYNTHETIC" in spec["title"]["text"] + " ".join(spec["title"]["subtitle"])
    for name in ("stopping", "scatter"):
        spec = charts[name][0].to_dict()
        assert "SIMULATED" in spec["title"]["text"] + " ".join(spec["title"].get("subtitle", []))


def test_at_risk_table_is_one_row_per_group():
    t = ch.at_risk_table(e1910.at_risk())
    assert list(t.iloc[:, 0]) == list(e1910.LABELS.values())
    assert t.iloc[0, 1] == 112


def test_transplant_timing_chart_binds_the_true_effect():
    from trialkit.labs import transplant_timing as immortal

    grid = immortal.transplant_timing_lab(n_patients=120, transplant_hrs=(0.7, 1.0), n_trials=20)
    spec = ch.transplant_timing_chart(grid).to_dict()
    assert [p for p in spec["params"] if "bind" in p]
    assert "SIMULATED" in " ".join(spec["title"]["subtitle"])

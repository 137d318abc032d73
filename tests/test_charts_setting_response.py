"""Figures of Part I's setting and response chapters: structure, size and agreement with the package."""

from __future__ import annotations

import json
import re

import altair as alt
import pandas as pd
import pytest

from trialkit.chapters import response
from trialkit.charts import response as response_charts
from trialkit.charts import setting as setting_charts


def _spec(chart) -> dict:
    # The book's setup allows 20,000 rows per chart (trialkit.charts.enable_renderer); do the same here.
    with alt.data_transformers.enable("default", max_rows=20_000):
        return chart.to_dict()


def test_timeline_has_title_description_and_one_row_per_publication():
    spec = _spec(setting_charts.timeline())
    assert spec["description"] and "2016 to 2024" in spec["title"]["text"]
    datasets = spec["datasets"].values()
    heads = [d for d in datasets if d and "text" in d[0] and "lines" not in d[0]]
    assert len(heads[0]) == 4


def test_classifier_spec_is_small_and_described():
    chart = response_charts.classifier()
    spec = _spec(chart)
    size = len(json.dumps(spec, separators=(",", ":")))
    assert size < 700_000, size
    assert spec["description"] and spec["title"]["text"]
    names = {p["name"] for p in spec["params"]}
    assert names == {"platelets", "anc", "blasts", "disease"}
    bound = [p for p in spec["params"] if "bind" in p]
    assert len(bound) == 4
    text = json.dumps(spec)
    for name in names:                     # every control is used by a filter or an expression
        assert text.count(name) >= 2


def test_classifier_grid_agrees_with_classify():
    grid = response_charts._compact_grid()
    assert len(grid) == len(response.PLATELET_STEPS) * len(response.ANC_STEPS) * 11 * 2 == 9 * 9 * 11 * 2
    letters = {v: k for k, v in response_charts.LETTERS.items()}
    for r in grid.sample(200, random_state=2).itertuples(index=False):
        for trial, col in (("tower", "t"), ("inovate", "i")):
            expected = response.classify(trial, r.p, r.a, r.b, bool(r.d)).code
            assert letters[getattr(r, col)] == expected


def test_classifier_labels_cover_every_outcome():
    labels = response_charts._labels()
    for trial in response.TRIALS:
        col = response_charts.COLUMN[trial]
        keys = set(labels["key"])
        for code in response.outcomes(trial):
            assert col + response_charts.LETTERS[code] in keys
    assert set(labels["category"]) <= set(response_charts.CATEGORY_COLOURS)


def test_silent_trials_are_constant():
    assert response_charts._constant_code("e1910") == "NS"
    assert response_charts._constant_code("topp2021") == "NS"
    with pytest.raises(ValueError, match="does not classify every patient alike"):
        response_charts._constant_code("tower")


def test_timeline_accepts_a_frame():
    frame = pd.DataFrame({"study": ["x"], "label": ["X"], "journal": ["J"], "year": [2020], "question": ["Q?"],
                          "enrol_start": [2018.0], "enrol_end": [2019.0], "enrolment": ["2018 to 2019"]})
    spec = _spec(setting_charts.timeline(frame))
    assert "2020 to 2020" in spec["title"]["text"]


def test_maps_put_colour_edges_on_the_thresholds():
    """TOWER's count rules are all '>' (the boundary value fails), INO-VATE's '>=' or '<' (it passes):
    each map's cells extend from the grid value to the side that shares its class, and every printed
    threshold is drawn as a labelled line at its exact value."""
    tower_rules = [r for r in response.criteria("tower").rules if r.measure in ("ANC", "platelets")]
    inovate_rules = [r for r in response.criteria("inovate").rules if r.measure in ("ANC", "platelets")]
    assert response_charts.threshold_side(tower_rules) == "below"
    assert response_charts.threshold_side(inovate_rules) == "above"
    with pytest.raises(ValueError, match="mix threshold conventions"):
        response_charts.threshold_side(tower_rules[:1] + inovate_rules[:1])
    spec = response_charts.classifier().to_dict()
    text = json.dumps(spec)
    for label in ("> 1", "> 100", "> 0.5", "> 50", "≥ 1", "≥ 100"):
        assert json.dumps(label) in text, label
    assert "datum.a + -0.25" in text and "datum.a + 0.25" in text


def test_short_reasons_keep_the_thresholds_and_fit_a_phone_line():
    """The reason printed under a classification drops units and a closing "(not ...)" but keeps every
    threshold and "(our reading)", in at most 33 characters (a line of a phone column)."""
    assert response_charts.short_reason("platelets > 50 × 10⁹/L and ANC > 0.5 × 10⁹/L (not CR)") == "platelets > 50 and ANC > 0.5"
    assert response_charts.short_reason("marrow blasts ≥ 5% (our reading)") == "blasts ≥ 5% (our reading)"
    labels = response_charts._labels()
    for full, short in zip(labels["reason"], labels["short_reason"]):
        assert len(short) <= 33, short
        assert "10⁹" not in short and "(not " not in short
        for number in re.findall(r"\d+(?:\.\d+)?", full.replace("10⁹", "")):
            assert number in short, (full, short)

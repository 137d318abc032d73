"""The chapter preamble, the theme and the offline renderer."""

from __future__ import annotations

import json
import re

import altair as alt
import pandas as pd
import pytest

import trialkit.book
from trialkit import charts
from trialkit.tooling.sphinxext import write_bundle


@pytest.fixture(autouse=True)
def restore_altair():
    renderer, theme = alt.renderers.active, alt.theme.active
    yield
    alt.renderers.enable(renderer)
    alt.theme.enable(theme)


def small_chart(title="A <title> & more"):
    df = pd.DataFrame({"x": [1, 2], "y": [3, 4]})
    return alt.Chart(df).mark_line().encode(x="x", y="y").properties(title=title, description="Line of y on x")


def test_setup_book_renderer_emits_static_html():
    trialkit.book.setup(renderer="book")
    bundle = small_chart()._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    html = bundle["text/html"]
    assert 'class="trialkit-chart"' in html
    assert 'aria-label="Line of y on x"' in html
    assert "cdn" not in html.lower() and "<script src" not in html
    spec = json.loads(re.search(r'<script type="application/json"[^>]*>(.*)</script>', html, re.S).group(1))
    assert "$schema" not in spec
    assert spec["mark"]["type"] == "line" or spec["mark"] == "line"


def test_setup_jupyter_renderer_keeps_vegalite_mime():
    trialkit.book.setup(renderer="jupyter")
    bundle = small_chart()._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    assert any(k.startswith("application/vnd.vegalite") for k in bundle)


def test_setup_picks_book_renderer_during_build(monkeypatch):
    monkeypatch.setenv(trialkit.book.BOOK_BUILD_ENV, "1")
    trialkit.book.setup()
    assert alt.renderers.active == "trialkit_book"
    monkeypatch.delenv(trialkit.book.BOOK_BUILD_ENV)
    trialkit.book.setup()
    assert alt.renderers.active == "mimetype"


def test_setup_rejects_unknown_renderer():
    with pytest.raises(ValueError, match="renderer"):
        trialkit.book.setup(renderer="png")


def test_theme_uses_colour_blind_safe_palette():
    trialkit.book.setup(renderer="book")
    assert alt.theme.active == "trialkit"
    config = alt.theme.get()()["config"]
    assert config["range"]["category"][:2] == charts.PALETTE[:2]
    assert config["background"] == "#ffffff"


def test_chart_html_is_deterministic_and_script_safe():
    spec = {"mark": "text", "title": "x</script><script>alert(1)</script>", "data": {"values": [{"a": "</script>"}]}}
    a, b = charts.chart_html(spec), charts.chart_html(dict(spec))
    assert a == b
    assert a.count("</script>") == 1  # only the closing tag of the JSON element


def test_precision_explorer_has_bound_slider():
    spec = charts.precision_explorer(ns=[10, 20], ps=[0.2, 0.4]).to_dict()
    params = spec["params"]
    assert params[0]["bind"]["input"] == "range"
    assert spec["description"]


def test_write_bundle_reuses_current_file(tmp_path):
    first = write_bundle(tmp_path)
    mtime = first.stat().st_mtime_ns
    second = write_bundle(tmp_path)
    assert first == second and second.stat().st_mtime_ns == mtime
    text = first.read_text()
    assert "vegaEmbed" in text and len(text) > 100_000

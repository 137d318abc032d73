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


def test_chart_html_carries_a_prerendered_image_of_the_chart():
    from urllib.parse import unquote

    trialkit.book.setup(renderer="book")
    html = charts.chart_html(small_chart(title="Two points").to_dict())
    img = re.search(r'<img class="tk-static" alt="" elementtiming="(tk-chart-[0-9a-f]+)" width="(\d+)" height="(\d+)" src="([^"]+)">', html)
    assert img, html[:300]
    assert img.group(4).startswith("data:image/svg+xml;charset=utf-8,")
    svg = unquote(img.group(4).split(",", 1)[1])
    assert svg.startswith("<svg") and "Two points" in svg
    assert re.search(rf'<svg[^>]*width="{img.group(2)}"', svg)
    assert 'data-state="static"' in html
    assert f'class="trialkit-chart" id="{img.group(1)}"' in html  # the image's paint is named by its chart


def test_built_pages_load_chart_images_from_content_named_files(tmp_path):
    from trialkit.tooling.sphinxext import externalise_chart_images

    trialkit.book.setup(renderer="book")
    one = charts.chart_html(small_chart(title="One").to_dict())
    two = charts.chart_html(small_chart(title="Two").to_dict())
    body = f"<p>text</p>{one}<p>more</p>{two}{one}"
    out = externalise_chart_images(body, tmp_path, lambda target: "../../" + target)
    assert "data:image/svg+xml" not in out
    srcs = re.findall(r'<img class="tk-static" alt="" elementtiming="tk-chart-[0-9a-f]+" width="\d+" height="\d+" src="([^"]+)">', out)
    assert len(srcs) == 3 and srcs[0] == srcs[2] != srcs[1]  # the same figure twice is one file
    files = sorted((tmp_path / "_charts").iterdir())
    assert [f"../../_charts/{f.name}" for f in files] == sorted(set(srcs))
    texts = {f"../../_charts/{f.name}": f.read_text() for f in files}
    assert texts[srcs[0]].startswith("<svg") and "One" in texts[srcs[0]] and "Two" in texts[srcs[1]]
    assert out.replace(srcs[0], "").count("<p>") == 2  # the rest of the page is untouched
    assert externalise_chart_images("<p>no chart</p>", tmp_path, str) == "<p>no chart</p>"
    # On the web pages only the first image loads at once; the others wait until the reader nears them.
    lazy = externalise_chart_images(body, tmp_path, lambda target: "../../" + target, eager=1)
    marks = re.findall(r'<img class="tk-static" (loading="lazy" )?alt=', lazy)
    assert marks == ["", 'loading="lazy" ', 'loading="lazy" ']


def test_built_pages_load_chart_specifications_from_files_the_loader_runs(tmp_path):
    import json as _json

    from trialkit.tooling.sphinxext import externalise_chart_specs

    trialkit.book.setup(renderer="book")
    one = charts.chart_html(small_chart(title="One </script> end").to_dict())
    two = charts.chart_html(small_chart(title="Two").to_dict())
    body = f"<p>text</p>{one}<p>more</p>{two}"
    inline = dict(re.findall(r'data-target="(tk-chart-[0-9a-f]+)">(.*?)</script>', body, flags=re.S))
    out = externalise_chart_specs(body, tmp_path, lambda target: "../../" + target)
    refs = re.findall(r'<script type="application/json" class="trialkit-chart-spec" data-target="(tk-chart-[0-9a-f]+)" '
                      r'data-src="\.\./\.\./_charts/([0-9a-f]+\.js)"></script>', out)
    assert [r[0] for r in refs] == list(inline) and len(refs) == 2
    assert not [payload for payload in inline.values() if payload in out]  # no specification is left inline
    # Each file is a classic script that hands its chart's specification, unchanged, to the page's loader
    # (the browser tests run them: every chart of every page is drawn from its file).
    for chart_id, name in refs:
        script = (tmp_path / "_charts" / name).read_text()
        head, tail = f'window.trialkitChartSpec("{chart_id}", ', ");\n"
        assert script.startswith(head) and script.endswith(tail)
        payload = script[len(head):-len(tail)]
        assert _json.loads(payload.replace("<\\/", "</")) == _json.loads(inline[chart_id].replace("<\\/", "</"))
        assert "</script" not in payload  # safe inside a page too
    assert externalise_chart_specs("<p>no chart</p>", tmp_path, str) == "<p>no chart</p>"


def test_svg_data_uri_survives_an_html_attribute():
    from urllib.parse import unquote

    svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>5 % & "quoted" <tag> #1</text></svg>'
    uri = charts.svg_data_uri(svg)
    body = uri.split(",", 1)[1]
    assert '"' not in body and "<" not in body and ">" not in body and "#" not in body and "&" not in body
    assert unquote(body) == svg


def test_table_collapses_a_ledger_column_into_one_mark():
    frame = pd.DataFrame({"Endpoint": ["OS", "EFS", "DoR"],
                          "Value": [1, 2, 3],
                          "Ledger": ["✓ 2 recomputed numbers match", "✓ 1 recomputed number matches", "– not recomputable (see the ledger)"]})
    html = trialkit.book.table(frame, caption="Results").data
    assert "<th>Ledger</th>" not in html and html.count("recomputed number") == 3  # one summary + two rows on demand
    assert "Ledger ✓ 3 recomputed numbers match; – 1 row not recomputable" in html
    assert '<details class="tk-details tk-ledger">' in html and "<li>OS: ✓ 2 recomputed numbers match</li>" in html


def test_ledger_summary_reports_failures_first_and_rejects_unknown_marks():
    assert trialkit.book.ledger_summary(["✗ 1 not reproduced (see the ledger)", "✓ 4 recomputed numbers match", ""]) == \
        "✗ 1 row not reproduced; ✓ 4 recomputed numbers match"
    assert trialkit.book.ledger_summary(["", None]) == ""
    with pytest.raises(ValueError, match="ledger mark 'ok'"):
        trialkit.book.ledger_summary(["ok"])


def test_collapsed_table_and_details_hide_evidence_behind_a_summary():
    frame = pd.DataFrame({"Question": ["1.1", "1.2"], "Answer": ["Y", "PY"]})
    html = trialkit.book.table(frame, caption="Signalling questions", collapsed=True).data
    assert html.startswith('<details class="tk-details"><summary>Signalling questions (2 rows)')
    assert "<caption>Signalling questions</caption>" in html
    trialkit.book.setup(renderer="book")
    both = trialkit.book.details("Quotes & checklist", "a <note>", small_chart()).data
    assert both.startswith('<details class="tk-details"><summary>Quotes &amp; checklist')
    assert "<p>a &lt;note&gt;</p>" in both and 'class="trialkit-chart"' in both
    with pytest.raises(ValueError, match="cannot show a int"):
        trialkit.book.details("x", 3)


def test_course_archive_holds_the_chapters_and_never_the_solutions(tmp_path):
    import zipfile

    from trialkit.tooling.sphinxext import ROOT, copy_exercise_notebooks, write_course_archive

    first = write_course_archive(tmp_path / "a.zip")
    names = zipfile.ZipFile(first).namelist()
    assert "trialkit-course/book/precision.md" in names and "trialkit-course/src/trialkit/charts/__init__.py" in names
    assert not [n for n in names if n.startswith("trialkit-course/exercises/source") or "__pycache__" in n]
    assert write_course_archive(tmp_path / "b.zip").read_bytes() == first.read_bytes()  # reproducible
    copied = copy_exercise_notebooks(tmp_path / "ex")
    released = sorted((ROOT / "exercises" / "release").rglob("*.ipynb"))
    assert released and [p.name for p in copied] == [p.name for p in released]


def test_course_archive_names_what_is_missing(tmp_path):
    from trialkit.tooling.sphinxext import write_course_archive

    with pytest.raises(FileNotFoundError, match="README.md"):
        write_course_archive(tmp_path / "x.zip", root=tmp_path)

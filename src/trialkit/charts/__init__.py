"""Altair figures for the book, and the theme and renderer every chapter uses.

This package holds the theme and the offline renderer (here) and the figures, one module per part
of the book (``basics``, ...). Figures are re-exported here, so chapters write
``charts.precision_explorer()``.

The renderer used in the built book writes a ``<div class="trialkit-chart">`` holding the chart's
initial state pre-rendered as an SVG image (by ``vl-convert-python``, at build time), followed by the
chart's Vega-Lite specification as JSON. The image is visible at once, prints, and serves readers without
JavaScript; ``static/trialkit-charts.js`` replaces it with the interactive chart (drawn by the Vega bundle
that ``trialkit.tooling.sphinxext`` generates at build time) when the chart comes near the viewport, fitted to
the width of its column. No script comes from a CDN.
"""

from __future__ import annotations

import hashlib
import html
import json
import re

import altair as alt

# Okabe & Ito (2008) colour-blind-safe palette, reordered so the first two colours (the two arms of a
# trial) differ in hue *and* lightness, and both reach 3:1 contrast against white.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
ARM_COLOURS = {"experimental": PALETTE[0], "control": PALETTE[1]}
SYNTHETIC_NOTE = "SYNTHETIC data: reconstructed from published summaries, not patient records."
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"

_THEME_NAME = "trialkit"
_RENDERER_NAME = "trialkit_book"
_MAX_ROWS = 20_000


def _theme() -> dict:
    return {
        "config": {
            "background": "#ffffff",
            "font": FONT,
            "view": {"continuousWidth": 520, "continuousHeight": 300, "stroke": None},
            "range": {"category": PALETTE},
            "axis": {
                "labelFontSize": 12,
                "titleFontSize": 13,
                "labelColor": "#222222",
                "titleColor": "#222222",
                "gridColor": "#e6e6e6",
                "domainColor": "#555555",
                "tickColor": "#555555",
            },
            "legend": {"labelLimit": 0, "labelFontSize": 12, "titleFontSize": 13, "labelColor": "#222222", "titleColor": "#222222"},
            "title": {"fontSize": 15, "anchor": "start", "color": "#111111", "subtitleColor": "#333333"},
            "header": {"labelFontSize": 12, "titleFontSize": 13},
            "line": {"strokeWidth": 2.2},
            "text": {"color": "#222222", "fontSize": 12},
        }
    }


def enable_theme() -> None:
    """Register (once) and enable the course theme."""
    if _THEME_NAME not in alt.theme.names():
        alt.theme.register(_THEME_NAME, enable=False)(_theme)
    alt.theme.enable(_THEME_NAME)


def chart_html(spec: dict) -> str:
    """The static HTML for one chart: a container with the pre-rendered image, and the specification
    as inert JSON.

    The id is derived from the specification, so re-executing a chapter gives the same HTML. The image's
    ``elementtiming`` names its chart: the benchmark reads when it was painted even once the live chart
    has replaced it.
    """
    schema = spec.get("$schema", "")
    spec = {k: v for k, v in spec.items() if k != "$schema"}  # mode is given to vega-embed instead
    payload = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha1(payload.encode()).hexdigest()[:12]
    label = spec.get("description") or _title_text(spec.get("title")) or "Chart"
    safe_json = payload.replace("</", "<\\/")  # never close the <script> element early
    svg = static_svg(spec, schema)
    size = re.search(r'<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"', svg)
    width, height = (round(float(size.group(1))), round(float(size.group(2)))) if size else (None, None)
    dims = f' width="{width}" height="{height}"' if size else ""
    return (
        f'<div class="trialkit-chart" id="tk-chart-{digest}" role="figure" data-state="static" '
        f'aria-label="{html.escape(label, quote=True)}">'
        f'<img class="tk-static" alt="" elementtiming="tk-chart-{digest}"{dims} src="{svg_data_uri(svg)}"></div>\n'
        f'<script type="application/json" class="trialkit-chart-spec" data-target="tk-chart-{digest}">'
        f"{safe_json}</script>"
    )


def _vl_version(schema: str) -> str | None:
    """``"5.20"`` from a Vega-Lite schema URL, if vl-convert ships that version (else its default)."""
    import vl_convert as vlc

    found = re.search(r"/v(\d+)\.(\d+)", schema or "")
    if not found:
        return None
    version = f"{found.group(1)}.{found.group(2)}"
    available = vlc.get_vegalite_versions() if hasattr(vlc, "get_vegalite_versions") else []
    return version if version in available else None


def static_svg(spec: dict, schema: str = "") -> str:
    """The chart's initial state as an SVG document, rendered offline by vl-convert (no data URL is
    fetched: every chart of the book carries its data inline)."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(spec, vl_version=_vl_version(schema), allowed_base_urls=[])


def svg_data_uri(svg: str) -> str:
    """A compact ``data:`` URI for an SVG document, safe inside a double-quoted HTML attribute."""
    from urllib.parse import quote

    # Percent-encode only what a URI or the attribute cannot hold; the rest stays readable (and small).
    return "data:image/svg+xml;charset=utf-8," + quote(svg, safe=" /:=;,.'()-_!*~+$@?[]{}|^`\t" + "".join(
        chr(c) for c in range(0x41, 0x5b)) + "".join(chr(c) for c in range(0x61, 0x7b)) + "0123456789")


def _title_text(title) -> str:
    if isinstance(title, str):
        return title
    if isinstance(title, dict):
        text = title.get("text", "")
        return " ".join(text) if isinstance(text, list) else str(text)
    if isinstance(title, list):
        return " ".join(map(str, title))
    return ""


def _book_renderer(spec: dict, **metadata) -> dict:
    return {"text/html": chart_html(spec), "text/plain": f"<Chart: {_title_text(spec.get('title')) or 'untitled'}>"}


def enable_renderer(kind: str) -> None:
    """``"book"``: static HTML for the built book; ``"jupyter"``: Altair's native Vega-Lite output."""
    if _RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(_RENDERER_NAME, _book_renderer)
    alt.renderers.enable(_RENDERER_NAME if kind == "book" else "mimetype")
    alt.data_transformers.enable("default", max_rows=_MAX_ROWS)


from trialkit.charts.basics import precision_explorer, synthetic_explorer  # noqa: E402,F401

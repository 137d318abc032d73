"""Sphinx extension: self-hosted Vega for the book's charts.

* At start-up it sets ``TRIALKIT_BOOK_BUILD=1`` so the kernels that execute the chapters render Altair
  charts as static HTML (see :mod:`trialkit.book`).
* It generates the Vega + Vega-Lite + vega-embed bundle from the ``vl-convert-python`` package (a
  registry package, so nothing third-party is committed and nothing is fetched from a CDN) and adds it
  to the build's ``_static`` folder.
* It adds the bundle and the chart loader only to pages that contain a chart.
* It removes an invalid ARIA role from reference lists and names the sidebar's section toggles.
* It removes sphinx-thebe's hooks (they write a CDN address into every page; the book has no live code).
"""

from __future__ import annotations

import os
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

from trialkit.book import BOOK_BUILD_ENV

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
BUNDLE_NAME = "vega-bundle.js"
LOADER_NAME = "trialkit-charts.js"
CSS_NAME = "trialkit.css"
QUIZ_NAME = "trialkit-quiz.js"
QUIZ_MARKER = 'class="trialkit-quiz"'
CHART_MARKER = 'class="trialkit-chart"'
CITATION_LIST = '<div role="list" class="citation-list">'


def write_bundle(folder: Path) -> Path:
    """Write the Vega bundle (vega, vega-lite, vega-embed) into ``folder``; reuse it if current."""
    import vl_convert as vlc

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / BUNDLE_NAME
    version = f"vl-convert {vlc.__version__}; vega {vlc.get_vega_version()}; vega-embed {vlc.get_vega_embed_version()}"
    stamp = folder / (BUNDLE_NAME + ".version")
    if target.exists() and stamp.exists() and stamp.read_text() == version:
        return target
    bundle = vlc.javascript_bundle()
    target.write_text(f"/* Generated at build time by trialkit.tooling.sphinxext: {version} */\n{bundle}", encoding="utf-8")
    stamp.write_text(version)
    return target


def _builder_inited(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    generated = Path(app.doctreedir).parent / "trialkit_static"
    write_bundle(generated)
    for name in (LOADER_NAME, CSS_NAME, QUIZ_NAME):
        (generated / name).write_bytes((STATIC / name).read_bytes())
    app.config.html_static_path.append(str(generated))
    app.add_css_file(CSS_NAME)


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    body = context.get("body") or ""
    if CITATION_LIST in body:
        # docutils marks the reference list role="list" but its entries role="doc-biblioentry", which
        # assistive technology (and axe-core) rejects: a list must contain list items. Drop the role.
        body = context["body"] = body.replace(CITATION_LIST, '<div class="citation-list">')
    if CHART_MARKER in body:
        # Both as ES modules: the bundle's top-level names stay out of the page's global scope (Sphinx
        # defines a global `_`), and modules run in document order after parsing.
        app.add_js_file(BUNDLE_NAME, type="module")
        app.add_js_file(LOADER_NAME, type="module")
    if QUIZ_MARKER in body:
        app.add_js_file(QUIZ_NAME, loading_method="defer")


SUMMARY_TOGGLE = '<summary><span class="toctree-toggle" role="presentation">'
SUMMARY_NAMED = '<summary aria-label="Show or hide the pages of this section"><span class="toctree-toggle" role="presentation">'


def _name_sidebar_toggles(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """The theme's sidebar folds nested sections in <details> whose <summary> holds only an icon, so
    screen readers announce an unnamed control (axe-core: summary-name). Give each one a name."""
    original = context.get("generate_toctree_html")
    if original is None or getattr(original, "_trialkit_named", False):
        return

    def named(*args, **kwargs):
        result = original(*args, **kwargs)
        if isinstance(result, str):
            return result.replace(SUMMARY_TOGGLE, SUMMARY_NAMED)
        for summary in result.find_all("summary"):  # kind="raw": a BeautifulSoup tree
            summary["aria-label"] = "Show or hide the pages of this section"
        return result

    named._trialkit_named = True
    context["generate_toctree_html"] = named


def _disable_thebe(app: Sphinx) -> None:
    """Jupyter Book always loads sphinx-thebe, which writes an unpkg.com address into every page even
    when launch buttons are off. The course has no live-code buttons, so its hooks are removed."""
    for event, listeners in app.events.listeners.items():
        for listener in list(listeners):
            module = getattr(listener.handler, "__module__", "") or ""
            if module.startswith("sphinx_thebe") and listener.handler.__name__ != "st_static_path":
                app.disconnect(listener.id)


def setup(app: Sphinx) -> dict:
    os.environ[BOOK_BUILD_ENV] = "1"
    _disable_thebe(app)
    app.connect("builder-inited", _builder_inited)
    app.connect("html-page-context", _page_context)
    app.connect("html-page-context", _name_sidebar_toggles, priority=900)  # after the theme's own handler
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}

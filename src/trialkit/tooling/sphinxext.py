"""Sphinx extension: self-hosted Vega for the book's charts.

* At start-up it sets ``TRIALKIT_BOOK_BUILD=1`` so the kernels that execute the chapters render Altair
  charts as static HTML (see :mod:`trialkit.book`).
* It generates the Vega + Vega-Lite + vega-embed bundle from the ``vl-convert-python`` package (a
  registry package, so nothing third-party is committed and nothing is fetched from a CDN) and adds it
  to the build's ``_static`` folder, wrapped as a classic script: Chromium refuses module scripts on
  pages opened from disk (``file://``), and the wrapper keeps the bundle's names out of the page's
  global scope.
* It adds the chart loader only to pages that contain a chart; the loader fetches the bundle when the
  first chart comes near the viewport (the page hints it with a prefetch link).
* It moves each chart's pre-rendered image out of the page into its own file, ``_charts/<digest>.svg``
  (named by its content, so a figure that appears twice or is unchanged between builds is one cached
  file): the page's HTML halves (less to parse before the first paint), the images arrive in parallel with
  the page's other files and are cached between pages. The notebooks keep the images inline.
* It offers every chapter as a Jupyter notebook: the theme's download menu gets an ``.ipynb`` entry,
  converted from the chapter's MyST Markdown with jupytext (code and text, no outputs: run it with the
  package installed, see the how-to-use page).
* It packs the course (chapters, package, data, tests, released exercise notebooks; never the exercise
  solutions) into ``_static/trialkit-course.zip`` and the released exercise notebooks into
  ``_static/exercise-notebooks/``, and adds a "download the course" button to every page's header: readers reach
  the code, the notebooks and the exercises from the book itself, online or opened from disk.
* It copies the data tables (CSV), ``data/datapackage.json`` and the Table Schemas to ``_static/data-tables/``,
  so that the data dictionary can offer each table for download.
* It lets folded code cells be named by their visible label ("Show the code").
* It removes an invalid ARIA role from reference lists and names the sidebar's section toggles.
* It loads MathJax only on pages that have math (Sphinx would also load it on every page whose table of
  contents reaches a page with math, such as the front page).
* It removes sphinx-thebe's hooks (they write a CDN address into every page; the book has no live code).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from pathlib import Path
from urllib.parse import unquote

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
HIDDEN_CODE_SUMMARY = '<summary aria-label="Toggle hidden content">'
CITATION_LIST = '<div role="list" class="citation-list">'


def write_bundle(folder: Path) -> Path:
    """Write the Vega bundle (vega, vega-lite, vega-embed) into ``folder``; reuse it if current."""
    import vl_convert as vlc

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / BUNDLE_NAME
    version = f"classic-1; vl-convert {vlc.__version__}; vega {vlc.get_vega_version()}; vega-embed {vlc.get_vega_embed_version()}"
    stamp = folder / (BUNDLE_NAME + ".version")
    if target.exists() and stamp.exists() and stamp.read_text() == version:
        return target
    bundle = vlc.javascript_bundle()
    # A classic script wrapped in a function: it runs from file:// too, and its top-level names (one of
    # them `_`, which Sphinx also defines) stay private; it publishes window.vegaEmbed, vega, vegaLite.
    target.write_text(f"/* Generated at build time by trialkit.tooling.sphinxext: {version} */\n"
                      f"(function () {{\n\"use strict\";\n{bundle}\n}})();\n", encoding="utf-8")
    stamp.write_text(version)
    return target


ROOT = Path(__file__).resolve().parents[3]
ARCHIVE_NAME = "trialkit-course.zip"
# What a reader needs to run the chapters and the exercises locally. exercises/source holds the
# solutions and is never packed.
ARCHIVE_INCLUDE = ["README.md", "LICENSE", "Makefile", "pyproject.toml", "requirements.txt", "constraints.txt",
                   "_config.yml", "_toc.yml", "scripts", "src", "book", "data", "tests", "exercises/README.md",
                   "exercises/release"]
ARCHIVE_SKIP = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", "_build", ".venv"}


def write_course_archive(target: Path, root: Path = ROOT) -> Path:
    """Zip the course's files (``ARCHIVE_INCLUDE``, relative to ``root``) into ``target``, under a
    top-level folder ``trialkit-course/``. Entries are sorted and dated 1980, so the archive is the same
    for the same files."""
    import zipfile

    missing = [name for name in ARCHIVE_INCLUDE if not (root / name).exists()]
    if missing:
        raise FileNotFoundError(f"course archive: {missing} not found under {root}")
    files = []
    for name in ARCHIVE_INCLUDE:
        path = root / name
        candidates = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        files += [f for f in candidates if not ARCHIVE_SKIP & set(f.relative_to(root).parts) and f.suffix != ".pyc"]
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for f in files:
            info = zipfile.ZipInfo(f"trialkit-course/{f.relative_to(root).as_posix()}", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, f.read_bytes())
    return target


def copy_exercise_notebooks(folder: Path, root: Path = ROOT) -> list[Path]:
    """Copy the released exercise notebooks to ``folder/<set>/<set>.ipynb`` (downloadable from the book)."""
    out = []
    for nb in sorted((root / "exercises" / "release").rglob("*.ipynb")):
        if ".ipynb_checkpoints" in nb.parts:
            continue
        target = folder / nb.relative_to(root / "exercises" / "release")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(nb.read_bytes())
        out.append(target)
    return out


DATA_FOLDER = "data-tables"  # served at _static/data-tables/, linked from the data dictionary (not "data": _config.yml excludes that name)


def copy_data_tables(folder: Path, root: Path = ROOT) -> list[Path]:
    """Copy every data table (``data/**/*.csv``), the Data Package descriptor and the Table Schemas to
    ``folder``, keeping their paths under ``data/``: readers download them from the data dictionary."""
    import shutil

    shutil.rmtree(folder, ignore_errors=True)  # a table removed from data/ is removed from the site
    data = root / "data"
    files = sorted(data.rglob("*.csv")) + [data / "datapackage.json"] + sorted((data / "schemas").glob("*.json"))
    out = []
    for f in files:
        target = folder / f.relative_to(data)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(f.read_bytes())
        out.append(target)
    return out


def _builder_inited(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    generated = Path(app.doctreedir).parent / "trialkit_static"
    write_bundle(generated)
    for name in (LOADER_NAME, CSS_NAME, QUIZ_NAME):
        (generated / name).write_bytes((STATIC / name).read_bytes())
    write_course_archive(generated / ARCHIVE_NAME)
    copy_exercise_notebooks(generated / "exercise-notebooks")  # not "exercises": _config.yml excludes that name
    copy_data_tables(generated / DATA_FOLDER)
    app.config.html_static_path.append(str(generated))
    app.add_css_file(CSS_NAME)


def _course_button(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """A header button on every page: download the course (code, chapters, data, exercises)."""
    buttons = context.get("header_buttons")
    if buttons is None or app.builder.format != "html":
        return
    buttons.insert(0, {
        "type": "link",
        "url": context["pathto"](f"_static/{ARCHIVE_NAME}", 1),
        "tooltip": "Download the course: chapters as notebooks, the trialkit package, data, tests, exercises",
        "icon": "fas fa-file-zipper",
        "text": "",
        "label": "download-course-button",
    })


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    body = context.get("body") or ""
    if CITATION_LIST in body:
        # docutils marks the reference list role="list" but its entries role="doc-biblioentry", which
        # assistive technology (and axe-core) rejects: a list must contain list items. Drop the role.
        body = context["body"] = body.replace(CITATION_LIST, '<div class="citation-list">')
    if HIDDEN_CODE_SUMMARY in body:
        # myst-nb names every folded code cell "Toggle hidden content", which hides its visible label
        # ("Show the code") from screen readers; the visible text is the better name.
        body = context["body"] = body.replace(HIDDEN_CODE_SUMMARY, "<summary>")
    if CHART_MARKER in body:
        if app.builder.name == "singlehtml":
            # The one page is written at the root document's path (book/index.html), but the builder's
            # links are relative to the site's root: point the images from where the page really is.
            up = "../" * app.config.root_doc.count("/")
            relative = lambda target: up + target  # noqa: E731
        else:
            relative = lambda target: context["pathto"](target, 1)  # noqa: E731
        eager = None if app.builder.name == "singlehtml" else 1
        body = context["body"] = externalise_chart_images(body, Path(app.outdir), relative, eager=eager)
        if app.builder.name != "singlehtml":  # on paper the figures are their images: no spec is loaded
            body = context["body"] = externalise_chart_specs(body, Path(app.outdir), relative)
        # A classic deferred script (module scripts are refused on file://); it loads the bundle itself
        # when a chart comes near the viewport, after the pre-rendered images have been painted.
        app.add_js_file(LOADER_NAME, loading_method="defer")
        bundle = context["pathto"](f"_static/{BUNDLE_NAME}", 1)
        context["metatags"] = context.get("metatags", "") + f'\n<link rel="prefetch" href="{bundle}" as="script">'

    if QUIZ_MARKER in body:
        app.add_js_file(QUIZ_NAME, loading_method="defer")


CHART_IMAGE = re.compile(r'<img class="tk-static" ([^>]*?)src="(data:image/svg\+xml;charset=utf-8,[^"]*)"')
CHARTS_DIR = "_charts"


def externalise_chart_images(body: str, outdir: Path, pathto, eager: int | None = None) -> str:
    """Write every pre-rendered chart image of a page's ``body`` (an SVG ``data:`` URI, see
    :func:`trialkit.charts.chart_html`) to ``outdir/_charts/<sha1>.svg`` and point the image at it
    (``pathto`` turns a path of the site into one relative to the page).

    With ``eager`` (a count), only the page's first ``eager`` images load at once; the others are marked
    ``loading="lazy"`` and are fetched when the reader scrolls near them. An SVG image is parsed and laid
    out on the page's main thread as soon as it arrives, so eager images further down held back the first
    paint of the page itself: on a 4x-throttled phone, INO-VATE's biases page (six charts) painted its
    first text at 1.14 s with every image eager and at 0.71 s with all but the first lazy, and E1910's
    results page painted its first chart at 1.14 s and 0.94 s (median of three loads each); a lazy chart
    then shows 0.2-0.35 s after the reader jumps straight to it (within 1 s, the budget). ``None`` keeps
    every image eager (the single page printed to PDF, where every figure must be there)."""

    count = itertools.count()

    def move(match: re.Match) -> str:
        svg = unquote(match.group(2)[len("data:image/svg+xml;charset=utf-8,"):])
        name = f"{hashlib.sha1(svg.encode()).hexdigest()[:20]}.svg"
        target = outdir / CHARTS_DIR / name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(svg, encoding="utf-8")
        lazy = 'loading="lazy" ' if eager is not None and next(count) >= eager else ""
        return f'<img class="tk-static" {lazy}{match.group(1)}src="{pathto(f"{CHARTS_DIR}/{name}")}"'

    return CHART_IMAGE.sub(move, body)


CHART_SPEC = re.compile(r'<script type="application/json" class="trialkit-chart-spec" data-target="tk-chart-([0-9a-f]+)">(.*?)</script>',
                        re.S)


def externalise_chart_specs(body: str, outdir: Path, pathto) -> str:
    """Write every chart's Vega-Lite specification of a page's ``body`` (inline JSON, see
    :func:`trialkit.charts.chart_html`) to ``outdir/_charts/<digest>.js`` and leave an empty element that
    names the file (``data-src``).

    A specification holds the figure's data (a laboratory's whole precomputed grid): inline, the heaviest
    pages carried most of a megabyte of JSON that every reader downloaded and parsed before the page was
    complete, although only the charts a reader scrolls to are ever drawn. The file is a classic script,
    ``window.trialkitChartSpec("<id>", {...})`` (``fetch`` and module scripts are refused on ``file://``;
    classic scripts are not), loaded by ``trialkit-charts.js`` when its chart comes near the viewport."""

    def move(match: re.Match) -> str:
        digest, payload = match.group(1), match.group(2)
        target = outdir / CHARTS_DIR / f"{digest}.js"
        script = f'window.trialkitChartSpec("tk-chart-{digest}", {payload});\n'
        if not target.exists() or target.read_text(encoding="utf-8") != script:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(script, encoding="utf-8")
        return (f'<script type="application/json" class="trialkit-chart-spec" data-target="tk-chart-{digest}" '
                f'data-src="{pathto(f"{CHARTS_DIR}/{digest}.js")}"></script>')

    return CHART_SPEC.sub(move, body)


def _offer_notebook(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Write the chapter as ``_sources/<page>.ipynb`` and name it in the context, so the theme's download
    menu offers it (the theme does so itself only when launch buttons are configured)."""
    if app.builder.format != "html" or doctree is None or context.get("ipynb_source"):
        return
    source = Path(app.env.doc2path(pagename))
    if source.suffix != ".md" or "kernelspec:" not in source.read_text(encoding="utf-8").split("\n---", 1)[0]:
        return
    import jupytext

    notebook = jupytext.read(source, fmt="md:myst")
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    jupytext.write(notebook, target, fmt="ipynb")
    context["ipynb_source"] = f"{pagename}.ipynb"


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


def _mathjax_only_with_math(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Sphinx counts a page as having equations when any page below it in the table of contents has
    some, so the root page (which lists the whole book) loads MathJax without any math. Keep MathJax
    (the offline copy) and its configuration only on pages whose own text has math."""
    if app.builder.format != "html" or app.registry.html_assets_policy == "always":
        return
    if app.env.get_domain("math").data["has_equations"].get(pagename, False):
        return
    scripts = context.get("script_files")
    if not scripts:
        return
    mathjax = app.config.mathjax_path
    drop = [js for js in scripts if getattr(js, "filename", js) in (f"_static/{mathjax}", mathjax)
            or "window.MathJax" in (getattr(js, "attributes", {}) or {}).get("body", "")]
    for js in drop:
        scripts.remove(js)


def _disable_thebe(app: Sphinx) -> None:
    """Jupyter Book always loads sphinx-thebe, which writes an unpkg.com address into every page even
    when launch buttons are off. The course has no live-code buttons, so its hooks are removed."""
    for event, listeners in app.events.listeners.items():
        for listener in list(listeners):
            module = getattr(listener.handler, "__module__", "") or ""
            if module.startswith("sphinx_thebe") and listener.handler.__name__ != "st_static_path":
                app.disconnect(listener.id)


def _add_templates(app: Sphinx, config) -> None:
    """The book's template overrides (``templates/layout.html``: no search index on ordinary pages)."""
    config.templates_path.append(str(Path(__file__).parent / "templates"))


def setup(app: Sphinx) -> dict:
    os.environ[BOOK_BUILD_ENV] = "1"
    app.connect("config-inited", _add_templates)
    _disable_thebe(app)
    app.connect("builder-inited", _builder_inited)
    app.connect("html-page-context", _page_context)
    app.connect("html-page-context", _offer_notebook, priority=400)  # before the theme builds its buttons
    app.connect("html-page-context", _course_button, priority=600)  # after it
    app.connect("html-page-context", _name_sidebar_toggles, priority=900)
    app.connect("html-page-context", _mathjax_only_with_math, priority=950)  # after sphinx.ext.mathjax (500)  # after the theme's own handler
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}

"""The printable book: ``python -m trialkit.tooling.pdf [--output FILE] [--toc TOC]`` (``make pdf``).

Two steps, both offline and with tools the project already has:

1. Jupyter Book builds the whole book as one HTML page (Sphinx's ``singlehtml`` builder), strictly
   (warnings are errors) and with the same execution cache as ``python -m trialkit.tooling.build``, so
   chapters already executed for the web book are not executed again.
2. Debian's chromium (``/usr/bin/chromium``, driven by Playwright as in the browser tests; never a
   downloaded browser) opens that page from a local server, with every non-local request blocked, and
   prints it to PDF with a document outline built from the headings (chapters and their sections).

What cannot work on paper is printed as its static form (:data:`PRINT_CSS`): every figure is its
pre-rendered SVG image (the interactive chart is never drawn: the Vega bundle is not even loaded), the
figures' controls are hidden, collapsed dropdowns and evidence tables are printed open, the sidebars,
header, buttons and page navigation are left out, quiz questions print without their buttons, and a
linked contents page follows the title.

``--toc`` prints a few pages (the tests do): cross-references to pages left out of that table of
contents are then expected and tolerated; every other warning still fails the build.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from trialkit.tooling import browser as tkbrowser
from trialkit.tooling.build import ROOT, BuildResult, _reports, run_jupyter_book

DEFAULT_OUTPUT = "book.pdf"
# Cross-references to pages left out of a partial table of contents (``--toc``): expected, not a failure.
OUTSIDE_TOC = ("WARNING: unknown document:", "WARNING: undefined label:")

# Paper has no interaction: show each figure's static image only, open every disclosure, drop navigation.
PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
html, body { background: #fff !important; }
.bd-header, .bd-header-announcement, .bd-sidebar-primary, .bd-sidebar-secondary, .header-article,
.bd-footer, .bd-footer-article, .bd-footer-content, .prev-next-area, .footer-article-items,
.article-header-buttons, .headerlink, .toctree-toggle, .skip-link, .search-button-field,
.tk-live, .vega-bindings, .vega-actions, .tk-details-hint, #jb-print-docs-body,
.trialkit-quiz .tk-check, .trialkit-quiz .tk-feedback, #pst-back-to-top, .bd-search, button.btn { display: none !important; }
nav.tk-print-contents { break-after: page; }
nav.tk-print-contents ol { list-style: none; padding-left: 0; }
nav.tk-print-contents ol ol { padding-left: 1.4em; }
nav.tk-print-contents li { margin: 0.15em 0; }
nav.tk-print-contents a { text-decoration: none; }
.bd-main, .bd-content, .bd-article-container, .bd-article, .bd-page-width, .bd-container,
.bd-container__inner { max-width: none !important; width: auto !important; padding: 0 !important; margin: 0 !important;
  overflow: visible !important; display: block !important; }
.trialkit-chart { break-inside: avoid; page-break-inside: avoid; }
.trialkit-chart img.tk-static { display: block !important; visibility: visible !important; position: static !important;
  max-width: 100% !important; height: auto !important; }
details > summary { list-style: none; font-weight: 600; }
details > summary::-webkit-details-marker { display: none; }
details .sd-summary-up, details .sd-summary-down, details .sd-summary-state-marker { display: none !important; }
.trialkit-table-wrap { overflow: visible !important; }
table { break-inside: auto; }
tr, img, svg, figure { break-inside: avoid; }
h1, h2, h3, h4 { break-after: avoid; }
a { color: inherit; }
"""

# Before printing: every <details> open (dropdowns, evidence tables); links to the local server's files
# unlinked (the PDF has no server behind it); every figure's image named by its
# chart's description (so the tagged PDF marks it as a figure with that text) and loaded now, not lazily;
# a linked contents list after the title, one entry per chapter and its sections (the single page's
# documents, in reading order; the PDF outline has every heading as well).
PREPARE_JS = """async () => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('.trialkit-chart').forEach(c => {
    const img = c.querySelector('img.tk-static');
    if (img && !img.alt) { img.alt = c.getAttribute('aria-label') || 'Figure'; }
  });
  // Links to files of the local server (downloads, search) would be dead addresses in the PDF: keep
  // their text, drop the link; links within the book become links within the PDF.
  document.querySelectorAll('a[href]').forEach(a => {
    const target = new URL(a.getAttribute('href'), location.href);
    if (target.origin === location.origin && target.pathname !== location.pathname) { a.removeAttribute('href'); }
  });
  const images = Array.from(document.images);
  images.forEach(img => { img.loading = 'eager'; });
  await Promise.all(images.map(img => img.complete ? null : new Promise(r => { img.onload = img.onerror = r; })));
  const article = document.querySelector('article.bd-article') || document.body;
  const entries = [];
  article.querySelectorAll('span[id^="document-"]').forEach(anchor => {
    const section = anchor.nextElementSibling;
    const heading = section && section.querySelector('h1, h2, h3');
    if (!heading) { return; }
    const text = Array.from(heading.childNodes).filter(n => !(n.classList && n.classList.contains('headerlink')))
      .map(n => n.textContent).join('').trim();
    entries.push({ id: anchor.id, text: text, depth: anchor.id.split('/').length });
  });
  const title = article.querySelector('h1');
  if (entries.length && title) {
    const nav = document.createElement('nav');
    nav.className = 'tk-print-contents';
    nav.setAttribute('aria-label', 'Contents');
    const h = document.createElement('h2');
    h.textContent = 'Contents';
    nav.appendChild(h);
    const top = document.createElement('ol');
    nav.appendChild(top);
    let lastTop = null, lastDepth = null;
    entries.forEach(e => {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = '#' + e.id; a.textContent = e.text; li.appendChild(a);
      const isIndex = e.id.endsWith('/index');
      if (lastTop && !isIndex && e.depth > 2 && e.id.split('/').slice(0, -1).join('/') === lastTop.prefix) {
        let sub = lastTop.li.querySelector('ol');
        if (!sub) { sub = document.createElement('ol'); lastTop.li.appendChild(sub); }
        sub.appendChild(li);
      } else {
        top.appendChild(li);
        lastTop = { li: li, prefix: isIndex ? e.id.split('/').slice(0, -1).join('/') : null };
      }
    });
    title.insertAdjacentElement('afterend', nav);
  }
  if (document.fonts && document.fonts.ready) { await document.fonts.ready; }
  return { images: images.length, contents: entries.length };
}"""


@dataclass
class PdfResult:
    build: BuildResult
    pdf: Path | None
    build_seconds: float
    print_seconds: float

    @property
    def ok(self) -> bool:
        return self.build.ok and self.pdf is not None and self.pdf.exists()


def build_single_page(root: Path = ROOT, path_output: Path | None = None, toc: Path | None = None,
                      quiet: bool = False) -> BuildResult:
    """The book as one HTML page (``<path_output>/_build/singlehtml/index.html``), built strictly with the
    execution cache of the web build (``path_output`` defaults to ``root``, like ``make book``)."""
    path_output = Path(path_output or root).resolve()
    out = path_output / "_build" / "singlehtml"
    returncode, seconds, log, warnings = run_jupyter_book(root, path_output, builder="singlehtml", toc=toc, quiet=quiet)
    problems = []
    if returncode != 0:
        problems = warnings
        if toc:
            # A partial book necessarily points at pages left out of it; any other warning still fails.
            problems = [line for line in problems if not any(m in line for m in OUTSIDE_TOC)]
            if problems or "build finished with problems" not in log:
                problems = problems or ["jupyter-book exited with an error (see the log above)"]
        else:
            problems = problems or ["jupyter-book exited with an error (see the log above)"]
        problems = problems + _reports(out) if problems else []
    elif not (out / "index.html").exists():
        problems = [f"jupyter-book succeeded but wrote no {out / 'index.html'}"]
    # With a partial table of contents, a build whose only warnings point outside it is a success.
    returncode = 0 if toc and returncode == 1 and not problems else returncode
    return BuildResult(returncode, seconds, out, log, problems)


def _start_page(single_page: Path) -> str:
    """The one page's address inside ``single_page``: Jupyter Book writes it at the root document's path
    (``book/index.html``) and a redirect at ``index.html``."""
    from trialkit.tooling.build import toc_files

    root_doc = f"{toc_files()[0]}.html"
    return root_doc if (single_page / root_doc).exists() else "index.html"


def print_to_pdf(single_page: Path, output: Path) -> Path:
    """Print the one-page book in folder ``single_page`` (its ``index.html``) to ``output`` with chromium."""
    return tkbrowser.outside_event_loop(_print_to_pdf, single_page, output)


def _print_to_pdf(single_page: Path, output: Path) -> Path:
    single_page = Path(single_page).resolve()
    if not (single_page / "index.html").exists():
        raise FileNotFoundError(f"{single_page / 'index.html'} does not exist: build the single page first")
    output = Path(output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tkbrowser.serve(single_page) as url, tkbrowser.launch() as browser:
        context = browser.new_context(viewport=tkbrowser.DESKTOP)
        page = context.new_page()
        blocked = []

        def route(r):
            address = r.request.url
            local = address.startswith(("data:", "blob:")) or urlparse(address).hostname in tkbrowser.LOCAL_HOSTS
            # The Vega bundle is never needed on paper: the figures print as their pre-rendered images.
            if local and not address.split("?")[0].endswith("/vega-bundle.js"):
                r.continue_()
            else:
                if not local:
                    blocked.append(address)
                r.abort()

        page.route("**/*", route)
        try:
            page.goto(f"{url}/{_start_page(single_page)}", wait_until="load")
            page.emulate_media(media="print")
            page.add_style_tag(content=PRINT_CSS)
            page.evaluate(PREPARE_JS)
            page.wait_for_timeout(300)  # MathJax typesets after load; let it finish
            page.pdf(path=str(output), format="A4", print_background=True, outline=True, tagged=True,
                     display_header_footer=True, header_template="<span></span>",
                     footer_template='<div style="font-size:8px;width:100%;text-align:center;color:#555">'
                                     '<span class="pageNumber"></span> / <span class="totalPages"></span></div>',
                     margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"})
        finally:
            context.close()
    if blocked:
        print(f"pdf: blocked {len(blocked)} non-local request(s), e.g. {blocked[0]}", file=sys.stderr)
    return output


def make_pdf(root: Path = ROOT, output: Path | None = None, path_output: Path | None = None,
             toc: Path | None = None, quiet: bool = False) -> PdfResult:
    """Build the book as one page, then print it to ``output`` (default ``<root>/_build/book.pdf``)."""
    path_output = Path(path_output or root).resolve()
    output = Path(output or path_output / "_build" / DEFAULT_OUTPUT)
    result = build_single_page(root, path_output, toc, quiet=quiet)
    if not result.ok:
        return PdfResult(result, None, result.seconds, 0.0)
    t0 = time.perf_counter()
    pdf = print_to_pdf(result.html, output)
    return PdfResult(result, pdf, result.seconds, time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=None, help="the PDF to write (default: _build/book.pdf)")
    parser.add_argument("--path-output", type=Path, default=None, help="folder that receives _build/ (default: repository root)")
    parser.add_argument("--toc", type=Path, default=None, help="print another table of contents (a few pages)")
    args = parser.parse_args(argv)
    result = make_pdf(ROOT, args.output, args.path_output, args.toc)
    if not result.ok:
        print("\nPDF FAILED: the single-page build did not succeed:", file=sys.stderr)
        for problem in result.build.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    size = result.pdf.stat().st_size / 1e6
    print(f"\nWrote {result.pdf} ({size:.1f} MB): single page built in {result.build_seconds:.0f} s, "
          f"printed in {result.print_seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

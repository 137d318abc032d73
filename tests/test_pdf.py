"""The printable book (``make pdf``): a few pages are built as one HTML page and printed by chromium, then
the PDF is read back with pypdf: its page count, its figures (drawn, tagged with their description),
its outline and printed contents naming every chapter, and nothing interactive left on paper."""

from __future__ import annotations

import html as htmlmod
import json
import re
import unicodedata
from pathlib import Path

import pypdf
import pytest

from trialkit.tooling.build import ROOT, toc_files
from trialkit.tooling.pdf import make_pdf

pytestmark = [pytest.mark.book, pytest.mark.browser]

# A few pages: the root, a chapter with a section that has figures, a dropdown and a quiz, the
# glossary and the references (the full book is printed by `make pdf`).
SMALL_TOC = """\
format: jb-book
root: book/index
parts:
  - caption: "Part II: The trials"
    chapters:
      - file: book/tower/index
        sections:
          - file: book/tower/design
  - caption: Reference
    chapters:
      - file: book/glossary
      - file: book/bibliography
"""


def _norm(text: str) -> str:
    """Text as extracted from the PDF compares with the HTML's and the Markdown's: ligatures (fi, ff)
    spelt out, soft hyphens dropped, curly apostrophes straight, runs of white space one space."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "").replace("\u2019", "'")  # Sphinx's smart quotes
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf")
    toc = out / "toc.yml"
    toc.write_text(SMALL_TOC)
    result = make_pdf(ROOT, out / "book.pdf", out, toc, quiet=True)
    if not result.ok:
        pytest.fail("PDF build failed:\n" + "\n".join(result.build.problems), pytrace=False)
    single = (result.build.html / "book" / "index.html").read_text(encoding="utf-8")
    reader = pypdf.PdfReader(result.pdf)
    pages_text = [_norm(page.extract_text() or "") for page in reader.pages]
    return {"toc": toc, "html": single, "reader": reader, "pages": pages_text, "text": " ".join(pages_text)}


def _titles(toc: Path) -> list[str]:
    """Each page's title, from its Markdown source (the first level-1 heading)."""
    titles = []
    for doc in toc_files(ROOT, toc):
        heading = next(line for line in (ROOT / f"{doc}.md").read_text(encoding="utf-8").splitlines() if line.startswith("# "))
        titles.append(_norm(heading[2:]))
    return titles


def _outline(items, depth=0):
    for item in items:
        if isinstance(item, list):
            yield from _outline(item, depth + 1)
        else:
            yield depth, _norm(item.title)


def _figures(reader: pypdf.PdfReader) -> list[tuple[str, bool]]:
    """Every /Figure structure element of the tagged PDF: its alternative text, and whether it holds
    marked content painted on a page (an integer MCID, or a marked-content reference)."""
    found = []

    def painted(k) -> bool:
        k = k.get_object()
        if isinstance(k, int):
            return True
        if isinstance(k, list):
            return any(painted(x) for x in k)
        return hasattr(k, "get") and (k.get("/Type") == "/MCR" or (k.get("/K") is not None and painted(k["/K"])))

    def walk(node):
        node = node.get_object()
        if isinstance(node, list):
            for child in node:
                walk(child)
            return
        if not hasattr(node, "get"):
            return
        if node.get("/S") == "/Figure":
            found.append((_norm(str(node.get("/Alt", ""))), node.get("/K") is not None and painted(node["/K"])))
        if node.get("/K") is not None:
            walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"]["/K"])
    return found


def test_page_count_fits_the_text(printed):
    reader, pages = printed["reader"], printed["pages"]
    visible = _norm(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", printed["html"].split('<article', 1)[1], flags=re.S)))
    # An A4 page at the book's print size holds well under 6,000 characters: fewer pages would mean that
    # content went missing; each page has its number in the footer.
    assert len(reader.pages) >= len(visible) // 6000, (len(reader.pages), len(visible))
    assert len(reader.pages) >= len(toc_files(ROOT, printed["toc"]))
    for number, text in enumerate(pages, start=1):
        assert f"{number} / {len(pages)}" in text, f"page {number} has no page number"
        assert len(text) > 40, f"page {number} is (nearly) blank: {text!r}"


def test_every_figure_is_printed_as_its_static_image(printed):
    charts = re.findall(r'<div class="trialkit-chart" id="(tk-chart-[0-9a-f]+)"[^>]*aria-label="([^"]*)"', printed["html"])
    assert len(charts) >= 3, "the small book should hold several figures"
    figures = _figures(printed["reader"])
    for chart_id, label in charts:
        label = _norm(htmlmod.unescape(label))
        assert (label, True) in figures, f"figure {chart_id} ({label[:60]}...) is not drawn in the PDF as a tagged figure"
    # Drawn as vector graphics: each figure's own title is text on a page.
    specs = re.findall(r'<script type="application/json" class="trialkit-chart-spec" data-target="([^"]+)">(.*?)</script>',
                       printed["html"], flags=re.S)
    assert len(specs) == len(charts)
    for chart_id, payload in specs:
        title = json.loads(payload.replace("<\\/", "</")).get("title")
        text = title.get("text") if isinstance(title, dict) else title
        if isinstance(text, list):
            text = " ".join(text)
        if text:
            assert _norm(text) in printed["text"], f"the title of figure {chart_id} ({text!r}) is not in the PDF"


def test_outline_and_contents_name_every_chapter(printed):
    outline = list(_outline(printed["reader"].outline))
    titles = _titles(printed["toc"])
    named = {title.replace(" ", "") for _, title in outline}  # (a title wrapped on two lines loses its space)
    for title in titles:
        assert title.replace(" ", "") in named, f"the PDF outline does not name {title!r}: {outline}"
    # The printed contents (first page) lists every page after the root, in reading order.
    first = printed["pages"][0]
    assert first.startswith(titles[0]) and "Contents" in first
    positions = [first.find(title) for title in titles[1:]]
    assert all(p > 0 for p in positions), list(zip(titles[1:], positions))
    assert positions == sorted(positions)
    # Sections sit under their chapter in the outline.
    depth = {title.replace(" ", ""): d for d, title in outline}
    assert depth[titles[2].replace(" ", "")] > depth[titles[1].replace(" ", "")], "TOWER: design should be nested under the TOWER chapter"


def test_dropdowns_print_open_and_controls_are_left_out(printed):
    html, text = printed["html"], printed["text"]
    bodies = re.findall(r"<details[^>]*>\s*<summary.*?</summary>(.*?)</details>", html.split('<article', 1)[1], flags=re.S)
    assert bodies, "the small book should hold a dropdown"
    packed = text.replace(" ", "")  # (tags and line breaks place spaces differently in HTML and PDF text)
    for body in bodies:
        words = _norm(htmlmod.unescape(re.sub(r"<[^>]+>", " ", body))).split(" ")[:6]
        assert "".join(words) in packed, f"a collapsed section was not printed open: {' '.join(words)!r}"
    assert 'class="trialkit-quiz"' in html
    # quiz buttons do nothing on paper: the words are printed only where the prose uses them
    article = html.split('<article', 1)[1]
    buttons = article.count('class="tk-check">Check answer</button>')
    assert buttons > 0
    assert text.count("Check answer") == article.count("Check answer") - buttons
    for chrome in ("Skip to main content", "Back to top", "Ctrl+K", "Toggle navigation"):  # header, sidebars
        assert chrome not in text
    # No link to the local server that printed the book (a dead address in the PDF).
    uris = [annot.get_object()["/A"].get("/URI", "") for page in printed["reader"].pages
            for annot in (page.get("/Annots") or []) if annot.get_object().get("/A") is not None]
    assert not [u for u in uris if "127.0.0.1" in u or "localhost" in u]


def test_printing_starts_even_inside_a_running_event_loop():
    # An earlier notebook run (nbclient) can leave an asyncio loop running in the test thread; Playwright's
    # sync API refuses to start there, so the browser job runs in a worker thread, and its errors come back.
    # (The loops here run in a thread of their own: this one may already have a loop running.)
    import asyncio
    import threading

    from trialkit.tooling.browser import outside_event_loop

    def job(x):
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return x * 2
        raise AssertionError("the job ran inside the caller's event loop")

    def fails():
        raise ValueError("from the worker")

    async def inside():
        assert asyncio.get_running_loop()  # the situation being tested: a loop runs in the caller's thread
        doubled = outside_event_loop(job, 21)
        with pytest.raises(ValueError, match="from the worker"):
            outside_event_loop(fails)
        return doubled

    results = {}

    def caller():
        try:
            results["inside"] = asyncio.run(inside())
        except BaseException as error:  # reported in the test's thread below
            results["error"] = error

    thread = threading.Thread(target=caller)
    thread.start()
    thread.join()
    assert "error" not in results, results.get("error")
    assert results["inside"] == 42
    thread = threading.Thread(target=lambda: results.__setitem__("outside", outside_event_loop(job, 4)))
    thread.start()
    thread.join()
    assert results["outside"] == 8

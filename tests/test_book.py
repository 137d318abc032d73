"""The strict build, the built HTML (offline, light, within budget) and how failures are reported."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest

from trialkit.tooling.build import ROOT, build, pages_missing_from_toc, toc_files

CDN_PATTERN = re.compile(
    r"cdn\.jsdelivr\.net|unpkg\.com|cdnjs\.cloudflare\.com|cdn\.plot\.ly|ajax\.googleapis\.com|"
    r"fonts\.googleapis\.com|fonts\.gstatic\.com|code\.jquery\.com|cdn\.mathjax\.org|polyfill\.io|"
    r"stackpath\.bootstrapcdn\.com|use\.fontawesome\.com|esm\.sh|skypack\.dev"
)
REMOTE_ASSET = re.compile(r"""<(?:script|link|img|iframe|source)\b[^>]*?\b(?:src|href)=["'](https?:)?//""", re.I)
MAX_PAGE_BYTES = 1_500_000


def html_pages(html: Path) -> list[Path]:
    return [html / f"{doc}.html" for doc in toc_files()]


def test_every_page_in_book_folder_is_in_the_toc():
    assert pages_missing_from_toc() == []


def test_toc_pages_exist():
    for doc in toc_files():
        assert (ROOT / f"{doc}.md").exists(), f"_toc.yml lists {doc} but {doc}.md does not exist"


def test_strict_build_succeeds(built_book):
    for page in html_pages(built_book):
        assert page.exists(), f"{page} was not built"


def test_no_cdn_address_in_built_html(built_book):
    offenders = []
    for page in built_book.rglob("*.html"):
        text = page.read_text(errors="replace")
        for m in CDN_PATTERN.finditer(text):
            offenders.append(f"{page.relative_to(built_book)}: {m.group(0)}")
        for m in REMOTE_ASSET.finditer(text):
            offenders.append(f"{page.relative_to(built_book)}: remote asset {m.group(0)}")
    assert offenders == []


def test_require_js_only_on_pages_with_widgets(built_book):
    for page in html_pages(built_book):
        text = page.read_text()
        if "application/vnd.jupyter.widget-view+json" not in text:
            assert "require.min.js" not in text and "require.js" not in text, f"{page.name} loads require.js without widgets"


def test_pages_within_weight_budget(built_book):
    heavy = {p.name: p.stat().st_size for p in html_pages(built_book) if p.stat().st_size > MAX_PAGE_BYTES}
    assert heavy == {}


def test_vega_bundle_generated_not_committed(built_book):
    bundle = built_book / "_static" / "vega-bundle.js"
    assert bundle.exists() and bundle.stat().st_size > 100_000
    tracked = (ROOT / "src" / "trialkit" / "tooling" / "static").glob("vega*.js")
    assert list(tracked) == [], "the Vega bundle is generated at build time; it must not be in the repository"


def test_charts_only_load_vega_where_needed(built_book):
    for page in html_pages(built_book):
        text = page.read_text()
        has_chart = 'class="trialkit-chart"' in text
        assert ("vega-bundle.js" in text) == has_chart, page.name


# --- failures are reported with the page and the traceback -------------------------------------------

BROKEN_PAGES = {
    "raises": """
        ---
        jupytext:
          text_representation: {extension: .md, format_name: myst}
        kernelspec: {name: python3, display_name: Python 3, language: python}
        ---
        # Raises
        ```{code-cell} ipython3
        1 / 0
        ```
        """,
    "badref": """
        # Bad reference
        See {doc}`no-such-page`.
        """,
    "badimage": """
        # Missing static file
        ```{image} missing-figure.png
        :alt: a figure that is not there
        ```
        """,
}


@pytest.fixture(scope="module")
def broken_book(tmp_path_factory):
    root = tmp_path_factory.mktemp("broken")
    shutil.copy(ROOT / "_config.yml", root / "_config.yml")
    (root / "book").mkdir()
    shutil.copy(ROOT / "book" / "references.bib", root / "book" / "references.bib")
    (root / "book" / "index.md").write_text("# Broken book\n")
    for name, text in BROKEN_PAGES.items():
        (root / "book" / f"{name}.md").write_text(textwrap.dedent(text).lstrip())
    (root / "book" / "orphan.md").write_text("# Not in the TOC\n")
    chapters = "\n".join(f"  - file: book/{name}" for name in BROKEN_PAGES)
    (root / "_toc.yml").write_text(f"format: jb-book\nroot: book/index\nchapters:\n{chapters}\n")
    return build(root, root, quiet=True)


def test_broken_book_fails(broken_book):
    assert not broken_book.ok


def test_cell_error_names_page_and_shows_traceback(broken_book):
    report = "\n".join(broken_book.problems)
    assert "book/raises" in report
    assert "ZeroDivisionError" in report


def test_broken_reference_names_page(broken_book):
    assert any("badref" in p and "no-such-page" in p for p in broken_book.problems)


def test_missing_static_file_names_page(broken_book):
    assert any("badimage" in p and "missing-figure.png" in p for p in broken_book.problems)


def test_page_missing_from_toc_is_reported(broken_book):
    assert any("book/orphan" in p and "_toc.yml" in p for p in broken_book.problems)


def test_cache_is_invalidated_when_package_or_data_change(tmp_path):
    from trialkit.tooling.build import _invalidate_cache_if_inputs_changed, inputs_digest

    root = tmp_path / "repo"
    for folder in ("src/trialkit", "data", "book/quizzes"):
        (root / folder).mkdir(parents=True)
    (root / "src/trialkit/mod.py").write_text("x = 1\n")
    (root / "data/t.csv").write_text("a\n1\n")
    out = tmp_path / "out"
    cache = out / "_build" / ".jupyter_cache"
    _invalidate_cache_if_inputs_changed(root, out)
    cache.mkdir(parents=True)
    _invalidate_cache_if_inputs_changed(root, out)
    assert cache.exists(), "nothing changed: the cache must be kept"
    before = inputs_digest(root)
    (root / "data/t.csv").write_text("a\n2\n")
    assert inputs_digest(root) != before
    _invalidate_cache_if_inputs_changed(root, out)
    assert not cache.exists(), "data changed: the cache must be dropped"


def test_downloads_linked_from_the_book_exist(built_book):
    """Notebooks, the course zip and the exercise notebooks are part of the site (they work from disk too)."""
    import re

    assert (built_book / "_static" / "trialkit-course.zip").stat().st_size > 10_000
    missing = []
    for page in html_pages(built_book):
        for href in re.findall(r'href="([^"#?]+\.(?:ipynb|zip|csv|json))"', page.read_text()):
            if not (page.parent / href).resolve().exists():
                missing.append(f"{page.relative_to(built_book)} -> {href}")
    assert missing == []
    assert (built_book / "_sources" / "book" / "precision.ipynb").exists()
    # The data dictionary offers every data table (CSV), the descriptor and the schemas for download.
    dictionary = (built_book / "book" / "data-dictionary.html").read_text()
    for csv in sorted((ROOT / "data").rglob("*.csv")):
        assert f'href="../_static/data-tables/{csv.relative_to(ROOT / "data").as_posix()}"' in dictionary, f"no download link for {csv.name}"
    assert 'href="../_static/data-tables/datapackage.json"' in dictionary

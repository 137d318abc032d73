"""Parallel execution of the chapters into Jupyter Book's cache (trialkit.tooling.execution)."""

from __future__ import annotations

from pathlib import Path

import pytest
from jupyter_cache import get_cache

from trialkit.tooling.build import ROOT
from trialkit.tooling.execution import _config, execute_missing, read_chapter

HEADER = """---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def chapter(body: str) -> str:
    return HEADER + "\n# A page\n\n" + body


def make_book(tmp_path: Path, pages: dict[str, str]) -> Path:
    (tmp_path / "_config.yml").write_text("execute:\n  timeout: 60\nparse:\n  myst_enable_extensions: [colon_fence]\n")
    for name, text in pages.items():
        path = tmp_path / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_chapters_run_in_parallel_into_the_cache_and_failures_are_left_to_the_build(tmp_path):
    root = make_book(tmp_path, {
        "book/a": chapter("```{code-cell} ipython3\nprint(6 * 7)\n```\n"),
        "book/b": chapter("```{code-cell} ipython3\nimport os\nprint(os.environ.get('TRIALKIT_BOOK_BUILD'))\n```\n"),
        "book/broken": chapter("```{code-cell} ipython3\n1 / 0\n```\n"),
        "book/plain": "# No code, not a notebook\n",
    })
    cache_dir = tmp_path / "_build" / ".jupyter_cache"
    docs = ["book/a", "book/b", "book/broken", "book/plain", "book/missing"]
    report = execute_missing(root, cache_dir, docs, workers=2, log=lambda _: None)
    assert sorted(report["executed"]) == ["book/a.md", "book/b.md"]
    assert report["failed"] == ["book/broken.md"]
    cache = get_cache(str(cache_dir))
    outputs = {}
    for name in ("a", "b"):
        record = cache.match_cache_notebook(read_chapter(root / f"book/{name}.md", ["colon_fence"]))
        nb = cache.get_cache_bundle(record.pk).nb
        outputs[name] = nb.cells[-1].outputs[0]["text"].strip()
    assert outputs == {"a": "42", "b": "1"}  # the kernels render for the book
    with pytest.raises(KeyError):
        cache.match_cache_notebook(read_chapter(root / "book/broken.md", ["colon_fence"]))
    # A second run finds them cached and runs only the failing one, which is not worth a pool.
    again = execute_missing(root, cache_dir, docs, workers=2, log=lambda _: None)
    assert again == {"executed": [], "failed": [], "cached": 2, "seconds": 0.0}


def test_a_chapter_is_read_as_myst_nb_reads_it_so_the_build_finds_it_cached(tmp_path):
    """The cache matches a notebook by its code cells, their metadata and its kernelspec: the notebook
    executed here must hash like the one myst-nb reads inside Sphinx, for every chapter of the book."""
    from myst_nb.core.config import NbParserConfig
    from myst_nb.core.read import create_nb_reader
    from myst_parser.config.main import MdParserConfig

    extensions = _config(ROOT)["parse"]["myst_enable_extensions"]
    cache = get_cache(str(tmp_path / "cache"))
    checked = 0
    for path in sorted((ROOT / "book").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        reader = create_nb_reader(str(path), MdParserConfig(enable_extensions=set(extensions)), NbParserConfig(), text)
        ours = read_chapter(path, extensions)
        if reader is None:
            assert ours is None, path
            continue
        theirs = reader.read(text)
        assert cache.create_hashed_notebook(ours)[1] == cache.create_hashed_notebook(theirs)[1], path
        checked += 1
    assert checked >= 30


def test_workers_must_be_positive(tmp_path):
    root = make_book(tmp_path, {})
    with pytest.raises(ValueError, match="workers must be at least 1, got 0"):
        execute_missing(root, tmp_path / "cache", [], workers=0)

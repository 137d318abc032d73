"""Shared fixtures: the book is built once per test session (strictly, into a temporary folder), served
on 127.0.0.1, and opened in Debian's chromium through Playwright with every non-local request blocked."""

from __future__ import annotations

from pathlib import Path

import pytest

from trialkit.tooling import browser as tkbrowser
from trialkit.tooling.build import ROOT, build


def pytest_addoption(parser):
    parser.addoption("--built-html", default=None,
                     help="reuse an already built site (folder with index.html) instead of building; for local iteration")
    parser.addoption("--toc", default=None,
                     help="with --built-html: the table of contents that site was built with (browser tests visit its pages)")


@pytest.fixture(scope="session")
def built_book(tmp_path_factory, request):
    """The strictly built book. Fails with every problem (and execution report) listed."""
    existing = request.config.getoption("--built-html")
    if existing:
        html = Path(existing).resolve()
        assert (html / "index.html").exists(), f"--built-html {html} has no index.html"
        return html
    out = tmp_path_factory.mktemp("book")
    result = build(ROOT, out, quiet=True)
    if not result.ok:
        pytest.fail("strict book build failed:\n" + "\n".join(result.problems), pytrace=False)
    return result.html


@pytest.fixture(scope="session")
def site(built_book):
    with tkbrowser.serve(built_book) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    with tkbrowser.launch() as b:
        yield b

"""The chapter preamble: one call at the top of every chapter.

``trialkit.book.setup()`` sets the Altair theme (colour-blind-safe palette, legible in the book's light
theme), the renderer (offline HTML in the built book, native Vega-Lite in JupyterLab), the data
transformer and pandas display options, so that every chapter looks and behaves the same.
"""

from __future__ import annotations

import os

import pandas as pd

from trialkit import charts

BOOK_BUILD_ENV = "TRIALKIT_BOOK_BUILD"


def in_book_build() -> bool:
    """True when the code runs inside a kernel started by the book build (set by ``trialkit.tooling.sphinxext``)."""
    return os.environ.get(BOOK_BUILD_ENV) == "1"


def setup(renderer: str | None = None) -> None:
    """Prepare a chapter: Altair theme, renderer and data transformer, pandas display.

    Parameters
    ----------
    renderer:
        ``"book"`` (static HTML + JSON spec, rendered by the book's self-hosted Vega bundle),
        ``"jupyter"`` (Altair's native Vega-Lite output for JupyterLab), or ``None`` to choose
        ``"book"`` during a book build and ``"jupyter"`` otherwise.
    """
    if renderer is None:
        renderer = "book" if in_book_build() else "jupyter"
    if renderer not in ("book", "jupyter"):
        raise ValueError(f"renderer must be 'book', 'jupyter' or None, got {renderer!r}")
    charts.enable_theme()
    charts.enable_renderer(renderer)
    pd.set_option("display.precision", 3)
    pd.set_option("display.max_rows", 60)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 120)


def table(frame: pd.DataFrame, caption: str | None = None, index: bool = False):
    """Display a DataFrame as a plain, accessible HTML table (header cells, optional caption, no index).

    Returns an ``IPython.display.HTML`` object: the last expression of a cell, or pass it to ``display``.
    """
    from html import escape

    from IPython.display import HTML

    frame = frame.copy()
    frame.columns.name = None
    body = frame.to_html(index=index, escape=True, border=0, classes="trialkit-table", na_rep="")
    if caption:
        body = body.replace('class="dataframe trialkit-table">', f'class="dataframe trialkit-table">\n  <caption>{escape(caption)}</caption>', 1)
    # A wide table scrolls inside a focusable region, so keyboard users can scroll it too.
    label = escape(caption or "Table", quote=True)
    return HTML(f'<div class="trialkit-table-wrap" role="region" tabindex="0" aria-label="{label}">{body}</div>')

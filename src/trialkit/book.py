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
    """True when the code runs inside a kernel started by the book build (set by ``trialkit.sphinxext``)."""
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


LEDGER_COLUMN = "Ledger"


def ledger_summary(marks) -> str:
    """One line for a table's per-row ledger marks (``"✓ 2 recomputed numbers match"``, ``"✗ 1 not
    reproduced ..."``, ``"– not recomputable ..."`` or empty): how many numbers match, and how many
    rows were not reproduced or cannot be recomputed."""
    import re

    matched = failed = unrecomputable = 0
    for mark in marks:
        mark = str(mark or "").strip()
        if not mark:
            continue
        if mark.startswith("✗"):
            failed += 1
        elif mark.startswith("–"):
            unrecomputable += 1
        else:
            found = re.match(r"✓ (\d+) recomputed", mark)
            if not found:
                raise ValueError(f"ledger mark {mark!r} is not one of '✓ N recomputed ...', '✗ ...', '– ...'")
            matched += int(found.group(1))
            if "not recomputable" in mark:
                unrecomputable += 1
    parts = []
    if failed:
        parts.append(f"✗ {failed} row{'s' if failed > 1 else ''} not reproduced")
    if matched:
        parts.append(f"✓ {matched} recomputed number{'s' if matched > 1 else ''} match{'' if matched > 1 else 'es'}")
    if unrecomputable:
        parts.append(f"– {unrecomputable} row{'s' if unrecomputable > 1 else ''} not recomputable")
    return "; ".join(parts)


def table(frame: pd.DataFrame, caption: str | None = None, index: bool = False, collapsed: bool = False,
          summary: str | None = None):
    """Display a DataFrame as a plain, accessible HTML table (header cells, optional caption, no index).

    A ``Ledger`` column (one verdict per row) is not printed row by row: the table gets one ledger mark
    under it, with the row-by-row verdicts on demand. ``collapsed=True`` puts the whole table behind a
    disclosure whose label is ``summary`` (default: the caption and the number of rows), so evidence
    tables do not turn a page into a wall.

    Returns an ``IPython.display.HTML`` object: the last expression of a cell, or pass it to ``display``.
    """
    from html import escape

    from IPython.display import HTML

    frame = frame.copy()
    frame.columns.name = None
    ledger = ""
    if LEDGER_COLUMN in frame.columns:
        marks = frame[LEDGER_COLUMN]
        frame = frame.drop(columns=[LEDGER_COLUMN])
        line = ledger_summary(marks)
        if line:
            first = frame.columns[0]
            rows = "".join(f"<li>{escape(str(label))}: {escape(str(m))}</li>" for label, m in zip(frame[first], marks) if str(m or "").strip())
            ledger = (f'<details class="tk-details tk-ledger"><summary><span class="tk-ledger-mark">Ledger {escape(line)}</span>'
                      f'<span class="tk-details-hint">row by row</span></summary>'
                      f'<div class="tk-details-body"><ul>{rows}</ul><p>Every check is listed on the ledger page.</p></div></details>')
    body = frame.to_html(index=index, escape=True, border=0, classes="trialkit-table", na_rep="")
    if caption:
        body = body.replace('class="dataframe trialkit-table">', f'class="dataframe trialkit-table">\n  <caption>{escape(caption)}</caption>', 1)
    # A wide table scrolls inside a focusable region, so keyboard users can scroll it too.
    label = escape(caption or "Table", quote=True)
    out = f'<div class="trialkit-table-wrap" role="region" tabindex="0" aria-label="{label}">{body}</div>{ledger}'
    if collapsed:
        text = summary or f"{caption or 'Table'} ({len(frame)} row{'s' if len(frame) != 1 else ''})"
        out = (f'<details class="tk-details"><summary>{escape(text)}<span class="tk-details-hint">show</span></summary>'
               f'<div class="tk-details-body">{out}</div></details>')
    return HTML(out)


def details(summary: str, *objects, hint: str = "show"):
    """Display ``objects`` (tables, charts or anything with an HTML form) behind a disclosure labelled
    ``summary``: the evidence stays one click away without making the page a wall."""
    from html import escape

    from IPython.display import HTML

    parts = []
    for obj in objects:
        if hasattr(obj, "_repr_html_") and obj._repr_html_() is not None:
            parts.append(obj._repr_html_())
        elif hasattr(obj, "_repr_mimebundle_"):
            bundle = obj._repr_mimebundle_()
            bundle = bundle[0] if isinstance(bundle, tuple) else bundle
            if "text/html" not in bundle:
                raise ValueError(f"details(): {type(obj).__name__} has no HTML form (enable the book renderer with setup())")
            parts.append(bundle["text/html"])
        elif isinstance(obj, str):
            parts.append(f"<p>{escape(obj)}</p>")
        else:
            raise ValueError(f"details(): cannot show a {type(obj).__name__}; pass tables, charts or text")
    return HTML(f'<details class="tk-details"><summary>{escape(summary)}<span class="tk-details-hint">{escape(hint)}</span></summary>'
                f'<div class="tk-details-body">{"".join(parts)}</div></details>')

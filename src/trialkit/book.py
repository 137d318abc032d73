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


#: Where the built site serves the data folder, relative to a page in ``book/`` (the build copies
#: ``data/**/*.csv``, ``data/datapackage.json`` and ``data/schemas/`` there: trialkit.tooling.sphinxext).
DATA_URL = "../_static/data-tables/"


def data_downloads(inventory: pd.DataFrame, caption: str | None = None, base: str = DATA_URL):
    """The inventory of the data tables (:func:`trialkit.data.inventory`) as :func:`table`, each file
    (its ``file`` column, a path under ``data/``) a download link, followed by links to the Data
    Package descriptor and the Table Schemas the tables follow."""
    import re
    from html import escape

    from IPython.display import HTML

    if "file" not in inventory.columns or "schema" not in inventory.columns:
        raise ValueError(f"data_downloads(): inventory needs 'file' and 'schema' columns, got {list(inventory.columns)}")
    bad = [f for f in inventory["file"] if not str(f).startswith("data/")]
    if bad:
        raise ValueError(f"data_downloads(): file must be a path under data/, got {bad[:3]}")

    def link(path: str, text: str | None = None) -> str:
        href = escape(base + path.removeprefix("data/"), quote=True)
        return f'<a class="tk-download" href="{href}" download>{escape(text or path)}</a>'

    html = table(inventory, caption=caption).data
    files = set(inventory["file"])
    html = re.sub(r"<td>(data/[^<]+)</td>", lambda m: f"<td>{link(m.group(1))}</td>" if m.group(1) in files else m.group(0), html)
    schemas = ", ".join(link(f"data/schemas/{name}.json", f"{name}.json") for name in sorted(set(inventory["schema"])))
    return HTML(html + f'<p>Also: the Data Package descriptor {link("data/datapackage.json", "datapackage.json")}; '
                       f"the Table Schemas {schemas}.</p>")


# --- glue: data rows and computed values, published to the page by name -----------------------------

#: The parts of a data row that :func:`publish` can glue, and the suffix each gets after the row's name.
PARTS = {"value": "", "pct": "_pct", "ci": "_ci", "n": "_n", "mark": "_mark", "note": "_note",
         "num": "_num", "pnum": "_pnum", "lonum": "_lonum", "hinum": "_hinum", "time": "_time"}
DEFAULT_PARTS = ("value", "pct", "ci")


def glue(name: str, value, display: bool = False) -> None:
    """``myst_nb.glue`` with numpy scalars turned into Python numbers (their text/plain must parse as a
    number for ``{glue:text}`name:.2f```); any other value is glued as it is. :func:`publish` is the
    usual way; this is for values a page formats itself."""
    from myst_nb import glue as _glue

    _glue(name, value.item() if hasattr(value, "item") else value, display=display)


def _glueable(value):
    """A glue value: text as Markdown (for ``{glue:md}``), numbers as Python numbers (for ``{glue:text}``
    with a format such as ``:.1f``)."""
    import numbers

    import numpy as np
    from IPython.display import Markdown

    if isinstance(value, Markdown):
        return value
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"a glued value must be text or a number, not a truth value ({value!r}): say it in words")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, str):
        return Markdown(value)
    raise ValueError(f"a glued value must be text or a number, got {type(value).__name__} {value!r}")


def row_part(study: str, table: str, row_id: str, part: str, mark: str = "long"):
    """One part of data row ``row_id`` (see :data:`PARTS`): ``value``, ``pct`` (the printed percent),
    ``ci`` ("low to high" as printed), ``n`` (denominator), ``mark`` (the ledger's mark: ``mark="long"``
    its words, ``"short"`` the symbol in "(✓ ledger)"), ``note`` (the ledger's explanation), ``num``,
    ``pnum``, ``lonum``, ``hinum`` (value, percent and interval limits as numbers) or ``time`` (a whole
    number). ``None`` when the row has no
    such part (no percent, no interval, no denominator)."""
    from trialkit import data
    from trialkit.chapters import ledger

    if part not in PARTS:
        raise ValueError(f"part must be one of {list(PARTS)}, got {part!r} (row {study}/{table}/{row_id})")
    r = data.row(study, table, row_id)
    if part == "value":
        return str(r["value"])
    if part == "pct":
        return str(r["percent"]) if r.get("percent") else None
    if part == "ci":
        return f"{r['ci_low']} to {r['ci_high']}" if r.get("ci_low") else None
    if part == "n":
        return None if pd.isna(r.get("denominator")) else str(int(r["denominator"]))
    if part == "mark":
        if mark not in ("long", "short"):
            raise ValueError(f"mark must be 'long' or 'short', got {mark!r}")
        m = ledger.mark(study, row_id, short=mark == "short")
        return m if mark == "long" else (f"({m} ledger)" if m else "")
    if part == "note":
        checks = ledger.checks_for(study, row_id)
        if checks.empty:
            raise ValueError(f"row {study}/{table}/{row_id} is not recomputed by the ledger: it has no note")
        return str(checks["explanation"].iloc[0])
    if part == "num":
        return float(r["value_num"])
    if part in ("pnum", "lonum", "hinum"):
        return float(r[{"pnum": "percent_num", "lonum": "ci_low_num", "hinum": "ci_high_num"}[part]])
    return int(r["time"])


def _table_of(study: str) -> dict[str, str]:
    """Row id -> table, over every table of ``study`` whose rows have ids (an id in two tables is an error
    when it is looked up)."""
    from trialkit import data

    where: dict[str, str] = {}
    for table in data.tables(study):
        if table == "copy_check":  # the double-extraction log names rows of other tables
            continue
        frame = data.load(study, table)
        if "id" not in frame.columns:
            continue
        for row_id in frame["id"]:
            where[row_id] = f"{where[row_id]} and {table}" if row_id in where else table
    return where


def _entries(study: str, arms, spec, table: str | None = None) -> list[tuple[str, str, str, tuple[str, ...] | None]]:
    """(table, name, row id, parts or None for the defaults) for each entry of a rows spec: a
    whitespace-separated string or a list of entries (tables found by id), or ``{table: entries}``
    (``"*"`` for every row of the table)."""
    from trialkit import data

    if isinstance(spec, dict):
        out = []
        for table, entries in spec.items():
            if isinstance(entries, str) and entries.strip() == "*":
                entries = list(data.load(study, table)["id"])
            out += _entries(study, arms, entries, table)
        return out
    entries = spec.split() if isinstance(spec, str) else list(spec)
    if any("{arm}" in e for e in entries) and not arms:
        raise ValueError(f"an entry with {{arm}} needs a trial description (publish(trials.describe({study!r}), ...))")
    expanded = [e.replace("{arm}", arm) if arm else e for e in entries for arm in (arms if "{arm}" in e else [None])]
    where = None
    out = []
    for entry in expanded:
        name, _, ref = entry.rpartition("=")
        row_id, _, parts = ref.partition(".")
        parts = tuple(parts.split("+")) if parts else None
        for p in parts or ():
            if p not in PARTS:
                raise ValueError(f"rows entry {entry!r}: part must be one of {list(PARTS)}, got {p!r}")
        if table is not None:  # the table was named ({table: entries}): an id may also be in another table
            out.append((table, name, row_id, parts))
            continue
        if where is None:
            where = _table_of(study)
        found = where.get(row_id)
        if found is None or " and " in found:
            raise ValueError(f"rows entry {entry!r}: {study} has " + (f"the id {row_id!r} in {found}: give the table "
                             "({table: entries})" if found else f"no row with id {row_id!r}"))
        out.append((found, name, row_id, parts))
    return out


def publish(source=None, rows=None, *, prefix: str = "", parts=DEFAULT_PARTS, mark: str = "long", **values) -> None:
    """Glue data rows and computed values into the page, by name: the one call a chapter's hidden cell
    makes (with ``myst_nb.glue``; prose reads them as ``{glue:md}`name``` or ``{glue:text}`name:.2f```).

    ``source``: a study (``"tower"``) or its :class:`trialkit.trials.Trial` (then ``{arm}`` in an entry
    stands for each of its arms). ``rows``: entries, as a whitespace-separated string or a list (each
    row found by its id among the study's tables), or ``{table: entries}`` (``"*"``: every row). An entry
    is ``id``, ``name=id`` (glue under another name) or ``[name=]id.part[+part]`` (only those parts).
    Each row is glued as ``prefix + name`` (its printed value) and, with ``parts`` (default value,
    percent, interval, each only when the row has it), as ``name_pct``, ``name_ci``, ``name_n``,
    ``name_mark``, ... (:data:`PARTS`; ``mark`` as in :func:`row_part`). A single explicit part is glued
    under ``name`` itself when a name is given.

    ``values``: ``name=value`` pairs; text is glued as Markdown, numbers as numbers (a dict can be
    spread in: ``**labs.stopping_readings(...)``).
    """
    from myst_nb import glue

    from trialkit.trials import Trial

    study, arms = (source.study, source.arms) if isinstance(source, Trial) else (source, None)
    if rows and study is None:
        raise ValueError("source (a study or its trial description) must be given to publish data rows")
    for table, name, row_id, explicit in _entries(study, arms, rows) if rows else ():
        if explicit and name and len(explicit) == 1:
            glue(prefix + name, _glueable(row_part(study, table, row_id, explicit[0], mark)), display=False)
            continue
        for p in explicit or parts:
            v = row_part(study, table, row_id, p, mark)
            if v is not None:
                glue(prefix + (name or row_id) + PARTS[p], _glueable(v), display=False)
    for name, value in values.items():
        glue(name, _glueable(value), display=False)

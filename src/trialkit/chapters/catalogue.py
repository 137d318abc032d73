"""The book's bias catalogue: ``book/bias_catalogue.yml``, validated, and rendered as an HTML table.

The file is a YAML list of biases::

    - key: early_stopping                  # unique, [a-z0-9_]+
      name: Early stopping for benefit
      vocabulary: "Catalogue of Bias: ...; RoB 2 domain ..."   # optional: where the term comes from
      definition: One line, in the vocabulary of the Catalogue of Bias / Cochrane RoB 2.
      where:                               # optional: where the bias arises (or is guarded against)
        - trial: tower                     # a study key of data/ (trialkit.data.studies())
          text: What the publication shows, in the course's words.
          link: /book/tower/biases         # optional: a page of the book (path without .md), '#anchor' allowed

:func:`load` checks every field and raises :class:`CatalogueError` naming the file, the bias and the
entry: unknown keys, a missing or empty definition, an unknown trial, a duplicate key, a link to a
page that does not exist. :func:`render` (HTML string) and :func:`show` (for a chapter cell) draw the
table; links are made relative to the page that shows it, and their text is the target page's title.
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from trialkit import _yamlfile

ROOT = Path(__file__).resolve().parents[3]
CATALOGUE_PATH = ROOT / "book" / "bias_catalogue.yml"
BIAS_KEYS = {"key", "name", "definition", "vocabulary", "where"}
WHERE_KEYS = {"trial", "text", "link"}
_KEY = re.compile(r"[a-z0-9_]+")
_LINK = re.compile(r"/(book/[a-z0-9_/-]+)(#[A-Za-z0-9_-]+)?")
_DOC = re.compile(r"[a-z0-9_/-]+")


class CatalogueError(ValueError):
    """A catalogue file that breaks the format, naming the file, the bias and the entry."""


@dataclass(frozen=True)
class Where:
    """One place where a bias arises (or is guarded against) in one of the trials."""

    trial: str
    text: str
    link: str | None = None


@dataclass(frozen=True)
class Bias:
    key: str
    name: str
    definition: str
    vocabulary: str | None
    where: tuple[Where, ...]


def _text(value, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{what} must be a non-empty text")
    return " ".join(value.split())


def load(path: Path | str = CATALOGUE_PATH, studies=None, root: Path | str = ROOT) -> list[Bias]:
    """The validated biases of the catalogue at ``path``.

    ``studies`` are the allowed trial keys (default: :func:`trialkit.data.studies`); links must
    point to an existing ``<root>/<page>.md``.
    """
    path, root = Path(path), Path(root)
    if studies is None:
        from trialkit import data

        studies = data.studies()
    studies = list(studies)
    items = _yamlfile.read(path, CatalogueError, "biases", name="catalogue")
    biases, seen = [], set()
    for i, item in enumerate(items, start=1):
        label = f"{path}, bias {i}"
        if not isinstance(item, dict):
            raise CatalogueError(f"{label}: must be a mapping with keys {sorted(BIAS_KEYS)}")
        if isinstance(item.get("key"), str):
            label += f" ({item['key']})"
        unknown = set(item) - BIAS_KEYS
        if unknown:
            raise CatalogueError(f"{label}: unknown keys {sorted(unknown)}; allowed: {sorted(BIAS_KEYS)}")
        for required in ("key", "name", "definition"):
            if required not in item or item[required] is None:
                raise CatalogueError(f"{label}: missing '{required}'")
        key = _text(item["key"], f"{label}: 'key'")
        if not _KEY.fullmatch(key):
            raise CatalogueError(f"{label}: 'key' must be lowercase letters, digits or '_', got {key!r}")
        if key in seen:
            raise CatalogueError(f"{label}: duplicate key {key!r}")
        seen.add(key)
        name = _text(item["name"], f"{label}: 'name'")
        definition = _text(item["definition"], f"{label}: 'definition'")
        vocabulary = _text(item["vocabulary"], f"{label}: 'vocabulary'") if item.get("vocabulary") is not None else None
        where_items = item.get("where") or []
        if not isinstance(where_items, list):
            raise CatalogueError(f"{label}: 'where' must be a list of entries with keys {sorted(WHERE_KEYS)}")
        wheres = []
        for j, w in enumerate(where_items, start=1):
            wl = f"{label}, where entry {j}"
            if not isinstance(w, dict):
                raise CatalogueError(f"{wl}: must be a mapping with keys {sorted(WHERE_KEYS)}")
            unknown = set(w) - WHERE_KEYS
            if unknown:
                raise CatalogueError(f"{wl}: unknown keys {sorted(unknown)}; allowed: {sorted(WHERE_KEYS)}")
            if "trial" not in w:
                raise CatalogueError(f"{wl}: missing 'trial'")
            if w["trial"] not in studies:
                raise CatalogueError(f"{wl}: unknown trial {w['trial']!r}; known trials: {', '.join(studies)}")
            if "text" not in w:
                raise CatalogueError(f"{wl}: missing 'text'")
            text = _text(w["text"], f"{wl}: 'text'")
            link = w.get("link")
            if link is not None:
                link = _text(link, f"{wl}: 'link'")
                m = _LINK.fullmatch(link)
                if not m:
                    raise CatalogueError(f"{wl}: 'link' must be a page of the book such as '/book/tower/biases' "
                                         f"(optionally with '#anchor'), got {link!r}")
                if not (root / f"{m.group(1)}.md").exists():
                    raise CatalogueError(f"{wl}: 'link' points to {m.group(1)}.md, which does not exist")
            wheres.append(Where(w["trial"], text, link))
        biases.append(Bias(key, name, definition, vocabulary, tuple(wheres)))
    return biases


def page_title(doc: str, root: Path | str = ROOT) -> str:
    """The first level-1 heading of ``<root>/<doc>.md`` (front matter skipped), or ``doc``."""
    path = Path(root) / f"{doc}.md"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if text.startswith("---"):
        end = text.find("\n---", 3)
        text = text[end + 4:] if end >= 0 else text
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return doc


def relative_href(link: str, page: str) -> str:
    """The href of book page ``link`` ('/book/x/y#a') from the HTML of page ``page`` ('book/p/q')."""
    m = _LINK.fullmatch(link)
    if not m:
        raise ValueError(f"link must be a page of the book such as '/book/tower/biases', got {link!r}")
    if not isinstance(page, str) or not _DOC.fullmatch(page):
        raise ValueError(f"page must be a document path such as 'book/part1/randomised', got {page!r}")
    rel = posixpath.relpath(f"{m.group(1)}.html", posixpath.dirname(page) or ".")
    return rel + (m.group(2) or "")


def _inline(text: str) -> str:
    """Escape, then allow *emphasis*."""
    return re.sub(r"\*([^*]+)\*", r"<em>\1</em>", html.escape(text))


def render(page: str, trial: str | None = None, biases: list[Bias] | None = None,
           caption: str = "Bias catalogue: where each bias arises in the course's trials", root: Path | str = ROOT) -> str:
    """The catalogue as an accessible HTML table for the page ``page`` (its document path, for the
    links). With ``trial``, only the biases with an entry for that trial, and only those entries."""
    from trialkit import data

    biases = load(root=root) if biases is None else biases
    studies = data.studies()
    if trial is not None and trial not in studies:
        raise ValueError(f"trial must be one of {studies}, got {trial!r}")
    labels = {s: data.study_info(s)["label"] for s in studies}
    rows = []
    for b in biases:
        entries = [w for w in b.where if trial is None or w.trial == trial]
        if trial is not None and not entries:
            continue
        items = []
        for w in entries:
            link = ""
            if w.link:
                doc = _LINK.fullmatch(w.link).group(1)
                link = f' (see <a href="{html.escape(relative_href(w.link, page), quote=True)}">{html.escape(page_title(doc, root))}</a>)'
            items.append(f"<li><strong>{html.escape(labels[w.trial])}</strong>: {_inline(w.text)}{link}</li>")
        where = f"<ul>{''.join(items)}</ul>" if items else "<em>No entry yet.</em>"
        vocab = (f'<br><span class="tk-vocabulary" style="font-weight: normal; font-size: 0.9em">{_inline(b.vocabulary)}</span>'
                 if b.vocabulary else "")
        rows.append(f'<tr id="bias-{b.key}"><th scope="row">{html.escape(b.name)}{vocab}</th>'
                    f"<td>{_inline(b.definition)}</td><td>{where}</td></tr>")
    head = '<tr><th scope="col">Bias</th><th scope="col">Definition</th><th scope="col">Where it arises in the trials</th></tr>'
    table = (f'<table class="dataframe trialkit-table trialkit-catalogue"><caption>{html.escape(caption)}</caption>'
             f"<thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>")
    return f'<div class="trialkit-table-wrap" role="region" tabindex="0" aria-label="{html.escape(caption, quote=True)}">{table}</div>'


def show(page: str, trial: str | None = None, **kwargs):
    """Display the catalogue (the last expression of a chapter cell)."""
    from IPython.display import HTML

    return HTML(render(page, trial, **kwargs))

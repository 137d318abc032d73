"""Learning objectives: what each page teaches, where it is practised and where it is assessed.

Objectives live in ``book/objectives/<unit>.yml``, one file per part or chapter, a mapping from a
page's document name to its objectives::

    book/tower/design:
      - id: tower-design-boundary            # unique across the book
        text: Recompute the boundary a group-sequential trial crossed at its interim analysis.
        practised: ["lab:tower-lab-stopping", "quiz:tower-design#2"]
        assessed: ["exercise:tower/q3_boundary"]

``practised`` and ``assessed`` name where the skill is exercised: ``lab:<page label>`` (a
laboratory's MyST label), ``quiz:<quiz name>#<question number>`` (1-based) or ``exercise:<set>/<question
id>``. :func:`objectives` renders a page's objectives at the top of the page; :func:`load_all` reads
every file (for the alignment checks).
"""

from __future__ import annotations

import re
from pathlib import Path

from trialkit import _yamlfile

OBJECTIVES_DIR = Path(__file__).resolve().parents[2] / "book" / "objectives"
_REF = re.compile(r"(lab:[a-z0-9-]+|quiz:[a-z0-9_-]+#\d+|exercise:[a-z0-9_-]+/[a-z0-9_]+)")


class ObjectivesError(ValueError):
    """An objectives file that breaks the format, naming the file, the page and the objective."""


def load(path: Path | str) -> dict[str, list[dict]]:
    """The validated objectives of one file, by page."""
    path = Path(path)
    content = _yamlfile.read(path, ObjectivesError, "pages", kind=dict, name="objectives file")
    for page, items in content.items():
        if not isinstance(page, str) or not page.startswith("book/"):
            raise ObjectivesError(f"{path}: page keys are document names such as 'book/tower/design', got {page!r}")
        if not isinstance(items, list) or not items:
            raise ObjectivesError(f"{path}, {page}: must list at least one objective")
        for i, item in enumerate(items, start=1):
            where = f"{path}, {page}, objective {i}"
            if not isinstance(item, dict):
                raise ObjectivesError(f"{where}: must be a mapping with id, text, practised, assessed")
            unknown = set(item) - {"id", "text", "practised", "assessed"}
            if unknown:
                raise ObjectivesError(f"{where}: unknown keys {sorted(unknown)}")
            if not re.fullmatch(r"[a-z0-9-]+", str(item.get("id", ""))):
                raise ObjectivesError(f"{where}: 'id' must be lowercase letters, digits and '-', got {item.get('id')!r}")
            if not str(item.get("text", "")).strip():
                raise ObjectivesError(f"{where}: needs a 'text'")
            for key in ("practised", "assessed"):
                refs = item.get(key, [])
                if not isinstance(refs, list):
                    raise ObjectivesError(f"{where}: '{key}' must be a list")
                for ref in refs:
                    if not isinstance(ref, str) or not _REF.fullmatch(ref):
                        raise ObjectivesError(f"{where}: {key} entry {ref!r} must look like 'lab:<label>', "
                                              "'quiz:<name>#<n>' or 'exercise:<set>/<question>'")
    return content


def load_all(folder: Path | str = OBJECTIVES_DIR) -> dict[str, list[dict]]:
    """Every page's objectives, from every file in ``folder``; an id used twice is an error."""
    pages: dict[str, list[dict]] = {}
    seen: dict[str, Path] = {}
    for path in sorted(Path(folder).glob("*.yml")):
        for page, items in load(path).items():
            if page in pages:
                raise ObjectivesError(f"{path}: page {page} already has objectives in another file")
            for item in items:
                if item["id"] in seen:
                    raise ObjectivesError(f"{path}: objective id {item['id']!r} is also used in {seen[item['id']]}")
                seen[item["id"]] = path
            pages[page] = items
    return pages


def objectives(page: str, folder: Path | str = OBJECTIVES_DIR):
    """The objectives box shown at the top of ``page`` (its document name, e.g. ``book/tower/design``)."""
    from html import escape

    from IPython.display import HTML

    pages = load_all(folder)
    if page not in pages:
        raise ObjectivesError(f"no objectives for page {page!r} in {folder}; add them to an objectives file")
    items = "".join(f"<li>{escape(item['text'])}</li>" for item in pages[page])
    return HTML('<div class="tk-objectives" role="note"><p class="tk-objectives-title">After this page you can</p>'
                f"<ul>{items}</ul></div>")

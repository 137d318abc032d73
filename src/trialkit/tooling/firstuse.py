"""Glossary terms in reading order: is each term defined before (or where) a reader first meets it?

A term counts as defined at its first use in the book (pages in table-of-contents order, prose only, code
cells ignored) when that first use links to its glossary entry (``{term}``) or stands in bold (the page
defines it in place, as the primers do). Used by the tests; not imported by the engine.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
CODE_CELL = re.compile(r"```\{code-cell\}.*?```", re.S)


def glossary_terms(root: Path = ROOT) -> list[str]:
    """The entries of the glossary page, in its order."""
    text = (root / "book" / "glossary.md").read_text(encoding="utf-8")
    block = text.split("```{glossary}", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip() and not line.startswith((" ", ":"))]


def reading_order(root: Path = ROOT) -> list[str]:
    """The book's pages (without the glossary itself) in table-of-contents order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(toc.get("parts", toc.get("chapters", [])))
    return [f for f in files if f != "book/glossary"]


def _prose(text: str) -> str:
    return CODE_CELL.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)  # keep offsets and line numbers


def _in_bold(text: str, start: int) -> bool:
    line_start = text.rfind("\n\n", 0, start) + 1
    return text[line_start:start].count("**") % 2 == 1


def first_uses(root: Path = ROOT) -> list[dict]:
    """For every glossary term: the page and line of its first use, and whether it is defined there."""
    pages = [(f, _prose((root / f"{f}.md").read_text(encoding="utf-8"))) for f in reading_order(root)]
    out = []
    for term in glossary_terms(root):
        plain_re = re.compile(r"(?<![`<])\b" + re.escape(term) + r"\b", re.I)
        role_re = re.compile(r"\{term\}`(?:[^`<]*<\s*)?" + re.escape(term) + r"\s*>?`", re.I)
        for page, text in pages:
            plain, role = plain_re.search(text), role_re.search(text)
            if plain or role:
                linked = role is not None and (plain is None or role.start() <= plain.start())
                at = role.start() if linked else plain.start()
                out.append({"term": term, "page": page, "line": text.count("\n", 0, at) + 1,
                            "defined": linked or _in_bold(text, at)})
                break
    return out

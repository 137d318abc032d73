"""Small helpers shared by several test modules (imported as ``_helpers``: pytest puts tests/ on the path)."""

from __future__ import annotations

from trialkit.tooling.build import toc_files


def bound_params(spec: dict) -> list[dict]:
    """Every parameter of a Vega-Lite spec (at any depth) that is bound to an input, in spec order."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            for p in node.get("params", []) or []:
                if isinstance(p, dict) and "bind" in p:
                    found.append(p)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(spec)
    return found


def parametrize_pages(metafunc, views: dict) -> None:
    """Parametrize ``doc`` with the pages of the table of contents (``--toc`` when given) and ``view``
    with the names of ``views``."""
    if "doc" in metafunc.fixturenames:
        toc = metafunc.config.getoption("--toc")
        metafunc.parametrize("doc", toc_files(toc_path=toc) if toc else toc_files())
    if "view" in metafunc.fixturenames:
        metafunc.parametrize("view", list(views))

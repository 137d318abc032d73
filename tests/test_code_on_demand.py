"""Code on demand: every cell that draws a figure or a table shows its code folded ("Show the code"), never
removed; only set-up, glue, objective, quiz and live-mode cells are removed from the page."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CELL = re.compile(r"```\{code-cell\}[^\n]*\n(---\n.*?\n---\n|:tags: [^\n]*\n)?(.*?)\n```", re.S)
TOOL_PAGES = {"book/alignment.md", "book/exercises.md"}  # generated reference pages, not chapters
DRAWS = re.compile(r"^(?:[\w.]*charts?\.[\w.]+|charts\.\w+|trialkit\.book\.(?:table|details))\(|^[\w.]*_chart\b")


def _output_statement(body: str) -> str:
    lines = [ln for ln in body.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    top = [ln for ln in lines if not ln.startswith((" ", "\t", ")", "]", "}"))]
    return (top or lines or [""])[-1].strip()


def _cells():
    for page in sorted((ROOT / "book").rglob("*.md")):
        rel = page.relative_to(ROOT).as_posix()
        if rel in TOOL_PAGES:
            continue
        for m in CELL.finditer(page.read_text(encoding="utf-8")):
            yield rel, m.group(1) or "", _output_statement(m.group(2))


def test_every_figure_and_table_cell_shows_its_code_on_demand():
    drawn = [(page, meta, last) for page, meta, last in _cells()
             if DRAWS.match(last) and "=" not in last.split("(")[0]]  # an expression, not an assignment
    assert len(drawn) >= 80
    removed = [f"{page}: {last[:70]}" for page, meta, last in drawn if "remove-input" in meta or "remove-cell" in meta]
    assert not removed, "figure or table cells with their code removed:\n" + "\n".join(removed)
    assert all("hide-input" in meta for page, meta, last in drawn)


def test_the_folded_code_is_labelled_for_readers():
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    assert 'nb_code_prompt_show: "Show the code"' in config
